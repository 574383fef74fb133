//! Batch anonymisation, quality evaluations and benchmarks.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::print_report;
use crate::cli::{BenchCmd, EvalCmd};

pub(super) fn sanitize(
    input: &Path,
    output: &Path,
    policy: Option<&Path>,
    level: &str,
) -> Result<ExitCode> {
    let policy = match policy {
        Some(p) => tazan_sanitize::Policy::load(p)?,
        None => tazan_sanitize::Policy::builtin(),
    };
    let level: tazan_sanitize::DisclosureLevel = level.parse().context("--level")?;
    let summary = tazan_sanitize::sanitize_jsonl(input, output, &policy, level)?;
    eprintln!("{summary:?}");
    Ok(ExitCode::SUCCESS)
}

pub(super) fn eval(cmd: EvalCmd) -> Result<ExitCode> {
    match cmd {
        EvalCmd::Sanitize {
            output,
            annotations,
            json,
        } => {
            let report = tazan_sanitize::evaluate(&output, &annotations)?;
            print_report(&report, json)
        }
        EvalCmd::Search {
            catalog,
            scenarios,
            json,
        } => {
            let index = tazan_search::SearchIndex::in_ram()?;
            for doc in tazan_search::load_catalog(&catalog)? {
                index.upsert(&doc)?;
            }
            index.commit()?;
            let report = tazan_search::evaluate(&index, &scenarios)?;
            print_report(&report, json)
        }
    }
}

pub(super) async fn bench(cmd: BenchCmd) -> Result<ExitCode> {
    match cmd {
        BenchCmd::Search {
            docs,
            queries,
            seed,
            dir,
            json,
        } => {
            let tmp = tempfile::Builder::new()
                .prefix("tazan-bench-search-")
                .tempdir()?;
            let dir = dir.unwrap_or_else(|| tmp.path().to_owned());
            let report = tokio::task::spawn_blocking(move || {
                tazan_search::bench(docs, queries, seed, Some(&dir))
            })
            .await
            .context("search benchmark task")??;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!("{}", serde_json::to_string_pretty(&report)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        BenchCmd::Federation {
            json,
            ingest_lessons,
            latency_lessons,
            rate,
            hub_search,
        } => {
            let report = tazan::bench::federation(tazan::bench::FederationParams {
                ingest_lessons,
                latency_lessons,
                rate,
                hub_search,
            })
            .await?;
            print_report(&report, json)
        }
    }
}
