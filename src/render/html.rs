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

use super::templates::{render as render_template, render_to as render_template_to};
use super::view::{overview, DocView, IndexDoc, IndexValues};
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
            page(tera, &chrome, &doc.page, &ctx)
        })
        .collect::<Result<_, Error>>()?;
    let index: Vec<IndexDoc> = docs.iter().map(IndexDoc::new).collect();
    out.push(self::index(tera, &chrome, &IndexValues::new(index, true))?);
    Ok(out)
}

/// One document's page, `html/{page}` ([`DocView::page`]); `ctx` holds the chrome
/// ([`Chrome::insert`]) and the document's view as `doc`.
pub fn page(tera: &Tera, chrome: &Chrome, page: &str, ctx: &Context) -> Result<OutputFile, Error> {
    let mut bytes = Vec::new();
    page_to(tera, chrome, ctx, &mut bytes)?;
    Ok(OutputFile {
        path: format!("html/{page}"),
        bytes,
    })
}

/// [`page`] written into `out` as it is rendered (a page of many items is many times the
/// size of its Markdown: never held whole). Its inline blocks are checked against the
/// policy on the way.
pub fn page_to(
    tera: &Tera,
    chrome: &Chrome,
    ctx: &Context,
    out: &mut dyn std::io::Write,
) -> Result<(), Error> {
    render_checked_to(tera, chrome, "page.html", ctx, out)
}

/// `html/index.html`.
pub fn index(tera: &Tera, chrome: &Chrome, values: &IndexValues) -> Result<OutputFile, Error> {
    let mut bytes = Vec::new();
    index_to(tera, chrome, values, &mut bytes)?;
    Ok(OutputFile {
        path: INDEX.to_string(),
        bytes,
    })
}

/// Where the index goes, relative to OUTPUT.
pub const INDEX: &str = "html/index.html";

/// `html/index.html`, written into `out` as it is rendered (it holds every item's id
/// several times over: a large file for a large corpus, never held whole). Its inline
/// blocks are checked against the policy on the way.
pub fn index_to(
    tera: &Tera,
    chrome: &Chrome,
    values: &IndexValues,
    out: &mut dyn std::io::Write,
) -> Result<(), Error> {
    let mut ctx = Context::new();
    chrome.insert(&mut ctx);
    ctx.insert_value("docs", values.docs.clone());
    ctx.insert("items", &values.items);
    ctx.insert("tally", &values.tally);
    match &values.overview {
        Some(o) => ctx.insert_value("overview", o.clone()),
        None => ctx.insert("overview", &overview(&[])),
    }
    render_checked_to(tera, chrome, "index.html", &ctx, out)
}

/// Renders `template` into `out`, finding its inline `<script>` and `<style>` blocks on the
/// way; an error when one is not the chrome's nor allowed by its policy.
fn render_checked_to(
    tera: &Tera,
    chrome: &Chrome,
    template: &str,
    ctx: &Context,
    out: &mut dyn std::io::Write,
) -> Result<(), Error> {
    let mut scan = Scanned {
        out,
        script: Blocks::new("script"),
        style: Blocks::new("style"),
    };
    // The template writes many small pieces: batched before they are scanned and written.
    let mut batched = std::io::BufWriter::with_capacity(64 * 1024, &mut scan);
    render_template_to(tera, template, ctx, &mut batched)?;
    batched
        .into_inner()
        .map_err(|e| Error::Render(e.error().to_string()))?;
    check_blocks(
        &scan.script.found,
        &scan.style.found,
        &chrome.csp,
        &[&chrome.script, &chrome.style],
        template,
    )
}

/// A writer that passes HTML on and finds its inline blocks.
struct Scanned<'a> {
    out: &'a mut dyn std::io::Write,
    script: Blocks,
    style: Blocks,
}

impl std::io::Write for Scanned<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.script.feed(buf);
        self.style.feed(buf);
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Finds the inline `<tag …>…</tag>` blocks of HTML fed a piece at a time: the blocks
/// [`inline_blocks`] finds in the whole text.
struct Blocks {
    open: Vec<u8>,
    close: Vec<u8>,
    state: Scan,
    /// How much of `open` (or, in a body, `close`) the last bytes matched.
    matched: usize,
    body: Vec<u8>,
    found: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Scan {
    /// Looking for `<tag`.
    Seek,
    /// Right after `<tag`: the next byte says whether it is this tag.
    Name,
    /// In the opening tag, up to its `>`.
    Tag,
    /// In the block, up to `</tag>`.
    Body,
}

impl Blocks {
    fn new(tag: &str) -> Blocks {
        Blocks {
            open: format!("<{tag}").into_bytes(),
            close: format!("</{tag}>").into_bytes(),
            state: Scan::Seek,
            matched: 0,
            body: Vec::new(),
            found: Vec::new(),
        }
    }

    fn feed(&mut self, mut bytes: &[u8]) {
        loop {
            // Outside a block and a match, only a `<` can start anything.
            if self.state == Scan::Seek && self.matched == 0 {
                match memchr::memchr(b'<', bytes) {
                    Some(i) => bytes = bytes.get(i..).unwrap_or_default(),
                    None => return,
                }
            }
            let Some((&b, rest)) = bytes.split_first() else {
                return;
            };
            self.byte(b);
            bytes = rest;
        }
    }

    /// Advances `matched` over `pattern`, whose only `<` is its first byte.
    fn step(matched: &mut usize, pattern: &[u8], b: u8) -> bool {
        if pattern.get(*matched) == Some(&b) {
            *matched += 1;
            if *matched == pattern.len() {
                *matched = 0;
                return true;
            }
        } else {
            *matched = usize::from(b == b'<');
        }
        false
    }

    fn byte(&mut self, b: u8) {
        match self.state {
            Scan::Seek => {
                if Self::step(&mut self.matched, &self.open, b) {
                    self.state = Scan::Name;
                }
            }
            Scan::Name => match b {
                b'>' => self.state = Scan::Body,
                b' ' | b'\t' | b'\n' | b'\r' | b'/' => self.state = Scan::Tag,
                // `<scripts>` or `<style-x>`: another tag; this byte may start a match.
                _ => {
                    self.state = Scan::Seek;
                    self.byte(b);
                }
            },
            Scan::Tag => {
                if b == b'>' {
                    self.state = Scan::Body;
                }
            }
            Scan::Body => {
                self.body.push(b);
                if Self::step(&mut self.matched, &self.close, b) {
                    let end = self.body.len().saturating_sub(self.close.len());
                    self.body.truncate(end);
                    self.found
                        .push(String::from_utf8_lossy(&self.body).into_owned());
                    self.body.clear();
                    self.state = Scan::Seek;
                }
            }
        }
    }
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
    while let Some(i) = memchr::memmem::find(rest.as_bytes(), open.as_bytes()) {
        let after = &rest[i + open.len()..];
        // `<scripts>` or `<style-x>` are other tags.
        if !after.starts_with(['>', ' ', '\t', '\n', '\r', '/']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        let body = &after[gt + 1..];
        let Some(end) = memchr::memmem::find(body.as_bytes(), close.as_bytes()) else {
            break;
        };
        out.push(&body[..end]);
        rest = &body[end + close.len()..];
    }
    out
}

/// [`check_blocks`] on the inline blocks of a whole page.
#[cfg(test)]
fn check_inline_code(html: &str, csp: &str, allowed: &[&str], template: &str) -> Result<(), Error> {
    let script: Vec<&str> = inline_blocks(html, "script");
    let style: Vec<&str> = inline_blocks(html, "style");
    check_blocks(&script, &style, csp, allowed, template)
}

/// Refuses a page whose inline script or style the policy would block: a template must
/// inline `script` and `style` exactly as given (`<script>{{ script | safe }}</script>`).
/// `allowed` are blocks whose hashes `csp` holds (the shipped ones): a block equal to one
/// of them needs no hash of its own.
fn check_blocks<S: AsRef<str>>(
    script: &[S],
    style: &[S],
    csp: &str,
    allowed: &[&str],
    template: &str,
) -> Result<(), Error> {
    for (tag, blocks) in [("script", script), ("style", style)] {
        for block in blocks {
            let block = block.as_ref();
            if !allowed.contains(&block) && !csp.contains(&hash_source(block)) {
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
    fn finds_the_same_blocks_a_piece_at_a_time() {
        let html = "<style>a{}</style><script>x()</script><scripts></scripts><script type=\"m\">y</script><<script\n>z<</script></script><style/>s</style ><style>t</style><script>open";
        for size in [1, 2, 3, 7, 1000] {
            let mut script = Blocks::new("script");
            let mut style = Blocks::new("style");
            for piece in html.as_bytes().chunks(size) {
                script.feed(piece);
                style.feed(piece);
            }
            assert_eq!(script.found, inline_blocks(html, "script"), "{size}");
            assert_eq!(style.found, inline_blocks(html, "style"), "{size}");
        }
    }

    #[test]
    fn refuses_a_script_not_shipped() {
        let csp = content_security_policy(&["ok()"], &[]);
        assert!(check_inline_code("<script>ok()</script>", &csp, &[], "t").is_ok());
        assert!(check_inline_code("<script> ok()</script>", &csp, &[], "t").is_err());
        assert!(check_inline_code("<script>ok()</script>", &csp, &["ok()"], "t").is_ok());
        assert!(check_inline_code("<script>no()</script>", &csp, &["ok()"], "t").is_err());
    }
}
