//! The checklist forms of FORMS.md beyond the checklist block: one module per form, each
//! behind [`Form`], run in the order FORMS.md gives (B to G; form A, the checklist block,
//! and form F, its heading-only variant, are read first by [`super::checklist`]).
//!
//! | form | module | what it reads |
//! |---|---|---|
//! | B | [`checkbox_table`] | a table with one column of checkbox marks |
//! | C | [`code_table`] | a table whose first column links codes (`MIG:01`) |
//! | D | [`task_list`] | GFM task list items (`- [ ]`, `- [x]`), anywhere |
//! | E | [`checklist_page`] | every top-level list item of a checklist page |
//! | G | [`best_practice`] | `> **Best practice guidance**` blockquotes |
//!
//! One reading per item: a list item, table or blockquote that an earlier form read is
//! `claimed` (by its first byte) and later forms leave it alone.

pub mod best_practice;
pub mod checkbox_table;
pub mod checklist_page;
pub mod code_table;
pub mod task_list;

use std::collections::HashSet;

use crate::dialect::strip_shortcodes;
use crate::parse::anchor::slug;
use crate::parse::{Kind, Node};
use crate::text::{sentence, to_plain};

use super::checklist::item_inlines;
use super::lead::{self, clean_title};
use super::text::join_blocks;
use super::{callout, Ctx, Draft};

/// Facts about the page that more than one form needs.
#[derive(Debug, Default)]
pub struct Page {
    /// FORMS.md form E: `ms.topic: checklist`, `checklist` among `ms.custom`'s values, or
    /// an H1 that holds the word "checklist".
    pub checklist_page: bool,
    /// What the page holds that the forms read.
    pub present: Present,
}

impl Page {
    pub fn of(ctx: &Ctx) -> Page {
        let fm = &ctx.file.front_matter;
        let topic = fm
            .get_str("ms.topic")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("checklist"));
        let custom = fm.get("ms.custom").is_some_and(|v| {
            front_values(v)
                .iter()
                .flat_map(|s| s.split(','))
                .any(|s| s.trim().eq_ignore_ascii_case("checklist"))
        });
        let h1 = ctx
            .headings
            .iter()
            .find(|h| h.level == 1)
            .is_some_and(|h| names_checklist(&h.text));
        Page {
            checklist_page: topic || custom || h1,
            present: ctx.present,
        }
    }
}

/// The strings of a front matter value (a list's items, or the value itself).
pub fn front_values(v: &crate::model::FrontValue) -> Vec<&str> {
    use crate::model::FrontValue;
    match v {
        FrontValue::Text(s) => vec![s.as_str()],
        FrontValue::List(l) => l
            .iter()
            .filter_map(|x| match x {
                FrontValue::Text(s) => Some(s.as_str()),
                _ => None,
            })
            .collect(),
        FrontValue::Null => Vec::new(),
    }
}

/// Does `text` name a checklist: the word "checklist" or "checklists" (any case)?
pub fn names_checklist(text: &str) -> bool {
    has_word(text, "checklist") || has_word(text, "checklists")
}

/// Does `text` hold `word` as a whole word (any case)?
pub fn has_word(text: &str, word: &str) -> bool {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == word)
}

/// One checklist form: finds its items in a page.
pub trait Form: Sync {
    /// The FORMS.md letter and name, such as `D: task list`.
    fn name(&self) -> &'static str;
    /// Whether the form can find anything in a page that holds `present`.
    fn applies(&self, present: &Present, page: &Page) -> bool;
    /// The form's items, in source order, as drafts whose `at` is the item's first byte.
    /// Nodes it reads go into `claimed` (their first byte); nodes already there are
    /// another form's and are skipped.
    fn find(&self, ctx: &Ctx, page: &Page, claimed: &mut HashSet<usize>) -> Vec<Draft>;
}

/// Forms B to G, in FORMS.md's order of precedence.
pub const FORMS: [&dyn Form; 5] = [
    &checkbox_table::CheckboxTable,
    &code_table::CodeTable,
    &task_list::TaskList,
    &checklist_page::ChecklistPage,
    &best_practice::BestPractice,
];

/// What a page holds that some form reads, from one walk: forms that could find nothing
/// are not run.
#[derive(Debug, Default, Clone, Copy)]
pub struct Present {
    /// Tables other than the Well-Architected ones (which have their own reading).
    pub tables: bool,
    /// List items that open with a task marker.
    pub tasks: bool,
    /// Blockquotes whose first paragraph opens with bold text.
    pub quotes: bool,
}

impl Present {
    /// The page's [`Present`], and the byte ranges of its code blocks and code spans
    /// (sorted; the mojibake lint leaves them out).
    pub fn of(blocks: &[Node]) -> (Present, Vec<std::ops::Range<usize>>) {
        let mut p = Present::default();
        let mut code = Vec::new();
        walk(blocks, |n, _| {
            match n.kind {
                Kind::Table => p.tables |= super::table::form(n).is_none(),
                Kind::BlockQuote(_) => {
                    p.quotes |= n.children.first().is_some_and(|c| {
                        c.kind == Kind::Paragraph
                            && c.children
                                .iter()
                                .find(|x| !matches!(&x.kind, Kind::Text(t) if t.trim().is_empty()))
                                .is_some_and(|x| x.kind == Kind::Strong)
                    })
                }
                Kind::Item => p.tasks |= task_marker(n).is_some(),
                Kind::CodeBlock => code.push(n.range.clone()),
                _ => {}
            }
            code.extend(
                n.children
                    .iter()
                    .filter(|c| matches!(c.kind, Kind::Code(_)))
                    .map(|c| c.range.clone()),
            );
            true
        });
        code.sort_by_key(|r| r.start);
        (p, code)
    }
}

/// Runs every form over the page. Parents (`Draft::parent`) index into the result.
pub fn run(ctx: &Ctx, page: &Page, claimed: &mut HashSet<usize>) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    for form in FORMS {
        if !form.applies(&page.present, page) {
            continue;
        }
        let base = out.len();
        let mut found = form.find(ctx, page, claimed);
        for d in &mut found {
            d.parent = d.parent.map(|p| p + base);
        }
        out.append(&mut found);
    }
    for (i, d) in out.iter_mut().enumerate() {
        d.seq = Some(i);
    }
    out
}

/// A task list marker (`[ ]`, `[x]`) opening a list item: its state and where it ends.
pub fn task_marker(item: &Node) -> Option<(bool, usize)> {
    let (inlines, _, _) = item_inlines(item);
    inlines
        .iter()
        .find(|n| !matches!(&n.kind, Kind::Text(t) if t.trim().is_empty()))
        .and_then(|n| match n.kind {
            Kind::TaskMarker(done) => Some((done, n.range.end)),
            _ => None,
        })
}

/// An item's inline content without its task list marker (`[x]` is a state, never text).
pub fn after_marker(inlines: &[Node], marker: Option<(bool, usize)>) -> &[Node] {
    match marker {
        Some((_, end)) => {
            let k = inlines
                .iter()
                .position(|n| n.range.start >= end)
                .unwrap_or(inlines.len());
            inlines.get(k..).unwrap_or(&[])
        }
        None => inlines,
    }
}

/// How a list item's title is found when it does not open with a bold lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleRule {
    /// The whole first paragraph (forms A and D).
    Paragraph,
    /// The first sentence (form E).
    Sentence,
}

/// A list item read as an item: title, body and callouts. `quotes` is how many
/// blockquotes enclose it; `skip` says which nested blocks are not body (nested tasks,
/// items of their own).
pub fn list_item(
    ctx: &Ctx,
    item: &Node,
    quotes: usize,
    rule: TitleRule,
    kind: &'static str,
    skip: &dyn Fn(&Node) -> bool,
) -> Draft {
    let text = ctx.text();
    let (inlines, para_end, rest_from) = item_inlines(item);
    let marker = task_marker(item);
    let inlines = after_marker(inlines, marker);
    let mut body = Vec::new();
    let mut callouts = Vec::new();
    let mut title;
    let mut from = rest_from;
    let has_text = inlines
        .iter()
        .any(|n| !matches!(&n.kind, Kind::Text(t) if t.trim().is_empty()));
    if has_text {
        let lead = lead::split(inlines, text, |from| ctx.md_inline(from, para_end, quotes));
        if lead.bold || rule == TitleRule::Sentence {
            title = lead.title;
            body.push(lead.rest);
        } else {
            // From the tree, not the source: reference links (`[kubernetes/website]`,
            // defined at the end of the page) are resolved there.
            let plain: String = inlines.iter().map(Node::plain_text).collect();
            title = clean_title(&plain);
        }
    } else {
        title = String::new();
    }
    if title.is_empty() {
        // The item opens with a block (an indented code block, a nested list): the text
        // of that block is the title.
        if let Some((n, first)) = item
            .children
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, b)| b.is_block() && !skip(b))
        {
            let plain = block_plain(ctx, first, quotes);
            title = clean_title(sentence(&plain));
            let rest = plain.get(sentence(&plain).len()..).unwrap_or("").trim();
            if !rest.is_empty() {
                body.push(rest.to_string());
            }
            from = n + 1;
        }
    }
    for block in item.children.iter().skip(from) {
        if !block.is_block() || skip(block) {
            continue;
        }
        let own = callout::is_icon_callout(block)
            .then(|| callout::from_markdown(block, ctx.md_block(block, quotes)))
            .flatten();
        match own.or_else(|| ctx.marked_callout(block, quotes)) {
            Some(c) => callouts.push(c),
            None => body.push(ctx.md_block_callouts(block, quotes, &mut callouts)),
        }
    }
    let title = clean_title(&strip_shortcodes(&title));
    Draft {
        kind,
        key_fragment: slug(&title),
        title,
        body: join_blocks(body),
        callouts,
        checked: marker.is_some_and(|(done, _)| done),
        source: ctx.source(&item.range),
        at: item.range.start,
        ..Draft::default()
    }
}

/// The plain text of a block: a code block's code, else its text without markup.
pub fn block_plain(ctx: &Ctx, block: &Node, quotes: usize) -> String {
    if block.kind == Kind::CodeBlock {
        let code: String = block
            .children
            .iter()
            .map(|c| match &c.kind {
                Kind::Text(t) => t.as_str(),
                _ => "",
            })
            .collect();
        return crate::text::collapse_whitespace(&code);
    }
    crate::text::collapse_whitespace(&to_plain(&ctx.md_block(block, quotes)))
}

/// Walks every node below `blocks` with the number of blockquotes around it.
pub fn walk<'a>(blocks: &'a [Node], mut visit: impl FnMut(&'a Node, usize) -> bool) {
    let mut stack: Vec<(&'a Node, usize)> = blocks.iter().rev().map(|n| (n, 0)).collect();
    while let Some((node, quotes)) = stack.pop() {
        if !visit(node, quotes) {
            continue;
        }
        let inner = quotes + usize::from(matches!(node.kind, Kind::BlockQuote(_)));
        stack.extend(
            node.children
                .iter()
                .rev()
                .filter(|c| c.is_block() || matches!(c.kind, Kind::TableHead | Kind::TableRow))
                .map(|c| (c, inner)),
        );
    }
}

/// A heading's text for comparisons: shortcodes and trailing punctuation removed,
/// lowercase (`## See also:` is `see also`).
pub fn heading_name(text: &str) -> String {
    strip_shortcodes(text)
        .trim()
        .trim_end_matches(['.', ':', '：', '。', '?', '!'])
        .trim()
        .to_lowercase()
}

/// A heading's text as a section title: shortcodes and trailing punctuation removed
/// (`## :clipboard: Prerequisites:` is `Prerequisites`), `?` kept.
pub fn heading_name_kept_case(text: &str) -> String {
    strip_shortcodes(text)
        .trim()
        .trim_end_matches(['.', ':', '\u{ff1a}', '\u{3002}'])
        .trim()
        .to_string()
}
