//! `tazan collection …` (a hub's editor), `tazan collections …` (a reader)
//! and `tazan press …` (public cases and the half-yearly table). Arguments
//! in, one library call (`tazan_hub::editor`, `tazan_model`,
//! `tazan_search::press_table`), output.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use tazan_hub::HubConfig;
use tazan_model::{collection_views, DisclosureLevel, LessonId, Payload};

use super::lessons::library_items;
use super::node_config;
use crate::cli::HomeArg;

/// `tazan collection`: the hub editor's curated collections.
#[derive(Debug, Subcommand)]
pub(crate) enum CollectionCmd {
    /// Start a collection draft (a JSON file the editor keeps).
    #[command(after_help = "Example:
  tazan collection create redundancy.json --name redundancy --title 冗長構成の落とし穴 \\
    --commentary \"切替えは試すまで信用しない。三つの事例から。\" --level CLEAR")]
    Create(CreateArgs),
    /// Add lessons (full 64-hex ids) at the end, or from position --at.
    #[command(after_help = "Example:
  tazan collection add redundancy.json 3f2a…(64 hex) 9b1c…(64 hex)
  tazan collection add redundancy.json 3f2a…(64 hex) --at 1")]
    Add {
        /// The draft.
        draft: PathBuf,
        /// Lesson ids (64 hex; `tazan lessons list --json`).
        #[arg(required = true)]
        lessons: Vec<String>,
        /// 1-based position of the first added lesson.
        #[arg(long)]
        at: Option<usize>,
    },
    /// Take a lesson out (its id or a unique prefix among the draft's lessons).
    #[command(after_help = "Example:\n  tazan collection remove redundancy.json 9b1c44d0")]
    Remove {
        /// The draft.
        draft: PathBuf,
        /// The lesson.
        lesson: String,
    },
    /// Move a lesson (id or unique prefix among the draft's) to position --to (1-based).
    #[command(after_help = "Example:\n  tazan collection reorder redundancy.json 9b1c44d0 --to 1")]
    Reorder {
        /// The draft.
        draft: PathBuf,
        /// The lesson.
        lesson: String,
        /// New 1-based position.
        #[arg(long)]
        to: usize,
    },
    /// Change the title or the commentary.
    #[command(
        after_help = "Example:\n  tazan collection describe redundancy.json --title 冗長構成の落とし穴（改訂）"
    )]
    Describe {
        /// The draft.
        draft: PathBuf,
        /// New title.
        #[arg(long)]
        title: Option<String>,
        /// New commentary.
        #[arg(long)]
        commentary: Option<String>,
    },
    /// Sign the draft with the hub key and publish it from the hub (running or stopped);
    /// the draft's version then goes up, so publishing it again supersedes this one.
    #[command(after_help = "Example:
  tazan collection publish redundancy.json --hub-config fed/cross/hub.toml

The hub checks every listed lesson is in its log, a lesson, not withdrawn, and travels as far
as the collection; the title and commentary pass its screen (no member names, contacts or
hosts beyond a group). A refused collection changes nothing, at the hub or in the draft.")]
    Publish {
        /// The draft.
        draft: PathBuf,
        /// The publishing hub's config (a cross hub or a group hub).
        #[arg(long)]
        hub_config: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// The draft file to create.
    draft: PathBuf,
    /// Stable name across versions (ASCII letters, digits, '-', '_').
    #[arg(long)]
    name: String,
    /// The theme, one line.
    #[arg(long)]
    title: String,
    /// The editor's commentary (at most 4000 characters).
    #[arg(long, default_value = "")]
    commentary: String,
    /// AMBER (the hub's group), GREEN or CLEAR (every group).
    #[arg(long, default_value = "CLEAR")]
    level: String,
}

/// `tazan collections`: collections this node received.
#[derive(Debug, Subcommand)]
pub(crate) enum CollectionsCmd {
    /// The current collections in the library (a republished one replaces the earlier).
    #[command(after_help = "Example:\n  tazan collections list --home ~/acme")]
    List {
        #[command(flatten)]
        home: HomeArg,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// One collection: title, commentary and its lessons in order.
    #[command(after_help = "Example:\n  tazan collections show redundancy --home ~/acme")]
    Show {
        /// Its name, or its id (prefix ≥ 8 hex).
        collection: String,
        #[command(flatten)]
        home: HomeArg,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// `tazan press`: public cases (press-reported failures).
#[derive(Debug, Subcommand)]
pub(crate) enum PressCmd {
    /// Import press records as public cases at a hub: the named organisation is kept and
    /// marked public with its sources; signed by the hub; CLEAR.
    #[command(after_help = "Example:
  tazan press import ../shared/corpus/incidents.jsonl --hub-config fed/cross/hub.toml

Records are JSON Lines: id, organization {name}, industry, system_name, occurred_at,
impact, description, direct_cause, sources (\"媒体（2017.7.4）\" or {medium, date, url}).
Bad lines are reported as FILE:LINE:FIELD: reason; the others are imported.")]
    Import {
        /// Press records (JSON Lines).
        file: PathBuf,
        /// The hub's config.
        #[arg(long)]
        hub_config: PathBuf,
    },
    /// Publish press records from this node as public cases: the named organisation is kept
    /// (the record's explicit `public` field, not masked as 当社), everything else gated.
    #[command(after_help = "Example:
  tazan press publish press.jsonl --home ~/acme [--level GREEN]

Any refused record or bad line refuses the whole file and nothing is signed.")]
    Publish {
        /// Press records (JSON Lines, as for `press import`).
        file: PathBuf,
        /// GREEN or CLEAR.
        #[arg(long, default_value = "CLEAR")]
        level: String,
        #[command(flatten)]
        home: HomeArg,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// The half-yearly table of press-reported failures with counts by cause.
    #[command(after_help = "Example:
  tazan press table --half 2017H2 --hub-config fed/cross/hub.toml
  tazan press table --half 2017H2 --home fed/sakura-bank --json")]
    Table {
        /// The half-year: 2024H1 or 2024H2.
        #[arg(long)]
        half: String,
        /// Read a hub's log (stopped: its store; running: asked through its admin socket is
        /// not needed, the table is read from its members' view — use --home).
        #[arg(long, conflicts_with = "home")]
        hub_config: Option<PathBuf>,
        #[command(flatten)]
        home: HomeArg,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

fn level(text: &str) -> Result<DisclosureLevel> {
    text.parse()
        .map_err(|_| anyhow::anyhow!("--level {text:?}: use AMBER, GREEN or CLEAR"))
}

pub(super) async fn collection(cmd: CollectionCmd) -> Result<ExitCode> {
    use tazan_hub::editor;
    let shown = match cmd {
        CollectionCmd::Create(a) => {
            editor::create(&a.draft, &a.name, &a.title, &a.commentary, level(&a.level)?)?
        }
        CollectionCmd::Add { draft, lessons, at } => editor::add(&draft, &lessons, at)?,
        CollectionCmd::Remove { draft, lesson } => editor::remove(&draft, &lesson)?,
        CollectionCmd::Reorder { draft, lesson, to } => editor::reorder(&draft, &lesson, to)?,
        CollectionCmd::Describe {
            draft,
            title,
            commentary,
        } => editor::describe(&draft, title.as_deref(), commentary.as_deref())?,
        CollectionCmd::Publish {
            draft,
            hub_config,
            json,
        } => {
            let cfg = HubConfig::load(&hub_config)?;
            let done = editor::publish(&cfg, &draft).await?;
            if json {
                println!("{}", serde_json::to_string(&done)?);
            } else {
                println!(
                    "published collection {} version {} as {} ({}, via the hub's {}); the draft is now at version {}",
                    draft.display(),
                    done.version,
                    done.id.short(),
                    if done.duplicate { "already in the log" } else { "new" },
                    done.via,
                    done.version + 1
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    println!(
        "{} v{} ({}): {} — {} lesson(s)",
        shown.name,
        shown.version,
        shown.level,
        shown.title,
        shown.lessons.len()
    );
    for (i, id) in shown.lessons.iter().enumerate() {
        println!("{:>3}. {id}", i + 1);
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn collections(cmd: CollectionsCmd) -> Result<ExitCode> {
    let (home, json, wanted) = match cmd {
        CollectionsCmd::List { home, json } => (home, json, None),
        CollectionsCmd::Show {
            collection,
            home,
            json,
        } => (home, json, Some(collection)),
    };
    let cfg = node_config(home.home)?;
    let items = library_items(&cfg, "collections").await?;
    let views = collection_views(items.iter().map(|i| (i.id, i.origin.as_str(), &i.payload)));
    let Some(wanted) = wanted else {
        if json {
            println!("{}", serde_json::to_string_pretty(&views)?);
        } else if views.is_empty() {
            println!("(no collections yet)");
        } else {
            for v in &views {
                let c = &v.collection;
                println!(
                    "{}  {:<20} v{}  {:<5}  {}  ({} lessons, from {})",
                    v.id.short(),
                    c.name,
                    c.version,
                    c.level,
                    c.title,
                    c.lessons.len(),
                    v.origin
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    };
    let ids: Vec<LessonId> = views.iter().map(|v| v.id).collect();
    let found = views
        .iter()
        .find(|v| v.collection.name == wanted)
        .or_else(|| {
            LessonId::resolve(&wanted, &ids)
                .ok()
                .and_then(|id| views.iter().find(|v| v.id == id))
        });
    let Some(view) = found else {
        bail!(
            "no collection named or with an id starting with {wanted:?} in this library (see `tazan collections list`)"
        );
    };
    if json {
        println!("{}", serde_json::to_string_pretty(view)?);
    } else {
        print!("{}", view.to_text());
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn press(cmd: PressCmd) -> Result<ExitCode> {
    match cmd {
        PressCmd::Import { file, hub_config } => {
            let done = tazan::hub_catalog::import_public_cases(&hub_config, &file).await?;
            println!(
                "{}: {} public case(s) read, {} stored, {} already there (via the hub's {})",
                file.display(),
                done.valid,
                done.accepted,
                done.duplicates,
                done.via
            );
            for e in &done.errors {
                eprintln!("{e}");
            }
            Ok(if done.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        PressCmd::Publish {
            file,
            level,
            home,
            json,
        } => super::review::publish_file(&file, &level, home.home, json, true).await,
        PressCmd::Table {
            half,
            hub_config,
            home,
            json,
        } => {
            let half: tazan_search::Half = half.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            let lessons: Vec<tazan_model::Lesson> = match hub_config {
                Some(path) => {
                    let cfg = HubConfig::load(&path)?;
                    tazan_hub::log_lessons(&cfg)
                        .await
                        .with_context(|| format!("reading the log of {}", path.display()))?
                }
                None => {
                    let cfg = node_config(home.home)?;
                    library_items(&cfg, "press table")
                        .await?
                        .into_iter()
                        .filter_map(|i| match i.payload {
                            Payload::Lesson(l) => Some(l),
                            _ => None,
                        })
                        .collect()
                }
            };
            let table = tazan_search::press_table(&lessons, half);
            if json {
                println!("{}", serde_json::to_string_pretty(&table)?);
            } else {
                print!("{}", table.to_text());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
