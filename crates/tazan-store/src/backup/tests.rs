use super::*;
use crate::hub::tests::record;
use crate::writer::{Batch, Durability};
use crate::{HubLog, NewRecord};

fn header(kind: &str, service: &str) -> BackupHeader {
    BackupHeader {
        kind: kind.into(),
        service: service.into(),
        created_at: 1,
        tool: "test".into(),
    }
}

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// How long to wait for a lock sled releases just after a handle is dropped.
const WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Every key of every tree, for exact comparison.
fn dump(store: &Store) -> Vec<(Vec<u8>, Pairs)> {
    let mut out = Vec::new();
    let db = store.db().unwrap();
    for name in db.tree_names() {
        let tree = db.open_tree(&name).unwrap();
        let kvs = tree
            .iter()
            .map(|kv| {
                let (k, v) = kv.unwrap();
                (k.to_vec(), v.to_vec())
            })
            .collect();
        out.push((name.to_vec(), kvs));
    }
    out
}

/// An online backup of `store` into `file`, as a running service takes one.
async fn export(store: &Store, file: &Path, header: &BackupHeader) -> BackupSummary {
    let backup = store.begin_backup().await.unwrap();
    let (file, header) = (file.to_owned(), header.clone());
    tokio::task::spawn_blocking(move || backup.write_file(&file, &header, &mut |_| {}))
        .await
        .unwrap()
        .unwrap()
}

async fn hub_store(dir: &Path, n: u32) -> Store {
    let store = Store::open(dir).unwrap();
    let log = HubLog::open(&store).await.unwrap();
    let records = (0..n)
        .map(|i| NewRecord {
            record: record(i),
            relay: i % 2 == 0,
        })
        .collect();
    log.append_durable(records).await.unwrap();
    log.set_cursor("upstream", 7).await.unwrap();
    let other = store.tree("other").unwrap();
    store
        .write(Durability::Flushed, move |tx| {
            let mut b = Batch::default();
            b.insert("k", "v");
            tx.apply(&other, b)
        })
        .await
        .unwrap();
    store
}

#[tokio::test]
async fn export_then_restore_gives_every_tree_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_store(&dir.path().join("data"), 25).await;
    let file = dir.path().join("hub.tzb");
    let made = export(&store, &file, &header("hub", "finance-hub")).await;
    assert_eq!(
        made.records,
        25 * 2 + 13 + 1 + 1 + 1 + 1 + 1,
        "entries, ids, relay marks, cursor, other, the write's Merkle tree hashes, the tree size and the about-index size"
    );
    assert_eq!(made.bytes, fs::metadata(&file).unwrap().len());
    let (h, checked) = verify_backup(&file).unwrap();
    assert_eq!(h, header("hub", "finance-hub"));
    assert_eq!(checked.records, made.records);
    let before = dump(&store);
    drop(store);

    let target = dir.path().join("restored");
    let out = restore(
        &file,
        &target,
        "hub",
        "finance-hub",
        false,
        |_| Ok(()),
        &mut |_| {},
    )
    .unwrap();
    assert!(out.previous.is_none());
    let back = Store::open_waiting(&target, WAIT).unwrap();
    assert_eq!(dump(&back), before);
    assert_eq!(HubLog::open(&back).await.unwrap().head(), 25);
}

#[tokio::test]
async fn damaged_truncated_or_foreign_backups_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = hub_store(&data, 5).await;
    let file = dir.path().join("hub.tzb");
    export(&store, &file, &header("hub", "finance-hub")).await;
    let before = dump(&store);
    drop(store);
    let bytes = fs::read(&file).unwrap();

    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    let truncated = bytes[..bytes.len() - 10].to_vec();
    let cases: Vec<(&str, Vec<u8>, &str, &str, &str)> = vec![
        (
            "flipped",
            flipped,
            "hub",
            "finance-hub",
            "checksum mismatch",
        ),
        (
            "truncated",
            truncated,
            "hub",
            "finance-hub",
            "checksum mismatch",
        ),
        (
            "tiny",
            b"TAZANBAK".to_vec(),
            "hub",
            "finance-hub",
            "too short",
        ),
        ("node", bytes.clone(), "node", "finance-hub", "not of node"),
        (
            "other",
            bytes.clone(),
            "hub",
            "transport-hub",
            "`transport-hub`",
        ),
        ("occupied", bytes, "hub", "finance-hub", "--force"),
    ];
    for (name, content, kind, service, want) in cases {
        let path = dir.path().join(format!("{name}.tzb"));
        fs::write(&path, content).unwrap();
        let err = restore(&path, &data, kind, service, false, |_| Ok(()), &mut |_| {})
            .unwrap_err()
            .to_string();
        println!("{name}: {err}");
        assert!(err.contains(want), "{name}: {err}");
        assert!(
            err.contains(".tzb") || name == "occupied",
            "{name} names the file: {err}"
        );
        let still = Store::open_waiting(&data, WAIT).unwrap();
        assert_eq!(dump(&still), before, "{name}: data unchanged");
    }
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("data."))
        .collect();
    assert!(leftovers.is_empty(), "no temp dirs left: {leftovers:?}");
}

#[tokio::test]
async fn force_keeps_the_old_directory_and_refuses_a_running_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = hub_store(&data, 3).await;
    let file = dir.path().join("hub.tzb");
    export(&store, &file, &header("hub", "finance-hub")).await;
    // Held open: a "running service".
    let err = restore(
        &file,
        &data,
        "hub",
        "finance-hub",
        true,
        |_| Ok(()),
        &mut |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("running"), "{err}");
    let log = HubLog::open(&store).await.unwrap();
    log.append_durable(vec![NewRecord {
        record: record(99),
        relay: false,
    }])
    .await
    .unwrap();
    drop(log);
    drop(store);

    // Blocking, as the command line runs it (the preparation writes
    // through the restored store's writer).
    let (f, d) = (file.clone(), data.clone());
    let out = tokio::task::spawn_blocking(move || {
        restore(
            &f,
            &d,
            "hub",
            "finance-hub",
            true,
            |s| HubLog::open_blocking(s)?.clear_cursor_blocking("upstream"),
            &mut |_| {},
        )
    })
    .await
    .unwrap()
    .unwrap();
    let previous = out.previous.unwrap();
    assert!(previous
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("data.before-restore-"));
    let old = Store::open_waiting(&previous, WAIT).unwrap();
    assert_eq!(
        HubLog::open(&old).await.unwrap().head(),
        4,
        "old data kept whole"
    );
    let back = Store::open_waiting(&data, WAIT).unwrap();
    let log = HubLog::open(&back).await.unwrap();
    assert_eq!(log.head(), 3, "the backup's log");
    assert_eq!(log.cursor("upstream").unwrap(), 0, "prepare ran");
}

/// Every tree of a restored backup, and how many records the file holds.
async fn restored(file: &Path, dir: &Path) -> (Vec<(Vec<u8>, Pairs)>, Store) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let target = dir.join(format!("restored-{n}"));
    restore(
        file,
        &target,
        "hub",
        "finance-hub",
        false,
        |_| Ok(()),
        &mut |_| {},
    )
    .unwrap();
    let back = Store::open_waiting(&target, WAIT).unwrap();
    (dump(&back), back)
}

#[tokio::test]
async fn a_backup_holds_the_store_as_it_was_when_it_began_while_writes_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_store(&dir.path().join("data"), 40).await;
    let log = HubLog::open(&store).await.unwrap();
    let at_begin = dump(&store);
    let root = log.tree_head(40).unwrap().root;
    let backup = store.begin_backup().await.unwrap();

    // After the point the backup holds: appends (new keys), relay marks
    // removed, a cursor changed, a blob added, a key of another tree
    // rewritten and one removed.
    log.append_durable(
        (100..130)
            .map(|i| NewRecord {
                record: record(i),
                relay: true,
            })
            .collect(),
    )
    .await
    .unwrap();
    log.relay_done(&[1, 3, 5]).await.unwrap();
    log.set_cursor("upstream", 99).await.unwrap();
    log.set_blob("witnessed", b"later").await.unwrap();
    let other = store.tree("other").unwrap();
    store
        .write(Durability::Flushed, move |tx| {
            let mut b = Batch::default();
            b.insert("k", "changed");
            b.insert("k2", "new");
            tx.apply(&other, b)
        })
        .await
        .unwrap();

    let file = dir.path().join("hub.tzb");
    let (f, h) = (file.clone(), header("hub", "finance-hub"));
    let made = tokio::task::spawn_blocking(move || backup.write_file(&f, &h, &mut |_| {}))
        .await
        .unwrap()
        .unwrap();
    let (back, back_store) = restored(&file, dir.path()).await;
    assert_eq!(back, at_begin, "exactly the store at the backup's start");
    assert_eq!(verify_backup(&file).unwrap().1.records, made.records);
    let back_log = HubLog::open(&back_store).await.unwrap();
    assert_eq!(back_log.head(), 40);
    assert_eq!(back_log.tree_head(40).unwrap().root, root);
    // Writes after the backup ended are not tracked any more.
    assert_eq!(log.head(), 70);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_never_wait_for_a_backup_and_the_copy_stays_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_store(&dir.path().join("data"), 2000).await;
    let log = std::sync::Arc::new(HubLog::open(&store).await.unwrap());
    let backup = store.begin_backup().await.unwrap();
    let head_at_begin = log.head();
    let root = log.tree_head(head_at_begin).unwrap().root;
    // Writers race the copy: appends and relay marks removed, one write at a time.
    let writing = {
        let log = log.clone();
        tokio::spawn(async move {
            for i in 0..200u32 {
                log.append_durable(vec![NewRecord {
                    record: record(10_000 + i),
                    relay: true,
                }])
                .await
                .unwrap();
                log.relay_done(&[u64::from(i) * 2 + 1]).await.unwrap();
            }
        })
    };
    let file = dir.path().join("hub.tzb");
    let (f, h) = (file.clone(), header("hub", "finance-hub"));
    tokio::task::spawn_blocking(move || backup.write_file(&f, &h, &mut |_| {}))
        .await
        .unwrap()
        .unwrap();
    writing.await.unwrap();
    let (_, back_store) = restored(&file, dir.path()).await;
    let back = HubLog::open(&back_store).await.unwrap();
    assert_eq!(back.head(), head_at_begin, "the log up to the fixed head");
    assert_eq!(back.tree_head(head_at_begin).unwrap().root, root);
    // Every relay mark of the first 2,000 even entries is there: none removed after the start.
    let marks = back.relay_pending(usize::MAX).unwrap().len();
    assert_eq!(marks, 1000, "relay marks as at the start");
}

/// Bytes whose every position differs from its neighbours', so a step
/// written twice, skipped or out of place shows.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8 ^ (i >> 12) as u8).collect()
}

/// A backup file comes out byte for byte as written, in any mode: around
/// the page cache (several whole steps, then a tail of no aligned length,
/// fed in odd-sized writes), and through it when the position is not
/// aligned for direct writes (which must then not be used).
#[test]
fn stepped_files_hold_exactly_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(2 * SteppedFile::DIRECT_STEP + 12_345);
    for (name, lead) in [("aligned", 0usize), ("unaligned", 3)] {
        let path = dir.path().join(name);
        let mut file = File::create(&path).unwrap();
        file.write_all(&data[..lead]).unwrap();
        let mut w = SteppedFile::new(file);
        if lead > 0 {
            assert!(
                !w.is_direct(),
                "an unaligned position cannot be written directly"
            );
        }
        for chunk in data[lead..].chunks(7_777) {
            w.write_all(chunk).unwrap();
        }
        w.flush().unwrap();
        w.finish().unwrap();
        assert!(
            std::fs::read(&path).unwrap() == data,
            "{name}: contents differ"
        );
    }
    // The fallback's own modes too.
    for step in [0, 4096] {
        let path = dir.path().join(format!("synced-{step}"));
        let mut w = SteppedFile::with_step(File::create(&path).unwrap(), step);
        assert!(!w.is_direct());
        w.write_all(&data).unwrap();
        w.finish().unwrap();
        assert!(
            std::fs::read(&path).unwrap() == data,
            "step {step}: contents differ"
        );
    }
}

/// Shorter than one alignment unit: only the tail path writes it.
#[test]
fn a_tiny_backup_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny");
    let mut w = SteppedFile::new(File::create(&path).unwrap());
    w.write_all(b"TAZANBAK").unwrap();
    w.finish().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"TAZANBAK");
}
