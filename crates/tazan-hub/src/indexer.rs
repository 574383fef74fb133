//! Keeps the hub's full-text index following its log: lessons are upserted,
//! withdrawals delete their target, and the position reached is stored as a
//! durable cursor after each commit (re-indexing after a crash is harmless:
//! upserts are idempotent).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tazan_model::Payload;
use tazan_search::{IndexDoc, SearchIndex};
use tokio::sync::watch;
use tracing::{debug, warn};

use crate::HubCore;

const CURSOR: &str = "search-index";
const PAGE: usize = 1024;

/// Follow the log into the index until stopped, committing at most once per `interval`.
pub(crate) async fn index_loop(
    core: Arc<HubCore>,
    index: Arc<SearchIndex>,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut after = match core.log.cursor(CURSOR) {
        Ok(c) => c,
        Err(e) => {
            warn!(error = %e, "cannot read the search cursor; search stays off");
            return;
        }
    };
    core.indexed.store(after, Ordering::Relaxed);
    let mut head = core.log.watch();
    loop {
        head.borrow_and_update();
        let page = match core.log.range(after, PAGE) {
            Ok(p) => p,
            Err(e) => {
                warn!(error = %e, "reading the log for the search index failed");
                Vec::new()
            }
        };
        if page.is_empty() {
            tokio::select! {
                _ = head.changed() => {}
                _ = stop.changed() => return,
            }
            continue;
        }
        let last = page.last().map_or(after, |r| r.seq);
        let idx = index.clone();
        // Tokenising and committing is CPU and disk work: keep it off the async threads.
        let done = tokio::task::spawn_blocking(move || {
            for rec in &page {
                match Payload::from_canonical_bytes(&rec.envelope.payload) {
                    Ok(Payload::Lesson(l)) => {
                        let doc = IndexDoc::from_lesson(
                            &rec.id,
                            &l,
                            tazan_search::iso8601(rec.received_at),
                        );
                        idx.upsert(&doc)?;
                    }
                    Ok(Payload::Withdrawal(w)) => idx.delete(&w.target.to_string()),
                    Err(_) => {} // stored entries passed validation on the way in
                }
            }
            idx.commit()
        })
        .await;
        match done {
            Ok(Ok(())) => {
                after = last;
                core.indexed.store(after, Ordering::Relaxed);
                if let Err(e) = core.log.set_cursor(CURSOR, after).await {
                    warn!(error = %e, "storing the search cursor failed; entries will be indexed again");
                }
                debug!(through = after, "indexed");
            }
            Ok(Err(e)) => warn!(error = %e, "indexing failed; retrying"),
            Err(e) => warn!(error = %e, "indexing task failed; retrying"),
        }
        // Batch: at most one commit per interval.
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => return,
        }
    }
}
