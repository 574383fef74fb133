//! What a receiver of a hub's log checks on the wire: consistency of the
//! hub's checkpoint with the one kept from last time on every resume (and,
//! when required, a witness's cosignature), then every streamed checkpoint
//! and every entry's inclusion proof. Shared by org nodes and relaying hubs.

use tazan_tlog::{hashes_from_wire, leaf_hash, LogView, TlogError, WitnessKey};
use tonic::transport::Channel;

use crate::pb::{self, hub_client::HubClient};

/// Why following a hub stopped.
#[derive(Debug)]
pub enum FollowError {
    /// Transport or storage trouble: resume later from the cursor.
    Transport(tonic::Status),
    /// The hub's log failed verification: stop trusting the stream.
    Distrust(TlogError),
}

impl From<tonic::Status> for FollowError {
    fn from(s: tonic::Status) -> Self {
        FollowError::Transport(s)
    }
}

impl From<TlogError> for FollowError {
    fn from(e: TlogError) -> Self {
        FollowError::Distrust(e)
    }
}

impl std::fmt::Display for FollowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FollowError::Transport(s) => write!(f, "{:?}: {}", s.code(), s.message()),
            FollowError::Distrust(e) => e.fmt(f),
        }
    }
}

/// A consistency proof between two sizes, fetched from the hub (none is
/// needed from size 0, or when the sizes are equal or shrinking: the sizes
/// alone then tell the receiver what happened).
async fn proof_between(
    client: &mut HubClient<Channel>,
    old: u64,
    new: u64,
) -> Result<Vec<tazan_tlog::Hash>, FollowError> {
    if old == 0 || old >= new {
        return Ok(Vec::new());
    }
    let hashes = client
        .consistency(pb::ConsistencyRequest {
            old_size: old,
            new_size: new,
        })
        .await?
        .into_inner()
        .hashes;
    Ok(hashes_from_wire("consistency proof", &hashes)?)
}

/// On (re)connecting: move `view` to the hub's current checkpoint along a
/// consistency proof from the one kept, and when `witness` is given, check
/// that the latest witnessed checkpoint is cosigned by it and consistent
/// with the view. On error the view is unchanged.
pub async fn resume(
    client: &mut HubClient<Channel>,
    view: &mut LogView,
    witness: Option<&WitnessKey>,
) -> Result<(), FollowError> {
    // The kept checkpoint may have come unsigned within a stream: its
    // signature is checked before anything is compared with it.
    view.check_kept_signature()?;
    let latest = client
        .checkpoint(pb::CheckpointRequest { witnessed: false })
        .await?
        .into_inner()
        .checkpoint;
    let cp = view.parse(&latest)?;
    let proof = proof_between(client, view.size(), cp.size()).await?;
    let mut next = view.clone();
    next.advance(&latest, &proof)?;
    if let Some(witness) = witness {
        // None cosigned yet (a new log, or the witness lags): try again later.
        let witnessed = client
            .checkpoint(pb::CheckpointRequest { witnessed: true })
            .await?
            .into_inner()
            .checkpoint;
        let w = next.parse(&witnessed)?;
        let (small, large) = if w.size() <= next.size() {
            (w.size(), next.size())
        } else {
            (next.size(), w.size())
        };
        let proof = proof_between(client, small, large).await?;
        next.check_witnessed(&witnessed, witness, &proof)?;
    }
    *view = next;
    Ok(())
}

/// Check one streamed (or listed) entry: a checkpoint it carries must extend
/// the trusted one, and the entry must be in the trusted tree.
pub fn verify_entry(view: &mut LogView, entry: &pb::LogEntry) -> Result<(), TlogError> {
    if !entry.checkpoint.is_empty() {
        let proof = hashes_from_wire("consistency proof", &entry.consistency)?;
        view.advance_streamed(&entry.checkpoint, &proof)?;
    }
    let empty = pb::Envelope::default();
    let env = entry.envelope.as_ref().unwrap_or(&empty);
    let leaf = leaf_hash(&env.payload, &env.signer, &env.signature);
    let no_proof = pb::Inclusion::default();
    let inclusion = entry.inclusion.as_ref().unwrap_or(&no_proof);
    // The id the hub names (a wrong one only changes the error's wording:
    // the leaf is computed from the envelope itself).
    let lesson = tazan_model::LessonId::try_from(entry.lesson_id.as_slice())
        .map(|id| id.short())
        .unwrap_or_default();
    if inclusion.tree_size != view.size() {
        return Err(TlogError::Malformed {
            what: format!(
                "entry {} (lesson {lesson}) from {}",
                entry.seq,
                view.origin()
            ),
            reason: format!(
                "its inclusion proof is for a tree of {} entries, the checkpoint has {}",
                inclusion.tree_size,
                view.size()
            ),
        });
    }
    let proof = hashes_from_wire("inclusion proof", &inclusion.hashes)?;
    view.check_entry(entry.seq, &lesson, leaf, &proof)
}
