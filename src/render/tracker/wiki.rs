//! Markdown to Jira wiki markup, for Jira's CSV importer, which reads `Description` as wiki
//! markup. It walks pulldown-cmark's events (with the parse step's options), so emphasis,
//! lists, tables, code and links come out as Jira shows them, and text that Jira would
//! read as markup is escaped.

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, Event, LinkType, Parser, Tag, TagEnd};

use crate::parse::options;

/// Converts Markdown to Jira wiki markup.
pub fn to_wiki(markdown: &str) -> String {
    let mut w = Wiki::default();
    for event in Parser::new_ext(markdown, options()) {
        w.event(event);
    }
    w.out.trim().to_string()
}

/// Escapes plain text for wiki markup (a heading, a label shown as text).
pub fn escape(text: &str) -> String {
    let mut out = String::new();
    escape_into(&mut out, text);
    out
}

#[derive(Default)]
struct Wiki {
    out: String,
    /// Open lists, innermost last: `true` when ordered.
    lists: Vec<bool>,
    /// Where the content of the current list item or table cell starts in `out`.
    mark: usize,
    /// Inside a table cell.
    cell: bool,
    /// Inside the table head.
    head: bool,
    /// Open block quotes.
    quotes: usize,
    /// A quote (and its alert label) was just opened: its first block needs no separation.
    quote_opened: bool,
    /// Inside a code block: its language for `{code}`, and its text so far.
    code: Option<(Option<&'static str>, String)>,
    /// Open links: where each one's text starts in `out`, its target (`None`: shown as
    /// text only), and whether it is an autolink (shown as the bare `[url]`).
    links: Vec<(usize, Option<String>, bool)>,
    /// Open images (their alt text is not shown).
    images: usize,
}

impl Wiki {
    fn inline_container(&self) -> bool {
        self.cell || !self.lists.is_empty()
    }

    /// Separates a new block from what precedes it: a line break inside a list item or
    /// table cell (wiki markup has no blocks there), else a blank line.
    fn block(&mut self) {
        if self.inline_container() {
            if self.out.len() > self.mark {
                self.line_break();
            }
            return;
        }
        if std::mem::take(&mut self.quote_opened) || self.out.is_empty() {
            return;
        }
        trim_end_spaces(&mut self.out);
        while !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn line_break(&mut self) {
        trim_end_spaces(&mut self.out);
        if self.out.len() > self.mark && !self.out.ends_with("\\\\") {
            self.out.push_str("\\\\ ");
        }
    }

    fn newline(&mut self) {
        trim_end_spaces(&mut self.out);
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn text(&mut self, t: &str) {
        if self.images > 0 {
            return;
        }
        if let Some((_, body)) = &mut self.code {
            body.push_str(t);
        } else {
            escape_into(&mut self.out, t);
        }
    }

    /// A code block as `{code:LANG}` or `{noformat}`, whichever its text cannot close;
    /// text that holds both closing tags becomes escaped lines.
    fn code_block(&mut self, lang: Option<&'static str>, body: &str) {
        let body = body.strip_suffix('\n').unwrap_or(body);
        let (open, close) = match lang {
            Some(lang) if !body.contains("{code") => (format!("{{code:{lang}}}"), "{code}"),
            _ if !body.contains("{noformat") => ("{noformat}".to_string(), "{noformat}"),
            _ if !body.contains("{code") => ("{code}".to_string(), "{code}"),
            _ => {
                for (n, line) in body.lines().enumerate() {
                    if n > 0 {
                        self.line_break();
                    }
                    escape_into(&mut self.out, line);
                }
                return;
            }
        };
        self.out.push_str(&open);
        self.out.push('\n');
        self.out.push_str(body);
        self.out.push('\n');
        self.out.push_str(close);
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t),
            Event::Code(t) => {
                if self.images == 0 && !t.is_empty() {
                    self.out.push_str("{{");
                    escape_into(&mut self.out, &t);
                    self.out.push_str("}}");
                }
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t),
            Event::Html(_) => {}
            Event::InlineHtml(t) => {
                if breaks_line(&t) && self.images == 0 {
                    self.line_break();
                }
            }
            Event::SoftBreak => self.out.push(' '),
            Event::HardBreak => self.line_break(),
            Event::Rule => {
                self.block();
                self.out.push_str("----");
            }
            Event::TaskListMarker(done) => {
                self.out
                    .push_str(if done { "\\[x\\] " } else { "\\[ \\] " });
            }
            Event::FootnoteReference(t) => {
                self.out.push_str("\\[");
                escape_into(&mut self.out, &t);
                self.out.push_str("\\]");
            }
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph | Tag::HtmlBlock => self.block(),
            Tag::Heading { level, .. } => {
                self.block();
                if !self.inline_container() {
                    self.out.push_str(&format!("h{}. ", level as u8));
                }
            }
            Tag::BlockQuote(kind) => {
                self.block();
                if self.quotes == 0 && !self.inline_container() {
                    self.out.push_str("{quote}\n");
                    self.quote_opened = true;
                }
                self.quotes += 1;
                if let Some(kind) = kind {
                    self.out.push('*');
                    self.out.push_str(alert_label(kind));
                    self.out.push_str(":* ");
                }
            }
            Tag::CodeBlock(kind) => {
                self.block();
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => language(info),
                    CodeBlockKind::Indented => None,
                };
                self.code = Some((lang, String::new()));
            }
            Tag::List(start) => {
                if self.lists.is_empty() {
                    self.block();
                }
                self.lists.push(start.is_some());
            }
            Tag::Item => {
                self.newline();
                let markers: String = self
                    .lists
                    .iter()
                    .map(|&ordered| if ordered { '#' } else { '*' })
                    .collect();
                self.out.push_str(&markers);
                self.out.push(' ');
                self.mark = self.out.len();
            }
            Tag::Table(_) => self.block(),
            Tag::TableHead => self.head = true,
            Tag::TableRow => {}
            Tag::TableCell => {
                self.out.push_str(if self.head { "||" } else { "|" });
                self.cell = true;
                self.mark = self.out.len();
            }
            Tag::Emphasis => self.out.push('_'),
            Tag::Strong => self.out.push('*'),
            Tag::Strikethrough => self.out.push('-'),
            Tag::Superscript => self.out.push('^'),
            Tag::Subscript => self.out.push('~'),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                if self.images > 0 {
                    return;
                }
                let (target, auto) = match link_type {
                    LinkType::Email => (Some(format!("mailto:{dest_url}")), true),
                    LinkType::Autolink => (link_target(&dest_url), true),
                    _ => (link_target(&dest_url), false),
                };
                if target.is_some() {
                    self.out.push('[');
                }
                self.links.push((self.out.len(), target, auto));
            }
            Tag::Image { dest_url, .. } => {
                if self.images == 0 && is_web(&dest_url) {
                    self.out.push('!');
                    self.out.push_str(&encode_url(&dest_url));
                    self.out.push('!');
                }
                self.images += 1;
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::BlockQuote(_) => {
                self.quotes = self.quotes.saturating_sub(1);
                if self.quotes == 0 && !self.inline_container() {
                    self.newline();
                    self.out.push_str("{quote}");
                }
            }
            TagEnd::CodeBlock => {
                if let Some((lang, body)) = self.code.take() {
                    self.code_block(lang, &body);
                }
            }
            TagEnd::List(_) => {
                self.lists.pop();
            }
            TagEnd::Item => {}
            TagEnd::TableHead => {
                self.out.push_str("||\n");
                self.head = false;
            }
            TagEnd::TableRow => self.out.push_str("|\n"),
            TagEnd::TableCell => {
                trim_end_spaces(&mut self.out);
                if self.out.ends_with("\\\\") {
                    self.out.truncate(self.out.len() - 2);
                }
                if self.out.len() == self.mark {
                    self.out.push(' ');
                }
                self.cell = false;
            }
            TagEnd::Table => trim_end_newlines(&mut self.out),
            TagEnd::Emphasis => self.out.push('_'),
            TagEnd::Strong => self.out.push('*'),
            TagEnd::Strikethrough => self.out.push('-'),
            TagEnd::Superscript => self.out.push('^'),
            TagEnd::Subscript => self.out.push('~'),
            TagEnd::Link => {
                if self.images > 0 {
                    return;
                }
                if let Some((start, Some(url), auto)) = self.links.pop() {
                    if auto || self.out.len() == start {
                        self.out.truncate(start);
                        self.out.push_str(&encode_url(&url));
                    } else {
                        self.out.push('|');
                        self.out.push_str(&encode_url(&url));
                    }
                    self.out.push(']');
                }
            }
            TagEnd::Image => self.images = self.images.saturating_sub(1),
            _ => {}
        }
    }
}

fn trim_end_spaces(s: &mut String) {
    let keep = s.trim_end_matches([' ', '\t']).len();
    s.truncate(keep);
}

fn trim_end_newlines(s: &mut String) {
    let keep = s.trim_end_matches('\n').len();
    s.truncate(keep);
}

fn alert_label(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "Note",
        BlockQuoteKind::Tip => "Tip",
        BlockQuoteKind::Important => "Important",
        BlockQuoteKind::Warning => "Warning",
        BlockQuoteKind::Caution => "Caution",
    }
}

/// `<br>`, `<br/>`, `</br>`, `<BR>`, and the ends of HTML paragraphs and list items.
fn breaks_line(html: &str) -> bool {
    let tag: String = html
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/')
        .trim()
        .to_ascii_lowercase();
    matches!(tag.as_str(), "br" | "/br" | "/p" | "/li")
}

/// The languages Jira's `{code}` macro knows, from the names fences use.
fn language(info: &str) -> Option<&'static str> {
    let word = info.split_whitespace().next().unwrap_or("");
    Some(match word.to_ascii_lowercase().as_str() {
        "bash" | "sh" | "shell" | "console" | "azurecli" | "azurecli-interactive" => "bash",
        "c" => "c",
        "csharp" | "cs" | "c#" => "c#",
        "cpp" | "c++" => "c++",
        "css" => "css",
        "go" | "golang" => "go",
        "html" => "html",
        "java" => "java",
        "javascript" | "js" => "javascript",
        "json" => "json",
        "python" | "py" => "python",
        "ruby" | "rb" => "ruby",
        "sql" | "kusto" => "sql",
        "xml" => "xml",
        "yaml" | "yml" => "yaml",
        _ => return None,
    })
}

fn is_web(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Where a link may point from a ticket: web and mail addresses, and paths (kept as the
/// docs write them). In-page anchors and other schemes are shown as text only.
fn link_target(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.starts_with('#') {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    let scheme = lower
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| !s.contains(['/', '?', '#']));
    match scheme {
        Some("http" | "https" | "mailto") | None => Some(url.to_string()),
        Some(_) => None,
    }
}

/// A URL as a wiki link target: the characters that end a link or an image encoded.
fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.trim().chars() {
        match c {
            '|' => out.push_str("%7C"),
            ']' => out.push_str("%5D"),
            '[' => out.push_str("%5B"),
            '!' => out.push_str("%21"),
            ' ' => out.push_str("%20"),
            _ => out.push(c),
        }
    }
    out
}

/// Jira's emoticons written with parentheses: `(x)`, `(/)`, `(on)` ...
const EMOTICONS: [&str; 14] = [
    "x)", "/)", "!)", "?)", "i)", "y)", "n)", "on)", "off)", "*)", "+)", "-)", "*r)", "*g)",
];

/// Appends `text`, escaping what Jira would read as markup: `{ } [ ] | !` always (macros,
/// links, tables, images); `* _ - + ^ ~` where they could open or close an effect (at a
/// word's edge); `??`; `#` at a line's start; emoticons such as `(x)` and `:)`.
fn escape_into(out: &mut String, text: &str) {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i == 0 {
            out.chars().last()
        } else {
            chars.get(i - 1).copied()
        };
        let next = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let edge = !word(prev) || !word(next);
        let escape = match c {
            '{' | '}' | '[' | ']' | '|' | '!' => true,
            '*' | '_' | '-' | '+' | '^' | '~' => edge,
            '?' => prev == Some('?') || next == Some('?'),
            '#' => matches!(prev, None | Some('\n')),
            '(' => {
                let rest: String = chars[i + 1..].iter().take(4).collect();
                EMOTICONS.iter().any(|e| rest.starts_with(e))
            }
            ':' | ';' => {
                matches!(next, Some(')' | '(' | 'P' | 'D' | 'p' | 'd'))
                    && !word(chars.get(i + 2).copied())
            }
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_effects() {
        assert_eq!(
            to_wiki("Use **strong** and *soft* and `code` and ~~gone~~.\n\nNext."),
            "Use *strong* and _soft_ and {{code}} and -gone-.\n\nNext."
        );
    }

    #[test]
    fn soft_breaks_become_spaces() {
        assert_eq!(to_wiki("one\ntwo"), "one two");
        assert_eq!(to_wiki("one  \ntwo"), "one\\\\ two");
        assert_eq!(to_wiki("one<br><br> two"), "one\\\\ two");
    }

    #[test]
    fn lists_nest() {
        assert_eq!(
            to_wiki("Intro:\n\n- a\n- b\n  1. c\n  2. d\n- e"),
            "Intro:\n\n* a\n* b\n*# c\n*# d\n* e"
        );
    }

    #[test]
    fn loose_list_items_keep_one_line() {
        assert_eq!(to_wiki("- a\n\n  more\n- b"), "* a\\\\ more\n* b");
    }

    #[test]
    fn links_and_images() {
        assert_eq!(
            to_wiki("See [the guide](https://x.test/a|b) and <https://y.test>."),
            "See [the guide|https://x.test/a%7Cb] and [https://y.test]."
        );
        assert_eq!(
            to_wiki("<https://x.test/a#-b_c> <me@x.test>"),
            "[https://x.test/a#-b_c] [mailto:me@x.test]"
        );
        assert_eq!(
            to_wiki("[in page](#anchor), [site](/azure/x), [bad](javascript:alert(1))"),
            "in page, [site|/azure/x], bad"
        );
        assert_eq!(
            to_wiki("![Goal icon](../_images/goal.svg) ![pic](https://x.test/p.png)"),
            "!https://x.test/p.png!"
        );
    }

    #[test]
    fn headings_quotes_rules() {
        assert_eq!(
            to_wiki("## Title\n\n> quoted\n\n---\n\nafter"),
            "h2. Title\n\n{quote}\nquoted\n{quote}\n\n----\n\nafter"
        );
        assert_eq!(
            to_wiki("> [!NOTE]\n> Mind this."),
            "{quote}\n*Note:* Mind this.\n{quote}"
        );
    }

    #[test]
    fn code_blocks() {
        assert_eq!(
            to_wiki("```bash\necho *x* {y}\n```"),
            "{code:bash}\necho *x* {y}\n{code}"
        );
        assert_eq!(
            to_wiki("```text\nplain\n```\n\n    indented"),
            "{noformat}\nplain\n{noformat}\n\n{noformat}\nindented\n{noformat}"
        );
    }

    #[test]
    fn code_that_holds_a_closing_tag() {
        assert_eq!(
            to_wiki("```bash\necho {code}\n```"),
            "{noformat}\necho {code}\n{noformat}"
        );
    }

    #[test]
    fn tables() {
        assert_eq!(
            to_wiki("| A | B |\n|---|---|\n| 1<br>2 | x \\| y |\n| | z |"),
            "||A||B||\n|1\\\\ 2|x \\| y|\n| |z|"
        );
    }

    #[test]
    fn escapes_markup_in_text() {
        assert_eq!(escape("a {b} [c] d|e!"), "a \\{b\\} \\[c\\] d\\|e\\!");
        assert_eq!(
            escape("well-defined 2+3 snake_case"),
            "well-defined 2+3 snake_case"
        );
        assert_eq!(escape("-2+3"), "\\-2+3");
        assert_eq!(escape("+SUM(A1)"), "\\+SUM(A1)");
        assert_eq!(escape("a - b * c"), "a \\- b \\* c");
        assert_eq!(
            escape("why?? (x) (on) :) C#"),
            "why\\?\\? \\(x) \\(on) \\:) C#"
        );
        assert_eq!(escape("# not a list"), "\\# not a list");
        assert_eq!(escape("----"), "\\-\\-\\-\\-");
    }

    #[test]
    fn task_markers_and_html() {
        assert_eq!(
            to_wiki("- [ ] todo\n- [x] done"),
            "* \\[ \\] todo\n* \\[x\\] done"
        );
        assert_eq!(to_wiki("<!-- hidden -->\n\nshown"), "shown");
    }
}
