//! Run a topology directory as one process per service, for `tazan up`,
//! `tazan status` and `tazan down`: `deploy/local`, or any directory written
//! by `tazan topology create`.
//!
//! ```text
//!  DIR/<service>/hub.toml|node.toml ─► Local::open ─► (first start of deploy/local: topology::bootstrap)
//!  up:      `tazan hub|node serve --config …` per service: cross hub, group hubs, nodes
//!           DIR/run/<service>.pid   DIR/logs/<service>.log (--detach; foreground: prefixed lines)
//!  status:  pid alive? ─► probe (hub: gRPC health, own certificate; node: GET /healthz) ─► GET /metrics
//!  down:    SIGTERM nodes, then group hubs, then the cross hub; SIGKILL after a time limit
//! ```
//!
//! Not here: restarting services that fail (that is systemd's job, see
//! `deploy/systemd`), or services on other hosts. A pid file is trusted only
//! while its process is a `tazan` serving that service's config, so a stale
//! file never gets another program signalled.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tazan_hub::{HubConfig, Tier};
use tazan_node::NodeConfig;

use crate::topology::{self, Layout, PkiState, Spec};

mod probe;
mod process;
mod up;

pub use process::{enter_own_session_if_asked, Stopped, SETSID_ENV};

/// What a service is; services start in this order and stop in reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The cross-industry hub.
    CrossHub,
    /// An industry group hub.
    GroupHub,
    /// An org node.
    Node,
}

impl Role {
    /// Human-readable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CrossHub => "cross hub",
            Role::GroupHub => "group hub",
            Role::Node => "node",
        }
    }
}

/// One service of a topology directory.
#[derive(Debug, Clone)]
pub struct Service {
    /// Its directory name under the topology directory (`finance`, `sakura-bank`).
    pub name: String,
    /// Hub tier or node.
    pub role: Role,
    /// Its config file (absolute).
    pub config: PathBuf,
    /// Its Prometheus listener, if it has one.
    pub metrics: Option<SocketAddr>,
    /// Its web portal's URL, if it has one.
    pub portal: Option<String>,
    /// Why its config does not load (edited while it runs, or a typo); such
    /// a service can be stopped by its pid file and is reported, not probed.
    pub config_error: Option<String>,
    probe: probe::Probe,
    /// Where its portal listens (dialable), if it has one: a service is up
    /// only once its portal accepts connections too.
    portal_addr: Option<SocketAddr>,
}

impl Service {
    /// `Ok(())` when the service is healthy (its probe answers) and its
    /// portal, if it has one, accepts connections; else why not.
    async fn check(&self) -> Result<()> {
        self.probe.check().await?;
        if let Some(addr) = self.portal_addr {
            probe::accepts(addr)
                .await
                .with_context(|| format!("{} is up but its portal is not yet", self.name))?;
        }
        Ok(())
    }
}

/// A topology directory and its services, in start order.
#[derive(Debug)]
pub struct Local {
    /// The directory (absolute).
    pub dir: PathBuf,
    /// Its services: cross hub, group hubs, nodes.
    pub services: Vec<Service>,
    /// Whether opening it generated the PKI (first start of `deploy/local`).
    pub bootstrapped: bool,
}

/// What `tazan status` reports for one service.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceStatus {
    /// Service name.
    pub name: String,
    /// Hub tier or node.
    pub role: Role,
    /// Running and healthy, running but unhealthy, dead (pid file left by a
    /// process that is gone), or stopped.
    pub state: State,
    /// The process id, while it runs.
    pub pid: Option<i32>,
    /// Why it is unhealthy or dead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Hubs: last durable sequence number of the log (`tazan_hub_log_head`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_head: Option<u64>,
    /// Group hubs: lessons waiting to be relayed upward (`tazan_hub_relay_pending`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay_lag: Option<u64>,
    /// Nodes: lessons waiting for the hub's acknowledgement (`tazan_node_outbox_depth`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbox_depth: Option<u64>,
}

/// A service's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Its process runs and answers its health check.
    Running,
    /// Its process runs but does not answer its health check.
    Unhealthy,
    /// Its pid file names a process that is gone (crashed or killed).
    Dead,
    /// No pid file: not started, or stopped by `tazan down`.
    Stopped,
}

impl State {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Unhealthy => "unhealthy",
            State::Dead => "dead",
            State::Stopped => "stopped",
        }
    }
}

/// The line `tazan up --detach` writes to a service's log before starting it.
const START_MARK: &str = "==> tazan up: starting";

/// How long services get to stop after SIGTERM before SIGKILL (a hub's own
/// backstops are 10 s).
pub const STOP_TIMEOUT: Duration = Duration::from_secs(20);

impl Local {
    /// Find the services in `dir` (each subdirectory holding `hub.toml` or
    /// `node.toml`) and load their configs. When `dir` has the layout of
    /// `deploy/local` and no keys yet, generate its PKI first; a PKI that is
    /// only partly there is an error (keys are never overwritten).
    pub fn open(dir: &Path) -> Result<Local> {
        Local::find(dir, true)
    }

    /// Like [`Local::open`] for stopping or inspecting what runs: generates
    /// nothing, and a config that does not load (edited while its service
    /// runs, or a typo) does not keep the others from being listed or the
    /// service from being stopped by its pid file: the service carries the
    /// reason in [`Service::config_error`].
    pub fn open_to_stop(dir: &Path) -> Result<Local> {
        Local::find(dir, false)
    }

    /// The service named `name`, or an error listing the names there are.
    pub fn service(&self, name: &str) -> Result<&Service> {
        self.services
            .iter()
            .find(|s| s.name == name)
            .with_context(|| {
                format!(
                    "no service `{name}` in {}; its services are: {}",
                    self.dir.display(),
                    self.services
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }

    fn find(dir: &Path, strict: bool) -> Result<Local> {
        // Canonical, so that a service's command line (matched against its
        // pid file) is the same whichever way DIR was spelt.
        let dir = dir
            .canonicalize()
            .with_context(|| format!("reading {}", dir.display()))?;
        let mut found = Vec::new();
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            for (file, hub) in [("hub.toml", true), ("node.toml", false)] {
                let config = entry.path().join(file);
                if config.is_file() {
                    found.push((name.clone(), config, hub));
                }
            }
        }
        if found.is_empty() {
            bail!(
                "{} holds no service (no */hub.toml or */node.toml); use deploy/local or a directory made by `tazan topology create`",
                dir.display()
            );
        }
        let names: BTreeSet<String> = found.iter().map(|(n, _, _)| n.clone()).collect();
        let bootstrapped = strict && bootstrap_if_new(&dir, &names)?;
        let mut services = found
            .into_iter()
            .map(|(name, config, hub)| {
                let loaded = if hub {
                    hub_service(name.clone(), config.clone())
                } else {
                    node_service(name.clone(), config.clone())
                };
                match loaded {
                    Err(e) if !strict => Ok(unloaded_service(name, config, hub, format!("{e:#}"))),
                    other => other,
                }
            })
            .collect::<Result<Vec<_>>>()?;
        services.sort_by(|a, b| (a.role, &a.name).cmp(&(b.role, &b.name)));
        Ok(Local {
            dir,
            services,
            bootstrapped,
        })
    }

    /// Give every stopped service with a portal its demo logins, once (a
    /// service that runs holds its store and is left alone).
    pub fn seed_portal_logins(&self) {
        for s in self.services.iter().filter(|s| s.portal.is_some()) {
            if !tazan_portal::demo::local_logins(&s.config).is_empty() {
                continue;
            }
            match tazan_portal::demo::seed_local(&s.config) {
                Ok(made) => {
                    tracing::info!(service = %s.name, logins = made.len(), "portal demo logins made")
                }
                Err(e) => {
                    tracing::debug!(service = %s.name, error = %e, "no demo logins made (running?)")
                }
            }
        }
    }

    /// `DIR/run/<service>.pid`.
    pub fn pid_file(&self, s: &Service) -> PathBuf {
        self.dir.join("run").join(format!("{}.pid", s.name))
    }

    /// `DIR/logs/<service>.log` (detached services).
    pub fn log_file(&self, s: &Service) -> PathBuf {
        self.dir.join("logs").join(format!("{}.log", s.name))
    }

    /// Each service's state, health and figures.
    pub async fn status(&self) -> Vec<ServiceStatus> {
        let mut out = Vec::new();
        for s in &self.services {
            let pid = process::read_pid(&self.pid_file(s));
            let mut st = ServiceStatus {
                name: s.name.clone(),
                role: s.role,
                state: State::Stopped,
                pid: None,
                problem: None,
                log_head: None,
                relay_lag: None,
                outbox_depth: None,
            };
            if let Some(why) = &s.config_error {
                // Its state still comes from its pid file; it is never
                // healthy while its config does not load.
                st.problem = Some(format!("config does not load: {why}"));
                st.pid = pid.filter(|p| process::serves(*p, &s.config));
                st.state = match (pid, st.pid) {
                    (_, Some(_)) => State::Unhealthy,
                    (Some(_), None) => State::Dead,
                    (None, _) => State::Stopped,
                };
                out.push(st);
                continue;
            }
            match pid {
                None => {}
                Some(pid) if !process::serves(pid, &s.config) => {
                    st.state = State::Dead;
                    st.problem = Some(format!(
                        "pid file names {pid}, which is not running this service; see {}",
                        self.log_file(s).display()
                    ));
                }
                Some(pid) => {
                    st.pid = Some(pid);
                    match s.check().await {
                        Ok(()) => st.state = State::Running,
                        Err(e) => {
                            st.state = State::Unhealthy;
                            st.problem = Some(format!("{e:#}"));
                            // gRPC health says NOT_SERVING; /healthz says why.
                            if let (probe::Probe::Hub { .. }, Some(addr)) = (&s.probe, s.metrics) {
                                if let Err(why) = probe::http_get(addr, "/healthz").await {
                                    st.problem = Some(format!("{e:#}; {why:#}"));
                                }
                            }
                        }
                    }
                    if let Some(addr) = s.metrics {
                        if let Ok(page) = probe::http_get(addr, "/metrics").await {
                            let m = |name| probe::metric(&page, name).map(|v| v as u64);
                            match s.role {
                                Role::Node => st.outbox_depth = m("tazan_node_outbox_depth"),
                                Role::CrossHub => st.log_head = m("tazan_hub_log_head"),
                                Role::GroupHub => {
                                    st.log_head = m("tazan_hub_log_head");
                                    st.relay_lag = m("tazan_hub_relay_pending");
                                }
                            }
                        }
                    }
                }
            }
            out.push(st);
        }
        out
    }

    /// Stop every running service (nodes, then group hubs, then the cross
    /// hub; SIGTERM, then SIGKILL after `timeout`) and remove all pid files.
    /// Services already stopped are reported as [`Stopped::Gone`].
    pub async fn down(&self, timeout: Duration) -> Result<Vec<(String, Option<i32>, Stopped)>> {
        let mut out = Vec::new();
        for role in [Role::Node, Role::GroupHub, Role::CrossHub] {
            let mut targets = Vec::new();
            for s in self.services.iter().filter(|s| s.role == role) {
                match process::read_pid(&self.pid_file(s)) {
                    Some(pid) if process::serves(pid, &s.config) => targets.push(process::Target {
                        name: s.name.clone(),
                        pid,
                        child: None,
                    }),
                    _ => out.push((s.name.clone(), None, Stopped::Gone)),
                }
            }
            for (name, pid, how) in process::stop(targets, timeout).await {
                out.push((name, Some(pid), how));
            }
        }
        for s in &self.services {
            process::remove_pid(&self.pid_file(s))?;
        }
        out.sort_by_key(|(name, _, _)| {
            self.services
                .iter()
                .position(|s| &s.name == name)
                .unwrap_or(usize::MAX)
        });
        Ok(out)
    }
}

/// Generate the PKI of a directory with `deploy/local`'s layout (the demo
/// federation's services and nothing else) that has none yet. Other
/// directories are left alone: their configs name the files they need.
fn bootstrap_if_new(dir: &Path, names: &BTreeSet<String>) -> Result<bool> {
    let spec = Spec::demo();
    let layout = Layout::of(dir, &spec);
    let expected: BTreeSet<String> = std::iter::once(&layout.cross)
        .chain(layout.groups.iter().map(|(_, p)| p))
        .chain(layout.nodes.iter().map(|(_, _, p)| p))
        .filter_map(|p| p.parent()?.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    if *names != expected {
        return Ok(false);
    }
    match topology::pki_state(dir, &spec) {
        PkiState::Complete => Ok(false),
        PkiState::Missing => {
            topology::bootstrap(dir, &spec)?;
            Ok(true)
        }
        PkiState::Partial(missing) => bail!(
            "{}: the PKI is incomplete ({} of its files are missing, e.g. {}); restore them from a backup, or move every generated key, certificate, admin.pub and roster.json away to generate a new PKI",
            dir.display(),
            missing.len(),
            missing[0].display()
        ),
    }
}

fn hub_service(name: String, config: PathBuf) -> Result<Service> {
    let cfg = HubConfig::load(&config)?;
    if cfg.listen.port() == 0 {
        bail!(
            "{}: hub.listen has port 0; `tazan up` needs fixed ports so that nodes and group hubs can find their hub",
            config.display()
        );
    }
    Ok(Service {
        name,
        role: match cfg.tier {
            Tier::Cross => Role::CrossHub,
            Tier::Group => Role::GroupHub,
        },
        metrics: cfg.metrics_listen.filter(|a| a.port() != 0).map(dialable),
        portal: portal_url(cfg.portal.as_ref()),
        portal_addr: portal_addr(cfg.portal.as_ref()),
        config_error: None,
        probe: probe::Probe::Hub {
            url: format!("https://{}", dialable(cfg.listen)),
            id: cfg.id.to_string(),
            // The hub's own certificate is issued by the CA it trusts for
            // clients, and health is not behind the roster check.
            tls: tazan_proto::ClientTls {
                cert: cfg.tls.cert,
                key: cfg.tls.key,
                ca: cfg.tls.ca,
            },
        },
        config,
    })
}

/// A service whose config does not load: enough to find and stop it. A hub
/// counts as a group hub unless its file says `tier = "cross"`, so that it
/// stops after the nodes and before the cross hub.
fn unloaded_service(name: String, config: PathBuf, hub: bool, why: String) -> Service {
    let cross = std::fs::read_to_string(&config)
        .is_ok_and(|t| t.lines().any(|l| l.replace(' ', "") == "tier=\"cross\""));
    Service {
        name,
        role: match (hub, cross) {
            (false, _) => Role::Node,
            (true, true) => Role::CrossHub,
            (true, false) => Role::GroupHub,
        },
        metrics: None,
        portal: None,
        portal_addr: None,
        config_error: Some(why),
        probe: probe::Probe::None,
        config,
    }
}

fn node_service(name: String, config: PathBuf) -> Result<Service> {
    let cfg = NodeConfig::load(&config)?;
    let metrics = cfg.metrics_listen.filter(|a| a.port() != 0).map(dialable);
    Ok(Service {
        name,
        role: Role::Node,
        portal: portal_url(cfg.portal.as_ref()),
        portal_addr: portal_addr(cfg.portal.as_ref()),
        metrics,
        config_error: None,
        probe: metrics.map_or(probe::Probe::None, probe::Probe::Metrics),
        config,
    })
}

/// Where people open a portal (not for port 0, which is only known once bound).
fn portal_url(p: Option<&tazan_hub::PortalConfig>) -> Option<String> {
    p.filter(|p| p.listen.port() != 0)
        .map(|p| p.base_url(dialable(p.listen)))
}

/// Where to check that a portal accepts connections (not for port 0).
fn portal_addr(p: Option<&tazan_hub::PortalConfig>) -> Option<SocketAddr> {
    p.filter(|p| p.listen.port() != 0)
        .map(|p| dialable(p.listen))
}

/// A listen address as one to dial: the wildcard becomes loopback.
fn dialable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node without metrics (nothing to probe) whose portal listens at `addr`.
    fn node_with_portal(addr: SocketAddr) -> Service {
        Service {
            name: "sakura-bank".into(),
            role: Role::Node,
            config: PathBuf::from("node.toml"),
            metrics: None,
            portal: Some(format!("http://{addr}")),
            config_error: None,
            probe: probe::Probe::None,
            portal_addr: Some(addr),
        }
    }

    #[tokio::test]
    async fn a_service_is_up_only_once_its_portal_accepts_connections() {
        // A port that nothing listens on: bound, then released.
        let addr = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        let s = node_with_portal(addr);
        let err = format!("{:#}", s.check().await.unwrap_err());
        assert!(
            err.contains("sakura-bank is up but its portal is not yet")
                && err.contains(&addr.to_string()),
            "{err}"
        );
        // The portal binds its port: the same check now passes.
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        s.check().await.unwrap();
        // A service without a portal is up on its probe alone.
        let mut plain = s.clone();
        plain.portal_addr = None;
        drop(listener);
        plain.check().await.unwrap();
    }
}
