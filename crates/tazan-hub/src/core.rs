use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use tazan_model::{Envelope, LessonId, MemberId, ModelError, Payload};
use tazan_proto::pb::{self, publish_result::Outcome};
use tazan_proto::WireError;
use tazan_sanitize::{Finding, Kind, Screen, MEMBER_NAME_RULE};
use tazan_store::{HubLog, LogRecord, NewRecord, StoredEnvelope};
use tazan_trust::{KeyPair, PublicKey, Role, SignedRoster, TrustError};
use tonic::Code;
use tracing::{debug, info, warn};

use crate::Tier;

/// Counters since start, for `Info`, logs and benchmarks.
#[derive(Debug)]
pub struct HubStats {
    /// New lessons stored.
    pub accepted: AtomicU64,
    /// Lessons already stored, acknowledged again.
    pub duplicates: AtomicU64,
    /// Envelopes refused.
    pub rejected: AtomicU64,
    /// Lessons relayed to and acknowledged by the cross hub.
    pub relayed: AtomicU64,
    /// Lessons received from the cross hub.
    pub received_upstream: AtomicU64,
    /// 1 once the cross hub's log failed verification (removed, rewritten or
    /// forked history): this hub stopped following it.
    pub upstream_distrusted: AtomicU64,
    /// Refusals by the field at fault (a small, fixed set of names).
    pub rejected_by: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
    /// Calls refused before any payload was read (unknown or revoked
    /// member, no client certificate), by reason.
    pub refused_by: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
    /// Open subscriptions.
    pub subscribers: std::sync::atomic::AtomicI64,
    /// Time to verify, store and acknowledge a batch that passed the
    /// batch-size checks (`tazan_hub_publish_seconds`).
    pub publish_latency: tazan_metrics::Histogram,
    /// Latency and outcome of every call, by RPC.
    pub requests: crate::requests::RequestStats,
}

impl Default for HubStats {
    fn default() -> Self {
        HubStats {
            accepted: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            relayed: AtomicU64::new(0),
            received_upstream: AtomicU64::new(0),
            upstream_distrusted: AtomicU64::new(0),
            rejected_by: Default::default(),
            refused_by: Default::default(),
            subscribers: Default::default(),
            publish_latency: tazan_metrics::Histogram::latency(),
            requests: Default::default(),
        }
    }
}

impl HubStats {
    /// Add one to `reason` in a by-reason count.
    pub(crate) fn count(
        by: &std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
        reason: &str,
    ) {
        *by.lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(reason.to_owned())
            .or_default() += 1;
    }

    /// A snapshot of a by-reason count.
    fn snapshot(
        by: &std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
    ) -> std::collections::BTreeMap<String, u64> {
        by.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The hub's state and rules, independent of gRPC transport.
pub struct HubCore {
    pub(crate) id: MemberId,
    pub(crate) tier: Tier,
    pub(crate) group: String,
    pub(crate) log: HubLog,
    pub(crate) roster: RwLock<Arc<SignedRoster>>,
    /// The roster file (named in refusals).
    pub(crate) roster_path: std::path::PathBuf,
    /// The group's signed NDA policy in force, if any (see `policy.rs`).
    pub(crate) policy: RwLock<Option<Arc<tazan_trust::SignedPolicy>>>,
    /// The policy file `tazan policy publish` writes.
    pub(crate) policy_path: std::path::PathBuf,
    pub(crate) key: KeyPair,
    pub(crate) stats: HubStats,
    pub(crate) max_batch: usize,
    /// Full-text index of the log, when search is on.
    pub(crate) search: Option<Arc<tazan_search::SearchIndex>>,
    /// The log sequence number the index has caught up with.
    pub(crate) indexed: AtomicU64,
    /// Kept related lessons of the indexed lessons, when search is on.
    pub(crate) related: Option<Arc<tazan_search::RelatedStore>>,
    /// The log sequence number the related lessons have caught up with.
    pub(crate) related_through: AtomicU64,
    /// Turns true when the hub starts shutting down (ends open streams).
    pub(crate) closing: tokio::sync::watch::Sender<bool>,
    /// Contacts, hosts and the roster's names in what members publish at
    /// GREEN or CLEAR (group tier); rebuilt with each new roster.
    pub(crate) screen: RwLock<Arc<Screen>>,
    /// Checkpoints, receipts and witnessing.
    pub(crate) tlog: crate::transparency::Transparency,
    /// The cross hub's id (the witness of this hub's log), at a group hub.
    pub(crate) upstream_name: Option<MemberId>,
    /// SERVING, or NOT_SERVING after a storage fault until the store heals.
    pub(crate) health: tazan_edge::Health,
    /// Per-member limits on calls, lessons and subscriptions.
    pub(crate) limiter: Arc<tazan_edge::CallLimiter>,
    /// Counters of the gRPC listener's connection limits.
    pub(crate) grpc_edge: Arc<tazan_edge::ListenerStats>,
    /// Counters of the metrics listener's connection limits.
    pub(crate) metrics_edge: Arc<tazan_edge::ListenerStats>,
    /// The wall clock of `received_at` stamps and key validity.
    pub(crate) clock: tazan_trust::Clock,
}

/// Why one envelope was refused: a gRPC code, the field at fault, a reason.
#[derive(Debug, Clone)]
pub(crate) struct Rejection {
    pub(crate) code: Code,
    pub(crate) field: String,
    pub(crate) message: String,
}

impl Rejection {
    pub(crate) fn new(code: Code, field: impl Into<String>, message: impl Into<String>) -> Self {
        Rejection {
            code,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<WireError> for Rejection {
    fn from(e: WireError) -> Self {
        Rejection::new(Code::InvalidArgument, e.field, e.to_string())
    }
}

impl From<ModelError> for Rejection {
    fn from(e: ModelError) -> Self {
        let field = match &e {
            ModelError::Missing { field }
            | ModelError::TooLong { field, .. }
            | ModelError::TooMany { field, .. }
            | ModelError::Invalid { field, .. } => format!("payload.{field}"),
            _ => "payload".to_owned(),
        };
        Rejection::new(Code::InvalidArgument, field, e.to_string())
    }
}

/// Every name of the roster's members (ids and display names, in the forms
/// they are written in), for the screen.
fn roster_names(roster: &SignedRoster) -> Vec<String> {
    roster
        .roster
        .members
        .iter()
        .flat_map(|m| [m.id.as_str(), m.display_name.as_str()])
        .flat_map(tazan_sanitize::name_forms)
        .collect()
}

/// The refusal of a GREEN or CLEAR payload that carries a contact, a host or
/// a member's name: it would leave the group. The field is named and what
/// was found is described by kind and position, never quoted (the reason
/// reaches logs).
pub(crate) fn screen_rejection(screen: &Screen, payload: &Payload) -> Option<Rejection> {
    if !payload.level().may_cross_groups() {
        return None;
    }
    let findings = screen.scan_payload(payload);
    let first = findings.first()?;
    let (field, item) = match first.field.split_once('[') {
        Some((name, rest)) => (name, format!(" (item {})", rest.trim_end_matches(']'))),
        None => (first.field.as_str(), String::new()),
    };
    Some(Rejection::new(
        Code::InvalidArgument,
        format!("payload.{field}"),
        format!(
            "field `{field}`{item} carries {} at characters {}–{}{}; a {} payload leaves the group, so it must name no member and carry no phone number, e-mail address, URL, IP address or host name: remove it and publish again",
            what_was_found(first),
            first.offset,
            first.offset + first.len,
            match findings.len() {
                1 => String::new(),
                n => format!(" ({} more finding(s))", n - 1),
            },
            payload.level()
        ),
    ))
}

fn what_was_found(f: &Finding) -> String {
    if f.rule == MEMBER_NAME_RULE {
        return "the name of a member of this group".into();
    }
    match (f.kind, f.rule.as_str()) {
        (Kind::Contact, "phone" | "extension") => "a phone number".into(),
        (Kind::Contact, "email") => "an e-mail address".into(),
        (Kind::Contact, "url") => "a URL".into(),
        (Kind::Host, "ipv4" | "ipv6") => "an IP address".into(),
        (Kind::Host, _) => "a host name".into(),
        (kind, rule) => format!("a {kind} ({rule})"),
    }
}

/// The name under which the highest accepted roster serial is kept in the
/// hub's store (a cursor of its log), so a restart cannot roll the roster back.
pub const ROSTER_SERIAL: &str = "roster-serial";

/// Map a roster or signature failure to a gRPC code and field.
pub(crate) fn trust_rejection(e: TrustError) -> Rejection {
    let (code, field) = match &e {
        TrustError::UnknownMember { .. } => (Code::Unauthenticated, "member"),
        TrustError::Revoked { .. } => (Code::PermissionDenied, "member"),
        TrustError::MissingRole { .. } => (Code::PermissionDenied, "role"),
        TrustError::SignerMismatch { .. } => (Code::Unauthenticated, "signer"),
        TrustError::KeyRevoked { .. } | TrustError::KeyNotYetValid { .. } => {
            (Code::PermissionDenied, "signer")
        }
        _ => (Code::Unauthenticated, "signature"),
    };
    Rejection::new(code, field, e.to_string())
}

struct Candidate {
    index: usize,
    envelope: Envelope,
    key: PublicKey,
}

impl HubCore {
    /// Build a hub core over an open log.
    pub(crate) fn new(
        config: &crate::HubConfig,
        log: HubLog,
        roster: SignedRoster,
        key: KeyPair,
        search: Option<Arc<tazan_search::SearchIndex>>,
        related: Option<Arc<tazan_search::RelatedStore>>,
    ) -> HubCore {
        let screen = Screen::new(&roster_names(&roster));
        HubCore {
            screen: RwLock::new(Arc::new(screen)),
            id: config.id.clone(),
            tier: config.tier,
            group: config.group.clone(),
            log,
            roster: RwLock::new(Arc::new(roster)),
            roster_path: config.roster.clone(),
            policy: RwLock::new(None),
            policy_path: config.policy.clone(),
            key,
            stats: HubStats::default(),
            max_batch: config.max_batch,
            search,
            indexed: AtomicU64::new(0),
            related,
            related_through: AtomicU64::new(0),
            closing: tokio::sync::watch::channel(false).0,
            tlog: Default::default(),
            upstream_name: config.upstream.as_ref().map(|u| u.server_name.clone()),
            health: tazan_edge::Health::new(),
            limiter: tazan_edge::CallLimiter::new(config.call_limits),
            grpc_edge: Arc::new(tazan_edge::ListenerStats::new("grpc")),
            metrics_edge: Arc::new(tazan_edge::ListenerStats::new("metrics")),
            clock: config.clock.clone(),
        }
    }

    /// SERVING, or NOT_SERVING (with the reason) after a storage fault
    /// until the store heals; gRPC health and `/healthz` report it.
    pub fn health(&self) -> &tazan_edge::Health {
        &self.health
    }

    /// Counters of the gRPC listener's connection limits.
    pub fn edge_stats(&self) -> &tazan_edge::ListenerStats {
        &self.grpc_edge
    }

    /// Counters of the per-member call limits.
    pub fn call_stats(&self) -> &tazan_edge::CallStats {
        self.limiter.stats()
    }

    /// Counters since start.
    pub fn stats(&self) -> &HubStats {
        &self.stats
    }

    /// Checkpoints of other hubs this hub refused to cosign as their witness.
    pub fn witness_refusals(&self) -> u64 {
        self.tlog.refused.load(Ordering::Relaxed)
    }

    /// The log sequence number the search index has caught up with (0 when search is off).
    pub fn indexed_through(&self) -> u64 {
        self.indexed.load(Ordering::Acquire)
    }

    /// The log sequence number whose lessons have their related lessons
    /// kept (0 when search is off).
    pub fn related_through(&self) -> u64 {
        self.related_through.load(Ordering::Relaxed)
    }

    /// The kept related lessons, when search is on.
    pub fn related_store(&self) -> Option<&Arc<tazan_search::RelatedStore>> {
        self.related.as_ref()
    }

    /// Whether this hub keeps a search index.
    pub fn search_enabled(&self) -> bool {
        self.search.is_some()
    }

    /// The last durable sequence number of the log.
    pub fn log_head(&self) -> u64 {
        self.log.head()
    }

    /// The durable log record of a lesson id, if stored.
    pub fn lookup(&self, id: &LessonId) -> Result<Option<LogRecord>, tazan_store::StoreError> {
        self.log.get(id)
    }

    /// Up to `limit` durable log records after `after`.
    pub fn log_page(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<LogRecord>, tazan_store::StoreError> {
        self.log.range(after, limit)
    }

    /// This hub's id (its TLS identity).
    pub fn id(&self) -> &MemberId {
        &self.id
    }

    /// Group or cross tier.
    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// The group this hub serves, or the cross hub's name.
    pub fn group(&self) -> &str {
        &self.group
    }

    /// The log (read it; appends go through [`HubCore::ingest`]).
    pub fn log(&self) -> &HubLog {
        &self.log
    }

    /// The full-text index of the log, when search is on.
    pub fn search_index(&self) -> Option<&Arc<tazan_search::SearchIndex>> {
        self.search.as_ref()
    }

    /// The roster in force.
    pub fn roster(&self) -> Arc<SignedRoster> {
        // A poisoned lock still holds a fully written Arc.
        self.roster
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replace the roster with a newer one signed by the same admin key.
    ///
    /// Refused (and the current roster kept) when the signature does not
    /// verify under the current admin key or the serial goes backwards, so a
    /// stale or forged file can never re-admit a revoked member.
    pub fn replace_roster(&self, new: SignedRoster) -> Result<bool, crate::HubError> {
        let mut slot = self.roster.write().unwrap_or_else(|p| p.into_inner());
        let admin = slot.roster.admin_key;
        new.verify_pinned(&admin)
            .map_err(|e| crate::HubError::Roster(format!("new roster refused: {e}")))?;
        if new.roster.serial < slot.roster.serial {
            return Err(crate::HubError::RosterRollback {
                path: self.roster_path.clone(),
                found: new.roster.serial,
                held: slot.roster.serial,
            });
        }
        if new == **slot {
            return Ok(false);
        }
        info!(
            serial = new.roster.serial,
            members = new.roster.members.len(),
            "roster replaced"
        );
        let screen = self.screen().with_names(&roster_names(&new));
        *self.screen.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(screen);
        *slot = Arc::new(new);
        Ok(true)
    }

    /// Read the roster file again and put it in force when it is newer
    /// (see [`HubCore::replace_roster`]); the serial in force is kept in the
    /// store, so a restart cannot roll it back. Returns whether it changed.
    pub async fn reload_roster(&self) -> Result<bool, crate::HubError> {
        let new = SignedRoster::load(&self.roster_path).map_err(|source| {
            warn!(error = %source, path = %self.roster_path.display(), "{}", crate::server::roster_load_failure(&source));
            crate::HubError::Trust {
                what: "roster",
                path: self.roster_path.clone(),
                source,
            }
        })?;
        let changed = self.replace_roster(new)?;
        if changed {
            let serial = self.roster().roster.serial;
            info!(path = %self.roster_path.display(), serial, "roster reloaded");
            self.log.set_cursor(ROSTER_SERIAL, serial).await?;
        }
        Ok(changed)
    }

    pub(crate) fn screen(&self) -> Arc<Screen> {
        self.screen
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn publisher_role(&self) -> Role {
        match self.tier {
            Tier::Group => Role::Publisher,
            Tier::Cross => Role::Hub,
        }
    }

    /// Verify, persist and acknowledge a batch from the member behind `tls`.
    ///
    /// Every envelope gets a result; the accepted ones are durable before
    /// this returns. Nothing of a refused envelope is stored.
    pub async fn ingest(
        self: &Arc<Self>,
        tls: &MemberId,
        envelopes: Vec<pb::Envelope>,
    ) -> Vec<pb::PublishResult> {
        let now = self.clock.now_unix();
        let roster = self.roster();
        let mut results: Vec<pb::PublishResult> = envelopes
            .iter()
            .map(|e| pb::PublishResult {
                lesson_id: LessonId::of(&e.payload).0.to_vec(),
                ..Default::default()
            })
            .collect();
        let mut rejections: Vec<Option<Rejection>> = vec![None; envelopes.len()];

        // 1. Shape and signer: who claims to have signed, and may they?
        let mut candidates = Vec::with_capacity(envelopes.len());
        let mut origin: Option<(MemberId, String)> = None;
        for (index, raw) in envelopes.into_iter().enumerate() {
            let envelope = match Envelope::try_from(raw) {
                Ok(e) => e,
                Err(e) => {
                    rejections[index] = Some(e.into());
                    continue;
                }
            };
            match roster
                .roster
                .authorize(tls, self.publisher_role(), &envelope.signer, now)
            {
                Ok((entry, key)) => {
                    origin.get_or_insert_with(|| (entry.id.clone(), entry.display_name.clone()));
                    candidates.push(Candidate {
                        index,
                        envelope,
                        key: *key,
                    });
                }
                Err(e) => rejections[index] = Some(trust_rejection(e)),
            }
        }

        // 2. Signatures, batched, off the async threads; the payloads of
        //    the signed ones decoded (once: the screen and the rules below
        //    read the same one); and at a group hub the screen of what may
        //    leave the group.
        let screen = (self.tier == Tier::Group).then(|| self.screen());
        let checked = tokio::task::spawn_blocking(move || {
            let items: Vec<(&Envelope, &PublicKey)> =
                candidates.iter().map(|c| (&c.envelope, &c.key)).collect();
            let verdicts: Vec<Result<Payload, TrustError>> = tazan_trust::verify_envelopes(&items)
                .into_iter()
                .zip(&candidates)
                .map(|(v, c)| {
                    v?;
                    c.envelope.decode().map_err(|source| TrustError::Payload {
                        signer: c.envelope.signer.clone(),
                        source,
                    })
                })
                .collect();
            let screened: Vec<Option<Rejection>> = verdicts
                .iter()
                .map(|v| match (&screen, v) {
                    (Some(screen), Ok(payload)) => screen_rejection(screen, payload),
                    _ => None,
                })
                .collect();
            (candidates, verdicts, screened)
        })
        .await;
        let (candidates, verdicts, screened) = match checked {
            Ok(v) => v,
            Err(e) => {
                warn!(error = %e, "signature verification task failed");
                return results
                    .into_iter()
                    .map(|r| {
                        reject(
                            r,
                            Rejection::new(Code::Internal, "", "verification failed; retry"),
                        )
                    })
                    .collect();
            }
        };

        // 3. Content and routing rules.
        let mut new_records = Vec::new();
        let mut record_index = Vec::new();
        for ((c, verdict), screened) in candidates.into_iter().zip(verdicts).zip(screened) {
            let payload = match verdict {
                Ok(payload) => payload,
                Err(TrustError::Payload { source, .. }) => {
                    rejections[c.index] = Some(source.into());
                    continue;
                }
                Err(e) => {
                    rejections[c.index] = Some(Rejection::new(
                        Code::Unauthenticated,
                        "signature",
                        e.to_string(),
                    ));
                    continue;
                }
            };
            let Some((member, member_name)) = origin.clone() else {
                continue;
            };
            if let Some(r) = screened {
                rejections[c.index] = Some(r);
                continue;
            }
            match self.admit(payload, &member) {
                Ok(payload) => {
                    let origin_group = match self.tier {
                        Tier::Group => self.group.clone(),
                        Tier::Cross => member_name,
                    };
                    // A member's response is stored only as the hub's
                    // re-signed copy, which names the hub, not the member.
                    let (envelope, payload, member) = match payload {
                        Payload::Response(r) if self.tier == Tier::Group => {
                            let (e, p) = self.resign_response(r, &member);
                            (e, p, self.id.clone())
                        }
                        p => (c.envelope, p, member),
                    };
                    new_records.push(self.record(&envelope, &payload, member, origin_group, now));
                    record_index.push(c.index);
                }
                Err(r) => rejections[c.index] = Some(r),
            }
        }

        // 4. Persist durably, then acknowledge.
        if !new_records.is_empty() {
            match self.log.append_durable(new_records).await {
                Ok(appended) => {
                    for (i, a) in record_index.into_iter().zip(appended) {
                        let r = &mut results[i];
                        r.seq = a.seq;
                        r.outcome = if a.duplicate {
                            self.stats.duplicates.fetch_add(1, Ordering::Relaxed);
                            Outcome::Duplicate
                        } else {
                            self.stats.accepted.fetch_add(1, Ordering::Relaxed);
                            Outcome::Accepted
                        } as i32;
                    }
                }
                Err(e) => {
                    warn!(error = %e, "storing lessons failed");
                    for i in record_index {
                        rejections[i] = Some(Rejection::new(
                            Code::Unavailable,
                            "",
                            "storage unavailable; nothing stored, retry later",
                        ));
                    }
                }
            }
        }
        for (r, rejection) in results.iter_mut().zip(rejections) {
            if let Some(rej) = rejection {
                self.stats.rejected.fetch_add(1, Ordering::Relaxed);
                let reason = if rej.field.is_empty() {
                    "storage"
                } else {
                    rej.field.as_str()
                };
                HubStats::count(&self.stats.rejected_by, reason);
                debug!(field = %rej.field, code = ?rej.code, "envelope rejected");
                *r = reject(std::mem::take(r), rej);
            }
        }
        results
    }

    /// Apply the level and ownership rules to a decoded payload.
    fn admit(&self, payload: Payload, member: &MemberId) -> Result<Payload, Rejection> {
        let level = payload.level();
        if !level.may_reach_group() {
            return Err(Rejection::new(
                Code::PermissionDenied,
                "payload.level",
                "RED lessons never leave the org node; publish at AMBER or above",
            ));
        }
        if self.tier == Tier::Cross && !level.may_cross_groups() {
            return Err(Rejection::new(
                Code::PermissionDenied,
                "payload.level",
                format!("{level} stays inside its group; the cross-industry hub accepts GREEN and CLEAR only"),
            ));
        }
        if let (Tier::Group, Payload::Lesson(l)) = (self.tier, &payload) {
            self.admit_policy_version(l)?;
        }
        let target = match &payload {
            Payload::Withdrawal(w) => Some(("payload.target", w.target)),
            Payload::Lesson(l) => l.supersedes.map(|s| ("payload.supersedes", s)),
            Payload::Response(r) => {
                self.admit_response(r, member)?;
                None
            }
            Payload::Collection(c) => {
                self.admit_relayed_collection(c)?;
                None
            }
        };
        if let Some((field, target)) = target {
            let owner = self.log.get(&target).map_err(|e| {
                warn!(error = %e, "reading the log failed");
                Rejection::new(Code::Unavailable, "", "storage unavailable; retry later")
            })?;
            match owner {
                None => {
                    return Err(Rejection::new(
                        Code::FailedPrecondition,
                        field,
                        format!("lesson {} is not known to this hub", target.short()),
                    ))
                }
                Some(rec) if &rec.origin != member => {
                    return Err(Rejection::new(
                        Code::PermissionDenied,
                        field,
                        "only the original publisher may withdraw or correct a lesson",
                    ))
                }
                // A withdrawal travels as far as its lesson did: at another
                // level it would be stored (and relayed) where the lesson
                // never went, or not reach where it did.
                Some(rec) if matches!(&payload, Payload::Withdrawal(w) if w.level != rec.level) => {
                    return Err(Rejection::new(
                        Code::InvalidArgument,
                        "payload.level",
                        format!(
                            "lesson {} was published at {}; its withdrawal must carry the same level",
                            target.short(),
                            rec.level
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(payload)
    }

    pub(crate) fn record(
        &self,
        envelope: &Envelope,
        payload: &Payload,
        origin: MemberId,
        origin_group: String,
        now: u64,
    ) -> NewRecord {
        let (industry, domain, cause) = match payload {
            Payload::Lesson(l) => (
                l.industry.clone(),
                l.taxonomy.domain.as_str().to_owned(),
                l.cause_category().as_str().to_owned(),
            ),
            Payload::Withdrawal(_) | Payload::Response(_) | Payload::Collection(_) => {
                Default::default()
            }
        };
        let relay = self.tier == Tier::Group
            && payload.level().may_cross_groups()
            && origin_group == self.group;
        NewRecord {
            record: LogRecord {
                seq: 0,
                id: envelope.id(),
                kind: payload.kind(),
                level: payload.level(),
                envelope: StoredEnvelope::from(envelope),
                origin,
                origin_group,
                received_at: now,
                industry,
                domain,
                cause,
            },
            relay,
        }
    }

    /// The Prometheus page for this hub.
    pub fn metrics(&self) -> String {
        let st = &self.stats;
        let tier = self.tier.as_str();
        let l = [("hub", self.id.as_str()), ("tier", tier)];
        let mut e = tazan_metrics::Exposition::default();
        let c = |a: &AtomicU64| a.load(Ordering::Relaxed);
        e.counter(
            "tazan_hub_lessons_accepted_total",
            "Lessons stored durably for the first time.",
            &l,
            c(&st.accepted),
        );
        e.counter(
            "tazan_hub_lessons_duplicate_total",
            "Lessons already stored, acknowledged again.",
            &l,
            c(&st.duplicates),
        );
        let rejected = HubStats::snapshot(&st.rejected_by);
        if rejected.is_empty() {
            e.counter(
                "tazan_hub_lessons_rejected_total",
                "Envelopes refused, by the field at fault.",
                &l,
                0,
            );
        }
        for (reason, n) in &rejected {
            let labels = [l[0], l[1], ("reason", reason.as_str())];
            e.counter(
                "tazan_hub_lessons_rejected_total",
                "Envelopes refused, by the field at fault.",
                &labels,
                *n,
            );
        }
        let refused = HubStats::snapshot(&st.refused_by);
        if refused.is_empty() {
            e.counter(
                "tazan_hub_calls_refused_total",
                "Calls refused before any payload was read, by reason.",
                &l,
                0,
            );
        }
        for (reason, n) in &refused {
            let labels = [l[0], l[1], ("reason", reason.as_str())];
            e.counter(
                "tazan_hub_calls_refused_total",
                "Calls refused before any payload was read, by reason.",
                &labels,
                *n,
            );
        }
        e.counter(
            "tazan_hub_relayed_total",
            "Lessons relayed to and acknowledged by the cross hub.",
            &l,
            c(&st.relayed),
        );
        e.counter(
            "tazan_hub_received_upstream_total",
            "Lessons received from the cross hub.",
            &l,
            c(&st.received_upstream),
        );
        e.gauge(
            "tazan_hub_upstream_distrusted",
            "1 once the cross hub's log failed verification (removed, rewritten or forked history) and this hub stopped following it.",
            &l,
            c(&st.upstream_distrusted) as f64,
        );
        e.counter(
            "tazan_hub_witness_cosigned_total",
            "Checkpoints of other hubs this hub cosigned as their witness.",
            &l,
            c(&self.tlog.cosigned),
        );
        e.counter(
            "tazan_hub_witness_refused_total",
            "Checkpoints of other hubs this hub refused to cosign (inconsistent with what it cosigned before, or badly signed).",
            &l,
            c(&self.tlog.refused),
        );
        e.counter(
            "tazan_hub_pages_shared_total",
            "Pages of log entries with their inclusion proofs sent to a subscriber as another subscriber had them read and proven (not read and proven again).",
            &l,
            c(&self.tlog.pages_shared),
        );
        e.gauge(
            "tazan_hub_witnessed_size",
            "Tree size of the latest checkpoint of this hub's log that a witness cosigned.",
            &l,
            self.witnessed_checkpoint().map_or(0, |cp| cp.size()) as f64,
        );
        e.gauge(
            "tazan_hub_log_head",
            "Last durable sequence number of the log.",
            &l,
            self.log.head() as f64,
        );
        e.gauge(
            "tazan_hub_relay_pending",
            "Lessons waiting to be relayed upward (relay lag).",
            &l,
            self.log.relay_len() as f64,
        );
        e.gauge(
            "tazan_hub_subscribers",
            "Open subscriptions.",
            &l,
            st.subscribers.load(Ordering::Relaxed) as f64,
        );
        e.histogram(
            "tazan_hub_publish_seconds",
            "Time to verify, store durably and answer a publish call.",
            &st.publish_latency,
        );
        e.gauge(
            "tazan_hub_serving",
            "1 while serving; 0 after a storage fault until writes succeed again (gRPC health NOT_SERVING, /healthz 503).",
            &l,
            if self.health.is_serving() { 1.0 } else { 0.0 },
        );
        st.requests.render(&mut e, &l);
        self.grpc_edge.render(&mut e, &l);
        self.metrics_edge.render(&mut e, &l);
        self.limiter.stats().render(&mut e, &l);
        e.finish()
    }

    pub(crate) fn info(&self) -> pb::HubInfo {
        pb::HubInfo {
            hub_id: self.id.to_string(),
            tier: match self.tier {
                Tier::Group => pb::Tier::Group,
                Tier::Cross => pb::Tier::Cross,
            } as i32,
            group: self.group.clone(),
            key_id: self.key.key_id().to_string(),
            public_key: self.key.public().to_bytes().to_vec(),
            log_head: self.log.head(),
            relay_pending: self.log.relay_len() as u64,
        }
    }
}

fn reject(mut r: pb::PublishResult, rej: Rejection) -> pb::PublishResult {
    r.outcome = Outcome::Rejected as i32;
    r.seq = 0;
    r.rejection = Some(pb::Rejection {
        code: rej.code as i32,
        field: rej.field,
        message: rej.message,
    });
    r
}

/// Whether a log record passes a subscriber's filter.
pub(crate) fn matches(filter: &Option<pb::Filter>, rec: &LogRecord) -> bool {
    Facets::borrowed(rec).pass(filter)
}

/// What a subscriber's filter reads of a log record.
#[derive(Debug, Clone)]
pub(crate) struct Facets<S> {
    level: tazan_model::DisclosureLevel,
    industry: S,
    domain: S,
    cause: S,
}

impl<'a> Facets<&'a str> {
    fn borrowed(rec: &'a LogRecord) -> Self {
        Facets {
            level: rec.level,
            industry: &rec.industry,
            domain: &rec.domain,
            cause: &rec.cause,
        }
    }
}

impl Facets<String> {
    /// The facets of `rec`, kept apart from it (for a page of wire entries).
    pub(crate) fn of(rec: &LogRecord) -> Self {
        Facets {
            level: rec.level,
            industry: rec.industry.clone(),
            domain: rec.domain.clone(),
            cause: rec.cause.clone(),
        }
    }
}

impl<S: AsRef<str>> Facets<S> {
    /// Whether these facets pass `filter` (no filter passes everything).
    pub(crate) fn pass(&self, filter: &Option<pb::Filter>) -> bool {
        let Some(f) = filter else { return true };
        let level = pb::Level::from(self.level) as i32;
        let has = |set: &[String], v: &S| set.is_empty() || set.iter().any(|x| x == v.as_ref());
        (f.levels.is_empty() || f.levels.contains(&level))
            && has(&f.industries, &self.industry)
            && has(&f.domains, &self.domain)
            && has(&f.causes, &self.cause)
    }
}

/// A log record as a wire entry.
pub(crate) fn to_entry(rec: LogRecord) -> pb::LogEntry {
    pb::LogEntry {
        seq: rec.seq,
        lesson_id: rec.id.0.to_vec(),
        envelope: Some(pb::Envelope {
            payload: rec.envelope.payload,
            signer: rec.envelope.signer,
            signature: rec.envelope.signature,
        }),
        origin: rec.origin.to_string(),
        received_at: i64::try_from(rec.received_at).unwrap_or(i64::MAX),
        level: pb::Level::from(rec.level) as i32,
        kind: rec.kind.as_str().to_owned(),
        origin_group: rec.origin_group,
        ..Default::default()
    }
}
