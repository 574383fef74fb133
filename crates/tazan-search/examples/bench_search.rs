//! Index and search benchmark on synthetic lessons.
//!
//! `cargo run --release -p tazan-search --example bench_search -- [n_docs] [n_queries] [seed] [dir]`
//! (defaults: 100000 1000 42, a temporary directory). Prints the report as JSON.
//! `TAZAN_BENCH_RANKING='{"feedback_docs": 0}'` overrides ranking knobs (what does one cost?).

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
    let mut ranking = serde_json::to_value(tazan_search::RankingConfig::default())?;
    if let Ok(overrides) = std::env::var("TAZAN_BENCH_RANKING") {
        let o: serde_json::Value = serde_json::from_str(&overrides)?;
        for (k, v) in o.as_object().into_iter().flatten() {
            ranking[k] = v.clone();
        }
    }
    let ranking: tazan_search::RankingConfig = serde_json::from_value(ranking)?;
    let report = tazan_search::bench_with(n_docs, n_queries, seed, Some(&dir), &ranking)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
