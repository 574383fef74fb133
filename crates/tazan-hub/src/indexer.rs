//! Keeps the hub's full-text index following its log: lessons are upserted,
//! withdrawals delete their target, and the position reached is stored as a
//! durable cursor after each commit (re-indexing after a crash is harmless:
//! upserts are idempotent).
//!
//! Work is done in small slices off the async threads, so indexing never
//! takes a core away from the federation path for long; commits happen at
//! most once per interval, or when the index has caught up with the log.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tazan_model::Payload;
use tazan_search::{IndexDoc, SearchIndex};
use tokio::sync::watch;
use tracing::{debug, warn};

use crate::HubCore;

const CURSOR: &str = "search-index";
/// Prepare a hub store just restored from a backup: a backup holds the log
/// but not the search index nor the related lessons (which live beside the
/// sled files), so forget both positions and let the hub index its whole log
/// again at start. Blocking: call it outside an async runtime (a restore runs
/// on a blocking thread).
pub fn after_restore(store: &tazan_store::Store) -> Result<(), tazan_store::StoreError> {
    let log = tazan_store::HubLog::open_blocking(store)?;
    log.clear_cursor_blocking(CURSOR)?;
    log.clear_cursor_blocking(crate::related::CURSOR)
}

/// Entries tokenised per blocking slice.
const SLICE: usize = 64;

/// Follow the log into the index until stopped.
pub(crate) async fn index_loop(
    core: Arc<HubCore>,
    index: Arc<SearchIndex>,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut committed = match core.log.cursor(CURSOR) {
        Ok(c) => c,
        Err(e) => {
            warn!(error = %e, "cannot read the search cursor; search stays off");
            return;
        }
    };
    core.indexed.store(committed, Ordering::Release);
    let mut added = committed;
    let mut last_commit = Instant::now();
    let mut head = core.log.watch();
    loop {
        if *stop.borrow() {
            return;
        }
        head.borrow_and_update();
        let page = match core.log.range(added, SLICE) {
            Ok(p) => p,
            Err(e) => {
                warn!(error = %e, "reading the log for the search index failed");
                Vec::new()
            }
        };
        let caught_up = page.len() < SLICE;
        if let Some(last) = page.last().map(|r| r.seq) {
            let idx = index.clone();
            let done = tokio::task::spawn_blocking(move || {
                for rec in &page {
                    match Payload::from_canonical_bytes(&rec.envelope.payload) {
                        Ok(Payload::Lesson(l)) => {
                            let published = tazan_search::iso8601(rec.received_at);
                            idx.upsert(&IndexDoc::from_lesson(&rec.id, &l, published))?;
                        }
                        Ok(Payload::Withdrawal(w)) => idx.delete(&w.target.to_string())?,
                        // Readers' responses are not lessons: not searched.
                        Ok(Payload::Response(_) | Payload::Collection(_)) | Err(_) => {} // stored entries passed validation on the way in
                    }
                }
                Ok::<(), tazan_search::SearchError>(())
            })
            .await;
            match done {
                Ok(Ok(())) => added = last,
                Ok(Err(e)) => warn!(error = %e, "indexing failed; retrying"),
                Err(e) => warn!(error = %e, "indexing task failed; retrying"),
            }
        }
        let due = last_commit.elapsed() >= interval;
        if added > committed && due {
            let idx = index.clone();
            match tokio::task::spawn_blocking(move || idx.commit()).await {
                Ok(Ok(())) => {
                    committed = added;
                    last_commit = Instant::now();
                    core.indexed.store(committed, Ordering::Release);
                    if let Err(e) = core.log.set_cursor(CURSOR, committed).await {
                        warn!(error = %e, "storing the search cursor failed; entries will be indexed again");
                    }
                    debug!(through = committed, "search index committed");
                }
                Ok(Err(e)) => warn!(error = %e, "search index commit failed; retrying"),
                Err(e) => warn!(error = %e, "search index commit task failed; retrying"),
            }
        }
        if caught_up {
            // Index new entries as they come (small, steady slices), but
            // commit no more often than the interval; when idle with
            // uncommitted entries, commit once the interval has passed.
            let dirty = added > committed;
            let until_due = interval.saturating_sub(last_commit.elapsed());
            tokio::select! {
                _ = head.changed() => {}
                _ = tokio::time::sleep(until_due), if dirty => {}
                _ = stop.changed() => return,
            }
        } else {
            // Let the federation path run between slices.
            tokio::task::yield_now().await;
        }
    }
}
