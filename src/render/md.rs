//! Markdown checklists: one GFM task list per document, and an index.

use tera::{Context, Tera};

use super::templates::render as render_template;
use super::view::DocView;
use super::OutputFile;
use crate::Error;

pub fn render(tera: &Tera, docs: &[DocView]) -> Result<Vec<OutputFile>, Error> {
    let mut out = Vec::new();
    for doc in docs {
        let mut ctx = Context::new();
        ctx.insert("doc", doc);
        out.push(OutputFile {
            path: format!("checklists/{}", doc.md_page),
            bytes: tidy(&render_template(tera, "checklist.md", &ctx)?).into_bytes(),
        });
    }
    let mut ctx = Context::new();
    ctx.insert("docs", docs);
    out.push(OutputFile {
        path: "checklists/index.md".to_string(),
        bytes: tidy(&render_template(tera, "index.md", &ctx)?).into_bytes(),
    });
    Ok(out)
}

/// Collapses runs of blank lines that template control flow leaves, and ends with one
/// newline.
pub fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
