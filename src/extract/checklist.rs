//! Checklist blocks (`> [!div class="checklist"]` in all its spellings) and the items in
//! them: link items anchored to `&#10003;` headings (strategies), bold-lead items
//! (practices) and plain items; plus the rows of checklist tables.

use std::collections::HashSet;
use std::ops::Range;

use crate::diag::Diagnostic;
use crate::parse::anchor::slug;
use crate::parse::{Kind, Node};
use crate::text::{sentence, title_plain};

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
    /// Stray blocks that broke the blockquote, each with the list blockquote that
    /// continues it: a stray paragraph, table, code or HTML block is text of the item
    /// before it; a stray list (a checklist line that lost its `>` and is a list item)
    /// holds items of the checklist, and may be its last block.
    pub continuation: Vec<(usize, Option<usize>)>,
    /// Items that link to an in-page anchor.
    pub links: Vec<Link>,
    /// A plain list under a "Workload design checklist" heading (FORMS.md, form F): the
    /// block is the list itself, read as if the marker were there.
    pub bare: bool,
}

/// A checklist item that links to an in-page anchor.
#[derive(Debug)]
pub struct Link {
    pub title: String,
    pub anchor: String,
    pub range: Range<usize>,
    /// Plain text after the link (`[Title](#anchor). One more sentence.`), if any.
    pub summary: Option<String>,
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

/// What a checklist block and its continuation hold, in order.
#[derive(Debug, Clone, Copy)]
enum Part<'a> {
    /// A list item, inside this many blockquotes.
    Item(&'a Node, usize),
    /// A stray block that is text of the item before it.
    Stray(&'a Node),
}

/// The items of a list block.
fn items_of(list: &Node) -> impl Iterator<Item = &Node> {
    list.children.iter().filter(|c| c.kind == Kind::Item)
}

/// The items of a quote's lists.
fn quote_items(quote: &Node) -> impl Iterator<Item = &Node> {
    quote
        .children
        .iter()
        .filter(|c| matches!(c.kind, Kind::List(_)))
        .flat_map(items_of)
}

/// The items and stray blocks of a checklist block and of its continuation.
fn parts_of<'a>(ctx: &Ctx<'a>, cl: &Checklist) -> Vec<Part<'a>> {
    let blocks: &'a [Node] = ctx.blocks;
    let Some(block) = blocks.get(cl.block) else {
        return Vec::new();
    };
    if cl.bare {
        return items_of(block).map(|i| Part::Item(i, 0)).collect();
    }
    let mut out: Vec<Part<'a>> = quote_items(block).map(|i| Part::Item(i, 1)).collect();
    for &(stray, quote) in &cl.continuation {
        if let Some(stray) = blocks.get(stray) {
            if matches!(stray.kind, Kind::List(_)) {
                out.extend(items_of(stray).map(|i| Part::Item(i, 0)));
            } else {
                out.push(Part::Stray(stray));
            }
        }
        if let Some(q) = quote.and_then(|q| blocks.get(q)) {
            out.extend(quote_items(q).map(|i| Part::Item(i, 1)));
        }
    }
    out
}

/// The items of a checklist block and of its continuation, each with the number of
/// blockquotes around it.
fn list_items<'a>(ctx: &Ctx<'a>, cl: &Checklist) -> Vec<(&'a Node, usize)> {
    parts_of(ctx, cl)
        .into_iter()
        .filter_map(|p| match p {
            Part::Item(item, quotes) => Some((item, quotes)),
            Part::Stray(_) => None,
        })
        .collect()
}

/// The list items a checklist block (with its continuation) holds.
pub fn list_items_of<'a>(ctx: &Ctx<'a>, cl: &Checklist) -> Vec<&'a Node> {
    list_items(ctx, cl).into_iter().map(|(i, _)| i).collect()
}

/// The top-level blocks a checklist is made of: its caption, its block and what continues
/// it.
pub fn blocks_of(cl: &Checklist) -> Vec<usize> {
    let mut out: Vec<usize> = cl.caption.into_iter().chain([cl.block]).collect();
    for &(stray, quote) in &cl.continuation {
        out.push(stray);
        out.extend(quote);
    }
    out
}

/// The in-page link an item starts with, if any.
fn leading_link(item: &Node) -> Option<(&Node, &str)> {
    let (inlines, _, _) = item_inlines(item);
    let first = inlines.iter().find(|n| {
        !matches!(&n.kind, Kind::Text(t) if t.trim().is_empty())
            && !matches!(n.kind, Kind::TaskMarker(_))
    })?;
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
    let tutorial = ctx
        .file
        .front_matter
        .get_str("ms.topic")
        .map(|t| t.trim().to_ascii_lowercase())
        .is_some_and(|t| t == "tutorial" || t == "quickstart");
    for (i, node) in blocks.iter().enumerate() {
        if is_design_checklist_list(ctx, i) {
            let mut cl = Checklist {
                block: i,
                caption: None,
                continuation: Vec::new(),
                links: Vec::new(),
                bare: true,
            };
            cl.links = links_of(ctx, &cl);
            out.push(cl);
            continue;
        }
        if !is_checklist(node, text) {
            continue;
        }
        if tutorial || is_objective_list(ctx, i) {
            ctx.objective_lists += 1;
            continue;
        }
        let caption = i
            .checked_sub(1)
            .filter(|&p| blocks.get(p).is_some_and(is_caption));
        let continuation = continuation(ctx, i);
        let mut cl = Checklist {
            block: i,
            caption,
            continuation,
            links: Vec::new(),
            bare: false,
        };
        cl.links = links_of(ctx, &cl);
        out.push(cl);
    }
    out
}

/// A stray unquoted line ends the blockquote in CommonMark. What continues checklist block
/// `i`: a stray paragraph, table, code or HTML block followed by a list blockquote, or a
/// stray list (checklist lines that lost their `>`) right under the block before it,
/// followed by a list blockquote or not; as many times as they repeat. Each stray line is
/// reported (`broken-checklist`).
fn continuation(ctx: &mut Ctx, i: usize) -> Vec<(usize, Option<usize>)> {
    let text = ctx.text();
    let blocks = ctx.blocks;
    let lines = &ctx.file.lines;
    let line_of = |offset: usize| lines.position(text, offset).0;
    let mut out = Vec::new();
    let mut strays: Vec<(usize, bool)> = Vec::new();
    let mut j = i + 1;
    while let (Some(prev), Some(stray)) = (blocks.get(j - 1), blocks.get(j)) {
        let quote_after = blocks.get(j + 1).is_some_and(|n| is_list_quote(n, text));
        // A list right under the block before it (no blank line between).
        let adjacent = line_of(prev.range.end.saturating_sub(1).max(prev.range.start)) + 1
            == line_of(stray.range.start);
        let stray_list = matches!(stray.kind, Kind::List(_)) && adjacent;
        let stray_text = matches!(
            stray.kind,
            Kind::CodeBlock | Kind::Paragraph | Kind::Table | Kind::HtmlBlock
        ) && quote_after;
        if !(stray_list || stray_text) {
            break;
        }
        if stray_list {
            strays.extend(items_of(stray).map(|item| (item.range.start, quote_after)));
        } else {
            strays.push((stray.range.start, quote_after));
        }
        out.push((j, quote_after.then_some(j + 1)));
        if !quote_after {
            break;
        }
        j += 2;
    }
    for (at, quote_after) in strays {
        let help = if quote_after {
            "prefix the line with `>` (and the item's indentation); the list after it is read as part of the same checklist"
        } else {
            "prefix the line with `>` (and the item's indentation); it is read as part of the checklist above it"
        };
        let d = Diagnostic::warning(
            "broken-checklist",
            &ctx.file.path,
            "this line is not prefixed with `>`, so it ends the checklist block",
        )
        .label("stray line")
        .help(help);
        let line_range = ctx.file.lines.line_range(text, line_of(at));
        let d = ctx.diag_at(d, line_range);
        ctx.diags.push(d);
    }
    out
}

/// The linked items of a checklist, with the text after each link.
fn links_of(ctx: &Ctx, cl: &Checklist) -> Vec<Link> {
    list_items(ctx, cl)
        .iter()
        .filter_map(|&(item, quotes)| {
            leading_link(item).map(|(link, dest)| {
                let (_, para_end, _) = item_inlines(item);
                let after = title_plain(&ctx.md_inline(link.range.end, para_end, quotes));
                let after = normalize_space(&after);
                let after = after
                    .trim_start_matches(['.', ':', ',', ';', '-', '\u{2013}', '\u{2014}', ' '])
                    .trim();
                Link {
                    title: super::lead::clean_title(&link.plain_text()),
                    anchor: dest.trim_start_matches('#').to_string(),
                    range: item.range.clone(),
                    summary: (!after.is_empty()).then(|| after.to_string()),
                }
            })
        })
        .collect()
}

/// FORMS.md form A: a checklist block is a list of learning objectives, not a checklist,
/// when the nearest paragraph before it ends with `:` and holds the word "learn", or
/// when it stands under a "Next steps" heading.
fn is_objective_list(ctx: &Ctx, i: usize) -> bool {
    let before = ctx.blocks.get(..i).unwrap_or(&[]);
    // The nearest paragraph, looked for among the few blocks right above (a bound that
    // keeps pages of thousands of blocks linear).
    let intro = before
        .iter()
        .rev()
        .take(4)
        .find(|b| matches!(b.kind, Kind::Paragraph | Kind::Heading(_)))
        .filter(|b| b.kind == Kind::Paragraph);
    if let Some(p) = intro {
        let plain = p.plain_text();
        let t = plain.trim();
        if (t.ends_with(':') || t.ends_with('\u{ff1a}')) && super::forms::has_word(t, "learn") {
            return true;
        }
    }
    let start = ctx.blocks.get(i).map_or(0, |b| b.range.start);
    ctx.headings
        .partition_point(|h| h.range.start < start)
        .checked_sub(1)
        .and_then(|h| ctx.headings.get(h))
        .is_some_and(|h| super::forms::heading_name(&h.text) == "next steps")
}

/// FORMS.md form F: a plain list right under a "Workload design checklist" heading (no
/// checklist marker), read as if the marker were there.
fn is_design_checklist_list(ctx: &Ctx, i: usize) -> bool {
    let Some(node) = ctx.blocks.get(i) else {
        return false;
    };
    if !matches!(node.kind, Kind::List(_)) {
        return false;
    }
    // The heading, then at most an introductory paragraph.
    let before = ctx.blocks.get(..i).unwrap_or(&[]);
    let mut back = before.iter().rev();
    let heading = match back.next() {
        Some(h) if matches!(h.kind, Kind::Heading(_)) => Some(h),
        Some(p) if p.kind == Kind::Paragraph => {
            back.next().filter(|h| matches!(h.kind, Kind::Heading(_)))
        }
        _ => None,
    };
    heading.is_some_and(|h| {
        super::forms::heading_name(&h.plain_text()).starts_with("workload design checklist")
    })
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
    crate::text::collapse_whitespace(s)
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
    let anchor = ctx.anchor_before(cl.block);
    let mut out: Vec<Draft> = Vec::new();
    for part in parts_of(ctx, cl) {
        let (item, quotes) = match part {
            Part::Item(item, quotes) => (item, quotes),
            // The stray line of a broken block belongs to the item before it.
            Part::Stray(stray) => {
                if let Some(last) = out.last_mut() {
                    let line = ctx.md_block(stray, 0);
                    let line = line.trim();
                    if line.starts_with('|') {
                        last.body.push('\n');
                    } else {
                        last.body.push_str("\n\n");
                    }
                    last.body.push_str(line);
                }
                continue;
            }
        };
        let mut draft = if let Some(link) = cl.links.iter().find(|l| l.range == item.range) {
            strategy(ctx, link, end, owned)
        } else {
            practice_item(ctx, item, quotes, practice || cl.bare, anchor.clone())
        };
        draft.checked = super::forms::task_marker(item).is_some_and(|(done, _)| done);
        draft.at = item.range.start;
        out.push(draft);
    }
    out
}

/// A bold-lead or plain checklist item.
fn practice_item(
    ctx: &Ctx,
    item: &Node,
    quotes: usize,
    practice_context: bool,
    anchor: Option<String>,
) -> Draft {
    let text = ctx.text();
    let (inlines, para_end, mut rest_from) = item_inlines(item);
    // A task list marker (`[x]`) is the item's state, never its text.
    let inlines = super::forms::after_marker(inlines, super::forms::task_marker(item));
    let mut lead = lead::split(inlines, text, |from| ctx.md_inline(from, para_end, quotes));
    // The item opens with a block (an indented code block, a nested list): its text is
    // the title, and what follows the first sentence the start of the body.
    let mut from_block = false;
    if lead.title.is_empty() {
        if let Some((n, first)) = item
            .children
            .iter()
            .enumerate()
            .skip(rest_from)
            .find(|(_, b)| b.is_block())
        {
            let plain = super::forms::block_plain(ctx, first, quotes);
            let first_sentence = sentence(&plain);
            lead.title = clean_title(first_sentence);
            lead.rest = plain
                .get(first_sentence.len()..)
                .unwrap_or("")
                .trim()
                .to_string();
            rest_from = n + 1;
            from_block = true;
        }
    }
    let mut body = vec![lead.rest.clone()];
    let mut callouts = Vec::new();
    for block in item.children.iter().skip(rest_from) {
        if !block.is_block() {
            continue;
        }
        let own = callout::is_icon_callout(block)
            .then(|| callout::from_markdown(block, ctx.md_block(block, quotes)))
            .flatten();
        match own {
            Some(c) => callouts.push(c),
            None => body.push(ctx.md_block_callouts(block, quotes, &mut callouts)),
        }
    }
    let plain_item = !practice_context && !lead.bold && !from_block;
    let (kind, title, body) = if plain_item {
        // A plain item: its whole first paragraph is the title.
        let whole = ctx.md_inline(
            inlines.first().map(|n| n.range.start).unwrap_or(para_end),
            para_end,
            quotes,
        );
        let (_, whole) = split_scope(&whole);
        (
            "item",
            clean_title(&title_plain(whole)),
            join_blocks(body.into_iter().skip(1)),
        )
    } else if from_block && !practice_context {
        ("item", lead.title.clone(), join_blocks(body))
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
        summary: link.summary.clone(),
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
    // The heading may stand anywhere in the file: its body ends at the next heading of
    // its level or higher, or at the end of the tab or section that holds the heading.
    let end = ctx.bounds.get(top).copied().unwrap_or(end);
    let mut body = Vec::new();
    let mut i = top + 1;
    while let Some(node) = ctx.blocks.get(i).filter(|_| i < end) {
        if let Kind::Heading(l) = node.kind {
            if l <= level {
                break;
            }
        }
        owned.insert(i);
        // `<a name="x"></a>` lines name the heading after them; they show nothing.
        if super::is_anchor_block(node, text) {
            i += 1;
            continue;
        }
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
    // Well-Architected's review tables: the box, the code, the recommendation.
    let offset = 1;
    let Some(table) = ctx.blocks.get(index) else {
        return Vec::new();
    };
    let anchor = ctx.anchor_before(index);
    let (_, rows) = parts(table);
    let mut out = Vec::new();
    for row in rows {
        let draft = match form {
            TableForm::Review | TableForm::Deliverable if !is_box_row(&row) => None,
            TableForm::Review => review_row(ctx, &row, offset),
            TableForm::Deliverable => deliverable_row(ctx, &row),
            TableForm::Recommendation => recommendation_row(ctx, &row),
        };
        if let Some(mut d) = draft {
            d.at = row.first().map_or(table.range.start, |c| c.range.start);
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

/// Markdown of a cell: links resolved, `<br>` variants as line breaks, pipes trimmed, and
/// `\|` read as `|`.
pub(crate) fn cell_md(ctx: &Ctx, cell: &Node, from: Option<usize>) -> String {
    let md = ctx.md(from.unwrap_or(cell.range.start)..cell.range.end);
    let md = md.trim();
    // The cell's own delimiters, never an escaped pipe at its end (`a \|`).
    let md = md.strip_prefix('|').unwrap_or(md);
    let md = match md.strip_suffix('|') {
        Some(rest) if !rest.ends_with('\\') => rest,
        _ => md,
    };
    breaks(&unescape_pipes(md.trim())).trim().to_string()
}

/// GFM reads `\|` in a table cell as table syntax: the backslash keeps the pipe in the
/// cell and is not text, inside code spans too (`` `a \| b` `` is the code `a | b`). As
/// GFM does before reading the cell's inlines, every backslash right before a `|` is
/// removed; the text is written back with `\|` only where it goes into a table again.
pub(crate) fn unescape_pipes(md: &str) -> String {
    md.replace("\\|", "|")
}

/// A link destination as a published URL.
fn published(ctx: &Ctx, dest: &str) -> String {
    if ctx.site.base.is_empty() {
        return dest.to_string();
    }
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

/// A code such as `SE:01` or `MIG:01`: letters, a colon, digits.
pub(crate) fn is_code(s: &str) -> bool {
    let Some((letters, digits)) = s.trim().split_once(':') else {
        return false;
    };
    !letters.is_empty()
        && letters.chars().all(|c| c.is_ascii_alphabetic())
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
}

/// The texts of the links in a node, in order.
pub(crate) fn links_text(node: &Node) -> Vec<String> {
    node.children
        .iter()
        .filter(|c| matches!(c.kind, Kind::Link(_)))
        .map(|c| normalize_space(&c.plain_text()))
        .collect()
}

/// A review row whose code cell is column `offset` and recommendation the next one.
/// Links to two guides under one code (`[OE:07](a.md) <br> [OE:07](b.md)`) give one code.
pub(crate) fn review_row(ctx: &Ctx, row: &[&Node], offset: usize) -> Option<Draft> {
    let code_cell = row.get(offset)?;
    let cell = row.get(offset + 1)?;
    let mut codes = links_text(code_cell);
    let mut seen = HashSet::new();
    codes.retain(|c| seen.insert(c.clone()));
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
    let title = clean_title(&title_plain(sentence(rest.lines().next().unwrap_or(rest))));
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
