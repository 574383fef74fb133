//! Checkpoints as C2SP signed notes, signed by a hub's ed25519 key, and
//! witness cosignatures (C2SP `cosignature/v1`, Ed25519).

use base64::prelude::{Engine, BASE64_STANDARD};
use signed_note::{Note, NoteError, Signature, Verifier, VerifierList};
use tazan_trust::{KeyPair, PublicKey};
use tlog_tiles::Hash;

use crate::TlogError;

/// Signature type byte of an Ed25519 note signature (C2SP signed-note).
const ALG_ED25519: u8 = 0x01;
/// Signature type byte of an Ed25519 `cosignature/v1` (C2SP tlog-cosignature).
const ALG_COSIGNATURE_V1: u8 = 0x04;

/// The checkpoint origin (and note key name) of the hub `hub_id`:
/// `tazan/hub/<id>`. Hub ids are unique in a federation and hold no `/`,
/// space or `+`.
pub fn origin(hub_id: &str) -> String {
    format!("tazan/hub/{hub_id}")
}

/// A tree head: the log, how many entries, and the RFC 6962 root over them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    /// Entries in the tree.
    pub size: u64,
    /// Root hash.
    pub root: [u8; 32],
}

impl TreeHead {
    /// The root as the proof functions take it.
    pub fn root_hash(&self) -> Hash {
        Hash(self.root)
    }

    /// The root in base64, as a checkpoint shows it.
    pub fn root_b64(&self) -> String {
        BASE64_STANDARD.encode(self.root)
    }
}

/// A checkpoint as a signed note: the text (origin, size, root) and its
/// signature lines, the hub's first, then any witness cosignatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    origin: String,
    head: TreeHead,
    /// The whole note as served and stored (text, blank line, signatures).
    note: Vec<u8>,
}

fn key_id(name: &str, alg: u8, key: &PublicKey) -> u32 {
    let mut material = vec![alg];
    material.extend_from_slice(&key.to_bytes());
    signed_note::key_id(name, &material)
}

/// Verifies the log's own signature or a witness cosignature with one key.
struct NoteKey {
    name: String,
    id: u32,
    key: PublicKey,
    cosignature: bool,
}

impl NoteKey {
    fn log(name: &str, key: &PublicKey) -> NoteKey {
        NoteKey {
            name: name.to_owned(),
            id: key_id(name, ALG_ED25519, key),
            key: *key,
            cosignature: false,
        }
    }

    fn witness(name: &str, key: &PublicKey) -> NoteKey {
        NoteKey {
            name: name.to_owned(),
            id: key_id(name, ALG_COSIGNATURE_V1, key),
            key: *key,
            cosignature: true,
        }
    }
}

fn cosigned_message(timestamp: u64, text: &[u8]) -> Vec<u8> {
    let mut msg = format!("cosignature/v1\ntime {timestamp}\n").into_bytes();
    msg.extend_from_slice(text);
    msg
}

impl Verifier for NoteKey {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.id
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        if !self.cosignature {
            return self.key.verify_note(msg, sig);
        }
        let Some((ts, sig)) = sig.split_first_chunk::<8>() else {
            return false;
        };
        let ts = u64::from_be_bytes(*ts);
        ts < (1 << 63) && self.key.verify_note(&cosigned_message(ts, msg), sig)
    }
}

impl SignedCheckpoint {
    /// Sign the checkpoint of `origin` at `head` with the hub's key.
    pub fn sign(
        origin: &str,
        head: TreeHead,
        key: &KeyPair,
    ) -> Result<SignedCheckpoint, TlogError> {
        let bad = |r: &str| TlogError::malformed(format!("checkpoint of {origin}"), r);
        if !signed_note::is_key_name_valid(origin) {
            return Err(bad("the origin must be non-empty, without spaces or `+`"));
        }
        let body = tlog_tiles::Checkpoint::new(origin, head.size, head.root_hash(), "")
            .map_err(|e| bad(&e.to_string()))?
            .to_bytes();
        let sig = key
            .sign_note(&body)
            .ok_or_else(|| bad("the text holds a zero byte"))?;
        let line = Signature::new(
            origin.to_owned(),
            key_id(origin, ALG_ED25519, &key.public()),
            sig.to_vec(),
        )
        .map_err(|e| bad(&e.to_string()))?;
        let note = Note::new(&body, &[line]).map_err(|e| bad(&e.to_string()))?;
        Ok(SignedCheckpoint {
            origin: origin.to_owned(),
            head,
            note: note.to_bytes(),
        })
    }

    /// Parse a checkpoint note of the log `origin` and check that it carries
    /// a valid signature by one of `keys` (the hub's key and, across a key
    /// rotation, its earlier ones). Signatures by other keys (witnesses) are
    /// kept but not checked here.
    pub fn verify(
        note: &[u8],
        origin: &str,
        keys: &[PublicKey],
    ) -> Result<SignedCheckpoint, TlogError> {
        let (parsed, cp) = Self::parse(note, origin)?;
        let list = VerifierList::new(
            keys.iter()
                .map(|k| Box::new(NoteKey::log(origin, k)) as Box<dyn Verifier>)
                .collect(),
        );
        parsed.verify(&list).map_err(|e| TlogError::Signature {
            origin: origin.to_owned(),
            size: cp.head.size,
            reason: match e {
                NoteError::UnverifiedNote => {
                    "no signature by the hub's key (signed by someone else, or the key changed)"
                        .to_owned()
                }
                other => other.to_string(),
            },
        })?;
        Ok(cp)
    }

    /// Read back a checkpoint of `origin` that this process verified (or
    /// signed) and stored itself; signatures are not checked again.
    pub fn from_stored(note: &[u8], origin: &str) -> Result<SignedCheckpoint, TlogError> {
        Self::parse(note, origin).map(|(_, cp)| cp)
    }

    fn parse(note: &[u8], origin: &str) -> Result<(Note, SignedCheckpoint), TlogError> {
        let what = || format!("checkpoint from {origin}");
        let parsed =
            Note::from_bytes(note).map_err(|e| TlogError::malformed(what(), e.to_string()))?;
        let body = tlog_tiles::Checkpoint::from_bytes(parsed.text())
            .map_err(|e| TlogError::malformed(what(), e.to_string()))?;
        if body.origin() != origin {
            return Err(TlogError::WrongOrigin {
                expected: origin.to_owned(),
                found: body.origin().to_owned(),
            });
        }
        if !body.extension().is_empty() {
            return Err(TlogError::malformed(what(), "unexpected extension lines"));
        }
        let head = TreeHead {
            size: body.size(),
            root: body.hash().0,
        };
        Ok((
            parsed,
            SignedCheckpoint {
                origin: origin.to_owned(),
                head,
                note: note.to_vec(),
            },
        ))
    }

    /// The log this checkpoint is for.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Its tree head.
    pub fn head(&self) -> TreeHead {
        self.head
    }

    /// Its tree size.
    pub fn size(&self) -> u64 {
        self.head.size
    }

    /// The whole note, as served and stored.
    pub fn note(&self) -> &[u8] {
        &self.note
    }

    fn text(&self) -> Result<Vec<u8>, TlogError> {
        Note::from_bytes(&self.note)
            .map(|n| n.text().to_vec())
            .map_err(|e| {
                TlogError::malformed(format!("checkpoint of {}", self.origin), e.to_string())
            })
    }

    /// A witness cosignature line (C2SP `cosignature/v1`) over this
    /// checkpoint by `witness` with `key`, made at `timestamp` (Unix seconds).
    pub fn cosign(
        &self,
        witness: &str,
        key: &KeyPair,
        timestamp: u64,
    ) -> Result<Vec<u8>, TlogError> {
        let bad = |r: String| TlogError::malformed(format!("cosignature by {witness}"), r);
        let msg = cosigned_message(timestamp, &self.text()?);
        let sig = key
            .sign_note(&msg)
            .ok_or_else(|| bad("the text holds a zero byte".into()))?;
        let mut bytes = timestamp.to_be_bytes().to_vec();
        bytes.extend_from_slice(&sig);
        let line = Signature::new(
            witness.to_owned(),
            key_id(witness, ALG_COSIGNATURE_V1, &key.public()),
            bytes,
        )
        .map_err(|e| bad(e.to_string()))?;
        Ok(line.to_bytes())
    }

    /// This checkpoint with signature lines added (cosignatures a witness
    /// returned). Lines already present are not repeated.
    pub fn with_signatures(&self, lines: &[u8]) -> Result<SignedCheckpoint, TlogError> {
        let mut note = self.note.clone();
        let text = std::str::from_utf8(lines)
            .map_err(|_| TlogError::malformed("cosignature lines", "not UTF-8"))?;
        for line in text.lines().filter(|l| !l.is_empty()) {
            Signature::from_bytes(line.as_bytes())
                .map_err(|e| TlogError::malformed("cosignature line", e.to_string()))?;
            let full = format!("{line}\n");
            if !contains(&note, full.as_bytes()) {
                note.extend_from_slice(full.as_bytes());
            }
        }
        Ok(SignedCheckpoint {
            origin: self.origin.clone(),
            head: self.head,
            note,
        })
    }

    /// The time (Unix seconds) at which `witness` cosigned this checkpoint
    /// with `key`; an error naming the witness when it did not, or when its
    /// signature line does not verify.
    pub fn cosigned_by(&self, witness: &str, key: &PublicKey) -> Result<u64, TlogError> {
        let not_witnessed = || TlogError::NotWitnessed {
            origin: self.origin.clone(),
            size: self.head.size,
            witness: witness.to_owned(),
        };
        let parsed = Note::from_bytes(&self.note).map_err(|e| {
            TlogError::malformed(format!("checkpoint of {}", self.origin), e.to_string())
        })?;
        let list = VerifierList::new(vec![Box::new(NoteKey::witness(witness, key))]);
        let (verified, _) = parsed.verify(&list).map_err(|e| match e {
            NoteError::UnverifiedNote => not_witnessed(),
            other => TlogError::Signature {
                origin: self.origin.clone(),
                size: self.head.size,
                reason: format!("cosignature by {witness}: {other}"),
            },
        })?;
        let sig = verified.first().ok_or_else(not_witnessed)?;
        let ts: [u8; 8] = sig
            .signature()
            .get(..8)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(not_witnessed)?;
        Ok(u64::from_be_bytes(ts))
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(size: u64) -> TreeHead {
        TreeHead {
            size,
            root: [size as u8; 32],
        }
    }

    #[test]
    fn sign_verify_and_refuse_other_keys_and_origins() {
        let key = KeyPair::generate();
        let o = origin("finance-hub");
        let cp = SignedCheckpoint::sign(&o, head(7), &key).unwrap();
        let text = String::from_utf8(cp.note().to_vec()).unwrap();
        assert!(text.starts_with("tazan/hub/finance-hub\n7\n"), "{text}");
        assert!(text.contains("\n\n— tazan/hub/finance-hub "), "{text}");
        let back = SignedCheckpoint::verify(cp.note(), &o, &[key.public()]).unwrap();
        assert_eq!(back, cp);

        let other = KeyPair::generate();
        let err = SignedCheckpoint::verify(cp.note(), &o, &[other.public()]).unwrap_err();
        assert!(
            err.to_string().contains("no signature by the hub's key"),
            "{err}"
        );
        let err =
            SignedCheckpoint::verify(cp.note(), &origin("cross-hub"), &[key.public()]).unwrap_err();
        assert!(matches!(err, TlogError::WrongOrigin { .. }), "{err}");

        // A changed size with the old signature fails as a bad signature.
        let forged = text.replacen("\n7\n", "\n8\n", 1);
        let err = SignedCheckpoint::verify(forged.as_bytes(), &o, &[key.public()]).unwrap_err();
        assert!(err.to_string().contains("invalid signature"), "{err}");
        assert!(SignedCheckpoint::verify(b"not a note", &o, &[key.public()]).is_err());
    }

    #[test]
    fn cosignatures_verify_only_for_their_witness_and_text() {
        let hub = KeyPair::generate();
        let witness = KeyPair::generate();
        let cp = SignedCheckpoint::sign(&origin("finance-hub"), head(3), &hub).unwrap();
        let err = cp.cosigned_by("cross-hub", &witness.public()).unwrap_err();
        assert!(matches!(err, TlogError::NotWitnessed { .. }), "{err}");

        let line = cp.cosign("cross-hub", &witness, 1_700_000_000).unwrap();
        let line_text = String::from_utf8(line.clone()).unwrap();
        assert!(line_text.starts_with("— cross-hub "), "{line_text}");
        let cosigned = cp.with_signatures(&line).unwrap();
        assert_eq!(
            cosigned.with_signatures(&line).unwrap(),
            cosigned,
            "not repeated"
        );
        assert_eq!(
            cosigned
                .cosigned_by("cross-hub", &witness.public())
                .unwrap(),
            1_700_000_000
        );
        // Still verifies as the hub's checkpoint, the cosignature ignored.
        SignedCheckpoint::verify(cosigned.note(), cp.origin(), &[hub.public()]).unwrap();
        // Another witness key, or the line moved onto another checkpoint, fails.
        assert!(cosigned
            .cosigned_by("cross-hub", &KeyPair::generate().public())
            .is_err());
        let other = SignedCheckpoint::sign(&origin("finance-hub"), head(4), &hub).unwrap();
        let err = other
            .with_signatures(&line)
            .unwrap()
            .cosigned_by("cross-hub", &witness.public())
            .unwrap_err();
        assert!(
            err.to_string().contains("cosignature by cross-hub"),
            "{err}"
        );
    }
}
