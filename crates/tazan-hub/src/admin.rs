//! The hub's side of the local admin API (`tazan-admin`): what `tazan
//! status`, `catalog import`, `backup` and `roster add/revoke/…` ask a
//! running hub through its Unix socket, because the hub owns its store.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use tazan_admin::{backup_stream, Admin, BackupStream};
use tazan_model::Envelope;
use tazan_proto::pb;
use tazan_store::{BackupHeader, Store};
use tonic::{Request, Response, Status};
use tracing::warn;

use crate::{HubCore, HubError};

/// The admin service of one running hub.
pub(crate) struct HubAdmin {
    pub(crate) core: Arc<HubCore>,
    pub(crate) store: Store,
    pub(crate) started: Instant,
}

/// One mapping from hub errors to admin statuses: the message says what to
/// do; storage details stay in the hub's log.
fn to_status(e: HubError) -> Status {
    match e {
        HubError::Store(e) => {
            warn!(error = %e, "storage failure on an admin call");
            Status::unavailable("the hub's storage failed; see its log, then retry")
        }
        HubError::Catalog(m) | HubError::Policy(m) => Status::failed_precondition(m),
        e @ (HubError::Roster(_) | HubError::RosterRollback { .. } | HubError::Trust { .. }) => {
            Status::failed_precondition(e.to_string())
        }
        e => Status::internal(e.to_string()),
    }
}

#[tonic::async_trait]
impl Admin for HubAdmin {
    async fn status(
        &self,
        _: Request<pb::StatusRequest>,
    ) -> Result<Response<pb::ServiceStatus>, Status> {
        let core = &self.core;
        Ok(Response::new(pb::ServiceStatus {
            kind: "hub".into(),
            id: core.id.to_string(),
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").into(),
            uptime_secs: self.started.elapsed().as_secs(),
            tier: core.tier.as_str().into(),
            log_head: core.log.head(),
            relay_pending: core.log.relay_len() as u64,
            roster_serial: core.roster().roster.serial,
            subscribers: u64::try_from(core.stats.subscribers.load(Ordering::Relaxed)).unwrap_or(0),
            ..Default::default()
        }))
    }

    async fn submit(
        &self,
        _: Request<pb::SubmitRequest>,
    ) -> Result<Response<pb::SubmitResponse>, Status> {
        Err(Status::failed_precondition(
            "this is a hub: lessons are submitted to an org node (`tazan lesson publish --home NODE`)",
        ))
    }

    async fn import_catalog(
        &self,
        req: Request<pb::ImportCatalogRequest>,
    ) -> Result<Response<pb::ImportCatalogResponse>, Status> {
        let mut envelopes = Vec::new();
        let mut refused = Vec::new();
        let mut positions = Vec::new();
        for (i, raw) in req.into_inner().envelopes.into_iter().enumerate() {
            match Envelope::try_from(raw) {
                Ok(e) => {
                    envelopes.push(e);
                    positions.push(i);
                }
                Err(e) => refused.push(pb::Refused {
                    index: index(i),
                    reason: e.to_string(),
                }),
            }
        }
        let report = self.core.import_own(envelopes).await.map_err(to_status)?;
        refused.extend(report.refused.into_iter().map(|(i, reason)| pb::Refused {
            index: index(positions.get(i).copied().unwrap_or(i)),
            reason,
        }));
        refused.sort_by_key(|r| r.index);
        Ok(Response::new(pb::ImportCatalogResponse {
            accepted: report.accepted,
            duplicates: report.duplicates,
            refused,
        }))
    }

    type BackupStream = BackupStream;

    async fn backup(
        &self,
        _: Request<pb::BackupRequest>,
    ) -> Result<Response<BackupStream>, Status> {
        let header = BackupHeader::now("hub", &self.core.id.to_string());
        let stream = backup_stream(&self.store, header)
            .await
            .map_err(|e| to_status(e.into()))?;
        Ok(Response::new(stream))
    }

    async fn reload_roster(
        &self,
        _: Request<pb::ReloadRosterRequest>,
    ) -> Result<Response<pb::ReloadRosterResponse>, Status> {
        let changed = self.core.reload_roster().await.map_err(|e| {
            warn!(error = %e, "roster reload refused; the roster in force stays");
            to_status(e)
        })?;
        let roster = self.core.roster();
        Ok(Response::new(pb::ReloadRosterResponse {
            serial: roster.roster.serial,
            changed,
            members: u32::try_from(roster.roster.members.len()).unwrap_or(u32::MAX),
        }))
    }

    async fn reload_policy(
        &self,
        _: Request<pb::ReloadPolicyRequest>,
    ) -> Result<Response<pb::PolicyStatus>, Status> {
        let changed = self.core.reload_policy().await.map_err(|e| {
            warn!(error = %e, "group policy refused; the one in force stays");
            to_status(e)
        })?;
        let mut status = self.core.policy_status().map_err(to_status)?;
        status.changed = changed;
        Ok(Response::new(status))
    }

    async fn policy_status(
        &self,
        _: Request<pb::PolicyStatusRequest>,
    ) -> Result<Response<pb::PolicyStatus>, Status> {
        Ok(Response::new(self.core.policy_status().map_err(to_status)?))
    }

    async fn library(
        &self,
        _: Request<pb::NodeLibraryRequest>,
    ) -> Result<Response<pb::NodeLibrary>, Status> {
        Err(Status::failed_precondition(
            "this is a group hub: it keeps a log, not a node's library; list it with `tazan lessons list` on a member node",
        ))
    }
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}
