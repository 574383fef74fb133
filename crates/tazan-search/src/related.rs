//! Related lessons computed once and kept: a lesson's neighbours are the
//! reference query's ([`SearchIndex::similar`]), computed when the lesson is
//! indexed (or in a background pass after a batch) and stored in a sled
//! database beside the index, so a lesson page reads them instead of running
//! the query.
//!
//! ```text
//! log ──► index (commit, position p) ──► keep: list of L at p ──► RelatedStore (sled)
//!                                         └─ lists of L's neighbours older than L: recomputed
//! lesson page ──► related(L): kept list, ids withdrawn since dropped ──► entitlement filter (portal)
//! ```
//!
//! How stale a list may get: a list computed at position `p` knows every
//! lesson up to `p`. A later lesson `L` refreshes the lists of its own
//! neighbours (similarity is nearly symmetric, so they are the lists most
//! likely to want `L`). Any other list is refreshed in the background once
//! it is read more than [`STALE_AFTER`] positions after it was computed, and
//! when a lesson it names was withdrawn. Withdrawn lessons are never returned:
//! every read drops ids no longer in the index. Entitlement is not decided
//! here: the caller filters the ids by what the reader may see.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::doc::IndexDoc;
use crate::error::SearchError;
use crate::index::SearchIndex;
use crate::similar::{Reason, SimilarTo};

/// How long `open` waits for the directory's lock that a store of this
/// process, just dropped, still holds (its flusher wakes every second).
const LOCK_WAIT: Duration = Duration::from_secs(3);

/// Neighbours kept per lesson: a page shows 5, and the rest stand in for
/// those the reader may not see.
pub const RELATED_KEPT: usize = 10;

/// Positions (log entries) a kept list may fall behind before a read asks
/// for it to be computed again. `tazan eval related` measures lists this
/// stale against fresh ones (BENCHMARKS.md).
pub const STALE_AFTER: u64 = 500;

/// Lists waiting to be recomputed at most; more requests are dropped (the
/// lists stay as they are, and a later read asks again).
const MAX_REFRESH: usize = 10_000;

/// One kept neighbour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbour {
    /// The lesson's id.
    pub id: String,
    /// Its score under the reference query (comparable within one list).
    pub score: f32,
    /// Why it is similar, as [`SimilarHit::reasons`](crate::SimilarHit).
    pub reasons: Vec<Reason>,
}

/// A lesson's kept neighbours, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbours {
    /// The index position (the caller's: a hub's log sequence number) the
    /// list was computed at; it knows every lesson up to it.
    pub at: u64,
    /// Up to [`RELATED_KEPT`] neighbours.
    pub list: Vec<Neighbour>,
}

/// Kept neighbour lists by lesson id, in a sled database of their own (not
/// part of a backup: after a restore they are computed again from the log).
pub struct RelatedStore {
    db: sled::Db,
    path: PathBuf,
    refresh: Mutex<BTreeSet<String>>,
}

impl std::fmt::Debug for RelatedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelatedStore")
            .field("path", &self.path)
            .field("lists", &self.db.len())
            .finish()
    }
}

impl RelatedStore {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        let config = sled::Config::new()
            .path(dir)
            .cache_capacity(16 << 20)
            .flush_every_ms(Some(1000));
        // A store of this process dropped just before (a hub restarted in
        // place, a test reopening) releases sled's directory lock only when
        // its background flusher next wakes, up to `flush_every_ms` later:
        // wait that long for the lock instead of failing.
        let deadline = Instant::now() + LOCK_WAIT;
        let db = loop {
            match config.open() {
                // sled says so in an `Other` error's text (0.34, config.rs).
                Err(sled::Error::Io(e))
                    if e.to_string().starts_with("could not acquire lock")
                        && Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                opened => break opened,
            }
        };
        Self::from_db(db, dir.to_path_buf())
    }

    /// A store that lives as long as the value (tests, evaluation).
    pub fn temporary() -> Result<Self, SearchError> {
        let config = sled::Config::new().temporary(true).cache_capacity(16 << 20);
        Self::from_db(config.open(), PathBuf::from("<temporary>"))
    }

    fn from_db(db: sled::Result<sled::Db>, path: PathBuf) -> Result<Self, SearchError> {
        let db = db.map_err(|e| SearchError::Related {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        Ok(RelatedStore {
            db,
            path,
            refresh: Mutex::new(BTreeSet::new()),
        })
    }

    fn fault(&self, e: impl std::fmt::Display) -> SearchError {
        SearchError::Related {
            path: self.path.clone(),
            reason: e.to_string(),
        }
    }

    /// The list kept for `id`, as stored (ids withdrawn since included).
    pub fn kept(&self, id: &str) -> Result<Option<Neighbours>, SearchError> {
        match self.db.get(id.as_bytes()).map_err(|e| self.fault(e))? {
            // A list that does not decode (another version's) is as good as none.
            Some(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            None => Ok(None),
        }
    }

    fn put(&self, id: &str, n: &Neighbours) -> Result<(), SearchError> {
        let bytes = serde_json::to_vec(n).map_err(|e| self.fault(e))?;
        self.db
            .insert(id.as_bytes(), bytes)
            .map_err(|e| self.fault(e))?;
        Ok(())
    }

    /// Drops the list of `id` (a withdrawn lesson).
    pub fn forget(&self, id: &str) -> Result<(), SearchError> {
        self.db.remove(id.as_bytes()).map_err(|e| self.fault(e))?;
        Ok(())
    }

    /// Drops every list.
    pub fn clear(&self) -> Result<(), SearchError> {
        self.db.clear().map_err(|e| self.fault(e))
    }

    /// Makes the lists written so far durable.
    pub fn flush(&self) -> Result<(), SearchError> {
        self.db.flush().map_err(|e| self.fault(e))?;
        Ok(())
    }

    /// Number of lessons with a kept list.
    pub fn len(&self) -> usize {
        self.db.len()
    }

    /// True when no list is kept.
    pub fn is_empty(&self) -> bool {
        self.db.is_empty()
    }

    /// Asks for the list of `id` to be computed again (by whoever calls
    /// [`take_refresh`](Self::take_refresh): a background task).
    pub fn ask_refresh(&self, id: &str) {
        let mut set = self.refresh.lock().unwrap_or_else(|p| p.into_inner());
        if set.len() < MAX_REFRESH {
            set.insert(id.to_owned());
        }
    }

    /// Up to `max` ids whose lists were asked to be computed again.
    pub fn take_refresh(&self, max: usize) -> Vec<String> {
        let mut set = self.refresh.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::with_capacity(max.min(set.len()));
        while out.len() < max {
            match set.pop_first() {
                Some(id) => out.push(id),
                None => break,
            }
        }
        out
    }
}

impl SearchIndex {
    /// Computes the neighbours of `doc` with the reference query, keeps them
    /// in `store` as of position `at`, and returns them.
    pub fn keep_related(
        &self,
        store: &RelatedStore,
        doc: &IndexDoc,
        at: u64,
    ) -> Result<Neighbours, SearchError> {
        let list = self
            .similar(SimilarTo::Lesson(doc), RELATED_KEPT)?
            .into_iter()
            .map(|h| Neighbour {
                id: h.hit.id,
                score: h.hit.score,
                reasons: h.reasons,
            })
            .collect();
        let n = Neighbours { at, list };
        store.put(&doc.id, &n)?;
        Ok(n)
    }

    /// A lesson at position `seq` is in the index, which is committed through
    /// `at` (≥ `seq`): keeps its list, and recomputes the kept lists of its
    /// neighbours computed before `seq` (they did not know it). Returns how
    /// many lists were computed.
    pub fn related_added(
        &self,
        store: &RelatedStore,
        doc: &IndexDoc,
        seq: u64,
        at: u64,
    ) -> Result<usize, SearchError> {
        let own = self.keep_related(store, doc, at)?;
        let mut computed = 1;
        for n in &own.list {
            let older = store.kept(&n.id)?.is_some_and(|k| k.at < seq);
            if !older {
                continue; // no list yet (computed when read), or it knows `doc`
            }
            match self.get(&n.id)? {
                Some(theirs) => {
                    self.keep_related(store, &theirs, at)?;
                    computed += 1;
                }
                None => store.forget(&n.id)?,
            }
        }
        Ok(computed)
    }

    /// Up to `k` neighbours of `doc` for a page, the index being at position
    /// `now`: the kept list without the lessons withdrawn since, or, when none
    /// is kept or `k` is over [`RELATED_KEPT`], computed now (and kept). A list
    /// more than [`STALE_AFTER`] positions old, or that lost a withdrawn
    /// lesson, is served and asked to be refreshed.
    pub fn related(
        &self,
        store: &RelatedStore,
        doc: &IndexDoc,
        k: usize,
        now: u64,
    ) -> Result<Vec<Neighbour>, SearchError> {
        if k == 0 {
            return Ok(Vec::new());
        }
        let kept = match store.kept(&doc.id)? {
            Some(kept) if k <= RELATED_KEPT => kept,
            _ => self.keep_related(store, doc, now)?,
        };
        let searcher = self.searcher();
        let before = kept.list.len();
        let mut list = Vec::with_capacity(before);
        for n in kept.list {
            if self.address_of(&searcher, &n.id)?.is_some() {
                list.push(n);
            }
        }
        let lost = list.len() < before;
        if lost || now.saturating_sub(kept.at) > STALE_AFTER {
            store.ask_refresh(&doc.id);
        }
        list.truncate(k);
        Ok(list)
    }
}

#[cfg(test)]
mod tests;
