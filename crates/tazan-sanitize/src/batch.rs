//! Batch interface: JSON Lines in, one sanitised JSON object per record out.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::dict::DictionaryStatus;
use crate::engine::{Sanitizer, Status};
use crate::error::SanitizeError;
use crate::policy::{DisclosureLevel, Policy};
use tazan_model::{read_incidents, UnknownFields};

/// What a batch run did.
#[derive(Debug, Clone, Serialize)]
pub struct BatchSummary {
    /// Records read and sanitised.
    pub records: usize,
    /// Records that passed the leak gate.
    pub ok: usize,
    /// Records the leak gate blocked.
    pub blocked: usize,
    /// Records that could not be parsed (messages name file, line and field).
    pub parse_errors: Vec<String>,
    /// Characters of input text processed.
    pub chars: usize,
    /// Wall time in milliseconds.
    pub elapsed_ms: u128,
    /// Whether the IPADIC recogniser ran.
    pub dictionary: DictionaryStatus,
    /// Level drafted for.
    pub level: DisclosureLevel,
}

/// Sanitises every record of `input` (JSON Lines in the corpus schema, or `.json`
/// / `.csv`) for `level` and writes one JSON object per record to `output`:
/// `id`, `status` (`ok`/`blocked`), the published fields, `findings` and the local
/// audit under `audit`. Records that do not parse are reported in the summary and
/// skipped; each record's `organization.name` and `aliases` are always masked.
pub fn sanitize_jsonl(
    input: &Path,
    output: &Path,
    policy: &Policy,
    level: DisclosureLevel,
) -> Result<BatchSummary, SanitizeError> {
    let sanitizer = Sanitizer::new(policy, level)?;
    sanitize_file(&sanitizer, input, output)
}

impl Sanitizer {
    /// [`sanitize_jsonl`] with an already built sanitizer.
    pub fn sanitize_file(
        &self,
        input: &Path,
        output: &Path,
    ) -> Result<BatchSummary, SanitizeError> {
        sanitize_file(self, input, output)
    }
}

fn sanitize_file(
    sanitizer: &Sanitizer,
    input: &Path,
    output: &Path,
) -> Result<BatchSummary, SanitizeError> {
    let start = Instant::now();
    // Unknown keys are kept and sanitised as free text: nothing in a record
    // can bypass the recognisers by being outside the schema.
    let parsed = read_incidents(input, UnknownFields::Keep)?;
    let mut out = Vec::new();
    let (mut ok, mut blocked, mut chars) = (0, 0, 0);
    for (_, inc) in &parsed.records {
        chars += serde_json::to_string(inc)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        let rec = sanitizer.sanitize_incident(inc);
        match rec.status {
            Status::Ok => ok += 1,
            Status::Blocked => blocked += 1,
        }
        let mut obj = Map::new();
        obj.insert("id".into(), Value::String(rec.id.clone()));
        obj.insert(
            "status".into(),
            serde_json::to_value(rec.status).unwrap_or(Value::Null),
        );
        obj.insert("level".into(), Value::String(sanitizer.level().to_string()));
        for (k, v) in rec.published {
            obj.insert(k, v);
        }
        obj.insert(
            "findings".into(),
            serde_json::to_value(&rec.findings).unwrap_or(Value::Null),
        );
        obj.insert(
            "audit".into(),
            serde_json::to_value(&rec.audit).unwrap_or(Value::Null),
        );
        let line =
            serde_json::to_string(&Value::Object(obj)).map_err(|e| SanitizeError::Input {
                file: output.display().to_string(),
                reason: e.to_string(),
            })?;
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    let mut f =
        std::fs::File::create(output).map_err(|e| SanitizeError::io(output, "create output", e))?;
    f.write_all(&out)
        .map_err(|e| SanitizeError::io(output, "write output", e))?;
    Ok(BatchSummary {
        records: parsed.records.len(),
        ok,
        blocked,
        parse_errors: parsed.errors.iter().map(ToString::to_string).collect(),
        chars,
        elapsed_ms: start.elapsed().as_millis(),
        dictionary: sanitizer.dictionary_status().clone(),
        level: sanitizer.level(),
    })
}
