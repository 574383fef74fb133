//! Family names marked by what stands right beside them, with no honorific:
//!
//! - the addressee before 宛/宛て/あて (`X宛てにメールを送付`, `X宛`): only a
//!   person, a department or a company is sent something, and a department
//!   or a company word is no slot word;
//! - a family name alone in brackets after a log entry (`更新 (X)`,
//!   `承認済（X）`): the one who did it. Only a family name the dictionary
//!   knows counts there, since a bracket also holds notes (（済）, （本番）).
//!
//! - a kanji name before its romanised reading in brackets (`X(Shiromizu)`,
//!   `X（Taro Yamane）`): a reading is written for a name, not for a word;
//! - the holder of a decision or an instruction before の (`X の判断で`,
//!   `Xの指示により`): a family name the dictionary knows, even one that is
//!   also a common word, since a common word there is a body (会社の判断)
//!   and no family name.
//!
//! - the signer before a seal or a signing word that ends the line (`X 印`,
//!   `X ㊞`, `X 記`, `X 拝`): a family name the dictionary knows or a word it
//!   does not know.
//!
//! The scans are anchored on their literal and ask the dictionary's word
//! lists only at a candidate.

use super::persons::{compound_of_common, derived_of_common, person, Lexis};
use super::*;

/// What a person holds or gives, after の (判断, 指示 …).
const HELD: [&str; 8] = [
    "判断",
    "指示",
    "承認",
    "許可",
    "了承",
    "指摘",
    "責任で",
    "一存",
];

/// Addressee marks after a name.
const ADDRESSEE: [&str; 3] = ["宛て", "宛", "あて"];

impl Recognizers {
    pub(super) fn scan_marks(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        if text.contains('宛') || text.contains("あて") {
            self.addressees(n, l, out);
        }
        if text.contains(['(', '（']) {
            self.bracketed_names(n, l, out);
        }
        if text.contains('の') {
            self.holders(n, l, out);
        }
        if text.contains(['印', '㊞', '記', '拝']) {
            self.signers(n, l, out);
        }
    }

    fn signers(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for (at, mark) in text.match_indices(['印', '㊞', '記', '拝']) {
            let rest = &text[at + mark.len()..];
            let ends = rest.is_empty() || rest.starts_with(['\n', '\r', ')', '）']);
            let Some(head) = text[..at].strip_suffix([' ', '\u{3000}']) else {
                continue;
            };
            let w = trailing_kanji(head);
            let lead = &head[..head.len() - w.len()];
            let free = lead.is_empty()
                || lead.ends_with(|c: char| c.is_whitespace() || "(（:：".contains(c));
            if ends && free && self.marked_name(w, l, true) {
                person(
                    out,
                    n,
                    head.len() - w.len()..head.len(),
                    "person_signer",
                    0.8,
                );
            }
        }
    }

    fn holders(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for (at, _) in text.match_indices('の') {
            let after = &text[at + 'の'.len_utf8()..];
            if !HELD.iter().any(|h| after.starts_with(h)) {
                continue;
            }
            let head = text[..at].trim_end_matches([' ', '\u{3000}']);
            let w = trailing_kanji(head);
            let lead = &head[..head.len() - w.len()];
            if lead.ends_with(|c: char| is_kata(c) || c.is_ascii_alphanumeric())
                || !self.marked_name(w, l, false)
            {
                continue;
            }
            person(
                out,
                n,
                head.len() - w.len()..head.len(),
                "person_holder",
                0.8,
            );
        }
    }

    fn addressees(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for mark in ADDRESSEE {
            for (at, _) in text.match_indices(mark) {
                let head = text[..at].trim_end_matches([' ', '\u{3000}']);
                let w = trailing_kanji(head);
                let lead = &head[..head.len() - w.len()];
                let after = &text[at + mark.len()..];
                // あて glued to kana is a word (あてる, 手当て).
                if mark == "あて" && after.starts_with(|c: char| is_hira(c) && c != 'に') {
                    continue;
                }
                if lead.ends_with(|c: char| is_kata(c) || c.is_ascii_alphanumeric())
                    || !self.marked_name(w, l, true)
                {
                    continue;
                }
                // The name ends where the blanks before the mark start
                // (`X 宛`, `X　宛て`), not at the mark.
                person(
                    out,
                    n,
                    head.len() - w.len()..head.len(),
                    "person_addressee",
                    0.8,
                );
            }
        }
    }

    fn bracketed_names(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for (at, open) in text.match_indices(['(', '（']) {
            let inner_at = at + open.len();
            let inner = &text[inner_at..];
            let w = leading_kanji(inner);
            let closes = inner[w.len()..].starts_with([')', '）']);
            // After a word and a blank or glued to an entry (`更新 (X)`,
            // `承認済（X）`), not a bracket that opens a line.
            let entry = text[..at]
                .trim_end_matches([' ', '\u{3000}'])
                .ends_with(|c: char| !c.is_whitespace());
            // A romanised reading after a kanji name: the name is the one
            // before the bracket (the reading is the candidates' rule's).
            let reading = &inner[..inner.find([')', '）']).unwrap_or(0)];
            if is_reading(reading) {
                let head = text[..at].trim_end_matches([' ', '\u{3000}']);
                let w = trailing_kanji(head);
                let lead = &head[..head.len() - w.len()];
                let free = !lead.ends_with(|c: char| is_kata(c) || c.is_ascii_alphanumeric());
                if free && (2..=4).contains(&w.chars().count()) && self.slot_word(w, Some(l)) {
                    person(
                        out,
                        n,
                        head.len() - w.len()..head.len(),
                        "person_reading",
                        0.8,
                    );
                }
                continue;
            }
            if closes && entry && self.marked_name(w, l, false) {
                person(
                    out,
                    n,
                    inner_at..inner_at + w.len(),
                    "person_bracketed",
                    0.8,
                );
            }
        }
    }

    /// `w` may be a family name here: a slot word, no place; a family name
    /// the dictionary knows, or (when `unknown_ok`) a word it does not know.
    fn marked_name(&self, w: &str, l: &Lexis, unknown_ok: bool) -> bool {
        (2..=4).contains(&w.chars().count())
            && self.slot_word(w, Some(l))
            && !lexicon::is_bare_place(w)
            && !self.is_place_name(w)
            && (l.surnames.contains(w)
                || (unknown_ok
                    && !l.common.contains(w)
                    && !compound_of_common(w, l)
                    && !derived_of_common(w, l)))
    }
}

/// The kanji run (with ヶ) that ends `s`.
pub(super) fn trailing_kanji(s: &str) -> &str {
    let len: usize = s
        .chars()
        .rev()
        .take_while(|&c| is_han_or_ke(c))
        .map(char::len_utf8)
        .sum();
    &s[s.len() - len..]
}

/// The kanji run (with ヶ) that starts `s`.
pub(super) fn leading_kanji(s: &str) -> &str {
    let len: usize = s
        .chars()
        .take_while(|&c| is_han_or_ke(c))
        .map(char::len_utf8)
        .sum();
    &s[..len]
}

/// One or two capitalised words made of Japanese syllables only
/// (`Shiromizu`, `Taro Yamane`): a name's romanised reading.
fn is_reading(s: &str) -> bool {
    let words: Vec<&str> = s.split(' ').collect();
    (1..=2).contains(&words.len())
        && words.iter().all(|w| {
            w.len() >= 4
                && w.starts_with(|c: char| c.is_ascii_uppercase())
                && romaji(&w.to_ascii_lowercase())
        })
}

/// True when `w` (lower case) splits into Hepburn syllables.
fn romaji(w: &str) -> bool {
    const ONSETS: [&str; 32] = [
        "ky", "gy", "sh", "ch", "ts", "ny", "hy", "by", "py", "my", "ry", "k", "g", "s", "z", "t",
        "d", "n", "h", "b", "p", "m", "y", "r", "w", "f", "j", "kk", "ss", "tt", "pp", "tch",
    ];
    let b = w.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let vowel = |j: usize| b.get(j).is_some_and(|c| b"aeiou".contains(c));
        if vowel(i) {
            i += 1;
            continue;
        }
        // A syllabic n before a consonant or at the end.
        if b[i] == b'n' && !vowel(i + 1) && b.get(i + 1) != Some(&b'y') {
            i += 1;
            continue;
        }
        let Some(on) = ONSETS
            .iter()
            .filter(|o| w[i..].starts_with(*o) && vowel(i + o.len()))
            .max_by_key(|o| o.len())
        else {
            return false;
        };
        i += on.len() + 1;
    }
    !b.is_empty()
}
