//! Development aid: sanitises each stdin line at GREEN (builtin policy) and
//! prints the output with its audit (original -> replacement [kind rule]).
//!
//! `cargo run -p tazan-sanitize --example try [-- --scorer T] < lines.txt`
//! (`\n` and `\t` in a line stand for a line break and a tab, so one line
//! can hold a table; `--scorer T` switches the learned scorer on;
//! `--features` prints every scorer candidate with its probability).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
use std::io::BufRead;
use tazan_sanitize::{DisclosureLevel, Policy, Sanitizer, Scorer};
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut s = Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    // `--table FILE`: a weight table other than the shipped one.
    let table = args
        .iter()
        .position(|a| a == "--table")
        .and_then(|i| args.get(i + 1))
        .map(|p| Scorer::parse(&std::fs::read_to_string(p).unwrap()).unwrap());
    let scorer = table.clone().unwrap_or_else(|| Scorer::shipped().clone());
    if let Some(t) = args
        .iter()
        .position(|a| a == "--scorer")
        .and_then(|i| args.get(i + 1))
    {
        s = s.with_scorer(Some(scorer.clone().with_threshold(t.parse().unwrap())));
    } else if table.is_some() {
        s = s.with_scorer(Some(scorer.clone()));
    }
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap().replace("\\n", "\n").replace("\\t", "\t");
        let (out, audit) = s.sanitize_text(&line, &[]);
        println!("{out}");
        if args.iter().any(|a| a == "--features") {
            // Every candidate the rules left, its probability and features,
            // in the field `sanitize_text` reads (`text`), so the figures are
            // those of what it masks.
            for c in s.scorer_candidates(&line, "text", &[], false) {
                println!(
                    "   ? {} {:.3} {}",
                    &line[c.range.clone()],
                    scorer.probability(&c.features),
                    c.features.join(" ")
                );
            }
        }
        for a in audit {
            println!(
                "   {} -> {} [{} {}]",
                a.original, a.replacement, a.kind, a.rule
            );
        }
    }
}
