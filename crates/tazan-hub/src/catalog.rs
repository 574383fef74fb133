//! A lesson catalogue served by a group hub: entries converted to lessons,
//! signed with the hub's own key and stored in its log with the hub as origin,
//! so members receive them through `Subscribe`/`List` and the hub's `Search`
//! finds them, like any other lessons.
//!
//! ```text
//!  tazan catalog import FILE --hub-config hub.toml
//!    read + check each line ─► Lesson (CLEAR, ref = entry id) ─► sign (hub key)
//!      ├─ hub stopped: open its store ───────────────────────────┐
//!      └─ hub running: ImportCatalog on its admin socket ────────┤
//!                          HubCore::import_own: own key, Lesson, not RED
//!                          ─► log (durable; same bytes → same id → DUPLICATE)
//!                          ─► members, search index, relay to the cross hub
//! ```
//!
//! A running hub owns its sled store (one process), hence the admin socket.
//! It grants nothing by itself: the hub stores only envelopes that verify
//! under its own key, and a caller without the key file cannot make one.

use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use tazan_model::{Envelope, Payload};
use tazan_store::{HubLog, Store};
use tazan_trust::PublicKey;
use tracing::info;

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
        let now = self.clock.now_unix();
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
                    Ok(Payload::Response(_)) => Some(
                        "only lessons can be imported, not feedback, questions or answers"
                            .to_owned(),
                    ),
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

/// Import into a stopped hub through its store, which the caller opened
/// (see [`Store::open_unless_running`]); a running hub takes the batch on
/// its admin socket instead.
pub async fn import_offline(
    config: &HubConfig,
    store: Store,
    envelopes: Vec<Envelope>,
) -> Result<ImportReport, HubError> {
    let (key, roster) = crate::server::load_key_and_roster(config)?;
    let log = HubLog::open(&store).await?;
    let core = HubCore::new(config, log, roster, key, None, None);
    let report = core.import_own(envelopes).await?;
    store.flush().await?;
    Ok(report)
}
