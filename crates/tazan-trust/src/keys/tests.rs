use proptest::prelude::*;
use tazan_model::{DisclosureLevel, Lesson, LessonId, Withdrawal};

use super::*;

fn lesson() -> Payload {
    Payload::Lesson(Lesson::example(
        "切替え訓練を行うべし",
        DisclosureLevel::Green,
    ))
}

fn withdrawal() -> Payload {
    Payload::Withdrawal(Withdrawal {
        target: LessonId::of(b"old"),
        reason: "誤りがあったため".into(),
        level: DisclosureLevel::Green,
    })
}

#[test]
fn sign_verify_round_trip() {
    let key = KeyPair::generate();
    for payload in [lesson(), withdrawal()] {
        let env = key.sign(&payload);
        assert_eq!(env.signer, key.key_id());
        assert_eq!(verify_envelope(&key.public(), &env).unwrap(), payload);
    }
}

#[test]
fn signing_canonical_bytes_again_equals_signing_the_payload() {
    let (publisher, hub) = (KeyPair::generate(), KeyPair::generate());
    for payload in [lesson(), withdrawal()] {
        let stored = publisher.sign(&payload);
        let resigned = hub.sign_canonical(&stored.payload).unwrap();
        // ed25519 signatures are deterministic: the same envelope, byte for byte.
        assert_eq!(resigned, hub.sign(&payload));
        assert_eq!(verify_envelope(&hub.public(), &resigned).unwrap(), payload);
    }
    assert!(hub.sign_canonical(b"not a payload").is_none());
    assert!(hub.sign_canonical(b"TZN1\x09").is_none(), "unknown kind");
}

#[test]
fn key_id_is_blake3_prefix() {
    let key = KeyPair::generate();
    let id = key.key_id();
    let expected = format!(
        "ed25519-{}",
        &hex::encode(blake3::hash(&key.public().to_bytes()).as_bytes())[..16]
    );
    assert_eq!(id.as_str(), expected);
    assert_eq!(id.as_str().len(), 8 + 16);
}

#[test]
fn flipped_payload_or_signature_byte_fails() {
    let key = KeyPair::generate();
    let env = key.sign(&lesson());
    let n = env.payload.len();
    for at in [0, 4, 5, 6, n / 2, n - 1] {
        let mut bad = env.clone();
        bad.payload[at] ^= 0x01;
        let err = verify_envelope(&key.public(), &bad).unwrap_err();
        assert!(
            matches!(
                err,
                TrustError::BadSignature { .. } | TrustError::Payload { .. }
            ),
            "byte {at}: {err}"
        );
    }
    for at in [0, 31, 32, 63] {
        let mut bad = env.clone();
        bad.signature[at] ^= 0x80;
        let err = verify_envelope(&key.public(), &bad).unwrap_err();
        assert!(
            matches!(err, TrustError::BadSignature { .. }),
            "byte {at}: {err}"
        );
    }
}

#[test]
fn lesson_signature_cannot_pass_as_withdrawal() {
    let key = KeyPair::generate();
    let env = key.sign(&lesson());
    // The same signature checked in the withdrawal domain fails...
    assert!(key
        .public()
        .verify_bytes(
            PayloadKind::Withdrawal.signing_context(),
            &env.payload,
            &env.signature
        )
        .is_err());
    // ...and a lesson signed in the withdrawal domain is refused as a lesson.
    let wrong_domain = Envelope {
        signature: key.sign_bytes(PayloadKind::Withdrawal.signing_context(), &env.payload),
        ..env.clone()
    };
    let err = verify_envelope(&key.public(), &wrong_domain).unwrap_err();
    assert!(matches!(err, TrustError::BadSignature { .. }), "{err}");
    // And withdrawal bytes carrying a lesson-domain signature are refused.
    let w = withdrawal().to_canonical_bytes();
    let forged = Envelope {
        payload: w.clone(),
        signer: key.key_id(),
        signature: key.sign_bytes(PayloadKind::Lesson.signing_context(), &w),
    };
    assert!(verify_envelope(&key.public(), &forged).is_err());
    assert!(verify_envelopes(&[(&forged, &key.public())])[0].is_err());
}

#[test]
fn peek_kind_matches_the_model_encoder() {
    for payload in [lesson(), withdrawal()] {
        assert_eq!(
            peek_kind(&payload.to_canonical_bytes()),
            Some(payload.kind())
        );
    }
    assert_eq!(peek_kind(b"TZN1"), None);
    assert_eq!(peek_kind(b"XXXX\x01"), None);
}

#[test]
fn envelope_checked_against_another_key_is_refused() {
    let alice = KeyPair::generate();
    let mallory = KeyPair::generate();
    let env = alice.sign(&lesson());
    let err = verify_envelope(&mallory.public(), &env).unwrap_err();
    assert!(matches!(err, TrustError::WrongKey { .. }), "{err}");
    // Claiming mallory's id does not help: the signature is alice's.
    let relabelled = Envelope {
        signer: mallory.key_id(),
        ..env
    };
    let err = verify_envelope(&mallory.public(), &relabelled).unwrap_err();
    assert!(matches!(err, TrustError::BadSignature { .. }), "{err}");
}

#[test]
fn garbage_payload_is_refused_before_signature_check() {
    let key = KeyPair::generate();
    let env = Envelope {
        payload: b"not a payload".to_vec(),
        signer: key.key_id(),
        signature: key.sign_bytes(b"tazan/lesson/v1", b"not a payload"),
    };
    let err = verify_envelope(&key.public(), &env).unwrap_err();
    assert!(matches!(err, TrustError::Payload { .. }), "{err}");
}

#[test]
fn batch_reports_exactly_the_bad_items() {
    let keys: Vec<KeyPair> = (0..5).map(|_| KeyPair::generate()).collect();
    let publics: Vec<PublicKey> = keys.iter().map(KeyPair::public).collect();
    let mut envs: Vec<Envelope> = (0..100)
        .map(|i| {
            let mut l = Lesson::example("切替え訓練を行うべし", DisclosureLevel::Amber);
            l.keywords.push(format!("k{i}"));
            keys[i % 5].sign(&Payload::Lesson(l))
        })
        .collect();

    let all_good: Vec<(&Envelope, &PublicKey)> = envs
        .iter()
        .enumerate()
        .map(|(i, e)| (e, &publics[i % 5]))
        .collect();
    assert!(verify_envelopes(&all_good).iter().all(Result::is_ok));

    envs[37].signature[10] ^= 0x01;
    let items: Vec<(&Envelope, &PublicKey)> = envs
        .iter()
        .enumerate()
        .map(|(i, e)| (e, &publics[i % 5]))
        .collect();
    let results = verify_envelopes(&items);
    assert_eq!(results.len(), 100);
    let bad: Vec<usize> = (0..100).filter(|&i| results[i].is_err()).collect();
    assert_eq!(bad, vec![37]);
    assert!(matches!(results[37], Err(TrustError::BadSignature { .. })));

    // A signer mismatch is reported at its index without a batch run.
    let mut items = items;
    items[5].1 = &publics[1]; // item 5 was signed by key 0
    let results = verify_envelopes(&items);
    let bad: Vec<usize> = (0..100).filter(|&i| results[i].is_err()).collect();
    assert_eq!(bad, vec![5, 37]);
    assert!(matches!(results[5], Err(TrustError::WrongKey { .. })));
    assert!(verify_envelopes(&[]).is_empty());
}

#[cfg(unix)]
#[test]
fn key_file_is_0600_and_load_refuses_0644() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.key");
    let key = KeyPair::generate();
    key.save(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"), "{text}");
    assert_eq!(KeyPair::load(&path).unwrap().key_id(), key.key_id());

    let err = KeyPair::generate().save(&path).unwrap_err();
    assert!(matches!(err, TrustError::FileExists { .. }), "{err}");
    assert_eq!(KeyPair::load(&path).unwrap().key_id(), key.key_id());

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = KeyPair::load(&path).unwrap_err();
    assert!(
        matches!(err, TrustError::InsecurePermissions { mode: 0o644, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("chmod 600"), "{err}");

    let garbage = dir.path().join("garbage.key");
    crate::files::create_secret(&garbage, b"hello").unwrap();
    let err = KeyPair::load(&garbage).unwrap_err();
    assert!(matches!(err, TrustError::FileFormat { .. }), "{err}");
    let err = KeyPair::load(&dir.path().join("missing.key")).unwrap_err();
    assert!(matches!(err, TrustError::Io { .. }), "{err}");
    // Today a directory where hub.key should be was "accessible to group or
    // others (mode 0755)".
    let folder = dir.path().join("hub.key");
    std::fs::create_dir(&folder).unwrap();
    let err = KeyPair::load(&folder).unwrap_err();
    assert!(matches!(err, TrustError::NotAFile { .. }), "{err}");
    assert!(!err.to_string().contains("chmod"), "{err}");
}

#[test]
fn debug_never_shows_the_secret() {
    let key = KeyPair::generate();
    let secret = hex::encode(key.signing.to_bytes());
    let debug = format!("{key:?} {:?}", key.public());
    assert!(debug.contains(key.key_id().as_str()), "{debug}");
    assert!(!debug.contains(&secret[..16]), "{debug}");
}

#[test]
fn public_key_text_forms() {
    let key = KeyPair::generate().public();
    let hex = key.to_string();
    assert_eq!(hex.len(), 64);
    assert_eq!(hex.parse::<PublicKey>().unwrap(), key);
    let json = serde_json::to_string(&key).unwrap();
    assert_eq!(json, format!("\"{hex}\""));
    assert_eq!(serde_json::from_str::<PublicKey>(&json).unwrap(), key);
    assert_eq!(PublicKey::from_bytes(&key.to_bytes()).unwrap(), key);

    assert!(PublicKey::from_bytes(&[1; 31]).is_err());
    assert!("zz".parse::<PublicKey>().is_err());
    let mut identity = [0u8; 32];
    identity[0] = 1; // the neutral point: a weak key
    let err = PublicKey::from_bytes(&identity).unwrap_err();
    assert!(err.to_string().contains("weak"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_single_bit_flip_is_rejected(at in 0usize..10_000, bit in 0u8..8, in_sig: bool) {
        let key = KeyPair::generate();
        let mut env = key.sign(&withdrawal());
        if in_sig {
            env.signature[at % 64] ^= 1 << bit;
        } else {
            let n = env.payload.len();
            env.payload[at % n] ^= 1 << bit;
        }
        prop_assert!(verify_envelope(&key.public(), &env).is_err());
        prop_assert!(verify_envelopes(&[(&env, &key.public())])[0].is_err());
    }
}

#[test]
fn note_signatures_are_raw_and_never_pass_for_framed_ones() {
    let key = KeyPair::generate();
    let text = b"tazan/hub/finance-hub\n3\nAAAA\n";
    let sig = key.sign_note(text).unwrap();
    assert!(key.public().verify_note(text, &sig));
    assert!(!key
        .public()
        .verify_note(b"tazan/hub/finance-hub\n4\nAAAA\n", &sig));
    assert!(!KeyPair::generate().public().verify_note(text, &sig));
    // A text with a zero byte is never signed, so no framed message can be.
    assert!(key.sign_note(b"tazan/lesson/v1\0payload").is_none());
    let framed = key.sign_bytes(b"tazan/lesson/v1", b"payload");
    assert!(!key
        .public()
        .verify_note(b"tazan/lesson/v1\0payload", &framed));
}

/// A lesson signed before the lesson gained its teaching fields (causes by kind,
/// countermeasure kinds, effect, system context, why-why) still verifies, decodes with
/// those fields empty and re-encodes to the very bytes that were signed.
#[test]
fn a_lesson_signed_before_the_teaching_fields_still_verifies() {
    let text = include_str!("../../testdata/lesson-signed-f2a7d1d.txt");
    let line = |tag: &str| -> &str {
        text.lines()
            .find_map(|l| l.strip_prefix(tag))
            .map(str::trim)
            .unwrap()
    };
    let unhex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let key: PublicKey = line("PUB ").parse().unwrap();
    let env = Envelope {
        payload: unhex(line("PAYLOAD ")),
        signer: key.key_id(),
        signature: unhex(line("SIG ")).try_into().unwrap(),
    };
    assert_eq!(env.signer.to_string(), line("SIGNER "));
    let Payload::Lesson(l) = verify_envelope(&key, &env).unwrap() else {
        panic!("not a lesson");
    };
    assert!(l.causes.is_empty() && l.why_why.is_empty() && l.effect.is_empty());
    assert_eq!(Payload::Lesson(l).to_canonical_bytes(), env.payload);
}
