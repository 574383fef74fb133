//! `tazan user`: people who log in to a portal. The running service answers
//! over its admin socket; a stopped one's store is opened directly.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use tazan_portal::accounts::{NewUser, Role};
use tazan_portal::admin::{UserAnswer, UserCommand};

/// Which service's people: its config, or a home holding node.toml or hub.toml.
#[derive(Debug, Args)]
pub(crate) struct Target {
    /// The service's config: a hub.toml or a node.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// A home directory with node.toml or hub.toml (default $TAZAN_HOME, else ~/.local/share/tazan).
    #[arg(long, value_name = "DIR")]
    home: Option<PathBuf>,
}

impl Target {
    pub(super) fn config(self) -> Result<PathBuf> {
        if let Some(c) = self.config {
            return Ok(c);
        }
        let home = tazan::home::resolve(self.home);
        for name in ["node.toml", "hub.toml"] {
            if home.join(name).exists() {
                return Ok(home.join(name));
            }
        }
        bail!(
            "no node.toml or hub.toml in {}; pass --config FILE or --home DIR",
            home.display()
        )
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserCmd {
    /// Add a person and print their invitation link (they choose a password there).
    #[command(after_help = "Examples:
  tazan user add --member sakura-bank --name 佐藤 --role reviewer --home deploy/local/sakura-bank
  tazan user add --member finance-hub --name 管理者 --login admin --role admin --config fed/finance/hub.toml

At a hub, --member is a member of its roster or the hub itself (its operators); at a node, the node
itself. The login defaults to the name. The link works once and for 72 hours.")]
    Add {
        /// The roster member the person acts for.
        #[arg(long)]
        member: String,
        /// The person's name as pages show it.
        #[arg(long)]
        name: String,
        /// What they type to log in (default: the name).
        #[arg(long)]
        login: Option<String>,
        /// reader, reviewer or admin.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        target: Target,
    },
    /// List the people of a service.
    #[command(after_help = "Examples:
  tazan user list --home deploy/local/sakura-bank
  tazan user list --config fed/finance/hub.toml --json")]
    List {
        #[command(flatten)]
        target: Target,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a person: they cannot log in any more and their open sessions end at once.
    #[command(after_help = "Example:
  tazan user revoke 佐藤 --home deploy/local/sakura-bank")]
    Revoke {
        /// Their login.
        login: String,
        #[command(flatten)]
        target: Target,
    },
    /// Print a new link for a person to choose a password (the old one stops working).
    #[command(after_help = "Example:
  tazan user reset 佐藤 --home deploy/local/sakura-bank")]
    Reset {
        /// Their login.
        login: String,
        #[command(flatten)]
        target: Target,
    },
}

pub(super) fn user(cmd: UserCmd) -> Result<ExitCode> {
    let (target, command, json) = match cmd {
        UserCmd::Add {
            member,
            name,
            login,
            role,
            target,
        } => {
            let new = NewUser {
                login,
                name,
                member: member
                    .parse()
                    .map_err(|e| anyhow::anyhow!("--member: {e}"))?,
                role: role
                    .parse::<Role>()
                    .map_err(|e| anyhow::anyhow!("--role: {e}"))?,
            };
            (target, UserCommand::Add(new), false)
        }
        UserCmd::List { target, json } => (target, UserCommand::List, json),
        UserCmd::Revoke { login, target } => (target, UserCommand::Revoke { login }, false),
        UserCmd::Reset { login, target } => (target, UserCommand::Reset { login }, false),
    };
    let config = target.config()?;
    let answer = tazan_portal::user_command(&config, command)?;
    if json {
        println!("{}", serde_json::to_string(&answer)?);
        return Ok(ExitCode::SUCCESS);
    }
    match answer {
        UserAnswer::Link {
            user,
            link,
            expires_at,
            reset,
        } => {
            let what = if reset {
                "password reset for"
            } else {
                "invited"
            };
            println!(
                "{what} {} (login {}, {}, {})",
                user.name, user.login, user.member, user.role
            );
            println!("  link: {link}");
            println!(
                "  valid until {}; shown only now: give it to the person over a safe channel",
                tazan_search::iso8601(expires_at)
            );
        }
        UserAnswer::Users { users } => {
            if users.is_empty() {
                println!("(no people yet; add one with `tazan user add`)");
            }
            for u in users {
                println!(
                    "{:<16}  {:<12}  {:<20}  {:<8}  {}",
                    u.login,
                    u.name,
                    u.member.as_str(),
                    u.role.as_str(),
                    u.status.as_str()
                );
            }
        }
        UserAnswer::User { user } => {
            println!(
                "{} ({}) is now {}",
                user.login,
                user.member,
                user.status.as_str()
            );
        }
        UserAnswer::Refused { message } => bail!("{message}; nothing was changed"),
        other => println!("{}", serde_json::to_string(&other)?),
    }
    Ok(ExitCode::SUCCESS)
}
