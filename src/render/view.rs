//! What templates see: the model plus values derived from it (HTML of Markdown, summaries,
//! page paths). Built from the model only.

use serde::Serialize;

use crate::model::{output_path, Callout, CalloutKind, Catalog, Counts, Document, Item, Section};

use super::markdown::{digest, digest_sentence, to_html, to_plain, Digest};
use super::tree;

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
    /// [`ItemView::summary`] as Markdown that renders as that text (code spans kept).
    pub summary_md: String,
    /// What goes between the title and the summary: `: `, or a space when the summary
    /// continues the title's sentence.
    pub joiner: &'static str,
    pub scope: Option<String>,
    /// The scope, escaped for Markdown.
    pub scope_md: Option<String>,
    /// The code as a Markdown code span.
    pub code_md: Option<String>,
    /// The source marks the item done.
    pub checked: bool,
    /// `x` for a done item (by the progress file, else the source), else a space: what
    /// goes between a task's brackets.
    pub mark: &'static str,
    /// The progress file's status of the item, for the words shown beside an item that is
    /// neither open nor done (`in progress`, `not applicable`); `None` otherwise.
    pub status_words: Option<&'static str>,
    /// The item's published status, what the HTML page starts from: the progress file's,
    /// else `done` where the source marks the item done, else `open`.
    pub status: &'static str,
    /// The progress file's note on the item, as written (Markdown): what the HTML page's
    /// note field starts from.
    pub note: Option<String>,
    /// The note rendered: Markdown to HTML, sanitized as the docs' Markdown is
    /// ([`to_html`]), headings under the item's; `None` where there is no note or only
    /// white space (as the page's script reads it).
    pub note_html: Option<String>,
    /// The id of the item this one is nested in (the model's `parent`).
    pub parent: Option<String>,
    /// How deep the item is shown under a top-level item (0 at the top; see
    /// [`super::tree`]).
    pub depth: usize,
    /// Items are shown under this one: a nested list opens after it.
    pub nest: bool,
    /// How many nested lists close after this item.
    pub closes: usize,
    /// Two spaces per level of depth: where the item's Markdown lines start.
    pub indent: String,
    /// The bold caption over the item's list (the model's `group`).
    pub group: Option<String>,
    /// The caption to show before this item: its group, where a top-level item's group
    /// differs from the top-level item's before it.
    pub group_caption: Option<String>,
    /// The caption as a Markdown paragraph (`**Caption**`).
    pub group_md: Option<String>,
    /// A new list starts at this top-level item (its group differs from the one before).
    pub list_break: bool,
    /// The conditional-content branches the item stands in (Learn monikers, pivots).
    pub variants: Vec<String>,
    /// The variants joined with `, `, escaped for Markdown; empty when none.
    pub variants_md: String,
    /// The plain text after the item's link in its checklist line (the model's `summary`).
    pub link_summary: Option<String>,
    /// The same, escaped for Markdown, also at the start of a line.
    pub link_summary_md: Option<String>,
    /// Trade-offs and risks as one Markdown block of quotes, every line indented to sit
    /// in the item's list item.
    pub notes_md: String,
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
    /// The section's items in tree order: each followed by the items nested in it.
    pub items: Vec<ItemView>,
    /// The ids of the section's items, space-separated (for progress counts in pages).
    pub ids: String,
    /// Its items by status, as `checkdown status` counts them.
    pub tally: Tally,
    /// The ids of the items the source marks done, space-separated.
    pub checked: String,
    /// The goal, escaped for Markdown.
    pub goal_md: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DocView {
    pub path: String,
    /// The path as a Markdown code span.
    pub path_md: String,
    /// The published URL as a Markdown autolink (or escaped text where it cannot be one).
    pub url_md: Option<String>,
    /// The ids of the items the source marks done, space-separated.
    pub checked: String,
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
    /// Its items by status, as `checkdown status` counts them.
    pub tally: Tally,
    /// The maturity levels its sections name, ascending, without repeats.
    pub levels: Vec<u32>,
    /// The published URL when it is safe to link to (http, https or relative).
    pub href: Option<String>,
    /// The progress file's entries for the document's items, as one JSON object (see
    /// [`progress_json`]); empty when the file has none (or the build read no file).
    pub progress: String,
}

/// Items by status as a page shows them: the model's [`Counts`] (the figures of
/// `checkdown status`), with what the templates write from them. Serialized as `done`,
/// `in_progress`, `not_applicable`, `open`, `total`; `applicable` (total less not
/// applicable); `share`, done over applicable rounded down (`42%`, as `checkdown status`
/// writes it), or null when no item applies; `complete`, every applicable item done (and
/// one at least); `max`, the progress bar's maximum (applicable, at least 1). The page's
/// script counts the same way from the reader's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally(pub Counts);

impl Tally {
    /// The width of a bar `full` wide filled to the share done, as the page's script
    /// writes it: rounded to a tenth, no trailing zeros (`37.3`, `106`, `0`).
    pub fn fill(&self, full: u32) -> String {
        let c = self.0;
        match c.applicable() {
            0 => "0".to_string(),
            n => {
                let w = (f64::from(full) * c.done as f64 / n as f64 * 10.0).round() / 10.0;
                format!("{w}")
            }
        }
    }
}

impl Serialize for Tally {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Fields {
            done: usize,
            in_progress: usize,
            not_applicable: usize,
            open: usize,
            total: usize,
            applicable: usize,
            share: Option<String>,
            complete: bool,
            max: usize,
        }
        let c = self.0;
        let applicable = c.applicable();
        Fields {
            done: c.done,
            in_progress: c.in_progress,
            not_applicable: c.not_applicable,
            open: c.open,
            total: c.total,
            applicable,
            share: (applicable > 0).then(|| c.percent_text()),
            complete: applicable > 0 && c.done == applicable,
            max: applicable.max(1),
        }
        .serialize(serializer)
    }
}

/// The progress file's entries for `items` as the HTML pages embed them: one JSON object,
/// `{"<id>": {"note", "status", "updated"}}` (keys sorted, `note` only where there is
/// one, no whitespace); empty when no item has an entry. Templates escape it for the
/// attribute it goes in.
pub fn progress_json<'a>(items: impl Iterator<Item = &'a Item>) -> String {
    #[derive(Serialize)]
    struct Entry<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<&'a str>,
        status: crate::model::Status,
        updated: &'a str,
    }
    let entries: std::collections::BTreeMap<&str, Entry> = items
        .filter_map(|it| match &it.progress {
            Some(Some(p)) => Some((
                it.id.as_str(),
                Entry {
                    note: p.note.as_deref(),
                    status: p.status,
                    updated: &p.updated,
                },
            )),
            _ => None,
        })
        .collect();
    match entries.is_empty() {
        true => String::new(),
        false => serde_json::to_string(&entries).unwrap_or_default(),
    }
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

/// Escapes text for use inside Markdown inline content: it renders as the same text.
/// Backslashes, code, emphasis, link, HTML, heading, table and strikethrough characters are
/// escaped, and `&` where it would start a character reference (`&lt;`, `&#60;`).
pub fn md_escape(s: &str) -> String {
    escape_with(s, false)
}

/// [`md_escape`] with every `&` escaped, for text that comes in pieces (a `&` at the end
/// of one piece may start a reference with the next).
pub fn md_escape_piece(s: &str) -> String {
    escape_with(s, true)
}

fn escape_with(s: &str, every_amp: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        let special = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) || (c == '&' && (every_amp || starts_reference(&s[i + 1..])));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Does this follow a `&` that would make a character reference (`lt;`, `#60;`, `#x3C;`)?
fn starts_reference(rest: &str) -> bool {
    let name: &str = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .next()
        .unwrap_or_default();
    !name.is_empty() && name.len() <= 32 && rest[name.len()..].starts_with(';')
}

/// [`md_escape`], and what would open a block at the start of a line escaped too (a list
/// marker, `+`, `=` or `-` runs of a setext underline, an ordered list's `1.` or `1)`).
pub fn md_escape_line(s: &str) -> String {
    let escaped = md_escape(s);
    let digits = escaped.bytes().take_while(u8::is_ascii_digit).count();
    match escaped.as_bytes().first() {
        Some(b'-' | b'+' | b'=') => format!("\\{escaped}"),
        Some(_) if digits > 0 && matches!(escaped.as_bytes().get(digits), Some(b'.' | b')')) => {
            format!("{}\\{}", &escaped[..digits], &escaped[digits..])
        }
        _ => escaped,
    }
}

/// A Markdown code span holding `text` verbatim.
pub fn code_span(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A URL as Markdown that shows it: an autolink, or escaped text where the URL holds
/// what an autolink cannot (spaces, `<`, `>`).
pub fn url_md(url: &str) -> String {
    let url = url.trim();
    if url.is_empty() || url.contains(|c: char| c.is_whitespace() || c == '<' || c == '>') {
        md_escape(url)
    } else {
        format!("<{url}>")
    }
}

/// A relative link to a page of the site, from the index: `./` first (so that a page
/// named `javascript:x.html` is a path, never a scheme) and every byte outside the URL's
/// unreserved characters and `/` percent-encoded (`#`, `?`, `%`, spaces).
pub fn page_href(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 2);
    out.push_str("./");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A link destination that works whatever the path holds: the path itself, or in `<>`
/// with `<`, `>`, `\\` and `|` escaped when it holds spaces, parentheses or those (a `|`
/// would end a table cell).
pub fn md_destination(path: &str) -> String {
    let plain = !path.contains(|c: char| {
        c.is_whitespace() || c.is_control() || matches!(c, '(' | ')' | '<' | '>' | '\\' | '|')
    });
    if plain && !path.is_empty() {
        return path.to_string();
    }
    let mut out = String::with_capacity(path.len() + 2);
    out.push('<');
    for c in path.chars() {
        match c {
            '<' | '>' | '\\' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out.push('>');
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

/// The summary of an item, plain and as Markdown, and how it joins its title, given the
/// first sentences (plain, Markdown) of its body and of its benefit.
fn summary(
    it: &Item,
    body_sentence: (String, String),
    benefit_sentence: (String, String),
) -> (String, String, &'static str) {
    let clean = |s: &str| s.trim_end_matches(['.', ':', ' ']).to_lowercase();
    let mut sum = body_sentence;
    if clean(&to_plain(&sum.0)).ends_with(&clean(&it.title)) || clean(&sum.0) == clean(&it.title) {
        sum = benefit_sentence;
    }
    let continues = continues_sentence(&sum.0);
    let joiner = if sum.0.is_empty() {
        ""
    } else if continues {
        " "
    } else {
        ": "
    };
    (sum.0, sum.1, joiner)
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
    let body_sentence = (body.first_sentence.clone(), body.first_sentence_md.clone());
    let body_html = match continues_sentence(&it.body) {
        true => to_html(&full_body(it)),
        false => body.html.clone(),
    };
    let benefit = it
        .benefit
        .as_deref()
        .map(digest_sentence)
        .unwrap_or_default();
    let (summary, summary_md, joiner) = summary(
        it,
        body_sentence,
        (benefit.first_sentence, benefit.first_sentence_md),
    );
    let benefit_html = benefit.html;
    let link_summary = it
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let variants: Vec<String> = it
        .variants
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect();
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
        summary_md,
        joiner,
        scope: it.scope.clone(),
        scope_md: it.scope.as_deref().map(md_escape),
        code_md: it.code.as_deref().map(code_span),
        checked: it.checked,
        mark: match it.status() {
            crate::model::Status::Done => "x",
            _ => " ",
        },
        status_words: match it.status() {
            s @ (crate::model::Status::InProgress | crate::model::Status::NotApplicable) => {
                Some(s.words())
            }
            _ => None,
        },
        status: it.status().as_str(),
        note: match &it.progress {
            Some(Some(p)) => p.note.clone(),
            _ => None,
        },
        note_html: match &it.progress {
            Some(Some(p)) => p
                .note
                .as_deref()
                .filter(|n| !n.trim().is_empty())
                .map(|n| shift_headings(to_html(n), ITEM_TOP)),
            _ => None,
        },
        parent: it.parent.clone(),
        depth: 0,
        nest: false,
        closes: 0,
        indent: String::new(),
        group: it.group.clone(),
        group_caption: None,
        group_md: None,
        list_break: false,
        variants_md: variants
            .iter()
            .map(|v| md_escape(v))
            .collect::<Vec<_>>()
            .join(", "),
        variants,
        link_summary_md: link_summary
            .as_deref()
            .map(|s| md_escape_line(&super::markdown::collapse_whitespace(s))),
        link_summary,
        notes_md: String::new(),
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
    let mut views: Vec<Option<ItemView>> = s
        .items
        .iter()
        .zip(digests)
        .map(|(i, d)| Some(item(doc, s, i, d)))
        .collect();
    let nodes = tree::order(&s.items);
    let closes = tree::closes(&nodes);
    let mut items = Vec::with_capacity(nodes.len());
    // The group of the last top-level item: a caption shows where it changes.
    let mut top_group: Option<Option<String>> = None;
    for (node, closes) in nodes.iter().zip(closes) {
        let Some(mut view) = views.get_mut(node.index).and_then(Option::take) else {
            continue;
        };
        view.depth = node.depth;
        view.nest = node.children > 0;
        view.closes = closes;
        view.indent = "  ".repeat(node.depth);
        if node.depth == 0 && top_group.as_ref() != Some(&view.group) {
            view.list_break = top_group.is_some();
            view.group_caption = view.group.clone();
            view.group_md = view
                .group
                .as_deref()
                .map(|g| format!("**{}**", md_escape_line(g)));
            top_group = Some(view.group.clone());
        }
        view.notes_md = notes_md(&s.items[node.index], &view.indent);
        items.push(view);
    }
    SectionView {
        id: s.id.clone(),
        title: s.title.clone(),
        title_md: md_escape(&s.title),
        level: s.level,
        goal: s.goal.clone(),
        goal_md: s.goal.as_deref().map(md_escape),
        intro_html: shift_headings(to_html(&s.intro), SECTION_TOP),
        callouts: s.callouts.iter().map(|c| callout(c, SECTION_TOP)).collect(),
        items,
        ids: join_ids(s.items.iter()),
        tally: Tally(Counts::of(&s.items)),
        checked: join_ids(s.items.iter().filter(|i| i.checked)),
    }
}

/// An item's trade-offs and risks as quotes inside its list item: `{indent}  > ` before
/// every line, a `{indent}  >` line between two.
fn notes_md(it: &Item, indent: &str) -> String {
    let prefix = format!("{indent}  > ");
    let notes: Vec<String> = it
        .callouts
        .iter()
        .filter(|c| matches!(c.kind, CalloutKind::TradeOff | CalloutKind::Risk))
        .map(|c| {
            format!("**{}:** {}", md_escape(&c.label), c.text)
                .lines()
                .map(|l| format!("{prefix}{l}"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let mut notes = notes;
    // The progress file's note on the item.
    if let Some(Some(p)) = &it.progress {
        if let Some(note) = p.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            notes.push(
                // Raw HTML in a note stays text: `<` is written as `&lt;`.
                format!("**Progress note:** {}", note.replace('<', "&lt;"))
                    .lines()
                    .map(|l| format!("{prefix}{l}").trim_end().to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
    }
    notes.join(&format!("\n{indent}  >\n"))
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
        path_md: code_span(&doc.path),
        url_md: doc.url.as_deref().map(url_md),
        checked: join_ids(
            doc.sections
                .iter()
                .flat_map(|s| &s.items)
                .filter(|i| i.checked),
        ),
        title: doc.title.clone(),
        title_md: md_escape(&doc.title),
        url: doc.url.clone(),
        page: output_path(&doc.path, "html"),
        md_page: output_path(&doc.path, "md"),
        root: "../".repeat(depth),
        intro_html: shift_headings(to_html(&doc.intro), DOC_TOP),
        callouts: doc.callouts.iter().map(|c| callout(c, DOC_TOP)).collect(),
        sections,
        items: doc.sections.iter().map(|s| s.items.len()).sum(),
        ids: join_ids(doc.sections.iter().flat_map(|s| &s.items)),
        tally: Tally(Counts::of(doc.sections.iter().flat_map(|s| &s.items))),
        levels,
        href: doc.url.as_deref().and_then(safe_url),
        progress: progress_json(doc.sections.iter().flat_map(|s| &s.items)),
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
    /// The progress file's entries for its items ([`DocView::progress`]).
    pub progress: String,
    /// Its items by status ([`DocView::tally`]).
    pub tally: Tally,
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

    /// The ids of the items the source marks done, space-separated.
    pub fn checked(&self) -> String {
        self.sections
            .iter()
            .filter(|s| !s.checked.is_empty())
            .map(|s| s.checked.as_str())
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
            checked: String,
            md_href: String,
            page_href: String,
            levels: &'a [u32],
            href: Option<&'a str>,
            progress: &'a str,
            tally: Tally,
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
            checked: self.checked(),
            md_href: page_href(&self.md_page),
            page_href: page_href(&self.page),
            levels: &self.levels,
            href: self.href.as_deref(),
            progress: &self.progress,
            tally: self.tally,
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
    /// The ids of its items that the source marks done, space-separated.
    pub checked: String,
    /// How many items (ids) the section holds.
    pub count: usize,
    /// Its items by status ([`SectionView::tally`]).
    pub tally: Tally,
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
            checked: &'a str,
            tally: Tally,
        }
        Fields {
            id: &self.id,
            title: &self.title,
            title_md: &self.title_md,
            level: self.level,
            goal: self.goal.as_deref(),
            items: Numbers(self.count),
            ids: &self.ids,
            checked: &self.checked,
            tally: self.tally,
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
                    checked: s.checked.clone(),
                    count: s.items.len(),
                    tally: s.tally,
                })
                .collect(),
            items: view.items,
            levels: view.levels.clone(),
            href: view.href.clone(),
            progress: view.progress.clone(),
            tally: view.tally,
        }
    }
}

/// The values the index templates read, made once for both: `docs` (each [`IndexDoc`]
/// converted, then dropped, in turn) and, for `index.html`, `overview`, `items` and
/// `tally`.
pub struct IndexValues {
    pub docs: tera::Value,
    pub overview: Option<tera::Value>,
    pub items: usize,
    /// Every document's items by status: the total of `checkdown status`.
    pub tally: Tally,
}

impl IndexValues {
    pub fn new(docs: Vec<IndexDoc>, with_overview: bool) -> IndexValues {
        let items = docs.iter().map(|d| d.items).sum();
        let mut total = Counts::default();
        for d in &docs {
            total.merge(d.tally.0);
        }
        let overview = with_overview.then(|| tera::Value::from_serializable(&overview(&docs)));
        let docs: Vec<tera::Value> = docs
            .into_iter()
            .map(|d| tera::Value::from_serializable(&d))
            .collect();
        IndexValues {
            docs: tera::Value::from(docs),
            overview,
            items,
            tally: Tally(total),
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
    /// Its items by status.
    pub tally: Tally,
    /// The width of the bar filled to the share done (of `width`).
    pub fill: String,
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
                    let mut counts = Counts::default();
                    for s in sections() {
                        counts.merge(s.tally.0);
                    }
                    let tally = Tally(counts);
                    OverviewCell {
                        label: format!("{}, {}", doc.title, label(*k)),
                        ids: sections()
                            .map(|s| s.ids.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        items: sections().map(|s| s.count).sum(),
                        tally,
                        fill: tally.fill(CELL_WIDTH - GAP),
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
