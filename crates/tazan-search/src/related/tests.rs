use super::*;

fn doc(id: &str, cause: &str, text: &str) -> IndexDoc {
    IndexDoc {
        id: id.into(),
        title: text.chars().take(20).collect(),
        problem: text.into(),
        cause_category: cause.into(),
        ..IndexDoc::default()
    }
}

fn docs() -> Vec<IndexDoc> {
    vec![
        doc(
            "lb",
            "プログラム不具合",
            "負荷分散装置のファームウェア不具合でメモリを消費し続け通信が停止した。",
        ),
        doc(
            "cfg",
            "設定ミス",
            "DNSサーバーの設定ミスで名前解決ができなくなった。",
        ),
        doc(
            "ops",
            "作業ミス",
            "夜間作業で担当者が誤って本番データを削除した。",
        ),
        doc(
            "dns2",
            "",
            "DNSサーバーの証明書の期限切れで接続できなかった。",
        ),
        doc(
            "dns3",
            "設定ミス",
            "DNSサーバーのゾーン設定ミスで一部の名前解決に失敗した。",
        ),
    ]
}

fn index() -> SearchIndex {
    let idx = SearchIndex::in_ram().unwrap();
    for d in docs() {
        idx.upsert(&d).unwrap();
    }
    idx.commit().unwrap();
    idx
}

fn ids(list: &[Neighbour]) -> Vec<&str> {
    list.iter().map(|n| n.id.as_str()).collect()
}

#[test]
fn a_kept_list_is_the_reference_list() {
    let idx = index();
    let store = RelatedStore::temporary().unwrap();
    for d in docs() {
        let kept = idx.keep_related(&store, &d, 1).unwrap();
        let reference = idx.similar(SimilarTo::Lesson(&d), RELATED_KEPT).unwrap();
        assert_eq!(kept.list.len(), reference.len(), "{}", d.id);
        for (n, h) in kept.list.iter().zip(&reference) {
            assert_eq!(n.id, h.hit.id);
            assert_eq!(n.reasons, h.reasons);
        }
        // A page's shorter list is the reference query's at that length.
        let page = idx.related(&store, &d, 2, 1).unwrap();
        let short = idx.similar(SimilarTo::Lesson(&d), 2).unwrap();
        let short: Vec<&str> = short.iter().map(|h| h.hit.id.as_str()).collect();
        assert_eq!(ids(&page), short, "{}", d.id);
    }
    assert!(
        store.take_refresh(10).is_empty(),
        "fresh lists need no refresh"
    );
}

#[test]
fn a_missing_list_is_computed_on_read_and_kept() {
    let idx = index();
    let store = RelatedStore::temporary().unwrap();
    let me = &docs()[1];
    assert!(store.kept("cfg").unwrap().is_none());
    let page = idx.related(&store, me, 3, 7).unwrap();
    assert_eq!(page[0].id, "dns3");
    let kept = store.kept("cfg").unwrap().unwrap();
    assert_eq!(kept.at, 7);
    assert!(ids(&kept.list).starts_with(&ids(&page)));
}

#[test]
fn a_withdrawn_neighbour_is_never_returned_and_the_list_is_refreshed() {
    let idx = index();
    let store = RelatedStore::temporary().unwrap();
    let me = &docs()[1];
    idx.keep_related(&store, me, 1).unwrap();
    assert!(ids(&idx.related(&store, me, 5, 1).unwrap()).contains(&"dns3"));
    idx.delete("dns3").unwrap();
    idx.commit().unwrap();
    let page = idx.related(&store, me, 5, 2).unwrap();
    assert!(!ids(&page).contains(&"dns3"), "{page:?}");
    assert!(!page.is_empty());
    assert_eq!(store.take_refresh(10), vec!["cfg".to_string()]);
}

#[test]
fn a_new_lesson_enters_the_lists_of_its_older_neighbours() {
    let idx = index();
    let store = RelatedStore::temporary().unwrap();
    for d in docs() {
        idx.keep_related(&store, &d, 5).unwrap();
    }
    let before = store.kept("lb").unwrap().unwrap();
    let new = doc(
        "lb2",
        "プログラム不具合",
        "負荷分散装置のファームウェアの不具合でメモリリークが起き通信が止まった。",
    );
    idx.upsert(&new).unwrap();
    idx.commit().unwrap();
    let computed = idx.related_added(&store, &new, 6, 6).unwrap();
    assert!(computed >= 2, "its own list and at least lb's: {computed}");
    let after = store.kept("lb").unwrap().unwrap();
    assert_eq!(after.at, 6);
    assert_eq!(
        after.list[0].id, "lb2",
        "{:?} → {:?}",
        before.list, after.list
    );
    assert_eq!(store.kept("lb2").unwrap().unwrap().list[0].id, "lb");
    // Lists computed after the lesson arrived already know it: left alone.
    let again = idx.related_added(&store, &new, 6, 6).unwrap();
    assert_eq!(again, 1);
}

#[test]
fn a_stale_list_is_served_and_asked_to_be_refreshed() {
    let idx = index();
    let store = RelatedStore::temporary().unwrap();
    let me = &docs()[0];
    let kept = idx.keep_related(&store, me, 10).unwrap();
    let page = idx.related(&store, me, 5, 10 + STALE_AFTER).unwrap();
    assert_eq!(page, kept.list);
    assert!(store.take_refresh(10).is_empty(), "not stale yet");
    let page = idx.related(&store, me, 5, 11 + STALE_AFTER).unwrap();
    assert_eq!(page, kept.list);
    assert_eq!(store.take_refresh(10), vec!["lb".to_string()]);
}

#[test]
fn lists_survive_a_reopen_and_withdrawals_forget_them() {
    let dir = tempfile::tempdir().unwrap();
    let idx = index();
    let kept = {
        let store = RelatedStore::open(&dir.path().join("related")).unwrap();
        let kept = idx.keep_related(&store, &docs()[1], 3).unwrap();
        store.flush().unwrap();
        kept
    };
    let store = RelatedStore::open(&dir.path().join("related")).unwrap();
    assert_eq!(store.kept("cfg").unwrap(), Some(kept));
    assert_eq!(store.len(), 1);
    store.forget("cfg").unwrap();
    assert!(store.kept("cfg").unwrap().is_none());
    assert!(store.is_empty());
}
