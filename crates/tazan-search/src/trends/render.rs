//! Trend reports as a text table, CSV and SVG. A suppressed count prints as `*`.

use std::fmt::{self, Write as _};

use super::{Count, Section, Share, TrendReport};

/// How a suppressed count prints.
const HIDDEN: &str = "*";

fn count_text(c: Option<usize>) -> String {
    c.map_or_else(|| HIDDEN.to_owned(), |n| n.to_string())
}

fn share_of(c: Option<usize>, total: Option<usize>) -> Option<f64> {
    match (c, total) {
        (Some(n), Some(t)) if t > 0 => Some(n as f64 / t as f64),
        _ => None,
    }
}

impl TrendReport {
    /// Plain-text table (also what `Display` prints).
    pub fn to_text_table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{}: {}", self.subject.as_str(), count_text(self.total));
        for Section {
            title,
            rows,
            additive,
            ..
        } in self.sections()
        {
            if rows.is_empty() {
                continue;
            }
            let several = if additive {
                ""
            } else {
                "（複数該当あり）"
            };
            let _ = writeln!(s, "\n{title}{several}");
            let width = rows
                .iter()
                .map(|r| display_width(&r.key))
                .max()
                .unwrap_or(0);
            for r in rows {
                let pad = " ".repeat(width - display_width(&r.key));
                let pct = share_of(r.count, self.total)
                    .map_or_else(String::new, |f| format!("{:>5.1}%", f * 100.0));
                let _ = writeln!(s, "  {}{pad}  {:>6}  {pct}", r.key, count_text(r.count));
            }
        }
        let share = |sh: Share| match (sh.count, sh.share) {
            (Some(c), Some(f)) => format!("{c} ({:.1}%)", f * 100.0),
            (Some(c), None) => c.to_string(),
            _ => HIDDEN.to_owned(),
        };
        let _ = writeln!(
            s,
            "\nhuman error (人為ミス): {}\noverload (過負荷): {}",
            share(self.human_error),
            share(self.overload)
        );
        if let Some(m) = &self.per_month {
            let _ = writeln!(
                s,
                "month average (月平均): {:.1} ({} dated over {} months, {} to {})",
                m.average, m.lessons, m.months, m.from, m.to
            );
        }
        if self.suppressed_under > 1 {
            let _ = writeln!(
                s,
                "\n* = fewer than {} (件未満), or hidden so that totals cannot give such a count back",
                self.suppressed_under
            );
        }
        s
    }

    /// CSV with header `section,key,count,share`; sections as in the text table
    /// (`cause`, `industry`, `period`, `stage`, `domain`, `threat`, `purpose`, `scene`,
    /// `impact`, `outage`), then `share` rows (`human_error`, `overload`), `month_average`
    /// and `total`. A suppressed count is `*` with an empty share. Fields are quoted when
    /// needed.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("section,key,count,share\n");
        let frac = |f: Option<f64>| f.map_or_else(String::new, |f| format!("{f:.4}"));
        for Section { name, rows, .. } in self.sections() {
            for r in rows {
                let _ = writeln!(
                    s,
                    "{name},{},{},{}",
                    csv_field(&r.key),
                    count_text(r.count),
                    frac(share_of(r.count, self.total))
                );
            }
        }
        for (key, sh) in [
            ("human_error", self.human_error),
            ("overload", self.overload),
        ] {
            let _ = writeln!(s, "share,{key},{},{}", count_text(sh.count), frac(sh.share));
        }
        if let Some(m) = &self.per_month {
            let _ = writeln!(
                s,
                "month_average,{}..{},{},{:.4}",
                m.from, m.to, m.lessons, m.average
            );
        }
        let _ = writeln!(s, "total,,{},", count_text(self.total));
        s
    }

    /// A self-contained SVG (no scripts, fonts or external references): one horizontal bar
    /// chart per section (a suppressed count is a grey bar marked `*`), then the shares.
    pub fn to_svg(&self) -> String {
        const W: usize = 720;
        const LABEL_W: usize = 260;
        const BAR_MAX: usize = 380;
        const ROW: usize = 22;
        let sections: Vec<Section<'_>> = self
            .sections()
            .into_iter()
            .filter(|s| !s.rows.is_empty())
            .collect();
        let rows: usize = sections.iter().map(|s| s.rows.len() + 2).sum::<usize>() + 5;
        let h = rows * ROW + 20;
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" viewBox="0 0 {W} {h}" font-family="sans-serif" font-size="13">"#
        );
        let _ = writeln!(s, r#"<rect width="{W}" height="{h}" fill="white"/>"#);
        let mut y = ROW;
        let _ = writeln!(
            s,
            r#"<text x="10" y="{y}" font-weight="bold">{} {} 件の傾向</text>"#,
            self.subject.japanese(),
            count_text(self.total)
        );
        y += ROW;
        for Section { title, rows, .. } in &sections {
            y += ROW / 2;
            let _ = writeln!(
                s,
                r#"<text x="10" y="{y}" font-weight="bold">{}</text>"#,
                xml_escape(title)
            );
            y += ROW / 2;
            let max = rows
                .iter()
                .filter_map(|r| r.count)
                .max()
                .unwrap_or(1)
                .max(1);
            for r in rows.iter() {
                bar(&mut s, y, r, max, (LABEL_W, BAR_MAX, ROW));
                y += ROW;
            }
            y += ROW / 2;
        }
        for (label, sh) in [("人為ミス", self.human_error), ("過負荷", self.overload)] {
            let (bw, text) = match sh.share {
                Some(f) => (
                    (f * BAR_MAX as f64).round() as usize,
                    format!("{:.1}%", f * 100.0),
                ),
                None => (0, HIDDEN.to_owned()),
            };
            let _ = writeln!(
                s,
                r##"<text x="{}" y="{}" text-anchor="end">{label}</text><rect x="{LABEL_W}" y="{}" width="{BAR_MAX}" height="{}" fill="#e5e5e5"/><rect x="{LABEL_W}" y="{}" width="{bw}" height="{}" fill="#c0504d"/><text x="{}" y="{}">{text}</text>"##,
                LABEL_W - 8,
                y + 15,
                y + 3,
                ROW - 6,
                y + 3,
                ROW - 6,
                LABEL_W + BAR_MAX + 6,
                y + 15,
            );
            y += ROW;
        }
        if let Some(m) = &self.per_month {
            let _ = writeln!(
                s,
                r#"<text x="10" y="{}">月平均 {:.1} 件（{}〜{}）</text>"#,
                y + 15,
                m.average,
                xml_escape(&m.from),
                xml_escape(&m.to)
            );
            y += ROW;
        }
        if self.suppressed_under > 1 {
            let _ = writeln!(
                s,
                r##"<text x="10" y="{}" fill="#666">* {} 件未満、または合計から逆算されないよう非表示</text>"##,
                y + 15,
                self.suppressed_under
            );
        }
        s.push_str("</svg>\n");
        s
    }
}

fn bar(
    s: &mut String,
    y: usize,
    r: &Count,
    max: usize,
    (label_w, bar_max, row): (usize, usize, usize),
) {
    let (bw, fill) = match r.count {
        Some(n) => (n * bar_max / max, "#4a7ab5"),
        None => (bar_max / 20, "#bbbbbb"),
    };
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" text-anchor="end">{}</text><rect x="{label_w}" y="{}" width="{bw}" height="{}" fill="{fill}"/><text x="{}" y="{}">{}</text>"##,
        label_w - 8,
        y + 15,
        xml_escape(&r.key),
        y + 3,
        row - 6,
        label_w + bw + 6,
        y + 15,
        count_text(r.count)
    );
}

impl fmt::Display for TrendReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text_table())
    }
}

/// Terminal width: East Asian wide characters count two columns.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if matches!(c, '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}' | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}') { 2 } else { 1 })
        .sum()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Escapes text for XML/HTML element content and attribute values (the trends
/// pages and the portals' Atom feeds): markup characters become entities, and
/// the control characters XML 1.0 forbids (all below U+0020 except tab,
/// newline and carriage return) are dropped.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}
