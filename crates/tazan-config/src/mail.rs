//! The `[mail]` table of a hub config: how its newsletter leaves by e-mail.
//! Absent table: no newsletter by mail (`tazan newsletter send` says so).
//!
//! tazan speaks plain SMTP to one relay (the host's MTA, or the organisation's
//! submission relay on a trusted network), which delivers onwards; it has no
//! TLS stack of its own for mail.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::{ConfigError, ConfigFile};

/// `[mail]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMail {
    smtp: String,
    from: String,
    #[serde(default)]
    notes: Option<PathBuf>,
    #[serde(default = "default_timeout")]
    timeout_secs: u64,
}

fn default_timeout() -> u64 {
    30
}

/// A validated `[mail]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// The SMTP relay, `host:port`.
    pub smtp: String,
    /// The sender, `address` or `Name <address>`.
    pub from: String,
    /// The editor's notes file (お知らせ, 教訓解説, 報道されたシステム障害), if any.
    pub notes: Option<PathBuf>,
    /// How long one SMTP exchange may take.
    pub timeout: Duration,
}

/// Check a relay address `host:port` (what `--smtp` takes too).
pub fn check_smtp(value: &str) -> Result<(), String> {
    let (host, port) = value
        .rsplit_once(':')
        .ok_or_else(|| format!("{value:?} is not host:port (such as 127.0.0.1:25)"))?;
    if host.trim().is_empty() || host.chars().any(char::is_whitespace) {
        return Err(format!("{value:?}: the host is empty or has spaces"));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok(()),
        _ => Err(format!("{value:?}: {port:?} is not a port from 1 to 65535")),
    }
}

/// Check a sender: `address` or `Name <address>`, with one `@` in the address.
pub fn check_from(value: &str) -> Result<(), String> {
    let addr = match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        (None, None) => value.trim(),
        _ => return Err(format!("{value:?}: unbalanced <…>")),
    };
    let ok = addr.split('@').count() == 2
        && !addr.starts_with('@')
        && !addr.ends_with('@')
        && !addr.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{value:?} is not an address like newsletter@hub.example or `tazan <newsletter@hub.example>`"
        ))
    }
}

impl ConfigFile<'_> {
    /// Check a `[mail]` table; `notes` is resolved against the file's directory.
    pub fn mail(&self, raw: RawMail) -> Result<MailConfig, ConfigError> {
        check_smtp(&raw.smtp).map_err(|r| self.invalid("mail.smtp", r))?;
        check_from(&raw.from).map_err(|r| self.invalid("mail.from", r))?;
        if !(1..=600).contains(&raw.timeout_secs) {
            return Err(self.invalid(
                "mail.timeout_secs",
                format!("{} is out of range; use 1 to 600", raw.timeout_secs),
            ));
        }
        Ok(MailConfig {
            smtp: raw.smtp,
            from: raw.from,
            notes: raw.notes.map(|p| self.resolve(p)),
            timeout: Duration::from_secs(raw.timeout_secs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<MailConfig, ConfigError> {
        let path = std::path::Path::new("/etc/tazan/hub.toml");
        let file = ConfigFile::new(path);
        let raw: RawMail = file.parse(text)?;
        file.mail(raw)
    }

    #[test]
    fn a_good_table_resolves_its_notes() {
        let m = parse(
            "smtp = \"127.0.0.1:25\"\nfrom = \"tazan <nl@hub.example>\"\nnotes = \"notes.toml\"\n",
        )
        .unwrap();
        assert_eq!(m.notes.unwrap(), PathBuf::from("/etc/tazan/notes.toml"));
        assert_eq!(m.timeout, Duration::from_secs(30));
    }

    #[test]
    fn bad_values_name_their_key() {
        for (text, key) in [
            ("smtp = \"localhost\"\nfrom = \"a@b\"\n", "mail.smtp"),
            ("smtp = \"h:0\"\nfrom = \"a@b\"\n", "mail.smtp"),
            ("smtp = \"h:25\"\nfrom = \"nobody\"\n", "mail.from"),
            ("smtp = \"h:25\"\nfrom = \"x <a@b\"\n", "mail.from"),
            (
                "smtp = \"h:25\"\nfrom = \"a@b\"\ntimeout_secs = 0\n",
                "mail.timeout_secs",
            ),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(key), "{text}: {e}");
        }
        let e = parse("smtp = \"h:25\"\nfrom = \"a@b\"\nsmpt = 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("smpt"), "{e}");
    }
}
