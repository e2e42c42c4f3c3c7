//! Azure DevOps Boards' CSV import: a `Title 1` row for each section, `Title 2` rows for its
//! items right under it, `Title 3` rows for the items nested in an item right under that
//! item (the indentation is the parent/child link: "Import work items with parent-child
//! links", <https://learn.microsoft.com/azure/devops/boards/queries/import-work-items-from-csv>),
//! work item types from the process, `Description` as HTML, `Tags` separated by `;`.
//!
//! A nested item is a `Task`, the level under the requirement in every process ("Agile:
//! Epic, Feature, User Story, Task; Scrum: Epic, Feature, Product Backlog Item, Task; Basic:
//! Epic, Issue, Task", <https://learn.microsoft.com/azure/devops/boards/work-items/guidance/choose-process>);
//! an item nested deeper is a Task of its top-level item, its description naming its own
//! parent.

use super::plan::{self, Entry, Group};
use super::{csv_file, file_name, AdoProcess};
use crate::render::markdown::to_html;
use crate::render::OutputFile;
use crate::Error;

/// Work items per file: Azure DevOps imports at most 1,000.
pub const MAX_ROWS: usize = 1_000;

pub const COLUMNS: [&str; 5] = [
    "Work Item Type",
    "Title 1",
    "Title 2",
    "Description",
    "Tags",
];

/// The columns of a file that holds nested items.
pub const COLUMNS_NESTED: [&str; 6] = [
    "Work Item Type",
    "Title 1",
    "Title 2",
    "Title 3",
    "Description",
    "Tags",
];

/// The description as sanitized HTML: each part rendered, headings as `<h3>`.
pub fn description(entry: &Entry) -> String {
    let mut html = String::new();
    for part in &entry.parts {
        if let Some(h) = &part.heading {
            html.push_str("<h3>");
            html.push_str(&escape_html(h));
            html.push_str("</h3>\n");
        }
        html.push_str(&to_html(&part.markdown));
    }
    html.trim_end().to_string()
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// `parents: false` writes the items alone, each a `Title 1` row.
pub fn render(
    groups: &[Group],
    process: AdoProcess,
    bom: bool,
    parents: bool,
) -> Result<Vec<OutputFile>, Error> {
    let (parent_type, child_type) = process.types();
    let files = plan::split_rows(groups.to_vec(), MAX_ROWS);
    let count = files.len();
    let mut out = Vec::new();
    for (n, file) in files.iter().enumerate() {
        let mut rows: Vec<(&Entry, &str, usize)> = Vec::new();
        for g in file {
            if parents {
                rows.push((&g.parent, parent_type, 1));
            }
            let top = if parents { 2 } else { 1 };
            let nested = plan::under_in_file(g.children.iter());
            for (child, nested) in g.children.iter().zip(nested) {
                rows.push(match nested {
                    true => (child, TASK_TYPE, top + 1),
                    false => (child, child_type, top),
                });
            }
        }
        let titles = rows.iter().map(|r| r.2).max().unwrap_or(2).max(2);
        let header: Vec<&str> = match titles {
            2 => COLUMNS.to_vec(),
            _ => COLUMNS_NESTED.to_vec(),
        };
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|(e, kind, depth)| row(e, kind, depth, titles))
            .collect();
        out.push(OutputFile {
            path: file_name("backlog-azure-devops", "csv", n + 1, count),
            bytes: csv_file(&header, &rows, bom)?,
        });
    }
    Ok(out)
}

/// The work item type of an item nested in an item, in every process.
pub const TASK_TYPE: &str = "Task";

/// A row with its title in `Title {depth}` of `titles` title columns.
fn row(e: &Entry, kind: &str, depth: usize, titles: usize) -> Vec<String> {
    let mut cells = vec![kind.to_string()];
    cells.extend((1..=titles).map(|t| match t == depth {
        true => e.title.clone(),
        false => String::new(),
    }));
    cells.push(description(e));
    cells.push(e.labels.join("; "));
    cells
}
