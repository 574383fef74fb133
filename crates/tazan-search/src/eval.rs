//! Retrieval quality: nDCG@10 and MAP over scenario files (`id, query, relevant[]`).

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::SearchError;
use crate::index::{SearchIndex, SearchRequest};

/// One judged query, as in `scenarios.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scenario {
    /// Query id.
    pub id: String,
    /// The reader's situation in their own words.
    pub query: String,
    /// Relevant lessons, by `ref` (catalogue number) or id.
    pub relevant: Vec<String>,
}

/// Scores of one query.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryScore {
    /// Query id.
    pub id: String,
    /// nDCG over the first 10 hits (binary gains).
    pub ndcg_at_10: f64,
    /// Average precision over the whole ranking.
    pub average_precision: f64,
    /// The first 10 hits, by `ref` or id.
    pub top10: Vec<String>,
    /// The judged relevant lessons.
    pub relevant: Vec<String>,
}

/// Mean scores over a scenario file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalReport {
    /// Mean nDCG@10.
    pub ndcg_at_10: f64,
    /// Mean average precision.
    pub map: f64,
    /// Per query.
    pub per_query: Vec<QueryScore>,
}

/// Hits retrieved per query for average precision.
const DEPTH: usize = 100;

/// Reads scenario JSONL; extra keys (`purpose`, `scene`) are ignored.
pub fn load_scenarios(path: &Path) -> Result<Vec<Scenario>, SearchError> {
    let text = std::fs::read_to_string(path).map_err(|source| SearchError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(
            serde_json::from_str(line).map_err(|e| SearchError::BadLine {
                path: path.to_path_buf(),
                line: i + 1,
                reason: e.to_string(),
            })?,
        );
    }
    Ok(out)
}

/// Runs every scenario in the file against `index` and scores the rankings.
pub fn evaluate(index: &SearchIndex, scenarios_path: &Path) -> Result<EvalReport, SearchError> {
    evaluate_scenarios(index, &load_scenarios(scenarios_path)?)
}

/// [`evaluate`] on scenarios already in memory.
pub fn evaluate_scenarios(
    index: &SearchIndex,
    scenarios: &[Scenario],
) -> Result<EvalReport, SearchError> {
    let mut per_query = Vec::with_capacity(scenarios.len());
    for s in scenarios {
        let hits = index.search(&SearchRequest {
            query: s.query.clone(),
            limit: DEPTH,
            ..SearchRequest::default()
        })?;
        let ranking: Vec<String> = hits.into_iter().map(|h| h.r#ref.unwrap_or(h.id)).collect();
        let relevant: HashSet<&str> = s.relevant.iter().map(String::as_str).collect();
        per_query.push(QueryScore {
            id: s.id.clone(),
            ndcg_at_10: ndcg_at(&ranking, &relevant, 10),
            average_precision: average_precision(&ranking, &relevant),
            top10: ranking.iter().take(10).cloned().collect(),
            relevant: s.relevant.clone(),
        });
    }
    let n = per_query.len().max(1) as f64;
    Ok(EvalReport {
        ndcg_at_10: per_query.iter().map(|q| q.ndcg_at_10).sum::<f64>() / n,
        map: per_query.iter().map(|q| q.average_precision).sum::<f64>() / n,
        per_query,
    })
}

/// nDCG@k with binary gains; 0 when nothing is relevant.
pub(crate) fn ndcg_at(ranking: &[String], relevant: &HashSet<&str>, k: usize) -> f64 {
    let dcg: f64 = ranking
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, r)| relevant.contains(r.as_str()))
        .map(|(i, _)| 1.0 / ((i + 2) as f64).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(k))
        .map(|i| 1.0 / ((i + 2) as f64).log2())
        .sum();
    if ideal == 0.0 {
        0.0
    } else {
        dcg / ideal
    }
}

/// Average precision; relevant lessons never retrieved count as misses.
pub(crate) fn average_precision(ranking: &[String], relevant: &HashSet<&str>) -> f64 {
    if relevant.is_empty() {
        return 0.0;
    }
    let mut found = 0usize;
    let mut sum = 0.0;
    for (i, r) in ranking.iter().enumerate() {
        if relevant.contains(r.as_str()) {
            found += 1;
            sum += found as f64 / (i + 1) as f64;
        }
    }
    sum / relevant.len() as f64
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<12} {:>8} {:>8}  top 10 (* = relevant)",
            "query", "nDCG@10", "AP"
        )?;
        for q in &self.per_query {
            let rel: HashSet<&str> = q.relevant.iter().map(String::as_str).collect();
            let top: Vec<String> = q
                .top10
                .iter()
                .map(|r| {
                    if rel.contains(r.as_str()) {
                        format!("{r}*")
                    } else {
                        r.clone()
                    }
                })
                .collect();
            writeln!(
                f,
                "{:<12} {:>8.3} {:>8.3}  {}",
                q.id,
                q.ndcg_at_10,
                q.average_precision,
                top.join(" ")
            )?;
        }
        write!(
            f,
            "{:<12} {:>8.3} {:>8.3}  ({} queries)",
            "mean",
            self.ndcg_at_10,
            self.map,
            self.per_query.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: &[&str]) -> Vec<String> {
        x.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn perfect_and_empty_rankings() {
        let rel: HashSet<&str> = ["a", "b"].into();
        assert!((ndcg_at(&v(&["a", "b", "c"]), &rel, 10) - 1.0).abs() < 1e-9);
        assert!((average_precision(&v(&["a", "b", "c"]), &rel) - 1.0).abs() < 1e-9);
        assert_eq!(ndcg_at(&v(&["c", "d"]), &rel, 10), 0.0);
        assert_eq!(average_precision(&[], &rel), 0.0);
    }

    #[test]
    fn known_values() {
        let rel: HashSet<&str> = ["a", "b"].into();
        // Relevant at ranks 2 and 3.
        let r = v(&["x", "a", "b"]);
        let dcg = 1.0 / 3f64.log2() + 1.0 / 4f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2();
        assert!((ndcg_at(&r, &rel, 10) - dcg / idcg).abs() < 1e-9);
        assert!((average_precision(&r, &rel) - (0.5 + 2.0 / 3.0) / 2.0).abs() < 1e-9);
        // Cut-off at k.
        assert_eq!(ndcg_at(&r, &rel, 1), 0.0);
    }
}
