//! Mutual-TLS channels to a hub, shared by the node, the hub's relay and the CLI.

use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

/// PEM files for a client connection.
#[derive(Debug, Clone)]
pub struct ClientTls {
    /// Our certificate chain (issued by the hub's CA).
    pub cert: PathBuf,
    /// Our private key.
    pub key: PathBuf,
    /// The hub's CA.
    pub ca: PathBuf,
}

/// A channel that could not be set up.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// A PEM file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS private key was refused: not a file, or readable by others.
    #[error("TLS private key: {0}")]
    Key(#[from] tazan_trust::TrustError),
    /// The endpoint or TLS setup was refused.
    #[error("endpoint {endpoint}: {source}")]
    Endpoint {
        /// The endpoint.
        endpoint: String,
        /// Why.
        source: tonic::transport::Error,
    },
}

/// What actually went wrong in a transport error ("Connection refused (os
/// error 111)"): its deepest cause. tonic's own message says only "transport
/// error" and its chain repeats "tcp connect error", so callers that print the
/// whole chain say the same thing several times.
pub fn transport_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

fn read(path: &Path) -> Result<Vec<u8>, ConnectError> {
    std::fs::read(path).map_err(|source| ConnectError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Reads a TLS private key (PEM) with the rules of every private key
/// ([`tazan_trust::read_private_key`]): a file, readable by its owner only.
pub fn read_private_key(path: &Path) -> Result<Vec<u8>, ConnectError> {
    Ok(tazan_trust::read_private_key(path)?.as_bytes().to_vec())
}

/// An endpoint for `https://host:port` that verifies the server certificate
/// names `server_name` under the CA, and presents our client certificate.
/// Connection happens lazily, on first use, and again after failures.
pub fn endpoint(url: &str, server_name: &str, tls: &ClientTls) -> Result<Endpoint, ConnectError> {
    let bad = |source| ConnectError::Endpoint {
        endpoint: url.to_owned(),
        source,
    };
    let config = ClientTlsConfig::new()
        .domain_name(server_name)
        .ca_certificate(Certificate::from_pem(read(&tls.ca)?))
        .identity(Identity::from_pem(
            read(&tls.cert)?,
            read_private_key(&tls.key)?,
        ));
    Endpoint::from_shared(url.to_owned())
        .map_err(bad)?
        .tls_config(config)
        .map_err(bad)
        .map(|e| {
            e.connect_timeout(Duration::from_secs(5))
                .tcp_nodelay(true)
                .http2_keep_alive_interval(Duration::from_secs(30))
                .keep_alive_while_idle(true)
        })
}

/// A lazily connecting channel (see [`endpoint`]).
pub fn channel(url: &str, server_name: &str, tls: &ClientTls) -> Result<Channel, ConnectError> {
    Ok(endpoint(url, server_name, tls)?.connect_lazy())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Today a TLS key readable by everyone was accepted silently, while a
    /// signing key with the same mode was refused.
    #[cfg(unix)]
    #[test]
    fn a_tls_key_must_be_private_and_a_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("node.key");
        std::fs::write(&key, "-----BEGIN PRIVATE KEY-----\n").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = read_private_key(&key).unwrap_err().to_string();
        assert!(
            e.contains("mode 0644") && e.contains(&format!("chmod 600 {}", key.display())),
            "{e}"
        );
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(read_private_key(&key).is_ok());
        let e = read_private_key(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("is not a file but a directory") && !e.contains("chmod"),
            "{e}"
        );
    }
}
