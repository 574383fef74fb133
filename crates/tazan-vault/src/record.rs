//! What the vault stores besides incidents: drafts, their status, review
//! decisions, and the outcome of importing one record.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tazan_model::{DisclosureLevel, Lesson, LessonId, PayloadKind};
use tazan_model::{Finding, LessonFinding};

use crate::VaultError;

/// A draft's id: `d` and a number, unique within the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct DraftId(pub u64);

impl DraftId {
    pub(crate) fn key(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
}

impl fmt::Display for DraftId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "d{}", self.0)
    }
}

impl FromStr for DraftId {
    type Err = VaultError;

    /// `d12` or `12`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        t.strip_prefix('d')
            .unwrap_or(t)
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .map(DraftId)
            .ok_or_else(|| VaultError::NoDraft { id: s.to_owned() })
    }
}

impl From<DraftId> for String {
    fn from(id: DraftId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for DraftId {
    type Error = VaultError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// Where a draft is in review. Only an approved draft is ever signed, and only
/// by `tazan lesson approve`, which re-runs the leak gate first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftStatus {
    /// Being reviewed; may be edited.
    Draft,
    /// Approved by a reviewer, not yet handed to the outbox (a failed hand-off
    /// leaves it here; approving again retries).
    Approved,
    /// Signed and handed to the node's outbox or spool; no longer editable.
    Queued,
}

impl DraftStatus {
    /// The lower-case word.
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Draft => "draft",
            DraftStatus::Approved => "approved",
            DraftStatus::Queued => "queued",
        }
    }
}

impl fmt::Display for DraftStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A lesson draft: one rendition of one incident for one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftRecord {
    /// Draft id.
    pub id: DraftId,
    /// The vault incident it was drafted from.
    pub incident: String,
    /// The level it was drafted for (the lesson's level).
    pub level: DisclosureLevel,
    /// The lesson as it would be published.
    pub lesson: Lesson,
    /// The lesson as the sanitizer drafted it, before any edit: what a
    /// reviewer may put a field back to. `None` in drafts stored before it
    /// was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drafted: Option<Lesson>,
    /// Leak-gate findings on `lesson` at the last draft, edit or approval.
    pub findings: Vec<LessonFinding>,
    /// Review status.
    pub status: DraftStatus,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
    /// Who approved it.
    pub reviewer: Option<String>,
    /// When it was approved (RFC 3339, UTC).
    pub approved_at: Option<String>,
    /// The signed lesson's id once queued (64 hex).
    pub lesson_id: Option<String>,
    /// How it was handed over once queued (`queued`, `spooled`, `accepted` …).
    pub delivery: Option<String>,
}

/// A reviewer's recorded decision to publish despite a leak-gate finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The finding's id (as printed by `tazan lesson show`).
    pub finding_id: String,
    /// What the gate found and where.
    pub finding: Finding,
    /// The matched text (local only).
    pub excerpt: String,
    /// Who decided.
    pub reviewer: String,
    /// Why it may be published.
    pub reason: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The original text the reviewer put back in place of its replacement,
    /// when the decision comes from a restore (`tazan lesson restore`): the
    /// finding on the restored text is overridden by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored: Option<String>,
}

/// Something this node signed and handed to its outbox or to the running
/// node: the register behind `lesson withdraw ID-PREFIX`, corrections and
/// `tazan lesson published`. It holds what was sent, never raw text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedRecord {
    /// The signed payload's id.
    pub id: LessonId,
    /// Lesson (new or correction) or withdrawal.
    pub kind: PayloadKind,
    /// How far it travels.
    pub level: DisclosureLevel,
    /// The lesson's title (empty for a withdrawal).
    #[serde(default)]
    pub title: String,
    /// The lesson's version (1, or more for a correction).
    #[serde(default)]
    pub version: u32,
    /// The lesson a correction supersedes, or the lesson a withdrawal withdraws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<LessonId>,
    /// Where it came from: a draft (`d3`), a file name, a catalogue line.
    #[serde(default)]
    pub source: String,
    /// When it was signed (RFC 3339, UTC).
    pub at: String,
    /// How it was handed over (`queued`, `spooled`, `accepted` …).
    #[serde(default)]
    pub delivery: String,
}

/// What importing one record does (see [`crate::Vault::classify`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    /// A new id: stored.
    New,
    /// The same id with the same content: nothing to do.
    Unchanged,
    /// The same id with other content, and `--replace` was given: overwritten.
    Replaced,
    /// The same id with other content: refused without `--replace`.
    Duplicate,
}

/// The current time as RFC 3339 in UTC.
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
