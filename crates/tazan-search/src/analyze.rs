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
use unicode_normalization::UnicodeNormalization;

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

/// NFKC, lowercase, and katakana variant folding (`ヴ`→`ブ`).
///
/// The result is what every other function in this module works on; it is also what
/// synonym matching compares against.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Most lesson text is ASCII, kana and kanji, which NFKC leaves alone: skip the
    // (comparatively slow) normalisation then.
    if text.chars().all(nfkc_stable) {
        for c in text.chars() {
            match c {
                'ヴ' => out.push('ブ'),
                c => out.push(c.to_ascii_lowercase()),
            }
        }
        return out;
    }
    for c in text.nfkc() {
        match c {
            'ヴ' => out.push('ブ'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The text with its hiragana read as katakana (ばっくあっぷ → バックアップ), normalised;
/// `None` unless it holds hiragana and neither kanji nor katakana (text written with
/// conversion keeps its okurigana as written). For queries typed without kana-kanji
/// conversion: loanwords, which lessons write in katakana, become words of the index.
pub(crate) fn hiragana_as_katakana(text: &str) -> Option<String> {
    let norm = normalize(text);
    if !norm.chars().any(|c| matches!(c, '\u{3041}'..='\u{3096}'))
        || norm.chars().any(|c| {
            // ー lengthens hiragana too (ふぁーむうぇあ).
            c != 'ー' && matches!(script(c), Script::Kanji | Script::Katakana)
        })
    {
        return None;
    }
    Some(
        norm.chars()
            .map(|c| match c {
                // The hiragana letters and the katakana ones are the same table, 0x60 apart.
                '\u{3041}'..='\u{3096}' => char::from_u32(u32::from(c) + 0x60).unwrap_or(c),
                c => c,
            })
            .collect(),
    )
}

/// Characters NFKC maps to themselves whatever follows them, and that have no lowercase
/// form other than the ASCII one.
fn nfkc_stable(c: char) -> bool {
    matches!(c,
        '\0'..='\x7f'
        | '\u{3001}' | '\u{3002}' | '\u{3005}' | '\u{300C}'..='\u{300F}'
        | '\u{3041}'..='\u{3096}'
        | '\u{30A1}'..='\u{30FA}' | '\u{30FC}'
        | '\u{4E00}'..='\u{9FFF}')
}

/// One extracted term and the byte span it came from (in normalised text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Term<'a> {
    pub(crate) text: &'a str,
    pub(crate) from: usize,
    pub(crate) to: usize,
}

/// Extracts terms from already-normalised text, calling `sink` for each. Terms borrow
/// from `norm` (or a scratch buffer for okurigana bridges): no allocation per term.
pub(crate) fn terms_normalized(norm: &str, sink: &mut dyn FnMut(Term<'_>)) {
    let chars: Vec<(usize, char)> = norm.char_indices().collect();
    let end_of = |k: usize| chars.get(k).map_or(norm.len(), |(b, _)| *b);
    let mut bridge = String::with_capacity(8);
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let s = script(c);
        let mut j = i + 1;
        while j < chars.len() && script(chars[j].1) == s {
            j += 1;
        }
        let end = end_of(j);
        match s {
            Script::Alnum => {
                if j - i >= 2 {
                    sink(Term {
                        text: &norm[start..end],
                        from: start,
                        to: end,
                    });
                }
            }
            Script::Katakana => {
                // Fold a trailing prolonged sound mark: サーバー → サーバ, ユーザー → ユーザ.
                let mut n = j;
                while n - i > 2 && chars[n - 1].1 == 'ー' {
                    n -= 1;
                }
                let word_end = end_of(n);
                if n - i >= 2 {
                    sink(Term {
                        text: &norm[start..word_end],
                        from: start,
                        to: end,
                    });
                }
                if n - i >= 3 {
                    // Each bigram spans two characters: window over the run.
                    for w in chars[i..n].windows(2) {
                        let (p, (q, b)) = (w[0].0, w[1]);
                        let q = q + b.len_utf8();
                        sink(Term {
                            text: &norm[p..q],
                            from: p,
                            to: q,
                        });
                    }
                }
            }
            Script::Kanji => {
                if j - i == 1 {
                    sink(Term {
                        text: &norm[start..end],
                        from: start,
                        to: end,
                    });
                } else {
                    // Each bigram spans two characters: window over the run.
                    for w in chars[i..j].windows(2) {
                        let (p, (q, b)) = (w[0].0, w[1]);
                        let q = q + b.len_utf8();
                        sink(Term {
                            text: &norm[p..q],
                            from: p,
                            to: q,
                        });
                    }
                }
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
                    bridge.clear();
                    bridge.push(a);
                    bridge.push(b);
                    sink(Term {
                        text: &bridge,
                        from: a_pos,
                        to: b_pos + b.len_utf8(),
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
    terms_normalized(&norm, &mut |t| out.push(t.text.to_string()));
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

/// tantivy tokenizer wrapping [`terms_normalized`]; token buffers are reused between
/// documents.
#[derive(Debug, Clone, Default)]
pub(crate) struct JaTokenizer {
    tokens: Vec<Token>,
}

/// Token stream over the first `len` tokens of the tokenizer's buffer.
pub(crate) struct JaTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    len: usize,
    index: usize,
}

impl Tokenizer for JaTokenizer {
    type TokenStream<'a> = JaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JaTokenStream<'a> {
        let norm = normalize(text);
        let tokens = &mut self.tokens;
        let mut len = 0;
        terms_normalized(&norm, &mut |t| {
            if len == tokens.len() {
                tokens.push(Token::default());
            }
            let tok = &mut tokens[len];
            tok.text.clear();
            tok.text.push_str(t.text);
            // Offsets refer to the normalised text; positions are not indexed.
            tok.offset_from = t.from;
            tok.offset_to = t.to;
            tok.position = len;
            tok.position_length = 1;
            len += 1;
        });
        JaTokenStream {
            tokens: &mut self.tokens,
            len,
            index: 0,
        }
    }
}

impl TokenStream for JaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.index += 1;
        self.index <= self.len
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

    proptest::proptest! {
        /// The fast path (text already NFKC) gives exactly what full NFKC gives.
        #[test]
        fn fast_path_equals_full_nfkc(s in "[a-zA-Z0-9 、。「」ぁ-ゖァ-ヺー一-龥ｱ-ﾝＡ-Ｚ々ヴ゙]{0,40}") {
            let reference: String = s
                .nfkc()
                .flat_map(|c| if c == 'ヴ' { vec!['ブ'] } else { c.to_lowercase().collect() })
                .collect();
            proptest::prop_assert_eq!(normalize(&s), reference);
        }
    }

    #[test]
    fn tokenizer_reuses_buffers_across_documents() {
        let mut tok = JaTokenizer::default();
        let mut first = Vec::new();
        let mut s = tok.token_stream("負荷分散装置のファームウェア不具合");
        while s.advance() {
            first.push(s.token().text.clone());
        }
        let mut s = tok.token_stream("DNS");
        let mut second = Vec::new();
        while s.advance() {
            second.push(s.token().text.clone());
        }
        assert!(first.len() > 3);
        assert_eq!(second, ["dns"], "no stale tokens from the longer document");
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
