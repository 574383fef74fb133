//! Scoring a batch output against gold annotations.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::SanitizeError;
use crate::normalize::nfkc;
use tazan_model::Kind;

/// Keys of an output record that are not published text.
const NOT_PUBLISHED: [&str; 5] = ["id", "status", "audit", "findings", "level"];

/// Counts for one kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindScore {
    /// Annotated spans.
    pub total: usize,
    /// Spans whose NFKC text still appears in the published fields.
    pub leaked: usize,
}

/// One leaked span (local debugging aid: contains raw text, keep it on the node).
#[derive(Debug, Clone, Serialize)]
pub struct LeakedSpan {
    /// Record id.
    pub id: String,
    /// Annotated kind.
    pub kind: String,
    /// The span text.
    pub text: String,
}

/// Evaluation result. `Display` prints a table without raw text.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    /// Annotated records.
    pub records: usize,
    /// Annotated records absent from the output.
    pub missing_records: usize,
    /// Per annotated kind.
    pub per_kind: BTreeMap<String, KindScore>,
    /// Identifying spans (org, person, place, facility, product, source, contact, host, account, employee_id).
    pub identifying_total: usize,
    /// Identifying spans leaked.
    pub identifying_leaked: usize,
    /// identifying_leaked / identifying_total.
    pub leak_rate: f64,
    /// Exact numbers and dates annotated.
    pub exact_total: usize,
    /// Exact numbers and dates left as they were.
    pub exact_unchanged: usize,
    /// Keep terms annotated.
    pub keep_total: usize,
    /// Keep terms still present.
    pub keep_kept: usize,
    /// keep_kept / keep_total.
    pub keep_rate: f64,
    /// Leaked spans (raw text; local only).
    pub leaked: Vec<LeakedSpan>,
    /// Keep terms lost (id, term).
    pub lost_keep: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct Annotation {
    id: String,
    #[serde(default)]
    sensitive: Vec<Span>,
    #[serde(default)]
    keep: Vec<String>,
}

#[derive(Deserialize)]
struct Span {
    text: String,
    kind: String,
}

fn collect(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(&nfkc(s));
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect(x, out)),
        _ => {}
    }
}

/// Scores `output` (from [`crate::sanitize_jsonl`]) against `annotations`
/// (corpus `annotations.jsonl` schema). A span is leaked when its NFKC text
/// appears in the record's published fields.
pub fn evaluate(output: &Path, annotations: &Path) -> Result<EvalReport, SanitizeError> {
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| SanitizeError::io(p, "read", e));
    let out_text = read(output)?;
    let ann_text = read(annotations)?;
    let mut published: HashMap<String, String> = HashMap::new();
    for (i, line) in out_text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| SanitizeError::Record {
            file: output.display().to_string(),
            line: i + 1,
            field: "-".into(),
            reason: format!("not valid JSON: {e}"),
        })?;
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut text = String::new();
        if let Value::Object(m) = &v {
            for (k, x) in m {
                if !NOT_PUBLISHED.contains(&k.as_str()) {
                    collect(x, &mut text);
                }
            }
        }
        published.insert(id, text);
    }
    let identifying: Vec<&str> = Kind::ALL
        .iter()
        .filter(|k| k.is_identifying())
        .map(|k| k.as_str())
        .collect();
    let mut r = EvalReport::default();
    for (i, line) in ann_text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let a: Annotation = serde_json::from_str(line).map_err(|e| SanitizeError::Record {
            file: annotations.display().to_string(),
            line: i + 1,
            field: "-".into(),
            reason: format!("not an annotation record: {e}"),
        })?;
        r.records += 1;
        let empty = String::new();
        let text = match published.get(&a.id) {
            Some(t) => t,
            None => {
                r.missing_records += 1;
                &empty
            }
        };
        for s in &a.sensitive {
            let found = text.contains(&nfkc(&s.text));
            let e = r.per_kind.entry(s.kind.clone()).or_default();
            e.total += 1;
            if found {
                e.leaked += 1;
            }
            if identifying.contains(&s.kind.as_str()) {
                r.identifying_total += 1;
                if found {
                    r.identifying_leaked += 1;
                    r.leaked.push(LeakedSpan {
                        id: a.id.clone(),
                        kind: s.kind.clone(),
                        text: s.text.clone(),
                    });
                }
            } else {
                r.exact_total += 1;
                if found {
                    r.exact_unchanged += 1;
                }
            }
        }
        for k in &a.keep {
            r.keep_total += 1;
            if text.contains(&nfkc(k)) {
                r.keep_kept += 1;
            } else {
                r.lost_keep.push((a.id.clone(), k.clone()));
            }
        }
    }
    r.leak_rate = ratio(r.identifying_leaked, r.identifying_total);
    r.keep_rate = ratio(r.keep_kept, r.keep_total);
    Ok(r)
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "records: {} (missing from output: {})",
            self.records, self.missing_records
        )?;
        writeln!(
            f,
            "{:<14} {:>6} {:>7} {:>8}",
            "kind", "spans", "leaked", "leaked%"
        )?;
        for (k, s) in &self.per_kind {
            writeln!(
                f,
                "{:<14} {:>6} {:>7} {:>7.1}%",
                k,
                s.total,
                s.leaked,
                100.0 * ratio(s.leaked, s.total)
            )?;
        }
        writeln!(
            f,
            "identifying spans leaked: {}/{} = {:.2}% (target <= 2%)",
            self.identifying_leaked,
            self.identifying_total,
            100.0 * self.leak_rate
        )?;
        writeln!(
            f,
            "exact numbers/dates left as written: {}/{}",
            self.exact_unchanged, self.exact_total
        )?;
        write!(
            f,
            "keep terms kept: {}/{} = {:.2}% (target >= 90%)",
            self.keep_kept,
            self.keep_total,
            100.0 * self.keep_rate
        )
    }
}
