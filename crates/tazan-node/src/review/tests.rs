//! Every publishing path of the desk: a deny-listed name and a phone number
//! planted in what would leave the node are refused, naming the field and
//! the finding, and nothing is signed or queued.

use std::path::{Path, PathBuf};

use tazan_model::{DisclosureLevel, Incident, Lesson, LessonId, PayloadKind};
use tazan_trust::KeyPair;
use tazan_vault::{PublishedRecord, Vault};

use super::*;

/// A deny-listed vendor name in the node's policy.
const DENIED: &str = "鵺川システム";
/// A phone number.
const PHONE: &str = "03-5555-0123";

/// A node home: node.toml (its hub unreachable), a key and a policy with a
/// deny-list. The built-in levels are kept.
fn home() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("acme");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join("node.toml"),
        r#"version = 1
[node]
id = "acme-bank"
data_dir = "data"
key = "node.key"
display_name = "アクメ銀行（架空）"
[hub]
endpoint = "https://127.0.0.1:9"
server_name = "finance-hub"
ca = "tls/ca.pem"
cert = "tls/node.pem"
key = "tls/node.key"
"#,
    )
    .unwrap();
    KeyPair::generate().save(&home.join("node.key")).unwrap();
    let builtin = include_str!("../../../tazan-sanitize/policy/default.toml");
    std::fs::write(
        home.join("policy.toml"),
        format!("{builtin}\n[[deny]]\nrole = \"vendor\"\nterms = [\"{DENIED}\"]\n"),
    )
    .unwrap();
    (dir, home)
}

fn clean(level: DisclosureLevel) -> Lesson {
    Lesson::example("切替え手順は本番相当の負荷で訓練すべし", level)
}

/// What was signed so far: the outbox and the published register.
#[derive(Debug, PartialEq)]
struct Signed {
    outbox: Vec<LessonId>,
    register: Vec<LessonId>,
}

fn signed(home: &Path, vault: &Vault) -> Signed {
    let store =
        tazan_store::Store::open_waiting(&home.join("data"), std::time::Duration::from_secs(3))
            .unwrap();
    let outbox = tazan_store::Outbox::open(&store)
        .unwrap()
        .pending(usize::MAX)
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    Signed {
        outbox,
        register: vault
            .published()
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect(),
    }
}

/// The refusal names the field and both findings: the deny-listed name and the phone.
fn assert_refused(err: ReviewError, field_prefix: &str) -> String {
    let msg = err.to_string();
    println!("{msg}");
    let findings = match err {
        ReviewError::Refused { findings, .. } => findings,
        ReviewError::CatalogRefused { entries, .. } => {
            entries.into_iter().flat_map(|(_, _, f)| f).collect()
        }
        other => panic!("not a leak-gate refusal: {other:?}"),
    };
    assert!(
        findings
            .iter()
            .all(|f| f.finding.field.starts_with(field_prefix)),
        "{findings:?}"
    );
    let excerpts: Vec<&str> = findings.iter().map(|f| f.excerpt.as_str()).collect();
    assert!(excerpts.iter().any(|e| e.contains(DENIED)), "{excerpts:?}");
    assert!(excerpts.iter().any(|e| e.contains(PHONE)), "{excerpts:?}");
    assert!(
        msg.contains(field_prefix) && msg.contains("deny:vendor") && msg.contains("contact"),
        "{msg}"
    );
    msg
}

#[tokio::test]
async fn approve_refuses_a_planted_name_and_phone_and_signs_nothing() {
    let (_dir, home) = home();
    let desk = Desk::open(&home).unwrap();
    let incident = Incident {
        id: "INC-1".into(),
        description: Some("設定変更を誤り、オンライン処理が停止した。".into()),
        direct_cause: Some("設定ミス".into()),
        ..Default::default()
    };
    desk.vault().put_incidents(&[incident]).unwrap();
    let d = desk.draft("INC-1", DisclosureLevel::Amber).unwrap().draft;
    let mut doc = serde_json::to_value(&d.lesson).unwrap();
    doc["countermeasures"] =
        serde_json::json!([format!("{DENIED}の保守窓口（{PHONE}）と手順を見直した。")]);
    let edited = desk.edit(d.id, doc).unwrap();
    assert_eq!(
        edited.draft.findings.len(),
        2,
        "{:?}",
        edited.draft.findings
    );
    let before = signed(&home, desk.vault());

    let err = desk.approve(d.id, "佐藤", &[]).await.unwrap_err();
    let msg = assert_refused(err, "countermeasures[0]");
    assert!(
        msg.contains("approval refused") && msg.contains("lesson edit d1"),
        "{msg}"
    );
    assert_eq!(
        signed(&home, desk.vault()),
        before,
        "nothing signed or queued"
    );
    let after = desk.show(d.id).unwrap();
    assert_eq!(after.draft.status, DraftStatus::Draft);
    assert!(after.decisions.is_empty(), "nothing recorded");

    // Overriding one finding is not enough; both, with reasons, is.
    let ids: Vec<String> = after.open().map(|f| f.id.clone()).collect();
    let one = [Override {
        finding_id: ids[0].clone(),
        reason: "架空".into(),
    }];
    assert!(matches!(
        desk.approve(d.id, "佐藤", &one).await,
        Err(ReviewError::Refused { .. })
    ));
    assert_eq!(signed(&home, desk.vault()), before);
    let both: Vec<Override> = ids
        .iter()
        .map(|id| Override {
            finding_id: id.clone(),
            reason: "架空の名称と番号".into(),
        })
        .collect();
    let approved = desk.approve(d.id, "佐藤", &both).await.unwrap();
    assert_eq!(approved.decisions.len(), 2);
    assert_eq!(approved.draft.status, DraftStatus::Queued);
    assert!(matches!(
        approved.publication.delivery,
        Delivery::Queued { .. }
    ));
    assert_eq!(
        signed(&home, desk.vault()).outbox,
        vec![approved.publication.id]
    );
}

#[tokio::test]
async fn publishing_a_file_refuses_a_planted_name_and_phone() {
    let (_dir, home) = home();
    let desk = Desk::open(&home).unwrap();
    let mut lesson = clean(DisclosureLevel::Amber);
    lesson.problem = format!("{DENIED}への連絡（{PHONE}）が遅れ、切替えが遅れた。");
    let err = desk.publish(lesson, "leaky.toml").await.unwrap_err();
    let msg = assert_refused(err, "problem");
    assert!(
        msg.starts_with("leaky.toml:") && msg.contains("publishing refused"),
        "{msg}"
    );
    assert_eq!(
        signed(&home, desk.vault()),
        Signed {
            outbox: vec![],
            register: vec![]
        }
    );
    // The node's own names are refused too: its display name, its id.
    for text in ["アクメ銀行の障害", "ACME-BANK の障害", "acme bank の障害"] {
        let mut l = clean(DisclosureLevel::Amber);
        l.title = text.into();
        assert!(
            matches!(
                desk.publish(l, "own.toml").await,
                Err(ReviewError::Refused { .. })
            ),
            "{text}"
        );
    }
    // A clean lesson is signed, queued (the hub does not answer) and registered.
    let p = desk
        .publish(clean(DisclosureLevel::Amber), "clean.toml")
        .await
        .unwrap();
    let Delivery::Queued { hub, reason } = &p.delivery else {
        panic!("{:?}", p.delivery)
    };
    assert_eq!(hub, "https://127.0.0.1:9");
    assert!(!reason.is_empty());
    let said = p.delivery.to_string();
    assert!(
        said.contains("tazan node serve") && said.contains("did not answer"),
        "{said}"
    );
    let now = signed(&home, desk.vault());
    assert_eq!((now.outbox, now.register), (vec![p.id], vec![p.id]));
}

/// A desk with one clean AMBER lesson published (queued in the outbox).
async fn with_published(home: &Path) -> (Desk, Publication) {
    let desk = Desk::open(home).unwrap();
    let p = desk
        .publish(clean(DisclosureLevel::Amber), "clean.toml")
        .await
        .unwrap();
    (desk, p)
}

#[tokio::test]
async fn withdrawal_reasons_are_gated_and_ids_resolve_by_prefix() {
    let (_dir, home) = home();
    let (desk, p) = with_published(&home).await;
    let before = signed(&home, desk.vault());
    let prefix = &p.id.to_string()[..8];
    let leaky = format!("{DENIED}の担当（{PHONE}）に確認したため");
    let err = desk.withdraw(prefix, None, &leaky).await.unwrap_err();
    let msg = assert_refused(err, "reason");
    assert!(msg.contains("withdrawal refused"), "{msg}");
    assert_eq!(
        signed(&home, desk.vault()),
        before,
        "nothing signed or queued"
    );

    for (bad, want) in [
        ("3f2a", "at least 8 hex"),
        ("zzzzzzzz", "at least 8 hex"),
        ("00000000", "no lesson"),
    ] {
        let msg = desk
            .withdraw(bad, None, "誤りのため")
            .await
            .unwrap_err()
            .to_string();
        println!("{msg}");
        assert!(msg.contains(want), "{bad}: {msg}");
    }
    let msg = desk
        .withdraw(prefix, Some(DisclosureLevel::Green), "誤りのため")
        .await
        .unwrap_err()
        .to_string();
    assert!(msg.contains("published at AMBER"), "{msg}");

    let w = desk
        .withdraw(prefix, None, "記載内容に誤りがあったため")
        .await
        .unwrap();
    assert_eq!(
        (w.kind, w.level, w.target),
        (PayloadKind::Withdrawal, DisclosureLevel::Amber, Some(p.id))
    );
    assert_eq!(signed(&home, desk.vault()).outbox, vec![p.id, w.id]);

    // Two lessons sharing a prefix: the id must be longer.
    // (Last bytes other than the published lesson's own, so that there are three.)
    let twin = |step: u8| {
        let mut bytes = p.id.0;
        bytes[31] = bytes[31].wrapping_add(step);
        LessonId(bytes)
    };
    for id in [twin(1), twin(2)] {
        desk.vault()
            .record_published(&PublishedRecord {
                id,
                kind: PayloadKind::Lesson,
                level: DisclosureLevel::Amber,
                title: "双子".into(),
                version: 1,
                target: None,
                source: "test".into(),
                at: tazan_vault::now(),
                delivery: "queued".into(),
            })
            .unwrap();
    }
    let err = desk.withdraw(prefix, None, "誤りのため").await.unwrap_err();
    assert!(
        matches!(&err, ReviewError::AmbiguousLesson { matches, .. } if matches.len() == 3),
        "{err}"
    );
    println!("{err}");
}

#[tokio::test]
async fn corrections_are_gated_and_supersede_with_the_next_version() {
    let (_dir, home) = home();
    let (desk, p) = with_published(&home).await;
    let before = signed(&home, desk.vault());
    let mut leaky = clean(DisclosureLevel::Amber);
    leaky.root_cause = format!("{DENIED}の作業手順（問合せ先 {PHONE}）が古かった。");
    let err = desk
        .correct(&p.id.to_string()[..10], leaky, "fixed.toml")
        .await
        .unwrap_err();
    assert_refused(err, "root_cause");
    assert_eq!(
        signed(&home, desk.vault()),
        before,
        "nothing signed or queued"
    );

    let mut other_level = clean(DisclosureLevel::Green);
    other_level.problem.push_str("（訂正）");
    let msg = desk
        .correct(&p.id.to_string(), other_level, "fixed.toml")
        .await
        .unwrap_err()
        .to_string();
    assert!(msg.contains("published at AMBER"), "{msg}");

    let mut fixed = clean(DisclosureLevel::Amber);
    fixed.problem.push_str("（訂正）");
    let c = desk
        .correct(&p.id.to_string()[..8], fixed, "fixed.toml")
        .await
        .unwrap();
    assert_eq!(c.target, Some(p.id));
    let rec = desk
        .published()
        .unwrap()
        .into_iter()
        .find(|r| r.id == c.id)
        .unwrap();
    assert_eq!((rec.version, rec.target), (2, Some(p.id)));
}

#[tokio::test]
async fn catalogue_entries_are_gated_and_a_refusal_signs_none() {
    let (dir, home) = home();
    let desk = Desk::open(&home).unwrap();
    let entry = |id: &str, summary: &str| {
        serde_json::json!({"id": id, "domain": "technical", "theme": "切替え",
            "title": "切替え手順は本番相当の負荷で訓練すべし", "summary": summary,
            "cases": [{"no": 1, "title": "訓練不足", "story": "待機系への切替えに失敗した。",
                       "application": "本番相当の負荷で切替え訓練を行った。"}]})
        .to_string()
    };
    let file = dir.path().join("catalog.jsonl");
    std::fs::write(
        &file,
        [
            entry("T1", "切替え手順を定期的に訓練する。"),
            entry("T2", &format!("{DENIED}の窓口（{PHONE}）に相談した。")),
        ]
        .join("\n"),
    )
    .unwrap();
    let before = signed(&home, desk.vault());
    let err = desk
        .publish_catalog(&file, DisclosureLevel::Clear)
        .await
        .unwrap_err();
    let msg = assert_refused(err, "problem");
    assert!(
        msg.contains("line 2 (T2)") && !msg.contains("line 1 "),
        "{msg}"
    );
    assert_eq!(
        signed(&home, desk.vault()),
        before,
        "the clean entry is not signed either"
    );
    assert!(matches!(
        desk.publish_catalog(&file, DisclosureLevel::Amber).await,
        Err(ReviewError::CatalogLevel { .. })
    ));

    std::fs::write(&file, entry("T1", "切替え手順を定期的に訓練する。")).unwrap();
    let done = desk
        .publish_catalog(&file, DisclosureLevel::Clear)
        .await
        .unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].reference, "T1");
    assert_eq!(done[0].publication.level, DisclosureLevel::Clear);
    assert_eq!(
        signed(&home, desk.vault()).outbox,
        vec![done[0].publication.id]
    );
}

#[tokio::test]
async fn a_restore_puts_the_original_back_and_counts_as_its_override() {
    let (_dir, home) = home();
    let desk = Desk::open(&home).unwrap();
    let incident = Incident {
        id: "INC-2".into(),
        description: Some(
            "委託先のヤマト電算株式会社の保守作業で設定を誤り、受付が止まった。".into(),
        ),
        direct_cause: Some("作業ミス".into()),
        ..Default::default()
    };
    desk.vault().put_incidents(&[incident]).unwrap();
    let made = desk.draft("INC-2", DisclosureLevel::Amber).unwrap();
    let entry = made
        .audit
        .iter()
        .find(|a| a.original.contains("ヤマト電算"))
        .unwrap_or_else(|| panic!("{:?}", made.audit));
    let original = entry.original.clone();
    let id = made.draft.id;
    assert!(!made.draft.lesson.direct_cause.contains("ヤマト電算"));

    for (original, reviewer, reason, want) in [
        (original.as_str(), "", "r", "--reviewer"),
        (original.as_str(), "佐藤", " ", "reason is empty"),
        ("存在しない社", "佐藤", "r", "no replacement"),
    ] {
        let msg = desk
            .restore(id, original, reviewer, reason)
            .unwrap_err()
            .to_string();
        println!("{msg}");
        assert!(msg.contains(want), "{msg}");
    }
    let r = desk
        .restore(
            id,
            &original,
            "佐藤",
            "公開資料に載っている委託先で、社名から当社は特定されない",
        )
        .unwrap();
    assert_eq!(r.replacement, entry.replacement);
    assert!(
        r.draft.lesson.direct_cause.contains("ヤマト電算"),
        "{:?}",
        r.draft.lesson
    );
    assert!(!r.decisions.is_empty());
    assert!(r
        .decisions
        .iter()
        .all(|d| d.restored.as_deref() == Some(original.as_str())));
    let view = desk.show(id).unwrap();
    assert!(view
        .findings
        .iter()
        .any(|f| f.finding.excerpt.contains("ヤマト電算")));
    assert_eq!(view.open().count(), 0, "the restore overrides its findings");

    // Approval accepts it, recording no new override; the restored name is signed.
    let a = desk.approve(id, "佐藤", &[]).await.unwrap();
    assert!(a.decisions.is_empty());
    assert!(a.draft.lesson.direct_cause.contains("ヤマト電算"));
}

#[tokio::test]
async fn own_names_of_vault_incidents_are_refused() {
    let (_dir, home) = home();
    let desk = Desk::open(&home).unwrap();
    let mut incident = Incident {
        id: "INC-3".into(),
        ..Default::default()
    };
    incident.organization.name = "株式会社ひばり運輸".into();
    desk.vault().put_incidents(&[incident]).unwrap();
    drop(desk);
    // A new desk gathers the names again; the legal form is not needed to match.
    let desk = Desk::open(&home).unwrap();
    let mut l = clean(DisclosureLevel::Amber);
    l.problem = "ひばり運輸の予約システムが停止した。".into();
    let err = desk.publish(l, "x.toml").await.unwrap_err();
    assert!(matches!(err, ReviewError::Refused { .. }), "{err}");
}
