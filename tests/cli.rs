//! The `tazan` binary: demo, keys, roster, lesson files and their errors.

use std::path::Path;

use crate::util::*;

#[test]
fn demo_runs_and_its_nodes_can_search_list_and_digest() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("fed");
    let out = tazan(&["demo", "--keep", keep.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("every check passed"), "{stdout}");
    assert!(!stdout.contains('✘'), "{stdout}");
    // The drafted lesson teaches: its root causes by kind, countermeasure kinds,
    // effect, why-why and scenes, and a title that says what to do.
    for shown in [
        "cause    [長期化 / テスト]",
        "[再発防止・恒久・実施済み]",
        "why-why  3 steps",
        "effect   改訂後の手順",
    ] {
        assert!(stdout.contains(shown), "{shown} not in:\n{stdout}");
    }
    assert!(
        stdout.contains(
            "title    証明書更新の手順書に中間証明書の確認を加え、二人で読み合わせることが大切"
        ),
        "the first permanent countermeasure as a precept:\n{stdout}"
    );

    // The transport member's library, after the demo stopped its node.
    let home = keep.join("tsubame-railway");
    let h = home.to_str().unwrap();
    let list = tazan(&["lessons", "list", "--home", h, "--json"]);
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows.len(),
        4,
        "own GREEN + finance's drafted GREEN, sample GREEN and CLEAR"
    );
    assert!(rows.iter().all(|r| r["level"] != "AMBER"));
    let search = tazan(&[
        "search",
        "待機系 切替え 負荷",
        "--home",
        h,
        "--json",
        "--limit",
        "1",
    ]);
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&search.stdout).unwrap();
    assert_eq!(
        hits[0]["title"],
        "待機系への切替えは本番相当の負荷で訓練すべし"
    );
    // One received lesson in full, named by 8 characters of its id.
    let row = rows
        .iter()
        .find(|r| r["lesson"]["title"] == "待機系への切替えは本番相当の負荷で訓練すべし")
        .expect("the sample lesson is in the library");
    let short = row["short_id"].as_str().unwrap();
    let show = tazan(&["lessons", "show", &short[..8], "--home", h]);
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(
        show.status.success(),
        "{}",
        String::from_utf8_lossy(&show.stderr)
    );
    for part in [
        "待機系への切替えは本番相当の負荷で訓練すべし",
        "【問題（事象）】",
        "【教訓】",
        "分類: ",
    ] {
        assert!(text.contains(part), "{part} not in:\n{text}");
    }
    assert!(
        text.contains(row["id"].as_str().unwrap()),
        "full id shown:\n{text}"
    );
    let unknown = tazan(&["lessons", "show", "00000000", "--home", h]);
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        !unknown.status.success() && err.contains("00000000"),
        "{err}"
    );
    let digest = tazan(&[
        "digest",
        "--since",
        "2000-01-01",
        "--home",
        h,
        "--format",
        "html",
    ]);
    let html = String::from_utf8_lossy(&digest.stdout);
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("待機系への切替え"),
        "{html}"
    );
    // sakura-bank's vault keeps the raw incident and the draft, now queued.
    let sakura = keep.join("sakura-bank");
    let drafts = tazan(&[
        "lesson",
        "drafts",
        "--home",
        sakura.to_str().unwrap(),
        "--json",
    ]);
    let drafts: serde_json::Value = serde_json::from_slice(&drafts.stdout).unwrap();
    assert_eq!(drafts[0]["status"], "queued", "{drafts}");
    assert_eq!(drafts[0]["incident"], "SB-2026-031", "{drafts}");

    let bad = tazan(&["digest", "--since", "yesterday", "--home", h]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("--since"));
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

    // A roster signed by someone other than the configured group admin.
    let cfg = fx.path("transport/hub.toml");
    let roster = fx.path("transport/roster.json");
    let rogue = tazan_trust::KeyPair::generate();
    let forged = tazan_trust::Roster::new("transport-hub".parse().unwrap(), rogue.public());
    forged.sign(&rogue).unwrap().save(&roster).unwrap();
    let out = tazan(&["hub", "serve", "--config", cfg.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("roster_admin_key"),
        "{err}"
    );

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

/// The project's own example files (`examples/`).
fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn catalog_import_search_and_export() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_str().unwrap();
    let catalog = example("catalog.jsonl");
    let out = tazan(&["catalog", "import", &catalog, "--home", h]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tazan(&[
        "search",
        "バックアップへの切替えに失敗した",
        "--home",
        h,
        "--json",
        "--limit",
        "3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!hits.is_empty() && hits.len() <= 3);
    for h in &hits {
        for key in ["id", "ref", "title", "score"] {
            assert!(h.get(key).is_some(), "hit without `{key}`: {h}");
        }
    }
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    let out = tazan(&["catalog", "export", "--home", h]);
    assert_eq!(
        out.stdout,
        std::fs::read(&catalog).unwrap(),
        "export gives back the import"
    );

    // A raw incident, written for this test, matched locally against the library.
    let incident = home.path().join("incident.json");
    std::fs::write(
        &incident,
        r#"{"id": "INC-1", "organization": {"name": "テスト商事", "aliases": []}, "system_name": "受発注システム",
            "description": "主系サーバーの故障時に待機系への切替えが失敗し、バックアップからの復旧にも時間がかかった。",
            "direct_cause": "ハードウェア障害"}"#,
    )
    .unwrap();
    let out = tazan(&[
        "incident",
        "similar",
        incident.to_str().unwrap(),
        "--home",
        h,
        "--json",
        "--limit",
        "3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let similar: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(similar.len(), 3);
    let refs: Vec<&str> = similar
        .iter()
        .map(|s| s["hit"]["ref"].as_str().unwrap_or(""))
        .collect();
    assert!(
        refs.contains(&"X1"),
        "the failover lesson is among the top 3: {refs:?}"
    );
    assert!(similar.iter().all(|s| s["reasons"].is_array()));
    let out = tazan(&[
        "lessons", "related", "X1", "--home", h, "--json", "--limit", "2",
    ]);
    let related: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(related.len(), 2);
    assert!(
        related.iter().all(|r| r["hit"]["ref"] != "X1"),
        "a lesson is not related to itself"
    );
}

/// `tazan sanitize` then `tazan eval sanitize` on `incidents` with gold
/// `annotations`: `records` lines out, the targets met.
fn sanitize_and_evaluate(incidents: &Path, annotations: &Path, records: usize) {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.jsonl");
    let out = tazan(&[
        "sanitize",
        "--input",
        incidents.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = std::fs::read_to_string(&output).unwrap();
    assert_eq!(lines.lines().count(), records);
    let out = tazan(&[
        "eval",
        "sanitize",
        "--output",
        output.to_str().unwrap(),
        "--annotations",
        annotations.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["records"], records, "{v}");
    assert!(v["leak_rate"].as_f64().unwrap() <= 0.02, "{v}");
    assert!(v["keep_rate"].as_f64().unwrap() >= 0.9, "{v}");
}

#[test]
fn sanitize_batch_and_evaluation_run_on_the_project_s_held_out_records() {
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/tazan-sanitize/tests/fixtures");
    let incidents = fixtures.join("heldout-incidents.jsonl");
    let records = std::fs::read_to_string(&incidents).unwrap().lines().count();
    sanitize_and_evaluate(
        &incidents,
        &fixtures.join("heldout-annotations.jsonl"),
        records,
    );

    // A bad record is reported with file and line, and the run fails.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{not json\n").unwrap();
    let out = tazan(&[
        "sanitize",
        "--input",
        bad.to_str().unwrap(),
        "--output",
        dir.path().join("o2").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.jsonl:1:"),
        "the error names file and line: {err}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["records"], 0, "{summary}");
}

#[test]
#[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
fn corpus_sanitize_batch_and_evaluation_run_on_the_corpus() {
    let dir = crate::corpus::corpus_dir();
    sanitize_and_evaluate(
        &dir.join("incidents.jsonl"),
        &dir.join("annotations.jsonl"),
        25,
    );
}

#[test]
fn roster_init_add_revoke_show() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    assert!(tazan(&["keys", "generate", "--out", &p("admin.key")])
        .status
        .success());
    assert!(tazan(&["keys", "generate", "--out", &p("member.key")])
        .status
        .success());
    let show = tazan(&["keys", "show", &p("member.key"), "--json"]);
    let member: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let public = member["public_key"].as_str().unwrap();
    let out = tazan(&[
        "roster",
        "init",
        "--group",
        "retail-hub",
        "--admin-key",
        &p("admin.key"),
        "--out",
        &p("roster.json"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tazan(&[
        "roster",
        "add",
        "--roster",
        &p("roster.json"),
        "--admin-key",
        &p("admin.key"),
        "--id",
        "momiji-mart",
        "--name",
        "もみじマート（架空）",
        "--key",
        public,
        "--role",
        "publisher",
        "--role",
        "subscriber",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Another key cannot edit the roster.
    let out = tazan(&[
        "roster",
        "revoke",
        "--roster",
        &p("roster.json"),
        "--admin-key",
        &p("member.key"),
        "--id",
        "momiji-mart",
    ]);
    assert!(!out.status.success());
    let out = tazan(&[
        "roster",
        "revoke",
        "--roster",
        &p("roster.json"),
        "--admin-key",
        &p("admin.key"),
        "--id",
        "momiji-mart",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tazan(&["roster", "show", "--roster", &p("roster.json"), "--json"]);
    let roster: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(roster["serial"], 3, "init, add, revoke");
    assert_eq!(roster["members"][0]["id"], "momiji-mart");
    assert_eq!(roster["members"][0]["status"], "revoked");
}

#[test]
fn shell_completions_cover_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = tazan(&["completions", shell]);
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let script = String::from_utf8_lossy(&out.stdout);
        for sub in ["demo", "lesson", "roster", "search", "topology"] {
            assert!(script.contains(sub), "{shell} completion lacks `{sub}`");
        }
    }
    assert!(!tazan(&["completions", "cmd.exe"]).status.success());
}

#[test]
fn bench_backup_round_trips_a_hub_log() {
    let out = tazan(&[
        "bench",
        "backup",
        "--lessons",
        "300",
        "--rate",
        "100",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["lessons"], 300, "{v}");
    // The restored log ends where the log stood when the backup began.
    assert!(v["head_at_backup"].as_u64().unwrap() >= 300, "{v}");
    // Each lesson is a log entry and an id-index entry.
    assert!(v["records"].as_u64().unwrap() >= 600, "{v}");
    assert!(v["backup_bytes"].as_u64().unwrap() > 0, "{v}");
}

/// `bench sanitize --repeat N` runs every measurement N times and reports
/// the least CPU time of each; N must be 1 to 20.
#[test]
fn bench_sanitize_keeps_the_least_cpu_time_of_its_rounds() {
    let input = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/tazan-sanitize/tests/fixtures/heldout2-incidents.jsonl"
    );
    let out = tazan(&[
        "bench", "sanitize", "--input", input, "--level", "AMBER", "--repeat", "2", "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["repeat"], 2, "{v}");
    assert_eq!(v["process_1"]["records"], 8, "{v}");
    assert_eq!(v["in_process"]["records"], 8, "{v}");
    assert!(v["process_1"]["cpu_s"].as_f64().unwrap() > 0.0, "{v}");
    let out = tazan(&["bench", "sanitize", "--input", input, "--repeat", "0"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--repeat"), "{err}");
}

#[test]
fn eval_sanitize_scores_incidents_in_one_step_and_refuses_unknown_kinds() {
    let unseen = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/tazan-sanitize/tests/fixtures/unseen/dev"
    );
    let incidents = format!("{unseen}/incidents.jsonl");
    let annotations = format!("{unseen}/annotations.jsonl");
    let args = [
        "eval",
        "sanitize",
        "--incidents",
        &incidents,
        "--annotations",
        &annotations,
    ];
    let v = ok_json(tazan(
        &[&args[..], &["--level", "AMBER", "--json"]].concat(),
    ));
    assert_eq!(v["records"], 32, "{v}");
    assert_eq!(v["level"], "AMBER", "{v}");
    assert_eq!(v["missing_records"], 0, "{v}");
    assert!(v["blocked_rate"].is_number(), "{v}");
    assert!(
        v["per_kind"]["identifier"]["total"].as_u64().unwrap() > 0,
        "{v}"
    );

    // The text form prints the table and, only when asked, the leaked spans.
    let plain = ok(tazan(&args));
    assert!(
        plain.contains("records blocked by the leak gate"),
        "{plain}"
    );
    assert!(!plain.contains("leaked dev-"), "{plain}");

    // Raw text (leaked spans) only with --show-leaks, in the table and in JSON:
    // a gold file whose span is a technical word leaks for sure.
    let dir = tempfile::tempdir().unwrap();
    let sure = dir.path().join("sure.jsonl");
    std::fs::write(
        &sure,
        "{\"id\":\"dev-01\",\"sensitive\":[{\"text\":\"フェイルオーバー\",\"kind\":\"org\"}],\"keep\":[]}\n",
    )
    .unwrap();
    let sure_args = [
        "eval",
        "sanitize",
        "--incidents",
        &incidents,
        "--annotations",
        sure.to_str().unwrap(),
    ];
    let hidden = ok_json(tazan(&[&sure_args[..], &["--json"]].concat()));
    assert_eq!(hidden["identifying_leaked"], 1, "{hidden}");
    assert_eq!(hidden["leaked"], serde_json::json!([]), "{hidden}");
    let json = ok_json(tazan(
        &[&sure_args[..], &["--json", "--show-leaks"]].concat(),
    ));
    assert_eq!(json["leaked"][0]["text"], "フェイルオーバー", "{json}");
    let shown = ok(tazan(&[&sure_args[..], &["--show-leaks"]].concat()));
    assert!(
        shown.contains("leaked dev-01 org フェイルオーバー"),
        "{shown}"
    );

    // A gold file with an unknown kind fails, naming line, field and the valid kinds.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"id\":\"dev-01\",\"sensitive\":[{\"text\":\"某社\",\"kind\":\"company\"}],\"keep\":[]}\n",
    )
    .unwrap();
    let out = tazan(&[
        "eval",
        "sanitize",
        "--incidents",
        &incidents,
        "--annotations",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl:1:"), "{err}");
    assert!(err.contains("unknown kind `company`"), "{err}");
    assert!(err.contains("identifier"), "{err}");

    // --level belongs to the one-step form.
    let out = tazan(&[
        "eval",
        "sanitize",
        "--output",
        &incidents,
        "--annotations",
        &annotations,
        "--level",
        "GREEN",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
