//! Errors of the search crate.

use std::path::PathBuf;

/// Everything that can go wrong while indexing, searching or reading evaluation data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// The tantivy index failed; `action` says what was being done.
    #[error("search index: {action} failed: {source}")]
    Index {
        /// What the crate was doing (open, commit, search …).
        action: &'static str,
        /// The underlying tantivy error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// A file or directory could not be read or created.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A document had an empty `id`; every indexed lesson needs its id for upsert and delete.
    #[error("document field `id` is empty; set it to the lesson id before indexing")]
    EmptyId,
    /// A period (filter bound or document field) is not in a known form.
    #[error("period `{value}`: {reason} (use 2017, 2017-H2, 2017-Q3 or 2017-07)")]
    BadPeriod {
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A JSONL line (catalogue or scenarios) could not be parsed.
    #[error("{}:{line}: {reason}", path.display())]
    BadLine {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong (serde message).
        reason: String,
    },
    /// An index directory exists but was built with another schema version.
    #[error("index at {} has an incompatible schema (missing field `{field}`); delete the directory and re-index", path.display())]
    SchemaMismatch {
        /// The index directory.
        path: PathBuf,
        /// The first field that was not found.
        field: &'static str,
    },
    /// Another process (a running node or hub) holds the index's writer lock.
    #[error("index at {} is being written by another process (a running node or hub); open it read-only, or stop that process", path.display())]
    Locked {
        /// The index directory.
        path: PathBuf,
    },
    /// A filter value outside the model's vocabulary (an unknown usage scene); the message
    /// names the field and lists the vocabulary.
    #[error(transparent)]
    Vocabulary(#[from] tazan_model::ModelError),
    /// A coarsening of a draft's quasi-identifier that cannot be made.
    #[error("coarsen `{field}`: {reason}")]
    Coarsen {
        /// The field as given.
        field: String,
        /// Why, and the steps there are.
        reason: String,
    },
    /// A write on an index opened read-only.
    #[error("index at {} is open read-only (another process writes it); writes go through that process", path.display())]
    ReadOnly {
        /// The index directory.
        path: PathBuf,
    },
    /// The store of kept related lessons could not be opened, read or written.
    #[error("related-lessons store at {}: {reason} (it holds only derived data: delete the directory and the lists are computed again)", path.display())]
    Related {
        /// The store's directory.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
}

impl SearchError {
    pub(crate) fn index(action: &'static str) -> impl FnOnce(tantivy::TantivyError) -> Self {
        move |source| SearchError::Index { action, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Print every message once so they can be read (run with --nocapture).
    #[test]
    fn messages_name_field_and_fix() {
        let errors = [
            SearchError::Index {
                action: "commit",
                source: tantivy::TantivyError::InvalidArgument("x".into()),
            },
            SearchError::Io {
                path: "/tmp/x".into(),
                source: std::io::Error::other("denied"),
            },
            SearchError::EmptyId,
            SearchError::BadPeriod {
                value: "2017-13".into(),
                reason: "month must be 01..12".into(),
            },
            SearchError::BadLine {
                path: "lessons.jsonl".into(),
                line: 3,
                reason: "missing field `id`".into(),
            },
            SearchError::SchemaMismatch {
                path: "/idx".into(),
                field: "body",
            },
            SearchError::Locked {
                path: "/idx".into(),
            },
            SearchError::ReadOnly {
                path: "/idx".into(),
            },
            SearchError::Related {
                path: "/hub/related".into(),
                reason: "could not acquire lock".into(),
            },
        ];
        let texts: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        for t in &texts {
            println!("{t}");
        }
        assert!(texts[0].contains("commit"));
        assert!(texts[1].contains("/tmp/x"));
        assert!(texts[2].contains("`id`"));
        assert!(texts[3].contains("2017-13"));
        assert!(texts[4].contains("lessons.jsonl:3"));
        assert!(texts[5].contains("re-index"));
    }
}
