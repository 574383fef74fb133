//! Voices of a transcript or a thread: whoever speaks is a person, whatever
//! the word, and a redactor masks the speaker slot when unsure.
//!
//! - a transcript's speaker before a colon and a quoted utterance, with a
//!   role before it or an honorific after it (`班長 国吉さん：「…」`,
//!   `鞍馬：「…」`), when the text has two such lines or the speaker a title;
//! - a thread's speaker in brackets at a line's start (`(白石) 外しました`,
//!   `(Almeida) done`), when at least two lines start so;
//! - a hiragana name after a role and a space or before a spaced honorific
//!   (`係長 あんどう へ`, `もりや さん`), which no kanji pattern sees.

use super::checks::FUNCTION_WORDS;
use super::labels::{LINE_LABELS, STATUS_WORDS};
use super::mixed::MORE_FUNCTION_WORDS;
use super::persons::{Lexis, BARE_DEPTS, DEPT_SUFFIX, ROLES};
use super::prefilter::captures_if;
use super::*;

/// Words in brackets at a line's start that are notes, not speakers.
const BRACKET_NOTES: &[&str] = &[
    "注",
    "注記",
    "仮称",
    "仮",
    "参考",
    "例",
    "続き",
    "続",
    "追記",
    "補足",
    "再掲",
    "訂正",
    "重要",
    "株",
    "有",
    "社",
    "財",
    "予定",
    "案",
    "済",
    "未",
    "完了",
    "対応中",
    "確認中",
    "調査中",
    "不明",
    "以下",
    "以上",
    "省略",
    "略",
    "別紙",
    "抜粋",
    "要約",
    "原文",
    "英訳",
    "和訳",
    "翻訳",
    "自動",
    "定期",
    "緊急",
    "至急",
    "社外秘",
    "社内",
    "社外",
    "転送",
    "返信",
    "引用",
    "写",
    "写し",
    "土",
    "日",
    "月",
    "火",
    "水",
    "木",
    "金",
    "祝",
    "午前",
    "午後",
    "朝",
    "夜",
    "夕",
];

/// The compiled patterns of this module.
pub(crate) struct VoiceRules {
    /// A role or department, a space, a hiragana name, then an honorific, a
    /// particle or the slot's end.
    role_kana: Regex,
    /// A hiragana name, a space, an honorific.
    kana_honorific: Regex,
    /// Names standing as a unit in a log line or after a role (`units.rs`).
    pub(super) units: super::units::UnitRules,
}

impl VoiceRules {
    /// The literals of the patterns, for the pre-pass ([`Late::Voices`]):
    /// in the order `role_kana`, `kana_honorific`, then the units' `label`,
    /// `role_is`, `role_of`.
    pub(crate) fn prefilter(&self) -> Prefilter {
        Prefilter::new([
            self.role_kana.as_str(),
            self.kana_honorific.as_str(),
            self.units.label.as_str(),
            self.units.role_is.as_str(),
            self.units.role_of.as_str(),
        ])
    }

    pub(crate) fn new() -> Self {
        VoiceRules {
            role_kana: rx(&format!(
                r"(?:{DEPT_SUFFIX}|{ROLES}|{BARE_DEPTS})[ \u{{3000}}]+(?P<n>[{HIRA}]{{2,5}})(?:[ \u{{3000}}]?(?:さん|氏|様|くん|ちゃん|へ|に|が|から|より|と|の)|[ \u{{3000}}]*(?:[)）:：、,/→\n]|$))"
            )),
            kana_honorific: rx(&format!(
                r"(?:^|[\s、,(（/])(?P<n>[{HIRA}]{{2,5}})[ \u{{3000}}](?:さん|氏|様|くん|ちゃん)",
            )),
            units: super::units::UnitRules::new(),
        }
    }
}

impl Recognizers {
    /// See the module doc.
    pub(crate) fn scan_voices(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        if text.contains('\n') {
            if text.contains('「') {
                self.quoted_speakers(n, lexis, out);
            }
            if text.contains('(') {
                self.bracketed_speakers(n, out);
            }
            if text.contains(':') {
                self.timed_speakers(n, lexis, out);
            }
        }
        if text.contains(is_hira) {
            self.kana_names(n, out);
        }
        self.scan_units(n, lexis, out);
    }

    /// A chat log's speaker after the line's time and a space, before the
    /// message (`10:02 X 再起動します`), when two lines or more start so: the
    /// word in that slot is a person unless it is an act, a status or a
    /// common word (`10:05 復旧 確認`).
    fn timed_speakers(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let mut slots: Vec<Range<usize>> = Vec::new();
        for (lead, body) in line_bodies(text) {
            let b = body.trim_start_matches('[');
            let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
            let h = digits(b);
            if !(1..=2).contains(&h) || !b[h..].starts_with(':') || digits(&b[h + 1..]) != 2 {
                continue;
            }
            let mut rest = &b[h + 3..];
            if rest.starts_with(':') && digits(&rest[1..]) == 2 {
                rest = &rest[3..];
            }
            let rest = rest.trim_start_matches(']');
            let Some(word) = rest.strip_prefix([' ', '\u{3000}']) else {
                continue;
            };
            let len = word.find([' ', '\u{3000}']).unwrap_or(0);
            let w = &word[..len];
            let kanji = (1..=4).contains(&w.chars().count()) && w.chars().all(is_han_or_ke);
            let kana =
                (2..=8).contains(&w.chars().count()) && w.chars().all(|c| is_kata(c) || c == 'ー');
            if kanji || kana {
                let at = lead + (body.len() - word.len());
                slots.push(at..at + len);
            }
        }
        if slots.len() < 2 {
            return;
        }
        let words: Vec<&str> = slots.iter().map(|r| &text[r.clone()]).collect();
        for r in slots {
            let w = &text[r.clone()];
            // A common word speaks twice only as a name (鳴子 at 10:02 and 10:09).
            let twice = words.iter().filter(|x| **x == w).count() >= 2;
            let name = if w.starts_with(is_han) {
                self.slot_word(w, lexis)
                    && lexis
                        .is_none_or(|l| l.surnames.contains(w) || !l.common.contains(w) || twice)
            } else {
                !self.is_role_word(w)
                    && !self.vocab.contains(&w.to_ascii_lowercase())
                    && !self.vocabulary_only(w)
                    && name_ok(w)
            };
            if name {
                push(out, n, r, Kind::Person, "person_timed_speaker", 0.8, 2);
            }
        }
    }

    /// `[role ]name[honorific]:「…」` at a line's start.
    fn quoted_speakers(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let mut found: Vec<(Range<usize>, bool)> = Vec::new();
        for (lead, body) in line_bodies(text) {
            let Some(colon) = body.find(':') else {
                continue;
            };
            if !body[colon + 1..].trim_start().starts_with('「') {
                continue;
            }
            let head = body[..colon].trim_end();
            // The name is the head's last word; a role may stand before it.
            let (role, word_at) = match head.rfind([' ', '\u{3000}']) {
                Some(i) => (
                    &head[..i],
                    i + head[i..].chars().next().map_or(1, char::len_utf8),
                ),
                None => ("", 0),
            };
            let word = &head[word_at..];
            let honorific = HONORIFICS
                .iter()
                .find(|h| word.ends_with(*h) && word.len() > h.len());
            let name = honorific.map_or(word, |h| &word[..word.len() - h.len()]);
            let titled = honorific.is_some() || (!role.is_empty() && role.chars().count() <= 8);
            if self.voice_name(name, lexis) {
                found.push((lead + word_at..lead + word_at + name.len(), titled));
            }
        }
        // One bare line may be a label; two lines, or a title, are a transcript.
        let transcript = found.len() >= 2;
        for (r, titled) in found {
            if transcript || titled {
                push(out, n, r, Kind::Person, "person_voice", 0.8, 2);
            }
        }
    }

    /// A speaker word: a kanji, kana or mixed name that is no label, role,
    /// act or vocabulary word.
    fn voice_name(&self, w: &str, lexis: Option<&Lexis>) -> bool {
        let count = w.chars().count();
        let kana_kanji = w
            .chars()
            .all(|c| is_han_or_ke(c) || is_kata(c) || c == 'ー' || c == '々' || is_hira(c));
        if !(1..=8).contains(&count) || !kana_kanji || LINE_LABELS.contains(&w) || !name_ok(w) {
            return false;
        }
        if w.chars().all(is_han_or_ke) {
            return self.slot_word(w, lexis);
        }
        !self.is_role(w)
            && !self.vocab.contains(&w.to_ascii_lowercase())
            && !self.vocabulary_only(w)
            && !FUNCTION_WORDS.contains(&w)
            && !MORE_FUNCTION_WORDS.contains(&w)
            && !STATUS_WORDS.contains(&w)
    }

    /// `(name) message` at the start of two lines or more.
    fn bracketed_speakers(&self, n: &Normalized, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let mut found = Vec::new();
        let mut lines = 0;
        for (lead, body) in line_bodies(text) {
            let Some(inner) = body.strip_prefix('(') else {
                continue;
            };
            let Some(close) = inner.find(')') else {
                continue;
            };
            let w = &inner[..close];
            // A message follows: a space, then text.
            let rest = &inner[close + 1..];
            if !rest.starts_with([' ', '\u{3000}']) || rest.trim().is_empty() {
                continue;
            }
            lines += 1;
            let latin = w.len() >= 2
                && w.starts_with(|c: char| c.is_ascii_uppercase())
                && w[1..]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c == '\'')
                && w[1..].contains(|c: char| c.is_ascii_lowercase());
            let kana_kanji = (1..=6).contains(&w.chars().count())
                && w.chars()
                    .all(|c| is_han_or_ke(c) || is_kata(c) || c == 'ー' || is_hira(c));
            let ok = !BRACKET_NOTES.contains(&w)
                && !self.vocab.contains(&w.to_ascii_lowercase())
                && !self.is_role(w)
                && name_ok(w)
                && (latin
                    || (kana_kanji && !self.vocabulary_only(w) && !FUNCTION_WORDS.contains(&w)));
            if ok {
                let s = lead + 1;
                found.push(s..s + w.len());
            }
        }
        if lines >= 2 {
            for r in found {
                push(out, n, r, Kind::Person, "person_voice", 0.8, 2);
            }
        }
    }

    /// Hiragana names after a role and a space, or before a spaced honorific.
    fn kana_names(&self, n: &Normalized, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let v = &self.voices;
        let ok = |w: &str| {
            !FUNCTION_WORDS.contains(&w)
                && !MORE_FUNCTION_WORDS.contains(&w)
                && !STATUS_WORDS.contains(&w)
                && !w.starts_with(['お', 'ご'])
                && !w.ends_with(['の', 'が', 'は', 'を', 'に', 'で', 'と', 'も', 'へ'])
        };
        let can = self.late(n, Late::Voices);
        for (re, on) in [(&v.role_kana, can[0]), (&v.kana_honorific, can[1])] {
            for caps in captures_if(on, re, text) {
                let Some(m) = caps.name("n") else { continue };
                if ok(m.as_str()) {
                    push(out, n, m.range(), Kind::Person, "person_kana", 0.8, 2);
                }
            }
        }
    }
}
