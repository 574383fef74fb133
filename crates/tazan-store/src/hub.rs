use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tazan_model::LessonId;
use tazan_tlog::{Hash, HashReader, TreeError, TreeHead};
use tokio::sync::watch;
use tracing::{debug, info};

use crate::db::{decode, encode, seq_key, seq_of, Tree};
use crate::writer::{Batch, Durability, Tx};
use crate::{LogRecord, Store, StoreError, StoredEnvelope, Ticket};

const ENTRY: u8 = b'e';
const BY_ID: u8 = b'i';
const RELAY: u8 = b'r';
const CURSOR: u8 = b'c';
/// Merkle tree hashes: one key per write, `h` + the tlog stored-hash index
/// of the first, holding the write's hashes (contiguous indexes) end to end.
/// One key per write rather than per hash keeps sled's work per appended
/// entry close to what it was before the tree.
const HASH: u8 = b'h';
/// Small named values (checkpoints seen, witness state).
const BLOB: u8 = b'b';
/// What names a lesson: `a` + the lesson id + the seq of a withdrawal or a
/// reader's response about it, written with the entry (see [`HubLog::about`]).
const ABOUT: u8 = b'a';
/// The cursor holding how many entries the Merkle tree covers.
const TREE_SIZE: &str = "merkle-tree-size";
/// The cursor holding how many entries the [`ABOUT`] index covers (a log
/// written before the index existed gets it built when opened).
const ABOUT_SIZE: &str = "about-index-size";
/// Entries hashed per write while building the tree of an existing log.
const BUILD_CHUNK: u64 = 10_000;

/// A record to append; `seq` is assigned by the log.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// The record (its `seq` is ignored).
    pub record: LogRecord,
    /// Queue it in the relay outbox in the same atomic write.
    pub relay: bool,
}

/// The outcome of one appended record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Its sequence number (the earlier one, for a duplicate).
    pub seq: u64,
    /// Already stored before this call (or earlier in the same batch).
    pub duplicate: bool,
}

/// The sled tree holding a hub's log.
const LOG_TREE: &str = "hub-log";

/// The last assigned sequence number, and the store era it was read in.
#[derive(Debug, Clone, Copy)]
struct Head {
    seq: u64,
    era: u64,
}

/// The append-only log of a hub.
///
/// Appends run on the store's writer thread, one after another: sequence
/// numbers, the id index and the Merkle tree are computed there, so no
/// caller holds a lock meanwhile.
pub struct HubLog {
    store: Store,
    /// Last assigned sequence number; changed on the writer thread. After
    /// the store was reopened (a new era) it is read again from disk: what
    /// was assigned but never flushed may be gone, and numbering continues
    /// from what is there, without a gap.
    assigned: Arc<Mutex<Head>>,
    /// Last durable sequence number.
    durable: watch::Sender<u64>,
}

/// What one append writes besides its records (owned, for the writer thread).
#[derive(Default)]
struct Extra {
    cursor: Option<(String, u64)>,
    blob: Option<(String, Vec<u8>)>,
}

impl HubLog {
    /// Open the log in `store`; the head is recovered from disk.
    ///
    /// A log written before the Merkle tree existed (or whose tree lags its
    /// entries) gets its tree built here from the stored entries, durably,
    /// before the log is used.
    pub async fn open(store: &Store) -> Result<HubLog, StoreError> {
        let log = HubLog::open_as_stored(store)?;
        let (tree, head) = (log.tree()?, log.head());
        if cursor_get(&tree, TREE_SIZE)? < head || cursor_get(&tree, ABOUT_SIZE)? < head {
            store
                .write(Durability::Flushed, move |tx| {
                    build_tree(tx, &tree, head)?;
                    build_about(tx, &tree, head)
                })
                .await?;
        }
        Ok(log)
    }

    /// [`HubLog::open`] from outside an async runtime (a restore's
    /// preparation, command-line tools).
    pub fn open_blocking(store: &Store) -> Result<HubLog, StoreError> {
        let log = HubLog::open_as_stored(store)?;
        let (tree, head) = (log.tree()?, log.head());
        if cursor_get(&tree, TREE_SIZE)? < head || cursor_get(&tree, ABOUT_SIZE)? < head {
            store.write_blocking(Durability::Flushed, move |tx| {
                build_tree(tx, &tree, head)?;
                build_about(tx, &tree, head)
            })?;
        }
        Ok(log)
    }

    /// Open the log as it is on disk, without building a missing tree:
    /// for auditing a store (`tazan verify log`), which must see what is
    /// there, not repair it.
    pub fn open_as_stored(store: &Store) -> Result<HubLog, StoreError> {
        let tree = store.tree(LOG_TREE)?;
        let head = last_entry(&tree)?;
        Ok(HubLog {
            store: store.clone(),
            assigned: Arc::new(Mutex::new(Head {
                seq: head,
                era: tree.era(),
            })),
            durable: watch::channel(head).0,
        })
    }

    fn tree(&self) -> Result<Tree, StoreError> {
        self.store.tree(LOG_TREE)
    }

    /// The store the log lives in (its faults, whether a write is durable).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// How many entries the stored Merkle tree covers.
    pub fn tree_size(&self) -> Result<u64, StoreError> {
        cursor_get(&*self.tree()?, TREE_SIZE)
    }

    /// The sequence numbers under which entries are stored, in order (an
    /// audit compares them with 1..=head).
    pub fn stored_seqs(&self) -> Result<Vec<u64>, StoreError> {
        self.tree()?
            .scan_prefix([ENTRY])
            .keys()
            .map(|k| seq_of(&k?))
            .collect()
    }

    /// Named values whose name starts with `prefix`.
    pub fn blobs(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.tree()?
            .scan_prefix(blob_key(prefix))
            .map(|kv| {
                let (k, v) = kv?;
                Ok((String::from_utf8_lossy(&k[1..]).into_owned(), v.to_vec()))
            })
            .collect()
    }

    /// Append records atomically and return once they are durable.
    ///
    /// A record whose id is already in the log is not written again; its
    /// outcome names the existing sequence number.
    pub async fn append_durable(
        &self,
        records: Vec<NewRecord>,
    ) -> Result<Vec<Appended>, StoreError> {
        self.append_with(records, Extra::default(), Durability::Flushed)
            .await
    }

    /// [`HubLog::append_durable`], also setting a named cursor in the same
    /// atomic write (used when following another hub's log, so that the
    /// entries and the position they were read up to can never disagree).
    ///
    /// `blob` is a named value stored in the same write too (the checkpoint
    /// of the followed log the entries were verified against). With no
    /// records, the cursor and blob are durable only with the next flush.
    pub async fn append_durable_with_cursor(
        &self,
        records: Vec<NewRecord>,
        cursor: Option<(&str, u64)>,
        blob: Option<(&str, &[u8])>,
    ) -> Result<Vec<Appended>, StoreError> {
        let extra = Extra {
            cursor: cursor.map(|(n, v)| (n.to_owned(), v)),
            blob: blob.map(|(n, v)| (n.to_owned(), v.to_vec())),
        };
        // Without records only a position moves: it needs no flush of its
        // own (one lost in a crash means reading those entries again, and an
        // older kept checkpoint is still one the log must extend), so it
        // rides on the next flush instead of costing one.
        let durability = if records.is_empty() {
            Durability::Applied
        } else {
            Durability::Flushed
        };
        self.append_with(records, extra, durability).await
    }

    async fn append_with(
        &self,
        records: Vec<NewRecord>,
        extra: Extra,
        durability: Durability,
    ) -> Result<Vec<Appended>, StoreError> {
        // Hashing the envelopes is the caller's work, not the writer's.
        let leaves: Vec<Hash> = records
            .iter()
            .map(|r| envelope_leaf(&r.record.envelope))
            .collect();
        let (tree, assigned) = (self.tree()?, self.assigned.clone());
        let (out, head) = self
            .store
            .write(durability, move |tx| {
                append(tx, &tree, &assigned, records, leaves, extra)
            })
            .await?;
        // Entries up to `head` are on disk; publish unless a later flush
        // already moved the durable head further.
        self.durable.send_if_modified(|d| {
            if head > *d {
                *d = head;
                true
            } else {
                false
            }
        });
        Ok(out)
    }

    /// The entry for a lesson id, if stored and durable.
    pub fn get(&self, id: &LessonId) -> Result<Option<LogRecord>, StoreError> {
        match seq_of_id(&*self.tree()?, id)? {
            Some(seq) if seq <= self.head() => self.entry(seq),
            _ => Ok(None),
        }
    }

    /// The entry at `seq`, if any.
    pub fn entry(&self, seq: u64) -> Result<Option<LogRecord>, StoreError> {
        entry(&*self.tree()?, seq)
    }

    /// Up to `limit` durable entries with `seq > after`, in order.
    pub fn range(&self, after: u64, limit: usize) -> Result<Vec<LogRecord>, StoreError> {
        self.range_within(after, limit, self.head())
    }

    /// [`HubLog::range`] within the first `size` entries (the tree of a
    /// checkpoint that proves them), never beyond the durable head.
    pub fn range_within(
        &self,
        after: u64,
        limit: usize,
        size: u64,
    ) -> Result<Vec<LogRecord>, StoreError> {
        let head = self.head().min(size);
        if after >= head {
            return Ok(Vec::new());
        }
        let start = seq_key(ENTRY, after.saturating_add(1));
        let end = seq_key(ENTRY, head);
        self.tree()?
            .range(start..=end)
            .take(limit)
            .map(|kv| {
                let (k, v) = kv?;
                decode(&format!("log/{}", seq_of(&k)?), &v)
            })
            .collect()
    }

    /// The durable withdrawals of lesson `id` and the readers' responses
    /// about it (feedback, questions, answers), in log order: an index
    /// written with each entry, so this reads only those entries.
    pub fn about(&self, id: &LessonId) -> Result<Vec<LogRecord>, StoreError> {
        let head = self.head();
        let tree = self.tree()?;
        let mut prefix = Vec::with_capacity(33);
        prefix.push(ABOUT);
        prefix.extend_from_slice(&id.0);
        let mut out = Vec::new();
        for kv in tree.scan_prefix(&prefix) {
            let (k, _) = kv?;
            let seq = k
                .get(33..41)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| StoreError::Corrupt {
                    key: format!("about/{id}"),
                    reason: "key is not a lesson id and a sequence number".into(),
                })?;
            if seq > head {
                continue;
            }
            if let Some(rec) = entry(&tree, seq)? {
                out.push(rec);
            }
        }
        Ok(out)
    }

    /// The last durable sequence number (0 for an empty log).
    pub fn head(&self) -> u64 {
        *self.durable.borrow()
    }

    /// A receiver that changes whenever the durable head moves.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.durable.subscribe()
    }

    /// Up to `limit` durable entries waiting to be relayed, oldest first.
    pub fn relay_pending(&self, limit: usize) -> Result<Vec<LogRecord>, StoreError> {
        let mut out = Vec::new();
        let head = self.head();
        for kv in self.tree()?.scan_prefix([RELAY]).take(limit) {
            let seq = seq_of(&kv?.0)?;
            if seq > head {
                break; // not durable yet: never relay what a crash could take back
            }
            if let Some(rec) = self.entry(seq)? {
                out.push(rec);
            }
        }
        Ok(out)
    }

    /// How many entries wait to be relayed.
    pub fn relay_len(&self) -> usize {
        self.tree()
            .map(|t| t.scan_prefix([RELAY]).count())
            .unwrap_or(0)
    }

    /// Mark entries as relayed (acknowledged upstream); durable with the
    /// next flush, which [`Store::is_durable`] with the ticket tells.
    pub async fn relay_done(&self, seqs: &[u64]) -> Result<Ticket, StoreError> {
        let mut batch = Batch::default();
        for &seq in seqs {
            batch.remove(&seq_key(RELAY, seq));
        }
        // Not flushed here: a mark lost in a crash only means the lesson is
        // relayed again and the cross hub answers DUPLICATE.
        self.apply(Durability::Applied, batch).await
    }

    /// A named cursor (0 if never set).
    pub fn cursor(&self, name: &str) -> Result<u64, StoreError> {
        cursor_get(&*self.tree()?, name)
    }

    /// The stored leaf hash of entry `seq`, if the tree covers it.
    pub fn leaf(&self, seq: u64) -> Result<Option<Hash>, StoreError> {
        if seq == 0 {
            return Ok(None);
        }
        let index = tazan_tlog::stored_hash_index(0, seq - 1);
        Hashes::new(&*self.tree()?, None).get(index)
    }

    /// The tree head over the first `size` entries (`size` ≤ [`HubLog::head`]).
    pub fn tree_head(&self, size: u64) -> Result<TreeHead, StoreError> {
        self.within_head(size)?;
        let root = tazan_tlog::tree_hash(size, &Hashes::new(&*self.tree()?, None))
            .map_err(tree_corrupt)?;
        Ok(TreeHead { size, root: root.0 })
    }

    /// Inclusion proofs of entries `seqs` in the tree of `size` entries.
    /// Hashes shared by the proofs are read once.
    pub fn inclusion_proofs(&self, seqs: &[u64], size: u64) -> Result<Vec<Vec<Hash>>, StoreError> {
        self.within_head(size)?;
        let tree = self.tree()?;
        let reader = Hashes::new(&tree, None);
        seqs.iter()
            .map(|&seq| {
                if seq == 0 || seq > size {
                    return Err(StoreError::Corrupt {
                        key: format!("log/{seq}"),
                        reason: format!("not in a tree of {size} entries"),
                    });
                }
                tazan_tlog::prove_record(size, seq - 1, &reader).map_err(tree_corrupt)
            })
            .collect()
    }

    /// A consistency proof from the tree of `old` entries to that of `new`
    /// (empty when `old` is 0 or equals `new`).
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        self.within_head(new)?;
        if old == 0 || old >= new {
            return Ok(Vec::new());
        }
        tazan_tlog::prove_tree(new, old, &Hashes::new(&*self.tree()?, None)).map_err(tree_corrupt)
    }

    fn within_head(&self, size: u64) -> Result<(), StoreError> {
        let head = self.head();
        if size > head {
            return Err(StoreError::Corrupt {
                key: "merkle".into(),
                reason: format!(
                    "tree size {size} asked for, but the durable log has {head} entries"
                ),
            });
        }
        Ok(())
    }

    /// A named value (a checkpoint kept from a followed log, witness state).
    pub fn blob(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree()?.get(blob_key(name))?.map(|v| v.to_vec()))
    }

    /// Store a named value, durable with the next flush (within a second).
    pub async fn put_blob(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        batch.insert(blob_key(name), value);
        self.apply(Durability::Applied, batch).await.map(drop)
    }

    /// Store a named value durably.
    pub async fn set_blob(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        batch.insert(blob_key(name), value);
        self.apply(Durability::Flushed, batch).await.map(drop)
    }

    /// Forget a named cursor (it reads 0 again), e.g. the search index's
    /// after a restore, so a derived index is rebuilt from the start.
    /// Blocking: for a store being prepared outside an async runtime.
    pub fn clear_cursor_blocking(&self, name: &str) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        batch.remove(cursor_key(name));
        let tree = self.tree()?;
        self.store
            .write_blocking(Durability::Flushed, move |tx| tx.apply(&tree, batch))
            .map(drop)
    }

    /// Store a named cursor durably.
    pub async fn set_cursor(&self, name: &str, value: u64) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        batch.insert(cursor_key(name), &value.to_be_bytes());
        self.apply(Durability::Flushed, batch).await.map(drop)
    }

    async fn apply(&self, durability: Durability, batch: Batch) -> Result<Ticket, StoreError> {
        let tree = self.tree()?;
        self.store
            .write(durability, move |tx| tx.apply(&tree, batch))
            .await
    }

    /// After the store was reopened: read the head again now rather than
    /// at the next append, so entries that reached the disk are served.
    pub fn refresh(&self) -> Result<(), StoreError> {
        let tree = self.tree()?;
        let on_disk = {
            let mut head = self.assigned.lock().unwrap_or_else(|p| p.into_inner());
            reload_head(&tree, &mut head)?;
            head.seq
        };
        // Read from disk: durable.
        self.durable.send_if_modified(|d| {
            if on_disk > *d {
                *d = on_disk;
                true
            } else {
                false
            }
        });
        Ok(())
    }
}

/// Hash entries the tree does not cover yet (all of them in a store from
/// before the tree), in chunks, each chunk with the tree size. On the
/// writer thread.
fn build_tree(tx: &mut Tx<'_>, tree: &Tree, head: u64) -> Result<(), StoreError> {
    let mut size = cursor_get(tree, TREE_SIZE)?;
    if size >= head {
        return Ok(());
    }
    info!(
        from = size,
        to = head,
        "building the Merkle tree of entries stored without one"
    );
    while size < head {
        let end = (size + BUILD_CHUNK).min(head);
        let mut batch = Batch::default();
        let mut pending = Pending::default();
        for seq in size + 1..=end {
            let rec = entry(tree, seq)?.ok_or_else(|| StoreError::Corrupt {
                key: format!("log/{seq}"),
                reason: format!("entry missing below the log head {head}"),
            })?;
            add_leaf(tree, seq, envelope_leaf(&rec.envelope), &mut pending)?;
        }
        pending.write(&mut batch);
        batch.insert(cursor_key(TREE_SIZE), &end.to_be_bytes());
        tx.apply(tree, batch)?;
        size = end;
    }
    Ok(())
}

/// Index what names a lesson (see [`ABOUT`]) in entries stored before the
/// index existed, in chunks.
fn build_about(tx: &mut Tx<'_>, tree: &Tree, head: u64) -> Result<(), StoreError> {
    let mut size = cursor_get(tree, ABOUT_SIZE)?;
    if size >= head {
        return Ok(());
    }
    info!(
        from = size,
        to = head,
        "indexing withdrawals and responses by lesson"
    );
    while size < head {
        let end = (size + BUILD_CHUNK).min(head);
        let mut batch = Batch::default();
        for seq in size + 1..=end {
            if let Some(target) = entry(tree, seq)?.as_ref().and_then(about) {
                batch.insert(about_key(&target, seq).as_slice(), &[]);
            }
        }
        batch.insert(cursor_key(ABOUT_SIZE), &end.to_be_bytes());
        tx.apply(tree, batch)?;
        size = end;
    }
    Ok(())
}

/// Add the tree hashes that entry `seq` with leaf hash `leaf` brings to
/// `pending` (which later leaves of the same write read, and which
/// [`Pending::write`] puts into the write's batch).
fn add_leaf(
    tree: &sled::Tree,
    seq: u64,
    leaf: Hash,
    pending: &mut Pending,
) -> Result<(), StoreError> {
    let index = seq - 1;
    let hashes = {
        let reader = Hashes::new(tree, Some(&pending.map));
        tazan_tlog::stored_hashes_for_record_hash(index, leaf, &reader).map_err(tree_corrupt)?
    };
    let first = tazan_tlog::stored_hash_index(0, index);
    for (i, h) in hashes.into_iter().enumerate() {
        pending.push(first + i as u64, h);
    }
    Ok(())
}

/// One append, on the writer thread: new records get the next sequence
/// numbers, their id index, relay marks and tree hashes, all in one batch.
fn append(
    tx: &mut Tx<'_>,
    tree: &Tree,
    assigned: &Mutex<Head>,
    records: Vec<NewRecord>,
    leaves: Vec<Hash>,
    extra: Extra,
) -> Result<(Vec<Appended>, u64), StoreError> {
    // Changed only here and by a refresh; a poisoned lock still holds the
    // last assigned sequence number.
    let mut assigned = assigned.lock().unwrap_or_else(|p| p.into_inner());
    reload_head(tree, &mut assigned)?;
    let head = assigned.seq;
    let mut batch = Batch::default();
    let mut pending = Pending::default();
    let mut out = Vec::with_capacity(records.len());
    let mut fresh: Vec<(LessonId, u64)> = Vec::new();
    let mut next = head;
    for (NewRecord { mut record, relay }, leaf) in records.into_iter().zip(leaves) {
        let existing = match fresh.iter().find(|(id, _)| *id == record.id) {
            Some(&(_, seq)) => Some(seq),
            None => seq_of_id(tree, &record.id)?,
        };
        if let Some(seq) = existing {
            out.push(Appended {
                seq,
                duplicate: true,
            });
            continue;
        }
        next += 1;
        record.seq = next;
        batch.insert(&seq_key(ENTRY, next), encode(&record)?);
        batch.insert(id_key(&record.id).as_slice(), &next.to_be_bytes());
        if relay {
            batch.insert(&seq_key(RELAY, next), &[]);
        }
        if let Some(target) = about(&record) {
            batch.insert(about_key(&target, next).as_slice(), &[]);
        }
        add_leaf(tree, next, leaf, &mut pending)?;
        fresh.push((record.id, next));
        out.push(Appended {
            seq: next,
            duplicate: false,
        });
    }
    let has_extra = extra.cursor.is_some() || extra.blob.is_some();
    if let Some((name, value)) = extra.cursor {
        batch.insert(cursor_key(&name), &value.to_be_bytes());
    }
    if let Some((name, value)) = extra.blob {
        batch.insert(blob_key(&name), value);
    }
    if next != head {
        pending.write(&mut batch);
        batch.insert(cursor_key(TREE_SIZE), &next.to_be_bytes());
        // The index covers these entries too, if it covered all before them
        // (a log opened without building it catches up at its next open).
        if cursor_get(tree, ABOUT_SIZE)? == head {
            batch.insert(cursor_key(ABOUT_SIZE), &next.to_be_bytes());
        }
    }
    if next != head || has_extra {
        tx.apply(tree, batch)?;
        debug!(from = head + 1, to = next, "appended");
        assigned.seq = next;
    }
    Ok((out, next))
}

/// If the store was reopened since `head` was read, read it again from
/// disk (what was assigned but not flushed may be gone).
fn reload_head(tree: &Tree, head: &mut Head) -> Result<(), StoreError> {
    if head.era == tree.era() {
        return Ok(());
    }
    let on_disk = last_entry(tree)?;
    if on_disk != head.seq {
        info!(
            assigned = head.seq,
            on_disk, "log head read again after the store was reopened"
        );
    }
    *head = Head {
        seq: on_disk,
        era: tree.era(),
    };
    Ok(())
}

fn seq_of_id(tree: &sled::Tree, id: &LessonId) -> Result<Option<u64>, StoreError> {
    match tree.get(id_key(id))? {
        None => Ok(None),
        Some(v) => {
            let b: [u8; 8] = v.as_ref().try_into().map_err(|_| StoreError::Corrupt {
                key: format!("by-id/{id}"),
                reason: "sequence is not 8 bytes".into(),
            })?;
            Ok(Some(u64::from_be_bytes(b)))
        }
    }
}

fn entry(tree: &sled::Tree, seq: u64) -> Result<Option<LogRecord>, StoreError> {
    tree.get(seq_key(ENTRY, seq))?
        .map(|v| decode(&format!("log/{seq}"), &v))
        .transpose()
}

/// The leaf hash of a stored envelope.
pub fn envelope_leaf(e: &StoredEnvelope) -> Hash {
    tazan_tlog::leaf_hash(&e.payload, &e.signer, &e.signature)
}

fn tree_corrupt(e: TreeError) -> StoreError {
    StoreError::Corrupt {
        key: "merkle".into(),
        reason: e.to_string(),
    }
}

/// Tree hashes of a write being prepared: their indexes are contiguous, so
/// they go to sled as one value under the first index.
#[derive(Default)]
struct Pending {
    map: HashMap<u64, Hash>,
    start: u64,
    bytes: Vec<u8>,
}

impl Pending {
    fn push(&mut self, at: u64, h: Hash) {
        if self.bytes.is_empty() {
            self.start = at;
        }
        debug_assert_eq!(at, self.start + (self.bytes.len() / 32) as u64);
        self.bytes.extend_from_slice(&h.0);
        self.map.insert(at, h);
    }

    fn write(&self, batch: &mut Batch) {
        if !self.bytes.is_empty() {
            batch.insert(&seq_key(HASH, self.start), self.bytes.as_slice());
        }
    }
}

/// Reads tree hashes from sled (and from a write being prepared), keeping
/// the runs it read for the proofs that follow.
pub(crate) struct Hashes<'a> {
    tree: &'a sled::Tree,
    pending: Option<&'a HashMap<u64, Hash>>,
    runs: RefCell<Vec<(u64, sled::IVec)>>,
}

impl<'a> Hashes<'a> {
    pub(crate) fn new(tree: &'a sled::Tree, pending: Option<&'a HashMap<u64, Hash>>) -> Self {
        Hashes {
            tree,
            pending,
            runs: RefCell::default(),
        }
    }

    fn in_run(start: u64, run: &[u8], index: u64) -> Option<Hash> {
        let at = usize::try_from(index.checked_sub(start)?)
            .ok()?
            .checked_mul(32)?;
        run.get(at..at + 32)
            .and_then(|b| b.try_into().ok())
            .map(Hash)
    }

    fn get(&self, index: u64) -> Result<Option<Hash>, StoreError> {
        if let Some(h) = self.pending.and_then(|p| p.get(&index)) {
            return Ok(Some(*h));
        }
        for (start, run) in self.runs.borrow().iter() {
            if let Some(h) = Self::in_run(*start, run, index) {
                return Ok(Some(h));
            }
        }
        // The run holding `index` is the last one starting at or before it.
        let Some(kv) = self
            .tree
            .range(seq_key(HASH, 0)..=seq_key(HASH, index))
            .next_back()
        else {
            return Ok(None);
        };
        let (k, v) = kv?;
        let start = seq_of(&k)?;
        if !v.len().is_multiple_of(32) {
            return Err(StoreError::Corrupt {
                key: format!("merkle/{start}"),
                reason: "tree hashes are not a multiple of 32 bytes".into(),
            });
        }
        let h = Self::in_run(start, &v, index);
        if h.is_some() {
            self.runs.borrow_mut().push((start, v));
        }
        Ok(h)
    }
}

impl HashReader for Hashes<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        indexes
            .iter()
            .map(|&i| match self.get(i) {
                Ok(Some(h)) => Ok(h),
                Ok(None) => Err(TreeError::InvalidInput(format!("tree hash {i} is missing"))),
                Err(e) => Err(TreeError::InvalidInput(e.to_string())),
            })
            .collect()
    }
}

pub(crate) fn blob_key(name: &str) -> Vec<u8> {
    let mut k = vec![BLOB];
    k.extend_from_slice(name.as_bytes());
    k
}

/// The lesson a withdrawal or a response names (none for a lesson).
fn about(record: &LogRecord) -> Option<LessonId> {
    use tazan_model::{Payload, PayloadKind};
    if record.kind == PayloadKind::Lesson {
        return None;
    }
    match Payload::from_canonical_bytes(&record.envelope.payload) {
        Ok(Payload::Withdrawal(w)) => Some(w.target),
        Ok(Payload::Response(r)) => Some(r.lesson),
        _ => None,
    }
}

fn about_key(id: &LessonId, seq: u64) -> [u8; 41] {
    let mut k = [0u8; 41];
    k[0] = ABOUT;
    k[1..33].copy_from_slice(&id.0);
    k[33..].copy_from_slice(&seq.to_be_bytes());
    k
}

fn id_key(id: &LessonId) -> [u8; 33] {
    let mut k = [0u8; 33];
    k[0] = BY_ID;
    k[1..].copy_from_slice(&id.0);
    k
}

pub(crate) fn cursor_key(name: &str) -> Vec<u8> {
    let mut k = vec![CURSOR];
    k.extend_from_slice(name.as_bytes());
    k
}

/// The last sequence number stored in a log tree (0 for none).
fn last_entry(tree: &sled::Tree) -> Result<u64, StoreError> {
    match tree.scan_prefix([ENTRY]).next_back() {
        Some(kv) => seq_of(&kv?.0),
        None => Ok(0),
    }
}

pub(crate) fn cursor_get(tree: &sled::Tree, name: &str) -> Result<u64, StoreError> {
    match tree.get(cursor_key(name))? {
        None => Ok(0),
        Some(v) => {
            let b: [u8; 8] = v.as_ref().try_into().map_err(|_| StoreError::Corrupt {
                key: format!("cursor/{name}"),
                reason: "cursor is not 8 bytes".into(),
            })?;
            Ok(u64::from_be_bytes(b))
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use tazan_model::{DisclosureLevel, PayloadKind};

    use super::*;
    use crate::StoredEnvelope;

    pub(crate) fn record(n: u32) -> LogRecord {
        LogRecord {
            seq: 0,
            id: LessonId::of(&n.to_be_bytes()),
            kind: PayloadKind::Lesson,
            level: DisclosureLevel::Green,
            envelope: StoredEnvelope {
                payload: n.to_be_bytes().to_vec(),
                signer: "ed25519-00".into(),
                signature: vec![0; 64],
            },
            origin: "member-a".parse().unwrap(),
            origin_group: "finance".into(),
            received_at: 1,
            industry: "金融".into(),
            domain: "technical".into(),
            cause: "設定ミス".into(),
        }
    }

    fn new(n: u32, relay: bool) -> NewRecord {
        NewRecord {
            record: record(n),
            relay,
        }
    }

    /// A record of `payload` (its id and kind from it).
    fn of_payload(payload: &tazan_model::Payload) -> NewRecord {
        let bytes = payload.to_canonical_bytes();
        let mut r = record(0);
        r.id = LessonId::of(&bytes);
        r.kind = payload.kind();
        r.envelope.payload = bytes;
        NewRecord {
            record: r,
            relay: false,
        }
    }

    #[tokio::test]
    async fn what_names_a_lesson_is_indexed_once_in_log_order() {
        use tazan_model::{FeedbackKind, Payload, Response, ResponseBody, Withdrawal};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let log = HubLog::open(&store).await.unwrap();
        let target = LessonId::of(b"lesson");
        let other = LessonId::of(b"other");
        let feedback = |lesson, reader: &str| {
            Payload::Response(Response {
                lesson,
                level: DisclosureLevel::Green,
                body: ResponseBody::Feedback {
                    kind: FeedbackKind::Applies,
                    comment: String::new(),
                },
                reader: reader.into(),
            })
        };
        let withdrawal = Payload::Withdrawal(Withdrawal {
            target,
            reason: "見直しのため".into(),
            level: DisclosureLevel::Green,
        });
        log.append_durable(vec![
            new(1, false),
            of_payload(&feedback(target, "r-a")),
            of_payload(&feedback(other, "r-a")),
            of_payload(&feedback(target, "r-a")), // the same again: a duplicate
            of_payload(&withdrawal),
        ])
        .await
        .unwrap();
        let about: Vec<(u64, PayloadKind)> = log
            .about(&target)
            .unwrap()
            .iter()
            .map(|r| (r.seq, r.kind))
            .collect();
        assert_eq!(
            about,
            vec![(2, PayloadKind::Response), (4, PayloadKind::Withdrawal)]
        );
        assert_eq!(log.about(&other).unwrap().len(), 1);
        assert!(log
            .about(&LessonId::of(&1u32.to_be_bytes()))
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn sequence_is_gapless_and_duplicates_are_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let log = HubLog::open(&store).await.unwrap();
        let out = log
            .append_durable(vec![new(1, false), new(2, true), new(1, false)])
            .await
            .unwrap();
        assert_eq!(
            out,
            vec![
                Appended {
                    seq: 1,
                    duplicate: false
                },
                Appended {
                    seq: 2,
                    duplicate: false
                },
                Appended {
                    seq: 1,
                    duplicate: true
                },
            ]
        );
        let again = log
            .append_durable(vec![new(2, true), new(3, false)])
            .await
            .unwrap();
        assert_eq!(
            again[0],
            Appended {
                seq: 2,
                duplicate: true
            }
        );
        assert_eq!(
            again[1],
            Appended {
                seq: 3,
                duplicate: false
            }
        );
        assert_eq!(log.head(), 3);
        let seqs: Vec<u64> = log.range(0, 10).unwrap().iter().map(|r| r.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3]);
        assert_eq!(log.range(1, 1).unwrap()[0].seq, 2);
        assert!(log.range(3, 10).unwrap().is_empty());
        // Within a smaller tree, and never past the head.
        let within = |after, size| -> Vec<u64> {
            let page = log.range_within(after, 10, size).unwrap();
            page.iter().map(|r| r.seq).collect()
        };
        assert_eq!(within(0, 2), vec![1, 2]);
        assert_eq!(within(1, 2), vec![2]);
        assert!(within(2, 2).is_empty());
        assert_eq!(within(0, 99), vec![1, 2, 3]);
        assert_eq!(log.relay_len(), 1);
        assert_eq!(log.get(&record(2).id).unwrap().unwrap().seq, 2);
    }

    #[tokio::test]
    async fn a_followed_position_without_entries_rides_on_the_next_flush() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let log = HubLog::open(&store).await.unwrap();
        log.append_durable(vec![new(1, true)]).await.unwrap();
        // A write answered once applied, as a witness of what flushed since.
        let mark = log.relay_done(&[1]).await.unwrap();
        assert!(!store.is_durable(mark));
        log.append_durable_with_cursor(Vec::new(), Some(("upstream", 7)), Some(("cp", b"note")))
            .await
            .unwrap();
        assert_eq!(log.cursor("upstream").unwrap(), 7, "applied at once");
        assert_eq!(log.blob("cp").unwrap().as_deref(), Some(b"note".as_slice()));
        assert!(
            !store.is_durable(mark),
            "a position alone must not cost a flush"
        );
        // With entries the write is durable before it answers, and so is
        // everything written before it.
        log.append_durable_with_cursor(vec![new(2, false)], Some(("upstream", 8)), None)
            .await
            .unwrap();
        assert!(store.is_durable(mark));
        assert_eq!(log.cursor("upstream").unwrap(), 8);
        assert_eq!(log.head(), 2);
    }

    #[tokio::test]
    async fn log_relay_outbox_and_cursors_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let log = HubLog::open(&store).await.unwrap();
            log.append_durable(vec![new(1, true), new(2, true)])
                .await
                .unwrap();
            log.relay_done(&[1]).await.unwrap();
            log.set_cursor("upstream", 42).await.unwrap();
        }
        let store = Store::open_waiting(dir.path(), std::time::Duration::from_secs(2)).unwrap();
        let log = HubLog::open(&store).await.unwrap();
        assert_eq!(log.head(), 2);
        let pending: Vec<u64> = log
            .relay_pending(10)
            .unwrap()
            .iter()
            .map(|r| r.seq)
            .collect();
        assert_eq!(pending, vec![2]);
        assert_eq!(log.cursor("upstream").unwrap(), 42);
        assert_eq!(log.cursor("other").unwrap(), 0);
        let out = log.append_durable(vec![new(3, false)]).await.unwrap();
        assert_eq!(out[0].seq, 3);
    }

    #[tokio::test]
    async fn tree_follows_appends_and_a_store_without_one_gets_it_built() {
        let dir = tempfile::tempdir().unwrap();
        let (root, proofs) = {
            let store = Store::open(dir.path()).unwrap();
            let log = HubLog::open(&store).await.unwrap();
            // Several writes, one of them with a duplicate inside.
            log.append_durable(vec![new(1, false), new(2, false), new(1, false)])
                .await
                .unwrap();
            for n in 3..=11 {
                log.append_durable(vec![new(n, false)]).await.unwrap();
            }
            assert_eq!(log.head(), 11);
            let head = log.tree_head(11).unwrap();
            let proofs = log.inclusion_proofs(&[1, 6, 11], 11).unwrap();
            let key = tazan_trust::KeyPair::generate();
            let cp = tazan_tlog::SignedCheckpoint::sign("tazan/hub/h", head, &key).unwrap();
            for (seq, p) in [1u64, 6, 11].iter().zip(&proofs) {
                let leaf = log.leaf(*seq).unwrap().unwrap();
                assert_eq!(
                    leaf,
                    envelope_leaf(&log.entry(*seq).unwrap().unwrap().envelope)
                );
                tazan_tlog::check_inclusion(&cp, *seq, "x", leaf, p).unwrap();
            }
            let old = log.tree_head(4).unwrap();
            let p = log.consistency_proof(4, 11).unwrap();
            tazan_tlog::check_consistency("h", old, head, &p).unwrap();
            assert!(log.tree_head(12).is_err(), "beyond the durable head");
            // Forget the tree, as in a store written before it existed.
            let tree = log.tree().unwrap();
            let hashes: Vec<_> = tree.scan_prefix([HASH]).keys().collect();
            for k in hashes {
                tree.remove(k.unwrap()).unwrap();
            }
            tree.remove(cursor_key(TREE_SIZE)).unwrap();
            store.flush_blocking().unwrap();
            (head.root, proofs)
        };
        let store = Store::open_waiting(dir.path(), std::time::Duration::from_secs(2)).unwrap();
        let log = HubLog::open(&store).await.unwrap();
        assert_eq!(
            log.tree_head(11).unwrap().root,
            root,
            "rebuilt the same tree"
        );
        assert_eq!(log.inclusion_proofs(&[1, 6, 11], 11).unwrap(), proofs);
        log.append_durable(vec![new(12, false)]).await.unwrap();
        assert_eq!(log.cursor(TREE_SIZE).unwrap(), 12);
    }

    #[tokio::test]
    async fn watch_fires_when_durable() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let log = std::sync::Arc::new(HubLog::open(&store).await.unwrap());
        let mut rx = log.watch();
        let writer = log.clone();
        let task = tokio::spawn(async move { writer.append_durable(vec![new(7, false)]).await });
        rx.changed().await.unwrap();
        assert_eq!(*rx.borrow(), 1);
        task.await.unwrap().unwrap();
    }
}
