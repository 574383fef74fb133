//! Leftmost-longest search for a record's own few terms (its names, the
//! echoes of what it masked). An Aho-Corasick automaton costs more to build
//! (~140,000 instructions, once per record) than searching a short text for
//! a dozen strings one after another, so up to [`FEW`] terms are searched
//! directly, and only larger sets get an automaton. Both find the same
//! matches: leftmost first, the longest at a position, the first-listed term
//! among equals, no two overlapping.

use std::cell::RefCell;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use memchr::memmem::Finder;

/// Up to this many terms, no automaton is built.
const FEW: usize = 32;

/// A set of non-empty terms to find in a text.
pub(crate) enum Terms {
    /// Each non-empty term with its searcher, built once per record
    /// (`str::find` sets up a searcher on every call: per term, per text),
    /// and its index in the terms given.
    Few(Vec<(usize, Finder<'static>)>),
    Many(AhoCorasick),
}

impl Terms {
    /// `None` when `terms` holds no non-empty term. Term indices are the
    /// positions in `terms`.
    pub(crate) fn new(terms: &[String]) -> Option<Self> {
        if terms.iter().all(String::is_empty) {
            return None;
        }
        if terms.len() <= FEW {
            let mut few = spare_list();
            few.extend(
                terms
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| !t.is_empty())
                    .map(|(i, t)| (i, Finder::new(t).into_owned())),
            );
            return Some(Terms::Few(few));
        }
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(terms)
            .ok()
            .map(Terms::Many)
    }

    /// The matches in `hay`, left to right: byte range and term index.
    pub(crate) fn find(&self, hay: &str) -> Vec<(Range<usize>, usize)> {
        match self {
            Terms::Many(ac) => ac
                .find_iter(hay)
                .map(|m| (m.range(), m.pattern().as_usize()))
                .collect(),
            Terms::Few(terms) => {
                // Every occurrence, overlapping ones too, then the leftmost-
                // longest choice among them.
                // A match of a UTF-8 term in UTF-8 text starts on a character
                // boundary, so the byte search finds what `str::find` finds.
                let mut all = Vec::new();
                for (i, t) in terms {
                    let mut from = 0;
                    while let Some(at) = t.find(&hay.as_bytes()[from..]) {
                        let s = from + at;
                        all.push((s..s + t.needle().len(), *i));
                        from = s + hay[s..].chars().next().map_or(1, char::len_utf8);
                    }
                }
                all.sort_by_key(|(r, i)| (r.start, std::cmp::Reverse(r.end), *i));
                let mut end = 0;
                all.retain(|(r, _)| {
                    let keep = r.start >= end;
                    if keep {
                        end = r.end;
                    }
                    keep
                });
                all
            }
        }
    }
}

/// The searchers of [`Terms::Few`]: a searcher is aligned to 32 bytes (its
/// vector registers), and an allocation so aligned costs `posix_memalign`,
/// about ten thousand instructions on a heap the recognisers have
/// fragmented, once for each of the two or three sets a record builds.
type FewList = Vec<(usize, Finder<'static>)>;

thread_local! {
    /// Emptied lists of dropped [`Terms`], their allocations reused by the
    /// next (no searcher or answer is kept: only the memory).
    static SPARE: RefCell<Vec<FewList>> = const { RefCell::new(Vec::new()) };
}

/// At most this many emptied lists are kept per thread.
const SPARE_LISTS: usize = 8;

/// An empty list, with the allocation of a dropped one if there is one.
fn spare_list() -> FewList {
    SPARE
        .try_with(|s| s.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

impl Drop for Terms {
    fn drop(&mut self) {
        if let Terms::Few(few) = self {
            let mut list = std::mem::take(few);
            list.clear();
            // Gone at the thread's end: the list is then freed as usual.
            let _ = SPARE.try_with(|s| {
                let mut s = s.borrow_mut();
                if s.len() < SPARE_LISTS {
                    s.push(list);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct search finds what the automaton finds.
    #[test]
    fn few_terms_match_like_the_automaton() {
        let cases: [(&[&str], &str); 5] = [
            (&["ab", "abc", "b"], "xabcabx b"),
            (&["aa", "xa"], "xaaa"),
            (
                &["みなと", "みなと興産", "興産"],
                "みなと興産とみなとの興産",
            ),
            (&["a", "a"], "aaa"),
            (&["ｴｺ", "ｴ"], "ｴｺｴｺｴ"),
        ];
        for (terms, hay) in cases {
            let terms: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
            let few = Terms::new(&terms).unwrap().find(hay);
            let ac = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&terms)
                .unwrap();
            let want: Vec<_> = ac
                .find_iter(hay)
                .map(|m| (m.range(), m.pattern().as_usize()))
                .collect();
            assert_eq!(few, want, "{terms:?} in {hay:?}");
        }
    }
}
