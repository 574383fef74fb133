//! The aggregator edits and publishes: public cases and a curated collection
//! authored at the cross hub reach members of every group, over `tazan`
//! processes (hubs and nodes) and mutual TLS; and every refusal names its
//! field and changes nothing.

use std::path::Path;
use std::time::{Duration, Instant};

use tazan_model::{Collection, DisclosureLevel, LessonId, Payload};
use tazan_proto::pb::publish_result::Outcome;
use tazan_trust::KeyPair;

use crate::util::{
    client, failed, ok, outcome, pin_ports, publish, publish_lesson, serve, serve_node, tazan,
    Fixture, WAIT,
};

/// Two fictional press records of 2017 H2 (the corpus schema), one naming
/// a member's display name as its public organisation.
const PRESS: &str = r#"{"id": "p-1", "organization": {"name": "架空テレコム", "aliases": []}, "industry": "情報通信", "system_name": "架空テレコム接続サービス", "occurred_at": "2017-07-03T11:50:00+09:00", "impact": "一部の地域でインターネットにつながりにくくなった。", "description": "中継通信機器の故障でDNSサーバーが高負荷となった。", "direct_cause": "ハードウェア障害", "sources": ["日経コンピュータ（2017.7.4）"]}
{"id": "p-2", "organization": {"name": "架空ストア", "aliases": []}, "industry": "電子商取引", "system_name": "架空ストア通販サイト", "occurred_at": "2017-11-19", "impact": "通販サイトで注文できなくなった。", "description": "設定変更の誤りでサイトに接続できなくなった。", "direct_cause": "設定ミス", "sources": [{"medium": "通販新聞", "date": "2017-11-20", "url": "https://example.com/news/1"}]}
"#;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Poll `tazan ARGS` until `pred` holds on its stdout (each run is a new
/// process reading the node's library through its hub).
fn until(what: &str, args: &[&str], pred: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let out = tazan(args);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() && pred(&text) {
            return text;
        }
        assert!(
            start.elapsed() < WAIT,
            "timed out waiting for {what}: {}\n{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `lessons list --json` of a node: (id, lesson) of every lesson.
fn library_lessons(home: &Path) -> Vec<(String, serde_json::Value)> {
    ok(tazan(&["lessons", "list", "--home", s(home), "--json"]))
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["kind"] == "lesson")
        .map(|v| (v["id"].as_str().unwrap().to_owned(), v["lesson"].clone()))
        .collect()
}

#[test]
fn an_aggregator_collection_and_public_cases_reach_members_of_every_group() {
    let fx = Fixture::new();
    let (_, finance_port, transport_port) = pin_ports(&fx);
    let _cross = serve(&fx, "cross");
    let _finance = serve(&fx, "finance");
    let _transport = serve(&fx, "transport");
    let _sakura = serve_node(&fx, "sakura-bank", finance_port);
    let _tsubame = serve_node(&fx, "tsubame-railway", transport_port);
    let (sakura, tsubame) = (fx.path("sakura-bank"), fx.path("tsubame-railway"));
    let cross_config = fx.path("cross/hub.toml");

    // A member's GREEN lesson, and two public cases imported at the cross hub.
    let published = publish_lesson(
        fx.dir.path(),
        &sakura,
        "二重起動を防ぐ排他を設けるべし",
        "GREEN",
    );
    let member_lesson = published["id"].as_str().unwrap().to_owned();
    let press = fx.path("press.jsonl");
    std::fs::write(&press, PRESS).unwrap();
    let imported = ok(tazan(&[
        "press",
        "import",
        s(&press),
        "--hub-config",
        s(&cross_config),
    ]));
    assert!(imported.contains("2 stored"), "{imported}");

    // Both reach the member of the other group, the cross hub's own
    // publications verified by its pinned key at the transport hub.
    until(
        "the member lesson and both public cases at tsubame",
        &["lessons", "list", "--home", s(&tsubame), "--json"],
        |t| t.contains(&member_lesson) && t.contains("架空テレコム") && t.contains("架空ストア"),
    );
    let lessons = library_lessons(&tsubame);
    let public: Vec<&(String, serde_json::Value)> = lessons
        .iter()
        .filter(|(_, l)| l.get("public").is_some())
        .collect();
    assert_eq!(public.len(), 2, "{lessons:?}");
    assert!(!lessons
        .iter()
        .any(|(_, l)| l["title"].as_str().unwrap().contains("当社")));
    let telecom = public
        .iter()
        .find(|(_, l)| l["public"]["organisation"] == "架空テレコム")
        .unwrap();
    // The named company is kept, marked public with its sources.
    let title = telecom.1["title"].as_str().unwrap();
    assert!(
        title.contains("架空テレコム") && !title.contains("当社"),
        "{title}"
    );
    assert_eq!(
        telecom.1["public"]["sources"][0]["medium"],
        "日経コンピュータ"
    );
    let store = public
        .iter()
        .find(|(_, l)| l["public"]["organisation"] == "架空ストア")
        .unwrap();
    assert_eq!(
        store.1["public"]["sources"][0]["url"],
        "https://example.com/news/1"
    );

    // A member publishes a press report about itself as a public case: its
    // own name, which its gate would mask as 当社 and its group hub's screen
    // would refuse as a member's name, is kept because the record says so.
    let own = fx.path("own-press.jsonl");
    std::fs::write(
        &own,
        r#"{"id": "P3", "organization": {"name": "さくら銀行"}, "industry": "金融", "system_name": "さくら銀行ATM", "occurred_at": "2017-09-13", "impact": "さくら銀行のATMが午前中利用できなかった。", "description": "ネットワーク機器の故障でATMが停止した。", "direct_cause": "ハードウェア障害", "sources": ["新聞（2017.9.13）"]}"#,
    )
    .unwrap();
    ok(tazan(&["press", "publish", s(&own), "--home", s(&sakura)]));
    until(
        "sakura's own public case at tsubame",
        &["lessons", "list", "--home", s(&tsubame), "--json"],
        |t| t.contains("さくら銀行ATMの障害"),
    );

    // The editor builds a collection and publishes it from the cross hub.
    let draft = fx.path("redundancy.json");
    ok(tazan(&[
        "collection",
        "create",
        s(&draft),
        "--name",
        "redundancy",
        "--title",
        "冗長構成と設定変更の落とし穴",
        "--commentary",
        "切替えと設定変更は試すまで信用しない。報道された二件と会員の教訓から。",
    ]));
    ok(tazan(&[
        "collection",
        "add",
        s(&draft),
        &member_lesson,
        &telecom.0,
        &store.0,
    ]));
    let moved = ok(tazan(&[
        "collection",
        "reorder",
        s(&draft),
        &store.0[..10],
        "--to",
        "1",
    ]));
    assert!(moved.contains(&format!("  1. {}", store.0)), "{moved}");
    let done = ok(tazan(&[
        "collection",
        "publish",
        s(&draft),
        "--hub-config",
        s(&cross_config),
    ]));
    assert!(done.contains("version 1"), "{done}");

    // Members of both groups read it, in the editor's order.
    for home in [&sakura, &tsubame] {
        let shown = until(
            "the collection at a member",
            &["collections", "show", "redundancy", "--home", s(home)],
            |t| t.contains("冗長構成と設定変更の落とし穴"),
        );
        assert!(shown.contains("報道された二件と会員の教訓から"), "{shown}");
        // Added as member, telecom, store; then the store moved to the top.
        let first = shown.find("架空ストア通販サイト").unwrap();
        let second = shown.find("二重起動を防ぐ排他を設けるべし").unwrap();
        let third = shown.find("架空テレコム接続サービス").unwrap();
        assert!(first < second && second < third, "{shown}");
        assert!(shown.contains("[報道: 架空ストア]"), "{shown}");
    }

    // The half-yearly table of press-reported failures, counts by cause.
    let table: serde_json::Value = serde_json::from_str(&ok(tazan(&[
        "press",
        "table",
        "--half",
        "2017H2",
        "--home",
        s(&sakura),
        "--json",
    ])))
    .unwrap();
    assert_eq!(table["cases"].as_array().unwrap().len(), 3, "{table}");
    let by_cause = table["by_cause"].to_string();
    assert!(
        by_cause.contains("ハードウェア障害") && by_cause.contains("設定ミス"),
        "{by_cause}"
    );
    let other_half = ok(tazan(&[
        "press",
        "table",
        "--half",
        "2018H1",
        "--home",
        s(&sakura),
    ]));
    assert!(other_half.contains(": 0件"), "{other_half}");

    // Republished, it supersedes the earlier version at every member.
    ok(tazan(&[
        "collection",
        "describe",
        s(&draft),
        "--title",
        "冗長構成と設定変更の落とし穴（改訂）",
    ]));
    let again = ok(tazan(&[
        "collection",
        "publish",
        s(&draft),
        "--hub-config",
        s(&cross_config),
    ]));
    assert!(again.contains("version 2"), "{again}");
    for home in [&sakura, &tsubame] {
        let list = until(
            "version 2 at a member",
            &["collections", "list", "--home", s(home)],
            |t| t.contains("（改訂）"),
        );
        assert_eq!(list.lines().count(), 1, "one current version: {list}");
        assert!(list.contains(" v2 "), "{list}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_collections_are_refused_naming_the_field_and_nothing_changes() {
    let fx = Fixture::new();
    let (_, finance_port, _) = pin_ports(&fx);
    let _cross = serve(&fx, "cross");
    let _finance = serve(&fx, "finance");
    let cross_config = fx.path("cross/hub.toml");
    let draft = fx.path("c.json");
    let run = |args: Vec<String>| async move {
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            tazan(&args)
        })
        .await
        .unwrap()
    };
    let args = |a: &[&str]| a.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();

    // An empty title: refused, no draft written.
    let out = run(args(&[
        "collection",
        "create",
        s(&draft),
        "--name",
        "c",
        "--title",
        " ",
    ]))
    .await;
    assert!(failed(&out).contains("`title`"), "{}", failed(&out));
    assert!(!draft.exists());

    ok(run(args(&[
        "collection",
        "create",
        s(&draft),
        "--name",
        "c",
        "--title",
        "特集",
    ]))
    .await);
    let before = std::fs::read(&draft).unwrap();

    // An oversize commentary: refused naming it, the draft unchanged.
    let long = "あ".repeat(tazan_model::COMMENTARY_MAX + 1);
    let out = run(args(&[
        "collection",
        "describe",
        s(&draft),
        "--commentary",
        &long,
    ]))
    .await;
    assert!(failed(&out).contains("`commentary`"), "{}", failed(&out));
    assert_eq!(std::fs::read(&draft).unwrap(), before);

    // A lesson the hub does not hold: refused at publish naming the item;
    // the hub's log and the draft unchanged.
    let unknown = LessonId::of(b"no such lesson").to_string();
    ok(run(args(&["collection", "add", s(&draft), &unknown])).await);
    let with_unknown = std::fs::read(&draft).unwrap();
    let head_before = cross_log_head(&fx, finance_port).await;
    let out = run(args(&[
        "collection",
        "publish",
        s(&draft),
        "--hub-config",
        s(&cross_config),
    ]))
    .await;
    let err = failed(&out);
    assert!(
        err.contains("payload.lessons[0]") && err.contains("not in this hub's log"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&draft).unwrap(),
        with_unknown,
        "version not bumped"
    );
    assert_eq!(cross_log_head(&fx, finance_port).await, head_before);

    // A member cannot publish a collection through its group hub (signed
    // by its own key, so only the kind is wrong).
    let mut member = client(
        &format!("127.0.0.1:{finance_port}"),
        "finance-hub",
        &fx.path("sakura-bank/tls"),
    )
    .await;
    let forged = Collection {
        name: "forged".into(),
        version: 1,
        title: "偽の特集".into(),
        commentary: String::new(),
        lessons: vec![LessonId::of(b"x")],
        level: DisclosureLevel::Green,
    };
    let member_key = KeyPair::load(&fx.path("sakura-bank/node.key")).unwrap();
    let results = publish(
        &mut member,
        &[member_key.sign(&Payload::Collection(forged.clone()))],
    )
    .await;
    assert_eq!(outcome(&results[0]), Outcome::Rejected);
    assert_eq!(results[0].rejection.as_ref().unwrap().field, "payload.kind");

    // Signed by another key, or with a signature that does not match: the
    // hub refuses to take it as its own.
    let out = tokio::task::spawn_blocking({
        let cfg = cross_config.clone();
        move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async {
                let cfg = tazan_hub::HubConfig::load(&cfg).unwrap();
                let hub_key = KeyPair::load(&cfg.key).unwrap();
                let other = member_key.sign(&Payload::Collection(forged.clone()));
                let mut tampered = hub_key.sign(&Payload::Collection(forged.clone()));
                tampered.signature[0] ^= 1;
                tazan_hub::import_signed(&cfg, vec![other, tampered])
                    .await
                    .unwrap()
            })
        }
    })
    .await
    .unwrap();
    let (report, via) = out;
    assert_eq!(via, "socket");
    assert_eq!(report.accepted, 0);
    assert_eq!(report.refused.len(), 2, "{report:?}");
    assert!(
        report.refused[0].1.contains("not by this hub's key"),
        "{report:?}"
    );
    assert!(report.refused[1].1.contains("signature"), "{report:?}");
    assert_eq!(cross_log_head(&fx, finance_port).await, head_before);
}

/// The cross hub's log head as the finance hub's upstream identity sees it.
async fn cross_log_head(fx: &Fixture, _finance_port: u16) -> u64 {
    let text = std::fs::read_to_string(fx.path("finance/hub.toml")).unwrap();
    let endpoint = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("endpoint = \"https://"))
        .unwrap()
        .trim_end_matches('"')
        .to_owned();
    let up = fx.path("finance/upstream");
    let tls = tazan_proto::ClientTls {
        cert: up.join("hub.pem"),
        key: up.join("hub.key"),
        ca: up.join("ca.pem"),
    };
    let ch = tazan_proto::endpoint(&format!("https://{endpoint}"), "cross-hub", &tls)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut c = tazan_proto::pb::hub_client::HubClient::new(ch);
    c.info(tazan_proto::pb::InfoRequest {})
        .await
        .unwrap()
        .into_inner()
        .log_head
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cross_hub_portal_shows_collections_and_the_press_table_to_anyone() {
    let fx = Fixture::new();
    let fed = tazan::harness::Federation::start(&fx.layout).await.unwrap();
    let cfg = tazan_hub::HubConfig::load(&fx.path("cross/hub.toml")).unwrap();
    let key = KeyPair::load(&cfg.key).unwrap();
    let read = tazan_search::read_press_cases(PRESS, Path::new("p.jsonl"), DisclosureLevel::Clear);
    let envelopes: Vec<_> = read
        .lessons
        .iter()
        .map(|c| key.sign(&Payload::Lesson(c.lesson.clone())))
        .collect();
    let ids: Vec<String> = envelopes.iter().map(|e| e.id().to_string()).collect();
    let (report, _) = tazan_hub::import_signed(&cfg, envelopes).await.unwrap();
    assert_eq!(report.accepted, 2, "{report:?}");
    let draft = fx.path("c.json");
    tazan_hub::editor::create(
        &draft,
        "press-2017h2",
        "2017年下期に報道された障害",
        "機器故障と設定変更の誤り。",
        DisclosureLevel::Clear,
    )
    .unwrap();
    tazan_hub::editor::add(&draft, &ids, None).unwrap();
    tazan_hub::editor::publish(&cfg, &draft).await.unwrap();

    let portals = fed.start_portals().await.unwrap();
    let cross = portals.iter().find(|p| p.service == "cross").unwrap();
    let addr = cross.portal.addr();
    let page = crate::util::http_get(addr, "/collections").await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(
        page.contains("2017年下期に報道された障害") && page.contains("機器故障と設定変更の誤り。")
    );
    assert!(page.contains("［報道: 架空テレコム］"), "{page}");
    let table = crate::util::http_get(addr, "/press?half=2017H2").await;
    assert!(table.starts_with("HTTP/1.1 200"), "{table}");
    assert!(
        table.contains("ハードウェア障害") && table.contains("設定ミス") && table.contains("2件")
    );
    assert!(table.contains("日経コンピュータ（2017.7.4）"), "{table}");
    let bad = crate::util::http_get(addr, "/press?half=2017H3").await;
    assert!(
        bad.starts_with("HTTP/1.1 400") && bad.contains("YYYYH1"),
        "{bad}"
    );
    for p in portals {
        p.portal.stop().await;
    }
    fed.stop().await.unwrap();
}
