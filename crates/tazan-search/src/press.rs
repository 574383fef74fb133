//! Public cases (報道されたシステム障害) read from press records, and the
//! half-yearly table of press-reported failures with counts by cause.
//!
//! A press record names the organisation the press named; the lesson made
//! from it keeps that name and says so in [`tazan_model::PublicCase`] (with
//! the sources), so nothing downstream masks it as 当社 or refuses it as a
//! member's name. Records (JSON Lines, the SEC journal's table schema):
//!
//! | record | lesson |
//! |---|---|
//! | `id` | `ref` |
//! | `organization.name` | `public.organisation`, and the title |
//! | `system_name` | the title (`{organisation}：{system_name}の障害`) |
//! | `impact` | `problem`, `impact` |
//! | `description` | `direct_cause` and the statement |
//! | `direct_cause` | `taxonomy.cause` (by its words), a keyword |
//! | `occurred_at` | `period` (`YYYY-MM`) |
//! | `industry` | `industry` |
//! | `sources[]` | `public.sources`: `媒体（2017.7.4）` strings or `{medium, date, url}` |

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tazan_model::{CauseCategory, DisclosureLevel, Lesson, PublicCase, Source, Taxonomy};

use crate::catalog_lessons::{read_lines, CatalogRead, LineError};

/// Reads press records into public-case lessons at `level`, line by line
/// (a bad line is an error naming file, line and field; the others pass).
pub fn read_press_cases(text: &str, origin: &Path, level: DisclosureLevel) -> CatalogRead {
    read_lines(text, origin, |line| record_lesson(line, level))
}

/// Reads a press record file; see [`read_press_cases`].
pub fn load_press_cases(
    path: &Path,
    level: DisclosureLevel,
) -> Result<CatalogRead, crate::SearchError> {
    let text = std::fs::read_to_string(path).map_err(|source| crate::SearchError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(read_press_cases(&text, path, level))
}

fn text_field(obj: &serde_json::Map<String, Value>, key: &str) -> Result<String, LineError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.trim().to_owned()),
        Some(_) => Err((key.to_owned(), "expected a string".to_owned())),
    }
}

/// `日経コンピュータ（2017.7.4）` → medium and date; other text is the medium.
fn source_of_text(text: &str) -> Source {
    let t = text.trim();
    let (medium, date) = match t.find('（') {
        Some(at) if t.ends_with('）') => {
            let inner = &t[at + '（'.len_utf8()..t.len() - '）'.len_utf8()];
            let date = inner.split('）').next().unwrap_or(inner).to_owned();
            (t[..at].trim().to_owned(), date)
        }
        _ => (t.to_owned(), String::new()),
    };
    Source {
        medium,
        date,
        url: None,
    }
}

fn sources(obj: &serde_json::Map<String, Value>) -> Result<Vec<Source>, LineError> {
    let Some(Value::Array(items)) = obj.get("sources") else {
        return Err((
            "sources".into(),
            "required: a list of where it was reported (a public case names its sources)".into(),
        ));
    };
    let mut out = Vec::new();
    for (k, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => out.push(source_of_text(s)),
            Value::Object(_) => out.push(serde_json::from_value(item.clone()).map_err(|e| {
                (
                    format!("sources[{k}]"),
                    format!("expected {{medium, date, url}}: {e}"),
                )
            })?),
            _ => {
                return Err((
                    format!("sources[{k}]"),
                    "expected a string or {medium, date, url}".into(),
                ))
            }
        }
    }
    Ok(out)
}

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn record_lesson(line: &str, level: DisclosureLevel) -> Result<(String, Lesson), LineError> {
    let value: Value = serde_json::from_str(line)
        .map_err(|e| ("json".to_owned(), format!("not valid JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err(("json".into(), "expected an object per line".into()));
    };
    let id = text_field(&obj, "id")?;
    let organisation = match obj.get("organization") {
        Some(Value::Object(o)) => {
            text_field(o, "name").map_err(|(_, why)| ("organization.name".to_owned(), why))?
        }
        Some(Value::String(s)) => s.trim().to_owned(),
        _ => String::new(),
    };
    let system = text_field(&obj, "system_name")?;
    let impact = text_field(&obj, "impact")?;
    let description = text_field(&obj, "description")?;
    let cause = text_field(&obj, "direct_cause")?;
    let industry = text_field(&obj, "industry")?;
    let occurred = text_field(&obj, "occurred_at")?;
    for (key, v) in [
        ("id", &id),
        ("organization.name", &organisation),
        ("description", &description),
    ] {
        if v.is_empty() {
            return Err((key.to_owned(), "required but missing or empty".into()));
        }
    }
    let period = match occurred.get(..7) {
        Some(p)
            if p.as_bytes().get(4) == Some(&b'-') && p[..4].bytes().all(|b| b.is_ascii_digit()) =>
        {
            p.to_owned()
        }
        _ => {
            return Err((
                "occurred_at".into(),
                format!("{occurred:?}: expected a date YYYY-MM-DD (the table counts by half-year)"),
            ))
        }
    };
    let subject = if system.is_empty() {
        organisation.clone()
    } else if system.starts_with(&organisation) {
        system.clone()
    } else {
        format!("{organisation}：{system}")
    };
    let mut lesson = Lesson {
        title: cut(&format!("{subject}の障害"), 200),
        problem: if impact.is_empty() {
            description.clone()
        } else {
            impact.clone()
        },
        direct_cause: description.clone(),
        root_cause: String::new(),
        countermeasures: Vec::new(),
        lesson: description,
        keywords: if cause.is_empty() {
            Vec::new()
        } else {
            vec![cause.clone()]
        },
        taxonomy: Taxonomy {
            cause: CauseCategory::from_text(&cause),
            ..Taxonomy::default()
        },
        impact,
        period,
        industry,
        language: "ja".to_owned(),
        level,
        reference: Some(id.clone()),
        version: 1,
        supersedes: None,
        causes: Vec::new(),
        countermeasure_kinds: Vec::new(),
        effect: String::new(),
        system: tazan_model::SystemContext::default(),
        why_why: Vec::new(),
        policy_version: None,
        public: Some(PublicCase {
            organisation,
            sources: sources(&obj)?,
        }),
    };
    lesson.taxonomy.scenes = tazan_model::scene::labels(&lesson.propose_scenes());
    lesson.validate().map_err(|e| {
        let field = match &e {
            tazan_model::ModelError::Missing { field }
            | tazan_model::ModelError::TooLong { field, .. }
            | tazan_model::ModelError::TooMany { field, .. }
            | tazan_model::ModelError::Invalid { field, .. } => (*field).to_owned(),
            _ => "json".to_owned(),
        };
        (field, e.to_string())
    })?;
    Ok((id, lesson))
}

/// A half-year, `2024H1` or `2024-H1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Half {
    /// The year.
    pub year: u16,
    /// 1 (January–June) or 2 (July–December).
    pub half: u8,
}

impl std::str::FromStr for Half {
    type Err = String;

    fn from_str(s: &str) -> Result<Half, String> {
        let bad = || format!("--half {s:?}: expected YYYYH1 or YYYYH2 (e.g. 2024H1)");
        let t = s.trim().to_ascii_uppercase().replace('-', "");
        let (y, h) = t.split_once('H').ok_or_else(bad)?;
        let year: u16 = y.parse().map_err(|_| bad())?;
        let half: u8 = h.parse().map_err(|_| bad())?;
        if y.len() != 4 || !(1..=2).contains(&half) {
            return Err(bad());
        }
        Ok(Half { year, half })
    }
}

impl std::fmt::Display for Half {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}H{}", self.year, self.half)
    }
}

impl Half {
    /// The half a lesson period (`YYYY-MM`, `YYYY-Qn`, `YYYY-Hn`) lies in;
    /// none for a whole year or no period.
    pub fn of_period(period: &str) -> Option<Half> {
        let year: u16 = period.get(..4)?.parse().ok()?;
        let rest = period.get(5..)?;
        let half = if let Some(h) = rest.strip_prefix('H') {
            h.parse().ok()?
        } else if let Some(q) = rest.strip_prefix('Q') {
            let q: u8 = q.parse().ok()?;
            if q <= 2 {
                1
            } else {
                2
            }
        } else {
            let m: u8 = rest.parse().ok()?;
            if m <= 6 {
                1
            } else {
                2
            }
        };
        Some(Half { year, half })
    }
}

/// One row of the table: a public case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PressCase {
    /// The record id (`ref`).
    pub reference: String,
    /// The organisation the press named.
    pub organisation: String,
    /// The lesson's title.
    pub title: String,
    /// `YYYY-MM`.
    pub period: String,
    /// The cause category, in Japanese.
    pub cause: String,
    /// The first source, as `媒体（日付）`.
    pub source: String,
}

/// The table of press-reported failures of one half-year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PressTable {
    /// The half-year.
    pub half: Half,
    /// Cases in it, by period then reference.
    pub cases: Vec<PressCase>,
    /// Counts by cause category (Japanese), most first, then by name.
    pub by_cause: Vec<(String, usize)>,
}

/// The table of `half` from public-case lessons (others are ignored). The
/// counts are of public cases, already named by the press, so no small-count
/// suppression applies.
pub fn press_table<'a>(lessons: impl IntoIterator<Item = &'a Lesson>, half: Half) -> PressTable {
    let mut cases = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for l in lessons {
        let Some(public) = &l.public else { continue };
        if Half::of_period(&l.period) != Some(half) {
            continue;
        }
        let cause = l.cause_category().as_str().to_owned();
        *counts.entry(cause.clone()).or_default() += 1;
        cases.push(PressCase {
            reference: l.reference.clone().unwrap_or_default(),
            organisation: public.organisation.clone(),
            title: l.title.clone(),
            period: l.period.clone(),
            cause,
            source: public
                .sources
                .first()
                .map(|s| {
                    if s.date.is_empty() {
                        s.medium.clone()
                    } else {
                        format!("{}（{}）", s.medium, s.date)
                    }
                })
                .unwrap_or_default(),
        });
    }
    cases.sort_by(|a, b| (&a.period, &a.reference).cmp(&(&b.period, &b.reference)));
    cases.dedup_by(|a, b| a.reference == b.reference && a.title == b.title);
    let mut by_cause: Vec<(String, usize)> = counts.into_iter().collect();
    by_cause.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    PressTable {
        half,
        cases,
        by_cause,
    }
}

impl PressTable {
    /// Plain text: the counts by cause, then each case.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "報道されたシステム障害 {}: {}件\n\n原因別件数\n",
            self.half,
            self.cases.len()
        );
        for (cause, n) in &self.by_cause {
            out.push_str(&format!("  {cause}\t{n}件\n"));
        }
        out.push_str("\n事例\n");
        for c in &self.cases {
            out.push_str(&format!(
                "  {}\t{}\t{}\t{}\t{}\n",
                c.period, c.organisation, c.cause, c.title, c.source
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"id": "p-1", "organization": {"name": "架空テレコム", "aliases": []}, "industry": "情報通信", "system_name": "架空テレコム接続サービス", "occurred_at": "2017-07-03T11:50:00+09:00", "impact": "一部の地域で接続しにくくなった。", "description": "中継機器の不具合でDNSサーバーが高負荷となった。", "direct_cause": "ハードウェア障害", "sources": ["日経コンピュータ（2017.7.4）", {"medium": "ニュースリリース", "date": "2017-07-04", "url": "https://example.com/r"}]}"#;

    #[test]
    fn a_record_keeps_its_named_organisation_and_sources() {
        let read = read_press_cases(RECORD, Path::new("p.jsonl"), DisclosureLevel::Clear);
        assert!(read.errors.is_empty(), "{:?}", read.errors);
        let l = &read.lessons[0].lesson;
        let p = l.public.as_ref().unwrap();
        assert_eq!(p.organisation, "架空テレコム");
        assert!(l.title.starts_with("架空テレコム"), "{}", l.title);
        assert!(!l.title.contains("当社"));
        assert_eq!(p.sources[0].medium, "日経コンピュータ");
        assert_eq!(p.sources[0].date, "2017.7.4");
        assert_eq!(p.sources[1].url.as_deref(), Some("https://example.com/r"));
        assert_eq!(l.period, "2017-07");
        assert_eq!(l.cause_category(), CauseCategory::Hardware);
    }

    #[test]
    fn bad_records_name_the_field() {
        let no_sources = RECORD.replace(r#""sources""#, r#""sourcez""#);
        let bad_date = RECORD.replace("2017-07-03T11:50:00+09:00", "昨日");
        for (text, field) in [(no_sources, "sources"), (bad_date, "occurred_at")] {
            let read = read_press_cases(&text, Path::new("p.jsonl"), DisclosureLevel::Clear);
            assert_eq!(read.errors.len(), 1);
            assert_eq!(read.errors[0].field, field, "{}", read.errors[0]);
        }
    }

    #[test]
    fn the_table_counts_one_half_by_cause() {
        let read = read_press_cases(RECORD, Path::new("p.jsonl"), DisclosureLevel::Clear);
        let mut other = read.lessons[0].lesson.clone();
        other.period = "2018-01".into();
        let mut plain = read.lessons[0].lesson.clone();
        plain.public = None;
        let all = [read.lessons[0].lesson.clone(), other, plain];
        let t = press_table(&all, "2017H2".parse().unwrap());
        assert_eq!(t.cases.len(), 1);
        assert_eq!(t.by_cause, vec![("ハードウェア障害".to_owned(), 1)]);
        assert!("2017H3".parse::<Half>().is_err());
        assert_eq!("2024-h1".parse::<Half>().unwrap().to_string(), "2024H1");
    }
}
