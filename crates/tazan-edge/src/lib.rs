//! The network edge of tazan's services: what stands between a socket and
//! a hub's or node's core, so that a hostile peer or an unlucky disk cannot
//! take the service down.
//!
//! ```text
//!  TCP ─► accept (no spin at the fd limit) ─► caps: total, per IP ─► TLS handshake (timeout,
//!      oldest pending evicted) ─► EdgeIo (idle timeout: no call in flight) ─► tonic / axum
//!  call ─► member (hub) ─► CallLimiter: calls/s, lessons/s, subscriptions ─► RESOURCE_EXHAUSTED naming the limit
//!  store fault ─► Health NOT_SERVING ─► heal_store: backoff, probe, Store::reopen ─► SERVING
//!  every retry loop ─► Backoff (jitter, cap)
//! ```
//!
//! - [`accept_tls`] / [`accept_plain`]: the admitted connections of a
//!   listener as a stream for `serve_with_incoming_shutdown`, each an
//!   [`EdgeIo`] whose [`EdgeInfo`] (peer address, client certificates,
//!   calls in flight) is in every request's extensions. Add
//!   [`InFlightLayer`] to the server so the idle timer knows about calls.
//! - [`serve_http`] serves an axum router (the metrics page,
//!   [`metrics_router`]; a portal) under the same limits.
//! - [`CallLimiter`]: per-member token buckets and the subscription quota.
//! - [`Health`] and [`heal_store`]: NOT_SERVING on a storage fault, and
//!   back by itself once writes succeed.
//! - [`Backoff`]: exponential, with jitter and a cap; [`pause`].
//! - [`fit_open_files`]: the start-up check of the open-file limit.
//! - Every limit hit is counted ([`ListenerStats`], [`CallStats`]) and
//!   rendered on the metrics page.
//!
//! Not here: what a call means (the hub and node cores), who a certificate
//! belongs to (the roster, in the hub), or how the store writes. Nothing
//! here logs payloads or keys; a refused connection is logged at most with
//! its reason.
//!
//! ```
//! use std::time::Duration;
//! use tazan_edge::Backoff;
//!
//! let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
//! let first = backoff.next_delay();
//! assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
//! ```
#![forbid(unsafe_code)]

mod accept;
mod backoff;
mod conn;
mod fd;
mod health;
mod http;
mod inflight;
mod limits;
mod rate;
mod stats;
mod tls;

use std::path::PathBuf;

pub use accept::{accept_plain, accept_tls, Incoming};
pub use backoff::{pause, Backoff};
pub use conn::{ActiveCall, ConnState, EdgeInfo, EdgeIo};
pub use fd::{fit_open_files, OpenFiles, FD_RESERVE};
pub use health::{heal_store, Health, Serving};
pub use http::{metrics_router, serve_http};
pub use inflight::{Guarded, InFlight, InFlightLayer};
pub use limits::{CallLimits, ConnLimits, RawConnLimits, DEFAULT_METRICS_MAX_CONNECTIONS};
pub use rate::{CallLimiter, Limited, SubscriptionPermit};
pub use stats::{CallStats, ListenerStats, Refusal};
pub use tls::mutual_tls;

/// Why the edge could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EdgeError {
    /// A certificate, key or CA file could not be used for TLS.
    #[error("TLS file {path}: {reason}", path = path.display())]
    Tls {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

#[cfg(test)]
mod tests;
