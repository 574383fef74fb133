//! The targets of issue #10 on the unseen-shape sets, measured in-process as
//! `tazan eval sanitize --incidents` does: identifying spans leaked <= 2 %,
//! keep terms kept >= 90 %, records blocked by the leak gate <= 10 %, at GREEN.
//!
//! `frozen31/`, `frozen32/`, `frozen33/`, `frozen34/` and every later set are held out (blind):
//! these tests print their totals per
//! kind (the report's table holds no raw text) and never their leaked spans. The targets need the
//! IPADIC dictionary (unknown katakana words are told from names with it), so
//! a run without it fails and says how to install it. `frozen/` … `frozen14/`
//! were held out too until stop 31, `frozen15/` … `frozen18/` until stop 33,
//! `frozen19/` and `frozen20/` until stop 34, `frozen21/` and `frozen22/`
//! until stop 35, `frozen23/` and `frozen24/` until stop 36, `frozen25/` and
//! `frozen26/` until stop 37, `frozen27/` and `frozen28/` until stop 38, `frozen29/` and `frozen30/` until stop 39, when they were retired to development data (`unseen/README.md`); their
//! floors stay as regression guards.
//!
//! Since round 18 the builtin GREEN policy runs the learned scorer, and each
//! `assert_floor` holds the figure measured with it (BENCHMARKS.md, "Eighteenth
//! round"); the doc comments keep each set's history before that round.
//! Round 23 (the scorer refitted on the 31 sets with IPADIC word classes)
//! tightened the floors of the sets it improved (BENCHMARKS.md, round 23).
//! Round 24 (leak classes of the retired sets, branch `rules24`) tightened
//! frozen3, frozen4, frozen7, frozen8 and frozen12 … frozen18 (BENCHMARKS.md,
//! "Twenty-fourth round").
//! Round 25 (leak classes of frozen19/frozen20, branch `rules25`; scorer
//! candidates and a refit on 37 sets, `recall25`) tightened the floors of
//! every set it improved, the blind frozen21 … frozen24 included
//! (BENCHMARKS.md, "After round 25, every set").

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

fn assert_targets(set: &str, r: &EvalReport, min_spans: usize) {
    assert_eq!(r.missing_records, 0, "{set}");
    assert!(
        r.identifying_total > min_spans,
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

/// A held-out set's last measurement as a floor no change may go below: at
/// most `max_leaked` identifying spans leaked, keep >= 90 %, blocked <= 10 %.
fn assert_floor(set: &str, max_leaked: usize) {
    assert_floor_keep(set, max_leaked, 0.90);
}

/// [`assert_floor`] for a held-out set measured below the keep target when it
/// was frozen: keep may not fall below `min_keep` (its measurement) either.
fn assert_floor_keep(set: &str, max_leaked: usize, min_keep: f64) {
    let r = score(set);
    assert_eq!(r.missing_records, 0, "{set}");
    assert!(
        r.identifying_leaked <= max_leaked,
        "{set}: {} identifying spans leaked > {max_leaked} (the last measurement)",
        r.identifying_leaked
    );
    assert!(
        r.keep_rate >= min_keep,
        "{set}: keep {:.2} %",
        100.0 * r.keep_rate
    );
    assert!(
        r.blocked_rate <= 0.10,
        "{set}: blocked {:.2} %",
        100.0 * r.blocked_rate
    );
}

/// The frozen set: at most 10 of 282 identifying spans leaked (17 before the
/// third round, 15 before the fourth, 13 before the seventh, 12 before the
/// eighth's shapes, 11 before the fourteenth).
///
/// The target on this set (<= 2 % leaked, i.e. <= 5 spans) is not met
/// yet (3.5 %, BENCHMARKS.md); when it is, this floor becomes
/// `assert_targets("frozen", …)`. It is not kept as an ignored test: the test
/// command runs every ignored test where the corpus is present.
#[test]
fn frozen_unseen_set_does_not_get_worse() {
    assert_floor("frozen", 6);
}

#[test]
fn dev_unseen_set_meets_the_targets_at_green() {
    let r = score("dev");
    assert_targets("dev", &r, 200);
}

#[test]
fn dev2_unseen_set_meets_the_targets_at_green() {
    let r = score("dev2");
    assert_targets("dev2", &r, 120);
}

/// The second frozen set meets the targets since the fourth round: 4 of 207
/// identifying spans leaked (1.9 %; 11 before the second round's rules, 6
/// before the third's, 5 before the fourth's), and may not fall back.
#[test]
fn frozen2_unseen_set_meets_the_targets_at_green() {
    let r = score("frozen2");
    assert_targets("frozen2", &r, 200);
    assert_floor("frozen2", 3);
}

/// The third frozen set (written before the third round's rules): at most 7
/// of 216 identifying spans leaked (3.2 %; 31 before the third round, 14
/// before the fourth, 13 before the sixth, 12 before the eighth, 11 before
/// the tenth, 10 before the twelfth, 8 before the seventeenth). The target (<= 2 %, i.e. <= 4 spans)
/// is not met yet (BENCHMARKS.md).
#[test]
fn frozen3_unseen_set_does_not_get_worse() {
    assert_floor("frozen3", 2);
}

/// The fourth frozen set (written before the fourth round's rules): at most
/// 5 of 208 identifying spans leaked (2.4 %; 21 before the fourth round, 12
/// before the fifth, 11 before the seventh, 10 before the eighth, 7 before
/// the twelfth, at most 5 after rounds 12 and 13). The
/// target (<= 2 %, i.e. <= 4 spans) is not met yet (BENCHMARKS.md).
#[test]
fn frozen4_unseen_set_does_not_get_worse() {
    // Round 30 (rules30: wings in kana, ids given as an example, town blocks): 2 -> 1.
    assert_floor("frozen4", 1);
}

/// The fifth frozen set (written before the fifth round's rules) meets the
/// targets since the eighth round: 4 of 208 identifying spans leaked (1.9 %;
/// 15 before the fifth round, 8 before the sixth, 7 before the seventh, 6
/// before the eighth; BENCHMARKS.md).
#[test]
fn frozen5_unseen_set_meets_the_targets_at_green() {
    let r = score("frozen5");
    assert_targets("frozen5", &r, 200);
}

/// The sixth frozen set (written before the sixth round's rules): at most 7
/// of 251 identifying spans leaked (2.8 %; 18 before, 8 before the twelfth
/// round). The target (<= 2 %, i.e. <= 5 spans) is not met yet
/// (BENCHMARKS.md).
#[test]
fn frozen6_unseen_set_does_not_get_worse() {
    // Round 29 (the scorer on 45 sets, unit/nosp cues): 5 -> 4.
    assert_floor("frozen6", 4);
}

/// The seventh frozen set (written and frozen before any rule change of the
/// seventh round): at most 19 of 322 identifying spans leaked (5.9 %; 34
/// before the seventh round, 30 before the eighth, 22 before the thirteenth,
/// 20 before the seventeenth). The target (<= 2 %, i.e.
/// <= 6 spans) is not met yet (BENCHMARKS.md, "Eighth round").
#[test]
fn frozen7_unseen_set_does_not_get_worse() {
    // Round 29 (the scorer on 45 sets, unit/nosp cues): 4 -> 3.
    assert_floor("frozen7", 3);
}

/// The eleventh round's development set, hard in the right way (persons
/// with no cue, brands without a legal form): 31 of 171 identifying spans
/// leaked before the round, 19 after it, at most 8 after rounds 12 and
/// 13. The target (<= 2 %) is not met (BENCHMARKS.md).
#[test]
fn dev11_unseen_set_does_not_get_worse() {
    assert_floor("dev11", 4);
}

/// The twelfth round's development set (names said several times, each
/// mention with at most a weak cue): 27 of 163 identifying spans leaked
/// before the round, at most 8 after it (BENCHMARKS.md, "Twelfth round"),
/// 7 after round 15. Round 25 traded one (5 -> 6) for 42 fewer leaks
/// summed over the 37 dev + retired sets (BENCHMARKS.md, round 25).
#[test]
fn dev12_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 6 -> 4.
    assert_floor("dev12", 4);
}

/// The thirteenth round's development set (organisations and facilities
/// without a legal form): 25 of 222 identifying spans leaked before the
/// round, 5 after it (BENCHMARKS.md, "Thirteenth round").
#[test]
fn dev13_unseen_set_does_not_get_worse() {
    assert_floor("dev13", 5);
}

/// The fourteenth round's development set (organisations, facilities and
/// products named once): 26 of 210 identifying spans leaked before the
/// round, 12 after it (BENCHMARKS.md, "Fourteenth round").
#[test]
fn dev14_unseen_set_does_not_get_worse() {
    // Round 29 (rules29, the leak classes of frozen27/frozen28): 7 -> 6.
    assert_floor("dev14", 6);
}

/// The tenth round's development set: 4 of 168 identifying spans leaked
/// before the round, none after it.
#[test]
fn dev10_unseen_set_meets_the_targets_at_green() {
    let r = score("dev10");
    assert_targets("dev10", &r, 160);
    assert_eq!(r.identifying_leaked, 0, "dev10: identifying spans leaked");
}

#[test]
fn dev8_unseen_set_meets_the_targets_at_green() {
    let r = score("dev8");
    assert_targets("dev8", &r, 190);
}

/// The eighth frozen set (written and frozen before any rule change of the
/// eighth round, by an engineer who changed no recogniser): at most 26 of
/// 411 identifying spans leaked (6.3 %; 30 before the round, 28 before the
/// tenth, 27 before the fourteenth). The target (<= 2 %, i.e. <= 8 spans) is not met yet
/// (BENCHMARKS.md, "Eighth round", "Tenth round").
#[test]
fn frozen8_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 10 -> 8.
    assert_floor("frozen8", 8);
}

/// The ninth frozen set (written and frozen before the eighth round's tuning
/// branches were merged, by an engineer who changed no recogniser and never
/// saw their development data): at most 10 of 307 identifying spans leaked
/// (3.3 %; 14 = 4.6 % before round 8 was merged, 11 before round 17). The target (<= 2 %, i.e. <= 6 spans) is not
/// met yet (BENCHMARKS.md, "Ninth round").
#[test]
fn frozen9_unseen_set_does_not_get_worse() {
    assert_floor("frozen9", 3);
}

/// The tenth frozen set (written and frozen before the tenth round's tuning
/// branches were merged, by an engineer who changed no recogniser and never
/// saw their development data): at most 40 of 360 identifying spans leaked
/// (11.9 % before round 10, 11.7 % after, 11.4 % after round 13, 11.1 % after
/// round 17). The target (<= 2 %, i.e. <= 7 spans) is not
/// met yet (BENCHMARKS.md, "Tenth round").
#[test]
fn frozen10_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 17 -> 15.
    // Round 29 (the scorer on 45 sets, unit/nosp cues): 15 -> 14.
    // Round 30 (rules30, facility, identifier and place classes of frozen29/frozen30): 14 -> 13.
    assert_floor("frozen10", 13);
}

/// The eleventh frozen set (written and frozen before the twelfth round's
/// tuning branches were merged, by an engineer who changed no recogniser and
/// never saw their development data; a natural mix of shapes rather than
/// hard classes): 21 of 416 identifying spans leaked before round 12 (5.0 %),
/// at most 20 after it (4.8 %), at most 19 after round 15 (4.6 %), at most 18 after round 17 (4.3 %). The target (<= 2 %, i.e. <= 8 spans) is not met yet
/// (BENCHMARKS.md, "Eleventh round: an eleventh held-out set").
#[test]
fn frozen11_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 10 -> 9.
    // Round 29 (rules29, the leak classes of frozen27/frozen28): 9 -> 8.
    // Round 30 (rules30: wings in kana, ids given as an example, town blocks): 8 -> 7.
    assert_floor("frozen11", 7);
}

/// The twelfth frozen set (written and frozen before the tuning branches
/// `recall14` and `speed13` were merged, by an engineer who changed no
/// recogniser and never saw their development data; a natural mix of
/// shapes): 40 of 382 identifying spans leaked before those branches
/// (10.5 %), at most 38 after round 15 (`recall15`, 9.9 %), at most 37
/// after round 17 (`recall17`, 9.7 %). The target
/// (<= 2 %, i.e. <= 7 spans) is not met yet (BENCHMARKS.md, "Twelfth round:
/// a twelfth held-out set", "Fifteenth round").
#[test]
fn frozen12_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 7 -> 5.
    // Round 30 (the scorer on 47 sets, spc/tel cues, bullets): 5 -> 3.
    assert_floor("frozen12", 3);
}

/// The thirteenth frozen set (written and frozen before the tuning branches
/// `recall16` and `speed14` were merged, by an engineer who changed no
/// recogniser and never saw their development data; a natural mix of
/// shapes): 22 of 441 identifying spans leaked before those branches
/// (5.0 %). The target (<= 2 %, i.e. <= 8 spans) is not met yet
/// (BENCHMARKS.md, "Twelfth round: a thirteenth held-out set").
#[test]
fn frozen13_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 6 -> 5.
    assert_floor("frozen13", 5);
}

/// The fourteenth frozen set (written and frozen before the branches
/// `scorer3` and `speed15` were merged, by an engineer who changed no
/// recogniser and never saw their development data; a natural mix of
/// shapes): 25 of 377 identifying spans leaked before those branches
/// (6.6 %), 22 after them with the scorer on by default (5.8 %). The target
/// (<= 2 %, i.e. <= 7 spans) is not met yet (BENCHMARKS.md, "Fourteenth
/// held-out set").
#[test]
fn frozen14_unseen_set_does_not_get_worse() {
    // Round 29 (the scorer on 45 sets, unit/nosp cues): 11 -> 10.
    // Round 30 (the scorer on 47 sets, spc/tel cues, bullets): 10 -> 9.
    assert_floor("frozen14", 9);
}

/// The fifteenth frozen set (written and frozen before the branches
/// `recall20` and `speed16` were merged, by an engineer who changed no
/// recogniser and never saw their development data; a natural mix of
/// shapes): 12 of 380 identifying spans leaked before those branches with the
/// builtin GREEN policy (3.2 %; 18 with the rules alone). The target
/// (<= 2 %, i.e. <= 7 spans) is not met yet (BENCHMARKS.md, "Fifteenth
/// held-out set").
#[test]
fn frozen15_unseen_set_does_not_get_worse() {
    // Round 30 (rules30: wings in kana, ids given as an example, town blocks): 6 -> 5.
    assert_floor("frozen15", 5);
}

/// The sixteenth frozen set (written and frozen before the branches
/// `recall21` and `speed17` were merged, by an engineer who changed no
/// recogniser and never saw their development data; a natural mix of
/// shapes): 17 of 372 identifying spans leaked before those branches with the
/// builtin GREEN policy (4.6 %; 20 with the rules alone). The target
/// (<= 2 %, i.e. <= 7 spans) is not met yet (BENCHMARKS.md, "Sixteenth
/// held-out set").
#[test]
fn frozen16_unseen_set_does_not_get_worse() {
    // Round 29, leftovers (rules29b: a spaced holder after 所長): 7 -> 6.
    assert_floor("frozen16", 6);
}

/// The seventeenth frozen set (written and frozen before the work of
/// `recall22` and `precision22` was merged, by an engineer who changed no recogniser and never
/// saw its development data; a natural mix of shapes over 38 industries): 12
/// of 376 identifying spans leaked before that round with the builtin GREEN
/// policy (3.2 %; 17 with the rules alone). The target (<= 2 %, i.e. <= 7
/// spans) is not met yet; 12 after that round too (BENCHMARKS.md, "Seventeenth held-out set").
#[test]
fn frozen17_unseen_set_does_not_get_worse() {
    // Round 30 (the scorer on 47 sets, spc/tel cues, bullets): 3 -> 1.
    assert_floor("frozen17", 1);
}

/// The eighteenth frozen set (written and frozen before the work of
/// `recall22` and `precision22` was merged, by an engineer who changed no recogniser and never
/// saw its development data; a natural mix of shapes over 38 industries,
/// leaning toward small organisations, forms filled in by non-IT staff,
/// phone chat exports, English reports from overseas branches and scanned
/// forms): 23 of 380 identifying spans leaked before that round with the
/// builtin GREEN policy (6.1 %; 26 with the rules alone). The target
/// (<= 2 %, i.e. <= 7 spans) is not met yet (BENCHMARKS.md, "Eighteenth
/// held-out set").
#[test]
fn frozen18_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 10 -> 8.
    // Round 30 (rules30, facility, identifier and place classes of frozen29/frozen30): 8 -> 7.
    assert_floor("frozen18", 7);
}

/// The nineteenth frozen set (written and frozen before the work of the next
/// round was merged, by an engineer who changed no recogniser, read no file
/// under `src/` and never saw the development data of the engineers working
/// in parallel; a natural mix of shapes over 38 industries, leaning toward
/// large and public organisations: municipal and government accident reports
/// with timelines and lists of people, banks, insurers and securities firms,
/// universities and research institutes, railways, airlines and ports,
/// hospital IT departments, forwarded mail threads, ticket comment
/// histories, change-management deviations, log excerpts and subcontracting
/// chains): 34 of 409 identifying spans leaked before that round with the
/// builtin GREEN policy (8.3 %; 41 with the rules alone). The target
/// (<= 2 %, i.e. <= 8 spans) is not met yet (BENCHMARKS.md, "Nineteenth
/// held-out set").
#[test]
fn frozen19_unseen_set_does_not_get_worse() {
    // Round 29 (rules29 and recall29 merged): 20 -> 17.
    // Round 30 (rules30, facility, identifier and place classes of frozen29/frozen30): 17 -> 16.
    assert_floor("frozen19", 16);
}

/// The twentieth frozen set (written and frozen before the work of the next
/// round was merged, by an engineer who changed no recogniser, read no
/// sanitiser source and never saw its development data; a natural mix of
/// shapes over 38 industries, leaning toward spoken and informal writing:
/// chat exports with display names, radio and call transcripts, duty
/// diaries, transcribed handwritten notes with old kanji, dialect, foreign
/// staff named in katakana, kanji or Latin, nicknames of rooms, vehicles and
/// ships): 48 of 430 identifying spans leaked before that round with the
/// builtin GREEN policy (11.2 %; 61 with the rules alone). The target
/// (<= 2 %, i.e. <= 8 spans) is not met yet (BENCHMARKS.md, "Twentieth
/// held-out set").
#[test]
fn frozen20_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 21 -> 17.
    // Round 30 (rules30, facility, identifier and place classes of frozen29/frozen30): 17 -> 16.
    assert_floor("frozen20", 16);
}

/// The twenty-first frozen set (written and frozen before the work of the
/// next round was merged, by an engineer who changed no recogniser, read no
/// sanitiser source and never saw its development data; a natural mix of
/// shapes over 38 industries, leaning toward machine-made and technical
/// text: monitoring alert mail, syslog, application logs and stack traces,
/// configuration, `.env` and YAML fragments, SQL sessions, commit logs and
/// pull-request threads, ticket histories, runbook records, job-scheduler
/// results, CSV/TSV exports, cloud console and audit-log pastes and English
/// mail with Japanese replies, with names hidden in hosts, paths, buckets,
/// schemas, mail local parts, user ids and branch names): 35 of 423
/// identifying spans leaked before that round with the builtin GREEN policy
/// (8.3 %; 49 with the rules alone). The target (<= 2 %, i.e. <= 8 spans)
/// is not met yet (BENCHMARKS.md, "Twenty-first held-out set").
#[test]
fn frozen21_unseen_set_does_not_get_worse() {
    // Round 30 (the scorer on 47 sets, spc/tel cues, bullets): 25 -> 23.
    // Round 30 (rules30, facility, identifier and place classes of frozen29/frozen30): 25 -> 21.
    // Round 30 merged (recall30, rules30 and rules30b together): 21 -> 19.
    assert_floor("frozen21", 19);
}

/// The twenty-second frozen set (written and frozen before the work of the
/// next round was merged, by an engineer who changed no recogniser, read no
/// sanitiser source and never saw its development data; a natural mix of
/// shapes over 38 industries, leaning toward small and regional
/// organisations and their paper habits: FAX cover sheets, 回覧板, apology
/// letters and 始末書/顛末書, insurance accident reports, complaint slips,
/// council answers, newsletters, transcribed handwritten notes in old kanji,
/// addresses with 郡・大字・字 and kanji numerals, family businesses, 屋号
/// and nicknames): 43 of 417 identifying spans leaked before that round with
/// the builtin GREEN policy (10.3 %; 56 with the rules alone). The target
/// (<= 2 %, i.e. <= 8 spans) is not met yet (BENCHMARKS.md, "Twenty-second
/// held-out set").
#[test]
fn frozen22_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 23 -> 16.
    // Round 29 (rules29, the leak classes of frozen27/frozen28): 16 -> 15.
    // Round 30 (rules30: wings in kana, ids given as an example, town blocks): 15 -> 13.
    assert_floor("frozen22", 13);
}

/// The twenty-third frozen set (written and frozen before the work of the
/// next round was merged, by an engineer who changed no recogniser, read no
/// sanitiser source and never saw its development data; a natural mix of
/// shapes over 38 industries, leaning toward cross-border and multilingual
/// work: overseas plants and subsidiaries, offshore vendors, 技能実習生 and
/// 特定技能 staff, foreign customers and tourists, interpreters, bilingual
/// memos and minutes, English reports with Japanese comments, SWIFT and
/// telex pastes, names in Chinese, Korean, Vietnamese, Filipino, Indonesian,
/// Nepali, Indian, Brazilian and European forms, passports, 在留カード,
/// IBAN, container, flight and vessel numbers, foreign addresses and phone
/// formats): 33 of 551 identifying spans leaked before that round with the
/// builtin GREEN policy (6.0 %; 39 with the rules alone). The target
/// (<= 2 %, i.e. <= 11 spans) is not met yet (BENCHMARKS.md, "Twenty-third
/// held-out set").
#[test]
fn frozen23_unseen_set_does_not_get_worse() {
    // Round 29 (the scorer on 45 sets, unit/nosp cues): 22 -> 21.
    // Round 30 (the scorer on 47 sets, spc/tel cues, bullets): 21 -> 20.
    // Round 30 (rules30, facility, identifier and place classes of frozen29/frozen30): 21 -> 20.
    // Round 30 (rules30b, hiragana names after a legal form): 21 -> 20.
    // Round 30 merged (recall30, rules30 and rules30b together): 20 -> 18.
    assert_floor("frozen23", 18);
}

/// The twenty-fourth frozen set (written and frozen before the work of the
/// next round was merged, by an engineer who changed no recogniser, read no
/// sanitiser source and never saw its development data; a natural mix of
/// shapes over 38 industries, leaning toward named things in domain
/// documents: facilities, rooms, sites, ships and vehicles, products,
/// events and the partners behind them, often without a legal form, in
/// construction day reports, plant logs, ward hand-overs, event and
/// broadcast reports, recall notices, 8D reports, audit answers, minutes,
/// call transcripts, spreadsheet pastes and English/Japanese mail): 58 of
/// 395 identifying spans leaked before that round with the builtin GREEN
/// policy (14.7 %; 81 with the rules alone). The target (<= 2 %, i.e. <= 7
/// spans) is not met yet (BENCHMARKS.md, "Twenty-fourth held-out set").
#[test]
fn frozen24_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 31 -> 27.
    assert_floor("frozen24", 27);
}

/// The twenty-fifth held-out set (written and frozen on 2026-12-07 before the
/// next round was merged, by an engineer who changed no recogniser, read no
/// sanitiser source and never saw its development data; a natural mix of
/// shapes over 38 industries, leaning toward personal-data incidents where
/// people are the point: mis-sent mail, FAX, post and SMS, lost and stolen
/// papers and devices, mis-shown screens and unauthorised viewing, written
/// up as reports to regulators, apology letters, 顛末書 and 始末書, internal
/// investigations, audit findings, hand-over notes, minutes, call
/// transcripts, chat posts, mail headers, spreadsheet pastes and
/// English/Japanese mail, with victims, staff and families named in every
/// form): 14 of 379 identifying spans leaked before that round with the
/// builtin GREEN policy (3.7 %; 19 with the rules alone). The target (<= 2 %,
/// i.e. <= 7 spans) is not met yet (BENCHMARKS.md, "Twenty-fifth held-out
/// set").
#[test]
fn frozen25_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 10 -> 9.
    // Round 29 (rules29, the leak classes of frozen27/frozen28): 9 -> 8.
    // Round 30 (the scorer on 47 sets, spc/tel cues, bullets): 8 -> 6.
    assert_floor("frozen25", 6);
}

/// The twenty-sixth frozen set (written and frozen before the work of the
/// next round was merged, by an engineer who changed no recogniser, read no
/// sanitiser source and never saw its development data; a natural mix of
/// shapes over 38 industries, leaning toward legacy systems and the
/// typography they leave in text: 全銀 transfer results and 半角カナ names,
/// mainframe JCL and AS/400 job logs, EDI fixed-length records, POS
/// journals and handheld-terminal logs, OCR of faxed and scanned forms with
/// OCR errors, 住記・税 and 医事会計 lists, 帳票 and 伝票 prints, 外字 and
/// 旧字体, 和暦 and 元年, kanji numerals in addresses and phones, spaced and
/// full-width names): 35 of 389 identifying spans leaked before that round
/// with the builtin GREEN policy (9.0 %; 56 with the rules alone). The
/// target (<= 2 %, i.e. <= 7 spans) is not met yet (BENCHMARKS.md,
/// "Twenty-sixth held-out set").
#[test]
fn frozen26_unseen_set_does_not_get_worse() {
    // Round 29 (rules29, the leak classes of frozen27/frozen28): 22 -> 18.
    assert_floor("frozen26", 18);
}

/// The twenty-seventh frozen set (written and frozen before the work of the
/// next round was merged, by an engineer who changed no recogniser, read no
/// sanitiser source and never saw its development data; a natural mix of
/// shapes over 38 industries, leaning toward legal, contractual and official
/// paper around a failure: contract, 覚書 and SLA excerpts with 甲/乙,
/// lawyers' notices, claims and settlements, court, conciliation and ADR
/// records, third-party committee reports, board, auditors' and
/// shareholders' minutes, reports to and orders from authorities, police
/// reports, insurance claims and assessments, consumer-centre complaints,
/// subcontracting disputes and apology drafts, with 登記 addresses, 法人番号,
/// インボイス登録番号, licence, case, policy and contract numbers, accounts,
/// amounts and 和暦 dates): 17 of 363 identifying spans leaked before that
/// round with the builtin GREEN policy (4.7 %; 20 with the rules alone). The
/// target (<= 2 %, i.e. <= 7 spans) is not met yet (BENCHMARKS.md,
/// "Twenty-seventh held-out set"); 16 after round 28 (the 43-set scorer).
#[test]
fn frozen27_unseen_set_does_not_get_worse() {
    // Round 29 (rules29, the leak classes of frozen27/frozen28): 16 -> 5.
    assert_floor("frozen27", 5);
}

/// The twenty-eighth held-out set (written and frozen on 2026-12-07 before
/// the work of the next round was merged, by an engineer who changed no
/// recogniser, read no sanitiser source and never saw its development data;
/// a natural mix of shapes over 36 industries, leaning toward security
/// incidents and fraud as the people who handle them write: CSIRT and SOC
/// hand-overs and weekly reports, forensic report excerpts, IOC tables,
/// BEC and phishing mails quoted in reports, ransomware and blackmail notes,
/// credential stuffing, SIM swaps, mule accounts, card and crypto fraud,
/// insider embezzlement and data theft, intrusions through vendors, lost
/// and stolen devices, drafts for the police, JPCERT/CC and IPA, audit
/// findings, minutes, call transcripts, board posts, CSV/TSV pastes and
/// English/Japanese mail): 17 of 421 identifying spans leaked before that
/// round with the builtin GREEN policy (4.0 %; 28 with the rules alone). The
/// target (<= 2 %, i.e. <= 8 spans) is not met yet (BENCHMARKS.md,
/// "Twenty-eighth held-out set"). After round 27 (rules27's leak classes,
/// merged after it was frozen): 16.
#[test]
fn frozen28_unseen_set_does_not_get_worse() {
    // Round 29 (rules29, the leak classes of frozen27/frozen28): 16 -> 9;
    // rules29b (a legal form heading the name after a spaced label, a
    // spaced holder after 弊社担当): 9 -> 7.
    // Round 30 (rules30b, a half-width word after a kana legal form): 7 -> 6.
    assert_floor("frozen28", 6);
}

/// The twenty-ninth held-out set (written and frozen on 2026-12-07 before
/// the work of the next round was merged, by an engineer who changed no
/// recogniser, read no sanitiser source and never saw its development data;
/// a natural mix of shapes over about 36 industries, leaning toward
/// healthcare, welfare, childcare and education at the front line: nursing
/// notes, ward and pharmacy hand-overs, care-home, home-care and group-home
/// logs, day-care, after-school club and special-school notes, 連絡帳,
/// school and university records, 委員会 minutes, parent letters, group
/// chats, call transcripts, CSV/TSV exports and English/Japanese mail, with
/// patients, residents, children, pupils, guardians, carers, doctors and
/// teachers, 保険者番号, 患者ID, 学籍番号, wards, rooms and beds): 29 of 433
/// identifying spans leaked before that round with the builtin GREEN policy
/// (6.7 %; 36 with the rules alone). The target (<= 2 %, i.e. <= 8 spans) is
/// not met yet (BENCHMARKS.md, "Twenty-ninth held-out set"); 27 after round
/// 28 (a person and a facility fewer).
#[test]
fn frozen29_unseen_set_does_not_get_worse() {
    // Round 29 (rules29, the leak classes of frozen27/frozen28; totals only): 27 -> 26.
    // Round 30 (the scorer on 47 sets, spc/tel cues, bullets): 26 -> 24.
    // Round 30 (rules30, facility, identifier and place classes of frozen29/frozen30): 26 -> 6.
    // Round 30, a table's place column (乗車地, 住所): 6 -> 5.
    // Round 30 (rules30b, initials, kana given names with 子, chat speakers): 26 -> 23.
    // Round 30 merged (recall30, rules30 and rules30b together): 5 -> 1.
    assert_floor("frozen29", 1);
}

/// The thirtieth held-out set (written and frozen on 2026-12-07 before the
/// work of the next round was merged, by an engineer who changed no
/// recogniser, read no sanitiser source and never saw its development data;
/// a natural mix of shapes over 35 industries, leaning toward disasters,
/// business continuity and public communication around a failure:
/// earthquake, typhoon, flood, heavy snow and blackout reports, 災害対策本部
/// and incident-command logs, 安否確認 lists, shelter records, mutual-aid
/// requests, restoration reports of power, water, gas, carriers and
/// railways, cloud and data-centre outages seen from customers, press
/// releases and their Q&A drafts, SNS replies, call-centre surge logs,
/// notices to regulators, BCP drills and their evaluations): 14 of 409
/// identifying spans leaked before that round with the builtin GREEN policy
/// (3.4 %; 28 with the rules alone). The target (<= 2 %, i.e. <= 8 spans) is
/// not met yet (BENCHMARKS.md, "Thirtieth held-out set").
#[test]
fn frozen30_unseen_set_does_not_get_worse() {
    // Round 29 (rules29, the leak classes of frozen27/frozen28; totals only): 14 -> 13.
    // Round 30 (rules30, facility, identifier and place classes of frozen29/frozen30): 13 -> 7.
    // Round 30 (rules30b, hiragana names after a professional firm's form): 13 -> 12.
    // Round 30 merged (recall30, rules30 and rules30b together): 7 -> 6.
    assert_floor("frozen30", 6);
}

/// The thirty-first held-out set (written and frozen on 2026-12-07 before the
/// work of the next round was merged, by an engineer who changed no
/// recogniser, read no sanitiser source and saw none of the other blind sets;
/// a natural mix of shapes over 36 industries, leaning toward manufacturing,
/// construction, logistics and field work as the shop floor writes it:
/// 作業日報, 作業指示書, 8D and なぜなぜ sheets, 点検・保全 records, PLC, MES,
/// WMS and TMS trouble, 運行日報 and 配車, 誤出荷, KY and 朝礼 boards, radio
/// and phone notes, site chats, shift hand-overs, CSV/TSV exports and
/// English/Japanese mail with overseas plants and 技能実習生, with 職長,
/// 班長, 作業員, drivers and 協力会社 named as such papers name them, 製番,
/// ロット, 型式, 図番, car plates, 現場名 and 作業所): 18 of 464 identifying
/// spans leaked before that round with the builtin GREEN policy (3.9 %; 35
/// with the rules alone). The target (<= 2 %, i.e. <= 9 spans) is not met
/// yet (BENCHMARKS.md, "Thirty-first held-out set").
#[test]
fn frozen31_unseen_set_does_not_get_worse() {
    // Round 30 (rules30, facility, identifier and place classes of frozen29/frozen30) (totals only): 18 -> 17.
    assert_floor("frozen31", 17);
}

/// The thirty-second held-out set (written and frozen on 2026-12-07 before
/// the work of the next round was merged, by an engineer who changed no
/// recogniser, read no sanitiser source and never saw its development data;
/// a natural mix of shapes over about 36 industries, leaning toward money
/// and citizen counters: retail banks, 信金・信組, JA, 労金, insurers,
/// securities and card back offices, payment agents, and municipal counters
/// for 住民票, 戸籍, 税, 国保, 年金, 給付金, 保育料 and ふるさと納税, around
/// mistaken transfers, double debits, wrong notices mailed, counter mix-ups
/// and call-centre and chatbot failures, written as call logs and voice
/// transcripts, chat exports, reception slips, 事務連絡, 稟議書, audit
/// notes, apology letters, FAQs and English/Japanese mail, with customers,
/// citizens, heirs, agents and clerks, 口座番号, 証券番号, 受付番号, 宛名番号
/// and 世帯番号): 14 of 404 identifying spans leaked before that round with
/// the builtin GREEN policy (3.5 %; 23 with the rules alone). The target
/// (<= 2 %, i.e. <= 8 spans) is not met yet (BENCHMARKS.md, "Thirty-second
/// held-out set").
#[test]
fn frozen32_unseen_set_does_not_get_worse() {
    // Round 29 (rules29 and recall29 merged; totals only): 14 -> 13;
    // rules29b: 13 -> 12 (totals only).
    assert_floor("frozen32", 12);
}

/// The thirty-third held-out set (written and frozen on 2026-12-07 before
/// the work of the next round was merged, by an engineer who changed no
/// recogniser, read no sanitiser source and never saw its development data;
/// a natural mix of shapes over 36 industries, leaning toward retail,
/// e-commerce, hospitality, food service and travel as the customer-facing
/// floor writes it: marketplace and online-shop operations, POS and
/// self-checkout failures, point, coupon and wrong-price errors, hotel and
/// ryokan reservations through PMS and OTA channel managers, ordering
/// tablets and delivery apps, airline, bus, ferry and rail seat inventory,
/// event tickets and oversold stock, written as store daily reports, SV
/// visit notes, franchise-HQ circulars, review replies, shift chats,
/// marketplace forms, guest cards and English/Chinese/Japanese guest mail,
/// with customers, guests, store managers, part-timers, franchise owners,
/// SVs and vendors, 注文番号, 予約番号, 会員番号, 店舗コード, 客室番号, 便名
/// and 座席番号): 19 of 439 identifying spans leaked before that round with
/// the builtin GREEN policy (4.3 %; 30 with the rules alone). The target
/// (<= 2 %, i.e. <= 8 spans) is not met yet (BENCHMARKS.md, "Thirty-third
/// held-out set").
#[test]
fn frozen33_unseen_set_does_not_get_worse() {
    assert_floor("frozen33", 19);
}

/// The thirty-fourth held-out set (written and frozen on 2026-12-07 before
/// the work of the next round was merged, by an engineer who changed no
/// recogniser, read no sanitiser source and saw none of the other blind sets;
/// a natural mix of shapes over 36 industries (38 industry labels), leaning
/// toward telecom, utilities, broadcasting, publishing and research: carrier
/// NOC and base-station outages, fibre and mobile line faults, smart-meter
/// reading and billing, utility field crews and call centres, playout,
/// transmission and 放送事故, newspaper and magazine production and print
/// deadlines, ad-delivery mistakes, university and research-institute labs,
/// instruments, HPC clusters and research data loss, with engineers,
/// dispatchers, reporters, editors, researchers, students and contractors,
/// 回線番号, 契約番号, お客様番号, 供給地点特定番号, メーター番号, 局舎 and
/// 基地局, 番組名 and 課題番号): 13 of 399 identifying spans leaked before
/// that round with the builtin GREEN policy (3.3 %; 20 with the rules alone).
/// The target (<= 2 %, i.e. <= 7 spans) is not met yet, nor is the keep
/// target: 159 of 185 keep terms kept (85.9 %; 161 with the rules alone), so
/// the floor holds that measurement too (BENCHMARKS.md, "Thirty-fourth
/// held-out set").
#[test]
fn frozen34_unseen_set_does_not_get_worse() {
    // Keep at freeze: 159/185 = 0.8595.
    // Round 30 merged (totals only): 13 -> 12 leaked, keep 159 -> 165 of 185 (0.8919).
    assert_floor_keep("frozen34", 12, 0.891);
}

/// The fifteenth round's development set (persons and identifiers in forms,
/// logs, chat exports, booking lists, CSV/TSV and romanised mail): 16 of 195
/// identifying spans leaked before the round, 4 after it (BENCHMARKS.md,
/// "Fifteenth round").
#[test]
fn dev15_unseen_set_does_not_get_worse() {
    assert_floor("dev15", 1);
}

/// Development set in formal documents (minutes, notices to regulators and
/// parents, NCR/CAR forms, letters, 委任状, 始末書, 債権譲渡通知, …), written for
/// the learned scorer of round 16 before any rule or model saw it: 11 of 264
/// identifying spans leaked with the code of `main` at 45ca4d3
/// (BENCHMARKS.md, "Development sets dev17 and dev18").
#[test]
fn dev17_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 2 -> 1.
    assert_floor("dev17", 1);
}

/// Development set in informal notes, chats and threads (voicemail and voice
/// input transcripts, sticky notes, DM and SMS logs, wiki comments, …), written
/// with dev17: 37 of 260 identifying spans leaked with the code of `main` at
/// 45ca4d3 (BENCHMARKS.md, "Development sets dev17 and dev18"), 13 after the
/// informal-register classes of round 17 (BENCHMARKS.md, "Seventeenth round").
#[test]
fn dev18_unseen_set_does_not_get_worse() {
    // Round 28b (the scorer refitted on 43 sets, at 0.6): 9 -> 8.
    // Round 30 (the scorer on 47 sets, spc/tel cues, bullets): 8 -> 7.
    // Round 30 (rules30: wings in kana, ids given as an example, town blocks): 8 -> 7.
    // Round 30 merged (recall30, rules30 and rules30b together): 7 -> 6.
    assert_floor("dev18", 6);
}

/// The twentieth round's development set (identifiers and contacts in every
/// shape a report carries, bare names in chains, tables and sign-offs, names
/// without a legal form): 21 of 290 identifying spans leaked before the
/// round, 3 after it (BENCHMARKS.md, "Twentieth round").
#[test]
fn dev19_unseen_set_does_not_get_worse() {
    assert_floor("dev19", 2);
}

#[test]
fn dev7_unseen_set_meets_the_targets_at_green() {
    let r = score("dev7");
    assert_targets("dev7", &r, 150);
}

#[test]
fn dev6_unseen_set_meets_the_targets_at_green() {
    let r = score("dev6");
    assert_targets("dev6", &r, 190);
}

#[test]
fn dev5_unseen_set_meets_the_targets_at_green() {
    let r = score("dev5");
    assert_targets("dev5", &r, 140);
}

#[test]
fn dev4_unseen_set_meets_the_targets_at_green() {
    let r = score("dev4");
    assert_targets("dev4", &r, 150);
}

#[test]
fn dev3_unseen_set_meets_the_targets_at_green() {
    let r = score("dev3");
    assert_targets("dev3", &r, 80);
}
