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
        "キャンペーン",
        "セール",
        "繁忙期",
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

/// Equivalents: other ways to write the same thing — English words and abbreviations used
/// in Japanese IT work, katakana spelling variants, and everyday words for the
/// practitioners' terms. A query holding one gets the others at `equivalent_weight`, above
/// the related words of [`GROUPS`]. General vocabulary of the field; it names no lesson.
/// Latin entries match whole words only (`dr` is not found in `address`).
const EQUIVALENTS: &[&[&str]] = &[
    &["データベース", "db", "dbms", "rdb", "rdbms"],
    &[
        "仮想サーバ",
        "仮想マシン",
        "vm",
        "vmware",
        "仮想化基盤",
        "仮想基盤",
        "ハイパーバイザ",
    ],
    &[
        "クラウド",
        "iaas",
        "paas",
        "saas",
        "クラウドサービス",
        "aws",
        "azure",
    ],
    &["サービスレベル", "sla", "slo", "サービス品質"],
    &[
        "災害対策",
        "dr",
        "drサイト",
        "ディザスタリカバリ",
        "バックアップサイト",
        "遠隔地",
    ],
    &[
        "事業継続",
        "bcp",
        "事業継続計画",
        "コンティンジェンシープラン",
    ],
    &[
        "受入テスト",
        "受入れテスト",
        "受け入れテスト",
        "uat",
        "検収",
    ],
    &["提案依頼書", "rfp", "調達仕様書", "提案依頼"],
    &[
        "ストレージ",
        "san",
        "nas",
        "ディスク装置",
        "共有ディスク",
        "ストレージ装置",
        "raid",
    ],
    &["入出力", "iops", "i/o", "ディスク性能"],
    &[
        "負荷分散装置",
        "ロードバランサ",
        "ロードバランサー",
        "負荷分散",
    ],
    &[
        "ネットワーク機器",
        "ルータ",
        "ルーター",
        "スイッチ",
        "nw機器",
    ],
    &["ファームウェア", "ファーム", "firmware", "bios"],
    &[
        "修正パッチ",
        "パッチ",
        "修正プログラム",
        "ホットフィックス",
        "セキュリティパッチ",
    ],
    &[
        "フェールオーバ",
        "フェイルオーバ",
        "フェイルオーバー",
        "failover",
        "自動切替",
        "系切替",
    ],
    &["待機系", "スタンバイ", "standby", "予備系", "副系", "従系"],
    &["稼働系", "アクティブ", "active", "主系", "現用系", "本番系"],
    &["冗長化", "二重化", "冗長構成", "多重化", "二重系"],
    &["無応答", "ハング", "ハングアップ", "フリーズ", "応答しな"],
    &["異常終了", "アベンド", "abend", "クラッシュ"],
    &["再起動", "リブート", "reboot", "再立ち上げ", "再立上げ"],
    &["保守期限", "eol", "eos", "サポート終了", "保守切れ"],
    &[
        "手順書",
        "ランブック",
        "runbook",
        "作業手順書",
        "運用手順書",
    ],
    &["監視", "モニタリング", "monitoring", "死活監視"],
    &["本番環境", "プロダクション", "本番機", "本番サーバ"],
    &[
        "テスト環境",
        "検証環境",
        "ステージング",
        "staging",
        "開発環境",
        "実機",
    ],
    &[
        "性能",
        "パフォーマンス",
        "レスポンス",
        "応答時間",
        "応答速度",
        "表示速度",
    ],
    &[
        "情報システム部門",
        "情シス",
        "システム部門",
        "it部門",
        "システム部",
    ],
    &[
        "事業部門",
        "業務部門",
        "利用部門",
        "ユーザ部門",
        "事業部",
        "企画部門",
    ],
    &["経営層", "経営陣", "役員", "経営者", "cio"],
    &[
        "委託先",
        "ベンダ",
        "ベンダー",
        "sier",
        "外部業者",
        "保守業者",
        "運用業者",
        "受託者",
        "メーカ",
        "メーカー",
    ],
    &["インタフェース", "インターフェース", "api", "外部接続"],
    &["バッチ", "バッチ処理", "夜間処理", "ジョブ"],
    &["マスタ", "マスター", "マスタデータ", "マスタファイル"],
    &["不整合", "食い違い", "矛盾", "整合性"],
    &["障害", "トラブル", "インシデント", "システムダウン"],
    &["ミス", "間違い", "誤り", "間違え"],
    &["停止", "止ま", "止め", "ダウン", "落ち"],
    &["遅延", "遅い", "遅く", "重い", "重く"],
    &["検知", "気付", "気づ", "察知"],
    &["報告", "連絡", "エスカレーション", "通報", "一報", "言い出"],
    &[
        "移行",
        "載せ替え",
        "載せ替",
        "リプレース",
        "マイグレーション",
        "移設",
        "更改",
    ],
    &["集約", "統合", "統廃合", "相乗り"],
    &["再発防止", "恒久対策", "再発防止策"],
    &["暫定対策", "応急処置", "暫定対応", "緊急対応", "緊急作業"],
    &["根本原因", "真因", "なぜなぜ"],
    &["手作業", "手書き", "紙", "人手", "手動"],
    &["利用者", "ユーザ", "お客さま", "お客様", "顧客"],
    &["上限値", "上限", "閾値", "しきい値", "最大値", "制限値"],
    &["キャパシティ", "処理能力", "容量", "処理しきれ", "さばけ"],
    &["アクセス集中", "負荷集中", "殺到", "スパイク", "一斉"],
    &["任せきり", "任せっきり", "丸投げ", "人任せ", "他人事"],
    &["テストパターン", "テストケース", "試験項目", "テスト項目"],
    &["変更管理", "変更の管理", "変更手続", "リリース管理"],
    &[
        "互換",
        "互換性",
        "後継機種",
        "後継モデル",
        "後継機",
        "完全互換",
        "同等品",
    ],
    &[
        "リリース",
        "デプロイ",
        "本番反映",
        "本番適用",
        "リリース作業",
    ],
    &["切り戻し", "切戻し", "ロールバック", "元に戻"],
    &[
        "設定",
        "パラメータ",
        "コンフィグ",
        "config",
        "設定値",
        "設定ファイル",
    ],
    &["バージョンアップ", "アップデート", "アップグレード", "版数"],
    &[
        "問い合わせ",
        "問合せ",
        "コールセンター",
        "ヘルプデスク",
        "サポート窓口",
    ],
    &["暗黙知", "ノウハウ", "属人", "頭の中", "現場の知識", "勘所"],
    &["引き継ぎ", "引継ぎ", "引継", "申し送り"],
    &["設計書", "仕様書", "設計資料", "ドキュメント"],
    &[
        "負荷試験",
        "性能試験",
        "ストレステスト",
        "負荷テスト",
        "性能テスト",
    ],
    &["タイムアウト", "時間切れ", "応答待ち"],
    &["排他制御", "排他", "ロック", "デッドロック"],
    &["重複", "二重登録", "二重計上", "二重処理", "二重引き落とし"],
    &[
        "データ消失",
        "データが消え",
        "データ破損",
        "データの破損",
        "消失",
    ],
    &["復元", "リストア", "restore", "復旧手順"],
    &["文字コード", "外字", "不正な文字", "文字化け", "特殊文字"],
    &["権限", "アクセス権", "特権", "管理者権限"],
    &["データ修正", "データパッチ", "直接更新", "手修正"],
    &[
        "ヒヤリハット",
        "ニアミス",
        "予兆",
        "兆候",
        "気になった事象",
        "気になる事象",
    ],
    &[
        "共同利用",
        "共同運用",
        "共同センター",
        "共同化",
        "シェアードサービス",
    ],
    &[
        "確認不足",
        "テスト不足",
        "検証不足",
        "試験不足",
        "考慮不足",
        "考慮漏れ",
    ],
    &["想定外", "予想外", "思わぬ", "不測"],
    &["俯瞰", "全体像", "鳥の目", "横断的", "全体最適"],
    &["部分最適", "蟻の目", "場当たり", "個別対応"],
    &[
        "連続稼働",
        "連続運転",
        "長時間稼働",
        "長期間稼働",
        "稼働し続け",
        "再起動していな",
    ],
    &[
        "メッシュ",
        "フルメッシュ",
        "たすき掛け",
        "襷掛け",
        "クロス接続",
    ],
    &["波及", "巻き込", "連鎖", "共倒れ", "道連れ"],
    &["切り分け", "切分け", "原因究明", "原因特定"],
    &[
        "既存システム",
        "基幹システム",
        "レガシー",
        "老朽化",
        "古いシステム",
        "ホスト",
    ],
    &[
        "故障信号",
        "ハートビート",
        "heartbeat",
        "死活確認",
        "生存確認",
    ],
    &[
        "応答時間",
        "レイテンシ",
        "latency",
        "レスポンスタイム",
        "待ち時間",
    ],
    &["性能劣化", "スローダウン", "劣化", "もたつ"],
    &[
        "無停電電源装置",
        "ups",
        "停電",
        "自家発電",
        "発電機",
        "非常用電源",
        "電源設備",
    ],
    &[
        "オーバフロー",
        "オーバーフロー",
        "overflow",
        "桁あふれ",
        "あふれ",
        "溢れ",
    ],
    &[
        "二重チェック",
        "ダブルチェック",
        "相互チェック",
        "複数名",
        "指差確認",
        "読み合わせ",
    ],
    &[
        "不慣れ",
        "新人",
        "新任",
        "若手",
        "経験の浅",
        "配属されたばかり",
    ],
    &["熟練者", "ベテラン", "有識者", "古参", "長年の担当"],
    &[
        "ルール逸脱",
        "ルール違反",
        "規定外",
        "手順外",
        "手順にない",
        "独断",
    ],
    &["根本原因", "rca", "根本原因分析", "なぜなぜ分析"],
    &[
        "振り返り",
        "ポストモーテム",
        "postmortem",
        "事後レビュー",
        "障害報告書",
    ],
    &["訓練", "演習", "ドリル", "リハーサル", "模擬"],
    &["契約", "契約書", "取り決め", "取決め", "合意書", "覚書"],
    &[
        "本番稼働判定",
        "稼働判定",
        "リリース判定",
        "移行判定",
        "カットオーバー",
        "cutover",
        "本番切替",
    ],
    &[
        "回帰テスト",
        "リグレッションテスト",
        "デグレ",
        "デグレード",
        "影響確認",
    ],
    &["通販", "ec", "ecサイト", "ネット通販", "オンラインショップ"],
    &["つぶやき", "sns", "ツイート", "口コミ"],
    &["レジ", "pos", "店舗端末"],
    &["顧客情報", "crm", "顧客管理", "会員情報", "会員db"],
    &["申込み", "申し込み", "受付", "エントリー", "申請"],
    &["ステークホルダ", "関係者", "関係部門", "関係各社"],
    &["仮想マシン", "ゲスト", "ゲストos", "ホストos", "コンテナ"],
    &["チェックリスト", "点検表", "観点表", "確認表", "チェック表"],
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
    /// The same for [`EQUIVALENTS`].
    equivalents: Vec<Vec<(&'static str, String)>>,
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
        let prepare = |table: &[&[&'static str]]| -> Vec<Vec<(&'static str, String)>> {
            table
                .iter()
                .map(|g| g.iter().map(|w| (*w, normalize(w))).collect())
                .collect()
        };
        Prepared {
            groups: prepare(GROUPS),
            equivalents: prepare(EQUIVALENTS),
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
/// related-word group that has at least one member in the query, minus the members already
/// present.
pub(crate) fn expansions(norm_query: &str) -> Vec<&'static str> {
    expand(&prepared().groups, norm_query)
}

/// The same over the equivalents (another spelling or name of a query's word).
pub(crate) fn equivalents(norm_query: &str) -> Vec<&'static str> {
    expand(&prepared().equivalents, norm_query)
}

fn expand(groups: &[Vec<(&'static str, String)>], norm_query: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for group in groups {
        if group.iter().any(|(_, n)| contains_word(norm_query, n)) {
            for (raw, n) in group {
                if !contains_word(norm_query, n) {
                    out.push(*raw);
                }
            }
        }
    }
    out
}

/// `needle` in `hay`; a needle made of ASCII letters and digits must stand as a whole word
/// (no ASCII letter or digit right before or after it).
fn contains_word(hay: &str, needle: &str) -> bool {
    if !needle.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return hay.contains(needle);
    }
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
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
    fn abbreviations_and_spellings_are_equivalents() {
        let e = equivalents(&normalize("DRサイトへのフェイルオーバー"));
        assert!(
            e.contains(&"災害対策") && e.contains(&"フェールオーバ"),
            "{e:?}"
        );
        let e = equivalents(&normalize("ＤＢサーバ"));
        assert!(e.contains(&"データベース"), "{e:?}");
        // A Latin abbreviation only as a whole word.
        assert!(!equivalents(&normalize("address")).contains(&"災害対策"));
        assert!(!equivalents(&normalize("vmware")).is_empty());
    }

    #[test]
    fn everyday_and_english_words_reach_the_practitioners_terms() {
        for (query, want) in [
            ("Heartbeatが途絶えた", "故障信号"),
            ("ダブルチェックしたのに", "二重チェック"),
            ("レイテンシが悪化", "応答時間"),
            ("UPSが切り替わらない", "無停電電源装置"),
        ] {
            let e = equivalents(&normalize(query));
            assert!(e.contains(&want), "{query}: {e:?}");
        }
        // `ec` only as a whole word.
        assert!(!equivalents(&normalize("ecology")).contains(&"通販"));
    }

    #[test]
    fn unrelated_text_is_not_expanded() {
        assert!(expansions(&normalize("今日は晴れ")).is_empty());
    }
}
