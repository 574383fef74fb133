//! Person names with no cue word beside them, found by where they stand:
//!
//! - the agent of an action in a narrative (「堀が手動で再転送し」,
//!   「権藤から泉に連絡の指示」): a family name before が/は/も/から/より/に whose
//!   clause goes on to a verb of incident work (検知, 報告, 再起動 …). A one-kanji
//!   family name (林, 森, 堀) is also a common word, so it counts only there;
//! - the speaker of a chat or quoted line: after the line's time stamp (in
//!   brackets or bare, `午後6:03 X:`) and
//!   before its colon (`[14:02] たっつん:`) or, in a chat exported as
//!   tab-separated cells, before the tab of its message (`10:02\tX@店名\t…`),
//!   or at the line's start before 「;
//! - a kana nickname or given name before ちゃん, くん, さん (`まいちゃん`,
//!   `あやねさん`) and a kanji one before ちゃん or くん;
//! - a speaker of minutes before a colon at a line's start (`寒川：`), when
//!   a family name that is no common word; a katakana name after a role
//!   (`乗務員 ザイド`);
//! - a kanji name before its department or employer in brackets
//!   (`齋藤(住民課)`, `濱口(委託 X社)`);
//! - a line holding only a name (a message's sign-off, `— 晴海`);
//! - the cells of a table column whose header names people (`担当`, `対応者`,
//!   `operator` in a tab-, comma- or bar-separated (Markdown) table), read as a field that
//!   holds people, and of a column whose header names an id (`uid`,
//!   `カード番号`), masked as identifiers;
//! - the name of a calendar entry's attendee or an address card
//!   (`CN=…:mailto:`, `FN:…`).

use super::persons::{
    compound_of_common, derived_of_common, is_person_key, Lexis, DEPT_SUFFIX, ROLES,
};
use super::prefilter::captures_if;
use super::*;
use crate::normalize::standard_form;

/// Verbs and verbal nouns of incident work: what a person (not a system)
/// does in a report. The agent rule wants one in the name's clause.
pub(super) const ACTS: &str = "担当|行っ|行い|検知|確認|対応|報告|連絡|再起動|復旧|調査|依頼|指示|承認|切替|切り替え|切り戻|移行|実施|作業|修正|判断|更新|交換|設定|回答|説明|提示|案内|共有|対処|復元|手配|起票|相談|周知|通知|連携|再送|再開|特定|解析|分析|適用|送付|提出|受付|入力|登録|取消|追加|変更|転送|電話|メール|訪問|来訪|来社|来校|指摘|要請|問い合わせ|問合せ|謝罪|判定|決定|承諾|了承|調整|再実行|再投入|投入|復帰|回復|検証|点検|巡回|監視|記録|記入|集計|通報|エスカレ|引き継|引継|参加|出席|欠席|同席|同行|休み|休暇|不在|欠勤|出張|代行|協議|出社|退社|帰宅|退職|異動|着任";

/// True when `w` starts with one of [`ACTS`]: each prefix of `w` asked of
/// a set, not the list scanned.
pub(super) fn starts_with_act(w: &str) -> bool {
    static SET: std::sync::LazyLock<Affixes> = std::sync::LazyLock::new(|| Affixes::new(ACTS));
    SET.starts(w)
}

/// Acts only a person does: enough for a family name that is also a common
/// word (森, 堀, 高木), which a system or a place cannot be the agent of.
const PERSON_ACTS: &[&str] = &[
    "担当",
    "検知",
    "確認",
    "対応",
    "報告",
    "連絡",
    "調査",
    "依頼",
    "指示",
    "承認",
    "判断",
    "回答",
    "説明",
    "提示",
    "案内",
    "共有",
    "対処",
    "手配",
    "起票",
    "相談",
    "周知",
    "電話",
    "メール",
    "訪問",
    "来訪",
    "来社",
    "来校",
    "指摘",
    "要請",
    "問い合わせ",
    "問合せ",
    "謝罪",
    "判定",
    "決定",
    "承諾",
    "了承",
    "調整",
    "検証",
    "点検",
    "巡回",
    "記録",
    "記入",
    "通報",
    "エスカレ",
    "引き継",
    "引継",
    "作業",
    "再起動",
    "修正",
    "交換",
    "復元",
    "再確認",
    "戻し",
    "戻した",
    "更新し",
    "更新した",
    "実施し",
    "実施した",
    "移行し",
    "移行した",
    "適用し",
    "適用した",
    "参加",
    "出席",
    "欠席",
    "同席",
    "同行",
    // States and moves only a person has (a system is never on leave).
    "休み",
    "休暇",
    "不在",
    "欠勤",
    "出張",
    "代行",
    "協議",
    "出社",
    "退社",
    "帰宅",
    "退職",
    "異動",
    "着任",
];

/// True when an act only a person does comes within the first 30
/// characters of `rest`'s sentence.
pub(super) fn person_act_ahead(rest: &str) -> bool {
    let sentence = sentence_ahead(rest);
    match acts_automaton() {
        // Any act anywhere in the sentence: one pass, not a search per act.
        Some(ac) => ac.is_match(sentence),
        None => PERSON_ACTS.iter().any(|a| sentence.contains(a)),
    }
}

/// The first 30 characters of `rest`'s sentence (up to 。 or a line end).
fn sentence_ahead(rest: &str) -> &str {
    let sentence = &rest[..rest.find(['。', '\n']).unwrap_or(rest.len())];
    &sentence[..sentence
        .char_indices()
        .nth(30)
        .map_or(sentence.len(), |(i, _)| i)]
}

/// One-kanji words that stand as the subject of a report's sentence and are
/// listed as family names too: never a person on their own.
const SINGLE_NOT_NAME: &str = "国県市町村区都府道郡局社店課部係班室院校園会団省庁署所館駅港私僕俺彼誰皆方側先上下前後今次他各本元現旧新主副両全半何母父妻夫兄姉弟妹子客者人氏様当同弊貴御我自此其該右左中内外東西南北表裏奥横端底頂口門窓壁床棚箱網鍵線柱針板紙布糸水火土木金石山川海空雨雪風電車船器機具品物家宅丁円和間米財陸長標棒欲眠研祝祭銭鏡鐘音響薄袋衣縫毛牛馬盛登勝勇朝昼夜晩夕春夏秋冬年月日時週件点際例数量額値型版案策";

/// Hiragana words before さん/ちゃん/くん that are not names (みなさん, お客さん).
const KANA_NOT_NAME: &[&str] = &[
    "みな",
    "みんな",
    "あか",
    "だれ",
    "どなた",
    "あなた",
    "おまえ",
    "こども",
    "ぼっ",
    "じい",
    "ばあ",
    "にい",
    "ねえ",
    "かあ",
    "とう",
    "おじ",
    "おば",
];

/// Whether `text` holds a certificate's or a vCard's name field (`CN=`,
/// `FN:`): asked of every text, so one byte search for their `N`, not two
/// substring searches each set up per text.
fn has_card_name_field(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'N', b).any(|i| {
        matches!(
            (i.checked_sub(1).map(|j| b[j]), b.get(i + 1)),
            (Some(b'C'), Some(b'=')) | (Some(b'F'), Some(b':'))
        )
    })
}

/// A character that can start the agent's name (`[\p{Han}ヶ々]` but for
/// 〇○某): a superset, cheap to test; the anchored pattern decides.
fn may_start_name(c: char) -> bool {
    c == 'ヶ' || ('\u{2E80}'..='\u{303B}').contains(&c) || c >= '\u{3400}'
}

/// The compiled slot patterns.
pub(crate) struct SlotRules {
    /// A kanji word, a particle, a clause that reaches an act.
    agent: Regex,
    /// `agent` anchored at the start of the haystack: run only where a
    /// cheap check says a match can start.
    agent_at: Regex,
    /// The speaker after a chat line's time stamp, before a colon.
    speaker: Regex,
    /// A speaker at the start of a line before 「.
    quote_speaker: Regex,
    /// A kana or kanji name before ちゃん, くん, さん; one kanji before 先生.
    nickname: Regex,
    /// A kanji name before its department in brackets (齋藤(住民課)).
    affiliated: Regex,
    /// A speaker of minutes at the start of a line before a colon (寒川：).
    minutes_speaker: Regex,
    /// A katakana name after a role and a space (乗務員 ザイド).
    role_katakana: Regex,
    pub(super) prefilter: Prefilter,
}

impl SlotRules {
    pub(crate) fn new() -> Self {
        let agent = format!(
            r"(?P<n>[\p{{Han}}ヶ々&&[^〇○某]]{{1,4}})[ \u{{3000}}]?(?P<p>が|は|も|から|より|に|へ)(?P<c>[^。\n「」]{{0,24}}?)(?P<a>{ACTS})"
        );
        let mut s = SlotRules {
            agent_at: rx(&format!(r"\A(?:{agent})")),
            agent: rx(&agent),
            speaker: rx(&format!(
                r"(?m)^\s*(?:[\[【][0-9:./\- T]{{4,25}}[\]】]|(?:午前|午後)?[0-9]{{1,2}}:[0-9]{{2}}(?::[0-9]{{2}})?)\s?(?P<n>[{HIRA}ァ-ヺー\p{{Han}}々]{{2,12}}?)(?:さん|ちゃん|くん)?(?:\s?[:：]|(?:@[^\t\n]{{1,16}}|\([^)\t\n]{{1,10}}\))?\t)",
            )),
            quote_speaker: rx(&format!(
                r"(?m)^\s*(?P<n>[{HIRA}ァ-ヺー\p{{Han}}々]{{2,8}}?)(?:さん|ちゃん|くん|先生)?「",
            )),
            nickname: rx(&format!(
                r"(?P<n>[{HIRA}][{HIRA}ー]{{1,5}}|[ァ-ヺ][ァ-ヺー]{{1,7}}|[\p{{Han}}々&&[^〇○某]]{{1,4}})(?:ちゃん|っちゃん|っち|くん|君|さん|先生)",
            )),
            affiliated: rx(&format!(
                r"(?P<n>[\p{{Han}}ヶ々&&[^〇○某]]{{1,4}})[（(](?:[^）)\n]{{0,16}}(?:{DEPT_SUFFIX})|(?:委託|外注|協力会社|ベンダー?|保守|派遣)[ \u{{3000}}]?[^）)\n]{{0,16}})[）)]"
            )),
            minutes_speaker: rx(r"(?m)^\s*(?P<n>[\p{Han}ヶ々]{1,4}|[ァ-ヺー・]{2,16})\s?[:：]"),
            role_katakana: rx(&format!(
                r"(?:{ROLES})[ \u{{3000}}]+(?P<n>[ァ-ヺー・]{{2,20}})(?:[ \u{{3000}}(（、,。:：→]|さん|様|氏|が|は|に|の|と|へ|から|より|を|$)"
            )),
            prefilter: Prefilter::new([]),
        };
        s.prefilter = Prefilter::new([
            s.agent.as_str(),
            s.speaker.as_str(),
            s.quote_speaker.as_str(),
            s.nickname.as_str(),
            s.affiliated.as_str(),
            s.minutes_speaker.as_str(),
            s.role_katakana.as_str(),
        ]);
        s
    }
}

impl Recognizers {
    /// Persons by their slot (see the module doc). Needs the dictionary to
    /// tell a family name from a common word; without it, only the built-in
    /// family names count in a sentence.
    pub(crate) fn scan_slots(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        // Every pattern here and the sign-off walk want a kana or kanji: an
        // ASCII text (a host, an id, a romanised line) can hold only a
        // table's people column.
        if text.is_ascii() {
            if text.contains(['\t', ',', '|']) {
                self.table_people(n, lexis, out);
            }
            return;
        }
        let s = &self.slots;
        let can = self.prefilters.of(n, Group::Slots);
        // Every place a match can start, in order (overlapping matches: a
        // rejected word (今回は) must not hide the name after it (林が)). A
        // match starts with a name character not glued to a word before it,
        // and its particle comes within the name's four characters (and a
        // space); only
        // there does the anchored pattern run.
        let mut from = 0;
        let mut prev: Option<char> = None;
        // Where the person acts are in the text, found on first need.
        let mut acts: Option<Vec<Range<usize>>> = None;
        // Without the pattern's literals there is no start to try: no walk.
        let walked = if can[0] { text } else { "" };
        for (start, c) in walked.char_indices() {
            let glued = prev
                .is_some_and(|p| is_han(p) || is_kata(p) || p == 'ヶ' || p.is_ascii_alphanumeric());
            prev = Some(c);
            if start < from || glued || !may_start_name(c) {
                continue;
            }
            let particle_near = text[start..]
                .chars()
                .skip(1)
                .take(5)
                .any(|c| matches!(c, 'が' | 'は' | 'も' | 'か' | 'よ' | 'に' | 'へ'));
            if !particle_near {
                continue;
            }
            let Some(caps) = s.agent_at.captures(&text[start..]) else {
                continue;
            };
            let (Some(name), Some(act)) = (caps.name("n"), caps.name("a")) else {
                continue;
            };
            let name_at = start + name.start()..start + name.end();
            // お客様, ご担当者: a word after the honorific prefix is a common
            // noun (なお|田中: お ending a word is no prefix).
            let prefixed = text[..name_at.start]
                .strip_suffix(['お', 'ご'])
                .is_some_and(|b| !b.ends_with(is_hira));
            if prefixed {
                continue;
            }
            let act_at = start + act.start()..start + act.end();
            let clause = caps.name("c").map_or("", |c| c.as_str());
            // A verb in the clause, not a noun that starts one (連絡先, 確認書).
            let tail = &text[act_at.end..];
            let verbal = tail.starts_with([
                'し', 'さ', 'す', 'を', 'が', 'の', '済', '中', '完', '予', '。', '、', 'に', 'で',
                'だ', 'と',
            ]) || tail.is_empty()
                || act.as_str().ends_with(['継', '戻']);
            if !verbal
                || clause.contains(['、', '，'])
                    && caps["p"].ne("に")
                    && clause.chars().count() > 16
            {
                continue;
            }
            // Any act up to the sentence's end that only a person does.
            let acts = acts.get_or_insert_with(|| person_acts(text));
            let ahead = sentence_ahead(&text[act_at.start..]).len();
            let person_act = act_within(acts, act_at.start..act_at.start + ahead);
            // A kanji word set apart by spaces inside a sentence (`技術の X に
            // 報告`, `先方の X より`): prose puts no space around a common
            // word, a report does around a name.
            // After a department or a label (`情報システム X が設定`) a family
            // name the dictionary knows stands there too, a common word or not.
            let family = lexis.is_some_and(|l| l.surnames.contains(name.as_str()));
            let spaced = (person_act || family)
                && text[..name_at.start].ends_with([' ', '\u{3000}'])
                && text[name_at.end..].starts_with([' ', '\u{3000}'])
                && (text[..name_at.start]
                    .trim_end_matches([' ', '\u{3000}'])
                    .ends_with(['の', 'は', 'が', 'に', 'と', 'も', 'で', 'を', '、', 'へ'])
                    || family)
                && self.slot_word(name.as_str(), lexis)
                && lexis.is_some_and(|l| {
                    l.surnames.contains(name.as_str()) || !l.common.contains(name.as_str())
                });
            // A given name alone (翼, 誠, 葵), also one that is a common
            // word, doing what only a person does: colleagues call each
            // other so. Not after の, where it is a noun's (…の順に連絡).
            let given = person_act
                && !text[..name_at.start].ends_with('の')
                && lexis.is_some_and(|l| l.given.contains(name.as_str()))
                && !SINGLE_NOT_NAME.contains(name.as_str())
                && self.slot_word(name.as_str(), lexis);
            if spaced || given || self.agent_name(name.as_str(), person_act, lexis) {
                push(
                    out,
                    n,
                    name_at.clone(),
                    Kind::Person,
                    "person_agent",
                    0.8,
                    2,
                );
                from = name_at.end;
            }
        }
        // Speakers found here are names wherever the text addresses them
        // (ノブさん in a line, after ノブ: before one).
        let mut speakers: Vec<&str> = Vec::new();
        for re in [(can[1], &s.speaker), (can[2], &s.quote_speaker)] {
            for caps in captures_if(re.0, re.1, text) {
                let Some(name) = caps.name("n") else { continue };
                if self.speaker_name(name.as_str(), lexis) {
                    push(out, n, name.range(), Kind::Person, "person_speaker", 0.8, 2);
                    speakers.push(name.as_str());
                }
            }
        }
        for caps in captures_if(can[3], &s.nickname, text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str();
            let first = w.chars().next().unwrap_or(' ');
            let before = text[..name.start()].chars().next_back();
            let suffix = &text[name.end()..];
            // 先生 glued: only after one kanji (星先生), a family name the
            // honorific rule, which wants two, leaves; not after a plural
            // or a determiner (諸先生, 各先生).
            let teacher = suffix.starts_with("先生");
            let ok = if teacher {
                w.chars().count() == 1
                    && is_han(first)
                    && !w.starts_with(['諸', '恩', '塾'])
                    && !before.is_some_and(is_han_or_ke)
                    && self.one_kanji_name(w, lexis)
            } else if speakers.contains(&w) {
                true
            } else if is_hira(first) {
                // A whole hiragana word: not glued to kana before it, not an
                // honorific word (お客さん, ご主人さん) or a pronoun.
                !before.is_some_and(is_hira)
                    && !w.starts_with(['お', 'ご'])
                    && !KANA_NOT_NAME.iter().any(|x| w.starts_with(x))
                    && !stoplists::KANA_HONORIFICS.contains(&w)
            } else if is_kata(first) {
                // ちゃん, くん make even a word a nickname (タカっちゃん).
                let endearing = !suffix.starts_with('さ');
                !before.is_some_and(|c| is_kata(c) || c == 'ー')
                    && !self.vocab.contains(&w.to_ascii_lowercase())
                    && !self.vocabulary_only(w)
                    && name_ok(w)
                    && (endearing || lexis.is_none_or(|l| !l.common.contains(w)))
            } else {
                // Kanji before ちゃん/くん; before さん only one kanji (杠さん),
                // two or more are the honorific rule's.
                let one = w.chars().count() == 1;
                (!suffix.starts_with('さ') || one)
                    && !before.is_some_and(is_han_or_ke)
                    && if one {
                        self.one_kanji_name(w, lexis)
                    } else {
                        self.slot_name(w, lexis)
                    }
            };
            if ok {
                push(
                    out,
                    n,
                    name.range(),
                    Kind::Person,
                    "person_nickname",
                    0.8,
                    2,
                );
            }
        }
        for caps in captures_if(can[4], &s.affiliated, text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str();
            let glued = text[..name.start()].ends_with(is_han_or_ke);
            let one = w.chars().count() == 1;
            if !glued && (!one || self.agent_name(w, true, lexis)) && self.slot_name(w, lexis) {
                push(
                    out,
                    n,
                    name.range(),
                    Kind::Person,
                    "person_affiliated",
                    0.8,
                    2,
                );
            }
        }
        for caps in captures_if(can[5], &s.minutes_speaker, text) {
            let Some(name) = caps.name("n") else { continue };
            if self.minutes_name(name.as_str(), lexis) {
                push(out, n, name.range(), Kind::Person, "person_speaker", 0.8, 2);
            }
        }
        for caps in captures_if(can[6], &s.role_katakana, text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str();
            if !self.is_role(w)
                && !self.vocab.contains(&w.to_ascii_lowercase())
                && !self.vocabulary_only(w)
                && name_ok(w)
            {
                push(
                    out,
                    n,
                    name.range(),
                    Kind::Person,
                    "person_after_role",
                    0.8,
                    2,
                );
            }
        }
        if text.contains(['\t', ',', '|']) && text.contains('\n') {
            self.table_people(n, lexis, out);
        }
        if has_card_name_field(text) {
            self.card_names(n, lexis, out);
        }
        if text.contains('\n') {
            self.sign_offs(n, lexis, out);
        }
        if let Some(l) = lexis {
            self.scan_apart(n, l, out);
            if text.contains('と') {
                self.scan_pairs(n, l, out);
            }
            self.scan_marks(n, l, out);
        }
    }

    /// The name of a calendar entry's organiser or attendee (`CN=…:mailto:`)
    /// or of an address card (`FN:…`): read as a field that holds people.
    fn card_names(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for (at, key) in text.match_indices("CN=").chain(text.match_indices("FN:")) {
            let bounded = at == 0 || text[..at].ends_with(['\n', ';', ' ']);
            if !bounded {
                continue;
            }
            let start = at + key.len();
            let ends: &[char] = if key == "CN=" {
                &[':', ';', '\n']
            } else {
                &['\n', ';']
            };
            let end = text[start..].find(ends).map_or(text.len(), |i| start + i);
            let value = text[start..end].trim_matches('"');
            if !value.is_empty() && !value.contains('@') {
                let from = start
                    + (text[start..end].len() - text[start..end].trim_start_matches('"').len());
                self.person_values(n, from..from + value.len(), lexis, out);
                // The last word of the name is the person's, whatever the
                // dictionary reads it as (a family name that is a temple's).
                let last_at = value.rfind([' ', '\u{3000}']).map_or(0, |i| i + 1);
                let last = &value[last_at..];
                if last.chars().all(is_han) && self.slot_word(last, lexis) {
                    let at = from + last_at;
                    push(
                        out,
                        n,
                        at..at + last.len(),
                        Kind::Person,
                        "card_name",
                        0.8,
                        2,
                    );
                }
            }
        }
    }

    /// A line that holds only a name, a dash before it or not (`— 晴海`,
    /// `みのり` under a message): a mail's or a chat message's sign-off.
    fn sign_offs(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            let start = at;
            at += line.len();
            let body = line.trim_end();
            let lead = body.len()
                - body
                    .trim_start_matches(|c: char| c.is_whitespace() || ">-–—―‐ー－~〜".contains(c))
                    .len();
            let w = &body[lead..];
            let count = w.chars().count();
            let han = w.chars().all(is_han_or_ke);
            let hira = w.chars().all(is_hira);
            let name = if han && (2..=4).contains(&count) {
                // A common word alone on a line (以上, 各位) is no sign-off.
                self.slot_name(w, lexis) && lexis.is_some_and(|l| !l.common.contains(w))
            } else if hira && (2..=5).contains(&count) {
                lexis.is_some_and(|l| l.given.contains(w) && !l.common.contains(w))
            } else {
                false
            };
            if name {
                push(
                    out,
                    n,
                    start + lead..start + body.len(),
                    Kind::Person,
                    "person_sign_off",
                    0.8,
                    2,
                );
            }
        }
    }

    /// The cells of a table's columns whose header names people or ids: a
    /// tab-separated table, a Markdown table, or a comma-separated paste from a spreadsheet
    /// (a header of three cells or more, and rows of the same width).
    fn table_people(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let mut people: Vec<usize> = Vec::new();
        let mut ids: Vec<usize> = Vec::new();
        let mut header: Option<(char, usize)> = None;
        let mut rows: Vec<Vec<Range<usize>>> = Vec::new();
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            let start = at;
            at += line.len();
            let body = line.trim_end_matches(['\n', '\r']);
            let sep = match header {
                Some((sep, _)) => sep,
                None if body.contains('\t') => '\t',
                None if body.matches(',').count() >= 2 => ',',
                // A Markdown table (`| 日付 | 担当 |`).
                None if body.trim_start().starts_with('|') && body.matches('|').count() >= 3 => '|',
                None => continue,
            };
            let mut cell_start = start;
            let cells: Vec<Range<usize>> = body
                .split(sep)
                .map(|c| {
                    let r = cell_start..cell_start + c.len();
                    cell_start = r.end + 1;
                    r
                })
                .collect();
            let Some((_, width)) = header else {
                let head = |r: &Range<usize>| {
                    let h = text[r.clone()].trim();
                    h.trim_matches(['【', '】', '[', ']', '(', ')', '（', '）'])
                };
                people = (0..cells.len())
                    .filter(|&i| is_person_key(head(&cells[i])))
                    .collect();
                ids = (0..cells.len())
                    .filter(|&i| is_id_header(head(&cells[i])))
                    .collect();
                header = Some((sep, cells.len()));
                continue;
            };
            // A comma inside a sentence is no cell boundary.
            if (sep == ',' || sep == '|') && cells.len() != width {
                continue;
            }
            rows.push(cells.clone());
            for &i in &people {
                if let Some(r) = cells.get(i) {
                    self.person_values(n, r.clone(), lexis, out);
                }
            }
            for &i in &ids {
                let Some(r) = cells.get(i) else { continue };
                let cell = text[r.clone()].trim();
                let lead = text[r.clone()].len() - text[r.clone()].trim_start().len();
                let idish = cell.len() >= 3
                    && cell.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && cell
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
                    && !self.vocab.contains(&cell.to_ascii_lowercase())
                    && !self.is_standard(cell);
                if idish {
                    let from = r.start + lead;
                    push(
                        out,
                        n,
                        from..from + cell.len(),
                        Kind::Identifier,
                        "table_id",
                        0.9,
                        4,
                    );
                }
            }
        }
        if let Some(l) = lexis {
            self.people_columns(n, l, &rows, &people, out);
        }
    }

    /// A column whose header names no people but whose cells are mostly
    /// family names the dictionary knows (and no common words) holds
    /// people whatever its header says (`対応`, `実施`, `立会`): its other
    /// cells that are family names (common words too: 白水) or words the
    /// dictionary does not know are persons.
    fn people_columns(
        &self,
        n: &Normalized,
        l: &Lexis,
        rows: &[Vec<Range<usize>>],
        people: &[usize],
        out: &mut Vec<Hit>,
    ) {
        let text = n.text.as_str();
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        for col in (0..width).filter(|c| !people.contains(c)) {
            let cells: Vec<Range<usize>> = rows
                .iter()
                .filter_map(|r| r.get(col))
                .filter_map(|r| {
                    let raw = &text[r.clone()];
                    let cell = raw.trim();
                    let from = r.start + (raw.len() - raw.trim_start().len());
                    // A Markdown separator row (`---`, `:--`) is no cell.
                    let rule = cell.chars().all(|c| matches!(c, '-' | ':' | '='));
                    (!cell.is_empty() && !rule).then(|| from..from + cell.len())
                })
                .collect();
            let family = |w: &str| l.surnames.contains(w) && !l.common.contains(w);
            let unknown = |w: &str| {
                w.chars().all(is_han_or_ke)
                    && !lexicon::is_bare_place(w)
                    && !self.is_place_name(w)
                    && !l.common.contains(w)
                    && !compound_of_common(w, l)
                    && !derived_of_common(w, l)
            };
            let named = cells.iter().filter(|r| family(&text[(*r).clone()])).count();
            let unknowns = cells
                .iter()
                .filter(|r| !family(&text[(*r).clone()]) && unknown(&text[(*r).clone()]))
                .count();
            if cells.len() < 2 || named == 0 || (named + unknowns) * 2 < cells.len() {
                continue;
            }
            for r in cells {
                let w = &text[r.clone()];
                let fits = w.chars().all(is_han_or_ke)
                    && self.slot_word(w, Some(l))
                    && !self.is_place_name(w)
                    && (l.surnames.contains(w) || unknown(w));
                if fits {
                    push(out, n, r, Kind::Person, "table_people_column", 0.8, 2);
                }
            }
        }
    }

    /// A kanji word before a particle whose clause reaches an act.
    fn agent_name(&self, name: &str, person_act: bool, lexis: Option<&Lexis>) -> bool {
        let count = name.chars().count();
        if !name_ok(name) || super::checks::DEPARTMENT_WORDS.contains(&name) {
            return false;
        }
        if self.place_names.contains(name)
            || name.ends_with(NOT_NAME_ENDINGS)
            || name.ends_with('様')
        {
            return false;
        }
        let standard: String = name.chars().map(standard_form).collect();
        let builtin = lexicon::is_builtin_surname(&standard);
        let Some(l) = lexis else {
            return builtin && count >= 2 && person_act;
        };
        let surname = l.surnames.contains(&standard) || builtin;
        if !surname {
            // A word the dictionary does not know, doing what only a person
            // does (伊良皆が担当), is a name too.
            return count >= 2
                && person_act
                && !l.common.contains(name)
                && !compound_of_common(name, l)
                && !derived_of_common(name, l)
                && !self.is_role(name);
        }
        if count == 1 {
            return person_act && !SINGLE_NOT_NAME.contains(name);
        }
        // A family name that is also a common word (高木, 中野) with an act
        // only a person does.
        !l.common.contains(name) || person_act
    }

    /// A chat or quote speaker: a name, a nickname or a handle, not a role.
    fn speaker_name(&self, w: &str, lexis: Option<&Lexis>) -> bool {
        let first = w.chars().next().unwrap_or(' ');
        if is_hira(first) {
            return w.chars().all(|c| is_hira(c) || c == 'ー')
                && !w.starts_with(['お', 'ご'])
                && !KANA_NOT_NAME.iter().any(|x| w.starts_with(x));
        }
        if is_kata(first) {
            return w.chars().all(|c| is_kata(c) || c == 'ー')
                && !self.vocab.contains(&w.to_ascii_lowercase())
                && !self.vocabulary_only(w)
                && name_ok(w)
                && lexis.is_none_or(|l| !l.common.contains(w) || l.given.contains(w));
        }
        w.chars().all(is_han_or_ke) && !w.ends_with(NOT_NAME_ENDINGS) && self.slot_name(w, lexis)
    }

    /// One kanji before an honorific: a family name that is no stop-listed
    /// word, or a kanji no common word is made of (杠, 蔀).
    pub(super) fn one_kanji_name(&self, w: &str, lexis: Option<&Lexis>) -> bool {
        let standard: String = w.chars().map(standard_form).collect();
        !SINGLE_NOT_NAME.contains(w)
            && name_ok(w)
            && match lexis {
                Some(l) => l.surnames.contains(&standard) || !l.common.contains(w),
                None => lexicon::is_builtin_surname(&standard),
            }
    }

    /// A speaker of minutes before a colon: labels (原因：, 対応：) are common
    /// words, so only a family name that is none, or an unknown katakana
    /// word, counts.
    fn minutes_name(&self, w: &str, lexis: Option<&Lexis>) -> bool {
        let Some(l) = lexis else { return false };
        if w.chars().all(|c| is_kata(c) || c == 'ー' || c == '・') {
            return w.chars().count() >= 3
                && !l.common.contains(w)
                && !self.vocab.contains(&w.to_ascii_lowercase())
                && !self.vocabulary_only(w)
                && !self.is_role(w)
                && name_ok(w);
        }
        let standard: String = w.chars().map(standard_form).collect();
        w.chars().count() >= 2
            && l.surnames.contains(&standard)
            && !l.common.contains(w)
            && !self.is_role(w)
            && name_ok(w)
    }

    /// A kanji word standing for a person by its slot: a family or given name,
    /// or (with the dictionary) a word that is not a common word; never a role.
    fn slot_name(&self, w: &str, lexis: Option<&Lexis>) -> bool {
        if !name_ok(w) || self.is_role(w) || super::checks::DEPARTMENT_WORDS.contains(&w) {
            return false;
        }
        let builtin = lexicon::is_builtin_surname(w);
        match lexis {
            Some(l) => {
                l.surnames.contains(w)
                    || l.given.contains(w)
                    || builtin
                    || (w.chars().count() >= 2 && !l.common.contains(w))
            }
            None => builtin,
        }
    }
}

/// Endings of counted things, times and labels (3件, 受付番号, 氏名): a word
/// ending so is no person's name.
const NOT_NAME_ENDINGS: [char; 12] = [
    '年', '月', '日', '時', '分', '度', '回', '件', '名', '台', '号', '番',
];

/// True when a table header names an account or a card: its cells are
/// identifiers (`uid`, `ユーザID`, `カード番号`).
fn is_id_header(h: &str) -> bool {
    const WORDS: [&str; 8] = [
        "uid",
        "userid",
        "user_id",
        "login_id",
        "account",
        "アカウント",
        "ユーザ",
        "ユーザー",
    ];
    WORDS.contains(&h.to_ascii_lowercase().as_str()) || super::forms::is_id_field(h)
}

/// Every occurrence of a person act in `text`, overlapping ones too, by
/// start: found in one automaton pass per text instead of searched for, act
/// by act, in each sentence.
fn person_acts(text: &str) -> Vec<Range<usize>> {
    let Some(ac) = acts_automaton() else {
        // Plain strings always compile; if not, each act alone.
        let mut all = Vec::new();
        for a in PERSON_ACTS {
            let mut from = 0;
            while let Some(at) = text[from..].find(a) {
                let s = from + at;
                all.push(s..s + a.len());
                from = s + text[s..].chars().next().map_or(1, char::len_utf8);
            }
        }
        all.sort_by_key(|r| r.start);
        return all;
    };
    let mut all: Vec<Range<usize>> = ac.find_overlapping_iter(text).map(|m| m.range()).collect();
    all.sort_by_key(|r| r.start);
    all
}

/// `PERSON_ACTS` in one automaton (every match, overlapping ones too).
fn acts_automaton() -> Option<&'static AhoCorasick> {
    static ACTS: std::sync::LazyLock<Option<AhoCorasick>> = std::sync::LazyLock::new(|| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(PERSON_ACTS)
            .ok()
    });
    ACTS.as_ref()
}

/// True when a person act of `acts` ([`person_acts`]) lies inside `window`:
/// what `PERSON_ACTS.iter().any(|a| text[window].contains(a))` says.
fn act_within(acts: &[Range<usize>], window: Range<usize>) -> bool {
    let first = acts.partition_point(|r| r.start < window.start);
    acts[first..]
        .iter()
        .take_while(|r| r.start < window.end)
        .any(|r| r.end <= window.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The acts found once answer what a search of each window answers, on
    /// generated texts of acts, their pieces and other words, for every
    /// window on a character boundary.
    #[test]
    fn acts_found_once_answer_as_a_search_per_sentence() {
        let pieces = [
            "確認",
            "確",
            "認",
            "対応",
            "報告",
            "問い合わせ",
            "問い",
            "合わせ",
            "問合せ",
            "電話",
            "メール",
            "が",
            "を",
            "し",
            "た",
            "。",
            "山田",
            "再",
            "引き継",
            "引継",
            "ぎ",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..400 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            for k in 0..(seed % 9) {
                text.push_str(pieces[((seed >> (5 * k)) % pieces.len() as u64) as usize]);
            }
            let acts = person_acts(&text);
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            for (i, &a) in bounds.iter().enumerate() {
                for &b in &bounds[i..] {
                    let want = PERSON_ACTS.iter().any(|p| text[a..b].contains(p));
                    assert_eq!(act_within(&acts, a..b), want, "{text} {a}..{b}");
                }
                // The automaton's answer for the sentence ahead of each
                // character is the search per act's.
                let rest = &text[a..];
                let sentence = sentence_ahead(rest);
                let want = PERSON_ACTS.iter().any(|p| sentence.contains(p));
                assert_eq!(person_act_ahead(rest), want, "{rest}");
            }
        }
    }

    /// The byte search for the name fields answers as the two substring
    /// searches did, on every text of up to five units from an alphabet of
    /// their bytes and others.
    #[test]
    fn card_name_fields_are_found_as_by_substring() {
        let units = ["C", "F", "N", "=", ":", "x", "名", "CN", "N="];
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| units.iter().map(move |u| format!("{t}{u}")))
                .collect();
            texts.extend(longer);
            texts.sort();
            texts.dedup();
        }
        for t in &texts {
            let want = t.contains("CN=") || t.contains("FN:");
            assert_eq!(has_card_name_field(t), want, "{t}");
        }
    }
}
