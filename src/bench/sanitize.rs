//! `tazan bench sanitize`: the whole `tazan sanitize` process, the library
//! in-process and (optionally) Microsoft Presidio with GiNZA, on the same
//! records, in characters per CPU second.
//!
//! - `process`: a `tazan sanitize` child (this same executable) over the
//!   records, start-up, reading, dictionary load and writing included; its
//!   CPU time is the child's user + system time from `getrusage(RUSAGE_CHILDREN)`
//!   around its wait, so other load on the machine does not count.
//! - `in_process`: [`Sanitizer::sanitize_incident`] over the same records on
//!   one thread of this process with a freshly built sanitizer (the
//!   crate's throughput; building the sanitizer is reported apart as
//!   `setup_cpu_s`), CPU time of that thread.
//! - `presidio`: `scripts/presidio-bench.py` in the venv from
//!   `scripts/setup-presidio.sh`, over the first `presidio_records` records,
//!   each with its own organisation names as a deny-list; CPU time of its
//!   analysis loop (model loading excluded, in Presidio's favour).
//!
//! Every figure divides the same numerator: [`record_chars`] of the records
//! it processed (characters of each record's JSON).
//!
//! With `repeat` > 1 the four measurements run in that many rounds, one after
//! the other in each round, and each keeps its least CPU time: on a shared or
//! throttled machine other load only ever adds CPU time (cache misses, a
//! slower clock), so the least of several runs is the closest to the work
//! itself, and every contender gets the same treatment.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use nix::sys::resource::UsageWho;
use serde::Serialize;
use serde_json::Value;
use tazan_model::{read_incidents, UnknownFields};
use tazan_sanitize::{record_chars, DisclosureLevel, Policy, Sanitizer};

use super::cpu;

/// What to run.
#[derive(Debug, Clone)]
pub struct SanitizeParams {
    /// Records to sanitise.
    pub records: usize,
    /// Take the records from this file as they are, instead of generating them.
    pub input: Option<PathBuf>,
    /// Files whose records the generated set cycles through (ids renumbered).
    pub sources: Vec<PathBuf>,
    /// Disclosure level.
    pub level: DisclosureLevel,
    /// Run Presidio with this venv python on the first `presidio_records` records.
    pub presidio: Option<PresidioParams>,
    /// Rounds of every measurement; each figure is its round with the least
    /// CPU time (at least 1).
    pub repeat: usize,
}

/// Where Presidio runs.
#[derive(Debug, Clone)]
pub struct PresidioParams {
    /// The venv's python (scripts/setup-presidio.sh prints it).
    pub python: PathBuf,
    /// The driver script (scripts/presidio-bench.py).
    pub script: PathBuf,
    /// Records it gets (a prefix of the set; it is slow).
    pub records: usize,
}

/// One timed run.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// Records processed.
    pub records: usize,
    /// Characters processed ([`record_chars`]).
    pub chars: usize,
    /// CPU seconds (user + system, every thread).
    pub cpu_s: f64,
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// `chars / cpu_s`.
    pub chars_per_cpu_s: f64,
}

impl Timing {
    /// The run of the two with the least CPU time.
    fn least(self, other: Timing) -> Timing {
        if other.cpu_s < self.cpu_s {
            other
        } else {
            self
        }
    }

    fn new(records: usize, chars: usize, cpu: Duration, wall: Duration) -> Self {
        let cpu_s = cpu.as_secs_f64();
        Timing {
            records,
            chars,
            cpu_s,
            wall_s: wall.as_secs_f64(),
            chars_per_cpu_s: if cpu_s > 0.0 {
                chars as f64 / cpu_s
            } else {
                0.0
            },
        }
    }
}

/// What `tazan bench sanitize` measured.
#[derive(Debug, Clone, Serialize)]
pub struct SanitizeReport {
    /// Where the records came from.
    pub source: String,
    /// Rounds each figure is the least of.
    pub repeat: usize,
    /// Level sanitised for.
    pub level: DisclosureLevel,
    /// Records the leak gate blocked (of `process_1.records`).
    pub blocked: usize,
    /// Whether the IPADIC recogniser ran in the child.
    pub dictionary: String,
    /// `tazan sanitize --threads 1`.
    pub process_1: Timing,
    /// `tazan sanitize` on every core (same CPU work spread out; shorter wall).
    pub process_all: Timing,
    /// Worker threads of `process_all`.
    pub threads: usize,
    /// The library on one thread of this process.
    pub in_process: Timing,
    /// CPU seconds to build the first sanitizer of a process (dictionary load,
    /// recognisers, automata): the start-up a `tazan sanitize` run pays once.
    pub setup_cpu_s: f64,
    /// `process_1.chars_per_cpu_s / in_process.chars_per_cpu_s` (target ≥ 0.8).
    pub process_to_in_process: f64,
    /// Presidio + GiNZA, when asked for.
    pub presidio: Option<Timing>,
    /// `process_1.chars_per_cpu_s / presidio.chars_per_cpu_s` (target ≥ 1000).
    pub process_to_presidio: Option<f64>,
}

impl fmt::Display for SanitizeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = |f: &mut fmt::Formatter<'_>, label: &str, t: &Timing| {
            writeln!(
                f,
                "{label:<34} {:>6} records {:>11} chars  {:>8.3} CPU s {:>8.3} wall s  {:>7.3} M chars/CPU s",
                t.records,
                t.chars,
                t.cpu_s,
                t.wall_s,
                t.chars_per_cpu_s / 1e6
            )
        };
        writeln!(
            f,
            "records: {} at {} ({} blocked); dictionary {}; least CPU time of {} round(s)",
            self.source, self.level, self.blocked, self.dictionary, self.repeat
        )?;
        line(f, "tazan sanitize --threads 1", &self.process_1)?;
        line(
            f,
            &format!("tazan sanitize ({} threads)", self.threads),
            &self.process_all,
        )?;
        line(f, "library in-process (1 thread)", &self.in_process)?;
        writeln!(
            f,
            "start-up (first sanitizer: dictionary, recognisers): {:.3} CPU s",
            self.setup_cpu_s
        )?;
        write!(
            f,
            "process / in-process: {:.1} % (target ≥ 80 %)",
            self.process_to_in_process * 100.0
        )?;
        if let (Some(p), Some(r)) = (&self.presidio, self.process_to_presidio) {
            writeln!(f)?;
            line(f, "Presidio + GiNZA (analysis only)", p)?;
            write!(f, "tazan sanitize / Presidio: {r:.0} × (target ≥ 1000 ×)")?;
        }
        Ok(())
    }
}

/// Runs `cmd` to completion; its stdout, CPU time and wall time.
fn timed_child(cmd: &mut Command) -> Result<(String, Duration, Duration)> {
    let before = cpu(UsageWho::RUSAGE_CHILDREN)?;
    let started = Instant::now();
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {cmd:?}"))?;
    let wall = started.elapsed();
    let used = cpu(UsageWho::RUSAGE_CHILDREN)?.saturating_sub(before);
    ensure!(out.status.success(), "{cmd:?} failed: {}", out.status);
    Ok((String::from_utf8(out.stdout)?, used, wall))
}

/// The default record sources: the shared corpus and the crate's fixture sets
/// (paths relative to the repository root), those that exist.
pub fn default_sources() -> Vec<PathBuf> {
    let corpus = std::env::var_os("TAZAN_CORPUS_DIR")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("../shared/corpus"), PathBuf::from);
    let fixtures = Path::new("crates/tazan-sanitize/tests/fixtures");
    [
        corpus.join("incidents.jsonl"),
        fixtures.join("unseen/dev/incidents.jsonl"),
        fixtures.join("unseen/frozen/incidents.jsonl"),
        fixtures.join("heldout-incidents.jsonl"),
        fixtures.join("heldout2-incidents.jsonl"),
    ]
    .into_iter()
    .filter(|p| p.is_file())
    .collect()
}

/// Writes `n` records to `dest`, cycling through the records of `sources` in
/// order with ids renumbered `bench-00000`…: deterministic, no seed needed.
/// Returns how many distinct source records there were.
fn generate(sources: &[PathBuf], n: usize, dest: &Path) -> Result<usize> {
    let mut base = Vec::new();
    for src in sources {
        let text =
            std::fs::read_to_string(src).with_context(|| format!("reading {}", src.display()))?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line)
                .with_context(|| format!("{}:{}: not a JSON record", src.display(), i + 1))?;
            ensure!(
                v.is_object(),
                "{}:{}: not a JSON object",
                src.display(),
                i + 1
            );
            base.push(v);
        }
    }
    if base.is_empty() {
        bail!(
            "no source records (looked in: {}); run from the repository root, set TAZAN_CORPUS_DIR, or pass --input",
            sources
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut out = String::new();
    for (i, v) in base.iter().cycle().take(n).enumerate() {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.insert("id".into(), Value::String(format!("bench-{i:05}")));
        }
        out.push_str(&serde_json::to_string(&v)?);
        out.push('\n');
    }
    std::fs::write(dest, out).with_context(|| format!("writing {}", dest.display()))?;
    Ok(base.len())
}

/// Runs the benchmark (see the module documentation).
pub fn sanitize(p: &SanitizeParams) -> Result<SanitizeReport> {
    let dir = tempfile::Builder::new()
        .prefix("tazan-bench-sanitize-")
        .tempdir()?;
    let (input, source) = match &p.input {
        Some(f) => (f.clone(), f.display().to_string()),
        None => {
            let f = dir.path().join("records.jsonl");
            let distinct = generate(&p.sources, p.records, &f)?;
            (
                f,
                format!(
                    "{} generated, cycling {distinct} distinct records",
                    p.records
                ),
            )
        }
    };
    let parsed = read_incidents(&input, UnknownFields::Keep)?;
    ensure!(
        parsed.errors.is_empty(),
        "{} records of {} do not parse",
        parsed.errors.len(),
        input.display()
    );
    let records: Vec<_> = parsed.records.into_iter().map(|(_, inc)| inc).collect();
    let chars: Vec<usize> = records.iter().map(record_chars).collect();
    let total: usize = chars.iter().sum();

    let exe = std::env::current_exe().context("finding the tazan executable")?;
    let process = |threads: usize| -> Result<(Timing, Value)> {
        let output = dir.path().join(format!("out-{threads}.jsonl"));
        let (stdout, used, wall) = timed_child(
            Command::new(&exe)
                .arg("sanitize")
                .arg("--input")
                .arg(&input)
                .arg("--output")
                .arg(&output)
                .args(["--level", &p.level.to_string()])
                .args(["--threads", &threads.to_string(), "--json"]),
        )?;
        let summary: Value = serde_json::from_str(stdout.trim())
            .context("tazan sanitize --json printed no summary")?;
        let n = summary["records"].as_u64().unwrap_or(0) as usize;
        let c = summary["chars"].as_u64().unwrap_or(0) as usize;
        ensure!(
            (n, c) == (records.len(), total),
            "the child counted {n} records / {c} chars, the bench {} / {total}",
            records.len()
        );
        Ok((Timing::new(n, c, used, wall), summary))
    };
    // In-process: the first sanitizer of this process pays the start-up
    // (dictionary load); a second, fresh one does the timed pass.
    let in_process = || -> Result<(Timing, Duration)> {
        let c0 = cpu(UsageWho::RUSAGE_THREAD)?;
        let policy = Policy::builtin();
        let first = Sanitizer::new(&policy, p.level)?;
        let setup = cpu(UsageWho::RUSAGE_THREAD)?.saturating_sub(c0);
        drop(first);
        let s = Sanitizer::new(&policy, p.level)?;
        let (c0, w0) = (cpu(UsageWho::RUSAGE_THREAD)?, Instant::now());
        for inc in &records {
            std::hint::black_box(s.sanitize_incident(inc));
        }
        let timing = Timing::new(
            records.len(),
            total,
            cpu(UsageWho::RUSAGE_THREAD)?.saturating_sub(c0),
            w0.elapsed(),
        );
        Ok((timing, setup))
    };
    let (mut process_1, summary) = process(1)?;
    let (mut process_all, summary_all) = process(0)?;
    let (mut in_proc, setup) = in_process()?;
    let mut presidio_t = match &p.presidio {
        None => None,
        Some(pp) => Some(presidio(pp, &input, &chars)?),
    };
    for _ in 1..p.repeat.max(1) {
        process_1 = process_1.least(process(1)?.0);
        process_all = process_all.least(process(0)?.0);
        // Start-up is the first round's: later sanitizers of this process
        // find the dictionary loaded.
        in_proc = in_proc.least(in_process()?.0);
        if let (Some(pp), Some(best)) = (&p.presidio, presidio_t.take()) {
            presidio_t = Some(best.least(presidio(pp, &input, &chars)?));
        }
    }
    let (in_process, presidio) = (in_proc, presidio_t);
    let ratio = |a: &Timing, b: &Timing| {
        if b.chars_per_cpu_s > 0.0 {
            a.chars_per_cpu_s / b.chars_per_cpu_s
        } else {
            0.0
        }
    };
    Ok(SanitizeReport {
        source,
        repeat: p.repeat.max(1),
        level: p.level,
        blocked: summary["blocked"].as_u64().unwrap_or(0) as usize,
        dictionary: summary["dictionary"]["state"]
            .as_str()
            .unwrap_or("?")
            .to_owned(),
        process_to_in_process: ratio(&process_1, &in_process),
        process_to_presidio: presidio.as_ref().map(|t| ratio(&process_1, t)),
        threads: summary_all["threads"].as_u64().unwrap_or(0) as usize,
        process_1,
        process_all,
        in_process,
        setup_cpu_s: setup.as_secs_f64(),
        presidio,
    })
}

/// Presidio over the first `pp.records` records; its analysis CPU time as the
/// script measures it (`time.process_time()` around the loop).
fn presidio(pp: &PresidioParams, input: &Path, chars: &[usize]) -> Result<Timing> {
    ensure!(
        pp.python.is_file(),
        "no Presidio venv python at {} (run scripts/setup-presidio.sh, or pass --presidio-python)",
        pp.python.display()
    );
    let n = pp.records.min(chars.len());
    let (stdout, _, _) = timed_child(
        Command::new(&pp.python)
            .arg(&pp.script)
            .arg(input)
            .arg(n.to_string()),
    )?;
    let v: Value = serde_json::from_str(stdout.trim().lines().last().unwrap_or(""))
        .context("presidio-bench.py printed no JSON summary")?;
    let got = v["records"].as_u64().unwrap_or(0) as usize;
    ensure!(got == n, "presidio-bench.py did {got} records of {n}");
    let secs = |k: &str| Duration::from_secs_f64(v[k].as_f64().unwrap_or(0.0).max(0.0));
    Ok(Timing::new(
        n,
        chars[..n].iter().sum(),
        secs("cpu_s"),
        secs("wall_s"),
    ))
}
