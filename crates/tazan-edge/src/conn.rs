//! One admitted connection: its slot under the caps, its calls in flight,
//! and the idle timer that closes it when no call has run for a while.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::task::AtomicWaker;
use rustls::pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use crate::stats::{ListenerStats, Refusal};
use crate::ConnLimits;

/// The caps on open connections of one listener.
#[derive(Debug)]
pub(crate) struct Admission {
    limits: ConnLimits,
    stats: Arc<ListenerStats>,
    per_ip: Mutex<HashMap<IpAddr, usize>>,
    total: AtomicUsize,
}

impl Admission {
    pub(crate) fn new(limits: ConnLimits, stats: Arc<ListenerStats>) -> Arc<Admission> {
        Arc::new(Admission {
            limits,
            stats,
            per_ip: Mutex::default(),
            total: AtomicUsize::new(0),
        })
    }

    /// A slot for a connection from `ip`, or why not (counted).
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Permit, Refusal> {
        let mut per_ip = self.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        let refused = if self.total.load(Ordering::Relaxed) >= self.limits.max_connections {
            Some(Refusal::TotalLimit)
        } else if per_ip.get(&ip).copied().unwrap_or(0) >= self.limits.max_connections_per_ip {
            Some(Refusal::PerIpLimit)
        } else {
            None
        };
        if let Some(why) = refused {
            self.stats.refuse(why);
            return Err(why);
        }
        *per_ip.entry(ip).or_default() += 1;
        self.total.fetch_add(1, Ordering::Relaxed);
        self.stats.open.fetch_add(1, Ordering::Relaxed);
        Ok(Permit {
            admission: self.clone(),
            ip,
        })
    }
}

/// A connection's slot; given back when dropped.
#[derive(Debug)]
pub(crate) struct Permit {
    admission: Arc<Admission>,
    ip: IpAddr,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let a = &self.admission;
        let mut per_ip = a.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                per_ip.remove(&self.ip);
            }
        }
        a.total.fetch_sub(1, Ordering::Relaxed);
        a.stats.open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Calls in flight on one connection, and since when it has had none.
#[derive(Debug)]
pub struct ConnState {
    active: AtomicUsize,
    idle_since: Mutex<Instant>,
    /// The connection's reader, woken when its last call ends so the idle
    /// timer is armed.
    waker: AtomicWaker,
    _permit: Permit,
}

impl ConnState {
    pub(crate) fn new(permit: Permit) -> Arc<ConnState> {
        Arc::new(ConnState {
            active: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
            waker: AtomicWaker::new(),
            _permit: permit,
        })
    }

    /// A call starts; it ends when the guard is dropped (with the response
    /// body, for a streaming call).
    pub fn begin(self: &Arc<Self>) -> ActiveCall {
        self.active.fetch_add(1, Ordering::SeqCst);
        ActiveCall(self.clone())
    }

    fn idle_deadline(&self, timeout: Duration) -> Option<Instant> {
        if self.active.load(Ordering::SeqCst) > 0 {
            return None;
        }
        Some(*self.idle_since.lock().unwrap_or_else(|p| p.into_inner()) + timeout)
    }
}

/// A call in flight (see [`ConnState::begin`]).
#[derive(Debug)]
pub struct ActiveCall(Arc<ConnState>);

impl Drop for ActiveCall {
    fn drop(&mut self) {
        let conn = &self.0;
        // Set before the count drops, so a reader that sees no call in
        // flight also sees when the last one ended.
        *conn.idle_since.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        if conn.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            conn.waker.wake();
        }
    }
}

/// What a service learns about the connection a request came on: the
/// peer's address, its TLS certificates (mutual TLS listeners), and the
/// connection's state. In every request's extensions.
#[derive(Debug, Clone)]
pub struct EdgeInfo {
    /// The peer's address.
    pub remote: SocketAddr,
    /// The client certificate chain, on a TLS listener.
    pub certs: Option<Arc<Vec<CertificateDer<'static>>>>,
    /// Calls in flight on the connection.
    pub conn: Arc<ConnState>,
}

/// An admitted connection (TLS already established on a TLS listener):
/// reads fail once it has been idle past the limit, which closes it.
pub struct EdgeIo<S> {
    inner: S,
    info: EdgeInfo,
    idle_timeout: Duration,
    timer: Pin<Box<Sleep>>,
    armed_for: Option<Instant>,
    stats: Arc<ListenerStats>,
}

impl<S> EdgeIo<S> {
    pub(crate) fn new(
        inner: S,
        info: EdgeInfo,
        idle_timeout: Duration,
        stats: Arc<ListenerStats>,
    ) -> EdgeIo<S> {
        EdgeIo {
            inner,
            info,
            idle_timeout,
            timer: Box::pin(tokio::time::sleep(idle_timeout)),
            armed_for: None,
            stats,
        }
    }

    /// The connection's details.
    pub fn info(&self) -> &EdgeInfo {
        &self.info
    }

    /// `Some` error once the connection has been idle too long; otherwise
    /// arms the timer (and the waker) so the reader is woken when it is.
    fn idle_error(&mut self, cx: &mut Context<'_>) -> Option<io::Error> {
        let conn = &self.info.conn;
        conn.waker.register(cx.waker());
        let deadline = conn.idle_deadline(self.idle_timeout)?;
        if self.armed_for != Some(deadline) {
            self.timer.as_mut().reset(deadline);
            self.armed_for = Some(deadline);
        }
        if Instant::now() >= deadline || self.timer.as_mut().poll(cx).is_ready() {
            self.stats.refuse(Refusal::Idle);
            return Some(io::Error::new(
                io::ErrorKind::TimedOut,
                "no call in flight for limits.idle_timeout_secs",
            ));
        }
        None
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for EdgeIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(e) = this.idle_error(cx) {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for EdgeIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

impl<S> tonic::transport::server::Connected for EdgeIo<S> {
    type ConnectInfo = EdgeInfo;

    fn connect_info(&self) -> EdgeInfo {
        self.info.clone()
    }
}
