//! Per-record state while sanitising: own names, consistent pseudonyms, the
//! reference year for dates, and the audit trail.

use std::collections::HashMap;

use super::deny::DenyMatcher;
use super::echo::{own_variants, Echo};
use crate::normalize::fold_str;
use crate::policy::Role;
use tazan_model::AuditEntry;

/// Per-record state: own names, pseudonyms, reference year, audit.
pub(super) struct RecordContext {
    pub(super) own: DenyMatcher,
    pub(super) ref_year: Option<i32>,
    pseudonyms: HashMap<(&'static str, String), String>,
    counters: HashMap<&'static str, usize>,
    pub(super) audit: Vec<AuditEntry>,
    /// Short forms of the names replaced so far (see `echo.rs`).
    pub(super) echoes: Vec<Echo>,
    /// A replacement of the current pass was written glued to a word.
    pub(super) glued: bool,
}

impl RecordContext {
    pub(super) fn new(own_names: &[String], ref_year: Option<i32>) -> Self {
        let own = DenyMatcher::new(
            own_variants(own_names)
                .into_iter()
                .map(|n| (Role::Own, n))
                .collect(),
            Vec::new(),
        );
        RecordContext {
            own,
            ref_year,
            pseudonyms: HashMap::new(),
            counters: HashMap::new(),
            audit: Vec::new(),
            echoes: Vec::new(),
            glued: false,
        }
    }

    pub(super) fn pseudonym(&mut self, bucket: &'static str, original: &str) -> String {
        let key = (bucket, fold_str(original));
        if let Some(p) = self.pseudonyms.get(&key) {
            return p.clone();
        }
        let n = self.counters.entry(bucket).or_insert(0);
        let letter = char::from(b'A' + (*n % 26) as u8);
        let label = if *n < 26 {
            letter.to_string()
        } else {
            format!("{letter}{}", *n / 26 + 1)
        };
        *n += 1;
        let p = match bucket {
            "社" => format!("{label}社"),
            other => format!("{other}{label}"),
        };
        self.pseudonyms.insert(key, p.clone());
        p
    }
}
