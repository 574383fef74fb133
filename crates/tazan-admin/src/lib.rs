//! The local admin API of a running hub or node: how the `tazan` command
//! talks to the service that owns a store, instead of opening the store
//! (which sled lets only one process do).
//!
//! ```text
//!  tazan backup / catalog import / roster add / lesson approve / status
//!     │  connect(DATA): DATA/admin.sock trusted? (a socket, owned by me, 0600)
//!     ├─ answers ──────► Admin gRPC over the Unix socket ──► the running service
//!     │                  (the service answers only peers running as its own user)
//!     └─ nothing answers ─► open the store itself (the service is stopped);
//!                           store locked but no answer: "running but not answering"
//! ```
//!
//! Trust comes from the file system, not from TLS: the socket lives in the
//! service's data directory with mode 0600, the client refuses a socket file
//! owned by another user or open to group or others, and the server checks
//! every peer's credentials (`SO_PEERCRED`) against its own user. A socket
//! file left by a killed service is stale: the next start replaces it, and a
//! client that finds nobody answering falls back to the store.
//!
//! The services themselves (what Submit or Backup do) live in `tazan-hub`
//! and `tazan-node`; this crate holds only the socket, its checks and the
//! client side. It never listens on a network.
#![forbid(unsafe_code)]

mod client;
mod error;
mod server;

use std::path::{Path, PathBuf};

pub use client::{connect, reach, Reached};
pub use error::AdminError;
pub use server::{backup_stream, AdminSocket, BackupStream};
pub use tazan_proto::pb::admin_client::AdminClient;
pub use tazan_proto::pb::admin_server::{Admin, AdminServer};

/// The socket's file name in a service's data directory.
pub const SOCKET_NAME: &str = "admin.sock";

/// Requests and answers may carry a whole catalogue or outbox batch.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// The admin socket of the service whose data directory is `data_dir`.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// The longest socket path the kernel takes (`sun_path` is 108 bytes with
/// its terminating NUL).
const MAX_PATH: usize = 107;

/// What the file system says about a socket file, for [`check_trusted`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SocketFile {
    pub(crate) is_socket: bool,
    pub(crate) owner: u32,
    pub(crate) mode: u32,
}

impl SocketFile {
    pub(crate) fn of(meta: &std::fs::Metadata) -> SocketFile {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        SocketFile {
            is_socket: meta.file_type().is_socket(),
            owner: meta.uid(),
            mode: meta.mode() & 0o7777,
        }
    }
}

/// Whether a client running as `me` may trust the socket file at `path`:
/// a socket, owned by `me`, with no access for group or others. Anything
/// else could be another user's impostor.
pub(crate) fn check_trusted(path: &Path, file: SocketFile, me: u32) -> Result<(), AdminError> {
    let untrusted = |reason: String| AdminError::Untrusted {
        path: path.to_owned(),
        reason,
    };
    if !file.is_socket {
        return Err(untrusted("it is not a socket".into()));
    }
    if file.owner != me {
        return Err(untrusted(format!(
            "it is owned by uid {}, not by you (uid {me}); run the command as the service's user",
            file.owner
        )));
    }
    if file.mode & 0o077 != 0 {
        return Err(untrusted(format!(
            "its mode is {:04o}, which lets other users connect; it must be 0600",
            file.mode
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_owner_only_socket_of_mine_is_trusted() {
        let path = Path::new("/srv/finance/data/admin.sock");
        let good = SocketFile {
            is_socket: true,
            owner: 1000,
            mode: 0o600,
        };
        assert!(check_trusted(path, good, 1000).is_ok());
        let cases = [
            (
                SocketFile {
                    is_socket: false,
                    ..good
                },
                "not a socket",
            ),
            (
                SocketFile { owner: 0, ..good },
                "owned by uid 0, not by you",
            ),
            (
                SocketFile {
                    mode: 0o666,
                    ..good
                },
                "0666",
            ),
            (
                SocketFile {
                    mode: 0o660,
                    ..good
                },
                "0660",
            ),
            (
                SocketFile {
                    mode: 0o604,
                    ..good
                },
                "0604",
            ),
        ];
        for (file, want) in cases {
            let err = check_trusted(path, file, 1000).unwrap_err().to_string();
            println!("{err}");
            assert!(err.contains(want), "{err}");
            assert!(err.contains("/srv/finance/data/admin.sock"), "{err}");
        }
    }
}
