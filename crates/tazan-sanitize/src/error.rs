//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while loading policies, reading incidents,
/// sanitising a batch or evaluating it. Messages name the file, line and field
/// involved and what to do; they never contain raw incident text or deny-list terms.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SanitizeError {
    /// A file could not be read or written.
    #[error("{path}: {action} failed: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// "read", "write", "create" …
        action: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A policy file is not valid TOML or breaks a policy rule.
    #[error("{file}:{line}: invalid policy: {reason}")]
    Policy {
        /// Policy file name (`<default>` for the built-in policy).
        file: String,
        /// 1-based line of the offending key (0 when unknown).
        line: usize,
        /// What is wrong and how to fix it.
        reason: String,
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
    /// An incident file or record could not be read.
    #[error(transparent)]
    Incident(#[from] tazan_model::IncidentError),
    /// The input file has no usable records at all.
    #[error("{file}: {reason}")]
    Input {
        /// Input file name.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// RED was asked for: a RED lesson never leaves the node, so nothing is
    /// sanitised for it.
    #[error("level RED never leaves the node and has no publishing rules; draft for AMBER, GREEN or CLEAR")]
    RedLevel,
    /// A GREEN or CLEAR lesson was asked for while the IPADIC dictionary
    /// recogniser is off and the policy requires it (`require_dictionary`).
    #[error("level {level} needs the IPADIC dictionary recogniser, which is off: {reason}. Install the dictionary with `bash scripts/setup-ipadic.sh` (Debian package mecab-ipadic) or point TAZAN_IPADIC_DIR at the IPADIC sources; a node that accepts names only the dictionary knows passing the leak gate may opt out with `require_dictionary = false` in its policy.toml")]
    DictionaryRequired {
        /// The level asked for.
        level: String,
        /// Why the dictionary is off.
        reason: String,
    },
    /// The requested disclosure level is not configured in the policy.
    #[error("policy has no rules for level {level}; add a [levels.{level}] table")]
    MissingLevel {
        /// The level asked for.
        level: String,
    },
}

impl SanitizeError {
    pub(crate) fn io(path: &std::path::Path, action: &'static str, source: std::io::Error) -> Self {
        SanitizeError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message, printed once so a reviewer can read them (`--nocapture`).
    #[test]
    fn messages_name_file_line_field_and_reason() {
        let all = [
            SanitizeError::io(
                std::path::Path::new("in.jsonl"),
                "read incidents",
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ),
            SanitizeError::Policy {
                file: "p.toml".into(),
                line: 7,
                reason: "unknown field `colour`".into(),
            },
            SanitizeError::Record {
                file: "in.jsonl".into(),
                line: 3,
                field: "impact".into(),
                reason: "expected a string or null, found a number".into(),
            },
            SanitizeError::Input {
                file: "in.csv".into(),
                reason: "no header row".into(),
            },
            SanitizeError::MissingLevel {
                level: "GREEN".into(),
            },
            SanitizeError::RedLevel,
            SanitizeError::DictionaryRequired {
                level: "GREEN".into(),
                reason: "IPADIC sources not found in /x".into(),
            },
        ];
        let expected = [
            "in.jsonl: read incidents failed",
            "p.toml:7: invalid policy",
            "in.jsonl:3: field `impact`",
            "in.csv: no header",
            "[levels.GREEN]",
            "never leaves the node",
            "scripts/setup-ipadic.sh",
        ];
        for (e, want) in all.iter().zip(expected) {
            let msg = e.to_string();
            println!("{msg}");
            assert!(msg.contains(want), "{msg}");
        }
    }
}
