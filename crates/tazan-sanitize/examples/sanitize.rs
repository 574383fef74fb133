//! Sanitise a JSON Lines file and, optionally, evaluate it.
//!
//! `cargo run -p tazan-sanitize --example sanitize -- <in.jsonl> <out.jsonl> [LEVEL] [annotations.jsonl]`

// Test and bench harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use tazan_sanitize::{evaluate, sanitize_jsonl, DisclosureLevel, Policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: sanitize <in.jsonl> <out.jsonl> [LEVEL] [annotations.jsonl]");
        std::process::exit(2);
    }
    let level: DisclosureLevel = args.get(3).map(String::as_str).unwrap_or("GREEN").parse()?;
    let summary = sanitize_jsonl(
        Path::new(&args[1]),
        Path::new(&args[2]),
        &Policy::builtin(),
        level,
        0,
    )?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    if let Some(ann) = args.get(4) {
        println!("{}", evaluate(Path::new(&args[2]), Path::new(ann))?);
    }
    Ok(())
}
