//! The group hub's two links to the cross hub: the relay (own members'
//! GREEN/CLEAR lessons upward, re-signed by the hub) and the downstream
//! subscription (other groups' lessons into this hub's log).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;

use tazan_model::{Envelope, MemberId, Payload};
use tazan_proto::pb::{self, hub_client::HubClient, publish_result::Outcome};
use tazan_proto::ClientTls;
use tazan_store::{LogRecord, NewRecord};
use tazan_trust::{PublicKey, SignedRoster};
use tokio::sync::watch;
use tonic::transport::Channel;
use tracing::{debug, info, warn};

use crate::{HubCore, Upstream};

const BATCH: usize = 256;
const MAX_BACKOFF: Duration = Duration::from_secs(5);
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

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

/// Sleep for `d` unless asked to stop; returns true when stopping.
async fn pause(stop: &mut watch::Receiver<bool>, d: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}

/// Relay own members' GREEN/CLEAR lessons to the cross hub until stopped,
/// re-signed with the hub key, retrying with backoff until acknowledged.
pub(crate) async fn relay_loop(core: Arc<HubCore>, up: Upstream, mut stop: watch::Receiver<bool>) {
    let Some(mut client) = client(&up) else {
        return;
    };
    let mut head = core.log.watch();
    let mut backoff = FIRST_BACKOFF;
    let mut catch_up = CatchUp::default();
    loop {
        if *stop.borrow() {
            return;
        }
        head.borrow_and_update();
        let pending = match core.log.relay_pending(BATCH) {
            Ok(p) => p,
            Err(e) => {
                warn!(error = %e, "reading relay outbox failed");
                if pause(&mut stop, backoff).await {
                    return;
                }
                continue;
            }
        };
        if pending.is_empty() {
            tokio::select! {
                _ = head.changed() => {}
                _ = stop.changed() => return,
                // Also wake periodically: the outbox may hold entries from before a restart.
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
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
                if let Err(e) = core.log.relay_done(&done).await {
                    warn!(error = %e, "marking relayed lessons failed; they will be resent (idempotent)");
                }
                debug!(count = done.len(), "relayed");
                catch_up.relayed(done.len(), core.log.relay_len());
                if let Some(why) = key_refused {
                    warn!(key = %core.key.key_id(), reason = %why, "cross hub refused this hub's signing key; lessons stay in the relay outbox until the cross roster lists it");
                    if pause(&mut stop, backoff).await {
                        return;
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
                backoff = FIRST_BACKOFF;
            }
            Err(status) => {
                warn!(code = ?status.code(), message = status.message(), pending = pending.len(), "relay to cross hub failed; retrying");
                if pause(&mut stop, backoff).await {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
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
        // Stored entries passed validation on the way in.
        match Payload::from_canonical_bytes(&rec.envelope.payload) {
            Ok(payload) => {
                let env = core.key.sign(&payload);
                seqs.push(rec.seq);
                out.push(pb::Envelope::from(&env));
            }
            Err(e) => {
                warn!(seq = rec.seq, error = %e, "stored payload no longer decodes; not relayed")
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
    let mut backoff = FIRST_BACKOFF;
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
            Err(status) => {
                debug!(code = ?status.code(), message = status.message(), "cross hub subscription interrupted; resuming");
                if pause(&mut stop, backoff).await {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
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

async fn follow(
    core: &Arc<HubCore>,
    up: &Upstream,
    client: &mut HubClient<Channel>,
    roster: &mut Option<SignedRoster>,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), tonic::Status> {
    const CURSOR: &str = "upstream";
    if roster.is_none() {
        *roster = Some(fetch_roster(client, up.roster_admin_key.as_ref()).await?);
    }
    let after = core
        .log
        .cursor(CURSOR)
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let mut stream = client
        .subscribe(pb::SubscribeRequest {
            after_seq: after,
            filter: None,
            follow: true,
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
            return Err(tonic::Status::unavailable("cross hub closed the stream"));
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
        let mut resolved = Vec::with_capacity(batch.len());
        for entry in batch {
            if entry.origin == core.id.as_str() {
                continue; // our own relay coming back
            }
            let seq = entry.seq;
            match resolve(up, roster, client, entry).await {
                Ok(r) => resolved.push(r),
                Err(why) => warn!(seq, reason = %why, "entry from the cross hub refused"),
            }
        }
        let records = admit_downstream(core, resolved).await?;
        let n = records.len() as u64;
        core.log
            .append_durable_with_cursor(records, Some((CURSOR, last)))
            .await
            .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
        core.stats.received_upstream.fetch_add(n, Ordering::Relaxed);
    }
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
async fn resolve(
    up: &Upstream,
    roster: &mut Option<SignedRoster>,
    client: &mut HubClient<Channel>,
    entry: pb::LogEntry,
) -> Result<Resolved, String> {
    let envelope =
        Envelope::try_from(entry.envelope.unwrap_or_default()).map_err(|e| e.to_string())?;
    let origin: MemberId = entry.origin.parse().map_err(|e| format!("origin: {e}"))?;
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
    let now = tazan_trust::now_unix();
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
