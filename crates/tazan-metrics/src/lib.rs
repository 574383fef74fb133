//! Prometheus metrics for tazan services: counters, gauges and latency
//! histograms rendered in the text exposition format. The page is served at
//! `GET /metrics` by `tazan-edge` (axum, under the listener limits).
//!
//! ```text
//!  hub / node state ──► render closure ──► Exposition (text) ──► tazan-edge: GET /metrics ──► Prometheus
//! ```
//!
//! Not here: labels with unbounded values (no lesson ids, no member names
//! beyond the roster), pushing, or serving HTTP. Nothing rendered here
//! contains lesson text or keys.
//!
//! ```
//! use tazan_metrics::{Exposition, Histogram};
//!
//! let h = Histogram::latency();
//! h.observe(std::time::Duration::from_millis(3));
//! let mut out = Exposition::default();
//! out.counter("tazan_demo_total", "Things done.", &[], 7);
//! out.histogram("tazan_demo_seconds", "How long things took.", &h);
//! assert!(out.finish().contains("tazan_demo_total 7"));
//! ```
#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Upper bounds (seconds) of the latency buckets: 0.5 ms to 2.5 s.
const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// A latency histogram with fixed buckets, updated lock-free.
#[derive(Debug)]
pub struct Histogram {
    counts: [AtomicU64; LATENCY_BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    /// A histogram with the latency buckets (0.5 ms … 2.5 s).
    pub fn latency() -> Histogram {
        Histogram {
            counts: Default::default(),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    /// Record one observation.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.counts[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

/// A metrics page being written.
#[derive(Debug, Default)]
pub struct Exposition {
    out: String,
}

fn labels(pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            let v = v
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{k}=\"{v}\"")
        })
        .collect();
    format!("{{{}}}", inner.join(","))
}

impl Exposition {
    fn header(&mut self, name: &str, help: &str, kind: &str) {
        if !self.out.contains(&format!("# TYPE {name} ")) {
            let _ = writeln!(self.out, "# HELP {name} {help}");
            let _ = writeln!(self.out, "# TYPE {name} {kind}");
        }
    }

    /// A monotonically increasing count.
    pub fn counter(&mut self, name: &str, help: &str, label_pairs: &[(&str, &str)], value: u64) {
        self.header(name, help, "counter");
        let _ = writeln!(self.out, "{name}{} {value}", labels(label_pairs));
    }

    /// A value that goes up and down.
    pub fn gauge(&mut self, name: &str, help: &str, label_pairs: &[(&str, &str)], value: f64) {
        self.header(name, help, "gauge");
        let _ = writeln!(self.out, "{name}{} {value}", labels(label_pairs));
    }

    /// A latency histogram.
    pub fn histogram(&mut self, name: &str, help: &str, h: &Histogram) {
        self.histogram_with(name, help, &[], h);
    }

    /// A latency histogram, one series of a labelled family (`le` is added
    /// to `label_pairs` on each bucket).
    pub fn histogram_with(
        &mut self,
        name: &str,
        help: &str,
        label_pairs: &[(&str, &str)],
        h: &Histogram,
    ) {
        self.header(name, help, "histogram");
        let count = h.count.load(Ordering::Relaxed);
        let buckets = LATENCY_BUCKETS
            .iter()
            .map(|bound| bound.to_string())
            .zip(h.counts.iter().map(|c| c.load(Ordering::Relaxed)))
            .chain([("+Inf".to_owned(), count)]);
        for (le, c) in buckets {
            let mut pairs = label_pairs.to_vec();
            pairs.push(("le", &le));
            let _ = writeln!(self.out, "{name}_bucket{} {c}", labels(&pairs));
        }
        let sum = h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let l = labels(label_pairs);
        let _ = writeln!(self.out, "{name}_sum{l} {sum}");
        let _ = writeln!(self.out, "{name}_count{l} {count}");
    }

    /// The page.
    pub fn finish(self) -> String {
        self.out
    }
}

/// Renders the current metrics page.
pub type Render = Arc<dyn Fn() -> String + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let h = Histogram::latency();
        h.observe(Duration::from_micros(300));
        h.observe(Duration::from_millis(20));
        h.observe(Duration::from_secs(10));
        let mut e = Exposition::default();
        e.histogram("x_seconds", "x", &h);
        let page = e.finish();
        assert!(page.contains("x_seconds_bucket{le=\"0.0005\"} 1"), "{page}");
        assert!(page.contains("x_seconds_bucket{le=\"0.025\"} 2"), "{page}");
        assert!(page.contains("x_seconds_bucket{le=\"2.5\"} 2"), "{page}");
        assert!(page.contains("x_seconds_bucket{le=\"+Inf\"} 3"), "{page}");
        assert!(page.contains("x_seconds_count 3"), "{page}");
    }

    #[test]
    fn labelled_histograms_share_one_header_and_keep_their_labels() {
        let (a, b) = (Histogram::latency(), Histogram::latency());
        a.observe(Duration::from_millis(2));
        b.observe(Duration::from_millis(2));
        b.observe(Duration::from_secs(1));
        let mut e = Exposition::default();
        e.histogram_with("r_seconds", "r", &[("method", "Get")], &a);
        e.histogram_with("r_seconds", "r", &[("method", "List")], &b);
        let page = e.finish();
        assert_eq!(page.matches("# TYPE r_seconds histogram").count(), 1);
        assert!(
            page.contains("r_seconds_bucket{method=\"Get\",le=\"0.0025\"} 1"),
            "{page}"
        );
        assert!(
            page.contains("r_seconds_bucket{method=\"List\",le=\"0.5\"} 1"),
            "{page}"
        );
        assert!(
            page.contains("r_seconds_bucket{method=\"List\",le=\"+Inf\"} 2"),
            "{page}"
        );
        assert!(page.contains("r_seconds_count{method=\"Get\"} 1"), "{page}");
        assert!(
            page.contains("r_seconds_sum{method=\"List\"} 1.002"),
            "{page}"
        );
    }

    #[test]
    fn labels_are_escaped_and_headers_written_once() {
        let mut e = Exposition::default();
        e.counter("c_total", "help", &[("reason", "a\"b")], 1);
        e.counter("c_total", "help", &[("reason", "c")], 2);
        let page = e.finish();
        assert_eq!(page.matches("# TYPE c_total counter").count(), 1);
        assert!(page.contains("c_total{reason=\"a\\\"b\"} 1"), "{page}");
    }
}
