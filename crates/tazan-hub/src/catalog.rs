//! A lesson catalogue served by a group hub: entries converted to lessons,
//! signed with the hub's own key and stored in its log with the hub as origin,
//! so members receive them through `Subscribe`/`List` and the hub's `Search`
//! finds them, like any other lessons.
//!
//! ```text
//!  tazan catalog import FILE --hub-config hub.toml
//!    read + check each line ─► Lesson (CLEAR, ref = entry id) ─► sign (hub key)
//!      ├─ hub stopped: open its store ─────────────────────┐
//!      └─ hub running: DATA_DIR/catalog-spool/NAME.jsonl   │
//!            hub watches (200 ms) ─► NAME.result.json      ▼
//!                          HubCore::import_own: own key, Lesson, not RED
//!                          ─► log (durable; same bytes → same id → DUPLICATE)
//!                          ─► members, search index, relay to the cross hub
//! ```
//!
//! A running hub owns its sled store (one process), hence the spool: written
//! to a temporary name and renamed, so the hub never reads half a file. The
//! spool grants nothing by itself: the hub stores only envelopes that verify
//! under its own key, and a writer without the key file cannot make one.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tazan_model::{Envelope, Payload};
use tazan_store::{HexEnvelope, HubLog, Store};
use tazan_trust::PublicKey;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::{HubConfig, HubCore, HubError, Tier};

/// What an import stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Lessons stored for the first time.
    pub accepted: u64,
    /// Lessons already in the log (a re-import): nothing stored.
    pub duplicates: u64,
    /// Envelopes refused, each with its position in the batch and the reason.
    pub refused: Vec<(usize, String)>,
    /// Set when the hub could not read the batch at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The hand-off directory between `tazan catalog import` and a running hub.
#[derive(Debug, Clone)]
pub struct CatalogSpool {
    dir: PathBuf,
}

fn spool_io(what: &str, path: &Path, e: std::io::Error) -> HubError {
    HubError::Catalog(format!("{what} {}: {e}", path.display()))
}

impl CatalogSpool {
    /// The spool of the hub configured by `config`: `DATA_DIR/catalog-spool`.
    pub fn of(config: &HubConfig) -> CatalogSpool {
        CatalogSpool {
            dir: config.data_dir.join("catalog-spool"),
        }
    }

    /// Where it is.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Hand a batch of signed envelopes to the running hub; returns the batch
    /// file, whose answer [`CatalogSpool::wait`] reads.
    pub fn put(&self, envelopes: &[Envelope]) -> Result<PathBuf, HubError> {
        let mut text = String::new();
        for env in envelopes {
            let json = serde_json::to_string(&HexEnvelope::from(env))
                .map_err(|e| HubError::Catalog(e.to_string()))?;
            text.push_str(&json);
            text.push('\n');
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("{nanos:024}-{}.jsonl", std::process::id());
        tazan_store::spool_write(&self.dir, &name, text.as_bytes())
            .map_err(|e| spool_io("writing", &self.dir, e))
    }

    /// The hub's answer to `batch`, once it has one (polled every 50 ms, up to
    /// `limit`). The answer file is removed once read.
    pub async fn wait(&self, batch: &Path, limit: Duration) -> Option<ImportReport> {
        let answer = result_path(batch);
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Ok(bytes) = std::fs::read(&answer) {
                if let Ok(report) = serde_json::from_slice(&bytes) {
                    let _ = std::fs::remove_file(&answer);
                    return Some(report);
                }
            }
            if tokio::time::Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Complete batch files, oldest first.
    fn pending(&self) -> Vec<PathBuf> {
        tazan_store::spool_files(&self.dir, "jsonl")
    }
}

fn result_path(batch: &Path) -> PathBuf {
    batch.with_extension("result.json")
}

fn read_batch(path: &Path) -> Result<Vec<Envelope>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let at = |why: String| format!("entry {}: {why}", i + 1);
            let l: HexEnvelope = serde_json::from_str(line).map_err(|e| at(e.to_string()))?;
            l.to_envelope().map_err(at)
        })
        .collect()
}

impl HubCore {
    /// Store lessons signed with this hub's own key, with the hub as origin
    /// (group tier only: a group hub's own CLEAR/GREEN lessons are relayed to
    /// the cross hub like its members'). Accepted ones are durable on return;
    /// one already in the log counts as a duplicate and is not stored again.
    pub async fn import_own(&self, envelopes: Vec<Envelope>) -> Result<ImportReport, HubError> {
        if self.tier != Tier::Group {
            return Err(HubError::Catalog(
                "catalogue import is for group hubs: the cross hub's own lessons have no roster entry its groups could verify them by; import at a group hub (CLEAR lessons reach every group through the cross hub)".to_owned(),
            ));
        }
        let own: PublicKey = self.key.public();
        let own_id = self.key.key_id();
        let checked = tokio::task::spawn_blocking(move || {
            let items: Vec<(&Envelope, &PublicKey)> = envelopes.iter().map(|e| (e, &own)).collect();
            let verdicts = tazan_trust::verify_envelopes(&items);
            (envelopes, verdicts)
        })
        .await
        .map_err(|e| HubError::Task(format!("verifying catalogue lessons: {e}")))?;
        let now = tazan_trust::now_unix();
        let mut report = ImportReport::default();
        let mut records = Vec::new();
        for (i, (env, verdict)) in checked.0.iter().zip(checked.1).enumerate() {
            let refused = if env.signer != own_id {
                Some(format!(
                    "signed by {}, not by this hub's key {own_id}",
                    env.signer
                ))
            } else if let Err(e) = verdict {
                Some(format!("signature: {e}"))
            } else {
                match env.decode() {
                    Ok(Payload::Lesson(l)) if l.level.may_reach_group() => {
                        let payload = Payload::Lesson(l);
                        records.push(self.record(
                            env,
                            &payload,
                            self.id.clone(),
                            self.group.clone(),
                            now,
                        ));
                        None
                    }
                    Ok(Payload::Lesson(_)) => {
                        Some("RED lessons never enter a hub; use CLEAR or GREEN".to_owned())
                    }
                    Ok(Payload::Withdrawal(_)) => {
                        Some("only lessons can be imported, not withdrawals".to_owned())
                    }
                    Err(e) => Some(e.to_string()),
                }
            };
            if let Some(why) = refused {
                report.refused.push((i, why));
            }
        }
        if records.is_empty() {
            return Ok(report);
        }
        for a in self.log.append_durable(records).await? {
            if a.duplicate {
                report.duplicates += 1;
            } else {
                report.accepted += 1;
            }
        }
        self.stats
            .accepted
            .fetch_add(report.accepted, Ordering::Relaxed);
        self.stats
            .duplicates
            .fetch_add(report.duplicates, Ordering::Relaxed);
        info!(
            accepted = report.accepted,
            duplicates = report.duplicates,
            refused = report.refused.len(),
            "own lessons imported"
        );
        Ok(report)
    }
}

/// Import into a stopped hub by opening its store; `Ok(None)` when a running
/// hub holds the store (hand the batch to [`CatalogSpool`] instead).
pub async fn import_offline(
    config: &HubConfig,
    envelopes: Vec<Envelope>,
) -> Result<Option<ImportReport>, HubError> {
    let store = match Store::open(&config.data_dir) {
        Ok(s) => s,
        // The running hub holds the store.
        Err(e) if e.is_locked() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let (key, roster) = crate::server::load_key_and_roster(config)?;
    let log = HubLog::open(&store)?;
    let core = HubCore::new(config, log, roster, key, None);
    let report = core.import_own(envelopes).await?;
    store.flush_blocking()?;
    Ok(Some(report))
}

/// Take batches from the spool into the log until stopped, answering each
/// with a result file beside it.
pub(crate) async fn spool_loop(
    core: Arc<HubCore>,
    spool: CatalogSpool,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        for path in spool.pending() {
            let report = match read_batch(&path) {
                Ok(envelopes) => match core.import_own(envelopes).await {
                    Ok(r) => r,
                    Err(HubError::Store(e)) => {
                        warn!(error = %e, "storage failed; the catalogue batch stays for the next round");
                        continue;
                    }
                    Err(e) => ImportReport {
                        error: Some(e.to_string()),
                        ..ImportReport::default()
                    },
                },
                Err(why) => {
                    warn!(file = %path.display(), reason = %why, "unreadable catalogue batch refused");
                    ImportReport {
                        error: Some(format!("unreadable batch: {why}")),
                        ..ImportReport::default()
                    }
                }
            };
            answer(&path, &report);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Write the answer (temporary name, then rename), then drop the batch:
/// a crash in between only means it is imported again, as duplicates.
fn answer(batch: &Path, report: &ImportReport) {
    let out = result_path(batch);
    let tmp = out.with_extension("tmp");
    let written = serde_json::to_vec(report)
        .map_err(|e| e.to_string())
        .and_then(|json| std::fs::write(&tmp, json).map_err(|e| e.to_string()))
        .and_then(|()| std::fs::rename(&tmp, &out).map_err(|e| e.to_string()));
    if let Err(e) = written {
        warn!(file = %out.display(), error = %e, "could not write the catalogue import answer");
    }
    if let Err(e) = std::fs::remove_file(batch) {
        warn!(file = %batch.display(), error = %e, "could not remove an imported catalogue batch; it will be imported again (as duplicates)");
    }
}
