//! `tazan backup` / `tazan restore` with real processes: a running hub
//! backed up online, killed, its data deleted, restored and restarted with
//! the same log; damaged, truncated and foreign backups refused with
//! nothing changed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tazan_proto::pb;

use crate::durability::ids_and_seqs;
use crate::util::*;
use crate::util::{pin_ports, serve};

/// Point a node's config at the finance hub on `port`.
fn point_node(fx: &Fixture, node: &str, port: u16) -> PathBuf {
    let path = fx.path(&format!("{node}/node.toml"));
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("https://127.0.0.1:0", &format!("https://127.0.0.1:{port}"));
    std::fs::write(&path, text).unwrap();
    path
}

async fn wait_entries(
    c: &mut tazan_proto::pb::hub_client::HubClient<tonic::transport::Channel>,
    n: usize,
) -> Vec<pb::LogEntry> {
    for _ in 0..1500 {
        let entries = list_all(c).await;
        if entries.len() >= n {
            return entries;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the hub log never reached {n} entries");
}

/// `tazan backup --config CFG --out FILE ...` or `tazan restore --config CFG --from FILE ...`.
fn run(cmd: &str, cfg: &Path, file: &Path, extra: &[&str]) -> std::process::Output {
    let flag = if cmd == "backup" { "--out" } else { "--from" };
    let mut args = vec![
        cmd,
        "--config",
        cfg.to_str().unwrap(),
        flag,
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    tazan(&args)
}

/// Expect failure (exit 1); returns stderr.
fn fails(out: std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(1), "should fail: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Names in `dir` starting with `prefix`.
fn named(dir: &Path, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_restored_from_an_online_backup_keeps_its_log_and_cursors() {
    let fx = Fixture::new();
    let (_, port, _) = pin_ports(&fx);
    let hub_toml = fx.path("finance/hub.toml");
    let node_toml = point_node(&fx, "sakura-bank", port);
    let hub = serve(&fx, "finance");
    let _node = Proc::start(
        &["node", "serve", "--config", node_toml.to_str().unwrap()],
        "running",
    );
    for i in 0..3 {
        publish_lesson(
            &fx.path(""),
            &fx.path("sakura-bank"),
            &format!("バックアップ前の教訓{i}"),
            "AMBER",
        );
    }
    let addr = format!("127.0.0.1:{port}");
    let kaede_tls = fx.path("kaede-securities/tls");
    let mut kaede = client(&addr, "finance-hub", &kaede_tls).await;
    let before = wait_entries(&mut kaede, 3).await;
    assert_eq!(before.len(), 3);
    let cursor = before.last().unwrap().seq;

    // Online: the hub runs and holds its store.
    let file = fx.path("finance.tzb");
    let made = ok_json(run("backup", &hub_toml, &file, &["--json"]));
    assert_eq!(made["online"], true);
    assert_eq!(made["kind"], "hub");
    assert_eq!(made["service"], "finance-hub");
    assert!(made["records"].as_u64().unwrap() >= 6, "{made}");
    let err = fails(run("backup", &hub_toml, &file, &[]));
    assert!(err.contains("exists"), "{err}");
    let node_file = fx.path("sakura.tzb");
    let node_made = ok_json(run("backup", &node_toml, &node_file, &["--json"]));
    assert_eq!(node_made["kind"], "node");
    assert_eq!(node_made["online"], true);

    // Restore needs the hub stopped.
    let err = fails(run("restore", &hub_toml, &file, &["--force"]));
    assert!(err.contains("running"), "{err}");

    hub.kill9();
    let data = fx.path("finance/data");
    std::fs::remove_dir_all(&data).unwrap();

    // Damaged, truncated and foreign backups: refused, nothing written.
    let bytes = std::fs::read(&file).unwrap();
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 1;
    let short = bytes[..bytes.len() / 2].to_vec();
    for (name, content) in [("flipped.tzb", flipped), ("short.tzb", short)] {
        let path = fx.path(name);
        std::fs::write(&path, content).unwrap();
        let err = fails(run("restore", &hub_toml, &path, &[]));
        assert!(
            err.contains("checksum mismatch") && err.contains(name),
            "{err}"
        );
    }
    let err = fails(run("restore", &hub_toml, &node_file, &[]));
    assert!(err.contains("backup of node `sakura-bank`"), "{err}");
    assert!(!data.exists(), "nothing written");
    assert!(named(&fx.path("finance"), "data.").is_empty());

    let done = ok_json(run("restore", &hub_toml, &file, &["--json"]));
    assert_eq!(done["records"], made["records"]);
    // A second restore over restored data needs --force and keeps the old one.
    let err = fails(run("restore", &hub_toml, &file, &[]));
    assert!(err.contains("--force"), "{err}");
    let forced = ok_json(run("restore", &hub_toml, &file, &["--force", "--json"]));
    let previous = forced["previous"].as_str().unwrap();
    assert!(previous.contains("data.before-restore-"), "{forced}");
    let kept = named(&fx.path("finance"), "data.");
    assert_eq!(kept.len(), 1, "only the kept dir: {kept:?}");

    let _hub = serve(&fx, "finance");
    let mut kaede = client(&addr, "finance-hub", &kaede_tls).await;
    let after = list_all(&mut kaede).await;
    assert_eq!(ids_and_seqs(&after), ids_and_seqs(&before), "log intact");

    // A subscriber resumes from its cursor: no gap, no repeat; new lessons
    // continue the sequence (the node delivers them to the restored hub).
    for i in 0..2 {
        publish_lesson(
            &fx.path(""),
            &fx.path("sakura-bank"),
            &format!("復元後の教訓{i}"),
            "AMBER",
        );
    }
    let mut stream = kaede
        .subscribe(pb::SubscribeRequest {
            known_size: 0,
            after_seq: cursor,
            filter: None,
            follow: true,
        })
        .await
        .unwrap()
        .into_inner();
    let mut seqs = Vec::new();
    let mut ids = Vec::new();
    while seqs.len() < 2 {
        let e = tokio::time::timeout(Duration::from_secs(30), stream.message())
            .await
            .expect("new lessons arrive")
            .unwrap()
            .unwrap();
        seqs.push(e.seq);
        ids.push(e.lesson_id);
    }
    assert_eq!(seqs, vec![cursor + 1, cursor + 2]);
    assert!(ids
        .iter()
        .all(|id| before.iter().all(|b| &b.lesson_id != id)));
}
