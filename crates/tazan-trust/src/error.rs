use std::io;
use std::path::PathBuf;

use tazan_model::{KeyId, MemberId, ModelError};
use thiserror::Error;

use crate::Role;

/// Why a key, signature, roster, certificate or trust decision was refused.
///
/// Every message names the member, key or file concerned, the reason, and
/// what to do about it, so it can be shown to an operator as-is. No variant
/// ever carries secret key material.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TrustError {
    /// Reading or writing a file failed at the operating-system level.
    #[error("cannot {action} {path}: {source}", path = path.display())]
    Io {
        /// What was being done ("read", "create", "rename" …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A secret-bearing file already exists; it is never overwritten.
    #[error("refusing to overwrite {path}: it already exists; move it away or choose another path (an overwritten key is lost for good)", path = path.display())]
    FileExists {
        /// The existing file.
        path: PathBuf,
    },
    /// A key path names a directory (or another non-file).
    #[error("{path} is not a file but a directory; point the config at the key file itself", path = path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// A private key file can be read by users other than its owner.
    #[error("{path} holds a private key but is accessible to group or others (mode 0{mode:o}); run `chmod 600 {path}`", path = path.display(), mode = mode)]
    InsecurePermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A file did not hold the expected PEM or JSON content.
    #[error("{path} is not {expected}: {reason}", path = path.display())]
    FileFormat {
        /// The file.
        path: PathBuf,
        /// What it should have held, e.g. "an ed25519 PKCS#8 PEM private key".
        expected: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// Bytes or text that should be an ed25519 public key are not one.
    #[error("invalid ed25519 public key: {reason}; expected 32 bytes (64 hex characters) of a key made by `KeyPair::generate`")]
    InvalidPublicKey {
        /// What was wrong.
        reason: String,
    },
    /// An envelope names a different signer than the key it was checked with.
    #[error("envelope says it was signed by {signer} but was checked against key {key}; look up the signer's own key in the roster")]
    WrongKey {
        /// The key id written in the envelope.
        signer: KeyId,
        /// The id of the key given to the check.
        key: KeyId,
    },
    /// A signature does not verify.
    #[error("signature by {signer} on a {context} message does not verify: the content was altered after signing, signed for another purpose, or signed by another key; reject it")]
    BadSignature {
        /// The key the signature was checked against.
        signer: KeyId,
        /// The signing context (domain), e.g. `tazan/lesson/v1`.
        context: String,
    },
    /// A payload's bytes are not a valid payload.
    #[error("payload signed by {signer} is invalid: {source}")]
    Payload {
        /// The key id written in the envelope.
        signer: KeyId,
        /// What the model found wrong.
        source: ModelError,
    },
    /// Nobody in the roster has this member id or TLS identity.
    #[error("no roster entry for {id}: it was never admitted or this roster is stale; ask the group admin to add it, or reload the roster")]
    UnknownMember {
        /// The member id or TLS identity looked up.
        id: MemberId,
    },
    /// The member has been revoked.
    #[error("member {member} was revoked at {at} (unix seconds); it may no longer publish or subscribe; the group admin must admit it again with new keys")]
    Revoked {
        /// The member.
        member: MemberId,
        /// When it was revoked, if recorded.
        at: u64,
    },
    /// The member lacks the role needed for the action.
    #[error("member {member} does not hold the `{role}` role; ask the group admin to grant it in the roster")]
    MissingRole {
        /// The member.
        member: MemberId,
        /// The role required.
        role: Role,
    },
    /// The signing key is not one of this member's keys: the payload was
    /// signed by someone other than the TLS peer.
    #[error("key {signer} is not one of member {member}'s keys (the signer is not the TLS peer); sign with the member's own key or register the key in the roster")]
    SignerMismatch {
        /// The key that signed.
        signer: KeyId,
        /// The member behind the TLS connection.
        member: MemberId,
    },
    /// The member's key was revoked.
    #[error("key {signer} of member {member} was revoked at {at} (unix seconds); sign with a current key listed in the roster")]
    KeyRevoked {
        /// The key.
        signer: KeyId,
        /// Its owner.
        member: MemberId,
        /// When it was revoked.
        at: u64,
    },
    /// The member's key is not valid yet.
    #[error("key {signer} of member {member} is valid only from {valid_from} (unix seconds), now is {now}; check the clock or wait")]
    KeyNotYetValid {
        /// The key.
        signer: KeyId,
        /// Its owner.
        member: MemberId,
        /// When it becomes valid.
        valid_from: u64,
        /// The time checked.
        now: u64,
    },
    /// A key announcement is signed by a key that is not a current key of
    /// the member it names.
    #[error("key announcement for {member} is signed by key {key}, which is not a current key of {member}: {reason}; ask the member to sign it with a key the roster lists as current (or, if every key is lost or revoked, re-admit the member)")]
    NotCurrentKey {
        /// The member named in the announcement.
        member: MemberId,
        /// The key that signed it.
        key: KeyId,
        /// Why the key is not current.
        reason: String,
    },
    /// No member of the roster has ever had this key.
    #[error("key {signer} belongs to no member of group {group}'s roster, past or present; the entry was signed outside this group, or the roster is not the one that admitted it")]
    UnknownKey {
        /// The key id.
        signer: KeyId,
        /// The roster's group.
        group: MemberId,
    },
    /// A roster already has an entry with this member id.
    #[error("roster already has a member {id}; revoke or edit the existing entry instead of adding it twice")]
    DuplicateMember {
        /// The id.
        id: MemberId,
    },
    /// A roster already has an entry with this TLS identity.
    #[error("TLS identity {tls} is already used by member {existing}; each member needs its own certificate identity")]
    DuplicateTlsIdentity {
        /// The TLS identity.
        tls: MemberId,
        /// The member that has it.
        existing: MemberId,
    },
    /// A signing key is already registered to another member.
    #[error("key {key} is already registered to member {existing}; each member needs its own signing key")]
    DuplicateKey {
        /// The key.
        key: KeyId,
        /// The member that has it.
        existing: MemberId,
    },
    /// A roster was to be signed, or checked, with a key that is not its admin key.
    #[error("key {key} is not the admin key {admin} of group {group}'s roster; sign with the group admin key, or pin the right admin key")]
    NotAdmin {
        /// The key offered.
        key: KeyId,
        /// The roster's admin key.
        admin: KeyId,
        /// The group.
        group: MemberId,
    },
    /// A signed roster's signature does not verify under its admin key.
    #[error("roster of group {group} (serial {serial}) does not verify under its admin key {admin}: it was altered after signing or signed by another key; fetch a fresh signed roster from the group admin")]
    RosterSignature {
        /// The group.
        group: MemberId,
        /// The serial claimed.
        serial: u64,
        /// The admin key claimed.
        admin: KeyId,
    },
    /// A signed policy document does not verify under the group admin key.
    #[error("the group policy of {group} (version {version}) does not verify under the group admin key {admin}: it was altered after signing or signed by another key; nothing was changed, ask the group admin for the signed policy")]
    PolicySignature {
        /// The group claimed.
        group: MemberId,
        /// The version claimed.
        version: u32,
        /// The admin key it was checked against.
        admin: KeyId,
    },
    /// A signed policy document is for another group.
    #[error("the group policy (version {version}) is for group {found}, not {expected}; nothing was changed")]
    PolicyGroup {
        /// The group in the document.
        found: MemberId,
        /// The group of the holder.
        expected: MemberId,
        /// The version.
        version: u32,
    },
    /// A policy document older than (or conflicting with) the one held.
    #[error("the group policy of {group} offered is version {found}, but version {held} is held: an older version (or the same version with other content) never replaces a newer one; nothing was changed")]
    PolicyStale {
        /// The group.
        group: MemberId,
        /// The version offered.
        found: u32,
        /// The version held.
        held: u32,
    },
    /// Generating or reading a certificate or its key failed.
    #[error("cannot {action}: {reason}")]
    Pki {
        /// What was being done, naming the member or file.
        action: String,
        /// What went wrong.
        reason: String,
    },
    /// A peer certificate carries no usable member identity.
    #[error("peer certificate carries no DNS name usable as a member id (found {found:?}); issue the certificate with `CertificateAuthority::issue` from the hub's CA")]
    NoIdentity {
        /// The DNS names found.
        found: Vec<String>,
    },
}

impl TrustError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        TrustError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn pki(action: impl Into<String>, reason: impl ToString) -> Self {
        TrustError::Pki {
            action: action.into(),
            reason: reason.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message, printed once to be read: each must name its subject.
    #[test]
    fn every_message_names_its_subject() {
        let member: MemberId = "acme-bank".parse().unwrap();
        let signer: KeyId = "ed25519-0123456789abcdef".parse().unwrap();
        let path = PathBuf::from("/etc/tazan/node.key");
        let model = ModelError::Missing { field: "title" };
        let cases: Vec<(TrustError, &str)> = vec![
            (
                TrustError::io("read", &path, io::Error::from(io::ErrorKind::NotFound)),
                "node.key",
            ),
            (TrustError::FileExists { path: path.clone() }, "node.key"),
            (
                TrustError::NotAFile { path: path.clone() },
                "node.key is not a file but a directory",
            ),
            (
                TrustError::InsecurePermissions {
                    path: path.clone(),
                    mode: 0o644,
                },
                "chmod 600 /etc/tazan/node.key",
            ),
            (
                TrustError::FileFormat {
                    path: path.clone(),
                    expected: "an ed25519 PKCS#8 PEM private key",
                    reason: "bad PEM".into(),
                },
                "node.key",
            ),
            (
                TrustError::InvalidPublicKey {
                    reason: "got 31 bytes".into(),
                },
                "31 bytes",
            ),
            (
                TrustError::WrongKey {
                    signer: signer.clone(),
                    key: "ed25519-fedcba9876543210".parse().unwrap(),
                },
                "ed25519-fedcba9876543210",
            ),
            (
                TrustError::BadSignature {
                    signer: signer.clone(),
                    context: "tazan/lesson/v1".into(),
                },
                "tazan/lesson/v1",
            ),
            (
                TrustError::Payload {
                    signer: signer.clone(),
                    source: model,
                },
                "`title`",
            ),
            (
                TrustError::UnknownMember { id: member.clone() },
                "acme-bank",
            ),
            (
                TrustError::Revoked {
                    member: member.clone(),
                    at: 1_700_000_000,
                },
                "acme-bank",
            ),
            (
                TrustError::MissingRole {
                    member: member.clone(),
                    role: Role::Publisher,
                },
                "`publisher`",
            ),
            (
                TrustError::SignerMismatch {
                    signer: signer.clone(),
                    member: member.clone(),
                },
                "acme-bank",
            ),
            (
                TrustError::KeyRevoked {
                    signer: signer.clone(),
                    member: member.clone(),
                    at: 5,
                },
                "ed25519-0123456789abcdef",
            ),
            (
                TrustError::KeyNotYetValid {
                    signer: signer.clone(),
                    member: member.clone(),
                    valid_from: 10,
                    now: 5,
                },
                "acme-bank",
            ),
            (
                TrustError::NotCurrentKey {
                    member: member.clone(),
                    key: signer.clone(),
                    reason: "it was revoked at 5".into(),
                },
                "revoked at 5",
            ),
            (
                TrustError::UnknownKey {
                    signer: signer.clone(),
                    group: "finance".parse().unwrap(),
                },
                "ed25519-0123456789abcdef",
            ),
            (
                TrustError::DuplicateMember { id: member.clone() },
                "acme-bank",
            ),
            (
                TrustError::DuplicateTlsIdentity {
                    tls: member.clone(),
                    existing: "other".parse().unwrap(),
                },
                "other",
            ),
            (
                TrustError::DuplicateKey {
                    key: signer.clone(),
                    existing: member.clone(),
                },
                "acme-bank",
            ),
            (
                TrustError::NotAdmin {
                    key: signer.clone(),
                    admin: "ed25519-fedcba9876543210".parse().unwrap(),
                    group: "finance".parse().unwrap(),
                },
                "finance",
            ),
            (
                TrustError::RosterSignature {
                    group: "finance".parse().unwrap(),
                    serial: 7,
                    admin: signer.clone(),
                },
                "serial 7",
            ),
            (
                TrustError::PolicySignature {
                    group: "finance".parse().unwrap(),
                    version: 3,
                    admin: signer.clone(),
                },
                "(version 3) does not verify",
            ),
            (
                TrustError::PolicyGroup {
                    found: "transport".parse().unwrap(),
                    expected: "finance".parse().unwrap(),
                    version: 3,
                },
                "for group transport, not finance",
            ),
            (
                TrustError::PolicyStale {
                    group: "finance".parse().unwrap(),
                    found: 2,
                    held: 3,
                },
                "offered is version 2, but version 3 is held",
            ),
            (
                TrustError::pki("issue a certificate for acme-bank", "bad name"),
                "acme-bank",
            ),
            (
                TrustError::NoIdentity {
                    found: vec!["localhost".into()],
                },
                "localhost",
            ),
        ];
        for (err, needle) in cases {
            let msg = err.to_string();
            println!("{msg}");
            assert!(msg.contains(needle), "{needle:?} not in {msg:?}");
        }
    }
}
