//! People management for `tazan user …`: one set of commands, answered by
//! the running service over a local Unix socket (`DATA_DIR/portal.sock`,
//! mode 0600) or, when nothing answers there, by opening the stopped
//! service's store directly. Either way the same [`Accounts`] calls run.
//!
//! The protocol is one JSON request line and one JSON answer line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tazan_model::MemberId;
use tokio::io::{AsyncBufReadExt, AsyncReadExt as _, AsyncWriteExt, BufReader};
use tokio::net::UnixListener;
use tokio::sync::watch;
use tracing::{debug, warn};

use crate::accounts::{AccountError, Accounts, Issued, NewUser, Role, User, UserStatus};
use crate::session::Sessions;

/// Whether a service admits people for a member: `Err` says why not.
pub type MemberCheck = Arc<dyn Fn(&MemberId) -> Result<(), String> + Send + Sync>;

/// A check that admits people for `own` only (a node's staff).
pub fn only(own: MemberId) -> MemberCheck {
    Arc::new(move |m: &MemberId| {
        if m == &own {
            Ok(())
        } else {
            Err(format!(
                "people of this node are bound to the node itself (`{own}`)"
            ))
        }
    })
}

/// The socket of a service whose store is in `data_dir`.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("portal.sock")
}

/// A `tazan user` command.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum UserCommand {
    /// Add an account and issue its invitation link.
    Add(NewUser),
    /// List accounts.
    List,
    /// Revoke an account.
    Revoke {
        /// Its login.
        login: String,
    },
    /// Issue a password reset link (the old password stops working).
    Reset {
        /// Its login.
        login: String,
    },
    /// Send the newsletter to an account at an address.
    Subscribe {
        /// Its login.
        login: String,
        /// The address.
        email: String,
    },
    /// Stop the newsletter for an account.
    Unsubscribe {
        /// Its login.
        login: String,
    },
    /// Deliver an issue of the newsletter (see [`crate::newsletter::deliver`]).
    Deliver {
        /// The letter, as composed by the caller from the hub's index.
        letter: Box<crate::newsletter::Letter>,
        /// Where and how.
        out: crate::newsletter::Outbound,
    },
    /// The delivery records of an issue.
    Deliveries {
        /// The issue.
        issue: String,
    },
}

/// An account as commands show it (no hash, no token).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserView {
    /// Login.
    pub login: String,
    /// Name.
    pub name: String,
    /// Member.
    pub member: MemberId,
    /// Role.
    pub role: Role,
    /// Status.
    pub status: UserStatus,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds the password was last set.
    pub password_set_at: Option<u64>,
    /// Unix seconds of revocation.
    pub revoked_at: Option<u64>,
    /// Where the newsletter goes, if set.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the newsletter goes there.
    #[serde(default)]
    pub subscribed: bool,
}

impl From<&User> for UserView {
    fn from(u: &User) -> UserView {
        UserView {
            login: u.login.clone(),
            name: u.name.clone(),
            member: u.member.clone(),
            role: u.role,
            status: u.status,
            created_at: u.created_at,
            password_set_at: u.password_set_at,
            revoked_at: u.revoked_at,
            email: u.email.clone(),
            subscribed: u.subscribed,
        }
    }
}

/// What a command did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum UserAnswer {
    /// An account and its one-time link (print it once).
    Link {
        /// The account.
        user: UserView,
        /// `BASE/invite/TOKEN`.
        link: String,
        /// Unix seconds it stops working.
        expires_at: u64,
        /// An invitation (new account) or a reset.
        reset: bool,
    },
    /// The accounts.
    Users {
        /// By login.
        users: Vec<UserView>,
    },
    /// An account after a change.
    User {
        /// The account.
        user: UserView,
    },
    /// What a newsletter run did.
    Delivered {
        /// Per recipient.
        report: crate::newsletter::Report,
    },
    /// The delivery records of an issue.
    Deliveries {
        /// By login.
        deliveries: Vec<crate::newsletter::Delivery>,
    },
    /// Refused, with the reason (names the field or login).
    Refused {
        /// Why.
        message: String,
    },
}

/// Runs user commands against one service's accounts.
#[derive(Clone)]
pub struct UserDesk {
    pub(crate) accounts: Arc<Accounts>,
    pub(crate) sessions: Option<Arc<Sessions>>,
    pub(crate) members: MemberCheck,
    /// Base URL for links (`http://127.0.0.1:8700`), or empty when unknown.
    pub(crate) base_url: String,
}

impl UserDesk {
    /// A desk over `accounts` (used directly by the CLI on a stopped service).
    pub fn new(accounts: Arc<Accounts>, members: MemberCheck, base_url: String) -> UserDesk {
        UserDesk {
            accounts,
            sessions: None,
            members,
            base_url,
        }
    }

    fn link(&self, issued: &Issued, reset: bool) -> UserAnswer {
        UserAnswer::Link {
            user: UserView::from(&issued.user),
            link: format!("{}/invite/{}", self.base_url, issued.token),
            expires_at: issued.expires_at,
            reset,
        }
    }

    /// Run one command now; the change is durable when this returns.
    pub fn run(&self, cmd: UserCommand) -> UserAnswer {
        match self.try_run(cmd) {
            Ok(a) => a,
            Err(e) => UserAnswer::Refused {
                message: e.to_string(),
            },
        }
    }

    fn try_run(&self, cmd: UserCommand) -> Result<UserAnswer, AccountError> {
        let now = tazan_trust::now_unix();
        let answer = match cmd {
            UserCommand::Add(new) => {
                let issued = self.accounts.add(new, &*self.members, now)?;
                self.link(&issued, false)
            }
            UserCommand::List => UserAnswer::Users {
                users: self.accounts.list()?.iter().map(UserView::from).collect(),
            },
            UserCommand::Revoke { login } => {
                let user = self.accounts.revoke(&login, now)?;
                if let Some(s) = &self.sessions {
                    s.close_all(&user.login);
                }
                UserAnswer::User {
                    user: UserView::from(&user),
                }
            }
            UserCommand::Reset { login } => {
                let issued = self.accounts.reset(&login, now)?;
                if let Some(s) = &self.sessions {
                    s.close_all(&issued.user.login);
                }
                let reset = issued.user.password_set_at.is_some();
                self.link(&issued, reset)
            }
            UserCommand::Subscribe { login, email } => UserAnswer::User {
                user: UserView::from(&self.accounts.subscribe(&login, &email)?),
            },
            UserCommand::Unsubscribe { login } => UserAnswer::User {
                user: UserView::from(&self.accounts.unsubscribe(&login)?),
            },
            UserCommand::Deliver { letter, out } => UserAnswer::Delivered {
                report: crate::newsletter::deliver(&self.accounts, &*self.members, *letter, &out)?,
            },
            UserCommand::Deliveries { issue } => UserAnswer::Deliveries {
                deliveries: crate::newsletter::deliveries(&self.accounts, &issue)?,
            },
        };
        self.accounts.flush_blocking()?;
        Ok(answer)
    }
}

/// Answer user commands on `path` until `stop`; removes the socket file when done.
pub(crate) async fn serve(path: PathBuf, desk: UserDesk, mut stop: watch::Receiver<bool>) {
    let _ = std::fs::remove_file(&path);
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            warn!(error = %e, path = %path.display(), "cannot open the portal's admin socket; `tazan user` works only while the service is stopped");
            return;
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)) {
            warn!(error = %e, "cannot restrict the admin socket to its owner");
        }
    }
    loop {
        let conn = tokio::select! {
            c = listener.accept() => c,
            _ = stop.changed() => break,
        };
        let Ok((stream, _)) = conn else { continue };
        let desk = desk.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut line = String::new();
            let mut reader = BufReader::new(read).take(64 * 1024);
            if reader.read_line(&mut line).await.is_err() {
                return;
            }
            let answer = match serde_json::from_str::<UserCommand>(&line) {
                Ok(cmd) => tokio::task::spawn_blocking(move || desk.run(cmd))
                    .await
                    .unwrap_or_else(|e| UserAnswer::Refused {
                        message: format!("the command failed: {e}"),
                    }),
                Err(e) => UserAnswer::Refused {
                    message: format!("unreadable command: {e}"),
                },
            };
            debug!("admin socket command answered");
            let mut out = serde_json::to_string(&answer).unwrap_or_default();
            out.push('\n');
            let _ = write.write_all(out.as_bytes()).await;
        });
    }
    let _ = std::fs::remove_file(&path);
}

/// Send `cmd` to the service listening on `path`. `Ok(None)` when nothing
/// listens there (no file, or a stale one from a service that died).
pub fn ask(path: &Path, cmd: &UserCommand) -> std::io::Result<Option<UserAnswer>> {
    ask_within(path, cmd, std::time::Duration::from_secs(30))
}

/// [`ask`], waiting up to `wait` for the answer (a newsletter run talks to
/// a mail server for each recipient).
pub fn ask_within(
    path: &Path,
    cmd: &UserCommand,
    wait: std::time::Duration,
) -> std::io::Result<Option<UserAnswer>> {
    use std::io::{BufRead, Write};
    let mut stream = match std::os::unix::net::UnixStream::connect(path) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    stream.set_read_timeout(Some(wait))?;
    let mut line = serde_json::to_string(cmd).map_err(std::io::Error::other)?;
    line.push('\n');
    stream.write_all(line.as_bytes())?;
    let mut answer = String::new();
    std::io::BufReader::new(stream).read_line(&mut answer)?;
    serde_json::from_str(&answer)
        .map(Some)
        .map_err(|e| std::io::Error::other(format!("unreadable answer from the service: {e}")))
}
