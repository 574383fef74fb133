use std::future::Future;
use std::path::{Path, PathBuf};

use tokio::net::UnixListener;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::UnixListenerStream;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::UdsConnectInfo;
use tonic::transport::Server;
use tonic::{Request, Status};
use tracing::{info, warn};

use crate::{socket_path, Admin, AdminError, AdminServer, SocketFile, MAX_MESSAGE_BYTES, MAX_PATH};

/// The service's bound admin socket (DATA/admin.sock, mode 0600).
pub struct AdminSocket {
    path: PathBuf,
    listener: UnixListener,
    owner: u32,
}

impl AdminSocket {
    /// Bind the admin socket in `data_dir`. Call it only while holding the
    /// store of that directory: a socket file found there is then stale (a
    /// killed service's) and is replaced. Anything else under that name is
    /// refused, never removed.
    pub fn bind(data_dir: &Path) -> Result<AdminSocket, AdminError> {
        let path = socket_path(data_dir);
        let len = path.as_os_str().len();
        if len > MAX_PATH {
            return Err(AdminError::PathTooLong {
                path,
                len,
                max: MAX_PATH,
            });
        }
        let io = |action, source| AdminError::Io {
            action,
            path: path.clone(),
            source,
        };
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if SocketFile::of(&meta).is_socket => {
                info!(socket = %path.display(), "replacing a stale admin socket");
                std::fs::remove_file(&path).map_err(|e| io("remove the stale", e))?;
            }
            Ok(_) => {
                return Err(AdminError::Untrusted {
                    path,
                    reason: "it is not a socket".into(),
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("inspect", e)),
        }
        let listener = UnixListener::bind(&path).map_err(|e| io("bind", e))?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| io("restrict", e))?;
        }
        let meta = std::fs::metadata(&path).map_err(|e| io("inspect", e))?;
        Ok(AdminSocket {
            owner: SocketFile::of(&meta).owner,
            path,
            listener,
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Serve `service` until `shutdown` resolves, answering only peers that
    /// run as the socket's owner; the socket file is removed once served.
    pub fn serve<S: Admin>(
        self,
        service: S,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> JoinHandle<Result<(), tonic::transport::Error>> {
        let owner = self.owner;
        let admin = InterceptedService::new(
            AdminServer::new(service)
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
            move |req| same_user(owner, req),
        );
        info!(socket = %self.path.display(), "admin socket listening");
        let path = self.path;
        let incoming = UnixListenerStream::new(self.listener);
        tokio::spawn(async move {
            let served = Server::builder()
                .add_service(admin)
                .serve_with_incoming_shutdown(incoming, shutdown)
                .await;
            if let Err(e) = std::fs::remove_file(&path) {
                warn!(socket = %path.display(), error = %e, "could not remove the admin socket; the next start replaces it");
            }
            served
        })
    }
}

/// Only a peer running as the service's own user may call: the second line
/// behind the socket's mode (and the only one while the mode is being set).
#[allow(clippy::result_large_err)] // tonic's interceptor signature
fn same_user(owner: u32, req: Request<()>) -> Result<Request<()>, Status> {
    let peer = req
        .extensions()
        .get::<UdsConnectInfo>()
        .and_then(|c| c.peer_cred)
        .map(|c| c.uid());
    match peer {
        Some(uid) if uid == owner => Ok(req),
        Some(uid) => {
            warn!(uid, owner, "admin call from another user refused");
            Err(Status::permission_denied(format!(
                "the admin socket answers only uid {owner} (the service's user); you are uid {uid}"
            )))
        }
        None => Err(Status::permission_denied(
            "the admin socket could not tell who is calling; refused",
        )),
    }
}

/// The answer stream of a `Backup` call: a backup of `store` begun now
/// (between two writes; writers go on), written on a blocking thread in the
/// file format of `tazan backup`, reaching the caller as chunks. A caller
/// that hangs up stops the copy (its next write fails).
pub async fn backup_stream(
    store: &tazan_store::Store,
    header: tazan_store::BackupHeader,
) -> Result<BackupStream, tazan_store::StoreError> {
    let backup = store.begin_backup().await?;
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::task::spawn_blocking(move || {
        let mut out = ChunkWriter { tx: tx.clone() };
        if let Err(e) = backup.write_to(&mut out, &header, &mut |_| {}) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                warn!(error = %e, "online backup failed");
                let _ = tx.blocking_send(Err(Status::internal(format!(
                    "the backup failed: {e}; nothing usable was sent, try again"
                ))));
            }
        }
    });
    Ok(tokio_stream::wrappers::ReceiverStream::new(rx))
}

/// What [`backup_stream`] returns: the `Backup` RPC's response stream.
pub type BackupStream =
    tokio_stream::wrappers::ReceiverStream<Result<tazan_proto::pb::BackupChunk, Status>>;

struct ChunkWriter {
    tx: tokio::sync::mpsc::Sender<Result<tazan_proto::pb::BackupChunk, Status>>,
}

impl std::io::Write for ChunkWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let chunk = tazan_proto::pb::BackupChunk { data: buf.to_vec() };
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the caller hung up")
        })?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
