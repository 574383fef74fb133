//! Word lists that keep generic words from being read as names.

/// Leading characters that make a name generic (各運転免許試験場, 同庁, 当社…).
pub(super) const REJECT_LEAD: &[char] = &[
    '各', '同', '当', '全', '他', '両', '某', '自', '弊', '貴', '諸', '別', '数', '我',
];
/// Leading characters that are not a name by themselves (新電力) but can start one (新宿).
pub(super) const GENERIC_LEAD: &[char] = &[
    '各', '同', '当', '新', '旧', '全', '他', '両', '本', '某', '自', '弊', '貴', '御', '別', '前',
    '元', '現', '一', '二', '三', '数', '諸',
];
/// First characters of the common nouns that follow 委託先の / メーカーの … (商品,
/// 作業員, 担当者, 設定, 手順書 …): such a continuation is not a company name.
pub(super) const RELATION_GENERIC_LEAD: &[char] = &[
    '商', '製', '機', '装', '品', '部', '系', '全', '各', '一', '両', '他', '別', '同', '当', '本',
    '新', '旧', '現', '前', '後', '次', '上', '下', '中', '内', '外', '事', '業', '情', '報', '問',
    '原', '影', '対', '障', '故', '不', '異', '復', '調', '確', '連', '指', '依', '要', '支', '契',
    '請', '見', '検', '試', '導', '納', '提', '開', '運', '保', '管', '担', '作', '手', '技', '社',
    '方', '人', '判', '設', '工', '誤', '責', '窓', '社', '従', '職', '営', '販', '在', '倉', '物',
    '部', '費', '料', '価', '金', '額', '数', '量', '名', '者', '員',
];

/// Function words a greedy kanji run can swallow before a name (23時55分以降八尾IC).
pub(super) const LEADING_FILLERS: &[&str] = &[
    "以降",
    "以前",
    "以後",
    "以内",
    "以外",
    "頃",
    "前後",
    "当日",
    "同日",
    "翌日",
    "前日",
    "未明",
    "早朝",
    "深夜",
    "夜間",
    "午前",
    "午後",
    "時点",
    "現在",
    "及び",
    "並びに",
    "又は",
    "等",
];
/// Date/time unit characters swallowed after a digit (23時55分以降八尾 → 八尾).
pub(super) const UNIT_FILLERS: &[&str] = &["年", "月", "日", "時", "分", "秒"];

/// Words that never form an organisation or facility name by themselves.
pub(super) const GENERIC_NAMES: &[&str] = &[
    "地方",
    "都市",
    "地域",
    "大手",
    "中堅",
    "中小",
    "民間",
    "外資",
    "主要",
    "関係",
    "関連",
    "各種",
    "金融",
    "情報",
    "通信",
    "電気",
    "電子",
    "国際",
    "国内",
    "海外",
    "一般",
    "公共",
    "行政",
    "政府",
    "中央",
    "信託",
    "投資",
    "管理",
    "運用",
    "保険",
    "会社",
    "事業",
    "小売",
    "小売り",
    "送配電",
    "発電",
    "配電",
    "ネット",
    "インターネット",
    "携帯",
    "提携",
    "取引",
    "系列",
    "地銀",
    "第二地方",
    "業界",
    "所管",
    "監督",
    "担当",
    "主務",
    "官公",
    "官",
    "調査",
    "検証",
    "対策",
    "第三者",
    "評価",
    "審査",
    "運営",
    "推進",
    "事故調査",
    "実行",
    "委託",
    "協力",
    "取引先",
    "委託先",
    "自社",
    "当社",
    "同社",
    "他社",
    "各社",
    "弊社",
    "子会社",
    "親会社",
    "グループ",
    "作業",
    "開発",
    "検討",
    "企業",
    "組織",
    "統治",
    "監視",
    "制御",
    "駆動",
    "安全",
    "保護",
    "冗長",
    "認証",
    "排他",
    "同期",
    "通知",
    "切替",
    "切替え",
    "総合",
    "救急",
    "基幹",
    "大学",
    "国立",
    "私立",
    "公立",
    "反",
    "帰",
    "内",
    "人",
    "省",
    "庁",
    "私鉄",
    "民営",
    "高速",
    "貨物",
    "旅客",
    "商業",
    "消費",
    "供給",
    "予備",
    "商用",
    "非常用",
    "受電",
    "自家",
    "電源",
    "所要",
    "使用",
    "必要",
    "最大",
    "定格",
    "待機",
    "瞬時",
    "余剰",
    "購入",
    "大口",
    "小口",
    "都市ガス",
    "天然",
    "液化",
    "有毒",
    "可燃性",
    "化学",
    "製造",
    "軽",
    "普通",
    "乗用",
    "大型",
    "小型",
    "緊急",
    "営業用",
    "工事",
    "新規",
    "施設",
    "基地局",
    "放送",
    "報道",
    "各新聞",
    "全国",
    "英字",
    "経済",
    "スポーツ",
    "地元",
    "公式",
    "最寄り",
    "最寄",
    "始発",
    "終着",
    "当該",
    "一部",
    "無人",
    "隣",
    "次",
    "起点",
    "終点",
    "通過",
    "停車",
    "主",
    "副",
    "社",
    "路線",
    "観光",
    "夜行",
    "長距離",
    "送迎",
    "貸切",
    "代行",
    "無料",
    "シャトル",
    "連絡",
    "空港",
    "市内",
    "市営",
    "町営",
    "コミュニティ",
    "ベンダ",
    "ベンダー",
    "委託先ベンダ",
    "グループ会社",
    "メーカー",
    "ユーザ",
    "ユーザー",
    "サーバー",
    "サーバ",
    "クラウド",
    "システム",
    "ネットワーク",
    "データ",
    "センター",
    "コール",
    "オフィス",
    "テスト",
    "国際線",
    "国内線",
    "特典",
    "バックアップ",
    "メイン",
    "サブ",
    "外部",
    "共同",
    "災対",
    "災害対策",
    "遠隔地",
    "拠点",
    "地下",
    "対象",
    "周辺",
    "広域",
    "特定",
    "該当",
    "複数",
    "近隣",
    "被災",
    "山間",
    "寒冷",
    "積雪",
    "遠隔",
    "首都",
    "サービス",
    "出",
    "入",
    "寄",
    "開",
    "空",
    "漁",
    "軍",
    "商",
    "母",
    "火力",
    "原子力",
    "水力",
    "地熱",
    "太陽光",
    "風力",
    "離島",
    "本",
    "海外",
    "国内",
    "駐車",
    "料金",
    "臨時",
    "立体",
    "地上",
    "屋上",
    "代理",
    "販売",
    "加盟",
    "直営",
    "量販",
    "専門",
    "飲食",
    "百貨",
    "取扱",
    "特約",
    "売",
    "実",
    "支",
    "閉",
    "来",
    "開店",
    "閉店",
    "出店",
    "退店",
    "来店",
    "入店",
    "全店",
    "各店",
    "本支",
];

/// Case particles and や, で: a kana among them after a word ends it (の, が …).
pub(super) const PARTICLES: [char; 10] =
    ['の', 'が', 'は', 'に', 'を', 'と', 'も', 'へ', 'や', 'で'];

/// Kana that mark a phrase, not a name, inside brackets after a product's
/// kind (`アプリ（つながらない）`, `システム（まだ移行前）`).
pub(super) const PHRASE_KANA: [&str; 16] = [
    "ない",
    "する",
    "した",
    "して",
    "ます",
    "です",
    "こと",
    "もの",
    "など",
    "ため",
    "なし",
    "あり",
    "のみ",
    "だけ",
    "まだ",
    "すでに",
];

/// Endings of a status or a message, never of a name (しばらく停止中,
/// 接続エラー).
pub(super) const STATUS_ENDINGS: [&str; 8] =
    ["中", "済", "不可", "失敗", "エラー", "停止", "完了", "不能"];

/// Words naming a rule, a law or an official document, whose number follows
/// them (就業規程 12号, 市条例 第 3号, 通達 105号): a number after one is the
/// document's, never a room's.
pub(crate) const DOCUMENT_NUMBER_WORDS: [&str; 22] = [
    "規程", "規則", "規定", "規約", "細則", "内規", "条例", "通達", "通知", "告示", "公示", "公告",
    "訓令", "要綱", "要領", "指針", "省令", "政令", "府令", "法律", "議案", "答申",
];

/// Honorifics after a person's name (田中さん, 佐藤様, 鈴木殿, 森先生): the
/// word before one is a person. The speaker rule, the candidate rule and the
/// scorer's `hon` feature all read this one list; the kana ones among them
/// are also [`KANA_HONORIFICS`].
pub(crate) const HONORIFICS: [&str; 9] = [
    "さん",
    "様",
    "さま",
    "氏",
    "君",
    "くん",
    "ちゃん",
    "殿",
    "先生",
];

/// Job titles written straight after a name (山田課長, 佐藤主任): as good a
/// sign of a person as an honorific to the scorer, but no honorific to a
/// speaker (「課長」 alone is a role, not a name with its title).
const TITLES_AFTER_NAME: [&str; 11] = [
    "課長", "部長", "係長", "主任", "社長", "所長", "店長", "室長", "班長", "医師", "専務",
];

/// [`HONORIFICS`] and [`TITLES_AFTER_NAME`]: what the scorer's `hon` feature
/// looks for after a word.
pub(crate) const HONORIFICS_AND_TITLES: [&str; 20] = concat_words(HONORIFICS, TITLES_AFTER_NAME);

/// Two word lists as one array (a `const` has no `concat`).
pub(super) const fn concat_words<const A: usize, const B: usize, const N: usize>(
    a: [&'static str; A],
    b: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "the joined list's length is the sum of both");
    let mut out = [""; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - A];
        i += 1;
    }
    out
}

/// Honorifics written in kana after a name (まいちゃん, はるかさん). A
/// hiragana word that is one of them is no name, even before a second one
/// (担当者Aさんさん, Xちゃんさん): the nickname rule and the scorer's
/// hiragana words both read it.
pub(crate) const KANA_HONORIFICS: [&str; 4] = ["さん", "くん", "ちゃん", "さま"];

/// Status and derivation suffixes (確認中, 対応済, 導入後, 共通化, 安全性,
/// 一時的): a kanji word ending in one is an ordinary word of prose. The
/// scorer's `dsfx` feature and the room check both read it.
pub(crate) const DERIVATION_SUFFIXES: &str = "中済後前時用化性的";

/// Words of time and of parties that end a kanji word before の間 in prose
/// (休日の間, 両社の間), besides [`DERIVATION_SUFFIXES`].
pub(super) const SPAN_SUFFIXES: &str = "日間月年期末週者社夜朝昼晩";

/// Hiragana words of a while, before の間 in prose (しばらくの間).
pub(super) const SPAN_ADVERBS: [&str; 9] = [
    "しばらく",
    "すこし",
    "ちょっと",
    "わずか",
    "つか",
    "ひととき",
    "いつ",
    "その",
    "この",
];

/// Endings of generic committee / mechanism words.
pub(super) const GENERIC_ENDINGS: &[&str] = &[
    "体制",
    "要員",
    "エラー",
    "メンバー",
    "メンバ",
    "ミス",
    "担当",
    "部門",
    "側",
    "発",
    "調査",
    "検証",
    "対策",
    "評価",
    "審査",
    "制御",
    "駆動",
    "安全",
    "保護",
    "冗長",
    "認証",
    "監視",
    "切替",
    "切替え",
    "委託",
];

/// Names that precede 線 without being a railway line.
pub(super) const NOT_LINES: &[&str] = &[
    "国際",
    "国内",
    "回",
    "専用",
    "高圧",
    "無",
    "路",
    "全",
    "幹",
    "光回",
    "電",
    "直",
    "在来",
    "本",
    "上り",
    "下り",
    "支",
    "配",
    "架",
    "有",
    "同",
    "各",
    "通信",
    "電話",
    "内",
    "外",
    "沿",
    "戦",
    "視",
    "曲",
    "点",
    "実",
    "破",
    "断",
    "導",
    "脱",
    "混",
    "伏",
    "複",
    "単",
    "主",
    "予備",
    "系",
    "動",
    "送電",
    "配電",
    "電源",
    "接続",
    "中継",
    "基幹",
    "加入者",
    "伝送",
    "信号",
    "引込",
    "地下",
    "海底",
    "近距離",
    "長距離",
    "新幹",
    "放物",
    "垂直",
    "水平",
    "斜",
    "二重",
    "境界",
    "防衛",
    "生命",
    "最前",
    "第一",
    "一",
    "路面",
    "私鉄",
    "旅客",
    "貨物",
    "赤",
    "白",
    "黒",
    "波",
    "光",
    "銅",
];

/// True when `s` is one of [`GENERIC_NAMES`] (a set lookup: asked for every
/// candidate name).
pub(super) fn is_generic_name(s: &str) -> bool {
    static SET: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| GENERIC_NAMES.iter().copied().collect())
        .contains(s)
}

/// Occupations whose name ends in 士 (a given name may end in 士: 健士).
const QUALIFIED: &[&str] = &[
    "社労士",
    "税理士",
    "弁護士",
    "弁理士",
    "会計士",
    "書士",
    "建築士",
    "技術士",
    "保育士",
    "介護士",
    "栄養士",
    "消防士",
    "整備士",
    "機関士",
    "操縦士",
    "航海士",
    "測量士",
    "鑑定士",
    "診断士",
    "福祉士",
    "療法士",
    "衛生士",
    "技能士",
    "運転士",
    "管理士",
    "調査士",
];

/// Occupations whose name ends in 師.
const PRACTITIONERS: &[&str] = &[
    "医師",
    "看護師",
    "薬剤師",
    "技師",
    "講師",
    "教師",
    "保健師",
    "助産師",
    "調理師",
    "美容師",
    "理容師",
    "整体師",
    "鍼灸師",
    "庭師",
    "漁師",
    "牧師",
    "検査師",
];

/// What may stand before a listed occupation in the occupation's own name
/// (顧問税理士, 外部社労士, 歯科医師); a name before it (山口医師) is a person
/// with a title.
const OCCUPATION_QUALIFIERS: &[&str] = &[
    "顧問", "外部", "担当", "専任", "主任", "登録", "認定", "公認", "司法", "行政", "歯科", "獣",
    "臨床", "産業", "一級", "二級", "准", "正",
];

/// A role or occupation noun (出店者, 作業員, 社労士, 看護師): a kanji word
/// that names what someone does, never who. No family name ends in 者 or
/// 員, so a word of three kanji ending in one is a role; the 士 and 師 words
/// are listed, alone or after a qualifier.
pub(crate) fn is_role_noun(w: &str) -> bool {
    let w = w.trim_matches([' ', '\u{3000}']);
    let chars = w.chars().count();
    let occupation = |w: &str| QUALIFIED.contains(&w) || PRACTITIONERS.contains(&w);
    (2..=6).contains(&chars)
        && w.chars().all(super::is_han)
        && ((chars <= 3 && w.ends_with(['者', '員']))
            || occupation(w)
            || OCCUPATION_QUALIFIERS
                .iter()
                .any(|q| w.strip_prefix(q).is_some_and(occupation)))
}

/// One-kanji words a cue may stand before by chance that are never a name
/// alone (directions, sides, parts of a form): never echoed, never a family
/// name before a given name.
pub(crate) fn is_one_kanji_not_name(c: char) -> bool {
    matches!(
        c,
        '上' | '下'
            | '左'
            | '右'
            | '前'
            | '後'
            | '内'
            | '外'
            | '中'
            | '他'
            | '各'
            | '全'
            | '計'
            | '済'
            | '可'
            | '否'
            | '要'
            | '例'
            | '表'
            | '裏'
            | '次'
            | '旧'
            | '新'
            | '元'
            | '本'
            | '当'
            | '弊'
            | '貴'
            | '御'
            | '某'
            | '同'
    )
}
