//! The group's NDA policy as a signed, versioned document: the per-level
//! policy TOML the group agreed on, signed by the group admin key (the key
//! that signs the roster), distributed by the hub with the roster.
//!
//! This crate signs and checks the document; it does not read the TOML
//! (`tazan-sanitize` does), so a document is only as valid as its policy
//! text once parsed there.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tazan_model::{MemberId, SIGNATURE_LEN};

use crate::roster::hex_signature;
use crate::{files, KeyPair, PublicKey, TrustError};

/// The signing context of policy documents.
const POLICY_CONTEXT: &[u8] = b"tazan/policy/v1";

/// One version of a group's NDA policy.
///
/// Field order is part of the signed format: the signature covers
/// `serde_json::to_vec(&document)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    /// The group (its hub's id, as in the roster's `group`).
    pub group: MemberId,
    /// Increases with every issued document; holders refuse a lower one.
    pub version: u32,
    /// Unix seconds of issue.
    pub issued_at: u64,
    /// Earlier versions the group withdrew: a hub refuses lessons drafted
    /// under them.
    #[serde(default)]
    pub withdrawn: Vec<u32>,
    /// The policy itself: the TOML text of a `tazan-sanitize` policy.
    pub policy: String,
}

impl PolicyDocument {
    /// Sign with the group admin key.
    pub fn sign(self, admin: &KeyPair) -> Result<SignedPolicy, TrustError> {
        let signature = admin.sign_bytes(POLICY_CONTEXT, &self.canonical_bytes()?);
        Ok(SignedPolicy {
            document: self,
            signature,
        })
    }

    /// Whether lessons drafted under `version` are refused.
    pub fn is_withdrawn(&self, version: u32) -> bool {
        self.withdrawn.contains(&version)
    }

    fn canonical_bytes(&self) -> Result<Vec<u8>, TrustError> {
        serde_json::to_vec(self).map_err(|e| {
            TrustError::pki(
                format!("encode policy version {} of {}", self.version, self.group),
                e,
            )
        })
    }
}

/// A policy document with the group admin's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedPolicy {
    /// The document.
    pub document: PolicyDocument,
    /// ed25519 signature by the group admin key over the document's
    /// canonical bytes in context `tazan/policy/v1`; 128 hex characters.
    #[serde(with = "hex_signature")]
    pub signature: [u8; SIGNATURE_LEN],
}

impl SignedPolicy {
    /// Check the signature under the group admin key `admin` the holder
    /// already trusts (a hub: its roster's admin key; a node: the key in its
    /// `node.toml`), and that the document is for `group`.
    pub fn verify(
        &self,
        admin: &PublicKey,
        group: &MemberId,
    ) -> Result<&PolicyDocument, TrustError> {
        let d = &self.document;
        admin
            .verify_bytes(POLICY_CONTEXT, &d.canonical_bytes()?, &self.signature)
            .map_err(|_| TrustError::PolicySignature {
                group: d.group.clone(),
                version: d.version,
                admin: admin.key_id(),
            })?;
        if &d.group != group {
            return Err(TrustError::PolicyGroup {
                found: d.group.clone(),
                expected: group.clone(),
                version: d.version,
            });
        }
        Ok(d)
    }

    /// Refuse this document in place of `held`: an older version (stale),
    /// or the same version with other content. Returns whether it is new
    /// (false: the very document already held).
    pub fn replaces(&self, held: Option<&SignedPolicy>) -> Result<bool, TrustError> {
        let Some(held) = held else {
            return Ok(true);
        };
        let (found, have) = (self.document.version, held.document.version);
        if found < have || (found == have && self != held) {
            return Err(TrustError::PolicyStale {
                group: self.document.group.clone(),
                found,
                held: have,
            });
        }
        Ok(found > have)
    }

    /// The document as JSON (what a hub serves and a node stores).
    pub fn to_json(&self) -> Result<Vec<u8>, TrustError> {
        let mut json = serde_json::to_vec_pretty(self).map_err(|e| {
            TrustError::pki(
                format!("encode policy version {}", self.document.version),
                e,
            )
        })?;
        json.push(b'\n');
        Ok(json)
    }

    /// Parse JSON written by [`SignedPolicy::to_json`]; `from` names where it
    /// came from in the error. The signature is not checked here.
    pub fn from_json(bytes: &[u8], from: &Path) -> Result<SignedPolicy, TrustError> {
        let text = String::from_utf8_lossy(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        serde_json::from_str(text).map_err(|e| TrustError::FileFormat {
            path: from.to_path_buf(),
            expected:
                "a signed policy (JSON with `document` and `signature`, from `tazan policy sign`)",
            reason: e.to_string(),
        })
    }

    /// Write as pretty JSON, replacing the file atomically.
    pub fn save(&self, path: &Path) -> Result<(), TrustError> {
        files::replace(path, &self.to_json()?)
    }

    /// Read a file written by [`SignedPolicy::save`] (the signature is not
    /// checked: see [`SignedPolicy::verify`]). `None` when there is no file.
    pub fn load(path: &Path) -> Result<Option<SignedPolicy>, TrustError> {
        match std::fs::read(path) {
            Ok(bytes) => SignedPolicy::from_json(&bytes, path).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(TrustError::io("read", path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(version: u32) -> PolicyDocument {
        PolicyDocument {
            group: "finance-hub".parse().unwrap(),
            version,
            issued_at: 1,
            withdrawn: vec![],
            policy: "version = 1\n".into(),
        }
    }

    #[test]
    fn a_policy_verifies_only_under_its_admin_and_group() {
        let admin = KeyPair::generate();
        let signed = doc(2).sign(&admin).unwrap();
        let group: MemberId = "finance-hub".parse().unwrap();
        assert_eq!(signed.verify(&admin.public(), &group).unwrap().version, 2);

        let other = KeyPair::generate();
        let e = signed.verify(&other.public(), &group).unwrap_err();
        println!("{e}");
        assert!(
            matches!(e, TrustError::PolicySignature { version: 2, .. }),
            "{e}"
        );

        let mut forged = signed.clone();
        forged.document.policy.push_str("# looser\n");
        assert!(forged.verify(&admin.public(), &group).is_err());

        let e = signed
            .verify(&admin.public(), &"transport-hub".parse().unwrap())
            .unwrap_err();
        println!("{e}");
        assert!(e.to_string().contains("transport-hub"), "{e}");
    }

    #[test]
    fn an_older_or_conflicting_version_is_stale() {
        let admin = KeyPair::generate();
        let v2 = doc(2).sign(&admin).unwrap();
        let v3 = doc(3).sign(&admin).unwrap();
        assert!(v3.replaces(Some(&v2)).unwrap());
        assert!(!v3.replaces(Some(&v3)).unwrap());
        assert!(v2.replaces(None).unwrap());
        let e = v2.replaces(Some(&v3)).unwrap_err();
        println!("{e}");
        assert!(e.to_string().contains("version 2"), "{e}");
        let mut other = doc(3);
        other.policy = "version = 1\n# other\n".into();
        assert!(other.sign(&admin).unwrap().replaces(Some(&v3)).is_err());
    }

    #[test]
    fn json_round_trips() {
        let admin = KeyPair::generate();
        let signed = doc(4).sign(&admin).unwrap();
        let back =
            SignedPolicy::from_json(&signed.to_json().unwrap(), Path::new("p.json")).unwrap();
        assert_eq!(back, signed);
        let e = SignedPolicy::from_json(b"{}", Path::new("p.json")).unwrap_err();
        assert!(e.to_string().starts_with("p.json"), "{e}");
    }
}
