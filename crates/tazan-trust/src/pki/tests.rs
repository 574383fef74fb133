use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};

use super::*;

fn id(s: &str) -> MemberId {
    s.parse().unwrap()
}

fn der(pem: &str) -> CertificateDer<'static> {
    rustls_pemfile::certs(&mut pem.as_bytes())
        .next()
        .unwrap()
        .unwrap()
}

fn key_der(pem: &str) -> PrivateKeyDer<'static> {
    rustls_pemfile::private_key(&mut pem.as_bytes())
        .unwrap()
        .unwrap()
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(ca: &CertificateAuthority) -> Arc<RootCertStore> {
    let mut roots = RootCertStore::empty();
    roots.add(der(ca.cert_pem())).unwrap();
    Arc::new(roots)
}

/// A server trusting client certificates from `client_ca` only, as tonic's
/// `ServerTlsConfig::client_ca_root` sets it up.
fn server_config(client_ca: &CertificateAuthority, cert: &IssuedCert) -> Arc<ServerConfig> {
    let verifier = WebPkiClientVerifier::builder_with_provider(roots(client_ca), provider())
        .build()
        .unwrap();
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![der(&cert.cert_pem)], key_der(&cert.key_pem))
        .unwrap();
    Arc::new(config)
}

fn client_config(server_ca: &CertificateAuthority, cert: &IssuedCert) -> Arc<ClientConfig> {
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots(server_ca))
        .with_client_auth_cert(vec![der(&cert.cert_pem)], key_der(&cert.key_pem))
        .unwrap();
    Arc::new(config)
}

/// Pump TLS records between the two ends in memory until both finish the
/// handshake, or one refuses. Returns the server side for inspection.
fn handshake(
    server: Arc<ServerConfig>,
    client: Arc<ClientConfig>,
    name: &str,
) -> Result<ServerConnection, rustls::Error> {
    let mut server = ServerConnection::new(server)?;
    let name = ServerName::try_from(name.to_owned()).unwrap();
    let mut client = ClientConnection::new(client, name)?;
    for _ in 0..20 {
        let mut buf = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut buf).unwrap();
        }
        let mut rd = buf.as_slice();
        while !rd.is_empty() {
            server.read_tls(&mut rd).unwrap();
        }
        server.process_new_packets()?;

        let mut buf = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut buf).unwrap();
        }
        let mut rd = buf.as_slice();
        while !rd.is_empty() {
            client.read_tls(&mut rd).unwrap();
        }
        client.process_new_packets()?;

        if !server.is_handshaking() && !client.is_handshaking() {
            return Ok(server);
        }
    }
    panic!("handshake did not finish in 20 rounds");
}

#[test]
fn issued_cert_carries_the_member_id() {
    let ca = CertificateAuthority::create("finance hub CA").unwrap();
    let cert = ca.issue(&id("acme-bank")).unwrap();
    assert!(cert.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(cert.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    assert_eq!(
        identity_from_cert(&der(&cert.cert_pem)).unwrap(),
        id("acme-bank")
    );
    // A member id with dots.
    let cert = ca.issue(&id("hub.finance")).unwrap();
    assert_eq!(
        identity_from_cert(&der(&cert.cert_pem)).unwrap(),
        id("hub.finance")
    );
    // The CA certificate has no member identity.
    let err = identity_from_cert(&der(ca.cert_pem())).unwrap_err();
    assert!(matches!(err, TrustError::NoIdentity { .. }), "{err}");
    let err = identity_from_cert(b"not a certificate").unwrap_err();
    assert!(matches!(err, TrustError::Pki { .. }), "{err}");
    let err = ca.issue(&id("localhost")).unwrap_err();
    assert!(matches!(err, TrustError::Pki { .. }), "{err}");
}

#[test]
fn mutual_tls_with_issued_certs() {
    let ca = CertificateAuthority::create("finance hub CA").unwrap();
    let hub = ca.issue(&id("hub-finance")).unwrap();
    let node = ca.issue(&id("acme-bank")).unwrap();

    let server = handshake(
        server_config(&ca, &hub),
        client_config(&ca, &node),
        "localhost",
    )
    .unwrap();
    let peer = server.peer_certificates().unwrap();
    assert_eq!(identity_from_cert(&peer[0]).unwrap(), id("acme-bank"));

    // The member id itself, and the loopback IP, also work as the server name.
    for name in ["hub-finance", "127.0.0.1"] {
        handshake(server_config(&ca, &hub), client_config(&ca, &node), name).unwrap();
    }
}

#[test]
fn certificates_from_another_ca_are_refused() {
    let ca = CertificateAuthority::create("finance hub CA").unwrap();
    let rogue = CertificateAuthority::create("rogue CA").unwrap();
    let hub = ca.issue(&id("hub-finance")).unwrap();
    let node = ca.issue(&id("acme-bank")).unwrap();
    let intruder = rogue.issue(&id("acme-bank")).unwrap();
    let fake_hub = rogue.issue(&id("hub-finance")).unwrap();

    // The hub refuses a client certificate from another CA...
    let err = handshake(
        server_config(&ca, &hub),
        client_config(&ca, &intruder),
        "localhost",
    )
    .map(|_| ())
    .unwrap_err();
    assert!(
        matches!(err, rustls::Error::InvalidCertificate(_)),
        "{err:?}"
    );
    // ...and the node refuses a server certificate from another CA.
    let err = handshake(
        server_config(&ca, &fake_hub),
        client_config(&ca, &node),
        "localhost",
    )
    .map(|_| ())
    .unwrap_err();
    assert!(
        matches!(err, rustls::Error::InvalidCertificate(_)),
        "{err:?}"
    );
    // A name that is not in the certificate is refused too.
    assert!(handshake(
        server_config(&ca, &hub),
        client_config(&ca, &node),
        "acme-bank"
    )
    .is_err());
}

#[test]
fn ca_and_cert_files() {
    let dir = tempfile::tempdir().unwrap();
    let ca_dir = dir.path().join("ca");
    let ca = CertificateAuthority::create("finance hub CA").unwrap();
    ca.save(&ca_dir).unwrap();
    let err = ca.save(&ca_dir).unwrap_err();
    assert!(matches!(err, TrustError::FileExists { .. }), "{err}");

    let loaded = CertificateAuthority::load(&ca_dir).unwrap();
    assert_eq!(loaded.cert_pem(), ca.cert_pem());
    let cert = loaded.issue(&id("acme-bank")).unwrap();
    // Issued by the loaded CA, trusted through the original's certificate.
    handshake(
        server_config(&ca, &ca.issue(&id("hub-finance")).unwrap()),
        client_config(&ca, &cert),
        "localhost",
    )
    .unwrap();

    let certs = dir.path().join("certs");
    cert.save(&certs, "acme-bank").unwrap();
    assert_eq!(
        std::fs::read_to_string(certs.join("acme-bank.pem")).unwrap(),
        cert.cert_pem
    );
    let err = cert.save(&certs, "acme-bank").unwrap_err();
    assert!(matches!(err, TrustError::FileExists { .. }), "{err}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ca_dir.join("ca.key")), 0o600);
        assert_eq!(mode(&certs.join("acme-bank.key")), 0o600);
        std::fs::set_permissions(
            ca_dir.join("ca.key"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
        let err = CertificateAuthority::load(&ca_dir).unwrap_err();
        assert!(
            matches!(err, TrustError::InsecurePermissions { .. }),
            "{err}"
        );
    }

    // A key that does not belong to the certificate is refused.
    let mixed = dir.path().join("mixed");
    std::fs::create_dir(&mixed).unwrap();
    std::fs::write(mixed.join("ca.pem"), ca.cert_pem()).unwrap();
    let other = CertificateAuthority::create("other").unwrap();
    crate::files::create_secret(&mixed.join("ca.key"), other.key_pem.as_bytes()).unwrap();
    let err = CertificateAuthority::load(&mixed).unwrap_err();
    assert!(err.to_string().contains("not the key"), "{err}");
}

#[test]
fn debug_never_shows_keys() {
    let ca = CertificateAuthority::create("finance hub CA").unwrap();
    let cert = ca.issue(&id("acme-bank")).unwrap();
    let debug = format!("{ca:?} {cert:?}");
    assert!(debug.contains("finance hub CA"), "{debug}");
    assert!(!debug.contains("PRIVATE KEY"), "{debug}");
    let key_body = cert.key_pem.lines().nth(1).unwrap();
    assert!(!debug.contains(key_body), "{debug}");
}
