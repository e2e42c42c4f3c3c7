//! Extract: recognizers over the block tree of one file, producing one `Document`.
//!
//! Sections come from tab groups, else from H2 headings (pillar H2s always). Items come
//! from checklist blocks (link items anchored to `&#10003;` headings, bold-lead practices,
//! plain items) and from tables (design-review rows, deliverables, configuration
//! recommendations). Callouts are attached to the item, section or document they stand in.

pub mod callout;
pub mod checklist;
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
use crate::parse::anchor::{slug, Anchors};
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
}

/// What the whole compile knows that one file needs.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub site: Site,
    /// Every Markdown path under INPUT, when compiling a folder.
    pub known: Option<HashSet<String>>,
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
    used_keys: HashSet<String>,
    /// "Did you mean" suggestions computed so far (they are capped per file).
    suggestions: usize,
}

impl<'a> Ctx<'a> {
    pub fn text(&self) -> &'a str {
        &self.file.text
    }

    pub fn source(&self, range: &Range<usize>) -> Source {
        let (line, column) = self.file.lines.position(&self.file.text, range.start);
        Source { line, column }
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
        let base = format!("{}#{}", self.file.path, fragment);
        if self.used_keys.insert(base.clone()) {
            return base;
        }
        let mut n = 1;
        loop {
            let k = format!("{base}-{n}");
            if self.used_keys.insert(k.clone()) {
                return k;
            }
            n += 1;
        }
    }

    /// The anchor of the nearest heading at or before top-level block `i`.
    fn anchor_before(&self, i: usize) -> Option<String> {
        self.headings
            .iter()
            .rev()
            .find(|h| h.top.is_some_and(|t| t <= i))
            .map(|h| h.anchor.clone())
    }

    /// Text of the nearest H3+ heading at or before block `i` within `region`.
    fn subheading_before(&self, i: usize, region_start: usize) -> Option<&str> {
        self.headings
            .iter()
            .rev()
            .find(|h| h.level >= 3 && h.top.is_some_and(|t| t <= i && t >= region_start))
            .map(|h| h.text.as_str())
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
}

/// Collects every heading (nested ones too) in document order with unique anchors.
fn collect_headings(blocks: &[Node]) -> Vec<HeadingInfo> {
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
            let anchor = anchors.unique(&raw);
            let trimmed = raw.trim();
            let is_check = trimmed.starts_with(CHECK);
            let text = trimmed.trim_start_matches(CHECK).trim().to_string();
            out.push(HeadingInfo {
                anchor,
                level,
                range: node.range.clone(),
                text,
                is_check,
                top,
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
    let headings = collect_headings(blocks);
    let mut by_anchor = HashMap::new();
    for (i, h) in headings.iter().enumerate() {
        by_anchor.entry(h.anchor.clone()).or_insert(i);
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
        used_keys: HashSet::new(),
        suggestions: 0,
    };
    lint::mojibake(file, &mut ctx.diags);
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
            Kind::Heading(1) => {
                close(&mut regions, &mut current, i);
                outside.push(i);
            }
            Kind::Heading(2) => {
                close(&mut regions, &mut current, i);
                let info = ctx.headings.iter().find(|h| h.top == Some(i));
                let title = node
                    .plain_text()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
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

    let checklists = checklist::find(ctx);
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
    if checklists.is_empty() && !has_tables {
        return None;
    }

    // Links: resolved in every Markdown slice from here on; broken ones reported.
    let anchors: HashSet<String> = ctx.headings.iter().map(|h| h.anchor.clone()).collect();
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
                let values: Vec<&str> = match v {
                    crate::model::FrontValue::Text(s) => vec![s.as_str()],
                    crate::model::FrontValue::List(l) => l
                        .iter()
                        .filter_map(|x| match x {
                            crate::model::FrontValue::Text(s) => Some(s.as_str()),
                            _ => None,
                        })
                        .collect(),
                    crate::model::FrontValue::Null => vec![],
                };
                let key = k.to_lowercase();
                values.into_iter().find_map(|v| {
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

    let mut sections = Vec::new();
    let mut owned: HashSet<usize> = HashSet::new();
    let first_region = regions
        .first()
        .map(|r| r.heading.unwrap_or(r.start))
        .unwrap_or(blocks.len());
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
    let pre_section = build_section(ctx, &pre_region, &checklists, &mut pre_owned, doc_pillar);
    let pre_has_items = !pre_section.items.is_empty();
    if pre_has_items {
        sections.push(pre_section);
        owned.extend(pre_owned);
    }
    for region in &regions {
        let section = build_section(ctx, region, &checklists, &mut owned, doc_pillar);
        if region.is_tab || region.pillar.is_some() || !section.items.is_empty() {
            sections.push(section);
        }
    }
    if sections.iter().all(|s| s.items.is_empty()) {
        return None;
    }

    // Document intro and callouts: blocks outside every section.
    let mut intro = Vec::new();
    let mut callouts = Vec::new();
    let mut seen_h1 = false;
    for (i, node) in outside
        .iter()
        .filter_map(|&i| blocks.get(i).map(|n| (i, n)))
    {
        if owned.contains(&i) {
            continue;
        }
        if let Some(c) = callout::recognize(node, text, |r| ctx.md(r)) {
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

    Some(Document {
        path: ctx.file.path.clone(),
        title,
        front_matter: ctx.file.front_matter.clone(),
        url: Some(ctx.doc_url.clone()),
        intro: join_blocks(intro),
        callouts,
        sections,
    })
}

fn build_section(
    ctx: &mut Ctx,
    region: &Region,
    checklists: &[checklist::Checklist],
    owned: &mut HashSet<usize>,
    doc_pillar: Option<&'static str>,
) -> Section {
    let blocks = ctx.blocks;
    let text = ctx.text();
    let range = region.start..region.end;
    let mut drafts: Vec<Draft> = Vec::new();
    let mut skip: HashSet<usize> = HashSet::new();
    let mut first_structural = range.end;

    for i in range.clone() {
        if owned.contains(&i) || skip.contains(&i) {
            continue;
        }
        if let Some(cl) = checklists.iter().find(|c| c.block == i) {
            skip.insert(cl.block);
            skip.extend(
                cl.continuation
                    .iter()
                    .flat_map(|(stray, quote)| [*stray, *quote]),
            );
            let at = cl.caption.unwrap_or(cl.block);
            first_structural = first_structural.min(at);
            if let Some(caption) = cl.caption {
                skip.insert(caption);
            }
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
    for h in &ctx.headings {
        if h.is_check {
            if let Some(t) = h.top.filter(|t| range.contains(t)) {
                first_structural = first_structural.min(t);
            }
        }
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
        if let Some(c) = callout::recognize(node, text, |r| ctx.md(r)) {
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

    let pillar = region.pillar.or(doc_pillar);
    let items = drafts
        .into_iter()
        .map(|d| finish(ctx, &region.id, d, pillar))
        .collect();
    Section {
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
        items,
    }
}

/// Settles a draft's key, id, pillar and URL.
fn finish(ctx: &mut Ctx, section_id: &str, d: Draft, pillar: Option<&'static str>) -> Item {
    let fragment = if d.kind == "strategy" || d.kind == "review" {
        d.key_fragment.clone()
    } else {
        format!("{section_id}/{}", d.key_fragment)
    };
    let key = ctx.unique_key(&fragment);
    let url = d.anchor.as_ref().map(|a| format!("{}#{}", ctx.doc_url, a));
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
    let goal = crate::render::markdown::collapse_whitespace(&goal);
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
