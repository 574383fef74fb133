//! Starting and stopping a portal beside a running hub or node: bind (plain
//! HTTP on loopback, or TLS with the configured certificate), load the
//! shelf, follow the log, answer `tazan user` on the admin socket.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::routing::get;
use axum::serve::ListenerExt as _;
use axum::Router;
use tazan_config::PortalConfig;
use tazan_hub::RunningHub;
use tazan_node::{NodeConfig, RunningNode};
use tazan_store::Store;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use crate::accounts::Accounts;
use crate::admin::{self, MemberCheck, UserDesk};
use crate::session::{LoginLimiter, Sessions};
use crate::shelf::{Arrival, Kept, KeptShelf, Shelf, ShelfStart};
use crate::web::{self, Portal, Side};
use crate::PortalError;

/// A portal serving on its bound address, with its background tasks.
pub struct RunningPortal {
    addr: SocketAddr,
    url: String,
    portal: Arc<Portal>,
    stop: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    tasks: Vec<JoinHandle<()>>,
    loaded: Option<ShelfStart>,
}

impl RunningPortal {
    /// Start the portal of a running hub.
    pub async fn start_hub(
        config: &PortalConfig,
        hub: &RunningHub,
    ) -> Result<RunningPortal, PortalError> {
        let core = hub.core().clone();
        let log_core = core.clone();
        let started = std::time::Instant::now();
        let (kept, shelf, loaded) = tokio::task::spawn_blocking(move || KeptShelf::load(&log_core))
            .await
            .map_err(|e| PortalError::Task(e.to_string()))??;
        info!(
            lessons = shelf.len(),
            through = shelf.through(),
            skipped = shelf.skipped(),
            kept = loaded.kept,
            from_log = loaded.from_log,
            ms = started.elapsed().as_millis() as u64,
            "portal shelf loaded"
        );
        let shelf = Arc::new(RwLock::new(shelf));
        let side = Side::Hub(web::hub::HubSide { core: core.clone() });
        let members = web::hub::member_check(core.clone());
        let (stop, stop_rx) = watch::channel(false);
        let follower = tokio::spawn(follow_log(
            core.clone(),
            Arc::new(Mutex::new(kept)),
            shelf.clone(),
            stop_rx.clone(),
        ));
        let data_dir = hub.data_dir().to_path_buf();
        let index = core.search_index().cloned();
        let mut portal = start(
            config,
            hub.store(),
            side,
            shelf,
            index,
            core.id().clone(),
            members,
            &data_dir,
            stop,
            vec![follower],
        )
        .await?;
        portal.loaded = Some(loaded);
        Ok(portal)
    }

    /// Start the portal of a running node, configured by `node_config`.
    pub async fn start_node(
        config: &PortalConfig,
        node: &RunningNode,
        node_config: &NodeConfig,
    ) -> Result<RunningPortal, PortalError> {
        let core = node.core().clone();
        let lib_core = core.clone();
        let shelf = Arc::new(RwLock::new(Shelf::new()));
        let loaded = shelf.clone();
        tokio::task::spawn_blocking(move || fill_from_library(&lib_core, &loaded))
            .await
            .map_err(|e| PortalError::Task(e.to_string()))??;
        let notes = core.store().records("portal-notes")?;
        let side = Side::Node(web::node::NodeSide {
            core: core.clone(),
            vault_dir: node_config.vault_dir.clone(),
            notes,
        });
        let (stop, stop_rx) = watch::channel(false);
        // Every group's subscription stores into the one library.
        let mut received = vec![node.received()];
        received.extend(
            node_config
                .group_views()
                .iter()
                .filter_map(|v| node.group_received(v.scope.as_deref()?)),
        );
        let follower = tokio::spawn(follow_library(
            core.clone(),
            received,
            shelf.clone(),
            stop_rx,
        ));
        let index = node.search_index().cloned();
        start(
            config,
            core.store(),
            side,
            shelf,
            index,
            core.id().clone(),
            admin::only(core.id().clone()),
            &node_config.data_dir,
            stop,
            vec![follower],
        )
        .await
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where people open it (`public_url`, else the bound address).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The accounts (demo and tests add people in-process).
    pub fn desk(&self) -> UserDesk {
        UserDesk {
            accounts: self.portal.accounts.clone(),
            sessions: Some(self.portal.sessions.clone()),
            members: web::auth::portal_member_check(&self.portal),
            base_url: self.url.clone(),
        }
    }

    /// The highest sequence number the portal has taken from the log or
    /// library so far.
    pub fn shelved_through(&self) -> u64 {
        self.portal.shelf().through()
    }

    /// Lessons on the portal's shelf.
    pub fn shelved_lessons(&self) -> usize {
        self.portal.shelf().len()
    }

    /// How a hub portal's shelf was loaded when it started (`None` for a
    /// node's portal, whose shelf is built from its library).
    pub fn shelf_start(&self) -> Option<ShelfStart> {
        self.loaded
    }

    /// Stop serving and join every task (5 s limit each).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let limit = Duration::from_secs(5);
        let mut server = self.server;
        if tokio::time::timeout(limit, &mut server).await.is_err() {
            warn!("portal connections did not close within 5 s; aborting them");
            server.abort();
            let _ = server.await;
        }
        for mut t in self.tasks {
            if tokio::time::timeout(limit, &mut t).await.is_err() {
                t.abort();
                let _ = t.await;
            }
        }
        info!(addr = %self.addr, "portal stopped");
    }
}

#[allow(clippy::too_many_arguments)]
async fn start(
    config: &PortalConfig,
    store: &Store,
    side: Side,
    shelf: Arc<RwLock<Shelf>>,
    index: Option<Arc<tazan_search::SearchIndex>>,
    own_id: tazan_model::MemberId,
    members: MemberCheck,
    data_dir: &Path,
    stop: watch::Sender<bool>,
    mut tasks: Vec<JoinHandle<()>>,
) -> Result<RunningPortal, PortalError> {
    let accounts = Arc::new(Accounts::open(store)?);
    let sessions = Arc::new(Sessions::new(config.session));
    let tcp = TcpListener::bind(config.listen)
        .await
        .map_err(|source| PortalError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = tcp.local_addr().map_err(|source| PortalError::Bind {
        addr: config.listen,
        source,
    })?;
    let url = config.base_url(addr);
    let portal = Arc::new(Portal {
        side,
        accounts: accounts.clone(),
        sessions: sessions.clone(),
        limiter: LoginLimiter::new(),
        config: config.clone(),
        base_url: RwLock::new(url.clone()),
        shelf,
        index,
        own_id,
        trends: std::sync::Mutex::new(HashMap::new()),
        related: web::lessons::RelatedCache::new(),
    });
    let app = router(portal.clone());
    let mut stop_rx = stop.subscribe();
    let shutdown = async move {
        let _ = stop_rx.changed().await;
    };
    let server = match &config.tls {
        None => {
            let listener = tcp.tap_io(|s: &mut TcpStream| {
                let _ = s.set_nodelay(true);
            });
            tokio::spawn(async move {
                axum::serve(
                    listener,
                    app.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .with_graceful_shutdown(shutdown)
                .await
            })
        }
        Some(tls) => {
            let acceptor = crate::tls::acceptor(&tls.cert, &tls.key)?;
            let listener = crate::tls::TlsListener::new(tcp, acceptor).tap_io(|_| {});
            tokio::spawn(async move {
                axum::serve(
                    listener,
                    app.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .with_graceful_shutdown(shutdown)
                .await
            })
        }
    };
    let desk = UserDesk {
        accounts,
        sessions: Some(sessions),
        members,
        base_url: url.clone(),
    };
    tasks.push(tokio::spawn(admin::serve(
        admin::socket_path(data_dir),
        desk,
        stop.subscribe(),
    )));
    info!(%addr, url = %url, tls = config.tls.is_some(), "portal listening");
    Ok(RunningPortal {
        addr,
        url,
        portal,
        stop,
        server,
        tasks,
        loaded: None,
    })
}

fn router(portal: Arc<Portal>) -> Router {
    let pages = match &portal.side {
        Side::Hub(_) => web::hub::routes().merge(web::mail::routes()),
        Side::Node(_) => web::node::routes()
            .merge(web::review::routes())
            .merge(web::answers::node_routes()),
    };
    Router::new()
        .merge(pages)
        .merge(web::auth::routes())
        .route("/assets/style.css", get(web::stylesheet))
        .fallback(web::not_found)
        .layer(axum::middleware::from_fn_with_state(
            portal.clone(),
            web::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            portal.clone(),
            web::headers,
        ))
        .with_state(portal)
}

/// Take each entry the log makes durable, and keep it in the hub's store.
async fn follow_log(
    core: Arc<tazan_hub::HubCore>,
    kept: Arc<Mutex<KeptShelf>>,
    shelf: Arc<RwLock<Shelf>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut head = core.log().watch();
    loop {
        let (core2, kept2, shelf2) = (core.clone(), kept.clone(), shelf.clone());
        let step = tokio::task::spawn_blocking(move || {
            // Locked on a blocking thread only, by this task alone.
            let mut kept = kept2.lock().unwrap_or_else(|p| p.into_inner());
            kept.catch_up(&core2, &shelf2)
        });
        match step.await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                warn!(error = %e, "portal could not read or keep the log; retrying on the next entry")
            }
            Err(e) => warn!(error = %e, "portal log reader failed"),
        }
        tokio::select! {
            changed = head.changed() => if changed.is_err() { return },
            _ = stop.changed() => return,
        }
    }
}

/// Take the library entries the shelf has not taken yet. A node in several
/// groups holds entries of several hubs' logs: what is new is told by id,
/// not by sequence number (a withdrawal from one hub can carry a lower
/// number than lessons already taken from another).
fn fill_from_library(
    core: &tazan_node::NodeCore,
    shelf: &RwLock<Shelf>,
) -> Result<(), PortalError> {
    let mut entries = core.library().all()?;
    {
        let s = shelf.read().unwrap_or_else(|p| p.into_inner());
        entries.retain(|e| !s.knows(&e.id));
    }
    if entries.is_empty() {
        return Ok(());
    }
    let taken: Vec<Kept> = entries
        .iter()
        .map(|e| {
            Kept::of(Arrival {
                seq: e.hub_seq,
                id: e.id,
                level: e.level,
                origin: &e.origin,
                origin_group: &e.origin_group,
                received_at: e.received_at,
                payload: &e.envelope.payload,
            })
        })
        .collect();
    let mut s = shelf.write().unwrap_or_else(|p| p.into_inner());
    for k in taken {
        s.take_unseen(k);
    }
    Ok(())
}

/// Take what the node's library receives from any of its groups.
async fn follow_library(
    core: Arc<tazan_node::NodeCore>,
    mut received: Vec<watch::Receiver<u64>>,
    shelf: Arc<RwLock<Shelf>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let changed =
            futures::future::select_all(received.iter_mut().map(|r| Box::pin(r.changed())));
        tokio::select! {
            (changed, _, _) = changed => if changed.is_err() { return },
            _ = stop.changed() => return,
        }
        let core2 = core.clone();
        let shelf2 = shelf.clone();
        match tokio::task::spawn_blocking(move || fill_from_library(&core2, &shelf2)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => warn!(error = %e, "portal could not read the library"),
            Err(e) => warn!(error = %e, "portal library reader failed"),
        }
    }
}
