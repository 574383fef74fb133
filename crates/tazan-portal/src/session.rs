//! Logins in memory (a restart logs everyone out), CSRF tokens, and the
//! login rate limit.
//!
//! The session cookie holds 32 random bytes; the portal keeps only their
//! blake3 hash, so a memory dump of the map cannot be replayed as cookies.
//! Each session carries its own CSRF token, which every form posts back.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use rand::RngCore as _;

/// A random token: 32 bytes, base64url.
pub(crate) fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Compare two tokens without leaking where they differ.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// One login.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The account.
    pub(crate) login: String,
    /// The token every form of this session must post back.
    pub(crate) csrf: String,
    expires: Instant,
}

/// The open sessions.
pub(crate) struct Sessions {
    map: Mutex<HashMap<[u8; 32], Session>>,
    ttl: Duration,
}

fn key(cookie: &str) -> [u8; 32] {
    *blake3::hash(cookie.as_bytes()).as_bytes()
}

impl Sessions {
    pub(crate) fn new(ttl: Duration) -> Sessions {
        Sessions {
            map: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Session>> {
        // Entries are replaced whole; a poisoned map is still consistent.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Open a session for `login`; returns the cookie value.
    pub(crate) fn open(&self, login: &str) -> (String, Session) {
        let cookie = random_token();
        let session = Session {
            login: login.to_owned(),
            csrf: random_token(),
            expires: Instant::now() + self.ttl,
        };
        let mut map = self.map();
        let now = Instant::now();
        map.retain(|_, s| s.expires > now);
        map.insert(key(&cookie), session.clone());
        (cookie, session)
    }

    /// The live session behind a cookie value.
    pub(crate) fn get(&self, cookie: &str) -> Option<Session> {
        let k = key(cookie);
        let mut map = self.map();
        match map.get(&k) {
            Some(s) if s.expires > Instant::now() => Some(s.clone()),
            Some(_) => {
                map.remove(&k);
                None
            }
            None => None,
        }
    }

    /// End the session behind a cookie value.
    pub(crate) fn close(&self, cookie: &str) {
        self.map().remove(&key(cookie));
    }

    /// End every session of `login` (revoked, reset).
    pub(crate) fn close_all(&self, login: &str) {
        self.map().retain(|_, s| s.login != login);
    }

    /// How many sessions are open (admin health page).
    pub(crate) fn len(&self) -> usize {
        let now = Instant::now();
        self.map().values().filter(|s| s.expires > now).count()
    }
}

/// Failed logins allowed per login name in a window.
pub(crate) const PER_LOGIN: u32 = 5;
/// Failed logins allowed per client address in a window.
pub(crate) const PER_ADDRESS: u32 = 20;
/// The window.
pub(crate) const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts failed logins by login name and by client address; past the
/// limit, attempts are refused without checking the password until the
/// window ends. A success clears the login's count.
pub(crate) struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    pub(crate) fn new() -> LoginLimiter {
        LoginLimiter {
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u32, Instant)>> {
        // Counters only; a poisoned map is still usable.
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Some(wait)` when `login` or `address` is over its limit.
    pub(crate) fn blocked(&self, login: &str, address: &str) -> Option<Duration> {
        let now = Instant::now();
        let map = self.map();
        [
            (format!("login:{login}"), PER_LOGIN),
            (format!("addr:{address}"), PER_ADDRESS),
        ]
        .into_iter()
        .filter_map(|(k, limit)| {
            let (n, since) = map.get(&k)?;
            let left = WINDOW.checked_sub(now.duration_since(*since))?;
            (*n >= limit).then_some(left)
        })
        .max()
    }

    /// Count a failed attempt.
    pub(crate) fn failed(&self, login: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.map();
        map.retain(|_, (_, since)| now.duration_since(*since) < WINDOW);
        for k in [format!("login:{login}"), format!("addr:{address}")] {
            let e = map.entry(k).or_insert((0, now));
            e.0 += 1;
        }
    }

    /// A successful login clears its name's count.
    pub(crate) fn succeeded(&self, login: &str) {
        self.map().remove(&format!("login:{login}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_open_find_close_and_expire() {
        let s = Sessions::new(Duration::from_secs(60));
        let (cookie, session) = s.open("佐藤");
        assert_eq!(s.get(&cookie).unwrap().csrf, session.csrf);
        assert!(s.get("forged").is_none());
        let (other, _) = s.open("佐藤");
        s.close(&cookie);
        assert!(s.get(&cookie).is_none());
        assert!(s.get(&other).is_some());
        s.close_all("佐藤");
        assert!(s.get(&other).is_none());
        let short = Sessions::new(Duration::from_millis(0));
        let (c, _) = short.open("x");
        assert!(short.get(&c).is_none(), "expired at once");
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("a", "ab"));
    }

    #[test]
    fn the_limiter_blocks_after_the_limit_and_a_success_clears_the_login() {
        let l = LoginLimiter::new();
        for _ in 0..PER_LOGIN {
            assert!(l.blocked("佐藤", "127.0.0.1").is_none());
            l.failed("佐藤", "127.0.0.1");
        }
        let wait = l.blocked("佐藤", "127.0.0.1").unwrap();
        assert!(wait <= WINDOW && wait > WINDOW - Duration::from_secs(60));
        assert!(
            l.blocked("鈴木", "127.0.0.2").is_none(),
            "another login elsewhere is free"
        );
        l.succeeded("佐藤");
        assert!(l.blocked("佐藤", "127.0.0.1").is_none());
        for i in 0..PER_ADDRESS {
            l.failed(&format!("u{i}"), "10.0.0.9");
        }
        assert!(
            l.blocked("anyone", "10.0.0.9").is_some(),
            "one address, many names"
        );
    }
}
