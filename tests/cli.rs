//! The `tazan` binary: demo, keys, roster, lesson files and their errors.

use crate::util::*;

#[test]
fn demo_runs_and_every_check_passes() {
    let out = tazan(&["demo"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("every check passed"), "{stdout}");
    assert!(!stdout.contains('✘'), "{stdout}");
}

#[test]
fn keys_are_private_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.key");
    let k = key.to_str().unwrap();
    let out = tazan(&["keys", "generate", "--out", k]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let before = std::fs::read(&key).unwrap();
    let again = tazan(&["keys", "generate", "--out", k]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("overwrite"));
    assert_eq!(
        std::fs::read(&key).unwrap(),
        before,
        "the key file was changed"
    );
    let show = tazan(&["keys", "show", k, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert!(v["key_id"].as_str().unwrap().starts_with("ed25519-"));
}

#[test]
fn bad_lesson_files_and_configs_name_the_problem() {
    let fx = Fixture::new();
    let home = fx.path("sakura-bank");
    let h = home.to_str().unwrap();
    let bad = fx.path("bad.json");
    std::fs::write(
        &bad,
        r#"{"title": "", "problem": "p", "direct_cause": "d", "lesson": "l", "level": "AMBER"}"#,
    )
    .unwrap();
    let out = tazan(&["lesson", "publish", bad.to_str().unwrap(), "--home", h]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`title`") && err.contains("bad.json"), "{err}");

    let typo = fx.path("typo.toml");
    std::fs::write(
        &typo,
        "titel = \"x\"\nproblem = \"p\"\ndirect_cause = \"d\"\nlesson = \"l\"\nlevel = \"AMBER\"\n",
    )
    .unwrap();
    let out = tazan(&["lesson", "publish", typo.to_str().unwrap(), "--home", h]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("titel"), "{err}");

    let red = fx.path("red.toml");
    std::fs::write(
        &red,
        "title = \"x\"\nproblem = \"p\"\ndirect_cause = \"d\"\nlesson = \"l\"\nlevel = \"RED\"\n",
    )
    .unwrap();
    let out = tazan(&["lesson", "publish", red.to_str().unwrap(), "--home", h]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("RED"), "{err}");

    let cfg = fx.path("finance/hub.toml");
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("[tls]", "[tls]\nciphers = \"all\"");
    std::fs::write(&cfg, text).unwrap();
    let out = tazan(&["hub", "serve", "--config", cfg.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("ciphers") && err.contains("hub.toml"),
        "{err}"
    );

    let out = tazan(&[
        "lessons",
        "list",
        "--home",
        fx.path("nowhere").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("node.toml"), "{err}");
}

#[test]
fn lesson_publish_queues_while_hub_is_down_and_lists_offline() {
    let fx = Fixture::new();
    let home = fx.path("sakura-bank");
    let h = home.to_str().unwrap();
    let file = fx.path("l.toml");
    std::fs::write(
        &file,
        "title = \"手順書は二人で読み合わせるべし\"\nproblem = \"手順の誤読で作業を誤った\"\ndirect_cause = \"読み違い\"\nlesson = \"読み合わせを必須にせよ\"\nlevel = \"AMBER\"\n",
    )
    .unwrap();
    // The generated config points at port 0: nothing answers.
    let out = tazan(&[
        "lesson",
        "publish",
        file.to_str().unwrap(),
        "--home",
        h,
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "queued");
    let node = tazan_store::Store::open(&home.join("data")).unwrap();
    assert_eq!(tazan_store::Outbox::open(&node).unwrap().len(), 1);
}
