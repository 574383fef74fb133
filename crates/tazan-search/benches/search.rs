//! criterion benches: indexing throughput (lessons/s), search latency on 50,000 lessons,
//! and the shared catalogue's scenario queries. Fixed sizes and seeds; short runs.
//!
//! `CARGO_TARGET_DIR=/work/target-search cargo bench -p tazan-search`
//! The 1,000,000-lesson figure comes from `examples/bench_search.rs`.
#![allow(missing_docs)] // criterion_main! generates an undocumented `main`
#![allow(clippy::unwrap_used, clippy::expect_used)] // bench harness: failures should panic

use std::time::Duration;

#[path = "../tests/common/mod.rs"]
mod common;
use common::{lessons, scenarios};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use tazan_search::{
    load_catalog, load_scenarios, synthetic_lessons, Filters, IndexDoc, SearchIndex, SearchRequest,
};

fn indexing(c: &mut Criterion) {
    let docs: Vec<IndexDoc> = synthetic_lessons(5_000, 1).collect();
    let mut g = c.benchmark_group("index");
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("add+commit 5000 synthetic lessons", |b| {
        b.iter_batched(
            || SearchIndex::in_ram().unwrap(),
            |idx| {
                for d in &docs {
                    idx.add(d).unwrap();
                }
                idx.commit().unwrap();
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn searching(c: &mut Criterion) {
    let idx = SearchIndex::in_ram().unwrap();
    for d in synthetic_lessons(50_000, 2) {
        idx.add(&d).unwrap();
    }
    idx.commit().unwrap();
    idx.optimize().unwrap();
    let mut g = c.benchmark_group("search 50k");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    let keyword = SearchRequest {
        query: "負荷分散装置 ファームウェア 不具合".into(),
        limit: 10,
        ..SearchRequest::default()
    };
    g.bench_function("keywords", |b| b.iter(|| idx.search(&keyword).unwrap()));
    let paragraph = SearchRequest {
        query: "夜間のバッチ処理が終わらず、翌朝の窓口業務が止まった。処理量の増加を見込んでいなかった。".into(),
        limit: 10,
        ..SearchRequest::default()
    };
    g.bench_function("paragraph", |b| b.iter(|| idx.search(&paragraph).unwrap()));
    let filtered = SearchRequest {
        filters: Filters {
            industries: vec!["金融".into()],
            levels: vec!["GREEN".into(), "CLEAR".into()],
            ..Filters::default()
        },
        ..paragraph.clone()
    };
    g.bench_function("paragraph, filtered", |b| {
        b.iter(|| idx.search(&filtered).unwrap())
    });
    g.finish();
}

fn catalogue(c: &mut Criterion) {
    let idx = SearchIndex::in_ram().unwrap();
    for d in load_catalog(&lessons()).unwrap() {
        idx.upsert(&d).unwrap();
    }
    idx.commit().unwrap();
    let queries = load_scenarios(&scenarios()).unwrap();
    let mut g = c.benchmark_group("catalogue");
    g.throughput(Throughput::Elements(queries.len() as u64));
    g.sample_size(20).measurement_time(Duration::from_secs(2));
    g.bench_function("shared scenario queries", |b| {
        b.iter(|| {
            for q in &queries {
                idx.search(&SearchRequest {
                    query: q.query.clone(),
                    limit: 10,
                    ..SearchRequest::default()
                })
                .unwrap();
            }
        })
    });
    g.finish();
}

criterion_group!(benches, indexing, searching, catalogue);
criterion_main!(benches);
