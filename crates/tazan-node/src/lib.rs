//! The org node: its leak gate, its review and publishing desk, and the
//! service that signs gated lessons, keeps them in a durable outbox until its
//! group hub acknowledges them, and follows the hub's log into a local
//! library of peer lessons.
//!
//! ```text
//!  vault incident ─► Desk: draft ─► show/edit/restore ─► approve ─┐   (also: publish FILE,
//!                                                                 │    correct, withdraw,
//!  Gate (policy deny-lists + the node's own names, decisions) ◄───┘    catalog publish)
//!    └─► GatedLesson / GatedWithdrawal ─► sign (node key) ─► Outbox (sled, durable) ─► group hub
//!                          └► sign_gated ─► admin socket ─► running node ─┘ retry until acked
//!  group hub log ─► subscribe from durable cursor ─► Library (sled) ─► search, similar
//!                                                        └─► index (tantivy, HOME/index)
//! ```
//!
//! Promises: the node signs only what passed its leak gate — [`NodeCore::publish`]
//! and [`NodeCore::withdraw`] take a [`GatedLesson`] / [`GatedWithdrawal`],
//! which only [`Gate`] makes (see the `gate` module doc for the node's own
//! names); a lesson is kept until the hub acknowledges it, across restarts
//! and hub outages; RED lessons are refused before signing; the library
//! cursor and the entries read up to it are written atomically, so a restart
//! neither skips nor repeats. Raw incidents never pass through this crate's
//! network paths, and no lesson text, own name or key is logged.
//!
//! Readers answer through the same desk: [`Desk::send_feedback`],
//! [`Desk::ask`] and [`Desk::answer`] gate the text ([`Gate::response`]),
//! sign it and queue it like a lesson; [`Desk::responses`] and
//! [`Desk::questions`] read what came back into the library.
//!
//! What it does not do: recognise or replace anything itself (tazan-sanitize
//! does), or decide what a hub accepts (the hub screens GREEN and CLEAR again).
#![forbid(unsafe_code)]

mod admin;
mod config;
mod core;
mod error;
mod gate;
mod indexer;
mod policy;
mod receipts;
mod received;
mod review;
mod workers;

pub use config::{GroupConfig, NodeConfig, NodeConfigError, UnknownGroup};
pub use core::{DeliveryEvent, DeliveryReport, NodeCore};
pub use error::NodeError;
pub use gate::{
    finding_line, node_policy, sign_gated, Gate, GateError, Gated, GatedLesson, GatedResponse,
    GatedWithdrawal, OwnNames,
};
pub use indexer::{lesson_doc, sync_library};
pub use policy::{
    drafting_policy, fetch as fetch_group_policy, held as held_group_policy,
    install as install_group_policy, DraftingPolicy, Fetched, GroupPolicyError,
};
pub use receipts::ReceiptReport;
pub use received::{
    find_received, library_rows, origins_text, received_via, LibraryRow, LogItem, ReceivedLesson,
    ShowError,
};
pub use review::{
    field_value, gather_responses, is_proper_noun_candidate, read_lesson_file, set_field, Approval,
    CatalogEntry, Coarsened, Delivery, Desk, DraftMade, DraftView, Edited, FieldSource, HubCheck,
    LessonResponses, Mark, MarkedField, Override, Publication, QuestionView, Remedy, Restored,
    ReviewError, ReviewedFinding, EDITABLE_FIELDS, K_ANONYMITY,
};
pub use tazan_search::{Anonymity, Coarsening, Narrowing, QuasiField, QuasiIdentifiers, K_MIN};
pub use workers::{RunningNode, LIBRARY_CURSOR, STORE_WAIT};
