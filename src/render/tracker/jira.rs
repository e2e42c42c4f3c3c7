//! Jira Cloud's CSV import: sections as Epics, items as Tasks under them, items nested in an
//! item as Sub-tasks of it (`Issue Id` and `Parent`), `Summary` of at most 255 characters,
//! `Description` in Jira wiki markup, `Priority` from the maturity level, one `Labels`
//! column per label.
//!
//! Hierarchy, as Atlassian's "Keep work parent-child relationships during CSV import to
//! Jira Cloud" says
//! (<https://support.atlassian.com/jira/kb/keep-issue-parent-child-mapping-during-csv-import-to-jira-cloud/>):
//! a child's `Parent` holds its parent's `Issue Id`, and rows come in the order of the
//! hierarchy, Epics before standard issues before Sub-tasks. Each section's rows are its
//! Epic, then its Tasks, then its Sub-tasks. A Sub-task cannot hold Sub-tasks, so an item
//! nested deeper is a Sub-task of its top-level item, and its description names its own
//! parent.

use super::limit::{self, JIRA_DESCRIPTION};
use super::plan::{self, Entry, Group};
use super::wiki::{escape, to_wiki};
use super::{csv_file, file_name};
use crate::diag::Diagnostic;
use crate::render::OutputFile;
use crate::Error;

/// Rows per file: Jira's importer is happier below 1,500.
pub const MAX_ROWS: usize = 1_499;

/// The columns before the repeated `Labels` columns.
pub const COLUMNS: [&str; 6] = [
    "Issue Id",
    "Parent",
    "Issue Type",
    "Summary",
    "Priority",
    "Description",
];

pub const PARENT_TYPE: &str = "Epic";
pub const CHILD_TYPE: &str = "Task";
/// Jira's default sub-task issue type.
pub const SUB_TYPE: &str = "Sub-task";

/// Jira's default priorities, from the maturity level: level 1 (the foundation) first.
pub fn priority(level: Option<u32>) -> &'static str {
    match level {
        Some(1) => "Highest",
        Some(2) => "High",
        Some(3) => "Medium",
        Some(4) => "Low",
        Some(_) => "Lowest",
        None => "",
    }
}

/// The description in wiki markup, shortened to Jira's 32,767 UTF-16 code units when
/// longer (see [`limit`]).
pub fn description(entry: &Entry) -> (String, Option<limit::Shortened>) {
    limit::fit(&entry.parts, JIRA_DESCRIPTION, wiki)
}

/// Parts in wiki markup: each part converted, headings as `h3.`.
fn wiki(parts: &[plan::Part]) -> String {
    let mut blocks = Vec::new();
    for part in parts {
        if let Some(h) = &part.heading {
            blocks.push(format!("h3. {}", escape(h)));
        }
        let body = to_wiki(&part.markdown);
        if !body.is_empty() {
            blocks.push(body);
        }
    }
    blocks.join("\n\n")
}

/// `parents: false` writes the items alone (no Epic rows, no `Parent`). A description
/// shortened to fit adds a warning to `warnings`.
pub fn render(
    groups: &[Group],
    bom: bool,
    parents: bool,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Vec<OutputFile>, Error> {
    let files = plan::split_rows(groups.to_vec(), MAX_ROWS);
    let count = files.len();
    let mut next_id = 1usize;
    let mut out = Vec::new();
    for (n, file) in files.iter().enumerate() {
        let labels = file
            .iter()
            .flat_map(|g| std::iter::once(&g.parent).chain(&g.children))
            .map(|e| e.labels.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        header.extend(std::iter::repeat_n("Labels".to_string(), labels));
        let mut rows = Vec::new();
        for g in file {
            let parent_id = if parents {
                let id = next_id.to_string();
                rows.push(row(&g.parent, &id, "", PARENT_TYPE, labels, warnings));
                next_id += 1;
                id
            } else {
                String::new()
            };
            let nested = plan::under_in_file(g.children.iter());
            let mut issue_ids: std::collections::HashMap<&str, String> =
                std::collections::HashMap::new();
            for (child, _) in g.children.iter().zip(&nested).filter(|(_, n)| !**n) {
                let id = next_id.to_string();
                rows.push(row(child, &id, &parent_id, CHILD_TYPE, labels, warnings));
                issue_ids.insert(child.id.as_str(), id);
                next_id += 1;
            }
            for (child, _) in g.children.iter().zip(&nested).filter(|(_, n)| **n) {
                let root = child
                    .root_item
                    .as_deref()
                    .and_then(|r| issue_ids.get(r))
                    .cloned()
                    .unwrap_or_default();
                rows.push(row(
                    child,
                    &next_id.to_string(),
                    &root,
                    SUB_TYPE,
                    labels,
                    warnings,
                ));
                next_id += 1;
            }
        }
        out.push(OutputFile {
            path: file_name("backlog-jira", "csv", n + 1, count),
            bytes: csv_file(&header, &rows, bom)?,
        });
    }
    Ok(out)
}

fn row(
    e: &Entry,
    id: &str,
    parent: &str,
    kind: &str,
    labels: usize,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let (description, shortened) = description(e);
    if let Some(s) = shortened {
        warnings.push(limit::warning(e, &s));
    }
    let mut cells = vec![
        id.to_string(),
        parent.to_string(),
        kind.to_string(),
        e.title.clone(),
        priority(e.level).to_string(),
        description,
    ];
    cells.extend((0..labels).map(|i| e.labels.get(i).cloned().unwrap_or_default()));
    cells
}
