use super::*;

fn id(s: &str) -> MemberId {
    s.parse().unwrap()
}

struct Fixture {
    admin: KeyPair,
    acme: KeyPair,
    roster: Roster,
}

fn fixture() -> Fixture {
    let admin = KeyPair::generate();
    let acme = KeyPair::generate();
    let mut roster = Roster::new(id("finance"), admin.public());
    roster
        .add(RosterEntry::new(
            id("acme-bank"),
            "Acme Bank",
            acme.public(),
            100,
            vec![Role::Publisher, Role::Subscriber],
        ))
        .unwrap();
    roster
        .add(RosterEntry::new(
            id("reader"),
            "Reader Corp",
            KeyPair::generate().public(),
            100,
            vec![Role::Subscriber],
        ))
        .unwrap();
    Fixture {
        admin,
        acme,
        roster,
    }
}

#[test]
fn signed_roster_verifies_and_detects_tampering() {
    let f = fixture();
    let signed = f.roster.clone().sign(&f.admin).unwrap();
    assert_eq!(signed.verify().unwrap(), &f.roster);
    assert_eq!(signed.verify_pinned(&f.admin.public()).unwrap(), &f.roster);

    let mut tampered = signed.clone();
    tampered.roster.members[0].status = MemberStatus::Revoked;
    let err = tampered.verify().unwrap_err();
    assert!(matches!(err, TrustError::RosterSignature { .. }), "{err}");

    let mut tampered = signed.clone();
    tampered.roster.serial += 1;
    assert!(tampered.verify().is_err());

    // Swapping in another admin key and re-signing is self-consistent but
    // fails the pin.
    let mallory = KeyPair::generate();
    let mut forged = f.roster.clone();
    forged.admin_key = mallory.public();
    let forged = forged.sign(&mallory).unwrap();
    assert!(forged.verify().is_ok());
    let err = forged.verify_pinned(&f.admin.public()).unwrap_err();
    assert!(matches!(err, TrustError::NotAdmin { .. }), "{err}");
}

#[test]
fn only_the_admin_key_signs() {
    let f = fixture();
    let err = f.roster.sign(&f.acme).unwrap_err();
    assert!(matches!(err, TrustError::NotAdmin { .. }), "{err}");
}

#[test]
fn signed_roster_file_round_trip_and_tamper() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.json");
    let signed = f.roster.sign(&f.admin).unwrap();
    signed.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"publisher\""), "{text}");
    assert!(text.contains("\"active\""), "{text}");
    assert_eq!(SignedRoster::load(&path).unwrap(), signed);
    // Saving again replaces the file (a new serial is a new roster).
    signed.save(&path).unwrap();

    std::fs::write(&path, text.replacen("\"active\"", "\"revoked\"", 1)).unwrap();
    let err = SignedRoster::load(&path).unwrap_err();
    assert!(matches!(err, TrustError::RosterSignature { .. }), "{err}");

    std::fs::write(&path, text.replacen("\"roster\"", "\"rooster\"", 1)).unwrap();
    let err = SignedRoster::load(&path).unwrap_err();
    assert!(matches!(err, TrustError::FileFormat { .. }), "{err}");
}

#[test]
fn duplicates_are_refused() {
    let mut f = fixture();
    let dup_id = RosterEntry::new(
        id("acme-bank"),
        "x",
        KeyPair::generate().public(),
        0,
        vec![],
    );
    assert!(matches!(
        f.roster.add(dup_id),
        Err(TrustError::DuplicateMember { .. })
    ));
    let mut dup_tls = RosterEntry::new(id("other"), "x", KeyPair::generate().public(), 0, vec![]);
    dup_tls.tls_identity = id("acme-bank");
    assert!(matches!(
        f.roster.add(dup_tls),
        Err(TrustError::DuplicateTlsIdentity { .. })
    ));
    let dup_key = RosterEntry::new(id("other"), "x", f.acme.public(), 0, vec![]);
    assert!(matches!(
        f.roster.add(dup_key),
        Err(TrustError::DuplicateKey { .. })
    ));
    assert_eq!(f.roster.members.len(), 2);
}

#[test]
fn authorize_each_outcome() {
    let mut f = fixture();
    let acme = id("acme-bank");
    let signer = f.acme.key_id();
    let now = 1_000;

    let (entry, key) = f
        .roster
        .authorize(&acme, Role::Publisher, &signer, now)
        .unwrap();
    assert_eq!(entry.id, acme);
    assert_eq!(key, &f.acme.public());

    let err = f
        .roster
        .authorize(&id("stranger"), Role::Publisher, &signer, now)
        .unwrap_err();
    assert!(matches!(err, TrustError::UnknownMember { .. }), "{err}");

    let err = f
        .roster
        .authorize(&acme, Role::Admin, &signer, now)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrustError::MissingRole {
                role: Role::Admin,
                ..
            }
        ),
        "{err}"
    );

    // The reader's TLS identity with acme's key: signer is not the peer.
    let err = f
        .roster
        .authorize(&id("reader"), Role::Subscriber, &signer, now)
        .unwrap_err();
    assert!(matches!(err, TrustError::SignerMismatch { .. }), "{err}");

    let err = f
        .roster
        .authorize(&acme, Role::Publisher, &signer, 99)
        .unwrap_err();
    assert!(matches!(err, TrustError::KeyNotYetValid { .. }), "{err}");

    f.roster.revoke_key(&acme, &signer, 500).unwrap();
    assert!(f
        .roster
        .authorize(&acme, Role::Publisher, &signer, 499)
        .is_ok());
    let err = f
        .roster
        .authorize(&acme, Role::Publisher, &signer, now)
        .unwrap_err();
    assert!(
        matches!(err, TrustError::KeyRevoked { at: 500, .. }),
        "{err}"
    );

    f.roster.revoke(&acme, 600).unwrap();
    let err = f
        .roster
        .authorize(&acme, Role::Publisher, &signer, now)
        .unwrap_err();
    assert!(matches!(err, TrustError::Revoked { at: 600, .. }), "{err}");
    assert_eq!(f.roster.entry(&acme).unwrap().status, MemberStatus::Revoked);

    assert!(matches!(
        f.roster.revoke(&id("stranger"), 1),
        Err(TrustError::UnknownMember { .. })
    ));
}

#[test]
fn lookups() {
    let f = fixture();
    let acme = id("acme-bank");
    assert_eq!(f.roster.by_tls_identity(&acme).unwrap().id, acme);
    assert_eq!(f.roster.entry(&acme).unwrap().display_name, "Acme Bank");
    let (entry, key) = f.roster.key(&f.acme.key_id()).unwrap();
    assert_eq!((&entry.id, &key.key), (&acme, &f.acme.public()));
    assert!(f.roster.key(&f.admin.key_id()).is_none());
    assert!(now_unix() > 1_700_000_000);
}
