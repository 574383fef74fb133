//! Word lists of the compiled dictionary, loaded without building per word.
//!
//! The common-word list alone holds some 300,000 surfaces: as a
//! `HashSet<String>` it cost an allocation and a SipHash per word on every
//! start (~170 M instructions), and the proper-noun Aho-Corasick automaton
//! over 86,000 kanji surfaces ~570 M. A [`WordSet`] keeps the file's text as
//! one string and indexes its lines in an open-addressing table of offsets
//! with a multiplicative hash (no allocation per word, a few instructions per
//! byte); a lookup hashes the word once and compares it with one or two
//! lines. [`WordSet::with_prefixes`] also indexes every prefix of two or more
//! characters, so "does any word occur in this text" walks each start only
//! as far as some word's prefix goes.

/// A set of words (one per line of a text), optionally with their prefixes.
pub(crate) struct WordSet {
    text: String,
    /// Indexed keys: byte range in `text`, and whether it is a whole word
    /// (not only a prefix of one).
    keys: Vec<Key>,
    /// Open addressing: 0 is empty, else 1 + an index into `keys`.
    slots: Vec<u32>,
    /// `64 - log2(slots.len())`: the hash's top bits pick the slot.
    shift: u32,
}

#[derive(Clone, Copy)]
struct Key {
    start: u32,
    end: u32,
    word: bool,
}

impl WordSet {
    /// The lines of `text` (as `str::lines` splits them) as a set.
    pub(crate) fn new(text: String) -> Self {
        Self::build(text, false)
    }

    /// Like [`WordSet::new`], also indexing every prefix of two or more
    /// characters of each line, for [`WordSet::occurs_in`].
    pub(crate) fn with_prefixes(text: String) -> Self {
        Self::build(text, true)
    }

    fn build(text: String, prefixes: bool) -> Self {
        let lines = line_ranges(&text);
        let estimate = if prefixes {
            lines.len() * 3
        } else {
            lines.len()
        };
        let size = (estimate * 2).next_power_of_two().max(16);
        let mut set = WordSet {
            keys: Vec::with_capacity(estimate),
            slots: vec![0; size],
            shift: 64 - size.trailing_zeros(),
            text: String::new(),
        };
        for &(start, end) in &lines {
            if prefixes {
                let line = &text[start..end];
                for (i, _) in line.char_indices().skip(2) {
                    set.insert(&text, start, start + i, false);
                }
            }
            set.insert(&text, start, end, true);
        }
        set.text = text;
        set
    }

    /// Adds `text[start..end]` as a key (marking it a whole word if `word`).
    fn insert(&mut self, text: &str, start: usize, end: usize, word: bool) {
        if self.keys.len() * 2 >= self.slots.len() {
            self.grow(text);
        }
        let k = &text.as_bytes()[start..end];
        let mut i = self.slot_of(k);
        loop {
            match self.slots[i] {
                0 => break,
                e => {
                    let key = &mut self.keys[e as usize - 1];
                    if &text.as_bytes()[key.start as usize..key.end as usize] == k {
                        key.word |= word;
                        return;
                    }
                }
            }
            i = (i + 1) & (self.slots.len() - 1);
        }
        self.keys.push(Key {
            start: start as u32,
            end: end as u32,
            word,
        });
        self.slots[i] = self.keys.len() as u32;
    }

    /// Doubles the table (only when the estimate of prefixes was low).
    fn grow(&mut self, text: &str) {
        let size = self.slots.len() * 2;
        self.slots = vec![0; size];
        self.shift = 64 - size.trailing_zeros();
        for (n, key) in self.keys.iter().enumerate() {
            let mut i = self.slot_of(&text.as_bytes()[key.start as usize..key.end as usize]);
            while self.slots[i] != 0 {
                i = (i + 1) & (size - 1);
            }
            self.slots[i] = n as u32 + 1;
        }
    }

    fn slot_of(&self, k: &[u8]) -> usize {
        (hash(k) >> self.shift) as usize
    }

    /// The key equal to `k`, if indexed.
    fn find(&self, k: &str) -> Option<Key> {
        let k = k.as_bytes();
        let mut i = self.slot_of(k);
        loop {
            match self.slots[i] {
                0 => return None,
                e => {
                    let key = self.keys[e as usize - 1];
                    if &self.text.as_bytes()[key.start as usize..key.end as usize] == k {
                        return Some(key);
                    }
                }
            }
            i = (i + 1) & (self.slots.len() - 1);
        }
    }

    /// True when `w` is one of the words.
    pub(crate) fn contains(&self, w: &str) -> bool {
        self.find(w).is_some_and(|k| k.word)
    }

    /// True when some word of two or more characters occurs in `text` (the
    /// set must be built [`WordSet::with_prefixes`]).
    pub(crate) fn occurs_in(&self, text: &str) -> bool {
        let mut rest = text;
        while let Some(first) = rest.chars().next().filter(|c| c.len_utf8() < rest.len()) {
            // Each end from the second character on, while what lies between
            // is the prefix of some word.
            let ends = rest
                .char_indices()
                .skip(2)
                .map(|(i, _)| i)
                .chain(std::iter::once(rest.len()));
            for end in ends {
                match self.find(&rest[..end]) {
                    None => break,
                    Some(k) if k.word => return true,
                    Some(_) => {}
                }
            }
            rest = &rest[first.len_utf8()..];
        }
        false
    }
}

/// The byte range of each line of `text`, as `str::lines` splits them (a
/// `\r` before the `\n` dropped), found by one walk over the bytes: `lines`
/// pays a searcher per line, and the lists have 300,000 short lines.
fn line_ranges(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 8);
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' {
            let end = if i > start && b[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            out.push((start, end));
            start = i + 1;
        }
    }
    if start < b.len() {
        out.push((start, b.len()));
    }
    out
}

/// A multiplicative hash over 8-byte words (FxHash's step); the table takes
/// its top bits, which mix every input byte.
fn hash(k: &[u8]) -> u64 {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut h = (k.len() as u64).wrapping_mul(SEED);
    let mut chunks = k.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(SEED);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(SEED);
    }
    h
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use aho_corasick::AhoCorasick;

    use super::*;

    const WORDS: &str = "東京\n大阪府\n大阪\n成田市\n社会\n東京都庁\n鹿島\n鹿島臨海鉄道\n";

    #[test]
    fn lines_split_as_str_lines_does() {
        for t in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb",
            "a\r",
            "a\n\nb\r\n\r\n",
            "東京\r\n大阪\rx\n",
        ] {
            let ours: Vec<&str> = line_ranges(t).into_iter().map(|(s, e)| &t[s..e]).collect();
            assert_eq!(ours, t.lines().collect::<Vec<_>>(), "{t:?}");
        }
    }

    #[test]
    fn contains_exactly_the_lines() {
        let set = WordSet::new(WORDS.to_string());
        let lines: HashSet<&str> = WORDS.lines().collect();
        for w in [
            "東京",
            "大阪府",
            "大阪",
            "東",
            "東京都",
            "東京都庁",
            "",
            "鹿島臨海",
            "x",
            "社会",
        ] {
            assert_eq!(set.contains(w), lines.contains(w), "{w}");
        }
        // Prefixes are indexed only to walk, never words.
        let p = WordSet::with_prefixes(WORDS.to_string());
        assert!(p.contains("鹿島臨海鉄道") && !p.contains("鹿島臨海"));
    }

    #[test]
    fn occurs_in_agrees_with_an_automaton_over_the_words() {
        let words: Vec<&str> = WORDS.lines().collect();
        let ac = AhoCorasick::new(&words).unwrap();
        let set = WordSet::with_prefixes(WORDS.to_string());
        // Every substring of a text made of the words' characters and others.
        let alphabet: Vec<char> = "東京大阪府成田市社会都庁鹿島臨海鉄道川".chars().collect();
        let mut texts = vec![String::new()];
        for t in [
            "鹿島臨海鉄",
            "川鹿島臨海鉄道",
            "東京都",
            "都庁東京",
            "成田",
            "田市",
        ] {
            texts.push(t.to_string());
        }
        for a in &alphabet {
            for b in &alphabet {
                for c in ["", "川", "府"] {
                    texts.push(format!("{a}{b}{c}"));
                    texts.push(format!("{c}{a}{b}"));
                }
            }
        }
        for t in &texts {
            assert_eq!(set.occurs_in(t), ac.is_match(t.as_str()), "{t}");
        }
    }

    #[test]
    fn a_large_set_keeps_every_word() {
        // Enough keys to grow past the first estimate, with shared prefixes.
        let words: Vec<String> = (0..5000u32)
            .map(|i| {
                let a = char::from_u32(0x4E00 + i % 97).unwrap();
                let b = char::from_u32(0x4E00 + i / 97).unwrap();
                format!("{a}{b}{}", "川".repeat((i % 4) as usize))
            })
            .collect();
        let text: String = words.iter().flat_map(|w| [w.as_str(), "\n"]).collect();
        let set = WordSet::with_prefixes(text.clone());
        let plain = WordSet::new(text);
        for w in &words {
            assert!(set.contains(w) && plain.contains(w), "{w}");
            assert!(!plain.contains(&format!("{w}山")));
        }
    }
}
