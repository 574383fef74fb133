//! Importing parsed incident files into the vault: the one workflow behind
//! `tazan incident import` and the node portal's upload form.

use std::collections::HashMap;

use serde::Serialize;
use tazan_model::{IncidentError, ParsedIncidents};

use crate::{ImportOutcome, Vault, VaultError};

/// How to treat ids already in the vault, and bad records.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Overwrite an id already stored with different content (else refused).
    pub replace: bool,
    /// Store nothing when any record is refused.
    pub all_or_nothing: bool,
}

/// What an import did; the ids are in file order.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// The file's name, as given.
    pub file: String,
    /// Ids stored for the first time.
    pub imported: Vec<String>,
    /// Ids whose stored record was overwritten.
    pub replaced: Vec<String>,
    /// Ids already stored with the same content.
    pub unchanged: Vec<String>,
    /// Records refused, by line.
    #[serde(serialize_with = "errors_json")]
    pub errors: Vec<IncidentError>,
    /// Nothing was stored because of `all_or_nothing`.
    #[serde(rename = "all_or_nothing_refused")]
    pub refused_all: bool,
}

fn errors_json<S: serde::Serializer>(errors: &[IncidentError], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(errors.len()))?;
    for e in errors {
        match e {
            IncidentError::Record {
                file,
                line,
                field,
                reason,
            } => seq.serialize_element(&serde_json::json!({
                "file": file, "line": line, "field": field, "reason": reason,
            }))?,
            other => seq.serialize_element(&serde_json::json!({"reason": other.to_string()}))?,
        }
    }
    seq.end()
}

impl Vault {
    /// Import `parsed` (read from `file`): new ids are stored, the same record
    /// again is left alone, another record under a stored id is refused unless
    /// `options.replace`, and an id twice in the file is refused at its second
    /// line. Good records are stored in one atomic, flushed write (none with
    /// `options.all_or_nothing` when any record was refused). `progress` is
    /// called once per record.
    pub fn import(
        &self,
        parsed: ParsedIncidents,
        file: &str,
        options: ImportOptions,
        progress: &mut dyn FnMut(),
    ) -> Result<ImportReport, VaultError> {
        let mut report = ImportReport {
            file: file.to_owned(),
            errors: parsed.errors,
            ..ImportReport::default()
        };
        let mut first_line: HashMap<String, usize> = HashMap::new();
        let mut to_store = Vec::new();
        for (line, incident) in parsed.records {
            progress();
            if let Some(first) = first_line.get(&incident.id) {
                report.errors.push(IncidentError::Record {
                    file: file.to_owned(),
                    line,
                    field: "id".into(),
                    reason: format!("duplicate id in this file (first at line {first})"),
                });
                continue;
            }
            first_line.insert(incident.id.clone(), line);
            match self.classify(&incident, options.replace)? {
                ImportOutcome::New => report.imported.push(incident.id.clone()),
                ImportOutcome::Replaced => report.replaced.push(incident.id.clone()),
                ImportOutcome::Unchanged => {
                    report.unchanged.push(incident.id.clone());
                    continue;
                }
                ImportOutcome::Duplicate => {
                    report.errors.push(IncidentError::Record {
                        file: file.to_owned(),
                        line,
                        field: "id".into(),
                        reason: "already in the vault with different content; pass --replace to overwrite"
                            .into(),
                    });
                    continue;
                }
            }
            to_store.push(incident);
        }
        report.errors.sort_by_key(|e| match e {
            IncidentError::Record { line, .. } => *line,
            _ => 0,
        });
        report.refused_all = options.all_or_nothing && !report.errors.is_empty();
        if report.refused_all {
            report.imported.clear();
            report.replaced.clear();
        } else if !to_store.is_empty() {
            self.put_incidents(&to_store)?;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use tazan_model::parse_jsonl;

    use super::*;

    #[test]
    fn import_stores_new_refuses_duplicates_and_all_or_nothing_stores_none() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(dir.path()).unwrap();
        let text = "{\"id\":\"A\"}\n{\"id\":\"B\"}\n{\"id\":\"A\"}\nnot json\n";
        let r = vault
            .import(
                parse_jsonl(text, "f.jsonl"),
                "f.jsonl",
                ImportOptions::default(),
                &mut || {},
            )
            .unwrap();
        assert_eq!(r.imported, ["A", "B"]);
        let lines: Vec<String> = r.errors.iter().map(|e| e.to_string()).collect();
        assert!(
            lines[0].starts_with("f.jsonl:3: field `id`: duplicate id"),
            "{lines:?}"
        );
        assert!(lines[1].starts_with("f.jsonl:4:"), "{lines:?}");

        let changed = "{\"id\":\"A\",\"impact\":\"停止\"}\n{\"id\":\"C\"}\n";
        let all = ImportOptions {
            all_or_nothing: true,
            ..ImportOptions::default()
        };
        let r = vault
            .import(parse_jsonl(changed, "g.jsonl"), "g.jsonl", all, &mut || {})
            .unwrap();
        assert!(r.refused_all && r.imported.is_empty());
        assert!(vault.incident("C").unwrap().is_none(), "nothing stored");
        assert!(vault.incident("A").unwrap().unwrap().impact.is_none());

        let replace = ImportOptions {
            replace: true,
            ..ImportOptions::default()
        };
        let r = vault
            .import(
                parse_jsonl(changed, "g.jsonl"),
                "g.jsonl",
                replace,
                &mut || {},
            )
            .unwrap();
        assert_eq!((r.replaced.len(), r.imported.len()), (1, 1));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["replaced"][0], "A");
        assert_eq!(json["all_or_nothing_refused"], false);
    }
}
