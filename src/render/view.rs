//! What templates see: the model plus values derived from it (HTML of Markdown, summaries,
//! page paths). Built from the model only.

use serde::Serialize;

use crate::model::{Callout, CalloutKind, Catalog, Document, Item, Section};

use super::markdown::{first_sentence, to_html, to_plain};

#[derive(Debug, Serialize)]
pub struct CalloutView {
    pub kind: &'static str,
    pub label: String,
    pub text: String,
    pub text_html: String,
    /// `**Label:** text`, continuation lines prefixed for an indented quote in Markdown.
    pub note_md: String,
    /// `**Label:** text` as a top-level Markdown quote (without the first `> `).
    pub quote_md: String,
}

#[derive(Debug, Serialize)]
pub struct ItemView {
    pub id: String,
    pub key: String,
    pub kind: String,
    pub code: Option<String>,
    pub anchor: String,
    pub title: String,
    pub title_md: String,
    pub heading: Option<String>,
    /// One line for a checklist: the body's first sentence (or, for a recommendation whose
    /// body opens with its title, the benefit's).
    pub summary: String,
    /// What goes between the title and the summary: `: `, or a space when the summary
    /// continues the title's sentence.
    pub joiner: &'static str,
    pub scope: Option<String>,
    pub benefit_html: String,
    pub pillar: Option<String>,
    pub url: Option<String>,
    pub guide: Option<String>,
    pub body_html: String,
    pub callouts: Vec<CalloutView>,
    pub tradeoffs: usize,
    pub risks: usize,
    pub source: String,
}

#[derive(Debug, Serialize)]
pub struct SectionView {
    pub id: String,
    pub title: String,
    pub title_md: String,
    pub level: Option<u32>,
    pub goal: Option<String>,
    pub intro_html: String,
    pub callouts: Vec<CalloutView>,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Serialize)]
pub struct DocView {
    pub path: String,
    pub title: String,
    pub title_md: String,
    pub url: Option<String>,
    /// The HTML page, relative to OUT/html/.
    pub page: String,
    /// The Markdown checklist, relative to OUT/checklists/.
    pub md_page: String,
    /// From this document's page back to OUT/html/ (`../` repeated, or empty).
    pub root: String,
    pub intro_html: String,
    pub callouts: Vec<CalloutView>,
    pub sections: Vec<SectionView>,
    pub items: usize,
}

/// Escapes text for use inside Markdown inline content.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn callout(c: &Callout) -> CalloutView {
    let joined = format!("**{}:** {}", md_escape(&c.label), c.text);
    CalloutView {
        kind: c.kind.as_str(),
        label: c.label.clone(),
        text: c.text.clone(),
        text_html: to_html(&c.text),
        note_md: joined.lines().collect::<Vec<_>>().join("\n  > "),
        quote_md: joined.lines().collect::<Vec<_>>().join("\n> "),
    }
}

/// The summary of an item and how it joins its title.
fn summary(it: &Item) -> (String, &'static str) {
    let clean = |s: &str| s.trim_end_matches(['.', ':', ' ']).to_lowercase();
    let mut sum = first_sentence(&it.body);
    if clean(&to_plain(&sum)).ends_with(&clean(&it.title)) || clean(&sum) == clean(&it.title) {
        sum = it
            .benefit
            .as_deref()
            .map(first_sentence)
            .unwrap_or_default();
    }
    let continues = sum
        .chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || matches!(c, ',' | ';'));
    let joiner = if sum.is_empty() {
        ""
    } else if continues {
        " "
    } else {
        ": "
    };
    (sum, joiner)
}

fn item(doc: &Document, it: &Item) -> ItemView {
    let count = |k: CalloutKind| it.callouts.iter().filter(|c| c.kind == k).count();
    let (summary, joiner) = summary(it);
    ItemView {
        id: it.id.clone(),
        key: it.key.clone(),
        kind: it.kind.clone(),
        code: it.code.clone(),
        anchor: it.anchor.clone(),
        title: it.title.clone(),
        title_md: md_escape(&it.title),
        heading: it.heading.clone(),
        summary,
        joiner,
        scope: it.scope.clone(),
        benefit_html: it.benefit.as_deref().map(to_html).unwrap_or_default(),
        pillar: it.pillar.clone(),
        url: it.url.clone(),
        guide: it.guide.clone(),
        body_html: to_html(&it.body),
        callouts: it.callouts.iter().map(callout).collect(),
        tradeoffs: count(CalloutKind::TradeOff),
        risks: count(CalloutKind::Risk),
        source: format!("{}:{}", doc.path, it.source.line),
    }
}

fn section(doc: &Document, s: &Section) -> SectionView {
    SectionView {
        id: s.id.clone(),
        title: s.title.clone(),
        title_md: md_escape(&s.title),
        level: s.level,
        goal: s.goal.clone(),
        intro_html: to_html(&s.intro),
        callouts: s.callouts.iter().map(callout).collect(),
        items: s.items.iter().map(|i| item(doc, i)).collect(),
    }
}

/// `a/b.md` with a new extension: `a/b.html`.
pub fn with_extension(path: &str, ext: &str) -> String {
    let stem = path
        .strip_suffix(".md")
        .or_else(|| path.strip_suffix(".MD"))
        .unwrap_or(path);
    format!("{stem}.{ext}")
}

pub fn document(doc: &Document) -> DocView {
    let depth = doc.path.matches('/').count();
    DocView {
        path: doc.path.clone(),
        title: doc.title.clone(),
        title_md: md_escape(&doc.title),
        url: doc.url.clone(),
        page: with_extension(&doc.path, "html"),
        md_page: with_extension(&doc.path, "md"),
        root: "../".repeat(depth),
        intro_html: to_html(&doc.intro),
        callouts: doc.callouts.iter().map(callout).collect(),
        sections: doc.sections.iter().map(|s| section(doc, s)).collect(),
        items: doc.sections.iter().map(|s| s.items.len()).sum(),
    }
}

pub fn catalog(c: &Catalog) -> Vec<DocView> {
    c.documents.iter().map(document).collect()
}

/// Plain text of Markdown, for cells.
pub fn plain(markdown: &str) -> String {
    to_plain(markdown)
}
