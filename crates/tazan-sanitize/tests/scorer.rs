//! The learned scorer (round 16): what it adds to the rules and what it must
//! leave alone. Every string is invented here, none taken from an
//! evaluation set. Needs IPADIC (its features are dictionary facts); without
//! it the tests say so and check only that nothing breaks.

// Test harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use tazan_sanitize::{DictionaryStatus, DisclosureLevel, Policy, Sanitizer, Scorer};

/// The builtin policy: the scorer is on at GREEN (and CLEAR).
fn scored_policy() -> Policy {
    Policy::builtin()
}

fn green() -> &'static Sanitizer {
    static S: OnceLock<Sanitizer> = OnceLock::new();
    S.get_or_init(|| Sanitizer::new(&scored_policy(), DisclosureLevel::Green).unwrap())
}

fn rules_only() -> &'static Sanitizer {
    static S: OnceLock<Sanitizer> = OnceLock::new();
    S.get_or_init(|| {
        Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green)
            .unwrap()
            .with_scorer(None)
    })
}

fn dictionary() -> bool {
    let on = matches!(green().dictionary_status(), DictionaryStatus::Loaded { .. });
    if !on {
        eprintln!("IPADIC dictionary off: scorer assertions skipped (scripts/setup-ipadic.sh)");
    }
    on
}

/// Sanitises `text`; the output passes the gate and is a fixed point.
fn sanitize(s: &Sanitizer, text: &str) -> String {
    let (out, _) = s.sanitize_text(text, &[]);
    assert!(
        s.leak_gate_text(&out, "notes", &[]).is_empty(),
        "gate findings in {out:?}"
    );
    assert_eq!(s.sanitize_text(&out, &[]).0, out, "not idempotent: {out:?}");
    out
}

#[test]
fn words_the_rules_miss_are_scored_and_masked() {
    if !dictionary() {
        return;
    }
    // A bare surname in prose with no cue the rules use: the rules leave it,
    // the scorer masks it; what the rules masked stays masked.
    let text = "本日の立会いは樅山、記録は榧野。";
    let before = sanitize(rules_only(), text);
    let after = sanitize(green(), text);
    assert!(
        before.contains("樅山"),
        "the rules now catch it: {before:?}"
    );
    assert!(!after.contains("樅山"), "{after:?}");
    assert!(!after.contains("榧野"), "{after:?}");
    assert!(
        after.contains("本日の立会い") && after.contains("記録"),
        "{after:?}"
    );
}

#[test]
fn ordinary_words_survive() {
    if !dictionary() {
        return;
    }
    // Ordinary kanji words, departments, places as places, IT vocabulary,
    // product categories: none of them is a name.
    let text = "情報システム部が冗長化構成を確認した。原因は証明書の期限切れで、\
        ロードバランサとフェイルオーバーの設定を見直した。\n\
        影響：会計システム、給与計算、勤怠管理。対象：市内の営業所と倉庫。\n\
        対策：監視項目の追加、手順書の改訂、バックアップの取得頻度の見直し。\n\
        キャッシュサーバ | メモリ不足 | 再起動\nプリンタ | 紙詰まり | 部品交換";
    let out = sanitize(green(), text);
    for w in [
        "情報システム部",
        "冗長化構成",
        "証明書",
        "期限切れ",
        "ロードバランサ",
        "フェイルオーバー",
        "会計システム",
        "給与計算",
        "勤怠管理",
        "営業所",
        "倉庫",
        "監視項目",
        "手順書",
        "バックアップ",
        "キャッシュサーバ",
        "メモリ不足",
        "再起動",
        "プリンタ",
        "紙詰まり",
        "部品交換",
    ] {
        assert!(out.contains(w), "{w} lost in {out:?}");
    }
}

#[test]
fn a_scored_word_is_audited_under_its_own_rule() {
    if !dictionary() {
        return;
    }
    let (_, audit) = green().sanitize_text("本日の立会いは樅山、記録は榧野。", &[]);
    let scored: Vec<_> = audit.iter().filter(|a| a.rule == "scorer:name").collect();
    assert_eq!(scored.len(), 1, "{audit:?}");
    assert_eq!(scored[0].original, "樅山");
    assert!(scored[0].replacement.starts_with("固有名"), "{audit:?}");
}

#[test]
fn the_scorer_is_on_at_green_and_clear_off_at_amber_and_off_switches_it_off() {
    if !dictionary() {
        return;
    }
    let text = "本日の立会いは樅山、記録は榧野。";
    let scored = |s: &Sanitizer| {
        let (_, audit) = s.sanitize_text(text, &[]);
        audit.iter().any(|a| a.rule == "scorer:name")
    };
    for (level, on) in [
        (DisclosureLevel::Green, true),
        (DisclosureLevel::Clear, true),
        (DisclosureLevel::Amber, false),
    ] {
        let s = Sanitizer::new(&Policy::builtin(), level).unwrap();
        assert_eq!(scored(&s), on, "{level:?}");
    }
    let src = include_str!("../policy/default.toml");
    let off = src.replacen(
        "[levels.GREEN.recognizers]",
        "[levels.GREEN.recognizers]\noff = [\"scorer\"]",
        1,
    );
    assert_ne!(off, src, "builtin policy has no GREEN recognizers table");
    let p = Policy::from_toml_str(&off, "test").unwrap();
    assert!(!scored(
        &Sanitizer::new(&p, DisclosureLevel::Green).unwrap()
    ));
}

#[test]
fn the_shipped_table_scores_name_cues_above_ordinary_context() {
    let s = Scorer::shipped();
    assert!(s.threshold() > 0.5 && s.threshold() < 1.0);
    // The same unknown two-kanji word, before an honorific and in a table
    // cell, against before the particle の in prose.
    let named = ["s:H", "sl:H2", "n1:様", "sn1:H様", "cell"];
    let plain = ["s:H", "sl:H2", "n1:の", "sn1:Hの", "p1:は", "sp1:Hは"];
    assert!(
        s.probability(&named) > s.probability(&plain),
        "{} <= {}",
        s.probability(&named),
        s.probability(&plain)
    );
}

/// The surfaces of the scorer's candidates in `text` (rules' coverage
/// ignored, as when fitting).
fn candidates(text: &str) -> Vec<String> {
    rules_only()
        .scorer_candidates(text, "description", &[], true)
        .into_iter()
        .map(|c| text[c.range].to_string())
        .collect()
}

#[test]
fn public_technical_references_are_no_candidates() {
    if !dictionary() {
        return;
    }
    // Versions, standards, advisories, codes, measurements, file names
    // (KB5031244: a Microsoft article in the format `recognize/technical.rs`
    // defines for the rules and the scorer's filter alike).
    let text = "ISO27001、TLS1.3、v7.2.28、Ver.1.2、KB5031244、CVE-2024-1234、\
        CWE-79、Java17、SHA256、ORA-01555、0x80070005、ERR_CONNECTION_RESET、\
        120ms、16GB、2.4GHz、rotate.sh、setup.exe、QX77Z";
    let found = candidates(text);
    // An unknown product code stays a candidate: the class is narrow.
    assert_eq!(found, ["QX77Z"], "{found:?}");
}

#[test]
fn materials_and_facility_types_in_katakana_are_no_candidates() {
    if !dictionary() {
        return;
    }
    let found =
        candidates("クルミ製の棚とケアハウスの入居者、データセンターの空調、ゾルテミクの担当。");
    assert!(!found.iter().any(|w| w == "クルミ"), "{found:?}");
    assert!(!found.iter().any(|w| w.ends_with("ハウス")), "{found:?}");
    assert!(!found.iter().any(|w| w.ends_with("センター")), "{found:?}");
    assert!(found.iter().any(|w| w == "ゾルテミク"), "{found:?}");
}

#[test]
fn without_the_dictionary_nothing_is_scored() {
    // The table weighs dictionary facts: without IPADIC an ordinary word
    // looks unknown, so the scorer stays out (the rules still run).
    let s = Sanitizer::without_dictionary(&scored_policy(), DisclosureLevel::Green).unwrap();
    let (_, audit) = s.sanitize_text("移行手順書に接続上限の確認項目がなかった。", &[]);
    assert!(audit.iter().all(|a| a.rule != "scorer:name"), "{audit:?}");
}

/// Round 23: the wider candidates (a weak cue lets a word in) and the word
/// classes that tell prose from names. Prose it must keep: status words in
/// a role slot, a common word before a facility word, a numbered word in
/// brackets, a place joined by ケ, unknown prose words whose kanji start or
/// end no family name. Names it must now catch: a name in a role slot in
/// brackets, a family name joined by ノ.
#[test]
fn wider_candidates_keep_prose_and_catch_names_in_weak_slots() {
    if !dictionary() {
        return;
    }
    for prose in [
        "（係 点検中）（当番 手配済）",
        "倉庫 配送センター・保管センターに移した。",
        "工程（四次）の試験を終えた。",
        "霞ケ浦の水位を確認した。",
        "点検者 記入欄と承認者 押印欄を追加した。",
    ] {
        assert_eq!(sanitize(green(), prose), prose);
    }
    for (text, name) in [
        ("（整備員 鰐部）が確認した。", "鰐部"),
        ("連絡は樫ノ原から受けた。", "樫ノ原"),
    ] {
        assert!(
            sanitize(rules_only(), text).contains(name),
            "the rules now catch {name}"
        );
        let out = sanitize(green(), text);
        assert!(!out.contains(name), "{out:?}");
    }
}
