//! Trust for tazan: ed25519 keys and domain-separated signatures over
//! lessons and withdrawals, signed rosters that say who may publish, and the
//! certificate authority behind mutual TLS between tiers.
//!
//! ```text
//!  org node                          group hub                                cross hub
//!  KeyPair::sign(payload) ─► Envelope ─► TLS peer cert ─► identity_from_cert
//!                                        Roster::authorize(tls, Publisher, signer, now)
//!                                        verify_envelope / verify_envelopes
//!                                        GREEN: KeyPair::sign with the hub key ─► Envelope ─► same checks,
//!                                                                                  against the cross roster
//!  each hub: CertificateAuthority::issue(member id) ─► member.pem + member.key (mutual TLS)
//!  group admin: Roster ─► sign ─► SignedRoster (roster.json) ─► hubs and nodes
//!  key rotation: KeyAnnouncement signed by old + new key ─► Roster::apply_rotation
//!  audit: Roster::verify_historic(envelope, received_at) against the key history
//! ```
//!
//! What this crate promises:
//!
//! - A signature covers `context || 0x00 || bytes`, with one context per
//!   payload kind ([`tazan_model::PayloadKind::signing_context`]) and
//!   `tazan/roster/v1` for rosters and `tazan/key-rotation/v1` for key
//!   announcements, so a signature made for one purpose never
//!   verifies for another.
//! - [`verify_envelopes`] gives the same answer per item as
//!   [`verify_envelope`]'s signature check: one bad signature never rejects
//!   its neighbours.
//! - Secret key material is never logged, `Debug`-printed or put in an error
//!   message: [`KeyPair`], [`CertificateAuthority`] and [`IssuedCert`] show
//!   only key ids or certificate subjects. Secret files are created `0600`,
//!   never overwritten, and refused on load when group or others can read
//!   them.
//!
//! What it does not do: TLS sockets or tonic configuration (the hub and node
//! feed the PEM files written here to tonic), storage of envelopes, roster
//! distribution, or certificate revocation lists (revoking a member in the
//! roster is what cuts it off: the hub maps every TLS peer to a roster entry).
//!
//! ```
//! use tazan_model::{DisclosureLevel, Lesson, MemberId, Payload};
//! use tazan_trust::{now_unix, verify_envelope, KeyPair, Role, Roster, RosterEntry};
//!
//! let admin = KeyPair::generate();
//! let member = KeyPair::generate();
//! let id: MemberId = "acme-bank".parse()?;
//! let mut roster = Roster::new("finance".parse()?, admin.public());
//! roster.add(RosterEntry::new(id.clone(), "Acme Bank", member.public(), 0, vec![Role::Publisher]))?;
//! let signed = roster.sign(&admin)?;
//!
//! let payload = Payload::Lesson(Lesson::example("切替え訓練を行うべし", DisclosureLevel::Amber));
//! let envelope = member.sign(&payload);
//! // At the hub: TLS identity -> roster entry -> key -> signature.
//! let roster = signed.verify_pinned(&admin.public())?;
//! let (_, key) = roster.authorize(&id, Role::Publisher, &envelope.signer, now_unix())?;
//! assert_eq!(verify_envelope(key, &envelope)?, payload);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod clock;
mod error;
mod files;
mod keys;
mod pki;
mod policy;
mod roster;
mod rotation;

pub use clock::Clock;
pub use error::TrustError;
pub use files::read_private_key;
pub use keys::{verify_envelope, verify_envelopes, KeyPair, PublicKey};
pub use pki::{identity_from_cert, CertificateAuthority, IssuedCert};
pub use policy::{PolicyDocument, SignedPolicy};
pub use roster::{now_unix, MemberStatus, Role, Roster, RosterEntry, RosterKey, SignedRoster};
pub use rotation::{KeyAnnouncement, SignedAnnouncement};
