//! The hub service: one code path for the industry group tier and the
//! cross-industry tier, chosen by configuration.
//!
//! ```text
//!            mTLS: client cert ─► roster entry (before any payload is read)
//!  publish ─► verify signer ∈ member keys, signature (batched), level, content
//!          ─► HubLog::append_durable (sled flush) ─► ack ─► watch ─► subscribers
//!          └► group tier, GREEN/CLEAR from members: relay outbox ─► re-signed
//!             with the hub key ─► cross hub (retry with backoff until acked)
//!  cross hub log ─► group hub (subscribe from a durable cursor) ─► own log ─► members
//! ```
//!
//! Promises: a lesson is acknowledged only once durable; a lesson id is
//! stored once; a subscriber resuming from a cursor sees no gap and no
//! repeat; RED never enters a hub and AMBER never leaves its group; beyond
//! the group a lesson names the group hub, never the company. The hub never
//! edits content, and it never logs lesson text or keys.
//!
//! Readers answer: a member's feedback, question or answer about a lesson
//! (`tazan_model::Response`) is checked against the log (lesson known, same
//! level, not withdrawn; answers only from the lesson's publisher), then
//! stored and relayed only as the hub's re-signed copy under a per-lesson
//! reader pseudonym, so no member id leaves the node in it;
//! [`HubCore::responses`] gives the counts (from three organisations up) and
//! the questions with their answers.
//!
//! A group hub also serves a lesson catalogue as its own lessons (signed
//! with its key, the hub as origin), imported offline or, while it runs,
//! through its admin socket (`catalog`, `admin`).
//!
//! The command line reaches a running hub through its local admin socket
//! (`DATA/admin.sock`, see `tazan-admin`): status, catalogue import, an
//! online backup that pauses no writer, and a roster reload after
//! `tazan roster add/revoke/…` (a hub started with a changed roster file
//! loads it at start). Every store write goes through the store's writer
//! (`tazan-store`), so no request thread waits on a lock while sled works.
//!
//! Not here: roster editing and key rotation (CLI), metrics export.
#![forbid(unsafe_code)]

pub mod access;
mod admin;
mod answers;
mod audit;
mod catalog;
mod config;
mod core;
pub mod editor;
mod editorial;
mod error;
mod indexer;
mod policy;
mod related;
mod relay;
mod requests;
mod server;
mod service;
mod transparency;

pub use audit::{verify_log, LogAudit};
pub use catalog::{import_offline, import_signed, log_lessons, ImportReport};
pub use config::{ConfigError, HubConfig, Tier, TlsFiles, Upstream};
pub use core::{HubCore, HubStats, ROSTER_SERIAL};
pub use error::HubError;
pub use indexer::after_restore;
pub use policy::{policy_status, publish_policy, withdrawal_document, PolicyPublished};
pub use requests::RequestStats;
pub use server::RunningHub;
pub use tazan_config::PortalConfig;
pub use transparency::WITNESS_SIZE;
