//! Sanitized HTML straight from Markdown events, without parsing HTML again.
//!
//! `to_html` renders with pulldown-cmark and cleans the result with ammonia, which parses
//! the HTML (html5ever), filters it and serializes it again: that round trip cost more than
//! everything else in a build. For Markdown that holds no raw HTML, what comes out of it is
//! known in advance: the tags pulldown-cmark writes, minus the attributes ammonia does not
//! allow, with `rel="noopener noreferrer"` on links, URLs of other schemes dropped, and
//! html5ever's escaping. This module writes exactly that. Whatever it does not know (raw
//! HTML, task markers, carriage returns...) makes it give up, and the caller takes the
//! ammonia path; tests compare both paths on every fragment of the corpus.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, LinkType, Tag, TagEnd};

/// Renders `events` as `to_html` would, or `None` when they hold anything this writer does
/// not know. Every event is shown to `see` before it is written.
pub fn render<'a>(
    events: impl Iterator<Item = Event<'a>>,
    capacity: usize,
    see: &mut impl FnMut(&Event),
) -> Option<String> {
    let mut w = Writer {
        out: String::with_capacity(capacity),
        end_newline: true,
        in_head: false,
        links: 0,
    };
    let mut events = events;
    while let Some(event) = events.next() {
        see(&event);
        match event {
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let alt = alt_text(&mut events, see)?;
                w.image(&dest_url, &title, &alt);
            }
            Event::Start(tag) => w.start(tag)?,
            Event::End(tag) => w.end(tag)?,
            Event::Text(text) => {
                text_escaped(&mut w.out, &text);
                w.end_newline = text.ends_with('\n');
            }
            Event::Code(text) => {
                w.write("<code>");
                text_escaped(&mut w.out, &text);
                w.write("</code>");
            }
            Event::SoftBreak => w.newline(),
            Event::HardBreak => w.write("<br>\n"),
            Event::Rule => {
                if w.end_newline {
                    w.write("<hr>\n");
                } else {
                    w.write("\n<hr>\n");
                }
            }
            _ => return None,
        }
    }
    Some(w.out)
}

/// Is the Markdown free of what the fast path does not handle at the character level?
pub fn plain_input(markdown: &str) -> bool {
    !markdown.contains(['\r', '\0'])
}

struct Writer {
    out: String,
    end_newline: bool,
    in_head: bool,
    links: usize,
}

impl Writer {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        if !s.is_empty() {
            self.end_newline = s.ends_with('\n');
        }
    }

    fn newline(&mut self) {
        self.end_newline = true;
        self.out.push('\n');
    }

    /// A block start tag, on a new line.
    fn block(&mut self, tag: &str) {
        if !self.end_newline {
            self.out.push('\n');
        }
        self.write(tag);
    }

    fn start(&mut self, tag: Tag) -> Option<()> {
        match tag {
            Tag::Paragraph => self.block("<p>"),
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                if id.is_some() || !classes.is_empty() || !attrs.is_empty() {
                    return None;
                }
                self.block(&format!("<{level}>"));
            }
            Tag::Table(alignments) => {
                // The alignment becomes a style attribute, which the sanitizer drops.
                let _: Vec<Alignment> = alignments;
                self.write("<table>");
            }
            Tag::TableHead => {
                self.in_head = true;
                self.write("<thead><tr>");
            }
            Tag::TableRow => self.write("<tr>"),
            Tag::TableCell => self.write(if self.in_head { "<th>" } else { "<td>" }),
            // Alert classes are dropped by the sanitizer.
            Tag::BlockQuote(_) => self.block("<blockquote>\n"),
            Tag::CodeBlock(kind) => {
                if !self.end_newline {
                    self.newline();
                }
                // The language class is dropped by the sanitizer.
                let _ = matches!(kind, CodeBlockKind::Fenced(_));
                self.write("<pre><code>");
            }
            Tag::List(Some(1)) => self.block("<ol>\n"),
            Tag::List(Some(start)) => self.block(&format!("<ol start=\"{start}\">\n")),
            Tag::List(None) => self.block("<ul>\n"),
            Tag::Item => self.block("<li>"),
            Tag::Emphasis => self.write("<em>"),
            Tag::Strong => self.write("<strong>"),
            Tag::Strikethrough => self.write("<del>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                if self.links > 0 {
                    return None;
                }
                self.links += 1;
                let mut href = String::new();
                if link_type == LinkType::Email {
                    href.push_str("mailto:");
                }
                href_value(&mut href, &dest_url);
                self.out.push_str("<a");
                if url_allowed(&href) {
                    self.out.push_str(" href=\"");
                    attr_escaped(&mut self.out, &href);
                    self.out.push('"');
                }
                if !title.is_empty() {
                    self.out.push_str(" title=\"");
                    attr_escaped(&mut self.out, &title);
                    self.out.push('"');
                }
                self.write(" rel=\"noopener noreferrer\">");
            }
            _ => return None,
        }
        Some(())
    }

    fn end(&mut self, tag: TagEnd) -> Option<()> {
        match tag {
            TagEnd::Paragraph => self.write("</p>\n"),
            TagEnd::Heading(level) => self.write(&format!("</{level}>\n")),
            TagEnd::Table => self.write("</tbody></table>\n"),
            TagEnd::TableHead => {
                self.in_head = false;
                self.write("</tr></thead><tbody>\n");
            }
            TagEnd::TableRow => self.write("</tr>\n"),
            TagEnd::TableCell => self.write(if self.in_head { "</th>" } else { "</td>" }),
            TagEnd::BlockQuote(_) => self.write("</blockquote>\n"),
            TagEnd::CodeBlock => self.write("</code></pre>\n"),
            TagEnd::List(true) => self.write("</ol>\n"),
            TagEnd::List(false) => self.write("</ul>\n"),
            TagEnd::Item => self.write("</li>\n"),
            TagEnd::Emphasis => self.write("</em>"),
            TagEnd::Strong => self.write("</strong>"),
            TagEnd::Strikethrough => self.write("</del>"),
            TagEnd::Link => {
                self.links = self.links.saturating_sub(1);
                self.write("</a>");
            }
            _ => return None,
        }
        Some(())
    }

    fn image(&mut self, dest: &str, title: &str, alt: &str) {
        let mut src = String::new();
        href_value(&mut src, dest);
        self.out.push_str("<img");
        if url_allowed(&src) {
            self.out.push_str(" src=\"");
            attr_escaped(&mut self.out, &src);
            self.out.push('"');
        }
        self.out.push_str(" alt=\"");
        attr_escaped(&mut self.out, alt);
        self.out.push('"');
        if !title.is_empty() {
            self.out.push_str(" title=\"");
            attr_escaped(&mut self.out, title);
            self.out.push('"');
        }
        self.write(">");
    }
}

/// The text of an image's description, up to its end, as pulldown-cmark writes it into
/// `alt` (before escaping).
fn alt_text<'a>(
    events: &mut impl Iterator<Item = Event<'a>>,
    see: &mut impl FnMut(&Event),
) -> Option<String> {
    let mut alt = String::new();
    let mut nest = 0usize;
    for event in events.by_ref() {
        see(&event);
        match event {
            Event::Start(_) => nest += 1,
            Event::End(_) => {
                if nest == 0 {
                    return Some(alt);
                }
                nest -= 1;
            }
            Event::Text(t) | Event::Code(t) => alt.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::Rule => alt.push(' '),
            _ => return None,
        }
    }
    Some(alt)
}

/// Text as html5ever serializes it: `&`, `<`, `>` and no-break spaces escaped.
fn text_escaped(out: &mut String, s: &str) {
    escaped(out, s, false);
}

/// An attribute value as html5ever serializes it: also `"` escaped.
fn attr_escaped(out: &mut String, s: &str) {
    escaped(out, s, true);
}

fn escaped(out: &mut String, s: &str, attr: bool) {
    let bytes = s.as_bytes();
    let mut mark = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Bytes that never need escaping, skipped a table lookup each.
        if !ESCAPE_MAYBE[bytes[i] as usize] {
            i += 1;
            continue;
        }
        let (rep, len) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' if attr => ("&quot;", 1),
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => ("&nbsp;", 2),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[mark..i]);
        out.push_str(rep);
        i += len;
        mark = i;
    }
    out.push_str(&s[mark..]);
}

/// The first bytes of what [`escaped`] may replace.
static ESCAPE_MAYBE: [bool; 256] = {
    let mut t = [false; 256];
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[0xC2] = true;
    t
};

/// pulldown-cmark's `escape_href` as the HTML parser reads it back: safe bytes as they
/// are, `&` and `'` as themselves (they were written as entities), others percent-encoded.
fn href_value(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = s.as_bytes();
    let mut mark = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'&' || b == b'\'' || (b < 0x80 && href_safe(b)) {
            continue;
        }
        // Bytes between escaped ones are ASCII, so `mark` is a character boundary when
        // anything lies between.
        if mark < i {
            out.push_str(&s[mark..i]);
        }
        out.push('%');
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
        mark = i + 1;
    }
    if mark < s.len() {
        out.push_str(&s[mark..]);
    }
}

/// pulldown-cmark-escape's HREF_SAFE table.
fn href_safe(b: u8) -> bool {
    matches!(b,
        b'!' | b'#'..=b'%' | b'('..=b';' | b'=' | b'?'..=b'Z' | b'^' | b'_' | b'a'..=b'z' | b'~')
}

/// The sanitizer's URL rule: http, https and mailto URLs, and relative ones.
fn url_allowed(value: &str) -> bool {
    // Without a `:` there is no scheme: a relative URL, which is what the parser says of
    // it without a base.
    if memchr::memchr(b':', value.as_bytes()).is_none() {
        return true;
    }
    match url::Url::parse(value) {
        Ok(u) => matches!(u.scheme(), "http" | "https" | "mailto"),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::href_safe;

    /// The table in pulldown-cmark-escape 0.11, row by row.
    const HREF_SAFE: [u8; 128] = [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
        0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, //
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, //
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, //
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, //
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, //
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, //
    ];

    #[test]
    fn href_table_matches() {
        for b in 0..128u8 {
            assert_eq!(href_safe(b), HREF_SAFE[b as usize] == 1, "byte {b}");
        }
    }
}
