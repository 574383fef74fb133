//! Trends and digests at a hub (`--hub-config`), across processes: lessons
//! published by members of two groups are counted by cause, industry, period
//! and usage scene at the group hub (its members' lessons and what the cross
//! hub sent it) and at the cross hub (every group's GREEN lessons), read from
//! each running hub's search index, with counts under 3 suppressed; digests
//! list them; a hub without an index is refused naming `[search] enabled`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::util::*;

/// One of our own sample lessons (not the shared corpus) and its publisher.
struct Sample {
    node: &'static str,
    title: &'static str,
    problem: &'static str,
    direct_cause: &'static str,
    lesson: &'static str,
    level: &'static str,
    industry: &'static str,
    period: &'static str,
    cause: &'static str,
    /// A usage scene as a person writes it (the bare scene name), or empty.
    scene: &'static str,
}

impl Sample {
    /// The lesson file a person would write.
    fn toml(&self) -> String {
        format!(
            "title = {:?}\nproblem = {:?}\ndirect_cause = {:?}\nlesson = {:?}\nlevel = {:?}\nindustry = {:?}\nperiod = {:?}\n[taxonomy]\ncause = {:?}\nscenes = {:?}\n",
            self.title, self.problem, self.direct_cause, self.lesson, self.level, self.industry, self.period, self.cause,
            if self.scene.is_empty() { vec![] } else { vec![self.scene] }
        )
    }
}

const LESSONS: &[Sample] = &[
    Sample {
        node: "sakura-bank",
        title: "通信制御装置の設定変更は二人で確認すべし",
        problem: "通信制御装置の設定変更の後、一部の支店から勘定系に接続できなくなった。",
        direct_cause: "変更手順書の宛先アドレスが旧環境のままだった。",
        lesson: "設定変更は作成者と別の担当者が本番値を照合してから適用する。",
        level: "GREEN",
        industry: "金融",
        period: "2025-H1",
        cause: "設定ミス",
        scene: "作業・変更の手順",
    },
    Sample {
        node: "sakura-bank",
        title: "夜間処理の日付パラメータは自動で設定すべし",
        problem: "月末の夜間処理が前月の日付で動き、明細が作られなかった。",
        direct_cause: "処理日付のパラメータを手で書き換える運用で、更新が漏れた。",
        lesson: "処理日付は業務カレンダーから自動で決め、手入力をなくす。",
        level: "AMBER",
        industry: "金融",
        period: "2025-H2",
        cause: "設定ミス",
        scene: "作業・変更の手順",
    },
    Sample {
        node: "sakura-bank",
        title: "冗長化したディスク装置も交換部品の在庫を確かめるべし",
        problem: "ディスク装置の片系が故障し、交換部品の到着まで縮退運転が続いた。",
        direct_cause: "制御基板の故障。保守契約の部品在庫が遠隔地にしかなかった。",
        lesson: "保守契約では部品の保管場所と到着までの時間を確かめる。",
        level: "GREEN",
        industry: "金融",
        period: "2025-H1",
        cause: "ハードウェア障害",
        scene: "作業・変更の手順",
    },
    Sample {
        node: "kaede-securities",
        title: "新規上場日の注文集中に備えて受付能力を試験すべし",
        problem: "人気銘柄の上場日に注文が集中し、注文受付の応答が数十分遅れた。",
        direct_cause: "受付サーバーの処理能力を想定件数の半分でしか試験していなかった。",
        lesson: "想定最大件数の二倍で受付能力を試験し、流量制限を用意する。",
        level: "AMBER",
        industry: "金融",
        period: "2025-H2",
        cause: "過負荷",
        scene: "",
    },
    Sample {
        node: "tsubame-railway",
        title: "連休前の予約開始時刻は分散させるべし",
        problem:
            "連休前の指定席の予約開始と同時にアクセスが集中し、予約サイトがつながらなくなった。",
        direct_cause: "予約開始時刻を全列車で同じにしており、想定を超える同時接続があった。",
        lesson: "予約開始を列車ごとにずらし、待合せの仕組みを入れる。",
        level: "GREEN",
        industry: "運輸",
        period: "2025-H2",
        cause: "過負荷",
        scene: "",
    },
    Sample {
        node: "tsubame-railway",
        title: "運行管理端末の画面切替えには確認を挟むべし",
        problem: "運行管理端末で別の列車の画面を開いたまま指令を入力し、案内表示が乱れた。",
        direct_cause: "指令員が画面の対象を確かめずに入力した。",
        lesson: "入力の前に対象の列車を読み上げて確かめ、端末でも確認を求める。",
        level: "AMBER",
        industry: "運輸",
        period: "2025-H1",
        cause: "操作ミス",
        scene: "",
    },
];

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `tazan trends --hub-config HUB --format FORMAT`.
fn trends_as(hub: &Path, format: &str) -> String {
    ok(tazan(&[
        "trends",
        "--hub-config",
        hub.to_str().unwrap(),
        "--format",
        format,
    ]))
}

/// `tazan trends --hub-config HUB --format json`, parsed.
fn trends(hub: &Path) -> Value {
    serde_json::from_str(&trends_as(hub, "json")).unwrap()
}

/// A `by_*` list of a trends report as key → published count (`None`: suppressed).
fn counts(report: &Value, by: &str) -> BTreeMap<String, Option<u64>> {
    report[by]
        .as_array()
        .unwrap_or_else(|| panic!("no `{by}` in {report}"))
        .iter()
        .map(|c| (c["key"].as_str().unwrap().to_owned(), c["count"].as_u64()))
        .collect()
}

fn expect(pairs: &[(&str, Option<u64>)]) -> BTreeMap<String, Option<u64>> {
    pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

/// The lesson titles a Markdown digest lists (its `## ` headings).
fn digest_titles(hub: &Path, since: &str) -> Vec<String> {
    let out = ok(tazan(&[
        "digest",
        "--since",
        since,
        "--hub-config",
        hub.to_str().unwrap(),
    ]));
    let mut titles: Vec<String> = out
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(str::to_owned)
        .collect();
    titles.sort();
    titles
}

fn titles(which: &[usize]) -> Vec<String> {
    let mut t: Vec<String> = which.iter().map(|i| LESSONS[*i].title.to_owned()).collect();
    t.sort();
    t
}

/// The UTC date `days` from now, as `YYYY-MM-DD`.
fn date(days: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    tazan_search::iso8601(now + days * 86_400)[..10].to_owned()
}

/// Poll `tazan digest` at `hub` until it lists `n` lessons received since `since`.
fn wait_for_lessons(hub: &Path, since: &str, n: usize) {
    let start = Instant::now();
    loop {
        let got = digest_titles(hub, since);
        if got.len() >= n {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "{} still lists {} lessons, not {n}: {got:?}",
            hub.display(),
            got.len()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn trends_and_digests_at_group_and_cross_hubs() {
    let fx = Fixture::new();
    let (_, finance_port, transport_port) = pin_ports(&fx);
    let (cross, finance, transport) = (
        fx.path("cross/hub.toml"),
        fx.path("finance/hub.toml"),
        fx.path("transport/hub.toml"),
    );
    // The transport hub keeps no index of its log.
    let mut text = std::fs::read_to_string(&transport).unwrap();
    text.push_str("\n[search]\nenabled = false\n");
    std::fs::write(&transport, text).unwrap();

    // Before the finance hub ever ran, it has no index: refused, saying how to get one.
    let out = tazan(&["trends", "--hub-config", finance.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("no search index at") && err.contains("[search] enabled = true"),
        "{err}"
    );
    // A node home and a hub at once is a usage error.
    let out = tazan(&[
        "trends",
        "--hub-config",
        finance.to_str().unwrap(),
        "--home",
        fx.path("sakura-bank").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );

    let _cross = serve(&fx, "cross");
    let finance_hub = serve(&fx, "finance");
    let _transport = serve(&fx, "transport");

    // Search is off at the transport hub: refused naming the key, for both commands.
    for args in [
        vec!["trends", "--hub-config", transport.to_str().unwrap()],
        vec![
            "digest",
            "--since",
            "2025-01-01",
            "--hub-config",
            transport.to_str().unwrap(),
        ],
    ] {
        let out = tazan(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("transport/hub.toml") && err.contains("`[search] enabled = false`"),
            "{args:?}: {err}"
        );
    }

    // Members publish through their (stopped) nodes: the command delivers.
    let today = date(0);
    for (i, sample) in LESSONS.iter().enumerate() {
        let node = sample.node;
        let port = if node == "tsubame-railway" {
            transport_port
        } else {
            finance_port
        };
        pin_node(&fx, node, port);
        let path = fx.path(&format!("lesson-{i}.toml"));
        std::fs::write(&path, sample.toml()).unwrap();
        let out = ok(tazan(&[
            "lesson",
            "publish",
            path.to_str().unwrap(),
            "--home",
            fx.path(node).to_str().unwrap(),
            "--json",
        ]));
        let published: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            published["status"], "accepted",
            "{}: {published}",
            sample.title
        );
    }

    // The finance hub: its members' four lessons and the GREEN one the cross
    // hub relayed from transport; not transport's AMBER one. Every count is
    // under 3 or would be given back by the total: suppressed (the keys show).
    let hidden_causes = expect(&[
        ("設定ミス", None),
        ("ハードウェア障害", None),
        ("過負荷", None),
    ]);
    wait_for_lessons(&finance, &today, 5);
    let report = trends(&finance);
    assert_eq!(report["total"], 5, "{report}");
    assert_eq!(counts(&report, "by_cause"), hidden_causes, "{report}");
    assert_eq!(
        counts(&report, "by_industry"),
        expect(&[("金融", None), ("運輸", None)]),
        "{report}"
    );
    assert_eq!(
        counts(&report, "by_period"),
        expect(&[("2025-H1", None), ("2025-H2", None)]),
        "{report}"
    );
    assert!(report["human_error"]["count"].is_null(), "{report}");
    assert!(report["overload"]["count"].is_null(), "{report}");
    // Three lessons name a scene (written by its bare name, canonicalised when
    // the file was read): that count is shown, exactly.
    assert_eq!(
        counts(&report, "by_scene"),
        expect(&[("運用手順/作業・変更の手順", Some(3)), ("未設定", None)]),
        "{report}"
    );
    assert_eq!(
        counts(&report, "by_purpose")["運用手順"],
        Some(3),
        "{report}"
    );
    // CSV and text say `*` where JSON says null, and never the hidden numbers.
    let csv = trends_as(&finance, "csv");
    assert!(csv.contains("industry,運輸,*,"), "{csv}");
    assert!(
        csv.contains("scene,運用手順/作業・変更の手順,3,0.6000"),
        "{csv}"
    );

    // The cross hub: the GREEN lessons of both groups only; three causes of
    // one lesson each, so even the total would give them back.
    wait_for_lessons(&cross, &today, 3);
    let report = trends(&cross);
    assert!(report["total"].is_null(), "{report}");
    assert_eq!(counts(&report, "by_cause"), hidden_causes, "{report}");

    // Digests list what each hub received today, and nothing from tomorrow on.
    assert_eq!(digest_titles(&finance, &today), titles(&[0, 1, 2, 3, 4]));
    assert_eq!(digest_titles(&cross, &today), titles(&[0, 2, 4]));
    assert!(digest_titles(&cross, &date(1)).is_empty());

    // A stopped hub's index still answers, with what it had indexed.
    finance_hub.terminate();
    assert_eq!(trends(&finance)["total"], 5);
}
