//! A hub portal's shelf kept in the hub's store, so that a restart reads the
//! kept summaries and only the log entries after them, not the whole log.
//!
//! ```text
//!  hub log (durable head) ──► follower: decode each entry once (Kept) ──► one atomic write:
//!                                 │                                      entries + `through`
//!                                 └──► in-memory Shelf                   (tree `portal-shelf-1`)
//!  start: kept entries ──► Shelf, then log entries after `through` (none after a clean stop)
//! ```
//!
//! The follower is the only writer of the tree. Its writes go through the
//! store's writer with the log's own (so a backup holds the tree and the log
//! as of one moment) and are not flushed on their own: a crash may take back
//! the last ones, and the next start reads those log entries again. The
//! kept position names the log entry's id too: a store whose log no longer
//! has that entry there (a log replaced or restored apart from the tree) has
//! its shelf built again from the log, as a store that never ran a portal
//! has once.

use std::sync::RwLock;

use serde::{Deserialize, Serialize};
use tazan_hub::HubCore;
use tazan_store::{LogRecord, RecordBatch, Records};
use tracing::{debug, warn};

use super::{Arrival, Kept, Shelf};
use crate::PortalError;

/// The tree. Its name carries the stored form of [`Kept`]: a new form gets a
/// new name, and a store holding only the older tree is built again from
/// its log once.
const TREE: &str = "portal-shelf-1";
/// The log position the kept entries reach ([`Through`]).
const THROUGH: &str = "through";
/// Prefix of the kept entries, by sequence number.
const ENTRY: &str = "e/";
/// Log entries read, and kept in one write, per step.
const STEP: usize = 1000;

/// The last log entry taken: its position and id.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Through {
    seq: u64,
    id: [u8; 32],
}

/// How a hub portal's shelf was loaded when it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShelfStart {
    /// Entries read from the shelf kept in the store.
    pub kept: u64,
    /// Log entries read (all of them on a store that never ran a portal).
    pub from_log: u64,
    /// The kept shelf did not match the log and was built again.
    pub rebuilt: bool,
}

/// The kept shelf of one hub, and the log position it reaches.
pub(crate) struct KeptShelf {
    records: Records,
    through: u64,
}

impl KeptShelf {
    /// Load the shelf of `core`'s log: the kept entries, then every log
    /// entry after them (kept as they are taken). Blocking: run it off the
    /// async threads.
    pub(crate) fn load(core: &HubCore) -> Result<(KeptShelf, Shelf, ShelfStart), PortalError> {
        let records = core.log().store().records(TREE)?;
        let mut start = ShelfStart::default();
        let mut shelf = Shelf::new();
        let mut through = 0;
        if let Some(t) = records.get::<Through>(THROUGH)? {
            let in_log = t.seq <= core.log_head()
                && core
                    .log()
                    .entry(t.seq)?
                    .is_some_and(|r: LogRecord| r.id.0 == t.id);
            if in_log {
                for (_, k) in records.scan::<Kept>(ENTRY)? {
                    start.kept += 1;
                    shelf.take(k);
                }
                shelf.taken_through(t.seq);
                through = t.seq;
            } else {
                warn!(
                    kept_through = t.seq,
                    log_head = core.log_head(),
                    "the portal's kept shelf does not match the hub log (a log replaced or restored apart from it); building it again from the log"
                );
                let mut batch = RecordBatch::default();
                for key in records.keys("")? {
                    batch.remove(&key);
                }
                records.apply_blocking(batch)?;
                start.rebuilt = true;
            }
        }
        let mut kept = KeptShelf { records, through };
        let shelf = RwLock::new(shelf);
        start.from_log = kept.catch_up(core, &shelf)?;
        Ok((
            kept,
            shelf.into_inner().unwrap_or_else(|p| p.into_inner()),
            start,
        ))
    }

    /// Take the log entries after the kept position into `shelf` and keep
    /// them, a step at a time; returns how many log entries were read.
    ///
    /// A step that could not be kept (a storage fault) is still taken into
    /// `shelf`; the position stays, so the next call keeps it again.
    pub(crate) fn catch_up(
        &mut self,
        core: &HubCore,
        shelf: &RwLock<Shelf>,
    ) -> Result<u64, PortalError> {
        let mut read = 0;
        loop {
            let page = core.log_page(self.through, STEP)?;
            let Some(last) = page.last() else {
                return Ok(read);
            };
            let through = Through {
                seq: last.seq,
                id: last.id.0,
            };
            read += page.len() as u64;
            let taken: Vec<Kept> = page.iter().map(|r| Kept::of(arrival(r))).collect();
            let mut batch = RecordBatch::default();
            for k in taken.iter().filter(|k| k.is_shelved()) {
                batch.put(&entry_key(k.seq), k)?;
            }
            batch.put(THROUGH, &through)?;
            let written = self.records.apply_blocking(batch);
            {
                let mut s = shelf.write().unwrap_or_else(|p| p.into_inner());
                for k in taken {
                    s.take(k);
                }
                debug!(through = s.through(), "portal shelf caught up");
            }
            written?;
            self.through = through.seq;
        }
    }
}

fn entry_key(seq: u64) -> String {
    // Fixed width, so key order is log order.
    format!("{ENTRY}{seq:016x}")
}

fn arrival(r: &LogRecord) -> Arrival<'_> {
    Arrival {
        seq: r.seq,
        id: r.id,
        level: r.level,
        origin: r.origin.as_str(),
        origin_group: &r.origin_group,
        received_at: r.received_at,
        payload: &r.envelope.payload,
    }
}
