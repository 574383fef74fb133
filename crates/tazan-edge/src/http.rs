//! HTTP listeners (the metrics page and `/healthz`; a portal) served by
//! axum through the edge: the same caps, idle timeout and keep-alive as
//! the gRPC port, and a time limit on the request head.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::routing::get;
use axum::Router;
use futures::StreamExt;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tazan_metrics::Render;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower_service::Service;
use tracing::{debug, info};

use crate::inflight::Guarded;
use crate::stats::ListenerStats;
use crate::{accept_plain, ConnLimits, Health, Serving};

/// How long open connections may take to finish once asked to stop.
const DRAIN: Duration = Duration::from_secs(5);

/// Serve `router` on `listener` under `limits` until `stop` turns true,
/// then let open connections finish (up to 5 s) and join every task.
pub async fn serve_http(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    stats: Arc<ListenerStats>,
    mut stop: watch::Receiver<bool>,
) {
    if let Ok(addr) = listener.local_addr() {
        info!(%addr, "HTTP listening");
    }
    let (mut incoming, accept) = accept_plain(listener, limits, stats, stop.clone());
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.handshake_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.keepalive_interval)
        .keep_alive_timeout(limits.keepalive_timeout);
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            io = incoming.next() => {
                let Some(Ok(io)) = io else { break };
                let (builder, router, stop) = (builder.clone(), router.clone(), stop.clone());
                conns.spawn(connection(builder, io, router, stop));
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = stop.changed() => break,
        }
    }
    drop(incoming);
    let _ = accept.await;
    while conns.join_next().await.is_some() {}
}

async fn connection(
    builder: auto::Builder<TokioExecutor>,
    io: crate::EdgeIo<tokio::net::TcpStream>,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let conn_state = io.info().conn.clone();
    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let call = conn_state.begin();
        let mut router = router.clone();
        async move {
            let response = router.call(req).await;
            response.map(|r| r.map(|body| Guarded::new(body, Some(call))))
        }
    });
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let served = tokio::select! {
        r = conn.as_mut() => r,
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            match tokio::time::timeout(DRAIN, conn.as_mut()).await {
                Ok(r) => r,
                Err(_) => return,
            }
        }
    };
    if let Err(e) = served {
        debug!(error = %e, "HTTP connection ended with an error");
    }
}

/// `GET /metrics` (the page `render` writes) and `GET /healthz` (200 `ok`
/// while `health` is serving, else 503 with the reason).
pub fn metrics_router(render: Render, health: Health) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(move || {
                let render = render.clone();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8",
                        )],
                        render(),
                    )
                }
            }),
        )
        .route(
            "/healthz",
            get(move || {
                let state = health.current();
                async move {
                    match state {
                        Serving::Serving => (StatusCode::OK, "ok\n".to_owned()),
                        Serving::NotServing(why) => (
                            StatusCode::SERVICE_UNAVAILABLE,
                            format!("not serving: {why}\n"),
                        ),
                    }
                }
            }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "try /metrics or /healthz\n") })
}
