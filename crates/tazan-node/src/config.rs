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
    hub: RawHub,
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
        file.https("hub.endpoint", &raw.hub.endpoint)?;
        let levels = raw
            .subscribe
            .levels
            .iter()
            .map(|l| {
                l.parse()
                    .map_err(|e| invalid("subscribe.levels", format!("{e}")))
            })
            .collect::<Result<_, _>>()?;
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
        let group_admin_key = file.inline_or_file(
            raw.hub.admin_key.as_deref(),
            raw.hub.admin_key_file.as_deref(),
            "hub.admin_key",
            "hub.admin_key_file",
        )?;
        Ok(NodeConfig {
            group_admin_key,
            group_policy: base.join("group-policy.json"),
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
            key: base.join(raw.node.key),
            hub_endpoint: raw.hub.endpoint,
            hub_name: raw
                .hub
                .server_name
                .parse()
                .map_err(|e| invalid("hub.server_name", format!("{e}")))?,
            tls: ClientTls {
                cert: base.join(raw.hub.cert),
                key: base.join(raw.hub.key),
                ca: base.join(raw.hub.ca),
            },
            levels,
            industries: raw.subscribe.industries,
        })
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
