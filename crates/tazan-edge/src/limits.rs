//! The limits of the `[limits]` table, with their defaults and checks.
//!
//! Connection limits apply to every listener (a hub's gRPC port, the
//! metrics and portal listeners); call limits apply per member, after the
//! hub has mapped the client certificate to a roster entry.

use std::time::Duration;

use tazan_config::{ConfigError, ConfigFile};

/// Limits on the connections a listener accepts and keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnLimits {
    /// Open connections at most (`limits.max_connections`); lowered at
    /// start to what the open-file limit allows ([`crate::fit_open_files`]).
    pub max_connections: usize,
    /// Open connections from one IP address at most (`limits.max_connections_per_ip`).
    pub max_connections_per_ip: usize,
    /// Time for a TLS handshake, or an HTTP request head, to complete
    /// (`limits.handshake_timeout_ms`).
    pub handshake_timeout: Duration,
    /// A connection with no call in flight for this long is closed
    /// (`limits.idle_timeout_secs`).
    pub idle_timeout: Duration,
    /// HTTP/2 keep-alive ping interval (`limits.keepalive_interval_secs`).
    pub keepalive_interval: Duration,
    /// A ping not answered within this closes the connection (`limits.keepalive_timeout_secs`).
    pub keepalive_timeout: Duration,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            max_connections: 4096,
            max_connections_per_ip: 256,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(300),
            keepalive_interval: Duration::from_secs(30),
            keepalive_timeout: Duration::from_secs(10),
        }
    }
}

/// The connection cap of a metrics listener (`limits.metrics_max_connections`):
/// a scraper or two and an operator's curl, not a crowd.
pub const DEFAULT_METRICS_MAX_CONNECTIONS: usize = 64;

impl ConnLimits {
    /// The same limits with another connection cap (a metrics listener's).
    pub fn with_max_connections(self, max: usize) -> ConnLimits {
        ConnLimits {
            max_connections: max,
            max_connections_per_ip: self.max_connections_per_ip.min(max),
            ..self
        }
    }

    /// Check values read from `file`; each error names its key.
    pub fn validate(self, file: &ConfigFile<'_>) -> Result<ConnLimits, ConfigError> {
        if self.max_connections == 0 {
            return Err(file.invalid(
                "limits.max_connections",
                "must be at least 1 (4096 is the default)",
            ));
        }
        if self.max_connections_per_ip == 0 || self.max_connections_per_ip > self.max_connections {
            return Err(file.invalid(
                "limits.max_connections_per_ip",
                format!(
                    "{} is out of range; use 1 to limits.max_connections ({})",
                    self.max_connections_per_ip, self.max_connections
                ),
            ));
        }
        within(
            file,
            "limits.handshake_timeout_ms",
            self.handshake_timeout,
            Duration::from_millis(100),
            Duration::from_secs(600),
        )?;
        within(
            file,
            "limits.idle_timeout_secs",
            self.idle_timeout,
            Duration::from_secs(1),
            Duration::from_secs(7 * 24 * 3600),
        )?;
        within(
            file,
            "limits.keepalive_interval_secs",
            self.keepalive_interval,
            Duration::from_secs(1),
            Duration::from_secs(3600),
        )?;
        within(
            file,
            "limits.keepalive_timeout_secs",
            self.keepalive_timeout,
            Duration::from_secs(1),
            Duration::from_secs(600),
        )?;
        Ok(self)
    }
}

/// The connection keys of a `[limits]` table as written (a node's whole
/// table; a hub's table has these and more).
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawConnLimits {
    /// `max_connections`.
    pub max_connections: usize,
    /// `max_connections_per_ip`.
    pub max_connections_per_ip: usize,
    /// `handshake_timeout_ms`.
    pub handshake_timeout_ms: u64,
    /// `idle_timeout_secs`.
    pub idle_timeout_secs: u64,
    /// `keepalive_interval_secs`.
    pub keepalive_interval_secs: u64,
    /// `keepalive_timeout_secs`.
    pub keepalive_timeout_secs: u64,
}

impl Default for RawConnLimits {
    fn default() -> Self {
        let d = ConnLimits::default();
        RawConnLimits {
            max_connections: d.max_connections,
            max_connections_per_ip: d.max_connections_per_ip,
            handshake_timeout_ms: u64::try_from(d.handshake_timeout.as_millis())
                .unwrap_or(u64::MAX),
            idle_timeout_secs: d.idle_timeout.as_secs(),
            keepalive_interval_secs: d.keepalive_interval.as_secs(),
            keepalive_timeout_secs: d.keepalive_timeout.as_secs(),
        }
    }
}

impl RawConnLimits {
    /// The limits these keys give, checked ([`ConnLimits::validate`]).
    pub fn validate(&self, file: &ConfigFile<'_>) -> Result<ConnLimits, ConfigError> {
        ConnLimits {
            max_connections: self.max_connections,
            max_connections_per_ip: self.max_connections_per_ip,
            handshake_timeout: Duration::from_millis(self.handshake_timeout_ms),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
            keepalive_interval: Duration::from_secs(self.keepalive_interval_secs),
            keepalive_timeout: Duration::from_secs(self.keepalive_timeout_secs),
        }
        .validate(file)
    }
}

/// Per-member limits on calls, publishing and subscriptions (hubs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallLimits {
    /// Sustained calls per second, any method (`limits.calls_per_second`).
    pub calls_per_second: f64,
    /// Calls allowed at once above that rate (`limits.call_burst`).
    pub call_burst: u32,
    /// Sustained lessons published per second (`limits.lessons_per_second`).
    pub lessons_per_second: f64,
    /// Lessons allowed at once above that rate (`limits.lesson_burst`, at
    /// least `limits.max_batch`, or a full batch could never pass).
    pub lesson_burst: u32,
    /// Subscriptions open at once (`limits.subscriptions_per_member`).
    pub subscriptions_per_member: usize,
    /// Entries buffered for one subscriber (`limits.subscriber_buffer`).
    pub subscriber_buffer: usize,
    /// A subscriber whose buffer stays full this long is cut
    /// (`limits.slow_subscriber_timeout_ms`); it resumes from its cursor.
    pub slow_subscriber_timeout: Duration,
}

impl Default for CallLimits {
    fn default() -> Self {
        CallLimits {
            calls_per_second: 500.0,
            call_burst: 1000,
            lessons_per_second: 2000.0,
            lesson_burst: 10_000,
            subscriptions_per_member: 32,
            subscriber_buffer: 256,
            slow_subscriber_timeout: Duration::from_secs(30),
        }
    }
}

impl CallLimits {
    /// Check values read from `file` (`max_batch` is `limits.max_batch`).
    pub fn validate(
        self,
        file: &ConfigFile<'_>,
        max_batch: usize,
    ) -> Result<CallLimits, ConfigError> {
        if !(self.calls_per_second > 0.0 && self.calls_per_second.is_finite()) {
            return Err(file.invalid(
                "limits.calls_per_second",
                "must be a number above 0 (500 is the default)",
            ));
        }
        if self.call_burst == 0 {
            return Err(file.invalid("limits.call_burst", "must be at least 1"));
        }
        if !(self.lessons_per_second > 0.0 && self.lessons_per_second.is_finite()) {
            return Err(file.invalid(
                "limits.lessons_per_second",
                "must be a number above 0 (2000 is the default)",
            ));
        }
        if (self.lesson_burst as usize) < max_batch {
            return Err(file.invalid(
                "limits.lesson_burst",
                format!(
                    "{} is below limits.max_batch ({max_batch}): a full batch could never be published; raise it or lower max_batch",
                    self.lesson_burst
                ),
            ));
        }
        if self.subscriptions_per_member == 0 {
            return Err(file.invalid("limits.subscriptions_per_member", "must be at least 1"));
        }
        if !(1..=100_000).contains(&self.subscriber_buffer) {
            return Err(file.invalid(
                "limits.subscriber_buffer",
                format!(
                    "{} is out of range; use 1 to 100000",
                    self.subscriber_buffer
                ),
            ));
        }
        within(
            file,
            "limits.slow_subscriber_timeout_ms",
            self.slow_subscriber_timeout,
            Duration::from_millis(10),
            Duration::from_secs(3600),
        )?;
        Ok(self)
    }
}

fn within(
    file: &ConfigFile<'_>,
    key: &'static str,
    value: Duration,
    min: Duration,
    max: Duration,
) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(file.invalid(
            key,
            format!("{value:?} is out of range; use {min:?} to {max:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn defaults_pass_and_bad_values_name_their_key() {
        let file = ConfigFile::new(Path::new("/etc/tazan/hub.toml"));
        ConnLimits::default().validate(&file).unwrap();
        CallLimits::default().validate(&file, 1000).unwrap();
        let conn = |edit: fn(&mut ConnLimits)| {
            let mut l = ConnLimits::default();
            edit(&mut l);
            l.validate(&file).unwrap_err().to_string()
        };
        let call = |edit: fn(&mut CallLimits)| {
            let mut l = CallLimits::default();
            edit(&mut l);
            l.validate(&file, 1000).unwrap_err().to_string()
        };
        let cases = [
            (conn(|l| l.max_connections = 0), "limits.max_connections"),
            (
                conn(|l| l.max_connections_per_ip = 5000),
                "limits.max_connections_per_ip",
            ),
            (
                conn(|l| l.handshake_timeout = Duration::ZERO),
                "limits.handshake_timeout_ms",
            ),
            (
                conn(|l| l.idle_timeout = Duration::ZERO),
                "limits.idle_timeout_secs",
            ),
            (
                call(|l| l.calls_per_second = 0.0),
                "limits.calls_per_second",
            ),
            (call(|l| l.lesson_burst = 10), "limits.lesson_burst"),
            (
                call(|l| l.lessons_per_second = f64::NAN),
                "limits.lessons_per_second",
            ),
            (
                call(|l| l.subscriber_buffer = 0),
                "limits.subscriber_buffer",
            ),
        ];
        for (msg, key) in cases {
            assert!(
                msg.contains(&format!("`{key}`")) && msg.contains("hub.toml"),
                "{key}: {msg}"
            );
        }
        let metrics = ConnLimits::default().with_max_connections(64);
        assert_eq!(metrics.max_connections_per_ip, 64);
    }
}
