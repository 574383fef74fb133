//! The leak gate as a type: only [`Gate`] makes what the node signs.
//!
//! [`NodeCore::publish`](crate::NodeCore::publish) takes a [`GatedLesson`] and
//! [`NodeCore::withdraw`](crate::NodeCore::withdraw) a [`GatedWithdrawal`];
//! the admin-socket hand-off to a running node signs only through [`sign_gated`].
//! Both types have private fields and no public constructor: the only way to
//! get one is [`Gate::lesson`] / [`Gate::withdrawal`], which run the leak gate
//! with the node's own names ([`OwnNames`]) and the node's policy, and return
//! one only when every finding was fixed or overridden by a recorded reviewer
//! decision. Parse, don't validate.
//!
//! The one way to have the node sign a lesson:
//!
//! ```no_run
//! use tazan_model::{DisclosureLevel, Lesson};
//! async fn publish(
//!     home: &std::path::Path,
//!     core: &tazan_node::NodeCore,
//! ) -> Result<(), Box<dyn std::error::Error>> {
//!     let gate = tazan_node::Gate::open(home)?;
//!     let gated = gate.lesson(Lesson::example("t", DisclosureLevel::Green), &[])?;
//!     core.publish(gated).await?;
//!     Ok(())
//! }
//! ```
//!
//! A lesson cannot be built as a gated one:
//!
//! ```compile_fail
//! use tazan_model::{DisclosureLevel, Lesson};
//! let gated = tazan_node::GatedLesson {
//!     lesson: Lesson::example("t", DisclosureLevel::Green),
//! };
//! ```
//!
//! and the node does not sign a plain lesson:
//!
//! ```compile_fail
//! use tazan_model::{DisclosureLevel, Lesson};
//! async fn publish(core: &tazan_node::NodeCore) {
//!     let lesson = Lesson::example("t", DisclosureLevel::Green);
//!     core.publish(lesson).await.unwrap();
//! }
//! ```
//!
//! ## The node's own names
//!
//! Everything that leaves the node is gated with (see [`OwnNames::of_node`]):
//! - the policy's deny-lists (`HOME/policy.toml`, else the built-in policy),
//!   for their levels;
//! - the organisation name and aliases of every incident in the node's vault;
//! - the node's member id and its `[node] display_name` and `aliases` from
//!   `node.toml`, each also without bracketed notes and legal forms
//!   ([`tazan_sanitize::name_forms`]: さくら銀行（架空）also as さくら銀行,
//!   sakura-bank also as "sakura bank").

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tazan_model::{DisclosureLevel, Envelope, Lesson, LessonId, Payload, Response, Withdrawal};
use tazan_sanitize::{name_forms, LessonFinding, Policy, SanitizeError, Sanitizer};
use tazan_trust::KeyPair;
use tazan_vault::{Decision, Vault, VaultError};
use thiserror::Error;

use crate::NodeConfig;

/// Why the gate refused, or could not run.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum GateError {
    /// Findings that are neither fixed nor overridden by a recorded decision.
    #[error("the leak gate found {} identifying span(s) that are neither fixed nor overridden:\n{}", findings.len(), finding_lines(findings))]
    Leak {
        /// The open findings.
        findings: Vec<LessonFinding>,
    },
    /// RED never leaves the node.
    #[error("field `level`: RED never leaves the org node; use AMBER, GREEN or CLEAR to publish")]
    Red,
    /// The lesson or withdrawal is not valid.
    #[error(transparent)]
    Invalid(#[from] tazan_model::ModelError),
    /// The policy could not be read, has no rules for the level, or needs the
    /// IPADIC dictionary that is not installed.
    #[error(transparent)]
    Policy(#[from] SanitizeError),
    /// The group's signed policy held by the node does not verify, or the
    /// node's own `policy.toml` loosens it.
    #[error(transparent)]
    GroupPolicy(#[from] crate::GroupPolicyError),
    /// The vault (for the own names of its incidents) could not be read.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// `node.toml` is missing or invalid.
    #[error("{path}: {reason}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
}

/// One finding as a line for the local reviewer: id, field, position, kind,
/// rule and the matched text.
pub fn finding_line(f: &LessonFinding) -> String {
    format!(
        "{}  {} @{}+{}  {} ({})  «{}»",
        f.id,
        f.finding.field,
        f.finding.offset,
        f.finding.len,
        f.finding.kind,
        f.finding.rule,
        f.excerpt
    )
}

pub(crate) fn finding_lines(findings: &[LessonFinding]) -> String {
    findings
        .iter()
        .map(|f| format!("  {}", finding_line(f)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The node's own names (see the module doc). Only [`OwnNames::of_node`]
/// makes them, so a gate never runs with fewer names than the node has.
#[derive(Debug, Clone, Default)]
pub struct OwnNames {
    names: Vec<String>,
}

impl OwnNames {
    /// The own names of the node configured by `cfg`, with its vault's
    /// incidents when it has a vault.
    pub fn of_node(cfg: &NodeConfig, vault: Option<&Vault>) -> Result<OwnNames, VaultError> {
        let mut own = OwnNames::default();
        own.add_forms(cfg.id.as_str());
        for name in cfg.display_name.iter().chain(&cfg.aliases) {
            own.add_forms(name);
        }
        if let Some(vault) = vault {
            for incident in vault.incidents()? {
                for name in incident.own_names() {
                    own.add_forms(&name);
                }
            }
        }
        Ok(own)
    }

    fn add_forms(&mut self, name: &str) {
        for form in name_forms(name) {
            if !self.names.contains(&form) {
                self.names.push(form);
            }
        }
    }

    /// How many names (the names themselves are never logged).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are none (never, for a node: its id is one).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The leak gate of one node: its policy, its own names, and a sanitizer per
/// level (built on first use; GREEN and CLEAR need the IPADIC dictionary
/// unless the policy opts out, see [`Sanitizer::for_publishing`]).
pub struct Gate {
    policy: Policy,
    policy_version: Option<u32>,
    own: OwnNames,
    sanitizers: Mutex<HashMap<DisclosureLevel, Arc<Sanitizer>>>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("own_names", &self.own.len())
            .finish_non_exhaustive()
    }
}

impl Gate {
    /// The gate of the node in `home`: `home/node.toml`, `home/policy.toml`
    /// (else the built-in policy) and, when there is one, `home/vault` (opened
    /// for a moment; it fails while another command holds the vault).
    pub fn open(home: &Path) -> Result<Gate, GateError> {
        let cfg = node_config(home)?;
        let dir = home.join("vault");
        let vault = if dir.exists() {
            Some(Vault::open(&dir)?)
        } else {
            None
        };
        Gate::of_node(home, &cfg, vault.as_ref())
    }

    /// The gate of the node configured by `cfg` in `home`, with its open vault.
    pub fn of_node(
        home: &Path,
        cfg: &NodeConfig,
        vault: Option<&Vault>,
    ) -> Result<Gate, GateError> {
        let drafting = crate::drafting_policy(home, cfg)?;
        Ok(Gate {
            policy: drafting.policy,
            policy_version: drafting.version,
            own: OwnNames::of_node(cfg, vault)?,
            sanitizers: Mutex::new(HashMap::new()),
        })
    }

    /// The node's policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The version of the group's signed policy this gate runs under (none
    /// when the node holds no group policy); every lesson it passes names it.
    pub fn policy_version(&self) -> Option<u32> {
        self.policy_version
    }

    /// The node's own names.
    pub fn own_names(&self) -> &OwnNames {
        &self.own
    }

    /// The sanitizer for `level` (drafting uses it too, so a draft and its
    /// gate see the same recognisers). RED is refused.
    pub fn sanitizer(&self, level: DisclosureLevel) -> Result<Arc<Sanitizer>, GateError> {
        if !level.may_reach_group() {
            return Err(GateError::Red);
        }
        let mut all = self.sanitizers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = all.get(&level) {
            return Ok(Arc::clone(s));
        }
        let s = Arc::new(Sanitizer::for_publishing(&self.policy, level)?);
        all.insert(level, Arc::clone(&s));
        Ok(s)
    }

    /// Every finding of the gate in `lesson` (valid or not), with the node's
    /// own names, at the lesson's level.
    pub fn findings(&self, lesson: &Lesson) -> Result<Vec<LessonFinding>, GateError> {
        Ok(self
            .sanitizer(lesson.level)?
            .gate_lesson(lesson, &self.own.names))
    }

    /// The gate proper: `lesson` becomes a [`GatedLesson`] when it is valid,
    /// not RED, and each finding has a recorded decision among `decisions`
    /// (same finding id, a reviewer and a reason). Otherwise
    /// [`GateError::Leak`] lists the open findings.
    pub fn lesson(
        &self,
        mut lesson: Lesson,
        decisions: &[Decision],
    ) -> Result<GatedLesson, GateError> {
        // Signed with the lesson: the hub refuses a withdrawn version.
        lesson.policy_version = self.policy_version;
        lesson.validate()?;
        let findings = self.findings(&lesson)?;
        let open: Vec<LessonFinding> = findings
            .into_iter()
            .filter(|f| !decisions.iter().any(|d| covers(d, f)))
            .filter(|f| !names_public(&lesson, f))
            .collect();
        if !open.is_empty() {
            return Err(GateError::Leak { findings: open });
        }
        Ok(GatedLesson { lesson })
    }

    /// The gate over a withdrawal: its reason is free text that travels as
    /// far as the lesson did, so any finding refuses it (there is no override:
    /// say why without names, contacts or hosts).
    pub fn withdrawal(&self, withdrawal: Withdrawal) -> Result<GatedWithdrawal, GateError> {
        Payload::Withdrawal(withdrawal.clone()).validate()?;
        let findings = self.sanitizer(withdrawal.level)?.gate_text(
            &withdrawal.reason,
            "reason",
            &self.own.names,
        );
        if !findings.is_empty() {
            return Err(GateError::Leak { findings });
        }
        Ok(GatedWithdrawal { withdrawal })
    }

    /// The gate over a reader's response (feedback comment, question,
    /// answer, a case story's ケース and 活用): free text that travels as far
    /// as the lesson did, so any finding refuses it, naming the field and
    /// what was found.
    pub fn response(&self, response: Response) -> Result<GatedResponse, GateError> {
        Payload::Response(response.clone()).validate()?;
        let sanitizer = self.sanitizer(response.level)?;
        let findings: Vec<_> = response
            .texts()
            .into_iter()
            .flat_map(|(field, text)| sanitizer.gate_text(text, field, &self.own.names))
            .collect();
        if !findings.is_empty() {
            return Err(GateError::Leak { findings });
        }
        Ok(GatedResponse { response })
    }
}

/// Whether `decision` overrides `finding`.
fn covers(decision: &Decision, finding: &LessonFinding) -> bool {
    decision.finding_id == finding.id
        && !decision.reviewer.trim().is_empty()
        && !decision.reason.trim().is_empty()
}

/// `home/node.toml`, with an error that says what to pass.
pub(crate) fn node_config(home: &Path) -> Result<NodeConfig, GateError> {
    let path = home.join("node.toml");
    if !path.exists() {
        return Err(GateError::Config {
            path,
            reason: "not found; pass --home DIR (or set TAZAN_HOME) to a node's directory, e.g. one made by `tazan topology create`".into(),
        });
    }
    NodeConfig::load(&path).map_err(|e| GateError::Config {
        reason: e.to_string(),
        path,
    })
}

/// The node's own policy file: `home/policy.toml` when present, else the
/// built-in one (without the group's policy: see [`crate::drafting_policy`]).
pub fn node_policy(home: &Path) -> Result<Policy, SanitizeError> {
    let path = home.join("policy.toml");
    if path.exists() {
        Policy::load(&path)
    } else {
        Ok(Policy::builtin())
    }
}

/// A lesson that passed the node's leak gate. Only [`Gate::lesson`] makes
/// one; [`NodeCore::publish`](crate::NodeCore::publish) signs only these.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatedLesson {
    lesson: Lesson,
}

impl GatedLesson {
    /// The lesson as it will be signed.
    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// Its id once signed (the hash of its canonical bytes).
    pub fn id(&self) -> LessonId {
        Payload::Lesson(self.lesson.clone()).id()
    }
}

/// A withdrawal whose reason passed the node's leak gate. Only
/// [`Gate::withdrawal`] makes one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatedWithdrawal {
    withdrawal: Withdrawal,
}

impl GatedWithdrawal {
    /// The withdrawal as it will be signed.
    pub fn withdrawal(&self) -> &Withdrawal {
        &self.withdrawal
    }
}

/// A reader's response whose text passed the node's leak gate. Only
/// [`Gate::response`] makes one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatedResponse {
    response: Response,
}

impl GatedResponse {
    /// The response as it will be signed.
    pub fn response(&self) -> &Response {
        &self.response
    }
}

/// Any gated payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
// Like `Payload`: short-lived and moved rarely; boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Gated {
    /// A lesson (new or a correction).
    Lesson(GatedLesson),
    /// A withdrawal.
    Withdrawal(GatedWithdrawal),
    /// Feedback, a question or an answer.
    Response(GatedResponse),
}

impl From<GatedResponse> for Gated {
    fn from(g: GatedResponse) -> Gated {
        Gated::Response(g)
    }
}

impl From<GatedLesson> for Gated {
    fn from(g: GatedLesson) -> Gated {
        Gated::Lesson(g)
    }
}

impl From<GatedWithdrawal> for Gated {
    fn from(g: GatedWithdrawal) -> Gated {
        Gated::Withdrawal(g)
    }
}

impl Gated {
    /// The payload to sign.
    pub(crate) fn payload(&self) -> Payload {
        match self {
            Gated::Lesson(g) => Payload::Lesson(g.lesson.clone()),
            Gated::Withdrawal(g) => Payload::Withdrawal(g.withdrawal.clone()),
            Gated::Response(g) => Payload::Response(g.response.clone()),
        }
    }

    /// Its level.
    pub fn level(&self) -> DisclosureLevel {
        match self {
            Gated::Lesson(g) => g.lesson.level,
            Gated::Withdrawal(g) => g.withdrawal.level,
            Gated::Response(g) => g.response.level,
        }
    }
}

/// Sign a gated payload with the node's key, for the admin-socket hand-off to a
/// running node (which checks the signature against its key before queueing).
pub fn sign_gated(key: &KeyPair, gated: impl Into<Gated>) -> Envelope {
    key.sign(&gated.into().payload())
}

/// Whether `finding` is the organisation a public case names on purpose
/// (`Lesson::public`, signed with the lesson): the press already named it,
/// so it is kept, not masked as 当社 nor refused. Only that name: every
/// other name, contact or host in a public case is still a finding.
fn names_public(lesson: &Lesson, finding: &LessonFinding) -> bool {
    let Some(public) = &lesson.public else {
        return false;
    };
    let excerpt = finding.excerpt.trim();
    !excerpt.is_empty()
        && tazan_sanitize::name_forms(&public.organisation)
            .iter()
            .any(|form| form == excerpt || form.contains(excerpt))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_path_buf();
        std::fs::write(
            home.join("node.toml"),
            r#"version = 1
[node]
id = "acme-bank"
data_dir = "data"
key = "node.key"
display_name = "アクメ銀行（架空）"
[hub]
endpoint = "https://127.0.0.1:1"
server_name = "finance-hub"
ca = "ca.pem"
cert = "node.pem"
key = "node.tls.key"
"#,
        )
        .unwrap();
        (dir, home)
    }

    #[test]
    fn own_names_and_deny_lists_refuse_and_decisions_override() {
        let (_dir, home) = home();
        std::fs::write(
            home.join("policy.toml"),
            "version = 1\n[[deny]]\nrole = \"vendor\"\nterms = [\"鵺川システム\"]\n[levels.AMBER]\ndates = \"month\"\nnumbers = \"round\"\nplaces = \"region\"\n",
        )
        .unwrap();
        let gate = Gate::open(&home).unwrap();
        let clean = Lesson::example("切替え訓練を行うべし", DisclosureLevel::Amber);
        assert_eq!(gate.lesson(clean.clone(), &[]).unwrap().lesson(), &clean);

        for (field, text) in [
            ("problem", "アクメ銀行で障害が起きた。"),
            ("problem", "acme bank の障害。"),
            ("direct_cause", "鵺川システムの作業ミス。"),
        ] {
            let mut l = clean.clone();
            if field == "problem" {
                l.problem = text.into();
            } else {
                l.direct_cause = text.into();
            }
            let Err(GateError::Leak { findings }) = gate.lesson(l.clone(), &[]) else {
                panic!("{text}: not refused");
            };
            assert!(
                findings.iter().all(|f| f.finding.field == field),
                "{findings:?}"
            );
            let decisions: Vec<Decision> = findings
                .iter()
                .map(|f| Decision {
                    finding_id: f.id.clone(),
                    finding: f.finding.clone(),
                    excerpt: f.excerpt.clone(),
                    reviewer: "佐藤".into(),
                    reason: "架空".into(),
                    at: tazan_vault::now(),
                    restored: None,
                })
                .collect();
            assert!(gate.lesson(l.clone(), &decisions).is_ok());
            // A decision without a reason overrides nothing.
            let mut empty = decisions.clone();
            empty[0].reason = " ".into();
            assert!(gate.lesson(l, &empty).is_err());
        }
        let mut red = clean;
        red.level = DisclosureLevel::Red;
        assert!(matches!(gate.lesson(red, &[]), Err(GateError::Red)));
    }

    #[test]
    fn withdrawal_reasons_are_gated() {
        let (_dir, home) = home();
        let gate = Gate::open(&home).unwrap();
        let w = |reason: &str| Withdrawal {
            target: LessonId::of(b"x"),
            reason: reason.into(),
            level: DisclosureLevel::Amber,
        };
        assert!(gate
            .withdrawal(w("記載に誤りがあったため取り下げる。"))
            .is_ok());
        let Err(GateError::Leak { findings }) =
            gate.withdrawal(w("問合せは03-1234-5678またはops@acme.example.jpまで。"))
        else {
            panic!("not refused");
        };
        assert!(findings.iter().all(|f| f.finding.field == "reason"));
        let kinds: Vec<&str> = findings.iter().map(|f| f.finding.kind.as_str()).collect();
        assert!(kinds.contains(&"contact"), "{kinds:?}");
        let msg = GateError::Leak { findings }.to_string();
        println!("{msg}");
        assert!(msg.contains("reason @"), "{msg}");
    }
}
