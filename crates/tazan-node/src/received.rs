//! One received lesson as a reader sees it in a terminal (`tazan lessons show`):
//! the lesson in full, where it came from, and what happened to it since —
//! its withdrawal and the corrections that replace it.

use std::fmt::Write as _;

use serde::Serialize;
use tazan_model::{IdPrefixError, Lesson, LessonId, Payload, Withdrawal};
use tazan_proto::pb;
use tazan_store::{Library, Origin, StoreError};

/// One entry of the node's library or of its hub's log, decoded.
#[derive(Debug, Clone)]
pub struct LogItem {
    /// Sequence number at the hub it came from.
    pub seq: u64,
    /// Lesson (or withdrawal, response) id.
    pub id: LessonId,
    /// Disclosure level, as a label.
    pub level: String,
    /// Who delivered it to the hub (a member, or a group hub for relayed lessons).
    pub origin: String,
    /// The group it came from.
    pub group: String,
    /// What it carries.
    pub payload: Payload,
}

/// A received lesson with its provenance and history.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedLesson {
    /// The lesson's id.
    pub id: LessonId,
    /// Sequence number at the hub it came from.
    pub seq: u64,
    /// Disclosure level.
    pub level: String,
    /// Who delivered it to the hub.
    pub origin: String,
    /// The group it came from.
    pub origin_group: String,
    /// The lesson itself.
    pub lesson: Lesson,
    /// Its withdrawal, if its publisher withdrew it.
    pub withdrawal: Option<Withdrawal>,
    /// Later lessons that correct it (id, version), oldest first.
    pub corrected_by: Vec<(LessonId, u32)>,
    /// Each of the node's group hubs it was received through (filled by
    /// whoever read the library; empty when read from one hub's log).
    pub origins: Vec<Origin>,
    /// Case stories members appended to it (ケース, 活用), in log order;
    /// `told_at` is 0 here (the library keeps the hub's order, not its time).
    pub stories: Vec<tazan_model::CaseStory>,
}

/// Where a library entry came from, for a reader: `via HUB #SEQ (from
/// GROUP/ORIGIN)` per group hub it reached the node through, joined by `; `.
pub fn origins_text(origins: &[Origin]) -> String {
    origins
        .iter()
        .map(|o| {
            let via = if o.via.is_empty() { "the hub" } else { &o.via };
            format!(
                "via {via} #{} (from {}/{})",
                o.hub_seq, o.origin_group, o.origin
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Where a library entry came from when a reader should be told: only when
/// it reached the node through more than one of its group hubs (one origin
/// is already its `GROUP/ORIGIN`).
pub fn received_via(origins: &[Origin]) -> Option<String> {
    (origins.len() > 1).then(|| origins_text(origins))
}

/// One entry of the node's library as `tazan lessons list/show` and the
/// node's admin API (`Library`) give it: the stored entry with every origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryRow {
    /// Sequence number at the hub it came from (its first origin).
    pub seq: u64,
    /// Lesson (or withdrawal, response, collection) id.
    pub id: LessonId,
    /// Disclosure level, as a label.
    pub level: String,
    /// Who delivered it to the hub.
    pub origin: String,
    /// The group it came from.
    pub group: String,
    /// The canonical payload bytes.
    pub payload: Vec<u8>,
    /// A later withdrawal names it.
    pub withdrawn: bool,
    /// Each of the node's group hubs it was received through.
    pub origins: Vec<Origin>,
}

/// Every entry of the node's library in hub order, with its origins: the one
/// reading of the library behind `lessons list/show`, whether the command
/// opened the store itself or asked the running node.
pub fn library_rows(library: &Library) -> Result<Vec<LibraryRow>, StoreError> {
    library
        .all()?
        .into_iter()
        .map(|e| {
            Ok(LibraryRow {
                origins: library.origins(&e.id)?,
                seq: e.hub_seq,
                id: e.id,
                level: e.level.as_str().to_owned(),
                origin: e.origin,
                group: e.origin_group,
                payload: e.envelope.payload,
                withdrawn: e.withdrawn,
            })
        })
        .collect()
}

impl LibraryRow {
    /// The row on the admin API's wire.
    pub fn to_pb(&self) -> pb::NodeLibraryEntry {
        pb::NodeLibraryEntry {
            seq: self.seq,
            lesson_id: self.id.0.to_vec(),
            level: self.level.clone(),
            origin: self.origin.clone(),
            origin_group: self.group.clone(),
            payload: self.payload.clone(),
            withdrawn: self.withdrawn,
            origins: self
                .origins
                .iter()
                .map(|o| pb::LibraryOrigin {
                    via: o.via.clone(),
                    origin: o.origin.clone(),
                    origin_group: o.origin_group.clone(),
                    hub_seq: o.hub_seq,
                })
                .collect(),
        }
    }

    /// The row from the admin API's wire; `None` when its `lesson_id` is not
    /// 32 bytes.
    pub fn from_pb(e: pb::NodeLibraryEntry) -> Option<LibraryRow> {
        Some(LibraryRow {
            id: LessonId::try_from(e.lesson_id.as_slice()).ok()?,
            seq: e.seq,
            level: e.level,
            origin: e.origin,
            group: e.origin_group,
            payload: e.payload,
            withdrawn: e.withdrawn,
            origins: e
                .origins
                .into_iter()
                .map(|o| Origin {
                    via: o.via,
                    origin: o.origin,
                    origin_group: o.origin_group,
                    hub_seq: o.hub_seq,
                })
                .collect(),
        })
    }
}

/// Why `lessons show` found no single lesson.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShowError {
    /// The id names no lesson, or more than one.
    #[error(transparent)]
    Id(#[from] IdPrefixError),
    /// A full id or catalogue reference that is not in the library.
    #[error("no lesson {0:?} in the library (give a lesson id, 8 or more of its first hex characters, or a catalogue reference such as T7; see `tazan lessons list`)")]
    NotFound(String),
}

/// The lesson `query` names among `items` — a full id, a unique prefix of at
/// least 8 hex characters, or a catalogue reference (`T7`) — with its history.
pub fn find_received(items: &[LogItem], query: &str) -> Result<ReceivedLesson, ShowError> {
    let lessons: Vec<(&LogItem, &Lesson)> = items
        .iter()
        .filter_map(|i| match &i.payload {
            Payload::Lesson(l) => Some((i, l)),
            _ => None,
        })
        .collect();
    let query = query.trim();
    let by_ref = lessons
        .iter()
        .find(|(_, l)| l.reference.as_deref() == Some(query));
    let (item, lesson) = match by_ref {
        Some(found) => *found,
        None => {
            let id = LessonId::resolve(query, lessons.iter().map(|(i, _)| &i.id))?;
            *lessons
                .iter()
                .find(|(i, _)| i.id == id)
                .ok_or_else(|| ShowError::NotFound(query.to_owned()))?
        }
    };
    let withdrawal = items.iter().find_map(|i| match &i.payload {
        Payload::Withdrawal(w) if w.target == item.id => Some(w.clone()),
        _ => None,
    });
    let corrected_by = lessons
        .iter()
        .filter(|(_, l)| l.supersedes == Some(item.id))
        .map(|(i, l)| (i.id, l.version))
        .collect();
    // Only hub-signed copies (a reader pseudonym set) are stories others told.
    let stories = tazan_model::Responses::gather(items.iter().filter_map(|i| match &i.payload {
        Payload::Response(r) if r.lesson == item.id => Some((i.id, r, 0)),
        _ => None,
    }))
    .stories;
    Ok(ReceivedLesson {
        stories,
        id: item.id,
        seq: item.seq,
        level: item.level.clone(),
        origin: item.origin.clone(),
        origin_group: item.group.clone(),
        lesson: lesson.clone(),
        withdrawal,
        corrected_by,
        origins: Vec::new(),
    })
}

impl ReceivedLesson {
    /// The lesson in full for a terminal: 問題 / 原因 / 対策 / 教訓, the
    /// classification, then provenance and history.
    pub fn to_text(&self) -> String {
        let l = &self.lesson;
        let mut out = String::new();
        let _ = writeln!(out, "{}", l.title);
        let _ = writeln!(
            out,
            "lesson {}  {}  version {}  from {}/{} (hub #{})",
            self.id, self.level, l.version, self.origin_group, self.origin, self.seq
        );
        if let Some(via) = received_via(&self.origins) {
            let _ = writeln!(out, "received {via}");
        }
        if let Some(w) = &self.withdrawal {
            let _ = writeln!(out, "WITHDRAWN by its publisher: {}", w.reason);
        }
        for (id, version) in &self.corrected_by {
            let _ = writeln!(out, "corrected by {id} (version {version})");
        }
        if let Some(old) = &l.supersedes {
            let _ = writeln!(out, "corrects {old}");
        }
        section(&mut out, "問題（事象）", &l.problem);
        section(&mut out, "直接原因", &l.direct_cause);
        section(&mut out, "根本原因", &l.root_cause);
        if !l.causes.is_empty() {
            let _ = writeln!(out, "\n【原因の種類】");
            for c in &l.causes {
                let stage = if c.stage.is_empty() { "-" } else { &c.stage };
                let _ = writeln!(out, "  - [{} / {stage}] {}", c.kind, c.text);
            }
        }
        if !l.countermeasures.is_empty() {
            let _ = writeln!(out, "\n【対策】");
            for (i, m) in l.countermeasures.iter().enumerate() {
                let _ = writeln!(out, "  - {}{m}", l.countermeasure_tag(i));
            }
        }
        section(&mut out, "効果", &l.effect);
        section(&mut out, "教訓", &l.lesson);
        if !l.why_why.is_empty() {
            let _ = writeln!(out, "\n【なぜなぜ】");
            for (i, w) in l.why_why.iter().enumerate() {
                let _ = writeln!(out, "  {}. {w}", i + 1);
            }
        }
        let _ = writeln!(out);
        if !l.system.is_empty() {
            let _ = writeln!(out, "システム: {}", l.system.label());
        }
        let _ = writeln!(
            out,
            "分類: {} / {} / {} / 工程 {}",
            l.taxonomy.domain, l.taxonomy.cause, l.taxonomy.threat, l.taxonomy.stage
        );
        if !l.taxonomy.scenes.is_empty() {
            let _ = writeln!(out, "活用シーン: {}", l.taxonomy.scenes.join("、"));
        }
        if !l.impact.is_empty() {
            let _ = writeln!(out, "影響: {}", l.impact);
        }
        let _ = writeln!(out, "時期: {}   業種: {}", l.period, l.industry);
        if !l.keywords.is_empty() {
            let _ = writeln!(out, "キーワード: {}", l.keywords.join("、"));
        }
        if let Some(r) = &l.reference {
            let _ = writeln!(out, "参照: {r}");
        }
        if !self.stories.is_empty() {
            let _ = writeln!(
                out,
                "\n【ケースと活用】（会員が追記。書いた会社は伏せられています）"
            );
            for (i, s) in self.stories.iter().enumerate() {
                let _ = writeln!(out, "  ケース {}: {}", i + 1, s.case);
                let _ = writeln!(out, "    活用: {}", s.applied);
            }
        }
        out
    }
}

/// A titled section of free text, indented; nothing when the text is empty.
fn section(out: &mut String, label: &str, text: &str) {
    if !text.trim().is_empty() {
        let _ = writeln!(
            out,
            "\n【{label}】\n  {}",
            text.trim().replace('\n', "\n  ")
        );
    }
}

#[cfg(test)]
mod tests {
    use tazan_model::{DisclosureLevel, PayloadKind};
    use tazan_store::{LibraryEntry, Store, StoredEnvelope};

    use super::*;

    fn entry(n: u8, seq: u64, origin: &str) -> LibraryEntry {
        LibraryEntry {
            id: LessonId::of(&[n]),
            hub_seq: seq,
            kind: PayloadKind::Lesson,
            level: DisclosureLevel::Green,
            envelope: StoredEnvelope {
                payload: vec![n],
                signer: "ed25519-00".into(),
                signature: vec![0; 64],
            },
            origin: origin.into(),
            origin_group: "finance".into(),
            received_at: 0,
            withdrawn: false,
        }
    }

    #[tokio::test]
    async fn library_rows_carry_every_origin_and_survive_the_wire() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let lib = Library::open(&store).unwrap();
        lib.put_batch_via(
            "finance-hub",
            "hub",
            vec![(entry(7, 3, "sakura-bank"), None)],
            None,
        )
        .await
        .unwrap();
        lib.put_batch_via(
            "kanto-hub",
            "hub/kanto",
            vec![
                (entry(8, 1, "kaede-securities"), None),
                (entry(7, 2, "finance-hub"), None),
            ],
            None,
        )
        .await
        .unwrap();
        let rows = library_rows(&lib).unwrap();
        let ids: Vec<(u64, LessonId)> = rows.iter().map(|r| (r.seq, r.id)).collect();
        assert_eq!(
            ids,
            vec![(1, LessonId::of(&[8])), (3, LessonId::of(&[7]))],
            "hub order, the lesson from two groups once"
        );
        let twice = &rows[1];
        assert_eq!(
            (twice.origin.as_str(), twice.level.as_str()),
            ("sakura-bank", "GREEN")
        );
        assert_eq!(
            received_via(&twice.origins).as_deref(),
            Some(
                "via finance-hub #3 (from finance/sakura-bank); via kanto-hub #2 (from finance/finance-hub)"
            )
        );
        assert_eq!(
            received_via(&rows[0].origins),
            None,
            "one origin: nothing to add"
        );
        for r in &rows {
            assert_eq!(LibraryRow::from_pb(r.to_pb()).as_ref(), Some(r));
        }
        let mut bad = twice.to_pb();
        bad.lesson_id.truncate(31);
        assert_eq!(LibraryRow::from_pb(bad), None, "a short id is refused");
    }
}
