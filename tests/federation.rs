//! Routing by level across the three tiers, publisher anonymity beyond the
//! group, duplicates, and cursors that never skip or repeat.

use std::time::Duration;

use tazan::harness::Federation;
use tazan_model::{DisclosureLevel, LessonId, Payload, Withdrawal};
use tazan_proto::pb::{self, publish_result::Outcome};

use crate::util::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amber_stays_in_group_and_green_crosses_with_publisher_hidden() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    let amber = sakura
        .publish(gated(
            &fx,
            "sakura-bank",
            lesson("グループ内に留める教訓", DisclosureLevel::Amber),
        ))
        .await
        .unwrap();
    let green = sakura
        .publish(gated(
            &fx,
            "sakura-bank",
            lesson("全業界に共有する教訓", DisclosureLevel::Green),
        ))
        .await
        .unwrap();

    // The other finance member gets both, naming the publisher inside the group.
    fed.wait_library("kaede-securities", 2, WAIT).await.unwrap();
    let kaede = fed
        .node("kaede-securities")
        .unwrap()
        .core()
        .library()
        .all()
        .unwrap();
    assert!(kaede.iter().all(|e| e.origin == "sakura-bank"));

    // The transport member gets GREEN only, attributed to the finance hub.
    fed.wait_library("tsubame-railway", 1, WAIT).await.unwrap();
    let tsubame = fed.node("tsubame-railway").unwrap().core().library();
    let got = tsubame
        .get(&green)
        .unwrap()
        .expect("GREEN reached transport");
    assert_eq!(got.origin, "finance-hub");
    assert_eq!(got.origin_group, "finance");
    let finance_hub_key = tazan_trust::KeyPair::load(&fx.path("finance/hub.key")).unwrap();
    assert_eq!(
        got.envelope.signer,
        finance_hub_key.key_id().to_string(),
        "re-signed by the hub"
    );
    // Same content, same id: the relay did not edit the lesson.
    let Payload::Lesson(l) = Payload::from_canonical_bytes(&got.envelope.payload).unwrap() else {
        panic!("not a lesson")
    };
    assert_eq!(l.title, "全業界に共有する教訓");

    // AMBER came before GREEN in the finance log, and the relay walks that
    // log in order: once GREEN reached transport, AMBER's turn has passed.
    let finance = fed.hub("finance").unwrap().core().clone();
    let seq = |id| finance.lookup(id).unwrap().expect("stored at finance").seq;
    assert!(seq(&amber) < seq(&green), "AMBER first in the finance log");
    assert!(
        tsubame.get(&amber).unwrap().is_none(),
        "AMBER reached the other group"
    );
    assert!(
        fed.cross.core().lookup(&amber).unwrap().is_none(),
        "AMBER reached the cross hub"
    );
    let cross = fed.cross.core().log_page(0, 100).unwrap();
    assert_eq!(cross.len(), 1);
    assert_eq!(cross[0].origin.as_str(), "finance-hub");
    assert!(cross
        .iter()
        .all(|r| r.envelope.signer != fx.key("sakura-bank").key_id().to_string()));

    // The group hub keeps the original signature and publisher for audit.
    let audit = fed
        .hub("finance")
        .unwrap()
        .core()
        .lookup(&green)
        .unwrap()
        .unwrap();
    assert_eq!(audit.origin.as_str(), "sakura-bank");
    assert_eq!(
        audit.envelope.signer,
        fx.key("sakura-bank").key_id().to_string()
    );
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_publish_is_acknowledged_and_stored_once() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let mut c = fed
        .client_as(&"sakura-bank".parse().unwrap())
        .await
        .unwrap();
    let env = signed(
        &fx.key("sakura-bank"),
        "二度送られる教訓",
        DisclosureLevel::Green,
    );
    let first = publish(&mut c, &[env.clone(), env.clone()]).await;
    assert_eq!(outcome(&first[0]), Outcome::Accepted);
    assert_eq!(outcome(&first[1]), Outcome::Duplicate);
    assert_eq!(first[0].seq, first[1].seq);
    let again = publish(&mut c, std::slice::from_ref(&env)).await;
    assert_eq!(outcome(&again[0]), Outcome::Duplicate);
    assert_eq!(again[0].seq, first[0].seq);
    let hub = fed.hub("finance").unwrap().core().clone();
    assert_eq!(hub.log_head(), 1);
    // Relayed once: the cross hub holds it once. A later lesson in the same
    // ordered log marks the point where a second copy would have arrived.
    eventually("relay", WAIT, || async { fed.cross.core().log_head() == 1 }).await;
    let later = signed(
        &fx.key("sakura-bank"),
        "後に続く教訓",
        DisclosureLevel::Green,
    );
    assert_eq!(
        outcome(&publish(&mut c, std::slice::from_ref(&later)).await[0]),
        Outcome::Accepted
    );
    let cross = fed.cross.core().clone();
    eventually("the later lesson relayed", WAIT, || async {
        cross.lookup(&later.id()).unwrap().is_some()
    })
    .await;
    assert_eq!(cross.log_head(), 2, "the duplicate was relayed again");
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriber_resumes_from_cursor_without_gap_or_repeat() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let key = fx.key("sakura-bank");
    let mut c = fed
        .client_as(&"sakura-bank".parse().unwrap())
        .await
        .unwrap();
    let first: Vec<_> = (0..30)
        .map(|i| signed(&key, &format!("教訓{i}"), DisclosureLevel::Amber))
        .collect();
    publish(&mut c, &first).await;

    let mut sub = fed
        .client_as(&"kaede-securities".parse().unwrap())
        .await
        .unwrap();
    let mut stream = sub
        .subscribe(pb::SubscribeRequest {
            known_size: 0,
            after_seq: 0,
            filter: None,
            follow: true,
        })
        .await
        .unwrap()
        .into_inner();
    let mut seen = Vec::new();
    for _ in 0..12 {
        seen.push(stream.message().await.unwrap().unwrap().seq);
    }
    drop(stream); // the subscriber goes away mid-stream

    let more: Vec<_> = (30..50)
        .map(|i| signed(&key, &format!("教訓{i}"), DisclosureLevel::Amber))
        .collect();
    publish(&mut c, &more).await;
    let mut stream = sub
        .subscribe(pb::SubscribeRequest {
            known_size: 0,
            after_seq: *seen.last().unwrap(),
            filter: None,
            follow: true,
        })
        .await
        .unwrap()
        .into_inner();
    while seen.len() < 50 {
        seen.push(stream.message().await.unwrap().unwrap().seq);
    }
    let expected: Vec<u64> = (1..=50).collect();
    assert_eq!(seen, expected);
    // Nothing more is pending.
    let extra = tokio::time::timeout(Duration::from_millis(200), stream.message()).await;
    assert!(extra.is_err(), "an unexpected extra entry: {extra:?}");
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_filters_by_level_and_cause() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let key = fx.key("sakura-bank");
    let mut c = fed
        .client_as(&"sakura-bank".parse().unwrap())
        .await
        .unwrap();
    let mut hw = lesson("ハードウェアの教訓", DisclosureLevel::Green);
    hw.taxonomy.cause = tazan_model::CauseCategory::Hardware;
    let envs = vec![
        key.sign(&Payload::Lesson(hw)),
        signed(&key, "作業ミスの教訓", DisclosureLevel::Amber),
    ];
    publish(&mut c, &envs).await;
    let resp = c
        .list(pb::ListRequest {
            after_seq: 0,
            limit: 10,
            filter: Some(pb::Filter {
                causes: vec!["ハードウェア障害".into()],
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.entries.len(), 1);
    assert_eq!(resp.entries[0].seq, 1);
    let resp = c
        .list(pb::ListRequest {
            after_seq: 0,
            limit: 10,
            filter: Some(pb::Filter {
                levels: vec![pb::Level::Amber as i32],
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.entries.len(), 1);
    assert_eq!(resp.entries[0].seq, 2);
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawal_and_correction_by_the_publisher_propagate() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    let original = lesson("訂正される教訓", DisclosureLevel::Green);
    let gate = tazan_node::Gate::open(&fx.path("sakura-bank")).unwrap();
    let id = sakura
        .publish(gate.lesson(original.clone(), &[]).unwrap())
        .await
        .unwrap();
    fed.wait_library("tsubame-railway", 1, WAIT).await.unwrap();

    let mut corrected = original.clone();
    corrected.problem.push_str("（訂正）");
    corrected.version = 2;
    corrected.supersedes = Some(id);
    let fixed = sakura
        .publish(gate.lesson(corrected, &[]).unwrap())
        .await
        .unwrap();
    let withdrawal = gate
        .withdrawal(Withdrawal {
            target: id,
            reason: "誤りがあったため訂正版に置き換える".into(),
            level: DisclosureLevel::Green,
        })
        .unwrap();
    sakura.withdraw(withdrawal).await.unwrap();
    fed.wait_library("tsubame-railway", 3, WAIT).await.unwrap();
    let lib = fed.node("tsubame-railway").unwrap().core().library();
    assert!(
        lib.get(&id).unwrap().unwrap().withdrawn,
        "withdrawal reached the other group"
    );
    assert!(!lib.get(&fixed).unwrap().unwrap().withdrawn);

    // Another member may not withdraw sakura's lesson.
    let mut kaede = fed
        .client_as(&"kaede-securities".parse().unwrap())
        .await
        .unwrap();
    let forged = fx
        .key("kaede-securities")
        .sign(&Payload::Withdrawal(Withdrawal {
            target: fixed,
            reason: "他社の教訓を取り下げる試み".into(),
            level: DisclosureLevel::Green,
        }));
    let r = publish(&mut kaede, &[forged]).await;
    assert_eq!(outcome(&r[0]), Outcome::Rejected);
    assert_eq!(r[0].rejection.as_ref().unwrap().field, "payload.target");
    // Withdrawing an unknown lesson is refused too.
    let unknown = fx.key("sakura-bank").sign(&Payload::Withdrawal(Withdrawal {
        target: LessonId::of(b"nothing"),
        reason: "存在しない".into(),
        level: DisclosureLevel::Amber,
    }));
    let mut sak = fed
        .client_as(&"sakura-bank".parse().unwrap())
        .await
        .unwrap();
    let r = publish(&mut sak, &[unknown]).await;
    assert_eq!(r[0].rejection.as_ref().unwrap().field, "payload.target");
    fed.stop().await.unwrap();
}

/// Today an AMBER lesson withdrawn "at GREEN" was stored at the group as a
/// GREEN entry (then refused by the cross hub and dropped).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_must_carry_its_lesson_s_level() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    let id = sakura
        .publish(gated(
            &fx,
            "sakura-bank",
            lesson("グループ内だけの教訓", DisclosureLevel::Amber),
        ))
        .await
        .unwrap();
    fed.wait_library("kaede-securities", 1, WAIT).await.unwrap();
    // The node knows its lesson's level from its outbox until the hub
    // acknowledges it, then from its library once the lesson comes back:
    // wait for that, or the check below races the subscription.
    fed.wait_library("sakura-bank", 1, WAIT).await.unwrap();
    let at = |level| Withdrawal {
        target: id,
        reason: "誤りがあったため".into(),
        level,
    };

    // The node refuses, naming the field and the level to give.
    let err = sakura
        .withdraw(gated_withdrawal(
            &fx,
            "sakura-bank",
            at(DisclosureLevel::Green),
        ))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("field `level`") && err.contains("AMBER") && err.contains("--level AMBER"),
        "{err}"
    );
    // A client that skips the node's check is refused by the hub.
    let mut client = fed
        .client_as(&"sakura-bank".parse().unwrap())
        .await
        .unwrap();
    let before = list_all(&mut client).await.len();
    let forged = fx
        .key("sakura-bank")
        .sign(&Payload::Withdrawal(at(DisclosureLevel::Green)));
    let r = publish(&mut client, &[forged]).await;
    assert_eq!(outcome(&r[0]), Outcome::Rejected);
    let rejection = r[0].rejection.as_ref().unwrap();
    assert_eq!(rejection.field, "payload.level", "{}", rejection.message);
    assert!(rejection.message.contains("AMBER"), "{}", rejection.message);
    assert_eq!(list_all(&mut client).await.len(), before, "nothing stored");

    // At the lesson's level it goes through.
    sakura
        .withdraw(gated_withdrawal(
            &fx,
            "sakura-bank",
            at(DisclosureLevel::Amber),
        ))
        .await
        .unwrap();
    fed.wait_library("kaede-securities", 2, WAIT).await.unwrap();
    let lib = fed.node("kaede-securities").unwrap().core().library();
    assert!(lib.get(&id).unwrap().unwrap().withdrawn);
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reflection_and_info_answer() {
    use tonic_health::pb::{
        health_check_response::ServingStatus, health_client::HealthClient, HealthCheckRequest,
    };
    use tonic_reflection::pb::v1::{
        server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        ServerReflectionRequest,
    };

    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let me: tazan_model::MemberId = "sakura-bank".parse().unwrap();
    let ch = fed.channel_as(&me).await.unwrap();

    let health = HealthClient::new(ch.clone())
        .check(HealthCheckRequest {
            service: "tazan.v1.Hub".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(health.status(), ServingStatus::Serving);

    let req = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut stream = ServerReflectionClient::new(ch.clone())
        .server_reflection_info(tokio_stream::iter(vec![req]))
        .await
        .unwrap()
        .into_inner();
    let resp = stream.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = resp.message_response else {
        panic!("unexpected reflection answer {resp:?}")
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(names.contains(&"tazan.v1.Hub".to_string()), "{names:?}");

    let info = fed
        .client_as(&me)
        .await
        .unwrap()
        .info(pb::InfoRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.hub_id, "finance-hub");
    assert_eq!(info.tier, pb::Tier::Group as i32);
    assert_eq!(info.group, "finance");
    assert_eq!(info.public_key.len(), 32);
    assert_eq!(info.log_head, 0);
    let roster = fed
        .client_as(&me)
        .await
        .unwrap()
        .roster(pb::RosterRequest {})
        .await
        .unwrap()
        .into_inner();
    let signed: tazan_trust::SignedRoster =
        serde_json::from_slice(&roster.signed_roster_json).unwrap();
    let admin = tazan_trust::KeyPair::load(&fx.path("finance/admin.key")).unwrap();
    assert!(signed
        .verify_pinned(&admin.public())
        .unwrap()
        .entry(&me)
        .is_some());
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_member_refuses_new_lessons_and_keeps_old_ones() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let key = fx.key("kaede-securities");
    let mut kaede = fed
        .client_as(&"kaede-securities".parse().unwrap())
        .await
        .unwrap();
    let before = signed(&key, "失効前の教訓", DisclosureLevel::Amber);
    assert_eq!(
        outcome(&publish(&mut kaede, std::slice::from_ref(&before)).await[0]),
        Outcome::Accepted
    );

    // kaede follows the log, as a running node does.
    let mut follower = fed
        .client_as(&"kaede-securities".parse().unwrap())
        .await
        .unwrap();
    let mut stream = follower
        .subscribe(pb::SubscribeRequest {
            known_size: 0,
            after_seq: 1,
            filter: None,
            follow: true,
        })
        .await
        .unwrap()
        .into_inner();

    // The admin revokes through the CLI while the hub runs.
    let roster = fx.path("finance/roster.json");
    let admin = fx.path("finance/admin.key");
    let out = tazan(&[
        "roster",
        "revoke",
        "--roster",
        roster.to_str().unwrap(),
        "--admin-key",
        admin.to_str().unwrap(),
        "--id",
        "kaede-securities",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hub = fed.hub("finance").unwrap().core().clone();
    let after = signed(&key, "失効後の教訓", DisclosureLevel::Amber);
    let mut refused = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while tokio::time::Instant::now() < deadline {
        let mut c = fed
            .client_as(&"kaede-securities".parse().unwrap())
            .await
            .unwrap();
        match c
            .publish(pb::PublishRequest {
                envelopes: vec![pb::Envelope::from(&after)],
            })
            .await
        {
            Err(status) => {
                refused = Some(status);
                break;
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
        // Accepted before the reload reached the hub: that lesson is then
        // stored legitimately; the check below only needs the refusal.
    }
    let status = refused.expect("revocation took effect within 15 s");
    assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status:?}");
    // The open stream is cut: a lesson published after the revocation never reaches kaede.
    let mut sakura = fed
        .client_as(&"sakura-bank".parse().unwrap())
        .await
        .unwrap();
    let secret = signed(
        &fx.key("sakura-bank"),
        "失効後に公開された教訓",
        DisclosureLevel::Amber,
    );
    assert_eq!(
        outcome(&publish(&mut sakura, std::slice::from_ref(&secret)).await[0]),
        Outcome::Accepted
    );
    loop {
        match tokio::time::timeout(WAIT, stream.message())
            .await
            .expect("stream answers")
        {
            Ok(Some(e)) => assert_ne!(
                e.lesson_id,
                secret.id().0.to_vec(),
                "a revoked member received a new lesson"
            ),
            Ok(None) => panic!("stream ended without saying why"),
            Err(status) => {
                assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status:?}");
                break;
            }
        }
    }

    // Earlier lessons stay and still verify.
    let rec = hub
        .lookup(&before.id())
        .unwrap()
        .expect("earlier lesson kept");
    assert_eq!(rec.origin.as_str(), "kaede-securities");

    // A stale roster (older serial) cannot re-admit the member.
    let stale = fx.path("stale.json");
    std::fs::copy(&roster, &stale).unwrap();
    let older = tazan_trust::SignedRoster::load(&stale).unwrap();
    let mut r = older.roster.clone();
    r.serial = 1;
    r.members.iter_mut().for_each(|m| {
        m.status = tazan_trust::MemberStatus::Active;
        m.revoked_at = None;
    });
    let admin_key = tazan_trust::KeyPair::load(&admin).unwrap();
    let err = hub
        .replace_roster(r.sign(&admin_key).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("roll back"), "{err}");
    fed.stop().await.unwrap();
}

fn metric(page: &str, prefix: &str) -> f64 {
    page.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in\n{page}"))
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_accepted_rejected_and_relayed() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let key = fx.key("sakura-bank");
    let mut c = fed
        .client_as(&"sakura-bank".parse().unwrap())
        .await
        .unwrap();
    let mut bad = signed(&key, "署名を壊す", DisclosureLevel::Amber);
    bad.signature[0] ^= 1;
    let envs = vec![
        signed(&key, "一つ目", DisclosureLevel::Green),
        signed(&key, "二つ目", DisclosureLevel::Amber),
        bad,
    ];
    publish(&mut c, &envs).await;
    eventually("relay", WAIT, || async { fed.cross.core().log_head() == 1 }).await;

    let hub = fed.hub("finance").unwrap();
    let page = http_get(hub.metrics_addr().unwrap(), "/metrics").await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert_eq!(metric(&page, "tazan_hub_lessons_accepted_total{"), 2.0);
    assert_eq!(metric(&page, "tazan_hub_lessons_rejected_total{hub=\"finance-hub\",tier=\"group\",reason=\"signature\"}"), 1.0);
    assert_eq!(metric(&page, "tazan_hub_log_head{"), 2.0);
    assert!(
        metric(&page, "tazan_hub_subscribers{") >= 2.0,
        "both finance nodes follow the hub"
    );
    assert_eq!(metric(&page, "tazan_hub_publish_seconds_count"), 1.0);

    // Every RPC is timed and its outcome counted by gRPC code. Known calls
    // on top of the publish above (the member nodes only subscribe).
    let req = |m: &str, code: &str| {
        format!("tazan_hub_requests_total{{hub=\"finance-hub\",tier=\"group\",method=\"{m}\",code=\"{code}\"}}")
    };
    let secs = |m: &str| {
        format!(
            "tazan_hub_request_seconds_count{{hub=\"finance-hub\",tier=\"group\",method=\"{m}\"}}"
        )
    };
    let subscribed = metric(&page, &req("Subscribe", "OK"));
    let empty = c.publish(pb::PublishRequest { envelopes: vec![] }).await;
    assert_eq!(empty.unwrap_err().code(), tonic::Code::InvalidArgument);
    let listed = c
        .list(pb::ListRequest {
            after_seq: 0,
            limit: 10,
            filter: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.entries.len(), 2);
    let lesson_id = listed.entries[0].lesson_id.clone();
    c.get(pb::GetRequest { lesson_id }).await.unwrap();
    for _ in 0..2 {
        let missing = c
            .get(pb::GetRequest {
                lesson_id: vec![7; 32],
            })
            .await;
        assert_eq!(missing.unwrap_err().code(), tonic::Code::NotFound);
    }
    c.info(pb::InfoRequest {}).await.unwrap();
    c.roster(pb::RosterRequest {}).await.unwrap();
    let bad_level = c
        .search(pb::SearchRequest {
            levels: vec![99],
            ..Default::default()
        })
        .await;
    assert_eq!(bad_level.unwrap_err().code(), tonic::Code::InvalidArgument);
    let mut stream = whole_log_stream(&mut c).await;
    let mut streamed = 0;
    while let Some(entry) = stream.message().await.unwrap() {
        assert!(!entry.lesson_id.is_empty());
        streamed += 1;
    }
    assert_eq!(streamed, 2);

    let page = http_get(hub.metrics_addr().unwrap(), "/metrics").await;
    for (series, n) in [
        (req("Publish", "OK"), 1),
        (req("Publish", "InvalidArgument"), 1),
        (secs("Publish"), 2),
        (req("List", "OK"), 1),
        (secs("List"), 1),
        (req("Get", "OK"), 1),
        (req("Get", "NotFound"), 2),
        (secs("Get"), 3),
        (req("Search", "OK"), 0),
        (req("Search", "InvalidArgument"), 1),
        (secs("Search"), 1),
        (req("Subscribe", "OK"), subscribed as u64 + 1),
    ] {
        assert_eq!(metric(&page, &series), n as f64, "{series}");
    }
    // The test's own Info call, and each member node's when it pinned the
    // hub's checkpoint key at its first connection.
    assert!(metric(&page, &req("Info", "OK")) >= 1.0);
    // The test's own Roster call, and each running member node's when it
    // fetched the group's policy (served with the roster) at start.
    assert!(metric(&page, &req("Roster", "OK")) >= 1.0);
    // Subscribe is timed to its first page: every stream so far has sent one.
    assert_eq!(metric(&page, &secs("Subscribe")), subscribed + 1.0);
    // The refused batch never reached ingest: the publish histogram keeps its count.
    assert_eq!(metric(&page, "tazan_hub_publish_seconds_count"), 1.0);
    let get_under_a_second = "tazan_hub_request_seconds_bucket{hub=\"finance-hub\",tier=\"group\",method=\"Get\",le=\"1\"}";
    assert_eq!(metric(&page, get_under_a_second), 3.0);

    eventually("relay counted", WAIT, || async {
        let page = http_get(hub.metrics_addr().unwrap(), "/metrics").await;
        metric(&page, "tazan_hub_relayed_total{") == 1.0
            && metric(&page, "tazan_hub_relay_pending{") == 0.0
    })
    .await;

    let node = fed.node("sakura-bank").unwrap();
    let page = http_get(node.metrics_addr().unwrap(), "/metrics").await;
    assert_eq!(metric(&page, "tazan_node_outbox_depth{"), 0.0);
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hubs_search_their_logs() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let key = fx.key("sakura-bank");
    let mut c = fed
        .client_as(&"sakura-bank".parse().unwrap())
        .await
        .unwrap();
    let mut batch = lesson(
        "夜間バッチの二重起動を排他制御で防ぐべし",
        DisclosureLevel::Amber,
    );
    batch.problem = "月末の夜間バッチが二重に起動し明細が重複した".into();
    let mut failover = lesson(
        "待機系への切替えを負荷をかけて訓練すべし",
        DisclosureLevel::Green,
    );
    failover.problem = "ストレージ故障で待機系に切り替えたが応答が遅くなった".into();
    publish(
        &mut c,
        &[
            key.sign(&Payload::Lesson(batch)),
            key.sign(&Payload::Lesson(failover)),
        ],
    )
    .await;

    let query = |q: &str, levels: Vec<i32>| pb::SearchRequest {
        query: q.into(),
        levels,
        limit: 5,
        ..Default::default()
    };
    let mut hits = Vec::new();
    for _ in 0..300 {
        let r = c
            .search(query("バッチが二重に動いた", vec![]))
            .await
            .unwrap()
            .into_inner();
        if r.indexed_through >= 2 {
            hits = r.hits;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!hits.is_empty(), "the finance hub indexed its log");
    assert_eq!(hits[0].title, "夜間バッチの二重起動を排他制御で防ぐべし");
    assert_eq!(hits[0].level, pb::Level::Amber as i32);
    let green_only = c
        .search(query("バッチが二重に動いた", vec![pb::Level::Green as i32]))
        .await
        .unwrap()
        .into_inner();
    assert!(green_only
        .hits
        .iter()
        .all(|h| h.level == pb::Level::Green as i32));

    // The cross hub has only the GREEN one, and finds it.
    let mut up = cross_client_as_group(&fx, &fed, "transport").await;
    let mut found = Vec::new();
    for _ in 0..300 {
        let r = up
            .search(query("待機系 切替え", vec![]))
            .await
            .unwrap()
            .into_inner();
        if !r.hits.is_empty() {
            found = r.hits;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].title, "待機系への切替えを負荷をかけて訓練すべし");
    let err = up
        .search(pb::SearchRequest {
            levels: vec![99],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    fed.stop().await.unwrap();
}

/// Subscribers at the same position share one proven page (read and proved
/// once per checkpoint, not once per subscriber); each still gets only what
/// its filter passes, and every entry's proof verifies on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_sharing_a_proven_page_get_their_filter_and_proofs_that_verify() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let key = fx.key("sakura-bank");
    let mut c = fed
        .client_as(&"sakura-bank".parse().unwrap())
        .await
        .unwrap();
    let levels = [DisclosureLevel::Amber, DisclosureLevel::Green];
    let envs: Vec<_> = (0..6)
        .map(|i| signed(&key, &format!("共有ページの教訓（その{i}）"), levels[i % 2]))
        .collect();
    publish(&mut c, &envs).await;
    let hub = fed.hub("finance").unwrap().core().clone();
    let cases = [
        (Vec::new(), vec![1, 2, 3, 4, 5, 6]),
        (vec![pb::Level::Amber as i32], vec![1, 3, 5]),
        (vec![pb::Level::Green as i32], vec![2, 4, 6]),
    ];
    for (levels, expected) in cases {
        let mut stream = c
            .subscribe(pb::SubscribeRequest {
                known_size: 0,
                after_seq: 0,
                filter: Some(pb::Filter {
                    levels: levels.clone(),
                    ..Default::default()
                }),
                follow: false,
            })
            .await
            .unwrap()
            .into_inner();
        let mut view = tazan_tlog::LogView::new(hub.origin(), vec![hub.public_key()], None);
        let mut seqs = Vec::new();
        while let Some(entry) = stream.message().await.unwrap() {
            tazan_proto::verify_entry(&mut view, &entry)
                .unwrap_or_else(|e| panic!("levels {levels:?}, entry {}: {e}", entry.seq));
            seqs.push(entry.seq);
        }
        assert_eq!(seqs, expected, "levels {levels:?}");
        assert_eq!(view.size(), 6, "the checkpoint came with the first entry");
    }
    fed.stop().await.unwrap();
}
