use std::collections::HashMap;
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
    /// The sled tree: `node-outbox`, or `node-outbox/<group>` for a further group.
    name: String,
    /// Last assigned outbox number; changed only on the writer thread.
    /// Numbering only needs to grow: after the store is reopened the disk
    /// holds at most what was numbered, so it is not read again.
    next: Arc<AtomicU64>,
}

const OUTBOX_TREE: &str = "node-outbox";
const LIBRARY_TREE: &str = "node-library";
const RECEIPTS_TREE: &str = "node-receipts";

/// The tree `base` of the node's first group, or `base/<group>` of a further one.
fn scoped(base: &str, group: Option<&str>) -> String {
    match group {
        None => base.to_owned(),
        Some(g) => format!("{base}/{g}"),
    }
}

impl Outbox {
    /// Open the outbox in `store`.
    pub fn open(store: &Store) -> Result<Outbox, StoreError> {
        Outbox::open_for(store, None)
    }

    /// The outbox of one of the node's further groups (`None`: its first
    /// group, the outbox [`Outbox::open`] opens): each group has its own,
    /// so a group hub that does not answer holds up no other group.
    pub fn open_for(store: &Store, group: Option<&str>) -> Result<Outbox, StoreError> {
        let name = scoped(OUTBOX_TREE, group);
        let tree = store.tree(&name)?;
        let last = match tree.scan_prefix([ITEM]).next_back() {
            Some(kv) => seq_of(&kv?.0)?,
            None => 0,
        };
        Ok(Outbox {
            store: store.clone(),
            name,
            next: Arc::new(AtomicU64::new(last)),
        })
    }

    fn tree(&self) -> Result<Tree, StoreError> {
        self.store.tree(&self.name)
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

/// One way a library entry reached the node: through which of its group
/// hubs, from whom, at what position of that hub's log. A lesson relayed
/// down to two of the node's groups is stored once, with two origins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The node's group hub it was received from (its id; empty for an
    /// entry stored before origins were kept).
    pub via: String,
    /// Who delivered it to that hub (a member, or a group hub for relayed lessons).
    pub origin: String,
    /// The group it came from.
    pub origin_group: String,
    /// Its sequence number in that hub's log.
    pub hub_seq: u64,
}

impl Origin {
    fn of(via: &str, e: &LibraryEntry) -> Origin {
        Origin {
            via: via.to_owned(),
            origin: e.origin.clone(),
            origin_group: e.origin_group.clone(),
            hub_seq: e.hub_seq,
        }
    }
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
        self.put_batch_via("", cursor, entries.to_vec(), checkpoint)
            .await
    }

    /// [`Library::put_batch`] of entries received from the group hub `via`
    /// (its id), taken by value: they move to the writer thread as they are.
    /// An entry whose id the library holds already (the same
    /// lesson received through another of the node's groups) is not stored
    /// again: the library keeps the first copy, its withdrawal mark
    /// included, and adds `via` to its [`Library::origins`].
    pub async fn put_batch_via(
        &self,
        via: &str,
        cursor: &str,
        entries: Vec<(LibraryEntry, Option<LessonId>)>,
        checkpoint: Option<(&str, &[u8])>,
    ) -> Result<(), StoreError> {
        let Some(last) = entries.last() else {
            return Ok(());
        };
        let mut tail = Batch::default();
        tail.insert(cursor_key(cursor), &last.0.hub_seq.to_be_bytes());
        if let Some((name, value)) = checkpoint {
            tail.insert(blob_key(name), value);
        }
        let via = via.to_owned();
        let tree = self.tree()?;
        // Not flushed here: entries and cursor move together atomically, and
        // if a crash takes both back the node simply fetches them again from
        // its hub. sled's background flush makes them durable within a second.
        self.store
            .write(Durability::Applied, move |tx| {
                let mut batch = Batch::default();
                // Entries this batch stores, by id (their index in `entries`).
                let mut stored: HashMap<LessonId, usize> = HashMap::new();
                for (i, (entry, _)) in entries.iter().enumerate() {
                    let key = library_key(&entry.id);
                    let held = tree.get(key)?;
                    // Origins are written with their entry and entries are
                    // never removed, so an entry not held has none: one
                    // lookup per new entry instead of two.
                    let kept = match &held {
                        Some(_) => tree.get(origins_key(&entry.id))?,
                        None => None,
                    };
                    let mut origins: Vec<Origin> = match kept {
                        Some(v) => decode(&format!("library origins/{}", entry.id), &v)?,
                        None => match &held {
                            Some(v) => {
                                let e: LibraryEntry = decode(&format!("library/{}", entry.id), v)?;
                                vec![Origin::of("", &e)]
                            }
                            None => Vec::new(),
                        },
                    };
                    // An entry stored before origins were kept names no
                    // hub: the same entry again from its hub fills it in.
                    let legacy = origins.iter().position(|o| {
                        o.via.is_empty() && o.hub_seq == entry.hub_seq && o.origin == entry.origin
                    });
                    let known = origins
                        .iter()
                        .any(|o| o.via == via && o.hub_seq == entry.hub_seq);
                    match legacy {
                        Some(i) => origins[i].via.clone_from(&via),
                        None if !known => origins.push(Origin::of(&via, entry)),
                        None => {}
                    }
                    batch.insert(origins_key(&entry.id).as_slice(), encode(&origins)?);
                    if held.is_none() && !stored.contains_key(&entry.id) {
                        batch.insert(key.as_slice(), encode(entry)?);
                        stored.insert(entry.id, i);
                    }
                }
                // A later write of a key in a batch wins: targets are marked
                // after every entry is in.
                for target in entries.iter().filter_map(|(_, w)| w.as_ref()) {
                    let e = match stored.get(target) {
                        Some(&i) => Some(entries[i].0.clone()),
                        None => tree
                            .get(library_key(target))?
                            .map(|v| decode::<LibraryEntry>(&format!("library/{target}"), &v))
                            .transpose()?,
                    };
                    if let Some(mut e) = e {
                        e.withdrawn = true;
                        batch.insert(library_key(target).as_slice(), encode(&e)?);
                    }
                }
                batch.extend(tail);
                tx.apply(&tree, batch).map(drop)
            })
            .await
    }

    /// How entry `id` reached the node: one origin per group hub it came
    /// through, first received first (an entry stored before origins were
    /// kept has the one its entry names, with an empty `via`).
    pub fn origins(&self, id: &LessonId) -> Result<Vec<Origin>, StoreError> {
        let tree = self.tree()?;
        if let Some(v) = tree.get(origins_key(id))? {
            return decode(&format!("library origins/{id}"), &v);
        }
        Ok(self
            .get(id)?
            .map(|e| vec![Origin::of("", &e)])
            .unwrap_or_default())
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

fn origins_key(id: &LessonId) -> [u8; 33] {
    let mut k = [0u8; 33];
    k[0] = b'g';
    k[1..].copy_from_slice(&id.0);
    k
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
    name: String,
}

impl Receipts {
    /// Open the receipts in `store`.
    pub fn open(store: &Store) -> Result<Receipts, StoreError> {
        Receipts::open_for(store, None)
    }

    /// The receipts from one of the node's further groups' hubs (`None`:
    /// its first group's, as [`Receipts::open`]).
    pub fn open_for(store: &Store, group: Option<&str>) -> Result<Receipts, StoreError> {
        let name = scoped(RECEIPTS_TREE, group);
        store.tree(&name)?;
        Ok(Receipts {
            store: store.clone(),
            name,
        })
    }

    fn tree(&self) -> Result<Tree, StoreError> {
        self.store.tree(&self.name)
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

    fn entry(n: u8, seq: u64, origin: &str, group: &str) -> LibraryEntry {
        LibraryEntry {
            id: LessonId::of(&[n]),
            hub_seq: seq,
            kind: PayloadKind::Lesson,
            level: DisclosureLevel::Green,
            envelope: item(n).envelope,
            origin: origin.into(),
            origin_group: group.into(),
            received_at: 0,
            withdrawn: false,
        }
    }

    #[tokio::test]
    async fn groups_have_their_own_outbox_and_a_lesson_from_two_groups_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let first = Outbox::open(&store).unwrap();
        let regional = Outbox::open_for(&store, Some("kanto")).unwrap();
        first.enqueue(item(1)).await.unwrap();
        regional.enqueue(item(2)).await.unwrap();
        regional.enqueue(item(1)).await.unwrap();
        let ids =
            |o: &Outbox| -> Vec<LessonId> { o.pending(10).unwrap().iter().map(|i| i.id).collect() };
        assert_eq!(ids(&first), vec![LessonId::of(&[1])]);
        assert_eq!(ids(&regional), vec![LessonId::of(&[2]), LessonId::of(&[1])]);
        regional.ack(&[1, 2]).await.unwrap();
        assert_eq!(
            first.len(),
            1,
            "acks at one group leave the other's outbox alone"
        );

        let lib = Library::open(&store).unwrap();
        lib.put_batch_via(
            "finance-hub",
            "hub",
            vec![(entry(7, 3, "sakura-bank", "finance"), None)],
            None,
        )
        .await
        .unwrap();
        // The withdrawal comes first through the regional hub, then the lesson again.
        let w = entry(8, 1, "finance-hub", "finance");
        lib.put_batch_via(
            "kanto-hub",
            "hub/kanto",
            vec![
                (w, Some(LessonId::of(&[7]))),
                (entry(7, 2, "finance-hub", "finance"), None),
            ],
            None,
        )
        .await
        .unwrap();
        let all = lib.all().unwrap();
        assert_eq!(all.len(), 2, "{all:?}");
        let kept = lib.get(&LessonId::of(&[7])).unwrap().unwrap();
        assert_eq!(
            (kept.hub_seq, kept.origin.as_str()),
            (3, "sakura-bank"),
            "first copy kept"
        );
        assert!(kept.withdrawn, "the withdrawal marks the copy kept");
        let vias: Vec<(String, String, u64)> = lib
            .origins(&LessonId::of(&[7]))
            .unwrap()
            .into_iter()
            .map(|o| (o.via, o.origin, o.hub_seq))
            .collect();
        assert_eq!(
            vias,
            vec![
                ("finance-hub".into(), "sakura-bank".into(), 3),
                ("kanto-hub".into(), "finance-hub".into(), 2)
            ]
        );
        assert_eq!(
            (lib.cursor("hub").unwrap(), lib.cursor("hub/kanto").unwrap()),
            (3, 2)
        );
        // Stored without a hub named, then fetched again from its hub: one origin.
        let e9 = entry(9, 4, "kaede-securities", "finance");
        lib.put_batch("hub", &[(e9.clone(), None)], None)
            .await
            .unwrap();
        lib.put_batch_via("finance-hub", "hub", vec![(e9, None)], None)
            .await
            .unwrap();
        let o = lib.origins(&LessonId::of(&[9])).unwrap();
        assert_eq!(o.len(), 1, "{o:?}");
        assert_eq!(o[0].via, "finance-hub");
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
