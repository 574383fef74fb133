//! The server side of mutual TLS, done by the edge (not by tonic) so that
//! the handshake has a timeout the edge counts, and a connection is admitted
//! under the caps before a byte of TLS is read.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::EdgeError;

/// A TLS acceptor presenting the certificate chain in `cert` with `key`,
/// requiring a client certificate issued under the CA in `client_ca`, and
/// speaking HTTP/2 only (gRPC).
pub fn mutual_tls(cert: &Path, key: &Path, client_ca: &Path) -> Result<TlsAcceptor, EdgeError> {
    let bad = |path: &Path, reason: String| EdgeError::Tls {
        path: path.to_owned(),
        reason,
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad(cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(bad(cert, "holds no PEM certificate".into()));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, e.to_string()))?;
    let mut roots = RootCertStore::empty();
    let cas =
        CertificateDer::pem_file_iter(client_ca).map_err(|e| bad(client_ca, e.to_string()))?;
    for ca in cas {
        let ca = ca.map_err(|e| bad(client_ca, e.to_string()))?;
        roots
            .add(ca)
            .map_err(|e| bad(client_ca, format!("not a usable CA certificate: {e}")))?;
    }
    if roots.is_empty() {
        return Err(bad(client_ca, "holds no PEM certificate".into()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| bad(client_ca, e.to_string()))?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(cert, e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key_der)
        .map_err(|e| bad(key, format!("does not go with {}: {e}", cert.display())))?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
