//! The files in `examples/`, embedded in the binary so `tazan lesson template`
//! and `tazan incident template` can print them anywhere. They are the
//! documentation of the formats by example (the README describes each field),
//! and the tests below parse every one, so they stay valid.

/// A commented lesson file (TOML).
pub const LESSON_TOML: &str = include_str!("../examples/lesson.toml");
/// A lesson file (JSON).
pub const LESSON_JSON: &str = include_str!("../examples/lesson.json");
/// One incident, every field used (JSON).
pub const INCIDENT_JSON: &str = include_str!("../examples/incident.json");
/// Incidents, one per line (JSON Lines).
pub const INCIDENTS_JSONL: &str = include_str!("../examples/incidents.jsonl");
/// Incidents as CSV with the schema's column names (UTF-8).
pub const INCIDENTS_CSV: &str = include_str!("../examples/incidents.csv");
/// Incidents as CSV with Japanese column names, in Shift_JIS (as Excel saves it).
pub const INCIDENTS_SJIS_CSV: &[u8] = include_bytes!("../examples/incidents-sjis.csv");
/// A group's NDA policy (TOML).
pub const POLICY_TOML: &str = include_str!("../examples/policy.toml");
/// A lesson catalogue (JSON Lines), written for the project.
pub const CATALOG_JSONL: &str = include_str!("../examples/catalog.jsonl");

/// The incident examples by `--format` name, with the file name they are
/// shipped as.
pub fn incident_template(format: &str) -> Option<(&'static str, &'static [u8])> {
    Some(match format {
        "json" => ("incident.json", INCIDENT_JSON.as_bytes()),
        "jsonl" => ("incidents.jsonl", INCIDENTS_JSONL.as_bytes()),
        "csv" => ("incidents.csv", INCIDENTS_CSV.as_bytes()),
        "csv-sjis" => ("incidents-sjis.csv", INCIDENTS_SJIS_CSV),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tazan_model::{read_incidents, Encoding, UnknownFields};

    use super::*;

    fn examples() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
    }

    /// Every example parses with the strict rules a user's file meets.
    #[test]
    fn every_example_parses() {
        for name in ["lesson.toml", "lesson.json"] {
            let lesson = tazan_node::read_lesson_file(&examples().join(name))
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
            assert!(lesson.countermeasures.len() >= 2, "{name}");
        }
        for (name, records, encoding) in [
            ("incident.json", 1, Encoding::Utf8),
            ("incidents.jsonl", 3, Encoding::Utf8),
            ("incidents.csv", 2, Encoding::Utf8),
            ("incidents-sjis.csv", 2, Encoding::ShiftJis),
        ] {
            let parsed = read_incidents(&examples().join(name), UnknownFields::Refuse).unwrap();
            assert!(parsed.errors.is_empty(), "{name}: {:?}", parsed.errors);
            assert_eq!(parsed.records.len(), records, "{name}");
            assert_eq!(parsed.encoding, encoding, "{name}");
        }
        tazan_sanitize::Policy::load(&examples().join("policy.toml")).unwrap();
        let catalog = tazan_search::load_catalog_lessons(
            &examples().join("catalog.jsonl"),
            tazan_model::DisclosureLevel::Clear,
        )
        .unwrap();
        assert!(catalog.errors.is_empty(), "{:?}", catalog.errors);
        assert_eq!(catalog.lessons.len(), 8);
    }

    /// The README's incident table lists every field and every Japanese name
    /// the reader accepts, so it cannot drift from the schema.
    #[test]
    fn the_readme_documents_every_incident_field() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let section = readme
            .split_once("### Incident files")
            .and_then(|(_, rest)| rest.split_once("\n### "))
            .map(|(section, _)| section)
            .expect("README: an `### Incident files` section");
        for field in tazan_model::INCIDENT_SCHEMA {
            let row = section
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", field.name)))
                .unwrap_or_else(|| panic!("README: no row for `{}`", field.name));
            for alias in field.aliases {
                assert!(
                    row.contains(alias),
                    "README row of `{}` lacks {alias}",
                    field.name
                );
            }
        }
        assert!(
            readme.contains("| `language` |"),
            "README: lesson field `language`"
        );
    }

    #[test]
    fn the_embedded_copies_are_the_files() {
        for (name, bytes) in [
            ("lesson.toml", LESSON_TOML.as_bytes()),
            ("lesson.json", LESSON_JSON.as_bytes()),
            ("policy.toml", POLICY_TOML.as_bytes()),
            ("catalog.jsonl", CATALOG_JSONL.as_bytes()),
        ]
        .into_iter()
        .chain(
            ["json", "jsonl", "csv", "csv-sjis"]
                .iter()
                .filter_map(|f| incident_template(f)),
        ) {
            assert_eq!(
                std::fs::read(examples().join(name)).unwrap(),
                bytes,
                "{name}"
            );
        }
    }
}
