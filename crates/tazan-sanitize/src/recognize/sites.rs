//! Sites named after their place with a bare site word (`春日部センター`,
//! `北見中央局`, `相馬給電所`): the site word alone is generic, so the name
//! before it decides. A kanji word the dictionary does not list as a common
//! word (a place or a family name) makes the site a named facility; a common
//! word (監視センター, 事務局, 運用センター) leaves it a generic part of the
//! premises. Without the dictionary only known place names count.

use super::persons::{compound_of_common, Lexis};
use super::*;

/// Site words that name a facility only after a proper name.
const SITE_WORDS: &str = "センター|DC|倉庫|デポ|物流棟|基地|局|制御所|給電所|指令所|管理所|配水場|ポンプ場|処理場|中継所";

/// The compiled pattern of this module.
pub(crate) struct SiteRules {
    site: Regex,
}

impl SiteRules {
    pub(crate) fn new() -> Self {
        SiteRules {
            site: rx(&format!(
                r"(?P<n>[\p{{Han}}ヶ々&&[^〇○某]]{{2,5}})(?:{SITE_WORDS})"
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
        for caps in self.sites.site.captures_iter(text) {
            let (Some(m), Some(name)) = (caps.get(0), caps.name("n")) else {
                continue;
            };
            let w = name.as_str();
            // The whole kanji run: not the tail of a longer word.
            let glued = text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(|c| is_han(c) || c == 'ヶ');
            if glued || !name_ok(w) || w.ends_with(['薬', '課', '室', '係', '内', '外']) {
                continue;
            }
            let proper = match lexis {
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
    }
}
