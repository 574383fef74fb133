//! Delivering an issue: one mail per subscribed, active account, each
//! recorded sent or failed (with the server's reply) before the next, so a
//! re-run retries the failed ones and never sends twice.

use std::time::Duration;

use base64::Engine as _;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox};
use lettre::{Message, SmtpTransport, Transport as _};
use serde::{Deserialize, Serialize};
use tracing::{info, warn};

use super::{check_issue, Letter};
use crate::accounts::{AccountError, Accounts, User, UserStatus};

/// The records key of the unsubscribe MAC key.
const KEY: &str = "key/unsubscribe";
/// The MAC's domain.
const CONTEXT: &[u8] = b"tazan/unsubscribe/v1\0";

/// Where and how mail leaves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outbound {
    /// The SMTP relay, `host:port`.
    pub smtp: String,
    /// The sender.
    pub from: String,
    /// Seconds one SMTP exchange may take.
    pub timeout_secs: u64,
    /// Say who would get it; send and record nothing.
    pub dry_run: bool,
    /// The portal's base URL for unsubscribe links, or empty.
    pub base_url: String,
}

/// How one recipient's delivery of an issue stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// The relay accepted it.
    Sent,
    /// The relay refused it or could not be reached; retried next run.
    Failed,
}

/// One recipient's delivery record of one issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The account.
    pub login: String,
    /// The address used.
    pub email: String,
    /// Sent or failed.
    pub state: DeliveryState,
    /// The server's reply or the connection error, when failed.
    pub reason: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Unix seconds of the last attempt.
    pub at: u64,
}

/// What this run did for one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RecipientOutcome {
    /// Sent now.
    Sent,
    /// Sent by an earlier run: not sent again.
    AlreadySent,
    /// Refused or unreachable now (recorded; the next run retries).
    Failed {
        /// The server's reply or the error.
        reason: String,
    },
    /// A dry run: would be sent.
    WouldSend,
}

/// A recipient and what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientResult {
    /// The account.
    pub login: String,
    /// The address.
    pub email: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: RecipientOutcome,
}

/// What one run of an issue did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The issue.
    pub issue: String,
    /// Whether the letter was composed by an earlier run (and reused).
    pub reused: bool,
    /// AMBER lessons withheld from the letter (a notice only).
    pub amber_withheld: usize,
    /// Lessons in 事例報告.
    pub lessons: usize,
    /// Per recipient, by login.
    pub recipients: Vec<RecipientResult>,
    /// A dry run.
    pub dry_run: bool,
}

impl Report {
    /// Recipients whose delivery failed in this run.
    pub fn failed(&self) -> usize {
        self.recipients
            .iter()
            .filter(|r| matches!(r.outcome, RecipientOutcome::Failed { .. }))
            .count()
    }

    /// Recipients sent to in this run.
    pub fn sent(&self) -> usize {
        self.recipients
            .iter()
            .filter(|r| r.outcome == RecipientOutcome::Sent)
            .count()
    }
}

fn delivery_key(issue: &str, login: &str) -> String {
    format!("delivery/{issue}/{login}")
}

fn letter_key(issue: &str) -> String {
    format!("letter/{issue}")
}

fn field(field: &'static str, reason: String) -> AccountError {
    AccountError::Field { field, reason }
}

/// Deliver `letter` (or, when its issue was composed before, the stored
/// one) to every active, subscribed account with an address whose member
/// `member_ok` admits. Each outcome is durable before the next mail.
pub fn deliver(
    accounts: &Accounts,
    member_ok: &dyn Fn(&tazan_model::MemberId) -> Result<(), String>,
    letter: Letter,
    out: &Outbound,
) -> Result<Report, AccountError> {
    check_issue(&letter.issue).map_err(|r| field("issue", r))?;
    tazan_config::check_smtp(&out.smtp).map_err(|r| field("smtp", r))?;
    let from: Mailbox = out
        .from
        .parse()
        .map_err(|e| field("mail.from", format!("{:?}: {e}", out.from)))?;
    let records = accounts.newsletter_records();
    let stored: Option<Letter> = records.get(&letter_key(&letter.issue))?;
    let reused = stored.is_some();
    let letter = stored.unwrap_or(letter);
    if !reused && !out.dry_run {
        records.put(&letter_key(&letter.issue), &letter)?;
        records.flush_blocking()?;
    }
    let key = mac_key(accounts, !out.dry_run)?;
    let recipients: Vec<User> = accounts
        .list()?
        .into_iter()
        .filter(|u| u.status != UserStatus::Revoked && u.subscribed && u.email.is_some())
        .filter(|u| member_ok(&u.member).is_ok())
        .collect();
    let transport = transport(out)?;
    let mut report = Report {
        issue: letter.issue.clone(),
        reused,
        amber_withheld: letter.amber_withheld,
        lessons: letter.lessons,
        recipients: Vec::with_capacity(recipients.len()),
        dry_run: out.dry_run,
    };
    for user in recipients {
        let email = user.email.clone().unwrap_or_default();
        let k = delivery_key(&letter.issue, &user.login);
        let before: Option<Delivery> = records.get(&k)?;
        let outcome = match (&before, out.dry_run) {
            (Some(d), _) if d.state == DeliveryState::Sent => RecipientOutcome::AlreadySent,
            (_, true) => RecipientOutcome::WouldSend,
            (_, false) => {
                let token = key
                    .as_ref()
                    .map(|k| token_for(k, &user.login))
                    .unwrap_or_default();
                let result = message(&letter, &from, &email, &token, &out.base_url)
                    .and_then(|m| transport.send(&m).map(|_| ()).map_err(|e| e.to_string()));
                let (state, reason) = match &result {
                    Ok(()) => (DeliveryState::Sent, String::new()),
                    Err(r) => (DeliveryState::Failed, r.clone()),
                };
                records.put(
                    &k,
                    &Delivery {
                        login: user.login.clone(),
                        email: email.clone(),
                        state,
                        reason: reason.clone(),
                        attempts: before.as_ref().map_or(0, |d| d.attempts) + 1,
                        at: tazan_trust::now_unix(),
                    },
                )?;
                records.flush_blocking()?;
                match result {
                    Ok(()) => {
                        info!(issue = %letter.issue, login = %user.login, "newsletter sent");
                        RecipientOutcome::Sent
                    }
                    Err(reason) => {
                        warn!(issue = %letter.issue, login = %user.login, %reason, "newsletter refused");
                        RecipientOutcome::Failed { reason }
                    }
                }
            }
        };
        report.recipients.push(RecipientResult {
            login: user.login,
            email,
            outcome,
        });
    }
    Ok(report)
}

/// The delivery records of an issue, by login.
pub fn deliveries(accounts: &Accounts, issue: &str) -> Result<Vec<Delivery>, AccountError> {
    Ok(accounts
        .newsletter_records()
        .scan::<Delivery>(&format!("delivery/{issue}/"))?
        .into_iter()
        .map(|(_, d)| d)
        .collect())
}

fn transport(out: &Outbound) -> Result<SmtpTransport, AccountError> {
    let (host, port) = out
        .smtp
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
        .ok_or_else(|| field("smtp", format!("{:?} is not host:port", out.smtp)))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok(SmtpTransport::builder_dangerous(host)
        .port(port)
        .timeout(Some(Duration::from_secs(out.timeout_secs.clamp(1, 600))))
        .build())
}

/// One recipient's mail: the letter, then the unsubscribe footer.
fn message(
    letter: &Letter,
    from: &Mailbox,
    email: &str,
    token: &str,
    base_url: &str,
) -> Result<Message, String> {
    let to: Mailbox = email
        .parse()
        .map_err(|e| format!("address {email:?}: {e}"))?;
    let link = if base_url.is_empty() {
        String::new()
    } else {
        format!("{base_url}/unsubscribe/{token}")
    };
    let footer = if link.is_empty() {
        format!("配信停止: ハブの管理者に次の番号をお伝えください: {token}\n")
    } else {
        format!("配信停止（このアドレスへの配信を止めます）:\n{link}\n")
    };
    let text = format!("{}\n----\n{footer}", letter.body);
    // Base64: Japanese lines are longer than 8-bit mail's 76-byte lines
    // allow, and every relay carries base64.
    let body = Body::new_with_encoding(text, ContentTransferEncoding::Base64)
        .map_err(|_| "the letter could not be encoded".to_owned())?;
    let mut b = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(letter.subject.clone())
        .header(ContentType::TEXT_PLAIN);
    if !link.is_empty() {
        b = b.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{link}>"),
        ));
    }
    b.singlepart(
        lettre::message::SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(body),
    )
    .map_err(|e| e.to_string())
}

/// The unsubscribe MAC key, made on first use when `create`.
fn mac_key(accounts: &Accounts, create: bool) -> Result<Option<[u8; 32]>, AccountError> {
    let records = accounts.newsletter_records();
    if let Some(hex) = records.get::<String>(KEY)? {
        let mut k = [0u8; 32];
        if hex::decode_to_slice(hex, &mut k).is_ok() {
            return Ok(Some(k));
        }
        warn!("the newsletter's unsubscribe key is unreadable; making a new one (older links stop working)");
    }
    if !create {
        return Ok(None);
    }
    let mut k = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut k);
    records.put(KEY, &hex::encode(k))?;
    records.flush_blocking()?;
    Ok(Some(k))
}

fn mac(key: &[u8; 32], login: &str) -> blake3::Hash {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(CONTEXT);
    h.update(login.as_bytes());
    h.finalize()
}

fn token_for(key: &[u8; 32], login: &str) -> String {
    let name = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(login.as_bytes());
    format!("{name}.{}", mac(key, login).to_hex())
}

/// The unsubscribe token of `login` (what its mails link to), making the
/// hub's key on first use.
pub fn unsubscribe_token(accounts: &Accounts, login: &str) -> Result<String, AccountError> {
    let key = mac_key(accounts, true)?.ok_or(AccountError::Token)?;
    Ok(token_for(&key, login))
}

/// Unsubscribe the account a mail's token names; an unknown, forged or
/// malformed token is [`AccountError::Token`].
pub fn unsubscribe_by_token(accounts: &Accounts, token: &str) -> Result<User, AccountError> {
    if token.len() > 300 {
        return Err(AccountError::Token);
    }
    let (name, tag) = token.split_once('.').ok_or(AccountError::Token)?;
    let login = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(name)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(AccountError::Token)?;
    let given = blake3::Hash::from_hex(tag).map_err(|_| AccountError::Token)?;
    let key = mac_key(accounts, false)?.ok_or(AccountError::Token)?;
    // blake3::Hash compares in constant time.
    if mac(&key, &login) != given {
        return Err(AccountError::Token);
    }
    let user = accounts.unsubscribe(&login).map_err(|e| match e {
        AccountError::UnknownUser { .. } => AccountError::Token,
        e => e,
    })?;
    accounts.flush_blocking()?;
    info!(login = %user.login, "unsubscribed by the link in a newsletter");
    Ok(user)
}
