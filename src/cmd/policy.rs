//! `tazan policy`: the group's NDA policy as a signed, versioned document.
//! The rules live in `tazan-trust` (signature, staleness), `tazan-sanitize`
//! (valid, stricter), `tazan-hub` (publish, withdraw, status) and
//! `tazan-node` (fetch, install, draft under it); this is arguments → call.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use tazan_hub::{HubConfig, PolicyPublished};
use tazan_node::Fetched;
use tazan_trust::{KeyPair, PolicyDocument, SignedPolicy};

use crate::cli::HomeArg;

#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCmd {
    /// Sign a policy TOML as the group's policy of a version (group admin key).
    #[command(
        after_help = "Example:\n  tazan policy sign group-policy.toml --group finance-hub --policy-version 2 \\\n      --admin-key fed/finance/admin.key --out policy-v2.json\n  tazan policy publish policy-v2.json --hub-config fed/finance/hub.toml"
    )]
    Sign {
        /// The policy TOML (the format of a node's policy.toml).
        file: PathBuf,
        /// The group: its hub's id, as in the roster.
        #[arg(long)]
        group: String,
        /// The version; each issued document has a higher one.
        #[arg(long, value_name = "N")]
        policy_version: u32,
        /// Earlier versions withdrawn (lessons drafted under them are refused).
        #[arg(long = "withdrawn")]
        withdrawn: Vec<u32>,
        /// The group admin's signing key (the one that signs the roster).
        #[arg(long)]
        admin_key: PathBuf,
        /// Where to write the signed document (JSON).
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a signed policy in force at a hub: the hub serves it with the roster (a running hub at once).
    #[command(
        after_help = "Example:\n  tazan policy publish policy-v2.json --hub-config fed/finance/hub.toml"
    )]
    Publish {
        /// The signed document (from `tazan policy sign`).
        file: PathBuf,
        /// The hub's config.
        #[arg(long, value_name = "FILE")]
        hub_config: PathBuf,
    },
    /// Withdraw a version: issue the next version of the same rules with it withdrawn, and publish it.
    #[command(
        after_help = "Example:\n  tazan policy withdraw 1 --admin-key fed/finance/admin.key --hub-config fed/finance/hub.toml"
    )]
    Withdraw {
        /// The version withdrawn.
        #[arg(value_name = "VERSION")]
        withdrawn_version: u32,
        /// The group admin's signing key.
        #[arg(long)]
        admin_key: PathBuf,
        /// The hub's config.
        #[arg(long, value_name = "FILE")]
        hub_config: PathBuf,
    },
    /// Fetch the group's policy from the node's hub, check its signature, keep it and acknowledge it.
    #[command(
        after_help = "Examples:\n  tazan policy fetch --home fed/sakura-bank\n  tazan policy fetch --home fed/sakura-bank --group kanto   # a further group's ([[groups]] in node.toml)"
    )]
    Fetch {
        #[command(flatten)]
        home: HomeArg,
        /// The node's group whose policy to fetch (default: its first group).
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
    },
    /// Show a signed policy: a file, a hub's (--hub-config) or the one a node holds (--home).
    #[command(
        after_help = "Examples:\n  tazan policy show policy-v2.json\n  tazan policy show --home fed/sakura-bank   # what the node drafts under\n  tazan policy show --hub-config fed/finance/hub.toml --rules"
    )]
    Show {
        /// A signed document.
        file: Option<PathBuf>,
        /// The hub's config.
        #[arg(long, value_name = "FILE", conflicts_with = "file")]
        hub_config: Option<PathBuf>,
        #[command(flatten)]
        home: HomeArg,
        /// With --home: the node's group whose policy to show (default: its first group).
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
        /// Print the policy TOML too.
        #[arg(long)]
        rules: bool,
    },
    /// At a hub: the policy in force and which member accepted which version.
    #[command(after_help = "Example:\n  tazan policy status --hub-config fed/finance/hub.toml")]
    Status {
        /// The hub's config.
        #[arg(long, value_name = "FILE")]
        hub_config: PathBuf,
    },
}

/// The node's configuration as its group `group` sees it (`--group`; none: its first group).
fn group_view(
    cfg: tazan_node::NodeConfig,
    group: Option<String>,
) -> Result<tazan_node::NodeConfig> {
    Ok(match group {
        Some(g) => cfg.for_group(&g, "--group")?,
        None => cfg,
    })
}

pub(crate) async fn policy(cmd: PolicyCmd) -> Result<ExitCode> {
    match cmd {
        PolicyCmd::Sign {
            file,
            group,
            policy_version: version,
            withdrawn,
            admin_key,
            out,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let text = tazan_model::strip_bom(&text).to_owned();
            tazan_sanitize::Policy::from_toml_str(&text, &file.display().to_string())?;
            if withdrawn.contains(&version) {
                anyhow::bail!("--withdrawn {version}: a document cannot withdraw its own version");
            }
            let admin = KeyPair::load(&admin_key)?;
            let signed = PolicyDocument {
                group: group.parse().context("--group")?,
                version,
                issued_at: tazan_trust::now_unix(),
                withdrawn,
                policy: text,
            }
            .sign(&admin)?;
            signed.save(&out)?;
            println!(
                "signed the policy of {group}, version {version}, with {} → {}",
                admin.key_id(),
                out.display()
            );
        }
        PolicyCmd::Publish { file, hub_config } => {
            let config = HubConfig::load(&hub_config)?;
            let signed = SignedPolicy::load(&file)?
                .with_context(|| format!("{}: no such file", file.display()))?;
            let done = tazan_hub::publish_policy(&config, &signed).await?;
            print_published(&config, &done);
        }
        PolicyCmd::Withdraw {
            withdrawn_version: version,
            admin_key,
            hub_config,
        } => {
            let config = HubConfig::load(&hub_config)?;
            let admin = KeyPair::load(&admin_key)?;
            let signed = tazan_hub::withdrawal_document(&config, &admin, version)?;
            let done = tazan_hub::publish_policy(&config, &signed).await?;
            println!(
                "withdrew version {version}: lessons drafted under it are refused from now on"
            );
            print_published(&config, &done);
        }
        PolicyCmd::Fetch { home, group } => {
            let cfg = group_view(super::node_config(home.home)?, group)?;
            match tazan_node::fetch_group_policy(&cfg).await? {
                Fetched::NoPolicy => println!("the group hub {} distributes no group policy", cfg.hub_name),
                Fetched::Unchanged { version } => {
                    println!("group policy version {version} is held already (acknowledged to {})", cfg.hub_name)
                }
                Fetched::Installed { version, previous } => println!(
                    "group policy version {version} installed{} and acknowledged to {}; new drafts are made under it",
                    previous.map(|p| format!(" (was {p})")).unwrap_or_default(),
                    cfg.hub_name
                ),
            }
        }
        PolicyCmd::Show {
            file,
            hub_config,
            home,
            group,
            rules,
        } => {
            let signed = match (file, hub_config) {
                (Some(file), _) => SignedPolicy::load(&file)?
                    .with_context(|| format!("{}: no such file", file.display()))?,
                (None, Some(hub)) => {
                    let config = HubConfig::load(&hub)?;
                    tazan_hub::policy_status(&config)
                        .await?
                        .0
                        .with_context(|| {
                            format!("no group policy was published at {}", config.id)
                        })?
                }
                (None, None) => {
                    let cfg = group_view(super::node_config(home.home)?, group)?;
                    tazan_node::held_group_policy(&cfg)?.with_context(|| {
                        format!(
                            "this node holds no group policy; run `tazan policy fetch` (its hub is {})",
                            cfg.hub_name
                        )
                    })?
                }
            };
            let d = &signed.document;
            println!(
                "group {}  version {}  issued at {}  withdrawn {}",
                d.group,
                d.version,
                d.issued_at,
                list(&d.withdrawn)
            );
            if rules {
                print!("{}", d.policy);
            }
        }
        PolicyCmd::Status { hub_config } => {
            let config = HubConfig::load(&hub_config)?;
            let (file, status) = tazan_hub::policy_status(&config).await?;
            let Some(status) = status else {
                match file {
                    Some(f) => println!(
                        "hub {} is not running; its policy file holds version {} (acceptances are kept in its store: start it to see them)",
                        config.id, f.document.version
                    ),
                    None => println!("hub {} is not running and has no policy file", config.id),
                }
                return Ok(ExitCode::SUCCESS);
            };
            if status.version == 0 {
                println!("hub {} distributes no group policy", config.id);
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "group policy version {} in force at {} (issued at {}), withdrawn {}",
                status.version,
                config.id,
                status.issued_at,
                list(&status.withdrawn)
            );
            for m in &status.members {
                let state = match m.version {
                    0 => "not accepted".to_owned(),
                    v if v == status.version => {
                        format!("accepted version {v} (current) at {}", m.accepted_at)
                    }
                    v => format!(
                        "accepted version {v} at {} (not the current one)",
                        m.accepted_at
                    ),
                };
                println!("  {:<24} {state}", m.member);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_published(config: &HubConfig, done: &PolicyPublished) {
    match done {
        PolicyPublished::Written { version } => println!(
            "version {version} written to {}; hub {} is not running and puts it in force when it starts",
            config.policy.display(),
            config.id
        ),
        PolicyPublished::InForce { version, changed: true } => println!(
            "version {version} is in force at hub {}; members fetch it with the roster",
            config.id
        ),
        PolicyPublished::InForce { version, changed: false } => {
            println!("version {version} was in force at hub {} already", config.id)
        }
    }
}

fn list(versions: &[u32]) -> String {
    if versions.is_empty() {
        return "none".into();
    }
    versions
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
