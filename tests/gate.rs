//! The leak gate end to end: every CLI path that publishes refuses a planted
//! deny-listed name and phone number and signs nothing; the group hub's own
//! screen refuses what a client that skips the gate sends; a withdrawal
//! reason with names and contacts never reaches the other group; without the
//! dictionary GREEN is refused with the install hint; and `lesson publish`
//! says what happened and what happens next.

use std::path::{Path, PathBuf};

use tazan::harness::Federation;
use tazan_model::{DisclosureLevel, Lesson, Payload, Withdrawal};
use tazan_proto::pb::publish_result::Outcome;

use crate::util::*;

/// A vendor the node's policy deny-lists.
const DENIED: &str = "鵺川システム";
/// A phone number.
const PHONE: &str = "03-5555-0123";

const BUILTIN_POLICY: &str = include_str!("../crates/tazan-sanitize/policy/default.toml");

/// The built-in policy plus a deny-list, as the node's `policy.toml`.
fn deny_policy(home: &Path) {
    std::fs::write(
        home.join("policy.toml"),
        format!("{BUILTIN_POLICY}\n[[deny]]\nrole = \"vendor\"\nterms = [\"{DENIED}\"]\n"),
    )
    .unwrap();
}

fn lesson_file(dir: &Path, name: &str, problem: &str, level: &str) -> PathBuf {
    let path = dir.join(name);
    let lesson = serde_json::json!({
        "title": "切替え手順は本番相当の負荷で訓練すべし",
        "problem": problem,
        "direct_cause": "待機系への切替え手順に誤りがあった。",
        "lesson": "切替えは本番相当の条件で定期的に訓練せよ。",
        "level": level,
    });
    std::fs::write(&path, lesson.to_string()).unwrap();
    path
}

/// Import a plain incident `id` into the vault of the node in `home`.
fn import_incident(home: &Path, dir: &Path, id: &str) {
    let file = dir.join(format!("{id}.jsonl"));
    let incident = serde_json::json!({"id": id, "description": "設定変更を誤り、受付が止まった。",
                                      "direct_cause": "設定ミス"});
    std::fs::write(&file, incident.to_string()).unwrap();
    ok(at(home, &["incident", "import", file.to_str().unwrap()]));
}

/// Outbox ids of the node in `home` (stopped).
fn queued(home: &Path) -> usize {
    let store = tazan_store::Store::open(&home.join("data")).unwrap();
    tazan_store::Outbox::open(&store).unwrap().len()
}

/// A refusal that names the field and both planted findings.
fn assert_refused(err: &str, field: &str) {
    assert!(
        err.contains(field)
            && err.contains(DENIED)
            && err.contains("deny:vendor")
            && err.contains(PHONE)
            && err.contains("contact (phone)")
            && err.contains("nothing signed"),
        "{field}: {err}"
    );
}

#[test]
fn every_cli_path_refuses_a_planted_name_and_phone_and_queues_nothing() {
    let fx = Fixture::new();
    let home = fx.path("sakura-bank");
    let dir = fx.dir.path();
    deny_policy(&home);
    let leak = format!("{DENIED}の窓口（{PHONE}）への連絡が遅れた。");

    // publish FILE
    let file = lesson_file(dir, "leaky.json", &leak, "AMBER");
    let err = failed(&at(&home, &["lesson", "publish", file.to_str().unwrap()]));
    assert_refused(&err, "problem @");
    assert!(!home.join("data").exists() || queued(&home) == 0);

    // A clean lesson, then withdraw and correct it with planted text.
    let clean = lesson_file(dir, "clean.json", "待機系への切替えに失敗した。", "AMBER");
    let p = json(&at(
        &home,
        &["lesson", "publish", clean.to_str().unwrap(), "--json"],
    ));
    assert_eq!(p["status"], "queued", "{p}");
    let prefix = &p["id"].as_str().unwrap()[..8];
    let before = queued(&home);
    assert_eq!(before, 1);

    let err = failed(&at(
        &home,
        &["lesson", "withdraw", prefix, "--reason", &leak],
    ));
    assert_refused(&err, "field `reason`");
    assert_eq!(queued(&home), before);

    let fixed = lesson_file(dir, "fixed.json", &leak, "AMBER");
    let err = failed(&at(
        &home,
        &["lesson", "correct", prefix, fixed.to_str().unwrap()],
    ));
    assert_refused(&err, "problem @");
    assert_eq!(queued(&home), before);

    // catalog publish: one clean entry, one leaky; neither is signed.
    let entry = |id: &str, summary: &str| {
        serde_json::json!({"id": id, "domain": "technical", "theme": "切替え",
            "title": "切替え手順は本番相当の負荷で訓練すべし", "summary": summary, "cases": []})
        .to_string()
    };
    let catalog = dir.join("catalog.jsonl");
    std::fs::write(
        &catalog,
        [entry("T1", "訓練を定期的に行う。"), entry("T2", &leak)].join("\n"),
    )
    .unwrap();
    let err = failed(&at(
        &home,
        &["catalog", "publish", catalog.to_str().unwrap()],
    ));
    assert!(err.contains("line 2 (T2)"), "{err}");
    assert!(
        err.contains(DENIED) && err.contains("contact (phone)"),
        "{err}"
    );
    assert_eq!(queued(&home), before);

    // draft → approve, with the planted text edited in.
    import_incident(&home, dir, "INC-9");
    let d = json(&at(
        &home,
        &["lesson", "draft", "INC-9", "--level", "AMBER", "--json"],
    ))["draft"]
        .as_str()
        .unwrap()
        .to_owned();
    // `--set` refuses the leak outright; the whole-lesson edit stores it.
    let set = format!("countermeasures=[\"{leak}\"]");
    let err = failed(&at(&home, &["lesson", "edit", &d, "--set", &set]));
    assert!(err.contains(DENIED), "{err}");
    edit_whole_lesson(&home, &d, |l| {
        l["countermeasures"] = serde_json::json!([leak]);
    });
    let err = failed(&at(&home, &["lesson", "approve", &d, "--reviewer", "佐藤"]));
    assert!(err.contains("approval refused"), "{err}");
    assert!(
        err.contains("countermeasures[0] @") && err.contains(DENIED) && err.contains(PHONE),
        "{err}"
    );
    assert_eq!(queued(&home), before);
    let published = json(&at(&home, &["lesson", "published", "--json"]));
    assert_eq!(published.as_array().unwrap().len(), 1, "{published}");
}

/// A GREEN lesson signed by sakura-bank's key, with `edit` applied.
fn green(edit: impl FnOnce(&mut Lesson)) -> Payload {
    let mut l = lesson("全業界に共有する教訓", DisclosureLevel::Green);
    edit(&mut l);
    Payload::Lesson(l)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_hub_refuses_member_names_and_contacts_from_a_client_that_skips_the_gate() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let key = fx.key("sakura-bank");
    let mut c = fed
        .client_as(&"sakura-bank".parse().unwrap())
        .await
        .unwrap();
    let finance = fed.hub("finance").unwrap().core().clone();
    let clean = key.sign(&green(|_| {}));
    let r = publish(&mut c, std::slice::from_ref(&clean)).await;
    assert_eq!(outcome(&r[0]), Outcome::Accepted);

    let cases: Vec<(Payload, &str, &str, &str)> = vec![
        (
            green(|l| l.problem = "かえで証券の窓口で障害が起きた。".into()),
            "かえで証券",
            "payload.problem",
            "the name of a member",
        ),
        (
            green(|l| l.title = "Sakura-Bank 向けの教訓".into()),
            "Sakura-Bank",
            "payload.title",
            "the name of a member",
        ),
        (
            green(|l| l.impact = "詳細は ops@example.co.jp まで".into()),
            "ops@example.co.jp",
            "payload.impact",
            "an e-mail address",
        ),
        (
            green(|l| {
                l.countermeasures
                    .push("10.20.30.40 を監視対象に加えた".into())
            }),
            "10.20.30.40",
            "payload.countermeasures",
            "an IP address",
        ),
        (
            green(|l| l.root_cause = "db01.corp.example.jp の設定が古かった".into()),
            "db01.corp.example.jp",
            "payload.root_cause",
            "a host name",
        ),
        (
            {
                let mut p = green(|l| l.lesson = format!("困ったら {PHONE} へ"));
                if let Payload::Lesson(l) = &mut p {
                    l.level = DisclosureLevel::Clear;
                }
                p
            },
            PHONE,
            "payload.lesson",
            "a phone number",
        ),
        (
            Payload::Withdrawal(Withdrawal {
                target: clean.id(),
                reason: format!("担当（{PHONE}）に確認のうえ取り下げる"),
                level: DisclosureLevel::Green,
            }),
            PHONE,
            "payload.reason",
            "a phone number",
        ),
    ];
    for (payload, planted, field, what) in cases {
        let env = key.sign(&payload);
        let r = publish(&mut c, std::slice::from_ref(&env)).await;
        assert_eq!(outcome(&r[0]), Outcome::Rejected, "{field}");
        let rej = r[0].rejection.as_ref().unwrap();
        println!("{}: {}", rej.field, rej.message);
        assert_eq!(rej.field, field);
        assert_eq!(tonic::Code::from(rej.code), tonic::Code::InvalidArgument);
        assert!(rej.message.contains(what), "{}", rej.message);
        assert!(
            !rej.message.contains(planted),
            "the refusal echoes the text: {}",
            rej.message
        );
        assert!(
            finance.lookup(&env.id()).unwrap().is_none(),
            "{field}: stored"
        );
    }
    // AMBER stays in the group: the hub leaves it to the node's gate.
    let amber = key.sign(&Payload::Lesson(lesson(
        &format!("グループ内の連絡先 {PHONE}"),
        DisclosureLevel::Amber,
    )));
    assert_eq!(
        outcome(&publish(&mut c, &[amber]).await[0]),
        Outcome::Accepted
    );

    // Only the clean GREEN lesson is relayed: the cross hub's log holds it alone.
    let cross = fed.cross.core().clone();
    eventually("the clean lesson reaches the cross hub", WAIT, || {
        let cross = cross.clone();
        async move { cross.log_head() >= 1 }
    })
    .await;
    let relayed = cross.log_page(0, 100).unwrap();
    assert_eq!(relayed.len(), 1);
    assert_eq!(relayed[0].id, clean.id());
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_reason_with_names_and_contacts_never_reaches_the_other_group() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    // The CLI talks to the same hub as the running node.
    pin_node(
        &fx,
        "sakura-bank",
        fed.hub("finance").unwrap().addr().port(),
    );
    let home = fx.path("sakura-bank");
    let file = lesson_file(
        fx.dir.path(),
        "l.json",
        "待機系への切替えに失敗した。",
        "GREEN",
    );
    let p = json(&at(
        &home,
        &["lesson", "publish", file.to_str().unwrap(), "--json"],
    ));
    assert_eq!(
        p["status"], "handed",
        "the running node holds its store: {p}"
    );
    let id: tazan_model::LessonId = p["id"].as_str().unwrap().parse().unwrap();
    fed.wait_library("tsubame-railway", 1, WAIT).await.unwrap();

    // The old bug: a person's name, a phone number and an e-mail address
    // whose domain names the publisher the relay hides.
    let leaky =
        format!("担当の鷲頭（{PHONE}、washizu@sakura-bank.example.jp）に確認のうえ取り下げる");
    let prefix = &id.to_string()[..8];
    let err = failed(&at(
        &home,
        &["lesson", "withdraw", prefix, "--reason", &leaky],
    ));
    println!("{err}");
    assert!(
        err.contains("withdrawal refused")
            && err.contains("field `reason`")
            && err.contains("contact (phone)"),
        "{err}"
    );
    assert!(
        err.contains("sakura-bank"),
        "the own name in the e-mail domain is named: {err}"
    );
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    let pending = sakura.outbox().pending(16).unwrap();
    assert!(
        pending.iter().all(|item| item.id == id),
        "nothing but the lesson itself is queued: {:?}",
        pending.iter().map(|item| item.id).collect::<Vec<_>>()
    );

    // A clean reason goes through and reaches the other group.
    let reason = "記載内容に誤りがあったため取り下げる";
    let w = json(&at(
        &home,
        &["lesson", "withdraw", prefix, "--reason", reason, "--json"],
    ));
    assert_eq!(w["status"], "handed", "{w}");
    let tsubame = fed.node("tsubame-railway").unwrap().core().clone();
    eventually("the withdrawal reaches the other group", WAIT, || {
        let tsubame = tsubame.clone();
        async move {
            tsubame
                .library()
                .get(&id)
                .unwrap()
                .is_some_and(|e| e.withdrawn)
        }
    })
    .await;
    let mut seen = Vec::new();
    for node in ["kaede-securities", "tsubame-railway"] {
        for e in fed.node(node).unwrap().core().library().all().unwrap() {
            seen.extend(e.envelope.payload);
        }
    }
    for hub in [
        fed.hub("finance").unwrap(),
        fed.hub("transport").unwrap(),
        &fed.cross,
    ] {
        for r in hub.core().log_page(0, 100).unwrap() {
            seen.extend(r.envelope.payload);
        }
    }
    assert!(seen.windows(reason.len()).any(|w| w == reason.as_bytes()));
    for secret in [PHONE, "鷲頭", "washizu", "sakura-bank.example.jp"] {
        assert!(
            !seen.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} left the node"
        );
    }
    fed.stop().await.unwrap();
}

#[test]
fn without_the_dictionary_green_is_refused_with_the_install_hint() {
    let fx = Fixture::new();
    let home = fx.path("sakura-bank");
    let empty = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let env = [
        ("TAZAN_IPADIC_DIR", empty.path().to_str().unwrap()),
        ("TAZAN_CACHE_DIR", cache.path().to_str().unwrap()),
    ];
    import_incident(&home, fx.dir.path(), "INC-7");
    let draft = |level: &str| {
        at_env(
            &home,
            &["lesson", "draft", "INC-7", "--level", level, "--json"],
            &env,
        )
    };
    for level in ["GREEN", "CLEAR"] {
        let err = failed(&draft(level));
        println!("{err}");
        assert!(
            err.contains(&format!("level {level} needs the IPADIC dictionary"))
                && err.contains("bash scripts/setup-ipadic.sh")
                && err.contains("require_dictionary = false"),
            "{err}"
        );
    }
    let drafts = json(&at_env(&home, &["lesson", "drafts", "--json"], &env));
    assert_eq!(drafts, serde_json::json!([]), "nothing stored");
    // Publishing a file at GREEN needs it too; AMBER does not.
    let green = lesson_file(fx.dir.path(), "g.json", "切替えに失敗した。", "GREEN");
    let err = failed(&at_env(
        &home,
        &["lesson", "publish", green.to_str().unwrap()],
        &env,
    ));
    assert!(err.contains("bash scripts/setup-ipadic.sh"), "{err}");
    assert_eq!(json(&draft("AMBER"))["draft"], "d1");

    // The explicit opt-out.
    std::fs::write(
        home.join("policy.toml"),
        BUILTIN_POLICY.replace("require_dictionary = true", "require_dictionary = false"),
    )
    .unwrap();
    let made = json(&draft("GREEN"));
    assert_eq!(made["draft"], "d2");
    assert_eq!(made["dictionary"]["state"], "off", "{made}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_says_what_happened_and_what_happens_next() {
    let fx = Fixture::new();
    let file = lesson_file(
        fx.dir.path(),
        "l.json",
        "待機系への切替えに失敗した。",
        "AMBER",
    );
    // Node stopped, hub not answering (the generated config points at port 0).
    let home = fx.path("kaede-securities");
    let out = ok(at(&home, &["lesson", "publish", file.to_str().unwrap()]));
    println!("{out}");
    assert!(
        out.contains("queued in the node's outbox")
            && out.contains("did not answer")
            && out.contains("once `tazan node serve` runs"),
        "{out}"
    );

    // Node running, its hub down.
    let mut fed = Federation::start(&fx.layout).await.unwrap();
    let at_hub = fed.hub("finance").unwrap().addr().port();
    let idx = fed.groups.iter().position(|(g, _)| g == "finance").unwrap();
    let (_, hub) = fed.groups.remove(idx);
    hub.stop().await.unwrap();
    pin_node(&fx, "sakura-bank", at_hub);
    let home = fx.path("sakura-bank");
    let v = json(&at(
        &home,
        &["lesson", "publish", file.to_str().unwrap(), "--json"],
    ));
    println!("{}", v["message"]);
    assert_eq!(v["status"], "handed", "{v}");
    assert_eq!(v["delivery"]["hub"]["state"], "unreachable", "{v}");
    let message = v["message"].as_str().unwrap();
    assert!(
        message.contains("queued it in its outbox")
            && message.contains(&format!("127.0.0.1:{at_hub}"))
            && message.contains("retries until the hub acknowledges"),
        "{message}"
    );
    let node = fed.node("sakura-bank").unwrap().core().clone();
    assert_eq!(node.outbox().len(), 1, "the running node holds it");
    fed.stop().await.unwrap();
}
