//! Is a service healthy, and what do its metrics say: a hub answers the gRPC
//! health check (over mutual TLS, with the hub's own certificate); a node
//! answers `GET /healthz` on its metrics port. Figures come from `GET /metrics`.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How to ask a service whether it is healthy.
#[derive(Debug, Clone)]
pub(crate) enum Probe {
    /// gRPC `grpc.health.v1.Health/Check` at `url`, expecting server `id`.
    Hub {
        url: String,
        id: String,
        tls: tazan_proto::ClientTls,
    },
    /// `GET /healthz` on the metrics listener.
    Metrics(SocketAddr),
    /// Nothing to ask (a node without `[metrics]`): alive is all we know.
    None,
}

const TIMEOUT: Duration = Duration::from_secs(2);

impl Probe {
    /// `Ok(())` when healthy, else why not; never takes much longer than
    /// two seconds (a TLS handshake with a peer that accepts and then says
    /// nothing is bounded here, not by tonic's connect timeout).
    pub(crate) async fn check(&self) -> Result<()> {
        tokio::time::timeout(TIMEOUT + Duration::from_millis(500), self.check_once())
            .await
            .unwrap_or_else(|_| bail!("no answer to the health check within {TIMEOUT:?}"))
    }

    async fn check_once(&self) -> Result<()> {
        match self {
            Probe::Hub { url, id, tls } => grpc_health(url, id, tls).await,
            Probe::Metrics(addr) => {
                http_get(*addr, "/healthz").await?;
                Ok(())
            }
            Probe::None => Ok(()),
        }
    }
}

/// `Ok(())` once something accepts a TCP connection at `addr` (a portal:
/// plain HTTP or TLS alike); the connection is closed at once.
pub(crate) async fn accepts(addr: SocketAddr) -> Result<()> {
    tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(addr))
        .await
        .with_context(|| format!("connecting to {addr}: no answer within {TIMEOUT:?}"))?
        .with_context(|| format!("connecting to {addr}"))?;
    Ok(())
}

async fn grpc_health(url: &str, id: &str, tls: &tazan_proto::ClientTls) -> Result<()> {
    use tonic_health::pb::{health_check_response::ServingStatus, health_client::HealthClient};
    let channel = tazan_proto::endpoint(url, id, tls)?
        .connect_timeout(TIMEOUT)
        .timeout(TIMEOUT)
        .connect()
        .await
        .with_context(|| format!("gRPC health: connecting to {url}"))?;
    let status = HealthClient::new(channel)
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .with_context(|| format!("gRPC health check at {url}"))?
        .into_inner()
        .status();
    if status != ServingStatus::Serving {
        bail!("gRPC health at {url}: {}", status.as_str_name());
    }
    Ok(())
}

/// The body of `GET path` on a plain-HTTP listener; an error unless `200`.
pub(crate) async fn http_get(addr: SocketAddr, path: &str) -> Result<String> {
    let fetch = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream
            .write_all(
                format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await?;
        let mut buf = Vec::new();
        stream.take(8 << 20).read_to_end(&mut buf).await?;
        Ok::<_, std::io::Error>(buf)
    };
    let buf = tokio::time::timeout(TIMEOUT, fetch)
        .await
        .with_context(|| format!("GET http://{addr}{path}: no answer within {TIMEOUT:?}"))?
        .with_context(|| format!("GET http://{addr}{path}"))?;
    let text = String::from_utf8_lossy(&buf);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        // A 503 from /healthz says why (a storage fault, say): keep it.
        let why = body.lines().next().unwrap_or_default().trim();
        if why.is_empty() {
            bail!("GET http://{addr}{path}: {status:?}");
        }
        bail!("GET http://{addr}{path}: {status:?}: {why}");
    }
    Ok(body.to_owned())
}

/// The sum of a metric's samples over all label sets, if the page has it.
pub(crate) fn metric(page: &str, name: &str) -> Option<f64> {
    let mut found = None;
    for line in page.lines().filter(|l| !l.starts_with('#')) {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        if !(rest.starts_with('{') || rest.starts_with(' ')) {
            continue;
        }
        if let Some(v) = rest.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) {
            *found.get_or_insert(0.0) += v;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_sums_label_sets_and_ignores_prefixes() {
        let page = "# HELP tazan_hub_log_head x\n\
            tazan_hub_log_head{hub=\"a\",tier=\"group\"} 12\n\
            tazan_hub_log_head_extra 99\n\
            tazan_hub_lessons_rejected_total{reason=\"a\"} 2\n\
            tazan_hub_lessons_rejected_total{reason=\"b b\"} 3\n\
            tazan_node_outbox_depth 4\n";
        assert_eq!(metric(page, "tazan_hub_log_head"), Some(12.0));
        assert_eq!(metric(page, "tazan_hub_lessons_rejected_total"), Some(5.0));
        assert_eq!(metric(page, "tazan_node_outbox_depth"), Some(4.0));
        assert_eq!(metric(page, "tazan_hub_relay_pending"), None);
    }

    #[tokio::test]
    async fn http_get_reads_the_body_and_refuses_other_statuses() {
        let (addr, _stop) = tazan_metrics_like_server().await;
        assert_eq!(http_get(addr, "/healthz").await.unwrap(), "ok\n");
        let err = http_get(addr, "/nope").await.unwrap_err().to_string();
        assert!(err.contains("404"), "{err}");
    }

    #[tokio::test]
    async fn a_hub_not_serving_says_why_through_healthz() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let health = tazan_edge::Health::new();
        let render: tazan_metrics::Render = std::sync::Arc::new(String::new);
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let server = tokio::spawn(tazan_edge::serve_http(
            listener,
            tazan_edge::metrics_router(render, health.clone()),
            tazan_edge::ConnLimits::default(),
            std::sync::Arc::new(tazan_edge::ListenerStats::new("metrics")),
            stop_rx,
        ));
        assert_eq!(http_get(addr, "/healthz").await.unwrap(), "ok\n");
        health.set_not_serving("storage fault: flush failed: No space left on device");
        let err = http_get(addr, "/healthz").await.unwrap_err().to_string();
        assert!(
            err.contains("503") && err.contains("No space left on device"),
            "{err}"
        );
        stop.send(true).unwrap();
        server.await.unwrap();
    }

    /// A tiny server answering `/healthz` with 200 and anything else with 404.
    async fn tazan_metrics_like_server() -> (SocketAddr, tokio::task::JoinHandle<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 1024];
                let n = s.read(&mut buf).await.unwrap();
                let req = String::from_utf8_lossy(&buf[..n]);
                let resp = if req.starts_with("GET /healthz ") {
                    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
                } else {
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                };
                s.write_all(resp.as_bytes()).await.unwrap();
            }
        });
        (addr, task)
    }
}
