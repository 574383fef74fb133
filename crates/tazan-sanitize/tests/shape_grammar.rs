//! Shape classes measured by grammar (issue #10, item 2): for each class of
//! identifying shape (phones, e-mail, hosts, ids, accounts, cards, individual
//! numbers, plates, dates, counters) a small grammar of the notations a
//! Japanese company writes, crossed with labels, separators, digit widths and
//! sentence contexts, sampled with a fixed seed. Every value is invented by
//! the generator. The test prints recall per class and notation, asserts a
//! floor per class, and asserts that a negative grammar of ordinary technical
//! text (versions, status codes, ports, durations, percentages, public
//! codes such as CVE and KB numbers) stays. Before the eighth round the suite
//! measured phone 90.8 %, email 59.3 %, host 91.2 %, labelled id 65.2 %,
//! account 89.0 %, card 91.3 %, individual number 80.0 %, date 90.3 %, and
//! 30 of 300 negatives masked (BENCHMARKS.md, "Eighth round").
//!
//! `cargo nextest run -p tazan-sanitize --test shape_grammar --no-capture`
//! prints the table.

// Test harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use tazan_sanitize::{DisclosureLevel, Policy, Sanitizer};

fn green() -> &'static Sanitizer {
    static S: OnceLock<Sanitizer> = OnceLock::new();
    S.get_or_init(|| Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap())
}

/// A fixed-seed generator (xorshift64*): the same samples on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// `n` digits, the first not 0 (a value, never a run of one digit).
    fn digits(&mut self, n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            let lo = u8::from(i == 0);
            let d = lo + u8::try_from(self.below(usize::from(10 - lo))).unwrap();
            s.push(char::from(b'0' + d));
        }
        s
    }

    fn letters(&mut self, n: usize, alphabet: &str) -> String {
        let a: Vec<char> = alphabet.chars().collect();
        (0..n).map(|_| *self.pick(&a)).collect()
    }

    /// An invented romanised word (kisaro, tomune): a name, not vocabulary.
    fn word(&mut self, syllables: usize) -> String {
        const S: [&str; 24] = [
            "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "to", "ta", "na", "ni", "no", "ha",
            "hi", "mo", "ma", "ra", "ri", "ro", "ya", "yu", "wa", "ne",
        ];
        (0..syllables).map(|_| *self.pick(&S)).collect()
    }
}

/// Full-width form of the ASCII characters of `s` (digits, letters, marks).
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(u32::from(c) - 0x21 + 0xFF01).unwrap(),
            ' ' => '\u{3000}',
            c => c,
        })
        .collect()
}

/// One generated sample: the text, the parts that must not survive, and the
/// notation it is counted under.
struct Sample {
    text: String,
    secrets: Vec<String>,
    notation: String,
}

/// True when no secret (as written or half-width) survives in `out`.
fn masked(out: &str, secrets: &[String]) -> bool {
    let half = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFF01 + 0x21).unwrap(),
                c => c,
            })
            .collect()
    };
    let out_half = half(out);
    secrets
        .iter()
        .all(|s| !out.contains(s.as_str()) && !out_half.contains(&half(s)))
}

/// Sentence frames: start, middle, end of a sentence, glued to kanji, in
/// brackets, in a table cell and in a CSV line.
const CONTEXTS: [&str; 8] = [
    "{}までご連絡ください。",
    "詳細は{}へお願いします。",
    "窓口を変更した。新しい連絡先は{}",
    "本社{}受付",
    "（{}）",
    "| 営業部 | {} | 平日のみ |",
    "営業部,{},平日のみ",
    "【{}】",
];

fn framed(rng: &mut Rng, body: &str) -> String {
    rng.pick(&CONTEXTS).replace("{}", body)
}

/// `body` in half or full width, in a sentence frame, counted under
/// `notation` (with 全角 when full-width).
fn framed_sample(rng: &mut Rng, body: &str, secrets: Vec<String>, notation: &str) -> Sample {
    let (body, w) = width(rng, body);
    Sample {
        text: framed(rng, &body),
        secrets,
        notation: format!("{notation}{}", if w.is_empty() { "" } else { " 全角" }),
    }
}

fn width(rng: &mut Rng, s: &str) -> (String, &'static str) {
    if rng.below(4) == 0 {
        (full_width(s), "全角")
    } else {
        (s.to_string(), "")
    }
}

const DASHES: [&str; 9] = ["-", "‐", "‑", "–", "—", "−", "ー", "－", "―"];

fn phones(rng: &mut Rng) -> Vec<Sample> {
    const PREFIXES: [&str; 12] = [
        "",
        "TEL",
        "Tel.",
        "電話",
        "☎",
        "携帯",
        "FAX",
        "代表",
        "直通",
        "電話番号",
        "TEL/FAX",
        "連絡先",
    ];
    const SEPS: [&str; 4] = ["：", ":", " ", ""];
    let mut out = Vec::new();
    for _ in 0..600 {
        let form = rng.below(13);
        let dash = *rng.pick(&DASHES);
        let (area, mid, last) = match rng.below(6) {
            0 => (format!("0{}", rng.digits(1)), rng.digits(4), rng.digits(4)),
            1 => (format!("0{}", rng.digits(2)), rng.digits(3), rng.digits(4)),
            2 => (format!("0{}", rng.digits(3)), rng.digits(2), rng.digits(4)),
            3 => (
                format!("0{}0", rng.pick(&["7", "8", "9"])),
                rng.digits(4),
                rng.digits(4),
            ),
            4 => (
                rng.pick(&["0120", "0570"]).to_string(),
                rng.digits(3),
                rng.digits(3),
            ),
            _ => ("050".to_string(), rng.digits(4), rng.digits(4)),
        };
        let intl = area.trim_start_matches('0').to_string();
        let (body, notation) = match form {
            0 => (format!("{area}-{mid}-{last}"), "hyphen"),
            1 => (format!("{area}{dash}{mid}{dash}{last}"), "unicode dash"),
            2 => (format!("{area} {mid} {last}"), "spaces"),
            3 => (format!("{area}.{mid}.{last}"), "dots"),
            4 => (format!("{area}{mid}{last}"), "no separator"),
            5 => (format!("({area}){mid}-{last}"), "(area)"),
            6 => (format!("{area}({mid}){last}"), "area(mid)"),
            7 => (format!("+81-{intl}-{mid}-{last}"), "+81 hyphen"),
            8 => (format!("+81 (0){intl} {mid} {last}"), "+81 (0)"),
            9 => (format!("+81{intl}{mid}{last}"), "+81 no separator"),
            10 => (format!("+81 {intl} {mid} {last}"), "+81 spaces"),
            11 => (
                format!("{area}-{mid}-{last}（内線{}）", rng.digits(3)),
                "with extension",
            ),
            _ => (format!("{area} - {mid} - {last}"), "spaced hyphens"),
        };
        let (body, w) = width(rng, &body);
        let label = format!("{}{}", rng.pick(&PREFIXES), rng.pick(&SEPS));
        let label = if label.trim().is_empty() {
            String::new()
        } else {
            label
        };
        out.push(Sample {
            text: framed(rng, &format!("{label}{body}")),
            secrets: vec![format!("{mid}{last}"), mid.clone(), last.clone()]
                .into_iter()
                .filter(|s| s.len() >= 3)
                .collect(),
            notation: format!("{notation}{}", if w.is_empty() { "" } else { " 全角" }),
        });
    }
    // The digits in a group stand apart from the text: only the groups count.
    for s in &mut out {
        s.secrets.retain(|x| x.len() >= 3);
    }
    out
}

fn emails(rng: &mut Rng) -> Vec<Sample> {
    const ATS: [(&str, &str); 7] = [
        ("@", "@"),
        ("＠", "full-width ＠"),
        ("(at)", "(at)"),
        ("[at]", "[at]"),
        (" at ", "spaced at"),
        (" @ ", "spaced @"),
        ("（アットマーク）", "(アットマーク)"),
    ];
    const PREFIXES: [&str; 6] = ["", "メール：", "E-mail: ", "Mail:", "mail ", "連絡先 "];
    let mut out = Vec::new();
    for _ in 0..300 {
        let local = match rng.below(4) {
            0 => format!("{}.{}", rng.word(2), rng.word(3)),
            1 => format!("{}+{}", rng.word(2), rng.word(2)),
            2 => format!("{}_{}{}", rng.word(1), rng.word(2), rng.digits(2)),
            _ => rng.word(3),
        };
        let domain = format!(
            "{}{}",
            rng.word(3),
            rng.pick(&[".co.jp", ".jp", ".com", ".ne.jp", ".or.jp", "-net.jp"])
        );
        let (at, notation) = *rng.pick(&ATS);
        let body = format!("{local}{at}{domain}");
        let (body, w) = width(rng, &body);
        out.push(Sample {
            text: {
                let label = *rng.pick(&PREFIXES);
                framed(rng, &format!("{label}{body}"))
            },
            secrets: vec![local, domain.split('.').next().unwrap().to_string()],
            notation: format!("{notation}{}", if w.is_empty() { "" } else { " 全角" }),
        });
    }
    out
}

fn hosts(rng: &mut Rng) -> Vec<Sample> {
    let mut out = Vec::new();
    for _ in 0..400 {
        let a = rng.below(200) + 11;
        let b = rng.below(200) + 16;
        let c = rng.below(200) + 21;
        let d = rng.below(200) + 31;
        let ip = format!("{a}.{b}.{c}.{d}");
        let h1 = format!("{:x}", rng.below(0xf000) + 0x1000);
        let h2 = format!("{:x}", rng.below(0xf000) + 0x1000);
        let mac: Vec<String> = (0..6)
            .map(|_| format!("{:02x}", rng.below(200) + 40))
            .collect();
        let word = rng.word(3);
        let (body, secrets, notation): (String, Vec<String>, &str) = match rng.below(16) {
            0 => (ip.clone(), vec![ip], "IPv4"),
            1 => (format!("{ip}:{}", rng.digits(4)), vec![ip], "IPv4:port"),
            2 => (
                format!("{a}.{b}.{c}.0/{}", rng.below(9) + 16),
                vec![format!("{a}.{b}.{c}")],
                "IPv4 CIDR",
            ),
            3 => (
                format!("2001:db8:{h1}::{h2}"),
                vec![h1, h2],
                "IPv6 compressed",
            ),
            4 => (
                format!("fe80::{h1}:{h2}%eth0"),
                vec![h1, h2],
                "IPv6 link-local",
            ),
            5 => (
                format!("[2001:db8::{h1}]:{}", rng.digits(4)),
                vec![h1],
                "IPv6 [ ]:port",
            ),
            6 => (
                format!("2001:db8:{h1}:{h2}::/64"),
                vec![h1, h2],
                "IPv6 CIDR",
            ),
            7 => (
                format!("2001:0db8:{h1}:0000:0000:{h2}:0042:0001"),
                vec![h1, h2],
                "IPv6 full",
            ),
            8 => (mac.join(":"), vec![mac.join(":")], "MAC colon"),
            9 => (
                mac.join("-").to_uppercase(),
                vec![mac.join("-").to_uppercase()],
                "MAC hyphen",
            ),
            10 => {
                let m = format!(
                    "{}{}.{}{}.{}{}",
                    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]
                );
                (m.clone(), vec![m], "MAC dot")
            }
            11 => {
                let m = mac.concat().to_uppercase();
                (format!("MAC {m}"), vec![m], "MAC no separator")
            }
            12 => {
                let h = format!(
                    "{word}-{}{}.{}.local",
                    rng.pick(&["web", "db", "app"]),
                    rng.digits(2),
                    rng.word(2)
                );
                (h.clone(), vec![word], "FQDN .local")
            }
            13 => {
                let h = format!("mail.{word}.co.jp");
                (h.clone(), vec![word], "FQDN co.jp")
            }
            14 => {
                let h = format!(
                    "https://{word}.example-{}.jp/login?id={}",
                    rng.word(2),
                    rng.digits(5)
                );
                (h.clone(), vec![word], "URL")
            }
            _ => {
                let h = format!("{word}-{}.{}.corp", rng.digits(2), rng.word(2));
                (h.clone(), vec![word], "FQDN .corp")
            }
        };
        let (body, w) = width(rng, &body);
        out.push(Sample {
            text: {
                let label = *rng.pick(&["", "接続先 ", "ホスト：", "IP:", "対象機器 "]);
                framed(rng, &format!("{label}{body}"))
            },
            secrets,
            notation: format!("{notation}{}", if w.is_empty() { "" } else { " 全角" }),
        });
    }
    out
}

fn labelled_ids(rng: &mut Rng) -> Vec<Sample> {
    const LABELS: [&str; 24] = [
        "問合せ番号",
        "お問い合わせ番号",
        "受付番号",
        "受付No",
        "受付No.",
        "契約番号",
        "顧客番号",
        "お客様番号",
        "注文番号",
        "会員番号",
        "会員No.",
        "患者番号",
        "診察券番号",
        "学籍番号",
        "管理番号",
        "伝票番号",
        "チケット番号",
        "No.",
        "＃",
        "ID",
        "シリアル番号",
        "S/N",
        "製造番号",
        "案件番号",
    ];
    const SEPS: [&str; 6] = ["：", ":", " ", "", "は", "＝"];
    let mut out = Vec::new();
    for _ in 0..500 {
        let value = match rng.below(6) {
            0 => rng.digits(7),
            1 => format!(
                "{}-{}",
                rng.letters(1, "ABCDEFGHJKMNPRSTUVWXYZ"),
                rng.digits(6)
            ),
            2 => format!(
                "{}{}-{}",
                rng.letters(2, "ABCDEFGHJKMNPRSTUVWXYZ"),
                rng.digits(2),
                rng.digits(4)
            ),
            3 => format!("{}-{}", rng.digits(4), rng.digits(6)),
            4 => rng.digits(10),
            _ => format!(
                "{}{}",
                rng.letters(3, "ABCDEFGHJKMNPRSTUVWXYZ"),
                rng.digits(6)
            ),
        };
        let label = *rng.pick(&LABELS);
        let (v, w) = width(rng, &value);
        let (body, notation) = match rng.below(5) {
            0 => (format!("{label}{}{v}", rng.pick(&SEPS)), "label value"),
            1 => (format!("{label}【{v}】"), "label【value】"),
            2 => (format!("{label}「{v}」"), "label「value」"),
            3 => (format!("{v}（{label}）"), "value（label）"),
            _ => (format!("{label}：{v}の件"), "label value の件"),
        };
        let text = match rng.below(3) {
            0 => format!("{body}について確認しました。"),
            1 => format!("お客様から{body}で問い合わせがあった。"),
            _ => framed(rng, &body),
        };
        out.push(Sample {
            text,
            secrets: value
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|p| p.len() >= 4)
                .map(str::to_string)
                .collect(),
            notation: format!("{notation}{}", if w.is_empty() { "" } else { " 全角" }),
        });
    }
    out
}

fn accounts(rng: &mut Rng) -> Vec<Sample> {
    let mut out = Vec::new();
    for _ in 0..300 {
        let acct = rng.digits(7);
        let branch = rng.digits(3);
        let (body, notation, mut secrets) = match rng.below(9) {
            0 => (format!("普通 {acct}"), "普通 n", vec![acct.clone()]),
            1 => (format!("当座 {acct}"), "当座 n", vec![acct.clone()]),
            2 => (
                format!("口座番号：{acct}"),
                "口座番号：n",
                vec![acct.clone()],
            ),
            3 => (
                format!("支店番号{branch} 普通預金 {acct}"),
                "branch + account",
                vec![acct.clone()],
            ),
            4 => (
                format!("店番 {branch} 口座 {acct}"),
                "店番 + 口座",
                vec![acct.clone()],
            ),
            5 => (format!("（普）{acct}"), "（普）n", vec![acct.clone()]),
            6 => (
                format!("普通預金口座 {acct}"),
                "普通預金口座 n",
                vec![acct.clone()],
            ),
            7 => (
                format!("{branch}-{acct}"),
                "branch-account after label",
                vec![acct.clone()],
            ),
            _ => (format!("口座 {}", &acct), "口座 n", vec![acct.clone()]),
        };
        let body = if notation.starts_with("branch-account") {
            format!("振込先口座 {body}")
        } else {
            body
        };
        let (body, w) = width(rng, &body);
        secrets.retain(|s| s.len() >= 4);
        out.push(Sample {
            text: framed(rng, &format!("返金先は{body}")),
            secrets,
            notation: format!("{notation}{}", if w.is_empty() { "" } else { " 全角" }),
        });
    }
    out
}

fn cards(rng: &mut Rng) -> Vec<Sample> {
    let mut out = Vec::new();
    for _ in 0..300 {
        let g: Vec<String> = (0..4).map(|_| rng.digits(4)).collect();
        let (body, notation, secrets) = match rng.below(9) {
            0 => (g.join("-"), "4-4-4-4 hyphen", g.clone()),
            1 => (g.join(" "), "4-4-4-4 spaced", g.clone()),
            2 => (g.concat(), "16 digits", vec![g.concat()]),
            3 => (
                format!("****-****-****-{}", g[3]),
                "masked ****",
                vec![g[3].clone()],
            ),
            4 => (
                format!("XXXX-XXXX-XXXX-{}", g[3]),
                "masked XXXX",
                vec![g[3].clone()],
            ),
            5 => (
                format!("**** **** **** {}", g[3]),
                "masked spaced",
                vec![g[3].clone()],
            ),
            6 => (format!("下4桁{}", g[3]), "下4桁", vec![g[3].clone()]),
            7 => (
                format!("{}-{}{}-{}{}", g[0], g[1], &g[2][..2], &g[3], &g[2][2..3]),
                "4-6-5",
                vec![g[0].clone(), format!("{}{}", g[1], &g[2][..2])],
            ),
            _ => (
                format!("{}-{}{}-{}", g[0], g[1], &g[2][..2], &g[3]),
                "4-6-4",
                vec![g[0].clone(), format!("{}{}", g[1], &g[2][..2])],
            ),
        };
        let (body, w) = width(rng, &body);
        out.push(Sample {
            text: {
                let label = *rng.pick(&["カード番号：", "クレジットカード ", "カード", ""]);
                framed(rng, &format!("{label}{body}"))
            },
            secrets,
            notation: format!("{notation}{}", if w.is_empty() { "" } else { " 全角" }),
        });
    }
    out
}

/// A 12-digit individual number with a valid check digit.
fn my_number(rng: &mut Rng) -> String {
    let body: Vec<u32> = rng
        .digits(11)
        .chars()
        .map(|c| c.to_digit(10).unwrap())
        .collect();
    let sum: u32 = (1..=11)
        .map(|n| {
            let p = body[11 - n];
            let q = if n <= 6 { n + 1 } else { n - 5 };
            p * u32::try_from(q).unwrap()
        })
        .sum();
    let r = sum % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    body.iter()
        .chain(std::iter::once(&check))
        .map(|d| char::from_digit(*d, 10).unwrap())
        .collect()
}

fn individual_numbers(rng: &mut Rng) -> Vec<Sample> {
    let mut out = Vec::new();
    for _ in 0..200 {
        let n = my_number(rng);
        let (a, b, c) = (&n[..4], &n[4..8], &n[8..]);
        let (body, notation) = match rng.below(6) {
            0 => (format!("{a} {b} {c}"), "4 4 4"),
            1 => (n.clone(), "12 digits"),
            2 => (format!("{a}-{b}-{c}"), "4-4-4"),
            3 => (format!("個人番号：{a} {b} {c}"), "個人番号 label"),
            4 => (format!("マイナンバー{n}"), "マイナンバー label"),
            _ => (format!("個人番号 {a}-{b}-{c}"), "個人番号 4-4-4"),
        };
        let (body, w) = width(rng, &body);
        out.push(Sample {
            text: framed(rng, &body),
            secrets: vec![a.to_string(), b.to_string(), c.to_string()],
            notation: format!("{notation}{}", if w.is_empty() { "" } else { " 全角" }),
        });
    }
    out
}

fn plates_and_employees(rng: &mut Rng) -> Vec<Sample> {
    const KANA: [&str; 6] = ["さ", "ね", "あ", "わ", "れ", "も"];
    let mut out = Vec::new();
    for _ in 0..200 {
        let (body, notation, secrets) = match rng.below(7) {
            0 => {
                let (n, k, a, b) = (
                    rng.digits(3),
                    *rng.pick(&KANA),
                    rng.digits(2),
                    rng.digits(2),
                );
                (
                    format!("品川{n}{k}{a}-{b}"),
                    "plate glued",
                    vec![format!("{a}-{b}")],
                )
            }
            1 => {
                let (n, k, a, b) = (
                    rng.digits(3),
                    *rng.pick(&KANA),
                    rng.digits(2),
                    rng.digits(2),
                );
                (
                    format!("練馬 {n} {k} {a}-{b}"),
                    "plate spaced",
                    vec![format!("{a}-{b}")],
                )
            }
            2 => {
                let (n, k, a) = (rng.digits(3), *rng.pick(&KANA), rng.below(9) + 1);
                (
                    format!("足立{n}{k}・・・{a}"),
                    "plate dots",
                    vec![format!("{n}{k}")],
                )
            }
            3 => {
                let v = rng.digits(6);
                (format!("社員番号：{v}"), "社員番号", vec![v])
            }
            4 => {
                let v = format!("{}{}", rng.letters(1, "ABCEKST"), rng.digits(5));
                (format!("社員ID {v}"), "社員ID", vec![v])
            }
            5 => {
                let v = rng.digits(5);
                (format!("従業員No.{v}"), "従業員No.", vec![v])
            }
            _ => {
                let v = rng.digits(6);
                (format!("職員コード：{v}"), "職員コード", vec![v])
            }
        };
        out.push(framed_sample(rng, &body, secrets, notation));
    }
    out
}

fn dates(rng: &mut Rng) -> Vec<Sample> {
    const WEEK: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    let mut out = Vec::new();
    for _ in 0..300 {
        let y = rng.below(5) + 2;
        let m = rng.below(12) + 1;
        let d = rng.below(18) + 10;
        let wd = *rng.pick(&WEEK);
        let (body, notation) = match rng.below(11) {
            0 => (format!("R{y}.{m}.{d}（{wd}）"), "R5.7.21（金）"),
            1 => (format!("令{y}/{m}/{d}"), "令5/7/21"),
            2 => (format!("H{}.{m}.{d}", y + 20), "H25.7.21"),
            3 => (format!("{m}/{d}({wd})"), "5/21(日)"),
            4 => (
                format!("{m}/{d}（{wd}）{}:{:02}", rng.below(12) + 8, rng.below(60)),
                "5/21（日）9:30",
            ),
            5 => (
                format!("令和{y}年{m}月{d}日（{wd}）"),
                "令和5年7月21日（金）",
            ),
            6 => (format!("{m}月{d}日({wd})"), "7月21日(金)"),
            7 => (format!("20{}年{m}月{d}日", y + 20), "2023年7月21日"),
            8 => (format!("R{y}年{m}月{d}日"), "R5年7月21日"),
            9 => (format!("{}/{m:02}/{d}", 2020 + y), "2023/07/21"),
            _ => (format!("令和{y}年{m}月{d}日{wd}曜日"), "…日金曜日"),
        };
        let (b, w) = width(rng, &body);
        out.push(Sample {
            text: framed(rng, &format!("障害発生は{b}")),
            secrets: vec![body.clone()],
            notation: format!("{notation}{}", if w.is_empty() { "" } else { " 全角" }),
        });
    }
    out
}

fn counters(rng: &mut Rng) -> Vec<Sample> {
    let mut out = Vec::new();
    for _ in 0..200 {
        let n = rng.below(8000) + 1100;
        let comma = format!("{},{:03}", n / 1000, n % 1000);
        let small = rng.below(80) + 12;
        let (body, notation, secret) = match rng.below(6) {
            0 => (format!("約{comma}人"), "約n,nnn人", comma.clone()),
            1 => (format!("延べ{small}台"), "延べnn台", format!("{small}台")),
            2 => (format!("{small}万円"), "nn万円", format!("{small}万円")),
            3 => (format!("計{n}件"), "計nnnn件", n.to_string()),
            4 => (format!("{comma}世帯"), "n,nnn世帯", comma.clone()),
            _ => (format!("約{small}社"), "約nn社", format!("{small}社")),
        };
        let (b, w) = width(rng, &body);
        out.push(Sample {
            text: format!("影響は{b}に及んだ。"),
            secrets: vec![secret],
            notation: format!("{notation}{}", if w.is_empty() { "" } else { " 全角" }),
        });
    }
    out
}

/// Notations added late in the eighth round (own seed, so the earlier
/// classes' samples stay as measured): phones with spaced brackets, defanged
/// hosts and URLs of security reports, e-mail with `(dot)`, an account with
/// its type after it.
fn late_notations(rng: &mut Rng) -> Vec<Sample> {
    let mut out = Vec::new();
    for _ in 0..200 {
        let (w1, w2) = (rng.word(3), rng.word(2));
        let (body, notation, secrets) = match rng.below(6) {
            0 => {
                let (a, b, c) = (format!("0{}", rng.digits(2)), rng.digits(3), rng.digits(4));
                (
                    format!("TEL {a} ({b}) {c}"),
                    "phone 0AA (BBB) CCCC",
                    vec![b, c],
                )
            }
            1 => (
                format!("{w1}[.]{w2}-net[.]jp"),
                "defanged host [.]",
                vec![w1.clone()],
            ),
            2 => (
                format!("hxxps://{w1}[.]{w2}[.]com/{}", rng.word(2)),
                "defanged URL hxxps",
                vec![w1.clone()],
            ),
            3 => (
                format!("{w1}(.){w2}(.)co(.)jp"),
                "defanged host (.)",
                vec![w1.clone()],
            ),
            4 => (
                format!("{w1}(at){w2}(dot)co(dot)jp"),
                "e-mail (at) (dot)",
                vec![w1.clone(), w2.clone()],
            ),
            _ => {
                let n = rng.digits(7);
                (format!("{n}（普通）"), "account n（普通）", vec![n])
            }
        };
        out.push(framed_sample(rng, &body, secrets, notation));
    }
    out
}

/// Ordinary technical text: each token must stay.
fn negatives(rng: &mut Rng) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for _ in 0..300 {
        let (a, b, c) = (rng.below(9) + 1, rng.below(20), rng.below(30));
        let token = match rng.below(22) {
            0 => format!("{a}.{b}.{c}"),
            1 => format!("v{a}.{b}.{c}"),
            2 => format!("HTTP {}", rng.pick(&["500", "502", "503", "404", "429"])),
            3 => format!("TLS1.{}", rng.below(2) + 2),
            4 => format!("ポート{}", rng.pick(&["443", "8080", "5432", "3306", "22"])),
            5 => format!("{}分", rng.below(50) + 10),
            6 => format!("{}%", rng.below(90) + 5),
            7 => format!("{}秒", rng.below(50) + 2),
            8 => format!("{}ms", rng.below(900) + 100),
            9 => format!("Python 3.{}", rng.below(4) + 9),
            10 => format!("{}GB", rng.pick(&["16", "32", "64", "128"])),
            11 => format!("RFC {}", rng.pick(&["7231", "5321", "8446"])),
            12 => format!("port {}", rng.pick(&["443", "8443", "6379"])),
            13 => format!("CVE-2024-{}", 1000 + c * 7),
            14 => format!("{a}-{}営業日", a + 2),
            15 => format!("10.0.{}.{}", 19000 + b * 7, 3000 + c),
            16 => format!("KB{}", 5_030_000 + b * 311),
            17 => format!("CVE-2024-{}", 21000 + c * 17),
            18 => format!("Ver.{a}.{b}"),
            19 => format!("{a}.{b}GHz"),
            20 => format!("ISO {}", rng.pick(&["27001", "9001", "8601"])),
            _ => format!("{}回", rng.below(5) + 2),
        };
        let text = match rng.below(4) {
            0 => format!("{token}で再現した。"),
            1 => format!("ログには{token}と出ていた。"),
            2 => format!("設定値を{token}に変更した。"),
            _ => format!("| 項目 | {token} |"),
        };
        out.push((text, token));
    }
    out
}

/// Recall per notation: (masked, total).
fn measure(samples: &[Sample]) -> (BTreeMap<String, (usize, usize)>, Vec<String>) {
    let mut table: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for s in samples {
        let (out, _) = green().sanitize_text(&s.text, &[]);
        let ok = masked(&out, &s.secrets);
        let e = table.entry(s.notation.clone()).or_default();
        e.1 += 1;
        if ok {
            e.0 += 1;
        } else if misses.len() < 400 {
            misses.push(format!("  miss [{}] {} -> {}", s.notation, s.text, out));
        }
    }
    (table, misses)
}

#[test]
fn shape_classes_are_masked_in_every_notation_and_technical_text_stays() {
    let mut rng = Rng(0x5EED_5A4E_0008_2026);
    type Gen = fn(&mut Rng) -> Vec<Sample>;
    let classes: [(&str, Gen, f64); 9] = [
        ("phone", phones, 1.0),
        ("email", emails, 1.0),
        ("host/ip/mac/url", hosts, 1.0),
        ("labelled id", labelled_ids, 1.0),
        ("bank account", accounts, 1.0),
        ("card", cards, 1.0),
        ("individual number", individual_numbers, 1.0),
        ("plate/employee id", plates_and_employees, 1.0),
        ("date", dates, 1.0),
    ];
    let mut report = String::new();
    let mut below = Vec::new();
    let mut all_misses = Vec::new();
    let mut run = |name: &str, samples: Vec<Sample>, floor: f64| {
        let (table, misses) = measure(&samples);
        let (hit, total) = table.values().fold((0, 0), |(h, t), (a, b)| (h + a, t + b));
        let recall = hit as f64 / total as f64;
        report.push_str(&format!(
            "{name}: {hit}/{total} = {:.1} %\n",
            100.0 * recall
        ));
        for (notation, (h, t)) in &table {
            report.push_str(&format!("    {notation:<28} {h:>3}/{t:<3}\n"));
        }
        if recall < floor {
            below.push(format!("{name} {recall:.3} < {floor}"));
        }
        all_misses.extend(misses);
    };
    for (name, generate, floor) in classes {
        let samples = generate(&mut rng);
        run(name, samples, floor);
    }
    run("counter", counters(&mut rng), 1.0);

    let mut false_positives = Vec::new();
    let negs = negatives(&mut rng);
    for (text, token) in &negs {
        let (out, _) = green().sanitize_text(text, &[]);
        if !out.contains(token.as_str()) {
            false_positives.push(format!("  fp {text} -> {out}"));
        }
    }
    run(
        "late notations",
        late_notations(&mut Rng(0x5EED_5A4E_0008_2027)),
        1.0,
    );
    report.push_str(&format!(
        "negatives: {} of {} changed\n",
        false_positives.len(),
        negs.len()
    ));
    println!("{report}");
    if std::env::var_os("SHAPE_MISSES").is_some() {
        println!("{}\n{}", all_misses.join("\n"), false_positives.join("\n"));
    }
    assert!(
        below.is_empty(),
        "classes below their floor: {below:?}\n{report}"
    );
    assert!(false_positives.is_empty(), "{}", false_positives.join("\n"));
}

/// Hyphenated digit groups are a record's number, but a year-first date in
/// the same shape stays a date and is generalised, not replaced as an id.
#[test]
fn a_hyphenated_date_is_generalised_and_longer_digit_groups_are_ids() {
    let (out, _) = green().sanitize_text("発生日 2024-03-15、受付 7711-2024-0315 で登録", &[]);
    assert!(out.contains("2024年"), "date not generalised: {out}");
    assert!(!out.contains("03-15") && !out.contains("7711"), "{out}");
    assert_eq!(out.matches("[識別番号]").count(), 1, "{out}");
}
