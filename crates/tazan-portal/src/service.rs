//! A hub or node together with its portal (when the config has `[portal]`),
//! as `tazan hub serve` and `tazan node serve` run them; and `tazan user`.

use std::path::Path;
use std::sync::Arc;

use tazan_hub::{HubConfig, RunningHub};
use tazan_node::{NodeConfig, RunningNode};
use tazan_store::Store;
use tracing::info;

use crate::accounts::Accounts;
use crate::admin::{self, MemberCheck, UserAnswer, UserCommand, UserDesk};
use crate::{PortalError, RunningPortal};

/// A running hub and, when configured, its portal.
pub struct HubService {
    /// The hub.
    pub hub: RunningHub,
    /// Its portal.
    pub portal: Option<RunningPortal>,
}

impl HubService {
    /// Start the hub, then its portal if `[portal]` is set.
    pub async fn start(config: HubConfig) -> Result<HubService, PortalError> {
        let portal_config = config.portal.clone();
        let hub = RunningHub::start(config).await?;
        let portal = match portal_config {
            Some(p) => match RunningPortal::start_hub(&p, &hub).await {
                Ok(p) => Some(p),
                Err(e) => {
                    // Release the store before reporting.
                    let _ = hub.stop().await;
                    return Err(e);
                }
            },
            None => None,
        };
        Ok(HubService { hub, portal })
    }

    /// Stop the portal, then the hub.
    pub async fn stop(self) -> Result<(), PortalError> {
        if let Some(p) = self.portal {
            p.stop().await;
        }
        self.hub.stop().await?;
        Ok(())
    }
}

/// A running node and, when configured, its portal.
pub struct NodeService {
    /// The node.
    pub node: RunningNode,
    /// Its portal.
    pub portal: Option<RunningPortal>,
}

impl NodeService {
    /// Start the node, then its portal if `[portal]` is set.
    pub async fn start(config: NodeConfig) -> Result<NodeService, PortalError> {
        let node = RunningNode::start(config.clone()).await?;
        let portal = match &config.portal {
            Some(p) => match RunningPortal::start_node(p, &node, &config).await {
                Ok(p) => Some(p),
                Err(e) => {
                    let _ = node.stop().await;
                    return Err(e);
                }
            },
            None => None,
        };
        Ok(NodeService { node, portal })
    }

    /// Stop the portal, then the node.
    pub async fn stop(self) -> Result<(), PortalError> {
        if let Some(p) = self.portal {
            p.stop().await;
        }
        self.node.stop().await?;
        Ok(())
    }
}

/// The service a config file describes, as far as `tazan user` needs it.
pub(crate) struct Target {
    pub(crate) id: String,
    pub(crate) data_dir: std::path::PathBuf,
    pub(crate) members: MemberCheck,
    pub(crate) base_url: String,
    /// Its demo logins (`deploy/local`).
    pub(crate) plan: crate::demo::LoginPlan,
}

pub(crate) fn target(config: &Path) -> Result<Target, PortalError> {
    let file = tazan_config::ConfigFile::new(config);
    let text = file.read()?;
    let table: toml::Table = file.parse(&text)?;
    let base = |p: &Option<tazan_config::PortalConfig>| {
        p.as_ref().map(|p| p.base_url(p.listen)).unwrap_or_default()
    };
    if table.contains_key("node") {
        let c = NodeConfig::parse(&text, config)?;
        Ok(Target {
            id: c.id.to_string(),
            plan: crate::demo::node_plan(&c.id),
            members: admin::only(c.id.clone()),
            base_url: base(&c.portal),
            data_dir: c.data_dir,
        })
    } else if table.contains_key("hub") {
        let c = HubConfig::parse(&text, config)?;
        let roster = tazan_trust::SignedRoster::load(&c.roster).ok();
        let first = roster.as_ref().and_then(|r| {
            r.roster
                .members
                .iter()
                .find(|m| m.status == tazan_trust::MemberStatus::Active)
                .map(|m| m.id.clone())
        });
        let plan = crate::demo::hub_plan(&c.id, first.as_ref());
        let own = c.id.clone();
        let members: MemberCheck = Arc::new(move |m: &tazan_model::MemberId| {
            if m == &own {
                return Ok(());
            }
            match roster.as_ref().and_then(|r| r.roster.entry(m)) {
                Some(e) if e.status == tazan_trust::MemberStatus::Active => Ok(()),
                Some(_) => Err("revoked in this hub's roster".into()),
                None => Err(format!(
                    "not in this hub's roster; people are bound to the hub itself ({own}) or to an active member"
                )),
            }
        });
        Ok(Target {
            id: c.id.to_string(),
            plan,
            members,
            base_url: base(&c.portal),
            data_dir: c.data_dir,
        })
    } else {
        Err(tazan_config::ConfigError::Invalid {
            path: config.to_owned(),
            key: "hub",
            reason:
                "the file has neither a [hub] nor a [node] table; pass a hub.toml or a node.toml"
                    .into(),
        }
        .into())
    }
}

/// Run a `tazan user` command for the service configured in `config`:
/// through the running service's admin socket, or on its store when it is
/// stopped.
pub fn user_command(config: &Path, cmd: UserCommand) -> Result<UserAnswer, PortalError> {
    let t = target(config)?;
    let socket = admin::socket_path(&t.data_dir);
    match admin::ask(&socket, &cmd) {
        Ok(Some(answer)) => return Ok(answer),
        Ok(None) => {}
        Err(source) => {
            return Err(PortalError::Socket {
                path: socket,
                source,
            })
        }
    }
    let store = match Store::open_waiting(&t.data_dir, std::time::Duration::from_secs(2)) {
        Ok(s) => s,
        Err(e) if e.is_locked() => {
            return Err(PortalError::NoAdminSocket {
                service: t.id,
                socket,
            })
        }
        Err(e) => return Err(e.into()),
    };
    let accounts = Arc::new(Accounts::open(&store)?);
    let desk = UserDesk::new(accounts, t.members, t.base_url);
    let answer = desk.run(cmd);
    store.flush_blocking()?;
    info!(service = %t.id, "user command run on the stopped service's store");
    Ok(answer)
}
