//! `tazan eval related`: what a cheaper related-lessons query keeps of the
//! reference one `similar` runs, and what each costs per lookup.
//!
//! Three measures, each beside the reference query (the one `similar` runs):
//! - a synthetic index of `lessons` lessons (the portal benchmark's), the
//!   neighbours of `sample` random lessons: overlap@k, same first neighbour,
//!   score ratio, CPU ms per lookup;
//! - the shared catalogue (`--catalog`), every lesson's neighbours among the
//!   others: the same figures on real lesson text;
//! - judged scenarios (`--scenarios`), each query taken as a raw incident's
//!   text: nDCG@10 of its similar lessons in the catalogue.

use std::fmt;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;
use tazan_search::{IndexDoc, RelatedComparison, SearchIndex, SimilarTextScore};

use super::portal::cpu_secs;

/// What to compare.
#[derive(Debug, Clone)]
pub struct RelatedParams {
    /// Synthetic lessons indexed (0 skips the synthetic comparison).
    pub lessons: usize,
    /// Synthetic lessons whose neighbours are looked up.
    pub sample: usize,
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
    /// Lessons' neighbours, fast beside reference.
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
        for d in tazan_search::synthetic_lessons(p.lessons, p.seed) {
            index.add(&d)?;
        }
        index.commit()?;
        report.index_secs = started.elapsed().as_secs_f64();
        let mut rng = p.seed | 1;
        let mut sample: Vec<IndexDoc> = Vec::with_capacity(p.sample);
        for _ in 0..p.sample {
            // xorshift: repeatable picks over the index
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let i = (rng % p.lessons as u64) as usize;
            let id = format!("syn-{:x}-{i:08}", p.seed);
            sample.push(index.get(&id)?.context("a synthetic lesson is missing")?);
        }
        report.lessons.push(tazan_search::compare_related(
            "synthetic",
            &index,
            &sample,
            p.k,
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
        report.lessons.push(tazan_search::compare_related(
            "catalogue",
            &index,
            &docs,
            p.k,
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
