use thiserror::Error;

/// Why a lesson, id or canonical byte string was refused.
///
/// Every variant names the field (or byte offset) and the reason, so the
/// message can be shown to the person who wrote the lesson or returned to a
/// remote peer as-is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A required field was empty.
    #[error("field `{field}` is required but empty")]
    Missing {
        /// The field's name.
        field: &'static str,
    },
    /// A field was longer than allowed.
    #[error("field `{field}` is {len} characters, over the {max}-character limit; shorten it or split the lesson")]
    TooLong {
        /// The field's name.
        field: &'static str,
        /// The length found.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A list field had too many items.
    #[error("field `{field}` has {len} items, over the limit of {max}")]
    TooMany {
        /// The field's name.
        field: &'static str,
        /// The count found.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A field had a value outside its allowed set or form.
    #[error("field `{field}` has invalid value {value:?}: {reason}")]
    Invalid {
        /// The field's name.
        field: &'static str,
        /// The offending value, truncated for display.
        value: String,
        /// What was expected.
        reason: &'static str,
    },
    /// A usage scene or purpose outside the vocabulary.
    #[error("field `{field}` has unknown usage scene {value:?}; use a purpose, or purpose/scene, from the vocabulary: {}", crate::scene::vocabulary())]
    UnknownScene {
        /// The field (`taxonomy.scenes`, `scene`, `purpose` …).
        field: &'static str,
        /// The value as given, truncated for display.
        value: String,
    },
    /// Canonical bytes could not be decoded.
    #[error("canonical bytes invalid at offset {offset}: {reason}")]
    Decode {
        /// Byte offset where decoding failed.
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
}

impl ModelError {
    pub(crate) fn invalid(field: &'static str, value: &str, reason: &'static str) -> Self {
        let value: String = value.chars().take(64).collect();
        ModelError::Invalid {
            field,
            value,
            reason,
        }
    }
}

/// Why an incident file or record could not be read. Messages name the file,
/// line and field, never the record's text (raw incidents are confidential).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IncidentError {
    /// A file could not be read.
    #[error("{path}: {action} failed: {source}")]
    Io {
        /// The file involved.
        path: std::path::PathBuf,
        /// "read incidents" …
        action: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// One incident record could not be parsed.
    #[error("{file}:{line}: field `{field}`: {reason}")]
    Record {
        /// Input file name.
        file: String,
        /// 1-based line (JSON Lines, CSV) or 0 for a whole JSON document.
        line: usize,
        /// The offending field, or `-` when the record as a whole is bad.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

impl IncidentError {
    /// The line a record error points at (0 for a whole document or an I/O error).
    pub fn line(&self) -> usize {
        match self {
            IncidentError::Record { line, .. } => *line,
            IncidentError::Io { .. } => 0,
        }
    }

    pub(crate) fn io(path: &std::path::Path, action: &'static str, source: std::io::Error) -> Self {
        IncidentError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}
