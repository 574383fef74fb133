//! Shared fixtures: a fresh topology per test and raw clients.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tazan::harness::Federation;

/// How long an end-to-end test waits for an event (a lesson arriving, a
/// health state, a search hit) before it fails. Every wait returns as soon as
/// the event happens; the bound is generous because two loaded CI cores can
/// stretch a relay hop or an index commit to many seconds.
pub(crate) const WAIT: Duration = Duration::from_secs(60);
use tazan::topology::{self, Layout, Ports, Spec};
use tazan_model::{DisclosureLevel, Envelope, Lesson, MemberId, Payload};
use tazan_proto::pb::{self, hub_client::HubClient, publish_result::Outcome};
use tazan_trust::{KeyPair, Role, RosterEntry, SignedRoster};
use tonic::transport::Channel;

/// A temp dir and the demo topology inside it.
pub(crate) struct Fixture {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) layout: Layout,
}

impl Fixture {
    pub(crate) fn new() -> Fixture {
        Self::with_ports(Ports::EPHEMERAL)
    }

    pub(crate) fn with_ports(ports: Ports) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let layout = topology::create(dir.path(), &Spec::demo(), ports).unwrap();
        Fixture { dir, layout }
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub(crate) fn key(&self, node: &str) -> KeyPair {
        KeyPair::load(&self.path(&format!("{node}/node.key"))).unwrap()
    }

    /// Edit the finance roster (re-signed by its admin) before the hubs start.
    pub(crate) fn edit_finance_roster(&self, edit: impl FnOnce(&mut tazan_trust::Roster)) {
        let path = self.path("finance/roster.json");
        let admin = KeyPair::load(&self.path("finance/admin.key")).unwrap();
        let signed = SignedRoster::load(&path).unwrap();
        let mut roster = signed.verify_pinned(&admin.public()).unwrap().clone();
        edit(&mut roster);
        roster.serial += 1;
        roster.sign(&admin).unwrap().save(&path).unwrap();
    }

    /// Issue a finance-CA certificate and key for `id` under `dir/id/tls`.
    pub(crate) fn issue_finance_cert(&self, id: &str) -> PathBuf {
        let ca = tazan_trust::CertificateAuthority::load(&self.path("finance/ca")).unwrap();
        let out = self.path(&format!("{id}/tls"));
        ca.issue(&id.parse().unwrap())
            .unwrap()
            .save(&out, "node")
            .unwrap();
        std::fs::write(out.join("ca.pem"), ca.cert_pem()).unwrap();
        out
    }

    /// Add `id` to the finance roster with a fresh key and the given roles.
    pub(crate) fn add_finance_member(&self, id: &str, roles: Vec<Role>) -> KeyPair {
        self.issue_finance_cert(id);
        let key = KeyPair::generate();
        let member: MemberId = id.parse().unwrap();
        self.edit_finance_roster(|r| {
            r.add(RosterEntry::new(member, id, key.public(), 0, roles))
                .unwrap();
        });
        key
    }
}

/// A raw client to `addr`, authenticated by the certificate in `tls_dir`
/// (node.pem, node.key, ca.pem), expecting server identity `server`.
pub(crate) async fn client(addr: &str, server: &str, tls_dir: &Path) -> HubClient<Channel> {
    let tls = tazan_proto::ClientTls {
        cert: tls_dir.join("node.pem"),
        key: tls_dir.join("node.key"),
        ca: tls_dir.join("ca.pem"),
    };
    let ch = tazan_proto::endpoint(&format!("https://{addr}"), server, &tls)
        .unwrap()
        .connect()
        .await
        .unwrap();
    HubClient::new(ch)
}

/// The group hub's own client identity towards the cross hub.
pub(crate) async fn cross_client_as_group(
    fx: &Fixture,
    fed: &Federation,
    group: &str,
) -> HubClient<Channel> {
    let up = fx.path(&format!("{group}/upstream"));
    let tls = tazan_proto::ClientTls {
        cert: up.join("hub.pem"),
        key: up.join("hub.key"),
        ca: up.join("ca.pem"),
    };
    let ch = tazan_proto::endpoint(&format!("https://{}", fed.cross.addr()), "cross-hub", &tls)
        .unwrap()
        .connect()
        .await
        .unwrap();
    HubClient::new(ch)
}

pub(crate) fn lesson(title: &str, level: DisclosureLevel) -> Lesson {
    let mut l = Lesson::example(title, level);
    l.title = title.to_owned();
    l
}

/// `lesson` through the leak gate of `node` in the fixture (its own names and policy).
pub(crate) fn gated(fx: &Fixture, node: &str, lesson: Lesson) -> tazan_node::GatedLesson {
    tazan_node::Gate::open(&fx.path(node))
        .unwrap()
        .lesson(lesson, &[])
        .unwrap()
}

/// `withdrawal` through the leak gate of `node` in the fixture.
pub(crate) fn gated_withdrawal(
    fx: &Fixture,
    node: &str,
    withdrawal: tazan_model::Withdrawal,
) -> tazan_node::GatedWithdrawal {
    tazan_node::Gate::open(&fx.path(node))
        .unwrap()
        .withdrawal(withdrawal)
        .unwrap()
}

pub(crate) fn signed(key: &KeyPair, title: &str, level: DisclosureLevel) -> Envelope {
    key.sign(&Payload::Lesson(lesson(title, level)))
}

pub(crate) async fn publish(
    client: &mut HubClient<Channel>,
    envs: &[Envelope],
) -> Vec<pb::PublishResult> {
    client
        .publish(pb::PublishRequest {
            envelopes: envs.iter().map(pb::Envelope::from).collect(),
        })
        .await
        .unwrap()
        .into_inner()
        .results
}

pub(crate) fn outcome(r: &pb::PublishResult) -> Outcome {
    Outcome::try_from(r.outcome).unwrap()
}

/// All entries of a hub log as seen by `client`.
pub(crate) async fn list_all(client: &mut HubClient<Channel>) -> Vec<pb::LogEntry> {
    tazan_proto::list_all(client).await.unwrap()
}

/// The whole log as a stream that ends at the head (a subscription from the
/// start that does not follow).
pub(crate) async fn whole_log_stream(
    client: &mut HubClient<Channel>,
) -> tonic::Streaming<pb::LogEntry> {
    client
        .subscribe(pb::SubscribeRequest {
            known_size: 0,
            after_seq: 0,
            filter: None,
            follow: false,
        })
        .await
        .unwrap()
        .into_inner()
}

/// Poll `f` every 20 ms until it returns true, or panic after `limit`.
pub(crate) async fn eventually<F, Fut>(what: &str, limit: Duration, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !f().await {
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {limit:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A free loopback port (bound and released; used only where a process must
/// restart on the same port).
///
/// Taken below the kernel's ephemeral range (32768 up by default): a port the
/// kernel hands out for `:0` and that is let go can be given to any client
/// connection of a parallel test before the service binds it, which made
/// `tazan up` fail with "Address already in use" now and then.
pub(crate) fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let seed = (std::process::id() as u16).wrapping_mul(7919);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 10_000 + seed.wrapping_add(n.wrapping_mul(131)) % 22_000;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Rewrite the generated hub configs to fixed free ports, so that processes can
/// be restarted where their peers expect them.
pub(crate) fn pin_ports(fx: &Fixture) -> (u16, u16, u16) {
    let (cross, finance, transport) = (free_port(), free_port(), free_port());
    let set = |rel: &str, listen: u16, endpoint: u16| {
        let path = fx.path(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text
            // The first `listen` is the hub's; metrics keep port 0.
            .replacen(
                "listen = \"127.0.0.1:0\"",
                &format!("listen = \"127.0.0.1:{listen}\""),
                1,
            )
            .replace(
                "endpoint = \"https://127.0.0.1:0\"",
                &format!("endpoint = \"https://127.0.0.1:{endpoint}\""),
            );
        std::fs::write(path, text).unwrap();
    };
    set("cross/hub.toml", cross, 0);
    set("finance/hub.toml", finance, cross);
    set("transport/hub.toml", transport, cross);
    (cross, finance, transport)
}

pub(crate) fn serve(fx: &Fixture, hub: &str) -> Proc {
    let config = fx.path(&format!("{hub}/hub.toml"));
    Proc::start(
        &["hub", "serve", "--config", config.to_str().unwrap()],
        "listening on",
    )
}

/// Point `node`'s config at its group hub on `hub_port`; returns the config.
pub(crate) fn pin_node(fx: &Fixture, node: &str, hub_port: u16) -> PathBuf {
    let node_toml = fx.path(&format!("{node}/node.toml"));
    let text = std::fs::read_to_string(&node_toml).unwrap().replace(
        "https://127.0.0.1:0",
        &format!("https://127.0.0.1:{hub_port}"),
    );
    std::fs::write(&node_toml, text).unwrap();
    node_toml
}

/// Start `tazan node serve` for `node`, pointed at its group hub on `hub_port`.
pub(crate) fn serve_node(fx: &Fixture, node: &str, hub_port: u16) -> Proc {
    let node_toml = pin_node(fx, node, hub_port);
    Proc::start(
        &["node", "serve", "--config", node_toml.to_str().unwrap()],
        "running",
    )
}

/// A `tazan` child process, killed when dropped.
pub(crate) struct Proc {
    pub(crate) child: Child,
    pub(crate) what: String,
}

impl Proc {
    /// Start `tazan ARGS` and wait for `ready` on its stdout.
    pub(crate) fn start(args: &[&str], ready: &str) -> Proc {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_tazan"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.contains(ready) => break,
                Some(_) => continue,
                None => {
                    let out = child.wait_with_output().unwrap();
                    panic!(
                        "tazan {args:?} exited before `{ready}`: {}\n{}",
                        out.status,
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            }
        }
        Proc {
            child,
            what: format!("{args:?}"),
        }
    }

    /// SIGKILL: no shutdown, no flush.
    pub(crate) fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM and wait for a clean exit.
    pub(crate) fn terminate(mut self) {
        let pid = self.child.id().to_string();
        let st = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(st.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{} exited with {status}", self.what);
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// stdout of a successful run, or a panic with its exit status, stdout and stderr.
pub(crate) fn ok(out: impl std::borrow::Borrow<std::process::Output>) -> String {
    let out = out.borrow();
    assert!(
        out.status.success(),
        "exit {}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stdout of a successful run, parsed as one JSON value.
pub(crate) fn ok_json(out: impl std::borrow::Borrow<std::process::Output>) -> serde_json::Value {
    let text = ok(out);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// `tazan lesson publish --json` of a minimal lesson titled `title` at
/// `level` (a JSON lesson file written in `dir`) from the node in `home`;
/// the command's answer (`id`, `status`).
pub(crate) fn publish_lesson(
    dir: &Path,
    home: &Path,
    title: &str,
    level: &str,
) -> serde_json::Value {
    let file = lesson_file(dir, title, level);
    ok_json(tazan(&[
        "lesson",
        "publish",
        file.to_str().unwrap(),
        "--home",
        home.to_str().unwrap(),
        "--json",
    ]))
}

/// A minimal JSON lesson file titled `title` at `level`, written in `dir`.
pub(crate) fn lesson_file(dir: &Path, title: &str, level: &str) -> PathBuf {
    let file = dir.join(format!("{title}.json"));
    let lesson = serde_json::json!({
        "title": title,
        "problem": "夜間バッチが二重に起動した",
        "direct_cause": "起動条件の確認漏れ",
        "lesson": "多重起動を防ぐ排他を設けるべし",
        "level": level,
    });
    std::fs::write(&file, lesson.to_string()).unwrap();
    file
}

/// Run `tazan ARGS` to completion.
pub(crate) fn tazan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tazan"))
        .args(args)
        .output()
        .unwrap()
}

/// stderr of a run that failed with exit code 1 (a refusal, not a crash).
pub(crate) fn failed(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit 1\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// stdout of a successful run as JSON.
pub(crate) fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap()
}

/// Runs `tazan ARGS --home HOME`.
pub(crate) fn at(home: &Path, args: &[&str]) -> std::process::Output {
    at_env(home, args, &[])
}

/// `tazan lesson edit DRAFT` through `$EDITOR` (an "editor" that copies
/// `edit` applied to the draft's lesson over the file): the whole-lesson edit,
/// which stores what the leak gate finds for approval to decide, where
/// `--set` refuses it. Returns the command's output.
pub(crate) fn edit_whole_lesson(
    home: &Path,
    draft: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> String {
    let mut lesson =
        json(&at(home, &["lesson", "show", draft, "--json"]))["draft"]["lesson"].clone();
    edit(&mut lesson);
    let file = home.join(format!("edited-{draft}.json"));
    std::fs::write(&file, serde_json::to_string_pretty(&lesson).unwrap()).unwrap();
    let editor = format!("cp '{}'", file.display());
    ok(at_env(
        home,
        &["lesson", "edit", draft],
        &[("EDITOR", &editor), ("VISUAL", "")],
    ))
}

/// Runs `tazan ARGS --home HOME` with extra environment.
pub(crate) fn at_env(home: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tazan"));
    cmd.args(args).args(["--home", home.to_str().unwrap()]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// One request on a fresh connection, read to its end (the request asks
/// the server to close the connection after the response).
pub(crate) async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}
