//! The group hub's two links to the cross hub: the relay (own members'
//! GREEN/CLEAR lessons upward, re-signed by the hub) and the downstream
//! subscription (other groups' lessons into this hub's log).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;

use tazan_edge::{pause, Backoff};
use tazan_model::{Envelope, MemberId};
use tazan_proto::pb::{self, hub_client::HubClient, publish_result::Outcome};
use tazan_proto::ClientTls;
use tazan_proto::FollowError as Interrupted;
use tazan_store::{LogRecord, NewRecord};
use tazan_tlog::{LogView, SignedCheckpoint};
use tazan_trust::{PublicKey, SignedRoster};
use tokio::sync::watch;
use tonic::transport::Channel;
use tracing::{debug, error, info, warn};

use crate::{HubCore, Upstream};

const BATCH: usize = 256;

fn client(up: &Upstream) -> Option<HubClient<Channel>> {
    let tls = ClientTls {
        cert: up.tls.cert.clone(),
        key: up.tls.key.clone(),
        ca: up.tls.ca.clone(),
    };
    match tazan_proto::channel(&up.endpoint, up.server_name.as_str(), &tls) {
        Ok(ch) => Some(
            HubClient::new(ch)
                .max_decoding_message_size(64 << 20)
                .max_encoding_message_size(64 << 20),
        ),
        Err(e) => {
            warn!(error = %e, "upstream TLS setup failed; relay disabled until restart");
            None
        }
    }
}

/// Relayed lessons the cross hub acknowledged whose relay-outbox marks are
/// not yet known to be gone from disk: never sent again, and their marks
/// removed again until a flush makes the removal durable (a storage fault
/// can take an unflushed removal back).
#[derive(Debug, Default)]
struct Acked {
    /// Seqs acknowledged, with the ticket of the write that removed their
    /// marks (`None`: that write has not succeeded yet).
    seqs: std::collections::BTreeMap<u64, Option<tazan_store::Ticket>>,
}

impl Acked {
    fn add(&mut self, seqs: &[u64]) {
        for &seq in seqs {
            self.seqs.entry(seq).or_insert(None);
        }
    }

    fn contains(&self, seq: u64) -> bool {
        self.seqs.contains_key(&seq)
    }

    /// Remove the marks of every acknowledged seq whose removal was not
    /// written yet, or was lost when the store was reopened after a fault;
    /// forget those whose removal is durable.
    async fn settle(&mut self, core: &HubCore) -> Result<(), tazan_store::StoreError> {
        let store = core.log.store();
        self.seqs
            .retain(|_, ticket| !ticket.is_some_and(|t| store.is_durable(t)));
        let open: Vec<u64> = self
            .seqs
            .iter()
            .filter(|(_, t)| t.is_none_or(|t| store.was_lost(t)))
            .map(|(seq, _)| *seq)
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        let ticket = core.log.relay_done(&open).await?;
        for seq in open {
            self.seqs.insert(seq, Some(ticket));
        }
        Ok(())
    }

    /// Whether every mark was removed (durably or not yet).
    fn is_settled(&self) -> bool {
        self.seqs.values().all(Option::is_some)
    }

    /// Whether a removal written is not on disk yet.
    fn awaits_flush(&self, core: &HubCore) -> bool {
        let store = core.log.store();
        self.seqs.values().flatten().any(|t| !store.is_durable(*t))
    }

    /// When idle: flush, so the removals are durable and can be forgotten
    /// (under load the ingest's flushes do it).
    async fn make_durable(&mut self, core: &HubCore) {
        let store = core.log.store();
        if self.awaits_flush(core) {
            if let Err(e) = store.flush().await {
                debug!(error = %e, "flushing relay marks failed");
            }
            self.seqs
                .retain(|_, ticket| !ticket.is_some_and(|t| store.is_durable(t)));
        }
    }
}

/// Relay own members' GREEN/CLEAR lessons to the cross hub until stopped,
/// re-signed with the hub key, retrying with backoff until acknowledged. A
/// lesson the cross hub acknowledged is never sent again by this process,
/// even when marking it relayed fails (a full disk): it is kept in memory
/// until the mark's removal is durable.
pub(crate) async fn relay_loop(core: Arc<HubCore>, up: Upstream, mut stop: watch::Receiver<bool>) {
    let Some(mut client) = client(&up) else {
        return;
    };
    let mut head = core.log.watch();
    let mut backoff = Backoff::network();
    let mut catch_up = CatchUp::default();
    let mut acked = Acked::default();
    let mut store_faults = core.log.store().faults();
    loop {
        if *stop.borrow() {
            return;
        }
        head.borrow_and_update();
        store_faults.borrow_and_update();
        if let Err(e) = acked.settle(&core).await {
            debug!(error = %e, "marking relayed lessons failed; they stay marked in memory and are not resent");
        }
        let pending = match core.log.relay_pending(BATCH + acked.seqs.len()) {
            Ok(p) => p,
            Err(e) => {
                debug!(error = %e, "reading relay outbox failed");
                if backoff.wait(&mut stop).await {
                    return;
                }
                continue;
            }
        };
        let pending: Vec<LogRecord> = pending
            .into_iter()
            .filter(|r| !acked.contains(r.seq))
            .take(BATCH)
            .collect();
        if pending.is_empty() {
            if !acked.is_settled() {
                // Marks not removed yet (storage fault): retry with backoff.
                if backoff.wait(&mut stop).await {
                    return;
                }
                continue;
            }
            // Removed marks become durable with the next flush of this
            // store (an ingest's, within milliseconds under load); only a
            // relay left idle flushes them itself, so a lesson relayed
            // alone does not cost a flush of its own.
            let flush_due = acked.awaits_flush(&core);
            let wake = if flush_due {
                RELAY_MARKS_FLUSH_AFTER
            } else {
                Duration::from_secs(1)
            };
            tokio::select! {
                _ = head.changed() => {}
                _ = stop.changed() => return,
                // A store reopened after a fault may hold marks again.
                _ = store_faults.changed() => {}
                // Also wake periodically: the outbox may hold entries from
                // before a restart, and acknowledged marks to settle.
                _ = tokio::time::sleep(wake) => if flush_due {
                    acked.make_durable(&core).await;
                },
            }
            continue;
        }
        let (seqs, envelopes) = resign(&core, &pending);
        let sent = tokio::select! {
            r = client.publish(pb::PublishRequest { envelopes }) => r,
            _ = stop.changed() => return,
        };
        match sent {
            Ok(resp) => {
                let mut done = Vec::new();
                let mut key_refused = None;
                for (seq, r) in seqs.iter().zip(resp.into_inner().results) {
                    match Outcome::try_from(r.outcome) {
                        Ok(Outcome::Accepted | Outcome::Duplicate) => {
                            core.stats.relayed.fetch_add(1, Ordering::Relaxed);
                        }
                        // The hub key, not the lesson, was refused (a rotation
                        // the cross roster does not show yet): keep it queued.
                        _ if r.rejection.as_ref().is_some_and(|x| x.field == "signer") => {
                            key_refused = r.rejection.map(|x| x.message);
                            continue;
                        }
                        _ => {
                            let why = r.rejection.map(|x| format!("{} {}", x.field, x.message));
                            warn!(seq, reason = ?why, "cross hub refused a relayed lesson; dropped from the relay outbox");
                        }
                    }
                    done.push(*seq);
                }
                acked.add(&done);
                if let Err(e) = acked.settle(&core).await {
                    warn!(error = %e, "marking relayed lessons failed; kept in memory, not resent, marked once storage works again");
                }
                debug!(count = done.len(), "relayed");
                catch_up.relayed(done.len(), core.log.relay_len());
                if let Some(why) = key_refused {
                    warn!(key = %core.key.key_id(), reason = %why, "cross hub refused this hub's signing key; lessons stay in the relay outbox until the cross roster lists it");
                    if backoff.wait(&mut stop).await {
                        return;
                    }
                    continue;
                }
                backoff.reset();
            }
            Err(status) => {
                warn!(code = ?status.code(), message = status.message(), pending = pending.len(), "relay to cross hub failed; retrying");
                if backoff.wait(&mut stop).await {
                    return;
                }
            }
        }
    }
}

/// Progress of a relay backlog (after an outage of the cross hub, or a
/// restart with a full relay outbox): logged when more than a batch is
/// waiting, then at most every few seconds, and once when it is cleared.
#[derive(Debug, Default)]
struct CatchUp {
    /// Lessons relayed since the backlog was first seen, and when that was.
    started: Option<(std::time::Instant, u64)>,
    last_log: Option<std::time::Instant>,
}

const CATCH_UP_LOG_EVERY: Duration = Duration::from_secs(5);

/// How long an idle relay leaves removed relay marks to the store's next
/// flush before it flushes them itself.
const RELAY_MARKS_FLUSH_AFTER: Duration = Duration::from_millis(200);

impl CatchUp {
    fn relayed(&mut self, sent: usize, remaining: usize) {
        let now = std::time::Instant::now();
        match (&mut self.started, remaining) {
            // A batch or two behind is normal under load; a backlog is more.
            (None, r) if r < BATCH => {}
            (None, _) => {
                info!(remaining, "relay catching up with the cross hub");
                self.started = Some((now, sent as u64));
                self.last_log = Some(now);
            }
            (Some((since, total)), 0) => {
                *total += sent as u64;
                info!(
                    relayed = *total,
                    seconds = since.elapsed().as_secs_f64(),
                    "relay caught up with the cross hub"
                );
                *self = CatchUp::default();
            }
            (Some((_, total)), _) => {
                *total += sent as u64;
                if self
                    .last_log
                    .is_none_or(|t| now.duration_since(t) >= CATCH_UP_LOG_EVERY)
                {
                    info!(
                        relayed = *total,
                        remaining, "relay catching up with the cross hub"
                    );
                    self.last_log = Some(now);
                }
            }
        }
    }
}

fn resign(core: &HubCore, pending: &[LogRecord]) -> (Vec<u64>, Vec<pb::Envelope>) {
    let mut seqs = Vec::with_capacity(pending.len());
    let mut out = Vec::with_capacity(pending.len());
    for rec in pending {
        // Stored entries passed validation on the way in (and the cross hub
        // validates again): their bytes are signed as they are, not
        // decoded and encoded again.
        match core.key.sign_canonical(&rec.envelope.payload) {
            Some(env) => {
                seqs.push(rec.seq);
                out.push(pb::Envelope::from(&env));
            }
            None => {
                warn!(
                    seq = rec.seq,
                    "stored payload is not a known payload kind; not relayed"
                )
            }
        }
    }
    (seqs, out)
}

/// Follow the cross hub's log into this hub's log, from a durable cursor.
pub(crate) async fn downstream_loop(
    core: Arc<HubCore>,
    up: Upstream,
    mut stop: watch::Receiver<bool>,
) {
    let Some(mut client) = client(&up) else {
        return;
    };
    let mut backoff = Backoff::network();
    let mut roster: Option<SignedRoster> = None;
    loop {
        if *stop.borrow() {
            return;
        }
        let mut stop_seen = stop.clone();
        let followed = tokio::select! {
            r = follow(&core, &up, &mut client, &mut roster, &mut stop) => r,
            _ = stop_seen.changed() => return,
        };
        match followed {
            Ok(()) => return,
            Err(Interrupted::Distrust(e)) => {
                core.stats.upstream_distrusted.store(1, Ordering::Relaxed);
                error!(
                    hub = %up.server_name,
                    error = %e,
                    "the cross hub's log failed verification; no longer following it (nothing from this stream is stored; an operator must investigate)"
                );
                return;
            }
            Err(Interrupted::Transport(status)) => {
                debug!(code = ?status.code(), message = status.message(), "cross hub subscription interrupted; resuming");
                if backoff.wait(&mut stop).await {
                    return;
                }
            }
        }
    }
}

async fn fetch_roster(
    client: &mut HubClient<Channel>,
    pinned: Option<&tazan_trust::PublicKey>,
) -> Result<SignedRoster, tonic::Status> {
    let resp = client.roster(pb::RosterRequest {}).await?.into_inner();
    let signed: SignedRoster = serde_json::from_slice(&resp.signed_roster_json)
        .map_err(|e| tonic::Status::data_loss(format!("cross hub roster: {e}")))?;
    let checked = match pinned {
        Some(admin) => signed.verify_pinned(admin).map(|_| ()),
        None => {
            warn!("upstream.roster_admin_key is not set: the cross hub's roster is checked for integrity only");
            signed.verify().map(|_| ())
        }
    };
    checked.map_err(|e| tonic::Status::data_loss(format!("cross hub roster: {e}")))?;
    Ok(signed)
}

/// The blob with the last verified checkpoint of the cross hub's log.
const UPSTREAM_CHECKPOINT: &str = "upstream-checkpoint";
/// The blob with the cross hub's checkpoint key, pinned at first contact.
const UPSTREAM_KEY: &str = "upstream-log-key";

/// The cross hub's checkpoint key: pinned in the store at first contact
/// (from its `Info`) and never taken from the network again.
async fn upstream_key(
    core: &HubCore,
    client: &mut HubClient<Channel>,
) -> Result<PublicKey, tonic::Status> {
    let unavailable = |e: tazan_store::StoreError| tonic::Status::unavailable(e.to_string());
    if let Some(stored) = core.log.blob(UPSTREAM_KEY).map_err(unavailable)? {
        return PublicKey::from_bytes(&stored)
            .map_err(|e| tonic::Status::data_loss(format!("pinned cross hub key: {e}")));
    }
    let info = client.info(pb::InfoRequest {}).await?.into_inner();
    let key = PublicKey::from_bytes(&info.public_key)
        .map_err(|e| tonic::Status::data_loss(format!("cross hub key: {e}")))?;
    core.log
        .set_blob(UPSTREAM_KEY, &key.to_bytes())
        .await
        .map_err(unavailable)?;
    info!(hub = %info.hub_id, key = %key.key_id(), "pinned the cross hub's checkpoint key");
    Ok(key)
}

/// Verify the cross hub's current checkpoint against the one kept from
/// last time (consistency on every resume), and keep the new one.
async fn resume_view(
    core: &HubCore,
    up: &Upstream,
    client: &mut HubClient<Channel>,
) -> Result<LogView, Interrupted> {
    let key = upstream_key(core, client).await?;
    let origin = tazan_tlog::origin(up.server_name.as_str());
    let unavailable = |e: tazan_store::StoreError| tonic::Status::unavailable(e.to_string());
    let kept = core
        .log
        .blob(UPSTREAM_CHECKPOINT)
        .map_err(unavailable)?
        .map(|note| SignedCheckpoint::from_stored(&note, &origin))
        .transpose()?;
    let mut view = LogView::new(origin, vec![key], kept);
    let before = view.size();
    tazan_proto::resume(client, &mut view, None).await?;
    if let Some(cp) = view.trusted() {
        core.log
            .set_blob(UPSTREAM_CHECKPOINT, cp.note())
            .await
            .map_err(unavailable)?;
    }
    info!(
        from = before,
        to = view.size(),
        "the cross hub's log is consistent with the checkpoint kept from last time"
    );
    Ok(view)
}

/// Cosign the cross hub's verified checkpoint as its witness (at most
/// every [`COSIGN_EVERY`]); a failure only means it is tried again.
async fn cosign_upstream(
    core: &HubCore,
    client: &mut HubClient<Channel>,
    view: &LogView,
    last: &mut Option<std::time::Instant>,
) {
    if last.is_some_and(|t| t.elapsed() < COSIGN_EVERY) {
        return;
    }
    let Some(cp) = view.trusted() else { return };
    *last = Some(std::time::Instant::now());
    let cosigned = cp
        .cosign(core.id.as_str(), &core.key, core.clock.now_unix())
        .and_then(|line| cp.with_signatures(&line));
    match cosigned {
        Ok(cp) => {
            let sent = client
                .add_cosignature(pb::AddCosignatureRequest {
                    checkpoint: cp.note().to_vec(),
                })
                .await;
            if let Err(status) = sent {
                debug!(code = ?status.code(), message = status.message(), "the cross hub did not take this hub's cosignature");
            }
        }
        Err(e) => warn!(error = %e, "cosigning the cross hub's checkpoint failed"),
    }
}

const COSIGN_EVERY: Duration = Duration::from_secs(1);

async fn follow(
    core: &Arc<HubCore>,
    up: &Upstream,
    client: &mut HubClient<Channel>,
    roster: &mut Option<SignedRoster>,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), Interrupted> {
    const CURSOR: &str = "upstream";
    if roster.is_none() {
        *roster = Some(fetch_roster(client, up.roster_admin_key.as_ref()).await?);
    }
    let mut view = resume_view(core, up, client).await?;
    let mut cosigned = None;
    cosign_upstream(core, client, &view, &mut cosigned).await;
    let after = core
        .log
        .cursor(CURSOR)
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let mut stream = client
        .subscribe(pb::SubscribeRequest {
            after_seq: after,
            filter: None,
            follow: true,
            known_size: view.size(),
        })
        .await?
        .into_inner();
    info!(after, "following the cross hub");
    loop {
        let entry = tokio::select! {
            m = stream.message() => m?,
            _ = stop.changed() => return Ok(()),
        };
        let Some(first) = entry else {
            return Err(tonic::Status::unavailable("cross hub closed the stream").into());
        };
        // Take whatever else has already arrived, so a burst costs one flush.
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match stream.message().now_or_never() {
                Some(Ok(Some(e))) => batch.push(e),
                _ => break,
            }
        }
        let last = batch.last().map_or(0, |e| e.seq);
        // Every entry is checked against the cross hub's signed tree, and
        // every new checkpoint against the last one, before anything is stored.
        for entry in &batch {
            tazan_proto::verify_entry(&mut view, entry)?;
        }
        let mut resolved = Vec::with_capacity(batch.len());
        let cross_key = upstream_key(core, client).await?;
        for entry in batch {
            if entry.origin == core.id.as_str() {
                continue; // our own relay coming back
            }
            let seq = entry.seq;
            match resolve(up, roster, client, &cross_key, entry).await {
                Ok(r) => resolved.push(r),
                Err(why) => warn!(seq, reason = %why, "entry from the cross hub refused"),
            }
        }
        let records = admit_downstream(core, resolved).await?;
        let n = records.len() as u64;
        let kept = view.trusted().map(|cp| cp.note().to_vec());
        core.log
            .append_durable_with_cursor(
                records,
                Some((CURSOR, last)),
                kept.as_deref().map(|note| (UPSTREAM_CHECKPOINT, note)),
            )
            .await
            .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
        core.stats.received_upstream.fetch_add(n, Ordering::Relaxed);
        cosign_upstream(core, client, &view, &mut cosigned).await;
    }
}

/// Have the cross hub witness this hub's checkpoints: submit each new one
/// with a consistency proof from the size the cross hub last cosigned, and
/// keep the cosigned checkpoint to serve to members that require it.
pub(crate) async fn witness_loop(
    core: Arc<HubCore>,
    up: Upstream,
    mut stop: watch::Receiver<bool>,
) {
    let Some(mut client) = client(&up) else {
        return;
    };
    let mut head = core.log.watch();
    let mut held = 0u64;
    let mut backoff = Backoff::network();
    loop {
        if *stop.borrow() {
            return;
        }
        head.borrow_and_update();
        let submitted = match core.checkpoint() {
            Ok(cp) if !witnessed(&core, &cp) => {
                tokio::select! {
                    r = submit(&core, &mut client, &cp, &mut held) => Some(r),
                    _ = stop.changed() => return,
                }
            }
            Ok(_) => None,
            Err(e) => {
                warn!(error = %e, "making a checkpoint failed");
                Some(Err(()))
            }
        };
        match submitted {
            Some(Err(())) => {
                if backoff.wait(&mut stop).await {
                    return;
                }
                continue;
            }
            Some(Ok(())) => backoff.reset(),
            None => {}
        }
        // At most two submissions a second, whatever the append rate.
        if pause(&mut stop, WITNESS_EVERY).await {
            return;
        }
        if core.checkpoint().is_ok_and(|cp| witnessed(&core, &cp)) {
            tokio::select! {
                _ = head.changed() => {}
                _ = stop.changed() => return,
            }
        }
    }
}

const WITNESS_EVERY: Duration = Duration::from_millis(500);

/// Whether `cp` is what the witness last cosigned (an empty log needs no
/// witness). Any other checkpoint is submitted, also a smaller or forked
/// one after the store was edited: the witness then refuses and says why.
fn witnessed(core: &HubCore, cp: &SignedCheckpoint) -> bool {
    match core.witnessed_checkpoint() {
        Some(w) => w.head() == cp.head(),
        None => cp.size() == 0,
    }
}

/// One add-checkpoint round; `held` tracks the size the witness holds.
async fn submit(
    core: &HubCore,
    client: &mut HubClient<Channel>,
    cp: &SignedCheckpoint,
    held: &mut u64,
) -> Result<(), ()> {
    let witness_key = match upstream_key(core, client).await {
        Ok(k) => k,
        Err(status) => {
            debug!(code = ?status.code(), message = status.message(), "cross hub unreachable for witnessing");
            return Err(());
        }
    };
    for _ in 0..2 {
        if *held > cp.size() {
            // Entries were removed from this hub's store since the witness
            // cosigned: submit anyway, the witness refuses and says why.
            error!(
                witness_size = *held,
                size = cp.size(),
                "this hub's log is smaller than a checkpoint the witness cosigned"
            );
        }
        let proof = match core.log.consistency_proof(*held, cp.size()) {
            Ok(p) => p,
            Err(e) => {
                warn!(error = %e, "consistency proof for the witness failed");
                return Err(());
            }
        };
        let answer = client
            .add_checkpoint(pb::AddCheckpointRequest {
                old_size: *held,
                consistency: tazan_tlog::hashes_to_wire(&proof),
                checkpoint: cp.note().to_vec(),
            })
            .await;
        match answer {
            Ok(resp) => {
                let line = resp.into_inner().cosignature;
                let witness = core
                    .upstream_name
                    .as_ref()
                    .map_or("", |n| n.as_str())
                    .to_owned();
                let cosigned = cp.with_signatures(&line).and_then(|c| {
                    c.cosigned_by(&witness, &witness_key)?;
                    Ok(c)
                });
                return match cosigned {
                    Ok(c) => {
                        *held = c.size();
                        match core.set_witnessed(c).await {
                            Ok(()) => Ok(()),
                            Err(e) => {
                                warn!(error = %e, "storing the witnessed checkpoint failed");
                                Err(())
                            }
                        }
                    }
                    Err(e) => {
                        warn!(error = %e, "the witness's cosignature does not verify");
                        Err(())
                    }
                };
            }
            Err(status) => {
                let size = status
                    .metadata()
                    .get(crate::WITNESS_SIZE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok());
                match size {
                    Some(size) if size != *held => *held = size,
                    _ => {
                        warn!(code = ?status.code(), message = status.message(), size = cp.size(), "the cross hub refused to witness this hub's checkpoint");
                        return Err(());
                    }
                }
            }
        }
    }
    Err(())
}

/// An entry from the cross hub with the key its signer claims.
struct Resolved {
    envelope: Envelope,
    origin: MemberId,
    origin_group: String,
    key: PublicKey,
}

/// Find the relaying group hub's key in the cross hub's roster (fetched again
/// once if the key is unknown: a group may have been admitted since).
///
/// The cross hub's own publications (its editor's lessons, collections and
/// public cases: origin = the cross hub) are verified by its key pinned at
/// first contact ([`upstream_key`]), the key that also signs its
/// checkpoints: no roster lists the cross hub itself.
async fn resolve(
    up: &Upstream,
    roster: &mut Option<SignedRoster>,
    client: &mut HubClient<Channel>,
    cross_key: &PublicKey,
    entry: pb::LogEntry,
) -> Result<Resolved, String> {
    let envelope =
        Envelope::try_from(entry.envelope.unwrap_or_default()).map_err(|e| e.to_string())?;
    let origin: MemberId = entry.origin.parse().map_err(|e| format!("origin: {e}"))?;
    if origin == up.server_name {
        if envelope.signer != cross_key.key_id() {
            return Err(format!(
                "signer {} is not the cross hub's pinned key {}",
                envelope.signer,
                cross_key.key_id()
            ));
        }
        return Ok(Resolved {
            envelope,
            origin,
            origin_group: entry.origin_group,
            key: *cross_key,
        });
    }
    let find = |roster: &Option<SignedRoster>| {
        roster
            .as_ref()
            .and_then(|r| r.roster.entry(&origin))
            .and_then(|e| e.key(&envelope.signer))
            .map(|k| k.key)
    };
    let mut key = find(roster);
    if key.is_none() {
        *roster = Some(
            fetch_roster(client, up.roster_admin_key.as_ref())
                .await
                .map_err(|e| e.message().to_owned())?,
        );
        key = find(roster);
    }
    let key = key.ok_or_else(|| format!("signer {} is not a key of {origin}", envelope.signer))?;
    Ok(Resolved {
        envelope,
        origin,
        origin_group: entry.origin_group,
        key,
    })
}

/// Verify a batch of entries (batched signatures, off the async threads) and
/// turn the good ones into log records.
async fn admit_downstream(
    core: &HubCore,
    resolved: Vec<Resolved>,
) -> Result<Vec<NewRecord>, tonic::Status> {
    let checked = tokio::task::spawn_blocking(move || {
        let items: Vec<(&Envelope, &PublicKey)> =
            resolved.iter().map(|r| (&r.envelope, &r.key)).collect();
        let verdicts = tazan_trust::verify_envelopes(&items);
        (resolved, verdicts)
    })
    .await;
    // On failure nothing is stored and the cursor does not move: the
    // entries are fetched again after the reconnect.
    let (resolved, verdicts) =
        checked.map_err(|e| tonic::Status::internal(format!("verification task: {e}")))?;
    let now = core.clock.now_unix();
    let mut records = Vec::with_capacity(resolved.len());
    for (r, verdict) in resolved.into_iter().zip(verdicts) {
        let payload = verdict
            .map_err(|e| e.to_string())
            .and_then(|()| r.envelope.decode().map_err(|e| e.to_string()));
        match payload {
            Ok(p) if p.level().may_cross_groups() => {
                records.push(core.record(&r.envelope, &p, r.origin, r.origin_group, now));
            }
            Ok(p) => warn!(level = %p.level(), "entry from the cross hub below GREEN refused"),
            Err(why) => {
                warn!(origin = %r.origin, reason = %why, "entry from the cross hub refused")
            }
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_up_starts_with_a_backlog_and_ends_when_cleared() {
        let mut c = CatchUp::default();
        c.relayed(10, 5);
        assert!(c.started.is_none(), "a few waiting is not a backlog");
        c.relayed(BATCH, 3 * BATCH);
        assert_eq!(c.started.map(|(_, n)| n), Some(BATCH as u64));
        c.relayed(BATCH, 2 * BATCH);
        assert_eq!(c.started.map(|(_, n)| n), Some(2 * BATCH as u64));
        c.relayed(BATCH, 0);
        assert!(c.started.is_none() && c.last_log.is_none());
    }
}
