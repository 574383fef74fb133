//! `deploy/local` as an operator runs it: `tazan up --detach` starts the six
//! services as separate processes, a GREEN lesson goes from an org node in
//! one group to an org node in the other through the cross hub, the metrics
//! count it, a revoked member is refused, `tazan status` tells a dead service,
//! and `tazan down` leaves no process and no listening socket behind; in the
//! foreground, Ctrl-C stops every service.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::util::{free_port, ok, publish_lesson, tazan, WAIT};

/// The services of `deploy/local`, in start order.
const SERVICES: [&str; 6] = [
    "cross",
    "finance",
    "transport",
    "kaede-securities",
    "sakura-bank",
    "tsubame-railway",
];

/// The ports `deploy/local` documents (deploy/README.md, "deploy/local").
const LOCAL_PORTS: [u16; 15] = [
    7400, 7401, 7402, 8400, 8401, 8402, 8501, 8502, 8503, 8600, 8601, 8602, 8700, 8701, 8702,
];

/// A copy of `deploy/local`'s committed configs on free ports; `tazan down`
/// runs when it is dropped, so a failed test leaves nothing running.
struct Local {
    tmp: tempfile::TempDir,
    /// Each documented port and the free port that replaced it.
    ports: BTreeMap<u16, u16>,
}

impl Local {
    fn new() -> Local {
        let tmp = tempfile::tempdir().unwrap();
        let ports: BTreeMap<u16, u16> = LOCAL_PORTS.iter().map(|p| (*p, free_port())).collect();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/local");
        let mut copied = 0;
        for entry in std::fs::read_dir(&src).unwrap() {
            let entry = entry.unwrap();
            // Only the committed configs: a developer's own generated keys
            // and data in the checkout must not leak into the test.
            for file in ["hub.toml", "node.toml"] {
                let from = entry.path().join(file);
                if !from.is_file() {
                    continue;
                }
                let mut text = std::fs::read_to_string(&from).unwrap();
                for (old, new) in &ports {
                    text = text.replace(&format!("127.0.0.1:{old}"), &format!("127.0.0.1:{new}"));
                }
                assert!(
                    !LOCAL_PORTS
                        .iter()
                        .any(|p| text.contains(&format!(":{p}\""))),
                    "a port in {} was not rewritten",
                    from.display()
                );
                let to = tmp.path().join(entry.file_name()).join(file);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::write(to, text).unwrap();
                copied += 1;
            }
        }
        assert_eq!(
            copied, 6,
            "deploy/local has a cross hub, two group hubs and three nodes"
        );
        Local { tmp, ports }
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    fn arg(&self) -> &str {
        self.dir().to_str().unwrap()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir().join(rel)
    }

    /// The free port standing in for a documented one.
    fn port(&self, documented: u16) -> u16 {
        self.ports[&documented]
    }

    /// No service port is bound any more.
    fn assert_ports_free(&self) {
        for port in self.ports.values() {
            std::net::TcpListener::bind(("127.0.0.1", *port))
                .unwrap_or_else(|e| panic!("port {port} still taken: {e}"));
        }
    }

    fn pid(&self, service: &str) -> i32 {
        let file = self.path(&format!("run/{service}.pid"));
        std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
            .trim()
            .parse()
            .unwrap()
    }

    fn log(&self, service: &str) -> String {
        std::fs::read_to_string(self.path(&format!("logs/{service}.log"))).unwrap_or_default()
    }

    /// A metric's value (summed over label sets) from a service's `/metrics`.
    fn metric(&self, documented_port: u16, name: &str) -> f64 {
        let page = http_get(self.port(documented_port), "/metrics");
        page.lines()
            .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    fn publish(&self, node: &str, title: &str, level: &str) -> String {
        let answer = publish_lesson(self.dir(), &self.path(node), title, level);
        answer["id"].as_str().unwrap().to_owned()
    }

    /// `tazan roster VERB ARGS` on the finance group's roster, signed with
    /// its admin key.
    fn finance_admin(&self, verb_and_args: &[&str]) -> String {
        let roster = self.path("finance/roster.json");
        let admin = self.path("finance/admin.key");
        let mut args = vec!["roster", verb_and_args[0]];
        args.extend([
            "--roster",
            roster.to_str().unwrap(),
            "--admin-key",
            admin.to_str().unwrap(),
        ]);
        args.extend_from_slice(&verb_and_args[1..]);
        ok(tazan(&args))
    }

    /// `tazan lessons list --json` of a node: one JSON object per line.
    fn lessons(&self, node: &str) -> Vec<serde_json::Value> {
        let home = self.path(node);
        ok(tazan(&[
            "lessons",
            "list",
            "--home",
            home.to_str().unwrap(),
            "--json",
        ]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
    }

    /// Every service's pid, as `tazan status` reports it (all must run).
    fn pids(&self) -> Vec<i32> {
        let (_, st) = self.status();
        st["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                s["pid"]
                    .as_i64()
                    .unwrap_or_else(|| panic!("{} has no pid: {st}", s["name"]))
                    as i32
            })
            .collect()
    }

    fn status(&self) -> (bool, serde_json::Value) {
        let out = tazan(&["status", self.arg(), "--json"]);
        let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "status --json: {e}: {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        (out.status.success(), v)
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        let _ = tazan(&["down", self.arg(), "--timeout", "5"]);
    }
}

fn http_get(port: u16, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{path}: {text}");
    text.split_once("\r\n\r\n").unwrap().1.to_owned()
}

/// The element of a JSON array whose `key` is `value`.
fn named<'a>(list: &'a serde_json::Value, key: &str, value: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| e[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value:?} in {list}"))
}

/// Poll `f` every 100 ms until true, or panic naming `what` after `WAIT`.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !f() {
        assert!(
            Instant::now() < deadline,
            "timed out after {WAIT:?} waiting for: {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether a process runs (a zombie does not: it holds no socket).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !matches!(
            stat.rsplit_once(')')
                .and_then(|(_, r)| r.split_whitespace().next()),
            Some("Z" | "X")
        ),
        Err(_) => false,
    }
}

/// Rotate a member's key while the topology is down: `tazan keys rotate`
/// writes the new key and an announcement signed by the old one; the group
/// admin applies it to the roster (no grace: the old key stops at once).
/// Returns the new public key (hex).
fn rotate_member_key(local: &Local, member: &str) -> String {
    let out = ok(tazan(&[
        "keys",
        "rotate",
        "--home",
        local.path(member).to_str().unwrap(),
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let announcement = v["announcement"].as_str().unwrap().to_owned();
    local.finance_admin(&["rotate", "--announcement", &announcement, "--grace", "0"]);
    let key = ok(tazan(&[
        "keys",
        "show",
        local.path(&format!("{member}/node.key")).to_str().unwrap(),
        "--json",
    ]));
    let key: serde_json::Value = serde_json::from_str(key.trim()).unwrap();
    key["public_key"].as_str().unwrap().to_owned()
}

#[test]
fn deploy_local_up_publish_revoke_status_down() {
    let local = Local::new();

    // First start: the PKI is generated, every service comes up healthy.
    let out = tazan(&["up", local.arg(), "--detach", "--timeout", "60"]);
    let stdout = ok(out);
    assert_eq!(
        stdout.lines().filter(|l| l.contains(" up ")).count(),
        6,
        "{stdout}"
    );
    assert!(
        local.path("finance/admin.pub").is_file() && local.path("sakura-bank/node.key").is_file()
    );
    // Every portal is up, and `up` printed a login for each role.
    let finance_portal = format!("http://127.0.0.1:{}", local.port(8601));
    let line = stdout
        .lines()
        .find(|l| l.contains(&finance_portal))
        .unwrap_or_else(|| panic!("no finance portal line: {stdout}"));
    assert!(
        line.contains("admin (admin) / ") && line.contains("reader (reader) / "),
        "{line}"
    );
    // `up` returned: every service is up, and up includes its portal
    // accepting connections (no waiting here).
    for port in [8600, 8601, 8602, 8700, 8701, 8702].map(|p| local.port(p)) {
        if let Err(e) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            panic!("`tazan up` returned before the portal on {port} listened: {e}");
        }
    }
    assert!(http_get(local.port(8601), "/lessons").contains("finance グループハブ"));
    assert!(http_get(local.port(8700), "/login").contains("ログイン"));
    let services = SERVICES;
    let pids: Vec<i32> = services.iter().map(|s| local.pid(s)).collect();
    assert!(pids.iter().all(|p| alive(*p)), "{pids:?}");
    // A second `up` starts nothing and says every service already runs.
    let again = ok(tazan(&["up", local.arg(), "--detach"]));
    assert_eq!(
        again
            .lines()
            .filter(|l| l.contains("already running (pid"))
            .count(),
        6,
        "{again}"
    );
    assert_eq!(
        services.map(|s| local.pid(s)).to_vec(),
        pids,
        "nothing restarted"
    );

    // sakura-bank (finance) → finance hub → cross hub → transport hub → tsubame-railway.
    let id = local.publish("sakura-bank", "二重起動", "GREEN");
    eventually(
        "the GREEN lesson in tsubame-railway's view of its hub",
        || {
            local
                .lessons("tsubame-railway")
                .iter()
                .any(|l| l["id"] == id.as_str())
        },
    );
    let seen = local.lessons("tsubame-railway");
    let seen = seen.iter().find(|l| l["id"] == id.as_str()).unwrap();
    assert_eq!(
        seen["origin"], "finance-hub",
        "the publisher is hidden beyond its group: {seen}"
    );
    eventually("tsubame-railway's node received it", || {
        local.metric(8503, "tazan_node_received_total") >= 1.0
    });
    assert_eq!(
        local.metric(8401, "tazan_hub_lessons_accepted_total"),
        1.0,
        "accepted at finance"
    );
    eventually("finance relayed it", || {
        local.metric(8401, "tazan_hub_relayed_total") == 1.0
    });
    assert_eq!(
        local.metric(8400, "tazan_hub_lessons_accepted_total"),
        1.0,
        "accepted at cross"
    );
    assert_eq!(
        local.metric(8402, "tazan_hub_received_upstream_total"),
        1.0,
        "received at transport"
    );
    assert_eq!(local.metric(8401, "tazan_hub_relay_pending"), 0.0);
    assert_eq!(local.metric(8501, "tazan_node_outbox_depth"), 0.0);

    // Revoke kaede-securities: once finance has reloaded its roster, the
    // member's next lesson is refused and stays in its outbox; its earlier
    // lesson stays in the hub's log.
    let earlier = local.publish("kaede-securities", "失効前", "AMBER");
    eventually("kaede's AMBER lesson at finance", || {
        local
            .lessons("sakura-bank")
            .iter()
            .any(|l| l["id"] == earlier.as_str())
    });
    local.finance_admin(&["revoke", "--id", "kaede-securities"]);
    eventually("finance reloaded its roster", || {
        local.log("finance").contains("roster reloaded")
    });
    let accepted = local.metric(8401, "tazan_hub_lessons_accepted_total");
    assert_eq!(local.metric(8401, "tazan_hub_calls_refused_total"), 0.0);
    let refused = local.publish("kaede-securities", "失効後", "AMBER");
    eventually("finance refused the revoked member", || {
        local.log("finance").contains("revoked member refused")
    });
    // Members see the revocation in the roster their hub distributes.
    let distributed = ok(tazan(&[
        "roster",
        "list",
        "--home",
        local.path("sakura-bank").to_str().unwrap(),
        "--json",
    ]));
    let distributed: serde_json::Value = serde_json::from_str(&distributed).unwrap();
    let kaede = named(&distributed["members"], "id", "kaede-securities");
    assert_eq!(kaede["status"], "revoked", "{kaede}");
    assert!(
        http_get(local.port(8401), "/metrics")
            .lines()
            .any(|l| l.starts_with("tazan_hub_calls_refused_total{")
                && l.contains("reason=\"revoked\"")
                && !l.ends_with(" 0")),
        "the refusal is counted by reason"
    );
    eventually("the refused lesson waits in kaede's outbox", || {
        local.metric(8502, "tazan_node_outbox_depth") == 1.0
    });
    assert_eq!(
        local.metric(8401, "tazan_hub_lessons_accepted_total"),
        accepted
    );
    let at_finance = local.lessons("sakura-bank");
    assert!(
        at_finance.iter().any(|l| l["id"] == earlier.as_str()),
        "the earlier lesson stays"
    );
    assert!(
        !at_finance.iter().any(|l| l["id"] == refused.as_str()),
        "the new one is not stored"
    );

    // status: all healthy, then one service killed.
    let (healthy, st) = local.status();
    assert!(healthy, "{st}");
    assert_eq!(st["services"].as_array().unwrap().len(), 6);
    let finance = st["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "finance")
        .unwrap();
    assert_eq!(finance["state"], "running");
    assert_eq!(finance["log_head"], 2, "{finance}");
    assert_eq!(finance["relay_lag"], 0, "{finance}");
    let victim = local.pid("transport");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(victim),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    eventually("transport is gone", || !alive(victim));
    let (healthy, st) = local.status();
    assert!(!healthy, "status exits non-zero with a dead service: {st}");
    let transport = named(&st["services"], "name", "transport");
    assert_eq!(transport["state"], "dead", "{transport}");

    // down: every process gone, every port free, pid files removed; twice is fine.
    let out = ok(tazan(&["down", local.arg()]));
    assert!(
        out.contains("transport") && out.contains("was not running"),
        "{out}"
    );
    for (service, pid) in services.iter().zip(&pids) {
        assert!(!alive(*pid), "{service} (pid {pid}) still runs after down");
        assert!(!local.path(&format!("run/{service}.pid")).exists());
    }
    local.assert_ports_free();
    ok(tazan(&["down", local.arg()]));
    let (healthy, _) = local.status();
    assert!(!healthy, "nothing runs: status is non-zero");

    // While everything is down, sakura-bank rotates its key and the finance
    // admin applies the announcement to the roster.
    let key_before = std::fs::read(local.path("sakura-bank/node.key")).unwrap();
    let cert_before = std::fs::read(local.path("sakura-bank/tls/node.pem")).unwrap();
    let new_key = rotate_member_key(&local, "sakura-bank");
    assert_ne!(
        std::fs::read(local.path("sakura-bank/node.key")).unwrap(),
        key_before,
        "keys rotate writes the new key at the configured path"
    );

    // Data survives down/up: the hubs come back with their logs and the
    // PKI is reused, not regenerated.
    let out = ok(tazan(&["up", local.arg(), "--detach"]));
    assert!(out.lines().count() >= 6, "{out}");
    assert_eq!(
        std::fs::read(local.path("sakura-bank/tls/node.pem")).unwrap(),
        cert_before
    );
    let (healthy, st) = local.status();
    assert!(healthy, "{st}");
    let heads: BTreeMap<String, u64> = st["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| Some((s["name"].as_str()?.to_owned(), s["log_head"].as_u64()?)))
        .collect();
    assert_eq!(heads["finance"], 2, "{heads:?}");
    assert_eq!(heads["cross"], 1, "{heads:?}");
    assert_eq!(heads["transport"], 1, "{heads:?}");

    // The rotated key signs: with no grace the old key is retired, so a new
    // GREEN lesson from sakura-bank is accepted (and reaches the other group)
    // only if the restarted node signs with the new key. The lesson signed
    // before the rotation is still there.
    let rotated = local.publish("sakura-bank", "鍵更新後", "GREEN");
    eventually(
        "the lesson signed with the new key at tsubame-railway",
        || {
            let got = local.lessons("tsubame-railway");
            got.iter().any(|l| l["id"] == rotated.as_str())
                && got.iter().any(|l| l["id"] == id.as_str())
        },
    );
    let roster = ok(tazan(&[
        "roster",
        "show",
        "--roster",
        local.path("finance/roster.json").to_str().unwrap(),
        "--json",
    ]));
    assert!(roster.contains(&new_key), "{roster}");
    ok(tazan(&["down", local.arg()]));
}

#[test]
fn up_refuses_a_partial_pki_and_names_the_missing_file() {
    let local = Local::new();
    let out = tazan(&["up", local.arg(), "--detach"]);
    ok(out);
    ok(tazan(&["down", local.arg()]));
    let key = local.path("kaede-securities/node.key");
    let moved = local.path("kaede.key.bak");
    std::fs::rename(&key, &moved).unwrap();
    let out = tazan(&["up", local.arg(), "--detach"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("PKI is incomplete") && err.contains("kaede-securities/node.key"),
        "{err}"
    );
    assert!(!key.exists(), "nothing was regenerated");
    assert!(!local.path("run/cross.pid").exists(), "nothing was started");
}

#[test]
fn up_detach_fails_naming_the_service_that_did_not_start_and_stops_the_rest() {
    let local = Local::new();
    // Something else holds the transport hub's port.
    let squatter = std::net::TcpListener::bind(("127.0.0.1", local.port(7402))).unwrap();
    let out = tazan(&["up", local.arg(), "--detach", "--timeout", "20"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("transport exited during start"), "{err}");
    assert!(
        err.contains("Address already in use"),
        "the log's tail says why: {err}"
    );
    assert!(!err.contains("cross exited"), "{err}");
    drop(squatter);
    // The services that had started were stopped again.
    for service in SERVICES {
        assert!(
            !local.path(&format!("run/{service}.pid")).exists(),
            "{service}"
        );
    }
    local.assert_ports_free();
}

#[test]
fn up_in_the_foreground_prefixes_output_and_stops_everything_on_ctrl_c() {
    let local = Local::new();
    let mut up = std::process::Command::new(env!("CARGO_BIN_EXE_tazan"))
        .args(["up", local.arg()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = up.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    // Until `up` has written the PKI and pid files, status has nothing to say.
    eventually(
        "every service healthy under a foreground `tazan up`",
        || tazan(&["status", local.arg(), "--json"]).status.success(),
    );
    let pids = local.pids();
    assert_eq!(pids.len(), 6, "{pids:?}");

    // Ctrl-C reaches `tazan up` (its children run in their own process group).
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(up.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = up.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "`tazan up` still runs after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "a clean stop exits 0: {status}");
    for pid in &pids {
        assert!(!alive(*pid), "pid {pid} still runs after Ctrl-C");
    }
    local.assert_ports_free();
    let out = reader.join().unwrap();
    for service in SERVICES {
        assert!(
            out.lines().any(|l| l.contains(service)),
            "no output line names {service}:\n{out}"
        );
    }
    let (healthy, _) = local.status();
    assert!(!healthy, "nothing runs after Ctrl-C");
}

#[test]
fn down_stops_a_service_whose_config_broke_while_it_ran() {
    let local = Local::new();
    ok(tazan(&["up", local.arg(), "--detach", "--timeout", "60"]));
    let pids = local.pids();
    // An operator breaks a config while its hub runs.
    let config = local.path("finance/hub.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\nbogus = 1\n");
    std::fs::write(&config, text).unwrap();
    // status still prints its table; the broken service's row says why.
    // (Today it printed no table at all.)
    let status = tazan(&["status", local.arg()]);
    let table = String::from_utf8_lossy(&status.stdout);
    assert!(!status.status.success(), "{table}");
    for service in SERVICES {
        assert!(
            table.lines().any(|l| l.starts_with(service)),
            "{service}: {table}"
        );
    }
    let problem = table
        .split_once("finance: config does not load")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no problem line for finance: {table}"));
    assert!(problem.contains("bogus"), "{table}");
    let (_, st) = local.status();
    assert_eq!(
        named(&st["services"], "name", "cross")["state"],
        "running",
        "{st}"
    );

    let out = tazan(&["down", local.arg()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "down: {err}");
    assert!(err.contains("finance") && err.contains("bogus"), "{err}");
    for pid in &pids {
        assert!(!alive(*pid), "pid {pid} still runs after down");
    }
    local.assert_ports_free();
}

/// Today one dead service could not be brought back: `tazan up` refused with
/// "already running" for the others, and there was no `tazan restart`.
#[test]
fn up_starts_what_is_not_running_and_restart_restarts_one_service() {
    let local = Local::new();
    ok(tazan(&["up", local.arg(), "--detach", "--timeout", "60"]));
    let before: BTreeMap<&str, i32> = SERVICES.iter().map(|s| (*s, local.pid(s))).collect();
    let victim = before["transport"];
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(victim),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    eventually("transport is gone", || !alive(victim));

    let out = ok(tazan(&["up", local.arg(), "--detach", "--timeout", "60"]));
    let line = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no line for {name}: {out}"))
            .to_owned()
    };
    assert!(line("transport").contains(" up "), "{out}");
    assert!(line("cross").contains("already running (pid"), "{out}");
    for s in SERVICES.iter().filter(|s| **s != "transport") {
        assert_eq!(local.pid(s), before[s], "{s} was left alone");
    }
    assert_ne!(local.pid("transport"), victim);
    let (healthy, st) = local.status();
    assert!(healthy, "{st}");

    // restart one service: a new process, healthy, the others untouched.
    let out = ok(tazan(&["restart", local.arg(), "finance"]));
    assert!(
        out.contains(&format!("stopped pid {}", before["finance"])) && out.contains("healthy"),
        "{out}"
    );
    assert!(!alive(before["finance"]));
    assert_ne!(local.pid("finance"), before["finance"]);
    assert_eq!(local.pid("cross"), before["cross"]);
    let (healthy, st) = local.status();
    assert!(healthy, "{st}");
    let out = tazan(&["restart", local.arg(), "nowhere"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no service `nowhere`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ok(tazan(&["down", local.arg()]));
}
