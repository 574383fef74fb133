//! CSV as spreadsheets export it (RFC 4180: `,` between fields, `"` around
//! fields holding commas, quotes or line breaks, `""` for a quote), read
//! row by row with the line each row starts on.
//!
//! A malformed row never takes others with it: an unclosed quote would make
//! the rest of the file one field, so the row is reported at its first line
//! and reading resumes on the line after it.

/// One row and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) line: usize,
    pub(crate) fields: Vec<String>,
}

/// A row that could not be read, at the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowError {
    pub(crate) line: usize,
    pub(crate) reason: &'static str,
}

/// Every row of `text`, blank lines skipped.
pub(crate) fn rows(text: &str) -> Vec<Result<Row, RowError>> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < lines.len() {
        match record(&lines, start) {
            Ok((fields, next)) => {
                let blank = fields.len() == 1 && fields[0].trim().is_empty();
                if !blank {
                    out.push(Ok(Row {
                        line: start + 1,
                        fields,
                    }));
                }
                start = next;
            }
            Err(reason) => {
                out.push(Err(RowError {
                    line: start + 1,
                    reason,
                }));
                start += 1;
            }
        }
    }
    out
}

const UNCLOSED: &str = "a quote opened in this row is never closed, so the rest of the file would be one field; the row is skipped and the rows after it are read (close the quote, and write a quote inside a quoted field as \"\")";
const AFTER_CLOSE: &str =
    "text follows a closing quote; quote the whole field and write a quote inside it as \"\"";
const BARE_QUOTE: &str =
    "a quote inside an unquoted field; quote the whole field and write the quote as \"\"";

/// The record starting at `lines[start]`: its fields and the index of the
/// line after it.
fn record(lines: &[&str], start: usize) -> Result<(Vec<String>, usize), &'static str> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let (mut quoted, mut closed, mut fresh) = (false, false, true);
    for (i, line) in lines.iter().enumerate().skip(start) {
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            let crlf = c == '\r' && chars.peek() == Some(&'\n');
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => {
                        quoted = false;
                        closed = true;
                    }
                    _ if crlf => {}
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    (closed, fresh) = (false, true);
                }
                '\n' => {
                    fields.push(field);
                    return Ok((fields, i + 1));
                }
                _ if crlf => {}
                ' ' | '\t' if closed => {}
                '"' if fresh => {
                    (quoted, fresh) = (true, false);
                }
                _ if closed => return Err(AFTER_CLOSE),
                '"' => return Err(BARE_QUOTE),
                _ => {
                    field.push(c);
                    fresh = false;
                }
            }
        }
    }
    if quoted {
        return Err(UNCLOSED);
    }
    fields.push(field);
    Ok((fields, lines.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<(usize, Vec<String>)> {
        rows(text)
            .into_iter()
            .map(|r| {
                let r = r.unwrap();
                (r.line, r.fields)
            })
            .collect()
    }

    #[test]
    fn quoted_fields_span_lines_and_escape_quotes() {
        let got = ok("a,b\r\n\"x, \"\"y\"\"\",\"1\n2\"\n\nlast,\n");
        assert_eq!(
            got,
            vec![
                (1, vec!["a".into(), "b".into()]),
                (2, vec!["x, \"y\"".into(), "1\n2".into()]),
                (5, vec!["last".into(), String::new()]),
            ]
        );
    }

    /// Today an unclosed quote swallowed every row after it into one error.
    #[test]
    fn an_unclosed_quote_costs_one_row() {
        let text = "id,impact\nc-1,\"停止\nc-2,遅延\nc-3,\"停止\"\nc-4,正常\n";
        let all = rows(text);
        assert_eq!(
            all[1],
            Err(RowError {
                line: 2,
                reason: AFTER_CLOSE
            })
        );
        let good: Vec<usize> = all
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| r.line)
            .collect();
        assert_eq!(good, vec![1, 3, 4, 5]);
        // Unclosed to the end of the file.
        let all = rows("id,impact\nc-1,\"停止\nc-2,遅延\n");
        assert_eq!(
            all[1],
            Err(RowError {
                line: 2,
                reason: UNCLOSED
            })
        );
        assert_eq!(all[2].as_ref().map(|r| r.line), Ok(3));
        assert!(rows("a,b\"c\n").contains(&Err(RowError {
            line: 1,
            reason: BARE_QUOTE
        })));
    }
}
