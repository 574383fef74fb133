//! The raw incident (障害事例) as it sits in the node's vault, and its parsers.
//!
//! [`Incident`] is a superset of the press-table schema and of the structured
//! serious-incident report; [`INCIDENT_SCHEMA`] lists every field with its type
//! and the Japanese names forms use for it (発生日時, システム名, 影響 …). Every field
//! but `id` is optional.
//!
//! Reading is strict: a key the schema does not know is an error naming the
//! nearest known one (`descripton` → `description`), and an unreadable date is an
//! error naming the field — unless [`UnknownFields::Keep`] is asked for, which keeps
//! unknown keys in [`Incident::extra`] (the sanitizer treats every one of them as
//! free text, so they can never bypass the recognisers). Files are decoded with
//! [`crate::decode_text`]: UTF-8 (BOM or not), UTF-16 with a BOM, Shift_JIS or
//! EUC-JP, never with replacement characters.
//!
//! Near misses (ヒヤリハット) are incidents with no impact: see [`Incident::is_near_miss`].

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::IncidentError;
use crate::text::{decode_text, Decoded, Encoding};

mod csv;
mod date;
mod fields;
mod take;
mod teach;

pub use date::{parse_incident_date, IncidentDate};
pub use fields::{
    incident_field, nearest_incident_field, unknown_incident_field, FieldType, IncidentField,
    INCIDENT_SCHEMA,
};

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
    /// What the countermeasures achieved (効果).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    /// The why-why chain (なぜなぜ), symptom first, one answer per step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub why_why: Vec<String>,
    /// The kind of system: `{"scale": "大規模", "purpose": "顧客向けサービス",
    /// "reliability": "極めて高い"}` (the lesson's `system` vocabulary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<Value>,
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
    /// Keys this schema does not know, kept verbatim when imported with
    /// [`UnknownFields::Keep`] (and sanitised as free text).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// What reading does with a key the schema does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownFields {
    /// An error naming the key and the nearest known name (the default for
    /// `tazan incident import` and `edit`).
    Refuse,
    /// Kept in [`Incident::extra`] (`--keep-unknown`; `tazan sanitize`).
    Keep,
}

impl Incident {
    /// Checks and converts one JSON object with the same rules as the file
    /// parsers (errors name the field); `source` names it in errors.
    pub fn from_json(
        value: Value,
        source: &str,
        unknown: UnknownFields,
    ) -> Result<Incident, IncidentError> {
        from_value(value, source, 0, unknown, None)
    }

    /// An edited version of `self` (from `tazan incident edit`): the same
    /// rules as an import, where the only unknown keys allowed are the ones
    /// `self` already keeps in [`Incident::extra`], and the id may not change.
    pub fn edited(&self, value: Value) -> Result<Incident, IncidentError> {
        let kept: Vec<&str> = self.extra.keys().map(String::as_str).collect();
        let edited = from_value(value, "edit", 0, UnknownFields::Refuse, Some(&kept))?;
        if edited.id != self.id {
            return Err(IncidentError::Record {
                file: "edit".into(),
                line: 0,
                field: "id".into(),
                reason: "the id cannot be changed (import the record under a new id instead)"
                    .into(),
            });
        }
        Ok(edited)
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
#[derive(Debug)]
pub struct ParsedIncidents {
    /// Records that parsed, with their 1-based line (0 for a single JSON document).
    pub records: Vec<(usize, Incident)>,
    /// One error per record that did not parse.
    pub errors: Vec<IncidentError>,
    /// The encoding the file was read in.
    pub encoding: Encoding,
}

impl Default for ParsedIncidents {
    fn default() -> Self {
        ParsedIncidents {
            records: Vec::new(),
            errors: Vec::new(),
            encoding: Encoding::Utf8,
        }
    }
}

/// Reads incidents from `path`, choosing the format from the extension
/// (`.json`, `.csv`, else JSON Lines) and the encoding from the bytes; see
/// [`parse_incident_bytes`].
pub fn read_incidents(
    path: &Path,
    unknown: UnknownFields,
) -> Result<ParsedIncidents, IncidentError> {
    let bytes = std::fs::read(path).map_err(|e| IncidentError::io(path, "read incidents", e))?;
    let file = path.display().to_string();
    let format = IncidentFormat::of_name(&file).unwrap_or(IncidentFormat::JsonLines);
    parse_incident_bytes(&bytes, &file, format, unknown)
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
    /// `.ndjson`, `.csv`), if any (an upload with another name is refused).
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

/// Parses incident `bytes` (named `file` in errors) in `format`, detecting
/// the encoding ([`crate::decode_text`]). A line that cannot be decoded is an
/// error naming it: in JSON Lines the other lines are still read; a JSON or
/// CSV file is refused whole. The CLI (via [`read_incidents`]) and the node
/// portal's upload both come through here.
pub fn parse_incident_bytes(
    bytes: &[u8],
    file: &str,
    format: IncidentFormat,
    unknown: UnknownFields,
) -> Result<ParsedIncidents, IncidentError> {
    let decoded = decode_text(bytes);
    let encoding = decoded.encoding;
    let path = Path::new(file);
    let mut parsed = match format {
        IncidentFormat::Json => parse_json(&decoded.whole(path)?, file, unknown)?,
        IncidentFormat::Csv => parse_csv(&decoded.whole(path)?, file, unknown)?,
        IncidentFormat::JsonLines => {
            let mut p = parse_jsonl(&decoded.text, file, unknown);
            p.errors.extend(bad_lines(&decoded, file));
            p.errors.sort_by_key(IncidentError::line);
            p
        }
    };
    parsed.encoding = encoding;
    Ok(parsed)
}

fn bad_lines(decoded: &Decoded, file: &str) -> Vec<IncidentError> {
    decoded
        .bad_lines
        .iter()
        .map(|&line| IncidentError::Record {
            file: file.to_owned(),
            line,
            field: "-".into(),
            reason: decoded.bad_line_reason(),
        })
        .collect()
}

/// Parses JSON Lines: one incident per non-empty line; bad lines become errors.
pub fn parse_jsonl(text: &str, file: &str, unknown: UnknownFields) -> ParsedIncidents {
    let mut out = ParsedIncidents::default();
    for (i, line) in text.lines().enumerate() {
        match parse_jsonl_line(line, file, i + 1, unknown) {
            None => {}
            Some(Ok(inc)) => out.records.push((i + 1, inc)),
            Some(Err(e)) => out.errors.push(e),
        }
    }
    out
}

/// Parses line `line_no` (1-based; the first may start with a BOM) of a JSON
/// Lines file as [`parse_jsonl`] does; `None` for a blank line.
pub fn parse_jsonl_line(
    line: &str,
    file: &str,
    line_no: usize,
    unknown: UnknownFields,
) -> Option<Result<Incident, IncidentError>> {
    let line = if line_no == 1 {
        crate::strip_bom(line)
    } else {
        line
    };
    if line.trim().is_empty() {
        return None;
    }
    Some(parse_value(line, file, line_no, unknown))
}

/// A JSON Lines file decoded (as [`read_incidents`] decodes it) but not yet
/// parsed, so that a batch can parse each line where it uses it — on its
/// worker threads, one chunk at a time — instead of holding every record.
/// Parsing each line with [`parse_jsonl_line`] and adding [`Self::errors`]
/// gives what [`read_incidents`] returns.
#[derive(Debug)]
pub struct JsonlText {
    /// The decoded text (lines that could not be decoded left blank).
    pub text: String,
    /// One error per line that could not be decoded, in line order.
    pub errors: Vec<IncidentError>,
    /// The encoding the file was read in.
    pub encoding: Encoding,
}

impl JsonlText {
    /// Reads and decodes `path` (any name: it is read as JSON Lines).
    pub fn read(path: &Path) -> Result<JsonlText, IncidentError> {
        let bytes =
            std::fs::read(path).map_err(|e| IncidentError::io(path, "read incidents", e))?;
        let decoded = crate::text::decode_owned(bytes);
        let errors = bad_lines(&decoded, &path.display().to_string());
        Ok(JsonlText {
            encoding: decoded.encoding,
            text: decoded.text,
            errors,
        })
    }

    /// The non-blank lines with their 1-based numbers.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        self.text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line))
            .filter(|(_, line)| !line.trim().is_empty())
    }
}

/// Parses one JSON document: an incident object or an array of them.
pub fn parse_json(
    text: &str,
    file: &str,
    unknown: UnknownFields,
) -> Result<ParsedIncidents, IncidentError> {
    let v: Value =
        serde_json::from_str(crate::strip_bom(text)).map_err(|e| IncidentError::Record {
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
        match from_value(item, file, 0, unknown, None) {
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

fn parse_value(
    line: &str,
    file: &str,
    line_no: usize,
    unknown: UnknownFields,
) -> Result<Incident, IncidentError> {
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
    from_value(v, file, line_no, unknown, None)
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

/// Checks one record against [`INCIDENT_SCHEMA`] and converts it. `edit`
/// lists the unknown keys an edited record already keeps (allowed even
/// under [`UnknownFields::Refuse`]); `None` for an import.
fn from_value(
    v: Value,
    file: &str,
    line: usize,
    unknown: UnknownFields,
    edit: Option<&[&str]>,
) -> Result<Incident, IncidentError> {
    let err = |field: &str, reason: String| IncidentError::Record {
        file: file.to_string(),
        line,
        field: field.to_string(),
        reason,
    };
    let Value::Object(raw) = v else {
        return Err(err("-", "a record must be a JSON object".into()));
    };
    // Japanese and other accepted names become the schema's names.
    let mut map = serde_json::Map::new();
    // Each field's key as given, kept only where it is not the field's name.
    let mut given_as: BTreeMap<&'static str, Option<String>> = BTreeMap::new();
    for (key, val) in raw {
        match incident_field(&key) {
            Some(field) => {
                let renamed = key != field.name;
                if let Some(first) = given_as.insert(field.name, renamed.then(|| key.clone())) {
                    let first = first.as_deref().unwrap_or(field.name);
                    return Err(err(
                        field.name,
                        format!("given twice (as `{first}` and as `{key}`); keep one"),
                    ));
                }
                map.insert(if renamed { field.name.to_owned() } else { key }, val);
            }
            None if unknown == UnknownFields::Keep
                || edit.is_some_and(|kept| kept.contains(&key.as_str())) =>
            {
                map.insert(key, val);
            }
            None => {
                let reason = fields::unknown_key_reason(&key, edit.is_none());
                return Err(err(&key, reason));
            }
        }
    }
    if let Some(Value::Number(n)) = map.get("id") {
        let id = Value::String(n.to_string());
        map.insert("id".into(), id);
    }
    match map.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        Some(_) => return Err(err("id", "must be a non-empty string".into())),
        None => return Err(err("id", "missing; every record needs an id".into())),
    }
    for field in INCIDENT_SCHEMA {
        let Some(val) = map.get(field.name) else {
            continue;
        };
        if val.is_null() {
            continue;
        }
        let expected = |found: &Value| {
            format!(
                "expected a {}, found {}",
                field.ty.describe(),
                type_name(found)
            )
        };
        match field.ty {
            FieldType::Text | FieldType::Date if !val.is_string() => {
                return Err(err(field.name, expected(val)))
            }
            FieldType::Date => {
                if let Err(why) = parse_incident_date(val.as_str().unwrap_or_default()) {
                    return Err(err(field.name, format!("not a date: {why}")));
                }
            }
            FieldType::TextList
                if !val
                    .as_array()
                    .is_some_and(|a| a.iter().all(Value::is_string)) =>
            {
                return Err(err(field.name, expected(val)))
            }
            FieldType::List if !val.is_array() => return Err(err(field.name, expected(val))),
            FieldType::Organization => check_organization(val).map_err(|(f, why)| err(f, why))?,
            _ => {}
        }
    }
    teach::check_teach_fields(&map, unknown).map_err(|(f, why)| err(&f, why))?;
    // `"organization": "名前"` is shorthand; explicit nulls take the defaults.
    if let Some(Value::String(s)) = map.get("organization").cloned() {
        map.insert(
            "organization".into(),
            serde_json::json!({"name": s, "aliases": []}),
        );
    }
    map.retain(|_, val| !val.is_null());
    take::incident_of_map(map).or_else(|map| {
        serde_json::from_value(Value::Object(map)).map_err(|e| err("-", e.to_string()))
    })
}

fn check_organization(val: &Value) -> Result<(), (&'static str, String)> {
    match val {
        Value::String(_) => Ok(()),
        Value::Object(m) => {
            for (k, v) in m {
                match k.as_str() {
                    "name" if v.is_string() || v.is_null() => {}
                    "aliases"
                        if v.is_null()
                            || v.as_array().is_some_and(|a| a.iter().all(Value::is_string)) => {}
                    "name" => {
                        return Err((
                            "organization.name",
                            format!("expected a string, found {}", type_name(v)),
                        ))
                    }
                    "aliases" => {
                        return Err((
                            "organization.aliases",
                            format!("expected a list of strings, found {}", type_name(v)),
                        ))
                    }
                    _ => {
                        return Err((
                            "organization",
                            format!("unknown key `{k}`; an organization has `name` and `aliases`"),
                        ))
                    }
                }
            }
            Ok(())
        }
        other => Err((
            "organization",
            format!(
                "expected an object {{name, aliases}} or a string, found {}",
                type_name(other)
            ),
        )),
    }
}

/// The schema's top-level keys.
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
    "effect",
    "why_why",
    "system",
    "user_communications",
    "sources",
    "remarks",
    "notes",
    "attachments",
];

/// Keys whose value is a single text (dates included).
pub const INCIDENT_TEXT_FIELDS: &[&str] = &[
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
    "effect",
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

/// Parses CSV with a header row. Headers are [`INCIDENT_SCHEMA`] names or
/// their Japanese names (発生日時, システム名 …), plus `organization.name` and
/// `aliases` (`;` or `、` between aliases); list fields take `;` or line
/// breaks between items. An unknown or repeated header refuses the file
/// (every row would be wrong); a bad row is an error at its line and the
/// other rows are read.
pub fn parse_csv(
    text: &str,
    file: &str,
    unknown: UnknownFields,
) -> Result<ParsedIncidents, IncidentError> {
    let file_err = |line: usize, field: &str, reason: String| IncidentError::Record {
        file: file.to_string(),
        line,
        field: field.to_string(),
        reason,
    };
    let mut rows = csv::rows(crate::strip_bom(text)).into_iter();
    let header = match rows.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(file_err(
                e.line,
                "-",
                format!("bad CSV header: {}", e.reason),
            ))
        }
        None => {
            return Err(file_err(
                1,
                "-",
                "empty file: a CSV needs a header row".into(),
            ))
        }
    };
    let columns =
        csv_columns(&header.fields, unknown).map_err(|(f, why)| file_err(header.line, &f, why))?;
    let mut out = ParsedIncidents::default();
    for row in rows {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                out.errors
                    .push(file_err(e.line, "-", format!("bad CSV row: {}", e.reason)));
                continue;
            }
        };
        if row.fields.len() != columns.len() {
            out.errors.push(file_err(
                row.line,
                "-",
                format!(
                    "row has {} columns, header has {}",
                    row.fields.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let mut obj = serde_json::Map::new();
        let mut org = serde_json::json!({"name": "", "aliases": []});
        for (column, val) in columns.iter().zip(&row.fields) {
            let items = |seps: &[char]| -> Value {
                Value::Array(
                    val.split(seps)
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(|t| Value::String(t.to_owned()))
                        .collect(),
                )
            };
            match column {
                Column::OrgName => org["name"] = Value::String(val.clone()),
                Column::OrgAliases => org["aliases"] = items(&[';', '\n', '、']),
                Column::Field(f) if matches!(f.ty, FieldType::TextList | FieldType::List) => {
                    obj.insert(f.name.to_owned(), items(&[';', '\n']));
                }
                _ if val.is_empty() => {}
                Column::Field(f) => {
                    obj.insert(f.name.to_owned(), Value::String(val.clone()));
                }
                Column::Extra(name) => {
                    obj.insert(name.clone(), Value::String(val.clone()));
                }
            }
        }
        obj.insert("organization".into(), org);
        match from_value(
            Value::Object(obj),
            file,
            row.line,
            UnknownFields::Keep,
            None,
        ) {
            Ok(inc) => out.records.push((row.line, inc)),
            Err(e) => out.errors.push(e),
        }
    }
    Ok(out)
}

enum Column {
    Field(&'static IncidentField),
    OrgName,
    OrgAliases,
    Extra(String),
}

fn csv_columns(header: &[String], unknown: UnknownFields) -> Result<Vec<Column>, (String, String)> {
    let mut seen: BTreeMap<&'static str, &str> = BTreeMap::new();
    let mut columns = Vec::new();
    for h in header {
        let name = h.trim();
        let column = if fields::ORG_NAME_COLUMNS.contains(&name) {
            Column::OrgName
        } else if fields::ORG_ALIAS_COLUMNS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(name))
        {
            Column::OrgAliases
        } else if let Some(f) = incident_field(name) {
            if f.name == "organization" {
                Column::OrgName
            } else {
                Column::Field(f)
            }
        } else if unknown == UnknownFields::Keep {
            Column::Extra(name.to_owned())
        } else {
            return Err((name.to_owned(), fields::unknown_key_reason(name, true)));
        };
        let key = match &column {
            Column::Field(f) => f.name,
            Column::OrgName => "organization",
            Column::OrgAliases => "aliases",
            Column::Extra(_) => "",
        };
        if !key.is_empty() {
            if let Some(first) = seen.insert(key, name) {
                return Err((
                    key.to_owned(),
                    format!("two columns are `{key}` (`{first}` and `{name}`); keep one"),
                ));
            }
        }
        columns.push(column);
    }
    Ok(columns)
}

#[cfg(test)]
mod tests;
