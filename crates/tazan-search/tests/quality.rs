//! Retrieval quality on the shared scenarios and on our own validation set.
#![allow(clippy::unwrap_used)] // test harness: a failure should panic with the error

use std::path::Path;

use tazan_search::{evaluate, load_catalog, SearchIndex};

const LESSONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/lessons.jsonl"
);
const SCENARIOS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/scenarios.jsonl"
);
const VALIDATION: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/validation.jsonl"
);

fn catalogue_index() -> SearchIndex {
    let idx = SearchIndex::in_ram().unwrap();
    for d in load_catalog(Path::new(LESSONS)).unwrap() {
        idx.upsert(&d).unwrap();
    }
    idx.commit().unwrap();
    idx
}

#[test]
fn ndcg_floor_on_shared_and_own_scenarios() {
    let idx = catalogue_index();
    assert_eq!(idx.len(), 27);
    let shared = evaluate(&idx, Path::new(SCENARIOS)).unwrap();
    println!("shared scenarios\n{shared}");
    let own = evaluate(&idx, Path::new(VALIDATION)).unwrap();
    println!("validation set\n{own}");
    assert!(own.per_query.len() >= 10);
    assert!(
        own.ndcg_at_10 >= 0.75,
        "validation nDCG@10 {:.3} < 0.75",
        own.ndcg_at_10
    );
    assert!(
        shared.ndcg_at_10 >= 0.75,
        "shared nDCG@10 {:.3} < 0.75",
        shared.ndcg_at_10
    );
}

/// Parameter sweep used while tuning; run with `--ignored --nocapture`.
#[test]
#[ignore]
fn sweep() {
    use tazan_search::RankingConfig;
    let mut idx = catalogue_index();
    let mut run = |name: &str, r: RankingConfig| {
        idx.set_ranking(r);
        let s = evaluate(&idx, Path::new(SCENARIOS)).unwrap();
        let v = evaluate(&idx, Path::new(VALIDATION)).unwrap();
        println!(
            "{name:<28} shared {:.3}/{:.3}  own {:.3}/{:.3}",
            s.ndcg_at_10, s.map, v.ndcg_at_10, v.map
        );
    };
    let base = RankingConfig::default();
    run(
        "plain (no boost/syn/prf)",
        RankingConfig {
            title_boost: 1.0,
            keywords_boost: 1.0,
            body_boost: 1.0,
            examples_boost: 1.0,
            synonym_weight: 0.0,
            feedback_docs: 0,
            domain_prior: 0.0,
            ..base.clone()
        },
    );
    run("default", base.clone());
    for dp in [0.0, 0.1, 0.2, 0.3, 0.5] {
        run(
            &format!("domain_prior {dp}"),
            RankingConfig {
                domain_prior: dp,
                ..base.clone()
            },
        );
    }
    for sw in [0.0, 0.15, 0.3, 0.5] {
        run(
            &format!("synonym {sw}"),
            RankingConfig {
                synonym_weight: sw,
                ..base.clone()
            },
        );
    }
    for fb in [0, 2, 3, 5] {
        run(
            &format!("feedback docs {fb}"),
            RankingConfig {
                feedback_docs: fb,
                ..base.clone()
            },
        );
    }
    for fw in [0.15, 0.5] {
        run(
            &format!("feedback weight {fw}"),
            RankingConfig {
                feedback_weight: fw,
                ..base.clone()
            },
        );
    }
    for (t, k, e) in [
        (1.0, 1.0, 0.5),
        (2.0, 2.0, 0.5),
        (3.0, 3.0, 0.5),
        (5.0, 3.0, 0.5),
        (3.0, 2.0, 1.0),
        (3.0, 2.0, 0.25),
        (3.0, 2.0, 0.0),
    ] {
        run(
            &format!("boosts t{t} k{k} e{e}"),
            RankingConfig {
                title_boost: t,
                keywords_boost: k,
                examples_boost: e,
                ..base.clone()
            },
        );
    }
    for m in [0.3, 0.5, 0.7] {
        run(
            &format!("max_df {m}"),
            RankingConfig {
                max_df_ratio: m,
                ..base.clone()
            },
        );
    }
}

/// Grid over the main knobs; prints the best settings by mean nDCG over all queries.
#[test]
#[ignore]
fn grid() {
    use tazan_search::{load_scenarios, RankingConfig};
    let mut idx = catalogue_index();
    let shared = load_scenarios(Path::new(SCENARIOS)).unwrap();
    let own = load_scenarios(Path::new(VALIDATION)).unwrap();
    let mut rows = Vec::new();
    for t in [0.25, 0.5, 1.0] {
        for k in [0.25, 0.5, 1.0] {
            for e in [0.75, 1.0, 1.5] {
                for dp in [0.2, 0.3, 0.5] {
                    for m in [0.3, 0.5] {
                        for mq in [24, 32, 1000] {
                            let r = RankingConfig {
                                title_boost: t,
                                keywords_boost: k,
                                examples_boost: e,
                                domain_prior: dp,
                                max_df_ratio: m,
                                max_query_terms: mq,
                                ..RankingConfig::default()
                            };
                            idx.set_ranking(r);
                            let s = tazan_search::evaluate_scenarios(&idx, &shared).unwrap();
                            let v = tazan_search::evaluate_scenarios(&idx, &own).unwrap();
                            let all = (s.ndcg_at_10 * 2.0 + v.ndcg_at_10 * 20.0) / 22.0;
                            rows.push((all, s.ndcg_at_10, v.ndcg_at_10, format!("t{t} k{k} e{e} dp{dp} df{m} mq{mq}")));
                        }
                    }
                }
            }
        }
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for r in rows.iter().take(25) {
        println!("{:.3}  shared {:.3} own {:.3}  {}", r.0, r.1, r.2, r.3);
    }
}
