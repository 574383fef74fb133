//! A lesson written by a person, as JSON or TOML, with errors that name the
//! file, the line and the field.

use std::path::Path;

use tazan_model::Lesson;

use super::ReviewError;

/// Parse a lesson file (`.json` or `.toml`, else guessed from the content)
/// and validate it.
pub fn read_lesson_file(path: &Path) -> Result<Lesson, ReviewError> {
    let subject = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ReviewError::File {
        subject: subject.clone(),
        reason: format!("cannot read it ({e}); a lesson must be UTF-8 JSON or TOML"),
    })?;
    let is_json = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("toml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    let lesson: Lesson = if is_json {
        serde_json::from_str(&text).map_err(|e| ReviewError::File {
            subject: format!("{subject}:{}:{}", e.line(), e.column()),
            reason: e.to_string(),
        })?
    } else {
        toml::from_str(&text).map_err(|e| ReviewError::File {
            subject: subject.clone(),
            reason: e.to_string(),
        })?
    };
    lesson.validate().map_err(|e| ReviewError::File {
        subject,
        reason: e.to_string(),
    })?;
    Ok(lesson)
}
