//! The group's signed NDA policy at the hub: the document in force (kept in
//! the hub's store, so a restart or an older file cannot roll it back),
//! served with the roster; who accepted which version; and the rule that a
//! member's lesson names a version the group has not withdrawn.
//!
//! ```text
//!  tazan policy publish ─► DIR/policy.json ─► ReloadPolicy (admin socket) ─► verify under the
//!  roster's admin key, refuse stale ─► store blob `group-policy` ─► Roster RPC serves it
//!  node: AcceptPolicy(version) ─► blob `policy-accepted/<member>`   lesson.policy_version ─► admit
//! ```

use std::sync::Arc;

use tazan_model::{Lesson, MemberId};
use tazan_proto::pb;
use tazan_trust::{PolicyDocument, SignedPolicy};
use tonic::Code;
use tracing::{info, warn};

use crate::core::Rejection;
use crate::{HubCore, HubError};

/// The store blob holding the signed policy in force.
const POLICY_BLOB: &str = "group-policy";
/// The prefix of the blobs recording each member's accepted version.
const ACCEPTED: &str = "policy-accepted/";

impl HubCore {
    /// The group's signed policy in force, if the group distributes one.
    pub fn policy(&self) -> Option<Arc<SignedPolicy>> {
        self.policy
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Check a document against this hub's roster (see [`check_document`]).
    fn check_policy(&self, signed: &SignedPolicy) -> Result<(), HubError> {
        check_document(signed, &self.roster())
    }

    /// At start: the document kept in the store, replaced by the policy file
    /// when that is newer. A stale, forged or invalid file is logged and the
    /// kept document stays in force.
    pub(crate) async fn load_policy(&self) -> Result<(), HubError> {
        if let Some(bytes) = self.log.blob(POLICY_BLOB)? {
            match SignedPolicy::from_json(&bytes, std::path::Path::new("<store>")) {
                Ok(kept) if self.check_policy(&kept).is_ok() => {
                    *self.policy.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(kept));
                }
                Ok(_) | Err(_) => warn!(
                    "the group policy kept in the store no longer verifies under the roster's admin key; publish the policy again"
                ),
            }
        }
        if self.policy_path.exists() {
            if let Err(e) = self.reload_policy().await {
                warn!(error = %e, path = %self.policy_path.display(), "the group policy file was not put in force; the kept one stays");
            }
        }
        Ok(())
    }

    /// Read the policy file again and put it in force when it is newer and
    /// signed by the roster's admin key; returns whether it changed. A
    /// forged, stale or invalid document is refused and changes nothing.
    pub async fn reload_policy(&self) -> Result<bool, HubError> {
        let path = &self.policy_path;
        let signed = SignedPolicy::load(path)
            .map_err(|e| HubError::Policy(e.to_string()))?
            .ok_or_else(|| {
                HubError::Policy(format!(
                    "{}: no policy file; write one with `tazan policy publish`",
                    path.display()
                ))
            })?;
        self.check_policy(&signed)?;
        let held = self.policy();
        let newer = signed
            .replaces(held.as_deref())
            .map_err(|e| HubError::Policy(format!("{}: {e}", path.display())))?;
        if !newer {
            return Ok(false);
        }
        let json = signed
            .to_json()
            .map_err(|e| HubError::Policy(e.to_string()))?;
        self.log.set_blob(POLICY_BLOB, &json).await?;
        info!(
            version = signed.document.version,
            withdrawn = ?signed.document.withdrawn,
            "group policy in force"
        );
        *self.policy.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(signed));
        Ok(true)
    }

    /// Whether a member's lesson may be stored under the group's policy: when
    /// the group distributes one, the lesson names a version that is issued
    /// (not above the current one) and not withdrawn.
    pub(crate) fn admit_policy_version(&self, lesson: &Lesson) -> Result<(), Rejection> {
        let Some(policy) = self.policy() else {
            return Ok(());
        };
        let d = &policy.document;
        let current = d.version;
        let refuse = |what: String| {
            Err(Rejection::new(
                Code::FailedPrecondition,
                "payload.policy_version",
                format!(
                    "field `policy_version`: {what}; the group's current policy is version {current}: fetch it (`tazan policy fetch`), draft again and publish"
                ),
            ))
        };
        match lesson.policy_version {
            None => refuse("missing: the group distributes a signed policy and every lesson names the version it was drafted under".into()),
            Some(v) if d.is_withdrawn(v) => refuse(format!("version {v} was withdrawn by the group")),
            Some(v) if v > current || v == 0 => refuse(format!("version {v} is unknown to this hub")),
            Some(_) => Ok(()),
        }
    }

    /// Record that `member` accepted policy `version` (durably); refused
    /// when the group has no policy or the version is unknown or withdrawn.
    pub async fn accept_policy(
        &self,
        member: &MemberId,
        version: u32,
    ) -> Result<u32, tonic::Status> {
        let Some(policy) = self.policy() else {
            return Err(tonic::Status::failed_precondition(
                "field `version`: this hub distributes no group policy",
            ));
        };
        let d: &PolicyDocument = &policy.document;
        if version > d.version || version == 0 || d.is_withdrawn(version) {
            return Err(tonic::Status::invalid_argument(format!(
                "field `version`: version {version} is {}; the group's current policy is version {}",
                if d.is_withdrawn(version) { "withdrawn" } else { "unknown" },
                d.version
            )));
        }
        let value = format!("{version} {}", tazan_trust::now_unix());
        self.log
            .set_blob(&format!("{ACCEPTED}{member}"), value.as_bytes())
            .await
            .map_err(|e| {
                warn!(error = %e, "recording a policy acceptance failed");
                tonic::Status::unavailable("storage unavailable; retry later")
            })?;
        info!(member = %member, version, "group policy accepted");
        Ok(d.version)
    }

    /// The policy in force and, for each member of the roster, the version
    /// it last accepted.
    pub fn policy_status(&self) -> Result<pb::PolicyStatus, HubError> {
        let accepted: std::collections::HashMap<String, (u32, u64)> = self
            .log
            .blobs(ACCEPTED)?
            .into_iter()
            .filter_map(|(name, v)| {
                let member = name.strip_prefix(ACCEPTED)?.to_owned();
                let text = String::from_utf8(v).ok()?;
                let (version, at) = text.split_once(' ')?;
                Some((member, (version.parse().ok()?, at.parse().ok()?)))
            })
            .collect();
        let members = self
            .roster()
            .roster
            .members
            .iter()
            .map(|m| {
                let (version, accepted_at) =
                    accepted.get(m.id.as_str()).copied().unwrap_or_default();
                pb::PolicyAcceptance {
                    member: m.id.to_string(),
                    version,
                    accepted_at,
                }
            })
            .collect();
        let policy = self.policy();
        Ok(pb::PolicyStatus {
            version: policy.as_ref().map_or(0, |p| p.document.version),
            issued_at: policy.as_ref().map_or(0, |p| p.document.issued_at),
            withdrawn: policy
                .as_ref()
                .map(|p| p.document.withdrawn.clone())
                .unwrap_or_default(),
            changed: false,
            members,
        })
    }
}

/// What [`publish_policy`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyPublished {
    /// Written to the hub's policy file; the hub is not running and puts it
    /// in force when it starts.
    Written {
        /// The version.
        version: u32,
    },
    /// Written and put in force by the running hub.
    InForce {
        /// The version.
        version: u32,
        /// Whether it replaced another document (false: the same one again).
        changed: bool,
    },
}

/// Publish a signed policy at the hub configured by `config`: check it
/// under the roster's admin key and group, that its policy is valid and that
/// it is not older than the hub's policy file, write the file, and tell the
/// running hub to put it in force. When anything is refused the file is as
/// it was.
pub async fn publish_policy(
    config: &crate::HubConfig,
    signed: &SignedPolicy,
) -> Result<PolicyPublished, HubError> {
    let roster =
        tazan_trust::SignedRoster::load(&config.roster).map_err(|source| HubError::Trust {
            what: "roster",
            path: config.roster.clone(),
            source,
        })?;
    if let Some(pinned) = &config.roster_admin_key {
        roster
            .verify_pinned(pinned)
            .map_err(|source| HubError::Trust {
                what: "roster (not signed by hub.roster_admin_key)",
                path: config.roster.clone(),
                source,
            })?;
    }
    check_document(signed, &roster)?;
    let path = &config.policy;
    let before = std::fs::read(path).ok();
    let held = SignedPolicy::load(path).map_err(|e| HubError::Policy(e.to_string()))?;
    signed
        .replaces(held.as_ref())
        .map_err(|e| HubError::Policy(format!("{}: {e}", path.display())))?;
    signed
        .save(path)
        .map_err(|e| HubError::Policy(e.to_string()))?;
    let version = signed.document.version;
    let Some(mut admin) = tazan_admin::connect(&config.data_dir).await? else {
        return Ok(PolicyPublished::Written { version });
    };
    match admin.reload_policy(pb::ReloadPolicyRequest {}).await {
        Ok(r) => Ok(PolicyPublished::InForce {
            version,
            changed: r.into_inner().changed,
        }),
        Err(status) => {
            // Put the file back as it was: the hub keeps the one in force.
            let restored = match &before {
                Some(bytes) => std::fs::write(path, bytes),
                None => std::fs::remove_file(path),
            };
            if let Err(e) = restored {
                warn!(error = %e, path = %path.display(), "could not restore the policy file");
            }
            Err(HubError::Policy(format!(
                "the running hub `{}` refused the policy and keeps the one in force: {}",
                config.id,
                status.message()
            )))
        }
    }
}

/// The policy document in force at the hub configured by `config`: asked of
/// the running hub, else read from its policy file; with who accepted which
/// version when the hub runs (`None` otherwise).
pub async fn policy_status(
    config: &crate::HubConfig,
) -> Result<(Option<SignedPolicy>, Option<pb::PolicyStatus>), HubError> {
    let file = SignedPolicy::load(&config.policy).map_err(|e| HubError::Policy(e.to_string()))?;
    let Some(mut admin) = tazan_admin::connect(&config.data_dir).await? else {
        return Ok((file, None));
    };
    let status = admin
        .policy_status(pb::PolicyStatusRequest {})
        .await
        .map_err(|s| HubError::Policy(format!("the running hub `{}`: {}", config.id, s.message())))?
        .into_inner();
    Ok((file, Some(status)))
}

/// A new document withdrawing `version`: the held policy file's policy,
/// re-issued as the next version with `version` added to the withdrawn
/// list, signed by `admin`. Refused when there is no policy file or the
/// version was never issued.
pub fn withdrawal_document(
    config: &crate::HubConfig,
    admin: &tazan_trust::KeyPair,
    version: u32,
) -> Result<SignedPolicy, HubError> {
    let held = SignedPolicy::load(&config.policy)
        .map_err(|e| HubError::Policy(e.to_string()))?
        .ok_or_else(|| {
            HubError::Policy(format!(
                "{}: no group policy was published at this hub; nothing to withdraw",
                config.policy.display()
            ))
        })?;
    let mut d = held.document;
    if version == 0 || version > d.version {
        return Err(HubError::Policy(format!(
            "version {version} was never issued; the group's current policy is version {}",
            d.version
        )));
    }
    if d.is_withdrawn(version) {
        return Err(HubError::Policy(format!(
            "version {version} is already withdrawn"
        )));
    }
    d.withdrawn.push(version);
    d.withdrawn.sort_unstable();
    d.version += 1;
    d.issued_at = tazan_trust::now_unix();
    d.sign(admin).map_err(|e| HubError::Policy(e.to_string()))
}

/// Check a policy document against a roster's admin key and group, and that
/// its policy text is a valid policy.
fn check_document(
    signed: &SignedPolicy,
    roster: &tazan_trust::SignedRoster,
) -> Result<(), HubError> {
    signed
        .verify(&roster.roster.admin_key, &roster.roster.group)
        .map_err(|e| HubError::Policy(e.to_string()))?;
    let d = &signed.document;
    tazan_sanitize::Policy::from_toml_str(
        &d.policy,
        &format!("group policy version {}", d.version),
    )
    .map_err(|e| HubError::Policy(e.to_string()))?;
    Ok(())
}
