//! `tazan verify log` and `tazan verify receipts`: the CLI over
//! `tazan_hub::verify_log` and the node's receipt checks.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use super::{hub_client, node_config, print_report, try_open_node};
use crate::cli::VerifyCmd;

pub(super) async fn verify(cmd: VerifyCmd) -> Result<ExitCode> {
    match cmd {
        VerifyCmd::Log { home, json } => {
            let dir = tazan::home::resolve(home.home);
            let hub = dir.join("hub.toml");
            if hub.exists() {
                let cfg = tazan_hub::HubConfig::load(&hub)?;
                let audit =
                    tazan_hub::verify_log(&cfg).map_err(|e| stopped_first(e.to_string()))?;
                return verdict(&audit, json, audit.problems.is_empty());
            }
            if !dir.join("node.toml").exists() {
                bail!(
                    "neither hub.toml nor node.toml in {}; pass --home DIR of a hub or a node",
                    dir.display()
                );
            }
            let cfg = node_config(Some(dir))?;
            let core = open_stopped(&cfg)?;
            let report = core.audit_offline()?;
            verdict(&report, json, report.problems.is_empty())
        }
        VerifyCmd::Receipts { home, json } => {
            let cfg = node_config(home.home)?;
            let core = open_stopped(&cfg)?;
            let mut client = hub_client(&cfg).await?;
            let report = core.verify_receipts(&mut client).await.with_context(|| {
                format!("checking receipts with the hub at {}", cfg.hub_endpoint)
            })?;
            verdict(&report, json, report.problems.is_empty())
        }
    }
}

fn open_stopped(cfg: &tazan_node::NodeConfig) -> Result<std::sync::Arc<tazan_node::NodeCore>> {
    match try_open_node(cfg)? {
        Some(core) => Ok(core),
        None => bail!(
            "the node {} is running and holds its store; stop it first (tazan down, or systemctl stop), then verify",
            cfg.id
        ),
    }
}

fn stopped_first(e: String) -> anyhow::Error {
    if e.contains("lock") {
        anyhow::anyhow!("{e}; stop the hub first: its store is verified as it is on disk")
    } else {
        anyhow::anyhow!(e)
    }
}

fn verdict<T: serde::Serialize + std::fmt::Display>(
    report: &T,
    json: bool,
    ok: bool,
) -> Result<ExitCode> {
    print_report(report, json)?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
