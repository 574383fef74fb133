//! Where a command keeps local state: `--home DIR`, else `$TAZAN_HOME`, else
//! the platform's data directory (`$XDG_DATA_HOME/tazan`, `~/.local/share/tazan`).

use std::path::PathBuf;

/// The home directory for local state.
pub fn resolve(flag: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = flag {
        return dir;
    }
    if let Some(dir) = std::env::var_os("TAZAN_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir).join("tazan");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".local/share/tazan"),
        None => PathBuf::from(".tazan"),
    }
}
