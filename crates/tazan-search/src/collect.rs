//! A top-k collector that applies a filter without giving up block-WAND pruning.
//!
//! Intersecting a scored disjunction with a filter query makes tantivy score every
//! filtered document. Here the filter is evaluated once per segment into a bitset and
//! checked inside the pruning callback, so the disjunction keeps skipping blocks that
//! cannot beat the current k-th score.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

/// Top `k` by score among documents allowed by `allowed` (all live documents when `None`).
pub(crate) struct FilteredTop<'a> {
    pub(crate) k: usize,
    pub(crate) allowed: Option<&'a FilterBits>,
    /// Allowed `level_code` values as a bit mask, checked on the fast field.
    pub(crate) levels: Option<u64>,
}

/// A filter evaluated once per search: one bitset per segment, by segment ordinal.
pub(crate) struct FilterBits(Vec<Vec<u64>>);

impl FilterBits {
    /// Evaluates `filter` (a weight built with scoring disabled) on every segment.
    pub(crate) fn new(filter: &dyn Weight, readers: &[SegmentReader]) -> tantivy::Result<Self> {
        let mut out = Vec::with_capacity(readers.len());
        for reader in readers {
            let mut bits = vec![0u64; (reader.max_doc() as usize).div_ceil(64)];
            let mut s = filter.scorer(reader, 1.0)?;
            let mut d = s.doc();
            while d != TERMINATED {
                bits[d as usize / 64] |= 1u64 << (d % 64);
                d = s.advance();
            }
            out.push(bits);
        }
        Ok(FilterBits(out))
    }
}

/// Per-segment state.
pub(crate) struct SegmentTop {
    ord: SegmentOrdinal,
    k: usize,
    heap: BinaryHeap<Entry>,
    allowed: Option<Vec<u64>>,
}

/// Min-heap entry: the weakest hit is on top; ties keep the lower doc id.
#[derive(Debug, Clone, Copy)]
struct Entry {
    score: Score,
    doc: DocId,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed score: BinaryHeap is a max-heap, we want the minimum on top.
        other
            .score
            .total_cmp(&self.score)
            .then(self.doc.cmp(&other.doc))
    }
}

impl SegmentTop {
    fn allowed(&self, doc: DocId) -> bool {
        match &self.allowed {
            None => true,
            Some(bits) => bits
                .get(doc as usize / 64)
                .is_some_and(|w| w & (1u64 << (doc % 64)) != 0),
        }
    }

    fn push(&mut self, doc: DocId, score: Score) {
        if self.heap.len() < self.k {
            self.heap.push(Entry { score, doc });
        } else if let Some(mut top) = self.heap.peek_mut() {
            if score > top.score {
                *top = Entry { score, doc };
            }
        }
    }

    fn threshold(&self) -> Score {
        if self.heap.len() < self.k {
            Score::MIN
        } else {
            self.heap.peek().map_or(Score::MIN, |e| e.score)
        }
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.allowed(doc) {
            self.push(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        let ord = self.ord;
        self.heap
            .into_iter()
            .map(|e| (e.score, DocAddress::new(ord, e.doc)))
            .collect()
    }
}

impl Collector for FilteredTop<'_> {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        let allowed = self
            .allowed
            .map(|b| b.0.get(ord as usize).cloned().unwrap_or_default());
        Ok(SegmentTop {
            ord,
            k: self.k,
            heap: BinaryHeap::with_capacity(self.k + 1),
            allowed,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(Score, DocAddress)>>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(Score, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        all.truncate(self.k);
        Ok(all)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        ord: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<(Score, DocAddress)>> {
        if self.k == 0 {
            return Ok(Vec::new());
        }
        // Borrow this segment's bitset instead of copying it into the segment collector.
        let bits: Option<&[u64]> = self
            .allowed
            .map(|b| b.0.get(ord as usize).map_or(&[][..], |v| &v[..]));
        let mut seg = SegmentTop {
            ord,
            k: self.k,
            heap: BinaryHeap::with_capacity(self.k + 1),
            allowed: None,
        };
        let alive = reader.alive_bitset();
        let levels = match self.levels {
            Some(mask) => Some((mask, reader.fast_fields().u64("level_code")?)),
            None => None,
        };
        weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            let in_bits = bits.is_none_or(|b| {
                b.get(doc as usize / 64)
                    .is_some_and(|w| w & (1u64 << (doc % 64)) != 0)
            });
            let allowed = in_bits
                && levels.as_ref().is_none_or(|(mask, col)| {
                    col.first(doc)
                        .is_some_and(|c| c < 64 && mask & (1u64 << c) != 0)
                });
            if allowed && alive.is_none_or(|a| a.is_alive(doc)) {
                seg.push(doc, score);
            }
            seg.threshold()
        })?;
        Ok(seg.harvest())
    }
}
