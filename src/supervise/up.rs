//! Starting the services: `tazan up`, detached (own sessions, pid and log
//! files, back once all are healthy) or in the foreground (prefixed output,
//! Ctrl-C stops them all in order).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tokio::io::AsyncBufReadExt;

use super::{process, Local, Role, Service, Stopped, SETSID_ENV, START_MARK, STOP_TIMEOUT};
use crate::progress::Progress;

impl Local {
    /// Refuse to start when any service's pid file names its live process;
    /// remove pid files left by processes that are gone.
    fn check_not_running(&self) -> Result<()> {
        let mut running = Vec::new();
        for s in &self.services {
            let path = self.pid_file(s);
            match process::read_pid(&path) {
                Some(pid) if process::serves(pid, &s.config) => {
                    running.push(format!("{} (pid {pid})", s.name))
                }
                Some(_) => process::remove_pid(&path)?,
                None => {}
            }
        }
        if !running.is_empty() {
            bail!(
                "already running: {}; see `tazan status {dir}`, or stop them with `tazan down {dir}`",
                running.join(", "),
                dir = self.dir.display()
            );
        }
        for sub in ["run", "logs"] {
            let d = self.dir.join(sub);
            std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
        }
        Ok(())
    }

    fn command(&self, exe: &Path, s: &Service) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(exe);
        let verb = if s.role == Role::Node { "node" } else { "hub" };
        cmd.arg(verb)
            .arg("serve")
            .arg("--config")
            .arg(&s.config)
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        cmd
    }

    /// Start every service detached (own session, output to its log file,
    /// pid file written) and return once all are healthy. When one does not
    /// come up within `timeout`, stop the ones started and fail naming it,
    /// with the tail of its log.
    pub async fn up_detached(&self, exe: &Path, timeout: Duration, quiet: bool) -> Result<()> {
        self.check_not_running()?;
        let mut started = Vec::new();
        for s in &self.services {
            let log_path = self.log_file(s);
            let mut log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log_path)
                .with_context(|| format!("opening {}", log_path.display()))?;
            std::io::Write::write_all(
                &mut log,
                format!(
                    "{START_MARK} {} at unix time {}\n",
                    s.name,
                    tazan_trust::now_unix()
                )
                .as_bytes(),
            )
            .with_context(|| format!("writing {}", log_path.display()))?;
            let err = log
                .try_clone()
                .with_context(|| format!("opening {}", log_path.display()))?;
            let mut cmd = self.command(exe, s);
            cmd.stdout(log)
                .stderr(err)
                .env(SETSID_ENV, "1")
                .env("NO_COLOR", "1");
            self.spawn(cmd, s, &mut started).await?;
        }
        let progress = Progress::bar(self.services.len() as u64, "starting", quiet);
        let result = self.wait_healthy(timeout, &mut started, &progress).await;
        progress.finish();
        if let Err(e) = result {
            self.stop_started(started).await;
            return Err(e);
        }
        // The services outlive this process: let go of their handles
        // without killing them (init reaps them once we exit).
        drop(started);
        Ok(())
    }

    /// Start one service and write its pid file; on failure stop the ones
    /// already `started`.
    async fn spawn(
        &self,
        mut cmd: tokio::process::Command,
        s: &Service,
        started: &mut Vec<process::Target>,
    ) -> Result<()> {
        let result = cmd
            .spawn()
            .with_context(|| format!("starting {}", s.name))
            .and_then(|child| {
                let pid = child.id().unwrap_or_default();
                started.push(process::Target {
                    name: s.name.clone(),
                    pid: pid as i32,
                    child: Some(child),
                });
                process::write_pid(&self.pid_file(s), pid)
            });
        if result.is_err() {
            self.stop_started(std::mem::take(started)).await;
        }
        result
    }

    async fn stop_started(&self, started: Vec<process::Target>) {
        process::stop(started, STOP_TIMEOUT).await;
        for s in &self.services {
            let _ = process::remove_pid(&self.pid_file(s));
        }
    }

    /// Poll every service until all are healthy; fail at once when one
    /// exits, or at `timeout`, naming the service and showing its log's tail.
    async fn wait_healthy(
        &self,
        timeout: Duration,
        started: &mut [process::Target],
        progress: &Progress,
    ) -> Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut healthy = vec![false; self.services.len()];
        loop {
            for (i, s) in self.services.iter().enumerate() {
                if let Some(child) = started.get_mut(i).and_then(|t| t.child.as_mut()) {
                    if let Ok(Some(status)) = child.try_wait() {
                        bail!(
                            "{} exited during start ({status}){}",
                            s.name,
                            self.log_tail(s)
                        );
                    }
                }
            }
            // Probe the ones not yet healthy all at once, so that one slow
            // answer does not hold up the others.
            let probes = self.services.iter().zip(&healthy).map(|(s, ok)| async move {
                if *ok {
                    return true;
                }
                match s.probe.check().await {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::debug!(service = %s.name, error = %format!("{e:#}"), "not healthy yet");
                        false
                    }
                }
            });
            healthy = futures::future::join_all(probes).await;
            let waiting: Vec<&str> = self
                .services
                .iter()
                .zip(&healthy)
                .filter(|(_, h)| !**h)
                .map(|(s, _)| s.name.as_str())
                .collect();
            progress.set_position((healthy.len() - waiting.len()) as u64);
            if waiting.is_empty() {
                return Ok(());
            }
            progress.set_message(format!("waiting for {}", waiting.join(", ")));
            if tokio::time::Instant::now() > deadline {
                let s = self
                    .services
                    .iter()
                    .find(|s| s.name == waiting[0])
                    .unwrap_or(&self.services[0]);
                let why = s.probe.check().await.err().map(|e| format!("{e:#}"));
                bail!(
                    "{} did not become healthy within {timeout:?}{}{}",
                    waiting.join(", "),
                    why.map(|w| format!(" ({}: {w})", s.name))
                        .unwrap_or_default(),
                    self.log_tail(s)
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The last lines of a service's log since its latest start, as text to
    /// append to an error.
    fn log_tail(&self, s: &Service) -> String {
        let path = self.log_file(s);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let run = text.rfind(START_MARK).map_or(&text[..], |i| &text[i..]);
                let lines: Vec<&str> = run.lines().skip(1).collect();
                let tail = lines[lines.len().saturating_sub(15)..].join("\n  ");
                format!("; last lines of {}:\n  {tail}", path.display())
            }
            Err(_) => String::new(),
        }
    }

    /// Run every service in the foreground with its output prefixed by its
    /// name, until `shutdown` resolves (SIGINT/SIGTERM) or every service has
    /// exited; then stop them all. Returns whether every service ended well
    /// (exited 0 on SIGTERM).
    pub async fn up_foreground(
        &self,
        exe: &Path,
        timeout: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<bool> {
        self.check_not_running()?;
        let width = self
            .services
            .iter()
            .map(|s| s.name.len())
            .max()
            .unwrap_or(0);
        let mut children = Vec::new();
        let mut readers = tokio::task::JoinSet::new();
        for s in &self.services {
            let mut cmd = self.command(exe, s);
            cmd.stdout(Stdio::piped())
                .stderr(Stdio::piped())
                // Own process group: Ctrl-C reaches only this supervisor,
                // which then stops the services in order.
                .process_group(0)
                .kill_on_drop(true);
            if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                cmd.env("NO_COLOR", "1");
            }
            self.spawn(cmd, s, &mut children).await?;
            let prefix = format!("{:>width$} |", s.name);
            if let Some(child) = children.last_mut().and_then(|t| t.child.as_mut()) {
                if let Some(out) = child.stdout.take() {
                    readers.spawn(print_lines(prefix.clone(), out));
                }
                if let Some(err) = child.stderr.take() {
                    readers.spawn(print_lines(prefix, err));
                }
            }
        }
        let tag = format!("{:>width$} |", "tazan up");
        tokio::pin!(shutdown);
        // `shutdown` is polled again only while it has not fired.
        let mut stop_now = false;
        let hidden = Progress::hidden();
        let health = self.wait_healthy(timeout, &mut children, &hidden);
        tokio::select! {
            r = health => match r {
                Ok(()) => println!("{tag} all {} services healthy; Ctrl-C stops them", self.services.len()),
                Err(e) => println!("{tag} {e:#}"),
            },
            _ = &mut shutdown => stop_now = true,
        }
        let mut ok = true;
        let mut exited = vec![false; children.len()];
        loop {
            for (i, t) in children.iter_mut().enumerate() {
                if exited[i] {
                    continue;
                }
                if let Some(Ok(Some(status))) = t.child.as_mut().map(|c| c.try_wait()) {
                    exited[i] = true;
                    ok &= status.success();
                    println!("{tag} {} exited ({status})", t.name);
                }
            }
            if exited.iter().all(|e| *e) {
                break;
            }
            if stop_now {
                println!("{tag} stopping");
                ok &= self.stop_in_order(children).await;
                break;
            }
            tokio::select! {
                _ = &mut shutdown => stop_now = true,
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        }
        while readers.join_next().await.is_some() {}
        for s in &self.services {
            process::remove_pid(&self.pid_file(s))?;
        }
        Ok(ok)
    }

    /// Stop children in reverse start order (nodes, group hubs, cross hub);
    /// true when none needed SIGKILL and each exited successfully.
    async fn stop_in_order(&self, children: Vec<process::Target>) -> bool {
        let mut ok = true;
        let mut by_role: Vec<Vec<process::Target>> = vec![Vec::new(), Vec::new(), Vec::new()];
        for t in children {
            let role = self.role_of(&t.name);
            by_role[role as usize].push(t);
        }
        for group in by_role.into_iter().rev() {
            let mut group = group;
            let results = process::stop(
                group
                    .iter_mut()
                    .map(|t| process::Target {
                        name: t.name.clone(),
                        pid: t.pid,
                        child: t.child.take(),
                    })
                    .collect(),
                STOP_TIMEOUT,
            )
            .await;
            ok &= results.iter().all(|(_, _, how)| *how != Stopped::Killed);
        }
        ok
    }

    fn role_of(&self, name: &str) -> Role {
        self.services
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.role)
            .unwrap_or(Role::Node)
    }
}

async fn print_lines(prefix: String, stream: impl tokio::io::AsyncRead + Unpin) {
    let mut lines = tokio::io::BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        println!("{prefix} {line}");
    }
}
