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
    threads: usize,
    json: bool,
) -> Result<ExitCode> {
    let policy = load_policy(policy)?;
    let level: tazan_sanitize::DisclosureLevel = level.parse().context("--level")?;
    let summary = tazan_sanitize::sanitize_jsonl(input, output, &policy, level, threads)?;
    for e in &summary.parse_errors {
        eprintln!("error: {e}");
    }
    if json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        let dictionary = match &summary.dictionary {
            tazan_sanitize::DictionaryStatus::Loaded { .. } => "on".to_owned(),
            tazan_sanitize::DictionaryStatus::Off { reason } => format!("off ({reason})"),
            other => format!("{other:?}"),
        };
        println!(
            "{} records at {}: {} ok, {} blocked by the leak gate, {} unreadable; {} chars in {} ms; IPADIC recogniser {dictionary}\nwritten to {}",
            summary.records,
            summary.level,
            summary.ok,
            summary.blocked,
            summary.parse_errors.len(),
            summary.chars,
            summary.elapsed_ms,
            output.display()
        );
    }
    // Unreadable records are a failure of the run; blocked ones are its result.
    Ok(if summary.parse_errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn load_policy(policy: Option<&Path>) -> Result<tazan_sanitize::Policy> {
    Ok(match policy {
        Some(p) => tazan_sanitize::Policy::load(p)?,
        None => tazan_sanitize::Policy::builtin(),
    })
}

pub(super) fn eval(cmd: EvalCmd) -> Result<ExitCode> {
    match cmd {
        EvalCmd::Sanitize {
            incidents,
            output,
            annotations,
            level,
            policy,
            show_leaks,
            json,
        } => {
            let report = match (incidents, output) {
                (Some(incidents), _) => {
                    let sanitizer = tazan_sanitize::Sanitizer::new(
                        &load_policy(policy.as_deref())?,
                        level
                            .as_deref()
                            .unwrap_or("GREEN")
                            .parse()
                            .context("--level")?,
                    )?;
                    tazan_sanitize::evaluate_incidents(&sanitizer, &incidents, &annotations)?
                }
                (None, Some(output)) => tazan_sanitize::evaluate(&output, &annotations)?,
                (None, None) => anyhow::bail!("give --incidents FILE or --output FILE"),
            };
            // Raw text only when asked for: a held-out set's leaks stay unseen.
            let report = if show_leaks {
                report
            } else {
                report.without_raw_text()
            };
            let code = print_report(&report, json)?;
            if show_leaks && !json {
                print!("{}", report.details());
            }
            Ok(code)
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
        EvalCmd::Related {
            lessons,
            sample,
            newer,
            k,
            seed,
            catalog,
            scenarios,
            json,
        } => {
            let params = tazan::bench::RelatedParams {
                lessons,
                sample,
                newer,
                k,
                seed,
                catalog,
                scenarios,
            };
            print_report(&tazan::bench::related(&params)?, json)
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
        BenchCmd::Portal {
            lessons,
            clients,
            requests,
            seed,
            json,
        } => {
            let params = tazan::bench::PortalParams {
                lessons,
                clients,
                requests,
                seed,
            };
            print_report(&tazan::bench::portal(params).await?, json)
        }
        BenchCmd::HubStart {
            lessons,
            seed,
            json,
        } => {
            let params = tazan::bench::HubStartParams { lessons, seed };
            print_report(&tazan::bench::hub_start(params).await?, json)
        }
        BenchCmd::Sanitize {
            records,
            input,
            level,
            presidio,
            presidio_python,
            repeat,
            json,
        } => {
            let params = tazan::bench::SanitizeParams {
                repeat: repeat.into(),
                records,
                input,
                sources: tazan::bench::default_sources(),
                level: level.parse().context("--level")?,
                presidio: presidio.map(|n| tazan::bench::PresidioParams {
                    python: presidio_python.unwrap_or_else(presidio_venv_python),
                    script: "scripts/presidio-bench.py".into(),
                    records: n,
                }),
            };
            let report = tokio::task::spawn_blocking(move || tazan::bench::sanitize(&params))
                .await
                .context("sanitize benchmark task")??;
            print_report(&report, json)
        }
        BenchCmd::Backup {
            lessons,
            rate,
            sync_step_kib,
            json,
        } => print_report(
            &tazan::bench::backup(tazan::bench::BackupParams {
                lessons,
                rate,
                sync_step: sync_step_kib.map(|k| k << 10),
            })
            .await?,
            json,
        ),
        BenchCmd::Scale {
            groups,
            members,
            lessons,
            limit_s,
            json,
        } => {
            let report = tazan::bench::scale(tazan::bench::ScaleParams {
                groups,
                members,
                lessons,
                exe: std::env::current_exe().context("finding the tazan binary")?,
                limit: std::time::Duration::from_secs(limit_s),
            })
            .await?;
            print_report(&report, json)
        }
        BenchCmd::Soak {
            kills,
            outage_s,
            idle,
            batch,
            rate,
            no_disk,
            disk_mib,
            json,
        } => {
            let params = tazan::bench::SoakParams {
                kills,
                outage: std::time::Duration::from_secs(outage_s),
                idle,
                batch,
                rate,
                disk: !no_disk,
                disk_mib,
                exe: std::env::current_exe().context("finding the tazan binary")?,
            };
            let monitor = std::sync::Arc::new(tazan::bench::SoakMonitor::default());
            // On its own task, so that a signal is seen even while the soak
            // blocks (a restart waits up to two minutes for a process).
            let soak = tokio::spawn(tazan::bench::soak(params, monitor.clone()));
            let report = tokio::select! {
                report = soak => report.context("the soak task")??,
                () = super::shutdown_signal() => {
                    // Its processes killed, its tmpfs unmounted, its
                    // directory removed, what it measured printed; exit now
                    // rather than wait for a blocked restart to return.
                    eprintln!("{}", monitor.stop_now());
                    std::process::exit(130);
                }
            };
            print_report(&report, json)?;
            Ok(if report.holds() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        BenchCmd::Federation {
            json,
            ingest_lessons,
            latency_lessons,
            rate,
            hub_search,
            sustain_step_secs,
            sustain_max_rate,
        } => {
            let report = tazan::bench::federation(tazan::bench::FederationParams {
                ingest_lessons,
                latency_lessons,
                rate,
                hub_search,
                sustain_step_secs,
                sustain_max_rate,
            })
            .await?;
            print_report(&report, json)
        }
    }
}

/// The venv `scripts/setup-presidio.sh` makes.
fn presidio_venv_python() -> std::path::PathBuf {
    std::env::var_os("TAZAN_PRESIDIO_VENV")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| std::path::PathBuf::from(h).join(".cache/tazan/presidio-venv"))
        })
        .unwrap_or_else(|| std::path::PathBuf::from("presidio-venv"))
        .join("bin/python")
}
