//! Pid files, liveness and stopping: SIGTERM, wait, SIGKILL after a time limit.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// The environment variable that makes a `tazan` process start its own
/// session (set by `tazan up --detach` on the services it starts).
pub const SETSID_ENV: &str = "TAZAN_SETSID";

/// Called first thing by the `tazan` binary: when started by `tazan up
/// --detach`, leave the caller's session so that closing its terminal (or a
/// Ctrl-C there) does not reach the service. Spawning with `setsid` directly
/// would need `unsafe` (`pre_exec`), which this workspace forbids.
pub fn enter_own_session_if_asked() {
    if std::env::var_os(SETSID_ENV).is_some() {
        if let Err(e) = nix::unistd::setsid() {
            eprintln!("warning: {SETSID_ENV} is set but setsid failed: {e}");
        }
    }
}

/// The pid in a pid file, if it holds one.
pub(crate) fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Write a pid file atomically (temporary file, then rename).
pub(crate) fn write_pid(path: &Path, pid: u32) -> Result<()> {
    let tmp = path.with_extension("pid.tmp");
    std::fs::write(&tmp, format!("{pid}\n"))
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

/// Remove a pid file; a missing one is fine.
pub(crate) fn remove_pid(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Whether `pid` is a live process (not a zombie waiting to be reaped).
pub(crate) fn alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    match kill(Pid::from_raw(pid), None) {
        Ok(()) | Err(nix::errno::Errno::EPERM) => {}
        Err(_) => return false,
    }
    // Linux: a zombie still answers kill(0) but holds no socket and runs no code.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_none_or(|state| state != "Z" && state != "X"),
        Err(_) => true,
    }
}

/// Whether `pid` is a live `tazan` process serving `config`: a pid file can
/// outlive its process (crash, reboot) and the pid be reused by another
/// program, which must never be signalled. Where the command line cannot be
/// read (not Linux), a live pid is taken as ours.
pub(crate) fn serves(pid: i32, config: &Path) -> bool {
    if !alive(pid) {
        return false;
    }
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => {
            let want = config.as_os_str().as_encoded_bytes();
            cmdline.split(|b| *b == 0).any(|arg| arg == want)
        }
        Err(_) => true,
    }
}

/// Send `sig` to `pid`; false when it is already gone.
pub(crate) fn signal(pid: i32, sig: Signal) -> bool {
    kill(Pid::from_raw(pid), sig).is_ok()
}

/// A process to stop: a child of this process (reaped through its handle) or
/// a pid found in a pid file.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) name: String,
    pub(crate) pid: i32,
    pub(crate) child: Option<tokio::process::Child>,
}

impl Target {
    fn gone(&mut self) -> bool {
        match &mut self.child {
            Some(child) => !matches!(child.try_wait(), Ok(None)),
            None => !alive(self.pid),
        }
    }
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stopped {
    /// It exited after SIGTERM within the time limit.
    Terminated,
    /// It needed SIGKILL.
    Killed,
    /// It was already gone.
    Gone,
}

/// SIGTERM every target, wait up to `timeout` for all of them, SIGKILL the
/// rest and wait for those too (at most 5 s more). Returns each target's
/// name, pid and how it ended.
pub(crate) async fn stop(
    mut targets: Vec<Target>,
    timeout: Duration,
) -> Vec<(String, i32, Stopped)> {
    let mut out = Vec::new();
    for t in &mut targets {
        if t.gone() || !signal(t.pid, Signal::SIGTERM) {
            out.push((t.name.clone(), t.pid, Stopped::Gone));
        }
    }
    targets.retain(|t| !out.iter().any(|(n, _, _)| *n == t.name));
    let deadline = tokio::time::Instant::now() + timeout;
    while tokio::time::Instant::now() < deadline && !targets.iter_mut().all(Target::gone) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for t in &mut targets {
        if t.gone() {
            out.push((t.name.clone(), t.pid, Stopped::Terminated));
        } else {
            tracing::warn!(service = %t.name, pid = t.pid, ?timeout, "did not stop after SIGTERM; sending SIGKILL");
            signal(t.pid, Signal::SIGKILL);
            out.push((t.name.clone(), t.pid, Stopped::Killed));
        }
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < deadline && !targets.iter_mut().all(Target::gone) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stop_terminates_then_kills_and_reports_which() {
        // `sleep` exits on SIGTERM; a shell ignoring TERM needs SIGKILL.
        let polite = tokio::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let stubborn = tokio::process::Command::new("sh")
            .args(["-c", "trap '' TERM; while :; do sleep 0.05; done"])
            .spawn()
            .unwrap();
        // Let the shell install its trap.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let targets = vec![
            Target {
                name: "polite".into(),
                pid: polite.id().unwrap() as i32,
                child: Some(polite),
            },
            Target {
                name: "stubborn".into(),
                pid: stubborn.id().unwrap() as i32,
                child: Some(stubborn),
            },
        ];
        let pids: Vec<i32> = targets.iter().map(|t| t.pid).collect();
        let mut out = stop(targets, Duration::from_millis(500)).await;
        out.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(out[0].2, Stopped::Terminated);
        assert_eq!(out[1].2, Stopped::Killed);
        for pid in pids {
            assert!(!alive(pid), "{pid} still alive");
        }
    }

    #[test]
    fn pid_files_and_liveness() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pid");
        assert_eq!(read_pid(&path), None);
        write_pid(&path, std::process::id()).unwrap();
        let me = read_pid(&path).unwrap();
        assert!(alive(me));
        // This test binary does not serve that config.
        assert!(!serves(me, Path::new("/nonexistent/hub.toml")));
        remove_pid(&path).unwrap();
        remove_pid(&path).unwrap();
        assert!(!alive(0) && !alive(-1));
    }
}
