use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use futures::Stream;
use tazan_model::MemberId;
use tazan_proto::pb::{self, hub_server::Hub};
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, Request, Response, Status};
use tracing::{debug, warn};

use crate::core::{matches, to_entry, HubCore};
use crate::requests::Method;
use crate::transparency::ProvenPage;

/// The caller's roster id, put in the request by [`authenticate`].
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub(crate) MemberId);

/// Map the client certificate to an active roster entry before any payload
/// is decoded, then take one call from the member's rate limit (runs as a
/// tonic interceptor on the request head).
pub(crate) fn authenticate(core: &HubCore, req: Request<()>) -> Result<Request<()>, Status> {
    let refused = |reason: &str| {
        crate::core::HubStats::count(&core.stats.refused_by, reason);
    };
    let req = identify(core, req).inspect_err(|status| match status.code() {
        tonic::Code::PermissionDenied => refused("revoked"),
        _ => refused("identity"),
    })?;
    if let Some(Caller(member)) = req.extensions().get::<Caller>() {
        core.limiter.call(member.as_str()).inspect_err(|limited| {
            debug!(%member, limit = limited.limit, "call refused by a rate limit");
        })?;
    }
    Ok(req)
}

fn identify(core: &HubCore, mut req: Request<()>) -> Result<Request<()>, Status> {
    // The edge did the TLS handshake and put the client's chain here.
    let certs = req
        .extensions()
        .get::<tazan_edge::EdgeInfo>()
        .and_then(|i| i.certs.clone())
        .ok_or_else(|| Status::unauthenticated("no client certificate; connect with mutual TLS"))?;
    let first = certs
        .first()
        .ok_or_else(|| Status::unauthenticated("empty client certificate chain"))?;
    let tls = tazan_trust::identity_from_cert(first.as_ref())
        .map_err(|e| Status::unauthenticated(format!("client certificate: {e}")))?;
    let roster = core.roster();
    let entry = roster.roster.by_tls_identity(&tls).ok_or_else(|| {
        warn!(identity = %tls, "unknown member refused");
        Status::unauthenticated(format!(
            "`{tls}` is not a member of this hub's roster; ask the group admin to add it"
        ))
    })?;
    if entry.status != tazan_trust::MemberStatus::Active {
        warn!(member = %entry.id, "revoked member refused");
        return Err(Status::permission_denied(format!(
            "member `{}` is revoked",
            entry.id
        )));
    }
    let caller = Caller(tls);
    req.extensions_mut().insert(caller);
    Ok(req)
}

/// The member behind a TLS identity is (still) active in the roster in force.
fn still_member(core: &HubCore, tls: &MemberId) -> Result<(), Status> {
    let roster = core.roster();
    match roster.roster.by_tls_identity(tls) {
        Some(e) if e.status == tazan_trust::MemberStatus::Active => Ok(()),
        Some(e) => Err(Status::permission_denied(format!(
            "member `{}` is revoked",
            e.id
        ))),
        None => Err(Status::unauthenticated(format!(
            "`{tls}` is no longer in this hub's roster"
        ))),
    }
}

fn caller<T>(req: &Request<T>) -> Result<MemberId, Status> {
    req.extensions()
        .get::<Caller>()
        .map(|c| c.0.clone())
        .ok_or_else(|| Status::unauthenticated("request did not pass authentication"))
}

/// The gRPC face of [`HubCore`]: translate and delegate.
pub(crate) struct HubService {
    pub(crate) core: Arc<HubCore>,
}

type EntryStream = Pin<Box<dyn Stream<Item = Result<pb::LogEntry, Status>> + Send>>;

/// Entries read from the log per round trip to sled.
const PAGE: usize = 256;

/// Counts a subscription as open for as long as it lives.
struct SubscriberGauge(std::sync::Arc<HubCore>);

impl SubscriberGauge {
    fn new(core: &std::sync::Arc<HubCore>) -> Self {
        core.stats
            .subscribers
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        SubscriberGauge(core.clone())
    }
}

impl Drop for SubscriberGauge {
    fn drop(&mut self) {
        self.0
            .stats
            .subscribers
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

fn storage(e: tazan_store::StoreError) -> Status {
    warn!(error = %e, "storage failure");
    Status::unavailable("storage unavailable; retry later")
}

/// Each RPC is timed and its outcome counted by [`RequestStats`](crate::RequestStats).
#[tonic::async_trait]
impl Hub for HubService {
    async fn publish(
        &self,
        req: Request<pb::PublishRequest>,
    ) -> Result<Response<pb::PublishResponse>, Status> {
        self.measured(Method::Publish, self.ingest(req)).await
    }

    type SubscribeStream = EntryStream;

    async fn subscribe(
        &self,
        req: Request<pb::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        // Timed until the first page is queued (in the stream's task); a
        // refusal is its own answer and is timed here.
        let started = Instant::now();
        let opened = self.open_stream(req, started);
        let code = opened.as_ref().err().map_or(Code::Ok, Status::code);
        if code != Code::Ok {
            self.core
                .stats
                .requests
                .observe(Method::Subscribe, started.elapsed());
        }
        self.core.stats.requests.count(Method::Subscribe, code);
        opened
    }

    async fn list(
        &self,
        req: Request<pb::ListRequest>,
    ) -> Result<Response<pb::ListResponse>, Status> {
        self.measured(Method::List, async { self.list_page(req) })
            .await
    }

    async fn get(&self, req: Request<pb::GetRequest>) -> Result<Response<pb::LogEntry>, Status> {
        self.measured(Method::Get, async { self.entry(req) }).await
    }

    async fn info(&self, req: Request<pb::InfoRequest>) -> Result<Response<pb::HubInfo>, Status> {
        self.measured(Method::Info, async {
            caller(&req)?;
            Ok(Response::new(self.core.info()))
        })
        .await
    }

    async fn search(
        &self,
        req: Request<pb::SearchRequest>,
    ) -> Result<Response<pb::SearchResponse>, Status> {
        self.measured(Method::Search, self.search_index(req)).await
    }

    async fn roster(
        &self,
        req: Request<pb::RosterRequest>,
    ) -> Result<Response<pb::RosterResponse>, Status> {
        self.measured(Method::Roster, async { self.signed_roster(req) })
            .await
    }

    async fn accept_policy(
        &self,
        req: Request<pb::AcceptPolicyRequest>,
    ) -> Result<Response<pb::AcceptPolicyResponse>, Status> {
        self.measured(Method::AcceptPolicy, async {
            let tls = caller(&req)?;
            let roster = self.core.roster();
            let member = roster
                .roster
                .by_tls_identity(&tls)
                .map(|m| m.id.clone())
                .ok_or_else(|| Status::unauthenticated("not a member of this hub's roster"))?;
            let current = self
                .core
                .accept_policy(&member, req.get_ref().version)
                .await?;
            Ok(Response::new(pb::AcceptPolicyResponse { current }))
        })
        .await
    }

    async fn checkpoint(
        &self,
        req: Request<pb::CheckpointRequest>,
    ) -> Result<Response<pb::CheckpointResponse>, Status> {
        self.measured(Method::Checkpoint, async {
            caller(&req)?;
            let cp = if req.get_ref().witnessed {
                self.core.witnessed_checkpoint().ok_or_else(|| {
                    Status::not_found("no witness has cosigned a checkpoint of this hub yet")
                })?
            } else {
                self.core.checkpoint().map_err(storage)?
            };
            Ok(Response::new(pb::CheckpointResponse {
                checkpoint: cp.note().to_vec(),
            }))
        })
        .await
    }

    async fn consistency(
        &self,
        req: Request<pb::ConsistencyRequest>,
    ) -> Result<Response<pb::ConsistencyResponse>, Status> {
        self.measured(Method::Consistency, async {
            caller(&req)?;
            let r = req.get_ref();
            let hashes = self.core.consistency(r.old_size, r.new_size)?;
            Ok(Response::new(pb::ConsistencyResponse { hashes }))
        })
        .await
    }

    async fn add_checkpoint(
        &self,
        req: Request<pb::AddCheckpointRequest>,
    ) -> Result<Response<pb::AddCheckpointResponse>, Status> {
        self.measured(Method::AddCheckpoint, async {
            let member = caller(&req)?;
            let cosignature = self.core.add_checkpoint(&member, req.into_inner()).await?;
            Ok(Response::new(pb::AddCheckpointResponse { cosignature }))
        })
        .await
    }

    async fn add_cosignature(
        &self,
        req: Request<pb::AddCosignatureRequest>,
    ) -> Result<Response<pb::AddCosignatureResponse>, Status> {
        self.measured(Method::AddCosignature, async {
            let member = caller(&req)?;
            self.core.add_cosignature(&member, req.into_inner()).await?;
            Ok(Response::new(pb::AddCosignatureResponse {}))
        })
        .await
    }
}

impl HubService {
    /// Run one call of `method`, recording its latency and gRPC code.
    async fn measured<T>(
        &self,
        method: Method,
        call: impl std::future::Future<Output = Result<T, Status>>,
    ) -> Result<T, Status> {
        let started = Instant::now();
        let answer = call.await;
        let code = answer.as_ref().err().map_or(Code::Ok, Status::code);
        self.core
            .stats
            .requests
            .record(method, started.elapsed(), code);
        answer
    }

    async fn ingest(
        &self,
        req: Request<pb::PublishRequest>,
    ) -> Result<Response<pb::PublishResponse>, Status> {
        let member = caller(&req)?;
        if let tazan_edge::Serving::NotServing(why) = self.core.health.current() {
            return Err(Status::unavailable(format!(
                "this hub is not serving ({why}); nothing stored, retry later"
            )));
        }
        let envelopes = req.into_inner().envelopes;
        if envelopes.is_empty() {
            return Err(Status::invalid_argument("field `envelopes`: empty batch"));
        }
        if envelopes.len() > self.core.max_batch {
            return Err(Status::invalid_argument(format!(
                "field `envelopes`: {} envelopes, over the limit of {}; split the batch",
                envelopes.len(),
                self.core.max_batch
            )));
        }
        self.core
            .limiter
            .lessons(member.as_str(), envelopes.len())?;
        let started = std::time::Instant::now();
        let mut results = self.core.ingest(&member, envelopes).await;
        let checkpoint = self.core.receipts(&mut results);
        self.core.stats.publish_latency.observe(started.elapsed());
        Ok(Response::new(pb::PublishResponse {
            results,
            checkpoint,
        }))
    }

    fn open_stream(
        &self,
        req: Request<pb::SubscribeRequest>,
        started: Instant,
    ) -> Result<Response<EntryStream>, Status> {
        let member = caller(&req)?;
        let pb::SubscribeRequest {
            after_seq,
            filter,
            follow,
            known_size,
        } = req.into_inner();
        let core = self.core.clone();
        let quota = core.limiter.subscription(member.as_str())?;
        let limits = *core.limiter.limits();
        let (tx, rx) = mpsc::channel(limits.subscriber_buffer);
        let (cut_tx, cut) = oneshot::channel();
        debug!(%member, after_seq, follow, "subscriber attached");
        // Counted before the task exists, so `RunningHub::stop` never misses one.
        let open = SubscriberGauge::new(&core);
        tokio::spawn(async move {
            let _open = (open, quota);
            // A subscriber whose buffer stays full is cut (told why, first),
            // so a slow reader holds neither memory nor a task for long.
            let send = |entry: pb::LogEntry| {
                let tx = &tx;
                async move {
                    match tokio::time::timeout(limits.slow_subscriber_timeout, tx.send(Ok(entry)))
                        .await
                    {
                        Ok(sent) => sent.map_err(|_| None),
                        Err(_) => Err(Some(())),
                    }
                }
            };
            let mut cut_tx = Some(cut_tx);
            let mut first_page = Some(started);
            let mut after = after_seq;
            // The checkpoint size the subscriber holds: each new checkpoint
            // sent comes with a consistency proof from it.
            let mut sent_size = known_size;
            let mut head = core.log.watch();
            let mut closing = core.closing.subscribe();
            loop {
                // A stream opened while the hub was already stopping would
                // never see `closing` change: check the value itself, or the
                // task keeps the store open past `stop`.
                if *closing.borrow() {
                    return;
                }
                // Membership is checked on every page, not only when the
                // stream opened: a revoked member stops receiving at once.
                if let Err(status) = still_member(&core, &member) {
                    let _ = tx.send(Err(status)).await;
                    return;
                }
                let page = match core.proven_page(after, PAGE) {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = tx.send(Err(storage(e))).await;
                        return;
                    }
                };
                let full = page.entries.len() == PAGE;
                if let Some(last) = page.last_seq() {
                    after = last;
                }
                let entries = filtered(&core, &page, &filter, &mut sent_size);
                for entry in entries {
                    match send(entry).await {
                        Ok(()) => {}
                        Err(None) => return, // subscriber left
                        Err(Some(())) => {
                            warn!(%member, buffered = limits.subscriber_buffer, "subscriber cut: it did not read");
                            if let Some(cut_tx) = cut_tx.take() {
                                let _ = cut_tx.send(core.limiter.cut(member.as_str()));
                            }
                            return;
                        }
                    }
                }
                if let Some(started) = first_page.take() {
                    core.stats
                        .requests
                        .observe(Method::Subscribe, started.elapsed());
                }
                if full {
                    continue;
                }
                if !follow {
                    return;
                }
                // Caught up: wait for the durable head to move past us.
                head.borrow_and_update();
                if core.log.head() > after {
                    continue;
                }
                tokio::select! {
                    changed = head.changed() => if changed.is_err() { return },
                    _ = tx.closed() => return,
                    // The hub is shutting down: end the stream so the server can drain.
                    _ = closing.changed() => return,
                }
            }
        });
        Ok(Response::new(Box::pin(Cuttable {
            entries: ReceiverStream::new(rx),
            cut: Some(cut),
            ended: false,
        })))
    }

    fn list_page(
        &self,
        req: Request<pb::ListRequest>,
    ) -> Result<Response<pb::ListResponse>, Status> {
        caller(&req)?;
        let pb::ListRequest {
            after_seq,
            limit,
            filter,
        } = req.into_inner();
        let limit = match limit {
            0 => 100,
            n => (n as usize).min(1000),
        };
        let mut records = Vec::new();
        let mut after = after_seq;
        while records.len() < limit {
            let page = self.core.log.range(after, PAGE).map_err(storage)?;
            if page.is_empty() {
                break;
            }
            for rec in page {
                after = rec.seq;
                if matches(&filter, &rec) {
                    records.push(rec);
                    if records.len() == limit {
                        break;
                    }
                }
            }
        }
        let seqs: Vec<u64> = records.iter().map(|r| r.seq).collect();
        let (checkpoint, entries) = if seqs.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let (cp, proofs) = self.core.prove(&seqs).map_err(storage)?;
            let entries = records
                .into_iter()
                .zip(proofs)
                .map(|(rec, proof)| pb::LogEntry {
                    inclusion: Some(proof),
                    ..to_entry(rec)
                })
                .collect();
            (cp.note().to_vec(), entries)
        };
        Ok(Response::new(pb::ListResponse {
            entries,
            next_after_seq: after,
            checkpoint,
        }))
    }

    fn entry(&self, req: Request<pb::GetRequest>) -> Result<Response<pb::LogEntry>, Status> {
        caller(&req)?;
        let id = tazan_proto::lesson_id_from_pb(&req.get_ref().lesson_id)
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        match self.core.log.get(&id).map_err(storage)? {
            Some(rec) => {
                let (cp, mut proofs) = self.core.prove(&[rec.seq]).map_err(storage)?;
                Ok(Response::new(pb::LogEntry {
                    inclusion: proofs.pop(),
                    checkpoint: cp.note().to_vec(),
                    ..to_entry(rec)
                }))
            }
            None => Err(Status::not_found(format!(
                "lesson {} is not stored here",
                id.short()
            ))),
        }
    }

    async fn search_index(
        &self,
        req: Request<pb::SearchRequest>,
    ) -> Result<Response<pb::SearchResponse>, Status> {
        caller(&req)?;
        let Some(index) = self.core.search.clone() else {
            return Err(Status::unimplemented(
                "search is turned off at this hub ([search] enabled = false)",
            ));
        };
        let r = req.into_inner();
        if r.query.chars().count() > 4000 {
            return Err(Status::invalid_argument(
                "field `query`: over 4000 characters",
            ));
        }
        let levels = r
            .levels
            .iter()
            .map(|l| tazan_proto::level_from_pb(*l).map(|l| l.as_str().to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        let nonempty = |s: String| (!s.is_empty()).then_some(s);
        let request = tazan_search::SearchRequest {
            query: r.query,
            filters: tazan_search::Filters {
                levels,
                industries: r.industries,
                domain: nonempty(r.domain),
                cause_categories: r.causes,
                scenes: r.scenes,
                period_from: nonempty(r.period_from),
                period_to: nonempty(r.period_to),
            },
            limit: match r.limit {
                0 => 10,
                n => (n as usize).min(1000),
            },
        };
        // Read before searching: the indexer commits (and reloads the reader)
        // before it advances `indexed`, so every entry through this mark is
        // in what the search sees. Read after, a commit landing in between
        // claimed entries the hits did not cover.
        let indexed_through = self.core.indexed_through();
        let hits = tokio::task::spawn_blocking(move || index.search(&request))
            .await
            .map_err(|e| Status::internal(format!("search task: {e}")))?
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        let hits = hits
            .into_iter()
            .map(|h| pb::SearchHit {
                lesson_id: h
                    .id
                    .parse::<tazan_model::LessonId>()
                    .map(|i| i.0.to_vec())
                    .unwrap_or_default(),
                r#ref: h.r#ref.unwrap_or_default(),
                title: h.title,
                score: h.score,
                level: h
                    .level
                    .parse::<tazan_model::DisclosureLevel>()
                    .map(|l| pb::Level::from(l) as i32)
                    .unwrap_or_default(),
                cause: h.cause_category,
                industry: h.industry,
                period: h.period,
            })
            .collect();
        Ok(Response::new(pb::SearchResponse {
            hits,
            indexed_through,
        }))
    }

    fn signed_roster(
        &self,
        req: Request<pb::RosterRequest>,
    ) -> Result<Response<pb::RosterResponse>, Status> {
        caller(&req)?;
        let roster = self.core.roster();
        let json = serde_json_bytes(&roster)?;
        let policy = match self.core.policy() {
            Some(p) => p.to_json().map_err(|e| {
                warn!(error = %e, "encoding the group policy failed");
                Status::internal("the group policy could not be encoded")
            })?,
            None => Vec::new(),
        };
        Ok(Response::new(pb::RosterResponse {
            signed_roster_json: json,
            signed_policy_json: policy,
        }))
    }
}

/// A subscription's entries, ended by the cut status first when the hub
/// cuts a subscriber that does not read (its buffer is full, so the status
/// cannot queue behind the entries).
struct Cuttable {
    entries: ReceiverStream<Result<pb::LogEntry, Status>>,
    /// `None` once it answered (a oneshot must not be polled again).
    cut: Option<oneshot::Receiver<Status>>,
    ended: bool,
}

impl Stream for Cuttable {
    type Item = Result<pb::LogEntry, Status>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.ended {
            return Poll::Ready(None);
        }
        if let Some(cut) = self.cut.as_mut() {
            if let Poll::Ready(answer) = std::future::Future::poll(Pin::new(cut), cx) {
                self.cut = None;
                if let Ok(status) = answer {
                    self.ended = true;
                    return Poll::Ready(Some(Err(status)));
                }
            }
        }
        Pin::new(&mut self.entries).poll_next(cx)
    }
}

/// The entries of a proven page that pass the subscriber's filter, each
/// with its inclusion proof; the first carries the checkpoint and a
/// consistency proof from `sent_size` when the checkpoint moved since the
/// last one sent on this stream.
fn filtered(
    core: &HubCore,
    page: &ProvenPage,
    filter: &Option<pb::Filter>,
    sent_size: &mut u64,
) -> Vec<pb::LogEntry> {
    let mut entries: Vec<pb::LogEntry> = page
        .entries
        .iter()
        .filter(|(facets, _)| facets.pass(filter))
        .map(|(_, entry)| entry.clone())
        .collect();
    if entries.is_empty() {
        return entries;
    }
    let cp = &page.checkpoint;
    if cp.size() != *sent_size {
        // A subscriber claiming more than the log holds gets no proof: the
        // smaller checkpoint itself tells it what happened.
        let consistency = core
            .log
            .consistency_proof(*sent_size, cp.size())
            .map(|p| tazan_tlog::hashes_to_wire(&p))
            .unwrap_or_default();
        if let Some(first) = entries.first_mut() {
            first.checkpoint = cp.note().to_vec();
            first.consistency = consistency;
        }
        *sent_size = cp.size();
    }
    entries
}

fn serde_json_bytes(roster: &tazan_trust::SignedRoster) -> Result<Vec<u8>, Status> {
    serde_json::to_vec(roster).map_err(|e| Status::internal(format!("roster encoding: {e}")))
}
