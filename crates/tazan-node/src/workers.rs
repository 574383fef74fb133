use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use tazan_model::{LessonId, Payload, PayloadKind};
use tazan_proto::pb::{self, hub_client::HubClient};
use tazan_store::{LibraryEntry, StoredEnvelope};
use tazan_trust::KeyPair;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tonic::transport::Channel;
use tracing::{debug, error, info, warn};

use crate::core::HUB_CHECKPOINT;
use crate::{NodeConfig, NodeCore, NodeError};
use tazan_edge::Backoff;
use tazan_proto::FollowError;
use tazan_tlog::WitnessKey;

/// The library cursor: the hub sequence number received up to.
pub const LIBRARY_CURSOR: &str = "hub";
const CURSOR: &str = LIBRARY_CURSOR;

/// Where the follow loop hands stored batches to the indexer.
type IndexOps = tokio::sync::mpsc::Sender<Vec<crate::indexer::IndexOp>>;

/// A node with its outbox and subscription workers running.
pub struct RunningNode {
    core: Arc<NodeCore>,
    metrics_addr: Option<std::net::SocketAddr>,
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
    admin: JoinHandle<Result<(), tonic::transport::Error>>,
    admin_path: std::path::PathBuf,
    received: watch::Receiver<u64>,
    group_received: Vec<(String, watch::Receiver<u64>)>,
    index: Option<Arc<tazan_search::SearchIndex>>,
}

/// What the node asks its group hub for: `config`'s levels and industries.
fn group_filter(config: &NodeConfig) -> pb::Filter {
    pb::Filter {
        levels: config
            .levels
            .iter()
            .map(|l| pb::Level::from(*l) as i32)
            .collect(),
        industries: config.industries.clone(),
        ..Default::default()
    }
}

/// How long a starting node waits for a store another process holds (a CLI
/// command reading the library holds it for a moment; a cron job's command
/// must not put a systemd unit into a restart loop).
pub const STORE_WAIT: Duration = Duration::from_secs(30);

impl RunningNode {
    /// Load the key, open the store (waiting up to [`STORE_WAIT`] while a
    /// CLI command holds it) and start delivering and following.
    pub async fn start(config: NodeConfig) -> Result<RunningNode, NodeError> {
        let key = KeyPair::load(&config.key).map_err(|source| NodeError::Key {
            path: config.key.clone(),
            source,
        })?;
        let (id, hub, dir) = (
            config.id.clone(),
            config.hub_name.clone(),
            config.data_dir.clone(),
        );
        let core = tokio::task::spawn_blocking(move || {
            NodeCore::open_when_free(id, hub, key, &dir, STORE_WAIT)
        })
        .await
        .map_err(|e| NodeError::Task(format!("opening the store: {e}")))??;
        let channel =
            tazan_proto::channel(&config.hub_endpoint, config.hub_name.as_str(), &config.tls)?;
        let client = HubClient::new(channel)
            .max_decoding_message_size(64 << 20)
            .max_encoding_message_size(64 << 20);
        let (stop, stop_rx) = watch::channel(false);
        let (received_tx, received) = watch::channel(core.library.cursor(CURSOR)?);
        let filter = group_filter(&config);
        info!(node = %config.id, hub = %config.hub_endpoint, "node started");
        // The CLI's way in (the review desk's signed lessons, backup,
        // status): bound only now that this process holds the store, so a
        // socket file found there is a killed node's and is replaced.
        let admin_socket = tazan_admin::AdminSocket::bind(&config.data_dir)?;
        let admin_path = admin_socket.path().to_owned();
        let mut admin_stop = stop_rx.clone();
        let admin = admin_socket.serve(
            crate::admin::NodeAdmin {
                core: core.clone(),
                hub_endpoint: config.hub_endpoint.clone(),
                started: std::time::Instant::now(),
            },
            async move {
                let _ = admin_stop.changed().await;
            },
        );
        let mut metrics_addr = None;
        let mut workers = vec![tokio::spawn(tazan_edge::heal_store(
            core.store.clone(),
            core.health.clone(),
            HEAL_PROBE_CAP,
            || {},
            stop_rx.clone(),
        ))];
        if let Some(addr) = config.metrics_listen {
            let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
                NodeError::Task(format!("cannot listen for metrics on {addr}: {e}"))
            })?;
            metrics_addr = listener.local_addr().ok();
            let fitted = tazan_edge::fit_open_files(config.conn_limits.max_connections);
            let limits = config.conn_limits.with_max_connections(
                fitted
                    .max_connections
                    .min(config.conn_limits.max_connections),
            );
            let render_core = core.clone();
            let render: tazan_metrics::Render = Arc::new(move || render_core.metrics());
            workers.push(tokio::spawn(tazan_edge::serve_http(
                listener,
                tazan_edge::metrics_router(render, core.health.clone()),
                limits,
                core.metrics_edge.clone(),
                stop_rx.clone(),
            )));
        }
        let mut search_index = None;
        let index_ops = if config.search {
            let index = Arc::new(crate::indexer::open(&config.index_dir).await?);
            search_index = Some(index.clone());
            let (tx, rx) = tokio::sync::mpsc::channel(64);
            workers.push(tokio::spawn(crate::indexer::index_loop(
                core.clone(),
                index,
                rx,
                config.search_commit_interval,
                stop_rx.clone(),
            )));
            Some(tx)
        } else {
            None
        };
        if config.group_admin_key.is_some() {
            workers.push(tokio::spawn(policy_loop(config.clone(), stop_rx.clone())));
        }
        // Each further group: its own hub connection, outbox worker,
        // subscription and policy, so one hub down holds up no other.
        let mut group_received = Vec::new();
        for view in config.group_views().into_iter().skip(1) {
            let Some(scope) = view.scope.clone() else {
                continue;
            };
            let key = KeyPair::load(&view.key).map_err(|source| NodeError::Key {
                path: view.key.clone(),
                source,
            })?;
            let gcore = core.for_group(Some(&scope), view.hub_name.clone(), key)?;
            let client = HubClient::new(tazan_proto::channel(
                &view.hub_endpoint,
                view.hub_name.as_str(),
                &view.tls,
            )?)
            .max_decoding_message_size(64 << 20)
            .max_encoding_message_size(64 << 20);
            let (tx, rx) = watch::channel(core.library.cursor(&gcore.cursor_name())?);
            group_received.push((scope.clone(), rx));
            if view.group_admin_key.is_some() {
                workers.push(tokio::spawn(policy_loop(view.clone(), stop_rx.clone())));
            }
            info!(node = %config.id, group = %scope, hub = %view.hub_endpoint, "following a further group");
            workers.extend([
                tokio::spawn(outbox_loop(gcore.clone(), client.clone(), stop_rx.clone())),
                tokio::spawn(follow_loop(
                    gcore,
                    client,
                    group_filter(&view),
                    stop_rx.clone(),
                    tx,
                    index_ops.clone(),
                    None,
                )),
            ]);
        }
        workers.extend([
            tokio::spawn(outbox_loop(core.clone(), client.clone(), stop_rx.clone())),
            tokio::spawn(follow_loop(
                core.clone(),
                client,
                filter,
                stop_rx,
                received_tx,
                index_ops,
                config.witness.clone(),
            )),
        ]);
        Ok(RunningNode {
            admin,
            admin_path,
            index: search_index,
            metrics_addr,
            core,
            stop,
            workers,
            received,
            group_received,
        })
    }

    /// A receiver of the hub sequence number the library has reached from
    /// the node's further group `name`.
    pub fn group_received(&self, name: &str) -> Option<watch::Receiver<u64>> {
        self.group_received
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.clone())
    }

    /// The bound metrics address, when metrics are on.
    pub fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        self.metrics_addr
    }

    /// The admin socket the CLI reaches this node by.
    pub fn admin_socket(&self) -> &std::path::Path {
        &self.admin_path
    }

    /// The node's core (publish, library).
    pub fn core(&self) -> &Arc<NodeCore> {
        &self.core
    }

    /// The library's full-text index (the running node holds its writer and
    /// keeps it current), when search is on.
    pub fn search_index(&self) -> Option<&Arc<tazan_search::SearchIndex>> {
        self.index.as_ref()
    }

    /// A receiver of the hub sequence number the library has reached.
    pub fn received(&self) -> watch::Receiver<u64> {
        self.received.clone()
    }

    /// Stop workers, join them (10 s limit) and flush.
    pub async fn stop(mut self) -> Result<(), NodeError> {
        let _ = self.stop.send(true);
        self.core.wake.notify_one();
        for mut w in self.workers.drain(..) {
            match tokio::time::timeout(Duration::from_secs(10), &mut w).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(NodeError::Task(e.to_string())),
                Err(_) => {
                    // Abort, so the task releases the store before we return.
                    warn!("a node worker did not stop within 10 s; aborting it");
                    w.abort();
                    let _ = w.await;
                }
            }
        }
        match tokio::time::timeout(Duration::from_secs(10), &mut self.admin).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => return Err(NodeError::Task(format!("admin socket: {e}"))),
            Ok(Err(e)) => return Err(NodeError::Task(format!("admin socket: {e}"))),
            Err(_) => {
                warn!("the admin socket did not drain within 10 s; aborting it");
                self.admin.abort();
            }
        }
        self.core.store.flush().await?;
        info!(node = %self.core.id, "node stopped");
        Ok(())
    }
}

/// The longest wait between two probes of a faulted store.
const HEAL_PROBE_CAP: Duration = Duration::from_secs(1);

async fn outbox_loop(
    core: Arc<NodeCore>,
    mut client: HubClient<Channel>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::network();
    loop {
        if *stop.borrow() {
            return;
        }
        // A delivery blocked on a hub that does not answer must not hold up a stop.
        let delivered = tokio::select! {
            r = core.deliver(&mut client) => r,
            _ = stop.changed() => return,
        };
        match delivered {
            Ok(report) => {
                if !report.accepted.is_empty() || !report.duplicates.is_empty() {
                    debug!(
                        accepted = report.accepted.len(),
                        duplicates = report.duplicates.len(),
                        "delivered"
                    );
                }
                backoff.reset();
                tokio::select! {
                    _ = core.wake.notified() => {}
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
            }
            Err(e) => {
                warn!(error = %e, pending = core.outbox.len(), "delivery failed; lessons stay in the outbox");
                // A newly queued lesson tries again at once (someone waits
                // for the hub's answer); otherwise back off.
                tokio::select! {
                    _ = core.wake.notified() => {}
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(backoff.next_delay()) => {}
                }
            }
        }
    }
}

/// How often a running node asks its hub for the group's policy.
const POLICY_REFRESH: Duration = Duration::from_secs(60);

/// Fetch the group's signed policy at start and every [`POLICY_REFRESH`]:
/// a newer one is installed and acknowledged; a refused one is logged and
/// the held one stays.
async fn policy_loop(config: NodeConfig, mut stop: watch::Receiver<bool>) {
    loop {
        let fetched = tokio::select! {
            r = crate::policy::fetch(&config) => r,
            _ = stop.changed() => return,
        };
        match fetched {
            Ok(crate::Fetched::Installed { version, previous }) => {
                info!(
                    version,
                    ?previous,
                    "group policy installed and acknowledged"
                )
            }
            Ok(_) => {}
            Err(e) => warn!(error = %e, "the group policy was not taken; the held one stays"),
        }
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(POLICY_REFRESH) => {}
        }
    }
}

async fn follow_loop(
    core: Arc<NodeCore>,
    mut client: HubClient<Channel>,
    filter: pb::Filter,
    mut stop: watch::Receiver<bool>,
    received: watch::Sender<u64>,
    index_ops: Option<IndexOps>,
    witness: Option<WitnessKey>,
) {
    let mut backoff = Backoff::network();
    loop {
        if *stop.borrow() {
            return;
        }
        // Stop-aware while connecting too, not only once the stream is open.
        let mut stop_seen = stop.clone();
        let followed = tokio::select! {
            r = follow(&core, &mut client, &filter, &mut stop, &received, index_ops.as_ref(), witness.as_ref()) => r,
            _ = stop_seen.changed() => return,
        };
        match followed {
            Ok(()) => return,
            Err(FollowError::Distrust(e)) => {
                core.distrusted
                    .store(1, std::sync::atomic::Ordering::Relaxed);
                error!(
                    hub = %core.hub,
                    error = %e,
                    "the hub's log failed verification; no longer following it (nothing from this stream is stored; the checkpoint kept from before stays as evidence)"
                );
                return;
            }
            Err(e) => {
                debug!(error = %e, "hub subscription interrupted; resuming from the cursor");
                if backoff.wait(&mut stop).await {
                    return;
                }
            }
        }
    }
}

fn unavailable(e: impl std::fmt::Display) -> FollowError {
    FollowError::Transport(tonic::Status::unavailable(e.to_string()))
}

async fn follow(
    core: &NodeCore,
    client: &mut HubClient<Channel>,
    filter: &pb::Filter,
    stop: &mut watch::Receiver<bool>,
    received: &watch::Sender<u64>,
    index_ops: Option<&IndexOps>,
    witness: Option<&WitnessKey>,
) -> Result<(), FollowError> {
    // On every resume: the hub's checkpoint must extend the one kept.
    let before = core
        .kept_checkpoint()
        .ok()
        .flatten()
        .map_or(0, |cp| cp.size());
    let mut view = core.resume_view(client, witness).await?;
    if let Some(cp) = view.trusted() {
        core.library
            .set_blob(&core.named(HUB_CHECKPOINT), cp.note())
            .await
            .map_err(unavailable)?;
    }
    debug!(
        from = before,
        to = view.size(),
        "hub log consistent with the checkpoint kept"
    );
    let cursor = core.cursor_name();
    let checkpoint_blob = core.named(HUB_CHECKPOINT);
    let after = core.library.cursor(&cursor).map_err(unavailable)?;
    let mut stream = client
        .subscribe(pb::SubscribeRequest {
            after_seq: after,
            filter: Some(filter.clone()),
            follow: true,
            known_size: view.size(),
        })
        .await?
        .into_inner();
    loop {
        let first = tokio::select! {
            m = stream.message() => m?,
            _ = stop.changed() => return Ok(()),
        };
        let Some(first) = first else {
            return Err(tonic::Status::unavailable("hub closed the stream").into());
        };
        // Take whatever else has already arrived, to store it in one write.
        let mut batch = vec![first];
        while batch.len() < 256 {
            match stream.message().now_or_never() {
                Some(Ok(Some(e))) => batch.push(e),
                _ => break,
            }
        }
        // Nothing is stored unless every entry is in the hub's signed tree
        // and every checkpoint extends the last one.
        for entry in &batch {
            tazan_proto::verify_entry(&mut view, entry)?;
        }
        let entries: Vec<(LibraryEntry, Option<LessonId>)> =
            batch.into_iter().filter_map(library_entry).collect();
        if let Some((last, _)) = entries.last() {
            let (seq, count) = (last.hub_seq, entries.len() as u64);
            let kept = view.trusted().map(|cp| cp.note().to_vec());
            // The entries move to the store's writer; the indexer, when
            // there is one, gets its own copy.
            let for_index = index_ops.map(|_| entries.clone());
            core.library
                .put_batch_via(
                    core.hub.as_str(),
                    &cursor,
                    entries,
                    kept.as_deref().map(|note| (checkpoint_blob.as_str(), note)),
                )
                .await
                .map_err(unavailable)?;
            core.received
                .fetch_add(count, std::sync::atomic::Ordering::Relaxed);
            received.send_replace(seq);
            if let (Some(tx), Some(entries)) = (index_ops, for_index) {
                // A closed channel means the indexer stopped (shutdown); the
                // next start syncs the index with the library anyway.
                // A lesson received again through another group after its
                // withdrawal stays out of the index.
                let fresh: Vec<_> = entries
                    .into_iter()
                    .filter(|(e, _)| {
                        !matches!(core.library.get(&e.id), Ok(Some(kept)) if kept.withdrawn)
                    })
                    .collect();
                let _ = tx.send(crate::indexer::ops_for(&fresh)).await;
            }
        }
    }
}

pub(crate) fn library_entry(e: pb::LogEntry) -> Option<(LibraryEntry, Option<LessonId>)> {
    let env = e.envelope?;
    let id = LessonId::try_from(e.lesson_id.as_slice()).ok()?;
    let level = tazan_proto::level_from_pb(e.level).ok()?;
    let (kind, withdraws) = match Payload::from_canonical_bytes(&env.payload) {
        Ok(Payload::Withdrawal(w)) => (PayloadKind::Withdrawal, Some(w.target)),
        Ok(Payload::Lesson(_)) => (PayloadKind::Lesson, None),
        Ok(Payload::Response(_)) => (PayloadKind::Response, None),
        Ok(Payload::Collection(_)) => (PayloadKind::Collection, None),
        Err(err) => {
            warn!(seq = e.seq, error = %err, "hub sent an undecodable lesson; skipped");
            return None;
        }
    };
    Some((
        LibraryEntry {
            id,
            hub_seq: e.seq,
            kind,
            level,
            envelope: StoredEnvelope {
                payload: env.payload,
                signer: env.signer,
                signature: env.signature,
            },
            origin: e.origin,
            origin_group: e.origin_group,
            received_at: u64::try_from(e.received_at).unwrap_or(0),
            withdrawn: false,
        },
        withdraws,
    ))
}
