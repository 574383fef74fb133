//! The hub editor's desk for curated collections: a draft is a JSON file
//! (a [`Collection`]) the editor builds with `create`, `add`, `remove` and
//! `reorder`, then publishes: signed with the hub key and stored in the
//! hub's log ([`HubCore::import_own`](crate::HubCore) checks every listed
//! lesson). After a publication the draft's version goes up by one, so
//! publishing it again supersedes the earlier one.
//!
//! Every step checks the whole draft and writes nothing when it fails; the
//! error names the field.

use std::path::{Path, PathBuf};

use tazan_model::{Collection, DisclosureLevel, LessonId, ModelError, Payload};
use tazan_trust::KeyPair;
use thiserror::Error;

use crate::{HubConfig, HubError, ImportReport};

/// Why an editor step failed; nothing was written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EditorError {
    /// The draft file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The draft.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The draft is not a collection.
    #[error("{path}: not a collection draft: {reason}")]
    Parse {
        /// The draft.
        path: PathBuf,
        /// What serde said.
        reason: String,
    },
    /// A field is wrong.
    #[error("{path}: {source}")]
    Field {
        /// The draft.
        path: PathBuf,
        /// Which field and why.
        source: ModelError,
    },
    /// A step's argument is wrong (`--to`, an id).
    #[error("{0}")]
    Argument(String),
    /// The draft exists already (`create`).
    #[error("{0} exists already; edit it with `tazan collection add/reorder/remove`, or choose another file")]
    Exists(PathBuf),
    /// The hub refused the collection (the reason names the field).
    #[error("the hub refused the collection: {0}")]
    Refused(String),
    /// The hub could not be reached or its key loaded.
    #[error(transparent)]
    Hub(#[from] HubError),
}

/// Check a draft: everything [`Collection::validate`] checks, except that
/// a draft may still have no lessons.
fn check(path: &Path, c: &Collection) -> Result<(), EditorError> {
    match c.validate() {
        Ok(()) => Ok(()),
        Err(ModelError::Missing { field: "lessons" }) => Ok(()),
        Err(source) => Err(EditorError::Field {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Read a draft.
pub fn load_draft(path: &Path) -> Result<Collection, EditorError> {
    let text = std::fs::read_to_string(path).map_err(|source| EditorError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let c: Collection = serde_json::from_str(&text).map_err(|e| EditorError::Parse {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    check(path, &c)?;
    Ok(c)
}

fn save(path: &Path, c: &Collection) -> Result<(), EditorError> {
    check(path, c)?;
    let mut text = serde_json::to_string_pretty(c).map_err(|e| EditorError::Parse {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    text.push('\n');
    // Write beside it, then rename: a failed write leaves the draft as it was.
    let tmp = path.with_extension("json.tmp");
    let io = |source| EditorError::Io {
        path: path.to_path_buf(),
        source,
    };
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Start a draft at `path` (which must not exist).
pub fn create(
    path: &Path,
    name: &str,
    title: &str,
    commentary: &str,
    level: DisclosureLevel,
) -> Result<Collection, EditorError> {
    if path.exists() {
        return Err(EditorError::Exists(path.to_path_buf()));
    }
    if !level.may_reach_group() {
        return Err(EditorError::Argument(
            "--level RED: a collection is published; use AMBER, GREEN or CLEAR".into(),
        ));
    }
    let c = Collection {
        name: name.to_owned(),
        version: 1,
        title: title.to_owned(),
        commentary: commentary.to_owned(),
        lessons: Vec::new(),
        level,
    };
    save(path, &c)?;
    Ok(c)
}

/// Set the title and/or the commentary.
pub fn describe(
    path: &Path,
    title: Option<&str>,
    commentary: Option<&str>,
) -> Result<Collection, EditorError> {
    let mut c = load_draft(path)?;
    if let Some(t) = title {
        c.title = t.to_owned();
    }
    if let Some(t) = commentary {
        c.commentary = t.to_owned();
    }
    save(path, &c)?;
    Ok(c)
}

fn full_id(text: &str) -> Result<LessonId, EditorError> {
    text.trim().to_ascii_lowercase().parse().map_err(|_| {
        EditorError::Argument(format!(
            "`{text}` is not a lesson id: give all 64 hex characters (tazan lessons list --json, or the hub portal's lesson page)"
        ))
    })
}

fn position(to: usize, len: usize) -> Result<usize, EditorError> {
    if to == 0 || to > len {
        return Err(EditorError::Argument(format!(
            "--to {to}: positions run from 1 to {len}"
        )));
    }
    Ok(to - 1)
}

/// Add lessons (full ids), at the end or from position `at` (1-based).
pub fn add(path: &Path, ids: &[String], at: Option<usize>) -> Result<Collection, EditorError> {
    let mut c = load_draft(path)?;
    let ids: Vec<LessonId> = ids.iter().map(|t| full_id(t)).collect::<Result<_, _>>()?;
    let at = match at {
        Some(to) => position(to, c.lessons.len() + 1)?,
        None => c.lessons.len(),
    };
    c.lessons.splice(at..at, ids);
    save(path, &c)?;
    Ok(c)
}

/// The draft's lesson `text` names: an id or a unique prefix among its own.
fn in_draft(c: &Collection, text: &str) -> Result<usize, EditorError> {
    let id = LessonId::resolve(text, &c.lessons)
        .map_err(|e| EditorError::Argument(format!("{e} (among this collection's lessons)")))?;
    c.lessons
        .iter()
        .position(|l| *l == id)
        .ok_or_else(|| EditorError::Argument(format!("{} is not in this collection", id.short())))
}

/// Move one of the draft's lessons to position `to` (1-based).
pub fn reorder(path: &Path, lesson: &str, to: usize) -> Result<Collection, EditorError> {
    let mut c = load_draft(path)?;
    let from = in_draft(&c, lesson)?;
    let to = position(to, c.lessons.len())?;
    let id = c.lessons.remove(from);
    c.lessons.insert(to, id);
    save(path, &c)?;
    Ok(c)
}

/// Take one of the draft's lessons out.
pub fn remove(path: &Path, lesson: &str) -> Result<Collection, EditorError> {
    let mut c = load_draft(path)?;
    let at = in_draft(&c, lesson)?;
    c.lessons.remove(at);
    save(path, &c)?;
    Ok(c)
}

/// What a publication did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Published {
    /// The collection's id in the hub's log.
    pub id: LessonId,
    /// The version published.
    pub version: u32,
    /// New in the log, or the same bytes were there already.
    pub duplicate: bool,
    /// `socket` (hub running) or `store` (hub stopped).
    pub via: &'static str,
}

/// Sign the draft with the hub's key and store it in the hub's log; then
/// bump the draft's version. Nothing changes at the hub or in the draft
/// when the hub refuses it.
pub async fn publish(config: &HubConfig, path: &Path) -> Result<Published, EditorError> {
    let c = load_draft(path)?;
    c.validate().map_err(|source| EditorError::Field {
        path: path.to_path_buf(),
        source,
    })?;
    let key = KeyPair::load(&config.key).map_err(|source| HubError::Trust {
        what: "hub key",
        path: config.key.clone(),
        source,
    })?;
    let payload = Payload::Collection(c.clone());
    let envelope = key.sign(&payload);
    let id = envelope.id();
    let (report, via) = crate::catalog::import_signed(config, vec![envelope]).await?;
    let ImportReport {
        accepted,
        refused,
        error,
        ..
    } = report;
    if let Some(e) = error {
        return Err(EditorError::Refused(e));
    }
    if let Some((_, why)) = refused.into_iter().next() {
        return Err(EditorError::Refused(why));
    }
    let mut next = c.clone();
    next.version = c.version.saturating_add(1);
    save(path, &next)?;
    Ok(Published {
        id,
        version: c.version,
        duplicate: accepted == 0,
        via,
    })
}
