//! A company in two groups over real hub processes and mutual TLS: the demo's
//! sakura-bank (finance) joins the transport group too (a transport-CA
//! certificate, its key in the transport roster, a `[[groups]]` table). It
//! publishes one lesson to both groups and each hub stores it for its
//! members; a GREEN lesson relayed down through the cross hub reaches it
//! from both of its groups and is stored once with both origins; a group
//! nobody configured is refused with nothing stored; and a group hub that
//! is down holds up no delivery to the other; a withdrawal goes to the groups
//! it names; each group's policy gates what goes to that group; the running
//! node's portal takes corrections and withdrawals from either group.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tazan_model::{LessonId, Payload};
use tazan_node::{NodeConfig, NodeCore, RunningNode};
use tazan_trust::{CertificateAuthority, KeyPair, Role, RosterEntry, SignedRoster};

use crate::util::*;

/// Make sakura-bank a member of the transport group as well, reaching its
/// hub on `transport_port`; returns its home.
fn join_transport(fx: &Fixture, transport_port: u16) -> PathBuf {
    let home = fx.path("sakura-bank");
    let tls = home.join("transport-tls");
    let ca = CertificateAuthority::load(&fx.path("transport/ca")).unwrap();
    ca.issue(&"sakura-bank".parse().unwrap())
        .unwrap()
        .save(&tls, "node")
        .unwrap();
    std::fs::write(tls.join("ca.pem"), ca.cert_pem()).unwrap();
    std::fs::copy(fx.path("transport/admin.pub"), tls.join("group-admin.pub")).unwrap();
    // The transport admin lists the bank with the key it signs with.
    let roster = fx.path("transport/roster.json");
    let admin = KeyPair::load(&fx.path("transport/admin.key")).unwrap();
    let mut r = SignedRoster::load(&roster)
        .unwrap()
        .verify_pinned(&admin.public())
        .unwrap()
        .clone();
    r.add(RosterEntry::new(
        "sakura-bank".parse().unwrap(),
        "さくら銀行（架空）",
        fx.key("sakura-bank").public(),
        0,
        vec![Role::Publisher, Role::Subscriber],
    ))
    .unwrap();
    r.serial += 1;
    r.sign(&admin).unwrap().save(&roster).unwrap();
    let toml = home.join("node.toml");
    let text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("[hub]\n", "[hub]\ngroup = \"finance\"\n");
    let text = format!(
        "{text}\n[[groups]]\nname = \"transport\"\nendpoint = \"https://127.0.0.1:{transport_port}\"\n\
         server_name = \"transport-hub\"\nca = \"transport-tls/ca.pem\"\ncert = \"transport-tls/node.pem\"\n\
         key = \"transport-tls/node.key\"\nadmin_key_file = \"transport-tls/group-admin.pub\"\n"
    );
    std::fs::write(&toml, text).unwrap();
    home
}

/// Start `node` in this process, pointed at its group hub on `hub_port`.
async fn start(fx: &Fixture, node: &str, hub_port: u16) -> RunningNode {
    let toml = pin_node(fx, node, hub_port);
    RunningNode::start(NodeConfig::load(&toml).unwrap())
        .await
        .unwrap()
}

/// The lesson titled `title` in `core`'s library, if it arrived.
fn received(core: &NodeCore, title: &str) -> Option<LessonId> {
    core.library().all().unwrap().into_iter().find_map(|e| {
        match Payload::from_canonical_bytes(&e.envelope.payload) {
            Ok(Payload::Lesson(l)) if l.title == title => Some(e.id),
            _ => None,
        }
    })
}

async fn arrives(core: &Arc<NodeCore>, title: &str) -> LessonId {
    eventually(&format!("{title} at {}", core.id()), WAIT, || async {
        received(core, title).is_some()
    })
    .await;
    received(core, title).unwrap()
}

/// `tazan lesson publish FILE --home HOME --group G… --json`.
fn publish_to(home: &Path, file: &Path, groups: &[&str]) -> std::process::Output {
    let mut args = vec!["lesson", "publish", file.to_str().unwrap(), "--json"];
    for g in groups {
        args.extend(["--group", g]);
    }
    at(home, &args)
}

/// The titles of the lessons in a hub's log, read as `tls_dir`'s member.
async fn hub_titles(port: u16, hub: &str, tls_dir: &Path) -> Vec<String> {
    let mut c = client(&format!("127.0.0.1:{port}"), hub, tls_dir).await;
    list_all(&mut c)
        .await
        .into_iter()
        .filter_map(|e| {
            match Payload::from_canonical_bytes(&e.envelope.unwrap_or_default().payload) {
                Ok(Payload::Lesson(l)) => Some(l.title),
                _ => None,
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_in_two_groups_publishes_to_each_and_keeps_a_relayed_lesson_once() {
    let fx = Fixture::new();
    let (_, finance, transport) = pin_ports(&fx);
    let home = join_transport(&fx, transport);
    let _hubs = [
        serve(&fx, "cross"),
        serve(&fx, "finance"),
        serve(&fx, "transport"),
    ];
    let sakura = start(&fx, "sakura-bank", finance).await;
    // Single-group node.toml files (`[hub]` only) work as before.
    let kaede = start(&fx, "kaede-securities", finance).await;
    let tsubame = start(&fx, "tsubame-railway", transport).await;
    let kaede_cfg = NodeConfig::load(&fx.path("kaede-securities/node.toml")).unwrap();
    assert_eq!(kaede_cfg.group_names(), vec!["finance-hub"]);

    // One lesson, two groups: each hub verifies and stores it, each group's
    // members receive it.
    let dir = fx.dir.path();
    let file = lesson_file(dir, "二つのグループへ", "AMBER");
    let out = ok_json(publish_to(&home, &file, &["finance", "transport"]));
    let rows = out.as_array().unwrap_or_else(|| panic!("{out}"));
    let groups: Vec<&str> = rows.iter().map(|r| r["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["finance", "transport"], "{out}");
    for r in rows {
        assert_ne!(r["status"], "rejected", "{out}");
    }
    arrives(kaede.core(), "二つのグループへ").await;
    let both = arrives(tsubame.core(), "二つのグループへ").await;
    // Withdrawn in transport only: transport's members see it withdrawn.
    ok(at(
        &home,
        &[
            "lesson",
            "withdraw",
            &both.to_string(),
            "--reason",
            "記載内容に誤りがあったため",
            "--group",
            "transport",
        ],
    ));
    eventually("the withdrawal at transport", WAIT, || async {
        tsubame
            .core()
            .library()
            .get(&both)
            .unwrap()
            .unwrap()
            .withdrawn
    })
    .await;
    let sakura_tls = fx.path("sakura-bank/tls");
    let transport_tls = fx.path("sakura-bank/transport-tls");
    let titles = hub_titles(finance, "finance-hub", &sakura_tls).await;
    assert!(
        titles.contains(&"二つのグループへ".to_owned()),
        "{titles:?}"
    );
    assert!(hub_titles(transport, "transport-hub", &transport_tls)
        .await
        .contains(&"二つのグループへ".to_owned()));

    // A group the node is not in: refused naming the option, nothing stored.
    let stray = lesson_file(dir, "知らないグループへ", "AMBER");
    let e = failed(&publish_to(&home, &stray, &["finance", "kansai"]));
    assert!(
        e.contains("--group") && e.contains("\"kansai\"") && e.contains("finance, transport"),
        "{e}"
    );
    assert_eq!(sakura.core().outbox().len(), 0);
    assert_eq!(sakura.core().group("transport").unwrap().outbox().len(), 0);
    assert!(!hub_titles(finance, "finance-hub", &sakura_tls)
        .await
        .contains(&"知らないグループへ".to_owned()));
    let published = ok(at(&home, &["lesson", "published"]));
    assert!(!published.contains("知らないグループへ"), "{published}");

    // A GREEN lesson to finance (the default, first group) is relayed up to
    // the cross hub and down to transport: the bank receives it from both
    // of its groups and keeps it once, with both origins.
    let green = lesson_file(dir, "横断で戻る教訓", "GREEN");
    let out = ok_json(publish_to(&home, &green, &[]));
    let id: LessonId = out["id"].as_str().unwrap().parse().unwrap();
    arrives(tsubame.core(), "横断で戻る教訓").await;
    let library = sakura.core().library();
    eventually("the relayed lesson from both groups", WAIT, || async {
        library.origins(&id).unwrap().len() == 2
    })
    .await;
    let vias: Vec<String> = library
        .origins(&id)
        .unwrap()
        .into_iter()
        .map(|o| o.via)
        .collect();
    assert!(
        vias.contains(&"finance-hub".into()) && vias.contains(&"transport-hub".into()),
        "{vias:?}"
    );
    let copies = library.all().unwrap().iter().filter(|e| e.id == id).count();
    assert_eq!(copies, 1);

    // Running, the node holds its store: the CLI asks it through its admin
    // socket, and both origins are shown (not only the first group's hub).
    let shown = ok(at(&home, &["lessons", "show", &id.to_string()]));
    assert!(
        shown.contains("received via finance-hub") && shown.contains("via transport-hub"),
        "{shown}"
    );
    let listed = ok(at(&home, &["lessons", "list", "--json"]));
    let row: serde_json::Value = listed
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["id"] == id.to_string())
        .unwrap_or_else(|| panic!("{listed}"));
    let vias: Vec<&str> = row["origins"]
        .as_array()
        .unwrap_or_else(|| panic!("{row}"))
        .iter()
        .map(|o| o["via"].as_str().unwrap())
        .collect();
    assert_eq!(vias.len(), 2, "{row}");
    assert!(
        vias.contains(&"finance-hub") && vias.contains(&"transport-hub"),
        "{row}"
    );
    // The node portal's lesson page names both hubs; its list marks it.
    let cfg = NodeConfig::load(&home.join("node.toml")).unwrap();
    let portal =
        tazan_portal::RunningPortal::start_node(cfg.portal.as_ref().unwrap(), &sakura, &cfg)
            .await
            .unwrap();
    let logins = portal
        .seed_logins(tazan_portal::demo::node_plan(
            &"sakura-bank".parse().unwrap(),
        ))
        .unwrap();
    let password = &logins
        .iter()
        .find(|l| l.login == "reader")
        .unwrap()
        .password;
    let mut reader = crate::web::Http::new(portal.url());
    assert_eq!(reader.login("reader", password).await.status, 303);
    // The portal shelves the library as it starts: the lesson is there.
    let page = reader.get(&format!("/lessons/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("受信経路")
            && page.body.contains("via finance-hub")
            && page.body.contains("via transport-hub"),
        "{}",
        page.body
    );
    let list = reader.get("/lessons").await;
    assert!(list.body.contains("複数グループ経由"), "{}", list.body);
    portal.stop().await;

    for n in [sakura, kaede, tsubame] {
        n.stop().await.unwrap();
    }
    // Stopped, its library is read from its store: both origins shown.
    let shown = ok(at(&home, &["lessons", "show", &id.to_string()]));
    assert!(
        shown.contains("via finance-hub") && shown.contains("via transport-hub"),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_group_hub_down_does_not_hold_up_the_other() {
    let fx = Fixture::new();
    let (_, finance, transport) = pin_ports(&fx);
    let home = join_transport(&fx, transport);
    // The finance hub is down; transport runs.
    let _transport_hub = serve(&fx, "transport");
    let sakura = start(&fx, "sakura-bank", finance).await;
    let tsubame = start(&fx, "tsubame-railway", transport).await;

    let file = lesson_file(fx.dir.path(), "片方の拠点が停止中", "AMBER");
    let out = ok_json(publish_to(&home, &file, &["finance", "transport"]));
    let rows = out.as_array().unwrap_or_else(|| panic!("{out}"));
    assert_eq!(rows.len(), 2, "{out}");
    // Transport's members get it while finance's hub does not answer.
    arrives(tsubame.core(), "片方の拠点が停止中").await;
    assert_eq!(sakura.core().outbox().len(), 1, "kept for the finance hub");
    assert_eq!(sakura.core().group("transport").unwrap().outbox().len(), 0);

    // The finance hub comes up: the bank's finance outbox drains to it.
    let _finance_hub = serve(&fx, "finance");
    let kaede = start(&fx, "kaede-securities", finance).await;
    arrives(kaede.core(), "片方の拠点が停止中").await;
    eventually("the finance outbox drained", WAIT, || async {
        sakura.core().outbox().is_empty()
    })
    .await;
    for n in [sakura, tsubame, kaede] {
        n.stop().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_group_s_policy_gates_what_goes_to_that_group() {
    let fx = Fixture::new();
    let (_, finance, transport) = pin_ports(&fx);
    let home = join_transport(&fx, transport);
    let _hubs = [serve(&fx, "finance"), serve(&fx, "transport")];
    // The transport group deny-lists a vendor name the finance group does not.
    let dir = fx.dir.path();
    let rules = dir.join("transport-policy.toml");
    std::fs::write(
        &rules,
        format!(
            "{}\n[[deny]]\nrole = \"vendor\"\nterms = [\"ぬえかわ\"]\n",
            include_str!("../crates/tazan-sanitize/policy/default.toml")
        ),
    )
    .unwrap();
    let signed = dir.join("transport-policy.json");
    let admin = fx.path("transport/admin.key");
    ok(tazan(&[
        "policy",
        "sign",
        rules.to_str().unwrap(),
        "--group",
        "transport-hub",
        "--policy-version",
        "1",
        "--admin-key",
        admin.to_str().unwrap(),
        "--out",
        signed.to_str().unwrap(),
    ]));
    let hub = fx.path("transport/hub.toml");
    ok(tazan(&[
        "policy",
        "publish",
        signed.to_str().unwrap(),
        "--hub-config",
        hub.to_str().unwrap(),
    ]));
    let fetched = ok(at(&home, &["policy", "fetch", "--group", "transport"]));
    assert!(fetched.contains("version 1 installed"), "{fetched}");
    let sakura = start(&fx, "sakura-bank", finance).await;
    let tsubame = start(&fx, "tsubame-railway", transport).await;

    // A lesson naming the vendor: transport's policy refuses it, so it goes
    // to neither group; to finance alone it passes.
    let mut named = serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(lesson_file(dir, "委託先の名前入り", "AMBER")).unwrap(),
    )
    .unwrap();
    named["problem"] = "ぬえかわの夜間バッチが二重に起動した".into();
    let file = dir.join("named.json");
    std::fs::write(&file, named.to_string()).unwrap();
    let e = failed(&publish_to(&home, &file, &["finance", "transport"]));
    assert!(e.contains("for group transport"), "{e}");
    assert_eq!(sakura.core().outbox().len(), 0);
    assert!(!ok(at(&home, &["lesson", "published"])).contains("委託先の名前入り"));
    let only_finance = ok_json(publish_to(&home, &file, &["finance"]));
    assert_ne!(only_finance["status"], "rejected", "{only_finance}");

    // A clean lesson to both: each copy names its own group's policy version.
    let clean = lesson_file(dir, "版は群ごと", "AMBER");
    let out = ok_json(publish_to(&home, &clean, &["finance", "transport"]));
    let ids: Vec<&str> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_ne!(ids[0], ids[1], "the copies differ in policy_version only");
    let id = arrives(tsubame.core(), "版は群ごと").await;
    let entry = tsubame.core().library().get(&id).unwrap().unwrap();
    let Ok(Payload::Lesson(l)) = Payload::from_canonical_bytes(&entry.envelope.payload) else {
        panic!("not a lesson")
    };
    assert_eq!(l.policy_version, Some(1));
    assert_eq!(id.to_string(), ids[1]);
    for n in [sakura, tsubame] {
        n.stop().await.unwrap();
    }
}

/// The running node's portal takes what any of its groups delivers, by id:
/// a lesson, its correction and its withdrawal from the transport hub, whose
/// sequence numbers are below those the finance hub's lessons already
/// carry on the shelf.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_portal_takes_corrections_and_withdrawals_from_either_group_while_it_runs() {
    let fx = Fixture::new();
    let (_, finance, transport) = pin_ports(&fx);
    let home = join_transport(&fx, transport);
    let _hubs = [serve(&fx, "finance"), serve(&fx, "transport")];
    let sakura = start(&fx, "sakura-bank", finance).await;
    let kaede = start(&fx, "kaede-securities", finance).await;
    let tsubame = start(&fx, "tsubame-railway", transport).await;
    let cfg = NodeConfig::load(&home.join("node.toml")).unwrap();
    let portal =
        tazan_portal::RunningPortal::start_node(cfg.portal.as_ref().unwrap(), &sakura, &cfg)
            .await
            .unwrap();
    let logins = portal
        .seed_logins(tazan_portal::demo::node_plan(
            &"sakura-bank".parse().unwrap(),
        ))
        .unwrap();
    let password = &logins
        .iter()
        .find(|l| l.login == "reader")
        .unwrap()
        .password;
    let mut reader = crate::web::Http::new(portal.url());
    assert_eq!(reader.login("reader", password).await.status, 303);
    let reader = tokio::sync::Mutex::new(reader);
    // Whether the node portal's page at `path` shows `text` to the reader.
    let shows = |path: String, text: &'static str| {
        let reader = &reader;
        async move { reader.lock().await.get(&path).await.body.contains(text) }
    };

    // The finance hub's numbers run ahead: six lessons from kaede.
    for i in 0..6 {
        let l = lesson(
            &format!("金融の教訓 {i}"),
            tazan_model::DisclosureLevel::Amber,
        );
        kaede
            .core()
            .publish(gated(&fx, "kaede-securities", l))
            .await
            .unwrap();
    }
    eventually("finance's lessons on the node portal", WAIT, || async {
        portal.shelved_lessons() >= 6
    })
    .await;
    let finance_through = portal.shelved_through();

    // From the transport group: a lesson, its correction, the correction's
    // withdrawal — each numbered below what the shelf has taken.
    let level = tazan_model::DisclosureLevel::Amber;
    let first = tsubame
        .core()
        .publish(gated(&fx, "tsubame-railway", lesson("運輸の教訓", level)))
        .await
        .unwrap();
    let path = format!("/lessons/{first}");
    eventually("the transport lesson on the node portal", WAIT, || {
        shows(path.clone(), "運輸の教訓")
    })
    .await;
    let taken = sakura.core().library().get(&first).unwrap().unwrap();
    assert!(
        taken.hub_seq < finance_through,
        "the test needs the transport number ({}) below finance's ({finance_through})",
        taken.hub_seq
    );
    let mut fixed = lesson("運輸の教訓（訂正版）", level);
    fixed.version = 2;
    fixed.supersedes = Some(first);
    let second = tsubame
        .core()
        .publish(gated(&fx, "tsubame-railway", fixed))
        .await
        .unwrap();
    eventually("the correction on the node portal", WAIT, || {
        shows(path.clone(), "訂正版があります")
    })
    .await;
    let withdrawal = tazan_model::Withdrawal {
        target: second,
        reason: "記載内容に誤りがあったため".into(),
        level,
    };
    tsubame
        .core()
        .withdraw(gated_withdrawal(&fx, "tsubame-railway", withdrawal))
        .await
        .unwrap();
    let second_path = format!("/lessons/{second}");
    eventually("the withdrawal on the node portal", WAIT, || {
        shows(second_path.clone(), "撤回されました")
    })
    .await;
    portal.stop().await;
    for n in [sakura, kaede, tsubame] {
        n.stop().await.unwrap();
    }
}
