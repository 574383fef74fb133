//! People who log in to a portal: each is bound to a roster member (or to the
//! hub or node itself) with a role, and kept in the service's own store
//! (`portal-accounts` tree), so `tazan backup` carries them.
//!
//! A person gets in through a one-time link: `tazan user add` (or `reset`)
//! prints an invitation token; opening `/invite/TOKEN` lets them choose a
//! password, which is kept only as an argon2id hash. Tokens are kept only as
//! blake3 hashes and expire.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use tazan_model::MemberId;
use tazan_store::{Records, Store, StoreError};
use unicode_normalization::UnicodeNormalization as _;

/// What a person may do in a portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read lessons (and, at a node, the library and checklist).
    Reader,
    /// Also work with raw incidents and local notes (and, later, review drafts).
    Reviewer,
    /// Also see the roster and health, and manage people.
    Admin,
}

impl Role {
    /// Lower-case name, as the CLI takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    /// Japanese label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Reader => "閲覧者",
            Role::Reviewer => "査読者",
            Role::Admin => "管理者",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AccountError;

    fn from_str(s: &str) -> Result<Role, AccountError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "reader" => Ok(Role::Reader),
            "reviewer" => Ok(Role::Reviewer),
            "admin" => Ok(Role::Admin),
            _ => Err(AccountError::Field {
                field: "role",
                reason: format!("{s:?} is not a role; use reader, reviewer or admin"),
            }),
        }
    }
}

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    /// Waiting for its person to choose a password through the link.
    Invited,
    /// May log in.
    Active,
    /// May no longer log in; its sessions end at their next request.
    Revoked,
}

impl UserStatus {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Invited => "invited",
            UserStatus::Active => "active",
            UserStatus::Revoked => "revoked",
        }
    }

    /// Japanese label for pages.
    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Invited => "招待中",
            UserStatus::Active => "有効",
            UserStatus::Revoked => "失効",
        }
    }
}

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenPurpose {
    /// First password of a new account.
    Invite,
    /// A new password after `reset`.
    Reset,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PendingToken {
    /// blake3 of the token, hex.
    hash: String,
    expires_at: u64,
    purpose: TokenPurpose,
}

/// A person who may log in (never holds a password, only its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// What they type to log in (unique in this service; NFKC-normalised).
    pub login: String,
    /// Their name as shown on pages.
    pub name: String,
    /// The roster member they act for (or the hub or node itself).
    pub member: MemberId,
    /// What they may do.
    pub role: Role,
    /// Invited, active or revoked.
    pub status: UserStatus,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds the password was last set.
    pub password_set_at: Option<u64>,
    /// Unix seconds of revocation.
    pub revoked_at: Option<u64>,
    /// Where the newsletter goes (accounts made before newsletters have none).
    #[serde(default)]
    pub email: Option<String>,
    /// Whether they receive the newsletter at `email`.
    #[serde(default)]
    pub subscribed: bool,
    password_hash: Option<String>,
    token: Option<PendingToken>,
}

/// A new account to add.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewUser {
    /// Login; the name when absent.
    pub login: Option<String>,
    /// Display name.
    pub name: String,
    /// Roster member.
    pub member: MemberId,
    /// Role.
    pub role: Role,
}

/// An account and the one-time token just issued for it (print it, never store it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Issued {
    /// The account.
    pub user: User,
    /// The token for `/invite/TOKEN`.
    pub token: String,
    /// Unix seconds it stops working.
    pub expires_at: u64,
}

/// Why an account operation was refused. Messages name the field or login
/// and what to do; they never hold a password or token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// A value is malformed.
    #[error("{field}: {reason}")]
    Field {
        /// `login`, `name`, `password`, `role`, `member`.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Another account has this login.
    #[error("login {login:?} is taken; choose another with --login")]
    LoginTaken {
        /// The login.
        login: String,
    },
    /// No account with this login.
    #[error("no account with login {login:?} (see `tazan user list`)")]
    UnknownUser {
        /// The login.
        login: String,
    },
    /// The member is not one this service admits people for.
    #[error("member `{member}`: {reason}")]
    UnknownMember {
        /// The member.
        member: MemberId,
        /// Which members this service takes.
        reason: String,
    },
    /// The link is unknown, used or expired.
    #[error("this link is unknown, already used or expired; ask an administrator for a new one (`tazan user reset`)")]
    Token,
    /// The account was revoked.
    #[error("account {login:?} is revoked")]
    Revoked {
        /// The login.
        login: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing failed (should not happen; please report).
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Why a login attempt failed (deliberately not saying which part was wrong).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefused {
    /// Unknown login, wrong password, or no password set yet.
    BadCredentials,
    /// The account is revoked.
    Revoked,
}

/// How long links work.
const INVITE_SECS: u64 = 72 * 3600;
const RESET_SECS: u64 = 24 * 3600;
/// Password length bounds, in characters.
const MIN_PASSWORD: usize = 10;
const MAX_PASSWORD: usize = 256;

/// The accounts of one service.
pub struct Accounts {
    records: Records,
    newsletter: Records,
    /// Serialises read-modify-write of one record (never held across an await).
    write: Mutex<()>,
    /// A hash checked when the login is unknown, so timing does not tell.
    decoy: String,
}

fn user_key(login: &str) -> String {
    format!("user/{login}")
}

fn token_key(hash: &str) -> String {
    format!("token/{hash}")
}

fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// A login as stored: NFKC, trimmed; 1–64 characters, no spaces, controls or `/`.
pub fn normalize_login(raw: &str) -> Result<String, AccountError> {
    let login: String = raw.trim().nfkc().collect();
    let bad = |reason: &str| AccountError::Field {
        field: "login",
        reason: reason.to_owned(),
    };
    if login.is_empty() {
        return Err(bad("must not be empty"));
    }
    if login.chars().count() > 64 {
        return Err(bad("must be at most 64 characters"));
    }
    if login
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '/')
    {
        return Err(bad("must not contain spaces, control characters or '/'"));
    }
    Ok(login)
}

fn check_name(name: &str) -> Result<String, AccountError> {
    let name = name.trim();
    let len = name.chars().count();
    if len == 0 || len > 100 || name.chars().any(char::is_control) {
        return Err(AccountError::Field {
            field: "name",
            reason: "must be 1 to 100 characters without control characters".into(),
        });
    }
    Ok(name.to_owned())
}

fn check_password(password: &str, login: &str) -> Result<(), AccountError> {
    let n = password.chars().count();
    let bad = |reason: String| AccountError::Field {
        field: "password",
        reason,
    };
    if n < MIN_PASSWORD {
        return Err(bad(format!(
            "パスワードは{MIN_PASSWORD}文字以上にしてください (at least {MIN_PASSWORD} characters)"
        )));
    }
    if n > MAX_PASSWORD {
        return Err(bad(format!(
            "パスワードは{MAX_PASSWORD}文字以内にしてください (at most {MAX_PASSWORD} characters)"
        )));
    }
    if password.nfkc().collect::<String>() == login {
        return Err(bad(
            "ログイン名と同じパスワードは使えません (must differ from the login)".into(),
        ));
    }
    Ok(())
}

/// An e-mail address as stored: trimmed, one `@`, no spaces or controls,
/// at most 254 characters, the domain lower-cased.
pub fn check_email(raw: &str) -> Result<String, AccountError> {
    let e = raw.trim();
    let bad = || AccountError::Field {
        field: "email",
        reason: format!("{e:?} is not an address like taro@example.co.jp"),
    };
    let (local, domain) = e.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.is_empty()
        || domain.contains('@')
        || !domain.contains('.') && domain != "localhost"
        || e.len() > 254
        || e.chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
    {
        return Err(bad());
    }
    Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
}

fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

impl User {
    /// Whether the account may log in now.
    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }
}

impl Accounts {
    /// The accounts kept in `store`.
    pub fn open(store: &Store) -> Result<Accounts, AccountError> {
        Ok(Accounts {
            records: store.records("portal-accounts")?,
            newsletter: store.records("newsletter")?,
            write: Mutex::new(()),
            decoy: hash_password("decoy password, never matches")?,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // The guarded value is `()`: a poisoned lock protects nothing broken.
        self.write.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The account with this login.
    pub fn get(&self, login: &str) -> Result<Option<User>, AccountError> {
        Ok(self.records.get(&user_key(login))?)
    }

    /// Every account, by login.
    pub fn list(&self) -> Result<Vec<User>, AccountError> {
        Ok(self
            .records
            .scan::<User>("user/")?
            .into_iter()
            .map(|(_, u)| u)
            .collect())
    }

    fn store_user(&self, user: &User) -> Result<(), AccountError> {
        self.records.put(&user_key(&user.login), user)?;
        Ok(())
    }

    fn issue(
        &self,
        user: &mut User,
        purpose: TokenPurpose,
        now: u64,
    ) -> Result<Issued, AccountError> {
        if let Some(old) = user.token.take() {
            self.records.remove(&token_key(&old.hash))?;
        }
        let token = new_token();
        let hash = token_hash(&token);
        let expires_at = now
            + match purpose {
                TokenPurpose::Invite => INVITE_SECS,
                TokenPurpose::Reset => RESET_SECS,
            };
        self.records.put(&token_key(&hash), &user.login)?;
        user.token = Some(PendingToken {
            hash,
            expires_at,
            purpose,
        });
        self.store_user(user)?;
        Ok(Issued {
            user: user.clone(),
            token,
            expires_at,
        })
    }

    /// Add an account (status invited) and issue its invitation token.
    /// `member_ok` says whether this service admits people for a member.
    pub fn add(
        &self,
        new: NewUser,
        member_ok: &dyn Fn(&MemberId) -> Result<(), String>,
        now: u64,
    ) -> Result<Issued, AccountError> {
        let name = check_name(&new.name)?;
        let login = normalize_login(new.login.as_deref().unwrap_or(&name))?;
        member_ok(&new.member).map_err(|reason| AccountError::UnknownMember {
            member: new.member.clone(),
            reason,
        })?;
        let _w = self.lock();
        if self.get(&login)?.is_some() {
            return Err(AccountError::LoginTaken { login });
        }
        let mut user = User {
            login,
            name,
            member: new.member,
            role: new.role,
            status: UserStatus::Invited,
            created_at: now,
            password_set_at: None,
            revoked_at: None,
            email: None,
            subscribed: false,
            password_hash: None,
            token: None,
        };
        self.issue(&mut user, TokenPurpose::Invite, now)
    }

    /// Add an account that is active at once with `password` (demos and
    /// local federations, whose logins are printed; people get links).
    pub fn add_with_password(
        &self,
        new: NewUser,
        password: &str,
        member_ok: &dyn Fn(&MemberId) -> Result<(), String>,
        now: u64,
    ) -> Result<User, AccountError> {
        let issued = self.add(new, member_ok, now)?;
        self.redeem(&issued.token, password, now)
    }

    /// Revoke an account: it can no longer log in and its sessions end.
    pub fn revoke(&self, login: &str, now: u64) -> Result<User, AccountError> {
        let _w = self.lock();
        let mut user = self.get(login)?.ok_or_else(|| AccountError::UnknownUser {
            login: login.to_owned(),
        })?;
        if let Some(t) = user.token.take() {
            self.records.remove(&token_key(&t.hash))?;
        }
        user.status = UserStatus::Revoked;
        user.revoked_at = Some(now);
        user.password_hash = None;
        self.store_user(&user)?;
        Ok(user)
    }

    /// Issue a reset link: the old password stops working now and the
    /// person chooses a new one through the link. A revoked account is
    /// refused (add it again instead).
    pub fn reset(&self, login: &str, now: u64) -> Result<Issued, AccountError> {
        let _w = self.lock();
        let mut user = self.get(login)?.ok_or_else(|| AccountError::UnknownUser {
            login: login.to_owned(),
        })?;
        if user.status == UserStatus::Revoked {
            return Err(AccountError::Revoked { login: user.login });
        }
        user.password_hash = None;
        let purpose = if user.status == UserStatus::Invited {
            TokenPurpose::Invite
        } else {
            TokenPurpose::Reset
        };
        self.issue(&mut user, purpose, now)
    }

    /// The account a token was issued for, if the token is valid now.
    pub fn by_token(&self, token: &str, now: u64) -> Result<(User, TokenPurpose), AccountError> {
        if token.len() > 100 {
            return Err(AccountError::Token);
        }
        let hash = token_hash(token);
        let login: String = self
            .records
            .get(&token_key(&hash))?
            .ok_or(AccountError::Token)?;
        let user = self.get(&login)?.ok_or(AccountError::Token)?;
        match &user.token {
            Some(t)
                if t.hash == hash && t.expires_at > now && user.status != UserStatus::Revoked =>
            {
                let purpose = t.purpose;
                Ok((user, purpose))
            }
            _ => Err(AccountError::Token),
        }
    }

    /// Set the password through a link; the link is used up and the account
    /// becomes active. Slow (argon2): call off the async threads.
    pub fn redeem(&self, token: &str, password: &str, now: u64) -> Result<User, AccountError> {
        let (user, _) = self.by_token(token, now)?;
        check_password(password, &user.login)?;
        let hash = hash_password(password)?;
        let _w = self.lock();
        // Checked again under the lock: two submissions of one link, one wins.
        let (mut user, _) = self.by_token(token, now)?;
        if let Some(t) = user.token.take() {
            self.records.remove(&token_key(&t.hash))?;
        }
        user.password_hash = Some(hash);
        user.password_set_at = Some(now);
        user.status = UserStatus::Active;
        self.store_user(&user)?;
        Ok(user)
    }

    /// Check a login and password. Slow (argon2) whether or not the login
    /// exists: call off the async threads.
    pub fn verify(&self, login: &str, password: &str) -> Result<User, LoginRefused> {
        let user = normalize_login(login)
            .ok()
            .and_then(|l| self.get(&l).ok().flatten());
        let Some(user) = user else {
            let _ = password_matches(&self.decoy, password);
            return Err(LoginRefused::BadCredentials);
        };
        let ok = match &user.password_hash {
            Some(h) => password_matches(h, password),
            None => {
                let _ = password_matches(&self.decoy, password);
                false
            }
        };
        match (ok, user.status) {
            (true, UserStatus::Active) => Ok(user),
            (_, UserStatus::Revoked) => Err(LoginRefused::Revoked),
            _ => Err(LoginRefused::BadCredentials),
        }
    }

    /// Subscribe an account to the newsletter at `email` (checked, stored
    /// lower-cased in its domain); a revoked account is refused.
    pub fn subscribe(&self, login: &str, email: &str) -> Result<User, AccountError> {
        let email = check_email(email)?;
        self.change(login, |user| {
            if user.status == UserStatus::Revoked {
                return Err(AccountError::Revoked {
                    login: user.login.clone(),
                });
            }
            user.email = Some(email);
            user.subscribed = true;
            Ok(())
        })
    }

    /// Stop the newsletter for an account (its address is kept, so it can
    /// subscribe again from the portal without typing it).
    pub fn unsubscribe(&self, login: &str) -> Result<User, AccountError> {
        self.change(login, |user| {
            user.subscribed = false;
            Ok(())
        })
    }

    fn change(
        &self,
        login: &str,
        edit: impl FnOnce(&mut User) -> Result<(), AccountError>,
    ) -> Result<User, AccountError> {
        let _w = self.lock();
        let mut user = self.get(login)?.ok_or_else(|| AccountError::UnknownUser {
            login: login.to_owned(),
        })?;
        edit(&mut user)?;
        self.store_user(&user)?;
        Ok(user)
    }

    /// The records of the newsletter (issues, deliveries, the unsubscribe
    /// key), kept in the same store as the accounts.
    pub fn newsletter_records(&self) -> &Records {
        &self.newsletter
    }

    /// Make every change so far durable.
    pub async fn flush(&self) -> Result<(), AccountError> {
        self.newsletter.flush().await?;
        Ok(self.records.flush().await?)
    }

    /// [`Accounts::flush`] outside an async runtime.
    pub fn flush_blocking(&self) -> Result<(), AccountError> {
        self.newsletter.flush_blocking()?;
        Ok(self.records.flush_blocking()?)
    }
}

#[cfg(test)]
mod tests;
