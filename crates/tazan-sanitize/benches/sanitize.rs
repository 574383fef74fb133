//! Sanitizer throughput on the shared corpus texts (read by path), in characters/s.
//!
//! `cargo bench -p tazan-sanitize` (target: >= 2 million chars/s per core with every
//! recogniser on, the IPADIC one included when the sources are installed).
//!
//! Measured 2026-11-23 on the shared 2-core build VM (load average 4–6, so wall
//! time understates the per-core figure), 44,472 characters of corpus text:
//! all recognisers 1.93 Mchar/s wall; without the dictionary 2.75 Mchar/s; leak
//! gate alone 2.59 Mchar/s. Per CPU second (`--example throughput`, which reads
//! the process CPU time): 4.1 Mchar/s sanitise, 2.2 Mchar/s sanitise + leak gate.

// Test and bench harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tazan_sanitize::{DisclosureLevel, Policy, Sanitizer};

// The shared corpus: a clear message when it is absent.
#[path = "../../../tests/support/corpus.rs"]
mod corpus;

/// Every string of the incident and lesson files, one text per record.
fn texts() -> Vec<String> {
    let mut out = Vec::new();
    for file in ["incidents.jsonl", "lessons.jsonl"] {
        let src = std::fs::read_to_string(corpus::corpus_file(file)).unwrap();
        for line in src.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let mut buf = String::new();
            collect(&v, &mut buf);
            out.push(buf);
        }
    }
    out
}

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

fn bench(c: &mut Criterion) {
    let texts = texts();
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    let own = vec!["ヤマダ運輸".to_string(), "YMD".to_string()];
    let policy = Policy::builtin();
    let mut group = c.benchmark_group("sanitize");
    group.throughput(Throughput::Elements(chars as u64));
    let full = Sanitizer::new(&policy, DisclosureLevel::Green).unwrap();
    eprintln!("{}", full.dictionary_status());
    group.bench_function("all_recognisers_chars", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| full.sanitize_text(t, &own).0.len())
                .sum::<usize>()
        })
    });
    let plain = Sanitizer::without_dictionary(&policy, DisclosureLevel::Green).unwrap();
    group.bench_function("without_dictionary_chars", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| plain.sanitize_text(t, &own).0.len())
                .sum::<usize>()
        })
    });
    group.bench_function("leak_gate_chars", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| plain.leak_gate_text(t, "f", &own).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
