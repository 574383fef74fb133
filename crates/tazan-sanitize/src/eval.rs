//! Scoring sanitised records against gold annotations.
//!
//! Two entry points give the same report: [`evaluate`] scores the output file of
//! [`crate::sanitize_jsonl`] (`tazan sanitize --output`), and
//! [`evaluate_incidents`] sanitises an incident file in-process and scores it in
//! one step (`tazan eval sanitize --incidents`). [`check_gold`] checks that a
//! gold file is consistent with its incidents.
//!
//! A span is *leaked* when its NFKC text still appears in a record's published
//! text (field values and object keys, everything but `id`, `status`, `level`,
//! `findings` and `audit`). A record the leak gate blocked is not published, so
//! its spans count as not leaked; blocked records are counted on their own
//! (`blocked`, `blocked_rate`), since blocking everything is not anonymisation.
//! Keep terms are scored on the sanitised text of every record, blocked or not:
//! they measure how readable the anonymiser leaves a lesson.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::{Sanitizer, Status};
use crate::error::SanitizeError;
use crate::normalize::nfkc;
use tazan_model::{read_incidents, Incident, Kind};

/// Keys of an output record that are not published text.
const NOT_PUBLISHED: [&str; 5] = ["id", "status", "audit", "findings", "level"];

/// Counts for one kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindScore {
    /// Annotated spans.
    pub total: usize,
    /// Spans whose NFKC text still appears in the published fields of a record
    /// the leak gate let through.
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

/// Evaluation result. `Display` prints a table without raw text;
/// [`EvalReport::details`] lists the leaked spans and lost keep terms.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    /// Disclosure level, when the evaluation sanitised in-process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Dictionary recogniser status, when the evaluation sanitised in-process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dictionary: Option<String>,
    /// Annotated records.
    pub records: usize,
    /// Annotated records absent from the output.
    pub missing_records: usize,
    /// Annotated records the leak gate blocked (not published).
    pub blocked: usize,
    /// blocked / records.
    pub blocked_rate: f64,
    /// Ids of the blocked records.
    pub blocked_ids: Vec<String>,
    /// Per annotated kind.
    pub per_kind: BTreeMap<String, KindScore>,
    /// Identifying spans (every kind but `date` and `exact_number`).
    pub identifying_total: usize,
    /// Identifying spans leaked (in records that were not blocked).
    pub identifying_leaked: usize,
    /// identifying_leaked / identifying_total.
    pub leak_rate: f64,
    /// Identifying spans still present in the sanitised text of blocked
    /// records (not counted as leaked; what the gate had to stop).
    pub identifying_in_blocked: usize,
    /// Exact numbers and dates annotated.
    pub exact_total: usize,
    /// Exact numbers and dates published as they were written.
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

/// One record's gold annotations (`annotations.jsonl` schema).
#[derive(Debug, Clone, Deserialize)]
pub struct Annotation {
    /// Record id, joined with the incident's `id`.
    pub id: String,
    /// Identifying spans and the main exact dates and figures.
    #[serde(default)]
    pub sensitive: Vec<GoldSpan>,
    /// Technical terms a good anonymiser keeps.
    #[serde(default)]
    pub keep: Vec<String>,
}

impl Annotation {
    /// The texts of the identifying spans (every kind
    /// [`Kind::is_identifying`], as the leak rate counts them).
    pub fn identifying(&self) -> Vec<String> {
        self.sensitive
            .iter()
            .filter(|g| g.kind.parse::<Kind>().is_ok_and(Kind::is_identifying))
            .map(|g| g.text.clone())
            .collect()
    }
}

/// One annotated surface string.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldSpan {
    /// Exact substring of the record.
    pub text: String,
    /// Kind name (checked against [`Kind`] when the file is read).
    pub kind: String,
}

/// Reads a gold annotation file. A line that is not an annotation record, or
/// a span whose `kind` is not a [`Kind`], is an error naming the line, the
/// field and (for a kind) the valid kinds.
pub fn read_annotations(path: &Path) -> Result<Vec<Annotation>, SanitizeError> {
    let text = std::fs::read_to_string(path).map_err(|e| SanitizeError::io(path, "read", e))?;
    let file = path.display().to_string();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let err = |field: String, reason: String| SanitizeError::Record {
            file: file.clone(),
            line: i + 1,
            field,
            reason,
        };
        let a: Annotation = serde_json::from_str(line)
            .map_err(|e| err("-".into(), format!("not an annotation record: {e}")))?;
        for (j, s) in a.sensitive.iter().enumerate() {
            s.kind
                .parse::<Kind>()
                .map_err(|e| err(format!("sensitive[{j}].kind"), e.to_string()))?;
        }
        out.push(a);
    }
    Ok(out)
}

/// What one record published, as the evaluation sees it.
struct Published {
    text: String,
    blocked: bool,
}

fn collect(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(&nfkc(s));
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                // A key is published too (an unknown field, a map keyed by name).
                out.push_str(&nfkc(k));
                out.push('\n');
                collect(x, out);
            }
        }
        _ => {}
    }
}

fn published_text<'a>(fields: impl Iterator<Item = (&'a String, &'a Value)>) -> String {
    let mut text = String::new();
    for (k, x) in fields {
        if !NOT_PUBLISHED.contains(&k.as_str()) {
            text.push_str(&nfkc(k));
            text.push('\n');
            collect(x, &mut text);
        }
    }
    text
}

/// Scores `output` (from [`crate::sanitize_jsonl`]) against `annotations`
/// (corpus `annotations.jsonl` schema). A span is leaked when its NFKC text
/// appears in the published fields of a record whose `status` is not `blocked`.
pub fn evaluate(output: &Path, annotations: &Path) -> Result<EvalReport, SanitizeError> {
    let out_text =
        std::fs::read_to_string(output).map_err(|e| SanitizeError::io(output, "read", e))?;
    let gold = read_annotations(annotations)?;
    let mut published: HashMap<String, Published> = HashMap::new();
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
        let blocked = v.get("status").and_then(Value::as_str) == Some("blocked");
        let text = match &v {
            Value::Object(m) => published_text(m.iter()),
            _ => String::new(),
        };
        published.insert(id, Published { text, blocked });
    }
    Ok(score(&published, &gold))
}

/// Sanitises every record of `incidents` with `sanitizer` in-process and scores
/// the result against `annotations`: `tazan eval sanitize --incidents` in one
/// step. A record that does not parse is an error (a gold set must be whole).
pub fn evaluate_incidents(
    sanitizer: &Sanitizer,
    incidents: &Path,
    annotations: &Path,
) -> Result<EvalReport, SanitizeError> {
    let gold = read_annotations(annotations)?;
    let parsed = read_incidents(incidents, tazan_model::UnknownFields::Keep)?;
    if let Some(e) = parsed.errors.into_iter().next() {
        return Err(e.into());
    }
    let mut published = HashMap::new();
    for (_, inc) in &parsed.records {
        let rec = sanitizer.sanitize_incident(inc);
        let text = published_text(rec.published.iter());
        let blocked = rec.status == Status::Blocked;
        published.insert(rec.id, Published { text, blocked });
    }
    let mut report = score(&published, &gold);
    report.level = Some(sanitizer.level().to_string());
    report.dictionary = Some(sanitizer.dictionary_status().to_string());
    Ok(report)
}

fn score(published: &HashMap<String, Published>, gold: &[Annotation]) -> EvalReport {
    let mut r = EvalReport::default();
    let missing = Published {
        text: String::new(),
        blocked: false,
    };
    for a in gold {
        r.records += 1;
        let p = published.get(&a.id).unwrap_or_else(|| {
            r.missing_records += 1;
            &missing
        });
        if p.blocked {
            r.blocked += 1;
            r.blocked_ids.push(a.id.clone());
        }
        for s in &a.sensitive {
            let present = p.text.contains(&nfkc(&s.text));
            let leaked = present && !p.blocked;
            let e = r.per_kind.entry(s.kind.clone()).or_default();
            e.total += 1;
            e.leaked += usize::from(leaked);
            let identifying = s.kind.parse::<Kind>().is_ok_and(Kind::is_identifying);
            if identifying {
                r.identifying_total += 1;
                r.identifying_in_blocked += usize::from(present && p.blocked);
                if leaked {
                    r.identifying_leaked += 1;
                    r.leaked.push(LeakedSpan {
                        id: a.id.clone(),
                        kind: s.kind.clone(),
                        text: s.text.clone(),
                    });
                }
            } else {
                r.exact_total += 1;
                r.exact_unchanged += usize::from(leaked);
            }
        }
        for k in &a.keep {
            r.keep_total += 1;
            if p.text.contains(&nfkc(k)) {
                r.keep_kept += 1;
            } else {
                r.lost_keep.push((a.id.clone(), k.clone()));
            }
        }
    }
    r.leak_rate = ratio(r.identifying_leaked, r.identifying_total);
    r.keep_rate = ratio(r.keep_kept, r.keep_total);
    r.blocked_rate = ratio(r.blocked, r.records);
    r
}

/// Checks a gold file against its incidents and returns every problem found
/// (empty when consistent): each annotation's id names exactly one incident and
/// every incident is annotated; every span and keep term is an exact substring
/// of its record's raw text (every string value but `id` and `organization`);
/// no span is listed twice; a keep term is not also a span. Unreadable files
/// or unknown kinds are errors.
pub fn check_gold(incidents: &Path, annotations: &Path) -> Result<Vec<String>, SanitizeError> {
    let gold = read_annotations(annotations)?;
    let parsed = read_incidents(incidents, tazan_model::UnknownFields::Keep)?;
    if let Some(e) = parsed.errors.into_iter().next() {
        return Err(e.into());
    }
    let mut problems = Vec::new();
    let mut texts: HashMap<&str, String> = HashMap::new();
    for (line, inc) in &parsed.records {
        if texts.insert(&inc.id, raw_text(inc)).is_some() {
            problems.push(format!("incidents line {line}: id {} used twice", inc.id));
        }
    }
    let mut seen_ids = HashSet::new();
    for a in &gold {
        if !seen_ids.insert(a.id.as_str()) {
            problems.push(format!("{}: annotated twice", a.id));
        }
        let Some(text) = texts.get(a.id.as_str()) else {
            problems.push(format!("{}: no incident has this id", a.id));
            continue;
        };
        let mut spans = HashSet::new();
        for s in &a.sensitive {
            if !text.contains(&s.text) {
                problems.push(format!(
                    "{}: span {:?} ({}) is not in the record",
                    a.id, s.text, s.kind
                ));
            }
            if !spans.insert(s.text.as_str()) {
                problems.push(format!("{}: span {:?} listed twice", a.id, s.text));
            }
        }
        let mut keeps = HashSet::new();
        for k in &a.keep {
            if !text.contains(k.as_str()) {
                problems.push(format!("{}: keep term {k:?} is not in the record", a.id));
            }
            if !keeps.insert(k.as_str()) {
                problems.push(format!("{}: keep term {k:?} listed twice", a.id));
            }
            if spans.contains(k.as_str()) {
                problems.push(format!("{}: {k:?} is both a span and a keep term", a.id));
            }
        }
    }
    for id in texts.keys() {
        if !seen_ids.contains(id) {
            problems.push(format!("{id}: incident has no annotation record"));
        }
    }
    problems.sort();
    Ok(problems)
}

/// Every string (values and object keys) of a raw incident but `id` and
/// `organization`, one per line.
fn raw_text(inc: &Incident) -> String {
    let mut out = String::new();
    if let Ok(Value::Object(m)) = serde_json::to_value(inc) {
        for (k, v) in &m {
            if k != "id" && k != "organization" {
                out.push_str(k);
                out.push('\n');
                raw_collect(v, &mut out);
            }
        }
    }
    out
}

fn raw_collect(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| raw_collect(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                out.push_str(k);
                out.push('\n');
                raw_collect(x, out);
            }
        }
        _ => {}
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl EvalReport {
    /// The report without its raw text (leaked spans, lost keep terms): what
    /// may be printed or stored for a held-out set.
    pub fn without_raw_text(mut self) -> Self {
        self.leaked.clear();
        self.lost_keep.clear();
        self
    }

    /// The leaked spans and lost keep terms, one per line (raw text: a local
    /// debugging aid for a development set, never for a frozen one).
    pub fn details(&self) -> String {
        let mut out = String::new();
        for l in &self.leaked {
            out.push_str(&format!("leaked {} {} {}\n", l.id, l.kind, l.text));
        }
        for (id, k) in &self.lost_keep {
            out.push_str(&format!("lost keep {id} {k}\n"));
        }
        out
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(level) = &self.level {
            writeln!(f, "level: {level}")?;
        }
        if let Some(d) = &self.dictionary {
            writeln!(f, "{d}")?;
        }
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
            "records blocked by the leak gate: {}/{} = {:.2}% (target <= 10%; {} identifying spans held back in them)",
            self.blocked,
            self.records,
            100.0 * self.blocked_rate,
            self.identifying_in_blocked
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

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn an_unknown_kind_is_an_error_naming_line_field_kind_and_valid_kinds() {
        let dir = tempfile::tempdir().unwrap();
        let ann = write(
            dir.path(),
            "a.jsonl",
            "{\"id\":\"r1\",\"sensitive\":[{\"text\":\"x\",\"kind\":\"org\"}]}\n\
             {\"id\":\"r2\",\"sensitive\":[{\"text\":\"x\",\"kind\":\"org\"},{\"text\":\"T-1\",\"kind\":\"ticket\"}]}\n",
        );
        let out = write(dir.path(), "o.jsonl", "{\"id\":\"r1\",\"status\":\"ok\"}\n");
        let msg = evaluate(&out, &ann).unwrap_err().to_string();
        assert!(msg.contains("a.jsonl:2:"), "{msg}");
        assert!(msg.contains("sensitive[1].kind"), "{msg}");
        assert!(msg.contains("`ticket`"), "{msg}");
        for k in Kind::ALL {
            assert!(msg.contains(k.as_str()), "{msg} lacks {k}");
        }
    }

    #[test]
    fn blocked_records_do_not_leak_but_are_counted_and_keep_terms_still_score() {
        let dir = tempfile::tempdir().unwrap();
        let ann = write(
            dir.path(),
            "a.jsonl",
            "{\"id\":\"r1\",\"sensitive\":[{\"text\":\"山田\",\"kind\":\"person\"},{\"text\":\"T-77\",\"kind\":\"identifier\"}],\"keep\":[\"DNS\"]}\n\
             {\"id\":\"r2\",\"sensitive\":[{\"text\":\"川口\",\"kind\":\"person\"},{\"text\":\"３件\",\"kind\":\"exact_number\"}],\"keep\":[\"DNS\"]}\n",
        );
        // r1 is blocked with both spans still in it; r2 passed with its name left
        // in an object key, and its figure in full-width digits left as written.
        let out = write(
            dir.path(),
            "o.jsonl",
            "{\"id\":\"r1\",\"status\":\"blocked\",\"notes\":\"山田 T-77 DNS\",\"audit\":[]}\n\
             {\"id\":\"r2\",\"status\":\"ok\",\"notes\":{\"川口\":\"3件\"},\"findings\":[],\"audit\":[{\"original\":\"DNS\"}]}\n",
        );
        let r = evaluate(&out, &ann).unwrap();
        assert_eq!((r.records, r.blocked), (2, 1));
        assert_eq!(r.blocked_ids, ["r1"]);
        assert!((r.blocked_rate - 0.5).abs() < 1e-9);
        assert_eq!((r.identifying_total, r.identifying_leaked), (3, 1));
        assert_eq!(r.identifying_in_blocked, 2);
        assert_eq!(r.leaked[0].text, "川口");
        assert_eq!(r.per_kind["identifier"].leaked, 0);
        assert_eq!((r.exact_total, r.exact_unchanged), (1, 1));
        // The audit is not published: r2's keep term is lost.
        assert_eq!((r.keep_total, r.keep_kept), (2, 1));
        assert_eq!(r.lost_keep, [("r2".to_string(), "DNS".to_string())]);
        let text = r.to_string();
        assert!(
            text.contains("records blocked by the leak gate: 1/2"),
            "{text}"
        );
        assert!(
            !text.contains("川口"),
            "the table holds no raw text: {text}"
        );
        assert!(r.details().contains("leaked r2 person 川口"));
    }

    #[test]
    fn check_gold_names_every_inconsistency() {
        let dir = tempfile::tempdir().unwrap();
        let inc = write(
            dir.path(),
            "i.jsonl",
            "{\"id\":\"a\",\"organization\":{\"name\":\"丸森商会\"},\"description\":\"丸森商会の堀内がDNSを変更\",\"ext\":{\"担当\":\"堀内\"}}\n\
             {\"id\":\"b\",\"description\":\"なし\"}\n",
        );
        let good = write(
            dir.path(),
            "g.jsonl",
            "{\"id\":\"a\",\"sensitive\":[{\"text\":\"丸森商会\",\"kind\":\"org\"},{\"text\":\"堀内\",\"kind\":\"person\"}],\"keep\":[\"DNS\"]}\n\
             {\"id\":\"b\",\"sensitive\":[],\"keep\":[]}\n",
        );
        assert_eq!(check_gold(&inc, &good).unwrap(), Vec::<String>::new());
        let bad = write(
            dir.path(),
            "b.jsonl",
            "{\"id\":\"a\",\"sensitive\":[{\"text\":\"丸森\",\"kind\":\"org\"},{\"text\":\"丸森\",\"kind\":\"org\"},{\"text\":\"堀口\",\"kind\":\"person\"}],\"keep\":[\"DNS\",\"丸森\",\"BGP\"]}\n\
             {\"id\":\"c\",\"sensitive\":[],\"keep\":[]}\n",
        );
        let p = check_gold(&inc, &bad).unwrap().join("\n");
        for want in [
            "a: span \"丸森\" listed twice",
            "a: span \"堀口\" (person) is not in the record",
            "a: \"丸森\" is both a span and a keep term",
            "a: keep term \"BGP\" is not in the record",
            "c: no incident has this id",
            "b: incident has no annotation record",
        ] {
            assert!(p.contains(want), "{want:?} missing from:\n{p}");
        }
    }
}
