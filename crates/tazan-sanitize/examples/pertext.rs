//! Development aid: what one text costs the sanitiser by its shape, to tell
//! the per-text fixed cost from the cost per character. Run under callgrind
//! and read `Sanitizer::hits` (inclusive, per call):
//!
//! `valgrind --tool=callgrind --toggle-collect='*Sanitizer::hits*' ./target/release/examples/pertext SHAPE [n]`
//!
//! SHAPE is one of `one` (one kanji), `digits`, `ascii`, `ja`, `ja10` (ten
//! times `ja`).

// Measurement harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use tazan_sanitize::{DisclosureLevel, Policy, Sanitizer};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shape = args.first().map_or("ja", String::as_str);
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    // Made-up texts of the bench's typical length (17 characters).
    let ja = "設定変更後に応答が遅延し再起動した。";
    let text = match shape {
        "one" => "済".to_string(),
        "digits" => "20240115".to_string(),
        "ascii" => "restart ok, no error".to_string(),
        "ja" => ja.to_string(),
        "ja10" => ja.repeat(10),
        other => panic!("unknown shape {other}"),
    };
    let s = Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    // Warm the lazy DFAs first: the steady state is what is measured.
    for _ in 0..50 {
        std::hint::black_box(s.sanitize_text(&text, &[]));
    }
    for _ in 0..n {
        std::hint::black_box(s.sanitize_text(&text, &[]));
    }
}
