//! A hub or node as the command line sees it from its config file: reach it
//! through its admin socket when it runs, or open its store when it is
//! stopped (`tazan backup`, `tazan restore`, `tazan status --config`).
//!
//! ```text
//!  hub.toml / node.toml ─► Service { kind, id, data_dir }
//!      tazan_admin::reach(data_dir):
//!        running ─► Admin RPC over DATA/admin.sock (Backup streamed, Status)
//!        stopped ─► the store, opened here (export, read the figures)
//! ```
//!
//! sled lets one process open a store, so a command never opens the store of
//! a running service: it asks the service. A backup taken either way is
//! consistent and pauses no writer (see `tazan_store::Backup`).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tazan_admin::Reached;
use tazan_proto::pb;
use tazan_store::{BackupHeader, BackupSummary, HubLog, Library, Outbox, Store};

use crate::progress::Progress;

/// A hub or a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A hub (`[hub]` in its config).
    Hub,
    /// An org node (`[node]`).
    Node,
}

impl Kind {
    /// `hub` or `node`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Hub => "hub",
            Kind::Node => "node",
        }
    }
}

/// The service a config file describes.
#[derive(Debug, Clone)]
pub struct Service {
    /// Hub or node.
    pub kind: Kind,
    /// Its id.
    pub id: String,
    /// Its sled directory (and admin socket).
    pub data_dir: PathBuf,
}

impl Service {
    /// A node.toml has a `[node]` table, a hub.toml a `[hub]` table.
    pub fn load(config: &Path) -> Result<Service> {
        let text = fs::read_to_string(config)
            .with_context(|| format!("cannot read config {}", config.display()))?;
        let table: toml::Table = toml::from_str(&text)
            .with_context(|| format!("config {} is not TOML", config.display()))?;
        if table.contains_key("node") {
            let c = tazan_node::NodeConfig::load(config)?;
            Ok(Service {
                kind: Kind::Node,
                id: c.id.to_string(),
                data_dir: c.data_dir,
            })
        } else if table.contains_key("hub") {
            let c = tazan_hub::HubConfig::load(config)?;
            Ok(Service {
                kind: Kind::Hub,
                id: c.id.to_string(),
                data_dir: c.data_dir,
            })
        } else {
            bail!(
                "config {} has neither a [hub] nor a [node] table; pass a hub.toml or a node.toml",
                config.display()
            )
        }
    }

    /// Its admin socket when it runs, else its store.
    async fn reach(&self) -> Result<Reached<Store>> {
        tazan_admin::reach(&self.data_dir, || {
            Store::open_unless_running(&self.data_dir).map_err(anyhow::Error::from)
        })
        .await
    }

    fn header(&self) -> BackupHeader {
        BackupHeader::now(self.kind.as_str(), &self.id)
    }
}

/// A backup written by [`backup`].
#[derive(Debug, Clone)]
pub struct BackupDone {
    /// The file's header.
    pub header: BackupHeader,
    /// What it holds.
    pub summary: BackupSummary,
    /// Taken from the running service (through its admin socket).
    pub online: bool,
}

/// Back up the service's whole store to `out` (never overwritten): from the
/// running service through its admin socket (streamed, within `timeout`),
/// else from its store. The file is checked whole before it is renamed into
/// place.
pub async fn backup(
    svc: &Service,
    out: &Path,
    timeout: Duration,
    progress: &Progress,
) -> Result<BackupDone> {
    if !svc.data_dir.join("db").exists() {
        bail!(
            "{} holds no store, so there is nothing to back up; check data_dir in the config (has the {} ever run?)",
            svc.data_dir.display(),
            svc.kind.as_str()
        );
    }
    if out.exists() {
        bail!(
            "{} exists; choose a new file name (a backup is never overwritten)",
            out.display()
        );
    }
    match svc.reach().await? {
        Reached::Stopped(store) => {
            let (out, header, bar) = (out.to_owned(), svc.header(), progress.clone());
            let summary = tokio::task::spawn_blocking(move || {
                store.export(&out, &header, &mut move |n| bar.set_position(n))
            })
            .await??;
            Ok(BackupDone {
                header: svc.header(),
                summary,
                online: false,
            })
        }
        Reached::Running(mut admin) => {
            let tmp = partial(out);
            let fetched = tokio::time::timeout(timeout, async {
                let mut stream = admin
                    .backup(pb::BackupRequest {})
                    .await
                    .map_err(|s| {
                        anyhow::anyhow!("the running {}: {}", svc.kind.as_str(), s.message())
                    })?
                    .into_inner();
                // Written a step at a time around the page cache (or synced
                // in steps): the backup must not pile up in the disk's queue
                // ahead of the running service's own writes.
                let mut file = tazan_store::SteppedFile::new(create_private(&tmp)?);
                let mut bytes = 0u64;
                while let Some(chunk) = stream.message().await.map_err(|s| {
                    anyhow::anyhow!(
                        "the running {} could not finish the backup: {}",
                        svc.kind.as_str(),
                        s.message()
                    )
                })? {
                    file.write_all(&chunk.data)
                        .with_context(|| format!("writing {}", tmp.display()))?;
                    bytes += chunk.data.len() as u64;
                    progress.set_position(bytes);
                }
                file.finish()
                    .with_context(|| format!("writing {}", tmp.display()))?;
                anyhow::Ok(())
            })
            .await;
            let fetched = match fetched {
                Ok(r) => r,
                Err(_) => Err(anyhow::anyhow!(
                    "the running {} did not finish the backup within {}s; check its log, or pass a longer --timeout",
                    svc.kind.as_str(),
                    timeout.as_secs()
                )),
            };
            let checked = fetched.and_then(|()| {
                tazan_store::verify_backup(&tmp)
                    .context("the backup written by the running service")
            });
            let (header, summary) = match checked {
                Ok(c) => c,
                Err(e) => {
                    let _ = fs::remove_file(&tmp);
                    return Err(e);
                }
            };
            if header.kind != svc.kind.as_str() || header.service != svc.id {
                let _ = fs::remove_file(&tmp);
                bail!(
                    "the service answering {} is {} `{}`, not {} `{}`: another service uses this data directory",
                    tazan_admin::socket_path(&svc.data_dir).display(),
                    header.kind,
                    header.service,
                    svc.kind.as_str(),
                    svc.id
                );
            }
            if out.exists() {
                let _ = fs::remove_file(&tmp);
                bail!("{} appeared meanwhile; not replaced", out.display());
            }
            fs::rename(&tmp, out).with_context(|| format!("renaming into {}", out.display()))?;
            Ok(BackupDone {
                header,
                summary,
                online: true,
            })
        }
    }
}

fn partial(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// A new file readable by the owner only (a backup may hold AMBER lessons).
fn create_private(path: &Path) -> Result<fs::File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))
}

/// Where a service stands, from its admin socket or its stopped store.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Hub or node.
    pub kind: Kind,
    /// Its id.
    pub id: String,
    /// Whether it runs (answered its admin socket).
    pub running: bool,
    /// Its process id, when running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// Seconds since it started, when running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptime_secs: Option<u64>,
    /// Hub: last durable sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_head: Option<u64>,
    /// Hub: entries waiting to be relayed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay_pending: Option<u64>,
    /// Hub: roster serial in force (running) or last accepted (stopped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roster_serial: Option<u64>,
    /// Hub: open subscriptions (running).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribers: Option<u64>,
    /// Node: lessons waiting for the hub's acknowledgement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbox_depth: Option<u64>,
    /// Node: hub sequence number its library has reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub library_cursor: Option<u64>,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}`: ", self.kind.as_str(), self.id)?;
        match (self.pid, self.uptime_secs) {
            (Some(pid), Some(up)) => write!(f, "running (pid {pid}, up {up} s)")?,
            _ => f.write_str("stopped (read from its store)")?,
        }
        let figures = [
            ("log head", self.log_head),
            ("relay pending", self.relay_pending),
            ("roster serial", self.roster_serial),
            ("subscribers", self.subscribers),
            ("outbox", self.outbox_depth),
            ("library cursor", self.library_cursor),
        ];
        for (name, value) in figures {
            if let Some(v) = value {
                write!(f, "; {name} {v}")?;
            }
        }
        Ok(())
    }
}

/// Where the service stands: asked through its admin socket when it runs,
/// read from its store when it is stopped.
pub async fn status(svc: &Service) -> Result<Status> {
    let mut st = Status {
        kind: svc.kind,
        id: svc.id.clone(),
        running: false,
        pid: None,
        uptime_secs: None,
        log_head: None,
        relay_pending: None,
        roster_serial: None,
        subscribers: None,
        outbox_depth: None,
        library_cursor: None,
    };
    match svc.reach().await? {
        Reached::Running(mut admin) => {
            let s = admin
                .status(pb::StatusRequest {})
                .await
                .map_err(|s| anyhow::anyhow!("the running {}: {}", svc.kind.as_str(), s.message()))?
                .into_inner();
            st.running = true;
            st.pid = Some(s.pid);
            st.uptime_secs = Some(s.uptime_secs);
            match svc.kind {
                Kind::Hub => {
                    st.log_head = Some(s.log_head);
                    st.relay_pending = Some(s.relay_pending);
                    st.roster_serial = Some(s.roster_serial);
                    st.subscribers = Some(s.subscribers);
                }
                Kind::Node => {
                    st.outbox_depth = Some(s.outbox_depth);
                    st.library_cursor = Some(s.library_cursor);
                }
            }
        }
        Reached::Stopped(store) => match svc.kind {
            Kind::Hub => {
                let log = HubLog::open_as_stored(&store)?;
                st.log_head = Some(log.head());
                st.relay_pending = Some(log.relay_len() as u64);
                st.roster_serial = Some(log.cursor(tazan_hub::ROSTER_SERIAL)?);
            }
            Kind::Node => {
                st.outbox_depth = Some(Outbox::open(&store)?.len() as u64);
                st.library_cursor =
                    Some(Library::open(&store)?.cursor(tazan_node::LIBRARY_CURSOR)?);
            }
        },
    }
    Ok(st)
}

/// What became of a roster file just written, at the hub that serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterReload {
    /// The running hub read it again; `serial` is in force.
    Reloaded {
        /// The hub.
        hub: String,
        /// The serial in force now.
        serial: u64,
    },
    /// The hub is not running: it loads the file when it starts.
    NotRunning {
        /// The hub.
        hub: String,
    },
    /// No hub config was given or found beside the roster file.
    NoHub,
}

impl std::fmt::Display for RosterReload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RosterReload::Reloaded { hub, serial } => {
                write!(f, "the running hub `{hub}` now uses serial {serial}")
            }
            RosterReload::NotRunning { hub } => {
                write!(f, "hub `{hub}` is not running; it loads the roster when it starts")
            }
            RosterReload::NoHub => f.write_str(
                "no hub.toml beside the roster names it, so no hub was told; a hub using it loads it when it starts (or pass --hub-config to tell a running one)",
            ),
        }
    }
}

/// Tell the hub that serves `roster` to read it again: the hub configured
/// by `hub_config`, else the `hub.toml` beside the roster file when its
/// `roster` is this file. A running hub is told through its admin socket
/// and refuses (an error) a roster that is older or not signed by its admin
/// key, keeping the one in force.
pub async fn reload_roster(roster: &Path, hub_config: Option<&Path>) -> Result<RosterReload> {
    let beside = roster.parent().map(|d| d.join("hub.toml"));
    let config = match hub_config {
        Some(c) => Some(tazan_hub::HubConfig::load(c)?),
        None => match beside.filter(|p| p.exists()) {
            Some(p) => {
                let c = tazan_hub::HubConfig::load(&p)?;
                let same = fs::canonicalize(&c.roster).ok() == fs::canonicalize(roster).ok();
                same.then_some(c)
            }
            None => None,
        },
    };
    let Some(config) = config else {
        return Ok(RosterReload::NoHub);
    };
    let hub = config.id.to_string();
    let Some(mut admin) = tazan_admin::connect(&config.data_dir).await? else {
        return Ok(RosterReload::NotRunning { hub });
    };
    let r = admin
        .reload_roster(pb::ReloadRosterRequest {})
        .await
        .map_err(|s| {
            anyhow::anyhow!(
                "the running hub `{hub}` refused the roster and keeps the one in force: {}",
                s.message()
            )
        })?
        .into_inner();
    Ok(RosterReload::Reloaded {
        hub,
        serial: r.serial,
    })
}
