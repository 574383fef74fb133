//! The accept loop of a listener: caps, handshake timeout, and no spinning
//! when the process runs out of file descriptors.
//!
//! ```text
//!  accept ─► EMFILE? pause, count fd_limit ─► caps (total, per IP) ─► TLS handshake (timeout;
//!        the oldest pending one is evicted when too many wait) ─► EdgeIo ─► server
//! ```

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinSet};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tracing::{debug, warn};

use crate::conn::{Admission, ConnState, EdgeInfo, EdgeIo, Permit};
use crate::stats::{ListenerStats, Refusal};
use crate::ConnLimits;

/// How long the loop pauses when `accept` fails for want of descriptors:
/// the pending connection stays in the backlog, and retrying at once would
/// spin a core without freeing anything.
const FD_PAUSE: Duration = Duration::from_millis(100);
/// Connections handed over but not yet taken by the server.
const HANDOVER: usize = 64;

/// The admitted connections of a listener, as a stream for
/// `tonic::transport::Server::serve_with_incoming_shutdown` (or the HTTP
/// server). The stream never yields an error: refusals are counted in the
/// listener's [`ListenerStats`] instead.
pub type Incoming<S> = ReceiverStream<Result<EdgeIo<S>, io::Error>>;

/// Accept on `listener` under `limits`, completing mutual TLS with `tls`,
/// until `stop` turns true. Returns the stream of connections and the
/// accept task (join it on shutdown).
pub fn accept_tls(
    listener: TcpListener,
    limits: ConnLimits,
    tls: TlsAcceptor,
    stats: Arc<ListenerStats>,
    stop: watch::Receiver<bool>,
) -> (Incoming<TlsStream<TcpStream>>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(HANDOVER);
    let task = tokio::spawn(accept_loop(listener, limits, Some(tls), stats, stop, tx));
    (ReceiverStream::new(rx), task)
}

/// [`accept_tls`] for a plain-TCP listener (metrics, a local portal).
pub fn accept_plain(
    listener: TcpListener,
    limits: ConnLimits,
    stats: Arc<ListenerStats>,
    stop: watch::Receiver<bool>,
) -> (Incoming<TcpStream>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(HANDOVER);
    let task = tokio::spawn(accept_loop(listener, limits, None, stats, stop, tx));
    (ReceiverStream::new(rx), task)
}

/// What a finished handshake hands over.
type Handshaken<S> = Result<EdgeIo<S>, Refusal>;

/// The stream type a listener hands over: TLS or plain.
trait Handshake: Sized + Send + 'static {
    fn start(
        tls: Option<&TlsAcceptor>,
        sock: TcpStream,
        timeout: Duration,
    ) -> impl std::future::Future<Output = Result<(Self, Option<Certs>), Refusal>> + Send;
}

type Certs = Arc<Vec<rustls::pki_types::CertificateDer<'static>>>;

impl Handshake for TlsStream<TcpStream> {
    async fn start(
        tls: Option<&TlsAcceptor>,
        sock: TcpStream,
        timeout: Duration,
    ) -> Result<(Self, Option<Certs>), Refusal> {
        let Some(tls) = tls else {
            return Err(Refusal::HandshakeFailed);
        };
        match tokio::time::timeout(timeout, tls.accept(sock)).await {
            Err(_) => Err(Refusal::HandshakeTimeout),
            Ok(Err(e)) => {
                debug!(error = %e, "TLS handshake failed");
                Err(Refusal::HandshakeFailed)
            }
            Ok(Ok(stream)) => {
                let certs = stream
                    .get_ref()
                    .1
                    .peer_certificates()
                    .map(|c| Arc::new(c.to_vec()));
                Ok((stream, certs))
            }
        }
    }
}

impl Handshake for TcpStream {
    async fn start(
        _tls: Option<&TlsAcceptor>,
        sock: TcpStream,
        _timeout: Duration,
    ) -> Result<(Self, Option<Certs>), Refusal> {
        Ok((sock, None))
    }
}

fn fd_exhausted(e: &io::Error) -> bool {
    // EMFILE (process limit) and ENFILE (system limit); ENOBUFS/ENOMEM too:
    // all mean "no room for another socket now", and none clears by retrying at once.
    matches!(e.raw_os_error(), Some(24 | 23 | 105 | 12))
}

async fn accept_loop<S: Handshake + tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    listener: TcpListener,
    limits: ConnLimits,
    tls: Option<TlsAcceptor>,
    stats: Arc<ListenerStats>,
    mut stop: watch::Receiver<bool>,
    tx: mpsc::Sender<Result<EdgeIo<S>, io::Error>>,
) {
    let admission = Admission::new(limits, stats.clone());
    // Handshakes waiting, oldest first: an idle flood of half-open sockets
    // pushes out its own oldest members rather than real clients, which
    // finish their handshake in milliseconds.
    let max_pending = (limits.max_connections / 4).clamp(16, 1024);
    let mut pending: VecDeque<(tokio::task::Id, AbortHandle)> = VecDeque::new();
    let mut handshakes: JoinSet<Handshaken<S>> = JoinSet::new();
    let mut last_fd_warning: Option<std::time::Instant> = None;
    loop {
        if *stop.borrow() {
            break;
        }
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((sock, peer)) => {
                    let permit = match admission.admit(peer.ip()) {
                        Ok(p) => p,
                        Err(_) => continue, // counted; dropping the socket closes it
                    };
                    let _ = sock.set_nodelay(true);
                    if pending.len() >= max_pending {
                        if let Some((_, oldest)) = pending.pop_front() {
                            oldest.abort();
                            stats.refuse(Refusal::HandshakeEvicted);
                        }
                    }
                    let (tls, stats2) = (tls.clone(), stats.clone());
                    let handle = handshakes.spawn(async move {
                        let (stream, certs) = S::start(tls.as_ref(), sock, limits.handshake_timeout).await?;
                        Ok(admitted(stream, certs, peer, permit, limits, stats2))
                    });
                    pending.push_back((handle.id(), handle));
                }
                Err(e) if fd_exhausted(&e) => {
                    stats.refuse(Refusal::FdLimit);
                    if last_fd_warning.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                        warn!(error = %e, "out of file descriptors: new connections wait; raise LimitNOFILE or lower limits.max_connections");
                        last_fd_warning = Some(std::time::Instant::now());
                    }
                    if crate::pause(&mut stop, FD_PAUSE).await {
                        break;
                    }
                }
                Err(e) => debug!(error = %e, "accept failed"),
            },
            Some(done) = handshakes.join_next_with_id(), if !handshakes.is_empty() => {
                let id = match &done {
                    Ok((id, _)) => *id,
                    Err(e) => e.id(),
                };
                pending.retain(|(p, _)| *p != id);
                match done {
                    Ok((_, Ok(io))) => {
                        stats.accepted();
                        if tx.send(Ok(io)).await.is_err() {
                            break; // the server stopped taking connections
                        }
                    }
                    Ok((_, Err(why))) => stats.refuse(why),
                    Err(_) => {} // evicted (counted then), or the runtime is stopping
                }
            }
            _ = stop.changed() => break,
            _ = tx.closed() => break,
        }
    }
    handshakes.shutdown().await;
}

fn admitted<S>(
    stream: S,
    certs: Option<Certs>,
    remote: std::net::SocketAddr,
    permit: Permit,
    limits: ConnLimits,
    stats: Arc<ListenerStats>,
) -> EdgeIo<S> {
    let info = EdgeInfo {
        remote,
        certs,
        conn: ConnState::new(permit),
    };
    EdgeIo::new(stream, info, limits.idle_timeout, stats)
}
