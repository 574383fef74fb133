//! Development aid: sanitises each stdin line at GREEN (builtin policy) and
//! prints the output with its audit (original -> replacement [kind rule]).
//!
//! `cargo run -p tazan-sanitize --example try < lines.txt` (`\n` and `\t` in a
//! line stand for a line break and a tab, so one line can hold a table).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
use std::io::BufRead;
use tazan_sanitize::{DisclosureLevel, Policy, Sanitizer};
fn main() {
    let s = Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap().replace("\\n", "\n").replace("\\t", "\t");
        let (out, audit) = s.sanitize_text(&line, &[]);
        println!("{out}");
        for a in audit {
            println!(
                "   {} -> {} [{} {}]",
                a.original, a.replacement, a.kind, a.rule
            );
        }
    }
}
