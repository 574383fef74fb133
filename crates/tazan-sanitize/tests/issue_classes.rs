//! The class matrix of issue #10, "What to build", item 2: every class the
//! issue lists, several invented members each, in several sentence frames
//! and written forms (a report sentence, a table row, a chat line, a mail
//! header; grouped, spaced, hyphenated, full-width, labelled or not). Each
//! cell asserts that the member's identifying parts are gone at GREEN, and a
//! control line — the same frame holding an ordinary word — asserts that the
//! frame's technical words stay.
//!
//! Cells the recognisers still miss are listed in `KNOWN_GAPS`; the test
//! fails when a listed cell starts to pass (shorten the list) or an unlisted
//! one fails, so the list is the matrix's honest state. Every member is
//! invented here; none is taken from an evaluation set.

// Test harness: a failed setup step should abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use tazan_sanitize::{DictionaryStatus, DisclosureLevel, Policy, Sanitizer};

fn green() -> &'static Sanitizer {
    static S: OnceLock<Sanitizer> = OnceLock::new();
    S.get_or_init(|| Sanitizer::new(&Policy::builtin(), DisclosureLevel::Green).unwrap())
}

/// One class of the issue's list.
struct Class {
    name: &'static str,
    /// A member as written, then the parts that must not survive.
    members: &'static [(&'static str, &'static [&'static str])],
    /// Sentence frames; `{}` stands for the member.
    frames: &'static [&'static str],
    /// An ordinary word put in the member's place: it must stay, as must
    /// every frame's `kept` words.
    control: &'static str,
    kept: &'static [&'static str],
}

const CLASSES: &[Class] = &[
    Class {
        name: "bare surname",
        members: &[
            ("宇佐美", &["宇佐美"]),
            ("真鍋", &["真鍋"]),
            ("小野寺", &["小野寺"]),
            ("駒井", &["駒井"]),
        ],
        frames: &[
            "10:05 {}が一次切り分けを実施し、サーバを再起動した。",
            "| 10:40 | {} | ルータ設定を確認 |",
            "[09:12] {}: DNSキャッシュをクリアしました",
            "差出人: {}\n件名: バックアップ失敗の件",
        ],
        control: "監視",
        kept: &["サーバ", "ルータ", "DNS", "バックアップ"],
    },
    Class {
        name: "family name that is also a common word",
        members: &[
            ("平野", &["平野"]),
            ("金子", &["金子"]),
            ("森", &["森"]),
            ("石川", &["石川"]),
        ],
        frames: &[
            "承認: 担当課長、作業: {}、確認: 監視",
            "09:10 受付 → 11:00 {} で引継ぎ",
            "[14:02] {}: ルータを交換しました",
        ],
        control: "当番",
        kept: &["受付", "ルータ"],
    },
    Class {
        name: "whole name, no honorific",
        members: &[
            ("桑原智也", &["桑原", "智也"]),
            ("芦田 美咲", &["芦田", "美咲"]),
            ("堀内　亮介", &["堀内", "亮介"]),
        ],
        frames: &[
            "情報システム部の{}がログを確認した。",
            "| 承認者 | {} | 済 |",
            "差出人: {}\n件名: ファイアウォール変更",
        ],
        control: "担当者",
        kept: &["ログ", "ファイアウォール"],
    },
    Class {
        name: "contact chain",
        members: &[
            ("熊谷→関口", &["熊谷", "関口"]),
            ("芦田→桑原→堀内", &["芦田", "桑原", "堀内"]),
            ("大森 → 久保田", &["大森", "久保田"]),
        ],
        frames: &["連絡経路：{}（VPN障害）", "エスカレーションは {} の順。"],
        control: "当番→課長",
        kept: &["VPN", "エスカレーション"],
    },
    Class {
        name: "katakana foreign name",
        members: &[
            ("グエン・ヴァン・ミン", &["グエン", "ミン"]),
            ("アナ・ペレイラ", &["ペレイラ"]),
            ("ラジェシュ クマール", &["ラジェシュ", "クマール"]),
            ("アナ ペレイラ", &["アナ ", "ペレイラ"]),
        ],
        frames: &[
            "夜勤の{}さんがバックアップを手動実行した。",
            "担当: {}\n対象: ストレージ",
            "[22:03] {}: ストレージの容量を確認中",
        ],
        control: "オペレーター",
        kept: &["バックアップ", "ストレージ"],
    },
    Class {
        name: "romanised name",
        members: &[
            ("Takeshi Morioka", &["Takeshi", "Morioka"]),
            ("MORIOKA Takeshi", &["MORIOKA", "Takeshi"]),
            ("T. Sakaguchi", &["Sakaguchi"]),
            ("Sakaguchi, Yumi", &["Sakaguchi", "Yumi"]),
        ],
        frames: &[
            "From: {}\nSubject: firewall rule",
            "レビューは{}が担当し、パッチを適用した。",
            "Approved by {} after the patch review.",
        ],
        control: "the team",
        kept: &["firewall", "パッチ", "patch"],
    },
    Class {
        name: "name in a mail local part, user id, @mention",
        members: &[
            ("h.sugawara@example.co.jp", &["sugawara"]),
            ("ユーザID: kuwabara_r", &["kuwabara"]),
            ("@ayumi.kanda", &["kanda"]),
            ("tomoya-hori", &["hori"]),
            ("@すぎうら", &["すぎうら"]),
            ("@みなと", &["みなと"]),
        ],
        frames: &["連絡先 {} にログを送付。", "[10:20] {} がチケットを更新"],
        control: "管理者",
        kept: &["ログ", "チケット"],
    },
    Class {
        name: "brand with no legal form",
        members: &[
            ("ミツバテック", &["ミツバテック"]),
            ("ラクーンソフト", &["ラクーンソフト"]),
            ("Bluefinch", &["Bluefinch"]),
            ("Novarise Systems", &["Novarise"]),
            ("bluefinch", &["bluefinch"]),
        ],
        frames: &[
            "保守は{}に委託しており、ルータの交換を依頼した。",
            "| 委託先 | {} | サーバ保守 |",
            "{}製のルータでファームウェア更新後に再起動",
        ],
        control: "外部業者",
        kept: &["ルータ", "サーバ", "ファームウェア"],
    },
    Class {
        name: "English legal form",
        members: &[
            ("Harborline Ltd.", &["Harborline"]),
            ("Kestrel Analytics Inc.", &["Kestrel"]),
            ("Tessera Holdings LLC", &["Tessera"]),
            ("Pinewood Co., Ltd.", &["Pinewood"]),
        ],
        frames: &[
            "{}からの請求メールが迷惑メールに振り分けられた。",
            "Vendor: {}\nScope: firewall",
        ],
        control: "the vendor",
        kept: &["メール", "firewall"],
    },
    Class {
        name: "subsidiary or customer",
        members: &[
            ("東和ロジテック", &["東和ロジテック"]),
            ("丸高食品", &["丸高食品"]),
            ("ハルミ物産", &["ハルミ物産"]),
        ],
        frames: &[
            "子会社の{}でもメールサーバが停止した。",
            "顧客の{}からVPNに接続できないと連絡があった。",
        ],
        control: "本社",
        kept: &["メールサーバ", "VPN"],
    },
    Class {
        name: "organisation in a host, FQDN or system name",
        members: &[
            ("srv01.kestrel-corp.local", &["kestrel"]),
            ("mail.harborline.co.jp", &["harborline"]),
            ("vpn.tsubakiya-shoji.com", &["tsubakiya"]),
        ],
        frames: &["{} の証明書が期限切れになった。", "| ホスト | {} | 停止 |"],
        control: "ウェブサーバ",
        kept: &["証明書"],
    },
    Class {
        name: "postal code",
        members: &[
            ("〒１２３－４５６７", &["４５６７"]),
            ("〒 060-0042", &["060-0042"]),
            ("〒7300011", &["7300011"]),
        ],
        frames: &["送付先 {} 資材課", "| 住所 | {} |"],
        control: "本社",
        kept: &["資材課"],
    },
    Class {
        name: "street address",
        members: &[
            ("札幌市中央区北三条西3丁目12番5号", &["12番5号", "北三条西"]),
            ("岐阜市美江寺町２丁目４－７", &["美江寺町", "４－７"]),
            ("松本市大字島内4471番地", &["島内", "4471"]),
        ],
        frames: &["倉庫は{}にあり、UPSを設置。", "| 所在地 | {} |"],
        control: "郊外",
        kept: &["UPS"],
    },
    Class {
        name: "building and floor",
        members: &[
            ("さくら第二ビル 5F", &["さくら第二"]),
            ("ミナトタワー 23階", &["ミナトタワー"]),
            ("オーク日本橋ビル３階", &["オーク日本橋"]),
            ("ひまわり第3ビル B1F", &["ひまわり"]),
            ("あおばタワー 12F", &["あおば"]),
        ],
        frames: &["サーバ室は{}にある。", "| 拠点 | {} | 無停電電源 |"],
        control: "別館",
        kept: &["サーバ室", "無停電電源"],
    },
    Class {
        name: "small town or station",
        members: &[
            ("上士幌町", &["上士幌"]),
            ("大曽根駅", &["大曽根"]),
            ("新白岡駅前", &["新白岡"]),
        ],
        frames: &["{}の営業所でPCが起動しない。", "| 拠点 | {} | 回線断 |"],
        control: "郊外",
        kept: &["PC", "回線断"],
    },
    Class {
        name: "phone",
        members: &[
            ("０３−５５１２−７７４０", &["５５１２", "７７４０"]),
            ("(045) 662-1093", &["662-1093"]),
            ("+81 90 3311 2208", &["3311", "2208"]),
            ("FAX 06-6231-0099", &["6231", "0099"]),
            ("内線 4471", &["4471"]),
            ("（０７５）２３１－４４５５", &["２３１", "４４５５"]),
        ],
        frames: &[
            "折返し先は {} まで。",
            "| 連絡先 | {} | 平日のみ |",
            "TEL: {}\n担当: 情報システム課",
        ],
        control: "代表番号",
        kept: &["情報システム課"],
    },
    Class {
        name: "MAC and IPv6",
        members: &[
            ("3C-52-82-1A-9F-07", &["3C-52-82"]),
            ("a4:83:e7:10:22:9b", &["a4:83:e7"]),
            ("2001:db8:85a3::8a2e:370:7334", &["85a3", "7334"]),
            ("fe80::1c2a:3bff:fe4d:9a10", &["1c2a", "9a10"]),
        ],
        frames: &[
            "不審な端末 {} をDHCPで遮断した。",
            "| アドレス | {} | 遮断 |",
        ],
        control: "機器",
        kept: &["DHCP"],
    },
    Class {
        name: "ticket, contract, customer, order, account number",
        members: &[
            ("TCK-204518", &["204518"]),
            ("受付番号 2024-118903", &["118903"]),
            ("契約番号 KY-33018-02", &["33018"]),
            ("顧客番号 C00482913", &["00482913"]),
            ("注文番号 OD20240611-0042", &["20240611-0042"]),
            ("口座番号 普通 1234567", &["1234567"]),
        ],
        frames: &[
            "{} の件でバックアップを復元した。",
            "| 参照 | {} | 対応中 |",
        ],
        control: "本件",
        kept: &["バックアップ"],
    },
    Class {
        name: "card number, also masked",
        members: &[
            ("4980 1234 5678 9012", &["5678", "9012"]),
            ("XXXX-XXXX-XXXX-4412", &["4412"]),
            ("****-****-****-0817", &["0817"]),
        ],
        frames: &[
            "決済に使ったカード {} が不正利用された。",
            "| カード | {} | 停止済 |",
        ],
        control: "法人カード",
        kept: &["決済"],
    },
    Class {
        name: "individual number, plate, employee and student id",
        members: &[
            ("個人番号 5218 3307 4196", &["3307", "4196"]),
            ("品川 500 あ 12-34", &["12-34"]),
            ("社員番号 E104823", &["104823"]),
            ("学籍番号 21B30417", &["21B30417"]),
        ],
        frames: &["書類に {} が記載されていた。", "| 項目 | {} | 漏えい |"],
        control: "氏名欄",
        kept: &["書類"],
    },
    Class {
        name: "era date, full-width date, weekday",
        members: &[
            ("R5.7.21（金）", &["R5.7.21", "（金）"]),
            ("H28年", &["H28年"]),
            ("令和元年度", &["令和元年度"]),
            ("２０２４年３月１５日", &["３月１５日"]),
            ("3月15日(金)", &["15日", "(金)"]),
        ],
        frames: &["{}にサーバが停止した。", "| 発生日 | {} | 復旧済 |"],
        control: "夜間",
        kept: &["サーバ"],
    },
    Class {
        name: "counter with full-width digits, 約 or 延べ",
        members: &[
            ("約１，２３７件", &["１，２３７"]),
            ("延べ３４１人", &["３４１"]),
            ("約1,863台", &["1,863"]),
            ("延べ約４２０件", &["４２０"]),
            ("延べ約 96 店舗", &["96"]),
        ],
        frames: &[
            "影響は{}に及び、メールが遅延した。",
            "| 影響 | {} | 調査中 |",
        ],
        control: "一部",
        kept: &["メール"],
    },
];

/// Cells that fail today: (class, member, frame index).
const KNOWN_GAPS: &[(&str, &str, usize)] = &[
    // A common-word family name alone after a clock time in a timeline
    // (`11:00 平野 で引継ぎ`): no cue but the position.
    ("family name that is also a common word", "平野", 1),
    ("family name that is also a common word", "金子", 1),
    // A one-kanji speaker in a chat line with no user id elsewhere.
    ("family name that is also a common word", "森", 2),
    // A brand in lower-case Latin letters reads as a command or a word.
    ("brand with no legal form", "bluefinch", 0),
    ("brand with no legal form", "bluefinch", 1),
    ("brand with no legal form", "bluefinch", 2),
];

fn gaps() -> BTreeSet<(String, String, usize)> {
    KNOWN_GAPS
        .iter()
        .map(|&(c, m, f)| (c.to_owned(), m.to_owned(), f))
        .collect()
}

#[test]
fn every_class_of_the_issue_is_masked_in_every_frame_and_the_frame_keeps_its_words() {
    if !matches!(green().dictionary_status(), DictionaryStatus::Loaded { .. }) {
        eprintln!("IPADIC dictionary off: the class matrix needs it (scripts/setup-ipadic.sh)");
        return;
    }
    let mut failing = BTreeSet::new();
    let mut report = Vec::new();
    let mut lost = Vec::new();
    for class in CLASSES {
        for (f, frame) in class.frames.iter().enumerate() {
            let (control, _) = green().sanitize_text(&frame.replace("{}", class.control), &[]);
            for k in class.kept.iter().chain([&class.control]) {
                if (frame.contains(k) || *k == class.control) && !control.contains(k) {
                    lost.push(format!("{}: {k:?} lost in {control:?}", class.name));
                }
            }
            for (member, secrets) in class.members {
                let text = frame.replace("{}", member);
                let (out, _) = green().sanitize_text(&text, &[]);
                let left: Vec<_> = secrets.iter().filter(|s| out.contains(**s)).collect();
                if !left.is_empty() {
                    failing.insert((class.name.to_owned(), (*member).to_owned(), f));
                    report.push(format!(
                        "{} / {member} / frame {f}: {left:?} in {out:?}",
                        class.name
                    ));
                }
            }
        }
    }
    assert!(lost.is_empty(), "control words lost:\n{}", lost.join("\n"));
    let known = gaps();
    let fixed: Vec<_> = known.difference(&failing).collect();
    let new: Vec<_> = failing.difference(&known).collect();
    assert!(
        fixed.is_empty() && new.is_empty(),
        "now passing (remove from KNOWN_GAPS): {fixed:?}\nnew failures: {new:?}\nall failing cells:\n{}",
        report.join("\n")
    );
}

#[test]
fn role_and_title_nouns_standards_bodies_and_telecom_words_stay() {
    if !matches!(green().dictionary_status(), DictionaryStatus::Loaded { .. }) {
        eprintln!("IPADIC dictionary off: skipped (scripts/setup-ipadic.sh)");
        return;
    }
    for (text, kept) in [
        (
            "顧問税理士に相談し、弁理士にも確認した。",
            &["税理士", "弁理士"][..],
        ),
        ("看護師が確認、薬剤師に連絡", &["看護師", "薬剤師"]),
        (
            "出品者から連絡があり、利用者に周知した。",
            &["出品者", "利用者"],
        ),
        (
            "点検主任が承認し、安全係長が確認した。",
            &["点検主任", "安全係長"],
        ),
        (
            "ITU-Tの勧告とETSIの規格、3GPPの仕様に従う",
            &["ITU-T", "ETSI", "3GPP"],
        ),
        (
            "eSIMの開通とVoLTEの設定、MNOの審査",
            &["eSIM", "VoLTE", "MNO"],
        ),
    ] {
        let (out, _) = green().sanitize_text(text, &[]);
        for k in kept {
            assert!(out.contains(k), "{k:?} lost in {out:?}");
        }
    }
    // The same slots still hold names.
    let (out, _) = green().sanitize_text("顧問税理士 の 森川、点検主任 浜口", &[]);
    assert!(!out.contains("森川") && !out.contains("浜口"), "{out}");
}
