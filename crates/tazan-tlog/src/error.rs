use thiserror::Error;

/// Why a hub's log, checkpoint or proof was not believed.
///
/// Every variant names the log (its checkpoint origin, which carries the hub
/// id), the tree sizes involved and what did not match, so an operator can
/// tell a rewritten entry from removed history or a forked view.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlogError {
    /// Text that should be a checkpoint, cosignature or proof is not one.
    #[error("{what}: {reason}")]
    Malformed {
        /// What was being read (e.g. "checkpoint from finance-hub").
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The checkpoint carries no valid signature by a key trusted for its log.
    #[error("checkpoint of {origin} (size {size}): {reason}")]
    Signature {
        /// The log.
        origin: String,
        /// The tree size it claims.
        size: u64,
        /// What failed.
        reason: String,
    },
    /// A checkpoint for another log than the one expected.
    #[error("checkpoint is for log `{found}`, expected `{expected}`")]
    WrongOrigin {
        /// The origin wanted.
        expected: String,
        /// The origin found.
        found: String,
    },
    /// The log got shorter: entries that were there before are gone.
    #[error("{origin}: the log shrank from {old_size} to {new_size} entries; entries seen before were removed (the hub's history was rewritten)")]
    Shrunk {
        /// The log.
        origin: String,
        /// The size seen (or cosigned) before.
        old_size: u64,
        /// The smaller size shown now.
        new_size: u64,
    },
    /// Two different roots for the same tree size: a forked or rewritten log.
    #[error("{origin}: two different checkpoints of size {size}: root {seen} seen before, root {now} now (the log was forked or rewritten)")]
    Fork {
        /// The log.
        origin: String,
        /// The tree size both claim.
        size: u64,
        /// The root seen before (base64).
        seen: String,
        /// The root shown now (base64).
        now: String,
    },
    /// A consistency proof between two checkpoints did not verify.
    #[error("{origin}: the checkpoint of size {new_size} (root {new_root}) is not consistent with the checkpoint of size {old_size} (root {old_root}) seen before: entries up to {old_size} were changed or removed")]
    Inconsistent {
        /// The log.
        origin: String,
        /// The earlier size.
        old_size: u64,
        /// The earlier root (base64).
        old_root: String,
        /// The later size.
        new_size: u64,
        /// The later root (base64).
        new_root: String,
    },
    /// An entry is not in the tree its checkpoint commits to.
    #[error("{origin}: entry {seq} (lesson {lesson}) is not in the tree of size {size} (root {root}): its stored content differs from what the log committed to (a rewritten entry)")]
    NotIncluded {
        /// The log.
        origin: String,
        /// The entry's sequence number.
        seq: u64,
        /// Its lesson id (short form).
        lesson: String,
        /// The tree size of the checkpoint.
        size: u64,
        /// Its root (base64).
        root: String,
    },
    /// A checkpoint the receiver requires to be witnessed is not.
    #[error("checkpoint of {origin} (size {size}) has no valid cosignature by witness `{witness}`; this receiver requires one")]
    NotWitnessed {
        /// The log.
        origin: String,
        /// The tree size.
        size: u64,
        /// The witness required.
        witness: String,
    },
}

impl TlogError {
    pub(crate) fn malformed(what: impl Into<String>, reason: impl Into<String>) -> TlogError {
        TlogError::Malformed {
            what: what.into(),
            reason: reason.into(),
        }
    }

    /// Whether this says the log itself misbehaved (removed, rewritten or
    /// forked history), as opposed to a message that could not be read.
    pub fn is_tampering(&self) -> bool {
        matches!(
            self,
            TlogError::Shrunk { .. }
                | TlogError::Fork { .. }
                | TlogError::Inconsistent { .. }
                | TlogError::NotIncluded { .. }
        )
    }
}
