//! Names in informal register: chats, notes and threads (issue #10, round 17).
//!
//! Chat lines, sticky notes and radio logs name people and vendors without
//! the cues formal prose gives (no legal form, no 様, no full name). Three
//! shapes still tell a name:
//!
//! - a family name written kanji + ノ + kanji (杉ノ原, 梶ノ木) before a
//!   person cue (さん, 代理, に電話, a speaker's time): the kanji halves are
//!   ordinary words, so the dictionary sees two nouns and a particle;
//! - a speaker slot of a chat (`たかし：…`, `主任 みのり 8:01`,
//!   `--- サポート ひらの ---`): a hiragana given name or nickname, not a
//!   dictionary word, in a text where at least two lines open on a speaker;
//! - a coined product or vendor name set after a word that says what it is
//!   (`決済代行 ペイルーム`, `予約サイト ねむりどき経由`, `印刷所 月見印刷`):
//!   the category word and the space make the next word a name, when it is
//!   no dictionary word.

use std::collections::HashSet;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::persons::{Lexis, ROLES};
use super::*;

/// Category words after which, set apart by a space, a vendor is named.
const VENDOR_WORDS: [&str; 14] = [
    "決済代行",
    "代行",
    "業者",
    "印刷所",
    "予約サイト",
    "サイト",
    "メーカー",
    "代理店",
    "問屋",
    "仕入先",
    "取引先",
    "運送会社",
    "保守会社",
    "委託先",
];

/// Category words after which, set apart by a space, a product is named.
const PRODUCT_WORDS: [&str; 14] = [
    "アプリ",
    "電カル",
    "電子カルテ",
    "レセコン",
    "検査機器",
    "機器",
    "マシン",
    "制御盤",
    "端末",
    "ソフト",
    "サービス名",
    "銘柄",
    "商品名",
    "製品名",
];

/// Particles ending a hiragana name after a category word: they belong to
/// the sentence.
const NAME_ENDS: [&str; 8] = ["から", "より", "の", "に", "で", "を", "が", "は"];

/// Person cues after a kanji + ノ + kanji family name.
const NO_NAME_CUES: [&str; 22] = [
    "さん",
    "様",
    "さま",
    "氏",
    "くん",
    "君",
    "ちゃん",
    "先生",
    "代理",
    "課長",
    "部長",
    "係長",
    "主任",
    "所長",
    "店長",
    "社長",
    "Dr",
    "に電話",
    "に連絡",
    "に相談",
    "に確認",
    "から電話",
];

/// Hiragana words that open a line as a label or a greeting, not a speaker.
const NOT_SPEAKERS: [&str; 30] = [
    "まとめ",
    "めも",
    "おしらせ",
    "おねがい",
    "いつ",
    "どこ",
    "だれ",
    "なに",
    "ほか",
    "あと",
    "つぎ",
    "いま",
    "きょう",
    "あした",
    "おつかれ",
    "おつ",
    "おはよう",
    "おやすみ",
    "りょうかい",
    "ありがと",
    "すみません",
    "ごめん",
    "ごめんね",
    "よろ",
    "おけ",
    "おっけ",
    "おまたせ",
    "どうも",
    "ただいま",
    "おかえり",
];

/// Business words ending a kanji vendor name (月見印刷, 北辰農機).
const KANJI_VENDOR_TAILS: [&str; 12] = [
    "印刷",
    "農機",
    "青果",
    "商店",
    "電設",
    "工業",
    "運輸",
    "物流",
    "冷熱",
    "精機",
    "商事",
    "製作所",
];

/// Honorifics and nickname endings glued to a speaker's name.
const NICK_ENDS: [&str; 6] = ["ちゃん", "くん", "っち", "さん", "先生", "たん"];

impl Recognizers {
    /// Kanji + ノ family names, chat speakers and names after a category word.
    pub(crate) fn scan_informal(&self, text: &str, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        if text.contains('ノ') {
            no_names(text, out);
        }
        let Some(l) = lexis else { return };
        speakers(text, l, out);
        hiragana_given_names(text, l, out);
        let (ac, triggers) = triggers();
        // Leftmost-longest, not overlapping (the automaton's fast prefilter
        // serves it): a word also starts what the words ending it start.
        for m in ac.find_iter(text) {
            for &(ref t, len) in &triggers[m.pattern().as_usize()] {
                let range = m.end() - len..m.end();
                match *t {
                    Trigger::Category(kind) => self.category_name(text, range.end, kind, l, out),
                    Trigger::VendorTail => vendor_of_person(text, range, l, out),
                    Trigger::Use(kind) => self.used_name(text, range.start, kind, l, out),
                    Trigger::Device => self.device_app(text, range.end, l, out),
                    Trigger::Community => community_body(text, range, out),
                    Trigger::Periodical => periodical(text, range, out),
                }
            }
        }
    }

    /// A coined name after a category word ending at `at` and a space.
    fn category_name(&self, text: &str, at: usize, kind: Kind, l: &Lexis, out: &mut Vec<Hit>) {
        let Some(name) = text[at..].strip_prefix([' ', '\u{3000}']) else {
            return;
        };
        let start = text.len() - name.len();
        if let Some(len) = self.coined_name(name, kind, l) {
            out.push(hit(start..start + len, kind, "informal_category"));
        }
    }

    /// Length of the coined name opening `s`: a word up to a space or a
    /// punctuation mark, sentence words trimmed off its end; `None` when it is
    /// a dictionary word, IT vocabulary or no name's shape.
    fn coined_name(&self, s: &str, kind: Kind, l: &Lexis) -> Option<usize> {
        let latin = |c: char| c.is_ascii_alphanumeric() || c == '-';
        let first = s.chars().next()?;
        // One name's script run: hiragana then katakana (みまもりリンク),
        // katakana or Latin with digits (ルミナ, Q-Scan), kanji then katakana.
        let len: usize = if is_hira(first) {
            let h: usize = run_len(s, is_hira);
            h + run_len(&s[h..], is_kata)
        } else if is_kata(first) || latin(first) {
            run_len(s, |c| is_kata(c) || latin(c))
        } else if is_han_or_ke(first) {
            run_len(s, |c| is_han(c) || is_kata(c))
        } else {
            0
        };
        let mut word = &s[..len];
        if word.chars().all(is_hira) {
            for cut in NAME_ENDS {
                if let Some(w) = word.strip_suffix(cut) {
                    word = w;
                    break;
                }
            }
        }
        let chars = word.chars().count();
        if !(2..=16).contains(&chars) {
            return None;
        }
        // A kanji run is a word of the sentence (対応中, 再起動) unless a
        // vendor's business word ends it; a short or inflected hiragana run
        // is a verb.
        if word.chars().all(is_han_or_ke) {
            let head = KANJI_VENDOR_TAILS
                .iter()
                .find_map(|t| word.strip_suffix(t))
                .filter(|h| kind == Kind::Org && !h.is_empty());
            if !head.is_some_and(|h| named_head(h, l)) {
                return None;
            }
        }
        if word.chars().all(is_hira)
            && (chars < 3
                || ["ない", "ます", "した", "する", "てる", "った", "れる"]
                    .iter()
                    .any(|e| word.ends_with(e)))
        {
            return None;
        }
        // Digits, or two capitals (SN, ID): a label, not a name.
        if word.chars().all(|c| c.is_ascii_digit() || c == '-')
            || chars < 3 && word.chars().all(|c| c.is_ascii_uppercase())
        {
            return None;
        }
        if l.common.contains(word) || self.vocab.contains(&word.to_ascii_lowercase()) {
            return None;
        }
        Some(word.len())
    }

    /// A coined katakana or hiragana+katakana name before a tail at `at`
    /// that says product or service (`USE_TAILS`).
    fn used_name(&self, text: &str, at: usize, kind: Kind, l: &Lexis, out: &mut Vec<Hit>) {
        let k = tail_len(&text[..at], is_kata);
        if k == 0 {
            return;
        }
        let h = tail_len(&text[..at - k], is_hira);
        // Two or more hiragana glued before make one name (みどりリンク).
        let h = if text[at - k - h..at - k].chars().count() >= 2 {
            h
        } else {
            0
        };
        let start = at - k - h;
        if self.coined(&text[start..at], l) {
            out.push(hit(start..at, kind, "informal_used"));
        }
    }

    /// A coined name with katakana after a device and の ending at `from`,
    /// before a particle (`タブレットのXが`).
    fn device_app(&self, text: &str, from: usize, l: &Lexis, out: &mut Vec<Hit>) {
        let rest = &text[from..];
        let h = run_len(rest, is_hira);
        let h = if rest[..h].chars().count() >= 2 { h } else { 0 };
        let len = h + run_len(&rest[h..], is_kata);
        let next = &rest[len..];
        if len == h
            || !["が", "で", "を", "は", "に", "の"]
                .iter()
                .any(|p| next.starts_with(p))
        {
            return;
        }
        if self.coined(&rest[..len], l) {
            out.push(hit(from..from + len, Kind::Product, "informal_used"));
        }
    }

    /// A coined name: three or more characters, no dictionary word or IT
    /// vocabulary whole, no kind of thing (`GENERIC_ENDS`), and no compound
    /// of two IT words.
    fn coined(&self, word: &str, l: &Lexis) -> bool {
        let chars = word.chars().count();
        if !(3..=16).contains(&chars) || l.common.contains(word) {
            return false;
        }
        if self.vocab.contains(&word.to_lowercase())
            || GENERIC_ENDS.iter().any(|e| word.ends_with(e))
        {
            return false;
        }
        // A compound of vocabulary (クラウドストレージ) is a kind of thing.
        !(1..chars).any(|i| {
            let cut = word.char_indices().nth(i).map_or(word.len(), |(b, _)| b);
            let (a, b) = word.split_at(cut);
            self.vocab.contains(&a.to_lowercase()) && self.vocab.contains(&b.to_lowercase())
        })
    }
}

/// What follows a product or a service named in casual text: its app, a
/// purchase, its use, its help line (`Xのアプリ`, `Xで買った`, `X使ってる`,
/// `Xのコールセンター`), and the kind that makes the name.
const USE_TAILS: [(&str, Kind); 13] = [
    ("のアプリ", Kind::Product),
    ("アプリ", Kind::Product),
    ("で買った", Kind::Product),
    ("で購入", Kind::Product),
    ("の新しいやつ", Kind::Product),
    ("使ってる", Kind::Product),
    ("使ってます", Kind::Product),
    ("を使って", Kind::Product),
    ("が圏外", Kind::Product),
    ("のコールセンター", Kind::Org),
    ("のサポート", Kind::Org),
    ("の衛星回線", Kind::Org),
    ("の窓口", Kind::Org),
];

/// Words ending a katakana compound that names a kind of thing, not one
/// product (カメラアプリ, テレワーク, 管理ツール).
const GENERIC_ENDS: [&str; 12] = [
    "アプリ",
    "ソフト",
    "ツール",
    "カード",
    "ケース",
    "ブラウザ",
    "カメラ",
    "サーバ",
    "サーバー",
    "システム",
    "ワーク",
    "センター",
];

/// Words ending the name of a neighbourhood or parents' body.
const COMMUNITY_WORDS: [&str; 6] = [
    "自治会",
    "町内会",
    "子ども会",
    "老人会",
    "保護者会",
    "商店会",
];

/// An opening bracket and a periodical's word: the bracket holds a title.
const PERIODICALS: [&str; 6] = ["『月刊", "『週刊", "『季刊", "「月刊", "「週刊", "「季刊"];

/// Devices a product runs on (`タブレットのX`, `スマホのX`).
const DEVICES: [&str; 5] = ["タブレットの", "スマホの", "端末の", "iPadの", "PCの"];

/// What a trigger word found in one pass over the text starts.
#[derive(Clone, Copy)]
enum Trigger {
    /// A category word: a coined name of this kind may follow.
    Category(Kind),
    /// A business word: a vendor may end on it before one of its people.
    VendorTail,
    /// A tail saying product or service: a coined name may end before it.
    Use(Kind),
    /// A device and の: an app may follow.
    Device,
    /// A community body's word (自治会): its coined head may precede.
    Community,
    /// A bracket and a periodical word (『月刊): a title follows.
    Periodical,
}

/// One automaton over every trigger word, with what each starts and the
/// length of the word that starts it (itself or a word ending it).
#[allow(clippy::type_complexity)]
fn triggers() -> &'static (AhoCorasick, Vec<Vec<(Trigger, usize)>>) {
    static T: OnceLock<(AhoCorasick, Vec<Vec<(Trigger, usize)>>)> = OnceLock::new();
    T.get_or_init(|| {
        let all: Vec<(&str, Trigger)> = VENDOR_WORDS
            .iter()
            .map(|w| (*w, Trigger::Category(Kind::Org)))
            .chain(
                PRODUCT_WORDS
                    .iter()
                    .map(|w| (*w, Trigger::Category(Kind::Product))),
            )
            .chain(KANJI_VENDOR_TAILS.iter().map(|w| (*w, Trigger::VendorTail)))
            .chain(USE_TAILS.iter().map(|(w, k)| (*w, Trigger::Use(*k))))
            .chain(DEVICES.iter().map(|w| (*w, Trigger::Device)))
            .chain(COMMUNITY_WORDS.iter().map(|w| (*w, Trigger::Community)))
            .chain(PERIODICALS.iter().map(|w| (*w, Trigger::Periodical)))
            .collect();
        let mut words: Vec<&str> = all.iter().map(|(w, _)| *w).collect();
        words.sort_unstable();
        words.dedup();
        let what = words
            .iter()
            .map(|w| {
                all.iter()
                    .filter(|(x, _)| w.ends_with(x))
                    .map(|(x, t)| (*t, x.len()))
                    .collect()
            })
            .collect();
        // Fixed literal words: the build cannot fail.
        #[allow(clippy::expect_used)]
        let ac = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            // Japanese words share their lead bytes: a byte prefilter only
            // interrupts the automaton (callgrind, round 17).
            .prefilter(false)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&words)
            .expect("informal trigger words build");
        (ac, what)
    })
}

fn hit(range: Range<usize>, kind: Kind, rule: &'static str) -> Hit {
    Hit {
        range,
        kind,
        rule,
        score: 0.8,
        deny: None,
        dict: false,
        prio: 2,
    }
}

/// `HH:MM` or `H:MM`, half or full width.
fn starts_with_time(s: &str) -> bool {
    let digits: String = s
        .chars()
        .take(5)
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '：' => ':',
            c => c,
        })
        .collect();
    let b = digits.as_bytes();
    let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    d(0) && (b.get(1) == Some(&b':') && d(2) && d(3) || d(1) && b.get(2) == Some(&b':') && d(3))
}

/// Kanji + ノ + kanji family names before a person cue.
fn no_names(text: &str, out: &mut Vec<Hit>) {
    for (at, _) in text.match_indices('ノ') {
        let start = at - tail_len(&text[..at], is_han_or_ke);
        if !(1..=2).contains(&text[start..at].chars().count()) {
            continue;
        }
        let after = &text[at + 'ノ'.len_utf8()..];
        for tail in 1..=2 {
            let Some((len, rest)) = han_prefix(after, tail) else {
                break;
            };
            let rest_t = rest.trim_start_matches([' ', '\u{3000}']);
            let cued = NO_NAME_CUES.iter().any(|c| rest.starts_with(c))
                || rest.len() > rest_t.len() && starts_with_time(rest_t)
                || start == line_start(text, start) && rest.starts_with(['：', ':']);
            if cued {
                // An honorific goes with the name, as `surname_title` takes it.
                let title = ["さん", "様", "さま", "氏", "くん", "君", "ちゃん"]
                    .iter()
                    .find(|t| rest.starts_with(**t))
                    .map_or(0, |t| t.len());
                let end = at + 'ノ'.len_utf8() + len + title;
                out.push(hit(start..end, Kind::Person, "informal_no_name"));
                break;
            }
        }
    }
}

/// The first `n` kanji of `s` (byte length and the rest), when there are.
fn han_prefix(s: &str, n: usize) -> Option<(usize, &str)> {
    let mut len = 0;
    for c in s.chars().take(n) {
        if !is_han_or_ke(c) {
            return None;
        }
        len += c.len_utf8();
    }
    (s[..len].chars().count() == n).then(|| (len, &s[len..]))
}

/// Byte length of the run of `f` characters opening `s`.
fn run_len(s: &str, f: impl Fn(char) -> bool) -> usize {
    s.chars().take_while(|c| f(*c)).map(char::len_utf8).sum()
}

/// Byte length of the run of `f` characters ending `s`.
fn tail_len(s: &str, f: impl Fn(char) -> bool) -> usize {
    s.chars()
        .rev()
        .take_while(|c| f(*c))
        .map(char::len_utf8)
        .sum()
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Hiragana speaker names of a chat: a line opening on a name then `：`, or on
/// an optional role, a name and a time, or a role and a name between rules.
fn speakers(text: &str, l: &Lexis, out: &mut Vec<Hit>) {
    if memchr::memchr(b'\n', text.as_bytes()).is_none() {
        return;
    }
    let mut chat = None;
    let mut at = 0;
    for line in text.split('\n') {
        let line_at = at;
        at += line.len() + 1;
        let Some((pos, name, after)) = speaker_name(line) else {
            continue;
        };
        let chars = name.chars().count();
        let word = !l.given.contains(name) && l.common.contains(name);
        if !(2..=5).contains(&chars) || NOT_SPEAKERS.contains(&name) || word {
            continue;
        }
        let after_t = after.trim_start_matches([' ', '\u{3000}']);
        let slot = after.starts_with(['：', ':'])
            || after.len() > after_t.len()
                && (starts_with_time(after_t)
                    || after_t.starts_with("---")
                    || after_t.starts_with(['（', '(']));
        // A chat: two lines open on a speaker (a word then a colon, a time
        // after the first word, or a rule).
        if !slot
            || !*chat.get_or_insert_with(|| {
                text.split('\n').filter(|l| opens_on_speaker(l)).count() >= 2
            })
        {
            continue;
        }
        let start = line_at + pos;
        out.push(hit(
            start..start + name.len(),
            Kind::Person,
            "informal_speaker",
        ));
    }
}

/// The hiragana name opening `line` (after rules and an optional role and a
/// space): its offset, the name without a nickname ending, and what follows
/// the name and its ending.
fn speaker_name(line: &str) -> Option<(usize, &str, &str)> {
    let trimmed = line.trim_start_matches(['-', ' ', '\u{3000}']);
    let mut rest = trimmed;
    if !rest.starts_with(is_hira) {
        // An optional role before the name.
        let space = rest.find([' ', '\u{3000}']).filter(|i| *i <= 36)?;
        if !roles().contains(&rest[..space]) {
            return None;
        }
        rest = rest[space..].trim_start_matches([' ', '\u{3000}']);
    }
    let pos = line.len() - rest.len();
    let name_len = run_len(rest, is_hira);
    let mut name = &rest[..name_len];
    let mut after = &rest[name_len..];
    // A nickname ending glued to the name stays outside it.
    for e in NICK_ENDS {
        if let Some(n) = name.strip_suffix(e) {
            if n.chars().count() >= 2 {
                after = &rest[n.len()..];
                name = n;
                break;
            }
        }
    }
    for e in NICK_ENDS {
        if let Some(a) = after.strip_prefix(e) {
            after = a;
            break;
        }
    }
    Some((pos, name, after))
}

/// A line opening on a speaker: a short word then a colon, a time after the
/// first word, or a rule.
fn opens_on_speaker(raw: &str) -> bool {
    let line = raw.trim_start_matches(['-', ' ', '\u{3000}']);
    let head = line.split(['：', ':']).next().unwrap_or("");
    let colon = head.len() < line.len()
        && (1..=12).contains(&head.chars().count())
        && !head.contains(' ')
        && !head.starts_with(|c: char| c.is_ascii_digit());
    colon
        || raw.starts_with("---")
        || line
            .split_whitespace()
            .take(3)
            .skip(1)
            .any(starts_with_time)
}

/// Roles written before a speaker's name.
fn roles() -> &'static HashSet<&'static str> {
    static R: OnceLock<HashSet<&'static str>> = OnceLock::new();
    R.get_or_init(|| ROLES.split('|').chain(["サポート", "親方"]).collect())
}

/// A vendor named by a head and a business word before a person of it
/// (`まるよし商店の楢崎さん`, `北辰農機 の早瀬さん`): the head is a name when
/// it is a [`named_head`], and the person has a family name, no role.
fn vendor_of_person(text: &str, tail: Range<usize>, l: &Lexis, out: &mut Vec<Hit>) {
    let (at, end) = (tail.start, tail.end);
    let rest = text[end..].trim_start_matches([' ', '\u{3000}']);
    let Some(person) = rest.strip_prefix('の') else {
        return;
    };
    // の, a family name (no role, no common word), さん or 様.
    let name = run_len(person, |c| is_han_or_ke(c) || c == 'ノ');
    let (family, title) = person.split_at(name);
    let of_person = (1..=4).contains(&family.chars().count())
        && (title.starts_with("さん") || title.starts_with('様'))
        && !ROLES.split('|').any(|r| r == family)
        && (l.surnames.contains(family) || !l.common.contains(family));
    if !of_person {
        return;
    }
    let before = &text[..at];
    let head_of = |f: fn(char) -> bool| -> usize { tail_len(before, f) };
    let (h, k) = (head_of(is_hira), head_of(is_han_or_ke));
    let head_len = if h > 0 { h } else { k };
    let head = &before[before.len() - head_len..];
    let chars = head.chars().count();
    if !(2..=6).contains(&chars) {
        return;
    }
    if named_head(head, l) && !NOT_SPEAKERS.contains(&head) {
        out.push(hit(at - head_len..end, Kind::Org, "informal_vendor"));
    }
}

/// A vendor's head before its business word: no dictionary word, or a rare
/// one IPADIC also lists as a proper noun (大手, 地元 make phrases).
fn named_head(head: &str, l: &Lexis) -> bool {
    !l.common.contains(head) || l.named.contains(head)
}

/// The ideographic space's bytes, a searcher built once (`memmem::find_iter`
/// builds one per call, per text).
static IDEOGRAPHIC_SPACE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("\u{3000}".as_bytes()));

/// A kanji family name and a hiragana given name set apart by a space
/// (`白石 ゆかり`, `楢崎 まゆ`): the given name is one IPADIC lists, no
/// kana or kanji word goes on after it, and a family name that is also a
/// common word needs さん or です after the given name.
fn hiragana_given_names(text: &str, l: &Lexis, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    // Spaces, half or full width (E3 80 80), found by byte search.
    let spaces = memchr::memchr_iter(b' ', b)
        .map(|at| (at, 1))
        .chain(IDEOGRAPHIC_SPACE.find_iter(b).map(|at| (at, 3)));
    for (sp, width) in spaces {
        // Hiragana (U+3041..U+309F) opens with E3 81 or E3 82.
        if b.get(sp + width) != Some(&0xE3) || !matches!(b.get(sp + width + 1), Some(0x81 | 0x82)) {
            continue;
        }
        let c = &text[sp..sp + width];
        let before = &text[..sp];
        let fam: usize = tail_len(before, is_han_or_ke);
        let fam_chars = before[before.len() - fam..].chars().count();
        if !(1..=3).contains(&fam_chars) {
            continue;
        }
        let family = &before[before.len() - fam..];
        let after = &text[sp + c.len()..];
        let given: usize = run_len(after, is_hira);
        let mut name = &after[..given];
        let mut titled = false;
        // です, さん, 様 after the name belong to the sentence.
        for e in ["です", "さん", "さま", "ちゃん", "くん"] {
            if let Some(n) = name.strip_suffix(e) {
                name = n;
                titled = true;
                break;
            }
        }
        if !(2..=4).contains(&name.chars().count()) || !l.given.contains(name) {
            continue;
        }
        // A family name that is also a word (白樺, 今日) needs a title or
        // です after the given name, and nothing glued on (今日 あおい空 is
        // an adjective and a noun).
        let rest = &after[given..];
        let title = ["様", "氏", "殿", "先生"]
            .iter()
            .any(|t| rest.starts_with(t));
        let glued = rest.starts_with(|c| is_han(c) || is_kata(c)) && !title;
        let word = !l.surnames.contains(family) && l.common.contains(family);
        if word && (glued || !(titled || title)) || roles().contains(family) {
            continue;
        }
        let start = sp - fam;
        out.push(hit(
            start..sp + c.len() + name.len(),
            Kind::Person,
            "informal_given",
        ));
    }
}

/// A community body named by a coined head (`ひばり台自治会`, `すずらん町内会`):
/// hiragana or katakana in the head tell a name from a kind (地区自治会,
/// 地域の自治会).
fn community_body(text: &str, word: Range<usize>, out: &mut Vec<Hit>) {
    let before = &text[..word.start];
    let han = tail_len(before, |c| is_han(c) || is_kata(c));
    let kana = tail_len(&before[..before.len() - han], is_hira);
    let start = word.start - han - kana;
    let head = &text[start..word.start];
    let coined = head.chars().filter(|c| is_hira(*c) || is_kata(*c)).count() >= 2;
    // A head ending on a particle is a phrase (まちの自治会).
    let phrase = head.ends_with(['の', 'が', 'を', 'に', 'は', 'と', 'で', 'も']);
    if coined && !phrase && (2..=8).contains(&head.chars().count()) {
        out.push(hit(start..word.end, Kind::Org, "informal_community"));
    }
}

/// A periodical's title in brackets (`『月刊ほしぞら』`): one product.
fn periodical(text: &str, word: Range<usize>, out: &mut Vec<Hit>) {
    let open = &text[word.start..];
    let close = if open.starts_with('『') {
        '』'
    } else {
        '」'
    };
    let title_start = word.start + open.chars().next().map_or(0, char::len_utf8);
    let Some(len) = text[title_start..].find([close, '\n']) else {
        return;
    };
    // The periodical word alone (『週刊』) is no title.
    let named = text[word.end..title_start + len].chars().count() >= 2;
    if named && text[title_start + len..].starts_with(close) && len <= 60 {
        out.push(hit(
            title_start..title_start + len,
            Kind::Product,
            "informal_periodical",
        ));
    }
}
