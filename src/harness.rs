//! Run a whole federation in this process: real gRPC over mutual TLS on
//! 127.0.0.1 and real sled stores, as the demo, the benchmark and the
//! end-to-end tests need.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use tazan_hub::{HubConfig, RunningHub};
use tazan_model::MemberId;
use tazan_node::{NodeConfig, RunningNode};
use tazan_proto::pb::hub_client::HubClient;
use tonic::transport::Channel;

use crate::topology::Layout;

/// A portal started by [`Federation::start_portals`].
pub struct ServedPortal {
    /// `cross`, a group name or a member id.
    pub service: String,
    /// The portal.
    pub portal: tazan_portal::RunningPortal,
    /// A login per role, with its password.
    pub logins: Vec<tazan_portal::demo::DemoLogin>,
}

/// Hubs and nodes started from a [`Layout`].
pub struct Federation {
    /// The cross-industry hub.
    pub cross: RunningHub,
    /// Group name and hub.
    pub groups: Vec<(String, RunningHub)>,
    /// Member id, group name and node.
    pub nodes: Vec<(MemberId, String, RunningNode)>,
    layout: Layout,
}

impl Federation {
    /// Start the cross hub, then each group hub pointed at it, then each node
    /// pointed at its group hub. Listen ports 0 are resolved as each binds.
    pub async fn start(layout: &Layout) -> Result<Federation> {
        Federation::start_with_clock(layout, tazan_trust::Clock::system()).await
    }

    /// The same, with every hub reading `clock` for its time rules (a test
    /// moves a [settable](tazan_trust::Clock::settable) one instead of
    /// sleeping until the second changes).
    pub async fn start_with_clock(
        layout: &Layout,
        clock: tazan_trust::Clock,
    ) -> Result<Federation> {
        let mut cross_cfg = HubConfig::load(&layout.cross)?;
        cross_cfg.clock = clock.clone();
        let cross = RunningHub::start(cross_cfg)
            .await
            .context("starting the cross hub")?;
        let mut groups = Vec::new();
        for (name, path) in &layout.groups {
            let mut cfg = HubConfig::load(path)?;
            cfg.clock = clock.clone();
            if let Some(up) = cfg.upstream.as_mut() {
                up.endpoint = format!("https://{}", cross.addr());
            }
            let hub = RunningHub::start(cfg)
                .await
                .with_context(|| format!("starting the {name} hub"))?;
            groups.push((name.clone(), hub));
        }
        let mut fed = Federation {
            cross,
            groups,
            nodes: Vec::new(),
            layout: layout.clone(),
        };
        fed.start_nodes().await?;
        Ok(fed)
    }

    /// Only the hubs of [`Federation::start`]: no node runs until
    /// [`Federation::start_nodes`] (a benchmark times a hub alone, as it is
    /// deployed, without its members' work on the same cores).
    pub async fn start_hubs(layout: &Layout) -> Result<Federation> {
        let mut bare = layout.clone();
        bare.nodes.clear();
        let mut fed = Federation::start(&bare).await?;
        fed.layout = layout.clone();
        Ok(fed)
    }

    /// Start every node of the layout that is not running yet.
    pub async fn start_nodes(&mut self) -> Result<()> {
        for (id, group, _) in self.layout.nodes.clone() {
            if self.nodes.iter().any(|(n, _, _)| *n == id) {
                continue;
            }
            let node = self.start_node(&id).await?;
            self.nodes.push((id, group, node));
        }
        Ok(())
    }

    /// The node config for `id`, pointed at its group hub's bound address.
    pub fn node_config(&self, id: &MemberId) -> Result<NodeConfig> {
        let Some((_, group, path)) = self.layout.nodes.iter().find(|(n, _, _)| n == id) else {
            bail!("no node {id} in this topology");
        };
        let mut cfg = NodeConfig::load(path)?;
        cfg.hub_endpoint = format!("https://{}", self.hub(group)?.addr());
        Ok(cfg)
    }

    /// Start (or restart) the node `id`.
    pub async fn start_node(&self, id: &MemberId) -> Result<RunningNode> {
        let cfg = self.node_config(id)?;
        RunningNode::start(cfg)
            .await
            .with_context(|| format!("starting node {id}"))
    }

    /// The group hub named `group`.
    pub fn hub(&self, group: &str) -> Result<&RunningHub> {
        self.groups
            .iter()
            .find(|(g, _)| g == group)
            .map(|(_, h)| h)
            .with_context(|| format!("no group {group}"))
    }

    /// The running node `id`.
    pub fn node(&self, id: &str) -> Result<&RunningNode> {
        self.nodes
            .iter()
            .find(|(n, _, _)| n.as_str() == id)
            .map(|(_, _, n)| n)
            .with_context(|| format!("no node {id}"))
    }

    /// A raw gRPC client to `id`'s group hub, authenticated as `id`.
    pub async fn client_as(&self, id: &MemberId) -> Result<HubClient<Channel>> {
        Ok(HubClient::new(self.channel_as(id).await?))
    }

    /// A connected mutual-TLS channel to `id`'s group hub, as `id`.
    pub async fn channel_as(&self, id: &MemberId) -> Result<Channel> {
        let cfg = self.node_config(id)?;
        tazan_proto::endpoint(&cfg.hub_endpoint, cfg.hub_name.as_str(), &cfg.tls)?
            .connect()
            .await
            .with_context(|| format!("connecting to {} as {id}", cfg.hub_endpoint))
    }

    /// A raw gRPC client to the cross hub, authenticated as `group`'s hub.
    pub async fn cross_client_as_group(&self, group: &str) -> Result<HubClient<Channel>> {
        let tls = crate::topology::upstream_tls(&self.layout.dir, group);
        let url = format!("https://{}", self.cross.addr());
        let ch = tazan_proto::endpoint(&url, "cross-hub", &tls)?
            .connect()
            .await
            .with_context(|| format!("connecting to the cross hub as the {group} hub"))?;
        Ok(HubClient::new(ch))
    }

    /// Wait until `node`'s library holds at least `n` entries (or time out).
    pub async fn wait_library(&self, node: &str, n: usize, limit: Duration) -> Result<()> {
        let node = self.node(node)?;
        let deadline = tokio::time::Instant::now() + limit;
        let mut rx = node.received();
        loop {
            if node.core().library().all()?.len() >= n {
                return Ok(());
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => bail!("node {} stopped while waiting", node.core().id()),
                Err(_) => bail!(
                    "node library has {} entries after {limit:?}, expected {n}",
                    node.core().library().all()?.len()
                ),
            }
        }
    }

    /// Start a web portal for every hub and node whose config has `[portal]`
    /// (topologies from [`crate::topology`] all do, on port 0 here), with
    /// demo logins for each role. Returns (service name, portal, logins).
    pub async fn start_portals(&self) -> Result<Vec<ServedPortal>> {
        use tazan_portal::demo::{hub_plan, node_plan};
        let mut out = Vec::new();
        let first_member = |hub: &RunningHub| {
            hub.core()
                .roster()
                .roster
                .members
                .iter()
                .find(|m| m.status == tazan_trust::MemberStatus::Active)
                .map(|m| m.id.clone())
        };
        let mut hubs = vec![("cross".to_owned(), &self.cross, self.layout.cross.clone())];
        for (name, hub) in &self.groups {
            let path = self
                .layout
                .groups
                .iter()
                .find(|(g, _)| g == name)
                .map(|(_, p)| p.clone())
                .with_context(|| format!("no config for group {name}"))?;
            hubs.push((name.clone(), hub, path));
        }
        for (name, hub, path) in hubs {
            let Some(cfg) = HubConfig::load(&path)?.portal else {
                continue;
            };
            let portal = tazan_portal::RunningPortal::start_hub(&cfg, hub)
                .await
                .with_context(|| format!("starting the {name} hub's portal"))?;
            let logins =
                portal.seed_logins(hub_plan(hub.core().id(), first_member(hub).as_ref()))?;
            out.push(ServedPortal {
                service: name,
                portal,
                logins,
            });
        }
        for (id, _, node) in &self.nodes {
            let cfg = self.node_config(id)?;
            let Some(p) = cfg.portal.clone() else {
                continue;
            };
            let portal = tazan_portal::RunningPortal::start_node(&p, node, &cfg)
                .await
                .with_context(|| format!("starting {id}'s portal"))?;
            let logins = portal.seed_logins(node_plan(id))?;
            out.push(ServedPortal {
                service: id.to_string(),
                portal,
                logins,
            });
        }
        Ok(out)
    }

    /// The topology's root directory.
    pub fn layout_dir(&self) -> &std::path::Path {
        &self.layout.dir
    }

    /// Stop nodes, then group hubs, then the cross hub.
    pub async fn stop(self) -> Result<()> {
        for (_, _, node) in self.nodes {
            node.stop().await?;
        }
        for (_, hub) in self.groups {
            hub.stop().await?;
        }
        self.cross.stop().await?;
        Ok(())
    }
}
