use std::path::PathBuf;

use thiserror::Error;

/// Why a hub could not start or stopped with an error.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum HubError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] crate::ConfigError),
    /// A key, roster or certificate could not be loaded.
    #[error("{what} {path}: {source}")]
    Trust {
        /// What was being loaded.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: tazan_trust::TrustError,
    },
    /// A TLS file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS private key was refused (a directory, or readable by others).
    #[error(transparent)]
    TlsKey(#[from] tazan_proto::ConnectError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] tazan_store::StoreError),
    /// The listener could not be bound.
    #[error("cannot listen on {addr}: {source} (is another hub using this port?)")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS files could not be used, or the edge could not start.
    #[error(transparent)]
    Edge(#[from] tazan_edge::EdgeError),
    /// The gRPC server failed.
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// A roster update was refused (wrong admin key, rollback).
    #[error("{0}")]
    Roster(String),
    /// A group policy document was refused (forged, stale, another group's,
    /// or not a valid policy); the one in force stays.
    #[error("{0}")]
    Policy(String),
    /// A catalogue import was refused.
    #[error("catalogue import: {0}")]
    Catalog(String),
    /// A roster file has a lower serial than one this hub accepted before
    /// (the highest accepted serial is kept in the hub's store).
    #[error("roster {path} has serial {found}, lower than serial {held} that this hub accepted before; refusing to roll back (an older roster could re-admit revoked members or keys): install the newest roster.json from the group admin", path = path.display())]
    RosterRollback {
        /// The roster file.
        path: PathBuf,
        /// Its serial.
        found: u64,
        /// The highest serial accepted before.
        held: u64,
    },
    /// The admin socket could not be set up.
    #[error(transparent)]
    Admin(#[from] tazan_admin::AdminError),
    /// A task panicked or did not stop in time.
    #[error("hub task: {0}")]
    Task(String),
}
