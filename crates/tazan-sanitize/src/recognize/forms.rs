//! Structure cues of report forms and the organisation names they hold:
//!
//! - a field whose key names an identifier (`受付番号`, `会員No`, `ticket_id`)
//!   holds one, whatever its shape, as a label before the value would
//!   (`labelled_id`) in free text;
//! - a company named by its relation and a separator (`協力会社 X の`,
//!   `委託先（X）`, `影響顧客：X、`), as `relation_company` does with の;
//! - a katakana name glued to a kanji business word (`ツグミ乳業`), where the
//!   katakana is an ordinary word the dictionary knows, so no candidate rule
//!   masks it;
//! - an upper-case abbreviation beside a company in brackets
//!   (`KMS（カネマス商事）`, `カネマス商事（KMS）`) is that company, everywhere
//!   in the text;
//! - a lower-case hyphenated host or system name that ends in a number
//!   (`db-kms-01`, `app-core2`), whose parts may each be vocabulary;
//! - a host's first label alone elsewhere in the text (`gpu07` after
//!   `gpu07.lab.internal`);
//! - a clerk's code after 担当 (`担当 7012`), a number after an English
//!   business label (`PO 45-88120`), the building between an address's
//!   number and a room number (`…18-3 X 203号`).

use super::*;

/// Key endings that name an identifier.
const ID_KEY_ENDS: [&str; 8] = [
    "番号",
    "No",
    "NO",
    "No.",
    "ID",
    "ＩＤ",
    "コード",
    "ナンバー",
];

/// Last parts of an ASCII key (split at `_`, `-`, `.`, a space or camel case)
/// that name an identifier.
const ID_KEY_WORDS: [&str; 8] = ["id", "no", "number", "num", "code", "ref", "ticket", "case"];

/// Kanji business words that end a company name after a katakana name.
/// Only words that rarely follow an ordinary katakana noun (not 情報, 通信,
/// 開発, 設備: ミサイル情報, データ通信).
pub(super) const BUSINESS_WORDS: &str = "地所|工務店|乳業|運送|陸運|電設|電業|総研|計装|測量|製紙|酒造|醸造|製粉|興産|工機|工営|建機|商会|商事|技研|電工|精機|運輸|興業|物産|電算|製菓|薬品|薬局|製薬|機工|通建|電機|精工|工業|製作所|冷熱|水産|設備工業|電設工業|警送|住宅管理|鮮魚|冷食|製版";

/// Relation words that name a company only before a separator (`保守 X`,
/// `開発元：X`): glued to a word they are work, not a relation (保守作業).
const SEPARATED_RELATIONS: &[&str] = &[
    "保守",
    "委託",
    "提供元",
    "開発元",
    "販売元",
    "製造元",
    "納入元",
    "保守元",
    "保守窓口",
    "サポート窓口",
    "共同研究先",
    "送付先",
    "提出先",
    "問い合わせ先",
    "問合せ先",
    "発注者",
    "発注元",
    "施主",
];

/// Adds the rules of this module to `add` (the rule table of `rules.rs`).
pub(super) fn add_rules(add: &mut impl FnMut(String, Kind, &'static str, f32, Check)) {
    // A clerk's code after 担当 on a journal or a slip (`担当 7012 X`).
    add(
        r"(?:担当|担当者|係員|操作者)[ \u{3000}:：]?(?P<n>\d{3,6})(?:[ \u{3000}]|$)".into(),
        Kind::EmployeeId,
        "clerk_code",
        0.85,
        Check::Inner,
    );
    // An English business label before its number (`PO 45-88120`, `Invoice
    // #2231-7`): the number only.
    add(
        r"(?:PO|P/O|Order|Invoice|Inv\.|Ref\.?|Req)[ ]?(?:No\.?|#)?[ ]?[:#]?[ ]?(?P<n>[A-Za-z0-9][A-Za-z0-9-]{2,}[0-9])".into(),
        Kind::Identifier,
        "english_labelled_id",
        0.9,
        Check::LabelledId,
    );
    // The building of an address, between its number and the room's
    // (`…5丁目18-3 X 203号`): whatever stands there names it.
    add(
        format!(
            r"\d[ \u{{3000}}]+(?P<n>(?:{H}|{K}|[A-Za-z・ー]){{2,16}})[ \u{{3000}}]*\d{{1,4}}号"
        ),
        Kind::Facility,
        "address_building",
        0.8,
        Check::Inner,
    );
    // The same with a bare room number after a house number (`…2-11 X 405
    // 氏名`): the lot's hyphen or 番地 says the digits before are an address.
    add(
        format!(
            r"(?:\d-\d{{1,4}}|番地?|丁目)[ \u{{3000}}]+(?P<n>(?:{H}|{K}|[A-Za-z・ー]){{2,16}})[ \u{{3000}}]+\d{{2,4}}(?:号室?)?(?:[ \u{{3000}}]|$)"
        ),
        Kind::Facility,
        "address_building",
        0.8,
        Check::Inner,
    );
    add(
        format!(r"(?P<n>{K}{{2,10}})(?:{BUSINESS_WORDS})"),
        Kind::Org,
        "katakana_business",
        0.75,
        Check::KatakanaBusiness,
    );
    add(
        format!(
            r"(?:{})(?:[ \u{{3000}}]+|[:：][ \u{{3000}}]?|[（(])(?P<n>(?:{H}|{K}|[A-Za-z]){{3,12}})(?:[ \u{{3000}}]?の|[ \u{{3000}}）)、,]|が|と|に|は|から|へ)",
            super::rules::alternation(&[lexicon::RELATION_WORDS, SEPARATED_RELATIONS].concat())
        ),
        Kind::Org,
        "relation_company",
        0.7,
        Check::Relation,
    );
    add_host_rule(add);
    add_seventh_round_rules(add);
}

/// Identifiers, buildings and organisations the seventh round found without
/// a legal form or a label word of the earlier rounds.
fn add_seventh_round_rules(add: &mut impl FnMut(String, Kind, &'static str, f32, Check)) {
    // The number of an access card or a badge in an entry log (`カード
    // 0005128`): it points to one holder.
    add(
        r"(?:IDカード|カード|入館証|社員証|セキュリティカード)(?:番号|No\.?)?[ \u{3000}:：#]*(?P<n>\d{5,10})(?:[^\d-]|$)".into(),
        Kind::Identifier,
        "badge_number",
        0.85,
        Check::Inner,
    );
    // A residential building type before or after its name (`ハイツ柊`,
    // `柊ハイツ`, `コーポ青葉`): the name makes it one building.
    add(
        format!(
            r"(?P<n>(?:ハイツ|コーポ|メゾン|ハイム|レジデンス)[ \u{{3000}}・]?{H}{{1,6}}|{H}{{1,6}}(?:ハイツ|ハイム|コーポ|レジデンス))"
        ),
        Kind::Facility,
        "residence_building",
        0.8,
        Check::Name,
    );
    // An association whose name joins a proper kanji head and a katakana
    // word (`北辰データ協会`): the katakana word alone is generic, the head
    // and the body's word make it one body.
    add(
        format!(r"(?P<n>{H}{{2,4}}{K}{{2,8}}(?:協会|協同組合|組合|連合会|連合|機構))"),
        Kind::Org,
        "kanji_katakana_association",
        0.8,
        Check::Inner,
    );
    // A hiragana name standing alone before a kind of system (`みのり農業
    // システム`, `ひかりソフト`): a systems house, not the system (a kind of
    // system follows a kanji word, or a particle: `このシステム`).
    add(
        format!(
            r"(?:^|[ \u{{3000}}:：、,（(「/])(?P<n>[ぁ-ゖ]{{2,6}}){H}{{0,4}}(?:システムズ|システム|ソフトウェア|ソフト|サービス|リース)"
        ),
        Kind::Org,
        "hiragana_systems_house",
        0.75,
        Check::HiraganaName,
    );
    // A club or circle named `X の会` standing apart (`灯の会`, `ひまわりの
    // 会`): one body of people.
    add(
        format!(
            r"(?:^|[ \u{{3000}}:：、,（(「/])(?P<n>(?:{H}{{1,3}}|[ぁ-ゖ]{{2,5}}|{K}{{2,6}})の会)(?:[ \u{{3000}}、,。」）)/]|$|が|は|に|と|から|へ|で|を|も)"
        ),
        Kind::Org,
        "named_circle",
        0.75,
        Check::Inner,
    );
    // A romanised handle: an initial and letters read as Japanese syllables.
    let handle = r"(?:[a-z][._-]?)?(?:(?:[kgsztdnhbpmr]y?|ch|sh|ts|j|f|w|y|kk|ss|tt|pp|tch)?[aeiou]|n){3,10}(?:[._-][a-z])?";
    // A romanised name used as a handle in Japanese text, before a
    // particle (`ymatsuzaki に確認`, `tobita.k が対応`): its letters read as
    // Japanese syllables, with an initial glued before or after.
    add(
        format!(
            r"(?:^|[\s、。「（(:：])(?P<n>{handle})[ ]?(?:に|が|は|から|へ|と|も|の|さん|氏|より|を)"
        ),
        Kind::Identifier,
        "romaji_handle",
        0.8,
        Check::Handle,
    );
    // The same handle where a machine names its user: after a user key
    // (`owner=kfujisaki`, `users: [tnagahama`), after `-u`, in a home
    // directory (`/home/mshiraishi/`), after a Windows domain (`CORP\ynoda`),
    // in brackets after its owner's name, or as a CSV cell. The keys: the
    // shared user keys, a list of users, and the roles a tracker names.
    let user_keys = super::shapes::USER_KEYS.join("|");
    add(
        format!(
            r"(?:(?-u:\b)(?:users|{user_keys}|owner|assignee|author|reviewer|reviewed_by)\s?[:=]\s?[\[(]?\s?|(?:^|\s)-u\s|/home/|/Users/|[A-Z]{{2,10}}\\|,)(?P<n>{handle})(?:$|[\s,;/)）\]}}])"
        ),
        Kind::Identifier,
        "romaji_handle",
        0.8,
        Check::Handle,
    );
    add(
        format!(r"[(（](?P<n>{handle})[)）]"),
        Kind::Identifier,
        "romaji_handle",
        0.8,
        Check::Handle,
    );
    // A katakana name with 社 a space after it: a company, even when made
    // of ordinary words; IT vocabulary is not.
    add(
        format!(r"(?P<n>{K}{{2,16}})[ \u{{3000}}]社(?:の|が|は|に|と|へ|、|。|製|から|より|\s|$)"),
        Kind::Org,
        "katakana_spaced_company",
        0.75,
        Check::KatakanaName,
    );
    // A product named in hiragana and kanji, quoted after its kind (`業務
    // アプリ「らくらく受付」`): the katakana-or-Latin test of the quoted
    // names cannot see it; a message in quotes starts with no such word.
    add(
        r"(?:システム|アプリ|ソフトウェア|ソフト|パッケージ|ツール|サービス|製品|商品)「(?P<n>[ぁ-ゖー]{2,8}(?:[\p{Han}ァ-ヺー]{1,8}|くん|ちゃん))」".into(),
        Kind::Product,
        "quoted_kana_product",
        0.7,
        Check::KanaProduct,
    );
    // A product named after its kind, in brackets or quotes (`予約システム
    // （X）`, `見守りセンサー「X」`, `アプリ（X）`): a kana name, alone or
    // with kanji, however ordinary its words; a gloss in kanji alone
    // (`システム（本番）`), a loanword of the trade (`アプリ（スマホ）`) and a
    // phrase (`アプリ（つながらない）`) are not one.
    add(
        r"(?:システム|アプリ|ソフトウェア|ソフト|パッケージ|ツール|サービス|ポータル|グループウェア|センサー|サイト|スパコン|タブレット|カルテ|電カル|レセコン|予約|配信)[「『（(](?P<n>[ぁ-ゖァ-ヺー\p{Han}]{2,12})[」』）)]".into(),
        Kind::Product,
        "kind_bracketed_product",
        0.7,
        Check::BracketedProduct,
    );
    // The value of a product label in any script (`製品名: クラウド受発注
    // くん`), up to the line's or the clause's end.
    add(
        r"(?:製品名|商品名|サービス名|ソフト名|アプリ名|パッケージ名)[ \u{3000}]*[:：][ \u{3000}]*(?P<n>[^\s、。,，()（）「」:：]{2,24})".into(),
        Kind::Product,
        "labelled_product",
        0.75,
        Check::KanaProduct,
    );
    // A company after its relation, の and a space (`子会社の 北斗リース`).
    add(
        format!(
            r"(?:{})の[ \u{{3000}}]+(?P<n>(?:{H}|{K}|[ぁ-ゖ]|[A-Za-z]){{3,12}})(?:[ \u{{3000}}、,。]|が|と|に|は|から|へ|$)",
            super::rules::alternation(lexicon::RELATION_WORDS)
        ),
        Kind::Org,
        "relation_company",
        0.7,
        Check::Relation,
    );
    // A business role, then its company in brackets (`決済代行（ペイフロー）`,
    // `外部SOC（…）`): a name even when made of ordinary or IT words, unless
    // it is IT vocabulary itself.
    add(
        r"(?:代行|事業者|業者|ベンダー|ベンダ|委託先|外注先|代理店|取引先|SOC|SIer|メーカー|サプライヤー|パートナー|協力会社|子会社|親会社)[（(](?P<n>[ァ-ヺー・][ァ-ヺー・]{1,20})[）)]".into(),
        Kind::Org,
        "role_bracket_company",
        0.75,
        Check::KatakanaName,
    );
    // A bare number after a business document's word (`注文 88123`,
    // `予約 20417`): the document's number, not a count (`注文 3件`).
    add(
        r"(?:注文|伝票|受注|発注|請求|納品|見積|契約|申込|問合せ|問い合わせ|予約|案件)[ \u{3000}]?(?:#|No\.?)?[ ]?(?P<n>\d{4,12})(?:[^\d件個円名台本点枚分時日万%％年月,.\-]|$)".into(),
        Kind::Identifier,
        "document_number",
        0.8,
        Check::Inner,
    );
    // A product's name with an edition word glued after it (`楽販Pro`,
    // `カイケイNext`): the Latin word alone is vocabulary, the whole is a
    // product.
    add(
        format!(
            r"(?P<n>(?:{H}|{K}){{1,8}}(?:Pro|PRO|Plus|PLUS|Next|NEXT|Cloud|One|ONE|NEO|Neo|Lite|Air|Max|360))(?:[^A-Za-z0-9]|$)"
        ),
        Kind::Product,
        "edition_product",
        0.75,
        Check::Inner,
    );
    // A computing or data-processing bureau named by its head (`陽光計算
    // センター`): a company that runs others' systems, not a room.
    add(
        format!(r"(?P<n>{H}{{2,4}}(?:計算センター|電算センター|計算機センター|情報処理センター))"),
        Kind::Org,
        "computing_bureau",
        0.8,
        Check::Inner,
    );
}

/// Registered with the rules of this module.
fn add_host_rule(add: &mut impl FnMut(String, Kind, &'static str, f32, Check)) {
    add(
        r"[a-z][a-z0-9]*(?:-[a-z0-9]+){1,4}".into(),
        Kind::Host,
        "short_host",
        0.8,
        Check::ShortHost,
    );
}

/// True when the field named `path` (its last key) holds an identifier.
pub(crate) fn is_id_field(path: &str) -> bool {
    let last = path.rsplit(['.', '#']).next().unwrap_or(path);
    let key = last.split('[').next().unwrap_or(last).trim();
    if ID_KEY_ENDS.iter().any(|e| key.ends_with(e)) {
        return true;
    }
    if !key.is_ascii() {
        return false;
    }
    // ticket_id, caseNo, Order-Number: the last word decides. Only its
    // letters and digits are kept, lower-cased; no ID word is longer than
    // `LONGEST`, so a longer word is counted, not kept.
    const LONGEST: usize = 6;
    let mut word = [0u8; LONGEST];
    let mut len = 0;
    let mut prev = b' ';
    for b in key.bytes() {
        let camel = b.is_ascii_uppercase() && prev.is_ascii_lowercase();
        if (b"_-. ".contains(&b) || camel) && len > 0 {
            len = 0;
        }
        if b.is_ascii_alphanumeric() {
            if let Some(slot) = word.get_mut(len) {
                *slot = b.to_ascii_lowercase();
            }
            len += 1;
        }
        prev = b;
    }
    word.get(..len)
        .is_some_and(|w| ID_KEY_WORDS.iter().any(|id| id.as_bytes() == w))
}

impl Recognizers {
    /// See the module doc: abbreviations of the companies in `hits` (byte
    /// ranges of `text`), as more org hits; and the short names of the hosts
    /// (see [`Self::host_short_names`]).
    pub(crate) fn org_abbreviations(&self, text: &str, hits: &mut Vec<Hit>) {
        self.host_short_names(text, hits);
        let abbr = |s: &str| {
            (2..=6).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && s.starts_with(|c: char| c.is_ascii_uppercase())
        };
        let mut found: Vec<&str> = Vec::new();
        for h in hits.iter().filter(|h| h.kind == Kind::Org) {
            // ABBR（company）
            let open = text[..h.range.start].strip_suffix(['（', '(']);
            let close = text[h.range.end..].starts_with(['）', ')']);
            if let (Some(before), true) = (open, close) {
                let start = before
                    .rfind(|c: char| !c.is_ascii_alphanumeric())
                    .map_or(0, |i| {
                        i + before[i..].chars().next().map_or(1, char::len_utf8)
                    });
                if abbr(&before[start..]) {
                    found.push(&before[start..]);
                }
            }
            // company（ABBR）
            let rest = &text[h.range.end..];
            if let Some(inner) = rest.strip_prefix(['（', '(']) {
                if let Some(end) = inner.find(['）', ')']) {
                    if abbr(&inner[..end]) {
                        found.push(&inner[..end]);
                    }
                }
            }
        }
        for a in found {
            // Tied to a company by brackets, even a vocabulary word (KMS) is
            // its name here; only standards bodies' letters stay (ISO).
            if super::shapes::STANDARD_PREFIXES.contains(&a) {
                continue;
            }
            for (i, _) in text.match_indices(a) {
                let before = text[..i].chars().next_back();
                let after = text[i + a.len()..].chars().next();
                if !before.is_some_and(|c| c.is_ascii_alphanumeric())
                    && !after.is_some_and(|c| c.is_ascii_alphanumeric())
                {
                    hits.push(Hit {
                        range: i..i + a.len(),
                        kind: Kind::Org,
                        rule: "org_abbreviation",
                        score: 0.8,
                        deny: None,
                        dict: false,
                        prio: 3,
                    });
                }
            }
        }
    }

    /// A host's first label standing alone elsewhere in the text (`gpu07`
    /// after `gpu07.lab.internal`): the same machine, so a host too, when the
    /// label has a digit or a hyphen and is no vocabulary word.
    fn host_short_names(&self, text: &str, hits: &mut Vec<Hit>) {
        let mut labels: Vec<&str> = Vec::new();
        for h in hits.iter().filter(|h| h.kind == Kind::Host) {
            let host = &text[h.range.clone()];
            let Some((first, _)) = host.split_once('.') else {
                continue;
            };
            let shaped = first.len() >= 3
                && first.chars().any(|c| c.is_ascii_digit() || c == '-')
                && first.starts_with(|c: char| c.is_ascii_alphabetic())
                && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if shaped && !self.is_standard(first) && !labels.contains(&first) {
                labels.push(first);
            }
        }
        let mut found = Vec::new();
        for l in labels {
            for (i, _) in text.match_indices(l) {
                let before = text[..i].chars().next_back();
                let after = text[i + l.len()..].chars().next();
                let word = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
                let taken = hits
                    .iter()
                    .any(|h| h.range.start <= i && i + l.len() <= h.range.end);
                if !taken && !before.is_some_and(word) && !after.is_some_and(word) {
                    found.push(i..i + l.len());
                }
            }
        }
        hits.extend(found.into_iter().map(|range| Hit {
            range,
            kind: Kind::Host,
            rule: "host_short_name",
            score: 0.8,
            deny: None,
            dict: false,
            prio: 3,
        }));
    }

    /// See [`Check::ShortHost`].
    pub(super) fn short_host(&self, text: &str, m: Range<usize>) -> Option<Range<usize>> {
        let s = &text[m.clone()];
        let before = text[..m.start].chars().next_back();
        let after = text[m.end..].chars().next();
        // Whole token: not inside a longer name, path, address or FQDN.
        let glued =
            |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || "._@/:-".contains(c));
        let last = s.rsplit('-').next().unwrap_or(s);
        // A form's label colon (対象サーバ：wms-ap-02) is no port or scheme.
        let label_colon = before == Some(':')
            && text[..m.start - 1]
                .chars()
                .next_back()
                .is_some_and(|c| !c.is_ascii());
        // A host after a user and @ with no domain (`batch@wms-ap-02>`, a
        // cron mail's sender): an address on that host.
        let user_at = before == Some('@') && !glued(after);
        let ok = (!glued(before) || label_colon || user_at)
            // A log line's source before its colon (lb-ext-1: …) stands alone.
            && (!glued(after) || (after == Some(':') && text[m.end + 1..].starts_with([' ', '\t'])))
            && s.len() >= 5
            && last.contains(|c: char| c.is_ascii_digit())
            && !self.is_standard(s)
            && !self.vocab.contains(s);
        ok.then_some(m)
    }

    /// See [`Check::KatakanaBusiness`].
    pub(super) fn katakana_business(
        &self,
        text: &str,
        m: Range<usize>,
        name: Range<usize>,
    ) -> Option<Range<usize>> {
        let head = &text[name];
        let mid_word = text[..m.start].chars().next_back().is_some_and(is_kata);
        // A material names a kind of industry (ガラス工業), not a company.
        let vocabulary = self.vocab.contains(&head.to_ascii_lowercase())
            || self.vocabulary_only(head)
            || crate::lexicon::MATERIALS.contains(&head);
        (!mid_word && !vocabulary).then_some(m)
    }

    /// See [`Check::BracketedProduct`]: `s` holds kana and is no phrase (a
    /// particle after a word, a verb's or a status's ending); with
    /// hiragana, a run of two or more; in katakana and kanji, a katakana
    /// word that is not a loanword of the trade.
    pub(super) fn bracketed_product(&self, s: &str) -> bool {
        if !name_ok(s) || !s.chars().any(|c| is_hira(c) || is_kata(c)) {
            return false;
        }
        let chars: Vec<char> = s.chars().collect();
        let phrase = chars
            .windows(2)
            .any(|w| (is_han(w[0]) || is_kata(w[0])) && PARTICLES.contains(&w[1]))
            || PHRASE_KANA.iter().any(|p| s.contains(p))
            || STATUS_ENDINGS.iter().any(|e| s.ends_with(e));
        if phrase {
            return false;
        }
        if chars.iter().any(|c| is_hira(*c)) {
            let mut run = 0;
            let mut longest = 0;
            for c in &chars {
                run = if is_hira(*c) || (*c == 'ー' && run > 0) {
                    run + 1
                } else {
                    0
                };
                longest = longest.max(run);
            }
            return longest >= 2;
        }
        char_runs(s, is_kata).iter().any(|r| {
            let k = &s[r.clone()];
            k.chars().count() >= 2
                && !self.vocab.contains(&k.to_ascii_lowercase())
                && !self.vocabulary_only(k)
        })
    }

    /// The value of an id field: each token with a digit (7730-2291-5,
    /// 0081-44720), not a figure with its unit nor a standard.
    /// A value an id field or column holds: a digit, three characters or
    /// more of id characters, no count and no standard.
    pub(super) fn is_id_value(&self, t: &str) -> bool {
        let digits = t.chars().filter(char::is_ascii_digit).count();
        let idish = t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c));
        let unit = t.ends_with(|c: char| "年月日時分秒件人名台個回%".contains(c));
        digits >= 1 && t.chars().count() >= 3 && idish && !unit && !self.is_standard(t)
    }

    pub(crate) fn scan_id_field(&self, n: &Normalized, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let mut at = 0;
        for tok in text.split([' ', '\u{3000}', '、', ',', '/']) {
            let start = at;
            at += tok.len()
                + text[at + tok.len()..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
            let t = tok.trim_start_matches(['#', '＃']);
            let start = start + (tok.len() - t.len());
            if self.is_id_value(t) {
                push(
                    out,
                    n,
                    start..start + t.len(),
                    Kind::Identifier,
                    "field_id",
                    0.9,
                    4,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_id_field;

    /// `is_id_field` as it was written before: the ASCII key split into a
    /// vector of words.
    fn is_id_field_by_split(path: &str) -> bool {
        let last = path.rsplit(['.', '#']).next().unwrap_or(path);
        let key = last.split('[').next().unwrap_or(last).trim();
        if super::ID_KEY_ENDS.iter().any(|e| key.ends_with(e)) {
            return true;
        }
        if !key.is_ascii() {
            return false;
        }
        let mut words = Vec::new();
        let mut cur = String::new();
        let mut prev = ' ';
        for c in key.chars() {
            let camel = c.is_ascii_uppercase() && prev.is_ascii_lowercase();
            if ("_-. ".contains(c) || camel) && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            if c.is_ascii_alphanumeric() {
                cur.push(c.to_ascii_lowercase());
            }
            prev = c;
        }
        words.push(cur);
        words
            .last()
            .is_some_and(|w| super::ID_KEY_WORDS.contains(&w.as_str()))
    }

    /// Every key of up to four characters from an alphabet of ID letters,
    /// separators and others, and longer keys: the same answer as before.
    #[test]
    fn id_fields_without_a_word_vector_answer_as_before() {
        let alphabet = [
            'i', 'd', 'I', 'D', 'n', 'o', 'N', '_', '-', '.', ' ', 'x', '1', '#', '[', 'é',
        ];
        let mut keys: Vec<String> = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = keys
                .iter()
                .flat_map(|k| alphabet.iter().map(move |c| format!("{k}{c}")))
                .collect();
            keys.extend(longer);
        }
        keys.extend(
            [
                "ticketNumber",
                "ticket_numbers",
                "caseNumberX",
                "orderRef",
                "ref_",
                "a.b.code",
                "TicketId",
                "ID_",
                "xCODE",
                "nums",
                "Num",
                "ticketcase",
                "number__",
                "No. ",
                "受付ticket_id",
            ]
            .map(String::from),
        );
        // Each ID word as a key's last word (a longer one added to the list
        // must still be found).
        keys.extend(super::ID_KEY_WORDS.iter().map(|w| format!("a_{w}")));
        for k in &keys {
            assert_eq!(is_id_field(k), is_id_field_by_split(k), "{k:?}");
        }
    }

    #[test]
    fn id_fields_are_told_by_their_key() {
        for k in [
            "form.受付番号",
            "会員No",
            "x.ticket_id",
            "caseNo",
            "Order-Number",
            "a[2].指摘ID",
        ] {
            assert!(is_id_field(k), "{k}");
        }
        for k in [
            "description",
            "内容",
            "video",
            "info",
            "paid",
            "notes",
            "timeline[0].event",
        ] {
            assert!(!is_id_field(k), "{k}");
        }
    }
}
