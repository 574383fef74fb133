//! Raw incidents in the node's vault (`HOME/vault`): import, list, show, edit.
//! Nothing here sends anything; the vault never leaves the node.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::{json, Value};
use tazan_model::{Incident, IncidentError, UnknownFields, INCIDENT_FIELDS, INCIDENT_TEXT_FIELDS};
use tazan_vault::{ImportOptions, Vault};

use super::edit;
use crate::cli::{HomeArg, IncidentCmd};

/// `tazan incident import`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tazan incident import exports.jsonl --home ~/acme
  tazan incident import report.json --home ~/acme --all-or-nothing --json
  tazan incident import monthly.csv --home ~/acme --replace
  tazan incident template --format csv > incidents.csv      # a file to start from

Formats: .json (one incident or an array), .jsonl (one per line), .csv (header row; English or
Japanese column names such as 発生日時, システム名, 影響, 現象と原因, 直接原因, 情報源). Encodings:
UTF-8 (with or without BOM), UTF-16 with BOM, Shift_JIS/CP932 and EUC-JP, detected per file; a line
that cannot be decoded is refused by number, never imported as mojibake. Each record needs an `id`.

Strict: an unknown field is an error naming the nearest known one (`descripton` -> `description`)
unless --keep-unknown keeps unknown fields as extra data; an unreadable date is an error. A refused
record is reported as FILE:LINE: field `F`: reason and skipped; the others are imported (or none is,
with --all-or-nothing). The exit code is 1 when any record was refused.

Re-importing an id: the same content is left as it is (\"unchanged\"); different content is refused
as a duplicate unless --replace is given. Lesson drafts already made from a replaced incident keep
their text.")]
pub(crate) struct ImportArgs {
    /// Incident file: JSON, JSON Lines or CSV (UTF-8, UTF-16, Shift_JIS or EUC-JP).
    file: PathBuf,
    #[command(flatten)]
    home: HomeArg,
    /// Import nothing if any record is malformed or a duplicate.
    #[arg(long)]
    all_or_nothing: bool,
    /// Overwrite incidents whose id is already in the vault with different content.
    #[arg(long)]
    replace: bool,
    /// Keep fields the incident schema does not know as extra data (sanitised as free text)
    /// instead of refusing the record.
    #[arg(long)]
    keep_unknown: bool,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

/// `tazan incident list`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  tazan incident list --home ~/acme\n  tazan incident list --home ~/acme --json"
)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    home: HomeArg,
    /// JSON array output.
    #[arg(long)]
    json: bool,
}

/// `tazan incident show`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  tazan incident show INC-0042 --home ~/acme\n  tazan incident show INC-0042 --home ~/acme --json > inc.json"
)]
pub(crate) struct ShowArgs {
    /// Incident id.
    id: String,
    #[command(flatten)]
    home: HomeArg,
    /// Print the stored record as JSON only.
    #[arg(long)]
    json: bool,
}

/// `tazan incident edit`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tazan incident edit INC-0042 --set impact=予約サイトが3時間停止した --set direct_cause=設定ミス
  tazan incident edit INC-0042 --set 'symptoms=[\"画面が表示されない\"]'
  EDITOR=vi tazan incident edit INC-0042        # edit the JSON in $EDITOR

A text field takes the value as written; other fields take JSON. The result is checked with the
same rules as an import; a bad edit is refused and nothing changes. The id cannot be changed.")]
pub(crate) struct EditArgs {
    /// Incident id.
    id: String,
    #[command(flatten)]
    home: HomeArg,
    /// FIELD=VALUE (repeatable); without it the record opens in $EDITOR.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    sets: Vec<String>,
}

pub(super) fn incident(cmd: IncidentCmd) -> Result<ExitCode> {
    match cmd {
        IncidentCmd::Import(a) => import(a),
        IncidentCmd::List(a) => list(a),
        IncidentCmd::Show(a) => show(a),
        IncidentCmd::Edit(a) => edit(a),
        IncidentCmd::Similar { .. } | IncidentCmd::Template(_) => {
            bail!("internal: `incident similar` and `template` are handled elsewhere")
        }
    }
}

/// The node's home and its vault. `create` makes both when missing (an
/// import); otherwise (a read) a missing vault is an error that says where it
/// looked and how to point elsewhere, and nothing is created.
pub(super) fn open_vault(home: Option<PathBuf>, create: bool) -> Result<(PathBuf, Vault)> {
    let home = tazan::home::Home::of(home);
    let dir = home.join("vault");
    if !dir.exists() {
        if !create {
            return Err(home.missing(
                "vault",
                &format!(
                    "import incidents into it with `tazan incident import FILE --home {}`",
                    home.dir.display()
                ),
            ));
        }
        std::fs::create_dir_all(&home.dir)
            .with_context(|| format!("creating {}", home.dir.display()))?;
        eprintln!("note: creating a new vault in {}", home.describe());
    }
    let vault = Vault::open(&dir)?;
    Ok((home.dir, vault))
}

fn record_error_json(e: &IncidentError) -> Value {
    match e {
        IncidentError::Record {
            file,
            line,
            field,
            reason,
        } => json!({"file": file, "line": line, "field": field, "reason": reason}),
        other => json!({"reason": other.to_string()}),
    }
}

fn import(args: ImportArgs) -> Result<ExitCode> {
    let unknown = if args.keep_unknown {
        UnknownFields::Keep
    } else {
        UnknownFields::Refuse
    };
    let parsed = tazan_model::read_incidents(&args.file, unknown)?;
    let file = args.file.display().to_string();
    let (_, vault) = open_vault(args.home.home, true)?;
    let report = vault.import(
        &file,
        parsed,
        ImportOptions {
            replace: args.replace,
            all_or_nothing: args.all_or_nothing,
        },
    )?;
    if args.json {
        println!(
            "{}",
            json!({
                "file": file,
                "encoding": report.encoding.as_str(),
                "imported": report.new,
                "replaced": report.replaced,
                "unchanged": report.unchanged,
                "errors": report.errors.iter().map(record_error_json).collect::<Vec<_>>(),
                "all_or_nothing_refused": report.refused_all,
            })
        );
    } else {
        for e in &report.errors {
            eprintln!("error: {e}");
        }
        if report.refused_all {
            println!(
                "nothing imported: {} record(s) refused and --all-or-nothing was given",
                report.errors.len()
            );
        } else {
            println!(
                "imported {} new, {} replaced, {} unchanged, {} refused ({}; vault: {})",
                report.new.len(),
                report.replaced.len(),
                report.unchanged.len(),
                report.errors.len(),
                report.encoding,
                vault.path().display()
            );
        }
    }
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn list(args: ListArgs) -> Result<ExitCode> {
    let (_, vault) = open_vault(args.home.home, false)?;
    let incidents = vault.incidents()?;
    let drafts = vault.drafts()?;
    let drafts_of = |id: &str| -> Vec<String> {
        drafts
            .iter()
            .filter(|d| d.incident == id)
            .map(|d| d.id.to_string())
            .collect()
    };
    if args.json {
        let rows: Vec<Value> = incidents
            .iter()
            .map(|i| {
                json!({
                    "id": i.id,
                    "organization": i.organization.name,
                    "system_name": i.system_name,
                    "occurred_at": i.occurred_at,
                    "direct_cause": i.direct_cause,
                    "near_miss": i.is_near_miss(),
                    "drafts": drafts_of(&i.id),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    if incidents.is_empty() {
        println!("(the vault holds no incidents; import some with `tazan incident import FILE`)");
    }
    for i in &incidents {
        let near = if i.is_near_miss() {
            "  ヒヤリハット"
        } else {
            ""
        };
        let drafts = drafts_of(&i.id);
        let drafts = if drafts.is_empty() {
            String::new()
        } else {
            format!("  drafts: {}", drafts.join(","))
        };
        println!(
            "{:<16}  {:<25}  {:<12}  {}{near}{drafts}",
            i.id,
            i.occurred_at.as_deref().unwrap_or("-"),
            i.direct_cause.as_deref().unwrap_or("-"),
            i.system_name.as_deref().unwrap_or(""),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The vault's incident `id`, or an error naming it.
pub(super) fn stored(vault: &tazan_vault::Vault, id: &str) -> Result<tazan_model::Incident> {
    Ok(vault
        .incident(id)?
        .ok_or_else(|| tazan_vault::VaultError::NoIncident { id: id.to_owned() })?)
}

fn show(args: ShowArgs) -> Result<ExitCode> {
    let (_, vault) = open_vault(args.home.home, false)?;
    let incident = stored(&vault, &args.id)?;
    println!("{}", serde_json::to_string_pretty(&incident)?);
    if !args.json {
        if incident.is_near_miss() {
            println!("(near miss / ヒヤリハット: no impact recorded)");
        }
        for d in vault.drafts()?.iter().filter(|d| d.incident == incident.id) {
            println!(
                "draft {}  {}  {}  {}",
                d.id, d.level, d.status, d.lesson.title
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn edit(args: EditArgs) -> Result<ExitCode> {
    let (home, vault) = open_vault(args.home.home, false)?;
    let incident = stored(&vault, &args.id)?;
    let mut doc = serde_json::to_value(&incident)?;
    if args.sets.is_empty() {
        match edit::in_editor(&doc, &home, &format!("incident {}", args.id))? {
            Some(v) => doc = v,
            None => {
                println!("{}  unchanged", args.id);
                return Ok(ExitCode::SUCCESS);
            }
        }
    } else {
        let sets = incident_sets(&args.sets, &incident)?;
        edit::set_fields(&mut doc, &sets, INCIDENT_FIELDS, INCIDENT_TEXT_FIELDS)?;
    }
    let edited = incident.edited(doc).map_err(|e| match e {
        IncidentError::Record { field, reason, .. } => anyhow::anyhow!(
            "incident {}: field `{field}`: {reason}; nothing changed",
            args.id
        ),
        other => anyhow::anyhow!("incident {}: {other}; nothing changed", args.id),
    })?;
    if edited == incident {
        println!("{}  unchanged", args.id);
        return Ok(ExitCode::SUCCESS);
    }
    vault.update_incident(&edited)?;
    println!("{}  updated", args.id);
    Ok(ExitCode::SUCCESS)
}

/// `--set` assignments with Japanese field names (影響=…) turned into the
/// schema's names; an unknown field is refused naming the nearest known one.
fn incident_sets(sets: &[String], incident: &Incident) -> Result<Vec<String>> {
    sets.iter()
        .map(|set| {
            let Some((path, value)) = set.split_once('=') else {
                return Ok(set.clone());
            };
            let (top, rest) = path.split_once('.').map_or((path, ""), |(t, r)| (t, r));
            let top = top.trim();
            let name = match tazan_model::incident_field(top) {
                Some(f) => f.name,
                None if incident.extra.contains_key(top) => top,
                None => bail!(
                    "incident {}: --set: field `{top}`: {}; nothing changed",
                    incident.id,
                    tazan_model::unknown_incident_field(top)
                ),
            };
            let dot = if rest.is_empty() { "" } else { "." };
            Ok(format!("{name}{dot}{rest}={value}"))
        })
        .collect()
}

/// An incident named on the command line: a file (first record, or the one
/// with `id`) or, when no such file exists, an id in the vault.
pub(super) fn resolve(name: &str, id: Option<&str>, home: Option<PathBuf>) -> Result<Incident> {
    let path = Path::new(name);
    if path.is_file() {
        let parsed = tazan_model::read_incidents(path, UnknownFields::Refuse)?;
        for e in &parsed.errors {
            eprintln!("warning: {e}");
        }
        return match id {
            Some(want) => parsed
                .records
                .into_iter()
                .map(|(_, i)| i)
                .find(|i| i.id == want)
                .with_context(|| format!("no incident with id {want:?} in {}", path.display())),
            None => parsed
                .records
                .into_iter()
                .map(|(_, i)| i)
                .next()
                .with_context(|| format!("{} holds no readable incident", path.display())),
        };
    }
    let (_, vault) = open_vault(home, false)
        .with_context(|| format!("{name:?} is neither a file nor an incident in the vault"))?;
    vault
        .incident(name)?
        .with_context(|| format!("{name:?} is neither a file nor an incident id in the vault"))
}
