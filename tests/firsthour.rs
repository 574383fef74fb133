//! A newcomer's first hour (issue #15) and input strictness (#14 item 5,
//! #10 item 5's encodings), through the `tazan` binary: each test is one
//! friction a new user met, and fails on the code that had it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tazan_model::{DisclosureLevel, Withdrawal};

use crate::util::*;

/// `tazan ARGS` with `HOME` pointing at `home` and no `TAZAN_HOME` or
/// `XDG_DATA_HOME`: what a user without `--home` gets.
fn tazan_in(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tazan"))
        .args(args)
        .env("HOME", home)
        .env_remove("TAZAN_HOME")
        .env_remove("XDG_DATA_HOME")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh node home (an empty vault comes with the first import).
fn node_home() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("node");
    std::fs::create_dir(&home).unwrap();
    (dir, home)
}

fn import(home: &Path, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "incident",
        "import",
        file.to_str().unwrap(),
        "--home",
        home.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    tazan(&args)
}

fn show(home: &Path, id: &str) -> serde_json::Value {
    serde_json::from_str(&ok(tazan(&[
        "incident",
        "show",
        id,
        "--home",
        home.to_str().unwrap(),
        "--json",
    ])))
    .unwrap()
}

fn examples(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// Today `descripton` and `occured_at` imported with exit 0 and the draft
/// said 「原因不明によりシステム障害が発生した」.
#[test]
fn misspelt_incident_fields_are_refused_naming_the_nearest_known_one() {
    let (dir, home) = node_home();
    let file = dir.path().join("typo.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"T-1\",\"descripton\":\"DNS設定の誤り\",\"occured_at\":\"2024-03-04\"}\n",
    )
    .unwrap();
    let out = import(&home, &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = &v["errors"][0];
    assert_eq!(error["field"], "descripton", "{v}");
    assert!(
        error["reason"]
            .as_str()
            .unwrap()
            .contains("did you mean `description`?"),
        "{v}"
    );
    assert_eq!(v["imported"].as_array().unwrap().len(), 0, "{v}");

    // --keep-unknown keeps them as extra data, as documented.
    let out = import(&home, &file, &["--keep-unknown"]);
    ok(&out);
    assert_eq!(show(&home, "T-1")["descripton"], "DNS設定の誤り");

    // An unreadable date names its field.
    std::fs::write(&file, "{\"id\":\"T-2\",\"occurred_at\":\"先週の火曜\"}\n").unwrap();
    let v: serde_json::Value = serde_json::from_slice(&import(&home, &file, &[]).stdout).unwrap();
    assert_eq!(v["errors"][0]["field"], "occurred_at", "{v}");
    assert!(v["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("not a date"));

    // `incident edit` refuses an unknown field the same way.
    let out = tazan(&[
        "incident",
        "edit",
        "T-1",
        "--set",
        "impcat=停止",
        "--home",
        home.to_str().unwrap(),
    ]);
    assert!(
        stderr(&out).contains("did you mean `impact`?"),
        "{}",
        stderr(&out)
    );
}

/// Before, a `system` value outside the vocabulary imported with exit 0 and
/// the draft silently went without it (issue #12): now the import names the
/// field, the value and the vocabulary, and the vault keeps what it had.
#[test]
fn teaching_values_outside_the_vocabulary_are_refused_and_change_nothing() {
    let (dir, home) = node_home();
    let file = dir.path().join("system.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"S-1\",\"description\":\"切替え失敗\",\"system\":{\"scale\":\"大規模\"}}\n",
    )
    .unwrap();
    ok(import(&home, &file, &[]));
    for (line, field, listed) in [
        (
            "{\"id\":\"S-1\",\"description\":\"上書き\",\"system\":{\"scale\":\"巨大\"}}",
            "system.scale",
            "小規模, 中規模, 大規模, 超大規模",
        ),
        (
            "{\"id\":\"S-1\",\"description\":\"上書き\",\"countermeasures\":[{\"kind\":\"恒常\",\"action\":\"手順書を改訂\"}]}",
            "countermeasures[0].kind",
            "暫定, 恒久, 再発防止, 未然防止",
        ),
    ] {
        std::fs::write(&file, format!("{line}\n")).unwrap();
        let out = import(&home, &file, &["--replace"]);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["errors"][0]["field"], field, "{v}");
        let reason = v["errors"][0]["reason"].as_str().unwrap();
        assert!(reason.contains(listed), "{reason}");
        assert_eq!(v["imported"].as_array().unwrap().len(), 0, "{v}");
        let stored = show(&home, "S-1");
        assert_eq!(stored["description"], "切替え失敗", "{stored}");
        assert_eq!(stored["system"]["scale"], "大規模", "{stored}");
    }
}

/// Today an EUC-JP file imported as garbled Shift_JIS with exit 0, and one
/// non-UTF-8 line garbled the valid UTF-8 lines around it.
#[test]
fn incident_files_are_decoded_in_their_encoding_or_refused_by_line() {
    let (dir, home) = node_home();
    let line = "{\"id\":\"E-1\",\"impact\":\"山田太郎が予約を止めた\"}\n";
    let (euc, _, _) = encoding_rs::EUC_JP.encode(line);
    let file = dir.path().join("euc.jsonl");
    std::fs::write(&file, &euc).unwrap();
    let v: serde_json::Value = serde_json::from_str(&ok(import(&home, &file, &[]))).unwrap();
    assert_eq!(v["encoding"], "EUC-JP", "{v}");
    assert_eq!(show(&home, "E-1")["impact"], "山田太郎が予約を止めた");

    // One Shift_JIS line in a UTF-8 file: named by line, the others intact.
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("{\"id\":\"E-3\",\"impact\":\"停止\"}\n");
    let mut mixed = "{\"id\":\"E-2\",\"impact\":\"予約停止\"}\n"
        .as_bytes()
        .to_vec();
    mixed.extend_from_slice(&sjis);
    mixed.extend_from_slice("{\"id\":\"E-4\",\"impact\":\"発券停止\"}\n".as_bytes());
    let file = dir.path().join("mixed.jsonl");
    std::fs::write(&file, &mixed).unwrap();
    let out = import(&home, &file, &[]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"][0]["line"], 2, "{v}");
    assert!(v["errors"][0]["reason"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(show(&home, "E-2")["impact"], "予約停止");
    assert_eq!(show(&home, "E-4")["impact"], "発券停止");
}

/// Today a CSV with Japanese headers imported empty records, and an
/// unclosed quote swallowed the rows after it.
#[test]
fn japanese_csv_headers_are_understood_and_a_quoting_error_costs_one_row() {
    let (dir, home) = node_home();
    let v: serde_json::Value =
        serde_json::from_str(&ok(import(&home, &examples("incidents-sjis.csv"), &[]))).unwrap();
    assert_eq!(v["encoding"], "Shift_JIS");
    let inc = show(&home, "INC-2026-0031");
    assert_eq!(inc["direct_cause"], "ハードウェア障害");
    assert_eq!(inc["organization"]["name"], "やまびこ電力");
    assert!(inc["description"]
        .as_str()
        .unwrap()
        .contains("ディスクが故障"));

    let file = dir.path().join("quote.csv");
    std::fs::write(
        &file,
        "id,impact\nQ-1,\"予約停止\nQ-2,発券停止\nQ-3,\"遅延\"\n",
    )
    .unwrap();
    let out = import(&home, &file, &[]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["errors"][0]["line"], 2, "{v}");
    assert_eq!(v["imported"], serde_json::json!(["Q-2", "Q-3"]), "{v}");
}

/// `tazan sanitize --input` decodes like an import: the recognisers see the
/// name, not mojibake.
#[test]
fn sanitize_reads_euc_jp_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let (euc, _, _) = encoding_rs::EUC_JP.encode(
        "{\"id\":\"S-1\",\"organization\":{\"name\":\"みなと精機\",\"aliases\":[]},\"impact\":\"みなと精機の工場で出荷が止まった。\"}\n",
    );
    std::fs::write(&input, &euc).unwrap();
    let output = dir.path().join("out.jsonl");
    ok(tazan(&[
        "sanitize",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]));
    let out: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&output).unwrap().trim()).unwrap();
    let impact = out["impact"].as_str().unwrap();
    assert!(
        impact.contains("当社") && impact.contains("出荷"),
        "{impact}"
    );
    assert!(!impact.contains("みなと"), "{impact}");
}

/// Today `tazan search` without --home answered "no matching lessons",
/// exited 0 and created ~/.local/share/tazan/index.
#[test]
fn reads_without_a_home_say_so_and_create_nothing() {
    let user = tempfile::tempdir().unwrap();
    let default = user.path().join(".local/share/tazan");
    for args in [
        &["search", "切替え"][..],
        &["incident", "list"],
        &["lessons", "list"],
        &["lessons", "related", "X1"],
        &["trends"],
        &["catalog", "export"],
        &["lesson", "drafts"],
    ] {
        let out = tazan_in(user.path(), args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("no tazan home at")
                && err.contains("the default home")
                && err.contains("--home DIR"),
            "{args:?}: {err}"
        );
        assert!(!default.exists(), "{args:?} created {}", default.display());
    }
}

/// Today `--home` at a hub's directory said only "no node.toml".
#[test]
fn a_hub_home_is_named_as_such() {
    let fx = Fixture::new();
    let out = tazan(&[
        "lessons",
        "list",
        "--home",
        fx.path("finance").to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert!(
        err.contains("is a hub's home")
            && err.contains("hub.toml")
            && err.contains("--home DIR of a node"),
        "{err}"
    );
}

/// `tazan node serve` for `node` with its hub on a port nobody listens on;
/// returns once it is running, with its stderr lines.
fn node_serving_without_hub(fx: &Fixture, node: &str) -> (std::process::Child, PathBuf) {
    let config = pin_node(fx, node, free_port());
    let mut child = Command::new(env!("CARGO_BIN_EXE_tazan"))
        .args(["node", "serve", "--config", config.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    for line in out.lines() {
        if line.unwrap().contains("running") {
            return (child, config);
        }
    }
    panic!("node serve exited: {:?}", child.wait_with_output());
}

/// Once a raw "Connection refused"; then a message saying what still works.
/// Now the running node gives its own library through its admin socket: the
/// hub being down does not matter.
#[test]
fn lessons_list_while_the_hub_is_down_reads_the_running_node() {
    let fx = Fixture::new();
    let (mut node, _) = node_serving_without_hub(&fx, "sakura-bank");
    let out = tazan(&[
        "lessons",
        "list",
        "--home",
        fx.path("sakura-bank").to_str().unwrap(),
    ]);
    let _ = node.kill();
    let _ = node.wait();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("(no lessons yet)"),
        "{err}"
    );
}

/// Today the warning read "tcp connect error: tcp connect error: Connection refused".
#[test]
fn a_hub_that_does_not_answer_is_said_once() {
    let fx = Fixture::new();
    pin_node(&fx, "sakura-bank", free_port());
    let lesson = fx.dir.path().join("l.toml");
    std::fs::write(&lesson, tazan::examples::LESSON_TOML).unwrap();
    let out = tazan(&[
        "lesson",
        "publish",
        lesson.to_str().unwrap(),
        "--home",
        fx.path("sakura-bank").to_str().unwrap(),
    ]);
    let said = format!("{}{}", stderr(&out), stdout(&out));
    assert!(
        said.contains("did not answer (Connection refused"),
        "{said}"
    );
    assert_eq!(said.matches("tcp connect error").count(), 0, "{said}");
    assert!(said.contains("queued in the node's outbox"), "{said}");
}

/// Today `tazan node serve` exited at once when a command held its store,
/// and its log file was full of colour escapes.
#[test]
fn a_starting_node_waits_for_a_store_a_command_holds_and_logs_plain_text() {
    let fx = Fixture::new();
    let config = pin_node(&fx, "sakura-bank", free_port());
    let cfg = tazan_node::NodeConfig::load(&config).unwrap();
    let held = tazan_store::Store::open(&cfg.data_dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tazan"))
        .args(["node", "serve", "--config", config.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = String::new();
    let mut errs = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in errs.by_ref() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        if line.contains("held by another process") {
            break;
        }
    }
    assert!(
        log.contains("held by another process"),
        "the node gave up: {log}"
    );
    assert!(
        log.contains(&format!("pid {}", std::process::id())),
        "names the holder: {log}"
    );
    drop(held);
    let started = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .any(|l| l.unwrap().contains("running"));
    let _ = child.kill();
    let _ = child.wait();
    log.extend(errs.map_while(Result::ok).map(|l| l + "\n"));
    assert!(started, "the node starts once the store is free: {log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour escapes in a log that is not a terminal: {log}"
    );
}

/// Today `lessons list` showed no ids and did not mark withdrawn lessons, and
/// `lessons related` took only the full 64-character id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lessons_list_shows_short_ids_and_withdrawals_and_prefixes_name_lessons() {
    let fx = Fixture::new();
    let fed = tazan::harness::Federation::start(&fx.layout).await.unwrap();
    let sakura = fed.node("sakura-bank").unwrap().core().clone();
    let kept = sakura
        .publish(gated(
            &fx,
            "sakura-bank",
            lesson("待機系への切替えは訓練すべし", DisclosureLevel::Amber),
        ))
        .await
        .unwrap();
    let gone = sakura
        .publish(gated(
            &fx,
            "sakura-bank",
            lesson("取り下げる教訓", DisclosureLevel::Amber),
        ))
        .await
        .unwrap();
    // The hub must hold a lesson before it takes its withdrawal.
    fed.wait_library("kaede-securities", 2, WAIT).await.unwrap();
    sakura
        .withdraw(gated_withdrawal(
            &fx,
            "sakura-bank",
            Withdrawal {
                target: gone,
                reason: "誤りがあったため".into(),
                level: DisclosureLevel::Amber,
            },
        ))
        .await
        .unwrap();
    fed.wait_library("kaede-securities", 3, WAIT).await.unwrap();
    fed.stop().await.unwrap();

    let home = fx.path("kaede-securities");
    let h = home.to_str().unwrap();
    let list = ok(tazan(&["lessons", "list", "--home", h]));
    let line = |id: &tazan_model::LessonId| {
        list.lines()
            .find(|l| l.contains(&id.short()))
            .unwrap_or_else(|| panic!("no line with {}: {list}", id.short()))
            .to_owned()
    };
    assert!(!line(&kept).contains("[withdrawn]"), "{list}");
    assert!(line(&gone).contains("[withdrawn]"), "{list}");

    let prefix = &kept.to_string()[..8];
    let related = ok(tazan(&[
        "lessons", "related", prefix, "--home", h, "--json",
    ]));
    let related: Vec<serde_json::Value> = serde_json::from_str(&related).unwrap();
    assert!(
        related.iter().all(|r| r["hit"]["id"] != kept.to_string()),
        "{related:?}"
    );
    let out = tazan(&["lessons", "related", &kept.to_string()[..6], "--home", h]);
    assert!(stderr(&out).contains("at least 8"), "{}", stderr(&out));
}

/// Today a lesson with direct_cause 設定ミス and no taxonomy.cause counted as
/// 不明 in search and trends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cause_category_comes_from_direct_cause_when_the_taxonomy_leaves_it_out() {
    let fx = Fixture::new();
    let fed = tazan::harness::Federation::start(&fx.layout).await.unwrap();
    let mut l = lesson("設定変更は第三者が確認すべし", DisclosureLevel::Green);
    l.direct_cause = "設定ミス".into();
    l.taxonomy.cause = tazan_model::CauseCategory::Unknown;
    fed.node("sakura-bank")
        .unwrap()
        .core()
        .publish(gated(&fx, "sakura-bank", l))
        .await
        .unwrap();
    fed.wait_library("tsubame-railway", 1, WAIT).await.unwrap();
    fed.stop().await.unwrap();
    let home = fx.path("tsubame-railway");
    let trends = ok(tazan(&[
        "trends",
        "--home",
        home.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert!(trends.contains("設定ミス"), "{trends}");
    assert!(!trends.contains("不明"), "{trends}");
    let hits = ok(tazan(&[
        "search",
        "設定変更",
        "--cause",
        "設定ミス",
        "--home",
        home.to_str().unwrap(),
        "--json",
    ]));
    assert!(hits.contains("設定変更は第三者が確認すべし"), "{hits}");
}

/// The examples ship in the binary: what a newcomer starts a file from.
#[test]
fn templates_print_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    for (args, file) in [
        (&["lesson", "template"][..], "lesson.toml"),
        (&["lesson", "template", "--format", "json"], "lesson.json"),
        (&["incident", "template"], "incident.json"),
        (
            &["incident", "template", "--format", "jsonl"],
            "incidents.jsonl",
        ),
        (
            &["incident", "template", "--format", "csv"],
            "incidents.csv",
        ),
        (
            &["incident", "template", "--format", "csv-sjis"],
            "incidents-sjis.csv",
        ),
    ] {
        let out = tazan(args);
        assert!(out.status.success(), "{args:?}");
        assert_eq!(
            out.stdout,
            std::fs::read(examples(file)).unwrap(),
            "{args:?}"
        );
    }
    // What `lesson template` prints is a lesson `publish` accepts, as written.
    let file = dir.path().join("mine.toml");
    std::fs::write(&file, tazan(&["lesson", "template"]).stdout).unwrap();
    tazan_node::read_lesson_file(&file).unwrap();
}

/// Today the first use of the dictionary paused for seconds without a word.
#[test]
fn the_first_dictionary_compile_is_announced() {
    let sources = std::env::var_os("TAZAN_IPADIC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/mecab/dic/ipadic"));
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tazan"))
        .args(["sanitize", "--input"])
        .arg(examples("incidents.jsonl"))
        .arg("--output")
        .arg(dir.path().join("out.jsonl"))
        .env("TAZAN_CACHE_DIR", dir.path().join("cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let first = BufReader::new(child.stderr.take().unwrap())
        .lines()
        .next()
        .and_then(Result::ok)
        .unwrap_or_default();
    if sources.join("matrix.def").exists() {
        // Said before the pause, not after: the process is still compiling.
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            first.contains("compiling the Japanese dictionary"),
            "{first:?}"
        );
    } else {
        let out = child.wait_with_output().unwrap();
        let summary = String::from_utf8_lossy(&out.stdout);
        assert!(summary.contains("IPADIC recogniser OFF"), "{summary}");
    }
}
