//! Read a lesson written by a person, as JSON or TOML, with errors that name
//! the file, the line and the field.

use std::path::Path;

use anyhow::{bail, Context, Result};
use tazan_model::Lesson;

/// Parse a lesson file (`.json` or `.toml`, else guessed from the content)
/// and validate it.
pub fn read(path: &Path) -> Result<Lesson> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read {} (a lesson must be UTF-8 JSON or TOML)",
            path.display()
        )
    })?;
    let is_json = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("toml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    let mut lesson: Lesson = if is_json {
        serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))?
    } else {
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
    };
    // People may write a scene by its bare name or a purpose in the guidebook's words.
    if let Err(e) = lesson.taxonomy.canonicalize_scenes() {
        bail!("{}: {e}", path.display());
    }
    if let Err(e) = lesson.validate() {
        bail!("{}: {e}", path.display());
    }
    Ok(lesson)
}
