//! Azure DevOps Boards' CSV import: a `Title 1` row for each section, `Title 2` rows for its
//! items right under it (the indentation is the parent/child link), work item types from
//! the process, `Description` as HTML, `Tags` separated by `;`.

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
        let mut rows = Vec::new();
        for g in file {
            if parents {
                rows.push(row(&g.parent, parent_type, 1));
            }
            for child in &g.children {
                rows.push(row(child, child_type, if parents { 2 } else { 1 }));
            }
        }
        out.push(OutputFile {
            path: file_name("backlog-azure-devops", "csv", n + 1, count),
            bytes: csv_file(&COLUMNS, &rows, bom)?,
        });
    }
    Ok(out)
}

fn row(e: &Entry, kind: &str, depth: usize) -> Vec<String> {
    let (t1, t2) = if depth == 1 {
        (e.title.clone(), String::new())
    } else {
        (String::new(), e.title.clone())
    };
    vec![
        kind.to_string(),
        t1,
        t2,
        description(e),
        e.labels.join("; "),
    ]
}
