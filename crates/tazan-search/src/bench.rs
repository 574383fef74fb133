//! Indexing and search benchmark on deterministic synthetic lessons.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::doc::IndexDoc;
use crate::error::SearchError;
use crate::index::{Filters, IndexOptions, RankingConfig, SearchIndex, SearchRequest};

/// Measured figures; `docs_per_sec` covers generating, adding and committing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchReport {
    /// Lessons indexed.
    pub n_docs: usize,
    /// Queries run.
    pub n_queries: usize,
    /// Generator seed.
    pub seed: u64,
    /// Writer threads.
    pub writer_threads: usize,
    /// Writer memory budget, MiB.
    pub writer_memory_mib: usize,
    /// Seconds to generate, add and commit all lessons.
    pub index_secs: f64,
    /// `n_docs / index_secs`.
    pub docs_per_sec: f64,
    /// Seconds to merge the segments into one afterwards (not in `docs_per_sec`).
    pub merge_secs: f64,
    /// Index size on disk in bytes (0 for an in-memory index).
    pub index_bytes: u64,
    /// Search latency percentiles and maximum, milliseconds (top 10, ranking defaults).
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest query.
    pub max_ms: f64,
    /// Mean number of hits returned.
    pub mean_hits: f64,
    /// 99th percentile of queries made of one common word (障害, システム …: in every
    /// synthetic lesson), timed after the others; such a query ranks the lessons holding it.
    pub common_word_p99_ms: f64,
}

/// Words found in most synthetic lessons, for the common-word queries.
const COMMON_WORDS: &[&str] = &["障害", "システム", "発生", "復旧", "利用者"];

/// SplitMix64: tiny, deterministic, good enough for picking words.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const INDUSTRIES: &[&str] = &[
    "金融",
    "情報通信",
    "運輸",
    "航空",
    "電力",
    "行政",
    "医療",
    "流通",
    "製造",
    "保険",
    "証券",
    "教育",
];
const LEVELS: &[&str] = &["AMBER", "GREEN", "CLEAR"];
const SYSTEMS: &[&str] = &[
    "勘定系システム",
    "予約システム",
    "受発注システム",
    "決済システム",
    "基幹システム",
    "会員管理システム",
    "物流システム",
    "料金計算システム",
    "メールサービス",
    "会員向けWebサイト",
    "ATMネットワーク",
    "運行管理システム",
    "電子申請システム",
    "ポイント管理システム",
    "在庫管理システム",
    "顧客管理システム",
    "診療予約システム",
];
const COMPONENTS: &[&str] = &[
    "データベースサーバ",
    "負荷分散装置",
    "ストレージ",
    "ネットワーク機器",
    "認証サーバー",
    "DNSサーバー",
    "アプリケーションサーバ",
    "バッチサーバ",
    "仮想化基盤",
    "ファイアウォール",
    "コアルータ",
    "ディスク装置",
    "メッセージキュー",
    "キャッシュサーバ",
    "共有ディスク",
    "電源装置",
    "クラウド環境",
    "API連携基盤",
];
const EVENTS: &[&str] = &[
    "応答が大幅に遅延した",
    "全面的に停止した",
    "利用者が接続できなくなった",
    "夜間処理が完了しなかった",
    "誤ったデータが外部へ送信された",
    "取引が二重に処理された",
    "ログインできない状態が続いた",
    "一部の画面が表示されなくなった",
    "集計結果に誤りが生じた",
    "待機系への切替えに失敗した",
];
const CAUSES: &[(&str, &str)] = &[
    ("設定ミス", "設定変更の際にパラメータを誤って設定した"),
    (
        "作業ミス",
        "作業手順を取り違え本番環境で検証用の作業を実施した",
    ),
    ("過負荷", "アクセスが集中し処理能力の上限を超えた"),
    (
        "ハードウェア障害",
        "機器が故障したが故障信号が出ず自動切替えが働かなかった",
    ),
    (
        "プログラム不具合",
        "改修したプログラムの不具合で例外処理が繰り返された",
    ),
    ("操作ミス", "運用担当者が対象を確認せずに誤った操作を行った"),
    (
        "プログラム不具合",
        "ファームウェアの既知の不具合でメモリを消費し続けた",
    ),
    ("不明", "原因は特定できていない"),
];
const ROOTS: &[&str] = &[
    "変更管理の手順が明確でなかった",
    "テスト環境と本番環境の差異を確認していなかった",
    "委託先との役割分担と連絡体制が曖昧だった",
    "業務量の増加に対する処理量の予測が不十分だった",
    "監視の閾値が実態に合っていなかった",
    "設計レビューで運用面の要件が検討されていなかった",
    "修正パッチの情報収集が定期的に行われていなかった",
    "緊急対応後のデータ整合性を確認しなかった",
    "長時間の連続運転を想定した点検をしていなかった",
    "代替手段の手順書と訓練がなかった",
];
const MEASURES: &[&str] = &[
    "作業手順書を見直し、本番作業は二名で確認する体制とした",
    "ピーク時を想定した負荷試験を定期的に行うこととした",
    "切替え試験を年に二回実施し結果を経営層へ報告する",
    "修正パッチの適用基準と確認周期を委託先と合意した",
    "サービス監視の項目と閾値を見直し利用者視点の監視を追加した",
    "変更時に影響範囲を確認する担当者を決めた",
    "テスト環境と本番環境の差異を一覧にしてリスクを評価した",
    "手作業による代替業務の手順書を作成し訓練した",
];
const LESSONS: &[&str] = &[
    "冗長構成でも切替えが失敗する場合を想定しておくべし",
    "作業ミスは個人ではなく組織の問題として扱うべし",
    "サービス拡大期には処理量の予測を入念に行うべし",
    "変更の影響をシステム全体の視点で確認すべし",
    "本番環境との差異を整理してからテストを評価すべし",
    "気になった事象は放置せず共有し原因を追求すべし",
    "既知の不具合情報を定期的に収集し計画的に適用すべし",
    "監視は機器ではなくサービスの視点で設計すべし",
];
/// Optional detail sentences; real lessons vary in length and wording.
const DETAILS: &[&str] = &[
    "当初は一部の拠点だけの事象と判断したため、全社への周知が遅れた。",
    "夜間帯で担当者が少なく、初動の判断に時間がかかった。",
    "ベンダへの連絡体制が休日には機能していなかった。",
    "同様の事象は過去にも検証環境で一度発生していた。",
    "監視ツールは警告を出していたが、重要度が低く設定されていた。",
    "復旧手順書が古い構成のままで、手順の一部が使えなかった。",
    "利用者への告知はWebサイトとメールで行った。",
    "影響範囲の特定にログの解析が必要で、原因の特定が翌日になった。",
    "バックアップからの復元には想定の倍の時間を要した。",
    "リリース直前に仕様変更があり、回帰テストが一部省略されていた。",
    "委託先の担当者が交代した直後で、引き継ぎが不十分だった。",
    "システムの構成図が最新でなく、依存関係の把握に手間取った。",
    "キャンペーンの開始時刻に利用が集中することは事前に知らされていなかった。",
    "暫定対処として該当機能を停止し、手作業で受付を継続した。",
    "経営層への報告基準が曖昧で、エスカレーションが遅れた。",
    "データ移行時の文字コード変換で一部の項目が欠落していた。",
];
const SCENES: &[&str] = &[
    "組織・体制の整備/障害対応体制",
    "開発手順/可用性・冗長設計",
    "レビュー・試験項目/業務シナリオ・テストケース",
    "運用手順/作業・変更の手順",
    "運用手順/切替え・復旧の手順",
    "運用手順/代替業務と事業継続",
];
const STAGES: &[&str] = &["企画", "要件定義", "設計", "テスト", "移行", "運用", "保守"];

/// Deterministic synthetic lessons: plausible Japanese IT-failure lessons (~350 characters)
/// built from fixed vocabularies; the same `(n, seed)` always yields the same lessons.
pub fn synthetic_lessons(n: usize, seed: u64) -> impl Iterator<Item = IndexDoc> {
    let mut rng = Rng(seed);
    (0..n).map(move |i| {
        let system = *rng.pick(SYSTEMS);
        let comp = *rng.pick(COMPONENTS);
        let comp2 = *rng.pick(COMPONENTS);
        let event = *rng.pick(EVENTS);
        let (cat, cause) = *rng.pick(CAUSES);
        let root = *rng.pick(ROOTS);
        let root2 = *rng.pick(ROOTS);
        let year = 2015 + rng.below(10);
        let month = 1 + rng.below(12);
        let period = if rng.below(2) == 0 {
            format!("{year}-{month:02}")
        } else {
            format!("{year}-H{}", if month <= 6 { 1 } else { 2 })
        };
        let hours = 1 + rng.below(48);
        let mut extra = String::new();
        for _ in 0..rng.below(4) {
            let detail: &&str = rng.pick(DETAILS);
            extra.push_str(detail);
        }
        IndexDoc {
            id: format!("syn-{seed:x}-{i:08}"),
            r#ref: None,
            title: format!("{comp}の{cat}により{system}で{event}"),
            problem: format!(
                "{system}において{comp}と{comp2}を経由する処理で障害が発生し、約{hours}時間にわたり{event}。利用者からの問い合わせで発覚し、復旧までに時間を要した。{extra}"
            ),
            direct_cause: cause.to_string(),
            root_cause: format!("{root}。また、{root2}。"),
            countermeasures: format!("{}。さらに、{}。", rng.pick(MEASURES), rng.pick(MEASURES)),
            lesson: rng.pick(LESSONS).to_string(),
            keywords: vec![comp.to_string(), cat.to_string()],
            examples: Vec::new(),
            domain: if rng.below(3) == 0 { "governance" } else { "technical" }.into(),
            cause_category: cat.into(),
            threat: "unintentional".into(),
            stage: rng.pick(STAGES).to_string(),
            scenes: vec![rng.pick(SCENES).to_string()],
            impact: format!("{}件程度の取引に影響", 10u64.pow(1 + rng.below(5) as u32)),
            period,
            industry: rng.pick(INDUSTRIES).to_string(),
            level: rng.pick(LEVELS).to_string(),
            published_at: format!("{year}-{month:02}-{:02}T09:00:00+09:00", 1 + rng.below(28)),
        }
    })
}

/// Deterministic queries in the style readers use: keywords or a short situation.
fn synthetic_queries(n: usize, seed: u64) -> Vec<SearchRequest> {
    let mut rng = Rng(seed ^ 0x5EA4_C400);
    (0..n)
        .map(|_| {
            let query = match rng.below(3) {
                0 => format!("{} {}", rng.pick(COMPONENTS), rng.pick(EVENTS)),
                1 => format!(
                    "{}で{}。{}",
                    rng.pick(SYSTEMS),
                    rng.pick(EVENTS),
                    rng.pick(ROOTS)
                ),
                _ => format!(
                    "{} {} {}",
                    rng.pick(COMPONENTS),
                    rng.pick(CAUSES).0,
                    rng.pick(STAGES)
                ),
            };
            let mut filters = Filters::default();
            if rng.below(5) == 0 {
                filters.industries = vec![rng.pick(INDUSTRIES).to_string()];
                filters.levels = vec!["GREEN".into(), "CLEAR".into()];
            }
            SearchRequest {
                query,
                filters,
                limit: 10,
            }
        })
        .collect()
}

/// Indexes `n_docs` synthetic lessons (in `dir`, or in memory when `None`), merges the
/// segments, then times `n_queries` searches. Uses 2 writer threads and 512 MiB.
pub fn bench(
    n_docs: usize,
    n_queries: usize,
    seed: u64,
    dir: Option<&Path>,
) -> Result<BenchReport, SearchError> {
    bench_with(n_docs, n_queries, seed, dir, &RankingConfig::default())
}

/// [`bench()`] with other ranking knobs (to see what a knob costs).
pub fn bench_with(
    n_docs: usize,
    n_queries: usize,
    seed: u64,
    dir: Option<&Path>,
    ranking: &RankingConfig,
) -> Result<BenchReport, SearchError> {
    let options = IndexOptions {
        writer_threads: 2,
        writer_memory_bytes: 512 << 20,
    };
    let mut index = match dir {
        Some(d) => SearchIndex::open_with(d, &options)?,
        None => SearchIndex::in_ram_with(&options)?,
    };
    index.set_ranking(ranking.clone());
    let t0 = Instant::now();
    for d in synthetic_lessons(n_docs, seed) {
        index.add(&d)?;
    }
    index.commit()?;
    let index_secs = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    index.optimize()?;
    let merge_secs = t1.elapsed().as_secs_f64();

    let queries = synthetic_queries(n_queries, seed);
    // Warm up caches and the mmap before timing, as a long-running hub would be.
    for q in queries.iter().take(20) {
        index.search(q)?;
    }
    let mut lat = Vec::with_capacity(queries.len());
    let mut hits = 0usize;
    for q in &queries {
        let t = Instant::now();
        hits += index.search(q)?.len();
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    lat.sort_by(f64::total_cmp);
    let pct = |lat: &[f64], p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((p * lat.len() as f64).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[i]
    };
    let mut common = Vec::with_capacity(100);
    for i in 0..100 {
        let q = SearchRequest {
            query: COMMON_WORDS[i % COMMON_WORDS.len()].to_owned(),
            limit: 10,
            ..SearchRequest::default()
        };
        let t = Instant::now();
        index.search(&q)?;
        common.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    common.sort_by(f64::total_cmp);
    let index_bytes = dir.map(dir_size).unwrap_or(0);
    Ok(BenchReport {
        n_docs,
        n_queries,
        seed,
        writer_threads: options.writer_threads,
        writer_memory_mib: options.writer_memory_bytes >> 20,
        index_secs,
        docs_per_sec: n_docs as f64 / index_secs.max(1e-9),
        merge_secs,
        index_bytes,
        p50_ms: pct(&lat, 0.50),
        p95_ms: pct(&lat, 0.95),
        p99_ms: pct(&lat, 0.99),
        max_ms: lat.last().copied().unwrap_or(0.0),
        mean_hits: hits as f64 / queries.len().max(1) as f64,
        common_word_p99_ms: pct(&common, 0.99),
    })
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic_and_varied() {
        let a: Vec<IndexDoc> = synthetic_lessons(50, 7).collect();
        let b: Vec<IndexDoc> = synthetic_lessons(50, 7).collect();
        assert_eq!(a, b);
        let c: Vec<IndexDoc> = synthetic_lessons(50, 8).collect();
        assert_ne!(a, c);
        let titles: std::collections::HashSet<&str> = a.iter().map(|d| d.title.as_str()).collect();
        assert!(titles.len() > 40);
        let len = a[0].full_text().chars().count();
        assert!((200..800).contains(&len), "{len}");
    }

    #[test]
    fn small_bench_runs() {
        let dir = tempfile::tempdir().unwrap();
        let r = bench(2_000, 50, 1, Some(dir.path())).unwrap();
        assert_eq!(r.n_docs, 2_000);
        assert!(r.docs_per_sec > 0.0 && r.index_bytes > 0);
        assert!(r.p50_ms <= r.p99_ms && r.p99_ms <= r.max_ms);
        assert!(r.mean_hits > 5.0, "{r:?}");
    }
}
