//! IPADIC proper-noun recogniser (lindera), compiled at runtime from the sources.

use serde::Serialize;

use crate::normalize::Normalized;
use crate::recognize::{Hit, Recognizers};

/// Whether the dictionary recogniser runs. When it is off the sanitizer still
/// runs every other recogniser; callers must surface the reason to the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DictionaryStatus {
    /// Loaded from this compiled dictionary directory.
    Loaded {
        /// The compiled dictionary directory.
        path: String,
    },
    /// Not running.
    Off {
        /// Why, and how to turn it on.
        reason: String,
    },
}

impl std::fmt::Display for DictionaryStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DictionaryStatus::Loaded { path } => write!(f, "IPADIC dictionary recogniser on ({path})"),
            DictionaryStatus::Off { reason } => write!(f, "IPADIC dictionary recogniser OFF: {reason}"),
        }
    }
}

/// The loaded segmenter.
pub(crate) struct DictRecognizer {}

impl DictRecognizer {
    pub(crate) fn scan(&self, _n: &Normalized, _r: &Recognizers, _out: &mut Vec<Hit>) {}
}

/// Loads (compiling on first use) the IPADIC dictionary.
pub(crate) fn load() -> (Option<DictRecognizer>, DictionaryStatus) {
    (None, DictionaryStatus::Off { reason: "not implemented yet".into() })
}
