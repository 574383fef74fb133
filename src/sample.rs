//! The project's own sample lessons (fictional, written for tazan), used by
//! the demo, the benchmark and tests.

use tazan_model::{CauseCategory, DisclosureLevel, Domain, Lesson, Taxonomy, Threat};

/// `text` is title, problem, direct cause, root cause and lesson statement;
/// `lists` is countermeasures and keywords; usage scenes are the proposed ones.
fn lesson(
    [title, problem, direct, root, statement]: [&str; 5],
    (countermeasures, keywords): (&[&str], &[&str]),
    cause: CauseCategory,
    [stage, industry]: [&str; 2],
    level: DisclosureLevel,
) -> Lesson {
    let mut lesson = Lesson {
        title: title.into(),
        problem: problem.into(),
        direct_cause: direct.into(),
        root_cause: root.into(),
        countermeasures: countermeasures.iter().map(|s| s.to_string()).collect(),
        lesson: statement.into(),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        taxonomy: Taxonomy {
            domain: Domain::Technical,
            cause,
            threat: Threat::Unintentional,
            stage: stage.into(),
            scenes: Vec::new(),
        },
        impact: "数万人規模の利用者に影響".into(),
        period: "2026-H1".into(),
        industry: industry.into(),
        language: "ja".into(),
        level,
        reference: None,
        version: 1,
        supersedes: None,
        causes: Vec::new(),
        countermeasure_kinds: Vec::new(),
        effect: String::new(),
        system: tazan_model::SystemContext::default(),
        why_why: Vec::new(),
        policy_version: None,
        public: None,
    };
    // The scenes a reviewer would accept: the proposals, as catalogue import fills them.
    lesson.taxonomy.scenes = tazan_model::scene::labels(&lesson.propose_scenes());
    lesson
}

/// Sample lessons: (publisher id, lesson).
pub fn lessons() -> Vec<(&'static str, Lesson)> {
    use CauseCategory::*;
    use DisclosureLevel::*;
    vec![
        (
            "sakura-bank",
            lesson(
                [
                    "月末バッチの多重起動防止は排他制御で担保すべし",
                    "月末の締め処理で夜間バッチが二重に起動し、一部の口座で入出金明細が重複して計上された。翌朝の照合で発覚し、訂正に半日を要した。",
                    "ジョブ管理ツールの再実行設定により、異常終了したジョブが自動で再投入された。",
                    "バッチ側に多重起動を検知する仕組みがなく、運用手順書にも再実行時の確認項目がなかった。",
                    "バッチの冪等性と排他制御は、運用手順ではなくプログラムで担保せよ。",
                ],
                (&["ジョブにロックファイルによる排他制御を追加した。", "自動再実行を停止し、再投入は二名で確認する手順とした。"], &["夜間バッチ", "多重起動", "排他制御", "ジョブ管理"]),
                Configuration,
                ["運用", "金融"],
                Amber,
            ),
        ),
        (
            "sakura-bank",
            lesson(
                [
                    "待機系への切替えは本番相当の負荷で訓練すべし",
                    "ストレージ障害で待機系へ切り替えたところ、待機系のキャッシュが空のため応答が極端に遅くなり、オンライン取引が約3時間滞留した。",
                    "主系のストレージ装置でコントローラが故障した。",
                    "切替え訓練を閑散時間帯にしか実施しておらず、負荷をかけた状態での切替え後の性能を確認していなかった。",
                    "切替えは、実際の負荷で切り替えてみるまで信用してはならない。",
                ],
                (&["半期ごとに本番相当の負荷をかけた切替え訓練を行う。", "切替え後にキャッシュを事前に温める手順を追加した。"], &["待機系", "切替え", "キャッシュ", "ストレージ", "訓練"]),
                Hardware,
                ["運用", "金融"],
                Green,
            ),
        ),
        (
            "tsubame-railway",
            lesson(
                [
                    "ダイヤ改正時のマスタ更新は旧データとの差分検証を必須とすべし",
                    "ダイヤ改正日の始発から、座席予約システムで一部列車の空席が表示されず、窓口とネットで販売が数時間止まった。",
                    "改正用の列車マスタに、編成情報の欠けたレコードが含まれていた。",
                    "マスタ作成を外部委託先に任せきりにしており、受入れ時の検証が件数の確認だけだった。",
                    "データ移行・更新の受入れは、件数ではなく中身で確かめよ。",
                ],
                (&["受入れ時に旧マスタとの差分をツールで全件検証する。", "改正前日に本番相当環境で予約処理を通しで試験する。"], &["マスタ更新", "データ移行", "受入れテスト", "外部委託"]),
                Work,
                ["移行", "運輸"],
                Green,
            ),
        ),
        (
            "kaede-securities",
            lesson(
                [
                    "アクセス集中に備え、受付を絞る仕組みを事前に用意すべし",
                    "新規上場銘柄の取引開始時に注文が集中し、ネット取引の画面が約40分つながりにくくなった。",
                    "注文受付サーバーの接続数が上限に達した。",
                    "ピーク予測を過去の平均値から立てており、上場初日のような突発的な集中を想定していなかった。",
                    "ピークは平均からは見えない。最悪の集中を想定して受付を絞る手段を持て。",
                ],
                (&["流量制御で受付を段階的に絞る仕組みを導入した。", "イベント前に臨時の増強計画を立てる運用とした。"], &["アクセス集中", "流量制御", "キャパシティ", "過負荷"]),
                Overload,
                ["設計", "金融"],
                Clear,
            ),
        ),
    ]
}

/// A fictional raw incident report of sakura-bank (written for tazan), as
/// the org node's vault holds it: names, places, hosts, contacts, exact
/// dates and figures that must never leave the node.
pub fn raw_incident() -> serde_json::Value {
    serde_json::json!({
        "id": "SB-2026-031",
        "organization": {"name": "さくら銀行", "aliases": ["サクラ銀"]},
        "industry": "金融",
        "system_name": "インターネットバンキング",
        "occurred_at": "令和8年3月2日9時05分",
        "recovered_at": "令和8年3月2日12時40分",
        "location": "東京都江東区のデータセンター",
        "impact": "インターネットバンキングに約48,200人がログインできず、振込1,234件が遅延した。",
        "description": "さくら銀行システム部の山本課長代理と高橋さんが夜間に認証サーバ auth-gw02.sakura-bank.example.jp (10.20.30.40) の証明書を更新した際、中間証明書を入れ忘れた。朝の利用開始とともにログインが失敗し、委託先の北斗システムズ株式会社が原因を特定した。",
        "direct_cause": "設定ミス",
        "cause_summary": "証明書更新の手順書に中間証明書の確認がなく、更新後の接続試験も本番相当の端末で行っていなかった。",
        "causes": [
            {"kind": "発生", "cause": "証明書更新時の設定ミス", "process_stage": "運用時の原因: 証明書更新の手順書に中間証明書の確認項目がなかった", "detail": "山本課長代理が手順書どおりに作業したが、手順書に中間証明書の確認がなかった。"},
            {"kind": "長期化", "cause": "原因特定の遅れ", "process_stage": "テスト時の原因: 更新後の接続試験を本番相当の端末で行っていなかった", "detail": "社内の検証端末では中間証明書なしでも接続でき、利用開始まで気づかなかった。"}
        ],
        "countermeasures": [
            {"kind": "暫定", "action": "中間証明書を組み込み、全端末からの接続を確認した。", "status": "令和8年3月2日に実施済み"},
            {"kind": "恒久", "action": "証明書更新の手順書に中間証明書の確認を加え、二人で読み合わせる。", "status": "令和8年3月実施済み"},
            {"kind": "恒久", "action": "更新後は利用者と同じ種類の端末から接続試験を行う。", "status": "令和8年4月実施予定"}
        ],
        "effect": "改訂後の手順で行った次の証明書更新では、読み合わせで中間証明書の漏れを事前に見つけられた。",
        "why_why": [
            "なぜログインできなかったか: 中間証明書がなく、利用者の端末が証明書を検証できなかった。",
            "なぜ中間証明書がなかったか: 手順書に確認項目がなかった。",
            "なぜ気づかなかったか: 更新後の試験を本番相当の端末で行っていなかった。"
        ],
        "remarks": "問い合わせ先: システム部 03-5555-0142 / yamamoto@sakura-bank.example.jp"
    })
}

/// Strings of [`raw_incident`] that identify the company, its people and
/// its systems: none of them may appear in anything the node publishes.
pub const RAW_INCIDENT_SECRETS: &[&str] = &[
    "さくら銀行",
    "サクラ銀",
    "山本",
    "高橋",
    "auth-gw02",
    "10.20.30.40",
    "北斗システムズ",
    "江東区",
    "48,200",
    "03-5555-0142",
    "令和8年3月2日",
];
