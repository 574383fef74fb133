use super::*;
use crate::policy::Policy;

fn incident() -> Incident {
    tazan_model::parse_jsonl(
        r#"{"id":"t-1","organization":{"name":"ひばり運輸","aliases":["HBR"]},"industry":"運輸","system_name":"ひばり運輸予約システム","occurred_at":"2023-08-14T09:30:00+09:00","recovered_at":"2023-08-14T15:00:00+09:00","impact":"予約サイトに約12,000人がアクセスできなくなった。窓口でも発券が止まった。","description":"ひばり運輸のDNSサーバーで設定変更を誤り、名前解決ができなくなった。","direct_cause":"設定ミス","remarks":"担当は運用課の鵜飼課長"}"#,
        "t.jsonl",
        tazan_model::UnknownFields::Refuse,
    )
    .records
    .remove(0)
    .1
}

#[test]
fn drafts_per_level_from_sanitised_fields_only() {
    let inc = incident();
    let amber = Sanitizer::without_dictionary(&Policy::builtin(), DisclosureLevel::Amber)
        .unwrap()
        .draft_lesson(&inc);
    let green = Sanitizer::without_dictionary(&Policy::builtin(), DisclosureLevel::Green)
        .unwrap()
        .draft_lesson(&inc);
    for d in [&amber, &green] {
        d.lesson.validate().unwrap();
        assert!(d.findings.is_empty(), "{:?}", d.findings);
        let text = serde_json::to_string(&d.lesson).unwrap();
        for raw in ["ひばり", "HBR", "鵜飼", "12,000", "09:30"] {
            assert!(!text.contains(raw), "{raw} in {text}");
        }
        assert_eq!(d.lesson.taxonomy.cause, CauseCategory::Configuration);
        assert!(d.lesson.keywords.contains(&"DNS".to_owned()));
        assert!(d.audit.iter().any(|a| a.original.contains("ひばり運輸")));
    }
    assert_eq!(amber.lesson.period, "2023-08");
    assert_eq!(green.lesson.period, "2023-Q3");
    assert_eq!(amber.lesson.level, DisclosureLevel::Amber);
    assert!(green.lesson.problem.chars().count() < amber.lesson.problem.chars().count());
}

#[test]
fn gate_finds_a_leak_with_a_stable_id() {
    let s = Sanitizer::without_dictionary(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    let mut lesson = s.draft_lesson(&incident()).lesson;
    lesson
        .countermeasures
        .push("ひばり運輸の手順書を改訂した。".into());
    let own = incident().own_names();
    let first = s.gate_lesson(&lesson, &own);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].excerpt, "ひばり運輸");
    assert!(first[0].finding.field.starts_with("countermeasures["));
    lesson.countermeasures[0].insert_str(0, "まず、");
    assert_eq!(s.gate_lesson(&lesson, &own)[0].id, first[0].id);
}

#[test]
fn periods_follow_the_policy() {
    assert_eq!(
        period(Some("2017-07-03T11:50:00+09:00"), DateGranularity::HalfYear),
        "2017-H2"
    );
    assert_eq!(
        period(Some("２０１７年１月"), DateGranularity::Quarter),
        "2017-Q1"
    );
    assert_eq!(period(Some("平成〇年〇月"), DateGranularity::Month), "");
    // 和暦 gives its Gregorian period (today it gave none).
    assert_eq!(
        period(Some("令和8年4月10日 9時頃"), DateGranularity::Quarter),
        "2026-Q2"
    );
    assert_eq!(
        period(Some("R5.7.21（金）"), DateGranularity::Month),
        "2023-07"
    );
    assert_eq!(period(None, DateGranularity::Month), "");
}
