//! Built-in lexicons: prefectures and regions, cities and districts, well-known
//! organisations, news outlets, common surnames and the technical terms that are
//! never masked. General Japanese knowledge, not tied to any data set.

use rustc_hash::FxHashSet;

const PLACES: &str = include_str!("lexicon/places.txt");
const ORGS: &str = include_str!("lexicon/orgs.txt");
const OUTLETS: &str = include_str!("lexicon/outlets.txt");
const IT_VOCABULARY: &str = include_str!("lexicon/it_vocabulary.txt");

/// (bare name, official name, region index into [`REGIONS`]).
pub(crate) const PREFECTURES: [(&str, &str, usize); 47] = [
    ("北海道", "北海道", 0),
    ("青森", "青森県", 1),
    ("岩手", "岩手県", 1),
    ("宮城", "宮城県", 1),
    ("秋田", "秋田県", 1),
    ("山形", "山形県", 1),
    ("福島", "福島県", 1),
    ("茨城", "茨城県", 2),
    ("栃木", "栃木県", 2),
    ("群馬", "群馬県", 2),
    ("埼玉", "埼玉県", 2),
    ("千葉", "千葉県", 2),
    ("東京", "東京都", 2),
    ("神奈川", "神奈川県", 2),
    ("新潟", "新潟県", 3),
    ("富山", "富山県", 3),
    ("石川", "石川県", 3),
    ("福井", "福井県", 3),
    ("山梨", "山梨県", 3),
    ("長野", "長野県", 3),
    ("岐阜", "岐阜県", 3),
    ("静岡", "静岡県", 3),
    ("愛知", "愛知県", 3),
    ("三重", "三重県", 4),
    ("滋賀", "滋賀県", 4),
    ("京都", "京都府", 4),
    ("大阪", "大阪府", 4),
    ("兵庫", "兵庫県", 4),
    ("奈良", "奈良県", 4),
    ("和歌山", "和歌山県", 4),
    ("鳥取", "鳥取県", 5),
    ("島根", "島根県", 5),
    ("岡山", "岡山県", 5),
    ("広島", "広島県", 5),
    ("山口", "山口県", 5),
    ("徳島", "徳島県", 6),
    ("香川", "香川県", 6),
    ("愛媛", "愛媛県", 6),
    ("高知", "高知県", 6),
    ("福岡", "福岡県", 7),
    ("佐賀", "佐賀県", 7),
    ("長崎", "長崎県", 7),
    ("熊本", "熊本県", 7),
    ("大分", "大分県", 7),
    ("宮崎", "宮崎県", 7),
    ("鹿児島", "鹿児島県", 7),
    ("沖縄", "沖縄県", 7),
];

/// Region names used as generalised places. None contains a prefecture name, so a
/// generalised text never repeats the place it replaced.
pub(crate) const REGIONS: [&str; 8] = [
    "北日本",
    "東北地方",
    "関東地方",
    "中部地方",
    "近畿地方",
    "中国地方",
    "四国地方",
    "九州地方",
];

/// Bare prefecture names that are also ordinary words (三重化, 大分遅れた): they
/// count as places only with their 県/府 suffix.
const AMBIGUOUS_BARE: [&str; 3] = ["三重", "大分", "東京"];

/// What a place lexicon entry denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlaceClass {
    Prefecture,
    City,
    Region,
    Country,
}

/// One place lexicon entry.
#[derive(Debug, Clone)]
pub(crate) struct PlaceEntry {
    pub(crate) name: String,
    /// Index into [`PREFECTURES`] when known.
    pub(crate) prefecture: Option<usize>,
    pub(crate) class: PlaceClass,
}

fn lines(src: &'static str) -> impl Iterator<Item = &'static str> {
    src.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// All place entries: prefectures (bare where unambiguous, and official), cities,
/// districts, regions and countries.
pub(crate) fn places() -> Vec<PlaceEntry> {
    let mut out = Vec::new();
    for (i, (bare, full, _)) in PREFECTURES.iter().enumerate() {
        out.push(PlaceEntry {
            name: (*full).to_string(),
            prefecture: Some(i),
            class: PlaceClass::Prefecture,
        });
        if !AMBIGUOUS_BARE.contains(bare) && bare != full {
            out.push(PlaceEntry {
                name: (*bare).to_string(),
                prefecture: Some(i),
                class: PlaceClass::Prefecture,
            });
        }
        if *bare == "東京" {
            out.push(PlaceEntry {
                name: "東京".into(),
                prefecture: Some(i),
                class: PlaceClass::Prefecture,
            });
        }
    }
    for line in lines(PLACES) {
        let mut it = line.split('\t');
        let (Some(name), Some(tag)) = (it.next(), it.next()) else {
            continue;
        };
        let (prefecture, class) = match tag {
            "@region" => (None, PlaceClass::Region),
            "@country" => (None, PlaceClass::Country),
            p => (
                PREFECTURES.iter().position(|(b, _, _)| *b == p),
                PlaceClass::City,
            ),
        };
        out.push(PlaceEntry {
            name: name.to_string(),
            prefecture,
            class,
        });
    }
    out
}

/// True when `s` is a prefecture or a listed place (bare or official form):
/// such a word heads many names and is never taken for one.
pub(crate) fn is_bare_place(s: &str) -> bool {
    static NAMES: std::sync::OnceLock<FxHashSet<String>> = std::sync::OnceLock::new();
    NAMES
        .get_or_init(|| {
            let mut set: FxHashSet<String> = places().into_iter().map(|p| p.name).collect();
            for (bare, full, _) in PREFECTURES {
                set.insert(bare.to_string());
                set.insert(full.to_string());
            }
            set
        })
        .contains(s)
}

/// Well-known organisation names without corporate suffixes.
pub(crate) fn orgs() -> Vec<&'static str> {
    lines(ORGS).collect()
}

/// News outlets and press-release channels.
pub(crate) fn outlets() -> Vec<&'static str> {
    lines(OUTLETS).collect()
}

/// The general IT vocabulary (`lexicon/it_vocabulary.txt`), lower-cased:
/// Latin and katakana terms that are never masked as unknown proper nouns.
pub(crate) fn it_vocabulary() -> FxHashSet<String> {
    lines(IT_VOCABULARY)
        .flat_map(str::split_whitespace)
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Words that end an organisation's name (a general list: industries, legal
/// and institutional forms). Used to find a name's head (ミナセ化成 → ミナセ).
pub(crate) const ORG_SUFFIXES: &[&str] = &[
    "株式会社",
    "有限会社",
    "合同会社",
    "(株)",
    "(有)",
    "ホールディングス",
    "グループ",
    "フィナンシャルグループ",
    "信用金庫",
    "信用組合",
    "信金",
    "信組",
    "銀行",
    "中銀",
    "証券",
    "生命保険",
    "損害保険",
    "生命",
    "損保",
    "保険",
    "共済",
    "組合",
    "協会",
    "連合会",
    "機構",
    "財団",
    "法人",
    "企業団",
    "公社",
    "商事",
    "物産",
    "商会",
    "商店",
    "工業",
    "産業",
    "興業",
    "化成",
    "化学",
    "製菓",
    "食品",
    "製薬",
    "薬品",
    "化粧品",
    "精機",
    "電機",
    "電装",
    "電工",
    "電子",
    "電気",
    "重工",
    "製作所",
    "樹脂",
    "建設",
    "工務店",
    "通建",
    "電算",
    "技研",
    "開発",
    "システムズ",
    "ソリューションズ",
    "テクノロジーズ",
    "テクノ",
    "ネットワークス",
    "情報システム",
    "通信",
    "運輸",
    "運送",
    "物流",
    "倉庫",
    "海運",
    "交通",
    "鉄道",
    "電鉄",
    "航空",
    "自動車",
    "百貨店",
    "病院",
    "医院",
    "クリニック",
    "学園",
    "学院",
    "大学",
    "高等専門学校",
    "高専",
    "高等学校",
    "高校",
    "中学校",
    "小学校",
    "幼稚園",
    "旅館",
    "温泉",
    "ホテル",
    "重機",
    "精工",
    "電設",
    "工機",
    "機工",
    "印刷",
    "製紙",
    "金属",
    "水産",
    "乳業",
    "酒造",
    "醸造",
    "薬局",
    "歯科医院",
    "歯科",
    "研究所",
    "事務所",
];

/// Loanwords IPADIC also writes in kanji (硝子, 煙草), and goods and trades
/// written in katakana: materials and goods that name a kind of industry
/// (ガラス工業, タバコ産業, リネンサービス), not a company.
pub(crate) const MATERIALS: &[&str] = &[
    "ガラス",
    "アルミ",
    "タバコ",
    "レンガ",
    "ボタン",
    "ブリキ",
    "ペンキ",
    "ソーダ",
    "カステラ",
    "テンプラ",
    "コップ",
    "ランプ",
    "ロウソク",
    "マッチ",
    "メリヤス",
    "セメント",
    // Trades and goods that name a kind of service (リネンサービス,
    // サッシ工業, ハンダ付け): IPADIC writes them in kanji or kana too.
    "リネン",
    "ニット",
    "サッシ",
    "ハンダ",
    "クロス",
    "センタ",
    "マンガン",
    "コンロ",
    "チョコ",
    "カジノ",
    "コック",
    "ギョウザ",
    "チャーハン",
    "タコヤキ",
    "ワサビ",
    "サンゴ",
    "ハサミ",
    "オモリ",
    "ネジ",
    "ゴム",
];

/// Kanji heads that say what kind of site or house it is, not which one
/// (市民会館, 温泉旅館, 老舗料亭, 駅前ホテル, 創立記念館): a phrase, not a name.
pub(crate) const GENERIC_SITE_HEADS: &[&str] = &[
    "市民", "県民", "区民", "町民", "村民", "国民", "中央", "地区", "地域", "地元", "近隣", "周辺",
    "老舗", "温泉", "高級", "観光", "文化", "福祉", "総合", "青年", "婦人", "公営", "市営", "県営",
    "町営", "村営", "記念", "結婚", "宿泊", "提携", "系列", "当該", "同一", "別館", "本館", "新館",
    "和風", "洋風", "割烹", "大型", "小型", "近所", "市内", "県内", "町内", "付近", "一般", "格安",
    "人気", "有名", "民営", "国営", "個人", "家族", "指定", "契約", "別棟", "旧館", "中華", "料理",
    "郷土", "駅前", "駅近", "都市", "湖畔", "空港", "国際", "海辺", "海浜", "高原", "山岳", "近郊",
    "老人", "養護", "特養", "周囲", "近く", "現地", "直営", "創立", "創業", "創設", "設立", "開校",
    "開学", "開館", "開業", "落成", "竣工", "周年", "平和", "戦没", "殉職", "慰霊", "顕彰",
];

/// Words that name a relation before a company name (委託先, 顧客, 荷主 …).
pub(crate) const RELATION_WORDS: &[&str] = &[
    "委託先",
    "再委託先",
    "保守業者",
    "納入業者",
    "業者",
    "ベンダー",
    "ベンダ",
    "メーカー",
    "取引先",
    "得意先",
    "仕入先",
    "外注先",
    "発注先",
    "提携先",
    "顧客",
    "荷主",
    "代理店",
    "販売代理店",
    "販売店",
    "加盟店",
    "工事会社",
    "協力会社",
    "運用会社",
    "開発会社",
    "保守会社",
    "子会社",
    "孫会社",
    "親会社",
    "関連会社",
    "グループ会社",
    "元請け",
    "下請け",
    "元請",
    "下請",
];

/// Common Japanese surnames (used with a title or honorific as context).
pub(crate) const SURNAMES: &str = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 斉藤 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内 小野 田村 中山 和田 石田 森田 上田 原 内田 柴田 酒井 宮崎 横山 高木 安藤 宮本 大野 小島 谷口 今井 工藤 高田 増田 丸山 杉山 村田 大塚 新井 小山 平野 藤本 河野 上野 野口 武田 松井 千葉 岩崎 菅原 木下 久保 佐野 野村 松尾 菊地 杉本 市川 古川 大西 島田 水野 桜井 高野 渡部 吉川 山内 西田 飯田 菊池 西川 小松 北村 安田 五十嵐 川口 平田 関 中田 久保田 服部 東 岩田 土屋 川崎 福島 本田 辻 樋口 秋山 田口 永井 山中 中西 吉村 川上 石原 大橋 松岡 馬場 浜田 森本 星野 矢野 浅野 大久保 松下 吉井 小池 岩本 荒木 熊谷 片山 内藤 松浦";

/// True when `s` is one of the built-in [`SURNAMES`] (a set lookup: the
/// person and slot rules ask this for every candidate word).
pub(crate) fn is_builtin_surname(s: &str) -> bool {
    static SET: std::sync::OnceLock<FxHashSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| SURNAMES.split_whitespace().collect())
        .contains(s)
}
