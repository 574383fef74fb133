//! The start-up check of the open-file limit: every connection is a file
//! descriptor, and a process at its limit cannot accept, open a store file
//! or answer `/metrics`.

use nix::sys::resource::{getrlimit, setrlimit, Resource};
use tracing::{info, warn};

/// Descriptors kept free of connections: sled's and the search index's
/// files, the metrics listener, outgoing channels, logs.
pub const FD_RESERVE: u64 = 256;

/// What [`fit_open_files`] found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFiles {
    /// The soft limit in force after the check.
    pub soft: u64,
    /// The hard limit.
    pub hard: u64,
    /// The connection cap that fits under the soft limit.
    pub max_connections: usize,
}

/// Raise this process's soft open-file limit (up to the hard one) to hold
/// `max_connections` connections over every listener plus [`FD_RESERVE`];
/// when even the hard limit is too low, warn and return the smaller cap that
/// fits, so the process refuses connections it could not keep instead of
/// running out of descriptors.
pub fn fit_open_files(max_connections: usize) -> OpenFiles {
    let wanted = max_connections as u64 + FD_RESERVE;
    let (mut soft, hard) = match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok(l) => l,
        Err(e) => {
            warn!(error = %e, "cannot read the open-file limit; connection caps unchanged");
            return OpenFiles {
                soft: wanted,
                hard: wanted,
                max_connections,
            };
        }
    };
    if soft < wanted && soft < hard {
        let raised = wanted.min(hard);
        match setrlimit(Resource::RLIMIT_NOFILE, raised, hard) {
            Ok(()) => {
                info!(from = soft, to = raised, "raised the open-file limit");
                soft = raised;
            }
            Err(e) => warn!(error = %e, "cannot raise the open-file limit"),
        }
    }
    let fits = usize::try_from(soft.saturating_sub(FD_RESERVE).max(16)).unwrap_or(usize::MAX);
    let max = max_connections.min(fits);
    if max < max_connections {
        warn!(
            soft,
            hard,
            wanted = max_connections,
            accepted = max,
            "the open-file limit is low: at most {max} connections will be accepted; raise LimitNOFILE (systemd) or `ulimit -n` to at least {wanted}"
        );
    }
    OpenFiles {
        soft,
        hard,
        max_connections: max,
    }
}
