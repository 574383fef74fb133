//! Post-match checks: whether a pattern match names something, and its final span.

use super::names::*;
use super::technical;
use super::*;

impl Recognizers {
    pub(super) fn check(
        &self,
        check: Check,
        text: &str,
        m: Range<usize>,
        name: Option<Range<usize>>,
        common: Option<&WordSet>,
    ) -> Option<Range<usize>> {
        let name_str = name.clone().map(|r| &text[r]).unwrap_or("");
        let before = text[..m.start].chars().next_back();
        let after = text[m.end..].chars().next();
        match check {
            Check::None => Some(m),
            Check::KatakanaBusiness => self.katakana_business(text, m, name?),
            Check::KanaProduct => {
                let n = name?;
                let s = &text[n.clone()];
                let message = [
                    "ただいま",
                    "ただ今",
                    "しばらく",
                    "まもなく",
                    "おまち",
                    "もうすぐ",
                    "ただちに",
                ]
                .iter()
                .any(|w| s.starts_with(w))
                    || STATUS_ENDINGS.iter().any(|w| s.ends_with(w));
                // A replacement (製品A) is already anonymous on a re-scan.
                (!message && name_ok(s)).then_some(n)
            }
            Check::BracketedProduct => {
                let n = name?;
                let s = &text[n.clone()];
                // One common word in brackets after a product's kind is a
                // gloss (予約システム（キャンセル）), not the product's name.
                let gloss = common.is_some_and(|c| c.contains(s));
                (!gloss && self.bracketed_product(s)).then_some(n)
            }
            Check::KatakanaName => {
                let n = name?;
                self.katakana_business(text, n.clone(), n)
            }
            Check::ShortHost => self.short_host(text, m),
            Check::Handle => {
                let n = name?;
                let w = text[n.clone()].to_ascii_lowercase();
                let bare: String = w.chars().filter(char::is_ascii_alphabetic).collect();
                // An initial marks a person's handle (y|matsuzaki, tobita.k):
                // a separator, or two consonants no syllable starts with.
                // Words that merely read as syllables (radio) have none.
                let vowel = |c: char| "aeiou".contains(c);
                let b = bare.as_bytes();
                let glued_initial = b.len() > 2
                    && !vowel(b[0] as char)
                    && !vowel(b[1] as char)
                    && b[1] != b'y'
                    && !matches!(&bare[..2], "sh" | "ch" | "ts" | "kk" | "ss" | "tt" | "pp");
                let initial = w.contains(['.', '_', '-']) || glued_initial;
                (initial && !self.vocab.contains(&w) && !self.vocab.contains(&bare)).then_some(n)
            }
            Check::Mac
            | Check::Card
            | Check::LabelledId
            | Check::LabelledIdList
            | Check::CodeId
            | Check::Mention
            | Check::Postal
            | Check::Inner
            | Check::Phone
            | Check::MaskedPhone
            | Check::GroupedPhone
            | Check::LabelledAccount
            | Check::EraLetter
            | Check::SlashDate
            | Check::DigitGroups
            | Check::DocumentNumber
            | Check::IsoDate
            | Check::Defanged
            | Check::Aza
            | Check::KanjiLot
            | Check::KeyedId
            | Check::District
            | Check::KanaTown
            | Check::RelationGlued => self.check_shape(check, text, m, name),
            // 担当者A is a replacement: a title followed by a label letter.
            Check::KanjiKatakanaCompany => {
                let head = &text[name?];
                // The whole name, not a longer kanji word's tail. What follows does
                // not matter: it may be a replacement on a second pass.
                let free = !before.is_some_and(is_han);
                let generic = DEPARTMENT_WORDS.contains(&head)
                    || TEAM_WORK.iter().any(|w| head.ends_with(w))
                    || lexicon::RELATION_WORDS.iter().any(|w| head.ends_with(w))
                    || head.ends_with(['用', '系', '的', '型', '向', '製', '部', '課', '室']);
                (free && !generic && name_ok(head)).then_some(m)
            }
            Check::SurnameTitle => {
                (name_ok(name_str) && !after.is_some_and(|c| c.is_ascii_uppercase())).then_some(m)
            }
            Check::Building => {
                const GENERIC_PARTS: [&str; 10] = [
                    "センター",
                    "スクエア",
                    "プラザ",
                    "ステーション",
                    "パーク",
                    "シティ",
                    "ガーデン",
                    "フロント",
                    "テラス",
                    "ヒルズ",
                ];
                let mut core = name_str;
                while let Some(rest) = GENERIC_PARTS.iter().find_map(|g| core.strip_suffix(g)) {
                    core = rest;
                }
                (core.chars().count() >= 2 && name_ok(core)).then_some(m)
            }
            Check::Room => {
                let n = name?;
                let word = name_str.trim_end_matches("の間");
                // A time or an act before の間 is prose (休日の間, 停止の間).
                // In quotes a room may be named by one kanji (「萩の間」).
                let quoted = text[..n.start].ends_with(['「', '『'])
                    && text[n.end..].starts_with(['」', '』']);
                let prose = word.chars().count() < if quoted { 1 } else { 2 }
                    || word.chars().next_back().is_some_and(|c| {
                        DERIVATION_SUFFIXES.contains(c) || SPAN_SUFFIXES.contains(c)
                    })
                    || persons::is_act_word(word)
                    || SPAN_ADVERBS.contains(&word)
                    || !name_ok(word);
                let glued = text[..n.start].chars().next_back().is_some_and(is_han);
                (!glued && !prose).then_some(n)
            }
            Check::NumberAlone => {
                let n = name?;
                let word = |c: char| is_han(c) || is_kata(c) || c.is_ascii_alphanumeric();
                let prev = text[..n.start].chars().next_back();
                let next = text[n.end..].chars().next();
                let free = !prev.is_some_and(|c| word(c) || matches!(c, '-' | 'ー' | '.' | '/'))
                    && !next.is_some_and(word);
                // A bare 号 after a rule's or a document's word and a space
                // (規程 123号, 条例 第 4号) numbers the document.
                let lead = text[..n.start].trim_end();
                let document = text[n.clone()].ends_with('号')
                    && (lead.ends_with('第')
                        || DOCUMENT_NUMBER_WORDS.iter().any(|w| lead.ends_with(w)));
                (free && !document).then_some(n)
            }
            Check::Ship => ship(text, m, common),
            Check::UnitName => {
                let n = name?;
                let kana = &text[n.clone()];
                let next = text[n.end..].chars().next();
                let whole = !next.is_some_and(|c| is_hira(c) || is_han(c) || is_kata(c));
                let prose = kana_prose(kana, common) || kana.chars().count() < 3;
                (whole && !prose).then_some(m)
            }
            Check::HiraganaService => {
                let found =
                    self.check(Check::HiraganaName, text, m.clone(), name.clone(), common)?;
                let n = name?;
                // Glued straight to the service word, not through a kanji word.
                let between = &text[n.end..m.end];
                let glued = SERVICE_WORDS.contains(&between) || TRADE_WORDS.contains(&between);
                let prose = glued && common.is_some_and(|c| c.contains(&text[n]));
                (!prose).then_some(found)
            }
            Check::QuotedRoom => {
                let n = name?;
                // A number or a letter (会議室「3」, 「B」) is a room's number;
                // a room word inside (「第二会議室」) is no name of its own.
                let named = name_str.chars().any(|c| !c.is_ascii_alphanumeric())
                    && !name_str.ends_with(['室', '館', '棟', '階']);
                (named && name_ok(name_str)).then_some(n)
            }
            Check::QuotedTitle => {
                let n = name?;
                let s = name_str.trim();
                let gloss = common.is_some_and(|c| c.contains(s))
                    || self.vocab.contains(&s.to_ascii_lowercase())
                    || STATUS_ENDINGS.iter().any(|w| s.ends_with(w));
                let named = s.chars().any(|c| !c.is_ascii_alphanumeric());
                (named && !gloss && name_ok(s)).then_some(n)
            }
            Check::QuotedAlias => {
                let n = name?;
                let s = name_str.trim();
                // Who the caller claimed to be (警察, 銀行の者, サポートセンター)
                // is a role or an office, not an alias.
                const OFFICE_ENDINGS: [&str; 16] = [
                    "センター",
                    "サポート",
                    "会社",
                    "銀行",
                    "警察",
                    "署",
                    "庁",
                    "局",
                    "課",
                    "部",
                    "社",
                    "協会",
                    "事務所",
                    "の者",
                    "担当",
                    "窓口",
                ];
                let office = self.is_role(s)
                    || stoplists::is_role_noun(s)
                    || self.vocab.contains(&s.to_ascii_lowercase())
                    || OFFICE_ENDINGS.iter().any(|w| s.ends_with(w));
                (!office && name_ok(s)).then_some(n)
            }
            Check::FloorAfterName => {
                let n = name?;
                // The word before the floor: katakana IT vocabulary, a lift
                // that stops there (エレベーター 3階) or a word that counts or
                // points (地上3階, 同5F) names no building.
                let head = text[..n.start].trim_end_matches([' ', '\u{3000}']);
                let word = &head[head.trim_end_matches(|c| is_han(c) || is_kata(c)).len()..];
                let kata = &word[word.trim_end_matches(is_kata).len()..];
                let vocabulary = !kata.is_empty() && kata == word && self.vocabulary_only(kata);
                const POINTERS: [&str; 16] = [
                    "地上",
                    "最上",
                    "全館",
                    "各",
                    "同",
                    "全",
                    "上",
                    "下",
                    "約",
                    "計",
                    "階段",
                    "エレベータ",
                    "エレベーター",
                    "エスカレータ",
                    "エスカレーター",
                    "昇降機",
                ];
                let pointer = POINTERS.iter().any(|w| word.ends_with(w));
                // A replacement (某施設 3階) was a name the first pass could
                // not read as a building; the floor stays as it was.
                let replaced = word.starts_with('某');
                (!vocabulary && !pointer && !replaced).then_some(n)
            }
            Check::KanaClass => kana_class(self, text, name?),
            Check::BuildingRoom => {
                let n = name?;
                // A count or a measure after the number (館 150 名, 棟 120戸)
                // is no room; a name after a space (X館 305 Y様) is its resident.
                const UNITS: &str = "年月日時分秒名人台件円戸室床個本回冊枚万千億%m℃";
                let glued = text[n.end..].chars().next().is_some_and(|c| {
                    is_han(c) || is_kata(c) || is_hira(c) || c.is_ascii_alphanumeric()
                });
                let unit = text[n.end..]
                    .trim_start_matches(' ')
                    .chars()
                    .next()
                    .is_some_and(|c| UNITS.contains(c));
                (!glued && !unit).then_some(n)
            }
            Check::WardCode => {
                let apart = |c: char| c.is_whitespace() || ":、,()「」/|│".contains(c);
                let free_before = before.is_none_or(apart);
                let rest = &text[m.end..];
                let free_after = after.is_none_or(apart) || rest.starts_with("病棟");
                let direction = ["方面", "方向", "側", "寄り", "へ"]
                    .iter()
                    .any(|w| rest.trim_start_matches(' ').starts_with(w));
                (free_before && free_after && !direction).then_some(m)
            }
            Check::KanaWing => {
                let n = name?;
                let kana = &text[n.clone()];
                // 別館みさきの2階: the particle belongs to the sentence.
                let end = match kana.strip_suffix(PARTICLES) {
                    Some(w) if w.chars().count() >= 3 => n.start + w.len(),
                    _ => n.end,
                };
                let word = &text[n.start..end];
                let whole = !text[end..]
                    .chars()
                    .next()
                    .is_some_and(|c| (end == n.end && is_hira(c)) || is_han(c) || is_kata(c));
                let prose = kana_prose(word, common) || word.chars().count() < 3;
                (whole && !prose).then_some(m.start..end)
            }
            Check::GlossedKana => {
                let n = name?;
                let kana = &text[n.clone()];
                let hira = kana.starts_with(is_hira);
                let free = !before
                    .is_some_and(|c| is_han(c) || if hira { is_hira(c) } else { is_kata(c) });
                let prose = kana_prose(kana, common) || (!hira && self.vocabulary_only(kana));
                (free && !prose && name_ok(kana)).then_some(n)
            }
            Check::Hall => {
                // The kind of a hall, not its name.
                const KINDS: [&str; 18] = [
                    "玄関",
                    "多目的",
                    "展示",
                    "市民",
                    "文化",
                    "催事",
                    "受付",
                    "屋内",
                    "本館",
                    "新館",
                    "会議",
                    "講演",
                    "練習",
                    "屋外",
                    "中央",
                    "演奏",
                    "待合",
                    "乗降",
                ];
                let n = name?;
                let kind = ["ホール", "アリーナ"]
                    .into_iter()
                    .find(|k| text[n.end..].starts_with(k))?;
                if KINDS.contains(&&text[n.clone()]) {
                    return None;
                }
                // The match holds the character after the kind word: the
                // span ends at the kind word.
                self.check(
                    Check::Name,
                    text,
                    m.start..n.end + kind.len(),
                    Some(n),
                    common,
                )
            }
            Check::OrdinalSite => {
                let n = name?;
                // A wing named by a Latin letter (C棟3F) may follow a
                // katakana word (クリーンルームC棟3F): the letter starts it.
                let latin = text[n.clone()].starts_with(|c: char| c.is_ascii_uppercase());
                let glued = text[..n.start].chars().next_back().is_some_and(|c| {
                    if latin {
                        c.is_ascii_alphanumeric()
                    } else {
                        is_han_or_ke(c) || is_kata(c) || c == '々'
                    }
                });
                let role = text[n.end..].starts_with('長');
                (!glued && !role).then_some(n)
            }
            Check::KanaBuilding => {
                // After a kanji word, a leading particle is the sentence's
                // (サーバ室はひまわりビル); after kana the run is no word.
                let mut start = m.start;
                let mut head = name_str;
                if before.is_some_and(|c| is_han(c) || is_kata(c) || c == 'ー') {
                    if let Some(p) = head.strip_prefix(stoplists::PARTICLES) {
                        start += head.len() - p.len();
                        head = p;
                    }
                }
                let free = !before.is_some_and(is_hira);
                let phrase = head.chars().count() < 2
                    || head.ends_with(stoplists::PARTICLES)
                    || ["この", "その", "あの", "どの", "こちら", "そちら", "となり"]
                        .contains(&head);
                (free && !phrase).then_some(start..m.end)
            }
            Check::Name => {
                // A Latin or katakana name must start at its word's start (DN|Sサーバー…).
                let first = name.clone().and_then(|r| text[r].chars().next());
                let mid_word = match (before, first) {
                    (Some(b), Some(f)) if f.is_ascii_alphanumeric() => b.is_ascii_alphanumeric(),
                    (Some(b), Some(f)) if is_kata(f) => is_kata(b),
                    _ => false,
                };
                if mid_word {
                    return None;
                }
                let (m, name) = extend_han_run(text, m, name);
                let m = trim_fillers(text, m, name.clone());
                let name_str = &text[m.start..name.map(|r| r.end).unwrap_or(m.end).max(m.start)];
                let after_bad = after.is_some_and(|c| "券機便路網業料科学系界舎舗長員".contains(c));
                // A team named by its work (設備保全グループ) is a department.
                let team = text[..m.end].ends_with("グループ")
                    && TEAM_WORK.iter().any(|w| name_str.ends_with(w));
                // A kind of shop (販売代理店, 正規特約店) is no shop's name.
                let shop_kind = text[..m.end].ends_with('店')
                    && word_break(name_str, 4, |w, _| {
                        SHOP_KIND_WORDS.contains(&w).then_some(1)
                    });
                // A material names a kind of industry (ガラス工業, タバコ産業).
                let industry = lexicon::MATERIALS.contains(&name_str);
                (name_ok(name_str) && !after_bad && !team && !shop_kind && !industry).then_some(m)
            }
            Check::Area => {
                if lexicon::REGIONS
                    .iter()
                    .any(|r| text[m.clone()].ends_with(r))
                {
                    return None;
                }
                self.check(Check::Name, text, m, name, common)
            }
            Check::CorpPrefix => {
                let named_before =
                    before.is_some_and(|c| is_han(c) || is_kata(c) || c.is_ascii_alphanumeric());
                (!named_before && corp_name_ok(name_str)).then_some(m)
            }
            Check::Relation => {
                if in_vendor_placeholder(text, m.start) {
                    return None;
                }
                let inner = name?;
                let n = &text[inner.clone()];
                // Generic continuations (委託先の担当者, 業者のシステム) are not names.
                // Made of technical words only (DNSサーバー障害, エンジニア): no company.
                let kana_latin = char_runs(n, |c| is_kata(c) || c.is_ascii_alphanumeric());
                let vocabulary = !kana_latin.is_empty()
                    && kana_latin.iter().all(|r| {
                        let w = &n[r.clone()];
                        self.vocab.contains(&w.to_ascii_lowercase()) || self.vocabulary_only(w)
                    });
                // A kanji name before technical katakana (浅葱システムサービス) is
                // a company all the same, unless the kanji is a department or
                // team word (保守サービス).
                let head = &n[..n.find(|c: char| !is_han(c)).unwrap_or(n.len())];
                let named_head = head.chars().count() >= 2
                    && n.ends_with(|c: char| is_kata(c) || c == 'ー')
                    && !DEPARTMENT_WORDS.contains(&head)
                    && !TEAM_WORK.iter().any(|w| head.ends_with(w));
                let vocabulary = vocabulary && !named_head;
                // A katakana name before a kanji business word (ハヤブサ制御,
                // カモメ通信): the katakana decides, the work word may be generic.
                let kata_end = n.find(|c: char| !is_kata(c)).unwrap_or(n.len());
                let kata_head = kata_end > 0
                    && (2..=3).contains(&n[kata_end..].chars().count())
                    && n[kata_end..].chars().all(is_han);
                let named = if named_head {
                    name_ok(head)
                } else if kata_head {
                    name_ok(&n[..kata_end])
                } else {
                    name_ok(n)
                };
                let generic = named && !n.starts_with(RELATION_GENERIC_LEAD) && !vocabulary;
                (generic && n.chars().count() >= 2).then_some(inner)
            }
            Check::HiraganaName => {
                // とみずほ銀行 → みずほ銀行, 提携するかざぐるま証券 → かざぐるま証券;
                // 例えば銀行, そのため銀行 are not bank names.
                let inner = name?;
                let run_start = inner.start
                    - text[..inner.start]
                        .chars()
                        .rev()
                        .take_while(|c| is_hira(*c))
                        .map(char::len_utf8)
                        .sum::<usize>();
                let run = &text[run_start..inner.end];
                let mut start = FUNCTION_ENDINGS
                    .iter()
                    .filter_map(|w| run.rfind(w).map(|i| run_start + i + w.len()))
                    .filter(|s| text[*s..inner.end].chars().count() >= 2)
                    .max()
                    .unwrap_or(run_start)
                    .max(run_start);
                if start == run_start {
                    start = inner.start;
                }
                while let Some(c) = text[start..inner.end].chars().next() {
                    if "のがはにをともへやで".contains(c)
                        && text[start..inner.end].chars().count() > 2
                    {
                        start += c.len_utf8();
                    } else {
                        break;
                    }
                }
                let n = &text[start..inner.end];
                let prev = text[..start].chars().next_back();
                // Glued to a word, unless the word names a relation (代理店みさき保険).
                // A digit before the kana ends no word the name could be
                // part of (ABC-123みどり工房): the kana start one. Nor does
                // an id's Latin tail (123KZ-NETみどり工房): a Latin token
                // with a digit, `-` or `_` in it is an id, which is masked
                // on its own, and the name must be found before it is.
                let relation = lexicon::RELATION_WORDS
                    .iter()
                    .any(|w| text[..start].ends_with(w))
                    && !text[..start].ends_with("委託先ベンダ");
                let latin_word = || {
                    let token = text[..start]
                        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                        .next()
                        .unwrap_or("");
                    !token.contains(|c: char| c.is_ascii_digit() || c == '-' || c == '_')
                };
                let glued = prev.is_some_and(|c| {
                    is_han(c) || is_kata(c) || (c.is_ascii_alphabetic() && latin_word())
                }) && !relation;
                // A whole word standing alone may end like a particle
                // (あけぼの銀行, みさと乳業, はやて便 after a space), unless
                // that kana follows a particle (すべての, からの).
                let alone_no = n.chars().count() >= if n.ends_with('の') { 4 } else { 3 }
                    && (start == 0
                        || text[..start].ends_with([' ', '\u{3000}', ':', '：', '\n', '(', '（']))
                    && !n[..n.len() - 'の'.len_utf8()].ends_with([
                        'て', 'で', 'と', 'へ', 'ら', 'ど', 'そ', 'こ', 'あ', 'か', 'ま', 'も',
                        'り', 'け', 'の',
                    ]);
                let particle = n.starts_with(PARTICLES)
                    || FUNCTION_WORDS.iter().any(|w| n.starts_with(w))
                    || (n.ends_with([
                        'の', 'が', 'は', 'に', 'を', 'と', 'も', 'へ', 'や', 'で', 'て',
                    ]) && !alone_no)
                    || [
                        "れば", "けば", "えば", "せば", "てば", "ねば", "めば", "べば",
                    ]
                    .iter()
                    .any(|w| n.ends_with(w));
                // A verb or noun of grammar is no name (あるネットワークスイッチ,
                // 残したまま印刷業者に).
                let grammar = FUNCTION_ENDINGS.contains(&n) || GRAMMAR_NOUNS.contains(&n);
                // A katakana suffix must end its word (…ネットワークス|イッチ is not one).
                let cut_word = text[..m.end].ends_with(is_kata) && after.is_some_and(is_kata);
                (!glued && !particle && !grammar && !cut_word && n.chars().count() >= 2)
                    .then_some(start..m.end)
            }
            Check::HiraganaCorp => {
                let inner = name?;
                let n = &text[inner.clone()];
                // A case particle after the form ends the sentence's noun
                // (株式会社では, 株式会社から); a demonstrative or a function word
                // starts the next phrase (株式会社この件, 株式会社など, 株式会社まで).
                // Names may start with the other kana these words start with
                // (あおば, こもれび, なごみ, まるやま, どんぐり), so only the
                // words themselves are refused.
                let particle = n.starts_with([
                    'で', 'の', 'が', 'は', 'に', 'を', 'と', 'も', 'へ', 'や', 'か', 'よ',
                ]);
                let function = FUNCTION_WORDS
                    .iter()
                    .chain(FUNCTION_ENDINGS)
                    .chain(PHRASE_OPENERS)
                    .any(|w| n.starts_with(w));
                (!particle && !function).then_some(m)
            }
            Check::Corp => {
                // `…契約 有限会社ほしみ木工`: a legal form set apart from the words
                // before it and glued to a name after it heads that name
                // (corporate_prefix's reading), it does not end a label.
                let spaced = name
                    .as_ref()
                    .is_some_and(|n| text[n.end..m.end].starts_with(char::is_whitespace));
                let heads_name = after.is_some_and(|c| {
                    (is_hira(c) && !"のがはにをともへやでかよ".contains(c))
                        || is_kata(c)
                        || c.is_ascii_alphabetic()
                        || (is_han(c)
                            && !"様殿御製社本代役側等名内宛向間及並又各全担経所分".contains(c))
                });
                if spaced && heads_name {
                    // The form and the name it heads, up to the first kana
                    // after a non-kana (…木工|に, アオバ工房|から).
                    let from = name.as_ref().map_or(m.start, |n| n.end);
                    let form = m.end - text[from..m.end].trim_start().len();
                    let mut end = m.end;
                    let mut seen_other = false;
                    for c in text[m.end..].chars() {
                        let word = is_hira(c)
                            || is_kata(c)
                            || is_han(c)
                            || c.is_ascii_alphanumeric()
                            || "ー・".contains(c);
                        if !word || (is_hira(c) && seen_other) {
                            break;
                        }
                        seen_other |= !is_hira(c);
                        end += c.len_utf8();
                    }
                    return Some(form..end);
                }
                let (m, name) = extend_han_run(text, m, name);
                let m = trim_fillers(text, m, name.clone());
                let name_str = &text[m.start..name.map(|r| r.end).unwrap_or(m.end).max(m.start)];
                corp_name_ok(name_str).then_some(m)
            }
            Check::Section => {
                // 一時都城ー吉松間: the left name starts after the last time word.
                let timeish = |c: char| "期夜午朝日月年時分昼頃".contains(c);
                let sep = name_str.find(['ー', '-', '〜', '~'])?;
                let (left, right) = (&name_str[..sep], &name_str[sep..]);
                // A time word on the right (~翌日, ~午後) ends the span of
                // time; a longer station name may hold one inside (~三ヶ日台).
                let name_like = right.chars().count() >= 4 && !right.ends_with(timeish);
                if right.chars().any(timeish) && !name_like {
                    return None;
                }
                let cut = left
                    .char_indices()
                    .rev()
                    .filter(|(_, c)| timeish(*c))
                    .map(|(i, c)| i + c.len_utf8())
                    .next()
                    .unwrap_or(0);
                (cut < left.len()).then_some(m.start + cut..m.end)
            }
            Check::PlaceName => {
                let stripped = name_str.trim_start_matches(GENERIC_LEAD);
                let placeish = self.is_place_name(stripped)
                    || [
                        "中国",
                        "四国",
                        "中部",
                        "東北",
                        "九州",
                        "北陸",
                        "関西",
                        "東京",
                        "北海道",
                        "沖縄",
                        "東邦",
                        "西部",
                        "北海道",
                        "日本",
                        "京葉",
                        "広島",
                        "静岡",
                    ]
                    .iter()
                    .any(|p| stripped.ends_with(p));
                (placeish && name_ok(name_str)).then_some(m)
            }
            Check::Line => {
                let (m, name) = extend_han_run(text, m, name);
                let m = trim_fillers(text, m, name.clone());
                let name_str = &text[m.start..name.map(|r| r.end).unwrap_or(m.end).max(m.start)];
                let ok = name_ok(name_str)
                    && !NOT_LINES.iter().any(|w| {
                        name_str == *w || (name_str.ends_with(w) && w.chars().count() >= 2)
                    })
                    && !name_str.ends_with([
                        '回', '電', '無', '路', '直', '配', '架', '導', '断', '脱', '混', '系',
                        '動', '源', '続', '継', '込', '送', '光', '際',
                    ]);
                ok.then_some(m)
            }
            Check::Municipality => {
                let (m, name) = extend_han_run(text, m, name);
                let m = trim_fillers(text, m, name.clone());
                let name_str = &text[m.start..name.map(|r| r.end).unwrap_or(m.end).max(m.start)];
                let ok = name_ok(name_str)
                    && !name_str
                        .chars()
                        .all(|c| "市区町村都道府県郡各同当全本他隣近数十百千万億".contains(c))
                    && ![
                        "城下", "門前", "地", "管", "学", "選挙", "特", "農", "漁", "山", "下",
                        "港", "行政", "政令", "中核", "都市", "新興", "東京23", "市", "区",
                    ]
                    .iter()
                    .any(|w| name_str == *w || (w.chars().count() >= 2 && name_str.ends_with(w)))
                    && !after.is_some_and(|c| "場況販街井分間域別切画民政".contains(c));
                ok.then_some(m)
            }
            Check::Foreign => {
                let ok = !before.is_some_and(|c| is_han(c) || is_kata(c))
                    && !["ドル", "ユーロ", "ウォン", "ポンド", "ルーブル", "ルピー"]
                        .contains(&name_str)
                    && !self.vocab.contains(&name_str.to_ascii_lowercase());
                ok.then_some(m)
            }
            Check::KatakanaCompany => {
                let ok = !after.is_some_and(|c| "員内会長屋外宅則是風歌".contains(c))
                    && ![
                        "ベンダー",
                        "ベンダ",
                        "メーカー",
                        "パートナー",
                        "グループ",
                        "ユーザー",
                        "ユーザ",
                        "システム",
                        "リース",
                        "ホールディング",
                        "クライアント",
                        "サプライヤー",
                        "ライバル",
                        "メディア",
                    ]
                    .contains(&name_str);
                ok.then_some(m)
            }
            Check::Latin => self.check_latin(text, m, before, after),
            Check::PersonHonorific => {
                // 仕様, 同様, 模様 … end in 様 without being a name; a label's
                // 社 (A社主任さん) does not start one.
                let ok = name_ok(name_str)
                    && !before.is_some_and(|c| c.is_ascii_alphanumeric())
                    && !name_str.ends_with([
                        '仕', '同', '模', '多', '異', '一', '今', '各', '態', '有', '王', '神',
                    ])
                    && !name_str.ends_with([
                        '者', '員', '客', '方', '様', '主', '人', '長', '家', '先', '社', '店',
                        '局', '部', '課', '係', '神', '殿', '任', '査', '幹', '職',
                    ])
                    && after != Some('名');
                ok.then_some(m)
            }
            Check::PersonTitle => {
                // The name must stand on its own (after の, a particle or
                // punctuation, not inside a longer kanji run) and not be a
                // department, a function or a pointer word.
                let standalone = !before.is_some_and(|c| is_han(c) || c.is_ascii_alphanumeric());
                let ok = standalone
                    && name_ok(name_str)
                    && !DEPARTMENT_WORDS.contains(&name_str)
                    && !name_str.ends_with([
                        '務', '業', '理', '事', '発', '画', '術', '報', '質', '造', '査', '守',
                        '部', '課', '室', '局', '店', '所', '社', '長', '係', '当', '括', '席',
                        '表', '任', '場', '属', '営', '材', '産', '計', '制', '援', '備', '策',
                        // a function, not a name: 確認主任, 安全係長, 点検主任
                        '認', '全', '検', '督', '視', '証', '練', '育', '工', '量',
                    ]);
                ok.then_some(m)
            }
            Check::Ipv4 => text[m.clone()]
                .split(['.', '/'])
                .take(4)
                .all(|o| o.parse::<u16>().is_ok_and(|v| v <= 255))
                .then_some(m),
            Check::Ipv6 => {
                let s = &text[m.clone()];
                (s.matches(':').count() >= 2 && s.parse::<std::net::Ipv6Addr>().is_ok())
                    .then_some(m)
            }
            Check::MyNumber => {
                let digits: Vec<u32> = text[m.clone()]
                    .chars()
                    .filter_map(|c| c.to_digit(10))
                    .collect();
                (figure_alone(text, m.clone(), ",.-")
                    && digits.len() == 12
                    && my_number_valid(&digits))
                .then_some(m)
            }
            Check::MyNumberNear => {
                let n = name?;
                figure_alone(text, n.clone(), ",.- ").then_some(n)
            }
            Check::Day => {
                let s = &text[m.clone()];
                let digits_before =
                    before.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',');
                let duration_before = text[..m.start].ends_with('約')
                    || text[..m.start].ends_with("毎")
                    || text[..m.start].ends_with("最大");
                let rest = &text[m.end..];
                let duration_after = [
                    "間",
                    "以内",
                    "以上",
                    "分の",
                    "程度",
                    "ぶり",
                    "目",
                    "連続",
                    "後",
                    "前",
                    "経",
                    "超",
                    "余",
                    "弱",
                    "強",
                    "足らず",
                ]
                .iter()
                .any(|w| rest.starts_with(w));
                // A bare day followed by those words is a duration (10日間, 3日後).
                let bare_day = !s.contains('時') && !s.chars().any(|c| "朝午夕夜昼未".contains(c));
                (!digits_before && !duration_before && (!bare_day || !duration_after)).then_some(m)
            }
            Check::Time => {
                let s = &text[m.clone()];
                let rest = &text[m.end..];
                let digits_before =
                    before.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ':');
                if digits_before {
                    return None;
                }
                if s.ends_with('時') && (rest.starts_with('間') || rest.starts_with("点")) {
                    return None;
                }
                if text[..m.start].ends_with('約') && !s.contains('分') {
                    return None;
                }
                if s.contains(':')
                    && (text[..m.start].ends_with(':')
                        || rest
                            .starts_with([':', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
                        || before.is_some_and(|c| c.is_ascii_alphanumeric()))
                {
                    return None;
                }
                Some(m)
            }
            Check::Count => {
                // 約, 計, 全, 総 glued to a kanji word belong to it (契約2,714社).
                let m = match text[m.clone()].chars().next() {
                    Some(p @ ('約' | '計' | '全' | '総')) if before.is_some_and(is_han) => {
                        m.start + p.len_utf8()..m.end
                    }
                    _ => m,
                };
                let before = text[..m.start].chars().next_back();
                let rest = &text[m.end..];
                // A bare figure glued to a Latin token is a model or version number (RX300台?);
                // one with a prefix (約, 計 …) is a count.
                let starts_with_digit = text[m.start..].starts_with(|c: char| c.is_ascii_digit());
                let before_ok = !starts_with_digit
                    || !before
                        .is_some_and(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '/');
                // A number set apart from its counter is a count only after
                // 約, 延べ … (延べ約 96 店舗); bare, it ends a list (120 340 780 個).
                let apart = starts_with_digit && text[m.clone()].contains(' ');
                if rest.starts_with("規模") || !before_ok || apart {
                    return None;
                }
                Some(m)
            }
            Check::Quoted => {
                let inner = name?;
                let s = &text[inner.clone()];
                // Messages and concepts in quotes (「発射情報」) stay; names are short and
                // contain Latin or katakana.
                let latin = s.chars().filter(char::is_ascii_alphabetic).count();
                let kata = s.chars().filter(|c| is_kata(*c)).count();
                let namey = (latin >= 2 || kata >= 2) && s.chars().count() <= 20;
                namey.then_some(inner)
            }
        }
    }

    fn check_latin(
        &self,
        text: &str,
        m: Range<usize>,
        before: Option<char>,
        _after: Option<char>,
    ) -> Option<Range<usize>> {
        let hit = self.check_latin_token(text, m.clone(), before)?;
        // A pseudonym glued to capitals (担当者A|ETC when a name before ETC was
        // replaced): the label letter belongs to the replacement, and a listed
        // word after it is vocabulary, as it was before the replacement.
        let s = &text[m.clone()];
        let label = 1 + s[1..].bytes().take_while(u8::is_ascii_digit).count();
        let rest = &s[label..];
        let glued_to_pseudonym = s.starts_with(|c: char| c.is_ascii_uppercase())
            && rest.starts_with(|c: char| c.is_ascii_uppercase())
            && PSEUDONYM_HEADS.iter().any(|h| text[..m.start].ends_with(h));
        if glued_to_pseudonym && self.latin_is_vocabulary(rest) {
            return None;
        }
        Some(hit)
    }

    /// True when the Latin token `latin` is a listed word, alone or with a
    /// version or number (ISO27001, RFC6962, H264), or an English legal form or
    /// organisation word.
    fn latin_is_vocabulary(&self, latin: &str) -> bool {
        let lower = latin.to_ascii_lowercase();
        let head = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        self.vocab.contains(&lower)
            || (head.len() >= 2 && head.len() < lower.len() && self.vocab.contains(head))
            || candidates::ORG_WORDS.contains(&latin)
            || candidates::LEGAL_FORMS.contains(&latin)
    }

    fn check_latin_token(
        &self,
        text: &str,
        m: Range<usize>,
        before: Option<char>,
    ) -> Option<Range<usize>> {
        let s = &text[m.clone()];
        // A capitalised word glued to a number is still a word (0001Halvorsen);
        // anything else glued to a letter or digit is part of a longer token.
        let capitalised = {
            let mut c = s.chars();
            c.next().is_some_and(|f| f.is_ascii_uppercase())
                && c.take_while(|c| c.is_ascii_alphabetic())
                    .filter(|c| c.is_ascii_lowercase())
                    .count()
                    >= 2
        };
        if before.is_some_and(|c| {
            (c.is_ascii_alphanumeric() && !(c.is_ascii_digit() && capitalised))
                || c == '@'
                || c == '.'
                || c == '/'
                || c == '-'
                || c == '_'
        }) {
            return None;
        }
        let latin_end = s.find(|c: char| !c.is_ascii()).unwrap_or(s.len());
        let latin = &s[..latin_end];
        if self.latin_is_vocabulary(latin)
            || self.vocab.contains(&s.to_ascii_lowercase())
            || romanised::CHILD_TITLES.contains(&latin)
        {
            return None;
        }
        // Generic prefixes such as "IP" in "IPアドレス" are covered above; tokens made
        // of generic parts joined by - or / (TCP/IP, Wi-Fi) are generic too.
        if latin.contains(['-', '/', '.', '&', '_'])
            && latin.split(['-', '/', '.', '&', '_']).all(|p| {
                p.is_empty()
                    || self.vocab.contains(&p.to_ascii_lowercase())
                    || candidates::LEGAL_FORMS.contains(&p)
                    || candidates::ORG_WORDS.contains(&p)
                    || p.chars().all(|c| c.is_ascii_digit())
                    || is_label(p)
            })
        {
            return None;
        }
        let has_kana = latin_end < s.len();
        // An error constant, an advisory id, a script's file name.
        if !has_kana && technical::is_public_reference(latin, &self.vocab) {
            return None;
        }
        // A version (v1.2.3, Ver.2.10, V10) names a release, not a brand.
        let version = ["Ver.", "ver.", "Ver", "ver", "v", "V"]
            .iter()
            .find_map(|p| latin.strip_prefix(p))
            .is_some_and(|r| {
                r.split('.')
                    .all(|p| (1..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            });
        if version && !has_kana {
            return None;
        }
        // Labels and pseudonyms: A, B2, X1 (サーバーA, A2社).
        let mut lc = latin.chars();
        if lc.next().is_some_and(|c| c.is_ascii_uppercase())
            && lc.all(|c| c.is_ascii_digit() || c == '.')
            && !has_kana
        {
            return None;
        }
        // Unknown two-letter acronyms (SC, HT, QC) are far more often technical
        // than company names; known ones (au, JR, NTT …) come from the lexicon.
        if !has_kana && latin.len() == 2 && latin.chars().all(|c| c.is_ascii_uppercase()) {
            return None;
        }
        // A capitals abbreviation opening a line before a colon heads a
        // table or a label (`IOC: …`, `RCA：…`), it names nothing.
        let line_head = text[..m.start].rsplit('\n').next().is_some_and(|l| {
            l.trim_matches([' ', '\u{3000}', '\t', '・', '-', '*'])
                .is_empty()
        });
        if !has_kana
            && line_head
            && (3..=6).contains(&latin.len())
            && latin
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && text[m.end..].starts_with([':', '：'])
        {
            return None;
        }
        let letters = latin.chars().filter(|c| c.is_ascii_alphabetic()).count();
        if letters == 1 && latin.len() == 1 {
            // Single letters are labels (サーバーA, A社, 機器B) unless a brand-like
            // letter prefix of a katakana word (Jアラート, Tポイント).
            let c = latin.chars().next().unwrap_or('A');
            if !has_kana
                || "ABCDEFXYZ".contains(c.to_ascii_uppercase())
                || s[latin_end..].chars().count() < 3
            {
                return None;
            }
            return Some(m);
        }
        if latin
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && !has_kana
        {
            // Plain English words and commands (timeout, null, cron).
            return None;
        }
        if latin
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        {
            return None;
        }
        if has_kana {
            // Brand + katakana: mask the whole compound only when the Latin part is a
            // name; otherwise just the Latin part.
            return Some(m);
        }
        Some(m.start..m.start + latin_end)
    }
}

/// True when a relation word at `at` is part of the replacement 委託先ベンダ:
/// what follows it was not named by a relation in the raw text.
pub(super) fn in_vendor_placeholder(text: &str, at: usize) -> bool {
    text[at..].starts_with("委託先ベンダ")
        || (text[..at].ends_with("委託先") && text[at..].starts_with("ベンダ"))
}

/// Words that make a kind of shop before 店 (販売代理店, 正規特約店, 指定取扱店).
const SHOP_KIND_WORDS: &[&str] = &[
    "販売", "代理", "特約", "加盟", "取扱", "取次", "直営", "量販", "小売", "専門", "飲食", "正規",
    "指定", "一次", "二次", "契約", "提携", "協力",
];

/// The work a team is named by (設備保全グループ, 運用管理グループ).
const TEAM_WORK: &[&str] = &[
    "保全", "管理", "運用", "開発", "推進", "企画", "技術", "品質", "設備", "保守", "業務", "営業",
    "支援", "改善", "基盤", "監視", "調達", "総務", "経理", "人事", "広報", "戦略", "対策", "構築",
];

/// Nouns of grammar (こと, まま …): a hiragana word that is one of them
/// names nothing (残したまま|印刷業者).
const GRAMMAR_NOUNS: &[&str] = &[
    "こと",
    "もの",
    "ため",
    "とき",
    "ところ",
    "よう",
    "ほか",
    "まま",
    "ほど",
    "だけ",
    "はず",
    "わけ",
    "うち",
    "ごと",
];

/// Words that open the next phrase after a legal form written as a noun
/// (株式会社|ここ数年, 株式会社|あてに), beside [`FUNCTION_WORDS`] and
/// [`FUNCTION_ENDINGS`].
const PHRASE_OPENERS: &[&str] = &[
    "まま", "こと", "ここ", "そこ", "そう", "こう", "どう", "どこ", "ある", "あて", "あと", "なる",
    "らし", "られ",
];

/// Verb and particle endings after which a hiragana name starts (提携する|かざぐるま).
const FUNCTION_ENDINGS: &[&str] = &[
    "する",
    "した",
    "して",
    "される",
    "された",
    "いる",
    "ある",
    "れる",
    "ない",
    "った",
    "って",
    "です",
    "ます",
    "での",
    "への",
    "との",
    "から",
    "まで",
    "より",
    "など",
    "および",
    "ならびに",
    "または",
];

/// Hiragana words that start a phrase, never a name (そのため, また, すべて …);
/// the words a name may start with (ことぶき, あるぷす) are cut by
/// [`FUNCTION_ENDINGS`] instead.
pub(super) const FUNCTION_WORDS: &[&str] = &[
    "この",
    "その",
    "あの",
    "どの",
    "これ",
    "それ",
    "あれ",
    "どれ",
    "また",
    "まず",
    "さらに",
    "なお",
    "ただし",
    "すべて",
    "しかし",
    "しかも",
    "および",
    "または",
    "ならびに",
    "もし",
    "まだ",
    "いずれ",
    "それぞれ",
    "なく",
    "なし",
    "ので",
    "のに",
    "けれど",
    "ながら",
];

/// Two- and three-kanji words that precede a job title without being a name
/// (営業課長, 総務部長, 同課長 …).
pub(super) const DEPARTMENT_WORDS: &[&str] = &[
    "顧客",
    "会員",
    "利用者",
    "契約者",
    "取引先",
    "委託先",
    "現地",
    "本部",
    "営業",
    "総務",
    "経理",
    "人事",
    "開発",
    "企画",
    "技術",
    "管理",
    "運用",
    "情報",
    "品質",
    "製造",
    "財務",
    "法務",
    "広報",
    "監査",
    "保守",
    "業務",
    "事業",
    "本店",
    "支店",
    "現場",
    "統括",
    "代表",
    "工場",
    "研究",
    "販売",
    "購買",
    "物流",
    "設計",
    "施設",
    "設備",
    "安全",
    "会計",
    "審査",
    "融資",
    "営業所",
    "情報系",
    "基盤",
    "担当",
    "所属",
    "当該",
    "前任",
    "後任",
    "新任",
    "元",
    "現",
    "同",
    "直属",
    "上司",
    "部下",
    "先任",
    "次席",
    "副",
    "本社",
    "各部",
    "各課",
    "社内",
    "全社",
];

/// True when the figure at `m` is no part of a longer figure or digit group
/// (1,2345 6789 0123, 1234-5678-9012-3456, or with a blank in `joins`
/// 4821 6630 9175 0000); a CSV comma beside it is fine.
fn figure_alone(text: &str, m: Range<usize>, joins: &str) -> bool {
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let joined = |c: Option<char>, next: Option<char>| {
        digit(c) || (c.is_some_and(|c| joins.contains(c)) && digit(next))
    };
    let mut back = text[..m.start].chars().rev();
    let mut ahead = text[m.end..].chars();
    !joined(back.next(), back.next()) && !joined(ahead.next(), ahead.next())
}

/// An online service's words after its name (`X予約`, `Xナビ`).
pub(super) const SERVICE_WORDS: [&str; 7] =
    ["予約", "決済", "発券", "ナビ", "ネット", "ペイ", "チケット"];

/// A club's or a trade's words after its name (`X卓球クラブ`, `X石油`).
pub(super) const TRADE_WORDS: [&str; 3] = ["クラブ", "石油", "米穀"];

/// Words for a vessel that may stand before its name (`フェリーX丸`).
const VESSEL_WORDS: [&str; 14] = [
    "フェリー",
    "タンカー",
    "貨物船",
    "旅客船",
    "巡視船",
    "遊漁船",
    "高速船",
    "観光船",
    "作業船",
    "漁船",
    "本船",
    "僚船",
    "客船",
    "船",
];

/// Words ending in 丸 that name no vessel (with 丸 cut off).
const NOT_SHIPS: [&str; 6] = ["日の", "二重", "三重", "真ん", "まん", "花"];

/// A kana word that reads as prose, not as a name: it starts with a
/// particle or a function word, or it is a common word.
fn kana_prose(word: &str, common: Option<&WordSet>) -> bool {
    word.starts_with(PARTICLES)
        || FUNCTION_WORDS.iter().any(|w| word.starts_with(w))
        || common.is_some_and(|c| c.contains(word))
}

/// See [`Check::Ship`]: `m` is a run of letters ending in 丸.
fn ship(text: &str, m: Range<usize>, common: Option<&WordSet>) -> Option<Range<usize>> {
    let letter = |c: char| is_han(c) || is_hira(c) || is_kata(c) || c == 'ー';
    let mut start = m.start;
    let vessel = VESSEL_WORDS.iter().find(|w| {
        text[start..].starts_with(*w) && text[start + w.len()..m.end].chars().count() >= 3
    });
    if let Some(w) = vessel {
        start += w.len();
    } else if text[..start]
        .chars()
        .next_back()
        .is_some_and(|c| letter(c) || c.is_ascii_alphanumeric())
    {
        return None;
    }
    let whole = &text[start..m.end];
    let ordinal = whole
        .strip_prefix('第')
        .map(|r| {
            r.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
        })
        .filter(|r| r.len() < whole.len() - '第'.len_utf8());
    let name = ordinal.unwrap_or(whole).strip_suffix('丸')?;
    let next = text[m.end..].chars().next();
    let free =
        !next.is_some_and(|c| (letter(c) && !PARTICLES.contains(&c)) || c.is_ascii_alphanumeric());
    let prose = name.chars().count() < 2
        || name.ends_with(PARTICLES)
        || NOT_SHIPS.contains(&name)
        || common.is_some_and(|c| c.contains(whole));
    (free && !prose).then_some(start..m.end)
}

/// A nursery class's kana name before 組 (see [`Check::KanaClass`]): the
/// kana run before 組, cut after its last particle; two to five letters,
/// not a counting or pointing word, not team vocabulary in katakana.
fn kana_class(r: &Recognizers, text: &str, n: Range<usize>) -> Option<Range<usize>> {
    const STOP: [&str; 22] = [
        "ひと",
        "ふた",
        "なん",
        "いく",
        "この",
        "その",
        "あの",
        "どの",
        "うち",
        "よそ",
        "おな",
        "みんな",
        "べつ",
        "チーム",
        "ペア",
        "シフト",
        "グループ",
        "クラス",
        "ユニット",
        "セット",
        "ライン",
        "ローテ",
    ];
    let kumi = n.end - '組'.len_utf8();
    let hira = text[..kumi].chars().next_back().is_some_and(is_hira);
    let same = |c: char| if hira { is_hira(c) } else { is_kata(c) };
    let run_len: usize = text[..kumi]
        .chars()
        .rev()
        .take_while(|c| same(*c))
        .map(char::len_utf8)
        .sum();
    let mut start = kumi - run_len;
    if hira {
        // それぞれのぱんだ組, ふたりでひと組: the name starts after the last
        // particle that leaves two letters or more, not the run's first
        // letter (にじいろ組, はなばたけ組).
        let head = &text[start..kumi.saturating_sub(6).max(start)];
        if let Some(p) = head.rfind(['の', 'は', 'が', 'を', 'で', 'に', 'へ', 'と']) {
            if p > 0 {
                start += p + 3;
            }
        }
    }
    let word = &text[start..kumi];
    let len = word.chars().count();
    // A case particle closes a phrase (うちの組); も, と and で end names
    // (もも組, かえで組).
    let particle_end = hira && word.ends_with(['の', 'を', 'に', 'は', 'が', 'へ']);
    let stop = STOP.contains(&word) || (!hira && r.vocabulary_only(word));
    ((2..=6).contains(&len) && !particle_end && !stop).then_some(start..n.end)
}
