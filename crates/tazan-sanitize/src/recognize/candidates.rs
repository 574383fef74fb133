//! Unknown proper-noun candidates and romanised names.
//!
//! A katakana word that neither the IT vocabulary nor IPADIC's common words
//! know (alone or split into known words: ロード+バランサ) is most often a name:
//! a brand, a company, a foreign colleague. It is masked by default under the
//! rule `candidate:katakana`, so the reviewer sees it in the audit and can
//! restore it with a reason. Latin tokens get the same treatment
//! (`candidate:latin`, the pattern rule in `rules.rs`); here, runs of
//! capitalised Latin words are read as one name: an organisation when a legal
//! form or an organisation word is part of it (`Tohgane Logistics Inc.`), a
//! person with a title, an initial or an honorific (`Ms. Tanaka`, `D. Nguyen`,
//! `Okonkwo先生`), else one candidate (`Priya Raman`).

use super::names::is_label;
use super::romanised::{romanised_japanese, CHILD_TITLES};
use super::*;
use crate::dict::WordSet;

/// Rule name of an unknown katakana word.
pub(crate) const CANDIDATE_KATAKANA: &str = "candidate:katakana";
/// Rule name of an unknown Latin token or run of capitalised words.
pub(crate) const CANDIDATE_LATIN: &str = "candidate:latin";

/// Romanised honorifics after a Latin name (Tanaka-san, Sato san): with
/// [`HONORIFICS`] they make the name before them a person.
const LATIN_HONORIFICS: [&str; 2] = ["-san", "san"];

/// English legal forms that end an organisation name.
pub(super) const LEGAL_FORMS: [&str; 21] = [
    "Inc.",
    "Inc",
    "Corp.",
    "Corp",
    "Corporation",
    "Co.",
    "Ltd.",
    "Ltd",
    "LLC",
    "LLP",
    "K.K.",
    "KK",
    "GmbH",
    "AG",
    "S.A.",
    "SA",
    "plc",
    "Limited",
    "Pte.",
    "Pvt.",
    "B.V.",
];

/// English words that make a run of capitalised words an organisation.
pub(super) const ORG_WORDS: [&str; 62] = [
    "Bank",
    "Systems",
    "Solutions",
    "Networks",
    "Products",
    "Foods",
    "Food",
    "Digital",
    "Automotive",
    "Logistics",
    "Technologies",
    "Technology",
    "Partners",
    "Labs",
    "Laboratories",
    "Software",
    "Electric",
    "Electronics",
    "Industries",
    "Industrial",
    "Hotel",
    "Hotels",
    "Hospital",
    "Clinic",
    "University",
    "College",
    "School",
    "Motors",
    "Trading",
    "Services",
    "Consulting",
    "Securities",
    "Insurance",
    "Airlines",
    "Airways",
    "Railway",
    "Railways",
    "Telecom",
    "Communications",
    "Energy",
    "Pharma",
    "Pharmaceutical",
    "Media",
    "Capital",
    "Holdings",
    "Group",
    "Japan",
    "International",
    "Finance",
    "Financial",
    "Engineering",
    "Manufacturing",
    "Chemical",
    "Chemicals",
    "Construction",
    "Retail",
    "Stores",
    "Foundation",
    "Institute",
    "Association",
    "Agency",
    "Mart",
];

/// Titles before a romanised person name.
const TITLES: [&str; 10] = [
    "Mr.", "Mr", "Ms.", "Ms", "Mrs.", "Mrs", "Dr.", "Dr", "Prof.", "Prof",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Known,
    Unknown,
    Initial,
    Title,
    Legal,
    Organisation,
}

impl Recognizers {
    /// True when the katakana word `w` is general vocabulary: listed, an IPADIC
    /// common word, or a concatenation of such words (pieces of three or more
    /// characters, and at most one two-character dictionary word: プログラム+ミス,
    /// not ベル+ガモ; two-character vocabulary pieces freely).
    pub(crate) fn katakana_known(&self, w: &str, common: &WordSet) -> bool {
        // The piece with ー added, written into one buffer for every piece.
        let lengthened = std::cell::RefCell::new(String::with_capacity(w.len() + 3));
        let listed = |p: &str, short: bool| {
            let base = p.strip_suffix('ー').unwrap_or(p);
            let found = |q: &str| self.vocab.contains(q) || (!short && common.contains(q));
            found(p)
                || (base != p && found(base))
                || (base == p && {
                    let mut q = lengthened.borrow_mut();
                    q.clear();
                    q.push_str(p);
                    q.push('ー');
                    found(&q)
                })
        };
        if listed(w, false) {
            return true;
        }
        // Two-character dictionary pieces cost one, and one is allowed.
        word_break(w, 1, |piece, len| {
            if len > 2 {
                listed(piece, false).then_some(0)
            } else if listed(piece, true) {
                Some(0)
            } else {
                listed(piece, false).then_some(1)
            }
        })
    }

    /// Unknown katakana words (needs IPADIC's common words to tell a word from
    /// a name). Words joined by `・` are one name when any part is unknown
    /// (ヴァーテクス・メディカル); two unknown words joined by a space too (a
    /// person's family and given name). A known vocabulary word glued before or
    /// after an unknown one stays (ベンダー|ピクセラード).
    pub(crate) fn scan_katakana_candidates(
        &self,
        n: &Normalized,
        common: &WordSet,
        out: &mut Vec<Hit>,
    ) {
        let text = n.text.as_str();
        let runs = katakana_runs(text, &script_runs(n).katakana);
        let mut i = 0;
        while i < runs.len() {
            let first_known = self.katakana_known(&text[runs[i].clone()], common);
            let mut group = vec![(runs[i].clone(), first_known)];
            let mut j = i;
            while j + 1 < runs.len() {
                let between = &text[runs[j].end..runs[j + 1].start];
                let next_known = self.katakana_known(&text[runs[j + 1].clone()], common);
                let dot = between == "・" || between == "･";
                let space = matches!(between, " " | "\u{3000}")
                    && !group.last().is_some_and(|g| g.1)
                    && !next_known;
                if !(dot || space) {
                    break;
                }
                group.push((runs[j + 1].clone(), next_known));
                j += 1;
            }
            i = j + 1;
            if group.iter().all(|g| g.1) {
                continue;
            }
            let (mut start, mut end) = (group[0].0.start, group[group.len() - 1].0.end);
            if group.len() == 1 {
                (start, end) = self.trim_vocabulary(text, start, end, common);
            }
            // A brand written Latin + katakana (Jアラート) is the Latin rule's.
            if text[..start].ends_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            let person = self.person_context(text, start, end);
            let (kind, rule, prio) = if person {
                (Kind::Person, "katakana_person", 2)
            } else {
                (Kind::Product, CANDIDATE_KATAKANA, 1)
            };
            push(out, n, start..end, kind, rule, 0.6, prio);
        }
    }

    /// Drops vocabulary words glued before or after an unknown katakana word.
    fn trim_vocabulary(
        &self,
        text: &str,
        mut start: usize,
        mut end: usize,
        common: &WordSet,
    ) -> (usize, usize) {
        let word = &text[start..end];
        // Longest listed prefix of at least three characters leaving an unknown rest.
        let cuts: Vec<usize> = word.char_indices().map(|(i, _)| i).skip(3).collect();
        if let Some(&cut) = cuts
            .iter()
            .rev()
            // A one-kana rest is no word of its own (サイト|ウ is サイトウ, a name).
            .find(|&&c| {
                self.vocab.contains(&word[..c])
                    && word[c..].chars().count() >= 2
                    && !self.katakana_known(&word[c..], common)
            })
        {
            start += cut;
        }
        let word = &text[start..end];
        let cuts: Vec<usize> = word.char_indices().map(|(i, _)| i).skip(1).collect();
        if let Some(&cut) = cuts.iter().find(|&&c| {
            word[c..].chars().count() >= 3
                && self.vocab.contains(&word[c..])
                && word[..c].chars().count() >= 2
                && !self.katakana_known(&word[..c], common)
        }) {
            end = start + cut;
        }
        (start, end)
    }

    /// A title before or an honorific after `start..end`.
    fn person_context(&self, text: &str, start: usize, end: usize) -> bool {
        let after = &text[end..];
        let after = after.strip_prefix(' ').unwrap_or(after);
        let before = text[..start].trim_end();
        HONORIFICS
            .iter()
            .chain(&LATIN_HONORIFICS)
            .any(|h| after.starts_with(h))
            || TITLES.iter().any(|t| {
                before.ends_with(t)
                    && !before[..before.len() - t.len()]
                        .ends_with(|c: char| c.is_ascii_alphanumeric())
            })
    }

    /// Runs of capitalised Latin words read as one name (see the module doc).
    pub(crate) fn scan_latin_names(&self, n: &Normalized, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for m in self.latin_run.find_iter(text) {
            if text[..m.start()]
                .ends_with(|c: char| c.is_ascii_alphanumeric() || "@./_-#:".contains(c))
            {
                continue;
            }
            let words = latin_words(text, m.range());
            let classes: Vec<Word> = words
                .iter()
                .map(|w| self.word_class(&text[w.clone()]))
                .collect();
            // Split after each legal form: "X K.K. Field Service" is a name and two words.
            let mut from = 0;
            for k in 0..words.len() {
                let last = k + 1 == words.len();
                // A bare comma separates a CSV row's cells, not a name's words.
                let cell_end = !last
                    && &text[words[k].end..words[k + 1].start] == ","
                    && classes[k + 1] != Word::Legal;
                if classes[k] == Word::Legal || last || cell_end {
                    self.latin_segment(n, text, &words[from..=k], &classes[from..=k], out);
                    from = k + 1;
                }
            }
        }
    }

    fn word_class(&self, w: &str) -> Word {
        let bare = w.trim_end_matches([',', '.']);
        if LEGAL_FORMS.contains(&w) || LEGAL_FORMS.contains(&bare) {
            return Word::Legal;
        }
        if TITLES.contains(&w) || TITLES.contains(&bare) || CHILD_TITLES.contains(&bare) {
            return Word::Title;
        }
        let mut c = w.chars();
        if c.next().is_some_and(|f| f.is_ascii_uppercase()) && c.as_str() == "." {
            return Word::Initial;
        }
        if ORG_WORDS.contains(&bare) {
            return Word::Organisation;
        }
        let lower = bare.to_ascii_lowercase();
        let all_known = self.vocab.contains(&lower)
            || (lower.contains('-')
                && lower
                    .split('-')
                    .all(|p| self.vocab.contains(p) || p.chars().all(|c| c.is_ascii_digit())));
        // Known words and labels joined by dots (Inc.A: a legal form, then A社).
        let dotted_known = bare.contains('.')
            && bare.split('.').all(|p| {
                p.is_empty()
                    || is_label(p)
                    || self.vocab.contains(&p.to_ascii_lowercase())
                    || LEGAL_FORMS.contains(&p)
            });
        if all_known || dotted_known || bare.chars().all(|c| c.is_ascii_digit()) || is_label(bare) {
            Word::Known
        } else {
            Word::Unknown
        }
    }

    fn latin_segment(
        &self,
        n: &Normalized,
        text: &str,
        words: &[Range<usize>],
        classes: &[Word],
        out: &mut Vec<Hit>,
    ) {
        let namey = |c: &Word| !matches!(c, Word::Known | Word::Title);
        let Some(first) = classes.iter().position(namey) else {
            return;
        };
        let last = classes.iter().rposition(namey).unwrap_or(first);
        let legal = classes[first..=last].contains(&Word::Legal);
        let org_word = classes[first..=last].contains(&Word::Organisation);
        let unknown = classes[first..=last].contains(&Word::Unknown);
        let initial = classes[first..=last].contains(&Word::Initial);
        // A title starts the name (Ms. Tanaka-Borg).
        let titled = first > 0 && classes[first - 1] == Word::Title;
        let start = if titled {
            words[first - 1].start
        } else {
            words[first].start
        };
        let mut end = words[last].end;
        // A sentence's full stop is not part of a name (…Hollis.).
        if classes[last] == Word::Unknown && text[..end].ends_with('.') {
            end -= 1;
        }
        let span_words = last - first + 1;
        let honorific = self.person_context(text, start, end);
        let (kind, rule, prio) = if legal || (org_word && (unknown || span_words > 1)) {
            (Kind::Org, "latin_org", 2)
        } else if titled || honorific || (initial && (unknown || span_words > 1)) {
            (Kind::Person, "latin_person", 2)
        } else if (2..=3).contains(&span_words)
            && classes[first..=last].iter().all(|c| *c == Word::Unknown)
            && words[first..=last]
                .iter()
                .all(|w| romanised_japanese(&text[w.clone()]))
        {
            // Two or three romanised Japanese words (YAMAOKA KOUHEI): a name.
            (Kind::Person, "romanised_person", 2)
        } else if unknown && span_words > 1 {
            (Kind::Product, CANDIDATE_LATIN, 1)
        } else {
            return;
        };
        // An organisation needs a name besides its legal form or organisation word.
        if kind == Kind::Org && span_words == 1 {
            return;
        }
        push(out, n, start..end, kind, rule, 0.7, prio);
    }
}

/// Katakana runs (ー inside, not ヶ/ヵ, which join kanji names) of two or more
/// characters, leading ー dropped, from the text's katakana runs `runs`
/// ([`script_runs`]).
fn katakana_runs(text: &str, runs: &[Range<usize>]) -> Vec<Range<usize>> {
    runs.iter()
        .map(|r| {
            let lead = text[r.clone()]
                .chars()
                .take_while(|c| *c == 'ー')
                .map(char::len_utf8)
                .sum::<usize>();
            r.start + lead..r.end
        })
        .filter(|r| text[r.clone()].chars().nth(1).is_some())
        .collect()
}

/// The words of a Latin run, split at spaces and commas.
fn latin_words(text: &str, r: Range<usize>) -> Vec<Range<usize>> {
    char_runs(&text[r.clone()], |c| c != ' ' && c != ',')
        .into_iter()
        .map(|w| r.start + w.start..r.start + w.end)
        .collect()
}
