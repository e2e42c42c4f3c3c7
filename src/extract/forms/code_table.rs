//! Form C: code tables without a box. A table whose first column holds, in every
//! non-empty body row, a link whose text is a code (`MIG:01`, `SE:10`: letters, a colon,
//! digits) is a review table (DIALECT.md), read as the Well-Architected review rows are:
//! the code, the guide it links to, the recommendation in the next column.
//!
//! ```markdown
//! | Code | Recommendation |
//! |---|---|
//! | [MIG:01](./plan.md) | **Plan the migration waves.** Group workloads by ... |
//! ```

use std::collections::HashSet;

use crate::parse::{Kind, Node};

use super::{Form, Page, Present};
use crate::extract::checklist::{is_code, links_text, review_row};
use crate::extract::table::parts;
use crate::extract::{Ctx, Draft};

pub struct CodeTable;

/// Does every non-empty body row open with a link whose text is a code?
fn is_code_table(table: &Node) -> bool {
    let (_, rows) = parts(table);
    let rows: Vec<&Vec<&Node>> = rows
        .iter()
        .filter(|r| !r.iter().all(|c| c.plain_text().trim().is_empty()))
        .collect();
    !rows.is_empty()
        && rows.iter().all(|r| {
            r.len() >= 2
                && r.first().is_some_and(|c| {
                    let codes = links_text(c);
                    !codes.is_empty() && codes.iter().all(|t| is_code(t))
                })
        })
}

impl Form for CodeTable {
    fn name(&self) -> &'static str {
        "C: code table"
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
                if is_code_table(node) {
                    tables.push(node);
                }
                return false;
            }
            true
        });
        let mut out = Vec::new();
        for table in tables {
            claimed.insert(table.range.start);
            let (_, rows) = parts(table);
            for row in rows {
                if row.iter().all(|c| c.plain_text().trim().is_empty()) {
                    continue;
                }
                if let Some(mut d) = review_row(ctx, &row, 0) {
                    let first = row.first().map_or(table.range.clone(), |c| c.range.clone());
                    d.source = ctx.source(&first);
                    d.at = first.start;
                    out.push(d);
                }
            }
        }
        out
    }
}
