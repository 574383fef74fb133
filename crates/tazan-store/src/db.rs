use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::watch;
use tracing::{debug, error, info};

use crate::writer::{Durability, Snapshot, Tx, Writer};
use crate::StoreError;

/// An open sled database, its one write path, and its reopening after a
/// storage fault.
///
/// Cheap to clone; all clones share the database. Every write of the logs
/// and the outbox goes through the store's writer thread (see the `writer`
/// module): callers send a job and await its answer, so no caller holds a
/// lock while sled works, and durable writes share flushes (group commit).
/// Reads go to sled directly. The database and its threads are released
/// when the last clone is dropped.
///
/// **Faults.** sled turns the first failed disk write (a full disk, a
/// read-only or failing device) into an error that every later write
/// returns, even once the cause is gone: the only cure is to open the
/// database again. So the first failed write or flush is recorded as the
/// store's fault ([`Store::faults`]), and [`Store::reopen`] (run by the
/// service's healer, see `tazan-edge`) closes the database, opens it from
/// disk and proves with a flushed write that writes succeed again. The
/// writer thread writes into the trees of the current era (a tree taken
/// before a reopen refuses its write with [`StoreError::Reopened`]). What
/// was acknowledged (flushed) before the fault is on disk and survives;
/// writes that were not flushed when the database was reopened may be gone,
/// and their flush fails, so nobody is told they are durable.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    // Dropped first: closes the queue and joins the threads, which hold
    // the core (and so the database) until then.
    writer: Writer,
    core: Arc<Core>,
}

/// The database of the current era and what is known about its writes;
/// shared by the store's handles and its writer threads.
pub(crate) struct Core {
    dir: PathBuf,
    /// The open database; `None` while it is being reopened. Held only to
    /// clone the handle, never across sled work.
    db: std::sync::RwLock<Option<sled::Db>>,
    /// Bumped each time the database is reopened: a tree taken in an older
    /// era writes into a database that is gone.
    era: AtomicU64,
    /// Incremented after every write that must become durable.
    written: AtomicU64,
    /// The highest `written` value known to be on disk; guarded so that one
    /// flush (or reopen) at a time runs.
    flushed: std::sync::Mutex<u64>,
    /// A copy of `flushed` readable without the lock.
    flushed_now: AtomicU64,
    /// Tickets written but not flushed when the database was reopened: lost
    /// or not, nobody may be told they are durable. One range per reopen.
    lost: std::sync::Mutex<Vec<(u64, u64)>>,
    /// The storage fault in force, if any (what failed, for health reports).
    fault: watch::Sender<Option<String>>,
}

/// A sled tree of the database open in one era (see [`Store::reopen`]).
#[derive(Clone)]
pub(crate) struct Tree {
    tree: sled::Tree,
    era: u64,
}

impl Tree {
    /// The era of the database this tree belongs to.
    pub(crate) fn era(&self) -> u64 {
        self.era
    }
}

impl std::ops::Deref for Tree {
    type Target = sled::Tree;

    fn deref(&self) -> &sled::Tree {
        &self.tree
    }
}

/// The position of a write among all writes of a store, to ask later
/// whether it is durable ([`Store::is_durable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ticket(pub(crate) u64);

/// The file sled keeps its log in (named in errors about a corrupt store).
const DB_FILE: &str = "db";
/// The key a reopened store writes and flushes to prove writes succeed.
const PROBE_KEY: &[u8] = b"tazan-store-probe";

impl Core {
    /// The database handle of the current era.
    pub(crate) fn db(&self) -> Result<sled::Db, StoreError> {
        // The guarded value is a handle: a poisoned lock still holds a whole one.
        let slot = self.db.read().unwrap_or_else(|p| p.into_inner());
        slot.clone().ok_or(StoreError::Unavailable)
    }

    fn tree(&self, name: &str) -> Result<Tree, StoreError> {
        // A database that reported a fault is not read either: sled retries a
        // node split that a read needs forever once its log has failed (a
        // relay loop counting its outbox spun there, holding the old
        // database, so no reopen could take the directory's lock). Readers
        // get `Unavailable` until the store is reopened.
        if self.fault.borrow().is_some() {
            return Err(StoreError::Unavailable);
        }
        let era = self.era.load(Ordering::SeqCst);
        let tree = self.db()?.open_tree(name)?;
        Ok(Tree { tree, era })
    }

    /// The ticket of the last write made.
    pub(crate) fn last_written(&self) -> Ticket {
        Ticket(self.written.load(Ordering::SeqCst))
    }

    /// Record that a write into `tree` happened which the next flush must
    /// cover. A write into the database of an era that ended meanwhile went
    /// into a database that is gone: an error, never a ticket.
    pub(crate) fn wrote(&self, tree: &Tree) -> Result<Ticket, StoreError> {
        let ticket = Ticket(self.written.fetch_add(1, Ordering::SeqCst) + 1);
        // A reopen bumps the era before it reads `written`: a ticket taken
        // before the bump is counted among the reopen's unflushed writes.
        if self.era.load(Ordering::SeqCst) != tree.era {
            return Err(StoreError::Reopened);
        }
        Ok(ticket)
    }

    /// `Err(Reopened)` when `tree` belongs to a database that was reopened
    /// since it was taken.
    pub(crate) fn current(&self, tree: &Tree) -> Result<(), StoreError> {
        if self.era.load(Ordering::SeqCst) == tree.era {
            Ok(())
        } else {
            Err(StoreError::Reopened)
        }
    }

    /// Record a failed write or flush as the store's fault.
    pub(crate) fn failed(&self, what: &str, e: sled::Error) -> StoreError {
        let reason = format!("{what} failed: {e}");
        let first = self.fault.send_if_modified(|f| {
            if f.is_none() {
                *f = Some(reason.clone());
                true
            } else {
                false
            }
        });
        if first {
            error!(dir = %self.dir.display(), reason = %reason, "storage fault: writes refused until the store is reopened");
        }
        StoreError::Sled(e)
    }

    /// Make the write with `ticket` and every one before it durable
    /// (blocking; the flusher thread and command-line tools call it). Writes
    /// made meanwhile are covered by the same flush.
    pub(crate) fn flush_upto(&self, ticket: Ticket) -> Result<(), StoreError> {
        let mut flushed = self.flushed.lock().unwrap_or_else(|p| p.into_inner());
        if *flushed >= ticket.0 {
            return Ok(());
        }
        let target = self.written.load(Ordering::SeqCst);
        let db = self.db()?;
        db.flush().map_err(|e| self.failed("flush", e))?;
        *flushed = target;
        self.flushed_now.store(target, Ordering::SeqCst);
        Ok(())
    }

    /// Whether the write with `ticket` was not on disk when the database
    /// was reopened: it may be gone, and must be written again if needed.
    pub(crate) fn was_lost(&self, ticket: Ticket) -> bool {
        self.lost
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|&(from, to)| from < ticket.0 && ticket.0 <= to)
    }
}

impl Store {
    /// [`Store::open`], waiting up to `wait` while another handle still
    /// holds the directory's lock. sled's flusher thread lets go of the lock
    /// a moment after the last handle in this process is dropped; a store
    /// held by a running service stays locked, and the error is returned.
    pub fn open_waiting(dir: &Path, wait: std::time::Duration) -> Result<Store, StoreError> {
        let db = open_db_waiting(dir, wait)?;
        Store::over(dir, db)
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
    ///
    /// A directory that cannot be written, or a database sled cannot read
    /// back, is refused with an error naming the directory or file and what
    /// to do; sled's own panics on a corrupt file are caught and reported
    /// the same way.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let db = open_db(dir, FLUSH_EVERY_MS)?;
        Store::over(dir, db)
    }

    /// Open the database in `dir` for a short job in a process that goes on
    /// (seeding a stopped service before starting it): no background flush
    /// thread, so the directory's lock is free as soon as the last handle
    /// drops. Flush before dropping it.
    pub fn open_short(dir: &Path) -> Result<Store, StoreError> {
        let db = open_db(dir, None)?;
        Store::over(dir, db)
    }

    fn over(dir: &Path, db: sled::Db) -> Result<Store, StoreError> {
        let core = Arc::new(Core {
            dir: dir.to_owned(),
            db: std::sync::RwLock::new(Some(db)),
            era: AtomicU64::new(0),
            written: AtomicU64::new(0),
            flushed: std::sync::Mutex::new(0),
            flushed_now: AtomicU64::new(0),
            lost: Default::default(),
            fault: watch::channel(None).0,
        });
        let name = dir
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let writer = Writer::start(&core, &name)?;
        Ok(Store {
            inner: Arc::new(Inner { writer, core }),
        })
    }

    /// The directory the database lives in.
    pub fn dir(&self) -> &Path {
        &self.inner.core.dir
    }

    /// The database handle of the current era (export and import of every
    /// tree).
    pub(crate) fn db(&self) -> Result<sled::Db, StoreError> {
        self.inner.core.db()
    }

    pub(crate) fn tree(&self, name: &str) -> Result<Tree, StoreError> {
        self.inner.core.tree(name)
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

    /// Insert one key into `tree` at once, beside the writer thread: for
    /// single-key records written from synchronous code (portal records).
    /// A backup running meanwhile may hold the key's old or new value.
    pub(crate) fn put(&self, tree: &Tree, key: &[u8], value: &[u8]) -> Result<Ticket, StoreError> {
        self.inner.core.current(tree)?;
        tree.insert(key, value)
            .map_err(|e| self.inner.core.failed("write", e))?;
        self.inner.core.wrote(tree)
    }

    /// Remove one key from `tree` at once, like [`Store::put`].
    pub(crate) fn remove(&self, tree: &Tree, key: &[u8]) -> Result<Ticket, StoreError> {
        self.inner.core.current(tree)?;
        tree.remove(key)
            .map_err(|e| self.inner.core.failed("write", e))?;
        self.inner.core.wrote(tree)
    }

    /// Begin a consistent backup (between two writes; writers go on).
    pub(crate) async fn snapshot(&self) -> Result<Arc<Snapshot>, StoreError> {
        self.inner.writer.snapshot().await
    }

    /// [`Store::snapshot`] from outside an async runtime.
    pub(crate) fn snapshot_blocking(&self) -> Result<Arc<Snapshot>, StoreError> {
        self.inner.writer.snapshot_blocking()
    }

    /// Make every write sent before this call durable (sharing the flush
    /// with concurrent writers).
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.write(Durability::Flushed, |_| Ok(())).await
    }

    /// Make the write with `ticket` (and every one before it) durable.
    ///
    /// Fails with [`StoreError::Reopened`] when the database was reopened
    /// after a fault before that write was on disk (it may be lost).
    pub async fn flush_through(&self, ticket: Ticket) -> Result<(), StoreError> {
        if self.was_lost(ticket) {
            return Err(StoreError::Reopened);
        }
        if self.is_durable(ticket) {
            return Ok(());
        }
        self.flush().await?;
        if self.was_lost(ticket) {
            return Err(StoreError::Reopened);
        }
        Ok(())
    }

    /// Whether the write with `ticket` was not on disk when the database
    /// was reopened: it may be gone, and must be written again if needed.
    pub fn was_lost(&self, ticket: Ticket) -> bool {
        self.inner.core.was_lost(ticket)
    }

    /// Whether the write with `ticket` is known to be on disk.
    pub fn is_durable(&self, ticket: Ticket) -> bool {
        !self.was_lost(ticket) && ticket.0 <= self.inner.core.flushed_now.load(Ordering::SeqCst)
    }

    /// Flush synchronously (shutdown, command-line tools outside a runtime).
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        let core = &self.inner.core;
        core.db()?.flush().map_err(|e| core.failed("flush", e))?;
        Ok(())
    }

    /// Bytes on disk, approximately.
    pub fn size_on_disk(&self) -> u64 {
        self.db()
            .ok()
            .and_then(|db| db.size_on_disk().ok())
            .unwrap_or(0)
    }

    /// A receiver of the storage fault in force: `Some(what failed)` from
    /// the first failed write or flush until [`Store::reopen`] succeeds.
    pub fn faults(&self) -> watch::Receiver<Option<String>> {
        self.inner.core.fault.subscribe()
    }

    /// The storage fault in force, if any.
    pub fn fault(&self) -> Option<String> {
        self.inner.core.fault.borrow().clone()
    }

    /// Close the database and open it again from disk, then write and flush
    /// a probe key: `Ok` means writes succeed again and the fault is cleared.
    /// Blocking (run it on a blocking thread); flushes wait meanwhile, and
    /// writes fail with [`StoreError::Unavailable`] until it returns.
    ///
    /// On failure the store stays without an open database (reads fail
    /// too) and the fault stays; call it again later.
    pub fn reopen(&self, wait: std::time::Duration) -> Result<(), StoreError> {
        let core = &self.inner.core;
        // Out of the slot first: from here on nobody takes a new handle of
        // the old database (a tree taken before belongs to an ended era).
        let old = {
            let mut slot = core.db.write().unwrap_or_else(|p| p.into_inner());
            core.era.fetch_add(1, Ordering::SeqCst);
            slot.take()
        };
        if let Some(old) = &old {
            wake_waiters(old);
        }
        let mut flushed = core.flushed.lock().unwrap_or_else(|p| p.into_inner());
        let written = core.written.load(Ordering::SeqCst);
        if written > *flushed {
            core.lost
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((*flushed, written));
        }
        // Dropped before opening: sled holds the directory's lock until the
        // last handle of the old database is gone.
        drop(old);
        let db = open_db_waiting(&core.dir, wait).map_err(|e| held_by_whom(&core.dir, e))?;
        let probed = db
            .insert(PROBE_KEY, &crate::now_unix().to_be_bytes())
            .and_then(|_| db.flush());
        if let Err(e) = probed {
            let reason = format!("reopened, but a probe write failed: {e}");
            core.fault.send_replace(Some(reason));
            return Err(StoreError::Sled(e));
        }
        // Everything the new database holds was read from disk or flushed
        // by the probe; writes of the old era are in `lost` or errored.
        *flushed = core.written.load(Ordering::SeqCst);
        core.flushed_now.store(*flushed, Ordering::SeqCst);
        *core.db.write().unwrap_or_else(|p| p.into_inner()) = Some(db);
        let healed = core.fault.send_replace(None);
        info!(dir = %core.dir.display(), fault = ?healed, "store reopened; writes succeed again");
        Ok(())
    }
}

/// Wake every thread that waits inside the old database before it is let
/// go: a flush of a failed database returns its error, and on the way wakes
/// all threads waiting for a write to become stable. sled 0.34 records a
/// failed log write on some paths (`exit_reservation`) without waking them,
/// and those threads (a flush, and a read of a page still in the write
/// buffer, both wait there) would hold their handles, and with them the
/// directory's lock, for ever: the reopen then failed with `WouldBlock`
/// until the process restarted. Threads that start waiting later see the
/// error before they wait. On a database that did not fail this is an
/// ordinary flush.
fn wake_waiters(old: &sled::Db) {
    if let Err(e) = old.flush() {
        debug!(error = %e, "the old database's flush failed, as expected after a fault");
    }
}

/// A reopen that met the directory's lock: say who holds it (this process:
/// a handle of the old database outlived the reopen).
fn held_by_whom(dir: &Path, e: StoreError) -> StoreError {
    if !e.is_locked() {
        return e;
    }
    let holder = crate::lock_holder(dir).unwrap_or_else(|| "an unknown process".into());
    let me = format!("pid {} ", std::process::id());
    let whose = if holder.starts_with(&me) || holder == me.trim_end() {
        "this process: a handle of the database before the reopen is still open"
    } else {
        "another process"
    };
    error!(dir = %dir.display(), holder = %holder, "store reopen: the directory is still locked by {whose}");
    e
}

/// Every acknowledgement is preceded by our own flush; sled's background
/// flush makes the rest (library entries, relay marks, acknowledged-item
/// removals) durable within a second.
const FLUSH_EVERY_MS: Option<u64> = Some(1000);

fn sled_config(dir: &Path, flush_every_ms: Option<u64>) -> sled::Config {
    sled::Config::new()
        .path(dir)
        .mode(sled::Mode::HighThroughput)
        .flush_every_ms(flush_every_ms)
}

fn open_db_waiting(dir: &Path, wait: std::time::Duration) -> Result<sled::Db, StoreError> {
    let deadline = std::time::Instant::now() + wait;
    loop {
        match open_db(dir, FLUSH_EVERY_MS) {
            Err(e) if e.is_locked() && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Open sled in `dir`, with its failures (and its panics on a corrupt
/// file) turned into errors that say what to do.
fn open_db(dir: &Path, flush_every_ms: Option<u64>) -> Result<sled::Db, StoreError> {
    let opened = crate::quiet::catch(|| sled_config(dir, flush_every_ms).open());
    match opened {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(source)) => Err(StoreError::opening(dir, source)),
        Err(panic) => Err(StoreError::CorruptStore {
            path: dir.join(DB_FILE),
            reason: format!("sled could not read it back ({panic})"),
        }),
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

#[cfg(test)]
mod tests;
