//! Listing and following lessons (publishing is in `review.rs`).

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde_json::json;
use tazan_admin::Reached;
use tazan_model::{LessonId, Payload};
use tazan_node::NodeConfig;
use tazan_proto::pb;

use super::{hex_id, hub_client, node_config, shutdown_signal, try_open_node, wire_levels};
use crate::cli::{LessonsCmd, SubscribeArgs};

pub(super) async fn lessons(cmd: LessonsCmd) -> Result<ExitCode> {
    match cmd {
        LessonsCmd::List { home, json } => lessons_list(&node_config(home.home)?, json).await,
        LessonsCmd::Show { id, home, json } => {
            lessons_show(&node_config(home.home)?, &id, json).await
        }
        LessonsCmd::Related {
            id,
            home,
            limit,
            json,
        } => super::library::lesson_related(&id, home.home, limit, json),
    }
}

fn entry_json(
    seq: u64,
    level: &str,
    origin: &str,
    group: &str,
    payload: &[u8],
    id: &str,
) -> serde_json::Value {
    match Payload::from_canonical_bytes(payload) {
        Ok(Payload::Lesson(l)) => {
            json!({"seq": seq, "id": id, "level": level, "origin": origin, "origin_group": group, "kind": "lesson", "lesson": l})
        }
        Ok(Payload::Withdrawal(w)) => {
            json!({"seq": seq, "id": id, "level": level, "origin": origin, "origin_group": group, "kind": "withdrawal", "withdrawal": w})
        }
        Ok(Payload::Response(r)) => {
            json!({"seq": seq, "id": id, "level": level, "origin": origin, "origin_group": group, "kind": "response", "response": r})
        }
        Ok(Payload::Collection(c)) => {
            json!({"seq": seq, "id": id, "level": level, "origin": origin, "origin_group": group, "kind": "collection", "collection": c})
        }
        Err(e) => json!({"seq": seq, "id": id, "error": e.to_string()}),
    }
}

fn entry_line(seq: u64, level: &str, origin: &str, group: &str, payload: &[u8]) -> String {
    let title = match Payload::from_canonical_bytes(payload) {
        Ok(Payload::Lesson(l)) => l.title,
        Ok(Payload::Withdrawal(w)) => format!("(withdrawal of {})", w.target.short()),
        Ok(Payload::Response(r)) => format!("({} on {})", r.what(), r.lesson.short()),
        Ok(Payload::Collection(c)) => {
            format!("(collection {} v{}: {})", c.name, c.version, c.title)
        }
        Err(e) => format!("(undecodable: {e})"),
    };
    format!(
        "{seq:>6}  {level:<5}  {:<28}  {title}",
        format!("{group}/{origin}")
    )
}

/// One entry of `tazan lessons list`: the library's own row (its withdrawn
/// mark and every group hub it came through).
type Row = tazan_node::LibraryRow;

fn row_line(r: &Row) -> String {
    let mark = if r.withdrawn { "  [withdrawn]" } else { "" };
    let line = entry_line(r.seq, &r.level, &r.origin, &r.group, &r.payload);
    // The short id after the sequence number: any 8 or more of its
    // characters name the lesson in other commands.
    let (seq, rest) = line.split_at(6);
    let via = tazan_node::received_via(&r.origins)
        .map(|v| format!("  [{v}]"))
        .unwrap_or_default();
    format!("{seq}  {}{rest}{mark}{via}", r.id.short())
}

fn row_json(r: &Row) -> serde_json::Value {
    let mut v = entry_json(
        r.seq,
        &r.level,
        &r.origin,
        &r.group,
        &r.payload,
        &r.id.to_string(),
    );
    v["short_id"] = json!(r.id.short());
    v["withdrawn"] = json!(r.withdrawn);
    if !r.origins.is_empty() {
        v["origins"] = json!(r.origins);
    }
    v
}

/// Every entry of the node's library, withdrawn lessons marked: from its
/// store when no node runs, else from the running node through its admin
/// socket; from its first group's hub only when the running node is too old
/// to answer (its hub's log: the other groups' lessons and the origins are
/// missing then).
async fn library_rows(cfg: &NodeConfig, command: &str) -> Result<Vec<Row>> {
    let reached = tazan_admin::reach(&cfg.data_dir, || try_open_node(cfg))
        .await
        .with_context(|| {
            format!(
                "`{command}` reads the node's library, which the running node holds, and its admin socket does not answer; \
                 check that the node is healthy (`tazan status`), or stop it (`tazan down`, or its service) to read its store"
            )
        })?;
    let mut admin = match reached {
        Reached::Stopped(core) => return Ok(tazan_node::library_rows(core.library())?),
        Reached::Running(admin) => admin,
    };
    match admin.library(pb::NodeLibraryRequest {}).await {
        Ok(library) => {
            return library
                .into_inner()
                .entries
                .into_iter()
                .enumerate()
                .map(|(i, e)| {
                    Row::from_pb(e).ok_or_else(|| {
                        anyhow::anyhow!(
                            "the running node sent library entry #{i} with a lesson_id that is not 32 bytes; \
                             is `tazan` the same version as the node (`tazan status`)?"
                        )
                    })
                })
                .collect();
        }
        // A node older than this command: ask its first group's hub.
        Err(s) if s.code() == tonic::Code::Unimplemented => {}
        Err(s) => bail!(
            "the running node did not give its library for `{command}`: {}",
            s.message()
        ),
    }
    hub_rows(cfg, command).await
}

/// The library as the node's first group hub's log holds it (no origins).
async fn hub_rows(cfg: &NodeConfig, command: &str) -> Result<Vec<Row>> {
    let mut client = hub_client(cfg).await.map_err(|e| {
        anyhow::anyhow!(
            "{e:#}. The running node is older than this `tazan` and cannot give its library, so `{command}` asks the hub, which is down. \
             What still works without the hub: `tazan search`, `trends` and `lessons related` (the node's own \
             index), the incident and draft commands, and `tazan lesson publish` (queued until the hub is back); \
             or stop the node (`tazan down`, or its service) to list its library from its store."
        )
    })?;
    let mut rows = Vec::new();
    for e in tazan_proto::list_all(&mut client).await? {
        let level = tazan_proto::level_from_pb(e.level)
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default();
        let Ok(id) = LessonId::try_from(e.lesson_id.as_slice()) else {
            continue;
        };
        rows.push(Row {
            seq: e.seq,
            id,
            level,
            origin: e.origin,
            group: e.origin_group,
            payload: e.envelope.unwrap_or_default().payload,
            withdrawn: false,
            origins: Vec::new(),
        });
    }
    let withdrawn: std::collections::HashSet<LessonId> = rows
        .iter()
        .filter_map(|r| match Payload::from_canonical_bytes(&r.payload) {
            Ok(Payload::Withdrawal(w)) => Some(w.target),
            _ => None,
        })
        .collect();
    for r in &mut rows {
        r.withdrawn = withdrawn.contains(&r.id);
    }
    Ok(rows)
}

/// A library row as the node library's view of it; `None` when its payload
/// does not decode.
fn log_item(r: Row) -> Option<tazan_node::LogItem> {
    Some(tazan_node::LogItem {
        seq: r.seq,
        id: r.id,
        level: r.level,
        origin: r.origin,
        group: r.group,
        payload: Payload::from_canonical_bytes(&r.payload).ok()?,
    })
}

/// Every decodable entry of the node's library (see [`library_rows`]).
pub(super) async fn library_items(
    cfg: &NodeConfig,
    command: &str,
) -> Result<Vec<tazan_node::LogItem>> {
    Ok(library_rows(cfg, command)
        .await?
        .into_iter()
        .filter_map(log_item)
        .collect())
}

async fn lessons_show(cfg: &NodeConfig, id: &str, json: bool) -> Result<ExitCode> {
    let rows = library_rows(cfg, "lessons show").await?;
    let origins: std::collections::HashMap<LessonId, Vec<tazan_store::Origin>> =
        rows.iter().map(|r| (r.id, r.origins.clone())).collect();
    let items: Vec<tazan_node::LogItem> = rows.into_iter().filter_map(log_item).collect();
    let mut shown = tazan_node::find_received(&items, id)?;
    shown.origins = origins.get(&shown.id).cloned().unwrap_or_default();
    if json {
        println!("{}", serde_json::to_string_pretty(&shown)?);
    } else {
        print!("{}", shown.to_text());
    }
    Ok(ExitCode::SUCCESS)
}

async fn lessons_list(cfg: &NodeConfig, json: bool) -> Result<ExitCode> {
    let rows = library_rows(cfg, "lessons list").await?;
    // Readers' feedback, questions and answers, and curated collections,
    // are not lessons: see `tazan feedback show`, `tazan question list` and
    // `tazan collections list`.
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| {
            !matches!(
                Payload::from_canonical_bytes(&r.payload),
                Ok(Payload::Response(_) | Payload::Collection(_))
            )
        })
        .collect();
    for row in &rows {
        if json {
            println!("{}", row_json(row));
        } else {
            println!("{}", row_line(row));
        }
    }
    if !json && rows.is_empty() {
        println!("(no lessons yet)");
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn subscribe(args: SubscribeArgs) -> Result<ExitCode> {
    let cfg = node_config(args.home.home)?;
    let levels = wire_levels(&args.levels)?;
    let mut client = hub_client(&cfg).await?;
    let mut stream = client
        .subscribe(pb::SubscribeRequest {
            known_size: 0,
            after_seq: args.after,
            filter: Some(pb::Filter {
                levels,
                ..Default::default()
            }),
            follow: args.follow,
        })
        .await?
        .into_inner();
    loop {
        let msg = tokio::select! {
            m = stream.message() => m?,
            _ = shutdown_signal() => None,
        };
        let Some(e) = msg else { break };
        let level = tazan_proto::level_from_pb(e.level)
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default();
        let env = e.envelope.unwrap_or_default();
        if args.json {
            println!(
                "{}",
                entry_json(
                    e.seq,
                    &level,
                    &e.origin,
                    &e.origin_group,
                    &env.payload,
                    &hex_id(&e.lesson_id)
                )
            );
        } else {
            println!(
                "{}",
                entry_line(e.seq, &level, &e.origin, &e.origin_group, &env.payload)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
