//! The built-in recogniser table: every pattern rule and the lexicons, compiled once.

use super::*;

impl Recognizers {
    /// The built-in recognisers, compiled on first use and shared: building
    /// them costs far more than a sanitiser's policy-specific parts, and a
    /// process builds a sanitiser per level (and the fuzzer one per input).
    pub(crate) fn shared() -> std::sync::Arc<Self> {
        static SHARED: std::sync::OnceLock<std::sync::Arc<Recognizers>> =
            std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| std::sync::Arc::new(Self::new()))
            .clone()
    }

    /// Compiles every built-in recogniser.
    pub(crate) fn new() -> Self {
        let h = H;
        let k = K;
        let latin_name = r"[A-Za-z0-9&]";
        let mut rules = Vec::new();
        let mut add = |re: String, kind: Kind, name: &'static str, score: f32, check: Check| {
            let bounded = matches!(
                name,
                "ipv4"
                    | "ipv6"
                    | "hostname"
                    | "account"
                    | "card"
                    | "my_number_check_digit"
                    | "call_sign"
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

        shapes::add_rules(&mut add);
        super::forms::add_rules(&mut add);
        super::parties::add_rules(&mut add);

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
            r"(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?".into(),
            Kind::Host,
            "ipv4",
            0.95,
            Check::Ipv4,
        );
        add(
            // A group or `::` first: a label's colon (IP:2001:db8::1) is no part.
            r"(?i)(?:[0-9a-f]{1,4}:(?:[0-9a-f]{0,4}:){1,6}|::(?:[0-9a-f]{0,4}:){0,5})[0-9a-f]{0,4}"
                .into(),
            Kind::Host,
            "ipv6",
            0.95,
            Check::Ipv6,
        );
        add(r"(?i)(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+(?:com|net|org|jp|local|lan|internal|corp|intra|io|info|biz|co|ne|or|go|ac|lg|ad)".into(), Kind::Host, "hostname", 0.9, Check::None);
        // An account number after its label, with the branch number before
        // it or not (`振込先口座 123-4567890`).
        add(
            r"(?:口座番号|口座|普通預金|当座預金|普通|当座)\s?(?:[:：]|は|No\.?)?\s?(?:\d{3}[- ])?\d{6,8}".into(),
            Kind::Account,
            "account",
            0.95,
            Check::None,
        );
        add(r"(?:社員番号|社員ID|社員コード|職員番号|職員ID|従業員番号|従業員ID|社員No\.?|ユーザID|ユーザーID|ログインID)\s?(?:[:：]|は)?\s?[A-Za-z]{0,3}[- ]?\d{3,10}".into(), Kind::EmployeeId, "employee_id", 0.95, Check::None);
        add(
            r"(?:マイナンバー|個人番号)\s?(?:[:：]|は)?\s?\d{4}\s?\d{4}\s?\d{4}".into(),
            Kind::MyNumber,
            "my_number_labelled",
            0.99,
            Check::None,
        );
        // Twelve digits in groups of four later in the clause that names the
        // number (`個人番号を含む、例：NNNN NNNN NNNN`), check digit or not.
        add(
            r"(?:マイナンバー|個人番号)[^\n。]{0,30}?(?P<n>\d{4}[ -]\d{4}[ -]\d{4})".into(),
            Kind::MyNumber,
            "my_number_near_label",
            0.95,
            Check::MyNumberNear,
        );
        add(
            r"\d{4}[\s-]?\d{4}[\s-]?\d{4}".into(),
            Kind::MyNumber,
            "my_number_check_digit",
            0.9,
            Check::MyNumber,
        );

        // --- organisations ---
        add(
            format!(
                r"(?:株式会社|有限会社|合同会社|合資会社|合名会社|公益財団法人|公益社団法人|一般財団法人|一般社団法人|独立行政法人|国立研究開発法人|地方独立行政法人|特定非営利活動法人|NPO法人|社会福祉法人|医療法人|学校法人|弁護士法人|税理士法人|司法書士法人|行政書士法人|社会保険労務士法人|特許業務法人|土地家屋調査士法人|監査法人|\(株\)|\(有\)|\(同\))\s?(?P<n>(?:{h}|{k}|{latin_name}|・){{1,16}})"
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
                r"(?P<n>(?:{h}|{k}){{1,10}})(?:信用金庫|信用組合|信金|銀行|証券|生命|損保|航空|電鉄|鉄道|高速道路|新聞社|通信社|商事|物産|工業|製作所|電機|電工|重工|自動車|建設|製薬|百貨店|大学|病院|市役所|区役所|町役場|村役場|役所|役場|県庁|都庁|府庁|道庁|県警|府警|道警|警視庁|警察署|警察本部|消防本部|消防局|省|庁|交通局|水道局|財務局|通信局|運輸局|整備局|労働局|協会|機構|委員会|取引所|公社|公団|財団|連合会|研究所|管制部|会議所|運輸|通運|海運|汽船|郵船|商船|急行|バス|化成|製菓|化粧品|精機|精工|電装|重機|通建|建工|電算|樹脂|食品|技研|商会|商店|興業|産業|共済|組合|学園|学院|高専|企業団|工務店)"
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
                r"(?P<n>(?:{h}|{k}|{latin_name}){{1,14}})・?(?:ホールディングス|テレコム|エアポート|モノレール|システムズ|ソリューションズ|ネットワークス|テクノロジーズ|テクノロジー|コミュニケーションズ|コーポレーション|エンジニアリング|インターナショナル|ジャパン|グループ|フィナンシャル|エナジー|ラボ|メトロ|エクスプレス|エアラインズ|エアライン|ウイングス|ウィングス|レールウェイ|トランスポート|ロジスティクス|ホールディング)"
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
        // Hiragana names before an organisation word (ゆのか温泉旅館組合, みさき保険).
        add(
            format!(
                r"(?P<n>[ぁ-ゖ]{{2,6}}){h}{{0,4}}?(?:{}|{})",
                alternation(lexicon::ORG_SUFFIXES),
                super::forms::BUSINESS_WORDS
            ),
            Kind::Org,
            "hiragana_org",
            0.75,
            Check::HiraganaName,
        );
        // A hiragana name (with a kanji word or two: X旅ネット) before an
        // online service's word (X予約, X決済, X発券, Xナビ, Xネット, Xペイ,
        // Xチケット): the service's or its operator's name.
        add(
            format!(
                r"(?P<n>[ぁ-ゖ]{{2,6}}){h}{{0,3}}?(?:{})",
                alternation(&super::checks::SERVICE_WORDS)
            ),
            Kind::Product,
            "hiragana_service",
            0.75,
            Check::HiraganaService,
        );
        // The same before a club's or a trade's word (X卓球クラブ, X石油, X米穀).
        add(
            format!(
                r"(?P<n>[ぁ-ゖ]{{2,6}}){h}{{0,3}}?(?:{})",
                alternation(&super::checks::TRADE_WORDS)
            ),
            Kind::Org,
            "hiragana_trade",
            0.75,
            Check::HiraganaService,
        );
        // A hiragana name before a shop or inn word (ふくろう屋, ささなみ亭), a
        // carrier's service or a vehicle (はやて便, かもめ号).
        add(
            r"(?P<n>[ぁ-ゖ]{2,6})(?:屋|亭|堂|庵|舎|荘|便|号)".into(),
            Kind::Org,
            "hiragana_shop",
            0.75,
            Check::HiraganaName,
        );
        // A katakana word before a shop or studio word (ベニバナ堂, ツグミ舎,
        // マツカゼ亭) is a shop's name even when the word is an everyday one
        // (an animal, a plant); 屋 is left out: パン屋 is a kind of shop.
        add(
            r"(?P<n>[ァ-ヺ][ァ-ヺー]{1,10}(?:堂|舎|庵|亭|軒|本舗))".into(),
            Kind::Org,
            "katakana_shop",
            0.75,
            Check::KatakanaName,
        );
        // A katakana word in a business relation (サクラから受注, ツバメとの
        // 契約, オオルリ向けに出荷): only a company is ordered from, delivered
        // to or contracted with, an everyday word or not; IT vocabulary (メール
        // から受注) is the channel, not the company.
        add(
            r"(?P<n>[ァ-ヺ][ァ-ヺー]{1,12})(?:様|さん|社)?(?:から(?:の)?(?:受注|発注|入金|請求|仕入)|へ(?:の)?(?:納品|出荷|発送|請求|支払)|に(?:納品|出荷|発送|請求|発注)|との(?:契約|取引|商談|協業|提携)|向け(?:の|に)?(?:出荷|納品|発送|案件))".into(),
            Kind::Org,
            "katakana_partner",
            0.75,
            Check::KatakanaName,
        );
        // A shop or inn type before a hiragana name (スーパーまるやま).
        add(
            r"(?:スーパー|ドラッグストア|ホテル|旅館|料亭|カフェ|レストラン|書店|商店)(?P<n>[ぁ-ゖ]{2,6})(?:で|が|は|に|を|の|と|も|へ|や|から|まで|、|。|\s|$)".into(),
            Kind::Org,
            "shop_name",
            0.7,
            Check::Inner,
        );
        // Katakana names glued after their relation (業者スクールリンクス, 顧客のベルナ):
        // the name is not made of IT vocabulary only (顧客データ is no company).
        add(
            format!(
                r"(?:{})の?(?P<n>[ァ-ヺー・]{{2,}})",
                alternation(lexicon::RELATION_WORDS)
            ),
            Kind::Org,
            "relation_company",
            0.7,
            Check::RelationGlued,
        );
        // Contractors named by their relation: 保守業者のテクノ南国と, 委託先のX社が.
        add(
            format!(
                r"(?:{})の(?P<n>(?:{h}|{k}|[A-Za-z]){{3,12}})(?:が|と|に|は|から|へ|、)",
                alternation(lexicon::RELATION_WORDS)
            ),
            Kind::Org,
            "relation_company",
            0.7,
            Check::Relation,
        );
        // Hiragana company names after a corporate form (株式会社しんくみシステム),
        // or a professional or non-profit corporation's (税理士法人ひなた会計,
        // 医療法人あさぎり会).
        add(
            format!(
                r"(?:株式会社|有限会社|合同会社|合資会社|合名会社|社会福祉法人|医療法人|学校法人|弁護士法人|税理士法人|司法書士法人|行政書士法人|社会保険労務士法人|特許業務法人|土地家屋調査士法人|監査法人|特定非営利活動法人|NPO法人)\s?(?P<n>[ぁ-ゖ][ぁ-ゖー]{{1,8}}(?:{h}|{k}|[A-Za-z])*)"
            ),
            Kind::Org,
            "corporate_hiragana",
            0.85,
            Check::HiraganaCorp,
        );
        add(
            format!(r"(?P<n>{k}{{2,}}(?:・{k}{{2,}})*)社"),
            Kind::Org,
            "katakana_company",
            0.75,
            Check::KatakanaCompany,
        );
        // A kanji name + a katakana industry word (北斗ケミカル, 東雲ソリューションズ).
        add(
            format!(
                r"(?P<n>{h}{{2,4}})(?:ソリューションズ?|テクノロジーズ?|テクノ|テック|システムズ|エンジニアリング|ケミカル|ファーマシー|ファーマ|メディカル|ロジスティクス|ネットワークス|コーポレーション|ホールディングス|トレーディング|エレクトロニクス|マテリアルズ?|フーズ|インダストリー|コンサルティング|パートナーズ|ワークス|ストア|マート)"
            ),
            Kind::Org,
            "kanji_katakana_company",
            0.75,
            Check::KanjiKatakanaCompany,
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

        // A patient's or a resident's number in brackets right after the
        // name and its honorific (`X様（00391577）`, `X様（7730-4519）`): the
        // record's id, as the label before the first mention said.
        add(
            r"(?:様|さん|氏|殿|くん|ちゃん)\((?P<n>[0-9]{6,10}|[0-9]{2,5}-[0-9]{3,6})\)".into(),
            Kind::Identifier,
            "id_after_honorific",
            0.8,
            Check::Inner,
        );
        // A trial subject's or a case's number (`Subject 012-0047`,
        // `被験者 03-0114`, `症例番号 21-305`): one person in the study.
        add(
            r"(?:[Ss]ubject|SUBJECT|[Pp]atient|被験者|症例)(?:番号|No\.?|ID|#)?[ ]?[:：]?[ ]?(?P<n>[0-9]{2,4}-[0-9]{3,5})(?:[^0-9A-Za-z\p{Han}\-]|$)".into(),
            Kind::Identifier,
            "subject_number",
            0.8,
            Check::Inner,
        );
        // An amateur radio call sign (JA1ABC, 7K3XYZ): one station, one
        // licensee, as a disaster net's log writes them.
        add(
            r"(?:J[A-S]|7[J-N])[0-9][A-Z]{2,3}".into(),
            Kind::Identifier,
            "call_sign",
            0.8,
            Check::None,
        );

        // An id given as an example in brackets after its label
        // (`保険者番号（例 06140527）`, `プロジェクトID（例 hp250113）`): a real
        // number all the same. It holds a digit.
        add(
            r"(?:番号|ID|コード|No\.?)\((?:例|例えば|e\.g\.)[ :：]?(?P<n>[0-9A-Za-z\-]{0,15}[0-9][0-9A-Za-z\-]{0,15})\)".into(),
            Kind::Identifier,
            "example_id",
            0.8,
            Check::Inner,
        );
        // A street address's town and block after its municipality or its
        // postal code (`X市穂高有明6ー12ー9`, `〒215-0093 新百合台3-8-1`):
        // the three numbers make it a lot, not a clause or a figure.
        add(
            format!(
                r"(?:市|区|町|村|〒[0-9]{{3}}-[0-9]{{4}} ?)(?P<n>(?:{h}|[ヶノ]){{2,6}}[0-9]{{1,2}}[-ー][0-9]{{1,3}}[-ー][0-9]{{1,4}})"
            ),
            Kind::Place,
            "town_block",
            0.8,
            Check::Inner,
        );

        // --- persons ---
        let surnames = lexicon::SURNAMES
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("|");
        add(
            format!(
                r"(?P<n>(?:{surnames}){h}{{0,3}})\s?(?:氏|さん|様|樣|君|くん|課長|部長|係長|主任|主査|主幹|社長|会長|副社長|専務|常務|取締役|本部長|室長|所長|局長|支店長|医師|教授|弁護士|記者|担当者|担当|議員|知事|市長|大臣|長官|マネージャー|リーダー)"
            ),
            Kind::Person,
            "surname_title",
            0.9,
            Check::SurnameTitle,
        );
        add(
            format!(
                r"(?P<n>(?:{h}|ヶ){{2,4}})(?:[ \u{{3000}}]?(?:氏|さん|様|樣)|[ \u{{3000}}](?:先生|殿))"
            ),
            Kind::Person,
            "honorific",
            0.7,
            Check::PersonHonorific,
        );
        add(
            format!(
                r"(?P<n>{h}{{2,3}})(?:課長代理|部長代理|課長|部長|係長|主任|主査|主幹|室長|所長|支店長|本部長)"
            ),
            Kind::Person,
            "name_title",
            0.6,
            Check::PersonTitle,
        );
        // A name in Hangul glossed by its katakana reading in brackets
        // (`X（キム・ミンジュ）`, `X（ハヌルツアー）`): a Korean person's or
        // company's name as a Japanese report writes it.
        add(
            r"(?P<n>\p{Hangul}{2,8})[（(][ァ-ヺー・]{2,}".into(),
            Kind::Person,
            "hangul_glossed",
            0.8,
            Check::Inner,
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
        // A hiragana name (with a kanji or two: ひかり野) before a site word
        // (みなと営業所, さくら台センター, しらかば保育園): the site word makes
        // it a place of business, the hiragana check that it is a whole word.
        add(
            format!(
                r"(?P<n>[ぁ-ゖ]{{2,6}}){h}{{0,2}}?(?:営業所|事業所|出張所|工場|センター|保育園|幼稚園|こども園|小学校|中学校|病院|医院|クリニック|倉庫|支店|支社)"
            ),
            Kind::Facility,
            "hiragana_site",
            0.75,
            Check::HiraganaName,
        );
        add(
            format!(
                r"(?P<n>{h}(?:{h}|[ヶノ]){{0,9}}|{k}{{2,10}}|[A-Za-z][A-Za-z0-9]{{1,9}})(?:国際空港|空港|飛行場|原子力発電所|火力発電所|水力発電所|発電所|変電所|インターチェンジ|スマートIC|IC|JCT|ジャンクション|パーキングエリア|サービスエリア|料金所|自動車道|トンネル|浄水場|取水口|取水堰|取水塔|排水機場|揚水機場|集会所|分署|試験場|データセンター|駅|港|ダム|支社|支店|営業所|事業所|出張所|工場|製作所|ビル|タワー|店|分室|分館|キャンパス|集荷場|集配センター|配送センター|物流センター)"
            ),
            Kind::Facility,
            "facility_suffix",
            0.8,
            Check::Name,
        );
        // Numbered sites of a named place (相模第二工場, 岩槻第3センター,
        // 港北第2上屋, 桐生第一配水池, a ヶ inside the name: 関ヶ原第三倉庫): the
        // name and the ordinal, whatever the site word.
        add(
            format!(
                r"(?P<n>(?:{h}|ヶ){{2,8}}|{k}{{2,10}})第?[0-9一二三四五六七八九十]{{1,2}}(?:工場|プラント|デポ|倉庫|物流センター|配送センター|センター|事業所|製作所|研究所|データセンター|上屋|配水池|取水場|浄水場|ポンプ場)"
            ),
            Kind::Facility,
            "numbered_site",
            0.8,
            Check::Name,
        );
        // Named buildings, kanji and katakana mixed, with their floor (梅田センタービル5階).
        add(
            format!(
                r"(?P<n>(?:{h}|{k}){{2,12}})(?:ビルディング|ビル|タワー|会館)(?:\s?(?:\d{{1,3}}[階F]|B\d{{1,2}}F?))?"
            ),
            Kind::Facility,
            "building",
            0.8,
            Check::Building,
        );
        // A named room of an inn or a hall (`萩の間`, `白鷺の間` in a booking
        // line): two or three kanji and の間 as a word of its own, a blank or a
        // separator after it. Prose joins の間 to what follows (両社の間で).
        add(
            format!(r"(?P<n>{h}{{1,3}}の間)(?:[ \u{{3000}}、,）)」』]|$)"),
            Kind::Facility,
            "named_room",
            0.8,
            Check::Room,
        );
        // The same in hiragana, in brackets or quotes (`（さつきの間）`): the
        // brackets set it apart from prose (しばらくの間).
        add(
            r"[「『（(](?P<n>[ぁ-ゖー]{2,6}の間)[」』）)]".into(),
            Kind::Facility,
            "named_room",
            0.8,
            Check::Room,
        );
        // A work's or a campaign's title quoted after its kind (`番組「X」`,
        // `特別展「X」`, `キャンペーン「X」`, `カタログ「X」`, `ゲーム『X』`,
        // a sake's grade before its brand, `純米吟醸「X」`):
        // whatever its words (a title is often a phrase: X の Y), the kind
        // and the quotes make it a name. A common word, a status or a message
        // in the quotes is not one.
        add(
            r"(?:番組|企画展|特別展|展覧会|カタログ|キャンペーン|イベント|イベ|ゲーム|ドラマ|アニメ|映画|書籍|雑誌|公演|ツアー|フェア|吟醸|純米)[「『](?P<n>[^」』「『\n]{2,24})[」』]".into(),
            Kind::Product,
            "quoted_title",
            0.75,
            Check::QuotedTitle,
        );
        // A name a caller or a suspect gives for themself (`「ケンジ」と名乗る`,
        // `「ハヤブサ」と称して`): an alias that still points at one person;
        // a common word or a role in the quotes is no name.
        add(
            r"[「『](?P<n>[^」』「『\n]{1,12})[」』]\s?と(?:名乗|名の[らりるれっ]|称し|称する)"
                .into(),
            Kind::Person,
            "quoted_alias",
            0.75,
            Check::QuotedAlias,
        );
        // A name shown for a player, a seller or an account holder, quoted
        // after 名 (`（名「夜鷹Z」）`, `表示名「黒猫堂」`, `プレイヤー名「X」`,
        // `本名「X」`): 名 as a word of its own or after a word that says whose
        // name it is; not a product's, a file's or a mail's (品名, ファイル名,
        // 件名), nor a head count (一名).
        add(
            r"(?:^|[（(、,\s：:]|表示|プレイヤー|ハンドル|キャラクター|キャラ|本|登録|名義人)名(?:前)?[はが]?[「『](?P<n>[^」』「『\n]{1,16})[」』]".into(),
            Kind::Person,
            "quoted_handle",
            0.75,
            Check::QuotedAlias,
        );
        // A room's own name quoted after the room (`会議室「X」`, `ユニット
        // 「X」`, `大浴場「X」`): whatever its words, the quotes make it a name.
        add(
            r"(?:会議室|応接室|研修室|多目的室|ユニット|ホール|大浴場|露天風呂|宴会場|大広間)「(?P<n>[^」\s、。]{2,10})」".into(),
            Kind::Facility,
            "quoted_room",
            0.8,
            Check::QuotedRoom,
        );
        // A meeting room by its floor (`5F 第4会議室`, `3階 ミドリ会議室`,
        // `2階役員会議室`) or by a letter after it (`中会議室B`): one room of
        // the company's, where a meeting or an interview was held. The bare
        // word (会議室で協議) and an ordinal alone (第2会議室) stay.
        add(
            r"(?:^|[^0-9０-９])(?P<n>[0-9０-９]{1,2}(?:階|F|Ｆ)[ \u{3000}]?(?:第[0-9０-９一二三四五六七八九十]{1,2}|[\p{Han}ァ-ヺー]{1,4})?(?:会議室|応接室|研修室|面談室|打合せ室|役員室)|(?:第[0-9０-９一二三四五六七八九十]{1,2}|[大中小])?(?:会議室|応接室|研修室|面談室)[A-ZＡ-Ｚ])(?:[^A-Za-z]|$)".into(),
            Kind::Facility,
            "meeting_room",
            0.75,
            Check::Inner,
        );
        // A floor right after the name of its building or office
        // (`第三庁舎4階`, `ミナトベイ芝浦12階`, `ひだまりセンター 2F`): where in
        // that building; a floor in prose (3階建て, 3階の) has no name before it.
        add(
            r"[\p{Han}ァ-ヺー]{2}[ \u{3000}]?(?P<n>(?:地下)?[0-9０-９]{1,2}(?:階|F|Ｆ))(?:[^0-9０-９A-Za-zＡ-Ｚ建部以]|$)".into(),
            Kind::Facility,
            "floor_after_name",
            0.7,
            Check::FloorAfterName,
        );
        // A school class by its grade (`2年C組`, `5年2組`, `三年一組`): the
        // pupils of one room.
        add(
            r"(?P<n>[0-9０-９一二三四五六]年[A-ZＡ-Ｚ0-9０-９一二三四五六七八九十]{1,2}組)".into(),
            Kind::Facility,
            "school_class",
            0.8,
            Check::Inner,
        );
        // A flat's number glued to its building's name (`コーポ桜並木402号室`)
        // and a courtroom's (`第812号法廷`): the room a resident lives in,
        // the room a case was heard in.
        add(
            r"(?P<n>第?\d{3,4}号(?:室|法廷))".into(),
            Kind::Facility,
            "flat_number",
            0.75,
            Check::Inner,
        );
        // A numbered part of a site standing alone (`第2配水池`, `第3ドック`,
        // `第1工場`, `第二病棟`, `第2溶解棟`): the ordinal picks one plant,
        // gate, berth or ward of the company's. With a name glued before
        // it (相模第二工場) `numbered_site` takes the whole.
        add(
            format!(
                r"(?P<n>第[0-9０-９一二三四五六七八九十]{{1,2}}(?:{h}{{0,3}}?(?:棟|工場|倉庫|冷蔵庫|冷凍庫|配水池|浄水場|ポンプ場|取水場|変電所|発電所|作業場|加工場|集荷場|格納庫|上屋)|ゲート|ドック|バース|ターミナル|プラント))"
            ),
            Kind::Facility,
            "ordinal_site",
            0.75,
            Check::OrdinalSite,
        );
        // A hospital ward by its floor and wing (`東4階病棟`, `５西病棟`,
        // `3階西病棟`, `東病棟6階`): which ward of the hospital the patient
        // was in.
        add(
            r"(?P<n>[東西南北]?[0-9０-９]{1,2}階?[東西南北]?病棟|[東西南北]病棟[0-9０-９]{1,2}階)"
                .into(),
            Kind::Facility,
            "floor_ward",
            0.75,
            Check::OrdinalSite,
        );
        // A wing of a building with its floor (`本館地下1階`, `新館7階`,
        // `B棟2F`): where on the site it happened, the site's name aside.
        add(
            r"(?P<n>(?:本館|別館|新館|旧館|[東西南北]館|[東西南北A-Z]棟)[ \u{3000}]?(?:地下)?[0-9０-９]{1,2}(?:階|F|Ｆ))".into(),
            Kind::Facility,
            "wing_floor",
            0.75,
            Check::OrdinalSite,
        );
        // A room's number with 号 or 号室 standing alone (`207号 X さん`,
        // `居住者 1204号室`, `（803号室）`): a resident's or a guest's room.
        add(
            r"(?P<n>\d{3,4}号室?)".into(),
            Kind::Facility,
            "room_number",
            0.75,
            Check::NumberAlone,
        );
        // A ward's or a wing's code standing alone (`6東 夜勤`, `受け手：7西
        // リーダー`, `5南 X様`): the floor and the side of a hospital's ward
        // as hand-overs write it; an address's block (南1西5) is glued to a
        // word before it.
        add(
            r"[0-9]{1,2}[東西南北]".into(),
            Kind::Facility,
            "ward_code",
            0.75,
            Check::WardCode,
        );
        // A nursery's class named by a kana word (`ぱんだ組`, `こあら組`,
        // `ウサギ組`): one room of children, as rules29's 2年C組 is of pupils.
        add(
            r"(?P<n>(?:[ぁ-ゖ]{2}|[ァ-ヺー]{2})組)(?:[^みまむめ合織込立替換成長員]|$)".into(),
            Kind::Facility,
            "kana_class",
            0.75,
            Check::KanaClass,
        );
        // A bed or a seat by its number (`ベッド No.14`, `ベッド4`, `病床 12`):
        // where the patient lay; a count (ベッド 3台) is none.
        add(
            r"(?:ベッド|ベット|病床|座席)[ ]?(?P<n>(?:No\.?|NO\.?|no\.|番号|#)?[ ]?[0-9]{1,3})(?:[^0-9A-Za-z台床人名件個枚列回分時秒日%.,]|$)".into(),
            Kind::Facility,
            "bed_number",
            0.75,
            Check::Inner,
        );
        // A room's number after its building, with no 号 (`ことぶき館 305`,
        // `コーポX 203`, `かえで棟210`): a resident's room, as a care home's
        // or a shelter's list writes it.
        add(
            r"(?:[\p{Han}ぁ-ゖァ-ヺー](?:館|荘|寮|棟|ハイツ|ハイム|マンション|アパート|レジデンス|コーポ)|(?:コーポ|ハイツ|メゾン|パレス|レジデンス|ハイム)[\p{Han}ぁ-ゖァ-ヺー]{1,8})[ ]?(?P<n>[0-9]{3,4})(?:[^0-9A-Za-z.,:/\-]|$)".into(),
            Kind::Facility,
            "building_room",
            0.75,
            Check::BuildingRoom,
        );
        // A lift, a ticket gate or a generator by its unit (`エレベーター2号機`,
        // `自動改札 3号機`): the one that failed, on a named site.
        add(
            r"(?:エレベーター|エレベータ|昇降機|自動改札|改札機|券売機|発電機)[ ]?(?P<n>[0-9]{1,2}号機)"
                .into(),
            Kind::Facility,
            "unit_number",
            0.75,
            Check::Inner,
        );
        // A site's kana nickname glossed by its kind in brackets
        // (`ぽっけ（放デイ）`, `ニコニコ（学童）`): the kind says the word
        // names a place the child goes to.
        add(
            r"(?P<n>[ぁ-ゖー]{2,6}|[ァ-ヺー]{2,8})\((?:放デイ|放課後等デイ|放課後デイ|デイ|デイサービス|学童|学童保育|保育園|こども園|幼稚園|作業所|グループホーム|ショートステイ|事業所)\)".into(),
            Kind::Facility,
            "glossed_kana_site",
            0.75,
            Check::GlossedKana,
        );
        // A wing of an inn or a home named in hiragana after its wing word
        // (`別館しおさい`, `新館・あかつき`, `離れ・せせらぎ`): the guest's or
        // the resident's building; a particle or a function word after
        // 本館 (本館ではなく, 本館および) is prose.
        add(
            r"(?:(?:別館|本館|新館|旧館)・?|離れ・)(?P<n>[ぁ-ゖー]{2,6})".into(),
            Kind::Facility,
            "kana_wing",
            0.75,
            Check::KanaWing,
        );
        // A hall or an arena by its name (`県央文化ホール`, `港北アリーナ`); a
        // katakana word after it (Xホールディングス, Xアリーナサポート) is a company's.
        add(
            format!(r"(?P<n>{h}{{2,6}})(?:ホール|アリーナ)(?:[^ァ-ヺー]|$)"),
            Kind::Facility,
            "named_hall",
            0.75,
            Check::Hall,
        );
        // A vessel named with 丸 (`第三X丸`, `フェリーX丸`, `X丸「…」`).
        add(
            r"(?:\p{Han}|[ぁ-ゖァ-ヺー々]){2,14}丸".into(),
            Kind::Facility,
            "ship",
            0.75,
            Check::Ship,
        );
        // A care home's unit named in hiragana after ユニット (`ユニットX`).
        add(
            r"ユニット(?P<n>[ぁ-ゖ]{2,6})".into(),
            Kind::Facility,
            "kana_unit",
            0.75,
            Check::UnitName,
        );
        // The same in hiragana, numbered or not (さくら第二ビル 5F, ひまわりタワー).
        add(
            r"(?P<n>[ぁ-ゖー]{2,6})(?:第[0-9一二三四五六七八九十]{1,2})?(?:ビルディング|ビル|タワー|会館)(?:\s?(?:\d{1,3}[階F]|B\d{1,2}F?))?".into(),
            Kind::Facility,
            "kana_building",
            0.8,
            Check::KanaBuilding,
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
            format!(r"(?P<n>(?:{h}|ヶ){{1,5}}[ー\-〜~](?:{h}|ヶ){{1,5}})間"),
            Kind::Facility,
            "section",
            0.7,
            Check::Section,
        );

        // --- products and brand names ---
        add(
            format!(r"[A-Za-z][A-Za-z0-9]*(?:[\-&.'_][A-Za-z0-9]+)*(?:{k}+)?"),
            Kind::Product,
            CANDIDATE_LATIN,
            0.6,
            Check::Latin,
        );
        // Nationwide named systems (全国瞬時警報システム, 全国銀行データ通信
        // システム) are proper names, however generic their words look.
        add(
            format!(r"全国(?:{h}|{k}){{2,14}}?(?:システム|ネットワーク|ネット)"),
            Kind::Product,
            "nationwide_system",
            0.8,
            Check::None,
        );
        add(r"(?:システム|サービス|アプリ|製品|ソフトウェア|ソフト|パッケージ|ブランド|基盤|名称|案件|案件名|プロジェクト|プロジェクト名|コードネーム|愛称|通称|ゲーム|タイトル|ツール|商品|機種|モデル)「(?P<n>[^」]{1,30})」".into(), Kind::Product, "quoted_name", 0.7, Check::Quoted);
        // 『』 marks a title (a game, an app, a service) wherever it stands.
        add(
            r"『(?P<n>[^』]{1,30})』".into(),
            Kind::Product,
            "quoted_name",
            0.7,
            Check::Quoted,
        );

        // --- dates and times ---
        add(r"(?:(?:19|20)\d{2}|(?:令和|平成|昭和|R|H|S)\s?(?:\d{1,2}|元))年度?\s?\d{1,2}月(?:\s?\d{1,2}日)?(?:\s?\([月火水木金土日]\))?(?:\s?(?:午前|午後)?\d{1,2}時(?:\d{1,2}分|半)?(?:頃|ごろ)?)?".into(), Kind::Date, "ymd", 0.95, Check::None);
        add(r"(?:19|20)\d{2}[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?:\s?\([月火水木金土日]\))?(?:(?:T|\s)\d{1,2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:?\d{2}|Z)?)?".into(), Kind::Date, "iso_date", 0.95, Check::IsoDate);
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
            r"(?:午前|午後)?\d{1,2}時(?:\d{1,2}分|半)?(?:頃|ごろ)?|(?:午前|午後)?\d{1,2}:\d{2}|同\d{1,2}分"
                .into(),
            Kind::Date,
            "time",
            0.8,
            Check::Time,
        );

        // --- exact figures ---
        add(r"(?:延べ)?(?:(?:約|計|全|延べ|最大|合計|上下|総|およそ|少なくとも|累計)\s?)?\d[\d,]*(?:\.\d+)?(?:[兆億万千](?:\d[\d,]*)?)*(?:(?:〜|~|から|ー|-)\d[\d,]*(?:\.\d+)?(?:[兆億万千](?:\d[\d,]*)?)*)?\s?(?:の(?:市町村|市区町村|自治体|団体|機関|事業者|企業|金融機関)|件|人|名|台|個|店舗|店|本|便|円|社|駅|カ所|ヶ所|か所|箇所|ケ所|種類|県|市区町村|市町村|市町|自治体|世帯|戸|回線|口座|枚|通|棟|拠点|校|団体|機関|ユーザー|ユーザ|アカウント|契約|路線|列車|局|行|事業者)(?:以上|超|余り|強|弱)?".into(), Kind::ExactNumber, "count", 0.9, Check::Count);
        // An amount written with its currency first (¥2,480,000, JPY 1.2M is
        // not a figure form; US$ 15,000): the same figure as 248万円.
        add(
            r"(?:約|計|総額|合計|最大|およそ)?(?:¥|JPY ?|US\$ ?|USD ?|\$)\d[\d,]*(?:\.\d+)?(?:[兆億万千](?:\d[\d,]*)?)*(?:円|ドル)?(?:以上|超|余り|強|弱)?"
                .into(),
            Kind::ExactNumber,
            "currency",
            0.9,
            Check::Count,
        );
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
        let mut place_prefecture = FxHashMap::default();
        let mut place_class = FxHashMap::default();
        let mut place_names = FxHashSet::default();
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
        let prefilter = Prefilter::new(rules.iter().map(|r| r.re.as_str()));
        let persons = persons::PersonRules::new();
        let slots = slots::SlotRules::new();
        let labels = labels::LabelRules::new();
        let voices = voices::VoiceRules::new();
        let sites = sites::SiteRules::new();
        let apart = apart::ApartRules::new();
        let prefilters = Prefilters::new(&[
            &prefilter,
            &persons.prefilter,
            &slots.prefilter,
            &labels.prefilter,
            &sites.prefilter(),
            &brands::prefilter(),
            &apart.prefilter(),
            &voices.prefilter(),
        ]);
        Recognizers {
            prefilters,
            rules,
            lex,
            lex_meta,
            lex_katakana,
            place_names,
            vocab: lexicon::it_vocabulary(),
            persons,
            slots,
            labels,
            voices,
            sites,
            apart,
            latin_run: rx(
                r"[A-Z\u{C0}-\u{D6}\u{D8}-\u{DE}][A-Za-z\u{C0}-\u{D6}\u{D8}-\u{F6}\u{F8}-\u{FF}0-9'&.\-]*(?:(?: |, ?)[A-Z\u{C0}-\u{D6}\u{D8}-\u{DE}][A-Za-z\u{C0}-\u{D6}\u{D8}-\u{F6}\u{F8}-\u{FF}0-9'&.\-]*)*",
            ),
            place_prefecture,
            place_class,
        }
    }
}

/// A regex alternation of literal words.
pub(super) fn alternation(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| regex::escape(w))
        .collect::<Vec<_>>()
        .join("|")
}
