use tazan_model::{Lesson, Withdrawal};

use super::*;

fn lesson(title: &str, level: DisclosureLevel, period: &str, industry: &str) -> Payload {
    let mut l = Lesson::example(title, level);
    l.period = period.into();
    l.industry = industry.into();
    Payload::Lesson(l)
}

fn add(shelf: &mut Shelf, seq: u64, p: &Payload, group: &str) -> LessonId {
    let bytes = p.to_canonical_bytes();
    let id = p.id();
    shelf.add(Arrival {
        seq,
        id,
        level: p.level(),
        origin: "sakura-bank",
        origin_group: group,
        received_at: seq * 100,
        payload: &bytes,
    });
    id
}

/// A withdrawal of `target` at its level.
fn withdrawal(target: &Payload, reason: &str) -> Payload {
    Payload::Withdrawal(Withdrawal {
        target: target.id(),
        reason: reason.into(),
        level: target.level(),
    })
}

fn kept(seq: u64, p: &Payload, group: &str) -> Kept {
    let bytes = p.to_canonical_bytes();
    Kept::of(Arrival {
        seq,
        id: p.id(),
        level: p.level(),
        origin: "sakura-bank",
        origin_group: group,
        received_at: seq * 100,
        payload: &bytes,
    })
}

fn titles(p: Page) -> Vec<String> {
    p.items.iter().map(|e| e.title.to_string()).collect()
}

#[test]
fn a_node_shelf_takes_entries_of_several_hubs_by_id_in_number_order() {
    let mut s = Shelf::new();
    let a = lesson("A", DisclosureLevel::Amber, "2026-H1", "金融");
    let b = lesson("B", DisclosureLevel::Green, "2025-07", "運輸");
    let c = lesson("C", DisclosureLevel::Green, "2024", "運輸");
    // Two hubs' logs: the same number at each, then an older number of the
    // second hub after both (it arrived later).
    s.take_unseen(kept(5, &a, "finance"));
    s.take_unseen(kept(5, &b, "transport"));
    s.take_unseen(kept(4, &c, "transport"));
    // A again through the other group: once.
    s.take_unseen(kept(9, &a, "transport"));
    // A withdrawal of A carrying a lower number than A itself.
    let w = withdrawal(&a, "誤りがあった");
    s.take_unseen(kept(3, &w, "transport"));
    s.take_unseen(kept(3, &w, "transport"));

    assert_eq!(s.len(), 3);
    for (p, t) in [(&a, "A"), (&b, "B"), (&c, "C")] {
        assert_eq!(s.get(&p.id()).map(|e| &*e.title), Some(t), "found by id");
    }
    assert!(s.knows(&w.id()));
    assert!(s.get(&a.id()).unwrap().withdrawn);
    assert_eq!(s.history(&a.id()).len(), 1, "the withdrawal is taken once");
    let all = |_: &Shelved| true;
    assert_eq!(
        titles(s.page(&LessonFilter::default(), &all, None, 10)),
        ["B", "A", "C"],
        "by number, newest first; equal numbers in arrival order"
    );
    assert_eq!(
        titles(s.page(&LessonFilter::default(), &all, Some(5), 10)),
        ["C"]
    );
    assert_eq!(
        s.through(),
        5,
        "the copy through the other group is not taken"
    );
}

#[test]
fn a_hub_shelf_ignores_entries_at_or_below_its_mark() {
    let mut s = Shelf::new();
    let a = lesson("A", DisclosureLevel::Green, "2024", "金融");
    let w = withdrawal(&a, "r");
    s.take(kept(1, &a, "finance"));
    s.take(kept(2, &w, "finance"));
    // Read again after a step that could not be kept.
    s.take(kept(2, &w, "finance"));
    s.take(kept(1, &a, "finance"));
    assert_eq!(s.history(&a.id()).len(), 1);
    assert_eq!(s.len(), 1);
    s.taken_through(7);
    assert_eq!(s.through(), 7);
    s.take(kept(
        6,
        &lesson("X", DisclosureLevel::Green, "", ""),
        "finance",
    ));
    assert_eq!(s.len(), 1, "below the mark");
}

#[test]
fn every_kind_of_entry_is_kept_in_a_store_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let store = tazan_store::Store::open(dir.path()).unwrap();
    let records = store.records("portal-shelf-test").unwrap();
    let mut fixed = Lesson::example("訂正版", DisclosureLevel::Amber);
    fixed.version = 2;
    fixed.supersedes = Some(LessonId::of(b"first"));
    fixed.reference = Some("IPA-2024-０１".into());
    fixed.taxonomy.scenes = vec!["障害対応".into()];
    let entries = [
        kept(
            1,
            &lesson("令和６年の障害", DisclosureLevel::Clear, "2024-H2", "金融"),
            "finance",
        ),
        kept(2, &Payload::Lesson(fixed), "finance"),
        kept(
            3,
            &Payload::Withdrawal(Withdrawal {
                target: LessonId::of(b"first"),
                reason: "誤り".into(),
                level: DisclosureLevel::Amber,
            }),
            "finance",
        ),
        Kept::of(Arrival {
            seq: 4,
            id: LessonId::of(b"junk"),
            level: DisclosureLevel::Green,
            origin: "x",
            origin_group: "g",
            received_at: 0,
            payload: b"junk",
        }),
    ];
    assert!(matches!(entries[3].item, Item::Undecodable));
    for k in &entries {
        records.put(&format!("{}", k.seq), k).unwrap();
    }
    for k in &entries {
        assert_eq!(
            records.get::<Kept>(&format!("{}", k.seq)).unwrap().as_ref(),
            Some(k)
        );
    }
}

#[test]
fn pages_filters_history_and_entitlement() {
    let mut s = Shelf::new();
    let a = add(
        &mut s,
        1,
        &lesson("A", DisclosureLevel::Amber, "2026-H1", "金融"),
        "finance",
    );
    let b = add(
        &mut s,
        2,
        &lesson("B", DisclosureLevel::Green, "2025-07", "運輸"),
        "transport",
    );
    add(
        &mut s,
        3,
        &lesson("C", DisclosureLevel::Clear, "2024", "金融"),
        "finance",
    );
    // A withdrawal and a correction of A.
    let w = Payload::Withdrawal(Withdrawal {
        target: b,
        reason: "誤りがあった".into(),
        level: DisclosureLevel::Green,
    });
    add(&mut s, 4, &w, "transport");
    let mut fixed = Lesson::example("A2", DisclosureLevel::Amber);
    fixed.version = 2;
    fixed.supersedes = Some(a);
    let a2 = add(&mut s, 5, &Payload::Lesson(fixed), "finance");
    // Seen again: ignored.
    add(
        &mut s,
        3,
        &lesson("C", DisclosureLevel::Clear, "2024", "金融"),
        "finance",
    );

    assert_eq!(s.len(), 4);
    assert_eq!(s.through(), 5);
    assert!(s.get(&b).unwrap().withdrawn);
    assert_eq!(s.get(&a).unwrap().superseded_by, Some(a2));
    assert!(
        matches!(s.history(&b)[0], Event::Withdrawn { ref reason, .. } if reason == "誤りがあった")
    );

    let all = |_: &Shelved| true;
    let titles = |p: Page| {
        p.items
            .iter()
            .map(|e| e.title.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        titles(s.page(&LessonFilter::default(), &all, None, 10)),
        ["A2", "C", "B", "A"]
    );
    let p = s.page(&LessonFilter::default(), &all, None, 2);
    assert_eq!(p.next, Some(3));
    assert_eq!(
        titles(s.page(&LessonFilter::default(), &all, p.next, 2)),
        ["B", "A"]
    );

    let public = |e: &Shelved| e.level == DisclosureLevel::Clear;
    assert_eq!(
        titles(s.page(&LessonFilter::default(), &public, None, 10)),
        ["C"]
    );

    let f = LessonFilter {
        industry: Some("金融".into()),
        from: Some((
            "2025-01".into(),
            tazan_search::period_months("2025-01").unwrap(),
        )),
        ..LessonFilter::default()
    };
    assert_eq!(titles(s.page(&f, &all, None, 10)), ["A2", "A"]);
    let f = LessonFilter {
        to: Some((
            "2025-H2".into(),
            tazan_search::period_months("2025-H2").unwrap(),
        )),
        ..LessonFilter::default()
    };
    assert_eq!(titles(s.page(&f, &all, None, 10)), ["C", "B"]);
    assert_eq!(s.facets().industries.get("金融"), Some(&3));
}

#[test]
fn a_withdrawal_before_its_lesson_still_applies() {
    let mut s = Shelf::new();
    let l = lesson("X", DisclosureLevel::Green, "", "");
    let w = withdrawal(&l, "r");
    add(&mut s, 1, &w, "g");
    let id = add(&mut s, 2, &l, "g");
    assert!(s.get(&id).unwrap().withdrawn);
    s.add(Arrival {
        seq: 3,
        id: LessonId::of(b"junk"),
        level: DisclosureLevel::Green,
        origin: "x",
        origin_group: "g",
        received_at: 0,
        payload: b"junk",
    });
    assert_eq!(s.skipped(), 1);
}
