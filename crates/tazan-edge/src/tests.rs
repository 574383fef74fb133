//! The edge over real sockets on 127.0.0.1: caps, timeouts and the metrics
//! listener, each waiting on the event it promises (a closed socket, a
//! counter), never on a sleep.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::*;

fn limits() -> ConnLimits {
    ConnLimits {
        max_connections: 8,
        max_connections_per_ip: 2,
        handshake_timeout: Duration::from_secs(30),
        idle_timeout: Duration::from_secs(30),
        ..ConnLimits::default()
    }
}

/// A metrics listener on 127.0.0.1:0 with `limits`.
struct Metrics {
    addr: SocketAddr,
    health: Health,
    stats: Arc<ListenerStats>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Metrics {
    async fn start(limits: ConnLimits) -> Metrics {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let health = Health::new();
        let stats = Arc::new(ListenerStats::new("metrics"));
        let (stop, stop_rx) = watch::channel(false);
        let render: tazan_metrics::Render = Arc::new(|| "up 1\n".to_owned());
        let router = metrics_router(render, health.clone());
        let task = tokio::spawn(serve_http(listener, router, limits, stats.clone(), stop_rx));
        Metrics {
            addr,
            health,
            stats,
            stop,
            task,
        }
    }

    async fn stop(self) {
        self.stop.send(true).unwrap();
        self.task.await.unwrap();
    }
}

/// One request on `s` (keep-alive); the status line and body.
async fn request(s: &mut TcpStream, path: &str) -> (String, String) {
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).await.unwrap();
        assert!(n > 0, "closed before the response ended");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap();
            if body.len() >= len {
                let status = head.lines().next().unwrap().to_owned();
                return (status, body[..len].to_owned());
            }
        }
    }
}

/// Reads until the peer closes the connection (EOF or reset).
async fn closed_by_peer(s: &mut TcpStream) {
    let mut buf = [0u8; 256];
    loop {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Wait until `counter` reads `want` (10 s at most).
async fn counter_reaches(counter: impl Fn() -> u64, want: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while counter() != want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "counter stayed at {}, expected {want}",
            counter()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn metrics_and_healthz_follow_the_health_state() {
    let m = Metrics::start(limits()).await;
    let mut s = TcpStream::connect(m.addr).await.unwrap();
    let (status, body) = request(&mut s, "/metrics").await;
    assert!(status.contains("200"), "{status}");
    assert_eq!(body, "up 1\n");
    let (status, body) = request(&mut s, "/healthz").await;
    assert!(status.contains("200") && body == "ok\n", "{status} {body}");
    m.health
        .set_not_serving("storage fault: flush failed: No space left on device");
    let (status, body) = request(&mut s, "/healthz").await;
    assert!(status.contains("503"), "{status}");
    assert!(body.contains("No space left on device"), "{body}");
    let (status, _) = request(&mut s, "/nope").await;
    assert!(status.contains("404"), "{status}");
    drop(s);
    m.stop().await;
}

#[tokio::test]
async fn a_peer_over_its_per_ip_cap_is_closed_at_once_and_counted() {
    let m = Metrics::start(limits()).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(m.addr).await.unwrap();
        request(&mut s, "/healthz").await; // admitted and answered
        held.push(s);
    }
    let mut third = TcpStream::connect(m.addr).await.unwrap();
    closed_by_peer(&mut third).await;
    assert_eq!(m.stats.refused(Refusal::PerIpLimit), 1);
    assert_eq!(m.stats.open(), 2);
    drop(held);
    m.stop().await;
}

#[tokio::test]
async fn a_connection_without_a_call_in_flight_is_closed_after_the_idle_timeout() {
    let m = Metrics::start(ConnLimits {
        idle_timeout: Duration::from_millis(300),
        ..limits()
    })
    .await;
    let mut s = TcpStream::connect(m.addr).await.unwrap();
    let (status, _) = request(&mut s, "/healthz").await;
    assert!(status.contains("200"));
    closed_by_peer(&mut s).await;
    assert_eq!(m.stats.refused(Refusal::Idle), 1);
    m.stop().await;
}

#[tokio::test]
async fn a_tls_handshake_that_never_starts_is_cut_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let ca = tazan_trust::CertificateAuthority::create("edge-test").unwrap();
    ca.issue(&"edge-hub".parse().unwrap())
        .unwrap()
        .save(dir.path(), "hub")
        .unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.cert_pem()).unwrap();
    let tls = mutual_tls(
        &dir.path().join("hub.pem"),
        &dir.path().join("hub.key"),
        &dir.path().join("ca.pem"),
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stats = Arc::new(ListenerStats::new("grpc"));
    let (stop, stop_rx) = watch::channel(false);
    let limits = ConnLimits {
        handshake_timeout: Duration::from_millis(300),
        ..limits()
    };
    let (incoming, task) = accept_tls(listener, limits, tls, stats.clone(), stop_rx);

    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut garbage = TcpStream::connect(addr).await.unwrap();
    garbage.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
    closed_by_peer(&mut garbage).await;
    closed_by_peer(&mut silent).await;
    // The socket closes as the handshake task ends; the accept loop counts
    // the refusal when it joins that task.
    counter_reaches(|| stats.refused(Refusal::HandshakeFailed), 1).await;
    counter_reaches(|| stats.refused(Refusal::HandshakeTimeout), 1).await;
    assert_eq!(stats.open(), 0, "both slots given back");
    stop.send(true).unwrap();
    task.await.unwrap();
    drop(incoming);
}

#[test]
fn tls_files_that_do_not_fit_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let err = |r: Result<tokio_rustls::TlsAcceptor, EdgeError>| match r {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    let e = err(mutual_tls(&empty, &empty, &empty));
    assert!(
        e.contains("empty.pem") && e.contains("no PEM certificate"),
        "{e}"
    );
    let missing = dir.path().join("missing.pem");
    let e = err(mutual_tls(&missing, &empty, &empty));
    assert!(e.contains("missing.pem"), "{e}");
}

/// This process's open file descriptors.
fn open_fds() -> u64 {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count() as u64)
}

/// CPU time (user + system) this process has used.
fn cpu_time() -> Duration {
    use nix::sys::resource::{getrusage, UsageWho};
    let u = getrusage(UsageWho::RUSAGE_SELF).unwrap();
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
    };
    tv(u.user_time()) + tv(u.system_time())
}

// nextest runs each test in its own process, so the limit lowered here is
// this test's alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_open_file_limit_the_listener_pauses_instead_of_spinning_then_recovers() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let m = Metrics::start(ConnLimits {
        max_connections: 10_000,
        max_connections_per_ip: 10_000,
        ..limits()
    })
    .await;
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, open_fds() + 16, hard).unwrap();
    // Each connection takes two descriptors here (both ends). The last
    // client socket that can be made waits in the backlog: the listener
    // has none left to accept it with.
    let mut held = Vec::new();
    while let Ok(s) = TcpStream::connect(m.addr).await {
        held.push(s);
        assert!(held.len() < 64, "the open-file limit did not bite");
    }
    let waiting = held.pop().unwrap();
    counter_reaches(|| m.stats.refused(Refusal::FdLimit).min(1), 1).await;
    let (wall, cpu) = (std::time::Instant::now(), cpu_time());
    counter_reaches(|| m.stats.refused(Refusal::FdLimit).min(6), 6).await;
    let (wall, cpu) = (wall.elapsed(), cpu_time() - cpu);
    // Five more failed accepts took at least five pauses, not a busy loop.
    assert!(wall >= Duration::from_millis(400), "{wall:?}: spinning");
    assert!(cpu < wall / 4, "{cpu:?} of CPU in {wall:?} at the fd limit");

    // Descriptors come back: the waiting connection is accepted and served.
    setrlimit(Resource::RLIMIT_NOFILE, soft, hard).unwrap();
    let mut waiting = waiting;
    let (status, _) = request(&mut waiting, "/healthz").await;
    assert!(status.contains("200"), "{status}");
    drop(held);
    m.stop().await;
}
