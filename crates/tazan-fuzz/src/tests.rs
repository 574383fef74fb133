use std::path::PathBuf;

use super::*;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn inputs(kind: &str, target: Target) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = fuzz_dir().join(kind).join(target.name());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    out.sort();
    out
}

/// Every target has seeds in the repo, none crashes, and at least one is
/// accepted whole, so afl starts from inputs that reach past the first error.
#[test]
fn seeds_replay_and_reach_past_the_first_error() {
    for target in Target::ALL {
        let seeds = inputs("seeds", target);
        assert!(!seeds.is_empty(), "no seeds for {}", target.name());
        let runner = Runner::new(target);
        let accepted = seeds.iter().filter(|(_, b)| runner.run(b)).count();
        assert!(
            accepted > 0,
            "no seed of {} is accepted: {:?}",
            target.name(),
            seeds.iter().map(|(p, _)| p).collect::<Vec<_>>()
        );
    }
}

/// The targets that pick a disclosure level by the first byte have seeds for
/// every level, so afl starts each level's code from a valid input, and
/// every seed is accepted (a seed starting with a tab or a newline is still
/// the policy).
#[test]
fn level_picking_seeds_reach_every_level() {
    for target in [Target::Policy, Target::Sanitize] {
        let runner = Runner::new(target);
        let mut levels = [false; LEVELS.len()];
        for (path, bytes) in inputs("seeds", target) {
            assert!(runner.run(&bytes), "{} is refused", path.display());
            levels[level_index(&bytes)] = true;
        }
        assert_eq!(levels, [true; LEVELS.len()], "{}", target.name());
    }
    assert_eq!(level_index(b""), 0);
    assert_eq!(level_index(b"\x05text"), 2);
}

/// A sanitise input longer than [`MAX_TEXT`] runs on its first bytes only:
/// a UTF-8 character cut at the limit is replaced, not a panic.
#[test]
fn sanitize_target_bounds_its_text() {
    let runner = Runner::new(Target::Sanitize);
    let long = "田中太郎が令和６年に報告した。".repeat(MAX_TEXT);
    assert!(long.len() > MAX_TEXT && !long.is_char_boundary(MAX_TEXT));
    assert!(runner.run(long.as_bytes()));
}

/// Inputs that once crashed a target (kept under `fuzz/regressions/`) run clean.
#[test]
fn past_crashes_stay_fixed() {
    for target in Target::ALL {
        let crashes = inputs("regressions", target);
        if crashes.is_empty() {
            continue;
        }
        let runner = Runner::new(target);
        for (path, bytes) in crashes {
            let res = std::panic::catch_unwind(|| runner.run(&bytes));
            assert!(res.is_ok(), "{} crashes again", path.display());
        }
    }
}

/// A non-canonical encoding of a valid payload (a trailing byte) is refused,
/// and the canonical one is accepted: the round-trip promise the target checks.
#[test]
fn canonical_target_refuses_trailing_bytes() {
    let payload = Payload::Lesson(tazan_model::Lesson::example(
        "テスト",
        DisclosureLevel::Green,
    ));
    let mut bytes = payload.to_canonical_bytes();
    assert!(Runner::new(Target::Canonical).run(&bytes));
    bytes.push(0);
    assert!(!Runner::new(Target::Canonical).run(&bytes));
}

#[test]
fn names_round_trip() {
    for t in Target::ALL {
        assert_eq!(Target::from_name(t.name()), Some(t));
    }
    assert_eq!(Target::from_name("nope"), None);
}

/// Writes the binary seeds (envelope, canonical) from the model's example
/// lesson when `UPDATE_SEEDS=1` (after a wire or canonical format change);
/// otherwise does nothing, so a test run (CI runs ignored tests too) never
/// rewrites files of the checkout.
#[test]
#[ignore = "writes fuzz/seeds with UPDATE_SEEDS=1; run by hand after a format change"]
fn write_binary_seeds() {
    if std::env::var_os("UPDATE_SEEDS").is_none() {
        eprintln!("set UPDATE_SEEDS=1 to rewrite fuzz/seeds");
        return;
    }
    let key = tazan_trust::KeyPair::generate();
    for (i, level) in LEVELS.into_iter().enumerate() {
        let payload = Payload::Lesson(tazan_model::Lesson::example("ログ欠落の教訓", level));
        let canonical = fuzz_dir().join("seeds/canonical");
        std::fs::create_dir_all(&canonical).unwrap();
        std::fs::write(
            canonical.join(format!("lesson-{i}")),
            payload.to_canonical_bytes(),
        )
        .unwrap();
        let envelope = key.sign(&payload);
        let dir = fuzz_dir().join("seeds/envelope");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(format!("lesson-{i}")),
            tazan_proto::pb::Envelope::from(&envelope).encode_to_vec(),
        )
        .unwrap();
    }
}
