//! A federation of real `tazan hub serve` processes on fixed loopback
//! ports, so a hub can be killed with SIGKILL and restarted where its peers
//! and members expect it; members connect as in-process mutual-TLS clients.
//! Used by `tazan bench soak` and `tazan bench scale`.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tazan_model::MemberId;
use tazan_proto::pb::{self, hub_client::HubClient};
use tonic::transport::Channel;

use crate::topology::{self, Layout, Ports, Spec};

/// The environment variable that asks a `tazan` process to die with the
/// process whose pid it holds (see [`die_with_parent_if_asked`]).
pub const PARENT_PID_ENV: &str = "TAZAN_PARENT_PID";

/// How long a started hub may take to print its `listening on` line.
const START_LIMIT: Duration = Duration::from_secs(120);

/// Called by the `tazan` binary for the commands that serve (see
/// `Command::serves`): no transparent huge pages for this process and its
/// children (`PR_SET_THP_DISABLE`). mimalloc asks for huge pages on its
/// arenas; the kernel then zeroes a whole 2 MiB page on the first touch of
/// each, again after every purge, and that zeroing (`clear_page_erms`) was
/// about a tenth of the CPU samples of `tazan bench federation`. With 4 KiB
/// pages a hub's ingest took about a quarter less CPU per lesson
/// (BENCHMARKS.md, "Fifth round"). A failure only costs that CPU, so it is
/// reported and the process goes on.
pub fn disable_huge_pages() {
    if let Err(e) = nix::sys::prctl::set_thp_disable(true) {
        eprintln!("warning: PR_SET_THP_DISABLE failed ({e}); running with transparent huge pages");
    }
}

/// Called first thing by the `tazan` binary: when started by a bench or
/// test harness with [`PARENT_PID_ENV`] set, ask the kernel for SIGKILL when
/// the thread that started this process ends (`PR_SET_PDEATHSIG`), so a
/// killed soak leaves no hub behind. Set here rather than in the parent's
/// `pre_exec`, which needs `unsafe` (forbidden in this workspace); a parent
/// that died before this ran is caught by comparing the parent pid.
pub fn die_with_parent_if_asked() {
    let Some(want) = std::env::var_os(PARENT_PID_ENV) else {
        return;
    };
    let want = want.to_string_lossy();
    if let Err(e) = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL) {
        eprintln!("warning: {PARENT_PID_ENV} is set but PR_SET_PDEATHSIG failed: {e}");
    }
    if want.trim() != nix::unistd::getppid().to_string() {
        eprintln!("error: the parent process ({want}) has already exited");
        std::process::exit(1);
    }
}

/// One hub as a child process of the `tazan` binary. The process gets
/// SIGKILL when the thread that started it ends (see
/// [`die_with_parent_if_asked`]): start hubs from a thread that lives as long
/// as they should, such as the one driving the bench (not `spawn_blocking`).
pub struct HubProcess {
    /// `cross` or the group name (a node: its member id).
    pub name: String,
    /// `hub` or `node`: the `tazan` subcommand that serves it.
    service: &'static str,
    /// What its stdout says once it serves.
    ready: &'static str,
    config: PathBuf,
    exe: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

impl HubProcess {
    /// Start `tazan hub serve --config CONFIG` and wait until it listens.
    pub fn start(exe: &Path, name: &str, config: &Path) -> Result<HubProcess> {
        HubProcess::serve(exe, name, config, "hub", "listening on")
    }

    /// Start `tazan node serve --config CONFIG` (an org node: its own store,
    /// outbox and admin socket) and wait until it says it runs; killed and
    /// restarted like a hub.
    pub fn start_node(exe: &Path, name: &str, config: &Path) -> Result<HubProcess> {
        HubProcess::serve(exe, name, config, "node", " running")
    }

    fn serve(
        exe: &Path,
        name: &str,
        config: &Path,
        service: &'static str,
        ready: &'static str,
    ) -> Result<HubProcess> {
        let log = config.with_file_name(format!("{service}.log"));
        let mut hub = HubProcess {
            name: name.to_owned(),
            service,
            ready,
            config: config.to_owned(),
            exe: exe.to_owned(),
            log,
            child: None,
        };
        hub.restart()?;
        Ok(hub)
    }

    /// Start the process again (after [`HubProcess::kill9`] or
    /// [`HubProcess::terminate`]); waits for its `listening on` line (two
    /// minutes at most: a hub that neither listens nor exits is killed and
    /// reported with the end of its log).
    pub fn restart(&mut self) -> Result<()> {
        self.restart_with(|_| {})
    }

    /// [`HubProcess::restart`], telling `started` the new process's pid as
    /// soon as it exists (before it is ready), so that an interrupted
    /// caller can kill it.
    pub fn restart_with(&mut self, started: impl FnOnce(u32)) -> Result<()> {
        if self.child.is_some() {
            bail!("the {} hub is already running", self.name);
        }
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("opening {}", self.log.display()))?;
        let mut child = Command::new(&self.exe)
            .args([self.service, "serve", "--config"])
            .arg(&self.config)
            .env(PARENT_PID_ENV, std::process::id().to_string())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("starting {} {} serve", self.exe.display(), self.service))?;
        started(child.id());
        let stdout = child.stdout.take().context("no stdout pipe")?;
        // Read stdout on a thread (it keeps draining it afterwards, so the
        // child never blocks on a full pipe); this thread waits with a limit.
        let (listening, rx) = mpsc::channel();
        let ready = self.ready;
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            let mut told = false;
            for line in lines.by_ref() {
                if !told && line.as_deref().is_ok_and(|l| l.contains(ready)) {
                    told = true;
                    let _ = listening.send(());
                }
            }
        });
        match rx.recv_timeout(START_LIMIT) {
            Ok(()) => {
                self.child = Some(child);
                Ok(())
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait()?;
                bail!(
                    "the {} {} exited before it served ({status}); {}",
                    self.name,
                    self.service,
                    self.log_tail(5)
                )
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "the {} {} did not print `{}` within {START_LIMIT:?} of its start (killed); {}",
                    self.name,
                    self.service,
                    self.ready.trim(),
                    self.log_tail(8)
                )
            }
        }
    }

    /// The last `n` lines of the hub's log (its stderr), for error messages.
    pub fn log_tail(&self, n: usize) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut tail: Vec<&str> = log.lines().rev().take(n).collect();
        tail.reverse();
        format!("the end of {}:\n{}", self.log.display(), tail.join("\n"))
    }

    /// The running process's id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// SIGKILL: no shutdown path runs, nothing is flushed.
    pub fn kill9(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// SIGTERM and wait for the process to exit.
    pub fn terminate(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id())?);
            nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM)?;
            let status = child.wait()?;
            if !status.success() {
                bail!("the {} hub exited with {status} on SIGTERM", self.name);
            }
        }
        Ok(())
    }

    /// Resident set size now and at its peak, in bytes (`/proc/PID/status`).
    pub fn rss(&self) -> Result<(u64, u64)> {
        let child = self.child.as_ref().context("hub not running")?;
        let text = std::fs::read_to_string(format!("/proc/{}/status", child.id()))?;
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|kb| kb.parse::<u64>().ok())
                .map(|kb| kb * 1024)
                .with_context(|| format!("no {name} in /proc status"))
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A cross hub and its group hubs as processes, from a generated topology.
pub struct ProcessFederation {
    /// The cross hub.
    pub cross: HubProcess,
    /// The group hubs, in the topology's order.
    pub groups: Vec<HubProcess>,
    clients: FederationClients,
}

impl ProcessFederation {
    /// Generate `spec` under `dir` on ports from `first_port` up (cross hub,
    /// then one per group; metrics and portals take +1000 and +1200), with
    /// search indexing switched off unless `hubs.search` and the web portal
    /// unless `hubs.portal`, then start every hub.
    pub fn start(
        exe: &Path,
        dir: &Path,
        spec: &Spec,
        first_port: u16,
        hubs: HubServices,
    ) -> Result<ProcessFederation> {
        let ports = Ports {
            cross: first_port,
            first_group: first_port + 1,
        };
        let layout = topology::create(dir, spec, ports)?;
        let paths = std::iter::once(&layout.cross).chain(layout.groups.iter().map(|(_, p)| p));
        for path in paths {
            let mut text = std::fs::read_to_string(path)?;
            if !hubs.portal {
                text = without_table(&text, "portal");
            }
            if !hubs.search {
                text.push_str("\n[search]\nenabled = false\n");
            }
            std::fs::write(path, text)?;
        }
        let cross = HubProcess::start(exe, "cross", &layout.cross)?;
        let mut groups = Vec::new();
        for (name, path) in &layout.groups {
            groups.push(HubProcess::start(exe, name, path)?);
        }
        Ok(ProcessFederation {
            cross,
            groups,
            clients: FederationClients { layout, ports },
        })
    }

    /// What a client needs to reach the hubs: cheap to clone and free of
    /// the processes, so tasks that connect never hold the federation (or a
    /// lock on it) while the driver kills and restarts hubs.
    pub fn clients(&self) -> &FederationClients {
        &self.clients
    }

    /// Where everything was generated.
    pub fn layout(&self) -> &Layout {
        &self.clients.layout
    }

    /// The hub process named `name`: `cross` or a group.
    pub fn hub(&self, name: &str) -> Result<&HubProcess> {
        std::iter::once(&self.cross)
            .chain(&self.groups)
            .find(|h| h.name == name)
            .with_context(|| format!("no hub {name}"))
    }

    /// The same, to kill or restart it.
    pub fn hub_mut(&mut self, name: &str) -> Result<&mut HubProcess> {
        if name == "cross" {
            return Ok(&mut self.cross);
        }
        self.groups
            .iter_mut()
            .find(|h| h.name == name)
            .with_context(|| format!("no hub {name}"))
    }

    /// Stop every hub with SIGTERM (groups first).
    pub fn stop(mut self) -> Result<()> {
        for hub in &mut self.groups {
            hub.terminate()?;
        }
        self.cross.terminate()
    }
}

/// What a [`ProcessFederation`]'s hubs serve besides the federation.
#[derive(Debug, Clone, Copy)]
pub struct HubServices {
    /// Search indexing.
    pub search: bool,
    /// The web portal (it reads the whole log into its shelf at every start).
    pub portal: bool,
}

/// `text` (a TOML config as the topology writes it) without its `[name]`
/// table: the header and every line up to the next table.
pub fn without_table(text: &str, name: &str) -> String {
    let header = format!("[{name}]");
    let mut inside = false;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t == header;
        }
        if !inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Addresses and client credentials of a [`ProcessFederation`]'s hubs.
#[derive(Debug, Clone)]
pub struct FederationClients {
    layout: Layout,
    ports: Ports,
}

impl FederationClients {
    /// The loopback address of `group`'s hub.
    pub fn group_addr(&self, group: &str) -> Result<String> {
        let i = self
            .layout
            .groups
            .iter()
            .position(|(g, _)| g == group)
            .with_context(|| format!("no group {group}"))?;
        Ok(format!("127.0.0.1:{}", self.ports.first_group as usize + i))
    }

    /// The cross hub's loopback address.
    pub fn cross_addr(&self) -> String {
        format!("127.0.0.1:{}", self.ports.cross)
    }

    /// A mutual-TLS client to `member`'s group hub, as `member`, through
    /// `via` (an address in front of the hub, e.g. a proxy) when given.
    pub async fn member_client(
        &self,
        member: &MemberId,
        via: Option<&str>,
    ) -> Result<HubClient<Channel>> {
        let Some((_, group, _)) = self.layout.nodes.iter().find(|(m, _, _)| m == member) else {
            bail!("no member {member}");
        };
        let tls_dir = self.layout.dir.join(member.as_str()).join("tls");
        let tls = tazan_proto::ClientTls {
            cert: tls_dir.join("node.pem"),
            key: tls_dir.join("node.key"),
            ca: tls_dir.join("ca.pem"),
        };
        let addr = match via {
            Some(a) => a.to_owned(),
            None => self.group_addr(group)?,
        };
        let hub_name = format!("{group}-hub");
        let ch = tazan_proto::endpoint(&format!("https://{addr}"), &hub_name, &tls)?
            .connect()
            .await
            .with_context(|| format!("connecting to {addr} as {member}"))?;
        Ok(HubClient::new(ch))
    }

    /// A mutual-TLS client to the cross hub, as `group`'s hub.
    pub async fn cross_client_as(&self, group: &str) -> Result<HubClient<Channel>> {
        let tls = topology::upstream_tls(&self.layout.dir, group);
        let url = format!("https://{}", self.cross_addr());
        let ch = tazan_proto::endpoint(&url, "cross-hub", &tls)?
            .connect()
            .await
            .with_context(|| format!("connecting to the cross hub as the {group} hub"))?;
        Ok(HubClient::new(ch))
    }
}

/// Retry `connect` until it succeeds or `limit` passes; returns the client
/// and how long it took (a restarted hub's recovery time as a client sees it).
pub async fn connect_within<F, Fut, T>(limit: Duration, mut connect: F) -> Result<(T, Duration)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let start = Instant::now();
    loop {
        match connect().await {
            Ok(c) => return Ok((c, start.elapsed())),
            Err(e) if start.elapsed() > limit => {
                return Err(e.context(format!("still failing after {limit:?}")))
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// A hub log's sequence numbers and lesson ids checked: seqs must be
/// 1..=n with no gap, and no lesson id may appear twice.
pub fn log_faults(entries: &[pb::LogEntry]) -> (usize, usize) {
    let mut seen = std::collections::HashSet::new();
    let duplicates = entries
        .iter()
        .filter(|e| !seen.insert(e.lesson_id.as_slice()))
        .count();
    let gaps = entries
        .iter()
        .enumerate()
        .filter(|(i, e)| e.seq != *i as u64 + 1)
        .count();
    (duplicates, gaps)
}

/// Raise the soft open-file limit to the hard one: a bench holds a socket
/// per idle connection (soak) or per member and publisher (scale: 2,000 at
/// 20 groups of 50), over the usual soft limit of 1,024.
pub fn raise_fd_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
}

/// A free loopback port range start: `n` consecutive ports (and the same
/// +1000 and +1200 for metrics and portals) that were free when checked.
pub fn free_port_range(n: u16) -> Result<u16> {
    let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
    let seed = std::process::id() as u16;
    for attempt in 0..200u16 {
        // Below the kernel's ephemeral range (32768 up by default), so no client
        // connection takes a port while its hub is down for a restart.
        let base = 10_000 + (seed.wrapping_add(attempt.wrapping_mul(97)) % 20_000);
        if (0..n).all(|i| free(base + i) && free(base + 1000 + i) && free(base + 1200 + i)) {
            return Ok(base);
        }
    }
    bail!("no free range of {n} loopback ports found")
}

/// A tmpfs mounted over a directory (a real disk that can fill up or turn
/// read-only under a running hub), unmounted lazily when dropped.
pub struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mount a tmpfs of `size` (`mount` syntax, e.g. `32m`) on `dir`.
    /// `Err` holds the reason when this process may not mount (it needs
    /// CAP_SYS_ADMIN): callers skip what needs it and say so.
    pub fn mount(dir: &Path, size: &str) -> std::result::Result<Tmpfs, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cannot mount a tmpfs (needs CAP_SYS_ADMIN): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs {
            dir: dir.to_owned(),
        })
    }

    /// Remount read-only (`true`) or read-write.
    pub fn set_read_only(&self, ro: bool) -> Result<()> {
        self.remount(if ro { "remount,ro" } else { "remount,rw" })
    }

    /// Set the file system's size to `bytes` (rounded up to whole MiB);
    /// shrinking below what it holds fails.
    pub fn resize(&self, bytes: u64) -> Result<()> {
        self.remount(&format!("remount,size={}m", bytes.div_ceil(1 << 20)))
    }

    fn remount(&self, opt: &str) -> Result<()> {
        let out = Command::new("mount")
            .args(["-o", opt])
            .arg(&self.dir)
            .output()?;
        if !out.status.success() {
            bail!(
                "mount -o {opt} {}: {}",
                self.dir.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    }

    /// Fill the file system with `path` until a write fails for want of
    /// space; returns the bytes written.
    pub fn fill(&self, path: &Path) -> Result<u64> {
        use std::io::Write as _;
        let mut f =
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let chunk = vec![0xa5u8; 64 << 10];
        let mut written = 0u64;
        loop {
            match f.write(&chunk) {
                Ok(0) => break,
                Ok(n) => written += n as u64,
                Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
                Err(e) => return Err(e).with_context(|| format!("filling {}", path.display())),
            }
        }
        let _ = f.sync_all();
        Ok(written)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy: a store still open must not keep it mounted.
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, id: u8) -> pb::LogEntry {
        pb::LogEntry {
            seq,
            lesson_id: vec![id; 32],
            ..Default::default()
        }
    }

    #[test]
    fn a_table_is_left_out_up_to_the_next_one() {
        let text = "version = 1\n[metrics]\nlisten = \"a\"\n\n# portal\n[portal]\nlisten = \"b\"\n# next\n[upstream]\nendpoint = \"c\"\n";
        let out = without_table(text, "portal");
        assert_eq!(
            out,
            "version = 1\n[metrics]\nlisten = \"a\"\n\n# portal\n[upstream]\nendpoint = \"c\"\n"
        );
        assert_eq!(without_table(&out, "portal"), out, "nothing else changes");
        assert!(!without_table(text, "metrics").contains("\"a\""));
    }

    #[test]
    fn log_faults_counts_duplicates_and_gaps() {
        let clean = [entry(1, 1), entry(2, 2), entry(3, 3)];
        assert_eq!(log_faults(&clean), (0, 0));
        let dup = [entry(1, 1), entry(2, 1), entry(3, 3)];
        assert_eq!(log_faults(&dup), (1, 0));
        let gap = [entry(1, 1), entry(3, 3)];
        assert_eq!(log_faults(&gap), (0, 1));
        let late_start = [entry(2, 1)];
        assert_eq!(log_faults(&late_start), (0, 1));
    }

    #[test]
    fn huge_pages_are_turned_off_for_the_process() {
        disable_huge_pages();
        assert!(nix::sys::prctl::get_thp_disable().unwrap());
    }
}
