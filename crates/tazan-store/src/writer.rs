//! The one write path of a store: a writer thread fed by a bounded channel,
//! and a flusher thread behind it (group commit).
//!
//! ```text
//!  async / blocking callers ──Job (bounded)──► writer thread: run the write (sled work),
//!        ▲                                       answer now (not durable) or ──► flusher thread:
//!        └──────────── oneshot answer ◄──────────────────────────────────────── one sled flush
//!                                                                               for all waiting
//! ```
//!
//! Nothing here holds a lock on an async runtime thread: callers only send a
//! job and await a oneshot. The writer runs each job's closure on its own
//! thread, in arrival order, so a job sees every earlier job's writes (a
//! store-wide order, like a mutex, but without blocking a caller's thread).
//! While the flusher flushes, the writer goes on applying the next jobs, whose
//! answers then share the next flush.
//!
//! The writer also keeps every running backup consistent ([`Snapshot`]):
//! before it changes a key a backup has not copied yet, it hands the backup
//! the key's old value, so a backup holds the store exactly as it was when
//! it began, while writers never wait for it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use sled::IVec;
use tokio::sync::{mpsc, oneshot};
use tracing::{error, warn};

use crate::db::{Core, Ticket, Tree};
use crate::StoreError;

/// Jobs queued for the writer before senders wait.
const QUEUE: usize = 1024;
/// Jobs the writer takes in one round before handing their answers on.
const ROUND: usize = 256;

/// Whether a write is answered once applied, or only once on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// Answered as soon as applied; on disk with the next flush (any durable
    /// write, a shutdown, or sled's own flush within a second).
    Applied,
    /// Answered only after a flush covering it.
    Flushed,
}

/// Keys to write into one tree atomically (a `sled::Batch` whose keys the
/// writer can read, for the backups it keeps consistent).
#[derive(Default)]
pub(crate) struct Batch {
    ops: Vec<(IVec, Option<IVec>)>,
}

impl Batch {
    pub(crate) fn insert(&mut self, key: impl Into<IVec>, value: impl Into<IVec>) {
        self.ops.push((key.into(), Some(value.into())));
    }

    pub(crate) fn remove(&mut self, key: impl Into<IVec>) {
        self.ops.push((key.into(), None));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Append `other`'s writes after this batch's.
    pub(crate) fn extend(&mut self, other: Batch) {
        self.ops.extend(other.ops);
    }
}

/// What a write job gets to write with: only the writer thread makes one.
pub(crate) struct Tx<'a> {
    snapshots: &'a [Arc<Snapshot>],
    core: &'a Core,
}

impl Tx<'_> {
    /// Apply `batch` to `tree` atomically; the ticket tells later whether
    /// it is durable ([`crate::Store::is_durable`]). A failed write is the
    /// store's fault (healed by reopening it); a tree of an era that ended
    /// refuses the write with [`StoreError::Reopened`].
    pub(crate) fn apply(&mut self, tree: &Tree, batch: Batch) -> Result<Ticket, StoreError> {
        if batch.is_empty() {
            return Ok(self.core.last_written());
        }
        // A tree of an ended era is never written: its failed database
        // would report its old error as a new fault of the reopened store.
        self.core.current(tree)?;
        for s in self.snapshots {
            s.before_write(tree, &batch)?;
        }
        let mut b = sled::Batch::default();
        for (k, v) in batch.ops {
            match v {
                Some(v) => b.insert(k, v),
                None => b.remove(k),
            }
        }
        tree.apply_batch(b)
            .map_err(|e| self.core.failed("write", e))?;
        self.core.wrote(tree)
    }
}

/// Called with the flush's outcome (`Ok` when none was needed).
type Answer = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// A write, run on the writer thread; returns how to answer its caller.
type WriteFn = Box<dyn for<'a> FnOnce(&mut Tx<'a>) -> Completion + Send>;

struct Completion {
    /// Answer only after a flush that covers this ticket.
    durable: Option<Ticket>,
    answer: Answer,
}

enum Job {
    Write(WriteFn),
    /// Begin a consistent backup here, between two writes.
    Snapshot(oneshot::Sender<Result<Arc<Snapshot>, StoreError>>),
}

/// The writer and flusher threads of one store, and the way in.
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
    threads: Vec<JoinHandle<()>>,
}

impl Writer {
    /// Start the threads writing into (the current era of) `core`.
    pub(crate) fn start(core: &Arc<Core>, name: &str) -> Result<Writer, StoreError> {
        let (jobs, rx) = mpsc::channel(QUEUE);
        let (to_flusher, flush_rx) = std::sync::mpsc::channel::<Vec<Completion>>();
        let spawn = |role: &str| std::thread::Builder::new().name(format!("tazan-{role}-{name}"));
        let writer = {
            let core = core.clone();
            spawn("writer")
                .spawn(move || write_loop(&core, rx, to_flusher))
                .map_err(|e| StoreError::Join(format!("starting the store writer: {e}")))?
        };
        let core = core.clone();
        let flusher = spawn("flusher")
            .spawn(move || flush_loop(&core, flush_rx))
            .map_err(|e| StoreError::Join(format!("starting the store flusher: {e}")))?;
        Ok(Writer {
            jobs,
            threads: vec![writer, flusher],
        })
    }

    /// Run `op` on the writer thread; its result once applied, or once
    /// flushed for [`Durability::Flushed`] (a failed flush is the answer
    /// then, so nothing is acknowledged that is not on disk).
    pub(crate) async fn write<R, F>(&self, durability: Durability, op: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        let (job, rx) = write_job(durability, op);
        self.jobs.send(job).await.map_err(|_| closed())?;
        rx.await.map_err(|_| closed())?
    }

    /// [`Writer::write`] for a caller outside any async runtime (a command
    /// line tool, a blocking task). Panics if called on a runtime thread.
    pub(crate) fn write_blocking<R, F>(
        &self,
        durability: Durability,
        op: F,
    ) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        let (job, rx) = write_job(durability, op);
        self.jobs.blocking_send(job).map_err(|_| closed())?;
        rx.blocking_recv().map_err(|_| closed())?
    }

    /// Begin a consistent backup between two writes.
    pub(crate) async fn snapshot(&self) -> Result<Arc<Snapshot>, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Job::Snapshot(tx))
            .await
            .map_err(|_| closed())?;
        rx.await.map_err(|_| closed())?
    }

    /// [`Writer::snapshot`] outside any async runtime.
    pub(crate) fn snapshot_blocking(&self) -> Result<Arc<Snapshot>, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .blocking_send(Job::Snapshot(tx))
            .map_err(|_| closed())?;
        rx.blocking_recv().map_err(|_| closed())?
    }
}

impl Drop for Writer {
    /// Close the queue and wait for both threads to finish what was sent,
    /// so the store's files are released when the last handle goes.
    fn drop(&mut self) {
        let (closed, _) = mpsc::channel(1);
        drop(std::mem::replace(&mut self.jobs, closed));
        let me = std::thread::current().id();
        for t in self.threads.drain(..) {
            // A job holding the last handle drops it on the writer thread
            // itself; that thread ends on its own once the queue is closed.
            if t.thread().id() != me && t.join().is_err() {
                error!("a store writer thread panicked");
            }
        }
    }
}

fn closed() -> StoreError {
    StoreError::Join("the store's writer has stopped".into())
}

fn write_job<R, F>(durability: Durability, op: F) -> (Job, oneshot::Receiver<Result<R, StoreError>>)
where
    R: Send + 'static,
    F: FnOnce(&mut Tx<'_>) -> Result<R, StoreError> + Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    let job = Job::Write(Box::new(move |cx: &mut Tx<'_>| {
        let result = op(cx);
        let durable =
            (durability == Durability::Flushed && result.is_ok()).then(|| cx.core.last_written());
        Completion {
            durable,
            answer: Box::new(move |flushed| {
                // The caller may have given up waiting; nothing to do then.
                let _ = tx.send(flushed.and(result));
            }),
        }
    }));
    (job, rx)
}

fn write_loop(
    core: &Core,
    mut rx: mpsc::Receiver<Job>,
    to_flusher: std::sync::mpsc::Sender<Vec<Completion>>,
) {
    let mut snapshots: Vec<Arc<Snapshot>> = Vec::new();
    while let Some(first) = rx.blocking_recv() {
        let mut waiting = Vec::new();
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(job) = next.take() {
            snapshots.retain(|s| !s.finished());
            match job {
                Job::Write(op) => {
                    let mut tx = Tx {
                        snapshots: &snapshots,
                        core,
                    };
                    let done = op(&mut tx);
                    match done.durable {
                        Some(_) => waiting.push(done),
                        None => (done.answer)(Ok(())),
                    }
                }
                Job::Snapshot(reply) => {
                    let begun = core
                        .db()
                        .map(|db| Arc::new(Snapshot::new(&db.tree_names())));
                    if let Ok(s) = &begun {
                        snapshots.push(s.clone());
                    }
                    let _ = reply.send(begun);
                }
            }
            taken += 1;
            if taken < ROUND {
                next = rx.try_recv().ok();
            }
        }
        if !waiting.is_empty() && to_flusher.send(waiting).is_err() {
            warn!("the store flusher has stopped; writes are not acknowledged");
        }
    }
}

fn flush_loop(core: &Core, rx: std::sync::mpsc::Receiver<Vec<Completion>>) {
    while let Ok(mut waiting) = rx.recv() {
        while let Ok(more) = rx.try_recv() {
            waiting.extend(more);
        }
        let needed = waiting.iter().filter_map(|c| c.durable).max();
        // Everything written by now is covered by this one flush.
        let outcome = needed.map_or(Ok(()), |t| core.flush_upto(t));
        for c in waiting {
            // A write the database lost in a reopen is never durable.
            let lost = c.durable.is_some_and(|t| core.was_lost(t));
            let answer = match (&outcome, lost) {
                (_, true) => Err(StoreError::Reopened),
                (Ok(()), false) => Ok(()),
                (Err(e), false) => Err(e.again()),
            };
            (c.answer)(answer);
        }
    }
}

/// A backup in progress: the store as it was at one point between two
/// writes, kept whole while writers go on (see the module doc).
pub(crate) struct Snapshot {
    /// The trees that existed at that point, in the order they are copied.
    trees: Vec<IVec>,
    state: Mutex<Copying>,
}

#[derive(Default)]
struct Copying {
    /// Index of the tree being copied (`trees.len()` once all are).
    tree: usize,
    /// The last key copied from that tree.
    passed: Option<IVec>,
    /// Old values of keys written since the snapshot and not copied yet,
    /// per tree (`None`: the key did not exist).
    before: Vec<OldValues>,
    finished: bool,
}

/// Where [`Snapshot::copy_tree`] hands each key and value.
pub(crate) type Emit<'a> = dyn FnMut(&[u8], &[u8]) -> std::io::Result<()> + 'a;

/// A tree's keys written since a snapshot began, with their values then.
type OldValues = BTreeMap<Vec<u8>, Option<IVec>>;

impl Snapshot {
    fn new(trees: &[IVec]) -> Snapshot {
        Snapshot {
            trees: trees.to_vec(),
            state: Mutex::new(Copying {
                before: vec![BTreeMap::new(); trees.len()],
                ..Copying::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Copying> {
        // Only plain data is guarded; a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn finished(&self) -> bool {
        self.lock().finished
    }

    /// On the writer thread, before `batch` is applied to `tree`.
    fn before_write(&self, tree: &sled::Tree, batch: &Batch) -> Result<(), StoreError> {
        let name = tree.name();
        let Some(index) = self.trees.iter().position(|t| *t == name) else {
            return Ok(()); // a tree made after the snapshot is not in it
        };
        let mut st = self.lock();
        if st.finished || index < st.tree {
            return Ok(());
        }
        for (key, _) in &batch.ops {
            let copied = index == st.tree && st.passed.as_ref().is_some_and(|p| key <= p);
            if copied || st.before[index].contains_key(key.as_ref()) {
                continue;
            }
            let old = tree.get(key)?;
            st.before[index].insert(key.to_vec(), old);
        }
        Ok(())
    }
}

impl Snapshot {
    /// The trees to copy, in order.
    pub(crate) fn trees(&self) -> &[IVec] {
        &self.trees
    }

    /// Hand every key of tree number `index` (open as `tree`) to `emit` with
    /// its value as of the snapshot. Trees must be copied in order.
    pub(crate) fn copy_tree(
        &self,
        index: usize,
        tree: &sled::Tree,
        emit: &mut Emit<'_>,
    ) -> std::io::Result<()> {
        for kv in tree.iter() {
            let (k, v) = kv.map_err(std::io::Error::other)?;
            let old = {
                let mut st = self.lock();
                st.passed = Some(k.clone());
                st.before[index].remove(k.as_ref())
            };
            match old {
                None => emit(&k, &v)?,
                Some(Some(old)) => emit(&k, &old)?,
                Some(None) => {} // written since the snapshot: not in it
            }
        }
        // Keys removed since the snapshot that the iteration could not meet.
        let removed = {
            let mut st = self.lock();
            st.tree = index + 1;
            st.passed = None;
            std::mem::take(&mut st.before[index])
        };
        for (k, v) in removed {
            if let Some(v) = v {
                emit(&k, &v)?;
            }
        }
        Ok(())
    }

    /// The backup is done (or abandoned): the writer stops keeping old values.
    pub(crate) fn finish(&self) {
        let mut st = self.lock();
        st.finished = true;
        st.before.clear();
    }
}
