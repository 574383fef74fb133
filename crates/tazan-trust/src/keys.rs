//! ed25519 signing keys, public keys and domain-separated signatures.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::str::FromStr;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use tazan_model::{Envelope, KeyId, Payload, PayloadKind, SIGNATURE_LEN};

use crate::{files, TrustError};

/// An ed25519 signing key: a member's, a hub's or a group admin's.
///
/// `Debug` prints only the key id; the secret is never formatted, logged or
/// serialised except by [`KeyPair::save`], and is wiped from memory on drop.
pub struct KeyPair {
    signing: SigningKey,
}

impl KeyPair {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> KeyPair {
        KeyPair {
            signing: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    /// The id of the public half; see [`PublicKey::key_id`].
    pub fn key_id(&self) -> KeyId {
        self.public().key_id()
    }

    /// The public half, to put in a roster.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key())
    }

    /// Write the key as a PKCS#8 PEM file (`-----BEGIN PRIVATE KEY-----`),
    /// created readable by its owner only (0600 on unix).
    ///
    /// Refuses to overwrite an existing file: an overwritten key is lost.
    pub fn save(&self, path: &Path) -> Result<(), TrustError> {
        let pem = self
            .signing
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| TrustError::pki(format!("encode key {}", self.key_id()), e))?;
        files::create_secret(path, pem.as_bytes())
    }

    /// Read a key written by [`KeyPair::save`] (or `openssl genpkey -algorithm ed25519`).
    ///
    /// On unix, refuses a file that group or others can access.
    pub fn load(path: &Path) -> Result<KeyPair, TrustError> {
        let pem = files::read_secret(path)?;
        let signing = SigningKey::from_pkcs8_pem(&pem).map_err(|e| TrustError::FileFormat {
            path: path.to_path_buf(),
            expected: "an ed25519 PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)",
            reason: e.to_string(),
        })?;
        Ok(KeyPair { signing })
    }

    /// Sign a payload: the signature covers its kind's signing context, a
    /// zero byte, then its canonical bytes, so a signature over one kind can
    /// never pass as another.
    pub fn sign(&self, payload: &Payload) -> Envelope {
        let bytes = payload.to_canonical_bytes();
        let signature = self.sign_bytes(payload.kind().signing_context(), &bytes);
        Envelope {
            payload: bytes,
            signer: self.key_id(),
            signature,
        }
    }

    /// Sign again, with this key, canonical payload bytes that were decoded
    /// and validated before (a stored log entry a hub relays): the same
    /// bytes and signing context as [`KeyPair::sign`] gives for the decoded
    /// payload, without decoding and encoding them again. `None` when the
    /// bytes do not start as a payload of a known kind.
    pub fn sign_canonical(&self, payload: &[u8]) -> Option<Envelope> {
        let kind = peek_kind(payload)?;
        Some(Envelope {
            payload: payload.to_vec(),
            signer: self.key_id(),
            signature: self.sign_bytes(kind.signing_context(), payload),
        })
    }

    /// Sign `msg` in the domain `context` (e.g. `b"tazan/roster/v1"`): the
    /// signed message is `context || 0x00 || msg`. `context` must not contain
    /// a zero byte.
    pub fn sign_bytes(&self, context: &[u8], msg: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.signing.sign(&framed(context, msg)).to_bytes()
    }

    /// Sign the text of a C2SP signed note (a log checkpoint, or the message
    /// of a witness cosignature) as it is, as the note formats require.
    ///
    /// `None` when `text` holds a zero byte: note texts never do, and every
    /// other signature of this crate covers `context || 0x00 || msg`, so a
    /// note signature can never pass for a lesson, roster or announcement
    /// signature, nor the reverse.
    pub fn sign_note(&self, text: &[u8]) -> Option<[u8; SIGNATURE_LEN]> {
        (!text.contains(&0)).then(|| self.signing.sign(text).to_bytes())
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyPair({})", self.key_id())
    }
}

/// An ed25519 public key.
///
/// Shown, parsed and serialised as 64 lowercase hex characters. Weak
/// (small-order) keys are refused when parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// `ed25519-` followed by the first 16 hex characters of the blake3
    /// hash of the 32 public key bytes.
    pub fn key_id(&self) -> KeyId {
        let hash = blake3::hash(self.0.as_bytes());
        let id = format!("ed25519-{}", hex::encode(&hash.as_bytes()[..8]));
        #[allow(
            clippy::expect_used,
            reason = "lowercase letters, digits and '-' under 63 characters always form a valid KeyId"
        )]
        let id: KeyId = id.parse().expect("a key id built from hex is valid");
        id
    }

    /// A key from its 32 bytes.
    pub fn from_bytes(b: &[u8]) -> Result<PublicKey, TrustError> {
        let arr: [u8; 32] = b.try_into().map_err(|_| TrustError::InvalidPublicKey {
            reason: format!("got {} bytes", b.len()),
        })?;
        let key = VerifyingKey::from_bytes(&arr).map_err(|_| TrustError::InvalidPublicKey {
            reason: "the bytes are not a point on the curve".to_owned(),
        })?;
        if key.is_weak() {
            return Err(TrustError::InvalidPublicKey {
                reason: "a weak (small-order) key, which anyone could sign for".to_owned(),
            });
        }
        Ok(PublicKey(key))
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Check a signature made by [`KeyPair::sign_bytes`] with the same
    /// `context`. Uses strict verification (no malleable signatures).
    pub fn verify_bytes(
        &self,
        context: &[u8],
        msg: &[u8],
        sig: &[u8; SIGNATURE_LEN],
    ) -> Result<(), TrustError> {
        self.0
            .verify_strict(&framed(context, msg), &Signature::from_bytes(sig))
            .map_err(|_| self.bad_signature(context))
    }

    /// Check a signature made by [`KeyPair::sign_note`] (strict verification).
    pub fn verify_note(&self, text: &[u8], sig: &[u8]) -> bool {
        let Ok(sig) = <[u8; SIGNATURE_LEN]>::try_from(sig) else {
            return false;
        };
        !text.contains(&0)
            && self
                .0
                .verify_strict(text, &Signature::from_bytes(&sig))
                .is_ok()
    }

    fn bad_signature(&self, context: &[u8]) -> TrustError {
        TrustError::BadSignature {
            signer: self.key_id(),
            context: String::from_utf8_lossy(context).into_owned(),
        }
    }
}

impl Hash for PublicKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.as_bytes().hash(state);
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0.as_bytes()))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.key_id())
    }
}

impl FromStr for PublicKey {
    type Err = TrustError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(s.trim(), &mut bytes).map_err(|e| TrustError::InvalidPublicKey {
            reason: format!("{s:?} is not 64 hex characters ({e})"),
        })?;
        PublicKey::from_bytes(&bytes)
    }
}

impl Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Check that the envelope's signer is `key`, verify the signature under the
/// signing context of the payload kind named in the bytes, then decode and
/// validate the payload.
///
/// The signature is checked before the payload is decoded, so unsigned
/// input reaches only the two-byte kind check.
pub fn verify_envelope(key: &PublicKey, env: &Envelope) -> Result<Payload, TrustError> {
    let kind = prepare(key, env)?;
    key.verify_bytes(kind.signing_context(), &env.payload, &env.signature)?;
    let payload = decode(env)?;
    if payload.kind() != kind {
        // Unreachable while `peek_kind` follows the model's format; refuse
        // rather than return a payload signed under another context.
        return Err(key.bad_signature(kind.signing_context()));
    }
    Ok(payload)
}

/// Verify many envelopes' signatures at once (ed25519 batch verification),
/// each against its own key; the result at index `i` is for `items[i]`.
///
/// When the batch fails, each envelope is checked on its own, so one bad
/// signature never rejects its neighbours. Payloads are not decoded: call
/// [`Envelope::decode`] on those that pass. Batch and single checks agree on
/// every signature made by [`KeyPair::sign`]; only a signature crafted by the
/// key holder from small-order points could pass a batch yet fail alone.
pub fn verify_envelopes(items: &[(&Envelope, &PublicKey)]) -> Vec<Result<(), TrustError>> {
    let mut results: Vec<Result<(), TrustError>> = Vec::with_capacity(items.len());
    let mut batch: Vec<(usize, Vec<u8>)> = Vec::with_capacity(items.len());
    for (i, (env, key)) in items.iter().enumerate() {
        match prepare(key, env) {
            Ok(kind) => {
                batch.push((i, framed(kind.signing_context(), &env.payload)));
                results.push(Ok(()));
            }
            Err(e) => results.push(Err(e)),
        }
    }
    if batch.is_empty() {
        return results;
    }
    let messages: Vec<&[u8]> = batch.iter().map(|(_, m)| m.as_slice()).collect();
    let signatures: Vec<Signature> = batch
        .iter()
        .map(|(i, _)| Signature::from_bytes(&items[*i].0.signature))
        .collect();
    let keys: Vec<VerifyingKey> = batch.iter().map(|(i, _)| items[*i].1 .0).collect();
    if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok() {
        return results;
    }
    for (i, message) in &batch {
        let (env, key) = items[*i];
        let ok = key
            .0
            .verify_strict(message, &Signature::from_bytes(&env.signature));
        if ok.is_err() {
            results[*i] = Err(key.bad_signature(context_of(message)));
        }
    }
    results
}

/// The checks before any signature: signer id matches, kind is known.
fn prepare(key: &PublicKey, env: &Envelope) -> Result<PayloadKind, TrustError> {
    let key_id = key.key_id();
    if env.signer != key_id {
        return Err(TrustError::WrongKey {
            signer: env.signer.clone(),
            key: key_id,
        });
    }
    match peek_kind(&env.payload) {
        Some(kind) => Ok(kind),
        // Let the model's decoder say precisely what is wrong.
        None => Err(match decode(env) {
            Err(e) => e,
            Ok(_) => key.bad_signature(b"unknown"),
        }),
    }
}

fn decode(env: &Envelope) -> Result<Payload, TrustError> {
    env.decode().map_err(|source| TrustError::Payload {
        signer: env.signer.clone(),
        source,
    })
}

/// The payload kind from the first bytes of canonical payload bytes: the
/// 4-byte magic `TZN1`, then the kind code (1 lesson, 2 withdrawal, 3 response, 16 collection). A test
/// checks this against `tazan-model`'s encoder.
fn peek_kind(bytes: &[u8]) -> Option<PayloadKind> {
    if bytes.get(..4) != Some(b"TZN1".as_slice()) {
        return None;
    }
    match bytes.get(4) {
        Some(1) => Some(PayloadKind::Lesson),
        Some(2) => Some(PayloadKind::Withdrawal),
        Some(3) => Some(PayloadKind::Response),
        Some(16) => Some(PayloadKind::Collection),
        _ => None,
    }
}

/// `context || 0x00 || msg`.
fn framed(context: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(context.len() + 1 + msg.len());
    out.extend_from_slice(context);
    out.push(0);
    out.extend_from_slice(msg);
    out
}

fn context_of(framed: &[u8]) -> &[u8] {
    let end = framed.iter().position(|&b| b == 0).unwrap_or(framed.len());
    &framed[..end]
}

#[cfg(test)]
mod tests;
