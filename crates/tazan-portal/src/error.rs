//! The portal's error type (starting, stopping, `tazan user`); request
//! errors are pages (`web::PageError`).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why a portal could not start, or a `tazan user` command could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PortalError {
    /// The listen address could not be bound.
    #[error("portal: cannot listen on {addr}: {source} (is another service using the port? change `[portal] listen`)")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS certificate or key could not be used.
    #[error("portal TLS: {path}: {reason}", path = path.display())]
    Tls {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The service's store failed.
    #[error(transparent)]
    Store(#[from] tazan_store::StoreError),
    /// An account operation failed.
    #[error(transparent)]
    Account(#[from] crate::accounts::AccountError),
    /// The hub failed.
    #[error(transparent)]
    Hub(#[from] tazan_hub::HubError),
    /// The node failed.
    #[error(transparent)]
    Node(#[from] tazan_node::NodeError),
    /// A config file could not be used.
    #[error(transparent)]
    Config(#[from] tazan_config::ConfigError),
    /// The service runs but does not answer `tazan user` (no portal).
    #[error("{service} is running and holds its store, but answers no `tazan user` commands on {socket} (its config has no [portal] table, or it is an older build); stop it, or add [portal] and restart it", socket = socket.display())]
    NoAdminSocket {
        /// The service id.
        service: String,
        /// Where the socket would be.
        socket: PathBuf,
    },
    /// The admin socket failed mid-way.
    #[error("talking to the running service on {path}: {source}", path = path.display())]
    Socket {
        /// The socket.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}", path = path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A newsletter could not be composed or sent: names the config and key.
    #[error("newsletter ({path}): `{key}`: {reason}", path = path.display())]
    Newsletter {
        /// The hub's config.
        path: PathBuf,
        /// The key or flag at fault.
        key: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The editor's notes could not be used.
    #[error(transparent)]
    Notes(#[from] crate::newsletter::NotesError),
    /// The hub's index could not be read.
    #[error(transparent)]
    Search(#[from] tazan_search::SearchError),
    /// A background task failed.
    #[error("portal task failed: {0}")]
    Task(String),
}
