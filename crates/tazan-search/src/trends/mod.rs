//! Trends over a set of lessons (a node's library, a hub's log) or over a company's own
//! raw incidents (its vault): counts by direct cause, industry, period, process stage,
//! domain, threat, usage purpose and scene, impact kind and outage duration; the shares
//! of human error and overload the guidebook quotes; the month average. Rendered as a text
//! table, CSV, an SVG bar chart or JSON.
//!
//! Counts under [`SMALL_CELL`] are suppressed, with complementary suppression so that no
//! total gives one back (see the `suppress` module); a suppressed count is `null` in JSON
//! and `*` elsewhere. Suppressed rows are listed after the shown ones, by key, so their
//! order says nothing about their size.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tazan_model::{CauseCategory, Incident, Scene};

use crate::doc::{half_label, month_label, IndexDoc, MonthIndex};
use crate::suppress::suppress;

mod classify;
mod render;

pub use classify::{classify_cause, ImpactKind, OutageClass};
pub use render::xml_escape;

/// Counts below this are never published (trends and digests).
pub const SMALL_CELL: usize = 3;

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

/// How to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendOptions {
    /// Period buckets.
    pub granularity: Granularity,
    /// Counts under this are suppressed ([`SMALL_CELL`]); 0 or 1 publishes exact counts
    /// (a company's own incidents, which never leave its node).
    pub min_cell: usize,
}

impl Default for TrendOptions {
    fn default() -> Self {
        TrendOptions {
            granularity: Granularity::HalfYear,
            min_cell: SMALL_CELL,
        }
    }
}

impl TrendOptions {
    /// Exact counts (no suppression), for a company's own record.
    pub fn exact(granularity: Granularity) -> Self {
        TrendOptions {
            granularity,
            min_cell: 0,
        }
    }
}

/// One bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Bucket label.
    pub key: String,
    /// Lessons in it; `None` when suppressed.
    pub count: Option<usize>,
}

impl Count {
    /// Whether the count is hidden.
    pub fn is_suppressed(&self) -> bool {
        self.count.is_none()
    }
}

/// A count and its share of all lessons; both `None` when suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// Lessons matching.
    pub count: Option<usize>,
    /// `count / total`.
    pub share: Option<f64>,
}

/// Lessons per month over the months the dated lessons span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthAverage {
    /// First month, `YYYY-MM`.
    pub from: String,
    /// Last month, `YYYY-MM`.
    pub to: String,
    /// Months from the first to the last, both included.
    pub months: u64,
    /// Dated lessons.
    pub lessons: usize,
    /// `lessons / months`.
    pub average: f64,
}

/// What a report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// Lessons (a library, a hub's log).
    Lessons,
    /// A company's own raw incidents (its vault).
    Incidents,
}

impl Subject {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Subject::Lessons => "lessons",
            Subject::Incidents => "incidents",
        }
    }

    pub(crate) fn japanese(self) -> &'static str {
        match self {
            Subject::Lessons => "教訓",
            Subject::Incidents => "障害事例",
        }
    }
}

/// Aggregated trends, ready to publish (small cells already suppressed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendReport {
    /// What was counted.
    pub subject: Subject,
    /// Lessons (or incidents) counted; `None` when so few that it is suppressed too.
    pub total: Option<usize>,
    /// Counts under this were suppressed (0: exact counts).
    pub suppressed_under: usize,
    /// Period bucket size used.
    pub granularity: Granularity,
    /// By direct cause category (given, else recognised in the text, else `不明`).
    pub by_cause: Vec<Count>,
    /// By industry (`不明` when empty).
    pub by_industry: Vec<Count>,
    /// By period, oldest first; `不明` (no or bad period) last.
    pub by_period: Vec<Count>,
    /// By process stage where the cause lay (`不明` when empty).
    pub by_stage: Vec<Count>,
    /// By domain: ガバナンス (organisation and management) or 技術.
    pub by_domain: Vec<Count>,
    /// By threat: 非意図的, 意図的, 災害, 波及.
    pub by_threat: Vec<Count>,
    /// By usage purpose (a lesson may serve several; `未設定` when it names none).
    pub by_purpose: Vec<Count>,
    /// By usage scene (a lesson may serve several).
    pub by_scene: Vec<Count>,
    /// By impact kind, from the impact and problem text (several per lesson possible).
    pub by_impact: Vec<Count>,
    /// By outage duration class, from the stated times or the impact text.
    pub by_outage: Vec<Count>,
    /// Human error: the cause categories the model counts as human error.
    pub human_error: Share,
    /// Overload: the 過負荷 category.
    pub overload: Share,
    /// Lessons per month; `None` when no lesson is dated, or when that would give back a
    /// suppressed count of undated lessons.
    pub per_month: Option<MonthAverage>,
}

/// One facet of a report, for rendering (the CLI's table, CSV and SVG; the
/// portal's trends page).
pub struct Section<'a> {
    /// Its CSV name (`cause`, `industry` …).
    pub name: &'static str,
    /// Its Japanese title.
    pub title: &'static str,
    /// Cells add up to the total (one value per lesson).
    pub additive: bool,
    /// Its rows; suppressed counts are `None`.
    pub rows: &'a [Count],
}

/// Label for lessons without a value.
pub(crate) const UNKNOWN: &str = "不明";
/// Label for lessons that name no usage scene.
const UNSET: &str = "未設定";

/// What one lesson or incident contributes.
#[derive(Debug, Clone, Default)]
pub(crate) struct TrendItem {
    pub(crate) cause: String,
    pub(crate) industry: String,
    pub(crate) period: Option<(MonthIndex, MonthIndex)>,
    pub(crate) stage: String,
    pub(crate) domain: String,
    pub(crate) threat: String,
    pub(crate) scenes: Vec<String>,
    pub(crate) impacts: Vec<ImpactKind>,
    pub(crate) outage: Option<OutageClass>,
}

/// Counts `docs`.
pub fn trends(docs: &[IndexDoc], options: &TrendOptions) -> TrendReport {
    let mut c = TrendCounter::new(options);
    for d in docs {
        c.add(d);
    }
    c.finish()
}

/// Counts a company's own raw incidents (its vault), computed where they are and never
/// sent: cause from the stated category or the text, period from the occurrence date
/// (ISO 8601 or 和暦), outage from the occurrence and recovery times or the stated
/// durations, stage from the root causes, scenes proposed from the text.
pub fn incident_trends(incidents: &[Incident], options: &TrendOptions) -> TrendReport {
    let mut c = TrendCounter::new(options);
    c.subject = Subject::Incidents;
    for i in incidents {
        c.add_item(classify::incident_item(i));
    }
    c.finish()
}

/// Streaming form of [`trends`], for sets too large to hold in memory.
#[derive(Debug, Clone)]
pub(crate) struct TrendCounter {
    options: TrendOptions,
    subject: Subject,
    total: usize,
    cause: BTreeMap<String, usize>,
    industry: BTreeMap<String, usize>,
    period: BTreeMap<(u64, String), usize>,
    stage: BTreeMap<String, usize>,
    domain: BTreeMap<String, usize>,
    threat: BTreeMap<String, usize>,
    purpose: BTreeMap<String, usize>,
    scene: BTreeMap<String, usize>,
    impact: BTreeMap<String, usize>,
    outage: BTreeMap<String, usize>,
    first_month: Option<MonthIndex>,
    last_month: Option<MonthIndex>,
}

fn or_unknown(s: &str) -> String {
    let s = s.trim();
    if s.is_empty() {
        UNKNOWN.to_owned()
    } else {
        s.to_owned()
    }
}

impl TrendCounter {
    pub(crate) fn new(options: &TrendOptions) -> Self {
        TrendCounter {
            options: *options,
            subject: Subject::Lessons,
            total: 0,
            cause: BTreeMap::new(),
            industry: BTreeMap::new(),
            period: BTreeMap::new(),
            stage: BTreeMap::new(),
            domain: BTreeMap::new(),
            threat: BTreeMap::new(),
            purpose: BTreeMap::new(),
            scene: BTreeMap::new(),
            impact: BTreeMap::new(),
            outage: BTreeMap::new(),
            first_month: None,
            last_month: None,
        }
    }

    pub(crate) fn add(&mut self, d: &IndexDoc) {
        self.add_item(classify::doc_item(d));
    }

    pub(crate) fn add_item(&mut self, it: TrendItem) {
        self.total += 1;
        *self.cause.entry(or_unknown(&it.cause)).or_default() += 1;
        *self.industry.entry(or_unknown(&it.industry)).or_default() += 1;
        *self.stage.entry(or_unknown(&it.stage)).or_default() += 1;
        *self.domain.entry(or_unknown(&it.domain)).or_default() += 1;
        *self.threat.entry(or_unknown(&it.threat)).or_default() += 1;
        let key = match it.period {
            Some((a, b)) => {
                self.first_month = Some(self.first_month.map_or(a, |f| f.min(a)));
                self.last_month = Some(self.last_month.map_or(b, |l| l.max(b)));
                let same_half = a / 6 == b / 6;
                match self.options.granularity {
                    Granularity::Month if a == b => (a, month_label(a)),
                    // A coarser period sorts after the months it spans.
                    Granularity::Month if same_half => (b, half_label(a)),
                    Granularity::HalfYear if same_half => (a, half_label(a)),
                    _ => (b, format!("{:04}", a / 12)),
                }
            }
            None => (u64::MAX, UNKNOWN.to_owned()),
        };
        *self.period.entry(key).or_default() += 1;
        // Multi-valued: each distinct purpose and scene once per lesson.
        let mut purposes: Vec<String> = Vec::new();
        let mut scenes: Vec<String> = Vec::new();
        for s in &it.scenes {
            match s.parse::<Scene>() {
                Ok(scene) => {
                    purposes.push(scene.purpose().as_str().to_owned());
                    if !scene.is_purpose() {
                        scenes.push(scene.label().to_owned());
                    }
                }
                Err(_) => scenes.push(s.trim().to_owned()),
            }
        }
        if it.scenes.is_empty() {
            purposes.push(UNSET.to_owned());
            scenes.push(UNSET.to_owned());
        }
        for (map, mut keys) in [(&mut self.purpose, purposes), (&mut self.scene, scenes)] {
            keys.sort();
            keys.dedup();
            for k in keys {
                *map.entry(k).or_default() += 1;
            }
        }
        let mut impacts: Vec<&str> = it.impacts.iter().map(|k| k.as_str()).collect();
        impacts.sort_unstable();
        impacts.dedup();
        if impacts.is_empty() {
            impacts.push(UNKNOWN);
        }
        for k in impacts {
            *self.impact.entry(k.to_owned()).or_default() += 1;
        }
        let outage = it.outage.map_or(UNKNOWN, OutageClass::as_str);
        *self.outage.entry(outage.to_owned()).or_default() += 1;
    }

    pub(crate) fn finish(self) -> TrendReport {
        let min = self.options.min_cell;
        let total = self.total;
        // Merge buckets with the same label (a month and its half-year can share a label).
        let mut period: Vec<(String, usize)> = Vec::new();
        for ((_, key), count) in self.period {
            match period.iter_mut().find(|(k, _)| *k == key) {
                Some(p) => p.1 += count,
                None => period.push((key, count)),
            }
        }
        let undated = period
            .iter()
            .find(|(k, _)| k == UNKNOWN)
            .map_or(0, |(_, n)| *n);
        let by_period = publish(period, true, min, false);

        let cause: Vec<(String, usize)> = self.cause.into_iter().collect();
        let category = |key: &str| key.parse::<CauseCategory>().ok();
        let human: Vec<usize> = (0..cause.len())
            .filter(|&i| category(&cause[i].0).is_some_and(CauseCategory::is_human_error))
            .collect();
        let overload: Vec<usize> = (0..cause.len())
            .filter(|&i| category(&cause[i].0) == Some(CauseCategory::Overload))
            .collect();
        let values: Vec<usize> = cause.iter().map(|(_, n)| *n).collect();
        let groups: Vec<Vec<usize>> = [human.clone(), overload.clone()]
            .into_iter()
            .filter(|g| !g.is_empty())
            .collect();
        let hidden = suppress(&values, &groups, true, min);
        let mut g = 0;
        let mut share_of = |cells: &[usize]| {
            let count: usize = cells.iter().map(|&i| values[i]).sum();
            let shown = if cells.is_empty() {
                // No lesson of the kind: a published zero, hiding nothing.
                true
            } else {
                g += 1;
                !hidden.groups[g - 1]
            };
            Share {
                count: (shown && !hidden.total).then_some(count),
                share: (shown && !hidden.total && total > 0).then(|| count as f64 / total as f64),
            }
        };
        let human_error = share_of(&human);
        let overload = share_of(&overload);
        let by_cause = rows(&cause, &hidden.cells, true);
        // The cause table holds every lesson once: its total is the report's.
        let total_shown = !hidden.total;

        let undated_shown = undated == 0
            || by_period
                .iter()
                .any(|c| c.key == UNKNOWN && c.count.is_some());
        let per_month = match (self.first_month, self.last_month) {
            (Some(a), Some(b)) if total_shown && undated_shown => {
                let months = b - a + 1;
                let lessons = total - undated;
                Some(MonthAverage {
                    from: month_label(a),
                    to: month_label(b),
                    months,
                    lessons,
                    average: lessons as f64 / months as f64,
                })
            }
            _ => None,
        };
        let multi = |m: BTreeMap<String, usize>| publish(m.into_iter().collect(), false, min, true);
        let single = |m: BTreeMap<String, usize>| publish(m.into_iter().collect(), true, min, true);
        TrendReport {
            subject: self.subject,
            total: total_shown.then_some(total),
            suppressed_under: if min > 1 { min } else { 0 },
            granularity: self.options.granularity,
            by_cause,
            by_industry: single(self.industry),
            by_period,
            by_stage: single(self.stage),
            by_domain: single(self.domain),
            by_threat: single(self.threat),
            by_purpose: multi(self.purpose),
            by_scene: multi(self.scene),
            by_impact: multi(self.impact),
            by_outage: single(self.outage),
            human_error,
            overload,
            per_month,
        }
    }
}

/// Suppresses one table (no published group sums) and orders its rows.
fn publish(cells: Vec<(String, usize)>, additive: bool, min: usize, by_size: bool) -> Vec<Count> {
    let values: Vec<usize> = cells.iter().map(|(_, n)| *n).collect();
    let hidden = suppress(&values, &[], additive, min);
    rows(&cells, &hidden.cells, by_size)
}

/// Rows with suppressed counts removed; by size (largest first, then key) with the
/// suppressed ones after, by key; or in the order given.
fn rows(cells: &[(String, usize)], hidden: &[bool], by_size: bool) -> Vec<Count> {
    let mut out: Vec<Count> = cells
        .iter()
        .zip(hidden)
        .map(|((key, n), h)| Count {
            key: key.clone(),
            count: (!h).then_some(*n),
        })
        .collect();
    if by_size {
        out.sort_by(|a, b| match (a.count, b.count) {
            (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.key.cmp(&b.key)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.key.cmp(&b.key),
        });
    }
    out
}

impl TrendReport {
    /// The facets in display order.
    pub fn sections(&self) -> [Section<'_>; 10] {
        let s = |name, title, additive, rows| Section {
            name,
            title,
            additive,
            rows,
        };
        [
            s("cause", "直接原因", true, &self.by_cause[..]),
            s("industry", "業種", true, &self.by_industry[..]),
            s("period", "期間", true, &self.by_period[..]),
            s("stage", "工程", true, &self.by_stage[..]),
            s("domain", "分野", true, &self.by_domain[..]),
            s("threat", "脅威", true, &self.by_threat[..]),
            s("purpose", "活用目的", false, &self.by_purpose[..]),
            s("scene", "活用シーン", false, &self.by_scene[..]),
            s("impact", "影響の種類", false, &self.by_impact[..]),
            s("outage", "停止・影響時間", true, &self.by_outage[..]),
        ]
    }
}

#[cfg(test)]
mod tests;
