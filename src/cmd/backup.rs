//! `tazan backup` and `tazan restore`: a hub's or node's store to one
//! checked file and back (the workflow is `tazan::service`).
//!
//! A running service is asked for its backup through its admin socket; a
//! stopped one's store is opened here. Restore needs the service stopped: it
//! refuses a store in use.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;
use tazan::progress::Progress;
use tazan::service::{Kind, Service};
use tazan_store::Store;

use crate::cli::{BackupArgs, RestoreArgs};

#[derive(Serialize)]
struct Report<'a> {
    kind: &'a str,
    service: &'a str,
    file: &'a Path,
    created_at: u64,
    trees: u64,
    records: u64,
    bytes: u64,
    online: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<&'a Path>,
}

pub(super) async fn backup(args: BackupArgs) -> Result<ExitCode> {
    let svc = Service::load(&args.config)?;
    let bar = Progress::spinner("backing up", args.json);
    let done =
        tazan::service::backup(&svc, &args.out, Duration::from_secs(args.timeout), &bar).await?;
    bar.finish();
    let (summary, online) = (&done.summary, done.online);
    let report = Report {
        kind: svc.kind.as_str(),
        service: &svc.id,
        file: &args.out,
        created_at: done.header.created_at,
        trees: summary.trees,
        records: summary.records,
        bytes: summary.bytes,
        online,
        previous: None,
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "backed up {} `{}`{}: {} records in {} trees, {} bytes -> {}",
            svc.kind.as_str(),
            svc.id,
            if online { " (running; online)" } else { "" },
            summary.records,
            summary.trees,
            summary.bytes,
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn restore(args: RestoreArgs) -> Result<ExitCode> {
    let svc = Service::load(&args.config)?;
    let bar = Progress::spinner("restoring (records)", args.json);
    // Blocking work (a whole-file check, then sled writes): off the runtime.
    let done = {
        let (svc, from, force, bar) = (svc.clone(), args.from.clone(), args.force, bar.clone());
        tokio::task::spawn_blocking(move || {
            let prepare = |store: &Store| match svc.kind {
                Kind::Hub => tazan_hub::after_restore(store),
                Kind::Node => Ok(()),
            };
            tazan_store::restore(
                &from,
                &svc.data_dir,
                svc.kind.as_str(),
                &svc.id,
                force,
                prepare,
                &mut |n| bar.set_position(n),
            )
        })
        .await??
    };
    bar.finish();
    let report = Report {
        kind: svc.kind.as_str(),
        service: &svc.id,
        file: &args.from,
        created_at: done.header.created_at,
        trees: done.summary.trees,
        records: done.summary.records,
        bytes: done.summary.bytes,
        online: false,
        previous: done.previous.as_deref(),
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "restored {} `{}` from {} (taken at {} unix): {} records in {} trees into {}",
            svc.kind.as_str(),
            svc.id,
            args.from.display(),
            done.header.created_at,
            done.summary.records,
            done.summary.trees,
            svc.data_dir.display()
        );
        if let Some(p) = &done.previous {
            println!("the replaced data directory is kept as {}", p.display());
        }
        if svc.kind == Kind::Hub {
            println!("the hub rebuilds its search index from the restored log when it starts");
        }
    }
    Ok(ExitCode::SUCCESS)
}
