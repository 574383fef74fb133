//! The unseen-shape evaluation sets (`tests/fixtures/unseen/{dev,frozen,
//! dev2,frozen2,frozen3,dev3,frozen4,dev4,frozen5,dev5,
//! frozen6,dev6,frozen7,dev7,frozen8,dev8,frozen9,frozen10,dev10,dev11,frozen11,dev12,dev13,dev14,frozen12,dev15,frozen13,dev17,dev18,frozen14,frozen15,dev19,frozen16,frozen17,frozen18,frozen19,frozen20,frozen21,frozen22,frozen23,frozen24,frozen25,frozen26,frozen27,frozen28,frozen29,frozen30,frozen31,frozen32,frozen33,frozen34}`, issue #10): their gold annotations must be consistent with
//! their records, and the sets must stay apart. Scores are measured with
//! `tazan eval sanitize`, not here (see `unseen/README.md`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use tazan_sanitize::{check_gold, read_annotations, Kind};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
#[path = "../../../tests/support/corpus.rs"]
mod corpus;

fn unseen(set: &str, file: &str) -> PathBuf {
    Path::new(FIXTURES).join("unseen").join(set).join(file)
}

fn assert_consistent(incidents: &Path, annotations: &Path) {
    let problems = check_gold(incidents, annotations).unwrap();
    assert!(
        problems.is_empty(),
        "{}:\n{}",
        annotations.display(),
        problems.join("\n")
    );
}

#[test]
fn unseen_sets_are_consistent_large_enough_and_use_every_identifying_class() {
    // (set, minimum records): the second round's sets are smaller.
    for (set, min) in [
        ("dev", 30),
        ("frozen", 30),
        ("dev2", 16),
        ("frozen2", 24),
        ("frozen3", 24),
        ("dev3", 16),
        ("frozen4", 24),
        ("dev4", 16),
        ("frozen5", 24),
        ("dev5", 16),
        ("frozen6", 30),
        ("dev6", 16),
        ("frozen7", 32),
        ("dev7", 20),
        ("frozen8", 34),
        ("dev8", 24),
        ("frozen9", 34),
        ("frozen10", 34),
        ("dev10", 24),
        ("dev11", 24),
        ("frozen11", 36),
        ("dev12", 24),
        ("dev13", 24),
        ("frozen12", 36),
        ("dev15", 24),
        ("dev14", 24),
        ("frozen13", 36),
        ("dev17", 30),
        ("dev18", 30),
        ("frozen14", 36),
        ("frozen15", 36),
        ("dev19", 30),
        ("frozen16", 36),
        ("frozen17", 36),
        ("frozen18", 36),
        ("frozen19", 36),
        ("frozen20", 36),
        ("frozen21", 36),
        ("frozen22", 36),
        ("frozen23", 36),
        ("frozen24", 36),
        ("frozen25", 36),
        ("frozen26", 36),
        ("frozen27", 36),
        ("frozen28", 36),
        ("frozen29", 36),
        ("frozen30", 36),
        ("frozen31", 36),
        ("frozen32", 36),
        ("frozen33", 36),
        ("frozen34", 36),
    ] {
        let (inc, ann) = (
            unseen(set, "incidents.jsonl"),
            unseen(set, "annotations.jsonl"),
        );
        assert_consistent(&inc, &ann);
        let gold = read_annotations(&ann).unwrap();
        assert!(gold.len() >= min, "{set}: {} records", gold.len());
        for a in &gold {
            assert!(
                (3..=8).contains(&a.keep.len()),
                "{set} {}: {} keep terms",
                a.id,
                a.keep.len()
            );
        }
        let kinds: BTreeSet<Kind> = gold
            .iter()
            .flat_map(|a| a.sensitive.iter().map(|s| s.kind.parse::<Kind>().unwrap()))
            .collect();
        // Every kind but news sources, which internal reports do not cite.
        for k in Kind::ALL.into_iter().filter(|k| *k != Kind::Source) {
            assert!(kinds.contains(&k), "{set} has no {k} span");
        }
    }
}

/// A frozen set measures generalisation only if nothing of it is in a
/// development set, nor in the other frozen set: no two sets share a record
/// id or an identifying string.
#[test]
fn unseen_sets_share_no_record_and_no_identifying_string() {
    let sets = [
        "dev", "frozen", "dev2", "frozen2", "frozen3", "dev3", "frozen4", "dev4", "frozen5",
        "dev5", "frozen6", "dev6", "frozen7", "dev7", "frozen8", "dev8", "frozen9", "frozen10",
        "dev10", "dev11", "frozen11", "dev12", "dev13", "frozen12", "dev15", "dev14", "frozen13",
        "dev17", "dev18", "frozen14", "frozen15", "dev19", "frozen16", "frozen17", "frozen18",
        "frozen19", "frozen20", "frozen21", "frozen22", "frozen23", "frozen24", "frozen25",
        "frozen26", "frozen27", "frozen28", "frozen29", "frozen30", "frozen31", "frozen32",
        "frozen33", "frozen34",
    ];
    let load = |set| read_annotations(&unseen(set, "annotations.jsonl")).unwrap();
    let names = |gold: &[tazan_sanitize::Annotation]| -> HashSet<String> {
        gold.iter()
            .flat_map(|a| a.sensitive.iter())
            .filter(|s| s.kind.parse::<Kind>().is_ok_and(Kind::is_identifying))
            // Prefectures may recur: they are places, not names.
            .filter(|s| !(s.kind == "place" && s.text.ends_with(['県', '都', '府', '道'])))
            .map(|s| s.text.clone())
            .collect()
    };
    let gold: Vec<_> = sets.iter().map(|s| load(*s)).collect();
    for i in 0..sets.len() {
        for j in i + 1..sets.len() {
            let (a, b) = (&gold[i], &gold[j]);
            // Only the count is printed: a frozen set's strings stay unread.
            let shared = names(a).intersection(&names(b)).count();
            assert_eq!(
                shared, 0,
                "{} and {} share identifying strings",
                sets[i], sets[j]
            );
            let ids: HashSet<&str> = a.iter().map(|x| x.id.as_str()).collect();
            assert!(
                b.iter().all(|x| !ids.contains(x.id.as_str())),
                "{} and {} share a record id",
                sets[i],
                sets[j]
            );
        }
    }
}

#[test]
#[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
fn corpus_gold_annotations_are_consistent() {
    assert_consistent(
        &corpus::corpus_file("incidents.jsonl"),
        &corpus::corpus_file("annotations.jsonl"),
    );
}

#[test]
fn older_gold_sets_are_consistent() {
    for name in ["heldout", "heldout2"] {
        assert_consistent(
            &Path::new(FIXTURES).join(format!("{name}-incidents.jsonl")),
            &Path::new(FIXTURES).join(format!("{name}-annotations.jsonl")),
        );
    }
}
