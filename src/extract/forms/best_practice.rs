//! Form G: best-practice blocks. A blockquote whose first paragraph is only
//! `**Best practice guidance**` (any case, with or without a colon) is one item of kind
//! `practice`: its title is the first sentence of the next paragraph, its body the rest.
//!
//! ```markdown
//! > **Best practice guidance**
//! >
//! > Plan and apply resource quotas at the namespace level. Monitor usage.
//! ```

use std::collections::HashSet;

use crate::parse::anchor::slug;
use crate::parse::{Kind, Node};
use crate::text::{sentence, title_plain};

use super::{Form, Page, Present};
use crate::extract::lead::clean_title;
use crate::extract::text::join_blocks;
use crate::extract::{Ctx, Draft};

pub struct BestPractice;

/// Is this paragraph only `**Best practice guidance**` (a colon inside or after allowed)?
fn is_caption(p: &Node) -> bool {
    if p.kind != Kind::Paragraph {
        return false;
    }
    if !p.children.iter().any(|c| c.kind == Kind::Strong) {
        return false;
    }
    let plain = p.plain_text();
    let name = plain
        .trim()
        .trim_end_matches([':', '：'])
        .trim()
        .to_lowercase();
    name.split_whitespace().collect::<Vec<_>>().join(" ") == "best practice guidance"
}

impl Form for BestPractice {
    fn name(&self) -> &'static str {
        "G: best-practice block"
    }

    fn applies(&self, present: &Present, _page: &Page) -> bool {
        present.quotes
    }

    fn find(&self, ctx: &Ctx, _page: &Page, claimed: &mut HashSet<usize>) -> Vec<Draft> {
        let mut out = Vec::new();
        let mut quotes: Vec<(&Node, usize)> = Vec::new();
        super::walk(ctx.blocks, |node, depth| {
            if claimed.contains(&node.range.start) {
                return false;
            }
            if matches!(node.kind, Kind::BlockQuote(_))
                && node.children.first().is_some_and(is_caption)
            {
                quotes.push((node, depth));
                return false;
            }
            true
        });
        for (quote, depth) in quotes {
            let mut rest = quote.children.iter().skip(1).filter(|b| b.is_block());
            let Some(first) = rest.next() else { continue };
            let md = ctx.md_block(first, depth + 1);
            let plain_first = sentence(&md);
            let title = clean_title(&title_plain(plain_first));
            if title.is_empty() {
                continue;
            }
            claimed.insert(quote.range.start);
            let mut body = vec![md.get(plain_first.len()..).unwrap_or("").trim().to_string()];
            let mut callouts = Vec::new();
            for b in rest {
                body.push(ctx.md_block_callouts(b, depth + 1, &mut callouts));
            }
            out.push(Draft {
                kind: "practice",
                key_fragment: slug(&title),
                title,
                body: join_blocks(body),
                callouts,
                source: ctx.source(&quote.range),
                at: quote.range.start,
                ..Draft::default()
            });
        }
        out
    }
}
