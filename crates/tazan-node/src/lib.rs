//! The org node: signs approved lessons, keeps them in a durable outbox until
//! its group hub acknowledges them, and follows the hub's log into a local
//! library of peer lessons.
//!
//! ```text
//!  approved Lesson ─► sign (node key) ─► Outbox (sled, durable) ─► publish ─► group hub
//!                                         ▲ retry with backoff until acked
//!  group hub log ─► subscribe from durable cursor ─► Library (sled) ─► search, similar
//!                                                        └─► index (tantivy, HOME/index)
//! ```
//!
//! Promises: a lesson is kept until the hub acknowledges it, across restarts
//! and hub outages; RED lessons are refused before signing; the library
//! cursor and the entries read up to it are written atomically, so a restart
//! neither skips nor repeats. Raw incidents never pass through this crate's
//! network paths, and no lesson text or key is logged.
#![forbid(unsafe_code)]

mod config;
mod core;
mod error;
mod indexer;
mod spool;
mod workers;

pub use config::{NodeConfig, NodeConfigError};
pub use core::{DeliveryReport, NodeCore};
pub use error::NodeError;
pub use indexer::{lesson_doc, sync_library};
pub use spool::Spool;
pub use workers::{RunningNode, STORE_WAIT};
