//! Keeps the node's full-text index (`HOME/index`) current while the node
//! runs: the follow loop hands each stored batch over as index operations
//! (a lesson is upserted, a withdrawal deletes its target), and they are
//! committed at most once per interval, or as soon as the interval has passed
//! since the last commit — so `tazan search` and friends, opening the index
//! read-only in another process, see a new lesson within about a second.
//!
//! The running node holds the index's only writer. On start it brings the
//! index up to date with the whole library (upserts are idempotent), which
//! also covers anything stored while indexing was off or before a crash.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tazan_model::{LessonId, Payload, PayloadKind};
use tazan_search::{IndexDoc, IndexOptions, SearchError, SearchIndex};
use tazan_store::{Library, LibraryEntry};
use tokio::sync::{mpsc, watch};
use tracing::{debug, info, warn};

use crate::NodeError;

/// One change to the index.
#[derive(Debug)]
pub(crate) enum IndexOp {
    /// Add or replace a lesson.
    Upsert(Box<IndexDoc>),
    /// Remove a withdrawn lesson.
    Delete(LessonId),
}

/// Open the node's index for writing. A CLI command syncing a stopped node's
/// index may hold the writer for a moment, so a busy lock is retried for up
/// to ten seconds.
pub(crate) async fn open(dir: &Path) -> Result<SearchIndex, NodeError> {
    // One writer thread and a small arena: a node indexes a few lessons at a time.
    let options = IndexOptions {
        writer_threads: 1,
        writer_memory_bytes: 20 << 20,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match SearchIndex::open_with(dir, &options) {
            Ok(index) => return Ok(index),
            Err(SearchError::Locked { .. }) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => {
                return Err(NodeError::Task(format!(
                    "search index {}: {e} (set [search] enabled = false to run without it)",
                    dir.display()
                )))
            }
        }
    }
}

/// The index operations for entries just stored in the library.
pub(crate) fn ops_for(entries: &[(LibraryEntry, Option<LessonId>)]) -> Vec<IndexOp> {
    entries
        .iter()
        .filter_map(|(entry, withdraws)| match withdraws {
            Some(target) => Some(IndexOp::Delete(*target)),
            None => lesson_doc(entry).map(|d| IndexOp::Upsert(Box::new(d))),
        })
        .collect()
}

/// A library entry as an index document, when it is a lesson.
pub fn lesson_doc(entry: &LibraryEntry) -> Option<IndexDoc> {
    if entry.kind != PayloadKind::Lesson {
        return None;
    }
    match Payload::from_canonical_bytes(&entry.envelope.payload) {
        Ok(Payload::Lesson(lesson)) => Some(IndexDoc::from_lesson(
            &entry.id,
            &lesson,
            tazan_search::iso8601(entry.received_at),
        )),
        _ => None,
    }
}

/// Bring `index` up to date with `library` and commit: every lesson indexed,
/// withdrawn ones removed. Returns how many lessons are indexed.
/// `progress(done, total)` is called after each library entry.
pub fn sync_library(
    index: &SearchIndex,
    library: &Library,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, NodeError> {
    let task = |e: SearchError| NodeError::Task(format!("search index: {e}"));
    let mut n = 0;
    let entries = library.all()?;
    let total = entries.len();
    for (done, entry) in entries.into_iter().enumerate() {
        progress(done + 1, total);
        if entry.withdrawn {
            index.delete(&entry.id.to_string()).map_err(task)?;
        } else if let Some(doc) = lesson_doc(&entry) {
            index.upsert(&doc).map_err(task)?;
            n += 1;
        }
    }
    index.commit().map_err(task)?;
    Ok(n)
}

fn apply(index: &SearchIndex, ops: &[IndexOp]) -> Result<(), SearchError> {
    for op in ops {
        match op {
            IndexOp::Upsert(doc) => index.upsert(doc)?,
            IndexOp::Delete(id) => index.delete(&id.to_string())?,
        }
    }
    Ok(())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("indexing task: {e}")),
    }
}

/// Sync with the library, then apply operations as they come until stopped;
/// commits what is pending before returning.
pub(crate) async fn index_loop(
    core: Arc<crate::NodeCore>,
    index: Arc<SearchIndex>,
    mut ops: mpsc::Receiver<Vec<IndexOp>>,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let (idx, c) = (index.clone(), core.clone());
    match tokio::task::spawn_blocking(move || sync_library(&idx, &c.library, &mut |_, _| {})).await
    {
        Ok(Ok(n)) => info!(lessons = n, "search index in step with the library"),
        Ok(Err(e)) => warn!(error = %e, "syncing the search index with the library failed"),
        Err(e) => warn!(error = %e, "search index sync task failed"),
    }
    let mut last_commit = Instant::now();
    let mut dirty = false;
    loop {
        let until_due = interval.saturating_sub(last_commit.elapsed());
        tokio::select! {
            batch = ops.recv() => {
                let Some(batch) = batch else { break };
                let idx = index.clone();
                match blocking(move || apply(&idx, &batch)).await {
                    Ok(()) => dirty = true,
                    Err(e) => warn!(error = %e, "indexing received lessons failed; they are indexed at the next start"),
                }
            }
            _ = tokio::time::sleep(until_due), if dirty => {}
            _ = stop.changed() => break,
        }
        if dirty && last_commit.elapsed() >= interval {
            let idx = index.clone();
            match blocking(move || idx.commit()).await {
                Ok(()) => {
                    debug!("search index committed");
                    dirty = false;
                }
                Err(e) => warn!(error = %e, "search index commit failed; retrying"),
            }
            last_commit = Instant::now();
        }
    }
    // Whatever the follow loop had already handed over, then a last commit.
    while let Ok(batch) = ops.try_recv() {
        if let Err(e) = apply(&index, &batch) {
            warn!(error = %e, "indexing at shutdown failed");
        }
    }
    if let Err(e) = blocking(move || index.commit()).await {
        warn!(error = %e, "search index commit at shutdown failed");
    }
}
