//! The web portal of tazan hubs and nodes: server-rendered, Japanese first,
//! every action a link or a form (no JavaScript), every asset embedded.
//!
//! ```text
//!  browser ─► [ security headers ─► guard: session → account → roster member; CSRF on every POST ]
//!                 │
//!                 ├─ hub portal:  lessons (entitlement: tazan_hub::access), search (tazan-search),
//!                 │               trends (SVG, CSV), digests, Atom / JSON feeds, roster, health
//!                 └─ node portal: incidents (tazan-vault import), outbox, library, notes, checklist
//!  tazan user … ─► admin socket (DATA_DIR/portal.sock) ─► Accounts (service's sled store)
//! ```
//!
//! What it promises:
//! - handlers call library functions and never re-implement a rule: who may
//!   read a lesson is `tazan_hub::access::may_read`, an import is
//!   `tazan_vault::Vault::import`, search and trends are `tazan-search`;
//! - every page escapes what lessons contain (askama's HTML escaping; no
//!   value from a lesson or a form is ever marked safe);
//! - every response carries a CSP without script, `frame-ancestors 'none'`,
//!   `nosniff` and a same-origin referrer policy; session cookies are
//!   HttpOnly, SameSite=Strict and Secure over HTTPS; every form carries a
//!   CSRF token checked before its handler runs; logins are rate-limited;
//! - a revoked account, or an account of a member revoked in the roster,
//!   loses access on its next request;
//! - plain HTTP is served only on loopback (the config refuses otherwise).
//!
//! What it does not: no review or publishing yet (phase 2 builds those pages
//! on the review library), no JavaScript, no assets from elsewhere. Logging:
//! logins and refusals with the login name and address, never a password,
//! token, lesson text or incident text.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod admin;
pub mod demo;
mod error;
pub mod newsletter;
mod serve;
mod service;
mod session;
pub mod shelf;
mod tls;
mod web;

pub use error::PortalError;
pub use serve::RunningPortal;
pub use service::{newsletter_command, user_command, HubService, NodeService, SendRequest};
