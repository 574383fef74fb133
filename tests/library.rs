//! Lessons put to use across processes: a catalogue imported at a running
//! group hub reaches a running member node and both searches; a running
//! node's index follows new lessons and withdrawals within seconds.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use tazan_model::DisclosureLevel;

use crate::util::*;

/// Our own sample catalogue (not the shared corpus): three good entries and,
/// on line 3, one without a summary.
const CATALOGUE: &[&str] = &[
    r#"{"id": "K1", "domain": "governance", "theme": "障害時の連絡体制に関する教訓", "title": "障害時の顧客連絡は窓口を一本化すべし", "summary": "障害の発生時に複数の部署がそれぞれ顧客へ連絡し、説明の内容と復旧見込みが食い違って問合せが殺到した。", "cases": [{"no": 1, "title": "窓口の乱立", "story": "営業部門とシステム部門が別々に案内を出し、顧客が混乱した。", "application": "連絡窓口と発信内容の承認者を事前に決めておく。"}]}"#,
    r#"{"id": "K2", "domain": "technical", "theme": "証明書管理に関する教訓", "title": "証明書の有効期限は台帳と監視で管理すべし", "summary": "サーバー証明書の有効期限が切れ、外部との暗号化通信が一斉に失敗した。期限の管理が担当者の記憶に頼っていた。", "cases": [{"no": 1, "title": "更新の引継ぎ漏れ", "story": "担当者の異動で証明書の更新作業が引き継がれず、期限切れに誰も気付かなかった。", "application": "証明書の一覧と期限を台帳で管理し、期限の一か月前から監視で警告する。"}]}"#,
    r#"{"id": "K9", "domain": "technical", "title": "要約のない教訓"}"#,
    r#"{"id": "K3", "domain": "technical", "theme": "バッチ運用に関する教訓", "title": "夜間バッチの再実行手順は事前に検証すべし", "summary": "夜間バッチが途中で異常終了し、再実行したところ一部の処理が二重に計上された。", "cases": []}"#,
];

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `tazan search QUERY --home HOME --json [EXTRA]` as parsed hits.
fn search(home: &Path, query: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["search", query, "--home", home.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(tazan(&args))).unwrap()
}

/// Poll `f` every 100 ms until it holds; returns how long it took.
fn within(what: &str, limit: Duration, mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for: {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    start.elapsed()
}

fn import_at_hub(fx: &Fixture, file: &Path) -> (Output, serde_json::Value) {
    let hub = fx.path("finance/hub.toml");
    let out = tazan(&[
        "catalog",
        "import",
        file.to_str().unwrap(),
        "--hub-config",
        hub.to_str().unwrap(),
        "--json",
    ]);
    let summary = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        )
    });
    (out, summary)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_imported_at_a_running_hub_is_served_and_found() {
    let fx = Fixture::new();
    let (_, finance_port, _) = pin_ports(&fx);
    let _hub = serve(&fx, "finance");
    let _node = serve_node(&fx, "sakura-bank", finance_port);
    let file = fx.path("catalogue.jsonl");
    std::fs::write(&file, CATALOGUE.join("\n") + "\n").unwrap();

    // The bad line is named by file, line and field; the good ones go in.
    let (out, summary) = import_at_hub(&fx, &file);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused line fails the command"
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}:3:summary:", file.display())),
        "{err}"
    );
    assert_eq!(summary["accepted"], 3, "{summary}");
    assert_eq!(summary["duplicates"], 0);
    assert_eq!(summary["via"], "socket", "the running hub holds its store");

    // In the hub's log: the hub as origin, CLEAR, signed by the hub key.
    let tls = fx.path("sakura-bank/tls");
    let mut client = client(&format!("127.0.0.1:{finance_port}"), "finance-hub", &tls).await;
    let log = list_all(&mut client).await;
    assert_eq!(log.len(), 3);
    let hub_key = tazan_trust::KeyPair::load(&fx.path("finance/hub.key")).unwrap();
    for e in &log {
        assert_eq!(e.origin, "finance-hub");
        assert_eq!(e.level, tazan_proto::pb::Level::Clear as i32);
        let env = tazan_model::Envelope::try_from(e.envelope.clone().unwrap()).unwrap();
        assert_eq!(env.signer, hub_key.key_id());
        tazan_trust::verify_envelopes(&[(&env, &hub_key.public())])
            .remove(0)
            .unwrap();
    }

    // The running member node receives them and finds one by a Japanese query, with its ref.
    let home = fx.path("sakura-bank");
    let query = "証明書の期限が切れて外部との通信ができなくなった";
    within("the node's search finds K2", WAIT, || {
        search(&home, query, &["--limit", "3"])
            .first()
            .is_some_and(|h| h["ref"] == "K2")
    });
    let hit = &search(&home, query, &["--limit", "1"])[0];
    assert_eq!(hit["title"], "証明書の有効期限は台帳と監視で管理すべし");
    let list = ok(tazan(&[
        "lessons",
        "list",
        "--home",
        home.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(list.lines().count(), 3, "node library");

    // The hub's own search finds it too (its index commits once a second).
    let mut hub_hits = Vec::new();
    within("the hub's search finds K2", WAIT, || {
        hub_hits = search(&home, query, &["--hub", "--limit", "1"]);
        !hub_hits.is_empty()
    });
    assert_eq!(hub_hits[0]["ref"], "K2", "{hub_hits:?}");
    assert_eq!(hub_hits[0]["id"], hit["id"], "the same lesson");

    // Re-importing stores nothing twice.
    let (_, again) = import_at_hub(&fx, &file);
    assert_eq!(again["accepted"], 0, "{again}");
    assert_eq!(again["duplicates"], 3);
    assert_eq!(list_all(&mut client).await.len(), 3, "log unchanged");

    // The admin socket grants nothing without the hub's key: a member-signed
    // lesson and a RED one are refused, each with its reason, and nothing is
    // stored.
    let cfg = tazan_hub::HubConfig::load(&fx.path("finance/hub.toml")).unwrap();
    let mut admin = tazan_admin::connect(&cfg.data_dir)
        .await
        .unwrap()
        .expect("the running hub answers its admin socket");
    let forged = signed(
        &fx.key("sakura-bank"),
        "鍵のない者の教訓",
        DisclosureLevel::Clear,
    );
    let red = signed(&hub_key, "赤の教訓", DisclosureLevel::Red);
    let answer = admin
        .import_catalog(tazan_proto::pb::ImportCatalogRequest {
            envelopes: [forged, red]
                .iter()
                .map(tazan_proto::pb::Envelope::from)
                .collect(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((answer.accepted, answer.duplicates), (0, 0));
    let reasons: Vec<&str> = answer.refused.iter().map(|r| r.reason.as_str()).collect();
    assert!(
        reasons[0].contains("not by this hub's key") && reasons[1].contains("RED"),
        "{reasons:?}"
    );
    assert_eq!(list_all(&mut client).await.len(), 3, "log unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_nodes_search_follows_new_lessons_and_withdrawals() {
    let fx = Fixture::new();
    let (_, finance_port, _) = pin_ports(&fx);
    let _hub = serve(&fx, "finance");
    let node = serve_node(&fx, "sakura-bank", finance_port);
    let home = fx.path("sakura-bank");
    // Let the node open its index before anything arrives.
    within("the node's index exists", WAIT, || {
        home.join("index/meta.json").exists()
    });
    assert!(search(&home, "メッセージキュー 滞留", &[]).is_empty());

    // Another member publishes (its node is not running: the command delivers).
    let peer = fx.path("kaede-securities");
    pin_node(&fx, "kaede-securities", finance_port);
    let lesson = fx.path("queue.json");
    std::fs::write(
        &lesson,
        r#"{"title": "メッセージキューの滞留は件数と経過時間で監視すべし",
            "problem": "連携先の応答遅延でメッセージキューに電文が滞留し、受付処理が数時間止まった。",
            "direct_cause": "滞留件数の監視が無く、利用者からの問合せで初めて気付いた。",
            "lesson": "キューは滞留件数と最古の電文の経過時間を監視する。",
            "level": "AMBER"}"#,
    )
    .unwrap();
    let out = ok(tazan(&[
        "lesson",
        "publish",
        lesson.to_str().unwrap(),
        "--home",
        peer.to_str().unwrap(),
        "--json",
    ]));
    let published: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(published["status"], "accepted", "{published}");
    let id = published["id"].as_str().unwrap().to_owned();

    let query = "キューに電文が溜まって処理が止まった";
    let took = within(
        "the running node's search finds the new lesson",
        WAIT,
        || search(&home, query, &[]).iter().any(|h| h["id"] == id),
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    // Trends over the running node's index count it as well.
    let trends = ok(tazan(&[
        "trends",
        "--home",
        home.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let trends: serde_json::Value = serde_json::from_str(&trends).unwrap();
    // One lesson: counted (its buckets show), its counts suppressed (under 3).
    assert!(trends["total"].is_null(), "{trends}");
    assert_eq!(trends["by_cause"][0]["key"], "不明", "{trends}");
    assert!(trends["by_cause"][0]["count"].is_null(), "{trends}");

    // While the node runs it owns the index: a local import is refused,
    // saying what to do, and the index is untouched.
    let cat = fx.path("one.jsonl");
    std::fs::write(&cat, CATALOGUE[0]).unwrap();
    let refused = tazan(&[
        "catalog",
        "import",
        cat.to_str().unwrap(),
        "--home",
        home.to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("--hub-config"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(search(&home, query, &[]).len(), 1);

    // The publisher withdraws it: it leaves the running node's search.
    ok(tazan(&[
        "lesson",
        "withdraw",
        &id,
        "--level",
        "AMBER",
        "--reason",
        "内容を見直すため",
        "--home",
        peer.to_str().unwrap(),
    ]));
    let took = within("the withdrawn lesson leaves the search", WAIT, || {
        search(&home, query, &[]).iter().all(|h| h["id"] != id)
    });
    assert!(took < Duration::from_secs(5), "took {took:?}");

    // Stopped, the node's index still holds the same (synced from the library).
    node.terminate();
    assert!(search(&home, query, &[]).iter().all(|h| h["id"] != id));
}
