use std::path::PathBuf;

use thiserror::Error;

/// A failure of the admin socket, on either side.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AdminError {
    /// The socket path does not fit in a Unix socket address.
    #[error("the admin socket path {} is {len} bytes; Unix sockets take at most {max}: use a shorter data_dir", path.display())]
    PathTooLong {
        /// The socket path.
        path: PathBuf,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A socket file that is not safe to talk to (or to replace).
    #[error("refusing the admin socket {}: {reason}; remove it and restart the service (it makes a new one, 0600, owned by its user)", path.display())]
    Untrusted {
        /// The socket file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A file operation on the socket failed.
    #[error("cannot {action} the admin socket {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The socket file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The service holds its store but its socket does not answer.
    #[error("the service holds its store (it is running) but its admin socket {} does not answer ({reason}); check its log, or restart it", path.display())]
    NoAnswer {
        /// The socket file.
        path: PathBuf,
        /// What connecting said.
        reason: String,
    },
}
