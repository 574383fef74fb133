use super::*;
use crate::hub::tests::record;
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

async fn hub_store(dir: &Path, n: u32) -> Store {
    let store = Store::open(dir).unwrap();
    let log = HubLog::open(&store).unwrap();
    let records = (0..n)
        .map(|i| NewRecord {
            record: record(i),
            relay: i % 2 == 0,
        })
        .collect();
    log.append_durable(records).await.unwrap();
    log.set_cursor("upstream", 7).await.unwrap();
    store.tree("other").unwrap().insert("k", "v").unwrap();
    store
}

#[tokio::test]
async fn export_then_restore_gives_every_tree_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let store = hub_store(&dir.path().join("data"), 25).await;
    let file = dir.path().join("hub.tzb");
    let mut reports = 0;
    let made = store
        .export(&file, &header("hub", "finance-hub"), &mut |_| reports += 1)
        .unwrap();
    assert_eq!(
        made.records,
        25 * 2 + 13 + 1 + 1 + 1 + 1,
        "entries, ids, relay marks, cursor, other, the write's Merkle tree hashes and the tree size"
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
    assert_eq!(HubLog::open(&back).unwrap().head(), 25);
}

#[tokio::test]
async fn damaged_truncated_or_foreign_backups_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = hub_store(&data, 5).await;
    let file = dir.path().join("hub.tzb");
    store
        .export(&file, &header("hub", "finance-hub"), &mut |_| {})
        .unwrap();
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
    store
        .export(&file, &header("hub", "finance-hub"), &mut |_| {})
        .unwrap();
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
    let log = HubLog::open(&store).unwrap();
    log.append_durable(vec![NewRecord {
        record: record(99),
        relay: false,
    }])
    .await
    .unwrap();
    drop(log);
    drop(store);

    let out = restore(
        &file,
        &data,
        "hub",
        "finance-hub",
        true,
        |s| HubLog::open(s)?.clear_cursor("upstream"),
        &mut |_| {},
    )
    .unwrap();
    let previous = out.previous.unwrap();
    assert!(previous
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("data.before-restore-"));
    let old = Store::open_waiting(&previous, WAIT).unwrap();
    assert_eq!(HubLog::open(&old).unwrap().head(), 4, "old data kept whole");
    let back = Store::open_waiting(&data, WAIT).unwrap();
    let log = HubLog::open(&back).unwrap();
    assert_eq!(log.head(), 3, "the backup's log");
    assert_eq!(log.cursor("upstream").unwrap(), 0, "prepare ran");
}

#[tokio::test]
async fn online_requests_are_answered_by_the_running_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = hub_store(&data, 4).await;
    let requests = request_dir(&data);
    fs::create_dir_all(&requests).unwrap();
    fs::write(requests.join("abc.request"), b"").unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(answer_requests(
        store.clone(),
        requests.clone(),
        header("hub", "finance-hub"),
        stop_rx,
    ));
    let out = requests.join("abc.tzb");
    for _ in 0..200 {
        if out.exists() && !requests.join("abc.request").exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (h, s) = verify_backup(&out).unwrap();
    assert_eq!(h.service, "finance-hub");
    assert!(h.created_at > 1, "time set when taken");
    assert_eq!(s.records, 4 * 2 + 2 + 1 + 1 + 1 + 1);
    stop.send(true).unwrap();
    task.await.unwrap();
}
