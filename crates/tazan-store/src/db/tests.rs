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

/// Reopening while writers append and readers read, many times over, never
/// meets sled's directory lock: no handle of an old database outlives the
/// reopen that replaced it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reopens_under_readers_and_writers_never_meet_the_old_lock() {
    use std::sync::atomic::AtomicBool;
    const REOPENS: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let log = Arc::new(HubLog::open(&store).await.unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let wrote = Arc::new(watch::channel(0u64).0);
    let tasks = traffic(&log, &stop, &wrote);
    let mut answered = wrote.subscribe();
    for i in 0..REOPENS {
        // A write answered in this era: every reopen races live traffic.
        answered.borrow_and_update();
        answered.changed().await.unwrap();
        if let Err(e) = reopen(&store).await {
            stop.store(true, Ordering::SeqCst);
            panic!("reopen {i} of {REOPENS} failed: {e}");
        }
    }
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        t.await.unwrap();
    }
    log.refresh().unwrap();
    let seqs = log.stored_seqs().unwrap();
    assert_eq!(
        seqs,
        (1..=log.head()).collect::<Vec<_>>(),
        "no gap after {REOPENS} reopens"
    );
}

/// A tmpfs of `size` mounted on `dir`, unmounted (lazily) when dropped;
/// `None` with the reason on stderr where this process may not mount.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &std::path::Path, size: &str) -> Option<Tmpfs> {
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(dir.to_owned())),
            Ok(o) => {
                eprintln!(
                    "SKIP: cannot mount a tmpfs: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                None
            }
            Err(e) => {
                eprintln!("SKIP: cannot run mount: {e}");
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

/// Writers and readers that run until `stop`: three appenders (retrying
/// whatever fails, as a hub's callers do) and three readers of entries,
/// ranges and proofs on blocking threads. `wrote` counts answered appends.
fn traffic(
    log: &Arc<HubLog>,
    stop: &Arc<std::sync::atomic::AtomicBool>,
    wrote: &Arc<watch::Sender<u64>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    for w in 0..3u32 {
        let (log, stop, wrote) = (log.clone(), stop.clone(), wrote.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = w * 1_000_000;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                if log.append_durable(vec![new(n)]).await.is_ok() {
                    wrote.send_modify(|c| *c += 1);
                } else {
                    let _ = log.refresh();
                    tokio::task::yield_now().await;
                }
            }
        }));
    }
    for _ in 0..3 {
        let (log, stop) = (log.clone(), stop.clone());
        tasks.push(tokio::task::spawn_blocking(move || {
            while !stop.load(Ordering::SeqCst) {
                let head = log.head();
                let _ = log.range(head.saturating_sub(20), 50);
                let _ = log.entry(head);
                let _ = log.tree_head(head);
                let _ = log.inclusion_proofs(&[head.max(1)], head.max(1));
                std::thread::yield_now();
            }
        }));
    }
    tasks
}

/// The disk fills under writers and readers again and again: every time
/// space returns, the first reopen succeeds (no handle of the failed
/// database keeps sled's lock), and the log goes on without a gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_store_whose_disk_fills_under_load_reopens_at_once_every_time() {
    use std::sync::atomic::AtomicBool;
    const CYCLES: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let Some(_disk) = Tmpfs::mount(&data, "24m") else {
        return;
    };
    let store = Store::open(&data).unwrap();
    let log = Arc::new(HubLog::open(&store).await.unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let wrote = Arc::new(watch::channel(0u64).0);
    let tasks = traffic(&log, &stop, &wrote);
    let mut answered = wrote.subscribe();
    let mut faults = store.faults();
    for cycle in 0..CYCLES {
        // Writes answered in this era before the disk fills.
        answered.borrow_and_update();
        answered.changed().await.unwrap();
        let filler = data.join("filler");
        {
            use std::io::Write as _;
            let mut f = std::fs::File::create(&filler).unwrap();
            let chunk = vec![0xa5u8; 64 << 10];
            while f.write(&chunk).is_ok_and(|n| n > 0) {}
        }
        while faults.borrow_and_update().is_none() {
            faults.changed().await.unwrap();
        }
        std::fs::remove_file(&filler).unwrap();
        if let Err(e) = reopen(&store).await {
            stop.store(true, Ordering::SeqCst);
            panic!("cycle {cycle}: the reopen after space returned failed: {e}");
        }
        assert!(store.fault().is_none(), "cycle {cycle}");
        log.refresh().unwrap();
    }
    answered.borrow_and_update();
    answered.changed().await.unwrap();
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        t.await.unwrap();
    }
    log.refresh().unwrap();
    let seqs = log.stored_seqs().unwrap();
    assert!(seqs.len() > CYCLES, "{}", seqs.len());
    assert_eq!(seqs, (1..=log.head()).collect::<Vec<_>>(), "no gap");
}
