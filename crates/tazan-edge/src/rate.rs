//! Per-member rate limits and quotas: calls per second, lessons published
//! per second, subscriptions open at once. A refusal is a
//! `RESOURCE_EXHAUSTED` naming the `limits.*` key, with when to retry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

// tokio's clock (the system's, outside a paused test runtime), so tests
// move time forward instead of sleeping.
use tokio::time::Instant;

use crate::stats::CallStats;
use crate::CallLimits;

/// The keys of the limits a call can hit (metric labels).
pub(crate) const LIMITS: [&str; 3] = [CALLS, LESSONS, SUBSCRIPTIONS];
const CALLS: &str = "limits.calls_per_second";
const LESSONS: &str = "limits.lessons_per_second";
const SUBSCRIPTIONS: &str = "limits.subscriptions_per_member";

/// A call refused by a per-member limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Limited {
    /// The `limits.*` key that refused it.
    pub limit: &'static str,
    /// What the limit is and what was asked.
    pub detail: String,
    /// When a retry can pass.
    pub retry_after: Duration,
}

impl std::fmt::Display for Limited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "over `{}`: {}; retry after {} ms",
            self.limit,
            self.detail,
            self.retry_after.as_millis().max(1)
        )
    }
}

impl From<Limited> for tonic::Status {
    fn from(l: Limited) -> tonic::Status {
        let mut status = tonic::Status::resource_exhausted(l.to_string());
        let ms = l.retry_after.as_millis().max(1).to_string();
        if let Ok(v) = ms.parse() {
            status.metadata_mut().insert("retry-after-ms", v);
        }
        status
    }
}

/// A token bucket: `rate` tokens a second, at most `burst` held.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(burst: u32) -> Bucket {
        Bucket {
            tokens: f64::from(burst),
            at: Instant::now(),
        }
    }

    /// Take `n` tokens, or say how long until there are `n`.
    fn take(&mut self, n: f64, rate: f64, burst: u32) -> Result<(), Duration> {
        let now = Instant::now();
        let refill = now.duration_since(self.at).as_secs_f64() * rate;
        self.tokens = (self.tokens + refill).min(f64::from(burst));
        self.at = now;
        if self.tokens >= n {
            self.tokens -= n;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((n - self.tokens) / rate))
        }
    }
}

#[derive(Debug)]
struct Member {
    calls: Bucket,
    lessons: Bucket,
    subscriptions: usize,
}

/// The per-member limits of one hub. Members are keyed by roster id, so
/// the table is as large as the roster, never as the number of peers.
#[derive(Debug)]
pub struct CallLimiter {
    limits: CallLimits,
    members: Mutex<HashMap<String, Member>>,
    stats: CallStats,
}

impl CallLimiter {
    /// A limiter with `limits`.
    pub fn new(limits: CallLimits) -> Arc<CallLimiter> {
        Arc::new(CallLimiter {
            limits,
            members: Mutex::default(),
            stats: CallStats::default(),
        })
    }

    /// The limits in force.
    pub fn limits(&self) -> &CallLimits {
        &self.limits
    }

    /// Counters of refusals and cut subscribers.
    pub fn stats(&self) -> &CallStats {
        &self.stats
    }

    fn with<T>(&self, member: &str, f: impl FnOnce(&mut Member) -> T) -> T {
        let mut members = self.members.lock().unwrap_or_else(|p| p.into_inner());
        let entry = members.entry(member.to_owned()).or_insert_with(|| Member {
            calls: Bucket::full(self.limits.call_burst),
            lessons: Bucket::full(self.limits.lesson_burst),
            subscriptions: 0,
        });
        f(entry)
    }

    fn refuse(&self, limit: &'static str, detail: String, retry_after: Duration) -> Limited {
        self.stats.limited(limit);
        Limited {
            limit,
            detail,
            retry_after,
        }
    }

    /// One call by `member`, any method.
    pub fn call(&self, member: &str) -> Result<(), Limited> {
        let l = self.limits;
        self.with(member, |m| {
            m.calls.take(1.0, l.calls_per_second, l.call_burst)
        })
        .map_err(|wait| {
            self.refuse(
                CALLS,
                format!(
                    "member `{member}` made more than {} calls a second (burst {})",
                    l.calls_per_second, l.call_burst
                ),
                wait,
            )
        })
    }

    /// `n` lessons published by `member` in one call.
    pub fn lessons(&self, member: &str, n: usize) -> Result<(), Limited> {
        let l = self.limits;
        self.with(member, |m| {
            m.lessons
                .take(n as f64, l.lessons_per_second, l.lesson_burst)
        })
        .map_err(|wait| {
            self.refuse(
                LESSONS,
                format!(
                    "member `{member}` published more than {} lessons a second (burst {}); this call has {n}",
                    l.lessons_per_second, l.lesson_burst
                ),
                wait,
            )
        })
    }

    /// A subscription by `member`, open until the permit is dropped.
    pub fn subscription(self: &Arc<Self>, member: &str) -> Result<SubscriptionPermit, Limited> {
        let max = self.limits.subscriptions_per_member;
        let taken = self.with(member, |m| {
            if m.subscriptions >= max {
                false
            } else {
                m.subscriptions += 1;
                true
            }
        });
        if !taken {
            return Err(self.refuse(
                SUBSCRIPTIONS,
                format!("member `{member}` already has {max} subscriptions open; close one"),
                Duration::from_secs(1),
            ));
        }
        Ok(SubscriptionPermit {
            limiter: self.clone(),
            member: member.to_owned(),
        })
    }

    /// A subscriber of `member` was cut for not reading: counted, and the
    /// status it is sent.
    pub fn cut(&self, member: &str) -> tonic::Status {
        self.stats.cut();
        let l = self.limits;
        tonic::Status::resource_exhausted(format!(
            "over `limits.slow_subscriber_timeout_ms`: member `{member}` did not read for {} ms while {} entries waited; subscribe again from your cursor and read faster",
            l.slow_subscriber_timeout.as_millis(),
            l.subscriber_buffer
        ))
    }
}

/// An open subscription, counted against its member's quota until dropped.
#[derive(Debug)]
pub struct SubscriptionPermit {
    limiter: Arc<CallLimiter>,
    member: String,
}

impl Drop for SubscriptionPermit {
    fn drop(&mut self) {
        self.limiter.with(&self.member, |m| {
            m.subscriptions = m.subscriptions.saturating_sub(1)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> CallLimits {
        CallLimits {
            calls_per_second: 1.0,
            call_burst: 3,
            lessons_per_second: 10.0,
            lesson_burst: 20,
            subscriptions_per_member: 2,
            ..CallLimits::default()
        }
    }

    #[test]
    fn a_burst_passes_then_the_limit_is_named_with_a_retry() {
        let l = CallLimiter::new(limits());
        for _ in 0..3 {
            l.call("sakura-bank").unwrap();
        }
        let refused = l.call("sakura-bank").unwrap_err();
        assert_eq!(refused.limit, "limits.calls_per_second");
        assert!(refused.retry_after > Duration::ZERO);
        assert!(refused.retry_after <= Duration::from_secs(1));
        l.call("kaede-securities").unwrap();
        let status = tonic::Status::from(refused);
        assert_eq!(status.code(), tonic::Code::ResourceExhausted);
        assert!(
            status.message().contains("`limits.calls_per_second`")
                && status.message().contains("sakura-bank"),
            "{}",
            status.message()
        );
        assert!(status.metadata().get("retry-after-ms").is_some());
        assert_eq!(l.stats().limited_by("limits.calls_per_second"), 1);
    }

    #[test]
    fn lessons_count_by_envelope_and_a_batch_over_the_bucket_waits() {
        let l = CallLimiter::new(limits());
        l.lessons("m", 15).unwrap();
        let refused = l.lessons("m", 10).unwrap_err();
        assert_eq!(refused.limit, "limits.lessons_per_second");
        assert!(
            refused.detail.contains("this call has 10"),
            "{}",
            refused.detail
        );
        l.lessons("m", 5).unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_bucket_refills_at_its_rate_on_the_clock() {
        let l = CallLimiter::new(limits());
        for _ in 0..3 {
            l.call("m").unwrap();
        }
        let refused = l.call("m").unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_secs(1));
        // Just short of the retry time: still refused, and told the rest.
        tokio::time::advance(Duration::from_millis(900)).await;
        let again = l.call("m").unwrap_err();
        assert!(again.retry_after <= Duration::from_millis(101), "{again:?}");
        tokio::time::advance(again.retry_after + Duration::from_millis(1)).await;
        l.call("m").unwrap();
        // Idle for long, the bucket holds its burst and no more.
        tokio::time::advance(Duration::from_secs(3600)).await;
        for _ in 0..3 {
            l.call("m").unwrap();
        }
        assert!(l.call("m").is_err());
        assert_eq!(l.stats().limited_by("limits.calls_per_second"), 3);
    }

    #[test]
    fn subscriptions_are_a_quota_given_back_on_drop() {
        let l = CallLimiter::new(limits());
        let a = l.subscription("m").unwrap();
        let _b = l.subscription("m").unwrap();
        let refused = l.subscription("m").unwrap_err();
        assert_eq!(refused.limit, "limits.subscriptions_per_member");
        drop(a);
        let _c = l.subscription("m").unwrap();
        assert_eq!(l.cut("m").code(), tonic::Code::ResourceExhausted);
        assert_eq!(l.stats().cut_subscribers(), 1);
    }
}
