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

/// `tazan eval sanitize --incidents` (in-process) scores exactly what the
/// two-step form (`tazan sanitize` then `eval sanitize --output`) scores.
#[test]
fn in_process_evaluation_matches_the_output_file_form() {
    let incidents = format!("{FIXTURES}/unseen/dev/incidents.jsonl");
    let annotations = format!("{FIXTURES}/unseen/dev/annotations.jsonl");
    let two_step = run(&incidents, &annotations, DisclosureLevel::Green);
    let sanitizer =
        tazan_sanitize::Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    let one_step = tazan_sanitize::evaluate_incidents(
        &sanitizer,
        Path::new(&incidents),
        Path::new(&annotations),
    )
    .unwrap();
    assert_eq!(one_step.level.as_deref(), Some("GREEN"));
    assert!(one_step.dictionary.is_some());
    assert_eq!(
        serde_json::to_value(&one_step.per_kind).unwrap(),
        serde_json::to_value(&two_step.per_kind).unwrap()
    );
    assert_eq!(one_step.blocked_ids, two_step.blocked_ids);
    assert_eq!(
        (one_step.identifying_leaked, one_step.identifying_in_blocked),
        (two_step.identifying_leaked, two_step.identifying_in_blocked)
    );
    assert_eq!(one_step.keep_kept, two_step.keep_kept);
    assert!(one_step.identifying_total > 300 && one_step.keep_total > 150);
}
