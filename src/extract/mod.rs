//! Extract: recognizers over the block tree of one file, producing one `Document`.
//!
//! Sections come from tab groups; items from checklist blocks and the headings their
//! links anchor to; callouts are attached to the item, section or document they stand in.

pub mod callout;
pub mod checklist;
pub mod lint;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::diag::Diagnostic;
use crate::load::SourceFile;
use crate::model::{Callout, Document, Item, Section, Source};
use crate::parse::anchor::Anchors;
use crate::parse::{Kind, Node};

use text::{join_blocks, source_markdown, strip_directives};

/// The check mark that starts the headings maturity-model checklists link to.
const CHECK: char = '\u{2713}';

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

/// Everything recognizers need about one file.
pub struct Ctx<'a> {
    pub file: &'a SourceFile,
    pub blocks: &'a [Node],
    pub headings: Vec<HeadingInfo>,
    pub by_anchor: HashMap<String, usize>,
    pub diags: Vec<Diagnostic>,
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
}

/// Collects every heading (nested ones too) in document order with unique anchors.
fn collect_headings(blocks: &[Node]) -> Vec<HeadingInfo> {
    fn walk(nodes: &[Node], top: bool, anchors: &mut Anchors, out: &mut Vec<HeadingInfo>) {
        for (i, node) in nodes.iter().enumerate() {
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
                    top: top.then_some(i),
                });
            } else if node.is_block() {
                walk(&node.children, false, anchors, out);
            }
        }
    }
    let mut anchors = Anchors::default();
    let mut out = Vec::new();
    walk(blocks, true, &mut anchors, &mut out);
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

/// Is this block a `---` line (a thematic break written exactly so)?
fn is_group_close(node: &Node, text: &str) -> bool {
    node.kind == Kind::Rule
        && text
            .get(node.range.clone())
            .is_some_and(|s| s.trim_end_matches(['\r', '\n']) == "---")
}

/// The maturity level a title names: `Level 3: …`, `Level 3 - …`.
pub fn level_of(title: &str) -> Option<u32> {
    let lower = title.trim().to_lowercase();
    let rest = lower.strip_prefix("level")?;
    let rest = rest.trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// A region of top-level blocks that becomes one section.
struct Region {
    id: String,
    title: String,
    heading: usize,
    end: usize,
}

/// Compiles one file into a document, or `None` when it holds no checklist.
pub fn extract(file: &SourceFile, blocks: &[Node]) -> (Option<Document>, Vec<Diagnostic>) {
    let headings = collect_headings(blocks);
    let mut by_anchor = HashMap::new();
    for (i, h) in headings.iter().enumerate() {
        by_anchor.entry(h.anchor.clone()).or_insert(i);
    }
    let mut ctx = Ctx {
        file,
        blocks,
        headings,
        by_anchor,
        diags: Vec::new(),
    };
    lint::mojibake(file, &mut ctx.diags);
    let doc = build_document(&mut ctx);
    (doc, ctx.diags)
}

fn build_document(ctx: &mut Ctx) -> Option<Document> {
    let blocks = ctx.blocks;
    let text = ctx.text();

    // Tab groups: consecutive tab headings, closed by a `---` line.
    let mut regions: Vec<Region> = Vec::new();
    let mut open = false;
    let mut group_start: Option<usize> = None;
    let mut doc_blocks: Vec<usize> = Vec::new();
    for (i, node) in blocks.iter().enumerate() {
        if let Some((id, title)) = tab_heading(node) {
            if let Some(last) = regions.last_mut() {
                if open {
                    last.end = i;
                }
            }
            if !open {
                group_start = Some(i);
            }
            open = true;
            regions.push(Region {
                id,
                title,
                heading: i,
                end: blocks.len(),
            });
        } else if open && is_group_close(node, text) {
            if let Some(last) = regions.last_mut() {
                last.end = i;
            }
            open = false;
        } else if !open {
            doc_blocks.push(i);
        }
    }
    if open {
        if let Some(start) = group_start {
            let d = Diagnostic::error("unclosed-tab-group", &ctx.file.path, "tab group is never closed")
                .label("the group opens here")
                .help("end the last tab with a line that is exactly `---`; its content runs to the end of the file");
            let d = ctx.diag_at(d, blocks[start].range.clone());
            ctx.diags.push(d);
        }
    }

    // Checklist blocks, anywhere at the top level.
    let checklists = checklist::find(ctx);
    let listed: HashSet<String> = checklists
        .iter()
        .flat_map(|c| c.links.iter().map(|l| l.anchor.clone()))
        .collect();
    for h in &ctx.headings {
        if h.is_check && !listed.contains(&h.anchor) {
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
    if checklists.is_empty() {
        return None;
    }

    // Title: the first H1 that is not a tab, else front matter title, else the path.
    let title = blocks
        .iter()
        .find(|n| n.kind == Kind::Heading(1) && tab_heading(n).is_none())
        .map(|n| n.plain_text().trim().to_string())
        .or_else(|| ctx.file.front_matter.get_str("title").map(str::to_string))
        .unwrap_or_else(|| ctx.file.path.clone());

    // Which top-level blocks each item owns.
    let mut sections = Vec::new();
    let mut owned: HashSet<usize> = HashSet::new();
    for region in &regions {
        let section = build_section(ctx, region, &checklists, &mut owned);
        sections.push(section);
    }

    // Document intro and callouts: blocks outside every section.
    let first_section = regions.first().map(|r| r.heading).unwrap_or(blocks.len());
    let mut intro = Vec::new();
    let mut callouts = Vec::new();
    let mut seen_h1 = false;
    for &i in &doc_blocks {
        let node = &blocks[i];
        if let Some(c) = callout::recognize(node, text) {
            callouts.push(c);
            continue;
        }
        if i >= first_section {
            continue;
        }
        if node.kind == Kind::Heading(1) && !seen_h1 {
            seen_h1 = true;
            continue;
        }
        intro.push(source_markdown(text, &node.range));
    }

    Some(Document {
        path: ctx.file.path.clone(),
        title,
        front_matter: ctx.file.front_matter.clone(),
        url: None,
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
) -> Section {
    let blocks = ctx.blocks;
    let text = ctx.text();
    let range = (region.heading + 1)..region.end;
    let mut items: Vec<Item> = Vec::new();
    let mut skip: HashSet<usize> = HashSet::new();

    for cl in checklists.iter().filter(|c| range.contains(&c.block)) {
        skip.insert(cl.block);
        if let Some(caption) = cl.caption {
            skip.insert(caption);
        }
        for link in &cl.links {
            let item = checklist::strategy_item(ctx, link, range.end, owned);
            items.push(item);
        }
    }

    let mut goal = None;
    let mut intro = Vec::new();
    let mut callouts: Vec<Callout> = Vec::new();
    let first_structural = checklists
        .iter()
        .filter(|c| range.contains(&c.block))
        .map(|c| c.caption.unwrap_or(c.block))
        .chain(
            ctx.headings
                .iter()
                .filter(|h| h.is_check)
                .filter_map(|h| h.top)
                .filter(|t| range.contains(t)),
        )
        .min()
        .unwrap_or(range.end);
    for i in range.clone() {
        if skip.contains(&i) || owned.contains(&i) {
            continue;
        }
        let node = &blocks[i];
        if let Some(c) = callout::recognize(node, text) {
            callouts.push(c);
            continue;
        }
        if goal.is_none() && intro.is_empty() {
            if let Some(g) = goal_line(node) {
                goal = Some(g);
                continue;
            }
        }
        if i < first_structural {
            intro.push(source_markdown(text, &node.range));
        }
    }
    Section {
        id: region.id.clone(),
        title: region.title.clone(),
        level: level_of(&region.title),
        goal,
        intro: join_blocks(intro),
        callouts,
        items,
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
    let goal: String = node.children[1..].iter().map(Node::plain_text).collect();
    let goal = goal.split_whitespace().collect::<Vec<_>>().join(" ");
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
}
