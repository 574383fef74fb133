//! The targets of issue #10 on the unseen-shape sets, measured in-process as
//! `tazan eval sanitize --incidents` does: identifying spans leaked <= 2 %,
//! keep terms kept >= 90 %, records blocked by the leak gate <= 10 %, at GREEN.
//!
//! `frozen/` is held out: this test prints its totals per kind (the report's
//! table holds no raw text) and never its leaked spans. The targets need the
//! IPADIC dictionary (unknown katakana words are told from names with it), so
//! a run without it fails and says how to install it.

// Test harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use tazan_sanitize::{
    evaluate_incidents, DictionaryStatus, DisclosureLevel, EvalReport, Policy, Sanitizer,
};

const UNSEEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/unseen");

fn score(set: &str) -> EvalReport {
    let s = Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    assert!(
        matches!(s.dictionary_status(), DictionaryStatus::Loaded { .. }),
        "the unseen-set targets need the IPADIC dictionary ({}); run scripts/setup-ipadic.sh",
        s.dictionary_status()
    );
    let dir = Path::new(UNSEEN).join(set);
    let r = evaluate_incidents(
        &s,
        &dir.join("incidents.jsonl"),
        &dir.join("annotations.jsonl"),
    )
    .unwrap();
    // Totals per kind only: the table never holds raw text.
    println!("{set}:\n{r}");
    r
}

fn assert_targets(set: &str, r: &EvalReport) {
    assert_eq!(r.missing_records, 0, "{set}");
    assert!(
        r.identifying_total > 200,
        "{set}: {} spans",
        r.identifying_total
    );
    assert!(
        r.leak_rate <= 0.02,
        "{set}: identifying spans leaked {:.2} % > 2 %",
        100.0 * r.leak_rate
    );
    assert!(
        r.keep_rate >= 0.90,
        "{set}: keep terms kept {:.2} % < 90 %",
        100.0 * r.keep_rate
    );
    assert!(
        r.blocked_rate <= 0.10,
        "{set}: records blocked {:.2} % > 10 %",
        100.0 * r.blocked_rate
    );
}

/// The targets on the frozen set. Not met yet (6.0 % leaked at the
/// last measurement, see BENCHMARKS.md): run it with `--run-ignored all`.
#[test]
#[ignore = "issue #10 target not met yet: frozen leaks 17/282 = 6.0 % > 2 %"]
fn frozen_unseen_set_meets_the_targets_at_green() {
    let r = score("frozen");
    assert_targets("frozen", &r);
}

/// What the frozen set reached, as a floor no change may go below: at most
/// 17 of 282 identifying spans leaked, keep >= 90 %, blocked <= 10 %.
#[test]
fn frozen_unseen_set_does_not_get_worse() {
    let r = score("frozen");
    assert_eq!(r.missing_records, 0);
    assert!(
        r.identifying_leaked <= 17,
        "frozen: {} identifying spans leaked > 17 (the last measurement)",
        r.identifying_leaked
    );
    assert!(
        r.keep_rate >= 0.90,
        "frozen: keep {:.2} %",
        100.0 * r.keep_rate
    );
    assert!(
        r.blocked_rate <= 0.10,
        "frozen: blocked {:.2} %",
        100.0 * r.blocked_rate
    );
}

#[test]
fn dev_unseen_set_meets_the_targets_at_green() {
    let r = score("dev");
    assert_targets("dev", &r);
}
