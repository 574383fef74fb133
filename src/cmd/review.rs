//! From vault incident to queued lesson: draft, show, edit, approve; and the
//! leak gate that `tazan lesson publish` runs too. Only `approve` signs, and
//! only after the gate has passed or each finding was overridden with a
//! recorded decision.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::json;
use tazan_model::{DisclosureLevel, Lesson, Payload};
use tazan_sanitize::{LessonFinding, Policy, Sanitizer};
use tazan_vault::{Decision, DraftId, Vault};

use super::edit;
use super::incidents::open_vault;
use super::render::{finding_line, findings_text, render};
use crate::cli::{HomeArg, LessonCmd};

/// `tazan lesson draft`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tazan lesson draft INC-0042 --level AMBER --home ~/acme
  tazan lesson draft INC-0042 --level GREEN --home ~/acme --json

The incident goes through the sanitizer with the node's policy (HOME/policy.toml, else the built-in
one) for that level; the lesson is built from the sanitised fields only. GREEN keeps less detail than
AMBER. Prints the draft id; the draft and its audit map (original → replacement) stay in the vault.")]
pub(crate) struct DraftArgs {
    /// Vault incident id.
    incident: String,
    /// Disclosure level of this rendition: AMBER, GREEN or CLEAR.
    #[arg(long)]
    level: String,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

/// `tazan lesson drafts`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  tazan lesson drafts --home ~/acme")]
pub(crate) struct DraftsArgs {
    #[command(flatten)]
    home: HomeArg,
    /// JSON array output.
    #[arg(long)]
    json: bool,
}

/// `tazan lesson show`.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  tazan lesson show d3 --home ~/acme

Every replacement is shown as [replacement←original], and every leak-gate finding as [!text!] (in
colour on a terminal). The originals come from the vault's local audit map: this command runs on the
node, for its reviewer, and prints nothing that is sent. --json prints the draft, its audit map and
its recorded decisions.")]
pub(crate) struct ShowArgs {
    /// Draft id (d3 or 3).
    draft: String,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

/// `tazan lesson edit`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tazan lesson edit d3 --set title=切替え手順は本番相当の負荷で訓練すべし
  tazan lesson edit d3 --set 'keywords=[\"DNS\",\"設定変更\"]' --set taxonomy.stage=運用
  EDITOR=vi tazan lesson edit d3                 # edit the lesson JSON in $EDITOR

The result must be a valid lesson (unknown keys and bad values are refused, nothing changes); the
level cannot change (draft another rendition). The leak gate runs again and its findings are shown.
Editing an approved draft withdraws the approval.")]
pub(crate) struct EditArgs {
    /// Draft id.
    draft: String,
    #[command(flatten)]
    home: HomeArg,
    /// FIELD=VALUE (repeatable); without it the lesson opens in $EDITOR.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    sets: Vec<String>,
}

/// `tazan lesson approve`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tazan lesson approve d3 --reviewer 佐藤 --home ~/acme
  tazan lesson approve d3 --reviewer 佐藤 --override f1a2b3c4d --reason \"一般名詞で社名ではない\"

Re-runs the leak gate and refuses while any finding is neither fixed nor overridden (each --override
needs its own --reason, paired in order). On success it records the decisions, signs the lesson with
the node key and queues it exactly like `tazan lesson publish`: handed to the running node, else put
in the outbox and delivered at once if the hub answers.")]
pub(crate) struct ApproveArgs {
    /// Draft id.
    draft: String,
    /// Who approves (recorded with each decision).
    #[arg(long)]
    reviewer: String,
    /// A finding id to publish despite (repeatable; see `tazan lesson show`).
    #[arg(long = "override", value_name = "FINDING_ID")]
    overrides: Vec<String>,
    /// Why the finding may be published (one per --override, in order).
    #[arg(long = "reason", value_name = "TEXT")]
    reasons: Vec<String>,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

pub(super) async fn lesson(cmd: LessonCmd) -> Result<ExitCode> {
    match cmd {
        LessonCmd::Draft(a) => draft(a),
        LessonCmd::Drafts(a) => drafts(a),
        LessonCmd::Show(a) => show(a),
        LessonCmd::Edit(a) => edit(a),
        LessonCmd::Approve(a) => approve(a).await,
        LessonCmd::Publish { .. } | LessonCmd::Withdraw { .. } | LessonCmd::Template(_) => {
            bail!("internal: publish, withdraw and template are handled elsewhere")
        }
    }
}

/// The node's policy: `HOME/policy.toml` when present, else the built-in one.
fn policy(home: &Path) -> Result<Policy> {
    let path = home.join("policy.toml");
    if path.exists() {
        Ok(Policy::load(&path)?)
    } else {
        Ok(Policy::builtin())
    }
}

fn sanitizer(home: &Path, level: DisclosureLevel) -> Result<Sanitizer> {
    Ok(Sanitizer::new(&policy(home)?, level)?)
}

fn draft_id(s: &str) -> Result<DraftId> {
    s.parse::<DraftId>()
        .with_context(|| format!("{s:?} is not a draft id (d1, d2 …; see `tazan lesson drafts`)"))
}

fn own_names_of(vault: &Vault, incident: &str) -> Result<Vec<String>> {
    Ok(vault
        .incident(incident)?
        .map(|i| i.own_names())
        .unwrap_or_default())
}

fn draft(args: DraftArgs) -> Result<ExitCode> {
    let level: DisclosureLevel = args.level.parse().context("--level")?;
    let (home, vault) = open_vault(args.home.home, false)?;
    let incident = super::incidents::stored(&vault, &args.incident)?;
    let d = sanitizer(&home, level)?.draft_lesson(&incident);
    d.lesson
        .validate()
        .with_context(|| format!("the draft of {} is not a valid lesson", incident.id))?;
    let rec = vault.create_draft(&incident.id, level, d.lesson, d.findings, &d.audit)?;
    if args.json {
        println!(
            "{}",
            json!({"draft": rec.id, "incident": rec.incident, "level": level, "findings": rec.findings.len(), "replacements": d.audit.len()})
        );
    } else {
        println!("{}", rec.id);
        eprintln!(
            "drafted {} ({level}) from incident {}: {} replacements, {} leak-gate findings; review with `tazan lesson show {}`",
            rec.id,
            rec.incident,
            d.audit.len(),
            rec.findings.len(),
            rec.id
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn drafts(args: DraftsArgs) -> Result<ExitCode> {
    let (_, vault) = open_vault(args.home.home, false)?;
    let all = vault.drafts()?;
    if args.json {
        let rows: Vec<_> = all
            .iter()
            .map(|d| {
                json!({"draft": d.id, "incident": d.incident, "level": d.level, "status": d.status,
                       "findings": d.findings.len(), "title": d.lesson.title, "lesson_id": d.lesson_id})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        println!("(no drafts; make one with `tazan lesson draft INCIDENT --level GREEN`)");
    }
    for d in &all {
        println!(
            "{:<5} {:<16} {:<5} {:<8} {:>2} findings  {}",
            d.id.to_string(),
            d.incident,
            d.level.as_str(),
            d.status.as_str(),
            d.findings.len(),
            d.lesson.title
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show(args: ShowArgs) -> Result<ExitCode> {
    let (_, vault) = open_vault(args.home.home, false)?;
    let d = vault.draft(draft_id(&args.draft)?)?;
    let audit = vault.audit(d.id)?;
    let decisions = vault.decisions(d.id)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"draft": d, "audit": audit, "decisions": decisions})
            )?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    print!("{}", render(&d, &audit, &decisions, colour));
    Ok(ExitCode::SUCCESS)
}

fn edit(args: EditArgs) -> Result<ExitCode> {
    let (home, vault) = open_vault(args.home.home, false)?;
    let d = vault.draft(draft_id(&args.draft)?)?;
    let mut doc = serde_json::to_value(&d.lesson)?;
    if args.sets.is_empty() {
        match edit::in_editor(&doc, &home, &format!("draft {}", d.id))? {
            Some(v) => doc = v,
            None => {
                println!("{}  unchanged", d.id);
                return Ok(ExitCode::SUCCESS);
            }
        }
    } else {
        const LESSON_FIELDS: &[&str] = &[
            "title",
            "problem",
            "direct_cause",
            "root_cause",
            "countermeasures",
            "lesson",
            "keywords",
            "taxonomy",
            "impact",
            "period",
            "industry",
            "language",
            "ref",
        ];
        edit::set_fields(&mut doc, &args.sets, LESSON_FIELDS, &["ref"])?;
    }
    if doc.get("level").and_then(|v| v.as_str()) != Some(d.level.as_str()) {
        bail!(
            "draft {}: field `level`: a draft stays at {} (draft another rendition with `tazan lesson draft {} --level LEVEL`); nothing changed",
            d.id, d.level, d.incident
        );
    }
    let lesson: Lesson = serde_json::from_value(doc)
        .map_err(|e| anyhow::anyhow!("draft {}: {e}; nothing changed", d.id))?;
    lesson
        .validate()
        .map_err(|e| anyhow::anyhow!("draft {}: {e}; nothing changed", d.id))?;
    if lesson == d.lesson {
        println!("{}  unchanged", d.id);
        return Ok(ExitCode::SUCCESS);
    }
    let findings =
        sanitizer(&home, d.level)?.gate_lesson(&lesson, &own_names_of(&vault, &d.incident)?);
    let was = d.status;
    let d = vault.update_draft(d.id, lesson, findings)?;
    println!(
        "{}  updated ({} leak-gate findings)",
        d.id,
        d.findings.len()
    );
    if was != d.status {
        println!("approval withdrawn: the text changed; approve it again");
    }
    print!("{}", findings_text(&d.findings, &[]));
    Ok(ExitCode::SUCCESS)
}

async fn approve(args: ApproveArgs) -> Result<ExitCode> {
    if args.overrides.len() != args.reasons.len() {
        bail!(
            "{} --override but {} --reason: give one --reason after each --override",
            args.overrides.len(),
            args.reasons.len()
        );
    }
    if args.reviewer.trim().is_empty() {
        bail!("--reviewer: give the reviewer's name");
    }
    let (home, vault) = open_vault(args.home.home.clone(), false)?;
    let d = vault.draft(draft_id(&args.draft)?)?;
    if d.status == tazan_vault::DraftStatus::Queued {
        bail!(
            "draft {} is already approved and queued as lesson {}",
            d.id,
            d.lesson_id.as_deref().unwrap_or("?")
        );
    }
    let cfg = super::node_config(args.home.home)?;
    d.lesson.validate()?;
    let findings =
        sanitizer(&home, d.level)?.gate_lesson(&d.lesson, &own_names_of(&vault, &d.incident)?);
    let reasons: BTreeMap<&str, &str> = args
        .overrides
        .iter()
        .map(String::as_str)
        .zip(args.reasons.iter().map(String::as_str))
        .collect();
    for id in reasons.keys() {
        if !findings.iter().any(|f| f.id == *id) {
            bail!(
                "--override {id}: no such finding in draft {} now (current: {}); nothing recorded",
                d.id,
                if findings.is_empty() {
                    "none".to_owned()
                } else {
                    findings
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
        }
    }
    if let Some((id, _)) = reasons.iter().find(|(_, r)| r.trim().is_empty()) {
        bail!("--override {id}: the --reason is empty; say why it may be published");
    }
    let open: Vec<&LessonFinding> = findings
        .iter()
        .filter(|f| !reasons.contains_key(f.id.as_str()))
        .collect();
    if !open.is_empty() {
        eprintln!(
            "leak gate: {} open finding(s) in draft {}:",
            open.len(),
            d.id
        );
        for f in &open {
            eprintln!("  {}", finding_line(f));
        }
        bail!(
            "approval refused: fix the text with `tazan lesson edit {}` or override each finding with --override ID --reason TEXT; nothing recorded",
            d.id
        );
    }
    let at = tazan_vault::now();
    let decisions: Vec<Decision> = findings
        .iter()
        .filter_map(|f| {
            reasons.get(f.id.as_str()).map(|reason| Decision {
                finding_id: f.id.clone(),
                finding: f.finding.clone(),
                excerpt: f.excerpt.clone(),
                reviewer: args.reviewer.clone(),
                reason: (*reason).to_owned(),
                at: at.clone(),
            })
        })
        .collect();
    let approved = vault.approve(d.id, &args.reviewer, findings, &decisions)?;
    let sent = super::lessons::sign_and_queue(Payload::Lesson(approved.lesson.clone()), &cfg)
        .await
        .with_context(|| {
            format!(
                "draft {} is approved but could not be queued; run `tazan lesson approve {}` again to retry",
                d.id, d.id
            )
        })?;
    let delivery = match &sent.reason {
        Some(r) => format!("{}: {r}", sent.status),
        None => sent.status.to_owned(),
    };
    let queued = vault.mark_queued(d.id, &sent.id, &delivery)?;
    if args.json {
        println!(
            "{}",
            json!({"draft": queued.id, "status": queued.status, "lesson_id": sent.id,
                   "delivery": sent.status, "reason": sent.reason, "decisions": decisions})
        );
    } else {
        println!(
            "{} approved by {} ({} override(s) recorded)",
            queued.id,
            args.reviewer,
            decisions.len()
        );
        super::lessons::print_sent(&sent, false);
    }
    Ok(if sent.status == "rejected" {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The leak gate for `tazan lesson publish FILE`: refuses a lesson with any
/// finding. Own names come from the vault's incidents when there is a vault.
pub(super) fn refuse_leaks(lesson: &Lesson, source: &str, home: Option<PathBuf>) -> Result<()> {
    if !lesson.level.may_reach_group() {
        // RED never leaves the node; sending refuses it with its own message.
        return Ok(());
    }
    let home_dir = tazan::home::resolve(home.clone());
    let mut own: Vec<String> = Vec::new();
    if home_dir.join("vault").exists() {
        let (_, vault) = open_vault(home, false)?;
        for i in vault.incidents()? {
            for n in i.own_names() {
                if !own.contains(&n) {
                    own.push(n);
                }
            }
        }
    }
    let findings = sanitizer(&home_dir, lesson.level)?.gate_lesson(lesson, &own);
    if findings.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = findings
        .iter()
        .map(|f| format!("  {}", finding_line(f)))
        .collect();
    bail!(
        "{source}: the leak gate found {} identifying span(s); publishing refused:\n{}\nRemove or generalise them, or import the incident and go through `tazan lesson draft`/`approve`, where a reviewer can override a finding with a recorded reason",
        findings.len(),
        lines.join("\n")
    )
}
