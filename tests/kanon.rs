//! k-anonymity at review over a real library: lessons another member
//! publishes reach a running node through the hub and its follow loop, and
//! that node's review counts them — `lesson show` prints k, `approve`
//! refuses a draft under k = 3 naming the fields that single it out,
//! `coarsen` widens one and approval passes; with the node stopped, k is
//! read from its store.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::*;

/// `lesson show --json` of draft `d`.
fn show(home: &Path, d: &str) -> Value {
    json(&at(home, &["lesson", "show", d, "--json"]))
}

/// Poll `lesson show` until the draft's k was computed over `n` library
/// lessons (the follow loop and indexer have stored them), or panic.
fn until_library(home: &Path, d: &str, n: u64) -> Value {
    let start = Instant::now();
    loop {
        let v = show(home, d);
        if v["anonymity"]["library"].as_u64() == Some(n) {
            return v;
        }
        assert!(
            start.elapsed() < WAIT,
            "the library never reached {n} lessons: {}",
            v["anonymity"]
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A draft of `incident` whose combination is 銀行 · 2024-07 · 設定ミス · 約5万人規模.
fn draft(home: &Path, incident: &str) -> String {
    let d = json(&at(
        home,
        &["lesson", "draft", incident, "--level", "AMBER", "--json"],
    ))["draft"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(at(
        home,
        &[
            "lesson",
            "edit",
            &d,
            "--set",
            "industry=銀行",
            "--set",
            "period=2024-07",
            "--set",
            "impact=約5万人規模の利用者に影響",
        ],
    ));
    d
}

#[test]
fn review_counts_lessons_received_through_the_hub() {
    let fx = Fixture::new();
    let (_, finance_port, _) = pin_ports(&fx);
    let _hub = serve(&fx, "finance");
    let node = serve_node(&fx, "sakura-bank", finance_port);
    let home = fx.path("sakura-bank");
    let incidents = fx.path("incidents.jsonl");
    std::fs::write(
        &incidents,
        [
            r#"{"id":"INC-1","description":"設定変更を誤り、オンライン処理が停止した。","direct_cause":"設定ミス"}"#,
            r#"{"id":"INC-2","description":"設定値の確認が漏れ、夜間処理が停止した。","direct_cause":"設定ミス"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    ok(at(
        &home,
        &["incident", "import", incidents.to_str().unwrap()],
    ));
    let d = draft(&home, "INC-1");

    // Alone in an empty library: k = 1, every given field narrows it.
    let v = until_library(&home, &d, 0);
    assert_eq!(v["anonymity"]["k"], 1, "{}", v["anonymity"]);
    let text = ok(at(&home, &["lesson", "show", &d]));
    assert!(text.contains("k-anonymity: k = 1 (under 3)"), "{text}");
    assert!(
        text.contains(&format!("tazan lesson coarsen {d} period --to 2024-H2")),
        "{text}"
    );
    let err = failed(&at(&home, &["lesson", "approve", &d, "--reviewer", "佐藤"]));
    for field in [
        "industry 銀行",
        "period 2024-07",
        "cause 設定ミス",
        "impact 1万〜10万人",
    ] {
        assert!(err.contains(field), "{field}: {err}");
    }

    // Another member publishes two lessons of the same industry, cause and
    // scale in later months; the hub serves them to the running node.
    let peer = fx.path("kaede-securities");
    pin_node(&fx, "kaede-securities", finance_port);
    for (n, period) in [(1, "2024-09"), (2, "2024-11")] {
        let file = fx.path(&format!("peer{n}.json"));
        let lesson = serde_json::json!({
            "title": format!("設定変更の確認漏れ その{n}"),
            "problem": "設定変更の確認が漏れ、オンライン処理が数時間止まった。",
            "direct_cause": "設定ミス",
            "lesson": "設定変更は二人で確認すべし。",
            "taxonomy": {"cause": "設定ミス"},
            "industry": "銀行",
            "period": period,
            "impact": "約2万人規模の利用者に影響",
            "level": "AMBER",
        });
        std::fs::write(&file, lesson.to_string()).unwrap();
        let out = ok_json(tazan(&[
            "lesson",
            "publish",
            file.to_str().unwrap(),
            "--home",
            peer.to_str().unwrap(),
            "--json",
        ]));
        assert_eq!(out["status"], "accepted", "{out}");
    }
    let v = until_library(&home, &d, 2);
    let a = &v["anonymity"];
    assert_eq!(a["k"], 1, "{a}");
    assert_eq!(a["narrowing"][0]["field"], "period", "{a}");
    assert_eq!(a["narrowing"][0]["k_without"], 3, "{a}");

    // Refused, naming the month as what singles it out; nothing recorded.
    let err = failed(&at(&home, &["lesson", "approve", &d, "--reviewer", "佐藤"]));
    assert!(
        err.contains("k = 1") && err.contains("period 2024-07 (k 3 without it)"),
        "{err}"
    );
    assert!(err.contains("period → 2024-H2: k 3"), "{err}");
    assert_eq!(show(&home, &d)["draft"]["status"], "draft");

    // The half-year is shared by all three: approval passes without a reason.
    let out = ok(at(&home, &["lesson", "coarsen", &d, "period"]));
    assert!(out.contains("period: 2024-07 → 2024-H2"), "{out}");
    assert!(out.contains("k-anonymity: k = 3 (at least 3)"), "{out}");
    let approved = json(&at(
        &home,
        &["lesson", "approve", &d, "--reviewer", "佐藤", "--json"],
    ));
    assert_eq!(approved["status"], "queued", "{approved}");
    assert_eq!(approved["decisions"], serde_json::json!([]));

    // Stopped, the node's store is the library: the two received lessons and
    // its own approved one share INC-2's half-year with it.
    node.terminate();
    let d2 = draft(&home, "INC-2");
    ok(at(
        &home,
        &["lesson", "coarsen", &d2, "period", "--to", "2024-H2"],
    ));
    let a = &show(&home, &d2)["anonymity"];
    assert_eq!(
        (a["k"].as_u64(), a["library"].as_u64()),
        (Some(4), Some(3)),
        "{a}"
    );
}
