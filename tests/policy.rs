//! The group's signed NDA policy over real processes: the admin signs and
//! publishes it at a running group hub, members fetch it with the roster and
//! draft under it (a name the group deny-lists is masked in the next draft),
//! the hub records who accepted which version and refuses a lesson drafted
//! under a withdrawn version; and every bad input (forged, stale, another
//! group's policy; a looser local policy; an unknown or missing version in a
//! lesson) is refused with a clear error and changes nothing stored.

use std::path::Path;

use tazan_model::{DisclosureLevel, Payload};
use tazan_proto::pb::publish_result::Outcome;
use tazan_trust::KeyPair;

use crate::util::*;

/// A name only the group's deny-list knows (no built-in recogniser masks it).
const NAME: &str = "ぬえかわ";
const BUILTIN_POLICY: &str = include_str!("../crates/tazan-sanitize/policy/default.toml");

/// The built-in policy with the group's vendor deny-list.
fn group_policy_text() -> String {
    format!("{BUILTIN_POLICY}\n[[deny]]\nrole = \"vendor\"\nterms = [\"{NAME}\"]\n")
}

/// `tazan policy sign` of `text` as version `version` of group `group`.
fn sign(dir: &Path, text: &str, group: &str, version: u32, admin: &Path) -> std::path::PathBuf {
    let src = dir.join(format!("policy-{group}-{version}.toml"));
    std::fs::write(&src, text).unwrap();
    let out = dir.join(format!("policy-{group}-{version}.json"));
    ok(tazan(&[
        "policy",
        "sign",
        src.to_str().unwrap(),
        "--group",
        group,
        "--policy-version",
        &version.to_string(),
        "--admin-key",
        admin.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    out
}

/// A fresh topology with the finance hub running as a `tazan` process.
struct Finance {
    fx: Fixture,
    port: u16,
    /// Its hub.toml.
    hub: String,
    /// Its group admin's signing key.
    admin: std::path::PathBuf,
    proc: Option<Proc>,
}

impl Finance {
    fn start() -> Finance {
        let fx = Fixture::new();
        let (_, port, _) = pin_ports(&fx);
        pin_node(&fx, "sakura-bank", port);
        let proc = serve(&fx, "finance");
        Finance {
            hub: fx.path("finance/hub.toml").to_str().unwrap().to_owned(),
            admin: fx.path("finance/admin.key"),
            fx,
            port,
            proc: Some(proc),
        }
    }

    /// Stop the hub (SIGTERM) and start it again on the same port and store.
    fn restart(&mut self) {
        if let Some(p) = self.proc.take() {
            p.terminate();
        }
        self.proc = Some(serve(&self.fx, "finance"));
    }
}

/// `tazan policy publish FILE --hub-config HUB`.
fn publish_policy(file: &Path, hub: &str) -> std::process::Output {
    tazan(&hub_args(
        &["policy", "publish", file.to_str().unwrap()],
        hub,
    ))
}

fn hub_args<'a>(args: &[&'a str], hub: &'a str) -> Vec<&'a str> {
    [args, &["--hub-config", hub]].concat()
}

/// The AMBER draft of incident `id` from the node in `home`: its id and problem text.
fn draft(home: &Path, id: &str) -> (String, String) {
    let d = ok(at(home, &["lesson", "draft", id, "--level", "AMBER"]))
        .trim()
        .to_owned();
    let shown = json(&at(home, &["lesson", "show", &d, "--json"]));
    let problem = shown["draft"]["lesson"]["problem"]
        .as_str()
        .unwrap()
        .to_owned();
    (d, problem)
}

/// `tazan lesson approve` (k-anonymity overridden: the library is empty): the JSON answer.
fn approve(home: &Path, draft: &str) -> (Option<i32>, serde_json::Value) {
    let out = at(
        home,
        &[
            "lesson",
            "approve",
            draft,
            "--reviewer",
            "佐藤",
            "--override",
            "k-anonymity",
            "--reason",
            "架空の事例",
            "--json",
        ],
    );
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "approve {draft}: {e}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

/// A new AMBER draft of INC-1 under another title (so it is a new lesson), approved.
fn redraft_and_approve(home: &Path, title: &str) -> (Option<i32>, serde_json::Value) {
    let (d, _) = draft(home, "INC-1");
    ok(at(
        home,
        &["lesson", "edit", &d, "--set", &format!("title={title}")],
    ));
    approve(home, &d)
}

/// A raw client of the finance hub on `port`, as sakura-bank.
async fn finance_client(
    fx: &Fixture,
    port: u16,
) -> tazan_proto::pb::hub_client::HubClient<tonic::transport::Channel> {
    client(
        &format!("127.0.0.1:{port}"),
        "finance-hub",
        &fx.path("sakura-bank/tls"),
    )
    .await
}

/// The policy version of the lesson with id `id` in the finance hub's log.
async fn stored_version(fx: &Fixture, port: u16, id: &str) -> Option<Option<u32>> {
    let mut c = finance_client(fx, port).await;
    list_all(&mut c).await.into_iter().find_map(|e| {
        let env = tazan_model::Envelope::try_from(e.envelope?).ok()?;
        (env.id().to_string() == id).then(|| match env.decode().ok()? {
            Payload::Lesson(l) => Some(l.policy_version),
            _ => None,
        })?
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_group_policy_reaches_members_is_drafted_under_and_a_withdrawn_version_is_refused()
{
    let f = Finance::start();
    let (fx, finance, hub, admin) = (&f.fx, f.port, f.hub.as_str(), &f.admin);
    let dir = fx.dir.path();
    let (sakura, kaede) = (fx.path("sakura-bank"), fx.path("kaede-securities"));
    let incident = dir.join("inc.jsonl");
    std::fs::write(
        &incident,
        format!(
            "{}\n",
            serde_json::json!({"id": "INC-1", "description": format!("{NAME}の作業で設定変更を誤り、受付が止まった。"),
                               "direct_cause": "設定ミス"})
        ),
    )
    .unwrap();
    ok(at(
        &sakura,
        &["incident", "import", incident.to_str().unwrap()],
    ));

    // Before the group has a policy, the node drafts under the built-in one.
    let (_, before) = draft(&sakura, "INC-1");
    assert!(before.contains(NAME), "{before}");

    let v1 = sign(dir, &group_policy_text(), "finance-hub", 1, admin);
    let out = ok(publish_policy(&v1, hub));
    assert!(
        out.contains("version 1 is in force at hub finance-hub"),
        "{out}"
    );
    let status = ok(tazan(&hub_args(&["policy", "status"], hub)));
    assert!(status.contains("version 1 in force"), "{status}");
    assert!(
        status.contains("sakura-bank              not accepted"),
        "{status}"
    );

    // A member fetches it with the roster, checks it and acknowledges it.
    let out = ok(at(&sakura, &["policy", "fetch"]));
    assert!(out.contains("version 1 installed"), "{out}");
    // A running node fetches it by itself when it starts.
    let _kaede = serve_node(fx, "kaede-securities", finance);
    eventually("both members accepted version 1", WAIT, || async {
        let status = ok(tazan(&hub_args(&["policy", "status"], hub)));
        status.contains("sakura-bank              accepted version 1 (current)")
            && status.contains("kaede-securities         accepted version 1 (current)")
    })
    .await;
    assert!(kaede.join("group-policy.json").exists());

    // The next draft masks the name the group deny-lists, and the lesson
    // names version 1 under the signature.
    let (d, after) = draft(&sakura, "INC-1");
    assert!(
        !after.contains(NAME) && after.contains("委託先ベンダ"),
        "{after}"
    );
    let (code, v) = approve(&sakura, &d);
    assert_eq!(
        (code, v["delivery"].as_str()),
        (Some(0), Some("accepted")),
        "{v}"
    );
    let id = v["lesson_id"].as_str().unwrap().to_owned();
    assert_eq!(stored_version(fx, finance, &id).await, Some(Some(1)));

    // The admin withdraws version 1: version 2 is in force, and a lesson the
    // node (still holding version 1) drafts is refused, naming the field and
    // the current version; nothing is stored.
    let out = ok(tazan(&hub_args(
        &[
            "policy",
            "withdraw",
            "1",
            "--admin-key",
            admin.to_str().unwrap(),
        ],
        hub,
    )));
    assert!(out.contains("version 2 is in force"), "{out}");
    let mut c = finance_client(fx, finance).await;
    let head = list_all(&mut c).await.len();
    let (code, v) = redraft_and_approve(&sakura, "委託作業の設定変更は二重確認すべし");
    assert_eq!(code, Some(1), "{v}");
    let reason = v["reason"].as_str().unwrap();
    assert!(
        reason.contains("policy_version")
            && reason.contains("version 1 was withdrawn")
            && reason.contains("current policy is version 2"),
        "{reason}"
    );
    assert_eq!(list_all(&mut c).await.len(), head, "nothing stored");

    // After fetching version 2 the node drafts and publishes again.
    let out = ok(at(&sakura, &["policy", "fetch"]));
    assert!(out.contains("version 2 installed (was 1)"), "{out}");
    let (code, v) = redraft_and_approve(&sakura, "委託作業の設定変更は第三者が確認すべし");
    assert_eq!(code, Some(0), "{v}");
    let id = v["lesson_id"].as_str().unwrap().to_owned();
    assert_eq!(stored_version(fx, finance, &id).await, Some(Some(2)));
    let status = ok(tazan(&hub_args(&["policy", "status"], hub)));
    assert!(status.contains("withdrawn 1"), "{status}");
    assert!(
        status.contains("sakura-bank              accepted version 2 (current)"),
        "{status}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_stale_and_foreign_policies_are_refused_and_change_nothing() {
    let mut f = Finance::start();
    let (fx, hub, admin) = (&f.fx, f.hub.as_str(), &f.admin);
    let dir = fx.dir.path();
    let sakura = fx.path("sakura-bank");
    let text = group_policy_text();
    let v1 = sign(dir, &text, "finance-hub", 1, admin);
    let v2 = sign(dir, &text, "finance-hub", 2, admin);
    ok(publish_policy(&v2, hub));
    ok(at(&sakura, &["policy", "fetch"]));
    let held = std::fs::read(sakura.join("group-policy.json")).unwrap();
    let at_hub = std::fs::read(fx.path("finance/policy.json")).unwrap();
    let unchanged = || {
        assert_eq!(
            std::fs::read(sakura.join("group-policy.json")).unwrap(),
            held
        );
        assert_eq!(
            std::fs::read(fx.path("finance/policy.json")).unwrap(),
            at_hub
        );
        let status = ok(tazan(&hub_args(&["policy", "status"], hub)));
        assert!(status.contains("version 2 in force"), "{status}");
    };

    // Forged: signed by another group's admin, or altered after signing.
    let transport_admin = fx.path("transport/admin.key");
    let forged = sign(dir, &text, "finance-hub", 3, &transport_admin);
    let e = failed(&publish_policy(&forged, hub));
    assert!(
        e.contains("does not verify under the group admin key"),
        "{e}"
    );
    unchanged();
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&v2).unwrap()).unwrap();
    doc["document"]["version"] = 3.into();
    doc["document"]["policy"] = BUILTIN_POLICY.into();
    let altered = serde_json::to_vec(&doc).unwrap();
    let cfg = tazan_node::NodeConfig::load(&sakura.join("node.toml")).unwrap();
    let e = tazan_node::install_group_policy(&cfg, &altered, "the hub").unwrap_err();
    assert!(e.to_string().contains("does not verify"), "{e}");
    unchanged();
    // Another group's policy, signed by its own admin.
    let foreign = sign(dir, &text, "transport-hub", 3, &transport_admin);
    let e = tazan_node::install_group_policy(&cfg, &std::fs::read(&foreign).unwrap(), "the hub")
        .unwrap_err();
    println!("{e}");
    assert!(e.to_string().contains("does not verify"), "{e}");
    let other_group = sign(dir, &text, "transport-hub", 3, admin);
    let e = failed(&publish_policy(&other_group, hub));
    assert!(
        e.contains("is for group transport-hub, not finance-hub"),
        "{e}"
    );
    unchanged();

    // Stale: version 1 after version 2, at the hub and at the node.
    let e = failed(&publish_policy(&v1, hub));
    assert!(
        e.contains("offered is version 1, but version 2 is held"),
        "{e}"
    );
    let e = tazan_node::install_group_policy(&cfg, &std::fs::read(&v1).unwrap(), "the hub")
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("offered is version 1, but version 2 is held"),
        "{e}"
    );
    unchanged();
    // A valid signature over an invalid policy.
    let bad = sign(dir, "version = 1\n", "finance-hub", 3, admin);
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&bad).unwrap()).unwrap();
    doc["document"]["policy"] = "version = 1\n[levels.GREEN]\ncolour = 3\n".into();
    let admin_key = KeyPair::load(admin).unwrap();
    let d: tazan_trust::PolicyDocument = serde_json::from_value(doc["document"].clone()).unwrap();
    let json = d.sign(&admin_key).unwrap().to_json().unwrap();
    let e = tazan_node::install_group_policy(&cfg, &json, "the hub").unwrap_err();
    println!("{e}");
    assert!(e.to_string().contains("group policy version 3:"), "{e}");
    unchanged();

    // A node without the group admin key takes no policy.
    let toml = std::fs::read_to_string(sakura.join("node.toml")).unwrap();
    let no_key = toml.replace("admin_key_file = \"tls/group-admin.pub\"\n", "");
    std::fs::write(sakura.join("node.toml"), no_key).unwrap();
    let e = failed(&at(&sakura, &["policy", "fetch"]));
    assert!(
        e.contains("admin_key_file") && e.contains("nothing was changed"),
        "{e}"
    );
    std::fs::write(sakura.join("node.toml"), toml).unwrap();
    unchanged();

    // The policy in force and who accepted it survive a restart of the hub,
    // even with an older policy file put in its place.
    std::fs::copy(&v1, fx.path("finance/policy.json")).unwrap();
    f.restart();
    let status = ok(tazan(&hub_args(&["policy", "status"], &f.hub)));
    assert!(status.contains("version 2 in force"), "{status}");
    assert!(
        status.contains("sakura-bank              accepted version 2 (current)"),
        "{status}"
    );
}

#[test]
fn a_looser_local_policy_is_refused_naming_the_rule_and_drafts_nothing() {
    let fx = Fixture::new();
    let dir = fx.dir.path();
    let sakura = fx.path("sakura-bank");
    let admin = KeyPair::load(&fx.path("finance/admin.key")).unwrap();
    let json = tazan_trust::PolicyDocument {
        group: "finance-hub".parse().unwrap(),
        version: 4,
        issued_at: 1,
        withdrawn: vec![],
        policy: group_policy_text(),
    }
    .sign(&admin)
    .unwrap()
    .to_json()
    .unwrap();
    let cfg = tazan_node::NodeConfig::load(&sakura.join("node.toml")).unwrap();
    tazan_node::install_group_policy(&cfg, &json, "test").unwrap();
    let incident = dir.join("inc.jsonl");
    std::fs::write(
        &incident,
        "{\"id\": \"INC-1\", \"description\": \"設定変更を誤り、受付が止まった。\", \"direct_cause\": \"設定ミス\"}\n",
    )
    .unwrap();
    ok(at(
        &sakura,
        &["incident", "import", incident.to_str().unwrap()],
    ));

    for (local, rule) in [
        (BUILTIN_POLICY.to_owned(), "`deny[0]`"),
        (
            group_policy_text().replacen("dates = \"quarter\"", "dates = \"month\"", 1),
            "`levels.GREEN.dates`: is \"month\", finer than the group's \"quarter\"",
        ),
        (
            group_policy_text().replacen(
                "[levels.CLEAR.recognizers]\n",
                "[levels.CLEAR.recognizers]\noff = [\"person\"]\n",
                1,
            ),
            "`levels.CLEAR.recognizers.off`: switches `person` off",
        ),
    ] {
        std::fs::write(sakura.join("policy.toml"), &local).unwrap();
        let e = failed(&at(
            &sakura,
            &["lesson", "draft", "INC-1", "--level", "AMBER"],
        ));
        println!("{e}");
        assert!(
            e.contains("is looser than the group's policy version 4") && e.contains(rule),
            "{rule}: {e}"
        );
        assert!(!e.contains(NAME), "deny-list terms are never quoted: {e}");
    }
    std::fs::remove_file(sakura.join("policy.toml")).unwrap();
    let drafts = ok(at(&sakura, &["lesson", "drafts"]));
    assert!(
        drafts.contains("no drafts"),
        "nothing was drafted: {drafts}"
    );
    // A stricter local policy is drafted under, and names the group's version.
    std::fs::write(
        sakura.join("policy.toml"),
        group_policy_text().replace("min_count = 10", "min_count = 5"),
    )
    .unwrap();
    ok(at(
        &sakura,
        &["lesson", "draft", "INC-1", "--level", "AMBER"],
    ));
    let gate = tazan_node::Gate::open(&sakura).unwrap();
    assert_eq!(gate.policy_version(), Some(4));
    let gated = gate
        .lesson(lesson("教訓", DisclosureLevel::Amber), &[])
        .unwrap();
    assert_eq!(gated.lesson().policy_version, Some(4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lesson_naming_an_unknown_or_no_policy_version_is_refused_and_not_stored() {
    let f = Finance::start();
    let v1 = sign(
        f.fx.dir.path(),
        &group_policy_text(),
        "finance-hub",
        1,
        &f.admin,
    );
    ok(publish_policy(&v1, &f.hub));
    let mut c = finance_client(&f.fx, f.port).await;
    let fx = &f.fx;
    let key = fx.key("sakura-bank");
    for (version, want) in [
        (Some(99), "version 99 is unknown to this hub"),
        (Some(0), "version 0 is unknown"),
        (None, "missing"),
    ] {
        let mut l = lesson(&format!("版{version:?}の教訓"), DisclosureLevel::Amber);
        l.policy_version = version;
        let r = publish(&mut c, &[key.sign(&Payload::Lesson(l))]).await;
        assert_eq!(outcome(&r[0]), Outcome::Rejected, "{version:?}");
        let rej = r[0].rejection.clone().unwrap();
        assert_eq!(rej.field, "payload.policy_version", "{version:?}");
        assert!(
            rej.message.contains(want) && rej.message.contains("current policy is version 1"),
            "{version:?}: {}",
            rej.message
        );
    }
    assert!(list_all(&mut c).await.is_empty(), "nothing stored");
    let mut l = lesson("版1の教訓", DisclosureLevel::Amber);
    l.policy_version = Some(1);
    let r = publish(&mut c, &[key.sign(&Payload::Lesson(l))]).await;
    assert_eq!(outcome(&r[0]), Outcome::Accepted, "{:?}", r[0].rejection);

    // Acknowledging an unknown version is refused too.
    let e = c
        .accept_policy(tazan_proto::pb::AcceptPolicyRequest { version: 7 })
        .await
        .unwrap_err();
    assert!(
        e.message()
            .contains("field `version`: version 7 is unknown"),
        "{e:?}"
    );
}

/// The hub portal's roster page shows the policy in force and who accepted
/// which version (admins only).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_portal_shows_the_policy_in_force_and_its_acceptances() {
    let pf = crate::web::PortalFed::start().await;
    let admin_key = KeyPair::load(&pf.fx.path("finance/admin.key")).unwrap();
    let signed = tazan_trust::PolicyDocument {
        group: "finance-hub".parse().unwrap(),
        version: 3,
        issued_at: 1_790_000_000,
        withdrawn: vec![1, 2],
        policy: group_policy_text(),
    }
    .sign(&admin_key)
    .unwrap();
    signed.save(&pf.fx.path("finance/policy.json")).unwrap();
    assert!(pf
        .fed
        .hub("finance")
        .unwrap()
        .core()
        .reload_policy()
        .await
        .unwrap());
    let cfg = pf.fed.node_config(&"sakura-bank".parse().unwrap()).unwrap();
    assert_eq!(
        tazan_node::fetch_group_policy(&cfg).await.unwrap(),
        tazan_node::Fetched::Installed {
            version: 3,
            previous: None
        }
    );
    let mut admin = pf.login("finance", "admin").await;
    let page = admin.get("/admin/roster").await;
    assert_eq!(page.status, 200);
    for want in [
        "NDAポリシー",
        "第3版",
        "撤回済み: 第1版・第2版",
        "第3版（現行）",
        "未受諾",
    ] {
        assert!(page.body.contains(want), "{want}: {}", page.body);
    }
    assert!(
        !page.body.contains(NAME),
        "the rules themselves are not shown"
    );
    pf.stop().await;
}
