//! One function per command; each returns the exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::json;
use tazan_hub::{HubConfig, RunningHub};
use tazan_model::{MemberId, Payload, Withdrawal};
use tazan_node::{NodeConfig, NodeCore, RunningNode};
use tazan_proto::pb::{self, hub_client::HubClient};
use tazan_trust::{
    CertificateAuthority, KeyPair, PublicKey, Role, Roster, RosterEntry, SignedRoster,
};

use crate::cli::{
    BenchCmd, CatalogCmd, Cli, Command, DigestFormat, EvalCmd, HubCmd, IncidentCmd, KeysCmd,
    LessonCmd, LessonsCmd, NodeCmd, Period, PkiCmd, RosterCmd, SearchArgs, SubscribeArgs,
    TopologyCmd, TrendFormat,
};

pub(crate) fn run(args: Cli) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(dispatch(args.command))
}

async fn dispatch(command: Command) -> Result<ExitCode> {
    match command {
        Command::Demo { keep } => demo(keep).await,
        Command::Hub(HubCmd::Serve { config, home }) => {
            hub_serve(&config.unwrap_or_else(|| tazan::home::resolve(home.home).join("hub.toml")))
                .await
        }
        Command::Node(NodeCmd::Serve { config, home }) => {
            node_serve(&config.unwrap_or_else(|| tazan::home::resolve(home.home).join("node.toml")))
                .await
        }
        Command::Keys(cmd) => keys(cmd),
        Command::Pki(cmd) => pki(cmd),
        Command::Roster(cmd) => roster(cmd),
        Command::Lesson(LessonCmd::Publish { file, home, json }) => {
            let lesson = tazan::lessonfile::read(&file)?;
            send(Payload::Lesson(lesson), &node_config(home.home)?, json).await
        }
        Command::Lesson(LessonCmd::Withdraw {
            id,
            reason,
            level,
            home,
            json,
        }) => {
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
        Command::Lessons(LessonsCmd::List { home, json }) => {
            lessons_list(&node_config(home.home)?, json).await
        }
        Command::Subscribe(args) => subscribe(args).await,
        Command::Topology(TopologyCmd::Create {
            dir,
            cross_port,
            group_port,
        }) => {
            if dir.exists() && std::fs::read_dir(&dir)?.next().is_some() {
                bail!("{} is not empty; choose a new directory", dir.display());
            }
            let layout = tazan::topology::create(
                &dir,
                &tazan::topology::Spec::demo(),
                tazan::topology::Ports {
                    cross: cross_port,
                    first_group: group_port,
                },
            )?;
            println!(
                "cross hub:  tazan hub serve --config {}",
                layout.cross.display()
            );
            for (name, path) in &layout.groups {
                println!("{name:<10}  tazan hub serve --config {}", path.display());
            }
            for (id, _, path) in &layout.nodes {
                println!(
                    "{:<10}  tazan node serve --config {}",
                    id.as_str(),
                    path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Incident(IncidentCmd::Similar {
            file,
            id,
            home,
            limit,
            json,
        }) => incident_similar(&file, id.as_deref(), home.home, limit, json),
        Command::Lessons(LessonsCmd::Related {
            id,
            home,
            limit,
            json,
        }) => lesson_related(&id, home.home, limit, json),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "tazan", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Search(args) if args.hub => search_hub(args).await,
        Command::Search(args) => search(args),
        Command::Catalog(CatalogCmd::Import { file, home }) => {
            let home = tazan::home::resolve(home.home);
            let n = tazan::library::import_catalog(&home, &file)?;
            println!(
                "imported {n} catalogue lessons into {}",
                tazan::library::index_dir(&home).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Catalog(CatalogCmd::Export { home, out }) => {
            let text = tazan::library::export_catalog(&tazan::home::resolve(home.home))?;
            match out {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Trends {
            home,
            format,
            period,
        } => trends(home.home, format, period),
        Command::Digest {
            since,
            home,
            format,
        } => digest(&since, home.home, format),
        Command::Sanitize {
            input,
            output,
            policy,
            level,
        } => {
            let policy = match policy {
                Some(p) => tazan_sanitize::Policy::load(&p)?,
                None => tazan_sanitize::Policy::builtin(),
            };
            let level: tazan_sanitize::DisclosureLevel = level.parse().context("--level")?;
            let summary = tazan_sanitize::sanitize_jsonl(&input, &output, &policy, level)?;
            eprintln!("{summary:?}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval(EvalCmd::Sanitize {
            output,
            annotations,
            json,
        }) => {
            let report = tazan_sanitize::evaluate(&output, &annotations)?;
            print_report(&report, json)
        }
        Command::Eval(EvalCmd::Search {
            catalog,
            scenarios,
            json,
        }) => {
            let index = tazan_search::SearchIndex::in_ram()?;
            for doc in tazan_search::load_catalog(&catalog)? {
                index.upsert(&doc)?;
            }
            index.commit()?;
            let report = tazan_search::evaluate(&index, &scenarios)?;
            print_report(&report, json)
        }
        Command::Bench(BenchCmd::Search {
            docs,
            queries,
            seed,
            dir,
            json,
        }) => {
            let tmp = tempfile::Builder::new()
                .prefix("tazan-bench-search-")
                .tempdir()?;
            let dir = dir.unwrap_or_else(|| tmp.path().to_owned());
            let report = tokio::task::spawn_blocking(move || {
                tazan_search::bench(docs, queries, seed, Some(&dir))
            })
            .await
            .context("search benchmark task")??;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!("{}", serde_json::to_string_pretty(&report)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCmd::Federation {
            json,
            ingest_lessons,
            latency_lessons,
            rate,
            hub_search,
        }) => {
            let report = tazan::bench::federation(tazan::bench::FederationParams {
                ingest_lessons,
                latency_lessons,
                rate,
                hub_search,
            })
            .await?;
            print_report(&report, json)
        }
    }
}

async fn demo(keep: Option<PathBuf>) -> Result<ExitCode> {
    let tmp;
    let dir = match keep {
        Some(dir) => {
            if dir.exists() && std::fs::read_dir(&dir)?.next().is_some() {
                bail!(
                    "{} is not empty; choose a new directory for --keep",
                    dir.display()
                );
            }
            dir
        }
        None => {
            tmp = tempfile::Builder::new().prefix("tazan-demo-").tempdir()?;
            tmp.path().to_owned()
        }
    };
    let mut out = std::io::stdout();
    let ok = tazan::demo::run(&dir, &mut out).await?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received; draining");
}

async fn hub_serve(config: &Path) -> Result<ExitCode> {
    let cfg = HubConfig::load(config)?;
    let hub = RunningHub::start(cfg).await?;
    // A line on stdout that supervisors and tests can wait for.
    println!("listening on {}", hub.addr());
    hub.run_until(shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn node_serve(config: &Path) -> Result<ExitCode> {
    let cfg = NodeConfig::load(config)?;
    let node = RunningNode::start(cfg).await?;
    println!("node {} running", node.core().id());
    shutdown_signal().await;
    node.stop().await?;
    Ok(ExitCode::SUCCESS)
}

fn keys(cmd: KeysCmd) -> Result<ExitCode> {
    match cmd {
        KeysCmd::Generate { home, out } => {
            let path = out.unwrap_or_else(|| tazan::home::resolve(home.home).join("node.key"));
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            let key = KeyPair::generate();
            key.save(&path)?;
            println!("{}  {}  {}", key.key_id(), key.public(), path.display());
        }
        KeysCmd::Show { file, json } => {
            let key = KeyPair::load(&file)?;
            if json {
                println!(
                    "{}",
                    json!({"key_id": key.key_id().to_string(), "public_key": key.public().to_string()})
                );
            } else {
                println!("key id:     {}\npublic key: {}", key.key_id(), key.public());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn pki(cmd: PkiCmd) -> Result<ExitCode> {
    match cmd {
        PkiCmd::Init { dir, name } => {
            let ca = CertificateAuthority::create(&name)?;
            ca.save(&dir)?;
            println!("created CA `{name}` in {}", dir.display());
        }
        PkiCmd::Issue { ca, id, out, stem } => {
            let id: MemberId = id.parse().context("--id")?;
            let ca = CertificateAuthority::load(&ca)?;
            ca.issue(&id)?.save(&out, &stem)?;
            std::fs::write(out.join("ca.pem"), ca.cert_pem())
                .with_context(|| format!("writing {}", out.join("ca.pem").display()))?;
            println!(
                "issued {stem}.pem and {stem}.key for `{id}` in {}",
                out.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn roster(cmd: RosterCmd) -> Result<ExitCode> {
    match cmd {
        RosterCmd::Init {
            group,
            admin_key,
            out,
        } => {
            let admin = KeyPair::load(&admin_key)?;
            let roster = Roster::new(group.parse().context("--group")?, admin.public());
            roster.sign(&admin)?.save(&out)?;
            println!("created roster for `{group}` in {}", out.display());
        }
        RosterCmd::Add {
            roster,
            admin_key,
            id,
            name,
            key,
            roles,
        } => {
            let key: PublicKey = key.parse().context("--key")?;
            let roles = roles
                .iter()
                .map(|r| parse_role(r))
                .collect::<Result<Vec<_>>>()?;
            let member: MemberId = id.parse().context("--id")?;
            let serial = edit_roster(&roster, &admin_key, |r| {
                r.add(RosterEntry::new(
                    member,
                    name,
                    key,
                    tazan_trust::now_unix(),
                    roles,
                ))?;
                Ok(())
            })?;
            println!("added `{id}`; roster serial is now {serial}");
        }
        RosterCmd::Revoke {
            roster,
            admin_key,
            id,
        } => {
            let member: MemberId = id.parse().context("--id")?;
            let serial = edit_roster(&roster, &admin_key, |r| {
                r.revoke(&member, tazan_trust::now_unix())?;
                Ok(())
            })?;
            println!("revoked `{id}`; roster serial is now {serial}");
        }
        RosterCmd::Show { roster, json } => {
            let signed = SignedRoster::load(&roster)?;
            let r = signed.verify()?;
            if json {
                println!("{}", serde_json::to_string_pretty(r)?);
            } else {
                println!(
                    "group {}  serial {}  admin key {}",
                    r.group,
                    r.serial,
                    r.admin_key.key_id()
                );
                for m in &r.members {
                    let roles: Vec<&str> = m.roles.iter().map(|r| r.as_str()).collect();
                    println!(
                        "  {:<20} {:<8?} {:<24} {}",
                        m.id.as_str(),
                        m.status,
                        roles.join(","),
                        m.display_name
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_role(s: &str) -> Result<Role> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "publisher" => Role::Publisher,
        "subscriber" => Role::Subscriber,
        "hub" => Role::Hub,
        "admin" => Role::Admin,
        other => bail!("--role {other:?}: expected publisher, subscriber, hub or admin"),
    })
}

fn node_config(home: Option<PathBuf>) -> Result<NodeConfig> {
    let home = tazan::home::resolve(home);
    let path = home.join("node.toml");
    if !path.exists() {
        bail!(
            "no node.toml in {}; pass --home DIR (or set TAZAN_HOME) to a node's directory, e.g. one made by `tazan topology create`",
            home.display()
        );
    }
    Ok(NodeConfig::load(&path)?)
}

async fn hub_client(cfg: &NodeConfig) -> Result<HubClient<tonic::transport::Channel>> {
    let ch = tazan_proto::endpoint(&cfg.hub_endpoint, cfg.hub_name.as_str(), &cfg.tls)?
        .connect()
        .await
        .with_context(|| format!("connecting to the hub at {}", cfg.hub_endpoint))?;
    Ok(HubClient::new(ch))
}

/// Open the node's store; `Ok(None)` when a running node holds it.
fn try_open_node(cfg: &NodeConfig) -> Result<Option<std::sync::Arc<NodeCore>>> {
    let key = KeyPair::load(&cfg.key)?;
    match NodeCore::open(cfg.id.clone(), key, &cfg.data_dir) {
        Ok(core) => Ok(Some(core)),
        // sled refuses a second opener with "could not acquire lock".
        Err(tazan_node::NodeError::Store(tazan_store::StoreError::Open { source, .. }))
            if source.to_string().contains("lock") =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Sign and queue a lesson or withdrawal, then try to deliver it at once.
async fn send(payload: Payload, cfg: &NodeConfig, json: bool) -> Result<ExitCode> {
    payload.validate()?;
    if !payload.level().may_reach_group() {
        return Err(tazan_node::NodeError::Red.into());
    }
    let Some(core) = try_open_node(cfg)? else {
        // The node is running: hand the signed lesson to it.
        let envelope = KeyPair::load(&cfg.key)?.sign(&payload);
        let path = tazan_node::Spool::new(cfg.spool_dir.clone()).put(&envelope)?;
        if json {
            println!(
                "{}",
                json!({"id": envelope.id().to_string(), "status": "spooled"})
            );
        } else {
            println!(
                "{}  handed to the running node ({})",
                envelope.id(),
                path.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
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
    if json {
        println!(
            "{}",
            json!({"id": id.to_string(), "status": status, "reason": reason})
        );
    } else {
        match status {
            "queued" => println!(
                "{id}  queued in the outbox; `tazan node serve` delivers it when the hub answers"
            ),
            "rejected" => println!("{id}  rejected by the hub: {}", reason.unwrap_or_default()),
            s => println!("{id}  {s} by the hub"),
        }
    }
    Ok(if status == "rejected" {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
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
            let mut after = 0;
            loop {
                let page = client
                    .list(pb::ListRequest {
                        after_seq: after,
                        limit: 1000,
                        filter: None,
                    })
                    .await?
                    .into_inner();
                if page.entries.is_empty() {
                    break;
                }
                after = page.next_after_seq;
                for e in page.entries {
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

/// `--level` values as wire levels, naming the flag when one is not a TLP word.
fn wire_levels(levels: &[String]) -> Result<Vec<i32>> {
    levels
        .iter()
        .map(|l| {
            l.parse::<tazan_model::DisclosureLevel>()
                .map(|l| pb::Level::from(l) as i32)
        })
        .collect::<Result<Vec<_>, _>>()
        .context("--level")
}

fn hex_id(bytes: &[u8]) -> String {
    tazan_model::LessonId::try_from(bytes)
        .map(|i| i.to_string())
        .unwrap_or_default()
}

async fn subscribe(args: SubscribeArgs) -> Result<ExitCode> {
    let cfg = node_config(args.home.home)?;
    let levels = wire_levels(&args.levels)?;
    let mut client = hub_client(&cfg).await?;
    let mut stream = client
        .subscribe(pb::SubscribeRequest {
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

fn open_index(home: Option<PathBuf>) -> Result<tazan_search::SearchIndex> {
    let home = tazan::home::resolve(home);
    let index = tazan_search::SearchIndex::open(&tazan::library::index_dir(&home))?;
    // Bring received lessons in when the node is not running (a running
    // node's store is locked; the index then holds what was last synced).
    let node_toml = home.join("node.toml");
    if node_toml.exists() {
        let cfg = NodeConfig::load(&node_toml)?;
        if let Some(core) = try_open_node(&cfg)? {
            tazan::library::sync(&index, core.library())?;
        }
    }
    Ok(index)
}

fn search(args: SearchArgs) -> Result<ExitCode> {
    let index = open_index(args.home.home)?;
    let req = tazan_search::SearchRequest {
        query: args.query,
        filters: tazan_search::Filters {
            levels: args.levels.iter().map(|l| l.to_ascii_uppercase()).collect(),
            industries: args.industries,
            domain: args.domain,
            cause_categories: args.causes,
            scenes: args.scenes,
            period_from: args.from,
            period_to: args.to,
        },
        limit: args.limit,
    };
    let hits = index.search(&req)?;
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

async fn search_hub(args: SearchArgs) -> Result<ExitCode> {
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
            scenes: args.scenes,
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

fn trends(home: Option<PathBuf>, format: TrendFormat, period: Period) -> Result<ExitCode> {
    let index = open_index(home)?;
    let docs = index.all_docs()?;
    let granularity = match period {
        Period::Month => tazan_search::Granularity::Month,
        Period::Half => tazan_search::Granularity::HalfYear,
    };
    let report = tazan_search::trends(&docs, granularity);
    match format {
        TrendFormat::Text => print!("{}", report.to_text_table()),
        TrendFormat::Csv => print!("{}", report.to_csv()),
        TrendFormat::Svg => print!("{}", report.to_svg()),
        TrendFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(ExitCode::SUCCESS)
}

fn digest(since: &str, home: Option<PathBuf>, format: DigestFormat) -> Result<ExitCode> {
    let b = since.as_bytes();
    let valid = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && since[..4].bytes().all(|c| c.is_ascii_digit());
    if !valid {
        bail!("--since {since:?}: expected an ISO 8601 date such as 2026-11-01");
    }
    let index = open_index(home)?;
    // Only lessons received by this node carry a date; catalogue entries are not "new".
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

fn print_similar(hits: &[tazan_search::SimilarHit], json: bool) -> Result<()> {
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
fn incident_text(i: &tazan_sanitize::Incident) -> String {
    let mut parts: Vec<&str> = [
        &i.system_name,
        &i.impact,
        &i.description,
        &i.direct_cause,
        &i.cause_summary,
        &i.impact_scope,
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect();
    parts.extend(i.symptoms.iter().map(String::as_str));
    parts.extend(i.failure_sequence.iter().map(String::as_str));
    parts.join("\n")
}

fn incident_similar(
    file: &Path,
    id: Option<&str>,
    home: Option<PathBuf>,
    limit: usize,
    json: bool,
) -> Result<ExitCode> {
    let parsed = tazan_sanitize::read_incidents(file)?;
    for e in &parsed.errors {
        eprintln!("warning: {e}");
    }
    let incident = match id {
        Some(want) => parsed
            .records
            .iter()
            .map(|(_, i)| i)
            .find(|i| i.id == want)
            .with_context(|| format!("no incident with id {want:?} in {}", file.display()))?,
        None => parsed
            .records
            .first()
            .map(|(_, i)| i)
            .with_context(|| format!("{} holds no readable incident", file.display()))?,
    };
    let text = incident_text(incident);
    if text.trim().is_empty() {
        bail!("incident {:?} has no text to match (system_name, impact, description, direct_cause are empty)", incident.id);
    }
    let index = open_index(home)?;
    let hits = index.similar(tazan_search::SimilarTo::Text(&text), limit)?;
    print_similar(&hits, json)?;
    Ok(ExitCode::SUCCESS)
}

fn lesson_related(id: &str, home: Option<PathBuf>, limit: usize, json: bool) -> Result<ExitCode> {
    let index = open_index(home)?;
    let doc = match index.get(id)? {
        Some(d) => d,
        None => index
            .get(&format!("catalog:{id}"))?
            .or_else(|| {
                index
                    .all_docs()
                    .ok()?
                    .into_iter()
                    .find(|d| d.r#ref.as_deref() == Some(id))
            })
            .with_context(|| {
                format!("no lesson {id:?} in the library (give a lesson id or a catalogue ref)")
            })?,
    };
    let hits = index.similar(tazan_search::SimilarTo::Lesson(&doc), limit)?;
    print_similar(&hits, json)?;
    Ok(ExitCode::SUCCESS)
}

/// A report as one JSON object, or as its human-readable table.
fn print_report<T: serde::Serialize + std::fmt::Display>(
    report: &T,
    json: bool,
) -> Result<ExitCode> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        println!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Load a roster, check it is signed by `admin_key`, apply `edit`, bump the
/// serial and save it re-signed. Returns the new serial.
fn edit_roster(
    roster: &Path,
    admin_key: &Path,
    edit: impl FnOnce(&mut Roster) -> Result<()>,
) -> Result<u64> {
    let admin = KeyPair::load(admin_key)?;
    let signed = SignedRoster::load(roster)?;
    let mut r = signed.verify_pinned(&admin.public())?.clone();
    edit(&mut r)?;
    r.serial += 1;
    r.issued_at = tazan_trust::now_unix();
    let serial = r.serial;
    // The roster file is meant to be replaced (atomically, by SignedRoster::save).
    r.sign(&admin)?.save(roster)?;
    Ok(serial)
}
