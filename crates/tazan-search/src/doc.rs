//! The flat document the index stores, and period parsing.

use serde::{Deserialize, Serialize};

use crate::error::SearchError;

/// One lesson as the search crate sees it: plain strings, mapped from the model by the caller.
///
/// Every field may be empty; only `id` is required to be non-empty when indexing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndexDoc {
    /// Lesson id (hash of the canonical bytes); the key for upsert and delete.
    pub id: String,
    /// External reference such as catalogue number `T3`.
    #[serde(rename = "ref")]
    pub r#ref: Option<String>,
    /// Title.
    pub title: String,
    /// What happened (事象).
    pub problem: String,
    /// Direct cause in prose.
    pub direct_cause: String,
    /// Root cause in prose.
    pub root_cause: String,
    /// Countermeasures taken or recommended.
    pub countermeasures: String,
    /// The lesson statement.
    pub lesson: String,
    /// Keywords; a catalogue theme goes here too. Weighted like the title.
    pub keywords: Vec<String>,
    /// Worked examples or related cases (free text); weighted below the body.
    pub examples: Vec<String>,
    /// `governance` or `technical`.
    pub domain: String,
    /// Direct cause category, e.g. `設定ミス`, `過負荷`, `不明`.
    pub cause_category: String,
    /// Threat kind: `unintentional`, `intentional`, `disaster`, `knock_on`.
    pub threat: String,
    /// Process stage, e.g. `要件定義`, `運用`.
    pub stage: String,
    /// Usage scenes.
    pub scenes: Vec<String>,
    /// Generalised impact.
    pub impact: String,
    /// Period: `2017`, `2017-H2`, `2017-Q3` or `2017-07`.
    pub period: String,
    /// Industry label in Japanese, e.g. `金融`.
    pub industry: String,
    /// Disclosure level: `AMBER`, `GREEN` or `CLEAR`.
    pub level: String,
    /// Publication time, ISO 8601 (compared as text).
    pub published_at: String,
}

impl IndexDoc {
    /// All free text of the lesson, one field per line, for term extraction.
    pub(crate) fn full_text(&self) -> String {
        let mut s = String::with_capacity(1024);
        for part in [
            &self.title,
            &self.problem,
            &self.direct_cause,
            &self.root_cause,
            &self.countermeasures,
            &self.lesson,
            &self.impact,
        ] {
            s.push_str(part);
            s.push('\n');
        }
        for k in self.keywords.iter().chain(&self.examples) {
            s.push_str(k);
            s.push('\n');
        }
        s
    }

    /// The text fields that form the main body.
    pub(crate) fn body_text(&self) -> String {
        [
            self.problem.as_str(),
            &self.direct_cause,
            &self.root_cause,
            &self.countermeasures,
            &self.lesson,
            &self.impact,
        ]
        .join("\n")
    }
}

/// A month, counted as `year * 12 + (month - 1)`; ordered.
pub(crate) type MonthIndex = u64;

/// Parses a period into its first and last month.
///
/// Accepts `YYYY`, `YYYY-Hn` (half), `YYYY-Qn` (quarter) and `YYYY-MM`, NFKC-normalised
/// (full-width digits are fine).
/// The months a period label covers, as `(first, last)` month numbers
/// (`year * 12 + month - 1`): `2017` is the whole year, `2017-H2` July to
/// December, `2017-Q1` January to March, `2017-07` one month. Full-width
/// digits are accepted. Two periods overlap when their ranges do.
pub fn period_months(raw: &str) -> Result<(u64, u64), SearchError> {
    parse_period(raw)
}

pub(crate) fn parse_period(raw: &str) -> Result<(MonthIndex, MonthIndex), SearchError> {
    let bad = |reason: &str| SearchError::BadPeriod {
        value: raw.to_string(),
        reason: reason.to_string(),
    };
    let norm: String = crate::analyze::normalize(raw.trim());
    let (year, rest) = match norm.split_once('-') {
        Some((y, r)) => (y, Some(r)),
        None => (norm.as_str(), None),
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("expected a four-digit year first"));
    }
    let y: u64 = year.parse().map_err(|_| bad("year is not a number"))?;
    let base = y * 12;
    let (a, b) = match rest {
        None => (0, 11),
        Some(r) if r.starts_with('h') => match &r[1..] {
            "1" => (0, 5),
            "2" => (6, 11),
            _ => return Err(bad("half must be H1 or H2")),
        },
        Some(r) if r.starts_with('q') => match &r[1..] {
            "1" => (0, 2),
            "2" => (3, 5),
            "3" => (6, 8),
            "4" => (9, 11),
            _ => return Err(bad("quarter must be Q1..Q4")),
        },
        Some(r) => {
            let m: u64 = r
                .parse()
                .map_err(|_| bad("expected H1/H2, Q1..Q4 or a month 01..12 after the year"))?;
            if !(1..=12).contains(&m) {
                return Err(bad("month must be 01..12"));
            }
            (m - 1, m - 1)
        }
    };
    Ok((base + a, base + b))
}

/// Formats a month index as `YYYY-MM`.
pub(crate) fn month_label(m: MonthIndex) -> String {
    format!("{:04}-{:02}", m / 12, m % 12 + 1)
}

/// Formats a month index as its half-year, `YYYY-H1` or `YYYY-H2`.
pub(crate) fn half_label(m: MonthIndex) -> String {
    format!("{:04}-H{}", m / 12, if m % 12 < 6 { 1 } else { 2 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse() {
        assert_eq!(
            parse_period("2017-H2").unwrap(),
            (2017 * 12 + 6, 2017 * 12 + 11)
        );
        assert_eq!(
            parse_period("2017-07").unwrap(),
            (2017 * 12 + 6, 2017 * 12 + 6)
        );
        assert_eq!(
            parse_period("２０１７-Ｑ１").unwrap(),
            (2017 * 12, 2017 * 12 + 2)
        );
        assert_eq!(parse_period("2017").unwrap(), (2017 * 12, 2017 * 12 + 11));
        assert_eq!(month_label(2017 * 12 + 6), "2017-07");
        assert_eq!(half_label(2017 * 12 + 6), "2017-H2");
    }

    #[test]
    fn bad_periods_are_named() {
        for p in ["", "17-07", "2017-13", "2017-H3", "2017-xx"] {
            let e = parse_period(p).unwrap_err().to_string();
            assert!(e.contains("period"), "{e}");
        }
    }
}
