use tazan_model::{DisclosureLevel, Lesson};

use super::*;
use crate::Role;

fn id(s: &str) -> MemberId {
    s.parse().unwrap()
}

fn lesson(key: &KeyPair, title: &str) -> Envelope {
    key.sign(&Payload::Lesson(Lesson::example(
        title,
        DisclosureLevel::Amber,
    )))
}

/// acme-bank with one key valid from 100.
fn roster(old: &KeyPair) -> Roster {
    let mut r = Roster::new(id("finance"), KeyPair::generate().public());
    r.add(RosterEntry::new(
        id("acme-bank"),
        "Acme Bank",
        old.public(),
        100,
        vec![Role::Publisher],
    ))
    .unwrap();
    r
}

fn announce(old: &KeyPair, new: &KeyPair, at: u64) -> SignedAnnouncement {
    KeyAnnouncement {
        member: id("acme-bank"),
        old_key: old.public(),
        new_key: new.public(),
        effective_at: at,
    }
    .sign(old, new)
    .unwrap()
}

#[test]
fn rotation_adds_the_new_key_and_retires_the_old_after_the_grace() {
    let (old, new) = (KeyPair::generate(), KeyPair::generate());
    let mut r = roster(&old);
    r.apply_rotation(&announce(&old, &new, 1000), 60, 1010)
        .unwrap();
    let entry = r.entry(&id("acme-bank")).unwrap();
    assert_eq!(entry.keys.len(), 2);
    assert_eq!(
        entry.keys[0].revoked_at,
        Some(1070),
        "max(effective, now) + grace"
    );
    assert_eq!(entry.keys[1].key, new.public());
    assert_eq!(entry.keys[1].valid_from, 1000);

    let tls = id("acme-bank");
    let at = |t: u64, k: &KeyPair| {
        r.authorize(&tls, Role::Publisher, &k.key_id(), t)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    assert!(at(1010, &new).is_ok());
    assert!(at(1069, &old).is_ok(), "old key within the grace");
    let err = at(1070, &old).unwrap_err();
    assert!(err.contains("revoked at 1070"), "{err}");

    // History: what was received while a key was valid keeps verifying.
    let before = lesson(&old, "回転前");
    let after = lesson(&new, "回転後");
    assert!(r.verify_historic(&before, 500).is_ok());
    assert!(r.verify_historic(&after, 1010).is_ok());
    let late = r.verify_historic(&before, 2000).unwrap_err();
    assert!(
        matches!(late, TrustError::KeyRevoked { at: 1070, .. }),
        "{late}"
    );
    let early = r.verify_historic(&after, 999).unwrap_err();
    assert!(
        matches!(early, TrustError::KeyNotYetValid { .. }),
        "{early}"
    );
    let stranger = lesson(&KeyPair::generate(), "部外者");
    let err = r.verify_historic(&stranger, 1010).unwrap_err();
    assert!(matches!(err, TrustError::UnknownKey { .. }), "{err}");
    let mut forged = before.clone();
    forged.payload = after.payload.clone();
    assert!(matches!(
        r.verify_historic(&forged, 500),
        Err(TrustError::BadSignature { .. })
    ));
}

#[test]
fn an_announcement_not_signed_by_a_current_key_is_refused() {
    let (old, new, other) = (
        KeyPair::generate(),
        KeyPair::generate(),
        KeyPair::generate(),
    );
    let base = roster(&old);

    // Signed by a key the member never had.
    let mut r = base.clone();
    let err = r
        .apply_rotation(&announce(&other, &new, 1000), 0, 1000)
        .unwrap_err();
    assert!(matches!(err, TrustError::NotCurrentKey { .. }), "{err}");
    assert!(err.to_string().contains("not one of the member's keys"));
    assert_eq!(r, base, "roster unchanged");

    // Signed by a key already retired.
    let mut r = base.clone();
    r.revoke_key(&id("acme-bank"), &old.key_id(), 900).unwrap();
    let revoked = r.clone();
    let err = r
        .apply_rotation(&announce(&old, &new, 1000), 0, 1000)
        .unwrap_err();
    assert!(err.to_string().contains("revoked at 900"), "{err}");
    assert_eq!(r, revoked);

    // The same announcement twice: the new key is already there.
    let mut r = base.clone();
    let a = announce(&old, &new, 1000);
    r.apply_rotation(&a, 3600, 1000).unwrap();
    let err = r.apply_rotation(&a, 3600, 1001).unwrap_err();
    assert!(matches!(err, TrustError::DuplicateKey { .. }), "{err}");

    // A tampered announcement (someone else's new key) fails its signatures.
    let mut tampered = announce(&old, &new, 1000);
    tampered.announcement.new_key = other.public();
    let mut r = base.clone();
    let err = r.apply_rotation(&tampered, 0, 1000).unwrap_err();
    assert!(
        matches!(err, TrustError::BadSignature { ref context, .. } if context == "tazan/key-rotation/v1"),
        "{err}"
    );

    // An announcement signature never passes as a lesson or roster signature.
    let a = announce(&old, &new, 1000);
    let bytes = serde_json::to_vec(&a.announcement).unwrap();
    assert!(old
        .public()
        .verify_bytes(b"tazan/roster/v1", &bytes, &a.signature)
        .is_err());
}

#[test]
fn a_revocation_is_never_postponed_by_a_rotation() {
    let (old, new) = (KeyPair::generate(), KeyPair::generate());
    let mut r = roster(&old);
    // Compromise reported for 5000, announcement applied at 1000 with a long grace.
    r.revoke_key(&id("acme-bank"), &old.key_id(), 5000).unwrap();
    r.apply_rotation(&announce(&old, &new, 1000), 86_400, 1000)
        .unwrap();
    let keys = &r.entry(&id("acme-bank")).unwrap().keys;
    assert_eq!(keys[0].revoked_at, Some(5000));
}

#[test]
fn announcements_round_trip_through_a_file() {
    let (old, new) = (KeyPair::generate(), KeyPair::generate());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rotation.json");
    let a = announce(&old, &new, 1000);
    a.save(&path).unwrap();
    assert_eq!(SignedAnnouncement::load(&path).unwrap(), a);
    assert!(matches!(a.save(&path), Err(TrustError::FileExists { .. })));
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"effective_at\": 1000", "\"effective_at\": 1");
    std::fs::write(&path, text).unwrap();
    assert!(matches!(
        SignedAnnouncement::load(&path),
        Err(TrustError::BadSignature { .. })
    ));
}
