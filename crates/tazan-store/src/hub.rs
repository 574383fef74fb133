use std::sync::Mutex;

use tazan_model::LessonId;
use tokio::sync::watch;
use tracing::debug;

use crate::db::{decode, encode, seq_key, seq_of};
use crate::{LogRecord, Store, StoreError};

const ENTRY: u8 = b'e';
const BY_ID: u8 = b'i';
const RELAY: u8 = b'r';
const CURSOR: u8 = b'c';

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

/// The append-only log of a hub.
pub struct HubLog {
    store: Store,
    tree: sled::Tree,
    /// Last assigned sequence number; the mutex serialises appends.
    head: Mutex<u64>,
    /// Last durable sequence number.
    durable: watch::Sender<u64>,
}

impl HubLog {
    /// Open the log in `store`; the head is recovered from disk.
    pub fn open(store: &Store) -> Result<HubLog, StoreError> {
        let tree = store.tree("hub-log")?;
        let head = match tree.scan_prefix([ENTRY]).next_back() {
            Some(kv) => seq_of(&kv?.0)?,
            None => 0,
        };
        let (durable, _) = watch::channel(head);
        Ok(HubLog {
            store: store.clone(),
            tree,
            head: Mutex::new(head),
            durable,
        })
    }

    /// Append records atomically and return once they are durable.
    ///
    /// A record whose id is already in the log is not written again; its
    /// outcome names the existing sequence number.
    pub async fn append_durable(
        &self,
        records: Vec<NewRecord>,
    ) -> Result<Vec<Appended>, StoreError> {
        self.append_durable_with_cursor(records, None).await
    }

    /// [`HubLog::append_durable`], also setting a named cursor in the same
    /// atomic write (used when following another hub's log, so that the
    /// entries and the position they were read up to can never disagree).
    pub async fn append_durable_with_cursor(
        &self,
        records: Vec<NewRecord>,
        cursor: Option<(&str, u64)>,
    ) -> Result<Vec<Appended>, StoreError> {
        let (out, head) = self.append(records, cursor)?;
        self.store.flush().await?;
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

    fn append(
        &self,
        records: Vec<NewRecord>,
        cursor: Option<(&str, u64)>,
    ) -> Result<(Vec<Appended>, u64), StoreError> {
        // A poisoned lock only means another append panicked mid-way; the
        // head value itself is still the last assigned sequence number.
        let mut head = self.head.lock().unwrap_or_else(|p| p.into_inner());
        let mut batch = sled::Batch::default();
        let mut out = Vec::with_capacity(records.len());
        let mut fresh: Vec<(LessonId, u64)> = Vec::new();
        let mut next = *head;
        for NewRecord { mut record, relay } in records {
            let existing = match fresh.iter().find(|(id, _)| *id == record.id) {
                Some(&(_, seq)) => Some(seq),
                None => self.seq_of_id(&record.id)?,
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
            fresh.push((record.id, next));
            out.push(Appended {
                seq: next,
                duplicate: false,
            });
        }
        if let Some((name, value)) = cursor {
            batch.insert(cursor_key(name), &value.to_be_bytes());
        }
        if next != *head || cursor.is_some() {
            self.store.apply(&self.tree, batch)?;
            self.store.wrote();
            debug!(from = *head + 1, to = next, "appended");
            *head = next;
        }
        Ok((out, *head))
    }

    fn seq_of_id(&self, id: &LessonId) -> Result<Option<u64>, StoreError> {
        match self.tree.get(id_key(id))? {
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

    /// The entry for a lesson id, if stored and durable.
    pub fn get(&self, id: &LessonId) -> Result<Option<LogRecord>, StoreError> {
        match self.seq_of_id(id)? {
            Some(seq) if seq <= self.head() => self.entry(seq),
            _ => Ok(None),
        }
    }

    /// The entry at `seq`, if any.
    pub fn entry(&self, seq: u64) -> Result<Option<LogRecord>, StoreError> {
        self.tree
            .get(seq_key(ENTRY, seq))?
            .map(|v| decode(&format!("log/{seq}"), &v))
            .transpose()
    }

    /// Up to `limit` durable entries with `seq > after`, in order.
    pub fn range(&self, after: u64, limit: usize) -> Result<Vec<LogRecord>, StoreError> {
        let head = self.head();
        if after >= head {
            return Ok(Vec::new());
        }
        let start = seq_key(ENTRY, after.saturating_add(1));
        let end = seq_key(ENTRY, head);
        self.tree
            .range(start..=end)
            .take(limit)
            .map(|kv| {
                let (k, v) = kv?;
                decode(&format!("log/{}", seq_of(&k)?), &v)
            })
            .collect()
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
        for kv in self.tree.scan_prefix([RELAY]).take(limit) {
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
        self.tree.scan_prefix([RELAY]).count()
    }

    /// Mark entries as relayed (acknowledged upstream); durable with the next flush.
    pub async fn relay_done(&self, seqs: &[u64]) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for &seq in seqs {
            batch.remove(&seq_key(RELAY, seq));
        }
        self.store.apply(&self.tree, batch)?;
        // Not flushed here: a mark lost in a crash only means the lesson is
        // relayed again and the cross hub answers DUPLICATE.
        self.store.wrote();
        Ok(())
    }

    /// A named cursor (0 if never set).
    pub fn cursor(&self, name: &str) -> Result<u64, StoreError> {
        cursor_get(&self.tree, name)
    }

    /// Forget a named cursor (it reads 0 again), e.g. the search index's
    /// after a restore, so a derived index is rebuilt from the start.
    pub fn clear_cursor(&self, name: &str) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        batch.remove(cursor_key(name));
        self.store.apply(&self.tree, batch)?;
        self.store.wrote();
        Ok(())
    }

    /// Store a named cursor durably.
    pub async fn set_cursor(&self, name: &str, value: u64) -> Result<(), StoreError> {
        self.store
            .put(&self.tree, &cursor_key(name), &value.to_be_bytes())?;
        self.store.wrote();
        self.store.flush().await
    }
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

    #[tokio::test]
    async fn sequence_is_gapless_and_duplicates_are_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let log = HubLog::open(&store).unwrap();
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
        assert_eq!(log.relay_len(), 1);
        assert_eq!(log.get(&record(2).id).unwrap().unwrap().seq, 2);
    }

    #[tokio::test]
    async fn log_relay_outbox_and_cursors_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let log = HubLog::open(&store).unwrap();
            log.append_durable(vec![new(1, true), new(2, true)])
                .await
                .unwrap();
            log.relay_done(&[1]).await.unwrap();
            log.set_cursor("upstream", 42).await.unwrap();
        }
        let store = Store::open_waiting(dir.path(), std::time::Duration::from_secs(2)).unwrap();
        let log = HubLog::open(&store).unwrap();
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
    async fn watch_fires_when_durable() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let log = std::sync::Arc::new(HubLog::open(&store).unwrap());
        let mut rx = log.watch();
        let writer = log.clone();
        let task = tokio::spawn(async move { writer.append_durable(vec![new(7, false)]).await });
        rx.changed().await.unwrap();
        assert_eq!(*rx.borrow(), 1);
        task.await.unwrap().unwrap();
    }
}
