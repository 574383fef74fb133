use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tazan_model::{DisclosureLevel, LessonId, PayloadKind};

use crate::db::Tree;
use crate::db::{decode, encode, seq_key, seq_of};
use crate::hub::{blob_key, cursor_get, cursor_key};
use crate::writer::{Batch, Durability};
use crate::{Store, StoreError, StoredEnvelope};

const ITEM: u8 = b'o';
const ITEM_ID: u8 = b'i';
const SETTLED: u8 = b'h';

fn item_id_key(id: &LessonId) -> [u8; 33] {
    let mut k = [0u8; 33];
    k[0] = ITEM_ID;
    k[1..].copy_from_slice(&id.0);
    k
}

/// A signed envelope waiting for its hub's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    /// Position in the outbox, from 1.
    pub seq: u64,
    /// Lesson or withdrawal id.
    pub id: LessonId,
    /// Lesson or withdrawal.
    pub kind: PayloadKind,
    /// Disclosure level.
    pub level: DisclosureLevel,
    /// The signed envelope.
    pub envelope: StoredEnvelope,
    /// Unix seconds when queued.
    pub queued_at: u64,
    /// Delivery attempts so far.
    pub attempts: u32,
}

/// What became of an envelope the node sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryOutcome {
    /// Stored by the hub for the first time, at this log sequence number.
    Accepted {
        /// The hub's sequence number.
        hub_seq: u64,
    },
    /// The hub had it already (a retry), at this log sequence number.
    Duplicate {
        /// The hub's sequence number.
        hub_seq: u64,
    },
    /// Refused for good by the hub, with its reason.
    Refused {
        /// The hub's field and message.
        reason: String,
    },
}

/// An outbox item that left the outbox, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    /// The item as it was queued (its attempts included).
    pub item: OutboxItem,
    /// What the hub answered.
    pub outcome: DeliveryOutcome,
    /// Unix seconds of the answer.
    pub settled_at: u64,
}

/// The node's outbox: signed envelopes kept until a hub acknowledges them.
pub struct Outbox {
    store: Store,
    /// Last assigned outbox number; changed only on the writer thread.
    /// Numbering only needs to grow: after the store is reopened the disk
    /// holds at most what was numbered, so it is not read again.
    next: Arc<AtomicU64>,
}

const OUTBOX_TREE: &str = "node-outbox";
const LIBRARY_TREE: &str = "node-library";
const RECEIPTS_TREE: &str = "node-receipts";

impl Outbox {
    /// Open the outbox in `store`.
    pub fn open(store: &Store) -> Result<Outbox, StoreError> {
        let tree = store.tree(OUTBOX_TREE)?;
        let last = match tree.scan_prefix([ITEM]).next_back() {
            Some(kv) => seq_of(&kv?.0)?,
            None => 0,
        };
        Ok(Outbox {
            store: store.clone(),
            next: Arc::new(AtomicU64::new(last)),
        })
    }

    fn tree(&self) -> Result<Tree, StoreError> {
        self.store.tree(OUTBOX_TREE)
    }

    /// Queue an item durably; returns its outbox sequence number. An id
    /// already waiting is not queued twice.
    pub async fn enqueue(&self, item: OutboxItem) -> Result<u64, StoreError> {
        self.insert_with(item, Durability::Flushed).await
    }

    /// Queue an item without waiting for the disk: visible to
    /// [`Outbox::pending`] once this returns, durable after the next
    /// [`Store::flush`]. Lets a sender start delivering while the local flush
    /// runs; the caller must flush before telling anyone the item is queued.
    pub async fn insert(&self, item: OutboxItem) -> Result<u64, StoreError> {
        self.insert_with(item, Durability::Applied).await
    }

    async fn insert_with(
        &self,
        mut item: OutboxItem,
        durability: Durability,
    ) -> Result<u64, StoreError> {
        let (tree, next) = (self.tree()?, self.next.clone());
        self.store
            .write(durability, move |tx| {
                if let Some(existing) = tree.get(item_id_key(&item.id))? {
                    return seq_of_value(&existing);
                }
                let seq = next.load(Ordering::SeqCst) + 1;
                item.seq = seq;
                let mut batch = Batch::default();
                batch.insert(&seq_key(ITEM, seq), encode(&item)?);
                batch.insert(item_id_key(&item.id).as_slice(), &seq.to_be_bytes());
                tx.apply(&tree, batch)?;
                next.store(seq, Ordering::SeqCst);
                Ok(seq)
            })
            .await
    }

    /// Up to `limit` waiting items, oldest first.
    pub fn pending(&self, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        self.tree()?
            .scan_prefix([ITEM])
            .take(limit)
            .map(|kv| {
                let (k, v) = kv?;
                decode(&format!("outbox/{}", seq_of(&k)?), &v)
            })
            .collect()
    }

    /// How many items wait.
    pub fn len(&self) -> usize {
        self.tree()
            .map(|t| t.scan_prefix([ITEM]).count())
            .unwrap_or(0)
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Remove acknowledged items (made durable by the next flush).
    pub async fn ack(&self, seqs: &[u64]) -> Result<(), StoreError> {
        let (tree, seqs) = (self.tree()?, seqs.to_vec());
        // Not flushed here: an acknowledgement lost in a crash only means the
        // item is sent again, and the hub answers DUPLICATE. The next flush
        // (any enqueue, or shutdown) makes it durable.
        self.store
            .write(Durability::Applied, move |tx| {
                let mut batch = Batch::default();
                for seq in seqs {
                    let key = seq_key(ITEM, seq);
                    if let Some(v) = tree.get(key)? {
                        let item: OutboxItem = decode(&format!("outbox/{seq}"), &v)?;
                        batch.remove(item_id_key(&item.id).as_slice());
                    }
                    batch.remove(&key);
                }
                tx.apply(&tree, batch).map(drop)
            })
            .await
    }

    /// Remove answered items and keep what became of each in the delivery
    /// history ([`Outbox::history`]), in one atomic write (durable with the
    /// next flush, like [`Outbox::ack`]).
    pub async fn settle(&self, answers: &[(u64, DeliveryOutcome)]) -> Result<(), StoreError> {
        let (tree, answers) = (self.tree()?, answers.to_vec());
        self.store
            .write(Durability::Applied, move |tx| {
                let mut batch = Batch::default();
                let now = crate::now_unix();
                for (seq, outcome) in answers {
                    let key = seq_key(ITEM, seq);
                    if let Some(v) = tree.get(key)? {
                        let item: OutboxItem = decode(&format!("outbox/{seq}"), &v)?;
                        batch.remove(item_id_key(&item.id).as_slice());
                        let settled = Delivered {
                            item,
                            outcome,
                            settled_at: now,
                        };
                        batch.insert(&seq_key(SETTLED, seq), encode(&settled)?);
                    }
                    batch.remove(&key);
                }
                tx.apply(&tree, batch).map(drop)
            })
            .await
    }

    /// Up to `limit` answered items, newest first.
    pub fn history(&self, limit: usize) -> Result<Vec<Delivered>, StoreError> {
        self.tree()?
            .scan_prefix([SETTLED])
            .rev()
            .take(limit)
            .map(|kv| {
                let (k, v) = kv?;
                decode(&format!("outbox-history/{}", seq_of(&k)?), &v)
            })
            .collect()
    }

    /// Record a failed attempt on items (kept for retry); each item as
    /// given replaces the stored one (e.g. signed again), with one more attempt.
    pub async fn attempted(&self, items: &[OutboxItem]) -> Result<(), StoreError> {
        let items: Vec<OutboxItem> = items
            .iter()
            .map(|i| OutboxItem {
                attempts: i.attempts.saturating_add(1),
                ..i.clone()
            })
            .collect();
        let tree = self.tree()?;
        self.store
            .write(Durability::Applied, move |tx| {
                let mut batch = Batch::default();
                for item in items {
                    let key = seq_key(ITEM, item.seq);
                    // Only update if still present (not acked meanwhile).
                    if tree.get(key)?.is_some() {
                        batch.insert(&key, encode(&item)?);
                    }
                }
                tx.apply(&tree, batch).map(drop)
            })
            .await
    }
}

fn seq_of_value(v: &[u8]) -> Result<u64, StoreError> {
    let b: [u8; 8] = v.try_into().map_err(|_| StoreError::Corrupt {
        key: "outbox id index".into(),
        reason: "sequence is not 8 bytes".into(),
    })?;
    Ok(u64::from_be_bytes(b))
}

/// A lesson received from the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryEntry {
    /// Lesson or withdrawal id.
    pub id: LessonId,
    /// Sequence number at the hub it came from.
    pub hub_seq: u64,
    /// Lesson or withdrawal.
    pub kind: PayloadKind,
    /// Disclosure level.
    pub level: DisclosureLevel,
    /// The envelope as served by the hub.
    pub envelope: StoredEnvelope,
    /// Who delivered it to the hub (a member, or a group hub for relayed lessons).
    pub origin: String,
    /// The group it came from.
    pub origin_group: String,
    /// Unix seconds when the hub stored it.
    pub received_at: u64,
    /// Withdrawn by its publisher since.
    pub withdrawn: bool,
}

/// The node's library of lessons received from its hub.
pub struct Library {
    store: Store,
}

impl Library {
    /// Open the library in `store`.
    pub fn open(store: &Store) -> Result<Library, StoreError> {
        store.tree(LIBRARY_TREE)?;
        Ok(Library {
            store: store.clone(),
        })
    }

    fn tree(&self) -> Result<Tree, StoreError> {
        self.store.tree(LIBRARY_TREE)
    }

    /// Store received entries and advance the cursor `cursor` to `hub_seq` of
    /// the last one, in one atomic write (durable within a second). A
    /// withdrawal marks its target as withdrawn.
    ///
    /// `checkpoint` (a name and a value) is stored in the same write: the
    /// hub checkpoint the entries were verified against, so the entries and
    /// the checkpoint kept for the next resume never disagree.
    pub async fn put_batch(
        &self,
        cursor: &str,
        entries: &[(LibraryEntry, Option<LessonId>)],
        checkpoint: Option<(&str, &[u8])>,
    ) -> Result<(), StoreError> {
        let Some(last) = entries.last() else {
            return Ok(());
        };
        let mut batch = Batch::default();
        for (entry, _) in entries {
            batch.insert(library_key(&entry.id).as_slice(), encode(entry)?);
        }
        // A later write of a key in a batch wins: targets are marked after
        // every entry is in. One received in this same batch is marked here;
        // the others by the writer, which reads them.
        let mut withdrawn = Vec::new();
        for target in entries.iter().filter_map(|(_, w)| w.as_ref()) {
            match entries.iter().find(|(e, _)| e.id == *target) {
                Some((e, _)) => {
                    let mut e = e.clone();
                    e.withdrawn = true;
                    batch.insert(library_key(target).as_slice(), encode(&e)?);
                }
                None => withdrawn.push(*target),
            }
        }
        batch.insert(cursor_key(cursor), &last.0.hub_seq.to_be_bytes());
        if let Some((name, value)) = checkpoint {
            batch.insert(blob_key(name), value);
        }
        let tree = self.tree()?;
        // Not flushed here: entries and cursor move together atomically, and
        // if a crash takes both back the node simply fetches them again from
        // its hub. sled's background flush makes them durable within a second.
        self.store
            .write(Durability::Applied, move |tx| {
                for target in withdrawn {
                    if let Some(v) = tree.get(library_key(&target))? {
                        let mut e: LibraryEntry = decode(&format!("library/{target}"), &v)?;
                        e.withdrawn = true;
                        batch.insert(library_key(&target).as_slice(), encode(&e)?);
                    }
                }
                tx.apply(&tree, batch).map(drop)
            })
            .await
    }

    /// One entry by id.
    pub fn get(&self, id: &LessonId) -> Result<Option<LibraryEntry>, StoreError> {
        self.tree()?
            .get(library_key(id))?
            .map(|v| decode(&format!("library/{id}"), &v))
            .transpose()
    }

    /// Every entry, ordered by hub sequence number.
    pub fn all(&self) -> Result<Vec<LibraryEntry>, StoreError> {
        let mut out: Vec<LibraryEntry> = self
            .tree()?
            .scan_prefix([b'l'])
            .map(|kv| {
                let (_, v) = kv?;
                decode("library", &v)
            })
            .collect::<Result<_, _>>()?;
        out.sort_by_key(|e| e.hub_seq);
        Ok(out)
    }

    /// The subscription cursor `name` (0 if never set).
    pub fn cursor(&self, name: &str) -> Result<u64, StoreError> {
        cursor_get(&*self.tree()?, name)
    }

    /// A named value (the hub checkpoint last verified, the hub's pinned key).
    pub fn blob(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree()?.get(blob_key(name))?.map(|v| v.to_vec()))
    }

    /// Store a named value durably.
    pub async fn set_blob(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        batch.insert(blob_key(name), value);
        let tree = self.tree()?;
        self.store
            .write(Durability::Flushed, move |tx| {
                tx.apply(&tree, batch).map(drop)
            })
            .await
    }
}

fn library_key(id: &LessonId) -> [u8; 33] {
    let mut k = [0u8; 33];
    k[0] = b'l';
    k[1..].copy_from_slice(&id.0);
    k
}

/// The publisher's receipt for one of its lessons: where the hub stored it
/// and the proof that the hub's signed tree holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The lesson (or withdrawal).
    pub id: LessonId,
    /// Its sequence number in the hub's log.
    pub seq: u64,
    /// The leaf hash the hub committed to (of the envelope as sent).
    pub leaf: [u8; 32],
    /// Inclusion proof in the tree of the checkpoint.
    pub proof: Vec<[u8; 32]>,
    /// The hub's signed checkpoint (C2SP note) the proof refers to.
    pub checkpoint: Vec<u8>,
}

/// The node's receipts, by lesson id.
pub struct Receipts {
    store: Store,
}

impl Receipts {
    /// Open the receipts in `store`.
    pub fn open(store: &Store) -> Result<Receipts, StoreError> {
        store.tree(RECEIPTS_TREE)?;
        Ok(Receipts {
            store: store.clone(),
        })
    }

    fn tree(&self) -> Result<Tree, StoreError> {
        self.store.tree(RECEIPTS_TREE)
    }

    /// Keep receipts (durable with the next flush; a receipt lost in a crash
    /// is only a receipt: the lesson is still at the hub).
    pub async fn put(&self, receipts: &[Receipt]) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        for r in receipts {
            batch.insert(&r.id.0, encode(r)?);
        }
        let tree = self.tree()?;
        self.store
            .write(Durability::Applied, move |tx| {
                tx.apply(&tree, batch).map(drop)
            })
            .await
    }

    /// Every receipt, by hub sequence number.
    pub fn all(&self) -> Result<Vec<Receipt>, StoreError> {
        let mut out: Vec<Receipt> = self
            .tree()?
            .iter()
            .map(|kv| decode("receipts", &kv?.1))
            .collect::<Result<_, _>>()?;
        out.sort_by_key(|r| r.seq);
        Ok(out)
    }

    /// How many receipts are kept.
    pub fn len(&self) -> usize {
        self.tree().map(|t| t.len()).unwrap_or(0)
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(n: u8) -> OutboxItem {
        OutboxItem {
            seq: 0,
            id: LessonId::of(&[n]),
            kind: PayloadKind::Lesson,
            level: DisclosureLevel::Amber,
            envelope: StoredEnvelope {
                payload: vec![n],
                signer: "ed25519-00".into(),
                signature: vec![0; 64],
            },
            queued_at: 0,
            attempts: 0,
        }
    }

    #[tokio::test]
    async fn outbox_keeps_items_until_acked_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let out = Outbox::open(&store).unwrap();
            assert_eq!(out.enqueue(item(1)).await.unwrap(), 1);
            assert_eq!(out.enqueue(item(2)).await.unwrap(), 2);
            assert_eq!(
                out.enqueue(item(1)).await.unwrap(),
                1,
                "same id queued once"
            );
            out.ack(&[1]).await.unwrap();
            store.flush().await.unwrap();
        }
        let store = Store::open_waiting(dir.path(), std::time::Duration::from_secs(2)).unwrap();
        let out = Outbox::open(&store).unwrap();
        let left: Vec<u64> = out.pending(10).unwrap().iter().map(|i| i.seq).collect();
        assert_eq!(left, vec![2]);
        assert_eq!(
            out.enqueue(item(3)).await.unwrap(),
            3,
            "numbering continues after reopen"
        );
    }

    #[tokio::test]
    async fn settled_items_leave_the_outbox_and_enter_the_history() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let out = Outbox::open(&store).unwrap();
        for n in 1..=3 {
            out.enqueue(item(n)).await.unwrap();
        }
        out.settle(&[
            (1, DeliveryOutcome::Accepted { hub_seq: 7 }),
            (
                2,
                DeliveryOutcome::Refused {
                    reason: "payload.title: empty".into(),
                },
            ),
        ])
        .await
        .unwrap();
        let left: Vec<u64> = out.pending(10).unwrap().iter().map(|i| i.seq).collect();
        assert_eq!(left, vec![3]);
        let h = out.history(10).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].item.seq, 2, "newest first");
        assert!(matches!(h[0].outcome, DeliveryOutcome::Refused { .. }));
        assert_eq!(h[1].outcome, DeliveryOutcome::Accepted { hub_seq: 7 });
        assert_eq!(out.len(), 1, "history is not counted as waiting");
        // The same id can be queued again once settled.
        assert_eq!(out.enqueue(item(1)).await.unwrap(), 4);
    }

    #[tokio::test]
    async fn library_put_advances_cursor_and_applies_withdrawals() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let lib = Library::open(&store).unwrap();
        let entry = |n: u8, seq: u64, kind| LibraryEntry {
            id: LessonId::of(&[n]),
            hub_seq: seq,
            kind,
            level: DisclosureLevel::Green,
            envelope: StoredEnvelope {
                payload: vec![n],
                signer: "k".into(),
                signature: vec![],
            },
            origin: "x".into(),
            origin_group: "g".into(),
            received_at: 0,
            withdrawn: false,
        };
        lib.put_batch("hub", &[(entry(1, 5, PayloadKind::Lesson), None)], None)
            .await
            .unwrap();
        assert_eq!(lib.cursor("hub").unwrap(), 5);
        lib.put_batch(
            "hub",
            &[(
                entry(2, 6, PayloadKind::Withdrawal),
                Some(LessonId::of(&[1])),
            )],
            Some(("checkpoint", b"note")),
        )
        .await
        .unwrap();
        assert_eq!(lib.blob("checkpoint").unwrap().unwrap(), b"note");
        assert!(lib.get(&LessonId::of(&[1])).unwrap().unwrap().withdrawn);
        assert_eq!(lib.all().unwrap().len(), 2);
        assert_eq!(lib.cursor("hub").unwrap(), 6);
    }
}
