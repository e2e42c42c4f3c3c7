//! Markdown to a block tree, in one pulldown-cmark pass.
//!
//! Recognizers need to look at blocks, their children and the exact source they came
//! from (a checklist marker is three Text events; a callout is known by its first line).
//! This module turns the event stream into a small tree that keeps every node's byte
//! range, so nothing downstream parses the Markdown again.

pub mod anchor;
pub mod limit;
pub mod lines;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag};
use std::ops::Range;

/// What a node is. Containers have children; leaves carry their text.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Paragraph,
    Heading(u8),
    BlockQuote(Option<Alert>),
    CodeBlock,
    HtmlBlock,
    List(Option<u64>),
    Item,
    Table,
    TableHead,
    TableRow,
    TableCell,
    Rule,
    Emphasis,
    Strong,
    Strikethrough,
    Link(String),
    Image(String),
    Text(String),
    Code(String),
    Html(String),
    SoftBreak,
    HardBreak,
    TaskMarker(bool),
    Other,
}

/// The five GFM alert kinds (`> [!NOTE]` ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    /// Byte range in the whole file (front matter included).
    pub range: Range<usize>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn is_block(&self) -> bool {
        matches!(
            self.kind,
            Kind::Paragraph
                | Kind::Heading(_)
                | Kind::BlockQuote(_)
                | Kind::CodeBlock
                | Kind::HtmlBlock
                | Kind::List(_)
                | Kind::Item
                | Kind::Table
                | Kind::Rule
        )
    }

    /// The node's inline text: text, code and link text kept, markup and HTML dropped.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        self.push_plain(&mut out);
        out
    }

    fn push_plain(&self, out: &mut String) {
        match &self.kind {
            Kind::Text(t) | Kind::Code(t) => out.push_str(t),
            Kind::SoftBreak | Kind::HardBreak => out.push(' '),
            Kind::Html(_) | Kind::Image(_) => {}
            _ => {
                for c in &self.children {
                    c.push_plain(out);
                }
            }
        }
    }

    /// Children that are blocks (for list items, whose tight paragraphs are implicit).
    pub fn first_child(&self) -> Option<&Node> {
        self.children.first()
    }
}

/// The Markdown options of the whole project, set in one place.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_GFM
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// The deepest a block tree may nest by default (blockquotes, lists, emphasis, links ...
/// together). Real pages stay under ten; the limit keeps every recursive walk over the tree
/// (text extraction, recognizers, dropping it) far from the stack's end.
pub const DEFAULT_MAX_NESTING: usize = 128;

/// A block tree and what had to be left out of it.
#[derive(Debug, Default)]
pub struct Parsed {
    pub blocks: Vec<Node>,
    /// Where the first element deeper than the limit starts, when there was one. Elements
    /// below the limit are not nodes of their own: their text goes to their deepest
    /// ancestor within the limit, and their source stays in that ancestor's range.
    pub too_deep: Option<Range<usize>>,
    /// The deepest nesting seen in the source.
    pub deepest: usize,
}

/// Parses `text[start..]` (the part after the front matter) into top-level blocks whose
/// ranges are offsets into `text`, nesting at most `DEFAULT_MAX_NESTING` deep.
pub fn parse(text: &str, start: usize) -> Vec<Node> {
    parse_limited(text, start, DEFAULT_MAX_NESTING).blocks
}

/// `parse` with a nesting limit: the tree is never deeper than `max_depth` nodes below the
/// top level, whatever the input; deeper elements are flattened into their ancestor.
pub fn parse_limited(text: &str, start: usize, max_depth: usize) -> Parsed {
    let max_depth = max_depth.max(1);
    let body = text.get(start..).unwrap_or("");
    let mut stack: Vec<Node> = vec![Node {
        kind: Kind::Other,
        range: 0..0,
        children: Vec::new(),
    }];
    // Open elements that got no node because the stack was full.
    let mut flattened = 0usize;
    let mut too_deep = None;
    let mut deepest = 0usize;
    for (event, r) in Parser::new_ext(body, options()).into_offset_iter() {
        let range = (r.start + start)..(r.end + start);
        match event {
            Event::Start(tag) => {
                let depth = stack.len() + flattened;
                deepest = deepest.max(depth);
                if stack.len() > max_depth {
                    flattened += 1;
                    if too_deep.is_none() {
                        too_deep = Some(range);
                    }
                } else {
                    stack.push(Node {
                        kind: tag_kind(tag),
                        range,
                        children: Vec::new(),
                    });
                }
            }
            Event::End(_) => {
                if flattened > 0 {
                    flattened -= 1;
                } else if stack.len() > 1 {
                    if let Some(node) = stack.pop() {
                        if let Some(parent) = stack.last_mut() {
                            parent.children.push(node);
                        }
                    }
                }
            }
            other => {
                let kind = match other {
                    Event::Text(t) => Kind::Text(t.into_string()),
                    Event::Code(t) => Kind::Code(t.into_string()),
                    Event::Html(t) | Event::InlineHtml(t) => Kind::Html(t.into_string()),
                    Event::SoftBreak => Kind::SoftBreak,
                    Event::HardBreak => Kind::HardBreak,
                    Event::Rule => Kind::Rule,
                    Event::TaskListMarker(done) => Kind::TaskMarker(done),
                    _ => Kind::Other,
                };
                if let Some(parent) = stack.last_mut() {
                    // Adjacent text events (entities split them) are merged.
                    if let (Kind::Text(new), Some(last)) = (&kind, parent.children.last_mut()) {
                        if let Kind::Text(prev) = &mut last.kind {
                            if last.range.end == range.start {
                                prev.push_str(new);
                                last.range.end = range.end;
                                continue;
                            }
                        }
                    }
                    parent.children.push(Node {
                        kind,
                        range,
                        children: Vec::new(),
                    });
                }
            }
        }
    }
    // Unbalanced stacks cannot happen with pulldown-cmark, but fold them up anyway.
    while stack.len() > 1 {
        if let Some(node) = stack.pop() {
            if let Some(parent) = stack.last_mut() {
                parent.children.push(node);
            }
        }
    }
    Parsed {
        blocks: stack.pop().map(|root| root.children).unwrap_or_default(),
        too_deep,
        deepest,
    }
}

fn tag_kind(tag: Tag<'_>) -> Kind {
    match tag {
        Tag::Paragraph => Kind::Paragraph,
        Tag::Heading { level, .. } => Kind::Heading(heading_level(level)),
        Tag::BlockQuote(kind) => Kind::BlockQuote(kind.map(|k| match k {
            BlockQuoteKind::Note => Alert::Note,
            BlockQuoteKind::Tip => Alert::Tip,
            BlockQuoteKind::Important => Alert::Important,
            BlockQuoteKind::Warning => Alert::Warning,
            BlockQuoteKind::Caution => Alert::Caution,
        })),
        Tag::CodeBlock(CodeBlockKind::Fenced(_) | CodeBlockKind::Indented) => Kind::CodeBlock,
        Tag::HtmlBlock => Kind::HtmlBlock,
        Tag::List(start) => Kind::List(start),
        Tag::Item => Kind::Item,
        Tag::Table(_) => Kind::Table,
        Tag::TableHead => Kind::TableHead,
        Tag::TableRow => Kind::TableRow,
        Tag::TableCell => Kind::TableCell,
        Tag::Emphasis => Kind::Emphasis,
        Tag::Strong => Kind::Strong,
        Tag::Strikethrough => Kind::Strikethrough,
        Tag::Link { dest_url, .. } => Kind::Link(dest_url.into_string()),
        Tag::Image { dest_url, .. } => Kind::Image(dest_url.into_string()),
        _ => Kind::Other,
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}
