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
