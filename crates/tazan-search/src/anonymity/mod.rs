//! Re-identification risk of a lesson's structured fields: the k of k-anonymity, the fields
//! that single a lesson out, and the coarser generalisations a reviewer can choose.
//!
//! **The quasi-identifier combination.** Six values, each read from the lesson by one
//! function ([`QuasiIdentifiers::of`]) for the draft and for every lesson it is compared to:
//!
//! | field | read from | coarser steps |
//! |---|---|---|
//! | `industry` | `industry` | its sector (`銀行` → `金融`), then any |
//! | `period` | `period` (`2024-07`, `2024-Q3`, `2024-H2`, `2024`) | half-year, year, any |
//! | `cause` | the direct cause category (`taxonomy.cause`, else named in `direct_cause`; `不明` is no value) | none offered |
//! | `impact` | every figure with a counter in `impact` (`約5万人`, `数百件`, `3千万円`), as its order of magnitude (`1万〜10万人`) | a wide band (`1000〜10万人`, `10万人以上`), then no figure (`多数`) |
//! | `region` | prefectures and regions named anywhere in the text (`東京都`, `関東地方`, `首都圏`); several in one region give the region, several regions give none | the region, then `国内` (national: no value) |
//! | `system` | the first system kind named anywhere in the text (`勘定系`, `ATM`, `座席予約` …) | any (each named kind is replaced by a general word) |
//!
//! **Sharing.** A lesson *shares* the draft's combination when, for every field the draft
//! has a value for, the lesson's value lies within it: the same value or a finer one inside
//! it (`2024-07` lies within `2024-H2`, `東京都` within `関東地方`, `銀行` within `金融`,
//! `5万人` within `1万〜10万人`). **k** is the number of lessons that would show the
//! combination once the draft is published: the draft itself plus the lessons of the
//! library that share it (the draft's own published copy, and any lesson listed twice,
//! count once). Only lessons every reader of the draft can see count: for a GREEN draft,
//! GREEN and CLEAR ones (a reader in another group never sees the AMBER ones).
//!
//! **A missing field.** A field the draft lacks is "any": the draft tells a reader nothing
//! there, so it narrows nothing and every lesson shares it. A field a library lesson lacks
//! where the draft has a value is *not* taken as sharing it: a reader who knows the
//! company's industry cannot use that lesson to hide the draft only if the lesson is
//! visibly of that industry, and we do not know that it is. Counting such a lesson would
//! raise k on a guess; leaving it out keeps k a lower bound — conservative, at the cost of
//! asking a reviewer for a reason a little more often.
//!
//! Below [`K_MIN`] (3, the same threshold as trends' small cells) a reviewer must coarsen
//! the draft or record a reason ([`Anonymity::is_enough`]).

mod figures;
#[cfg(test)]
mod tests;
mod vocab;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tazan_model::{DisclosureLevel, Lesson, Payload};

pub use figures::Band;

use crate::doc::{parse_period, IndexDoc};
use crate::error::SearchError;

/// The smallest k a draft may be approved at without a reviewer's reason.
pub const K_MIN: usize = 3;

/// One field of the quasi-identifier combination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuasiField {
    /// `industry`.
    Industry,
    /// `period`.
    Period,
    /// The direct cause category.
    Cause,
    /// Figures in `impact`.
    Impact,
    /// Prefecture or region named in the text.
    Region,
    /// System kind named in the text.
    System,
}

impl QuasiField {
    /// Every field, in display order.
    pub const ALL: [QuasiField; 6] = [
        QuasiField::Industry,
        QuasiField::Period,
        QuasiField::Cause,
        QuasiField::Impact,
        QuasiField::Region,
        QuasiField::System,
    ];

    /// Its name, as the CLI takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            QuasiField::Industry => "industry",
            QuasiField::Period => "period",
            QuasiField::Cause => "cause",
            QuasiField::Impact => "impact",
            QuasiField::Region => "region",
            QuasiField::System => "system",
        }
    }
}

impl fmt::Display for QuasiField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for QuasiField {
    type Err = SearchError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        QuasiField::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| SearchError::Coarsen {
                field: s.to_owned(),
                reason: "not a field of the combination; expected one of industry, period, cause, impact, region, system".into(),
            })
    }
}

/// A lesson's quasi-identifier combination. `None` (or no bands) means "any value".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuasiIdentifiers {
    /// Industry, e.g. `金融` or `銀行`.
    pub industry: Option<String>,
    /// Generalised period.
    pub period: Option<String>,
    /// Direct cause category (`設定ミス`); `不明` is no value.
    pub cause_category: Option<String>,
    /// The bands of the figures in `impact`.
    pub impact: Vec<Band>,
    /// A prefecture (`東京都`) or region (`関東地方`).
    pub region: Option<String>,
    /// A system kind (`勘定系`).
    pub system: Option<String>,
}

impl QuasiIdentifiers {
    /// The combination a lesson (as the index stores it) carries.
    pub fn of(d: &IndexDoc) -> QuasiIdentifiers {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let text = d.full_text();
        QuasiIdentifiers {
            industry: some(&d.industry),
            period: some(&d.period),
            cause_category: some(&d.cause_category)
                .filter(|c| c != "不明" && !c.eq_ignore_ascii_case("unknown")),
            impact: {
                let mut bands: Vec<Band> = figures::figures(&d.impact)
                    .into_iter()
                    .map(|f| f.band)
                    .collect();
                bands.sort();
                bands.dedup();
                bands
            },
            region: region(&text),
            system: vocab::SYSTEMS
                .iter()
                .filter_map(|(w, _)| text.find(w).map(|at| (at, *w)))
                .min()
                .map(|(_, w)| w.to_owned()),
        }
    }

    /// The combination of a lesson.
    pub fn of_lesson(lesson: &Lesson) -> QuasiIdentifiers {
        QuasiIdentifiers::of(&doc(lesson))
    }

    /// Whether `other` shares this combination: for every field given here, its value
    /// lies within this one (see the module doc).
    pub fn covers(&self, other: &QuasiIdentifiers) -> bool {
        let within =
            |mine: &Option<String>,
             theirs: &Option<String>,
             up: fn(&str) -> Option<&'static str>| match (mine, theirs) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(m), Some(t)) => m == t || up(t) == Some(m.as_str()),
            };
        let period = match (&self.period, &other.period) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(m), Some(t)) => match (parse_period(m), parse_period(t)) {
                (Ok((a, b)), Ok((c, d))) => a <= c && d <= b,
                _ => false,
            },
        };
        within(&self.industry, &other.industry, vocab::sector_of)
            && period
            && within(&self.cause_category, &other.cause_category, |_| None)
            && self
                .impact
                .iter()
                .all(|m| other.impact.iter().any(|t| m.contains(t)))
            && within(&self.region, &other.region, vocab::region_of)
            && within(&self.system, &other.system, |_| None)
    }

    /// The value of one field, as text (`None`: any).
    pub fn value(&self, field: QuasiField) -> Option<String> {
        match field {
            QuasiField::Industry => self.industry.clone(),
            QuasiField::Period => self.period.clone(),
            QuasiField::Cause => self.cause_category.clone(),
            QuasiField::Impact => (!self.impact.is_empty()).then(|| {
                self.impact
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("・")
            }),
            QuasiField::Region => self.region.clone(),
            QuasiField::System => self.system.clone(),
        }
    }

    /// This combination with `field` set to "any".
    pub fn without(&self, field: QuasiField) -> QuasiIdentifiers {
        let mut q = self.clone();
        match field {
            QuasiField::Industry => q.industry = None,
            QuasiField::Period => q.period = None,
            QuasiField::Cause => q.cause_category = None,
            QuasiField::Impact => q.impact.clear(),
            QuasiField::Region => q.region = None,
            QuasiField::System => q.system = None,
        }
        q
    }
}

/// The combination in one line: `industry 金融 · period 2024-07 · …` (given fields only).
impl fmt::Display for QuasiIdentifiers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = QuasiField::ALL
            .into_iter()
            .filter_map(|x| self.value(x).map(|v| format!("{x} {v}")))
            .collect();
        if parts.is_empty() {
            f.write_str("(no field given)")
        } else {
            f.write_str(&parts.join(" · "))
        }
    }
}

/// A field that narrows the draft's combination: without it, more lessons would share it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Narrowing {
    /// The field.
    pub field: QuasiField,
    /// The draft's value.
    pub value: String,
    /// k if the field were "any".
    pub k_without: usize,
}

/// A coarser generalisation of one field the reviewer can apply ([`coarsen`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coarsening {
    /// The field.
    pub field: QuasiField,
    /// The draft's value now.
    pub from: String,
    /// The value after coarsening; `None`: any (the field no longer narrows).
    pub to: Option<String>,
    /// k after coarsening (this field alone).
    pub k: usize,
}

/// The k of a draft, what narrows it and how it could be coarsened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anonymity {
    /// Lessons showing the draft's combination once it is published, the draft included.
    pub k: usize,
    /// The threshold ([`K_MIN`]).
    pub k_min: usize,
    /// Lessons in the library compared (distinct, the draft's own copy left out).
    pub library: usize,
    /// The draft's combination.
    pub combination: QuasiIdentifiers,
    /// The fields that single the draft out, the most narrowing first: those without which
    /// k would grow (every given field when none alone would).
    pub narrowing: Vec<Narrowing>,
    /// Every coarser step of every field, with the k it gives.
    pub offers: Vec<Coarsening>,
}

impl Anonymity {
    /// Whether k reaches [`K_MIN`].
    pub fn is_enough(&self) -> bool {
        self.k >= self.k_min
    }

    /// The narrowing fields in one line: `period 2024-07 (k 3 without it), industry 銀行 (k 1 without it)`.
    pub fn narrowing_text(&self) -> String {
        self.narrowing
            .iter()
            .map(|n| format!("{} {} (k {} without it)", n.field, n.value, n.k_without))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The k-anonymity of `draft` among `library` (the lessons a reader could compare it with:
/// the node's received lessons and its own published ones). The one function the CLI and
/// the portal use; see the module doc for the combination and the rules.
pub fn anonymity(draft: &Lesson, library: &[IndexDoc]) -> Anonymity {
    let own = Payload::Lesson(draft.clone()).id().to_string();
    let mut seen = std::collections::HashSet::new();
    let others: Vec<QuasiIdentifiers> = library
        .iter()
        .filter(|d| d.id != own && seen.insert(d.id.as_str()))
        .filter(|d| {
            d.level
                .parse::<DisclosureLevel>()
                .is_ok_and(|l| l >= draft.level)
        })
        .map(QuasiIdentifiers::of)
        .collect();
    let k_of = |q: &QuasiIdentifiers| 1 + others.iter().filter(|o| q.covers(o)).count();
    let combination = QuasiIdentifiers::of_lesson(draft);
    let k = k_of(&combination);
    let given: Vec<Narrowing> = QuasiField::ALL
        .into_iter()
        .filter_map(|field| {
            combination.value(field).map(|value| Narrowing {
                field,
                value,
                k_without: k_of(&combination.without(field)),
            })
        })
        .collect();
    let mut narrowing: Vec<Narrowing> = given.iter().filter(|n| n.k_without > k).cloned().collect();
    if narrowing.is_empty() {
        narrowing = given;
    }
    narrowing.sort_by_key(|n| std::cmp::Reverse(n.k_without));
    let mut offers = Vec::new();
    for field in QuasiField::ALL {
        let mut lesson = draft.clone();
        while let Some(next) = coarser(&lesson, field) {
            let from = QuasiIdentifiers::of_lesson(&lesson).value(field);
            let q = QuasiIdentifiers::of_lesson(&next);
            let to = q.value(field);
            if from == to {
                break;
            }
            let mut shared = combination.clone();
            replace(&mut shared, &q, field);
            offers.push(Coarsening {
                field,
                from: combination.value(field).unwrap_or_default(),
                to,
                k: k_of(&shared),
            });
            lesson = next;
        }
    }
    Anonymity {
        k,
        k_min: K_MIN,
        library: others.len(),
        combination,
        narrowing,
        offers,
    }
}

/// `draft` with `field` coarsened until its value is `to` (`None`: one step). An unknown
/// field value, or one not reachable by coarsening, is an error naming the steps offered.
pub fn coarsen(draft: &Lesson, field: QuasiField, to: Option<&str>) -> Result<Lesson, SearchError> {
    let mut lesson = draft.clone();
    let mut steps = Vec::new();
    while let Some(next) = coarser(&lesson, field) {
        let value = QuasiIdentifiers::of_lesson(&next).value(field);
        let label = value.clone().unwrap_or_else(|| "any".into());
        let done = match to {
            None => true,
            Some(t) => t.trim() == label || (t.trim() == "any" && value.is_none()),
        };
        lesson = next;
        steps.push(label);
        if done {
            return Ok(lesson);
        }
        if value.is_none() {
            break;
        }
    }
    let now = QuasiIdentifiers::of_lesson(draft)
        .value(field)
        .unwrap_or_else(|| "any".into());
    Err(SearchError::Coarsen {
        field: field.to_string(),
        reason: if steps.is_empty() {
            format!("`{now}` cannot be made coarser")
        } else {
            format!(
                "`{}` is not a coarser value of `{now}`; the steps are: {}",
                to.unwrap_or_default(),
                steps.join(", ")
            )
        },
    })
}

fn replace(into: &mut QuasiIdentifiers, from: &QuasiIdentifiers, field: QuasiField) {
    match field {
        QuasiField::Industry => into.industry.clone_from(&from.industry),
        QuasiField::Period => into.period.clone_from(&from.period),
        QuasiField::Cause => into.cause_category.clone_from(&from.cause_category),
        QuasiField::Impact => into.impact.clone_from(&from.impact),
        QuasiField::Region => into.region.clone_from(&from.region),
        QuasiField::System => into.system.clone_from(&from.system),
    }
}

fn doc(lesson: &Lesson) -> IndexDoc {
    IndexDoc::from_lesson(&Payload::Lesson(lesson.clone()).id(), lesson, String::new())
}

/// The lesson one step coarser in `field`, or `None` when the field has no value or no
/// coarser step.
fn coarser(lesson: &Lesson, field: QuasiField) -> Option<Lesson> {
    let q = QuasiIdentifiers::of_lesson(lesson);
    let mut l = lesson.clone();
    match field {
        QuasiField::Industry => {
            let v = q.industry?;
            l.industry = vocab::sector_of(&v)
                .filter(|s| *s != v)
                .unwrap_or_default()
                .to_owned();
        }
        QuasiField::Period => {
            let v = q.period?;
            let (a, b) = parse_period(&v).ok()?;
            let year = a / 12;
            l.period = match b - a {
                0..=4 => format!("{year}-H{}", 1 + (a % 12) / 6),
                5 => year.to_string(),
                _ => String::new(),
            };
        }
        QuasiField::Cause => return None,
        QuasiField::Impact => {
            if q.impact.is_empty() {
                return None;
            }
            for band in &q.impact {
                l.impact = figures::rewrite(&l.impact, band, band.wider().as_ref());
            }
        }
        QuasiField::Region => {
            let v = q.region?;
            let to_region = vocab::region_of(&v).is_some();
            map_text(&mut l, |text| {
                let mut out = String::with_capacity(text.len());
                let mut at = 0;
                for (start, name, place) in vocab::places(text) {
                    out.push_str(&text[at..start]);
                    match vocab::region_of(place) {
                        Some(region) if to_region => out.push_str(region),
                        _ if to_region => out.push_str(name),
                        // 関東地方内 → 国内, not 国内内.
                        _ if text[start + name.len()..].starts_with('内') => out.push('国'),
                        _ => out.push_str("国内"),
                    }
                    at = start + name.len();
                }
                out.push_str(&text[at..]);
                out
            });
        }
        QuasiField::System => {
            q.system?;
            map_text(&mut l, |text| {
                let mut t = text.to_owned();
                for (w, general) in vocab::SYSTEMS {
                    t = t.replace(w, general);
                }
                t
            });
        }
    }
    Some(l)
}

/// Apply `f` to every free-text field of `l`.
fn map_text(l: &mut Lesson, f: impl Fn(&str) -> String) {
    for s in [
        &mut l.title,
        &mut l.problem,
        &mut l.direct_cause,
        &mut l.root_cause,
        &mut l.lesson,
        &mut l.impact,
    ] {
        *s = f(s);
    }
    for s in l.countermeasures.iter_mut().chain(l.keywords.iter_mut()) {
        *s = f(s);
    }
}

/// The prefecture or region named in `text`: one prefecture (however often), else the
/// region all named places lie in, else none (national).
fn region(text: &str) -> Option<String> {
    let places = vocab::places(text);
    let (_, _, first) = places.first()?;
    if places.iter().all(|(_, _, p)| p == first) {
        return Some((*first).to_owned());
    }
    let region = |p: &str| vocab::region_of(p).unwrap_or(p).to_owned();
    let r = region(first);
    places.iter().all(|(_, _, p)| region(p) == r).then_some(r)
}
