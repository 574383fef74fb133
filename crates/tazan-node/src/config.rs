use std::path::{Path, PathBuf};

use serde::Deserialize;
use tazan_model::{DisclosureLevel, MemberId};
use tazan_proto::ClientTls;

/// A node configuration file that could not be used.
pub use tazan_config::ConfigError as NodeConfigError;
use tazan_config::ConfigFile;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    version: u32,
    node: RawNode,
    #[serde(default)]
    hub: Option<RawHub>,
    /// Further group hubs (`[[groups]]`), after `[hub]`'s group.
    #[serde(default)]
    groups: Vec<RawGroup>,
    #[serde(default)]
    subscribe: RawSubscribe,
    #[serde(default)]
    metrics: Option<RawMetrics>,
    #[serde(default)]
    search: RawSearch,
    #[serde(default)]
    portal: Option<tazan_config::RawPortal>,
    #[serde(default)]
    witness: Option<RawWitness>,
    #[serde(default)]
    limits: tazan_edge::RawConnLimits,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWitness {
    name: String,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    key_file: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default = "default_commit_ms")]
    commit_interval_ms: u64,
    #[serde(default)]
    index_dir: Option<PathBuf>,
}

impl Default for RawSearch {
    fn default() -> Self {
        RawSearch {
            enabled: true,
            commit_interval_ms: default_commit_ms(),
            index_dir: None,
        }
    }
}

fn yes() -> bool {
    true
}

fn default_commit_ms() -> u64 {
    500
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetrics {
    listen: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    id: String,
    data_dir: PathBuf,
    /// No longer used (the command line reaches a running node through its
    /// admin socket, DATA/admin.sock); accepted so older configs still load.
    #[serde(default, rename = "spool_dir")]
    _spool_dir: Option<PathBuf>,
    key: PathBuf,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHub {
    endpoint: String,
    server_name: String,
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    #[serde(default)]
    admin_key: Option<String>,
    #[serde(default)]
    admin_key_file: Option<PathBuf>,
    /// The group's name for `--group` (default: the hub's `server_name`).
    #[serde(default)]
    group: Option<String>,
}

/// One `[[groups]]` table: a group hub the node is a member of, with its own
/// TLS identity, admin key, signing key and levels.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    name: String,
    endpoint: String,
    server_name: String,
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    #[serde(default)]
    admin_key: Option<String>,
    #[serde(default)]
    admin_key_file: Option<PathBuf>,
    /// The key this node signs with in this group (default: `[node] key`).
    #[serde(default)]
    signing_key: Option<PathBuf>,
    /// Levels to store from this group (default: `[subscribe] levels`).
    #[serde(default)]
    levels: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubscribe {
    #[serde(default)]
    levels: Vec<String>,
    #[serde(default)]
    industries: Vec<String>,
}

/// A validated node configuration.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// This node's member id (its TLS identity).
    pub id: MemberId,
    /// The company's name as its roster lists it (`[node] display_name`):
    /// one of the node's own names the leak gate refuses.
    pub display_name: Option<String>,
    /// Other names of the company (`[node] aliases`), refused like it.
    pub aliases: Vec<String>,
    /// sled directory (owned by the running node).
    pub data_dir: PathBuf,
    /// Signing key.
    pub key: PathBuf,
    /// The group hub's `https://host:port`.
    pub hub_endpoint: String,
    /// The hub's id, as in its certificate.
    pub hub_name: MemberId,
    /// Client certificate, key and the group CA.
    pub tls: ClientTls,
    /// The group admin's public key (`[hub] admin_key` or `admin_key_file`):
    /// the group's signed policy must verify under it. Without it the node
    /// takes no group policy.
    pub group_admin_key: Option<tazan_trust::PublicKey>,
    /// Where the node keeps the group's signed policy it holds
    /// (`group-policy.json` beside this file).
    pub group_policy: PathBuf,
    /// Only store lessons at these levels (empty: all).
    pub levels: Vec<DisclosureLevel>,
    /// Only store lessons from these industries (empty: all).
    pub industries: Vec<String>,
    /// Where to serve Prometheus metrics (`GET /metrics`), if anywhere.
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// The library's full-text index (`[search] index_dir`, default `index`
    /// beside this file, which is where `tazan search --home` looks).
    pub index_dir: PathBuf,
    /// Whether the running node keeps `index_dir` current (`[search] enabled`).
    pub search: bool,
    /// How often the running node commits new lessons to the index at most.
    pub search_commit_interval: std::time::Duration,
    /// The node's raw incident vault: `vault` beside this file, where the
    /// `tazan incident` and `tazan lesson` commands find it with `--home`.
    pub vault_dir: PathBuf,
    /// The web portal (`[portal]`, 127.0.0.1:8700 unless `listen` says otherwise), if on.
    pub portal: Option<tazan_config::PortalConfig>,
    /// The witness (the cross hub) whose cosignature the hub's checkpoint
    /// must carry on every resume (`[witness] name`, `key` or `key_file`).
    pub witness: Option<tazan_tlog::WitnessKey>,
    /// Limits on the connections of the node's HTTP listeners (`[limits]`).
    pub conn_limits: tazan_edge::ConnLimits,
    /// The group this configuration speaks for: the hub, TLS identity,
    /// admin key, policy file, signing key and levels above are this group's
    /// (the first group unless [`NodeConfig::for_group`] made it).
    pub group: String,
    /// `None` for the node's first group (`[hub]`, or the first
    /// `[[groups]]`); the group's name for a further one. Names the
    /// group's outbox, cursor and receipts in the node's store.
    pub scope: Option<String>,
    /// Every group the node is a member of, its first group first.
    pub groups: Vec<GroupConfig>,
}

/// One group hub the node is a member of (`[hub]` or a `[[groups]]` table).
#[derive(Debug, Clone)]
pub struct GroupConfig {
    /// The name `--group` and the portal use (`[[groups]] name`; for
    /// `[hub]`, `group` or else the hub's id).
    pub name: String,
    /// The group hub's `https://host:port`.
    pub endpoint: String,
    /// The hub's id, as in its certificate.
    pub hub_name: MemberId,
    /// This node's client certificate and key in the group, and the group CA.
    pub tls: ClientTls,
    /// The group admin's public key (checks the group's signed policy).
    pub admin_key: Option<tazan_trust::PublicKey>,
    /// Where the node keeps the group's signed policy.
    pub policy_file: PathBuf,
    /// The node's signing key in this group.
    pub key: PathBuf,
    /// Only store lessons at these levels from this group (empty: all).
    pub levels: Vec<DisclosureLevel>,
}

/// A group name that is not one of the node's groups.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {given:?} is not a group this node is a member of (its groups: {}); add a [[groups]] table to node.toml to join it", known.join(", "))]
pub struct UnknownGroup {
    /// The field or option that named it (`--group`, `group`).
    pub field: String,
    /// The name given.
    pub given: String,
    /// The node's groups.
    pub known: Vec<String>,
}

impl NodeConfig {
    /// The node's groups' names, its first group first.
    pub fn group_names(&self) -> Vec<String> {
        self.groups.iter().map(|g| g.name.clone()).collect()
    }

    /// This configuration as seen by group `name`: its hub, TLS identity,
    /// admin key, policy file, signing key and levels in the place of the
    /// first group's, so every per-hub function (delivery, policy fetch,
    /// the gate's drafting policy) serves that group unchanged. `field`
    /// names the option in the error for a name that is not one of the
    /// node's groups.
    pub fn for_group(&self, name: &str, field: &str) -> Result<NodeConfig, UnknownGroup> {
        let Some(pos) = self.groups.iter().position(|g| g.name == name) else {
            return Err(UnknownGroup {
                field: field.to_owned(),
                given: name.to_owned(),
                known: self.group_names(),
            });
        };
        let g = &self.groups[pos];
        let mut view = self.clone();
        view.group = g.name.clone();
        view.scope = (pos > 0).then(|| g.name.clone());
        view.hub_endpoint = g.endpoint.clone();
        view.hub_name = g.hub_name.clone();
        view.tls = g.tls.clone();
        view.group_admin_key = g.admin_key;
        view.group_policy = g.policy_file.clone();
        view.key = g.key.clone();
        view.levels = g.levels.clone();
        // One witness is configured, for the first group's hub.
        if pos > 0 {
            view.witness = None;
        }
        Ok(view)
    }

    /// This configuration for each of the node's groups, its first first.
    pub fn group_views(&self) -> Vec<NodeConfig> {
        self.groups
            .iter()
            .filter_map(|g| self.for_group(&g.name, "group").ok())
            .collect()
    }
}

impl NodeConfig {
    /// Read and validate a TOML file; relative paths resolve against its directory.
    pub fn load(path: &Path) -> Result<NodeConfig, NodeConfigError> {
        Self::parse(&ConfigFile::new(path).read()?, path)
    }

    /// Parse and validate TOML text that came from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<NodeConfig, NodeConfigError> {
        let file = ConfigFile::new(path);
        let raw: Raw = file.parse(text)?;
        let invalid = |key, reason: String| file.invalid(key, reason);
        file.version(raw.version)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let levels: Vec<DisclosureLevel> = raw
            .subscribe
            .levels
            .iter()
            .map(|l| {
                l.parse()
                    .map_err(|e| invalid("subscribe.levels", format!("{e}")))
            })
            .collect::<Result<_, _>>()?;
        let node_key = base.join(&raw.node.key);
        let groups = groups(&file, raw.hub, raw.groups, &levels, &node_key)?;
        let first = groups[0].clone();
        let metrics_listen = raw
            .metrics
            .map(|m| file.socket_addr("metrics.listen", &m.listen, "127.0.0.1:9500"))
            .transpose()?;
        let search_commit_interval =
            file.commit_interval("search.commit_interval_ms", raw.search.commit_interval_ms)?;
        let portal = raw
            .portal
            .map(|p| file.portal(p, "127.0.0.1:8700"))
            .transpose()?;
        let witness = match raw.witness {
            None => None,
            Some(w) => {
                let key = file
                    .inline_or_file::<tazan_trust::PublicKey>(
                        w.key.as_deref(),
                        w.key_file.as_deref(),
                        "witness.key",
                        "witness.key_file",
                    )?
                    .ok_or_else(|| {
                        invalid(
                            "witness.key",
                            "set `key` (64 hex characters) or `key_file`: the witness's public key"
                                .into(),
                        )
                    })?;
                let name: MemberId = w
                    .name
                    .parse()
                    .map_err(|e| invalid("witness.name", format!("{e}")))?;
                Some(tazan_tlog::WitnessKey {
                    name: name.to_string(),
                    key,
                })
            }
        };
        let conn_limits = raw.limits.validate(&file)?;
        Ok(NodeConfig {
            group: first.name.clone(),
            scope: None,
            group_admin_key: first.admin_key,
            group_policy: first.policy_file.clone(),
            portal,
            vault_dir: base.join("vault"),
            conn_limits,
            witness,
            metrics_listen,
            index_dir: base.join(
                raw.search
                    .index_dir
                    .unwrap_or_else(|| PathBuf::from("index")),
            ),
            search: raw.search.enabled,
            search_commit_interval,
            id: raw
                .node
                .id
                .parse()
                .map_err(|e| invalid("node.id", format!("{e}")))?,
            display_name: raw.node.display_name.filter(|n| !n.trim().is_empty()),
            aliases: raw.node.aliases,
            data_dir: base.join(&raw.node.data_dir),
            key: first.key.clone(),
            hub_endpoint: first.endpoint.clone(),
            hub_name: first.hub_name.clone(),
            tls: first.tls.clone(),
            levels: first.levels.clone(),
            industries: raw.subscribe.industries,
            groups,
        })
    }
}

/// The node's groups from `[hub]` and `[[groups]]`: at least one, names
/// unique; the first group's policy file is `group-policy.json` (as before
/// groups), a further group's `group-policy-<name>.json`.
fn groups(
    file: &ConfigFile<'_>,
    hub: Option<RawHub>,
    raw: Vec<RawGroup>,
    levels: &[DisclosureLevel],
    node_key: &Path,
) -> Result<Vec<GroupConfig>, NodeConfigError> {
    let mut out: Vec<GroupConfig> = Vec::new();
    if let Some(h) = hub {
        file.https("hub.endpoint", &h.endpoint)?;
        let hub_name: MemberId = h
            .server_name
            .parse()
            .map_err(|e| file.invalid("hub.server_name", format!("{e}")))?;
        let name = match h.group {
            Some(g) => group_name(file, "hub.group", g)?,
            None => hub_name.to_string(),
        };
        out.push(GroupConfig {
            name,
            endpoint: h.endpoint,
            hub_name,
            tls: ClientTls {
                cert: file.resolve(h.cert),
                key: file.resolve(h.key),
                ca: file.resolve(h.ca),
            },
            admin_key: file.inline_or_file(
                h.admin_key.as_deref(),
                h.admin_key_file.as_deref(),
                "hub.admin_key",
                "hub.admin_key_file",
            )?,
            policy_file: file.resolve("group-policy.json"),
            key: node_key.to_owned(),
            levels: levels.to_vec(),
        });
    }
    for (i, g) in raw.into_iter().enumerate() {
        let at = |what: &str| format!("[[groups]] #{} ({}): {what}", i + 1, g.name);
        let name = group_name(file, "groups.name", g.name.clone())?;
        if out.iter().any(|o| o.name == name) {
            return Err(file.invalid(
                "groups.name",
                at("a group of that name is already configured; give each group its own name"),
            ));
        }
        if !g.endpoint.starts_with("https://") {
            return Err(file.invalid(
                "groups.endpoint",
                at(&format!(
                    "{:?} must start with https:// (mutual TLS only)",
                    g.endpoint
                )),
            ));
        }
        let hub_name: MemberId = g
            .server_name
            .parse()
            .map_err(|e: tazan_model::ModelError| {
                file.invalid("groups.server_name", at(&e.to_string()))
            })?;
        let levels = match &g.levels {
            None => levels.to_vec(),
            Some(ls) => ls
                .iter()
                .map(|l| l.parse())
                .collect::<Result<_, _>>()
                .map_err(|e| file.invalid("groups.levels", at(&format!("{e}"))))?,
        };
        let policy_file = if out.is_empty() {
            file.resolve("group-policy.json")
        } else {
            file.resolve(format!("group-policy-{name}.json"))
        };
        out.push(GroupConfig {
            endpoint: g.endpoint,
            hub_name,
            tls: ClientTls {
                cert: file.resolve(g.cert),
                key: file.resolve(g.key),
                ca: file.resolve(g.ca),
            },
            admin_key: file.inline_or_file(
                g.admin_key.as_deref(),
                g.admin_key_file.as_deref(),
                "groups.admin_key",
                "groups.admin_key_file",
            )?,
            policy_file,
            key: g
                .signing_key
                .map_or_else(|| node_key.to_owned(), |k| file.resolve(k)),
            levels,
            name,
        });
    }
    if out.is_empty() {
        return Err(file.invalid(
            "hub",
            "no group hub is configured: add a [hub] table (or one [[groups]] table per group hub)",
        ));
    }
    Ok(out)
}

/// A group name: lower-case ASCII letters, digits and `-`, 1 to 64 characters
/// (it names files and store trees).
fn group_name(
    file: &ConfigFile<'_>,
    key: &'static str,
    name: String,
) -> Result<String, NodeConfigError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(name)
    } else {
        Err(file.invalid(
            key,
            format!("{name:?}: use 1 to 64 lower-case letters, digits and '-' (such as \"kanto\")"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
version = 1
[node]
id = "acme"
data_dir = "data"
key = "node.key"
[hub]
endpoint = "https://127.0.0.1:7401"
server_name = "finance-hub"
ca = "ca.pem"
cert = "node.pem"
key = "node.tls.key"
[subscribe]
levels = ["AMBER", "GREEN"]
"#;

    const KANTO: &str = r#"
[[groups]]
name = "kanto"
endpoint = "https://127.0.0.1:7402"
server_name = "kanto-hub"
ca = "kanto/ca.pem"
cert = "kanto/node.pem"
key = "kanto/node.key"
levels = ["GREEN"]
"#;

    #[test]
    fn a_node_in_two_groups_has_a_view_per_group() {
        let single = NodeConfig::parse(GOOD, Path::new("/n/node.toml")).unwrap();
        assert_eq!(single.group_names(), vec!["finance-hub"]);
        assert_eq!(
            (single.group.as_str(), single.scope.as_deref()),
            ("finance-hub", None)
        );
        let text = format!("{GOOD}{KANTO}").replace("[hub]\n", "[hub]\ngroup = \"finance\"\n");
        let c = NodeConfig::parse(&text, Path::new("/n/node.toml")).unwrap();
        assert_eq!(c.group_names(), vec!["finance", "kanto"]);
        assert_eq!(
            c.hub_name.as_str(),
            "finance-hub",
            "the first group stays the default"
        );
        let k = c.for_group("kanto", "--group").unwrap();
        assert_eq!(
            (
                k.hub_name.as_str(),
                k.hub_endpoint.as_str(),
                k.scope.as_deref()
            ),
            ("kanto-hub", "https://127.0.0.1:7402", Some("kanto"))
        );
        assert_eq!(k.tls.cert, Path::new("/n/kanto/node.pem"));
        assert_eq!(k.group_policy, Path::new("/n/group-policy-kanto.json"));
        assert_eq!(
            k.key,
            Path::new("/n/node.key"),
            "the node key unless signing_key says"
        );
        assert_eq!(k.levels, vec![DisclosureLevel::Green]);
        assert_eq!(c.for_group("finance", "--group").unwrap().scope, None);
        let e = c.for_group("kansai", "--group").unwrap_err().to_string();
        assert!(
            e.starts_with("--group: \"kansai\" is not a group") && e.contains("finance, kanto"),
            "{e}"
        );
        // [[groups]] alone: its first group is the first group.
        let only = GOOD.split("[hub]").next().unwrap().to_owned() + KANTO;
        let o = NodeConfig::parse(&only, Path::new("/n/node.toml")).unwrap();
        assert_eq!(
            (o.group.as_str(), o.hub_name.as_str()),
            ("kanto", "kanto-hub")
        );
        assert_eq!(o.group_policy, Path::new("/n/group-policy.json"));
        for (text, want) in [
            (
                GOOD.split("[hub]").next().unwrap().to_owned(),
                "no group hub",
            ),
            (format!("{GOOD}{KANTO}{KANTO}"), "groups.name"),
            (
                format!("{GOOD}{KANTO}").replace("\"kanto\"", "\"Kanto\""),
                "groups.name",
            ),
            (
                format!("{GOOD}{KANTO}").replace("https://127.0.0.1:7402", "http://x"),
                "groups.endpoint",
            ),
            (
                format!("{GOOD}{KANTO}").replace("[\"GREEN\"]", "[\"BLUE\"]"),
                "groups.levels",
            ),
            (format!("{GOOD}{KANTO}hub = 1\n"), "unknown field `hub`"),
            (
                format!("{GOOD}{KANTO}")
                    .replace("server_name = \"kanto-hub\"", "server_name = \"Kanto Hub\""),
                "groups.server_name",
            ),
        ] {
            let err = NodeConfig::parse(&text, Path::new("node.toml"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{want}: {err}");
        }
    }

    #[test]
    fn parses_and_names_bad_keys() {
        let c = NodeConfig::parse(GOOD, Path::new("/n/node.toml")).unwrap();
        assert_eq!(c.data_dir, Path::new("/n/data"));
        assert_eq!(c.index_dir, Path::new("/n/index"));
        assert!(c.search);
        assert_eq!(
            c.levels,
            vec![DisclosureLevel::Amber, DisclosureLevel::Green]
        );
        assert!(c.witness.is_none());
        let key = tazan_trust::KeyPair::generate().public();
        let with = format!("{GOOD}\n[witness]\nname = \"cross-hub\"\nkey = \"{key}\"\n");
        let w = NodeConfig::parse(&with, Path::new("/n/node.toml"))
            .unwrap()
            .witness
            .unwrap();
        assert_eq!((w.name.as_str(), w.key), ("cross-hub", key));
        for (text, want) in [
            (
                GOOD.replace("[subscribe]", "[subscribe]\nlevel = 1"),
                "level",
            ),
            (GOOD.replace("\"GREEN\"", "\"BLUE\""), "subscribe.levels"),
            (GOOD.replace("https://", "http://"), "hub.endpoint"),
            (GOOD.replace("id = \"acme\"", "id = \"ACME\""), "node.id"),
            (
                format!("{GOOD}\n[search]\ncommit_interval_ms = 0\n"),
                "search.commit_interval_ms",
            ),
            (format!("{GOOD}\n[search]\nenable = true\n"), "enable"),
            (
                format!("{GOOD}\n[witness]\nname = \"cross-hub\"\n"),
                "witness.key",
            ),
            (
                format!("{GOOD}\n[witness]\nname = \"cross-hub\"\nkey = \"00\"\n"),
                "witness.key",
            ),
            (
                format!("{GOOD}\n[witness]\nname = \"Cross Hub\"\nkey_file = \"w.pub\"\n"),
                "witness.key_file",
            ),
            (
                format!("{GOOD}\n[limits]\nidle_timeout_secs = 0\n"),
                "limits.idle_timeout_secs",
            ),
            (format!("{GOOD}\n[limits]\nmax_batch = 5\n"), "max_batch"),
        ] {
            let err = NodeConfig::parse(&text, Path::new("node.toml"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{want}: {err}");
        }
    }
}
