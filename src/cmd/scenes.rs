//! `tazan scenes list/propose/route`: the usage-scene vocabulary, scenes proposed for a
//! lesson or catalogue with their reasons, and where a situation is routed.

use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::json;
use tazan_model::scene::{route_situation, ProposedScene};
use tazan_model::{DisclosureLevel, Purpose};

use crate::cli::ScenesCmd;

pub(super) fn scenes(cmd: ScenesCmd) -> Result<ExitCode> {
    match cmd {
        ScenesCmd::List { home, json } => list(home.home, json),
        ScenesCmd::Propose { file, json } => propose(&file, json),
        ScenesCmd::Route { text, json } => {
            let route = route_situation(&text);
            if json {
                println!("{}", serde_json::to_string(&route)?);
            } else {
                match route {
                    Some(r) => println!(
                        "{}{}\n  words: {}",
                        r.purpose,
                        r.scene.map_or_else(String::new, |s| format!(" › {}", s.name())),
                        r.words.join("、")
                    ),
                    None => println!("(no purpose stands out; add what you want to do: 教育, 体制, 試験, 発注, 運用, 開発, 再発防止 …)"),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The vocabulary, with the library's counts when the node has an index.
fn list(home: Option<std::path::PathBuf>, json: bool) -> Result<ExitCode> {
    let home_dir = tazan::home::resolve(home.clone());
    let report = if tazan::library::index_dir(&home_dir)
        .join("meta.json")
        .exists()
        || home_dir.join("node.toml").exists()
    {
        Some(super::library::open_index(home)?.trends(&tazan_search::TrendOptions::default())?)
    } else {
        None
    };
    let count = |key: &str| -> Option<String> {
        let r = report.as_ref()?;
        let rows = if key.contains('/') {
            &r.by_scene
        } else {
            &r.by_purpose
        };
        Some(match rows.iter().find(|c| c.key == key) {
            Some(c) => c.count.map_or_else(|| "*".to_owned(), |n| n.to_string()),
            None => "0".to_owned(),
        })
    };
    if json {
        let purposes: Vec<serde_json::Value> = Purpose::ALL
            .iter()
            .map(|p| {
                let scenes: Vec<serde_json::Value> = p
                    .scenes()
                    .map(|s| json!({"scene": s, "name": s.name(), "about": s.about(), "lessons": count(s.label())}))
                    .collect();
                json!({"purpose": p, "about": p.about(), "lessons": count(p.as_str()), "scenes": scenes})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&purposes)?);
        return Ok(ExitCode::SUCCESS);
    }
    for p in Purpose::ALL {
        let n = count(p.as_str()).map_or_else(String::new, |n| format!("  [{n}]"));
        println!("{}  — {}{n}", p, p.about());
        for s in p.scenes() {
            let n = count(s.label()).map_or_else(String::new, |n| format!("  [{n}]"));
            println!("  {}/{}  — {}{n}", p, s.name(), s.about());
        }
    }
    if report.is_some() {
        println!("\n[n] = lessons in the library (* = fewer than 3, or hidden so totals cannot give one back)");
    }
    println!("browse: tazan search --purpose PURPOSE, or --scene SCENE (the name alone will do)");
    Ok(ExitCode::SUCCESS)
}

/// Proposals for a lesson file, or for each entry of a catalogue (`.jsonl`).
fn propose(file: &std::path::Path, json: bool) -> Result<ExitCode> {
    let is_catalogue = file
        .extension()
        .is_some_and(|e| e == "jsonl" || e == "ndjson");
    let mut out: Vec<(Option<String>, String, Vec<ProposedScene>)> = Vec::new();
    let mut failed = false;
    if is_catalogue {
        let read = tazan_search::load_catalog_lessons(file, DisclosureLevel::Clear)
            .with_context(|| format!("reading {}", file.display()))?;
        for e in &read.errors {
            eprintln!("{e}");
            failed = true;
        }
        for entry in read.lessons {
            let proposals = entry.lesson.propose_scenes();
            out.push((Some(entry.id), entry.lesson.title, proposals));
        }
    } else {
        let lesson = tazan_node::read_lesson_file(file)?;
        let proposals = lesson.propose_scenes();
        out.push((lesson.reference.clone(), lesson.title, proposals));
    }
    if json {
        let v: Vec<serde_json::Value> = out
            .iter()
            .map(|(r, t, p)| json!({"ref": r, "title": t, "scenes": p}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for (r, title, proposals) in &out {
            println!(
                "{}{title}",
                r.as_ref().map_or_else(String::new, |r| format!("{r} "))
            );
            for p in proposals {
                let why: Vec<String> = p
                    .reasons
                    .iter()
                    .map(|x| format!("{}「{}」", x.field, x.cue))
                    .collect();
                println!(
                    "  {:<40} {:>3}  {}",
                    p.scene.label(),
                    p.score,
                    why.join(" ")
                );
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
