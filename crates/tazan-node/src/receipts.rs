//! Re-checking what the hub promised: the node's receipts (inclusion proofs
//! for its own lessons) against the hub's log as it is now, and the node's
//! kept state offline.

use std::collections::BTreeMap;

use serde::Serialize;
use tazan_proto::pb::{self, hub_client::HubClient};
use tazan_proto::FollowError;
use tazan_store::Receipt;
use tazan_tlog::{check_inclusion, check_related, Hash, LogView, SignedCheckpoint, WitnessKey};
use tonic::transport::Channel;

use crate::{NodeCore, NodeError};

/// What re-checking receipts found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReceiptReport {
    /// The hub's log.
    pub origin: String,
    /// Receipts checked.
    pub receipts: usize,
    /// The hub's current tree size (0 when checked offline).
    pub hub_size: u64,
    /// Receipts whose lesson is still stored, unchanged, in a log that
    /// extends the one the receipt was given for.
    pub still_there: usize,
    /// Everything wrong, each naming the lesson, its sequence number and the sizes.
    pub problems: Vec<String>,
}

impl std::fmt::Display for ReceiptReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.hub_size == 0 {
            writeln!(f, "hub log {} (receipts checked offline)", self.origin)?;
        } else {
            writeln!(f, "hub log {}: size {} now", self.origin, self.hub_size)?;
        }
        writeln!(
            f,
            "receipts: {}, lessons still there and unchanged: {}",
            self.receipts, self.still_there
        )?;
        if self.problems.is_empty() {
            write!(f, "OK")
        } else {
            writeln!(f, "{} problem(s):", self.problems.len())?;
            for p in &self.problems {
                writeln!(f, "  {p}")?;
            }
            Ok(())
        }
    }
}

fn proof_of(r: &Receipt) -> Vec<Hash> {
    r.proof.iter().map(|h| Hash(*h)).collect()
}

impl NodeCore {
    /// Check the hub's current checkpoint against the one this node kept
    /// (and, with `witness`, the witnessed one): the same check the follow
    /// loop runs on every resume. Nothing is stored.
    pub async fn resume_view(
        &self,
        client: &mut HubClient<Channel>,
        witness: Option<&WitnessKey>,
    ) -> Result<LogView, FollowError> {
        let unavailable =
            |e: NodeError| FollowError::Transport(tonic::Status::unavailable(e.to_string()));
        let key = self.hub_key(client).await.map_err(unavailable)?;
        let kept = self.kept_checkpoint().map_err(unavailable)?;
        let mut view = LogView::new(self.hub_origin(), vec![key], kept);
        tazan_proto::resume(client, &mut view, witness).await?;
        Ok(view)
    }

    /// Each receipt checked offline: signed by the pinned hub key, and its
    /// proof puts the lesson in that checkpoint's tree.
    fn receipts_offline(
        &self,
        report: &mut ReceiptReport,
    ) -> Result<Vec<(Receipt, SignedCheckpoint)>, NodeError> {
        let key = self.pinned_hub_key()?;
        let mut good = Vec::new();
        for r in self.receipts.all()? {
            let keys: Vec<_> = key.into_iter().collect();
            let checked =
                SignedCheckpoint::verify(&r.checkpoint, &report.origin, &keys).and_then(|cp| {
                    check_inclusion(&cp, r.seq, &r.id.short(), Hash(r.leaf), &proof_of(&r))?;
                    Ok(cp)
                });
            match checked {
                Ok(cp) => good.push((r, cp)),
                Err(e) => report.problems.push(format!(
                    "receipt for lesson {} (entry {}): {e}",
                    r.id.short(),
                    r.seq
                )),
            }
        }
        Ok(good)
    }

    /// Offline: receipts and the kept checkpoint, as stored.
    pub fn audit_offline(&self) -> Result<ReceiptReport, NodeError> {
        let mut report = ReceiptReport {
            origin: self.hub_origin(),
            receipts: self.receipts.len(),
            ..Default::default()
        };
        if let Err(e) = self.kept_checkpoint() {
            report
                .problems
                .push(format!("the hub checkpoint kept: {e}"));
        }
        report.still_there = self.receipts_offline(&mut report)?.len();
        Ok(report)
    }

    /// Ask the hub whether every lesson this node was given a receipt for is
    /// still there: the hub's log now must extend each receipt's checkpoint
    /// (consistency proof), and the entry must still be served, unchanged,
    /// at its sequence number, in the current tree.
    pub async fn verify_receipts(
        &self,
        client: &mut HubClient<Channel>,
    ) -> Result<ReceiptReport, NodeError> {
        let mut report = ReceiptReport {
            origin: self.hub_origin(),
            receipts: self.receipts.len(),
            ..Default::default()
        };
        let view = match self.resume_view(client, None).await {
            Ok(v) => v,
            Err(FollowError::Distrust(e)) => {
                report.problems.push(e.to_string());
                return Ok(report);
            }
            Err(FollowError::Transport(s)) => return Err(NodeError::Hub(s.message().to_owned())),
        };
        let Some(now) = view.trusted().cloned() else {
            return Ok(report);
        };
        report.hub_size = now.size();
        let mut consistent: BTreeMap<u64, Result<(), String>> = BTreeMap::new();
        for (r, cp) in self.receipts_offline(&mut report)? {
            let lesson = r.id.short();
            let verdict = match consistent.entry(cp.size()) {
                std::collections::btree_map::Entry::Occupied(e) => e.get().clone(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(self.related(client, &cp, &now).await?).clone()
                }
            };
            if let Err(why) = verdict {
                report
                    .problems
                    .push(format!("lesson {lesson} (entry {}): {why}", r.seq));
                continue;
            }
            match self.still_served(client, &r, &now).await? {
                Ok(()) => report.still_there += 1,
                Err(why) => report
                    .problems
                    .push(format!("lesson {lesson} (entry {}): {why}", r.seq)),
            }
        }
        Ok(report)
    }

    /// A consistency proof from the hub between two sizes (none needed
    /// unless `old < new`); `Ok(Err(why))` when its hashes are malformed.
    async fn proof(
        &self,
        client: &mut HubClient<Channel>,
        old: u64,
        new: u64,
    ) -> Result<Result<Vec<Hash>, String>, NodeError> {
        if old == 0 || old >= new {
            return Ok(Ok(Vec::new()));
        }
        let hashes = client
            .consistency(pb::ConsistencyRequest {
                old_size: old,
                new_size: new,
            })
            .await
            .map_err(|s| NodeError::Hub(s.message().to_owned()))?
            .into_inner()
            .hashes;
        Ok(tazan_tlog::hashes_from_wire("consistency proof", &hashes).map_err(|e| e.to_string()))
    }

    async fn related(
        &self,
        client: &mut HubClient<Channel>,
        old: &SignedCheckpoint,
        now: &SignedCheckpoint,
    ) -> Result<Result<(), String>, NodeError> {
        Ok(match self.proof(client, old.size(), now.size()).await? {
            Ok(proof) => check_related(old, now, &proof).map_err(|e| e.to_string()),
            Err(why) => Err(why),
        })
    }

    async fn still_served(
        &self,
        client: &mut HubClient<Channel>,
        r: &Receipt,
        now: &SignedCheckpoint,
    ) -> Result<Result<(), String>, NodeError> {
        let entry = match client
            .get(pb::GetRequest {
                lesson_id: r.id.0.to_vec(),
            })
            .await
        {
            Ok(e) => e.into_inner(),
            Err(s) if s.code() == tonic::Code::NotFound => {
                return Ok(Err("the hub no longer serves it".into()))
            }
            Err(s) => return Err(NodeError::Hub(s.message().to_owned())),
        };
        if entry.seq != r.seq {
            return Ok(Err(format!("the hub serves it as entry {} now", entry.seq)));
        }
        let env = entry.envelope.clone().unwrap_or_default();
        let leaf = tazan_tlog::leaf_hash(&env.payload, &env.signer, &env.signature);
        if leaf.0 != r.leaf {
            return Ok(Err(
                "the envelope the hub serves differs from the one it gave the receipt for (a rewritten entry)"
                    .into(),
            ));
        }
        // The entry's proof is against the hub's checkpoint of the moment,
        // which must extend the one checked above.
        let keys = self.pinned_hub_key()?.into_iter().collect();
        let mut view = LogView::new(self.hub_origin(), keys, Some(now.clone()));
        if !entry.checkpoint.is_empty() {
            let newer = match view.parse(&entry.checkpoint) {
                Ok(cp) => cp,
                Err(e) => return Ok(Err(e.to_string())),
            };
            let proof = match self.proof(client, now.size(), newer.size()).await? {
                Ok(p) => p,
                Err(why) => return Ok(Err(why)),
            };
            if let Err(e) = view.advance(&entry.checkpoint, &proof) {
                return Ok(Err(e.to_string()));
            }
        }
        Ok(tazan_proto::verify_entry(
            &mut view,
            &pb::LogEntry {
                checkpoint: Vec::new(),
                ..entry
            },
        )
        .map_err(|e| e.to_string()))
    }
}
