//! Where a command keeps local state: `--home DIR`, else `$TAZAN_HOME`, else
//! the platform's data directory (`$XDG_DATA_HOME/tazan`, `~/.local/share/tazan`).
//!
//! A command that only reads never creates a home: when the directory (or
//! what it needs in it) is missing it says which directory it looked in, why
//! that one (flag, variable or default) and how to pass another.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};

/// The home directory for local state.
pub fn resolve(flag: Option<PathBuf>) -> PathBuf {
    Home::of(flag).dir
}

/// A home directory and how it was chosen.
#[derive(Debug, Clone)]
pub struct Home {
    /// The directory.
    pub dir: PathBuf,
    /// Where it came from.
    pub from: Source,
}

/// How the home directory was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `--home DIR`.
    Flag,
    /// `$TAZAN_HOME`.
    Env,
    /// The default: no `--home`, no `$TAZAN_HOME`.
    Default,
}

impl Home {
    /// `--home`, else `$TAZAN_HOME`, else the default.
    pub fn of(flag: Option<PathBuf>) -> Home {
        if let Some(dir) = flag {
            return Home {
                dir,
                from: Source::Flag,
            };
        }
        if let Some(dir) = std::env::var_os("TAZAN_HOME").filter(|v| !v.is_empty()) {
            return Home {
                dir: PathBuf::from(dir),
                from: Source::Env,
            };
        }
        let dir = if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
            PathBuf::from(dir).join("tazan")
        } else {
            match std::env::var_os("HOME") {
                Some(home) => PathBuf::from(home).join(".local/share/tazan"),
                None => PathBuf::from(".tazan"),
            }
        };
        Home {
            dir,
            from: Source::Default,
        }
    }

    /// The directory and why it is the one, for messages.
    pub fn describe(&self) -> String {
        let why = match self.from {
            Source::Flag => "",
            Source::Env => " (from $TAZAN_HOME)",
            Source::Default => " (the default home: no --home given and TAZAN_HOME is not set)",
        };
        format!("{}{why}", self.dir.display())
    }

    /// `HOME/name`.
    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// An error for a read that finds no `what` here: names the directory,
    /// why it is the one, what it holds instead and how to pass another.
    pub fn missing(&self, what: &str, create_hint: &str) -> anyhow::Error {
        if !self.dir.exists() {
            return anyhow!(
                "no tazan home at {}: the directory does not exist, so it holds no {what}; pass --home DIR or set TAZAN_HOME (a node's or hub's directory, e.g. one made by `tazan topology create`)",
                self.describe(),
            );
        }
        if let Some(hub) = self.hub_config() {
            return anyhow!(
                "{} is a hub's home (it holds {}, not node.toml), and {what} belongs to an org node: pass --home DIR of a node instead (e.g. fed/sakura-bank); at the hub itself use `tazan hub serve --config {}` or a command's --hub-config",
                self.describe(),
                hub.display(),
                hub.display()
            );
        }
        anyhow!("no {what} in {}{}", self.describe(), hint(create_hint))
    }

    /// The node's config, `HOME/node.toml`, or an error saying what the home is.
    pub fn node_config(&self) -> Result<PathBuf> {
        let path = self.join("node.toml");
        if path.is_file() {
            Ok(path)
        } else {
            Err(self.missing(
                "node.toml",
                "pass --home DIR (or set TAZAN_HOME) to a node's directory, e.g. one made by `tazan topology create`",
            ))
        }
    }

    /// `HOME/hub.toml` when this is a hub's home.
    fn hub_config(&self) -> Option<PathBuf> {
        let path = self.join("hub.toml");
        path.is_file().then_some(path)
    }

    /// The directory, when it exists (for reads).
    pub fn existing(&self) -> Result<&Path> {
        if self.dir.is_dir() {
            Ok(&self.dir)
        } else {
            Err(self.missing("home", ""))
        }
    }
}

fn hint(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("; {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_where_why_and_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let absent = Home {
            dir: dir.path().join("nowhere"),
            from: Source::Default,
        };
        let e = absent.node_config().unwrap_err().to_string();
        assert!(
            e.contains("no tazan home at")
                && e.contains("the default home")
                && e.contains("--home DIR"),
            "{e}"
        );
        let hub = Home {
            dir: dir.path().to_owned(),
            from: Source::Flag,
        };
        std::fs::write(hub.join("hub.toml"), "").unwrap();
        let e = hub.node_config().unwrap_err().to_string();
        assert!(
            e.contains("is a hub's home") && e.contains("hub.toml"),
            "{e}"
        );
        std::fs::remove_file(hub.join("hub.toml")).unwrap();
        let e = hub.node_config().unwrap_err().to_string();
        assert!(e.starts_with("no node.toml in"), "{e}");
        assert!(!absent.dir.exists(), "nothing was created");
    }
}
