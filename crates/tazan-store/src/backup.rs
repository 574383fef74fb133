//! Backup and restore of a whole store (every sled tree) to one
//! self-describing file, verified by a blake3 checksum before anything is
//! written.
//!
//! File format, version 1 (integers little-endian):
//!
//! ```text
//! "TAZANBAK"  u32 version=1  u32 header_len  header (JSON: BackupHeader)
//! records:    0x01 u32 name_len name                  start of a tree
//!             0x02 u32 key_len key u32 value_len value one key/value of that tree
//!             0x00 u64 record_count                   end
//! 32 bytes:   blake3 of every byte before it
//! ```
//!
//! A backup is consistent without pausing anyone: [`Store::begin_backup`]
//! fixes a point between two writes (the store's writer takes it in turn
//! with the writes, so the log's head at that point is fixed too), and the
//! copy then reads the trees while writers go on; the writer hands the copy
//! the old value of every key it changes before the copy has read it. So the
//! file holds every tree exactly as it was at that point: no half of a
//! multi-key write, and nothing written after it. The format is unchanged
//! from the backups that paused writers (version 1).

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, BufWriter, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::writer::Snapshot;
use crate::{Store, StoreError};

const MAGIC: &[u8; 8] = b"TAZANBAK";
const VERSION: u32 = 1;
const TREE: u8 = 1;
const KV: u8 = 2;
const END: u8 = 0;
const HASH_LEN: u64 = 32;
/// Records per write batch on restore, and between progress reports.
const CHUNK: u64 = 10_000;
/// Bytes of a backup file written between two syncs of it, where it cannot
/// be written around the page cache (see [`SteppedFile`]).
///
/// The copy reads far faster than the disk writes. Left to the kernel, a
/// whole backup (1.4 GB at a million lessons) sits in the page cache as
/// dirty pages, below the kernel's dirty limit, until the final sync writes
/// it out in one burst; every durable append meanwhile (sled's fsync) waits
/// behind that burst in the disk's queue, and on ext4 its journal commit
/// waits for the other files' pending data too. Written out in steps of
/// this size, an append waits behind one step at most.
const SYNC_STEP: u64 = 4 << 20;

/// What a backup holds: written at its start, checked on restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupHeader {
    /// `hub` or `node`.
    pub kind: String,
    /// The service's id (hub id or node member id).
    pub service: String,
    /// Unix seconds when the backup was taken.
    pub created_at: u64,
    /// The tazan version that wrote it.
    pub tool: String,
}

impl BackupHeader {
    /// The header of a backup of `kind` `service` taken now by this tazan.
    pub fn now(kind: &str, service: &str) -> BackupHeader {
        BackupHeader {
            kind: kind.into(),
            service: service.into(),
            created_at: crate::now_unix(),
            tool: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// What a backup or restore covered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    /// Trees (sled's default tree included).
    pub trees: u64,
    /// Key/value records.
    pub records: u64,
    /// Bytes of the backup file.
    pub bytes: u64,
}

/// How long a restore waits for a store lock released a moment ago (a
/// handle just dropped in this process) before taking it for a running
/// service.
const LOCK_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Called every 10,000 records with the count so far.
pub type Progress<'a> = &'a mut dyn FnMut(u64);

impl Store {
    /// Write a consistent backup of every tree to `out` (through a temporary
    /// file beside it, renamed into place once complete and on disk; an
    /// existing `out` is never replaced). Writers go on meanwhile. Blocking:
    /// call it outside an async runtime or on a blocking thread.
    pub fn export(
        &self,
        out: &Path,
        header: &BackupHeader,
        progress: Progress<'_>,
    ) -> Result<BackupSummary, StoreError> {
        let backup = Backup {
            snapshot: self.snapshot_blocking()?,
            store: self.clone(),
        };
        backup.write_file(out, header, progress)
    }

    /// Fix the point a backup holds (between two writes, through the
    /// store's writer); then [`Backup::write_to`] copies it while writers go on.
    pub async fn begin_backup(&self) -> Result<Backup, StoreError> {
        Ok(Backup {
            snapshot: self.snapshot().await?,
            store: self.clone(),
        })
    }
}

/// A backup begun at one point of a store's history; writing it does not
/// stop writers. Dropping it (written or not) ends the writer's bookkeeping.
pub struct Backup {
    store: Store,
    snapshot: Arc<Snapshot>,
}

impl Drop for Backup {
    fn drop(&mut self) {
        self.snapshot.finish();
    }
}

impl Backup {
    /// Write the backup file's bytes to `w` (blocking: sled reads and `w`'s
    /// writes; run it on a blocking thread).
    pub fn write_to(
        self,
        w: impl Write,
        header: &BackupHeader,
        progress: Progress<'_>,
    ) -> std::io::Result<BackupSummary> {
        let mut w = HashingWriter {
            inner: BufWriter::with_capacity(1 << 16, w),
            hasher: blake3::Hasher::new(),
            bytes: 0,
        };
        let summary = self.write_trees(&mut w, header, progress)?;
        let hash = w.hasher.finalize();
        let mut inner = w.inner;
        inner.write_all(hash.as_bytes())?;
        inner.flush()?;
        Ok(BackupSummary {
            bytes: w.bytes + HASH_LEN,
            ..summary
        })
    }

    /// Write it to the file `out` (0600), through `out.partial`, synced and
    /// renamed into place; refused if `out` exists.
    pub fn write_file(
        self,
        out: &Path,
        header: &BackupHeader,
        progress: Progress<'_>,
    ) -> Result<BackupSummary, StoreError> {
        if out.exists() {
            return Err(StoreError::Backup {
                path: out.to_owned(),
                reason: "exists; choose a new file name (a backup is never overwritten)".into(),
            });
        }
        let tmp = sibling(out, ".partial");
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        // Lessons in a backup may be AMBER: readable by the owner only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&tmp).map_err(|e| io_err(&tmp, "create", e))?;
        let mut file = SteppedFile::new(file);
        let summary = self
            .write_to(&mut file, header, progress)
            .map_err(|e| io_err(&tmp, "write", e))?;
        file.finish().map_err(|e| io_err(&tmp, "sync", e))?;
        if out.exists() {
            let _ = fs::remove_file(&tmp);
            return Err(StoreError::Backup {
                path: out.to_owned(),
                reason: "appeared while the backup was written; not replaced".into(),
            });
        }
        fs::rename(&tmp, out).map_err(|e| io_err(out, "rename into place", e))?;
        Ok(summary)
    }

    fn write_trees<W: Write>(
        &self,
        w: &mut HashingWriter<W>,
        header: &BackupHeader,
        progress: Progress<'_>,
    ) -> std::io::Result<BackupSummary> {
        let header_json = serde_json::to_vec(header).map_err(std::io::Error::other)?;
        w.write_all(MAGIC)?;
        w.write_all(&VERSION.to_le_bytes())?;
        write_bytes(w, &header_json)?;
        let mut summary = BackupSummary::default();
        for (index, name) in self.snapshot.trees().iter().enumerate() {
            let tree = self
                .store
                .db()
                .map_err(std::io::Error::other)?
                .open_tree(name)
                .map_err(std::io::Error::other)?;
            w.write_all(&[TREE])?;
            write_bytes(w, name)?;
            summary.trees += 1;
            self.snapshot.copy_tree(index, &tree, &mut |k, v| {
                w.write_all(&[KV])?;
                write_bytes(w, k)?;
                write_bytes(w, v)?;
                summary.records += 1;
                if summary.records.is_multiple_of(CHUNK) {
                    progress(summary.records);
                }
                Ok(())
            })?;
        }
        w.write_all(&[END])?;
        w.write_all(&summary.records.to_le_bytes())?;
        Ok(summary)
    }
}

/// A backup file being written so that its writing never stalls a running
/// service's own durable writes on the same disk. Every writer of a backup
/// file uses it: the offline export and the CLI receiving an online backup
/// from a running service.
///
/// Where the file system allows it ([`SteppedFile::new`]), the file is
/// written around the page cache (`O_DIRECT`) in aligned steps of
/// [`SteppedFile::DIRECT_STEP`], each written to the disk before the next
/// is made: the disk's queue holds one step of the backup at most, and the
/// copy asks for no cache flush (`fsync`) until its end. The earlier way,
/// an `fdatasync` every [`SteppedFile::STEP`] (still the fallback), put a
/// journal commit and a device cache flush in the disk's path every few
/// MiB, and a durable append arriving meanwhile waited for both: at a
/// million lessons the longest append during a backup took 107–184 ms,
/// against 12–15 ms without one (BENCHMARKS.md). Nor does the backup
/// evict the service's cached pages any more.
#[derive(Debug)]
pub struct SteppedFile {
    file: File,
    mode: Mode,
    unsynced: u64,
}

#[derive(Debug)]
enum Mode {
    /// `fdatasync` every this many bytes (0: only at the end).
    Synced(u64),
    /// `O_DIRECT`: bytes gather in `buf` (over-allocated, so an aligned
    /// window of a step fits in it) and go to the disk a step at a time.
    Direct { buf: Vec<u8>, at: usize, len: usize },
}

/// Alignment of `O_DIRECT` buffers, offsets and lengths (a page: more than
/// any disk's logical block).
const DIRECT_ALIGN: usize = 4096;

impl SteppedFile {
    /// Bytes written between two syncs by [`SteppedFile::with_step`] (the fallback).
    pub const STEP: u64 = SYNC_STEP;
    /// Bytes per direct write by [`SteppedFile::new`].
    pub const DIRECT_STEP: usize = 1 << 20;

    /// Write `file` from its current position on: around the page cache
    /// when the file system takes `O_DIRECT` and the position is aligned,
    /// otherwise synced every [`SteppedFile::STEP`] bytes.
    pub fn new(file: File) -> SteppedFile {
        match direct(&file) {
            Ok(()) => {
                let buf = vec![0u8; Self::DIRECT_STEP + DIRECT_ALIGN];
                let at = buf.as_ptr().align_offset(DIRECT_ALIGN);
                SteppedFile {
                    file,
                    mode: Mode::Direct { buf, at, len: 0 },
                    unsynced: 0,
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "backup file written through the page cache, synced in steps");
                SteppedFile::with_step(file, SYNC_STEP)
            }
        }
    }

    /// Through the page cache, synced every `step` bytes; 0 leaves writing
    /// out to the kernel until [`SteppedFile::finish`] (how backups were
    /// written before; for comparing in `tazan bench backup`).
    pub fn with_step(file: File, step: u64) -> SteppedFile {
        SteppedFile {
            file,
            mode: Mode::Synced(step),
            unsynced: 0,
        }
    }

    /// Whether the file is written around the page cache.
    pub fn is_direct(&self) -> bool {
        matches!(self.mode, Mode::Direct { .. })
    }

    /// Write the rest, sync the file and its metadata: the file is
    /// complete on disk.
    pub fn finish(mut self) -> std::io::Result<()> {
        if let Mode::Direct { buf, at, len } = &mut self.mode {
            // The whole aligned part directly; the tail (not a multiple of
            // the alignment) through the page cache, which `O_DIRECT` off
            // allows on the same descriptor.
            let whole = *len - *len % DIRECT_ALIGN;
            self.file.write_all(&buf[*at..*at + whole])?;
            buffered(&self.file)?;
            self.file.write_all(&buf[*at + whole..*at + *len])?;
            *len = 0;
        }
        self.file.sync_all()
    }
}

/// Turn `O_DIRECT` on for `file`, if its file system takes it and its
/// position is aligned.
fn direct(file: &File) -> std::io::Result<()> {
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    use std::io::Seek;
    let mut f = file;
    if f.stream_position()? % DIRECT_ALIGN as u64 != 0 {
        return Err(std::io::Error::other("position not aligned"));
    }
    let flags = OFlag::from_bits_truncate(fcntl(file, FcntlArg::F_GETFL)?);
    fcntl(file, FcntlArg::F_SETFL(flags | OFlag::O_DIRECT))?;
    Ok(())
}

/// Turn `O_DIRECT` off again.
fn buffered(file: &File) -> std::io::Result<()> {
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    let flags = OFlag::from_bits_truncate(fcntl(file, FcntlArg::F_GETFL)?);
    fcntl(file, FcntlArg::F_SETFL(flags - OFlag::O_DIRECT))?;
    Ok(())
}

impl Write for SteppedFile {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        match &mut self.mode {
            Mode::Synced(step) => {
                let n = self.file.write(data)?;
                self.unsynced += n as u64;
                if *step > 0 && self.unsynced >= *step {
                    self.file.sync_data()?;
                    self.unsynced = 0;
                }
                Ok(n)
            }
            Mode::Direct { buf, at, len } => {
                let n = data.len().min(Self::DIRECT_STEP - *len);
                buf[*at + *len..*at + *len + n].copy_from_slice(&data[..n]);
                *len += n;
                if *len == Self::DIRECT_STEP {
                    self.file.write_all(&buf[*at..*at + *len])?;
                    *len = 0;
                }
                Ok(n)
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // A partial step stays gathered until it is whole or `finish`.
        self.file.flush()
    }
}

fn write_bytes(w: &mut impl Write, b: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(b.len()).map_err(std::io::Error::other)?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(b)
}

struct HashingWriter<W: Write> {
    inner: BufWriter<W>,
    hasher: blake3::Hasher,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Check a backup file whole: checksum first, then every record's framing.
/// Returns its header and what it holds; writes nothing.
pub fn verify_backup(path: &Path) -> Result<(BackupHeader, BackupSummary), StoreError> {
    let len = fs::metadata(path)
        .map_err(|e| io_err(path, "read", e))?
        .len();
    let bad = |reason: String| StoreError::Backup {
        path: path.to_owned(),
        reason,
    };
    if len < MAGIC.len() as u64 + 4 + 4 + 1 + 8 + HASH_LEN {
        return Err(bad(format!(
            "{len} bytes is too short for a tazan backup (truncated?)"
        )));
    }
    let mut file = File::open(path).map_err(|e| io_err(path, "read", e))?;
    let mut hasher = blake3::Hasher::new();
    let mut body = (&mut file).take(len - HASH_LEN);
    std::io::copy(&mut body, &mut hasher).map_err(|e| io_err(path, "read", e))?;
    let mut stored = [0u8; 32];
    file.read_exact(&mut stored)
        .map_err(|e| io_err(path, "read", e))?;
    if hasher.finalize().as_bytes() != &stored {
        return Err(bad(
            "checksum mismatch: the file is damaged or truncated; nothing was changed, use another copy"
                .into(),
        ));
    }
    read_records(path, len, &mut |_, _| Ok(()), &mut |_| {})
}

/// Read a verified backup into `dir` (a new, empty directory), calling
/// `progress` every 10,000 records. Call [`verify_backup`] first.
fn import(
    path: &Path,
    dir: &Path,
    progress: Progress<'_>,
) -> Result<(Store, BackupSummary), StoreError> {
    let len = fs::metadata(path)
        .map_err(|e| io_err(path, "read", e))?
        .len();
    let store = Store::open(dir)?;
    let db = store.db()?;
    let mut tree: Option<sled::Tree> = None;
    let mut batch = sled::Batch::default();
    let mut pending = 0u64;
    let mut sink = |name: Option<&[u8]>, kv: Option<(&[u8], &[u8])>| -> Result<(), StoreError> {
        if let Some(name) = name {
            if let Some(t) = tree.take() {
                t.apply_batch(std::mem::take(&mut batch))?;
            }
            tree = Some(db.open_tree(name)?);
            pending = 0;
        }
        if let (Some((k, v)), Some(t)) = (kv, tree.as_ref()) {
            batch.insert(k, v);
            pending += 1;
            if pending == CHUNK {
                t.apply_batch(std::mem::take(&mut batch))?;
                pending = 0;
            }
        }
        Ok(())
    };
    let (_, summary) = read_records(path, len, &mut sink, progress)?;
    if let Some(t) = tree {
        t.apply_batch(batch)?;
    }
    store.flush_blocking()?;
    Ok((store, summary))
}

type Sink<'a> = &'a mut dyn FnMut(Option<&[u8]>, Option<(&[u8], &[u8])>) -> Result<(), StoreError>;

/// Parse every record, handing trees and key/values to `sink`.
fn read_records(
    path: &Path,
    len: u64,
    sink: Sink<'_>,
    progress: Progress<'_>,
) -> Result<(BackupHeader, BackupSummary), StoreError> {
    let bad = |reason: String| StoreError::Backup {
        path: path.to_owned(),
        reason,
    };
    let file = File::open(path).map_err(|e| io_err(path, "read", e))?;
    let mut r = Framed {
        inner: BufReader::new(file).take(len - HASH_LEN),
        left: len - HASH_LEN,
    };
    let mut magic = [0u8; 8];
    r.exact(&mut magic).map_err(&bad)?;
    if &magic != MAGIC {
        return Err(bad("not a tazan backup (wrong magic bytes)".into()));
    }
    let version = r.u32().map_err(&bad)?;
    if version != VERSION {
        return Err(bad(format!(
            "format version {version} is not supported (this tazan reads version {VERSION}); restore with the tazan that wrote it"
        )));
    }
    let header: BackupHeader = serde_json::from_slice(&r.bytes().map_err(&bad)?)
        .map_err(|e| bad(format!("header: {e}")))?;
    let mut summary = BackupSummary {
        bytes: len,
        ..Default::default()
    };
    let mut in_tree = false;
    loop {
        let mut tag = [0u8; 1];
        r.exact(&mut tag).map_err(&bad)?;
        match tag[0] {
            TREE => {
                let name = r.bytes().map_err(&bad)?;
                sink(Some(&name), None)?;
                summary.trees += 1;
                in_tree = true;
            }
            KV if in_tree => {
                let k = r.bytes().map_err(&bad)?;
                let v = r.bytes().map_err(&bad)?;
                sink(None, Some((&k, &v)))?;
                summary.records += 1;
                if summary.records.is_multiple_of(CHUNK) {
                    progress(summary.records);
                }
            }
            END => {
                let mut n = [0u8; 8];
                r.exact(&mut n).map_err(&bad)?;
                let n = u64::from_le_bytes(n);
                if n != summary.records {
                    return Err(bad(format!(
                        "says {n} records but holds {}",
                        summary.records
                    )));
                }
                if r.left != 0 {
                    return Err(bad(format!("{} unexpected bytes after the end", r.left)));
                }
                return Ok((header, summary));
            }
            other => return Err(bad(format!("unknown record tag {other}"))),
        }
    }
}

struct Framed<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Framed<R> {
    fn exact(&mut self, buf: &mut [u8]) -> Result<(), String> {
        self.inner
            .read_exact(buf)
            .map_err(|e| format!("truncated record ({e})"))?;
        self.left -= buf.len() as u64;
        Ok(())
    }

    fn u32(&mut self) -> Result<u32, String> {
        let mut b = [0u8; 4];
        self.exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn bytes(&mut self) -> Result<Vec<u8>, String> {
        let n = u64::from(self.u32()?);
        if n > self.left {
            return Err(format!(
                "a record of {n} bytes runs past the end of the file"
            ));
        }
        let mut v = vec![0u8; n as usize];
        self.exact(&mut v)?;
        Ok(v)
    }
}

/// How a restore ended.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The backup's header.
    pub header: BackupHeader,
    /// What was restored.
    pub summary: BackupSummary,
    /// Where the data directory that was replaced now is (with `force`).
    pub previous: Option<PathBuf>,
}

/// Restore a backup file into `data_dir`.
///
/// In order, each failure leaving everything as it was: the file is
/// verified whole; its kind and service must be `kind` and `service`;
/// `data_dir` must be empty or absent unless `force`, and not in use by a
/// running service. The records are written into a new directory beside
/// `data_dir`, `prepare` runs on that store (e.g. to reset derived
/// cursors), and only then is it renamed into place. With `force` the old
/// directory is kept as `DATA.before-restore-UNIXTIME`.
pub fn restore(
    backup: &Path,
    data_dir: &Path,
    kind: &str,
    service: &str,
    force: bool,
    prepare: impl FnOnce(&Store) -> Result<(), StoreError>,
    progress: Progress<'_>,
) -> Result<Restored, StoreError> {
    let (header, _) = verify_backup(backup)?;
    if header.kind != kind || header.service != service {
        return Err(StoreError::Backup {
            path: backup.to_owned(),
            reason: format!(
                "it is a backup of {} `{}`, not of {kind} `{service}`; pick the backup of this service or the config of that one",
                header.kind, header.service
            ),
        });
    }
    let occupied = match fs::read_dir(data_dir) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == ErrorKind::NotFound => false,
        Err(e) => return Err(io_err(data_dir, "read", e)),
    };
    if occupied {
        if !force {
            return Err(StoreError::Backup {
                path: backup.to_owned(),
                reason: format!(
                    "{} is not empty; pass --force to replace it (the old directory is kept beside it)",
                    data_dir.display()
                ),
            });
        }
        // Refuse while a service holds the store: sled's lock tells.
        drop(
            Store::open_waiting(data_dir, LOCK_GRACE).map_err(|e| match e {
                e if e.is_locked() => StoreError::Backup {
                    path: data_dir.to_owned(),
                    reason: "the service using it is running; stop it, then restore".into(),
                },
                other => other,
            })?,
        );
    }
    let stamp = crate::now_unix();
    let tmp = sibling(data_dir, &format!(".restore-{stamp}"));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| io_err(&tmp, "remove", e))?;
    }
    let imported = import(backup, &tmp, progress).and_then(|(store, summary)| {
        prepare(&store)?;
        store.flush_blocking()?;
        Ok(summary)
    });
    let summary = match imported {
        Ok(s) => s,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    let mut previous = None;
    if occupied {
        let keep = sibling(data_dir, &format!(".before-restore-{stamp}"));
        fs::rename(data_dir, &keep).map_err(|e| io_err(data_dir, "move aside", e))?;
        previous = Some(keep);
    } else if data_dir.exists() {
        fs::remove_dir(data_dir).map_err(|e| io_err(data_dir, "remove the empty", e))?;
    }
    fs::rename(&tmp, data_dir).map_err(|e| io_err(data_dir, "rename into place", e))?;
    Ok(Restored {
        header,
        summary,
        previous,
    })
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn io_err(path: &Path, action: &'static str, source: std::io::Error) -> StoreError {
    StoreError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests;
