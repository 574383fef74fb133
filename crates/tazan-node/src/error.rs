use std::path::PathBuf;

use thiserror::Error;

/// Why a node operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NodeError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] crate::NodeConfigError),
    /// The lesson is not valid.
    #[error("lesson refused: {0}")]
    Invalid(#[from] tazan_model::ModelError),
    /// The lesson is RED: it never leaves the node.
    #[error(
        "field `level`: RED lessons never leave the org node; use AMBER, GREEN or CLEAR to publish"
    )]
    Red,
    /// A withdrawal names another level than the lesson it withdraws.
    #[error("field `level`: lesson {target} was published at {published}, so its withdrawal must be at {published} too, not {given}; give --level {published}")]
    WithdrawalLevel {
        /// The lesson withdrawn (short id).
        target: String,
        /// The lesson's level.
        published: tazan_model::DisclosureLevel,
        /// The level the withdrawal gave.
        given: tazan_model::DisclosureLevel,
    },
    /// A key could not be loaded.
    #[error("node key {path}: {source}")]
    Key {
        /// The file.
        path: PathBuf,
        /// Why.
        source: tazan_trust::TrustError,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] tazan_store::StoreError),
    /// The hub could not be reached or refused the call.
    #[error("hub: {0}")]
    Hub(String),
    /// TLS setup for the hub connection failed.
    #[error(transparent)]
    Connect(#[from] tazan_proto::ConnectError),
    /// An envelope handed to the node was refused before queueing.
    #[error("envelope refused: {0}")]
    Refused(String),
    /// The admin socket could not be set up or reached.
    #[error(transparent)]
    Admin(#[from] tazan_admin::AdminError),
    /// The running node answered its admin socket with an error.
    #[error("the running node: {0}")]
    Running(String),
    /// A task failed.
    #[error("node task: {0}")]
    Task(String),
}
