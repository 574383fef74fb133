//! The soak, scale and federation bench commands, run small: each must finish, report its
//! figures and (soak) exit 0 only when nothing acknowledged was lost,
//! duplicated or out of sequence. The full-size runs are in BENCHMARKS.md.

use crate::util::*;

#[test]
fn soak_command_survives_a_kill_cycle_of_every_tier() {
    let out = tazan(&[
        "bench",
        "soak",
        "--kills",
        "1",
        "--outage-s",
        "1",
        "--idle",
        "50",
        // The disk phase runs where this process may mount a tmpfs (it
        // needs CAP_SYS_ADMIN; elsewhere `skipped` says why).
        "--disk-mib",
        "64",
        "--json",
    ]);
    let r = ok_json(out);
    assert!(r["acknowledged"].as_u64().unwrap() > 0, "{r}");
    assert_eq!(r["lost"], 0, "{r}");
    assert_eq!(r["duplicated"], 0, "{r}");
    assert_eq!(r["gaps"], 0, "{r}");
    // One cycle kills each of the three hubs and the org node, then the
    // outage kills finance.
    assert_eq!(r["kills"], 5, "{r}");
    assert_eq!(r["cuts"], 3, "{r}");
    assert_eq!(r["idle_connections"], 50, "{r}");
    assert!(r["subscriber_entries"].as_u64().unwrap() > 0, "{r}");
    let tiers: Vec<(String, u64)> = r["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["tier"].as_str().unwrap().to_owned(),
                t["kills"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("finance hub", 2),
        ("transport hub", 1),
        ("cross hub", 1),
        ("org node", 1),
    ];
    assert_eq!(tiers, want.map(|(t, k)| (t.to_owned(), k)).to_vec(), "{r}");
    // The org node's outbox acknowledged lessons (also across its SIGKILL)
    // and every one reached the hubs, and every GREEN one the subscriber.
    let node = &r["node"];
    assert!(node["acknowledged"].as_u64().unwrap() > 0, "{r}");
    assert!(node["green"].as_u64().unwrap() > 0, "{r}");
    assert_eq!(node["lost"], 0, "{r}");
    assert_eq!(node["duplicated"], 0, "{r}");
    assert_eq!(node["subscriber_green"], node["green"], "{r}");
    // The transport hub's store, measured at the start, after the cycle and
    // at the end of the load, grows with what it holds, not with its
    // SIGKILL recoveries: a fixed part for sled plus a bound per entry
    // (about 2 KiB an entry is measured; see BENCHMARKS.md).
    let sizes = r["transport_store"].as_array().unwrap();
    assert_eq!(sizes.len(), 3, "{r}");
    for s in sizes {
        let (bytes, entries) = (s["bytes"].as_u64().unwrap(), s["entries"].as_u64().unwrap());
        assert!(bytes <= (4 << 20) + 8192 * entries, "{s}");
    }
    // The full disk healed by itself (where a tmpfs could be mounted).
    let skipped = r["skipped"].to_string();
    if !skipped.contains("disk-full and recovery") {
        assert!(r["disk_full_refused_s"].as_f64().is_some(), "{r}");
        assert!(r["disk_recovery_s"].as_f64().unwrap() < 120.0, "{r}");
    }
}

#[test]
fn scale_command_delivers_every_entitled_lesson() {
    let out = tazan(&[
        "bench",
        "scale",
        "--groups",
        "1,2",
        "--members",
        "2",
        "--lessons",
        "40",
        "--json",
    ]);
    let r = ok_json(out);
    let runs = r["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{r}");
    // Two groups: 20 GREEN for everyone, 10 AMBER per group; 4 members.
    assert_eq!(runs[1]["members"], 4, "{r}");
    assert_eq!(runs[1]["deliveries"], 4 * 30, "{r}");
    assert!(runs[1]["cross_rss_mib"].as_f64().unwrap() > 1.0, "{r}");
}

/// `tazan bench federation`, run tiny: it broke twice unnoticed (the leak gate
/// refused its lessons, then the hubs' rate limits did); here it must run
/// every phase and report figures that hang together.
#[test]
fn federation_bench_runs_every_phase() {
    let out = tazan(&[
        "bench",
        "federation",
        "--ingest-lessons",
        "100",
        "--latency-lessons",
        "20",
        "--rate",
        "100",
        "--sustain-step-secs",
        "0.1",
        "--sustain-max-rate",
        "360",
        "--json",
    ]);
    let r = ok_json(out);
    let f = |k: &str| r[k].as_f64().unwrap_or_else(|| panic!("no `{k}` in {r}"));
    assert_eq!(r["ingest_lessons"], 100, "{r}");
    assert!(f("raw_verify_per_s") > 0.0, "{r}");
    assert!(f("ingest_lessons_per_s") > 0.0, "{r}");
    let ratio = f("ingest_lessons_per_s") / f("raw_verify_per_s");
    assert!((f("ingest_to_verify_ratio") - ratio).abs() < 1e-9, "{r}");
    // The hub alone is timed too, on its own lessons, before any member runs.
    let alone = f("hub_ingest_lessons_per_s") / f("raw_verify_per_s");
    assert!(alone > 0.0, "{r}");
    assert!(
        (f("hub_ingest_to_verify_ratio") - alone).abs() < 1e-9,
        "{r}"
    );
    // Every lesson reaches the node's outbox before the far end.
    let (p50, p99, max) = (f("e2e_p50_ms"), f("e2e_p99_ms"), f("e2e_max_ms"));
    assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{r}");
    assert!(r["hop_p99_ms"][0].as_f64().unwrap() <= p99, "{r}");
    for k in [
        "ingest_cpu_us_per_lesson",
        "hub_ingest_cpu_us_per_lesson",
        "e2e_cpu_us_per_lesson",
        "verify_cpu_us",
    ] {
        assert!(f(k) > 0.0, "{k}: {r}");
    }
    // Background CPU while idle, in cores: within what the machine has.
    let idle = f("idle_cpu_cores");
    let cores = f("cpus");
    assert!((0.0..=cores + 0.1).contains(&idle), "{r}");
    // The ladder ran from 250/s, and the sustained rate is its last step
    // within 20 ms (or 0 when the first step missed, as it may in debug).
    let steps = r["sustain_steps"].as_array().unwrap();
    assert_eq!(steps[0]["rate"], 250, "{r}");
    let within: Vec<u64> = steps
        .iter()
        .take_while(|s| s["p99_ms"].as_f64().unwrap() <= 20.0)
        .map(|s| s["rate"].as_u64().unwrap())
        .collect();
    assert_eq!(
        r["e2e_sustained_per_s"].as_u64().unwrap(),
        within.last().copied().unwrap_or(0),
        "{r}"
    );
    assert!(
        steps.len() <= 2,
        "the ladder stops at --sustain-max-rate: {r}"
    );
}
