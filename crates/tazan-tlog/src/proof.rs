//! Leaves, proofs and the rules that decide whether a log kept its history.

use tlog_tiles::Hash;

use crate::{SignedCheckpoint, TlogError, TreeHead};

/// Most hashes a proof of a tree under 2^63 entries can need.
pub const MAX_PROOF_HASHES: usize = 64;

/// The RFC 6962 leaf hash of a log entry: `SHA-256(0x00 || leaf input)`,
/// where the leaf input is the signed envelope as stored (`tazan/log-leaf/v1`,
/// then the payload, signer key id and signature, each length-prefixed).
///
/// The envelope alone, not the hub's metadata (origin, time), so a receiver
/// can recompute it from what it received; and since the tree keeps every
/// leaf hash, an entry's content can later be erased (a withdrawn lesson)
/// while the tree and every proof still verify.
pub fn leaf_hash(payload: &[u8], signer: &str, signature: &[u8]) -> Hash {
    use sha2::Digest;
    // RFC 6962 leaf: SHA-256(0x00 || leaf input), hashed in place rather
    // than copying the envelope into one buffer first.
    let mut h = sha2::Sha256::new();
    h.update([0x00]);
    h.update(b"tazan/log-leaf/v1\n");
    for part in [payload, signer.as_bytes(), signature] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    Hash(h.finalize().into())
}

/// A whole tree in memory, hashed as a hub stores it: for recomputing a
/// stored log's tree from its entries (`tazan verify log`).
#[derive(Debug, Default)]
pub struct MemoryTree {
    stored: Vec<Hash>,
    size: u64,
}

impl tlog_tiles::HashReader for MemoryTree {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.stored.get(i).copied())
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

impl MemoryTree {
    /// Append the next leaf.
    pub fn push(&mut self, leaf: Hash) -> Result<(), TlogError> {
        let add = tlog_tiles::stored_hashes_for_record_hash(self.size, leaf, self)
            .map_err(|e| TlogError::malformed("tree", e.to_string()))?;
        self.stored.extend(add);
        self.size += 1;
        Ok(())
    }

    /// Leaves so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The tree head over the first `size` leaves.
    pub fn head(&self, size: u64) -> Result<TreeHead, TlogError> {
        let root = tlog_tiles::tree_hash(size.min(self.size), self)
            .map_err(|e| TlogError::malformed("tree", e.to_string()))?;
        Ok(TreeHead {
            size: size.min(self.size),
            root: root.0,
        })
    }
}

/// Hashes from the wire: 32-byte hashes end to end, at most
/// [`MAX_PROOF_HASHES`].
pub fn hashes_from_wire(what: &str, raw: &[u8]) -> Result<Vec<Hash>, TlogError> {
    if !raw.len().is_multiple_of(32) {
        return Err(TlogError::malformed(
            what,
            format!("{} bytes, not a whole number of 32-byte hashes", raw.len()),
        ));
    }
    if raw.len() / 32 > MAX_PROOF_HASHES {
        return Err(TlogError::malformed(
            what,
            format!("{} hashes, over {MAX_PROOF_HASHES}", raw.len() / 32),
        ));
    }
    Ok(raw
        .chunks_exact(32)
        .filter_map(|c| <[u8; 32]>::try_from(c).ok().map(Hash))
        .collect())
}

/// Hashes for the wire, end to end.
pub fn hashes_to_wire(hashes: &[Hash]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.0).collect()
}

/// Check that the entry with sequence number `seq` (from 1) and leaf hash
/// `leaf` is in the tree of `checkpoint`.
pub fn check_inclusion(
    checkpoint: &SignedCheckpoint,
    seq: u64,
    lesson: &str,
    leaf: Hash,
    proof: &[Hash],
) -> Result<(), TlogError> {
    let head = checkpoint.head();
    let not_included = || TlogError::NotIncluded {
        origin: checkpoint.origin().to_owned(),
        seq,
        lesson: lesson.to_owned(),
        size: head.size,
        root: head.root_b64(),
    };
    if seq == 0 || seq > head.size {
        return Err(not_included());
    }
    tlog_tiles::check_record(&proof.to_vec(), head.size, head.root_hash(), seq - 1, leaf)
        .map_err(|_| not_included())
}

/// Check that the log `origin` went from `old` to `new` by appending only:
/// `new` is no smaller, equal sizes have equal roots, and `proof` is an
/// RFC 6962 consistency proof from `old` to `new`.
pub fn check_consistency(
    origin: &str,
    old: TreeHead,
    new: TreeHead,
    proof: &[Hash],
) -> Result<(), TlogError> {
    if new.size < old.size {
        return Err(TlogError::Shrunk {
            origin: origin.to_owned(),
            old_size: old.size,
            new_size: new.size,
        });
    }
    if new.size == old.size {
        return if new.root == old.root {
            Ok(())
        } else {
            Err(TlogError::Fork {
                origin: origin.to_owned(),
                size: new.size,
                seen: old.root_b64(),
                now: new.root_b64(),
            })
        };
    }
    if old.size == 0 {
        return Ok(());
    }
    tlog_tiles::check_tree(
        &proof.to_vec(),
        new.size,
        new.root_hash(),
        old.size,
        old.root_hash(),
    )
    .map_err(|_| TlogError::Inconsistent {
        origin: origin.to_owned(),
        old_size: old.size,
        old_root: old.root_b64(),
        new_size: new.size,
        new_root: new.root_b64(),
    })
}

/// Whether two checkpoints of one log can both be true: the larger extends
/// the smaller (`proof` goes from the smaller to the larger).
pub fn check_related(
    a: &SignedCheckpoint,
    b: &SignedCheckpoint,
    proof: &[Hash],
) -> Result<(), TlogError> {
    let (old, new) = if a.size() <= b.size() { (a, b) } else { (b, a) };
    check_consistency(a.origin(), old.head(), new.head(), proof)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(leaves: &[Hash]) -> MemoryTree {
        let mut m = MemoryTree::default();
        for leaf in leaves {
            m.push(*leaf).unwrap();
        }
        m
    }

    fn head(m: &MemoryTree, size: u64) -> TreeHead {
        m.head(size).unwrap()
    }

    fn leaves(n: u32) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(&i.to_be_bytes(), "ed25519-00", &[0; 64]))
            .collect()
    }

    #[test]
    fn the_leaf_is_the_rfc_6962_record_hash_of_the_length_prefixed_envelope() {
        let mut input = b"tazan/log-leaf/v1\n".to_vec();
        for part in [&b"payload"[..], b"ed25519-00", &[7; 64]] {
            input.extend_from_slice(&(part.len() as u64).to_be_bytes());
            input.extend_from_slice(part);
        }
        assert_eq!(
            leaf_hash(b"payload", "ed25519-00", &[7; 64]),
            tlog_tiles::record_hash(&input)
        );
    }

    #[test]
    fn inclusion_and_consistency_catch_removed_rewritten_and_forked_logs() {
        let key = tazan_trust::KeyPair::generate();
        let o = crate::origin("finance-hub");
        let l = leaves(10);
        let m = tree(&l);
        let h7 = head(&m, 7);
        let h10 = head(&m, 10);
        let cp10 = SignedCheckpoint::sign(&o, h10, &key).unwrap();
        for seq in 1..=10u64 {
            let p = tlog_tiles::prove_record(10, seq - 1, &m).unwrap();
            check_inclusion(&cp10, seq, "x", l[seq as usize - 1], &p).unwrap();
        }
        let p = tlog_tiles::prove_tree(10, 7, &m).unwrap();
        check_consistency(&o, h7, h10, &p).unwrap();

        // A rewritten entry: its leaf no longer matches the proof.
        let p3 = tlog_tiles::prove_record(10, 2, &m).unwrap();
        let err = check_inclusion(&cp10, 3, "abcd", l[4], &p3).unwrap_err();
        assert!(
            err.to_string()
                .contains("entry 3 (lesson abcd) is not in the tree of size 10"),
            "{err}"
        );
        assert!(err.is_tampering());

        // Entry 3 removed and the tree rebuilt: nine entries, then more appended.
        let mut removed = l.clone();
        removed.remove(2);
        removed.push(leaf_hash(b"new", "ed25519-00", &[0; 64]));
        let m2 = tree(&removed);
        let forked10 = head(&m2, 10);
        let err = check_consistency(&o, h10, forked10, &[]).unwrap_err();
        assert!(
            err.to_string()
                .contains("two different checkpoints of size 10"),
            "{err}"
        );
        let p = tlog_tiles::prove_tree(10, 7, &m2).unwrap();
        let err = check_consistency(&o, h7, forked10, &p).unwrap_err();
        assert!(
            err.to_string()
                .contains("not consistent with the checkpoint of size 7"),
            "{err}"
        );
        let err = check_consistency(&o, h10, head(&m2, 9), &[]).unwrap_err();
        assert!(err.to_string().contains("shrank from 10 to 9"), "{err}");

        assert!(hashes_from_wire("proof", &[0; 31]).is_err());
        assert!(hashes_from_wire("proof", &[0; 65 * 32]).is_err());
        let p = tlog_tiles::prove_record(10, 3, &m).unwrap();
        assert_eq!(hashes_from_wire("proof", &hashes_to_wire(&p)).unwrap(), p);
    }
}
