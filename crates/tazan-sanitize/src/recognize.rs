//! Pattern and lexicon recognisers over NFKC text.
//!
//! Each recogniser reports hits as byte ranges of the *original* text (through the
//! [`Normalized`] offset map), with a kind, a rule name and a score; the policy's
//! per-recogniser thresholds decide which hits are acted on.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use crate::kind::Kind;
use crate::lexicon::{self, PlaceClass};
use crate::normalize::{Layer, Normalized};
use crate::policy::Role;

/// One recognised span of the original text.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub(crate) range: Range<usize>,
    pub(crate) kind: Kind,
    pub(crate) rule: &'static str,
    pub(crate) score: f32,
    /// Deny-list role, when the hit comes from a deny-list.
    pub(crate) deny: Option<Role>,
    /// From the morphological dictionary.
    pub(crate) dict: bool,
    /// Overlap priority: higher wins, then longer.
    pub(crate) prio: u8,
}

/// Han (kanji) characters usable in a name; 〇 and 某 are placeholders.
const H: &str = r"[\p{Han}&&[^〇○某]]";
/// Katakana including the long vowel mark.
const K: &str = r"[\p{Katakana}ー&&[^・]]";

mod stoplists;
use stoplists::*;

/// One compiled pattern rule.
struct Rule {
    re: Regex,
    /// Must not touch an ASCII letter or digit on either side (a cheap `\b`: the
    /// Unicode `\b` disables the fast DFA on Japanese text).
    bounded: bool,
    kind: Kind,
    name: &'static str,
    score: f32,
    check: Check,
}

/// Post-match checks a rule needs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Accept every match.
    None,
    /// Group `n` is a name that must not be generic.
    Name,
    /// Like `Name`, and `n` must look like a place (電力, ガス companies).
    PlaceName,
    /// 線: the name must not be a generic line word.
    Line,
    /// 市/区/町/村 municipality.
    Municipality,
    /// Foreign company (米グーグル): not preceded by kanji, not a currency.
    Foreign,
    /// Katakana + 社.
    KatakanaCompany,
    /// Latin token: brand unless generic.
    Latin,
    /// Person with honorific: name must not be a generic role word.
    PersonHonorific,
    /// IPv4 with octets ≤ 255.
    Ipv4,
    /// IPv6 that parses.
    Ipv6,
    /// 12 digits with a valid マイナンバー check digit.
    MyNumber,
    /// Day of month not followed by a duration word.
    Day,
    /// Count with a counter (not already generalised).
    Count,
    /// Time of day (not a duration).
    Time,
    /// Company named by its relation (保守業者のX): mask the name only.
    Relation,
    /// Hiragana name before a suffix: a whole hiragana word, not a particle.
    HiraganaName,
    /// Hiragana name after a corporate form: must not start with a particle.
    HiraganaCorp,
    /// Name with a corporate form (株式会社 …): any non-generic name.
    Corp,
    /// Area (関西エリア): like `Name`, but never a generalised region name.
    Area,
    /// Station section (都城ー吉松間), not a time range.
    Section,
    /// Corporate prefix form: must not follow a name ((株) after a name is a suffix).
    CorpPrefix,
    /// Name inside 「」 after システム/サービス … (mask the inside only).
    Quoted,
}

/// All pattern and lexicon recognisers, compiled once.
pub(crate) struct Recognizers {
    rules: Vec<Rule>,
    lex: AhoCorasick,
    lex_meta: Vec<(Kind, &'static str)>,
    lex_katakana: Vec<bool>,
    place_names: HashSet<String>,
    generic_latin: HashSet<String>,
    /// Place name → prefecture index (for generalisation).
    pub(crate) place_prefecture: HashMap<String, Option<usize>>,
    pub(crate) place_class: HashMap<String, PlaceClass>,
}

fn rx(s: &str) -> Regex {
    // The patterns are compile-time constants exercised by the unit tests; a failure
    // here is a programming error caught by every test run.
    #[allow(clippy::expect_used)]
    Regex::new(s).expect("built-in recogniser pattern is valid")
}

impl Recognizers {
    /// Compiles every built-in recogniser.
    pub(crate) fn new() -> Self {
        let h = H;
        let k = K;
        let latin_name = r"[A-Za-z0-9&]";
        let mut rules = Vec::new();
        let mut add = |re: String, kind: Kind, name: &'static str, score: f32, check: Check| {
            let bounded = matches!(
                name,
                "ipv4" | "ipv6" | "hostname" | "account" | "card" | "my_number_check_digit"
            );
            rules.push(Rule {
                re: rx(&re),
                bounded,
                kind,
                name,
                score,
                check,
            });
        };

        // --- contacts, hosts, ids (highest confidence) ---
        add(
            r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+".into(),
            Kind::Contact,
            "email",
            0.99,
            Check::None,
        );
        add(r#"(?:https?|ftp)://[^\s、。「」()<>"']+|www\.[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+[^\s、。「」()<>"']*"#.into(), Kind::Contact, "url", 0.99, Check::None);
        add(r"(?:\+81[- ]?)?0\d{1,4}[- ]\d{1,4}[- ]\d{3,4}|\(0\d{1,4}\)\s?\d{1,4}[- ]\d{3,4}|0120[- ]?\d{2,3}[- ]?\d{3,4}|0[5789]0[- ]?\d{4}[- ]?\d{4}|0\d{9,10}".into(), Kind::Contact, "phone", 0.95, Check::None);
        add(
            r"内線\s?[:：]?\s?\d{2,6}".into(),
            Kind::Contact,
            "extension",
            0.95,
            Check::None,
        );
        add(
            r"(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?".into(),
            Kind::Host,
            "ipv4",
            0.95,
            Check::Ipv4,
        );
        add(
            r"(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}".into(),
            Kind::Host,
            "ipv6",
            0.95,
            Check::Ipv6,
        );
        add(r"(?i)(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+(?:com|net|org|jp|local|lan|internal|corp|intra|io|info|biz|co|ne|or|go|ac|lg|ad)".into(), Kind::Host, "hostname", 0.9, Check::None);
        add(
            r"(?:口座番号|口座|普通預金|当座預金|普通|当座)\s?(?:[:：]|は|No\.?)?\s?\d{6,8}".into(),
            Kind::Account,
            "account",
            0.95,
            Check::None,
        );
        add(
            r"\d{4}[- ]\d{4}[- ]\d{4}[- ]\d{4}".into(),
            Kind::Account,
            "card",
            0.95,
            Check::None,
        );
        add(r"(?:社員番号|社員ID|社員コード|職員番号|職員ID|従業員番号|従業員ID|社員No\.?|ユーザID|ユーザーID|ログインID)\s?(?:[:：]|は)?\s?[A-Za-z]{0,3}[-]?\d{3,10}".into(), Kind::EmployeeId, "employee_id", 0.95, Check::None);
        add(
            r"(?:マイナンバー|個人番号)\s?(?:[:：]|は)?\s?\d{4}\s?\d{4}\s?\d{4}".into(),
            Kind::MyNumber,
            "my_number_labelled",
            0.99,
            Check::None,
        );
        add(
            r"\d{4}\s?\d{4}\s?\d{4}".into(),
            Kind::MyNumber,
            "my_number_check_digit",
            0.9,
            Check::MyNumber,
        );

        // --- organisations ---
        add(
            format!(
                r"(?:株式会社|有限会社|合同会社|合資会社|合名会社|公益財団法人|公益社団法人|一般財団法人|一般社団法人|独立行政法人|国立研究開発法人|地方独立行政法人|特定非営利活動法人|NPO法人|社会福祉法人|医療法人|学校法人|\(株\)|\(有\)|\(同\))\s?(?P<n>(?:{h}|{k}|{latin_name}|・){{1,16}})"
            ),
            Kind::Org,
            "corporate_prefix",
            0.95,
            Check::CorpPrefix,
        );
        add(
            format!(
                r"(?P<n>(?:{h}|{k}|{latin_name}|・){{1,16}})\s?(?:株式会社|有限会社|合同会社|合資会社|合名会社|\(株\)|\(有\)|\(同\))"
            ),
            Kind::Org,
            "corporate_suffix",
            0.95,
            Check::Corp,
        );
        add(
            format!(
                r"(?P<n>(?:{h}|{k}){{1,10}})(?:信用金庫|信用組合|信金|銀行|証券|生命|損保|航空|電鉄|鉄道|高速道路|新聞社|通信社|商事|物産|工業|製作所|電機|電工|重工|自動車|建設|製薬|百貨店|大学|病院|市役所|区役所|町役場|村役場|役所|役場|県庁|都庁|府庁|道庁|県警|府警|道警|警視庁|警察署|警察本部|消防本部|消防局|省|庁|交通局|水道局|財務局|通信局|運輸局|整備局|労働局|協会|機構|委員会|取引所|公社|公団|財団|連合会|研究所|管制部|会議所|運輸|通運|海運|汽船|郵船|商船|急行|バス)"
            ),
            Kind::Org,
            "org_suffix",
            0.85,
            Check::Name,
        );
        add(
            format!(r"(?P<n>{h}{{1,6}})(?:電力|ガス)"),
            Kind::Org,
            "utility",
            0.85,
            Check::PlaceName,
        );
        add(
            format!(
                r"(?P<n>(?:{h}|{k}|{latin_name}){{1,14}})(?:ホールディングス|テレコム|エアポート|モノレール|システムズ|ソリューションズ|ネットワークス|テクノロジーズ|テクノロジー|コミュニケーションズ|コーポレーション|エンジニアリング|インターナショナル|ジャパン|グループ|フィナンシャル|エナジー|ラボ|メトロ|エクスプレス|エアラインズ|エアライン|ウイングス|ウィングス|レールウェイ|トランスポート|ロジスティクス|ホールディング)"
            ),
            Kind::Org,
            "company_suffix",
            0.8,
            Check::Name,
        );
        add(
            format!(
                r"(?:米国|英国|中国|韓国|台湾|欧州|米|英|独|仏|中|韓|台|印|蘭|豪|露|伊|加)(?P<n>{k}{{2,}}|[A-Z][A-Za-z0-9&]+)社?"
            ),
            Kind::Org,
            "foreign_company",
            0.8,
            Check::Foreign,
        );
        // Hiragana names before a financial suffix (みずほ銀行, ひまわり証券).
        add(
            r"(?P<n>[ぁ-ゖ]{2,6})(?:銀行|証券|生命|信金|信用金庫|損保|ホールディングス|フィナンシャルグループ)".into(),
            Kind::Org,
            "hiragana_bank",
            0.8,
            Check::HiraganaName,
        );
        // Contractors named by their relation: 保守業者のテクノ南国と, 委託先のX社が.
        add(
            format!(
                r"(?:委託先|保守業者|ベンダー|ベンダ|メーカー|子会社|取引先|運用会社|開発会社|保守会社|協力会社|再委託先|販売代理店)の(?P<n>(?:{h}|{k}|[A-Za-z]){{3,12}})(?:が|と|に|は|から|へ|、)"
            ),
            Kind::Org,
            "relation_company",
            0.7,
            Check::Relation,
        );
        // Hiragana company names after a corporate form (株式会社しんくみシステム).
        add(
            format!(
                r"(?:株式会社|有限会社|合同会社)\s?(?P<n>[ぁ-ゖ][ぁ-ゖー]{{1,8}}(?:{h}|{k}|[A-Za-z])*)"
            ),
            Kind::Org,
            "corporate_hiragana",
            0.85,
            Check::HiraganaCorp,
        );
        add(
            format!(r"(?P<n>{k}{{2,}})社"),
            Kind::Org,
            "katakana_company",
            0.75,
            Check::KatakanaCompany,
        );
        add(
            r"JR(?:東日本|西日本|東海|北海道|九州|四国|貨物)?".into(),
            Kind::Org,
            "jr",
            0.9,
            Check::None,
        );

        // --- sources in free text ---
        add(
            format!(
                r"(?P<n>(?:{h}|{k}|[A-Za-z]){{1,12}})(?:新聞電子版|新聞デジタル|新聞社|新聞|日報|タイムス|タイムズ|ジャーナル|ニュースリリース|ニュース|ドットコム|プレスリリース|お知らせ|報道発表|報道資料|ホームページ|公式サイト|ウェブサイト|HP)"
            ),
            Kind::Source,
            "source_suffix",
            0.8,
            Check::Name,
        );

        // --- persons ---
        let surnames = lexicon::SURNAMES
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("|");
        add(
            format!(
                r"(?P<n>(?:{surnames}){h}{{0,3}})\s?(?:氏|さん|様|君|くん|課長|部長|係長|主任|主査|主幹|社長|会長|副社長|専務|常務|取締役|本部長|室長|所長|局長|支店長|医師|教授|弁護士|記者|担当者|担当|議員|知事|市長|大臣|長官|マネージャー|リーダー)"
            ),
            Kind::Person,
            "surname_title",
            0.9,
            Check::None,
        );
        add(
            format!(r"(?P<n>{h}{{2,4}})(?:氏|さん|様)"),
            Kind::Person,
            "honorific",
            0.7,
            Check::PersonHonorific,
        );
        add(
            format!(r"{k}{{2,}}・{k}{{2,}}(?:氏|さん|様|社長|CEO|会長)"),
            Kind::Person,
            "foreign_person",
            0.8,
            Check::None,
        );

        // --- places ---
        add(
            format!(r"(?P<n>{h}{{1,5}})(?:市|区|町|村|郡)"),
            Kind::Place,
            "municipality",
            0.75,
            Check::Municipality,
        );
        add(
            format!(r"(?P<n>{h}{{1,5}})(?:エリア|地方|地域|地区|方面|管内|沿岸|圏)"),
            Kind::Place,
            "area",
            0.75,
            Check::Area,
        );

        // --- facilities ---
        add(
            format!(
                r"(?P<n>{h}{{1,10}}|{k}{{2,10}}|[A-Za-z][A-Za-z0-9]{{1,9}})(?:国際空港|空港|飛行場|原子力発電所|火力発電所|水力発電所|発電所|変電所|インターチェンジ|スマートIC|IC|JCT|ジャンクション|パーキングエリア|サービスエリア|料金所|自動車道|トンネル|浄水場|試験場|データセンター|駅|港|ダム|支社|支店|営業所|事業所|出張所|工場|製作所|ビル|タワー)"
            ),
            Kind::Facility,
            "facility_suffix",
            0.8,
            Check::Name,
        );
        add(
            format!(r"(?P<n>{h}{{1,5}})(?:新幹線|本線|線)"),
            Kind::Facility,
            "railway_line",
            0.75,
            Check::Line,
        );
        add(r"(?:新東名|新名神|東名|名神|中央|関越|東北|常磐|北陸|山陽|九州|近畿|阪和|中国|長崎|大分|道央|東関東|京葉|圏央|外環|京滋|舞鶴若狭|上信越|磐越|東海北陸|伊勢湾岸|東九州|西九州|山陰|徳島|高松|松山|高知)(?:自動車道|高速|道)".into(), Kind::Facility, "expressway", 0.85, Check::None);
        add(
            r"(?:首都高速|阪神高速|首都高)|(?:国道|県道|都道|府道)\d+号(?:線)?".into(),
            Kind::Facility,
            "road",
            0.85,
            Check::None,
        );
        add(
            format!(r"(?P<n>{h}{{1,4}}[ー\-〜~]{h}{{1,4}})間"),
            Kind::Facility,
            "section",
            0.7,
            Check::Section,
        );

        // --- products and brand names ---
        add(
            format!(r"[A-Za-z][A-Za-z0-9]*(?:[\-&.'][A-Za-z0-9]+)*(?:{k}+)?"),
            Kind::Product,
            "latin_name",
            0.6,
            Check::Latin,
        );
        add(r"(?:システム|サービス|アプリ|製品|ソフトウェア|ソフト|パッケージ|ブランド|基盤|名称)「(?P<n>[^」]{1,30})」".into(), Kind::Product, "quoted_name", 0.7, Check::Quoted);

        // --- dates and times ---
        add(r"(?:(?:19|20)\d{2}|(?:令和|平成|昭和|R|H|S)\s?(?:\d{1,2}|元))年度?\s?\d{1,2}月(?:\s?\d{1,2}日)?(?:\s?\([月火水木金土日]\))?(?:\s?(?:午前|午後)?\d{1,2}時(?:\d{1,2}分|半)?(?:頃|ごろ)?)?".into(), Kind::Date, "ymd", 0.95, Check::None);
        add(r"(?:19|20)\d{2}[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:?\d{2}|Z)?)?".into(), Kind::Date, "iso_date", 0.95, Check::None);
        add(
            r"(?:今年|昨年|前年|本年|同年|翌年|来年)\s?\d{1,2}月(?:\d{1,2}日)?".into(),
            Kind::Date,
            "relative_month",
            0.9,
            Check::None,
        );
        add(r"\d{1,2}月\s?\d{1,2}日(?:\s?\([月火水木金土日]\))?(?:の?(?:早朝|未明|朝|午前|午後|夕方|夜間|夜|深夜|昼))?(?:、?\s?(?:午前|午後)?\d{1,2}時(?:\d{1,2}分|半)?(?:頃|ごろ)?)?".into(), Kind::Date, "month_day", 0.95, Check::None);
        add(r"\d{1,2}日(?:\s?\([月火水木金土日]\))?(?:の?(?:早朝|未明|朝|午前|午後|夕方|夜間|夜|深夜|昼))?(?:、?\s?(?:午前|午後)?\d{1,2}時(?:\d{1,2}分|半)?(?:頃|ごろ)?)?".into(), Kind::Date, "day", 0.8, Check::Day);
        add(
            r"(?:午前|午後)?\d{1,2}時(?:\d{1,2}分|半)?(?:頃|ごろ)?|\d{1,2}:\d{2}|同\d{1,2}分"
                .into(),
            Kind::Date,
            "time",
            0.8,
            Check::Time,
        );

        // --- exact figures ---
        add(r"(?:約|計|全|延べ|最大|合計|上下|総|およそ|少なくとも|累計)?\d[\d,]*(?:\.\d+)?(?:[兆億万千](?:\d[\d,]*)?)*(?:(?:〜|~|から|ー|-)\d[\d,]*(?:\.\d+)?(?:[兆億万千](?:\d[\d,]*)?)*)?(?:の(?:市町村|市区町村|自治体|団体|機関|事業者|企業|金融機関)|件|人|名|台|個|店舗|店|本|便|円|社|駅|カ所|ヶ所|か所|箇所|ケ所|種類|県|市区町村|市町村|市町|自治体|世帯|戸|回線|口座|枚|通|棟|拠点|校|団体|機関|ユーザー|ユーザ|アカウント|契約|路線|列車|局|行|事業者)(?:以上|超|余り|強|弱)?".into(), Kind::ExactNumber, "count", 0.9, Check::Count);
        add(
            r"最大\d{2,}分".into(),
            Kind::ExactNumber,
            "max_minutes",
            0.8,
            Check::None,
        );

        // --- lexicons (one Aho-Corasick pass over the NFKC text) ---
        let mut patterns: Vec<String> = Vec::new();
        let mut lex_meta = Vec::new();
        let mut place_prefecture = HashMap::new();
        let mut place_class = HashMap::new();
        let mut place_names = HashSet::new();
        // Generalised region names are lexicon entries too, so a re-scan sees them
        // whole (fixed points of the place generalisation) whatever precedes them.
        for region in lexicon::REGIONS {
            place_class.insert(region.to_string(), PlaceClass::Region);
            place_prefecture.insert(region.to_string(), None);
            lex_meta.push((Kind::Place, "place_lexicon"));
            patterns.push(region.to_string());
        }
        for p in lexicon::places() {
            place_prefecture.insert(p.name.clone(), p.prefecture);
            place_class.insert(p.name.clone(), p.class);
            place_names.insert(p.name.clone());
            lex_meta.push((Kind::Place, "place_lexicon"));
            patterns.push(p.name);
        }
        for o in lexicon::orgs() {
            lex_meta.push((Kind::Org, "org_lexicon"));
            patterns.push(o.to_string());
        }
        for o in lexicon::outlets() {
            lex_meta.push((Kind::Source, "outlet_lexicon"));
            patterns.push(o.to_string());
        }
        let lex_katakana = patterns
            .iter()
            .map(|p| p.chars().all(|c| is_kata(c) || c == 'ー'))
            .collect();
        #[allow(clippy::expect_used)] // built-in lexicon: exercised by every test
        let lex = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .expect("built-in lexicon compiles");
        Recognizers {
            rules,
            lex,
            lex_meta,
            lex_katakana,
            place_names,
            generic_latin: lexicon::generic_latin(),
            place_prefecture,
            place_class,
        }
    }

    /// Runs every pattern and lexicon recogniser over `n`, appending hits.
    pub(crate) fn scan(&self, n: &Normalized, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for rule in &self.rules {
            if rule.check == Check::None {
                for m in rule.re.find_iter(text) {
                    if rule.bounded && !ascii_bounded(text, m.range()) {
                        continue;
                    }
                    push(out, n, m.range(), rule.kind, rule.name, rule.score, 2);
                }
                continue;
            }
            for caps in rule.re.captures_iter(text) {
                let Some(m) = caps.get(0) else { continue };
                if rule.bounded && !ascii_bounded(text, m.range()) {
                    continue;
                }
                let name = caps.name("n");
                if let Some(range) =
                    self.check(rule.check, text, m.range(), name.map(|g| g.range()))
                {
                    let prio = if rule.kind.is_identifying() { 2 } else { 1 };
                    push(out, n, range, rule.kind, rule.name, rule.score, prio);
                }
            }
        }
        for m in self.lex.find_iter(text) {
            let id = m.pattern().as_usize();
            if self.lex_katakana[id] {
                let before = text[..m.start()].chars().next_back();
                let after = text[m.end()..].chars().next();
                if before.is_some_and(is_kata) || after.is_some_and(|c| is_kata(c) || c == 'ー') {
                    continue;
                }
            } else if m.len() <= 3 {
                // Short Latin lexicon entries (au, NTT) must be whole tokens.
                let s = &text[m.range()];
                if s.is_ascii() {
                    let before = text[..m.start()].chars().next_back();
                    let after = text[m.end()..].chars().next();
                    if before.is_some_and(|c| c.is_ascii_alphanumeric())
                        || after.is_some_and(|c| c.is_ascii_alphanumeric())
                    {
                        continue;
                    }
                }
            }
            let (kind, rule) = self.lex_meta[id];
            push(out, n, m.range(), kind, rule, 0.9, 2);
        }
    }

    /// Per-rule timing (development aid for the bench).
    #[doc(hidden)]
    pub(crate) fn profile(&self, text: &str) -> Vec<(&'static str, std::time::Duration)> {
        let mut out = Vec::new();
        for rule in &self.rules {
            let t = std::time::Instant::now();
            let mut n = 0;
            for _ in 0..20 {
                n += rule.re.captures_iter(text).count();
            }
            out.push((rule.name, t.elapsed()));
            std::hint::black_box(n);
        }
        let t = std::time::Instant::now();
        for _ in 0..20 {
            std::hint::black_box(self.lex.find_iter(text).count());
        }
        out.push(("lexicon", t.elapsed()));
        out
    }

    /// Prefecture of the first known place named inside `s` (札幌市 → 北海道).
    pub(crate) fn prefecture_in(&self, s: &str) -> Option<usize> {
        self.lex
            .find_iter(s)
            .find_map(|m| self.place_prefecture.get(&s[m.range()]).copied().flatten())
    }

    /// True when `s` is a generic word that never names anything.
    pub(crate) fn is_generic_word(&self, s: &str) -> bool {
        GENERIC_NAMES.contains(&s)
    }

    /// True when `s` is a known place name (used by the dictionary recogniser and
    /// the utility-company rule).
    pub(crate) fn is_place_name(&self, s: &str) -> bool {
        self.place_names.contains(s)
    }

    fn check(
        &self,
        check: Check,
        text: &str,
        m: Range<usize>,
        name: Option<Range<usize>>,
    ) -> Option<Range<usize>> {
        let name_str = name.clone().map(|r| &text[r]).unwrap_or("");
        let before = text[..m.start].chars().next_back();
        let after = text[m.end..].chars().next();
        match check {
            Check::None => Some(m),
            Check::Name => {
                // A Latin or katakana name must start at its word's start (DN|Sサーバー…).
                let first = name.clone().and_then(|r| text[r].chars().next());
                let mid_word = match (before, first) {
                    (Some(b), Some(f)) if f.is_ascii_alphanumeric() => b.is_ascii_alphanumeric(),
                    (Some(b), Some(f)) if is_kata(f) => is_kata(b),
                    _ => false,
                };
                if mid_word {
                    return None;
                }
                let (m, name) = extend_han_run(text, m, name);
                let m = trim_fillers(text, m, name.clone());
                let name_str = &text[m.start..name.map(|r| r.end).unwrap_or(m.end).max(m.start)];
                let after_bad = after.is_some_and(|c| "券機便路網業料科学系界舎".contains(c));
                (name_ok(name_str) && !after_bad).then_some(m)
            }
            Check::Area => {
                if lexicon::REGIONS
                    .iter()
                    .any(|r| text[m.clone()].ends_with(r))
                {
                    return None;
                }
                self.check(Check::Name, text, m, name)
            }
            Check::CorpPrefix => {
                let named_before =
                    before.is_some_and(|c| is_han(c) || is_kata(c) || c.is_ascii_alphanumeric());
                (!named_before && corp_name_ok(name_str)).then_some(m)
            }
            Check::Relation => {
                let inner = name?;
                let n = &text[inner.clone()];
                // Generic continuations (委託先の担当者, 業者のシステム) are not names.
                let generic = name_ok(n) && !n.starts_with(RELATION_GENERIC_LEAD);
                (generic && n.chars().count() >= 2).then_some(inner)
            }
            Check::HiraganaName => {
                // とみずほ銀行 → みずほ銀行; 例えば銀行 is not a bank name.
                let inner = name?;
                let mut start = inner.start;
                while let Some(c) = text[start..inner.end].chars().next() {
                    if "のがはにをともへやで".contains(c)
                        && text[start..inner.end].chars().count() > 2
                    {
                        start += c.len_utf8();
                    } else {
                        break;
                    }
                }
                let n = &text[start..inner.end];
                let prev = text[..start].chars().next_back();
                let glued = prev.is_some_and(|c| is_han(c) || is_kata(c));
                let particle = n.starts_with([
                    'の', 'が', 'は', 'に', 'を', 'と', 'も', 'へ', 'や', 'で', 'か', 'よ', 'ま',
                    'な', 'ら', 'こ', 'そ', 'あ', 'ど', 'す', 'し',
                ]) || n.ends_with([
                    'の', 'が', 'は', 'に', 'を', 'と', 'も', 'へ', 'や', 'で', 'ば', 'て',
                ]);
                (!glued && !particle && n.chars().count() >= 2).then_some(start..m.end)
            }
            Check::HiraganaCorp => {
                let inner = name?;
                let n = &text[inner.clone()];
                let particle = n.starts_with([
                    'で', 'の', 'が', 'は', 'に', 'を', 'と', 'も', 'へ', 'や', 'か', 'よ', 'ま',
                    'な', 'ら', 'こ', 'そ', 'あ', 'ど',
                ]);
                (!particle).then_some(m)
            }
            Check::Corp => {
                let (m, name) = extend_han_run(text, m, name);
                let m = trim_fillers(text, m, name.clone());
                let name_str = &text[m.start..name.map(|r| r.end).unwrap_or(m.end).max(m.start)];
                corp_name_ok(name_str).then_some(m)
            }
            Check::Section => {
                // 一時都城ー吉松間: the left name starts after the last time word.
                let timeish = |c: char| "期夜午朝日月年時分昼頃".contains(c);
                let sep = name_str.find(['ー', '-', '〜', '~'])?;
                let (left, right) = (&name_str[..sep], &name_str[sep..]);
                if right.chars().any(timeish) {
                    return None;
                }
                let cut = left
                    .char_indices()
                    .rev()
                    .filter(|(_, c)| timeish(*c))
                    .map(|(i, c)| i + c.len_utf8())
                    .next()
                    .unwrap_or(0);
                (cut < left.len()).then_some(m.start + cut..m.end)
            }
            Check::PlaceName => {
                let stripped = name_str.trim_start_matches(GENERIC_LEAD);
                let placeish = self.is_place_name(stripped)
                    || [
                        "中国",
                        "四国",
                        "中部",
                        "東北",
                        "九州",
                        "北陸",
                        "関西",
                        "東京",
                        "北海道",
                        "沖縄",
                        "東邦",
                        "西部",
                        "北海道",
                        "日本",
                        "京葉",
                        "広島",
                        "静岡",
                    ]
                    .iter()
                    .any(|p| stripped.ends_with(p));
                (placeish && name_ok(name_str)).then_some(m)
            }
            Check::Line => {
                let (m, name) = extend_han_run(text, m, name);
                let m = trim_fillers(text, m, name.clone());
                let name_str = &text[m.start..name.map(|r| r.end).unwrap_or(m.end).max(m.start)];
                let ok = name_ok(name_str)
                    && !NOT_LINES.iter().any(|w| {
                        name_str == *w || (name_str.ends_with(w) && w.chars().count() >= 2)
                    })
                    && !name_str.ends_with([
                        '回', '電', '無', '路', '直', '配', '架', '導', '断', '脱', '混', '系',
                        '動', '源', '続', '継', '込', '送', '光', '際',
                    ]);
                ok.then_some(m)
            }
            Check::Municipality => {
                let (m, name) = extend_han_run(text, m, name);
                let m = trim_fillers(text, m, name.clone());
                let name_str = &text[m.start..name.map(|r| r.end).unwrap_or(m.end).max(m.start)];
                let ok = name_ok(name_str)
                    && !name_str
                        .chars()
                        .all(|c| "市区町村都道府県郡各同当全本他隣近数十百千万億".contains(c))
                    && ![
                        "城下", "門前", "地", "管", "学", "選挙", "特", "農", "漁", "山", "下",
                        "港", "行政", "政令", "中核", "都市", "新興", "東京23", "市", "区",
                    ]
                    .iter()
                    .any(|w| name_str == *w || (w.chars().count() >= 2 && name_str.ends_with(w)))
                    && !after.is_some_and(|c| "場況販街井分間域別切画民政".contains(c));
                ok.then_some(m)
            }
            Check::Foreign => {
                let ok = !before.is_some_and(|c| is_han(c) || is_kata(c))
                    && !["ドル", "ユーロ", "ウォン", "ポンド", "ルーブル", "ルピー"]
                        .contains(&name_str)
                    && !self.generic_latin.contains(&name_str.to_ascii_lowercase());
                ok.then_some(m)
            }
            Check::KatakanaCompany => {
                let ok = !after.is_some_and(|c| "員内会長屋外宅則是風歌".contains(c))
                    && ![
                        "ベンダー",
                        "ベンダ",
                        "メーカー",
                        "パートナー",
                        "グループ",
                        "ユーザー",
                        "ユーザ",
                        "システム",
                        "リース",
                        "ホールディング",
                        "クライアント",
                        "サプライヤー",
                        "ライバル",
                        "メディア",
                    ]
                    .contains(&name_str);
                ok.then_some(m)
            }
            Check::Latin => self.check_latin(text, m, before, after),
            Check::PersonHonorific => {
                // 仕様, 同様, 模様 … end in 様 without being a name.
                let ok = name_ok(name_str)
                    && !name_str.ends_with([
                        '仕', '同', '模', '多', '異', '一', '今', '各', '態', '有', '王', '神',
                    ])
                    && !name_str.ends_with([
                        '者', '員', '客', '方', '様', '主', '人', '長', '家', '先', '社', '店',
                        '局', '部', '課', '係', '神', '殿',
                    ])
                    && after != Some('名');
                ok.then_some(m)
            }
            Check::Ipv4 => text[m.clone()]
                .split(['.', '/'])
                .take(4)
                .all(|o| o.parse::<u16>().is_ok_and(|v| v <= 255))
                .then_some(m),
            Check::Ipv6 => {
                let s = &text[m.clone()];
                (s.matches(':').count() >= 2 && s.parse::<std::net::Ipv6Addr>().is_ok())
                    .then_some(m)
            }
            Check::MyNumber => {
                let digits: Vec<u32> = text[m.clone()]
                    .chars()
                    .filter_map(|c| c.to_digit(10))
                    .collect();
                let boundary = !before.is_some_and(|c| c.is_ascii_digit() || c == ',' || c == '.')
                    && !after.is_some_and(|c| c.is_ascii_digit() || c == ',');
                (boundary && digits.len() == 12 && my_number_valid(&digits)).then_some(m)
            }
            Check::Day => {
                let s = &text[m.clone()];
                let digits_before =
                    before.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',');
                let duration_before = text[..m.start].ends_with('約')
                    || text[..m.start].ends_with("毎")
                    || text[..m.start].ends_with("最大");
                let rest = &text[m.end..];
                let duration_after = [
                    "間",
                    "以内",
                    "以上",
                    "分の",
                    "程度",
                    "ぶり",
                    "目",
                    "連続",
                    "後",
                    "前",
                    "経",
                    "超",
                    "余",
                    "弱",
                    "強",
                    "足らず",
                ]
                .iter()
                .any(|w| rest.starts_with(w));
                // A bare day followed by those words is a duration (10日間, 3日後).
                let bare_day = !s.contains('時') && !s.chars().any(|c| "朝午夕夜昼未".contains(c));
                (!digits_before && !duration_before && (!bare_day || !duration_after)).then_some(m)
            }
            Check::Time => {
                let s = &text[m.clone()];
                let rest = &text[m.end..];
                let digits_before =
                    before.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ':');
                if digits_before {
                    return None;
                }
                if s.ends_with('時') && (rest.starts_with('間') || rest.starts_with("点")) {
                    return None;
                }
                if text[..m.start].ends_with('約') && !s.contains('分') {
                    return None;
                }
                if s.contains(':')
                    && (text[..m.start].ends_with(':')
                        || rest
                            .starts_with([':', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
                        || before.is_some_and(|c| c.is_ascii_alphanumeric()))
                {
                    return None;
                }
                Some(m)
            }
            Check::Count => {
                let rest = &text[m.end..];
                // A bare figure glued to a Latin token is a model or version number (RX300台?);
                // one with a prefix (約, 計 …) is a count.
                let starts_with_digit = text[m.start..].starts_with(|c: char| c.is_ascii_digit());
                let before_ok = !starts_with_digit
                    || !before
                        .is_some_and(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '/');
                if rest.starts_with("規模") || !before_ok {
                    return None;
                }
                Some(m)
            }
            Check::Quoted => {
                let inner = name?;
                let s = &text[inner.clone()];
                // Messages and concepts in quotes (「発射情報」) stay; names are short and
                // contain Latin or katakana.
                let latin = s.chars().filter(char::is_ascii_alphabetic).count();
                let kata = s.chars().filter(|c| is_kata(*c)).count();
                let namey = (latin >= 2 || kata >= 2) && s.chars().count() <= 20;
                namey.then_some(inner)
            }
        }
    }

    fn check_latin(
        &self,
        text: &str,
        m: Range<usize>,
        before: Option<char>,
        _after: Option<char>,
    ) -> Option<Range<usize>> {
        if before.is_some_and(|c| {
            c.is_ascii_alphanumeric() || c == '@' || c == '.' || c == '/' || c == '-' || c == '_'
        }) {
            return None;
        }
        let s = &text[m.clone()];
        let latin_end = s.find(|c: char| !c.is_ascii()).unwrap_or(s.len());
        let latin = &s[..latin_end];
        let lower = latin.to_ascii_lowercase();
        if self.generic_latin.contains(&lower)
            || self.generic_latin.contains(&s.to_ascii_lowercase())
        {
            return None;
        }
        // Generic prefixes such as "IP" in "IPアドレス" are covered above; tokens made
        // of generic parts joined by - or / (TCP/IP, Wi-Fi) are generic too.
        if latin.contains(['-', '/', '.', '&'])
            && latin.split(['-', '/', '.', '&']).all(|p| {
                p.is_empty()
                    || self.generic_latin.contains(&p.to_ascii_lowercase())
                    || p.chars().all(|c| c.is_ascii_digit())
                    || is_label(p)
            })
        {
            return None;
        }
        let has_kana = latin_end < s.len();
        // Labels and pseudonyms: A, B2, X1 (サーバーA, A2社).
        let mut lc = latin.chars();
        if lc.next().is_some_and(|c| c.is_ascii_uppercase())
            && lc.all(|c| c.is_ascii_digit() || c == '.')
            && !has_kana
        {
            return None;
        }
        // Unknown two-letter acronyms (SC, HT, QC) are far more often technical
        // than company names; known ones (au, JR, NTT …) come from the lexicon.
        if !has_kana && latin.len() == 2 && latin.chars().all(|c| c.is_ascii_uppercase()) {
            return None;
        }
        let letters = latin.chars().filter(|c| c.is_ascii_alphabetic()).count();
        if letters == 1 && latin.len() == 1 {
            // Single letters are labels (サーバーA, A社, 機器B) unless a brand-like
            // letter prefix of a katakana word (Jアラート, Tポイント).
            let c = latin.chars().next().unwrap_or('A');
            if !has_kana
                || "ABCDEFXYZ".contains(c.to_ascii_uppercase())
                || s[latin_end..].chars().count() < 3
            {
                return None;
            }
            return Some(m);
        }
        if latin
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && !has_kana
        {
            // Plain English words and commands (timeout, null, cron).
            return None;
        }
        if latin
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        {
            return None;
        }
        if has_kana {
            // Brand + katakana: mask the whole compound only when the Latin part is a
            // name; otherwise just the Latin part.
            return Some(m);
        }
        Some(m.start..m.start + latin_end)
    }
}

/// When a kanji name hit the pattern's length limit (the kanji run goes on before
/// it), start it at the run's start instead, up to 12 more characters, so a long
/// run is masked whole rather than leaving its head behind.
fn extend_han_run(
    text: &str,
    m: Range<usize>,
    name: Option<Range<usize>>,
) -> (Range<usize>, Option<Range<usize>>) {
    let Some(n) = name else { return (m, None) };
    if n.start != m.start || !text[n.clone()].starts_with(is_han) {
        return (m, Some(n));
    }
    let mut start = n.start;
    for (taken, c) in text[..n.start].chars().rev().enumerate() {
        if taken >= 12 || !is_han(c) || c == '某' || c == '〇' {
            break;
        }
        start -= c.len_utf8();
    }
    (start..m.end, Some(start..n.end))
}

/// A label such as A, B2 (サーバーA, A社 pseudonyms).
fn is_label(p: &str) -> bool {
    let mut c = p.chars();
    c.next().is_some_and(|f| f.is_ascii_uppercase()) && c.all(|d| d.is_ascii_digit())
}

fn ascii_bounded(text: &str, r: Range<usize>) -> bool {
    let before = text[..r.start].chars().next_back();
    let after = text[r.end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_alphanumeric())
        && !after.is_some_and(|c| c.is_ascii_alphanumeric())
}

fn push(
    out: &mut Vec<Hit>,
    n: &Normalized,
    range: Range<usize>,
    kind: Kind,
    rule: &'static str,
    score: f32,
    prio: u8,
) {
    let range = n.original(Layer::Text, range);
    if range.is_empty() {
        return;
    }
    out.push(Hit {
        range,
        kind,
        rule,
        score,
        deny: None,
        dict: false,
        prio,
    });
}

/// Moves the start of a name+suffix match past function words a greedy kanji run
/// swallowed (以降, 午前, 時 …).
fn trim_fillers(text: &str, m: Range<usize>, name: Option<Range<usize>>) -> Range<usize> {
    let Some(name) = name else { return m };
    let mut start = name.start;
    'outer: loop {
        let digits = text[start..name.end]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .map(char::len_utf8)
            .sum::<usize>();
        if digits > 0 && start + digits <= name.end {
            start += digits;
            continue 'outer;
        }
        let after_digit = text[..start].ends_with(|c: char| c.is_ascii_digit() || c == '某');
        if after_digit {
            for f in UNIT_FILLERS {
                if text[start..name.end].starts_with(f) && start + f.len() <= name.end {
                    start += f.len();
                    continue 'outer;
                }
            }
        }
        for f in LEADING_FILLERS {
            if text[start..name.end].starts_with(f) && start + f.len() <= name.end {
                start += f.len();
                continue 'outer;
            }
        }
        break;
    }
    if start == name.start {
        m
    } else {
        start..m.end
    }
}

/// A name with a corporate form: the form itself says it is a company, so only
/// empty, generic-lead and label names are refused.
fn corp_name_ok(name: &str) -> bool {
    let name = name.trim();
    let mut chars = name.chars();
    let label =
        chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_digit());
    !name.is_empty()
        && !name.starts_with(REJECT_LEAD)
        && !label
        && !name.chars().all(|c| c.is_ascii_digit())
}

/// A name before a suffix is acceptable when it is not made only of generic words.
fn name_ok(name: &str) -> bool {
    let name = name.trim();
    if name.is_empty() {
        return false;
    }
    // A katakana run made with a generic word (ベンダ…, …データセンター) is not a name.
    const GENERIC_KATAKANA: [&str; 17] = [
        "ベンダ",
        "メーカー",
        "ユーザ",
        "サーバ",
        "クラウド",
        "システム",
        "ネットワーク",
        "データ",
        "センター",
        "コール",
        "オフィス",
        "テスト",
        "バックアップ",
        "メイン",
        "サブ",
        "サービス",
        "ストレージ",
    ];
    let all_kata = name.chars().all(is_kata);
    if GENERIC_KATAKANA.iter().any(|g| {
        (all_kata && name.starts_with(g)) || name.ends_with(g) || name.ends_with(&format!("{g}ー"))
    }) {
        return false;
    }
    // Replacement words (近畿地方, 当社, 某地域 …) never start a name on a re-scan.
    if lexicon::REGIONS
        .iter()
        .chain(["某地域", "某国", "当社", "委託先ベンダ", "グループ会社"].iter())
        .any(|r| name.contains(r))
    {
        return false;
    }
    // Pseudonyms (行政機関A, 担当者B2, 製品C) are replacements, not names.
    let unlabelled = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if let Some(head) = unlabelled.strip_suffix(|c: char| c.is_ascii_uppercase()) {
        if ["行政機関", "担当者", "製品", "顧客", "システム"]
            .iter()
            .any(|w| head.ends_with(w))
        {
            return false;
        }
    }
    // Generalised figures (数千人) are never part of a name.
    if ["数十", "数百", "数千", "数万", "数億", "数兆"]
        .iter()
        .any(|m| name.contains(m))
    {
        return false;
    }
    // Labels (Bデータセンター, D空港) are already anonymous.
    let mut chars = name.chars();
    if chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_digit()) {
        return false;
    }
    if name.starts_with(REJECT_LEAD) {
        return false;
    }
    let stripped = name.trim_start_matches(GENERIC_LEAD);
    if stripped.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    if GENERIC_NAMES.contains(&name) || GENERIC_NAMES.contains(&stripped) {
        return false;
    }
    if GENERIC_ENDINGS.iter().any(|e| name.ends_with(e)) {
        return false;
    }
    true
}

/// マイナンバー check digit (総務省令 algorithm).
fn my_number_valid(d: &[u32]) -> bool {
    if d.len() != 12 {
        return false;
    }
    let mut sum = 0u32;
    for n in 1..=11usize {
        let p = d[11 - n];
        let q = if n <= 6 { n as u32 + 1 } else { n as u32 - 5 };
        sum += p * q;
    }
    let r = sum % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    check == d[11]
}

/// Kanji (including 々).
pub(crate) fn is_han(c: char) -> bool {
    let u = c as u32;
    (0x4E00..=0x9FFF).contains(&u)
        || (0x3400..=0x4DBF).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0x20000..=0x2FFFF).contains(&u)
        || c == '々'
}

/// Katakana letters (not the middle dot).
pub(crate) fn is_kata(c: char) -> bool {
    let u = c as u32;
    (0x30A1..=0x30FA).contains(&u) || u == 0x30FC || (0x31F0..=0x31FF).contains(&u)
}

#[cfg(test)]
mod tests;
