//! Items nested in items (`Item::parent`), as the outputs with a hierarchy show them: the
//! Markdown checklist's indented lists, the HTML page's nested lists, Jira's sub-tasks,
//! Azure DevOps' `Title 3` rows and GitHub's sub-issues.
//!
//! The model promises that a parent comes before its children in the same section; an item
//! whose parent is not an earlier item of its section stands at the top. Nesting is capped at
//! [`MAX_DEPTH`]: a deeper item hangs under its ancestor at the cap, so that a task list
//! nested thousands deep gives output in proportion to its size.

use crate::model::Item;

/// How deep items nest under a top-level item. GitHub nests sub-issues eight levels deep
/// ("up to eight levels of nested sub-issues",
/// <https://docs.github.com/en/issues/tracking-your-work-with-issues/using-issues/adding-sub-issues>):
/// the section's issue, the top-level item and six levels below it.
pub const MAX_DEPTH: usize = 6;

/// One item in tree order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// The item's index in its section.
    pub index: usize,
    /// 0 for a top-level item, at most [`MAX_DEPTH`].
    pub depth: usize,
    /// The index of the item it is shown under, if any.
    pub parent: Option<usize>,
    /// The index of its top-level ancestor (itself at the top).
    pub root: usize,
    /// How many items are shown directly under it.
    pub children: usize,
}

/// The items of a section in tree order: each item followed by the items under it, all in
/// their order in the section (the section's own order when it is already a tree's).
pub fn order(items: &[Item]) -> Vec<Node> {
    let mut index_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut nodes: Vec<Node> = Vec::with_capacity(items.len());
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut tops = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let mut parent = it.parent.as_deref().and_then(|p| index_of.get(p).copied());
        // Under the ancestor at the cap when the parent is at it.
        while let Some(p) = parent.filter(|&p| nodes[p].depth >= MAX_DEPTH) {
            parent = nodes[p].parent;
        }
        let node = match parent {
            Some(p) => Node {
                index: i,
                depth: nodes[p].depth + 1,
                parent: Some(p),
                root: nodes[p].root,
                children: 0,
            },
            None => Node {
                index: i,
                depth: 0,
                parent: None,
                root: i,
                children: 0,
            },
        };
        match parent {
            Some(p) => {
                kids[p].push(i);
                nodes[p].children += 1;
            }
            None => tops.push(i),
        }
        nodes.push(node);
        // The first item with an id is the one children find (ids are unique).
        index_of.entry(it.id.as_str()).or_insert(i);
    }
    let mut out = Vec::with_capacity(items.len());
    let mut stack: Vec<usize> = tops.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        out.push(nodes[i]);
        stack.extend(kids[i].iter().rev());
    }
    out
}

/// For each node of [`order`], in the same order, how many nested lists close after it:
/// the difference between its depth and the next node's (or 0 at the top).
pub fn closes(nodes: &[Node]) -> Vec<usize> {
    nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            let next = nodes.get(n + 1).map_or(0, |m| m.depth);
            node.depth.saturating_sub(next)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;

    fn item(id: &str, parent: Option<&str>) -> Item {
        Item {
            id: id.to_string(),
            key: format!("t.md#{id}"),
            kind: "task".to_string(),
            code: None,
            anchor: id.to_string(),
            title: id.to_string(),
            heading: None,
            body: String::new(),
            callouts: Vec::new(),
            source: Source::default(),
            pillar: None,
            scope: None,
            benefit: None,
            url: None,
            guide: None,
            checked: false,
            parent: parent.map(str::to_string),
            group: None,
            variants: Vec::new(),
            summary: None,
            progress: None,
        }
    }

    fn shape(items: &[Item]) -> Vec<(usize, usize, Option<usize>, usize, usize)> {
        order(items)
            .iter()
            .map(|n| (n.index, n.depth, n.parent, n.root, n.children))
            .collect()
    }

    #[test]
    fn children_follow_their_parents() {
        let items = [
            item("a", None),
            item("b", None),
            item("a1", Some("a")),
            item("a1x", Some("a1")),
            item("b1", Some("b")),
            item("c", None),
        ];
        assert_eq!(
            shape(&items),
            [
                (0, 0, None, 0, 1),
                (2, 1, Some(0), 0, 1),
                (3, 2, Some(2), 0, 0),
                (1, 0, None, 1, 1),
                (4, 1, Some(1), 1, 0),
                (5, 0, None, 5, 0),
            ]
        );
        assert_eq!(closes(&order(&items)), [0, 0, 2, 0, 1, 0]);
    }

    #[test]
    fn unknown_later_and_own_parents_stand_at_the_top() {
        let items = [
            item("a", Some("b")),
            item("b", Some("b")),
            item("c", Some("elsewhere")),
        ];
        assert_eq!(
            shape(&items),
            [(0, 0, None, 0, 0), (1, 0, None, 1, 0), (2, 0, None, 2, 0)]
        );
    }

    #[test]
    fn nesting_stops_at_the_cap() {
        let mut items = vec![item("0", None)];
        for n in 1..10_000 {
            items.push(item(&n.to_string(), Some(&(n - 1).to_string())));
        }
        let nodes = order(&items);
        assert_eq!(nodes.len(), 10_000);
        assert!(nodes.iter().all(|n| n.depth <= MAX_DEPTH && n.root == 0));
        assert_eq!(nodes[MAX_DEPTH].depth, MAX_DEPTH);
        // Deeper items hang under the item just above the cap.
        assert_eq!(nodes[MAX_DEPTH + 1].depth, MAX_DEPTH);
        assert_eq!(nodes[MAX_DEPTH + 1].parent, Some(MAX_DEPTH - 1));
        let indexes: Vec<usize> = nodes.iter().map(|n| n.index).collect();
        assert_eq!(indexes, (0..10_000).collect::<Vec<_>>());
    }
}
