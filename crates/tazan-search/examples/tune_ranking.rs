//! Ranking tuning tool: nDCG@10 and MAP of ranking variants on the shared
//! scenarios and the crate's validation queries (never on the hold-out set).
//!
//! `cargo run --release -p tazan-search --example tune_ranking -- sweep`
//! (one knob at a time from the defaults) or `-- grid` (the main knobs
//! together, best 40 printed). The defaults in `RankingConfig` came from
//! these; `tests/quality.rs` asserts the floor they reach.
#![allow(clippy::unwrap_used)] // a tuning tool: a failure should panic with the error

use std::path::Path;

use tazan_search::{evaluate, load_scenarios, RankingConfig, SearchIndex};

#[path = "../tests/common/mod.rs"]
mod common;
use common::{scenarios, VALIDATION};

fn main() {
    let mut idx = common::catalogue_index();
    match std::env::args().nth(1).as_deref() {
        Some("grid") => grid(&mut idx),
        Some("sweep") | None => sweep(&mut idx),
        Some(other) => eprintln!("unknown mode {other:?}: use sweep or grid"),
    }
}

fn sweep(idx: &mut SearchIndex) {
    let mut run = |name: &str, r: RankingConfig| {
        idx.set_ranking(r);
        let s = evaluate(idx, &scenarios()).unwrap();
        let v = evaluate(idx, Path::new(VALIDATION)).unwrap();
        println!(
            "{name:<28} shared {:.3}/{:.3}  own {:.3}/{:.3}",
            s.ndcg_at_10, s.map, v.ndcg_at_10, v.map
        );
    };
    let base = RankingConfig::default();
    run(
        "plain (no syn/prior/prf)",
        RankingConfig {
            synonym_weight: 0.0,
            feedback_docs: 0,
            domain_prior: 0.0,
            max_df_ratio: 1.0,
            max_query_terms: 10_000,
            ..base.clone()
        },
    );
    run("default", base.clone());
    for dp in [0.0, 0.2, 0.5] {
        run(
            &format!("domain_prior {dp}"),
            RankingConfig {
                domain_prior: dp,
                ..base.clone()
            },
        );
    }
    for sw in [0.0, 0.2] {
        run(
            &format!("synonym {sw}"),
            RankingConfig {
                synonym_weight: sw,
                ..base.clone()
            },
        );
    }
    for fb in [2, 3, 5] {
        run(
            &format!("feedback docs {fb}"),
            RankingConfig {
                feedback_docs: fb,
                ..base.clone()
            },
        );
    }
    for mq in [12, 16, 24, 1000] {
        run(
            &format!("max_query_terms {mq}"),
            RankingConfig {
                max_query_terms: mq,
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
fn grid(idx: &mut SearchIndex) {
    let shared = load_scenarios(&scenarios()).unwrap();
    let own = load_scenarios(Path::new(VALIDATION)).unwrap();
    let mut rows = Vec::new();
    for dp in [0.2, 0.3, 0.4, 0.5] {
        for m in [0.3, 0.5] {
            for mq in [32, 48, 64, 1000] {
                for sw in [0.3, 0.4, 0.5] {
                    let r = RankingConfig {
                        domain_prior: dp,
                        max_df_ratio: m,
                        max_query_terms: mq,
                        synonym_weight: sw,
                        ..RankingConfig::default()
                    };
                    idx.set_ranking(r);
                    let s = tazan_search::evaluate_scenarios(idx, &shared).unwrap();
                    let v = tazan_search::evaluate_scenarios(idx, &own).unwrap();
                    let all = (s.ndcg_at_10 * 2.0 + v.ndcg_at_10 * 20.0) / 22.0;
                    rows.push((
                        all,
                        s.ndcg_at_10,
                        v.ndcg_at_10,
                        format!("dp{dp} df{m} mq{mq} sw{sw}"),
                    ));
                }
            }
        }
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for r in rows.iter().take(40) {
        println!("{:.3}  shared {:.3} own {:.3}  {}", r.0, r.1, r.2, r.3);
    }
}
