//! Why a review or publishing step was refused, and what to do.

use std::fmt;
use std::path::PathBuf;

use tazan_model::{DisclosureLevel, LessonId};
use tazan_sanitize::LessonFinding;
use tazan_vault::{DraftId, VaultError};
use thiserror::Error;

use crate::gate::finding_lines as lines;
use crate::{GateError, NodeError};

/// Where a leak-gate refusal happened, which decides what the reviewer can do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remedy {
    /// Approving a draft: edit, restore or override.
    Draft(DraftId),
    /// A lesson from a file (new or a correction): fix the file.
    File,
    /// A withdrawal's reason: say it without names or contacts.
    Reason,
    /// A reviewer's edit of one field (the node portal) that brings in a
    /// finding the draft did not have: write it without it.
    Edit(DraftId),
    /// A reader's feedback comment, question or answer: say it without them.
    Response,
}

impl Remedy {
    fn refused(&self) -> &'static str {
        match self {
            Remedy::Draft(_) => "approval refused",
            Remedy::File => "publishing refused",
            Remedy::Reason => "withdrawal refused",
            Remedy::Edit(_) => "edit refused",
            Remedy::Response => "sending refused",
        }
    }
}

impl fmt::Display for Remedy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remedy::Draft(id) => write!(
                f,
                "Fix the text with `tazan lesson edit {id}`, put back a replacement the reviewer judged safe with `tazan lesson restore {id}`, or override each finding with --override ID --reason TEXT; nothing recorded, nothing signed"
            ),
            Remedy::File => f.write_str(
                "Remove or generalise them, or import the incident and go through `tazan lesson draft`/`approve`, where a reviewer can override a finding with a recorded reason; nothing signed",
            ),
            Remedy::Reason => f.write_str(
                "Say why without names, contacts or hosts (e.g. 記載内容に誤りがあったため); nothing signed",
            ),
            Remedy::Edit(id) => write!(
                f,
                "Write it without names, places, contacts or exact figures; draft {id} is unchanged"
            ),
            Remedy::Response => f.write_str(
                "Write it without names of people or companies, phone numbers, addresses or hosts; nothing signed, nothing sent",
            ),
        }
    }
}

fn catalog_lines(entries: &[(usize, String, Vec<LessonFinding>)]) -> String {
    entries
        .iter()
        .map(|(line, reference, findings)| {
            format!("  line {line} ({reference}):\n{}", lines(findings))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn candidates(c: &[(LessonId, String)]) -> String {
    c.iter()
        .map(|(id, title)| format!("{id} ({title})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Everything the review and publishing desk can refuse. Messages name the
/// draft, file, field or finding and say what to do; what was stored before
/// stays as it was.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReviewError {
    /// A group named for publishing is not one of the node's groups.
    #[error("{0}; nothing recorded, nothing signed")]
    Group(#[from] crate::UnknownGroup),
    /// The leak gate found something that is neither fixed nor overridden.
    #[error("{subject}: the leak gate found {n} identifying span(s); {}:\n{}\n{remedy}", remedy.refused(), lines(findings), n = findings.len())]
    Refused {
        /// What was gated (`draft d3`, a file name, `withdrawal of 3f2a…`).
        subject: String,
        /// The open findings (excerpts are for the local reviewer only).
        findings: Vec<LessonFinding>,
        /// What the reviewer can do.
        remedy: Remedy,
    },
    /// The gate could not run (policy, dictionary, vault, node.toml) or the
    /// payload is RED or invalid.
    #[error(transparent)]
    Gate(GateError),
    /// The vault refused or failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Signing, queueing or the node's store failed.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// A lesson file could not be read or parsed.
    #[error("{subject}: {reason}")]
    File {
        /// The file (and line, column when known).
        subject: String,
        /// What is wrong.
        reason: String,
    },
    /// No reviewer name.
    #[error("--reviewer: give the reviewer's name")]
    NoReviewer,
    /// An override names a finding the draft does not have now.
    #[error("--override {finding_id}: no such finding in draft {draft} now (current: {current}; see `tazan lesson show {draft}`); nothing recorded")]
    UnknownFinding {
        /// The draft.
        draft: DraftId,
        /// The id given.
        finding_id: String,
        /// The current finding ids, or `none`.
        current: String,
    },
    /// Too few lessons share the draft's combination of structured fields.
    #[error("draft {draft}: approval refused: k = {k}, under {k_min}: only {k} of the {library} lessons compared (the node's library and this draft) would show its combination ({combination}), so these fields can single out the company: {narrowing}. Coarsen one with `tazan lesson coarsen {draft} FIELD` ({offers}), or approve with --override {K_ANONYMITY} --reason TEXT (recorded); nothing recorded, nothing signed", K_ANONYMITY = super::K_ANONYMITY)]
    TooFewSharing {
        /// The draft.
        draft: DraftId,
        /// Its k now.
        k: usize,
        /// The threshold.
        k_min: usize,
        /// Lessons compared.
        library: usize,
        /// Its combination, in one line.
        combination: String,
        /// The fields that single it out, with k without each.
        narrowing: String,
        /// The offered coarsenings with the k each gives, or `none`.
        offers: String,
    },
    /// A coarsening could not be applied.
    #[error("draft {draft}: {source}; nothing changed")]
    Coarsen {
        /// The draft.
        draft: DraftId,
        /// Why (names the field and the steps there are).
        #[source]
        source: tazan_search::SearchError,
    },
    /// The library to compare a draft with could not be read.
    #[error("the node's library cannot be read to compute k: {reason}")]
    Library {
        /// Why, and what to do.
        reason: String,
    },
    /// An override or restore without a reason.
    #[error("{what}: the reason is empty; say why it may be published; nothing recorded")]
    EmptyReason {
        /// `--override ID` or `restore`.
        what: String,
    },
    /// The draft was signed and queued already.
    #[error("draft {draft} is already approved and queued as lesson {lesson_id}")]
    AlreadyQueued {
        /// The draft.
        draft: DraftId,
        /// Its lesson id.
        lesson_id: String,
    },
    /// An edit tried to change a draft's level.
    #[error("draft {draft}: field `level`: a draft stays at {level} (draft another rendition with `tazan lesson draft {incident} --level LEVEL`); nothing changed")]
    LevelChange {
        /// The draft.
        draft: DraftId,
        /// Its level.
        level: DisclosureLevel,
        /// Its incident.
        incident: String,
    },
    /// An edit does not give a valid lesson.
    #[error("draft {draft}: {reason}; nothing changed")]
    BadEdit {
        /// The draft.
        draft: DraftId,
        /// What is wrong (names the field).
        reason: String,
    },
    /// The draft is approved but signing or queueing failed.
    #[error("draft {draft} is approved but could not be queued: {source}; run `tazan lesson approve {draft}` again to retry")]
    NotQueued {
        /// The draft.
        draft: DraftId,
        /// Why.
        source: NodeError,
    },
    /// A restore names text the audit map does not hold.
    #[error("draft {draft}: no replacement of «{original}» in its audit map (see `tazan lesson show {draft}`); nothing changed")]
    RestoreUnknown {
        /// The draft.
        draft: DraftId,
        /// The original asked for.
        original: String,
    },
    /// The replacement stands for several originals (当社, `[連絡先]`).
    #[error("draft {draft}: «{replacement}» stands for {count} different originals, so it cannot be restored as one; edit the text with `tazan lesson edit {draft}` and override the finding at approval; nothing changed")]
    RestoreAmbiguous {
        /// The draft.
        draft: DraftId,
        /// The replacement.
        replacement: String,
        /// How many originals it stands for.
        count: usize,
    },
    /// The replacement is no longer in the lesson text.
    #[error("draft {draft}: «{replacement}» (for «{original}») no longer appears in the lesson text; nothing changed")]
    RestoreAbsent {
        /// The draft.
        draft: DraftId,
        /// The replacement.
        replacement: String,
        /// Its original.
        original: String,
    },
    /// A lesson id prefix that is too short or not hex.
    #[error("lesson id `{prefix}`: give at least 8 hex characters of one of this node's lessons (see `tazan lesson published`)")]
    BadPrefix {
        /// What was given.
        prefix: String,
    },
    /// No lesson in the node's library has that prefix (feedback, questions).
    #[error("lesson id `{prefix}`: no lesson received by this node starts with it (see `tazan lessons list`); nothing signed")]
    NotInLibrary {
        /// What was given.
        prefix: String,
    },
    /// The lesson was withdrawn by its publisher.
    #[error("lesson {id}: withdrawn by its publisher; it takes no more feedback, questions or answers; nothing signed")]
    WithdrawnLesson {
        /// The lesson.
        id: LessonId,
    },
    /// No question about this node's lessons has that prefix.
    #[error("question id `{prefix}`: no question about a lesson this node published starts with it (see `tazan question list`); nothing signed")]
    UnknownQuestion {
        /// What was given.
        prefix: String,
    },
    /// No lesson of this node has that prefix.
    #[error("lesson id `{prefix}`: no lesson this node published starts with it (see `tazan lesson published`)")]
    UnknownLesson {
        /// What was given.
        prefix: String,
    },
    /// Several lessons of this node have that prefix.
    #[error(
        "lesson id `{prefix}` is ambiguous: {}; give more characters",
        candidates(matches)
    )]
    AmbiguousLesson {
        /// What was given.
        prefix: String,
        /// The matching lessons and their titles.
        matches: Vec<(LessonId, String)>,
    },
    /// The level given is not the level the lesson was published at.
    #[error("{what} {given}: lesson {id} was published at {published}; a withdrawal or correction travels as far as the lesson did, so it must be {published} too")]
    LevelMismatch {
        /// Where the level was given: `--level` or the file's `field `level``.
        what: &'static str,
        /// The lesson.
        id: LessonId,
        /// The level given.
        given: DisclosureLevel,
        /// The level it was published at.
        published: DisclosureLevel,
    },
    /// A full lesson id this node has no record of, and no level.
    #[error(
        "--level: lesson {id} is not in this node's register; give the level it was published at"
    )]
    LevelUnknown {
        /// The lesson.
        id: LessonId,
    },
    /// A correction file names another lesson in `supersedes`.
    #[error("{subject}: field `supersedes` names {found}, but this corrects {target}; drop the field or make them agree")]
    SupersedesConflict {
        /// The file.
        subject: String,
        /// What the file says.
        found: LessonId,
        /// What the command corrects.
        target: LessonId,
    },
    /// Catalogue entries are published at GREEN or CLEAR only.
    #[error("--level {level}: catalogue entries are published at GREEN or CLEAR (a published catalogue is for every group)")]
    CatalogLevel {
        /// The level given.
        level: DisclosureLevel,
    },
    /// Catalogue lines that do not convert to lessons.
    #[error("{file}: {} line(s) refused, nothing published (fix them and publish again):\n{}", errors.len(), errors.join("\n"))]
    CatalogLines {
        /// The catalogue.
        file: PathBuf,
        /// `file:line:field: reason` per refused line.
        errors: Vec<String>,
    },
    /// Catalogue entries the leak gate refused.
    #[error("{file}: the leak gate refused {} entr(ies); publishing refused, nothing signed:\n{}\nRemove or generalise them and publish again", entries.len(), catalog_lines(entries))]
    CatalogRefused {
        /// The catalogue.
        file: PathBuf,
        /// Line, catalogue id and open findings of each refused entry.
        entries: Vec<(usize, String, Vec<LessonFinding>)>,
    },
}

impl From<GateError> for ReviewError {
    fn from(e: GateError) -> Self {
        ReviewError::Gate(e)
    }
}

impl ReviewError {
    /// A gate error with what was gated and what to do when it is a refusal.
    pub(crate) fn gate(e: GateError, subject: impl Into<String>, remedy: Remedy) -> Self {
        match e {
            GateError::Leak { findings } => ReviewError::Refused {
                subject: subject.into(),
                findings,
                remedy,
            },
            other => ReviewError::Gate(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message, printed once so a reviewer can read them (`--nocapture`).
    #[test]
    fn messages_name_what_and_say_what_to_do() {
        let id = LessonId::of(b"x");
        let d = DraftId(3);
        let all = [
            ReviewError::NoReviewer,
            ReviewError::UnknownFinding {
                draft: d,
                finding_id: "f00".into(),
                current: "none".into(),
            },
            ReviewError::EmptyReason {
                what: "--override f1".into(),
            },
            ReviewError::AlreadyQueued {
                draft: d,
                lesson_id: id.to_string(),
            },
            ReviewError::LevelChange {
                draft: d,
                level: DisclosureLevel::Green,
                incident: "INC-1".into(),
            },
            ReviewError::RestoreAmbiguous {
                draft: d,
                replacement: "当社".into(),
                count: 2,
            },
            ReviewError::BadPrefix {
                prefix: "3f".into(),
            },
            ReviewError::LevelMismatch {
                what: "--level",
                id,
                given: DisclosureLevel::Green,
                published: DisclosureLevel::Amber,
            },
            ReviewError::LevelUnknown { id },
            ReviewError::CatalogLevel {
                level: DisclosureLevel::Amber,
            },
            ReviewError::CatalogLines {
                file: "c.jsonl".into(),
                errors: vec!["c.jsonl:2:title: empty".into()],
            },
        ];
        let expected = [
            "--reviewer",
            "tazan lesson show d3",
            "say why",
            "already approved",
            "tazan lesson draft INC-1",
            "tazan lesson edit d3",
            "tazan lesson published",
            "must be AMBER too",
            "give the level",
            "GREEN or CLEAR",
            "c.jsonl:2:title",
        ];
        for (e, want) in all.iter().zip(expected) {
            let msg = e.to_string();
            println!("{msg}");
            assert!(msg.contains(want), "{want}: {msg}");
        }
    }
}
