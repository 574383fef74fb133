//! Ready-made logins for `tazan demo --serve` and `deploy/local`: one per
//! role on every portal, with printed random passwords. Real people get
//! invitation links from `tazan user add` instead.

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use tazan_model::MemberId;
use tazan_store::Store;

use crate::accounts::{Accounts, NewUser, Role};
use crate::admin::MemberCheck;
use crate::{PortalError, RunningPortal};

/// A login made for a demo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoLogin {
    /// What to type as the login.
    pub login: String,
    /// The password.
    pub password: String,
    /// The role.
    pub role: Role,
    /// The member the login acts for.
    pub member: MemberId,
}

/// Who gets a demo login at a service: `(login, name, member, role)`.
pub type LoginPlan = Vec<(String, String, MemberId, Role)>;

/// A hub's plan: its operator as admin, and a reader for `member` (a
/// member of its roster: a company at a group hub, a group hub at the cross hub).
pub fn hub_plan(hub: &MemberId, member: Option<&MemberId>) -> LoginPlan {
    let mut plan = vec![(
        "admin".to_owned(),
        "ハブ管理者".to_owned(),
        hub.clone(),
        Role::Admin,
    )];
    if let Some(m) = member {
        plan.push((
            "reader".to_owned(),
            "閲覧者 山田".to_owned(),
            m.clone(),
            Role::Reader,
        ));
    }
    plan
}

/// A node's plan: admin, reviewer and reader, all of the node itself.
pub fn node_plan(node: &MemberId) -> LoginPlan {
    [
        ("admin", "管理者", Role::Admin),
        ("reviewer", "査読者 佐藤", Role::Reviewer),
        ("reader", "閲覧者 鈴木", Role::Reader),
    ]
    .into_iter()
    .map(|(l, n, r)| (l.to_owned(), n.to_owned(), node.clone(), r))
    .collect()
}

fn password() -> String {
    let mut b = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn seed(
    accounts: &Accounts,
    plan: LoginPlan,
    members: &MemberCheck,
) -> Result<Vec<DemoLogin>, PortalError> {
    let now = tazan_trust::now_unix();
    let mut out = Vec::new();
    for (login, name, member, role) in plan {
        if accounts.get(&login)?.is_some() {
            continue;
        }
        let password = password();
        accounts.add_with_password(
            NewUser {
                login: Some(login.clone()),
                name,
                member: member.clone(),
                role,
            },
            &password,
            &**members,
            now,
        )?;
        out.push(DemoLogin {
            login,
            password,
            role,
            member,
        });
    }
    accounts.flush_blocking()?;
    Ok(out)
}

impl RunningPortal {
    /// Add the logins of `plan` that do not exist yet; returns them with their passwords.
    pub fn seed_logins(&self, plan: LoginPlan) -> Result<Vec<DemoLogin>, PortalError> {
        let desk = self.desk();
        seed(&desk.accounts, plan, &desk.members)
    }
}

/// Add the logins of `plan` to the stopped service whose store is in
/// `data_dir` (everything but the member check is the service's own).
pub fn seed_stopped(
    data_dir: &Path,
    plan: LoginPlan,
    members: MemberCheck,
) -> Result<Vec<DemoLogin>, PortalError> {
    // The service starts right after: its store must be free when we drop ours.
    let store = Store::open_short(data_dir)?;
    let accounts = Arc::new(Accounts::open(&store)?);
    let made = seed(&accounts, plan, &members)?;
    store.flush_blocking()?;
    drop(accounts);
    drop(store);
    Ok(made)
}

/// Where a local federation keeps a service's demo logins: beside its
/// config (never committed; `deploy/local/.gitignore` keeps configs only).
pub fn logins_file(config: &Path) -> std::path::PathBuf {
    config
        .parent()
        .unwrap_or(Path::new("."))
        .join("portal-logins.json")
}

/// Seed the demo logins of the stopped service configured in `config` and
/// keep them (mode 0600) in its [`logins_file`], for `tazan up` to print.
pub fn seed_local(config: &Path) -> Result<Vec<DemoLogin>, PortalError> {
    let t = crate::service::target(config)?;
    let mut made = seed_stopped(&t.data_dir, t.plan, t.members)?;
    let mut all = local_logins(config);
    all.retain(|l| !made.iter().any(|m| m.login == l.login));
    all.append(&mut made);
    let path = logins_file(config);
    let text = serde_json::to_string_pretty(&all).map_err(|e| PortalError::Task(e.to_string()))?;
    std::fs::write(&path, text).map_err(|source| PortalError::File {
        path: path.clone(),
        source,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(all)
}

/// The demo logins kept for the service configured in `config` (none when
/// there is no logins file).
pub fn local_logins(config: &Path) -> Vec<DemoLogin> {
    std::fs::read_to_string(logins_file(config))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}
