use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use tazan_model::{Envelope, LessonId, MemberId, Payload};
use tazan_proto::pb::{self, hub_client::HubClient, publish_result::Outcome};
use tazan_store::{
    DeliveryOutcome, Library, Outbox, OutboxItem, Receipt, Receipts, Store, StoredEnvelope,
};
use tazan_tlog::SignedCheckpoint;
use tazan_trust::{KeyPair, PublicKey};
use tokio::sync::Notify;
use tonic::transport::Channel;
use tracing::{error, info, warn};

use crate::{Gated, GatedLesson, GatedWithdrawal, NodeError};

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

/// What became of lessons in the outbox, as the delivery worker learns it
/// (for callers waiting on a lesson they just queued: the admin socket's
/// `Submit`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryEvent {
    /// Stored by the hub.
    Accepted(LessonId),
    /// The hub had it already.
    Duplicate(LessonId),
    /// Refused by the hub for good (removed from the outbox), and why.
    Rejected(LessonId, String),
    /// The hub answered but kept these for a later round (its storage, or a
    /// key rotation in progress), and why.
    Kept(Vec<LessonId>, String),
    /// The hub did not answer; everything stays in the outbox.
    Unreachable(String),
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
    /// The group hub (its id names its log).
    pub(crate) hub: MemberId,
    /// Receipts for this node's own lessons.
    pub(crate) receipts: Receipts,
    /// 1 once the hub's log failed verification and the node stopped following it.
    pub(crate) distrusted: std::sync::atomic::AtomicU64,
    /// Receipts from the hub that did not verify.
    pub(crate) bad_receipts: std::sync::atomic::AtomicU64,
    /// When a receipt checkpoint's signature was last checked.
    pub(crate) receipt_signature_checked: std::sync::Mutex<Option<std::time::Instant>>,
    /// Delivery outcomes as they happen.
    pub(crate) events: tokio::sync::broadcast::Sender<DeliveryEvent>,
    /// SERVING, or NOT_SERVING after a storage fault until the store heals.
    pub(crate) health: tazan_edge::Health,
    /// Counters of the metrics listener's connection limits.
    pub(crate) metrics_edge: Arc<tazan_edge::ListenerStats>,
    /// `None` for the node's first group; a further group's name, which
    /// names its outbox, receipts, cursor and pinned hub key in the store.
    pub(crate) scope: Option<String>,
    /// The cores of the node's further groups, sharing this store
    /// (registered on the first group's core by [`NodeCore::for_group`]).
    pub(crate) others: std::sync::Mutex<Vec<Arc<NodeCore>>>,
}

/// The library blob with the hub's checkpoint key, pinned at first contact.
const HUB_KEY: &str = "hub-log-key";
/// The library blob with the last verified checkpoint of the hub's log.
pub(crate) const HUB_CHECKPOINT: &str = "hub-checkpoint";

/// Envelopes per publish call.
const BATCH: usize = 256;

impl NodeCore {
    /// Open the node's store and use `key` to sign.
    pub fn open(
        id: MemberId,
        hub: MemberId,
        key: KeyPair,
        data_dir: &std::path::Path,
    ) -> Result<Arc<NodeCore>, NodeError> {
        NodeCore::with_store(id, hub, key, Store::open(data_dir)?)
    }

    /// [`NodeCore::open`] for a starting service: while another process (a
    /// CLI command reading the library) holds the store, wait up to `wait`
    /// for it, saying once who holds it; then fail naming the holder.
    pub fn open_when_free(
        id: MemberId,
        hub: MemberId,
        key: KeyPair,
        data_dir: &std::path::Path,
        wait: std::time::Duration,
    ) -> Result<Arc<NodeCore>, NodeError> {
        let store = Store::open_when_free(data_dir, wait, |holder| {
            tracing::warn!(
                store = %data_dir.display(),
                holder,
                "the node's store is held by another process; waiting up to {wait:?} for it"
            )
        })?;
        NodeCore::with_store(id, hub, key, store)
    }

    fn with_store(
        id: MemberId,
        hub: MemberId,
        key: KeyPair,
        store: Store,
    ) -> Result<Arc<NodeCore>, NodeError> {
        NodeCore::scoped(id, hub, key, store, None)
    }

    fn scoped(
        id: MemberId,
        hub: MemberId,
        key: KeyPair,
        store: Store,
        scope: Option<String>,
    ) -> Result<Arc<NodeCore>, NodeError> {
        Ok(Arc::new(NodeCore {
            id,
            hub,
            receipts: Receipts::open_for(&store, scope.as_deref())?,
            others: Default::default(),
            distrusted: Default::default(),
            bad_receipts: Default::default(),
            receipt_signature_checked: Default::default(),
            key,
            outbox: Outbox::open_for(&store, scope.as_deref())?,
            scope,
            library: Library::open(&store)?,
            store,
            wake: Notify::new(),
            delivered: Default::default(),
            refused: Default::default(),
            received: Default::default(),
            events: tokio::sync::broadcast::channel(1024).0,
            health: tazan_edge::Health::new(),
            metrics_edge: Arc::new(tazan_edge::ListenerStats::new("metrics")),
        }))
    }

    /// The core of the node's further group `scope` (a name from its
    /// `[[groups]]`), whose hub is `hub` and signing key `key`: its own
    /// outbox, receipts and cursor in this core's store, the library shared.
    /// Made once and kept; `None` scope is this core itself.
    pub fn for_group(
        self: &Arc<Self>,
        scope: Option<&str>,
        hub: MemberId,
        key: KeyPair,
    ) -> Result<Arc<NodeCore>, NodeError> {
        let Some(scope) = scope else {
            return Ok(Arc::clone(self));
        };
        if let Some(core) = self.group(scope) {
            return Ok(core);
        }
        let core = NodeCore::scoped(
            self.id.clone(),
            hub,
            key,
            self.store.clone(),
            Some(scope.to_owned()),
        )?;
        self.others
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Arc::clone(&core));
        Ok(core)
    }

    /// The core of further group `scope`, once [`NodeCore::for_group`] made it.
    pub fn group(&self, scope: &str) -> Option<Arc<NodeCore>> {
        self.others
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|c| c.scope.as_deref() == Some(scope))
            .cloned()
    }

    /// `None` for the node's first group, else the further group's name.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The group hub this core delivers to and follows.
    pub fn hub(&self) -> &MemberId {
        &self.hub
    }

    /// The library cursor of this core's group hub.
    pub fn cursor_name(&self) -> String {
        self.named(crate::LIBRARY_CURSOR)
    }

    /// A per-group name in the shared library: `base` for the first group,
    /// `base/<group>` for a further one.
    pub(crate) fn named(&self, base: &str) -> String {
        match &self.scope {
            None => base.to_owned(),
            Some(s) => format!("{base}/{s}"),
        }
    }

    /// Delivery outcomes from now on (a receiver that falls far behind
    /// misses the oldest ones and is told so).
    pub fn delivery_events(&self) -> tokio::sync::broadcast::Receiver<DeliveryEvent> {
        self.events.subscribe()
    }

    fn tell(&self, event: DeliveryEvent) {
        // Nobody listening is the usual case.
        let _ = self.events.send(event);
    }

    /// SERVING, or NOT_SERVING (with the reason) after a storage fault
    /// until the store heals; `/healthz` and `tazan status` report it.
    pub fn health(&self) -> &tazan_edge::Health {
        &self.health
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

    /// Receipts for this node's own lessons.
    pub fn receipts(&self) -> &Receipts {
        &self.receipts
    }

    /// The hub's log origin (`tazan/hub/<hub id>`).
    pub fn hub_origin(&self) -> String {
        tazan_tlog::origin(self.hub.as_str())
    }

    /// Whether the node stopped following its hub because the hub's log
    /// failed verification.
    pub fn hub_distrusted(&self) -> bool {
        self.distrusted.load(Relaxed) > 0
    }

    /// The hub's checkpoint key: pinned in the library at first contact
    /// (from the hub's `Info`), never taken from the network again.
    pub async fn hub_key(&self, client: &mut HubClient<Channel>) -> Result<PublicKey, NodeError> {
        if let Some(key) = self.pinned_hub_key()? {
            return Ok(key);
        }
        let info = client
            .info(pb::InfoRequest {})
            .await
            .map_err(|s| NodeError::Hub(s.message().to_owned()))?
            .into_inner();
        let key = PublicKey::from_bytes(&info.public_key)
            .map_err(|e| NodeError::Hub(format!("hub key: {e}")))?;
        self.library
            .set_blob(&self.named(HUB_KEY), &key.to_bytes())
            .await?;
        info!(hub = %info.hub_id, key = %key.key_id(), "pinned the hub's checkpoint key");
        Ok(key)
    }

    /// The pinned hub key, if the node has talked to its hub before.
    pub fn pinned_hub_key(&self) -> Result<Option<PublicKey>, NodeError> {
        match self.library.blob(&self.named(HUB_KEY))? {
            None => Ok(None),
            Some(b) => PublicKey::from_bytes(&b)
                .map(Some)
                .map_err(|e| NodeError::Hub(format!("pinned hub key: {e}"))),
        }
    }

    /// The last verified checkpoint of the hub's log.
    pub fn kept_checkpoint(&self) -> Result<Option<SignedCheckpoint>, NodeError> {
        self.library
            .blob(&self.named(HUB_CHECKPOINT))?
            .map(|note| {
                SignedCheckpoint::from_stored(&note, &self.hub_origin())
                    .map_err(|e| NodeError::Hub(e.to_string()))
            })
            .transpose()
    }

    /// Verify the hub's receipts for a delivered batch and keep the good
    /// ones. A receipt that does not verify is logged and counted: the hub
    /// acknowledged the lesson but its signed tree does not show it.
    async fn keep_receipts(
        &self,
        client: &mut HubClient<Channel>,
        sent: &[OutboxItem],
        resp: &pb::PublishResponse,
    ) {
        if resp.checkpoint.is_empty() {
            return;
        }
        let key = match self.hub_key(client).await {
            Ok(k) => k,
            Err(e) => {
                warn!(error = %e, "hub key unknown; receipts not kept this time");
                return;
            }
        };
        // The hub's signature is checked at most every 100 ms (the response
        // came from the hub over mutual TLS; `tazan verify receipts` and
        // `verify log` check every receipt's signature).
        let due = {
            let mut last = self
                .receipt_signature_checked
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let due = last.is_none_or(|t| t.elapsed() >= tazan_tlog::STREAM_SIGNATURE_EVERY);
            if due {
                *last = Some(std::time::Instant::now());
            }
            due
        };
        let parsed = if due {
            SignedCheckpoint::verify(&resp.checkpoint, &self.hub_origin(), &[key])
        } else {
            SignedCheckpoint::from_stored(&resp.checkpoint, &self.hub_origin())
        };
        let cp = match parsed {
            Ok(cp) => cp,
            Err(e) => {
                self.bad_receipts.fetch_add(1, Relaxed);
                error!(hub = %self.hub, error = %e, "the hub's receipt checkpoint does not verify");
                return;
            }
        };
        let mut kept = Vec::new();
        for (item, r) in sent.iter().zip(&resp.results) {
            // A response is stored as the hub's re-signed copy (it names the
            // hub, not this node): its receipt proves that copy, which this
            // node sees when it comes back in its library.
            if item.kind == tazan_model::PayloadKind::Response {
                continue;
            }
            let Some(inclusion) = r.inclusion.as_ref().filter(|_| r.seq > 0) else {
                continue;
            };
            let leaf = tazan_store::envelope_leaf(&item.envelope);
            let checked =
                tazan_tlog::hashes_from_wire("receipt", &inclusion.hashes).and_then(|p| {
                    tazan_tlog::check_inclusion(&cp, r.seq, &item.id.short(), leaf, &p)?;
                    Ok(p)
                });
            match checked {
                Ok(proof) => kept.push(Receipt {
                    id: item.id,
                    seq: r.seq,
                    leaf: leaf.0,
                    proof: proof.iter().map(|h| h.0).collect(),
                    checkpoint: resp.checkpoint.clone(),
                }),
                // A duplicate may be stored under an earlier signature of
                // the same payload (signed again after a key rotation).
                Err(_) if r.outcome == Outcome::Duplicate as i32 => {}
                Err(e) => {
                    self.bad_receipts.fetch_add(1, Relaxed);
                    error!(hub = %self.hub, error = %e, "the hub's receipt for a lesson does not verify");
                }
            }
        }
        if let Err(e) = self.receipts.put(&kept).await {
            warn!(error = %e, "keeping receipts failed");
        }
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
            "tazan_node_hub_distrusted",
            "1 once the hub's log failed verification (removed, rewritten or forked history) and the node stopped following it.",
            &l,
            self.distrusted.load(Relaxed) as f64,
        );
        e.counter(
            "tazan_node_bad_receipts_total",
            "Receipts (inclusion proofs) from the hub that did not verify.",
            &l,
            self.bad_receipts.load(Relaxed),
        );
        e.gauge(
            "tazan_node_outbox_depth",
            "Signed lessons waiting for the hub's acknowledgement.",
            &l,
            self.outbox.len() as f64,
        );
        e.gauge(
            "tazan_node_serving",
            "1 while serving; 0 after a storage fault until writes succeed again (/healthz 503).",
            &l,
            if self.health.is_serving() { 1.0 } else { 0.0 },
        );
        self.metrics_edge.render(&mut e, &l);
        e.finish()
    }

    /// Sign and queue a lesson that passed the node's leak gate; it is
    /// delivered by the outbox worker (or [`NodeCore::deliver`]). Returns its
    /// id once durably queued. Only [`crate::Gate::lesson`] makes a
    /// [`GatedLesson`]: nothing else can make the node sign a lesson.
    pub async fn publish(&self, lesson: GatedLesson) -> Result<LessonId, NodeError> {
        self.queue_gated(lesson.into()).await
    }

    /// Sign and queue a withdrawal of one of this node's lessons whose
    /// reason passed the leak gate ([`crate::Gate::withdrawal`]).
    pub async fn withdraw(&self, withdrawal: GatedWithdrawal) -> Result<LessonId, NodeError> {
        self.queue_gated(withdrawal.into()).await
    }

    /// Sign and queue either gated payload. A withdrawal of a lesson this
    /// node knows (in its library, or still in its outbox) must carry that
    /// lesson's level; the hub checks it in any case.
    pub async fn queue_gated(&self, gated: Gated) -> Result<LessonId, NodeError> {
        let payload = gated.payload();
        if let Payload::Withdrawal(w) = &payload {
            if let Some(published) = self.known_level(&w.target)? {
                if published != w.level {
                    return Err(NodeError::WithdrawalLevel {
                        target: w.target.short(),
                        published,
                        given: w.level,
                    });
                }
            }
        }
        // The gate checked both already; kept here so the rule lives where the signing is.
        payload.validate()?;
        if !payload.level().may_reach_group() {
            return Err(NodeError::Red);
        }
        self.queue(payload).await
    }

    /// The level of lesson `id` as this node knows it: from its library, or
    /// from its outbox while the hub has not acknowledged it yet.
    fn known_level(
        &self,
        id: &LessonId,
    ) -> Result<Option<tazan_model::DisclosureLevel>, NodeError> {
        if let Some(entry) = self.library.get(id)? {
            return Ok(Some(entry.level));
        }
        Ok(self
            .outbox
            .pending(usize::MAX)?
            .into_iter()
            .find(|item| item.id == *id)
            .map(|item| item.level))
    }

    async fn queue(&self, payload: Payload) -> Result<LessonId, NodeError> {
        let envelope = self.key.sign(&payload);
        self.queue_signed(envelope, &payload).await
    }

    /// Queue an envelope signed with this node's key elsewhere (its review
    /// desk, through the admin socket). The signature is checked against
    /// this node's key first, so nothing else can be queued.
    pub async fn queue_envelope(&self, envelope: Envelope) -> Result<LessonId, NodeError> {
        let payload = tazan_trust::verify_envelope(&self.key.public(), &envelope).map_err(|e| {
            NodeError::Refused(format!(
                "not signed with this node's key {} ({e}); was the key rotated without restarting the node?",
                self.key.key_id()
            ))
        })?;
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
        self.outbox
            .insert(OutboxItem {
                seq: 0,
                id,
                kind: payload.kind(),
                level: payload.level(),
                envelope: StoredEnvelope::from(&envelope),
                queued_at: tazan_trust::now_unix(),
                attempts: 0,
            })
            .await?;
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
    async fn keep_for_key(&self, item: &OutboxItem, why: &str) -> Result<(), NodeError> {
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
        self.outbox.attempted(&[kept]).await?;
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
                    let why = format!("{:?}: {}", status.code(), status.message());
                    self.tell(DeliveryEvent::Unreachable(why.clone()));
                    self.outbox.attempted(&pending).await?;
                    return Err(NodeError::Hub(why));
                }
            };
            self.keep_receipts(client, &pending, &resp).await;
            let mut done = Vec::new();
            // Told once the outbox has settled them, so a listener that sees
            // an answer finds the outbox (and its history) agreeing.
            let mut answered = Vec::new();
            let mut retry_later = Vec::new();
            let mut key_refused = Vec::new();
            for (item, r) in pending.iter().zip(resp.results) {
                match Outcome::try_from(r.outcome) {
                    Ok(Outcome::Accepted) => {
                        self.delivered.fetch_add(1, Relaxed);
                        answered.push(DeliveryEvent::Accepted(item.id));
                        report.accepted.push(item.id);
                        done.push((item.seq, DeliveryOutcome::Accepted { hub_seq: r.seq }));
                    }
                    Ok(Outcome::Duplicate) => {
                        self.delivered.fetch_add(1, Relaxed);
                        answered.push(DeliveryEvent::Duplicate(item.id));
                        report.duplicates.push(item.id);
                        done.push((item.seq, DeliveryOutcome::Duplicate { hub_seq: r.seq }));
                    }
                    _ => {
                        let rej = r.rejection.unwrap_or_default();
                        if rej.code == tonic::Code::Unavailable as i32
                            || rej.code == tonic::Code::Internal as i32
                        {
                            retry_later.push(item.clone());
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
                            self.keep_for_key(item, &why).await?;
                            key_refused.push(item.id);
                            continue;
                        }
                        warn!(lesson = %item.id.short(), reason = %why, "hub refused a lesson; removed from the outbox");
                        self.refused.fetch_add(1, Relaxed);
                        answered.push(DeliveryEvent::Rejected(item.id, why.clone()));
                        report.rejected.push((item.id, why.clone()));
                        done.push((item.seq, DeliveryOutcome::Refused { reason: why }));
                    }
                }
            }
            self.outbox.settle(&done).await?;
            for event in answered {
                self.tell(event);
            }
            if !key_refused.is_empty() {
                let why = "the hub refused this node's signing key; the lessons stay in the outbox and are retried";
                self.tell(DeliveryEvent::Kept(key_refused, why.into()));
                return Err(NodeError::Hub(why.into()));
            }
            if !retry_later.is_empty() {
                self.outbox.attempted(&retry_later).await?;
                let why = "hub storage unavailable; will retry";
                self.tell(DeliveryEvent::Kept(
                    retry_later.iter().map(|i| i.id).collect(),
                    why.into(),
                ));
                return Err(NodeError::Hub(why.into()));
            }
        }
    }
}
