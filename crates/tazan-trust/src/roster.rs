//! The roster: who belongs to a group, with which keys, TLS identity and
//! roles, signed by the group admin key.

use std::fmt;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tazan_model::{KeyId, MemberId, SIGNATURE_LEN};

use crate::{files, KeyPair, PublicKey, TrustError};

/// The signing context of rosters.
const ROSTER_CONTEXT: &[u8] = b"tazan/roster/v1";

/// What a member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Publish lessons and withdrawals.
    Publisher,
    /// Receive lessons.
    Subscriber,
    /// Relay: a group hub in the cross hub's roster.
    Hub,
    /// Administer the group.
    Admin,
}

impl Role {
    /// Lower-case name, as in the roster file.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Publisher => "publisher",
            Role::Subscriber => "subscriber",
            Role::Hub => "hub",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a member is in good standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    /// May act within its roles.
    Active,
    /// May no longer act; kept so old signatures can be attributed.
    Revoked,
}

/// One signing key of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterKey {
    /// The public key.
    pub key: PublicKey,
    /// Unix seconds from which signatures by this key are accepted.
    pub valid_from: u64,
    /// Unix seconds from which they are refused, if the key was revoked.
    pub revoked_at: Option<u64>,
}

impl RosterKey {
    /// A key valid from `valid_from`, not revoked.
    pub fn new(key: PublicKey, valid_from: u64) -> RosterKey {
        RosterKey {
            key,
            valid_from,
            revoked_at: None,
        }
    }
}

/// A member of the group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterEntry {
    /// The member id.
    pub id: MemberId,
    /// A name for operators; never leaves the group.
    pub display_name: String,
    /// Its signing keys, current and past.
    pub keys: Vec<RosterKey>,
    /// The DNS name in its TLS certificate (see `CertificateAuthority::issue`).
    pub tls_identity: MemberId,
    /// What it may do.
    pub roles: Vec<Role>,
    /// Active or revoked.
    pub status: MemberStatus,
    /// Unix seconds of revocation, if revoked.
    pub revoked_at: Option<u64>,
}

impl RosterEntry {
    /// An active member with one key valid from `valid_from`, whose TLS
    /// identity is its member id.
    pub fn new(
        id: MemberId,
        display_name: impl Into<String>,
        key: PublicKey,
        valid_from: u64,
        roles: Vec<Role>,
    ) -> RosterEntry {
        RosterEntry {
            tls_identity: id.clone(),
            id,
            display_name: display_name.into(),
            keys: vec![RosterKey::new(key, valid_from)],
            roles,
            status: MemberStatus::Active,
            revoked_at: None,
        }
    }

    /// Whether it holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The key with this id, current or past.
    pub fn key(&self, id: &KeyId) -> Option<&RosterKey> {
        self.keys.iter().find(|k| &k.key.key_id() == id)
    }
}

/// The members of a group, as issued by its admin.
///
/// Field order is part of the signed format: the signature covers
/// `serde_json::to_vec(&roster)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// The group (or, for the cross hub, the federation) this roster admits to.
    pub group: MemberId,
    /// Increases with every issued roster; holders refuse a lower serial.
    pub serial: u64,
    /// Unix seconds of issue.
    pub issued_at: u64,
    /// The key that signs this roster.
    pub admin_key: PublicKey,
    /// The members.
    pub members: Vec<RosterEntry>,
}

impl Roster {
    /// An empty roster with serial 1, issued now.
    pub fn new(group: MemberId, admin_key: PublicKey) -> Roster {
        Roster {
            group,
            serial: 1,
            issued_at: now_unix(),
            admin_key,
            members: Vec::new(),
        }
    }

    /// Add a member. Refuses a member id, TLS identity or signing key that
    /// another entry already has.
    pub fn add(&mut self, entry: RosterEntry) -> Result<(), TrustError> {
        for existing in &self.members {
            if existing.id == entry.id {
                return Err(TrustError::DuplicateMember { id: entry.id });
            }
            if existing.tls_identity == entry.tls_identity {
                return Err(TrustError::DuplicateTlsIdentity {
                    tls: entry.tls_identity,
                    existing: existing.id.clone(),
                });
            }
            for k in &entry.keys {
                if existing.keys.iter().any(|e| e.key == k.key) {
                    return Err(TrustError::DuplicateKey {
                        key: k.key.key_id(),
                        existing: existing.id.clone(),
                    });
                }
            }
        }
        self.members.push(entry);
        Ok(())
    }

    /// Mark a member revoked from `at` (unix seconds). Its keys stay listed
    /// so earlier signatures can still be attributed.
    pub fn revoke(&mut self, id: &MemberId, at: u64) -> Result<(), TrustError> {
        let entry = self
            .members
            .iter_mut()
            .find(|m| &m.id == id)
            .ok_or_else(|| TrustError::UnknownMember { id: id.clone() })?;
        entry.status = MemberStatus::Revoked;
        entry.revoked_at = Some(at);
        Ok(())
    }

    /// Mark one key of a member revoked from `at`, e.g. after a key rotation
    /// or a leak; the member stays active with its other keys.
    pub fn revoke_key(&mut self, id: &MemberId, key: &KeyId, at: u64) -> Result<(), TrustError> {
        let entry = self
            .members
            .iter_mut()
            .find(|m| &m.id == id)
            .ok_or_else(|| TrustError::UnknownMember { id: id.clone() })?;
        let k = entry
            .keys
            .iter_mut()
            .find(|k| &k.key.key_id() == key)
            .ok_or_else(|| TrustError::SignerMismatch {
                signer: key.clone(),
                member: id.clone(),
            })?;
        k.revoked_at = Some(at);
        Ok(())
    }

    /// The member whose certificate carries this TLS identity.
    pub fn by_tls_identity(&self, tls: &MemberId) -> Option<&RosterEntry> {
        self.members.iter().find(|m| &m.tls_identity == tls)
    }

    /// The member with this id.
    pub fn entry(&self, id: &MemberId) -> Option<&RosterEntry> {
        self.members.iter().find(|m| &m.id == id)
    }

    /// The member owning this key id, and the key.
    pub fn key(&self, key: &KeyId) -> Option<(&RosterEntry, &RosterKey)> {
        self.members.iter().find_map(|m| m.key(key).map(|k| (m, k)))
    }

    /// Whether the member behind TLS identity `tls` may act as `role`
    /// with signing key `signer` at `now` (unix seconds).
    ///
    /// Checked in this order, each failure its own variant: the identity
    /// is in the roster ([`TrustError::UnknownMember`]), the member is active
    /// ([`TrustError::Revoked`]), holds the role ([`TrustError::MissingRole`]),
    /// `signer` is one of its keys ([`TrustError::SignerMismatch`]: the
    /// signer is not the TLS peer), the key is not revoked
    /// ([`TrustError::KeyRevoked`]) and already valid
    /// ([`TrustError::KeyNotYetValid`]).
    ///
    /// This does not check a signature: verify the envelope with the
    /// returned key.
    pub fn authorize(
        &self,
        tls: &MemberId,
        role: Role,
        signer: &KeyId,
        now: u64,
    ) -> Result<(&RosterEntry, &PublicKey), TrustError> {
        let entry = self
            .by_tls_identity(tls)
            .ok_or_else(|| TrustError::UnknownMember { id: tls.clone() })?;
        if entry.status == MemberStatus::Revoked {
            return Err(TrustError::Revoked {
                member: entry.id.clone(),
                at: entry.revoked_at.unwrap_or(0),
            });
        }
        if !entry.has_role(role) {
            return Err(TrustError::MissingRole {
                member: entry.id.clone(),
                role,
            });
        }
        let key = entry
            .key(signer)
            .ok_or_else(|| TrustError::SignerMismatch {
                signer: signer.clone(),
                member: entry.id.clone(),
            })?;
        if let Some(at) = key.revoked_at.filter(|&at| at <= now) {
            return Err(TrustError::KeyRevoked {
                signer: signer.clone(),
                member: entry.id.clone(),
                at,
            });
        }
        if key.valid_from > now {
            return Err(TrustError::KeyNotYetValid {
                signer: signer.clone(),
                member: entry.id.clone(),
                valid_from: key.valid_from,
                now,
            });
        }
        Ok((entry, &key.key))
    }

    /// Sign with the admin key. Does not change `serial` or `issued_at`:
    /// set them first.
    pub fn sign(self, admin: &KeyPair) -> Result<SignedRoster, TrustError> {
        if admin.public() != self.admin_key {
            return Err(TrustError::NotAdmin {
                key: admin.key_id(),
                admin: self.admin_key.key_id(),
                group: self.group.clone(),
            });
        }
        let signature = admin.sign_bytes(ROSTER_CONTEXT, &self.canonical_bytes()?);
        Ok(SignedRoster {
            roster: self,
            signature,
        })
    }

    fn canonical_bytes(&self) -> Result<Vec<u8>, TrustError> {
        serde_json::to_vec(self)
            .map_err(|e| TrustError::pki(format!("encode the roster of {}", self.group), e))
    }
}

/// A roster with its admin's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedRoster {
    /// The roster.
    pub roster: Roster,
    /// ed25519 signature by `roster.admin_key` over the roster's canonical
    /// bytes in context `tazan/roster/v1`; 128 hex characters in JSON.
    #[serde(with = "hex_signature")]
    pub signature: [u8; SIGNATURE_LEN],
}

impl SignedRoster {
    /// Check the signature under the roster's own `admin_key`.
    ///
    /// This proves integrity, not authority: anyone can sign a roster naming
    /// their own key as admin. A holder must also pin the admin key it
    /// trusts ([`SignedRoster::verify_pinned`]) and refuse a serial lower
    /// than the one it holds.
    pub fn verify(&self) -> Result<&Roster, TrustError> {
        let r = &self.roster;
        r.admin_key
            .verify_bytes(ROSTER_CONTEXT, &r.canonical_bytes()?, &self.signature)
            .map_err(|_| TrustError::RosterSignature {
                group: r.group.clone(),
                serial: r.serial,
                admin: r.admin_key.key_id(),
            })?;
        Ok(r)
    }

    /// [`SignedRoster::verify`], and check that the admin key is `admin`.
    pub fn verify_pinned(&self, admin: &PublicKey) -> Result<&Roster, TrustError> {
        if &self.roster.admin_key != admin {
            return Err(TrustError::NotAdmin {
                key: self.roster.admin_key.key_id(),
                admin: admin.key_id(),
                group: self.roster.group.clone(),
            });
        }
        self.verify()
    }

    /// Write as pretty JSON, replacing the file atomically.
    pub fn save(&self, path: &Path) -> Result<(), TrustError> {
        let mut json = serde_json::to_vec_pretty(self)
            .map_err(|e| TrustError::pki(format!("encode roster for {}", path.display()), e))?;
        json.push(b'\n');
        files::replace(path, &json)
    }

    /// Read a file written by [`SignedRoster::save`] and verify its
    /// signature (not its admin key: see [`SignedRoster::verify_pinned`]).
    pub fn load(path: &Path) -> Result<SignedRoster, TrustError> {
        let text = files::read_text(path)?;
        let signed: SignedRoster =
            serde_json::from_str(&text).map_err(|e| TrustError::FileFormat {
                path: path.to_path_buf(),
                expected: "a signed roster (JSON with `roster` and `signature`)",
                reason: e.to_string(),
            })?;
        signed.verify()?;
        Ok(signed)
    }
}

/// Seconds since the Unix epoch (0 if the clock is before 1970).
pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub(crate) mod hex_signature {
    use serde::{Deserialize, Deserializer, Serializer};
    use tazan_model::SIGNATURE_LEN;

    pub(crate) fn serialize<S: Serializer>(
        sig: &[u8; SIGNATURE_LEN],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(sig))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<[u8; SIGNATURE_LEN], D::Error> {
        let text = String::deserialize(d)?;
        let mut out = [0u8; SIGNATURE_LEN];
        hex::decode_to_slice(&text, &mut out).map_err(|e| {
            serde::de::Error::custom(format!("signature must be 128 hex characters: {e}"))
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
