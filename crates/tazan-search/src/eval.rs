//! Retrieval quality: nDCG@10 and MAP over scenario files (`id, query, relevant[]`,
//! optionally `grades`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::SearchError;
use crate::index::{Hit, SearchIndex, SearchRequest};

/// One judged query, as in `scenarios.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scenario {
    /// Query id.
    pub id: String,
    /// The reader's situation in their own words.
    pub query: String,
    /// Relevant lessons, by `ref` (catalogue number) or id.
    pub relevant: Vec<String>,
    /// Optional graded relevance (`{"T3": 2, "G4": 1}`), each key one of `relevant`,
    /// each grade ≥ 1; a relevant lesson without a grade counts 1. When absent, nDCG
    /// uses binary gains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grades: Option<BTreeMap<String, u32>>,
    /// The usage purpose the reader has (one of the seven, in any written form), when
    /// judged: scores [`route_situation`](tazan_model::scene::route_situation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

impl Scenario {
    /// The gain of each relevant lesson: its grade, or 1.
    pub(crate) fn gains(&self) -> HashMap<&str, f64> {
        self.relevant
            .iter()
            .map(|r| {
                let g = self
                    .grades
                    .as_ref()
                    .and_then(|g| g.get(r))
                    .copied()
                    .unwrap_or(1);
                (r.as_str(), f64::from(g))
            })
            .collect()
    }

    /// Why the judgements are unusable, if they are.
    fn check(&self) -> Result<(), String> {
        let mut seen = HashSet::new();
        for r in &self.relevant {
            if !seen.insert(r.as_str()) {
                return Err(format!("relevant: {r} is listed twice"));
            }
        }
        for (id, g) in self.grades.iter().flatten() {
            if !seen.contains(id.as_str()) {
                return Err(format!("grades: {id} is not in relevant"));
            }
            if *g == 0 {
                return Err(format!("grades: {id} has grade 0 (grades start at 1)"));
            }
        }
        Ok(())
    }
}

/// Scores of one query.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryScore {
    /// Query id.
    pub id: String,
    /// nDCG over the first 10 hits (graded gains when the scenario has grades).
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
    /// How well queries are routed to their judged purpose, when scenarios give one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<RoutingScore>,
}

/// Purpose routing against judged purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingScore {
    /// Scenarios with a judged purpose.
    pub judged: usize,
    /// Of those, routed to some purpose (the others: no purpose stood out).
    pub routed: usize,
    /// Of those, routed to the judged one.
    pub correct: usize,
}

/// Hits retrieved per query for average precision.
const DEPTH: usize = 100;

/// Reads scenario JSONL; an extra `scene` key is ignored. A line whose
/// `grades` name a lesson outside `relevant`, or grade one 0, is an error naming the line.
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
        let bad = |reason: String| SearchError::BadLine {
            path: path.to_path_buf(),
            line: i + 1,
            reason,
        };
        let s: Scenario = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        s.check().map_err(bad)?;
        out.push(s);
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
        per_query.push(score_hits(s, &hits));
    }
    let n = per_query.len().max(1) as f64;
    Ok(EvalReport {
        ndcg_at_10: per_query.iter().map(|q| q.ndcg_at_10).sum::<f64>() / n,
        map: per_query.iter().map(|q| q.average_precision).sum::<f64>() / n,
        per_query,
        routing: routing(scenarios)?,
    })
}

/// Routes each query with a judged purpose; `None` when no scenario judges one.
fn routing(scenarios: &[Scenario]) -> Result<Option<RoutingScore>, SearchError> {
    let mut score = RoutingScore {
        judged: 0,
        routed: 0,
        correct: 0,
    };
    for s in scenarios {
        let Some(judged) = &s.purpose else { continue };
        let judged = tazan_model::Purpose::parse_for("purpose", judged)?;
        score.judged += 1;
        if let Some(route) = tazan_model::scene::route_situation(&s.query) {
            score.routed += 1;
            score.correct += usize::from(route.purpose == judged);
        }
    }
    Ok((score.judged > 0).then_some(score))
}

/// Scores one ranking (a search's hits, best first) against a scenario's judgements, as
/// [`evaluate_scenarios`] does for each query (a tuning tool ranks some other way).
pub fn score_hits(s: &Scenario, hits: &[Hit]) -> QueryScore {
    let ranking: Vec<String> = hits
        .iter()
        .map(|h| h.r#ref.clone().unwrap_or_else(|| h.id.clone()))
        .collect();
    let relevant: HashSet<&str> = s.relevant.iter().map(String::as_str).collect();
    QueryScore {
        id: s.id.clone(),
        ndcg_at_10: graded_ndcg_at(&ranking, &s.gains(), 10),
        average_precision: average_precision(&ranking, &relevant),
        top10: ranking.iter().take(10).cloned().collect(),
        relevant: s.relevant.clone(),
    }
}

/// nDCG@k with binary gains; 0 when nothing is relevant.
#[cfg(test)]
pub(crate) fn ndcg_at(ranking: &[String], relevant: &HashSet<&str>, k: usize) -> f64 {
    let gains: HashMap<&str, f64> = relevant.iter().map(|r| (*r, 1.0)).collect();
    graded_ndcg_at(ranking, &gains, k)
}

/// nDCG@k with linear gains (`gain / log2(rank + 1)`), the ideal ranking taking the
/// highest gains first; 0 when nothing is relevant. With every gain 1 it is binary nDCG.
pub(crate) fn graded_ndcg_at(ranking: &[String], gains: &HashMap<&str, f64>, k: usize) -> f64 {
    let discount = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let dcg: f64 = ranking
        .iter()
        .take(k)
        .enumerate()
        .filter_map(|(i, r)| gains.get(r.as_str()).map(|g| g * discount(i)))
        .sum();
    let mut best: Vec<f64> = gains.values().copied().collect();
    best.sort_by(|a, b| b.total_cmp(a));
    let ideal: f64 = best
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| g * discount(i))
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
        )?;
        if let Some(r) = &self.routing {
            write!(
                f,
                "\npurpose routing: {} of {} judged queries routed, {} to their judged purpose",
                r.routed, r.judged, r.correct
            )?;
        }
        Ok(())
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

    #[test]
    fn graded_gains_reward_the_most_helpful_first() {
        let gains: HashMap<&str, f64> = [("a", 2.0), ("b", 1.0)].into();
        // Ideal: a (2) at rank 1, b (1) at rank 2.
        let idcg = 2.0 + 1.0 / 3f64.log2();
        assert!((graded_ndcg_at(&v(&["a", "b"]), &gains, 10) - 1.0).abs() < 1e-9);
        // Swapped: b first, a second — binary nDCG would still say 1.0.
        let swapped = (1.0 + 2.0 / 3f64.log2()) / idcg;
        assert!((graded_ndcg_at(&v(&["b", "a"]), &gains, 10) - swapped).abs() < 1e-9);
        assert!(swapped < 0.95);
        let rel: HashSet<&str> = ["a", "b"].into();
        assert!((ndcg_at(&v(&["b", "a"]), &rel, 10) - 1.0).abs() < 1e-9);
        // Only the lower-graded one at rank 3, cut off at k = 2.
        let third = (1.0 / 4f64.log2()) / idcg;
        assert!((graded_ndcg_at(&v(&["x", "y", "b"]), &gains, 10) - third).abs() < 1e-9);
        assert_eq!(graded_ndcg_at(&v(&["x", "y", "b"]), &gains, 2), 0.0);
    }

    fn scenario(line: &str) -> Scenario {
        serde_json::from_str(line).unwrap()
    }

    #[test]
    fn grades_default_to_one_and_are_checked() {
        let s = scenario(r#"{"id":"q","query":"x","relevant":["T3","G4"],"grades":{"T3":2}}"#);
        let g = s.gains();
        assert_eq!((g["T3"], g["G4"]), (2.0, 1.0));
        assert!(s.check().is_ok());
        let bin = scenario(r#"{"id":"q","query":"x","relevant":["T3"]}"#);
        assert_eq!(bin.grades, None);
        assert_eq!(bin.gains()["T3"], 1.0);
        let stray = scenario(r#"{"id":"q","query":"x","relevant":["T3"],"grades":{"T9":1}}"#);
        assert_eq!(stray.check().unwrap_err(), "grades: T9 is not in relevant");
        let zero = scenario(r#"{"id":"q","query":"x","relevant":["T3"],"grades":{"T3":0}}"#);
        assert!(zero.check().unwrap_err().contains("T3 has grade 0"));
        let twice = scenario(r#"{"id":"q","query":"x","relevant":["T3","T3"]}"#);
        assert_eq!(twice.check().unwrap_err(), "relevant: T3 is listed twice");
    }

    #[test]
    fn a_bad_grade_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        std::fs::write(
            &path,
            "{\"id\":\"a\",\"query\":\"x\",\"relevant\":[\"T1\"]}\n\n{\"id\":\"b\",\"query\":\"y\",\"relevant\":[\"T1\"],\"grades\":{\"G2\":1}}\n",
        )
        .unwrap();
        let err = load_scenarios(&path).unwrap_err().to_string();
        assert!(
            err.contains("s.jsonl") && err.contains('3') && err.contains("G2"),
            "{err}"
        );
    }

    #[test]
    fn routing_is_scored_against_judged_purposes() {
        let lines = [
            r#"{"id":"a","query":"新人研修の教材を探している","relevant":["T1"],"purpose":"社内教育"}"#,
            r#"{"id":"b","query":"発注時に提案依頼書で求めること","relevant":["T1"],"purpose":"運用手順"}"#,
            r#"{"id":"c","query":"晴れ","relevant":["T1"],"purpose":"組織・体制の整備の参考として活用"}"#,
            r#"{"id":"d","query":"晴れ","relevant":["T1"]}"#,
        ];
        let scenarios: Vec<Scenario> = lines.iter().map(|l| scenario(l)).collect();
        assert_eq!(
            routing(&scenarios).unwrap(),
            Some(RoutingScore {
                judged: 3,
                routed: 2,
                correct: 1
            })
        );
        assert_eq!(routing(&scenarios[3..]).unwrap(), None);
        let bad = scenario(r#"{"id":"e","query":"x","relevant":["T1"],"purpose":"障害対応"}"#);
        let e = routing(&[bad]).unwrap_err().to_string();
        assert!(e.contains("`purpose`") && e.contains("障害対応"), "{e}");
    }
}
