//! Index and search benchmark on synthetic lessons.
//!
//! `cargo run --release -p tazan-search --example bench_search -- [n_docs] [n_queries] [seed] [dir]`
//! (defaults: 100000 1000 42, a temporary directory). Prints the report as JSON.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n_docs: usize = args.first().map_or(Ok(100_000), |s| s.parse())?;
    let n_queries: usize = args.get(1).map_or(Ok(1_000), |s| s.parse())?;
    let seed: u64 = args.get(2).map_or(Ok(42), |s| s.parse())?;
    let tmp = tempfile::tempdir()?;
    let dir = args
        .get(3)
        .map_or_else(|| tmp.path().to_path_buf(), PathBuf::from);
    let report = tazan_search::bench(n_docs, n_queries, seed, Some(&dir))?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
