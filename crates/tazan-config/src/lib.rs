//! Reading and checking tazan's TOML configuration files (hub and node).
//!
//! Every error names the file, and where it can the key, with the reason and
//! what to do. A [`ConfigFile`] is the file being read: it parses the text
//! with unknown keys refused (the raw structs use `deny_unknown_fields`),
//! resolves relative paths against the file's directory, and holds the
//! checks both services share.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::DeserializeOwned;
use thiserror::Error;

mod mail;
mod portal;

pub use mail::{check_from, check_smtp, MailConfig, RawMail};
pub use portal::{PortalConfig, PortalTls, RawPortal};

/// A configuration file that could not be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// TOML syntax, unknown key or wrong type.
    #[error("config {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, naming line and key.
        message: String,
    },
    /// A value is out of range or inconsistent.
    #[error("config {path}: key `{key}`: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The key.
        key: &'static str,
        /// What is wrong and what to do.
        reason: String,
    },
}

/// The configuration file being read.
#[derive(Debug, Clone, Copy)]
pub struct ConfigFile<'a> {
    path: &'a Path,
}

/// The only configuration format version so far.
const VERSION: u32 = 1;

impl<'a> ConfigFile<'a> {
    /// The file at `path` (nothing is read yet).
    pub fn new(path: &'a Path) -> ConfigFile<'a> {
        ConfigFile { path }
    }

    /// The file's text, without a UTF-8 byte-order mark (as Windows editors
    /// save it; TOML itself has none).
    pub fn read(&self) -> Result<String, ConfigError> {
        let text = std::fs::read_to_string(self.path).map_err(|source| ConfigError::Read {
            path: self.path.to_owned(),
            source,
        })?;
        Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        })
    }

    /// Parse `text` (which came from this file) into `T`.
    pub fn parse<T: DeserializeOwned>(&self, text: &str) -> Result<T, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: self.path.to_owned(),
            message: e.to_string(),
        })
    }

    /// An error at `key`.
    pub fn invalid(&self, key: &'static str, reason: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_owned(),
            key,
            reason: reason.into(),
        }
    }

    /// A value given inline (`inline_key`) or in a file (`file_key`, a path
    /// relative to this file) — a public key, typically; not both. The
    /// file's text is trimmed before parsing.
    pub fn inline_or_file<T>(
        &self,
        inline: Option<&str>,
        file: Option<&Path>,
        inline_key: &'static str,
        file_key: &'static str,
    ) -> Result<Option<T>, ConfigError>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        match (inline, file) {
            (Some(_), Some(_)) => Err(self.invalid(
                file_key,
                format!("set either `{inline_key}` or `{file_key}`, not both"),
            )),
            (Some(text), None) => text
                .parse::<T>()
                .map(Some)
                .map_err(|e| self.invalid(inline_key, e.to_string())),
            (None, Some(file)) => {
                let path = self.resolve(file);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    self.invalid(
                        file_key,
                        format!(
                            "cannot read {}: {e}; run `tazan up` or `tazan topology create` to generate it, or set `{inline_key}` to the key itself",
                            path.display()
                        ),
                    )
                })?;
                text.trim()
                    .parse::<T>()
                    .map(Some)
                    .map_err(|e| self.invalid(file_key, format!("{}: {e}", path.display())))
            }
            (None, None) => Ok(None),
        }
    }

    /// A path from the file, relative to the file's directory unless absolute.
    pub fn resolve(&self, p: impl AsRef<Path>) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).join(p)
    }

    /// The `version` key must name a format this build reads.
    pub fn version(&self, version: u32) -> Result<(), ConfigError> {
        if version == VERSION {
            Ok(())
        } else {
            Err(self.invalid(
                "version",
                format!("{version} is not supported; use {VERSION}"),
            ))
        }
    }

    /// A peer endpoint: mutual TLS only.
    pub fn https(&self, key: &'static str, endpoint: &str) -> Result<(), ConfigError> {
        if endpoint.starts_with("https://") {
            Ok(())
        } else {
            Err(self.invalid(
                key,
                format!("{endpoint:?} must start with https:// (mutual TLS only)"),
            ))
        }
    }

    /// A socket address such as `example` (127.0.0.1:7401).
    pub fn socket_addr(
        &self,
        key: &'static str,
        value: &str,
        example: &str,
    ) -> Result<SocketAddr, ConfigError> {
        value
            .parse()
            .map_err(|_| self.invalid(key, format!("{value:?} is not an address like {example}")))
    }

    /// A search index commit interval: 1 ms to a minute.
    pub fn commit_interval(&self, key: &'static str, ms: u64) -> Result<Duration, ConfigError> {
        if (1..=60_000).contains(&ms) {
            Ok(Duration::from_millis(ms))
        } else {
            Err(self.invalid(
                key,
                format!(
                    "{ms} is out of range; use 1 to 60000 (500 makes new lessons searchable within a second)"
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file_the_key_and_the_reason() {
        let f = ConfigFile::new(Path::new("/etc/tazan/hub.toml"));
        let e = f.version(2).unwrap_err().to_string();
        assert!(
            e.contains("/etc/tazan/hub.toml") && e.contains("`version`") && e.contains("use 1"),
            "{e}"
        );
        let e = f
            .https("upstream.endpoint", "http://x")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`upstream.endpoint`") && e.contains("https://"),
            "{e}"
        );
        assert!(f
            .socket_addr("hub.listen", "localhost", "127.0.0.1:7401")
            .is_err());
        assert_eq!(
            f.socket_addr("hub.listen", "127.0.0.1:7401", "")
                .unwrap()
                .port(),
            7401
        );
        assert!(f.commit_interval("search.commit_interval_ms", 0).is_err());
        assert!(f
            .commit_interval("search.commit_interval_ms", 60_001)
            .is_err());
        assert_eq!(
            f.commit_interval("search.commit_interval_ms", 500).unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(f.resolve("data"), Path::new("/etc/tazan/data"));
        assert_eq!(f.resolve("/var/lib/x"), Path::new("/var/lib/x"));
        let e = f
            .parse::<std::collections::BTreeMap<String, u32>>("a = \"x\"")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("config /etc/tazan/hub.toml:"), "{e}");
        // Today a byte-order mark was a parse error at line 1, column 1.
        let dir = std::env::temp_dir().join(format!("tazan-config-bom-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bom = dir.join("hub.toml");
        std::fs::write(&bom, "\u{feff}a = 1\n").unwrap();
        let file = ConfigFile::new(&bom);
        let parsed: std::collections::BTreeMap<String, u32> =
            file.parse(&file.read().unwrap()).unwrap();
        assert_eq!(parsed["a"], 1);
        std::fs::remove_dir_all(&dir).unwrap();
        let missing = ConfigFile::new(Path::new("/nowhere/hub.toml"))
            .read()
            .unwrap_err();
        assert!(matches!(missing, ConfigError::Read { .. }), "{missing}");
    }
}
