//! Form E: checklist pages. On a page whose front matter says it is a checklist
//! (`ms.topic: checklist`, or `checklist` among the values of `ms.custom`) or whose H1
//! holds the word "checklist", each top-level item of a list (bulleted or numbered) is an
//! item of kind `practice`, wherever it stands, except lists whose items are all one link
//! each (a table of contents), lists under "Next steps", "Related resources", "Related
//! content", "See also", "Contributors" or "Prerequisites" headings, lists inside callouts
//! and tables, and nested lists (they stay in their item's body). A bold line right above
//! a list names a group.
//!
//! ```markdown
//! # Availability checklist
//!
//! ## Application design
//!
//! **Data**
//!
//! * **Avoid any single point of failure.** All components ... should be redundant.
//! ```

use std::collections::HashSet;

use crate::parse::{Kind, Node};

use super::{heading_name, list_item, Form, Page, Present, TitleRule};
use crate::extract::checklist::item_inlines;
use crate::extract::{Ctx, Draft};

pub struct ChecklistPage;

/// Headings whose lists are navigation, not work.
const LEFT_OUT: [&str; 6] = [
    "next steps",
    "related resources",
    "related content",
    "see also",
    "contributors",
    "prerequisites",
];

/// Is this list item exactly one link (a table of contents entry)?
fn is_link_only(item: &Node) -> bool {
    let (inlines, _, rest) = item_inlines(item);
    let nested = item.children.iter().skip(rest).any(Node::is_block);
    let mut content = inlines.iter().filter(
        |n| !matches!(&n.kind, Kind::Text(t) if t.trim().trim_end_matches(['.', ',']).is_empty()),
    );
    let one = content
        .next()
        .is_some_and(|n| matches!(n.kind, Kind::Link(_)));
    one && content.next().is_none() && !nested
}

/// A fill-in field (`- Content owner:` with nothing after it and nothing nested): a form
/// to complete, not a task.
fn is_field(item: &Node) -> bool {
    let (inlines, _, rest) = item_inlines(item);
    let nested = item.children.iter().skip(rest).any(Node::is_block);
    let text: String = inlines.iter().map(Node::plain_text).collect();
    let t = text.trim();
    !nested && (t.ends_with(':') || t.ends_with('\u{ff1a}'))
}

/// A paragraph that is one bold run: a group caption.
fn caption(node: &Node) -> Option<String> {
    let mut content = node
        .children
        .iter()
        .filter(|c| !matches!(&c.kind, Kind::Text(t) if t.trim().is_empty()));
    let first = content.next()?;
    (node.kind == Kind::Paragraph && first.kind == Kind::Strong && content.next().is_none())
        .then(|| crate::extract::lead::clean_title(&first.plain_text()))
}

impl Form for ChecklistPage {
    fn name(&self) -> &'static str {
        "E: checklist page"
    }

    fn applies(&self, _present: &Present, page: &Page) -> bool {
        page.checklist_page
    }

    fn find(&self, ctx: &Ctx, page: &Page, claimed: &mut HashSet<usize>) -> Vec<Draft> {
        if !page.checklist_page {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut heading: Option<String> = None;
        for (i, block) in ctx.blocks.iter().enumerate() {
            if let Kind::Heading(_) = block.kind {
                heading = Some(heading_name(&block.plain_text()));
                continue;
            }
            let Kind::List(_) = block.kind else { continue };
            if heading.as_deref().is_some_and(|h| LEFT_OUT.contains(&h)) {
                continue;
            }
            let items: Vec<&Node> = block
                .children
                .iter()
                .filter(|c| c.kind == Kind::Item)
                .collect();
            if items.is_empty() || items.iter().all(|i| is_link_only(i)) {
                continue;
            }
            let group = i
                .checked_sub(1)
                .and_then(|p| ctx.blocks.get(p))
                .and_then(caption);
            for item in items {
                if is_field(item) || !claimed.insert(item.range.start) {
                    continue;
                }
                // An item without text is reported where items are finished.
                let mut d = list_item(ctx, item, 0, TitleRule::Sentence, "practice", &|_| false);
                d.group = group.clone();
                out.push(d);
            }
        }
        out
    }
}
