//! The raw incident vault and the review workflow, through the `tazan` binary:
//! import (with bad records), edit, draft → show → approve, leak-gate refusals
//! and recorded overrides, and the canary test: raw text placed in an incident
//! appears nowhere the node sends, only in its vault.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use tazan_model::Payload;
use tazan_node::K_ANONYMITY;
use tazan_sanitize::{Policy, Sanitizer};

use crate::util::*;

const GOOD_1: &str = r#"{"id":"INC-1","organization":{"name":"ひばり運輸","aliases":["HBR"]},"industry":"運輸","system_name":"ひばり運輸予約システム","occurred_at":"2024-03-04T08:10:00+09:00","recovered_at":"2024-03-04T12:00:00+09:00","impact":"予約サイトで約2万件の予約が止まった。","description":"ひばり運輸のDNSサーバーで設定変更を誤り、名前解決ができなくなった。","direct_cause":"設定ミス","remarks":"社内向けメモ"}"#;
const GOOD_2: &str = r#"{"id":"INC-2","description":"手順書の誤りに作業前に気づき、作業を止めた。","direct_cause":"作業ミス"}"#;

fn write(dir: &Path, name: &str, lines: &[&str]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// A temporary node home whose vault holds `lines` (JSON Lines), imported by the CLI.
fn home_with(lines: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("node");
    let file = write(dir.path(), "in.jsonl", lines);
    ok(at(&home, &["incident", "import", file.to_str().unwrap()]));
    (dir, home)
}

/// `incident list --json` and every `incident show --json`: the vault as the CLI sees it.
fn snapshot(home: &Path) -> Vec<Value> {
    let list = json(&at(home, &["incident", "list", "--json"]));
    let mut out = vec![list.clone()];
    for row in list.as_array().unwrap() {
        let id = row["id"].as_str().unwrap();
        out.push(json(&at(home, &["incident", "show", id, "--json"])));
    }
    out
}

#[test]
fn import_reports_bad_records_and_keeps_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("node");
    let file = write(
        dir.path(),
        "mixed.jsonl",
        &[
            GOOD_1,
            r#"{"id":"BAD-1","impact":3}"#,
            GOOD_2,
            r#"{"impact":"no id"}"#,
        ],
    );
    let f = file.to_str().unwrap();
    let err = failed(&at(&home, &["incident", "import", f]));
    assert!(err.contains("mixed.jsonl:2: field `impact`"), "{err}");
    assert!(err.contains("mixed.jsonl:4: field `id`"), "{err}");
    let ids: Vec<String> = json(&at(&home, &["incident", "list", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["INC-1", "INC-2"]);
    let near: Vec<Value> = json(&at(&home, &["incident", "list", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["near_miss"].clone())
        .collect();
    assert_eq!(near, [Value::Bool(false), Value::Bool(true)]);
    let before = snapshot(&home);

    // Running the same import again stores nothing new and changes nothing.
    let again = at(&home, &["incident", "import", f, "--json"]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "the bad records are still bad"
    );
    let report: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["imported"], serde_json::json!([]));
    assert_eq!(report["unchanged"], serde_json::json!(["INC-1", "INC-2"]));
    assert_eq!(report["errors"][0]["line"], 2);
    assert_eq!(report["errors"][0]["field"], "impact");
    assert_eq!(snapshot(&home), before);

    // --all-or-nothing: one bad record and the good new one is not imported either.
    let third = GOOD_2.replace("INC-2", "INC-3");
    let partial = write(dir.path(), "partial.jsonl", &[&third, "{oops"]);
    let p = partial.to_str().unwrap();
    let err = failed(&at(&home, &["incident", "import", p, "--all-or-nothing"]));
    assert!(err.contains("partial.jsonl:2: field `-`"), "{err}");
    assert_eq!(snapshot(&home), before);

    // The same id with other content is a duplicate unless --replace.
    let changed = GOOD_2.replace("作業を止めた", "作業を中断した");
    let dup = write(dir.path(), "dup.jsonl", &[&changed]);
    let d = dup.to_str().unwrap();
    let err = failed(&at(&home, &["incident", "import", d]));
    assert!(
        err.contains("dup.jsonl:1: field `id`") && err.contains("--replace"),
        "{err}"
    );
    assert_eq!(snapshot(&home), before);
    let out = ok(at(&home, &["incident", "import", d, "--replace"]));
    assert!(out.contains("1 replaced"), "{out}");
    let shown = json(&at(&home, &["incident", "show", "INC-2", "--json"]));
    assert_eq!(
        shown["description"],
        "手順書の誤りに作業前に気づき、作業を中断した。"
    );
}

#[test]
fn a_bad_edit_changes_nothing() {
    let (_dir, home) = home_with(&[GOOD_1]);
    let before = snapshot(&home);
    let cases: [(&[&str], &str); 4] = [
        (
            &["--set", "symptoms=画面が出ない"],
            "incident INC-1: field `symptoms`",
        ),
        (
            &["--set", "impact=遅延", "--set", "organization=5"],
            "field `organization`",
        ),
        (&["--set", "id=INC-9"], "field `id`"),
        (
            &["--set", "impcat=停止"],
            "field `impcat`: unknown field; did you mean `impact`?",
        ),
    ];
    for (sets, want) in cases {
        let mut args = vec!["incident", "edit", "INC-1"];
        args.extend_from_slice(sets);
        let err = failed(&at(&home, &args));
        assert!(err.contains(want), "{sets:?}: {err}");
        assert_eq!(snapshot(&home), before, "{sets:?} changed the vault");
    }
    // $EDITOR that breaks the JSON: refused, nothing changed.
    let err = failed(&at_env(
        &home,
        &["incident", "edit", "INC-1"],
        &[("EDITOR", "sed -i s/INC-1/INC-1,/"), ("VISUAL", "")],
    ));
    assert!(err.contains("nothing changed"), "{err}");
    assert_eq!(snapshot(&home), before);

    // Good edits, by --set and by $EDITOR.
    ok(at(
        &home,
        &[
            "incident",
            "edit",
            "INC-1",
            "--set",
            r#"symptoms=["予約できない"]"#,
        ],
    ));
    ok(at_env(
        &home,
        &["incident", "edit", "INC-1"],
        &[("EDITOR", "sed -i s/止まった/遅れた/"), ("VISUAL", "")],
    ));
    let shown = json(&at(&home, &["incident", "show", "INC-1", "--json"]));
    assert_eq!(shown["symptoms"], serde_json::json!(["予約できない"]));
    assert_eq!(shown["impact"], "予約サイトで約2万件の予約が遅れた。");
}

/// A topology whose sakura-bank home holds one imported incident.
fn node_with_incident(fx: &Fixture, lines: &[&str]) -> PathBuf {
    let home = fx.path("sakura-bank");
    let file = write(fx.dir.path(), "incidents.jsonl", lines);
    ok(at(&home, &["incident", "import", file.to_str().unwrap()]));
    home
}

fn draft(home: &Path, incident: &str, level: &str) -> String {
    let out = json(&at(
        home,
        &["lesson", "draft", incident, "--level", level, "--json"],
    ));
    out["draft"].as_str().unwrap().to_owned()
}

fn draft_json(home: &Path, id: &str) -> Value {
    json(&at(home, &["lesson", "show", id, "--json"]))
}

#[test]
fn draft_show_and_approve_queue_the_lesson() {
    let fx = Fixture::new();
    let home = node_with_incident(&fx, &[GOOD_1]);
    let green = draft(&home, "INC-1", "GREEN");
    let amber = draft(&home, "INC-1", "AMBER");
    assert_eq!((green.as_str(), amber.as_str()), ("d1", "d2"));

    let shown = ok(at(&home, &["lesson", "show", &green]));
    assert!(shown.contains("[当社←ひばり運輸]"), "{shown}");
    assert!(shown.contains("leak gate: no findings"), "{shown}");
    let g = draft_json(&home, &green);
    let a = draft_json(&home, &amber);
    assert_eq!(g["draft"]["lesson"]["level"], "GREEN");
    assert_eq!(g["draft"]["lesson"]["period"], "2024-Q1");
    assert_eq!(a["draft"]["lesson"]["period"], "2024-03");
    assert_eq!(g["draft"]["lesson"]["taxonomy"]["cause"], "設定ミス");
    let lesson_text = g["draft"]["lesson"].to_string() + &a["draft"]["lesson"].to_string();
    for raw in ["ひばり", "HBR", "社内向けメモ"] {
        assert!(
            !lesson_text.contains(raw),
            "{raw} in a draft: {lesson_text}"
        );
    }
    // GREEN is coarser than AMBER: an order of magnitude, not a rounded figure.
    assert!(g["draft"]["lesson"]["problem"]
        .as_str()
        .unwrap()
        .contains("数万件"));
    assert!(a["draft"]["lesson"]["problem"]
        .as_str()
        .unwrap()
        .contains("約2万件規模"));
    assert!(
        g["audit"].to_string().contains("ひばり運輸"),
        "audit keeps originals"
    );

    // No hub is running: the approved lesson waits in the node's outbox.
    let out = json(&at(
        &home,
        &[
            "lesson",
            "approve",
            &green,
            "--reviewer",
            "佐藤",
            "--override",
            K_ANONYMITY,
            "--reason",
            "架空の事例",
            "--json",
        ],
    ));
    assert_eq!(out["status"], "queued");
    assert_eq!(out["delivery"], "queued");
    let id = out["lesson_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 64);
    let rec = draft_json(&home, &green)["draft"].clone();
    assert_eq!(rec["status"], "queued");
    assert_eq!(rec["reviewer"], "佐藤");
    assert_eq!(rec["lesson_id"], id.as_str());
    let store = tazan_store::Store::open(&home.join("data")).unwrap();
    let outbox = tazan_store::Outbox::open(&store).unwrap();
    assert_eq!(outbox.len(), 1, "the signed lesson is in the outbox");
    drop((outbox, store));

    // A queued draft is frozen.
    let err = failed(&at(
        &home,
        &["lesson", "approve", &green, "--reviewer", "佐藤"],
    ));
    assert!(err.contains("already approved and queued"), "{err}");
    let err = failed(&at(
        &home,
        &["lesson", "edit", &green, "--set", "title=別の題"],
    ));
    assert!(err.contains("queued"), "{err}");
    // A bad edit of the other draft is refused and changes nothing.
    let before = draft_json(&home, &amber);
    for (set, want) in [
        ("level=GREEN", "field `level`"),
        ("title=", "`title`"),
        ("taxonomy.cause=天気", "taxonomy.cause"),
        ("period=昔", "period"),
        ("nofield=1", "field `nofield` cannot be edited"),
        // The rule the review page applies: no edit brings in a name.
        ("countermeasures=青葉銀行と手順を見直した。", "青葉銀行"),
    ] {
        let err = failed(&at(&home, &["lesson", "edit", &amber, "--set", set]));
        assert!(err.contains(want), "{set}: {err}");
        assert_eq!(draft_json(&home, &amber), before, "{set} changed the draft");
    }
    // All or nothing: a valid --set beside a bad one changes nothing either.
    let sets = ["--set", "taxonomy.stage=運用", "--set", "nofield=1"];
    let err = failed(&at(
        &home,
        &[&["lesson", "edit", &amber][..], &sets].concat(),
    ));
    assert!(err.contains("nofield"), "{err}");
    assert_eq!(draft_json(&home, &amber), before);
    // A list takes a JSON array or one item per line; --reset puts the drafted value back.
    let drafted = before["draft"]["lesson"]["keywords"].clone();
    ok(at(
        &home,
        &[
            "lesson",
            "edit",
            &amber,
            "--set",
            r#"keywords=["DNS","設定変更"]"#,
        ],
    ));
    let after = draft_json(&home, &amber);
    assert_eq!(
        after["draft"]["lesson"]["keywords"],
        serde_json::json!(["DNS", "設定変更"])
    );
    ok(at(
        &home,
        &["lesson", "edit", &amber, "--set", "keywords=DNS\n切替え"],
    ));
    ok(at(
        &home,
        &["lesson", "edit", &amber, "--reset", "keywords"],
    ));
    assert_eq!(
        draft_json(&home, &amber)["draft"]["lesson"]["keywords"],
        drafted
    );
    let err = failed(&at(&home, &["lesson", "edit", &amber, "--reset", "level"]));
    assert!(err.contains("field `level` cannot be edited"), "{err}");
}

#[test]
fn approve_refuses_open_findings_and_records_overrides() {
    let fx = Fixture::new();
    let home = node_with_incident(&fx, &[GOOD_1]);
    let d = draft(&home, "INC-1", "GREEN");
    // The reviewer writes a company's name back in, in the whole lesson
    // (`--set` would refuse it): the gate finds it.
    let out = edit_whole_lesson(&home, &d, |l| {
        l["countermeasures"] = serde_json::json!(["青葉銀行と手順を見直した。"]);
    });
    assert!(out.contains("1 leak-gate findings"), "{out}");
    let rec = draft_json(&home, &d);
    let finding = rec["draft"]["findings"][0].clone();
    let fid = finding["id"].as_str().unwrap().to_owned();
    assert_eq!(finding["excerpt"], "青葉銀行");
    assert_eq!(finding["finding"]["field"], "countermeasures[0]");
    let shown = ok(at(&home, &["lesson", "show", &d]));
    assert!(
        shown.contains("[!青葉銀行!]") && shown.contains(&fid),
        "{shown}"
    );

    let approve = |extra: &[&str]| {
        let mut args = vec!["lesson", "approve", &d, "--reviewer", "佐藤"];
        args.extend_from_slice(extra);
        at(&home, &args)
    };
    let err = failed(&approve(&[]));
    assert!(
        err.contains("approval refused") && err.contains(&fid),
        "{err}"
    );
    let err = failed(&approve(&["--override", "f00000000", "--reason", "x"]));
    assert!(err.contains("no such finding"), "{err}");
    let err = failed(&approve(&["--override", &fid]));
    assert!(err.contains("--reason"), "{err}");
    let still = draft_json(&home, &d);
    assert_eq!(still["draft"]["status"], "draft");
    assert_eq!(still["decisions"], serde_json::json!([]));

    let reason = "架空の社名で実在しない";
    let out = json(&approve(&[
        "--override",
        &fid,
        "--reason",
        reason,
        "--override",
        K_ANONYMITY,
        "--reason",
        "架空の事例",
        "--json",
    ]));
    assert_eq!(out["status"], "queued");
    let after = draft_json(&home, &d);
    let decision = &after["decisions"][0];
    assert_eq!(decision["finding_id"], fid.as_str());
    assert_eq!(decision["reviewer"], "佐藤");
    assert_eq!(decision["reason"], "架空の社名で実在しない");
    assert_eq!(decision["excerpt"], "青葉銀行");
    assert!(decision["at"].as_str().unwrap().starts_with("20"));
}

#[test]
fn publish_runs_the_leak_gate() {
    let fx = Fixture::new();
    let home = fx.path("sakura-bank");
    let file = fx.path("leaky.json");
    std::fs::write(
        &file,
        r#"{"title": "切替え手順の教訓", "problem": "青葉銀行の勘定系で切替えに失敗した。", "direct_cause": "d", "lesson": "l", "level": "AMBER"}"#,
    )
    .unwrap();
    let err = failed(&at(&home, &["lesson", "publish", file.to_str().unwrap()]));
    assert!(
        err.contains("leak gate")
            && err.contains("problem @0+4")
            && err.contains("publishing refused"),
        "{err}"
    );
    // Nothing was queued.
    let store = tazan_store::Store::open(&home.join("data")).unwrap();
    assert_eq!(tazan_store::Outbox::open(&store).unwrap().len(), 0);
}

#[test]
fn sample_lessons_pass_the_leak_gate() {
    for (publisher, lesson) in tazan::sample::lessons() {
        let s = Sanitizer::new(&Policy::builtin(), lesson.level).unwrap();
        let findings = s.gate_lesson(&lesson, &[]);
        assert!(
            findings.is_empty(),
            "{publisher}: {}: {findings:?}",
            lesson.title
        );
    }
}

#[test]
fn incident_similar_takes_a_vault_id() {
    let (_dir, home) = home_with(&[GOOD_1]);
    let hits = json(&at(&home, &["incident", "similar", "INC-1", "--json"]));
    assert!(hits.is_array());
    let err = failed(&at(&home, &["incident", "similar", "INC-404"]));
    assert!(err.contains("neither a file nor an incident"), "{err}");
}

// --- the canary test -------------------------------------------------------

/// The own name, written in full width in the text (ＱＸＫＡＮＡＲＩ).
const OWN: &str = "QXKANARI";
/// A host name.
const HOST: &str = "qxcanary-db01.corp.example.jp";
/// A person, with context (さん).
const PERSON: &str = "鷲頭";
/// A field the policy drops (`remarks`, `location`).
const DROPPED: &str = "QXDROPPED4417";
/// A phone number, an e-mail address (naming the company) and an address.
const PHONE: &str = "03-5555-0188";
const EMAIL: &str = "washizu@qxcanary.example.jp";
const IP: &str = "10.77.88.99";

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
        .collect()
}

/// Every form of every canary that must not travel.
fn canaries() -> Vec<String> {
    let mut all = Vec::new();
    for c in [OWN, HOST, PERSON, DROPPED, PHONE, EMAIL, IP] {
        all.push(c.to_owned());
        all.push(c.to_lowercase());
        all.push(fullwidth(c));
    }
    all.push("qxcanary".into());
    all
}

fn canary_incident() -> String {
    let w = fullwidth(OWN);
    serde_json::json!({
        "id": "CANARY-1",
        "organization": {"name": OWN, "aliases": []},
        "industry": "金融",
        "system_name": format!("{w}勘定系システム"),
        "occurred_at": "2025-05-12T02:40:00+09:00",
        "recovered_at": "2025-05-12T06:10:00+09:00",
        "location": format!("{DROPPED} 第二センター"),
        "impact": format!("{w}のインターネットバンキングで約3万人がログインできなくなった。"),
        "description": format!("{w}の認証サーバー {HOST} で証明書の更新を誤った。担当の{PERSON}さんが夜間に切り戻した。"),
        "cause_summary": format!("{w}の証明書更新手順の誤り"),
        "direct_cause": "作業ミス",
        "causes": [{"cause": "証明書の期限管理が手作業だった", "detail": format!("{HOST} の期限を{PERSON}さんが表計算で管理していた。")}],
        "countermeasures": [{"kind": "恒久", "action": "証明書の期限を監視で自動検知する。"}],
        "remarks": format!("{DROPPED} 社外秘"),
    })
    .to_string()
}

/// A raw incident with names, contacts and hosts planted in every field,
/// known and unknown, text or structured.
fn canary_everywhere() -> serde_json::Value {
    let w = fullwidth(OWN);
    let t = format!("{w}の{PERSON}さん（{PHONE}、{EMAIL}）が{HOST}（{IP}）を確認した。");
    serde_json::json!({
        "id": "CANARY-2",
        "organization": {"name": OWN, "aliases": ["QXK銀行"]},
        "industry": format!("金融 {t}"),
        "system_name": format!("{w}勘定系システム {t}"),
        "service": {"name": format!("{w}ネットバンキング"), "note": t},
        "occurred_at": "2025-05-12T02:40:00+09:00",
        "recovered_at": "2025-05-12T06:10:00+09:00",
        "discovered": {"by": format!("{PERSON}さん"), "how": t},
        "duration": [{"phase": "停止", "note": t}],
        "location": format!("{DROPPED} 第二センター {t}"),
        "affected_users_max": {"count": "約3万人", "note": t},
        "impact_scope": format!("全国 {t}"),
        "impact": format!("インターネットバンキングで約3万人がログインできなくなった。{t}"),
        "symptoms": [format!("ログインできない。{t}")],
        "description": format!("認証サーバーの証明書の更新を誤った。{t}"),
        "direct_cause": "作業ミス",
        "cause_summary": format!("証明書の更新手順の誤り。{t}"),
        "system_components": [{"name": HOST, "role": t}],
        "failure_sequence": [t],
        "timeline": [{"at": "02:40", "event": t}],
        "contact_timeline": [{"at": "03:00", "event": t}],
        "causes": [{"cause": "証明書の期限管理が手作業だった", "detail": t}],
        "countermeasures": [{"kind": "恒久", "action": format!("証明書の期限を監視で自動検知する。{t}")}],
        "user_communications": {"notice": t},
        "sources": [format!("{w}プレスリリース（2025年5月12日）")],
        "remarks": format!("{DROPPED} 社外秘 {t}"),
        "notes": t,
        "attachments": [{"name": format!("{HOST}.log"), "note": t}],
        "internal_ticket": format!("{DROPPED} {t}"),
    })
}

/// Every file under `dir` (recursively), except under `skip`.
fn files(dir: &Path, skip: Option<&Path>, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if Some(p.as_path()) == skip {
            continue;
        }
        if p.is_dir() {
            files(&p, skip, out);
        } else if p.is_file() {
            // Regular files only: a running portal's admin socket holds no data.
            out.push(p);
        }
    }
}

fn assert_clean(what: &str, bytes: &[u8]) {
    for c in canaries() {
        let needle = c.as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "canary {c:?} found in {what}"
        );
    }
}

/// Point a node at a group hub's port.
fn point_node(fx: &Fixture, node: &str, port: u16) {
    let path = fx.path(&format!("{node}/node.toml"));
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("https://127.0.0.1:0", &format!("https://127.0.0.1:{port}"));
    std::fs::write(path, text).unwrap();
}

async fn wait_for_entries(addr: &str, server: &str, tls: &Path) -> Vec<tazan_proto::pb::LogEntry> {
    let mut c = client(addr, server, tls).await;
    for _ in 0..1500 {
        let entries = list_all(&mut c).await;
        if !entries.is_empty() {
            return entries;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no lesson reached {server}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canary_in_raw_fields_never_leaves_the_node() {
    let fx = Fixture::new();
    let (_, finance_port, transport_port) = pin_ports(&fx);
    point_node(&fx, "sakura-bank", finance_port);
    point_node(&fx, "kaede-securities", finance_port);
    point_node(&fx, "tsubame-railway", transport_port);
    let _cross = serve(&fx, "cross");
    let finance = serve(&fx, "finance");
    let transport = serve(&fx, "transport");
    let node_toml = fx.path("sakura-bank/node.toml");
    let node = Proc::start(
        &["node", "serve", "--config", node_toml.to_str().unwrap()],
        "running",
    );

    // Raw incident → vault → GREEN draft → approval → admin socket → node → hubs.
    let home = node_with_incident(&fx, &[&canary_incident()]);
    let d = draft(&home, "CANARY-1", "GREEN");
    let rec = draft_json(&home, &d);
    assert_eq!(rec["draft"]["findings"], serde_json::json!([]), "{rec}");
    let out = json(&at(
        &home,
        &[
            "lesson",
            "approve",
            &d,
            "--reviewer",
            "審査者",
            "--override",
            K_ANONYMITY,
            "--reason",
            "カナリア試験の架空事例",
            "--json",
        ],
    ));
    assert_eq!(
        out["delivery"], "handed",
        "the running node holds its store"
    );
    let lesson_id = out["lesson_id"].as_str().unwrap().to_owned();

    // It reaches the own group's hub and, being GREEN, the other group's hub.
    let finance_addr = format!("127.0.0.1:{finance_port}");
    let transport_addr = format!("127.0.0.1:{transport_port}");
    let mut sent: Vec<(String, Vec<u8>)> = Vec::new();
    for (addr, server, member) in [
        (&finance_addr, "finance-hub", "kaede-securities"),
        (&transport_addr, "transport-hub", "tsubame-railway"),
    ] {
        let entries = wait_for_entries(addr, server, &fx.path(&format!("{member}/tls"))).await;
        assert_eq!(entries.len(), 1, "{server}");
        let env = entries[0].envelope.clone().unwrap();
        let Ok(Payload::Lesson(lesson)) = Payload::from_canonical_bytes(&env.payload) else {
            panic!("{server}: not a lesson");
        };
        assert_eq!(lesson.level, tazan_model::DisclosureLevel::Green);
        assert!(!lesson.problem.is_empty());
        sent.push((format!("{server} List payload"), env.payload.clone()));
        sent.push((
            format!("{server} List entry"),
            format!("{:?}", entries[0]).into_bytes(),
        ));
        sent.push((
            format!("{server} lesson JSON"),
            serde_json::to_vec(&lesson).unwrap(),
        ));
        // What a subscriber of that hub receives, through the CLI.
        let sub = ok(at(&fx.path(member), &["subscribe", "--json"]));
        assert!(sub.contains(&lesson_id), "{member}: {sub}");
        assert!(sub.contains("\"kind\":\"lesson\""), "{member}: {sub}");
        sent.push((format!("{member} Subscribe output"), sub.into_bytes()));
    }
    for (what, bytes) in &sent {
        assert_clean(what, bytes);
    }

    // Stop the processes so every byte they hold is on disk, then read it all.
    node.terminate();
    finance.terminate();
    transport.terminate();
    let mut all = Vec::new();
    for hub in ["cross", "finance", "transport"] {
        files(&fx.path(hub), None, &mut all);
    }
    let vault = home.join("vault");
    files(&home, Some(&vault), &mut all);
    assert!(all.iter().any(|p| p.starts_with(home.join("data"))));
    for path in &all {
        assert_clean(&path.display().to_string(), &std::fs::read(path).unwrap());
    }

    // Sanity: the canaries are in the vault, so this test can fail.
    let mut vault_bytes = Vec::new();
    let mut vault_files = Vec::new();
    files(&vault, None, &mut vault_files);
    for p in vault_files {
        vault_bytes.extend(std::fs::read(p).unwrap());
    }
    for c in [OWN, HOST, PERSON, DROPPED] {
        assert!(
            vault_bytes.windows(c.len()).any(|w| w == c.as_bytes()),
            "{c} not in the vault: the test would prove nothing"
        );
    }
}

#[test]
fn a_second_command_is_told_the_vault_is_in_use() {
    let (_dir, home) = home_with(&[GOOD_1]);
    // An edit holds the vault while its editor runs. The editor marks when
    // it starts (the vault is held by then) and runs until told to finish.
    let started = home.join("editor-started");
    let finish = home.join("editor-finish");
    let editor = format!(
        "touch '{}'; while [ ! -e '{}' ]; do sleep 0.01; done #",
        started.display(),
        finish.display()
    );
    let mut editing = std::process::Command::new(env!("CARGO_BIN_EXE_tazan"))
        .args([
            "incident",
            "edit",
            "INC-1",
            "--home",
            home.to_str().unwrap(),
        ])
        .env("EDITOR", &editor)
        .env("VISUAL", "")
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    while !started.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the editor never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let err = failed(&at(&home, &["incident", "list"]));
    assert!(err.contains("in use by another tazan command"), "{err}");
    std::fs::write(&finish, "").unwrap();
    assert!(editing.wait().unwrap().success());
    ok(at(&home, &["incident", "list"]));
}

/// The canary test on the wire: names, contacts and hosts planted in every
/// raw field never appear in any byte the node sends to its hub — captured
/// as plaintext by a TLS-terminating proxy between them — nor in any hub's
/// store; the capture does hold the lesson's own text, so it is real.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canaries_in_every_raw_field_never_cross_the_wire() {
    use tazan_hub::{HubConfig, RunningHub};
    use tazan_node::{Desk, NodeConfig, RunningNode};

    let fx = Fixture::new();
    let cross = RunningHub::start(HubConfig::load(&fx.layout.cross).unwrap())
        .await
        .unwrap();
    let mut groups = Vec::new();
    for (name, path) in &fx.layout.groups {
        let mut cfg = HubConfig::load(path).unwrap();
        cfg.upstream.as_mut().unwrap().endpoint = format!("https://{}", cross.addr());
        groups.push((name.clone(), RunningHub::start(cfg).await.unwrap()));
    }
    let hub = |g: &str| &groups.iter().find(|(n, _)| n == g).unwrap().1;
    let proxy = crate::proxy::RecordingProxy::start(
        &fx,
        "sakura-bank",
        "finance",
        "finance-hub",
        hub("finance").addr(),
    )
    .await;
    let mut cfg = NodeConfig::load(&fx.path("sakura-bank/node.toml")).unwrap();
    cfg.hub_endpoint = format!("https://{}", proxy.addr());
    let node = RunningNode::start(cfg).await.unwrap();

    // Raw incident → vault → GREEN draft → approval, through the node's desk.
    let desk = Desk::with_core(&fx.path("sakura-bank"), node.core().clone()).unwrap();
    let incident = tazan_model::Incident::from_json(
        canary_everywhere(),
        "test",
        tazan_model::UnknownFields::Keep,
    )
    .unwrap();
    desk.vault().put_incidents(&[incident]).unwrap();
    let made = desk
        .draft("CANARY-2", tazan_model::DisclosureLevel::Green)
        .unwrap();
    assert!(made.draft.findings.is_empty(), "{:?}", made.draft.findings);
    let k_reason = tazan_node::Override {
        finding_id: K_ANONYMITY.into(),
        reason: "カナリア試験の架空事例".into(),
    };
    let approved = desk
        .approve(made.draft.id, "審査者", &[k_reason])
        .await
        .unwrap();
    let id = approved.publication.id;
    // And a withdrawal of it, whose reason crosses the wire as well.
    let reason = "記載内容に誤りがあったため取り下げる";
    let withdrawn = desk
        .withdraw(&id.to_string()[..8], None, reason)
        .await
        .unwrap();
    let transport = hub("transport").core().clone();
    eventually(
        "the lesson and its withdrawal reach the other group",
        WAIT,
        || {
            let transport = transport.clone();
            async move {
                transport.lookup(&id).unwrap().is_some()
                    && transport.lookup(&withdrawn.id).unwrap().is_some()
            }
        },
    )
    .await;
    drop(desk);
    node.stop().await.unwrap();

    // The capture is real: the lesson's own (non-secret) text is in it.
    let title = approved.draft.lesson.title.clone();
    assert!(
        proxy.saw(title.as_bytes()),
        "the proxy never saw the title «{title}»"
    );
    assert!(
        proxy.saw(reason.as_bytes()),
        "the proxy never saw the withdrawal"
    );
    assert_clean("the plaintext the node sent to its hub", &proxy.sent());

    for (_, h) in groups {
        h.stop().await.unwrap();
    }
    cross.stop().await.unwrap();
    let mut stored = Vec::new();
    for h in ["cross", "finance", "transport"] {
        files(&fx.path(h), None, &mut stored);
    }
    for path in &stored {
        assert_clean(&path.display().to_string(), &std::fs::read(path).unwrap());
    }
    // Sanity: the canaries are in the vault, so this test can fail.
    let mut vault = Vec::new();
    let mut vault_files = Vec::new();
    files(&fx.path("sakura-bank/vault"), None, &mut vault_files);
    for p in vault_files {
        vault.extend(std::fs::read(p).unwrap());
    }
    for c in [OWN, HOST, PERSON, PHONE, EMAIL, IP] {
        assert!(
            vault.windows(c.len()).any(|w| w == c.as_bytes()),
            "{c} not in the vault: the test would prove nothing"
        );
    }
}
