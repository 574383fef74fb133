//! Parties named once, by the relation a clause gives them.
//!
//! A short kanji word the dictionary does not list as a common word is a
//! party, not a thing, when the clause makes it one: its staff act for it
//! (`X の担当者`, `X の窓口`), it sends or receives (`X からの依頼`,
//! `X に発注`), it is a side (`X 側`) or a market (`X 向け`). A common word
//! (営業の担当者, 本社からの依頼), a compound or derivation of common words
//! (経理部門の窓口), a place (大阪からの連絡), a role or department, or a
//! word with a deictic kanji (当社, 各社, 同社) is left alone. A bare family
//! or given name that sends or receives (`X から連絡`, `X に謝罪`) is a
//! person more often than a company: it is reported as a person.
//!
//! The same single mention shows a company or a facility in other ways,
//! handled here too: a Latin legal form glued to a name (`北斗情報HD`,
//! `…HLDGS`, `…Corp`, `…Co.,Ltd`; `G` only after a katakana name that is no
//! word of the trade), a label that says company before a bare name
//! (`仕入先：X`, `元請のX`: A社, never 担当者A), an inn after its kind
//! (`ホテル` + a kanji name), and, as pattern rules, a hiragana name before
//! a trade (`…左官`, `…会計`) or a house of care (`…整形外科`), a house of
//! care named by its area (`…台クリニック`, `…ヶ丘薬局`) and a kanji name
//! before a law or accounting office.
//!
//! Needs the dictionary: without it every unknown compound would look like
//! a name. Cost: one Aho-Corasick pass for every cue over each non-ASCII
//! text, then a look at the words next to each cue (+1.5 % of a steady
//! pass, BENCHMARKS.md "Fourteenth round").

use std::sync::OnceLock;

use super::persons::{compound_of_common, derived_of_common, Lexis};
use super::*;

/// How a marker casts the word before it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cast {
    /// Only an organisation has staff, sides and markets (の担当者, 側, 向け),
    /// and delivers, bills or takes orders (から納品, に発注).
    Org,
    /// A sender or receiver: an organisation, or a person when the word is
    /// a family or given name (から連絡, に謝罪). Goods and orders (から納品,
    /// に発注, に委託) go between organisations.
    Party,
}

/// Markers after a party, with how they cast it.
const MARKERS: &[(&str, Cast)] = &[
    ("の担当者", Cast::Org),
    ("の担当", Cast::Org),
    ("の窓口", Cast::Org),
    ("の営業", Cast::Org),
    ("のシステム部", Cast::Org),
    ("の情報システム部", Cast::Org),
    ("の購買", Cast::Org),
    ("の社員", Cast::Org),
    ("の皆様", Cast::Org),
    ("側の", Cast::Org),
    ("側で", Cast::Org),
    ("側に", Cast::Org),
    ("側へ", Cast::Org),
    ("側は", Cast::Org),
    ("側が", Cast::Org),
    ("側から", Cast::Org),
    ("側も", Cast::Org),
    ("側と", Cast::Org),
    ("向けの", Cast::Org),
    ("向けに", Cast::Org),
    ("との契約", Cast::Org),
    ("との取引", Cast::Org),
    ("の社長", Cast::Org),
    ("の代表", Cast::Org),
    ("の本社", Cast::Org),
    ("の工場", Cast::Org),
    ("の支店", Cast::Org),
    ("の営業所", Cast::Org),
    ("御中", Cast::Org),
    ("製の", Cast::Org),
    ("経由で", Cast::Org),
    ("経由の", Cast::Org),
    ("との打合せ", Cast::Org),
    ("との打ち合わせ", Cast::Org),
    ("と契約", Cast::Org),
    ("へ納品", Cast::Org),
    ("への納品", Cast::Org),
    ("へ発送", Cast::Org),
    ("への発送", Cast::Org),
    ("へ発注", Cast::Org),
    ("への発注", Cast::Org),
    ("への請求", Cast::Org),
    ("より納品", Cast::Org),
    ("より受注", Cast::Org),
    ("社の", Cast::Org),
    ("社が", Cast::Org),
    ("社は", Cast::Org),
    ("社に", Cast::Org),
    ("社と", Cast::Org),
    ("社から", Cast::Org),
    ("社へ", Cast::Org),
    ("社側", Cast::Org),
    ("社製", Cast::Org),
    ("社より", Cast::Org),
    ("社では", Cast::Org),
    ("より回答", Cast::Party),
    ("より連絡", Cast::Party),
    ("より依頼", Cast::Party),
    ("宛に", Cast::Party),
    ("宛て", Cast::Party),
    ("からの依頼", Cast::Party),
    ("から依頼", Cast::Party),
    ("からの連絡", Cast::Party),
    ("から連絡", Cast::Party),
    ("からの納品", Cast::Org),
    ("から納品", Cast::Org),
    ("からの回答", Cast::Party),
    ("から回答", Cast::Party),
    ("からの問い合わせ", Cast::Party),
    ("からの問合せ", Cast::Party),
    ("から問い合わせ", Cast::Party),
    ("からの請求", Cast::Org),
    ("からの指摘", Cast::Party),
    ("からの受注", Cast::Org),
    ("に謝罪", Cast::Party),
    ("に発注", Cast::Org),
    ("に委託", Cast::Org),
    ("に再委託", Cast::Org),
    ("に納品", Cast::Org),
    ("に請求", Cast::Org),
];

/// Kanji that make a word deictic or generic wherever they stand (当社,
/// 各社, 同社, 先方, 自社, 他社, 両社, 御社, 弊社, 貴社, 全社, 本社).
const DEICTIC: &str = "本各全同当弊貴御新旧第他自両先元前次諸某";

/// Kanji numerals and quantities that start a count or a degree.
const NUMERALS: &[char] = &[
    '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万', '数', '多', '半',
    '毎', '複', '単', '再',
];

/// Last kanji of a word that names a kind, role or part, not a party.
const KIND_ENDS: &[char] = &[
    '長', '課', '部', '室', '係', '科', '班', '局', '所', '店', '員', '者', '社', '院', '校', '団',
    '業', '務', '側', '内', '外', '中', '後', '前', '時', '日', '月', '年', '分', '件', '人', '名',
    '等', '達', '方', '先', '元', '用', '型', '系', '式', '化', '性', '的', '版', '書', '表', '票',
    '様', '殿', '宛', '会', '機', '器', '品', '物', '場', '網', '層', '群', '向', '製', '屋', '協',
    '運', '工', '道', '次', '番',
];

/// Business words after a hiragana name (しののめ左官, くすのき設備): the
/// shop or trade the name stands for, beyond the organisation words of
/// `hiragana_org`.
const HIRAGANA_TRADES: &str = "左官|設備|管理|会計|科学|事務機|書籍流通|流通|出版|不動産|住建|住設|塗装|建材|電器|造園|清掃|警備|土木|測量|設計|建築|写真館|園芸|農園|観光|総研|企画|工房|製パン|製麺|珈琲|書房|工芸|法律事務所|会計事務所|税理士事務所|事務所";

/// Houses of care and childhood that take the name of their area (若葉台
/// クリニック) or a hiragana word (こもれび整形外科).
const CARE_HOUSES: &str = "クリニック|歯科医院|歯科|医院|診療所|整形外科|心療内科|内科|眼科|皮膚科|小児科|耳鼻咽喉科|耳鼻科|動物病院|調剤薬局|薬局|保育園|幼稚園|こども園|整骨院|接骨院";

/// Last kanji of an area's name (…台, …ヶ丘, …浜).
const AREA_ENDS: &str = "台|丘|野|原|浜|坂|谷|沢|町|森|里|宮|橋|島|川|山|田|平|岡|瀬";

/// Labels whose value is a company whatever its name looks like (仕入先：X,
/// 元請のX): what follows is masked as a company (A社), not as a person.
const COMPANY_LABELS: &[&str] = &[
    "発注元",
    "委託元",
    "製造元",
    "販売元",
    "開発元",
    "提供元",
    "納入元",
    "保守業者",
    "仕入先",
    "元請",
    "元請け",
    "取引先",
    "委託先",
    "再委託先",
    "協力会社",
    "外注先",
    "発注先",
    "得意先",
    "購入先",
    "調達先",
    "納入業者",
    "下請",
    "下請け",
];

/// Latin legal forms glued to a kanji or katakana name (北斗情報HD).
const LATIN_FORMS: &[&str] = &[
    "G",
    "HD",
    "HLDGS",
    "Hldgs",
    "Corp.",
    "Corp",
    "Co.,Ltd.",
    "Co., Ltd.",
    "Co.",
    "Ltd.",
    "Inc.",
];

/// The rules of this module that a pattern can say alone.
pub(super) fn add_rules(add: &mut impl FnMut(String, Kind, &'static str, f32, Check)) {
    add(
        format!(r"(?P<n>[ぁ-ゖ]{{2,6}})(?:{HIRAGANA_TRADES})"),
        Kind::Org,
        "hiragana_trade",
        0.75,
        Check::HiraganaName,
    );
    // The houses `hiragana_org` does not already read as organisations
    // (クリニック, 歯科, 医院, 薬局 are its suffixes).
    add(
        r"(?P<n>[ぁ-ゖ]{2,6})(?:整形外科|心療内科|内科|眼科|皮膚科|小児科|耳鼻咽喉科|耳鼻科|動物病院|診療所|保育園|こども園|整骨院|接骨院)".into(),
        Kind::Facility,
        "hiragana_care_house",
        0.75,
        Check::HiraganaName,
    );
    add(
        format!(r"(?P<n>[\p{{Han}}ヶ々&&[^〇○某]]{{1,4}}(?:{AREA_ENDS}))(?:{CARE_HOUSES})"),
        Kind::Facility,
        "area_care_house",
        0.75,
        Check::KanjiKatakanaCompany,
    );
    add(
        format!(
            r"(?P<n>{H}{{2,8}})(?:法律事務所|特許事務所|会計事務所|税理士事務所|司法書士事務所|設計事務所)"
        ),
        Kind::Org,
        "kanji_office",
        0.75,
        Check::KanjiKatakanaCompany,
    );
}

impl Recognizers {
    /// See the module doc. One automaton pass finds every marker, label,
    /// legal form and inn word; each match is then looked at alone.
    pub(crate) fn scan_parties(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let (labels, forms) = (MARKERS.len(), MARKERS.len() + COMPANY_LABELS.len());
        let inns = forms + LATIN_FORMS.len();
        for m in cues().find_iter(text) {
            let id = m.pattern().as_usize();
            if id < labels {
                self.party_at(n, m.range(), MARKERS[id].1, l, out);
            } else if id < forms {
                self.company_label_at(n, m.end(), l, out);
            } else if id < inns {
                self.latin_form_at(n, m.range(), l, out);
            } else {
                self.named_inn_at(n, m.range(), l, out);
            }
        }
    }

    /// The kanji word before a relation marker at `m`.
    fn party_at(&self, n: &Normalized, m: Range<usize>, cast: Cast, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        // X の担当者A: a pseudonym's head, written by the engine.
        if text[m.end..].starts_with(|c: char| c.is_ascii_uppercase()) {
            return;
        }
        let run = han_run_before(text, m.start);
        if !(2..=4).contains(&text[run.clone()].chars().count()) {
            return;
        }
        // The whole word: not the kanji tail of a kana or Latin name,
        // which other rules see whole.
        if text[..run.start]
            .chars()
            .next_back()
            .is_some_and(|c| is_kata(c) || c.is_ascii_alphanumeric() || c == '・')
        {
            return;
        }
        let w = &text[run.clone()];
        let person = cast == Cast::Party && (l.surnames.contains(w) || l.given.contains(w));
        if !self.party_word(w, l, person) {
            return;
        }
        let kind = if person { Kind::Person } else { Kind::Org };
        // X社の: the company with its 社, so that A社 takes its place.
        let end = if text[m.start..].starts_with('社') {
            m.start + '社'.len_utf8()
        } else {
            run.end
        };
        push(out, n, run.start..end, kind, "relation_party", 0.7, 2);
    }

    /// An inn or hotel named by a kanji word after its kind (ホテル翠鳳閣,
    /// 旅館松籟): the kind and the name; a common word after the kind is
    /// what happens there (ホテル予約, 旅館業).
    fn named_inn_at(&self, n: &Normalized, m: Range<usize>, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let len = text[m.end..]
            .chars()
            .take_while(|c| is_han(*c))
            .map(char::len_utf8)
            .sum::<usize>();
        let w = &text[m.end..m.end + len];
        if (2..=4).contains(&w.chars().count())
            && self.named_word(w, l, true)
            && !w.ends_with(KIND_ENDS)
        {
            push(
                out,
                n,
                m.start..m.end + len,
                Kind::Facility,
                "named_inn",
                0.75,
                2,
            );
        }
    }

    /// A kanji or katakana name glued to a Latin legal form at `m`
    /// (北斗情報HD, ミズナラCorp): the name and the form, unless the name is
    /// a common word or IT vocabulary (内蔵HD is a disk).
    fn latin_form_at(&self, n: &Normalized, m: Range<usize>, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        if text[m.end..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return;
        }
        let start = m.start
            - text[..m.start]
                .chars()
                .rev()
                .take_while(|c| is_han(*c) || is_kata(*c) || *c == 'ヶ')
                .map(char::len_utf8)
                .sum::<usize>();
        let w = &text[start..m.start];
        // Only HD has another reading (a disk: 内蔵HD); Co., Ltd. and the
        // rest follow a company's name, common words or not.
        let ok = match &text[m.clone()] {
            "HD" => self.named_word(w, l, false) || compound_of_common(w, l),
            // G is a group of a company (テクノリンクG) or of a department
            // (運用G, インフラG): only a katakana name that is no word of
            // the trade stands for a company.
            "G" => {
                w.chars().all(|c| is_kata(c) || c == 'ー')
                    && w.chars().count() >= 4
                    && self.named_word(w, l, false)
                    && !l.native.contains(w)
            }
            _ => name_ok(w) && !self.is_role(w) && !w.chars().any(|c| DEICTIC.contains(c)),
        };
        if w.chars().count() >= 2 && ok {
            let end = m.end + legal_tail(&text[m.end..]);
            push(out, n, start..end, Kind::Org, "latin_form", 0.75, 2);
        }
    }

    /// The name after a label that says company (仕入先：X, 元請のX), the
    /// label ending at `end`: masked as a company, above a person or an
    /// unknown-name reading of it.
    fn company_label_at(&self, n: &Normalized, end: usize, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let rest = &text[end..];
        let Some(sep) = ["の", "：", ":", " ", "\u{3000}", "（", "("]
            .iter()
            .find(|s| rest.starts_with(*s))
        else {
            return;
        };
        let start = end + sep.len();
        let name = name_after(&text[start..]);
        let w = &text[start..start + name];
        // A company's pseudonym (A社, B2社) on a re-scan is anonymous.
        let pseudonym =
            w.starts_with(|c: char| c.is_ascii_uppercase()) && w.ends_with('社') && w.len() <= 5;
        // A Latin name is read whole by the Latin recognisers (`Foo
        // Systems`): a part of it masked here would leave the rest.
        let latin = w.contains(|c: char| c.is_ascii_alphabetic());
        if !pseudonym && !latin && w.chars().count() >= 2 && self.named_word(w, l, true) {
            push(
                out,
                n,
                start..start + name,
                Kind::Org,
                "company_label",
                0.75,
                3,
            );
        }
    }

    /// A name, not a word: no common word or compound of them, role,
    /// department, deictic word or IT vocabulary; no place unless `place_ok`
    /// (a label that says company makes a place's name a company's).
    fn named_word(&self, w: &str, l: &Lexis, place_ok: bool) -> bool {
        let kanji = w.chars().all(is_han_or_ke);
        if kanji {
            return (!l.common.contains(w) || l.named.contains(w))
                && !compound_of_common(w, l)
                && !derived_of_common(w, l)
                && !self.is_role(w)
                && (place_ok || !self.is_place_name(w))
                && !w.chars().any(|c| DEICTIC.contains(c))
                && name_ok(w);
        }
        let lower = w.to_ascii_lowercase();
        !self.vocab.contains(&lower)
            && !self.vocabulary_only(w)
            && !l.common.contains(w)
            && !self.ordinary_phrase(w, l)
            && !self.is_role(w)
            && name_ok(w)
    }

    /// A phrase of ordinary words in two scripts (テスト工程, サーバ移行):
    /// every kanji run a common word, every katakana or Latin run IT
    /// vocabulary.
    fn ordinary_phrase(&self, w: &str, l: &Lexis) -> bool {
        let runs = char_runs(w, is_han_or_ke);
        let kana = char_runs(w, |c| is_kata(c) || c.is_ascii_alphanumeric());
        !runs.is_empty()
            && !kana.is_empty()
            && runs.iter().all(|r| {
                let k = &w[r.clone()];
                l.common.contains(k) || compound_of_common(k, l)
            })
            && kana.iter().all(|r| {
                let k = &w[r.clone()];
                self.vocab.contains(&k.to_ascii_lowercase()) || self.vocabulary_only(k)
            })
    }

    /// A kanji word that can only be a name: no common word, compound or
    /// derivation of common words (unless it is a `person`'s name), place,
    /// role or deictic word.
    fn party_word(&self, w: &str, l: &Lexis, person: bool) -> bool {
        // The cheap tests on characters first: most words before a marker
        // (株式会社の, 当社の) fail them.
        if w.ends_with(KIND_ENDS)
            || w.chars().any(|c| DEICTIC.contains(c))
            // A count or a degree (二重に請求, 一括に発注) is no name.
            || w.starts_with(NUMERALS)
        {
            return false;
        }
        // A rare word the dictionary also knows as a name (北辰) is one here.
        let common = (l.common.contains(w) && !l.named.contains(w))
            || compound_of_common(w, l)
            || derived_of_common(w, l)
            || self.is_generic_word(w);
        (person || !common) && !self.is_place_name(w) && !self.is_role(w) && name_ok(w)
    }
}

/// Inn and hotel words before a name (ホテル翠鳳閣).
const INN_WORDS: &[&str] = &["ホテル", "旅館"];

/// Every cue of this module, in one automaton: markers, company labels,
/// Latin legal forms, inn words (in that order of pattern ids).
fn cues() -> &'static AhoCorasick {
    static C: OnceLock<AhoCorasick> = OnceLock::new();
    literals(
        &C,
        MARKERS
            .iter()
            .map(|(m, _)| *m)
            .chain(COMPANY_LABELS.iter().copied())
            .chain(LATIN_FORMS.iter().copied())
            .chain(INN_WORDS.iter().copied()),
    )
}

/// The automaton of `words` in `cell`, built on first use.
fn literals(
    cell: &'static OnceLock<AhoCorasick>,
    words: impl IntoIterator<Item = &'static str>,
) -> &'static AhoCorasick {
    cell.get_or_init(|| {
        // The words are compile-time literals: building cannot fail.
        #[allow(clippy::expect_used)]
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(words)
            .expect("literal automaton builds")
    })
}

/// Length in bytes of the name at the start of `s`: a run of kanji,
/// katakana and Latin letters, or a hiragana head and such a run
/// (あさひ電器); it ends at a particle, a space or punctuation.
fn name_after(s: &str) -> usize {
    let word =
        |c: char| is_han(c) || is_kata(c) || c == 'ヶ' || c.is_ascii_alphanumeric() || c == '&';
    let hira = is_hira;
    let head = if s.starts_with(hira) {
        s.chars()
            .take_while(|c| hira(*c))
            .map(char::len_utf8)
            .sum::<usize>()
    } else {
        0
    };
    let body = s[head..]
        .chars()
        .take_while(|c| word(*c))
        .map(char::len_utf8)
        .sum::<usize>();
    if head > 0 && body == 0 {
        return 0;
    }
    head + body
}

/// Length in bytes of the further legal forms at the start of `s` (the
/// `,Ltd` of `Co.,Ltd`, the ` Inc.` of `HD Inc.`), so none is left behind.
fn legal_tail(s: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = &s[at..];
        let gap = rest.len() - rest.trim_start_matches([',', '.', ' ']).len();
        let word = ["Limited", "Ltd", "Inc", "Corp", "LLC", "Co"]
            .iter()
            .find(|w| rest[gap..].starts_with(*w));
        let Some(w) = word else { break };
        let end = gap + w.len();
        if rest[end..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
            break;
        }
        at += end + usize::from(rest[end..].starts_with('.'));
    }
    at
}

/// The kanji run (with 々 and ヶ) that ends at `end`.
fn han_run_before(text: &str, end: usize) -> Range<usize> {
    let len = text[..end]
        .chars()
        .rev()
        .take_while(|c| is_han(*c) || *c == 'ヶ')
        .map(char::len_utf8)
        .sum::<usize>();
    end - len..end
}
