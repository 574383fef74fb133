//! One function per command; each returns the exit code. `dispatch` routes
//! each command to the module for its area; helpers used by several areas
//! live here.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use tazan_node::{NodeConfig, NodeCore};
use tazan_proto::pb::{self, hub_client::HubClient};
use tazan_trust::KeyPair;

use crate::cli::{Cli, Command, HubCmd, IncidentCmd, LessonCmd, NodeCmd};

mod admin;
pub(crate) mod answers;
mod backup;
mod catalog;
mod edit;
pub(crate) mod editorial;
pub(crate) mod incidents;
mod lessons;
mod library;
pub(crate) mod newsletter;
pub(crate) mod ops;
pub(crate) mod policy;
mod render;
pub(crate) mod review;
mod scenes;
mod serve;
pub(crate) mod templates;
mod tools;
pub(crate) mod users;
mod verify;

pub(crate) fn run(args: Cli) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(dispatch(args.command))
}

async fn dispatch(command: Command) -> Result<ExitCode> {
    match command {
        Command::Demo { keep, serve } => serve::demo(keep, serve).await,
        Command::User(cmd) => users::user(cmd),
        Command::Feedback(cmd) => answers::feedback(cmd).await,
        Command::Collection(cmd) => editorial::collection(cmd).await,
        Command::Collections(cmd) => editorial::collections(cmd).await,
        Command::Press(cmd) => editorial::press(cmd).await,
        Command::Question(cmd) => answers::question(cmd).await,
        Command::Newsletter(cmd) => newsletter::newsletter(cmd),
        Command::Story(cmd) => answers::story(cmd).await,
        Command::Hub(HubCmd::Serve { config, home }) => {
            let config = match config {
                Some(config) => config,
                None => service_config(home.home, "hub.toml")?,
            };
            serve::hub_serve(&config).await
        }
        Command::Node(NodeCmd::Serve { config, home }) => {
            let config = match config {
                Some(config) => config,
                None => service_config(home.home, "node.toml")?,
            };
            serve::node_serve(&config).await
        }
        Command::Topology(cmd) => serve::topology(cmd),
        Command::Keys(cmd) => admin::keys(cmd),
        Command::Pki(cmd) => admin::pki(cmd),
        Command::Roster(cmd) => admin::roster(cmd).await,
        Command::Policy(cmd) => policy::policy(cmd).await,
        Command::Lesson(LessonCmd::Template(args)) => templates::lesson(args),
        Command::Lesson(cmd) => review::lesson(cmd).await,
        Command::Lessons(cmd) => lessons::lessons(cmd).await,
        Command::Subscribe(args) => lessons::subscribe(args).await,
        Command::Incident(IncidentCmd::Similar {
            incident,
            id,
            home,
            limit,
            json,
        }) => library::incident_similar(&incident, id.as_deref(), home.home, limit, json),
        Command::Incident(IncidentCmd::Template(args)) => templates::incident(args),
        Command::Incident(cmd) => incidents::incident(cmd),
        Command::Search(args) if args.hub => library::search_hub(args).await,
        Command::Search(args) => library::search(args),
        Command::Catalog(cmd) => catalog::catalog(cmd).await,
        Command::Trends {
            home,
            hub_config,
            vault,
            format,
            period,
        } => library::trends(home.home, hub_config, vault, format, period),
        Command::Scenes(cmd) => scenes::scenes(cmd),
        Command::Digest {
            since,
            home,
            hub_config,
            format,
        } => library::digest(&since, home.home, hub_config, format),
        Command::Sanitize {
            input,
            output,
            policy,
            level,
            threads,
            json,
        } => tools::sanitize(&input, &output, policy.as_deref(), &level, threads, json),
        Command::Eval(cmd) => tools::eval(cmd),
        Command::Bench(cmd) => tools::bench(cmd).await,
        Command::Up(args) => ops::up(args).await,
        Command::Status(args) => ops::status(args).await,
        Command::Restart(args) => ops::restart(args).await,
        Command::Down(args) => ops::down(args).await,
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
        Command::Verify(cmd) => verify::verify(cmd).await,
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "tazan", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received; draining");
}

/// `HOME/name` for `hub serve`/`node serve` without --config, or an error
/// saying where it looked and how to pass the config.
fn service_config(home: Option<PathBuf>, name: &str) -> Result<PathBuf> {
    let home = tazan::home::Home::of(home);
    let path = home.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(home.missing(
            name,
            &format!("pass --config FILE, or --home DIR of a directory holding {name}"),
        ))
    }
}

pub(super) fn node_config(home: Option<PathBuf>) -> Result<NodeConfig> {
    let path = tazan::home::Home::of(home).node_config()?;
    Ok(NodeConfig::load(&path)?)
}

/// A connection to the node's group hub. When it does not answer, the error
/// says which hub is down and why, once (the transport's own chain repeats
/// "tcp connect error").
pub(super) async fn hub_client(cfg: &NodeConfig) -> Result<HubClient<tonic::transport::Channel>> {
    let endpoint = tazan_proto::endpoint(&cfg.hub_endpoint, cfg.hub_name.as_str(), &cfg.tls)?;
    match endpoint.connect().await {
        Ok(ch) => Ok(HubClient::new(ch)),
        Err(e) => Err(anyhow::anyhow!(
            "the group hub {} at {} does not answer: {}",
            cfg.hub_name,
            cfg.hub_endpoint,
            tazan_proto::transport_cause(&e)
        )),
    }
}

/// Open the node's store; `Ok(None)` when a running node holds it.
pub(super) fn try_open_node(cfg: &NodeConfig) -> Result<Option<std::sync::Arc<NodeCore>>> {
    let key = KeyPair::load(&cfg.key)?;
    match NodeCore::open(cfg.id.clone(), cfg.hub_name.clone(), key, &cfg.data_dir) {
        Ok(core) => Ok(Some(core)),
        // The running node holds the store.
        Err(tazan_node::NodeError::Store(e)) if e.is_locked() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `--level` values as wire levels, naming the flag when one is not a TLP word.
pub(super) fn wire_levels(levels: &[String]) -> Result<Vec<i32>> {
    levels
        .iter()
        .map(|l| {
            l.parse::<tazan_model::DisclosureLevel>()
                .map(|l| pb::Level::from(l) as i32)
        })
        .collect::<Result<Vec<_>, _>>()
        .context("--level")
}

pub(super) fn hex_id(bytes: &[u8]) -> String {
    tazan_model::LessonId::try_from(bytes)
        .map(|i| i.to_string())
        .unwrap_or_default()
}

/// A report as one JSON object, or as its human-readable table.
pub(super) fn print_report<T: serde::Serialize + std::fmt::Display>(
    report: &T,
    json: bool,
) -> Result<ExitCode> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        println!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}
