//! Property tests: deny-listed terms never survive in any form the normaliser
//! equates, in sanitised text or in a drafted lesson; no input panics; the sanitizer is idempotent; its output passes the gate.

// Test and bench harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use tazan_sanitize::{DisclosureLevel, Policy, Sanitizer};
use unicode_normalization::UnicodeNormalization;

/// Invented names (not from any corpus): kanji, katakana, Latin, mixed.
const TERMS: &[&str] = &[
    "コスモテック",
    "山科システム開発",
    "ベルナ電子",
    "KZ-NET",
    "みどり工房",
    "アークライト",
    "東雲ソリューション",
    "ガブリエル物産",
];

/// Surrounding text fragments, punctuation included.
const FRAGMENTS: &[&str] = &[
    "障害が発生した。",
    "、",
    "「",
    "」",
    "（",
    "）",
    "サーバーの",
    "DNSサーバー",
    "キャッシュ",
    "再起動",
    "委託先の",
    "によると",
    " ",
    "\n",
    "・",
    "が原因で",
    "7月3日11時50分",
    "約1,280人",
    "大阪府八尾市",
    "データセンター",
    "ETC",
    "ATM",
    "の設定ミス",
    "123",
    "abc",
    "－",
    "。",
];

fn fold(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace() && *c != '・' && !('\u{200B}'..='\u{200F}').contains(c))
        .map(|c| match c as u32 {
            0x3041..=0x3096 => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => match c {
                '-' | '‐' | '−' | '―' | '─' | '〜' | '～' => 'ー',
                _ => c.to_ascii_lowercase(),
            },
        })
        .collect()
}

fn to_halfwidth_katakana(s: &str) -> String {
    const FULL: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッー";
    const HALF: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ";
    let map: std::collections::HashMap<char, char> = FULL.chars().zip(HALF.chars()).collect();
    s.nfd()
        .map(|c| match c {
            '\u{3099}' => 'ﾞ',
            '\u{309A}' => 'ﾟ',
            _ => *map.get(&c).unwrap_or(&c),
        })
        .collect::<String>()
}

fn to_hiragana(s: &str) -> String {
    s.chars()
        .map(|c| {
            if ('\u{30A1}'..='\u{30F6}').contains(&c) {
                char::from_u32(c as u32 - 0x60).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

fn to_fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() {
                char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

fn variant(term: &str, v: u8, gap: usize) -> String {
    match v {
        0 => term.to_string(),
        1 => to_fullwidth(term),
        2 => to_halfwidth_katakana(term),
        3 => to_hiragana(term),
        4 => {
            // spaces (ASCII or ideographic) inserted
            let mut out = String::new();
            for (i, c) in term.chars().enumerate() {
                if i > 0 && i.is_multiple_of(gap + 1) {
                    out.push(if gap.is_multiple_of(2) {
                        ' '
                    } else {
                        '\u{3000}'
                    });
                }
                out.push(c);
            }
            out
        }
        _ => term.to_lowercase(),
    }
}

/// Sanitizers are expensive to build (regex compilation): one per term set.
fn cached(terms: &'static [&'static str]) -> &'static Sanitizer {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<usize, &'static Sanitizer>>> = OnceLock::new();
    let mut map = CACHE.get_or_init(Default::default).lock().unwrap();
    let key = terms.as_ptr() as usize ^ terms.len();
    map.entry(key)
        .or_insert_with(|| Box::leak(Box::new(sanitizer(terms))))
}

/// Fragments in the shapes of issue #10 (invented): role + name, chains, ids,
/// addresses, Latin and katakana names, letter eras.
const UNSEEN_FRAGMENTS: &[&str] = &[
    "総務課 ",
    "柴崎",
    " 亮介",
    "→",
    "さん",
    "です。",
    "顧客",
    "ミルフォード",
    "・",
    "Halvorsen",
    " Inc.",
    "Ms. ",
    "〒100-0001 ",
    "千代田区丸の内1-2-3 ",
    "@kenta.o ",
    " REQ-20240 ",
    "R6.3.1 ",
    "(月)",
    "ロードバランサ",
    "の",
    "、",
    "090ー1234ー5678 ",
    "（品川 300 あ 12-34）",
    "会員番号 ",
    "A7Q2ZK91MX ",
    "そよかぜ証券",
    "経理課",
    "主任",
    "が",
];

/// A sanitizer with the IPADIC dictionary, or `None` when it is not installed.
fn with_dictionary() -> Option<&'static Sanitizer> {
    use std::sync::OnceLock;
    static S: OnceLock<Option<Sanitizer>> = OnceLock::new();
    S.get_or_init(|| {
        let policy = Policy::from_toml_str(
            &format!(
                "version = 1\n[[deny]]\nrole = \"vendor\"\nterms = [{}]\n[levels.GREEN]\ndates = \"quarter\"\nnumbers = \"order\"\nplaces = \"region\"\n",
                TERMS.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ")
            ),
            "prop.toml",
        )
        .unwrap();
        let s = Sanitizer::new(&policy, DisclosureLevel::Green).unwrap();
        matches!(
            s.dictionary_status(),
            tazan_sanitize::DictionaryStatus::Loaded { .. }
        )
        .then_some(s)
    })
    .as_ref()
}

/// Joins `parts` (indices into `fragments`, then `TERMS`), sanitises the text
/// with `TERMS[7]` as the own name, and checks the output is a fixed point that
/// passes the gate. Returns the input and the output.
fn fixed_point_passing_the_gate(
    s: &Sanitizer,
    parts: &[usize],
    fragments: &[&str],
) -> Result<(String, String), TestCaseError> {
    let text: String = parts
        .iter()
        .map(|&i| {
            fragments
                .get(i)
                .copied()
                .unwrap_or_else(|| TERMS[i - fragments.len()])
        })
        .collect();
    let own = vec![TERMS[7].to_string()];
    let (once, _) = s.sanitize_text(&text, &own);
    let (twice, _) = s.sanitize_text(&once, &own);
    prop_assert_eq!(&once, &twice, "input {:?}", text);
    let findings = s.leak_gate_text(&once, "f", &own);
    prop_assert!(
        findings.is_empty(),
        "input {:?} output {:?} findings {:?}",
        text,
        once,
        findings
    );
    Ok((text, once))
}

fn sanitizer(terms: &[&str]) -> Sanitizer {
    let quoted: Vec<String> = terms.iter().map(|t| format!("{t:?}")).collect();
    let src = format!(
        "version = 1\n[[deny]]\nrole = \"vendor\"\nterms = [{}]\n[levels.GREEN]\ndates = \"quarter\"\nnumbers = \"order\"\nplaces = \"region\"\n",
        quoted.join(", ")
    );
    let policy = Policy::from_toml_str(&src, "prop.toml").unwrap();
    Sanitizer::without_dictionary(&policy, DisclosureLevel::Green).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn deny_listed_terms_never_survive(
        term_idx in 0..TERMS.len(),
        v in 0u8..6,
        gap in 0usize..3,
        before in proptest::collection::vec(0..FRAGMENTS.len(), 0..6),
        after in proptest::collection::vec(0..FRAGMENTS.len(), 0..6),
        own in any::<bool>(),
    ) {
        let term = TERMS[term_idx];
        let s = if own { cached(&[]) } else { cached(TERMS) };
        let own_names: Vec<String> = if own { vec![term.to_string()] } else { vec![] };
        let text: String = before.iter().map(|i| FRAGMENTS[*i]).chain(std::iter::once(variant(term, v, gap).as_str())).chain(after.iter().map(|i| FRAGMENTS[*i])).collect();
        let (out, _) = s.sanitize_text(&text, &own_names);
        prop_assert!(!fold(&out).contains(&fold(term)), "term survived: {:?} -> {:?}", text, out);
        prop_assert!(s.leak_gate_text(&out, "f", &own_names).iter().all(|f| !f.rule.starts_with("deny")));
    }

    #[test]
    fn own_names_never_survive_into_a_drafted_lesson(
        term_idx in 0..TERMS.len(),
        v in 0u8..6,
        gap in 0usize..3,
        field in 0usize..5,
        before in proptest::collection::vec(0..FRAGMENTS.len(), 0..4),
        after in proptest::collection::vec(0..FRAGMENTS.len(), 0..4),
    ) {
        let term = TERMS[term_idx];
        let text: String = before.iter().map(|i| FRAGMENTS[*i]).chain(std::iter::once(variant(term, v, gap).as_str())).chain(after.iter().map(|i| FRAGMENTS[*i])).collect();
        let mut inc = tazan_model::Incident {
            id: "p-1".into(),
            organization: tazan_model::Organization { name: term.into(), aliases: vec![] },
            impact: Some("サービスが停止した。".into()),
            description: Some("設定を誤った。".into()),
            direct_cause: Some("設定ミス".into()),
            ..Default::default()
        };
        match field {
            0 => inc.impact = Some(text.clone()),
            1 => inc.description = Some(text.clone()),
            2 => inc.cause_summary = Some(text.clone()),
            3 => inc.countermeasures = vec![serde_json::json!({"kind": "恒久", "action": text})],
            _ => inc.causes = vec![serde_json::json!({"cause": text, "detail": text})],
        }
        let s = cached(&[]);
        let d = s.draft_lesson(&inc);
        let lesson = serde_json::to_string(&d.lesson).unwrap();
        prop_assert!(!fold(&lesson).contains(&fold(term)), "term survived: {:?} -> {}", text, lesson);
        prop_assert!(d.findings.iter().all(|f| !f.finding.rule.starts_with("deny")), "{:?}", d.findings);
    }

    #[test]
    fn random_unicode_never_panics(text in "\\PC{0,200}", own in "\\PC{0,10}") {
        let s = cached(&["コスモテック"]);
        let own = vec![own];
        let (out, _) = s.sanitize_text(&text, &own);
        let _ = s.leak_gate_text(&out, "f", &own);
    }

    #[test]
    fn japanese_noise_never_panics(chars in proptest::collection::vec(prop_oneof![
        0x3000u32..0x30FF, 0x4E00u32..0x4F00, 0xFF00u32..0xFFEF, 0x0300u32..0x036F, 0x30u32..0x7A, 0x3099u32..0x309B
    ], 0..120)) {
        let text: String = chars.into_iter().filter_map(char::from_u32).collect();
        let s = cached(&["ベルナ電子"]);
        let (out, _) = s.sanitize_text(&text, &[]);
        let _ = s.leak_gate_text(&out, "f", &[]);
    }

    #[test]
    fn with_the_dictionary_unseen_shapes_are_idempotent_and_pass_the_gate(
        parts in proptest::collection::vec(0..UNSEEN_FRAGMENTS.len() + TERMS.len(), 1..14),
    ) {
        let Some(s) = with_dictionary() else { return Ok(()) };
        let (text, once) = fixed_point_passing_the_gate(s, &parts, UNSEEN_FRAGMENTS)?;
        for t in TERMS {
            prop_assert!(!fold(&once).contains(&fold(t)), "{} survived: {:?} -> {:?}", t, text, once);
        }
    }

    #[test]
    fn sanitizer_is_idempotent_and_output_passes_the_gate(parts in proptest::collection::vec(0..FRAGMENTS.len() + TERMS.len(), 1..12)) {
        fixed_point_passing_the_gate(cached(&TERMS[..4]), &parts, FRAGMENTS)?;
    }
}

/// Two deny-listed names joined by ・ become one replacement; the name glued
/// after the second (…開発|東雲ソリューション) is found in the same call, not
/// only when the output is sanitised again (a proptest case, shrunk).
#[test]
fn a_merged_list_glued_to_the_next_name_is_scanned_again() {
    let parts = [
        FRAGMENTS.len(),
        14,
        FRAGMENTS.len() + 1,
        FRAGMENTS.len() + 6,
        0,
    ];
    let (text, once) = fixed_point_passing_the_gate(cached(&TERMS[..4]), &parts, FRAGMENTS)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        text,
        "コスモテック・山科システム開発東雲ソリューション障害が発生した。"
    );
    assert!(!once.contains("東雲"), "{once}");
}

/// A name replaced by a pseudonym and glued to a listed word (アークライトETC →
/// 担当者AETC) is a fixed point: a second pass reads 担当者A + ETC, not an
/// unknown token AETC (a proptest case, shrunk).
#[test]
fn a_pseudonym_glued_to_a_listed_word_is_a_fixed_point() {
    let arclight = FRAGMENTS.len() + 5;
    let etc = FRAGMENTS.iter().position(|f| *f == "ETC").unwrap();
    let quote = FRAGMENTS.iter().position(|f| *f == "「").unwrap();
    let (text, once) = fixed_point_passing_the_gate(
        cached(&TERMS[..4]),
        &[arclight, quote, arclight, etc],
        FRAGMENTS,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text, "アークライト「アークライトETC");
    assert!(!once.contains("アークライト"), "{once}");
    assert!(once.ends_with("ETC"), "{once}");
}

/// A hiragana trade name glued after an id's digits (KZ-NET123みどり工房) or
/// its Latin tail (123KZ-NETみどり工房) is found in the first pass, not only
/// once the id's mask gives it a boundary (proptest cases, shrunk: the first
/// pass left みどり工房, the second masked it).
#[test]
fn a_hiragana_trade_name_after_an_ids_digits_is_a_fixed_point() {
    let number = FRAGMENTS.iter().position(|f| *f == "123").unwrap();
    let (id, name) = (FRAGMENTS.len() + 3, FRAGMENTS.len() + 4);
    for parts in [[id, number, name], [number, id, name]] {
        let (text, once) = fixed_point_passing_the_gate(cached(&TERMS[..4]), &parts, FRAGMENTS)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!once.contains("みどり"), "{text:?} -> {once:?}");
    }
}

/// An honorific said twice after a name (ミルフォードさんさん) leaves the
/// second one alone in both passes: the first さん is no hiragana name before
/// the second (a proptest case, shrunk: the second pass masked it as one).
#[test]
fn an_honorific_said_twice_is_no_name_and_a_fixed_point() {
    let Some(s) = with_dictionary() else { return };
    let at = |f: &str| UNSEEN_FRAGMENTS.iter().position(|x| *x == f).unwrap();
    let (san, name) = (at("さん"), at("ミルフォード"));
    for parts in [
        [name, san, san],
        [at("柴崎"), san, san],
        [at("Halvorsen"), san, san],
    ] {
        fixed_point_passing_the_gate(s, &parts, UNSEEN_FRAGMENTS).unwrap_or_else(|e| panic!("{e}"));
    }
    let honorifics = Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap();
    for text in [
        "担当者Aちゃんさん",
        "担当者Bさまさん",
        "Ｃ社の担当者Cくんさん",
    ] {
        let (once, audit) = honorifics.sanitize_text(text, &[]);
        assert_eq!(once, text, "{audit:?}");
    }
}
