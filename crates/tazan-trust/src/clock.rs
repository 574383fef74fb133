//! The wall clock that time-dependent rules read: a roster key's validity
//! and revocation times against a lesson's `received_at`, the stamps
//! themselves, cosignature timestamps. The system's in a running service;
//! in a test, one that is moved forward instead of slept past.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A wall clock in Unix seconds. Cheap to clone; clones share one offset,
/// so a test that moves its clock moves every component holding a clone.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Seconds added to the system's time; `None` for the system clock,
    /// which cannot be moved.
    offset: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock { offset: None }
    }

    /// A clock that reads the system's time plus `offset_s` seconds (which
    /// may be negative) and that [`Clock::advance`] moves forward: for tests.
    pub fn settable(offset_s: i64) -> Clock {
        Clock {
            offset: Some(Arc::new(AtomicI64::new(offset_s))),
        }
    }

    /// Seconds since the Unix epoch by this clock (0 before 1970).
    pub fn now_unix(&self) -> u64 {
        let offset = self.offset.as_ref().map_or(0, |o| o.load(Ordering::SeqCst));
        crate::now_unix().saturating_add_signed(offset)
    }

    /// Move a [settable](Clock::settable) clock forward by `by` (whole
    /// seconds): what happens after this is dated after what happened before.
    ///
    /// # Panics
    ///
    /// On the system clock, which only time moves.
    pub fn advance(&self, by: Duration) {
        let Some(offset) = &self.offset else {
            panic!("Clock::advance on the system clock; use Clock::settable in tests");
        };
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        offset.fetch_add(secs, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settable_clock_moves_forward_and_its_clones_with_it() {
        let system = Clock::system();
        let behind = Clock::settable(-100);
        let shared = behind.clone();
        let before = system.now_unix();
        assert!(behind.now_unix() + 99 <= before && before <= behind.now_unix() + 101);
        behind.advance(Duration::from_secs(200));
        let now = system.now_unix();
        assert!(now + 99 <= shared.now_unix() && shared.now_unix() <= now + 101);
    }

    #[test]
    #[should_panic(expected = "Clock::advance on the system clock")]
    fn the_system_clock_cannot_be_moved() {
        Clock::system().advance(Duration::from_secs(1));
    }
}
