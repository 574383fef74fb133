//! Importing a file of raw incidents into the vault: the rules
//! `tazan incident import` (and the portal to come) apply, in one place.

use std::collections::HashMap;

use tazan_model::{Encoding, IncidentError, ParsedIncidents};

use crate::{ImportOutcome, Vault, VaultError};

/// How an import treats refusals and known ids.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Overwrite incidents whose id is in the vault with other content.
    pub replace: bool,
    /// Store nothing if any record is refused.
    pub all_or_nothing: bool,
}

/// What an import did.
#[derive(Debug)]
pub struct ImportReport {
    /// Ids stored for the first time.
    pub new: Vec<String>,
    /// Ids whose stored record was overwritten (`replace`).
    pub replaced: Vec<String>,
    /// Ids already stored with the same content: left alone.
    pub unchanged: Vec<String>,
    /// Every refused record, ordered by line: parse errors, ids repeated in
    /// the file, ids in the vault with other content.
    pub errors: Vec<IncidentError>,
    /// `all_or_nothing` was asked and something was refused: nothing stored.
    pub refused_all: bool,
    /// The encoding the file was read in.
    pub encoding: Encoding,
}

impl Vault {
    /// Imports the records `parsed` from `file`: new ids are stored, the same
    /// content again is left alone, other content under a known id is refused
    /// unless `replace`; everything stored in one atomic batch (or nothing,
    /// under `all_or_nothing` when a record is refused).
    pub fn import(
        &self,
        file: &str,
        parsed: ParsedIncidents,
        options: ImportOptions,
    ) -> Result<ImportReport, VaultError> {
        let mut report = ImportReport {
            new: Vec::new(),
            replaced: Vec::new(),
            unchanged: Vec::new(),
            errors: parsed.errors,
            refused_all: false,
            encoding: parsed.encoding,
        };
        let refuse = |line, reason: String| IncidentError::Record {
            file: file.to_owned(),
            line,
            field: "id".into(),
            reason,
        };
        let mut first_line: HashMap<String, usize> = HashMap::new();
        let mut to_store = Vec::new();
        for (line, incident) in parsed.records {
            if let Some(first) = first_line.get(&incident.id) {
                report.errors.push(refuse(
                    line,
                    format!("duplicate id in this file (first at line {first})"),
                ));
                continue;
            }
            first_line.insert(incident.id.clone(), line);
            match self.classify(&incident, options.replace)? {
                ImportOutcome::New => report.new.push(incident.id.clone()),
                ImportOutcome::Replaced => report.replaced.push(incident.id.clone()),
                ImportOutcome::Unchanged => {
                    report.unchanged.push(incident.id.clone());
                    continue;
                }
                ImportOutcome::Duplicate => {
                    report.errors.push(refuse(
                        line,
                        "already in the vault with different content; pass --replace to overwrite"
                            .into(),
                    ));
                    continue;
                }
            }
            to_store.push(incident);
        }
        report.errors.sort_by_key(IncidentError::line);
        if options.all_or_nothing && !report.errors.is_empty() {
            report.refused_all = true;
            report.new.clear();
            report.replaced.clear();
        } else {
            self.put_incidents(&to_store)?;
        }
        Ok(report)
    }
}
