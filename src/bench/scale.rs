//! `tazan bench scale`: how distribution time and hub memory grow with the
//! number of groups. For each group count, a cross hub and that many group
//! hubs run as `tazan hub serve` processes; every member of every group is a
//! lightweight in-process client over real mutual TLS that follows its
//! group hub's log. Members publish pre-signed lessons (half AMBER, half
//! GREEN, spread over every group and member); the figure is the time from
//! the first publish until every member holds every lesson it is entitled
//! to (its group's AMBER lessons and every GREEN lesson), and each hub's
//! resident memory at that moment.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use nix::sys::resource::UsageWho;
use serde::Serialize;
use tazan_model::{DisclosureLevel, Lesson, LessonId, MemberId, Payload};
use tazan_proto::pb::{self, publish_result::Outcome};
use tazan_trust::KeyPair;

use crate::procs::{free_port_range, raise_fd_limit, HubServices, ProcessFederation};
use crate::topology::{GroupSpec, MemberSpec, Spec};

/// Sizes for [`scale`].
#[derive(Debug, Clone)]
pub struct ScaleParams {
    /// Group counts to run, one federation each.
    pub groups: Vec<usize>,
    /// Members per group.
    pub members: usize,
    /// Lessons published in each run.
    pub lessons: usize,
    /// The `tazan` binary that serves the hubs.
    pub exe: PathBuf,
    /// Give up on a run after this long.
    pub limit: Duration,
}

/// One run's figures.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleRun {
    /// Group hubs.
    pub groups: usize,
    /// Members (in-process subscribers), all groups together.
    pub members: usize,
    /// Lessons published.
    pub lessons: usize,
    /// Entries every member had to receive, summed over members.
    pub deliveries: u64,
    /// From the first publish until every lesson was acknowledged.
    pub publish_s: f64,
    /// From the first publish until every member held all it is entitled to.
    pub all_members_s: f64,
    /// Median member's time to completion.
    pub member_p50_s: f64,
    /// The cross hub's resident memory at the end, MiB.
    pub cross_rss_mib: f64,
    /// The mean group hub's resident memory at the end, MiB.
    pub group_rss_mean_mib: f64,
    /// The largest group hub's peak resident memory, MiB.
    pub group_peak_max_mib: f64,
    /// CPU time of every hub process together, start to stop, seconds
    /// (getrusage of the waited-for children: independent of the machine's load).
    pub hubs_cpu_s: f64,
    /// CPU time of this process (members and publishers) from the first
    /// publish until every member completed, seconds.
    pub members_cpu_s: f64,
    /// `hubs_cpu_s` per delivered entry, µs.
    pub hub_cpu_us_per_delivery: f64,
    /// Member streams the hub ended that the member resumed, all members
    /// together (0 on a machine that keeps up).
    pub resumes: u64,
}

/// Every run, in the order given.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleReport {
    /// The runs.
    pub runs: Vec<ScaleRun>,
    /// Logical CPUs.
    pub cpus: usize,
}

impl fmt::Display for ScaleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "groups members lessons  deliveries publish_s all_members_s member_p50_s cross_MiB group_MiB group_peak_MiB hubs_cpu_s members_cpu_s hub_us/delivery resumes"
        )?;
        for r in &self.runs {
            writeln!(
                f,
                "{:>6} {:>7} {:>7} {:>11} {:>9.1} {:>13.1} {:>12.1} {:>9.0} {:>9.0} {:>14.0} {:>10.1} {:>13.1} {:>15.1} {:>7}",
                r.groups,
                r.members,
                r.lessons,
                r.deliveries,
                r.publish_s,
                r.all_members_s,
                r.member_p50_s,
                r.cross_rss_mib,
                r.group_rss_mean_mib,
                r.group_peak_max_mib,
                r.hubs_cpu_s,
                r.members_cpu_s,
                r.hub_cpu_us_per_delivery,
                r.resumes
            )?;
        }
        write!(f, "({} CPUs)", self.cpus)
    }
}

/// Run every group count in `p.groups`.
pub async fn scale(p: ScaleParams) -> Result<ScaleReport> {
    if p.members == 0 || p.lessons == 0 {
        bail!("--members and --lessons must be > 0");
    }
    raise_fd_limit();
    let mut runs = Vec::new();
    for &groups in &p.groups {
        if groups == 0 {
            bail!("--groups: a group count must be > 0");
        }
        let r = run(groups, &p).await?;
        // Each point as it completes (stderr): a long curve that fails at
        // its largest point still leaves the smaller ones' figures.
        if let Ok(line) = serde_json::to_string(&r) {
            eprintln!("scale: {line}");
        }
        runs.push(r);
    }
    Ok(ScaleReport {
        runs,
        cpus: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
    })
}

fn spec(groups: usize, members: usize) -> Result<Spec> {
    let groups = (0..groups)
        .map(|g| {
            Ok(GroupSpec {
                name: format!("g{g:02}"),
                hub_id: format!("g{g:02}-hub").parse()?,
                display: format!("業界グループ{g}"),
                members: (0..members)
                    .map(|m| {
                        Ok(MemberSpec {
                            id: format!("g{g:02}-m{m:03}").parse()?,
                            display: format!("会員{g}-{m}"),
                        })
                    })
                    .collect::<Result<_>>()?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Spec {
        cross_id: "cross-hub".parse()?,
        groups,
    })
}

async fn run(groups: usize, p: &ScaleParams) -> Result<ScaleRun> {
    let dir = tempfile::Builder::new().prefix("tazan-scale-").tempdir()?;
    let spec = spec(groups, p.members)?;
    let base = free_port_range(u16::try_from(groups + 1)?)?;
    let children_cpu = super::cpu(UsageWho::RUSAGE_CHILDREN)?;
    let fed = ProcessFederation::start(
        &p.exe,
        dir.path(),
        &spec,
        base,
        HubServices {
            search: false,
            portal: true,
        },
    )?;

    // Lesson i comes from group i % G, member (i / G) % M; even i are GREEN.
    let keys: Vec<Vec<KeyPair>> = spec
        .groups
        .iter()
        .map(|g| {
            g.members
                .iter()
                .map(|m| {
                    Ok(KeyPair::load(
                        &dir.path().join(m.id.as_str()).join("node.key"),
                    )?)
                })
                .collect::<Result<_>>()
        })
        .collect::<Result<_>>()?;
    let envelopes = super::gate_all(p.lessons, |i| {
        let g = i % groups;
        let level = if i.is_multiple_of(2) {
            DisclosureLevel::Green
        } else {
            DisclosureLevel::Amber
        };
        let lesson = Lesson::example(&format!("規模試験の教訓 {i}"), level);
        Ok(keys[g][(i / groups) % p.members].sign(&Payload::Lesson(lesson)))
    })?;
    // What each group's members are entitled to, numbered, shared by the
    // group's members (each keeps only a bit per lesson: 1,000 members
    // holding a set of 52,500 ids each would be gigabytes).
    let mut entitled = Vec::new();
    for g in 0..groups {
        let set: HashMap<LessonId, usize> = envelopes
            .iter()
            .enumerate()
            .filter(|(i, _)| i.is_multiple_of(2) || i % groups == g)
            .enumerate()
            .map(|(n, (_, e))| (e.id(), n))
            .collect();
        entitled.push(Arc::new(set));
    }

    // Every member follows its group hub's log from the start.
    let mut followers = Vec::new();
    let mut deliveries = 0u64;
    for (g, group) in spec.groups.iter().enumerate() {
        for m in &group.members {
            let client = fed.clients().member_client(&m.id, None).await?;
            deliveries += entitled[g].len() as u64;
            followers.push(tokio::spawn(follow(
                fed.clients().clone(),
                client,
                m.id.clone(),
                entitled[g].clone(),
            )));
        }
    }
    let start = Instant::now();
    let own_cpu = super::cpu(UsageWho::RUSAGE_SELF)?;

    // One publishing task per group, batches of 200, from that group's members.
    let mut per_group: Vec<Vec<(usize, pb::Envelope)>> = vec![Vec::new(); groups];
    for (i, e) in envelopes.iter().enumerate() {
        per_group[i % groups].push(((i / groups) % p.members, pb::Envelope::from(e)));
    }
    let mut publishers = Vec::new();
    for (g, batch) in per_group.into_iter().enumerate() {
        let clients = fed.clients().clone();
        let members: Vec<MemberId> = spec.groups[g]
            .members
            .iter()
            .map(|m| m.id.clone())
            .collect();
        publishers.push(tokio::spawn(async move {
            // Group by signer: a member publishes only its own lessons.
            let mut by_member: Vec<Vec<pb::Envelope>> = vec![Vec::new(); members.len()];
            for (m, e) in batch {
                by_member[m].push(e);
            }
            for (member, envs) in members.iter().zip(by_member) {
                // Connected when its turn comes, as a member publishing
                // would: a connection opened up front and left without a
                // call for `limits.idle_timeout_secs` (300 s) is closed by
                // the hub, which failed the 10-group run at 100,000 lessons.
                let mut client = clients.member_client(member, None).await?;
                for chunk in envs.chunks(200) {
                    let resp = client
                        .publish(pb::PublishRequest {
                            envelopes: chunk.to_vec(),
                        })
                        .await?
                        .into_inner();
                    if let Some(r) = resp
                        .results
                        .iter()
                        .find(|r| r.outcome != Outcome::Accepted as i32)
                    {
                        bail!("a lesson was refused: {r:?}");
                    }
                }
            }
            Ok(())
        }));
    }
    for t in publishers {
        t.await??;
    }
    let publish_s = start.elapsed().as_secs_f64();
    let mut done = Vec::new();
    let mut resumes = 0;
    let deadline = tokio::time::Instant::now() + p.limit;
    for t in followers {
        let (at, resumed) = tokio::time::timeout_at(deadline, t)
            .await
            .with_context(|| format!("members did not all complete within {:?}", p.limit))???;
        done.push(at.duration_since(start).as_secs_f64());
        resumes += resumed;
    }
    done.sort_by(f64::total_cmp);
    let all_members_s = done.last().copied().unwrap_or(0.0);
    let member_p50_s = done[done.len() / 2];
    let members_cpu_s = (super::cpu(UsageWho::RUSAGE_SELF)? - own_cpu).as_secs_f64();

    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let cross_rss_mib = mib(fed.cross.rss()?.0);
    let mut rss = Vec::new();
    let mut peak: f64 = 0.0;
    for h in &fed.groups {
        let (now, hwm) = h.rss()?;
        rss.push(mib(now));
        peak = peak.max(mib(hwm));
    }
    fed.stop()?;
    let hubs_cpu_s = (super::cpu(UsageWho::RUSAGE_CHILDREN)? - children_cpu).as_secs_f64();
    Ok(ScaleRun {
        groups,
        members: groups * p.members,
        lessons: p.lessons,
        deliveries,
        publish_s,
        all_members_s,
        member_p50_s,
        cross_rss_mib,
        group_rss_mean_mib: rss.iter().sum::<f64>() / rss.len() as f64,
        group_peak_max_mib: peak,
        hubs_cpu_s,
        members_cpu_s,
        hub_cpu_us_per_delivery: hubs_cpu_s * 1e6 / deliveries.max(1) as f64,
        resumes,
    })
}

/// Follow the hub's log until every id in `want` arrived; returns when, and
/// how often the stream was resumed. A stream the hub ends (a member that
/// did not answer its HTTP/2 keep-alive ping in time on a starved machine,
/// or a cut slow reader) is resumed after the last entry received, as a
/// node does, and counted.
async fn follow(
    clients: crate::procs::FederationClients,
    mut client: pb::hub_client::HubClient<tonic::transport::Channel>,
    member: MemberId,
    want: Arc<HashMap<LessonId, usize>>,
) -> Result<(Instant, u64)> {
    let mut got = vec![false; want.len()];
    let mut missing = want.len();
    let mut after_seq = 0;
    let mut resumes = 0u64;
    while missing > 0 {
        if let Err(e) = read_until(&mut client, &want, &mut got, &mut missing, &mut after_seq).await
        {
            resumes += 1;
            if resumes > MAX_RESUMES {
                return Err(e.context(format!("{member} resumed {MAX_RESUMES} times")));
            }
            client = clients.member_client(&member, None).await?;
        }
    }
    Ok((Instant::now(), resumes))
}

/// Resumes one member may make before the run fails.
const MAX_RESUMES: u64 = 100;

/// One subscription: reads entries after `after_seq`, marking what arrives,
/// until every wanted lesson is held or the stream fails.
async fn read_until(
    client: &mut pb::hub_client::HubClient<tonic::transport::Channel>,
    want: &HashMap<LessonId, usize>,
    got: &mut [bool],
    missing: &mut usize,
    after_seq: &mut u64,
) -> Result<()> {
    let mut stream = client
        .subscribe(pb::SubscribeRequest {
            known_size: 0,
            after_seq: *after_seq,
            filter: None,
            follow: true,
        })
        .await?
        .into_inner();
    while *missing > 0 {
        let Some(e) = stream.message().await? else {
            bail!("the subscription ended early");
        };
        *after_seq = e.seq;
        let wanted = LessonId::try_from(e.lesson_id.as_slice())
            .ok()
            .and_then(|id| want.get(&id));
        if let Some(&n) = wanted {
            if !std::mem::replace(&mut got[n], true) {
                *missing -= 1;
            }
        }
    }
    Ok(())
}
