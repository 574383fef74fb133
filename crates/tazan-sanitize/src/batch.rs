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

use serde::Serialize;
use serde_json::{Map, Value};

use crate::dict::DictionaryStatus;
use crate::engine::{Sanitizer, Status};
use crate::error::SanitizeError;
use crate::policy::{DisclosureLevel, Policy};
use tazan_model::{read_incidents, Incident, UnknownFields};

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
    let mut buf = Vec::new();
    chars_with(inc, &mut buf)
}

/// [`record_chars`] reusing `buf`.
fn chars_with(inc: &Incident, buf: &mut Vec<u8>) -> usize {
    buf.clear();
    if serde_json::to_writer(&mut *buf, inc).is_err() {
        return 0;
    }
    // Valid UTF-8: every byte that does not continue a character starts one.
    buf.iter().filter(|b| (**b & 0xC0) != 0x80).count()
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
    ok: usize,
    blocked: usize,
    chars: usize,
}

impl Rendered {
    fn write_to(&self, out: &mut impl Write, output: &Path) -> Result<(), SanitizeError> {
        out.write_all(&self.bytes)
            .map_err(|e| SanitizeError::io(output, "write output", e))
    }
}

/// Sanitises `records` into output lines (one per record, in order).
fn render(sanitizer: &Sanitizer, records: &[&Incident]) -> Result<Rendered, String> {
    let mut r = Rendered::default();
    let mut scratch = Vec::new();
    let level = Value::String(sanitizer.level().to_string());
    for inc in records {
        r.chars += chars_with(inc, &mut scratch);
        let rec = sanitizer.sanitize_incident(inc);
        match rec.status {
            Status::Ok => r.ok += 1,
            Status::Blocked => r.blocked += 1,
        }
        let mut obj = Map::new();
        obj.insert("id".into(), Value::String(rec.id));
        obj.insert(
            "status".into(),
            serde_json::to_value(rec.status).unwrap_or(Value::Null),
        );
        obj.insert("level".into(), level.clone());
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
        serde_json::to_writer(&mut r.bytes, &obj).map_err(|e| e.to_string())?;
        r.bytes.push(b'\n');
    }
    Ok(r)
}

fn sanitize_file(
    sanitizer: &Sanitizer,
    input: &Path,
    output: &Path,
    threads: usize,
) -> Result<BatchSummary, SanitizeError> {
    let start = Instant::now();
    // Unknown keys are kept and sanitised as free text: nothing in a record
    // can bypass the recognisers by being outside the schema.
    let parsed = read_incidents(input, UnknownFields::Keep)?;
    let records: Vec<&Incident> = parsed.records.iter().map(|(_, inc)| inc).collect();
    let chunks: Vec<&[&Incident]> = records.chunks(CHUNK).collect();
    let threads = thread_count(threads).min(chunks.len()).max(1);
    let file = File::create(output).map_err(|e| SanitizeError::io(output, "create output", e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let bad_output = |reason: String| SanitizeError::Input {
        file: output.display().to_string(),
        reason,
    };
    let mut total = Rendered::default();
    let mut add = |r: Rendered, out: &mut BufWriter<File>| -> Result<(), SanitizeError> {
        r.write_to(out, output)?;
        total.ok += r.ok;
        total.blocked += r.blocked;
        total.chars += r.chars;
        Ok(())
    };
    if threads == 1 {
        for chunk in &chunks {
            add(render(sanitizer, chunk).map_err(bad_output)?, &mut out)?;
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
                    if tx.send((i, render(sanitizer, chunk))).is_err() {
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
    Ok(BatchSummary {
        records: records.len(),
        ok: total.ok,
        blocked: total.blocked,
        parse_errors: parsed.errors.iter().map(ToString::to_string).collect(),
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

    #[test]
    fn record_chars_counts_characters_of_the_json() {
        let inc: Incident =
            serde_json::from_str(r#"{"id":"x","title":"障害","summary":"a\"b"}"#).unwrap();
        let json = serde_json::to_string(&inc).unwrap();
        assert_eq!(record_chars(&inc), json.chars().count());
        assert!(record_chars(&inc) < json.len());
    }
}
