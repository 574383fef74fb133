//! Tamper-evident hub logs: an RFC 6962 Merkle tree over each hub's log
//! entries, checkpoints as C2SP signed notes, witness cosignatures, and the
//! checks a receiver runs before it believes a hub.
//!
//! ```text
//!  hub append ─► leaf_hash(envelope) ─► stored hashes (same sled write as the entry)
//!  hub ─► SignedCheckpoint::sign(origin, size, root, hub key) ─► receipts, streams, witnesses
//!  node / relaying hub:  LogView::advance(checkpoint, consistency proof)   (removed or forked history?)
//!                        LogView::check_entry(seq, leaf, inclusion proof)  (rewritten entry?)
//!  witness:              witness_check(last cosigned, old size, proof, new) ─► cosign
//! ```
//!
//! The tree arithmetic (stored-hash layout, proofs) is Cloudflare's
//! `tlog_tiles`, a port of Go's `sumdb/tlog`; notes are its `signed_note`.
//! This crate adds what tazan needs on top: the leaf format, the hub's key
//! as note signer, `cosignature/v1` cosignatures, and errors that name the
//! hub, the sizes and what did not match.
//!
//! Not here: storage of the hashes (`tazan-store`), transport (`tazan-proto`).
//!
//! ```
//! use tazan_tlog::{leaf_hash, origin, LogView, SignedCheckpoint, TreeHead};
//! let key = tazan_trust::KeyPair::generate();
//! let leaf = leaf_hash(b"payload", "ed25519-00", &[0; 64]);
//! // A one-entry tree's root is its leaf.
//! let cp = SignedCheckpoint::sign(&origin("finance-hub"), TreeHead { size: 1, root: leaf.0 }, &key)?;
//! let mut view = LogView::new(origin("finance-hub"), vec![key.public()], None);
//! view.advance(cp.note(), &[])?;
//! view.check_entry(1, "lesson", leaf, &[])?;
//! # Ok::<(), tazan_tlog::TlogError>(())
//! ```
#![forbid(unsafe_code)]

mod checkpoint;
mod error;
mod proof;
mod view;

pub use checkpoint::{origin, SignedCheckpoint, TreeHead};
pub use error::TlogError;
pub use proof::{
    check_consistency, check_inclusion, check_related, hashes_from_wire, hashes_to_wire, leaf_hash,
    MemoryTree, MAX_PROOF_HASHES,
};
/// The tree arithmetic, for the store that keeps the hashes.
pub use tlog_tiles::{
    prove_record, prove_tree, stored_hash_count, stored_hash_index, stored_hashes_for_record_hash,
    tree_hash, Error as TreeError, Hash, HashReader,
};
pub use view::{LogView, WitnessKey, STREAM_SIGNATURE_EVERY};

/// Why a witness would not cosign a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WitnessRefusal {
    /// The request's old size is not the size the witness last cosigned
    /// (C2SP tlog-witness "409 Conflict"): ask again from `held`.
    Conflict {
        /// The size of the last checkpoint the witness cosigned (0: none).
        held: u64,
    },
    /// The checkpoint is not consistent with what the witness cosigned
    /// before, or its proof does not verify.
    Refused(TlogError),
}

/// The witness rule (C2SP tlog-witness `add-checkpoint`): cosign `new` only
/// when `old_size` is the size last cosigned for this log and `proof` shows
/// `new` extends that checkpoint. The caller checks `new`'s signature first
/// and stores `new` atomically with this check.
pub fn witness_check(
    last: Option<&SignedCheckpoint>,
    old_size: u64,
    proof: &[Hash],
    new: &SignedCheckpoint,
) -> Result<(), WitnessRefusal> {
    let held = last.map_or(0, SignedCheckpoint::size);
    if old_size != held {
        return Err(WitnessRefusal::Conflict { held });
    }
    match last {
        Some(last) => check_consistency(new.origin(), last.head(), new.head(), proof)
            .map_err(WitnessRefusal::Refused),
        None if proof.is_empty() => Ok(()),
        None => Err(WitnessRefusal::Refused(TlogError::Malformed {
            what: format!("checkpoint of {}", new.origin()),
            reason: "a proof from size 0 must be empty".into(),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_witness_cosigns_only_from_the_size_it_holds_and_only_extensions() {
        let key = tazan_trust::KeyPair::generate();
        let o = origin("finance-hub");
        let mut tree = MemoryTree::default();
        for i in 0..6u8 {
            tree.push(leaf_hash(&[i], "ed25519-00", &[0; 64])).unwrap();
        }
        let cp = |n| SignedCheckpoint::sign(&o, tree.head(n).unwrap(), &key).unwrap();
        let (c3, c6) = (cp(3), cp(6));
        // First contact: from 0, with no proof.
        witness_check(None, 0, &[], &c3).unwrap();
        assert!(matches!(
            witness_check(None, 0, &[Hash([0; 32])], &c3),
            Err(WitnessRefusal::Refused(_))
        ));
        // The client must start from the size the witness holds.
        assert_eq!(
            witness_check(Some(&c3), 0, &[], &c6),
            Err(WitnessRefusal::Conflict { held: 3 })
        );
        // A wrong proof is refused, naming the sizes.
        match witness_check(Some(&c3), 3, &[], &c6) {
            Err(WitnessRefusal::Refused(e)) => assert!(
                e.to_string().contains("checkpoint of size 6 (root")
                    && e.to_string()
                        .contains("not consistent with the checkpoint of size 3"),
                "{e}"
            ),
            other => panic!("{other:?}"),
        }
        // A smaller checkpoint than the one cosigned is refused.
        match witness_check(Some(&c6), 6, &[], &c3) {
            Err(WitnessRefusal::Refused(e)) => {
                assert!(e.to_string().contains("shrank from 6 to 3"), "{e}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn streamed_checkpoints_are_chained_by_proofs_and_their_signature_checked_when_kept() {
        let hub = tazan_trust::KeyPair::generate();
        let other = tazan_trust::KeyPair::generate();
        let o = origin("finance-hub");
        let mut tree = MemoryTree::default();
        for i in 0..4u8 {
            tree.push(leaf_hash(&[i], "ed25519-00", &[0; 64])).unwrap();
        }
        let signed = |n, key: &tazan_trust::KeyPair| {
            SignedCheckpoint::sign(&o, tree.head(n).unwrap(), key).unwrap()
        };
        let mut view = LogView::new(o.clone(), vec![hub.public()], None);
        view.advance(signed(2, &hub).note(), &[]).unwrap();
        // Right after a checked one, a streamed checkpoint is taken on its
        // consistency proof alone (here signed by another key)...
        let proof = tlog_tiles::prove_tree(3, 2, &tree).unwrap();
        view.advance_streamed(signed(3, &other).note(), &proof)
            .unwrap();
        assert_eq!(view.size(), 3);
        // ...but never without a valid proof,
        let err = view
            .advance_streamed(signed(4, &other).note(), &[])
            .unwrap_err();
        assert!(err.is_tampering(), "{err}");
        // and a kept one is signature-checked before it is relied on.
        let err = view.check_kept_signature().unwrap_err();
        assert!(
            err.to_string().contains("no signature by the hub's key"),
            "{err}"
        );
        // The strict path always checks.
        let proof = tlog_tiles::prove_tree(4, 3, &tree).unwrap();
        assert!(view.advance(signed(4, &other).note(), &proof).is_err());
    }
}
