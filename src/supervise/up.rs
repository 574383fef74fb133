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
    /// The services whose pid file names their live process, as
    /// `(name, pid)`; pid files left by processes that are gone are removed,
    /// and the run and log directories made.
    fn running(&self) -> Result<Vec<(String, i32)>> {
        let mut running = Vec::new();
        for s in &self.services {
            let path = self.pid_file(s);
            match process::read_pid(&path) {
                Some(pid) if process::serves(pid, &s.config) => running.push((s.name.clone(), pid)),
                Some(_) => process::remove_pid(&path)?,
                None => {}
            }
        }
        for sub in ["run", "logs"] {
            let d = self.dir.join(sub);
            std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
        }
        Ok(running)
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

    /// Start every service that is not running detached (own session,
    /// output to its log file, pid file written) and return once all are
    /// healthy, with the ones that were already running as `(name, pid)`.
    /// When one does not come up within `timeout`, stop the ones started and
    /// fail naming it, with the tail of its log.
    pub async fn up_detached(
        &self,
        exe: &Path,
        timeout: Duration,
        quiet: bool,
    ) -> Result<Vec<(String, i32)>> {
        self.start_detached(exe, timeout, quiet, None).await
    }

    /// [`Local::up_detached`] for every service, or for `only` that one.
    async fn start_detached(
        &self,
        exe: &Path,
        timeout: Duration,
        quiet: bool,
        only: Option<&str>,
    ) -> Result<Vec<(String, i32)>> {
        let running = self.running()?;
        let mut started = Vec::new();
        for s in self.selected(only) {
            if running.iter().any(|(name, _)| *name == s.name) {
                continue;
            }
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
        let progress = Progress::bar(self.selected(only).count() as u64, "starting", quiet);
        let result = self
            .wait_healthy(timeout, &mut started, &progress, only)
            .await;
        progress.finish();
        if let Err(e) = result {
            self.stop_started(started).await;
            return Err(e);
        }
        // The services outlive this process: let go of their handles
        // without killing them (init reaps them once we exit).
        drop(started);
        Ok(running)
    }

    /// Stop service `name` if it runs (SIGTERM, then SIGKILL after
    /// `stop_timeout`), start it again detached and wait until it is
    /// healthy. Returns how it was stopped, with its old pid.
    pub async fn restart(
        &self,
        exe: &Path,
        name: &str,
        stop_timeout: Duration,
        timeout: Duration,
    ) -> Result<Option<(i32, Stopped)>> {
        let s = self.service(name)?;
        if let Some(why) = &s.config_error {
            bail!("{name}: its config does not load, so it would not start: {why}");
        }
        let pid_file = self.pid_file(s);
        let stopped = match process::read_pid(&pid_file) {
            Some(pid) if process::serves(pid, &s.config) => {
                let target = process::Target {
                    name: s.name.clone(),
                    pid,
                    child: None,
                };
                process::stop(vec![target], stop_timeout)
                    .await
                    .into_iter()
                    .next()
                    .map(|(_, pid, how)| (pid, how))
            }
            _ => None,
        };
        process::remove_pid(&pid_file)?;
        self.start_detached(exe, timeout, true, Some(name)).await?;
        Ok(stopped)
    }

    /// Every service, or only the one named.
    fn selected<'a>(&'a self, only: Option<&'a str>) -> impl Iterator<Item = &'a Service> {
        self.services
            .iter()
            .filter(move |s| only.is_none_or(|name| s.name == name))
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

    /// Stop the services this command started and remove their pid files
    /// (not those of services that were running before).
    async fn stop_started(&self, started: Vec<process::Target>) {
        let names: Vec<String> = started.iter().map(|t| t.name.clone()).collect();
        process::stop(started, STOP_TIMEOUT).await;
        for s in self.services.iter().filter(|s| names.contains(&s.name)) {
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
        only: Option<&str>,
    ) -> Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        let services: Vec<&Service> = self.selected(only).collect();
        let mut healthy = vec![false; services.len()];
        loop {
            for s in &services {
                let mine = started.iter_mut().find(|t| t.name == s.name);
                if let Some(child) = mine.and_then(|t| t.child.as_mut()) {
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
            let probes = services.iter().zip(&healthy).map(|(s, ok)| async move {
                if *ok {
                    return true;
                }
                match s.check().await {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::debug!(service = %s.name, error = %format!("{e:#}"), "not healthy yet");
                        false
                    }
                }
            });
            healthy = futures::future::join_all(probes).await;
            let waiting: Vec<&str> = services
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
                let s = services
                    .iter()
                    .find(|s| s.name == waiting[0])
                    .copied()
                    .unwrap_or(&self.services[0]);
                let why = s.check().await.err().map(|e| format!("{e:#}"));
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

    /// Run every service that is not running yet in the foreground with its
    /// output prefixed by its name, until `shutdown` resolves (SIGINT/SIGTERM)
    /// or every service it started has exited; then stop those. Services
    /// already running (detached) are left alone and named. Returns whether
    /// every service it started ended well (exited 0 on SIGTERM).
    pub async fn up_foreground(
        &self,
        exe: &Path,
        timeout: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<bool> {
        let running = self.running()?;
        let width = self
            .services
            .iter()
            .map(|s| s.name.len())
            .max()
            .unwrap_or(0);
        let mut children = Vec::new();
        let mut readers = tokio::task::JoinSet::new();
        let tag = format!("{:>width$} |", "tazan up");
        for (name, pid) in &running {
            println!("{tag} {name} is already running (pid {pid}); leaving it alone");
        }
        if running.len() == self.services.len() {
            println!("{tag} every service is already running; nothing to start (`tazan restart DIR SERVICE` restarts one)");
            return Ok(true);
        }
        for s in &self.services {
            if running.iter().any(|(name, _)| *name == s.name) {
                continue;
            }
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
        tokio::pin!(shutdown);
        // `shutdown` is polled again only while it has not fired.
        let mut stop_now = false;
        let hidden = Progress::hidden();
        let health = self.wait_healthy(timeout, &mut children, &hidden, None);
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
            if !running.iter().any(|(name, _)| *name == s.name) {
                process::remove_pid(&self.pid_file(s))?;
            }
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
