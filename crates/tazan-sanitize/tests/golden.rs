//! Golden tests on the shared corpus's structured report example (read by path,
//! never copied; `#[ignore]`d without the corpus, see `tests/support/corpus.rs`)
//! and canary tests: a marker placed in a raw field must never reach the output.

// Test harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use tazan_model::{read_incidents, Incident, UnknownFields};
use tazan_sanitize::{sanitize_jsonl, DisclosureLevel, Policy, Sanitizer, Status};

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

const GOLDEN_DRAFT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/report-example.draft.tsv"
);
const GOLDEN_PRESS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/press-records.GREEN.draft.tsv"
);
const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/report-example.GREEN.audit.tsv"
);

fn report() -> Incident {
    read_incidents(
        &corpus::corpus_file("report-example.json"),
        UnknownFields::Refuse,
    )
    .unwrap()
    .records
    .remove(0)
    .1
}

/// The golden file lists, per replacement, field / kind / rule / replacement: our
/// own output only, no corpus text. Regenerate with `UPDATE_GOLDEN=1`.
#[test]
#[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
fn corpus_report_example_golden_audit() {
    let s = Sanitizer::without_dictionary(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    let rec = s.sanitize_incident(&report());
    assert_eq!(rec.status, Status::Ok, "{:?}", rec.findings);
    let actual: String = rec
        .audit
        .iter()
        .map(|a| format!("{}\t{}\t{}\t{}\n", a.field, a.kind, a.rule, a.replacement))
        .collect();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(GOLDEN)
        .expect("golden file; run with UPDATE_GOLDEN=1 to create it");
    assert_eq!(
        actual, expected,
        "audit changed; review and rerun with UPDATE_GOLDEN=1"
    );

    let p = &rec.published;
    // Dropped per the GREEN policy; the organisation never travels.
    for key in ["organization", "location", "contact_timeline", "remarks"] {
        assert!(!p.contains_key(key), "{key} published");
    }
    // Structure kept: every timeline entry and countermeasure is still there.
    let raw = serde_json::to_value(report()).unwrap();
    assert_eq!(
        p["timeline"].as_array().unwrap().len(),
        raw["timeline"].as_array().unwrap().len()
    );
    assert_eq!(p["countermeasures"].as_array().unwrap().len(), 3);
    // Exact subscriber counts are generalised, the own name is 当社.
    assert_eq!(
        p["total_subscribers"]["count"],
        Value::String("数十万".into())
    );
    assert!(p["timeline"][3]["time"].as_str().unwrap().contains("午後"));
    assert_eq!(p["occurred_period"], Value::String("不明".into()));
    // It has an impact scope: not a near miss.
    assert!(!p.contains_key("near_miss"));
}

/// Drafting the report example at AMBER and GREEN. The golden file holds, per
/// level and field, the character count and a hash of our own output plus the
/// labels we chose: no corpus text. Regenerate with `UPDATE_GOLDEN=1`.
#[test]
#[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
fn corpus_report_example_draft_golden() {
    use tazan_model::{CauseCategory, Domain};
    let mut actual = String::new();
    for level in [DisclosureLevel::Amber, DisclosureLevel::Green] {
        let s = Sanitizer::without_dictionary(&Policy::builtin(), level).unwrap();
        let d = s.draft_lesson(&report());
        d.lesson.validate().unwrap();
        assert!(d.findings.is_empty(), "{level}: {:?}", d.findings);
        let l = &d.lesson;
        assert_eq!(l.level, level);
        assert_eq!(l.taxonomy.cause, CauseCategory::Configuration);
        // Two of the three root causes lie in procedure and management (手順書, 管理不足).
        assert_eq!(l.taxonomy.domain, Domain::Governance);
        assert_eq!(l.taxonomy.stage, "運用", "the first cause names 工事");
        assert_eq!(l.period, "", "平成〇年 has no year to publish");
        assert_eq!(l.countermeasures.len(), 3);
        // Three distinct root causes at every level; AMBER adds each one's detail.
        assert_eq!(l.root_cause.lines().count(), 3);
        assert_eq!(l.causes.len(), 3);
        assert_eq!(
            l.root_cause.contains("作業員が誤って設定"),
            level == DisclosureLevel::Amber
        );
        assert!(l.impact.starts_with("全国で最大"), "{}", l.impact);
        let text = serde_json::to_string(l).unwrap();
        assert!(!text.contains("58,990") && !text.contains("58990"));
        actual.push_str(&fingerprint(&level.to_string(), l));
    }
    assert_golden(GOLDEN_DRAFT, &actual);
}

/// Per field of a drafted lesson: the character count and a hash of our own output,
/// one line each, keyed by `key` (a level or a record id): no corpus text.
fn fingerprint(key: &str, l: &tazan_model::Lesson) -> String {
    let causes: Vec<String> = l
        .causes
        .iter()
        .map(|c| format!("{}/{}/{}", c.kind, c.stage, c.text))
        .collect();
    let kinds: Vec<String> = l
        .countermeasure_kinds
        .iter()
        .map(|k| format!("{k:?}"))
        .collect();
    let fields: [(&str, String); 12] = [
        ("title", l.title.clone()),
        ("problem", l.problem.clone()),
        ("direct_cause", l.direct_cause.clone()),
        ("root_cause", l.root_cause.clone()),
        ("causes", causes.join("\n")),
        ("countermeasures", l.countermeasures.join("\n")),
        ("countermeasure_kinds", kinds.join("\n")),
        ("lesson", l.lesson.clone()),
        ("keywords", l.keywords.join(",")),
        ("impact", l.impact.clone()),
        ("effect", l.effect.clone()),
        ("scenes", l.taxonomy.scenes.join(",")),
    ];
    fields
        .into_iter()
        .map(|(name, value)| {
            let hash = blake3::hash(value.as_bytes()).to_hex();
            format!(
                "{key}\t{name}\t{}\t{}\n",
                value.chars().count(),
                &hash[..16]
            )
        })
        .collect()
}

fn assert_golden(path: &str, actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, actual).unwrap();
    }
    let expected =
        std::fs::read_to_string(path).expect("golden file; run with UPDATE_GOLDEN=1 to create it");
    assert_eq!(
        actual, expected,
        "{path}: draft changed; review `tazan lesson show` output and rerun with UPDATE_GOLDEN=1"
    );
}

/// Every shared press record's GREEN draft, pinned field by field (counts and hashes of
/// our own output, keyed by record id): a change to the paragraph reader shows here
/// record by record; `tests/drafts.rs` says what the drafts must contain.
#[test]
#[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
fn corpus_press_records_draft_golden() {
    let incidents = read_incidents(
        &corpus::corpus_file("incidents.jsonl"),
        UnknownFields::Refuse,
    )
    .unwrap()
    .records;
    assert_eq!(incidents.len(), 25);
    let s = Sanitizer::without_dictionary(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    let mut actual = String::new();
    for (_, inc) in &incidents {
        let d = s.draft_lesson(inc);
        assert!(d.findings.is_empty(), "{}: {:?}", inc.id, d.findings);
        actual.push_str(&fingerprint(&inc.id, &d.lesson));
    }
    assert_golden(GOLDEN_PRESS, &actual);
}

const CANARY: &str = "カナリア精機";

fn canary_incident() -> Incident {
    let line = format!(
        r#"{{"id":"canary-1","organization":{{"name":"{CANARY}","aliases":["KNR"]}},"industry":"製造","system_name":"{CANARY}生産管理システム","occurred_at":"2024-02-03T04:05:00+09:00","impact":"ｶﾅﾘｱ精機の工場で出荷停止。KNRの担当は03-1234-5678。","description":"かなりあ精機 の 生産管理サーバーでディスク障害。","sources":["{CANARY}お知らせ（2024.2.3）"],"remarks":"{CANARY}内部メモ","internal_memo":"{CANARY}の未分類フィールド"}}"#
    );
    // `internal_memo` is outside the schema: kept, and masked like the rest.
    tazan_model::parse_jsonl(&line, "canary.jsonl", UnknownFields::Keep)
        .records
        .remove(0)
        .1
}

#[test]
fn canary_never_reaches_published_fields() {
    let inc = canary_incident();
    for level in [
        DisclosureLevel::Amber,
        DisclosureLevel::Green,
        DisclosureLevel::Clear,
    ] {
        let s = Sanitizer::without_dictionary(&Policy::builtin(), level).unwrap();
        let rec = s.sanitize_incident(&inc);
        let published = serde_json::to_string(&rec.published).unwrap();
        let findings = serde_json::to_string(&rec.findings).unwrap();
        for needle in [
            CANARY,
            "カナリア",
            "ｶﾅﾘｱ",
            "かなりあ",
            "KNR",
            "03-1234-5678",
        ] {
            assert!(
                !published.contains(needle),
                "{level}: {needle} in {published}"
            );
            assert!(
                !findings.contains(needle),
                "{level}: findings carry raw text"
            );
        }
        // The audit keeps the originals locally, so the reviewer can check them.
        assert!(rec.audit.iter().any(|a| a.original.contains(CANARY)));
        assert_eq!(rec.status, Status::Ok, "{:?}", rec.findings);
    }
}

#[test]
fn canary_in_batch_output_only_under_audit() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let output = dir.path().join("out.jsonl");
    std::fs::write(
        &input,
        serde_json::to_string(&canary_incident()).unwrap() + "\n",
    )
    .unwrap();
    let summary = sanitize_jsonl(
        &input,
        &output,
        &Policy::builtin(),
        DisclosureLevel::Green,
        0,
    )
    .unwrap();
    assert_eq!((summary.records, summary.ok), (1, 1));
    let v: Value = serde_json::from_str(std::fs::read_to_string(&output).unwrap().trim()).unwrap();
    let mut without_audit = v.clone();
    without_audit.as_object_mut().unwrap().remove("audit");
    assert!(!without_audit.to_string().contains(CANARY));
    assert_eq!(v["status"], "ok");
    assert!(v["audit"].to_string().contains(CANARY));
}
