//! What a lesson or a raw incident contributes to trends: its cause category, period,
//! stage, impact kinds and outage duration, read from its fields or recognised in its text.

use serde::{Deserialize, Serialize};
use tazan_model::scene::{propose_scenes, SceneInput};
use tazan_model::{CauseCategory, Domain, Incident, Threat};

use super::TrendItem;
use crate::analyze::normalize;
use crate::doc::{parse_period, IndexDoc, MonthIndex};

/// Phrasings of cause categories beyond their labels, checked in this order after the
/// model's own labels.
const CAUSE_CUES: &[(CauseCategory, &[&str])] = &[
    (
        CauseCategory::Configuration,
        &["設定誤り", "誤設定", "設定の誤り", "設定を誤"],
    ),
    (CauseCategory::Operation, &["誤操作", "操作誤り"]),
    (
        CauseCategory::Work,
        &[
            "作業誤り",
            "誤作業",
            "手順誤り",
            "手順ミス",
            "取り違え",
            "取違え",
        ],
    ),
    (
        CauseCategory::Overload,
        &[
            "負荷集中",
            "アクセスが集中",
            "処理能力を超",
            "ふくそう",
            "輻輳",
        ],
    ),
    (
        CauseCategory::Hardware,
        &["ハードウェアの故障", "ハード障害", "機器の故障", "故障"],
    ),
    (
        CauseCategory::Software,
        &[
            "プログラムの不具合",
            "バグ",
            "ソフトウェアの不具合",
            "不具合",
        ],
    ),
];

/// Recognises a direct cause category in free text: first a category's own label (every
/// category of the model, in its order), then common phrasings. `None` when nothing fits.
pub fn classify_cause(text: &str) -> Option<&'static str> {
    let norm = normalize(text);
    let labelled = CauseCategory::ALL
        .iter()
        .filter(|c| !matches!(c, CauseCategory::Unknown | CauseCategory::Other))
        .find(|c| norm.contains(&normalize(c.as_str())));
    if let Some(c) = labelled {
        return Some(c.as_str());
    }
    CAUSE_CUES
        .iter()
        .find(|(_, cues)| cues.iter().any(|c| norm.contains(&normalize(c))))
        .map(|(cat, _)| cat.as_str())
}

/// The category label of a stated cause (aliases folded: ソフトウェア障害 → プログラム不具合;
/// a stated 不明 is kept), else the category recognised in `text`, else empty. A stated
/// cause in prose (サーバ切替え時の設定ミス) counts as the category it names.
fn cause_label(stated: &str, text: &str) -> String {
    let stated = stated.trim();
    match stated.parse::<CauseCategory>() {
        Ok(c) => c.as_str().to_owned(),
        Err(_) if stated.is_empty() => classify_cause(text).unwrap_or_default().to_owned(),
        Err(_) => classify_cause(stated).map_or_else(|| stated.to_owned(), str::to_owned),
    }
}

/// What kind of harm users saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImpactKind {
    /// The service or business stopped or could not be used.
    Outage,
    /// It was slow or hard to reach.
    Slowdown,
    /// Wrong processing, wrong or duplicated data, wrong display.
    WrongProcessing,
    /// Information leaked or was exposed.
    DataLeak,
}

impl ImpactKind {
    /// Every kind, in display order.
    pub const ALL: [ImpactKind; 4] = [
        ImpactKind::Outage,
        ImpactKind::Slowdown,
        ImpactKind::WrongProcessing,
        ImpactKind::DataLeak,
    ];

    /// Japanese label.
    pub fn as_str(self) -> &'static str {
        match self {
            ImpactKind::Outage => "停止・利用不可",
            ImpactKind::Slowdown => "遅延・つながりにくさ",
            ImpactKind::WrongProcessing => "誤処理・データ誤り",
            ImpactKind::DataLeak => "情報漏えい",
        }
    }

    fn cues(self) -> &'static [&'static str] {
        match self {
            ImpactKind::Outage => &[
                "停止",
                "利用できな",
                "使えな",
                "つながらな",
                "繋がらな",
                "不通",
                "ダウン",
                "休止",
                "運休",
                "見合わせ",
                "できなくな",
                "取引できな",
                "中断",
            ],
            ImpactKind::Slowdown => &[
                "遅延",
                "遅れ",
                "遅く",
                "つながりにく",
                "繋がりにく",
                "応答が悪",
                "時間がかか",
                "待ち時間",
            ],
            ImpactKind::WrongProcessing => &[
                "誤って",
                "誤表示",
                "誤った",
                "二重",
                "重複",
                "不整合",
                "誤配信",
                "誤送信",
                "誤請求",
                "誤計上",
                "正しく表示されな",
                "誤り",
            ],
            ImpactKind::DataLeak => &[
                "流出",
                "漏えい",
                "漏洩",
                "閲覧される状態",
                "閲覧できる状態",
                "第三者に閲覧",
            ],
        }
    }
}

/// Impact kinds recognised in text (several possible).
pub(crate) fn impact_kinds(text: &str) -> Vec<ImpactKind> {
    let norm = normalize(text);
    ImpactKind::ALL
        .into_iter()
        .filter(|k| k.cues().iter().any(|c| norm.contains(c)))
        .collect()
}

/// How long the failure lasted, in bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageClass {
    /// Under an hour.
    UnderOneHour,
    /// One to six hours.
    OneToSixHours,
    /// Six to twenty-four hours.
    SixToTwentyFourHours,
    /// A day or more.
    DayOrMore,
}

impl OutageClass {
    /// Japanese label.
    pub fn as_str(self) -> &'static str {
        match self {
            OutageClass::UnderOneHour => "1時間未満",
            OutageClass::OneToSixHours => "1〜6時間",
            OutageClass::SixToTwentyFourHours => "6〜24時間",
            OutageClass::DayOrMore => "1日以上",
        }
    }

    /// The band of a duration in minutes.
    pub fn of_minutes(minutes: u64) -> OutageClass {
        match minutes {
            0..60 => OutageClass::UnderOneHour,
            60..360 => OutageClass::OneToSixHours,
            360..1440 => OutageClass::SixToTwentyFourHours,
            _ => OutageClass::DayOrMore,
        }
    }
}

/// The longest duration stated in text, in minutes: `2時間15分`, `約３時間`, `10日間`,
/// `数時間`, `十数時間`, `半日`, `終日`, `数分`. `N分の1` (a fraction) and calendar days
/// (`7月3日`) are not durations.
pub(crate) fn longest_duration_minutes(text: &str) -> Option<u64> {
    let norm = normalize(text);
    let chars: Vec<char> = norm.chars().collect();
    let mut best: Option<u64> = None;
    let mut keep = |m: u64| best = Some(best.map_or(m, |b| b.max(m)));
    for (word, minutes) in [("半日", 12 * 60), ("終日", 16 * 60), ("丸一日", 24 * 60)] {
        if norm.contains(word) {
            keep(minutes);
        }
    }
    let mut i = 0;
    while i < chars.len() {
        let Some((value, len)) = number_at(&chars, i) else {
            i += 1;
            continue;
        };
        let rest: String = chars[i + len..].iter().take(6).collect();
        let minutes = if rest.starts_with("時間") {
            Some(value * 60)
        } else if rest.starts_with('分') && !rest.starts_with("分の") {
            Some(value)
        } else if rest.starts_with("日間")
            || rest.starts_with("日にわた")
            || rest.starts_with("日連続")
        {
            Some(value * 24 * 60)
        } else if rest.starts_with("週間") {
            Some(value * 7 * 24 * 60)
        } else if rest.starts_with("か月") || rest.starts_with("ヶ月") || rest.starts_with("カ月")
        {
            Some(value * 30 * 24 * 60)
        } else {
            None
        };
        if let Some(m) = minutes {
            keep(m);
        }
        i += len;
    }
    best
}

/// A number at `i`: ASCII digits (with `,`), kanji numerals up to 99, `数` (≈3), `十数`
/// (≈15), `数十` (≈30). Returns the value and the characters it took.
fn number_at(chars: &[char], i: usize) -> Option<(u64, usize)> {
    let kanji = |c: char| -> Option<u64> {
        "〇一二三四五六七八九"
            .chars()
            .position(|k| k == c)
            .map(|p| p as u64)
    };
    let c = chars[i];
    if c.is_ascii_digit() {
        // Only at the start of a number.
        if i > 0 && (chars[i - 1].is_ascii_digit() || chars[i - 1] == ',' || chars[i - 1] == '.') {
            return None;
        }
        let mut j = i;
        let mut v: u64 = 0;
        while j < chars.len() && (chars[j].is_ascii_digit() || (chars[j] == ',' && j > i)) {
            if let Some(d) = chars[j].to_digit(10) {
                v = v.saturating_mul(10).saturating_add(u64::from(d));
            }
            j += 1;
        }
        return Some((v, j - i));
    }
    let next = chars.get(i + 1).copied();
    match c {
        '数' if next == Some('十') => Some((30, 2)),
        '数' => Some((3, 1)),
        '十' if next == Some('数') => Some((15, 2)),
        '十' => match next.and_then(kanji) {
            Some(d) => Some((10 + d, 2)),
            None => Some((10, 1)),
        },
        _ => {
            let d = kanji(c)?;
            if i > 0 && (kanji(chars[i - 1]).is_some() || chars[i - 1] == '十') {
                return None;
            }
            match (next, chars.get(i + 2).copied().and_then(kanji)) {
                (Some('十'), Some(u)) => Some((d * 10 + u, 3)),
                (Some('十'), None) => Some((d * 10, 2)),
                _ => Some((d, 1)),
            }
        }
    }
}

/// A lesson's contribution.
pub(crate) fn doc_item(d: &IndexDoc) -> TrendItem {
    let text = format!("{}\n{}\n{}", d.direct_cause, d.root_cause, d.problem);
    let impact_text = format!("{}\n{}", d.impact, d.problem);
    TrendItem {
        cause: cause_label(&d.cause_category, &text),
        industry: d.industry.clone(),
        period: parse_period(&d.period).ok(),
        stage: d.stage.clone(),
        domain: d
            .domain
            .parse::<Domain>()
            .map_or_else(|_| d.domain.clone(), |x| domain_label(x).to_owned()),
        threat: d
            .threat
            .parse::<Threat>()
            .map_or_else(|_| d.threat.clone(), |x| x.label_ja().to_owned()),
        scenes: d.scenes.clone(),
        impacts: impact_kinds(&impact_text),
        outage: longest_duration_minutes(&impact_text).map(OutageClass::of_minutes),
    }
}

fn domain_label(d: Domain) -> &'static str {
    match d {
        Domain::Governance => "ガバナンス",
        Domain::Technical => "技術",
    }
}

/// Process stages recognised in an incident's root-cause entries, in the order checked
/// (維持・運用時 → 運用, 工事時 → 工事).
const STAGES: &[&str] = &[
    "企画",
    "要件定義",
    "設計",
    "製造",
    "開発",
    "テスト",
    "試験",
    "移行",
    "工事",
    "運用",
    "保守",
];

/// An incident's contribution (its text stays in this process).
pub(crate) fn incident_item(i: &Incident) -> TrendItem {
    let opt = |s: &Option<String>| s.as_deref().unwrap_or("").to_owned();
    let description = opt(&i.description);
    let summary = opt(&i.cause_summary);
    let stated = opt(&i.direct_cause);
    let cause = cause_label(&stated, &format!("{stated}\n{summary}\n{description}"));
    let causes_text: Vec<String> = i.causes.iter().map(json_text).collect();
    let stage = i
        .causes
        .iter()
        .filter_map(|c| c.get("process_stage").and_then(|v| v.as_str()))
        .chain(causes_text.iter().map(String::as_str))
        .find_map(|t| {
            // The stage named first (工事時の原因: 試験信号の… is 工事).
            STAGES
                .iter()
                .filter_map(|s| t.find(s).map(|at| (at, *s)))
                .min()
                .map(|(_, s)| s)
        })
        .map_or(String::new(), str::to_owned);
    let category = cause.parse::<CauseCategory>().ok();
    let threat = match category {
        None | Some(CauseCategory::Unknown) => String::new(),
        Some(CauseCategory::Attack) => Threat::Intentional.label_ja().to_owned(),
        Some(CauseCategory::Disaster) => Threat::Disaster.label_ja().to_owned(),
        Some(CauseCategory::ExternalService) => Threat::KnockOn.label_ja().to_owned(),
        Some(_) => Threat::Unintentional.label_ja().to_owned(),
    };
    let impact = opt(&i.impact);
    let scope = opt(&i.impact_scope);
    let symptoms = i.symptoms.join("\n");
    let sequence = i.failure_sequence.join("\n");
    let measures: Vec<String> = i.countermeasures.iter().map(json_text).collect();
    let measures = measures.join("\n");
    let causes_joined = causes_text.join("\n");
    let system = opt(&i.system_name);
    let scenes = propose_scenes(&SceneInput {
        fields: vec![
            ("title", system.as_str()),
            ("problem", impact.as_str()),
            ("problem", description.as_str()),
            ("problem", symptoms.as_str()),
            ("problem", sequence.as_str()),
            ("direct_cause", summary.as_str()),
            ("root_cause", causes_joined.as_str()),
            ("countermeasures", measures.as_str()),
        ],
        cause: category,
        stage: &stage,
    });
    let scenes = tazan_model::scene::labels(&scenes);
    let impact_text = format!("{impact}\n{scope}\n{symptoms}\n{description}");
    let durations: Vec<String> = i.duration.iter().map(json_text).collect();
    let outage = elapsed_minutes(i.occurred_at.as_deref(), i.recovered_at.as_deref())
        .or_else(|| longest_duration_minutes(&durations.join("\n")))
        .or_else(|| longest_duration_minutes(&impact_text))
        .map(OutageClass::of_minutes);
    TrendItem {
        cause,
        industry: opt(&i.industry),
        period: i
            .occurred_at
            .as_deref()
            .and_then(year_month)
            .map(|m| (m, m)),
        stage,
        domain: String::new(),
        threat,
        scenes,
        impacts: impact_kinds(&impact_text),
        outage,
    }
}

/// All string values inside a JSON value, joined by newlines.
fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(json_text).collect::<Vec<_>>().join("\n"),
        serde_json::Value::Object(o) => o.values().map(json_text).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

/// The month of a date: ISO 8601 (`2017-07-03…`), `2017年7月`, or 和暦 (`平成29年7月`,
/// `令和元年5月`, `R5.7.21`, `H28/3`), full-width digits too. `None` for placeholders
/// (`平成〇年〇月`).
pub(crate) fn year_month(text: &str) -> Option<MonthIndex> {
    let t = normalize(text.trim());
    let month_index = |y: u64, m: u64| ((1..=12).contains(&m) && y > 1900).then(|| y * 12 + m - 1);
    let numbers = |s: &str| -> Vec<u64> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.parse().ok())
            .collect()
    };
    for (era, base) in [("令和", 2018), ("平成", 1988), ("昭和", 1925)] {
        if let Some(rest) = t.strip_prefix(era) {
            let rest = rest.replacen('元', "1", 1);
            let n = numbers(&rest);
            return month_index(base + *n.first()?, *n.get(1)?);
        }
    }
    for (era, base) in [('r', 2018), ('h', 1988), ('s', 1925)] {
        if let Some(rest) = t.strip_prefix(era) {
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                let n = numbers(rest);
                return month_index(base + *n.first()?, *n.get(1)?);
            }
        }
    }
    let n = numbers(&t);
    let y = *n.first()?;
    if !(1000..10_000).contains(&y) || !t.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    month_index(y, *n.get(1)?)
}

/// Minutes from one ISO 8601 time to another (same offset assumed, as in one report);
/// `None` unless both have a time of day, or they are date-only and two or more days apart
/// (then a day or more for sure).
fn elapsed_minutes(from: Option<&str>, to: Option<&str>) -> Option<u64> {
    let parse = |s: &str| -> Option<(i64, Option<i64>)> {
        let b = s.trim().as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            std::str::from_utf8(b.get(r)?).ok()?.parse().ok()
        };
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let days = days_from_civil(num(0..4)?, num(5..7)?, num(8..10)?);
        let minutes = if b.len() >= 16 && b[10] == b'T' && b[13] == b':' {
            Some(num(11..13)? * 60 + num(14..16)?)
        } else {
            None
        };
        Some((days, minutes))
    };
    let (d1, m1) = parse(from?)?;
    let (d2, m2) = parse(to?)?;
    match (m1, m2) {
        (Some(a), Some(b)) => u64::try_from((d2 - d1) * 1440 + b - a).ok(),
        _ if d2 - d1 >= 2 => u64::try_from((d2 - d1) * 1440).ok(),
        _ => None,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
