//! What every tracker profile shares: the backlog as parents (one per section) with their
//! children (the section's items), each with a stable id, labels every tracker accepts, a
//! one-line title cut to what trackers take, and a description as Markdown parts that each
//! profile converts to its own markup.

use uuid::Uuid;

use crate::model::{Catalog, Document, Item, Section};
pub use crate::render::view::code_span;
use crate::render::view::md_escape;

/// Longest title every tracker takes, in UTF-16 code units (Jira's `Summary` and Azure
/// DevOps' title: 255 UTF-16 code units; GitLab: 255 characters; GitHub: 256; see
/// [`super::limit`]).
pub const TITLE_MAX: usize = super::limit::TITLE.max;

/// Longest label (GitHub refuses label names over 50 characters).
pub const LABEL_MAX: usize = 50;

/// One piece of a description: an optional heading and Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub heading: Option<String>,
    pub markdown: String,
}

/// One ticket: a section (parent) or an item (child).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The stable id: the item's id, or for a section the UUID v5 of its key.
    pub id: String,
    /// What the id was derived from.
    pub key: String,
    /// One line, at most [`TITLE_MAX`] UTF-16 code units (with the `'` a CSV cell may get).
    pub title: String,
    /// Maturity level, when the section names one.
    pub level: Option<u32>,
    /// Slugs: lowercase letters and digits joined by `-`, at most [`LABEL_MAX`] characters.
    pub labels: Vec<String>,
    /// The description, in order: the full title when cut, the text, callouts, source, id.
    /// The last two parts are always the source and the id line ([`FIXED_TAIL`]).
    pub parts: Vec<Part>,
    /// For an item nested in another: the id of the item it is shown under (see
    /// [`crate::render::tree`]); `None` for a top-level item or a section.
    pub parent_item: Option<String>,
    /// For a nested item: the id of its top-level ancestor, which trackers with one level of
    /// sub-tasks (Jira, Azure DevOps) put it under.
    pub root_item: Option<String>,
    /// Where it comes from, for diagnostics: the document's path and the item's line and
    /// column (0 for a section).
    pub origin: (String, usize, usize),
}

/// How many parts end every description and are never shortened: the source and the id.
pub const FIXED_TAIL: usize = 2;

/// The label of an item that the source marks done.
pub const CHECKED_LABEL: &str = "checked-in-source";

/// A parent and its children, always kept in the same file.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub parent: Entry,
    pub children: Vec<Entry>,
}

impl Group {
    pub fn rows(&self) -> usize {
        1 + self.children.len()
    }
}

/// The backlog of a catalog: one group per section that has items, in catalog order; a
/// section's items in tree order (each followed by the items nested in it).
pub fn groups(catalog: &Catalog) -> Vec<Group> {
    let mut out = Vec::new();
    for doc in &catalog.documents {
        for s in doc.sections.iter().filter(|s| !s.items.is_empty()) {
            let children = crate::render::tree::order(&s.items)
                .iter()
                .map(|n| {
                    let mut e = child(doc, s, &s.items[n.index], n.parent.map(|p| &s.items[p]));
                    if n.depth > 0 {
                        e.root_item = Some(s.items[n.root].id.clone());
                    }
                    e
                })
                .collect();
            out.push(Group {
                parent: parent(doc, s),
                children,
            });
        }
    }
    out
}

/// The label every row carries to be matched on a later import: `checkdown-` and the first
/// eight hex digits of the id.
pub fn id_label(id: &str) -> String {
    let hex: String = id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(8)
        .flat_map(|c| c.to_lowercase())
        .collect();
    format!("checkdown-{hex}")
}

/// A label: letters and digits lowercased, every other run of characters one `-`, no `-`
/// at either end, cut to [`LABEL_MAX`] characters at a `-` where there is one. Such a label
/// holds no space, quote, comma or semicolon, so every tracker takes it as it is.
pub fn label(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    if out.chars().count() > LABEL_MAX {
        let head: String = out.chars().take(LABEL_MAX).collect();
        let next = out.chars().nth(LABEL_MAX);
        out = match head.rfind('-') {
            Some(i) if next != Some('-') && i > 0 => head[..i].to_string(),
            _ => head,
        };
    }
    out.trim_matches('-').to_string()
}

/// Whitespace runs (space, tab, CR, LF, form feed) become one space; NBSP and other
/// Unicode spaces are kept, as the docs write them.
pub fn one_line(s: &str) -> String {
    s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

/// `s` cut to at most `max` UTF-16 code units with `…` at the end; the second value says
/// whether it was cut. See [`cut_in`].
pub fn cut(s: &str, max: usize) -> (String, bool) {
    cut_in(s, max, super::limit::Unit::Utf16)
}

/// `s` cut to at most `max` in `unit`, with `…` at the end; the second value says whether
/// it was cut. The cut is on a word boundary when one is near the end of the room (within
/// its last fifth), else at a character boundary, so that text written without spaces
/// (Japanese, Chinese) keeps most of the room instead of its first Latin words.
pub fn cut_in(s: &str, max: usize, unit: super::limit::Unit) -> (String, bool) {
    let ellipsis = unit.of('…');
    if unit.len(s) <= max || max <= ellipsis {
        return (s.to_string(), false);
    }
    let room = max - ellipsis;
    let mut end = 0;
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let n = unit.of(c);
        if used + n > room {
            break;
        }
        used += n;
        end = i + c.len_utf8();
    }
    let head = &s[..end];
    let at = if s[end..].starts_with(' ') {
        end
    } else {
        match head.rfind(' ') {
            Some(i) if i > 0 && unit.len(&head[..i]) >= room - room / 5 => i,
            _ => end,
        }
    };
    let kept = head[..at].trim_end_matches([' ', ',', ';', ':', '-']);
    let kept = if kept.is_empty() { head } else { kept };
    (format!("{kept}…"), true)
}

/// A Markdown link to `url` that shows the URL: an autolink, or a link whose destination
/// is in `<>` when the URL holds spaces.
fn url_link(url: &str) -> String {
    let clean: String = url
        .trim()
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '\n' | '\r'))
        .collect();
    if clean.contains(char::is_whitespace) {
        format!("[{}](<{clean}>)", md_escape(&clean))
    } else {
        format!("<{clean}>")
    }
}

fn section_key(doc: &Document, s: &Section) -> String {
    // Anchors never hold `:`, so this cannot be an item's key.
    format!("{}#section:{}", doc.path, s.id)
}

fn uuid_of(key: &str) -> String {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, key.as_bytes()).to_string()
}

fn title_parts(full: &str) -> (String, Vec<Part>) {
    // Room for the `'` that a CSV cell starting with `=`, `+`, `-` or `@` gets.
    let quote = super::limit::TITLE.len(full) - super::limit::Unit::Utf16.len(full);
    let (title, was_cut) = cut(full, TITLE_MAX - quote);
    let mut parts = Vec::new();
    if was_cut {
        parts.push(Part {
            heading: None,
            markdown: format!("**Full title:** {}", md_escape(full)),
        });
    }
    (title, parts)
}

fn push_text(parts: &mut Vec<Part>, markdown: &str) {
    if !markdown.trim().is_empty() {
        parts.push(Part {
            heading: None,
            markdown: markdown.to_string(),
        });
    }
}

fn push_callouts(parts: &mut Vec<Part>, callouts: &[crate::model::Callout]) {
    for c in callouts {
        parts.push(Part {
            heading: Some(one_line(&c.label)),
            markdown: c.text.clone(),
        });
    }
}

/// The source, then the id line: the id and the content revision of what comes before.
fn push_source(parts: &mut Vec<Part>, source: String, id: &str, title: &str, labels: &[String]) {
    let rev = revision(title, labels, parts);
    parts.push(Part {
        heading: Some("Source".to_string()),
        markdown: source,
    });
    parts.push(Part {
        heading: None,
        markdown: id_line(id, &rev),
    });
}

/// The last line of every description: `checkdown id: `<id>` rev `<revision>``.
pub fn id_line(id: &str, rev: &str) -> String {
    format!("checkdown id: {} rev {}", code_span(id), code_span(rev))
}

/// The content revision of a ticket: the first eight hex digits of the SHA-256 of its
/// title, its labels and its description's parts before the source and the id (the source
/// is left out: it names the item's line, which moves when the text above it changes).
/// `sync` compares it with the revision an earlier import wrote, so that an edit a team
/// made in the tracker is never taken for a change of the docs.
pub fn revision(title: &str, labels: &[String], content: &[Part]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(title.as_bytes());
    h.update(b"\n");
    h.update(labels.join(" ").as_bytes());
    h.update(b"\n");
    h.update(markdown(content).as_bytes());
    h.finalize()
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The revision of an entry, as its id line gives it.
pub fn entry_revision(e: &Entry) -> String {
    let content = &e.parts[..e.parts.len().saturating_sub(FIXED_TAIL)];
    revision(&e.title, &e.labels, content)
}

fn labels(list: &[Option<String>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in list.iter().flatten() {
        if !l.is_empty() && !out.contains(l) {
            out.push(l.clone());
        }
    }
    out
}

fn level_label(level: Option<u32>) -> Option<String> {
    level.map(|l| format!("level-{l}"))
}

fn parent(doc: &Document, s: &Section) -> Entry {
    let key = section_key(doc, s);
    let id = uuid_of(&key);
    let full = one_line(&format!("{} / {}", doc.title, s.title));
    let (title, mut parts) = title_parts(&full);
    if let Some(goal) = s.goal.as_deref().filter(|g| !g.trim().is_empty()) {
        parts.push(Part {
            heading: None,
            markdown: format!("**Goal:** {}", md_escape(&one_line(goal))),
        });
    }
    push_text(&mut parts, &s.intro);
    push_callouts(&mut parts, &s.callouts);
    let source = match &doc.url {
        Some(url) => url_link(url),
        None => code_span(&format!("{}#{}", doc.path, s.id)),
    };
    // A pillar goes on the parent when every item of the section names the same one.
    let pillar = s.items.first().and_then(|i| i.pillar.clone()).filter(|p| {
        s.items
            .iter()
            .all(|i| i.pillar.as_deref() == Some(p.as_str()))
    });
    let labels = labels(&[
        Some("checkdown".to_string()),
        Some(id_label(&id)),
        Some("section".to_string()),
        pillar.map(|p| label(&p)),
        level_label(s.level),
        Some(label(&doc.title)),
        Some(label(&s.title)),
    ]);
    push_source(&mut parts, source, &id, &title, &labels);
    Entry {
        labels,
        id,
        key,
        title,
        level: s.level,
        parts,
        parent_item: None,
        root_item: None,
        origin: (doc.path.clone(), 0, 0),
    }
}

/// `under`: the item it is shown under, when nested.
fn child(doc: &Document, s: &Section, it: &Item, under: Option<&Item>) -> Entry {
    let full = one_line(&it.title);
    let (title, mut parts) = title_parts(&full);
    // What the checklist line says around the item: where it is nested, its group, its
    // variants, the text after its link.
    let mut about = Vec::new();
    if let Some(p) = under {
        about.push(format!(
            "**Parent:** {} ({})",
            md_escape(&one_line(&p.title)),
            code_span(&id_label(&p.id))
        ));
    }
    if let Some(g) = it.group.as_deref().filter(|g| !g.trim().is_empty()) {
        about.push(format!("**Group:** {}", md_escape(&one_line(g))));
    }
    if !it.variants.is_empty() {
        let names: Vec<String> = it
            .variants
            .iter()
            .map(|v| md_escape(&one_line(v)))
            .collect();
        about.push(format!("**Variants:** {}", names.join(", ")));
    }
    if !about.is_empty() {
        parts.push(Part {
            heading: None,
            // A backslash at a line's end is a hard line break.
            markdown: about.join("\\\n"),
        });
    }
    if let Some(summary) = it.summary.as_deref().filter(|t| !t.trim().is_empty()) {
        parts.push(Part {
            heading: None,
            markdown: crate::render::view::md_escape_line(&one_line(summary)),
        });
    }
    push_text(&mut parts, &crate::render::view::full_body(it));
    if let Some(benefit) = it.benefit.as_deref().filter(|b| !b.trim().is_empty()) {
        parts.push(Part {
            heading: Some("Benefit".to_string()),
            markdown: benefit.to_string(),
        });
    }
    push_callouts(&mut parts, &it.callouts);
    if let Some(guide) = it.guide.as_deref().filter(|g| !g.trim().is_empty()) {
        let lower = guide.to_ascii_lowercase();
        parts.push(Part {
            heading: Some("Guide".to_string()),
            markdown: if lower.starts_with("https://") || lower.starts_with("http://") {
                url_link(guide)
            } else {
                code_span(guide)
            },
        });
    }
    let url = it.url.clone().or_else(|| {
        doc.url
            .as_ref()
            .map(|u| format!("{}#{}", u.trim_end_matches('#'), it.anchor))
    });
    let source = match url {
        Some(u) => url_link(&u),
        None => code_span(&format!("{}:{}", doc.path, it.source.line)),
    };
    let labels = labels(&[
        Some("checkdown".to_string()),
        Some(id_label(&it.id)),
        Some(label(&it.kind)),
        it.checked.then(|| CHECKED_LABEL.to_string()),
        it.code.as_deref().map(label),
        it.pillar.as_deref().map(label),
        it.scope.as_deref().map(label),
        level_label(s.level),
        Some(label(&doc.title)),
        Some(label(&s.title)),
    ]);
    push_source(&mut parts, source, &it.id, &title, &labels);
    Entry {
        labels,
        id: it.id.clone(),
        key: it.key.clone(),
        title,
        level: s.level,
        parts,
        parent_item: under.map(|p| p.id.clone()),
        root_item: None,
        origin: (doc.path.clone(), it.source.line, it.source.column),
    }
}

/// The parts as one Markdown text, headings as `###`.
pub fn markdown(parts: &[Part]) -> String {
    let mut md = Vec::new();
    for part in parts {
        if let Some(h) = &part.heading {
            md.push(format!("### {}", md_escape(h)));
        }
        if !part.markdown.trim().is_empty() {
            md.push(part.markdown.trim_end().to_string());
        }
    }
    md.join("\n\n")
}

/// Splits groups into files of at most `max` rows, each parent in the file of its children.
/// A group larger than a file is cut into parts of `max - 1` children, each under its own
/// parent: the first keeps the section's id, the next ones get `(part N)` in their title
/// and an id of their own (the UUID v5 of `<key>/part-N`).
pub fn split_rows(groups: Vec<Group>, max: usize) -> Vec<Vec<Group>> {
    let max = max.max(2);
    let mut units = Vec::new();
    for g in groups {
        if g.rows() <= max {
            units.push(g);
            continue;
        }
        // Chunks of whole subtrees (a top-level item and the items nested in it), so that
        // a nested item stays in the file of the item it is under; a subtree larger than a
        // chunk is cut, and its rest stands alone (see `under_in_file`).
        let subtrees: Vec<Vec<Entry>> = subtrees(g.children);
        let mut chunks: Vec<Vec<Entry>> = Vec::new();
        for tree in pack(subtrees, Vec::len, max - 1) {
            let flat: Vec<Entry> = tree.into_iter().flatten().collect();
            chunks.extend(flat.chunks(max - 1).map(<[Entry]>::to_vec));
        }
        for (n, children) in chunks.into_iter().enumerate() {
            let parent = if n == 0 {
                g.parent.clone()
            } else {
                part_parent(&g.parent, n + 1)
            };
            units.push(Group { parent, children });
        }
    }
    pack(units, Group::rows, max)
}

/// Children in tree order, cut into subtrees: each top-level item with its nested items.
fn subtrees(children: Vec<Entry>) -> Vec<Vec<Entry>> {
    let mut out: Vec<Vec<Entry>> = Vec::new();
    for e in children {
        match out.last_mut() {
            Some(tree) if e.root_item.is_some() => tree.push(e),
            _ => out.push(vec![e]),
        }
    }
    out
}

/// The entries of a file whose parent item is in the file before them: those a tracker
/// can nest. Any other stands as a top-level item (its description names its parent).
pub fn under_in_file<'a>(entries: impl Iterator<Item = &'a Entry>) -> Vec<bool> {
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut out = Vec::new();
    for e in entries {
        out.push(e.root_item.as_deref().is_some_and(|r| seen.contains(r)));
        seen.insert(e.id.as_str());
    }
    out
}

fn part_parent(p: &Entry, n: usize) -> Entry {
    let key = format!("{}/part-{n}", p.key);
    let id = uuid_of(&key);
    let suffix = format!(" (part {n})");
    let room = TITLE_MAX.saturating_sub(super::limit::Unit::Utf16.len(&suffix));
    let (head, _) = cut(&p.title, room);
    let rev = entry_revision(p);
    let mut parts = p.parts.clone();
    // The last part is always the id line (see `push_source`): this part has its own.
    parts.pop();
    parts.insert(
        0,
        Part {
            heading: None,
            markdown: format!(
                "Part {n} of a section too large for one import file; part 1 is {}.",
                code_span(&id_label(&p.id))
            ),
        },
    );
    parts.push(Part {
        heading: None,
        markdown: id_line(&id, &rev),
    });
    let old = id_label(&p.id);
    let new = id_label(&id);
    Entry {
        labels: p
            .labels
            .iter()
            .map(|l| if *l == old { new.clone() } else { l.clone() })
            .collect(),
        id,
        key,
        title: format!("{head}{suffix}"),
        level: p.level,
        parts,
        parent_item: None,
        root_item: None,
        origin: p.origin.clone(),
    }
}

/// Packs units in order into bins whose total size stays at most `max`; a unit larger than
/// `max` gets a bin of its own.
pub fn pack<T>(units: Vec<T>, size: impl Fn(&T) -> usize, max: usize) -> Vec<Vec<T>> {
    let mut bins: Vec<Vec<T>> = Vec::new();
    let mut current: Vec<T> = Vec::new();
    let mut used = 0;
    for u in units {
        let n = size(&u);
        if !current.is_empty() && used + n > max {
            bins.push(std::mem::take(&mut current));
            used = 0;
        }
        used += n;
        current.push(u);
    }
    if !current.is_empty() || bins.is_empty() {
        bins.push(current);
    }
    bins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_slugs() {
        assert_eq!(label("Level 1: Core security"), "level-1-core-security");
        assert_eq!(label("SE:01"), "se-01");
        assert_eq!(
            label("=HYPERLINK(\"http://x\",\"y\")"),
            "hyperlink-http-x-y"
        );
        assert_eq!(label("@cmd"), "cmd");
        assert_eq!(label("-2+3"), "2-3");
        assert_eq!(label("Élévation de privilèges"), "élévation-de-privilèges");
        let long = label(&"word ".repeat(30));
        assert!(long.chars().count() <= LABEL_MAX, "{long}");
        assert!(long.ends_with("word"), "{long}");
        assert_eq!(label("!!!"), "");
    }

    #[test]
    fn id_labels() {
        assert_eq!(
            id_label("2F1C0A9B-1111-5222-8333-444455556666"),
            "checkdown-2f1c0a9b"
        );
    }

    #[test]
    fn cuts_on_a_word_boundary() {
        assert_eq!(cut("short", 255), ("short".to_string(), false));
        let (t, was) = cut("alpha beta gamma", 12);
        assert!(was);
        assert_eq!(t, "alpha beta…");
        let (t, _) = cut("alpha beta, gamma", 13);
        assert_eq!(t, "alpha beta…");
        let (t, _) = cut("abcdefghijklmnop", 8);
        assert_eq!(t, "abcdefg…");
        let long = "word ".repeat(100);
        let (t, _) = cut(long.trim(), TITLE_MAX);
        assert!(t.chars().count() <= TITLE_MAX);
        assert!(t.ends_with("word…"));
    }

    #[test]
    fn text_without_spaces_keeps_most_of_the_room() {
        // A Latin name, then Japanese: the cut is at a character, not after `Vault`.
        let jp = format!("Azure Key Vault {}", "鍵を定期的に更新する".repeat(30));
        let (t, was) = cut(&jp, TITLE_MAX);
        assert!(was);
        assert_eq!(t.chars().count(), 255);
        assert_eq!(t, format!("{}…", jp.chars().take(254).collect::<String>()));
        // A space near the end is taken.
        let (t, _) = cut("abcdefghijklmnopqrstuvwx yz", 26);
        assert_eq!(t, "abcdefghijklmnopqrstuvwx…");
        // Far from the end it is not.
        let (t, _) = cut("ab cdefghijklmnopqrstuvwxyz", 12);
        assert_eq!(t, "ab cdefghij…");
        // Characters outside the BMP count twice, as Jira and Azure DevOps count them.
        let (t, _) = cut(&"😀".repeat(200), TITLE_MAX);
        assert_eq!(t, format!("{}…", "😀".repeat(127)));
        let (t, _) = cut_in(&"😀".repeat(200), 10, super::super::limit::Unit::Chars);
        assert_eq!(t, format!("{}…", "😀".repeat(9)));
    }

    #[test]
    fn code_spans() {
        assert_eq!(code_span("a:1"), "`a:1`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
    }

    #[test]
    fn packs_in_order() {
        let bins = pack(vec![3, 3, 3, 5, 1], |n| *n, 6);
        assert_eq!(bins, vec![vec![3, 3], vec![3], vec![5, 1]]);
        let bins = pack(vec![9, 1], |n| *n, 6);
        assert_eq!(bins, vec![vec![9], vec![1]]);
        let empty: Vec<Vec<usize>> = pack(Vec::new(), |n| *n, 6);
        assert_eq!(empty, vec![Vec::<usize>::new()]);
    }
}
