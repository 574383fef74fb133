//! Counters of every limit the edge enforces, rendered on the service's
//! metrics page.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use tazan_metrics::Exposition;

/// Why a connection was refused or closed by the edge (a metric label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Refusal {
    /// `limits.max_connections` reached.
    TotalLimit,
    /// `limits.max_connections_per_ip` reached for the peer's address.
    PerIpLimit,
    /// The TLS handshake did not complete within `limits.handshake_timeout_ms`.
    HandshakeTimeout,
    /// The TLS handshake failed (not TLS, no or a bad client certificate).
    HandshakeFailed,
    /// A pending handshake was dropped to make room for a new one: the
    /// oldest goes first, so idle half-open sockets cannot crowd out members.
    HandshakeEvicted,
    /// `accept` failed for want of file descriptors (the process's
    /// open-file limit); the listener pauses briefly instead of spinning.
    FdLimit,
    /// No call in flight for `limits.idle_timeout_secs`.
    Idle,
}

impl Refusal {
    /// Every reason, for zero-valued series.
    pub const ALL: [Refusal; 7] = [
        Refusal::TotalLimit,
        Refusal::PerIpLimit,
        Refusal::HandshakeTimeout,
        Refusal::HandshakeFailed,
        Refusal::HandshakeEvicted,
        Refusal::FdLimit,
        Refusal::Idle,
    ];

    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::TotalLimit => "total_limit",
            Refusal::PerIpLimit => "per_ip_limit",
            Refusal::HandshakeTimeout => "handshake_timeout",
            Refusal::HandshakeFailed => "handshake_failed",
            Refusal::HandshakeEvicted => "handshake_evicted",
            Refusal::FdLimit => "fd_limit",
            Refusal::Idle => "idle",
        }
    }
}

/// Counters of one listener.
#[derive(Debug)]
pub struct ListenerStats {
    name: &'static str,
    refused: [AtomicU64; Refusal::ALL.len()],
    pub(crate) open: AtomicU64,
    accepted: AtomicU64,
}

impl ListenerStats {
    /// Counters for the listener called `name` (`grpc`, `metrics`, `portal`).
    pub fn new(name: &'static str) -> ListenerStats {
        ListenerStats {
            name,
            refused: Default::default(),
            open: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
        }
    }

    pub(crate) fn refuse(&self, why: Refusal) {
        self.refused[why as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn accepted(&self) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// Connections refused or closed for `why` since start.
    pub fn refused(&self, why: Refusal) -> u64 {
        self.refused[why as usize].load(Ordering::Relaxed)
    }

    /// Connections open now (handshakes in progress included).
    pub fn open(&self) -> u64 {
        self.open.load(Ordering::Relaxed)
    }

    /// Append this listener's series to `e` (labels plus `listener`).
    pub fn render(&self, e: &mut Exposition, labels: &[(&str, &str)]) {
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut l = labels.to_vec();
            l.push(("listener", self.name));
            l.extend_from_slice(extra);
            l
        };
        for why in Refusal::ALL {
            e.counter(
                "tazan_edge_connections_refused_total",
                "Connections refused or closed by the edge's limits, by reason.",
                &with(&[("reason", why.as_str())]),
                self.refused(why),
            );
        }
        e.counter(
            "tazan_edge_connections_accepted_total",
            "Connections admitted (and, for TLS listeners, through the handshake).",
            &with(&[]),
            self.accepted.load(Ordering::Relaxed),
        );
        e.gauge(
            "tazan_edge_connections_open",
            "Connections open now, handshakes in progress included.",
            &with(&[]),
            self.open() as f64,
        );
    }
}

/// Counters of the per-member call limits.
#[derive(Debug, Default)]
pub struct CallStats {
    limited: Mutex<BTreeMap<&'static str, u64>>,
    cut: AtomicU64,
}

impl CallStats {
    pub(crate) fn limited(&self, limit: &'static str) {
        *self
            .limited
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(limit)
            .or_default() += 1;
    }

    pub(crate) fn cut(&self) {
        self.cut.fetch_add(1, Ordering::Relaxed);
    }

    /// Calls refused by `limit` (a `limits.*` key) since start.
    pub fn limited_by(&self, limit: &str) -> u64 {
        self.limited
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(limit)
            .copied()
            .unwrap_or(0)
    }

    /// Subscribers cut for not reading since start.
    pub fn cut_subscribers(&self) -> u64 {
        self.cut.load(Ordering::Relaxed)
    }

    /// Append the series to `e`.
    pub fn render(&self, e: &mut Exposition, labels: &[(&str, &str)]) {
        let limited = self
            .limited
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for limit in crate::rate::LIMITS {
            let mut l = labels.to_vec();
            l.push(("limit", limit));
            e.counter(
                "tazan_edge_calls_limited_total",
                "Calls refused with RESOURCE_EXHAUSTED by a per-member limit, by the limit's key.",
                &l,
                limited.get(limit).copied().unwrap_or(0),
            );
        }
        e.counter(
            "tazan_edge_subscribers_cut_total",
            "Subscriptions ended because the subscriber did not read (its buffer stayed full).",
            labels,
            self.cut_subscribers(),
        );
    }
}
