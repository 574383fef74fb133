//! Generate everything a federation needs on disk: one CA per admitting hub,
//! signing keys, certificates, signed rosters and TOML configs.
//!
//! ```text
//!  DIR/cross/        hub.toml hub.key admin.key roster.json ca/ tls/ data/
//!  DIR/<group>/      hub.toml hub.key admin.key roster.json ca/ tls/ upstream/ data/
//!  DIR/<member>/     node.toml node.key tls/ data/
//! ```
//!
//! The cross hub's CA issues each group hub's client certificate
//! (`<group>/upstream/`); each group's CA issues its members' certificates.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tazan_model::MemberId;
use tazan_trust::{now_unix, CertificateAuthority, KeyPair, Role, Roster, RosterEntry};

/// A member company of a group.
#[derive(Debug, Clone)]
pub struct MemberSpec {
    /// Roster and TLS id.
    pub id: MemberId,
    /// Display name (stays inside the group).
    pub display: String,
}

/// An industry group and its hub.
#[derive(Debug, Clone)]
pub struct GroupSpec {
    /// Short name, also the directory name (`finance`).
    pub name: String,
    /// The hub's id (`finance-hub`).
    pub hub_id: MemberId,
    /// Display name (`金融ISAC`).
    pub display: String,
    /// Members.
    pub members: Vec<MemberSpec>,
}

/// A whole federation.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The cross hub's id.
    pub cross_id: MemberId,
    /// The groups.
    pub groups: Vec<GroupSpec>,
}

/// Listening ports: 0 means "pick at start" (in-process harnesses then fill
/// in upstream endpoints once the upstream hub is bound).
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    /// Cross hub port.
    pub cross: u16,
    /// First group hub's port; the next groups take the following ports.
    pub first_group: u16,
}

impl Ports {
    /// Ports chosen when each hub starts.
    pub const EPHEMERAL: Ports = Ports {
        cross: 0,
        first_group: 0,
    };

    /// Metrics port of a hub listening on `port` (0 stays 0).
    fn metrics(port: u16) -> u16 {
        if port == 0 {
            0
        } else {
            port.saturating_add(1000)
        }
    }

    /// Metrics port of the `i`-th node (first group port + 1100 + i).
    fn node_metrics(&self, i: usize) -> u16 {
        if self.first_group == 0 {
            0
        } else {
            self.first_group
                .saturating_add(1100)
                .saturating_add(i as u16)
        }
    }

    fn group(&self, i: usize) -> u16 {
        if self.first_group == 0 {
            0
        } else {
            self.first_group + i as u16
        }
    }
}

/// Where the generated files are.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The root directory.
    pub dir: PathBuf,
    /// The cross hub's config.
    pub cross: PathBuf,
    /// Each group's name and hub config.
    pub groups: Vec<(String, PathBuf)>,
    /// Each member's id, group name and node config.
    pub nodes: Vec<(MemberId, String, PathBuf)>,
}

fn id(s: &str) -> MemberId {
    // Only called with the literals below, all valid ids.
    s.parse()
        .unwrap_or_else(|_| unreachable!("invalid built-in id {s}"))
}

impl Spec {
    /// The demo federation: a cross hub, finance and transport groups, three companies.
    pub fn demo() -> Spec {
        Spec {
            cross_id: id("cross-hub"),
            groups: vec![
                GroupSpec {
                    name: "finance".into(),
                    hub_id: id("finance-hub"),
                    display: "金融業界グループ".into(),
                    members: vec![
                        MemberSpec {
                            id: id("sakura-bank"),
                            display: "さくら銀行（架空）".into(),
                        },
                        MemberSpec {
                            id: id("kaede-securities"),
                            display: "かえで証券（架空）".into(),
                        },
                    ],
                },
                GroupSpec {
                    name: "transport".into(),
                    hub_id: id("transport-hub"),
                    display: "運輸業界グループ".into(),
                    members: vec![MemberSpec {
                        id: id("tsubame-railway"),
                        display: "つばめ鉄道（架空）".into(),
                    }],
                },
            ],
        }
    }
}

/// Create the whole topology under `dir` (which must not contain one yet).
pub fn create(dir: &Path, spec: &Spec, ports: Ports) -> Result<Layout> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let now = now_unix();

    // Cross hub.
    let cross_dir = dir.join("cross");
    let cross_ca = CertificateAuthority::create("tazan cross-industry CA")?;
    cross_ca.save(&cross_dir.join("ca"))?;
    cross_ca
        .issue(&spec.cross_id)?
        .save(&cross_dir.join("tls"), "hub")?;
    let cross_admin = KeyPair::generate();
    save_key(&cross_admin, &cross_dir.join("admin.key"))?;
    let cross_key = KeyPair::generate();
    save_key(&cross_key, &cross_dir.join("hub.key"))?;
    let mut cross_roster = Roster::new(id("cross"), cross_admin.public());

    let mut layout = Layout {
        dir: dir.to_owned(),
        cross: cross_dir.join("hub.toml"),
        groups: Vec::new(),
        nodes: Vec::new(),
    };

    for (i, group) in spec.groups.iter().enumerate() {
        let gdir = dir.join(&group.name);
        let ca = CertificateAuthority::create(&format!("tazan {} group CA", group.name))?;
        ca.save(&gdir.join("ca"))?;
        ca.issue(&group.hub_id)?.save(&gdir.join("tls"), "hub")?;
        // The group hub's identity towards the cross hub.
        cross_ca
            .issue(&group.hub_id)?
            .save(&gdir.join("upstream"), "hub")?;
        write(&gdir.join("upstream/ca.pem"), cross_ca.cert_pem())?;
        let admin = KeyPair::generate();
        save_key(&admin, &gdir.join("admin.key"))?;
        let hub_key = KeyPair::generate();
        save_key(&hub_key, &gdir.join("hub.key"))?;
        cross_roster.add(RosterEntry::new(
            group.hub_id.clone(),
            group.name.clone(),
            hub_key.public(),
            now,
            vec![Role::Hub],
        ))?;

        let mut roster = Roster::new(group.hub_id.clone(), admin.public());
        let port = ports.group(i);
        for m in &group.members {
            let ndir = dir.join(m.id.as_str());
            let key = KeyPair::generate();
            save_key(&key, &ndir.join("node.key"))?;
            ca.issue(&m.id)?.save(&ndir.join("tls"), "node")?;
            write(&ndir.join("tls/ca.pem"), ca.cert_pem())?;
            roster.add(RosterEntry::new(
                m.id.clone(),
                m.display.clone(),
                key.public(),
                now,
                vec![Role::Publisher, Role::Subscriber],
            ))?;
            let config = node_toml(
                &m.id,
                &group.hub_id,
                port,
                ports.node_metrics(layout.nodes.len()),
            );
            let path = ndir.join("node.toml");
            write(&path, &config)?;
            layout.nodes.push((m.id.clone(), group.name.clone(), path));
        }
        roster.sign(&admin)?.save(&gdir.join("roster.json"))?;
        let config = hub_toml(
            &group.hub_id,
            "group",
            &group.name,
            port,
            &admin.public(),
            Some((&spec.cross_id, ports.cross, &cross_admin.public())),
        );
        let path = gdir.join("hub.toml");
        write(&path, &config)?;
        layout.groups.push((group.name.clone(), path));
    }
    cross_roster
        .sign(&cross_admin)?
        .save(&cross_dir.join("roster.json"))?;
    write(
        &layout.cross,
        &hub_toml(
            &spec.cross_id,
            "cross",
            "cross",
            ports.cross,
            &cross_admin.public(),
            None,
        ),
    )?;
    Ok(layout)
}

fn save_key(key: &KeyPair, path: &Path) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    Ok(key.save(path)?)
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn hub_toml(
    id: &MemberId,
    tier: &str,
    group: &str,
    port: u16,
    admin: &tazan_trust::PublicKey,
    upstream: Option<(&MemberId, u16, &tazan_trust::PublicKey)>,
) -> String {
    let mut s = format!(
        r#"# tazan {tier} hub `{id}`. Paths are relative to this file.
version = 1

[hub]
id = "{id}"
tier = "{tier}"
group = "{group}"
listen = "127.0.0.1:{port}"
data_dir = "data"
key = "hub.key"
roster = "roster.json"
# roster.json must be signed by this admin key (the group admin's public key).
roster_admin_key = "{admin}"

[tls]
cert = "tls/hub.pem"
key = "tls/hub.key"
client_ca = "ca/ca.pem"

# Prometheus metrics at http://127.0.0.1:{metrics}/metrics
[metrics]
listen = "127.0.0.1:{metrics}"
"#,
        metrics = Ports::metrics(port)
    );
    if let Some((up_id, up_port, admin)) = upstream {
        s.push_str(&format!(
            r#"
# The cross-industry hub this group relays GREEN/CLEAR lessons to.
[upstream]
endpoint = "https://127.0.0.1:{up_port}"
server_name = "{up_id}"
ca = "upstream/ca.pem"
cert = "upstream/hub.pem"
key = "upstream/hub.key"
# The cross hub's roster (with the group hubs' keys) must be signed by this key.
roster_admin_key = "{admin}"
"#
        ));
    }
    s
}

fn node_toml(id: &MemberId, hub: &MemberId, port: u16, metrics: u16) -> String {
    format!(
        r#"# tazan org node `{id}`. Paths are relative to this file.
version = 1

[node]
id = "{id}"
data_dir = "data"
key = "node.key"

[hub]
endpoint = "https://127.0.0.1:{port}"
server_name = "{hub}"
ca = "tls/ca.pem"
cert = "tls/node.pem"
key = "tls/node.key"

# Prometheus metrics at http://127.0.0.1:{metrics}/metrics
[metrics]
listen = "127.0.0.1:{metrics}"
"#
    )
}
