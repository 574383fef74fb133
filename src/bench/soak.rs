//! `tazan bench soak`: proof that acknowledged lessons survive faults.
//!
//! The demo federation (a cross hub, the finance and transport group hubs)
//! runs as `tazan hub serve` processes (without their web portal) on fixed
//! loopback ports. The three member companies publish signed lessons (GREEN
//! and AMBER, alternating): two as in-process clients over mutual TLS,
//! retrying a batch until it is acknowledged, as a node's outbox does; the
//! third through its own org node process. Meanwhile:
//!
//! - each hub tier is killed with SIGKILL `kills` times and restarted, and
//!   so is the org node tier: one member (`kaede-securities`) publishes
//!   through a real `tazan node serve` process (its own sled store and
//!   outbox), handing its signed lessons to the node's admin socket; what
//!   the outbox acknowledged must reach the hubs and the subscriber;
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
use std::path::{Path, PathBuf};
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

use crate::procs::{
    connect_within, free_port_range, log_faults, raise_fd_limit, without_table, FederationClients,
    HubProcess, HubServices, ProcessFederation, Tmpfs,
};
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
    /// Lessons per second all members publish together (0: unpaced).
    pub rate: u64,
    /// Run the disk-full and recovery phase (needs a tmpfs mount).
    pub disk: bool,
    /// Size of the tmpfs the disk-full phase fills, MiB.
    pub disk_mib: u64,
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
    /// The transport hub's data directory after each kill cycle (and at
    /// the end of the load): how big it is against what it holds.
    pub transport_store: Vec<StoreSize>,
    /// Kills and recoveries per tier (cross, finance, transport hubs and
    /// the org node).
    pub tiers: Vec<TierFigures>,
    /// What the org node's outbox acknowledged against what reached the
    /// hubs and the subscriber.
    pub node: NodeFigures,
    /// What this run did not exercise, and why.
    pub skipped: Vec<String>,
}

/// SIGKILLs of one tier and how long it took to answer again.
#[derive(Debug, Clone, Serialize)]
pub struct TierFigures {
    /// `cross hub`, `finance hub`, `transport hub`, `org node`.
    pub tier: String,
    /// SIGKILLs of it.
    pub kills: usize,
    /// Median time from its restart until it answered a call.
    pub recovery_p50_s: f64,
    /// Longest of the same.
    pub recovery_max_s: f64,
}

/// The org node's lessons: acknowledged by its outbox (queued durably,
/// answered through its admin socket) against where they arrived.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NodeFigures {
    /// Lessons the node's outbox acknowledged.
    pub acknowledged: usize,
    /// Of those, GREEN (relayed to the cross hub and the transport group).
    pub green: usize,
    /// Acknowledged lessons missing at the finance hub, or (GREEN) at the
    /// cross or transport hub, or at the subscriber.
    pub lost: usize,
    /// Log entries of its lessons beyond the first, over the three logs.
    pub duplicated: usize,
    /// Its GREEN lessons the subscriber behind the proxy received.
    pub subscriber_green: usize,
    /// Submit calls that failed (node down or restarting) and were retried.
    pub failed_calls: usize,
}

/// A hub's data directory at one moment of the soak.
#[derive(Debug, Clone, Serialize)]
pub struct StoreSize {
    /// When: `cycle N`, `end of load`.
    pub at: String,
    /// Entries in the hub's log then.
    pub entries: u64,
    /// Bytes the directory occupies (allocated blocks), in all.
    pub bytes: u64,
    /// The same per top-level file or directory, largest first.
    pub parts: Vec<(String, u64)>,
}

impl fmt::Display for StoreSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
        write!(
            f,
            "{:<12} {:>9} entries {:>9.1} MiB ({:>6.0} B/entry)",
            self.at,
            self.entries,
            mib(self.bytes),
            self.bytes as f64 / self.entries.max(1) as f64
        )?;
        for (name, b) in self.parts.iter().take(4) {
            write!(f, "  {name} {:.1}", mib(*b))?;
        }
        Ok(())
    }
}

impl StoreSize {
    /// Measure `dir` (a hub's data directory) holding `entries`.
    fn measure(at: String, dir: &Path, entries: u64) -> StoreSize {
        let mut parts: Vec<(String, u64)> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    disk_usage(&e.path()),
                )
            })
            .collect();
        parts.sort_by_key(|p| std::cmp::Reverse(p.1));
        StoreSize {
            at,
            entries,
            bytes: parts.iter().map(|p| p.1).sum(),
            parts,
        }
    }
}

/// Bytes allocated to `path` and everything under it (not the apparent
/// length: sled's files may be sparse).
fn disk_usage(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt as _;
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    let own = meta.blocks() * 512;
    if !meta.is_dir() {
        return own;
    }
    own + std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| disk_usage(&e.path()))
        .sum::<u64>()
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
        if let (Some(first), Some(last)) =
            (self.transport_store.first(), self.transport_store.last())
        {
            writeln!(
                f,
                "transport store     {:.1} MiB at {} entries ({}) -> {:.1} MiB at {} entries ({})",
                first.bytes as f64 / (1u64 << 20) as f64,
                first.entries,
                first.at,
                last.bytes as f64 / (1u64 << 20) as f64,
                last.entries,
                last.at
            )?;
        }
        for t in &self.tiers {
            writeln!(
                f,
                "  {:<17} {:>6}   recovery p50 {:.2} s, max {:.2} s",
                t.tier, t.kills, t.recovery_p50_s, t.recovery_max_s
            )?;
        }
        let n = &self.node;
        writeln!(
            f,
            "org node outbox     {:>10}   acknowledged ({} GREEN): lost {}, duplicated {}, subscriber got {} of {} GREEN, {} submit calls retried",
            n.acknowledged, n.green, n.lost, n.duplicated, n.subscriber_green, n.green, n.failed_calls
        )?;
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
    /// Acknowledged by the org node's outbox (not by a hub).
    via_node: bool,
}

/// The publishers' shared state. Every acknowledgement or failure (and a
/// publisher's end) bumps `progress`, which the driver's waits wake on.
struct Load {
    stop: AtomicBool,
    acked: Mutex<Vec<Acked>>,
    call_ms: Mutex<Vec<f64>>,
    /// Failed publish calls of the finance and transport members.
    failed: [AtomicUsize; 2],
    /// Failed submit calls to the org node's admin socket.
    node_failed: AtomicUsize,
    progress: watch::Sender<u64>,
    /// What each publisher (in [`MEMBERS`] order) is doing and since when,
    /// for a phase's time-out message.
    doing: [Mutex<(String, Instant)>; 3],
    /// Why a publisher ended (set before its task finishes, see [`Ended`]).
    stopped: [Mutex<Option<String>>; 3],
}

impl Load {
    fn new() -> Load {
        let idle = || Mutex::new(("starting".to_owned(), Instant::now()));
        Load {
            stop: AtomicBool::new(false),
            acked: Mutex::new(Vec::new()),
            call_ms: Mutex::new(Vec::new()),
            failed: [AtomicUsize::new(0), AtomicUsize::new(0)],
            node_failed: AtomicUsize::new(0),
            progress: watch::channel(0).0,
            doing: [idle(), idle(), idle()],
            stopped: [Mutex::new(None), Mutex::new(None), Mutex::new(None)],
        }
    }

    fn acked(&self) -> usize {
        self.acked.lock().map(|a| a.len()).unwrap_or(0)
    }

    /// Lessons of `group` a hub acknowledged (not the org node's outbox).
    fn acked_in(&self, group: &str) -> usize {
        self.acked
            .lock()
            .map(|a| a.iter().filter(|x| x.group == group && !x.via_node).count())
            .unwrap_or(0)
    }

    /// Lessons a hub acknowledged, in all.
    fn acked_by_hubs(&self) -> usize {
        self.acked
            .lock()
            .map(|a| a.iter().filter(|x| !x.via_node).count())
            .unwrap_or(0)
    }

    fn acked_via_node(&self) -> usize {
        self.acked
            .lock()
            .map(|a| a.iter().filter(|x| x.via_node).count())
            .unwrap_or(0)
    }

    fn failed_in(&self, group: &str) -> usize {
        self.failed[group_index(group)].load(Ordering::SeqCst)
    }

    fn fail(&self, m: usize, group: &str, why: String) {
        self.failed[group_index(group)].fetch_add(1, Ordering::SeqCst);
        self.set_doing(m, format!("retrying after: {why}"));
        self.progress.send_modify(|n| *n += 1);
    }

    /// Publisher `m`'s call that began at `started` had every one of
    /// `lessons` acknowledged (by its hub, or by the org node's outbox).
    fn acknowledged(
        &self,
        m: usize,
        started: Instant,
        lessons: &[(tazan_model::Envelope, bool)],
        group: &'static str,
        via_node: bool,
    ) {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if let Ok(mut v) = self.call_ms.lock() {
            v.push(ms);
        }
        if let Ok(mut a) = self.acked.lock() {
            a.extend(lessons.iter().map(|(e, green)| Acked {
                id: e.id(),
                group,
                green: *green,
                via_node,
            }));
        }
        self.set_doing(m, "acknowledged".to_owned());
        self.progress.send_modify(|n| *n += 1);
    }

    fn set_doing(&self, m: usize, what: String) {
        if let Ok(mut d) = self.doing[m].lock() {
            *d = (what, Instant::now());
        }
    }

    /// One line per publisher: what it is doing, for how long.
    fn doing(&self) -> String {
        MEMBERS
            .iter()
            .zip(&self.doing)
            .map(|((member, _), d)| match d.lock() {
                Ok(d) => format!("{member}: {} ({:.1} s)", d.0, d.1.elapsed().as_secs_f64()),
                Err(_) => format!("{member}: ?"),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Records why a publisher ended and wakes the driver, also when the
/// publisher panics (dropped while unwinding) or is aborted.
struct Ended<'a> {
    load: &'a Load,
    m: usize,
    why: Option<String>,
}

impl Drop for Ended<'_> {
    fn drop(&mut self) {
        let why = self
            .why
            .take()
            .unwrap_or_else(|| "it panicked or was aborted".to_owned());
        if let Ok(mut s) = self.load.stopped[self.m].lock() {
            s.get_or_insert(why);
        }
        self.load.progress.send_modify(|n| *n += 1);
    }
}

fn group_index(group: &str) -> usize {
    usize::from(group == "transport")
}

/// The longest any phase waits for the event it needs.
const LIMIT: Duration = Duration::from_secs(120);
const CALL_LIMIT: Duration = Duration::from_secs(10);
/// Free space left on the transport hub's tmpfs when the disk-full phase
/// shrinks it, before the filler takes it.
const DISK_HEADROOM: u64 = 16 << 20;
const MEMBERS: [(&str, &str); 3] = [
    ("sakura-bank", "finance"),
    ("kaede-securities", "finance"),
    ("tsubame-railway", "transport"),
];
/// The member that publishes through its own node process (the org node
/// tier); the others are in-process clients of their group hub.
const NODE_MEMBER: &str = "kaede-securities";
/// Every tier a kill cycle SIGKILLs, in order (`node`: the org node).
const TIERS: [&str; 4] = ["finance", "transport", "cross", "node"];

/// What an interrupted soak needs to stop at once (the processes it
/// started, its tmpfs and directory) and to say what it measured so far.
/// The soak keeps it current; [`SoakMonitor::stop_now`] is called from a
/// signal handler while the soak itself may be blocked (inside a restart).
#[derive(Default)]
pub struct SoakMonitor {
    live: Mutex<Live>,
}

#[derive(Default)]
struct Live {
    phase: String,
    started: Option<Instant>,
    pids: std::collections::BTreeMap<String, u32>,
    mount: Option<PathBuf>,
    dir: Option<PathBuf>,
    load: Option<Arc<Load>>,
    kills: usize,
    recoveries: Vec<(String, f64)>,
    sizes: Vec<String>,
}

impl SoakMonitor {
    fn with(&self, f: impl FnOnce(&mut Live)) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut live);
    }

    fn phase(&self, phase: &str) {
        self.with(|l| phase.clone_into(&mut l.phase));
    }

    fn pid(&self, name: &str, pid: Option<u32>) {
        self.with(|l| match pid {
            Some(pid) => {
                l.pids.insert(name.to_owned(), pid);
            }
            None => {
                l.pids.remove(name);
            }
        });
    }

    /// Stop now: SIGKILL every process the soak started, unmount its tmpfs
    /// and remove its directory. Returns what was measured so far.
    pub fn stop_now(&self) -> String {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        for pid in live.pids.values() {
            if let Ok(pid) = i32::try_from(*pid) {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
        let killed = live.pids.len();
        live.pids.clear();
        let mut out = format!(
            "soak interrupted in phase `{}` after {:.1} s; {killed} processes killed",
            live.phase,
            live.started.map_or(0.0, |s| s.elapsed().as_secs_f64())
        );
        if let Some(mount) = live.mount.take() {
            let ok = std::process::Command::new("umount")
                .arg("-l")
                .arg(&mount)
                .status()
                .is_ok_and(|s| s.success());
            out.push_str(&format!(
                ", tmpfs {} {}",
                mount.display(),
                if ok { "unmounted" } else { "NOT unmounted" }
            ));
        }
        if let Some(dir) = live.dir.take() {
            let _ = std::fs::remove_dir_all(&dir);
            out.push_str(&format!(", {} removed", dir.display()));
        }
        out.push_str("\nso far (nothing drained or checked):\n");
        if let Some(load) = &live.load {
            out.push_str(&format!(
                "acknowledged        {:>10}   ({} by the org node's outbox)\n",
                load.acked(),
                load.acked_via_node()
            ));
        }
        out.push_str(&format!("kill -9             {:>10}\n", live.kills));
        for tier in TIERS {
            let mut r: Vec<f64> = live
                .recoveries
                .iter()
                .filter(|(t, _)| t == tier)
                .map(|(_, s)| *s)
                .collect();
            r.sort_by(f64::total_cmp);
            if let Some(max) = r.last() {
                out.push_str(&format!(
                    "  {:<17} {:>6}   recovery p50 {:.2} s, max {:.2} s\n",
                    tier_name(tier),
                    r.len(),
                    r[r.len() / 2],
                    max
                ));
            }
        }
        for size in &live.sizes {
            out.push_str(&format!("soak: {size}\n"));
        }
        out
    }
}

fn tier_name(tier: &str) -> String {
    if tier == "node" {
        "org node".to_owned()
    } else {
        format!("{tier} hub")
    }
}

/// The running load as the driver sees it: every wait has a limit, wakes on
/// the load's progress (no polling), notices a publisher that stopped, and
/// fails naming the phase, what it waited for, how long, and what each
/// publisher was doing.
struct Driver {
    load: Arc<Load>,
    progress: watch::Receiver<u64>,
    publishers: Vec<(&'static str, tokio::task::JoinHandle<Result<()>>)>,
}

impl Driver {
    async fn wait(
        &mut self,
        phase: &str,
        what: &str,
        limit: Duration,
        mut done: impl FnMut(&Load) -> bool,
    ) -> Result<Duration> {
        let start = tokio::time::Instant::now();
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            self.progress.borrow_and_update();
            if done(&self.load) {
                return Ok(start.elapsed());
            }
            self.check_publishers(phase, what, start)?;
            let woke = tokio::time::timeout_at(deadline, self.progress.changed()).await;
            if let Ok(Err(_)) = woke {
                bail!("soak phase `{phase}`: the load's progress channel closed");
            }
            if woke.is_err() {
                bail!(
                    "soak phase `{phase}`: waited {:.0} s for {what}, in vain (acknowledged {}, failed calls finance {} transport {}); {}",
                    start.elapsed().as_secs_f64(),
                    self.load.acked(),
                    self.load.failed_in("finance"),
                    self.load.failed_in("transport"),
                    self.load.doing()
                );
            }
        }
    }

    /// Sleep for `d` while the load runs, failing if a publisher stops.
    async fn hold(&mut self, phase: &str, d: Duration) -> Result<()> {
        let start = tokio::time::Instant::now();
        let what = format!("{:.1} s to pass", d.as_secs_f64());
        let until = tokio::time::Instant::now() + d;
        while tokio::time::Instant::now() < until {
            self.check_publishers(phase, &what, start)?;
            let _ = tokio::time::timeout_at(until, self.progress.changed()).await;
        }
        Ok(())
    }

    fn check_publishers(&self, phase: &str, what: &str, start: tokio::time::Instant) -> Result<()> {
        for ((member, _), stopped) in MEMBERS.iter().zip(&self.load.stopped) {
            if let Some(why) = stopped.lock().ok().and_then(|s| s.clone()) {
                bail!(
                    "soak phase `{phase}`: the publisher {member} stopped {:.1} s into waiting for {what}: {why}",
                    start.elapsed().as_secs_f64()
                );
            }
        }
        Ok(())
    }

    /// Stop the load and wait for every publisher to finish its batch.
    async fn stop(&mut self) -> Result<()> {
        self.load.stop.store(true, Ordering::SeqCst);
        for (member, task) in self.publishers.drain(..) {
            match tokio::time::timeout(LIMIT, task).await {
                Ok(joined) => joined?.with_context(|| format!("the publisher {member}"))?,
                Err(_) => bail!(
                    "soak phase `stop`: the publisher {member} did not finish its batch within {LIMIT:?} of the stop; {}",
                    self.load.doing()
                ),
            }
        }
        Ok(())
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.load.stop.store(true, Ordering::SeqCst);
        for (_, task) in &self.publishers {
            task.abort();
        }
    }
}

/// Run the soak in a temporary directory; `monitor` is kept current so
/// that an interrupt can stop it at once (see [`SoakMonitor::stop_now`]).
pub async fn soak(p: SoakParams, monitor: Arc<SoakMonitor>) -> Result<SoakReport> {
    raise_fd_limit();
    let dir = tempfile::Builder::new().prefix("tazan-soak-").tempdir()?;
    monitor.with(|l| {
        l.dir = Some(dir.path().to_owned());
        l.started = Some(Instant::now());
    });
    monitor.phase("start");
    let base = free_port_range(3)?;
    let mut skipped = Vec::new();
    let disk = match Tmpfs::mount(
        &dir.path().join("transport/data"),
        &format!("{}m", p.disk_mib),
    ) {
        _ if !p.disk => {
            skipped.push("disk-full and recovery: --no-disk".to_owned());
            None
        }
        Ok(d) => {
            monitor.with(|l| l.mount = Some(dir.path().join("transport/data")));
            Some(d)
        }
        Err(why) => {
            skipped.push(format!("disk-full and recovery: {why}"));
            None
        }
    };
    // The driver alone owns the processes; every task connects through a
    // copy of the addresses and credentials, so no lock is ever held
    // across an await.
    // No portal: it rebuilds its shelf from the whole log at every start,
    // which made each kill cycle take minutes at release speed.
    let hubs = HubServices {
        search: false,
        portal: false,
    };
    let mut fed = ProcessFederation::start(&p.exe, dir.path(), &Spec::demo(), base, hubs)?;
    for tier in ["cross", "finance", "transport"] {
        monitor.pid(tier, fed.hub(tier)?.pid());
    }
    // The org node tier: a real node process with its own store and outbox.
    let node_toml = dir.path().join(NODE_MEMBER).join("node.toml");
    let text = std::fs::read_to_string(&node_toml)?;
    std::fs::write(
        &node_toml,
        without_table(&without_table(&text, "portal"), "metrics") + "\n[search]\nenabled = false\n",
    )?;
    let node_data = dir.path().join(NODE_MEMBER).join("data");
    let mut node = HubProcess::start_node(&p.exe, NODE_MEMBER, &node_toml)?;
    monitor.pid("node", node.pid());
    let clients = fed.clients().clone();
    let load = Arc::new(Load::new());
    monitor.with(|l| l.load = Some(load.clone()));
    let mut driver = Driver {
        progress: load.progress.subscribe(),
        load: load.clone(),
        publishers: Vec::new(),
    };
    for (m, (member, group)) in MEMBERS.into_iter().enumerate() {
        let key = KeyPair::load(&dir.path().join(member).join("node.key"))?;
        let clients = clients.clone();
        let load = load.clone();
        let size = p.batch.max(1);
        // Each member sends one batch per `every`: `rate` lessons/s in all.
        let batches = Batches {
            size,
            every: (p.rate > 0)
                .then(|| Duration::from_secs_f64((size * MEMBERS.len()) as f64 / p.rate as f64)),
        };
        let member_id: MemberId = member.parse()?;
        let node_data = node_data.clone();
        driver.publishers.push((
            member,
            tokio::spawn(async move {
                let mut ended = Ended {
                    load: &load,
                    m,
                    why: None,
                };
                let r = if member == NODE_MEMBER {
                    publish_via_node(&node_data, &load, key, m, batches).await
                } else {
                    publish_until_stopped(&clients, &load, member_id, group, key, m, batches).await
                };
                ended.why = Some(match &r {
                    Ok(()) => "it returned".to_owned(),
                    Err(e) => format!("{e:#}"),
                });
                r
            }),
        ));
    }

    // The subscriber behind the cutting proxy.
    let proxy = Proxy::start(&clients.group_addr("transport")?).await?;
    let (cursor_tx, cursor_rx) = watch::channel(0u64);
    let sub_faults = Arc::new(Mutex::new((0usize, 0usize)));
    let sub_ids: Arc<Mutex<HashSet<Vec<u8>>>> = Arc::default();
    let subscriber = AbortOnDrop(tokio::spawn(subscribe_through(
        clients.clone(),
        proxy.addr.clone(),
        cursor_tx,
        sub_faults.clone(),
        sub_ids.clone(),
    )));

    // Idle connections that never start TLS.
    let finance_addr = clients.group_addr("finance")?;
    let mut idle = Vec::new();
    for _ in 0..p.idle {
        match TcpStream::connect(&finance_addr).await {
            Ok(s) => idle.push(s),
            Err(_) => break,
        }
    }
    let idle_connections = idle.len();
    driver
        .wait("start", "a first acknowledged lesson", LIMIT, |l| {
            l.acked() >= 1
        })
        .await?;

    // Kill cycles: every tier once per cycle, a proxy cut each time.
    let mut recoveries = Vec::new();
    let mut kills = 0;
    let mut cuts = 0;
    let data = dir.path().join("transport/data");
    let mut transport_store_sizes =
        vec![transport_store(&clients, &data, "start".to_owned()).await?];
    for cycle in 0..p.kills {
        for tier in TIERS {
            let phase = format!(
                "kill -9 cycle {} of {}, {}",
                cycle + 1,
                p.kills,
                tier_name(tier)
            );
            monitor.phase(&phase);
            if tier == "node" {
                let recovered = kill_cycle_of_the_node(
                    &mut node,
                    &node_data,
                    &mut driver,
                    &monitor,
                    &phase,
                    Duration::from_millis(50 + (cycle as u64 * 83) % 250),
                )
                .await?;
                recoveries.push((tier, recovered));
                kills += 1;
                monitor.with(|l| {
                    l.kills = kills;
                    l.recoveries.push((tier.to_owned(), recovered));
                });
                continue;
            }
            let before = load.acked_by_hubs();
            fed.hub_mut(tier)?.kill9()?;
            monitor.pid(tier, None);
            kills += 1;
            monitor.with(|l| l.kills = kills);
            // Down for a moment while the load goes on (50..300 ms).
            driver
                .hold(
                    &phase,
                    Duration::from_millis(50 + (cycle as u64 * 83) % 250),
                )
                .await?;
            let restarted = Instant::now();
            fed.hub_mut(tier)?
                .restart_with(|pid| monitor.pid(tier, Some(pid)))
                .with_context(|| format!("soak phase `{phase}`: restarting the {tier} hub"))?;
            connect_within(LIMIT, || async {
                let mut c = if tier == "cross" {
                    clients.cross_client_as("finance").await?
                } else {
                    let member = if tier == "finance" {
                        "sakura-bank"
                    } else {
                        "tsubame-railway"
                    };
                    clients.member_client(&member.parse()?, None).await?
                };
                c.info(pb::InfoRequest {}).await?;
                Ok(())
            })
            .await
            .with_context(|| {
                format!(
                    "soak phase `{phase}`: no answer from the restarted hub; {}",
                    fed.hub(tier).map(|h| h.log_tail(8)).unwrap_or_default()
                )
            })?;
            let recovered = restarted.elapsed().as_secs_f64();
            recoveries.push((tier, recovered));
            monitor.with(|l| l.recoveries.push((tier.to_owned(), recovered)));
            proxy.cut();
            cuts += 1;
            // Some load between kills.
            driver
                .wait(
                    &phase,
                    "a lesson acknowledged by a hub after the restart",
                    LIMIT,
                    |l| l.acked_by_hubs() > before,
                )
                .await?;
        }
        let size = transport_store(&clients, &data, format!("cycle {}", cycle + 1)).await?;
        eprintln!("soak: {size}");
        monitor.with(|l| l.sizes.push(size.to_string()));
        transport_store_sizes.push(size);
    }

    // Disk full at the transport hub, then space again.
    let (disk_full_refused_s, disk_recovery_s) = match &disk {
        Some(disk) => {
            let phase = "disk full at the transport hub";
            monitor.phase(phase);
            let filler = dir.path().join("transport/data/filler");
            let failed_before = load.failed_in("transport");
            let filled = Instant::now();
            // Shrunk to what the store holds plus a little, so the filler
            // is small whatever the load wrote before (grown back below).
            disk.resize(disk_usage(&data) + DISK_HEADROOM)
                .with_context(|| format!("soak phase `{phase}`"))?;
            disk.fill(&filler)
                .with_context(|| format!("soak phase `{phase}`"))?;
            let refused = driver
                .wait(
                    phase,
                    "a refused or failed publish at the transport hub",
                    LIMIT,
                    |l| l.failed_in("transport") > failed_before,
                )
                .await;
            // Space returns whatever happened, before an error is reported.
            std::fs::remove_file(&filler)
                .with_context(|| format!("removing {}", filler.display()))?;
            disk.resize(p.disk_mib << 20)
                .with_context(|| format!("soak phase `{phase}`: growing the tmpfs back"))?;
            let freed = Instant::now();
            if let Err(e) = refused {
                let hub = fed.hub_mut("transport")?;
                let running = hub.is_running();
                bail!("{e:#}; the hub is running: {running}; {}", hub.log_tail(8));
            }
            let refused = filled.elapsed().as_secs_f64();
            let before = load.acked_in("transport");
            let healed = driver
                .wait(
                    "disk space back at the transport hub",
                    "a transport lesson acknowledged again",
                    LIMIT,
                    |l| l.acked_in("transport") > before,
                )
                .await;
            if let Err(e) = healed {
                let hub = fed.hub_mut("transport")?;
                let running = hub.is_running();
                bail!("{e:#}; the hub is running: {running}; {}", hub.log_tail(8));
            }
            (Some(refused), Some(freed.elapsed().as_secs_f64()))
        }
        None => (None, None),
    };

    // The outage.
    let phase = "outage of the finance hub";
    monitor.phase(phase);
    fed.hub_mut("finance")?.kill9()?;
    monitor.pid("finance", None);
    kills += 1;
    monitor.with(|l| l.kills = kills);
    driver.hold(phase, p.outage).await?;
    let before = load.acked_in("finance");
    let restarted = Instant::now();
    fed.hub_mut("finance")?
        .restart_with(|pid| monitor.pid("finance", Some(pid)))
        .with_context(|| format!("soak phase `{phase}`: restarting the finance hub"))?;
    driver
        .wait(
            phase,
            "a finance lesson acknowledged after the restart",
            LIMIT,
            |l| l.acked_in("finance") > before,
        )
        .await
        .map_err(|e| {
            let tail = fed
                .hub("finance")
                .map(|h| h.log_tail(8))
                .unwrap_or_default();
            e.context(tail)
        })?;
    let outage_recovery_s = restarted.elapsed().as_secs_f64();
    drop(idle);

    // Stop the load; drain.
    monitor.phase("drain");
    driver.stop().await?;
    let size = transport_store(&clients, &data, "end of load".to_owned()).await?;
    eprintln!("soak: {size}");
    transport_store_sizes.push(size);
    let acked = load.acked.lock().map(|a| a.clone()).unwrap_or_default();
    // The node's outbox queued through the outage: it may need as long to
    // deliver what it holds.
    let (mut lost, drain_s, logs) = drain(&clients, &acked, LIMIT.max(p.outage)).await?;
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
    let reached = tokio::time::timeout(LIMIT, rx.wait_for(|c| *c >= head))
        .await
        .map(|r| r.map(|_| ()));
    if !matches!(reached, Ok(Ok(()))) {
        bail!(
            "soak phase `drain`: the subscriber behind the proxy did not reach the transport hub's head ({head}) within {LIMIT:?}; it holds {}",
            *rx.borrow()
        );
    }
    let subscriber_entries = *rx.borrow();
    drop(subscriber);
    let (d, g) = sub_faults.lock().map(|x| *x).unwrap_or((1, 1));
    duplicated += d;
    gaps += g;
    let seen = sub_ids.lock().map(|s| s.clone()).unwrap_or_default();
    let (node_figures, only_subscriber_lacks) = node_figures(
        &acked,
        &logs,
        &seen,
        load.node_failed.load(Ordering::SeqCst),
    );
    // Missing from a log is counted by the drain already.
    lost += only_subscriber_lacks;
    node.terminate()?;
    monitor.pid("node", None);
    fed.stop()?;
    monitor.with(|l| l.pids.clear());

    let mut ms = load.call_ms.lock().map(|m| m.clone()).unwrap_or_default();
    ms.sort_by(f64::total_cmp);
    let tiers = TIERS
        .iter()
        .map(|tier| {
            let mut r: Vec<f64> = recoveries
                .iter()
                .filter(|(t, _)| t == tier)
                .map(|(_, s)| *s)
                .collect();
            r.sort_by(f64::total_cmp);
            TierFigures {
                tier: tier_name(tier),
                // The outage is one more SIGKILL of the finance hub.
                kills: r.len() + usize::from(*tier == "finance"),
                recovery_p50_s: r.get(r.len() / 2).copied().unwrap_or(0.0),
                recovery_max_s: r.last().copied().unwrap_or(0.0),
            }
        })
        .collect();
    let mut recoveries: Vec<f64> = recoveries.into_iter().map(|(_, s)| s).collect();
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
        transport_store: transport_store_sizes,
        tiers,
        node: node_figures,
        skipped,
    })
}

/// The org node's figures from the final logs (finance, transport, cross)
/// and the ids the subscriber received; also how many of its lessons are in
/// every log they belong in but were not received by the subscriber.
fn node_figures(
    acked: &[Acked],
    logs: &[Vec<pb::LogEntry>],
    seen: &HashSet<Vec<u8>>,
    failed_calls: usize,
) -> (NodeFigures, usize) {
    let mine: HashSet<Vec<u8>> = acked
        .iter()
        .filter(|a| a.via_node)
        .map(|a| a.id.0.to_vec())
        .collect();
    fn count<'a>(
        log: &'a [pb::LogEntry],
        mine: &HashSet<Vec<u8>>,
    ) -> std::collections::HashMap<&'a [u8], usize> {
        let mut n = std::collections::HashMap::new();
        for e in log.iter().filter(|e| mine.contains(&e.lesson_id)) {
            *n.entry(e.lesson_id.as_slice()).or_insert(0) += 1;
        }
        n
    }
    let [finance, transport, cross] = [&logs[0], &logs[1], &logs[2]].map(|l| count(l, &mine));
    let duplicated = [&finance, &transport, &cross]
        .iter()
        .map(|c| c.values().map(|n| n - 1).sum::<usize>())
        .sum();
    let mut f = NodeFigures {
        failed_calls,
        duplicated,
        ..NodeFigures::default()
    };
    let mut counted = HashSet::new();
    let mut only_subscriber_lacks = 0;
    for a in acked.iter().filter(|a| a.via_node) {
        let id = a.id.0.as_slice();
        if !counted.insert(id) {
            continue; // acknowledged twice (a retried call): one lesson
        }
        f.acknowledged += 1;
        let mut here = finance.contains_key(id);
        if a.green {
            f.green += 1;
            here &= transport.contains_key(id) && cross.contains_key(id);
            if seen.contains(id) {
                f.subscriber_green += 1;
            } else {
                only_subscriber_lacks += usize::from(here);
                here = false;
            }
        }
        if !here {
            f.lost += 1;
        }
    }
    (f, only_subscriber_lacks)
}

/// The transport hub's data directory and the entries its log holds.
async fn transport_store(
    clients: &FederationClients,
    data: &Path,
    at: String,
) -> Result<StoreSize> {
    let (head, _) = connect_within(LIMIT, || async {
        let mut c = clients
            .member_client(&"tsubame-railway".parse()?, None)
            .await?;
        Ok(c.info(pb::InfoRequest {}).await?.into_inner().log_head)
    })
    .await
    .context("reading the transport hub's log head")?;
    Ok(StoreSize::measure(at, data, head))
}

/// A task aborted when this is dropped (on every return path).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How a member publishes: `size` lessons a call, one call per `every`
/// (`None`: as fast as the hub answers).
#[derive(Debug, Clone, Copy)]
struct Batches {
    size: usize,
    every: Option<Duration>,
}

/// The next `size` lessons of publisher `m` (numbered on from `n`), signed,
/// GREEN and AMBER alternating; with whether each is GREEN.
fn sign_batch(
    key: &KeyPair,
    m: usize,
    n: &mut usize,
    size: usize,
) -> Vec<(tazan_model::Envelope, bool)> {
    (0..size)
        .map(|_| {
            *n += 1;
            let green = n.is_multiple_of(2);
            let level = if green {
                DisclosureLevel::Green
            } else {
                DisclosureLevel::Amber
            };
            let lesson = Lesson::example(&format!("耐久試験 {m}-{n}"), level);
            (key.sign(&Payload::Lesson(lesson)), green)
        })
        .collect()
}

/// A tokio interval that fires once per `every`, or `None` (unpaced).
fn pacing(every: Option<Duration>) -> Option<tokio::time::Interval> {
    every.map(|d| {
        let mut t = tokio::time::interval(d);
        // Behind after an outage: go on at the rate, no burst to catch up.
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    })
}

/// Hand batches of lessons signed with the org node's key to the running
/// node's admin socket (in `data`) until told to stop, as its review desk
/// does; a batch is acknowledged once the node answers that each lesson is
/// durably in its outbox (or already delivered). A call that fails (the node
/// is down or restarting) is retried with the same lessons.
async fn publish_via_node(
    data: &Path,
    load: &Load,
    key: KeyPair,
    m: usize,
    batches: Batches,
) -> Result<()> {
    use pb::submit_result::State;
    let mut n = 0usize;
    let mut client = None;
    let mut ticks = pacing(batches.every);
    let failed = |why: String| {
        load.node_failed.fetch_add(1, Ordering::SeqCst);
        load.fail(m, "finance", why);
    };
    while !load.stop.load(Ordering::SeqCst) {
        if let Some(t) = ticks.as_mut() {
            load.set_doing(m, "waiting for its next batch (paced)".to_owned());
            t.tick().await;
            if load.stop.load(Ordering::SeqCst) {
                break;
            }
        }
        let lessons = sign_batch(&key, m, &mut n, batches.size);
        let req = pb::SubmitRequest {
            envelopes: lessons.iter().map(|(e, _)| pb::Envelope::from(e)).collect(),
            wait_ms: 0,
            group: String::new(),
        };
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if client.is_none() {
                load.set_doing(m, format!("reaching its node (attempt {attempt})"));
                match tokio::time::timeout(CALL_LIMIT, tazan_admin::connect(data)).await {
                    Ok(Ok(Some(c))) => client = Some(c),
                    Ok(Ok(None)) => failed("the node's admin socket does not answer".to_owned()),
                    Ok(Err(e)) => failed(format!("node admin socket: {e}")),
                    Err(_) => failed(format!("node admin socket: no answer in {CALL_LIMIT:?}")),
                }
            }
            let Some(c) = client.as_mut() else {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            load.set_doing(
                m,
                format!(
                    "submitting {} lessons to its node (attempt {attempt})",
                    lessons.len()
                ),
            );
            let started = Instant::now();
            let answer = tokio::time::timeout(CALL_LIMIT, c.submit(req.clone())).await;
            match answer
                .map_err(|_| tonic::Status::deadline_exceeded("no answer"))
                .and_then(|r| r)
            {
                Ok(resp) => {
                    let results = resp.into_inner().results;
                    let kept = |s: i32| {
                        [
                            State::Queued,
                            State::Accepted,
                            State::Duplicate,
                            State::Unreachable,
                        ]
                        .iter()
                        .any(|k| *k as i32 == s)
                    };
                    if results.len() != lessons.len() || !results.iter().all(|r| kept(r.state)) {
                        bail!("{NODE_MEMBER}'s node refused a lesson: {results:?}");
                    }
                    load.acknowledged(m, started, &lessons, "finance", true);
                    break;
                }
                Err(status) => {
                    failed(format!("node: {:?}: {}", status.code(), status.message()));
                    client = None;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }
    Ok(())
}

/// One kill cycle of the org node: SIGKILL, `down` while the load goes on,
/// restart, and wait until its admin socket answers (the recovery time,
/// returned) and its outbox acknowledges a lesson again.
async fn kill_cycle_of_the_node(
    node: &mut HubProcess,
    data: &Path,
    driver: &mut Driver,
    monitor: &SoakMonitor,
    phase: &str,
    down: Duration,
) -> Result<f64> {
    let before = driver.load.acked_via_node();
    node.kill9()?;
    monitor.pid("node", None);
    driver.hold(phase, down).await?;
    let restarted = Instant::now();
    node.restart_with(|pid| monitor.pid("node", Some(pid)))
        .with_context(|| format!("soak phase `{phase}`: restarting the org node"))?;
    connect_within(LIMIT, || async {
        let mut c = tazan_admin::connect(data)
            .await?
            .context("the node's admin socket does not answer")?;
        c.status(pb::StatusRequest {}).await?;
        Ok(())
    })
    .await
    .with_context(|| {
        format!(
            "soak phase `{phase}`: no answer from the restarted node; {}",
            node.log_tail(8)
        )
    })?;
    let recovered = restarted.elapsed().as_secs_f64();
    driver
        .wait(
            phase,
            "a lesson acknowledged by the node's outbox after its restart",
            LIMIT,
            |l| l.acked_via_node() > before,
        )
        .await?;
    Ok(recovered)
}

/// Publish batches as `member` until told to stop; a batch is retried (on a
/// new connection) until every lesson in it is acknowledged.
async fn publish_until_stopped(
    clients: &FederationClients,
    load: &Load,
    member: MemberId,
    group: &'static str,
    key: KeyPair,
    m: usize,
    batches: Batches,
) -> Result<()> {
    let Batches { size: batch, every } = batches;
    let mut n = 0usize;
    let mut client = None;
    let mut ticks = pacing(every);
    while !load.stop.load(Ordering::SeqCst) {
        if let Some(t) = ticks.as_mut() {
            load.set_doing(m, "waiting for its next batch (paced)".to_owned());
            t.tick().await;
            if load.stop.load(Ordering::SeqCst) {
                break;
            }
        }
        let lessons = sign_batch(&key, m, &mut n, batch);
        let req = pb::PublishRequest {
            envelopes: lessons.iter().map(|(e, _)| pb::Envelope::from(e)).collect(),
        };
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if client.is_none() {
                load.set_doing(m, format!("connecting (attempt {attempt})"));
                // Bounded: a hub that accepts but never answers is a failure.
                let connected =
                    tokio::time::timeout(CALL_LIMIT, clients.member_client(&member, None)).await;
                match connected {
                    Ok(Ok(c)) => client = Some(c),
                    Ok(Err(e)) => load.fail(m, group, format!("connect: {e:#}")),
                    Err(_) => load.fail(m, group, format!("connect: no answer in {CALL_LIMIT:?}")),
                }
            }
            let Some(c) = client.as_mut() else {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            load.set_doing(
                m,
                format!("publishing {} lessons (attempt {attempt})", lessons.len()),
            );
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
                    let retry_later = results.iter().find_map(|r| {
                        r.rejection
                            .as_ref()
                            .filter(|j| j.code == tonic::Code::Unavailable as i32)
                    });
                    if let Some(why) = retry_later {
                        // Storage unavailable, nothing stored: the whole batch
                        // again later (stored ones come back as duplicates).
                        load.fail(m, group, format!("refused: {}", why.message));
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                    if !ok {
                        bail!("{member}: a lesson was refused: {results:?}");
                    }
                    load.acknowledged(m, started, &lessons, group, false);
                    break;
                }
                Err(status) => {
                    load.fail(
                        m,
                        group,
                        format!("{:?}: {}", status.code(), status.message()),
                    );
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
    fed: &FederationClients,
    acked: &[Acked],
    limit: Duration,
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
        if missing == 0 || start.elapsed() > limit {
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
async fn read_log(fed: &FederationClients, member: Option<&str>) -> Result<Vec<pb::LogEntry>> {
    let mut c = match member {
        Some(m) => fed.member_client(&m.parse()?, None).await?,
        None => fed.cross_client_as("finance").await?,
    };
    Ok(tazan_proto::list_all(&mut c).await?)
}

/// Follow the transport hub through `via` from a cursor, resuming after
/// every cut; counts entries that repeat (seq ≤ cursor) or skip (seq > cursor + 1).
async fn subscribe_through(
    fed: FederationClients,
    via: String,
    cursor: watch::Sender<u64>,
    faults: Arc<Mutex<(usize, usize)>>,
    ids: Arc<Mutex<HashSet<Vec<u8>>>>,
) -> Result<()> {
    let member: MemberId = "tsubame-railway".parse()?;
    loop {
        let after = *cursor.borrow();
        let client = fed.member_client(&member, Some(&via)).await;
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
            if let Ok(mut ids) = ids.lock() {
                ids.insert(e.lesson_id);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn driver() -> Driver {
        let load = Arc::new(Load::new());
        Driver {
            progress: load.progress.subscribe(),
            load,
            publishers: Vec::new(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_in_vain_names_the_phase_what_it_waited_for_how_long_and_the_load() {
        let mut d = driver();
        d.load
            .set_doing(2, "publishing 20 lessons (attempt 3)".to_owned());
        let err = d
            .wait(
                "disk full at the transport hub",
                "a refused or failed publish at the transport hub",
                LIMIT,
                |l| l.failed_in("transport") > 0,
            )
            .await
            .unwrap_err()
            .to_string();
        eprintln!("{err}");
        for part in [
            "soak phase `disk full at the transport hub`",
            "waited 120 s for a refused or failed publish at the transport hub, in vain",
            "tsubame-railway: publishing 20 lessons (attempt 3)",
        ] {
            assert!(err.contains(part), "`{part}` missing: {err}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_wakes_on_progress_and_fails_at_once_when_a_publisher_stops() {
        let mut d = driver();
        // A failure a minute in ends the wait then, not at its limit.
        let load = d.load.clone();
        let failing = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(60)).await;
            load.fail(2, "transport", "Unavailable: not serving".to_owned());
        });
        let took = d
            .wait("disk full", "a refused publish", LIMIT, |l| {
                l.failed_in("transport") > 0
            })
            .await
            .unwrap();
        assert_eq!(took.as_secs(), 60);
        failing.await.unwrap();

        // A publisher that bails ends the next wait with its reason.
        let load = d.load.clone();
        let publisher = tokio::spawn(async move {
            let mut ended = Ended {
                load: &load,
                m: 1,
                why: None,
            };
            tokio::time::sleep(Duration::from_secs(5)).await;
            ended.why = Some("kaede-securities: a lesson was refused".to_owned());
        });
        let err = d
            .wait(
                "kill -9 cycle 1 of 1, cross hub",
                "a lesson acknowledged",
                LIMIT,
                |_| false,
            )
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("soak phase `kill -9 cycle 1 of 1, cross hub`: the publisher kaede-securities stopped 5.0 s into waiting for a lesson acknowledged: kaede-securities: a lesson was refused"),
            "{err}"
        );
        publisher.await.unwrap();
    }
}
