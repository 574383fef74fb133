//! `tazan bench hub-start`: how long a hub takes, wall and CPU, from
//! `RunningHub::start` to a listening portal, over a log of many lessons.
//!
//! For each size the finance hub's log is filled offline with signed
//! synthetic lessons (as `tazan bench portal` does), then the hub and its
//! portal are started twice: the first start finds a store that has never
//! run a portal, the second is a restart over the store the first left.
//! Search is off, so the figure is the hub's and the portal's own start-up
//! (an indexer catching up would run beside it). CPU is this process's
//! getrusage (user + system) over the start, which a loaded machine
//! changes much less than the wall time.

use std::fmt;
use std::time::Instant;

use anyhow::{bail, Result};
use serde::Serialize;
use tazan_hub::RunningHub;

use super::portal::{cpu_secs, fill_hub_log, FinanceHubAlone};

/// Sizes for [`hub_start`].
#[derive(Debug, Clone)]
pub struct HubStartParams {
    /// Lessons in the hub's log, one run per size.
    pub lessons: Vec<usize>,
    /// Seed for the lessons.
    pub seed: u64,
}

/// One start of the hub and its portal.
#[derive(Debug, Serialize)]
pub struct StartFigures {
    /// Lessons in the log.
    pub lessons: usize,
    /// `first start` (a store no portal has run on) or `restart`.
    pub start: &'static str,
    /// Wall time from `RunningHub::start` to a listening portal, s.
    pub wall_secs: f64,
    /// CPU time of the process over the same span, s.
    pub cpu_secs: f64,
    /// CPU per lesson in the log, µs.
    pub cpu_us_per_lesson: f64,
}

/// What `tazan bench hub-start` measured.
#[derive(Debug, Serialize)]
pub struct HubStartReport {
    /// One row per size and start.
    pub starts: Vec<StartFigures>,
}

impl fmt::Display for HubStartReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "lessons  start           wall s    cpu s  cpu µs/lesson")?;
        for s in &self.starts {
            writeln!(
                f,
                "{:>7}  {:<13} {:>8.2} {:>8.2} {:>14.2}",
                s.lessons, s.start, s.wall_secs, s.cpu_secs, s.cpu_us_per_lesson
            )?;
        }
        Ok(())
    }
}

/// Run the benchmark.
pub async fn hub_start(p: HubStartParams) -> Result<HubStartReport> {
    let mut starts = Vec::new();
    for &n in &p.lessons {
        let FinanceHubAlone {
            dir: _dir,
            mut cfg,
            portal: portal_cfg,
            key,
        } = FinanceHubAlone::create("tazan-bench-hub-start-")?;
        // Without search: the figure is the hub's and the portal's own start.
        cfg.search = false;
        fill_hub_log(&cfg.data_dir, &key, n, p.seed).await?;
        for start in ["first start", "restart"] {
            let (cpu, wall) = (cpu_secs(), Instant::now());
            let hub = RunningHub::start(cfg.clone()).await?;
            let portal = tazan_portal::RunningPortal::start_hub(&portal_cfg, &hub).await?;
            let (wall_secs, cpu_secs) = (wall.elapsed().as_secs_f64(), cpu_secs() - cpu);
            let through = portal.shelved_through();
            portal.stop().await;
            hub.stop().await?;
            if through != n as u64 {
                bail!("the portal listened with {through} of {n} log entries shelved");
            }
            starts.push(StartFigures {
                lessons: n,
                start,
                wall_secs,
                cpu_secs,
                cpu_us_per_lesson: cpu_secs * 1e6 / n.max(1) as f64,
            });
        }
    }
    Ok(HubStartReport { starts })
}
