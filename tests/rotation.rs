//! Key rotation and key revocation, driven by the `tazan` CLI against live
//! hubs: a member's and a group hub's new key announced by the old one,
//! applied to the roster and picked up by the running hub; older entries
//! still verifying against the roster's key history; a compromised key
//! revoked from a time on; the roster serial a hub remembers across restarts.

use std::path::Path;
use std::time::Duration;

use tazan::harness::Federation;
use tazan_hub::{HubConfig, RunningHub};
use tazan_model::DisclosureLevel;
use tazan_proto::pb::{self, hub_client::HubClient, publish_result::Outcome};
use tazan_trust::{Clock, KeyAnnouncement, KeyPair, SignedRoster, TrustError};
use tonic::transport::Channel;

use crate::util::*;

const SECOND: Duration = Duration::from_secs(1);

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Re-verify every entry of a hub's log against a roster's key history;
/// returns (seq, verdict) per entry.
fn verify_log(hub: &RunningHub, roster: &Path) -> Vec<(u64, Result<(), TrustError>)> {
    let roster = SignedRoster::load(roster).unwrap();
    hub.core()
        .log_page(0, 1000)
        .unwrap()
        .into_iter()
        .map(|rec| {
            let env = rec.envelope.to_envelope().unwrap();
            let verdict = roster
                .roster
                .verify_historic(&env, rec.received_at)
                .map(|_| ());
            (rec.seq, verdict)
        })
        .collect()
}

/// `tazan roster revoke-key` for sakura-bank's `key` in the finance roster.
fn revoke_key(fx: &Fixture, key: &KeyPair, effective: &str) {
    ok(tazan(&[
        "roster",
        "revoke-key",
        "--roster",
        p(&fx.path("finance/roster.json")),
        "--admin-key",
        p(&fx.path("finance/admin.key")),
        "--id",
        "sakura-bank",
        "--key",
        &key.key_id().to_string(),
        "--effective",
        effective,
    ]));
}

/// Tell the running finance hub to reload its roster file through its admin
/// socket, as `tazan roster …` does.
async fn reload_finance(fx: &Fixture) -> Result<pb::ReloadRosterResponse, tonic::Status> {
    let cfg = HubConfig::load(&fx.path("finance/hub.toml")).unwrap();
    let mut admin = tazan_admin::connect(&cfg.data_dir)
        .await
        .unwrap()
        .expect("the running hub answers its admin socket");
    admin
        .reload_roster(pb::ReloadRosterRequest {})
        .await
        .map(|r| r.into_inner())
}

/// A client of the finance hub `hub`, as the member sakura-bank.
async fn as_sakura(fx: &Fixture, hub: &RunningHub) -> HubClient<Channel> {
    client(
        &hub.addr().to_string(),
        "finance-hub",
        &fx.path("sakura-bank/tls"),
    )
    .await
}

async fn wait_roster(c: &HubClient<Channel>, path: &Path) {
    let serial = SignedRoster::load(path).unwrap().roster.serial;
    eventually("the hub reloads the roster", WAIT, || {
        let mut c = c.clone();
        async move {
            let r = c.roster(pb::RosterRequest {}).await.unwrap().into_inner();
            let served: SignedRoster = serde_json::from_slice(&r.signed_roster_json).unwrap();
            served.roster.serial == serial
        }
    })
    .await;
}

/// Wait until the Unix second changes: the roster records times in whole
/// seconds, so what happens after this is dated after what happened before.
/// Only for a time the `tazan` CLI stamps from the system clock; the hubs'
/// own time is moved with a settable [`Clock`] instead.
async fn next_second() {
    let start = tazan_trust::now_unix();
    while tazan_trust::now_unix() == start {
        let into = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        tokio::time::sleep(Duration::from_nanos(u64::from(1_000_000_000 - into))).await;
    }
}

/// Apply an announcement with `tazan roster rotate` (no grace).
fn apply(fx: &Fixture, group: &str, announcement: &Path) -> String {
    ok(tazan(&[
        "roster",
        "rotate",
        "--roster",
        p(&fx.path(&format!("{group}/roster.json"))),
        "--admin-key",
        p(&fx.path(&format!("{group}/admin.key"))),
        "--announcement",
        p(announcement),
        "--grace",
        "0",
    ]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_key_rotation_and_revocation_keep_history_verifying() {
    let fx = Fixture::new();
    // The hubs' clock: moved a second on where the roster's whole seconds
    // must order two events, instead of sleeping until the second changes.
    let clock = Clock::settable(0);
    let mut fed = Federation::start_with_clock(&fx.layout, clock.clone())
        .await
        .unwrap();
    let hub_addr = fed.hub("finance").unwrap().addr().to_string();
    let tls = fx.path("sakura-bank/tls");
    let mut sakura = client(&hub_addr, "finance-hub", &tls).await;
    let old = fx.key("sakura-bank");
    let r = publish(
        &mut sakura,
        &[signed(&old, "回転前の教訓", DisclosureLevel::Amber)],
    )
    .await;
    assert_eq!(outcome(&r[0]), Outcome::Accepted);

    // `keys rotate` refuses while the node runs (it signs with the key it loaded).
    let home = fx.path("sakura-bank");
    let out = tazan(&["keys", "rotate", "--home", p(&home)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("running"));
    let pos = fed
        .nodes
        .iter()
        .position(|(n, _, _)| n.as_str() == "sakura-bank")
        .unwrap();
    let (nid, group, node) = fed.nodes.remove(pos);
    node.stop().await.unwrap();

    let rotated: serde_json::Value = serde_json::from_str(&ok(tazan(&[
        "keys",
        "rotate",
        "--home",
        p(&home),
        "--json",
    ])))
    .unwrap();
    let new = fx.key("sakura-bank");
    assert_eq!(rotated["new_key_id"], new.key_id().to_string());
    assert_ne!(new.key_id(), old.key_id());
    let kept = fx.path(&format!("sakura-bank/node.key.old-{}", old.key_id()));
    assert_eq!(KeyPair::load(&kept).unwrap().key_id(), old.key_id());
    let announcement = rotated["announcement"].as_str().unwrap().to_owned();

    // The restarted node signs with the new key; until the roster lists it,
    // the hub refuses it and the node keeps the lesson in its outbox.
    let node = fed.start_node(&nid).await.unwrap();
    let mut events = node.core().delivery_events();
    let waiting = node
        .core()
        .publish(gated(
            &fx,
            "sakura-bank",
            lesson("新しい鍵の教訓", DisclosureLevel::Amber),
        ))
        .await
        .unwrap();
    // The hub answered: the key is unknown, the lesson is kept for later.
    tokio::time::timeout(WAIT, async {
        loop {
            if let tazan_node::DeliveryEvent::Kept(ids, _) = events.recv().await.unwrap() {
                if ids.contains(&waiting) {
                    return;
                }
            }
        }
    })
    .await
    .expect("the hub's answer on the new key");
    assert_eq!(node.core().outbox().len(), 1, "kept, not dropped");
    let finance = fed.hub("finance").unwrap();
    assert!(finance.core().lookup(&waiting).unwrap().is_none());

    // An announcement signed by a key that is not current is refused, and
    // the roster file is left as it was.
    let roster_path = fx.path("finance/roster.json");
    let before = std::fs::read(&roster_path).unwrap();
    let stranger = KeyPair::generate();
    let forged_path = fx.path("forged.json");
    KeyAnnouncement {
        member: "sakura-bank".parse().unwrap(),
        old_key: stranger.public(),
        new_key: KeyPair::generate().public(),
        effective_at: 0,
    }
    .sign(&stranger, &KeyPair::generate())
    .map(|_| ())
    .unwrap_err();
    let third = KeyPair::generate();
    KeyAnnouncement {
        member: "sakura-bank".parse().unwrap(),
        old_key: stranger.public(),
        new_key: third.public(),
        effective_at: 0,
    }
    .sign(&stranger, &third)
    .unwrap()
    .save(&forged_path)
    .unwrap();
    let out = tazan(&[
        "roster",
        "rotate",
        "--roster",
        p(&roster_path),
        "--admin-key",
        p(&fx.path("finance/admin.key")),
        "--announcement",
        p(&forged_path),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a current key of sakura-bank"), "{err}");
    assert_eq!(std::fs::read(&roster_path).unwrap(), before);

    // The admin applies the real announcement; the hub reloads the roster
    // and the waiting lesson goes through, signed with the new key. The CLI
    // dates the old key's retirement by the system clock: a second after the
    // first lesson was received, so that one keeps verifying.
    next_second().await;
    let said = apply(&fx, "finance", Path::new(&announcement));
    assert!(said.contains("rotated `sakura-bank`"), "{said}");
    let core = node.core().clone();
    eventually("outbox drained", WAIT, || async {
        core.outbox().is_empty()
    })
    .await;
    let rec = finance.core().lookup(&waiting).unwrap().unwrap();
    assert_eq!(rec.envelope.signer, new.key_id().to_string());

    // The retired key is refused, naming the signer field and why.
    let r = publish(
        &mut sakura,
        &[signed(&old, "古い鍵の教訓", DisclosureLevel::Amber)],
    )
    .await;
    assert_eq!(outcome(&r[0]), Outcome::Rejected);
    let rej = r[0].rejection.as_ref().unwrap();
    assert_eq!(rej.field, "signer");
    assert!(rej.message.contains("revoked"), "{}", rej.message);
    // A second apart, so a revocation can fall between the two (seconds).
    clock.advance(SECOND);
    let r = publish(
        &mut sakura,
        &[signed(&new, "新しい鍵の二件目", DisclosureLevel::Amber)],
    )
    .await;
    assert_eq!(outcome(&r[0]), Outcome::Accepted);

    // The whole log verifies against the roster's key history.
    let verdicts = verify_log(finance, &roster_path);
    assert_eq!(verdicts.len(), 3);
    assert!(verdicts.iter().all(|(_, v)| v.is_ok()), "{verdicts:?}");

    // The new key leaks: revoked from now on, by the hubs' clock (ISO
    // 8601). Entries received before keep verifying; new ones signed with it
    // are refused.
    clock.advance(SECOND);
    let now = time::OffsetDateTime::from_unix_timestamp(clock.now_unix() as i64)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    revoke_key(&fx, &new, &now);
    wait_roster(&sakura, &roster_path).await;
    let r = publish(
        &mut sakura,
        &[signed(&new, "漏えい後の教訓", DisclosureLevel::Amber)],
    )
    .await;
    let rej = r[0].rejection.as_ref().unwrap();
    assert_eq!(rej.field, "signer");
    assert!(rej.message.contains("revoked"), "{}", rej.message);
    let verdicts = verify_log(finance, &roster_path);
    assert_eq!(
        verdicts.len(),
        3,
        "nothing signed by the leaked key was stored"
    );
    assert!(verdicts.iter().all(|(_, v)| v.is_ok()), "{verdicts:?}");

    // A revocation dated back before the second new-key lesson: that entry
    // no longer verifies, the earlier ones do.
    let second = verdicts[2].0;
    let received = finance.core().log_page(second - 1, 1).unwrap()[0].received_at;
    revoke_key(&fx, &new, &received.to_string());
    let verdicts = verify_log(finance, &roster_path);
    assert!(
        verdicts[0].1.is_ok() && verdicts[1].1.is_ok(),
        "{verdicts:?}"
    );
    assert!(
        matches!(verdicts[2].1, Err(TrustError::KeyRevoked { .. })),
        "{verdicts:?}"
    );
    fed.nodes.push((nid, group, node));
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_hub_key_rotation_keeps_relaying() {
    let fx = Fixture::new();
    let mut fed = Federation::start(&fx.layout).await.unwrap();
    let hub_key = fx.path("finance/hub.key");
    let old = KeyPair::load(&hub_key).unwrap();
    let rotated: serde_json::Value = serde_json::from_str(&ok(tazan(&[
        "keys",
        "rotate",
        "--key",
        p(&hub_key),
        "--id",
        "finance-hub",
        "--json",
    ])))
    .unwrap();
    let new = KeyPair::load(&hub_key).unwrap();
    assert_eq!(rotated["new_key_id"], new.key_id().to_string());

    // The hub loads its key at start: restart it on the same address.
    let idx = fed.groups.iter().position(|(g, _)| g == "finance").unwrap();
    let (name, hub) = fed.groups.remove(idx);
    let addr = hub.addr();
    hub.stop().await.unwrap();
    let mut cfg = HubConfig::load(&fx.path("finance/hub.toml")).unwrap();
    cfg.listen = addr;
    cfg.upstream.as_mut().unwrap().endpoint = format!("https://{}", fed.cross.addr());
    fed.groups
        .push((name, RunningHub::start(cfg).await.unwrap()));

    // Relayed with the new key before the cross roster lists it: refused
    // by the cross hub, kept in the relay outbox (not dropped).
    let mut sakura = client(
        &addr.to_string(),
        "finance-hub",
        &fx.path("sakura-bank/tls"),
    )
    .await;
    let env = signed(
        &fx.key("sakura-bank"),
        "全業界向けの教訓",
        DisclosureLevel::Green,
    );
    assert_eq!(
        outcome(&publish(&mut sakura, std::slice::from_ref(&env)).await[0]),
        Outcome::Accepted
    );
    // The relay tried and the cross hub refused the unknown key.
    let cross = fed.cross.core().clone();
    eventually("the cross hub refused the relayed lesson", WAIT, || async {
        cross
            .stats()
            .rejected
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 1
    })
    .await;
    assert!(fed.cross.core().lookup(&env.id()).unwrap().is_none());
    let pending = fed.hub("finance").unwrap().core().metrics();
    assert!(
        pending
            .lines()
            .any(|l| l.starts_with("tazan_hub_relay_pending{") && l.ends_with(" 1")),
        "{pending}"
    );

    apply(
        &fx,
        "cross",
        Path::new(rotated["announcement"].as_str().unwrap()),
    );
    let cross = fed.cross.core().clone();
    let id = env.id();
    eventually("relayed with the new hub key", WAIT, || async {
        cross.lookup(&id).unwrap().is_some()
    })
    .await;
    let rec = fed.cross.core().lookup(&id).unwrap().unwrap();
    assert_eq!(rec.envelope.signer, new.key_id().to_string());
    assert_ne!(rec.envelope.signer, old.key_id().to_string());
    let tsubame = fx.path("tsubame-railway/tls");
    let transport_addr = fed.hub("transport").unwrap().addr().to_string();
    let mut t = client(&transport_addr, "transport-hub", &tsubame).await;
    eventually("the other group receives it", WAIT, || {
        let mut t = t.clone();
        async move { list_all(&mut t).await.iter().any(|e| e.lesson_id == id.0) }
    })
    .await;
    let _ = list_all(&mut t).await;
    let verdicts = verify_log(&fed.cross, &fx.path("cross/roster.json"));
    assert!(
        !verdicts.is_empty() && verdicts.iter().all(|(_, v)| v.is_ok()),
        "{verdicts:?}"
    );
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_remembers_its_roster_serial_across_restarts() {
    let fx = Fixture::new();
    let roster_path = fx.path("finance/roster.json");
    let old_roster = std::fs::read(&roster_path).unwrap();
    let old_serial = SignedRoster::load(&roster_path).unwrap().roster.serial;
    let config = || HubConfig::load(&fx.path("finance/hub.toml")).unwrap();
    let hub = RunningHub::start(config()).await.unwrap();
    let c = as_sakura(&fx, &hub).await;
    // A newer roster, reloaded live: its serial is stored.
    fx.edit_finance_roster(|_| {});
    let reloaded = reload_finance(&fx).await.unwrap();
    assert!(reloaded.changed);
    assert_eq!(reloaded.serial, old_serial + 1);
    wait_roster(&c, &roster_path).await;
    drop(c);
    hub.stop().await.unwrap();

    // The older roster, signed by the same admin, is refused at start.
    let newer = std::fs::read(&roster_path).unwrap();
    std::fs::write(&roster_path, &old_roster).unwrap();
    let err = RunningHub::start(config()).await.err().unwrap().to_string();
    println!("{err}");
    for want in [
        roster_path.to_str().unwrap(),
        &format!("serial {old_serial}"),
        &format!("serial {}", old_serial + 1),
        "install the newest roster.json",
    ] {
        assert!(err.contains(want), "{want:?} not in {err}");
    }

    // The newest one starts, and a hub refuses a rollback on reload too.
    std::fs::write(&roster_path, &newer).unwrap();
    let hub = RunningHub::start(config()).await.unwrap();
    let c = as_sakura(&fx, &hub).await;
    std::fs::write(&roster_path, &old_roster).unwrap();
    let refused = reload_finance(&fx).await.unwrap_err();
    println!("{}", refused.message());
    assert!(
        refused.message().contains(&format!("serial {old_serial}")),
        "{}",
        refused.message()
    );
    let mut c2 = c.clone();
    let served = c2.roster(pb::RosterRequest {}).await.unwrap().into_inner();
    let served: SignedRoster = serde_json::from_slice(&served.signed_roster_json).unwrap();
    assert_eq!(
        served.roster.serial,
        old_serial + 1,
        "the roster in force stays"
    );
    hub.stop().await.unwrap();
}
