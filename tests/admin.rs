//! The local admin socket with real processes: the CLI reaches a running
//! hub through DATA/admin.sock and falls back to the store once it stops; a
//! socket open to others, another user's, or left by a killed hub is never
//! talked to; a backup in progress holds back no publish, health check or
//! subscription.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use tazan::harness::Federation;
use tazan_hub::HubConfig;
use tazan_model::{DisclosureLevel, MemberId, Payload, PayloadKind};
use tazan_proto::pb::{self, publish_result::Outcome};
use tazan_store::{HubLog, LogRecord, NewRecord, Store, StoredEnvelope};
use tazan_trust::KeyPair;

use crate::util::*;

/// `tazan status --config CFG --json`: its exit code and figures.
fn status(cfg: &Path) -> (Option<i32>, serde_json::Value) {
    let out = tazan(&["status", "--config", cfg.to_str().unwrap(), "--json"]);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "status is not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_reaches_a_running_hub_by_its_socket_and_its_store_once_stopped() {
    let fx = Fixture::new();
    pin_ports(&fx);
    let hub_toml = fx.path("finance/hub.toml");
    let socket = tazan_admin::socket_path(&fx.path("finance/data"));
    let roster = fx.path("finance/roster.json");
    let serial = tazan_trust::SignedRoster::load(&roster)
        .unwrap()
        .roster
        .serial;
    let hub = serve(&fx, "finance");

    // Running: the figures come from the hub itself.
    let (code, st) = status(&hub_toml);
    assert_eq!(code, Some(0), "{st}");
    assert_eq!(
        (st["running"].clone(), st["kind"].clone()),
        (true.into(), "hub".into())
    );
    assert_eq!(st["pid"], hub.child.id(), "{st}");
    assert_eq!(st["roster_serial"], serial, "{st}");
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "owner-only socket");

    // A revocation is put in force at once: the CLI tells the hub.
    let out = ok(tazan(&[
        "roster",
        "revoke",
        "--roster",
        roster.to_str().unwrap(),
        "--admin-key",
        fx.path("finance/admin.key").to_str().unwrap(),
        "--id",
        "kaede-securities",
    ]));
    assert!(
        out.contains(&format!(
            "the running hub `finance-hub` now uses serial {}",
            serial + 1
        )),
        "{out}"
    );
    assert_eq!(status(&hub_toml).1["roster_serial"], serial + 1);

    // A socket others could reach, or another user's, is refused by name.
    for (mode, owner, want) in [
        (0o666, None, "its mode is 0666"),
        (0o600, Some(65534), "owned by uid 65534, not by you"),
    ] {
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(mode)).unwrap();
        if let Some(uid) = owner {
            std::os::unix::fs::chown(&socket, Some(uid), None).unwrap();
        }
        let out = tazan(&["status", "--config", hub_toml.to_str().unwrap()]);
        let err = failed(&out);
        println!("{err}");
        assert!(
            err.contains("refusing the admin socket") && err.contains(want),
            "{err}"
        );
        if owner.is_some() {
            std::os::unix::fs::chown(&socket, Some(0), None).unwrap();
        }
    }
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(status(&hub_toml).0, Some(0), "trusted again");

    // Stopped: the socket goes with the hub and the store answers.
    hub.terminate();
    assert!(!socket.exists(), "a stopped hub removes its socket");
    let (code, st) = status(&hub_toml);
    assert_eq!(code, Some(1), "stopped: {st}");
    assert_eq!(st["running"], false);
    assert_eq!(st["roster_serial"], serial + 1, "kept in its store: {st}");

    // Killed: its socket stays behind, stale. The CLI finds nobody
    // answering, falls back to the store and removes it; a hub started
    // over a stale socket replaces it.
    let hub = serve(&fx, "finance");
    hub.kill9();
    assert!(socket.exists(), "a killed hub leaves its socket");
    let (code, st) = status(&hub_toml);
    assert_eq!(
        (code, st["running"].clone()),
        (Some(1), false.into()),
        "{st}"
    );
    assert!(!socket.exists(), "the stale socket is removed");
    let hub = serve(&fx, "finance");
    hub.kill9();
    let hub = serve(&fx, "finance");
    let (code, st) = status(&hub_toml);
    assert_eq!((code, st["pid"].clone()), (Some(0), hub.child.id().into()));
    hub.terminate();
}

/// Append `n` signed AMBER lessons of about 4 KiB each to the stopped hub
/// store in `data`; returns the log's head.
async fn fill(data: &Path, n: u64) -> u64 {
    let store = Store::open(data).unwrap();
    let log = HubLog::open(&store).await.unwrap();
    let key = KeyPair::generate();
    let origin: MemberId = "sakura-bank".parse().unwrap();
    let text = "夜間バッチの遅延で翌朝の受付開始が遅れた。".repeat(70);
    let records: Vec<NewRecord> = (0..n)
        .map(|i| {
            let mut l = lesson(&format!("バックアップ中の教訓{i}"), DisclosureLevel::Amber);
            l.problem = text.clone();
            let envelope = key.sign(&Payload::Lesson(l.clone()));
            NewRecord {
                record: LogRecord {
                    seq: 0,
                    id: envelope.id(),
                    kind: PayloadKind::Lesson,
                    level: l.level,
                    envelope: StoredEnvelope::from(&envelope),
                    origin: origin.clone(),
                    origin_group: "finance".into(),
                    received_at: tazan_trust::now_unix(),
                    industry: l.industry.clone(),
                    domain: l.taxonomy.domain.as_str().into(),
                    cause: l.taxonomy.cause.as_str().into(),
                },
                relay: false,
            }
        })
        .collect();
    for chunk in records.chunks(500) {
        log.append_durable(chunk.to_vec()).await.unwrap();
    }
    log.head()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_in_progress_holds_back_no_publish_health_check_or_subscription() {
    use tonic_health::pb::{
        health_check_response::ServingStatus, health_client::HealthClient, HealthCheckRequest,
    };
    const PROMPT: Duration = Duration::from_secs(5);

    let fx = Fixture::new();
    let data = HubConfig::load(&fx.path("finance/hub.toml"))
        .unwrap()
        .data_dir;
    let head = fill(&data, 2_500).await;
    let fed = Federation::start(&fx.layout).await.unwrap();
    let sakura: MemberId = "sakura-bank".parse().unwrap();
    let kaede: MemberId = "kaede-securities".parse().unwrap();
    let mut follow = fed
        .client_as(&kaede)
        .await
        .unwrap()
        .subscribe(pb::SubscribeRequest {
            known_size: 0,
            after_seq: head,
            filter: None,
            follow: true,
        })
        .await
        .unwrap()
        .into_inner();

    // Begin a backup and take one chunk only: the copy (over 10 MiB) then
    // waits on this reader, far from its end, holding its snapshot.
    let mut admin = tazan_admin::connect(&data).await.unwrap().unwrap();
    let mut backup = admin
        .backup(pb::BackupRequest {})
        .await
        .unwrap()
        .into_inner();
    let mut bytes = backup.message().await.unwrap().unwrap().data;

    let fresh = signed(
        &fx.key("sakura-bank"),
        "バックアップ中に届いた教訓",
        DisclosureLevel::Amber,
    );
    let mut member = fed.client_as(&sakura).await.unwrap();
    let published =
        tokio::time::timeout(PROMPT, publish(&mut member, std::slice::from_ref(&fresh)))
            .await
            .expect("a publish during the backup is answered promptly");
    assert_eq!(outcome(&published[0]), Outcome::Accepted);
    let health = tokio::time::timeout(
        PROMPT,
        HealthClient::new(fed.channel_as(&sakura).await.unwrap()).check(HealthCheckRequest {
            service: "tazan.v1.Hub".into(),
        }),
    )
    .await
    .expect("a health check during the backup is answered promptly")
    .unwrap()
    .into_inner();
    assert_eq!(health.status(), ServingStatus::Serving);
    let entry = tokio::time::timeout(PROMPT, follow.message())
        .await
        .expect("a subscriber gets the new lesson during the backup")
        .unwrap()
        .unwrap();
    assert_eq!(entry.seq, head + 1);
    assert_eq!(entry.lesson_id, fresh.id().0.to_vec());

    // The backup then completes, holding the log as it was when it began.
    while let Some(chunk) = backup.message().await.unwrap() {
        bytes.extend(chunk.data);
    }
    assert!(bytes.len() > 10 << 20, "{} bytes", bytes.len());
    let file = fx.path("during.tzb");
    std::fs::write(&file, &bytes).unwrap();
    let restored = fx.path("restored");
    tazan_store::restore(
        &file,
        &restored,
        "hub",
        "finance-hub",
        false,
        |_| Ok(()),
        &mut |_| {},
    )
    .unwrap();
    let store = Store::open_waiting(&restored, Duration::from_secs(5)).unwrap();
    assert_eq!(HubLog::open(&store).await.unwrap().head(), head);
    drop(store);
    fed.stop().await.unwrap();
}
