//! `tazan catalog import FILE --hub-config hub.toml`: a catalogue imported at
//! a group hub, so the hub serves its entries to members as lessons.
//!
//! Each line is checked on its own (bad ones are reported as
//! `file:line:field: reason`; the good ones are still imported), converted to
//! a CLEAR lesson with the entry's id as `ref`, and signed with the hub's key.
//! A stopped hub's store is written directly; a running hub (which holds its
//! store) is handed the batch through its catalogue spool and answers within
//! a second. See `tazan_hub::CatalogSpool`.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tazan_hub::{CatalogSpool, HubConfig, ImportReport, Tier};
use tazan_model::{DisclosureLevel, Payload};
use tazan_search::CatalogLineError;
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
    /// `store` (hub stopped, written directly) or `spool` (hub running).
    pub via: &'static str,
    /// Refused lines, as `file:line:field: reason`.
    pub errors: Vec<String>,
}

/// Import `file` at the hub configured by `config`, waiting up to `wait` for
/// a running hub's answer.
pub async fn import(config: &Path, file: &Path, wait: Duration) -> Result<HubImport> {
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
    let report = match tazan_hub::import_offline(&cfg, envelopes.clone()).await? {
        Some(r) => r,
        None => {
            out.via = "spool";
            let spool = CatalogSpool::of(&cfg);
            let batch = spool.put(&envelopes)?;
            spool.wait(&batch, wait).await.with_context(|| {
                format!(
                    "the running hub did not answer within {}s; the batch stays queued at {} and is imported when the hub gets to it (importing again is harmless)",
                    wait.as_secs(),
                    batch.display()
                )
            })?
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
