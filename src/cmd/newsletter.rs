//! `tazan newsletter`: the hub's newsletter by e-mail. The rules (what may
//! go by mail, delivery records, unsubscribe tokens) live in
//! `tazan_portal::newsletter`; this file parses arguments and prints.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Subcommand;
use tazan_portal::admin::{UserAnswer, UserCommand};
use tazan_portal::newsletter::RecipientOutcome;

use super::users::Target;

#[derive(Debug, Subcommand)]
pub(crate) enum NewsletterCmd {
    /// Send the newsletter to a person of the hub (an account of its portal) at an address.
    #[command(after_help = "Example:
  tazan newsletter subscribe 佐藤 sato@sakura-bank.example --config fed/finance/hub.toml")]
    Subscribe {
        /// Their login.
        login: String,
        /// Where the newsletter goes.
        email: String,
        #[command(flatten)]
        target: Target,
    },
    /// Stop the newsletter for a person (every mail also carries their own unsubscribe link).
    #[command(after_help = "Example:
  tazan newsletter unsubscribe 佐藤 --config fed/finance/hub.toml")]
    Unsubscribe {
        /// Their login.
        login: String,
        #[command(flatten)]
        target: Target,
    },
    /// Compose an issue from the hub's index and the editor's notes, and mail it to every
    /// subscribed person. AMBER lessons appear only as a notice to log in. A re-run of the
    /// same issue sends the same letter to those not yet sent (failed ones are retried).
    #[command(after_help = "Examples:
  tazan newsletter send --since 2026-11-01 --config fed/finance/hub.toml --dry-run
  tazan newsletter send --since 2026-11-01 --issue 2026-11 --notes notes.toml --config fed/finance/hub.toml

The hub.toml needs a [mail] table (smtp = \"HOST:PORT\", from = \"ADDRESS\", optional notes = FILE).
Exit code 1 when any delivery failed: each is recorded with the server's reply and retried by
the next run of the issue.")]
    Send {
        /// Lessons received at or after this date (YYYY-MM-DD).
        #[arg(long)]
        since: String,
        /// The issue's name (default: the --since date).
        #[arg(long)]
        issue: Option<String>,
        /// The editor's notes (TOML: [[press]], [[commentary]], [[notice]]); default `[mail] notes`.
        #[arg(long, value_name = "FILE")]
        notes: Option<PathBuf>,
        /// The SMTP relay HOST:PORT (default `[mail] smtp`).
        #[arg(long, value_name = "HOST:PORT")]
        smtp: Option<String>,
        /// Show who would receive it; send and record nothing.
        #[arg(long)]
        dry_run: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        target: Target,
    },
    /// The delivery records of an issue: sent or failed (with the reason), per person.
    #[command(after_help = "Example:
  tazan newsletter status 2026-11 --config fed/finance/hub.toml")]
    Status {
        /// The issue.
        issue: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        target: Target,
    },
}

pub(super) fn newsletter(cmd: NewsletterCmd) -> Result<ExitCode> {
    match cmd {
        NewsletterCmd::Subscribe {
            login,
            email,
            target,
        } => account(target, UserCommand::Subscribe { login, email }),
        NewsletterCmd::Unsubscribe { login, target } => {
            account(target, UserCommand::Unsubscribe { login })
        }
        NewsletterCmd::Send {
            since,
            issue,
            notes,
            smtp,
            dry_run,
            json,
            target,
        } => {
            let config = target.config()?;
            let report = tazan_portal::newsletter_command(
                &config,
                tazan_portal::SendRequest {
                    since,
                    issue,
                    notes,
                    smtp,
                    dry_run,
                },
            )?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                let how = if report.reused {
                    "the letter composed by an earlier run"
                } else {
                    "a new letter"
                };
                println!(
                    "issue {}: {how}, {} lessons, {} AMBER withheld (a notice only)",
                    report.issue, report.lessons, report.amber_withheld
                );
                if report.recipients.is_empty() {
                    println!("  (nobody is subscribed; see `tazan newsletter subscribe`)");
                }
                for r in &report.recipients {
                    let what = match &r.outcome {
                        RecipientOutcome::Sent => "sent".to_owned(),
                        RecipientOutcome::AlreadySent => "already sent".to_owned(),
                        RecipientOutcome::WouldSend => "would send (dry run)".to_owned(),
                        RecipientOutcome::Failed { reason } => format!("FAILED: {reason}"),
                    };
                    println!("  {:<16} {:<32} {what}", r.login, r.email);
                }
            }
            let failed: Vec<String> = report
                .recipients
                .iter()
                .filter_map(|r| match &r.outcome {
                    RecipientOutcome::Failed { reason } => {
                        Some(format!("{} <{}>: {reason}", r.login, r.email))
                    }
                    _ => None,
                })
                .collect();
            if !failed.is_empty() {
                bail!(
                    "{} of {} deliveries of issue {} failed ({}); each is recorded and the next `tazan newsletter send` of this issue retries it",
                    failed.len(),
                    report.recipients.len(),
                    report.issue,
                    failed.join("; ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        NewsletterCmd::Status {
            issue,
            json,
            target,
        } => {
            let config = target.config()?;
            match tazan_portal::user_command(&config, UserCommand::Deliveries { issue })? {
                UserAnswer::Deliveries { deliveries } => {
                    if json {
                        println!("{}", serde_json::to_string(&deliveries)?);
                    } else {
                        if deliveries.is_empty() {
                            println!("(no deliveries recorded for this issue)");
                        }
                        for d in deliveries {
                            println!(
                                "{:<16} {:<32} {:?} after {} attempt(s) {}",
                                d.login, d.email, d.state, d.attempts, d.reason
                            );
                        }
                    }
                    Ok(ExitCode::SUCCESS)
                }
                UserAnswer::Refused { message } => bail!("{message}"),
                other => bail!("unexpected answer from the service: {other:?}"),
            }
        }
    }
}

fn account(target: Target, cmd: UserCommand) -> Result<ExitCode> {
    let config = target.config()?;
    match tazan_portal::user_command(&config, cmd)? {
        UserAnswer::User { user } => {
            match (&user.email, user.subscribed) {
                (Some(e), true) => println!("{} receives the newsletter at {e}", user.login),
                _ => println!("{} receives no newsletter", user.login),
            }
            Ok(ExitCode::SUCCESS)
        }
        UserAnswer::Refused { message } => bail!("{message}; nothing was changed"),
        other => bail!("unexpected answer from the service: {other:?}"),
    }
}
