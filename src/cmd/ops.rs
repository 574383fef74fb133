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

#[derive(Debug, Args)]
pub(crate) struct RestartArgs {
    /// Topology directory.
    pub(crate) dir: PathBuf,
    /// The service to restart (its directory name, e.g. finance or sakura-bank).
    pub(crate) service: String,
    /// Seconds it gets to stop after SIGTERM before SIGKILL.
    #[arg(long, default_value_t = 20)]
    pub(crate) stop_timeout: u64,
    /// Seconds to wait for it to become healthy again.
    #[arg(long, default_value_t = 60)]
    pub(crate) timeout: u64,
}

pub(crate) const RESTART_HELP: &str = "\
Example:
  tazan restart deploy/local finance       # stop the finance hub if it runs, start it detached
  tazan status deploy/local

The service starts detached (log in DIR/logs/SERVICE.log) and the command returns once it is
healthy. A dead service (its pid file left by a crash) is simply started.";

pub(crate) async fn restart(args: RestartArgs) -> Result<ExitCode> {
    let local = Local::open_to_stop(&args.dir)?;
    let exe = std::env::current_exe().context("finding the tazan executable")?;
    let stopped = local
        .restart(
            &exe,
            &args.service,
            Duration::from_secs(args.stop_timeout),
            Duration::from_secs(args.timeout),
        )
        .await?;
    let before = match stopped {
        Some((pid, Stopped::Killed)) => format!("killed pid {pid} (it did not stop after SIGTERM)"),
        Some((pid, _)) => format!("stopped pid {pid}"),
        None => "was not running".to_owned(),
    };
    let s = local.service(&args.service)?;
    println!(
        "{}: {before}; started again, healthy (log {})",
        s.name,
        local.log_file(s).display()
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) const UP_HELP: &str = "\
Example:
  tazan up deploy/local             # foreground, prefixed logs; Ctrl-C stops every service
  tazan up deploy/local --detach    # background; returns once all are healthy
  tazan status deploy/local
  tazan restart deploy/local finance
  tazan down deploy/local

Services already running are left alone and named; the others are started (so after one
service died, `tazan up DIR --detach` starts just that one).

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
    local.seed_portal_logins();
    if args.detach {
        let running = local.up_detached(&exe, timeout, args.quiet).await?;
        for s in &local.services {
            let already = running.iter().find(|(name, _)| *name == s.name);
            let what = match already {
                Some((_, pid)) => format!("already running (pid {pid}), left alone"),
                None => format!("up   log {}", local.log_file(s).display()),
            };
            println!("{:<18} {:<10} {what}", s.name, s.role.as_str());
        }
        print_portals(&local);
        return Ok(ExitCode::SUCCESS);
    }
    print_portals(&local);
    let ok = local
        .up_foreground(&exe, timeout, shutdown_signal())
        .await?;
    Ok(exit_code(ok))
}

/// Each service's portal and its demo logins (kept in `<service>/portal-logins.json`).
fn print_portals(local: &Local) {
    let with: Vec<_> = local
        .services
        .iter()
        .filter(|s| s.portal.is_some())
        .collect();
    if with.is_empty() {
        return;
    }
    println!(
        "\nweb portals (logins from {}/<service>/portal-logins.json):",
        local.dir.display()
    );
    for s in with {
        let logins = tazan_portal::demo::local_logins(&s.config)
            .iter()
            .map(|l| format!("{} ({}) / {}", l.login, l.role, l.password))
            .collect::<Vec<_>>()
            .join("   ");
        println!(
            "  {:<18} {:<26} {logins}",
            s.name,
            s.portal.as_deref().unwrap_or_default()
        );
    }
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
    // Generates nothing, and a config with a typo is a row that says so
    // rather than no table at all.
    let local = Local::open_to_stop(&args.dir.unwrap_or_default())?;
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
    for s in &local.services {
        if let Some(why) = &s.config_error {
            eprintln!("warning: {}: {why}; stopping it by its pid file", s.name);
        }
    }
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
