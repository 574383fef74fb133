//! Handing gated payloads to the node: the outbox of a stopped node (then
//! one delivery attempt at once), the admin socket of a running one, or the
//! core of a node running in this process. Every path signs only [`Gated`]
//! payloads.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tazan_admin::{AdminClient, Reached};
use tazan_model::LessonId;
use tazan_proto::pb::{self, hub_client::HubClient, submit_result::State};
use tazan_trust::KeyPair;
use tonic::transport::Channel;

use tazan_search::{IndexDoc, SearchIndex};

use super::ReviewError;
use crate::{sign_gated, DeliveryReport, Gated, NodeConfig, NodeCore, NodeError};

/// How long a command waits for the hub on one delivery attempt.
const DELIVER_LIMIT: Duration = Duration::from_secs(15);
/// How long a running node is asked to wait for its hub's answer about
/// lessons handed to it.
const HANDED_WAIT: Duration = Duration::from_secs(3);

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
    /// Handed to the running node through its admin socket; durably in its
    /// outbox.
    Handed {
        /// What the hub said about it within a few seconds.
        hub: HubCheck,
    },
}

/// What the hub said about a payload handed to the running node, within a
/// few seconds of the hand-off.
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
    /// One word: `accepted`, `duplicate`, `rejected`, `queued` or `handed`.
    pub fn status(&self) -> &'static str {
        match self {
            Delivery::Accepted => "accepted",
            Delivery::Duplicate => "duplicate",
            Delivery::Rejected { .. } => "rejected",
            Delivery::Queued { .. } | Delivery::InProcess => "queued",
            Delivery::Handed { .. } => "handed",
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
            Delivery::Handed { hub } => match hub {
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

/// Where gated payloads go.
pub(crate) enum Outlet {
    /// A node running in this process (the demo; a portal inside the node).
    Core(Arc<NodeCore>),
    /// The node configured here: its store when it is stopped, else its
    /// admin socket.
    Config(Box<NodeConfig>),
}

/// The node for one desk operation: its core (in this process, or opened
/// because the node is stopped) or its admin socket (it runs elsewhere). A
/// store opened here is closed when the session ends.
pub(crate) enum Session<'a> {
    /// A core: in this process, or this command's own opening of the
    /// stopped node's store (then `cfg` is set, for one delivery attempt).
    Core(Arc<NodeCore>, Option<&'a NodeConfig>),
    /// The running node's admin socket.
    Running(AdminClient<Channel>, &'a NodeConfig),
}

impl Outlet {
    /// A node configured by `cfg`.
    pub(crate) fn config(cfg: NodeConfig) -> Outlet {
        Outlet::Config(Box::new(cfg))
    }

    /// The node for one operation: the running node when its admin socket
    /// answers, else its store (waiting out a lock this process held a
    /// moment ago).
    pub(crate) async fn session(&self) -> Result<Session<'_>, NodeError> {
        match self {
            Outlet::Core(core) => Ok(Session::Core(Arc::clone(core), None)),
            Outlet::Config(cfg) => {
                match tazan_admin::reach(&cfg.data_dir, || open_stopped(cfg)).await? {
                    Reached::Running(client) => Ok(Session::Running(client, cfg)),
                    Reached::Stopped(core) => Ok(Session::Core(core, Some(cfg))),
                }
            }
        }
    }
}

impl Session<'_> {
    /// The same node, for its group `view` (a [`NodeConfig::for_group`]):
    /// that group's outbox in the store this session opened, the running
    /// node's core for that group, or its admin socket told the group.
    pub(crate) fn for_group<'v>(&self, view: &'v NodeConfig) -> Result<Session<'v>, NodeError> {
        match self {
            Session::Core(core, None) => {
                let core = match view.scope.as_deref() {
                    None => Arc::clone(core),
                    Some(scope) => core.group(scope).ok_or_else(|| {
                        NodeError::Running(format!(
                            "the node in this process does not deliver to group {scope:?}; restart it after adding the group to node.toml"
                        ))
                    })?,
                };
                Ok(Session::Core(core, None))
            }
            Session::Core(core, Some(_)) => {
                let key = KeyPair::load(&view.key).map_err(|source| NodeError::Key {
                    path: view.key.clone(),
                    source,
                })?;
                let core = core.for_group(view.scope.as_deref(), view.hub_name.clone(), key)?;
                Ok(Session::Core(core, Some(view)))
            }
            Session::Running(client, _) => Ok(Session::Running(client.clone(), view)),
        }
    }

    /// Sign and hand over each payload, in order; one delivery attempt for
    /// all when the node is stopped.
    pub(crate) async fn send(
        &self,
        gated: Vec<Gated>,
    ) -> Result<Vec<(LessonId, Delivery)>, NodeError> {
        match self {
            Session::Core(core, None) => {
                let mut out = Vec::new();
                for g in gated {
                    out.push((core.queue_gated(g).await?, Delivery::InProcess));
                }
                Ok(out)
            }
            Session::Core(core, Some(cfg)) => queue_and_deliver(core, cfg, gated).await,
            Session::Running(client, cfg) => hand(client.clone(), cfg, gated).await,
        }
    }

    /// The node's own lessons as its store knows them (outbox and library),
    /// when the store can be read now: id, title, level, version.
    pub(crate) fn own_lessons(&self) -> Result<Vec<OwnInStore>, NodeError> {
        let Session::Core(core, _) = self else {
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

impl Session<'_> {
    /// Every entry of the node's library (lessons, withdrawals, responses),
    /// ordered by hub sequence number, withdrawn lessons marked: from its
    /// store, or, while the node runs elsewhere and holds it, from its hub.
    pub(crate) async fn library_entries(
        &self,
    ) -> Result<Vec<tazan_store::LibraryEntry>, ReviewError> {
        let cfg = match self {
            Session::Core(core, _) => return Ok(core.library().all().map_err(NodeError::from)?),
            Session::Running(_, cfg) => cfg,
        };
        let mut client = hub_client(cfg).await.map_err(|reason| ReviewError::File {
            subject: format!("the hub at {}", cfg.hub_endpoint),
            reason: format!(
                "{reason}; the node is running and holds its library, so it is read from the hub"
            ),
        })?;
        let listed = tazan_proto::list_all(&mut client)
            .await
            .map_err(|s| ReviewError::File {
                subject: format!("the hub at {}", cfg.hub_endpoint),
                reason: format!("{:?}: {}", s.code(), s.message()),
            })?;
        let read: Vec<_> = listed
            .into_iter()
            .filter_map(crate::workers::library_entry)
            .collect();
        let withdrawn: Vec<LessonId> = read.iter().filter_map(|(_, w)| *w).collect();
        Ok(read
            .into_iter()
            .map(|(mut e, _)| {
                e.withdrawn = withdrawn.contains(&e.id);
                e
            })
            .collect())
    }

    /// The lessons a reader could compare a draft with: the node's library
    /// (received lessons, and its own as the hub sent them back; withdrawn
    /// ones left out) and its outbox, from its store; while the node runs
    /// elsewhere, from the index it keeps current (`[search]` in node.toml).
    pub(crate) fn library_docs(&self) -> Result<Vec<IndexDoc>, ReviewError> {
        let cfg = match self {
            Session::Core(core, _) => {
                let mut docs: Vec<IndexDoc> = core
                    .library()
                    .all()
                    .map_err(NodeError::from)?
                    .iter()
                    .filter(|e| !e.withdrawn)
                    .filter_map(crate::lesson_doc)
                    .collect();
                for item in core.outbox().pending(usize::MAX).map_err(NodeError::from)? {
                    if let Ok(tazan_model::Payload::Lesson(l)) =
                        tazan_model::Payload::from_canonical_bytes(&item.envelope.payload)
                    {
                        docs.push(IndexDoc::from_lesson(&item.id, &l, String::new()));
                    }
                }
                return Ok(docs);
            }
            Session::Running(_, cfg) => cfg,
        };
        let dir = &cfg.index_dir;
        if !cfg.search || !dir.join("meta.json").exists() {
            return Err(ReviewError::Library {
                reason: format!(
                    "the node runs and keeps no search index at {} (`[search] enabled = false` in node.toml?); stop the node (its store is then read directly) or enable its index",
                    dir.display()
                ),
            });
        }
        let index = SearchIndex::open_read_only(dir).map_err(|e| ReviewError::Library {
            reason: e.to_string(),
        })?;
        index.all_docs().map_err(|e| ReviewError::Library {
            reason: e.to_string(),
        })
    }
}

/// The node's store, or `None` when the running node holds it.
fn open_stopped(cfg: &NodeConfig) -> Result<Option<Arc<NodeCore>>, NodeError> {
    let key = KeyPair::load(&cfg.key).map_err(|source| NodeError::Key {
        path: cfg.key.clone(),
        source,
    })?;
    match NodeCore::open(cfg.id.clone(), cfg.hub_name.clone(), key, &cfg.data_dir) {
        Ok(core) if cfg.scope.is_some() => {
            let key = KeyPair::load(&cfg.key).map_err(|source| NodeError::Key {
                path: cfg.key.clone(),
                source,
            })?;
            Ok(Some(core.for_group(
                cfg.scope.as_deref(),
                cfg.hub_name.clone(),
                key,
            )?))
        }
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

/// Sign each payload with the node's key and hand them to the running node
/// through its admin socket; it queues them durably and says what the hub
/// did within a few seconds.
async fn hand(
    mut client: AdminClient<Channel>,
    cfg: &NodeConfig,
    gated: Vec<Gated>,
) -> Result<Vec<(LessonId, Delivery)>, NodeError> {
    let key = KeyPair::load(&cfg.key).map_err(|source| NodeError::Key {
        path: cfg.key.clone(),
        source,
    })?;
    let envelopes: Vec<_> = gated.into_iter().map(|g| sign_gated(&key, g)).collect();
    let ids: Vec<LessonId> = envelopes.iter().map(|e| e.id()).collect();
    let request = pb::SubmitRequest {
        envelopes: envelopes.iter().map(pb::Envelope::from).collect(),
        wait_ms: u32::try_from(HANDED_WAIT.as_millis()).unwrap_or(u32::MAX),
        group: cfg.scope.clone().unwrap_or_default(),
    };
    let answer = client
        .submit(request)
        .await
        .map_err(|s| NodeError::Running(s.message().to_owned()))?
        .into_inner();
    if answer.results.len() != ids.len() {
        return Err(NodeError::Running(format!(
            "answered {} results for {} lessons",
            answer.results.len(),
            ids.len()
        )));
    }
    let unreachable = |reason: String| HubCheck::Unreachable {
        hub: cfg.hub_endpoint.clone(),
        reason,
    };
    ids.into_iter()
        .zip(answer.results)
        .map(|(id, r)| {
            let delivery = match State::try_from(r.state) {
                Ok(State::Accepted) => Delivery::Handed {
                    hub: HubCheck::Stored,
                },
                Ok(State::Duplicate) => Delivery::Duplicate,
                Ok(State::Rejected) => Delivery::Rejected { reason: r.reason },
                Ok(State::Unreachable) => Delivery::Handed {
                    hub: unreachable(r.reason),
                },
                Ok(State::Queued) => Delivery::Handed {
                    hub: HubCheck::NotYet,
                },
                Ok(State::Refused) => {
                    return Err(NodeError::Running(format!(
                        "it refused lesson {}: {}",
                        id.short(),
                        r.reason
                    )))
                }
                Ok(State::Unspecified) | Err(_) => {
                    return Err(NodeError::Running(format!(
                        "it answered an unknown state {} for lesson {}",
                        r.state,
                        id.short()
                    )))
                }
            };
            Ok((id, delivery))
        })
        .collect()
}
