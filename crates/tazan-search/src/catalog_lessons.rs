//! A catalogue read line by line into [`Lesson`]s, so a hub can serve it to
//! its members like any other lessons.
//!
//! Unlike [`parse_catalog`](crate::parse_catalog) (all or nothing, straight
//! into the index), each line is checked on its own: a bad line yields a
//! [`CatalogLineError`] naming file, line and field, and the good lines are
//! still returned. The mapping is deterministic — the same entry always gives
//! the same canonical bytes, hence the same lesson id — so importing a file
//! twice stores nothing twice.
//!
//! Mapping of one entry (`id, domain, theme, title, summary, cases`):
//!
//! | catalogue | lesson |
//! |---|---|
//! | `id` | `ref` (the external reference) |
//! | `title` | `title`, and `lesson` (a catalogue title is the lesson statement) |
//! | `summary` | `problem` |
//! | `cases[].title` + `cases[].story` | `direct_cause`, one paragraph per case ([`NO_CAUSE`] when there is none) |
//! | `cases[].application` | `countermeasures`, one per case |
//! | `theme` | the one keyword |
//! | `domain` | `taxonomy.domain`; the cause category is `不明` |
//! | (all of the above) | `taxonomy.scenes`: [`Lesson::propose_scenes`] |

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tazan_model::{DisclosureLevel, Domain, Lesson, ModelError, Taxonomy};

/// `direct_cause` of an entry without case stories (the model requires one).
pub const NO_CAUSE: &str = "（カタログに記載なし）";

/// One catalogue entry that passed every check, with its converted lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogLesson {
    /// 1-based line number in the file.
    pub line: usize,
    /// The entry's `id`, kept as the lesson's `ref`.
    pub id: String,
    /// The lesson (valid under [`Lesson::validate`]).
    pub lesson: Lesson,
}

/// Why one catalogue line was refused: `file:line:field: reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogLineError {
    /// The catalogue file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// The catalogue field at fault (`id`, `title`, `cases[1].story` …), or
    /// `json` when the line is not a JSON object.
    pub field: String,
    /// What is wrong and what to do.
    pub reason: String,
}

impl fmt::Display for CatalogLineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.field,
            self.reason
        )
    }
}

impl std::error::Error for CatalogLineError {}

/// A catalogue read line by line: the good entries and the refused lines.
#[derive(Debug, Clone, Default)]
pub struct CatalogRead {
    /// Entries that passed, in file order.
    pub lessons: Vec<CatalogLesson>,
    /// Lines that did not, in file order.
    pub errors: Vec<CatalogLineError>,
}

/// Reads catalogue JSON Lines into lessons at `level`, checking each line on
/// its own; `origin` names the file in errors. Blank lines are skipped; an
/// `id` seen on an earlier line is refused (the first one wins).
pub fn read_catalog_lessons(text: &str, origin: &Path, level: DisclosureLevel) -> CatalogRead {
    read_lines(text, origin, |line| entry_lesson(line, level))
}

/// JSON Lines, each line converted by `convert` on its own (see
/// [`read_catalog_lessons`]): blank lines skipped, a repeated id refused.
pub(crate) fn read_lines(
    text: &str,
    origin: &Path,
    convert: impl Fn(&str) -> Result<(String, Lesson), LineError>,
) -> CatalogRead {
    let mut out = CatalogRead::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let err = |field: &str, reason: String| CatalogLineError {
            path: origin.to_path_buf(),
            line: n,
            field: field.to_owned(),
            reason,
        };
        match convert(line) {
            Ok((id, lesson)) => {
                if let Some(first) = seen.get(&id) {
                    out.errors.push(err(
                        "id",
                        format!(
                            "{id:?} is already used on line {first}; give each entry its own id"
                        ),
                    ));
                    continue;
                }
                seen.insert(id.clone(), n);
                out.lessons.push(CatalogLesson {
                    line: n,
                    id,
                    lesson,
                });
            }
            Err((field, reason)) => out.errors.push(err(&field, reason)),
        }
    }
    out
}

/// Reads a catalogue file; see [`read_catalog_lessons`].
pub fn load_catalog_lessons(
    path: &Path,
    level: DisclosureLevel,
) -> Result<CatalogRead, crate::SearchError> {
    let text = std::fs::read_to_string(path).map_err(|source| crate::SearchError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(read_catalog_lessons(&text, path, level))
}

pub(crate) type LineError = (String, String);

fn string_field(obj: &serde_json::Map<String, Value>, key: &str) -> Result<String, LineError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.trim().to_owned()),
        Some(other) => Err((
            key.to_owned(),
            format!("expected a string, found {}", kind(other)),
        )),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn entry_lesson(line: &str, level: DisclosureLevel) -> Result<(String, Lesson), LineError> {
    let value: Value = serde_json::from_str(line)
        .map_err(|e| ("json".to_owned(), format!("not valid JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err((
            "json".to_owned(),
            format!("expected an object per line, found {}", kind(&value)),
        ));
    };
    let id = string_field(&obj, "id")?;
    let title = string_field(&obj, "title")?;
    let summary = string_field(&obj, "summary")?;
    let theme = string_field(&obj, "theme")?;
    let domain_text = string_field(&obj, "domain")?;
    for (key, value) in [("id", &id), ("title", &title), ("summary", &summary)] {
        if value.is_empty() {
            return Err((key.to_owned(), "required but missing or empty".to_owned()));
        }
    }
    let domain = if domain_text.is_empty() {
        Domain::default()
    } else {
        domain_text.parse::<Domain>().map_err(|_| {
            (
                "domain".to_owned(),
                format!("{domain_text:?} is not a domain; use governance or technical"),
            )
        })?
    };
    let mut stories = Vec::new();
    let mut applications = Vec::new();
    match obj.get("cases") {
        None | Some(Value::Null) => {}
        Some(Value::Array(cases)) => {
            for (k, case) in cases.iter().enumerate() {
                let Value::Object(c) = case else {
                    return Err((
                        format!("cases[{k}]"),
                        format!("expected an object, found {}", kind(case)),
                    ));
                };
                let at = |(f, why): LineError| (format!("cases[{k}].{f}"), why);
                let case_title = string_field(c, "title").map_err(at)?;
                let story = string_field(c, "story").map_err(at)?;
                let application = string_field(c, "application").map_err(at)?;
                if !story.is_empty() {
                    stories.push(if case_title.is_empty() {
                        story
                    } else {
                        format!("{case_title}：{story}")
                    });
                }
                if !application.is_empty() {
                    applications.push(application);
                }
            }
        }
        Some(other) => {
            return Err((
                "cases".to_owned(),
                format!("expected an array, found {}", kind(other)),
            ))
        }
    }
    let mut lesson = Lesson {
        title: title.clone(),
        problem: summary,
        direct_cause: if stories.is_empty() {
            NO_CAUSE.to_owned()
        } else {
            stories.join("\n")
        },
        root_cause: String::new(),
        countermeasures: applications,
        lesson: title,
        keywords: if theme.is_empty() {
            Vec::new()
        } else {
            vec![theme]
        },
        taxonomy: Taxonomy {
            domain,
            ..Taxonomy::default()
        },
        impact: String::new(),
        period: String::new(),
        industry: String::new(),
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
        public: None,
    };
    lesson.taxonomy.scenes = tazan_model::scene::labels(&lesson.propose_scenes());
    lesson
        .validate()
        .map_err(|e| (catalog_field(&e).to_owned(), e.to_string()))?;
    Ok((id, lesson))
}

/// The catalogue field a lesson field came from.
fn catalog_field(e: &ModelError) -> &'static str {
    let field = match e {
        ModelError::Missing { field }
        | ModelError::TooLong { field, .. }
        | ModelError::TooMany { field, .. }
        | ModelError::Invalid { field, .. } => *field,
        _ => "",
    };
    match field {
        "title" | "lesson" => "title",
        "problem" => "summary",
        "direct_cause" => "cases.story",
        "countermeasures" => "cases.application",
        "keywords" => "theme",
        "ref" => "id",
        "taxonomy.domain" => "domain",
        _ => "json",
    }
}

#[cfg(test)]
mod tests {
    use tazan_model::Payload;

    use super::*;

    const GOOD: &str = r#"{"id":"S1","domain":"technical","theme":"監視の教訓","title":"監視の閾値は業務量の変化に合わせて見直すべし","summary":"月末に処理件数が増え、閾値を超えないまま応答が遅れた。","cases":[{"no":1,"title":"閾値の放置","story":"数年前の閾値のままだった。","application":"四半期ごとに閾値を見直す。"}]}"#;

    #[test]
    fn maps_an_entry_and_is_deterministic() {
        let read = read_catalog_lessons(GOOD, Path::new("c.jsonl"), DisclosureLevel::Clear);
        assert!(read.errors.is_empty(), "{:?}", read.errors);
        let l = &read.lessons[0].lesson;
        assert_eq!(l.reference.as_deref(), Some("S1"));
        assert_eq!(l.title, l.lesson);
        assert_eq!(l.level, DisclosureLevel::Clear);
        assert_eq!(l.keywords, ["監視の教訓"]);
        assert_eq!(l.direct_cause, "閾値の放置：数年前の閾値のままだった。");
        assert_eq!(l.countermeasures, ["四半期ごとに閾値を見直す。"]);
        let again = read_catalog_lessons(GOOD, Path::new("c.jsonl"), DisclosureLevel::Clear);
        assert_eq!(
            Payload::Lesson(l.clone()).id(),
            Payload::Lesson(again.lessons[0].lesson.clone()).id(),
            "same entry, same lesson id"
        );
    }

    #[test]
    fn bad_lines_name_line_and_field_and_good_ones_pass() {
        let long_title = "長".repeat(201);
        let lines = [
            GOOD.to_owned(),
            "{oops".to_owned(),
            r#"{"id":"S2","title":"t"}"#.to_owned(),
            r#"{"id":"S3","title":"t","summary":"s","domain":"finance"}"#.to_owned(),
            r#"{"id":"S4","title":"t","summary":"s","cases":[{"story":5}]}"#.to_owned(),
            format!(r#"{{"id":"S5","title":"{long_title}","summary":"s"}}"#),
            GOOD.to_owned(),
            r#"{"title":"t","summary":"s"}"#.to_owned(),
            r#"[1]"#.to_owned(),
            String::new(),
            r#"{"id":"S6","title":"t","summary":"s","cases":[]}"#.to_owned(),
        ];
        let read = read_catalog_lessons(
            &lines.join("\n"),
            Path::new("c.jsonl"),
            DisclosureLevel::Clear,
        );
        let got: Vec<(usize, &str)> = read
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (2, "json"),
                (3, "summary"),
                (4, "domain"),
                (5, "cases[0].story"),
                (6, "title"),
                (7, "id"),
                (8, "id"),
                (9, "json"),
            ]
        );
        for e in &read.errors {
            println!("{e}");
        }
        assert!(read.errors[0].to_string().starts_with("c.jsonl:2:json: "));
        let ids: Vec<&str> = read.lessons.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["S1", "S6"]);
        assert_eq!(read.lessons[1].lesson.direct_cause, NO_CAUSE);
    }

    #[test]
    fn the_example_catalogue_converts_whole() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/catalog.jsonl");
        let read = load_catalog_lessons(&path, DisclosureLevel::Clear).unwrap();
        assert!(read.errors.is_empty(), "{:?}", read.errors);
        assert_eq!(read.lessons.len(), 8);
    }

    #[test]
    #[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
    fn corpus_shared_catalogue_converts_whole() {
        let path = crate::corpus::corpus_file("lessons.jsonl");
        let read = load_catalog_lessons(&path, DisclosureLevel::Clear).unwrap();
        assert!(read.errors.is_empty(), "{:?}", read.errors);
        assert!(read.lessons.len() >= 20);
    }
}
