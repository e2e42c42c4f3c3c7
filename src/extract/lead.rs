//! Titles from item text: a scope label `(Cluster and workload)`, then a bold lead in all
//! its shapes (`**Lead:**`, `**Lead**:`, `**Whole sentence.**`, `**Lead**.`,
//! `**Lead** sentence continues`, `[**Lead**](link) …`), else the first sentence.

use crate::parse::{Kind, Node};
use crate::text::{sentence, title_plain};

/// How an item's first paragraph splits.
#[derive(Debug, Default, PartialEq)]
pub struct Lead {
    pub scope: Option<String>,
    pub title: String,
    /// Markdown after the lead (or after the first sentence).
    pub rest: String,
    /// The destination of a lead that is a link (`[**Lead**](./guide.md)`).
    pub link: Option<String>,
    /// Whether the title came from a bold lead (not the first sentence).
    pub bold: bool,
}

/// Trailing `.`, `:` and their full-width forms (`。`, `：`, `．`) removed, blanks
/// collapsed (FORMS.md, "Titles"); `?` and `!` stay.
pub fn clean_title(s: &str) -> String {
    // Learn's `:::image …:::` directives are not text.
    let s = if s.contains(":::") {
        super::text::strip_directives(s)
    } else {
        crate::text::collapse_whitespace(s)
    };
    s.trim_end_matches([':', '.', ' ', '\u{3002}', '\u{ff1a}', '\u{ff0e}'])
        .trim()
        .to_string()
}

/// `(Scope) rest` -> (Some("Scope"), "rest").
pub fn split_scope(s: &str) -> (Option<String>, &str) {
    let t = s.trim_start();
    if let Some(inner) = t.strip_prefix('(') {
        if let Some((scope, after)) = inner.split_once(')') {
            let scope = scope.trim();
            let ok = !scope.is_empty() && scope.len() <= 60 && !scope.contains(['(', '[', '*']);
            if ok {
                return (Some(scope.to_string()), after.trim_start());
            }
        }
    }
    (None, t)
}

/// Is this inline a bold lead: `**…**`, or a link whose content is bold?
fn bold_lead(node: &Node) -> Option<(String, Option<String>)> {
    match &node.kind {
        Kind::Strong => Some((node.plain_text(), None)),
        Kind::Link(dest) => {
            let mut content = node
                .children
                .iter()
                .filter(|c| !matches!(&c.kind, Kind::Text(t) if t.trim().is_empty()));
            let first = content.next()?;
            (first.kind == Kind::Strong && content.next().is_none())
                .then(|| (node.plain_text(), Some(dest.clone())))
        }
        _ => None,
    }
}

/// Splits the inline run `inlines` whose Markdown (rewritten, one level of quote markers
/// removed) is produced by `markdown(from_offset)`.
pub fn split<F>(inlines: &[Node], text: &str, markdown: F) -> Lead
where
    F: Fn(usize) -> String,
{
    let mut scope = None;
    let mut i = 0;
    // Skip blank text; take a scope label written as plain text.
    while let Some(node) = inlines.get(i) {
        match &node.kind {
            Kind::Text(t) if t.trim().is_empty() => i += 1,
            Kind::Text(t) if t.trim_start().starts_with('(') => {
                let (s, rest) = split_scope(t);
                if s.is_none() {
                    break;
                }
                scope = s;
                if rest.trim().is_empty() {
                    i += 1;
                    continue;
                }
                // Scope followed by plain text in the same run: no bold lead.
                let src = text.get(node.range.clone()).unwrap_or("");
                let after = src
                    .find(')')
                    .map(|p| node.range.start + p + 1)
                    .unwrap_or(node.range.start);
                return sentence_lead(scope, &markdown(after));
            }
            _ => break,
        }
    }
    let Some(start) = inlines.get(i).map(|n| n.range.start) else {
        // Nothing but blanks (or a scope label): no title here.
        return Lead {
            scope,
            ..Lead::default()
        };
    };
    if let Some(node) = inlines.get(i) {
        if let Some((title, link)) = bold_lead(node) {
            let mut rest = markdown(node.range.end);
            let trimmed = rest
                .trim_start()
                .trim_start_matches([':', '.', ',', ';'])
                .trim_start();
            rest = trimmed.to_string();
            return Lead {
                scope,
                title: clean_title(&title),
                rest,
                link,
                bold: true,
            };
        }
    }
    sentence_lead(scope, &markdown(start))
}

/// No bold lead: the first sentence is the title, the rest the body.
fn sentence_lead(scope: Option<String>, md: &str) -> Lead {
    let md = md.trim();
    let first = sentence(md);
    Lead {
        scope,
        title: clean_title(&title_plain(first)),
        rest: md.get(first.len()..).unwrap_or("").trim().to_string(),
        link: None,
        bold: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_titles() {
        assert_eq!(
            split_scope("(Cluster and workload) **x**"),
            (Some("Cluster and workload".into()), "**x**")
        );
        assert_eq!(split_scope("no scope"), (None, "no scope"));
        assert_eq!(clean_title("Review the list.  "), "Review the list");
        assert_eq!(clean_title("Manage releases:"), "Manage releases");
    }
}
