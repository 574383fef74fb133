//! Sites named after their place with a bare site word (`春日部センター`,
//! `北見中央局`, `相馬給電所`): the site word alone is generic, so the name
//! before it decides. A kanji word the dictionary does not list as a common
//! word (a place or a family name) makes the site a named facility; a common
//! word (監視センター, 事務局, 運用センター) leaves it a generic part of the
//! premises. Without the dictionary only known place names count.
//!
//! The same test tells a software or systems house, or a club, from a kind
//! of system (`藤紫ソフト`, `葛城システム`, `翠風会` against `基幹システム`,
//! `会計ソフト`, `説明会`): a kanji head that is no common word, no compound
//! or derivation of one, and no role or department names a company.

use super::persons::{compound_of_common, derived_of_common, Lexis};
use super::prefilter::captures_if;
use super::*;

/// Site words that name a facility only after a proper name.
const SITE_WORDS: &str = "基地局|局舎|センター|DC|倉庫|デポ|物流棟|基地|局|制御所|給電所|指令所|管理所|配水場|ポンプ場|処理場|中継所|選果場|集荷場|集出荷場|選果所|浄水場|変電所|ポンプ所|排水機場|揚水機場|浄化センター|校舎|分校|工区";

/// Heads of a meeting or a generic body before 会 that the dictionary may
/// not list whole (検討会, 町内会).
const MEETING_HEADS: &[&str] = &[
    "説明", "懇親", "報告", "勉強", "検討", "連絡", "定例", "反省", "歓迎", "送別", "交流", "研究",
    "協議", "審議", "推進", "運営", "評議", "委員", "役員", "株主", "分科", "発表", "講習", "研修",
    "見学", "展示", "意見", "決起", "祝賀", "慰労", "親睦", "新年", "忘年", "同窓", "同好", "後援",
    "町内", "自治", "商店", "婦人", "青年", "老人", "子供", "保護", "家族", "父母", "職員", "社員",
    "部活", "部長", "課長", "所長", "幹事", "理事", "代表", "全体", "合同", "臨時", "緊急", "特別",
    "月例", "週例", "朝礼", "夕礼", "試食", "試乗", "内覧", "相談", "面談", "商談", "講演", "演奏",
    "発足", "総括", "評価", "対策", "改善", "安全", "衛生", "品質", "環境", "防災", "防犯", "技術",
];

/// House words after which a plain two-kanji noun names the body (若竹会,
/// 若草歯科) as a club's or a clinic's name.
const CLUB_WORDS: &[&str] = &[
    "会",
    "クリニック",
    "歯科医院",
    "歯科",
    "医院",
    "診療所",
    "整骨院",
    "接骨院",
];

/// Heads of a kind of care, not of a clinic's name (小児歯科, 訪問診療所).
const CARE_HEADS: &[&str] = &[
    "小児", "矯正", "審美", "総合", "一般", "美容", "訪問", "在宅", "救急", "夜間", "休日", "産婦",
    "心療", "歯科", "眼科", "内科", "外科", "皮膚", "整形", "地域", "無料", "巡回", "附属", "付属",
];

/// Words that end a company's name after a proper kanji head (`藤紫ソフト`),
/// or a club's or association's (`翠風会`).
const HOUSE_WORDS: &str = "クリニック|歯科医院|歯科|医院|診療所|整骨院|接骨院|ソフトウェア|ソフト開発|ソフト|システムズ|システム開発|システムサービス|システム|データサービス|情報サービス|ネットサービス|テック|ネット|リース|設備|会";

/// The compiled pattern of this module.
pub(crate) struct SiteRules {
    site: Regex,
    house: Regex,
    staff: Regex,
}

impl SiteRules {
    /// The literals of the patterns, for the pre-pass ([`Late::Sites`]): in
    /// the order `site`, `staff`, `house`.
    pub(crate) fn prefilter(&self) -> Prefilter {
        Prefilter::new([self.site.as_str(), self.staff.as_str(), self.house.as_str()])
    }

    pub(crate) fn new() -> Self {
        SiteRules {
            // 西ノ宮 校舎: ノ and ツ go on a kanji name between kanji.
            site: rx(&format!(
                r"(?P<n>[\p{{Han}}ヶ々&&[^〇○某]](?:[ノツ]?[\p{{Han}}ヶ々&&[^〇○某]]){{1,4}})[ \u{{3000}}]?(?:{SITE_WORDS})"
            )),
            staff: rx(&format!(
                r"(?P<n>{K}{{3,16}})[ \u{{3000}}]?の(?:営業担当|営業|担当者|担当|技術者|技術担当|エンジニア|SE|保守員|作業員|社員)"
            )),
            house: rx(&format!(
                r"(?P<n>[\p{{Han}}ヶ々&&[^〇○某]]{{2,4}})(?P<w>{HOUSE_WORDS})"
            )),
        }
    }
}

impl Recognizers {
    /// True when `w` with 市, 町, 村 or 区 is a known municipality (春日部).
    fn municipality_stem(&self, w: &str) -> bool {
        ['市', '町', '村', '区']
            .iter()
            .any(|s| self.is_place_name(&format!("{w}{s}")))
    }

    /// See the module doc.
    pub(crate) fn scan_sites(&self, n: &Normalized, lexis: Option<&Lexis>, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        if text.is_ascii() {
            return;
        }
        let can = self.late(n, Late::Sites);
        for caps in captures_if(can[0], &self.sites.site, text) {
            let (Some(m), Some(name)) = (caps.get(0), caps.name("n")) else {
                continue;
            };
            let w = name.as_str();
            // The whole kanji run: not the tail of a longer word.
            let glued = text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(is_han_or_ke);
            if glued || !name_ok(w) || w.ends_with(['薬', '課', '室', '係', '内', '外']) {
                continue;
            }
            // A data centre is named whatever its head means (東雲DC).
            let data_centre = &text[name.end()..m.end()] == "DC"
                && lexis.is_some()
                && !self.is_role(w)
                && !w.chars().any(|c| "本各全同当弊貴御新旧第".contains(c));
            let proper = data_centre
                || match lexis {
                    Some(l) => {
                        !l.common.contains(w)
                        && !compound_of_common(w, l)
                        // 春日部: a place and family name, not a department.
                        && (!self.is_role(w)
                            || l.surnames.contains(w)
                            || self.municipality_stem(w)
                            // A place ending in 部 (春日部, 岡部): no
                            // department is glued to a site word.
                            || (w.ends_with('部') && w.chars().count() >= 3))
                        && !w.chars().any(|c| {
                            // A one-kanji head of a common word (本+部, 各+拠点).
                            "本各全同当弊貴御新旧第".contains(c)
                        })
                    }
                    None => self.is_place_name(w) || self.municipality_stem(w),
                };
            if proper {
                push(out, n, m.range(), Kind::Facility, "named_site", 0.8, 2);
            }
        }
        if let Some(l) = lexis {
            self.houses(n, l, out);
            self.staff_of(n, l, out);
            self.scan_brands(n, l, out);
            self.scan_parties(n, l, out);
        }
    }

    /// A katakana name whose staff act for it (`グリーンフィールドの営業`,
    /// `スターリンク の担当者`): a company, even when made of ordinary words.
    /// One dictionary word (フロント, パート) or IT vocabulary (サーバの担当,
    /// ヘルプデスクの担当者) is a function, not a company.
    fn staff_of(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        if !text.contains('の') {
            return;
        }
        for caps in captures_if(self.late(n, Late::Sites)[1], &self.sites.staff, text) {
            let Some(name) = caps.name("n") else { continue };
            let w = name.as_str();
            let glued = text[..name.start()]
                .chars()
                .next_back()
                .is_some_and(is_kata);
            let base = w.strip_suffix('ー').unwrap_or(w);
            // An unknown word is already a candidate for the reviewer; this
            // rule is for names made of ordinary words.
            if glued
                || !self.katakana_known(w, l.common)
                || l.common.contains(w)
                || l.common.contains(base)
                || self.vocab.contains(&w.to_ascii_lowercase())
                || self.vocabulary_only(w)
                || !name_ok(w)
            {
                continue;
            }
            push(out, n, name.range(), Kind::Org, "katakana_staff_of", 0.7, 2);
        }
    }

    /// Software houses, systems houses and clubs named by a proper kanji
    /// head (see the module doc). Needs the dictionary: without it every
    /// kind of system would look like a name.
    fn houses(&self, n: &Normalized, l: &Lexis, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for caps in captures_if(self.late(n, Late::Sites)[2], &self.sites.house, text) {
            let (Some(m), Some(name), Some(word)) = (caps.get(0), caps.name("n"), caps.name("w"))
            else {
                continue;
            };
            let w = name.as_str();
            let glued_before = text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(is_han_or_ke);
            // The whole word: not the head of a longer katakana or kanji one
            // (藤紫システムズ is matched whole, 会議 is no club).
            let glued_after = text[m.end()..]
                .chars()
                .next()
                .is_some_and(|c| is_kata(c) || (word.as_str() == "会" && is_han(c)));
            if glued_before || glued_after || !name_ok(w) {
                continue;
            }
            let whole = &text[m.range()];
            // A name stands apart as a word of its own (`ベンダー 藤紫ソフト 製`,
            // `（葛城システム）`); a kind of system runs into the sentence
            // (`校務システムの`), or is a field's whole value (a system name).
            let rest = &text[m.end()..];
            let apart_before = text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace() || "「『（(【[:：、,/・".contains(c));
            let apart_after = rest.is_empty()
                || rest
                    .starts_with(|c: char| c.is_whitespace() || "」』）)】]、,。/・".contains(c))
                || ["製", "社", "様", "さん", "殿", "御中", "側"]
                    .iter()
                    .any(|s| rest.starts_with(s));
            if !(apart_before && apart_after) || m.range() == (0..text.len()) {
                continue;
            }
            // A club named by a plain noun (若竹会, 鈴蘭会) where a meeting is
            // named by what it does (説明会, 検討会): the dictionary lists
            // most meetings whole, and the rest start with an act.
            // A clinic or club named by its area (青葉台クリニック): a noun and
            // one kanji of a place name.
            let area = w.chars().count() == 3
                && w.ends_with(['台', '丘', '町', '原', '浜', '坂', '谷', '沢']);
            let club = CLUB_WORDS.contains(&word.as_str())
                && (w.chars().count() == 2 || area)
                && !CARE_HEADS.contains(&w)
                && !l.common.contains(whole)
                && !MEETING_HEADS.contains(&w)
                && !super::slots::starts_with_act(w);
            // A family or place name heads a house whatever else it means
            // (大和システム開発).
            let family = !CLUB_WORDS.contains(&word.as_str())
                && (l.surnames.contains(w) || self.is_place_name(w))
                && !l.common.contains(whole);
            let head_ok = club
                || family
                || (!l.common.contains(w)
                    && !l.common.contains(whole)
                    && !compound_of_common(w, l)
                    && !derived_of_common(w, l)
                    && !derived_of_common(whole, l));
            let proper = head_ok
                && !self.is_role(w)
                && !w.ends_with([
                    '課', '部', '室', '係', '班', '局', '用', '型', '系', '式', '化', '性',
                ])
                && !w.chars().any(|c| "本各全同当弊貴御新旧第他自".contains(c));
            if proper {
                push(out, n, m.range(), Kind::Org, "kanji_house", 0.75, 2);
            }
        }
    }
}
