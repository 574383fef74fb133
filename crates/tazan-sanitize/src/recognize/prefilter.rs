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
//! A literal present is not a match, and a search costs some thousand
//! instructions of set-up before it reads a byte, so the pass asks more of a
//! text than one literal where the pattern says more: every literal set the
//! pattern needs (a digit *and* a counter word, not either), and the longest
//! run of characters of a few classes (digits, Latin letters) every match
//! holds: a card number needs four digits in a row, a text whose longest run
//! of digits is two (a date) is no candidate.
//!
//! The recognisers that run on every text (the pattern rules, the person,
//! slot and label scans, and the site, brand, set-apart and voice scans)
//! share one automaton ([`Prefilters`]): one pass per text, kept with its
//! [`Normalized`] layers, answers all eight.

use std::borrow::Cow;
use std::collections::hash_map::{Entry, HashMap};

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};

use crate::normalize::Normalized;

/// The literals of a list of patterns (indices as given), for the one
/// pre-pass automaton over several lists ([`Prefilters`]).
pub(crate) struct Prefilter {
    /// What each pattern needs in a text (nothing: it runs on every text).
    needs: Vec<Needs>,
    /// The patterns, for the tests that check no match is ruled out.
    #[cfg(test)]
    sources: Vec<String>,
}

impl Prefilter {
    /// The literals and runs of `patterns` (as `regex::Regex` parses them).
    pub(crate) fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Self {
        let patterns: Vec<&str> = patterns.into_iter().collect();
        Prefilter {
            needs: patterns.iter().copied().map(needs_of).collect(),
            #[cfg(test)]
            sources: patterns.iter().map(|p| p.to_string()).collect(),
        }
    }
}

/// What every match of a pattern holds, as far as the pre-pass can tell.
#[derive(Debug, Default, Clone, PartialEq)]
struct Needs {
    /// Sets of literals: every match contains a literal of each set.
    sets: Vec<Vec<Vec<u8>>>,
    /// `(class, n)`: every match holds `n` characters of `RUN_CLASSES[class]`
    /// in a row.
    runs: Vec<(usize, usize)>,
}

/// The classes whose longest run in a text the pass measures (as regex
/// classes, so `\d` is every decimal digit, as in the rules).
const RUN_CLASSES: [&str; 4] = [r"\d", r"[\d\-]", r"[a-z]", r"[\dA-Z\-]"];

/// At most this many literal sets per pattern (the most selective).
const MAX_SETS: usize = 3;

/// The pattern lists of the recognisers that run on every text, in one
/// automaton: one pass over a text answers all of them.
pub(crate) struct Prefilters {
    scan: Scan,
    /// Where each list's patterns start in `scan` (and where the last ends).
    starts: Vec<usize>,
}

/// The first lists of the [`Prefilters`] (the order they are given in).
#[derive(Clone, Copy)]
pub(crate) enum Group {
    Rules,
    Persons,
    Slots,
    Labels,
}

/// The lists of the [`Prefilters`] after the [`Group`]s (the order they are
/// given in): recognisers whose patterns are few and selective, asked of
/// every text. Until round 28 they were a second automaton built on first
/// use, so a second pass over every text; one pass for all is cheaper
/// (BENCHMARKS.md, round 28).
#[derive(Clone, Copy)]
pub(crate) enum Late {
    Sites,
    Brands,
    Apart,
    Voices,
}

impl Prefilters {
    /// One automaton over `groups`, given in [`Group`] then [`Late`] order.
    pub(crate) fn new(groups: &[&Prefilter]) -> Self {
        let mut starts = vec![0];
        for g in groups {
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
        self.list_of(n, group as usize)
    }

    /// Like [`Prefilters::of`], for the lists after the [`Group`]s.
    pub(crate) fn of_late<'n>(&self, n: &'n Normalized, group: Late) -> Cow<'n, [bool]> {
        self.list_of(n, Group::Labels as usize + 1 + group as usize)
    }

    fn list_of<'n>(&self, n: &'n Normalized, group: usize) -> Cow<'n, [bool]> {
        let me = self as *const Prefilters as usize;
        let (owner, all) = n.prefiltered.get_or_init(|| {
            let mut can = Vec::new();
            self.scan.candidates(&n.text, &mut can);
            (me, can)
        });
        let range = self.starts[group]..self.starts[group + 1];
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
    /// For each literal of `ac`, the literal sets it belongs to.
    owners: Vec<Vec<usize>>,
    /// For each byte value, the sets a one-byte literal of it belongs to
    /// (an ASCII character, or the lead byte of a large class's characters).
    byte_owners: Vec<(u8, Vec<usize>)>,
    /// For each literal set, the patterns that need it.
    set_patterns: Vec<Vec<usize>>,
    /// For each pattern, how many literal sets it needs.
    need: Vec<u8>,
    /// The patterns that need runs, with them.
    runs: Vec<(usize, Vec<(usize, usize)>)>,
    /// For each byte, the run classes it is an ASCII character of (a bit each).
    run_mask: [u8; 256],
    /// For each run class, the lead bytes of its characters beyond ASCII: a
    /// text holding one is measured as unbounded.
    run_leads: Vec<Vec<u8>>,
}

impl Scan {
    fn new<'a>(needs: impl Iterator<Item = &'a Needs>) -> Self {
        let mut literals: Vec<&[u8]> = Vec::new();
        let mut index: HashMap<&[u8], usize> = HashMap::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut byte_owners: Vec<Vec<usize>> = vec![Vec::new(); 256];
        let mut set_ids: HashMap<&[Vec<u8>], usize> = HashMap::new();
        let mut patterns = Vec::new();
        let mut set_patterns: Vec<Vec<usize>> = Vec::new();
        for (p, need) in needs.enumerate() {
            let mut mine = Vec::new();
            for set in &need.sets {
                let fresh = set_ids.len();
                let id = *set_ids.entry(set.as_slice()).or_insert(fresh);
                if id == fresh {
                    set_patterns.push(Vec::new());
                }
                if set_patterns[id].last() != Some(&p) {
                    set_patterns[id].push(p);
                    mine.push(id);
                }
                if id != fresh {
                    continue;
                }
                for lit in set {
                    if let [b] = lit[..] {
                        byte_owners[usize::from(b)].push(id);
                        continue;
                    }
                    match index.entry(lit) {
                        Entry::Occupied(at) => owners[*at.get()].push(id),
                        Entry::Vacant(at) => {
                            at.insert(literals.len());
                            literals.push(lit);
                            owners.push(vec![id]);
                        }
                    }
                }
            }
            patterns.push((mine, need.runs.clone()));
        }
        // Built-in patterns only: a literal set that does not compile (it
        // always does) just runs every pattern.
        let ac = DFA::builder()
            .match_kind(MatchKind::Standard)
            .build(&literals)
            .ok();
        // Built-in patterns only: more of them or of their sets than a pass
        // counts on its stack (never so) just runs every pattern.
        if ac.is_none() || patterns.len() > MAX_PATTERNS || set_patterns.len() > MAX_SET_IDS {
            patterns
                .iter_mut()
                .for_each(|p| *p = (Vec::new(), Vec::new()));
            set_patterns.iter_mut().for_each(Vec::clear);
        }
        // At most `MAX_SETS` (u8) per pattern.
        let need = patterns.iter().map(|(sets, _)| sets.len() as u8).collect();
        let byte_owners = (0..=u8::MAX)
            .zip(byte_owners)
            .filter(|(_, o)| !o.is_empty())
            .collect();
        let mut run_mask = [0u8; 256];
        let mut run_leads = Vec::new();
        for (i, class) in run_classes().iter().enumerate() {
            for r in class.ranges() {
                for c in r.start()..=r.end().min('\x7f') {
                    run_mask[c as usize] |= 1 << i;
                }
            }
            let mut wide = class.clone();
            wide.difference(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]));
            run_leads.push(first_bytes(&wide).into_iter().map(|l| l[0]).collect());
        }
        Scan {
            ac,
            owners,
            byte_owners,
            set_patterns,
            need,
            runs: patterns
                .into_iter()
                .enumerate()
                .filter(|(_, (_, runs))| !runs.is_empty())
                .map(|(p, (_, runs))| (p, runs))
                .collect(),
            run_mask,
            run_leads,
        }
    }

    /// Marks in `can` (resized to the pattern count) the patterns that can
    /// match somewhere in `text`.
    fn candidates(&self, text: &str, can: &mut Vec<bool>) {
        can.clear();
        can.resize(self.need.len(), false);
        let mut found = Found {
            have: [false; MAX_SET_IDS],
            count: [0; MAX_PATTERNS],
        };
        for (c, &need) in can.iter_mut().zip(&self.need) {
            *c = need == 0;
        }
        let mut present = [false; 256];
        for &b in text.as_bytes() {
            present[usize::from(b)] = true;
        }
        for (b, owners) in &self.byte_owners {
            if present[usize::from(*b)] {
                for &i in owners {
                    self.mark(i, &mut found, can);
                }
            }
        }
        if let Some(ac) = &self.ac {
            // Every literal ending at each byte (an overlapping search's
            // matches), from the unanchored automaton, which never dies
            // under `Standard`.
            let Ok(mut sid) = ac.start_state(Anchored::No) else {
                can.fill(true);
                return;
            };
            for &b in text.as_bytes() {
                sid = ac.next_state(Anchored::No, sid, b);
                if ac.is_special(sid) && ac.is_match(sid) {
                    for k in 0..ac.match_len(sid) {
                        for &i in &self.owners[ac.match_pattern(sid, k).as_usize()] {
                            self.mark(i, &mut found, can);
                        }
                    }
                }
            }
        }
        // Each class's longest run, measured on first need.
        let mut runs = [None; RUN_CLASSES.len()];
        for (p, needs) in &self.runs {
            if can[*p] {
                can[*p] = needs.iter().all(|&(class, n)| {
                    *runs[class].get_or_insert_with(|| self.longest_run(text, class, &present)) >= n
                });
            }
        }
    }

    /// Notes literal set `set` found; a pattern whose every set is found is
    /// a candidate (its runs still to be asked).
    fn mark(&self, set: usize, found: &mut Found, can: &mut [bool]) {
        if std::mem::replace(&mut found.have[set], true) {
            return;
        }
        for &p in &self.set_patterns[set] {
            found.count[p] += 1;
            if found.count[p] == self.need[p] {
                can[p] = true;
            }
        }
    }

    /// The longest run of run class `class` in `text` (unbounded when the
    /// class has characters beyond ASCII and the text holds one of their
    /// lead bytes, which `present` marks).
    fn longest_run(&self, text: &str, class: usize, present: &[bool; 256]) -> usize {
        if self.run_leads[class]
            .iter()
            .any(|&b| present[usize::from(b)])
        {
            return usize::MAX;
        }
        let bit = 1 << class;
        let (mut cur, mut max) = (0, 0);
        for &b in text.as_bytes() {
            if self.run_mask[usize::from(b)] & bit == 0 {
                max = max.max(cur);
                cur = 0;
            } else {
                cur += 1;
            }
        }
        max.max(cur)
    }
}

/// What a pass has found in a text so far (on the stack: no allocation per
/// text).
struct Found {
    /// Which literal sets occur.
    have: [bool; MAX_SET_IDS],
    /// For each pattern, how many of its literal sets occur.
    count: [u8; MAX_PATTERNS],
}

/// The most patterns and distinct literal sets one [`Scan`] filters (the
/// built-in lists have some 120 and 300).
const MAX_PATTERNS: usize = 256;
const MAX_SET_IDS: usize = 1024;

/// The run classes, parsed once.
static RUN_CLASS_SETS: std::sync::LazyLock<Vec<ClassUnicode>> =
    std::sync::LazyLock::new(run_classes);

/// The run classes, parsed.
fn run_classes() -> Vec<ClassUnicode> {
    RUN_CLASSES
        .iter()
        .map(|c| match regex_syntax::parse(c).map(Hir::into_kind) {
            Ok(HirKind::Class(Class::Unicode(c))) => c,
            // Constants above: each is a Unicode class.
            _ => ClassUnicode::empty(),
        })
        .collect()
}

/// Calls `f` with each index of `can` that is true, in increasing order.
/// Eight flags are read as one word and a word of none costs one test, so
/// a list that is mostly false (the rule list: some hundred patterns, a few
/// candidates in a short text) is walked in a fraction of a test per
/// pattern; the walk over every rule with its flag was about 880
/// instructions of every scan (BENCHMARKS.md, round 29, `speed29b`).
pub(crate) fn each_candidate(can: &[bool], mut f: impl FnMut(usize)) {
    let mut chunks = can.chunks_exact(8);
    for (k, c) in chunks.by_ref().enumerate() {
        // A `bool` is the byte 0 or 1: each true flag is the lowest bit of
        // its byte, so clearing the word's lowest set bit clears one flag.
        let mut word = u64::from_le_bytes([
            u8::from(c[0]),
            u8::from(c[1]),
            u8::from(c[2]),
            u8::from(c[3]),
            u8::from(c[4]),
            u8::from(c[5]),
            u8::from(c[6]),
            u8::from(c[7]),
        ]);
        while word != 0 {
            f(k * 8 + word.trailing_zeros() as usize / 8);
            word &= word - 1;
        }
    }
    let base = can.len() - chunks.remainder().len();
    for (i, &c) in chunks.remainder().iter().enumerate() {
        if c {
            f(base + i);
        }
    }
}

/// `re`'s captures in `text` when `on` (its pre-pass found its literals),
/// else none.
pub(crate) fn captures_if<'r, 'h>(
    on: bool,
    re: &'r super::Regex,
    text: &'h str,
) -> CapturesIf<'r, 'h> {
    CapturesIf(on.then(|| Box::new(re.captures_iter(text))))
}

/// The iterator of [`captures_if`]: the regex's own, or nothing. (A
/// `Flatten` over an `Option` moved the large `CaptureMatches` into its
/// front slot and asked both slots on every step. Boxed: most calls find
/// the pattern ruled out, and returning the large iterator by value copied
/// it on every call.)
pub(crate) struct CapturesIf<'r, 'h>(Option<Box<regex::CaptureMatches<'r, 'h>>>);

impl<'h> Iterator for CapturesIf<'_, 'h> {
    type Item = regex::Captures<'h>;

    fn next(&mut self) -> Option<regex::Captures<'h>> {
        self.0.as_mut()?.next()
    }
}

/// What every match of `pattern` needs: its finite prefix or suffix set,
/// the literal sets it needs inside (the most selective [`MAX_SETS`]), and
/// the runs of [`RUN_CLASSES`] of two characters or more it holds. Nothing
/// when the pattern does not parse (it then runs on every text).
fn needs_of(pattern: &str) -> Needs {
    let Ok(hir) = regex_syntax::parse(pattern) else {
        return Needs::default();
    };
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
    let mut sets: Vec<Vec<Vec<u8>>> = [affix(ExtractKind::Prefix), affix(ExtractKind::Suffix)]
        .into_iter()
        .flatten()
        .chain(required(&hir))
        .map(|mut set| {
            set.sort();
            set.dedup();
            set
        })
        .collect();
    sets.sort_by_key(|l| std::cmp::Reverse(selectivity(l)));
    sets.dedup();
    // Beyond the best set, a lead byte of kana or kanji (U+3000 to U+9FFF:
    // E3 to E9) tells little (nearly every report text holds one) and costs
    // a look-up per text.
    let mut kept = 0;
    sets.retain(|set| {
        let keep = kept == 0 || !set.iter().any(|l| matches!(l[..], [0xE3..=0xE9]));
        kept += usize::from(keep);
        keep
    });
    sets.truncate(MAX_SETS);
    let runs = RUN_CLASS_SETS
        .iter()
        .enumerate()
        .map(|(i, class)| (i, run(&hir, class).inner))
        .filter(|&(_, n)| n >= 2)
        .collect();
    Needs { sets, runs }
}

/// Literal sets every match of `hir` needs, each a set one of whose
/// literals it contains: every part of a concatenation needs its own.
fn required(hir: &Hir) -> Vec<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Concat(parts) => parts.iter().flat_map(required).collect(),
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        _ => inner(hir).into_iter().collect(),
    }
}

/// What every match of a pattern holds of one class: lower bounds on its
/// longest run, the run it starts and the run it ends with, in characters;
/// `all` when it is made of the class's characters alone (at least that
/// many).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Run {
    all: Option<usize>,
    pre: usize,
    suf: usize,
    inner: usize,
}

impl Run {
    /// Made of `n` characters of the class (or more).
    fn all(n: usize) -> Self {
        Run {
            all: Some(n),
            pre: n,
            suf: n,
            inner: n,
        }
    }

    /// Nothing known (a character outside the class, or one that may be).
    const NONE: Run = Run {
        all: None,
        pre: 0,
        suf: 0,
        inner: 0,
    };

    /// `self` followed by `next`.
    fn then(self, next: Run) -> Run {
        if let (Some(a), Some(b)) = (self.all, next.all) {
            return Run::all(a + b);
        }
        let pre = self.all.map_or(self.pre, |a| a + next.pre);
        let suf = next.all.map_or(next.suf, |b| self.suf + b);
        Run {
            all: None,
            pre,
            suf,
            inner: self
                .inner
                .max(next.inner)
                .max(self.suf + next.pre)
                .max(pre)
                .max(suf),
        }
    }

    /// `self` or `other`.
    fn or(self, other: Run) -> Run {
        Run {
            all: self.all.zip(other.all).map(|(a, b)| a.min(b)),
            pre: self.pre.min(other.pre),
            suf: self.suf.min(other.suf),
            inner: self.inner.min(other.inner),
        }
    }
}

/// What every match of `hir` holds of `class` (see [`Run`]).
fn run(hir: &Hir, class: &ClassUnicode) -> Run {
    let one = |c: char| {
        if in_class(class, c) {
            Run::all(1)
        } else {
            Run::NONE
        }
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Run::all(0),
        HirKind::Literal(l) => match std::str::from_utf8(&l.0) {
            Ok(s) => s.chars().map(one).fold(Run::all(0), Run::then),
            Err(_) => Run::NONE,
        },
        HirKind::Class(Class::Unicode(c)) => {
            let mut outside = c.clone();
            outside.difference(class);
            if outside.ranges().is_empty() && !c.ranges().is_empty() {
                Run::all(1)
            } else {
                Run::NONE
            }
        }
        HirKind::Class(Class::Bytes(_)) => Run::NONE,
        HirKind::Capture(c) => run(&c.sub, class),
        HirKind::Repetition(r) => {
            if r.max == Some(0) {
                return Run::all(0);
            }
            let sub = run(&r.sub, class);
            let at_least_one = match sub.all {
                Some(n) => Run::all(n * r.min.max(1) as usize),
                None if r.min >= 2 => sub.then(sub),
                None => sub,
            };
            if r.min == 0 {
                Run::all(0).or(at_least_one)
            } else {
                at_least_one
            }
        }
        HirKind::Concat(parts) => parts
            .iter()
            .map(|p| run(p, class))
            .fold(Run::all(0), Run::then),
        HirKind::Alternation(alts) => alts
            .iter()
            .map(|a| run(a, class))
            .reduce(Run::or)
            .unwrap_or(Run::NONE),
    }
}

/// True when `c` is in `class`. A class's ranges are sorted and disjoint, so
/// a binary search (the long literal alternations, such as the surnames,
/// ask it per character).
fn in_class(class: &ClassUnicode, c: char) -> bool {
    class
        .ranges()
        .binary_search_by(|r| {
            if r.end() < c {
                std::cmp::Ordering::Less
            } else if r.start() > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
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

    /// `each_candidate` gives exactly the true indices, in order, as the
    /// walk over every flag did (round 29, `speed29b`): on every length
    /// from 0 to 300 with random flags of several densities, and on the rule
    /// lists the shared pass gives for every string of nine fixture sets
    /// and 20,000 generated texts.
    /// Every string (keys too) of nine development fixture sets: the
    /// shapes the pre-pass meets in real records.
    fn fixture_strings() -> Vec<String> {
        fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::String(s) => out.push(s.clone()),
                serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
                serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| {
                    out.push(k.clone());
                    strings(x, out)
                }),
                _ => {}
            }
        }
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut files = vec![
            fixtures.join("heldout-incidents.jsonl"),
            fixtures.join("heldout2-incidents.jsonl"),
        ];
        for set in [
            "dev", "dev5", "dev10", "dev15", "dev19", "frozen", "frozen26",
        ] {
            files.push(fixtures.join("unseen").join(set).join("incidents.jsonl"));
        }
        let mut texts = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                strings(&serde_json::from_str(line).unwrap(), &mut texts);
            }
        }
        texts
    }

    #[test]
    fn each_candidate_gives_the_true_indices_in_order() {
        let walk = |can: &[bool]| -> Vec<usize> {
            can.iter()
                .enumerate()
                .filter(|(_, c)| **c)
                .map(|(i, _)| i)
                .collect()
        };
        let each = |can: &[bool]| -> Vec<usize> {
            let mut v = Vec::new();
            each_candidate(can, |i| v.push(i));
            v
        };
        let mut g = Gen(0x29b0_5eed_0000_0002);
        let mut compared = 0;
        for len in 0..=300 {
            for density in [0, 1, 5, 50, 95, 100] {
                for _ in 0..4 {
                    let can: Vec<bool> = (0..len).map(|_| g.below(100) < density).collect();
                    assert_eq!(each(&can), walk(&can), "{can:?}");
                    compared += 1;
                }
            }
        }
        let r = super::super::Recognizers::new();
        let mut texts = fixture_strings();
        let pieces = [
            "株式会社",
            "山田",
            "さん",
            "対応",
            "スミレ",
            "センター",
            "03-1234-5678",
            "@",
            "example.com",
            "ABC",
            "x",
            "-",
            "_",
            ".",
            ":",
            "/",
            "#",
            "+81",
            "12",
            "7",
            "〒",
            "No.",
            "「",
            "」",
            "：",
            " ",
            "\n",
            "様",
            "店",
            "Ａ",
            "１",
            "ー",
        ];
        for _ in 0..20_000 {
            let len = 1 + g.below(10);
            texts.push((0..len).map(|_| pieces[g.below(pieces.len())]).collect());
        }
        let mut found = 0;
        for t in &texts {
            let n = Normalized::new(t);
            let can = r.prefilters.of(&n, Group::Rules);
            let want = walk(&can);
            found += want.len();
            assert_eq!(each(&can), want, "{t:?}");
            compared += 1;
        }
        assert!(compared > 30_000, "{compared}");
        // The rule lists have candidates (not all ruled out).
        assert!(found > 50_000, "{found}");
    }

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
        assert_eq!(can(&p, "SRV01 003-1234"), [true, true]);
        // Two digits before the hyphen: no run of eight digits and hyphens.
        assert_eq!(can(&p, "SRV01 03-1234"), [true, false]);
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
        let all = Prefilters::new(&[&p[0], &p[1], &p[2], &p[3]]);
        let other = Prefilters::new(&[&p[0], &p[1], &p[2], &p[3]]);
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

    /// The longest run of `class`'s characters in `t`, counted directly.
    fn longest(t: &str, class: &ClassUnicode) -> usize {
        let (mut cur, mut max) = (0, 0);
        for c in t.chars() {
            let inside = class
                .ranges()
                .iter()
                .any(|r| (r.start()..=r.end()).contains(&c));
            cur = if inside { cur + 1 } else { 0 };
            max = max.max(cur);
        }
        max
    }

    #[test]
    fn a_pattern_is_a_candidate_exactly_when_its_needs_hold() {
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
            r"\d{4}-\d{2}",
            r"\d+(?:件|人)",
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
            "2024-01",
            "24-01 件",
            "3人",
        ];
        let classes = run_classes();
        for t in texts {
            let want: Vec<bool> = patterns
                .iter()
                .map(|pat| {
                    let needs = needs_of(pat);
                    needs.sets.iter().all(|lits| {
                        lits.iter()
                            .any(|l| t.as_bytes().windows(l.len()).any(|w| w == l.as_slice()))
                    }) && needs
                        .runs
                        .iter()
                        .all(|&(c, n)| longest(t, &classes[c]) >= n)
                })
                .collect();
            assert_eq!(can(&p, t), want, "{t}");
        }
    }

    #[test]
    fn every_literal_set_and_run_a_pattern_needs_is_asked() {
        // A digit and a counter word, both; four digits in a row.
        let count = needs_of(r"\d[\d,]*(?:件|人|台)");
        assert!(count
            .sets
            .iter()
            .any(|s| s.contains(&"件".as_bytes().to_vec())));
        assert!(count.sets.iter().any(|s| s.contains(&b"7".to_vec())));
        let p = Prefilter::new([r"\d[\d,]*(?:件|人|台)", r"\d{4}[- ]?\d{4}", r"[a-z]{3,}"]);
        assert_eq!(can(&p, "3月に5台"), [true, false, false]);
        assert_eq!(can(&p, "3月に"), [false, false, false]);
        assert_eq!(can(&p, "1234 5678 abc"), [false, true, true]);
        assert_eq!(can(&p, "12-34 ab"), [false, false, false]);
        // Other scripts' digits are digits to `\d`: a text with one is never
        // ruled out by a run of digits.
        assert_eq!(can(&p, "١٢٣٤٥٦٧٨"), [false, true, false]);
    }

    #[test]
    fn class_membership_by_binary_search_is_the_ranges_scan() {
        let classes = run_classes().into_iter().chain(
            [r"\p{Han}", r"[\p{Katakana}ー&&[^・]]", r"\w", r"[ぁ-ゖ]"].map(|c| {
                match regex_syntax::parse(c).map(Hir::into_kind) {
                    Ok(HirKind::Class(Class::Unicode(c))) => c,
                    other => panic!("{c} is not a Unicode class: {other:?}"),
                }
            }),
        );
        for class in classes {
            // Every range's edges and their neighbours, and a sweep.
            let edges = class.ranges().iter().flat_map(|r| {
                let (s, e) = (u32::from(r.start()), u32::from(r.end()));
                [s.saturating_sub(1), s, e, e + 1]
            });
            for u in edges.chain((0..0x3_0000).step_by(97)) {
                let Some(c) = char::from_u32(u) else { continue };
                let scan = class
                    .ranges()
                    .iter()
                    .any(|r| (r.start()..=r.end()).contains(&c));
                assert_eq!(in_class(&class, c), scan, "{c:?} in {class:?}");
            }
        }
    }

    #[test]
    fn runs_are_lower_bounds_of_every_match() {
        let classes = run_classes();
        let inner = |pat: &str, class: usize| {
            run(&regex_syntax::parse(pat).unwrap(), &classes[class]).inner
        };
        // `\d`, `[\d\-]`, `[a-z]`, `[\dA-Z\-]`
        assert_eq!(inner(r"\d{1,6}(?:-\d{1,6}){2,4}|\d{2,6}-\d{5,8}", 1), 5);
        assert_eq!(inner(r"\d{1,6}(?:-\d{1,6}){2,4}|\d{2,6}-\d{5,8}", 0), 1);
        assert_eq!(inner(r"(?:\+81[- ]?)?0\d{1,4}[- ]\d{1,4}[- ]\d{3,4}", 0), 3);
        assert_eq!(inner(r"[a-z]{2}X?[a-z]", 2), 2);
        assert_eq!(inner(r"[a-z]{2}x?[a-z]", 2), 3);
        assert_eq!(inner(r"[a-z]{2}x[a-z]", 2), 4);
        assert_eq!(inner(r"[a-z]{2}(?:X[a-z])+", 2), 2);
        assert_eq!(inner(r"(?:ab)*c", 2), 1);
        assert_eq!(inner(r"^(?:ab){2}$", 2), 4);
        assert_eq!(
            inner(
                r"[A-Z][A-Z0-9]{0,7}(?:-[A-Z0-9]{1,12}){1,4}|[A-Z0-9]{6,16}",
                3
            ),
            3
        );
        assert_eq!(inner(r"(?i)ab", 2), 0);
    }

    /// A small deterministic generator (xorshift).
    struct Gen(u64);

    impl Gen {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// Whatever a built-in pattern matches, the pass lets through: on
    /// generated texts made of the pieces the rules are written in, every
    /// pattern whose regex matches is a candidate.
    #[test]
    fn no_built_in_pattern_that_matches_is_ruled_out() {
        let r = super::super::Recognizers::new();
        let patterns: Vec<regex::Regex> = r
            .rules
            .iter()
            .map(|r| r.re.as_str())
            .chain(r.persons.prefilter.sources.iter().map(String::as_str))
            .chain(r.slots.prefilter.sources.iter().map(String::as_str))
            .chain(r.labels.prefilter.sources.iter().map(String::as_str))
            .map(|s| regex::Regex::new(s).unwrap())
            .collect();
        let p = Prefilter::new(patterns.iter().map(regex::Regex::as_str));
        let pieces = [
            "0",
            "1",
            "2",
            "7",
            "9",
            "12",
            "2024",
            "03",
            "-",
            "-",
            ".",
            ":",
            "/",
            " ",
            "\u{3000}",
            "\n",
            "\t",
            "@",
            "(",
            ")",
            "[",
            "]",
            "a",
            "b",
            "k",
            "x",
            "ta",
            "ro",
            "ka",
            "A",
            "B",
            "Z",
            "X",
            "ID",
            "srv",
            "com",
            "jp",
            "年",
            "月",
            "日",
            "時",
            "分",
            "号",
            "件",
            "人",
            "台",
            "社",
            "株式会社",
            "(株)",
            "銀行",
            "市",
            "区",
            "町",
            "駅",
            "線",
            "さん",
            "様",
            "氏",
            "課長",
            "部長",
            "担当",
            "に",
            "が",
            "は",
            "の",
            "を",
            "と",
            "、",
            "。",
            "「",
            "」",
            "『",
            "』",
            "田中",
            "山田",
            "青葉",
            "佐藤",
            "花子",
            "あおば",
            "みどり",
            "ミナト",
            "テクノ",
            "システム",
            "ビル",
            "センター",
            "令和",
            "R",
            "H",
            "普通",
            "口座",
            "末尾",
            "〒",
            "番地",
            "丁目",
            "第",
            "工場",
            "対応",
            "確認",
            "報告",
            "連絡",
            "再起動",
            "本社",
            "営業部",
            "より",
            "から",
            "ー",
            "・",
            "١",
            "٣",
            "#",
            "No.",
            "*",
            "•",
            "%",
            "+81",
        ];
        let scan = Scan::new(p.needs.iter());
        // The built-in lists fit a pass's stack counts (else every pattern
        // would run: right, but slow).
        assert!(scan.need.len() <= MAX_PATTERNS, "{}", scan.need.len());
        assert!(
            scan.set_patterns.len() <= MAX_SET_IDS,
            "{}",
            scan.set_patterns.len()
        );
        assert!(scan.need.iter().filter(|&&n| n > 0).count() > 100);
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        let mut checked = 0;
        let mut can = Vec::new();
        for _ in 0..20_000 {
            let len = 1 + g.below(14);
            let t: String = (0..len).map(|_| pieces[g.below(pieces.len())]).collect();
            scan.candidates(&t, &mut can);
            for (re, c) in patterns.iter().zip(&can) {
                if re.is_match(&t) {
                    checked += 1;
                    assert!(c, "{} ruled out of {t:?}", re.as_str());
                }
            }
        }
        // The texts exercise the rules: many matches, not a handful.
        assert!(checked > 20_000, "{checked}");
    }

    /// The same for the patterns of the pass built on first use (sites,
    /// brands, set-apart and voice patterns), through `Recognizers::late`
    /// as the recognisers ask it: on generated texts of their heads, tail
    /// words, relations and separators, every pattern whose regex matches
    /// is a candidate of its list, at its index.
    #[test]
    fn no_late_pattern_that_matches_is_ruled_out() {
        let r = super::super::Recognizers::new();
        let lists = [
            (Late::Sites, r.sites.prefilter()),
            (Late::Brands, super::super::brands::prefilter()),
            (Late::Apart, r.apart.prefilter()),
            (Late::Voices, r.voices.prefilter()),
        ];
        let lists: Vec<(Late, Vec<regex::Regex>)> = lists
            .into_iter()
            .map(|(g, p)| {
                let res = p.sources.iter().map(|s| regex::Regex::new(s).unwrap());
                (g, res.collect())
            })
            .collect();
        let pieces = [
            "スミレ",
            "ツグミ",
            "ブルー",
            "オーシャン",
            "コンテナ",
            "ー",
            "・",
            "物流",
            "テック",
            "サービス",
            "倉庫",
            "センター",
            "DC",
            "支店",
            "の保守",
            "経由",
            "業者",
            "委託先",
            "ベンダー",
            "の",
            "は",
            "に",
            "さん",
            "様",
            "氏",
            "くん",
            "あおば",
            "すずらん",
            "みどり",
            "ひかる",
            "旅館",
            "病院",
            "苑",
            "荘",
            "亭",
            "記念館",
            "ホテル",
            "キッチン",
            "青葉",
            "朝日",
            "山田",
            "北",
            "基地局",
            "浄水場",
            "堂",
            "屋",
            "クリニック",
            "ソフト",
            "会",
            "営業",
            "担当者",
            "エンジニア",
            "スタジオ",
            "珈琲館",
            "カフェ",
            "工房",
            "管財",
            "商事",
            "株式会社",
            "<",
            ">",
            "@",
            "a",
            "x",
            ".",
            "jp",
            " ",
            "\u{3000}",
            "\t",
            "\n",
            ":",
            "：",
            "、",
            "。",
            "(",
            "（",
            "）",
            "/",
            "課長",
            "担当",
            "総務",
            "部",
            "受",
            "申請者",
            "代理",
            "です",
            "から",
            "10",
            "3",
            "年",
            "日",
            "確認",
        ];
        let mut g = Gen(0x2545_f491_4f6c_dd1d);
        let mut checked = 0;
        for _ in 0..20_000 {
            let len = 1 + g.below(10);
            let t: String = (0..len).map(|_| pieces[g.below(pieces.len())]).collect();
            let n = Normalized::new(&t);
            for (group, res) in &lists {
                let can = r.late(&n, *group);
                assert_eq!(can.len(), res.len());
                for (re, c) in res.iter().zip(can.iter()) {
                    if re.is_match(&n.text) {
                        checked += 1;
                        assert!(c, "{} ruled out of {t:?}", re.as_str());
                    }
                }
            }
        }
        // The texts exercise the patterns: many matches, not a handful.
        assert!(checked > 5_000, "{checked}");
    }

    /// The built-in lists in one automaton (round 28: the site, brand,
    /// set-apart and voice lists joined the start-up one) answer for each
    /// list what that list's own automaton answers, as the lists had before
    /// (the first four in one automaton, the last four in a second): on the
    /// strings of every development fixture record and on generated texts.
    /// So no pattern runs where it did not, nor is skipped where it ran.
    #[test]
    fn one_pass_for_every_list_answers_as_the_two_passes_did() {
        let r = super::super::Recognizers::new();
        let rules = Prefilter::new(r.rules.iter().map(|x| x.re.as_str()));
        let (sites, brands) = (r.sites.prefilter(), super::super::brands::prefilter());
        let (apart, voices) = (r.apart.prefilter(), r.voices.prefilter());
        let first = Prefilters::new(&[
            &rules,
            &r.persons.prefilter,
            &r.slots.prefilter,
            &r.labels.prefilter,
        ]);
        let second = Prefilters::new(&[&sites, &brands, &apart, &voices]);
        let groups = [Group::Rules, Group::Persons, Group::Slots, Group::Labels];
        let lates = [Late::Sites, Late::Brands, Late::Apart, Late::Voices];
        let mut texts = fixture_strings();
        let pieces = [
            "株式会社",
            "山田",
            "さん",
            "が",
            "対応",
            "スミレ",
            "物流",
            "センター",
            "支店",
            "03-1234-5678",
            "@",
            "example.com",
            "ABC",
            "-",
            "12",
            "倉庫",
            "「",
            "」",
            "：",
            " ",
            "\n",
            "様",
            "店",
        ];
        let mut g = Gen(0x1234_5678_9abc_def1);
        for _ in 0..5_000 {
            let len = 1 + g.below(12);
            texts.push((0..len).map(|_| pieces[g.below(pieces.len())]).collect());
        }
        assert!(texts.len() > 10_000, "{}", texts.len());
        let mut ruled_out = 0;
        for t in &texts {
            let n = Normalized::new(t);
            let (a, b) = (Normalized::new(t), Normalized::new(t));
            for g in groups {
                let want = first.of(&a, g);
                assert_eq!(*r.prefilters.of(&n, g), *want, "{t:?}");
                ruled_out += want.iter().filter(|c| !**c).count();
            }
            for (i, l) in lates.into_iter().enumerate() {
                let want = second.of(&b, groups[i]);
                assert_eq!(*r.prefilters.of_late(&n, l), *want, "{t:?}");
                ruled_out += want.iter().filter(|c| !**c).count();
            }
        }
        // The passes rule patterns out (none fell back to running all).
        assert!(ruled_out > 100_000, "{ruled_out}");
    }
}
