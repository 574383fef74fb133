//! Running a topology directory on this machine: `tazan up`, `tazan status`,
//! `tazan down` (the supervisor itself is `tazan::supervise`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use tazan::supervise::{Local, State, Stopped};

use super::shutdown_signal;

#[derive(Debug, Args)]
pub(crate) struct UpArgs {
    /// Topology directory: deploy/local, or one made by `tazan topology create`.
    pub(crate) dir: PathBuf,
    /// Start in the background (logs in DIR/logs/, pid files in DIR/run/) and return once all are healthy.
    #[arg(long)]
    pub(crate) detach: bool,
    /// Seconds to wait for every service to become healthy.
    #[arg(long, default_value_t = 60)]
    pub(crate) timeout: u64,
    /// No progress bar.
    #[arg(long)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Topology directory.
    #[arg(required_unless_present = "config")]
    pub(crate) dir: Option<PathBuf>,
    /// One service instead: its hub.toml or node.toml (asked through its admin socket when it
    /// runs, read from its store when it is stopped).
    #[arg(long, value_name = "FILE", conflicts_with = "dir")]
    pub(crate) config: Option<PathBuf>,
    /// One JSON object: {"healthy": bool, "services": [...]} (with --config: the service's figures).
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DownArgs {
    /// Topology directory.
    pub(crate) dir: PathBuf,
    /// Seconds each tier gets to stop after SIGTERM before SIGKILL.
    #[arg(long, default_value_t = 20)]
    pub(crate) timeout: u64,
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) const UP_HELP: &str = "\
Example:
  tazan up deploy/local             # foreground, prefixed logs; Ctrl-C stops every service
  tazan up deploy/local --detach    # background; returns once all are healthy
  tazan status deploy/local
  tazan down deploy/local

The first `up` of deploy/local generates its keys, certificates and signed rosters
(never committed; see deploy/README.md). Data stays in DIR/<service>/data across down/up.";

pub(crate) const STATUS_HELP: &str = "\
Example:
  tazan status deploy/local
  tazan status deploy/local --json | jq '.services[] | select(.state != \"running\")'
  tazan status --config /var/lib/tazan/finance/hub.toml

Exit code 0 when every service runs and answers its health check, 1 otherwise. With --config,
0 when the service runs (answers its admin socket), 1 when it is stopped (its figures are then
read from its store).";

pub(crate) const DOWN_HELP: &str = "\
Example:
  tazan down deploy/local

Stops nodes, then group hubs, then the cross hub (SIGTERM; SIGKILL after --timeout)
and removes the pid files. Running it again is harmless.";

pub(crate) async fn up(args: UpArgs) -> Result<ExitCode> {
    let local = Local::open(&args.dir)?;
    if local.bootstrapped {
        eprintln!(
            "generated keys, certificates and signed rosters in {} (first start)",
            local.dir.display()
        );
    }
    let exe = std::env::current_exe().context("finding the tazan executable")?;
    let timeout = Duration::from_secs(args.timeout);
    if args.detach {
        local.up_detached(&exe, timeout, args.quiet).await?;
        for s in &local.services {
            println!(
                "{:<18} {:<10} up   log {}",
                s.name,
                s.role.as_str(),
                local.log_file(s).display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let ok = local
        .up_foreground(&exe, timeout, shutdown_signal())
        .await?;
    Ok(exit_code(ok))
}

fn exit_code(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub(crate) async fn status(args: StatusArgs) -> Result<ExitCode> {
    if let Some(config) = &args.config {
        let svc = tazan::service::Service::load(config)?;
        let st = tazan::service::status(&svc).await?;
        if args.json {
            println!("{}", serde_json::to_string(&st)?);
        } else {
            println!("{st}");
        }
        return Ok(exit_code(st.running));
    }
    let dir = args.dir.unwrap_or_default();
    let local = Local::open(&dir)?;
    let services = local.status().await;
    let healthy = services.iter().all(|s| s.state == State::Running);
    if args.json {
        println!(
            "{}",
            serde_json::json!({"dir": local.dir, "healthy": healthy, "services": services})
        );
    } else {
        println!(
            "{:<18} {:<10} {:<10} {:>8} {:>9} {:>10} {:>7}",
            "SERVICE", "ROLE", "STATE", "PID", "LOG HEAD", "RELAY LAG", "OUTBOX"
        );
        let num = |v: Option<u64>| v.map_or("-".to_owned(), |v| v.to_string());
        for s in &services {
            println!(
                "{:<18} {:<10} {:<10} {:>8} {:>9} {:>10} {:>7}",
                s.name,
                s.role.as_str(),
                s.state.as_str(),
                s.pid.map_or("-".to_owned(), |p| p.to_string()),
                num(s.log_head),
                num(s.relay_lag),
                num(s.outbox_depth),
            );
        }
        for s in services.iter().filter(|s| s.problem.is_some()) {
            println!("{}: {}", s.name, s.problem.as_deref().unwrap_or_default());
        }
    }
    Ok(exit_code(healthy))
}

pub(crate) async fn down(args: DownArgs) -> Result<ExitCode> {
    let local = Local::open_to_stop(&args.dir)?;
    let stopped = local.down(Duration::from_secs(args.timeout)).await?;
    if args.json {
        let rows: Vec<_> = stopped
            .iter()
            .map(|(name, pid, how)| serde_json::json!({"name": name, "pid": pid, "stopped": how}))
            .collect();
        println!("{}", serde_json::Value::Array(rows));
    } else {
        for (name, pid, how) in &stopped {
            let what = match how {
                Stopped::Terminated => "stopped",
                Stopped::Killed => "killed (did not stop after SIGTERM)",
                Stopped::Gone => "was not running",
            };
            match pid {
                Some(pid) => println!("{name:<18} {what} (pid {pid})"),
                None => println!("{name:<18} {what}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
