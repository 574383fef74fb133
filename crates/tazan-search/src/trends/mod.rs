//! Trends over a set of lessons: counts by cause category, industry and period, and the
//! shares of human error and overload; rendered as a text table, CSV or an SVG bar chart.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

use crate::analyze::normalize;
use crate::doc::{half_label, month_label, parse_period, IndexDoc};

/// Period buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// `YYYY-MM`; lessons generalised to a half-year or year go to their first month's
    /// half-year label instead (`2017-H2`), since their month is unknown.
    Month,
    /// `YYYY-H1` / `YYYY-H2`.
    HalfYear,
}

/// One bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Bucket label.
    pub key: String,
    /// Lessons in it.
    pub count: usize,
}

/// A count and its share of all lessons.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// Lessons matching.
    pub count: usize,
    /// `count / total`, 0 when there are no lessons.
    pub share: f64,
}

/// Aggregated trends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendReport {
    /// Lessons counted.
    pub total: usize,
    /// By direct cause category (given, else recognised in the text, else `不明`), largest first.
    pub by_cause: Vec<Count>,
    /// By industry (`不明` when empty), largest first.
    pub by_industry: Vec<Count>,
    /// By period, oldest first; `不明` (no or bad period) last.
    pub by_period: Vec<Count>,
    /// Period bucket size used.
    pub granularity: Granularity,
    /// Human error: 作業ミス, 操作ミス, 設定ミス, 確認不足, 手順誤り …
    pub human_error: Share,
    /// Overload: 過負荷, アクセス集中, 負荷集中, 処理能力超過 …
    pub overload: Share,
}

/// Label for lessons without a value.
const UNKNOWN: &str = "不明";

/// Cause categories recognised in free text, checked in this order.
const CAUSE_CUES: &[(&str, &[&str])] = &[
    (
        "設定ミス",
        &["設定ミス", "設定誤り", "誤設定", "設定の誤り", "設定を誤"],
    ),
    ("操作ミス", &["操作ミス", "誤操作", "操作誤り"]),
    (
        "作業ミス",
        &[
            "作業ミス",
            "作業誤り",
            "誤作業",
            "手順誤り",
            "手順ミス",
            "取り違え",
            "取違え",
        ],
    ),
    (
        "過負荷",
        &[
            "過負荷",
            "負荷集中",
            "アクセス集中",
            "アクセスが集中",
            "処理能力を超",
            "ふくそう",
            "輻輳",
        ],
    ),
    (
        "ハードウェア障害",
        &[
            "ハードウェア障害",
            "ハードウェアの故障",
            "ハード障害",
            "機器の故障",
            "故障",
        ],
    ),
    (
        "プログラム不具合",
        &[
            "プログラム不具合",
            "プログラムの不具合",
            "バグ",
            "ソフトウェアの不具合",
            "不具合",
        ],
    ),
];

/// Categories (and text cues) that count as human error.
const HUMAN_ERROR: &[&str] = &[
    "作業ミス",
    "操作ミス",
    "設定ミス",
    "確認不足",
    "手順誤り",
    "人為ミス",
    "ヒューマンエラー",
];
/// Categories (and text cues) that count as overload.
const OVERLOAD: &[&str] = &[
    "過負荷",
    "アクセス集中",
    "負荷集中",
    "処理能力超過",
    "キャパシティ不足",
    "輻輳",
];

/// Recognises a direct cause category in free text (first match in a fixed order).
pub fn classify_cause(text: &str) -> Option<&'static str> {
    let norm = normalize(text);
    CAUSE_CUES
        .iter()
        .find(|(_, cues)| cues.iter().any(|c| norm.contains(&normalize(c))))
        .map(|(cat, _)| *cat)
}

fn cause_of(d: &IndexDoc) -> String {
    let c = d.cause_category.trim();
    if !c.is_empty() {
        return c.to_string();
    }
    let text = format!("{}\n{}\n{}", d.direct_cause, d.root_cause, d.problem);
    classify_cause(&text).unwrap_or(UNKNOWN).to_string()
}

fn matches_any(d: &IndexDoc, cause: &str, cues: &[&str]) -> bool {
    if cues.contains(&cause) {
        return true;
    }
    let text = normalize(&d.direct_cause);
    cues.iter().any(|c| text.contains(&normalize(c)))
}

/// Counts `docs`.
pub fn trends(docs: &[IndexDoc], granularity: Granularity) -> TrendReport {
    let mut c = TrendCounter::new(granularity);
    for d in docs {
        c.add(d);
    }
    c.finish()
}

/// Streaming form of [`trends`], for sets too large to hold in memory.
#[derive(Debug, Clone)]
pub(crate) struct TrendCounter {
    granularity: Granularity,
    total: usize,
    cause: BTreeMap<String, usize>,
    industry: BTreeMap<String, usize>,
    period: BTreeMap<(u64, String), usize>,
    human: usize,
    over: usize,
}

impl TrendCounter {
    pub(crate) fn new(granularity: Granularity) -> Self {
        TrendCounter {
            granularity,
            total: 0,
            cause: BTreeMap::new(),
            industry: BTreeMap::new(),
            period: BTreeMap::new(),
            human: 0,
            over: 0,
        }
    }

    pub(crate) fn add(&mut self, d: &IndexDoc) {
        self.total += 1;
        let c = cause_of(d);
        self.human += usize::from(matches_any(d, &c, HUMAN_ERROR));
        self.over += usize::from(matches_any(d, &c, OVERLOAD));
        *self.cause.entry(c).or_default() += 1;
        let ind = d.industry.trim();
        let ind = if ind.is_empty() {
            UNKNOWN.to_string()
        } else {
            ind.to_string()
        };
        *self.industry.entry(ind).or_default() += 1;
        let key = match parse_period(&d.period) {
            Ok((a, b)) => {
                let same_half = a / 6 == b / 6;
                match self.granularity {
                    Granularity::Month if a == b => (a, month_label(a)),
                    // A coarser period sorts after the months it spans.
                    Granularity::Month if same_half => (b, half_label(a)),
                    Granularity::HalfYear if same_half => (a, half_label(a)),
                    _ => (b, format!("{:04}", a / 12)),
                }
            }
            Err(_) => (u64::MAX, UNKNOWN.to_string()),
        };
        *self.period.entry(key).or_default() += 1;
    }

    pub(crate) fn finish(self) -> TrendReport {
        let by_count = |m: BTreeMap<String, usize>| {
            let mut v: Vec<Count> = m
                .into_iter()
                .map(|(key, count)| Count { key, count })
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
            v
        };
        // Merge buckets with the same label (a month and its half-year can share a label).
        let mut by_period: Vec<Count> = Vec::new();
        for ((_, key), count) in self.period {
            match by_period.iter_mut().find(|c| c.key == key) {
                Some(c) => c.count += count,
                None => by_period.push(Count { key, count }),
            }
        }
        let total = self.total;
        let share = |count: usize| Share {
            count,
            share: if total == 0 {
                0.0
            } else {
                count as f64 / total as f64
            },
        };
        TrendReport {
            total,
            by_cause: by_count(self.cause),
            by_industry: by_count(self.industry),
            by_period,
            granularity: self.granularity,
            human_error: share(self.human),
            overload: share(self.over),
        }
    }
}

impl TrendReport {
    fn sections(&self) -> [(&'static str, &'static str, &[Count]); 3] {
        [
            ("cause", "直接原因", &self.by_cause),
            ("industry", "業種", &self.by_industry),
            ("period", "期間", &self.by_period),
        ]
    }

    /// Plain-text table (also what `Display` prints).
    pub fn to_text_table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "lessons: {}", self.total);
        for (_, title, rows) in self.sections() {
            let _ = writeln!(s, "\n{title}");
            let width = rows
                .iter()
                .map(|r| display_width(&r.key))
                .max()
                .unwrap_or(0);
            for r in rows {
                let pad = " ".repeat(width - display_width(&r.key));
                let _ = writeln!(
                    s,
                    "  {}{}  {:>6}  {:>5.1}%",
                    r.key,
                    pad,
                    r.count,
                    pct(r.count, self.total)
                );
            }
        }
        let _ = writeln!(
            s,
            "\nhuman error (人為ミス): {} ({:.1}%)\noverload (過負荷): {} ({:.1}%)",
            self.human_error.count,
            self.human_error.share * 100.0,
            self.overload.count,
            self.overload.share * 100.0
        );
        s
    }

    /// CSV with header `section,key,count,share`; sections `cause`, `industry`, `period`,
    /// `share` (rows `human_error`, `overload`). Fields are quoted when needed.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("section,key,count,share\n");
        for (name, _, rows) in self.sections() {
            for r in rows {
                let _ = writeln!(
                    s,
                    "{name},{},{},{:.4}",
                    csv_field(&r.key),
                    r.count,
                    frac(r.count, self.total)
                );
            }
        }
        let _ = writeln!(
            s,
            "share,human_error,{},{:.4}",
            self.human_error.count, self.human_error.share
        );
        let _ = writeln!(
            s,
            "share,overload,{},{:.4}",
            self.overload.count, self.overload.share
        );
        s
    }

    /// A self-contained SVG (no scripts, fonts or external references): one horizontal bar
    /// chart per section, then the two shares.
    pub fn to_svg(&self) -> String {
        const W: usize = 720;
        const LABEL_W: usize = 200;
        const BAR_MAX: usize = 420;
        const ROW: usize = 22;
        let rows: usize = self
            .sections()
            .iter()
            .map(|(_, _, r)| r.len() + 2)
            .sum::<usize>()
            + 4;
        let h = rows * ROW + 20;
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" viewBox="0 0 {W} {h}" font-family="sans-serif" font-size="13">"#
        );
        let _ = writeln!(s, r#"<rect width="{W}" height="{h}" fill="white"/>"#);
        let mut y = ROW;
        let _ = writeln!(
            s,
            r#"<text x="10" y="{y}" font-weight="bold">教訓 {} 件の傾向</text>"#,
            self.total
        );
        y += ROW;
        for (_, title, rows) in self.sections() {
            y += ROW / 2;
            let _ = writeln!(
                s,
                r#"<text x="10" y="{y}" font-weight="bold">{}</text>"#,
                xml_escape(title)
            );
            y += ROW / 2;
            let max = rows.iter().map(|r| r.count).max().unwrap_or(1).max(1);
            for r in rows {
                let bw = r.count * BAR_MAX / max;
                let _ = writeln!(
                    s,
                    r##"<text x="{}" y="{}" text-anchor="end">{}</text><rect x="{}" y="{}" width="{bw}" height="{}" fill="#4a7ab5"/><text x="{}" y="{}">{}</text>"##,
                    LABEL_W - 8,
                    y + 15,
                    xml_escape(&r.key),
                    LABEL_W,
                    y + 3,
                    ROW - 6,
                    LABEL_W + bw + 6,
                    y + 15,
                    r.count
                );
                y += ROW;
            }
            y += ROW / 2;
        }
        for (label, sh) in [("人為ミス", self.human_error), ("過負荷", self.overload)] {
            let bw = (sh.share * BAR_MAX as f64).round() as usize;
            let _ = writeln!(
                s,
                r##"<text x="{}" y="{}" text-anchor="end">{label}</text><rect x="{LABEL_W}" y="{}" width="{BAR_MAX}" height="{}" fill="#e5e5e5"/><rect x="{LABEL_W}" y="{}" width="{bw}" height="{}" fill="#c0504d"/><text x="{}" y="{}">{:.1}%</text>"##,
                LABEL_W - 8,
                y + 15,
                y + 3,
                ROW - 6,
                y + 3,
                ROW - 6,
                LABEL_W + BAR_MAX + 6,
                y + 15,
                sh.share * 100.0
            );
            y += ROW;
        }
        s.push_str("</svg>\n");
        s
    }
}

impl fmt::Display for TrendReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text_table())
    }
}

fn pct(n: usize, total: usize) -> f64 {
    frac(n, total) * 100.0
}

fn frac(n: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        n as f64 / total as f64
    }
}

/// Terminal width: East Asian wide characters count two columns.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if matches!(c, '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}' | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}') { 2 } else { 1 })
        .sum()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Escapes text for XML/HTML element content and attribute values.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab/newline are not allowed in XML 1.0.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(cause: &str, industry: &str, period: &str, direct: &str) -> IndexDoc {
        IndexDoc {
            id: format!("{cause}{industry}{period}"),
            cause_category: cause.into(),
            industry: industry.into(),
            period: period.into(),
            direct_cause: direct.into(),
            ..IndexDoc::default()
        }
    }

    fn sample() -> Vec<IndexDoc> {
        vec![
            d("設定ミス", "金融", "2017-07", ""),
            d("設定ミス", "金融", "2017-08", ""),
            d("過負荷", "情報通信", "2017-H2", ""),
            d("", "", "2018-01", "担当者の操作ミス"),
            d("ハードウェア障害", "運輸", "bad", ""),
        ]
    }

    #[test]
    fn counts_and_shares() {
        let r = trends(&sample(), Granularity::Month);
        assert_eq!(r.total, 5);
        assert_eq!(
            r.by_cause[0],
            Count {
                key: "設定ミス".into(),
                count: 2
            }
        );
        assert!(r.by_cause.contains(&Count {
            key: "操作ミス".into(),
            count: 1
        }));
        assert_eq!(r.by_industry[0].key, "金融");
        assert!(r.by_industry.iter().any(|c| c.key == "不明"));
        let keys: Vec<&str> = r.by_period.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["2017-07", "2017-08", "2017-H2", "2018-01", "不明"]);
        assert_eq!(r.human_error.count, 3);
        assert!((r.human_error.share - 0.6).abs() < 1e-9);
        assert_eq!(r.overload.count, 1);
    }

    #[test]
    fn half_year_buckets_merge() {
        let r = trends(&sample(), Granularity::HalfYear);
        assert_eq!(
            r.by_period[0],
            Count {
                key: "2017-H2".into(),
                count: 3
            }
        );
        assert_eq!(
            r.by_period[1],
            Count {
                key: "2018-H1".into(),
                count: 1
            }
        );
    }

    #[test]
    fn renderings() {
        let mut docs = sample();
        docs.push(d("<script>&\"x,y\"", "a", "2017-07", ""));
        let r = trends(&docs, Granularity::Month);
        let t = r.to_text_table();
        assert!(t.contains("設定ミス") && t.contains("human error"));
        let csv = r.to_csv();
        assert!(csv.starts_with("section,key,count,share\n"));
        assert!(csv.contains("cause,設定ミス,2,0.3333"));
        assert!(csv.contains("\"<script>&\"\"x,y\"\"\""), "{csv}");
        let svg = r.to_svg();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;&amp;&quot;x,y&quot;"));
        assert!(!svg.contains("href"));
    }

    #[test]
    fn empty_input() {
        let r = trends(&[], Granularity::HalfYear);
        assert_eq!(r.total, 0);
        assert_eq!(r.human_error.share, 0.0);
        assert!(r.to_svg().contains("</svg>"));
    }

    #[test]
    fn classify() {
        assert_eq!(classify_cause("ルータの設定ミスにより"), Some("設定ミス"));
        assert_eq!(classify_cause("アクセスが集中し"), Some("過負荷"));
        assert_eq!(classify_cause("晴れ"), None);
    }
}
