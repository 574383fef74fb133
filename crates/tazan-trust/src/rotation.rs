//! Key rotation: a member (or a group hub) announces its new signing key
//! with a statement signed by its current key, and the group admin applies
//! it to the roster; plus the historic check that keeps old signatures
//! verifying after a rotation or revocation.
//!
//! The announcement is signed twice over the same bytes, in its own signing
//! context (`tazan/key-rotation/v1`), so it can never pass for a lesson or a
//! roster: by the old key (the member vouches for the new key) and by the
//! new key (the member holds it, so nobody can announce a key they cannot
//! sign with).

use std::path::Path;

use serde::{Deserialize, Serialize};
use tazan_model::{Envelope, MemberId, Payload, SIGNATURE_LEN};

use crate::roster::hex_signature;
use crate::{
    files, verify_envelope, KeyPair, MemberStatus, PublicKey, Roster, RosterEntry, RosterKey,
    TrustError,
};

/// The signing context of key announcements.
const ROTATION_CONTEXT: &[u8] = b"tazan/key-rotation/v1";

/// "Member `member` signs with `new_key` from `effective_at` on, instead of `old_key`."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyAnnouncement {
    /// The member (or group hub) whose key changes.
    pub member: MemberId,
    /// The key it signed with until now; signs this announcement.
    pub old_key: PublicKey,
    /// The key it signs with from `effective_at`.
    pub new_key: PublicKey,
    /// Unix seconds from which the new key signs.
    pub effective_at: u64,
}

/// A [`KeyAnnouncement`] signed by the old key and by the new key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedAnnouncement {
    /// The statement.
    pub announcement: KeyAnnouncement,
    /// By `old_key`, in context `tazan/key-rotation/v1` (128 hex characters).
    #[serde(with = "hex_signature")]
    pub signature: [u8; SIGNATURE_LEN],
    /// By `new_key` over the same bytes: proof that the member holds it.
    #[serde(with = "hex_signature")]
    pub proof: [u8; SIGNATURE_LEN],
}

impl KeyAnnouncement {
    /// Sign with the old key and the new key, which must be the announced ones.
    pub fn sign(self, old: &KeyPair, new: &KeyPair) -> Result<SignedAnnouncement, TrustError> {
        if old.public() != self.old_key || new.public() != self.new_key {
            return Err(TrustError::pki(
                format!("sign the key announcement of {}", self.member),
                "the keys given are not the announced old and new keys",
            ));
        }
        let bytes = self.canonical_bytes()?;
        Ok(SignedAnnouncement {
            signature: old.sign_bytes(ROTATION_CONTEXT, &bytes),
            proof: new.sign_bytes(ROTATION_CONTEXT, &bytes),
            announcement: self,
        })
    }

    fn canonical_bytes(&self) -> Result<Vec<u8>, TrustError> {
        serde_json::to_vec(self).map_err(|e| {
            TrustError::pki(format!("encode the key announcement of {}", self.member), e)
        })
    }
}

impl SignedAnnouncement {
    /// Check both signatures. This proves the holder of `old_key` vouches
    /// for `new_key`; whether `old_key` is a current key of the member is
    /// for the roster to say ([`Roster::apply_rotation`]).
    pub fn verify(&self) -> Result<&KeyAnnouncement, TrustError> {
        let a = &self.announcement;
        let bytes = a.canonical_bytes()?;
        a.old_key
            .verify_bytes(ROTATION_CONTEXT, &bytes, &self.signature)?;
        a.new_key
            .verify_bytes(ROTATION_CONTEXT, &bytes, &self.proof)?;
        Ok(a)
    }

    /// Write as pretty JSON; refuses to overwrite an existing file.
    pub fn save(&self, path: &Path) -> Result<(), TrustError> {
        let mut json = serde_json::to_vec_pretty(self).map_err(|e| {
            TrustError::pki(format!("encode announcement for {}", path.display()), e)
        })?;
        json.push(b'\n');
        files::create_public(path, &json)
    }

    /// Read a file written by [`SignedAnnouncement::save`] and check its
    /// signatures.
    pub fn load(path: &Path) -> Result<SignedAnnouncement, TrustError> {
        let text = files::read_text(path)?;
        let signed: SignedAnnouncement =
            serde_json::from_str(&text).map_err(|e| TrustError::FileFormat {
                path: path.to_path_buf(),
                expected: "a key announcement (JSON with `announcement`, `signature` and `proof`)",
                reason: e.to_string(),
            })?;
        signed.verify()?;
        Ok(signed)
    }
}

impl Roster {
    /// Apply a key announcement at `now`: the new key is added, valid from
    /// the announced time (or `now`, if that is earlier), and the old key is
    /// retired at `max(effective_at, now) + grace`, unless it was already
    /// revoked earlier (a revocation is never postponed).
    ///
    /// Refused, with the roster unchanged, when a signature does not verify,
    /// the member is unknown or revoked, the old key is not a *current* key
    /// of that member at `now` ([`TrustError::NotCurrentKey`]), or the new
    /// key is already in the roster.
    pub fn apply_rotation(
        &mut self,
        signed: &SignedAnnouncement,
        grace: u64,
        now: u64,
    ) -> Result<(), TrustError> {
        let a = signed.verify()?;
        let entry = self
            .entry(&a.member)
            .ok_or_else(|| TrustError::UnknownMember {
                id: a.member.clone(),
            })?;
        if entry.status == MemberStatus::Revoked {
            return Err(TrustError::Revoked {
                member: entry.id.clone(),
                at: entry.revoked_at.unwrap_or(0),
            });
        }
        let not_current = |reason: String| TrustError::NotCurrentKey {
            member: a.member.clone(),
            key: a.old_key.key_id(),
            reason,
        };
        let old = entry
            .keys
            .iter()
            .find(|k| k.key == a.old_key)
            .ok_or_else(|| not_current("it is not one of the member's keys".into()))?;
        if let Some(at) = old.revoked_at.filter(|&at| at <= now) {
            return Err(not_current(format!("it was revoked at {at}")));
        }
        if old.valid_from > now {
            return Err(not_current(format!(
                "it is valid only from {}",
                old.valid_from
            )));
        }
        if let Some((holder, _)) = self.key(&a.new_key.key_id()) {
            return Err(TrustError::DuplicateKey {
                key: a.new_key.key_id(),
                existing: holder.id.clone(),
            });
        }
        let retire = a.effective_at.max(now).saturating_add(grace);
        let member = a.member.clone();
        let (old_key, new_key, from) = (a.old_key, a.new_key, a.effective_at.min(now));
        let entry = self
            .members
            .iter_mut()
            .find(|m| m.id == member)
            .ok_or(TrustError::UnknownMember { id: member })?;
        for k in entry.keys.iter_mut().filter(|k| k.key == old_key) {
            k.revoked_at = Some(k.revoked_at.map_or(retire, |at| at.min(retire)));
        }
        entry.keys.push(RosterKey::new(new_key, from));
        Ok(())
    }

    /// Verify an envelope as the roster's key history says it stood when it
    /// was received (`received_at`, unix seconds): the signer's key must have
    /// been valid then (not yet revoked, already valid), its member not yet
    /// revoked, and the signature must verify. A lesson signed before a key
    /// rotation or revocation keeps verifying; one received after the key
    /// was retired does not.
    pub fn verify_historic(
        &self,
        envelope: &Envelope,
        received_at: u64,
    ) -> Result<(&RosterEntry, Payload), TrustError> {
        let signer = &envelope.signer;
        let (entry, key) = self.key(signer).ok_or_else(|| TrustError::UnknownKey {
            signer: signer.clone(),
            group: self.group.clone(),
        })?;
        if let Some(at) = entry.revoked_at.filter(|&at| at <= received_at) {
            return Err(TrustError::Revoked {
                member: entry.id.clone(),
                at,
            });
        }
        if let Some(at) = key.revoked_at.filter(|&at| at <= received_at) {
            return Err(TrustError::KeyRevoked {
                signer: signer.clone(),
                member: entry.id.clone(),
                at,
            });
        }
        if key.valid_from > received_at {
            return Err(TrustError::KeyNotYetValid {
                signer: signer.clone(),
                member: entry.id.clone(),
                valid_from: key.valid_from,
                now: received_at,
            });
        }
        let payload = verify_envelope(&key.key, envelope)?;
        Ok((entry, payload))
    }
}

#[cfg(test)]
mod tests;
