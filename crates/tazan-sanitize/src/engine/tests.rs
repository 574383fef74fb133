use super::*;

fn green() -> Sanitizer {
    Sanitizer::without_dictionary(&Policy::builtin(), DisclosureLevel::Green).unwrap()
}

#[test]
fn own_names_become_tousha_in_any_width_or_kana() {
    let s = green();
    let own = vec!["ヤマダ運輸".to_string()];
    for text in [
        "ヤマダ運輸で障害",
        "ﾔﾏﾀﾞ運輸で障害",
        "やまだ運輸で障害",
        "ヤマ ダ運輸で障害",
        "ヤマダ運輸株式会社で障害",
    ] {
        let (out, audit) = s.sanitize_text(text, &own);
        assert_eq!(out, "当社で障害", "{text}");
        assert_eq!(audit[0].replacement, "当社");
    }
}

#[test]
fn pseudonyms_are_consistent_within_a_record() {
    let s = green();
    let (out, _) = s.sanitize_text("青葉銀行と若葉銀行が接続。青葉銀行側で障害。", &[]);
    assert_eq!(out, "A社とB社が接続。A社側で障害。");
}

#[test]
fn generalises_and_redacts() {
    let s = green();
    let (out, _) = s.sanitize_text(
        "連絡は03-1234-5678、顧客54,180人、大阪府八尾市の八尾インターチェンジ",
        &[],
    );
    assert!(out.contains("[連絡先]"), "{out}");
    assert!(out.contains("数万人"), "{out}");
    assert!(out.contains("近畿地方"), "{out}");
    assert!(out.contains("某インターチェンジ"), "{out}");
}

#[test]
fn output_passes_the_gate_and_is_idempotent() {
    let s = green();
    let text =
        "7月3日11時50分から、青葉銀行の東京データセンターで、山梨県甲府市の利用者約1,280人に影響。";
    let (once, _) = s.sanitize_text(text, &[]);
    let (twice, _) = s.sanitize_text(&once, &[]);
    assert_eq!(once, twice);
    assert!(s.leak_gate_text(&once, "f", &[]).is_empty(), "{once}");
    assert!(!s.leak_gate_text(text, "f", &[]).is_empty());
}

#[test]
fn thousands_of_deny_terms_in_one_pass() {
    let terms: Vec<String> = (0..5000)
        .map(|i| format!("\"テスト商事{i:04}号\""))
        .collect();
    let src = format!(
        "version = 1\n[[deny]]\nrole = \"customer\"\nterms = [{}]\n[levels.GREEN]\ndates = \"quarter\"\nnumbers = \"order\"\nplaces = \"region\"\n",
        terms.join(",")
    );
    let policy = Policy::from_toml_str(&src, "big.toml").unwrap();
    let s = Sanitizer::without_dictionary(&policy, DisclosureLevel::Green).unwrap();
    let (out, audit) = s.sanitize_text("顧客のﾃｽﾄ商事４９９９号と てすと商事0001号 に通知", &[]);
    assert_eq!(out, "顧客の顧客Aと 顧客B に通知");
    assert_eq!(audit.len(), 2);
}

#[test]
fn outage_classes() {
    assert_eq!(
        outage_class(
            Some("2017-07-03T11:50:00+09:00"),
            Some("2017-07-04T11:20:00+09:00")
        ),
        Some("24時間未満")
    );
    assert_eq!(
        outage_class(
            Some("2017-07-29T23:56:00+09:00"),
            Some("2017-08-01T01:30:00+09:00")
        ),
        Some("数日")
    );
    assert_eq!(outage_class(Some("2017-07-06"), None), None);
}

fn with_policy(src: &str, level: DisclosureLevel) -> Sanitizer {
    Sanitizer::without_dictionary(&Policy::from_toml_str(src, "t.toml").unwrap(), level).unwrap()
}

#[test]
fn policy_styles_change_the_output() {
    let base = "version = 1\n[levels.AMBER]\ndates = \"month\"\nnumbers = \"round\"\nplaces = \"prefecture\"\n[levels.CLEAR]\ndates = \"half_year\"\nnumbers = \"order\"\nplaces = \"drop\"\n";
    let amber = with_policy(base, DisclosureLevel::Amber);
    let (out, _) = amber.sanitize_text("平成29年7月、山梨県甲府市で約54,180人", &[]);
    assert_eq!(out, "2017年7月、山梨県で約5万人規模");
    let clear = with_policy(base, DisclosureLevel::Clear);
    let (out, _) = clear.sanitize_text("平成29年7月、山梨県甲府市で約54,180人", &[]);
    assert_eq!(out, "2017年後半、某地域で数万人");
}

#[test]
fn deny_patterns_roles_and_levels() {
    let src = "version = 1\n[[deny]]\nrole = \"staff\"\npatterns = ['担当\\p{Han}{2}']\n[[deny]]\nrole = \"vendor\"\nterms = [\"ミドリ開発\"]\nlevels = [\"CLEAR\"]\n[levels.GREEN]\ndates = \"quarter\"\nnumbers = \"order\"\nplaces = \"region\"\n[levels.CLEAR]\ndates = \"quarter\"\nnumbers = \"order\"\nplaces = \"region\"\n";
    let green = with_policy(src, DisclosureLevel::Green);
    let (out, audit) = green.sanitize_text("担当山川がみどり開発に連絡", &[]);
    assert!(out.starts_with("担当者A"), "{out}");
    assert!(audit.iter().any(|a| a.rule == "deny:staff"));
    // The vendor list applies to CLEAR only.
    assert!(!audit.iter().any(|a| a.rule == "deny:vendor"));
    let clear = with_policy(src, DisclosureLevel::Clear);
    let (out, _) = clear.sanitize_text("担当山川がみどり開発に連絡", &[]);
    assert!(out.contains("委託先ベンダ"), "{out}");
}

#[test]
fn thresholds_can_switch_recognisers_off() {
    let src = "version = 1\n[levels.GREEN]\ndates = \"quarter\"\nnumbers = \"order\"\nplaces = \"region\"\n[levels.GREEN.recognizers]\noff = [\"place\"]\norg = 0.99\n";
    let s = with_policy(src, DisclosureLevel::Green);
    let (out, _) = s.sanitize_text("山梨県の青葉銀行", &[]);
    // place off; org_suffix scores 0.85 < 0.99
    assert_eq!(out, "山梨県の青葉銀行");
}

#[test]
fn near_misses_are_flagged() {
    let s = green();
    let inc = Incident {
        id: "n1".into(),
        description: Some("設定誤りを本番前の検証で発見した。".into()),
        ..Default::default()
    };
    let rec = s.sanitize_incident(&inc);
    assert_eq!(rec.published.get("near_miss"), Some(&Value::Bool(true)));
    let inc = Incident {
        impact: Some("停止した。".into()),
        ..inc
    };
    assert!(!s
        .sanitize_incident(&inc)
        .published
        .contains_key("near_miss"));
}

#[test]
fn a_pseudonym_is_spaced_from_a_following_word_not_from_punctuation() {
    let s = green();
    let (out, _) = s.sanitize_text("担当：山田太郎：復旧を確認", &[]);
    assert_eq!(out, "担当：担当者A：復旧を確認");
    // A full-width letter or digit would read as part of the label.
    for c in ['０', '９', 'Ａ', 'Ｚ', 'ａ', 'ｚ'] {
        assert!(is_fullwidth_alphanumeric(c), "{c}");
    }
    for c in ['：', '；', '＠', '［', '＿', '｀', '｛', '～'] {
        assert!(!is_fullwidth_alphanumeric(c), "{c}");
    }
}

/// The memo of field kinds answers what the two tests answer, for paths
/// asked once and again (invented paths).
#[test]
fn field_kinds_are_the_field_tests() {
    use super::FieldKinds;
    use crate::recognize::{is_id_field, is_person_field};
    let paths = [
        "summary",
        "reporter",
        "timeline[3].assignee",
        "meta.ticket_id",
        "meta.Ticket-No#key",
        "担当者",
        "窓口.受付番号",
        "orders[12].orderNumber",
        "",
    ];
    for _ in 0..2 {
        for p in paths {
            let want = FieldKinds {
                person: is_person_field(p),
                id: is_id_field(p),
            };
            assert_eq!(FieldKinds::of(p), want, "{p}");
        }
    }
}
