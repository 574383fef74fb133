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

/// A reviewer's reason to approve a draft with k under 3 (an empty library).
fn k_reason() -> Override {
    Override {
        finding_id: K_ANONYMITY.into(),
        reason: "架空の事例".into(),
    }
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
    let mut both: Vec<Override> = ids
        .iter()
        .map(|id| Override {
            finding_id: id.clone(),
            reason: "架空の名称と番号".into(),
        })
        .collect();
    // The library is empty, so k is 1: a reason for that too.
    both.push(k_reason());
    let approved = desk.approve(d.id, "佐藤", &both).await.unwrap();
    assert_eq!(approved.decisions.len(), 3);
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
    let a = desk.approve(id, "佐藤", &[k_reason()]).await.unwrap();
    assert!(a.decisions.iter().all(|d| d.finding_id == K_ANONYMITY));
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

/// A vault incident drafted at AMBER, its combination set by an edit:
/// 銀行 · 2024-07 · the incident's cause · 1万〜10万人.
async fn singled_out_draft(desk: &Desk, incident: &str) -> DraftRecord {
    desk.vault()
        .put_incidents(&[Incident {
            id: incident.into(),
            description: Some("設定変更を誤り、オンライン処理が停止した。".into()),
            direct_cause: Some("設定ミス".into()),
            ..Default::default()
        }])
        .unwrap();
    let d = desk.draft(incident, DisclosureLevel::Amber).unwrap().draft;
    let mut doc = serde_json::to_value(&d.lesson).unwrap();
    doc["industry"] = "銀行".into();
    doc["period"] = "2024-07".into();
    doc["impact"] = "約5万人規模の利用者に影響".into();
    desk.edit(d.id, doc).unwrap().draft
}

/// Two published lessons of the same bank industry, cause and scale, in
/// later months of 2024's second half.
async fn publish_neighbours(desk: &Desk, like: &Lesson) {
    for (n, period) in [(1, "2024-09"), (2, "2024-11")] {
        let mut l = clean(DisclosureLevel::Amber);
        l.title = format!("設定変更の確認不足 その{n}");
        l.industry = "銀行".into();
        l.period = period.into();
        l.impact = "約2万人規模の利用者に影響".into();
        l.taxonomy.cause = like.cause_category();
        desk.publish(l, "neighbour").await.unwrap();
    }
}

#[tokio::test]
async fn below_k_three_approval_needs_a_coarser_draft_and_k_is_shown() {
    let (_dir, home) = home();
    let desk = Desk::open(&home).unwrap();
    let d = singled_out_draft(&desk, "INC-1").await;
    let a = desk.anonymity(d.id).await.unwrap();
    assert_eq!((a.k, a.library), (1, 0));
    publish_neighbours(&desk, &d.lesson).await;

    let a = desk.anonymity(d.id).await.unwrap();
    assert_eq!((a.k, a.library), (1, 2), "{a:?}");
    assert_eq!(a.narrowing[0].field, QuasiField::Period);
    assert_eq!(a.narrowing[0].k_without, 3);
    let before = signed(&home, desk.vault());
    let err = desk.approve(d.id, "佐藤", &[]).await.unwrap_err();
    let msg = err.to_string();
    println!("{msg}");
    assert!(
        matches!(err, ReviewError::TooFewSharing { k: 1, .. }),
        "{err:?}"
    );
    for part in [
        "draft d1: approval refused: k = 1",
        "period 2024-07 (k 3 without it)",
        "period → 2024-H2: k 3",
        "tazan lesson coarsen d1",
        "--override k-anonymity --reason TEXT",
        "nothing signed",
    ] {
        assert!(msg.contains(part), "{part}: {msg}");
    }
    assert_eq!(signed(&home, desk.vault()), before);
    assert_eq!(desk.vault().draft(d.id).unwrap().status, DraftStatus::Draft);
    // An empty reason is no reason.
    let blank = Override {
        finding_id: K_ANONYMITY.into(),
        reason: " ".into(),
    };
    let err = desk.approve(d.id, "佐藤", &[blank]).await.unwrap_err();
    assert!(matches!(err, ReviewError::EmptyReason { .. }), "{err:?}");

    // Coarsening the period to the half-year lets the two neighbours share it.
    let c = desk
        .coarsen(d.id, QuasiField::Period, Some("2024-H2"))
        .await
        .unwrap();
    assert_eq!(
        (c.from.as_deref(), c.to.as_deref(), c.anonymity.k),
        (Some("2024-07"), Some("2024-H2"), 3)
    );
    assert_eq!(desk.vault().draft(d.id).unwrap().lesson.period, "2024-H2");
    let err = desk
        .coarsen(d.id, QuasiField::Period, Some("2023"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("the steps are: 2024, any"),
        "{err}"
    );
    let ok = desk.approve(d.id, "佐藤", &[]).await.unwrap();
    assert!(ok.decisions.is_empty(), "{:?}", ok.decisions);
    // The approved lesson counts for another incident's draft (k 4) …
    let next = singled_out_draft(&desk, "INC-2").await;
    let mut doc = serde_json::to_value(&next.lesson).unwrap();
    doc["title"] = "設定変更の確認不足".into();
    desk.edit(next.id, doc).unwrap();
    let next = desk
        .coarsen(next.id, QuasiField::Period, None)
        .await
        .unwrap();
    assert_eq!(next.anonymity.k, 4, "{:?}", next.anonymity);
    // … but not for another rendition of its own incident.
    let again = desk.draft("INC-1", DisclosureLevel::Amber).unwrap().draft;
    let mut doc = serde_json::to_value(&again.lesson).unwrap();
    doc["industry"] = "銀行".into();
    doc["period"] = "2024-H2".into();
    doc["impact"] = "約5万人規模の利用者に影響".into();
    doc["title"] = "別の書き方".into();
    desk.edit(again.id, doc).unwrap();
    assert_eq!(desk.anonymity(again.id).await.unwrap().k, 3);
}

#[tokio::test]
async fn below_k_three_a_recorded_reason_approves_the_draft_as_it_is() {
    let (_dir, home) = home();
    let desk = Desk::open(&home).unwrap();
    let d = singled_out_draft(&desk, "INC-1").await;
    let reason = "業界内で公表済みの事例で、特定されても支障がない";
    let ok = desk
        .approve(
            d.id,
            "佐藤",
            &[Override {
                finding_id: K_ANONYMITY.into(),
                reason: reason.into(),
            }],
        )
        .await
        .unwrap();
    let recorded = desk.vault().decisions(d.id).unwrap();
    for decisions in [&ok.decisions, &recorded] {
        let k = decisions
            .iter()
            .find(|x| x.finding_id == K_ANONYMITY)
            .expect("the k decision is recorded");
        assert_eq!((k.reviewer.as_str(), k.reason.as_str()), ("佐藤", reason));
        assert_eq!(k.finding.rule, "k-anonymity:k=1<3");
        assert!(
            k.excerpt.contains("industry 銀行 · period 2024-07"),
            "{}",
            k.excerpt
        );
    }
    assert_eq!(ok.draft.status, DraftStatus::Queued);
}

#[tokio::test]
async fn a_field_edit_that_brings_in_a_finding_is_refused_and_changes_nothing() {
    let (_dir, home) = home();
    let desk = Desk::open(&home).unwrap();
    let incident = Incident {
        id: "INC-3".into(),
        description: Some("設定変更を誤り、オンライン処理が停止した。".into()),
        direct_cause: Some("設定ミス".into()),
        ..Default::default()
    };
    desk.vault().put_incidents(&[incident]).unwrap();
    let d = desk.draft("INC-3", DisclosureLevel::Amber).unwrap().draft;
    let before = desk.vault().draft(d.id).unwrap();

    let err = desk
        .edit_field(
            d.id,
            "lesson",
            &format!("詳細は{DENIED}の窓口（{PHONE}）まで"),
        )
        .unwrap_err();
    let msg = assert_refused(err, "lesson");
    assert!(msg.contains("edit refused") && msg.contains(PHONE), "{msg}");
    let err = desk.edit_field(d.id, "level", "CLEAR").unwrap_err();
    assert!(matches!(err, ReviewError::BadEdit { .. }), "{err}");
    let after = desk.vault().draft(d.id).unwrap();
    assert_eq!(after.lesson, before.lesson, "nothing stored");

    let edited = desk
        .edit_field(
            d.id,
            "countermeasures",
            "手順書を二人で読み合わせる\n切替え訓練を四半期ごとに行う",
        )
        .unwrap();
    assert!(edited.changed);
    assert_eq!(edited.draft.lesson.countermeasures.len(), 2);
    let view = desk.show(d.id).unwrap();
    assert!(view
        .marked_fields()
        .iter()
        .any(|f| f.path == "countermeasures[1]"));
}

/// A structured incident, drafted at the desk: the view says where each drafted field
/// came from and which scenes are proposed why; a why-why chain and an effect recorded
/// at review are kept; editing the countermeasures keeps the kinds of those kept; a
/// bad kind is refused naming the field and the vocabulary, and nothing changes.
#[tokio::test]
async fn the_desk_shows_sources_and_records_why_why_at_review() {
    let (_dir, home) = home();
    let desk = Desk::open(&home).unwrap();
    let incident: Incident = serde_json::from_value(serde_json::json!({
        "id": "INC-9",
        "description": "移行後に接続が枯渇し、決済が止まった。",
        "cause_summary": "データベース移行時の設定ミス",
        "causes": [
            {"kind": "発生", "process_stage": "移行時の原因: 移行手順書に接続上限の確認項目がなかった"},
            {"kind": "長期化", "process_stage": "運用時の原因: 切り戻しの判断基準が決まっていなかった"}
        ],
        "countermeasures": [
            {"kind": "暫定", "action": "接続上限を引き上げた。", "status": "実施済み"},
            {"kind": "恒久", "action": "移行手順書に容量設定の確認項目を追加する。", "status": "実施予定"}
        ]
    }))
    .unwrap();
    desk.vault().put_incidents(&[incident]).unwrap();
    let d = desk.draft("INC-9", DisclosureLevel::Green).unwrap().draft;
    assert_eq!(d.lesson.causes.len(), 2);
    let view = desk.show(d.id).unwrap();
    let title = view
        .sources
        .iter()
        .find(|s| s.provenance.field == "title")
        .unwrap();
    assert_eq!(title.provenance.from, "countermeasures[1].action");
    assert!(!title.edited);
    assert!(!view.scenes.is_empty() && view.scenes.iter().all(|s| !s.reasons.is_empty()));

    let why = "なぜ止まったか: 接続が枯渇した\nなぜ枯渇したか: 上限が旧値のままだった";
    let edited = desk.edit_field(d.id, "why_why", why).unwrap();
    assert_eq!(edited.draft.lesson.why_why.len(), 2);
    desk.edit_field(d.id, "title", "容量設定は移行手順で照合すべし")
        .unwrap();
    let edited = desk
        .edit_field(
            d.id,
            "countermeasures",
            "移行手順書に容量設定の確認項目を追加する。\n切り戻しの判断者を決める。",
        )
        .unwrap();
    let kinds = &edited.draft.lesson.countermeasure_kinds;
    assert_eq!(kinds.len(), 2);
    assert_eq!(kinds[0].term, Some(tazan_model::MeasureTerm::Permanent));
    assert!(kinds[1].is_empty());
    let view = desk.show(d.id).unwrap();
    let title = view
        .sources
        .iter()
        .find(|s| s.provenance.field == "title")
        .unwrap();
    assert!(title.edited, "the title was edited since it was drafted");

    let before = desk.vault().draft(d.id).unwrap();
    let mut doc = serde_json::to_value(&before.lesson).unwrap();
    doc["countermeasure_kinds"][0]["term"] = "恒常".into();
    let err = desk.edit(d.id, doc).unwrap_err().to_string();
    assert!(
        err.contains("countermeasure_kinds.term") && err.contains("暫定") && err.contains("恒久"),
        "{err}"
    );
    let mut doc = serde_json::to_value(&before.lesson).unwrap();
    doc["causes"][0]["kind"] = "拡大".into();
    let err = desk.edit(d.id, doc).unwrap_err().to_string();
    assert!(
        err.contains("causes.kind") && err.contains("大規模化"),
        "{err}"
    );
    let mut doc = serde_json::to_value(&before.lesson).unwrap();
    doc["taxonomy"]["scenes"] = serde_json::json!(["趣味の研究"]);
    let err = desk.edit(d.id, doc).unwrap_err().to_string();
    assert!(
        err.contains("趣味の研究") && err.contains("社内教育"),
        "{err}"
    );
    assert_eq!(desk.vault().draft(d.id).unwrap().lesson, before.lesson);
}
