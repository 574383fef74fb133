//! The paragraph reader on the shapes of the shared press records.

use super::*;

fn texts(cs: &[ReadCause]) -> Vec<(CauseKind, &str)> {
    cs.iter()
        .map(|c| (c.cause.kind, c.cause.text.as_str()))
        .collect()
}

#[test]
fn causes_are_read_from_the_paragraph() {
    let cs = causes("某日夕方に売買システムで障害発生。原因は、ハードウェア障害。また、別システムへの自動切替えができなかった。", None);
    assert_eq!(
        texts(&cs),
        [
            (CauseKind::Occurrence, "ハードウェア障害"),
            (
                CauseKind::Escalation,
                "別システムへの自動切替えができなかったこと"
            ),
        ]
    );
    assert_eq!(
        title(&cs).unwrap().0,
        "別システムへの自動切替えができない場合に備えるべし"
    );
    let cs = causes(
        "原因は、某日の定期メンテナンス時に、新規追加パソコンの設定を誤ったため。",
        None,
    );
    assert_eq!(
        texts(&cs),
        [(
            CauseKind::Occurrence,
            "定期メンテナンス時に、新規追加パソコンの設定を誤ったこと"
        )]
    );
    assert!(title(&cs)
        .unwrap()
        .0
        .ends_with("設定を誤ったような事態を防ぐべし"));
    let cs = causes(
        "その際ETCのプログラムミスにより時刻が実際より早く記録される障害が発生。",
        None,
    );
    assert_eq!(texts(&cs), [(CauseKind::Occurrence, "ETCのプログラムミス")]);
    assert_eq!(
        title(&cs).unwrap().0,
        "ETCのプログラムミスを防ぐ仕組みが大切"
    );
    assert!(causes(
        "停電は断線による。システムに障害が出た原因については不明。",
        None
    )
    .iter()
    .all(|c| !c.cause.text.contains("不明")));
}

#[test]
fn every_class_of_cue_names_a_cause() {
    for (paragraph, want) in [
        // Mistake verbs.
        (
            "某日から料金を改定したが、料金システムの設定を間違え、繁忙期の料金を請求した。",
            "料金システムの設定を間違えたこと",
        ),
        (
            "2017年第4四半期にリハーサルを実施したが、誤ってリハーサルプログラムが本番環境で適用された。",
            "誤ってリハーサルプログラムが本番環境で適用されたこと",
        ),
        // A gap, the unforeseen, capacity, a rule not followed.
        ("作業前の確認が不十分で、別の装置を停止した。", "作業前の確認が不十分"),
        (
            "夜間バッチの件数が想定を超え、朝までに終わらなかった。",
            "夜間バッチの件数が想定を超えたこと",
        ),
        (
            "DNSサーバーが高負荷となり、接続サービスで不具合が生じた。",
            "DNSサーバーが高負荷となったこと",
        ),
        (
            "担当者が手順書を確認せず、旧い設定のまま再起動した。",
            "担当者が手順書を確認しなかったこと",
        ),
        // A cause noun ending the sentence, and what a part came from.
        (
            "2017年第3四半期、データセンターにあるネットワークスイッチ1台が故障。",
            "データセンターにあるネットワークスイッチ1台の故障",
        ),
        (
            "停電は、台風による飛来物が高圧線に触れ断線したことによる。",
            "台風による飛来物が高圧線に触れ断線したこと",
        ),
    ] {
        let cs = causes(paragraph, None);
        assert_eq!(
            cs.first().map(|c| c.cause.text.as_str()),
            Some(want),
            "{paragraph}"
        );
    }
    // A displayed symptom (`…が誤って表示された`) is no cause; the label, tied to the
    // work it happened in, is.
    let cs = causes(
        "2017年第2四半期、サーバー切替えで、個人情報が誤って表示された。",
        Some("設定ミス"),
    );
    assert_eq!(
        texts(&cs),
        [(CauseKind::Occurrence, "サーバー切替え時の設定ミス")]
    );
    // Nothing stated and no label: said so, and no title is made of it.
    let cs = causes(
        "某日夕方より、国際線システムが利用できない状態が発生。",
        Some("不明"),
    );
    assert_eq!(texts(&cs), [(CauseKind::Occurrence, UNSTATED)]);
    assert!(title(&cs).is_none());
    // Capacity beside another cause widened the failure.
    let cs = causes(
        "中継通信機器で不具合が発生。DNSサーバーが高負荷となり、接続サービスで不具合が生じた。",
        None,
    );
    let kinds: Vec<CauseKind> = cs.iter().map(|c| c.cause.kind).collect();
    assert_eq!(kinds, [CauseKind::Occurrence, CauseKind::Escalation]);
}

#[test]
fn date_residue_never_stays() {
    assert_eq!(
        undated("復旧作業が、某日早朝までに間に合わなかった"),
        "復旧作業が間に合わなかった"
    );
    assert_eq!(
        undated("A社が2017年第3四半期に、固有名Aと接続していたとき"),
        "A社が固有名Aと接続していたとき"
    );
    assert_eq!(
        undated("某日（前営業日）に終了させていなかった"),
        "前営業日に終了させていなかった"
    );
    assert_eq!(
        undated("某日深夜以降分は正しい料金に修正する"),
        "正しい料金に修正する"
    );
    assert_eq!(
        unglossed("ピアリング（対等な関係で経路情報をやり取りすること）していた（A）"),
        "ピアリングしていた（A）"
    );
}

#[test]
fn an_effect_is_what_an_action_achieved() {
    let e = |p: &str| effect(p).map(|(e, _)| e);
    assert_eq!(
        e("稼働系統で障害が発生したため、手動で予備系統に切り替えて午前に復旧。").as_deref(),
        Some("手動で予備系統に切り替えて復旧した")
    );
    assert_eq!(
        e("各自治体は不具合の機器の再テストを行い、復旧を確認した。").as_deref(),
        Some("各自治体は不具合の機器の再テストを行い、復旧を確認した")
    );
    // A recovery with no action named is no effect of a countermeasure.
    assert_eq!(
        e("某日深夜復旧した。同日午前に窓口業務、夕方にすべて復旧した。"),
        None
    );
    assert_eq!(e("今後は設定結果をダブルチェックする。"), None);
}

#[test]
fn countermeasures_are_read_with_their_kinds() {
    let ms =
        measures("対策として①外部からの定期的アクセス②アクセスログをリアルタイムに監視、とした。");
    let got: Vec<(&str, MeasureKind)> = ms.iter().map(|m| (m.text.as_str(), m.kind)).collect();
    let permanent_done = MeasureKind {
        aim: Some(MeasureAim::Recurrence),
        term: Some(MeasureTerm::Permanent),
        status: Some(MeasureStatus::Done),
    };
    assert_eq!(
        got,
        [
            ("外部からの定期的アクセス", permanent_done),
            ("アクセスログをリアルタイムに監視", permanent_done),
        ]
    );
    let ms = measures("利用者からの問い合わせで判明。今後は設定結果をダブルチェックする。");
    assert_eq!(ms[0].text, "設定結果をダブルチェックする");
    assert_eq!(ms[0].kind.status, Some(MeasureStatus::Planned));
    let ms = measures(
        "障害の発生したスイッチを使用している他のネットワークについても予防対策を計画した。",
    );
    assert_eq!(ms[0].kind.aim, Some(MeasureAim::Prevention));
    let ms = measures("稼働系統で障害が発生したため、手動で予備系統に切り替えて某時刻に復旧。");
    assert_eq!(ms[0].kind.term, Some(MeasureTerm::Interim));
    assert!(
        ms[0].text.ends_with("予備系統に切り替える"),
        "{}",
        ms[0].text
    );
}

#[test]
fn an_event_gives_a_title_when_nothing_else_does() {
    assert_eq!(
        title_from_event("某日夕方より、国際線システムが利用できない状態が発生。").unwrap(),
        "国際線システムが利用できない状態に備えるべし"
    );
    assert_eq!(
        title_from_event("某日昼頃、券売機を制御する情報システムで障害が発生。").unwrap(),
        "券売機を制御する情報システムでの障害に備えるべし"
    );
}
