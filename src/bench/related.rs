//! `tazan eval related`: what the related lessons a hub keeps (computed once
//! per lesson, refreshed as lessons arrive) keep of the reference query run
//! now, and what each costs per lookup.
//!
//! Three measures:
//! - a synthetic index of `lessons` lessons (the portal benchmark's): the
//!   lists of `sample` random lessons are kept, then the last `newer` lessons
//!   arrive (indexed in batches, each refreshing its neighbours' lists, as a
//!   hub's task does); the kept lists beside the reference lookup run on the
//!   full index: overlap@k, same first neighbour, score ratio, CPU ms per
//!   lookup;
//! - the shared catalogue (`--catalog`), every lesson's kept list among the
//!   others (fresh: identical lists expected);
//! - judged scenarios (`--scenarios`), each query taken as a raw incident's
//!   text (never kept): nDCG@10 of its similar lessons in the catalogue, with
//!   the cheaper 16-term candidate query and the reference.

use std::fmt;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;
use tazan_search::{IndexDoc, RelatedComparison, RelatedStore, SearchIndex, SimilarTextScore};

use super::portal::cpu_secs;

/// What to compare.
#[derive(Debug, Clone)]
pub struct RelatedParams {
    /// Synthetic lessons indexed (0 skips the synthetic comparison).
    pub lessons: usize,
    /// Synthetic lessons whose neighbours are looked up.
    pub sample: usize,
    /// Synthetic lessons that arrive after the sample's lists were kept.
    pub newer: usize,
    /// Neighbours compared per lesson.
    pub k: usize,
    /// Seed of the lessons and the sample.
    pub seed: u64,
    /// The shared catalogue, for the comparison on real text and the scenarios.
    pub catalog: Option<PathBuf>,
    /// Judged scenarios (need the catalogue).
    pub scenarios: Vec<PathBuf>,
}

/// What `tazan eval related` measured.
#[derive(Debug, Serialize)]
pub struct RelatedReport {
    /// Seconds to index the synthetic lessons.
    pub index_secs: f64,
    /// Lessons' kept neighbours beside the reference.
    pub lessons: Vec<RelatedComparison>,
    /// Raw texts' similar lessons, fast beside reference.
    pub texts: Vec<SimilarTextScore>,
}

impl fmt::Display for RelatedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.index_secs > 0.0 {
            writeln!(f, "synthetic lessons indexed in {:.1} s", self.index_secs)?;
        }
        for c in &self.lessons {
            writeln!(f, "{c}")?;
        }
        for t in &self.texts {
            writeln!(f, "{t}")?;
        }
        Ok(())
    }
}

/// Run the comparison.
pub fn related(p: &RelatedParams) -> Result<RelatedReport> {
    let mut report = RelatedReport {
        index_secs: 0.0,
        lessons: Vec::new(),
        texts: Vec::new(),
    };
    if p.lessons > 0 {
        let started = Instant::now();
        let index = SearchIndex::in_ram_with(&tazan_search::IndexOptions::default())?;
        let newer = p.newer.min(p.lessons.saturating_sub(1));
        let older = p.lessons - newer;
        let mut docs = tazan_search::synthetic_lessons(p.lessons, p.seed);
        for d in docs.by_ref().take(older) {
            index.add(&d)?;
        }
        index.commit()?;
        report.index_secs = started.elapsed().as_secs_f64();
        let mut rng = p.seed | 1;
        let mut sample: Vec<IndexDoc> = Vec::with_capacity(p.sample);
        for _ in 0..p.sample {
            // xorshift: repeatable picks over the lessons there first
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let i = (rng % older as u64) as usize;
            let id = format!("syn-{:x}-{i:08}", p.seed);
            sample.push(index.get(&id)?.context("a synthetic lesson is missing")?);
        }
        // Positions are lesson counts here (a hub's are log entries).
        let store = RelatedStore::temporary()?;
        for d in &sample {
            index.keep_related(&store, d, older as u64)?;
        }
        let mut seq = older as u64;
        let rest: Vec<IndexDoc> = docs.collect();
        for batch in rest.chunks(64) {
            for d in batch {
                index.add(d)?;
            }
            index.commit()?;
            let at = seq + batch.len() as u64;
            for d in batch {
                seq += 1;
                index.related_added(&store, d, seq, at)?;
            }
        }
        report.lessons.push(tazan_search::compare_related(
            "synthetic",
            &index,
            &store,
            &sample,
            p.k,
            seq,
            newer as u64,
            &cpu_secs,
        )?);
    }
    if let Some(catalog) = &p.catalog {
        let docs = tazan_search::load_catalog(catalog)?;
        let index = SearchIndex::in_ram()?;
        for d in &docs {
            index.upsert(d)?;
        }
        index.commit()?;
        let store = RelatedStore::temporary()?;
        for d in &docs {
            index.keep_related(&store, d, 0)?;
        }
        report.lessons.push(tazan_search::compare_related(
            "catalogue",
            &index,
            &store,
            &docs,
            p.k,
            0,
            0,
            &cpu_secs,
        )?);
        for path in &p.scenarios {
            let scenarios = tazan_search::load_scenarios(path)?;
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into(),
            );
            report.texts.push(tazan_search::score_similar_texts(
                &name, &index, &scenarios,
            )?);
        }
    } else if !p.scenarios.is_empty() {
        anyhow::bail!("--scenarios needs --catalog: the scenarios judge catalogue lessons");
    }
    Ok(report)
}
