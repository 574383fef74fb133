//! Organisations named in a list beside one already found: `取引先各社（X、
//! 丸高、Y）`, `A社・北栄・Z`. A customer or a partner named in passing has
//! no legal form and no business word; its neighbours in the list give it
//! one. An unknown katakana or Latin name (a candidate) counts as found, as
//! it most often is a brand or a company. A kanji word joined by 、, ・ or a comma to an organisation hit is an
//! organisation too, unless the dictionary knows it as a common word (a list
//! of topics: 品質、コスト), or it is a place, a role or a department.
//! The walk follows the list both ways from every organisation, as
//! [`Recognizers::coordinated_persons`] does from a person.

use super::marks::{leading_kanji, trailing_kanji};
use super::persons::{compound_of_common, derived_of_common, is_act_word, Lexis};
use super::*;

/// Characters that join the items of a list of organisations.
const JOINERS: [char; 5] = ['、', '・', ',', '，', '／'];

impl Recognizers {
    /// Adds the kanji words listed beside an organisation hit (see the module
    /// doc). Needs the dictionary: without it any kanji word would do.
    pub(crate) fn coordinated_orgs(&self, text: &str, lexis: Option<&Lexis>, hits: &mut Vec<Hit>) {
        let Some(l) = lexis else { return };
        let seeds: Vec<Range<usize>> = hits
            .iter()
            .filter(|h| {
                h.deny.is_none() && (h.kind == Kind::Org || h.rule.starts_with("candidate:"))
            })
            .map(|h| h.range.clone())
            .collect();
        walk_list(seeds, |r| {
            let mut found = Vec::new();
            let after = text[r.end..].trim_start_matches(' ');
            if let Some(j) = after.chars().next().filter(|c| JOINERS.contains(c)) {
                let rest = after[j.len_utf8()..].trim_start_matches(' ');
                let start = text.len() - rest.len();
                found.push(start..start + leading_kanji(rest).len());
            }
            let before = text[..r.start].trim_end_matches(' ');
            if let Some(j) = before.chars().next_back().filter(|c| JOINERS.contains(c)) {
                let end = before[..before.len() - j.len_utf8()]
                    .trim_end_matches(' ')
                    .len();
                found.push(end - trailing_kanji(&text[..end]).len()..end);
            }
            found.retain(|c| {
                let w = &text[c.clone()];
                let taken = hits
                    .iter()
                    .any(|h| h.range.start < c.end && c.start < h.range.end);
                // A whole word: the list goes on or closes after it.
                let rest = &text[c.end..];
                let closes = rest.is_empty()
                    || rest.starts_with('の')
                    || rest.starts_with(|ch: char| {
                        JOINERS.contains(&ch) || ch.is_whitespace() || ")）]】」".contains(ch)
                    });
                !taken && closes && self.listed_org(w, l)
            });
            for c in &found {
                hits.push(listed(c.clone(), Kind::Org, "org_coordinated"));
            }
            found
        });
    }

    /// Lists of three or more kanji words joined by 、 that the dictionary
    /// does not know as words (`X、Y、Zで実施`, `X、Y、Z の3名`): no list of
    /// topics, places or departments is made of unknown words only, a list
    /// of people is. Family names the dictionary knows count as unknown
    /// words; one common word, place or role among them keeps the list.
    pub(crate) fn unknown_name_lists(
        &self,
        text: &str,
        lexis: Option<&Lexis>,
        hits: &mut Vec<Hit>,
    ) {
        let Some(l) = lexis else { return };
        let mut items: Vec<Range<usize>> = Vec::new();
        let flush = |items: &mut Vec<Range<usize>>, hits: &mut Vec<Hit>| {
            if items.len() >= 3 {
                // Overlaps are resolved with the other hits (a found name
                // keeps its own rule).
                for r in items.iter() {
                    hits.push(listed(r.clone(), Kind::Person, "person_listed"));
                }
            }
            items.clear();
        };
        for (at, _) in text.match_indices('、') {
            let w = trailing_kanji(&text[..at]);
            let start = at - w.len();
            // The word before the 、 starts the list or goes on with it.
            let goes_on = items
                .last()
                .is_some_and(|r| r.start == start && r.end == at);
            let free = !text[..start]
                .ends_with(|c: char| is_kata(c) || c.is_ascii_alphanumeric() || c == '々');
            if !goes_on {
                flush(&mut items, hits);
                if !(free && self.unknown_word(w, l)) {
                    continue;
                }
                items.push(start..at);
            }
            // The word after it: the list's next or last item.
            let b_at = at + '、'.len_utf8();
            let b = leading_kanji(&text[b_at..]);
            let b_len = b.len();
            if !self.unknown_word(b, l) {
                items.clear();
                continue;
            }
            let rest = &text[b_at + b_len..];
            let closes = rest.starts_with('、')
                || rest.is_empty()
                || rest.starts_with(|c: char| c.is_whitespace() || "のでがはとにも)）".contains(c));
            if !closes {
                items.clear();
                continue;
            }
            items.push(b_at..b_at + b_len);
        }
        flush(&mut items, hits);
    }

    /// A kanji word of two to four characters the dictionary does not know
    /// as a common word, a place, a role or a department (a family name it
    /// knows is fine).
    fn unknown_word(&self, w: &str, l: &Lexis) -> bool {
        (2..=4).contains(&w.chars().count())
            && self.slot_word(w, Some(l))
            && !lexicon::is_bare_place(w)
            && !self.is_place_name(w)
            && !l.common.contains(w)
            && !compound_of_common(w, l)
            && !derived_of_common(w, l)
    }

    /// `w` may be an organisation's name in a list of them.
    fn listed_org(&self, w: &str, l: &Lexis) -> bool {
        (2..=6).contains(&w.chars().count())
            && name_ok(w)
            && !relation_word(w, l)
            && !l.common.contains(w)
            && !compound_of_common(w, l)
            && !derived_of_common(w, l)
            && !lexicon::is_bare_place(w)
            && !self.is_place_name(w)
            && !self.is_role(w)
            && !super::checks::DEPARTMENT_WORDS.contains(&w)
    }
}

/// A word that names a business relation, not a party (保守契約先, 清掃委託先,
/// 部品仕入元): a relation word, or a work or a common word with 先 or 元
/// after it. A list of partners holds such a word beside their names
/// (`X、保守契約先、Y`), and it names no one.
fn relation_word(w: &str, l: &Lexis) -> bool {
    if lexicon::RELATION_WORDS
        .iter()
        .any(|r| w == *r || (r.ends_with('先') && w.ends_with(r)))
    {
        return true;
    }
    let Some(stem) = w.strip_suffix(['先', '元']) else {
        return false;
    };
    // The work before 先/元 is the stem's last two characters (契約 of 保守契約).
    let tail = stem
        .char_indices()
        .rev()
        .nth(1)
        .map_or(stem, |(i, _)| &stem[i..]);
    [stem, tail]
        .iter()
        .any(|t| t.chars().count() >= 2 && (l.common.contains(t) || is_act_word(t)))
}

/// Walks a list from `seeds`: `visit` takes a found item and returns the
/// items it added beside it, which are visited in turn (at most 64 visits:
/// a list is short, a text of joiners is no list).
pub(super) fn walk_list(
    mut queue: Vec<Range<usize>>,
    mut visit: impl FnMut(Range<usize>) -> Vec<Range<usize>>,
) {
    let mut rounds = 0;
    while let Some(r) = queue.pop() {
        rounds += 1;
        if rounds > 64 {
            break;
        }
        queue.extend(visit(r));
    }
}

/// A hit for an item found by its place in a list.
pub(super) fn listed(range: Range<usize>, kind: Kind, rule: &'static str) -> Hit {
    Hit {
        range,
        kind,
        rule,
        score: 0.75,
        deny: None,
        dict: false,
        prio: 2,
    }
}
