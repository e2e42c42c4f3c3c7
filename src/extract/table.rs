//! Table forms: design-review rows (`&#9744;` | Code | Recommendation), deliverable rows
//! (`&#9744;` | Task) and "Configuration recommendations" rows (Recommendation | Benefit).

use crate::parse::{Kind, Node};

/// The ballot box that opens every review and deliverable row.
const BOX: char = '\u{2610}';

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableForm {
    /// `☐ | Code | Recommendation`
    Review,
    /// `☐ | Task`
    Deliverable,
    /// `Recommendation | Benefit`
    Recommendation,
}

/// Header cells and body rows of a table.
pub fn parts(table: &Node) -> (Vec<&Node>, Vec<Vec<&Node>>) {
    let mut head = Vec::new();
    let mut rows = Vec::new();
    for child in &table.children {
        match child.kind {
            Kind::TableHead => {
                head = child
                    .children
                    .iter()
                    .filter(|c| c.kind == Kind::TableCell)
                    .collect();
            }
            Kind::TableRow => rows.push(
                child
                    .children
                    .iter()
                    .filter(|c| c.kind == Kind::TableCell)
                    .collect(),
            ),
            _ => {}
        }
    }
    (head, rows)
}

fn header_word(cell: Option<&&Node>) -> String {
    cell.map(|c| c.plain_text().trim().to_lowercase())
        .unwrap_or_default()
}

/// Which checklist form a table is, if any.
pub fn form(table: &Node) -> Option<TableForm> {
    if table.kind != Kind::Table {
        return None;
    }
    let (head, rows) = parts(table);
    let first = header_word(head.first());
    let second = header_word(head.get(1));
    if (first == "recommendation" || first == "recommendations") && second.starts_with("benefit") {
        return Some(TableForm::Recommendation);
    }
    let boxed = rows
        .iter()
        .filter(|r| {
            r.first()
                .is_some_and(|c| c.plain_text().trim() == BOX.to_string())
        })
        .count();
    if boxed == 0 {
        return None;
    }
    if head.len() >= 3 {
        Some(TableForm::Review)
    } else {
        Some(TableForm::Deliverable)
    }
}

/// Is this row a checklist row (its first cell the ballot box)?
pub fn is_box_row(row: &[&Node]) -> bool {
    row.first()
        .is_some_and(|c| c.plain_text().trim() == BOX.to_string())
}

/// `<br>`, `<br/>`, `<br />`, `<BR>`, `</br>` become line breaks: one as a newline, a run
/// of them as a paragraph break.
pub fn breaks(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut rest = md;
    loop {
        let Some(start) = find_br(rest) else {
            out.push_str(rest);
            break;
        };
        let (before, from) = rest.split_at(start);
        out.push_str(before.trim_end_matches([' ', '\t']));
        let mut count = 0;
        let mut tail = from;
        loop {
            let t = tail.trim_start_matches([' ', '\t']);
            match br_len(t) {
                Some(len) => {
                    count += 1;
                    tail = t.get(len..).unwrap_or("");
                }
                None => break,
            }
        }
        out.push_str(if count > 1 { "\n\n" } else { "\n" });
        rest = tail.trim_start_matches([' ', '\t']);
    }
    out
}

/// Where the first `<br>` variant of `s` starts. Each `<` is looked at once, in place: the
/// text is never copied, so a cell of many breaks costs its length.
fn find_br(s: &str) -> Option<usize> {
    memchr::memchr_iter(b'<', s.as_bytes()).find(|&at| s.get(at..).and_then(br_len).is_some())
}

/// Length of a `<br>` variant at the start of `s` (ASCII case ignored).
fn br_len(s: &str) -> Option<usize> {
    let s = s.as_bytes();
    ["<br />", "<br/>", "<br>", "</br>"]
        .into_iter()
        .find(|tag| {
            s.get(..tag.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(tag.as_bytes()))
        })
        .map(str::len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn br_variants() {
        assert_eq!(breaks("a <br><br> b"), "a\n\nb");
        assert_eq!(breaks("a<br/>b<br />c<BR>d</br>e"), "a\nb\nc\nd\ne");
        assert_eq!(breaks("a <BR><BR> b <br> c"), "a\n\nb\nc");
        assert_eq!(breaks("no breaks"), "no breaks");
        assert_eq!(breaks("a<Br />b<bR/>c</BR>d<b>e<br"), "a\nb\nc\nd<b>e<br");
        assert_eq!(breaks("é<br>ü <br > x<<br>"), "é\nü <br > x<\n");
    }
}
