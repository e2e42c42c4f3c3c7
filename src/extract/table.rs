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

fn find_br(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower.get(from..).and_then(|x| x.find('<')) {
        let at = from + p;
        if s.get(at..).and_then(br_len).is_some() {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Length of a `<br>` variant at the start of `s`.
fn br_len(s: &str) -> Option<usize> {
    let lower: String = s.chars().take(8).collect::<String>().to_ascii_lowercase();
    for tag in ["<br />", "<br/>", "<br>", "</br>"] {
        if lower.starts_with(tag) {
            return Some(tag.len());
        }
    }
    None
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
    }
}
