//! Reading a published lesson catalogue (the IPA/SEC JSONL shape) into [`IndexDoc`]s.

use std::path::Path;

use serde::Deserialize;

use crate::doc::IndexDoc;
use crate::error::SearchError;

#[derive(Debug, Deserialize)]
struct RawLesson {
    id: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    theme: String,
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    cases: Vec<RawCase>,
}

#[derive(Debug, Deserialize)]
struct RawCase {
    #[serde(default)]
    title: String,
    #[serde(default)]
    story: String,
    #[serde(default)]
    application: String,
}

/// Parses catalogue JSONL (`id, domain, theme, title, summary, cases[{no,title,story,application}]`).
///
/// Mapping: `id` → `ref` (and `id` = `catalog:<id>`), `theme` → first keyword, `title` →
/// title, `summary` → problem, each case → one entry of `examples`; level `CLEAR`; usage
/// scenes proposed from all of it ([`IndexDoc::propose_scenes`]).
/// Blank lines are skipped; `origin` names the source in errors.
pub fn parse_catalog(jsonl: &str, origin: &Path) -> Result<Vec<IndexDoc>, SearchError> {
    let mut out = Vec::new();
    for (i, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawLesson = serde_json::from_str(line).map_err(|e| SearchError::BadLine {
            path: origin.to_path_buf(),
            line: i + 1,
            reason: e.to_string(),
        })?;
        let examples = raw
            .cases
            .iter()
            .map(|c| format!("{}\n{}\n{}", c.title, c.story, c.application))
            .collect();
        let mut doc = IndexDoc {
            id: format!("catalog:{}", raw.id),
            r#ref: Some(raw.id),
            title: raw.title,
            problem: raw.summary,
            keywords: if raw.theme.is_empty() {
                Vec::new()
            } else {
                vec![raw.theme]
            },
            examples,
            domain: raw.domain,
            level: "CLEAR".into(),
            ..IndexDoc::default()
        };
        doc.scenes = tazan_model::scene::labels(&doc.propose_scenes());
        out.push(doc);
    }
    Ok(out)
}

/// Reads and parses a catalogue file; see [`parse_catalog`].
pub fn load_catalog(path: &Path) -> Result<Vec<IndexDoc>, SearchError> {
    let text = std::fs::read_to_string(path).map_err(|source| SearchError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_catalog(&text, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_fields() {
        let line = r#"{"id":"X1","domain":"technical","theme":"監視の教訓","title":"監視せよ","summary":"事象と原因","cases":[{"no":1,"title":"例","story":"話","application":"適用"}]}"#;
        let docs = parse_catalog(&format!("{line}\n\n"), Path::new("t.jsonl")).unwrap();
        assert_eq!(docs.len(), 1);
        let d = &docs[0];
        assert_eq!(d.r#ref.as_deref(), Some("X1"));
        assert_eq!(d.id, "catalog:X1");
        assert_eq!(d.keywords, ["監視の教訓"]);
        assert_eq!(d.problem, "事象と原因");
        assert_eq!(d.examples, ["例\n話\n適用"]);
        assert_eq!(d.level, "CLEAR");
    }

    #[test]
    fn bad_line_names_file_and_line() {
        let e = parse_catalog(
            "{\"id\":\"a\",\"title\":\"t\"}\n{oops",
            Path::new("c.jsonl"),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("c.jsonl:2:"), "{e}");
    }
}
