//! The node's side of the local admin API (`tazan-admin`): what the review
//! desk (`tazan lesson approve/publish/…`), `tazan backup` and `tazan status`
//! ask a running node through its Unix socket, because the node owns its store.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tazan_admin::{backup_stream, Admin, BackupStream};
use tazan_model::{Envelope, LessonId};
use tazan_proto::pb::{self, submit_result::State};
use tazan_store::BackupHeader;
use tokio::sync::broadcast::error::RecvError;
use tonic::{Request, Response, Status};
use tracing::warn;

use crate::{DeliveryEvent, NodeCore, NodeError};

/// The longest a `Submit` waits for the hub's answer, whatever it asks.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// The admin service of one running node.
pub(crate) struct NodeAdmin {
    pub(crate) core: Arc<NodeCore>,
    pub(crate) hub_endpoint: String,
    pub(crate) started: Instant,
}

fn storage(e: impl std::fmt::Display) -> Status {
    warn!(error = %e, "storage failure on an admin call");
    Status::unavailable("the node's storage failed; see its log, then retry")
}

#[tonic::async_trait]
impl Admin for NodeAdmin {
    async fn status(
        &self,
        _: Request<pb::StatusRequest>,
    ) -> Result<Response<pb::ServiceStatus>, Status> {
        let core = &self.core;
        Ok(Response::new(pb::ServiceStatus {
            kind: "node".into(),
            id: core.id.to_string(),
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").into(),
            uptime_secs: self.started.elapsed().as_secs(),
            // Every group's outbox (a node in several groups has one each).
            outbox_depth: (core.outbox.len()
                + core
                    .others
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter()
                    .map(|c| c.outbox.len())
                    .sum::<usize>()) as u64,
            library_cursor: core
                .library
                .cursor(crate::LIBRARY_CURSOR)
                .map_err(storage)?,
            hub_endpoint: self.hub_endpoint.clone(),
            ..Default::default()
        }))
    }

    async fn submit(
        &self,
        req: Request<pb::SubmitRequest>,
    ) -> Result<Response<pb::SubmitResponse>, Status> {
        let req = req.into_inner();
        let wait = Duration::from_millis(u64::from(req.wait_ms)).min(MAX_WAIT);
        let core = if req.group.is_empty() {
            Arc::clone(&self.core)
        } else {
            self.core.group(&req.group).ok_or_else(|| {
                Status::invalid_argument(format!(
                    "group: {:?} is not a further group of this running node (restart it after adding a [[groups]] table)",
                    req.group
                ))
            })?
        };
        // Listen before queueing, so no outcome can pass unseen.
        let mut events = core.delivery_events();
        let mut results = Vec::with_capacity(req.envelopes.len());
        let mut waiting: HashMap<LessonId, usize> = HashMap::new();
        for raw in req.envelopes {
            let id = LessonId::of(&raw.payload);
            let queued = match Envelope::try_from(raw) {
                Ok(envelope) => core.queue_envelope(envelope).await,
                Err(e) => Err(NodeError::Refused(e.to_string())),
            };
            let (state, reason) = match queued {
                Ok(_) => {
                    waiting.insert(id, results.len());
                    (State::Queued, String::new())
                }
                Err(NodeError::Store(e)) => return Err(storage(e)),
                Err(e) => (State::Refused, e.to_string()),
            };
            results.push(pb::SubmitResult {
                lesson_id: id.0.to_vec(),
                state: state as i32,
                reason,
            });
        }
        let deadline = tokio::time::Instant::now() + wait;
        while !waiting.is_empty() {
            let event = match tokio::time::timeout_at(deadline, events.recv()).await {
                Err(_) => break, // no answer yet: they stay queued
                Ok(Ok(event)) => event,
                Ok(Err(RecvError::Lagged(_))) => continue,
                Ok(Err(RecvError::Closed)) => break,
            };
            let mut settle = |id: &LessonId, state: State, reason: &str| {
                if let Some(i) = waiting.remove(id) {
                    results[i].state = state as i32;
                    results[i].reason = reason.to_owned();
                }
            };
            match event {
                DeliveryEvent::Accepted(id) => settle(&id, State::Accepted, ""),
                DeliveryEvent::Duplicate(id) => settle(&id, State::Duplicate, ""),
                DeliveryEvent::Rejected(id, why) => settle(&id, State::Rejected, &why),
                DeliveryEvent::Kept(ids, why) => {
                    for id in &ids {
                        settle(id, State::Queued, &why);
                    }
                }
                DeliveryEvent::Unreachable(why) => {
                    for i in std::mem::take(&mut waiting).into_values() {
                        results[i].state = State::Unreachable as i32;
                        results[i].reason = why.clone();
                    }
                }
            }
        }
        Ok(Response::new(pb::SubmitResponse { results }))
    }

    async fn import_catalog(
        &self,
        _: Request<pb::ImportCatalogRequest>,
    ) -> Result<Response<pb::ImportCatalogResponse>, Status> {
        Err(Status::failed_precondition(
            "this is an org node: catalogues are imported at a group hub (`tazan catalog import FILE --hub-config hub.toml`), or published from the node (`tazan catalog publish`)",
        ))
    }

    type BackupStream = BackupStream;

    async fn backup(
        &self,
        _: Request<pb::BackupRequest>,
    ) -> Result<Response<BackupStream>, Status> {
        let header = BackupHeader::now("node", &self.core.id.to_string());
        let stream = backup_stream(&self.core.store, header)
            .await
            .map_err(storage)?;
        Ok(Response::new(stream))
    }

    async fn reload_roster(
        &self,
        _: Request<pb::ReloadRosterRequest>,
    ) -> Result<Response<pb::ReloadRosterResponse>, Status> {
        Err(Status::failed_precondition(
            "this is an org node: it reads its hub's roster over the network; reload the roster at the hub",
        ))
    }

    async fn reload_policy(
        &self,
        _: Request<pb::ReloadPolicyRequest>,
    ) -> Result<Response<pb::PolicyStatus>, Status> {
        Err(Status::failed_precondition(
            "this is an org node: it fetches the group policy from its hub (`tazan policy fetch`); publish the policy at the hub",
        ))
    }

    async fn policy_status(
        &self,
        _: Request<pb::PolicyStatusRequest>,
    ) -> Result<Response<pb::PolicyStatus>, Status> {
        Err(Status::failed_precondition(
            "this is an org node: ask the hub which members accepted which policy version (`tazan policy status --hub-config`)",
        ))
    }

    async fn library(
        &self,
        _: Request<pb::NodeLibraryRequest>,
    ) -> Result<Response<pb::NodeLibrary>, Status> {
        let core = Arc::clone(&self.core);
        let rows = tokio::task::spawn_blocking(move || crate::library_rows(core.library()))
            .await
            .map_err(storage)?
            .map_err(storage)?;
        Ok(Response::new(pb::NodeLibrary {
            entries: rows.iter().map(crate::LibraryRow::to_pb).collect(),
        }))
    }
}
