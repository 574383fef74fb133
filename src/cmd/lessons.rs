//! Publishing, withdrawing, listing and following lessons.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::json;
use tazan_model::{Payload, Withdrawal};
use tazan_node::NodeConfig;
use tazan_proto::pb;
use tazan_trust::KeyPair;

use super::{hex_id, hub_client, node_config, shutdown_signal, try_open_node, wire_levels};
use crate::cli::{LessonCmd, LessonsCmd, SubscribeArgs};

pub(super) async fn lesson(cmd: LessonCmd) -> Result<ExitCode> {
    match cmd {
        LessonCmd::Publish { file, home, json } => {
            let lesson = tazan::lessonfile::read(&file)?;
            let cfg = node_config(home.home.clone())?;
            super::review::refuse_leaks(&lesson, &file.display().to_string(), home.home)?;
            send(Payload::Lesson(lesson), &cfg, json).await
        }
        LessonCmd::Withdraw {
            id,
            reason,
            level,
            home,
            json,
        } => {
            let withdrawal = Withdrawal {
                target: id.parse().context("lesson id")?,
                reason,
                level: level.parse().context("--level")?,
            };
            send(
                Payload::Withdrawal(withdrawal),
                &node_config(home.home)?,
                json,
            )
            .await
        }
        other => super::review::lesson(other).await,
    }
}

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

/// What became of a signed lesson or withdrawal handed to the node.
pub(super) struct Sent {
    /// The lesson (or withdrawal) id.
    pub(super) id: String,
    /// `spooled` (the running node has it), `queued` (in the outbox),
    /// `accepted`, `duplicate` or `rejected` (by the hub, just now).
    pub(super) status: &'static str,
    /// The hub's reason when rejected.
    pub(super) reason: Option<String>,
    /// The spool file when spooled.
    spool: Option<std::path::PathBuf>,
}

/// Sign and queue a lesson or withdrawal, then try to deliver it at once.
async fn send(payload: Payload, cfg: &NodeConfig, json: bool) -> Result<ExitCode> {
    let sent = sign_and_queue(payload, cfg).await?;
    print_sent(&sent, json);
    Ok(if sent.status == "rejected" {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints the outcome of [`sign_and_queue`] as `tazan lesson publish` does.
pub(super) fn print_sent(sent: &Sent, json: bool) {
    let id = &sent.id;
    if json {
        println!(
            "{}",
            json!({"id": id, "status": sent.status, "reason": sent.reason})
        );
        return;
    }
    match sent.status {
        "spooled" => println!(
            "{id}  handed to the running node ({})",
            sent.spool
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
        "queued" => println!(
            "{id}  queued in the outbox; `tazan node serve` delivers it when the hub answers"
        ),
        "rejected" => println!(
            "{id}  rejected by the hub: {}",
            sent.reason.as_deref().unwrap_or_default()
        ),
        s => println!("{id}  {s} by the hub"),
    }
}

/// Sign and queue: hand the signed payload to a running node through its
/// spool, or put it in the node's outbox and try to deliver it at once.
pub(super) async fn sign_and_queue(payload: Payload, cfg: &NodeConfig) -> Result<Sent> {
    payload.validate()?;
    if !payload.level().may_reach_group() {
        return Err(tazan_node::NodeError::Red.into());
    }
    let Some(core) = try_open_node(cfg)? else {
        // The node is running: hand the signed lesson to it.
        let envelope = KeyPair::load(&cfg.key)?.sign(&payload);
        let path = tazan_node::Spool::new(cfg.spool_dir.clone()).put(&envelope)?;
        return Ok(Sent {
            id: envelope.id().to_string(),
            status: "spooled",
            reason: None,
            spool: Some(path),
        });
    };
    let id = match payload {
        Payload::Lesson(lesson) => core.publish(lesson).await?,
        Payload::Withdrawal(w) => core.withdraw(w).await?,
    };
    let delivered = match hub_client(cfg).await {
        Ok(mut client) => {
            match tokio::time::timeout(Duration::from_secs(15), core.deliver(&mut client)).await {
                Ok(Ok(report)) => Some(report),
                Ok(Err(e)) => {
                    eprintln!("warning: delivery failed: {e}");
                    None
                }
                Err(_) => None,
            }
        }
        Err(e) => {
            eprintln!("warning: {e:#}");
            None
        }
    };
    core.store().flush_blocking()?;
    let (status, reason) = match &delivered {
        Some(r) if r.accepted.contains(&id) => ("accepted", None),
        Some(r) if r.duplicates.contains(&id) => ("duplicate", None),
        Some(r) => match r.rejected.iter().find(|(x, _)| *x == id) {
            Some((_, why)) => ("rejected", Some(why.clone())),
            None => ("queued", None),
        },
        None => ("queued", None),
    };
    Ok(Sent {
        id: id.to_string(),
        status,
        reason,
        spool: None,
    })
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
