//! Form D: GFM task lists. Every list item that opens with `[ ]`, `[x]` or `[X]` is an
//! item of kind `task`, checked or not, anywhere in the page (ordered lists, blockquotes,
//! admonitions too). A task nested in a task is an item of its own whose `parent` is the
//! enclosing task; the enclosing task's body keeps its other nested blocks.
//!
//! ```markdown
//! - [x] Update the changelog
//! - [ ] Tag the release
//!   - [ ] Push the tag
//! ```

use std::collections::HashSet;

use crate::parse::{Kind, Node};

use super::{list_item, task_marker, Form, Page, Present, TitleRule};
use crate::extract::{Ctx, Draft};

pub struct TaskList;

/// A list whose items are all tasks: its tasks are items, not body text.
fn is_task_list(node: &Node) -> bool {
    matches!(node.kind, Kind::List(_))
        && node
            .children
            .iter()
            .filter(|c| c.kind == Kind::Item)
            .all(|i| task_marker(i).is_some())
}

impl Form for TaskList {
    fn name(&self) -> &'static str {
        "D: task list"
    }

    fn applies(&self, present: &Present, _page: &Page) -> bool {
        present.tasks
    }

    fn find(&self, ctx: &Ctx, _page: &Page, claimed: &mut HashSet<usize>) -> Vec<Draft> {
        let mut out: Vec<Draft> = Vec::new();
        // Tasks open around the node being visited: (item's range end, draft index).
        let mut open: Vec<(usize, usize)> = Vec::new();
        let mut items: Vec<(&Node, usize)> = Vec::new();
        super::walk(ctx.blocks, |node, quotes| {
            if claimed.contains(&node.range.start) && node.kind != Kind::Paragraph {
                return false;
            }
            if node.kind == Kind::Item && task_marker(node).is_some() {
                items.push((node, quotes));
            }
            true
        });
        for (item, quotes) in items {
            while open.last().is_some_and(|&(end, _)| end <= item.range.start) {
                open.pop();
            }
            if !claimed.insert(item.range.start) {
                continue;
            }
            let mut d = list_item(ctx, item, quotes, TitleRule::Paragraph, "task", &|b| {
                is_task_list(b)
            });
            d.parent = open.last().map(|&(_, i)| i);
            open.push((item.range.end, out.len()));
            out.push(d);
        }
        out
    }
}
