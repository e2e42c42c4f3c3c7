//! Checklist blocks (`> [!div class="checklist"]` in all its spellings) and the items
//! their links anchor to.

use std::collections::HashSet;
use std::ops::Range;

use crate::diag::Diagnostic;
use crate::model::Item;
use crate::parse::{Kind, Node};

use super::text::{join_blocks, source_markdown};
use super::{callout, Ctx};

/// One checklist block at the top level.
#[derive(Debug)]
pub struct Checklist {
    /// Index of the blockquote among the top-level blocks.
    pub block: usize,
    /// A bold-only paragraph just above it (`**Key strategies**`), part of the block.
    pub caption: Option<usize>,
    pub links: Vec<Link>,
}

/// A checklist item that links to an in-page anchor.
#[derive(Debug)]
pub struct Link {
    pub title: String,
    pub anchor: String,
    pub range: Range<usize>,
}

/// Is the first line of this paragraph the checklist marker?
fn is_marker(node: &Node, text: &str) -> bool {
    if node.kind != Kind::Paragraph {
        return false;
    }
    let src = text.get(node.range.clone()).unwrap_or("");
    let first = src.lines().next().unwrap_or("");
    let squeezed: String = first
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if c == '\'' {
                '"'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    squeezed == "[!divclass=\"checklist\"]"
}

/// Is this blockquote a checklist block?
pub fn is_checklist(node: &Node, text: &str) -> bool {
    matches!(node.kind, Kind::BlockQuote(None))
        && node
            .children
            .iter()
            .find(|c| c.kind == Kind::Paragraph)
            .is_some_and(|p| is_marker(p, text))
}

/// The inline content of a list item (tight items hold it directly, loose ones in a
/// paragraph).
pub fn item_inlines(item: &Node) -> &[Node] {
    match item.children.first() {
        Some(p) if p.kind == Kind::Paragraph => &p.children,
        _ => {
            let end = item
                .children
                .iter()
                .position(Node::is_block)
                .unwrap_or(item.children.len());
            &item.children[..end]
        }
    }
}

/// All checklist blocks among the top-level blocks.
pub fn find(ctx: &Ctx) -> Vec<Checklist> {
    let text = ctx.text();
    let mut out = Vec::new();
    for (i, node) in ctx.blocks.iter().enumerate() {
        if !is_checklist(node, text) {
            continue;
        }
        let caption = i.checked_sub(1).filter(|&p| is_caption(&ctx.blocks[p]));
        let mut links = Vec::new();
        for list in node
            .children
            .iter()
            .filter(|c| matches!(c.kind, Kind::List(_)))
        {
            for item in list.children.iter().filter(|c| c.kind == Kind::Item) {
                let inlines = item_inlines(item);
                let link = inlines
                    .iter()
                    .find(|n| matches!(&n.kind, Kind::Link(d) if d.starts_with('#')));
                if let Some(link) = link {
                    if let Kind::Link(dest) = &link.kind {
                        links.push(Link {
                            title: normalize_space(&link.plain_text()),
                            anchor: dest.trim_start_matches('#').to_string(),
                            range: item.range.clone(),
                        });
                    }
                }
            }
        }
        out.push(Checklist {
            block: i,
            caption,
            links,
        });
    }
    out
}

/// A paragraph that is one bold run and nothing else.
fn is_caption(node: &Node) -> bool {
    node.kind == Kind::Paragraph
        && node.children.len() == 1
        && node
            .children
            .first()
            .is_some_and(|c| c.kind == Kind::Strong)
}

pub fn normalize_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The stable id of a key: UUID v5 in the URL namespace.
pub fn item_id(key: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, key.as_bytes()).to_string()
}

/// Builds a maturity-model item: the link, the heading it anchors to, and what stands
/// under that heading until the next heading of the same or a higher level, or `end`.
pub fn strategy_item(ctx: &mut Ctx, link: &Link, end: usize, owned: &mut HashSet<usize>) -> Item {
    let text = ctx.text();
    let key = format!("{}#{}", ctx.file.path, link.anchor);
    let mut item = Item {
        id: item_id(&key),
        key,
        kind: "strategy".to_string(),
        code: None,
        anchor: link.anchor.clone(),
        title: link.title.clone(),
        heading: None,
        body: String::new(),
        callouts: Vec::new(),
        source: ctx.source(&link.range),
        pillar: None,
        scope: None,
        benefit: None,
        url: None,
        guide: None,
    };
    let Some(&hi) = ctx.by_anchor.get(&link.anchor) else {
        let mut d = Diagnostic::error(
            "missing-anchor",
            &ctx.file.path,
            format!(
                "checklist item links to `#{}`, which no heading in this file has",
                link.anchor
            ),
        )
        .label("no heading has this anchor");
        d = match closest_anchor(ctx, &link.anchor) {
            Some(near) => d.help(format!("did you mean `#{near}`?")),
            None => d.help("add the heading, or fix the link's anchor (the docs platform's rule: lowercase letters and digits, spaces become `-`, other characters dropped)"),
        };
        let range = anchor_range(text, &link.range, &link.anchor);
        let d = ctx.diag_at(d, range);
        ctx.diags.push(d);
        return item;
    };
    let heading = &ctx.headings[hi];
    item.heading = Some(heading.text.clone());
    item.source = ctx.source(&heading.range);
    let Some(top) = heading.top else {
        return item;
    };
    let level = heading.level;
    let mut body = Vec::new();
    let mut i = top + 1;
    while i < end {
        let node = &ctx.blocks[i];
        if let Kind::Heading(l) = node.kind {
            if l <= level {
                break;
            }
        }
        owned.insert(i);
        match callout::recognize(node, text) {
            Some(c) => item.callouts.push(c),
            None => body.push(source_markdown(text, &node.range)),
        }
        i += 1;
    }
    owned.insert(top);
    item.body = join_blocks(body);
    item
}

/// The byte range of `#anchor` inside a list item's source, for the diagnostic's caret.
fn anchor_range(text: &str, item: &Range<usize>, anchor: &str) -> Range<usize> {
    let needle = format!("#{anchor}");
    text.get(item.clone())
        .and_then(|s| s.find(&needle))
        .map(|p| (item.start + p)..(item.start + p + needle.len()))
        .unwrap_or(item.clone())
}

/// The heading anchor closest to a missing one, when it is close enough to be a typo.
fn closest_anchor(ctx: &Ctx, missing: &str) -> Option<String> {
    ctx.headings
        .iter()
        .map(|h| (strsim::levenshtein(&h.anchor, missing), &h.anchor))
        .filter(|(d, a)| *d <= (a.chars().count().max(missing.chars().count()) / 3).max(2))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, a)| a.clone())
}
