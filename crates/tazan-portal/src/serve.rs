//! Starting and stopping a portal beside a running hub or node: bind (plain
//! HTTP on loopback, or TLS with the configured certificate), load the
//! shelf, follow the log, answer `tazan user` on the admin socket.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, RwLock};
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
use tracing::{debug, info, warn};

use crate::accounts::Accounts;
use crate::admin::{self, MemberCheck, UserDesk};
use crate::session::{LoginLimiter, Sessions};
use crate::shelf::{Arrival, Shelf};
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
}

impl RunningPortal {
    /// Start the portal of a running hub.
    pub async fn start_hub(
        config: &PortalConfig,
        hub: &RunningHub,
    ) -> Result<RunningPortal, PortalError> {
        let core = hub.core().clone();
        let log_core = core.clone();
        let shelf = load_shelf(move |s| fill_from_log(&log_core, s)).await?;
        let side = Side::Hub(web::hub::HubSide { core: core.clone() });
        let members = web::hub::member_check(core.clone());
        let (stop, stop_rx) = watch::channel(false);
        let follower = tokio::spawn(follow_log(core.clone(), shelf.clone(), stop_rx.clone()));
        let data_dir = hub.data_dir().to_path_buf();
        let index = core.search_index().cloned();
        start(
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
        .await
    }

    /// Start the portal of a running node, configured by `node_config`.
    pub async fn start_node(
        config: &PortalConfig,
        node: &RunningNode,
        node_config: &NodeConfig,
    ) -> Result<RunningPortal, PortalError> {
        let core = node.core().clone();
        let lib_core = core.clone();
        let shelf = load_shelf(move |s| fill_from_library(&lib_core, s)).await?;
        let notes = core.store().records("portal-notes")?;
        let side = Side::Node(web::node::NodeSide {
            core: core.clone(),
            vault_dir: node_config.vault_dir.clone(),
            notes,
        });
        let (stop, stop_rx) = watch::channel(false);
        let follower = tokio::spawn(follow_library(
            core.clone(),
            node.received(),
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

    /// Lessons the portal has taken from the log or library so far.
    pub fn shelved_through(&self) -> u64 {
        self.portal.shelf().through()
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

/// A new shelf, filled by `fill` off the async threads.
async fn load_shelf(
    fill: impl FnOnce(&RwLock<Shelf>) -> Result<(), PortalError> + Send + 'static,
) -> Result<Arc<RwLock<Shelf>>, PortalError> {
    let shelf = Arc::new(RwLock::new(Shelf::new()));
    let loaded = shelf.clone();
    tokio::task::spawn_blocking(move || fill(&loaded))
        .await
        .map_err(|e| PortalError::Task(e.to_string()))??;
    Ok(shelf)
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

/// Entries read from the log per step.
const STEP: usize = 1000;

fn fill_from_log(core: &tazan_hub::HubCore, shelf: &RwLock<Shelf>) -> Result<(), PortalError> {
    let started = std::time::Instant::now();
    fill_from_log_quiet(core, shelf)?;
    let s = shelf.read().unwrap_or_else(|p| p.into_inner());
    info!(
        lessons = s.len(),
        through = s.through(),
        skipped = s.skipped(),
        ms = started.elapsed().as_millis() as u64,
        "portal shelf loaded from the log"
    );
    Ok(())
}

/// Take each entry the log makes durable.
async fn follow_log(
    core: Arc<tazan_hub::HubCore>,
    shelf: Arc<RwLock<Shelf>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut head = core.log().watch();
    loop {
        let core2 = core.clone();
        let shelf2 = shelf.clone();
        match tokio::task::spawn_blocking(move || fill_from_log_quiet(&core2, &shelf2)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                warn!(error = %e, "portal could not read the log; retrying on the next entry")
            }
            Err(e) => warn!(error = %e, "portal log reader failed"),
        }
        tokio::select! {
            changed = head.changed() => if changed.is_err() { return },
            _ = stop.changed() => return,
        }
    }
}

fn fill_from_log_quiet(
    core: &tazan_hub::HubCore,
    shelf: &RwLock<Shelf>,
) -> Result<(), PortalError> {
    loop {
        let after = shelf.read().unwrap_or_else(|p| p.into_inner()).through();
        let page = core.log_page(after, STEP)?;
        if page.is_empty() {
            return Ok(());
        }
        let mut s = shelf.write().unwrap_or_else(|p| p.into_inner());
        for r in &page {
            s.add(Arrival {
                seq: r.seq,
                id: r.id,
                level: r.level,
                origin: r.origin.as_str(),
                origin_group: &r.origin_group,
                received_at: r.received_at,
                payload: &r.envelope.payload,
            });
        }
        debug!(through = s.through(), "portal shelf caught up");
    }
}

fn fill_from_library(
    core: &tazan_node::NodeCore,
    shelf: &RwLock<Shelf>,
) -> Result<(), PortalError> {
    let after = shelf.read().unwrap_or_else(|p| p.into_inner()).through();
    let mut entries = core.library().all()?;
    entries.retain(|e| e.hub_seq > after);
    if entries.is_empty() {
        return Ok(());
    }
    let mut s = shelf.write().unwrap_or_else(|p| p.into_inner());
    for e in &entries {
        s.add(Arrival {
            seq: e.hub_seq,
            id: e.id,
            level: e.level,
            origin: &e.origin,
            origin_group: &e.origin_group,
            received_at: e.received_at,
            payload: &e.envelope.payload,
        });
    }
    Ok(())
}

/// Take what the node's library receives.
async fn follow_library(
    core: Arc<tazan_node::NodeCore>,
    mut received: watch::Receiver<u64>,
    shelf: Arc<RwLock<Shelf>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            changed = received.changed() => if changed.is_err() { return },
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
