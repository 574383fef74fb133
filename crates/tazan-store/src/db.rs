use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::writer::{Durability, Snapshot, Tx, Writer};
use crate::StoreError;

/// An open sled database and its one write path.
///
/// Cheap to clone; all clones share the database. Every write goes through
/// the store's writer thread (see the `writer` module): callers send a job
/// and await its answer, so no caller ever holds a lock while sled works,
/// and durable writes share flushes (group commit). Reads go to sled
/// directly. The database and its threads are released when the last clone
/// is dropped.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    // Dropped first: closes the queue and joins the threads.
    writer: Writer,
    db: sled::Db,
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

    /// [`Store::open`], or `None` when a running service holds the store
    /// (its lock): then the work goes to that service instead.
    pub fn open_unless_running(dir: &Path) -> Result<Option<Store>, StoreError> {
        match Store::open(dir) {
            Ok(store) => Ok(Some(store)),
            Err(e) if e.is_locked() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Open (or create) the database in `dir` and start its writer.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .mode(sled::Mode::HighThroughput)
            // Every acknowledgement is preceded by our own flush; sled's
            // background flush makes the rest (library entries, relay marks,
            // acknowledged-item removals) durable within a second.
            .flush_every_ms(Some(1000))
            .open()
            .map_err(|source| StoreError::Open {
                path: dir.to_owned(),
                source,
            })?;
        let name = dir
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let writer = Writer::start(&db, &name)?;
        Ok(Store {
            inner: Arc::new(Inner { writer, db }),
        })
    }

    pub(crate) fn tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        Ok(self.inner.db.open_tree(name)?)
    }

    /// Run `op` on the writer thread; answered once applied, or once on
    /// disk for [`Durability::Flushed`].
    pub(crate) async fn write<R, F>(&self, durability: Durability, op: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        self.inner.writer.write(durability, op).await
    }

    /// [`Store::write`] from outside an async runtime (command-line tools,
    /// blocking tasks); panics on a runtime thread.
    pub(crate) fn write_blocking<R, F>(
        &self,
        durability: Durability,
        op: F,
    ) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        self.inner.writer.write_blocking(durability, op)
    }

    /// Begin a consistent backup (between two writes; writers go on).
    pub(crate) async fn snapshot(&self) -> Result<Arc<Snapshot>, StoreError> {
        self.inner.writer.snapshot().await
    }

    /// [`Store::snapshot`] from outside an async runtime.
    pub(crate) fn snapshot_blocking(&self) -> Result<Arc<Snapshot>, StoreError> {
        self.inner.writer.snapshot_blocking()
    }

    /// The underlying database (export and import of every tree).
    pub(crate) fn db(&self) -> &sled::Db {
        &self.inner.db
    }

    /// Make every write sent before this call durable (sharing the flush
    /// with concurrent writers).
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.write(Durability::Flushed, |_| Ok(())).await
    }

    /// Flush synchronously (shutdown, command-line tools outside a runtime).
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
