//! `tazan catalog import FILE --hub-config hub.toml`: a catalogue imported at
//! a group hub, so the hub serves its entries to members as lessons.
//!
//! Each line is checked on its own (bad ones are reported as
//! `file:line:field: reason`; the good ones are still imported), converted to
//! a CLEAR lesson with the entry's id as `ref`, and signed with the hub's key.
//! A stopped hub's store is written directly; a running hub (which holds its
//! store) is handed the batch through its admin socket (`tazan-admin`) and
//! answers once the lessons are durable.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tazan_admin::Reached;
use tazan_hub::{HubConfig, ImportReport, Tier};
use tazan_model::{DisclosureLevel, Payload};
use tazan_proto::pb;
use tazan_search::CatalogLineError;
use tazan_store::Store;
use tazan_trust::KeyPair;

/// The level catalogue lessons are published at: a published catalogue is
/// public (TLP CLEAR), so every member of every group may read it, and the
/// group hub relays it to the cross hub like its members' CLEAR lessons.
pub const CATALOG_LEVEL: DisclosureLevel = DisclosureLevel::Clear;

/// What an import at a hub did.
#[derive(Debug, Serialize)]
pub struct HubImport {
    /// Lines in the file that passed every check.
    pub valid: usize,
    /// New lessons stored in the hub's log.
    pub accepted: u64,
    /// Entries already in the log (same bytes, same id): nothing stored.
    pub duplicates: u64,
    /// `store` (hub stopped, written directly) or `socket` (hub running).
    pub via: &'static str,
    /// Refused lines, as `file:line:field: reason`.
    pub errors: Vec<String>,
}

/// Import `file` at the hub configured by `config`: through its admin socket
/// when it runs, else into its store.
pub async fn import(config: &Path, file: &Path) -> Result<HubImport> {
    let cfg = HubConfig::load(config)?;
    if cfg.tier != Tier::Group {
        bail!(
            "{} configures a {} hub; import catalogues at a group hub (CLEAR lessons reach every group through the cross hub)",
            config.display(),
            cfg.tier.as_str()
        );
    }
    let read = tazan_search::load_catalog_lessons(file, CATALOG_LEVEL)?;
    let mut errors: Vec<String> = read
        .errors
        .iter()
        .map(CatalogLineError::to_string)
        .collect();
    let key = KeyPair::load(&cfg.key)
        .with_context(|| format!("hub key {} (from {})", cfg.key.display(), config.display()))?;
    let envelopes: Vec<_> = read
        .lessons
        .iter()
        .map(|c| key.sign(&Payload::Lesson(c.lesson.clone())))
        .collect();
    let mut out = HubImport {
        valid: envelopes.len(),
        accepted: 0,
        duplicates: 0,
        via: "store",
        errors: Vec::new(),
    };
    if envelopes.is_empty() {
        out.errors = errors;
        return Ok(out);
    }
    let reached = tazan_admin::reach(&cfg.data_dir, || {
        Store::open_unless_running(&cfg.data_dir).map_err(anyhow::Error::from)
    })
    .await?;
    let report = match reached {
        Reached::Stopped(store) => tazan_hub::import_offline(&cfg, store, envelopes).await?,
        Reached::Running(mut admin) => {
            out.via = "socket";
            let answer = admin
                .import_catalog(pb::ImportCatalogRequest {
                    envelopes: envelopes.iter().map(pb::Envelope::from).collect(),
                })
                .await
                .map_err(|s| {
                    anyhow::anyhow!("the running hub refused the catalogue: {}", s.message())
                })?
                .into_inner();
            ImportReport {
                accepted: answer.accepted,
                duplicates: answer.duplicates,
                refused: answer
                    .refused
                    .into_iter()
                    .map(|r| (r.index as usize, r.reason))
                    .collect(),
                error: None,
            }
        }
    };
    let ImportReport {
        accepted,
        duplicates,
        refused,
        error,
    } = report;
    if let Some(e) = error {
        bail!("the hub refused the catalogue: {e}");
    }
    for (i, why) in refused {
        let line = read.lessons.get(i).map_or(0, |c| c.line);
        errors.push(format!(
            "{}:{line}: refused by the hub: {why}",
            file.display()
        ));
    }
    out.accepted = accepted;
    out.duplicates = duplicates;
    out.errors = errors;
    Ok(out)
}
