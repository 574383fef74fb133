//! Usage scenes, common-word search and the company's own trends, through the `tazan`
//! binary: catalogue entries get scenes proposed with reasons and can be browsed by
//! purpose; a query of common words answers; a query is routed to a purpose; an unknown
//! scene is refused naming the value and listing the vocabulary, in a lesson file and
//! in `--scene`/`--purpose`; `trends --vault` counts the vault's raw incidents exactly.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::*;

/// The message lists every purpose and some scene under each.
fn lists_vocabulary(err: &str) {
    for p in tazan_model::Purpose::ALL {
        assert!(err.contains(p.as_str()), "{p} missing: {err}");
        let first = p.scenes().next().unwrap();
        assert!(
            err.contains(first.name()),
            "{} missing: {err}",
            first.name()
        );
    }
}

#[test]
#[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
fn corpus_catalogue_scenes_purposes_and_common_words() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_str().unwrap();
    let catalog = crate::corpus::corpus_file("lessons.jsonl");
    let catalog = catalog.to_str().unwrap();
    ok(tazan(&["catalog", "import", catalog, "--home", h]));

    // Every entry: at least one scene, each with its reasons.
    let proposals = ok_json(tazan(&["scenes", "propose", catalog, "--json"]));
    let entries = proposals.as_array().unwrap();
    assert_eq!(entries.len(), 27);
    for e in entries {
        let scenes = e["scenes"].as_array().unwrap();
        assert!(!scenes.is_empty(), "{e}");
        for s in scenes {
            let label = s["scene"].as_str().unwrap();
            assert!(label.parse::<tazan_model::Scene>().is_ok(), "{label}");
            assert!(!s["reasons"].as_array().unwrap().is_empty(), "{e}");
        }
    }

    // Common words answer (障害 is in 25 of 27 entries, システム in all).
    for (word, at_least) in [("障害", 25), ("システム", 27)] {
        let hits = ok_json(tazan(&[
            "search", word, "--home", h, "--json", "--limit", "100",
        ]));
        assert!(hits.as_array().unwrap().len() >= at_least, "{word}: {hits}");
    }

    // Browsing a purpose lists the entries whose scenes fall under it, and only those.
    let by_entry: BTreeMap<String, Vec<String>> = entries
        .iter()
        .map(|e| {
            let purposes = e["scenes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    let scene: tazan_model::Scene = s["scene"].as_str().unwrap().parse().unwrap();
                    scene.purpose().as_str().to_owned()
                })
                .collect();
            (e["ref"].as_str().unwrap().to_owned(), purposes)
        })
        .collect();
    let mut want: Vec<&str> = by_entry
        .iter()
        .filter(|(_, p)| p.iter().any(|p| p == "運用手順"))
        .map(|(r, _)| r.as_str())
        .collect();
    want.sort();
    let hits = ok_json(tazan(&[
        "search",
        "--purpose",
        "運用手順の見直しに活用",
        "--home",
        h,
        "--json",
        "--limit",
        "100",
    ]));
    let mut got: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["ref"].as_str().unwrap())
        .collect();
    got.sort();
    assert!(!want.is_empty());
    assert_eq!(got, want);

    // The text output says which purpose a situation reads as.
    let out = ok(tazan(&[
        "search",
        "新人研修の教材にできる、運用手順のミスの事例を探している",
        "--home",
        h,
        "--limit",
        "3",
    ]));
    assert!(out.starts_with("situation reads as: 社内教育"), "{out}");
    let route = ok_json(tazan(&[
        "scenes",
        "route",
        "発注時に仕様書で何を求めるべきか",
        "--json",
    ]));
    assert_eq!(route["purpose"], "調達時の指示・確認事項", "{route}");

    // The vocabulary with the library's counts (small ones as `*`).
    let list = ok(tazan(&["scenes", "list", "--home", h]));
    assert!(list.contains("運用手順/監視と検知"), "{list}");
    assert!(
        list.contains("[") && list.contains("* = fewer than 3"),
        "{list}"
    );

    // Unknown scenes and purposes: refused, naming the flag and listing the vocabulary.
    let err = failed(&tazan(&[
        "search",
        "切替え",
        "--scene",
        "障害対応",
        "--home",
        h,
    ]));
    assert!(
        err.contains("`--scene`") && err.contains("\"障害対応\""),
        "{err}"
    );
    lists_vocabulary(&err);
    let err = failed(&tazan(&[
        "search",
        "--purpose",
        "運用手順/監視と検知",
        "--home",
        h,
    ]));
    assert!(err.contains("`--purpose`"), "{err}");
}

#[test]
fn a_lesson_file_with_an_unknown_scene_is_refused_and_aliases_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lesson.toml");
    let write = |scenes: &str| {
        std::fs::write(
            &file,
            format!(
                "title = \"監視の閾値は業務量に合わせて見直すべし\"\nproblem = \"月末に処理件数が増え、応答が遅れたが監視で検知できなかった。\"\ndirect_cause = \"閾値が古いままだった。\"\nlesson = \"閾値は四半期ごとに見直す。\"\nlevel = \"GREEN\"\n[taxonomy]\nscenes = {scenes}\n"
            ),
        )
        .unwrap();
    };
    write("[\"監視と検知\", \"運用手順の見直しに活用\"]");
    let out = ok(tazan(&["scenes", "propose", file.to_str().unwrap()]));
    assert!(out.contains("運用手順/監視と検知"), "{out}");
    write("[\"監視と検知\", \"障害対応\"]");
    let err = failed(&tazan(&["scenes", "propose", file.to_str().unwrap()]));
    assert!(
        err.contains("lesson.toml")
            && err.contains("`taxonomy.scenes`")
            && err.contains("\"障害対応\""),
        "{err}"
    );
    lists_vocabulary(&err);
}

#[test]
#[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
fn corpus_vault_trends_count_the_companys_own_incidents_exactly() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_str().unwrap();
    // No vault yet: says how to make one.
    let err = failed(&tazan(&["trends", "--vault", "--home", h]));
    assert!(err.contains("incident import"), "{err}");
    let incidents = crate::corpus::corpus_file("incidents.jsonl");
    let incidents = incidents.to_str().unwrap();
    ok(tazan(&["incident", "import", incidents, "--home", h]));
    let report: Value = ok_json(tazan(&[
        "trends", "--vault", "--home", h, "--format", "json",
    ]));
    assert_eq!(report["subject"], "incidents");
    assert_eq!(report["total"], 25);
    assert_eq!(report["suppressed_under"], 0, "own record: exact counts");
    // Every stated cause, counted exactly (singletons too).
    let text = std::fs::read_to_string(incidents).unwrap();
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let stated = v["direct_cause"].as_str().unwrap();
        let key = match stated.parse::<tazan_model::CauseCategory>() {
            Ok(c) => c.as_str().to_owned(),
            Err(_) => tazan_search::classify_cause(stated)
                .unwrap_or(stated)
                .to_owned(),
        };
        *want.entry(key).or_default() += 1;
    }
    let got: BTreeMap<String, u64> = report["by_cause"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_owned(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(
        got.values().any(|n| *n < 3),
        "the corpus has small cells, shown here"
    );
    for by in ["by_period", "by_stage", "by_outage", "by_industry"] {
        let sum: u64 = report[by]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, 25, "{by}: {report}");
    }
    assert_eq!(report["per_month"]["months"], 6, "{report}");
    // The text table and the SVG say what they count.
    assert!(ok(tazan(&["trends", "--vault", "--home", h])).starts_with("incidents: 25"));
    let svg = ok(tazan(&[
        "trends", "--vault", "--home", h, "--format", "svg",
    ]));
    assert!(svg.contains("障害事例 25 件の傾向"), "{svg}");
}
