//! Fits the learned scorer (`src/scorer.rs`) on the development sets' gold,
//! deterministically, and measures it by leave-one-set-out.
//!
//! `cargo run --release -p tazan-sanitize --example fit_scorer -- [--loso] [--write] [--threshold T]`
//!
//! Training data: every word the rules leave unmasked in the development sets
//! `dev` … `dev15`, `dev17` … `dev19` and the held-out sets retired to
//! development data at stop 31 (`frozen`, `frozen2` … `frozen14`), stop 33
//! (`frozen15` … `frozen18`), stop 34 (`frozen19`, `frozen20`), stop 35
//! (`frozen21`, `frozen22`), stop 36 (`frozen23`, `frozen24`), stop 37 (`frozen25`,
//! `frozen26`), stop 38 (`frozen27`, `frozen28`) and stop 39 (`frozen29`,
//! `frozen30`; `frozen31` and later stay blind and are never read here), and every word of the invented negatives
//! (`tests/fixtures/scorer/negatives.txt`, always a negative) and of the invented
//! name slots (`positives.txt`: a word in `[[…]]` is a positive, any other a
//! negative) (never a blind frozen set, the shared corpus or the held-out
//! fixtures). A word is a positive when at least half of it lies inside an
//! occurrence of a gold identifying span of its record, else a negative.
//! `--all` also takes the words a rule covered (more positives, another
//! distribution than the one the scorer sees).
//!
//! `--loso`: for each development set, fits on the others and scores the
//! held-out set with the full pipeline at each threshold (leaked, keep,
//! blocked), next to the rules alone. `--write`: fits on every development
//! set and writes `src/scorer/weights.txt` with the threshold `T`.
//! `FIT_DUMP=1`: prints each development-set candidate (set, label, word,
//! context, dictionary features) while reading, for looking at dev data
//! (`FIT_DUMP=all`: every feature). `FIT_LEAKS=1` with `--insample`: each
//! development set's leaked spans and lost keep terms under that table, to
//! compare two tables without rebuilding.
//! `--uncovered`: for the span the builtin policy leaks in the development
//! sets, whether any scorer candidate could reach it (`cand`: one lies at
//! least half inside an occurrence, so only its weight kept it; `part`: one
//! overlaps it but mostly lies outside; `none`: no candidate touches it),
//! counted per kind and script shape (`H` kanji, `K` katakana, `P`
//! hiragana, `L` Latin, joined in order of first appearance; `H1` one
//! kanji). `--uncovered=list` prints each span too (development data only).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;
use tazan_sanitize::{
    evaluate_incidents, read_annotations, DisclosureLevel, EvalReport, Policy, Sanitizer, Scorer,
};

/// The training sets: the development sets, and the held-out sets the lead
/// retired to development data (`frozen`, `frozen2` … `frozen14` at stop 31,
/// `frozen15` … `frozen18` at stop 33, `frozen19` and `frozen20` at stop 34,
/// `frozen21` and `frozen22` at stop 35, `frozen23` and `frozen24` at stop 36,
/// `frozen25` and `frozen26` at stop 37, `frozen27` and `frozen28` at stop 38,
/// `frozen29` and `frozen30` at stop 39; see the unseen README). `frozen31` and
/// later stay blind: never add them here.
const DEV_SETS: [&str; 47] = [
    "dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev10", "dev11", "dev12",
    "dev13", "dev14", "dev15", "dev17", "dev18", "dev19", "frozen", "frozen2", "frozen3",
    "frozen4", "frozen5", "frozen6", "frozen7", "frozen8", "frozen9", "frozen10", "frozen11",
    "frozen12", "frozen13", "frozen14", "frozen15", "frozen16", "frozen17", "frozen18", "frozen19",
    "frozen20", "frozen21", "frozen22", "frozen23", "frozen24", "frozen25", "frozen26", "frozen27",
    "frozen28", "frozen29", "frozen30",
];
/// Invented ordinary technical sentences: every candidate is a negative.
/// In every fold's training data, never held out.
const NEGATIVES: &str = "tests/fixtures/scorer/negatives.txt";
/// Invented sentences with names in name slots: a candidate inside `[[…]]`
/// is a positive, every other one a negative. In every fold, never held out.
const POSITIVES: &str = "tests/fixtures/scorer/positives.txt";
/// Fields the negatives are read as, in turn (fields every dev set has), so
/// that no field feature learns "this is the negatives file".
const NEGATIVE_FIELDS: [&str; 4] = ["description", "analysis", "countermeasures", "timeline"];
const THRESHOLDS: [f32; 8] = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85];
/// Features seen fewer times than this in the training folds are dropped.
const MIN_COUNT: usize = 2;
const ITERATIONS: usize = 300;
const STEP: f64 = 0.5;
const L2: f64 = 1e-3;

/// `FIT_L2` overrides the L2 penalty (for comparing strengths by LOSO).
fn l2() -> f64 {
    std::env::var("FIT_L2")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(L2)
}
/// Weights smaller than this are left out of the table.
const PRUNE: f64 = 0.01;

struct Example {
    set: usize,
    features: Vec<String>,
    positive: bool,
}

fn dir(set: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/unseen")
        .join(set)
}

/// The texts of a record the scorer reads, with their field paths (every
/// string but the id, the organisation, the times and the sources).
fn record_texts(inc: &tazan_model::Incident) -> Vec<(String, String)> {
    let mut texts = Vec::new();
    if let Value::Object(raw) = serde_json::to_value(inc).unwrap() {
        for (key, v) in &raw {
            if ![
                "id",
                "organization",
                "occurred_at",
                "recovered_at",
                "sources",
            ]
            .contains(&key.as_str())
            {
                strings(v, key, &mut texts);
            }
        }
    }
    texts
}

/// Every string of a JSON value with its path (as the engine names fields).
fn strings(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => out.push((path.to_string(), s.clone())),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| strings(x, &format!("{path}[{i}]"), out)),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| strings(x, &format!("{path}.{k}"), out)),
        _ => {}
    }
}

fn examples(s: &Sanitizer, all: bool) -> Vec<Example> {
    let mut out = Vec::new();
    for (k, set) in DEV_SETS.iter().enumerate() {
        let d = dir(set);
        let gold: HashMap<String, Vec<String>> = read_annotations(&d.join("annotations.jsonl"))
            .unwrap()
            .into_iter()
            .map(|a| (a.id.clone(), a.identifying()))
            .collect();
        let parsed = tazan_model::read_incidents(
            &d.join("incidents.jsonl"),
            tazan_model::UnknownFields::Keep,
        )
        .unwrap();
        for (_, inc) in &parsed.records {
            let own = inc.own_names();
            let spans = gold.get(&inc.id).cloned().unwrap_or_default();
            let texts = record_texts(inc);
            for (field, text) in texts {
                let gold_ranges: Vec<std::ops::Range<usize>> = spans
                    .iter()
                    .flat_map(|g| {
                        text.match_indices(g.as_str())
                            .map(|(i, m)| i..i + m.len())
                            .collect::<Vec<_>>()
                    })
                    .collect();
                for c in s.scorer_candidates(&text, &field, &own, all) {
                    let positive = half_inside(&c.range, &gold_ranges);
                    if std::env::var_os("FIT_DUMP").is_some() {
                        let a = text[..c.range.start]
                            .char_indices()
                            .rev()
                            .nth(7)
                            .map_or(0, |(i, _)| i);
                        let b = text[c.range.end..]
                            .char_indices()
                            .nth(8)
                            .map_or(text.len(), |(i, _)| c.range.end + i);
                        println!(
                            "DUMP\t{set}\t{}\t{}\t{}\t{}",
                            u8::from(positive),
                            &text[c.range.clone()],
                            text[a..b].replace('\n', "⏎"),
                            c.features
                                .iter()
                                .filter(|f| {
                                    std::env::var_os("FIT_DUMP").is_some_and(|v| v == "all")
                                        || !f.contains(':')
                                        || f.starts_with("com")
                                })
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(",")
                        );
                    }
                    out.push(Example {
                        set: k,
                        features: c.features,
                        positive,
                    });
                }
            }
        }
    }
    for file in [NEGATIVES, POSITIVES] {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
        let lines = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
        for (i, line) in lines.enumerate() {
            let (line, marked) = unmark(&line.replace("\\n", "\n").replace("\\t", "\t"));
            let field = NEGATIVE_FIELDS[i % NEGATIVE_FIELDS.len()];
            for c in s.scorer_candidates(&line, field, &[], all) {
                let positive = half_inside(&c.range, &marked);
                out.push(Example {
                    set: usize::MAX,
                    features: c.features,
                    positive,
                });
            }
        }
    }
    out
}

/// Whether at least half of `r` lies inside one of `marks` (a gold span's
/// occurrence, a `[[…]]` mark): the label of a candidate word.
fn half_inside(r: &std::ops::Range<usize>, marks: &[std::ops::Range<usize>]) -> bool {
    marks
        .iter()
        .any(|m| 2 * m.end.min(r.end).saturating_sub(m.start.max(r.start)) >= r.len())
}

/// A line without its `[[…]]` marks, and the byte ranges they marked.
fn unmark(line: &str) -> (String, Vec<std::ops::Range<usize>>) {
    let mut out = String::with_capacity(line.len());
    let mut marked = Vec::new();
    let mut rest = line;
    while let Some(a) = rest.find("[[") {
        out.push_str(&rest[..a]);
        let Some(b) = rest[a..].find("]]") else {
            break;
        };
        let start = out.len();
        out.push_str(&rest[a + 2..a + b]);
        marked.push(start..out.len());
        rest = &rest[a + b + 2..];
    }
    out.push_str(rest);
    (out, marked)
}

/// Logistic regression by full-batch gradient descent with per-feature
/// AdaGrad steps and an L2 penalty: the same examples give the same weights.
fn fit(examples: &[&Example]) -> Scorer {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in examples {
        for f in &e.features {
            *counts.entry(f.as_str()).or_default() += 1;
        }
    }
    let index: BTreeMap<&str, usize> = counts
        .iter()
        .filter(|(_, &n)| n >= MIN_COUNT)
        .enumerate()
        .map(|(i, (f, _))| (*f, i))
        .collect();
    let rows: Vec<(Vec<usize>, f64)> = examples
        .iter()
        .map(|e| {
            let ix = e
                .features
                .iter()
                .filter_map(|f| index.get(f.as_str()).copied())
                .collect();
            (ix, if e.positive { 1.0 } else { 0.0 })
        })
        .collect();
    let n = rows.len() as f64;
    let mut w = vec![0.0f64; index.len()];
    let mut b = 0.0f64;
    let mut g2 = vec![1e-8f64; index.len()];
    let mut gb2 = 1e-8f64;
    let l2 = l2();
    for _ in 0..ITERATIONS {
        let mut grad = vec![0.0f64; index.len()];
        let mut gb = 0.0;
        for (ix, y) in &rows {
            let z = b + ix.iter().map(|&i| w[i]).sum::<f64>();
            let p = 1.0 / (1.0 + (-z).exp());
            let d = (p - y) / n;
            gb += d;
            for &i in ix {
                grad[i] += d;
            }
        }
        for i in 0..w.len() {
            let g = grad[i] + l2 * w[i];
            g2[i] += g * g;
            w[i] -= STEP * g / g2[i].sqrt();
        }
        gb2 += gb * gb;
        b -= STEP * gb / gb2.sqrt();
    }
    let weights = index
        .iter()
        .filter(|(_, &i)| w[i].abs() >= PRUNE)
        .map(|(f, &i)| (f.to_string(), (w[i] * 1e4).round() as f32 / 1e4))
        .collect();
    Scorer::new((b * 1e4).round() as f32 / 1e4, 0.5, weights)
}

fn score(s: &Sanitizer, set: &str) -> (usize, usize, usize, usize, usize) {
    totals(&evaluate_set(s, set))
}

/// One development set's report under `s`.
fn evaluate_set(s: &Sanitizer, set: &str) -> EvalReport {
    let d = dir(set);
    evaluate_incidents(s, &d.join("incidents.jsonl"), &d.join("annotations.jsonl")).unwrap()
}

/// A report's leaked/total identifying spans, kept/total keep terms and
/// blocked records.
fn totals(r: &EvalReport) -> (usize, usize, usize, usize, usize) {
    (
        r.identifying_leaked,
        r.identifying_total,
        r.keep_kept,
        r.keep_total,
        r.blocked,
    )
}

/// The script shape of a span (see `--uncovered`).
fn shape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let k = match c {
            'ぁ'..='ゖ' => 'P',
            'ァ'..='ヺ' | 'ー' => 'K',
            '々' | '〆' | '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' => 'H',
            c if c.is_alphanumeric() && (c.is_ascii() || ('！'..='～').contains(&c)) => 'L',
            _ => continue,
        };
        if !out.contains(k) {
            out.push(k);
        }
    }
    if out == "H" && s.chars().count() == 1 {
        out.push('1');
    }
    out
}

/// `--uncovered`: the spans the builtin policy leaks in every development
/// set, by whether a scorer candidate reaches them.
fn uncovered(rules_only: &Sanitizer, list: bool) {
    let builtin = Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    let mut counts: BTreeMap<(String, String, &str), usize> = BTreeMap::new();
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    for set in DEV_SETS {
        let d = dir(set);
        let r = evaluate_set(&builtin, set);
        let parsed = tazan_model::read_incidents(
            &d.join("incidents.jsonl"),
            tazan_model::UnknownFields::Keep,
        )
        .unwrap();
        let records: HashMap<&str, &tazan_model::Incident> = parsed
            .records
            .iter()
            .map(|(_, i)| (i.id.as_str(), i))
            .collect();
        for leak in &r.leaked {
            let Some(inc) = records.get(leak.id.as_str()) else {
                continue;
            };
            let own = inc.own_names();
            let texts = record_texts(inc);
            let mut status = "none";
            for (field, text) in &texts {
                let occ: Vec<std::ops::Range<usize>> = text
                    .match_indices(leak.text.as_str())
                    .map(|(i, m)| i..i + m.len())
                    .collect();
                if occ.is_empty() {
                    continue;
                }
                for c in rules_only.scorer_candidates(text, field, &own, false) {
                    if half_inside(&c.range, &occ) {
                        status = "cand";
                    } else if status == "none"
                        && occ
                            .iter()
                            .any(|o| o.start < c.range.end && c.range.start < o.end)
                    {
                        status = "part";
                    }
                }
            }
            let sh = shape(&leak.text);
            if list {
                println!(
                    "UNCOVERED\t{set}\t{status}\t{}\t{sh}\t{}",
                    leak.kind, leak.text
                );
            }
            *counts.entry((leak.kind.clone(), sh, status)).or_default() += 1;
            *totals.entry(status).or_default() += 1;
        }
    }
    println!(
        "leaked spans by reach (builtin GREEN, {} sets): {totals:?}",
        DEV_SETS.len()
    );
    println!("kind\tshape\treach\tcount");
    for ((kind, sh, status), n) in &counts {
        println!("{kind}\t{sh}\t{status}\t{n}");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let all = args.iter().any(|a| a == "--all");
    let threshold: f32 = args
        .iter()
        .position(|a| a == "--threshold")
        .and_then(|i| args.get(i + 1))
        .map(|t| t.parse().unwrap())
        .unwrap_or(0.5);
    let policy = Policy::builtin();
    let level = DisclosureLevel::Green;
    let rules_only = Sanitizer::new(&policy, level).unwrap().with_scorer(None);
    if let Some(a) = args.iter().find(|a| a.starts_with("--uncovered")) {
        uncovered(&rules_only, a == "--uncovered=list");
        return;
    }
    let ex = examples(&rules_only, all);
    let pos = ex.iter().filter(|e| e.positive).count();
    println!("examples: {} ({pos} positive)", ex.len());
    if args.iter().any(|a| a == "--loso") {
        println!(
            "set\trules leaked\tkeep\tblocked\t| per threshold {THRESHOLDS:?}: leaked keep blocked"
        );
        let mut sums = vec![(0usize, 0usize, 0usize); THRESHOLDS.len() + 1];
        for (k, set) in DEV_SETS.iter().enumerate() {
            let train: Vec<&Example> = ex.iter().filter(|e| e.set != k).collect();
            let model = fit(&train);
            let (l, lt, kk, kt, b) = score(&rules_only, set);
            sums[0].0 += l;
            sums[0].1 += kk;
            sums[0].2 += b;
            let mut line = format!("{set}\t{l}/{lt}\t{kk}/{kt}\t{b}\t|");
            for (j, &t) in THRESHOLDS.iter().enumerate() {
                let s = Sanitizer::new(&policy, level)
                    .unwrap()
                    .with_scorer(Some(model.clone().with_threshold(t)));
                let (l, _, kk, _, b) = score(&s, set);
                sums[j + 1].0 += l;
                sums[j + 1].1 += kk;
                sums[j + 1].2 += b;
                line.push_str(&format!(" {l} {kk} {b} |"));
            }
            println!("{line}");
        }
        println!("sum (leaked keep blocked): rules {:?}", sums[0]);
        for (j, t) in THRESHOLDS.iter().enumerate() {
            println!("sum at {t}: {:?}", sums[j + 1]);
        }
    }
    if let Some(t) = args
        .iter()
        .position(|a| a == "--insample")
        .and_then(|i| args.get(i + 1))
    {
        // The table `--write` would give, on every development set (in-sample).
        let train: Vec<&Example> = ex.iter().collect();
        let model = fit(&train).with_threshold(t.parse().unwrap());
        let s = Sanitizer::new(&policy, level)
            .unwrap()
            .with_scorer(Some(model));
        let mut sum = (0, 0, 0);
        for set in DEV_SETS {
            let r = evaluate_set(&s, set);
            let (l, lt, kk, kt, b) = totals(&r);
            println!("insample\t{set}\t{l}/{lt}\t{kk}/{kt}\t{b}");
            if std::env::var_os("FIT_LEAKS").is_some() {
                // Development sets only: the spans this table leaks and
                // the keep terms it loses, to compare two tables.
                for leak in &r.leaked {
                    println!("leak\t{set}\t{}\t{}\t{}", leak.id, leak.kind, leak.text);
                }
                for (id, k) in &r.lost_keep {
                    println!("lost\t{set}\t{id}\t{k}");
                }
            }
            sum = (sum.0 + l, sum.1 + kk, sum.2 + b);
        }
        println!("insample sum (leaked keep blocked): {sum:?}");
    }
    if args.iter().any(|a| a == "--write") {
        let train: Vec<&Example> = ex.iter().collect();
        let model = fit(&train).with_threshold(threshold);
        let header = format!(
            "tazan-sanitize learned scorer: logistic regression over binary features.\n\
             Generated by `cargo run --release -p tazan-sanitize --example fit_scorer -- --all --write --threshold {threshold}`\n\
             from the gold of the development sets (the retired held-out sets included) {}\n\
             and the invented negatives and positives only ({} words, {pos} positive); no blind set.\n\
             Threshold chosen by leave-one-set-out over those sets (BENCHMARKS.md, round 23).",
            DEV_SETS.join(" "),
            ex.len()
        );
        // `FIT_OUT` writes the table elsewhere (to try it before shipping it).
        let path = std::env::var_os("FIT_OUT").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("src/scorer/weights.txt"),
            PathBuf::from,
        );
        std::fs::write(&path, model.to_table(&header)).unwrap();
        println!("wrote {}", path.display());
    }
}
