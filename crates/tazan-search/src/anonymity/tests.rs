use tazan_model::{CauseCategory, DisclosureLevel, Lesson, Payload};

use super::figures::{figures, Band};
use super::*;
use crate::doc::IndexDoc;

fn lesson(industry: &str, period: &str, impact: &str, problem: &str) -> Lesson {
    let mut l = Lesson::example("切替え手順の誤り", DisclosureLevel::Green);
    l.industry = industry.into();
    l.period = period.into();
    l.impact = impact.into();
    l.problem = problem.into();
    l.taxonomy.cause = CauseCategory::Configuration;
    l
}

fn doc(l: &Lesson) -> IndexDoc {
    IndexDoc::from_lesson(&Payload::Lesson(l.clone()).id(), l, String::new())
}

fn band(unit: &str, from: u64, to: Option<u64>) -> Band {
    Band {
        unit: unit.into(),
        from,
        to,
    }
}

#[test]
fn reads_the_combination_from_a_lesson() {
    let l = lesson(
        "銀行",
        "2024-07",
        "約５万人の利用者と数百件の取引に影響",
        "東京都内の勘定系システムで、ATMが利用できなくなった。",
    );
    let q = QuasiIdentifiers::of_lesson(&l);
    assert_eq!(q.industry.as_deref(), Some("銀行"));
    assert_eq!(q.period.as_deref(), Some("2024-07"));
    assert_eq!(q.cause_category.as_deref(), Some("設定ミス"));
    assert_eq!(
        q.impact,
        vec![
            band("人", 10_000, Some(100_000)),
            band("件", 100, Some(1_000))
        ]
    );
    assert_eq!(q.region.as_deref(), Some("東京都"));
    assert_eq!(q.system.as_deref(), Some("勘定系"));
    assert_eq!(
        q.to_string(),
        "industry 銀行 · period 2024-07 · cause 設定ミス · impact 1万〜10万人・100〜1000件 · region 東京都 · system 勘定系"
    );
    // Two prefectures of one region give the region; two regions give none (national).
    let two = lesson("銀行", "", "", "大阪府と京都府の店舗で");
    assert_eq!(
        QuasiIdentifiers::of_lesson(&two).region.as_deref(),
        Some("近畿地方")
    );
    let far = lesson("銀行", "", "", "北海道と沖縄県の店舗で");
    assert_eq!(QuasiIdentifiers::of_lesson(&far).region, None);
    // 東京都 holds 京都 but is not 京都府.
    let tokyo = lesson("銀行", "", "", "東京都の拠点で");
    assert_eq!(
        QuasiIdentifiers::of_lesson(&tokyo).region.as_deref(),
        Some("東京都")
    );
}

#[test]
fn figures_in_every_written_form() {
    let bands =
        |t: &str| -> Vec<String> { figures(t).iter().map(|f| f.band.to_string()).collect() };
    assert_eq!(bands("約5万人規模"), ["1万〜10万人"]);
    assert_eq!(bands("延べ１２，０００名"), ["1万〜10万人"]);
    assert_eq!(bands("数十万件"), ["10万〜100万件"]);
    assert_eq!(bands("3千万円の損失"), ["1000万〜1億円"]);
    assert_eq!(bands("1.5万人"), ["1万〜10万人"]);
    assert_eq!(bands("1万〜10万人"), ["1万〜10万人"]);
    assert_eq!(bands("1000〜10万人"), ["1000〜10万人"]);
    assert_eq!(bands("10万人以上"), ["10万人以上"]);
    assert_eq!(bands("1000人未満"), ["1000人未満"]);
    // Not figures: no counter, a date, a duration.
    assert!(bands("2024年7月3日に3時間停止").is_empty());
    // A range across bands fits no standard band and is not read.
    assert!(bands("5千〜20万人").is_empty());
}

#[test]
fn a_lesson_shares_a_combination_when_its_values_lie_within_it() {
    let draft = QuasiIdentifiers::of_lesson(&lesson(
        "金融",
        "2024-H2",
        "1万〜10万人",
        "関東地方の勘定系で",
    ));
    let within =
        QuasiIdentifiers::of_lesson(&lesson("銀行", "2024-07", "約5万人", "東京都の勘定系で"));
    assert!(draft.covers(&within));
    // Finer lies within coarser, never the other way.
    assert!(!within.covers(&draft));
    // A library lesson lacking a field the draft gives does not share it (conservative) …
    let lacking =
        QuasiIdentifiers::of_lesson(&lesson("", "2024-07", "約5万人", "東京都の勘定系で"));
    assert!(!draft.covers(&lacking));
    // … and a field the draft lacks is any: every lesson shares it.
    assert!(draft.without(QuasiField::Industry).covers(&lacking));
    // Each field on its own.
    for (other, why) in [
        (
            lesson("金融", "2025-01", "約5万人", "関東地方の勘定系で"),
            "period",
        ),
        (
            lesson("金融", "2024-H2", "約50万人", "関東地方の勘定系で"),
            "impact",
        ),
        (
            lesson("金融", "2024-H2", "約5万件", "関東地方の勘定系で"),
            "impact unit",
        ),
        (
            lesson("金融", "2024-H2", "約5万人", "大阪府の勘定系で"),
            "region",
        ),
        (
            lesson("金融", "2024-H2", "約5万人", "関東地方のATMで"),
            "system",
        ),
        (
            lesson("運輸", "2024-H2", "約5万人", "関東地方の勘定系で"),
            "industry",
        ),
    ] {
        assert!(!draft.covers(&QuasiIdentifiers::of_lesson(&other)), "{why}");
    }
    let mut cause = lesson("金融", "2024-H2", "約5万人", "関東地方の勘定系で");
    cause.taxonomy.cause = CauseCategory::Hardware;
    assert!(!draft.covers(&QuasiIdentifiers::of_lesson(&cause)));
}

#[test]
fn k_counts_the_draft_and_the_sharing_lessons_once() {
    let draft = lesson("銀行", "2024-07", "約5万人", "東京都の勘定系で");
    let same = lesson("銀行", "2024-07", "約3万人", "東京都の勘定系システムで");
    let mut library = vec![doc(&same), doc(&same), doc(&draft)];
    let a = anonymity(&draft, &library);
    // The draft, plus `same` once; its own published copy is not a second lesson.
    assert_eq!((a.k, a.library), (2, 1));
    assert!(!a.is_enough());
    library.push(doc(&lesson(
        "銀行",
        "2024-07",
        "約2万人",
        "東京都の勘定系で障害",
    )));
    let a = anonymity(&draft, &library);
    assert_eq!(a.k, 3);
    assert!(a.is_enough());
    // A reader of a GREEN draft in another group never sees AMBER lessons.
    library.pop();
    let mut amber = lesson("銀行", "2024-07", "約2万人", "東京都の勘定系で障害");
    amber.level = DisclosureLevel::Amber;
    library.push(doc(&amber));
    assert_eq!(anonymity(&draft, &library).k, 2);
    let mut amber_draft = draft.clone();
    amber_draft.level = DisclosureLevel::Amber;
    // An AMBER draft's readers see AMBER lessons too (and the GREEN `draft`
    // is another lesson to it: the desk leaves out renditions of one incident).
    assert_eq!(anonymity(&amber_draft, &library).k, 4);
}

#[test]
fn names_the_fields_that_single_a_draft_out_and_offers_coarser_ones() {
    let draft = lesson("銀行", "2024-07", "約5万人", "東京都の勘定系で");
    // Two lessons share everything but the month; one more shares everything but the
    // industry.
    let library: Vec<IndexDoc> = [
        lesson("銀行", "2024-09", "約5万人", "東京都の勘定系で"),
        lesson("銀行", "2024-11", "約2万人", "東京都の勘定系で"),
        lesson("証券", "2024-07", "約5万人", "東京都の勘定系で"),
    ]
    .iter()
    .map(doc)
    .collect();
    let a = anonymity(&draft, &library);
    assert_eq!(a.k, 1);
    assert_eq!(
        a.narrowing
            .iter()
            .map(|n| (n.field, n.value.as_str(), n.k_without))
            .collect::<Vec<_>>(),
        [
            (QuasiField::Period, "2024-07", 3),
            (QuasiField::Industry, "銀行", 2)
        ]
    );
    assert_eq!(
        a.narrowing_text(),
        "period 2024-07 (k 3 without it), industry 銀行 (k 2 without it)"
    );
    let offer = |field: QuasiField, to: Option<&str>| {
        a.offers
            .iter()
            .find(|o| o.field == field && o.to.as_deref() == to)
            .map(|o| o.k)
    };
    assert_eq!(offer(QuasiField::Period, Some("2024-H2")), Some(3));
    assert_eq!(offer(QuasiField::Period, Some("2024")), Some(3));
    assert_eq!(offer(QuasiField::Period, None), Some(3));
    assert_eq!(offer(QuasiField::Industry, Some("金融")), Some(2));
    assert_eq!(offer(QuasiField::Region, Some("関東地方")), Some(1));
    assert_eq!(offer(QuasiField::Region, None), Some(1));
    assert_eq!(offer(QuasiField::Impact, Some("1000〜10万人")), Some(1));
    assert_eq!(offer(QuasiField::System, None), Some(1));
    assert_eq!(offer(QuasiField::Cause, None), None);
    // Applying the period offer gives the k it promised.
    let coarse = coarsen(&draft, QuasiField::Period, Some("2024-H2")).unwrap();
    assert_eq!(coarse.period, "2024-H2");
    assert_eq!(anonymity(&coarse, &library).k, 3);
}

#[test]
fn coarsening_rewrites_only_what_the_field_reads() {
    let draft = lesson(
        "銀行",
        "2024-Q3",
        "約5万人の利用者に影響",
        "東京都内の勘定系システムでATMが停止した。",
    );
    let step = |l: &Lesson, f: QuasiField| coarsen(l, f, None).unwrap();
    assert_eq!(step(&draft, QuasiField::Period).period, "2024-H2");
    assert_eq!(
        step(&step(&draft, QuasiField::Period), QuasiField::Period).period,
        "2024"
    );
    assert_eq!(step(&draft, QuasiField::Industry).industry, "金融");
    assert_eq!(
        step(&step(&draft, QuasiField::Industry), QuasiField::Industry).industry,
        ""
    );
    let wide = step(&draft, QuasiField::Impact);
    assert_eq!(wide.impact, "1000〜10万人規模の利用者に影響");
    assert_eq!(step(&wide, QuasiField::Impact).impact, "多数の利用者に影響");
    let region = step(&draft, QuasiField::Region);
    assert_eq!(
        region.problem,
        "関東地方内の勘定系システムでATMが停止した。"
    );
    assert_eq!(
        step(&region, QuasiField::Region).problem,
        "国内の勘定系システムでATMが停止した。"
    );
    let system = step(&draft, QuasiField::System);
    assert_eq!(
        system.problem,
        "東京都内の基幹系システムで顧客向け端末が停止した。"
    );
    assert_eq!(QuasiIdentifiers::of_lesson(&system).system, None);
    // Everything else is untouched, and each result is a valid lesson.
    for l in [&region, &system, &wide] {
        assert_eq!(l.period, draft.period);
        l.validate().unwrap();
    }
    // Going to a named step; an unreachable one is an error naming the steps.
    assert_eq!(
        coarsen(&draft, QuasiField::Period, Some("2024"))
            .unwrap()
            .period,
        "2024"
    );
    assert_eq!(
        coarsen(&draft, QuasiField::Period, Some("any"))
            .unwrap()
            .period,
        ""
    );
    let e = coarsen(&draft, QuasiField::Period, Some("2023")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "coarsen `period`: `2023` is not a coarser value of `2024-Q3`; the steps are: 2024-H2, 2024, any"
    );
    let e = coarsen(&draft, QuasiField::Cause, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "coarsen `cause`: `設定ミス` cannot be made coarser"
    );
    let e = "place".parse::<QuasiField>().unwrap_err();
    assert!(
        e.to_string().contains("expected one of industry, period"),
        "{e}"
    );
}
