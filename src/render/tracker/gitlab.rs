//! GitLab's issue CSV import: `title` and `description` (GitLab Markdown). GitLab has no
//! parent column, so an item's section and document go into its labels, applied by a
//! `/label` quick action on the description's first line. Files stay under 10 MB.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

use super::limit::{self, GITLAB_DESCRIPTION};
use super::plan::{self, Entry, Group};
use super::{csv_record, file_name, BOM};
use crate::diag::Diagnostic;
use crate::parse::options;
use crate::render::OutputFile;
use crate::Error;

/// Bytes per file: GitLab refuses CSV files over 10 MB.
pub const MAX_BYTES: usize = 10_000_000;

pub const COLUMNS: [&str; 2] = ["title", "description"];

/// The `/label` quick action that applies the entry's labels.
pub fn quick_action(entry: &Entry) -> String {
    let labels: Vec<String> = entry
        .labels
        .iter()
        .map(|l| format!("~\"{}\"", l.replace('"', "")))
        .collect();
    format!("/label {}", labels.join(" "))
}

/// The description: the quick action, then the parts as Markdown (headings as `###`), with
/// a `/` that starts a line of the docs' text escaped so that GitLab does not run it;
/// shortened to GitLab's 1,048,576 bytes when longer (see [`limit`]).
pub fn description(entry: &Entry) -> (String, Option<limit::Shortened>) {
    let action = quick_action(entry);
    limit::fit(&entry.parts, GITLAB_DESCRIPTION, |parts| {
        format!(
            "{action}\n\n{}",
            protect_quick_actions(&plan::markdown(parts))
        )
    })
}

/// Escapes the `/` that starts a line outside code, which GitLab would run as a quick
/// action (`/close`, `/assign` ...); `\/` shows as `/`.
pub fn protect_quick_actions(md: &str) -> String {
    let mut code: Vec<Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => code.push(range),
            _ => {}
        }
    }
    let mut out = String::with_capacity(md.len() + 8);
    let mut line_start = true;
    for (i, c) in md.char_indices() {
        if line_start && c == '/' && !code.iter().any(|r| r.contains(&i)) {
            out.push('\\');
        }
        out.push(c);
        line_start = c == '\n';
    }
    out
}

/// A description shortened to fit adds a warning to `warnings`.
pub fn render(
    groups: &[Group],
    bom: bool,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Vec<OutputFile>, Error> {
    let header = csv_record(&COLUMNS)?;
    let mut rows = Vec::new();
    for child in groups.iter().flat_map(|g| &g.children) {
        let (description, shortened) = description(child);
        if let Some(s) = shortened {
            warnings.push(limit::warning(child, &s));
        }
        rows.push(csv_record(&[child.title.clone(), description])?);
    }
    let fixed = header.len() + if bom { BOM.len() } else { 0 };
    let files = plan::pack(rows, Vec::len, MAX_BYTES.saturating_sub(fixed));
    let count = files.len();
    let mut out = Vec::new();
    for (n, file) in files.into_iter().enumerate() {
        let mut bytes = if bom { BOM.to_vec() } else { Vec::new() };
        bytes.extend(&header);
        for row in file {
            bytes.extend(row);
        }
        out.push(OutputFile {
            path: file_name("backlog-gitlab", "csv", n + 1, count),
            bytes,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_slash_lines_outside_code() {
        assert_eq!(
            protect_quick_actions("/close this\ntext /assign\n\n```\n/keep\n```\n\n`a\n/b`"),
            "\\/close this\ntext /assign\n\n```\n/keep\n```\n\n`a\n/b`"
        );
    }
}
