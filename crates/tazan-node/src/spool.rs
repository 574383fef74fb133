//! The hand-off directory between the `tazan` command and a running node.
//!
//! A running node owns its sled store, so a command that signs a lesson
//! while the node runs cannot open the outbox. It writes the signed envelope
//! into the spool instead (write to a temporary name, then rename, so the
//! node never sees half a file); the node moves each file into its durable
//! outbox and only then deletes it.

use std::path::{Path, PathBuf};

use tazan_model::Envelope;
use tazan_store::HexEnvelope;

use crate::NodeError;

/// A spool directory.
#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
}

fn io(what: &str, path: &Path, e: std::io::Error) -> NodeError {
    NodeError::Task(format!("{what} {}: {e}", path.display()))
}

impl Spool {
    /// The spool in `dir` (created on first use, mode 0700 on unix).
    pub fn new(dir: impl Into<PathBuf>) -> Spool {
        Spool { dir: dir.into() }
    }

    /// Where it is.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Hand a signed envelope to the running node.
    pub fn put(&self, env: &Envelope) -> Result<PathBuf, NodeError> {
        let json = serde_json::to_vec(&HexEnvelope::from(env))
            .map_err(|e| NodeError::Task(e.to_string()))?;
        let name = format!("{}.json", env.id());
        tazan_store::spool_write(&self.dir, &name, &json).map_err(|e| io("writing", &self.dir, e))
    }

    /// Every complete file in the spool, oldest name first, with its envelope
    /// or the reason it cannot be read.
    pub fn pending(&self) -> Vec<(PathBuf, Result<Envelope, String>)> {
        tazan_store::spool_files(&self.dir, "json")
            .into_iter()
            .map(|p| {
                let env = read(&p);
                (p, env)
            })
            .collect()
    }

    /// Move an unreadable file aside (`rejected/`) so it is not retried.
    pub fn reject(&self, path: &Path) {
        let dir = self.dir.join("rejected");
        let _ = std::fs::create_dir_all(&dir);
        if let Some(name) = path.file_name() {
            let _ = std::fs::rename(path, dir.join(name));
        }
    }
}

fn read(path: &Path) -> Result<Envelope, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let f: HexEnvelope = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    f.to_envelope()
}

#[cfg(test)]
mod tests {
    use tazan_model::{DisclosureLevel, Lesson, Payload};

    use super::*;

    #[test]
    fn round_trip_and_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        assert!(spool.pending().is_empty());
        let key = tazan_trust::KeyPair::generate();
        let env = key.sign(&Payload::Lesson(Lesson::example(
            "t",
            DisclosureLevel::Amber,
        )));
        let path = spool.put(&env).unwrap();
        std::fs::write(spool.dir().join("broken.json"), b"{").unwrap();
        std::fs::write(spool.dir().join(".half.json.tmp"), b"{").unwrap();
        let pending = spool.pending();
        assert_eq!(pending.len(), 2);
        let good = pending.iter().find(|(p, _)| *p == path).unwrap();
        assert_eq!(good.1.as_ref().unwrap(), &env);
        let bad = pending.iter().find(|(p, _)| *p != path).unwrap();
        assert!(bad.1.is_err());
        spool.reject(&bad.0);
        assert_eq!(spool.pending().len(), 1);
    }
}
