//! What templates see: the model plus values derived from it (HTML of Markdown, summaries,
//! page paths). Built from the model only.

use serde::Serialize;

use crate::model::{Callout, CalloutKind, Catalog, Document, Item, Section};

use super::markdown::{digest, to_html, to_html_and_first_sentence, to_plain, Digest};

#[derive(Debug, Serialize)]
pub struct CalloutView {
    pub kind: &'static str,
    /// The inline icon the HTML pages draw for it: `trade-off`, `risk` or `note`.
    pub icon: &'static str,
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
    /// The element id of the item in its HTML page: its key's fragment (the anchor for an
    /// item with a heading of its own, so `page.html#anchor` links work as in the docs;
    /// `anchor/slug` for items that share a heading), or `item-<id>` where that would be
    /// empty or taken.
    pub dom_id: String,
    /// The section the item stands in, and that section's level (empty when none), for
    /// the HTML page's filters.
    pub section: String,
    pub level: String,
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
    /// Trade-offs and risks as Markdown notes (`**Label:** text`, continuation lines
    /// prefixed for an indented quote), for the Markdown checklist.
    pub notes: Vec<String>,
    pub callouts: Vec<CalloutView>,
    pub tradeoffs: usize,
    pub risks: usize,
    pub source: String,
    /// The item's published URL when it is safe to link to (http, https or relative).
    pub href: Option<String>,
    /// The guide's URL when it is safe to link to.
    pub guide_href: Option<String>,
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
    /// The ids of the section's items, space-separated (for progress counts in pages).
    pub ids: String,
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
    /// The ids of every item of the document, space-separated.
    pub ids: String,
    /// The maturity levels its sections name, ascending, without repeats.
    pub levels: Vec<u32>,
    /// The published URL when it is safe to link to (http, https or relative).
    pub href: Option<String>,
}

/// The highest heading level that Markdown from the docs may use in an HTML page, so that
/// headings stay in order: the page is `h1`, sections `h2`, items `h3`.
const DOC_TOP: u8 = 2;
const SECTION_TOP: u8 = 3;
const ITEM_TOP: u8 = 4;

/// Moves the headings of sanitized HTML so that the highest one becomes `h{top}`, keeping
/// their relative levels (capped at `h6`). The input comes from the sanitizer, so every
/// literal `<h` in it is a tag.
pub fn shift_headings(html: String, top: u8) -> String {
    let level_at = |i: usize| -> Option<u8> {
        let b = html.as_bytes();
        let digit = *b.get(i)?;
        let after = *b.get(i + 1)?;
        ((b'1'..=b'6').contains(&digit) && matches!(after, b'>' | b' ')).then_some(digit - b'0')
    };
    let opens = memchr::memmem::find_iter(html.as_bytes(), "<h").filter_map(|i| level_at(i + 2));
    let Some(min) = opens.min() else {
        return html;
    };
    if min == top {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = 0;
    for i in memchr::memchr_iter(b'<', html.as_bytes()) {
        let digit_at = if html[i..].starts_with("</h") {
            i + 3
        } else if html[i..].starts_with("<h") {
            i + 2
        } else {
            continue;
        };
        let Some(level) = level_at(digit_at) else {
            continue;
        };
        let new = (i32::from(level) - i32::from(min) + i32::from(top)).clamp(1, 6);
        out.push_str(&html[rest..digit_at]);
        out.push_str(&new.to_string());
        rest = digit_at + 1;
    }
    out.push_str(&html[rest..]);
    out
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

fn callout(c: &Callout, top: u8) -> CalloutView {
    let joined = format!("**{}:** {}", md_escape(&c.label), c.text);
    CalloutView {
        kind: c.kind.as_str(),
        icon: match c.kind {
            CalloutKind::TradeOff => "trade-off",
            CalloutKind::Risk => "risk",
            _ => "note",
        },
        label: c.label.clone(),
        text: c.text.clone(),
        text_html: shift_headings(to_html(&c.text), top),
        note_md: joined.lines().collect::<Vec<_>>().join("\n  > "),
        quote_md: joined.lines().collect::<Vec<_>>().join("\n> "),
    }
}

/// The summary of an item and how it joins its title, given the first sentences of its
/// body and of its benefit.
/// Does this text continue a sentence begun elsewhere (`… by doing x`, `, which …`)?
pub fn continues_sentence(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || matches!(c, ',' | ';'))
}

/// The body as a reader should see it: a body that continues its bold lead's sentence
/// (`**Lead** by doing x`, where the model keeps "by doing x") gets the lead back in front.
pub fn full_body(it: &Item) -> std::borrow::Cow<'_, str> {
    if continues_sentence(&it.body) {
        std::borrow::Cow::Owned(format!("**{}** {}", md_escape(&it.title), it.body))
    } else {
        std::borrow::Cow::Borrowed(&it.body)
    }
}

fn summary(it: &Item, body_sentence: String, benefit_sentence: String) -> (String, &'static str) {
    let clean = |s: &str| s.trim_end_matches(['.', ':', ' ']).to_lowercase();
    let mut sum = body_sentence;
    if clean(&to_plain(&sum)).ends_with(&clean(&it.title)) || clean(&sum) == clean(&it.title) {
        sum = benefit_sentence;
    }
    let continues = continues_sentence(&sum);
    let joiner = if sum.is_empty() {
        ""
    } else if continues {
        " "
    } else {
        ": "
    };
    (sum, joiner)
}

/// The [`Digest`] of each item's body, in document order: one parse of each body gives
/// the lock its text and the pages their HTML.
pub fn digests(doc: &Document) -> Vec<Digest> {
    doc.sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| digest(&i.body))
        .collect()
}

fn item(doc: &Document, s: &Section, it: &Item, body: &Digest) -> ItemView {
    let count = |k: CalloutKind| it.callouts.iter().filter(|c| c.kind == k).count();
    // The summary follows the title, so it takes the body's own words; a body that
    // continues the lead's sentence is shown with the lead in front.
    let body_sentence = body.first_sentence.clone();
    let body_html = match continues_sentence(&it.body) {
        true => to_html(&full_body(it)),
        false => body.html.clone(),
    };
    let (benefit_html, benefit_sentence) = it
        .benefit
        .as_deref()
        .map(to_html_and_first_sentence)
        .unwrap_or_default();
    let (summary, joiner) = summary(it, body_sentence, benefit_sentence);
    ItemView {
        id: it.id.clone(),
        dom_id: match it.key.split_once('#') {
            Some((_, fragment)) if !fragment.is_empty() => fragment.to_string(),
            _ => format!("item-{}", it.id),
        },
        section: s.id.clone(),
        level: s.level.map(|l| l.to_string()).unwrap_or_default(),
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
        benefit_html,
        pillar: it.pillar.clone(),
        url: it.url.clone(),
        guide: it.guide.clone(),
        body_html: shift_headings(body_html, ITEM_TOP),
        notes: it
            .callouts
            .iter()
            .filter(|c| matches!(c.kind, CalloutKind::TradeOff | CalloutKind::Risk))
            .map(|c| {
                format!("**{}:** {}", md_escape(&c.label), c.text)
                    .lines()
                    .collect::<Vec<_>>()
                    .join("\n  > ")
            })
            .collect(),
        callouts: it.callouts.iter().map(|c| callout(c, ITEM_TOP)).collect(),
        tradeoffs: count(CalloutKind::TradeOff),
        risks: count(CalloutKind::Risk),
        source: format!("{}:{}", doc.path, it.source.line),
        href: it.url.as_deref().and_then(safe_url),
        guide_href: it.guide.as_deref().and_then(safe_url),
    }
}

fn section(doc: &Document, s: &Section, digests: &[Digest]) -> SectionView {
    SectionView {
        id: s.id.clone(),
        title: s.title.clone(),
        title_md: md_escape(&s.title),
        level: s.level,
        goal: s.goal.clone(),
        intro_html: shift_headings(to_html(&s.intro), SECTION_TOP),
        callouts: s.callouts.iter().map(|c| callout(c, SECTION_TOP)).collect(),
        items: s
            .items
            .iter()
            .zip(digests)
            .map(|(i, d)| item(doc, s, i, d))
            .collect(),
        ids: join_ids(s.items.iter()),
    }
}

fn join_ids<'a>(items: impl Iterator<Item = &'a Item>) -> String {
    items.map(|i| i.id.as_str()).collect::<Vec<_>>().join(" ")
}

/// A URL that is safe in an `href`: http, https, mailto, or relative (no scheme at all).
/// Anything else (`javascript:`, `data:`, `vbscript:`, ...) gives `None`.
pub fn safe_url(url: &str) -> Option<String> {
    let url = url.trim();
    let scheme_end = url.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if url[i..].starts_with(':') => {
            let scheme = url[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto").then(|| url.to_string())
        }
        _ if url.chars().any(|c| c.is_control()) => None,
        _ => Some(url.to_string()),
    }
}

/// `a/b.md` with a new extension: `a/b.html`.
pub fn with_extension(path: &str, ext: &str) -> String {
    let split = path
        .len()
        .checked_sub(3)
        .filter(|&i| path.is_char_boundary(i));
    let stem = match split.and_then(|i| path.get(i..).map(|ext| (i, ext))) {
        Some((i, ext)) if ext.eq_ignore_ascii_case(".md") => path.get(..i).unwrap_or(path),
        _ => path,
    };
    format!("{stem}.{ext}")
}

/// `digests` holds each item's body's [`Digest`], in document order ([`digests`]).
pub fn document(doc: &Document, digests: &[Digest]) -> DocView {
    let depth = doc.path.matches('/').count();
    let mut levels: Vec<u32> = doc.sections.iter().filter_map(|s| s.level).collect();
    levels.sort_unstable();
    levels.dedup();
    let mut rest = digests;
    let mut sections: Vec<SectionView> = Vec::with_capacity(doc.sections.len());
    for s in &doc.sections {
        let (these, after) = rest.split_at(s.items.len().min(rest.len()));
        rest = after;
        sections.push(section(doc, s, these));
    }
    // Element ids are unique in a page: an item whose id is a section's or an earlier
    // item's gets `item-<id>`.
    let mut taken: std::collections::HashSet<String> =
        sections.iter().map(|s| s.id.clone()).collect();
    for item in sections.iter_mut().flat_map(|s| &mut s.items) {
        if !taken.insert(item.dom_id.clone()) {
            item.dom_id = format!("item-{}", item.id);
        }
    }
    DocView {
        path: doc.path.clone(),
        title: doc.title.clone(),
        title_md: md_escape(&doc.title),
        url: doc.url.clone(),
        page: with_extension(&doc.path, "html"),
        md_page: with_extension(&doc.path, "md"),
        root: "../".repeat(depth),
        intro_html: shift_headings(to_html(&doc.intro), DOC_TOP),
        callouts: doc.callouts.iter().map(|c| callout(c, DOC_TOP)).collect(),
        sections,
        items: doc.sections.iter().map(|s| s.items.len()).sum(),
        ids: join_ids(doc.sections.iter().flat_map(|s| &s.items)),
        levels,
        href: doc.url.as_deref().and_then(safe_url),
    }
}

/// What the index templates (`index.md`, `index.html`) see of a document: its view
/// without the items' text, so that a build keeps this much of each document until the
/// end, never the documents themselves. `ids` (every item's id, space-separated) is
/// made from the sections' when the templates read it.
#[derive(Debug, Clone)]
pub struct IndexDoc {
    pub path: String,
    pub title: String,
    pub title_md: String,
    pub url: Option<String>,
    pub page: String,
    pub md_page: String,
    pub root: String,
    pub sections: Vec<IndexSection>,
    pub items: usize,
    pub levels: Vec<u32>,
    pub href: Option<String>,
}

impl IndexDoc {
    /// Every item's id, space-separated.
    pub fn ids(&self) -> String {
        self.sections
            .iter()
            .filter(|s| s.count > 0)
            .map(|s| s.ids.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Serialize for IndexDoc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Fields<'a> {
            path: &'a str,
            title: &'a str,
            title_md: &'a str,
            url: Option<&'a str>,
            page: &'a str,
            md_page: &'a str,
            root: &'a str,
            sections: &'a [IndexSection],
            items: usize,
            ids: String,
            levels: &'a [u32],
            href: Option<&'a str>,
        }
        Fields {
            path: &self.path,
            title: &self.title,
            title_md: &self.title_md,
            url: self.url.as_deref(),
            page: &self.page,
            md_page: &self.md_page,
            root: &self.root,
            sections: &self.sections,
            items: self.items,
            ids: self.ids(),
            levels: &self.levels,
            href: self.href.as_deref(),
        }
        .serialize(serializer)
    }
}

/// A section as the index templates see it: `ids` holds its item ids joined by spaces, and
/// `items` is the list 1 to n of its items' numbers (so `s.items | length` counts them).
#[derive(Debug, Clone)]
pub struct IndexSection {
    pub id: String,
    pub title: String,
    pub title_md: String,
    pub level: Option<u32>,
    pub goal: Option<String>,
    pub ids: String,
    /// How many items (ids) the section holds.
    pub count: usize,
}

impl Serialize for IndexSection {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// 1 to n: a list whose length is the number of items, without a value per item
        /// to hold (100 copies of the corpus have 55,800 items).
        struct Numbers(usize);
        impl Serialize for Numbers {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(1..=self.0)
            }
        }
        #[derive(Serialize)]
        struct Fields<'a> {
            id: &'a str,
            title: &'a str,
            title_md: &'a str,
            level: Option<u32>,
            goal: Option<&'a str>,
            items: Numbers,
            ids: &'a str,
        }
        Fields {
            id: &self.id,
            title: &self.title,
            title_md: &self.title_md,
            level: self.level,
            goal: self.goal.as_deref(),
            items: Numbers(self.count),
            ids: &self.ids,
        }
        .serialize(serializer)
    }
}

impl IndexDoc {
    pub fn new(view: &DocView) -> IndexDoc {
        IndexDoc {
            path: view.path.clone(),
            title: view.title.clone(),
            title_md: view.title_md.clone(),
            url: view.url.clone(),
            page: view.page.clone(),
            md_page: view.md_page.clone(),
            root: view.root.clone(),
            sections: view
                .sections
                .iter()
                .map(|s| IndexSection {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    title_md: s.title_md.clone(),
                    level: s.level,
                    goal: s.goal.clone(),
                    ids: s.ids.clone(),
                    count: s.items.len(),
                })
                .collect(),
            items: view.items,
            levels: view.levels.clone(),
            href: view.href.clone(),
        }
    }
}

/// The values the index templates read, made once for both: `docs` (each [`IndexDoc`]
/// converted, then dropped, in turn) and, for `index.html`, `overview` and `items`.
pub struct IndexValues {
    pub docs: tera::Value,
    pub overview: Option<tera::Value>,
    pub items: usize,
}

impl IndexValues {
    pub fn new(docs: Vec<IndexDoc>, with_overview: bool) -> IndexValues {
        let items = docs.iter().map(|d| d.items).sum();
        let overview = with_overview.then(|| tera::Value::from_serializable(&overview(&docs)));
        let docs: Vec<tera::Value> = docs
            .into_iter()
            .map(|d| tera::Value::from_serializable(&d))
            .collect();
        IndexValues {
            docs: tera::Value::from(docs),
            overview,
            items,
        }
    }
}

/// Every document's view, built in parallel (on the current rayon pool), in order.
pub fn catalog(c: &Catalog) -> Vec<DocView> {
    use rayon::prelude::*;
    c.documents
        .par_iter()
        .map(|d| document(d, &digests(d)))
        .collect()
}

/// Plain text of Markdown, for cells.
pub fn plain(markdown: &str) -> String {
    to_plain(markdown)
}

/// The index's overview chart: documents (rows) by maturity level (columns), each cell the
/// share of that document's items at that level that are done. Geometry is computed here,
/// at build time; the page's script only moves the bars and the counts.
#[derive(Debug, Serialize)]
pub struct Overview {
    pub width: u32,
    pub height: u32,
    pub columns: Vec<OverviewColumn>,
    pub rows: Vec<OverviewRow>,
}

#[derive(Debug, Serialize)]
pub struct OverviewColumn {
    pub label: String,
    /// The centre of the column.
    pub x: u32,
}

#[derive(Debug, Serialize)]
pub struct OverviewRow {
    pub title: String,
    /// The title cut to fit the label column.
    pub short: String,
    pub page: String,
    /// The baseline of the row's label.
    pub y: u32,
    pub cells: Vec<OverviewCell>,
}

#[derive(Debug, Serialize)]
pub struct OverviewCell {
    /// `Document title, Level 2`, what the cell's tooltip starts with.
    pub label: String,
    pub ids: String,
    pub items: usize,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// Where the count is written (its centre and baseline).
    pub text_x: u32,
    pub text_y: u32,
}

const LABEL_WIDTH: u32 = 320;
const CELL_WIDTH: u32 = 112;
const ROW_HEIGHT: u32 = 30;
const HEADER_HEIGHT: u32 = 30;
const GAP: u32 = 6;
const SHORT_TITLE: usize = 44;

/// Lays out the overview: a row per document that has items; columns are the levels any
/// section names, then `No level` when some items stand in sections without one.
pub fn overview(docs: &[IndexDoc]) -> Overview {
    let docs: Vec<&IndexDoc> = docs.iter().filter(|d| d.items > 0).collect();
    let mut levels: Vec<u32> = docs.iter().flat_map(|d| d.levels.iter().copied()).collect();
    levels.sort_unstable();
    levels.dedup();
    let unlevelled = docs
        .iter()
        .flat_map(|d| &d.sections)
        .any(|s| s.level.is_none() && s.count > 0);
    let mut keys: Vec<Option<u32>> = levels.into_iter().map(Some).collect();
    if unlevelled {
        keys.push(None);
    }
    let label = |k: Option<u32>| match k {
        Some(l) => format!("Level {l}"),
        None => "No level".to_string(),
    };
    let column_x = |n: u32| LABEL_WIDTH + n * CELL_WIDTH;
    let columns = keys
        .iter()
        .zip(0..)
        .map(|(k, n)| OverviewColumn {
            label: label(*k),
            x: column_x(n) + CELL_WIDTH / 2,
        })
        .collect();
    let rows = docs
        .iter()
        .zip(0..)
        .map(|(doc, r)| {
            let top = HEADER_HEIGHT + r * ROW_HEIGHT;
            let cells = keys
                .iter()
                .zip(0..)
                .map(|(k, n)| {
                    let sections = || doc.sections.iter().filter(|s| s.level == *k && s.count > 0);
                    OverviewCell {
                        label: format!("{}, {}", doc.title, label(*k)),
                        ids: sections()
                            .map(|s| s.ids.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        items: sections().map(|s| s.count).sum(),
                        x: column_x(n) + GAP / 2,
                        y: top + GAP / 2,
                        width: CELL_WIDTH - GAP,
                        height: ROW_HEIGHT - GAP,
                        text_x: column_x(n) + CELL_WIDTH / 2,
                        text_y: top + ROW_HEIGHT / 2 + 5,
                    }
                })
                .collect();
            OverviewRow {
                title: doc.title.clone(),
                short: shorten(&doc.title, SHORT_TITLE),
                page: doc.page.clone(),
                y: top + ROW_HEIGHT / 2 + 5,
                cells,
            }
        })
        .collect();
    Overview {
        width: column_x(keys.len() as u32),
        height: HEADER_HEIGHT + docs.len() as u32 * ROW_HEIGHT,
        columns,
        rows,
    }
}

/// At most `max` characters: the start and the end of `s` around an ellipsis, cut at
/// words, so that titles which share a long beginning stay apart.
pub fn shorten(s: &str, max: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= max {
        return s.to_string();
    }
    let head_len = max * 2 / 5;
    let tail_len = max.saturating_sub(head_len + 1);
    // Whole words from each end while they fit; a single long word is cut.
    let words: Vec<&str> = s.split_whitespace().collect();
    let fit = |words: &mut dyn Iterator<Item = &&str>, budget: usize| -> Vec<String> {
        let mut taken = Vec::new();
        let mut used = 0;
        for w in words {
            let n = w.chars().count() + usize::from(used > 0);
            if used + n > budget {
                break;
            }
            used += n;
            taken.push((*w).to_string());
        }
        taken
    };
    let mut head = fit(&mut words.iter(), head_len).join(" ");
    let mut tail_words = fit(&mut words.iter().rev(), tail_len);
    tail_words.reverse();
    let mut tail = tail_words.join(" ");
    if head.is_empty() {
        head = chars.iter().take(head_len).collect();
    }
    if tail.is_empty() {
        tail = chars
            .iter()
            .skip(chars.len().saturating_sub(tail_len))
            .collect();
    }
    format!("{head} … {tail}")
}
