//! What a receiver (a node, a relaying hub, a witness) believes of one log:
//! the last checkpoint it verified, moved forward only along consistency
//! proofs.

use tazan_trust::PublicKey;
use tlog_tiles::Hash;

use crate::{check_consistency, check_inclusion, check_related, SignedCheckpoint, TlogError};

/// A witness whose cosignature a receiver checks or requires.
#[derive(Debug, Clone)]
pub struct WitnessKey {
    /// The witness's note key name (its hub id, e.g. `cross-hub`).
    pub name: String,
    /// Its public key.
    pub key: PublicKey,
}

/// How often a receiver checks the hub's signature on checkpoints that
/// arrive within one stream (see [`LogView::advance_streamed`]).
pub const STREAM_SIGNATURE_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// A receiver's view of one hub's log.
#[derive(Debug, Clone)]
pub struct LogView {
    origin: String,
    keys: Vec<PublicKey>,
    trusted: Option<SignedCheckpoint>,
    /// When a checkpoint's signature was last checked on this view.
    signature_checked: Option<std::time::Instant>,
}

impl LogView {
    /// A view of the log `origin`, whose checkpoints `keys` sign, starting
    /// from the checkpoint kept from last time (if any).
    pub fn new(origin: String, keys: Vec<PublicKey>, trusted: Option<SignedCheckpoint>) -> LogView {
        LogView {
            origin,
            keys,
            trusted,
            signature_checked: None,
        }
    }

    /// The log.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The last checkpoint verified (keep it durably).
    pub fn trusted(&self) -> Option<&SignedCheckpoint> {
        self.trusted.as_ref()
    }

    /// The size of [`LogView::trusted`] (0 before any).
    pub fn size(&self) -> u64 {
        self.trusted.as_ref().map_or(0, SignedCheckpoint::size)
    }

    /// Parse and check the signature of a checkpoint note of this log.
    pub fn parse(&self, note: &[u8]) -> Result<SignedCheckpoint, TlogError> {
        SignedCheckpoint::verify(note, &self.origin, &self.keys)
    }

    /// Move to the checkpoint `note` once it is signed by the hub and `proof`
    /// shows it extends the trusted one. Returns the new checkpoint. The view
    /// is unchanged on error.
    pub fn advance(&mut self, note: &[u8], proof: &[Hash]) -> Result<&SignedCheckpoint, TlogError> {
        let new = self.parse(note)?;
        self.signature_checked = Some(std::time::Instant::now());
        self.extend(new, proof)
    }

    /// [`LogView::advance`] for checkpoints arriving in a stream from the
    /// hub itself (over mutual TLS, so no one else can have sent them): the
    /// consistency proof is always checked, the hub's signature at most every
    /// [`STREAM_SIGNATURE_EVERY`]. A checkpoint taken unsigned is bound by the
    /// consistency proof to the next one whose signature is checked, and a
    /// kept checkpoint's signature is checked again on every resume
    /// ([`LogView::check_kept_signature`]), so every checkpoint a receiver
    /// keeps is signature-checked before it is relied on. At a thousand
    /// lessons a second this spares each receiver a thousand ed25519
    /// verifications a second.
    pub fn advance_streamed(
        &mut self,
        note: &[u8],
        proof: &[Hash],
    ) -> Result<&SignedCheckpoint, TlogError> {
        let due = self
            .signature_checked
            .is_none_or(|t| t.elapsed() >= STREAM_SIGNATURE_EVERY);
        if due {
            return self.advance(note, proof);
        }
        let new = SignedCheckpoint::from_stored(note, &self.origin)?;
        self.extend(new, proof)
    }

    /// Check the hub's signature on the checkpoint kept from last time (it
    /// may have been taken within a stream without one: see
    /// [`LogView::advance_streamed`]).
    pub fn check_kept_signature(&mut self) -> Result<(), TlogError> {
        if let Some(kept) = &self.trusted {
            self.parse(kept.note())?;
            self.signature_checked = Some(std::time::Instant::now());
        }
        Ok(())
    }

    fn extend(
        &mut self,
        new: SignedCheckpoint,
        proof: &[Hash],
    ) -> Result<&SignedCheckpoint, TlogError> {
        if let Some(old) = &self.trusted {
            check_consistency(&self.origin, old.head(), new.head(), proof)?;
            if new.size() == old.size() {
                // Same tree: keep the note with more signatures on it.
                if new.note().len() <= old.note().len() {
                    return Ok(self.trusted.get_or_insert(new));
                }
            }
        }
        Ok(self.trusted.insert(new))
    }

    /// Check a checkpoint of this log that need not be newer (a witnessed
    /// one, which may lag): signed by the hub, cosigned by `witness`, and
    /// consistent with the trusted one either way (`proof` goes from the
    /// smaller to the larger).
    pub fn check_witnessed(
        &self,
        note: &[u8],
        witness: &WitnessKey,
        proof: &[Hash],
    ) -> Result<SignedCheckpoint, TlogError> {
        let cp = self.parse(note)?;
        cp.cosigned_by(&witness.name, &witness.key)?;
        if let Some(trusted) = &self.trusted {
            check_related(trusted, &cp, proof)?;
        }
        Ok(cp)
    }

    /// Check that entry `seq` with leaf hash `leaf` is in the trusted tree.
    pub fn check_entry(
        &self,
        seq: u64,
        lesson: &str,
        leaf: Hash,
        proof: &[Hash],
    ) -> Result<(), TlogError> {
        match &self.trusted {
            Some(cp) => check_inclusion(cp, seq, lesson, leaf, proof),
            None => Err(TlogError::malformed(
                format!("entry {seq} from {}", self.origin),
                "no checkpoint came with it",
            )),
        }
    }
}
