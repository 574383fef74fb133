//! Corpus evaluation: sanitise the shared corpus (`#[ignore]`d without it, see
//! `tests/support/corpus.rs`) and our own held-out records, score them against
//! the gold annotations and assert the targets (identifying spans leaked
//! <= 2 %, keep terms kept >= 90 %).

// Test and bench harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use tazan_sanitize::{evaluate, sanitize_jsonl, DisclosureLevel, Policy};

#[path = "../../../tests/support/corpus.rs"]
mod corpus;
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn run(incidents: &str, annotations: &str, level: DisclosureLevel) -> tazan_sanitize::EvalReport {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let summary = sanitize_jsonl(Path::new(incidents), &out, &Policy::builtin(), level).unwrap();
    println!(
        "{level}: {} records, {} ok, {} blocked; {}",
        summary.records, summary.ok, summary.blocked, summary.dictionary
    );
    assert!(
        summary.parse_errors.is_empty(),
        "{:?}",
        summary.parse_errors
    );
    let report = evaluate(&out, Path::new(annotations)).unwrap();
    println!("{report}");
    for l in &report.leaked {
        println!("  leaked {} {} {}", l.id, l.kind, l.text);
    }
    for (id, k) in &report.lost_keep {
        println!("  lost keep {id} {k}");
    }
    report
}

fn assert_targets(r: &tazan_sanitize::EvalReport) {
    assert_eq!(r.missing_records, 0);
    assert!(r.identifying_total > 0);
    assert!(
        r.leak_rate <= 0.02,
        "identifying spans leaked {:.2}% > 2%",
        100.0 * r.leak_rate
    );
    assert!(
        r.keep_rate >= 0.90,
        "keep terms kept {:.2}% < 90%",
        100.0 * r.keep_rate
    );
}

#[test]
#[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
fn corpus_shared_corpus_meets_targets_at_every_level() {
    let dir = corpus::corpus_dir();
    for level in [
        DisclosureLevel::Green,
        DisclosureLevel::Amber,
        DisclosureLevel::Clear,
    ] {
        let r = run(
            &dir.join("incidents.jsonl").display().to_string(),
            &dir.join("annotations.jsonl").display().to_string(),
            level,
        );
        assert_targets(&r);
    }
}

#[test]
fn held_out_fixtures_meet_targets() {
    for level in [
        DisclosureLevel::Green,
        DisclosureLevel::Amber,
        DisclosureLevel::Clear,
    ] {
        let r = run(
            &format!("{FIXTURES}/heldout-incidents.jsonl"),
            &format!("{FIXTURES}/heldout-annotations.jsonl"),
            level,
        );
        assert_targets(&r);
    }
}

/// Harder invented records: third parties named only by relation (保守業者のX),
/// hiragana company names, persons with titles, places outside the lexicons.
#[test]
fn second_held_out_set_meets_targets() {
    for level in [
        DisclosureLevel::Green,
        DisclosureLevel::Amber,
        DisclosureLevel::Clear,
    ] {
        let r = run(
            &format!("{FIXTURES}/heldout2-incidents.jsonl"),
            &format!("{FIXTURES}/heldout2-annotations.jsonl"),
            level,
        );
        assert_targets(&r);
    }
}
