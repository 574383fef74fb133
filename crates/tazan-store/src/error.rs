use std::path::PathBuf;

use thiserror::Error;

/// A storage failure.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened.
    #[error("cannot open the store at {path}: {source} (is another tazan process using this directory?)")]
    Open {
        /// The directory.
        path: PathBuf,
        /// What sled said.
        source: sled::Error,
    },
    /// A read, write or flush failed.
    #[error("storage failure: {0}")]
    Sled(#[from] sled::Error),
    /// A stored value could not be decoded.
    #[error("stored value under `{key}` is corrupt: {reason}")]
    Corrupt {
        /// Which key or tree.
        key: String,
        /// What was wrong.
        reason: String,
    },
    /// A file outside the database could not be read or written.
    #[error("cannot {action} {path}: {source}", path = path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A backup file was refused, or a restore cannot proceed; nothing was changed.
    #[error("backup {path}: {reason}", path = path.display())]
    Backup {
        /// The backup file (or the data directory at fault).
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// Another process still held the store after a bounded wait.
    #[error("the store at {path} is still held by {holder} after {waited:?}; wait for that command to finish (or stop it) and start again", path = path.display())]
    Held {
        /// The directory.
        path: PathBuf,
        /// Who holds it (`pid N (command)`), or "another process".
        holder: String,
        /// How long we waited.
        waited: std::time::Duration,
    },
    /// The background flush task failed.
    #[error("flush task failed: {0}")]
    Join(String),
}

impl From<sled::transaction::TransactionError<StoreError>> for StoreError {
    fn from(e: sled::transaction::TransactionError<StoreError>) -> Self {
        match e {
            sled::transaction::TransactionError::Abort(e) => e,
            sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
        }
    }
}

impl StoreError {
    /// The store could not be opened because another handle holds its lock
    /// (a running service, or a handle in this process not yet released).
    pub fn is_locked(&self) -> bool {
        match self {
            StoreError::Open { source, .. } => source.to_string().contains("lock"),
            StoreError::Held { .. } => true,
            _ => false,
        }
    }
}
