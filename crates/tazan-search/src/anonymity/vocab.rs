//! The vocabularies behind three quasi-identifiers: where (prefectures and regions), which
//! system (system kinds) and which industry (industries and their sectors).

/// Japan's eight regions and their prefectures, as a lesson names them (with 都/道/府/県).
pub(super) const REGIONS: &[(&str, &[&str])] = &[
    ("北海道地方", &["北海道"]),
    (
        "東北地方",
        &["青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"],
    ),
    (
        "関東地方",
        &[
            "茨城県",
            "栃木県",
            "群馬県",
            "埼玉県",
            "千葉県",
            "東京都",
            "神奈川県",
        ],
    ),
    (
        "中部地方",
        &[
            "新潟県",
            "富山県",
            "石川県",
            "福井県",
            "山梨県",
            "長野県",
            "岐阜県",
            "静岡県",
            "愛知県",
        ],
    ),
    (
        "近畿地方",
        &[
            "三重県",
            "滋賀県",
            "京都府",
            "大阪府",
            "兵庫県",
            "奈良県",
            "和歌山県",
        ],
    ),
    (
        "中国地方",
        &["鳥取県", "島根県", "岡山県", "広島県", "山口県"],
    ),
    ("四国地方", &["徳島県", "香川県", "愛媛県", "高知県"]),
    (
        "九州・沖縄地方",
        &[
            "福岡県",
            "佐賀県",
            "長崎県",
            "熊本県",
            "大分県",
            "宮崎県",
            "鹿児島県",
            "沖縄県",
        ],
    ),
];

/// Other names of a region (`首都圏` is 関東, `関西` is 近畿); `中国` alone is a country,
/// so only `中国地方` names the region.
pub(super) const REGION_ALIASES: &[(&str, &str)] = &[
    ("首都圏", "関東地方"),
    ("関東圏", "関東地方"),
    ("関東", "関東地方"),
    ("関西圏", "近畿地方"),
    ("関西", "近畿地方"),
    ("近畿", "近畿地方"),
    ("東北", "東北地方"),
    ("中部", "中部地方"),
    ("東海", "中部地方"),
    ("北陸", "中部地方"),
    ("四国", "四国地方"),
    ("九州", "九州・沖縄地方"),
];

/// The region a prefecture lies in.
pub(super) fn region_of(prefecture: &str) -> Option<&'static str> {
    REGIONS
        .iter()
        .find(|(_, prefs)| prefs.contains(&prefecture))
        .map(|(r, _)| *r)
}

/// Every place name in `text`, each as (start byte, matched text, prefecture or region).
/// Longer names win where two overlap (`関東地方` over `関東`, `京都府` inside `東京都` is
/// not a match because `東京都` is taken first).
pub(super) fn places(text: &str) -> Vec<(usize, &'static str, &'static str)> {
    let mut names: Vec<(&'static str, &'static str)> = Vec::new();
    for (region, prefs) in REGIONS {
        names.push((region, region));
        for p in *prefs {
            names.push((p, p));
        }
    }
    names.extend(REGION_ALIASES.iter().copied());
    names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
    let mut found: Vec<(usize, &'static str, &'static str)> = Vec::new();
    for (name, place) in names {
        for (at, _) in text.match_indices(name) {
            let end = at + name.len();
            let overlaps = found.iter().any(|(a, n, _)| at < a + n.len() && *a < end);
            if !overlaps {
                found.push((at, name, place));
            }
        }
    }
    found.sort_by_key(|(at, _, _)| *at);
    found
}

/// System kinds a lesson can name, each with the general words that replace it when the
/// reviewer coarsens it away. The first named in the text is the lesson's system kind.
pub(super) const SYSTEMS: &[(&str, &str)] = &[
    ("インターネットバンキング", "顧客向けオンラインサービス"),
    ("オンラインバンキング", "顧客向けオンラインサービス"),
    ("ネットバンキング", "顧客向けオンラインサービス"),
    ("勘定系", "基幹系"),
    ("ATM", "顧客向け端末"),
    ("座席予約", "予約"),
    ("運行管理", "業務管理"),
    ("列車制御", "制御"),
    ("自動改札", "駅務機器"),
    ("券売機", "駅務機器"),
    ("電子カルテ", "医療情報"),
    ("POS", "店舗"),
    ("ECサイト", "顧客向けオンラインサービス"),
    ("クレジットカード", "決済"),
    ("証券取引", "取引"),
    ("株式売買", "取引"),
    ("保険金支払", "支払"),
    ("給与計算", "業務"),
    ("料金計算", "業務"),
];

/// Industries and the sector each belongs to. An industry not listed has no sector: it
/// coarsens to "any" directly.
pub(super) const SECTORS: &[(&str, &[&str])] = &[
    (
        "金融",
        &[
            "銀行",
            "信用金庫",
            "信用組合",
            "証券",
            "保険",
            "生命保険",
            "損害保険",
            "クレジット",
            "決済",
        ],
    ),
    (
        "運輸",
        &["鉄道", "航空", "バス", "海運", "物流", "運送", "交通"],
    ),
    (
        "情報通信",
        &["通信", "放送", "携帯電話", "インターネット", "IT"],
    ),
    ("エネルギー", &["電力", "ガス", "水道", "石油"]),
    ("医療", &["病院", "医療機関", "製薬", "介護"]),
    (
        "流通・小売",
        &["小売", "流通", "百貨店", "コンビニエンスストア"],
    ),
    ("行政", &["官公庁", "自治体", "地方公共団体"]),
];

/// The sector an industry belongs to (`銀行` → `金融`), if listed.
pub(super) fn sector_of(industry: &str) -> Option<&'static str> {
    SECTORS
        .iter()
        .find(|(_, members)| members.contains(&industry))
        .map(|(s, _)| *s)
}
