//! Ranking tuning tool: nDCG@10 and MAP of ranking variants on the situation set written
//! for tuning (`situations-dev`), the crate's validation queries and the shared scenarios.
//! It never reads the frozen situation sets; only `score` reads the issue-6 hold-out
//! queries (the fifth ranking pass of issue #12 checked its changes on them too).
//!
//! `cargo run --release -p tazan-search --example tune_ranking -- MODE`:
//! `sweep` (one knob at a time from the defaults), `grid` (the main knobs together, best
//! 30 by dev nDCG@10), `compare '{"knob": value}'` (per dev query, defaults against an
//! override), `score '{"knob": value}'` (the means of dev, validation, shared scenarios and
//! hold-out under the defaults with the overrides), `fields` (title and keywords repeated
//! in the text, examples dropped),
//! `explain sd-08` (a dev query's terms, weights and document frequencies, and where its
//! judged lessons rank), `routes` (each dev query's judged purpose, its route and margin),
//! `wrong-routes '{"knob": value}'` (each dev query ranked with no route, its own route,
//! its judged purpose and each wrong purpose: what routing is worth and what a wrong
//! route costs). The defaults in `RankingConfig` came from these;
//! `tests/quality.rs` asserts the floor they reach.
#![allow(clippy::unwrap_used)] // a tuning tool: a failure should panic with the error

use std::path::Path;

use tazan_search::{evaluate_scenarios, load_scenarios, RankingConfig, Scenario, SearchIndex};

#[path = "../tests/common/mod.rs"]
mod common;
use common::{scenarios, SITUATIONS_DEV, VALIDATION};

struct Sets {
    dev: Vec<Scenario>,
    validation: Vec<Scenario>,
    shared: Vec<Scenario>,
}

fn main() {
    let mut idx = common::catalogue_index();
    let sets = Sets {
        dev: load_scenarios(Path::new(SITUATIONS_DEV)).unwrap(),
        validation: load_scenarios(Path::new(VALIDATION)).unwrap(),
        shared: load_scenarios(&scenarios()).unwrap(),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("explain") => explain(&idx, &sets, args.get(1).map_or("", String::as_str)),
        Some("sweep") | None => sweep(&mut idx, &sets),
        Some("fields") => fields(&sets),
        Some("grid") => grid(&mut idx, &sets),
        Some("score") => {
            idx.set_ranking(with_overrides(args.get(1).map_or("{}", String::as_str)));
            let (d, v, s) = score(&idx, &sets);
            let h = load_scenarios(Path::new(common::HOLDOUT)).unwrap();
            let h = evaluate_scenarios(&idx, &h).unwrap().ndcg_at_10;
            println!("dev {d:.3}  validation {v:.3}  shared {s:.3}  holdout {h:.3}");
        }
        Some("routes") => routes(&sets),
        Some("wrong-routes") => {
            wrong_routes(&mut idx, &sets, args.get(1).map_or("{}", String::as_str))
        }
        Some("compare") => compare(&mut idx, &sets, args.get(1).map_or("{}", String::as_str)),
        Some(other) => eprintln!(
            "unknown mode {other:?}: use sweep, grid, score, compare, fields, routes, wrong-routes or explain ID"
        ),
    }
}

fn score(idx: &SearchIndex, sets: &Sets) -> (f64, f64, f64) {
    let e = |s: &[Scenario]| evaluate_scenarios(idx, s).unwrap().ndcg_at_10;
    (e(&sets.dev), e(&sets.validation), e(&sets.shared))
}

fn sweep(idx: &mut SearchIndex, sets: &Sets) {
    let mut run = |name: &str, r: RankingConfig| {
        idx.set_ranking(r);
        let (d, v, s) = score(idx, sets);
        println!("{name:<32} dev {d:.3}  validation {v:.3}  shared {s:.3}");
    };
    let base = RankingConfig::default();
    run("default", base.clone());
    for cw in [0.1, 0.3, 0.5] {
        run(
            &format!("common_term_weight {cw}"),
            RankingConfig {
                common_term_weight: cw,
                ..base.clone()
            },
        );
    }
    for ew in [0.4, 0.6, 0.8, 1.0] {
        run(
            &format!("equivalent_weight {ew}"),
            RankingConfig {
                equivalent_weight: ew,
                ..base.clone()
            },
        );
        run(
            "  + max_df 1",
            RankingConfig {
                equivalent_weight: ew,
                max_df_ratio: 1.0,
                ..base.clone()
            },
        );
    }
    for kw in [0.0, 0.3, 0.6] {
        run(
            &format!("katakana_part {kw} (ew .4)"),
            RankingConfig {
                katakana_part_weight: kw,
                equivalent_weight: 0.4,
                ..base.clone()
            },
        );
    }
    for dp in [0.0, 0.2, 0.6] {
        run(
            &format!("domain_prior {dp}"),
            RankingConfig {
                domain_prior: dp,
                ..base.clone()
            },
        );
    }
    for sw in [0.0, 0.2, 0.6] {
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
    for m in [0.3, 0.7, 1.0] {
        run(
            &format!("max_df {m}"),
            RankingConfig {
                max_df_ratio: m,
                ..base.clone()
            },
        );
    }
}

fn explain(idx: &SearchIndex, sets: &Sets, id: &str) {
    let Some(s) = sets.dev.iter().chain(&sets.validation).find(|s| s.id == id) else {
        eprintln!("no query {id:?} in the dev or validation set");
        return;
    };
    println!("{}\n", s.query);
    for (t, w, df) in idx.explain(&s.query).unwrap() {
        println!("  {t:<12} w {w:.2}  df {df}");
    }
    let report = evaluate_scenarios(idx, std::slice::from_ref(s)).unwrap();
    println!("\n{report}");
}

/// Per dev query: nDCG@10 under the defaults and under the defaults with the given JSON
/// overrides (`{"equivalent_weight": 0.4}`).
fn compare(idx: &mut SearchIndex, sets: &Sets, overrides: &str) {
    let candidate = with_overrides(overrides);
    idx.set_ranking(RankingConfig::default());
    let a = evaluate_scenarios(idx, &sets.dev).unwrap();
    idx.set_ranking(candidate);
    let b = evaluate_scenarios(idx, &sets.dev).unwrap();
    for (x, y) in a.per_query.iter().zip(&b.per_query) {
        let mark = if (y.ndcg_at_10 - x.ndcg_at_10).abs() < 0.005 {
            ""
        } else if y.ndcg_at_10 > x.ndcg_at_10 {
            "+"
        } else {
            "-"
        };
        println!(
            "{:<6} {:.3} -> {:.3} {mark:<2} {}",
            x.id,
            x.ndcg_at_10,
            y.ndcg_at_10,
            y.top10.join(" ")
        );
    }
    println!("mean   {:.3} -> {:.3}", a.ndcg_at_10, b.ndcg_at_10);
}

/// Field weighting without a schema change: the title and keywords repeated in the text.
fn fields(sets: &Sets) {
    for (title_times, kw_times, examples) in [
        (1, 1, true),
        (2, 1, true),
        (2, 2, true),
        (3, 3, true),
        (1, 1, false),
        (2, 2, false),
    ] {
        let idx = SearchIndex::in_ram().unwrap();
        for mut d in tazan_search::load_catalog(&common::lessons()).unwrap() {
            let (t, k) = (d.title.clone(), d.keywords.clone());
            for _ in 1..title_times {
                d.keywords.push(t.clone());
            }
            for _ in 1..kw_times {
                d.keywords.extend(k.iter().cloned());
            }
            if !examples {
                d.examples.clear();
            }
            idx.upsert(&d).unwrap();
        }
        idx.commit().unwrap();
        for ew in [0.0, 0.4] {
            let mut idx2 = idx_with(&idx);
            idx2.set_ranking(RankingConfig {
                equivalent_weight: ew,
                ..RankingConfig::default()
            });
            let (d, v, s) = score(&idx2, sets);
            println!("title x{title_times} keywords x{kw_times} examples {examples} ew {ew}: dev {d:.3} validation {v:.3} shared {s:.3}");
        }
    }
}

fn idx_with(idx: &SearchIndex) -> SearchIndex {
    let out = SearchIndex::in_ram().unwrap();
    for d in idx.all_docs().unwrap() {
        out.upsert(&d).unwrap();
    }
    out.commit().unwrap();
    out
}

/// The main knobs together; the best 30 by dev nDCG@10 (validation and shared beside).
fn grid(idx: &mut SearchIndex, sets: &Sets) {
    let mut rows = Vec::new();
    for ew in [0.3, 0.4] {
        for fb in [0, 5] {
            for kw in [0.3, 1.0] {
                for df in [0.5, 1.0] {
                    for sw in [0.3, 0.4] {
                        for dp in [0.2, 0.4] {
                            let r = RankingConfig {
                                equivalent_weight: ew,
                                feedback_docs: fb,
                                katakana_part_weight: kw,
                                max_df_ratio: df,
                                synonym_weight: sw,
                                domain_prior: dp,
                                ..RankingConfig::default()
                            };
                            idx.set_ranking(r);
                            let (d, v, s) = score(idx, sets);
                            rows.push((
                                d,
                                v,
                                s,
                                format!("ew{ew} fb{fb} kw{kw} df{df} sw{sw} dp{dp}"),
                            ));
                        }
                    }
                }
            }
        }
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (d, v, s, name) in rows.iter().take(30) {
        println!("dev {d:.3} validation {v:.3} shared {s:.3}  {name}");
    }
}

/// The default ranking with the knobs of a JSON object (`{"core_weight": 0}`) overridden.
fn with_overrides(json: &str) -> RankingConfig {
    let mut v = serde_json::to_value(RankingConfig::default()).unwrap();
    let o: serde_json::Value = serde_json::from_str(json).unwrap();
    for (k, x) in o.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::from_value(v).unwrap()
}

/// Per dev query: its judged purpose, where it is routed and with what margin; then the
/// routed queries counted by margin, and how many of them are routed right.
fn routes(sets: &Sets) {
    let mut by_margin: std::collections::BTreeMap<u32, (usize, usize)> = Default::default();
    for s in &sets.dev {
        let route = tazan_model::scene::route_situation(&s.query);
        let judged = s.purpose.as_deref().unwrap_or("-");
        match &route {
            Some(r) => {
                let right = r.purpose.as_str() == judged;
                let e = by_margin.entry(r.margin).or_default();
                e.0 += 1;
                e.1 += usize::from(right);
                println!(
                    "{:<6} {judged:<12} -> {:<12} margin {} {}",
                    s.id,
                    r.purpose.as_str(),
                    r.margin,
                    if right { "right" } else { "WRONG" }
                );
            }
            None => println!("{:<6} {judged:<12} -> (none)", s.id),
        }
    }
    for (m, (n, right)) in by_margin {
        println!("margin {m}: {n} routed, {right} right");
    }
}

/// What routing is worth on dev, and what a wrong route costs: every dev query with a
/// judged purpose ranked with no route, with the route `search` picks, with its judged
/// purpose, and with each of the six other purposes (mean over them), all under the
/// defaults with the given overrides.
fn wrong_routes(idx: &mut SearchIndex, sets: &Sets, overrides: &str) {
    use tazan_model::scene::Route;
    use tazan_model::Purpose;
    idx.set_ranking(with_overrides(overrides));
    let ndcg = |idx: &SearchIndex, s: &Scenario, route: Option<&Route>| {
        let hits = idx
            .search_routed(
                &tazan_search::SearchRequest {
                    query: s.query.clone(),
                    limit: 20,
                    ..Default::default()
                },
                route,
            )
            .unwrap();
        let one = Scenario {
            id: s.id.clone(),
            query: s.query.clone(),
            relevant: s.relevant.clone(),
            grades: s.grades.clone(),
            purpose: None,
        };
        tazan_search::score_hits(&one, &hits).ndcg_at_10
    };
    let (mut none, mut auto, mut right, mut wrong) = (0.0, 0.0, 0.0, 0.0);
    let mut n = 0.0;
    for s in &sets.dev {
        let Some(judged) = s.purpose.as_deref() else {
            continue;
        };
        let judged = Purpose::parse_for("purpose", judged).unwrap();
        let route = |p: Purpose| Route {
            purpose: p,
            scene: None,
            words: Vec::new(),
            margin: 1,
        };
        let a = ndcg(idx, s, None);
        let b = ndcg(
            idx,
            s,
            tazan_model::scene::route_situation(&s.query).as_ref(),
        );
        let c = ndcg(idx, s, Some(&route(judged)));
        let others: Vec<Purpose> = Purpose::ALL
            .iter()
            .copied()
            .filter(|p| *p != judged)
            .collect();
        let d = others
            .iter()
            .map(|p| ndcg(idx, s, Some(&route(*p))))
            .sum::<f64>()
            / others.len() as f64;
        println!(
            "{:<6} none {a:.3}  auto {b:.3}  judged {c:.3}  wrong (mean of 6) {d:.3}",
            s.id
        );
        none += a;
        auto += b;
        right += c;
        wrong += d;
        n += 1.0;
    }
    println!(
        "mean   none {:.3}  auto {:.3}  judged {:.3}  wrong {:.3}",
        none / n,
        auto / n,
        right / n,
        wrong / n
    );
}
