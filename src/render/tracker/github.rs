//! GitHub has no CSV import: one JSON object per line (`id`, `parent`, `title`, `body`,
//! `labels`), parents before their children, for `gh` or the REST API (the README has the
//! loop that creates the issues and links each item to its parent as a sub-issue). An item
//! nested in an item has that item as its `parent`: a sub-issue of the item's issue, as the
//! REST API's "Add sub-issue" links any issue under another
//! (<https://docs.github.com/en/rest/issues/sub-issues#add-sub-issue>).

use serde::Serialize;

use super::limit::{self, GITHUB_BODY};
use super::plan::{self, Entry, Group};
use crate::diag::Diagnostic;
use crate::render::csv::neutralize;
use crate::render::OutputFile;
use crate::Error;

pub const FILE: &str = "backlog-github.jsonl";

/// One line of the file.
#[derive(Debug, Serialize)]
pub struct Line<'a> {
    /// The stable id.
    pub id: &'a str,
    /// The parent's stable id (the item it is nested in, else its section), or null for a
    /// section.
    pub parent: Option<&'a str>,
    pub title: String,
    /// GitHub Markdown.
    pub body: String,
    pub labels: Vec<String>,
}

/// The body: the parts as Markdown, headings as `###`, shortened to GitHub's 65,536 when
/// longer (see [`limit`]).
pub fn body(entry: &Entry) -> (String, Option<limit::Shortened>) {
    limit::fit(&entry.parts, GITHUB_BODY, plan::markdown)
}

fn line<'a>(e: &'a Entry, parent: Option<&'a str>, warnings: &mut Vec<Diagnostic>) -> Line<'a> {
    let (body, shortened) = body(e);
    if let Some(s) = shortened {
        warnings.push(limit::warning(e, &s));
    }
    Line {
        id: &e.id,
        parent,
        title: neutralize(&e.title),
        body,
        labels: e.labels.iter().map(|l| neutralize(l)).collect(),
    }
}

/// `parents: false` leaves the sections' lines out; items keep their parent's stable id, by
/// which an existing parent issue is found (its `checkdown-…` label).
/// A body shortened to fit adds a warning to `warnings`.
pub fn render(
    groups: &[Group],
    parents: bool,
    warnings: &mut Vec<Diagnostic>,
) -> Result<OutputFile, Error> {
    let mut bytes = Vec::new();
    let err = |e: serde_json::Error| Error::Render(e.to_string());
    for g in groups {
        if parents {
            serde_json::to_writer(&mut bytes, &line(&g.parent, None, warnings)).map_err(err)?;
            bytes.push(b'\n');
        }
        for child in &g.children {
            let parent = child.parent_item.as_deref().unwrap_or(&g.parent.id);
            serde_json::to_writer(&mut bytes, &line(child, Some(parent), warnings)).map_err(err)?;
            bytes.push(b'\n');
        }
    }
    Ok(OutputFile {
        path: FILE.to_string(),
        bytes,
    })
}
