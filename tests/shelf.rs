//! The hub portal's shelf kept in the hub's store: a restarted hub's portal
//! serves its whole log at once from what it kept (reading no log entry),
//! takes what arrives after the restart, and a store that never ran a
//! portal gets its shelf built from the log once.

use std::time::Duration;

use tazan_hub::{HubConfig, RunningHub};
use tazan_model::{DisclosureLevel, Payload, Withdrawal};
use tazan_portal::shelf::ShelfStart;
use tazan_portal::RunningPortal;

use crate::util::{client, eventually, http_get, outcome, publish, signed, Fixture};

/// Lessons filled into the log before the hub first starts.
const N: usize = 300;

async fn start(cfg: &HubConfig) -> (RunningHub, RunningPortal) {
    let hub = RunningHub::start(cfg.clone()).await.unwrap();
    let portal_cfg = cfg.portal.clone().unwrap();
    let portal = RunningPortal::start_hub(&portal_cfg, &hub).await.unwrap();
    (hub, portal)
}

async fn stop(hub: RunningHub, portal: RunningPortal) {
    portal.stop().await;
    hub.stop().await.unwrap();
}

/// The status line and body of an anonymous GET.
async fn page(portal: &RunningPortal, path: &str) -> String {
    http_get(portal.addr(), path).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_hub_portal_serves_its_whole_log_at_once_and_stays_current() {
    let fx = Fixture::new();
    let (_, path) = fx
        .layout
        .groups
        .iter()
        .find(|(g, _)| g == "finance")
        .unwrap();
    let mut cfg = HubConfig::load(path).unwrap();
    cfg.upstream = None;
    cfg.search = false;
    let key = fx.key("sakura-bank");
    // AMBER, GREEN, CLEAR in turn: ids[2] is the oldest CLEAR lesson, ids[N-1] the newest.
    let (ids, _) = tazan::bench::fill_hub_log(&cfg.data_dir, &key, N, 7)
        .await
        .unwrap();

    // A store no portal has run on: its shelf is built from the log, once.
    let (hub, portal) = start(&cfg).await;
    assert_eq!(
        portal.shelf_start(),
        Some(ShelfStart {
            kept: 0,
            from_log: N as u64,
            rebuilt: false
        })
    );
    assert_eq!(portal.shelved_lessons(), N);
    stop(hub, portal).await;

    // Restarted: every lesson from the kept shelf, no log entry read, and
    // served as soon as the portal listens.
    let (hub, portal) = start(&cfg).await;
    assert_eq!(
        portal.shelf_start(),
        Some(ShelfStart {
            kept: N as u64,
            from_log: 0,
            rebuilt: false
        })
    );
    assert_eq!(portal.shelved_lessons(), N);
    for id in [ids[2], ids[N - 1]] {
        let p = page(&portal, &format!("/lessons/{id}")).await;
        assert!(p.starts_with("HTTP/1.1 200"), "CLEAR lesson {id}: {p}");
    }
    let amber = page(&portal, &format!("/lessons/{}", ids[0])).await;
    assert!(
        !amber.starts_with("HTTP/1.1 200"),
        "AMBER is not public after a restart either: {amber}"
    );

    // A lesson published after the restart appears; its withdrawal shows.
    let addr = hub.addr().to_string();
    let mut member = client(&addr, "finance-hub", &fx.path("sakura-bank/tls")).await;
    let fresh = signed(&key, "再起動の後に届いた教訓", DisclosureLevel::Clear);
    let r = publish(&mut member, std::slice::from_ref(&fresh)).await;
    assert_eq!(
        outcome(&r[0]),
        tazan_proto::pb::publish_result::Outcome::Accepted
    );
    let lesson_path = format!("/lessons/{}", fresh.id());
    eventually(
        "the new lesson on the portal",
        Duration::from_secs(30),
        || async {
            page(&portal, &lesson_path)
                .await
                .contains("再起動の後に届いた教訓")
        },
    )
    .await;
    let withdrawal = key.sign(&Payload::Withdrawal(Withdrawal {
        target: fresh.id(),
        reason: "記載に誤りがあった".into(),
        level: DisclosureLevel::Clear,
    }));
    let r = publish(&mut member, &[withdrawal]).await;
    assert_eq!(
        outcome(&r[0]),
        tazan_proto::pb::publish_result::Outcome::Accepted
    );
    eventually(
        "the withdrawal on the portal",
        Duration::from_secs(30),
        || async { page(&portal, &lesson_path).await.contains("撤回されました") },
    )
    .await;
    let head = hub.core().log_head();
    assert_eq!(head, N as u64 + 2);
    eventually("the portal caught up", Duration::from_secs(30), || async {
        portal.shelved_through() >= head
    })
    .await;
    stop(hub, portal).await;

    // Both were kept: the next restart reads no log entry and still shows
    // the lesson withdrawn.
    let (hub, portal) = start(&cfg).await;
    assert_eq!(
        portal.shelf_start(),
        Some(ShelfStart {
            kept: N as u64 + 2,
            from_log: 0,
            rebuilt: false
        })
    );
    assert_eq!(portal.shelved_lessons(), N + 1);
    assert!(page(&portal, &lesson_path).await.contains("撤回されました"));
    let list = page(&portal, "/lessons").await;
    assert!(
        list.contains("撤回済み"),
        "the list marks the withdrawn lesson: {list}"
    );
    stop(hub, portal).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_shelf_that_does_not_match_the_log_is_built_again() {
    let fx = Fixture::new();
    let (_, path) = fx
        .layout
        .groups
        .iter()
        .find(|(g, _)| g == "finance")
        .unwrap();
    let mut cfg = HubConfig::load(path).unwrap();
    cfg.upstream = None;
    cfg.search = false;
    let n = 40;
    tazan::bench::fill_hub_log(&cfg.data_dir, &fx.key("sakura-bank"), n, 3)
        .await
        .unwrap();
    let (hub, portal) = start(&cfg).await;
    assert_eq!(portal.shelf_start().unwrap().from_log, n as u64);
    stop(hub, portal).await;

    // The kept position names an entry the log does not hold there (a log
    // replaced or restored apart from the tree), then one past its head.
    for wrong in [(n as u64, [7u8; 32]), (n as u64 + 5, [0u8; 32])] {
        {
            let store = tazan_store::Store::open(&cfg.data_dir).unwrap();
            // Stored as the portal stores its position: (seq, id).
            store
                .records("portal-shelf-1")
                .unwrap()
                .put("through", &wrong)
                .unwrap();
            store.flush().await.unwrap();
        }
        let (hub, portal) = start(&cfg).await;
        assert_eq!(
            portal.shelf_start(),
            Some(ShelfStart {
                kept: 0,
                from_log: n as u64,
                rebuilt: true
            }),
            "kept position {wrong:?}"
        );
        assert_eq!(portal.shelved_lessons(), n);
        stop(hub, portal).await;
    }
    let (hub, portal) = start(&cfg).await;
    assert_eq!(
        portal.shelf_start(),
        Some(ShelfStart {
            kept: n as u64,
            from_log: 0,
            rebuilt: false
        })
    );
    stop(hub, portal).await;
}
