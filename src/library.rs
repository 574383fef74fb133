//! The node's searchable library: received lessons and imported catalogues
//! mirrored into a tantivy index under `HOME/index`, and the catalogue file
//! kept verbatim under `HOME/catalog.jsonl` so `catalog export` gives back
//! exactly what was imported.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tazan_model::{Lesson, LessonId, Payload, PayloadKind};
use tazan_search::{IndexDoc, SearchIndex};
use tazan_store::Library;

use crate::progress::Progress;

/// The index directory of a node home.
pub fn index_dir(home: &Path) -> PathBuf {
    home.join("index")
}

/// The verbatim catalogue of a node home.
pub fn catalog_file(home: &Path) -> PathBuf {
    home.join("catalog.jsonl")
}

/// A lesson as an index document.
pub fn lesson_doc(id: &LessonId, lesson: &Lesson, published_at: u64) -> IndexDoc {
    IndexDoc::from_lesson(id, lesson, tazan_search::iso8601(published_at))
}

/// Bring the index up to date with the library: every lesson indexed,
/// withdrawn ones removed. `progress` counts library entries.
pub fn sync(index: &SearchIndex, library: &Library, progress: &Progress) -> Result<usize> {
    let mut n = 0;
    let entries = library.all()?;
    progress.set_length(entries.len() as u64);
    for entry in entries {
        progress.inc(1);
        if entry.kind != PayloadKind::Lesson {
            continue;
        }
        if entry.withdrawn {
            index.delete(&entry.id.to_string());
            continue;
        }
        if let Ok(Payload::Lesson(lesson)) = Payload::from_canonical_bytes(&entry.envelope.payload)
        {
            index.upsert(&lesson_doc(&entry.id, &lesson, entry.received_at))?;
            n += 1;
        }
    }
    progress.set_message("committing");
    index.commit()?;
    progress.finish();
    Ok(n)
}

/// Import a catalogue (JSON Lines: id, domain, theme, title, summary, cases)
/// into the index and the verbatim copy; an entry with an id already
/// imported replaces it. Returns how many entries the file held.
/// `progress` counts entries indexed.
pub fn import_catalog(home: &Path, file: &Path, progress: &Progress) -> Result<usize> {
    let docs = tazan_search::load_catalog(file)?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let index = SearchIndex::open(&index_dir(home))?;
    progress.set_length(docs.len() as u64);
    for doc in &docs {
        index.upsert(doc)?;
        progress.inc(1);
    }
    progress.set_message("committing");
    index.commit()?;
    progress.finish();
    // Keep the lines verbatim, in first-import order; a re-imported id
    // replaces its line in place.
    let mut kept: Vec<(String, String)> = read_catalog_lines(&catalog_file(home))?;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let id = catalog_id(line)
            .with_context(|| format!("{}: a line without an `id`", file.display()))?;
        match kept.iter_mut().find(|(k, _)| *k == id) {
            Some(slot) => slot.1 = line.to_owned(),
            None => kept.push((id, line.to_owned())),
        }
    }
    let mut out = String::new();
    for (_, line) in &kept {
        out.push_str(line);
        out.push('\n');
    }
    std::fs::write(catalog_file(home), out)
        .with_context(|| format!("writing {}", catalog_file(home).display()))?;
    Ok(docs.len())
}

fn catalog_id(line: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    v.get("id")?.as_str().map(str::to_owned)
}

fn read_catalog_lines(path: &Path) -> Result<Vec<(String, String)>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| catalog_id(l).map(|id| (id, l.to_owned())))
        .collect())
}

/// The imported catalogue, as JSON Lines.
pub fn export_catalog(home: &Path) -> Result<String> {
    let mut out = String::new();
    for (_, line) in read_catalog_lines(&catalog_file(home))? {
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_round_trips_verbatim_and_is_searchable() {
        let home = tempfile::tempdir().unwrap();
        let file = home.path().join("cat.jsonl");
        let lines = [
            r#"{"id": "X1", "domain": "technical", "theme": "切替え", "title": "待機系への切替えは訓練すべし", "summary": "切替えに失敗した", "cases": []}"#,
            r#"{"id": "X2", "domain": "governance", "theme": "体制", "title": "委託先との役割分担を明確にすべし", "summary": "責任があいまいだった", "cases": []}"#,
        ];
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let progress = Progress::bar(0, "import", true);
        assert_eq!(import_catalog(home.path(), &file, &progress).unwrap(), 2);
        assert_eq!(
            import_catalog(home.path(), &file, &Progress::hidden()).unwrap(),
            2,
            "re-import replaces"
        );
        assert_eq!(
            export_catalog(home.path()).unwrap(),
            lines.join("\n") + "\n"
        );
        let index = SearchIndex::open(&index_dir(home.path())).unwrap();
        assert_eq!(index.len(), 2);
        let hits = index
            .search(&tazan_search::SearchRequest {
                query: "待機系の切替えがうまくいかない".into(),
                limit: 5,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(hits[0].r#ref.as_deref(), Some("X1"));
    }
}
