//! `tazan verify log` for a hub: re-verify a whole stored log offline —
//! every entry against the tree, the tree's root, the checkpoints kept, and
//! every envelope signature against the roster's key history.

use serde::Serialize;
use tazan_model::LessonId;
use tazan_store::{envelope_leaf, HubLog, Store};
use tazan_tlog::{MemoryTree, SignedCheckpoint};
use tazan_trust::SignedRoster;

use crate::{HubConfig, HubError};

/// What an audit of a stored hub log found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogAudit {
    /// The hub's checkpoint origin.
    pub origin: String,
    /// Entries in the log (its head).
    pub entries: u64,
    /// Entries the stored tree covers.
    pub tree_size: u64,
    /// Root of the tree recomputed from the entries (base64).
    pub root: String,
    /// Envelope signatures verified against the roster's key history (or
    /// the hub's own key, for a catalogue it serves).
    pub signatures_checked: u64,
    /// Entries signed by keys outside this hub's roster (at a group hub,
    /// lessons relayed from other groups, signed by their group hubs).
    pub signatures_not_in_roster: u64,
    /// Size of the witnessed checkpoint kept, if any.
    pub witnessed_size: Option<u64>,
    /// Other hubs' logs this hub witnesses, with the size last cosigned.
    pub witnessing: Vec<(String, u64)>,
    /// Everything wrong, each naming the entry or checkpoint.
    pub problems: Vec<String>,
}

impl std::fmt::Display for LogAudit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "log {}: {} entries, tree covers {}, root {}",
            self.origin, self.entries, self.tree_size, self.root
        )?;
        writeln!(
            f,
            "signatures: {} verified (roster key history, or this hub's key), {} by keys outside this roster (lessons relayed from other groups)",
            self.signatures_checked, self.signatures_not_in_roster
        )?;
        match self.witnessed_size {
            Some(n) => writeln!(f, "witnessed checkpoint: size {n}")?,
            None => writeln!(f, "witnessed checkpoint: none kept")?,
        }
        for (log, size) in &self.witnessing {
            writeln!(f, "witnessing {log}: cosigned up to size {size}")?;
        }
        if self.problems.is_empty() {
            write!(f, "OK: the log, its tree and its checkpoints agree")
        } else {
            writeln!(f, "{} problem(s):", self.problems.len())?;
            for p in &self.problems {
                writeln!(f, "  {p}")?;
            }
            Ok(())
        }
    }
}

/// Re-verify the stored log of the (stopped) hub configured by `config`.
pub fn verify_log(config: &HubConfig) -> Result<LogAudit, HubError> {
    let (key, roster) = crate::server::load_key_and_roster(config)?;
    let store = Store::open(&config.data_dir)?;
    let log = HubLog::open_as_stored(&store)?;
    let origin = tazan_tlog::origin(config.id.as_str());
    let mut audit = LogAudit {
        origin: origin.clone(),
        entries: log.head(),
        tree_size: log.tree_size()?,
        ..Default::default()
    };
    let problems = &mut audit.problems;
    let seqs = log.stored_seqs()?;
    if let Some((i, seq)) = seqs
        .iter()
        .enumerate()
        .find(|(i, seq)| **seq != *i as u64 + 1)
    {
        problems.push(format!(
            "the log has a gap: entry {} is missing (next stored is {seq}); entries were removed",
            i + 1
        ));
    }
    if audit.tree_size != audit.entries {
        problems.push(format!(
            "the Merkle tree covers {} entries but the log holds {}",
            audit.tree_size, audit.entries
        ));
    }
    let mut tree = MemoryTree::default();
    for &seq in &seqs {
        let Some(rec) = log.entry(seq)? else { continue };
        let leaf = envelope_leaf(&rec.envelope);
        let lesson = rec.id.short();
        if rec.seq != seq {
            problems.push(format!(
                "entry {seq} (lesson {lesson}) says it is entry {}",
                rec.seq
            ));
        }
        if LessonId::of(&rec.envelope.payload) != rec.id {
            problems.push(format!(
                "entry {seq}: lesson id {lesson} is not the hash of its payload (rewritten content)"
            ));
        }
        match log.leaf(seq)? {
            Some(stored) if stored == leaf => {}
            Some(_) => problems.push(format!(
                "entry {seq} (lesson {lesson}): its content does not match the leaf hash the tree committed to (a rewritten entry)"
            )),
            None => problems.push(format!(
                "entry {seq} (lesson {lesson}): the tree has no leaf for it"
            )),
        }
        tree.push(leaf).map_err(tlog_task)?;
        check_signature(
            &roster,
            &key.public(),
            &rec,
            &mut audit.signatures_checked,
            &mut audit.signatures_not_in_roster,
            problems,
        );
    }
    let recomputed = tree.head(tree.size()).map_err(tlog_task)?;
    audit.root = recomputed.root_b64();
    if audit.tree_size == audit.entries && audit.entries > 0 {
        match log.tree_head(audit.entries) {
            Ok(stored) if stored == recomputed => {}
            Ok(stored) => problems.push(format!(
                "the stored tree's root at size {} is {}, but the entries hash to {}",
                audit.entries,
                stored.root_b64(),
                recomputed.root_b64()
            )),
            Err(e) => problems.push(format!("the stored tree cannot be read: {e}")),
        }
    }
    if let Some(note) = log.blob("witnessed-checkpoint")? {
        match SignedCheckpoint::verify(&note, &origin, &[key.public()]) {
            Ok(cp) => {
                audit.witnessed_size = Some(cp.size());
                match tree.head(cp.size()) {
                    Ok(head) if head == cp.head() && cp.size() <= tree.size() => {}
                    _ => problems.push(format!(
                        "the witnessed checkpoint of size {} (root {}) does not match the log: its history was changed after a witness cosigned it",
                        cp.size(),
                        cp.head().root_b64()
                    )),
                }
            }
            Err(e) => problems.push(format!("the witnessed checkpoint kept: {e}")),
        }
    }
    for (name, note) in log.blobs("witness/")? {
        let witnessed = name.trim_start_matches("witness/").to_owned();
        match SignedCheckpoint::from_stored(&note, &witnessed) {
            Ok(cp) => audit.witnessing.push((witnessed, cp.size())),
            Err(e) => problems.push(format!("witness state for {witnessed}: {e}")),
        }
    }
    Ok(audit)
}

fn check_signature(
    roster: &SignedRoster,
    own: &tazan_trust::PublicKey,
    rec: &tazan_store::LogRecord,
    checked: &mut u64,
    outside: &mut u64,
    problems: &mut Vec<String>,
) {
    let envelope = match rec.envelope.to_envelope() {
        Ok(e) => e,
        Err(e) => {
            problems.push(format!("entry {}: {e}", rec.seq));
            return;
        }
    };
    if envelope.signer == own.key_id() {
        // The hub's own lessons (a catalogue it serves).
        match tazan_trust::verify_envelope(own, &envelope) {
            Ok(_) => *checked += 1,
            Err(e) => problems.push(format!(
                "entry {} (lesson {}): signature: {e}",
                rec.seq,
                rec.id.short()
            )),
        }
        return;
    }
    if roster.roster.key(&envelope.signer).is_none() {
        *outside += 1;
        return;
    }
    match roster.roster.verify_historic(&envelope, rec.received_at) {
        Ok(_) => *checked += 1,
        Err(e) => problems.push(format!(
            "entry {} (lesson {}): signature: {e}",
            rec.seq,
            rec.id.short()
        )),
    }
}

fn tlog_task(e: tazan_tlog::TlogError) -> HubError {
    HubError::Task(e.to_string())
}
