//! The batch path of `tazan sanitize --threads 1` without the CLI, quick to
//! build for profiling the process's own work (reading, parsing, counting,
//! rendering, writing) around `sanitize_incident`: `sanitize_jsonl` over a
//! JSON Lines file on one thread, builtin policy at GREEN. The `tazan`
//! binary allocates with mimalloc; this example with the system allocator.
//!
//! `cargo build --release -p tazan-sanitize --example batch`, then
//! `valgrind --tool=callgrind ./target/release/examples/batch <in.jsonl> <out.jsonl>`

// Measurement harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use tazan_sanitize::{sanitize_jsonl, DisclosureLevel, Policy};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    assert!(args.len() == 2, "usage: batch <in.jsonl> <out.jsonl>");
    let summary = sanitize_jsonl(
        Path::new(&args[0]),
        Path::new(&args[1]),
        &Policy::builtin(),
        DisclosureLevel::Green,
        1,
    )
    .unwrap();
    println!("{}", serde_json::to_string(&summary).unwrap());
}
