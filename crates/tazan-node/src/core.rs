use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use tazan_model::{Envelope, Lesson, LessonId, MemberId, Payload, Withdrawal};
use tazan_proto::pb::{self, hub_client::HubClient, publish_result::Outcome};
use tazan_store::{DeliveryOutcome, Library, Outbox, OutboxItem, Store, StoredEnvelope};
use tazan_trust::KeyPair;
use tokio::sync::Notify;
use tonic::transport::Channel;
use tracing::{info, warn};

use crate::NodeError;

/// What one delivery round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Newly stored at the hub.
    pub accepted: Vec<LessonId>,
    /// Already stored at the hub.
    pub duplicates: Vec<LessonId>,
    /// Refused for good, with the hub's reason; removed from the outbox.
    pub rejected: Vec<(LessonId, String)>,
}

/// The node's state: key, outbox and library.
pub struct NodeCore {
    pub(crate) id: MemberId,
    pub(crate) key: KeyPair,
    pub(crate) store: Store,
    pub(crate) outbox: Outbox,
    pub(crate) library: Library,
    pub(crate) wake: Notify,
    pub(crate) delivered: std::sync::atomic::AtomicU64,
    pub(crate) refused: std::sync::atomic::AtomicU64,
    pub(crate) received: std::sync::atomic::AtomicU64,
}

/// Envelopes per publish call.
const BATCH: usize = 256;

impl NodeCore {
    /// Open the node's store and use `key` to sign.
    pub fn open(
        id: MemberId,
        key: KeyPair,
        data_dir: &std::path::Path,
    ) -> Result<Arc<NodeCore>, NodeError> {
        let store = Store::open(data_dir)?;
        Ok(Arc::new(NodeCore {
            id,
            key,
            outbox: Outbox::open(&store)?,
            library: Library::open(&store)?,
            store,
            wake: Notify::new(),
            delivered: Default::default(),
            refused: Default::default(),
            received: Default::default(),
        }))
    }

    /// This node's id.
    pub fn id(&self) -> &MemberId {
        &self.id
    }

    /// The library of received lessons.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// The outbox.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// The store (for flushing at shutdown).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The Prometheus page for this node.
    pub fn metrics(&self) -> String {
        let l = [("node", self.id.as_str())];
        let mut e = tazan_metrics::Exposition::default();
        e.counter(
            "tazan_node_delivered_total",
            "Lessons acknowledged by the hub.",
            &l,
            self.delivered.load(Relaxed),
        );
        e.counter(
            "tazan_node_refused_total",
            "Lessons the hub refused for good.",
            &l,
            self.refused.load(Relaxed),
        );
        e.counter(
            "tazan_node_received_total",
            "Lessons received from the hub since start.",
            &l,
            self.received.load(Relaxed),
        );
        e.gauge(
            "tazan_node_outbox_depth",
            "Signed lessons waiting for the hub's acknowledgement.",
            &l,
            self.outbox.len() as f64,
        );
        e.finish()
    }

    /// Validate, sign and queue a lesson; it is delivered by the outbox worker
    /// (or [`NodeCore::deliver`]). Returns its id once durably queued.
    pub async fn publish(&self, lesson: Lesson) -> Result<LessonId, NodeError> {
        lesson.validate()?;
        if !lesson.level.may_reach_group() {
            return Err(NodeError::Red);
        }
        self.queue(Payload::Lesson(lesson)).await
    }

    /// Sign and queue a withdrawal of one of this node's lessons.
    pub async fn withdraw(&self, withdrawal: Withdrawal) -> Result<LessonId, NodeError> {
        let payload = Payload::Withdrawal(withdrawal);
        payload.validate()?;
        if !payload.level().may_reach_group() {
            return Err(NodeError::Red);
        }
        self.queue(payload).await
    }

    async fn queue(&self, payload: Payload) -> Result<LessonId, NodeError> {
        let envelope = self.key.sign(&payload);
        self.queue_signed(envelope, &payload).await
    }

    /// Queue an envelope this node signed earlier (from the spool). The
    /// signature is checked against this node's key first.
    pub async fn queue_envelope(&self, envelope: Envelope) -> Result<LessonId, NodeError> {
        let payload = tazan_trust::verify_envelope(&self.key.public(), &envelope)
            .map_err(|e| NodeError::Hub(format!("spooled envelope refused: {e}")))?;
        if !payload.level().may_reach_group() {
            return Err(NodeError::Red);
        }
        self.queue_signed(envelope, &payload).await
    }

    async fn queue_signed(
        &self,
        envelope: Envelope,
        payload: &Payload,
    ) -> Result<LessonId, NodeError> {
        let id = envelope.id();
        self.outbox.insert(OutboxItem {
            seq: 0,
            id,
            kind: payload.kind(),
            level: payload.level(),
            envelope: StoredEnvelope::from(&envelope),
            queued_at: tazan_trust::now_unix(),
            attempts: 0,
        })?;
        // Delivery may start while the local flush runs: the caller is told
        // "queued" only once the flush is done, and a hub acknowledgement
        // before that is just as good.
        self.wake.notify_one();
        self.store.flush().await?;
        info!(lesson = %id.short(), kind = payload.kind().as_str(), level = %payload.level(), "queued");
        Ok(id)
    }

    /// A lesson the hub refused because of its signing key stays queued.
    ///
    /// Signed with a key this node no longer holds (it rotated since): sign
    /// it again with the current key; the lesson id, a hash of the payload,
    /// stays the same. Signed with the current key: the roster does not list
    /// that key yet (the admin has not applied the key announcement) or has
    /// revoked it; retry until the roster changes.
    fn keep_for_key(&self, item: &OutboxItem, why: &str) -> Result<(), NodeError> {
        let mut kept = item.clone();
        let current = self.key.key_id();
        if item.envelope.signer != current.as_str() {
            if let Ok(payload) = Payload::from_canonical_bytes(&item.envelope.payload) {
                kept.envelope = StoredEnvelope::from(&self.key.sign(&payload));
                info!(lesson = %item.id.short(), old = %item.envelope.signer, new = %current, "signed again with the node's current key");
            }
        } else {
            warn!(lesson = %item.id.short(), reason = %why, "the hub does not accept this node's key (yet); kept in the outbox until the roster lists it");
        }
        self.outbox.attempted(&kept)?;
        Ok(())
    }

    /// Send everything in the outbox once; acknowledged items leave the outbox.
    ///
    /// A transport failure returns an error and leaves the outbox as it was;
    /// a per-lesson refusal (bad signature, invalid content) removes that
    /// lesson, because resending it cannot succeed; a storage refusal at the
    /// hub (`UNAVAILABLE`) keeps it for the next round, and so does a refusal
    /// of the signing key (field `signer`: a key rotation in progress).
    pub async fn deliver(
        &self,
        client: &mut HubClient<Channel>,
    ) -> Result<DeliveryReport, NodeError> {
        let mut report = DeliveryReport::default();
        loop {
            let pending = self.outbox.pending(BATCH)?;
            if pending.is_empty() {
                return Ok(report);
            }
            let envelopes = pending
                .iter()
                .map(|i| pb::Envelope {
                    payload: i.envelope.payload.clone(),
                    signer: i.envelope.signer.clone(),
                    signature: i.envelope.signature.clone(),
                })
                .collect();
            let resp = match client.publish(pb::PublishRequest { envelopes }).await {
                Ok(r) => r.into_inner(),
                Err(status) => {
                    for item in &pending {
                        self.outbox.attempted(item)?;
                    }
                    return Err(NodeError::Hub(format!(
                        "{:?}: {}",
                        status.code(),
                        status.message()
                    )));
                }
            };
            let mut done = Vec::new();
            let mut retry_later = false;
            let mut key_refused = false;
            for (item, r) in pending.iter().zip(resp.results) {
                match Outcome::try_from(r.outcome) {
                    Ok(Outcome::Accepted) => {
                        self.delivered.fetch_add(1, Relaxed);
                        report.accepted.push(item.id);
                        done.push((item.seq, DeliveryOutcome::Accepted { hub_seq: r.seq }));
                    }
                    Ok(Outcome::Duplicate) => {
                        self.delivered.fetch_add(1, Relaxed);
                        report.duplicates.push(item.id);
                        done.push((item.seq, DeliveryOutcome::Duplicate { hub_seq: r.seq }));
                    }
                    _ => {
                        let rej = r.rejection.unwrap_or_default();
                        if rej.code == tonic::Code::Unavailable as i32
                            || rej.code == tonic::Code::Internal as i32
                        {
                            retry_later = true;
                            self.outbox.attempted(item)?;
                            continue;
                        }
                        let why = format!(
                            "{} ({}): {}",
                            rej.field,
                            tonic::Code::from(rej.code),
                            rej.message
                        );
                        if rej.field == "signer" {
                            // A key matter, not the lesson's: keep it.
                            self.keep_for_key(item, &why)?;
                            key_refused = true;
                            continue;
                        }
                        warn!(lesson = %item.id.short(), reason = %why, "hub refused a lesson; removed from the outbox");
                        self.refused.fetch_add(1, Relaxed);
                        report.rejected.push((item.id, why.clone()));
                        done.push((item.seq, DeliveryOutcome::Refused { reason: why }));
                    }
                }
            }
            self.outbox.settle(&done).await?;
            if key_refused {
                return Err(NodeError::Hub(
                    "the hub refused this node's signing key; the lessons stay in the outbox and are retried"
                        .into(),
                ));
            }
            if retry_later {
                return Err(NodeError::Hub("hub storage unavailable; will retry".into()));
            }
        }
    }
}
