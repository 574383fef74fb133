//! Generate everything a federation needs on disk: TOML configs
//! ([`write_configs`]), and one CA per admitting hub, signing keys,
//! certificates and signed rosters ([`bootstrap`]).
//!
//! ```text
//!  DIR/cross/        hub.toml | hub.key admin.key admin.pub roster.json ca/ tls/ | data/
//!  DIR/<group>/      hub.toml | hub.key admin.key admin.pub roster.json ca/ tls/ upstream/ | data/
//!  DIR/<member>/     node.toml | node.key tls/ | data/
//!                    configs    PKI (bootstrap)                                     run time
//! ```
//!
//! The two halves are separate so that configs can be kept in version
//! control (`deploy/local`) while keys are generated where they run: configs
//! hold no key material. The cross hub's CA issues each group hub's client
//! certificate (`<group>/upstream/`); each group's CA issues its members'
//! certificates.

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

    /// The documented fixed ports of `deploy/local` and `tazan topology create`.
    pub const DEFAULT: Ports = Ports {
        cross: 7400,
        first_group: 7401,
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

    /// Portal port of a hub listening on `port` (0 stays 0).
    fn portal(port: u16) -> u16 {
        if port == 0 {
            0
        } else {
            port.saturating_add(1200)
        }
    }

    /// Portal port of the `i`-th node (first group port + 1299 + i).
    fn node_portal(&self, i: usize) -> u16 {
        if self.first_group == 0 {
            0
        } else {
            self.first_group
                .saturating_add(1299)
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

impl Layout {
    /// Where `spec`'s configs go under `dir` (nothing is read or written).
    pub fn of(dir: &Path, spec: &Spec) -> Layout {
        Layout {
            dir: dir.to_owned(),
            cross: dir.join("cross/hub.toml"),
            groups: spec
                .groups
                .iter()
                .map(|g| (g.name.clone(), dir.join(&g.name).join("hub.toml")))
                .collect(),
            nodes: spec
                .groups
                .iter()
                .flat_map(|g| {
                    g.members.iter().map(|m| {
                        (
                            m.id.clone(),
                            g.name.clone(),
                            dir.join(m.id.as_str()).join("node.toml"),
                        )
                    })
                })
                .collect(),
        }
    }
}

/// The client TLS files `group`'s hub presents to the cross hub, under the
/// topology directory `dir` (written by [`bootstrap`]).
pub fn upstream_tls(dir: &Path, group: &str) -> tazan_proto::ClientTls {
    let up = dir.join(group).join("upstream");
    tazan_proto::ClientTls {
        cert: up.join("hub.pem"),
        key: up.join("hub.key"),
        ca: up.join("ca.pem"),
    }
}

/// Create the whole topology under `dir`: configs ([`write_configs`]) and
/// PKI ([`bootstrap`]). Existing keys are never overwritten.
pub fn create(dir: &Path, spec: &Spec, ports: Ports) -> Result<Layout> {
    let layout = write_configs(dir, spec, ports)?;
    bootstrap(dir, spec)?;
    Ok(layout)
}

/// The hub and node configs of `spec`, as (path relative to the topology
/// directory, TOML text). They hold no key material: hubs find their roster
/// admin's public key in `admin.pub` (and the cross admin's in
/// `upstream/admin.pub`), which [`bootstrap`] writes, so the same text can be
/// kept in version control (`deploy/local`).
pub fn config_texts(spec: &Spec, ports: Ports) -> Vec<(PathBuf, String)> {
    let mut out = vec![(
        PathBuf::from("cross/hub.toml"),
        hub_toml(&spec.cross_id, "cross", "cross", ports.cross, None),
    )];
    let mut node_index = 0;
    for (i, group) in spec.groups.iter().enumerate() {
        let port = ports.group(i);
        out.push((
            Path::new(&group.name).join("hub.toml"),
            hub_toml(
                &group.hub_id,
                "group",
                &group.name,
                port,
                Some((&spec.cross_id, ports.cross)),
            ),
        ));
        for m in &group.members {
            out.push((
                Path::new(m.id.as_str()).join("node.toml"),
                node_toml(
                    m,
                    &group.hub_id,
                    port,
                    ports.node_metrics(node_index),
                    ports.node_portal(node_index),
                ),
            ));
            node_index += 1;
        }
    }
    out
}

/// Write `spec`'s configs under `dir` (replacing configs already there).
pub fn write_configs(dir: &Path, spec: &Spec, ports: Ports) -> Result<Layout> {
    for (rel, text) in config_texts(spec, ports) {
        write(&dir.join(rel), &text)?;
    }
    Ok(Layout::of(dir, spec))
}

/// How far the PKI of a topology directory has been generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PkiState {
    /// Nothing generated yet: [`bootstrap`] may run.
    Missing,
    /// Every key, certificate and roster is there.
    Complete,
    /// Some files are there and these (relative paths) are not: generating
    /// again would replace keys, so this needs a person to look.
    Partial(Vec<PathBuf>),
}

/// The files [`bootstrap`] writes under the topology directory, relative to it.
pub fn generated_files(spec: &Spec) -> Vec<PathBuf> {
    let hub = |d: &str| {
        [
            "hub.key",
            "admin.key",
            "admin.pub",
            "roster.json",
            "ca/ca.pem",
            "ca/ca.key",
            "tls/hub.pem",
            "tls/hub.key",
        ]
        .map(|f| Path::new(d).join(f))
    };
    let mut out: Vec<PathBuf> = hub("cross").into();
    for g in &spec.groups {
        out.extend(hub(&g.name));
        out.extend(
            [
                "upstream/ca.pem",
                "upstream/hub.pem",
                "upstream/hub.key",
                "upstream/admin.pub",
            ]
            .map(|f| Path::new(&g.name).join(f)),
        );
        for m in &g.members {
            out.extend(
                [
                    "node.key",
                    "tls/ca.pem",
                    "tls/node.pem",
                    "tls/node.key",
                    "tls/group-admin.pub",
                ]
                .map(|f| Path::new(m.id.as_str()).join(f)),
            );
        }
    }
    out
}

/// Whether `dir` holds `spec`'s PKI: none, all or part of it.
pub fn pki_state(dir: &Path, spec: &Spec) -> PkiState {
    let files = generated_files(spec);
    let missing: Vec<PathBuf> = files
        .iter()
        .filter(|f| !dir.join(f).exists())
        .cloned()
        .collect();
    if missing.is_empty() {
        PkiState::Complete
    } else if missing.len() == files.len() {
        PkiState::Missing
    } else {
        PkiState::Partial(missing)
    }
}

/// Generate `spec`'s PKI under `dir`: one CA per admitting hub, signing keys
/// (0600), certificates, the admins' public keys (`admin.pub`) and signed
/// rosters. Refuses, before writing anything, when any of those files exists.
pub fn bootstrap(dir: &Path, spec: &Spec) -> Result<()> {
    if let Some(existing) = generated_files(spec)
        .into_iter()
        .find(|f| dir.join(f).exists())
    {
        anyhow::bail!(
            "{} already exists; the PKI of {} was generated before and keys are never overwritten",
            dir.join(existing).display(),
            dir.display()
        );
    }
    let now = now_unix();

    // Cross hub.
    let cross_dir = dir.join("cross");
    let cross_ca = CertificateAuthority::create("tazan cross-industry CA")?;
    cross_ca.save(&cross_dir.join("ca"))?;
    cross_ca
        .issue(&spec.cross_id)?
        .save(&cross_dir.join("tls"), "hub")?;
    let cross_admin = KeyPair::generate();
    save_admin(&cross_admin, &cross_dir)?;
    let cross_key = KeyPair::generate();
    save_key(&cross_key, &cross_dir.join("hub.key"))?;
    let mut cross_roster = Roster::new(id("cross"), cross_admin.public());

    for group in &spec.groups {
        let gdir = dir.join(&group.name);
        let ca = CertificateAuthority::create(&format!("tazan {} group CA", group.name))?;
        ca.save(&gdir.join("ca"))?;
        ca.issue(&group.hub_id)?.save(&gdir.join("tls"), "hub")?;
        // The group hub's identity towards the cross hub.
        cross_ca
            .issue(&group.hub_id)?
            .save(&gdir.join("upstream"), "hub")?;
        write(&gdir.join("upstream/ca.pem"), cross_ca.cert_pem())?;
        write(
            &gdir.join("upstream/admin.pub"),
            &format!("{}\n", cross_admin.public()),
        )?;
        let admin = KeyPair::generate();
        save_admin(&admin, &gdir)?;
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
        for m in &group.members {
            let ndir = dir.join(m.id.as_str());
            let key = KeyPair::generate();
            save_key(&key, &ndir.join("node.key"))?;
            ca.issue(&m.id)?.save(&ndir.join("tls"), "node")?;
            write(&ndir.join("tls/ca.pem"), ca.cert_pem())?;
            // The group admin's public key: the group's signed policy must verify under it.
            write(
                &ndir.join("tls/group-admin.pub"),
                &format!("{}\n", admin.public()),
            )?;
            roster.add(RosterEntry::new(
                m.id.clone(),
                m.display.clone(),
                key.public(),
                now,
                vec![Role::Publisher, Role::Subscriber],
            ))?;
        }
        roster.sign(&admin)?.save(&gdir.join("roster.json"))?;
    }
    cross_roster
        .sign(&cross_admin)?
        .save(&cross_dir.join("roster.json"))?;
    Ok(())
}

/// The roster admin key (`admin.key`, 0600) and its public half (`admin.pub`,
/// which the hub config names in `roster_admin_key_file`).
fn save_admin(admin: &KeyPair, hub_dir: &Path) -> Result<()> {
    save_key(admin, &hub_dir.join("admin.key"))?;
    write(&hub_dir.join("admin.pub"), &format!("{}\n", admin.public()))
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
    upstream: Option<(&MemberId, u16)>,
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
# roster.json must be signed by the admin key whose public half is in this file
# (64 hex characters; or set roster_admin_key = "<hex>" instead).
roster_admin_key_file = "admin.pub"

[tls]
cert = "tls/hub.pem"
key = "tls/hub.key"
client_ca = "ca/ca.pem"

# Prometheus metrics at http://127.0.0.1:{metrics}/metrics
[metrics]
listen = "127.0.0.1:{metrics}"

# The web portal at http://127.0.0.1:{portal}/ (people: `tazan user add`).
# Plain HTTP is served on loopback only; see deploy/README.md for TLS.
[portal]
listen = "127.0.0.1:{portal}"
"#,
        metrics = Ports::metrics(port),
        portal = Ports::portal(port)
    );
    if let Some((up_id, up_port)) = upstream {
        s.push_str(&format!(
            r#"
# The cross-industry hub this group relays GREEN/CLEAR lessons to.
[upstream]
endpoint = "https://127.0.0.1:{up_port}"
server_name = "{up_id}"
ca = "upstream/ca.pem"
cert = "upstream/hub.pem"
key = "upstream/hub.key"
# The cross hub's roster (with the group hubs' keys) must be signed by the
# cross admin key whose public half is in this file.
roster_admin_key_file = "upstream/admin.pub"
"#
        ));
    }
    s
}

fn node_toml(member: &MemberSpec, hub: &MemberId, port: u16, metrics: u16, portal: u16) -> String {
    let (id, display) = (&member.id, &member.display);
    format!(
        r#"# tazan org node `{id}`. Paths are relative to this file.
version = 1

[node]
id = "{id}"
data_dir = "data"
key = "node.key"
# The company's name as the roster lists it: one of the node's own names,
# which the leak gate refuses in anything this node publishes.
display_name = "{display}"

[hub]
endpoint = "https://127.0.0.1:{port}"
server_name = "{hub}"
ca = "tls/ca.pem"
cert = "tls/node.pem"
key = "tls/node.key"
# The group admin's public key: the group's signed NDA policy (fetched with
# the roster) must verify under it before the node drafts under it.
admin_key_file = "tls/group-admin.pub"

# Prometheus metrics at http://127.0.0.1:{metrics}/metrics
[metrics]
listen = "127.0.0.1:{metrics}"

# The node's web portal at http://127.0.0.1:{portal}/ (people: `tazan user add`).
[portal]
listen = "127.0.0.1:{portal}"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `deploy/local` holds exactly the configs this module writes for the
    /// demo spec on the documented ports; regenerate them with
    /// `tazan topology create --dir /tmp/x` and copy the `*.toml` files.
    #[test]
    fn deploy_local_configs_match_the_generator() {
        let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/local");
        for (rel, text) in config_texts(&Spec::demo(), Ports::DEFAULT) {
            let committed = std::fs::read_to_string(local.join(&rel))
                .unwrap_or_else(|e| panic!("deploy/local/{}: {e}", rel.display()));
            assert_eq!(committed, text, "deploy/local/{} drifted", rel.display());
        }
    }

    #[test]
    fn bootstrap_never_overwrites_and_partial_pki_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let spec = Spec::demo();
        write_configs(dir.path(), &spec, Ports::EPHEMERAL).unwrap();
        assert_eq!(pki_state(dir.path(), &spec), PkiState::Missing);
        bootstrap(dir.path(), &spec).unwrap();
        assert_eq!(pki_state(dir.path(), &spec), PkiState::Complete);
        let key = dir.path().join("sakura-bank/node.key");
        let before = std::fs::read(&key).unwrap();
        let err = bootstrap(dir.path(), &spec).unwrap_err().to_string();
        assert!(err.contains("never overwritten"), "{err}");
        assert_eq!(std::fs::read(&key).unwrap(), before);

        std::fs::remove_file(&key).unwrap();
        assert_eq!(
            pki_state(dir.path(), &spec),
            PkiState::Partial(vec![PathBuf::from("sakura-bank/node.key")])
        );
        // The hubs load with the admin keys from admin.pub.
        let hub = tazan_hub::HubConfig::load(&dir.path().join("finance/hub.toml")).unwrap();
        let admin = KeyPair::load(&dir.path().join("finance/admin.key")).unwrap();
        assert_eq!(hub.roster_admin_key, Some(admin.public()));
    }
}
