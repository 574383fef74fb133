use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::StoreError;

/// An open sled database with group-commit flushing.
///
/// Cheap to clone; all clones share the database.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    db: sled::Db,
    /// Incremented after every write that must become durable.
    written: AtomicU64,
    /// The highest `written` value known to be on disk; guarded so that one
    /// flush at a time runs and late arrivals reuse its result.
    flushed: tokio::sync::Mutex<u64>,
    /// Writers hold it shared for each atomic write; a backup holds it
    /// exclusively, so it never sees half of a multi-key write.
    gate: std::sync::RwLock<()>,
}

impl Store {
    /// [`Store::open`], waiting up to `wait` while another handle still
    /// holds the directory's lock. sled's flusher thread lets go of the lock
    /// a moment after the last handle in this process is dropped; a store
    /// held by a running service stays locked, and the error is returned.
    pub fn open_waiting(dir: &Path, wait: std::time::Duration) -> Result<Store, StoreError> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            match Store::open(dir) {
                Err(e) if e.is_locked() && std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    /// Open (or create) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        // Every acknowledgement is preceded by our own flush; sled's
        // background flush makes the rest (library entries, relay marks,
        // acknowledged-item removals) durable within a second.
        Self::open_with(dir, Some(1000))
    }

    /// Open the database in `dir` for a short job in a process that goes on
    /// (seeding a stopped service before starting it): no background flush
    /// thread, so the directory's lock is free as soon as the last handle
    /// drops. Flush before dropping it.
    pub fn open_short(dir: &Path) -> Result<Store, StoreError> {
        Self::open_with(dir, None)
    }

    fn open_with(dir: &Path, flush_every_ms: Option<u64>) -> Result<Store, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .mode(sled::Mode::HighThroughput)
            .flush_every_ms(flush_every_ms)
            .open()
            .map_err(|source| StoreError::Open {
                path: dir.to_owned(),
                source,
            })?;
        Ok(Store {
            inner: Arc::new(Inner {
                db,
                written: AtomicU64::new(0),
                flushed: tokio::sync::Mutex::new(0),
                gate: std::sync::RwLock::new(()),
            }),
        })
    }

    pub(crate) fn tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        Ok(self.inner.db.open_tree(name)?)
    }

    /// Held (shared) around every write, so that [`Store::export`] sees each
    /// atomic write whole or not at all. Never held across an await.
    pub(crate) fn writing(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        // The guarded value is `()`: a poisoned lock protects nothing broken.
        self.inner.gate.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Apply an atomic batch to `tree` under the write gate.
    pub(crate) fn apply(&self, tree: &sled::Tree, batch: sled::Batch) -> Result<(), StoreError> {
        let _gate = self.writing();
        tree.apply_batch(batch)?;
        Ok(())
    }

    /// Insert one key into `tree` under the write gate.
    pub(crate) fn put(
        &self,
        tree: &sled::Tree,
        key: &[u8],
        value: &[u8],
    ) -> Result<(), StoreError> {
        let _gate = self.writing();
        tree.insert(key, value)?;
        Ok(())
    }

    /// Exclusive access for a consistent export: no write runs meanwhile.
    pub(crate) fn quiesce(&self) -> std::sync::RwLockWriteGuard<'_, ()> {
        self.inner.gate.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The underlying database (export and import of every tree).
    pub(crate) fn db(&self) -> &sled::Db {
        &self.inner.db
    }

    /// Record that a write happened which the next [`Store::flush`] must cover.
    pub(crate) fn wrote(&self) -> u64 {
        self.inner.written.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Make every write made before this call durable.
    ///
    /// Group commit: if another caller's flush started after our writes, we
    /// wait for it instead of flushing again.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let mine = self.inner.written.load(Ordering::SeqCst);
        let mut flushed = self.inner.flushed.lock().await;
        if *flushed >= mine {
            return Ok(());
        }
        let target = self.inner.written.load(Ordering::SeqCst);
        let db = self.inner.db.clone();
        tokio::task::spawn_blocking(move || db.flush())
            .await
            .map_err(|e| StoreError::Join(e.to_string()))??;
        *flushed = target;
        Ok(())
    }

    /// Flush synchronously (shutdown, CLI tools outside a runtime).
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        self.inner.db.flush()?;
        Ok(())
    }

    /// Bytes on disk, approximately.
    pub fn size_on_disk(&self) -> u64 {
        self.inner.db.size_on_disk().unwrap_or(0)
    }
}

pub(crate) fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(v).map_err(|e| StoreError::Corrupt {
        key: "<encode>".into(),
        reason: e.to_string(),
    })
}

pub(crate) fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::Corrupt {
        key: key.to_owned(),
        reason: e.to_string(),
    })
}

pub(crate) fn seq_key(prefix: u8, seq: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = prefix;
    k[1..].copy_from_slice(&seq.to_be_bytes());
    k
}

pub(crate) fn seq_of(key: &[u8]) -> Result<u64, StoreError> {
    let b: [u8; 8] = key
        .get(1..9)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| StoreError::Corrupt {
            key: format!("{key:?}"),
            reason: "sequence key is not 9 bytes".into(),
        })?;
    Ok(u64::from_be_bytes(b))
}
