use serde::{Deserialize, Serialize};
use tazan_model::{DisclosureLevel, LessonId, PayloadKind};

use crate::db::Tree;
use crate::db::{decode, encode, seq_key, seq_of};
use crate::hub::{blob_key, cursor_get, cursor_key};
use crate::{Store, StoreError, StoredEnvelope, Ticket};

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
    next: std::sync::Mutex<u64>,
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
            // Numbering only needs to grow: after the store is reopened the
            // disk holds at most what was numbered, so it is not read again.
            next: std::sync::Mutex::new(last),
        })
    }

    fn tree(&self) -> Result<Tree, StoreError> {
        self.store.tree(OUTBOX_TREE)
    }

    /// Queue an item durably; returns its outbox sequence number. An id
    /// already waiting is not queued twice.
    pub async fn enqueue(&self, item: OutboxItem) -> Result<u64, StoreError> {
        let (seq, ticket) = self.insert_item(item)?;
        match ticket {
            Some(ticket) => self.store.flush_through(ticket).await?,
            None => self.store.flush().await?,
        }
        Ok(seq)
    }

    /// Queue an item without waiting for the disk: visible to
    /// [`Outbox::pending`] at once, durable after the next [`Store::flush`].
    /// Lets a sender start delivering while the local flush runs; the caller
    /// must flush before telling anyone the item is queued.
    pub fn insert(&self, item: OutboxItem) -> Result<u64, StoreError> {
        Ok(self.insert_item(item)?.0)
    }

    /// [`Outbox::insert`], with the write's ticket (none when the id was
    /// already waiting).
    fn insert_item(&self, mut item: OutboxItem) -> Result<(u64, Option<Ticket>), StoreError> {
        let tree = self.tree()?;
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = tree.get(item_id_key(&item.id))? {
            return Ok((seq_of_value(&existing)?, None));
        }
        *next += 1;
        item.seq = *next;
        let mut batch = sled::Batch::default();
        batch.insert(&seq_key(ITEM, item.seq), encode(&item)?);
        batch.insert(item_id_key(&item.id).as_slice(), &item.seq.to_be_bytes());
        let ticket = self.store.apply(&tree, batch)?;
        Ok((item.seq, Some(ticket)))
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
        let tree = self.tree()?;
        let mut batch = sled::Batch::default();
        for &seq in seqs {
            let key = seq_key(ITEM, seq);
            if let Some(v) = tree.get(key)? {
                let item: OutboxItem = decode(&format!("outbox/{seq}"), &v)?;
                batch.remove(item_id_key(&item.id).as_slice());
            }
            batch.remove(&key);
        }
        // Not flushed here: an acknowledgement lost in a crash only means the
        // item is sent again, and the hub answers DUPLICATE. The next flush
        // (any enqueue, or shutdown) makes it durable.
        self.store.apply(&tree, batch)?;
        Ok(())
    }

    /// Remove answered items and keep what became of each in the delivery
    /// history ([`Outbox::history`]), in one atomic write (durable with the
    /// next flush, like [`Outbox::ack`]).
    pub async fn settle(&self, answers: &[(u64, DeliveryOutcome)]) -> Result<(), StoreError> {
        let tree = self.tree()?;
        let mut batch = sled::Batch::default();
        let now = crate::now_unix();
        for (seq, outcome) in answers {
            let key = seq_key(ITEM, *seq);
            if let Some(v) = tree.get(key)? {
                let item: OutboxItem = decode(&format!("outbox/{seq}"), &v)?;
                batch.remove(item_id_key(&item.id).as_slice());
                let settled = Delivered {
                    item,
                    outcome: outcome.clone(),
                    settled_at: now,
                };
                batch.insert(&seq_key(SETTLED, *seq), encode(&settled)?);
            }
            batch.remove(&key);
        }
        self.store.apply(&tree, batch)?;
        Ok(())
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

    /// Record a failed attempt on an item (kept for retry).
    pub fn attempted(&self, item: &OutboxItem) -> Result<(), StoreError> {
        let mut item = item.clone();
        item.attempts = item.attempts.saturating_add(1);
        let key = seq_key(ITEM, item.seq);
        // Only update if still present (not acked concurrently).
        let tree = self.tree()?;
        if tree.get(key)?.is_some() {
            self.store.put(&tree, &key, &encode(&item)?)?;
        }
        Ok(())
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
        let mut batch = sled::Batch::default();
        let mut withdrawn = Vec::new();
        for (entry, withdraws) in entries {
            let mut k = vec![b'l'];
            k.extend_from_slice(&entry.id.0);
            batch.insert(k, encode(entry)?);
            if let Some(target) = withdraws {
                withdrawn.push(*target);
            }
        }
        for target in withdrawn {
            let mut k = vec![b'l'];
            k.extend_from_slice(&target.0);
            let existing = match entries.iter().find(|(e, _)| e.id == target) {
                Some((e, _)) => Some(e.clone()),
                None => self.get(&target)?,
            };
            if let Some(mut e) = existing {
                e.withdrawn = true;
                batch.insert(k, encode(&e)?);
            }
        }
        batch.insert(cursor_key(cursor), &last.0.hub_seq.to_be_bytes());
        if let Some((name, value)) = checkpoint {
            batch.insert(blob_key(name), value);
        }
        // Not flushed here: entries and cursor move together atomically, and
        // if a crash takes both back the node simply fetches them again from
        // its hub. sled's background flush makes them durable within a second.
        self.store.apply(&self.tree()?, batch)?;
        Ok(())
    }

    /// One entry by id.
    pub fn get(&self, id: &LessonId) -> Result<Option<LibraryEntry>, StoreError> {
        let mut k = vec![b'l'];
        k.extend_from_slice(&id.0);
        self.tree()?
            .get(k)?
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
        let ticket = self.store.put(&self.tree()?, &blob_key(name), value)?;
        self.store.flush_through(ticket).await
    }
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
    pub fn put(&self, receipts: &[Receipt]) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for r in receipts {
            batch.insert(&r.id.0, encode(r)?);
        }
        self.store.apply(&self.tree()?, batch)?;
        Ok(())
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
