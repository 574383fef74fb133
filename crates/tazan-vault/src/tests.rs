use tazan_model::DisclosureLevel;
use tazan_model::Incident;
use tazan_sanitize::{Policy, Sanitizer};

use super::*;

fn incident(id: &str, impact: &str) -> Incident {
    Incident {
        id: id.into(),
        impact: Some(impact.into()),
        description: Some("DNSサーバーの設定変更を誤った。".into()),
        direct_cause: Some("設定ミス".into()),
        ..Default::default()
    }
}

/// Open again after a drop: sled's flusher thread lets go of the file lock
/// a moment after the handle is dropped, so retry briefly on `Locked`.
fn reopen(path: &std::path::Path) -> Vault {
    for _ in 0..100 {
        match Vault::open(path) {
            Err(VaultError::Locked { .. }) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            other => return other.unwrap(),
        }
    }
    panic!("vault at {} still locked 2 s after drop", path.display());
}

#[test]
fn import_classifies_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let v = Vault::open(dir.path()).unwrap();
    let a = incident("a", "停止");
    assert_eq!(v.classify(&a, false).unwrap(), ImportOutcome::New);
    v.put_incidents(std::slice::from_ref(&a)).unwrap();
    assert_eq!(v.classify(&a, false).unwrap(), ImportOutcome::Unchanged);
    let a2 = incident("a", "遅延");
    assert_eq!(v.classify(&a2, false).unwrap(), ImportOutcome::Duplicate);
    assert_eq!(v.classify(&a2, true).unwrap(), ImportOutcome::Replaced);
    drop(v);
    let v = reopen(dir.path());
    assert_eq!(v.incidents().unwrap(), vec![a]);
}

#[test]
fn second_opener_is_told_the_vault_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let _v = Vault::open(dir.path()).unwrap();
    // sled's lock is per process through flock on Linux; a second handle in
    // the same process gets the same refusal.
    match Vault::open(dir.path()) {
        Err(VaultError::Locked { .. }) => {}
        other => panic!("expected Locked, got {other:?}"),
    }
}

#[test]
fn draft_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let v = Vault::open(dir.path()).unwrap();
    let inc = incident("a", "停止");
    v.put_incidents(std::slice::from_ref(&inc)).unwrap();
    let s = Sanitizer::without_dictionary(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    let d = s.draft_lesson(&inc);
    assert!(matches!(
        v.create_draft(
            "missing",
            DisclosureLevel::Green,
            d.lesson.clone(),
            vec![],
            &d.audit
        ),
        Err(VaultError::NoIncident { .. })
    ));
    let rec = v
        .create_draft(
            "a",
            DisclosureLevel::Green,
            d.lesson.clone(),
            d.findings,
            &d.audit,
        )
        .unwrap();
    assert_eq!(rec.status, DraftStatus::Draft);
    assert_eq!(v.audit(rec.id).unwrap(), d.audit);
    assert!(matches!(
        v.mark_queued(rec.id, "x", "queued"),
        Err(VaultError::State { .. })
    ));
    let approved = v.approve(rec.id, "佐藤", vec![], &[]).unwrap();
    assert_eq!(approved.status, DraftStatus::Approved);
    // An edit withdraws the approval.
    let edited = v.update_draft(rec.id, d.lesson.clone(), vec![]).unwrap();
    assert_eq!(edited.status, DraftStatus::Draft);
    assert_eq!(edited.reviewer, None);
    v.approve(rec.id, "佐藤", vec![], &[]).unwrap();
    let queued = v.mark_queued(rec.id, "ab", "spooled").unwrap();
    assert_eq!(queued.status, DraftStatus::Queued);
    assert!(v.update_draft(rec.id, d.lesson, vec![]).is_err());
    assert!(v.approve(rec.id, "佐藤", vec![], &[]).is_err());
    assert_eq!(v.draft(rec.id).unwrap(), queued);
    assert_eq!("d1".parse::<DraftId>().unwrap(), rec.id);
    drop(v);
    let v = reopen(dir.path());
    let d = s.draft_lesson(&inc);
    let second = v
        .create_draft("a", DisclosureLevel::Green, d.lesson, vec![], &d.audit)
        .unwrap();
    assert_eq!(second.id, DraftId(2), "numbers stay dense across reopen");
    assert!("x".parse::<DraftId>().is_err());
}
