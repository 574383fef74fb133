//! The raw incident (障害事例) as it sits in the node's vault, and its parsers.
//!
//! [`Incident`] is a superset of the press-table schema (`incidents.jsonl`) and of
//! the structured serious-incident report (`report-example.json`). Every field but
//! `id` is optional. **Unknown keys are kept** in [`Incident::extra`] rather than
//! rejected: forms differ between companies and a raw record must never lose data
//! in the vault. The sanitizer (`tazan-sanitize`) treats every unknown key as free text, so an
//! unexpected field is masked like the others and can never bypass the recognisers.
//!
//! Near misses (ヒヤリハット) are incidents with no impact: see [`Incident::is_near_miss`].

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::IncidentError;

/// The organisation that owns the failing system: its name and aliases are the
/// node's own names and are always masked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// Name as written.
    #[serde(default)]
    pub name: String,
    /// Other spellings (JAL for 日本航空).
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A raw incident record. Optional fields default to empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Vault id (management number).
    pub id: String,
    /// Owning organisation (own names).
    #[serde(default)]
    pub organization: Organization,
    /// Sector label (情報通信, 金融 …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// システム名.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_name: Option<String>,
    /// Service description (structured reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Value>,
    /// Occurrence time (ISO 8601, a date, or free text such as 和暦).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<String>,
    /// Recovery time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered_at: Option<String>,
    /// Discovery: date, discoverer, how detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovered: Option<Value>,
    /// Outage phases and their durations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duration: Vec<Value>,
    /// Where it happened (building, data centre, address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Maximum affected users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_users_max: Option<Value>,
    /// Total subscribers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_subscribers: Option<Value>,
    /// Scope of the impact (全国 …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_scope: Option<String>,
    /// 影響.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// Symptoms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symptoms: Vec<String>,
    /// 現象と原因.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// 直接原因 category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_cause: Option<String>,
    /// Cause summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause_summary: Option<String>,
    /// System components and their roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub system_components: Vec<Value>,
    /// Failure sequence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failure_sequence: Vec<String>,
    /// Technical timeline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<Value>,
    /// Contact chain timeline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact_timeline: Vec<Value>,
    /// Root causes by kind (大規模化 / 長期化) and process stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<Value>,
    /// Countermeasures (暫定 / 恒久).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countermeasures: Vec<Value>,
    /// Inquiries and notices to users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_communications: Option<Value>,
    /// 情報源: outlet or press release with dates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// ※ notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Attachment metadata (never the attachments themselves).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Value>,
    /// Keys this schema does not know, kept verbatim (and sanitised as free text).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl Incident {
    /// Checks and converts one JSON object with the same rules as the file
    /// parsers (errors name the field); `source` names it in errors.
    pub fn from_json(value: Value, source: &str) -> Result<Incident, IncidentError> {
        from_value(value, source, 0)
    }

    /// The text that describes what happened, for finding similar peer
    /// lessons locally (`tazan incident similar`, the node portal): system,
    /// impact, description, causes, scope, symptoms and failure sequence.
    /// It never leaves the node.
    pub fn similarity_text(&self) -> String {
        let mut parts: Vec<&str> = [
            &self.system_name,
            &self.impact,
            &self.description,
            &self.direct_cause,
            &self.cause_summary,
            &self.impact_scope,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
        parts.extend(self.symptoms.iter().map(String::as_str));
        parts.extend(self.failure_sequence.iter().map(String::as_str));
        parts.join("\n")
    }

    /// A near miss (ヒヤリハット) has no impact.
    pub fn is_near_miss(&self) -> bool {
        self.impact.as_deref().is_none_or(|s| s.trim().is_empty())
            && self.affected_users_max.is_none()
            && self
                .impact_scope
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
    }

    /// The node's own names: organisation name and aliases, non-empty.
    pub fn own_names(&self) -> Vec<String> {
        std::iter::once(&self.organization.name)
            .chain(self.organization.aliases.iter())
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .collect()
    }
}

/// Valid records plus per-record errors from one input.
#[derive(Debug, Default)]
pub struct ParsedIncidents {
    /// Records that parsed, with their 1-based line (0 for a single JSON document).
    pub records: Vec<(usize, Incident)>,
    /// One error per record that did not parse.
    pub errors: Vec<IncidentError>,
}

/// Reads incidents from `path`, choosing the format from the extension
/// (`.json`, `.jsonl`/`.ndjson`, `.csv`; anything else is read as JSON Lines)
/// and decoding UTF-8 or Shift_JIS; see [`parse_incident_bytes`].
pub fn read_incidents(path: &Path) -> Result<ParsedIncidents, IncidentError> {
    let bytes = std::fs::read(path).map_err(|e| IncidentError::io(path, "read incidents", e))?;
    let file = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let format = match ext.as_str() {
        "json" => IncidentFormat::Json,
        "csv" => IncidentFormat::Csv,
        _ => IncidentFormat::JsonLines,
    };
    parse_incident_bytes(&bytes, &file, format)
}

/// The file formats incidents are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentFormat {
    /// One incident object or an array of them.
    Json,
    /// One incident object per line.
    JsonLines,
    /// A header row, then one incident per row.
    Csv,
}

impl IncidentFormat {
    /// The format a file name's extension names (`.json`, `.jsonl`,
    /// `.ndjson`, `.csv`), if any.
    pub fn of_name(name: &str) -> Option<IncidentFormat> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(IncidentFormat::Json),
            "jsonl" | "ndjson" => Some(IncidentFormat::JsonLines),
            "csv" => Some(IncidentFormat::Csv),
            _ => None,
        }
    }
}

/// Parses incident `bytes` (named `file` in errors) in `format`. The text must
/// be UTF-8 (with or without BOM) or Shift_JIS (CP932); bytes that are
/// neither are refused whole, naming the first offending byte, rather than
/// imported as garbled text.
pub fn parse_incident_bytes(
    bytes: &[u8],
    file: &str,
    format: IncidentFormat,
) -> Result<ParsedIncidents, IncidentError> {
    let text = decode_strict(bytes).map_err(|offset| IncidentError::File {
        file: file.to_owned(),
        reason: format!(
            "not UTF-8 or Shift_JIS text (undecodable byte at offset {offset}); save the file as UTF-8 and try again"
        ),
    })?;
    match format {
        IncidentFormat::Json => parse_json(&text, file),
        IncidentFormat::Csv => parse_csv(&text, file),
        IncidentFormat::JsonLines => Ok(parse_jsonl(&text, file)),
    }
}

/// UTF-8 (BOM stripped), else Shift_JIS when it decodes without error; else
/// the offset of the first byte that is not valid UTF-8.
fn decode_strict(bytes: &[u8]) -> Result<String, usize> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let (cow, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
            if had_errors {
                Err(e.valid_up_to())
            } else {
                Ok(cow.into_owned())
            }
        }
    }
}

/// Decodes UTF-8 (with or without BOM), falling back to Shift_JIS (CP932).
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (cow, _, _) = encoding_rs::SHIFT_JIS.decode(bytes);
            cow.into_owned()
        }
    }
}

/// Parses JSON Lines: one incident per non-empty line; bad lines become errors.
pub fn parse_jsonl(text: &str, file: &str) -> ParsedIncidents {
    let mut out = ParsedIncidents::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_value(line, file, i + 1) {
            Ok(inc) => out.records.push((i + 1, inc)),
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// Parses one JSON document: an incident object or an array of them.
pub fn parse_json(text: &str, file: &str) -> Result<ParsedIncidents, IncidentError> {
    let v: Value = serde_json::from_str(text).map_err(|e| IncidentError::Record {
        file: file.to_string(),
        line: e.line(),
        field: "-".into(),
        reason: e.to_string(),
    })?;
    let mut out = ParsedIncidents::default();
    let items = match v {
        Value::Array(a) => a,
        other => vec![other],
    };
    for (i, item) in items.into_iter().enumerate() {
        match from_value(item, file, 0) {
            Ok(inc) => out.records.push((0, inc)),
            Err(IncidentError::Record {
                file,
                field,
                reason,
                ..
            }) => out.errors.push(IncidentError::Record {
                file,
                line: 0,
                field,
                reason: format!("element {i}: {reason}"),
            }),
            Err(e) => out.errors.push(e),
        }
    }
    Ok(out)
}

fn parse_value(line: &str, file: &str, line_no: usize) -> Result<Incident, IncidentError> {
    let v: Value = serde_json::from_str(line).map_err(|e| IncidentError::Record {
        file: file.to_string(),
        line: line_no,
        field: "-".into(),
        reason: format!(
            "not valid JSON at column {}: {}",
            e.column(),
            e.classify_name()
        ),
    })?;
    from_value(v, file, line_no)
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "wrong data type",
            serde_json::error::Category::Eof => "unexpected end of line",
        }
    }
}

fn from_value(v: Value, file: &str, line: usize) -> Result<Incident, IncidentError> {
    let err = |field: &str, reason: String| IncidentError::Record {
        file: file.to_string(),
        line,
        field: field.to_string(),
        reason,
    };
    let mut v = v;
    if let Value::Object(m) = &mut v {
        if let Some(Value::Number(n)) = m.get("id").cloned() {
            m.insert("id".into(), Value::String(n.to_string()));
        }
    }
    let Value::Object(map) = &v else {
        return Err(err("-", "a record must be a JSON object".into()));
    };
    match map.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        Some(_) => return Err(err("id", "must be a non-empty string".into())),
        None => return Err(err("id", "missing; every record needs an id".into())),
    }
    // Check known fields one by one so the error names the field.
    for key in KNOWN_STRING_FIELDS {
        if let Some(val) = map.get(*key) {
            if !(val.is_string() || val.is_null()) {
                return Err(err(
                    key,
                    format!("expected a string or null, found {}", type_name(val)),
                ));
            }
        }
    }
    for key in ["sources", "symptoms", "failure_sequence"] {
        if let Some(val) = map.get(key) {
            let ok = val.is_null()
                || val
                    .as_array()
                    .is_some_and(|a| a.iter().all(Value::is_string));
            if !ok {
                return Err(err(
                    key,
                    format!("expected a list of strings, found {}", type_name(val)),
                ));
            }
        }
    }
    if let Some(org) = map.get("organization") {
        match org {
            Value::String(_) | Value::Object(_) | Value::Null => {}
            other => {
                return Err(err(
                    "organization",
                    format!(
                        "expected an object {{name, aliases}}, found {}",
                        type_name(other)
                    ),
                ))
            }
        }
    }
    if let Value::Object(m) = &mut v {
        // Accept `"organization": "名前"` as shorthand; drop explicit nulls so
        // defaults apply.
        if let Some(Value::String(s)) = m.get("organization").cloned() {
            m.insert(
                "organization".into(),
                serde_json::json!({"name": s, "aliases": []}),
            );
        }
        m.retain(|_, val| !val.is_null());
    }
    serde_json::from_value(v).map_err(|e| err("-", e.to_string()))
}

/// The schema's top-level keys (other keys are kept in [`Incident::extra`]).
pub const INCIDENT_FIELDS: &[&str] = &[
    "id",
    "organization",
    "industry",
    "system_name",
    "service",
    "occurred_at",
    "recovered_at",
    "discovered",
    "duration",
    "location",
    "affected_users_max",
    "total_subscribers",
    "impact_scope",
    "impact",
    "symptoms",
    "description",
    "direct_cause",
    "cause_summary",
    "system_components",
    "failure_sequence",
    "timeline",
    "contact_timeline",
    "causes",
    "countermeasures",
    "user_communications",
    "sources",
    "remarks",
    "notes",
    "attachments",
];

/// Keys whose value is a single text.
pub const INCIDENT_TEXT_FIELDS: &[&str] = KNOWN_STRING_FIELDS;

const KNOWN_STRING_FIELDS: &[&str] = &[
    "industry",
    "system_name",
    "occurred_at",
    "recovered_at",
    "location",
    "impact_scope",
    "impact",
    "description",
    "direct_cause",
    "cause_summary",
    "remarks",
    "notes",
];

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Parses CSV with a header row. Columns: `id`, `organization` (or
/// `organization.name`), `aliases` (separated by `;` or `、`), `sources` (separated
/// by `;` or newlines), and any other [`Incident`] string field; unknown columns
/// go to [`Incident::extra`].
pub fn parse_csv(text: &str, file: &str) -> Result<ParsedIncidents, IncidentError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| IncidentError::Record {
            file: file.to_string(),
            line: 1,
            field: "-".into(),
            reason: format!("bad CSV header: {e}"),
        })?
        .clone();
    let mut out = ParsedIncidents::default();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                out.errors.push(IncidentError::Record {
                    file: file.to_string(),
                    line,
                    field: "-".into(),
                    reason: format!("bad CSV row: {e}"),
                });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        if rec.len() != headers.len() {
            out.errors.push(IncidentError::Record {
                file: file.to_string(),
                line,
                field: "-".into(),
                reason: format!(
                    "row has {} columns, header has {}",
                    rec.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let mut obj = serde_json::Map::new();
        let mut org = serde_json::json!({"name": "", "aliases": []});
        for (h, val) in headers.iter().zip(rec.iter()) {
            let h = h.trim();
            let split = |s: &str| -> Vec<Value> {
                s.split([';', '\n', '、'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| Value::String(t.to_string()))
                    .collect()
            };
            match h {
                "organization" | "organization.name" => {
                    org["name"] = Value::String(val.to_string())
                }
                "aliases" | "organization.aliases" => org["aliases"] = Value::Array(split(val)),
                "sources" | "symptoms" | "failure_sequence" => {
                    obj.insert(
                        h.to_string(),
                        Value::Array(
                            val.split([';', '\n'])
                                .map(str::trim)
                                .filter(|t| !t.is_empty())
                                .map(|t| Value::String(t.to_string()))
                                .collect(),
                        ),
                    );
                }
                _ if val.is_empty() => {}
                _ => {
                    obj.insert(h.to_string(), Value::String(val.to_string()));
                }
            }
        }
        obj.insert("organization".into(), org);
        match from_value(Value::Object(obj), file, line) {
            Ok(inc) => out.records.push((line, inc)),
            Err(e) => out.errors.push(e),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"id":"t-1","organization":{"name":"山田運輸","aliases":["ヤマダ"]},"impact":"停止","description":"x","sources":["テスト新聞（2020.1.1）"],"remarks":"","custom_field":"値"}"#;

    #[test]
    fn parses_jsonl_and_keeps_unknown_keys() {
        let p = parse_jsonl(
            &format!("{LINE}\n\n{{\"id\": 3}}\n{{\"description\": \"no id\"}}\n{{bad\n"),
            "in.jsonl",
        );
        assert_eq!(p.records.len(), 2);
        assert_eq!(
            p.records[0].1.extra.get("custom_field"),
            Some(&Value::String("値".into()))
        );
        assert_eq!(p.records[0].1.own_names(), vec!["山田運輸", "ヤマダ"]);
        assert_eq!(p.errors.len(), 2);
        let msgs: Vec<String> = p.errors.iter().map(ToString::to_string).collect();
        println!("{msgs:#?}");
        assert!(msgs[0].starts_with("in.jsonl:4: field `id`"));
        assert!(msgs[1].starts_with("in.jsonl:5: field `-`"));
    }

    #[test]
    fn wrong_types_name_the_field() {
        let p = parse_jsonl(r#"{"id":"a","impact":3}"#, "f.jsonl");
        assert!(p.errors[0]
            .to_string()
            .contains("field `impact`: expected a string"));
        let p = parse_jsonl(r#"{"id":"a","sources":"x"}"#, "f.jsonl");
        assert!(p.errors[0].to_string().contains("field `sources`"));
    }

    #[test]
    fn field_list_matches_the_struct() {
        let all = Incident {
            id: "x".into(),
            industry: Some(String::new()),
            system_name: Some(String::new()),
            service: Some(Value::Null),
            occurred_at: Some(String::new()),
            recovered_at: Some(String::new()),
            discovered: Some(Value::Null),
            duration: vec![Value::Null],
            location: Some(String::new()),
            affected_users_max: Some(Value::Null),
            total_subscribers: Some(Value::Null),
            impact_scope: Some(String::new()),
            impact: Some(String::new()),
            symptoms: vec![String::new()],
            description: Some(String::new()),
            direct_cause: Some(String::new()),
            cause_summary: Some(String::new()),
            system_components: vec![Value::Null],
            failure_sequence: vec![String::new()],
            timeline: vec![Value::Null],
            contact_timeline: vec![Value::Null],
            causes: vec![Value::Null],
            countermeasures: vec![Value::Null],
            user_communications: Some(Value::Null),
            sources: vec![String::new()],
            remarks: Some(String::new()),
            notes: Some(String::new()),
            attachments: vec![Value::Null],
            ..Default::default()
        };
        let v = serde_json::to_value(all).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = INCIDENT_FIELDS.to_vec();
        want.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, want);
        assert!(
            Incident::from_json(serde_json::json!({"id": "a", "impact": 1}), "edit")
                .unwrap_err()
                .to_string()
                .contains("field `impact`")
        );
    }

    #[test]
    fn near_miss_has_no_impact() {
        let inc = Incident {
            id: "x".into(),
            impact: Some(" ".into()),
            ..Default::default()
        };
        assert!(inc.is_near_miss());
    }

    #[test]
    fn csv_utf8_and_shift_jis() {
        let csv = "id,organization,aliases,impact,sources\nc-1,山田運輸,ヤマダ;YMD,停止した,テスト新聞（2020.1.1）;別紙\nc-2,短い行\n";
        let p = parse_csv(csv, "a.csv").unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].1.organization.aliases, vec!["ヤマダ", "YMD"]);
        assert_eq!(p.records[0].1.sources.len(), 2);
        assert!(
            p.errors[0].to_string().starts_with("a.csv:3:"),
            "{}",
            p.errors[0]
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(csv);
        assert_eq!(decode(&sjis), csv);
        let p = parse_incident_bytes(&sjis, "sjis.csv", IncidentFormat::Csv).unwrap();
        assert_eq!(p.records[0].1.organization.name, "山田運輸");
    }

    #[test]
    fn bytes_neither_utf8_nor_shift_jis_are_refused_whole() {
        // 0xFF is never valid in UTF-8 nor a lead byte in Shift_JIS.
        let bytes = b"{\"id\":\"x-1\"}\n\xFF\xFF\n";
        let e = parse_incident_bytes(bytes, "bad.jsonl", IncidentFormat::JsonLines)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("bad.jsonl: not UTF-8 or Shift_JIS") && e.contains("offset 13"),
            "{e}"
        );
        assert_eq!(
            IncidentFormat::of_name("a.JSONL"),
            Some(IncidentFormat::JsonLines)
        );
        assert_eq!(IncidentFormat::of_name("a.csv"), Some(IncidentFormat::Csv));
        assert_eq!(IncidentFormat::of_name("a.xlsx"), None);
        assert_eq!(IncidentFormat::of_name("noext"), None);
    }

    #[test]
    fn reads_the_structured_report_example() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus/report-example.json"
        );
        let p = read_incidents(Path::new(path)).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let inc = &p.records[0].1;
        assert_eq!(inc.countermeasures.len(), 3);
        assert!(!inc.timeline.is_empty());
        assert!(inc.user_communications.is_some());
    }
}
