//! The group's signed NDA policy at the node: fetched from the hub with the
//! roster, checked against the group admin key in `node.toml`, kept in
//! `HOME/group-policy.json`, acknowledged to the hub, and drafted under.
//!
//! ```text
//!  hub Roster RPC ─► signed_policy_json ─► verify([hub] admin_key, group) ─► not stale ─►
//!  valid policy ─► HOME/group-policy.json ─► AcceptPolicy(version) ─► hub records it
//!  Gate: group policy, or HOME/policy.toml when it loosens no rule of it
//!        ─► every gated lesson names the group policy version
//! ```
//!
//! A forged, stale, other group's or invalid document is refused with an
//! error and the held document stays as it was.

use std::path::{Path, PathBuf};

use tazan_proto::pb::{self, hub_client::HubClient};
use tazan_sanitize::{Loosening, Policy, SanitizeError};
use tazan_trust::{SignedPolicy, TrustError};
use thiserror::Error;
use tracing::info;

use crate::NodeConfig;

/// Why the group's policy was not taken, or cannot be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum GroupPolicyError {
    /// `node.toml` names no group admin key to check the policy with.
    #[error("{config}: `[hub] admin_key_file` (or `admin_key`) is not set, so the group policy's signature cannot be checked; set it to the group admin's public key (the group's admin.pub); nothing was changed", config = config.display())]
    NoAdminKey {
        /// The node's config file.
        config: PathBuf,
    },
    /// The document is forged, another group's, or older than the one held.
    #[error("{from}: {source}")]
    Trust {
        /// Where the document came from (the hub, or the file held).
        from: String,
        /// Why it was refused.
        source: TrustError,
    },
    /// The document's policy text is not a valid policy.
    #[error("{from}: {source}")]
    Invalid {
        /// Where the document came from.
        from: String,
        /// What is wrong, with the line of the policy text.
        source: SanitizeError,
    },
    /// The node's own `policy.toml` loosens rules of the group's policy.
    #[error("{path} is looser than the group's policy version {version}: {}; a local policy may only be stricter: tighten it, or remove it to draft under the group's policy", rules.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "), path = path.display())]
    Looser {
        /// The local policy file.
        path: PathBuf,
        /// The group policy version.
        version: u32,
        /// Each rule it loosens.
        rules: Vec<Loosening>,
    },
    /// The hub did not answer or refused the call.
    #[error("the group hub {hub}: {reason}")]
    Hub {
        /// The hub's id.
        hub: String,
        /// What happened.
        reason: String,
    },
}

/// What [`fetch`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The hub distributes no group policy.
    NoPolicy,
    /// The hub's document is the one held; acknowledged again.
    Unchanged {
        /// Its version.
        version: u32,
    },
    /// A newer document is now held and was acknowledged.
    Installed {
        /// Its version.
        version: u32,
        /// The version held before, if any.
        previous: Option<u32>,
    },
}

/// The policy a node drafts and gates under, and the group policy version
/// its lessons name.
#[derive(Debug, Clone)]
pub struct DraftingPolicy {
    /// The rules.
    pub policy: Policy,
    /// The group policy version in force (none when the node holds none).
    pub version: Option<u32>,
}

/// The group policy document the node holds, checked again under the
/// configured admin key (a hand-edited file is refused).
pub fn held(cfg: &NodeConfig) -> Result<Option<SignedPolicy>, GroupPolicyError> {
    let from = || cfg.group_policy.display().to_string();
    let Some(signed) =
        SignedPolicy::load(&cfg.group_policy).map_err(|source| GroupPolicyError::Trust {
            from: from(),
            source,
        })?
    else {
        return Ok(None);
    };
    let admin = admin_key(cfg)?;
    signed
        .verify(&admin, &cfg.hub_name)
        .map_err(|source| GroupPolicyError::Trust {
            from: from(),
            source,
        })?;
    Ok(Some(signed))
}

/// The configured group admin key, or an error naming the config file.
fn admin_key(cfg: &NodeConfig) -> Result<tazan_trust::PublicKey, GroupPolicyError> {
    cfg.group_admin_key
        .ok_or_else(|| GroupPolicyError::NoAdminKey {
            config: cfg.group_policy.with_file_name("node.toml"),
        })
}

fn parse(signed: &SignedPolicy) -> Result<Policy, SanitizeError> {
    let d = &signed.document;
    Policy::from_toml_str(&d.policy, &format!("group policy version {}", d.version))
}

/// What the node in `home` drafts under: without a group policy, its
/// `policy.toml` (else the built-in policy); with one, the group's policy,
/// or `policy.toml` when it loosens no rule of it (else
/// [`GroupPolicyError::Looser`], naming each rule).
pub fn drafting_policy(home: &Path, cfg: &NodeConfig) -> Result<DraftingPolicy, crate::GateError> {
    let local_path = home.join("policy.toml");
    let local = local_path
        .exists()
        .then(|| Policy::load(&local_path))
        .transpose()?;
    let Some(signed) = held(cfg)? else {
        return Ok(DraftingPolicy {
            policy: local.unwrap_or_else(Policy::builtin),
            version: None,
        });
    };
    let version = signed.document.version;
    let group = parse(&signed)?;
    let policy = match local {
        None => group,
        Some(local) => {
            let rules = local.loosenings(&group);
            if !rules.is_empty() {
                return Err(GroupPolicyError::Looser {
                    path: local_path,
                    version,
                    rules,
                }
                .into());
            }
            local
        }
    };
    Ok(DraftingPolicy {
        policy,
        version: Some(version),
    })
}

/// Take a signed policy document the hub served (`from` names it in
/// errors): verify it under the configured group admin key and group,
/// refuse it when older than (or conflicting with) the one held or when its
/// policy is invalid, else keep it. Returns the version and whether it is new.
pub fn install(
    cfg: &NodeConfig,
    json: &[u8],
    from: &str,
) -> Result<(u32, Option<u32>, bool), GroupPolicyError> {
    let trust = |source| GroupPolicyError::Trust {
        from: from.to_owned(),
        source,
    };
    let admin = admin_key(cfg)?;
    let signed = SignedPolicy::from_json(json, Path::new(from)).map_err(trust)?;
    signed.verify(&admin, &cfg.hub_name).map_err(trust)?;
    parse(&signed).map_err(|source| GroupPolicyError::Invalid {
        from: from.to_owned(),
        source,
    })?;
    let held = held(cfg)?;
    let previous = held.as_ref().map(|h| h.document.version);
    let newer = signed.replaces(held.as_ref()).map_err(trust)?;
    let version = signed.document.version;
    if newer {
        signed
            .save(&cfg.group_policy)
            .map_err(|source| GroupPolicyError::Trust {
                from: cfg.group_policy.display().to_string(),
                source,
            })?;
        info!(version, "group policy installed");
    }
    Ok((version, previous, newer))
}

/// Fetch the group's policy from the hub with the roster, install it
/// ([`install`]) and acknowledge its version to the hub, which records it.
pub async fn fetch(cfg: &NodeConfig) -> Result<Fetched, GroupPolicyError> {
    let hub = |reason: String| GroupPolicyError::Hub {
        hub: cfg.hub_name.to_string(),
        reason,
    };
    let endpoint = tazan_proto::endpoint(&cfg.hub_endpoint, cfg.hub_name.as_str(), &cfg.tls)
        .map_err(|e| hub(e.to_string()))?;
    let channel = endpoint.connect().await.map_err(|e| {
        hub(format!(
            "does not answer at {}: {}",
            cfg.hub_endpoint,
            tazan_proto::transport_cause(&e)
        ))
    })?;
    let mut client = HubClient::new(channel);
    let resp = client
        .roster(pb::RosterRequest {})
        .await
        .map_err(|s| hub(s.message().to_owned()))?
        .into_inner();
    if resp.signed_policy_json.is_empty() {
        return Ok(Fetched::NoPolicy);
    }
    let from = format!("the group policy served by {}", cfg.hub_name);
    let (version, previous, newer) = install(cfg, &resp.signed_policy_json, &from)?;
    client
        .accept_policy(pb::AcceptPolicyRequest { version })
        .await
        .map_err(|s| hub(format!("refused the acknowledgement: {}", s.message())))?;
    Ok(if newer {
        Fetched::Installed { version, previous }
    } else {
        Fetched::Unchanged { version }
    })
}
