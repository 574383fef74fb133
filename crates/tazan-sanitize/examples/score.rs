//! Development aid: scores unseen sets at GREEN (builtin policy), as
//! `tazan eval sanitize --incidents` does, without building the CLI.
//!
//! `cargo run -p tazan-sanitize --example score -- SET [SET…] [--leaks]`
//! where SET is a directory under `tests/fixtures/unseen` (or any directory
//! holding `incidents.jsonl` and `annotations.jsonl`, or `INCIDENTS:ANNOTATIONS`
//! as two file paths). `--leaks` prints the
//! leaked spans too: only for a development set, never for a frozen one.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
use std::path::Path;
use tazan_sanitize::{evaluate_incidents, DisclosureLevel, Policy, Sanitizer};
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let leaks = args.iter().any(|a| a == "--leaks");
    let s = Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap();
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
        if leaks && !set.contains("frozen") {
            print!("{}", r.details());
        }
    }
}
