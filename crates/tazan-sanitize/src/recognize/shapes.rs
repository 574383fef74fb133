//! Shape rules: identifiers, contacts, addresses and dates recognised by their
//! form (and a label when the form alone is ambiguous), whatever the company.

use super::*;

/// Prefixes of public standards and algorithms (SHA-256, ISO-27001, CVE-2024-…):
/// a hyphenated code starting with one of them is not a record's id.
pub(super) const STANDARD_PREFIXES: [&str; 24] = [
    "ISO", "IEC", "JIS", "RFC", "CVE", "CWE", "IEEE", "SHA", "AES", "DDR", "TLS", "SSL", "HTTP",
    "IPV", "UTF", "UCS", "EUC", "CP", "X", "MD", "DES", "RSA", "ECDSA", "PCIE",
];

/// Handle words of group and broadcast mentions (@channel, @sre-oncall): not a person.
const GROUP_HANDLE_WORDS: [&str; 30] = [
    "channel", "here", "everyone", "all", "sre", "oncall", "on", "call", "ops", "team", "infra",
    "noc", "soc", "support", "help", "helpdesk", "desk", "admin", "admins", "dev", "devs", "qa",
    "sec", "security", "net", "network", "db", "dba", "it", "cs",
];

/// Particles a sentence puts after a prefecture (県からの市場, 県では町内会,
/// 県とその村): hiragana there that begins with one is no town's name (a
/// particle's longer forms, では and には, begin with one too).
const KANA_TOWN_PARTICLES: [&str; 12] = [
    "の", "から", "で", "に", "は", "が", "も", "へ", "を", "と", "や", "より",
];

/// Adds the shape rules to `add` (the rule table of `rules.rs`).
pub(super) fn add_rules(add: &mut impl FnMut(String, Kind, &'static str, f32, Check)) {
    // --- contacts ---
    add(
        r"\+81[- ]?(?:\(0\)\s?)?\(?0?\d{1,4}\)?[- ]?\d{1,4}[- ]?\d{3,4}".into(),
        Kind::Contact,
        "phone_international",
        0.95,
        Check::None,
    );
    // Other countries: +65 6123 4567, +60 3 2711 5502, +1 415 555 0134.
    add(
        r"\+[1-9]\d{0,2}[- ]\d{1,4}[- ]\d{3,4}(?:[- ]\d{3,4})?".into(),
        Kind::Contact,
        "phone_international",
        0.95,
        Check::None,
    );
    // Other countries' groupings the rule above misses: a one-digit group
    // (+84 28 3 861 4470), an area code in brackets (+1 (212) 555-0148,
    // +44 (0)20 7946 0321), dots (+33.1.44.55.66.77). Eight to fifteen
    // digits (E.164) after the country code, the number a word of its own.
    add(
        r"\+[1-9]\d{0,2}(?:[- .]?\(\d{1,4}\)[- .]?\d{1,4}|[- .]\d{1,4}){2,6}".into(),
        Kind::Contact,
        "phone_international_grouped",
        0.9,
        Check::GroupedPhone,
    );
    // Other separators: 06(6345)1234, 03 (5511) 2934, 090ー1234ー5678, 03.1234.5678,
    // 03・1234・5678, and a number read out with の between its groups
    // (090の1234の5678).
    add(
        r"0\d{1,4} ?\(\d{1,4}\) ?\d{3,4}|0\d{1,4}の\d{2,4}の\d{4}|0\d{1,4}[ー.‐‑‒–—―−・]\d{1,4}[ー.‐‑‒–—―−・]\d{3,4}|0\d{1,4} [-ー‐‑‒–—―−] \d{1,4} [-ー‐‑‒–—―−] \d{3,4}".into(),
        Kind::Contact,
        "phone",
        0.9,
        Check::Phone,
    );
    // A number with a digit blacked out or unreadable (`■`, `*`) or typed
    // as a letter (l, I, O): the digits around it still lead to the line.
    add(
        r"0\d{1,4}[-ー‐−・][0-9■*lIO]{1,4}[-ー‐−・][0-9■*lIO]{3,4}".into(),
        Kind::Contact,
        "phone_masked_digit",
        0.9,
        Check::MaskedPhone,
    );
    add(
        r"(?:内線|PHS|ext\.?|Ext\.?|EXT\.?)\s?[:：.]?\s?(?:\d-)?\d{2,6}".into(),
        Kind::Contact,
        "extension",
        0.95,
        Check::None,
    );
    // An extension written 内 alone, in brackets or after TEL (TEL（内 315）).
    add(
        r"(?:(?:TEL|Tel|tel|電話)\s?\(?|\()(?P<n>内\s?\d{2,5})(?:\)|\s|/|$)".into(),
        Kind::Contact,
        "extension",
        0.95,
        Check::Inner,
    );
    // A bank's and its branch's codes after a bank label (受取銀行 0158-227,
    // 仕向銀行 0172-031): a 全銀 record's four and three digits name the
    // payee's branch.
    add(
        r"銀行(?:コード)?[ \u{3000}]?[:：]?[ \u{3000}]?(?P<n>\d{4}[-‐ー]\d{3})(?-u:\b)".into(),
        Kind::Identifier,
        "bank_branch_code",
        0.85,
        Check::Inner,
    );
    // A person's initials joined by a dot or 中黒 before an honorific
    // (S・M様, K.T.さん): a report that hides the name still names the
    // person to anyone who knows them.
    add(
        r"(?-u:\b)(?P<n>[A-Z][・.][A-Z]\.?)[ \u{3000}]?(?:様|さん|氏|さま)".into(),
        Kind::Person,
        "initials_honorific",
        0.8,
        Check::Inner,
    );
    // Initials after the word イニシャル (イニシャル S.T., イニシャルは K・M): the
    // writer hides the name, yet names the person to anyone who knows them.
    add(
        r"イニシャル(?:は|が|を|の)?[ \u{3000}:：]?(?P<n>[A-Z][・.][A-Z]\.?|[A-Z]{2})(?:[^A-Za-z]|$)".into(),
        Kind::Person,
        "initials_label",
        0.8,
        Check::Inner,
    );
    // A phone in kanji numerals, 〇 for zero, in dash-joined groups
    // (〇四九二－六一－七七〇五, 〇八〇－三三一四－五二〇九): a fax or a
    // vertical print spells the digits out; the line ends in four.
    add(
        r"〇[〇一二三四五六七八九]{1,4}[-ー‐−][〇一二三四五六七八九]{1,4}[-ー‐−][〇一二三四五六七八九]{4}".into(),
        Kind::Contact,
        "phone_kanji",
        0.9,
        Check::None,
    );
    // A number in kanji numerals after its 番号 label (宛名番号 〇〇七三五一九):
    // five digits or more, so no count (一〇〇) or year (二〇二五).
    add(
        r"番号\s?[:：]?\s?(?P<n>[〇一二三四五六七八九]{5,16})".into(),
        Kind::Identifier,
        "kanji_number",
        0.85,
        Check::Inner,
    );
    add(
        r"(?-u:\b)(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?-u:\b)".into(),
        Kind::Host,
        "mac",
        0.95,
        Check::Mac,
    );

    // An address with its @ written out or spaced against harvesters
    // (`taro(at)example.co.jp`, `taro [at] example.jp`, `taro @ example.jp`):
    // the whole address, local part included.
    add(
        r"[A-Za-z0-9._%+\-]+(?:\s?\((?:at|AT|アットマーク|あっと)\)\s?|\s?\[(?:at|AT)\]\s?|\s(?:at|AT)\s|\s@\s?|@\s)[A-Za-z0-9\-]+(?:(?:\.|\(dot\)|\[dot\]|\[\.\])[A-Za-z0-9\-]+)*(?:\.|\(dot\)|\[dot\]|\[\.\])[A-Za-z]{2,6}".into(),
        Kind::Contact,
        "email_obfuscated",
        0.95,
        Check::None,
    );

    // A host or URL defanged in a security report (`hxxps://x[.]example[.]jp`,
    // `c2(.)example(.)com`): the whole name, however its dots are written.
    add(
        r"(?i)(?:h[xt]{2}ps?(?:\[:\]|:)//)?[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:(?:\[\.\]|\(\.\)|\[dot\]|\(dot\)|\.)[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+(?:/[^\s、。「」()<>]*)?".into(),
        Kind::Host,
        "hostname_defanged",
        0.9,
        Check::Defanged,
    );

    // --- accounts and cards (masked digits too) ---
    add(
        r"\d{4}[- ]?[\d*Xx•]{4}[- ]?[\d*Xx•]{4}[- ]?\d{4}|[*Xx•]{4}[- ][*Xx•]{4}[- ][*Xx•]{4}[- ]\d{4}|\d{4}[- ]\d{6}[- ]\d{4,5}|[*•]{3,}[- ]?\d{4}".into(),
        Kind::Account,
        "card",
        0.95,
        Check::Card,
    );
    // A crypto-currency address (an Ethereum `0x` and forty hex digits, a
    // Bitcoin bech32 `bc1…`): the wallet money went to, an account.
    add(
        r"(?-u:\b)(?:0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{25,62})(?-u:\b)".into(),
        Kind::Account,
        "crypto_address",
        0.95,
        Check::None,
    );
    // The last digits of a card or account after their label (末尾 3390).
    add(
        r"(?:末尾|下4桁|下四桁|(?:card|acct|account|Card|Acct|Account) ending(?: in)?)\s?(?:は|[:：])?\s?(?P<n>\d{4})".into(),
        Kind::Account,
        "card",
        0.9,
        Check::Inner,
    );

    add(
        r"\((?:普|当|普通|当座)\)\s?\d{6,8}|\d{6,8}\s?\((?:普|当|普通|当座)\)".into(),
        Kind::Account,
        "account",
        0.95,
        Check::None,
    );

    // --- identifiers ---
    // A digit value after a machine key naming an id, in logs, query
    // strings and JSON (`uid=408`, `"member_id": 5521`, `subscriber=77`).
    add(
        r#"[A-Za-z][A-Za-z0-9_\-]{0,30}"?\s?[:=]\s?"?(?P<n>\d{3,16})"#.into(),
        Kind::Identifier,
        "keyed_id",
        0.8,
        Check::KeyedId,
    );
    // A value after an id label (a branch's or a shop's 店番 214 too): also a card's symbol (記号 75-2, ゆうちょの
    // 記号12170), a card named without 番号 (診察券 08-3371), an ordinal
    // number written apart (第 4128 号) and a value with a short letter
    // prefix set apart (会員No. SK 0932-118, 加盟店ID（MID 4900218833）).
    add(
        r"(?:番号|ID|ＩＤ|No\.?|NO\.?|#|ナンバー|コード|シリアル|ロット|キー|key|Key|チケット|案件|伝票|受付|社番|車番|機番|店番|S/N|s/n|記号|診察券|会員証|保険証)(?:\s?(?:No\.?|NO\.?|ID|ＩＤ|番号|コード))?\s?(?:は|[:：=])?\s?[【「『\[(]?\s?(?:#|第\s?)?(?P<n>[A-Z]{1,4} \d[0-9\-]*[0-9]|[A-Za-z0-9][A-Za-z0-9_/\-*#]*[A-Za-z0-9])".into(),
        Kind::Identifier,
        "labelled_id",
        0.9,
        Check::LabelledIdList,
    );
    // A train's number before 列車 (`第2417M列車`, `上り1523M列車`).
    add(
        r"(?P<n>\d{2,5}[A-Z])列車".into(),
        Kind::Identifier,
        "train_number",
        0.85,
        Check::Inner,
    );
    // A car's fleet number standing alone (`58号車`, `412号車`): a taxi's or
    // a bus's, which names its driver's shift.
    add(
        r"(?P<n>\d{2,4}号車)".into(),
        Kind::Identifier,
        "fleet_number",
        0.8,
        Check::NumberAlone,
    );
    // Three or more digit groups joined by hyphens (`4711-2023-118`), or a
    // group and a serial (`2023-004518`, `2023-0456`, not the years
    // `2023-2024`): a record's number, whatever the label; a phone, a card or
    // a date of the same span wins by its higher score.
    add(
        r"\d{1,6}(?:-\d{1,6}){2,4}|\d{2,6}-\d{5,8}|(?:19|20)\d{2}-\d{4}".into(),
        Kind::Identifier,
        "digit_group_id",
        0.8,
        Check::DigitGroups,
    );
    // A document's number with its issuer abbreviated in kanji before 第
    // (`総企第512号`, `港建第 2047 号`): the issuing office's short form and the
    // serial name one letter; a public instrument's number (法律第57号,
    // 告示第8号, 様式第2号) is a reference anyone may cite.
    add(
        r"(?P<n>\p{Han}{1,4}第\s?\d{2,6}\s?号)".into(),
        Kind::Identifier,
        "document_number",
        0.85,
        Check::DocumentNumber,
    );
    // The same dated by its issuer (`20251103総第18号`, `20240517経第9号`):
    // eight or six digits of the day it was sent, then the office's short
    // form, one kanji or more; a public instrument is never dated so.
    add(
        r"(?-u:\b)(?P<n>\d{6,8}\p{Han}{1,3}第\s?\d{1,6}\s?号)".into(),
        Kind::Identifier,
        "dated_document_number",
        0.85,
        Check::Inner,
    );
    // A letter's or a finding's reference with a kanji part between hyphens
    // (`KT-総-1123`, `26-査-14`, `QR-企-2024-031`): the sender's code, its
    // office's one or two kanji and the serial.
    add(
        r"(?-u:\b)(?P<n>(?:[A-Z]{1,4}|\d{2,4})[-‐－]\p{Han}{1,2}[-‐－]\d{2,6}(?:[-‐－]\d{1,6})*)(?-u:\b)".into(),
        Kind::Identifier,
        "kanji_part_code",
        0.8,
        Check::Inner,
    );
    // A change request's number with its year (`RFC-2024-0815`): a ticket
    // of the change process, not an internet standard (RFC 7231 has no
    // year and serial).
    add(
        r"(?-u:\b)RFC-(?:19|20)\d{2}-\d{2,6}(?-u:\b)".into(),
        Kind::Identifier,
        "change_request",
        0.85,
        Check::None,
    );
    // A staff code glued to the role that wrote it (`窓口担当E2217`,
    // `応対者 H0472`): one letter or two and four digits or more name the
    // employee.
    add(
        r"(?:担当|担当者|応対者|対応者|受付者|作業者|操作者|入力者|承認者|検印者)[ \u{3000}]?(?P<n>[A-Z]{1,2}\d{4,6})(?-u:\b)".into(),
        Kind::EmployeeId,
        "staff_code_after_role",
        0.85,
        Check::Inner,
    );
    // A court's case number (`令和6年(ネ)第1877号`, `平成30年（行ウ）第52号`):
    // the year, the case mark in brackets and the serial name one case.
    add(
        r"(?:(?:令和|平成|昭和)\s?(?:\d{1,2}|元)|\d{4})年\s?[(（][\p{Han}ぁ-ゖァ-ヺ]{1,3}[)）]\s?第\s?(?P<n>\d{1,6})\s?号".into(),
        Kind::Identifier,
        "case_number",
        0.9,
        Check::Inner,
    );
    // The value first, its label after it in brackets (`1234567（受付番号）`).
    add(
        r"(?P<n>[A-Za-z0-9][A-Za-z0-9_/\-]*[A-Za-z0-9])\s?\((?:(?:お問い合わせ|問い合わせ|問合せ|受付|契約|顧客|お客様|注文|会員|患者|診察券|学籍|管理|伝票|チケット|案件|シリアル|製造|予約|申込|請求|取引|登録|整理|社員|職員|従業員)(?:番号|No\.?|ID|コード)|ID|S/N|No\.?|NO\.?|#)\)".into(),
        Kind::Identifier,
        "labelled_id",
        0.9,
        Check::LabelledIdList,
    );
    // A short letter prefix, a space and two digit groups (`SK 0932-941`,
    // `KM 4410-913`): a member card's or a ticket's number as printed, with
    // its label or without (the second of 旧 X → 新 Y); a standard's number
    // (`ISO 9001-2015`) is not one.
    add(
        r"(?-u:\b)(?P<n>[A-Z]{2,4} \d{3,6}-\d{3,6})(?-u:\b)".into(),
        Kind::Identifier,
        "prefixed_digit_groups",
        0.8,
        Check::LabelledId,
    );
    // A handset's or a SIM's number after its label, in groups or not
    // (`IMEI: 35 209911 438870 2`, `ICCID 8981…`): the label is the whole cue.
    add(
        r"(?:IMEI|IMSI|MEID|ICCID|ESN)\s?(?:番号)?\s?(?:は|[:：=])?\s?(?P<n>\d[\d \-]{8,26}\d)"
            .into(),
        Kind::Identifier,
        "device_id",
        0.9,
        Check::Inner,
    );
    // A record's id as a URL path segment after the collection it names
    // (`/members/M00318854/`, `/api/v2/orders/HN-88302`): a path names
    // one member, order or ticket where a digit is in the segment.
    add(
        r"/(?:members|users|customers|accounts|orders|patients|tickets|invoices|students|employees|devices|cards|contracts|cases|shops|merchants)/(?P<n>[A-Za-z0-9_\-]*\d[A-Za-z0-9_\-]*)".into(),
        Kind::Identifier,
        "path_id",
        0.85,
        Check::Inner,
    );
    // A login name as a home directory (`/home/ohkubo/`, `/Users/k.sato/`,
    // `C:\Users\tanaka\`): the account of one person.
    add(
        r"(?:/home/|/Users/|[A-Z]:\\Users\\)(?P<n>[A-Za-z][A-Za-z0-9._\-]{1,31})(?:/|\\|\s|$)"
            .into(),
        Kind::Identifier,
        "home_dir_user",
        0.85,
        Check::Inner,
    );
    add(
        r"[A-Z][A-Z0-9]{0,7}(?:-[A-Z0-9]{1,12}){1,4}|\d{1,4}[A-Z]{1,3}(?:-[A-Z0-9]{1,12}){1,4}|[A-Z0-9]{6,16}".into(),
        Kind::Identifier,
        "code_id",
        0.8,
        Check::CodeId,
    );
    // A chat line's speaker: a lower-case handle after the line's [time] (a
    // time stamp, not a replacement: `[ホスト] sshd:` is a log line), or
    // at the line's start when it has a digit or separator, before a colon
    // (`[09:12] kuroda: …`, `k_tomita: …`; not `note: …`).
    for re in [
        r"\[[0-9:./\- T]{4,25}\]\s?(?P<n>[a-z][a-z0-9._\-]{2,30}[a-z0-9])\s?[:：]\s",
        r"(?m)^(?P<n>[a-z][a-z]*[0-9._\-][a-z0-9._\-]*[a-z0-9])\s?[:：]\s",
    ] {
        add(
            re.into(),
            Kind::Identifier,
            "chat_handle",
            0.8,
            Check::LabelledAccount,
        );
    }
    // An account name after its label, digits or not (ユーザID: yamada.taro).
    add(
        r"(?:ユーザ|ユーザー|ログイン|アカウント|利用者)(?:ID|名)?\s?(?:は|[:：=])\s?(?P<n>[A-Za-z][A-Za-z0-9._\-]{2,}[A-Za-z0-9])".into(),
        Kind::Identifier,
        "labelled_account",
        0.85,
        Check::LabelledAccount,
    );
    add(
        // A handle in Latin letters, or a colleague's name in hiragana.
        r"@(?:[A-Za-z][A-Za-z0-9._\-]*[A-Za-z0-9]|[ぁ-ゖー]{2,12})".into(),
        Kind::Identifier,
        "mention",
        0.9,
        Check::Mention,
    );
    add(
        r"(?P<n>[\p{Han}ぁ-ゖ]{1,4})\s?\d{2,3}\s?[ぁ-ゖ]\s?(?:\d{1,2}-\d{2}|[・.]{1,3}\d{1,2})"
            .into(),
        Kind::Identifier,
        "plate",
        0.9,
        Check::None,
    );

    // --- named sites ---
    // A kind of clinic, home or shop and then a hiragana name
    // (`ペットクリニックそよかぜ`, `グループホームひだまり`): the name after its
    // kind, set apart after it. A particle never starts the name and a verb
    // or adjective ending never ends it (クリニックにいった, ホームでまつ,
    // カフェがおおい stay).
    add(
        r"(?m)(?P<n>(?:ペットクリニック|動物病院|クリニック|病院|医院|歯科|グループホーム|デイサービス|保育園|こども園|幼稚園|薬局|整骨院|接骨院|カフェ|食堂|サロン)[ぁ-ゖ&&[^にでをがはへのともやかっゃゅょ]][ぁ-ゖ]{1,5}[ぁ-ゖ&&[^るすいうくぬむ]])(?:$|[\s、。，．,.()（）「」『』【】\[\]/・:：|｜]|の[^ぁ-ゖ]|さん)".into(),
        Kind::Facility,
        "kind_then_kana_name",
        0.8,
        Check::Inner,
    );

    // --- addresses ---
    add(
        r"〒\s?\d{3}-?\d{4}|(?P<n>\d{3}-\d{4})\s?(?:北海道|東京都|大阪府|京都府|\p{Han}{2,3}県)"
            .into(),
        Kind::Place,
        "postal_code",
        0.95,
        Check::Postal,
    );
    add(
        r"[\p{Han}ぁ-ゖァ-ヺー々]{0,6}(?:\d{1,4}|[一二三四五六七八九十]{1,3})丁目(?:\d{1,4}番地?(?:\d{1,4}号?)?|\d{1,4}(?:-\d{1,4}){0,2})?|[\p{Han}ぁ-ゖァ-ヺー々]{0,6}\d{1,4}番地(?:\d{1,4}(?:-\d{1,4})?号?)?|[\p{Han}ぁ-ゖァ-ヺー々]{0,6}\d{1,4}番\d{1,4}号".into(),
        Kind::Place,
        "address",
        0.85,
        Check::None,
    );
    add(
        r"(?:市|区|町|村|郡)(?P<n>[\p{Han}ぁ-ゖァ-ヺー々]{0,8}?\s?\d{1,4}(?:-\d{1,4}){1,3})".into(),
        Kind::Place,
        "address",
        0.85,
        Check::Inner,
    );
    // A municipality spelled in hiragana right after its prefecture
    // (宮崎県えびの市-like names): the prefecture says what the kana word
    // is, as it does for a kanji town. Not a particle after the prefecture
    // (県からの市場, 県では町内会): `KanaTown`.
    add(
        format!(
            r"(?:{})[ \u{{3000}}]?(?P<n>[{HIRA}ー]{{2,8}}(?:市|町|村))",
            super::rules::alternation(&lexicon::PREFECTURES.map(|p| p.1))
        ),
        Kind::Place,
        "kana_town",
        0.8,
        Check::KanaTown,
    );
    // A district after a prefecture and a municipality, between spaces
    // (長崎県 平戸市 田平町, 和歌山県 有田市 箕島): the address's next part.
    add(
        r"(?:都|道|府|県)[ \u{3000}]?\p{Han}{1,5}(?:市|区|町|村|郡)[ \u{3000}](?P<n>\p{Han}[\p{Han}ヶ々ノ]{1,4})(?:[ \u{3000}\n]|$)".into(),
        Kind::Place,
        "address_district",
        0.8,
        Check::District,
    );
    // A lot numbered in kanji numerals: before 番地 (`元名 九百八十番地`),
    // after 丁目 (`三丁目四番五号`), or ending the address after a
    // municipality's district (`箕輪町中箕輪八千八百`).
    let k = format!("[{KANJI_NUMERALS}]");
    add(
        format!(r"(?P<n>{k}{{2,8}}番地)"),
        Kind::Place,
        "kanji_lot",
        0.8,
        Check::KanjiLot,
    );
    add(
        format!(r"丁目(?P<n>{k}{{1,4}}番地?(?:{k}{{1,4}}号)?)"),
        Kind::Place,
        "kanji_lot",
        0.8,
        Check::KanjiLot,
    );
    add(
        format!(
            r"(?:市|区|町|村|郡)(?P<n>[\p{{Han}}ヶ々ノ]{{1,6}}?{k}{{2,8}})(?:[\s、。,，)）]|$)"
        ),
        Kind::Place,
        "kanji_lot",
        0.8,
        Check::KanjiLot,
    );
    add(
        r"(?:大字|字)[\p{Han}ァ-ヺー々ヶ]{1,9}\d{0,5}(?:-\d{1,4})*".into(),
        Kind::Place,
        "address",
        0.8,
        Check::Aza,
    );

    // --- dates ---
    add(
        r"(?:[RHS]|令和?|平成?|昭和?)\s?(?:\d{1,2}|元)[./]\d{1,2}[./]\d{1,2}(?:\s?\([月火水木金土日]\))?(?:\s?\d{1,2}:\d{2})?".into(),
        Kind::Date,
        "era_date",
        0.95,
        Check::EraLetter,
    );
    add(
        r"(?:令和|平成|昭和|[RHS])\s?(?:\d{1,2}|元)年度?".into(),
        Kind::Date,
        "era_year",
        0.9,
        Check::EraLetter,
    );
    // A month and day, with its weekday and time on the same line (a
    // time on the next line is the next entry's: `10/22⏎04:50 …`).
    add(
        r"\d{1,2}/\d{1,2}(?:[ \u{3000}]?\([月火水木金土日]\))?(?:[ \u{3000}]?\d{1,2}:\d{2})?"
            .into(),
        Kind::Date,
        "slash_date",
        0.85,
        Check::SlashDate,
    );
}

/// Words ending the issuer of a public instrument's number (法律第57号,
/// 県告示第8号, 様式第2号): a citation, not a company's document.
const PUBLIC_INSTRUMENTS: [&str; 22] = [
    "法律", "法", "条例", "政令", "省令", "府令", "令", "告示", "訓令", "通達", "通知", "規則",
    "規程", "様式", "別表", "別紙", "別記", "附則", "議案", "報告", "年度", "年",
];

/// Top-level and Japanese second-level domains a defanged host ends with.
const DEFANGED_TLDS: [&str; 38] = [
    "com", "net", "org", "jp", "local", "lan", "internal", "corp", "intra", "io", "info", "biz",
    "co", "ne", "or", "go", "ac", "xyz",
    // The cheap generic domains lookalike and phishing sites are bought in.
    "top", "shop", "online", "site", "club", "store", "live", "app", "dev", "icu", "vip", "link",
    "work", "cc", "me", "ru", "cn", "tk", "cloud", "support",
];

/// The kanji numerals of an address's lot (八千八百, 二四〇): the rules'
/// character class and their check's test.
const KANJI_NUMERALS: &str = "〇一二三四五六七八九十百千";

/// A kanji numeral of an address's lot ([`KANJI_NUMERALS`]).
fn is_kanji_numeral(c: char) -> bool {
    KANJI_NUMERALS.contains(c)
}

/// Last letters of a land name (九重沢, 小屋ノ沢, 上ノ台): a 字 before a
/// name ending so is an address's part even without a number.
const LANDFORM_ENDINGS: [char; 18] = [
    '沢', '田', '原', '山', '川', '谷', '野', '台', '平', '沖', '浦', '崎', '坂', '森', '畑', '窪',
    '岱', '尻',
];

/// First letters of the words that follow 市/区/町/村/郡 in prose (市内,
/// 町会, 区間, 村役場): no district's name starts so.
const NOT_DISTRICT_HEADS: [char; 16] = [
    '内', '民', '立', '場', '営', '役', '長', '議', '外', '部', '間', '域', '街', '会', '政', '税',
];

/// Machine keys that name a user (`user=`, `login:`, `uid=`): the value is
/// the user, as a number (here) or as a romanised handle (`owner=` and the
/// other keys of the handle rule in `forms.rs`, which adds its own).
pub(super) const USER_KEYS: [&str; 4] = ["uid", "user", "account", "login"];

/// Machine keys of a person's or an account's number without an id word
/// (`uid=`, `subscriber=`, `member:`): the user keys and the keys of a
/// number alone (a handle is never `subscriber=`).
const ACCOUNT_KEYS: [&str; 8] =
    super::stoplists::concat_words(USER_KEYS, ["userid", "subscriber", "member", "customer"]);

/// Keys of a position, a count or a process, not a person's id, whatever
/// their id word (line_no, port_num, page_no, seq_no, retry_count); a key
/// ending in `code` (exit_code, status_code) is no person's id either.
const NOT_ID_KEY_HEADS: [&str; 12] = [
    "line", "page", "port", "row", "col", "build", "version", "seq", "step", "retry", "error",
    "status",
];

/// True when `before` ends with a phone label written in Latin letters
/// (`TEL`, `Tel.`, `FAX`, `TEL/FAX`, `Phone`), glued to the number after it.
fn phone_label_before(before: &str) -> bool {
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphabetic() || c == '.' || c == '/'))
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    let word = before[start..].trim_end_matches('.').to_ascii_lowercase();
    let last = word.rsplit('/').next().unwrap_or(&word);
    ["tel", "fax", "phone", "mobile", "ph", "mob"].contains(&last)
}

impl Recognizers {
    /// Checks of the shape rules; `None` when the match is not what it looks like.
    pub(super) fn check_shape(
        &self,
        check: Check,
        text: &str,
        m: Range<usize>,
        name: Option<Range<usize>>,
    ) -> Option<Range<usize>> {
        let before = text[..m.start].chars().next_back();
        let after = text[m.end..].chars().next();
        let s = &text[m.clone()];
        let alnum_side = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        match check {
            Check::Mac => {
                // Not the tail of an IPv6 address (…:00:1a:…); a label colon (MAC:) is fine.
                let ipv6_tail = before == Some(':') && {
                    let token: String = text[..m.start - 1]
                        .chars()
                        .rev()
                        .take_while(char::is_ascii_alphanumeric)
                        .collect();
                    (1..=4).contains(&token.len()) && token.chars().all(|c| c.is_ascii_hexdigit())
                };
                (!alnum_side(before) && !alnum_side(after) && !ipv6_tail).then_some(m)
            }
            Check::Phone => {
                // Glued to a word, unless the word is a phone label (TEL090…, FAX:03.…).
                let letter_before = before.is_some_and(|c| c.is_ascii_alphabetic())
                    && !phone_label_before(&text[..m.start]);
                (!letter_before && !alnum_side(after)).then_some(m)
            }
            Check::GroupedPhone => {
                let digits = s.chars().filter(char::is_ascii_digit).count();
                let glued = before.is_some_and(|c| c.is_ascii_alphanumeric()) || alnum_side(after);
                ((8..=15).contains(&digits) && !glued).then_some(m)
            }
            Check::MaskedPhone => {
                let digits = s.chars().filter(char::is_ascii_digit).count();
                let masked = s.contains(['■', '*', 'l', 'I', 'O']);
                let glued = before.is_some_and(|c| c.is_ascii_alphanumeric()) || alnum_side(after);
                (masked && digits >= 7 && !glued).then_some(m)
            }
            Check::Card => {
                let digits = s.chars().filter(char::is_ascii_digit).count();
                (!before.is_some_and(|c| c.is_ascii_digit())
                    && !after.is_some_and(|c| c.is_ascii_digit())
                    && digits >= 4)
                    .then_some(m)
            }
            Check::LabelledId | Check::LabelledIdList => {
                let n = name?;
                let v = &text[n.clone()];
                let digits = v.chars().filter(char::is_ascii_digit).count();
                // Not glued to a letter, nor a figure with its unit (2024年, 30件).
                let tail_ok = !text[n.end..].starts_with(|c: char| {
                    c.is_ascii_alphanumeric() || "年月日時分秒件人名台個回%".contains(c)
                });
                (digits >= 1 && v.chars().count() >= 3 && tail_ok && !self.is_standard(v))
                    .then_some(n)
            }
            Check::CodeId => {
                // A colon before Japanese text is a form's separator
                // (契約C-88127：不在), not a port or a time.
                let colon_label =
                    after == Some(':') && text[m.end + 1..].starts_with(|c: char| !c.is_ascii());
                if alnum_side(before)
                    || before.is_some_and(|c| "@._/:-#".contains(c))
                    || alnum_side(after)
                    || after.is_some_and(|c| c == '-' || c == '_' || c == '@')
                    || (after == Some(':') && !colon_label)
                {
                    return None;
                }
                let digits = s.chars().filter(char::is_ascii_digit).count();
                let letters = s.chars().filter(char::is_ascii_uppercase).count();
                if digits < 3 || letters == 0 || self.is_standard(s) {
                    return None;
                }
                if !s.contains('-') {
                    // A bare code: a letter and at least five digits, or letters and
                    // digits mixed (U04QX7LM2K); a word with a version (ISO27001) is not.
                    let head: String = s.chars().take_while(|c| c.is_ascii_uppercase()).collect();
                    let rest = &s[head.len()..];
                    let version = !head.is_empty()
                        && rest.chars().all(|c| c.is_ascii_digit())
                        && (self.vocab.contains(&head.to_ascii_lowercase()) || head.len() >= 3);
                    // Two blocks (ABC123, 123ETC) with few digits are a model or a word.
                    let blocks = s
                        .chars()
                        .zip(s.chars().skip(1))
                        .filter(|(a, b)| a.is_ascii_digit() != b.is_ascii_digit())
                        .count()
                        + 1;
                    if version || (digits < 5 && (letters < 2 || blocks <= 2)) {
                        return None;
                    }
                }
                Some(m)
            }
            Check::Mention => {
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || "._-+%".contains(c)) {
                    return None;
                }
                let handle = s[1..].to_ascii_lowercase();
                let group = handle
                    .split(['.', '_', '-'])
                    .all(|p| GROUP_HANDLE_WORDS.contains(&p));
                (!group).then_some(m)
            }
            Check::Postal => {
                if let Some(n) = name {
                    return (!before.is_some_and(|c| c.is_ascii_digit() || c == '-')).then_some(n);
                }
                Some(m)
            }
            Check::Inner => name,
            Check::KanaTown => {
                let n = name?;
                let v = &text[n.clone()];
                let particle = KANA_TOWN_PARTICLES.iter().any(|p| v.starts_with(p));
                let word_on = text[n.end..].chars().next().is_some_and(is_han);
                (!particle && !word_on).then_some(n)
            }
            Check::District => {
                let n = name?;
                let v = &text[n.clone()];
                // The district, not the premises named after the address (本社工場).
                let premises = v.starts_with(['本', '旧', '新', '第', '当', '弊'])
                    || v.ends_with(['社', '所', '場', '館', '店', '棟', '庁', '局', '課', '部']);
                (!premises && name_ok(v)).then_some(n)
            }
            Check::LabelledAccount => {
                let n = name?;
                let v = &text[n.clone()];
                let tail_ok = !text[n.end..].starts_with(|c: char| c.is_ascii_alphanumeric());
                (tail_ok && !self.vocab.contains(&v.to_ascii_lowercase())).then_some(n)
            }
            Check::RelationGlued => {
                if super::checks::in_vendor_placeholder(text, m.start) {
                    return None;
                }
                let n = name?;
                let v = &text[n.clone()];
                if v.starts_with(is_hira) {
                    let particle = v.starts_with([
                        'の', 'が', 'は', 'に', 'を', 'と', 'も', 'へ', 'や', 'で', 'か',
                    ]);
                    return (!particle && super::names::name_ok(v)).then_some(n);
                }
                let word = v.trim_matches(['・', 'ー']);
                // The name follows the relation word directly: 委託先ベンダ・X names a
                // vendor, not a company called ベンダ・X.
                // Looked up with its long vowel: パートナー is vocabulary, パートナ not.
                let vocabulary = v
                    .trim_matches('・')
                    .split('・')
                    .next()
                    .is_none_or(|p| p.is_empty() || self.vocabulary_only(p));
                (word.chars().count() >= 3 && !vocabulary && super::names::name_ok(word))
                    .then_some(n)
            }
            Check::Aza => {
                // 大字北脇, 町字中島355: after a municipality or standing alone, not
                // inside a word (文字化け, 数字). A lot in kanji numerals after
                // the name numbers it too (字勢雄二四〇, 字上ノ台二十五); a
                // name with a land word's ending stands alone (字九重沢および).
                let after_place = text[..m.start].ends_with(['町', '村', '市', '区', '郡']);
                let glued = before.is_some_and(is_han) && !after_place;
                let name = s.strip_prefix('大').unwrap_or(s).trim_start_matches('字');
                let place = name.trim_end_matches(is_kanji_numeral);
                let lot = name[place.len()..].chars().count();
                let numbered =
                    s.ends_with(|c: char| c.is_ascii_digit()) || (lot >= 2 && !place.is_empty());
                let landform = name.chars().count() >= 2 && name.ends_with(LANDFORM_ENDINGS);
                // The second of a list of 字 (字大沼と字中荻, 字北原・字南原):
                // the first names the kind of the second.
                let listed = text[..m.start]
                    .strip_suffix(['と', '・', '、'])
                    .is_some_and(|head| head.chars().rev().take(10).any(|c| c == '字'));
                let listed = listed && name.chars().count() >= 2;
                (!glued && (numbered || s.starts_with("大字") || landform || listed)).then_some(m)
            }
            Check::KanjiLot => {
                // 番地 or 号 says the numerals are a lot; a district's name
                // before a bare lot is no word of prose after 市/町 (市内, 町会).
                let n = name?;
                let v = &text[n.clone()];
                if v.ends_with(['地', '号', '番']) {
                    return Some(n);
                }
                let place = v.trim_end_matches(is_kanji_numeral);
                let prose = place.is_empty() || place.starts_with(NOT_DISTRICT_HEADS);
                (!prose).then_some(n.start + place.len()..n.end)
            }
            Check::KeyedId => {
                let n = name?;
                // The key: the letters before the separator (uid=, "member_id": ).
                let key = text[m.start..n.start].trim_end_matches(['"', '\'', ' ', ':', '=']);
                let lower = key.to_ascii_lowercase();
                let position = NOT_ID_KEY_HEADS.iter().any(|h| lower.starts_with(h))
                    || lower.ends_with("code");
                let id = super::forms::is_id_field(key) || ACCOUNT_KEYS.contains(&lower.as_str());
                let cut = text[n.end..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
                (id && !position && !cut && !alnum_side(before)).then_some(n)
            }
            Check::EraLetter => {
                // R5.7.21 and H28年, not a Latin word ending in R or H.
                let latin_before = s.starts_with(['R', 'H', 'S']) && alnum_side(before);
                let cut_number = s.ends_with(|c: char| c.is_ascii_digit())
                    && after.is_some_and(|c| c.is_ascii_digit());
                (!latin_before && !cut_number).then_some(m)
            }
            Check::DigitGroups => {
                let mut ahead = text[m.end..].chars().skip(1);
                let joined_after = after.is_some_and(|c| "-./".contains(c))
                    && ahead.next().is_some_and(|c| c.is_ascii_digit());
                let digits = s.chars().filter(char::is_ascii_digit).count();
                // 2023-2024 is a span of years, 2023-11-04 a date (generalised
                // as one: a date's generalisation outranks no identifier).
                let years = s.len() == 9
                    && s.as_bytes()[4] == b'-'
                    && (s[5..].starts_with("19") || s[5..].starts_with("20"));
                let groups: Vec<u32> = s.split('-').map(|g| g.parse().unwrap_or(0)).collect();
                let date = s.len() == 10
                    && (s.starts_with("19") || s.starts_with("20"))
                    && matches!(groups[..], [_, m, d] if (1..=12).contains(&m) && (1..=31).contains(&d));
                let years = years || date;
                (!alnum_side(before)
                    && !years
                    && !before.is_some_and(|c| "-./".contains(c))
                    && !alnum_side(after)
                    && !joined_after
                    && digits >= 8)
                    .then_some(m)
            }
            Check::DocumentNumber => {
                // The issuer's short form is a whole word of two or three kanji
                // (not the end of a longer run, not a public instrument).
                let n = name?;
                let issuer = text[n.clone()].split('第').next().unwrap_or("");
                let whole =
                    !before.is_some_and(is_han) && (2..=3).contains(&issuer.chars().count());
                let public = PUBLIC_INSTRUMENTS.iter().any(|w| issuer.ends_with(w));
                // 第12号機, 第3号棟: a machine's or a building's ordinal.
                let counted = after.is_some_and(|c| is_han(c) || is_kata(c));
                (whole && !public && !counted).then_some(n)
            }
            Check::Defanged => {
                let lower = s.to_ascii_lowercase();
                let defanged = ["[.]", "(.)", "[dot]", "(dot)", "hxxp", "[:]"]
                    .iter()
                    .any(|d| lower.contains(d));
                let host_end = lower.split('/').find(|p| p.contains(['.', ')', ']']));
                let tld_ok = host_end.is_some_and(|h| {
                    let tld = h.rsplit(['.', ')', ']']).next().unwrap_or("");
                    DEFANGED_TLDS.contains(&tld)
                });
                (defanged && tld_ok && !alnum_side(before)).then_some(m)
            }
            Check::IsoDate => {
                let mut parts = s
                    .split(|c: char| !c.is_ascii_digit())
                    .filter(|p| !p.is_empty())
                    .skip(1)
                    .map(|p| p.parse::<u32>().unwrap_or(0));
                let month_ok = parts.next().is_some_and(|m| (1..=12).contains(&m));
                let day_ok = parts.next().is_none_or(|d| (1..=31).contains(&d));
                let code = text[..m.start].strip_suffix('-').is_some_and(|head| {
                    let word = head
                        .rsplit(|c: char| !c.is_ascii_alphabetic())
                        .next()
                        .unwrap_or("");
                    STANDARD_PREFIXES.contains(&word.to_ascii_uppercase().as_str())
                });
                (month_ok && day_ok && !code).then_some(m)
            }
            Check::SlashDate => {
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || "/.:-".contains(c))
                    || after.is_some_and(|c| c.is_ascii_alphanumeric() || "/.".contains(c))
                {
                    return None;
                }
                let mut parts = s.split(['/', '(', ' ']).filter(|p| !p.is_empty());
                let month: u32 = parts.next()?.parse().ok()?;
                let day: u32 = parts
                    .next()?
                    .trim_end_matches(|c: char| !c.is_ascii_digit())
                    .parse()
                    .ok()?;
                if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
                    return None;
                }
                // A bare fraction (1/3の, 約2/3) is not a date; a weekday or a time says it is.
                let dated = s.contains('(') || s.contains(':');
                let fraction = text[..m.start].ends_with(['の', '約', '全', '各'])
                    || text[m.end..].starts_with(['の', '程', '以', '台', '人', '件', '%']);
                (dated || !fraction).then_some(m)
            }
            _ => Some(m),
        }
    }

    /// True when the katakana word splits into IT-vocabulary words only
    /// (顧客データ, 業者サポート are not names).
    pub(super) fn vocabulary_only(&self, w: &str) -> bool {
        word_break(w, 0, |p, _| {
            let p = p.to_ascii_lowercase();
            (self.vocab.contains(&p) || self.vocab.contains(p.trim_end_matches('ー'))).then_some(0)
        })
    }

    /// A token naming a public standard or algorithm (SHA-256, ISO27001, UTF-8).
    pub(super) fn is_standard(&self, s: &str) -> bool {
        let upper = s.to_ascii_uppercase();
        if self.vocab.contains(&s.to_ascii_lowercase()) || super::technical::is_advisory_id(s) {
            return true;
        }
        let head: String = upper
            .chars()
            .take_while(|c| c.is_ascii_uppercase())
            .collect();
        // X.509 and X25 are standards; X-910257 and X12-2023-04 are numbers.
        let numbered_x = head == "X" && upper.contains('-');
        // The number may stand one space apart (ISO 9001-2015).
        STANDARD_PREFIXES.contains(&head.as_str())
            && !numbered_x
            && upper[head.len()..]
                .trim_start_matches(' ')
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == '.' || c == 'X')
    }
}
