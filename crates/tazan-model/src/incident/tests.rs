use super::*;

#[path = "../../../../tests/support/corpus.rs"]
mod corpus;

const LINE: &str = r#"{"id":"t-1","organization":{"name":"山田運輸","aliases":["ヤマダ"]},"impact":"停止","description":"x","sources":["テスト新聞（2020.1.1）"],"remarks":"","custom_field":"値"}"#;

fn reasons(p: &ParsedIncidents) -> Vec<String> {
    p.errors.iter().map(ToString::to_string).collect()
}

#[test]
fn parses_jsonl_and_keeps_unknown_keys_when_asked() {
    let p = parse_jsonl(
        &format!("{LINE}\n\n{{\"id\": 3}}\n{{\"description\": \"no id\"}}\n{{bad\n"),
        "in.jsonl",
        UnknownFields::Keep,
    );
    assert_eq!(p.records.len(), 2);
    assert_eq!(
        p.records[0].1.extra.get("custom_field"),
        Some(&Value::String("値".into()))
    );
    assert_eq!(p.records[0].1.own_names(), vec!["山田運輸", "ヤマダ"]);
    let msgs = reasons(&p);
    assert!(msgs[0].starts_with("in.jsonl:4: field `id`"), "{msgs:?}");
    assert!(msgs[1].starts_with("in.jsonl:5: field `-`"), "{msgs:?}");
}

/// Today `descripton` and `occured_at` imported silently (exit 0) and the
/// draft said 「原因不明によりシステム障害が発生した」.
#[test]
fn misspelt_fields_are_refused_naming_the_nearest_field() {
    for (line, field, near) in [
        (
            r#"{"id":"a","descripton":"x"}"#,
            "descripton",
            "description",
        ),
        (
            r#"{"id":"a","occured_at":"2024-01-02"}"#,
            "occured_at",
            "occurred_at",
        ),
        (
            r#"{"id":"a","organization":{"nmae":"x"}}"#,
            "organization",
            "`name`",
        ),
    ] {
        let p = parse_jsonl(line, "f.jsonl", UnknownFields::Refuse);
        assert!(p.records.is_empty(), "{line}");
        let msg = &reasons(&p)[0];
        println!("{msg}");
        assert!(
            msg.starts_with(&format!("f.jsonl:1: field `{field}`")),
            "{msg}"
        );
        assert!(msg.contains(near), "{msg}");
    }
    let msg = &reasons(&parse_jsonl(
        r#"{"id":"a","descripton":"x"}"#,
        "f.jsonl",
        UnknownFields::Refuse,
    ))[0];
    assert!(msg.contains("--keep-unknown"), "says how to keep it: {msg}");
}

#[test]
fn unparseable_dates_name_the_field() {
    let p = parse_jsonl(
        r#"{"id":"a","occurred_at":"先週の火曜"}
{"id":"b","recovered_at":"2024-02-30"}
{"id":"c","occurred_at":"令和6年3月4日 午後2時","recovered_at":"２０２４／３／４　１５：００"}"#,
        "f.jsonl",
        UnknownFields::Refuse,
    );
    let msgs = reasons(&p);
    println!("{msgs:#?}");
    assert!(msgs[0].starts_with("f.jsonl:1: field `occurred_at`: not a date"));
    assert!(msgs[1].starts_with("f.jsonl:2: field `recovered_at`: not a date: day 30"));
    assert_eq!(p.records.len(), 1);
}

#[test]
fn japanese_keys_are_the_schema_s_names() {
    let p = parse_jsonl(
        r#"{"管理番号":"j-1","システム名":"予約システム","影響":"停止","現象と原因":"設定誤り","直接原因":"設定ミス","情報源":["社内報告"],"発生日時":"2024年3月4日"}"#,
        "f.jsonl",
        UnknownFields::Refuse,
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let inc = &p.records[0].1;
    assert_eq!(inc.id, "j-1");
    assert_eq!(inc.description.as_deref(), Some("設定誤り"));
    assert_eq!(inc.sources, vec!["社内報告"]);
    let p = parse_jsonl(
        r#"{"id":"a","impact":"x","影響":"y"}"#,
        "f.jsonl",
        UnknownFields::Refuse,
    );
    assert!(reasons(&p)[0].contains("given twice"), "{:?}", p.errors);
    // Both spellings as given, the first in key order.
    for (line, first, second) in [
        (r#"{"id":"a","impact":"x","影響":"y"}"#, "impact", "影響"),
        (r#"{"id":"a","Impact":"x","影響":"y"}"#, "Impact", "影響"),
    ] {
        let p = parse_jsonl(line, "f.jsonl", UnknownFields::Refuse);
        let want = format!("given twice (as `{first}` and as `{second}`); keep one");
        assert!(reasons(&p)[0].contains(&want), "{:?}", p.errors);
    }
}

#[test]
fn wrong_types_name_the_field() {
    let p = parse_jsonl(r#"{"id":"a","impact":3}"#, "f.jsonl", UnknownFields::Refuse);
    assert!(p.errors[0]
        .to_string()
        .contains("field `impact`: expected a string"));
    let p = parse_jsonl(
        r#"{"id":"a","sources":"x"}"#,
        "f.jsonl",
        UnknownFields::Refuse,
    );
    assert!(p.errors[0].to_string().contains("field `sources`"));
    let p = parse_jsonl(
        r#"{"id":"a","countermeasures":"x"}"#,
        "f.jsonl",
        UnknownFields::Refuse,
    );
    assert!(p.errors[0]
        .to_string()
        .contains("field `countermeasures`: expected a list"));
}

#[test]
fn schema_table_and_field_lists_match_the_struct() {
    let all = Incident {
        id: "x".into(),
        industry: Some(String::new()),
        system_name: Some(String::new()),
        service: Some(Value::Null),
        occurred_at: Some(String::new()),
        recovered_at: Some(String::new()),
        discovered: Some(Value::Null),
        duration: vec![Value::Null],
        location: Some(String::new()),
        affected_users_max: Some(Value::Null),
        total_subscribers: Some(Value::Null),
        impact_scope: Some(String::new()),
        impact: Some(String::new()),
        symptoms: vec![String::new()],
        description: Some(String::new()),
        direct_cause: Some(String::new()),
        cause_summary: Some(String::new()),
        system_components: vec![Value::Null],
        failure_sequence: vec![String::new()],
        timeline: vec![Value::Null],
        contact_timeline: vec![Value::Null],
        causes: vec![Value::Null],
        countermeasures: vec![Value::Null],
        effect: Some(String::new()),
        why_why: vec![String::new()],
        system: Some(Value::Null),
        user_communications: Some(Value::Null),
        sources: vec![String::new()],
        remarks: Some(String::new()),
        notes: Some(String::new()),
        attachments: vec![Value::Null],
        ..Default::default()
    };
    let v = serde_json::to_value(all).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = INCIDENT_FIELDS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want);
    let schema: Vec<&str> = INCIDENT_SCHEMA.iter().map(|f| f.name).collect();
    assert_eq!(schema, INCIDENT_FIELDS);
    let texts: Vec<&str> = INCIDENT_SCHEMA
        .iter()
        .filter(|f| matches!(f.ty, FieldType::Text | FieldType::Date) && f.name != "id")
        .map(|f| f.name)
        .collect();
    assert_eq!(texts, INCIDENT_TEXT_FIELDS);
}

#[test]
fn an_edit_keeps_stored_extras_but_refuses_new_unknown_keys() {
    let stored = Incident::from_json(
        serde_json::json!({"id": "a", "社内分類": "A"}),
        "import",
        UnknownFields::Keep,
    )
    .unwrap();
    let mut doc = serde_json::to_value(&stored).unwrap();
    doc["impact"] = "停止".into();
    assert_eq!(
        stored.edited(doc.clone()).unwrap().impact.as_deref(),
        Some("停止")
    );
    doc["impcat"] = "停止".into();
    let e = stored.edited(doc).unwrap_err().to_string();
    assert!(
        e.contains("field `impcat`") && e.contains("`impact`"),
        "{e}"
    );
    let e = stored
        .edited(serde_json::json!({"id": "b"}))
        .unwrap_err()
        .to_string();
    assert!(e.contains("field `id`"), "{e}");
}

#[test]
fn near_miss_has_no_impact() {
    let inc = Incident {
        id: "x".into(),
        impact: Some(" ".into()),
        ..Default::default()
    };
    assert!(inc.is_near_miss());
}

#[test]
fn csv_headers_english_or_japanese() {
    let csv = "id,organization,aliases,impact,sources\nc-1,山田運輸,ヤマダ;YMD,停止した,テスト新聞（2020.1.1）;別紙\nc-2,短い行\n";
    let p = parse_csv(csv, "a.csv", UnknownFields::Refuse).unwrap();
    assert_eq!(p.records.len(), 1);
    assert_eq!(p.records[0].1.organization.aliases, vec!["ヤマダ", "YMD"]);
    assert_eq!(p.records[0].1.sources.len(), 2);
    assert!(reasons(&p)[0].starts_with("a.csv:3:"), "{:?}", p.errors);

    let ja = "管理番号,組織名,発生日時,システム名,影響,現象と原因,直接原因,情報源,備考\n\
              j-1,山田運輸,2024年3月4日 10時,予約システム,予約が停止,設定を誤った,設定ミス,社内報告,なし\n";
    let p = parse_csv(ja, "ja.csv", UnknownFields::Refuse).unwrap();
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let inc = &p.records[0].1;
    assert_eq!(inc.organization.name, "山田運輸");
    assert_eq!(inc.direct_cause.as_deref(), Some("設定ミス"));
    assert_eq!(inc.occurred_at.as_deref(), Some("2024年3月4日 10時"));

    let e = parse_csv("id,descripton\nx,y\n", "t.csv", UnknownFields::Refuse).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("t.csv:1: field `descripton`: unknown field; did you mean `description`?"),
        "{e}"
    );
    let kept = parse_csv("id,descripton\nx,y\n", "t.csv", UnknownFields::Keep).unwrap();
    assert_eq!(kept.records[0].1.extra["descripton"], "y");
}

/// Today an unclosed quote swallowed the rows after it with one error.
#[test]
fn a_csv_quoting_error_names_its_line_and_keeps_the_other_rows() {
    let csv = "id,impact\nc-1,\"停止\nc-2,遅延\nc-3,\"停止\"\n";
    let p = parse_csv(csv, "q.csv", UnknownFields::Refuse).unwrap();
    let ids: Vec<&str> = p.records.iter().map(|(_, i)| i.id.as_str()).collect();
    assert_eq!(ids, ["c-2", "c-3"]);
    let msgs = reasons(&p);
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(
        msgs[0].starts_with("q.csv:2: field `-`: bad CSV row:"),
        "{msgs:?}"
    );
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Today EUC-JP imported as garbled Shift_JIS with exit 0, and one non-UTF-8
/// line garbled the valid UTF-8 lines around it.
#[test]
fn files_are_decoded_in_their_own_encoding_or_refused_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "id,impact\nc-1,山田太郎が予約を止めた\n";
    let (euc, _, _) = encoding_rs::EUC_JP.encode(csv);
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(csv);
    let mut u16 = vec![0xFF, 0xFE];
    u16.extend(csv.encode_utf16().flat_map(u16::to_le_bytes));
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(csv.as_bytes());
    for (name, bytes, enc) in [
        ("euc.csv", euc.to_vec(), Encoding::EucJp),
        ("sjis.csv", sjis.to_vec(), Encoding::ShiftJis),
        ("u16.csv", u16, Encoding::Utf16Le),
        ("bom.csv", bom, Encoding::Utf8Bom),
    ] {
        let p = read_incidents(&write(dir.path(), name, &bytes), UnknownFields::Refuse).unwrap();
        assert_eq!(p.encoding, enc, "{name}");
        assert_eq!(
            p.records[0].1.impact.as_deref(),
            Some("山田太郎が予約を止めた"),
            "{name}"
        );
    }
    let (bad, _, _) = encoding_rs::SHIFT_JIS.encode(r#"{"id":"b","impact":"停止"}"#);
    let mut mixed = format!("{}\n", r#"{"id":"a","impact":"山田太郎"}"#).into_bytes();
    mixed.extend_from_slice(&bad);
    mixed.extend_from_slice(format!("\n{}\n", r#"{"id":"c","impact":"予約停止"}"#).as_bytes());
    let p = read_incidents(
        &write(dir.path(), "mixed.jsonl", &mixed),
        UnknownFields::Refuse,
    )
    .unwrap();
    let impacts: Vec<&str> = p
        .records
        .iter()
        .filter_map(|(_, i)| i.impact.as_deref())
        .collect();
    assert_eq!(impacts, ["山田太郎", "予約停止"]);
    assert!(
        reasons(&p)[0].contains("mixed.jsonl:2:") && reasons(&p)[0].contains("not valid UTF-8")
    );
    let e = read_incidents(
        &write(
            dir.path(),
            "mixed.csv",
            &[b"id,impact\na,\xE5\xB1\xB1\n".as_slice(), &sjis].concat(),
        ),
        UnknownFields::Refuse,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with(&format!("{}:4:", dir.path().join("mixed.csv").display())),
        "{e}"
    );
}

#[test]
#[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
fn corpus_structured_report_example_reads() {
    let p = read_incidents(
        &corpus::corpus_file("report-example.json"),
        UnknownFields::Refuse,
    )
    .unwrap();
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let inc = &p.records[0].1;
    assert_eq!(inc.countermeasures.len(), 3);
    assert!(!inc.timeline.is_empty());
    assert!(inc.user_communications.is_some());
}

/// Before, a `system` value outside the vocabulary (or a cause kind, a countermeasure
/// kind or status) imported with exit 0 and the drafter dropped it without a word.
#[test]
fn teaching_values_outside_the_vocabulary_name_field_value_and_vocabulary() {
    for (record, field, value, listed) in [
        (
            r#"{"id":"a","system":{"scale":"巨大"}}"#,
            "system.scale",
            "巨大",
            "小規模, 中規模, 大規模, 超大規模",
        ),
        (
            r#"{"id":"a","system":{"purpose":"趣味"}}"#,
            "system.purpose",
            "趣味",
            "社会インフラ",
        ),
        (
            r#"{"id":"a","system":{"reliability":"普通"}}"#,
            "system.reliability",
            "普通",
            "極めて高い, 高い, 中程度, 低い",
        ),
        (
            r#"{"id":"a","system":{"size":"大規模"}}"#,
            "system",
            "size",
            "`scale`, `purpose`, `reliability`",
        ),
        (
            r#"{"id":"a","system":"大規模"}"#,
            "system",
            "a string",
            "{scale, purpose, reliability}",
        ),
        (
            r#"{"id":"a","causes":[{"kind":"拡大","cause":"設定ミス"}]}"#,
            "causes[0].kind",
            "拡大",
            "発生, 大規模化, 長期化",
        ),
        (
            r#"{"id":"a","causes":["x",{"stage":"いつか","cause":"設定ミス"}]}"#,
            "causes[1].stage",
            "いつか",
            "要件定義, 設計, 開発, テスト, 移行, 運用",
        ),
        (
            r#"{"id":"a","causes":[{"kind":"発生"}]}"#,
            "causes[0]",
            "says no cause",
            "`process_stage`",
        ),
        (
            r#"{"id":"a","causes":[{"reason":"設定ミス"}]}"#,
            "causes[0]",
            "reason",
            "`detail`",
        ),
        (
            r#"{"id":"a","countermeasures":[{"kind":"恒常","action":"手順書を改訂"}]}"#,
            "countermeasures[0].kind",
            "恒常",
            "暫定, 恒久, 再発防止, 未然防止",
        ),
        (
            r#"{"id":"a","countermeasures":[{"aim":"恒久","action":"手順書を改訂"}]}"#,
            "countermeasures[0].aim",
            "恒久",
            "再発防止, 未然防止",
        ),
        (
            r#"{"id":"a","countermeasures":[{"term":"長期","action":"手順書を改訂"}]}"#,
            "countermeasures[0].term",
            "長期",
            "暫定, 恒久",
        ),
        (
            r#"{"id":"a","countermeasures":[{"action":"手順書を改訂","status":"そのうち"}]}"#,
            "countermeasures[0].status",
            "そのうち",
            "実施済み, 実施中, 実施予定, 未定",
        ),
        (
            r#"{"id":"a","countermeasures":[{"kind":"恒久","status":"実施済み"}]}"#,
            "countermeasures[0]",
            "says no countermeasure",
            "`action`",
        ),
        (
            r#"{"id":"a","countermeasures":[3]}"#,
            "countermeasures[0]",
            "a number",
            "{kind, action, status}",
        ),
    ] {
        let p = parse_jsonl(record, "f.jsonl", UnknownFields::Refuse);
        assert!(p.records.is_empty(), "{record}");
        let msg = p.errors[0].to_string();
        println!("{msg}");
        assert!(
            msg.starts_with(&format!("f.jsonl:1: field `{field}`: ")),
            "{msg}"
        );
        assert!(msg.contains(value), "{msg}");
        assert!(msg.contains(listed), "{msg}");
    }
}

#[test]
fn teaching_values_in_the_vocabulary_import() {
    let p = parse_jsonl(
        concat!(
            r#"{"id":"a","system":{"scale":"大規模","purpose":"基幹系","reliability":"highest"},"#,
            r#""causes":["設定ミス",{"kind":"長期化の原因","stage":"保守","detail":"手順がなかった"}],"#,
            r#""countermeasures":["手順書を改訂",{"kind":"未然防止","term":"暫定","action":"訓練","status":"令和7年3月実施予定"}]}"#
        ),
        "f.jsonl",
        UnknownFields::Refuse,
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.records.len(), 1);
}

#[test]
fn keep_unknown_keeps_unknown_keys_inside_teaching_fields_but_not_bad_values() {
    let kept = r#"{"id":"a","countermeasures":[{"owner":"x","item":"監視を追加"}]}"#;
    let p = parse_jsonl(kept, "f.jsonl", UnknownFields::Keep);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert!(!parse_jsonl(kept, "f.jsonl", UnknownFields::Refuse)
        .errors
        .is_empty());
    let bad = r#"{"id":"a","system":{"scale":"巨大"}}"#;
    let p = parse_jsonl(bad, "f.jsonl", UnknownFields::Keep);
    assert!(reasons(&p)[0].contains("system.scale"), "{:?}", p.errors);
}
