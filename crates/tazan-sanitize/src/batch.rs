//! Batch interface: JSON Lines in, one sanitised JSON object per record out.
//!
//! Records are independent, so a batch spreads them over worker threads in
//! chunks and writes the chunks back in input order through one buffered
//! writer: the output is byte-for-byte the sequential one, whatever the
//! thread count (see `parallel_output_is_the_sequential_output`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::dict::DictionaryStatus;
use crate::engine::{SanitizedRecord, Sanitizer, Status};
use crate::error::SanitizeError;
use crate::policy::{DisclosureLevel, Policy};
use tazan_model::{
    parse_jsonl_line, read_incidents, AuditEntry, Finding, Incident, IncidentError, IncidentFormat,
    JsonlText, Kind, UnknownFields,
};

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
    /// Characters of input text processed (see [`record_chars`]).
    pub chars: usize,
    /// Wall time in milliseconds.
    pub elapsed_ms: u128,
    /// Whether the IPADIC recogniser ran.
    pub dictionary: DictionaryStatus,
    /// Level drafted for.
    pub level: DisclosureLevel,
    /// Worker threads the records were spread over.
    pub threads: usize,
}

/// Records one worker takes at a time: large enough that handing out work
/// costs nothing, small enough that two cores finish together.
const CHUNK: usize = 64;

/// Sanitises every record of `input` (JSON Lines in the corpus schema, or `.json`
/// / `.csv`) for `level` and writes one JSON object per record to `output`:
/// `id`, `status` (`ok`/`blocked`), the published fields, `findings` and the local
/// audit under `audit`. Records that do not parse are reported in the summary and
/// skipped; each record's `organization.name` and `aliases` are always masked.
/// `threads` worker threads (0: one per core); the output is the same for any count.
pub fn sanitize_jsonl(
    input: &Path,
    output: &Path,
    policy: &Policy,
    level: DisclosureLevel,
    threads: usize,
) -> Result<BatchSummary, SanitizeError> {
    let sanitizer = Sanitizer::new(policy, level)?;
    sanitize_file(&sanitizer, input, output, threads)
}

impl Sanitizer {
    /// [`sanitize_jsonl`] with an already built sanitizer.
    pub fn sanitize_file(
        &self,
        input: &Path,
        output: &Path,
        threads: usize,
    ) -> Result<BatchSummary, SanitizeError> {
        sanitize_file(self, input, output, threads)
    }
}

/// The size of a record as the batch figures count it: characters of its JSON
/// serialisation (keys included). `tazan bench sanitize` divides by the same.
pub fn record_chars(inc: &Incident) -> usize {
    let mut count = CharCount(0);
    match serde_json::to_writer(&mut count, inc) {
        Ok(()) => count.0,
        Err(_) => 0,
    }
}

/// Counts the characters of the UTF-8 written to it, keeping none of it.
struct CharCount(usize);

impl Write for CharCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Valid UTF-8: every byte that does not continue a character starts one.
        self.0 += buf.iter().filter(|b| (**b & 0xC0) != 0x80).count();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `threads`, or one per core for 0.
fn thread_count(threads: usize) -> usize {
    if threads > 0 {
        threads
    } else {
        std::thread::available_parallelism().map_or(1, usize::from)
    }
}

/// One chunk's output lines and counts.
#[derive(Default)]
struct Rendered {
    bytes: Vec<u8>,
    records: usize,
    ok: usize,
    blocked: usize,
    chars: usize,
    /// Lines of the chunk that did not parse, in order.
    errors: Vec<IncidentError>,
}

impl Rendered {
    fn write_to(&self, out: &mut impl Write, output: &Path) -> Result<(), SanitizeError> {
        out.write_all(&self.bytes)
            .map_err(|e| SanitizeError::io(output, "write output", e))
    }
}

/// A chunk of work: records already parsed (JSON, CSV), or JSON Lines to
/// parse where they are sanitised, so no more than a chunk per worker is
/// held parsed at a time.
#[derive(Clone, Copy)]
enum Chunk<'a> {
    Parsed(&'a [&'a Incident]),
    Lines(&'a [(usize, &'a str)], &'a str),
}

/// Sanitises the records of `chunk` into output lines (one per record, in order).
fn render(sanitizer: &Sanitizer, chunk: Chunk<'_>) -> Result<Rendered, String> {
    let mut r = Rendered::default();
    let level = sanitizer.level().to_string();
    match chunk {
        Chunk::Parsed(records) => {
            for inc in records {
                render_one(sanitizer, inc, &level, &mut r)?;
            }
        }
        Chunk::Lines(lines, file) => {
            for &(line_no, line) in lines {
                // Unknown keys are kept and sanitised as free text (see `sanitize_file`).
                match parse_jsonl_line(line, file, line_no, UnknownFields::Keep) {
                    None => {}
                    Some(Ok(inc)) => render_one(sanitizer, &inc, &level, &mut r)?,
                    Some(Err(e)) => r.errors.push(e),
                }
            }
        }
    }
    Ok(r)
}

/// Sanitises `inc` and adds its output line to `r`.
fn render_one(
    sanitizer: &Sanitizer,
    inc: &Incident,
    level: &str,
    r: &mut Rendered,
) -> Result<(), String> {
    r.records += 1;
    r.chars += record_chars(inc);
    let rec = sanitizer.sanitize_incident(inc);
    match rec.status {
        Status::Ok => r.ok += 1,
        Status::Blocked => r.blocked += 1,
    }
    let line = Line { rec: &rec, level };
    serde_json::to_writer(&mut r.bytes, &line).map_err(|e| e.to_string())?;
    r.bytes.push(b'\n');
    Ok(())
}

/// One output line, written straight from the record: the bytes of a
/// `serde_json::Map` (keys sorted) holding `id`, `status`, `level`, then the
/// published fields (a published `id`, `status` or `level` replacing the
/// record's), then `findings` and `audit` (replacing published ones) — without
/// building that map, nor a `Value` per finding and audit entry.
struct Line<'a> {
    rec: &'a SanitizedRecord,
    level: &'a str,
}

impl Serialize for Line<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rec = self.rec;
        let mut map = s.serialize_map(None)?;
        let mut published = rec.published.iter().peekable();
        // The record's own keys, in sorted order, merged into the published ones.
        for key in ["audit", "findings", "id", "level", "status"] {
            while let Some((k, v)) = published.next_if(|(k, _)| k.as_str() < key) {
                map.serialize_entry(k, v)?;
            }
            let same = published.next_if(|(k, _)| k.as_str() == key);
            match (key, same) {
                ("audit", _) => map.serialize_entry(key, &SortedAudit(&rec.audit))?,
                ("findings", _) => map.serialize_entry(key, &SortedFindings(&rec.findings))?,
                (_, Some((k, v))) => map.serialize_entry(k, v)?,
                ("id", None) => map.serialize_entry(key, &rec.id)?,
                ("level", None) => map.serialize_entry(key, self.level)?,
                (_, None) => map.serialize_entry(key, &rec.status)?,
            }
        }
        for (k, v) in published {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Audit entries, each with its keys sorted as a `Value` of it would have them.
struct SortedAudit<'a>(&'a [AuditEntry]);

impl Serialize for SortedAudit<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Sorted<'a> {
            field: &'a str,
            kind: Kind,
            original: &'a str,
            replacement: &'a str,
            rule: &'a str,
        }
        s.collect_seq(self.0.iter().map(|e| Sorted {
            field: &e.field,
            kind: e.kind,
            original: &e.original,
            replacement: &e.replacement,
            rule: &e.rule,
        }))
    }
}

/// Findings, each with its keys sorted as a `Value` of it would have them.
struct SortedFindings<'a>(&'a [Finding]);

impl Serialize for SortedFindings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Sorted<'a> {
            field: &'a str,
            kind: Kind,
            len: usize,
            offset: usize,
            rule: &'a str,
        }
        s.collect_seq(self.0.iter().map(|f| Sorted {
            field: &f.field,
            kind: f.kind,
            len: f.len,
            offset: f.offset,
            rule: &f.rule,
        }))
    }
}

fn sanitize_file(
    sanitizer: &Sanitizer,
    input: &Path,
    output: &Path,
    threads: usize,
) -> Result<BatchSummary, SanitizeError> {
    let start = Instant::now();
    let file = input.display().to_string();
    // Unknown keys are kept and sanitised as free text: nothing in a record
    // can bypass the recognisers by being outside the schema. JSON Lines are
    // parsed chunk by chunk by the workers; a JSON or CSV file is parsed whole.
    let jsonl = IncidentFormat::of_name(&file).unwrap_or(IncidentFormat::JsonLines)
        == IncidentFormat::JsonLines;
    let (text, parsed) = if jsonl {
        (Some(JsonlText::read(input)?), None)
    } else {
        (None, Some(read_incidents(input, UnknownFields::Keep)?))
    };
    let lines: Vec<(usize, &str)> = text.iter().flat_map(JsonlText::lines).collect();
    let records: Vec<&Incident> = parsed
        .iter()
        .flat_map(|p| &p.records)
        .map(|(_, inc)| inc)
        .collect();
    let chunks: Vec<Chunk<'_>> = if jsonl {
        lines
            .chunks(CHUNK)
            .map(|c| Chunk::Lines(c, &file))
            .collect()
    } else {
        records.chunks(CHUNK).map(Chunk::Parsed).collect()
    };
    let threads = thread_count(threads).min(chunks.len()).max(1);
    let out_file =
        File::create(output).map_err(|e| SanitizeError::io(output, "create output", e))?;
    let mut out = BufWriter::with_capacity(1 << 20, out_file);
    let bad_output = |reason: String| SanitizeError::Input {
        file: output.display().to_string(),
        reason,
    };
    let mut total = Rendered::default();
    let mut add = |r: Rendered, out: &mut BufWriter<File>| -> Result<(), SanitizeError> {
        r.write_to(out, output)?;
        total.records += r.records;
        total.ok += r.ok;
        total.blocked += r.blocked;
        total.chars += r.chars;
        total.errors.extend(r.errors);
        Ok(())
    };
    if threads == 1 {
        for chunk in &chunks {
            add(render(sanitizer, *chunk).map_err(bad_output)?, &mut out)?;
        }
    } else {
        // Workers take the next chunk by number; this thread writes chunk i
        // as soon as chunks 0..i are written.
        let next = AtomicUsize::new(0);
        let (tx, rx) = mpsc::channel::<(usize, Result<Rendered, String>)>();
        std::thread::scope(|scope| -> Result<(), SanitizeError> {
            for _ in 0..threads {
                let (tx, next, chunks) = (tx.clone(), &next, &chunks);
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(chunk) = chunks.get(i) else { break };
                    if tx.send((i, render(sanitizer, *chunk))).is_err() {
                        break;
                    }
                });
            }
            drop(tx);
            let mut pending = BTreeMap::new();
            let mut written = 0;
            for (i, rendered) in rx.iter() {
                pending.insert(i, rendered);
                while let Some(r) = pending.remove(&written) {
                    if let Err(e) = r.map_err(bad_output).and_then(|r| add(r, &mut out)) {
                        // Stop the workers: no chunk after a failed one is wanted.
                        next.store(chunks.len(), Ordering::Relaxed);
                        return Err(e);
                    }
                    written += 1;
                }
            }
            Ok(())
        })?;
    }
    out.flush()
        .map_err(|e| SanitizeError::io(output, "write output", e))?;
    let errors = match (text, parsed) {
        (Some(text), _) => {
            // In line order, as `read_incidents` gives them: lines that
            // could not be decoded (left blank, so never parsed) and records
            // that did not parse.
            let mut errors = text.errors;
            errors.extend(total.errors);
            errors.sort_by_key(IncidentError::line);
            errors
        }
        (None, Some(parsed)) => parsed.errors,
        (None, None) => Vec::new(),
    };
    Ok(BatchSummary {
        records: total.records,
        ok: total.ok,
        blocked: total.blocked,
        parse_errors: errors.iter().map(ToString::to_string).collect(),
        chars: total.chars,
        elapsed_ms: start.elapsed().as_millis(),
        dictionary: sanitizer.dictionary_status().clone(),
        level: sanitizer.level(),
        threads,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every record of the crate's fixture sets, twice over (more chunks than
    /// threads, and a last chunk that is not full).
    fn fixture_records(dir: &Path) -> std::path::PathBuf {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut lines = String::new();
        for _ in 0..2 {
            for set in [
                "unseen/dev/incidents.jsonl",
                "unseen/frozen/incidents.jsonl",
                "heldout-incidents.jsonl",
            ] {
                lines.push_str(&std::fs::read_to_string(fixtures.join(set)).unwrap());
            }
        }
        let input = dir.join("in.jsonl");
        std::fs::write(&input, lines).unwrap();
        input
    }

    #[test]
    fn parallel_output_is_the_sequential_output() {
        let dir = tempfile::tempdir().unwrap();
        let input = fixture_records(dir.path());
        let s = Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap();
        let run = |threads: usize| {
            let output = dir.path().join(format!("out-{threads}.jsonl"));
            let summary = s.sanitize_file(&input, &output, threads).unwrap();
            (summary, std::fs::read(&output).unwrap())
        };
        let (one, sequential) = run(1);
        assert_eq!(one.threads, 1);
        assert!(one.records > 2 * CHUNK && one.records % CHUNK != 0);
        assert_eq!(
            sequential.iter().filter(|b| **b == b'\n').count(),
            one.records
        );
        for threads in [2, 5] {
            let (summary, parallel) = run(threads);
            // Never more workers than chunks.
            assert_eq!(summary.threads, threads.min(one.records.div_ceil(CHUNK)));
            assert!(parallel == sequential, "{threads} threads: output differs");
            assert_eq!(
                (summary.records, summary.ok, summary.blocked, summary.chars),
                (one.records, one.ok, one.blocked, one.chars)
            );
        }
    }

    /// JSON Lines are parsed by the workers, chunk by chunk: what does not
    /// parse or decode is still named in line order, exactly as reading the
    /// whole file names it, and every other record is sanitised, in order.
    #[test]
    fn unreadable_lines_are_named_in_order_and_the_rest_sanitised() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        let mut bytes = Vec::new();
        for i in 0..(CHUNK + 3) {
            let line = match i {
                1 => "not json".to_owned(),
                2 => String::new(),
                3 => r#"{"id":"x","impact":3}"#.to_owned(),
                5 => r#"{"id":"y","descripton":"typo kept as an unknown field"}"#.to_owned(),
                _ => {
                    format!(r#"{{"id":"r{i}","description":"山田が{i}台のサーバを再起動した。"}}"#)
                }
            };
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
            if i == 4 || i == CHUNK + 1 {
                // Not UTF-8, Shift_JIS or EUC-JP.
                bytes.extend_from_slice(b"bad \x85\x20 line\n");
            }
        }
        std::fs::write(&input, &bytes).unwrap();
        let whole = read_incidents(&input, UnknownFields::Keep).unwrap();
        let expected: Vec<String> = whole.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            whole
                .errors
                .iter()
                .map(IncidentError::line)
                .collect::<Vec<_>>(),
            [2, 4, 6, CHUNK + 4]
        );
        let s = Sanitizer::without_dictionary(&Policy::builtin(), DisclosureLevel::Green).unwrap();
        for threads in [1, 2] {
            let output = dir.path().join(format!("out-{threads}.jsonl"));
            let summary = s.sanitize_file(&input, &output, threads).unwrap();
            assert_eq!(summary.parse_errors, expected, "{threads} threads");
            assert_eq!(summary.records, whole.records.len());
            let ids: Vec<String> = std::fs::read_to_string(&output)
                .unwrap()
                .lines()
                .map(|l| {
                    serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            let want: Vec<&str> = whole
                .records
                .iter()
                .map(|(_, inc)| inc.id.as_str())
                .collect();
            assert_eq!(ids, want);
        }
    }

    #[test]
    fn record_chars_counts_characters_of_the_json() {
        let inc: Incident =
            serde_json::from_str(r#"{"id":"x","title":"障害","summary":"a\"b"}"#).unwrap();
        let json = serde_json::to_string(&inc).unwrap();
        assert_eq!(record_chars(&inc), json.chars().count());
        assert!(record_chars(&inc) < json.len());
    }

    /// The line as it was written before: a `serde_json::Map` of the
    /// record's keys, the published fields and a `Value` of each finding and
    /// audit entry.
    fn line_through_values(rec: &SanitizedRecord, level: &str) -> String {
        use serde_json::{Map, Value};
        let mut obj = Map::new();
        obj.insert("id".into(), Value::String(rec.id.clone()));
        obj.insert("status".into(), serde_json::to_value(rec.status).unwrap());
        obj.insert("level".into(), Value::String(level.into()));
        for (k, v) in &rec.published {
            obj.insert(k.clone(), v.clone());
        }
        obj.insert(
            "findings".into(),
            serde_json::to_value(&rec.findings).unwrap(),
        );
        obj.insert("audit".into(), serde_json::to_value(&rec.audit).unwrap());
        serde_json::to_string(&obj).unwrap()
    }

    fn line(rec: &SanitizedRecord, level: &str) -> String {
        serde_json::to_string(&Line { rec, level }).unwrap()
    }

    #[test]
    fn a_line_is_the_map_of_the_record_byte_for_byte() {
        let s = Sanitizer::without_dictionary(&Policy::builtin(), DisclosureLevel::Green).unwrap();
        let inc: Incident = serde_json::from_str(
            r#"{"id":"r1","organization":{"name":"東和電機株式会社","aliases":["東和"]},
                "description":"東和電機の山田太郎（03-1234-5678）が 10.0.0.1 を停止した。",
                "impact":"全国で約1,200件"}"#,
        )
        .unwrap();
        let mut rec = s.sanitize_incident(&inc);
        assert!(!rec.audit.is_empty());
        assert_eq!(line(&rec, "GREEN"), line_through_values(&rec, "GREEN"));
        // Findings (a blocked record), and published keys before, between,
        // equal to and after the record's own: a published `id`, `level` or
        // `status` wins, `findings` and `audit` do not.
        rec.status = Status::Blocked;
        rec.findings.push(Finding {
            kind: Kind::Person,
            field: "description".into(),
            offset: 3,
            len: 4,
            rule: "gate:test".into(),
        });
        for key in [
            "a", "audit", "b", "findings", "g", "id", "j", "level", "m", "status", "zz",
        ] {
            rec.published.insert(
                key.into(),
                serde_json::Value::String(format!("published {key}")),
            );
        }
        assert_eq!(line(&rec, "AMBER"), line_through_values(&rec, "AMBER"));
        rec.published.clear();
        assert_eq!(line(&rec, "AMBER"), line_through_values(&rec, "AMBER"));
    }
}
