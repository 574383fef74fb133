//! Whether a service is serving, as gRPC health, `/healthz` and
//! `tazan status` report it, and the healer that brings a store back after
//! a storage fault.
//!
//! ```text
//!  write/flush fails ─► Store::faults ─► Health: NOT_SERVING (reason) ─► gRPC health, /healthz 503
//!        healer: backoff ─► can the data directory take a write? ─► Store::reopen + probe ─► SERVING
//! ```

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tazan_store::Store;
use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::Backoff;

/// A service's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serving {
    /// Answering normally.
    Serving,
    /// Refusing work it cannot do now, with the reason (for `/healthz`,
    /// logs and `tazan status`).
    NotServing(String),
}

impl Serving {
    /// Whether it is [`Serving::Serving`].
    pub fn is_serving(&self) -> bool {
        matches!(self, Serving::Serving)
    }
}

/// The health of one service, shared by its listeners and workers. Cheap
/// to clone.
#[derive(Debug, Clone)]
pub struct Health {
    state: Arc<watch::Sender<Serving>>,
}

impl Default for Health {
    fn default() -> Self {
        Health::new()
    }
}

impl Health {
    /// A service that is serving.
    pub fn new() -> Health {
        Health {
            state: Arc::new(watch::channel(Serving::Serving).0),
        }
    }

    /// The state now.
    pub fn current(&self) -> Serving {
        self.state.borrow().clone()
    }

    /// Whether the service is serving now.
    pub fn is_serving(&self) -> bool {
        self.state.borrow().is_serving()
    }

    /// A receiver that sees every change.
    pub fn subscribe(&self) -> watch::Receiver<Serving> {
        self.state.subscribe()
    }

    /// Serving again.
    pub fn set_serving(&self) {
        self.state.send_if_modified(|s| {
            let changed = !s.is_serving();
            *s = Serving::Serving;
            changed
        });
    }

    /// Not serving, because of `reason`.
    pub fn set_not_serving(&self, reason: impl Into<String>) {
        let reason = reason.into();
        self.state.send_if_modified(|s| {
            let next = Serving::NotServing(reason);
            let changed = *s != next;
            *s = next;
            changed
        });
    }
}

/// Bytes written to the data directory to see whether it takes writes again
/// before the store is reopened: a sled segment's worth, so a reopen is not
/// tried while the disk could not hold the probe write it does.
const PROBE_BYTES: usize = 1 << 20;
/// The probe file, removed right after it was written.
const PROBE_FILE: &str = ".tazan-write-probe";
/// How long a reopen waits for sled to let go of the old database's lock.
const REOPEN_WAIT: Duration = Duration::from_secs(5);

/// Watch `store` for a storage fault; on one, turn `health` to NOT_SERVING,
/// then probe with backoff (at most `cap` apart) until the data directory
/// takes writes and [`Store::reopen`] succeeds, call `healed` (a hub reads
/// its log head again) and turn `health` back to SERVING. Runs until `stop`.
pub async fn heal_store(
    store: Store,
    health: Health,
    cap: Duration,
    healed: impl Fn() + Send,
    mut stop: watch::Receiver<bool>,
) {
    let mut faults = store.faults();
    loop {
        let reason = loop {
            if let Some(reason) = faults.borrow_and_update().clone() {
                break reason;
            }
            tokio::select! {
                changed = faults.changed() => if changed.is_err() { return },
                _ = stop.changed() => return,
            }
        };
        warn!(reason = %reason, "storage fault: not serving until writes succeed again");
        health.set_not_serving(format!("storage fault: {reason}"));
        let mut backoff = Backoff::new(Duration::from_millis(50), cap);
        let mut attempts = 0u32;
        loop {
            if backoff.wait(&mut stop).await {
                return;
            }
            attempts += 1;
            let dir = store.dir().to_owned();
            let s = store.clone();
            let tried = tokio::task::spawn_blocking(move || {
                writable(&dir)?;
                s.reopen(REOPEN_WAIT).map_err(|e| e.to_string())
            })
            .await;
            match tried {
                Ok(Ok(())) => break,
                Ok(Err(why)) => {
                    debug!(attempts, reason = %why, "storage still failing");
                    health.set_not_serving(format!("storage fault: {why}"));
                }
                Err(e) => warn!(error = %e, "storage probe task failed"),
            }
        }
        healed();
        health.set_serving();
        info!(attempts, "storage healed: writes succeed again; serving");
    }
}

/// Whether `dir` takes a write of [`PROBE_BYTES`] (synced, then removed).
fn writable(dir: &Path) -> Result<(), String> {
    let path = dir.join(PROBE_FILE);
    let written = std::fs::File::create(&path).and_then(|mut f| {
        f.write_all(&vec![0u8; PROBE_BYTES])?;
        f.sync_all()
    });
    let removed = std::fs::remove_file(&path);
    written.map_err(|e| format!("the data directory {} takes no writes: {e}", dir.display()))?;
    removed.map_err(|e| format!("cannot remove the probe file {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn health_changes_are_seen_once_each() {
        let h = Health::new();
        let mut rx = h.subscribe();
        assert!(h.is_serving());
        h.set_serving();
        assert!(!rx.has_changed().unwrap(), "serving again is no change");
        h.set_not_serving("storage fault: flush failed");
        rx.changed().await.unwrap();
        assert_eq!(
            *rx.borrow_and_update(),
            Serving::NotServing("storage fault: flush failed".into())
        );
        h.set_serving();
        rx.changed().await.unwrap();
        assert!(rx.borrow().is_serving());
    }

    #[test]
    fn a_writable_directory_passes_the_probe_and_keeps_no_file() {
        let dir = tempfile::tempdir().unwrap();
        writable(dir.path()).unwrap();
        assert!(!dir.path().join(PROBE_FILE).exists());
        let err = writable(&dir.path().join("missing")).unwrap_err();
        assert!(err.contains("takes no writes"), "{err}");
    }
}
