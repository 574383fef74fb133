//! The hub's side of tamper evidence: signed checkpoints of its own log,
//! receipts (inclusion proofs) for publishers and subscribers, and the
//! witness that cosigns other hubs' checkpoints.
//!
//! ```text
//!  durable head ─► checkpoint() (signed once per head, cached) ─► PublishResponse, streams, List
//!  (position, checkpoint) ─► proven_page() (read and proved once, shared) ─► every subscriber there
//!  group hub ──AddCheckpoint(old size, proof, checkpoint)──► cross hub: witness_check ─► cosignature
//!  group hub (follows the cross log) ──AddCosignature──► cross hub: its witnessed checkpoint
//! ```

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tazan_model::MemberId;
use tazan_proto::pb;
use tazan_store::StoreError;
use tazan_tlog::{
    hashes_from_wire, hashes_to_wire, witness_check, SignedCheckpoint, TlogError, WitnessRefusal,
};
use tazan_trust::{PublicKey, Role};
use tonic::Status;
use tracing::{info, warn};

use crate::core::{to_entry, Facets};
use crate::HubCore;

/// The blob holding the latest checkpoint of this hub's log that a witness cosigned.
const WITNESSED: &str = "witnessed-checkpoint";

/// The gRPC metadata key with the size a witness holds, on a conflict.
pub const WITNESS_SIZE: &str = "tazan-witness-size";

fn witness_blob(origin: &str) -> String {
    format!("witness/{origin}")
}

/// Checkpoint state of one hub.
#[derive(Default)]
pub(crate) struct Transparency {
    /// The latest signed checkpoint (of the durable head when made).
    latest: Mutex<Option<Arc<SignedCheckpoint>>>,
    /// The latest checkpoint a witness cosigned.
    witnessed: Mutex<Option<Arc<SignedCheckpoint>>>,
    /// Serialises the witness's check-and-store (C2SP: atomically).
    witness: tokio::sync::Mutex<()>,
    /// Checkpoints of other hubs cosigned, and refused.
    pub(crate) cosigned: AtomicU64,
    pub(crate) refused: AtomicU64,
    /// The last pages read with their proofs, shared by subscribers.
    pages: Mutex<VecDeque<Arc<ProvenPage>>>,
    /// Pages served from `pages` instead of being read and proven again.
    pub(crate) pages_shared: AtomicU64,
}

/// Pages kept in [`Transparency`]: subscribers that follow the head wake
/// together and read the same few pages; 16 of at most 256 entries bound
/// the memory.
const KEPT_PAGES: usize = 16;

/// Up to a page of durable log entries after one position, as wire
/// entries with their inclusion proofs, all against one checkpoint.
pub(crate) struct ProvenPage {
    /// The position the page follows.
    pub(crate) after: u64,
    /// The most entries it may hold.
    pub(crate) limit: usize,
    /// The checkpoint every proof is against.
    pub(crate) checkpoint: Arc<SignedCheckpoint>,
    /// Its tree's root: after a store heals, the head can fall back and
    /// grow again to a size seen before, over other entries.
    root: [u8; 32],
    /// The entries (unfiltered, in log order) with what filters read of them.
    pub(crate) entries: Vec<(Facets<String>, pb::LogEntry)>,
}

impl ProvenPage {
    /// The last sequence number in the page.
    pub(crate) fn last_seq(&self) -> Option<u64> {
        self.entries.last().map(|(_, e)| e.seq)
    }
}

fn storage(e: StoreError) -> Status {
    warn!(error = %e, "storage failure");
    Status::unavailable("storage unavailable; retry later")
}

fn tlog_status(e: TlogError) -> Status {
    match e {
        TlogError::Malformed { .. } | TlogError::WrongOrigin { .. } => {
            Status::invalid_argument(e.to_string())
        }
        TlogError::Signature { .. } | TlogError::NotWitnessed { .. } => {
            Status::unauthenticated(e.to_string())
        }
        _ => Status::failed_precondition(e.to_string()),
    }
}

impl HubCore {
    /// The public key that signs this hub's checkpoints (and relayed lessons).
    pub fn public_key(&self) -> PublicKey {
        self.key.public()
    }

    /// This hub's checkpoint origin (`tazan/hub/<id>`).
    pub fn origin(&self) -> String {
        tazan_tlog::origin(self.id.as_str())
    }

    /// A signed checkpoint of the durable log (signed once per head and
    /// cached, so many readers share one signature).
    pub fn checkpoint(&self) -> Result<Arc<SignedCheckpoint>, StoreError> {
        let head = self.log.head();
        let mut latest = self.tlog.latest.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(cp) = latest.as_ref().filter(|cp| cp.size() == head) {
            return Ok(cp.clone());
        }
        let tree = self.log.tree_head(head)?;
        let cp = SignedCheckpoint::sign(&self.origin(), tree, &self.key).map_err(|e| {
            StoreError::Corrupt {
                key: "checkpoint".into(),
                reason: e.to_string(),
            }
        })?;
        let cp = Arc::new(cp);
        *latest = Some(cp.clone());
        Ok(cp)
    }

    /// The latest checkpoint of this hub's log cosigned by a witness.
    pub fn witnessed_checkpoint(&self) -> Option<Arc<SignedCheckpoint>> {
        let mut held = self
            .tlog
            .witnessed
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if held.is_none() {
            let stored = self.log.blob(WITNESSED).ok().flatten()?;
            let cp = SignedCheckpoint::from_stored(&stored, &self.origin()).ok()?;
            *held = Some(Arc::new(cp));
        }
        held.clone()
    }

    /// Keep `cp` (a checkpoint of this hub's log with a witness's
    /// cosignature on it) as the witnessed checkpoint, unless a larger one
    /// is held already.
    pub(crate) async fn set_witnessed(&self, cp: SignedCheckpoint) -> Result<(), StoreError> {
        if self
            .witnessed_checkpoint()
            .is_some_and(|held| held.size() > cp.size())
        {
            return Ok(());
        }
        // Not flushed: losing it in a crash only means serving the witnessed
        // checkpoint before it until the witness cosigns again.
        self.log.put_blob(WITNESSED, cp.note()).await?;
        *self
            .tlog
            .witnessed
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(cp));
        Ok(())
    }

    /// Attach the publisher's receipts: an inclusion proof to every stored
    /// result, all against one checkpoint, whose note is returned.
    pub(crate) fn receipts(&self, results: &mut [pb::PublishResult]) -> Vec<u8> {
        let stored: Vec<usize> = (0..results.len()).filter(|&i| results[i].seq > 0).collect();
        if stored.is_empty() {
            return Vec::new();
        }
        let seqs: Vec<u64> = stored.iter().map(|&i| results[i].seq).collect();
        match self.prove(&seqs) {
            Ok((cp, proofs)) => {
                for (i, proof) in stored.into_iter().zip(proofs) {
                    results[i].inclusion = Some(proof);
                }
                cp.note().to_vec()
            }
            Err(e) => {
                // The lessons are stored; only the receipt is missing.
                warn!(error = %e, "inclusion proofs for a publish failed; answered without receipts");
                Vec::new()
            }
        }
    }

    /// The current checkpoint and inclusion proofs of `seqs` in its tree.
    pub(crate) fn prove(
        &self,
        seqs: &[u64],
    ) -> Result<(Arc<SignedCheckpoint>, Vec<pb::Inclusion>), StoreError> {
        let cp = self.checkpoint()?;
        let proofs = self.log.inclusion_proofs(seqs, cp.size())?;
        Ok((
            cp.clone(),
            proofs
                .into_iter()
                .map(|p| pb::Inclusion {
                    tree_size: cp.size(),
                    hashes: hashes_to_wire(&p),
                })
                .collect(),
        ))
    }

    /// Up to `limit` entries after `after` within the current checkpoint,
    /// proven against it. Proving is per page, not per subscriber: every
    /// subscriber asking for the same position under the same checkpoint
    /// (all those following the head, woken by the same append) gets the
    /// page the first one read and proved.
    pub(crate) fn proven_page(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Arc<ProvenPage>, StoreError> {
        let cp = self.checkpoint()?;
        let (size, root) = (cp.size(), cp.head().root);
        // A page is fixed by where it starts, its size limit and the tree
        // it is read within.
        let kept = |pages: &VecDeque<Arc<ProvenPage>>| {
            pages
                .iter()
                .find(|p| {
                    p.after == after
                        && p.limit == limit
                        && p.checkpoint.size() == size
                        && p.root == root
                })
                .cloned()
        };
        if let Some(page) = kept(&self.tlog.pages.lock().unwrap_or_else(|p| p.into_inner())) {
            self.tlog.pages_shared.fetch_add(1, Ordering::Relaxed);
            return Ok(page);
        }
        let records = self.log.range_within(after, limit, cp.size())?;
        let seqs: Vec<u64> = records.iter().map(|r| r.seq).collect();
        let proofs = self.log.inclusion_proofs(&seqs, cp.size())?;
        let entries = records
            .into_iter()
            .zip(proofs)
            .map(|(rec, proof)| {
                let facets = Facets::of(&rec);
                let entry = pb::LogEntry {
                    inclusion: Some(pb::Inclusion {
                        tree_size: cp.size(),
                        hashes: hashes_to_wire(&proof),
                    }),
                    ..to_entry(rec)
                };
                (facets, entry)
            })
            .collect();
        let page = Arc::new(ProvenPage {
            after,
            limit,
            checkpoint: cp,
            root,
            entries,
        });
        let mut pages = self.tlog.pages.lock().unwrap_or_else(|p| p.into_inner());
        // Pages of an older tree are never asked for again (and a reader
        // that raced ahead may have kept some of a newer one already).
        let newest = pages
            .iter()
            .map(|p| p.checkpoint.size())
            .fold(size, u64::max);
        pages.retain(|p| p.checkpoint.size() == newest);
        if size == newest && kept(&pages).is_none() {
            if pages.len() == KEPT_PAGES {
                pages.pop_front();
            }
            pages.push_back(page.clone());
        }
        Ok(page)
    }

    /// A consistency proof between two sizes of the durable log, as the
    /// `Consistency` RPC answers it.
    pub fn log_consistency(&self, old: u64, new: u64) -> Result<Vec<u8>, Status> {
        self.consistency(old, new)
    }

    /// A consistency proof between two sizes of the durable log.
    pub(crate) fn consistency(&self, old: u64, new: u64) -> Result<Vec<u8>, Status> {
        let head = self.log.head();
        if old > new || new > head {
            return Err(Status::invalid_argument(format!(
                "field `old_size`/`new_size`: need old_size <= new_size <= {head} (the log head), got {old} and {new}"
            )));
        }
        let proof = self.log.consistency_proof(old, new).map_err(storage)?;
        Ok(hashes_to_wire(&proof))
    }

    /// The hub `caller` as a witness client: its roster entry must hold the
    /// hub role; its keys sign its checkpoints.
    fn hub_keys(&self, caller: &MemberId) -> Result<(MemberId, Vec<PublicKey>), Status> {
        let roster = self.roster();
        let entry = roster
            .roster
            .by_tls_identity(caller)
            .filter(|e| e.roles.contains(&Role::Hub))
            .ok_or_else(|| {
                Status::permission_denied(format!(
                    "`{caller}` is not a hub in this roster; only hubs witness each other"
                ))
            })?;
        Ok((entry.id.clone(), entry.keys.iter().map(|k| k.key).collect()))
    }

    /// Witness: cosign the checkpoint of the calling hub's log, once it is
    /// signed by that hub and extends the checkpoint cosigned last time
    /// (C2SP tlog-witness add-checkpoint). The new checkpoint is stored
    /// before the cosignature is returned.
    pub(crate) async fn add_checkpoint(
        &self,
        caller: &MemberId,
        req: pb::AddCheckpointRequest,
    ) -> Result<Vec<u8>, Status> {
        let (hub, keys) = self.hub_keys(caller)?;
        let origin = tazan_tlog::origin(hub.as_str());
        let refuse = |e: TlogError| {
            self.tlog.refused.fetch_add(1, Ordering::Relaxed);
            warn!(log = %origin, error = %e, "witness refused to cosign");
            tlog_status(e)
        };
        let new = SignedCheckpoint::verify(&req.checkpoint, &origin, &keys).map_err(refuse)?;
        let proof = hashes_from_wire("consistency", &req.consistency).map_err(refuse)?;
        let _one_at_a_time = self.tlog.witness.lock().await;
        let last = self
            .log
            .blob(&witness_blob(&origin))
            .map_err(storage)?
            .map(|note| SignedCheckpoint::from_stored(&note, &origin))
            .transpose()
            .map_err(refuse)?;
        match witness_check(last.as_ref(), req.old_size, &proof, &new) {
            Ok(()) => {}
            Err(WitnessRefusal::Conflict { held }) => {
                let mut status = Status::failed_precondition(format!(
                    "witness holds size {held} for {origin}, not {}; send a proof from {held}",
                    req.old_size
                ));
                if let Ok(v) = held.to_string().parse() {
                    status.metadata_mut().insert(WITNESS_SIZE, v);
                }
                return Err(status);
            }
            Err(WitnessRefusal::Refused(e)) => return Err(refuse(e)),
        }
        if last.as_ref().is_none_or(|l| l.size() < new.size()) {
            self.log
                .set_blob(&witness_blob(&origin), new.note())
                .await
                .map_err(storage)?;
        }
        let line = new
            .cosign(self.id.as_str(), &self.key, self.clock.now_unix())
            .map_err(tlog_status)?;
        self.tlog.cosigned.fetch_add(1, Ordering::Relaxed);
        Ok(line)
    }

    /// Keep a witness's cosignature of one of this hub's own checkpoints:
    /// the checkpoint must be this hub's (its key, its tree at that size)
    /// and cosigned by the calling hub.
    pub(crate) async fn add_cosignature(
        &self,
        caller: &MemberId,
        req: pb::AddCosignatureRequest,
    ) -> Result<(), Status> {
        let (witness, keys) = self.hub_keys(caller)?;
        let cp = SignedCheckpoint::verify(&req.checkpoint, &self.origin(), &[self.key.public()])
            .map_err(tlog_status)?;
        if cp.size() > self.log.head() {
            return Err(Status::invalid_argument(format!(
                "field `checkpoint`: size {} is beyond this log's head {}",
                cp.size(),
                self.log.head()
            )));
        }
        let ours = self.log.tree_head(cp.size()).map_err(storage)?;
        if ours != cp.head() {
            return Err(Status::invalid_argument(format!(
                "field `checkpoint`: root at size {} differs from this log's",
                cp.size()
            )));
        }
        let cosigned = keys
            .iter()
            .any(|k| cp.cosigned_by(witness.as_str(), k).is_ok());
        if !cosigned {
            return Err(Status::unauthenticated(format!(
                "field `checkpoint`: no valid cosignature by `{witness}`"
            )));
        }
        info!(witness = %witness, size = cp.size(), "checkpoint cosigned by a witness");
        self.set_witnessed(cp).await.map_err(storage)
    }
}
