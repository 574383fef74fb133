//! How close the kept related lessons (what a lesson page reads) are to those
//! the reference query (the one `similar` runs) finds now, and what each
//! costs; and, for free texts, a cheaper candidate query beside the reference.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Depth, SimilarTo};
use crate::doc::IndexDoc;
use crate::error::SearchError;
use crate::eval::{graded_ndcg_at, Scenario};
use crate::index::SearchIndex;
use crate::related::RelatedStore;

/// Kept related lessons (what a lesson page reads) beside the reference
/// lookup run now, over a sample of lessons of one index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelatedComparison {
    /// What the index and the sample are (e.g. `synthetic`, `catalogue`).
    pub name: String,
    /// Lessons in the index.
    pub lessons: u64,
    /// Lessons added to the index after the sample's lists were kept (each
    /// refreshing its own neighbours' lists, as a hub does).
    pub newer: u64,
    /// Lessons whose neighbours were looked up.
    pub sample: usize,
    /// Neighbours compared per lesson.
    pub k: usize,
    /// Mean share of the reference's `k` neighbours the kept list also has.
    pub overlap_at_k: f64,
    /// Share of lessons whose first neighbour is the same.
    pub same_first: f64,
    /// Mean of: the kept neighbours' scores under the reference query, over the
    /// reference neighbours' (1.0 = as good by the reference's own measure; a tie
    /// swapped for its equal counts in full, unlike in the overlap).
    pub score_ratio: f64,
    /// CPU ms per kept lookup (what a page pays), from the caller's clock.
    pub kept_cpu_ms: f64,
    /// CPU ms per reference lookup (what a page paid before).
    pub reference_cpu_ms: f64,
}

/// nDCG@10 of `similar` for free texts (a raw incident's "similar lessons"):
/// judged scenarios run as texts, with the fast and the reference query.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimilarTextScore {
    /// What the scenarios are (their file name).
    pub name: String,
    /// Scenarios scored.
    pub queries: usize,
    /// Mean nDCG@10 with the fast query.
    pub fast_ndcg_at_10: f64,
    /// Mean nDCG@10 with the reference query.
    pub reference_ndcg_at_10: f64,
}

/// Reads the kept `k` neighbours of each lesson of `sample` (all in `index`,
/// the index at position `now`, `newer` lessons added since the lists were
/// kept) the way a page does, looks them up with the reference query, and
/// compares; `cpu` is a clock of this thread's or process's CPU seconds (the
/// crate measures no time itself).
#[allow(clippy::too_many_arguments)]
pub fn compare_related(
    name: &str,
    index: &SearchIndex,
    store: &RelatedStore,
    sample: &[IndexDoc],
    k: usize,
    now: u64,
    newer: u64,
    cpu: &dyn Fn() -> f64,
) -> Result<RelatedComparison, SearchError> {
    let none = HashSet::new();
    let (mut kept_secs, mut reference_secs) = (0.0, 0.0);
    let (mut overlap, mut same_first, mut ratio) = (0.0, 0usize, 0.0);
    let searcher = index.searcher();
    for doc in sample {
        let to = SimilarTo::Lesson(doc);
        let t0 = cpu();
        let kept = index.related(store, doc, k, now)?;
        let t1 = cpu();
        let reference = index.similar_with(to, k, &none, Depth::Reference)?;
        let t2 = cpu();
        kept_secs += t1 - t0;
        reference_secs += t2 - t1;
        let kept: Vec<String> = kept.into_iter().map(|n| n.id).collect();
        let reference: Vec<String> = reference.into_iter().map(|h| h.hit.id).collect();
        if reference.is_empty() {
            // Nothing to find either way: as good as the reference.
            overlap += 1.0;
            ratio += 1.0;
            same_first += usize::from(kept.is_empty());
            continue;
        }
        let shared = kept.iter().filter(|id| reference.contains(id)).count();
        overlap += shared as f64 / reference.len() as f64;
        same_first += usize::from(kept.first() == reference.first());
        // Both lists scored by the reference query alone (no domain prior).
        let probe = index.probe(&searcher, to, Depth::Reference)?;
        let scores = index.scores_of(&searcher, &probe.weighted, &kept, &reference)?;
        let sum = |ids: &[String]| -> f64 {
            ids.iter()
                .map(|id| f64::from(scores.get(id).copied().unwrap_or(0.0)))
                .sum()
        };
        let best = sum(&reference);
        ratio += if best > 0.0 { sum(&kept) / best } else { 1.0 };
    }
    let n = sample.len().max(1) as f64;
    Ok(RelatedComparison {
        name: name.to_owned(),
        lessons: index.len(),
        newer,
        sample: sample.len(),
        k,
        overlap_at_k: overlap / n,
        same_first: same_first as f64 / n,
        score_ratio: ratio / n,
        kept_cpu_ms: kept_secs * 1000.0 / n,
        reference_cpu_ms: reference_secs * 1000.0 / n,
    })
}

/// nDCG@10 of [`SearchIndex::similar`] for each scenario's query taken as a raw
/// incident text, with the fast and the reference query.
pub fn score_similar_texts(
    name: &str,
    index: &SearchIndex,
    scenarios: &[Scenario],
) -> Result<SimilarTextScore, SearchError> {
    let none = HashSet::new();
    let (mut fast, mut reference) = (0.0, 0.0);
    for s in scenarios {
        let gains = s.gains();
        for (depth, sum) in [(Depth::Fast, &mut fast), (Depth::Reference, &mut reference)] {
            let hits = index.similar_with(SimilarTo::Text(&s.query), 10, &none, depth)?;
            let ranking: Vec<String> = hits
                .into_iter()
                .map(|h| h.hit.r#ref.unwrap_or(h.hit.id))
                .collect();
            *sum += graded_ndcg_at(&ranking, &gains, 10);
        }
    }
    let n = scenarios.len().max(1) as f64;
    Ok(SimilarTextScore {
        name: name.to_owned(),
        queries: scenarios.len(),
        fast_ndcg_at_10: fast / n,
        reference_ndcg_at_10: reference / n,
    })
}

impl SearchIndex {
    /// Scores under `weighted` (no prior, no feedback) of the lessons with the
    /// given ids.
    fn scores_of(
        &self,
        searcher: &tantivy::Searcher,
        weighted: &[(String, f32)],
        a: &[String],
        b: &[String],
    ) -> Result<HashMap<String, f32>, SearchError> {
        let mut cands = Vec::new();
        for id in a.iter().chain(b) {
            if let Some(addr) = self.address_of(searcher, id)? {
                cands.push((0.0, addr));
            }
        }
        cands.sort_by_key(|c| c.1);
        cands.dedup_by_key(|c| c.1);
        let mut out = HashMap::new();
        for (score, addr) in self.rescore(searcher, weighted, cands)? {
            out.insert(self.load(searcher, addr)?.id, score);
        }
        Ok(out)
    }
}

impl fmt::Display for RelatedComparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<10} {:>8} lessons ({} newer than the lists), {:>4} looked up: overlap@{} {:.3}, same first {:.3}, score ratio {:.3}; cpu ms/lookup kept {:.3}, reference {:.2}",
            self.name,
            self.lessons,
            self.newer,
            self.sample,
            self.k,
            self.overlap_at_k,
            self.same_first,
            self.score_ratio,
            self.kept_cpu_ms,
            self.reference_cpu_ms
        )
    }
}

impl fmt::Display for SimilarTextScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<24} {:>3} texts: nDCG@10 fast {:.3}, reference {:.3}",
            self.name, self.queries, self.fast_ndcg_at_10, self.reference_ndcg_at_10
        )
    }
}
