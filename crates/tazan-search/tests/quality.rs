//! Retrieval quality on the shared scenarios and on our own validation set
//! (both judged against the shared catalogue: `#[ignore]`d without the corpus,
//! see `tests/support/corpus.rs`), and robustness on the project's own catalogue.
#![allow(clippy::unwrap_used)] // test harness: a failure should panic with the error

use std::path::Path;

use tazan_search::{evaluate, SearchIndex};

mod common;
use common::{catalogue_index, own_catalogue_index, scenarios, HOLDOUT, VALIDATION};

#[test]
#[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
fn corpus_ndcg_floor_on_shared_and_own_scenarios() {
    let idx = catalogue_index();
    assert_eq!(idx.len(), 27);
    let shared = evaluate(&idx, &scenarios()).unwrap();
    println!("shared scenarios\n{shared}");
    let own = evaluate(&idx, Path::new(VALIDATION)).unwrap();
    println!("validation set\n{own}");
    let holdout = evaluate(&idx, Path::new(HOLDOUT)).unwrap();
    println!("holdout (never tuned on)\n{holdout}");
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

mod robustness {
    use super::*;
    use proptest::prelude::*;
    use tazan_search::{Filters, SearchRequest, SimilarTo};

    fn small_index() -> &'static SearchIndex {
        static INDEX: std::sync::OnceLock<SearchIndex> = std::sync::OnceLock::new();
        INDEX.get_or_init(own_catalogue_index)
    }

    #[test]
    fn index_is_shareable_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SearchIndex>();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any Unicode (combining marks, full-width, emoji, controls, huge limits) is a
        /// valid query: no panic, results bounded and ordered.
        #[test]
        fn any_unicode_query_is_safe(query in "\\PC*", limit in 0usize..5000, raw in any::<String>()) {
            let idx = small_index();
            for q in [query.as_str(), raw.as_str()] {
                let hits = idx.search(&SearchRequest { query: q.to_string(), filters: Filters::default(), limit }).unwrap();
                prop_assert!(hits.len() <= limit.min(8));
                prop_assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
                let sim = idx.similar(SimilarTo::Text(q), 3).unwrap();
                prop_assert!(sim.len() <= 3);
            }
        }

        /// Lessons with arbitrary text index and come back intact; a malformed period is
        /// an error naming the period, never a panic.
        #[test]
        fn arbitrary_lessons_index(title in "\\PC{0,30}", body in any::<String>(), period in "\\PC{0,8}") {
            let idx = SearchIndex::in_ram().unwrap();
            let doc = tazan_search::IndexDoc {
                id: "x".into(),
                title: title.clone(),
                problem: body,
                period: period.clone(),
                ..tazan_search::IndexDoc::default()
            };
            match idx.upsert(&doc) {
                Ok(()) => {
                    idx.commit().unwrap();
                    prop_assert_eq!(idx.get("x").unwrap().unwrap(), doc);
                    let hits = idx.search(&SearchRequest { query: title, limit: 3, ..SearchRequest::default() }).unwrap();
                    prop_assert!(hits.len() <= 1);
                }
                Err(e) => prop_assert!(matches!(e, tazan_search::SearchError::BadPeriod { .. }), "{e}"),
            }
        }

        /// Filters with arbitrary text never panic; malformed periods are errors, not panics.
        #[test]
        fn arbitrary_filters_are_safe(industry in "\\PC{0,8}", period in "\\PC{0,10}") {
            let idx = small_index();
            let req = SearchRequest {
                query: "障害".into(),
                filters: Filters { industries: vec![industry], period_from: Some(period), ..Filters::default() },
                limit: 10,
            };
            let _ = idx.search(&req);
        }
    }
}
