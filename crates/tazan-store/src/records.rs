//! Named trees of small records by text key, for state a service keeps beside
//! its main data: the portal's accounts, a node's local notes on lessons, a
//! hub portal's kept shelf. A [`Records::put`] is one key, written at once
//! beside the store's writer thread (a backup running meanwhile holds its old
//! or its new value, never half of it); a [`RecordBatch`] is written
//! atomically through the writer, in order with the store's other writes.
//! The trees are part of every backup of the store.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::db::{decode, encode, Tree};
use crate::writer::{Batch, Durability};
use crate::{Store, StoreError};

/// Records to write into one [`Records`] tree in one atomic write
/// ([`Records::apply_blocking`]): after a crash either all of them are
/// there or none.
#[derive(Default)]
pub struct RecordBatch {
    batch: Batch,
}

impl RecordBatch {
    /// Store `value` under `key`.
    pub fn put<T: Serialize>(&mut self, key: &str, value: &T) -> Result<(), StoreError> {
        self.batch.insert(key.as_bytes(), encode(value)?);
        Ok(())
    }

    /// Remove `key` (a missing key is not an error).
    pub fn remove(&mut self, key: &str) {
        self.batch.remove(key.as_bytes());
    }
}

/// One named tree of records (`T: Serialize`) by text key.
#[derive(Clone)]
pub struct Records {
    store: Store,
    name: String,
}

impl Store {
    /// The records tree `name` (created when missing). Names starting with
    /// `hub-`, `node-` or `__` belong to the store itself and are refused.
    pub fn records(&self, name: &str) -> Result<Records, StoreError> {
        if name.starts_with("hub-") || name.starts_with("node-") || name.starts_with("__") {
            return Err(StoreError::Corrupt {
                key: name.to_owned(),
                reason: "this tree name is reserved for the store's own data".into(),
            });
        }
        // Opened once here, so that a bad name or a failed store shows now.
        self.tree(name)?;
        Ok(Records {
            store: self.clone(),
            name: name.to_owned(),
        })
    }
}

impl Records {
    /// The tree of the store's current era (a store reopened after a fault
    /// hands out new handles).
    fn tree(&self) -> Result<Tree, StoreError> {
        self.store.tree(&self.name)
    }

    fn what(&self, key: &str) -> String {
        format!("{}/{key}", self.name)
    }

    /// The record under `key`, if any.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        self.tree()?
            .get(key.as_bytes())?
            .map(|v| decode(&self.what(key), &v))
            .transpose()
    }

    /// Store `value` under `key` (durable after the next [`Records::flush`]).
    pub fn put<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        self.store
            .put(&self.tree()?, key.as_bytes(), &encode(value)?)?;
        Ok(())
    }

    /// Remove `key`; a missing key is not an error.
    pub fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.store.remove(&self.tree()?, key.as_bytes())?;
        Ok(())
    }

    /// The keys that start with `prefix`, in order.
    pub fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.tree()?
            .scan_prefix(prefix.as_bytes())
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?).into_owned()))
            .collect()
    }

    /// Every record whose key starts with `prefix`, in key order.
    pub fn scan<T: DeserializeOwned>(&self, prefix: &str) -> Result<Vec<(String, T)>, StoreError> {
        self.tree()?
            .scan_prefix(prefix.as_bytes())
            .map(|kv| {
                let (k, v) = kv?;
                let key = String::from_utf8_lossy(&k).into_owned();
                let value = decode(&self.what(&key), &v)?;
                Ok((key, value))
            })
            .collect()
    }

    /// Write `batch` atomically through the store's writer (in order with
    /// every other write of the store, and consistent with a backup running
    /// meanwhile); answered once applied, durable with the next flush.
    /// Outside an async runtime (a blocking task); panics on a runtime thread.
    pub fn apply_blocking(&self, batch: RecordBatch) -> Result<(), StoreError> {
        if batch.batch.is_empty() {
            return Ok(());
        }
        let tree = self.tree()?;
        self.store.write_blocking(Durability::Applied, move |tx| {
            tx.apply(&tree, batch.batch).map(drop)
        })
    }

    /// Make every write so far durable.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.store.flush().await
    }

    /// [`Records::flush`] outside an async runtime (CLI tools).
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        self.store.flush_blocking()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_written_whole_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let r = store.records("shelf").unwrap();
            r.put("e/1", &"old".to_owned()).unwrap();
            let mut b = RecordBatch::default();
            b.put("e/2", &"二".to_owned()).unwrap();
            b.put("through", &2u64).unwrap();
            b.remove("e/1");
            r.apply_blocking(b).unwrap();
            r.apply_blocking(RecordBatch::default()).unwrap();
            r.flush_blocking().unwrap();
        }
        let store = Store::open_waiting(dir.path(), std::time::Duration::from_secs(2)).unwrap();
        let r = store.records("shelf").unwrap();
        assert_eq!(r.keys("").unwrap(), ["e/2", "through"]);
        assert_eq!(r.get::<u64>("through").unwrap(), Some(2));
        assert_eq!(r.keys("e/").unwrap(), ["e/2"]);
    }

    #[tokio::test]
    async fn records_round_trip_scan_by_prefix_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let r = store.records("portal").unwrap();
            r.put("user/b", &("佐藤".to_owned(), 2u32)).unwrap();
            r.put("user/a", &("鈴木".to_owned(), 1u32)).unwrap();
            r.put("note/x", &"applies".to_owned()).unwrap();
            r.remove("missing").unwrap();
            r.flush().await.unwrap();
            let users: Vec<(String, (String, u32))> = r.scan("user/").unwrap();
            assert_eq!(users[0].0, "user/a");
            assert_eq!(users.len(), 2);
        }
        let store = Store::open_waiting(dir.path(), std::time::Duration::from_secs(2)).unwrap();
        let r = store.records("portal").unwrap();
        assert_eq!(
            r.get::<(String, u32)>("user/b").unwrap(),
            Some(("佐藤".to_owned(), 2))
        );
        r.remove("user/b").unwrap();
        assert_eq!(r.get::<(String, u32)>("user/b").unwrap(), None);
        assert!(
            store.records("hub-log").is_err(),
            "the log's tree is not for records"
        );
    }
}
