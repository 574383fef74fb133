//! `tazan catalog import FILE --hub-config hub.toml`: a catalogue imported at
//! a hub (group or cross), so the hub serves its entries as lessons of its
//! own; `tazan press import` the same for public cases.
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
use tazan_hub::{HubConfig, ImportReport};
use tazan_model::{DisclosureLevel, Payload};
use tazan_search::{CatalogLineError, CatalogRead};
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
    let read = tazan_search::load_catalog_lessons(file, CATALOG_LEVEL)?;
    import_read(config, file, read).await
}

/// Import press records at a hub as public cases (CLEAR, the named
/// organisation kept and marked public with its sources).
pub async fn import_public_cases(config: &Path, file: &Path) -> Result<HubImport> {
    let read = tazan_search::load_press_cases(file, CATALOG_LEVEL)?;
    import_read(config, file, read).await
}

async fn import_read(config: &Path, file: &Path, read: CatalogRead) -> Result<HubImport> {
    let cfg = HubConfig::load(config)?;
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
    let (report, via) = tazan_hub::import_signed(&cfg, envelopes)
        .await
        .context("the hub refused the catalogue")?;
    out.via = via;
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
