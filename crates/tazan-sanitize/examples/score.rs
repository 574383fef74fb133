//! Development aid: scores unseen sets at GREEN (builtin policy), as
//! `tazan eval sanitize --incidents` does, without building the CLI.
//!
//! `cargo run -p tazan-sanitize --example score -- SET [SET…] [--leaks] [--amber]`
//! where SET is a directory under `tests/fixtures/unseen` (or any directory
//! holding `incidents.jsonl` and `annotations.jsonl`, or `INCIDENTS:ANNOTATIONS`
//! as two file paths). `--leaks` prints the
//! leaked spans too: only for a development set, never for a frozen one.
//! `--findings` prints, for each record the leak gate blocks, its findings'
//! field, rule and kind (never their text).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
use std::path::Path;
use tazan_sanitize::{evaluate_incidents, DisclosureLevel, Policy, Sanitizer, Status};
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let leaks = args.iter().any(|a| a == "--leaks");
    let level = if args.iter().any(|a| a == "--amber") {
        DisclosureLevel::Amber
    } else {
        DisclosureLevel::Green
    };
    let s = Sanitizer::new(&Policy::builtin(), level).unwrap();
    let unseen = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unseen");
    for set in args.iter().filter(|a| !a.starts_with("--")) {
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
        if leaks && !set.contains("frozen") {
            print!("{}", r.details());
        }
    }
}
