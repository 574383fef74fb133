//! Organisations named in a list beside one already found: `取引先各社（X、
//! 丸高、Y）`, `A社・北栄・Z`. A customer or a partner named in passing has
//! no legal form and no business word; its neighbours in the list give it
//! one. An unknown katakana or Latin name (a candidate) counts as found, as
//! it most often is a brand or a company. A kanji word joined by 、, ・ or a comma to an organisation hit is an
//! organisation too, unless the dictionary knows it as a common word (a list
//! of topics: 品質、コスト), or it is a place, a role or a department.
//! The walk follows the list both ways from every organisation, as
//! [`Recognizers::coordinated_persons`] does from a person.

use super::persons::{compound_of_common, derived_of_common, Lexis};
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
                let len: usize = rest
                    .chars()
                    .take_while(|&c| is_han(c) || c == 'ヶ')
                    .map(char::len_utf8)
                    .sum();
                found.push(start..start + len);
            }
            let before = text[..r.start].trim_end_matches(' ');
            if let Some(j) = before.chars().next_back().filter(|c| JOINERS.contains(c)) {
                let end = before[..before.len() - j.len_utf8()]
                    .trim_end_matches(' ')
                    .len();
                let len: usize = text[..end]
                    .chars()
                    .rev()
                    .take_while(|&c| is_han(c) || c == 'ヶ')
                    .map(char::len_utf8)
                    .sum();
                found.push(end - len..end);
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

    /// `w` may be an organisation's name in a list of them.
    fn listed_org(&self, w: &str, l: &Lexis) -> bool {
        (2..=6).contains(&w.chars().count())
            && name_ok(w)
            && !l.common.contains(w)
            && !compound_of_common(w, l)
            && !derived_of_common(w, l)
            && !lexicon::is_bare_place(w)
            && !self.is_place_name(w)
            && !self.is_role(w)
            && !super::checks::DEPARTMENT_WORDS.contains(&w)
    }
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
