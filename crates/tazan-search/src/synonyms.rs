//! A small hand-written thesaurus of IT-failure vocabulary for query expansion.
//!
//! Readers describe their situation in their own words (待機系に切り替わらない) while
//! lessons use the practitioners' terms (バックアップ切替え失敗). Each group lists surface
//! forms that mean nearly the same thing in this domain; when a query contains one, the
//! others are added with a lower weight. The table is generic domain knowledge and names
//! no lesson.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::analyze::{self, normalize};

/// Synonym groups; every entry is matched after [`normalize`].
const GROUPS: &[&[&str]] = &[
    &[
        "バックアップ",
        "待機系",
        "予備系",
        "冗長",
        "二重化",
        "系切替",
        "切替",
        "切り替",
        "フェールオーバ",
        "両系",
        "片系",
    ],
    &[
        "過負荷",
        "負荷集中",
        "アクセス集中",
        "アクセスが集中",
        "高負荷",
        "ふくそう",
        "輻輳",
        "トラフィック",
        "ピーク",
    ],
    &[
        "性能",
        "応答",
        "レスポンス",
        "遅延",
        "遅く",
        "処理能力",
        "スループット",
    ],
    &[
        "キャパシティ",
        "処理量",
        "処理件数",
        "容量",
        "見積",
        "予測",
        "増加",
        "増え",
        "拡大",
    ],
    &[
        "作業ミス",
        "操作ミス",
        "誤操作",
        "人為ミス",
        "ヒューマンエラー",
        "手順",
        "ルール逸脱",
        "うっかり",
        "誤って",
    ],
    &[
        "外部委託",
        "委託",
        "委託先",
        "ベンダ",
        "受注者",
        "発注者",
        "業者",
        "請負",
    ],
    &["要件定義", "要件", "仕様", "上流工程", "企画"],
    &["テスト", "試験", "検証", "レビュー", "確認"],
    &[
        "本番環境",
        "本番",
        "テスト環境",
        "検証環境",
        "開発環境",
        "ステージング",
    ],
    &[
        "移行",
        "並行稼働",
        "新旧",
        "既存システム",
        "リプレース",
        "更改",
        "連携",
        "接続",
    ],
    &[
        "パッチ",
        "修正パッチ",
        "ファームウェア",
        "既知の不具合",
        "既知のバグ",
        "修正版",
        "アップデート",
        "技術情報",
    ],
    &[
        "再起動",
        "連続運転",
        "連続稼働",
        "長時間",
        "メモリリーク",
        "リブート",
    ],
    &[
        "監視",
        "検知",
        "気付",
        "気づ",
        "発見",
        "サイレント",
        "アラーム",
        "アラート",
    ],
    &[
        "共同利用",
        "共同センター",
        "共同運用",
        "共同化",
        "参加企業",
        "参加行",
    ],
    &[
        "クラウド",
        "クラウド事業者",
        "sla",
        "責任分界",
        "サービスレベル",
        "データセンター",
    ],
    &[
        "代替",
        "手作業",
        "マニュアル",
        "bcp",
        "事業継続",
        "訓練",
        "紙",
    ],
    &[
        "仮想化",
        "仮想サーバ",
        "仮想マシン",
        "仮想環境",
        "集約",
        "リソース",
    ],
    &["変更管理", "改修", "変更", "影響範囲", "修正"],
    &["上限値", "制限値", "閾値", "上限", "最大", "超過", "超え"],
    &["不整合", "一貫性", "整合性", "マスタ", "データ"],
    &[
        "互換",
        "後継機種",
        "交換",
        "新製品",
        "旧製品",
        "差異",
        "入れ替え",
    ],
    &[
        "報告",
        "情報共有",
        "共有",
        "連絡",
        "エスカレーション",
        "相談",
    ],
    &[
        "事業部門",
        "情シス",
        "情報システム部門",
        "利用部門",
        "業務部門",
        "営業部門",
    ],
    &["組織", "体制", "態勢", "役割分担", "責任"],
    &["障害対応", "復旧", "トラブル対応", "初動"],
    &["バッチ", "夜間処理", "夜間バッチ", "月末処理", "日次処理"],
    &["異常終了", "ダウン", "停止", "止ま"],
    &[
        "合意形成",
        "合意",
        "議論",
        "協議",
        "ディスカッション",
        "話し合",
        "討議",
        "意見",
    ],
    &[
        "プロセス改善",
        "プロセス",
        "改善",
        "pdca",
        "見直",
        "仕組み",
        "ルール化",
        "標準化",
    ],
];

/// Words that point to organisation and management (governance lessons).
const GOVERNANCE_CUES: &[&str] = &[
    "組織",
    "体制",
    "態勢",
    "役割",
    "責任",
    "委託",
    "発注",
    "経営",
    "部門",
    "管理者",
    "教育",
    "訓練",
    "ルール",
    "合意",
    "議論",
    "協議",
    "全社",
    "情報共有",
    "連絡",
    "契約",
    "共同利用",
    "職場",
    "人材",
];

/// Words that point to system design and technology (technical lessons).
const TECHNICAL_CUES: &[&str] = &[
    "サーバ",
    "ネットワーク",
    "データベース",
    "ハードウェア",
    "ソフトウェア",
    "冗長",
    "切替",
    "性能",
    "パッチ",
    "ファームウェア",
    "メモリ",
    "ディスク",
    "仮想",
    "構成",
    "バッチ",
    "設定",
    "プログラム",
    "タイムアウト",
    "テスト環境",
    "本番環境",
    "応答",
    "負荷",
    "装置",
    "機器",
];

/// Analysed forms of the tables, computed once.
struct Prepared {
    /// Per group: (surface form, normalised form).
    groups: Vec<Vec<(&'static str, String)>>,
    /// Term lists of the governance and technical cues.
    governance: Vec<Vec<String>>,
    technical: Vec<Vec<String>>,
}

fn prepared() -> &'static Prepared {
    static P: OnceLock<Prepared> = OnceLock::new();
    P.get_or_init(|| {
        let cue_terms = |cues: &[&str]| -> Vec<Vec<String>> {
            cues.iter()
                .map(|c| analyze::terms(c))
                .filter(|t| !t.is_empty())
                .collect()
        };
        Prepared {
            groups: GROUPS
                .iter()
                .map(|g| g.iter().map(|w| (*w, normalize(w))).collect())
                .collect(),
            governance: cue_terms(GOVERNANCE_CUES),
            technical: cue_terms(TECHNICAL_CUES),
        }
    })
}

/// Counts governance and technical cue terms among the query terms (weight-1 terms only).
pub(crate) fn domain_cues(weighted: &[(String, f32)]) -> (usize, usize) {
    let own: HashSet<&str> = weighted
        .iter()
        .filter(|(_, w)| *w >= 1.0)
        .map(|(t, _)| t.as_str())
        .collect();
    let has = |cues: &[Vec<String>]| {
        cues.iter()
            .filter(|parts| parts.iter().all(|p| own.contains(p.as_str())))
            .count()
    };
    let p = prepared();
    (has(&p.governance), has(&p.technical))
}

/// Returns the extra (expansion) phrases for a normalised query: every member of every
/// group that has at least one member in the query, minus the members already present.
pub(crate) fn expansions(norm_query: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for group in &prepared().groups {
        if group.iter().any(|(_, n)| norm_query.contains(n.as_str())) {
            for (raw, n) in group {
                if !norm_query.contains(n.as_str()) {
                    out.push(*raw);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_failover_vocabulary() {
        let e = expansions(&normalize("待機系に切り替わらなかった"));
        assert!(e.contains(&"バックアップ"), "{e:?}");
        assert!(!e.contains(&"待機系"));
    }

    #[test]
    fn unrelated_text_is_not_expanded() {
        assert!(expansions(&normalize("今日は晴れ")).is_empty());
    }
}
