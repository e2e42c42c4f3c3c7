//! Checklist blocks (`> [!div class="checklist"]` in all its spellings) and the items in
//! them: link items anchored to `&#10003;` headings (strategies), bold-lead items
//! (practices) and plain items; plus the rows of checklist tables.

use std::collections::HashSet;
use std::ops::Range;

use crate::diag::Diagnostic;
use crate::parse::anchor::slug;
use crate::parse::{Kind, Node};
use crate::render::markdown::{sentence, to_plain};

use super::lead::{self, clean_title, split_scope};
use super::links::{resolve, Target};
use super::table::{breaks, is_box_row, parts, TableForm};
use super::text::join_blocks;
use super::{callout, Ctx, Draft};

/// One checklist block at the top level.
#[derive(Debug)]
pub struct Checklist {
    /// Index of the blockquote among the top-level blocks.
    pub block: usize,
    /// A bold-only paragraph just above it (`**Key strategies**`), part of the block.
    pub caption: Option<usize>,
    /// A stray block that broke the blockquote, and the list blockquote that continues it.
    pub continuation: Option<(usize, usize)>,
    /// Items that link to an in-page anchor.
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
    // The line without whitespace, lowercased, `'` read as `"`, is the marker.
    let mut want = MARKER.chars();
    first
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\'' => '"',
            c => c.to_ascii_lowercase(),
        })
        .all(|c| want.next() == Some(c))
        && want.next().is_none()
}

const MARKER: &str = "[!divclass=\"checklist\"]";

/// Is this blockquote a checklist block?
pub fn is_checklist(node: &Node, text: &str) -> bool {
    matches!(node.kind, Kind::BlockQuote(None))
        && node
            .children
            .iter()
            .find(|c| c.kind == Kind::Paragraph)
            .is_some_and(|p| is_marker(p, text))
}

/// A plain blockquote holding a list (no marker, not a callout).
fn is_list_quote(node: &Node, text: &str) -> bool {
    matches!(node.kind, Kind::BlockQuote(None))
        && node
            .children
            .first()
            .is_some_and(|c| matches!(c.kind, Kind::List(_)))
        && !is_checklist(node, text)
}

/// The inline content of a list item (tight items hold it directly, loose ones in a
/// paragraph), and where that first paragraph ends.
pub fn item_inlines(item: &Node) -> (&[Node], usize, usize) {
    match item.children.first() {
        Some(p) if p.kind == Kind::Paragraph => (&p.children, p.range.end, 1),
        _ => {
            let n = item
                .children
                .iter()
                .position(Node::is_block)
                .unwrap_or(item.children.len());
            let inl = item.children.get(..n).unwrap_or(&[]);
            let end = inl.last().map(|l| l.range.end).unwrap_or(item.range.start);
            (inl, end, n)
        }
    }
}

/// The items of a checklist block and of its continuation.
fn list_items<'a>(ctx: &Ctx<'a>, cl: &Checklist) -> Vec<&'a Node> {
    let blocks: &'a [Node] = ctx.blocks;
    let mut quotes: Vec<&'a Node> = blocks.get(cl.block).into_iter().collect();
    if let Some(q) = cl.continuation.and_then(|(_, q)| blocks.get(q)) {
        quotes.push(q);
    }
    quotes
        .into_iter()
        .flat_map(|q| {
            q.children
                .iter()
                .filter(|c| matches!(c.kind, Kind::List(_)))
        })
        .flat_map(|l| l.children.iter().filter(|c| c.kind == Kind::Item))
        .collect()
}

/// The in-page link an item starts with, if any.
fn leading_link(item: &Node) -> Option<(&Node, &str)> {
    let (inlines, _, _) = item_inlines(item);
    let first = inlines
        .iter()
        .find(|n| !matches!(&n.kind, Kind::Text(t) if t.trim().is_empty()))?;
    match &first.kind {
        Kind::Link(d) if d.starts_with('#') => Some((first, d.as_str())),
        _ => None,
    }
}

/// All checklist blocks among the top-level blocks.
pub fn find(ctx: &mut Ctx) -> Vec<Checklist> {
    let text = ctx.text();
    let blocks = ctx.blocks;
    let mut out = Vec::new();
    for (i, node) in blocks.iter().enumerate() {
        if !is_checklist(node, text) {
            continue;
        }
        let caption = i
            .checked_sub(1)
            .filter(|&p| blocks.get(p).is_some_and(is_caption));
        // A stray unquoted line ends the blockquote in CommonMark; a list blockquote right
        // after it continues the checklist.
        let mut continuation = None;
        if let (Some(stray), Some(next)) = (blocks.get(i + 1), blocks.get(i + 2)) {
            let stray_kind = matches!(
                stray.kind,
                Kind::CodeBlock | Kind::Paragraph | Kind::Table | Kind::HtmlBlock
            );
            if stray_kind && is_list_quote(next, text) {
                continuation = Some((i + 1, i + 2));
                let d = Diagnostic::warning(
                    "broken-checklist",
                    &ctx.file.path,
                    "this line is not prefixed with `>`, so it ends the checklist block",
                )
                .label("stray line")
                .help("prefix the line with `>` (and the item's indentation); the list after it is read as part of the same checklist");
                let line_range = {
                    let (line, _) = ctx.file.lines.position(text, stray.range.start);
                    ctx.file.lines.line_range(text, line)
                };
                let d = ctx.diag_at(d, line_range);
                ctx.diags.push(d);
            }
        }
        let mut cl = Checklist {
            block: i,
            caption,
            continuation,
            links: Vec::new(),
        };
        let items = list_items(ctx, &cl);
        cl.links = items
            .iter()
            .filter_map(|item| {
                leading_link(item).map(|(link, dest)| Link {
                    title: normalize_space(&link.plain_text()),
                    anchor: dest.trim_start_matches('#').to_string(),
                    range: item.range.clone(),
                })
            })
            .collect();
        out.push(cl);
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
    crate::render::markdown::collapse_whitespace(s)
}

/// The stable id of a key: UUID v5 in the URL namespace.
pub fn item_id(key: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, key.as_bytes()).to_string()
}

/// The items of one checklist block, in order. `end` bounds strategy bodies (the end of
/// the tab or section); `practice` says the block is a workload design checklist.
pub fn items(
    ctx: &mut Ctx,
    cl: &Checklist,
    end: usize,
    owned: &mut HashSet<usize>,
    practice: bool,
) -> Vec<Draft> {
    let nodes = list_items(ctx, cl);
    let anchor = ctx.anchor_before(cl.block);
    let mut out: Vec<Draft> = Vec::new();
    let first_list_len = ctx
        .blocks
        .get(cl.block)
        .map(|b| b.children.as_slice())
        .unwrap_or(&[])
        .iter()
        .filter(|c| matches!(c.kind, Kind::List(_)))
        .map(|l| l.children.iter().filter(|c| c.kind == Kind::Item).count())
        .sum::<usize>();
    for (n, item) in nodes.into_iter().enumerate() {
        if let Some(link) = cl.links.iter().find(|l| l.range == item.range) {
            out.push(strategy(ctx, link, end, owned));
        } else {
            out.push(practice_item(ctx, item, practice, anchor.clone()));
        }
        // The stray line of a broken block belongs to the item before it.
        if n + 1 == first_list_len {
            let stray = cl.continuation.and_then(|(s, _)| ctx.blocks.get(s));
            if let (Some(stray), Some(last)) = (stray, out.last_mut()) {
                let line = ctx.md_block(stray, 0);
                let line = line.trim();
                if line.starts_with('|') {
                    last.body.push('\n');
                } else {
                    last.body.push_str("\n\n");
                }
                last.body.push_str(line);
            }
        }
    }
    out
}

/// A bold-lead or plain checklist item.
fn practice_item(ctx: &Ctx, item: &Node, practice_context: bool, anchor: Option<String>) -> Draft {
    let text = ctx.text();
    let (inlines, para_end, mut rest_from) = item_inlines(item);
    let mut lead = lead::split(inlines, text, |from| ctx.md_inline(from, para_end, 1));
    if lead.title.is_empty() {
        // The item opens with a block (a code block, a nested list): its text is the title.
        if let Some((n, first)) = item
            .children
            .iter()
            .enumerate()
            .skip(rest_from)
            .find(|(_, b)| b.is_block())
        {
            let plain = to_plain(&ctx.md_block(first, 1));
            lead.title = clean_title(sentence(&plain));
            rest_from = n + 1;
        }
    }
    let mut body = vec![lead.rest.clone()];
    let mut callouts = Vec::new();
    for block in item.children.iter().skip(rest_from) {
        if !block.is_block() {
            continue;
        }
        let own = callout::is_icon_callout(block)
            .then(|| callout::from_markdown(block, ctx.md_block(block, 1)))
            .flatten();
        match own {
            Some(c) => callouts.push(c),
            None => body.push(ctx.md_block_callouts(block, 1, &mut callouts)),
        }
    }
    let plain_item = !practice_context && !lead.bold;
    let (kind, title, body) = if plain_item {
        // A plain item: its whole first paragraph is the title.
        let whole = ctx.md_inline(
            inlines.first().map(|n| n.range.start).unwrap_or(para_end),
            para_end,
            1,
        );
        let (_, whole) = split_scope(&whole);
        (
            "item",
            clean_title(&to_plain(whole)),
            join_blocks(body.into_iter().skip(1)),
        )
    } else {
        ("practice", lead.title.clone(), join_blocks(body))
    };
    Draft {
        kind,
        key_fragment: slug(&title),
        title,
        body,
        callouts,
        scope: lead.scope,
        anchor,
        source: ctx.source(&item.range),
        ..Draft::default()
    }
}

/// A maturity-model item: the link, the heading it anchors to, and what stands under that
/// heading until the next heading of the same or a higher level, or `end`.
fn strategy(ctx: &mut Ctx, link: &Link, end: usize, owned: &mut HashSet<usize>) -> Draft {
    let text = ctx.text();
    let mut draft = Draft {
        kind: "strategy",
        title: link.title.clone(),
        anchor: Some(link.anchor.clone()),
        key_fragment: link.anchor.clone(),
        source: ctx.source(&link.range),
        ..Draft::default()
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
        return draft;
    };
    let Some(heading) = ctx.headings.get(hi) else {
        return draft;
    };
    draft.heading = Some(heading.text.clone());
    draft.source = ctx.source(&heading.range);
    let Some(top) = heading.top else {
        return draft;
    };
    let level = heading.level;
    let mut body = Vec::new();
    let mut i = top + 1;
    while let Some(node) = ctx.blocks.get(i).filter(|_| i < end) {
        if let Kind::Heading(l) = node.kind {
            if l <= level {
                break;
            }
        }
        owned.insert(i);
        match callout::recognize(node, text, |r| ctx.md(r)) {
            Some(c) => draft.callouts.push(c),
            None => body.push(ctx.md_block_callouts(node, 0, &mut draft.callouts)),
        }
        i += 1;
    }
    owned.insert(top);
    draft.body = join_blocks(body);
    draft
}

/// The rows of a checklist table.
pub fn table_items(ctx: &Ctx, index: usize, form: TableForm) -> Vec<Draft> {
    let Some(table) = ctx.blocks.get(index) else {
        return Vec::new();
    };
    let anchor = ctx.anchor_before(index);
    let (_, rows) = parts(table);
    let mut out = Vec::new();
    for row in rows {
        let draft = match form {
            TableForm::Review | TableForm::Deliverable if !is_box_row(&row) => None,
            TableForm::Review => review_row(ctx, &row),
            TableForm::Deliverable => deliverable_row(ctx, &row),
            TableForm::Recommendation => recommendation_row(ctx, &row),
        };
        if let Some(mut d) = draft {
            d.anchor = anchor.clone();
            d.source = ctx.source(
                &row.first()
                    .map(|c| c.range.clone())
                    .unwrap_or(table.range.clone()),
            );
            out.push(d);
        }
    }
    out
}

/// Markdown of a cell: links resolved, `<br>` variants as line breaks, pipes trimmed.
fn cell_md(ctx: &Ctx, cell: &Node, from: Option<usize>) -> String {
    let md = ctx.md(from.unwrap_or(cell.range.start)..cell.range.end);
    breaks(md.trim().trim_matches('|').trim())
        .trim()
        .to_string()
}

/// A link destination as a published URL.
fn published(ctx: &Ctx, dest: &str) -> String {
    match resolve(&ctx.site, &ctx.file.path, dest) {
        Target::InPage(a) => format!("{}#{}", ctx.doc_url, a),
        Target::Relative { url, .. } | Target::SiteRoot(url) => url,
        Target::Other => dest.to_string(),
    }
}

fn first_link(node: &Node) -> Option<&str> {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if let Kind::Link(d) = &n.kind {
            return Some(d);
        }
        stack.extend(n.children.iter().rev());
    }
    None
}

fn links_text(node: &Node) -> Vec<String> {
    node.children
        .iter()
        .filter(|c| matches!(c.kind, Kind::Link(_)))
        .map(|c| normalize_space(&c.plain_text()))
        .collect()
}

fn review_row(ctx: &Ctx, row: &[&Node]) -> Option<Draft> {
    let code_cell = row.get(1)?;
    let cell = row.get(2)?;
    let codes = links_text(code_cell);
    let code = if codes.is_empty() {
        normalize_space(&code_cell.plain_text())
    } else {
        codes.join(", ")
    };
    let lead = lead::split(&cell.children, ctx.text(), |from| {
        cell_md(ctx, cell, Some(from))
    });
    Some(Draft {
        kind: "review",
        key_fragment: if code.is_empty() {
            slug(&lead.title)
        } else {
            slug(&code)
        },
        code: (!code.is_empty()).then_some(code),
        guide: first_link(code_cell).map(|d| published(ctx, d)),
        title: lead.title,
        body: lead.rest,
        scope: lead.scope,
        ..Draft::default()
    })
}

fn deliverable_row(ctx: &Ctx, row: &[&Node]) -> Option<Draft> {
    let cell = row.get(1)?;
    let lead = lead::split(&cell.children, ctx.text(), |from| {
        cell_md(ctx, cell, Some(from))
    });
    Some(Draft {
        kind: "deliverable",
        key_fragment: slug(&lead.title),
        guide: lead.link.as_deref().map(|d| published(ctx, d)),
        title: lead.title,
        body: lead.rest,
        scope: lead.scope,
        ..Draft::default()
    })
}

fn recommendation_row(ctx: &Ctx, row: &[&Node]) -> Option<Draft> {
    let rec = row.first()?;
    let body = cell_md(ctx, rec, None);
    if body.is_empty() {
        return None;
    }
    let (scope, rest) = split_scope(&body);
    let title = clean_title(&to_plain(sentence(rest.lines().next().unwrap_or(rest))));
    let benefit = row
        .get(1)
        .map(|c| cell_md(ctx, c, None))
        .filter(|b| !b.is_empty());
    Some(Draft {
        kind: "recommendation",
        key_fragment: slug(&title),
        title,
        scope,
        benefit,
        body,
        ..Draft::default()
    })
}

/// The byte range of `#anchor` inside a list item's source, for the diagnostic's caret.
fn anchor_range(text: &str, item: &Range<usize>, anchor: &str) -> Range<usize> {
    let needle = format!("#{anchor}");
    text.get(item.clone())
        .and_then(|s| s.find(&needle))
        .map(|p| (item.start + p)..(item.start + p + needle.len()))
        .unwrap_or(item.clone())
}

/// The heading anchor closest to a missing one, when it is close enough to be a typo
/// (bounded: see [`super::links::closest_anchor`]). A file gets suggestions for its first
/// `MAX_SUGGESTIONS` missing anchors only, so that pages with thousands of broken links
/// stay linear.
fn closest_anchor(ctx: &mut Ctx, missing: &str) -> Option<String> {
    const MAX_SUGGESTIONS: usize = 100;
    if ctx.suggestions >= MAX_SUGGESTIONS {
        return None;
    }
    ctx.suggestions += 1;
    super::links::closest_anchor(ctx.headings.iter().map(|h| h.anchor.as_str()), missing)
        .map(str::to_string)
}
