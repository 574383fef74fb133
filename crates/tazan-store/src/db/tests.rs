use std::time::Duration;

use super::*;
use crate::hub::tests::record;
use crate::{HubLog, NewRecord};

const WAIT: Duration = Duration::from_secs(5);

/// `Store::reopen` blocks; run it as a healer does, on a blocking thread.
async fn reopen(store: &Store) -> Result<(), StoreError> {
    let s = store.clone();
    tokio::task::spawn_blocking(move || s.reopen(WAIT))
        .await
        .unwrap()
}

fn new(n: u32) -> NewRecord {
    NewRecord {
        record: record(n),
        relay: false,
    }
}

#[tokio::test]
async fn a_write_not_flushed_before_a_reopen_is_never_reported_durable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let tree = store.tree("t").unwrap();
    let flushed = store.put(&tree, b"a", b"1").unwrap();
    store.flush_through(flushed).await.unwrap();
    assert!(store.is_durable(flushed));
    let unflushed = store.put(&tree, b"b", b"2").unwrap();
    assert!(!store.is_durable(unflushed));
    // Nothing may hold a handle of the old database across a reopen: sled
    // keeps the directory locked until the last one is gone.
    drop(tree);

    reopen(&store).await.unwrap();
    assert!(store.is_durable(flushed), "flushed before: still durable");
    assert!(!store.is_durable(unflushed), "maybe lost: never durable");
    let err = store.flush_through(unflushed).await.unwrap_err();
    assert!(matches!(err, StoreError::Reopened), "{err}");
    assert!(err.to_string().contains("retry"), "{err}");

    // The new database holds what was there, and its writes become durable.
    let fresh = store.tree("t").unwrap();
    assert_eq!(&*fresh.get(b"a").unwrap().unwrap(), b"1");
    let later = store.put(&fresh, b"d", b"4").unwrap();
    store.flush_through(later).await.unwrap();
    assert!(store.is_durable(later));
    assert!(store.fault().is_none());
}

#[tokio::test]
async fn the_log_continues_without_a_gap_after_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let log = HubLog::open(&store).await.unwrap();
    log.append_durable(vec![new(1), new(2), new(3)])
        .await
        .unwrap();
    reopen(&store).await.unwrap();
    log.refresh().unwrap();
    assert_eq!(log.head(), 3);
    let out = log.append_durable(vec![new(4), new(2)]).await.unwrap();
    assert_eq!((out[0].seq, out[0].duplicate), (4, false));
    assert_eq!((out[1].seq, out[1].duplicate), (2, true));
    let seqs: Vec<u64> = log.range(0, 10).unwrap().iter().map(|r| r.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
}

#[test]
fn a_corrupt_database_file_is_an_error_naming_it_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let tree = store.tree("t").unwrap();
        for i in 0u32..2000 {
            store.put(&tree, &i.to_be_bytes(), &[7u8; 300]).unwrap();
        }
        store.flush_blocking().unwrap();
    }
    // sled's own threads may still be closing the file after the last handle
    // went; corrupt it only once nothing holds its lock, or a late write of
    // theirs can repair what the test broke.
    let deadline = std::time::Instant::now() + WAIT;
    while let Some(holder) = crate::lock_holder(dir.path()) {
        assert!(
            std::time::Instant::now() < deadline,
            "the store is still held by {holder}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // Overwrite the start of sled's log (its first segments) with a pattern.
    let db = dir.path().join("db");
    let mut bytes = std::fs::read(&db).unwrap();
    for (i, b) in bytes.iter_mut().take(100_000).enumerate() {
        *b = (i.wrapping_mul(2_654_435_761) >> 13) as u8;
    }
    std::fs::write(&db, bytes).unwrap();

    let err = match Store::open_waiting(dir.path(), WAIT) {
        Ok(_) => panic!("a corrupt store opened"),
        Err(e) => e,
    };
    let msg = err.to_string();
    assert!(matches!(err, StoreError::CorruptStore { .. }), "{msg}");
    assert!(msg.contains(&db.display().to_string()), "{msg}");
    assert!(msg.contains("tazan restore"), "{msg}");
    println!("{msg}");
}

#[cfg(unix)]
#[test]
fn a_data_directory_without_write_permission_is_named_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    if nix_is_root() {
        // Permission bits do not stop root; the end-to-end tests use a
        // read-only mount instead.
        eprintln!("skipped: running as root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o555)).unwrap();
    let err = match Store::open(&data) {
        Ok(_) => panic!("opened a read-only directory"),
        Err(e) => e,
    };
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Unwritable { .. }), "{msg}");
    assert!(
        msg.contains(&data.display().to_string()) && msg.contains("write access"),
        "{msg}"
    );
}

#[cfg(unix)]
fn nix_is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}
