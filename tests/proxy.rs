//! A TLS-terminating recording proxy between an org node and its group hub,
//! so a test can read the plaintext a node sends over mutual TLS.
//!
//! The test owns the PKI: the group CA issues the proxy a certificate in the
//! hub's name (so the node's verification passes), and the proxy connects
//! on to the real hub with the node's own client certificate (so the hub
//! sees the node). Every byte the node sends is decrypted, recorded and
//! re-encrypted towards the hub; the hub's answers go back untouched.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::util::Fixture;

pub(crate) struct RecordingProxy {
    addr: SocketAddr,
    sent: Arc<Mutex<Vec<u8>>>,
    accept: JoinHandle<()>,
}

fn certs(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    rustls_pemfile::certs(&mut &pem[..])
        .collect::<Result<_, _>>()
        .unwrap()
}

fn key(pem: &[u8]) -> PrivateKeyDer<'static> {
    rustls_pemfile::private_key(&mut &pem[..]).unwrap().unwrap()
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl RecordingProxy {
    /// A proxy for `node` (a member of `group`, whose hub is `hub_id`) in
    /// front of the hub listening on `hub`.
    pub(crate) async fn start(
        fx: &Fixture,
        node: &str,
        group: &str,
        hub_id: &str,
        hub: SocketAddr,
    ) -> RecordingProxy {
        let ca = tazan_trust::CertificateAuthority::load(&fx.path(&format!("{group}/ca"))).unwrap();
        let issued = ca.issue(&hub_id.parse().unwrap()).unwrap();
        let mut server = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                certs(issued.cert_pem.as_bytes()),
                key(issued.key_pem.as_bytes()),
            )
            .unwrap();
        server.alpn_protocols = vec![b"h2".to_vec()];

        let tls = fx.path(&format!("{node}/tls"));
        let read = |name: &str| std::fs::read(Path::new(&tls).join(name)).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        for c in certs(&read("ca.pem")) {
            roots.add(c).unwrap();
        }
        let mut client = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_client_auth_cert(certs(&read("node.pem")), key(&read("node.key")))
            .unwrap();
        client.alpn_protocols = vec![b"h2".to_vec()];

        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
        let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
        let hub_name = ServerName::try_from(hub_id.to_owned()).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let record = sent.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (acceptor, connector) = (acceptor.clone(), connector.clone());
                let (hub_name, record) = (hub_name.clone(), record.clone());
                tokio::spawn(async move {
                    let Ok(from_node) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(tcp) = TcpStream::connect(hub).await else {
                        return;
                    };
                    let Ok(to_hub) = connector.connect(hub_name, tcp).await else {
                        return;
                    };
                    let (mut node_rd, mut node_wr) = tokio::io::split(from_node);
                    let (mut hub_rd, mut hub_wr) = tokio::io::split(to_hub);
                    let upstream = async {
                        let mut buf = vec![0u8; 16 * 1024];
                        loop {
                            let n = match node_rd.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            record.lock().unwrap().extend_from_slice(&buf[..n]);
                            if hub_wr.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                        let _ = hub_wr.shutdown().await;
                    };
                    let downstream = async {
                        let _ = tokio::io::copy(&mut hub_rd, &mut node_wr).await;
                        let _ = node_wr.shutdown().await;
                    };
                    tokio::join!(upstream, downstream);
                });
            }
        });
        RecordingProxy { addr, sent, accept }
    }

    /// Where the node connects.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every plaintext byte the node sent so far.
    pub(crate) fn sent(&self) -> Vec<u8> {
        self.sent.lock().unwrap().clone()
    }

    /// Whether the node sent `needle` (as bytes) so far.
    pub(crate) fn saw(&self, needle: &[u8]) -> bool {
        self.sent
            .lock()
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle)
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}
