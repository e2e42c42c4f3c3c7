//! Bounded Markdown for renderers: the event stream of a Markdown fragment with its
//! nesting capped, so that what consumes it (pulldown-cmark's HTML writer, then the HTML
//! sanitizer, whose tree builder scans its stack of open elements for every tag) does work
//! in proportion to the input, whatever the input.
//!
//! Markdown elements nested deeper than the limit lose their Start and End events (their
//! text is kept). Raw HTML that would open elements past the limit is passed on as text,
//! so it is escaped instead of parsed.

use pulldown_cmark::{CowStr, Event, Parser};

use super::{options, DEFAULT_MAX_NESTING};

/// HTML elements that never hold content, so never nest.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// The events of `markdown` with Markdown and raw HTML nesting both capped at
/// `DEFAULT_MAX_NESTING`.
pub fn events(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    Bounded {
        inner: Parser::new_ext(markdown, options()),
        max: DEFAULT_MAX_NESTING,
        depth: 0,
        dropped: 0,
        html: Vec::new(),
    }
}

struct Bounded<'a> {
    inner: Parser<'a>,
    max: usize,
    /// Markdown elements open (and passed on).
    depth: usize,
    /// Markdown elements open past the limit (not passed on).
    dropped: usize,
    /// Raw HTML elements open, by name, as far as a simple reading of the tags tells.
    html: Vec<String>,
}

impl<'a> Iterator for Bounded<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let event = self.inner.next()?;
            match event {
                Event::Start(_) => {
                    if self.depth + self.html.len() >= self.max || self.dropped > 0 {
                        self.dropped += 1;
                        continue;
                    }
                    self.depth += 1;
                    return Some(event);
                }
                Event::End(_) => {
                    if self.dropped > 0 {
                        self.dropped -= 1;
                        continue;
                    }
                    self.depth = self.depth.saturating_sub(1);
                    return Some(event);
                }
                Event::Html(html) => return Some(self.raw(html, Event::Html)),
                Event::InlineHtml(html) => return Some(self.raw(html, Event::InlineHtml)),
                other => return Some(other),
            }
        }
    }
}

impl<'a> Bounded<'a> {
    /// Passes raw HTML on while the elements it leaves open stay within the limit;
    /// past it, the HTML becomes text.
    fn raw(&mut self, html: CowStr<'a>, wrap: fn(CowStr<'a>) -> Event<'a>) -> Event<'a> {
        let mut stack = self.html.clone();
        for tag in tags(&html) {
            match tag {
                Tag::Open(name) => stack.push(name),
                Tag::Close(name) => {
                    if let Some(at) = stack.iter().rposition(|n| *n == name) {
                        stack.truncate(at);
                    }
                }
            }
            if self.depth + stack.len() >= self.max {
                return Event::Text(html);
            }
        }
        self.html = stack;
        wrap(html)
    }
}

enum Tag {
    Open(String),
    Close(String),
}

/// The element tags in a piece of raw HTML, read simply: `<name ...>` opens unless the
/// element is void or the tag ends in `/>`, `</name>` closes; comments and declarations
/// are skipped.
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = rest.get(lt + 1..).unwrap_or("");
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after
                .find("-->")
                .and_then(|e| after.get(e + 3..))
                .unwrap_or("");
            continue;
        }
        let close = rest.starts_with('/');
        let name_from = usize::from(close);
        let name: String = rest
            .get(name_from..)
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        let end = rest.find('>');
        let self_closing = end
            .and_then(|e| rest.get(..e))
            .is_some_and(|t| t.ends_with('/'));
        if let Some(e) = end {
            rest = rest.get(e + 1..).unwrap_or("");
        }
        let starts_with_letter = name.starts_with(|c: char| c.is_ascii_alphabetic());
        if !starts_with_letter {
            continue;
        }
        if close {
            out.push(Tag::Close(name));
        } else if !self_closing && !VOID.contains(&name.as_str()) {
            out.push(Tag::Open(name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(markdown: &str) -> String {
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, events(markdown));
        out
    }

    #[test]
    fn shallow_markdown_is_unchanged() {
        let md = "> quote\n>\n> - a *b* [c](#d)\n\n<div><p>x</p><br></div>\n";
        let mut plain = String::new();
        pulldown_cmark::html::push_html(&mut plain, Parser::new_ext(md, options()));
        assert_eq!(html(md), plain);
    }

    #[test]
    fn deep_markdown_is_capped() {
        let md = format!("{} deep\n", ">".repeat(10_000));
        let out = html(&md);
        assert_eq!(out.matches("<blockquote>").count(), DEFAULT_MAX_NESTING);
        assert!(out.contains("deep"));
    }

    #[test]
    fn deep_raw_html_becomes_text() {
        let md = format!("x {} y\n", "<span>".repeat(10_000));
        let out = html(&md);
        assert!(out.matches("<span>").count() < DEFAULT_MAX_NESTING);
        assert!(out.contains("&lt;span&gt;"));
    }

    #[test]
    fn closed_html_does_not_count() {
        let md = format!("{}\n", "<b>x</b> ".repeat(10_000));
        assert_eq!(html(&md).matches("<b>").count(), 10_000);
    }
}
