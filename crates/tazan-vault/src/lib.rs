//! The org node's raw incident vault: a sled database at `HOME/vault`, separate
//! from the node's own store, so CLI commands can use it while `tazan node serve`
//! runs.
//!
//! ```text
//!  incident files ──► [ vault: incidents ] ──► tazan-sanitize ──► [ vault: drafts + audit ]
//!                                                                      │ review: edit, decisions
//!                                                                      ▼
//!                                                   approve ──► sign ──► node outbox / spool
//! ```
//!
//! What it keeps, each in its own tree:
//! - **incidents**: raw [`Incident`] records by id. They never leave the node.
//! - **drafts**: [`DraftRecord`]s: a lesson rendition for one level, its leak-gate
//!   findings and its status (draft → approved → queued).
//! - **audit**: per draft, the map original → replacement the sanitizer made. It
//!   is local evidence for the reviewer and never enters a lesson.
//! - **decisions**: per draft, the reviewer's recorded overrides of leak-gate
//!   findings and restores of replaced text ([`Decision`]).
//! - **published**: every lesson and withdrawal this node signed, by id
//!   ([`PublishedRecord`]): what a withdrawal or a correction may name.
//!
//! Every write is made durable (flushed) before the call returns, and writes
//! that belong together (a draft and its audit; an approval and its decisions;
//! one import) are atomic. What it does not do: sanitise, sign or send.
//!
//! ```
//! # fn main() -> Result<(), tazan_vault::VaultError> {
//! let dir = tempfile::tempdir().unwrap();
//! let vault = tazan_vault::Vault::open(dir.path())?;
//! let incident = tazan_model::Incident { id: "INC-1".into(), ..Default::default() };
//! vault.put_incidents(&[incident])?;
//! assert!(vault.incident("INC-1")?.is_some());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod error;
mod import;
mod record;

use std::path::{Path, PathBuf};

use sled::Transactional;
use tazan_model::{AuditEntry, Incident, LessonFinding};
use tazan_model::{DisclosureLevel, Lesson};

pub use error::VaultError;
pub use import::{ImportOptions, ImportReport};
pub use record::{
    now, Decision, DraftId, DraftRecord, DraftStatus, ImportOutcome, PublishedRecord,
};

/// The open vault. One process at a time may hold it.
pub struct Vault {
    path: PathBuf,
    db: sled::Db,
    incidents: sled::Tree,
    drafts: sled::Tree,
    audit: sled::Tree,
    decisions: sled::Tree,
    published: sled::Tree,
    meta: sled::Tree,
}

/// How long [`Vault::open`] waits for a lock held by a handle just dropped.
pub const LOCK_GRACE: std::time::Duration = std::time::Duration::from_millis(1500);

/// Key in the `meta` tree of the last draft number handed out.
const LAST_DRAFT: &[u8] = b"last_draft";

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("path", &self.path).finish()
    }
}

type TxResult<T> = Result<T, sled::transaction::ConflictableTransactionError<VaultError>>;

impl Vault {
    /// Opens (or creates) the vault in `dir`. Fails with [`VaultError::Locked`]
    /// when another process has it open. A lock still held for a moment
    /// after a handle was dropped (sled's background flusher) is waited for,
    /// up to [`LOCK_GRACE`]; so is another command just finishing.
    pub fn open(dir: &Path) -> Result<Vault, VaultError> {
        let deadline = std::time::Instant::now() + LOCK_GRACE;
        let db = loop {
            match sled::Config::new().path(dir).open() {
                Ok(db) => break db,
                // sled refuses a second opener with "could not acquire lock".
                Err(source) if source.to_string().contains("lock") => {
                    if std::time::Instant::now() >= deadline {
                        return Err(VaultError::Locked {
                            path: dir.to_owned(),
                        });
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(source) => {
                    return Err(VaultError::Open {
                        path: dir.to_owned(),
                        source,
                    })
                }
            }
        };
        Ok(Vault {
            path: dir.to_owned(),
            incidents: db.open_tree("incidents")?,
            drafts: db.open_tree("drafts")?,
            audit: db.open_tree("audit")?,
            decisions: db.open_tree("decisions")?,
            published: db.open_tree("published")?,
            meta: db.open_tree("meta")?,
            db,
        })
    }

    /// [`Vault::open`], retrying for up to `wait` while another process has
    /// the vault (a CLI command finishing, or sled releasing its lock a moment
    /// after the last handle closed). The node portal opens the vault this
    /// way for each request.
    pub fn open_waiting(dir: &Path, wait: std::time::Duration) -> Result<Vault, VaultError> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            match Vault::open(dir) {
                Err(VaultError::Locked { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                other => return other,
            }
        }
    }

    /// The vault directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One incident by id.
    pub fn incident(&self, id: &str) -> Result<Option<Incident>, VaultError> {
        self.incidents
            .get(id.as_bytes())?
            .map(|v| decode(&v, &format!("incidents/{id}")))
            .transpose()
    }

    /// Every incident, ordered by id.
    pub fn incidents(&self) -> Result<Vec<Incident>, VaultError> {
        self.incidents
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(&v, &format!("incidents/{}", String::from_utf8_lossy(&k)))
            })
            .collect()
    }

    /// What importing `incident` would do: a new id is [`ImportOutcome::New`], the
    /// same record again is [`ImportOutcome::Unchanged`], a different record under
    /// a known id is [`ImportOutcome::Replaced`] when `replace`, else
    /// [`ImportOutcome::Duplicate`] (refused). Writes nothing.
    pub fn classify(
        &self,
        incident: &Incident,
        replace: bool,
    ) -> Result<ImportOutcome, VaultError> {
        Ok(match self.incident(&incident.id)? {
            None => ImportOutcome::New,
            Some(old) if old == *incident => ImportOutcome::Unchanged,
            Some(_) if replace => ImportOutcome::Replaced,
            Some(_) => ImportOutcome::Duplicate,
        })
    }

    /// Stores `incidents` (new or replacing) in one atomic batch, then flushes.
    pub fn put_incidents(&self, incidents: &[Incident]) -> Result<(), VaultError> {
        let mut batch = sled::Batch::default();
        for i in incidents {
            batch.insert(i.id.as_bytes(), encode(i));
        }
        self.incidents.apply_batch(batch)?;
        self.flush()
    }

    /// Replaces an existing incident (an edit). The id must exist.
    pub fn update_incident(&self, incident: &Incident) -> Result<(), VaultError> {
        if self.incident(&incident.id)?.is_none() {
            return Err(VaultError::NoIncident {
                id: incident.id.clone(),
            });
        }
        self.put_incidents(std::slice::from_ref(incident))
    }

    /// Stores a new draft for `incident` with its audit map, atomically.
    pub fn create_draft(
        &self,
        incident: &str,
        level: DisclosureLevel,
        lesson: Lesson,
        findings: Vec<LessonFinding>,
        audit: &[AuditEntry],
    ) -> Result<DraftRecord, VaultError> {
        if self.incident(incident)?.is_none() {
            return Err(VaultError::NoIncident {
                id: incident.to_owned(),
            });
        }
        let at = now();
        let template = DraftRecord {
            id: DraftId(0),
            incident: incident.to_owned(),
            level,
            drafted: Some(lesson.clone()),
            lesson,
            findings,
            status: DraftStatus::Draft,
            created_at: at.clone(),
            updated_at: at,
            reviewer: None,
            approved_at: None,
            lesson_id: None,
            delivery: None,
        };
        let audit_bytes = encode(&audit);
        // Numbers are dense and never reused: d1, d2 … in the order drafted.
        let record = (&self.drafts, &self.audit, &self.meta)
            .transaction(|(drafts, audit, meta)| -> TxResult<DraftRecord> {
                let last = meta
                    .get(LAST_DRAFT)?
                    .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
                    .map(u64::from_be_bytes)
                    .unwrap_or(0);
                let id = DraftId(last + 1);
                let record = DraftRecord {
                    id,
                    ..template.clone()
                };
                meta.insert(LAST_DRAFT, &id.0.to_be_bytes())?;
                drafts.insert(&id.key(), encode(&record))?;
                audit.insert(&id.key(), audit_bytes.as_slice())?;
                Ok(record)
            })
            .map_err(tx_error)?;
        self.flush()?;
        Ok(record)
    }

    /// One draft by id.
    pub fn draft(&self, id: DraftId) -> Result<DraftRecord, VaultError> {
        self.drafts
            .get(id.key())?
            .map(|v| decode(&v, &format!("drafts/{id}")))
            .transpose()?
            .ok_or(VaultError::NoDraft { id: id.to_string() })
    }

    /// Every draft, oldest first.
    pub fn drafts(&self) -> Result<Vec<DraftRecord>, VaultError> {
        self.drafts
            .iter()
            .map(|kv| {
                let (_, v) = kv?;
                decode(&v, "drafts")
            })
            .collect()
    }

    /// The audit map of a draft: original → replacement. Local only.
    pub fn audit(&self, id: DraftId) -> Result<Vec<AuditEntry>, VaultError> {
        list_of(&self.audit, "audit", id)
    }

    /// Recorded review decisions (leak-gate overrides) of a draft.
    pub fn decisions(&self, id: DraftId) -> Result<Vec<Decision>, VaultError> {
        list_of(&self.decisions, "decisions", id)
    }

    /// Draft `id`, refused with `reason` once it is signed and queued.
    fn unqueued(&self, id: DraftId, reason: &'static str) -> Result<DraftRecord, VaultError> {
        let d = self.draft(id)?;
        if d.status == DraftStatus::Queued {
            return Err(VaultError::State {
                id,
                status: d.status,
                reason,
            });
        }
        Ok(d)
    }

    /// Replaces a draft's lesson and findings after an edit. An approved draft
    /// goes back to [`DraftStatus::Draft`]: its approval was for other text. A
    /// queued draft cannot change.
    pub fn update_draft(
        &self,
        id: DraftId,
        lesson: Lesson,
        findings: Vec<LessonFinding>,
    ) -> Result<DraftRecord, VaultError> {
        self.rewrite(id, lesson, findings, &[])
    }

    /// Marks a draft approved by `reviewer` with the gate findings it had
    /// (`findings`) and appends `decisions`, atomically. Refused once queued.
    pub fn approve(
        &self,
        id: DraftId,
        reviewer: &str,
        findings: Vec<LessonFinding>,
        decisions: &[Decision],
    ) -> Result<DraftRecord, VaultError> {
        let mut d = self.unqueued(id, "it is already signed and queued")?;
        let at = now();
        d.status = DraftStatus::Approved;
        d.findings = findings;
        d.reviewer = Some(reviewer.to_owned());
        d.approved_at = Some(at.clone());
        d.updated_at = at;
        self.store_with_decisions(&d, decisions)?;
        Ok(d)
    }

    /// Replaces a draft's lesson and findings after a reviewer restored
    /// replaced text, and appends the decisions that record the restore,
    /// atomically. Like an edit, it withdraws an approval; a queued draft
    /// cannot change.
    pub fn record_restore(
        &self,
        id: DraftId,
        lesson: Lesson,
        findings: Vec<LessonFinding>,
        decisions: &[Decision],
    ) -> Result<DraftRecord, VaultError> {
        self.rewrite(id, lesson, findings, decisions)
    }

    /// New text for a draft (its approval withdrawn), with `decisions` appended.
    fn rewrite(
        &self,
        id: DraftId,
        lesson: Lesson,
        findings: Vec<LessonFinding>,
        decisions: &[Decision],
    ) -> Result<DraftRecord, VaultError> {
        let mut d = self.unqueued(
            id,
            "it was signed and queued; edit a new draft and publish it as a correction",
        )?;
        d.lesson = lesson;
        d.findings = findings;
        d.status = DraftStatus::Draft;
        d.reviewer = None;
        d.approved_at = None;
        d.updated_at = now();
        self.store_with_decisions(&d, decisions)?;
        Ok(d)
    }

    /// Writes `d` and appends `added` to its decisions in one transaction, then flushes.
    fn store_with_decisions(&self, d: &DraftRecord, added: &[Decision]) -> Result<(), VaultError> {
        let mut all = self.decisions(d.id)?;
        all.extend_from_slice(added);
        let (draft_bytes, decision_bytes) = (encode(d), encode(&all));
        (&self.drafts, &self.decisions)
            .transaction(|(drafts, decisions)| -> TxResult<()> {
                drafts.insert(&d.id.key(), draft_bytes.as_slice())?;
                decisions.insert(&d.id.key(), decision_bytes.as_slice())?;
                Ok(())
            })
            .map_err(tx_error)?;
        self.flush()
    }

    /// Records that an approved draft was signed and handed to the outbox or spool.
    pub fn mark_queued(
        &self,
        id: DraftId,
        lesson_id: &str,
        delivery: &str,
    ) -> Result<DraftRecord, VaultError> {
        let mut d = self.draft(id)?;
        if d.status != DraftStatus::Approved {
            return Err(VaultError::State {
                id,
                status: d.status,
                reason: "only an approved draft can be queued; run `tazan lesson approve`",
            });
        }
        d.status = DraftStatus::Queued;
        d.lesson_id = Some(lesson_id.to_owned());
        d.delivery = Some(delivery.to_owned());
        d.updated_at = now();
        self.drafts.insert(id.key(), encode(&d))?;
        self.flush()?;
        Ok(d)
    }

    /// Adds something this node signed to the published register (durably).
    /// The same id again replaces its record (a retried hand-over).
    pub fn record_published(&self, record: &PublishedRecord) -> Result<(), VaultError> {
        self.published.insert(record.id.0, encode(record))?;
        self.flush()
    }

    /// The published register, oldest first.
    pub fn published(&self) -> Result<Vec<PublishedRecord>, VaultError> {
        let mut all: Vec<PublishedRecord> = self
            .published
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(&v, &format!("published/{}", hex(&k)))
            })
            .collect::<Result<_, _>>()?;
        all.sort_by(|a, b| a.at.cmp(&b.at));
        Ok(all)
    }

    /// Makes every write so far durable.
    pub fn flush(&self) -> Result<(), VaultError> {
        self.db.flush()?;
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn encode<T: serde::Serialize>(v: &T) -> Vec<u8> {
    // Serialising these types to JSON cannot fail: every map key is a string.
    serde_json::to_vec(v).unwrap_or_default()
}

/// The list a per-draft tree holds for `id` (empty when there is none).
fn list_of<T: serde::de::DeserializeOwned>(
    tree: &sled::Tree,
    name: &str,
    id: DraftId,
) -> Result<Vec<T>, VaultError> {
    Ok(tree
        .get(id.key())?
        .map(|v| decode(&v, &format!("{name}/{id}")))
        .transpose()?
        .unwrap_or_default())
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8], key: &str) -> Result<T, VaultError> {
    serde_json::from_slice(bytes).map_err(|e| VaultError::Corrupt {
        key: key.to_owned(),
        // The serde message could quote stored text: keep only where it broke.
        reason: format!(
            "{:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ),
    })
}

fn tx_error(e: sled::transaction::TransactionError<VaultError>) -> VaultError {
    match e {
        sled::transaction::TransactionError::Abort(e) => e,
        sled::transaction::TransactionError::Storage(e) => VaultError::Sled(e),
    }
}

#[cfg(test)]
mod tests;
