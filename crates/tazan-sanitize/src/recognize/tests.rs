use super::*;

fn hits(s: &str) -> Vec<(String, Kind, &'static str)> {
    let r = Recognizers::new();
    let n = Normalized::new(s);
    let mut out = Vec::new();
    r.scan(&n, None, &mut out);
    out.into_iter()
        .map(|h| (s[h.range].to_string(), h.kind, h.rule))
        .collect()
}

fn has(s: &str, span: &str) -> bool {
    hits(s).iter().any(|(t, _, _)| t == span)
}

#[test]
fn organisations() {
    assert!(has("山田電機株式会社のサーバー", "山田電機株式会社"));
    assert!(has("原因は米ヤマダソフトの更新", "米ヤマダソフト"));
    assert!(has("東西信用金庫でも障害", "東西信用金庫"));
    assert!(has("北陸電力の発表", "北陸電力"));
    assert!(!has("新電力の事業者", "新電力"));
    assert!(!has("各電力会社は", "各電力"));
    assert!(!has("電力供給装置の故障", "電力"));
}

#[test]
fn generic_tech_terms_survive() {
    let h = hits("DNSサーバーとETCとATMとICカードとTCP/IPとサーバーA");
    assert!(h.iter().all(|(_, k, _)| *k != Kind::Product), "{h:?}");
    assert!(has("売買システム「Q-TRADE」で障害", "Q-TRADE"));
    assert!(has("Kアラートの配信", "Kアラート"));
}

#[test]
fn places_and_facilities() {
    assert!(has("山梨県甲府市で", "山梨県"));
    assert!(has("南山村の住民", "南山村"));
    assert!(!has("16の市町村", "市町村"));
    assert!(has("越後線で遅延", "越後線"));
    assert!(!has("国際線システム", "国際線"));
    assert!(has("青葉空港の管制", "青葉空港"));
    assert!(!has("データセンターにある", "データセンター"));
}

#[test]
fn contacts_and_ids() {
    assert!(has("連絡先 03-1234-5678 まで", "03-1234-5678"));
    assert!(has("mail: ops@example.co.jp", "ops@example.co.jp"));
    assert!(has("host 192.168.10.1 down", "192.168.10.1"));
    assert!(!has("version 999.1.1.1", "999.1.1.1"));
    assert!(has("addr 2001:db8::1 down", "2001:db8::1"));
    assert!(has("社員番号:A123456", "社員番号:A123456"));
    // 123456789018 has a valid check digit; ...019 does not.
    assert!(has("番号 123456789018 を", "123456789018"));
    assert!(!hits("番号 123456789019 を")
        .iter()
        .any(|(_, k, _)| *k == Kind::MyNumber));
}

#[test]
fn dates_and_counts() {
    assert!(has("7月3日11時50分から", "7月3日11時50分"));
    assert!(has("9日、18時30分頃より", "9日、18時30分頃"));
    assert!(has("平成29年7月に", "平成29年7月"));
    assert!(!has("10日間を要した", "10日"));
    assert!(!has("1時間以内", "1時"));
    assert!(has("顧客54,180人は", "54,180人"));
    assert!(has("約1億9,000万円の", "約1億9,000万円"));
    assert!(!has("約5万人規模", "約5万人"));
}

#[test]
fn lines_after_company_names() {
    assert!(
        has("大阪メトロ御堂筋線と", "御堂筋線"),
        "{:?}",
        hits("大阪メトロ御堂筋線と")
    );
    assert!(has("みずほ銀行と", "みずほ銀行"));
    assert!(!has("地元の銀行では", "の銀行"));
    assert!(has("東西銀行とみずほ銀行", "みずほ銀行"));
    assert!(!hits("例えば銀行では")
        .iter()
        .any(|(_, k, _)| *k == Kind::Org));
}

#[test]
fn persons() {
    assert!(has("佐藤課長が判断", "佐藤課長"));
    assert!(has(
        "全国瞬時警報システムが起動しなかった",
        "全国瞬時警報システム"
    ));
    assert!(
        has(
            "全国銀行データ通信システムの障害",
            "全国銀行データ通信システム"
        ),
        "{:?}",
        hits("全国銀行データ通信システムの障害")
    );
    assert!(!hits("運転免許管理システムが停止した")
        .iter()
        .any(|(_, kind, _)| *kind == Kind::Product));
    // A surname missing from the lexicon, known only by its title.
    assert!(hits("システム部の鵜飼課長が判断した")
        .iter()
        .any(|(t, _, _)| t.starts_with("鵜飼")));
    for generic in [
        "営業課長が判断した",
        "総務部長に報告した",
        "システム部の同課長が判断した",
        "情報システム部長が承認した",
        "当該部長が承認した",
    ] {
        assert!(
            !hits(generic)
                .iter()
                .any(|(_, kind, _)| *kind == Kind::Person),
            "{generic}: {:?}",
            hits(generic)
        );
    }
    assert!(has("担当の森本一郎氏は", "森本一郎氏"));
    assert!(!has("利用者様へ", "利用者様"));
}

#[test]
fn a_built_in_pattern_is_compiled_on_first_use_only() {
    let re = rx(r"(?P<n>\p{Han}{2,4})(?:市|区)");
    assert_eq!(re.as_str(), r"(?P<n>\p{Han}{2,4})(?:市|区)");
    // Asking the pattern's text does not compile it; matching does, once.
    assert!(re.compiled.get().is_none());
    assert!(!re.is_match("なし"));
    assert!(re.compiled.get().is_some());
    let m = re
        .captures("横浜市")
        .and_then(|c| c.name("n"))
        .map(|n| n.as_str());
    assert_eq!(m, Some("横浜"));
}

/// The set lookups of the act prefixes and department suffixes answer as
/// the scans of the lists they replace did, on every listed word, its
/// prefixes and suffixes, and those glued to kanji, kana and Latin around.
#[test]
fn act_prefixes_and_department_suffixes_as_the_list_scans() {
    let old_act = |w: &str| slots::ACTS.split('|').any(|a| w.starts_with(a));
    let old_dept = |w: &str| {
        persons::DEPT_SUFFIX
            .split('|')
            .any(|s| w.ends_with(s) && w.chars().count() > s.chars().count())
    };
    let words: Vec<&str> = slots::ACTS
        .split('|')
        .chain(persons::DEPT_SUFFIX.split('|'))
        .chain(["", "山", "田中", "a", "営業", "総務部", "確認済", "担当者"])
        .collect();
    let mut texts = Vec::new();
    for w in &words {
        for (i, _) in w.char_indices() {
            texts.push(w[..i].to_string());
            texts.push(w[i..].to_string());
        }
        for around in ["", "山", "田中", "か", "ab", "ー"] {
            texts.push(format!("{around}{w}"));
            texts.push(format!("{w}{around}"));
        }
    }
    let (mut acts, mut depts) = (0, 0);
    for t in &texts {
        assert_eq!(slots::starts_with_act(t), old_act(t), "{t:?}");
        assert_eq!(persons::has_dept_suffix(t), old_dept(t), "{t:?}");
        acts += usize::from(old_act(t));
        depts += usize::from(old_dept(t));
    }
    // Both answers occur often: the texts test the lookups both ways.
    assert!(
        acts > 200 && depts > 50 && texts.len() - acts > 200,
        "{acts} {depts}"
    );
}

/// Texts of the shapes the pattern rules and the run walks meet: kanji,
/// kana, Latin, digits, separators, and the characters next to the blocks'
/// edges, in random mixes (fixed seed).
fn generated_texts() -> Vec<String> {
    let units = [
        "山田",
        "〇",
        "々",
        "ヶ",
        "ヵ",
        "カナ",
        "ー",
        "あ",
        "・",
        " ",
        "\u{3000}",
        "A1-23",
        "abc",
        "株式会社",
        "03-1234-5678",
        "ops@example.co.jp",
        "192.168.0.1",
        "2024年1月",
        "社",
        "\u{4DBF}",
        "\u{F900}",
        "\u{20000}",
        "\u{30FB}",
        "\u{31F0}",
        "\n",
        "、",
        "Ｑ",
    ];
    let mut seed = 0x9e37_79b9_u64;
    let mut texts = Vec::new();
    for _ in 0..4000 {
        let mut t = String::new();
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        for _ in 0..(seed >> 40) % 12 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            t.push_str(units[(seed >> 33) as usize % units.len()]);
        }
        texts.push(t);
    }
    texts
}

/// The runs found in one walk are the ones each predicate's walk finds.
#[test]
fn script_runs_are_char_runs_of_each_script() {
    for t in generated_texts() {
        let n = Normalized::new(&t);
        let runs = script_runs(&n);
        let text = n.text.as_str();
        assert_eq!(
            runs.kanji,
            char_runs(text, |c| is_han(c) && c != '〇'),
            "{text:?}"
        );
        assert_eq!(
            runs.katakana,
            char_runs(text, |c| is_kata(c) && c != 'ヶ' && c != 'ヵ'),
            "{text:?}"
        );
    }
}

/// A rule whose pattern has no group finds by `find_iter` the matches
/// `captures_iter` gave it.
#[test]
fn groupless_rules_find_what_their_captures_found() {
    let r = Recognizers::new();
    let texts = generated_texts();
    let mut groupless = 0;
    for rule in r.rules.iter().filter(|rule| rule.re.captures_len() == 1) {
        groupless += 1;
        for t in &texts {
            let found: Vec<_> = rule.re.find_iter(t).map(|m| m.range()).collect();
            let captured: Vec<_> = rule
                .re
                .captures_iter(t)
                .filter_map(|c| c.get(0).map(|m| m.range()))
                .collect();
            assert_eq!(found, captured, "{} {t:?}", rule.name);
        }
    }
    assert!(groupless > 10, "{groupless}");
}
