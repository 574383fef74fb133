//! The node's library: search, trends, digests, similar and related lessons,
//! catalogue import and export.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde_json::json;
use tazan_model::{Purpose, Scene};
use tazan_node::NodeConfig;
use tazan_proto::pb;

use super::{hex_id, hub_client, node_config, try_open_node, wire_levels};
use crate::cli::{DigestFormat, Period, SearchArgs, TrendFormat};

pub(super) fn open_index(home: Option<PathBuf>) -> Result<tazan_search::SearchIndex> {
    let home = tazan::home::Home::of(home);
    let node_toml = home.join("node.toml");
    if !node_toml.exists() {
        // No node here: only a catalogue imported into this home can be read,
        // and a read never creates an index: an empty home has an empty library.
        let dir = tazan::library::index_dir(&home.dir);
        if !dir.join("meta.json").exists() {
            home.existing()?;
            return Ok(tazan_search::SearchIndex::in_ram()?);
        }
        return tazan::library::open_index(&dir, tazan::library::NodeState::Absent);
    }
    // A stopped node: sync its library into the index here. A running one
    // (its store is locked) keeps the index current itself: read only.
    let cfg = NodeConfig::load(&node_toml)?;
    let core = try_open_node(&cfg)?;
    let state = match &core {
        Some(core) => tazan::library::NodeState::Stopped(core.library()),
        None => tazan::library::NodeState::Running,
    };
    tazan::library::open_index(&cfg.index_dir, state)
}

/// The index to count or digest: a hub's (`--hub-config`), else the node's.
fn open_library_or_hub(
    home: Option<PathBuf>,
    hub_config: Option<PathBuf>,
) -> Result<tazan_search::SearchIndex> {
    match hub_config {
        Some(config) => tazan::library::open_hub_index(&config),
        None => open_index(home),
    }
}

/// `--scene` and `--purpose` values as one scene filter of canonical labels (a purpose
/// matches every scene under it); an unknown one names its flag and lists the vocabulary.
fn scene_filter(scenes: &[String], purposes: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(scenes.len() + purposes.len());
    for s in scenes {
        out.push(Scene::parse_for("--scene", s)?.label().to_owned());
    }
    for p in purposes {
        out.push(Purpose::parse_for("--purpose", p)?.as_str().to_owned());
    }
    Ok(out)
}

/// The line saying which purpose a query reads as (nothing for an empty query or none).
fn print_route(query: &str) {
    if let Some(r) = tazan_model::scene::route_situation(query) {
        let scene = r
            .scene
            .map_or_else(String::new, |s| format!(" › {}", s.name()));
        println!(
            "situation reads as: {}{scene} (words: {}); browse it with --purpose {}\n",
            r.purpose,
            r.words.join("、"),
            r.purpose
        );
    }
}

pub(super) fn search(args: SearchArgs) -> Result<ExitCode> {
    let scenes = scene_filter(&args.scenes, &args.purposes)?;
    let index = open_index(args.home.home)?;
    let req = tazan_search::SearchRequest {
        query: args.query,
        filters: tazan_search::Filters {
            levels: args.levels.iter().map(|l| l.to_ascii_uppercase()).collect(),
            industries: args.industries,
            domain: args.domain,
            cause_categories: args.causes,
            scenes,
            period_from: args.from,
            period_to: args.to,
        },
        limit: args.limit,
    };
    let hits = index.search(&req)?;
    if !args.json {
        print_route(&req.query);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
    } else if hits.is_empty() {
        println!("(no matching lessons; import a catalogue with `tazan catalog import` or wait for lessons to arrive)");
    } else {
        for (i, h) in hits.iter().enumerate() {
            let r = h.r#ref.as_deref().unwrap_or("-");
            let cause = if h.cause_category.is_empty() {
                String::new()
            } else {
                format!("  [{}]", h.cause_category)
            };
            println!(
                "{:>2}. {:>6.2}  {:<5} {}{cause}",
                i + 1,
                h.score,
                r,
                h.title
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn search_hub(args: SearchArgs) -> Result<ExitCode> {
    let scenes = scene_filter(&args.scenes, &args.purposes)?;
    if !args.json {
        print_route(&args.query);
    }
    let cfg = node_config(args.home.home)?;
    let levels = wire_levels(&args.levels)?;
    let resp = hub_client(&cfg)
        .await?
        .search(pb::SearchRequest {
            query: args.query,
            levels,
            industries: args.industries,
            domain: args.domain.unwrap_or_default(),
            causes: args.causes,
            scenes,
            period_from: args.from.unwrap_or_default(),
            period_to: args.to.unwrap_or_default(),
            limit: u32::try_from(args.limit).unwrap_or(u32::MAX),
        })
        .await
        .map_err(|s| anyhow::anyhow!("hub search: {}", s.message()))?
        .into_inner();
    let hits: Vec<serde_json::Value> = resp
        .hits
        .iter()
        .map(|h| {
            json!({
                "id": hex_id(&h.lesson_id),
                "ref": (!h.r#ref.is_empty()).then_some(&h.r#ref),
                "title": h.title,
                "score": h.score,
                "level": tazan_proto::level_from_pb(h.level).map(|l| l.as_str()).unwrap_or(""),
                "cause_category": h.cause,
                "industry": h.industry,
                "period": h.period,
            })
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
    } else if hits.is_empty() {
        println!(
            "(no matching lessons at the hub; it has indexed its log through seq {})",
            resp.indexed_through
        );
    } else {
        for (i, h) in resp.hits.iter().enumerate() {
            let r = if h.r#ref.is_empty() {
                "-"
            } else {
                h.r#ref.as_str()
            };
            println!("{:>2}. {:>6.2}  {:<5} {}", i + 1, h.score, r, h.title);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn trends(
    home: Option<PathBuf>,
    hub_config: Option<PathBuf>,
    vault: bool,
    format: TrendFormat,
    period: Period,
) -> Result<ExitCode> {
    let granularity = match period {
        Period::Month => tazan_search::Granularity::Month,
        Period::Half => tazan_search::Granularity::HalfYear,
    };
    let report = if vault {
        // The company's own record: read here, counted here, exact, never sent.
        let (_, vault) = super::incidents::open_vault(home, false)?;
        let options = tazan_search::TrendOptions::exact(granularity);
        tazan_search::incident_trends(&vault.incidents()?, &options)
    } else {
        let options = tazan_search::TrendOptions {
            granularity,
            ..tazan_search::TrendOptions::default()
        };
        open_library_or_hub(home, hub_config)?.trends(&options)?
    };
    match format {
        TrendFormat::Text => print!("{}", report.to_text_table()),
        TrendFormat::Csv => print!("{}", report.to_csv()),
        TrendFormat::Svg => print!("{}", report.to_svg()),
        TrendFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn digest(
    since: &str,
    home: Option<PathBuf>,
    hub_config: Option<PathBuf>,
    format: DigestFormat,
) -> Result<ExitCode> {
    let b = since.as_bytes();
    let valid = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && since[..4].bytes().all(|c| c.is_ascii_digit());
    if !valid {
        bail!("--since {since:?}: expected an ISO 8601 date such as 2026-11-01");
    }
    let index = open_library_or_hub(home, hub_config)?;
    // Only lessons received by this node (or hub) carry a date; catalogue
    // entries imported into a node's library are not "new".
    let fresh: Vec<_> = index
        .all_docs()?
        .into_iter()
        .filter(|d| !d.published_at.is_empty() && d.published_at.as_str() >= since)
        .collect();
    let digest = tazan_search::digest(&fresh, &index, since)?;
    match format {
        DigestFormat::Markdown => print!("{}", digest.to_markdown()),
        DigestFormat::Html => print!("{}", digest.to_html()),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn print_similar(hits: &[tazan_search::SimilarHit], json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(hits)?);
        return Ok(());
    }
    if hits.is_empty() {
        println!("(no related lessons in the library yet)");
    }
    for (i, h) in hits.iter().enumerate() {
        let r = h.hit.r#ref.as_deref().unwrap_or("-");
        let why: Vec<String> = h
            .reasons
            .iter()
            .map(|reason| match reason {
                tazan_search::Reason::SameCauseCategory { category } => {
                    format!("same cause: {category}")
                }
                tazan_search::Reason::SharedTerms { terms } => {
                    format!("shared terms: {}", terms.join("、"))
                }
                #[allow(unreachable_patterns)]
                _ => String::new(),
            })
            .filter(|s| !s.is_empty())
            .collect();
        println!(
            "{:>2}. {:<5} {}\n      {}",
            i + 1,
            r,
            h.hit.title,
            why.join(" / ")
        );
    }
    Ok(())
}

/// The incident's own text, for matching only; it stays in this process.
pub(super) fn incident_similar(
    name: &str,
    id: Option<&str>,
    home: Option<PathBuf>,
    limit: usize,
    json: bool,
) -> Result<ExitCode> {
    // A file, or an incident in the vault; either way it stays in this process.
    let incident = &super::incidents::resolve(name, id, home.clone())?;
    let text = incident.similarity_text();
    if text.trim().is_empty() {
        bail!("incident {:?} has no text to match (system_name, impact, description, direct_cause are empty)", incident.id);
    }
    let index = open_index(home)?;
    let hits = index.similar(tazan_search::SimilarTo::Text(&text), limit)?;
    print_similar(&hits, json)?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn lesson_related(
    id: &str,
    home: Option<PathBuf>,
    limit: usize,
    json: bool,
) -> Result<ExitCode> {
    let index = open_index(home)?;
    let doc = match index.get(id)? {
        Some(d) => d,
        None => match index.get(&format!("catalog:{id}"))? {
            Some(d) => d,
            None => {
                let docs = index.all_docs()?;
                match docs.iter().position(|d| d.r#ref.as_deref() == Some(id)) {
                    Some(i) => docs[i].clone(),
                    None if id.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        // A prefix of a lesson id, as `lessons list` shows them.
                        let known: Vec<tazan_model::LessonId> =
                            docs.iter().filter_map(|d| d.id.parse().ok()).collect();
                        let full = tazan_model::LessonId::resolve(id, &known)?.to_string();
                        index.get(&full)?.with_context(|| {
                            format!("no lesson {full} in the library")
                        })?
                    }
                    None => bail!(
                        "no lesson {id:?} in the library (give a lesson id, 8 or more of its first hex characters, or a catalogue ref such as T7)"
                    ),
                }
            }
        },
    };
    let hits = index.similar(tazan_search::SimilarTo::Lesson(&doc), limit)?;
    print_similar(&hits, json)?;
    Ok(ExitCode::SUCCESS)
}
