//! Names that stand as a unit where only a person stands, with no honorific,
//! even when the dictionary also knows them as a common word (原, 浜, 光):
//!
//! - the speaker of a numbered or timed log line before a colon
//!   (`[3] X：…`, `09:05 X：…`), when two lines or more of the text are so
//!   shaped; one kanji counts here, which the chat speaker rule leaves out;
//! - the person of a role or a department (`営業のX に`, `配車係のX に`):
//!   `の` and then a family or given name of one or two kanji closed by a
//!   particle or a stop;
//! - the person a role is said to be (`代理はX。`, `後任はXです`), also a
//!   family name that is a common word;
//! - the person of a label before a colon (`交代者：X（`, `受：X）`), also
//!   a given name of one kanji that is a word too.
//!
//! One kanji must be a family name or no common word, and no stop-listed
//! one-kanji word (中, 方, 東 …); a longer word a listed name that is no
//! common word (labels such as 結果 are listed as names too). Never a place
//! or a role.

use super::persons::{person, Lexis, BARE_DEPTS, ROLES};
use super::prefilter::captures_if;
use super::*;

/// One-kanji marks a form writes after a label (済, 未, 可), listed as
/// names by the dictionary all the same.
const MARKS: &str = "済未否可不同無有要他各計正副";

/// One-kanji nouns a phrase puts after の (…の順に, …の際に), listed as
/// names by the dictionary all the same.
const AFTER_NO: &str = "順番際旨分由為等類通";

/// The compiled patterns of this module.
pub(crate) struct UnitRules {
    /// A numbered or timed line's speaker before a colon.
    speaker: Regex,
    /// A role or department, の, a short name, a particle or a stop.
    pub(super) role_of: Regex,
    /// A label of a person (申請者, 交代者, 受) before a colon, a short name.
    pub(super) label: Regex,
    /// A role, は, a name, then the sentence's end or a copula.
    pub(super) role_is: Regex,
}

impl UnitRules {
    pub(crate) fn new() -> Self {
        UnitRules {
            speaker: rx(
                r"(?m)^[ \t]*(?:[\[【(（][0-9]{1,3}[\]】)）]|(?:午前|午後)?[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)[ \u{3000}]?(?P<n>[\p{Han}ヶ々]{1,4})[ \u{3000}]?[:：]",
            ),
            label: rx(
                r"(?:\p{Han}{1,3}者|受|受付)[:：][ \u{3000}]?(?P<n>[\p{Han}ヶ々]{1,2})(?:[（()）、,/ \u{3000}\t\r\n]|$)",
            ),
            role_is: rx(&format!(
                r"(?:{ROLES}|代理|後任|前任|代行|議事|連絡先)は(?P<n>[\p{{Han}}ヶ々]{{1,3}})(?:。|です|でした|、|\r|\n|$)"
            )),
            role_of: rx(&format!(
                r"(?:{ROLES}|{BARE_DEPTS}|学務|教務|庶務|業務)の(?P<n>[\p{{Han}}ヶ々]{{1,2}})(?:に|が|は|へ|と|から|より|まで|も|、|。|$)"
            )),
        }
    }
}

impl Recognizers {
    /// See the module doc.
    pub(super) fn scan_units(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let Some(l) = lexis else { return };
        let text = n.text.as_str();
        if text.contains([':', '：']) {
            let found: Vec<Range<usize>> = self
                .voices
                .units
                .speaker
                .captures_iter(text)
                .filter_map(|c| c.name("n"))
                .map(|m| m.range())
                .collect();
            if found.len() >= 2 {
                for r in found {
                    if self.unit_name(&text[r.clone()], l) {
                        person(out, n, r, "person_unit_speaker", 0.8);
                    }
                }
            }
        }
        if text.contains([':', '：']) {
            for caps in captures_if(
                self.late(n, Late::Voices)[2],
                &self.voices.units.label,
                text,
            ) {
                let Some(name) = caps.name("n") else { continue };
                let w = name.as_str();
                // A given name of one kanji is often a word too (愛, 梢).
                // One kanji only when the dictionary lists it as a name (済,
                // 未 are marks).
                let one = w.chars().count() == 1;
                let listed = l.given.contains(w) || l.surnames.contains(w);
                let given = one && l.given.contains(w) && name_ok(w);
                let mark = one && MARKS.contains(w);
                if !mark && (given || (self.unit_name(w, l) && (listed || !one))) {
                    person(out, n, name.range(), "person_labelled", 0.8);
                }
            }
        }
        if text.contains('は') {
            for caps in captures_if(
                self.late(n, Late::Voices)[3],
                &self.voices.units.role_is,
                text,
            ) {
                let Some(name) = caps.name("n") else { continue };
                let w = name.as_str();
                // A family name that is also a common word counts here
                // (代理は平野。): a role is said to be a person, not a thing.
                let ok = if w.chars().count() == 1 {
                    l.surnames.contains(w) && self.one_kanji_name(w, Some(l))
                } else {
                    l.surnames.contains(w) && self.slot_word(w, Some(l))
                };
                if ok && !self.is_place_name(w) && !self.is_role(w) {
                    person(out, n, name.range(), "person_role_is", 0.8);
                }
            }
        }
        if text.contains('の') {
            for caps in captures_if(
                self.late(n, Late::Voices)[4],
                &self.voices.units.role_of,
                text,
            ) {
                let Some(name) = caps.name("n") else { continue };
                let w = name.as_str();
                if !(w.chars().count() == 1 && AFTER_NO.contains(w)) && self.unit_name(w, l) {
                    person(out, n, name.range(), "person_of_role", 0.8);
                }
            }
        }
    }

    /// A family or given name the dictionary lists, no place, role or
    /// stop-listed one-kanji word.
    fn unit_name(&self, w: &str, l: &Lexis) -> bool {
        // One kanji: a family name or a kanji no common word is made of;
        // longer: a listed name that is no common word (結果, 対策 are
        // labels, and listed as names too).
        let ok = if w.chars().count() == 1 {
            self.one_kanji_name(w, Some(l))
        } else {
            (l.surnames.contains(w) || l.given.contains(w))
                && !l.common.contains(w)
                && self.slot_word(w, Some(l))
        };
        ok && !self.is_place_name(w) && !self.is_role(w)
    }
}
