//! The review and publishing desk of a node: every path by which something
//! leaves the node, for the CLI and the web portal alike.
//!
//! ```text
//!  vault incident ─► draft (sanitizer, node policy) ─► show / edit / restore ─► approve ─┐
//!                     anonymity (k over the library) ─► coarsen ─┘  (k ≥ 3 or a reason)  │
//!  lesson file ─► publish / correct ─────────────────────────────────────────────────────┤
//!  withdrawal reason ─► withdraw ────────────────────────────────────────────────────────┤
//!  catalogue (JSON Lines) ─► catalog publish, each entry ────────────────────────────────┤
//!                                                                                        ▼
//!        Gate (own names, policy deny-lists; decisions) ─► GatedLesson / GatedWithdrawal
//!        ─► outbox (node stopped; one delivery attempt) | admin socket (node running) | core (in process)
//!        ─► published register (vault)
//! ```
//!
//! Each step returns structured results (the draft record, findings,
//! replacements with their originals, decisions, the delivery outcome) that
//! a terminal or a web page renders; refusals are [`ReviewError`]s naming the
//! draft, file, field or finding and what to do, and leave what was stored
//! as it was. Nothing is signed unless the gate passed.

mod answers;
mod error;
mod lessonfile;
mod marks;
mod outlet;
mod restore;
mod sources;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use tazan_model::scene::ProposedScene;
use tazan_model::{DisclosureLevel, Lesson, LessonId, Payload, PayloadKind, Withdrawal};
use tazan_sanitize::{AuditEntry, DictionaryStatus, LessonFinding};
use tazan_search::{Anonymity, IndexDoc, QuasiField};
use tazan_vault::{Decision, DraftId, DraftRecord, DraftStatus, PublishedRecord, Vault};

pub use answers::{gather as gather_responses, LessonResponses, QuestionView};
pub use error::{Remedy, ReviewError};
pub use lessonfile::read_lesson_file;
pub use marks::{
    field_value, is_proper_noun_candidate, set_field, Mark, MarkedField, EDITABLE_FIELDS,
};
pub use outlet::{Delivery, HubCheck};
pub use sources::FieldSource;

use crate::gate::node_config;
use crate::{Gate, Gated, NodeConfig, NodeCore};
use outlet::{Outlet, Session};

/// The finding id of a draft whose k is under [`tazan_search::K_MIN`]: an
/// [`Override`] with this id and a reason approves it as it is, and is
/// recorded like any override.
pub const K_ANONYMITY: &str = "k-anonymity";

/// A reviewer's decision to publish despite one finding (or, with
/// [`K_ANONYMITY`], despite a k under 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The finding's id (as `show` lists it).
    pub finding_id: String,
    /// Why it may be published.
    pub reason: String,
}

/// A new draft.
#[derive(Debug, Clone, Serialize)]
pub struct DraftMade {
    /// The stored draft, with the gate's findings.
    pub draft: DraftRecord,
    /// Original → replacement for the whole incident (local only).
    pub audit: Vec<AuditEntry>,
    /// Whether the IPADIC dictionary recogniser ran.
    pub dictionary: DictionaryStatus,
}

/// A finding with the decision that overrides it, if any.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewedFinding {
    /// The finding (with the matched text, for the local reviewer).
    #[serde(flatten)]
    pub finding: LessonFinding,
    /// The recorded decision that overrides it (or restored it).
    pub decision: Option<Decision>,
}

/// A draft as its reviewer sees it, with the gate re-run now.
#[derive(Debug, Clone, Serialize)]
pub struct DraftView {
    /// The draft; its `findings` are the gate's findings now.
    pub draft: DraftRecord,
    /// Original → replacement (local only).
    pub audit: Vec<AuditEntry>,
    /// Recorded decisions.
    pub decisions: Vec<Decision>,
    /// Each current finding and whether a decision covers it.
    pub findings: Vec<ReviewedFinding>,
    /// Where each drafted field or sentence came from (incident field and rule).
    pub sources: Vec<FieldSource>,
    /// The usage scenes the draft proposes, with the words that led to each.
    pub scenes: Vec<ProposedScene>,
}

impl DraftView {
    /// The findings no decision covers: approval refuses while any is left.
    pub fn open(&self) -> impl Iterator<Item = &LessonFinding> {
        self.findings
            .iter()
            .filter(|f| f.decision.is_none())
            .map(|f| &f.finding)
    }
}

/// The result of an edit.
#[derive(Debug, Clone, Serialize)]
pub struct Edited {
    /// The draft after the edit, with the gate's findings.
    pub draft: DraftRecord,
    /// Whether the text changed (an identical edit stores nothing).
    pub changed: bool,
    /// Whether the edit withdrew an approval.
    pub approval_withdrawn: bool,
}

/// The result of coarsening one field of a draft.
#[derive(Debug, Clone, Serialize)]
pub struct Coarsened {
    /// The edit it made (the gate ran again; an approval is withdrawn).
    pub edited: Edited,
    /// The field coarsened.
    pub field: QuasiField,
    /// Its value before and after (`None`: any).
    pub from: Option<String>,
    /// Its value now.
    pub to: Option<String>,
    /// The draft's k-anonymity now.
    pub anonymity: Anonymity,
}

/// The result of a restore.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    /// The draft with the original put back, and the gate's findings.
    pub draft: DraftRecord,
    /// The replacement that was taken back.
    pub replacement: String,
    /// The decisions recorded: one per finding on the restored text.
    pub decisions: Vec<Decision>,
    /// Whether the restore withdrew an approval.
    pub approval_withdrawn: bool,
}

/// What was signed and how it was handed over.
#[derive(Debug, Clone, Serialize)]
pub struct Publication {
    /// The signed payload's id.
    pub id: LessonId,
    /// Lesson or withdrawal.
    pub kind: PayloadKind,
    /// How far it travels.
    pub level: DisclosureLevel,
    /// The lesson's title (empty for a withdrawal).
    pub title: String,
    /// The lesson a correction supersedes or a withdrawal withdraws.
    pub target: Option<LessonId>,
    /// What happened, and so what happens next.
    pub delivery: Delivery,
    /// The group it went to (a name from node.toml).
    pub group: String,
}

/// An approved draft, signed and handed over.
#[derive(Debug, Clone, Serialize)]
pub struct Approval {
    /// The draft, now queued.
    pub draft: DraftRecord,
    /// The overrides recorded by this approval.
    pub decisions: Vec<Decision>,
    /// The signed lesson (to the first group addressed).
    pub publication: Publication,
    /// The signed lesson per group addressed, `publication` first: its
    /// bytes differ between groups only in the group policy version each
    /// group's gate names, so the ids may differ too.
    pub publications: Vec<Publication>,
}

/// One catalogue entry published by the node.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogEntry {
    /// Its line in the file.
    pub line: usize,
    /// Its catalogue id (the lesson's `ref`).
    pub reference: String,
    /// The signed lesson.
    pub publication: Publication,
}

/// The node that publishes: its home, config, vault, gate and outlet. One at
/// a time holds a node's vault.
pub struct Desk {
    home: PathBuf,
    cfg: NodeConfig,
    vault: Vault,
    gate: Gate,
    outlet: Outlet,
    /// The groups approvals and lessons go to ([`Desk::set_groups`]);
    /// empty: the node's first group.
    targets: Vec<String>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("home", &self.home)
            .field("node", &self.cfg.id)
            .finish_non_exhaustive()
    }
}

impl Desk {
    /// The desk of the node in `home` (`node.toml`, `policy.toml`, `vault/`,
    /// created when missing). Publishing opens the node's store when the node
    /// is stopped, else hands the signed payload to it through its admin socket.
    pub fn open(home: &Path) -> Result<Desk, ReviewError> {
        let cfg = node_config(home)?;
        let outlet = Outlet::config(cfg.clone());
        Desk::with_outlet(home, cfg, outlet)
    }

    /// The desk of the node in `home` that runs in this process as `core`.
    pub fn with_core(home: &Path, core: Arc<NodeCore>) -> Result<Desk, ReviewError> {
        let cfg = node_config(home)?;
        Desk::with_outlet(home, cfg, Outlet::Core(core))
    }

    /// [`Desk::with_core`] for one request of the node's portal: waits up to
    /// `wait` for a `tazan incident`/`lesson` command that holds the vault
    /// (then [`tazan_vault::VaultError::Locked`]), and holds it only while
    /// the desk lives.
    pub fn with_core_waiting(
        home: &Path,
        core: Arc<NodeCore>,
        wait: std::time::Duration,
    ) -> Result<Desk, ReviewError> {
        let cfg = node_config(home)?;
        let vault = Vault::open_waiting(&home.join("vault"), wait)?;
        let gate = Gate::of_node(home, &cfg, Some(&vault))?;
        Ok(Desk {
            home: home.to_owned(),
            cfg,
            vault,
            gate,
            outlet: Outlet::Core(core),
            targets: Vec::new(),
        })
    }

    fn with_outlet(home: &Path, cfg: NodeConfig, outlet: Outlet) -> Result<Desk, ReviewError> {
        let dir = home.join("vault");
        std::fs::create_dir_all(home).map_err(|e| ReviewError::File {
            subject: home.display().to_string(),
            reason: format!("cannot create the node's home: {e}"),
        })?;
        let vault = Vault::open(&dir)?;
        let gate = Gate::of_node(home, &cfg, Some(&vault))?;
        Ok(Desk {
            home: home.to_owned(),
            cfg,
            vault,
            gate,
            outlet,
            targets: Vec::new(),
        })
    }

    /// Address approvals ([`Desk::approve`]) and lessons ([`Desk::publish`])
    /// to `groups` (names from node.toml; empty: the node's first group
    /// only, because a further group's members are other companies and AMBER
    /// detail goes to them only when asked). A name that is not one of the
    /// node's groups is refused naming `field`.
    pub fn set_groups(&mut self, groups: &[String], field: &str) -> Result<(), ReviewError> {
        let mut targets = Vec::new();
        for g in groups {
            self.cfg.for_group(g, field)?;
            if !targets.contains(g) {
                targets.push(g.clone());
            }
        }
        self.targets = targets;
        Ok(())
    }

    /// Every group the node is a member of, its first group first (what an
    /// approve form offers).
    pub fn node_groups(&self) -> Vec<String> {
        self.cfg.group_names()
    }

    /// The groups addressed, the first group when none was set.
    pub fn groups(&self) -> Vec<String> {
        if self.targets.is_empty() {
            vec![self.cfg.group.clone()]
        } else {
            self.targets.clone()
        }
    }

    /// Gate once per addressed group, under that group's policy (the first
    /// group's is the desk's own gate): a lesson goes nowhere unless every
    /// addressed group's policy passes it. Each gated lesson names its
    /// group's policy version.
    fn gate_per_group(
        &self,
        gate: impl Fn(&Gate) -> Result<Gated, crate::GateError>,
        subject: &str,
        remedy: Remedy,
    ) -> Result<Vec<(NodeConfig, Gated)>, ReviewError> {
        let mut out = Vec::new();
        for name in self.groups() {
            let view = self.cfg.for_group(&name, "group")?;
            let gated = if view.scope.is_none() {
                gate(&self.gate)
            } else {
                gate(&Gate::of_node(&self.home, &view, Some(&self.vault))?)
            };
            let subject = if self.groups().len() > 1 {
                format!("{subject} for group {name}")
            } else {
                subject.to_owned()
            };
            out.push((
                view,
                gated.map_err(|e| ReviewError::gate(e, subject, remedy.clone()))?,
            ));
        }
        Ok(out)
    }

    /// Hand each group's gated payload to that group's outbox.
    async fn send_per_group(
        &self,
        session: &Session<'_>,
        gated: Vec<(NodeConfig, Gated)>,
        subject: &str,
    ) -> Result<Vec<Publication>, ReviewError> {
        let mut out = Vec::new();
        for (view, g) in gated {
            let group = session.for_group(&view)?;
            let mut p = self.send(&group, g, subject).await?;
            p.group = view.group.clone();
            out.push(p);
        }
        Ok(out)
    }

    /// The node's home.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The vault (incidents, drafts, audit, decisions, published register).
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// The node's gate.
    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    /// Draft a lesson at `level` from the vault incident `incident`: the
    /// sanitizer with the node's policy, then the gate with the node's names.
    pub fn draft(&self, incident: &str, level: DisclosureLevel) -> Result<DraftMade, ReviewError> {
        let sanitizer = self.gate.sanitizer(level)?;
        let incident =
            self.vault
                .incident(incident)?
                .ok_or_else(|| tazan_vault::VaultError::NoIncident {
                    id: incident.to_owned(),
                })?;
        let d = sanitizer.draft_lesson(&incident);
        d.lesson.validate().map_err(|e| ReviewError::File {
            subject: format!("the draft of {}", incident.id),
            reason: e.to_string(),
        })?;
        let findings = self.gate.findings(&d.lesson)?;
        let draft = self
            .vault
            .create_draft(&incident.id, level, d.lesson, findings, &d.audit)?;
        Ok(DraftMade {
            draft,
            audit: d.audit,
            dictionary: sanitizer.dictionary_status().clone(),
        })
    }

    /// Every draft, oldest first.
    pub fn drafts(&self) -> Result<Vec<DraftRecord>, ReviewError> {
        Ok(self.vault.drafts()?)
    }

    /// A draft with its audit map, decisions and the gate's findings now.
    pub fn show(&self, id: DraftId) -> Result<DraftView, ReviewError> {
        let mut draft = self.vault.draft(id)?;
        let decisions = self.vault.decisions(id)?;
        draft.findings = self.gate.findings(&draft.lesson)?;
        let findings = draft
            .findings
            .iter()
            .map(|f| ReviewedFinding {
                finding: f.clone(),
                decision: decisions
                    .iter()
                    .rev()
                    .find(|d| d.finding_id == f.id)
                    .cloned(),
            })
            .collect();
        let incident = self.vault.incident(&draft.incident)?;
        let sanitizer = self.gate.sanitizer(draft.level)?;
        let (sources, scenes) = sources::sources(&sanitizer, incident.as_ref(), &draft);
        Ok(DraftView {
            audit: self.vault.audit(id)?,
            draft,
            decisions,
            findings,
            sources,
            scenes,
        })
    }

    /// The draft's k-anonymity: how many lessons would show its combination
    /// of industry, period, cause, impact figures, region and system kind
    /// once it is published (the draft, lessons this node received and its
    /// own published ones), the fields that single it out and the coarser
    /// generalisations on offer with the k each gives. Approval needs k ≥ 3
    /// or a reason ([`K_ANONYMITY`]). See [`tazan_search::anonymity`].
    pub async fn anonymity(&self, id: DraftId) -> Result<Anonymity, ReviewError> {
        let d = self.vault.draft(id)?;
        let session = self.outlet.session().await?;
        self.anonymity_in(&session, &d)
    }

    /// Coarsen one field of a draft's combination, to `to` (a value
    /// [`Desk::anonymity`] offers; `None`: the next coarser step). The text
    /// changes like an edit: the gate runs again and an approval is
    /// withdrawn.
    pub async fn coarsen(
        &self,
        id: DraftId,
        field: QuasiField,
        to: Option<&str>,
    ) -> Result<Coarsened, ReviewError> {
        let d = self.vault.draft(id)?;
        let lesson = tazan_search::coarsen(&d.lesson, field, to)
            .map_err(|source| ReviewError::Coarsen { draft: id, source })?;
        let doc = serde_json::to_value(&lesson).map_err(|e| ReviewError::BadEdit {
            draft: id,
            reason: e.to_string(),
        })?;
        let edited = self.edit(id, doc)?;
        let anonymity = self.anonymity(id).await?;
        Ok(Coarsened {
            field,
            from: tazan_search::QuasiIdentifiers::of_lesson(&d.lesson).value(field),
            to: anonymity.combination.value(field),
            edited,
            anonymity,
        })
    }

    /// k of `draft` among the node's library, its outbox and its queued
    /// drafts. Other renditions of the same incident (its AMBER lesson
    /// beside a GREEN draft) are the same company's one failure, so they
    /// are left out.
    fn anonymity_in(
        &self,
        session: &Session<'_>,
        draft: &DraftRecord,
    ) -> Result<Anonymity, ReviewError> {
        let mut docs = session.library_docs()?;
        let mut same_incident = std::collections::HashSet::new();
        for d in self.vault.drafts()? {
            if d.status == DraftStatus::Queued {
                let id = Payload::Lesson(d.lesson.clone()).id();
                if d.incident == draft.incident {
                    same_incident.insert(id.to_string());
                } else {
                    // Approved here; the hub may not have sent it back yet.
                    docs.push(IndexDoc::from_lesson(&id, &d.lesson, String::new()));
                }
            }
        }
        docs.retain(|d| !same_incident.contains(&d.id));
        Ok(tazan_search::anonymity(&draft.lesson, &docs))
    }

    /// Replace a draft's lesson with `doc` (the lesson as JSON): it must be a
    /// valid lesson at the draft's level. The gate runs again; an approval is
    /// withdrawn; a queued draft cannot change.
    pub fn edit(&self, id: DraftId, doc: serde_json::Value) -> Result<Edited, ReviewError> {
        let d = self.vault.draft(id)?;
        if doc.get("level").and_then(|v| v.as_str()) != Some(d.level.as_str()) {
            return Err(ReviewError::LevelChange {
                draft: d.id,
                level: d.level,
                incident: d.incident,
            });
        }
        let bad = |reason: String| ReviewError::BadEdit { draft: id, reason };
        let lesson: Lesson = serde_json::from_value(doc).map_err(|e| bad(e.to_string()))?;
        lesson.validate().map_err(|e| bad(e.to_string()))?;
        if lesson == d.lesson {
            return Ok(Edited {
                draft: d,
                changed: false,
                approval_withdrawn: false,
            });
        }
        let findings = self.gate.findings(&lesson)?;
        let was = d.status;
        let draft = self.vault.update_draft(id, lesson, findings)?;
        Ok(Edited {
            approval_withdrawn: was != draft.status,
            draft,
            changed: true,
        })
    }

    /// A reviewer's edit of one field of a draft (one of
    /// [`EDITABLE_FIELDS`]; a list field takes one item per line, or a JSON
    /// array), as the node portal makes it: [`Desk::edit_fields`] with one.
    pub fn edit_field(&self, id: DraftId, field: &str, value: &str) -> Result<Edited, ReviewError> {
        self.edit_fields(id, &[(field, value)])
    }

    /// Several field edits of a draft at once (`tazan lesson edit --set`), all
    /// or nothing: refused, changing nothing, when a field is not one of
    /// [`EDITABLE_FIELDS`] or the result brings in a finding the draft did not
    /// have ([`Remedy::Edit`]); otherwise [`Desk::edit`] (the same checks, an
    /// approval withdrawn).
    pub fn edit_fields(&self, id: DraftId, sets: &[(&str, &str)]) -> Result<Edited, ReviewError> {
        let d = self.vault.draft(id)?;
        self.edit_checked(&d, sets, &[])
    }

    /// Put `field` (one of [`EDITABLE_FIELDS`]) back to the value it was
    /// drafted with: the review page's "restore original" and `tazan lesson
    /// edit --reset FIELD`. Like [`Desk::edit_field`], except that findings the
    /// drafted lesson had are not new. Refused for a draft stored before
    /// drafts kept their drafted text.
    pub fn reset_field(&self, id: DraftId, field: &str) -> Result<Edited, ReviewError> {
        let d = self.vault.draft(id)?;
        let Some(drafted) = &d.drafted else {
            return Err(ReviewError::BadEdit {
                draft: id,
                reason: format!(
                    "field `{}`: this draft was stored without its drafted text, so there is nothing to restore; edit the field instead",
                    field.chars().take(40).collect::<String>()
                ),
            });
        };
        // An unknown field is refused by set_field, naming the editable ones.
        let value = field_value(drafted, field);
        let known = self.gate.findings(drafted)?;
        self.edit_checked(&d, &[(field, &value)], &known)
    }

    /// `sets` applied to draft `d`, refused when the result has a finding
    /// neither `d` nor `known` had.
    fn edit_checked(
        &self,
        d: &DraftRecord,
        sets: &[(&str, &str)],
        known: &[LessonFinding],
    ) -> Result<Edited, ReviewError> {
        let id = d.id;
        let mut lesson = d.lesson.clone();
        let mut doc = serde_json::to_value(&lesson).map_err(|e| ReviewError::BadEdit {
            draft: id,
            reason: e.to_string(),
        })?;
        for (field, value) in sets {
            doc = set_field(id, &lesson, field, value)?;
            match serde_json::from_value::<Lesson>(doc.clone()) {
                Ok(l) => lesson = l,
                // Desk::edit names what is wrong.
                Err(_) => return self.edit(id, doc),
            }
        }
        let before = self.gate.findings(&d.lesson)?;
        let new: Vec<LessonFinding> = self
            .gate
            .findings(&lesson)?
            .into_iter()
            .filter(|f| !before.iter().chain(known).any(|b| b.id == f.id))
            .collect();
        if !new.is_empty() {
            let fields: Vec<&str> = sets.iter().map(|(f, _)| *f).collect();
            return Err(ReviewError::Refused {
                subject: format!("draft {id}: field `{}`", fields.join("`, `")),
                findings: new,
                remedy: Remedy::Edit(id),
            });
        }
        self.edit(id, doc)
    }

    /// Put the original text of an audited replacement back into the draft,
    /// as the reviewer judged it safe (`reason`). The restored text is gated
    /// again and each finding on it is recorded as overridden by this
    /// decision. Refused when the replacement stands for several originals
    /// (当社 for every own name) or is no longer in the text.
    pub fn restore(
        &self,
        id: DraftId,
        original: &str,
        reviewer: &str,
        reason: &str,
    ) -> Result<Restored, ReviewError> {
        if reviewer.trim().is_empty() {
            return Err(ReviewError::NoReviewer);
        }
        if reason.trim().is_empty() {
            return Err(ReviewError::EmptyReason {
                what: "restore".into(),
            });
        }
        let d = self.vault.draft(id)?;
        let audit = self.vault.audit(id)?;
        let original = original.trim();
        let Some(entry) = audit.iter().find(|a| a.original.trim() == original) else {
            return Err(ReviewError::RestoreUnknown {
                draft: id,
                original: original.to_owned(),
            });
        };
        let replacement = entry.replacement.clone();
        let mut originals: Vec<&str> = audit
            .iter()
            .filter(|a| a.replacement == replacement)
            .map(|a| a.original.trim())
            .collect();
        originals.sort_unstable();
        originals.dedup();
        if originals.len() > 1 {
            return Err(ReviewError::RestoreAmbiguous {
                draft: id,
                replacement,
                count: originals.len(),
            });
        }
        let Some(lesson) = restore::put_back(&d.lesson, &replacement, original) else {
            return Err(ReviewError::RestoreAbsent {
                draft: id,
                replacement,
                original: original.to_owned(),
            });
        };
        let findings = self.gate.findings(&lesson)?;
        let at = tazan_vault::now();
        let decisions: Vec<Decision> = findings
            .iter()
            .filter(|f| f.excerpt.contains(original) || original.contains(f.excerpt.as_str()))
            .filter(|f| !f.excerpt.is_empty())
            .map(|f| Decision {
                finding_id: f.id.clone(),
                finding: f.finding.clone(),
                excerpt: f.excerpt.clone(),
                reviewer: reviewer.to_owned(),
                reason: reason.to_owned(),
                at: at.clone(),
                restored: Some(original.to_owned()),
            })
            .collect();
        let was = d.status;
        let draft = self
            .vault
            .record_restore(id, lesson, findings, &decisions)?;
        Ok(Restored {
            approval_withdrawn: was != draft.status,
            draft,
            replacement,
            decisions,
        })
    }

    /// Approve a draft: the gate runs again, each finding must be fixed,
    /// overridden now (`overrides`) or covered by a recorded decision (a
    /// restore, an earlier approval); its k ([`Desk::anonymity`]) must be at
    /// least 3, or an override for [`K_ANONYMITY`] give the reason; then the
    /// decisions are recorded, the lesson is signed and handed to the node,
    /// and the draft is queued.
    pub async fn approve(
        &self,
        id: DraftId,
        reviewer: &str,
        overrides: &[Override],
    ) -> Result<Approval, ReviewError> {
        if reviewer.trim().is_empty() {
            return Err(ReviewError::NoReviewer);
        }
        let d = self.vault.draft(id)?;
        if d.status == DraftStatus::Queued {
            return Err(ReviewError::AlreadyQueued {
                draft: id,
                lesson_id: d.lesson_id.unwrap_or_default(),
            });
        }
        let findings = self.gate.findings(&d.lesson)?;
        for o in overrides {
            if o.finding_id == K_ANONYMITY {
                if o.reason.trim().is_empty() {
                    return Err(ReviewError::EmptyReason {
                        what: format!("--override {K_ANONYMITY}"),
                    });
                }
                continue;
            }
            if !findings.iter().any(|f| f.id == o.finding_id) {
                let current: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
                return Err(ReviewError::UnknownFinding {
                    draft: id,
                    finding_id: o.finding_id.clone(),
                    current: if current.is_empty() {
                        "none".into()
                    } else {
                        current.join(", ")
                    },
                });
            }
            if o.reason.trim().is_empty() {
                return Err(ReviewError::EmptyReason {
                    what: format!("--override {}", o.finding_id),
                });
            }
        }
        let at = tazan_vault::now();
        let mut new: Vec<Decision> = findings
            .iter()
            .filter_map(|f| {
                overrides
                    .iter()
                    .find(|o| o.finding_id == f.id)
                    .map(|o| Decision {
                        finding_id: f.id.clone(),
                        finding: f.finding.clone(),
                        excerpt: f.excerpt.clone(),
                        reviewer: reviewer.to_owned(),
                        reason: o.reason.clone(),
                        at: at.clone(),
                        restored: None,
                    })
            })
            .collect();
        let mut all = self.vault.decisions(id)?;
        all.extend(new.iter().cloned());
        let gated = self.gate_per_group(
            |gate| gate.lesson(d.lesson.clone(), &all).map(Gated::from),
            &format!("draft {id}"),
            Remedy::Draft(id),
        )?;
        let session = self.outlet.session().await?;
        let anonymity = self.anonymity_in(&session, &d)?;
        if !anonymity.is_enough() {
            let Some(o) = overrides.iter().find(|o| o.finding_id == K_ANONYMITY) else {
                return Err(too_few(id, &anonymity));
            };
            new.push(k_decision(&anonymity, reviewer, &o.reason, &at));
        }
        self.vault.approve(id, reviewer, findings, &new)?;
        let publications = self
            .send_per_group(&session, gated, &format!("draft {id}"))
            .await
            .map_err(|e| match e {
                ReviewError::Node(source) => ReviewError::NotQueued { draft: id, source },
                other => other,
            })?;
        let publication = publications[0].clone();
        let draft = self.vault.mark_queued(
            id,
            &publication.id.to_string(),
            publication.delivery.status(),
        )?;
        Ok(Approval {
            draft,
            decisions: new,
            publication,
            publications,
        })
    }

    /// Publish a lesson written by hand (`subject` names it in messages):
    /// any finding refuses it. A lesson with `supersedes` is a correction.
    pub async fn publish(&self, lesson: Lesson, subject: &str) -> Result<Publication, ReviewError> {
        let mut all = self.publish_to_groups(lesson, subject).await?;
        Ok(all.remove(0))
    }

    /// [`Desk::publish`] to every addressed group ([`Desk::set_groups`]),
    /// gated under each group's policy first: one group's refusal sends
    /// nothing anywhere. One publication per group, in the order addressed.
    pub async fn publish_to_groups(
        &self,
        lesson: Lesson,
        subject: &str,
    ) -> Result<Vec<Publication>, ReviewError> {
        lesson.validate().map_err(|e| ReviewError::File {
            subject: subject.to_owned(),
            reason: e.to_string(),
        })?;
        let gated = self.gate_per_group(
            |gate| gate.lesson(lesson.clone(), &[]).map(Gated::from),
            subject,
            Remedy::File,
        )?;
        let session = self.outlet.session().await?;
        self.send_per_group(&session, gated, subject).await
    }

    async fn publish_in(
        &self,
        session: &Session<'_>,
        lesson: Lesson,
        subject: &str,
    ) -> Result<Publication, ReviewError> {
        lesson.validate().map_err(|e| ReviewError::File {
            subject: subject.to_owned(),
            reason: e.to_string(),
        })?;
        let gated = self
            .gate
            .lesson(lesson, &[])
            .map_err(|e| ReviewError::gate(e, subject, Remedy::File))?;
        self.send(session, gated.into(), subject).await
    }

    /// Publish `lesson` as a correction of this node's lesson `target` (an
    /// id or a unique prefix of at least 8 hex): it supersedes it, with the
    /// next version, at the same level. Gated like [`Desk::publish`].
    pub async fn correct(
        &self,
        target: &str,
        mut lesson: Lesson,
        subject: &str,
    ) -> Result<Publication, ReviewError> {
        let session = self.outlet.session().await?;
        let own = self.own_lesson(&session, target)?;
        if let Some(found) = lesson.supersedes.filter(|s| *s != own.id) {
            return Err(ReviewError::SupersedesConflict {
                subject: subject.to_owned(),
                found,
                target: own.id,
            });
        }
        if let Some(published) = own.level.filter(|l| *l != lesson.level) {
            return Err(ReviewError::LevelMismatch {
                what: "field `level`",
                id: own.id,
                given: lesson.level,
                published,
            });
        }
        lesson.supersedes = Some(own.id);
        lesson.version = lesson.version.max(own.version + 1).max(2);
        self.publish_in(&session, lesson, subject).await
    }

    /// Withdraw this node's lesson `target` (an id or a unique prefix of at
    /// least 8 hex) with `reason`, which is gated like a lesson's text. The
    /// level is the lesson's own, from the register; `level` must agree with
    /// it, and is needed only for a lesson the register does not know.
    pub async fn withdraw(
        &self,
        target: &str,
        level: Option<DisclosureLevel>,
        reason: &str,
    ) -> Result<Publication, ReviewError> {
        let mut all = self.withdraw_in_groups(target, level, reason).await?;
        Ok(all.remove(0))
    }

    /// [`Desk::withdraw`] in every addressed group ([`Desk::set_groups`]):
    /// a lesson published to several groups is withdrawn in each (its id
    /// there is the one `target` names when the groups' policy versions
    /// made the copies differ). One publication per group.
    pub async fn withdraw_in_groups(
        &self,
        target: &str,
        level: Option<DisclosureLevel>,
        reason: &str,
    ) -> Result<Vec<Publication>, ReviewError> {
        let session = self.outlet.session().await?;
        let own = self.own_lesson(&session, target)?;
        let level = match (own.level, level) {
            (Some(published), Some(given)) if published != given => {
                return Err(ReviewError::LevelMismatch {
                    what: "--level",
                    id: own.id,
                    given,
                    published,
                })
            }
            (Some(l), _) | (None, Some(l)) => l,
            (None, None) => return Err(ReviewError::LevelUnknown { id: own.id }),
        };
        let subject = format!("withdrawal of {}: field `reason`", own.id.short());
        let withdrawal = Withdrawal {
            target: own.id,
            reason: reason.to_owned(),
            level,
        };
        let gated = self.gate_per_group(
            |gate| gate.withdrawal(withdrawal.clone()).map(Gated::from),
            &subject,
            Remedy::Reason,
        )?;
        self.send_per_group(&session, gated, &subject).await
    }

    /// Publish a lesson catalogue (JSON Lines, the same conversion as the
    /// hub's `catalog import`) from this node at `level` (GREEN or CLEAR).
    /// Every entry is gated; a bad line or any refused entry refuses the
    /// whole file, so nothing is signed until all of it may leave.
    pub async fn publish_catalog(
        &self,
        file: &Path,
        level: DisclosureLevel,
    ) -> Result<Vec<CatalogEntry>, ReviewError> {
        self.publish_file(file, level, tazan_search::load_catalog_lessons)
            .await
    }

    /// Publish press records (the hub's `press import` conversion) from
    /// this node as public cases at `level` (GREEN or CLEAR): each keeps the
    /// organisation the press named, explicitly (`Lesson::public`), which the
    /// gate lets through; everything else in it is gated as usual. A bad line
    /// or any refused record refuses the whole file.
    pub async fn publish_public_cases(
        &self,
        file: &Path,
        level: DisclosureLevel,
    ) -> Result<Vec<CatalogEntry>, ReviewError> {
        self.publish_file(file, level, tazan_search::load_press_cases)
            .await
    }

    async fn publish_file(
        &self,
        file: &Path,
        level: DisclosureLevel,
        load: fn(
            &Path,
            DisclosureLevel,
        ) -> Result<tazan_search::CatalogRead, tazan_search::SearchError>,
    ) -> Result<Vec<CatalogEntry>, ReviewError> {
        if level < DisclosureLevel::Green {
            return Err(ReviewError::CatalogLevel { level });
        }
        let read = load(file, level).map_err(|e| ReviewError::File {
            subject: file.display().to_string(),
            reason: e.to_string(),
        })?;
        self.publish_read(file, read).await
    }

    async fn publish_read(
        &self,
        file: &Path,
        read: tazan_search::CatalogRead,
    ) -> Result<Vec<CatalogEntry>, ReviewError> {
        if !read.errors.is_empty() {
            return Err(ReviewError::CatalogLines {
                file: file.to_owned(),
                errors: read.errors.iter().map(ToString::to_string).collect(),
            });
        }
        let mut gated = Vec::new();
        let mut refused = Vec::new();
        for entry in &read.lessons {
            match self.gate.lesson(entry.lesson.clone(), &[]) {
                Ok(g) => gated.push(Gated::from(g)),
                Err(crate::GateError::Leak { findings }) => {
                    refused.push((entry.line, entry.id.clone(), findings))
                }
                Err(other) => return Err(other.into()),
            }
        }
        if !refused.is_empty() {
            return Err(ReviewError::CatalogRefused {
                file: file.to_owned(),
                entries: refused,
            });
        }
        let sources: Vec<String> = read
            .lessons
            .iter()
            .map(|e| format!("{}:{} ({})", file.display(), e.line, e.id))
            .collect();
        let session = self.outlet.session().await?;
        let published = self.send_all(&session, gated, &sources).await?;
        Ok(read
            .lessons
            .iter()
            .zip(published)
            .map(|(e, publication)| CatalogEntry {
                line: e.line,
                reference: e.id.clone(),
                publication,
            })
            .collect())
    }

    /// Everything this node signed, oldest first.
    pub fn published(&self) -> Result<Vec<PublishedRecord>, ReviewError> {
        Ok(self.vault.published()?)
    }

    async fn send(
        &self,
        session: &Session<'_>,
        gated: Gated,
        source: &str,
    ) -> Result<Publication, ReviewError> {
        let mut all = self
            .send_all(session, vec![gated], &[source.to_owned()])
            .await?;
        Ok(all.remove(0))
    }

    /// Sign and hand over, then add each to the published register.
    async fn send_all(
        &self,
        session: &Session<'_>,
        gated: Vec<Gated>,
        sources: &[String],
    ) -> Result<Vec<Publication>, ReviewError> {
        let described: Vec<(PayloadKind, DisclosureLevel, String, u32, Option<LessonId>)> = gated
            .iter()
            .map(|g| match g {
                Gated::Lesson(l) => {
                    let l = l.lesson();
                    (
                        PayloadKind::Lesson,
                        l.level,
                        l.title.clone(),
                        l.version,
                        l.supersedes,
                    )
                }
                Gated::Withdrawal(w) => {
                    let w = w.withdrawal();
                    (
                        PayloadKind::Withdrawal,
                        w.level,
                        String::new(),
                        0,
                        Some(w.target),
                    )
                }
                Gated::Response(r) => {
                    let r = r.response();
                    (
                        PayloadKind::Response,
                        r.level,
                        r.what().to_owned(),
                        0,
                        Some(r.lesson),
                    )
                }
            })
            .collect();
        let sent = session.send(gated).await?;
        let at = tazan_vault::now();
        let mut out = Vec::new();
        for (((id, delivery), (kind, level, title, version, target)), source) in
            sent.into_iter().zip(described).zip(sources)
        {
            self.vault.record_published(&PublishedRecord {
                id,
                kind,
                level,
                title: title.clone(),
                version,
                target,
                source: source.clone(),
                at: at.clone(),
                delivery: delivery.status().to_owned(),
            })?;
            out.push(Publication {
                id,
                kind,
                level,
                title,
                target,
                delivery,
                group: self.cfg.group.clone(),
            });
        }
        Ok(out)
    }

    /// This node's lesson named by `prefix`: from the published register,
    /// and the node's store when it can be read now (outbox, and the library
    /// entries it published). A full id not found is taken as given (the
    /// hub decides whether it is this node's).
    fn own_lesson(&self, session: &Session<'_>, prefix: &str) -> Result<OwnLesson, ReviewError> {
        let p = prefix.trim().to_ascii_lowercase();
        if p.len() < 8 || p.len() > 64 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ReviewError::BadPrefix {
                prefix: prefix.to_owned(),
            });
        }
        let mut found: Vec<OwnLesson> = Vec::new();
        let mut add = |l: OwnLesson| {
            if l.id.to_string().starts_with(&p) && !found.iter().any(|f| f.id == l.id) {
                found.push(l);
            }
        };
        for r in self.vault.published()? {
            if r.kind == PayloadKind::Lesson && !r.delivery.starts_with("rejected") {
                add(OwnLesson {
                    id: r.id,
                    title: r.title,
                    level: Some(r.level),
                    version: r.version,
                });
            }
        }
        for (id, title, level, version) in session.own_lessons()? {
            add(OwnLesson {
                id,
                title,
                level: Some(level),
                version,
            });
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            0 if p.len() == 64 => Ok(OwnLesson {
                id: p.parse().map_err(|_| ReviewError::BadPrefix {
                    prefix: prefix.to_owned(),
                })?,
                title: String::new(),
                level: None,
                version: 1,
            }),
            0 => Err(ReviewError::UnknownLesson {
                prefix: prefix.to_owned(),
            }),
            _ => Err(ReviewError::AmbiguousLesson {
                prefix: prefix.to_owned(),
                matches: found.into_iter().map(|l| (l.id, l.title)).collect(),
            }),
        }
    }
}

/// The refusal of a draft whose k is under the threshold.
fn too_few(draft: DraftId, a: &Anonymity) -> ReviewError {
    let offers: Vec<String> = a
        .offers
        .iter()
        .map(|o| {
            format!(
                "{} → {}: k {}",
                o.field,
                o.to.as_deref().unwrap_or("any"),
                o.k
            )
        })
        .collect();
    ReviewError::TooFewSharing {
        draft,
        k: a.k,
        k_min: a.k_min,
        library: a.library + 1,
        combination: a.combination.to_string(),
        narrowing: a.narrowing_text(),
        offers: if offers.is_empty() {
            "none offered".into()
        } else {
            offers.join("; ")
        },
    }
}

/// The decision that approves a draft whose k is under the threshold.
fn k_decision(a: &Anonymity, reviewer: &str, reason: &str, at: &str) -> Decision {
    let excerpt = a.combination.to_string();
    Decision {
        finding_id: K_ANONYMITY.to_owned(),
        finding: tazan_model::Finding {
            // The combination points to one organisation, as an identifier does.
            kind: tazan_model::Kind::Identifier,
            field: "quasi_identifiers".into(),
            offset: 0,
            len: excerpt.chars().count(),
            rule: format!("k-anonymity:k={}<{}", a.k, a.k_min),
        },
        excerpt,
        reviewer: reviewer.to_owned(),
        reason: reason.to_owned(),
        at: at.to_owned(),
        restored: None,
    }
}

/// One of this node's lessons, as far as the node knows it.
struct OwnLesson {
    id: LessonId,
    title: String,
    level: Option<DisclosureLevel>,
    version: u32,
}
