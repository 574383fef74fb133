//! Single-threaded throughput on the shared corpus texts, in characters per
//! wall-clock second and per CPU second (the machine is shared, so CPU time is
//! the per-core figure).
//!
//! `cargo run --release -p tazan-sanitize --example throughput [repetitions]`

// Measurement harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use tazan_sanitize::{DisclosureLevel, Policy, Sanitizer};

// The shared corpus: a clear message when it is absent.
#[path = "../../../tests/support/corpus.rs"]
mod corpus;

fn collect(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| collect(x, out)),
        _ => {}
    }
}

/// utime + stime of this process in seconds (Linux), if available.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let mut texts = Vec::new();
    for file in ["incidents.jsonl", "lessons.jsonl"] {
        for line in std::fs::read_to_string(corpus::corpus_file(file))
            .unwrap()
            .lines()
        {
            let mut buf = String::new();
            collect(&serde_json::from_str(line).unwrap(), &mut buf);
            texts.push(buf);
        }
    }
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    let own = vec!["ヤマダ運輸".to_string()];
    let policy = Policy::builtin();
    // Steady state: one sanitizer for the whole run, as a batch uses it (the first
    // pass warms the regex DFA caches and the dictionary's per-run cache).
    for (label, s) in [
        (
            "all recognisers",
            Sanitizer::new(&policy, DisclosureLevel::Green).unwrap(),
        ),
        (
            "without dictionary",
            Sanitizer::without_dictionary(&policy, DisclosureLevel::Green).unwrap(),
        ),
    ] {
        // Warm up (first use compiles nothing, but touches the dictionary pages).
        for t in &texts {
            std::hint::black_box(s.sanitize_text(t, &own));
        }
        let (c0, w0) = (cpu_seconds(), Instant::now());
        for _ in 0..reps {
            for t in &texts {
                std::hint::black_box(s.sanitize_text(t, &own));
            }
        }
        let wall = w0.elapsed().as_secs_f64();
        let total = (chars * reps) as f64;
        let cpu = cpu_seconds()
            .zip(c0)
            .map(|(a, b)| a - b)
            .filter(|d| *d > 0.0);
        // The same texts through the sanitizer and then the leak gate (what a
        // record costs in sanitize_incident).
        let (g0, gw0) = (cpu_seconds(), Instant::now());
        for _ in 0..reps {
            for t in &texts {
                let (out, _) = s.sanitize_text(t, &own);
                std::hint::black_box(s.leak_gate_text(&out, "f", &own));
            }
        }
        let gwall = gw0.elapsed().as_secs_f64();
        let gcpu = cpu_seconds()
            .zip(g0)
            .map(|(a, b)| a - b)
            .filter(|d| *d > 0.0);
        println!(
            "{label:<20} sanitize+gate: {:.2} Mchar/s wall, {} per CPU second",
            total / gwall / 1e6,
            gcpu.map(|c| format!("{:.2} Mchar/s", total / c / 1e6))
                .unwrap_or_else(|| "n/a".into()),
        );
        println!(
            "{label:<20} {:.2} Mchar/s wall, {} per CPU second ({} chars x {reps}; {})",
            total / wall / 1e6,
            cpu.map(|c| format!("{:.2} Mchar/s", total / c / 1e6))
                .unwrap_or_else(|| "n/a".into()),
            chars,
            s.dictionary_status()
        );
    }
}
