//! Running things: the demo, a hub, a node, and writing a topology.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};
use tazan_hub::HubConfig;
use tazan_node::NodeConfig;
use tazan_portal::{HubService, NodeService};

use super::shutdown_signal;
use crate::cli::TopologyCmd;

pub(super) async fn demo(keep: Option<PathBuf>, serve: bool) -> Result<ExitCode> {
    let tmp;
    let dir = match keep {
        Some(dir) => {
            if dir.exists() && std::fs::read_dir(&dir)?.next().is_some() {
                bail!(
                    "{} is not empty; choose a new directory for --keep",
                    dir.display()
                );
            }
            dir
        }
        None => {
            tmp = tempfile::Builder::new().prefix("tazan-demo-").tempdir()?;
            tmp.path().to_owned()
        }
    };
    let mut out = std::io::stdout();
    let ok = if serve {
        tazan::demo::run_and_serve(&dir, &mut out, Box::pin(shutdown_signal())).await?
    } else {
        tazan::demo::run(&dir, &mut out).await?
    };
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(super) async fn hub_serve(config: &Path) -> Result<ExitCode> {
    let cfg = HubConfig::load(config)?;
    let service = HubService::start(cfg).await?;
    if let Some(p) = &service.portal {
        println!("portal at {}/", p.url());
    }
    // A line on stdout that supervisors and tests can wait for.
    println!("listening on {}", service.hub.addr());
    shutdown_signal().await;
    service.stop().await?;
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn node_serve(config: &Path) -> Result<ExitCode> {
    let cfg = NodeConfig::load(config)?;
    let service = NodeService::start(cfg).await?;
    if let Some(p) = &service.portal {
        println!("portal at {}/", p.url());
    }
    println!("node {} running", service.node.core().id());
    shutdown_signal().await;
    service.stop().await?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn topology(cmd: TopologyCmd) -> Result<ExitCode> {
    let TopologyCmd::Create {
        dir,
        cross_port,
        group_port,
    } = cmd;
    if dir.exists() && std::fs::read_dir(&dir)?.next().is_some() {
        bail!("{} is not empty; choose a new directory", dir.display());
    }
    let layout = tazan::topology::create(
        &dir,
        &tazan::topology::Spec::demo(),
        tazan::topology::Ports {
            cross: cross_port,
            first_group: group_port,
        },
    )?;
    println!(
        "cross hub:  tazan hub serve --config {}",
        layout.cross.display()
    );
    for (name, path) in &layout.groups {
        println!("{name:<10}  tazan hub serve --config {}", path.display());
    }
    for (id, _, path) in &layout.nodes {
        println!(
            "{:<10}  tazan node serve --config {}",
            id.as_str(),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
