//! Development aid: scores unseen sets at GREEN (builtin policy), as
//! `tazan eval sanitize --incidents` does, without building the CLI.
//!
//! `cargo run -p tazan-sanitize --example score -- SET [SET…] [--leaks] [--amber]`
//! where SET is a directory under `tests/fixtures/unseen` (or any directory
//! holding `incidents.jsonl` and `annotations.jsonl`, or `INCIDENTS:ANNOTATIONS`
//! as two file paths). `--leaks` prints the
//! leaked spans too: only for a development set or a held-out set retired to
//! development data at stop 31 (`frozen`, `frozen2` … `frozen14`), never for
//! a blind one (`frozen31` and later).
//! `--scorer T` runs the learned scorer at threshold `T` (the builtin
//! policy has it on at GREEN at 0.75); `--rules` switches it off. `--findings` prints, for each record the leak gate blocks, its findings'
//! field, rule and kind (never their text). `--scorer-hits` counts the
//! scored words inside and outside the gold identifying spans.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
use std::path::Path;
use tazan_sanitize::{
    evaluate_incidents, read_annotations, DisclosureLevel, Policy, Sanitizer, Scorer, Status,
};
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let leaks = args.iter().any(|a| a == "--leaks");
    let level = if args.iter().any(|a| a == "--amber") {
        DisclosureLevel::Amber
    } else {
        DisclosureLevel::Green
    };
    let scorer = args
        .iter()
        .position(|a| a == "--scorer")
        .and_then(|i| args.get(i + 1))
        .map(|t| Scorer::shipped().clone().with_threshold(t.parse().unwrap()));
    let mut s = Sanitizer::new(&Policy::builtin(), level).unwrap();
    if scorer.is_some() || args.iter().any(|a| a == "--rules") {
        s = s.with_scorer(scorer);
    }
    let unseen = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unseen");
    for set in args
        .iter()
        .filter(|a| !a.starts_with("--") && a.parse::<f32>().is_err())
    {
        let (inc, ann) = match set.split_once(':') {
            Some((i, a)) => (Path::new(i).to_path_buf(), Path::new(a).to_path_buf()),
            None => {
                let dir = if Path::new(set).is_dir() {
                    Path::new(set).to_path_buf()
                } else {
                    unseen.join(set)
                };
                (dir.join("incidents.jsonl"), dir.join("annotations.jsonl"))
            }
        };
        let r = evaluate_incidents(&s, &inc, &ann).unwrap();
        println!("== {set}\n{}", r.clone().without_raw_text());
        if args.iter().any(|a| a == "--scorer-hits") {
            // Counts only (no text): scored words inside a gold identifying
            // span of their record, and the others (false positives).
            let gold: std::collections::HashMap<String, Vec<String>> = read_annotations(&ann)
                .unwrap()
                .into_iter()
                .map(|a| (a.id.clone(), a.identifying()))
                .collect();
            let parsed =
                tazan_model::read_incidents(&inc, tazan_model::UnknownFields::Keep).unwrap();
            let (mut inside, mut outside) = (0, 0);
            for (_, i) in &parsed.records {
                let spans = gold.get(&i.id).cloned().unwrap_or_default();
                for a in s.sanitize_incident(i).audit {
                    if a.rule == "scorer:name" {
                        if spans.iter().any(|g| g.contains(&a.original)) {
                            inside += 1;
                        } else {
                            outside += 1;
                        }
                    }
                }
            }
            println!("scored words: {inside} inside a gold span, {outside} outside");
        }
        if args.iter().any(|a| a == "--findings") {
            let text = std::fs::read_to_string(&inc).unwrap();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let i: tazan_model::Incident = serde_json::from_str(line).unwrap();
                let rec = s.sanitize_incident(&i);
                if rec.status != Status::Ok {
                    for f in &rec.findings {
                        println!("blocked {} {} {} {}", i.id, f.field, f.rule, f.kind);
                    }
                }
            }
        }
        if leaks && !blind(set) {
            print!("{}", r.details());
        }
    }
}

/// A blind held-out set (`frozen31` and later): its leaks are never printed.
/// `frozen`, `frozen2` … `frozen14` were retired to development data at
/// stop 31, `frozen15` … `frozen18` at stop 33, `frozen19` and `frozen20` at
/// stop 34, `frozen21` and `frozen22` at stop 35, `frozen23` and `frozen24` at
/// stop 36, `frozen25` and `frozen26` at stop 37, `frozen27` and `frozen28` at
/// stop 38, `frozen29` and `frozen30` at stop 39 (the unseen README).
fn blind(set: &str) -> bool {
    let Some(i) = set.rfind("frozen") else {
        return false;
    };
    let n: String = set[i + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    n.parse::<u32>().is_ok_and(|n| n > 30)
}
