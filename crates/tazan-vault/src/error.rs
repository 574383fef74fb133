//! The vault's error type.

use std::path::PathBuf;

use crate::{DraftId, DraftStatus};

/// Everything that can go wrong in the vault. Messages name ids and paths,
/// never raw incident text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// Another process (a tazan command) has the vault open; sled allows one.
    #[error(
        "the vault at {path} is in use by another tazan command; wait for it to finish and retry"
    )]
    Locked {
        /// The vault directory.
        path: PathBuf,
    },
    /// The database could not be opened for another reason.
    #[error("cannot open the vault at {path}: {source}")]
    Open {
        /// The vault directory.
        path: PathBuf,
        /// What sled said.
        source: sled::Error,
    },
    /// A read, write or flush failed.
    #[error("vault storage failure: {0}")]
    Sled(#[from] sled::Error),
    /// A stored value could not be decoded.
    #[error("vault entry `{key}` is corrupt: {reason}")]
    Corrupt {
        /// Which entry.
        key: String,
        /// What was wrong.
        reason: String,
    },
    /// No incident with this id.
    #[error("no incident `{id}` in the vault (see `tazan incident list`)")]
    NoIncident {
        /// The id asked for.
        id: String,
    },
    /// No draft with this id.
    #[error("no lesson draft `{id}` in the vault (see `tazan lesson drafts`)")]
    NoDraft {
        /// The id asked for.
        id: String,
    },
    /// The draft is past the state the operation needs.
    #[error("draft {id} is {status}: {reason}")]
    State {
        /// The draft.
        id: DraftId,
        /// Its status.
        status: DraftStatus,
        /// Why the operation is refused and what to do instead.
        reason: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message, printed once so a reviewer can read them (`--nocapture`).
    #[test]
    fn messages_say_what_to_do() {
        let all = [
            VaultError::Locked {
                path: "/n/vault".into(),
            },
            VaultError::Corrupt {
                key: "incidents/a".into(),
                reason: "bad json".into(),
            },
            VaultError::NoIncident { id: "a".into() },
            VaultError::NoDraft { id: "d9".into() },
            VaultError::State {
                id: DraftId(3),
                status: DraftStatus::Queued,
                reason: "it was signed and queued; publish a correction instead",
            },
        ];
        for e in all {
            let msg = e.to_string();
            println!("{msg}");
            assert!(msg.len() > 20, "{msg}");
        }
    }
}
