//! Handing gated payloads to the node: the outbox of a stopped node (then
//! one delivery attempt at once), the spool of a running one, or the core of
//! a node running in this process. Every path signs only [`Gated`] payloads.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tazan_model::LessonId;
use tazan_proto::pb::{self, hub_client::HubClient};
use tazan_trust::KeyPair;
use tonic::transport::Channel;

use crate::{sign_gated, DeliveryReport, Gated, NodeConfig, NodeCore, NodeError, Spool};

/// How long a command waits for the hub on one delivery attempt.
const DELIVER_LIMIT: Duration = Duration::from_secs(15);
/// How long a command waits for a running node to take its spool files, and
/// then for the hub to report them stored.
const SPOOL_WAIT: Duration = Duration::from_secs(3);

/// What happened to a signed payload, and so what happens next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Delivery {
    /// Stored by the hub just now.
    Accepted,
    /// The hub had it already (same bytes, same id).
    Duplicate,
    /// Refused by the hub for good (removed from the outbox).
    Rejected {
        /// The hub's reason (field and what was wrong).
        reason: String,
    },
    /// In the outbox of the stopped node; the hub did not answer.
    Queued {
        /// The hub's endpoint.
        hub: String,
        /// Why it did not answer.
        reason: String,
    },
    /// Handed to the node running in this process; its outbox worker delivers it.
    InProcess,
    /// Handed to the running node through its spool.
    Spooled {
        /// The spool file.
        file: PathBuf,
        /// Whether the node took it into its outbox within a few seconds.
        taken: bool,
        /// What the hub said about it then.
        hub: HubCheck,
    },
}

/// Whether the hub had a spooled payload a few seconds after the hand-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum HubCheck {
    /// The hub has it: delivered.
    Stored,
    /// The hub answers but does not have it yet.
    NotYet,
    /// The hub did not answer.
    Unreachable {
        /// The hub's endpoint.
        hub: String,
        /// Why.
        reason: String,
    },
}

impl Delivery {
    /// One word: `accepted`, `duplicate`, `rejected`, `queued` or `spooled`.
    pub fn status(&self) -> &'static str {
        match self {
            Delivery::Accepted => "accepted",
            Delivery::Duplicate => "duplicate",
            Delivery::Rejected { .. } => "rejected",
            Delivery::Queued { .. } | Delivery::InProcess => "queued",
            Delivery::Spooled { .. } => "spooled",
        }
    }

    /// Whether the hub refused it.
    pub fn is_rejected(&self) -> bool {
        matches!(self, Delivery::Rejected { .. })
    }
}

/// What happened and what happens next, in one sentence.
impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Delivery::Accepted => f.write_str("accepted by the hub"),
            Delivery::Duplicate => f.write_str("already at the hub (duplicate); nothing more to do"),
            Delivery::Rejected { reason } => write!(
                f,
                "rejected by the hub: {reason}; removed from the outbox, so nothing more happens"
            ),
            Delivery::Queued { hub, reason } => write!(
                f,
                "queued in the node's outbox; the hub at {hub} did not answer ({reason}); it is delivered once `tazan node serve` runs and the hub answers (it retries until the hub acknowledges)"
            ),
            Delivery::InProcess => f.write_str(
                "queued in the running node's outbox; it delivers it when the hub answers",
            ),
            Delivery::Spooled {
                file, taken: false, ..
            } => write!(
                f,
                "written to the running node's spool ({}), but the node has not taken it yet; it is queued when the node reads its spool (is `tazan node serve` still running? see its log)",
                file.display()
            ),
            Delivery::Spooled { hub, .. } => match hub {
                HubCheck::Stored => f.write_str(
                    "handed to the running node, which delivered it: the hub has it",
                ),
                HubCheck::NotYet => f.write_str(
                    "handed to the running node, which queued it in its outbox; the hub answers but has not stored it yet: the node retries until the hub acknowledges (see `tazan status` or the node's log)",
                ),
                HubCheck::Unreachable { hub, reason } => write!(
                    f,
                    "handed to the running node, which queued it in its outbox; the hub at {hub} does not answer ({reason}): the node keeps it and retries until the hub acknowledges (see `tazan status` or the node's log)"
                ),
            },
        }
    }
}

/// One of the node's lessons in its store: id, title, level, version.
pub(crate) type OwnInStore = (LessonId, String, tazan_model::DisclosureLevel, u32);

/// How long sled may hold a store's lock after this process dropped its
/// handle (its background flusher runs every second): an open within that
/// time retries instead of taking the store for a running node's.
const LINGER: Duration = Duration::from_millis(1500);

/// Where gated payloads go.
pub(crate) enum Outlet {
    /// A node running in this process (the demo; a portal inside the node).
    Core(Arc<NodeCore>),
    /// The node configured here: its store when it is stopped, else its spool.
    Config {
        /// The node.
        cfg: Box<NodeConfig>,
        /// When this desk last closed the node's store.
        closed: Mutex<Option<Instant>>,
    },
}

/// The node for one desk operation: its core (in this process, or opened
/// because the node is stopped) or its spool (it runs elsewhere). A store
/// opened here is closed when the session ends.
pub(crate) struct Session<'a> {
    outlet: &'a Outlet,
    core: Option<Arc<NodeCore>>,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if let (Outlet::Config { closed, .. }, Some(core)) = (self.outlet, self.core.take()) {
            drop(core);
            *closed.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        }
    }
}

impl Outlet {
    /// A node configured by `cfg`.
    pub(crate) fn config(cfg: NodeConfig) -> Outlet {
        Outlet::Config {
            cfg: Box::new(cfg),
            closed: Mutex::new(None),
        }
    }

    /// The node for one operation.
    pub(crate) async fn session(&self) -> Result<Session<'_>, NodeError> {
        let core = match self {
            Outlet::Core(core) => Some(Arc::clone(core)),
            Outlet::Config { cfg, closed } => {
                let lingering = closed
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .map(|at| at + LINGER);
                loop {
                    match open_stopped(cfg)? {
                        Some(core) => break Some(core),
                        None if lingering.is_some_and(|until| Instant::now() < until) => {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        None => break None,
                    }
                }
            }
        };
        Ok(Session { outlet: self, core })
    }
}

impl Session<'_> {
    /// Sign and hand over each payload, in order; one delivery attempt for
    /// all when the node is stopped.
    pub(crate) async fn send(
        &self,
        gated: Vec<Gated>,
    ) -> Result<Vec<(LessonId, Delivery)>, NodeError> {
        match (self.outlet, &self.core) {
            (Outlet::Core(core), _) => {
                let mut out = Vec::new();
                for g in gated {
                    out.push((core.queue_gated(g).await?, Delivery::InProcess));
                }
                Ok(out)
            }
            (Outlet::Config { cfg, .. }, Some(core)) => queue_and_deliver(core, cfg, gated).await,
            (Outlet::Config { cfg, .. }, None) => spool(cfg, gated).await,
        }
    }

    /// The node's own lessons as its store knows them (outbox and library),
    /// when the store can be read now: id, title, level, version.
    pub(crate) fn own_lessons(&self) -> Result<Vec<OwnInStore>, NodeError> {
        let Some(core) = &self.core else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let lesson = |payload: &[u8]| match tazan_model::Payload::from_canonical_bytes(payload) {
            Ok(tazan_model::Payload::Lesson(l)) => Some(l),
            _ => None,
        };
        for item in core.outbox().pending(usize::MAX)? {
            if let Some(l) = lesson(&item.envelope.payload) {
                out.push((item.id, l.title, l.level, l.version));
            }
        }
        for e in core.library().all()? {
            if e.origin == core.id().as_str() {
                if let Some(l) = lesson(&e.envelope.payload) {
                    out.push((e.id, l.title, l.level, l.version));
                }
            }
        }
        Ok(out)
    }
}

/// The node's store, or `None` when the running node holds it.
fn open_stopped(cfg: &NodeConfig) -> Result<Option<Arc<NodeCore>>, NodeError> {
    let key = KeyPair::load(&cfg.key).map_err(|source| NodeError::Key {
        path: cfg.key.clone(),
        source,
    })?;
    match NodeCore::open(cfg.id.clone(), cfg.hub_name.clone(), key, &cfg.data_dir) {
        Ok(core) => Ok(Some(core)),
        Err(NodeError::Store(e)) if e.is_locked() => Ok(None),
        Err(e) => Err(e),
    }
}

async fn hub_client(cfg: &NodeConfig) -> Result<HubClient<Channel>, String> {
    let endpoint = tazan_proto::endpoint(&cfg.hub_endpoint, cfg.hub_name.as_str(), &cfg.tls)
        .map_err(|e| e.to_string())?;
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| tazan_proto::transport_cause(&e))?;
    Ok(HubClient::new(channel))
}

async fn queue_and_deliver(
    core: &NodeCore,
    cfg: &NodeConfig,
    gated: Vec<Gated>,
) -> Result<Vec<(LessonId, Delivery)>, NodeError> {
    let mut ids = Vec::new();
    for g in gated {
        ids.push(core.queue_gated(g).await?);
    }
    let report: Result<DeliveryReport, String> = match hub_client(cfg).await {
        Ok(mut client) => {
            match tokio::time::timeout(DELIVER_LIMIT, core.deliver(&mut client)).await {
                Ok(Ok(report)) => Ok(report),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(format!("no answer within {}s", DELIVER_LIMIT.as_secs())),
            }
        }
        Err(why) => Err(why),
    };
    core.store().flush_blocking()?;
    Ok(ids
        .into_iter()
        .map(|id| {
            let delivery = match &report {
                Ok(r) if r.accepted.contains(&id) => Delivery::Accepted,
                Ok(r) if r.duplicates.contains(&id) => Delivery::Duplicate,
                Ok(r) => match r.rejected.iter().find(|(x, _)| *x == id) {
                    Some((_, why)) => Delivery::Rejected {
                        reason: why.clone(),
                    },
                    None => Delivery::Queued {
                        hub: cfg.hub_endpoint.clone(),
                        reason: "it kept the lesson for a later round".into(),
                    },
                },
                Err(why) => Delivery::Queued {
                    hub: cfg.hub_endpoint.clone(),
                    reason: why.clone(),
                },
            };
            (id, delivery)
        })
        .collect())
}

async fn spool(
    cfg: &NodeConfig,
    gated: Vec<Gated>,
) -> Result<Vec<(LessonId, Delivery)>, NodeError> {
    let key = KeyPair::load(&cfg.key).map_err(|source| NodeError::Key {
        path: cfg.key.clone(),
        source,
    })?;
    let spool = Spool::new(cfg.spool_dir.clone());
    let mut handed = Vec::new();
    for g in gated {
        let envelope = sign_gated(&key, g);
        let file = spool.put(&envelope)?;
        handed.push((envelope.id(), file));
    }
    let deadline = tokio::time::Instant::now() + SPOOL_WAIT;
    while handed.iter().any(|(_, f)| f.exists()) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ids: Vec<LessonId> = handed.iter().map(|(id, _)| *id).collect();
    let checks = hub_has(cfg, &ids).await;
    Ok(handed
        .into_iter()
        .zip(checks)
        .map(|((id, file), hub)| {
            let taken = !file.exists();
            (id, Delivery::Spooled { file, taken, hub })
        })
        .collect())
}

/// Ask the hub for each id until it has them all or [`SPOOL_WAIT`] passed.
async fn hub_has(cfg: &NodeConfig, ids: &[LessonId]) -> Vec<HubCheck> {
    let unreachable = |reason: String| HubCheck::Unreachable {
        hub: cfg.hub_endpoint.clone(),
        reason,
    };
    let mut client = match tokio::time::timeout(SPOOL_WAIT, hub_client(cfg)).await {
        Ok(Ok(c)) => c,
        Ok(Err(why)) => return ids.iter().map(|_| unreachable(why.clone())).collect(),
        Err(_) => {
            let why = format!("no answer within {}s", SPOOL_WAIT.as_secs());
            return ids.iter().map(|_| unreachable(why.clone())).collect();
        }
    };
    let deadline = tokio::time::Instant::now() + SPOOL_WAIT;
    let mut out: Vec<Option<HubCheck>> = vec![None; ids.len()];
    loop {
        for (slot, id) in out.iter_mut().zip(ids) {
            if matches!(
                slot,
                Some(HubCheck::Stored) | Some(HubCheck::Unreachable { .. })
            ) {
                continue;
            }
            let request = pb::GetRequest {
                lesson_id: id.0.to_vec(),
            };
            *slot = Some(match client.get(request).await {
                Ok(_) => HubCheck::Stored,
                Err(s) if s.code() == tonic::Code::NotFound => HubCheck::NotYet,
                Err(s) => unreachable(s.message().to_owned()),
            });
        }
        let done = out
            .iter()
            .all(|s| !matches!(s, Some(HubCheck::NotYet) | None));
        if done || tokio::time::Instant::now() >= deadline {
            return out
                .into_iter()
                .map(|s| s.unwrap_or(HubCheck::NotYet))
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
