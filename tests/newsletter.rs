//! Newsletters delivered: a real finance hub process composes an issue from
//! its index and mails it over real SMTP to an in-process sink; AMBER only as
//! a notice; the signed unsubscribe link stops the next issue; a refusing
//! server (550 and 451) is reported, recorded and retried, never duplicated.

use std::path::Path;

use serde_json::Value;

use crate::smtp::{Mode, SmtpSink};
use crate::util::*;
use crate::web::Http;

const GREEN_TITLE: &str = "通信制御装置の設定変更は二人で確認すべし";
const AMBER_TITLE: &str = "夜間処理の日付パラメータは自動で設定すべし";
const AMBER_PROBLEM: &str = "月末の夜間処理が前月の日付で動き、明細が作られなかった。";
const AMBER_LESSON: &str = "処理日付は業務カレンダーから自動で決め、手入力をなくす。";

const NOTES: &str = r#"
[[press]]
title = "大手銀行でATMが終日停止"
date = "2026-11-12"
source = "新聞報道"
summary = "夜間の更新作業の後、全国のATMが終日使えなくなった。"

[[commentary]]
title = "変更作業の二人確認が効く理由"
body = "作成者と別の担当者が本番値を照合すると、宛先の取り違えが見つかる。"

[[notice]]
title = "年末年始の窓口"
body = "12月29日から1月3日まで事務局は休みます。"
"#;

fn lesson_toml(title: &str, problem: &str, lesson: &str, level: &str) -> String {
    format!(
        "title = {title:?}\nproblem = {problem:?}\ndirect_cause = \"手順書の確認漏れ\"\nlesson = {lesson:?}\ncountermeasures = [\"変更は作成者と別の担当者が照合する\"]\nlevel = {level:?}\nindustry = \"金融\"\nperiod = \"2025-H2\"\n"
    )
}

fn send(hub: &Path, sink: &SmtpSink, since: &str, issue: &str) -> std::process::Output {
    tazan(&[
        "newsletter",
        "send",
        "--since",
        since,
        "--issue",
        issue,
        "--smtp",
        &sink.addr(),
        "--config",
        hub.to_str().unwrap(),
        "--json",
    ])
}

fn outcomes(report: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = report["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["login"].as_str().unwrap().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn a_newsletter_arrives_unsubscribing_stops_it_and_a_refusal_is_retried() {
    let fx = Fixture::new();
    let (_, finance_port, _) = pin_ports(&fx);
    let hub = fx.path("finance/hub.toml");
    let portal_port = free_port();
    let notes = fx.path("finance/notes.toml");
    std::fs::write(&notes, NOTES).unwrap();
    let mut text = std::fs::read_to_string(&hub).unwrap();
    assert!(
        text.contains("[portal]\nlisten = \"127.0.0.1:0\""),
        "{text}"
    );
    text = text.replace(
        "[portal]\nlisten = \"127.0.0.1:0\"",
        &format!("[portal]\nlisten = \"127.0.0.1:{portal_port}\""),
    );
    // Before [mail] exists: refused naming the table, nothing sent.
    std::fs::write(&hub, &text).unwrap();
    let sink = SmtpSink::start();
    let err = failed(&send(&hub, &sink, "2025-01-01", "0"));
    assert!(err.contains("`mail`") && err.contains("[mail]"), "{err}");
    text.push_str(
        "\n[mail]\nsmtp = \"127.0.0.1:1\"\nfrom = \"金融ハブ事務局 <newsletter@finance.example>\"\nnotes = \"notes.toml\"\n",
    );
    std::fs::write(&hub, &text).unwrap();

    let _cross = serve(&fx, "cross");
    let _finance = serve(&fx, "finance");

    // sakura-bank publishes one GREEN and one AMBER lesson through its stopped node.
    pin_node(&fx, "sakura-bank", finance_port);
    for (i, (title, problem, lesson, level)) in [
        (
            GREEN_TITLE,
            "通信制御装置の設定変更の後、一部の支店から接続できなくなった。",
            "設定変更は作成者と別の担当者が本番値を照合してから適用する。",
            "GREEN",
        ),
        (AMBER_TITLE, AMBER_PROBLEM, AMBER_LESSON, "AMBER"),
    ]
    .into_iter()
    .enumerate()
    {
        let path = fx.path(&format!("lesson-{i}.toml"));
        std::fs::write(&path, lesson_toml(title, problem, lesson, level)).unwrap();
        let out = ok_json(tazan(&[
            "lesson",
            "publish",
            path.to_str().unwrap(),
            "--home",
            fx.path("sakura-bank").to_str().unwrap(),
            "--json",
        ]));
        assert_eq!(out["status"], "accepted", "{out}");
    }

    // People of the hub's portal, subscribed by the CLI.
    let config = hub.to_str().unwrap();
    let mut carol_invite = String::new();
    for (login, member) in [
        ("alice", "sakura-bank"),
        ("bob", "kaede-securities"),
        ("carol", "kaede-securities"),
    ] {
        let out = ok(tazan(&[
            "user", "add", "--member", member, "--name", login, "--role", "reader", "--config",
            config,
        ]));
        if login == "carol" {
            let at = out.find("/invite/").unwrap();
            carol_invite = out[at..].split_whitespace().next().unwrap().to_owned();
        }
    }
    // A bad address is refused naming the field; nothing changes.
    let err = failed(&tazan(&[
        "newsletter",
        "subscribe",
        "alice",
        "alice at sakura",
        "--config",
        config,
    ]));
    assert!(
        err.contains("email") && err.contains("nothing was changed"),
        "{err}"
    );
    let err = failed(&tazan(&[
        "newsletter",
        "subscribe",
        "nobody",
        "n@example.jp",
        "--config",
        config,
    ]));
    assert!(err.contains("nobody"), "{err}");
    for (login, email) in [
        ("alice", "alice@sakura.example"),
        ("bob", "bob@kaede.example"),
    ] {
        let out = ok(tazan(&[
            "newsletter",
            "subscribe",
            login,
            email,
            "--config",
            config,
        ]));
        assert!(out.contains(email), "{out}");
    }

    // Wait until the hub's index holds both lessons (a dry run sends nothing).
    let since = "2000-01-01";
    eventually_blocking("both lessons in the finance hub's index", || {
        let out = tazan(&[
            "newsletter",
            "send",
            "--since",
            since,
            "--issue",
            "dry",
            "--smtp",
            &sink.addr(),
            "--dry-run",
            "--json",
            "--config",
            config,
        ]);
        let report: Value = serde_json::from_str(&ok(out)).unwrap();
        report["lessons"] == 1 && report["amber_withheld"] == 1
    });
    assert!(sink.mails().is_empty(), "a dry run sends nothing");

    // Issue 1 reaches both, with the five sections; AMBER only as a notice.
    let report: Value = serde_json::from_str(&ok(send(&hub, &sink, since, "1"))).unwrap();
    assert_eq!(
        outcomes(&report),
        pairs(&[("alice", "sent"), ("bob", "sent")]),
        "{report}"
    );
    let mails = sink.wait_for(2, WAIT);
    let mut alice_link = String::new();
    for m in &mails {
        let t = m.text();
        for s in [
            "■ 報道されたシステム障害",
            "■ 事例報告",
            "■ 教訓解説",
            "■ 類似障害と活用のポイント",
            "■ お知らせ",
            GREEN_TITLE,
            "大手銀行でATMが終日停止",
            "変更作業の二人確認が効く理由",
            "年末年始の窓口",
            "AMBER）の教訓が 1 件",
            "ポータルにログインしてご覧ください",
            "List-Unsubscribe: <http://127.0.0.1:",
        ] {
            assert!(t.contains(s), "{s:?} missing from the mail:\n{t}");
        }
        // Neither in the decoded text nor anywhere in the bytes on the wire.
        for amber in [
            AMBER_TITLE,
            AMBER_PROBLEM,
            AMBER_LESSON,
            "日付パラメータ",
            "業務カレンダー",
        ] {
            assert!(!t.contains(amber), "AMBER text {amber:?} in the mail:\n{t}");
            assert!(
                !m.data.windows(amber.len()).any(|w| w == amber.as_bytes()),
                "AMBER text {amber:?} in the raw mail"
            );
        }
        assert!(m.from.contains("newsletter@finance.example"), "{}", m.from);
        if m.to.iter().any(|t| t.contains("alice@sakura.example")) {
            let at = t.find("/unsubscribe/").unwrap();
            let end = t[at..].find(['\r', '\n', '>']).unwrap();
            alice_link = t[at..at + end].to_owned();
        }
    }
    assert!(!alice_link.is_empty(), "alice got her own link");

    // A re-run of issue 1 sends nothing twice.
    let report: Value = serde_json::from_str(&ok(send(&hub, &sink, since, "1"))).unwrap();
    assert_eq!(
        outcomes(&report),
        pairs(&[("alice", "already_sent"), ("bob", "already_sent")])
    );
    assert_eq!(report["reused"], true);
    assert_eq!(sink.mails().len(), 2);

    // alice unsubscribes through her link on the running hub's portal (a
    // form; an altered link is refused and changes nothing).
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let base = format!("http://127.0.0.1:{portal_port}");
        let mut http = Http::new(&base);
        let page = http.get(&alice_link).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let csrf = page.csrf();
        let forged = format!("{}0", &alice_link[..alice_link.len() - 1]);
        let forged = if forged == alice_link {
            format!("{}1", &alice_link[..alice_link.len() - 1])
        } else {
            forged
        };
        let refused = http.post(&forged, &[("_csrf", &csrf)]).await;
        assert_eq!(refused.status, 404, "{}", refused.body);
        let done = http.post(&alice_link, &[("_csrf", &csrf)]).await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(done.body.contains("id=\"unsubscribed\""), "{}", done.body);

        // carol sets her password, logs in and subscribes on her own page;
        // a bad address is refused naming it, and nothing is stored.
        let mut carol = Http::new(&base);
        let csrf = carol.csrf(&carol_invite).await;
        let pw = "carol-password-123";
        let set = carol
            .post(
                &carol_invite,
                &[("_csrf", &csrf), ("password", pw), ("password2", pw)],
            )
            .await;
        assert_eq!(set.status, 303, "{}", set.body);
        assert_eq!(carol.login("carol", pw).await.status, 303);
        let page = carol.get("/account/mail").await;
        assert!(page.body.contains("配信していません"), "{}", page.body);
        let csrf = page.csrf();
        let bad = carol
            .post(
                "/account/mail",
                &[
                    ("_csrf", &csrf),
                    ("action", "subscribe"),
                    ("email", "carol@"),
                ],
            )
            .await;
        assert_eq!(bad.status, 400, "{}", bad.body);
        assert!(bad.body.contains("email"), "{}", bad.body);
        let good = carol
            .post(
                "/account/mail",
                &[
                    ("_csrf", &csrf),
                    ("action", "subscribe"),
                    ("email", "carol@kaede.example"),
                ],
            )
            .await;
        assert_eq!(good.status, 303, "{}", good.body);
        let page = carol.get("/account/mail").await;
        assert!(
            page.body.contains("carol@kaede.example に配信しています"),
            "{}",
            page.body
        );
    });

    // Issue 2 goes to bob and carol, not to alice.
    let both = pairs(&[("bob", "sent"), ("carol", "sent")]);
    let report: Value = serde_json::from_str(&ok(send(&hub, &sink, since, "2"))).unwrap();
    assert_eq!(outcomes(&report), both, "{report}");
    let mails = sink.wait_for(4, WAIT);
    assert!(mails[2..]
        .iter()
        .all(|m| !m.to.iter().any(|t| t.contains("alice"))));

    // The server refuses (550, then 451): a clear error naming the
    // recipient and the reply, recorded; nothing accepted, nothing lost.
    let mut delivered = 4;
    for (mode, code, issue) in [(Mode::Refuse, "550", "3"), (Mode::Defer, "451", "4")] {
        sink.set_mode(mode);
        let err = failed(&send(&hub, &sink, since, issue));
        assert!(
            err.contains("bob") && err.contains(code) && err.contains("retries"),
            "{err}"
        );
        let status = delivery_records(config, issue);
        assert_eq!(status[0]["state"], "failed", "{status}");
        assert!(
            status[0]["reason"].as_str().unwrap().contains(code),
            "{status}"
        );
        assert_eq!(sink.mails().len(), delivered);
        // The server accepts again: the next run delivers it, once.
        sink.set_mode(Mode::Accept);
        let report: Value = serde_json::from_str(&ok(send(&hub, &sink, since, issue))).unwrap();
        assert_eq!(outcomes(&report), both, "{report}");
        delivered += 2;
        let report: Value = serde_json::from_str(&ok(send(&hub, &sink, since, issue))).unwrap();
        assert_eq!(
            outcomes(&report),
            pairs(&[("bob", "already_sent"), ("carol", "already_sent")])
        );
        assert_eq!(sink.mails().len(), delivered);
        let status = delivery_records(config, issue);
        assert_eq!(status[0]["state"], "sent", "{status}");
        assert_eq!(status[0]["attempts"], 2, "{status}");
    }
    assert_eq!(sink.mails().len(), 8);
    // Every DATA the sink took went to one recipient.
    assert!(sink.mails().iter().all(|m| m.to.len() == 1));
    assert!(sink.commands().iter().any(|c| c.starts_with("EHLO")));
}

/// `tazan newsletter status ISSUE --json`: the delivery records.
fn delivery_records(config: &str, issue: &str) -> Value {
    ok_json(tazan(&[
        "newsletter",
        "status",
        issue,
        "--json",
        "--config",
        config,
    ]))
}

/// Poll a blocking check until it holds (each try is a whole CLI run, so it
/// waits on the hub's index rather than on time).
fn eventually_blocking(what: &str, mut f: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !f() {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
