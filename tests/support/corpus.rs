//! Where the shared evaluation corpus is, for the tests that read it.
//!
//! The corpus (`incidents.jsonl`, `annotations.jsonl`, `report-example.json`,
//! `lessons.jsonl`, `scenarios.jsonl`) is not part of the project: it sits beside
//! the checkout at `../shared/corpus`, or wherever `$TAZAN_CORPUS_DIR` points.
//! Every test that reads it is `#[ignore]`d with a reason and named `corpus_…`,
//! so the default test run passes on a clone of the project alone and reports
//! them as skipped; `scripts/test` runs them (`--run-ignored all`) when the
//! corpus is there, and always when `CI=true`, where a missing corpus fails
//! them with the message below instead of passing unseen.
//!
//! Included with `#[path]` by each crate's tests, so it uses only `std`.
#![allow(dead_code)] // each includer uses part of it

use std::path::{Path, PathBuf};

/// The corpus directory, or a panic saying where it was looked for and how
/// to point the tests at it.
pub(crate) fn corpus_dir() -> PathBuf {
    let dir = match std::env::var_os("TAZAN_CORPUS_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("../shared/corpus"),
    };
    if !dir.join("incidents.jsonl").is_file() {
        panic!(
            "the shared evaluation corpus is absent: no incidents.jsonl in {} \
             (set TAZAN_CORPUS_DIR to the corpus directory; without it, run the tests \
             without --run-ignored and the corpus tests are reported as skipped)",
            dir.display()
        );
    }
    dir
}

/// A file of the corpus (see [`corpus_dir`]).
pub(crate) fn corpus_file(name: &str) -> PathBuf {
    corpus_dir().join(name)
}

/// The workspace root: the nearest directory above this crate holding Cargo.lock.
fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .unwrap_or(here)
        .to_path_buf()
}
