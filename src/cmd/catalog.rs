//! `tazan catalog import/export/publish`: a lesson catalogue into the node's
//! searchable library, into a group hub's log (`--hub-config`), or published
//! by the node (through the review desk and its gate).

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::CatalogCmd;

pub(super) async fn catalog(cmd: CatalogCmd) -> Result<ExitCode> {
    match cmd {
        CatalogCmd::Import {
            file,
            hub_config: Some(config),
            json,
            ..
        } => {
            let done = tazan::hub_catalog::import(&config, &file).await?;
            for e in &done.errors {
                eprintln!("{e}");
            }
            if json {
                println!("{}", serde_json::to_string(&done)?);
            } else {
                println!(
                    "{} valid entries: {} new lessons stored at the hub, {} already there ({} refused lines){}",
                    done.valid,
                    done.accepted,
                    done.duplicates,
                    done.errors.len(),
                    if done.via == "socket" { "; handed to the running hub" } else { "" }
                );
            }
            if !done.errors.is_empty() {
                eprintln!(
                    "{} lines refused (above); the other {} entries are at the hub — fix those lines and import again (nothing is stored twice)",
                    done.errors.len(),
                    done.accepted + done.duplicates
                );
                return Ok(ExitCode::from(1));
            }
        }
        CatalogCmd::Import { file, home, .. } => {
            let home = tazan::home::resolve(home.home);
            let progress = tazan::progress::Progress::bar(0, "importing", false);
            let n = tazan::library::import_catalog(&home, &file, &progress)?;
            println!(
                "imported {n} catalogue lessons into {}",
                tazan::library::index_dir(&home).display()
            );
        }
        CatalogCmd::Publish {
            file,
            home,
            level,
            json,
        } => return super::review::catalog_publish(&file, &level, home.home, json).await,
        CatalogCmd::Export { home, out } => {
            let home = tazan::home::Home::of(home.home);
            let text = tazan::library::export_catalog(home.existing()?)?;
            match out {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{text}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
