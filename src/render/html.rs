//! The static HTML checklist: an index and one page per document.

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
            path: format!("html/{}", doc.page),
            bytes: render_template(tera, "page.html", &ctx)?.into_bytes(),
        });
    }
    let mut ctx = Context::new();
    ctx.insert("docs", docs);
    ctx.insert("items", &docs.iter().map(|d| d.items).sum::<usize>());
    out.push(OutputFile {
        path: "html/index.html".to_string(),
        bytes: render_template(tera, "index.html", &ctx)?.into_bytes(),
    });
    Ok(out)
}
