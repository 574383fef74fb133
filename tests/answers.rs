//! Readers answer: feedback, questions to an anonymous publisher and its
//! answers, over real hubs and nodes (mutual TLS, sled), and every refusal.

use tazan_model::{
    DisclosureLevel, FeedbackKind, LessonId, Payload, PayloadKind, Response, ResponseBody,
};
use tazan_node::{Desk, ReviewError};
use tazan_proto::pb::publish_result::Outcome;
use tazan_trust::Role;
use tonic::Code;

use crate::util::{client, eventually, lesson, outcome, publish, Fixture, WAIT};
use tazan::harness::Federation;

fn desk(fx: &Fixture, fed: &Federation, node: &str) -> Desk {
    let core = fed.node(node).unwrap().core().clone();
    Desk::with_core(&fx.path(node), core).unwrap()
}

/// The responses of one kind (`feedback`, `question`, `answer`) in `node`'s
/// library, with the origin each came with.
fn in_library(fed: &Federation, node: &str, what: &str) -> Vec<(LessonId, Response, String)> {
    let lib = fed.node(node).unwrap().core().library();
    lib.all()
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == PayloadKind::Response)
        .filter_map(
            |e| match Payload::from_canonical_bytes(&e.envelope.payload) {
                Ok(Payload::Response(r)) if r.what() == what => Some((e.id, r, e.origin)),
                _ => None,
            },
        )
        .collect()
}

fn response(lesson: LessonId, level: DisclosureLevel, body: ResponseBody) -> Payload {
    Payload::Response(Response {
        lesson,
        level,
        body,
        reader: String::new(),
    })
}

fn feedback(kind: FeedbackKind, comment: &str) -> ResponseBody {
    ResponseBody::Feedback {
        kind,
        comment: comment.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_reaches_an_anonymous_publisher_and_its_answer_comes_back() {
    let fx = Fixture::new();
    let fed = Federation::start(&fx.layout).await.unwrap();
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    let id = sakura
        .publish(crate::util::gated(
            &fx,
            "sakura-bank",
            lesson("切替え訓練を定期的に行うべし", DisclosureLevel::Green),
        ))
        .await
        .unwrap();
    fed.wait_library("tsubame-railway", 1, WAIT).await.unwrap();

    // A reader in another group asks and sends feedback.
    let tsubame = desk(&fx, &fed, "tsubame-railway");
    let prefix = id.to_string()[..12].to_owned();
    tsubame
        .ask(&prefix, "切替え訓練の頻度はどの程度ですか")
        .await
        .unwrap();
    tsubame
        .send_feedback(
            &prefix,
            FeedbackKind::Applies,
            "当社の夜間切替えにも当てはまる",
        )
        .await
        .unwrap();

    // The question reaches the publisher's library through the cross hub.
    eventually("the question in sakura's library", WAIT, || async {
        !in_library(&fed, "sakura-bank", "question").is_empty()
    })
    .await;
    let sakura_desk = desk(&fx, &fed, "sakura-bank");
    let asked = sakura_desk.questions(None).await.unwrap();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(
        asked[0].ours,
        "the publisher sees the question is about its lesson"
    );
    assert_eq!(asked[0].thread.text, "切替え訓練の頻度はどの程度ですか");

    // The publisher answers; the answer comes back to the asker.
    let qid = asked[0].thread.id.to_string();
    sakura_desk
        .answer(&qid[..10], "四半期に１回、休日に実施しています")
        .await
        .unwrap();
    eventually("the answer in tsubame's library", WAIT, || async {
        !in_library(&fed, "tsubame-railway", "answer").is_empty()
    })
    .await;
    let seen = tsubame.responses(&prefix).await.unwrap();
    assert_eq!(seen.responses.questions.len(), 1);
    assert_eq!(
        seen.responses.questions[0].answers[0].0,
        "四半期に１回、休日に実施しています"
    );
    assert!(!seen.ours);

    // No member id anywhere a response is stored beyond its sender's node:
    // every response entry in every hub log is signed by a hub and names a
    // hub, and its bytes carry no member id.
    let members = ["sakura-bank", "kaede-securities", "tsubame-railway"];
    let member_keys: Vec<String> = members
        .iter()
        .map(|m| fx.key(m).key_id().to_string())
        .collect();
    for hub in std::iter::once(&fed.cross).chain(fed.groups.iter().map(|(_, h)| h)) {
        let records = hub.core().log_page(0, 1000).unwrap();
        let responses: Vec<_> = records
            .iter()
            .filter(|r| r.kind == PayloadKind::Response)
            .collect();
        assert!(
            !responses.is_empty(),
            "{} holds the responses",
            hub.core().id()
        );
        for r in responses {
            assert!(
                !members.contains(&r.origin.as_str()),
                "{} names member {} as a response's origin",
                hub.core().id(),
                r.origin
            );
            assert!(
                !member_keys.contains(&r.envelope.signer),
                "signed by a hub, not a member"
            );
            let text = String::from_utf8_lossy(&r.envelope.payload);
            assert!(members.iter().all(|m| !text.contains(m)));
        }
    }
    // The question in the publisher's library says only which group asked.
    let (_, q, origin) = in_library(&fed, "sakura-bank", "question").remove(0);
    assert_eq!(origin, "transport-hub");
    assert!(q.reader.starts_with("r-"));
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_counts_are_hidden_below_three_organisations_and_shown_at_three() {
    let fx = Fixture::new();
    let extra = [
        fx.add_finance_member("momiji-shinkin", vec![Role::Publisher]),
        fx.add_finance_member("kiri-life", vec![Role::Publisher]),
    ];
    let fed = Federation::start(&fx.layout).await.unwrap();
    let hub = fed.hub("finance").unwrap();
    let addr = hub.addr().to_string();
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    let id = sakura
        .publish(crate::util::gated(
            &fx,
            "sakura-bank",
            lesson("権限の棚卸しを四半期ごとに行うべし", DisclosureLevel::Amber),
        ))
        .await
        .unwrap();
    fed.wait_library("kaede-securities", 1, WAIT).await.unwrap();

    // One organisation, three times (twice the same, which the hub stores
    // once): counted once.
    let kaede = desk(&fx, &fed, "kaede-securities");
    let p = id.to_string();
    for (kind, comment) in [
        (FeedbackKind::Applies, ""),
        (FeedbackKind::Applies, ""),
        (FeedbackKind::Adopted, "棚卸しを始めた"),
    ] {
        kaede.send_feedback(&p, kind, comment).await.unwrap();
    }
    let core = hub.core().clone();
    let count = || core.responses(&id).unwrap();
    eventually("kaede's feedback at the hub", WAIT, || async {
        count().comments.len() == 1
    })
    .await;
    // A second organisation: still hidden.
    let momiji_tls = fx.path("momiji-shinkin/tls");
    let mut momiji = client(&addr, "finance-hub", &momiji_tls).await;
    let env = extra[0].sign(&response(
        id,
        DisclosureLevel::Amber,
        feedback(FeedbackKind::Applies, ""),
    ));
    assert_eq!(
        outcome(&publish(&mut momiji, &[env]).await[0]),
        Outcome::Accepted
    );
    let two = count();
    assert!(!two.feedback.shown());
    assert_eq!(two.feedback.to_string(), "3組織未満");
    assert!(two.feedback.by_kind.is_empty(), "no number below three");

    // The third organisation: shown, each organisation once per kind.
    let kiri_tls = fx.path("kiri-life/tls");
    let mut kiri = client(&addr, "finance-hub", &kiri_tls).await;
    let env = extra[1].sign(&response(
        id,
        DisclosureLevel::Amber,
        feedback(FeedbackKind::Effective, ""),
    ));
    assert_eq!(
        outcome(&publish(&mut kiri, &[env]).await[0]),
        Outcome::Accepted
    );
    let three = count();
    assert_eq!(three.feedback.organisations, Some(3));
    assert_eq!(
        three.feedback.by_kind,
        vec![
            (FeedbackKind::Applies, 2),
            (FeedbackKind::Adopted, 1),
            (FeedbackKind::Effective, 1)
        ]
    );
    // Readers in the group see the same counts from their library.
    eventually("all feedback in sakura's library", WAIT, || async {
        in_library(&fed, "sakura-bank", "feedback").len() == 4
    })
    .await;
    let seen = desk(&fx, &fed, "sakura-bank").responses(&p).await.unwrap();
    assert_eq!(seen.responses.feedback, three.feedback);
    assert!(seen.ours);
    // AMBER feedback never left the group.
    let cross = fed.cross.core().log_page(0, 1000).unwrap();
    assert!(cross.iter().all(|r| r.kind != PayloadKind::Response));
    fed.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_responses_are_refused_naming_the_field_and_nothing_is_stored() {
    let fx = Fixture::new();
    let stranger_tls = fx.issue_finance_cert("stranger");
    let fed = Federation::start(&fx.layout).await.unwrap();
    let hub = fed.hub("finance").unwrap();
    let addr = hub.addr().to_string();
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    let gate = tazan_node::Gate::open(&fx.path("sakura-bank")).unwrap();
    let kept = sakura
        .publish(
            gate.lesson(lesson("残る教訓", DisclosureLevel::Amber), &[])
                .unwrap(),
        )
        .await
        .unwrap();
    let gone = sakura
        .publish(
            gate.lesson(lesson("撤回される教訓", DisclosureLevel::Amber), &[])
                .unwrap(),
        )
        .await
        .unwrap();
    // The hub knows a lesson once stored: withdraw it after that.
    fed.wait_library("kaede-securities", 2, WAIT).await.unwrap();
    sakura
        .withdraw(
            gate.withdrawal(tazan_model::Withdrawal {
                target: gone,
                reason: "内容を見直すため".into(),
                level: DisclosureLevel::Amber,
            })
            .unwrap(),
        )
        .await
        .unwrap();
    fed.wait_library("kaede-securities", 3, WAIT).await.unwrap();
    let head = hub.core().log_head();
    let kaede_core = fed.node("kaede-securities").unwrap().core().clone();
    let outbox = kaede_core.outbox().len();
    let kaede = desk(&fx, &fed, "kaede-securities");
    let mut messages = Vec::new();

    // At the node: refused before anything is signed.
    let e = kaede
        .send_feedback(&kept.to_string(), FeedbackKind::Applies, &"あ".repeat(401))
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("`comment`") && e.to_string().contains("400"),
        "{e}"
    );
    messages.push(e.to_string());
    let e = kaede
        .send_feedback(
            &kept.to_string(),
            FeedbackKind::Adopted,
            "詳細は担当 03-1234-5678 まで",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ReviewError::Refused { .. }), "{e}");
    assert!(
        e.to_string().contains("comment") && e.to_string().contains("phone"),
        "{e}"
    );
    messages.push(e.to_string());
    // The sender's own name is a finding too (a reader stays anonymous).
    let e = kaede
        .ask(
            &kept.to_string(),
            "かえで証券でも同じ構成です。手順を教えてください",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ReviewError::Refused { .. }), "{e}");
    assert!(e.to_string().contains("`text`"), "{e}");
    messages.push(e.to_string());
    let e = kaede
        .ask(&gone.to_string()[..16], "まだ有効ですか")
        .await
        .unwrap_err();
    assert!(matches!(e, ReviewError::WithdrawnLesson { .. }), "{e}");
    messages.push(e.to_string());
    let e = kaede
        .ask("deadbeefdeadbeef", "これは何ですか")
        .await
        .unwrap_err();
    assert!(matches!(e, ReviewError::NotInLibrary { .. }), "{e}");
    messages.push(e.to_string());
    let e = kaede.ask(&kept.to_string(), "  ").await.unwrap_err();
    assert!(e.to_string().contains("`text`"), "{e}");
    messages.push(e.to_string());
    let e = kaede.answer("0123456789abcdef", "答え").await.unwrap_err();
    assert!(matches!(e, ReviewError::UnknownQuestion { .. }), "{e}");
    messages.push(e.to_string());
    assert_eq!(kaede_core.outbox().len(), outbox, "nothing queued");

    // At the hub: what a node that skipped its own checks would send.
    let mut raw = fed
        .client_as(&"kaede-securities".parse().unwrap())
        .await
        .unwrap();
    let key = fx.key("kaede-securities");
    let amber = DisclosureLevel::Amber;
    let question = |lesson| {
        response(
            lesson,
            amber,
            ResponseBody::Question {
                text: "質問".into(),
            },
        )
    };
    let cases: Vec<(Payload, Code, &str)> = vec![
        (question(gone), Code::FailedPrecondition, "payload.lesson"),
        (
            question(LessonId::of(b"unknown")),
            Code::NotFound,
            "payload.lesson",
        ),
        (
            response(
                kept,
                DisclosureLevel::Green,
                feedback(FeedbackKind::Applies, ""),
            ),
            Code::InvalidArgument,
            "payload.level",
        ),
        (
            Payload::Response(Response {
                reader: "r-forged".into(),
                ..match question(kept) {
                    Payload::Response(r) => r,
                    _ => unreachable!(),
                }
            }),
            Code::InvalidArgument,
            "payload.reader",
        ),
        (
            response(
                kept,
                amber,
                ResponseBody::Answer {
                    question: LessonId::of(b"no question"),
                    text: "答え".into(),
                },
            ),
            Code::NotFound,
            "payload.question",
        ),
    ];
    for (payload, code, field) in cases {
        let r = publish(&mut raw, &[key.sign(&payload)]).await;
        assert_eq!(outcome(&r[0]), Outcome::Rejected, "{field}");
        let rej = r[0].rejection.as_ref().unwrap();
        assert_eq!(
            (Code::from(rej.code), rej.field.as_str()),
            (code, field),
            "{}",
            rej.message
        );
        messages.push(format!("{field}: {}", rej.message));
    }
    // An oversize comment is refused by the hub too (decoding validates).
    let over = key.sign(&response(
        kept,
        amber,
        feedback(FeedbackKind::Applies, &"あ".repeat(401)),
    ));
    let r = publish(&mut raw, &[over]).await;
    let rej = r[0].rejection.as_ref().unwrap();
    assert_eq!(
        (Code::from(rej.code), rej.field.as_str()),
        (Code::InvalidArgument, "payload.comment"),
        "{}",
        rej.message
    );
    messages.push(rej.message.clone());

    // Only the publisher answers: a real question, answered by another member.
    let asked = key.sign(&question(kept));
    assert_eq!(
        outcome(&publish(&mut raw, &[asked]).await[0]),
        Outcome::Accepted
    );
    let qid = hub
        .core()
        .responses(&kept)
        .unwrap()
        .questions
        .first()
        .map(|q| q.id)
        .unwrap();
    let head_with_question = hub.core().log_head();
    assert_eq!(head_with_question, head + 1);
    let not_mine = key.sign(&response(
        kept,
        amber,
        ResponseBody::Answer {
            question: qid,
            text: "他社が答える".into(),
        },
    ));
    let r = publish(&mut raw, &[not_mine]).await;
    let rej = r[0].rejection.as_ref().unwrap();
    assert_eq!(
        (Code::from(rej.code), rej.field.as_str()),
        (Code::PermissionDenied, "payload.question")
    );
    messages.push(rej.message.clone());

    // A non-member is refused before any payload is read.
    let mut stranger = client(&addr, "finance-hub", &stranger_tls).await;
    let err = stranger
        .publish(tazan_proto::pb::PublishRequest {
            envelopes: vec![(&key.sign(&question(kept))).into()],
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated, "{err:?}");
    messages.push(err.message().to_owned());

    assert_eq!(
        hub.core().log_head(),
        head_with_question,
        "nothing else stored"
    );
    for m in &messages {
        println!("{m}");
    }
    fed.stop().await.unwrap();
}

/// The node portal's lesson page sends feedback and a question, the
/// publisher's page answers it, and the hub portal shows the counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portals_send_feedback_ask_answer_and_show_counts() {
    let pf = crate::web::PortalFed::start().await;
    let id = pf.lessons.finance_amber;
    let page = format!("/lessons/{id}");
    let mut kaede = pf.login("kaede-securities", "reviewer").await;
    let a = kaede.get(&page).await;
    assert!(a.body.contains("フィードバックを送る"), "{}", a.body);
    assert!(a.body.contains("3組織未満"));
    let csrf = a.csrf();

    // A comment with a phone number is refused, naming the finding; nothing sent.
    let outbox = pf
        .fed
        .node("kaede-securities")
        .unwrap()
        .core()
        .outbox()
        .len();
    let a = kaede
        .post(
            &format!("{page}/feedback"),
            &[
                ("_csrf", &csrf),
                ("kind", "applies"),
                ("comment", "担当 03-1234-5678 まで"),
            ],
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(a.body.contains("phone"), "{}", a.body);
    let a = kaede
        .post(
            &format!("{page}/feedback"),
            &[("_csrf", &csrf), ("kind", "liked")],
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(a.body.contains("`kind`"), "{}", a.body);
    assert_eq!(
        pf.fed
            .node("kaede-securities")
            .unwrap()
            .core()
            .outbox()
            .len(),
        outbox
    );

    let a = kaede
        .post(
            &format!("{page}/feedback"),
            &[
                ("_csrf", &csrf),
                ("kind", "adopted"),
                ("comment", "翌月から実施した"),
            ],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    let a = kaede
        .post(
            &format!("{page}/question"),
            &[("_csrf", &csrf), ("text", "実施の頻度を教えてください")],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);

    // The publisher's page shows the question with an answer form.
    eventually("the question in sakura's library", WAIT, || async {
        !in_library(&pf.fed, "sakura-bank", "question").is_empty()
    })
    .await;
    let (qid, _, _) = in_library(&pf.fed, "sakura-bank", "question").remove(0);
    let mut sakura = pf.login("sakura-bank", "reviewer").await;
    let a = sakura.get(&page).await;
    assert!(a.body.contains("実施の頻度を教えてください"), "{}", a.body);
    assert!(a.body.contains("発行者として回答する"));
    assert!(!a.body.contains("kaede"), "the asker is not named");
    let csrf = a.csrf();
    let a = sakura
        .post(
            &format!("{page}/answer"),
            &[
                ("_csrf", &csrf),
                ("question", &qid.to_string()),
                ("text", "毎月実施しています"),
            ],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    eventually("the answer in kaede's library", WAIT, || async {
        !in_library(&pf.fed, "kaede-securities", "answer").is_empty()
    })
    .await;
    let a = kaede.get(&page).await;
    assert!(a.body.contains("毎月実施しています"), "{}", a.body);
    assert!(a.body.contains("翌月から実施した"));

    // The hub portal shows the counts, hidden with one organisation.
    let mut hub = pf.login("finance", "reader").await;
    let a = hub.get(&page).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.contains("feedback-counts"), "{}", a.body);
    assert!(a.body.contains("3組織未満"));
    assert!(!a.body.contains("kaede-securities"));
    pf.stop().await;
}

/// The commands against running `tazan` processes: the node runs and owns
/// its store, so the commands hand signed responses to it through its admin
/// socket and read the library from the hub.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_commands_send_feedback_ask_and_answer_through_running_nodes() {
    use crate::util::{at, failed, ok, ok_json, pin_ports, publish_lesson, serve, serve_node};
    let fx = Fixture::new();
    let (_, finance, _) = pin_ports(&fx);
    let _hub = serve(&fx, "finance");
    let _sakura = serve_node(&fx, "sakura-bank", finance);
    let _kaede = serve_node(&fx, "kaede-securities", finance);
    let (sakura, kaede) = (fx.path("sakura-bank"), fx.path("kaede-securities"));
    let published = publish_lesson(fx.dir.path(), &sakura, "権限棚卸しの教訓", "AMBER");
    let id = published["id"].as_str().unwrap().to_owned();

    // Bad input first: nothing is signed.
    let e = failed(&at(&kaede, &["feedback", "send", &id, "--kind", "liked"]));
    assert!(e.contains("--kind") && e.contains("applies"), "{e}");
    let e = failed(&at(
        &kaede,
        &["question", "ask", "deadbeefdeadbeef", "--text", "何ですか"],
    ));
    assert!(e.contains("deadbeefdeadbeef"), "{e}");

    let sent = ok_json(at(
        &kaede,
        &["feedback", "send", &id[..12], "--kind", "applies", "--json"],
    ));
    assert_eq!(sent["kind"], "response", "{sent}");
    ok(at(
        &kaede,
        &[
            "question",
            "ask",
            &id[..12],
            "--text",
            "棚卸しの対象範囲を教えてください",
        ],
    ));
    let mut qid = String::new();
    eventually(
        "the question listed at the publisher as its own",
        WAIT,
        || {
            let out = ok_json(at(&sakura, &["question", "list", "--json"]));
            let found = out
                .as_array()
                .and_then(|all| all.first())
                .filter(|q| q["ours"] == true)
                .and_then(|q| q["thread"]["id"].as_str())
                .map(str::to_owned);
            let done = found.is_some();
            if let Some(q) = found {
                qid = q;
            }
            async move { done }
        },
    )
    .await;
    assert!(!qid.is_empty());
    ok(at(
        &sakura,
        &[
            "question",
            "answer",
            &qid[..12],
            "--text",
            "全システムの管理者権限です",
        ],
    ));
    eventually("the answer shown to the asker", WAIT, || {
        let out = String::from_utf8_lossy(&at(&kaede, &["feedback", "show", &id[..12]]).stdout)
            .into_owned();
        async move {
            out.contains("全システムの管理者権限です") && out.contains("3組織未満")
        }
    })
    .await;
}
