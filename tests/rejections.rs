//! Every refusal a hub makes: each names its field and reason with a gRPC
//! code, and nothing of a refused envelope is stored.

use tazan::harness::Federation;
use tazan_model::{DisclosureLevel, Payload};
use tazan_proto::pb::{self, publish_result::Outcome};
use tazan_trust::Role;
use tonic::Code;

use crate::util::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rejection_names_its_field_and_stores_nothing() {
    let fx = Fixture::new();
    let reader_key = fx.add_finance_member("reader-co", vec![Role::Subscriber]);
    let gone_key = fx.add_finance_member("gone-co", vec![Role::Publisher]);
    fx.edit_finance_roster(|r| r.revoke(&"gone-co".parse().unwrap(), 1).unwrap());
    let stranger_tls = fx.issue_finance_cert("stranger");
    let fed = Federation::start(&fx.layout).await.unwrap();
    let hub = fed.hub("finance").unwrap();
    let addr = hub.addr().to_string();
    let sakura = fx.key("sakura-bank");
    let mut c = fed
        .client_as(&"sakura-bank".parse().unwrap())
        .await
        .unwrap();
    let mut messages = Vec::new();

    // Call-level: identity is checked before any payload is read.
    let env = signed(&sakura, "x", DisclosureLevel::Amber);
    let req = || pb::PublishRequest {
        envelopes: vec![pb::Envelope::from(&env)],
    };
    let mut stranger = client(&addr, "finance-hub", &stranger_tls).await;
    let err = stranger.publish(req()).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated, "{err:?}");
    assert!(err.message().contains("stranger"), "{}", err.message());
    messages.push(format!("unknown member: {}", err.message()));
    let err = stranger.list(pb::ListRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated, "reads are refused too");

    let mut gone = client(&addr, "finance-hub", &fx.path("gone-co/tls")).await;
    let err = gone
        .publish(pb::PublishRequest {
            envelopes: vec![pb::Envelope::from(&signed(
                &gone_key,
                "x",
                DisclosureLevel::Amber,
            ))],
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    messages.push(format!("revoked member: {}", err.message()));

    let err = c
        .publish(pb::PublishRequest { envelopes: vec![] })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("envelopes"));
    messages.push(format!("empty batch: {}", err.message()));

    let many = vec![pb::Envelope::from(&env); 1001];
    let err = c
        .publish(pb::PublishRequest { envelopes: many })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("envelopes"));
    messages.push(format!("batch too large: {}", err.message()));

    let mut huge = pb::Envelope::from(&env);
    huge.payload = vec![b'x'; 5 << 20];
    let err = c
        .publish(pb::PublishRequest {
            envelopes: vec![huge],
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err.code(), Code::ResourceExhausted | Code::OutOfRange),
        "{err:?}"
    );
    messages.push(format!(
        "oversized message: {:?} {}",
        err.code(),
        err.message()
    ));

    // Per-envelope refusals, each with code and field.
    let mut reader = client(&addr, "finance-hub", &fx.path("reader-co/tls")).await;
    let r = publish(
        &mut reader,
        &[signed(&reader_key, "x", DisclosureLevel::Amber)],
    )
    .await;
    check(&r[0], Code::PermissionDenied, "role", &mut messages);

    let mut bad_sig = signed(&sakura, "署名を壊す", DisclosureLevel::Amber);
    bad_sig.signature[10] ^= 1;
    let mut bad_content = signed(&sakura, "内容を改ざんする", DisclosureLevel::Amber);
    let Payload::Lesson(mut l) = bad_content.decode().unwrap() else {
        unreachable!()
    };
    l.title = "改ざん後".into();
    bad_content.payload = Payload::Lesson(l).to_canonical_bytes();
    let other_signer = signed(
        &fx.key("kaede-securities"),
        "他社の鍵で署名",
        DisclosureLevel::Amber,
    );
    let red = signed(&sakura, "RED", DisclosureLevel::Red);
    let mut invalid = lesson("x", DisclosureLevel::Amber);
    invalid.title.clear();
    let invalid = sakura.sign(&Payload::Lesson(invalid));
    let mut long = lesson("x", DisclosureLevel::Amber);
    long.problem = "長".repeat(5000);
    let long = sakura.sign(&Payload::Lesson(long));
    let mut garbage = signed(&sakura, "x", DisclosureLevel::Amber);
    garbage.payload = b"TZN1 not canonical".to_vec();
    garbage.signature = sakura.sign_bytes(
        tazan_model::PayloadKind::Lesson.signing_context(),
        &garbage.payload,
    );
    let results = publish(
        &mut c,
        &[
            bad_sig,
            bad_content,
            other_signer,
            red,
            invalid,
            long,
            garbage,
        ],
    )
    .await;
    check(
        &results[0],
        Code::Unauthenticated,
        "signature",
        &mut messages,
    );
    check(
        &results[1],
        Code::Unauthenticated,
        "signature",
        &mut messages,
    );
    check(&results[2], Code::Unauthenticated, "signer", &mut messages);
    check(
        &results[3],
        Code::PermissionDenied,
        "payload.level",
        &mut messages,
    );
    check(
        &results[4],
        Code::InvalidArgument,
        "payload.title",
        &mut messages,
    );
    check(
        &results[5],
        Code::InvalidArgument,
        "payload.problem",
        &mut messages,
    );
    check(&results[6], Code::InvalidArgument, "payload", &mut messages);

    let mut short_sig = pb::Envelope::from(&env);
    short_sig.signature.truncate(10);
    let resp = c
        .publish(pb::PublishRequest {
            envelopes: vec![short_sig],
        })
        .await
        .unwrap()
        .into_inner();
    check(
        &resp.results[0],
        Code::InvalidArgument,
        "signature",
        &mut messages,
    );

    // AMBER at the cross hub, sent with the finance hub's own identity and key.
    let mut up = cross_client_as_group(&fx, &fed, "finance").await;
    let hub_key = tazan_trust::KeyPair::load(&fx.path("finance/hub.key")).unwrap();
    let r = publish(
        &mut up,
        &[signed(&hub_key, "AMBERを直接", DisclosureLevel::Amber)],
    )
    .await;
    check(
        &r[0],
        Code::PermissionDenied,
        "payload.level",
        &mut messages,
    );

    // Nothing stored anywhere.
    assert_eq!(hub.core().log_head(), 0);
    assert_eq!(fed.cross.core().log_head(), 0);
    // And the hub still works.
    let r = publish(&mut c, std::slice::from_ref(&env)).await;
    assert_eq!(outcome(&r[0]), Outcome::Accepted);
    assert_eq!(hub.core().log_head(), 1);

    // Read them once, as a reviewer would.
    for m in &messages {
        println!("{m}");
        assert!(m.len() > 20, "terse message: {m}");
    }
    fed.stop().await.unwrap();
}

fn check(r: &pb::PublishResult, code: Code, field: &str, messages: &mut Vec<String>) {
    assert_eq!(
        outcome(r),
        Outcome::Rejected,
        "expected a rejection on `{field}`: {r:?}"
    );
    let rej = r.rejection.as_ref().expect("rejection details");
    assert_eq!(Code::from(rej.code), code, "{rej:?}");
    assert_eq!(rej.field, field, "{rej:?}");
    assert_eq!(r.seq, 0);
    messages.push(format!("{field}: {}", rej.message));
}
