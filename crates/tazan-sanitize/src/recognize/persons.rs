//! Person names from their context: the slot a name takes in a report, not a
//! list of names. A surname stands after a department or a role (`システム部
//! 西脇`, `市民課立花主査`, `SV 鬼頭`), in a contact chain (`斎藤→木村`),
//! before です in a chat, with its given name (`寺嶋 奈緒子`), and as the value
//! of a field that holds people (`author`, `報告者`); a full name after 同 or a
//! class (`同 X Y、`, `3年2組 X ゆい の`), a lone kanji word between English
//! words (`Leader X checked`), a word before a spaced title (`X 部長`), and
//! names listed beside a found one with spaces, `and` or one kanji after ・
//! (`X, Y`, `X・巽`). IPADIC's person names
//! and common words (see [`Lexis`]) decide the ambiguous cases; without the
//! dictionary only the built-in surnames and the strong contexts count.

use super::lists::{listed, walk_list};
use super::names::name_ok;
use super::prefilter::captures_if;
use super::*;
use crate::dict::WordSet;

/// Word lists from the IPADIC dictionary that the context rules consult.
pub(crate) struct Lexis<'a> {
    /// Surfaces listed as common (non-proper) words.
    pub(crate) common: &'a WordSet,
    /// Family names (人名,姓).
    pub(crate) surnames: &'a WordSet,
    /// Given names (人名,名).
    pub(crate) given: &'a WordSet,
    /// Native katakana nouns (スミレ, ツグミ: see `dict::write_native_katakana`).
    pub(crate) native: &'a WordSet,
    /// Rare common kanji words also listed as proper nouns (北辰, 晴嵐: see
    /// `dict::write_named_common`).
    pub(crate) named: &'a WordSet,
}

/// Kanji of a name, with ヶ (藤ヶ谷) and 々.
const NH: &str = r"[\p{Han}ヶ々&&[^〇○某]]";
/// A name of two to four kanji, a ノ/ツ/ケ allowed between them (三ツ矢, 一ノ瀬).
pub(super) const NAME: &str = r"[\p{Han}ヶ々&&[^〇○某]](?:[ノツケ]?[\p{Han}ヶ々&&[^〇○某]]){1,3}";
/// A name of one to four kanji, a ノ/ツ/ケ allowed between them: a family
/// name written with a full-size ケ or a ノ (鶴ケ谷, 一ノ瀬) is one word.
const NAME1: &str = r"[\p{Han}ヶ々&&[^〇○某]](?:[ノツケ]?[\p{Han}ヶ々&&[^〇○某]]){0,3}";

/// Words ending a department or team name.
pub(super) const DEPT_SUFFIX: &str =
    "部|課|室|係|科|班|局|センター|本部|支所|病棟|グループ|チーム|研究室|営業所|支店|事業部";

/// Roles and job titles written before a name.
pub(super) const ROLES: &str = "SV|OP|SE|PM|PL|受付|担当者|担当|配車|営業|店長|校長|教頭|教諭|主任|主査|主幹|係長|課長|部長|室長|所長|技師長|センター長|事務長|院長|助教|准教授|教授|講師|医師|看護師|技師|薬剤師|ドライバー|運転手|当直|常駐SE|リーダー|マネージャー|責任者|一次対応|二次対応|一次|二次|三次|報告者|作成者|記録者|連絡者|承認者|対応者|作業者|点呼担当|教務主任|担任|顧問|代表|社長|会長|専務|常務|取締役|運転士|乗務員|車掌|駅員|作業員|技術者|警備員|係員|作業所長|現場代理人|監督|支配人|副支配人|女将|番頭|工場長|倉庫長|班長|職長|料理長|当番|当番課長|オペ|オペレータ|オペレーター|入電者|起票者|受付者|回答者|フロント|夜勤リーダー|支店長|副支店長|主事|参事|委員長|店員|スタッフ|CS担当|看護師長|副看護師長|師長|看護主任|病棟クラーク|クラーク|課長補佐|主任技師|保健師|養護教諭|学年主任|情報主任|副校長|ICT支援員|支援員|配車係|運行管理者|作業長|構内作業長|場長|浄水場長|駅長|助役|局長|副所長|所長代理|主任主事|会計年度任用職員|施設長|部会長|園長|理事長|司会|司会者|進行役|面談者|被面談者|照会先|運転者|同乗者|引率者|指導者|監督者|記録係|文責|作業者印|責任者印|担当者印|確認者印|承認者印|生活相談員|相談員|介護職員|保守員|技術員|窓口|守衛|宿直|夜勤|日勤|保全|整備士|検査員|司書|栄養士|介護士|事務員|用務員";

/// Departments written without a suffix before a space and a name (`総務 木挽`);
/// never glued to one (経理課…).
pub(super) const BARE_DEPTS: &str =
    "総務|経理|人事|広報|法務|情シス|品質管理|生産管理|運行管理|夜間監視";

/// Titles and honorifics written after a name.
pub(crate) const TITLES: &str = "課長代理|部長代理|課長|部長|係長|主任|主査|主幹|室長|所長|支店長|本部長|センター長|技師長|事務長|店長|校長|教頭|教諭|院長|医師|教授|准教授|助教|講師|先生|看護師長|師長|看護師|技師|社長|会長|専務|常務|課長補佐|副校長|場長|駅長|局長|會長|驛長|醫師|敎授|さん|様|樣|氏|君|くん|ちゃん|殿";

/// Last characters of words that are roles, departments or organisations, not names.
const NOT_NAME_END: &[char] = &[
    '長', '課', '部', '室', '係', '科', '班', '局', '所', '店', '員', '者', '会', '様', '社', '庁',
    '省', '署', '院', '校', '団', '業', '務', '当', '任', '制', '機', '器', '化', '側', '内', '外',
    '中', '後', '前', '時', '日', '月', '年', '分', '件', '人', '台', '名', '等', '達', '方', '宛',
    '号', '番', '票', '書', '表', '証', '欄', '帳', '簿', '版', '文',
];

/// Field names whose values are people (contact chains, tickets, mail headers).
const PERSON_KEYS: &[&str] = &[
    "author",
    "actor",
    "by",
    "who",
    "from",
    "to",
    "cc",
    "bcc",
    "reporter",
    "assignee",
    "owner",
    "operator",
    "opened_by",
    "closed_by",
    "created_by",
    "updated_by",
    "approver",
    "approved_by",
    "requester",
    "requested_by",
    "handler",
    "responder",
    "engineer",
    "staff",
    "member",
    "members",
    "user_name",
    "caller",
    "氏名",
    "名前",
    "担当",
    "担当者",
    "報告者",
    "発見者",
    "作成者",
    "承認者",
    "対応者",
    "連絡者",
    "記録者",
    "申請者",
    "依頼者",
    "確認者",
    "責任者",
    "作業者",
    "発信者",
    "受信者",
    "差出人",
    "宛先",
    "提出元",
    "発信",
    "送信者",
    "起票者",
    "起案者",
    "通報者",
    // Chat exports and ticket forms: who wrote or took the line.
    "user",
    "username",
    "login",
    "op",
    "sender",
    "recipient",
    "assigned_to",
    "reported_by",
    "contact_person",
    "お客様",
    "お客様名",
    "申込者",
    "入電者",
    "監査担当",
    "受付者",
    "オペ",
    "オペレータ",
    "オペレーター",
    "回答者",
    "担当者名",
    "調査担当",
    "起票",
    "受付担当",
    // Table headers of shift logs and hand-over sheets.
    "記入者",
    "当番",
    "申し送り先",
    "引継ぎ先",
    "引継者",
    "対応者名",
    // On-call rotas, lending ledgers, minutes and proposals (seventh round).
    "一次",
    "二次",
    "三次",
    "主担当",
    "副担当",
    "正担当",
    "借用者",
    "貸出者",
    "使用者",
    "返却者",
    "欠席",
    "欠席者",
    "質問者",
    "答弁者",
    "提案者",
    "共同提案",
    "共同提案者",
    "評価者",
    "代理",
    // Chat exports that name who spoke (a nickname or a handle as often as a name).
    "speaker",
    "nickname",
    "display_name",
];

/// Role and group words a person field may hold instead of a name.
const ROLE_VALUES: &[&str] = &[
    "顧客",
    "会員",
    "本人",
    "家族",
    "保護者",
    "利用者",
    "契約者",
    "患者",
    "住民",
    "市民",
    "学生",
    "生徒",
    "教職員",
    "全員",
    "各位",
    "不明",
    "なし",
    "未定",
    "自動",
    "全社",
    "全店",
    "社内",
    "社外",
    "当方",
    "先方",
    "弊社",
    "御社",
    "貴社",
    "当社",
    "同社",
    "相手",
    "本部",
    "現場",
    "営業",
    "総務",
    "経理",
    "人事",
    "監視",
    "運用",
    "保守",
    "開発",
    "事務",
    "窓口",
    // IPADIC lists it as a family name too; in a report it is a role.
    "上司",
    "部下",
    "同僚",
];

/// The compiled context patterns.
pub(crate) struct PersonRules {
    /// Department or role, a space, a name (and a given name).
    after_dept: Regex,
    /// Department or role glued to a name that ends at a particle or title.
    glued: Regex,
    /// A role, の, a name that ends at a particle or title (リーダーの北条は).
    role_of: Regex,
    /// A name before です in a chat line.
    self_intro: Regex,
    /// Family name, a space, given name.
    full_name: Regex,
    /// A kanji word alone between two Latin words (`Leader X checked`).
    in_english: Regex,
    /// A kanji word alone before a spaced job title (`上長は X 部長。`).
    spaced_title: Regex,
    /// The speaker of a quote (`「…」と X は語る`).
    quote_speaker: Regex,
    /// A role, then a name in brackets (`SV(桐ヶ谷)`).
    role_bracket: Regex,
    /// Which of the nine can match a text (see `prefilter.rs`).
    pub(super) prefilter: Prefilter,
}

impl PersonRules {
    pub(crate) fn new() -> Self {
        let mut p = PersonRules {
            after_dept: rx(&format!(
                r"(?:{DEPT_SUFFIX}|{ROLES}|{BARE_DEPTS}|(?:^|[、,\s])同|\d{{1,2}}年\d{{1,2}}組)[ \u{{3000}}:：]+(?:(?:{ROLES}|{BARE_DEPTS})[ \u{{3000}}]+)?(?P<n>{NAME1})(?:[ \u{{3000}}](?P<g>{NH}{{1,3}}|[ぁ-ゖ]{{2,4}}))?"
            )),
            glued: rx(&format!(
                r"(?P<r>{DEPT_SUFFIX}|{ROLES})(?P<n>{NH}{{2,4}}?)(?:{TITLES}|が|は|に|の|と|へ|から|より|を|も|→|、|。|（|\(|\s|$)"
            )),
            role_of: rx(&format!(
                r"(?:{ROLES})の(?P<n>{NH}{{2,4}}?)(?:{TITLES}|が|は|に|と|へ|から|より|を|も|だ|です|、|。)"
            )),
            self_intro: rx(&format!(
                r"(?:^|[\s、。:：の「」\]])(?P<n>{NAME})[ \u{{3000}}]?(?:です|と申します|でございます)"
            )),
            full_name: rx(&format!(
                r"(?P<n>{NAME1})[ \u{{3000}}](?P<g>[ぁ-ゖァ-ヺ]{{1,3}}子|{NH}{{1,3}}|[ぁ-ゖ]{{2,4}})"
            )),
            in_english: rx(&format!(
                r"[A-Za-z][A-Za-z.,'-]* (?P<n>{NH}{{1,4}}) [A-Za-z][a-z]"
            )),
            spaced_title: rx(&format!(
                r"(?:^|[\s、。:：(（/]|は|も)(?P<n>{NH}{{1,4}})[ \u{{3000}}](?:部長|課長|係長|室長|所長|店長|社長|主任|主査|次長|局長|教授|准教授|先生|委員|議員|理事)(?:$|[\s、。,)）/]|が|は|に|へ|と|から|より|を|も|の)"
            )),
            quote_speaker: rx(&format!(
                r"」と(?P<n>{NH}{{1,4}})(?:さん|氏)?(?:は|が|も)(?:語|話|述べ|言|振り返|笑|明か|強調)"
            )),
            role_bracket: rx(&format!(
                r"(?:{ROLES})[（(](?P<n>{NH}(?:[ノツ]?{NH}){{0,3}})[）)]"
            )),
            prefilter: Prefilter::new([]),
        };
        p.prefilter = Prefilter::new([
            p.after_dept.as_str(),
            p.glued.as_str(),
            p.role_of.as_str(),
            p.self_intro.as_str(),
            p.full_name.as_str(),
            p.in_english.as_str(),
            p.spaced_title.as_str(),
            p.quote_speaker.as_str(),
            p.role_bracket.as_str(),
        ]);
        p
    }
}

/// True when a field named `path` (its last key) holds people.
pub(crate) fn is_person_field(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    is_person_key(last.split('[').next().unwrap_or(last))
}

/// True when `key` (a field name or a table header) names people.
pub(crate) fn is_person_key(key: &str) -> bool {
    // Asked of every field a text is scanned in: `key` lower-cased on the
    // stack and looked up, not compared with each of the keys (which are
    // lower case; ASCII lower-casing keeps UTF-8 valid).
    static KEYS: std::sync::LazyLock<FxHashSet<&'static str>> =
        std::sync::LazyLock::new(|| PERSON_KEYS.iter().copied().collect());
    let mut buf = [0u8; KEY_BUF];
    let Some(lower) = buf.get_mut(..key.len()) else {
        return PERSON_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key));
    };
    lower.copy_from_slice(key.as_bytes());
    lower.make_ascii_lowercase();
    std::str::from_utf8(lower).is_ok_and(|k| KEYS.contains(k))
}

/// The longest key [`is_person_key`] lower-cases on the stack (longer ones,
/// none of the listed keys, are compared with each).
const KEY_BUF: usize = 64;

/// The linear comparison [`is_person_key`] replaced, for its test.
#[cfg(test)]
fn is_person_key_linear(key: &str) -> bool {
    PERSON_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

impl Recognizers {
    /// Person names in their report contexts (see the module doc).
    pub(crate) fn scan_persons(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        let p = &self.persons;
        let can = self.prefilters.of(n, Group::Persons);
        for caps in captures_if(can[0], &p.after_dept, text) {
            let Some(name) = caps.name("n") else { continue };
            let full = self.after_role_span(text, name.range(), caps.name("g"), lexis);
            // 栂ノ森課長, 瀬戸ノ内: when the name through ノ/ケ/ツ does not
            // fit, its head before the kana is read as before.
            let head = || {
                let cut = name.as_str().find(['ノ', 'ツ', 'ケ'])?;
                self.after_role_span(text, name.start()..name.start() + cut, None, lexis)
            };
            if let Some(span) = full.or_else(head) {
                person(out, n, span, "person_after_role", 0.8);
            }
        }
        for caps in captures_if(can[1], &p.glued, text) {
            let (Some(role), Some(name)) = (caps.name("r"), caps.name("n")) else {
                continue;
            };
            // A Latin role must be a word of its own: CSV is no SV.
            let in_word = role
                .as_str()
                .starts_with(|c: char| c.is_ascii_alphanumeric())
                && text[..role.start()].ends_with(|c: char| c.is_ascii_alphanumeric());
            if !in_word && self.glued_name_ok(role.as_str(), name.as_str(), lexis) {
                person(out, n, name.range(), "person_after_role", 0.8);
            }
        }
        for caps in captures_if(can[2], &p.role_of, text) {
            let Some(name) = caps.name("n") else { continue };
            if self.name_in_context(name.as_str(), lexis, false) {
                person(out, n, name.range(), "person_after_role", 0.8);
            }
        }
        for caps in captures_if(can[3], &p.self_intro, text) {
            let Some(name) = caps.name("n") else { continue };
            if self.name_in_context(name.as_str(), lexis, false) {
                person(out, n, name.range(), "person_self_intro", 0.8);
            }
        }
        // Overlapping matches: in `出席 X Y` the pair (出席, X) is rejected,
        // and X must still start the pair (X, Y).
        let mut at = 0;
        while let Some(caps) = can[4].then(|| p.full_name.captures_at(text, at)).flatten() {
            let (Some(s), Some(g)) = (caps.name("n"), caps.name("g")) else {
                break;
            };
            let before = &text[..s.start()];
            let free = !before
                .ends_with(|c: char| is_han_or_ke(c) || c.is_ascii_alphanumeric())
                // Not the tail of a name with a linker (鶴ケ|谷).
                && !before
                    .strip_suffix(['ノ', 'ツ', 'ケ'])
                    .is_some_and(|b| b.ends_with(is_han))
                && !glued_after(text, g.end())
                && !text[g.end()..].starts_with(|c: char| c.is_ascii_alphanumeric())
                && !g.as_str().ends_with(NOT_NAME_END)
                // An amount (金 数万円, a generalised figure) is no given name.
                && !g.as_str().ends_with('円');
            if free
                && !self.is_role_word(s.as_str())
                && self.full_name_ok(s.as_str(), g.as_str(), lexis)
            {
                person(out, n, s.start()..g.end(), "person_full_name", 0.8);
                at = g.end();
            } else {
                at = s.end();
            }
        }
        let english = can[5] && text.bytes().any(|b| b.is_ascii_alphabetic()) && !text.is_ascii();
        for caps in captures_if(english, &p.in_english, text) {
            let Some(name) = caps.name("n") else { continue };
            // In an English sentence a lone kanji word is a name (or a place,
            // which is masked too); a known common word or a role is not.
            let w = name.as_str();
            let fits = match lexis {
                Some(l) => l.surnames.contains(w) || !l.common.contains(w),
                None => lexicon::is_builtin_surname(w),
            };
            if fits && self.slot_word(w, lexis) {
                person(out, n, name.range(), "person_in_english", 0.8);
            }
        }
        for caps in captures_if(can[6], &p.spaced_title, text) {
            let Some(name) = caps.name("n") else { continue };
            // The title after a space closes the slot: a redactor masks what
            // stands before it, a common word or not (品質 部長 is no name:
            // departments and roles are not slot words).
            if self.slot_word(name.as_str(), lexis) && !self.is_place_name(name.as_str()) {
                person(out, n, name.range(), "person_spaced_title", 0.8);
            }
        }
        for caps in captures_if(can[7], &p.quote_speaker, text) {
            let Some(name) = caps.name("n") else { continue };
            if self.slot_word(name.as_str(), lexis) {
                person(out, n, name.range(), "person_quote_speaker", 0.8);
            }
        }
        for caps in captures_if(can[8], &p.role_bracket, text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str();
            if self.slot_word(w, lexis)
                && lexis.is_some_and(|l| l.surnames.contains(w) || !l.common.contains(w))
            {
                person(out, n, name.range(), "person_role_bracket", 0.8);
            }
        }
        self.scan_chains(n, lexis, out);
    }

    /// Names next to the arrows of a contact chain (斎藤→木村→部長 佐々木).
    fn scan_chains(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for (at, arrow) in text.match_indices(['→', '⇒']) {
            // Before the arrow: the last kanji run, titles and a bracket dropped.
            let mut head = text[..at].trim_end();
            if head.ends_with(['）', ')']) {
                if let Some(open) = head.rfind(['（', '(']) {
                    head = head[..open].trim_end();
                }
            }
            let head = strip_title(head);
            let run_start = head
                .char_indices()
                .rev()
                .take_while(|&(_, c)| is_han_or_ke(c))
                .last()
                .map(|(i, _)| i)
                .unwrap_or(head.len());
            self.chain_name(n, lexis, run_start..head.len(), out);
            // After the arrow: skip a role word and a space, or a company run.
            let rest_at = at + arrow.len();
            let rest = &text[rest_at..];
            let lead = rest.len() - rest.trim_start().len();
            let mut start = rest_at + lead;
            let mut run = han_run(text, start);
            if run.is_empty() || self.is_role_word(&text[run.clone()]) {
                let skipped = if run.is_empty() {
                    text[start..]
                        .chars()
                        .take_while(|c| is_kata(*c) || c.is_ascii_alphabetic() || *c == '・')
                        .map(char::len_utf8)
                        .sum::<usize>()
                } else {
                    run.end - start
                };
                // A company glued before the name (ベンダーX社|仲宗根) is two
                // characters or more; a label (A社) is a replacement.
                if skipped < 2 * 'ア'.len_utf8() && run.is_empty() {
                    continue;
                }
                start += skipped;
                start += text[start..].len() - text[start..].trim_start().len();
                run = han_run(text, start);
                if text[run.clone()].chars().count() < 2 {
                    continue;
                }
            }
            // A department glued before the name: keep what follows its suffix.
            let end = run.start + strip_title(&text[run.clone()]).len();
            let name = &text[run.start..end];
            let cut = name
                .char_indices()
                .filter(|(_, c)| "部課室係科".contains(*c))
                .map(|(i, c)| i + c.len_utf8())
                .next_back()
                .unwrap_or(0);
            self.chain_name(n, lexis, run.start + cut..end, out);
        }
    }

    fn chain_name(
        &self,
        n: &Normalized,
        lexis: Option<&Lexis>,
        r: Range<usize>,
        out: &mut Vec<Hit>,
    ) {
        let name = &n.text[r.clone()];
        // Not glued to a label (A社証券 →); a one-kanji name stands alone (黛 →).
        let glued = n.text[..r.start].ends_with(|c: char| c.is_ascii_alphanumeric());
        let alone = !glued
            && (name.chars().count() > 1
                || !n.text[..r.start].ends_with(|c: char| c.is_alphanumeric()));
        // One kanji after a role and a space (施設長 澪 →) is that role's holder.
        let after_role = || {
            n.text[..r.start]
                .strip_suffix([' ', '\u{3000}'])
                .is_some_and(|b| {
                    let t = b
                        .char_indices()
                        .rev()
                        .take_while(|(_, c)| !c.is_whitespace() && !"→⇒".contains(*c))
                        .last()
                        .map_or(b.len(), |(i, _)| i);
                    let role = &b[t..];
                    // 施設長, 園長, 相談員: a head or a member of a unit.
                    let titled = role.ends_with(['長', '員'])
                        && (2..=5).contains(&role.chars().count())
                        && role.chars().all(is_han);
                    !role.is_empty() && (self.is_role(role) || titled)
                })
        };
        let one_after_role =
            || name.chars().count() == 1 && after_role() && self.one_kanji_name(name, lexis);
        // A cause chain (誤判定 → 校正値が消えた) links words made of a common
        // word and one kanji more, which a family name rarely is.
        let derived = name.chars().count() >= 3
            && lexis.is_some_and(|l| !l.surnames.contains(name) && derived_of_common(name, l));
        if alone && !derived && (self.sized_name(name, lexis, false) || one_after_role()) {
            person(out, n, r, "person_chain", 0.8);
        }
    }

    /// Names in a field that holds people (`author`, `報告者`): every kanji word
    /// that is not a role, with the given name after it; user handles.
    pub(crate) fn scan_person_field(
        &self,
        n: &Normalized,
        lexis: Option<&Lexis>,
        out: &mut Vec<Hit>,
    ) {
        self.person_values(n, 0..n.text.len(), lexis, out);
    }

    /// [`Self::scan_person_field`] over the part `within` of `n` (a table cell).
    pub(crate) fn person_values(
        &self,
        n: &Normalized,
        within: Range<usize>,
        lexis: Option<&Lexis>,
        out: &mut Vec<Hit>,
    ) {
        let text = n.text.as_str();
        let mut prev_person_end: Option<usize> = None;
        let toks: Vec<Range<usize>> = tokens(&text[within.clone()])
            .into_iter()
            .map(|t| t.start + within.start..t.end + within.start)
            .collect();
        let whole = toks.len() == 1;
        // A value of two kanji words whose second is a given name (`千種 遥`):
        // the shape of a full name, even when the family name is also a
        // common word.
        if let [family, given] = toks.as_slice() {
            let (f, g) = (&text[family.clone()], strip_title(&text[given.clone()]));
            let kanji =
                |w: &str| !w.is_empty() && w.chars().all(|c| is_han(c) || "ヶ々ノ".contains(c));
            if kanji(f)
                && kanji(g)
                && text[family.end..given.start].trim().is_empty()
                && !self.is_role_word(g)
                && !ROLE_VALUES.contains(&g)
                && (1..=4).contains(&f.chars().count())
                && g.chars().count() <= 3
                && name_ok(f)
                && !self.is_role_word(f)
                && !ROLE_VALUES.contains(&f)
                && !f.ends_with(NOT_NAME_END)
                && self.given_ok(g, lexis)
            {
                person(out, n, family.clone(), "person_field", 0.8);
                person(
                    out,
                    n,
                    given.start..given.start + g.len(),
                    "person_field",
                    0.8,
                );
                return;
            }
        }
        for tok in toks {
            let word = &text[tok.clone()];
            if word.contains(['[', ']']) {
                // A replacement placeholder ([連絡先]).
                prev_person_end = None;
                continue;
            }
            let bare = strip_title(word);
            let r = tok.start..tok.start + bare.len();
            // Kanji, with a small kana inside as in 一ノ瀬, 三ツ矢, 八ケ代.
            let han = bare.starts_with(is_han)
                && bare.ends_with(is_han)
                && bare
                    .chars()
                    .all(|c| is_han(c) || "ヶ々ノツケッ".contains(c));
            if han
                && prev_person_end.take().is_some()
                && !self.is_role_word(bare)
                && !ROLE_VALUES.contains(&bare)
                && self.given_ok(bare, lexis)
                && bare.chars().count() <= 3
            {
                // The given name after a family name.
                person(out, n, r.clone(), "person_field", 0.8);
                continue;
            }
            if han
                && (1..=4).contains(&bare.chars().count())
                && !ROLE_VALUES.contains(&bare)
                && !self.is_role_word(bare)
                && name_ok(bare)
                // 竹ノ内, 堀ノ内: a name's infix outweighs an ending like 内.
                && (!bare.ends_with(NOT_NAME_END) || bare.contains(['ノ', 'ツ', 'ヶ']))
                // Beside other words a common word is more likely a role than a name.
                && (whole || lexis.is_none_or(|l| l.surnames.contains(bare) || !l.common.contains(bare)))
            {
                person(out, n, r.clone(), "person_field", 0.8);
                prev_person_end = Some(r.end);
                continue;
            }
            if prev_person_end.take().is_some()
                && (2..=4).contains(&bare.chars().count())
                && bare.chars().all(is_hira)
            {
                person(out, n, r.clone(), "person_field", 0.8);
                continue;
            }
            // A katakana name (foreign staff, a nickname): not a role or
            // vocabulary word (オペレーター, サポート).
            let kana = bare.chars().count() >= 2
                && bare.chars().all(|c| is_kata(c) || c == 'ー' || c == '・');
            if kana
                && !self.is_role_word(bare)
                && !self.vocab.contains(&bare.to_ascii_lowercase())
                && !self.vocabulary_only(bare)
                && name_ok(bare)
            {
                person(out, n, r.clone(), "person_field", 0.8);
                continue;
            }
            // A chat nickname standing alone in the field (みずたま🌸パパ, そら☆):
            // kana with an emoji or a mark, or with a family role after it
            // (ゆうきママ); plain kana may be a line's words (`オペレーター：はい`).
            let letters = bare.chars().filter(|c| is_hira(*c) || is_kata(*c)).count();
            let mark = |c: char| !(c.is_alphanumeric() || c.is_ascii() || c == 'ー');
            let nickname = whole
                && letters >= 2
                && bare.chars().any(is_hira)
                && bare
                    .chars()
                    .all(|c| is_hira(c) || is_kata(c) || c == 'ー' || mark(c))
                && (bare.chars().any(mark)
                    || ["ママ", "パパ", "ばあば", "じいじ"]
                        .iter()
                        .any(|w| bare.strip_suffix(w).is_some_and(|h| h.chars().count() >= 2)))
                && !self.is_role_word(bare);
            if nickname {
                push(out, n, r, Kind::Account, "nickname_field", 0.8, 4);
                continue;
            }
            // A user id: lower-case, with a separator or not (k_tomita, kawabe).
            let handle = bare.len() >= 4
                && bare.starts_with(|c: char| c.is_ascii_lowercase())
                && bare
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
                && !self.vocab.contains(bare);
            if handle {
                push(out, n, r, Kind::Identifier, "user_id", 0.8, 4);
            }
        }
    }

    /// Family names listed beside a person found elsewhere (石動と|宍戸|、
    /// 能登谷): a two- to four-kanji word joined to a person by と, 、, ・ or や,
    /// standing alone, that is a family name or (with the dictionary) not a
    /// common word. Found names extend the list in turn.
    pub(crate) fn coordinated_persons(
        &self,
        text: &str,
        lexis: Option<&Lexis>,
        hits: &mut Vec<Hit>,
    ) {
        // A slash joins the names of a rota or a sign-off (`X／Y`, `X/Y`).
        const JOINERS: [char; 8] = ['と', '、', '・', 'や', ',', '，', '／', '/'];
        let seeds: Vec<Range<usize>> = hits
            .iter()
            .filter(|h| h.kind == Kind::Person && h.deny.is_none())
            .map(|h| h.range.clone())
            .collect();
        walk_list(seeds, |r| {
            let mut found = Vec::new();
            let mut added = Vec::new();
            // The cells of a comma-separated row are not a list of names.
            let line_start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[r.end..].find('\n').map_or(text.len(), |i| r.end + i);
            let csv_row = text[line_start..line_end].matches(',').count() >= 2;
            let joins = |c: &char| JOINERS.contains(c) && !(csv_row && *c == ',');
            // After: joiner, then a kanji word that ends where the kanji run
            // ends; spaces may stand around a comma (`X, Y`), and an English
            // list joins with `and` or `&`.
            let after = skip_note(text[r.end..].trim_start_matches(' '));
            let joined_after = after
                .chars()
                .next()
                .filter(joins)
                .map(|j| &after[j.len_utf8()..])
                .or_else(|| {
                    after
                        .strip_prefix("and ")
                        .or_else(|| after.strip_prefix("& "))
                });
            if let Some(rest) = joined_after {
                let rest = rest.trim_start_matches(' ');
                let start = text.len() - rest.len();
                let len: usize = text[start..]
                    .chars()
                    .take_while(|c| is_han(*c) || "ヶノツ".contains(*c))
                    .map(char::len_utf8)
                    .sum();
                found.push(start..start + len);
            }
            // Before: a kanji word, then a joiner, then the person.
            let before = text[..r.start].trim_end_matches(' ');
            if let Some(j) = before.chars().next_back().filter(joins) {
                let end =
                    skip_note_back(before[..before.len() - j.len_utf8()].trim_end_matches(' '))
                        .len();
                let len: usize = text[..end]
                    .chars()
                    .rev()
                    .take_while(|c| is_han(*c) || "ヶノツ".contains(*c))
                    .map(char::len_utf8)
                    .sum();
                found.push(end - len..end);
            }
            for c in found {
                let w = &text[c.clone()];
                let taken = hits
                    .iter()
                    .any(|h| h.range.start < c.end && c.start < h.range.end);
                // A whole word: no okurigana glued after it (連絡済|み), only a
                // particle or an honorific.
                let glued_kana = text[c.end..].chars().next().is_some_and(|ch| {
                    is_hira(ch) && !"がはにとのもへやでをよかさくち".contains(ch)
                });
                // One kanji joined by ・ to a name (X・巽 立会): a family name of
                // one character, when the list ends right after it.
                let one = w.chars().count() == 1
                    && (text[c.end..].starts_with('・') || text[..c.start].ends_with('・'))
                    && slot_closes(&text[c.end..])
                    && lexis.is_some_and(|l| l.surnames.contains(w));
                if taken || glued_kana || !((2..=4).contains(&w.chars().count()) || one) {
                    continue;
                }
                let name = one
                    || match lexis {
                        Some(l) => {
                            (l.surnames.contains(w) && !l.common.contains(w))
                                || self.name_in_context(w, lexis, false)
                        }
                        None => lexicon::is_builtin_surname(w),
                    };
                if name && !self.is_role_word(w) && !super::checks::DEPARTMENT_WORDS.contains(&w) {
                    hits.push(listed(c.clone(), Kind::Person, "person_coordinated"));
                    added.push(c);
                }
            }
            added
        });
    }

    /// Widens a katakana name to the katakana word a blank before it (アナ
    /// ペレイラ, ミラ ソウザ): a foreign given name said before the family
    /// name, which the dictionary may know as a common word. The family name
    /// must be a person's (a cue found it) or an unknown katakana word; the
    /// word before it a whole katakana word of two to five letters that is
    /// neither IT vocabulary nor generic.
    pub(crate) fn katakana_given_names(&self, text: &str, hits: &mut [Hit]) {
        for h in hits.iter_mut().filter(|h| {
            h.deny.is_none()
                && (h.kind == Kind::Person || h.rule == super::candidates::CANDIDATE_KATAKANA)
        }) {
            let name = &text[h.range.clone()];
            if name.is_empty() || !name.chars().all(is_kata) {
                continue;
            }
            let Some(before) = text[..h.range.start].strip_suffix([' ', '\u{3000}']) else {
                continue;
            };
            let len: usize = before
                .chars()
                .rev()
                .take_while(|c| is_kata(*c))
                .map(char::len_utf8)
                .sum();
            let word = &before[before.len() - len..];
            let head = &before[..before.len() - len];
            let hiragana = is_hira;
            let whole = !head.ends_with(|c: char| c.is_alphanumeric() && !hiragana(c));
            if whole
                && (2..=5).contains(&word.chars().count())
                && !word.ends_with('ー')
                && !self.vocab.contains(word)
                && !self.is_generic_word(word)
                && !self.vocabulary_only(word)
            {
                h.range.start = head.len();
            }
        }
    }

    /// A one-kanji family name a blank before a given name the dictionary
    /// knows (`営業部 X 勇人`, `運転者：X 沙織`): the kanji standing alone
    /// between blanks (or after a colon or the text's start) is the family
    /// name, which no rule takes alone (it is also a common word: 楢, 森).
    /// Adds a hit over the whole name, found by the pair rather than the
    /// dictionary, so the family name echoes in the rest of the record.
    pub(crate) fn one_kanji_family_names(
        &self,
        text: &str,
        lexis: Option<&Lexis>,
        hits: &mut Vec<Hit>,
    ) {
        let Some(l) = lexis else { return };
        let mut found = Vec::new();
        for h in hits
            .iter()
            .filter(|h| h.deny.is_none() && h.kind == Kind::Person)
        {
            let given = &text[h.range.clone()];
            if !l.given.contains(given) || !given.chars().all(is_han) {
                continue;
            }
            let Some(before) = text[..h.range.start].strip_suffix([' ', '\u{3000}']) else {
                continue;
            };
            let Some(family) = before.chars().next_back().filter(|c| is_han(*c)) else {
                continue;
            };
            let head = &before[..before.len() - family.len_utf8()];
            let alone = head.is_empty() || head.ends_with([' ', '\u{3000}', ':', '：', '\n', '\t']);
            if alone && !is_one_kanji_not_name(family) {
                found.push(listed(
                    head.len()..h.range.end,
                    Kind::Person,
                    "family_one_kanji",
                ));
            }
        }
        hits.extend(found);
    }

    /// Widens person hits to the whole name: a family name glued before a given
    /// name (山田|太郎, where IPADIC tags both but the first is also a common
    /// word), a given name glued after a family name.
    pub(crate) fn whole_person_names(&self, text: &str, lexis: Option<&Lexis>, hits: &mut [Hit]) {
        let surname = |s: &str| {
            lexis.is_some_and(|l| l.surnames.contains(s)) || lexicon::is_builtin_surname(s)
        };
        let given = |s: &str| lexis.is_some_and(|l| l.given.contains(s));
        for h in hits
            .iter_mut()
            .filter(|h| h.kind == Kind::Person && h.deny.is_none())
        {
            let before: Vec<(usize, char)> = text[..h.range.start]
                .char_indices()
                .rev()
                .take_while(|(_, c)| is_han(*c))
                .take(3)
                .collect();
            if let Some((i, _)) = (0..before.len())
                .rev()
                .map(|k| before[k])
                .find(|(i, _)| surname(&text[*i..h.range.start]))
            {
                if given(&text[h.range.clone()]) {
                    h.range.start = i;
                }
            }
            // A family name a space before a given name (堀 健太郎): the whole
            // kanji word before the space.
            if let Some(sp) = text[..h.range.start].strip_suffix([' ', '\u{3000}']) {
                let run = sp
                    .char_indices()
                    .rev()
                    .take_while(|(_, c)| is_han(*c))
                    .last()
                    .map_or(sp.len(), |(i, _)| i);
                let word = &sp[run..];
                if (1..=3).contains(&word.chars().count())
                    && surname(word)
                    && given(&text[h.range.clone()])
                {
                    h.range.start = run;
                }
            }
            // A given name in hiragana a space after the family name
            // (朝比奈 しおり).
            if let Some(rest) = text[h.range.end..].strip_prefix([' ', '\u{3000}']) {
                let len: usize = rest
                    .chars()
                    .take_while(|c| is_hira(*c))
                    .map(char::len_utf8)
                    .sum();
                let word = &rest[..len];
                let ends = rest[len..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric() || is_han(c) && c != '々');
                if (2..=4).contains(&word.chars().count())
                    && ends
                    && given(word)
                    && surname(&text[h.range.clone()])
                {
                    let space = text[h.range.end..].len() - rest.len();
                    h.range.end += space + len;
                }
            }
            let after_len = text[h.range.end..]
                .chars()
                .take_while(|c| is_han(*c))
                .map(char::len_utf8)
                .sum::<usize>();
            let rest = &text[h.range.end..h.range.end + after_len];
            if after_len > 0
                && rest.chars().count() <= 3
                && surname(&text[h.range.clone()])
                && given(rest)
            {
                h.range.end += after_len;
            } else if rest.chars().count() == 1
                && rest.starts_with(FAMILY_NAME_ENDS)
                && (2..=3).contains(&text[h.range.clone()].chars().count())
                && text[h.range.clone()].chars().all(is_han)
                && lexis.is_some_and(|l| {
                    !l.common
                        .contains(&text[h.range.start..h.range.end + after_len])
                })
            {
                // A family name the dictionary knows shorter (柚木|崎): one
                // more kanji that ends family names, then the word ends.
                h.range.end += after_len;
            }
        }
    }

    /// [`Self::name_in_context`] for two to four kanji, or one that is a family
    /// name (黛, 林) standing alone.
    fn sized_name(&self, name: &str, lexis: Option<&Lexis>, strong: bool) -> bool {
        match name.chars().count() {
            1 => {
                lexis.is_some_and(|l| l.surnames.contains(name) && !l.common.contains(name))
                    || lexicon::is_builtin_surname(name)
                    // After a role and a space, a kanji no word is made of (蔀).
                    || (strong && lexis.is_some_and(|l| !l.common.contains(name)) && name_ok(name))
            }
            2..=4 => self.name_in_context(name, lexis, strong),
            _ => false,
        }
    }

    /// The span of a name after a role or a department (`after_dept`): the
    /// name and, when it reads as one, the given name `g` after it.
    fn after_role_span(
        &self,
        text: &str,
        name: Range<usize>,
        g: Option<regex::Match<'_>>,
        lexis: Option<&Lexis>,
    ) -> Option<Range<usize>> {
        if glued_after(text, name.end) {
            return None;
        }
        let word = &text[name.clone()];
        // A word the dictionary does not read as a name (雲母, 木挽) is
        // still the role's holder when the slot closes right after it: a
        // redactor masks what stands there.
        // So is one set apart by spaces before a particle (`弊社担当 X を装った`,
        // `当社担当 X が訪問`): the writer spaced the holder out of the prose.
        let closed = (g.is_none() && slot_closes(&text[name.end..]))
            || spaced_before_particle(&text[name.end..]);
        // A family and a given name that the slot closes after (`同 X Y、`,
        // `3年2組 X ゆい の`): the shape of a full name is the evidence.
        let closed_full = g.is_some_and(|g| {
            let rest = &text[g.end()..];
            !glued_after(text, g.end())
                && self.given_ok(g.as_str(), lexis)
                && (slot_closes(rest)
                    || rest
                        .trim_start_matches([' ', '\u{3000}'])
                        .starts_with(['の', 'が', 'は', 'に', 'と', '(', '（']))
        });
        let fits = self.sized_name(word, lexis, true)
            || ((closed || closed_full) && self.slot_word(word, lexis));
        if !fits {
            return None;
        }
        let end = match g {
            Some(g) if !glued_after(text, g.end()) && self.given_ok(g.as_str(), lexis) => g.end(),
            _ => name.end,
        };
        Some(name.start..end)
    }

    /// A kanji word standing alone in a person slot (after a role and a
    /// space, closed by a bracket, colon, comma, arrow, honorific or the line's
    /// end): a name unless it is a role, department, date, ordinal, IT word
    /// or a word ending like an office or a thing (課, 化, 書 …). The
    /// dictionary is not asked whether it is a common word: a family name is
    /// often one (雲母, 木挽, 鞍馬).
    pub(super) fn slot_word(&self, name: &str, lexis: Option<&Lexis>) -> bool {
        let count = name.chars().count();
        (1..=4).contains(&count)
            && name_ok(name)
            && !self.is_role_word(name)
            && !name.ends_with(NOT_NAME_END)
            && (!name.starts_with([
                '年', '月', '日', '時', '分', '第', '号', '番', '各', '全', '同', '当', '本', '弊',
                '貴', '御', '両',
            ]) || (count >= 2 && lexis.is_some_and(|l| l.surnames.contains(name))))
            && !DEPARTMENT_LIKE.iter().any(|d| name.starts_with(d))
            && !self.vocab.contains(name)
            && !super::slots::starts_with_act(name)
            && !super::labels::STATUS_WORDS.contains(&name)
            && ![
                "不在",
                "休み",
                "欠勤",
                "未定",
                "不明",
                "調整中",
                "全員",
                "各位",
                "以下",
                "以上",
                "同上",
                "未記入",
            ]
            .contains(&name)
            && (count > 1 || self.one_kanji_name(name, lexis))
    }

    /// A role, department or group word, not a name.
    pub(crate) fn is_role(&self, w: &str) -> bool {
        self.is_role_word(w)
    }

    pub(super) fn is_role_word(&self, w: &str) -> bool {
        role_or_bare_dept(w) || has_dept_suffix(w) || ROLE_VALUES.contains(&w)
    }

    /// A kanji word in a name slot: not a generic or role word; a family name,
    /// or (with the dictionary) not a common word. `strong` contexts (after a
    /// department and a space) accept any non-common word without the dictionary.
    fn name_in_context(&self, name: &str, lexis: Option<&Lexis>, strong: bool) -> bool {
        if !name_ok(name) {
            return false;
        }
        // Date and ordinal words never start a name (2024年第…), unless the
        // whole word is a family name and not a common word (日下部).
        let date_like = name.starts_with(['年', '月', '日', '時', '分', '第', '号', '番']);
        if lexis
            .is_some_and(|l| l.surnames.contains(name) && !(date_like && l.common.contains(name)))
        {
            // A family name, even one ending like a word (日下部, 望月).
            return true;
        }
        if date_like {
            return false;
        }
        if self.is_role_word(name) {
            return false;
        }
        if lexis.is_some() && is_act_word(name) {
            return false;
        }
        if name.ends_with(NOT_NAME_END) {
            return false;
        }
        if DEPARTMENT_LIKE.iter().any(|d| name.starts_with(d)) {
            return false;
        }
        let surname = lexicon::is_builtin_surname(name);
        match lexis {
            Some(l) => {
                l.surnames.contains(name)
                    || surname
                    || (!l.common.contains(name) && !compound_of_common(name, l))
            }
            // Without the dictionary only the built-in surnames are safe.
            None => surname && (strong || name.chars().count() >= 2),
        }
    }

    fn glued_name_ok(&self, role: &str, name: &str, lexis: Option<&Lexis>) -> bool {
        let Some(l) = lexis else {
            return lexicon::is_builtin_surname(name);
        };
        // The role's end and the name's start must not form a word (部品, 課題, 担当者).
        let first: String = name.chars().take(1).collect();
        let last: String = role.chars().last().map(String::from).unwrap_or_default();
        if l.common.contains(&format!("{role}{first}"))
            || l.common.contains(&format!("{last}{first}"))
        {
            return false;
        }
        // A common word with a one-kanji suffix after a role (一次|連絡先) is
        // the role's object, not its holder.
        if derived_of_common(name, l) && !l.surnames.contains(name) {
            return false;
        }
        self.name_in_context(name, lexis, false)
    }

    fn given_ok(&self, g: &str, lexis: Option<&Lexis>) -> bool {
        if g.chars().all(is_hira) {
            return !g.ends_with(['が', 'は', 'に', 'を', 'で', 'と', 'の', 'も', 'へ']);
        }
        match lexis {
            Some(l) => l.given.contains(g) || (!l.common.contains(g) && !derived_of_common(g, l)),
            None => g.chars().count() <= 2,
        }
    }

    fn full_name_ok(&self, s: &str, g: &str, lexis: Option<&Lexis>) -> bool {
        let Some(l) = lexis else {
            return lexicon::is_builtin_surname(s) && self.given_ok(g, None);
        };
        let hira = g.chars().all(is_hira);
        // A given name in kana with 子 (ちえ子, トミ子) is no common word (ぶりっ子
        // apart): a family name before it, even one that is also a word (玉虫),
        // makes a name.
        let kana_ko = g.strip_suffix('子').is_some_and(|k| {
            !k.is_empty()
                && k.chars().all(|c| is_hira(c) || is_kata(c))
                && !k.ends_with(['っ', 'ッ', 'の'])
        });
        let sei = l.surnames.contains(s) && !l.common.contains(s);
        let mei = l.given.contains(g) && !l.common.contains(g);
        // Two words that are neither common words (栗花落 陽菜) read as a name too.
        let unknown_pair = !hira
            && !l.common.contains(s)
            && !l.common.contains(g)
            && !compound_of_common(s, l)
            && !derived_of_common(g, l)
            && s.chars().count() >= 2;
        name_ok(s)
            && !s.ends_with(NOT_NAME_END)
            // 東海林 再起動: a work word after a family name is no given name.
            && ((sei && (mei || hira || (!l.common.contains(g) && !derived_of_common(g, l))))
                || (mei && !l.common.contains(s))
                || (l.surnames.contains(s) && l.given.contains(g))
                || (kana_ko && (l.surnames.contains(s) || s.chars().count() >= 2))
                || unknown_pair)
    }
}

/// Prefixes of department and function words that are not names (情報システム, 医療情報).
const DEPARTMENT_LIKE: &[&str] = &[
    "情報", "医療", "総務", "経理", "人事", "営業", "技術", "品質",
];

/// `text` after a short bracketed note that opens it (`（情報）、 …` → `、 …`):
/// a person's section beside each name of a list.
fn skip_note(text: &str) -> &str {
    let Some(inner) = text.strip_prefix(['（', '(']) else {
        return text;
    };
    match inner.find(['）', ')']) {
        Some(i) if inner[..i].chars().count() <= 8 && !inner[..i].contains('\n') => {
            let close = inner[i..].chars().next().map_or(0, char::len_utf8);
            &inner[i + close..]
        }
        _ => text,
    }
}

/// `text` before a short bracketed note that ends it (`…木暮（情報）` →
/// `…木暮`).
fn skip_note_back(text: &str) -> &str {
    let Some(inner) = text.strip_suffix(['）', ')']) else {
        return text;
    };
    match inner.rfind(['（', '(']) {
        Some(i) if inner[i..].chars().count() <= 9 && !inner[i..].contains('\n') => &inner[..i],
        _ => text,
    }
}

/// Kanji that end a family name and rarely start a word glued after one
/// (柚木崎, 大和田, 宇都宮 → 崎, 田, 宮 …), for [`Recognizers::whole_person_names`].
pub(super) const FAMILY_NAME_ENDS: &[char] = &[
    '崎', '﨑', '沢', '澤', '谷', '野', '原', '島', '嶋', '井', '塚', '尾', '瀬', '浜', '岡', '坂',
    '浦', '江', '橋', '田', '森', '林', '宮', '脇', '根', '淵', '岩',
];

/// A word made of two dictionary words (障害対応, 五百+旗頭), not a family name.
pub(super) fn compound_of_common(name: &str, l: &Lexis) -> bool {
    let idx: Vec<usize> = name.char_indices().map(|(i, _)| i).skip(1).collect();
    idx.iter().any(|&i| {
        name[..i].chars().count() >= 2
            && name[i..].chars().count() >= 2
            && l.common.contains(&name[..i])
            && l.common.contains(&name[i..])
    })
}

/// A word that names an act, never a person: a verbal noun of the dictionary
/// (連絡, 復旧, 切替: see `dict::write_verbal_nouns`), alone or with a
/// one-kanji prefix or suffix (再+起動, 未+対応, 確認+済, 対応+中). False
/// while the dictionary is not loaded.
pub(crate) fn is_act_word(word: &str) -> bool {
    let Some(verbal) = crate::dict::verbal_nouns() else {
        return false;
    };
    verbal.contains(word)
        || (word.chars().all(is_han) && one_kanji_affixed(word, |w| verbal.contains(w)))
}

/// A common word with a one-kanji prefix or suffix (再+起動, 委託+先), not a name.
pub(super) fn derived_of_common(word: &str, l: &Lexis) -> bool {
    one_kanji_affixed(word, |w| l.common.contains(w))
}

/// Whether `word` (three characters or more) is a `base` word with one
/// character before or after it.
fn one_kanji_affixed(word: &str, base: impl Fn(&str) -> bool) -> bool {
    let (Some((second, _)), Some((last, _))) =
        (word.char_indices().nth(1), word.char_indices().next_back())
    else {
        return false;
    };
    word.chars().count() >= 3 && (base(&word[second..]) || base(&word[..last]))
}

/// Reports a person name.
pub(super) fn person(
    out: &mut Vec<Hit>,
    n: &Normalized,
    r: Range<usize>,
    rule: &'static str,
    score: f32,
) {
    push(out, n, r, Kind::Person, rule, score, 2);
}

/// The kanji run starting at `at` (empty when none).
fn han_run(text: &str, at: usize) -> Range<usize> {
    let len = text[at..]
        .chars()
        .take_while(|&c| is_han_or_ke(c))
        .map(char::len_utf8)
        .sum::<usize>();
    at..at + len
}

/// `w` without a trailing title or honorific.
pub(crate) fn strip_title(w: &str) -> &str {
    let mut w = w.trim_end();
    for _ in 0..2 {
        // Only titles ending in `w`'s last character can end `w`; they keep
        // their order in `TITLES`, so the first that fits is the same.
        let Some(last) = w.chars().next_back() else {
            break;
        };
        if let Some(t) = titles_ending_in(last)
            .iter()
            .find(|t| w.ends_with(*t) && w.len() > t.len())
        {
            w = w[..w.len() - t.len()].trim_end();
        }
    }
    w
}

/// True when `w` is one of `ROLES` or `BARE_DEPTS` (a set, not a scan of
/// the two lists on every call).
fn role_or_bare_dept(w: &str) -> bool {
    static WORDS: std::sync::LazyLock<FxHashSet<&'static str>> =
        std::sync::LazyLock::new(|| ROLES.split('|').chain(BARE_DEPTS.split('|')).collect());
    WORDS.contains(w)
}

/// True when `w` ends with one of [`DEPT_SUFFIX`] and is longer than it:
/// each proper suffix of `w` asked of a set, not the list scanned.
pub(super) fn has_dept_suffix(w: &str) -> bool {
    static SET: std::sync::LazyLock<Affixes> =
        std::sync::LazyLock::new(|| Affixes::new(DEPT_SUFFIX));
    SET.ends_shorter(w)
}

/// The titles of `TITLES` whose last character is `c`, in their order there.
fn titles_ending_in(c: char) -> &'static [&'static str] {
    static BY_LAST: std::sync::LazyLock<HashMap<char, Vec<&'static str>>> =
        std::sync::LazyLock::new(|| {
            let mut by_last: HashMap<char, Vec<&'static str>> = HashMap::new();
            for t in TITLES.split('|') {
                if let Some(last) = t.chars().next_back() {
                    by_last.entry(last).or_default().push(t);
                }
            }
            by_last
        });
    BY_LAST.get(&c).map_or(&[], Vec::as_slice)
}

/// True when a person slot ends at the start of `rest`: a closing bracket,
/// a colon, a comma, a slash, an arrow, an honorific or the line's end; or
/// a sender's より/から or a self-introduction's です that ends the phrase
/// (`店長 X より。`, `担当 X です、`).
pub(super) fn slot_closes(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\u{3000}']);
    rest.is_empty()
        || rest.starts_with([
            ')', '）', ':', '：', '、', ',', '/', '→', '⇒', '\n', '」', '|',
        ])
        || ["さん", "氏", "様", "樣", "くん"]
            .iter()
            .any(|t| rest.starts_with(t))
        || ["より", "から", "です"].iter().any(|t| {
            rest.strip_prefix(t).is_some_and(|r| {
                r.is_empty() || r.starts_with(['。', '、', '\n', ' ', '!', '！', ')', '）'])
            })
        })
}

/// True when `rest` (what follows a name) is a space, then a case particle
/// and a word (` を装った`, ` が訪問`, ` から連絡`).
fn spaced_before_particle(rest: &str) -> bool {
    let Some(r) = rest.strip_prefix([' ', '\u{3000}']) else {
        return false;
    };
    ["を", "が", "に", "は", "へ", "と", "も", "から", "まで"]
        .iter()
        .filter_map(|p| r.strip_prefix(p))
        .any(|w| w.starts_with(|c: char| is_han_or_ke(c) || ('ぁ'..='ゖ').contains(&c)))
}

/// True when a kanji or kana character continues the word at `end`.
fn glued_after(text: &str, end: usize) -> bool {
    text[end..].chars().next().is_some_and(is_han_or_ke)
}

/// Words of a field value: split at spaces, brackets, slashes and commas.
fn tokens(text: &str) -> Vec<Range<usize>> {
    char_runs(text, |c| {
        !(c.is_whitespace() || "（）()<>/、,，:：「」【】".contains(c))
    })
}

#[cfg(test)]
mod lookup_tests {
    use super::*;

    /// `is_person_key` compares without case: right only while every key is
    /// written in lower case, as the lower-cased field name was compared.
    #[test]
    fn person_keys_are_lower_case() {
        for k in PERSON_KEYS {
            assert_eq!(*k, k.to_ascii_lowercase(), "{k}");
            assert!(k.len() <= KEY_BUF, "{k}");
        }
        for k in ["Assignee", "OPERATOR", "担当者", "owner"] {
            assert_eq!(
                is_person_key(k),
                PERSON_KEYS.contains(&k.to_ascii_lowercase().as_str()),
                "{k}"
            );
        }
    }

    /// The set lookup answers as the comparison with each key did: on every
    /// key, in upper, mixed and lower case, with a character more or less,
    /// and on keys longer than the stack buffer.
    #[test]
    fn person_key_lookup_agrees_with_the_comparison() {
        let mut keys: Vec<String> = Vec::new();
        for k in PERSON_KEYS {
            let upper = k.to_ascii_uppercase();
            let mixed: String = k
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            let mut shorter = k.to_string();
            shorter.pop();
            keys.extend([
                k.to_string(),
                upper,
                mixed,
                shorter,
                format!("{k}s"),
                format!("x{k}"),
            ]);
        }
        keys.extend(["", "A", "Ä", "名", "ASSIGNEE", "Owner_", "担当者Ａ"].map(String::from));
        keys.push("a".repeat(KEY_BUF));
        keys.push("a".repeat(KEY_BUF + 1));
        keys.push("Ｂ".repeat(KEY_BUF));
        for k in &keys {
            assert_eq!(is_person_key(k), is_person_key_linear(k), "{k}");
        }
        assert!(is_person_key("Assigned_To") && !is_person_key("assigned"));
    }

    /// `strip_title` as it was written before its titles were grouped by
    /// last character: every title, in order, tried on every call.
    fn strip_title_by_scan(w: &str) -> &str {
        let mut w = w.trim_end();
        for _ in 0..2 {
            if let Some(t) = TITLES
                .split('|')
                .find(|t| w.ends_with(t) && w.len() > t.len())
            {
                w = w[..w.len() - t.len()].trim_end();
            }
        }
        w
    }

    #[test]
    fn grouping_titles_by_last_character_strips_the_same() {
        let titles: Vec<&str> = TITLES.split('|').collect();
        let mut words: Vec<String> = vec![String::new(), " ".into(), "山田".into(), "長".into()];
        for t in &titles {
            words.push((*t).to_string());
            words.push(format!("山田{t}"));
            words.push(format!("山田 {t} "));
            for u in &titles {
                words.push(format!("佐藤{t}{u}"));
                words.push(format!("{t}{u}"));
            }
        }
        for w in &words {
            assert_eq!(strip_title(w), strip_title_by_scan(w), "{w:?}");
        }
        assert_eq!(strip_title("山田部長代理さん"), "山田");
        assert_eq!(strip_title("課長"), "課長");
    }

    #[test]
    fn role_words_are_the_listed_ones() {
        let listed =
            |w: &str| ROLES.split('|').any(|r| r == w) || BARE_DEPTS.split('|').any(|r| r == w);
        let mut words: Vec<&str> = ROLES.split('|').chain(BARE_DEPTS.split('|')).collect();
        words.extend(["", "山田", "営業部", "課長代理", "総務部", "SVX", "担当者A"]);
        for w in words {
            assert_eq!(role_or_bare_dept(w), listed(w), "{w:?}");
        }
    }
}
