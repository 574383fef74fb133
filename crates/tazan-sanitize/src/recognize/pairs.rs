//! Two family names joined by と, with no cue word beside them: `X と Y の
//! どちらかのレビュー必須`, `X と Y で実施`, `XとYが対応`.
//!
//! A report names the two people who did or must do something; a pair of
//! common words joined by と (設定と確認, 本番と検証) is no pair of family
//! names. A pair is read as two persons when each word is a family name the
//! dictionary knows (even one that is also a common word: 風間, 白水) or a
//! kanji word it does not know at all, at least one of them is a family name,
//! neither is a place, a role or IT vocabulary, a particle closes the pair,
//! and either the pair is set apart by spaces (a report's spacing, never
//! prose's) or both words are family names (or neither is a common word)
//! and the sentence goes on to an act only a person does (`PERSON_ACTS` of the agent rule): glued in prose,
//! places pair up as often as people (X と Y の店舗で). The scan is
//! anchored on と and asks the dictionary's word lists only there.

use super::persons::{compound_of_common, derived_of_common, person, Lexis};
use super::slots::person_act_ahead;
use super::*;

/// Particles that close a pair of names (`X と Y の`, `… で`, `… が`).
const CLOSERS: [&str; 10] = [
    "が", "で", "の", "に", "は", "から", "も", "へ", "より", "を",
];

/// Blanks that set a word apart.
const BLANKS: [char; 2] = [' ', '\u{3000}'];

impl Recognizers {
    pub(super) fn scan_pairs(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for (at, _) in text.match_indices('と') {
            let head = &text[..at];
            let left_gap = head.ends_with(BLANKS);
            let head = head.trim_end_matches(BLANKS);
            let a_start = head
                .char_indices()
                .rev()
                .take_while(|&(_, c)| is_han_or_ke(c))
                .last()
                .map_or(head.len(), |(i, _)| i);
            let a = &head[a_start..];
            let lead = &head[..a_start];
            // The first word stands free: not the tail of a kanji, katakana or
            // Latin word (障害対応と…).
            if lead.ends_with(|c: char| is_kata(c) || c.is_ascii_alphanumeric() || c == '々') {
                continue;
            }
            let tail = &text[at + 'と'.len_utf8()..];
            let b_text = tail.trim_start_matches(BLANKS);
            let right_gap = b_text.len() != tail.len();
            let b_len = b_text
                .char_indices()
                .take_while(|&(_, c)| is_han_or_ke(c))
                .last()
                .map_or(0, |(i, c)| i + c.len_utf8());
            let b = &b_text[..b_len];
            let rest = &b_text[b_len..];
            let closer = rest.trim_start_matches(BLANKS);
            let end_gap = closer.len() != rest.len();
            if !CLOSERS.iter().any(|c| closer.starts_with(c)) {
                continue;
            }
            let spaced = left_gap
                && right_gap
                && end_gap
                && (lead.is_empty() || lead.ends_with(|c: char| c.is_whitespace() || !is_han(c)));
            let person_act = person_act_ahead(closer);
            let (Some(wa), Some(wb)) = (self.pair_word(a, l), self.pair_word(b, l)) else {
                continue;
            };
            let glued_ok = person_act
                && (wa.family && wb.family || !l.common.contains(a) && !l.common.contains(b));
            if !(spaced && (wa.family || wb.family) || glued_ok) {
                continue;
            }
            let a_at = a_start..a_start + a.len();
            let b_at = {
                let s = text.len() - b_text.len();
                s..s + b_len
            };
            for r in [a_at, b_at] {
                person(out, n, r, "person_pair", 0.8);
            }
        }
    }

    /// `w` as one word of a pair: `None` unless it may be a name.
    fn pair_word(&self, w: &str, l: &Lexis) -> Option<PairWord> {
        let count = w.chars().count();
        if !(2..=4).contains(&count)
            || !self.slot_word(w, Some(l))
            || lexicon::is_bare_place(w)
            || self.is_place_name(w)
        {
            return None;
        }
        let family = l.surnames.contains(w) || lexicon::is_builtin_surname(w);
        let unknown =
            !l.common.contains(w) && !compound_of_common(w, l) && !derived_of_common(w, l);
        (family || unknown).then_some(PairWord { family })
    }
}

/// What a word of a pair is known as.
struct PairWord {
    /// A family name (IPADIC's or built in).
    family: bool,
}
