//! The in-process figure of `tazan bench sanitize`, quick to build for
//! profiling: every record of the shared corpus and of the crate's fixture
//! sets through `Sanitizer::sanitize_incident` (sanitise + leak gate) on one
//! thread, repeated, in characters of record JSON per CPU second of this
//! process (getrusage via /proc: the machine is shared).
//!
//! `cargo run --release -p tazan-sanitize --example records [repetitions] [--no-dict] [--scorer | --rules]`
//! (`--scorer`: the learned scorer on at its table's threshold; `--rules`:
//! off, the rules alone; the builtin policy has it on at GREEN)
//! (from the repository root; `perf record` or `valgrind --tool=callgrind` it
//! to see where the time goes).

// Measurement harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Instant;

use tazan_model::{read_incidents, UnknownFields};
use tazan_sanitize::{record_chars, DisclosureLevel, Policy, Sanitizer, Scorer, Status};

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

/// utime + stime of this process in seconds (Linux), if available.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(20);
    let no_dict = args.iter().any(|a| a == "--no-dict");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let files = [
        corpus::corpus_file("incidents.jsonl"),
        fixtures.join("unseen/dev/incidents.jsonl"),
        fixtures.join("unseen/frozen/incidents.jsonl"),
        fixtures.join("heldout-incidents.jsonl"),
        fixtures.join("heldout2-incidents.jsonl"),
    ];
    let mut records = Vec::new();
    for f in &files {
        let parsed = read_incidents(f, UnknownFields::Keep).unwrap();
        records.extend(parsed.records.into_iter().map(|(_, inc)| inc));
    }
    let chars: usize = records.iter().map(record_chars).sum();
    let policy = Policy::builtin();
    let c0 = cpu_seconds();
    let s = if no_dict {
        Sanitizer::without_dictionary(&policy, DisclosureLevel::Green).unwrap()
    } else {
        Sanitizer::new(&policy, DisclosureLevel::Green).unwrap()
    };
    let s = if args.iter().any(|a| a == "--scorer") {
        s.with_scorer(Some(Scorer::shipped().clone()))
    } else if args.iter().any(|a| a == "--rules") {
        s.with_scorer(None)
    } else {
        s
    };
    let setup = cpu_seconds().zip(c0).map(|(a, b)| a - b);
    // Warm up: the dictionary pages and the regex caches.
    let blocked = records
        .iter()
        .filter(|r| s.sanitize_incident(r).status == Status::Blocked)
        .count();
    let (c0, w0) = (cpu_seconds(), Instant::now());
    for _ in 0..reps {
        for r in &records {
            std::hint::black_box(s.sanitize_incident(r));
        }
    }
    let wall = w0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(c0).map(|(a, b)| a - b);
    let total = (chars * reps) as f64;
    println!(
        "{} records x {reps} ({chars} chars each pass, {blocked} blocked), setup {:.3} CPU s; \
         {:.3} M chars/s wall, {} per CPU second; {}",
        records.len(),
        setup.unwrap_or(0.0),
        total / wall / 1e6,
        cpu.filter(|c| *c > 0.0)
            .map(|c| format!("{:.3} M chars", total / c / 1e6))
            .unwrap_or_else(|| "n/a".into()),
        s.dictionary_status()
    );
}
