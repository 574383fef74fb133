//! IPADIC proper-noun recogniser (lindera), compiled at runtime from the sources.
//!
//! The IPADIC sources come from Debian's `mecab-ipadic` package (EUC-JP CSV and
//! .def files): `$TAZAN_IPADIC_DIR`, else `/usr/share/mecab/dic/ipadic`. They are
//! compiled once (about 2.5 s) into `$TAZAN_CACHE_DIR/ipadic-lindera-6.2-t4`, else
//! `$XDG_CACHE_HOME/tazan/…`, `~/.cache/tazan/…` or the system temp dir, and loaded
//! from there afterwards. Only tokens inside kanji runs are analysed, and only
//! 名詞,固有名詞,人名 / 組織 / 地域 tags become hits. Katakana company names are not
//! in IPADIC: the pattern recognisers cover those.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use lindera::dictionary::{load_fs_dictionary, DictionaryBuilder, Metadata, Schema};
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use serde::Serialize;

use crate::normalize::{Layer, Normalized};
use crate::recognize::{is_han, script_runs, Hit, Lexis, Recognizers};
use tazan_model::Kind;

/// Default location of Debian's mecab-ipadic sources.
pub(crate) const DEFAULT_IPADIC_DIR: &str = "/usr/share/mecab/dic/ipadic";
/// Versioned: builds with another cache layout keep their own directory.
/// `t3` (round 23): the word classes the scorer weighs (`dict::classes`);
/// `t4` (round 24): the manifest's cheaper digest (`dict::cache`).
const CACHE_NAME: &str = "ipadic-lindera-6.2-t4";

mod cache;
mod classes;
mod words;

pub(crate) use classes::WordClasses;

pub(crate) use words::WordSet;

/// Whether the dictionary recogniser runs. When it is off the sanitizer still
/// runs every other recogniser; callers must surface the reason to the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DictionaryStatus {
    /// Loaded from this compiled dictionary directory.
    Loaded {
        /// The compiled dictionary directory.
        path: String,
    },
    /// Not running.
    Off {
        /// Why, and how to turn it on.
        reason: String,
    },
}

impl std::fmt::Display for DictionaryStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DictionaryStatus::Loaded { path } => {
                write!(f, "IPADIC dictionary recogniser on ({path})")
            }
            DictionaryStatus::Off { reason } => {
                write!(f, "IPADIC dictionary recogniser OFF: {reason}")
            }
        }
    }
}

/// The loaded segmenter (shared by every sanitizer of the process).
pub(crate) struct DictRecognizer {
    segmenter: Arc<Segmenter>,
    /// Surfaces IPADIC also lists as common words (社会, 自社, 根本): IPADIC's
    /// proper-noun files contain such entries and they must not be masked.
    common: Arc<WordSet>,
    /// Every kanji-only proper-noun surface (人名/組織/地域) that is not also a
    /// common word: a kanji run with none of them inside is not segmented at all,
    /// which keeps the dictionary pass cheap.
    proper: Arc<WordSet>,
    /// IPADIC's family names (人名,姓) and given names (人名,名), any script.
    surnames: Arc<WordSet>,
    given: Arc<WordSet>,
    /// Katakana nouns IPADIC also lists in kanji or kana (スミレ: 菫): native
    /// words written in katakana, the stuff of brand names.
    native: Arc<WordSet>,
    /// Rare common kanji words IPADIC also lists as proper nouns (北辰,
    /// 晴嵐: see `write_named_common`).
    named: Arc<WordSet>,
    /// Proper nouns found per kanji run: the leak gate re-scans mostly the same
    /// runs, and incident texts repeat them. Bounded; cleared when full.
    cache: Mutex<HashMap<String, Arc<Vec<Proper>>>>,
}

/// A proper noun inside a kanji run (byte offsets within the run).
type Proper = (usize, usize, Kind, &'static str, f32);

const CACHE_LIMIT: usize = 20_000;

impl DictRecognizer {
    /// Surfaces IPADIC lists as common (non-proper) words.
    pub(crate) fn common(&self) -> &WordSet {
        &self.common
    }

    /// The word lists the context recognisers consult.
    pub(crate) fn lexis(&self) -> Lexis<'_> {
        Lexis {
            common: &self.common,
            surnames: &self.surnames,
            given: &self.given,
            native: &self.native,
            named: &self.named,
        }
    }

    /// Proper-noun tokens of one kanji run (segmenting it on a cache miss).
    fn propers(&self, piece: &str, r: &Recognizers) -> Arc<Vec<Proper>> {
        if let Ok(cache) = self.cache.lock() {
            if let Some(found) = cache.get(piece) {
                return Arc::clone(found);
            }
        }
        let mut found = Vec::new();
        if let Ok(mut tokens) = self.segmenter.segment(Cow::Borrowed(piece)) {
            for t in tokens.iter_mut() {
                let (start, end) = (t.byte_start, t.byte_end);
                let surface = t.surface.to_string();
                let details = t.details();
                if details.len() < 3 || details[0] != "名詞" || details[1] != "固有名詞" {
                    continue;
                }
                let sub = details[3.min(details.len() - 1)];
                let (kind, rule, score) = match details[2] {
                    "人名" => (Kind::Person, "ipadic:人名", 0.55),
                    "組織" => (Kind::Org, "ipadic:組織", 0.6),
                    "地域" if sub == "国" => (Kind::Place, "ipadic:国", 0.6),
                    "地域" => (Kind::Place, "ipadic:地域", 0.6),
                    _ => continue,
                };
                if surface.chars().count() < 2
                    || NOT_PROPER.contains(&surface.as_str())
                    || self.common.contains(&surface)
                    || r.is_generic_word(&surface)
                {
                    continue;
                }
                found.push((start, end, kind, rule, score));
            }
        }
        let found = Arc::new(found);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(piece.to_string(), Arc::clone(&found));
        }
        found
    }

    /// Analyses every kanji run of two or more characters and reports proper nouns.
    pub(crate) fn scan(&self, n: &Normalized, r: &Recognizers, out: &mut Vec<Hit>) {
        let text = n.text.as_str();
        for mut run in script_runs(n).kanji.iter().cloned() {
            // A pseudonym label's 社 (A社東雲) is not part of the word after it.
            if text[run.clone()].starts_with('社')
                && text[..run.start].ends_with(|c: char| c.is_ascii_alphabetic())
            {
                run.start += '社'.len_utf8();
            }
            let piece = &text[run.clone()];
            if piece.chars().nth(1).is_none() || !self.proper.occurs_in(piece) {
                continue;
            }
            for &(start, end, kind, rule, score) in self.propers(piece, r).iter() {
                // A token glued to a preceding digit is a counter or unit (3日近く),
                // unless it is a family name (…1-2-3柴崎).
                let family = kind == Kind::Person
                    && self
                        .surnames
                        .contains(&text[run.start + start..run.start + end]);
                if start == 0
                    && !family
                    && text[..run.start].ends_with(|c: char| c.is_ascii_digit())
                {
                    continue;
                }
                let range = n.original(Layer::Text, run.start + start..run.start + end);
                if !range.is_empty() {
                    out.push(Hit {
                        range,
                        kind,
                        rule,
                        score,
                        deny: None,
                        dict: true,
                        prio: 2,
                    });
                }
            }
        }
    }
}

/// IPADIC proper nouns that are ordinary words in incident reports.
const NOT_PROPER: &[&str] = &[
    "閾値",
    "日本",
    "国内",
    "全国",
    "海外",
    "中央",
    "本州",
    "大手",
    "東西",
    "南北",
    "上空",
    "日本国",
];

/// Where the IPADIC sources are, if present.
pub(crate) fn source_dir() -> PathBuf {
    std::env::var_os("TAZAN_IPADIC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_IPADIC_DIR))
}

/// Where the compiled dictionary is cached.
pub(crate) fn cache_dir() -> PathBuf {
    let base = std::env::var_os("TAZAN_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|p| PathBuf::from(p).join("tazan")))
        .or_else(|| std::env::var_os("HOME").map(|p| PathBuf::from(p).join(".cache").join("tazan")))
        .unwrap_or_else(|| std::env::temp_dir().join("tazan-cache"));
    base.join(CACHE_NAME)
}

fn ipadic_metadata() -> Metadata {
    Metadata::new(
        "ipadic".to_string(),
        "EUC-JP".to_string(),
        -10000,
        0,
        0,
        "*".to_string(),
        true,
        false,
        true,
        Schema::default(),
        Schema::new(vec![
            "surface".to_string(),
            "major_pos".to_string(),
            "reading".to_string(),
        ]),
    )
}

/// Compiles the sources into `dest` (through a temporary sibling directory, so a
/// concurrent or interrupted build never leaves a half-written cache).
fn compile(src: &Path, dest: &Path) -> Result<(), String> {
    let parent = dest.parent().ok_or("cache path has no parent")?;
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create cache dir {}: {e}", parent.display()))?;
    let tmp = parent.join(format!("{CACHE_NAME}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    DictionaryBuilder::new(ipadic_metadata())
        .build_dictionary(src, &tmp)
        .map_err(|e| format!("compiling IPADIC from {} failed: {e}", src.display()))?;
    write_common_words(src, &tmp)?;
    write_person_names(src, &tmp)?;
    write_native_katakana(src, &tmp)?;
    write_named_common(src, &tmp)?;
    write_verbal_nouns(src, &tmp)?;
    classes::write_word_classes(src, &tmp)?;
    cache::seal(&tmp)?;
    match std::fs::rename(&tmp, dest) {
        Ok(()) => Ok(()),
        Err(_) if cache::check(dest, &[]).is_ok() => {
            // Another process won the race; use its copy.
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(())
        }
        Err(e) => Err(format!(
            "cannot move compiled dictionary to {}: {e}",
            dest.display()
        )),
    }
}

const PROPER_FILES: [&str; 4] = [
    "Noun.proper.csv",
    "Noun.name.csv",
    "Noun.org.csv",
    "Noun.place.csv",
];
const COMMON_FILE: &str = "tazan-common-words.txt";
const PROPER_FILE: &str = "tazan-proper-kanji.txt";
const PERSON_FILE: &str = "tazan-person-names.txt";
const NAME_FILE: &str = "Noun.name.csv";
const NATIVE_FILE: &str = "tazan-native-katakana.txt";
const NAMED_FILE: &str = "tazan-named-common.txt";
const VERBAL_FILE: &str = "tazan-verbal-nouns.txt";

/// IPADIC's cost at or above which a common noun is a rare one (北辰 5708,
/// 晴嵐 5622; 現場 2333, 行政 581).
const RARE_COST: i32 = 5000;

/// Calls `each` with the file name and every line of each `.csv` source
/// whose name `want` accepts (decoded from EUC-JP).
fn csv_lines(
    src: &Path,
    want: impl Fn(&str) -> bool,
    mut each: impl FnMut(&str, &str),
) -> Result<(), String> {
    let entries =
        std::fs::read_dir(src).map_err(|e| format!("cannot list {}: {e}", src.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.ends_with(".csv") || !want(&name) {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| format!("cannot read {name}: {e}"))?;
        let (text, _, _) = encoding_rs::EUC_JP.decode(&bytes);
        text.lines().for_each(|line| each(&name, line));
    }
    Ok(())
}

/// Writes `words`, one a line, as `dest/file` through a temporary file, so
/// a reader never sees half of it; `what` names the list in errors.
fn write_words<'a>(
    dest: &Path,
    file: &str,
    what: &str,
    words: impl Iterator<Item = &'a str>,
) -> Result<(), String> {
    let out: String = words.flat_map(|w| [w, "\n"]).collect();
    let tmp = dest.join(format!("{file}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, out).map_err(|e| format!("cannot write {what} list: {e}"))?;
    std::fs::rename(&tmp, dest.join(file))
        .map_err(|e| format!("cannot move {what} list into place: {e}"))
}

/// Writes the kanji words of two to four characters that IPADIC lists both
/// as proper nouns (人名, 組織, 地域, 一般) and only as rare plain nouns
/// (名詞,一般 at a cost of `RARE_COST` or more): literary words (北辰, 東雲,
/// 晴嵐) that companies take as names. A frequent word (現場, 学校) or a
/// verbal noun (開発, 営業) is a thing or an act first. Through a temporary
/// file.
fn write_named_common(src: &Path, dest: &Path) -> Result<(), String> {
    let (mut proper, mut plain, mut other) = (
        std::collections::BTreeSet::new(),
        std::collections::HashSet::new(),
        std::collections::HashSet::new(),
    );
    csv_lines(
        src,
        |_| true,
        |name, line| {
            let f: Vec<&str> = line.split(',').collect();
            let surface = f[0];
            if f.len() < 6
                || !(2..=4).contains(&surface.chars().count())
                || !surface.chars().all(is_han)
            {
                return;
            }
            if PROPER_FILES.contains(&name) {
                proper.insert(surface.to_string());
            } else if f[4] == "名詞"
                && f[5] == "一般"
                && f[3].parse::<i32>().is_ok_and(|c| c >= RARE_COST)
            {
                plain.insert(surface.to_string());
            } else {
                other.insert(surface.to_string());
            }
        },
    )?;
    write_words(
        dest,
        NAMED_FILE,
        "named-common",
        proper
            .iter()
            .filter(|w| plain.contains(w.as_str()) && !other.contains(w.as_str()))
            .map(String::as_str),
    )
}

/// Writes the kanji words of two or more characters that name an act: IPADIC's
/// verbal nouns (名詞,サ変接続: 連絡, 復旧, 起動) and the nouns that are a
/// verb's continuative form written without its okurigana (切替 of 切替える,
/// 引継 of 引き継ぐ: a 名詞,一般 entry with the reading and the kanji of a
/// 動詞 連用形 entry). Through a temporary file.
fn write_verbal_nouns(src: &Path, dest: &Path) -> Result<(), String> {
    let kanji_only = |s: &str| s.chars().count() >= 2 && s.chars().all(is_han);
    let mut verbal = std::collections::BTreeSet::new();
    let mut nouns: Vec<(String, String)> = Vec::new();
    let mut continuative = std::collections::HashSet::new();
    csv_lines(
        src,
        |name| name.starts_with("Noun") || name.starts_with("Verb"),
        |_, line| {
            let f: Vec<&str> = line.split(',').collect();
            if f.len() < 12 {
                return;
            }
            match (f[4], f[5]) {
                ("名詞", "サ変接続") if kanji_only(f[0]) => {
                    verbal.insert(f[0].to_string());
                }
                ("名詞", "一般") if kanji_only(f[0]) => {
                    nouns.push((f[0].to_string(), f[11].to_string()));
                }
                ("動詞", _) if f[9] == "連用形" => {
                    let kanji: String = f[0].chars().filter(|c| is_han(*c)).collect();
                    if kanji.chars().count() >= 2 {
                        continuative.insert((kanji, f[11].to_string()));
                    }
                }
                _ => {}
            }
        },
    )?;
    for pair in nouns {
        if continuative.contains(&pair) {
            verbal.insert(pair.0);
        }
    }
    write_words(
        dest,
        VERBAL_FILE,
        "verbal-noun",
        verbal.iter().map(String::as_str),
    )
}

/// Writes the katakana nouns of two or more characters whose reading is also
/// the reading of a noun written with kanji (スミレ and 菫, ツグミ and 鶫):
/// native words, plants and animals, that companies take as names. Loanwords
/// (コンテナ, オフィス, データ) have no such twin. Through a temporary file.
fn write_native_katakana(src: &Path, dest: &Path) -> Result<(), String> {
    let is_kata = |c: char| ('ァ'..='ヺ').contains(&c) || c == 'ー';
    let (mut katakana, mut kanji_readings) = (
        std::collections::BTreeSet::new(),
        std::collections::HashSet::new(),
    );
    csv_lines(
        src,
        |name| name.starts_with("Noun"),
        |_, line| {
            let f: Vec<&str> = line.split(',').collect();
            if f.len() < 12 || f[4] != "名詞" {
                return;
            }
            if f[5] != "固有名詞" && f[0].chars().count() >= 2 && f[0].chars().all(is_kata) {
                katakana.insert(f[0].to_string());
            } else if f[0].chars().any(is_han) {
                kanji_readings.insert(f[11].to_string());
            }
        },
    )?;
    write_words(
        dest,
        NATIVE_FILE,
        "native-katakana",
        katakana
            .iter()
            .filter(|w| kanji_readings.contains(w.as_str()))
            .map(String::as_str),
    )
}

/// Writes IPADIC's person names as `surface<TAB>姓|名` lines (through a
/// temporary file, so a reader never sees half of it).
fn write_person_names(src: &Path, dest: &Path) -> Result<(), String> {
    let bytes =
        std::fs::read(src.join(NAME_FILE)).map_err(|e| format!("cannot read {NAME_FILE}: {e}"))?;
    let (text, _, _) = encoding_rs::EUC_JP.decode(&bytes);
    let mut names = std::collections::BTreeSet::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() > 7 && f[6] == "人名" && matches!(f[7], "姓" | "名") {
            names.insert(format!("{}\t{}", f[0], f[7]));
        }
    }
    write_words(
        dest,
        PERSON_FILE,
        "person-name",
        names.iter().map(String::as_str),
    )
}

/// Reads the person-name list: (family names, given names). Empty when absent.
fn read_person_names(dest: &Path) -> (WordSet, WordSet) {
    let (mut sei, mut mei) = (String::new(), String::new());
    if let Ok(text) = std::fs::read_to_string(dest.join(PERSON_FILE)) {
        for line in text.lines() {
            let list = match line.split_once('\t') {
                Some((s, "姓")) => Some((&mut sei, s)),
                Some((s, "名")) => Some((&mut mei, s)),
                _ => None,
            };
            if let Some((list, s)) = list {
                list.push_str(s);
                list.push('\n');
            }
        }
    }
    (WordSet::new(sei), WordSet::new(mei))
}

/// Writes the surfaces of every non-proper-noun entry (UTF-8, one per line).
fn write_common_words(src: &Path, dest: &Path) -> Result<(), String> {
    let mut words = std::collections::BTreeSet::new();
    csv_lines(
        src,
        |name| !PROPER_FILES.contains(&name),
        |_, line| {
            if let Some(surface) = line.split(',').next() {
                if surface.chars().count() >= 2 {
                    words.insert(surface.to_string());
                }
            }
        },
    )?;
    write_words(
        dest,
        COMMON_FILE,
        "common-word",
        words.iter().map(String::as_str),
    )?;
    let mut proper = std::collections::BTreeSet::new();
    for name in PROPER_FILES {
        let bytes =
            std::fs::read(src.join(name)).map_err(|e| format!("cannot read {name}: {e}"))?;
        let (text, _, _) = encoding_rs::EUC_JP.decode(&bytes);
        for line in text.lines() {
            let mut f = line.split(',');
            let surface = f.next().unwrap_or("");
            let tag = f.nth(5).unwrap_or("");
            if matches!(tag, "人名" | "組織" | "地域")
                && surface.chars().count() >= 2
                && surface.chars().all(is_han)
                && !words.contains(surface)
            {
                proper.insert(surface.to_string());
            }
        }
    }
    write_words(
        dest,
        PROPER_FILE,
        "proper-noun",
        proper.iter().map(String::as_str),
    )
}

/// Where the one-time compile announces itself (see [`set_compile_notice`]).
static NOTICE: OnceLock<fn(&str)> = OnceLock::new();

/// Have `show` called with a line when the dictionary starts compiling (the
/// first use on a machine pauses for a few seconds) and when it is done. The
/// binary prints these on stderr; a library caller may log them instead.
/// Only the first call sets it.
pub fn set_compile_notice(show: fn(&str)) {
    let _ = NOTICE.set(show);
}

fn notice(line: &str) {
    match NOTICE.get() {
        Some(show) => show(line),
        None => tracing::info!("{line}"),
    }
}

/// What one process loads once and shares between sanitizers.
struct Loaded {
    segmenter: Arc<Segmenter>,
    common: Arc<WordSet>,
    proper: Arc<WordSet>,
    surnames: Arc<WordSet>,
    given: Arc<WordSet>,
    native: Arc<WordSet>,
    named: Arc<WordSet>,
    verbal: WordSet,
    path: PathBuf,
}

fn load_segmenter() -> Result<Loaded, String> {
    load_at(cache_dir(), &source_dir())
}

/// Loads the compiled dictionary in `dest`, (re)building it from `src` first
/// unless its manifest vouches for it.
fn load_at(dest: PathBuf, src: &Path) -> Result<Loaded, String> {
    if let Err(why) = cache::check(
        &dest,
        &[
            "metadata.json",
            COMMON_FILE,
            PROPER_FILE,
            PERSON_FILE,
            classes::CLASSES_FILE,
        ],
    ) {
        // Missing, damaged or from another build of this crate: rebuild from the sources.
        if dest.exists() {
            notice(&format!(
                "compiled dictionary {} not used: {why}; rebuilding it",
                dest.display()
            ));
        }
        let _ = std::fs::remove_dir_all(&dest);
        if !src.join("matrix.def").exists() {
            return Err(format!(
                "IPADIC sources not found in {} (set TAZAN_IPADIC_DIR, or run scripts/setup-ipadic.sh / `apt-get install mecab-ipadic`)",
                src.display()
            ));
        }
        notice(&format!(
            "compiling the Japanese dictionary (IPADIC) from {} into {} — first use on this machine, a few seconds",
            src.display(),
            dest.display()
        ));
        let started = std::time::Instant::now();
        compile(src, &dest)?;
        notice(&format!(
            "dictionary compiled in {:.1} s; later runs load it from the cache",
            started.elapsed().as_secs_f64()
        ));
    }
    let dict = load_fs_dictionary(&dest).map_err(|e| {
        format!(
            "cannot load compiled dictionary {}: {e}; delete it to rebuild",
            dest.display()
        )
    })?;
    let common = std::fs::read_to_string(dest.join(COMMON_FILE)).map_err(|e| {
        format!(
            "compiled dictionary {} has no common-word list ({e}); delete it to rebuild",
            dest.display()
        )
    })?;
    let common = WordSet::new(common);
    let proper = std::fs::read_to_string(dest.join(PROPER_FILE)).map_err(|e| {
        format!(
            "compiled dictionary {} has no proper-noun list ({e}); delete it to rebuild",
            dest.display()
        )
    })?;
    let proper = WordSet::with_prefixes(proper);
    if !dest.join(PERSON_FILE).exists() {
        // A cache compiled by an older build: add the list beside it (other
        // processes may be reading the cache, so it is not rebuilt). Without
        // the sources the person contexts fall back to the built-in surnames.
        if let Err(e) = write_person_names(&source_dir(), &dest) {
            tracing::warn!(reason = %e, "IPADIC person-name list unavailable");
        }
    }
    let (surnames, given) = read_person_names(&dest);
    if !dest.join(NATIVE_FILE).exists() {
        // Added beside an older cache, like the person-name list.
        if let Err(e) = write_native_katakana(&source_dir(), &dest) {
            tracing::warn!(reason = %e, "IPADIC native-katakana list unavailable");
        }
    }
    let native = WordSet::new(std::fs::read_to_string(dest.join(NATIVE_FILE)).unwrap_or_default());
    if !dest.join(NAMED_FILE).exists() {
        // Added beside an older cache, like the person-name list.
        if let Err(e) = write_named_common(&source_dir(), &dest) {
            tracing::warn!(reason = %e, "IPADIC named-common list unavailable");
        }
    }
    let named = WordSet::new(std::fs::read_to_string(dest.join(NAMED_FILE)).unwrap_or_default());
    if !dest.join(VERBAL_FILE).exists() {
        // Added beside an older cache, like the person-name list.
        if let Err(e) = write_verbal_nouns(&source_dir(), &dest) {
            tracing::warn!(reason = %e, "IPADIC verbal-noun list unavailable");
        }
    }
    let verbal = WordSet::new(std::fs::read_to_string(dest.join(VERBAL_FILE)).unwrap_or_default());
    Ok(Loaded {
        segmenter: Arc::new(Segmenter::new(Mode::Normal, dict, None)),
        common: Arc::new(common),
        proper: Arc::new(proper),
        surnames: Arc::new(surnames),
        given: Arc::new(given),
        native: Arc::new(native),
        named: Arc::new(named),
        verbal,
        path: dest,
    })
}

/// The dictionary of the process, loaded once.
static CELL: OnceLock<Result<Loaded, String>> = OnceLock::new();

/// IPADIC's words that name an act (see `write_verbal_nouns`), once the
/// dictionary is loaded: kept beside [`Lexis`] rather than in it, so that the
/// word lists a caller builds by hand need not change.
pub(crate) fn verbal_nouns() -> Option<&'static WordSet> {
    CELL.get()?.as_ref().ok().map(|l| &l.verbal)
}

/// IPADIC's part of speech and cost per word and its name-character counts
/// (see [`WordClasses`]), once the dictionary is loaded: read on the
/// scorer's first use, kept beside [`Lexis`] like [`verbal_nouns`].
pub(crate) fn word_classes() -> Option<&'static WordClasses> {
    let l = CELL.get()?.as_ref().ok()?;
    classes::load(&l.path)
}

/// Loads (compiling on first use) the IPADIC dictionary, once per process.
pub(crate) fn load() -> (Option<DictRecognizer>, DictionaryStatus) {
    match CELL.get_or_init(load_segmenter) {
        Ok(l) => (
            Some(DictRecognizer {
                segmenter: Arc::clone(&l.segmenter),
                common: Arc::clone(&l.common),
                proper: Arc::clone(&l.proper),
                surnames: Arc::clone(&l.surnames),
                given: Arc::clone(&l.given),
                native: Arc::clone(&l.native),
                named: Arc::clone(&l.named),
                cache: Mutex::new(HashMap::new()),
            }),
            DictionaryStatus::Loaded {
                path: l.path.display().to_string(),
            },
        ),
        Err(reason) => (
            None,
            DictionaryStatus::Off {
                reason: reason.clone(),
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_cache_is_rebuilt_not_trusted() {
        let src = source_dir();
        if !src.join("matrix.def").exists() {
            // Without the sources there is nothing to compile (the test above
            // checks the dictionary then says why it is off).
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join(CACHE_NAME);
        load_at(dest.clone(), &src).expect("first build");
        let vals = dest.join("dict.vals");
        let good = std::fs::read(&vals).expect("dict.vals");
        // One byte of a headerless array flipped: it would load as garbage.
        let mut bad = good.clone();
        bad[good.len() / 2] ^= 0x55;
        std::fs::write(&vals, &bad).expect("corrupt");
        let seg = load_at(dest.clone(), &src).expect("rebuilt").segmenter;
        assert!(
            std::fs::read(&vals).expect("dict.vals") == good,
            "not rebuilt"
        );
        cache::check(&dest, &[]).expect("sealed again");
        let tokens = seg.segment(Cow::Borrowed("成田市")).expect("segment");
        let joined: String = tokens.iter().map(|t| t.surface.as_ref()).collect();
        assert_eq!(joined, "成田市");
    }

    #[test]
    fn dictionary_tags_proper_nouns_when_available() {
        let (d, status) = load();
        println!("{status}");
        let Some(d) = d else {
            // Without the sources the status must say why (never silently off).
            assert!(
                matches!(status, DictionaryStatus::Off { ref reason } if reason.contains("IPADIC"))
            );
            return;
        };
        let r = Recognizers::new();
        let s = "鹿島線の遅延で成田市と田中さん";
        let n = Normalized::new(s);
        let mut out = Vec::new();
        d.scan(&n, &r, &mut out);
        let found: Vec<(&str, Kind)> = out.iter().map(|h| (&s[h.range.clone()], h.kind)).collect();
        println!("{found:?}");
        assert!(found.iter().any(|(_, k)| *k == Kind::Place), "{found:?}");
    }
}
