//! Names found by the layout of a form, a post or a chat rather than by a word
//! beside them:
//!
//! - an inline label that names who did something, a colon, then the people
//!   (`（記入：濱田）`, `作業者：A / B`): the value is read as a people field;
//! - a reply's speaker after its label, with a title or not, before the quote
//!   (`└ 返信: タヌキ隊長 「…」`);
//! - the speakers of a chat whose lines are `speaker: message` and where at
//!   least one speaker is a user id (`neko_ops:`): every other speaker there
//!   is a person too, even a common word used as a nickname (`親分:`);
//! - named facilities whose name holds hiragana (`ひばり生産センター`,
//!   `陽だまり荘`), which the kanji/katakana facility rule cannot see;
//! - a nickname quoted after 通称 or 愛称 (`通称「鉄人」こと …`);
//! - a katakana name that sends a notice or has a side (`Xから障害連絡`,
//!   `X側`), even one made of two vocabulary words;
//! - a product name after its label (`製品名：`, `国内名`, `Product:`);
//! - a nickname or handle just before a bracketed person (`まめお（氏家 拓真）`,
//!   `ケン坊（本名 五味）`): the same person.

use super::checks::FUNCTION_WORDS;
use super::persons::Lexis;
use super::prefilter::captures_if;
use super::*;
use crate::dict::WordSet;

/// Inline labels (besides the people-field keys of `persons.rs`) after which
/// a colon introduces the people who did the act.
const PEOPLE_LABELS: &[&str] = &[
    "記入",
    "作成",
    "確認印",
    "点検者",
    "点検",
    "投稿者",
    "投稿",
    "起票",
    "立会",
    "立会い",
    "作業員",
    "当番",
    "夜勤",
    "日勤",
    "早番",
    "遅番",
    "出席",
    "出席者",
    "参加",
    "参加者",
    "入力者",
    "記録",
    "書き手",
    "聞き手",
    "話者",
    "発言者",
    "欠席",
    "記",
    // Trailers of a commit message name the people of the change.
    "Reviewed-by",
    "Co-authored-by",
    "Signed-off-by",
    "Acked-by",
    "Tested-by",
    "Reported-by",
    "Suggested-by",
    "Helped-by",
    // Ticket exports: who owns, reports, reviews or approves an issue.
    "assignee",
    "Assignee",
    "reporter",
    "Reporter",
    "owner",
    "Owner",
    "reviewer",
    "Reviewer",
    "approver",
    "Approver",
    // Copy lines of a mail header.
    "Cc",
    "CC",
    "cc",
    "Bcc",
    "BCC",
];

/// Work steps of a sign-off line (`作業: X、確認: Y`): weak labels, whose
/// value may also be a status or a method.
const WORK_STEP_LABELS: &[&str] = &[
    "作業", "確認", "承認", "点検", "検印", "立会", "起票", "報告",
];

/// Labels of a form that name who wrote, checked or stamped it, strong
/// enough to hold names after a space or a table bar as well as a colon.
const FORM_LABELS: &[&str] = &[
    "記入者",
    "記入",
    "確認者",
    "確認印",
    "点検者",
    "作成者",
    "承認者",
    "起票者",
    "立会者",
    "作業者",
    "報告者",
    "入力者",
    "本名",
    "旧姓",
];

/// Values of a form's label that say how it stands, not who did it.
pub(super) const STATUS_WORDS: &[&str] = &[
    "済",
    "済み",
    "未",
    "未了",
    "完了",
    "了",
    "可",
    "否",
    "有",
    "無",
    "要",
    "不要",
    "なし",
    "無し",
    "あり",
    "有り",
    "実施",
    "実施済",
    "対応済",
    "確認済",
    "OK",
    "NG",
    "-",
    "ー",
    "―",
    "なし。",
];

/// What a people cell holds when it holds no one: absence, attendance and
/// progress values (担当者：不在, 承認者：未定, 確認者：対応中).
const NO_ONE: &[&str] = &[
    "未定",
    "不在",
    "不明",
    "保留",
    "欠席",
    "出席",
    "欠勤",
    "休暇",
    "休み",
    "不参加",
    "未着手",
    "未対応",
    "未確認",
    "未実施",
    "未記入",
    "未割当",
    "対応中",
    "確認中",
    "調査中",
    "調整中",
    "検討中",
    "手配中",
    "全員",
    "本人",
    "同上",
    "同左",
    "各位",
];

/// A status value, never a person, whichever rule found it: a listed
/// status or absence word, or a common word ending in 済/済み (報告済み);
/// a family name is no common word, so 中村済 would stay a name.
pub(crate) fn is_status_value(w: &str, common: Option<&WordSet>) -> bool {
    let w = w.trim();
    let done = w.strip_suffix("済み").or_else(|| w.strip_suffix('済'));
    STATUS_WORDS.contains(&w)
        || NO_ONE.contains(&w)
        || done.is_some_and(|head| {
            head.chars().count() >= 2 && common.is_some_and(|c| c.contains(head))
        })
}

/// Words that stand before a colon at a line's start as a label, not a
/// speaker, even in a chat.
pub(super) const LINE_LABELS: &[&str] = &[
    "原因",
    "対応",
    "経過",
    "結果",
    "備考",
    "影響",
    "概要",
    "件名",
    "日時",
    "場所",
    "内容",
    "対策",
    "状況",
    "時刻",
    "発生",
    "復旧",
    "補足",
    "注意",
    "理由",
    "目的",
    "報告",
    "連絡",
    "要望",
    "質問",
    "回答",
    "確認",
    "手順",
    "作業",
    "課題",
    "問題",
    "現象",
    "事象",
    "期限",
    "予定",
    "以上",
    "参考",
    "結論",
    "決定",
    "宿題",
    "議題",
    "所感",
    "感想",
    "追記",
    "訂正",
    "お知らせ",
    "まとめ",
    "メモ",
    "ログ",
    "エラー",
    "ステータス",
    "タイトル",
    "リンク",
    "ソース",
    "コメント",
    "返信",
];

/// Facility words after a name holding hiragana.
const KANA_FACILITY: &str = "(?:生産|研究|技術|研修|物流|配送|医療|福祉|介護|交流)センター|研究所|荘|苑|寮|会館|の郷|の里|の家|ハウス|ホーム|分室|分館|出張所";

/// The compiled patterns of this module.
pub(crate) struct LabelRules {
    /// A reply's label, a colon, a name (a title after it or not) before 「.
    reply_speaker: Regex,
    /// A name with hiragana before a facility word.
    kana_facility: Regex,
    /// A product or service name after its label (製品名：, 国内名, Product:).
    product_label: Regex,
    /// A nickname quoted after 通称, 愛称, あだ名 (`通称「鉄人」`).
    quoted_nickname: Regex,
    /// A katakana name that sends a notice or has a side (`Xから障害連絡`,
    /// `X側`): a company, even when made of two vocabulary words.
    katakana_sender: Regex,
    /// [`FORM_LABELS`], longest first at a place.
    form_labels: AhoCorasick,
    pub(super) prefilter: Prefilter,
}

impl LabelRules {
    pub(crate) fn new() -> Self {
        let reply_speaker = rx(
            r"(?m)^[^\n「:：]{0,16}[:：][ \u{3000}]*(?P<n>[ぁ-ゖァ-ヺー\p{Han}々]{2,10}?)(?P<t>先輩|隊長|番長|親分|さん|ちゃん|くん|先生|氏)?[ \u{3000}]?「",
        );
        let kana_facility = rx(&format!(
            r"(?P<n>[ぁ-ゖァ-ヺー\p{{Han}}々]{{2,8}}?)(?:{KANA_FACILITY})"
        ));
        let product_label = rx(
            // A Latin label is a word of its own: Production is no label (Product) + a name (ion).
            r"(?:(?:国内名|製品名|商品名|サービス名|旧製品名|正式名称)[ \u{3000}]*[:：]?|(?:Product|Service)(?:[ \u{3000}]*[:：]|[ \u{3000}]))[ \u{3000}]*(?P<n>[ァ-ヺー・A-Za-z][ァ-ヺー・A-Za-z0-9]{1,23})",
        );
        let quoted_nickname = rx(
            r"(?:通称|愛称|あだ名|呼び名|ニックネーム)[はがも]?[「『](?P<n>[^」』\n]{1,12})[」』]",
        );
        let katakana_sender = rx(
            r"(?P<n>[ァ-ヺー]{4,16})(?:側|から(?:の)?(?:障害|緊急)?(?:連絡|通知|報告|回答|案内|告知|メール|電話))",
        );
        let prefilter = Prefilter::new([
            reply_speaker.as_str(),
            kana_facility.as_str(),
            product_label.as_str(),
            quoted_nickname.as_str(),
            katakana_sender.as_str(),
        ]);
        #[allow(clippy::expect_used)] // built-in strings: exercised by every test
        let form_labels = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(FORM_LABELS)
            .expect("the form labels are plain strings");
        LabelRules {
            form_labels,
            katakana_sender,
            quoted_nickname,
            reply_speaker,
            kana_facility,
            product_label,
            prefilter,
        }
    }
}

/// Where a name may start after the last kanji word + particle in `w`
/// (会場は|ふれあい → 8 bytes in); `None` without one.
fn kanji_particle_end(w: &str) -> Option<usize> {
    let mut cut = None;
    let mut prev: Option<char> = None;
    for (i, c) in w.char_indices() {
        // Not after の or と: the list this read before the lists were
        // merged had neither, and outputs stay as they were.
        let particle = PARTICLES.contains(&c) && !matches!(c, 'の' | 'と');
        if prev.is_some_and(is_han) && particle && i + c.len_utf8() < w.len() {
            cut = Some(i + c.len_utf8());
        }
        prev = Some(c);
    }
    cut
}

/// A kanji word with the kana of a verb after it (新設された, 改修する): a
/// phrase, not a name.
fn inflected(w: &str) -> bool {
    let Some(k) = w.rfind(|c: char| is_han(c) || c == '々') else {
        return false;
    };
    let tail = &w[k..].trim_start_matches(|c: char| is_han(c) || c == '々');
    !tail.is_empty() && tail.chars().all(is_hira) && tail.ends_with(['た', 'る', 'て'])
}

impl Recognizers {
    /// See the module doc (all but the nicknames before a bracketed person,
    /// [`Self::aliases_of_persons`]).
    pub(crate) fn scan_labels(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        // Every rule here wants a kana or kanji.
        if text.is_ascii() {
            return;
        }
        self.inline_people(n, lexis, out);
        if text.contains([':', '：']) && text.contains('\n') {
            self.chat_speakers(n, lexis, out);
        }
        let r = &self.labels;
        let can = self.prefilters.of(n, Group::Labels);
        for caps in captures_if(can[0], &r.reply_speaker, text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str();
            // A title makes even a word a nickname (タヌキ隊長).
            let titled = caps
                .name("t")
                .is_some_and(|t| !t.as_str().starts_with('さ'));
            let ok = !self.is_role(w)
                && !LINE_LABELS.contains(&w)
                && name_ok(w)
                && (titled && self.nickname_ok(w) || self.reply_name(w, lexis));
            if ok {
                push(out, n, name.range(), Kind::Person, "person_speaker", 0.8, 2);
            }
        }
        for caps in captures_if(can[1], &r.kana_facility, text) {
            let Some(name) = caps.name("n") else { continue };
            // The lazy name starts at the leftmost place it can: the words of
            // the sentence before a name (会場は|ふれあい会館) are no part of it.
            let (start, after_particle) = match kanji_particle_end(name.as_str()) {
                Some(cut) => (name.start() + cut, true),
                None => (name.start(), false),
            };
            let w = &text[start..name.end()];
            let before = text[..start].chars().next_back();
            let bounded = after_particle
                || before.is_none_or(|c| c.is_whitespace() || "（(「『【[・、,:：/".contains(c));
            let hira = w.chars().any(is_hira);
            if bounded
                && hira
                && !w.starts_with(['お', 'ご', 'こ', 'そ', 'あ', 'ど'])
                && !FUNCTION_WORDS.contains(&w)
                && !w.ends_with(['の', 'が', 'は', 'を', 'に', 'で', 'と', 'も', 'へ'])
                && !inflected(w)
                && name_ok(w)
            {
                let end = caps.get(0).map_or(name.end(), |m| m.end());
                push(out, n, start..end, Kind::Facility, "facility_kana", 0.8, 2);
            }
        }
        for caps in captures_if(can[2], &r.product_label, text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str().trim_end_matches(['・', 'ー']);
            // After its label even two vocabulary words are a name.
            // (name_ok would refuse a katakana name led by a generic word.)
            if w.chars().count() >= 2 && !self.vocab.contains(&w.to_ascii_lowercase()) {
                let r = name.start()..name.start() + w.len();
                push(out, n, r, Kind::Product, "product_label", 0.8, 2);
            }
        }
        for caps in captures_if(can[4], &r.katakana_sender, text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str();
            let glued = text[..name.start()].ends_with(|c: char| is_kata(c) || c == 'ー');
            if !glued
                && !self.vocab.contains(w)
                && lexis.is_some_and(|l| !l.common.contains(w))
                && !self.is_role(w)
                && name_ok(w)
            {
                push(out, n, name.range(), Kind::Org, "org_sender", 0.75, 2);
            }
        }
        for caps in captures_if(can[3], &r.quoted_nickname, text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str().trim();
            let w = w.strip_suffix("さん").unwrap_or(w);
            if !w.is_empty() && name_ok(w) && !w.contains(['[', ']']) {
                let r = name.start()..name.start() + w.len();
                push(out, n, r, Kind::Person, "person_nickname", 0.8, 2);
            }
        }
    }

    /// A label's value that is a status, not a name: 済, 未, 有, なし, or a
    /// lone kanji no family name is made of.
    fn status_value(&self, value: &str, lexis: Option<&Lexis>) -> bool {
        let v = value.trim();
        STATUS_WORDS.contains(&v)
            || (v.chars().count() == 1 && v.chars().all(is_han) && !self.one_kanji_name(v, lexis))
    }

    /// A kana or kanji word usable as a nickname: not a role, a vocabulary
    /// word or a function word.
    fn nickname_ok(&self, w: &str) -> bool {
        !self.is_role(w)
            && !self.vocab.contains(&w.to_ascii_lowercase())
            && !self.vocabulary_only(w)
            && !FUNCTION_WORDS.contains(&w)
    }

    /// A reply's speaker without a title: a family name, a given name, or
    /// an unknown kana/kanji word.
    fn reply_name(&self, w: &str, lexis: Option<&Lexis>) -> bool {
        let Some(l) = lexis else { return false };
        let standard: String = w.chars().map(crate::normalize::standard_form).collect();
        (l.surnames.contains(&standard) || l.given.contains(w) || !l.common.contains(w))
            && self.nickname_ok(w)
    }

    /// `label：people` inside a line, and `label people` / `label | people |`
    /// in a form (see the module doc).
    fn inline_people(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        // A strong label, a space or a table bar, then names up to the next
        // bar, slash or comma (記入 A / 確認 B, 記入者 | A |).
        // One pass of the labels' automaton (the longest label at a place:
        // 記入者, not 記入).
        for m in self.labels.form_labels.find_iter(text) {
            let (at, key_end) = (m.start(), m.end());
            let glued_before = text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| !(c.is_whitespace() || "（(【[「、,/・|".contains(c)));
            let rest = &text[key_end..];
            let sep = rest.len() - rest.trim_start_matches([' ', '\u{3000}', '|']).len();
            if glued_before || sep == 0 {
                continue;
            }
            let from = key_end + sep;
            let rest = &text[from..];
            let len = rest
                .char_indices()
                .find(|(_, c)| "\n。）)「」|/、,".contains(*c))
                .map_or(rest.len(), |(i, _)| i);
            // Across a table bar, a common word is the next header cell
            // (| 記入 | 内容 |), not the writer.
            let value = rest[..len].trim();
            let header_cell = text[key_end..from].contains('|')
                && lexis.is_some_and(|l| l.common.contains(value) && !l.surnames.contains(value));
            if rest[..len].chars().count() <= 20
                && !header_cell
                && !self.status_value(&rest[..len], lexis)
            {
                self.person_values(n, from..from + len, lexis, out);
            }
        }
        if !text.contains([':', '：']) {
            return;
        }
        for (at, colon) in text.match_indices([':', '：']) {
            let head = &text[..at];
            let key_start = head
                .char_indices()
                .rev()
                .take_while(|(_, c)| !(c.is_whitespace() || "（(【[「、,/・|".contains(*c)))
                .last()
                .map_or(at, |(i, _)| i);
            let key = head[key_start..].trim();
            if WORK_STEP_LABELS.contains(&key) {
                self.work_step_signer(n, at + colon.len(), lexis, out);
                continue;
            }
            if key.is_empty() || !(PEOPLE_LABELS.contains(&key) || is_japanese_person_key(key)) {
                continue;
            }
            let from = at + colon.len();
            let rest = &text[from..];
            let len = rest
                .char_indices()
                .find(|(_, c)| "\n。）)「」|".contains(*c))
                .map_or(rest.len(), |(i, _)| i);
            // A list of people, not a sentence nor a status (記入：済).
            if rest[..len].chars().count() > 30 || self.status_value(&rest[..len], lexis) {
                continue;
            }
            self.person_values(n, from..from + len, lexis, out);
        }
    }

    /// A family name alone after a work step's colon (`作業: 金子、確認: 森`):
    /// the label may hold a status or a method (確認: 済, 確認: 目視), so
    /// only a word the dictionary lists as a family name, closed by a comma,
    /// a slash, a bracket or the line's end, is the one who did the step.
    fn work_step_signer(
        &self,
        n: &Normalized,
        from: usize,
        lexis: Option<&Lexis>,
        out: &mut Vec<Hit>,
    ) {
        let Some(l) = lexis else { return };
        let text = n.text.as_str();
        let rest = &text[from..];
        let start = from + rest.len() - rest.trim_start_matches([' ', '\u{3000}']).len();
        let word: usize = text[start..]
            .chars()
            .take_while(|c| is_han(*c))
            .map(char::len_utf8)
            .sum();
        let w = &text[start..start + word];
        let closed = text[start + word..]
            .chars()
            .next()
            .is_none_or(|c| "\n、,/（( 　|".contains(c));
        if closed && (1..=3).contains(&w.chars().count()) && l.surnames.contains(w) {
            push(
                out,
                n,
                start..start + word,
                Kind::Person,
                "person_work_step",
                0.8,
                2,
            );
        }
    }

    /// The speakers of a `speaker: message` chat with at least one user id.
    fn chat_speakers(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let mut speakers: Vec<Range<usize>> = Vec::new();
        for (lead, body) in line_bodies(text) {
            let Some(colon) = body.find([':', '：']) else {
                continue;
            };
            let w = &body[..colon];
            let after = &body[colon..];
            let spaced = after
                .chars()
                .nth(1)
                .is_some_and(|c| c == ' ' || c == '\u{3000}');
            if (1..=16).contains(&w.chars().count()) && !w.contains(char::is_whitespace) && spaced {
                speakers.push(lead..lead + colon);
            }
        }
        let handle = |w: &str| {
            w.len() >= 3
                && w.starts_with(|c: char| c.is_ascii_lowercase())
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
                && w.contains(|c: char| c.is_ascii_digit() || "._-".contains(c))
        };
        if speakers.len() < 3 || !speakers.iter().any(|r| handle(&text[r.clone()])) {
            return;
        }
        for r in speakers {
            let w = &text[r.clone()];
            let kana_kanji = w
                .chars()
                .all(|c| is_han(c) || is_kata(c) || c == 'ー' || is_hira(c));
            if kana_kanji
                && (2..=8).contains(&w.chars().count())
                && !LINE_LABELS.contains(&w)
                && name_ok(w)
                && self.nickname_ok(w)
                && lexis.is_none_or(|l| !l.common.contains(w) || w.chars().all(is_han))
            {
                push(out, n, r, Kind::Person, "person_speaker", 0.8, 2);
            }
        }
    }

    /// A nickname or handle just before a bracketed person (`まめお（氏家
    /// 拓真）`, `ジョー（本名 城山）`): the same person. `hits` are byte
    /// ranges of `text`.
    pub(crate) fn aliases_of_persons(
        &self,
        text: &str,
        lexis: Option<&Lexis>,
        hits: &mut Vec<Hit>,
    ) {
        const REAL_NAME: [&str; 5] = ["本名", "通称", "旧姓", "愛称", "氏名"];
        let mut found = Vec::new();
        for h in hits
            .iter()
            .filter(|h| h.kind == Kind::Person && h.deny.is_none())
        {
            let mut before = text[..h.range.start].trim_end_matches([' ', '\u{3000}']);
            for w in REAL_NAME {
                if let Some(b) = before.strip_suffix(w) {
                    before = b;
                    break;
                }
            }
            let Some(open) = before.strip_suffix(['（', '(']) else {
                continue;
            };
            // The bracket holds the person only (a given name at most), and
            // no other finding covers it (a car plate starting with a place).
            let rest = &text[h.range.end..];
            let close = rest.find(['）', ')']);
            let covered = hits.iter().any(|o| {
                o.kind != Kind::Person
                    && o.range.start <= h.range.start
                    && h.range.end <= o.range.end
            });
            if covered
                || close.is_none_or(|c| {
                    c > 24
                        || rest[..c]
                            .contains(|ch: char| "（(\n".contains(ch) || ch.is_ascii_digit())
                })
            {
                continue;
            }
            let alias_start = open
                .char_indices()
                .rev()
                .take_while(|(_, c)| {
                    is_han(*c)
                        || is_kata(*c)
                        || *c == 'ー'
                        || is_hira(*c)
                        || c.is_ascii_alphanumeric()
                        || "._".contains(*c)
                })
                .last()
                .map_or(open.len(), |(i, _)| i);
            let alias = &open[alias_start..];
            let count = alias.chars().count();
            if !(2..=12).contains(&count)
                || alias.chars().all(|c| c.is_ascii_digit())
                || self.is_role(alias)
                || self.is_role_word(alias)
                || super::checks::DEPARTMENT_WORDS.contains(&alias)
                || is_japanese_person_key(alias)
                || PEOPLE_LABELS.contains(&alias)
                || alias.ends_with(DEPT_ENDINGS)
                || self.vocab.contains(&alias.to_ascii_lowercase())
                || self.vocabulary_only(alias)
                // Kanji common words name a thing, not a person (警報（X→Y）,
                // 障害対応（X）).
                || alias.chars().all(is_han)
                    && lexis.is_some_and(|l| {
                        super::word_break(alias, 0, |p, _| l.common.contains(p).then_some(0))
                    })
                || !name_ok(alias)
                // A kanji word and a particle is a phrase (紛失は（X先生）).
                || (alias.starts_with(is_han)
                    // (Not の or や: the list this read before had neither.)
                    && alias.ends_with(|c| PARTICLES.contains(&c) && !matches!(c, 'の' | 'や')))
            {
                continue;
            }
            let range = alias_start..alias_start + alias.len();
            if hits
                .iter()
                .any(|o| o.range.start < range.end && range.start < o.range.end)
            {
                continue;
            }
            found.push(range);
        }
        for range in found {
            hits.push(Hit {
                range,
                kind: Kind::Person,
                rule: "person_alias",
                score: 0.8,
                deny: None,
                dict: false,
                prio: 2,
            });
        }
    }
}

/// Endings of a department, a company or a place before a bracket: no
/// nickname (`総務課（山田）`).
const DEPT_ENDINGS: &[char] = &[
    '課', '部', '室', '係', '班', '社', '店', '局', '所', '院', '校', '科', '組', '会', '庁', '署',
    '館', '県', '市', '町', '村', '区',
];

/// A people-field key written in Japanese (担当者, 報告者 …).
fn is_japanese_person_key(key: &str) -> bool {
    !key.is_ascii() && super::persons::is_person_key(key)
}
