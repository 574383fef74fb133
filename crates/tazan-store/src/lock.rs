//! Who holds a store: sled takes an exclusive `flock` on `DIR/db`, and a
//! second process cannot open the directory until it is released. A service
//! starting while a CLI command reads its store waits a bounded time for it
//! (see [`Store::open_when_free`]) and names the holder, read from
//! `/proc/locks` (Linux; elsewhere the holder is "another process").

use std::path::Path;
use std::time::{Duration, Instant};

use crate::{Store, StoreError};

/// The process that holds the store in `dir`, as `pid N (command line)`,
/// when this system can tell.
pub fn lock_holder(dir: &Path) -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(dir.join("db")).ok()?;
        let (major, minor) = split_dev(meta.dev());
        let want = format!("{major:02x}:{minor:02x}:{}", meta.ino());
        let locks = std::fs::read_to_string("/proc/locks").ok()?;
        let pid = locks.lines().find_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // "1: FLOCK  ADVISORY  WRITE 5609 fe:00:10052354 0 EOF"
            (f.get(1) == Some(&"FLOCK") && f.get(5) == Some(&want.as_str()))
                .then(|| f.get(4).copied())
                .flatten()
        })?;
        let command = std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|raw| {
                let words: Vec<String> = raw
                    .split(|&b| b == 0)
                    .filter(|w| !w.is_empty())
                    .map(|w| String::from_utf8_lossy(w).into_owned())
                    .collect();
                let mut line = words.join(" ");
                if line.chars().count() > 120 {
                    line = line.chars().take(117).collect::<String>() + "...";
                }
                line
            })
            .unwrap_or_default();
        Some(if command.is_empty() {
            format!("pid {pid}")
        } else {
            format!("pid {pid} (`{command}`)")
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        None
    }
}

/// glibc's `major()`/`minor()` of a `st_dev`.
#[cfg(target_os = "linux")]
fn split_dev(dev: u64) -> (u64, u64) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    (major, minor)
}

impl Store {
    /// [`Store::open`], waiting up to `wait` while another process holds the
    /// directory (a CLI command reading it for a moment). `waiting` is called
    /// once, with the holder, when the wait starts; after `wait` the error
    /// names the holder and what to do.
    pub fn open_when_free(
        dir: &Path,
        wait: Duration,
        waiting: impl FnOnce(&str),
    ) -> Result<Store, StoreError> {
        let start = Instant::now();
        let mut waiting = Some(waiting);
        loop {
            match Store::open(dir) {
                Err(e) if e.is_locked() => {
                    let holder = lock_holder(dir).unwrap_or_else(|| "another process".into());
                    if let Some(say) = waiting.take() {
                        say(&holder);
                    }
                    if start.elapsed() >= wait {
                        return Err(StoreError::Held {
                            path: dir.to_owned(),
                            holder,
                            waited: wait,
                        });
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_store_names_its_holder_and_opens_once_free() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path()).unwrap();
        // flock is per open file: a second open in this process conflicts too.
        let mut said = String::new();
        let e = Store::open_when_free(dir.path(), Duration::from_millis(200), |h| {
            said = h.to_owned()
        })
        .err()
        .unwrap();
        if cfg!(target_os = "linux") {
            assert!(
                said.starts_with(&format!("pid {}", std::process::id())),
                "{said}"
            );
        }
        let msg = e.to_string();
        assert!(msg.contains(&said) && msg.contains("still held"), "{msg}");
        assert!(e.is_locked());
        drop(first);
        Store::open_when_free(dir.path(), Duration::from_secs(5), |_| {}).unwrap();
    }
}
