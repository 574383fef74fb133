//! `tazan lesson …`: everything a node publishes, through the review and
//! publishing desk of `tazan-node` (`tazan_node::Desk`), which the web portal
//! uses too. Each command parses its arguments, makes one desk call and
//! prints the structured result.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;
use tazan_model::DisclosureLevel;
use tazan_node::{Desk, Override, Publication};
use tazan_vault::DraftId;

use super::edit;
use super::render::{anonymity_text, findings_text, render};
use crate::cli::{HomeArg, LessonCmd};

/// `tazan lesson draft`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tazan lesson draft INC-0042 --level AMBER --home ~/acme
  tazan lesson draft INC-0042 --level GREEN --home ~/acme --json

The incident goes through the sanitizer with the node's policy (HOME/policy.toml, else the built-in
one) for that level; the lesson is built from the sanitised fields only. GREEN keeps less detail than
AMBER. Prints the draft id; the draft and its audit map (original → replacement) stay in the vault.
GREEN and CLEAR need the IPADIC dictionary (bash scripts/setup-ipadic.sh) unless the policy says
`require_dictionary = false`.")]
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

/// `tazan lesson drafts` and `tazan lesson published`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  tazan lesson drafts --home ~/acme")]
pub(crate) struct ListArgs {
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

The leak gate runs again, so the findings are current. Every replacement is shown as
[replacement←original], and every finding as [!text!] (in colour on a terminal), with the decision
that overrides it, if any. The originals come from the vault's local audit map: this command runs on
the node, for its reviewer, and prints nothing that is sent. --json prints the draft, its audit map,
its recorded decisions and each finding with its decision.")]
pub(crate) struct ShowArgs {
    /// Draft id (d3 or 3).
    draft: String,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

/// `tazan lesson coarsen`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tazan lesson coarsen d3 period --home ~/acme              # 2024-07 → 2024-H2
  tazan lesson coarsen d3 period --to 2024
  tazan lesson coarsen d3 region                            # 東京都 → 関東地方 in every text field

A lesson's industry, period, cause, impact figures, region and system kind can single out its
company when fewer than 3 lessons in the node's library share them (k, shown by `lesson show`).
FIELD is one of industry (→ its sector → any), period (→ half-year → year → any), impact (figures →
a wide band → 多数), region (prefecture → region → 国内) or system (named kinds → general words).
Without --to it takes the next step; `lesson show` lists every step with the k it gives. The draft
changes like an edit: the leak gate runs again and an approval is withdrawn.")]
pub(crate) struct CoarsenArgs {
    /// Draft id.
    draft: String,
    /// industry, period, impact, region or system.
    field: String,
    /// The coarser value to reach (as `lesson show` offers it; `any` drops the field).
    #[arg(long)]
    to: Option<String>,
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
  tazan lesson edit d3 --set 'why_why=[\"なぜ止まったか: 接続が枯渇した\",\"なぜ枯渇したか: 上限が旧値のままだった\"]'
  tazan lesson edit d3 --set effect=移行リハーサルで誤りを事前に検出できた
  tazan lesson edit d3 --reset title              # back to the drafted title
  EDITOR=vi tazan lesson edit d3                 # edit the lesson JSON in $EDITOR

--set and --reset edit the fields the review page edits (title, problem, direct_cause, root_cause,
countermeasures, lesson, effect, why_why, keywords, impact, industry, period, taxonomy.stage; a list takes a JSON
array or one item per line), with the same rule: all or nothing, and an edit that brings in a
leak-gate finding the draft did not have is refused. The result must be a valid lesson; the level
cannot change (draft another rendition). Editing an approved draft withdraws the approval.")]
pub(crate) struct EditArgs {
    /// Draft id.
    draft: String,
    #[command(flatten)]
    home: HomeArg,
    /// FIELD=VALUE (repeatable); without --set or --reset the lesson opens in $EDITOR.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    sets: Vec<String>,
    /// Put FIELD back to the value it was drafted with.
    #[arg(long, value_name = "FIELD", conflicts_with = "sets")]
    reset: Option<String>,
}

/// `tazan lesson restore`.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  tazan lesson restore d3 --original ジュピター --reviewer 佐藤 --reason \"一般的な製品名で社名ではない\"

Puts an original the sanitizer replaced (as `lesson show` marks it, [replacement←original]) back
into the draft's text. The restored text goes through the leak gate again; each finding on it is
recorded as overridden by this decision (reviewer, reason, time), so approval accepts it. A
replacement that stands for several originals (当社, [連絡先]) cannot be restored: edit the text
instead. Restoring withdraws an approval.")]
pub(crate) struct RestoreArgs {
    /// Draft id.
    draft: String,
    /// The original text, as `lesson show` prints it after ←.
    #[arg(long)]
    original: String,
    /// Who decides (recorded).
    #[arg(long)]
    reviewer: String,
    /// Why it may be published (recorded).
    #[arg(long)]
    reason: String,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

/// `tazan lesson approve`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tazan lesson approve d3 --reviewer 佐藤 --home ~/acme
  tazan lesson approve d3 --reviewer 佐藤 --override f1a2b3c4d --reason \"一般名詞で社名ではない\"

Re-runs the leak gate and refuses while any finding is neither fixed nor overridden (each --override
needs its own --reason, paired in order; a restore counts as an override). It also refuses while
fewer than 3 lessons in the node's library would share the draft's industry, period, cause, impact
figures, region and system kind (k, see `lesson show`), naming the fields that single it out: coarsen
one (`tazan lesson coarsen`) or give the reviewer's reason with --override k-anonymity --reason TEXT
(recorded like any override). On success it records the
decisions, signs the lesson with the node key and queues it exactly like `tazan lesson publish`:
handed to the running node, else put in the outbox and delivered at once if the hub answers.")]
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
    /// A group to send it to (repeatable): a group name from node.toml (`[hub] group`, else the
    /// hub's id; `[[groups]] name`). Default: the node's first group only. Each group's policy
    /// gates it; one group's refusal sends it nowhere.
    #[arg(long = "group", value_name = "NAME")]
    groups: Vec<String>,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

/// `tazan lesson publish`.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  tazan lesson publish lesson.toml --home ~/acme

The lesson file holds title, problem, direct_cause, lesson, level (AMBER|GREEN|CLEAR) and optional
root_cause, countermeasures, keywords, taxonomy, impact, period, industry, ref, causes,
countermeasure_kinds, effect, system, why_why (see README, \"Lesson fields\").
The leak gate runs first (HOME/policy.toml, else the built-in policy; the node's own names): any
finding refuses the lesson and nothing is signed. To publish a raw incident, use `tazan lesson draft`
and `approve`. The output says what happened: accepted by the hub, queued (and when it will be
delivered), or handed to the running node (and whether the hub has it).")]
pub(crate) struct PublishArgs {
    /// Lesson file (.json or .toml).
    file: PathBuf,
    /// A group to send it to (repeatable): a group name from node.toml (`[hub] group`, else the
    /// hub's id; `[[groups]] name`). Default: the node's first group only. Each group's policy
    /// gates it; one group's refusal sends it nowhere.
    #[arg(long = "group", value_name = "NAME")]
    groups: Vec<String>,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

/// `tazan lesson correct`.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  tazan lesson correct 3f2a9c01 fixed.toml --home ~/acme

Publishes the lesson in FILE as a correction of this node's lesson ID (the full id or a unique
prefix of at least 8 hex characters, see `tazan lesson published`): it supersedes it, with the next
version, at the same level. The leak gate runs as for `lesson publish`.")]
pub(crate) struct CorrectArgs {
    /// The lesson corrected: its id or a unique prefix (≥ 8 hex).
    id: String,
    /// The corrected lesson (.json or .toml).
    file: PathBuf,
    #[command(flatten)]
    home: HomeArg,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

/// `tazan lesson withdraw`.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  tazan lesson withdraw 3f2a9c01 --reason \"記載内容に誤りがあったため\" --home ~/acme

ID is one of this node's lessons: its id or a unique prefix of at least 8 hex characters (see
`tazan lesson published`). The withdrawal travels as far as the lesson did, signed by this node. The
reason is read by every receiver, so the leak gate checks it like a lesson's text: no names,
contacts or hosts.")]
pub(crate) struct WithdrawArgs {
    /// The lesson: its id or a unique prefix (≥ 8 hex).
    id: String,
    /// Why, for readers who already have it.
    #[arg(long)]
    reason: String,
    /// The level the lesson was published at (needed only for a lesson this node has no record of).
    #[arg(long)]
    level: Option<String>,
    /// A group to withdraw it in (repeatable; default: the node's first group), as for `lesson publish`.
    #[arg(long = "group", value_name = "NAME")]
    groups: Vec<String>,
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
        LessonCmd::Show(a) => show(a).await,
        LessonCmd::Coarsen(a) => coarsen(a).await,
        LessonCmd::Edit(a) => edit(a),
        LessonCmd::Restore(a) => restore(a),
        LessonCmd::Approve(a) => approve(a).await,
        LessonCmd::Publish(a) => publish(a).await,
        LessonCmd::Correct(a) => correct(a).await,
        LessonCmd::Withdraw(a) => withdraw(a).await,
        LessonCmd::Published(a) => published(a),
        LessonCmd::Template(_) => {
            anyhow::bail!("internal: `lesson template` is handled in templates.rs")
        }
    }
}

/// The node home in `--home` (else `$TAZAN_HOME`, else the default), when it
/// holds a node: otherwise an error saying where it looked and how to pass one.
fn node_home(home: Option<PathBuf>) -> Result<PathBuf> {
    let home = tazan::home::Home::of(home);
    home.node_config()?;
    Ok(home.dir)
}

/// The desk of the node in `--home`.
pub(crate) fn desk(home: Option<PathBuf>) -> Result<Desk> {
    Ok(Desk::open(&node_home(home)?)?)
}

fn draft_id(s: &str) -> Result<DraftId> {
    s.parse::<DraftId>()
        .with_context(|| format!("{s:?} is not a draft id (d1, d2 …; see `tazan lesson drafts`)"))
}

fn level(s: &str) -> Result<DisclosureLevel> {
    s.parse().context("--level")
}

/// The outcome line(s) of a publication, and its exit code.
pub(crate) fn print_publication(p: &Publication, json: bool) -> ExitCode {
    if json {
        let reason = match &p.delivery {
            tazan_node::Delivery::Rejected { reason } => Some(reason.as_str()),
            _ => None,
        };
        println!(
            "{}",
            json!({"id": p.id, "kind": p.kind, "level": p.level, "status": p.delivery.status(),
                   "reason": reason, "delivery": p.delivery, "message": p.delivery.to_string()})
        );
    } else {
        println!("{}  {}", p.id, p.delivery);
    }
    if p.delivery.is_rejected() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One publication per group: as [`print_publication`] for one group; else a
/// line per group (`GROUP: ID  what happened`) or a JSON array with `group`.
pub(crate) fn print_publications(all: &[Publication], json: bool) -> ExitCode {
    if let [one] = all {
        return print_publication(one, json);
    }
    if json {
        let rows: Vec<_> = all
            .iter()
            .map(|p| {
                json!({"group": p.group, "id": p.id, "kind": p.kind, "level": p.level,
                       "status": p.delivery.status(), "delivery": p.delivery,
                       "message": p.delivery.to_string()})
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
    } else {
        for p in all {
            println!("{}: {}  {}", p.group, p.id, p.delivery);
        }
    }
    if all.iter().any(|p| p.delivery.is_rejected()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn draft(args: DraftArgs) -> Result<ExitCode> {
    let level = level(&args.level)?;
    let made = desk(args.home.home)?.draft(&args.incident, level)?;
    let d = &made.draft;
    if args.json {
        println!(
            "{}",
            json!({"draft": d.id, "incident": d.incident, "level": level, "findings": d.findings.len(),
                   "replacements": made.audit.len(), "dictionary": made.dictionary})
        );
    } else {
        println!("{}", d.id);
        eprintln!(
            "drafted {} ({level}) from incident {}: {} replacements, {} leak-gate findings; review with `tazan lesson show {}`",
            d.id,
            d.incident,
            made.audit.len(),
            d.findings.len(),
            d.id
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn drafts(args: ListArgs) -> Result<ExitCode> {
    let all = desk(args.home.home)?.drafts()?;
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

async fn show(args: ShowArgs) -> Result<ExitCode> {
    let desk = desk(args.home.home)?;
    let id = draft_id(&args.draft)?;
    let view = desk.show(id)?;
    // The draft is shown even when the library cannot be read now.
    let anonymity = desk.anonymity(id).await;
    if args.json {
        let mut doc = serde_json::to_value(&view)?;
        match &anonymity {
            Ok(a) => doc["anonymity"] = serde_json::to_value(a)?,
            Err(e) => doc["anonymity_error"] = e.to_string().into(),
        }
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    print!("{}", render(&view, colour));
    match &anonymity {
        Ok(a) => print!("{}", anonymity_text(id, a)),
        Err(e) => println!("k-anonymity: not computed now: {e}"),
    }
    Ok(ExitCode::SUCCESS)
}

async fn coarsen(args: CoarsenArgs) -> Result<ExitCode> {
    let field: tazan_node::QuasiField = args.field.parse()?;
    let id = draft_id(&args.draft)?;
    let c = desk(args.home.home)?
        .coarsen(id, field, args.to.as_deref())
        .await?;
    if args.json {
        println!("{}", serde_json::to_string(&c)?);
        return Ok(ExitCode::SUCCESS);
    }
    let any = |v: &Option<String>| v.clone().unwrap_or_else(|| "any".into());
    println!(
        "{id}  {field}: {} → {}; {} leak-gate findings",
        any(&c.from),
        any(&c.to),
        c.edited.draft.findings.len()
    );
    if c.edited.approval_withdrawn {
        println!("approval withdrawn: the text changed; approve it again");
    }
    print!("{}", anonymity_text(id, &c.anonymity));
    Ok(ExitCode::SUCCESS)
}

fn edit(args: EditArgs) -> Result<ExitCode> {
    let home = node_home(args.home.home)?;
    let desk = Desk::open(&home)?;
    let id = draft_id(&args.draft)?;
    let edited = if let Some(field) = &args.reset {
        desk.reset_field(id, field)?
    } else if !args.sets.is_empty() {
        let mut sets = Vec::with_capacity(args.sets.len());
        for set in &args.sets {
            let (field, value) = set
                .split_once('=')
                .with_context(|| format!("--set {set:?}: expected FIELD=VALUE"))?;
            sets.push((field.trim(), value));
        }
        desk.edit_fields(id, &sets)?
    } else {
        let doc = serde_json::to_value(&desk.vault().draft(id)?.lesson)?;
        match edit::in_editor(&doc, &home, &format!("draft {id}"))? {
            Some(doc) => desk.edit(id, doc)?,
            None => {
                println!("{id}  unchanged");
                return Ok(ExitCode::SUCCESS);
            }
        }
    };
    if !edited.changed {
        println!("{id}  unchanged");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{id}  updated ({} leak-gate findings)",
        edited.draft.findings.len()
    );
    if edited.approval_withdrawn {
        println!("approval withdrawn: the text changed; approve it again");
    }
    print!("{}", findings_text(&desk.show(id)?));
    Ok(ExitCode::SUCCESS)
}

fn restore(args: RestoreArgs) -> Result<ExitCode> {
    let id = draft_id(&args.draft)?;
    let desk = desk(args.home.home)?;
    let r = desk.restore(id, &args.original, &args.reviewer, &args.reason)?;
    if args.json {
        println!("{}", serde_json::to_string(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{id}  «{}» put back in place of «{}»; {} finding(s) on it recorded as restored by {}",
        args.original.trim(),
        r.replacement,
        r.decisions.len(),
        args.reviewer
    );
    if r.approval_withdrawn {
        println!("approval withdrawn: the text changed; approve it again");
    }
    print!("{}", findings_text(&desk.show(id)?));
    Ok(ExitCode::SUCCESS)
}

async fn approve(args: ApproveArgs) -> Result<ExitCode> {
    if args.overrides.len() != args.reasons.len() {
        anyhow::bail!(
            "{} --override but {} --reason: give one --reason after each --override",
            args.overrides.len(),
            args.reasons.len()
        );
    }
    let overrides: Vec<Override> = args
        .overrides
        .iter()
        .zip(&args.reasons)
        .map(|(finding_id, reason)| Override {
            finding_id: finding_id.clone(),
            reason: reason.clone(),
        })
        .collect();
    let id = draft_id(&args.draft)?;
    let mut desk = desk(args.home.home)?;
    desk.set_groups(&args.groups, "--group")?;
    let a = desk.approve(id, &args.reviewer, &overrides).await?;
    let p = &a.publication;
    if a.publications.len() > 1 {
        if !args.json {
            println!(
                "{} approved by {} ({} override(s) recorded)",
                a.draft.id,
                args.reviewer,
                a.decisions.len()
            );
        }
        return Ok(print_publications(&a.publications, args.json));
    }
    if args.json {
        let reason = match &p.delivery {
            tazan_node::Delivery::Rejected { reason } => Some(reason.as_str()),
            _ => None,
        };
        println!(
            "{}",
            json!({"draft": a.draft.id, "status": a.draft.status, "lesson_id": p.id,
                   "delivery": p.delivery.status(), "reason": reason, "outcome": p.delivery,
                   "message": p.delivery.to_string(), "decisions": a.decisions})
        );
        return Ok(if p.delivery.is_rejected() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    println!(
        "{} approved by {} ({} override(s) recorded)",
        a.draft.id,
        args.reviewer,
        a.decisions.len()
    );
    Ok(print_publication(p, false))
}

async fn publish(args: PublishArgs) -> Result<ExitCode> {
    let lesson = tazan_node::read_lesson_file(&args.file)?;
    let mut desk = desk(args.home.home)?;
    desk.set_groups(&args.groups, "--group")?;
    let all = desk
        .publish_to_groups(lesson, &args.file.display().to_string())
        .await?;
    Ok(print_publications(&all, args.json))
}

async fn correct(args: CorrectArgs) -> Result<ExitCode> {
    let lesson = tazan_node::read_lesson_file(&args.file)?;
    let desk = desk(args.home.home)?;
    let p = desk
        .correct(&args.id, lesson, &args.file.display().to_string())
        .await?;
    Ok(print_publication(&p, args.json))
}

async fn withdraw(args: WithdrawArgs) -> Result<ExitCode> {
    let level = args.level.as_deref().map(level).transpose()?;
    let mut desk = desk(args.home.home)?;
    desk.set_groups(&args.groups, "--group")?;
    let all = desk
        .withdraw_in_groups(&args.id, level, &args.reason)
        .await?;
    Ok(print_publications(&all, args.json))
}

fn published(args: ListArgs) -> Result<ExitCode> {
    let all = desk(args.home.home)?.published()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        println!("(nothing published from this node yet)");
    }
    for p in &all {
        let what = match (p.kind, &p.target) {
            (tazan_model::PayloadKind::Withdrawal, Some(t)) => {
                format!("withdrawal of {}", t.short())
            }
            (tazan_model::PayloadKind::Response, Some(t)) => {
                format!("{} on {}", p.title, t.short())
            }
            (_, Some(t)) => format!("{}  (v{}, corrects {})", p.title, p.version, t.short()),
            _ => p.title.clone(),
        };
        println!(
            "{}  {:<5} {:<9} {}  {what}",
            p.id,
            p.level.as_str(),
            p.delivery,
            p.at
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Used by `tazan catalog publish`.
pub(super) async fn catalog_publish(
    file: &Path,
    level: &str,
    home: Option<PathBuf>,
    json: bool,
) -> Result<ExitCode> {
    publish_file(file, level, home, json, false).await
}

/// `tazan catalog publish` (`public` false) or `tazan press publish`
/// (public cases) from this node.
pub(super) async fn publish_file(
    file: &Path,
    level: &str,
    home: Option<PathBuf>,
    json: bool,
    public: bool,
) -> Result<ExitCode> {
    let level = self::level(level)?;
    let desk = desk(home)?;
    let entries = if public {
        desk.publish_public_cases(file, level).await?
    } else {
        desk.publish_catalog(file, level).await?
    };
    print_catalog(&entries, level, json)
}

fn print_catalog(
    entries: &[tazan_node::CatalogEntry],
    level: tazan_model::DisclosureLevel,
    json: bool,
) -> Result<ExitCode> {
    let mut code = ExitCode::SUCCESS;
    if json {
        println!("{}", serde_json::to_string(&entries)?);
    } else {
        for e in entries {
            println!(
                "line {:<4} {:<8} {}  {}",
                e.line, e.reference, e.publication.id, e.publication.delivery
            );
        }
        println!(
            "{} catalogue entries signed at {level} and handed over",
            entries.len()
        );
    }
    if entries.iter().any(|e| e.publication.delivery.is_rejected()) {
        code = ExitCode::from(1);
    }
    Ok(code)
}
