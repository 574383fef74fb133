//! `tazan bench soak`: proof that acknowledged lessons survive faults.
//!
//! The demo federation (a cross hub, the finance and transport group hubs)
//! runs as `tazan hub serve` processes on fixed loopback ports. The three
//! member companies publish signed lessons (GREEN and AMBER, alternating)
//! over mutual TLS, retrying a batch until it is acknowledged, as a node's
//! outbox does. Meanwhile:
//!
//! - each hub tier is killed with SIGKILL `kills` times and restarted;
//! - the finance hub stays down for `outage` before its restart;
//! - a subscriber follows the transport hub through an in-process TCP proxy
//!   that cuts every connection mid-stream once per kill cycle, and resumes
//!   from its cursor;
//! - `idle` raw TCP connections that never start TLS are opened against the
//!   finance hub;
//! - the transport hub's data directory is a tmpfs (where this process may
//!   mount one), filled until the hub refuses publishing, then emptied: the
//!   hub must acknowledge again by itself.
//!
//! Then the load stops and the logs are read: every acknowledged lesson must
//! be in its group's log, and a GREEN one also at the cross hub and the other
//! group; no log and no subscriber may hold a lesson twice or skip a
//! sequence number.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tazan_model::{DisclosureLevel, Lesson, LessonId, MemberId, Payload};
use tazan_proto::pb::{self, publish_result::Outcome};
use tazan_trust::KeyPair;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::procs::{connect_within, free_port_range, log_faults, ProcessFederation, Tmpfs};
use crate::topology::Spec;

/// What [`soak`] does.
#[derive(Debug, Clone)]
pub struct SoakParams {
    /// SIGKILL cycles; each kills and restarts every hub once.
    pub kills: usize,
    /// How long the finance hub stays down in the outage.
    pub outage: Duration,
    /// Idle TCP connections opened against the finance hub.
    pub idle: usize,
    /// Lessons per publish call.
    pub batch: usize,
    /// Run the disk-full and recovery phase (needs a tmpfs mount).
    pub disk: bool,
    /// The `tazan` binary that serves the hubs.
    pub exe: PathBuf,
}

/// The figures.
#[derive(Debug, Clone, Serialize)]
pub struct SoakReport {
    /// Lessons acknowledged to a publisher.
    pub acknowledged: usize,
    /// Acknowledged lessons missing where they belong after the drain.
    pub lost: usize,
    /// Lesson ids held twice, summed over the three logs and the subscriber.
    pub duplicated: usize,
    /// Sequence numbers out of place, summed over the logs and the subscriber.
    pub gaps: usize,
    /// SIGKILLs dealt (all tiers).
    pub kills: usize,
    /// Connection cuts through the proxy.
    pub cuts: usize,
    /// Entries the subscriber behind the proxy received, in order.
    pub subscriber_entries: u64,
    /// Idle connections that were open during the load.
    pub idle_connections: usize,
    /// From filling the transport hub's disk to its first refusal (null: not run).
    pub disk_full_refused_s: Option<f64>,
    /// From freeing the space to the transport hub's next acknowledgement.
    pub disk_recovery_s: Option<f64>,
    /// Outage length, seconds.
    pub outage_s: f64,
    /// From the finance hub's restart after the outage to its next acknowledgement.
    pub outage_recovery_s: f64,
    /// Median time from a hub's restart until a client call succeeds.
    pub recovery_p50_s: f64,
    /// Longest of the same.
    pub recovery_max_s: f64,
    /// From the end of the load until every acknowledged lesson is everywhere it belongs.
    pub drain_s: f64,
    /// Slowest acknowledged publish call, ms (includes calls waiting on a restart).
    pub publish_max_ms: f64,
    /// Median acknowledged publish call, ms.
    pub publish_p50_ms: f64,
    /// What this run did not exercise, and why.
    pub skipped: Vec<String>,
}

impl SoakReport {
    /// No acknowledged lesson lost, none duplicated, no gap.
    pub fn holds(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.gaps == 0 && self.acknowledged > 0
    }
}

impl fmt::Display for SoakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "acknowledged        {:>10}", self.acknowledged)?;
        writeln!(f, "lost                {:>10}", self.lost)?;
        writeln!(f, "duplicated          {:>10}", self.duplicated)?;
        writeln!(f, "gaps                {:>10}", self.gaps)?;
        writeln!(
            f,
            "kill -9             {:>10}   recovery p50 {:.2} s, max {:.2} s",
            self.kills, self.recovery_p50_s, self.recovery_max_s
        )?;
        writeln!(
            f,
            "outage              {:>10.0} s  first ack {:.2} s after restart",
            self.outage_s, self.outage_recovery_s
        )?;
        writeln!(
            f,
            "proxy cuts          {:>10}   subscriber got {} entries in order",
            self.cuts, self.subscriber_entries
        )?;
        writeln!(f, "idle connections    {:>10}", self.idle_connections)?;
        if let (Some(full), Some(back)) = (self.disk_full_refused_s, self.disk_recovery_s) {
            writeln!(
                f,
                "disk full           refused after {full:.2} s, acknowledging {back:.2} s after space returned"
            )?;
        }
        writeln!(
            f,
            "publish call        p50 {:.1} ms, max {:.1} ms",
            self.publish_p50_ms, self.publish_max_ms
        )?;
        writeln!(f, "drain time          {:>10.2} s", self.drain_s)?;
        for s in &self.skipped {
            writeln!(f, "skipped: {s}")?;
        }
        write!(
            f,
            "{}",
            if self.holds() {
                "HOLDS: 0 lost, 0 duplicated, 0 gaps"
            } else {
                "FAILED"
            }
        )
    }
}

/// One acknowledged lesson.
#[derive(Debug, Clone)]
struct Acked {
    id: LessonId,
    group: &'static str,
    green: bool,
}

struct Load {
    stop: AtomicBool,
    acked: Mutex<Vec<Acked>>,
    call_ms: Mutex<Vec<f64>>,
    /// Failed publish calls of the finance and transport members.
    failed: [AtomicUsize; 2],
}

impl Load {
    fn acked_in(&self, group: &str) -> usize {
        self.acked
            .lock()
            .map(|a| a.iter().filter(|x| x.group == group).count())
            .unwrap_or(0)
    }
}

fn group_index(group: &str) -> usize {
    usize::from(group == "transport")
}

const LIMIT: Duration = Duration::from_secs(120);
const CALL_LIMIT: Duration = Duration::from_secs(10);
const MEMBERS: [(&str, &str); 3] = [
    ("sakura-bank", "finance"),
    ("kaede-securities", "finance"),
    ("tsubame-railway", "transport"),
];

/// Run the soak in a temporary directory.
pub async fn soak(p: SoakParams) -> Result<SoakReport> {
    raise_fd_limit();
    let dir = tempfile::Builder::new().prefix("tazan-soak-").tempdir()?;
    let base = free_port_range(3)?;
    let mut skipped = vec![
        "kill -9 of org nodes: members publish as in-process clients (an outbox that retries until acknowledged), not node processes".to_owned(),
    ];
    let disk = match Tmpfs::mount(&dir.path().join("transport/data"), "2g") {
        _ if !p.disk => {
            skipped.push("disk-full and recovery: --no-disk".to_owned());
            None
        }
        Ok(d) => Some(d),
        Err(why) => {
            skipped.push(format!("disk-full and recovery: {why}"));
            None
        }
    };
    let fed = Arc::new(tokio::sync::RwLock::new(ProcessFederation::start(
        &p.exe,
        dir.path(),
        &Spec::demo(),
        base,
        false,
    )?));
    let load = Arc::new(Load {
        stop: AtomicBool::new(false),
        acked: Mutex::new(Vec::new()),
        call_ms: Mutex::new(Vec::new()),
        failed: [AtomicUsize::new(0), AtomicUsize::new(0)],
    });
    let mut publishers = Vec::new();
    for (m, (member, group)) in MEMBERS.into_iter().enumerate() {
        let key = KeyPair::load(&dir.path().join(member).join("node.key"))?;
        let fed = fed.clone();
        let load = load.clone();
        let batch = p.batch.max(1);
        publishers.push(tokio::spawn(async move {
            publish_until_stopped(fed, load, member.parse()?, group, key, m, batch).await
        }));
    }

    // The subscriber behind the cutting proxy.
    let proxy = Proxy::start(&fed.read().await.group_addr("transport")?).await?;
    let (cursor_tx, cursor_rx) = watch::channel(0u64);
    let sub_faults = Arc::new(Mutex::new((0usize, 0usize)));
    let subscriber = {
        let fed = fed.clone();
        let via = proxy.addr.clone();
        let faults = sub_faults.clone();
        tokio::spawn(async move { subscribe_through(fed, via, cursor_tx, faults).await })
    };

    // Idle connections that never start TLS.
    let finance_addr = fed.read().await.group_addr("finance")?;
    let mut idle = Vec::new();
    for _ in 0..p.idle {
        match TcpStream::connect(&finance_addr).await {
            Ok(s) => idle.push(s),
            Err(_) => break,
        }
    }
    let idle_connections = idle.len();
    wait_acked(&load, 1).await?;

    // Kill cycles: every tier once per cycle, a proxy cut each time.
    let mut recoveries = Vec::new();
    let mut kills = 0;
    let mut cuts = 0;
    for cycle in 0..p.kills {
        for tier in ["finance", "transport", "cross"] {
            let before = load.acked.lock().map(|a| a.len()).unwrap_or(0);
            fed.write().await.hub_mut(tier)?.kill9()?;
            kills += 1;
            // Down for a moment while the load goes on (50..300 ms).
            tokio::time::sleep(Duration::from_millis(50 + (cycle as u64 * 83) % 250)).await;
            let restarted = Instant::now();
            fed.write().await.hub_mut(tier)?.restart()?;
            let f = fed.read().await;
            let (_, _) = connect_within(LIMIT, || async {
                let mut c = if tier == "cross" {
                    f.cross_client_as("finance").await?
                } else {
                    let member = if tier == "finance" {
                        "sakura-bank"
                    } else {
                        "tsubame-railway"
                    };
                    f.member_client(&member.parse()?, None).await?
                };
                c.info(pb::InfoRequest {}).await?;
                Ok(())
            })
            .await?;
            drop(f);
            recoveries.push(restarted.elapsed().as_secs_f64());
            proxy.cut();
            cuts += 1;
            // Some load between kills.
            wait_acked(&load, before + 1).await?;
        }
    }

    // Disk full at the transport hub, then space again.
    let (disk_full_refused_s, disk_recovery_s) = match &disk {
        Some(disk) => {
            let filler = dir.path().join("transport/data/filler");
            let failed_before = load.failed[1].load(Ordering::SeqCst);
            let filled = Instant::now();
            disk.fill(&filler)?;
            let deadline = Instant::now() + LIMIT;
            while load.failed[1].load(Ordering::SeqCst) == failed_before {
                if let Some(i) = publishers.iter().position(|t| t.is_finished()) {
                    let t = publishers.swap_remove(i);
                    t.await??;
                    bail!("a publisher stopped early");
                }
                if Instant::now() > deadline {
                    let mut f = fed.write().await;
                    let hub = f.hub_mut("transport")?;
                    bail!(
                        "the transport hub neither refused nor failed a publish within {LIMIT:?} of its disk filling up (running: {}); {}",
                        hub.is_running(),
                        hub.log_tail(8)
                    );
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let refused = filled.elapsed().as_secs_f64();
            let before = load.acked_in("transport");
            std::fs::remove_file(&filler)?;
            let freed = Instant::now();
            while load.acked_in("transport") <= before {
                if Instant::now() > deadline + LIMIT {
                    bail!("the transport hub did not acknowledge again within {LIMIT:?} of space returning");
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            (Some(refused), Some(freed.elapsed().as_secs_f64()))
        }
        None => (None, None),
    };

    // The outage.
    fed.write().await.hub_mut("finance")?.kill9()?;
    kills += 1;
    tokio::time::sleep(p.outage).await;
    let before = load.acked_in("finance");
    let restarted = Instant::now();
    fed.write().await.hub_mut("finance")?.restart()?;
    let deadline = Instant::now() + LIMIT;
    while load.acked_in("finance") <= before {
        if Instant::now() > deadline {
            bail!(
                "no finance lesson acknowledged within {LIMIT:?} of the restart after the outage"
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let outage_recovery_s = restarted.elapsed().as_secs_f64();
    drop(idle);

    // Stop the load; drain.
    load.stop.store(true, Ordering::SeqCst);
    for t in publishers {
        t.await??;
    }
    let acked = load.acked.lock().map(|a| a.clone()).unwrap_or_default();
    let f = fed.read().await;
    let (lost, drain_s, logs) = drain(&f, &acked).await?;
    let mut duplicated = 0;
    let mut gaps = 0;
    for log in &logs {
        let (d, g) = log_faults(log);
        duplicated += d;
        gaps += g;
    }
    // The subscriber must reach the transport hub's head, in order.
    let head = logs[1].len() as u64;
    let mut rx = cursor_rx;
    tokio::time::timeout(LIMIT, rx.wait_for(|c| *c >= head))
        .await
        .context("the subscriber behind the proxy did not reach the transport hub's head")??;
    let subscriber_entries = *rx.borrow();
    subscriber.abort();
    let (d, g) = sub_faults.lock().map(|x| *x).unwrap_or((1, 1));
    duplicated += d;
    gaps += g;
    drop(f);
    if let Ok(fed) = Arc::try_unwrap(fed) {
        fed.into_inner().stop()?;
    }

    let mut ms = load.call_ms.lock().map(|m| m.clone()).unwrap_or_default();
    ms.sort_by(f64::total_cmp);
    recoveries.sort_by(f64::total_cmp);
    Ok(SoakReport {
        acknowledged: acked.len(),
        lost,
        duplicated,
        gaps,
        kills,
        cuts,
        subscriber_entries,
        idle_connections,
        outage_s: p.outage.as_secs_f64(),
        outage_recovery_s,
        recovery_p50_s: recoveries.get(recoveries.len() / 2).copied().unwrap_or(0.0),
        recovery_max_s: recoveries.last().copied().unwrap_or(0.0),
        drain_s,
        publish_max_ms: ms.last().copied().unwrap_or(0.0),
        publish_p50_ms: ms.get(ms.len() / 2).copied().unwrap_or(0.0),
        disk_full_refused_s,
        disk_recovery_s,
        skipped,
    })
}

/// Wait until at least `n` lessons are acknowledged.
async fn wait_acked(load: &Load, n: usize) -> Result<()> {
    let deadline = Instant::now() + LIMIT;
    while load.acked.lock().map(|a| a.len()).unwrap_or(0) < n {
        if Instant::now() > deadline {
            bail!("the load acknowledged fewer than {n} lessons within {LIMIT:?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// Publish batches as `member` until told to stop; a batch is retried (on a
/// new connection) until every lesson in it is acknowledged.
async fn publish_until_stopped(
    fed: Arc<tokio::sync::RwLock<ProcessFederation>>,
    load: Arc<Load>,
    member: MemberId,
    group: &'static str,
    key: KeyPair,
    m: usize,
    batch: usize,
) -> Result<()> {
    let mut n = 0usize;
    let mut client = None;
    while !load.stop.load(Ordering::SeqCst) {
        let lessons: Vec<(tazan_model::Envelope, bool)> = (0..batch)
            .map(|_| {
                n += 1;
                let green = n.is_multiple_of(2);
                let level = if green {
                    DisclosureLevel::Green
                } else {
                    DisclosureLevel::Amber
                };
                let lesson = Lesson::example(&format!("耐久試験 {m}-{n}"), level);
                (key.sign(&Payload::Lesson(lesson)), green)
            })
            .collect();
        let req = pb::PublishRequest {
            envelopes: lessons.iter().map(|(e, _)| pb::Envelope::from(e)).collect(),
        };
        loop {
            if client.is_none() {
                let f = fed.read().await;
                client = f.member_client(&member, None).await.ok();
                if client.is_none() {
                    load.failed[group_index(group)].fetch_add(1, Ordering::SeqCst);
                }
            }
            let Some(c) = client.as_mut() else {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            let started = Instant::now();
            // A call the hub never answers counts as a failure, as in an outbox.
            let answer = tokio::time::timeout(CALL_LIMIT, c.publish(req.clone())).await;
            match answer
                .map_err(|_| tonic::Status::deadline_exceeded("no answer"))
                .and_then(|r| r)
            {
                Ok(resp) => {
                    let results = resp.into_inner().results;
                    let ok = results.len() == lessons.len()
                        && results.iter().all(|r| {
                            r.outcome == Outcome::Accepted as i32
                                || r.outcome == Outcome::Duplicate as i32
                        });
                    let retry_later = results.iter().any(|r| {
                        r.rejection
                            .as_ref()
                            .is_some_and(|j| j.code == tonic::Code::Unavailable as i32)
                    });
                    if retry_later {
                        // Storage unavailable, nothing stored: the whole batch
                        // again later (stored ones come back as duplicates).
                        load.failed[group_index(group)].fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                    if !ok {
                        bail!("{member}: a lesson was refused: {results:?}");
                    }
                    let ms = started.elapsed().as_secs_f64() * 1000.0;
                    if let Ok(mut v) = load.call_ms.lock() {
                        v.push(ms);
                    }
                    if let Ok(mut a) = load.acked.lock() {
                        a.extend(lessons.iter().map(|(e, green)| Acked {
                            id: e.id(),
                            group,
                            green: *green,
                        }));
                    }
                    break;
                }
                Err(_) => {
                    load.failed[group_index(group)].fetch_add(1, Ordering::SeqCst);
                    // Not acknowledged: the same batch again, on a new connection.
                    client = None;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }
    Ok(())
}

/// Read every log until each acknowledged lesson is where it belongs (or
/// the limit passes). Returns the missing count, the time it took, and the
/// final logs: finance, transport, cross.
async fn drain(
    fed: &ProcessFederation,
    acked: &[Acked],
) -> Result<(usize, f64, Vec<Vec<pb::LogEntry>>)> {
    let start = Instant::now();
    loop {
        let finance = read_log(fed, Some("sakura-bank")).await?;
        let transport = read_log(fed, Some("tsubame-railway")).await?;
        let cross = read_log(fed, None).await?;
        let ids = |log: &[pb::LogEntry]| -> HashSet<Vec<u8>> {
            log.iter().map(|e| e.lesson_id.clone()).collect()
        };
        let (fi, ti, ci) = (ids(&finance), ids(&transport), ids(&cross));
        let missing = acked
            .iter()
            .filter(|a| {
                let id = a.id.0.to_vec();
                let (own, other) = if a.group == "finance" {
                    (&fi, &ti)
                } else {
                    (&ti, &fi)
                };
                !own.contains(&id) || (a.green && (!ci.contains(&id) || !other.contains(&id)))
            })
            .count();
        if missing == 0 || start.elapsed() > LIMIT {
            return Ok((
                missing,
                start.elapsed().as_secs_f64(),
                vec![finance, transport, cross],
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A whole hub log: `member`'s group hub, or the cross hub (as finance's hub).
async fn read_log(fed: &ProcessFederation, member: Option<&str>) -> Result<Vec<pb::LogEntry>> {
    let mut c = match member {
        Some(m) => fed.member_client(&m.parse()?, None).await?,
        None => fed.cross_client_as("finance").await?,
    };
    Ok(tazan_proto::list_all(&mut c).await?)
}

/// Follow the transport hub through `via` from a cursor, resuming after
/// every cut; counts entries that repeat (seq ≤ cursor) or skip (seq > cursor + 1).
async fn subscribe_through(
    fed: Arc<tokio::sync::RwLock<ProcessFederation>>,
    via: String,
    cursor: watch::Sender<u64>,
    faults: Arc<Mutex<(usize, usize)>>,
) -> Result<()> {
    let member: MemberId = "tsubame-railway".parse()?;
    loop {
        let after = *cursor.borrow();
        let client = { fed.read().await.member_client(&member, Some(&via)).await };
        let Ok(mut client) = client else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let stream = client
            .subscribe(pb::SubscribeRequest {
                known_size: 0,
                after_seq: after,
                filter: None,
                follow: true,
            })
            .await;
        let Ok(stream) = stream else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let mut stream = stream.into_inner();
        while let Ok(Some(e)) = stream.message().await {
            let at = *cursor.borrow();
            if e.seq <= at {
                if let Ok(mut f) = faults.lock() {
                    f.0 += 1;
                }
                continue;
            }
            if e.seq != at + 1 {
                if let Ok(mut f) = faults.lock() {
                    f.1 += 1;
                }
            }
            cursor.send_replace(e.seq);
        }
    }
}

/// A TCP proxy that can cut every connection through it at once.
struct Proxy {
    addr: String,
    conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: &str) -> Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?.to_string();
        let conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let upstream = upstream.to_owned();
        let tracked = conns.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut down, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut up) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut down, &mut up).await;
                    }
                });
                if let Ok(mut c) = tracked.lock() {
                    c.retain(|h| !h.is_finished());
                    c.push(task.abort_handle());
                }
            }
        });
        Ok(Proxy {
            addr,
            conns,
            accept,
        })
    }

    /// Drop every connection through the proxy, mid-stream.
    fn cut(&self) {
        if let Ok(mut c) = self.conns.lock() {
            for h in c.drain(..) {
                h.abort();
            }
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

/// Raise the soft open-file limit to the hard one (1,000 idle sockets here).
fn raise_fd_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
}
