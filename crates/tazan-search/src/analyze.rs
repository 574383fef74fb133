//! Japanese-aware analysis: normalisation and term extraction without a dictionary.
//!
//! Japanese has no spaces, so words cannot be split reliably without a morphological
//! dictionary. Instead the text is cut into script runs (kanji, hiragana, katakana,
//! Latin/digits) and each run yields terms suited to it:
//!
//! - kanji runs: character bigrams (a single kanji alone is a unigram), plus a bigram that
//!   bridges one or two okurigana characters (`切り替え` and `切替え` both yield `切替`);
//! - katakana runs: the whole word (long vowel at the end folded: `サーバー` = `サーバ`)
//!   and its bigrams, so `バックアップシステム` still matches `バックアップ`;
//! - Latin/digit runs: the whole lowercased word (two characters or more);
//! - hiragana: dropped; it is mostly particles and inflections (の, は, を, ために).
//!
//! Text is NFKC-normalised first (full-width `ＳＳＤ` = `ssd`, half-width `ｻｰﾊﾞ` = `サーバ`).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Name under which [`JaTokenizer`] is registered in the tantivy index.
pub(crate) const TOKENIZER_NAME: &str = "tazan_ja";

/// Script class of one (normalised) character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Kanji,
    Hiragana,
    Katakana,
    Alnum,
    Other,
}

/// Classifies one character after normalisation.
pub(crate) fn script(c: char) -> Script {
    match c {
        '\u{3041}'..='\u{309F}' => Script::Hiragana,
        // Katakana block including the prolonged sound mark ー (U+30FC) and ヶ.
        '\u{30A1}'..='\u{30FA}'
        | '\u{30FC}'
        | '\u{30FD}'
        | '\u{30FE}'
        | '\u{31F0}'..='\u{31FF}' => Script::Katakana,
        '\u{3005}'
        | '\u{3006}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}' => Script::Kanji,
        '\u{20000}'..='\u{2FFFF}' => Script::Kanji,
        c if c.is_alphanumeric() => Script::Alnum,
        _ => Script::Other,
    }
}

/// NFKC, lowercase, and katakana variant folding (`ヴ`→`ブ`, small vowels kept).
///
/// The result is what every other function in this module works on; it is also what
/// synonym matching compares against.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Most lesson text is already NFKC (kanji, full-width kana): skip the decomposition.
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        for c in text.chars() {
            match c {
                'ヴ' => out.push('ブ'),
                c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
                c => out.extend(c.to_lowercase()),
            }
        }
        return out;
    }
    for c in text.nfkc() {
        match c {
            'ヴ' => out.push('ブ'),
            // Wave dash / full-width tilde variants and dashes between katakana are noise.
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// One extracted term with the byte span of the run it came from (in normalised text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub(crate) text: String,
    pub(crate) from: usize,
    pub(crate) to: usize,
}

/// Extracts terms from already-normalised text, calling `sink` for each.
pub(crate) fn terms_normalized(norm: &str, sink: &mut dyn FnMut(Term)) {
    let chars: Vec<(usize, char)> = norm.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let s = script(c);
        let mut j = i + 1;
        // Kanji runs absorb short okurigana so that bridging bigrams can be formed;
        // the run is then split back by script below.
        while j < chars.len() && script(chars[j].1) == s {
            j += 1;
        }
        let end = chars.get(j).map_or(norm.len(), |(b, _)| *b);
        match s {
            Script::Alnum => {
                if j - i >= 2 {
                    sink(Term {
                        text: norm[start..end].to_string(),
                        from: start,
                        to: end,
                    });
                }
            }
            Script::Katakana => katakana_terms(&chars[i..j], end, sink),
            Script::Kanji => {
                kanji_terms(&chars[i..j], end, sink);
                // Okurigana bridge: kanji + 1..=2 hiragana (not particles) + kanji.
                let mut k = j;
                while k < chars.len() && k - j < 3 && script(chars[k].1) == Script::Hiragana {
                    k += 1;
                }
                let gap = k - j;
                if (1..=2).contains(&gap)
                    && k < chars.len()
                    && script(chars[k].1) == Script::Kanji
                    && chars[j..k].iter().all(|(_, h)| !is_particle(*h))
                {
                    let (a_pos, a) = chars[j - 1];
                    let (b_pos, b) = chars[k];
                    let b_end = b_pos + b.len_utf8();
                    let mut t = String::with_capacity(8);
                    t.push(a);
                    t.push(b);
                    sink(Term {
                        text: t,
                        from: a_pos,
                        to: b_end,
                    });
                }
            }
            Script::Hiragana | Script::Other => {}
        }
        i = j;
    }
}

/// Convenience: normalise then collect terms as strings.
pub(crate) fn terms(text: &str) -> Vec<String> {
    let norm = normalize(text);
    let mut out = Vec::new();
    terms_normalized(&norm, &mut |t| out.push(t.text));
    out
}

/// Hiragana that are (part of) particles or copulas; an okurigana bridge never crosses them.
fn is_particle(c: char) -> bool {
    matches!(
        c,
        'の' | 'は'
            | 'が'
            | 'を'
            | 'に'
            | 'で'
            | 'と'
            | 'も'
            | 'へ'
            | 'や'
            | 'か'
            | 'な'
            | 'だ'
            | 'よ'
    )
}

fn kanji_terms(run: &[(usize, char)], end: usize, sink: &mut dyn FnMut(Term)) {
    if run.len() == 1 {
        let (p, c) = run[0];
        sink(Term {
            text: c.to_string(),
            from: p,
            to: end,
        });
        return;
    }
    for w in run.windows(2) {
        let (p, a) = w[0];
        let (q, b) = w[1];
        let mut t = String::with_capacity(6);
        t.push(a);
        t.push(b);
        sink(Term {
            text: t,
            from: p,
            to: q + b.len_utf8(),
        });
    }
}

fn katakana_terms(run: &[(usize, char)], end: usize, sink: &mut dyn FnMut(Term)) {
    // Fold a trailing prolonged sound mark: サーバー → サーバ, ユーザー → ユーザ.
    let mut n = run.len();
    while n > 2 && run[n - 1].1 == 'ー' {
        n -= 1;
    }
    let run = &run[..n];
    let start = run[0].0;
    if run.len() >= 2 {
        let whole: String = run.iter().map(|(_, c)| *c).collect();
        sink(Term {
            text: whole,
            from: start,
            to: end,
        });
    }
    if run.len() >= 3 {
        for w in run.windows(2) {
            let (p, a) = w[0];
            let (q, b) = w[1];
            let mut t = String::with_capacity(6);
            t.push(a);
            t.push(b);
            sink(Term {
                text: t,
                from: p,
                to: q + b.len_utf8(),
            });
        }
    }
}

/// tantivy tokenizer wrapping [`terms_normalized`].
#[derive(Debug, Clone, Default)]
pub(crate) struct JaTokenizer {
    tokens: Vec<Token>,
}

/// Token stream over a pre-computed token vector.
pub(crate) struct JaTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    index: usize,
}

impl Tokenizer for JaTokenizer {
    type TokenStream<'a> = JaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JaTokenStream<'a> {
        self.tokens.clear();
        let norm = normalize(text);
        let mut position = 0;
        let tokens = &mut self.tokens;
        terms_normalized(&norm, &mut |t| {
            tokens.push(Token {
                // Offsets refer to the normalised text; positions are not indexed.
                offset_from: t.from,
                offset_to: t.to,
                position,
                text: t.text,
                position_length: 1,
            });
            position += 1;
        });
        JaTokenStream {
            tokens: &mut self.tokens,
            index: 0,
        }
    }
}

impl TokenStream for JaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.index += 1;
        self.index <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_vowel_and_width_fold() {
        assert!(terms("サーバー").contains(&"サーバ".to_string()));
        assert_eq!(terms("サーバー"), terms("ｻｰﾊﾞｰ"));
        assert_eq!(terms("ＳＳＤ"), vec!["ssd".to_string()]);
    }

    #[test]
    fn okurigana_variants_share_a_term() {
        let a = terms("切り替え");
        let b = terms("切替え");
        assert!(a.contains(&"切替".to_string()), "{a:?}");
        assert!(b.contains(&"切替".to_string()), "{b:?}");
    }

    #[test]
    fn particles_do_not_bridge() {
        let t = terms("障害が発生");
        assert!(!t.contains(&"害発".to_string()), "{t:?}");
        assert!(t.contains(&"障害".to_string()) && t.contains(&"発生".to_string()));
    }

    #[test]
    fn hiragana_only_text_yields_nothing() {
        assert!(terms("そのためには").is_empty());
    }

    #[test]
    fn katakana_compound_matches_part() {
        let t = terms("バックアップシステム");
        assert!(t.contains(&"バックアップシステム".to_string()));
        assert!(t.contains(&"バッ".to_string()));
    }

    #[test]
    fn tokenizer_stream_matches_terms() {
        let mut tok = JaTokenizer::default();
        let mut s = tok.token_stream("DNSサーバーの切替え");
        let mut got = Vec::new();
        while s.advance() {
            got.push(s.token().text.clone());
        }
        assert_eq!(got, terms("DNSサーバーの切替え"));
        assert!(got.contains(&"dns".to_string()));
    }
}
