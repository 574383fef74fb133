//! Which pattern rules can match a text at all, from one Aho-Corasick pass.
//!
//! Most of a record's texts are short, and most rules find nothing in them;
//! running each rule's regex over each text costs a search set-up per rule per
//! text. Instead, every rule that needs a literal (every match starts with one
//! of a finite set of strings, or ends with one: 株式会社, `@`, a digit) gives
//! those literals to one automaton; one pass over a text tells which of those
//! rules can match, and only they run. One-byte literals (an ASCII character;
//! for a large class such as `\d` or `[A-Za-z]`, the first bytes of its
//! characters' UTF-8) are looked up in a table of the bytes the text holds.
//! A rule without such a literal always runs. Skipping a rule whose literals are absent changes nothing: its regex
//! would have found no match.
//!
//! The recognisers that run on every text (the pattern rules, the person,
//! slot and label scans) share one automaton ([`Prefilters`]): one pass per
//! text, kept with its [`Normalized`] layers, answers all four.

use std::borrow::Cow;
use std::collections::hash_map::{Entry, HashMap};

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind};

use crate::normalize::Normalized;

/// The literals of a list of patterns (indices as given), for the one
/// pre-pass automaton over several lists ([`Prefilters`]).
pub(crate) struct Prefilter {
    /// Each pattern's needed literals (`None`: it runs on every text).
    needs: Vec<Option<Vec<Vec<u8>>>>,
}

impl Prefilter {
    /// The literals of `patterns` (as `regex::Regex` parses them).
    pub(crate) fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Self {
        Prefilter {
            needs: patterns.into_iter().map(needed_literals).collect(),
        }
    }
}

/// The pattern lists of the recognisers that run on every text, in one
/// automaton: one pass over a text answers all of them.
pub(crate) struct Prefilters {
    scan: Scan,
    /// Where each list's patterns start in `scan` (and where the last ends).
    starts: Vec<usize>,
}

/// A list of [`Prefilters`] (the order they are given in).
#[derive(Clone, Copy)]
pub(crate) enum Group {
    Rules,
    Persons,
    Slots,
    Labels,
}

impl Prefilters {
    /// One automaton over `groups`, given in [`Group`] order.
    pub(crate) fn new(groups: [&Prefilter; 4]) -> Self {
        let mut starts = vec![0];
        for g in &groups {
            starts.push(starts[starts.len() - 1] + g.needs.len());
        }
        Prefilters {
            scan: Scan::new(groups.iter().flat_map(|g| g.needs.iter())),
            starts,
        }
    }

    /// Which patterns of `group` can match in `n.text`; the pass over the
    /// text runs once for every group, on the first call for `n`.
    pub(crate) fn of<'n>(&self, n: &'n Normalized, group: Group) -> Cow<'n, [bool]> {
        let me = self as *const Prefilters as usize;
        let (owner, all) = n.prefiltered.get_or_init(|| {
            let mut can = Vec::new();
            self.scan.candidates(&n.text, &mut can);
            (me, can)
        });
        let range = self.starts[group as usize]..self.starts[group as usize + 1];
        if *owner == me {
            return Cow::Borrowed(&all[range]);
        }
        // Another set of recognisers scanned `n` first (tests build their own).
        let mut can = Vec::new();
        self.scan.candidates(&n.text, &mut can);
        Cow::Owned(can[range].to_vec())
    }
}

/// The automaton of a pattern list.
struct Scan {
    /// Every needed literal of two bytes or more, as a DFA run by hand over
    /// each text (through the concrete type, so each byte's transition is
    /// inlined: the `AhoCorasick` wrapper's overlapping search pays a
    /// dynamic call per byte).
    ac: Option<DFA>,
    /// For each literal of `ac`, the patterns it stands for.
    owners: Vec<Vec<usize>>,
    /// For each byte value, the patterns a one-byte literal of it stands for
    /// (an ASCII character, or the lead byte of a large class's characters).
    byte_owners: Vec<(u8, Vec<usize>)>,
    /// Patterns that run on every text.
    always: Vec<usize>,
    len: usize,
}

impl Scan {
    fn new<'a>(needs: impl Iterator<Item = &'a Option<Vec<Vec<u8>>>>) -> Self {
        let mut literals: Vec<&[u8]> = Vec::new();
        let mut index: HashMap<&[u8], usize> = HashMap::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut byte_owners: Vec<Vec<usize>> = vec![Vec::new(); 256];
        let mut always = Vec::new();
        let mut len = 0;
        for (i, lits) in needs.enumerate() {
            len = i + 1;
            let Some(lits) = lits else {
                always.push(i);
                continue;
            };
            for lit in lits {
                if let [b] = lit[..] {
                    byte_owners[usize::from(b)].push(i);
                    continue;
                }
                match index.entry(lit) {
                    Entry::Occupied(at) => owners[*at.get()].push(i),
                    Entry::Vacant(at) => {
                        at.insert(literals.len());
                        literals.push(lit);
                        owners.push(vec![i]);
                    }
                }
            }
        }
        // Built-in patterns only: a literal set that does not compile (it
        // always does) just runs every pattern.
        let ac = DFA::builder()
            .match_kind(MatchKind::Standard)
            .build(&literals)
            .ok();
        if ac.is_none() {
            always = (0..len).collect();
        }
        let byte_owners = (0..=u8::MAX)
            .zip(byte_owners)
            .filter(|(_, o)| !o.is_empty())
            .collect();
        Scan {
            ac,
            owners,
            byte_owners,
            always,
            len,
        }
    }

    /// Marks in `can` (resized to the pattern count) the patterns that can
    /// match somewhere in `text`.
    fn candidates(&self, text: &str, can: &mut Vec<bool>) {
        can.clear();
        can.resize(self.len, false);
        for &i in &self.always {
            can[i] = true;
        }
        let mut present = [false; 256];
        for &b in text.as_bytes() {
            present[usize::from(b)] = true;
        }
        for (b, owners) in &self.byte_owners {
            if present[usize::from(*b)] {
                for &i in owners {
                    can[i] = true;
                }
            }
        }
        let Some(ac) = &self.ac else { return };
        // Every literal ending at each byte (an overlapping search's matches),
        // from the unanchored automaton, which never dies under `Standard`.
        let Ok(mut sid) = ac.start_state(Anchored::No) else {
            can.fill(true);
            return;
        };
        for &b in text.as_bytes() {
            sid = ac.next_state(Anchored::No, sid, b);
            if ac.is_special(sid) && ac.is_match(sid) {
                for k in 0..ac.match_len(sid) {
                    for &i in &self.owners[ac.match_pattern(sid, k).as_usize()] {
                        can[i] = true;
                    }
                }
            }
        }
    }
}

/// `re`'s captures in `text` when `on` (its pre-pass found its literals),
/// else none.
pub(crate) fn captures_if<'r, 'h>(
    on: bool,
    re: &'r regex::Regex,
    text: &'h str,
) -> std::iter::Flatten<std::option::IntoIter<regex::CaptureMatches<'r, 'h>>> {
    on.then(|| re.captures_iter(text)).into_iter().flatten()
}

/// Literals one of which every match of `pattern` contains (its finite prefix
/// or suffix set, or a literal it needs inside, whichever is most selective),
/// or `None` when there is no such set (a pattern that is all kanji classes).
fn needed_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::parse(pattern).ok()?;
    let affix = |kind: ExtractKind| -> Option<Vec<Vec<u8>>> {
        let seq = Extractor::new().kind(kind).extract(&hir);
        // An empty literal is found in every text: no filter.
        if seq.min_literal_len()? == 0 {
            return None;
        }
        Some(
            seq.literals()?
                .iter()
                .map(|l| l.as_bytes().to_vec())
                .collect(),
        )
    };
    [
        affix(ExtractKind::Prefix),
        affix(ExtractKind::Suffix),
        inner(&hir),
    ]
    .into_iter()
    .flatten()
    .max_by_key(|l| selectivity(l))
}

/// Longer shortest literal first, then fewer literals.
fn selectivity(lits: &[Vec<u8>]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = lits.iter().map(Vec::len).min().unwrap_or(0);
    (shortest, std::cmp::Reverse(lits.len()))
}

/// Classes up to this many characters count as a set of literals.
const SMALL_CLASS: usize = 16;

/// The first bytes of the UTF-8 encodings of the class's characters: one of
/// them is in every text holding one of the characters (UTF-8 keeps code
/// point order, so a range's first bytes run from its start's to its end's).
fn first_bytes(c: &regex_syntax::hir::ClassUnicode) -> Vec<Vec<u8>> {
    let first = |ch: char| ch.to_string().as_bytes()[0];
    let mut out: Vec<Vec<u8>> = Vec::new();
    for r in c.ranges() {
        for b in first(r.start())..=first(r.end()) {
            if !out.iter().any(|l| l[0] == b) {
                out.push(vec![b]);
            }
        }
    }
    out
}

/// A set of non-empty literals one of which every match of `hir` contains.
fn inner(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(l) => (!l.0.is_empty()).then(|| vec![l.0.to_vec()]),
        HirKind::Class(Class::Unicode(c)) => {
            let mut out = Vec::new();
            for r in c.ranges() {
                for ch in r.start()..=r.end() {
                    if out.len() >= SMALL_CLASS {
                        return Some(first_bytes(c));
                    }
                    out.push(ch.to_string().into_bytes());
                }
            }
            (!out.is_empty()).then_some(out)
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut out = Vec::new();
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    if out.len() >= SMALL_CLASS {
                        return None;
                    }
                    out.push(vec![b]);
                }
            }
            (!out.is_empty()).then_some(out)
        }
        HirKind::Repetition(r) if r.min >= 1 => inner(&r.sub),
        HirKind::Capture(c) => inner(&c.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(inner)
            .max_by_key(|l| selectivity(l)),
        HirKind::Alternation(alts) => {
            let mut out: Vec<Vec<u8>> = Vec::new();
            for a in alts {
                for lit in inner(a)? {
                    if !out.contains(&lit) {
                        out.push(lit);
                    }
                }
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pass of `p`'s list alone.
    fn can(p: &Prefilter, text: &str) -> Vec<bool> {
        let mut v = Vec::new();
        Scan::new(p.needs.iter()).candidates(text, &mut v);
        v
    }

    #[test]
    fn rules_without_their_literal_are_skipped() {
        let p = Prefilter::new([
            r"(?:株式会社|\(株\))\s?\p{Han}+",
            r"\p{Han}+(?:銀行|証券)",
            r"[A-Za-z]+@[a-z]+\.jp",
            r"\p{Han}+",
        ]);
        assert_eq!(can(&p, "障害が発生"), [false, false, false, true]);
        assert_eq!(can(&p, "(株)青葉"), [true, false, false, true]);
        assert_eq!(can(&p, "青葉銀行 a@b.jp"), [false, true, true, true]);
    }

    #[test]
    fn case_insensitive_and_digit_patterns_keep_every_form() {
        let p = Prefilter::new([r"(?i)srv\d+", r"\d{3}-\d{4}"]);
        assert_eq!(can(&p, "SRV01"), [true, false]);
        assert_eq!(can(&p, "SRV01 03-1234"), [true, true]);
        assert_eq!(can(&p, "Srv"), [true, false]);
        assert_eq!(can(&p, "なし"), [false, false]);
    }

    #[test]
    fn one_pass_for_four_lists_answers_each_as_its_own_pass_would() {
        let lists: [&[&str]; 4] = [
            &[r"株式会社\p{Han}+", r"\d{3}-\d{4}", r"\p{Han}+"],
            &[r"(?:部|課)[ ]\p{Han}+", r"社"],
            &[],
            &[r"会社員", r"[A-Z]+-\d+", r"(?:本社|支社)ビル"],
        ];
        let p = lists.map(|l| Prefilter::new(l.iter().copied()));
        let all = Prefilters::new([&p[0], &p[1], &p[2], &p[3]]);
        let other = Prefilters::new([&p[0], &p[1], &p[2], &p[3]]);
        let groups = [Group::Rules, Group::Persons, Group::Slots, Group::Labels];
        for t in [
            "",
            "株式会社の本社ビル 03-1234",
            "総務部 山田",
            "ABC-12 会社員",
            "なし",
        ] {
            let n = Normalized::new(t);
            for (g, list) in groups.into_iter().zip(&p) {
                assert_eq!(*all.of(&n, g), can(list, t), "{t}");
                // Another set of recognisers on the same text gets its own pass.
                assert_eq!(*other.of(&n, g), can(list, t), "{t}");
            }
        }
    }

    #[test]
    fn a_pattern_is_a_candidate_exactly_when_one_of_its_literals_occurs() {
        // Literals that overlap, nest and share prefixes and suffixes: every
        // occurrence counts, not only a leftmost one.
        let patterns = [
            r"株式会社\p{Han}+",
            r"会社員",
            r"\p{Han}+(?:会社|社員)",
            r"(?:本社|支社)ビル",
            r"社",
            r"[A-Z]+-\d+",
            r"\p{Han}+",
        ];
        let p = Prefilter::new(patterns);
        let texts = [
            "",
            "株式会社",
            "式会社員",
            "会社員の本社ビル",
            "支社",
            "社員",
            "ABC-12",
            "X-",
            "本社ビ",
            "会社会社員",
            "ひらがな",
        ];
        for t in texts {
            let want: Vec<bool> = patterns
                .iter()
                .map(|pat| {
                    needed_literals(pat).is_none_or(|lits| {
                        lits.iter()
                            .any(|l| t.as_bytes().windows(l.len()).any(|w| w == l.as_slice()))
                    })
                })
                .collect();
            assert_eq!(can(&p, t), want, "{t}");
        }
    }
}
