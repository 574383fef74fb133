//! Replacement classes for facilities and sources, and record-level periods.

use regex::Regex;

pub(super) fn is_public_body(s: &str) -> bool {
    // A pharmacy, post office or broadcaster ends in 局 and is no government body.
    if ["薬局", "郵便局", "放送局", "テレビ局"]
        .iter()
        .any(|w| s.ends_with(w))
    {
        return false;
    }
    [
        "省",
        "庁",
        "県警",
        "府警",
        "道警",
        "警察",
        "役所",
        "役場",
        "県",
        "都",
        "府",
        "委員会",
        "管制部",
        "機構",
        "局",
        "市",
        "町",
        "村",
    ]
    .iter()
    .any(|w| s.ends_with(w))
}

pub(super) fn facility_class(s: &str) -> &'static str {
    const TABLE: &[(&str, &str)] = &[
        ("空港", "某空港"),
        ("飛行場", "某空港"),
        ("駅", "某駅"),
        ("新幹線", "某路線"),
        ("線", "某路線"),
        ("変電所", "某変電所"),
        ("発電所", "某発電所"),
        ("インターチェンジ", "某インターチェンジ"),
        ("IC", "某インターチェンジ"),
        ("JCT", "某インターチェンジ"),
        ("ジャンクション", "某インターチェンジ"),
        ("料金所", "某料金所"),
        ("エリア", "某休憩施設"),
        ("自動車道", "某高速道路"),
        ("道", "某高速道路"),
        ("高速", "某高速道路"),
        ("首都高", "某高速道路"),
        ("データセンター", "某データセンター"),
        ("支社", "某拠点"),
        ("支店", "某拠点"),
        ("営業所", "某拠点"),
        ("事業所", "某拠点"),
        ("出張所", "某拠点"),
        ("工場", "某工場"),
        ("製作所", "某工場"),
        ("港", "某港"),
        ("ダム", "某ダム"),
        ("トンネル", "某トンネル"),
        ("試験場", "某試験場"),
        ("浄水場", "某浄水場"),
        // A named room (萩の間) before a section (都城ー吉松間).
        ("の間", "某室"),
        ("間", "某区間"),
        ("号", "某道路"),
        ("号線", "某道路"),
        ("店", "某店舗"),
    ];
    TABLE
        .iter()
        .find(|(suffix, _)| s.ends_with(suffix))
        .map(|(_, c)| *c)
        .unwrap_or("某施設")
}

pub(super) fn source_category(name: &str) -> &'static str {
    if [
        "お知らせ",
        "リリース",
        "HP",
        "ホームページ",
        "サイト",
        "発表",
        "公式",
        "告知",
    ]
    .iter()
    .any(|w| name.contains(w))
    {
        "当事者発表"
    } else if [
        "省",
        "庁",
        "委員会",
        "会議",
        "報道資料",
        "機構",
        "役所",
        "県警",
    ]
    .iter()
    .any(|w| name.contains(w))
    {
        "行政発表"
    } else {
        "報道"
    }
}

pub(super) fn date_in_source() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::expect_used)] // constant pattern, covered by tests
        Regex::new(r"(?:19|20)\d{2}[./\-]\d{1,2}(?:[./\-]\d{1,2})?|(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}日)?").expect("valid pattern")
    })
}

pub(super) fn year_of(s: &str) -> Option<i32> {
    let digits: String = s.chars().take(4).collect();
    digits
        .parse()
        .ok()
        .filter(|y: &i32| (1900..2200).contains(y))
}

/// Minutes since an epoch for `YYYY-MM-DD[THH:MM…]`.
pub(super) fn minutes(s: &str) -> Option<i64> {
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    let (hh, mm) = if s.len() >= 16 {
        (s.get(11..13)?.parse().ok()?, s.get(14..16)?.parse().ok()?)
    } else {
        (0, 0)
    };
    // Days from civil (Howard Hinnant).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe;
    Some(days * 1440 + hh * 60 + mm)
}

pub(super) fn outage_class(
    occurred: Option<&str>,
    recovered: Option<&str>,
) -> Option<&'static str> {
    let (a, b) = (occurred?, recovered?);
    if a.len() < 16 || b.len() < 16 {
        return None;
    }
    let d = minutes(b)? - minutes(a)?;
    Some(match d {
        i64::MIN..=-1 => return None,
        0..=59 => "1時間未満",
        60..=359 => "数時間",
        360..=1439 => "24時間未満",
        1440..=4319 => "数日",
        _ => "数日以上",
    })
}
