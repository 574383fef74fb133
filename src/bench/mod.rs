//! `tazan bench federation`: the figures for BENCHMARKS.md, measured on
//! real hubs over mutual TLS on 127.0.0.1 with durable sled storage.
//!
//! - `raw_verify_per_s`: single-core ed25519 verifications of lesson
//!   envelopes, measured in the same run (the yardstick).
//! - `hub_ingest_lessons_per_s`: sustained ingest at one group hub — TLS,
//!   roster check, signature verification, validation, durable append, Merkle
//!   leaf and checkpoint — from concurrent publishers sending batches, with
//!   no member node running (deployed, members run on their own machines).
//! - `ingest_lessons_per_s`: the same on as many new lessons once the hub's
//!   two member nodes run in this process and store every lesson as it comes
//!   (their work shares the cores with the hub's).
//! - `e2e_p50_ms`/`e2e_p99_ms`: a node publishes GREEN lessons at a fixed
//!   rate; each travels node outbox → finance hub → relay (re-signed) → cross
//!   hub → transport hub → a subscriber, which timestamps its arrival.
//! - `e2e_sustained_per_s`: the highest rate of a rising ladder (×√2 steps
//!   from 250/s, a few seconds each) whose end-to-end p99 stays ≤ 20 ms, and
//!   its ratio to the raw verify rate.
//! - `*_cpu_us_*`: CPU time (getrusage, the whole process: hubs, nodes and
//!   load generator) per lesson, which a busy machine does not distort the
//!   way it distorts rates.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tazan_model::{DisclosureLevel, Envelope, Lesson};
use tazan_node::{sign_gated, Gate, GatedLesson};
use tazan_proto::pb::{self, publish_result::Outcome};
use tazan_trust::KeyPair;

use crate::harness::Federation;

mod backup;
mod hub_start;
mod portal;
mod related;
mod sanitize;
mod scale;
mod soak;
use crate::topology::{self, Ports, Spec};
pub use backup::{backup, BackupParams, BackupReport};
pub use hub_start::{hub_start, HubStartParams, HubStartReport, StartFigures};
pub use portal::{fill_hub_log, portal, PageFigures, PortalParams, PortalReport};
pub use related::{related, RelatedParams, RelatedReport};
pub use sanitize::{
    default_sources, sanitize, PresidioParams, SanitizeParams, SanitizeReport, Timing,
};
pub use scale::{scale, ScaleParams, ScaleReport, ScaleRun};
pub use soak::{soak, NodeFigures, SoakMonitor, SoakParams, SoakReport, TierFigures};

/// Sizes for [`federation`].
#[derive(Debug, Clone, Copy)]
pub struct FederationParams {
    /// Lessons sent in the ingest phase.
    pub ingest_lessons: usize,
    /// Lessons sent in the latency phase.
    pub latency_lessons: usize,
    /// Publish rate in the latency phase, lessons per second.
    pub rate: u32,
    /// Keep the hubs' and nodes' search indexes on (as deployed); off isolates the federation path.
    pub hub_search: bool,
    /// Seconds per step of the sustained-rate ladder (0 leaves the ladder out).
    pub sustain_step_secs: f64,
    /// The ladder's highest rate, lessons per second.
    pub sustain_max_rate: u32,
}

/// How long the federation is left idle to measure its background CPU.
pub const IDLE_WINDOW: Duration = Duration::from_secs(1);

/// The end-to-end p99 a sustained rate must keep, in ms.
pub const SUSTAIN_P99_MS: f64 = 20.0;

/// One step of the sustained-rate ladder.
#[derive(Debug, Clone, Serialize)]
pub struct RateStep {
    /// Offered rate, lessons per second.
    pub rate: u32,
    /// Lessons published in the step.
    pub lessons: usize,
    /// End-to-end (publish to the transport hub's member) p50, ms.
    pub p50_ms: f64,
    /// The same, p99.
    pub p99_ms: f64,
    /// CPU time of the whole process per lesson, µs.
    pub cpu_us_per_lesson: f64,
}

/// The figures.
#[derive(Debug, Clone, Serialize)]
pub struct FederationReport {
    /// Single-core ed25519 envelope verifications per second.
    pub raw_verify_per_s: f64,
    /// Sustained hub ingest, lessons per second, while the hub's two
    /// members follow its log and store every lesson in the same process
    /// (on the same cores).
    pub ingest_lessons_per_s: f64,
    /// `ingest_lessons_per_s / raw_verify_per_s`.
    pub ingest_to_verify_ratio: f64,
    /// Sustained ingest of the hub alone, lessons per second: the same
    /// publishers and lessons, with no member node running yet, as deployed
    /// (members on their own machines). Measured first, into an empty hub.
    pub hub_ingest_lessons_per_s: f64,
    /// `hub_ingest_lessons_per_s / raw_verify_per_s` (target ≥ 1.0).
    pub hub_ingest_to_verify_ratio: f64,
    /// CPU time of the whole process (hubs and publishers) per lesson in
    /// the hub-alone phase, µs.
    pub hub_ingest_cpu_us_per_lesson: f64,
    /// Median publish-to-subscriber latency across the federation.
    pub e2e_p50_ms: f64,
    /// 99th percentile of the same (target ≤ 20 at 1,000 lessons/s).
    pub e2e_p99_ms: f64,
    /// Largest observed latency.
    pub e2e_max_ms: f64,
    /// p50 latency from publish to: queued durably at the node, arrival at
    /// the finance hub, the cross hub and the transport hub's subscriber.
    pub hop_p50_ms: [f64; 4],
    /// p99 of the same.
    pub hop_p99_ms: [f64; 4],
    /// Rate offered in the latency phase.
    pub e2e_rate_per_s: u32,
    /// Lessons in each ingest phase (hub alone, then with members).
    pub ingest_lessons: usize,
    /// Lessons in the latency phase.
    pub latency_lessons: usize,
    /// Logical CPUs.
    pub cpus: usize,
    /// Whether the hubs indexed their logs for search during the run.
    pub hub_search: bool,
    /// CPU time of one raw verification, µs (getrusage of the verifying
    /// thread: unlike `raw_verify_per_s`, not slowed by other processes).
    pub verify_cpu_us: f64,
    /// CPU time of the whole process (hub, its subscribed members, the
    /// publishers) per ingested lesson, µs.
    pub ingest_cpu_us_per_lesson: f64,
    /// CPU time of the whole process per lesson in the latency phase, µs
    /// (four stores, three hubs, three nodes: every hop's work).
    pub e2e_cpu_us_per_lesson: f64,
    /// CPU of the whole process, in cores, over [`IDLE_WINDOW`] with nothing
    /// published, between the ingest and the latency phase (the part of
    /// every later per-lesson CPU figure that is not the lessons' own).
    pub idle_cpu_cores: f64,
    /// Highest ladder rate whose end-to-end p99 stayed ≤ 20 ms (0: none did,
    /// or the ladder was left out).
    pub e2e_sustained_per_s: u32,
    /// `e2e_sustained_per_s / raw_verify_per_s` (aim ≥ 0.1).
    pub e2e_sustained_to_verify_ratio: f64,
    /// The ladder, in order, up to and including the first step over 20 ms.
    pub sustain_steps: Vec<RateStep>,
}

impl fmt::Display for FederationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "raw ed25519 verify (1 core)   {:>10.0} /s",
            self.raw_verify_per_s
        )?;
        writeln!(
            f,
            "hub ingest alone (mTLS+verify+sled) {:>10.0} lessons/s  ({} lessons)",
            self.hub_ingest_lessons_per_s, self.ingest_lessons
        )?;
        writeln!(
            f,
            "  / raw verify                      {:>10.2}   (target >= 1.0)",
            self.hub_ingest_to_verify_ratio
        )?;
        writeln!(
            f,
            "  CPU per lesson                    {:>10.1} µs  (one verify: {:.1} µs)",
            self.hub_ingest_cpu_us_per_lesson, self.verify_cpu_us
        )?;
        writeln!(
            f,
            "hub ingest, 2 members following     {:>10.0} lessons/s  ({} lessons)",
            self.ingest_lessons_per_s, self.ingest_lessons
        )?;
        writeln!(
            f,
            "  / raw verify                      {:>10.2}",
            self.ingest_to_verify_ratio
        )?;
        writeln!(
            f,
            "  CPU per lesson                    {:>10.1} µs",
            self.ingest_cpu_us_per_lesson
        )?;
        writeln!(
            f,
            "end-to-end at {} lessons/s over {} lessons:",
            self.e2e_rate_per_s, self.latency_lessons
        )?;
        writeln!(
            f,
            "  p50 {:.2} ms   p99 {:.2} ms (target <= 20)   max {:.2} ms",
            self.e2e_p50_ms, self.e2e_p99_ms, self.e2e_max_ms
        )?;
        let hops = [
            "node outbox (durable)",
            "finance hub (member)",
            "cross hub",
            "transport hub (member)",
        ];
        for (i, hop) in hops.iter().enumerate() {
            writeln!(
                f,
                "    arrival at {hop:<24} p50 {:>7.2} ms  p99 {:>7.2} ms",
                self.hop_p50_ms[i], self.hop_p99_ms[i]
            )?;
        }
        writeln!(
            f,
            "  CPU per lesson end to end {:.1} µs  (idle before: {:.2} cores)",
            self.e2e_cpu_us_per_lesson, self.idle_cpu_cores
        )?;
        for s in &self.sustain_steps {
            writeln!(
                f,
                "  at {:>6}/s: p50 {:>8.2} ms  p99 {:>8.2} ms  CPU {:>7.1} µs/lesson",
                s.rate, s.p50_ms, s.p99_ms, s.cpu_us_per_lesson
            )?;
        }
        writeln!(
            f,
            "sustained at p99 <= {SUSTAIN_P99_MS} ms     {:>10} lessons/s  ({:.3} of raw verify; aim >= 0.1)",
            self.e2e_sustained_per_s, self.e2e_sustained_to_verify_ratio
        )
    }
}

fn numbered(base: &Lesson, i: usize, level: DisclosureLevel) -> Lesson {
    let mut l = base.clone();
    // A counter, not `#N`: `#` before digits reads as a ticket number to the
    // leak gate, which then refuses every lesson of the run.
    l.title = format!("{}（その{i}）", base.title);
    l.level = level;
    l
}

/// `make(i)` for `i` in `0..n`, on every core (the leak gate is CPU work).
fn gate_all<T: Send>(n: usize, make: impl Fn(usize) -> Result<T> + Sync) -> Result<Vec<T>> {
    let threads = std::thread::available_parallelism()
        .map(|t| t.get())
        .unwrap_or(1)
        .min(n.max(1));
    let chunk = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                let make = &make;
                scope.spawn(move || {
                    (t * chunk..((t + 1) * chunk).min(n))
                        .map(make)
                        .collect::<Result<Vec<T>>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        for part in parts {
            match part.join() {
                Ok(items) => out.extend(items?),
                Err(_) => bail!("a gating thread panicked"),
            }
        }
        Ok(out)
    })
}

/// Run the federation benchmark in a temporary directory.
pub async fn federation(p: FederationParams) -> Result<FederationReport> {
    let dir = tempfile::Builder::new().prefix("tazan-bench-").tempdir()?;
    let layout = topology::create(dir.path(), &Spec::demo(), Ports::EPHEMERAL)?;
    if !p.hub_search {
        // Hubs index their logs and nodes their libraries as deployed; off,
        // the figures are for the federation path alone.
        let hubs = std::iter::once(&layout.cross).chain(layout.groups.iter().map(|(_, p)| p));
        let nodes = layout.nodes.iter().map(|(_, _, p)| p);
        for path in hubs.chain(nodes) {
            let text = std::fs::read_to_string(path)?;
            std::fs::write(path, format!("{text}\n[search]\nenabled = false\n"))?;
        }
    }
    // The per-member rate limits are an operator's policy (2,000 lessons a
    // second by default); the figure is what a hub can take, so lift them.
    for path in std::iter::once(&layout.cross).chain(layout.groups.iter().map(|(_, p)| p)) {
        let text = std::fs::read_to_string(path)?;
        std::fs::write(
            path,
            format!(
                "{text}\n[limits]\ncalls_per_second = 1000000.0\ncall_burst = 1000000\n\
                 lessons_per_second = 100000000.0\nlesson_burst = 100000000\n"
            ),
        )?;
    }
    let base = crate::sample::lessons()
        .into_iter()
        .map(|(_, l)| l)
        .next()
        .context("no sample lessons")?;

    // Gate and pre-sign the ingest lessons with the two finance members' keys
    // (untimed: the figure is the hub's).
    let members = ["sakura-bank", "kaede-securities"];
    let signers = [
        KeyPair::load(&dir.path().join("sakura-bank/node.key"))?,
        KeyPair::load(&dir.path().join("kaede-securities/node.key"))?,
    ];
    let gates = [
        Gate::open(&dir.path().join(members[0]))?,
        Gate::open(&dir.path().join(members[1]))?,
    ];
    // Two ingest phases of `ingest_lessons` each: the hub alone, then with
    // its members following.
    let mut envelopes: Vec<Envelope> = gate_all(2 * p.ingest_lessons, |i| {
        let gated = gates[i % 2].lesson(numbered(&base, i, DisclosureLevel::Amber), &[])?;
        Ok(sign_gated(&signers[i % 2], gated))
    })?;

    let (raw_verify_per_s, verify_cpu_us) = raw_verify(&envelopes, &signers)?;

    let with_members = envelopes.split_off(p.ingest_lessons);

    // The hub alone: no member node runs yet.
    let mut fed = Federation::start_hubs(&layout).await?;
    let cpu_before = portal::cpu_secs();
    let hub_ingest_lessons_per_s = ingest(&fed, envelopes).await?;
    let hub_ingest_cpu_us_per_lesson =
        (portal::cpu_secs() - cpu_before) * 1e6 / p.ingest_lessons as f64;
    fed.start_nodes().await?;
    catch_up(&fed).await?;

    // The same again with the members following the hub's log.
    let cpu_before = portal::cpu_secs();
    let ingest_lessons_per_s = ingest(&fed, with_members).await?;
    // The hub's members digest the burst as it comes; their share is in.
    let ingest_cpu_us_per_lesson =
        (portal::cpu_secs() - cpu_before) * 1e6 / p.ingest_lessons as f64;
    catch_up(&fed).await?;
    // What the process burns with nothing published (sled cleaning up
    // after the ingest burst, periodic loops): every per-lesson CPU figure
    // below includes it, and at low rates it can dominate them.
    let (idle_cpu, idle_since) = (portal::cpu_secs(), Instant::now());
    tokio::time::sleep(IDLE_WINDOW).await;
    let idle_cpu_cores = (portal::cpu_secs() - idle_cpu) / idle_since.elapsed().as_secs_f64();
    let lat = latency(&fed, &base, p.rate, p.latency_lessons, 1_000_000).await?;
    let (p50, p99, max) = lat.hops[3];
    let mut sustain_steps = Vec::new();
    if p.sustain_step_secs > 0.0 {
        let mut rate = 250.0_f64;
        let mut first = 2_000_000;
        while rate <= f64::from(p.sustain_max_rate) + 0.5 {
            let r = rate.round() as u32;
            let n = ((rate * p.sustain_step_secs).ceil() as usize).max(20);
            let step = latency(&fed, &base, r, n, first).await?;
            first += n;
            let (p50, p99, _) = step.hops[3];
            sustain_steps.push(RateStep {
                rate: r,
                lessons: n,
                p50_ms: p50,
                p99_ms: p99,
                cpu_us_per_lesson: step.cpu_us_per_lesson,
            });
            if p99 > SUSTAIN_P99_MS {
                break;
            }
            rate *= std::f64::consts::SQRT_2;
        }
    }
    let e2e_sustained_per_s = sustain_steps
        .iter()
        .take_while(|s| s.p99_ms <= SUSTAIN_P99_MS)
        .map(|s| s.rate)
        .last()
        .unwrap_or(0);
    fed.stop().await?;
    Ok(FederationReport {
        raw_verify_per_s,
        ingest_lessons_per_s,
        ingest_to_verify_ratio: ingest_lessons_per_s / raw_verify_per_s,
        hub_ingest_lessons_per_s,
        hub_ingest_to_verify_ratio: hub_ingest_lessons_per_s / raw_verify_per_s,
        hub_ingest_cpu_us_per_lesson,
        e2e_p50_ms: p50,
        e2e_p99_ms: p99,
        e2e_max_ms: max,
        hop_p50_ms: [lat.hops[0].0, lat.hops[1].0, lat.hops[2].0, lat.hops[3].0],
        hop_p99_ms: [lat.hops[0].1, lat.hops[1].1, lat.hops[2].1, lat.hops[3].1],
        e2e_rate_per_s: p.rate,
        ingest_lessons: p.ingest_lessons,
        latency_lessons: p.latency_lessons,
        cpus: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        hub_search: p.hub_search,
        verify_cpu_us,
        ingest_cpu_us_per_lesson,
        e2e_cpu_us_per_lesson: lat.cpu_us_per_lesson,
        idle_cpu_cores,
        e2e_sustained_per_s,
        e2e_sustained_to_verify_ratio: f64::from(e2e_sustained_per_s) / raw_verify_per_s,
        sustain_steps,
    })
}

/// The latency figure is for steady state at the given rate, not for a
/// federation still digesting an ingest burst: wait until the finance hub's
/// search index (when on) and its member nodes' libraries hold its head.
async fn catch_up(fed: &Federation) -> Result<()> {
    let finance = fed.hub("finance")?.core().clone();
    let mut followers = [
        fed.node("sakura-bank")?.received(),
        fed.node("kaede-securities")?.received(),
    ];
    let head = finance.log_head();
    let wait = async {
        for rx in &mut followers {
            rx.wait_for(|seq| *seq >= head).await?;
        }
        while finance.search_enabled() && finance.indexed_through() < head {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok::<_, anyhow::Error>(())
    };
    tokio::time::timeout(Duration::from_secs(300), wait)
        .await
        .context("the finance hub's index and members did not catch up within 300 s")?
}

/// Verify envelopes one at a time on this thread for about two seconds:
/// verifications per second, and CPU µs per verification (this thread's).
fn raw_verify(envelopes: &[Envelope], signers: &[KeyPair; 2]) -> Result<(f64, f64)> {
    if envelopes.is_empty() {
        bail!("--ingest-lessons must be > 0");
    }
    let keys = [signers[0].public(), signers[1].public()];
    let cpu_before = thread_cpu_secs()?;
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed() < Duration::from_secs(2) {
        for (i, e) in envelopes.iter().enumerate().take(2000) {
            tazan_trust::verify_envelopes(&[(e, &keys[i % 2])])
                .pop()
                .context("no verdict")??;
            n += 1;
        }
    }
    let per_s = n as f64 / start.elapsed().as_secs_f64();
    let cpu_us = (thread_cpu_secs()? - cpu_before) * 1e6 / n as f64;
    Ok((per_s, cpu_us))
}

/// User and system CPU seconds of the calling thread.
fn thread_cpu_secs() -> Result<f64> {
    use nix::sys::resource::{getrusage, UsageWho};
    let u = getrusage(UsageWho::RUSAGE_THREAD).context("getrusage")?;
    let t = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
    Ok(t(u.user_time()) + t(u.system_time()))
}

/// Four concurrent publishers (two per member) send batches of 500 to the finance hub.
async fn ingest(fed: &Federation, envelopes: Vec<Envelope>) -> Result<f64> {
    const BATCH: usize = 500;
    const STREAMS: usize = 4;
    let members = ["sakura-bank".parse()?, "kaede-securities".parse()?];
    let total = envelopes.len();
    // Split by signer so each stream publishes as its own member.
    let mut per_stream: Vec<Vec<pb::Envelope>> = vec![Vec::new(); STREAMS];
    for (i, e) in envelopes.iter().enumerate() {
        let member = i % 2;
        let stream = member + 2 * ((i / 2) % (STREAMS / 2));
        per_stream[stream].push(pb::Envelope::from(e));
    }
    let mut clients = Vec::new();
    for s in 0..STREAMS {
        clients.push(fed.client_as(&members[s % 2]).await?);
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (mut client, envs) in clients.into_iter().zip(per_stream) {
        tasks.push(tokio::spawn(async move {
            let mut accepted = 0usize;
            for chunk in envs.chunks(BATCH) {
                let resp = client
                    .publish(pb::PublishRequest {
                        envelopes: chunk.to_vec(),
                    })
                    .await?
                    .into_inner();
                accepted += resp
                    .results
                    .iter()
                    .filter(|r| r.outcome == Outcome::Accepted as i32)
                    .count();
            }
            Ok::<usize, anyhow::Error>(accepted)
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        accepted += t.await??;
    }
    let secs = start.elapsed().as_secs_f64();
    if accepted != total {
        bail!("ingest accepted {accepted} of {total} lessons");
    }
    Ok(total as f64 / secs)
}

/// Arrival times of the watched lessons at one subscriber.
fn record_arrivals(
    mut stream: tonic::Streaming<pb::LogEntry>,
    ids: Arc<HashMap<tazan_model::LessonId, usize>>,
) -> tokio::task::JoinHandle<Result<Vec<Option<Instant>>>> {
    tokio::spawn(async move {
        let n = ids.len();
        let mut arrived = vec![None; n];
        let mut got = 0;
        while got < n {
            let Some(e) = stream.message().await? else {
                bail!("subscription ended early")
            };
            let Ok(id) = tazan_model::LessonId::try_from(e.lesson_id.as_slice()) else {
                continue;
            };
            if let Some(&i) = ids.get(&id) {
                if arrived[i].is_none() {
                    arrived[i] = Some(Instant::now());
                    got += 1;
                }
            }
        }
        Ok(arrived)
    })
}

async fn follow_from_head(
    mut client: tazan_proto::pb::hub_client::HubClient<tonic::transport::Channel>,
    head: u64,
) -> Result<tonic::Streaming<pb::LogEntry>> {
    Ok(client
        .subscribe(pb::SubscribeRequest {
            known_size: 0,
            after_seq: head,
            filter: None,
            follow: true,
        })
        .await?
        .into_inner())
}

/// Latency percentiles (p50, p99, max) in ms from `sent` to `arrived`.
fn percentiles(sent: &[Option<Instant>], arrived: &[Option<Instant>]) -> Result<(f64, f64, f64)> {
    let mut ms: Vec<f64> = arrived
        .iter()
        .zip(sent)
        .filter_map(|(a, s)| Some(a.as_ref()?.duration_since((*s)?).as_secs_f64() * 1000.0))
        .collect();
    ms.sort_by(f64::total_cmp);
    if ms.is_empty() {
        bail!("no latency samples");
    }
    let pct = |q: f64| {
        ms[((ms.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(ms.len() - 1)]
    };
    Ok((pct(0.50), pct(0.99), ms[ms.len() - 1]))
}

/// Publish `n` GREEN lessons (numbered from `first`) from sakura-bank at
/// `rate`; time their arrival at each tier: the finance hub (seen by another
/// member), the cross hub (seen by a group hub) and the transport hub (seen
/// by its member) — the last is the end-to-end figure.
async fn latency(
    fed: &Federation,
    base: &Lesson,
    rate: u32,
    n: usize,
    first: usize,
) -> Result<Latency> {
    // Through sakura-bank's leak gate before the clock starts.
    let gate = Gate::open(&fed.layout_dir().join("sakura-bank"))?;
    let lessons: Vec<GatedLesson> = gate_all(n, |i| {
        Ok(gate.lesson(numbered(base, first + i, DisclosureLevel::Green), &[])?)
    })?;
    let ids: Arc<HashMap<tazan_model::LessonId, usize>> = Arc::new(
        lessons
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id(), i))
            .collect(),
    );
    let at_finance = record_arrivals(
        follow_from_head(
            fed.client_as(&"kaede-securities".parse()?).await?,
            fed.hub("finance")?.core().log_head(),
        )
        .await?,
        ids.clone(),
    );
    let at_cross = record_arrivals(
        follow_from_head(
            fed.cross_client_as_group("transport").await?,
            fed.cross.core().log_head(),
        )
        .await?,
        ids.clone(),
    );
    let at_transport = record_arrivals(
        follow_from_head(
            fed.client_as(&"tsubame-railway".parse()?).await?,
            fed.hub("transport")?.core().log_head(),
        )
        .await?,
        ids,
    );
    let sent: Arc<Vec<std::sync::Mutex<Option<Instant>>>> =
        Arc::new((0..n).map(|_| std::sync::Mutex::new(None)).collect());
    let queued: Arc<Vec<std::sync::Mutex<Option<Instant>>>> =
        Arc::new((0..n).map(|_| std::sync::Mutex::new(None)).collect());

    let node = fed.node("sakura-bank")?.core().clone();
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let cpu_before = portal::cpu_secs();
    let start = tokio::time::Instant::now();
    let mut publishers = Vec::new();
    for (i, lesson) in lessons.into_iter().enumerate() {
        tokio::time::sleep_until(start + interval * i as u32).await;
        let node = node.clone();
        let sent = sent.clone();
        let queued = queued.clone();
        publishers.push(tokio::spawn(async move {
            if let Ok(mut slot) = sent[i].lock() {
                *slot = Some(Instant::now());
            }
            let id = node.publish(lesson).await?;
            if let Ok(mut slot) = queued[i].lock() {
                *slot = Some(Instant::now());
            }
            Ok::<_, tazan_node::NodeError>(id)
        }));
    }
    for t in publishers {
        t.await??;
    }
    let sent: Vec<Option<Instant>> = sent
        .iter()
        .map(|s| s.lock().ok().and_then(|s| *s))
        .collect();
    let queued: Vec<Option<Instant>> = queued
        .iter()
        .map(|s| s.lock().ok().and_then(|s| *s))
        .collect();
    let limit = Duration::from_secs(120);
    let mut hops = vec![percentiles(&sent, &queued)?];
    for (name, task) in [
        ("finance hub", at_finance),
        ("cross hub", at_cross),
        ("transport hub", at_transport),
    ] {
        let arrived = tokio::time::timeout(limit, task)
            .await
            .with_context(|| format!("lessons did not all reach the {name} within 120 s"))???;
        hops.push(percentiles(&sent, &arrived)?);
    }
    let cpu_us_per_lesson = (portal::cpu_secs() - cpu_before) * 1e6 / n.max(1) as f64;
    Ok(Latency {
        hops,
        cpu_us_per_lesson,
    })
}

struct Latency {
    /// (p50, p99, max): queued at the node, at the finance hub, the cross hub, the transport hub.
    hops: Vec<(f64, f64, f64)>,
    /// CPU time of the whole process per lesson, µs.
    cpu_us_per_lesson: f64,
}

/// CPU time (user + system) of `who`: this process, its thread, or its
/// children that were waited for.
pub(crate) fn cpu(who: nix::sys::resource::UsageWho) -> Result<Duration> {
    let u = nix::sys::resource::getrusage(who).context("getrusage")?;
    let d = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(u64::try_from(t.tv_sec()).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec()).unwrap_or(0))
    };
    Ok(d(u.user_time()) + d(u.system_time()))
}
