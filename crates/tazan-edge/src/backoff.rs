//! The one retry backoff of every loop that talks to another tier or waits
//! for storage: the relay, a node's delivery and subscription, a group
//! hub's subscription to the cross hub, witnessing, and the store healer.

use std::time::Duration;

use rand::Rng;
use tokio::sync::watch;

/// Exponential backoff with jitter and a cap.
///
/// The n-th wait is drawn uniformly from `[d/2, d]`, where
/// `d = min(cap, first × 2ⁿ)` ("equal jitter"): never less than half the
/// step, so a failing peer is not hammered, and spread out, so many
/// clients that failed together do not retry together. [`Backoff::reset`]
/// after a success starts again from `first`.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    cap: Duration,
    step: Duration,
}

impl Backoff {
    /// A backoff from `first` doubling up to `cap` (`cap` at least `first`).
    pub fn new(first: Duration, cap: Duration) -> Backoff {
        Backoff {
            first,
            cap: cap.max(first),
            step: first,
        }
    }

    /// The backoff of the federation's retry loops: 100 ms doubling to 5 s.
    pub fn network() -> Backoff {
        Backoff::new(Duration::from_millis(100), Duration::from_secs(5))
    }

    /// The next wait, and double the step (up to the cap).
    pub fn next_delay(&mut self) -> Duration {
        let step = self.step;
        self.step = (self.step * 2).min(self.cap);
        let half = step / 2;
        let spread = u64::try_from((step - half).as_micros()).unwrap_or(u64::MAX);
        half + Duration::from_micros(rand::thread_rng().gen_range(0..=spread))
    }

    /// Start again from the first step (after a success).
    pub fn reset(&mut self) {
        self.step = self.first;
    }

    /// Wait the next delay unless `stop` turns true first; returns true
    /// when stopping.
    pub async fn wait(&mut self, stop: &mut watch::Receiver<bool>) -> bool {
        let d = self.next_delay();
        pause(stop, d).await
    }
}

/// Wait `d` unless `stop` turns true first; returns true when stopping.
pub async fn pause(stop: &mut watch::Receiver<bool>, d: Duration) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_within_jitter_and_stop_at_the_cap() {
        let ms = Duration::from_millis;
        let mut b = Backoff::new(ms(100), ms(1000));
        let mut steps = Vec::new();
        for _ in 0..8 {
            steps.push(b.next_delay());
        }
        let expected = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
        for (d, step) in steps.iter().zip(expected) {
            assert!(
                *d >= ms(step / 2) && *d <= ms(step),
                "{d:?} outside [{}, {step}] ms",
                step / 2
            );
        }
        b.reset();
        assert!(b.next_delay() <= ms(100));
    }

    #[test]
    fn delays_are_spread_not_equal() {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..50 {
            seen.insert(Backoff::new(Duration::from_secs(1), Duration::from_secs(1)).next_delay());
        }
        assert!(seen.len() > 10, "jitter spreads retries: {seen:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_waits_run_on_the_clock_within_their_jitter() {
        let (_tx, mut rx) = watch::channel(false);
        let mut b = Backoff::new(Duration::from_secs(60), Duration::from_secs(600));
        for step in [60, 120, 240, 480, 600, 600] {
            let start = tokio::time::Instant::now();
            assert!(!b.wait(&mut rx).await, "not stopping");
            let waited = start.elapsed();
            assert!(
                waited >= Duration::from_secs(step / 2) && waited <= Duration::from_secs(step),
                "{waited:?} outside [{}, {step}] s",
                step / 2
            );
        }
    }

    #[tokio::test]
    async fn a_stop_ends_the_wait_at_once() {
        let (tx, mut rx) = watch::channel(false);
        let mut b = Backoff::new(Duration::from_secs(3600), Duration::from_secs(3600));
        let waiting = tokio::spawn(async move { b.wait(&mut rx).await });
        tx.send(true).unwrap();
        assert!(waiting.await.unwrap(), "stopping");
        let (_tx, mut rx) = watch::channel(true);
        assert!(pause(&mut rx, Duration::from_secs(3600)).await);
    }
}
