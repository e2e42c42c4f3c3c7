//! The static HTML checklist: an index and one page per document.
//!
//! Every page is self-contained: the stylesheet (`checklist.css`) and the script
//! (`checklist.js`) are templates too, rendered once and inlined in each page, and the
//! page's Content-Security-Policy allows exactly those two blocks by their SHA-256 hashes,
//! computed here. Nothing else can run or load, whatever the docs contain.

use base64::Engine as _;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use tera::{Context, Tera};

use super::templates::render as render_template;
use super::view::{overview, DocView, IndexDoc};
use super::OutputFile;
use crate::Error;

/// What every page inlines: the stylesheet, the script, and the policy that allows them.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub style: String,
    pub script: String,
    pub csp: String,
}

impl Chrome {
    pub fn new(tera: &Tera) -> Result<Chrome, Error> {
        let style = render_template(tera, "checklist.css", &Context::new())?;
        let script = render_template(tera, "checklist.js", &Context::new())?;
        let csp = content_security_policy(&[&script], &[&style]);
        Ok(Chrome { style, script, csp })
    }

    /// Adds `csp`, `style` and `script` to a page's context.
    pub fn insert(&self, ctx: &mut Context) {
        ctx.insert("csp", &self.csp);
        ctx.insert("style", &self.style);
        ctx.insert("script", &self.script);
    }
}

/// Every document's page and the index (the in-memory path).
pub fn render(tera: &Tera, docs: &[DocView]) -> Result<Vec<OutputFile>, Error> {
    let chrome = Chrome::new(tera)?;
    // One page per task, on the current rayon pool; collected in order.
    let mut out: Vec<OutputFile> = docs
        .par_iter()
        .map(|doc| {
            let mut ctx = Context::new();
            chrome.insert(&mut ctx);
            ctx.insert("doc", doc);
            page(tera, &chrome, doc, &ctx)
        })
        .collect::<Result<_, Error>>()?;
    let index: Vec<IndexDoc> = docs.iter().map(IndexDoc::new).collect();
    out.push(self::index(tera, &chrome, &index)?);
    Ok(out)
}

/// One document's page; `ctx` holds the chrome ([`Chrome::insert`]) and the document's
/// view as `doc`.
pub fn page(
    tera: &Tera,
    chrome: &Chrome,
    doc: &DocView,
    ctx: &Context,
) -> Result<OutputFile, Error> {
    let html = render_template(tera, "page.html", ctx)?;
    check_inline_code(&html, &chrome.csp, "page.html")?;
    Ok(OutputFile {
        path: format!("html/{}", doc.page),
        bytes: html.into_bytes(),
    })
}

/// `html/index.html`.
pub fn index(tera: &Tera, chrome: &Chrome, docs: &[IndexDoc]) -> Result<OutputFile, Error> {
    let mut ctx = Context::new();
    chrome.insert(&mut ctx);
    ctx.insert("docs", docs);
    ctx.insert("items", &docs.iter().map(|d| d.items).sum::<usize>());
    ctx.insert("overview", &overview(docs));
    let html = render_template(tera, "index.html", &ctx)?;
    check_inline_code(&html, &chrome.csp, "index.html")?;
    Ok(OutputFile {
        path: "html/index.html".to_string(),
        bytes: html.into_bytes(),
    })
}

/// `'sha256-…'`, the CSP source expression that allows exactly this inline block.
pub fn hash_source(code: &str) -> String {
    let digest = Sha256::digest(code.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The policy of every page: nothing by default; the shipped script and stylesheet by hash;
/// images only from the site itself or inline data (documents may reference their media);
/// no `<base>`, no form submission.
pub fn content_security_policy(scripts: &[&str], styles: &[&str]) -> String {
    let list = |blocks: &[&str]| {
        blocks
            .iter()
            .map(|b| hash_source(b))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "default-src 'none'; script-src {}; style-src {}; img-src 'self' data:; \
         base-uri 'none'; form-action 'none'",
        list(scripts),
        list(styles)
    )
}

/// The text of every inline `<tag …>…</tag>` block of a page. Markup from the docs is
/// escaped or sanitized before it reaches a page, so a literal `<script` or `<style` can
/// only come from a template.
pub fn inline_blocks<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        // `<scripts>` or `<style-x>` are other tags.
        if !after.starts_with(['>', ' ', '\t', '\n', '\r', '/']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        let body = &after[gt + 1..];
        let Some(end) = body.find(&close) else { break };
        out.push(&body[..end]);
        rest = &body[end + close.len()..];
    }
    out
}

/// Refuses a page whose inline script or style the policy would block: a template must
/// inline `script` and `style` exactly as given (`<script>{{ script | safe }}</script>`).
fn check_inline_code(html: &str, csp: &str, template: &str) -> Result<(), Error> {
    for tag in ["script", "style"] {
        for block in inline_blocks(html, tag) {
            if !csp.contains(&hash_source(block)) {
                return Err(Error::Template(format!(
                    "{template}: an inline <{tag}> block is not the one checkdown ships, so the \
                     page's Content-Security-Policy would block it; write \
                     `<{tag}>{{{{ {var} | safe }}}}</{tag}>` with nothing else between the tags \
                     and put your code in checklist.{ext}",
                    var = if tag == "script" { "script" } else { "style" },
                    ext = if tag == "script" { "js" } else { "css" },
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_of_known_text() {
        // printf 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            hash_source("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
    }

    #[test]
    fn finds_inline_blocks() {
        let html = "<style>a{}</style><script>x()</script><scripts></scripts><script type=\"m\">y</script>";
        assert_eq!(inline_blocks(html, "script"), ["x()", "y"]);
        assert_eq!(inline_blocks(html, "style"), ["a{}"]);
    }

    #[test]
    fn refuses_a_script_not_shipped() {
        let csp = content_security_policy(&["ok()"], &[]);
        assert!(check_inline_code("<script>ok()</script>", &csp, "t").is_ok());
        assert!(check_inline_code("<script> ok()</script>", &csp, "t").is_err());
    }
}
