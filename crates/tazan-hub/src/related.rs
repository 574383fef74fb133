//! Keeps the related lessons of every lesson in the log computed, behind the
//! search index: a lesson page then reads a kept list instead of running the
//! related-lessons query (`tazan_search::RelatedStore` says how stale a list
//! may get).
//!
//! The task follows the log with its own durable cursor, never past the
//! entries the index has committed. While the index is far behind the log (a
//! bulk load, a first start over a large log) it waits, so each list is
//! computed over the whole index once instead of over a growing one. A new
//! lesson's neighbours computed before it arrived are recomputed with it; a
//! withdrawal drops the withdrawn lesson's list (other lists drop it when
//! read). Between slices it yields, as the indexer does, so the federation
//! path keeps its cores.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tazan_model::Payload;
use tazan_search::{IndexDoc, RelatedStore, SearchIndex};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::HubCore;

pub(crate) const CURSOR: &str = "related-lessons";
/// Log entries per blocking slice (a lesson costs a few ms of CPU).
const SLICE: usize = 32;
/// Lists asked to be refreshed (stale when read) handled per slice.
const REFRESH_SLICE: usize = 8;
/// How far the index may trail the log for lists to be computed: beyond
/// this the index is catching up with a batch, and lists wait for it.
const MAX_LAG: u64 = 256;

/// Follow the log into the related-lessons store until stopped.
pub(crate) async fn related_loop(
    core: Arc<HubCore>,
    index: Arc<SearchIndex>,
    store: Arc<RelatedStore>,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut done = match core.log.cursor(CURSOR) {
        Ok(c) => c,
        Err(e) => {
            warn!(error = %e, "cannot read the related-lessons cursor; related lessons are computed when read");
            return;
        }
    };
    core.related_through.store(done, Ordering::Relaxed);
    let mut announced = false;
    loop {
        if *stop.borrow() {
            return;
        }
        let indexed = core.indexed.load(Ordering::Acquire);
        let behind = core.log.head().saturating_sub(indexed) > MAX_LAG;
        let page = if done < indexed && !behind {
            match core.log.range(done, SLICE) {
                Ok(mut p) => {
                    p.retain(|r| r.seq <= indexed);
                    p
                }
                Err(e) => {
                    warn!(error = %e, "reading the log for related lessons failed");
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let refresh = store.take_refresh(REFRESH_SLICE);
        if page.is_empty() && refresh.is_empty() {
            if announced && done >= indexed {
                info!(
                    through = done,
                    lists = store.len(),
                    "related lessons caught up with the log"
                );
                announced = false;
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.changed() => return,
            }
            continue;
        }
        if !announced && page.len() == SLICE {
            info!(from = done, to = indexed, "computing related lessons");
            announced = true;
        }
        let last = page.last().map(|r| r.seq);
        let (idx, kept) = (index.clone(), store.clone());
        let ran = tokio::task::spawn_blocking(move || {
            let mut computed = 0;
            for rec in &page {
                match Payload::from_canonical_bytes(&rec.envelope.payload) {
                    Ok(Payload::Lesson(l)) => {
                        let published = tazan_search::iso8601(rec.received_at);
                        let doc = IndexDoc::from_lesson(&rec.id, &l, published);
                        computed += idx.related_added(&kept, &doc, rec.seq, indexed)?;
                    }
                    Ok(Payload::Withdrawal(w)) => kept.forget(&w.target.to_string())?,
                    // Readers' responses are not lessons; stored entries passed
                    // validation on the way in.
                    Ok(Payload::Response(_) | Payload::Collection(_)) | Err(_) => {}
                }
            }
            for id in &refresh {
                match idx.get(id)? {
                    Some(doc) => {
                        idx.keep_related(&kept, &doc, indexed)?;
                        computed += 1;
                    }
                    None => kept.forget(id)?,
                }
            }
            kept.flush()?;
            Ok::<usize, tazan_search::SearchError>(computed)
        })
        .await;
        match ran {
            Ok(Ok(computed)) => {
                if let Some(last) = last {
                    done = last;
                    core.related_through.store(done, Ordering::Relaxed);
                    if let Err(e) = core.log.set_cursor(CURSOR, done).await {
                        warn!(error = %e, "storing the related-lessons cursor failed; lists will be computed again");
                    }
                }
                debug!(through = done, computed, "related lessons kept");
            }
            Ok(Err(e)) => {
                warn!(error = %e, "computing related lessons failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = stop.changed() => return,
                }
            }
            Err(e) => warn!(error = %e, "related-lessons task failed; retrying"),
        }
        tokio::task::yield_now().await;
    }
}
