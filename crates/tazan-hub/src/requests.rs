//! Per-method request metrics for the `Hub` service: a latency histogram and
//! a count of outcomes by gRPC code for each RPC, exported as
//! `tazan_hub_request_seconds{method}` and `tazan_hub_requests_total{method, code}`.
//!
//! Only calls that reach a handler are measured; calls refused by the
//! authentication interceptor before any payload is read are counted in
//! `tazan_hub_calls_refused_total` instead.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tazan_metrics::{Exposition, Histogram};
use tonic::Code;

/// An RPC of the `Hub` service (a fixed, small label set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    List,
    Get,
    Info,
    Roster,
    Search,
    Subscribe,
    Publish,
    Checkpoint,
    Consistency,
    AddCheckpoint,
    AddCosignature,
    AcceptPolicy,
}

impl Method {
    const ALL: [Method; 12] = [
        Method::List,
        Method::Get,
        Method::Info,
        Method::Roster,
        Method::Search,
        Method::Subscribe,
        Method::Publish,
        Method::Checkpoint,
        Method::Consistency,
        Method::AddCheckpoint,
        Method::AddCosignature,
        Method::AcceptPolicy,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Method::List => "List",
            Method::Get => "Get",
            Method::Info => "Info",
            Method::Roster => "Roster",
            Method::Search => "Search",
            Method::Subscribe => "Subscribe",
            Method::Publish => "Publish",
            Method::Checkpoint => "Checkpoint",
            Method::Consistency => "Consistency",
            Method::AddCheckpoint => "AddCheckpoint",
            Method::AddCosignature => "AddCosignature",
            Method::AcceptPolicy => "AcceptPolicy",
        }
    }
}

/// gRPC status codes by number, named as grpc-go's `codes.Code` prints them
/// (the names Prometheus users know from `grpc_code`).
const CODE_NAMES: [&str; 17] = [
    "OK",
    "Canceled",
    "Unknown",
    "InvalidArgument",
    "DeadlineExceeded",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "ResourceExhausted",
    "FailedPrecondition",
    "Aborted",
    "OutOfRange",
    "Unimplemented",
    "Internal",
    "Unavailable",
    "DataLoss",
    "Unauthenticated",
];

/// Latency and outcomes of each RPC since start.
#[derive(Debug)]
pub struct RequestStats {
    latency: [Histogram; Method::ALL.len()],
    outcomes: [[AtomicU64; CODE_NAMES.len()]; Method::ALL.len()],
}

impl Default for RequestStats {
    fn default() -> Self {
        RequestStats {
            latency: std::array::from_fn(|_| Histogram::latency()),
            outcomes: Default::default(),
        }
    }
}

impl RequestStats {
    /// Record how long a call of `method` took to answer.
    pub(crate) fn observe(&self, method: Method, took: Duration) {
        self.latency[method as usize].observe(took);
    }

    /// Count one call of `method` that ended with `code`.
    pub(crate) fn count(&self, method: Method, code: Code) {
        // `Code` is the gRPC code number (0..=16); anything else is Unknown.
        let i = usize::try_from(code as i32)
            .ok()
            .filter(|i| *i < CODE_NAMES.len())
            .unwrap_or(Code::Unknown as usize);
        self.outcomes[method as usize][i].fetch_add(1, Ordering::Relaxed);
    }

    /// Both: a call of `method` answered after `took` with `code`.
    pub(crate) fn record(&self, method: Method, took: Duration, code: Code) {
        self.observe(method, took);
        self.count(method, code);
    }

    /// Append both families to `e`, each series labelled `hub_labels` + `method`
    /// (+ `code`). The `OK` series is always there (zero until a call
    /// succeeds), so error ratios and rates start from a series rather than
    /// from nothing; other codes appear once they occur.
    pub(crate) fn render(&self, e: &mut Exposition, hub_labels: &[(&str, &str)]) {
        for m in Method::ALL {
            let mut labels = hub_labels.to_vec();
            labels.push(("method", m.as_str()));
            e.histogram_with(
                "tazan_hub_request_seconds",
                "Time to answer a call, by RPC (Subscribe: until its first page is queued).",
                &labels,
                &self.latency[m as usize],
            );
        }
        for m in Method::ALL {
            for (code, n) in CODE_NAMES.iter().zip(&self.outcomes[m as usize]) {
                let n = n.load(Ordering::Relaxed);
                if n == 0 && *code != "OK" {
                    continue;
                }
                let mut labels = hub_labels.to_vec();
                labels.extend([("method", m.as_str()), ("code", *code)]);
                e.counter(
                    "tazan_hub_requests_total",
                    "Calls answered, by RPC and gRPC status code.",
                    &labels,
                    n,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_counted_by_method_and_code() {
        let s = RequestStats::default();
        s.record(Method::Get, Duration::from_millis(1), Code::NotFound);
        s.record(Method::Get, Duration::from_millis(1), Code::Ok);
        s.record(Method::Get, Duration::from_millis(1), Code::NotFound);
        s.count(Method::Publish, Code::InvalidArgument);
        let mut e = Exposition::default();
        s.render(&mut e, &[("hub", "h")]);
        let page = e.finish();
        for line in [
            "tazan_hub_requests_total{hub=\"h\",method=\"Get\",code=\"NotFound\"} 2",
            "tazan_hub_requests_total{hub=\"h\",method=\"Get\",code=\"OK\"} 1",
            "tazan_hub_requests_total{hub=\"h\",method=\"Publish\",code=\"InvalidArgument\"} 1",
            "tazan_hub_requests_total{hub=\"h\",method=\"List\",code=\"OK\"} 0",
            "tazan_hub_request_seconds_count{hub=\"h\",method=\"Get\"} 3",
            "tazan_hub_request_seconds_count{hub=\"h\",method=\"Publish\"} 0",
        ] {
            assert!(page.contains(line), "no `{line}` in\n{page}");
        }
        assert!(
            page.contains("tazan_hub_requests_total{hub=\"h\",method=\"Publish\",code=\"OK\"} 0"),
            "{page}"
        );
        // Codes that never occurred have no series.
        assert!(!page.contains("code=\"Internal\""), "{page}");
    }
}
