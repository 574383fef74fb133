//! `tazan bench backup`: what an online backup costs the publishers of a
//! hub whose log holds `--lessons` lessons, and how long backup and restore
//! take.
//!
//! A publisher appends one signed lesson at a time, durably (as the hub does
//! for each publish call), at a steady `--rate`; first without a backup
//! (the baseline), then while an online backup of the whole store runs. The
//! longest append during the backup is the pause a publisher saw
//! (`pause_ms`); a backup that stopped writers would show its whole length
//! there. Writers and the copy share the machine's cores and disk, so the
//! appends' tail latency during the copy is reported too.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::Serialize;
use tazan_model::{Envelope, Lesson, MemberId, Payload, PayloadKind};
use tazan_store::{BackupHeader, HubLog, LogRecord, NewRecord, Store, StoredEnvelope};
use tazan_trust::KeyPair;

/// What `tazan bench backup` measured.
#[derive(Debug, Serialize)]
pub struct BackupReport {
    /// Lessons in the hub's log before publishing began (`--lessons`).
    pub lessons: u64,
    /// The log's head when the backup began (the restored log ends there).
    pub head_at_backup: u64,
    /// Size of the sled data directory before the backup.
    pub store_bytes: u64,
    /// Key/value records written to the backup file.
    pub records: u64,
    /// Size of the backup file.
    pub backup_bytes: u64,
    /// Time to fix the backup's point (the store's writer takes it between
    /// two writes).
    pub begin_ms: f64,
    /// Time to write the backup file while publishers go on.
    pub export_secs: f64,
    /// Records exported per second.
    pub export_records_per_s: f64,
    /// Offered publish rate, lessons per second (one durable append each).
    pub publish_rate_per_s: u32,
    /// Appends made while the backup ran.
    pub appends_during: usize,
    /// Longest append while the backup ran: the pause a publisher saw.
    pub pause_ms: f64,
    /// 99th percentile of appends while the backup ran.
    pub during_p99_ms: f64,
    /// Longest append in the same time before the backup (the disk's own tail).
    pub baseline_max_ms: f64,
    /// 99th percentile of the same.
    pub baseline_p99_ms: f64,
    /// Time to verify the file and restore it into an empty directory.
    pub restore_secs: f64,
    /// The backup file was written around the page cache (`O_DIRECT`), as
    /// `tazan backup` writes it where the file system allows.
    pub direct: bool,
    /// Written through the page cache instead, synced every this many KiB
    /// (0: only at its end); `None` when direct.
    pub sync_step_kib: Option<u64>,
    /// Most dirty and under-writeback page cache seen while the backup ran
    /// (`Dirty` + `Writeback` of /proc/meminfo, machine-wide, every 50 ms):
    /// what a writer's fsync may queue behind.
    pub max_dirty_mib: u64,
}

impl fmt::Display for BackupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "hub log: {} lessons, store {} MiB; head {} when the backup began",
            self.lessons,
            self.store_bytes >> 20,
            self.head_at_backup
        )?;
        writeln!(
            f,
            "backup:  {} records, {} MiB in {:.2} s ({:.0} records/s), begun in {:.3} ms",
            self.records,
            self.backup_bytes >> 20,
            self.export_secs,
            self.export_records_per_s,
            self.begin_ms
        )?;
        writeln!(
            f,
            "publishing at {}/s during the backup: {} appends, longest {:.1} ms (the pause; target <= 100), p99 {:.1} ms",
            self.publish_rate_per_s, self.appends_during, self.pause_ms, self.during_p99_ms
        )?;
        writeln!(
            f,
            "publishing before it (baseline):   longest {:.1} ms, p99 {:.1} ms",
            self.baseline_max_ms, self.baseline_p99_ms
        )?;
        writeln!(
            f,
            "page cache during the backup: at most {} MiB dirty or being written (backup file {})",
            self.max_dirty_mib,
            match self.sync_step_kib {
                _ if self.direct => "written around the page cache".to_owned(),
                Some(0) | None => "synced only at its end".to_owned(),
                Some(k) => format!("synced every {k} KiB"),
            }
        )?;
        write!(
            f,
            "restore: {:.2} s (whole-file check, then write)",
            self.restore_secs
        )
    }
}

/// Sizes for [`backup`].
#[derive(Debug, Clone, Copy)]
pub struct BackupParams {
    /// Lessons in the log before the backup.
    pub lessons: u64,
    /// Publish rate during the measurement, lessons per second.
    pub rate: u32,
    /// Write the backup file through the page cache, synced every this
    /// many bytes (0: only at its end); `None`: as `tazan backup` does.
    pub sync_step: Option<u64>,
}

/// Fill a hub log with `lessons` signed sample lessons, then publish at
/// `rate` without and during an online backup; restore the backup.
pub async fn backup(p: BackupParams) -> Result<BackupReport> {
    let dir = tempfile::Builder::new()
        .prefix("tazan-bench-backup-")
        .tempdir()?;
    let data = dir.path().join("data");
    let store = Store::open(&data)?;
    let log = Arc::new(HubLog::open(&store).await?);
    let key = Arc::new(KeyPair::generate());
    let base = crate::sample::lessons()
        .into_iter()
        .map(|(_, l)| l)
        .next()
        .context("no sample lessons")?;
    let origin: MemberId = "sakura-bank".parse()?;
    let fill = Instant::now();
    let mut n = 0;
    while n < p.lessons {
        let end = (n + 10_000).min(p.lessons);
        let envelopes = sign_range(&key, &base, n, end).await?;
        n = end;
        let batch: Vec<NewRecord> = envelopes
            .iter()
            .map(|e| new_record(e, &base, &origin))
            .collect();
        for chunk in batch.chunks(1000) {
            log.append_durable(chunk.to_vec()).await?;
        }
        if n % 100_000 == 0 {
            tracing::info!(
                lessons = n,
                secs = fill.elapsed().as_secs(),
                "filling the log"
            );
        }
    }
    store.flush().await?;
    let store_bytes = dir_size(&data);

    // Lessons for the measurement, signed as they are sent (outside each
    // append's timing), so the phases are not bounded by a pre-signed stock.
    let window = Duration::from_secs(3);
    let mut extra = (p.lessons..).map(|i| {
        let envelope = key.sign(&Payload::Lesson(numbered(&base, i)));
        new_record(&envelope, &base, &origin)
    });

    // Baseline: the same rate without a backup.
    let baseline = publish_for(&log, &mut extra, p.rate, Phase::For(window)).await?;

    // During: the backup runs on a blocking thread; the publisher goes on
    // until it is done.
    let header = BackupHeader::now("hub", "finance-hub");
    let file = dir.path().join("hub.tzb");
    let head_at_begin = log.head();
    let begun = Instant::now();
    let backup = store.begin_backup().await?;
    let begin_ms = begun.elapsed().as_secs_f64() * 1000.0;
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let copy = tokio::task::spawn_blocking({
        let file = file.clone();
        move || {
            let started = Instant::now();
            // As `Backup::write_file` does, or with the sync step of the run.
            let summary = std::fs::File::create(&file)
                .map(|f| match p.sync_step {
                    None => tazan_store::SteppedFile::new(f),
                    Some(step) => tazan_store::SteppedFile::with_step(f, step),
                })
                .and_then(|mut w| {
                    let direct = w.is_direct();
                    let summary = backup.write_to(&mut w, &header, &mut |_| {})?;
                    w.finish()?;
                    Ok((summary, direct))
                })
                .with_context(|| format!("writing {}", file.display()));
            let _ = done_tx.send(());
            anyhow::Ok((summary?, started.elapsed().as_secs_f64()))
        }
    });
    let (dirty_stop, dirty) = watch_dirty();
    let during = publish_for(&log, &mut extra, p.rate, Phase::Until(done_rx)).await?;
    let _ = dirty_stop.send(());
    let max_dirty_kib = dirty.await.unwrap_or(0);
    let ((summary, direct), export_secs) = copy.await??;

    let restored = dir.path().join("restored");
    let started = Instant::now();
    let restore = tokio::task::spawn_blocking({
        let file = file.clone();
        let restored = restored.clone();
        move || {
            tazan_store::restore(
                &file,
                &restored,
                "hub",
                "finance-hub",
                false,
                |_| Ok(()),
                &mut |_| {},
            )
        }
    });
    restore.await??;
    let restore_secs = started.elapsed().as_secs_f64();
    // The restore just dropped its handle; sled lets go of the lock a moment later.
    let check = Store::open_waiting(&restored, Duration::from_secs(2))?;
    let head = HubLog::open(&check).await?.head();
    anyhow::ensure!(
        head == head_at_begin,
        "restored log ends at {head}, expected {head_at_begin} (the head when the backup began)"
    );
    Ok(BackupReport {
        lessons: p.lessons,
        head_at_backup: head_at_begin,
        store_bytes,
        records: summary.records,
        backup_bytes: summary.bytes,
        begin_ms,
        export_secs,
        export_records_per_s: summary.records as f64 / export_secs.max(1e-9),
        publish_rate_per_s: p.rate,
        appends_during: during.len(),
        pause_ms: max_ms(&during),
        during_p99_ms: p99_ms(&during),
        baseline_max_ms: max_ms(&baseline),
        baseline_p99_ms: p99_ms(&baseline),
        restore_secs,
        direct,
        sync_step_kib: p.sync_step.map(|s| s >> 10),
        max_dirty_mib: max_dirty_kib >> 10,
    })
}

/// Sample `Dirty` + `Writeback` (KiB) of /proc/meminfo every 50 ms until
/// told to stop; the largest sum (0 where the file is not there).
fn watch_dirty() -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<u64>,
) {
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let mut max = 0;
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = &mut stopped => return max,
            }
            let text = tokio::fs::read_to_string("/proc/meminfo")
                .await
                .unwrap_or_default();
            let now: u64 = text
                .lines()
                .filter(|l| l.starts_with("Dirty:") || l.starts_with("Writeback:"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum();
            max = max.max(now);
        }
    });
    (stop, task)
}

fn numbered(base: &Lesson, i: u64) -> Lesson {
    let mut lesson = base.clone();
    lesson.title = format!("{} ({i})", base.title);
    lesson
}

/// Sign lessons `from..to` on every core.
async fn sign_range(
    key: &Arc<KeyPair>,
    base: &Lesson,
    from: u64,
    to: u64,
) -> Result<Vec<Envelope>> {
    let (key, base) = (key.clone(), base.clone());
    tokio::task::spawn_blocking(move || {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
        let per = (to - from).div_ceil(threads).max(1);
        std::thread::scope(|s| {
            let parts: Vec<_> = (0..threads)
                .map(|t| {
                    let (key, base) = (&*key, &base);
                    let lo = (from + t * per).min(to);
                    let hi = (lo + per).min(to);
                    s.spawn(move || {
                        (lo..hi)
                            .map(|i| key.sign(&Payload::Lesson(numbered(base, i))))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .map(|h| {
                    h.join()
                        .map_err(|_| anyhow::anyhow!("a signing thread panicked"))
                })
                .collect::<Result<Vec<_>>>()
                .map(|v| v.into_iter().flatten().collect())
        })
    })
    .await?
}

fn new_record(envelope: &Envelope, base: &Lesson, origin: &MemberId) -> NewRecord {
    NewRecord {
        record: LogRecord {
            seq: 0,
            id: envelope.id(),
            kind: PayloadKind::Lesson,
            level: base.level,
            envelope: StoredEnvelope::from(envelope),
            origin: origin.clone(),
            origin_group: "finance".into(),
            received_at: tazan_trust::now_unix(),
            industry: base.industry.clone(),
            domain: base.taxonomy.domain.as_str().into(),
            cause: base.taxonomy.cause.as_str().into(),
        },
        relay: false,
    }
}

enum Phase {
    For(Duration),
    Until(tokio::sync::oneshot::Receiver<()>),
}

/// Append one record at a time at `rate` (each awaited: durable), for the
/// phase; returns each append's latency.
async fn publish_for(
    log: &Arc<HubLog>,
    records: &mut impl Iterator<Item = NewRecord>,
    rate: u32,
    phase: Phase,
) -> Result<Vec<Duration>> {
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let start = tokio::time::Instant::now();
    let (limit, mut done) = match phase {
        Phase::For(d) => (Some(start + d), None),
        Phase::Until(rx) => (None, Some(rx)),
    };
    let mut took = Vec::new();
    let mut tasks = tokio::task::JoinSet::new();
    let mut i = 0u32;
    loop {
        let at = start + interval * i;
        i += 1;
        if limit.is_some_and(|l| at >= l) {
            break;
        }
        if let Some(rx) = done.as_mut() {
            tokio::select! {
                _ = tokio::time::sleep_until(at) => {}
                _ = rx => break,
            }
        } else {
            tokio::time::sleep_until(at).await;
        }
        let record = records.next().context("ran out of lessons to publish")?;
        let log = log.clone();
        // Each publisher is its own task, as each publish call is at a hub:
        // a slow append does not hold back the next one's clock.
        tasks.spawn(async move {
            let sent = Instant::now();
            log.append_durable(vec![record]).await?;
            anyhow::Ok(sent.elapsed())
        });
        while let Some(r) = tasks.try_join_next() {
            took.push(r??);
        }
    }
    while let Some(r) = tasks.join_next().await {
        took.push(r??);
    }
    Ok(took)
}

fn max_ms(d: &[Duration]) -> f64 {
    d.iter().max().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn p99_ms(d: &[Duration]) -> f64 {
    let mut v: Vec<Duration> = d.to_vec();
    v.sort();
    match v.len() {
        0 => 0.0,
        n => v[(n * 99).div_ceil(100).saturating_sub(1)].as_secs_f64() * 1000.0,
    }
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
