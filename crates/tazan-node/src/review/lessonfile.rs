//! A lesson written by a person, as JSON or TOML, with errors that name the
//! file, the line and the field.

use std::path::Path;

use tazan_model::Lesson;

use super::ReviewError;

/// Parse a lesson file (`.json` or `.toml`, else guessed from the content)
/// and validate it. The text may be UTF-8 with or without a byte-order mark,
/// UTF-16 with one, Shift_JIS or EUC-JP; a line that is none of these is an
/// error naming it. A lesson without `taxonomy.cause` gets the category its
/// `direct_cause` names (as drafting derives it), so the signed lesson says it
/// for every reader.
pub fn read_lesson_file(path: &Path) -> Result<Lesson, ReviewError> {
    let subject = path.display().to_string();
    let decoded = tazan_model::read_text_file(path).map_err(|e| ReviewError::File {
        subject: subject.clone(),
        reason: format!("cannot read it ({e})"),
    })?;
    if let Some(line) = decoded.bad_lines.first() {
        return Err(ReviewError::File {
            subject: format!("{subject}:{line}"),
            reason: decoded.bad_line_reason(),
        });
    }
    let text = decoded.text;
    let is_json = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("toml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    let mut lesson: Lesson = if is_json {
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
    // People may write a scene by its bare name or a purpose in the guidebook's words.
    lesson
        .taxonomy
        .canonicalize_scenes()
        .map_err(|e| ReviewError::File {
            subject: subject.clone(),
            reason: e.to_string(),
        })?;
    lesson.validate().map_err(|e| ReviewError::File {
        subject,
        reason: e.to_string(),
    })?;
    lesson.taxonomy.cause = lesson.cause_category();
    Ok(lesson)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A UTF-8 byte-order mark used to give `expected value at line 1 column 1`.
    #[test]
    fn a_byte_order_mark_is_accepted_in_json_and_toml() {
        let dir = tempfile::tempdir().unwrap();
        let lesson = Lesson::example(
            "手順書は改訂のたびに周知すべし",
            tazan_model::DisclosureLevel::Green,
        );
        let json = serde_json::to_string(&lesson).unwrap();
        let toml = toml::to_string(&lesson).unwrap();
        for (name, text) in [("l.json", json), ("l.toml", toml)] {
            let path = dir.path().join(name);
            std::fs::write(&path, format!("\u{feff}{text}")).unwrap();
            let read = read_lesson_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(read.title, lesson.title);
        }
    }
}
