//! What the sanitizer produces: published fields, leak-gate findings and the local audit.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::kind::Kind;

/// One replacement made in a record: the local audit trail. It holds raw text and
/// stays on the node; it is never part of the published fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Field path (`description`, `timeline[3].event`).
    pub field: String,
    /// What was there.
    pub original: String,
    /// What was published instead.
    pub replacement: String,
    /// Kind of span.
    pub kind: Kind,
    /// The recogniser rule (or `deny:<role>`).
    pub rule: String,
}

/// Something in a sanitised text that must not be published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Kind of span found.
    pub kind: Kind,
    /// Field path.
    pub field: String,
    /// Character offset in the published field.
    pub offset: usize,
    /// Length in characters.
    pub len: usize,
    /// The rule that fired (`deny:own`, `org_suffix`, `ipadic:組織` …).
    pub rule: String,
}

/// Publication status of a sanitised record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The leak gate found nothing.
    Ok,
    /// The leak gate found something: the record must be reviewed and not published.
    Blocked,
}

/// A sanitised record: published fields, gate findings and the local audit.
#[derive(Debug, Clone, Serialize)]
pub struct SanitizedRecord {
    /// Vault id.
    pub id: String,
    /// `ok` or `blocked`.
    pub status: Status,
    /// Fields that may travel (already sanitised and generalised).
    pub published: Map<String, Value>,
    /// Leak-gate findings (positions only, no text).
    pub findings: Vec<Finding>,
    /// Local audit: original → replacement. Never publish.
    pub audit: Vec<AuditEntry>,
}
