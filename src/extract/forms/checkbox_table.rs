//! Form B: checkbox tables. A GFM table in which one column holds, in every non-empty
//! body row, only a checkbox mark (`☐` `☑` `☒` `✓` `✔`, their entities,
//! `<input type="checkbox" />`, `[ ]`, `[x]`). Each row is an item; the task is the column
//! right after the box column (right before it when the box column is the last); a column
//! of codes (`SE:01`) gives the item's code, other columns are kept in the body under
//! their header. A table with marks in more than one column is a feature matrix, not a
//! checklist.
//!
//! ```markdown
//! | Done? | Task | Owner |
//! |---|---|---|
//! | &#9744; | Complete all test cycles | QA |
//! ```

use std::collections::HashSet;

use crate::parse::anchor::slug;
use crate::parse::{Kind, Node};
use crate::text::{sentence, title_plain};

use super::{Form, Page, Present};
use crate::extract::checklist::{cell_md, is_code, links_text, normalize_space};
use crate::extract::lead::{self, clean_title};
use crate::extract::table::parts;
use crate::extract::text::join_blocks;
use crate::extract::{Ctx, Draft};

pub struct CheckboxTable;

/// A checkbox mark in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// `☐`, `[ ]`, an unchecked `<input type="checkbox">`.
    Open,
    /// `☑`, `☒`, `[x]`, a `checked` input.
    Checked,
    /// `✓` or `✔`: a printed box when every row has it, else a tick.
    Tick,
}

/// The mark a cell holds when it holds nothing else.
pub fn mark_of(cell: &Node) -> Option<Mark> {
    let plain = cell.plain_text();
    let text = plain.trim();
    let html: Vec<&str> = cell
        .children
        .iter()
        .filter_map(|c| match &c.kind {
            Kind::Html(h) => Some(h.as_str()),
            _ => None,
        })
        .collect();
    if text.is_empty() {
        let [tag] = html.as_slice() else {
            return None;
        };
        let lower = tag.to_ascii_lowercase();
        let is_box = lower.starts_with("<input")
            && lower
                .replace(['"', '\'', ' '], "")
                .contains("type=checkbox");
        if !is_box {
            return None;
        }
        let checked = lower
            .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .any(|w| w == "checked" || w.starts_with("checked="));
        return Some(if checked { Mark::Checked } else { Mark::Open });
    }
    if !html.is_empty() {
        return None;
    }
    match text {
        "\u{2610}" | "[ ]" | "[]" => Some(Mark::Open),
        "\u{2611}" | "\u{2612}" | "[x]" | "[X]" => Some(Mark::Checked),
        "\u{2713}" | "\u{2714}" => Some(Mark::Tick),
        _ => None,
    }
}

/// Headers a box column may have when its marks are ticks (`✓`), which alone would also
/// fit a feature matrix's "supported" column.
fn box_header(h: &str) -> bool {
    let h = h.trim().trim_end_matches('?').trim().to_lowercase();
    h.is_empty() || h == "done" || h == "\u{2610}" || h == "status" || h == "check"
}

fn cell_empty(cell: &Node) -> bool {
    cell.plain_text().trim().is_empty()
        && !cell
            .children
            .iter()
            .any(|c| matches!(c.kind, Kind::Html(_)))
}

/// The box column of a table, if it is a checkbox table.
pub fn box_column(table: &Node) -> Option<usize> {
    let (head, rows) = parts(table);
    let rows: Vec<&Vec<&Node>> = rows
        .iter()
        .filter(|r| !r.iter().all(|c| cell_empty(c)))
        .collect();
    if rows.is_empty() {
        return None;
    }
    let width = head
        .len()
        .max(rows.iter().map(|r| r.len()).max().unwrap_or(0));
    if width < 2 {
        return None;
    }
    // Columns of marks in every row; more than one is a feature matrix.
    let columns: Vec<(usize, bool)> = (0..width)
        .filter_map(|c| {
            let marks: Vec<Option<Mark>> = rows
                .iter()
                .map(|r| r.get(c).and_then(|x| mark_of(x)))
                .collect();
            if marks.iter().any(Option::is_none) {
                return None;
            }
            Some((c, marks.iter().all(|m| *m == Some(Mark::Tick))))
        })
        .collect();
    let header = |c: usize| {
        head.get(c)
            .map(|h| h.plain_text())
            .unwrap_or_default()
            .replace('\u{a0}', " ")
    };
    match columns.as_slice() {
        [(c, false)] => Some(*c),
        [(c, true)] if box_header(&header(*c)) => Some(*c),
        _ => None,
    }
}

impl Form for CheckboxTable {
    fn name(&self) -> &'static str {
        "B: checkbox table"
    }

    fn applies(&self, present: &Present, _page: &Page) -> bool {
        present.tables
    }

    fn find(&self, ctx: &Ctx, _page: &Page, claimed: &mut HashSet<usize>) -> Vec<Draft> {
        let mut tables = Vec::new();
        super::walk(ctx.blocks, |node, _| {
            if claimed.contains(&node.range.start) {
                return false;
            }
            if node.kind == Kind::Table {
                if let Some(col) = box_column(node) {
                    tables.push((node, col));
                }
                return false;
            }
            true
        });
        let mut out = Vec::new();
        for (table, col) in tables {
            claimed.insert(table.range.start);
            out.extend(rows(ctx, table, col));
        }
        out
    }
}

/// The items of a checkbox table whose box column is `col`.
fn rows(ctx: &Ctx, table: &Node, col: usize) -> Vec<Draft> {
    let (head, rows) = parts(table);
    let rows: Vec<Vec<&Node>> = rows
        .into_iter()
        .filter(|r| !r.iter().all(|c| cell_empty(c)))
        .collect();
    let width = head.len();
    let task_col = if col + 1 < width.max(2) {
        col + 1
    } else {
        col.saturating_sub(1)
    };
    let header = |c: usize| {
        head.get(c)
            .map(|h| normalize_space(&h.plain_text().replace('\u{a0}', " ")))
            .unwrap_or_default()
    };
    // A column of codes gives the item's code.
    let code_col = (0..width).find(|&c| {
        c != col
            && c != task_col
            && rows.iter().all(|r| {
                r.get(c)
                    .map(|x| normalize_space(&x.plain_text()))
                    .is_some_and(|t| t.split([',', ' ']).filter(|s| !s.is_empty()).all(is_code))
            })
    });
    let marks: Vec<Option<Mark>> = rows
        .iter()
        .map(|r| r.get(col).and_then(|x| mark_of(x)))
        .collect();
    let printed = marks.iter().all(|m| *m == Some(Mark::Tick));
    let mut out = Vec::new();
    for (row, mark) in rows.iter().zip(marks) {
        let Some(cell) = row.get(task_col) else {
            continue;
        };
        // A row without a task keeps an empty title: it is reported where items are
        // finished.
        let md = cell_md(ctx, cell, None);
        let lead = lead::split(&cell.children, ctx.text(), |from| {
            cell_md(ctx, cell, Some(from))
        });
        let (title, rest) = if lead.bold {
            (lead.title, lead.rest)
        } else {
            // The first sentence of the cell, which also ends at `<br><br>` or a list.
            let cut = md
                .find("\n\n")
                .into_iter()
                .chain(md.find("<ul"))
                .chain(md.find("<ol"))
                .min()
                .unwrap_or(md.len());
            let head_part = md[..cut].trim();
            let first = sentence(head_part);
            let title = clean_title(&title_plain(first));
            let rest = format!(
                "{}{}",
                head_part.get(first.len()..).unwrap_or(""),
                &md[cut..]
            );
            (title, rest.trim().to_string())
        };
        let mut body = vec![rest];
        let mut code = None;
        for (c, x) in row.iter().enumerate() {
            if c == col || c == task_col {
                continue;
            }
            if Some(c) == code_col {
                let codes = links_text(x);
                let mut codes = if codes.is_empty() {
                    vec![normalize_space(&x.plain_text())]
                } else {
                    codes
                };
                codes.dedup();
                code = Some(codes.join(", ")).filter(|c| !c.is_empty());
                continue;
            }
            let value = cell_md(ctx, x, None);
            let name = header(c);
            if value.is_empty() || name.is_empty() {
                continue;
            }
            body.push(format!("**{name}:** {value}"));
        }
        out.push(Draft {
            kind: "item",
            key_fragment: slug(code.as_deref().unwrap_or(&title)),
            title,
            body: join_blocks(body),
            code,
            checked: !printed && matches!(mark, Some(Mark::Checked | Mark::Tick)),
            source: ctx.source(
                &row.first()
                    .map(|c| c.range.clone())
                    .unwrap_or(table.range.clone()),
            ),
            at: row.first().map_or(table.range.start, |c| c.range.start),
            ..Draft::default()
        });
    }
    out
}
