use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query};

use super::rank::{level_mask, Restrict};
use super::*;

fn doc(id: &str, title: &str, body: &str) -> IndexDoc {
    IndexDoc {
        id: id.into(),
        title: title.into(),
        problem: body.into(),
        level: "GREEN".into(),
        ..IndexDoc::default()
    }
}

fn ids(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.id.as_str()).collect()
}

fn req(q: &str) -> SearchRequest {
    SearchRequest {
        query: q.into(),
        limit: 10,
        ..SearchRequest::default()
    }
}

fn sample() -> SearchIndex {
    let idx = SearchIndex::in_ram().unwrap();
    let mut a = doc(
        "a",
        "待機系サーバーへの切替えに失敗",
        "稼働系の故障時に自動切替えが動かず、手動で切り替えた。",
    );
    a.industry = "金融".into();
    a.cause_category = "ハードウェア障害".into();
    a.period = "2017-07".into();
    a.domain = "technical".into();
    a.scenes = vec!["運用手順/切替え・復旧の手順".into()];
    let mut b = doc(
        "b",
        "アクセス集中でWebサーバがダウン",
        "キャンペーン開始直後に負荷が急増し応答が遅延した。",
    );
    b.industry = "情報通信".into();
    b.cause_category = "過負荷".into();
    b.period = "2018-H1".into();
    b.level = "AMBER".into();
    b.domain = "technical".into();
    let mut c = doc(
        "c",
        "要件定義は発注者の責任",
        "委託先に任せきりで要件が曖昧なまま開発が進んだ。",
    );
    c.industry = "金融".into();
    c.cause_category = "作業ミス".into();
    c.period = "2016".into();
    c.domain = "governance".into();
    c.level = "CLEAR".into();
    c.scenes = vec![
        "組織・体制の整備/役割分担と責任".into(),
        "運用手順/切替え・復旧の手順".into(),
    ];
    for d in [a, b, c] {
        idx.upsert(&d).unwrap();
    }
    idx.commit().unwrap();
    idx
}

#[test]
fn finds_by_japanese_text_best_first() {
    let idx = sample();
    let hits = idx
        .search(&req("サーバの切り替えがうまくいかない"))
        .unwrap();
    assert_eq!(hits.first().map(|h| h.id.as_str()), Some("a"), "{hits:?}");
    let hits = idx.search(&req("アクセスが集中して遅い")).unwrap();
    assert_eq!(hits.first().map(|h| h.id.as_str()), Some("b"), "{hits:?}");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn upsert_replaces_and_delete_withdraws() {
    let idx = sample();
    assert_eq!(idx.len(), 3);
    idx.upsert(&doc("a", "全く別の題名", "データ移行の手順"))
        .unwrap();
    idx.commit().unwrap();
    assert_eq!(idx.len(), 3);
    assert_eq!(idx.get("a").unwrap().unwrap().title, "全く別の題名");
    assert!(ids(&idx.search(&req("待機系")).unwrap())
        .iter()
        .all(|i| *i != "a"));

    idx.delete("b").unwrap();
    // Not visible before commit.
    assert_eq!(idx.len(), 3);
    idx.commit().unwrap();
    assert_eq!(idx.len(), 2);
    assert!(idx.get("b").unwrap().is_none());
    assert!(ids(&idx.search(&req("アクセス集中")).unwrap()).is_empty());
    // Deleting an unknown id is a no-op.
    idx.delete("zzz").unwrap();
    idx.commit().unwrap();
    assert_eq!(idx.len(), 2);
}

#[test]
fn filters_restrict_results() {
    let idx = sample();
    let mut r = req("");
    r.filters.industries = vec!["金融".into()];
    let mut got = ids(&idx.search(&r).unwrap())
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    got.sort();
    assert_eq!(got, ["a", "c"]);

    let mut r = req("サーバ");
    r.filters.levels = vec!["amber".into()];
    assert_eq!(ids(&idx.search(&r).unwrap()), ["b"]);

    let mut r = req("");
    r.filters.domain = Some("governance".into());
    assert_eq!(ids(&idx.search(&r).unwrap()), ["c"]);

    let mut r = req("");
    r.filters.cause_categories = vec!["過負荷".into(), "作業ミス".into()];
    assert_eq!(idx.search(&r).unwrap().len(), 2);

    // Scenes: by label or bare name; a purpose finds every scene under it.
    for (scenes, want) in [
        (vec!["切替え・復旧の手順"], vec!["a", "c"]),
        (vec!["運用手順/切替え・復旧の手順"], vec!["a", "c"]),
        (vec!["組織・体制の整備"], vec!["c"]),
        (vec!["運用手順"], vec!["a", "c"]),
        (
            vec!["社内教育", "組織・体制の整備/役割分担と責任"],
            vec!["c"],
        ),
        (vec!["開発手順"], vec![]),
    ] {
        let mut r = req("");
        r.filters.scenes = scenes.iter().map(|s| s.to_string()).collect();
        let mut got: Vec<String> = idx.search(&r).unwrap().into_iter().map(|h| h.id).collect();
        got.sort();
        assert_eq!(got, want, "{scenes:?}");
    }
    let mut r = req("切替え");
    r.filters.scenes = vec!["障害対応".into()];
    let e = idx.search(&r).unwrap_err().to_string();
    assert!(
        e.contains("`scene`") && e.contains("\"障害対応\"") && e.contains("運用手順"),
        "{e}"
    );

    // Period overlap: 2017-H2 .. 2018-03 covers a (2017-07) and b (2018-H1), not c (2016).
    let mut r = req("");
    r.filters.period_from = Some("2017-H2".into());
    r.filters.period_to = Some("2018-03".into());
    let mut got = ids(&idx.search(&r).unwrap())
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    got.sort();
    assert_eq!(got, ["a", "b"]);

    let mut r = req("");
    r.filters.period_to = Some("2016-12".into());
    assert_eq!(ids(&idx.search(&r).unwrap()), ["c"]);

    let mut r = req("");
    r.filters.period_from = Some("2017-13".into());
    assert!(matches!(idx.search(&r), Err(SearchError::BadPeriod { .. })));
}

#[test]
fn limit_zero_and_empty_query() {
    let idx = sample();
    let mut r = req("サーバ");
    r.limit = 0;
    assert!(idx.search(&r).unwrap().is_empty());
    // Empty query without filters lists everything.
    assert_eq!(idx.search(&req("")).unwrap().len(), 3);
    // Only particles: nothing to match.
    assert!(idx.search(&req("のはを")).unwrap().is_empty());
}

#[test]
fn empty_id_is_rejected() {
    let idx = SearchIndex::in_ram().unwrap();
    assert!(matches!(
        idx.upsert(&doc(" ", "t", "b")),
        Err(SearchError::EmptyId)
    ));
}

#[test]
fn on_disk_index_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let idx = SearchIndex::open(dir.path()).unwrap();
        idx.upsert(&doc("x", "パッチ適用漏れ", "ファームウェアの既知の不具合"))
            .unwrap();
        idx.commit().unwrap();
    }
    let idx = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(idx.len(), 1);
    assert_eq!(ids(&idx.search(&req("ファームウェア")).unwrap()), ["x"]);
}

#[test]
fn one_writer_many_read_only_readers() {
    let dir = tempfile::tempdir().unwrap();
    let writer = SearchIndex::open(dir.path()).unwrap();
    writer
        .upsert(&doc("a", "待機系への切替え", "切替えに失敗した"))
        .unwrap();
    writer.commit().unwrap();
    // A second writer is refused, naming the lock; readers are not.
    let e = SearchIndex::open(dir.path()).unwrap_err();
    assert!(matches!(e, SearchError::Locked { .. }), "{e}");
    let reader = SearchIndex::open_read_only(dir.path()).unwrap();
    assert!(reader.is_read_only());
    assert_eq!(ids(&reader.search(&req("切替え")).unwrap()), ["a"]);
    let e = reader.upsert(&doc("b", "x", "y")).unwrap_err();
    assert!(matches!(e, SearchError::ReadOnly { .. }), "{e}");
    assert!(reader.delete("a").is_err() && reader.commit().is_err());
    // Later commits and deletes show after a reload.
    writer
        .upsert(&doc("b", "負荷試験", "切替え後に過負荷"))
        .unwrap();
    writer.delete("a").unwrap();
    writer.commit().unwrap();
    reader.reload().unwrap();
    assert_eq!(ids(&reader.search(&req("切替え")).unwrap()), ["b"]);
    let missing = tempfile::tempdir().unwrap();
    assert!(SearchIndex::open_read_only(missing.path()).is_err());
}

#[test]
fn query_terms_drop_filler_and_add_synonyms() {
    let r = RankingConfig {
        synonym_weight: 0.3,
        ..RankingConfig::default()
    };
    let t = query_terms("例えば待機系", &r);
    assert!(t.iter().all(|(w, _)| w != "例"));
    assert!(t.iter().any(|(w, s)| w == "待機" && *s == 1.0));
    assert!(t.iter().any(|(w, s)| w == "バックアップ" && *s < 1.0));
}

#[test]
fn rescore_matches_exhaustive_scores() {
    let idx = SearchIndex::in_ram().unwrap();
    for d in crate::bench::synthetic_lessons(500, 3) {
        idx.add(&d).unwrap();
    }
    idx.commit().unwrap();
    let searcher = idx.searcher();
    let weighted = query_terms(
        "負荷分散装置の設定ミスで夜間処理が完了しなかった",
        &RankingConfig::default(),
    );
    let q = idx.text_query(&weighted);
    let top = searcher
        .search(&q, &TopDocs::with_limit(50).order_by_score())
        .unwrap();
    assert!(top.len() == 50);
    let mut shuffled: Vec<_> = top.iter().rev().cloned().collect();
    for s in shuffled.iter_mut() {
        s.0 = 0.0;
    }
    let again = idx.rescore(&searcher, &weighted, shuffled).unwrap();
    for (a, b) in top.iter().zip(&again) {
        assert!((a.0 - b.0).abs() <= 1e-3 * a.0.max(1.0), "{a:?} vs {b:?}");
    }
}

#[test]
fn two_stage_agrees_with_exhaustive_at_the_top() {
    let mut idx = SearchIndex::in_ram().unwrap();
    for d in crate::bench::synthetic_lessons(3000, 5) {
        idx.add(&d).unwrap();
    }
    idx.commit().unwrap();
    // Feedback terms come from each path's own top lessons: compare candidate generation
    // on the same terms.
    let plain = RankingConfig {
        feedback_docs: 0,
        ..RankingConfig::default()
    };
    idx.set_ranking(plain.clone());
    let queries = [
        "共有ディスクのファームウェア不具合で全面的に停止した",
        "委託先との役割分担と連絡体制が曖昧だったため、夜間の障害対応が遅れた",
        "DNSサーバー 設定ミス",
    ];
    let mut exhaustive = Vec::new();
    for q in queries {
        exhaustive.push(idx.search(&req(q)).unwrap());
    }
    idx.set_ranking(RankingConfig {
        first_stage_min_docs: 0,
        ..plain
    });
    for (q, ex) in queries.iter().zip(&exhaustive) {
        let two = idx.search(&req(q)).unwrap();
        assert_eq!(two.len(), ex.len());
        // Candidate generation is approximate: the best two-stage hit must score within
        // 10% of the exhaustive best (scores themselves are exact, see rescore test).
        assert!(
            two[0].score <= ex[0].score * 1.0001,
            "{q}: {:?} vs {:?}",
            two[0],
            ex[0]
        );
        assert!(
            two[0].score >= ex[0].score * 0.9,
            "{q}: {:?} vs {:?}",
            two[0],
            ex[0]
        );
    }
}

#[test]
fn filtered_collector_equals_filter_intersection() {
    let idx = SearchIndex::in_ram().unwrap();
    for d in crate::bench::synthetic_lessons(2000, 9) {
        idx.add(&d).unwrap();
    }
    idx.commit().unwrap();
    // Withdraw a few lessons: the collector must skip deleted documents too.
    for i in 0..50 {
        idx.delete(&format!("syn-9-{i:08}")).unwrap();
    }
    idx.commit().unwrap();
    let searcher = idx.searcher();
    let filters = Filters {
        industries: vec!["金融".into(), "運輸".into()],
        levels: vec!["GREEN".into()],
        ..Filters::default()
    };
    let filter = idx.filter_query(&filters).unwrap().unwrap();
    let weighted = query_terms(
        "データベースサーバの設定ミスで応答が遅延した",
        &RankingConfig::default(),
    );
    let text = idx.text_query(&weighted);
    // The filter must not add to the score: wrap it in a zero constant score.
    let unscored: Box<dyn Query> = Box::new(tantivy::query::ConstScoreQuery::new(
        filter.box_clone(),
        0.0,
    ));
    let both = BooleanQuery::new(vec![
        (Occur::Must, text.box_clone()),
        (Occur::Must, unscored),
    ]);
    let expected = searcher
        .search(&both, &TopDocs::with_limit(30).order_by_score())
        .unwrap();
    let bits = idx.filter_bits(&searcher, filter.as_ref()).unwrap();
    let restrict = Restrict {
        bits: Some(&bits),
        levels: None,
    };
    let got = idx.top(&searcher, text.as_ref(), restrict, 30).unwrap();
    // The same with the level checked on the fast field instead of the bitset.
    let no_level = Filters {
        levels: Vec::new(),
        ..filters.clone()
    };
    let bits2 = idx
        .filter_bits(
            &searcher,
            idx.filter_query(&no_level).unwrap().unwrap().as_ref(),
        )
        .unwrap();
    let restrict2 = Restrict {
        bits: Some(&bits2),
        levels: level_mask(&filters.levels),
    };
    let got2 = idx.top(&searcher, text.as_ref(), restrict2, 30).unwrap();
    assert_eq!(got, got2);
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert!((g.0 - e.0).abs() < 1e-4, "{g:?} vs {e:?}");
    }
    for (_, addr) in &got {
        let d = idx.load(&searcher, *addr).unwrap();
        assert!(
            d.level == "GREEN" && (d.industry == "金融" || d.industry == "運輸"),
            "{d:?}"
        );
        let n: usize = d.id.rsplit('-').next().unwrap().parse().unwrap();
        assert!(n >= 50, "deleted lesson {} returned", d.id);
    }
}

#[test]
fn foreign_index_directory_is_a_schema_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = Schema::builder();
    b.add_text_field("something_else", STRING);
    Index::create_in_dir(dir.path(), b.build()).unwrap();
    let err = SearchIndex::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, SearchError::SchemaMismatch { field: "id", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("re-index"));
}

#[test]
fn searches_run_while_another_thread_indexes() {
    let idx = std::sync::Arc::new(sample());
    let writer = {
        let idx = idx.clone();
        std::thread::spawn(move || {
            for (i, d) in crate::bench::synthetic_lessons(300, 4).enumerate() {
                idx.upsert(&d).unwrap();
                if i % 100 == 99 {
                    idx.commit().unwrap();
                }
            }
        })
    };
    for _ in 0..50 {
        let hits = idx.search(&req("サーバの切替えに失敗")).unwrap();
        assert!(!hits.is_empty());
    }
    writer.join().unwrap();
    assert_eq!(idx.len(), 303);
}

#[test]
fn index_trends_stream_live_lessons_only() {
    let idx = sample();
    idx.delete("b").unwrap();
    idx.commit().unwrap();
    let exact = crate::trends::TrendOptions::exact(crate::trends::Granularity::HalfYear);
    let r = idx.trends(&exact).unwrap();
    assert_eq!(r.total, Some(2));
    assert!(
        r.by_cause.iter().all(|c| c.key != "過負荷"),
        "deleted lesson counted"
    );
    assert_eq!(r, crate::trends::trends(&idx.all_docs().unwrap(), &exact));
}

#[test]
fn one_hit_per_catalogue_ref() {
    // The same catalogue entry imported locally and received from the hub.
    let idx = SearchIndex::in_ram().unwrap();
    let mut local = doc(
        "catalog:K1",
        "夜間バッチの多重起動",
        "排他制御がなく二重に起動した。",
    );
    local.r#ref = Some("K1".into());
    let mut received = local.clone();
    received.id = "9f".repeat(32);
    let other = doc("x", "夜間バッチの遅延", "多重起動ではないが遅れた。");
    for d in [&local, &received, &other] {
        idx.upsert(d).unwrap();
    }
    idx.commit().unwrap();
    let hits = idx.search(&req("夜間バッチ 多重起動")).unwrap();
    let k1 = hits
        .iter()
        .filter(|h| h.r#ref.as_deref() == Some("K1"))
        .count();
    assert_eq!(k1, 1, "{:?}", ids(&hits));
    assert!(ids(&hits).contains(&"x"), "{:?}", ids(&hits));
    // Documents without a ref are never folded together.
    let mut twin = other.clone();
    twin.id = "y".into();
    idx.upsert(&twin).unwrap();
    idx.commit().unwrap();
    let hits = idx.search(&req("夜間バッチ 遅延")).unwrap();
    assert!(ids(&hits).contains(&"x") && ids(&hits).contains(&"y"));
}

#[test]
fn counts_lessons_sharing_a_combination() {
    use crate::anonymity::QuasiIdentifiers;
    let idx = sample();
    let mut extra = doc("d", "要件定義の不足", "要件が曖昧だった。");
    extra.industry = "金融".into();
    extra.cause_category = "作業ミス".into();
    extra.period = "2016-03".into();
    idx.upsert(&extra).unwrap();
    idx.commit().unwrap();
    let k = |q: QuasiIdentifiers| idx.count_sharing(&q).unwrap();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(k(QuasiIdentifiers::default()), 4);
    assert_eq!(
        k(QuasiIdentifiers {
            industry: s("金融"),
            ..Default::default()
        }),
        3
    );
    let c_and_d = QuasiIdentifiers {
        industry: s("金融"),
        cause_category: s("作業ミス"),
        period: s("2016"),
        ..Default::default()
    };
    assert_eq!(k(c_and_d.clone()), 2);
    // A month lies within its year, and within its half, not the other half.
    for (period, n) in [("2016-H1", 1), ("2016-H2", 0), ("2016-03", 1)] {
        assert_eq!(
            k(QuasiIdentifiers {
                period: s(period),
                ..c_and_d.clone()
            }),
            n,
            "{period}"
        );
    }
    assert_eq!(k(QuasiIdentifiers::of(&extra)), 1);
    // An unreadable period shares nothing.
    assert_eq!(
        k(QuasiIdentifiers {
            period: s("2016-13"),
            ..Default::default()
        }),
        0
    );
}

#[test]
fn a_common_word_query_on_a_large_index_ranks_the_lessons_holding_it() {
    // Every synthetic lesson holds 障害 and システム; with two-stage retrieval forced on,
    // candidates come from the word itself, not from its rarer equivalents.
    let mut idx = SearchIndex::in_ram().unwrap();
    for d in crate::bench::synthetic_lessons(2000, 9) {
        idx.add(&d).unwrap();
    }
    idx.commit().unwrap();
    idx.set_ranking(RankingConfig {
        first_stage_min_docs: 0,
        ..RankingConfig::default()
    });
    for q in ["障害", "システム"] {
        let hits = idx.search(&req(q)).unwrap();
        assert_eq!(hits.len(), 10, "{q}");
        for h in &hits {
            let d = idx.get(&h.id).unwrap().unwrap();
            assert!(d.full_text().contains(q), "{q}: {}", h.title);
        }
    }
}

#[test]
fn a_situation_routed_to_a_scene_ranks_lessons_proposed_for_it_higher() {
    let q = "障害時の切替え手順書を見直したい。運用チームの手順として整備する。";
    let route = tazan_model::scene::route_situation(q).expect("the query names a purpose");
    let scene = route.scene.expect("and a scene under it");
    let mut idx = SearchIndex::in_ram().unwrap();
    let body = "待機系への切替えに失敗し、手順書どおりに戻せなかった。";
    let mut with = doc("with", "切替えの失敗", body);
    with.scenes = vec![scene.label().into()];
    let mut other_purpose = doc("other", "切替えの失敗", body);
    other_purpose.scenes = vec!["社内教育/新任者・若手の教育".into()];
    idx.upsert(&other_purpose).unwrap();
    idx.upsert(&with).unwrap();
    idx.commit().unwrap();
    let hits = idx.search(&req(q)).unwrap();
    assert_eq!(ids(&hits), ["with", "other"]);
    assert!(hits[0].score > hits[1].score, "{hits:?}");
    // Off, the two lessons are the same text and score the same.
    idx.set_ranking(RankingConfig {
        scene_prior: 0.0,
        purpose_prior: 0.0,
        ..RankingConfig::default()
    });
    let hits = idx.search(&req(q)).unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].score, hits[1].score, "{hits:?}");
}

#[test]
fn an_unknown_katakana_compound_is_looked_up_by_the_known_words_inside_it() {
    let idx = SearchIndex::in_ram().unwrap();
    idx.upsert(&doc(
        "web",
        "Webページの性能",
        "トップページの更新で応答が遅くなった。",
    ))
    .unwrap();
    idx.upsert(&doc(
        "net",
        "ネットワーク障害",
        "ルータの故障で通信が止まった。",
    ))
    .unwrap();
    idx.commit().unwrap();
    let terms = idx.explain("キャンペーンページが開かない").unwrap();
    let part = terms.iter().find(|(t, _, _)| t == "ページ");
    let share = RankingConfig::default().compound_part_weight;
    assert_eq!(part.map(|p| (p.1, p.2)), Some((share, 1)), "{terms:?}");
    // A known word is not split, and a part is only a whole word of some lesson.
    assert!(!idx
        .explain("ネットワーク")
        .unwrap()
        .iter()
        .any(|(t, _, _)| t == "ワーク"));
    assert_eq!(
        ids(&idx.search(&req("キャンペーンページ")).unwrap())[0],
        "web"
    );
    // A pasted run of katakana is not split (every substring would be looked up).
    let long = "キャンペーンページ".repeat(3);
    assert!(!idx
        .explain(&long)
        .unwrap()
        .iter()
        .any(|(t, _, _)| t == "ページ"));
}

/// The structure re-rank alone (no feedback, no priors), with the given weights.
fn structure_only(core_weight: f32, phrase_weight: f32) -> RankingConfig {
    RankingConfig {
        feedback_docs: 0,
        domain_prior: 0.0,
        scene_prior: 0.0,
        purpose_prior: 0.0,
        core_weight,
        phrase_weight,
        ..RankingConfig::default()
    }
}

/// Filler lessons so that the query's words are rare.
fn with_filler(idx: &SearchIndex) {
    for (i, t) in [
        "性能監視の閾値",
        "契約の責任分界",
        "電源設備の点検",
        "移行判定の会議",
    ]
    .iter()
    .enumerate()
    {
        idx.add(&doc(&format!("f{i}"), t, "関係者で確認した。"))
            .unwrap();
    }
}

#[test]
fn a_lesson_about_the_situation_outranks_one_whose_cases_only_mention_it() {
    let mut idx = SearchIndex::in_ram().unwrap();
    with_filler(&idx);
    idx.add(&doc(
        "core",
        "手順書の周知不足による設定誤り",
        "手順書が担当者に周知されず、設定を誤った。",
    ))
    .unwrap();
    let mut cases = doc("cases", "監視条件の見直し", "監視の条件を変更した。");
    cases.examples = vec![
        "手順書の改訂が遅れ、担当者への周知が足りなかった例。".into(),
        "設定を誤って停止させた例。".into(),
    ];
    idx.add(&cases).unwrap();
    idx.commit().unwrap();
    let q = "担当者への手順書の周知が足りず、設定を誤って停止させてしまった";
    idx.set_ranking(structure_only(0.0, 0.0));
    let before = idx.search(&req(q)).unwrap();
    assert_eq!(ids(&before)[..2], ["cases", "core"], "premise: {before:?}");
    idx.set_ranking(structure_only(0.4, 0.0));
    let after = idx.search(&req(q)).unwrap();
    assert_eq!(ids(&after)[..2], ["core", "cases"], "{after:?}");
}

#[test]
fn a_compound_written_as_the_reader_wrote_it_outranks_its_parts_apart() {
    let mut idx = SearchIndex::in_ram().unwrap();
    with_filler(&idx);
    idx.add(&doc("apart", "体制の見直し", "三人で確認する体制にした。"))
        .unwrap();
    idx.add(&doc("whole", "確認の見直し", "確認を三人体制にした。"))
        .unwrap();
    idx.commit().unwrap();
    let q = "三人体制";
    idx.set_ranking(structure_only(0.0, 0.1));
    let hits = idx.search(&req(q)).unwrap();
    assert_eq!(ids(&hits)[..2], ["whole", "apart"], "{hits:?}");
    assert!(hits[0].score > hits[1].score, "{hits:?}");
    // Related lessons (`ranked` without a search) are left as they were.
    idx.set_ranking(structure_only(0.0, 0.0));
    let plain = idx.search(&req(q)).unwrap();
    assert!(hits[0].score > plain.iter().map(|h| h.score).fold(0.0, f32::max));
}

#[test]
fn a_query_typed_in_hiragana_only_finds_the_loanwords_it_spells() {
    let idx = sample();
    // Without kana-kanji conversion: バックアップ, キャンペーン, サーバ spelt in hiragana.
    for (q, want) in [
        ("きゃんぺーん", "b"),
        ("きゃんぺーん の さーば が おちた", "b"),
        ("たいきけい の さーばー", "a"),
    ] {
        let hits = idx.search(&req(q)).unwrap();
        assert_eq!(ids(&hits).first(), Some(&want), "{q}: {hits:?}");
    }
    // Off, the same queries find nothing ranked (no term of theirs is in the index).
    let mut idx = sample();
    idx.set_ranking(RankingConfig {
        kana_fallback: false,
        ..RankingConfig::default()
    });
    assert!(idx.search(&req("きゃんぺーん")).unwrap().is_empty());
    // A word the lessons hold in hiragana is still found as written.
    let idx = SearchIndex::in_ram().unwrap();
    idx.upsert(&doc(
        "f",
        "ふくそうの回避",
        "交換機がふくそう状態になった。",
    ))
    .unwrap();
    idx.upsert(&doc("g", "サービス停止", "サービスが停止した。"))
        .unwrap();
    idx.commit().unwrap();
    assert_eq!(ids(&idx.search(&req("ふくそう")).unwrap()), ["f"]);
}

#[test]
fn hiragana_is_read_as_katakana_only_in_text_written_without_conversion() {
    use crate::analyze::hiragana_as_katakana;
    assert_eq!(
        hiragana_as_katakana("ふぁーむうぇあ の ぱっち").as_deref(),
        Some("ファームウェア ノ パッチ")
    );
    // Kanji or katakana: the hiragana is okurigana and particles, kept as written.
    assert_eq!(hiragana_as_katakana("切り替えに失敗"), None);
    assert_eq!(hiragana_as_katakana("サーバがおちた"), None);
    assert_eq!(hiragana_as_katakana("ssd 2024"), None);
}

#[test]
fn a_purpose_given_by_the_reader_lifts_its_lessons_and_none_lifts_nothing() {
    use tazan_model::scene::Route;
    use tazan_model::Purpose;
    let idx = SearchIndex::in_ram().unwrap();
    let body = "待機系への切替えに失敗し、復旧に時間がかかった。";
    let mut ops = doc("ops", "切替えの失敗", body);
    ops.scenes = vec!["運用手順/切替え・復旧の手順".into()];
    let mut review = doc("review", "切替えの失敗", body);
    review.scenes = vec!["レビュー・試験項目/切替え・移行の試験".into()];
    let mut teach = doc("teach", "切替えの失敗", body);
    teach.scenes = vec!["社内教育/新任者・若手の教育".into()];
    for d in [&ops, &review, &teach] {
        idx.upsert(d).unwrap();
    }
    idx.commit().unwrap();
    let route = |purpose| Route {
        purpose,
        scene: None,
        words: Vec::new(),
        margin: 1,
    };
    let q = req("切替えに失敗した");
    let hits = idx
        .search_routed(&q, Some(&route(Purpose::ReviewAndTest)))
        .unwrap();
    assert_eq!(hits[0].id, "review", "{hits:?}");
    assert!(hits[0].score > hits[1].score, "{hits:?}");
    let hits = idx
        .search_routed(&q, Some(&route(Purpose::Operations)))
        .unwrap();
    assert_eq!(hits[0].id, "ops", "{hits:?}");
    // No route: the three lessons are the same text and score the same.
    let hits = idx.search_routed(&q, None).unwrap();
    assert!(hits.iter().all(|h| h.score == hits[0].score), "{hits:?}");
    // 社内教育 says what the reader makes of a lesson, not which: it lifts none.
    let hits = idx
        .search_routed(&q, Some(&route(Purpose::Education)))
        .unwrap();
    assert!(hits.iter().all(|h| h.score == hits[0].score), "{hits:?}");
}

#[test]
fn a_weak_route_gets_a_share_of_the_prior_under_the_confidence_knobs() {
    use tazan_model::scene::Route;
    use tazan_model::Purpose;
    let mut idx = SearchIndex::in_ram().unwrap();
    let body = "待機系への切替えに失敗し、復旧に時間がかかった。";
    let mut ops = doc("ops", "切替えの失敗", body);
    ops.scenes = vec!["運用手順/切替え・復旧の手順".into()];
    idx.upsert(&ops).unwrap();
    idx.upsert(&doc("plain", "切替えの失敗", body)).unwrap();
    idx.commit().unwrap();
    let q = req("切替えに失敗した");
    let lift = |idx: &SearchIndex, margin| {
        let route = Route {
            purpose: Purpose::Operations,
            scene: None,
            words: Vec::new(),
            margin,
        };
        let hits = idx.search_routed(&q, Some(&route)).unwrap();
        assert_eq!(hits[0].id, "ops", "{hits:?}");
        hits[0].score / hits[1].score - 1.0
    };
    let full = lift(&idx, 1);
    assert!(full > 0.05, "{full}");
    idx.set_ranking(RankingConfig {
        route_full_margin: 2,
        ..RankingConfig::default()
    });
    assert!((lift(&idx, 1) - full / 2.0).abs() < 1e-4);
    assert!((lift(&idx, 2) - full).abs() < 1e-4);
    idx.set_ranking(RankingConfig {
        route_min_margin: 2,
        ..RankingConfig::default()
    });
    let route = Route {
        purpose: Purpose::Operations,
        scene: None,
        words: Vec::new(),
        margin: 1,
    };
    let hits = idx.search_routed(&q, Some(&route)).unwrap();
    assert_eq!(hits[0].score, hits[1].score, "{hits:?}");
}
