//! Durable state on sled: the hub's append-only log (with its relay outbox
//! and cursors) and the org node's outbox and library of peer lessons.
//!
//! ```text
//!  hub:  publish ─► HubLog::append_durable ─► seq n durable ─► watch(head) ─► subscribers
//!                         └─► relay outbox (GREEN/CLEAR from own members) ─► relay worker
//!  node: sign ─► Outbox::enqueue ─► drained until acked;  subscribe ─► Library::put
//!
//!  every write ─► Store's writer thread (bounded queue, in order) ─► flusher thread (group commit)
//! ```
//!
//! Promises:
//!
//! - **One write path per store.** Every write of a [`Store`] runs on its
//!   writer thread, fed by a bounded queue and answered by a oneshot: no
//!   caller holds a lock while sled works, so a slow disk or a backup never
//!   blocks an async runtime thread (health checks, subscriptions).
//! - **Durability before acknowledgement.** [`HubLog::append_durable`] returns
//!   only after sled has flushed the entries to disk. Concurrent callers share
//!   flushes (group commit), so throughput does not pay one fsync per lesson.
//! - **Append-only, gapless log.** Sequence numbers start at 1 and increase by
//!   one; an entry, its id index and its relay-outbox mark are written in one
//!   atomic batch; a lesson id is stored once.
//! - **Readers see only durable entries.** [`HubLog::range`] never returns an
//!   entry past the durable head, so a subscriber can never see a lesson that a
//!   crash could take back.
//!
//! - **Backups are consistent, checked, and pause no one.** A [`Backup`]
//!   holds every tree as it was at one point between two writes while
//!   writers go on ([`Store::begin_backup`], [`Store::export`]); [`restore`]
//!   verifies the file's blake3 checksum before it writes anything, and
//!   swaps the restored directory in by rename.
//!
//! - **Faults heal.** The first failed write or flush is the store's fault
//!   ([`Store::faults`]); [`Store::reopen`] opens the database again and
//!   proves writes succeed, since sled refuses every write after one failed
//!   until it is reopened. Nothing unflushed at that moment is reported
//!   durable ([`StoreError::Reopened`]); the hub log re-reads its head.
//!
//! Raw incidents are not stored here yet; nothing here logs lesson content.
#![forbid(unsafe_code)]

mod backup;
mod db;
mod error;
mod hub;
mod lock;
mod node;
mod quiet;
mod record;
mod records;
mod writer;

pub use backup::{
    restore, verify_backup, Backup, BackupHeader, BackupSummary, Progress, Restored, SteppedFile,
};
pub use db::{Store, Ticket};
pub use error::StoreError;
pub use hub::{envelope_leaf, Appended, HubLog, NewRecord};
pub use lock::lock_holder;
pub use node::{
    Delivered, DeliveryOutcome, Library, LibraryEntry, Origin, Outbox, OutboxItem, Receipt,
    Receipts,
};
pub use record::{LogRecord, StoredEnvelope};
pub use records::{RecordBatch, Records};

/// Seconds since the Unix epoch (0 if the clock is before 1970).
pub(crate) fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
