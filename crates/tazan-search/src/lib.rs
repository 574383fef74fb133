//! Full-text search over Japanese lessons (教訓), similar-lesson lookup, trends and digests.
//!
//! ```text
//!  hub log / node library ──► IndexDoc ──► [ SearchIndex (tantivy) ] ──► search · similar
//!  (mapped from tazan-model                      │ upsert / delete / commit
//!   by the node or hub)                          └──► trends · digest · evaluate · bench
//! ```
//!
//! What it does:
//! - indexes [`IndexDoc`]s (a plain mirror of the lesson model) on disk or in memory, with
//!   upsert and delete by id (withdrawals), and exact filters on level, industry, domain,
//!   cause category, usage scene and period range ([`Filters`]);
//! - ranks with BM25 over Japanese-aware terms (no dictionary: kanji bigrams with okurigana
//!   bridging, whole katakana and Latin words, NFKC and long-vowel folding, particles
//!   dropped), a small IT-failure thesaurus, df-based stop terms, a governance/technical
//!   domain prior and a usage-scene prior (a situation query routed to a purpose or scene
//!   lifts the lessons proposed for it); optional pseudo-relevance feedback ([`RankingConfig`]). From 50,000
//!   lessons up, candidates come from the most informative terms and are rescored exactly
//!   with all of them, so a long paragraph query stays within a few milliseconds;
//! - applies filters inside the top-k pruning (levels on a fast field), so a filtered query
//!   costs about what an unfiltered one does;
//! - never answers nothing for a word lessons contain: words found in most lessons are
//!   ranked low (or dropped beside rarer ones) but a query made only of them still ranks
//!   the lessons holding them, and words the index has no term for (hiragana only) are
//!   looked for as written (in the first 20,000 stored lessons);
//! - indexes usage scenes with their purposes, so `scenes` filters browse by purpose, and
//!   fills the scenes of catalogue entries with the model's proposals;
//! - finds similar lessons for a raw incident text or a lesson, with reasons
//!   ([`SearchIndex::similar`]);
//! - counts trends over a slice ([`trends`]), the whole index, streaming
//!   ([`SearchIndex::trends`]), or a company's own raw incidents ([`incident_trends`]), by
//!   cause, industry, period, stage, domain, threat, purpose, scene, impact kind and outage
//!   class, and renders mailing-list digests ([`digest()`]); counts under [`SMALL_CELL`]
//!   are suppressed with complementary suppression, so no total gives one back;
//! - measures a draft's re-identification risk beyond names: how many lessons share its
//!   combination of industry, period, cause, impact figures, region and system kind (k,
//!   [`anonymity()`], also over a whole index with [`SearchIndex::count_sharing`]), which
//!   fields single it out, and the coarser generalisations that raise k ([`coarsen`]);
//! - measures itself: [`evaluate`] (nDCG@10, MAP over judged scenarios) and [`bench()`].
//!
//! What it does not: no morphological analysis (names and places are the sanitizer's job),
//! no access control (callers pass only lessons the reader may see, or filter by level),
//! no networking. Logging: `tracing` events with counts and timings only, never query or
//! lesson text (a query may describe a confidential incident). The node or hub maps its
//! `Lesson` onto [`IndexDoc`] ([`IndexDoc::from_lesson`]).
//!
//! Measured (`tazan eval search`, `tazan bench search`; BENCHMARKS.md): nDCG@10 over the
//! 27-lesson catalogue 0.840 on the situation queries tuned on, 0.771 on the frozen ones,
//! 0.842 on the 20 validation queries, 0.788 on the two shared scenarios; 1,000,000
//! synthetic lessons indexed at 26–35k/s and searched with p99 9–16 ms on two cores
//! shared with other builds (load average 11–13; 4.7 ms on an idle machine before the
//! issue-12 ranking).
//!
//! ```
//! use tazan_search::{IndexDoc, SearchIndex, SearchRequest};
//!
//! let index = SearchIndex::in_ram()?;
//! index.upsert(&IndexDoc {
//!     id: "L1".into(),
//!     title: "待機系への切替えに失敗".into(),
//!     problem: "稼働系サーバーが故障したが自動切替えが働かなかった".into(),
//!     ..IndexDoc::default()
//! })?;
//! index.commit()?;
//! let hits = index.search(&SearchRequest {
//!     query: "サーバの切り替えがうまくいかない".into(),
//!     limit: 10,
//!     ..SearchRequest::default()
//! })?;
//! assert_eq!(hits[0].id, "L1");
//! # Ok::<(), tazan_search::SearchError>(())
//! ```
#![forbid(unsafe_code)]

mod analyze;
mod anonymity;
mod bench;
mod catalog;
mod catalog_lessons;
mod collect;
mod digest;
mod doc;
mod error;
mod eval;
mod index;
mod model;
mod press;
mod related;
mod similar;
mod suppress;
mod synonyms;
mod trends;

/// Where the shared evaluation corpus is, for the unit tests that read it.
#[cfg(test)]
#[path = "../../../tests/support/corpus.rs"]
mod corpus;

pub use anonymity::{
    anonymity, coarsen, Anonymity, Band, Coarsening, Narrowing, QuasiField, QuasiIdentifiers, K_MIN,
};
pub use bench::{bench, bench_with, synthetic_lessons, BenchReport};
pub use catalog::{load_catalog, parse_catalog};
pub use catalog_lessons::{
    load_catalog_lessons, read_catalog_lessons, CatalogLesson, CatalogLineError, CatalogRead,
    NO_CAUSE,
};
pub use digest::{brief, digest, hit_label, label, reason_text, Digest, DigestEntry};
pub use doc::{period_months, IndexDoc};
pub use error::SearchError;
pub use eval::{
    evaluate, evaluate_scenarios, load_scenarios, score_hits, EvalReport, QueryScore, Scenario,
};
pub use index::{Filters, Hit, IndexOptions, RankingConfig, SearchIndex, SearchRequest};
pub use model::iso8601;
pub use press::{load_press_cases, press_table, read_press_cases, Half, PressCase, PressTable};
pub use related::{Neighbour, Neighbours, RelatedStore, RELATED_KEPT, STALE_AFTER};
pub use similar::{
    compare_related, score_similar_texts, Reason, RelatedComparison, SimilarHit, SimilarTextScore,
    SimilarTo,
};
pub use trends::{
    classify_cause, incident_trends, trends, xml_escape, Count, Granularity, ImpactKind,
    MonthAverage, OutageClass, Section, Share, Subject, TrendOptions, TrendReport, SMALL_CELL,
};
