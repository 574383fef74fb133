//! Without IPADIC sources the sanitizer still works and says the dictionary
//! recogniser is off (never silently). Own process: the dictionary is loaded
//! once per process, so the environment is set before anything else.

// Test harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use tazan_sanitize::{DictionaryStatus, DisclosureLevel, Policy, Sanitizer};

#[test]
fn missing_sources_turn_the_dictionary_off_loudly() {
    let cache = tempfile::tempdir().unwrap();
    std::env::set_var("TAZAN_IPADIC_DIR", cache.path().join("no-such-ipadic"));
    std::env::set_var("TAZAN_CACHE_DIR", cache.path());
    let s = Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    let status = s.dictionary_status().clone();
    println!("{status}");
    match &status {
        DictionaryStatus::Off { reason } => {
            assert!(reason.contains("IPADIC sources not found"), "{reason}");
            assert!(reason.contains("setup-ipadic.sh"), "{reason}");
        }
        other => panic!("expected Off, got {other:?}"),
    }
    assert!(status.to_string().contains("OFF"));
    let (out, _) = s.sanitize_text(
        "ヤマダ運輸の青葉銀行向けシステムで障害",
        &["ヤマダ運輸".into()],
    );
    assert_eq!(out, "当社のA社向けシステムで障害");
}
