//! Case stories (ケース / 活用) over real processes: three hubs and three
//! nodes as `tazan` processes; a member of another group appends a story to
//! a GREEN lesson through the CLI, and it reaches the publisher's group with
//! no member id outside its own; a story naming a person or a phone number is
//! refused naming the finding; one on an unknown or withdrawn lesson is
//! refused by the node, and by the hub when a node skips its own checks.

use std::path::Path;

use serde_json::Value;
use tazan_model::{DisclosureLevel, LessonId, Payload, Response, ResponseBody};
use tazan_proto::pb::publish_result::Outcome;
use tonic::Code;

use crate::util::*;

const CASE: &str = "夜間の切替え作業で、手順書の宛先が旧環境のままになっているのに直前で気づいた";
const APPLIED: &str = "切替えの前に本番値を作成者と別の担当者が照合する手順を加えた";

fn story(lesson: &str, home: &Path, case: &str, applied: &str) -> std::process::Output {
    tazan(&[
        "story",
        "add",
        lesson,
        "--case",
        case,
        "--applied",
        applied,
        "--home",
        home.to_str().unwrap(),
        "--json",
    ])
}

/// `tazan lessons show ID --json` at `home`, once the lesson is there.
fn shown(home: &Path, id: &str) -> Option<Value> {
    let out = tazan(&[
        "lessons",
        "show",
        id,
        "--json",
        "--home",
        home.to_str().unwrap(),
    ]);
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).unwrap())
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !f() {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// Every entry of the hub log as `home`'s node reads it (`tazan subscribe --json`).
fn log_lines(home: &Path) -> Vec<Value> {
    ok(tazan(&[
        "subscribe",
        "--json",
        "--home",
        home.to_str().unwrap(),
    ]))
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect()
}

#[test]
fn a_case_story_reaches_other_members_anonymously_and_bad_ones_are_refused() {
    let fx = Fixture::new();
    let (_, finance_port, transport_port) = pin_ports(&fx);
    let _cross = serve(&fx, "cross");
    let _finance = serve(&fx, "finance");
    let _transport = serve(&fx, "transport");
    let (sakura, kaede, tsubame) = (
        fx.path("sakura-bank"),
        fx.path("kaede-securities"),
        fx.path("tsubame-railway"),
    );
    let _nodes = [
        serve_node(&fx, "sakura-bank", finance_port),
        serve_node(&fx, "kaede-securities", finance_port),
        serve_node(&fx, "tsubame-railway", transport_port),
    ];

    let kept = publish_lesson(
        fx.dir.path(),
        &sakura,
        "切替え前の照合を怠るべからず",
        "GREEN",
    );
    let gone = publish_lesson(fx.dir.path(), &sakura, "撤回される教訓", "GREEN");
    let (kept, gone) = (
        kept["id"].as_str().unwrap().to_owned(),
        gone["id"].as_str().unwrap().to_owned(),
    );
    ok(tazan(&[
        "lesson",
        "withdraw",
        &gone[..16],
        "--reason",
        "内容を見直すため",
        "--home",
        sakura.to_str().unwrap(),
    ]));
    wait_until("both lessons and the withdrawal at tsubame", || {
        shown(&tsubame, &kept).is_some()
            && shown(&tsubame, &gone).is_some_and(|v| !v["withdrawal"].is_null())
    });

    // A member of the transport group tells a story on a finance lesson.
    let told = ok_json(story(&kept[..12], &tsubame, CASE, APPLIED));
    assert_eq!(told["kind"], "response", "{told}");
    for home in [&sakura, &kaede, &tsubame] {
        wait_until("the story with the lesson", || {
            shown(home, &kept)
                .is_some_and(|v| v["stories"].as_array().is_some_and(|s| !s.is_empty()))
        });
        let v = shown(home, &kept).unwrap();
        assert_eq!(v["stories"][0]["case"], CASE, "{v}");
        assert_eq!(v["stories"][0]["applied"], APPLIED, "{v}");
        let text = ok(tazan(&[
            "lessons",
            "show",
            &kept,
            "--home",
            home.to_str().unwrap(),
        ]));
        assert!(
            text.contains("【ケースと活用】") && text.contains(CASE),
            "{text}"
        );
    }
    // No member id in any copy of the story: each hub stores only its
    // re-signed copy, with a hub as origin and a pseudonym as reader.
    for home in [&sakura, &tsubame] {
        let stories: Vec<Value> = log_lines(home)
            .into_iter()
            .filter(|e| e["kind"] == "response" && e["response"]["body"]["type"] == "story")
            .collect();
        assert_eq!(stories.len(), 1, "{stories:?}");
        let s = &stories[0];
        assert!(s["origin"].as_str().unwrap().ends_with("-hub"), "{s}");
        assert!(
            s["response"]["reader"].as_str().unwrap().starts_with("r-"),
            "{s}"
        );
        for member in ["tsubame-railway", "sakura-bank", "kaede-securities"] {
            assert!(!s.to_string().contains(member), "{member} in {s}");
        }
    }

    // Refused at the node, naming the finding; nothing signed or sent.
    for (case, applied, field, finding) in [
        ("担当の山田太郎が夜間に気づいた", APPLIED, "case", "person"),
        (CASE, "詳細は 03-1234-5678 まで", "applied", "phone"),
    ] {
        let err = failed(&story(&kept[..12], &tsubame, case, applied));
        assert!(err.contains(field) && err.contains(finding), "{err}");
    }
    let err = failed(&story(&gone[..12], &tsubame, CASE, APPLIED));
    assert!(err.contains("withdrawn"), "{err}");
    let err = failed(&story("deadbeefdeadbeef", &tsubame, CASE, APPLIED));
    assert!(err.contains("deadbeefdeadbeef"), "{err}");
    let err = failed(&story(&kept[..12], &tsubame, CASE, " "));
    assert!(err.contains("`applied`"), "{err}");

    // At the hub: what a node that skipped its own checks would send.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let addr = format!("127.0.0.1:{finance_port}");
        let mut raw = client(&addr, "finance-hub", &kaede.join("tls")).await;
        let key = fx.key("kaede-securities");
        let body = ResponseBody::Story {
            case: CASE.into(),
            applied: APPLIED.into(),
        };
        let gone_id: LessonId = gone.parse().unwrap();
        for (lesson, code, why) in [
            (LessonId::of(b"unknown"), Code::NotFound, "not known"),
            (gone_id, Code::FailedPrecondition, "withdrawn"),
        ] {
            let payload = Payload::Response(Response {
                lesson,
                level: DisclosureLevel::Green,
                body: body.clone(),
                reader: String::new(),
            });
            let r = publish(&mut raw, &[key.sign(&payload)]).await;
            assert_eq!(outcome(&r[0]), Outcome::Rejected);
            let rej = r[0].rejection.as_ref().unwrap();
            assert_eq!(
                (Code::from(rej.code), rej.field.as_str()),
                (code, "payload.lesson"),
                "{}",
                rej.message
            );
            assert!(rej.message.contains(why), "{}", rej.message);
        }
    });
    // Still exactly one story everywhere.
    let v = shown(&kaede, &kept).unwrap();
    assert_eq!(v["stories"].as_array().unwrap().len(), 1, "{v}");
}
