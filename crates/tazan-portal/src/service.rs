//! A hub or node together with its portal (when the config has `[portal]`),
//! as `tazan hub serve` and `tazan node serve` run them; and `tazan user`.

use std::path::{Path, PathBuf};
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
    run_command(config, cmd, std::time::Duration::from_secs(30))
}

fn run_command(
    config: &Path,
    cmd: UserCommand,
    wait: std::time::Duration,
) -> Result<UserAnswer, PortalError> {
    let t = target(config)?;
    let socket = admin::socket_path(&t.data_dir);
    match admin::ask_within(&socket, &cmd, wait) {
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

/// What `tazan newsletter send` asks for.
#[derive(Debug, Clone, Default)]
pub struct SendRequest {
    /// Lessons received at or after this ISO 8601 date.
    pub since: String,
    /// The issue's name (default: `since`); a re-run of an issue reuses
    /// its letter and sends only what is not yet sent.
    pub issue: Option<String>,
    /// The editor's notes (default: `[mail] notes`).
    pub notes: Option<PathBuf>,
    /// The SMTP relay (default: `[mail] smtp`).
    pub smtp: Option<String>,
    /// Say who would get it; send and record nothing.
    pub dry_run: bool,
}

/// Compose an issue of the newsletter of the hub configured in `config`
/// from its search index and the editor's notes, and deliver it to the
/// subscribed people: through the running hub's admin socket, or on its
/// store when it is stopped.
pub fn newsletter_command(
    config: &Path,
    req: SendRequest,
) -> Result<crate::newsletter::Report, PortalError> {
    use crate::newsletter::{check_issue, Compose, Notes, Outbound};
    let hub = HubConfig::load(config)?;
    let bad = |key: &'static str, reason: String| PortalError::Newsletter {
        path: config.to_owned(),
        key,
        reason,
    };
    let mail = hub.mail.clone().ok_or_else(|| {
        bad(
            "mail",
            "no [mail] table: add one with `smtp = \"HOST:PORT\"` and `from = \"ADDRESS\"`".into(),
        )
    })?;
    let b = req.since.as_bytes();
    if !(b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && req.since[..4].bytes().all(|c| c.is_ascii_digit()))
    {
        return Err(bad(
            "--since",
            format!("{:?} is not a date such as 2026-11-01", req.since),
        ));
    }
    let issue = req.issue.clone().unwrap_or_else(|| req.since.clone());
    check_issue(&issue).map_err(|r| bad("--issue", r))?;
    let smtp = req.smtp.clone().unwrap_or(mail.smtp);
    tazan_config::check_smtp(&smtp).map_err(|r| bad("--smtp", r))?;
    let notes = match req.notes.as_ref().or(mail.notes.as_ref()) {
        Some(p) => Notes::load(p)?,
        None => Notes::default(),
    };
    if !hub.search {
        return Err(bad(
            "search.enabled",
            "`[search] enabled = false`: the newsletter is composed from the hub's index; enable it and restart the hub".into(),
        ));
    }
    let dir = hub.index_dir();
    if !dir.join("meta.json").exists() {
        return Err(bad(
            "search",
            format!(
                "no search index at {} yet: start the hub once (`tazan hub serve --config {}`)",
                dir.display(),
                config.display()
            ),
        ));
    }
    let index = tazan_search::SearchIndex::open_read_only(&dir)?;
    let base_url = hub
        .portal
        .as_ref()
        .map(|p| p.base_url(p.listen))
        .unwrap_or_default();
    let letter = Compose {
        issue: &issue,
        since: &req.since,
        hub: hub.group.as_str(),
        portal_url: &base_url,
        notes: &notes,
    }
    .from_index(&index)?;
    let out = Outbound {
        smtp,
        from: mail.from,
        timeout_secs: mail.timeout.as_secs(),
        dry_run: req.dry_run,
        base_url,
    };
    let cmd = UserCommand::Deliver {
        letter: Box::new(letter),
        out,
    };
    match run_command(config, cmd, std::time::Duration::from_secs(3600))? {
        UserAnswer::Delivered { report } => Ok(report),
        UserAnswer::Refused { message } => Err(bad("mail", message)),
        other => Err(PortalError::Task(format!("unexpected answer: {other:?}"))),
    }
}
