//! Markdown checklists: one GFM task list per document, and an index.

use rayon::prelude::*;
use tera::{Context, Tera};

use super::templates::render as render_template;
use super::view::{DocView, IndexDoc, IndexValues};
use super::OutputFile;
use crate::Error;

/// Every document's checklist and the index (the in-memory path).
pub fn render(tera: &Tera, docs: &[DocView]) -> Result<Vec<OutputFile>, Error> {
    // One document per task, on the current rayon pool; collected in order.
    let mut out: Vec<OutputFile> = docs
        .par_iter()
        .map(|doc| {
            let mut ctx = Context::new();
            ctx.insert("doc", doc);
            page(tera, &doc.md_page, &ctx)
        })
        .collect::<Result<_, Error>>()?;
    let index: Vec<IndexDoc> = docs.iter().map(IndexDoc::new).collect();
    out.push(self::index(tera, &IndexValues::new(index, false))?);
    Ok(out)
}

/// One document's checklist, `checklists/{md_page}` ([`DocView::md_page`]); `ctx` holds
/// the document's view as `doc`.
pub fn page(tera: &Tera, md_page: &str, ctx: &Context) -> Result<OutputFile, Error> {
    Ok(OutputFile {
        path: format!("checklists/{md_page}"),
        bytes: tidy(&render_template(tera, "checklist.md", ctx)?).into_bytes(),
    })
}

/// `checklists/index.md`.
pub fn index(tera: &Tera, values: &IndexValues) -> Result<OutputFile, Error> {
    let mut ctx = Context::new();
    ctx.insert_value("docs", values.docs.clone());
    Ok(OutputFile {
        path: "checklists/index.md".to_string(),
        bytes: tidy(&render_template(tera, "index.md", &ctx)?).into_bytes(),
    })
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
