//! How many lessons of the index share a combination of structured fields: the `k` of
//! k-anonymity over a hub's or node's whole index (see [`crate::anonymity`] for the
//! combination and what "share" means).

use super::SearchIndex;
use crate::anonymity::QuasiIdentifiers;
use crate::error::SearchError;

impl SearchIndex {
    /// How many committed lessons share `key`: each field given in `key` holds the
    /// lesson's value, the same or finer (`2016-03` is within `2016`; `2016` is not within
    /// `2016-H1`); a lesson lacking a given field does not share it.
    pub fn count_sharing(&self, key: &QuasiIdentifiers) -> Result<u64, SearchError> {
        let mut n = 0;
        self.for_each_doc(|d| {
            if key.covers(&QuasiIdentifiers::of(&d)) {
                n += 1;
            }
        })?;
        Ok(n)
    }
}
