//! Retrieval quality on the shared scenarios, our own validation set and the situation set
//! tuned on (issue #12), all judged against the shared catalogue (`#[ignore]`d without the
//! corpus, see `tests/support/corpus.rs`); the frozen situation sets are reported by
//! `tazan eval search`, and the fifth and sixth have a floor below their measured figures so
//! that a later change cannot lose them unseen. Common words and robustness also on the project's own
//! catalogue.
#![allow(clippy::unwrap_used)] // test harness: a failure should panic with the error

use std::path::Path;

use tazan_search::{evaluate, SearchIndex};

mod common;
use common::{
    catalogue_index, own_catalogue_index, scenarios, HOLDOUT, OWN_CATALOG, SITUATIONS_DEV,
    SITUATIONS_FROZEN5, SITUATIONS_FROZEN6, VALIDATION,
};

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
    let dev = evaluate(&idx, Path::new(SITUATIONS_DEV)).unwrap();
    println!("situations-dev (tuned on)\n{dev}");
    assert!(
        dev.ndcg_at_10 >= 0.84,
        "situations-dev nDCG@10 {:.3} < 0.84",
        dev.ndcg_at_10
    );
    // Held out: 0.767 when its floor was set (BENCHMARKS.md, fifth held-out set); the
    // margin allows a change that is better elsewhere, not a loss of a tenth.
    let frozen5 = evaluate(&idx, Path::new(SITUATIONS_FROZEN5)).unwrap();
    assert!(
        frozen5.ndcg_at_10 >= 0.74,
        "situations-frozen5 nDCG@10 {:.3} < 0.74",
        frozen5.ndcg_at_10
    );
    // Held out: 0.853 when its floor was set (BENCHMARKS.md, sixth held-out set).
    let frozen6 = evaluate(&idx, Path::new(SITUATIONS_FROZEN6)).unwrap();
    assert!(
        frozen6.ndcg_at_10 >= 0.82,
        "situations-frozen6 nDCG@10 {:.3} < 0.82",
        frozen6.ndcg_at_10
    );
}

/// Common words are ranked low but never dropped: a query made only of them still finds
/// every lesson that contains them (issue #12: 障害 is in 25 of the 27 lessons).
mod common_words {
    use super::*;
    use proptest::prelude::*;
    use tazan_search::{IndexDoc, SearchRequest};

    /// The shared catalogue (corpus tests only).
    fn index() -> &'static (SearchIndex, Vec<IndexDoc>) {
        static INDEX: std::sync::OnceLock<(SearchIndex, Vec<IndexDoc>)> =
            std::sync::OnceLock::new();
        INDEX.get_or_init(|| {
            let docs = tazan_search::load_catalog(&common::lessons()).unwrap();
            (catalogue_index(), docs)
        })
    }

    /// The project's own example catalogue (always there).
    fn own_index() -> &'static (SearchIndex, Vec<IndexDoc>) {
        static INDEX: std::sync::OnceLock<(SearchIndex, Vec<IndexDoc>)> =
            std::sync::OnceLock::new();
        INDEX.get_or_init(|| {
            let docs = tazan_search::load_catalog(Path::new(OWN_CATALOG)).unwrap();
            (own_catalogue_index(), docs)
        })
    }

    fn text(d: &IndexDoc) -> String {
        let mut t = vec![d.title.clone(), d.problem.clone()];
        t.extend(d.keywords.iter().cloned());
        t.extend(d.examples.iter().cloned());
        t.join("\n")
    }

    fn search(q: &str) -> Vec<String> {
        search_in(&index().0, q)
    }

    fn search_in(idx: &SearchIndex, q: &str) -> Vec<String> {
        idx.search(&SearchRequest {
            query: q.into(),
            limit: 100,
            ..SearchRequest::default()
        })
        .unwrap()
        .into_iter()
        .map(|h| h.r#ref.unwrap_or(h.id))
        .collect()
    }

    #[test]
    #[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
    fn corpus_a_query_of_common_words_finds_every_lesson_that_has_them() {
        let (_, docs) = index();
        for word in [
            "障害",
            "システム",
            "障害 システム",
            "ＳＹＳＴＥＭ障害 システム",
        ] {
            let mut want: Vec<String> = docs
                .iter()
                .filter(|d| word.split(' ').any(|w| text(d).contains(w)))
                .map(|d| d.r#ref.clone().unwrap())
                .collect();
            assert!(want.len() >= 25, "{word}: the premise");
            // Exactly the lessons holding the words: their rarer equivalents (トラブル
            // for 障害) would outweigh the reader's own words.
            let mut got = search(word);
            got.sort();
            want.sort();
            assert_eq!(got, want, "{word}");
        }
    }

    #[test]
    #[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
    fn corpus_a_common_word_beside_a_rare_one_ranks_by_the_rare_one() {
        let got = search("障害 フェールソフト");
        assert_eq!(got[0], "T1", "{got:?}");
    }

    #[test]
    #[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
    fn corpus_words_without_an_index_term_are_looked_up_as_written() {
        // ふくそう is in hiragana (no term); 鰻 is nowhere.
        let (_, docs) = index();
        let with: Vec<String> = docs
            .iter()
            .filter(|d| text(d).contains("ふくそう"))
            .map(|d| d.r#ref.clone().unwrap())
            .collect();
        assert_eq!(with.len(), 1);
        // Found as written first; lessons on its synonyms (輻輳, 過負荷 …) follow.
        assert_eq!(search("ふくそう")[..1], with[..]);
        assert!(search("鰻").is_empty(), "in no lesson and no synonym");
        assert!(search("の").is_empty(), "a lone particle is no word");
    }

    /// A run of word characters of a lesson (no punctuation), 2 to 4 long.
    fn word_of(docs: &[IndexDoc], pick: (usize, usize, usize)) -> Option<String> {
        let d = &docs[pick.0 % docs.len()];
        let chars: Vec<char> = d.title.chars().collect();
        let start = pick.1 % chars.len();
        let len = 2 + pick.2 % 3;
        let w: String = chars[start..].iter().take(len).collect();
        let is_word = |c: char| c.is_alphanumeric() || ('\u{3041}'..='\u{30FF}').contains(&c);
        (w.chars().count() == len && w.chars().all(is_word)).then_some(w)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Never an empty answer for a word a lesson contains.
        #[test]
        #[ignore = "reads the shared corpus (../shared/corpus or $TAZAN_CORPUS_DIR); scripts/test runs it when present"]
        fn corpus_any_word_of_a_lesson_finds_something(pick in (0usize..1000, 0usize..1000, 0usize..3)) {
            let (_, docs) = index();
            if let Some(w) = word_of(docs, pick) {
                prop_assert!(!search(&w).is_empty(), "{w:?} found nothing");
            }
        }

        /// The same over the project's own catalogue, which is always there.
        #[test]
        fn any_word_of_an_own_lesson_finds_something(pick in (0usize..1000, 0usize..1000, 0usize..3)) {
            let (idx, docs) = own_index();
            if let Some(w) = word_of(docs, pick) {
                prop_assert!(!search_in(idx, &w).is_empty(), "{w:?} found nothing");
            }
        }
    }
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
