//! Durability under faults: hubs killed with SIGKILL keep every acknowledged
//! lesson, their log and their cursors; a node's outbox survives a hub outage
//! and its own restart, then drains.

use std::collections::HashSet;
use std::time::Duration;

use tazan::harness::Federation;
use tazan_hub::{HubConfig, RunningHub};
use tazan_model::DisclosureLevel;
use tazan_proto::pb::{self, publish_result::Outcome};

use crate::util::*;

pub(crate) fn ids_and_seqs(entries: &[pb::LogEntry]) -> Vec<(u64, Vec<u8>)> {
    entries
        .iter()
        .map(|e| (e.seq, e.lesson_id.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_hubs_keep_log_and_cursors() {
    let fx = Fixture::new();
    let (_, finance_port, transport_port) = pin_ports(&fx);
    let _cross = serve(&fx, "cross");
    let finance = serve(&fx, "finance");
    let transport = serve(&fx, "transport");
    let key = fx.key("sakura-bank");
    let finance_addr = format!("127.0.0.1:{finance_port}");
    let transport_addr = format!("127.0.0.1:{transport_port}");
    let mut pub_client = client(&finance_addr, "finance-hub", &fx.path("sakura-bank/tls")).await;
    let first: Vec<_> = (0..5)
        .map(|i| signed(&key, &format!("再起動前{i}"), DisclosureLevel::Green))
        .collect();
    assert!(publish(&mut pub_client, &first)
        .await
        .iter()
        .all(|r| outcome(r) == Outcome::Accepted));

    let tsubame_tls = fx.path("tsubame-railway/tls");
    let mut t = client(&transport_addr, "transport-hub", &tsubame_tls).await;
    let mut before = Vec::new();
    for _ in 0..1500 {
        before = list_all(&mut t).await;
        if before.len() == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(before.len(), 5, "GREEN lessons reached the transport hub");

    // SIGKILL both group hubs: no shutdown path runs.
    transport.kill9();
    finance.kill9();
    let finance = serve(&fx, "finance");
    let _transport = serve(&fx, "transport");
    let mut t = client(&transport_addr, "transport-hub", &tsubame_tls).await;
    assert_eq!(
        ids_and_seqs(&list_all(&mut t).await),
        ids_and_seqs(&before),
        "transport log intact"
    );
    let mut pub_client = client(&finance_addr, "finance-hub", &fx.path("sakura-bank/tls")).await;
    assert_eq!(
        list_all(&mut pub_client).await.len(),
        5,
        "finance log intact"
    );

    // New lessons continue the sequence; nothing is re-appended from the
    // cross hub (the transport hub's cursor survived) and nothing is lost.
    let more: Vec<_> = (0..3)
        .map(|i| signed(&key, &format!("再起動後{i}"), DisclosureLevel::Green))
        .collect();
    let r = publish(&mut pub_client, &more).await;
    assert_eq!(r.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![6, 7, 8]);
    // One more lesson after them marks the end: the relay and the transport
    // hub's follower keep log order, so once it arrives, a re-appended copy
    // of anything before it would have arrived too.
    let marker = signed(&key, "再起動後の目印", DisclosureLevel::Green);
    let r = publish(&mut pub_client, std::slice::from_ref(&marker)).await;
    assert_eq!(r[0].seq, 9);
    let mut after = Vec::new();
    for _ in 0..1500 {
        after = list_all(&mut t).await;
        if after.len() >= 9 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        after.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=9).collect::<Vec<_>>()
    );
    let unique: HashSet<_> = after.iter().map(|e| e.lesson_id.clone()).collect();
    assert_eq!(unique.len(), 9);
    assert_eq!(after[8].lesson_id, marker.id().0.to_vec());

    // A subscriber that had seen seq 3 before the kills resumes at 4.
    let mut stream = t
        .subscribe(pb::SubscribeRequest {
            known_size: 0,
            after_seq: 3,
            filter: None,
            follow: false,
        })
        .await
        .unwrap()
        .into_inner();
    let mut resumed = Vec::new();
    while let Some(e) = stream.message().await.unwrap() {
        resumed.push(e.seq);
    }
    assert_eq!(resumed, (4..=9).collect::<Vec<_>>());
    finance.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_lessons_survive_sigkill() {
    let fx = Fixture::new();
    let (_, finance_port, _) = pin_ports(&fx);
    let addr = format!("127.0.0.1:{finance_port}");
    let hub = serve(&fx, "finance");
    let key = fx.key("sakura-bank");
    let mut c = client(&addr, "finance-hub", &fx.path("sakura-bank/tls")).await;
    let batches: Vec<Vec<_>> = (0..40)
        .map(|b| {
            (0..25)
                .map(|i| signed(&key, &format!("耐久{b}-{i}"), DisclosureLevel::Amber))
                .collect()
        })
        .collect();
    let (first_ack, got_first) = tokio::sync::oneshot::channel();
    let publisher = tokio::spawn(async move {
        let mut first_ack = Some(first_ack);
        let mut acked = Vec::new();
        for batch in batches {
            let req = pb::PublishRequest {
                envelopes: batch.iter().map(pb::Envelope::from).collect(),
            };
            match c.publish(req).await {
                Ok(resp) => {
                    for (e, r) in batch.iter().zip(resp.into_inner().results) {
                        assert_eq!(outcome(&r), Outcome::Accepted);
                        acked.push(e.id());
                    }
                    if let Some(tx) = first_ack.take() {
                        let _ = tx.send(());
                    }
                }
                Err(_) => break, // the hub died mid-call: not acknowledged
            }
        }
        acked
    });
    // Kill while the publisher is mid-stream.
    got_first.await.unwrap();
    tokio::time::sleep(Duration::from_millis(30)).await;
    hub.kill9();
    let acked = publisher.await.unwrap();
    let _hub = serve(&fx, "finance");
    let mut c = client(&addr, "finance-hub", &fx.path("sakura-bank/tls")).await;
    let stored: HashSet<Vec<u8>> = list_all(&mut c)
        .await
        .into_iter()
        .map(|e| e.lesson_id)
        .collect();
    let lost: Vec<_> = acked
        .iter()
        .filter(|id| !stored.contains(id.0.as_slice()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged lessons lost after SIGKILL",
        lost.len(),
        acked.len()
    );
    assert!(
        !acked.is_empty(),
        "nothing was acknowledged before the kill; the test proved nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_outbox_drains_after_hub_outage_and_node_restart() {
    let fx = Fixture::new();
    let mut fed = Federation::start(&fx.layout).await.unwrap();
    let idx = fed.groups.iter().position(|(g, _)| g == "finance").unwrap();
    let (name, hub) = fed.groups.remove(idx);
    let addr = hub.addr();
    hub.stop().await.unwrap();

    let node = fed.node("sakura-bank").unwrap().core().clone();
    let mut events = node.delivery_events();
    let id = node
        .publish(gated(
            &fx,
            "sakura-bank",
            lesson("停止中に書いた教訓", DisclosureLevel::Amber),
        ))
        .await
        .unwrap();
    // The node tried, found no hub, and kept the lesson.
    tokio::time::timeout(WAIT, async {
        while !matches!(
            events.recv().await.unwrap(),
            tazan_node::DeliveryEvent::Unreachable(_)
        ) {}
    })
    .await
    .expect("a failed delivery attempt");
    assert_eq!(node.outbox().len(), 1, "kept while the hub is down");
    drop(node);

    // Restart the node while the hub is still down: the outbox survives.
    let pos = fed
        .nodes
        .iter()
        .position(|(n, _, _)| n.as_str() == "sakura-bank")
        .unwrap();
    let (nid, group, running) = fed.nodes.remove(pos);
    running.stop().await.unwrap();
    let mut cfg = tazan_node::NodeConfig::load(&fx.path("sakura-bank/node.toml")).unwrap();
    cfg.hub_endpoint = format!("https://{addr}");
    let restarted = tazan_node::RunningNode::start(cfg).await.unwrap();
    assert_eq!(restarted.core().outbox().len(), 1);
    fed.nodes.push((nid, group, restarted));

    // The hub comes back on the same address.
    let mut cfg = HubConfig::load(&fx.path("finance/hub.toml")).unwrap();
    cfg.listen = addr;
    cfg.upstream.as_mut().unwrap().endpoint = format!("https://{}", fed.cross.addr());
    let hub = RunningHub::start(cfg).await.unwrap();
    fed.groups.push((name, hub));
    let node = fed.node("sakura-bank").unwrap().core().clone();
    eventually("outbox drained", WAIT, || async {
        node.outbox().is_empty()
    })
    .await;
    assert!(fed
        .hub("finance")
        .unwrap()
        .core()
        .lookup(&id)
        .unwrap()
        .is_some());
    fed.wait_library("kaede-securities", 1, WAIT).await.unwrap();
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_publishes_through_a_running_node_process() {
    let fx = Fixture::new();
    let (_, finance_port, _) = pin_ports(&fx);
    let _hub = serve(&fx, "finance");
    let node = serve_node(&fx, "sakura-bank", finance_port);

    let home = fx.path("sakura-bank");
    let v = publish_lesson(&fx.path(""), &home, "稼働中のノードに渡す教訓", "AMBER");
    assert_eq!(v["status"], "handed", "the running node holds the store");

    let mut kaede = client(
        &format!("127.0.0.1:{finance_port}"),
        "finance-hub",
        &fx.path("kaede-securities/tls"),
    )
    .await;
    let mut entries = Vec::new();
    for _ in 0..1500 {
        entries = list_all(&mut kaede).await;
        if !entries.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(entries.len(), 1, "the handed lesson reached the hub");
    assert_eq!(hex_of(&entries[0].lesson_id), v["id"].as_str().unwrap());

    // Listing while the node runs asks the hub.
    let out = tazan(&["lessons", "list", "--home", home.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("稼働中のノードに渡す教訓"));

    // Searching the hub's whole log through the CLI.
    let mut hits = Vec::new();
    for _ in 0..100 {
        let out = tazan(&[
            "search",
            "稼働中のノード",
            "--hub",
            "--home",
            home.to_str().unwrap(),
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        hits = serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap();
        if !hits.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(hits[0]["title"], "稼働中のノードに渡す教訓");
    assert_eq!(hits[0]["id"], v["id"]);
    let socket = tazan_admin::socket_path(&home.join("data"));
    assert!(socket.exists(), "the running node listens on {socket:?}");
    let node_toml = home.join("node.toml");
    let status = || tazan(&["status", "--config", node_toml.to_str().unwrap(), "--json"]);
    let running = status();
    let st: serde_json::Value = serde_json::from_slice(&running.stdout).unwrap();
    assert_eq!(running.status.code(), Some(0), "{st}");
    assert_eq!(
        (st["kind"].clone(), st["pid"].clone()),
        ("node".into(), node.child.id().into())
    );
    assert!(st["library_cursor"].is_u64(), "{st}");
    node.terminate();
    assert!(!socket.exists(), "a node that stops removes its socket");
    let stopped = status();
    let st: serde_json::Value = serde_json::from_slice(&stopped.stdout).unwrap();
    assert_eq!(stopped.status.code(), Some(1), "{st}");
    assert_eq!(
        (st["running"].clone(), st["outbox_depth"].clone()),
        (false.into(), 0.into()),
        "read from its store: {st}"
    );
}

/// After a disk heals, a node may send again a lesson whose acknowledgement
/// mark it had not flushed; the hub answers Duplicate. The node must take
/// that as delivered: the outbox empties, the history records the hub's
/// sequence number, and the hub's log holds the lesson once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_takes_a_duplicate_answer_as_delivered() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let node = fed.node("sakura-bank").unwrap().core().clone();
    let hub = fed.hub("finance").unwrap();
    let mut events = node.delivery_events();

    // The hub already holds the lesson (the earlier send it acknowledged).
    let gated = gated(
        &fx,
        "sakura-bank",
        lesson("確認応答を失った教訓", DisclosureLevel::Amber),
    );
    let earlier = fx
        .key("sakura-bank")
        .sign(&tazan_model::Payload::Lesson(gated.lesson().clone()));
    assert_eq!(earlier.id(), gated.id(), "the same lesson, so the same id");
    let mut c = client(
        &hub.addr().to_string(),
        "finance-hub",
        &fx.path("sakura-bank/tls"),
    )
    .await;
    let first = publish(&mut c, &[earlier]).await;
    assert_eq!(outcome(&first[0]), Outcome::Accepted);
    let hub_seq = first[0].seq;

    // The node sends it (again, as far as the hub knows).
    let id = node.publish(gated).await.unwrap();
    tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await.unwrap() {
                tazan_node::DeliveryEvent::Duplicate(got) if got == id => return,
                tazan_node::DeliveryEvent::Accepted(got) if got == id => {
                    panic!("the hub stored {id} a second time")
                }
                tazan_node::DeliveryEvent::Kept(ids, why) if ids.contains(&id) => {
                    panic!("the node kept {id} after a Duplicate answer: {why}")
                }
                _ => {}
            }
        }
    })
    .await
    .expect("the hub's Duplicate answer");
    assert!(node.outbox().is_empty(), "nothing stuck in the outbox");
    let history = node.outbox().history(10).unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].item.id, id);
    assert_eq!(
        history[0].outcome,
        tazan_store::DeliveryOutcome::Duplicate { hub_seq },
        "{history:?}"
    );
    let log = hub.core().log_page(0, 100).unwrap();
    assert_eq!(log.iter().filter(|r| r.id == id).count(), 1, "stored once");
    fed.stop().await.unwrap();
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
