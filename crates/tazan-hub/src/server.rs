use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tazan_admin::AdminSocket;
use tazan_proto::pb::hub_server::HubServer;
use tazan_store::{HubLog, Store};
use tazan_trust::{KeyPair, SignedRoster};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Server;
use tracing::{info, warn};

use crate::admin::HubAdmin;
use crate::core::ROSTER_SERIAL;
use crate::service::{authenticate, HubService};
use crate::{relay, HubConfig, HubCore, HubError};

/// A hub serving on its bound address, with its background workers.
pub struct RunningHub {
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    core: Arc<HubCore>,
    store: Store,
    data_dir: std::path::PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    stop_workers: watch::Sender<bool>,
    server: JoinHandle<Result<(), tonic::transport::Error>>,
    admin: JoinHandle<Result<(), tonic::transport::Error>>,
    admin_path: std::path::PathBuf,
    workers: Vec<JoinHandle<()>>,
}

fn read(path: &Path) -> Result<Vec<u8>, HubError> {
    std::fs::read(path).map_err(|source| HubError::Read {
        path: path.to_owned(),
        source,
    })
}

/// What to log when a changed roster file does not load: it could not be
/// read (missing, not a roster, a directory), or it reads but its
/// signature does not verify — which is not the same thing to fix.
pub(crate) fn roster_load_failure(e: &tazan_trust::TrustError) -> &'static str {
    use tazan_trust::TrustError as E;
    match e {
        E::Io { .. } | E::FileFormat { .. } | E::NotAFile { .. } => {
            "roster file unreadable; the roster in force stays"
        }
        _ => "roster file changed but its signature does not verify (edited after signing, or signed by another key); the roster in force stays",
    }
}

/// The longest wait between two probes of a faulted store: space freed is
/// noticed within about this long.
const HEAL_PROBE_CAP: Duration = Duration::from_secs(1);

/// Keep gRPC health (the whole server and the `Hub` service) in step with
/// the hub's health.
async fn report_health(
    core: Arc<HubCore>,
    reporter: tonic_health::server::HealthReporter,
    mut stop: watch::Receiver<bool>,
) {
    use tonic::server::NamedService;
    use tonic_health::ServingStatus;
    let mut health = core.health.subscribe();
    loop {
        let status = if health.borrow_and_update().is_serving() {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        reporter.set_service_status("", status).await;
        reporter
            .set_service_status(<HubServer<HubService> as NamedService>::NAME, status)
            .await;
        tokio::select! {
            changed = health.changed() => if changed.is_err() { return },
            _ = stop.changed() => return,
        }
    }
}

/// The hub's signing key and roster file, as configured.
pub(crate) fn load_key_and_roster(config: &HubConfig) -> Result<(KeyPair, SignedRoster), HubError> {
    let key = KeyPair::load(&config.key).map_err(|source| HubError::Trust {
        what: "hub key",
        path: config.key.clone(),
        source,
    })?;
    let roster = SignedRoster::load(&config.roster).map_err(|source| HubError::Trust {
        what: "roster",
        path: config.roster.clone(),
        source,
    })?;
    Ok((key, roster))
}

impl RunningHub {
    /// Open the store, load keys and roster, bind, and start serving and
    /// relaying. Returns once the listener is bound.
    pub async fn start(config: HubConfig) -> Result<RunningHub, HubError> {
        let (key, roster) = load_key_and_roster(&config)?;
        match &config.roster_admin_key {
            Some(admin) => {
                roster
                    .verify_pinned(admin)
                    .map_err(|source| HubError::Trust {
                        what: "roster (not signed by hub.roster_admin_key)",
                        path: config.roster.clone(),
                        source,
                    })?;
            }
            None => warn!(
                "hub.roster_admin_key is not set: the roster file is trusted as found; set it to the group admin's public key"
            ),
        }
        // TLS keys must be private like signing keys (checked here, with
        // the same rule and message as everywhere else).
        tazan_proto::read_private_key(&config.tls.key)?;
        for path in [&config.tls.cert, &config.tls.ca] {
            read(path)?;
        }
        let tls = tazan_edge::mutual_tls(&config.tls.cert, &config.tls.key, &config.tls.ca)?;
        let store = Store::open(&config.data_dir)?;
        let log = HubLog::open(&store).await?;
        let held = log.cursor(ROSTER_SERIAL)?;
        let serial = roster.roster.serial;
        if serial < held {
            return Err(HubError::RosterRollback {
                path: config.roster.clone(),
                found: serial,
                held,
            });
        }
        if serial > held {
            log.set_cursor(ROSTER_SERIAL, serial).await?;
        }
        let search = if config.search {
            let dir = config.index_dir();
            // One writer thread: the hub's first job is the federation path,
            // and on a small machine a second indexing thread costs it latency.
            let options = tazan_search::IndexOptions {
                writer_threads: 1,
                writer_memory_bytes: 32 << 20,
            };
            let index = tazan_search::SearchIndex::open_with(&dir, &options)
                .map_err(|e| HubError::Task(format!("search index {}: {e}", dir.display())))?;
            let related = tazan_search::RelatedStore::open(&config.related_dir())
                .map_err(|e| HubError::Task(e.to_string()))?;
            Some((Arc::new(index), Arc::new(related)))
        } else {
            None
        };
        let core = Arc::new(HubCore::new(
            &config,
            log,
            roster,
            key,
            search.as_ref().map(|s| s.0.clone()),
            search.as_ref().map(|s| s.1.clone()),
        ));
        core.load_policy().await?;

        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| HubError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| HubError::Bind {
            addr: config.listen,
            source,
        })?;

        let (health_reporter, health) = tonic_health::server::health_reporter();
        health_reporter.set_serving::<HubServer<HubService>>().await;
        let (stop_workers, stop_rx) = watch::channel(false);
        // Every connection is a file descriptor: fit the caps under the
        // open-file limit, so the hub refuses what it could not hold
        // instead of failing to accept (or to open a file) at all.
        let metrics_cap = if config.metrics_listen.is_some() {
            config.metrics_max_connections
        } else {
            0
        };
        let fitted = tazan_edge::fit_open_files(config.conn_limits.max_connections + metrics_cap);
        let grpc_cap = fitted
            .max_connections
            .saturating_sub(metrics_cap)
            .max(16)
            .min(config.conn_limits.max_connections);
        let conn_limits = config.conn_limits.with_max_connections(grpc_cap);
        let reflection = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(tazan_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1()
            .map_err(|e| HubError::Task(format!("reflection: {e}")))?;
        let auth_core = core.clone();
        let hub = InterceptedService::new(
            HubServer::new(HubService { core: core.clone() })
                .max_decoding_message_size(config.max_message_bytes)
                .max_encoding_message_size(config.max_message_bytes.max(16 << 20)),
            move |req| authenticate(&auth_core, req),
        );
        // The edge accepts (caps, handshake timeout, TCP_NODELAY on each
        // socket) and does the mutual TLS; tonic serves what it admits.
        let (incoming, accept) = tazan_edge::accept_tls(
            listener,
            conn_limits,
            tls,
            core.grpc_edge.clone(),
            stop_rx.clone(),
        );
        let (shutdown, shutdown_rx) = oneshot::channel::<()>();
        let server = tokio::spawn(
            Server::builder()
                .layer(tazan_edge::InFlightLayer)
                .http2_keepalive_interval(Some(conn_limits.keepalive_interval))
                .http2_keepalive_timeout(Some(conn_limits.keepalive_timeout))
                .add_service(health)
                .add_service(reflection)
                .add_service(hub)
                .serve_with_incoming_shutdown(incoming, async {
                    let _ = shutdown_rx.await;
                }),
        );
        info!(hub = %config.id, tier = config.tier.as_str(), %addr, head = core.log.head(), max_connections = conn_limits.max_connections, "hub listening");

        let healed = core.clone();
        let mut workers = vec![
            accept,
            tokio::spawn(report_health(
                core.clone(),
                health_reporter,
                stop_rx.clone(),
            )),
            tokio::spawn(tazan_edge::heal_store(
                store.clone(),
                core.health.clone(),
                HEAL_PROBE_CAP,
                move || {
                    if let Err(e) = healed.log.refresh() {
                        warn!(error = %e, "reading the log head after the store healed failed");
                    }
                },
                stop_rx.clone(),
            )),
        ];
        // The CLI's way in (status, catalogue import, backup, roster reload):
        // bound only now that this process holds the store, so a socket file
        // found there is a killed hub's and is replaced.
        let admin_socket = AdminSocket::bind(&config.data_dir)?;
        let admin_path = admin_socket.path().to_owned();
        let mut admin_stop = stop_rx.clone();
        let admin = admin_socket.serve(
            HubAdmin {
                core: core.clone(),
                store: store.clone(),
                started: std::time::Instant::now(),
            },
            async move {
                let _ = admin_stop.changed().await;
            },
        );
        if let Some((index, related)) = search {
            workers.push(tokio::spawn(crate::indexer::index_loop(
                core.clone(),
                index.clone(),
                config.search_commit_interval,
                stop_rx.clone(),
            )));
            workers.push(tokio::spawn(crate::related::related_loop(
                core.clone(),
                index,
                related,
                config.search_commit_interval,
                stop_rx.clone(),
            )));
        }
        let mut metrics_addr = None;
        if let Some(addr) = config.metrics_listen {
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|source| HubError::Bind { addr, source })?;
            metrics_addr = listener.local_addr().ok();
            let render_core = core.clone();
            let render: tazan_metrics::Render = Arc::new(move || render_core.metrics());
            workers.push(tokio::spawn(tazan_edge::serve_http(
                listener,
                tazan_edge::metrics_router(render, core.health.clone()),
                conn_limits.with_max_connections(metrics_cap),
                core.metrics_edge.clone(),
                stop_rx.clone(),
            )));
        }
        if let Some(up) = &config.upstream {
            workers.push(tokio::spawn(relay::relay_loop(
                core.clone(),
                up.clone(),
                stop_rx.clone(),
            )));
            workers.push(tokio::spawn(relay::witness_loop(
                core.clone(),
                up.clone(),
                stop_rx.clone(),
            )));
            workers.push(tokio::spawn(relay::downstream_loop(
                core.clone(),
                up.clone(),
                stop_rx,
            )));
        }
        Ok(RunningHub {
            admin,
            admin_path,
            data_dir: config.data_dir.clone(),
            metrics_addr,
            addr,
            core,
            store,
            shutdown: Some(shutdown),
            stop_workers,
            server,
            workers,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound metrics address, when metrics are on.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The admin socket the CLI reaches this hub by.
    pub fn admin_socket(&self) -> &Path {
        &self.admin_path
    }

    /// The hub's data directory (its store and sockets).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The hub's store (other records beside the log: the portal's accounts).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The hub's core, for in-process inspection (demo, tests, benchmarks).
    pub fn core(&self) -> &Arc<HubCore> {
        &self.core
    }

    /// Stop accepting, stop workers, flush, and join every task (10 s limit).
    pub async fn stop(mut self) -> Result<(), HubError> {
        self.core.closing.send_replace(true);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.stop_workers.send(true);
        let limit = Duration::from_secs(10);
        for mut w in self.workers.drain(..) {
            match tokio::time::timeout(limit, &mut w).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(HubError::Task(format!("worker: {e}"))),
                Err(_) => {
                    // Abort, so the task releases the store before we return.
                    warn!("a hub worker did not stop within 10 s; aborting it");
                    w.abort();
                    let _ = w.await;
                }
            }
        }
        match tokio::time::timeout(limit, &mut self.admin).await {
            Ok(joined) => joined.map_err(|e| HubError::Task(format!("admin socket: {e}")))??,
            Err(_) => {
                warn!("the admin socket did not drain within 10 s; aborting it");
                self.admin.abort();
            }
        }
        match tokio::time::timeout(limit, &mut self.server).await {
            Ok(joined) => joined.map_err(|e| HubError::Task(format!("server: {e}")))??,
            Err(_) => {
                warn!("server did not drain within 10 s; aborting connections");
                self.server.abort();
            }
        }
        // Subscription tasks hold the core (and so the sled lock) until they
        // see the stream closed; wait for them, so that a hub restarted in
        // the same process right after `stop` can open its store.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while self
            .core
            .stats
            .subscribers
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
        {
            if tokio::time::Instant::now() > deadline {
                warn!("subscription tasks did not end within 5 s");
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.store.flush().await?;
        info!(hub = %self.core.id, "hub stopped");
        Ok(())
    }

    /// Serve until `signal` resolves, then stop.
    pub async fn run_until(
        self,
        signal: impl std::future::Future<Output = ()>,
    ) -> Result<(), HubError> {
        signal.await;
        self.stop().await
    }
}

#[cfg(test)]
mod tests {
    use tazan_trust::{KeyPair, Roster, SignedRoster};

    use super::roster_load_failure;

    /// Today a roster whose signature failed on reload was logged as
    /// "unreadable".
    #[test]
    fn a_roster_with_a_bad_signature_is_not_called_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.json");
        let admin = KeyPair::generate();
        Roster::new("finance-hub".parse().unwrap(), admin.public())
            .sign(&admin)
            .unwrap()
            .save(&path)
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("finance-hub", "finance-hux")).unwrap();
        let e = SignedRoster::load(&path).unwrap_err();
        let line = roster_load_failure(&e);
        assert!(
            line.contains("signature does not verify") && !line.contains("unreadable"),
            "{e}: {line}"
        );
        std::fs::write(&path, "{").unwrap();
        let e = SignedRoster::load(&path).unwrap_err();
        assert!(roster_load_failure(&e).contains("unreadable"), "{e}");
    }
}
