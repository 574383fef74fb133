use tazan_search::{DigestEntry, IndexDoc};

use super::*;

fn doc(id: &str, title: &str, level: &str) -> IndexDoc {
    IndexDoc {
        id: id.into(),
        title: title.into(),
        problem: format!("{title}の事象"),
        direct_cause: "設定の確認漏れ".into(),
        countermeasures: "変更は二人で確認する".into(),
        lesson: "本番値を照合してから適用すべし".into(),
        level: level.into(),
        published_at: "2026-11-02".into(),
        ..IndexDoc::default()
    }
}

fn notes() -> Notes {
    Notes::parse(
        "[[press]]\ntitle = \"大手銀行でATMが終日停止\"\ndate = \"2026-11-12\"\nsource = \"新聞報道\"\nsummary = \"夜間の更新で障害\"\n\n[[commentary]]\ntitle = \"変更作業の二人確認\"\nbody = \"作成者と別の担当者が照合する\"\n\n[[notice]]\ntitle = \"年末年始の窓口\"\nbody = \"12月29日から1月3日は休み\"\n",
    )
    .unwrap()
}

fn compose<'a>(notes: &'a Notes) -> Compose<'a> {
    Compose {
        issue: "2026-11",
        since: "2026-11-01",
        hub: "finance",
        portal_url: "http://127.0.0.1:8600",
        notes,
    }
}

#[test]
fn the_letter_has_five_sections_in_order_and_the_notes() {
    let n = notes();
    let digest = Digest {
        since: "2026-11-01".into(),
        entries: vec![DigestEntry {
            lesson: doc("g", "通信制御装置の設定変更", "GREEN"),
            related: vec![],
        }],
        by_industry: vec![],
        by_cause: vec![],
    };
    let l = compose(&n).letter(&digest, 2);
    let mut at = 0;
    for s in SECTIONS {
        let i = l.body[at..]
            .find(&format!("■ {s}"))
            .unwrap_or_else(|| panic!("{s} missing or out of order:\n{}", l.body));
        at += i;
    }
    for text in [
        "大手銀行でATMが終日停止",
        "変更作業の二人確認",
        "年末年始の窓口",
        "通信制御装置の設定変更",
        "活用のポイント: 変更は二人で確認する",
        "AMBER）の教訓が 2 件",
        "http://127.0.0.1:8600/lessons",
    ] {
        assert!(l.body.contains(text), "{text} missing:\n{}", l.body);
    }
    assert_eq!((l.lessons, l.amber_withheld), (1, 2));
}

#[test]
fn an_amber_entry_never_reaches_the_letter() {
    let n = Notes::default();
    let digest = Digest {
        since: "2026-11-01".into(),
        entries: vec![DigestEntry {
            lesson: doc("a", "夜間処理の日付パラメータ", "AMBER"),
            related: vec![],
        }],
        by_industry: vec![],
        by_cause: vec![],
    };
    let l = compose(&n).letter(&digest, 1);
    assert!(!l.body.contains("夜間処理"), "{}", l.body);
    assert!(!l.body.contains("本番値を照合"), "{}", l.body);
    assert_eq!(l.lessons, 0);
}

#[test]
fn long_lines_are_wrapped() {
    let mut s = String::new();
    para(&mut s, &"あ".repeat(1000));
    assert!(s.lines().all(|l| l.len() < 998), "{s}");
    assert_eq!(s.chars().filter(|c| *c == 'あ').count(), 1000);
}

#[test]
fn bad_notes_name_their_key() {
    for (text, key) in [
        ("[[press]]\ntitle = \"\"\n", "press[0].title"),
        (
            &format!(
                "[[notice]]\ntitle = \"t\"\nbody = \"{}\"\n",
                "あ".repeat(4001)
            ) as &str,
            "notice[0].body",
        ),
        ("[[press]]\ntitle = \"t\"\nurl = \"x\"\n", "url"),
        ("[[news]]\ntitle = \"t\"\n", "news"),
    ] {
        let e = Notes::parse(text).unwrap_err();
        assert!(e.contains(key), "{key}: {e}");
    }
}

#[test]
fn issue_names_are_checked() {
    assert!(check_issue("2026-12").is_ok());
    assert!(check_issue("第3号").is_ok());
    for bad in ["", "a/b", "a b", &"x".repeat(65)] {
        assert!(check_issue(bad).is_err(), "{bad:?}");
    }
}
