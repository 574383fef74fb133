//! Listing and following lessons (publishing is in `review.rs`).

use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;
use tazan_model::Payload;
use tazan_node::NodeConfig;
use tazan_proto::pb;

use super::{hex_id, hub_client, node_config, shutdown_signal, try_open_node, wire_levels};
use crate::cli::{LessonsCmd, SubscribeArgs};

pub(super) async fn lessons(cmd: LessonsCmd) -> Result<ExitCode> {
    match cmd {
        LessonsCmd::List { home, json } => lessons_list(&node_config(home.home)?, json).await,
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
        Err(e) => json!({"seq": seq, "id": id, "error": e.to_string()}),
    }
}

fn entry_line(seq: u64, level: &str, origin: &str, group: &str, payload: &[u8]) -> String {
    let title = match Payload::from_canonical_bytes(payload) {
        Ok(Payload::Lesson(l)) => l.title,
        Ok(Payload::Withdrawal(w)) => format!("(withdrawal of {})", w.target.short()),
        Err(e) => format!("(undecodable: {e})"),
    };
    format!(
        "{seq:>6}  {level:<5}  {:<28}  {title}",
        format!("{group}/{origin}")
    )
}

async fn lessons_list(cfg: &NodeConfig, json: bool) -> Result<ExitCode> {
    let rows: Vec<(u64, String, String, String, Vec<u8>, String)> = match try_open_node(cfg)? {
        Some(core) => core
            .library()
            .all()?
            .into_iter()
            .map(|e| {
                (
                    e.hub_seq,
                    e.level.as_str().to_owned(),
                    e.origin,
                    e.origin_group,
                    e.envelope.payload,
                    e.id.to_string(),
                )
            })
            .collect(),
        None => {
            // The node is running and holds its store: ask the hub instead.
            let mut client = hub_client(cfg).await?;
            let mut rows = Vec::new();
            for e in tazan_proto::list_all(&mut client).await? {
                let level = tazan_proto::level_from_pb(e.level)
                    .map(|l| l.as_str().to_owned())
                    .unwrap_or_default();
                let env = e.envelope.unwrap_or_default();
                rows.push((
                    e.seq,
                    level,
                    e.origin,
                    e.origin_group,
                    env.payload,
                    hex_id(&e.lesson_id),
                ));
            }
            rows
        }
    };
    for (seq, level, origin, group, payload, id) in &rows {
        if json {
            println!("{}", entry_json(*seq, level, origin, group, payload, id));
        } else {
            println!("{}", entry_line(*seq, level, origin, group, payload));
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
