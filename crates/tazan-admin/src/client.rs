use std::path::Path;
use std::time::{Duration, Instant};

use tonic::transport::{Channel, Endpoint};
use tracing::debug;

use crate::{check_trusted, socket_path, AdminClient, AdminError, SocketFile, MAX_MESSAGE_BYTES};

/// How long a connection attempt to a socket file may take.
const CONNECT_LIMIT: Duration = Duration::from_secs(2);
/// How long to wait for a service that holds its store but has not bound
/// its socket yet (it binds right after opening the store).
const STARTING: Duration = Duration::from_secs(5);

/// The admin API of the service whose data directory is `data_dir`, if one
/// answers. `Ok(None)`: no socket file, or a stale one (nobody answers).
/// An untrusted socket file (another user's, or open to others) is an error.
pub async fn connect(data_dir: &Path) -> Result<Option<AdminClient<Channel>>, AdminError> {
    let path = socket_path(data_dir);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(AdminError::Io {
                action: "inspect",
                path,
                source,
            })
        }
    };
    check_trusted(
        &path,
        SocketFile::of(&meta),
        nix::unistd::geteuid().as_raw(),
    )?;
    let absolute = std::path::absolute(&path).map_err(|source| AdminError::Io {
        action: "resolve",
        path: path.clone(),
        source,
    })?;
    let endpoint = Endpoint::from_shared(format!("unix:{}", absolute.display()))
        .map_err(|e| AdminError::Untrusted {
            path: path.clone(),
            reason: format!("its path is not usable as an address: {e}"),
        })?
        .connect_timeout(CONNECT_LIMIT);
    match endpoint.connect().await {
        Ok(channel) => Ok(Some(
            AdminClient::new(channel)
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
        )),
        Err(e) => {
            debug!(socket = %path.display(), error = %e, "admin socket does not answer (stale)");
            Ok(None)
        }
    }
}

/// Where a command's work goes: the running service, or the store it
/// opened because no service runs.
pub enum Reached<T> {
    /// The running service's admin API.
    Running(AdminClient<Channel>),
    /// What `open` gave: the service is stopped.
    Stopped(T),
}

/// The running service's admin API; when nothing answers, `open()` (the
/// store, `None` while a service holds it). A service that holds its store
/// but has not bound its socket yet is waited for a few seconds; one that
/// holds it and never answers is [`AdminError::NoAnswer`]. A stale socket
/// file found while the store could be opened is removed.
pub async fn reach<T, E>(
    data_dir: &Path,
    mut open: impl FnMut() -> Result<Option<T>, E>,
) -> Result<Reached<T>, E>
where
    E: From<AdminError>,
{
    let started = Instant::now();
    loop {
        if let Some(client) = connect(data_dir).await? {
            return Ok(Reached::Running(client));
        }
        if let Some(stopped) = open()? {
            // This process holds the store now: no service runs, so a socket
            // file left here is a killed service's.
            let _ = std::fs::remove_file(socket_path(data_dir));
            return Ok(Reached::Stopped(stopped));
        }
        if started.elapsed() > STARTING {
            return Err(AdminError::NoAnswer {
                path: socket_path(data_dir),
                reason: format!("no answer within {}s", STARTING.as_secs()),
            }
            .into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
