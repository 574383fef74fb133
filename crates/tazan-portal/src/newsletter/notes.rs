//! The editor's notes for an issue: a TOML file with the sections the
//! index cannot write (報道されたシステム障害, 教訓解説, お知らせ).
//!
//! ```toml
//! [[press]]                 # 報道されたシステム障害
//! title = "大手銀行でATMが終日停止"
//! date = "2026-11-12"       # optional
//! source = "日経 2026-11-13" # optional: the medium or URL
//! summary = "…"
//!
//! [[commentary]]            # 教訓解説
//! title = "変更作業の二人確認"
//! body = "…"
//!
//! [[notice]]                # お知らせ
//! title = "年末年始の窓口"
//! body = "…"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Longest title, in characters.
const TITLE_MAX: usize = 200;
/// Longest summary or body, in characters.
const BODY_MAX: usize = 4000;
/// Most items per section.
const ITEMS_MAX: usize = 50;

/// A press-reported failure.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PressItem {
    /// What happened, as reported.
    pub title: String,
    /// When (free text, usually ISO 8601).
    #[serde(default)]
    pub date: String,
    /// The medium or URL.
    #[serde(default)]
    pub source: String,
    /// A short summary.
    #[serde(default)]
    pub summary: String,
}

/// A commentary or a notice.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteItem {
    /// Its title.
    pub title: String,
    /// Its text.
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotes {
    #[serde(default)]
    press: Vec<PressItem>,
    #[serde(default)]
    commentary: Vec<NoteItem>,
    #[serde(default)]
    notice: Vec<NoteItem>,
}

/// The editor's notes of one issue (empty when there is no file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// 報道されたシステム障害.
    pub press: Vec<PressItem>,
    /// 教訓解説.
    pub commentary: Vec<NoteItem>,
    /// お知らせ.
    pub notices: Vec<NoteItem>,
}

/// Why the notes file could not be used: names the file and the key.
#[derive(Debug, thiserror::Error)]
#[error("editor's notes {path}: {reason}", path = path.display())]
pub struct NotesError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong (names the key, e.g. `press[2].title`).
    pub reason: String,
}

impl Notes {
    /// Read and check a notes file.
    pub fn load(path: &Path) -> Result<Notes, NotesError> {
        let err = |reason: String| NotesError {
            path: path.to_owned(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        Notes::parse(&text).map_err(err)
    }

    /// Parse and check notes text; the error names the key.
    pub fn parse(text: &str) -> Result<Notes, String> {
        let raw: RawNotes = toml::from_str(text).map_err(|e| e.to_string())?;
        for (name, n) in [
            ("press", raw.press.len()),
            ("commentary", raw.commentary.len()),
            ("notice", raw.notice.len()),
        ] {
            if n > ITEMS_MAX {
                return Err(format!(
                    "`{name}` has {n} items, over the {ITEMS_MAX}-item limit"
                ));
            }
        }
        for (i, p) in raw.press.iter().enumerate() {
            check(&format!("press[{i}].title"), &p.title, TITLE_MAX, true)?;
            check(&format!("press[{i}].date"), &p.date, TITLE_MAX, false)?;
            check(&format!("press[{i}].source"), &p.source, TITLE_MAX, false)?;
            check(&format!("press[{i}].summary"), &p.summary, BODY_MAX, false)?;
        }
        for (name, items) in [("commentary", &raw.commentary), ("notice", &raw.notice)] {
            for (i, n) in items.iter().enumerate() {
                check(&format!("{name}[{i}].title"), &n.title, TITLE_MAX, true)?;
                check(&format!("{name}[{i}].body"), &n.body, BODY_MAX, false)?;
            }
        }
        Ok(Notes {
            press: raw.press,
            commentary: raw.commentary,
            notices: raw.notice,
        })
    }
}

fn check(key: &str, value: &str, max: usize, required: bool) -> Result<(), String> {
    if required && value.trim().is_empty() {
        return Err(format!("`{key}` is empty; give it a title"));
    }
    let n = value.chars().count();
    if n > max {
        return Err(format!(
            "`{key}` is {n} characters, over the {max}-character limit"
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(format!("`{key}` holds a control character"));
    }
    Ok(())
}
