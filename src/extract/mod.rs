//! Extract: recognizers over the block tree of one file, producing one `Document`.
//!
//! Sections come from tab groups, else from H2 headings (pillar H2s always). Items come
//! from checklist blocks (link items anchored to `&#10003;` headings, bold-lead practices,
//! plain items) and from tables (design-review rows, deliverables, configuration
//! recommendations). Callouts are attached to the item, section or document they stand in.

pub mod callout;
pub mod checklist;
pub mod forms;
pub mod lead;
pub mod links;
pub mod lint;
pub mod table;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::diag::Diagnostic;
use crate::load::SourceFile;
use crate::model::{Callout, Document, Item, Section, Source};
use crate::parse::anchor::{slug, Anchors, Unique};
use crate::parse::{Kind, Node};

use links::{LinkCheck, Rewrite, Site};
use text::{join_blocks, strip_directives};

/// The check mark that starts the headings maturity-model checklists link to.
const CHECK: char = '\u{2713}';

/// The five pillars, canonical spelling, and the folder names the docs use for them.
pub const PILLARS: [(&str, &str); 5] = [
    ("Reliability", "reliability"),
    ("Security", "security"),
    ("Cost Optimization", "cost-optimization"),
    ("Operational Excellence", "operational-excellence"),
    ("Performance Efficiency", "performance-efficiency"),
];

/// The pillar a heading names (`## Cost optimization` -> `Cost Optimization`).
pub fn pillar_of_title(title: &str) -> Option<&'static str> {
    let t = title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    PILLARS
        .iter()
        .find(|(name, _)| name.to_lowercase() == t)
        .map(|(name, _)| *name)
}

/// The pillar a path's first folder or a front matter value names.
fn pillar_of_slug(s: &str) -> Option<&'static str> {
    let s = s.to_lowercase();
    PILLARS
        .iter()
        .find(|(_, slug)| s == *slug || s.ends_with(&format!("-{slug}")))
        .map(|(name, _)| *name)
}

/// A heading anywhere in the file, with the anchor the docs platform gives it.
#[derive(Debug, Clone)]
pub struct HeadingInfo {
    pub anchor: String,
    pub level: u8,
    pub range: Range<usize>,
    /// Plain text, trimmed, check mark and the blanks after it removed.
    pub text: String,
    pub is_check: bool,
    /// Index among the top-level blocks, for headings at the top level.
    pub top: Option<usize>,
    /// More anchors of this heading: `<a name="x"></a>` or `<a id="x"></a>` in it or on
    /// the line right before it (FORMS.md, section 3).
    pub extra: Vec<String>,
    /// The tab id when the heading is a tab (`### [Azure CLI](#tab/azure-cli)`).
    pub tab: Option<String>,
}

/// What the whole compile knows that one file needs.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub site: Site,
    /// Every Markdown path under INPUT, when compiling a folder.
    pub known: Option<HashSet<String>>,
    /// INPUT itself, when compiling a folder: Learn includes are read under it.
    pub root: Option<std::path::PathBuf>,
}

/// Everything recognizers need about one file.
pub struct Ctx<'a> {
    pub file: &'a SourceFile,
    pub blocks: &'a [Node],
    pub headings: Vec<HeadingInfo>,
    pub by_anchor: HashMap<String, usize>,
    pub diags: Vec<Diagnostic>,
    pub rewrites: Vec<Rewrite>,
    pub doc_url: String,
    pub site: Site,
    used_keys: Unique,
    /// "Did you mean" suggestions computed so far (they are capped per file).
    suggestions: usize,
    /// Per top-level block: the end (block index) of the tab or section that holds it;
    /// a linked heading's body stops there.
    pub bounds: Vec<usize>,
    /// Checklist blocks left out as learning objectives (FORMS.md, form A).
    pub objective_lists: usize,
    /// Top-level headings as (block index, index into `headings`), in order; the same for
    /// those of level 3 or deeper; the block indices of `&#10003;` headings.
    tops: Vec<(usize, usize)>,
    deep_tops: Vec<(usize, usize)>,
    check_tops: Vec<usize>,
    /// What the page holds that forms B to G read.
    pub present: forms::Present,
}

impl<'a> Ctx<'a> {
    pub fn text(&self) -> &'a str {
        &self.file.text
    }

    pub fn source(&self, range: &Range<usize>) -> Source {
        let (line, column) = self.file.lines.position(&self.file.text, range.start);
        Source { line, column }
    }

    /// The callout a dialect admonition became (a blockquote opening on a line the
    /// dialect pass marked), nested in `quotes` enclosing blockquotes.
    pub fn marked_callout(&self, node: &Node, quotes: usize) -> Option<Callout> {
        if !matches!(node.kind, Kind::BlockQuote(None)) || self.file.marks.callouts.is_empty() {
            return None;
        }
        let text = self.text();
        let line = self.file.lines.position(text, node.range.start).0;
        let start = self.file.lines.line_range(text, line).start;
        let mark = self
            .file
            .marks
            .callouts
            .iter()
            .find(|c| c.line_start == start)?;
        let md = text::dedent(&self.md_block(node, quotes + 1));
        Some(Callout {
            kind: mark.kind,
            label: mark.label.clone(),
            text: md.trim().to_string(),
        })
    }

    /// A top-level block as a callout: an icon callout, a GFM alert or an admonition.
    pub fn callout(&self, node: &Node) -> Option<Callout> {
        self.marked_callout(node, 0)
            .or_else(|| callout::recognize(node, self.text(), |r| self.md(r)))
    }

    pub fn diag_at(&self, d: Diagnostic, range: Range<usize>) -> Diagnostic {
        d.at(&self.file.text, &self.file.lines, range)
    }

    /// The Markdown of a source range: links resolved, CRLF normalized, end trimmed.
    pub fn md(&self, range: Range<usize>) -> String {
        let md = links::apply(self.text(), range, &self.rewrites);
        let md = match memchr::memchr(b'\r', md.as_bytes()) {
            Some(_) => md.replace("\r\n", "\n"),
            None => md,
        };
        let end = md.trim_end().len();
        let mut md = md;
        md.truncate(end);
        md
    }

    /// The Markdown of a block nested in `quotes` blockquote levels: whole lines from the
    /// block's first line, quote markers removed, indentation of the first line removed.
    pub fn md_block(&self, node: &Node, quotes: usize) -> String {
        let line = self.file.lines.position(self.text(), node.range.start).0;
        let start = self.file.lines.line_range(self.text(), line).start;
        let mut md = self.md(start..node.range.end);
        for _ in 0..quotes {
            md = text::unquote(md);
        }
        text::dedent(&md).trim_end().to_string()
    }

    /// Like `md_block`, but icon callouts nested anywhere inside the block (in a list item,
    /// say) are taken out of its Markdown and pushed to `callouts`.
    pub fn md_block_callouts(
        &self,
        node: &Node,
        quotes: usize,
        callouts: &mut Vec<Callout>,
    ) -> String {
        let mut nested: Vec<(&Node, usize)> = Vec::new();
        let mut stack: Vec<(&Node, usize)> = node.children.iter().map(|c| (c, quotes)).collect();
        while let Some((n, depth)) = stack.pop() {
            if callout::is_icon_callout(n) {
                nested.push((n, depth));
                continue;
            }
            let inner = if matches!(n.kind, Kind::BlockQuote(_)) {
                depth + 1
            } else {
                depth
            };
            stack.extend(
                n.children
                    .iter()
                    .filter(|c| c.is_block())
                    .map(|c| (c, inner)),
            );
        }
        if nested.is_empty() {
            return self.md_block(node, quotes);
        }
        nested.sort_by_key(|(n, _)| n.range.start);
        let text = self.text();
        let lines = &self.file.lines;
        let line_start =
            |offset: usize| lines.line_range(text, lines.position(text, offset).0).start;
        let line_after = |offset: usize| {
            let r = lines.line_range(text, lines.position(text, offset.saturating_sub(1)).0);
            let end = r.end;
            // Past the line ending too.
            text.get(end..)
                .map(|rest| {
                    end + rest.len().min(if rest.starts_with("\r\n") {
                        2
                    } else {
                        usize::from(rest.starts_with('\n'))
                    })
                })
                .unwrap_or(end)
        };
        let mut md = String::new();
        let mut pos = line_start(node.range.start);
        for (n, depth) in &nested {
            let (start, end) = (line_start(n.range.start), line_after(n.range.end));
            if start < pos {
                continue;
            }
            md.push_str(&links::apply(text, pos..start, &self.rewrites));
            pos = end.min(node.range.end.max(start));
            let mut quoted = self.md(start..n.range.end);
            for _ in 0..*depth {
                quoted = text::unquote(quoted);
            }
            if let Some(c) = callout::from_markdown(n, text::dedent(&quoted)) {
                callouts.push(c);
            }
        }
        md.push_str(&links::apply(
            text,
            pos..node.range.end.max(pos),
            &self.rewrites,
        ));
        let mut md = match memchr::memchr(b'\r', md.as_bytes()) {
            Some(_) => md.replace("\r\n", "\n"),
            None => md,
        };
        for _ in 0..quotes {
            md = text::unquote(md);
        }
        let md = text::dedent(&md);
        // Blank lines left where a callout stood collapse to one.
        let mut out = String::with_capacity(md.len());
        let mut blank = 0;
        for line in md.lines() {
            if line.trim().is_empty() || line.trim() == ">" {
                blank += 1;
                if blank > 1 {
                    continue;
                }
            } else {
                blank = 0;
            }
            out.push_str(line);
            out.push('\n');
        }
        out.trim_end().to_string()
    }

    /// Markdown from `from` to `end` inside a paragraph nested in `quotes` blockquotes:
    /// continuation lines lose their quote markers and indentation.
    pub fn md_inline(&self, from: usize, end: usize, quotes: usize) -> String {
        let md = self.md(from..end.max(from));
        let mut out = String::with_capacity(md.len());
        for (i, line) in md.split('\n').enumerate() {
            if i == 0 {
                out.push_str(line);
                continue;
            }
            let mut l = line.to_string();
            for _ in 0..quotes {
                l = text::unquote(l);
            }
            out.push('\n');
            out.push_str(l.trim_start());
        }
        out.trim().to_string()
    }

    /// A key unique in this file: `<path>#<fragment>`, `-1`, `-2`, … on repeats.
    fn unique_key(&mut self, fragment: &str) -> String {
        self.used_keys
            .claim(format!("{}#{}", self.file.path, fragment))
    }

    /// The anchor of the nearest heading at or before top-level block `i`.
    fn anchor_before(&self, i: usize) -> Option<String> {
        let k = self.tops.partition_point(|&(t, _)| t <= i).checked_sub(1)?;
        let &(_, h) = self.tops.get(k)?;
        self.headings.get(h).map(|h| h.anchor.clone())
    }

    /// Text of the nearest H3+ heading at or before block `i` within `region`.
    fn subheading_before(&self, i: usize, region_start: usize) -> Option<&str> {
        let k = self
            .deep_tops
            .partition_point(|&(t, _)| t <= i)
            .checked_sub(1)?;
        let &(t, h) = self.deep_tops.get(k)?;
        (t >= region_start)
            .then(|| self.headings.get(h).map(|h| h.text.as_str()))
            .flatten()
    }

    /// The heading that is top-level block `i`, if it is one.
    fn heading_at_top(&self, i: usize) -> Option<&HeadingInfo> {
        let k = self.tops.partition_point(|&(t, _)| t < i);
        self.tops
            .get(k)
            .filter(|&&(t, _)| t == i)
            .and_then(|&(_, h)| self.headings.get(h))
    }
}

/// An item before its key and id are settled.
#[derive(Debug, Default)]
pub struct Draft {
    pub kind: &'static str,
    pub title: String,
    pub heading: Option<String>,
    pub body: String,
    pub callouts: Vec<Callout>,
    pub code: Option<String>,
    pub scope: Option<String>,
    pub benefit: Option<String>,
    pub guide: Option<String>,
    /// A real anchor on the published page (link target, or the nearest heading).
    pub anchor: Option<String>,
    /// The key's fragment: the anchor for strategies, else a stable slug.
    pub key_fragment: String,
    pub source: Source,
    /// Checked in the source (`[x]`, `☑`).
    pub checked: bool,
    /// The draft this one is nested in (index among the section's drafts).
    pub parent: Option<usize>,
    /// A bold caption over the item's list.
    pub group: Option<String>,
    /// Moniker or pivot branches the item stands in.
    pub variants: Vec<String>,
    /// Text after a linked item's link.
    pub summary: Option<String>,
    /// Byte offset of the item in the page (orders items and finds their section).
    pub at: usize,
    /// The draft's index among the drafts of forms B to G (what `parent` refers to).
    pub seq: Option<usize>,
}

/// The `name` or `id` of an empty anchor element (`<a name="x"></a>`) in raw HTML.
fn html_anchor(html: &str) -> Option<String> {
    let lower = html.trim().to_ascii_lowercase();
    if !lower.starts_with("<a ") {
        return None;
    }
    for attr in ["name", "id"] {
        let mut from = 0;
        while let Some(p) = lower.get(from..).and_then(|s| s.find(attr)) {
            let at = from + p;
            let before = lower.as_bytes().get(at.wrapping_sub(1)).copied();
            let rest = html
                .trim()
                .get(at + attr.len()..)
                .unwrap_or("")
                .trim_start();
            if matches!(before, Some(b' ' | b'\t' | b'\n')) {
                if let Some(v) = rest.strip_prefix('=') {
                    let v = v.trim_start();
                    if let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') {
                        if let Some(end) = v[1..].find(q) {
                            let value = v[1..1 + end].trim();
                            if !value.is_empty() {
                                return Some(value.to_string());
                            }
                        }
                    }
                }
            }
            from = at + attr.len();
        }
    }
    None
}

/// A heading's text without a trailing MkDocs attribute list (`{ #id .class }`), and the
/// id it gives.
fn attr_list_id(raw: &str) -> (String, Option<String>) {
    let t = raw.trim_end();
    if let Some(open) = t
        .strip_suffix('}')
        .and_then(|x| x.rfind('{').map(|p| (p, x)))
    {
        let (p, x) = open;
        let inner = &x[p + 1..];
        let id = inner
            .split_whitespace()
            .find_map(|w| w.strip_prefix('#'))
            .filter(|id| !id.is_empty());
        if let Some(id) = id {
            return (x[..p].trim_end().to_string(), Some(id.to_string()));
        }
    }
    (raw.to_string(), None)
}

/// Anchors of `<a name>` elements among a node's inline HTML (a heading's own).
fn inline_anchors(node: &Node) -> Vec<String> {
    node.children
        .iter()
        .filter_map(|c| match &c.kind {
            Kind::Html(h) => html_anchor(h),
            _ => None,
        })
        .collect()
}

/// Is this block nothing but `<a name="x"></a>` elements?
pub fn is_anchor_block(node: &Node, text: &str) -> bool {
    !block_anchors(node, text).is_empty()
}

/// Anchors of a block that is nothing but `<a name="x"></a>` elements (the line right
/// before a heading).
fn block_anchors(node: &Node, text: &str) -> Vec<String> {
    let src = text.get(node.range.clone()).unwrap_or("").trim();
    if !(node.kind == Kind::HtmlBlock || node.kind == Kind::Paragraph) || !src.starts_with("<a ") {
        return Vec::new();
    }
    let only_anchors = src
        .split("</a>")
        .all(|part| part.trim().is_empty() || html_anchor(part.trim()).is_some());
    if !only_anchors {
        return Vec::new();
    }
    src.split("</a>")
        .filter_map(|p| html_anchor(p.trim()))
        .collect()
}

/// Collects every heading (nested ones too) in document order with unique anchors.
fn collect_headings(blocks: &[Node], text: &str) -> Vec<HeadingInfo> {
    let mut anchors = Anchors::default();
    let mut out = Vec::new();
    let mut stack: Vec<(&Node, Option<usize>)> = blocks
        .iter()
        .enumerate()
        .rev()
        .map(|(i, n)| (n, Some(i)))
        .collect();
    while let Some((node, top)) = stack.pop() {
        if let Kind::Heading(level) = node.kind {
            let raw = node.plain_text();
            // MkDocs attribute lists: `### Context { #context }` names its anchor.
            let (raw, explicit) = attr_list_id(&raw);
            let anchor = anchors.unique(&raw);
            let trimmed = raw.trim();
            let is_check = trimmed.starts_with(CHECK);
            let title = trimmed.trim_start_matches(CHECK).trim().to_string();
            let mut extra = inline_anchors(node);
            extra.extend(explicit);
            if let Some(prev) = top
                .and_then(|t| t.checked_sub(1))
                .and_then(|p| blocks.get(p))
            {
                extra.extend(block_anchors(prev, text));
            }
            out.push(HeadingInfo {
                anchor,
                level,
                range: node.range.clone(),
                text: title,
                is_check,
                top,
                extra,
                tab: tab_heading(node).map(|(id, _)| id),
            });
        } else if node.is_block() {
            stack.extend(node.children.iter().rev().map(|c| (c, None)));
        }
    }
    out
}

/// A tab heading's id and title: a heading whose whole content is one link to `#tab/ID`.
pub fn tab_heading(node: &Node) -> Option<(String, String)> {
    if !matches!(node.kind, Kind::Heading(_)) {
        return None;
    }
    let mut content = node
        .children
        .iter()
        .filter(|c| !matches!(&c.kind, Kind::Text(t) if t.trim().is_empty()));
    let link = content.next()?;
    if content.next().is_some() {
        return None;
    }
    let Kind::Link(dest) = &link.kind else {
        return None;
    };
    let id = dest.strip_prefix("#tab/")?;
    Some((id.to_string(), strip_directives(&link.plain_text())))
}

/// Does this block hold a line that is exactly `---`: a thematic break written so, or a
/// setext heading underlined so (CommonMark reads `text` + `---` as a heading)?
fn is_group_close(node: &Node, text: &str) -> bool {
    let src = text.get(node.range.clone()).unwrap_or("");
    let last_line = src
        .trim_end_matches(['\r', '\n'])
        .rsplit('\n')
        .next()
        .unwrap_or("");
    let exact = last_line.trim_end_matches('\r') == "---";
    match node.kind {
        Kind::Rule => exact,
        Kind::Heading(2) => exact && src.contains('\n'),
        _ => false,
    }
}

/// The maturity level a title names: `Level 3: …`, `Level 3 - …`.
pub fn level_of(title: &str) -> Option<u32> {
    let lower = title.trim().to_lowercase();
    let rest = lower.strip_prefix("level")?.trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// A run of top-level blocks that may become one section.
#[derive(Debug)]
struct Region {
    id: String,
    title: String,
    /// The heading block, when the region has one.
    heading: Option<usize>,
    /// Content: `start..end` (block indices).
    start: usize,
    end: usize,
    is_tab: bool,
    pillar: Option<&'static str>,
}

/// Compiles one file into a document, or `None` when it holds no checklist.
pub fn extract(
    file: &SourceFile,
    blocks: &[Node],
    env: &Env,
) -> (Option<Document>, Vec<Diagnostic>) {
    let headings = collect_headings(blocks, &file.text);
    let mut by_anchor = HashMap::new();
    for (i, h) in headings.iter().enumerate() {
        by_anchor.entry(h.anchor.clone()).or_insert(i);
    }
    for (i, h) in headings.iter().enumerate() {
        for a in &h.extra {
            by_anchor.entry(a.clone()).or_insert(i);
        }
    }
    let doc_url = env.site.page_url(&file.path);
    let mut ctx = Ctx {
        file,
        blocks,
        headings,
        by_anchor,
        diags: Vec::new(),
        rewrites: Vec::new(),
        doc_url,
        site: env.site.clone(),
        used_keys: Unique::default(),
        suggestions: 0,
        bounds: Vec::new(),
        objective_lists: 0,
        tops: Vec::new(),
        deep_tops: Vec::new(),
        check_tops: Vec::new(),
        present: forms::Present::default(),
    };
    for (k, h) in ctx.headings.iter().enumerate() {
        if let Some(t) = h.top {
            ctx.tops.push((t, k));
            if h.level >= 3 {
                ctx.deep_tops.push((t, k));
            }
            if h.is_check {
                ctx.check_tops.push(t);
            }
        }
    }
    // One walk says what the forms could find and where the code is.
    let (present, code) = forms::Present::of(blocks);
    ctx.present = present;
    lint::mojibake_outside(file, &code, &mut ctx.diags);
    let doc = build_document(&mut ctx, env);
    (doc, ctx.diags)
}

/// Splits the top-level blocks into regions: tabs, and H2 sections outside tab groups.
/// Returns the regions and the blocks outside every region.
fn regions(ctx: &mut Ctx) -> (Vec<Region>, Vec<usize>) {
    let blocks = ctx.blocks;
    let text = ctx.text();
    let mut regions: Vec<Region> = Vec::new();
    let mut outside = Vec::new();
    let mut in_group = false;
    let mut group_start = None;
    let mut current = false;
    let close = |regions: &mut Vec<Region>, current: &mut bool, at: usize| {
        if *current {
            if let Some(r) = regions.last_mut() {
                r.end = at;
            }
        }
        *current = false;
    };
    for (i, node) in blocks.iter().enumerate() {
        if let Some((id, title)) = tab_heading(node) {
            close(&mut regions, &mut current, i);
            if !in_group {
                group_start = Some(i);
            }
            in_group = true;
            regions.push(Region {
                id,
                title,
                heading: Some(i),
                start: i + 1,
                end: blocks.len(),
                is_tab: true,
                pillar: None,
            });
            current = true;
            continue;
        }
        if in_group {
            if is_group_close(node, text) {
                close(&mut regions, &mut current, i);
                in_group = false;
            }
            continue;
        }
        match node.kind {
            // The page's title stays outside every region; an H1 further down (a page that
            // opens with `## Overview`, then `# Main`) starts a region as an H2 does.
            Kind::Heading(1) if regions.is_empty() => {
                close(&mut regions, &mut current, i);
                outside.push(i);
            }
            Kind::Heading(1 | 2) => {
                close(&mut regions, &mut current, i);
                let info = ctx.heading_at_top(i);
                let title = crate::dialect::strip_shortcodes(&node.plain_text());
                regions.push(Region {
                    id: info
                        .map(|h| h.anchor.clone())
                        .unwrap_or_else(|| slug(&title)),
                    pillar: pillar_of_title(&title),
                    title,
                    heading: Some(i),
                    start: i + 1,
                    end: blocks.len(),
                    is_tab: false,
                });
                current = true;
            }
            _ => {
                if !current {
                    outside.push(i);
                }
            }
        }
    }
    if in_group {
        if let Some(start) = group_start.and_then(|s| blocks.get(s)) {
            let d = Diagnostic::error("unclosed-tab-group", &ctx.file.path, "tab group is never closed")
                .label("the group opens here")
                .help("end the last tab with a line that is exactly `---`; its content runs to the end of the file");
            let d = ctx.diag_at(d, start.range.clone());
            ctx.diags.push(d);
        }
    }
    (regions, outside)
}

fn build_document(ctx: &mut Ctx, env: &Env) -> Option<Document> {
    let blocks = ctx.blocks;
    let text = ctx.text();
    let page = forms::Page::of(ctx);

    let checklists = checklist::find(ctx);
    for _ in 0..ctx.objective_lists {
        ctx.diags.push(Diagnostic::new(
            crate::diag::Severity::Note,
            OBJECTIVE_LIST,
            &ctx.file.path,
            "checklist block left out: it lists learning objectives",
        ));
    }
    let linked: HashSet<String> = checklists
        .iter()
        .flat_map(|c| c.links.iter().map(|l| l.anchor.clone()))
        .collect();
    for h in &ctx.headings {
        if h.is_check && !linked.contains(&h.anchor) {
            let d = Diagnostic::warning(
                "unlisted-heading",
                &ctx.file.path,
                format!("heading `✓ {}` is not listed by any checklist", h.text),
            )
            .label("no checklist links here")
            .help(format!(
                "add `> - [{}](#{})` to the checklist block above it, or remove the check mark",
                h.text, h.anchor
            ));
            let d = ctx.diag_at(d, h.range.clone());
            ctx.diags.push(d);
        }
    }
    let has_tables = blocks.iter().any(|b| table::form(b).is_some());

    // One reading per item: what forms A and F and the Well-Architected tables read is
    // claimed before forms B to G run.
    let mut claimed: HashSet<usize> = HashSet::new();
    for cl in &checklists {
        for b in checklist::blocks_of(cl) {
            if let Some(node) = blocks.get(b) {
                claimed.insert(node.range.start);
            }
        }
        for item in checklist::list_items_of(ctx, cl) {
            claimed.insert(item.range.start);
        }
    }
    for b in blocks.iter().filter(|b| table::form(b).is_some()) {
        claimed.insert(b.range.start);
    }
    let found_any = !forms::run(ctx, &page, &mut claimed.clone()).is_empty();
    if checklists.is_empty() && !has_tables && !found_any {
        unrecognized(ctx, &page);
        return None;
    }

    // Links: resolved in every Markdown slice from here on; broken ones reported.
    let anchors: HashSet<String> = ctx
        .headings
        .iter()
        .flat_map(|h| std::iter::once(h.anchor.clone()).chain(h.extra.iter().cloned()))
        .collect();
    let missing: HashSet<String> = linked
        .iter()
        .filter(|a| !anchors.contains(*a))
        .cloned()
        .collect();
    let check = LinkCheck {
        site: &env.site,
        page: &ctx.file.path,
        page_url: &ctx.doc_url,
        known: env.known.as_ref(),
        anchors: &anchors,
    };
    let mut diags = Vec::new();
    ctx.rewrites = check.run(text, blocks, &ctx.file.lines, &missing, &mut diags);
    ctx.diags.extend(diags);

    let (regions, outside) = regions(ctx);
    let first_region = regions
        .first()
        .map(|r| r.heading.unwrap_or(r.start))
        .unwrap_or(blocks.len());
    let mut bounds = vec![first_region; blocks.len()];
    for r in &regions {
        for b in bounds
            .iter_mut()
            .take(r.end)
            .skip(r.heading.unwrap_or(r.start))
        {
            *b = r.end;
        }
    }
    ctx.bounds = bounds;

    // Forms B to G, now with links resolved.
    let before = claimed.clone();
    let new_drafts = if found_any {
        forms::run(ctx, &page, &mut claimed)
    } else {
        Vec::new()
    };
    // Top-level blocks that hold what forms B to G read (a list, a table, an admonition
    // around a task list): they are items, not intro text or callouts.
    let new_claims: Vec<usize> = {
        let mut v: Vec<usize> = claimed.difference(&before).copied().collect();
        v.sort_unstable();
        v
    };
    let new_blocks: HashSet<usize> = blocks
        .iter()
        .filter(|b| !matches!(b.kind, Kind::Heading(_)))
        .filter(|b| {
            let from = new_claims.partition_point(|&c| c < b.range.start);
            new_claims
                .get(from)
                .is_some_and(|&c| c < b.range.end.max(b.range.start + 1))
        })
        .map(|b| b.range.start)
        .collect();

    let title = blocks
        .iter()
        .find(|n| n.kind == Kind::Heading(1) && tab_heading(n).is_none())
        .map(|n| n.plain_text().trim().to_string())
        .or_else(|| ctx.file.front_matter.get_str("title").map(str::to_string))
        .unwrap_or_else(|| ctx.file.path.clone());

    // The pillar a path or front matter names, for items whose section names none.
    let doc_pillar = ctx
        .file
        .path
        .split('/')
        .next()
        .and_then(pillar_of_slug)
        .or_else(|| {
            ctx.file.front_matter.0.iter().find_map(|(k, v)| {
                let key = k.to_lowercase();
                forms::front_values(v).into_iter().find_map(|v| {
                    if key == "pillar" {
                        pillar_of_title(v).or_else(|| pillar_of_slug(v))
                    } else if key == "ms.subservice" || key == "ms.custom" {
                        pillar_of_slug(v)
                    } else {
                        None
                    }
                })
            })
        });

    let mut entries: Vec<Entry> = Vec::new();
    let mut owned: HashSet<usize> = HashSet::new();
    // Items before the first region (a checklist right under the title) form a section
    // of their own.
    let pre: Vec<usize> = outside
        .iter()
        .copied()
        .filter(|&i| i < first_region)
        .collect();
    let doc_id = ctx
        .headings
        .iter()
        .find(|h| h.level == 1 && h.top.is_some())
        .map(|h| h.anchor.clone())
        .unwrap_or_else(|| "checklist".to_string());
    let pre_region = Region {
        id: doc_id,
        title: title.clone(),
        heading: None,
        start: pre.first().copied().unwrap_or(0),
        end: first_region,
        is_tab: false,
        pillar: None,
    };
    let mut pre_owned = HashSet::new();
    let (pre_section, pre_drafts) =
        build_section(ctx, &pre_region, &checklists, &mut pre_owned, &new_blocks);
    entries.push(Entry {
        order: 0,
        heading_at: None,
        section: pre_section,
        drafts: pre_drafts,
        pillar: doc_pillar,
        keep_empty: false,
        mixed: false,
        owned: pre_owned,
    });
    for region in &regions {
        let mut region_owned = HashSet::new();
        let (section, drafts) =
            build_section(ctx, region, &checklists, &mut region_owned, &new_blocks);
        let heading_at = region
            .heading
            .and_then(|h| blocks.get(h))
            .map(|n| n.range.start);
        entries.push(Entry {
            order: heading_at
                .or_else(|| blocks.get(region.start).map(|n| n.range.start))
                .unwrap_or(text.len()),
            heading_at,
            section,
            drafts,
            pillar: region.pillar.or(doc_pillar),
            keep_empty: region.pillar.is_some(),
            mixed: false,
            owned: region_owned,
        });
    }

    // Forms B to G: each item to the nearest heading above it (level 2 or deeper), or the
    // content tab it stands in when that is nearer; without either, the page's section.
    // Headings of level 2 or deeper by position; entries by the heading they are named after.
    let deep: Vec<&HeadingInfo> = ctx.headings.iter().filter(|h| h.level >= 2).collect();
    let mut by_heading: HashMap<usize, usize> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.heading_at.map(|h| (h, i)))
        .collect();
    for draft in new_drafts {
        let heading = deep
            .partition_point(|h| h.range.start < draft.at)
            .checked_sub(1)
            .and_then(|i| deep.get(i).copied());
        let tab = ctx
            .file
            .marks
            .tab_at(draft.at)
            .filter(|t| heading.is_none_or(|h| t.range.start > h.range.start));
        let (at, id, title) = match (tab, heading) {
            (Some(t), _) => (t.range.start, slug(&t.title), t.title.clone()),
            (None, Some(h)) => (
                h.range.start,
                h.tab.clone().unwrap_or_else(|| h.anchor.clone()),
                forms::heading_name_kept_case(&h.text),
            ),
            (None, None) => {
                if let Some(first) = entries.first_mut() {
                    first.mixed = true;
                    first.drafts.push(draft);
                }
                continue;
            }
        };
        if let Some(e) = by_heading.get(&at).and_then(|&i| entries.get_mut(i)) {
            e.mixed = true;
            e.drafts.push(draft);
            continue;
        }
        by_heading.insert(at, entries.len());
        entries.push(Entry {
            order: at,
            heading_at: Some(at),
            section: Section {
                id,
                title,
                level: None,
                goal: None,
                intro: String::new(),
                callouts: Vec::new(),
                items: Vec::new(),
            },
            drafts: vec![draft],
            pillar: doc_pillar,
            keep_empty: false,
            mixed: true,
            owned: HashSet::new(),
        });
    }
    entries.sort_by_key(|e| e.order);
    // No item reaches the model without a title.
    for e in &mut entries {
        let drafts = std::mem::take(&mut e.drafts);
        e.drafts = drafts.into_iter().filter_map(|d| titled(ctx, d)).collect();
    }
    let pre_has_items = entries
        .iter()
        .find(|e| e.order == 0 && e.heading_at.is_none())
        .is_some_and(|e| !e.drafts.is_empty());
    entries.retain(|e| !e.drafts.is_empty() || e.keep_empty);
    if entries.iter().all(|e| e.drafts.is_empty()) {
        unrecognized(ctx, &page);
        return None;
    }
    one_per_variant(ctx, &mut entries);

    // Section ids unique within the document, as anchors are.
    let mut used = Unique::default();
    let mut sections = Vec::new();
    let mut ids: HashMap<usize, String> = HashMap::new();
    let mut parents: Vec<(usize, usize, usize)> = Vec::new();
    for mut e in entries {
        owned.extend(e.owned.iter().copied());
        e.section.id = used.claim(std::mem::take(&mut e.section.id));
        if e.mixed {
            e.drafts.sort_by_key(|d| d.at);
        }
        let s = sections.len();
        for d in e.drafts {
            let (seq, parent) = (d.seq, d.parent);
            let item = finish(ctx, &e.section.id, d, e.pillar);
            if let Some(seq) = seq {
                ids.insert(seq, item.id.clone());
            }
            if let Some(p) = parent {
                parents.push((s, e.section.items.len(), p));
            }
            e.section.items.push(item);
        }
        sections.push(e.section);
    }
    for (s, i, p) in parents {
        if let Some(item) = sections.get_mut(s).and_then(|s| s.items.get_mut(i)) {
            item.parent = ids.get(&p).cloned();
        }
    }

    // Document intro and callouts: blocks outside every section.
    let mut intro = Vec::new();
    let mut callouts = Vec::new();
    let mut seen_h1 = false;
    for (i, node) in outside
        .iter()
        .filter_map(|&i| blocks.get(i).map(|n| (i, n)))
    {
        if owned.contains(&i) || new_blocks.contains(&node.range.start) {
            continue;
        }
        if let Some(c) = ctx.callout(node) {
            callouts.push(c);
            continue;
        }
        if i >= first_region || pre_has_items {
            continue;
        }
        if node.kind == Kind::Heading(1) && !seen_h1 {
            seen_h1 = true;
            continue;
        }
        intro.push(ctx.md(node.range.clone()));
    }

    let url = (!ctx.site.base.is_empty()).then(|| ctx.doc_url.clone());
    Some(Document {
        path: ctx.file.path.clone(),
        title,
        front_matter: ctx.file.front_matter.clone(),
        url,
        intro: join_blocks(intro),
        callouts,
        sections,
    })
}

/// The code of the note that counts a checklist block left out as learning objectives;
/// the summary line counts these and they are not printed.
pub const OBJECTIVE_LIST: &str = "objective-list";

/// A section in the making: its shell, its drafts, and where it stands.
struct Entry {
    /// Byte offset that orders sections (the heading's, or 0 for the page's own).
    order: usize,
    /// The heading (or content tab) the section is named after, by its first byte.
    heading_at: Option<usize>,
    section: Section,
    drafts: Vec<Draft>,
    pillar: Option<&'static str>,
    /// Kept without items (a Well-Architected pillar section).
    keep_empty: bool,
    /// Drafts of more than one pass: sorted by position before they become items.
    mixed: bool,
    /// Top-level blocks the section's items took.
    owned: HashSet<usize>,
}

/// FORMS.md section 3: the same item in exclusive branches of conditional content (two
/// monikers of one group) is one item that records both branches.
fn one_per_variant(ctx: &Ctx, entries: &mut [Entry]) {
    let marks = &ctx.file.marks;
    if marks.variants.is_empty() {
        for e in entries.iter_mut() {
            for d in &mut e.drafts {
                d.variants = Vec::new();
            }
        }
        return;
    }
    let mut first: HashMap<(String, String), (usize, usize, Vec<usize>)> = HashMap::new();
    let mut merges: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (ei, e) in entries.iter().enumerate() {
        for (di, d) in e.drafts.iter().enumerate() {
            let spans = marks.variant_spans_at(d.at);
            if spans.is_empty() {
                continue;
            }
            let key = (
                d.kind.to_string(),
                d.anchor
                    .clone()
                    .filter(|_| d.kind == "strategy")
                    .unwrap_or_else(|| d.title.to_lowercase()),
            );
            match first.get(&key) {
                Some((fe, fd, fspans)) => {
                    let exclusive = fspans.last() != spans.last()
                        && fspans
                            .last()
                            .zip(spans.last())
                            .and_then(|(a, b)| marks.variants.get(*a).zip(marks.variants.get(*b)))
                            .is_some_and(|(a, b)| a.group == b.group);
                    if exclusive {
                        merges.push((*fe, *fd, ei, di));
                    }
                }
                None => {
                    first.insert(key, (ei, di, spans));
                }
            }
        }
    }
    for e in entries.iter_mut() {
        for d in &mut e.drafts {
            d.variants = marks.variants_at(d.at);
        }
    }
    let mut drop: HashSet<(usize, usize)> = HashSet::new();
    let mut seen_variants: HashMap<(usize, usize), HashSet<String>> = HashMap::new();
    for (fe, fd, ei, di) in merges {
        let more = entries
            .get(ei)
            .and_then(|e| e.drafts.get(di))
            .map(|d| d.variants.clone())
            .unwrap_or_default();
        if let Some(d) = entries.get_mut(fe).and_then(|e| e.drafts.get_mut(fd)) {
            let seen = seen_variants
                .entry((fe, fd))
                .or_insert_with(|| d.variants.iter().cloned().collect());
            for v in more {
                if seen.insert(v.clone()) {
                    d.variants.push(v);
                }
            }
        }
        drop.insert((ei, di));
    }
    if drop.is_empty() {
        return;
    }
    for (ei, e) in entries.iter_mut().enumerate() {
        let mut di = 0;
        e.drafts.retain(|_| {
            di += 1;
            !drop.contains(&(ei, di - 1))
        });
    }
}

/// FORMS.md section 5: a checklist page, or a page with a heading that holds the word
/// "checklist", that yields no item is reported: silence is the worst answer.
fn unrecognized(ctx: &mut Ctx, page: &forms::Page) {
    let heading = ctx
        .headings
        .iter()
        .find(|h| forms::names_checklist(&h.text))
        .or_else(|| {
            page.checklist_page
                .then(|| ctx.headings.iter().find(|h| h.level == 1))
                .flatten()
        })
        .map(|h| (h.range.clone(), h.text.clone()));
    if heading.is_none() && !page.checklist_page {
        return;
    }
    let mut d = Diagnostic::warning(
        "unrecognized-checklist",
        &ctx.file.path,
        match &heading {
            Some((_, t)) => format!("`{t}` reads as a checklist, but no checklist item was recognized in this page"),
            None => "the front matter says this page is a checklist, but no checklist item was recognized in it".to_string(),
        },
    )
    .help("write the items in a form checkdown reads: a task list (`- [ ] Do this`), a checkbox table, a `> [!div class=\"checklist\"]` block, or a list on a checklist page (see README, \"Checklist forms\")");
    match heading {
        Some((range, _)) => {
            d = ctx.diag_at(d.label("this heading names a checklist"), range);
        }
        None => {
            let at = crate::load::caret(ctx.text(), 0);
            d = ctx.diag_at(d, at);
        }
    }
    ctx.diags.push(d);
}

fn build_section(
    ctx: &mut Ctx,
    region: &Region,
    checklists: &[checklist::Checklist],
    owned: &mut HashSet<usize>,
    new_blocks: &HashSet<usize>,
) -> (Section, Vec<Draft>) {
    let blocks = ctx.blocks;
    let range = region.start..region.end;
    let mut drafts: Vec<Draft> = Vec::new();
    let mut skip: HashSet<usize> = HashSet::new();
    let mut first_structural = range.end;

    for i in range.clone() {
        if owned.contains(&i) || skip.contains(&i) {
            continue;
        }
        if blocks
            .get(i)
            .is_some_and(|b| new_blocks.contains(&b.range.start))
        {
            first_structural = first_structural.min(i);
            skip.insert(i);
            continue;
        }
        let cl = checklists
            .binary_search_by_key(&i, |c| c.block)
            .ok()
            .and_then(|k| checklists.get(k));
        if let Some(cl) = cl {
            skip.extend(checklist::blocks_of(cl));
            let at = cl.caption.unwrap_or(cl.block);
            first_structural = first_structural.min(at);
            let practice_context = region.pillar.is_some()
                || ctx
                    .subheading_before(i, region.start)
                    .is_some_and(|h| h.to_lowercase().starts_with("workload design checklist"));
            let mut made = checklist::items(ctx, cl, range.end, owned, practice_context);
            drafts.append(&mut made);
        } else if let Some(form) = blocks.get(i).and_then(table::form) {
            first_structural = first_structural.min(i);
            skip.insert(i);
            let mut made = checklist::table_items(ctx, i, form);
            drafts.append(&mut made);
        }
    }
    let first_check = ctx.check_tops.partition_point(|&t| t < range.start);
    if let Some(&t) = ctx
        .check_tops
        .get(first_check)
        .filter(|t| range.contains(t))
    {
        first_structural = first_structural.min(t);
    }

    let mut goal = None;
    let mut intro = Vec::new();
    let mut callouts: Vec<Callout> = Vec::new();
    for i in range.clone() {
        if skip.contains(&i) || owned.contains(&i) {
            continue;
        }
        let Some(node) = blocks.get(i) else {
            continue;
        };
        if let Some(c) = ctx.callout(node) {
            callouts.push(c);
            owned.insert(i);
            continue;
        }
        if goal.is_none() && intro.is_empty() {
            if let Some(g) = goal_line(node) {
                goal = Some(g);
                continue;
            }
        }
        if i < first_structural && !matches!(node.kind, Kind::Heading(_)) {
            intro.push(ctx.md(node.range.clone()));
        }
    }

    let section = Section {
        id: region.id.clone(),
        title: region.title.clone(),
        level: if region.is_tab {
            level_of(&region.title)
        } else {
            None
        },
        goal,
        intro: join_blocks(intro),
        callouts,
        items: Vec::new(),
    };
    (section, drafts)
}

/// The last line of defence before an item is finished: a draft whose recognizer found no
/// title (the recognizers already take the text of a block the item opens with) takes the
/// text of the heading it links to; without one it is left out, and reported at its line
/// (`empty-item`).
fn titled(ctx: &mut Ctx, mut d: Draft) -> Option<Draft> {
    if !d.title.trim().is_empty() {
        return Some(d);
    }
    let title = d
        .heading
        .as_deref()
        .map(lead::clean_title)
        .unwrap_or_default();
    if !title.is_empty() {
        if d.key_fragment == slug("") && d.kind != "strategy" && d.kind != "review" {
            d.key_fragment = slug(&title);
        }
        d.title = title;
        return Some(d);
    }
    let text = ctx.text();
    let at = d.at.min(text.len());
    let line = ctx
        .file
        .lines
        .line_range(text, ctx.file.lines.position(text, at).0);
    let noun = match d.kind {
        _ if text
            .get(line.clone())
            .is_some_and(|l| l.trim_start().starts_with('|')) =>
        {
            "table row"
        }
        "task" => "task",
        _ => "checklist item",
    };
    let diag = Diagnostic::warning(
        "empty-item",
        &ctx.file.path,
        format!("this {noun} has no text, so it is left out"),
    )
    .label("no text here")
    .help("write the item's text after its marker, or remove the empty item");
    let diag = ctx.diag_at(diag, at.max(line.start)..line.end);
    ctx.diags.push(diag);
    None
}

/// Settles a draft's key, id, pillar and URL.
fn finish(ctx: &mut Ctx, section_id: &str, d: Draft, pillar: Option<&'static str>) -> Item {
    let fragment = if d.kind == "strategy" || d.kind == "review" {
        d.key_fragment.clone()
    } else {
        format!("{section_id}/{}", d.key_fragment)
    };
    let key = ctx.unique_key(&fragment);
    let url = d
        .anchor
        .as_ref()
        .filter(|_| !ctx.site.base.is_empty())
        .map(|a| format!("{}#{}", ctx.doc_url, a));
    Item {
        id: checklist::item_id(&key),
        key,
        kind: d.kind.to_string(),
        code: d.code,
        anchor: d.anchor.unwrap_or_default(),
        title: d.title,
        heading: d.heading,
        body: d.body,
        callouts: d.callouts,
        source: d.source,
        pillar: pillar.map(str::to_string),
        scope: d.scope,
        benefit: d.benefit,
        url,
        guide: d.guide,
        checked: d.checked,
        parent: None,
        group: d.group,
        variants: d.variants,
        summary: d.summary,
        progress: None,
    }
}

/// `![Goal icon](../_images/goal.svg) **text**` as plain text.
fn goal_line(node: &Node) -> Option<String> {
    if node.kind != Kind::Paragraph {
        return None;
    }
    let first = node.children.first()?;
    let Kind::Image(src) = &first.kind else {
        return None;
    };
    let file = src.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    if file != "goal.svg" {
        return None;
    }
    let goal: String = node.children.iter().skip(1).map(Node::plain_text).collect();
    let goal = crate::text::collapse_whitespace(&goal);
    (!goal.is_empty()).then_some(goal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(level_of("Level 1: Core security"), Some(1));
        assert_eq!(level_of("Level 3 - Recovery"), Some(3));
        assert_eq!(level_of("Levels of things"), None);
        assert_eq!(level_of("Tenet 1"), None);
    }

    #[test]
    fn pillars() {
        assert_eq!(
            pillar_of_title("Cost optimization"),
            Some("Cost Optimization")
        );
        assert_eq!(
            pillar_of_title("OPERATIONAL EXCELLENCE"),
            Some("Operational Excellence")
        );
        assert_eq!(pillar_of_title("Azure policies"), None);
        assert_eq!(
            pillar_of_slug("performance-efficiency"),
            Some("Performance Efficiency")
        );
        assert_eq!(pillar_of_slug("waf-pillar-security"), Some("Security"));
        assert_eq!(pillar_of_slug("service-guides"), None);
    }
}
