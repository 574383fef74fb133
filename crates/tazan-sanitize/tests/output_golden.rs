//! The exact bytes `tazan sanitize` writes for every evaluation set, pinned by
//! hash: speed work must leave what the sanitiser produces unchanged, byte for
//! byte (published fields, findings and audit), at every level, with and
//! without the IPADIC dictionary.
//!
//! `tests/golden/outputs.blake3` holds one line per set, level and dictionary
//! state: `SET LEVEL DICT BLAKE3`, the hash of the output file that
//! [`sanitize_jsonl`]'s engine writes (the CLI calls the same function). A
//! change meant to alter the output (a new recogniser) regenerates it with
//! `UPDATE_GOLDEN=1` and says so in its commit; a speed change never does.
//! The shared corpus's line is checked by the `corpus_` test (ignored without
//! the corpus, see `tests/support/corpus.rs`).

// Test harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tazan_sanitize::{DictionaryStatus, DisclosureLevel, Policy, Sanitizer};

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/outputs.blake3");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

const LEVELS: [DisclosureLevel; 3] = [
    DisclosureLevel::Amber,
    DisclosureLevel::Green,
    DisclosureLevel::Clear,
];

/// The crate's own evaluation sets: name and incident file.
fn fixture_sets() -> Vec<(&'static str, PathBuf)> {
    let f = Path::new(FIXTURES);
    vec![
        ("unseen/dev", f.join("unseen/dev/incidents.jsonl")),
        ("unseen/frozen", f.join("unseen/frozen/incidents.jsonl")),
        ("unseen/dev2", f.join("unseen/dev2/incidents.jsonl")),
        ("unseen/frozen2", f.join("unseen/frozen2/incidents.jsonl")),
        ("unseen/dev3", f.join("unseen/dev3/incidents.jsonl")),
        ("unseen/frozen3", f.join("unseen/frozen3/incidents.jsonl")),
        ("unseen/frozen4", f.join("unseen/frozen4/incidents.jsonl")),
        ("unseen/dev4", f.join("unseen/dev4/incidents.jsonl")),
        ("unseen/frozen5", f.join("unseen/frozen5/incidents.jsonl")),
        ("unseen/dev5", f.join("unseen/dev5/incidents.jsonl")),
        ("unseen/frozen6", f.join("unseen/frozen6/incidents.jsonl")),
        ("unseen/dev6", f.join("unseen/dev6/incidents.jsonl")),
        ("unseen/frozen7", f.join("unseen/frozen7/incidents.jsonl")),
        ("unseen/dev7", f.join("unseen/dev7/incidents.jsonl")),
        ("unseen/frozen8", f.join("unseen/frozen8/incidents.jsonl")),
        ("unseen/dev8", f.join("unseen/dev8/incidents.jsonl")),
        ("unseen/frozen9", f.join("unseen/frozen9/incidents.jsonl")),
        ("unseen/frozen10", f.join("unseen/frozen10/incidents.jsonl")),
        ("unseen/dev10", f.join("unseen/dev10/incidents.jsonl")),
        ("unseen/dev11", f.join("unseen/dev11/incidents.jsonl")),
        ("unseen/dev13", f.join("unseen/dev13/incidents.jsonl")),
        ("unseen/frozen11", f.join("unseen/frozen11/incidents.jsonl")),
        ("unseen/dev12", f.join("unseen/dev12/incidents.jsonl")),
        ("unseen/frozen12", f.join("unseen/frozen12/incidents.jsonl")),
        ("unseen/dev15", f.join("unseen/dev15/incidents.jsonl")),
        ("unseen/dev14", f.join("unseen/dev14/incidents.jsonl")),
        ("unseen/frozen13", f.join("unseen/frozen13/incidents.jsonl")),
        ("unseen/dev17", f.join("unseen/dev17/incidents.jsonl")),
        ("unseen/dev18", f.join("unseen/dev18/incidents.jsonl")),
        ("unseen/dev19", f.join("unseen/dev19/incidents.jsonl")),
        ("unseen/frozen14", f.join("unseen/frozen14/incidents.jsonl")),
        ("unseen/frozen15", f.join("unseen/frozen15/incidents.jsonl")),
        ("unseen/frozen16", f.join("unseen/frozen16/incidents.jsonl")),
        ("unseen/frozen17", f.join("unseen/frozen17/incidents.jsonl")),
        ("unseen/frozen18", f.join("unseen/frozen18/incidents.jsonl")),
        ("unseen/frozen19", f.join("unseen/frozen19/incidents.jsonl")),
        ("unseen/frozen20", f.join("unseen/frozen20/incidents.jsonl")),
        ("unseen/frozen21", f.join("unseen/frozen21/incidents.jsonl")),
        ("unseen/frozen22", f.join("unseen/frozen22/incidents.jsonl")),
        ("unseen/frozen23", f.join("unseen/frozen23/incidents.jsonl")),
        ("unseen/frozen24", f.join("unseen/frozen24/incidents.jsonl")),
        ("unseen/frozen25", f.join("unseen/frozen25/incidents.jsonl")),
        ("unseen/frozen26", f.join("unseen/frozen26/incidents.jsonl")),
        ("unseen/frozen27", f.join("unseen/frozen27/incidents.jsonl")),
        ("unseen/frozen28", f.join("unseen/frozen28/incidents.jsonl")),
        ("unseen/frozen29", f.join("unseen/frozen29/incidents.jsonl")),
        ("unseen/frozen30", f.join("unseen/frozen30/incidents.jsonl")),
        ("unseen/frozen31", f.join("unseen/frozen31/incidents.jsonl")),
        ("unseen/frozen32", f.join("unseen/frozen32/incidents.jsonl")),
        ("unseen/frozen33", f.join("unseen/frozen33/incidents.jsonl")),
        ("unseen/frozen34", f.join("unseen/frozen34/incidents.jsonl")),
        ("heldout", f.join("heldout-incidents.jsonl")),
        ("heldout2", f.join("heldout2-incidents.jsonl")),
    ]
}

/// `SET LEVEL DICT` → hash of the output of `input` at every level, with
/// and without the dictionary.
fn hashes(set: &str, input: &Path) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let policy = Policy::builtin();
    let mut out = BTreeMap::new();
    for level in LEVELS {
        let with = Sanitizer::new(&policy, level).unwrap();
        assert!(
            matches!(with.dictionary_status(), DictionaryStatus::Loaded { .. }),
            "the golden outputs need the IPADIC dictionary ({}); run scripts/setup-ipadic.sh",
            with.dictionary_status()
        );
        let without = Sanitizer::without_dictionary(&policy, level).unwrap();
        for (dict, s) in [("dict", with), ("nodict", without)] {
            let output = dir.path().join("out.jsonl");
            s.sanitize_file(input, &output, 1).unwrap();
            let hash = blake3::hash(&std::fs::read(&output).unwrap());
            out.insert(format!("{set} {level} {dict}"), hash.to_hex().to_string());
        }
    }
    out
}

/// Compares `actual` with the golden lines of the same keys; with
/// `UPDATE_GOLDEN=1`, rewrites those lines instead.
fn check(actual: BTreeMap<String, String>) {
    let text = std::fs::read_to_string(GOLDEN).unwrap_or_default();
    let mut golden: BTreeMap<String, String> = text
        .lines()
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(k, h)| (k.to_string(), h.to_string()))
        .collect();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        golden.extend(actual);
        let body: String = golden.iter().map(|(k, h)| format!("{k} {h}\n")).collect();
        std::fs::write(GOLDEN, body).unwrap();
        return;
    }
    let changed: Vec<&String> = actual
        .iter()
        .filter(|(k, h)| golden.get(*k) != Some(h))
        .map(|(k, _)| k)
        .collect();
    assert!(
        changed.is_empty(),
        "sanitiser output changed for {changed:?}; a speed change must not change it \
         (a deliberate recogniser change: rerun with UPDATE_GOLDEN=1 and say so)"
    );
}

#[test]
fn fixture_outputs_are_byte_identical_to_the_golden_hashes() {
    let mut all = BTreeMap::new();
    for (set, input) in fixture_sets() {
        all.extend(hashes(set, &input));
    }
    assert_eq!(all.len(), fixture_sets().len() * 3 * 2);
    check(all);
}

#[test]
#[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
fn corpus_outputs_are_byte_identical_to_the_golden_hashes() {
    check(hashes("corpus", &corpus::corpus_file("incidents.jsonl")));
}
