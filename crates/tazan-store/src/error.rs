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
    /// The data directory cannot be written: read-only, not permitted, or full.
    #[error("the data directory {path} cannot be written: {reason}", path = path.display())]
    Unwritable {
        /// The data directory.
        path: PathBuf,
        /// Why, and what to do.
        reason: String,
    },
    /// The database file cannot be read back: damaged on disk.
    #[error("the store file {path} is corrupt: {reason}; restore the data directory from a backup (`tazan restore --config FILE --from BACKUP`), or move it aside to start with an empty store", path = path.display())]
    CorruptStore {
        /// The file.
        path: PathBuf,
        /// What sled reported.
        reason: String,
    },
    /// The store is being reopened after a storage fault (or its reopening
    /// failed): nothing can be read or written until it succeeds.
    #[error("storage unavailable: the store is being reopened after a storage fault; retry later")]
    Unavailable,
    /// The store was reopened after a storage fault before this write was
    /// on disk: it may be lost, so it was not made durable.
    #[error("storage fault: the store was reopened before this write reached the disk; it may be lost, retry it")]
    Reopened,
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
    /// The same failure again, for each of the writers that shared one
    /// flush (what cannot be copied keeps its message).
    pub(crate) fn again(&self) -> StoreError {
        match self {
            StoreError::Sled(e) => StoreError::Sled(e.clone()),
            StoreError::Unavailable => StoreError::Unavailable,
            StoreError::Reopened => StoreError::Reopened,
            other => StoreError::Join(other.to_string()),
        }
    }

    /// The error for sled refusing to open the database in `dir`.
    pub(crate) fn opening(dir: &std::path::Path, source: sled::Error) -> StoreError {
        use std::io::ErrorKind;
        let unwritable = |reason: String| StoreError::Unwritable {
            path: dir.to_owned(),
            reason,
        };
        match &source {
            sled::Error::Io(e) if e.kind() == ErrorKind::ReadOnlyFilesystem => unwritable(format!(
                "it is on a read-only file system ({e}); remount it read-write or set data_dir to a writable directory"
            )),
            sled::Error::Io(e) if e.kind() == ErrorKind::PermissionDenied => unwritable(format!(
                "permission denied ({e}); give the service's user write access to it (and to every file in it)"
            )),
            sled::Error::Io(e) if e.kind() == ErrorKind::StorageFull => unwritable(format!(
                "no space left on its device ({e}); free some space and start again"
            )),
            sled::Error::Corruption { .. } => StoreError::CorruptStore {
                path: dir.join("db"),
                reason: source.to_string(),
            },
            _ => StoreError::Open {
                path: dir.to_owned(),
                source,
            },
        }
    }

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
