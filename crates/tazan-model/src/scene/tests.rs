use std::collections::HashSet;

use super::cues::{PURPOSE_CUES, SCENE_CUES, STAGE_SCENES};
use super::*;
use crate::{CauseCategory, DisclosureLevel, Lesson};

#[test]
fn the_vocabulary_is_seven_purposes_with_their_scenes() {
    assert_eq!(Purpose::ALL.len(), 7);
    assert!(SUBS.len() < 256, "scene indexes are stored in a u8");
    let mut labels = HashSet::new();
    let mut names = HashSet::new();
    for p in Purpose::ALL {
        assert!(p.scenes().count() >= 3, "{p}: too few scenes");
        for s in p.scenes() {
            assert_eq!(s.purpose(), p);
            assert_eq!(s.label(), format!("{}/{}", p.as_str(), s.name()));
            assert!(labels.insert(s.label()), "{} twice", s.label());
            assert!(names.insert(s.name()), "bare name {} twice", s.name());
        }
    }
    assert_eq!(Scene::all().count(), 7 + SUBS.len());
    // Every scene has cues, and every table names only scenes of the vocabulary.
    let cued: HashSet<&str> = SCENE_CUES.iter().map(|(l, _)| *l).collect();
    for s in Scene::all().filter(|s| !s.is_purpose()) {
        assert!(cued.contains(s.label()), "no cues for {}", s.label());
    }
    for (label, cues) in SCENE_CUES {
        assert!(label.parse::<Scene>().is_ok(), "{label}");
        for c in *cues {
            assert_eq!(
                *c,
                propose::fold_for_test(c),
                "cue {c} is not in folded form"
            );
        }
    }
    for (_, label) in STAGE_SCENES {
        assert!(label.parse::<Scene>().is_ok(), "{label}");
    }
    assert_eq!(PURPOSE_CUES.len(), 7);
}

#[test]
fn scenes_parse_in_every_written_form() {
    let monitor: Scene = "運用手順/監視と検知".parse().unwrap();
    assert_eq!(monitor.label(), "運用手順/監視と検知");
    assert_eq!(monitor.purpose(), Purpose::Operations);
    for alias in [
        "監視と検知",
        " 運用手順／監視と検知 ",
        "運用手順 / 監視と検知",
    ] {
        assert_eq!(alias.parse::<Scene>().unwrap(), monitor, "{alias}");
    }
    for purpose in [
        "運用手順",
        "運用手順の見直しに活用",
        "運用手順/",
        "運用手順として活用",
    ] {
        let s: Scene = purpose.parse().unwrap();
        assert!(s.is_purpose(), "{purpose}");
        assert_eq!(s.label(), "運用手順");
    }
    assert_eq!(
        "組織・体制の整備の参考として活用"
            .parse::<Purpose>()
            .unwrap(),
        Purpose::Organization
    );
    assert!("運用手順/監視と検知".parse::<Purpose>().is_err());
}

#[test]
fn unknown_scenes_name_the_value_and_list_the_vocabulary() {
    for bad in [
        "障害対応",
        "運用手順/要件定義",
        "なにか/監視と検知",
        "",
        "運用",
    ] {
        let e = bad.parse::<Scene>().unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("`taxonomy.scenes`"), "{msg}");
        assert!(msg.contains(&format!("{bad:?}")), "{msg}");
        for p in Purpose::ALL {
            assert!(msg.contains(p.as_str()), "{msg}");
        }
        assert!(msg.contains("監視と検知"), "{msg}");
    }
    let e = Scene::parse_for("--scene", "障害対応")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("field `--scene`"), "{e}");
    println!("{e}");
}

#[test]
fn lessons_carry_canonical_scenes_only() {
    let mut l = Lesson::example("切替え訓練を行うべし", DisclosureLevel::Green);
    l.validate().unwrap();
    l.taxonomy.scenes = vec!["障害対応".into()];
    let e = l.validate().unwrap_err().to_string();
    assert!(
        e.contains("taxonomy.scenes") && e.contains("社内教育"),
        "{e}"
    );
    // An alias is accepted when a file is read (canonicalised), not in a stored lesson.
    l.taxonomy.scenes = vec![
        "監視と検知".into(),
        "運用手順/監視と検知".into(),
        "社内教育".into(),
    ];
    assert!(l.validate().is_err());
    l.taxonomy.canonicalize_scenes().unwrap();
    assert_eq!(l.taxonomy.scenes, ["運用手順/監視と検知", "社内教育"]);
    l.validate().unwrap();
    // A bad entry leaves the list as it was.
    let before = vec!["監視と検知".to_owned(), "何か".to_owned()];
    l.taxonomy.scenes = before.clone();
    assert!(l.taxonomy.canonicalize_scenes().is_err());
    assert_eq!(l.taxonomy.scenes, before);
}

fn input<'a>(fields: &[(&'a str, &'a str)]) -> SceneInput<'a> {
    SceneInput {
        fields: fields.to_vec(),
        ..SceneInput::default()
    }
}

#[test]
fn proposals_come_with_reasons_and_are_deterministic() {
    let l = Lesson::example(
        "待機系への切替えは本番相当の環境で訓練すべし",
        DisclosureLevel::Green,
    );
    let a = l.propose_scenes();
    assert_eq!(a, l.propose_scenes());
    assert!(!a.is_empty() && a.len() <= 4);
    for p in &a {
        assert!(!p.reasons.is_empty(), "{p:?}");
        assert!(p.score >= 3);
    }
    let labels: Vec<&str> = a.iter().map(|p| p.scene.label()).collect();
    assert!(labels.iter().any(|l| l.contains("切替え")), "{labels:?}");
    // Its cause (作業ミス) and stage (運用) are evidence too, with the field named.
    let procedure = a
        .iter()
        .find(|p| p.scene.label() == "運用手順/作業・変更の手順")
        .expect("a procedure scene");
    let fields: Vec<&str> = procedure.reasons.iter().map(|r| r.field.as_str()).collect();
    assert!(
        fields.contains(&"taxonomy.cause") && fields.contains(&"taxonomy.stage"),
        "{procedure:?}"
    );
    // Two spellings of one word (切替え, 切り替え) count once.
    let switch = a
        .iter()
        .find(|p| p.scene.label() == "運用手順/切替え・復旧の手順")
        .unwrap();
    assert_eq!(
        switch
            .reasons
            .iter()
            .filter(|r| r.cue.starts_with("切"))
            .count(),
        1,
        "{switch:?}"
    );
}

#[test]
fn a_lesson_with_no_cue_gets_the_case_study_scene() {
    let p = propose_scenes(&input(&[("title", "晴れた日の話")]));
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].scene.label(), "社内教育/事例研究・勉強会");
    assert_eq!(p[0].reasons[0].field, "default");
}

#[test]
fn title_words_weigh_more_than_body_words() {
    let in_title = propose_scenes(&input(&[("title", "監視")]));
    assert_eq!(in_title[0].scene.label(), "運用手順/監視と検知");
    assert_eq!(in_title[0].reasons[0].field, "title");
    let in_body = propose_scenes(&input(&[("problem", "監視")]));
    assert_eq!(
        in_body[0].scene.label(),
        "社内教育/事例研究・勉強会",
        "one body word is not enough"
    );
    // Full-width Latin folds: ＳＬＡ counts as sla.
    let sla = propose_scenes(&input(&[("title", "ＳＬＡを契約で決める")]));
    assert_eq!(
        sla[0].scene.label(),
        "調達時の指示・確認事項/クラウド・外部サービスの契約"
    );
}

#[test]
fn cause_and_stage_are_evidence() {
    let p = propose_scenes(&SceneInput {
        fields: vec![("title", "受付が遅れた")],
        cause: Some(CauseCategory::Overload),
        stage: "要件定義",
    });
    let labels: Vec<&str> = p.iter().map(|p| p.scene.label()).collect();
    assert!(
        labels.contains(&"レビュー・試験項目/性能・負荷試験"),
        "{labels:?}"
    );
    assert!(labels.contains(&"運用手順/容量・性能管理"), "{labels:?}");
    assert!(
        !labels.contains(&"開発手順/要件定義"),
        "a stage alone (2) is below the bar: {labels:?}"
    );
}

#[test]
fn situations_route_to_purposes() {
    let r = route_situation("新人の研修で、障害の怖さを伝える教材を探している").unwrap();
    assert_eq!(r.purpose, Purpose::Education);
    assert!(r.words.contains(&"研修".to_owned()), "{r:?}");
    let r = route_situation(
        "障害を減らすための組織・体制をどう作るか、委託先との役割分担はどうあるべきか",
    )
    .unwrap();
    assert_eq!(r.purpose, Purpose::Organization);
    assert_eq!(r.scene, None, "two scenes tie: {r:?}");
    let r = route_situation("事業部門と情シスの役割分担を見直し、体制を整えたい").unwrap();
    assert_eq!(r.purpose, Purpose::Organization);
    assert_eq!(
        r.scene.map(Scene::label),
        Some("組織・体制の整備/役割分担と責任")
    );
    let r =
        route_situation("ベンダーへの発注時に、提案依頼書（ＲＦＰ）で何を求めるべきか").unwrap();
    assert_eq!(r.purpose, Purpose::Procurement);
    assert!(route_situation("今日は晴れている").is_none());
}

#[test]
fn a_route_says_how_far_its_purpose_stands_out() {
    let text = "新人の研修で、障害の怖さを伝える教材を探している";
    let scores = purpose_scores(text);
    let r = route_situation(text).unwrap();
    // The route is the top of the scores, and its margin the gap to the runner-up.
    assert_eq!(scores[0].0, r.purpose);
    let second = scores.get(1).map_or(0, |s| s.1);
    assert_eq!(r.margin, scores[0].1 - second);
    assert!(r.margin >= 1);
    assert!(scores.windows(2).all(|w| w[0].1 >= w[1].1), "{scores:?}");
    // Two purposes with the same evidence: scored, but no route.
    let tie = "テストの体制";
    let scores = purpose_scores(tie);
    assert_eq!(scores.len(), 2, "{scores:?}");
    assert_eq!(scores[0].1, scores[1].1);
    assert!(route_situation(tie).is_none());
    assert!(purpose_scores("今日は晴れている").is_empty());
}
