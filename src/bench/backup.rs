//! `tazan bench backup`: how long a hub's store takes to back up and to
//! restore, as a function of its size. While an online backup runs, the
//! store's writers wait (the export is consistent), so `export_secs` is also
//! the longest pause a publisher sees during a backup.

use std::fmt;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;
use tazan_model::{Payload, PayloadKind};
use tazan_store::{BackupHeader, HubLog, LogRecord, NewRecord, Store, StoredEnvelope};
use tazan_trust::KeyPair;

/// What `tazan bench backup` measured.
#[derive(Debug, Serialize)]
pub struct BackupReport {
    /// Lessons in the hub's log.
    pub lessons: u64,
    /// Size of the sled data directory before the backup.
    pub store_bytes: u64,
    /// Key/value records written to the backup file.
    pub records: u64,
    /// Size of the backup file.
    pub backup_bytes: u64,
    /// Time to export the store (writers paused meanwhile).
    pub export_secs: f64,
    /// Records exported per second.
    pub export_records_per_s: f64,
    /// Time to verify the file and restore it into an empty directory.
    pub restore_secs: f64,
}

impl fmt::Display for BackupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "hub log: {} lessons, store {} MiB",
            self.lessons,
            self.store_bytes >> 20
        )?;
        writeln!(
            f,
            "backup:  {} records, {} MiB in {:.2} s ({:.0} records/s; publishes wait this long)",
            self.records,
            self.backup_bytes >> 20,
            self.export_secs,
            self.export_records_per_s
        )?;
        write!(
            f,
            "restore: {:.2} s (whole-file check, then write)",
            self.restore_secs
        )
    }
}

/// Fill a hub log with `lessons` signed sample lessons, back it up, restore it.
pub async fn backup(lessons: u64) -> Result<BackupReport> {
    let dir = tempfile::Builder::new()
        .prefix("tazan-bench-backup-")
        .tempdir()?;
    let data = dir.path().join("data");
    let store = Store::open(&data)?;
    let log = HubLog::open(&store)?;
    let key = KeyPair::generate();
    let base = crate::sample::lessons()
        .into_iter()
        .map(|(_, l)| l)
        .next()
        .context("no sample lessons")?;
    let origin: tazan_model::MemberId = "sakura-bank".parse()?;
    let mut n = 0;
    while n < lessons {
        let batch: Vec<NewRecord> = (n..(n + 1000).min(lessons))
            .map(|i| {
                let mut lesson = base.clone();
                lesson.title = format!("{} ({i})", base.title);
                let envelope = key.sign(&Payload::Lesson(lesson.clone()));
                NewRecord {
                    record: LogRecord {
                        seq: 0,
                        id: envelope.id(),
                        kind: PayloadKind::Lesson,
                        level: lesson.level,
                        envelope: StoredEnvelope::from(&envelope),
                        origin: origin.clone(),
                        origin_group: "finance".into(),
                        received_at: tazan_trust::now_unix(),
                        industry: lesson.industry.clone(),
                        domain: lesson.taxonomy.domain.as_str().into(),
                        cause: lesson.taxonomy.cause.as_str().into(),
                    },
                    relay: false,
                }
            })
            .collect();
        n += batch.len() as u64;
        log.append_durable(batch).await?;
    }
    store.flush_blocking()?;
    let store_bytes = dir_size(&data);
    let header = BackupHeader {
        kind: "hub".into(),
        service: "finance-hub".into(),
        created_at: tazan_trust::now_unix(),
        tool: env!("CARGO_PKG_VERSION").into(),
    };
    let file = dir.path().join("hub.tzb");
    let (summary, export_secs) = tokio::task::spawn_blocking({
        let file = file.clone();
        move || {
            let started = Instant::now();
            let summary = store.export(&file, &header, &mut |_| {})?;
            anyhow::Ok((summary, started.elapsed().as_secs_f64()))
        }
    })
    .await??;
    let restored = dir.path().join("restored");
    let started = Instant::now();
    tazan_store::restore(
        &file,
        &restored,
        "hub",
        "finance-hub",
        false,
        |_| Ok(()),
        &mut |_| {},
    )?;
    let restore_secs = started.elapsed().as_secs_f64();
    // The restore just dropped its handle; sled lets go of the lock a moment later.
    let check = Store::open_waiting(&restored, std::time::Duration::from_secs(2))?;
    let head = HubLog::open(&check)?.head();
    anyhow::ensure!(
        head == lessons,
        "restored log ends at {head}, expected {lessons}"
    );
    Ok(BackupReport {
        lessons,
        store_bytes,
        records: summary.records,
        backup_bytes: summary.bytes,
        export_secs,
        export_records_per_s: summary.records as f64 / export_secs.max(1e-9),
        restore_secs,
    })
}

fn dir_size(dir: &Path) -> u64 {
    walk(dir).unwrap_or(0)
}

fn walk(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            walk(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}
