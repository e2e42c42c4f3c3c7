//! Checks for input that compiles but says something other than its author meant: a
//! checklist block with no items, a tab group opened inside another, the same heading
//! listed twice (two items with one id). They read the block tree only, and only add
//! diagnostics.

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::extract::{checklist, tab_heading};
use crate::load::SourceFile;
use crate::parse::{Kind, Node};

/// Every check, over one file.
pub fn run(file: &SourceFile, blocks: &[Node]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    empty_checklists(file, blocks, &mut out);
    nested_tab_groups(file, blocks, &mut out);
    duplicate_items(file, blocks, &mut out);
    out
}

fn at(file: &SourceFile, d: Diagnostic, node: &Node) -> Diagnostic {
    let line = file.lines.position(&file.text, node.range.start).0;
    d.at(
        &file.text,
        &file.lines,
        file.lines.line_range(&file.text, line),
    )
}

/// A checklist block with no list item at all.
fn empty_checklists(file: &SourceFile, blocks: &[Node], out: &mut Vec<Diagnostic>) {
    for node in blocks {
        if !checklist::is_checklist(node, &file.text) {
            continue;
        }
        let items = node
            .children
            .iter()
            .filter(|c| matches!(c.kind, Kind::List(_)))
            .flat_map(|l| l.children.iter())
            .filter(|i| i.kind == Kind::Item)
            .count();
        if items == 0 {
            let d = Diagnostic::warning(
                "empty-checklist",
                &file.path,
                "checklist block has no items",
            )
            .label("no `> - ` item follows this marker")
            .help("list the items under the marker (`> - [Title](#anchor)`, or `> - **Lead** text`), or remove the block");
            out.push(at(file, d, node));
        }
    }
}

/// Is this top-level block the `---` line that closes a tab group?
fn closes_group(node: &Node, text: &str) -> bool {
    node.kind == Kind::Rule
        && text
            .get(node.range.clone())
            .is_some_and(|s| s.trim_end_matches(['\r', '\n']) == "---")
}

/// A tab heading of another level inside an open tab group: groups do not nest, so it is
/// read as one more tab of the open group.
fn nested_tab_groups(file: &SourceFile, blocks: &[Node], out: &mut Vec<Diagnostic>) {
    let mut open: Option<(u8, usize)> = None;
    for node in blocks {
        if let (Some((_, title)), Kind::Heading(level)) = (tab_heading(node), &node.kind) {
            match open {
                Some((group_level, line)) if group_level != *level => {
                    let d = Diagnostic::warning(
                        "nested-tab-group",
                        &file.path,
                        format!("tab `{title}` is a level {level} heading inside the tab group of level {group_level} headings opened on line {line}"),
                    )
                    .label("read as one more tab of the open group")
                    .help("tab groups do not nest: close the open group with a `---` line first, or give this tab the level of the others");
                    out.push(at(file, d, node));
                }
                Some(_) => {}
                None => {
                    let line = file.lines.position(&file.text, node.range.start).0;
                    open = Some((*level, line));
                }
            }
        } else if open.is_some() && closes_group(node, &file.text) {
            open = None;
        }
    }
}

/// Two items with one key (the same anchor listed twice in one page) would share an id,
/// and with it a tracker row and a tick in the HTML page.
fn duplicate_items(file: &SourceFile, blocks: &[Node], out: &mut Vec<Diagnostic>) {
    // Anchor -> (line, the innermost conditional branch it stands in).
    let mut first: HashMap<String, (usize, Option<usize>)> = HashMap::new();
    let items = blocks
        .iter()
        .filter(|b| checklist::is_checklist(b, &file.text))
        .flat_map(|b| b.children.iter())
        .filter(|c| matches!(c.kind, Kind::List(_)))
        .flat_map(|l| l.children.iter());
    for item in items {
        // Items known by their link: the link is what the item starts with
        // (`> - [Title](#anchor)`); a link inside a bold-lead item's text is only a link.
        let link = checklist::item_inlines(item)
            .0
            .iter()
            .find(|n| !matches!(&n.kind, Kind::Text(t) if t.trim().is_empty()))
            .and_then(|n| match &n.kind {
                Kind::Link(d) if d.starts_with('#') => Some(d.trim_start_matches('#')),
                _ => None,
            });
        let Some(anchor) = link else { continue };
        let line = file.lines.position(&file.text, item.range.start).0;
        let branch = file
            .marks
            .variant_spans_at(item.range.start)
            .last()
            .copied();
        match first.get(anchor) {
            // The same item in exclusive branches of conditional content (two monikers
            // of one group) is one item: a reader sees one of them.
            Some(&(_, was_branch))
                if was_branch.zip(branch).is_some_and(|(a, b)| {
                    a != b
                        && file.marks.variants.get(a).map(|v| v.group)
                            == file.marks.variants.get(b).map(|v| v.group)
                }) => {}
            Some(&(was, _)) => {
                let d = Diagnostic::error(
                    "duplicate-item",
                    &file.path,
                    format!("checklist lists `#{anchor}` again (first on line {was})"),
                )
                .label("the same item twice")
                .help("remove the repeated link: an item is known by the heading it links to, so both would get one id");
                out.push(at(file, d, item));
            }
            None => {
                first.insert(anchor.to_string(), (line, branch));
            }
        }
    }
}
