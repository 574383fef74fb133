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
use tazan_model::{DisclosureLevel, Envelope, Payload};
use tazan_store::{HubLog, Store};
use tazan_trust::PublicKey;
use tracing::info;

use crate::core::screen_rejection;
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
    /// Store lessons and collections signed with this hub's own key, with
    /// the hub as origin, after the checks and the screen its members'
    /// GREEN/CLEAR payloads pass. A group hub's own CLEAR/GREEN ones are
    /// relayed to the cross hub like its members'; the cross hub's own go
    /// down to every group, which verify them by its pinned key. Accepted ones are durable on return;
    /// one already in the log counts as a duplicate and is not stored again.
    pub async fn import_own(&self, envelopes: Vec<Envelope>) -> Result<ImportReport, HubError> {
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
        let screen = self.screen();
        for (i, (env, verdict)) in checked.0.iter().zip(checked.1).enumerate() {
            let refused = if env.signer != own_id {
                Some(format!(
                    "signed by {}, not by this hub's key {own_id}",
                    env.signer
                ))
            } else if let Err(e) = verdict {
                Some(format!("signature: {e}"))
            } else {
                let admitted = match env.decode() {
                    Ok(Payload::Lesson(l)) if !l.level.may_reach_group() => {
                        Err("RED lessons never enter a hub; use CLEAR or GREEN".to_owned())
                    }
                    Ok(Payload::Lesson(l)) => Ok(Payload::Lesson(l)),
                    Ok(Payload::Collection(c)) => self
                        .check_collection(&c)
                        .map(|()| Payload::Collection(c))
                        .map_err(|r| format!("{}: {}", r.field, r.message)),
                    Ok(Payload::Withdrawal(_)) => {
                        Err("only lessons and collections can be imported, not withdrawals".to_owned())
                    }
                    Ok(Payload::Response(_)) => Err(
                        "only lessons and collections can be imported, not feedback, questions or answers"
                            .to_owned(),
                    ),
                    Err(e) => Err(e.to_string()),
                };
                // What the hub itself originates passes the same screen as
                // what its members send beyond the group.
                let admitted = admitted.and_then(|p| match screen_rejection(&screen, &p) {
                    Some(r) => Err(format!("{}: {}", r.field, r.message)),
                    None => Ok(p),
                });
                match admitted {
                    Ok(payload) => {
                        if payload.level() == DisclosureLevel::Amber && self.tier == Tier::Cross {
                            Some(
                                "the cross hub serves GREEN and CLEAR only; AMBER stays in a group"
                                    .to_owned(),
                            )
                        } else {
                            records.push(self.record(
                                env,
                                &payload,
                                self.id.clone(),
                                self.group.clone(),
                                now,
                            ));
                            None
                        }
                    }
                    Err(why) => Some(why),
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

/// Import envelopes signed with the hub's key at the hub configured by
/// `config`: through its admin socket while it runs, else into its store.
/// Returns the report and `"socket"` or `"store"`.
pub async fn import_signed(
    config: &HubConfig,
    envelopes: Vec<Envelope>,
) -> Result<(ImportReport, &'static str), HubError> {
    let reached = tazan_admin::reach(&config.data_dir, || {
        Store::open_unless_running(&config.data_dir).map_err(HubError::from)
    })
    .await?;
    match reached {
        tazan_admin::Reached::Stopped(store) => {
            Ok((import_offline(config, store, envelopes).await?, "store"))
        }
        tazan_admin::Reached::Running(mut admin) => {
            let answer = admin
                .import_catalog(tazan_proto::pb::ImportCatalogRequest {
                    envelopes: envelopes
                        .iter()
                        .map(tazan_proto::pb::Envelope::from)
                        .collect(),
                })
                .await
                .map_err(|s| {
                    HubError::Catalog(format!("the running hub refused: {}", s.message()))
                })?
                .into_inner();
            Ok((
                ImportReport {
                    accepted: answer.accepted,
                    duplicates: answer.duplicates,
                    refused: answer
                        .refused
                        .into_iter()
                        .map(|r| (r.index as usize, r.reason))
                        .collect(),
                    error: None,
                },
                "socket",
            ))
        }
    }
}

/// Every lesson in a stopped hub's log (for reports such as the table of
/// press-reported failures). A running hub holds its store: then this says
/// to read the report on its portal or from a member instead.
pub async fn log_lessons(config: &HubConfig) -> Result<Vec<tazan_model::Lesson>, HubError> {
    let Some(store) = Store::open_unless_running(&config.data_dir)? else {
        return Err(HubError::Catalog(format!(
            "the hub is running and holds its store {}: read the table on its portal (/press), or from a member with --home",
            config.data_dir.display()
        )));
    };
    let log = HubLog::open(&store).await?;
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = log.range(after, 1000)?;
        let Some(last) = page.last().map(|r| r.seq) else {
            break;
        };
        after = last;
        out.extend(page.into_iter().filter_map(|r| {
            match Payload::from_canonical_bytes(&r.envelope.payload) {
                Ok(Payload::Lesson(l)) => Some(l),
                _ => None,
            }
        }));
    }
    Ok(out)
}
