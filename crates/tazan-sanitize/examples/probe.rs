//! Development aid: per-recogniser timing over the lessons file.

// Test and bench harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let chars = text.chars().count() as f64 * 20.0;
    let mut rows = tazan_sanitize::profile_recognizers(&text);
    rows.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (name, d) in rows {
        println!("{name:<24} {:>8.2} Mchar/s", chars / d.as_secs_f64() / 1e6);
    }
}
