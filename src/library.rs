//! The node's searchable library: received lessons and imported catalogues
//! mirrored into a tantivy index under `HOME/index`, and the catalogue file
//! kept verbatim under `HOME/catalog.jsonl` so `catalog export` gives back
//! exactly what was imported. A running node keeps the index current itself
//! (`tazan_node`'s indexer) and commands open it read-only; a stopped node's
//! library is synced in by the command that opens it. A hub's index of its
//! log (`[search]` in hub.toml) is opened here read-only too, for trends and
//! digests at the hub.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use tazan_search::{SearchError, SearchIndex};
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

/// Who else has a say in a node's index, for [`open_index`].
#[derive(Clone, Copy)]
pub enum NodeState<'a> {
    /// No node is configured in this home: the index holds imported catalogues only.
    Absent,
    /// The node is stopped; its library (opened by the caller) is synced in first.
    Stopped(&'a Library),
    /// The node runs and keeps the index current itself.
    Running,
}

/// Open the node's index to read. While the node runs it owns the index's
/// writer, so this opens it read-only; otherwise with the writer (syncing a
/// stopped node's library in first), falling back to read-only when another
/// command writes it at the moment.
pub fn open_index(dir: &Path, node: NodeState<'_>) -> Result<SearchIndex> {
    if !matches!(node, NodeState::Running) {
        match SearchIndex::open(dir) {
            Ok(index) => {
                if let NodeState::Stopped(library) = node {
                    // A bar on a terminal's stderr only, cleared when done,
                    // so stdout (text or --json) is untouched.
                    let progress = Progress::bar(0, "indexing the library", false);
                    tazan_node::sync_library(&index, library, &mut |done, total| {
                        progress.set_length(total as u64);
                        progress.set_position(done as u64);
                    })?;
                    progress.finish();
                }
                return Ok(index);
            }
            Err(SearchError::Locked { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if !dir.join("meta.json").exists() {
        bail!(
            "no search index at {} yet: the running node creates it on start (unless [search] enabled = false in node.toml)",
            dir.display()
        );
    }
    open_read_only(dir)
}

/// Open the search index of the hub configured in `config` to read: the
/// index of its whole log (for a group hub its members' lessons and what it
/// received from the cross hub; for the cross hub every group's). Always
/// read-only: a running hub holds the writer, and a stopped hub indexes the
/// rest of its log itself when it starts again, so a stopped hub's index
/// holds what it had committed when it stopped.
pub fn open_hub_index(config: &Path) -> Result<SearchIndex> {
    let cfg = tazan_hub::HubConfig::load(config)?;
    if !cfg.search {
        bail!(
            "{}: `[search] enabled = false`: this hub keeps no index of its log to read; set `[search] enabled = true` and restart the hub (it then indexes its whole log)",
            config.display()
        );
    }
    let dir = cfg.index_dir();
    if !dir.join("meta.json").exists() {
        bail!(
            "no search index at {} yet: the hub creates it when it starts with `[search] enabled = true` (the default); start it with `tazan hub serve --config {}`",
            dir.display(),
            config.display()
        );
    }
    open_read_only(&dir)
}

/// Open `dir` read-only beside whichever process writes it.
fn open_read_only(dir: &Path) -> Result<SearchIndex> {
    // A reader that lists the segment files just as the writer merges them
    // may miss one; a second look sees the new list.
    let mut tries = 0;
    loop {
        match SearchIndex::open_read_only(dir) {
            Ok(index) => return Ok(index),
            Err(_) if tries < 3 => tries += 1,
            Err(e) => return Err(e.into()),
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Import a catalogue (JSON Lines: id, domain, theme, title, summary, cases)
/// into the index and the verbatim copy; an entry with an id already
/// imported replaces it. Returns how many entries the file held.
/// `progress` counts entries indexed.
pub fn import_catalog(home: &Path, file: &Path, progress: &Progress) -> Result<usize> {
    let docs = tazan_search::load_catalog(file)?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let index = match SearchIndex::open(&index_dir(home)) {
        Err(SearchError::Locked { .. }) => bail!(
            "the node is running and keeps its index itself; stop it to import a catalogue locally, or import it at the group hub (`--hub-config`), whose members then receive it as lessons"
        ),
        other => other?,
    };
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
