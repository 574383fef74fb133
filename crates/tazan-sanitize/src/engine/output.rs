//! What the sanitizer produces: published fields, leak-gate findings and the local audit.

use serde::Serialize;
use serde_json::{Map, Value};

use tazan_model::{AuditEntry, Finding};

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
