//! The `[portal]` table a hub or node config may hold: where the web portal
//! listens and how it is reached. Absent table: no portal.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::{ConfigError, ConfigFile};

/// `[portal]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPortal {
    #[serde(default)]
    listen: Option<String>,
    #[serde(default)]
    public_url: Option<String>,
    #[serde(default)]
    tls_cert: Option<PathBuf>,
    #[serde(default)]
    tls_key: Option<PathBuf>,
    #[serde(default = "default_session_hours")]
    session_hours: u64,
    #[serde(default = "default_upload")]
    max_upload_bytes: usize,
}

fn default_session_hours() -> u64 {
    12
}

fn default_upload() -> usize {
    4 << 20
}

/// A validated `[portal]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalConfig {
    /// Address to bind (port 0 picks a free one). Plain HTTP only on loopback.
    pub listen: SocketAddr,
    /// The address people use, when it differs from `listen` (a TLS reverse
    /// proxy in front): invitation links and feeds use it; `https://` makes
    /// session cookies `Secure`.
    pub public_url: Option<String>,
    /// Serve HTTPS with this certificate chain and key (PEM).
    pub tls: Option<PortalTls>,
    /// How long a login lasts.
    pub session: Duration,
    /// Largest accepted request body (incident uploads).
    pub max_upload_bytes: usize,
}

/// The portal's own TLS certificate and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalTls {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

impl PortalConfig {
    /// Whether browsers reach the portal over HTTPS (cookies are then `Secure`).
    pub fn https(&self) -> bool {
        self.tls.is_some()
            || self
                .public_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://"))
    }

    /// The base URL for links printed outside a page (invitations, feeds):
    /// `public_url`, else the listen address with `bound` for port 0.
    pub fn base_url(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => {
                let scheme = if self.tls.is_some() { "https" } else { "http" };
                format!("{scheme}://{bound}")
            }
        }
    }
}

fn loopback_url(url: &str) -> bool {
    ["http://127.", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| url.starts_with(p))
}

impl ConfigFile<'_> {
    /// Check a `[portal]` table; `default_listen` applies when `listen` is absent.
    pub fn portal(
        &self,
        raw: RawPortal,
        default_listen: &str,
    ) -> Result<PortalConfig, ConfigError> {
        let listen = self.socket_addr(
            "portal.listen",
            raw.listen.as_deref().unwrap_or(default_listen),
            default_listen,
        )?;
        let tls = match (raw.tls_cert, raw.tls_key) {
            (Some(cert), Some(key)) => Some(PortalTls {
                cert: self.resolve(cert),
                key: self.resolve(key),
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(self.invalid(
                    "portal.tls_key",
                    "`tls_cert` is set but `tls_key` is not; set both to serve HTTPS",
                ))
            }
            (None, Some(_)) => {
                return Err(self.invalid(
                    "portal.tls_cert",
                    "`tls_key` is set but `tls_cert` is not; set both to serve HTTPS",
                ))
            }
        };
        if tls.is_none() && !listen.ip().is_loopback() {
            return Err(self.invalid(
                "portal.listen",
                format!(
                    "{listen} is not a loopback address and the portal would serve plain HTTP there; \
                     set `tls_cert` and `tls_key` to serve HTTPS, or listen on 127.0.0.1 behind a \
                     TLS reverse proxy and set `public_url = \"https://…\"`"
                ),
            ));
        }
        if let Some(url) = &raw.public_url {
            if !(url.starts_with("https://") || loopback_url(url)) {
                return Err(self.invalid(
                    "portal.public_url",
                    format!(
                        "{url:?} must start with https:// (the address of the TLS reverse proxy), \
                         or be a loopback http:// address"
                    ),
                ));
            }
        }
        if !(1..=720).contains(&raw.session_hours) {
            return Err(self.invalid(
                "portal.session_hours",
                format!("{} is out of range; use 1 to 720", raw.session_hours),
            ));
        }
        if !(1024..=(64 << 20)).contains(&raw.max_upload_bytes) {
            return Err(self.invalid(
                "portal.max_upload_bytes",
                format!(
                    "{} is out of range; use 1024 to 67108864 (64 MiB)",
                    raw.max_upload_bytes
                ),
            ));
        }
        Ok(PortalConfig {
            listen,
            public_url: raw.public_url,
            tls,
            session: Duration::from_secs(raw.session_hours * 3600),
            max_upload_bytes: raw.max_upload_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parse(text: &str) -> Result<PortalConfig, ConfigError> {
        let file = ConfigFile::new(Path::new("/etc/tazan/hub.toml"));
        #[derive(Deserialize)]
        struct Wrap {
            portal: RawPortal,
        }
        let w: Wrap = file.parse(text)?;
        file.portal(w.portal, "127.0.0.1:8600")
    }

    #[test]
    fn defaults_loopback_and_https() {
        let c = parse("[portal]\n").unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8600");
        assert!(!c.https());
        assert_eq!(c.session, Duration::from_secs(12 * 3600));
        let c = parse(
            "[portal]\nlisten = \"0.0.0.0:443\"\ntls_cert = \"p.pem\"\ntls_key = \"p.key\"\n",
        )
        .unwrap();
        assert!(c.https());
        assert_eq!(c.tls.unwrap().cert, Path::new("/etc/tazan/p.pem"));
        let c = parse("[portal]\npublic_url = \"https://lessons.example.jp/\"\n").unwrap();
        assert!(c.https());
        assert_eq!(
            c.base_url("127.0.0.1:1".parse().unwrap()),
            "https://lessons.example.jp"
        );
    }

    #[test]
    fn bad_portal_tables_name_the_key() {
        for (text, key, detail) in [
            (
                "[portal]\nlisten = \"0.0.0.0:8600\"\n",
                "portal.listen",
                "loopback",
            ),
            (
                "[portal]\nlisten = \"8600\"\n",
                "portal.listen",
                "127.0.0.1",
            ),
            ("[portal]\ntls_cert = \"c.pem\"\n", "portal.tls_key", "both"),
            (
                "[portal]\npublic_url = \"http://lessons.example.jp\"\n",
                "portal.public_url",
                "https://",
            ),
            (
                "[portal]\nsession_hours = 0\n",
                "portal.session_hours",
                "1 to 720",
            ),
            (
                "[portal]\nmax_upload_bytes = 10\n",
                "portal.max_upload_bytes",
                "1024",
            ),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(
                e.contains(&format!("`{key}`")) && e.contains(detail),
                "{key}: {e}"
            );
        }
        let e = parse("[portal]\nlisen = \"x\"\n").unwrap_err().to_string();
        assert!(e.contains("lisen"), "{e}");
    }
}
