//! `tazan backup` and `tazan restore`: a hub's or node's store to one
//! checked file and back.
//!
//! sled lets one process open a store. When the service is stopped the
//! command opens the store itself; when it runs (the store is locked) the
//! command drops a request file in `DATA/backup-requests/` and the running
//! service writes the backup there (a consistent export, writers paused
//! while it runs), which the command then checks and moves to `--out`.
//! Restore needs the service stopped: it refuses a store in use.

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tazan::progress::Progress;
use tazan_store::{BackupHeader, BackupSummary, Store};

use crate::cli::{BackupArgs, RestoreArgs};

/// The service a config file describes.
struct Service {
    kind: &'static str,
    id: String,
    data_dir: PathBuf,
}

impl Service {
    /// A node.toml has a `[node]` table, a hub.toml a `[hub]` table.
    fn load(config: &Path) -> Result<Service> {
        let text = fs::read_to_string(config)
            .with_context(|| format!("cannot read config {}", config.display()))?;
        let table: toml::Table = toml::from_str(&text)
            .with_context(|| format!("config {} is not TOML", config.display()))?;
        if table.contains_key("node") {
            let c = tazan_node::NodeConfig::load(config)?;
            Ok(Service {
                kind: "node",
                id: c.id.to_string(),
                data_dir: c.data_dir,
            })
        } else if table.contains_key("hub") {
            let c = tazan_hub::HubConfig::load(config)?;
            Ok(Service {
                kind: "hub",
                id: c.id.to_string(),
                data_dir: c.data_dir,
            })
        } else {
            bail!(
                "config {} has neither a [hub] nor a [node] table; pass a hub.toml or a node.toml",
                config.display()
            )
        }
    }
}

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
    if !svc.data_dir.join("db").exists() {
        bail!(
            "{} holds no store, so there is nothing to back up; check data_dir in {} (has the {} ever run?)",
            svc.data_dir.display(),
            args.config.display(),
            svc.kind
        );
    }
    if args.out.exists() {
        bail!(
            "{} exists; choose a new file name (a backup is never overwritten)",
            args.out.display()
        );
    }
    let header = BackupHeader {
        kind: svc.kind.into(),
        service: svc.id.clone(),
        created_at: tazan_trust::now_unix(),
        tool: env!("CARGO_PKG_VERSION").into(),
    };
    let bar = Progress::spinner("backing up (records)", args.json);
    let (header, summary, online) = match Store::open(&svc.data_dir) {
        Ok(store) => {
            let out = args.out.clone();
            let h = header.clone();
            let bar = bar.clone();
            let summary = tokio::task::spawn_blocking(move || {
                store.export(&out, &h, &mut move |n| bar.set_position(n))
            })
            .await??;
            (header, summary, false)
        }
        Err(e) if e.is_locked() => {
            let (h, s) = online(&svc, &args.out, Duration::from_secs(args.timeout)).await?;
            (h, s, true)
        }
        Err(e) => return Err(e.into()),
    };
    bar.finish();
    let report = Report {
        kind: svc.kind,
        service: &svc.id,
        file: &args.out,
        created_at: header.created_at,
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
            svc.kind,
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

/// Ask the running service for a backup and move it to `out`.
async fn online(
    svc: &Service,
    out: &Path,
    timeout: Duration,
) -> Result<(BackupHeader, BackupSummary)> {
    let dir = tazan_store::request_dir(&svc.data_dir);
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = format!("{}-{}", tazan_trust::now_unix(), std::process::id());
    let request = dir.join(format!("{name}.request"));
    let made = dir.join(format!("{name}.tzb"));
    let failed = dir.join(format!("{name}.error"));
    fs::write(&request, b"").with_context(|| format!("writing {}", request.display()))?;
    let started = Instant::now();
    // The service removes the request after renaming the finished file in.
    while request.exists() {
        if started.elapsed() > timeout {
            let _ = fs::remove_file(&request);
            bail!(
                "the {kind} holds its store (it is running) but did not answer the backup request within {}s; \
                 check its log, or stop it (systemctl stop tazan-{kind}@NAME) and run this again",
                timeout.as_secs(),
                kind = svc.kind
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if let Ok(why) = fs::read_to_string(&failed) {
        let _ = fs::remove_file(&failed);
        bail!("the running {} could not write the backup: {why}", svc.kind);
    }
    let checked =
        tazan_store::verify_backup(&made).context("the backup written by the running service")?;
    if checked.0.kind != svc.kind || checked.0.service != svc.id {
        bail!(
            "{} was written by {} `{}`, not {} `{}`: another service uses this data directory",
            made.display(),
            checked.0.kind,
            checked.0.service,
            svc.kind,
            svc.id
        );
    }
    move_file(&made, out)?;
    Ok(checked)
}

/// Move `from` to `out` (a rename, or a copy where they are on different
/// file systems), never replacing an existing `out`.
fn move_file(from: &Path, out: &Path) -> Result<()> {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    let tmp = out.with_file_name(name);
    let mut src = fs::File::open(from).with_context(|| format!("reading {}", from.display()))?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut dst = options
        .open(&tmp)
        .with_context(|| format!("creating {}", tmp.display()))?;
    std::io::copy(&mut src, &mut dst)
        .and_then(|_| dst.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    if out.exists() {
        let _ = fs::remove_file(&tmp);
        bail!("{} appeared meanwhile; not replaced", out.display());
    }
    fs::rename(&tmp, out).with_context(|| format!("renaming into {}", out.display()))?;
    let _ = fs::remove_file(from);
    Ok(())
}

pub(super) fn restore(args: RestoreArgs) -> Result<ExitCode> {
    let svc = Service::load(&args.config)?;
    let prepare = |store: &Store| match svc.kind {
        "hub" => tazan_hub::after_restore(store),
        _ => Ok(()),
    };
    let bar = Progress::spinner("restoring (records)", args.json);
    let done = tazan_store::restore(
        &args.from,
        &svc.data_dir,
        svc.kind,
        &svc.id,
        args.force,
        prepare,
        &mut |n| bar.set_position(n),
    )?;
    bar.finish();
    let report = Report {
        kind: svc.kind,
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
            svc.kind,
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
        if svc.kind == "hub" {
            println!("the hub rebuilds its search index from the restored log when it starts");
        }
    }
    Ok(ExitCode::SUCCESS)
}
