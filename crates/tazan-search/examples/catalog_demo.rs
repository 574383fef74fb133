//! Loads a lesson catalogue (default: the project's `examples/catalog.jsonl`), then shows a search, similar lessons for a raw
//! incident text and for a lesson, trends and the start of a digest.
//!
//! `cargo run -p tazan-search --example catalog_demo -- [lessons.jsonl] ["query"]`

use std::path::PathBuf;

use tazan_search::{
    digest, load_catalog, trends, SearchIndex, SearchRequest, SimilarTo, TrendOptions,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../examples/catalog.jsonl"
            ))
        },
        PathBuf::from,
    );
    let query = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "待機系への自動切替えが働かずサービスが長時間止まった".to_string());
    let docs = load_catalog(&path)?;
    let index = SearchIndex::in_ram()?;
    for d in &docs {
        index.upsert(d)?;
    }
    index.commit()?;

    println!("## search: {query}");
    for h in index.search(&SearchRequest {
        query: query.clone(),
        limit: 5,
        ..SearchRequest::default()
    })? {
        println!(
            "{:>7.2}  {} {}",
            h.score,
            h.r#ref.unwrap_or_default(),
            h.title
        );
    }
    println!("\n## similar to the query as a raw incident");
    for s in index.similar(SimilarTo::Text(&query), 3)? {
        println!(
            "{} {}  {:?}",
            s.hit.r#ref.unwrap_or_default(),
            s.hit.title,
            s.reasons
        );
    }
    if let Some(first) = docs.first() {
        println!(
            "\n## related to {}",
            first.r#ref.clone().unwrap_or_default()
        );
        for s in index.similar(SimilarTo::Lesson(first), 3)? {
            println!(
                "{} {}  {:?}",
                s.hit.r#ref.unwrap_or_default(),
                s.hit.title,
                s.reasons
            );
        }
    }
    println!("\n## trends\n{}", trends(&docs, &TrendOptions::default()));
    let dg = digest(&docs[..2.min(docs.len())], &index, "")?;
    let md = dg.to_markdown();
    println!(
        "## digest (first 40 lines)\n{}",
        md.lines().take(40).collect::<Vec<_>>().join("\n")
    );
    Ok(())
}
