use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use tazan_edge::{CallLimits, ConnLimits, RawConnLimits};
use tazan_model::MemberId;

/// Which tier a hub serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// An industry group hub: members are org nodes; relays GREEN/CLEAR upward.
    Group,
    /// The cross-industry hub: members are group hubs; accepts GREEN/CLEAR only.
    Cross,
}

impl Tier {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Group => "group",
            Tier::Cross => "cross",
        }
    }
}

/// A configuration file that could not be used.
pub use tazan_config::ConfigError;
use tazan_config::ConfigFile;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    version: u32,
    hub: RawHub,
    tls: RawTls,
    #[serde(default)]
    upstream: Option<RawUpstream>,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    metrics: Option<RawMetrics>,
    #[serde(default)]
    search: RawSearch,
    #[serde(default)]
    portal: Option<tazan_config::RawPortal>,
    #[serde(default)]
    mail: Option<tazan_config::RawMail>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawSearch {
    enabled: bool,
    commit_interval_ms: u64,
}

impl Default for RawSearch {
    fn default() -> Self {
        RawSearch {
            enabled: true,
            commit_interval_ms: 1000,
        }
    }
}
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetrics {
    listen: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHub {
    id: String,
    tier: Tier,
    group: String,
    listen: String,
    data_dir: PathBuf,
    key: PathBuf,
    roster: PathBuf,
    #[serde(default)]
    roster_admin_key: Option<String>,
    #[serde(default)]
    roster_admin_key_file: Option<PathBuf>,
    #[serde(default)]
    policy: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    cert: PathBuf,
    key: PathBuf,
    client_ca: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUpstream {
    #[serde(default)]
    roster_admin_key: Option<String>,
    #[serde(default)]
    roster_admin_key_file: Option<PathBuf>,
    endpoint: String,
    server_name: String,
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawLimits {
    max_message_bytes: usize,
    max_batch: usize,
    max_connections: usize,
    max_connections_per_ip: usize,
    metrics_max_connections: usize,
    handshake_timeout_ms: u64,
    idle_timeout_secs: u64,
    keepalive_interval_secs: u64,
    keepalive_timeout_secs: u64,
    calls_per_second: f64,
    call_burst: u32,
    lessons_per_second: f64,
    lesson_burst: u32,
    subscriptions_per_member: usize,
    subscriber_buffer: usize,
    slow_subscriber_timeout_ms: u64,
}

impl Default for RawLimits {
    fn default() -> Self {
        let conn = RawConnLimits::default();
        let call = CallLimits::default();
        RawLimits {
            max_message_bytes: 4 << 20,
            max_batch: 1000,
            max_connections: conn.max_connections,
            max_connections_per_ip: conn.max_connections_per_ip,
            metrics_max_connections: tazan_edge::DEFAULT_METRICS_MAX_CONNECTIONS,
            handshake_timeout_ms: conn.handshake_timeout_ms,
            idle_timeout_secs: conn.idle_timeout_secs,
            keepalive_interval_secs: conn.keepalive_interval_secs,
            keepalive_timeout_secs: conn.keepalive_timeout_secs,
            calls_per_second: call.calls_per_second,
            call_burst: call.call_burst,
            lessons_per_second: call.lessons_per_second,
            lesson_burst: call.lesson_burst,
            subscriptions_per_member: call.subscriptions_per_member,
            subscriber_buffer: call.subscriber_buffer,
            slow_subscriber_timeout_ms: u64::try_from(call.slow_subscriber_timeout.as_millis())
                .unwrap_or(u64::MAX),
        }
    }
}

impl RawLimits {
    fn conn(&self) -> RawConnLimits {
        RawConnLimits {
            max_connections: self.max_connections,
            max_connections_per_ip: self.max_connections_per_ip,
            handshake_timeout_ms: self.handshake_timeout_ms,
            idle_timeout_secs: self.idle_timeout_secs,
            keepalive_interval_secs: self.keepalive_interval_secs,
            keepalive_timeout_secs: self.keepalive_timeout_secs,
        }
    }

    fn call(&self) -> CallLimits {
        CallLimits {
            calls_per_second: self.calls_per_second,
            call_burst: self.call_burst,
            lessons_per_second: self.lessons_per_second,
            lesson_burst: self.lesson_burst,
            subscriptions_per_member: self.subscriptions_per_member,
            subscriber_buffer: self.subscriber_buffer,
            slow_subscriber_timeout: Duration::from_millis(self.slow_subscriber_timeout_ms),
        }
    }
}

/// TLS files, resolved against the config file's directory.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
    /// PEM CA certificate used to verify the peer.
    pub ca: PathBuf,
}

/// The cross hub a group hub relays to.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// `https://host:port`.
    pub endpoint: String,
    /// The id in the upstream hub's certificate.
    pub server_name: MemberId,
    /// Client certificate issued by the upstream CA, and that CA.
    pub tls: TlsFiles,
    /// The cross hub's roster admin key: its roster (which holds the group
    /// hubs' keys) must be signed by it. Without it the roster is only checked
    /// for integrity, and a warning says so.
    pub roster_admin_key: Option<tazan_trust::PublicKey>,
}

/// A validated hub configuration; paths are absolute or relative to the
/// working directory.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// This hub's id (its TLS identity).
    pub id: MemberId,
    /// Group or cross tier.
    pub tier: Tier,
    /// The group this hub serves ("finance"), or the cross hub's name.
    pub group: String,
    /// Address to bind; port 0 picks a free port.
    pub listen: SocketAddr,
    /// sled directory.
    pub data_dir: PathBuf,
    /// Hub signing key (re-signs relayed lessons).
    pub key: PathBuf,
    /// Signed roster of members.
    pub roster: PathBuf,
    /// The group's signed NDA policy as the admin publishes it
    /// (`[hub] policy`, default `policy.json` beside this file; it need not
    /// exist). The hub keeps the document in force in its store.
    pub policy: PathBuf,
    /// The group admin's public key: the roster file must be signed by it.
    /// Without it the roster on disk is trusted as found at start (a warning says so).
    pub roster_admin_key: Option<tazan_trust::PublicKey>,
    /// Server certificate and the CA of member client certificates.
    pub tls: TlsFiles,
    /// Cross hub to relay to (group tier only).
    pub upstream: Option<Upstream>,
    /// Largest accepted gRPC message.
    pub max_message_bytes: usize,
    /// Most envelopes in one publish call.
    pub max_batch: usize,
    /// Limits on the gRPC listener's connections (`[limits]`).
    pub conn_limits: ConnLimits,
    /// The metrics listener's connection cap (`limits.metrics_max_connections`);
    /// its other connection limits are `conn_limits`'.
    pub metrics_max_connections: usize,
    /// Per-member limits on calls, lessons and subscriptions (`[limits]`).
    pub call_limits: CallLimits,
    /// Where to serve Prometheus metrics (`GET /metrics`), if anywhere.
    pub metrics_listen: Option<SocketAddr>,
    /// Keep a full-text index of the log (in `data_dir/index`) for `Search`.
    pub search: bool,
    /// How often the index commits what it has read from the log.
    pub search_commit_interval: std::time::Duration,
    /// The web portal (`[portal]`), if on.
    pub portal: Option<tazan_config::PortalConfig>,
    /// How the newsletter leaves by e-mail (`[mail]`), if at all.
    pub mail: Option<tazan_config::MailConfig>,
    /// The wall clock its time rules read (key validity against
    /// `received_at`, the stamps, cosignature times): the system's; a test
    /// sets a [settable](tazan_trust::Clock::settable) one to move time
    /// instead of sleeping.
    pub clock: tazan_trust::Clock,
}

impl HubConfig {
    /// Where the hub keeps the full-text index of its log (when `search` is on).
    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// Where the hub keeps the related lessons of its indexed lessons
    /// (derived data, like the index: not in a backup).
    pub fn related_dir(&self) -> PathBuf {
        self.data_dir.join("related")
    }

    /// Read and validate a TOML file; relative paths in it are resolved
    /// against the file's directory. Binds nothing, opens nothing.
    pub fn load(path: &Path) -> Result<HubConfig, ConfigError> {
        Self::parse(&ConfigFile::new(path).read()?, path)
    }

    /// Parse and validate TOML text that came from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<HubConfig, ConfigError> {
        let file = ConfigFile::new(path);
        let raw: RawConfig = file.parse(text)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let invalid = |key, reason: String| file.invalid(key, reason);
        file.version(raw.version)?;
        let id = raw
            .hub
            .id
            .parse()
            .map_err(|e| invalid("hub.id", format!("{e}")))?;
        let listen = file.socket_addr("hub.listen", &raw.hub.listen, "127.0.0.1:7401")?;
        if raw.hub.group.trim().is_empty() {
            return Err(invalid("hub.group", "must not be empty".into()));
        }
        let upstream = match (raw.hub.tier, raw.upstream) {
            (Tier::Cross, Some(_)) => {
                return Err(invalid(
                    "upstream",
                    "a cross hub has no upstream; remove the [upstream] table".into(),
                ))
            }
            (_, None) => None,
            (Tier::Group, Some(u)) => {
                file.https("upstream.endpoint", &u.endpoint)?;
                let roster_admin_key = file.inline_or_file(
                    u.roster_admin_key.as_deref(),
                    u.roster_admin_key_file.as_deref(),
                    "upstream.roster_admin_key",
                    "upstream.roster_admin_key_file",
                )?;
                Some(Upstream {
                    roster_admin_key,
                    endpoint: u.endpoint,
                    server_name: u
                        .server_name
                        .parse()
                        .map_err(|e| invalid("upstream.server_name", format!("{e}")))?,
                    tls: TlsFiles {
                        cert: base.join(u.cert),
                        key: base.join(u.key),
                        ca: base.join(u.ca),
                    },
                })
            }
        };
        if raw.limits.max_batch == 0 || raw.limits.max_message_bytes < 1024 {
            return Err(invalid(
                "limits",
                "max_batch must be >= 1 and max_message_bytes >= 1024".into(),
            ));
        }
        let conn_limits = raw.limits.conn().validate(&file)?;
        let call_limits = raw.limits.call().validate(&file, raw.limits.max_batch)?;
        if raw.limits.metrics_max_connections == 0 {
            return Err(invalid(
                "limits.metrics_max_connections",
                "must be at least 1".into(),
            ));
        }
        let metrics_listen = raw
            .metrics
            .map(|m| file.socket_addr("metrics.listen", &m.listen, "127.0.0.1:9400"))
            .transpose()?;
        let search_commit_interval =
            file.commit_interval("search.commit_interval_ms", raw.search.commit_interval_ms)?;
        let roster_admin_key = file.inline_or_file(
            raw.hub.roster_admin_key.as_deref(),
            raw.hub.roster_admin_key_file.as_deref(),
            "hub.roster_admin_key",
            "hub.roster_admin_key_file",
        )?;
        let portal = raw
            .portal
            .map(|p| file.portal(p, "127.0.0.1:8600"))
            .transpose()?;
        let mail = raw.mail.map(|m| file.mail(m)).transpose()?;
        Ok(HubConfig {
            clock: tazan_trust::Clock::system(),
            portal,
            mail,
            roster_admin_key,
            search: raw.search.enabled,
            search_commit_interval,
            metrics_listen,
            id,
            tier: raw.hub.tier,
            group: raw.hub.group,
            listen,
            data_dir: base.join(raw.hub.data_dir),
            key: base.join(raw.hub.key),
            roster: base.join(raw.hub.roster),
            policy: base.join(
                raw.hub
                    .policy
                    .unwrap_or_else(|| PathBuf::from("policy.json")),
            ),
            tls: TlsFiles {
                cert: base.join(raw.tls.cert),
                key: base.join(raw.tls.key),
                ca: base.join(raw.tls.client_ca),
            },
            upstream,
            max_message_bytes: raw.limits.max_message_bytes,
            max_batch: raw.limits.max_batch,
            conn_limits,
            metrics_max_connections: raw.limits.metrics_max_connections,
            call_limits,
        })
    }
}

/// A roster admin public key given inline (64 hex characters) or in a file
/// holding them (`admin.pub`, written by `tazan topology`), so that configs
/// kept in version control need not embed a generated key. On error: the
/// config key at fault and why.
#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
version = 1
[hub]
id = "finance-hub"
tier = "group"
group = "finance"
listen = "127.0.0.1:0"
data_dir = "data"
key = "hub.key"
roster = "roster.json"
[tls]
cert = "tls/hub.pem"
key = "tls/hub.key"
client_ca = "ca/ca.pem"
[upstream]
endpoint = "https://127.0.0.1:7400"
server_name = "cross-hub"
ca = "up/ca.pem"
cert = "up/hub.pem"
key = "up/hub.key"
"#;

    #[test]
    fn good_config_resolves_paths() {
        let c = HubConfig::parse(GOOD, Path::new("/etc/tazan/hub.toml")).unwrap();
        assert_eq!(c.data_dir, Path::new("/etc/tazan/data"));
        assert_eq!(c.tier, Tier::Group);
        assert!(c.upstream.is_some());
        assert_eq!(c.conn_limits, ConnLimits::default());
        assert_eq!(c.call_limits, CallLimits::default());
    }

    #[test]
    fn limits_are_read_from_the_limits_table() {
        let text = format!(
            "{GOOD}\n[limits]\nmax_connections = 100\nmax_connections_per_ip = 10\nhandshake_timeout_ms = 2500\nidle_timeout_secs = 60\ncalls_per_second = 5.5\nlesson_burst = 2000\nsubscriber_buffer = 16\nslow_subscriber_timeout_ms = 750\n"
        );
        let c = HubConfig::parse(&text, Path::new("hub.toml")).unwrap();
        assert_eq!(c.conn_limits.max_connections, 100);
        assert_eq!(c.conn_limits.max_connections_per_ip, 10);
        assert_eq!(c.conn_limits.handshake_timeout, Duration::from_millis(2500));
        assert_eq!(c.conn_limits.idle_timeout, Duration::from_secs(60));
        assert_eq!(c.call_limits.calls_per_second, 5.5);
        assert_eq!(c.call_limits.lesson_burst, 2000);
        assert_eq!(c.call_limits.subscriber_buffer, 16);
        assert_eq!(
            c.call_limits.slow_subscriber_timeout,
            Duration::from_millis(750)
        );
    }

    #[test]
    fn bad_configs_name_the_key() {
        let cases = [
            (
                GOOD.replace("tier = \"group\"", "tier = \"group\"\ntyop = 1"),
                "typo",
            ),
            (GOOD.replace("version = 1", "version = 2"), "version"),
            (GOOD.replace("127.0.0.1:0", "localhost"), "hub.listen"),
            (GOOD.replace("finance-hub", "Finance Hub"), "hub.id"),
            (
                GOOD.replace("https://127", "http://127"),
                "upstream.endpoint",
            ),
            (
                GOOD.replace("tier = \"group\"", "tier = \"cross\""),
                "upstream",
            ),
            (
                GOOD.replace("tier = \"group\"", "tier = \"galaxy\""),
                "tier",
            ),
            (
                format!("{GOOD}\n[limits]\nmax_connections_per_ip = 0\n"),
                "limits.max_connections_per_ip",
            ),
            (
                format!("{GOOD}\n[limits]\nmax_batch = 500\nlesson_burst = 100\n"),
                "limits.lesson_burst",
            ),
            (
                format!("{GOOD}\n[limits]\nhandshake_timeout_ms = 0\n"),
                "limits.handshake_timeout_ms",
            ),
            (
                format!("{GOOD}\n[limits]\nmax_conections = 10\n"),
                "max_conections",
            ),
        ];
        for (text, key) in cases {
            let err = HubConfig::parse(&text, Path::new("hub.toml"))
                .unwrap_err()
                .to_string();
            let want = if key == "typo" { "tyop" } else { key };
            assert!(err.contains(want), "{key}: {err}");
            assert!(err.contains("hub.toml"), "{err}");
        }
    }

    #[test]
    fn admin_key_from_file_or_inline_and_errors_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.toml");
        let admin = tazan_trust::KeyPair::generate().public();
        std::fs::write(dir.path().join("admin.pub"), format!("{admin}\n")).unwrap();
        let with = |extra: &str| {
            GOOD.replace(
                "roster = \"roster.json\"",
                &format!("roster = \"roster.json\"\n{extra}"),
            )
        };

        let c = HubConfig::parse(&with("roster_admin_key_file = \"admin.pub\""), &path).unwrap();
        assert_eq!(c.roster_admin_key, Some(admin));
        let c = HubConfig::parse(&with(&format!("roster_admin_key = \"{admin}\"")), &path).unwrap();
        assert_eq!(c.roster_admin_key, Some(admin));
        let up = GOOD.replace(
            "key = \"up/hub.key\"",
            "key = \"up/hub.key\"\nroster_admin_key_file = \"admin.pub\"",
        );
        let c = HubConfig::parse(&up, &path).unwrap();
        assert_eq!(c.upstream.unwrap().roster_admin_key, Some(admin));

        std::fs::write(dir.path().join("bad.pub"), "not hex").unwrap();
        let cases = [
            (
                with("roster_admin_key_file = \"missing.pub\""),
                "hub.roster_admin_key_file",
                "missing.pub",
            ),
            (
                with("roster_admin_key_file = \"bad.pub\""),
                "hub.roster_admin_key_file",
                "bad.pub",
            ),
            (
                with(&format!(
                    "roster_admin_key = \"{admin}\"\nroster_admin_key_file = \"admin.pub\""
                )),
                "hub.roster_admin_key_file",
                "not both",
            ),
            (
                GOOD.replace(
                    "key = \"up/hub.key\"",
                    "key = \"up/hub.key\"\nroster_admin_key_file = \"nope.pub\"",
                ),
                "upstream.roster_admin_key_file",
                "nope.pub",
            ),
        ];
        for (text, key, detail) in cases {
            let err = HubConfig::parse(&text, &path).unwrap_err().to_string();
            assert!(
                err.contains(&format!("`{key}`")) && err.contains(detail),
                "{key}: {err}"
            );
        }
    }
}
