//! Dialect passes: the text of one page, rewritten before parsing so that one CommonMark
//! parse reads every dialect (FORMS.md, sections 3 and 4).
//!
//! - Learn: `::: moniker range="…"` … `::: moniker-end` and `:::zone pivot="…"` …
//!   `:::zone-end` lines are blanked and their spans kept as [`VariantMark`]s;
//!   `[!INCLUDE [title](path)]` is blanked, never read as a link (the include is inlined
//!   by [`crate::load`] when the file can be read, before this pass).
//! - MkDocs Material: admonitions (`!!! type "Title"`, `??? type`, `???+ type`) become
//!   blockquotes whose opening line is kept as a [`CalloutMark`]; content tabs
//!   (`=== "Title"`) lose their four columns of indentation and are kept as [`TabMark`]s.
//! - Docusaurus: admonitions (`:::type Title` … `:::`) become blockquotes; `<Tabs>` and
//!   `<TabItem value="x" label="Y">` lines are blanked and their spans kept as tabs;
//!   `import`/`export` statements and lines that are only a JSX tag are blanked.
//!
//! Every pass keeps the number of lines, so line numbers in diagnostics stay those of the
//! file; columns move only on lines a pass rewrote (by at most the indentation it took).
//! Fenced code is never rewritten, except for the container prefixes around it.

pub mod include;

use std::ops::Range;
use std::path::Path;

use crate::diag::Diagnostic;
use crate::load::SourceFile;
use crate::model::CalloutKind;
use crate::parse::lines::LineIndex;

/// A page made ready to parse: its includes expanded, then the dialect passes run.
#[derive(Debug)]
pub struct Prepared {
    pub file: SourceFile,
    /// Where each line came from, when includes were expanded.
    pub map: Option<include::LineMap>,
}

/// Expands a page's includes (when INPUT's `root` is known) and runs the dialect passes.
/// `None` when the page needs neither (it is parsed as read). Include problems go to
/// `diags`, already at the file and line they concern.
pub fn prepare(
    file: &SourceFile,
    root: Option<&Path>,
    max_size: u64,
    diags: &mut Vec<Diagnostic>,
) -> Option<Prepared> {
    let expanded = root.and_then(|root| {
        include::expand(
            &file.text,
            file.body_start,
            &file.path,
            root,
            max_size,
            diags,
        )
    });
    let (text, map) = match expanded {
        Some((t, m)) => (Some(t), Some(m)),
        None => (None, None),
    };
    let base = text.as_deref().unwrap_or(&file.text);
    let (rewritten, marks) = apply(base, file.body_start, &file.path);
    if text.is_none() && rewritten.is_none() && marks == Marks::default() {
        return None;
    }
    let text = rewritten.or(text).unwrap_or_else(|| file.text.clone());
    let lines = LineIndex::new(&text);
    Some(Prepared {
        file: SourceFile {
            path: file.path.clone(),
            text,
            body_start: file.body_start,
            front_matter: file.front_matter.clone(),
            lines,
            marks,
        },
        map,
    })
}

/// Does the Markdown hold an include (`[!INCLUDE`, any case)?
pub fn has_include(body: &str) -> bool {
    memchr::memmem::find_iter(body.as_bytes(), b"[!").any(|p| {
        body.get(p + 2..p + 9)
            .is_some_and(|w| w.eq_ignore_ascii_case("include"))
    })
}

/// What the passes found, in byte offsets of the rewritten text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    /// Admonitions, each now a blockquote that opens on the line at `line_start`.
    pub callouts: Vec<CalloutMark>,
    /// MkDocs content tabs and Docusaurus `<TabItem>`s.
    pub tabs: Vec<TabMark>,
    /// Learn conditional content (monikers, zone pivots).
    pub variants: Vec<VariantMark>,
}

/// An admonition: its blockquote opens on the line starting at byte `line_start`.
#[derive(Debug, Clone, PartialEq)]
pub struct CalloutMark {
    pub line_start: usize,
    pub kind: CalloutKind,
    /// The admonition's title, or its type capitalized (`Note`) when it has none.
    pub label: String,
}

/// A content tab: `range` is its content, `title` its label.
#[derive(Debug, Clone, PartialEq)]
pub struct TabMark {
    pub range: Range<usize>,
    pub title: String,
    /// The tab this one is nested in (index into [`Marks::tabs`]).
    pub parent: Option<usize>,
}

/// A branch of conditional content: `range` is its content, `name` the moniker range or
/// pivot (`>=aks-1.30`, `cli`).
#[derive(Debug, Clone, PartialEq)]
pub struct VariantMark {
    pub range: Range<usize>,
    pub name: String,
    /// Branches that share a `group` are alternatives of one another (a reader sees one).
    pub group: usize,
    /// The branch this one is nested in (index into [`Marks::variants`]).
    pub parent: Option<usize>,
}

/// Spans sorted by start that nest properly: the chain of spans holding `at`, innermost
/// first, in time proportional to the nesting depth (plus a binary search).
fn holding<'a, T>(
    spans: &'a [T],
    range: impl Fn(&T) -> &Range<usize> + 'a,
    parent: impl Fn(&T) -> Option<usize> + 'a,
    at: usize,
) -> impl Iterator<Item = usize> + 'a {
    let mut next = spans
        .partition_point(|s| range(s).start <= at)
        .checked_sub(1);
    std::iter::from_fn(move || loop {
        let i = next?;
        let span = spans.get(i)?;
        next = parent(span);
        if range(span).contains(&at) {
            return Some(i);
        }
    })
}

/// Sorts spans by start (longer first on ties) and links each to the span it nests in.
fn nest<T>(
    spans: &mut [T],
    range: impl Fn(&T) -> Range<usize>,
    set_parent: impl Fn(&mut T, Option<usize>),
) {
    spans.sort_by_key(|s| {
        let r = range(s);
        (r.start, std::cmp::Reverse(r.end))
    });
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for i in 0..spans.len() {
        let Some(r) = spans.get(i).map(&range) else {
            continue;
        };
        while stack.last().is_some_and(|&(_, end)| end <= r.start) {
            stack.pop();
        }
        let parent = stack.last().map(|&(p, _)| p);
        if let Some(s) = spans.get_mut(i) {
            set_parent(s, parent);
        }
        stack.push((i, r.end));
    }
}

impl Marks {
    /// The variant names the byte `at` stands in, outermost first.
    pub fn variants_at(&self, at: usize) -> Vec<String> {
        self.variant_spans_at(at)
            .into_iter()
            .filter_map(|i| self.variants.get(i).map(|v| v.name.clone()))
            .collect()
    }

    /// The indices of the variant spans holding byte `at`, outermost first.
    pub fn variant_spans_at(&self, at: usize) -> Vec<usize> {
        let mut out: Vec<usize> = holding(&self.variants, |v| &v.range, |v| v.parent, at).collect();
        out.reverse();
        out
    }

    /// The admonition whose blockquote opens at byte `start`, if any.
    pub fn callout_at(&self, start: usize, line_end: usize) -> Option<&CalloutMark> {
        self.callouts
            .iter()
            .find(|c| c.line_start <= start && start < line_end.max(c.line_start + 1))
    }

    /// Is byte `at` inside an admonition's content?
    pub fn tab_at(&self, at: usize) -> Option<&TabMark> {
        holding(&self.tabs, |t| &t.range, |t| t.parent, at)
            .next()
            .and_then(|i| self.tabs.get(i))
    }
}

/// One line of the body: its text and its ending (`\n`, `\r\n` or nothing).
struct Line {
    text: String,
    end: &'static str,
}

fn split_lines(body: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (line, end, next) = match rest.find('\n') {
            Some(p) if p > 0 && rest.as_bytes().get(p - 1) == Some(&b'\r') => {
                (&rest[..p - 1], "\r\n", &rest[p + 1..])
            }
            Some(p) => (&rest[..p], "\n", &rest[p + 1..]),
            None => (rest, "", ""),
        };
        out.push(Line {
            text: line.to_string(),
            end,
        });
        rest = next;
    }
    out
}

/// Marks in line numbers (0-based, among the body's lines), before offsets are known.
#[derive(Default)]
struct LineMarks {
    callouts: Vec<(usize, CalloutKind, String)>,
    tabs: Vec<(Range<usize>, String)>,
    variants: Vec<(Range<usize>, String, usize)>,
}

/// Rewrites `text` (whose Markdown starts at `body_start`) for the dialects it uses.
/// Returns the new text when anything changed, and the marks.
pub fn apply(text: &str, body_start: usize, path: &str) -> (Option<String>, Marks) {
    let body = text.get(body_start..).unwrap_or("");
    let learn = has_learn(body);
    let mkdocs = has_mkdocs(body);
    let docusaurus = path.to_ascii_lowercase().ends_with(".mdx") || has_docusaurus(body);
    if !learn && !mkdocs && !docusaurus {
        return (None, Marks::default());
    }
    let mut lines = split_lines(body);
    let mut marks = LineMarks::default();
    if learn {
        learn_pass(&mut lines, &mut marks);
    }
    if mkdocs {
        mkdocs_pass(&mut lines, &mut marks);
    }
    if docusaurus {
        docusaurus_pass(&mut lines, &mut marks);
    }
    let mut out = String::with_capacity(text.len() + lines.len());
    out.push_str(text.get(..body_start).unwrap_or(""));
    let mut starts = Vec::with_capacity(lines.len() + 1);
    for l in &lines {
        starts.push(out.len());
        out.push_str(&l.text);
        out.push_str(l.end);
    }
    starts.push(out.len());
    let at = |line: usize| starts.get(line).copied().unwrap_or(out.len());
    let mut marks = Marks {
        callouts: marks
            .callouts
            .into_iter()
            .map(|(line, kind, label)| CalloutMark {
                line_start: at(line),
                kind,
                label,
            })
            .collect(),
        tabs: marks
            .tabs
            .into_iter()
            .map(|(r, title)| TabMark {
                range: at(r.start)..at(r.end),
                title,
                parent: None,
            })
            .collect(),
        variants: marks
            .variants
            .into_iter()
            .map(|(r, name, group)| VariantMark {
                range: at(r.start)..at(r.end),
                name,
                group,
                parent: None,
            })
            .collect(),
    };
    nest(&mut marks.tabs, |t| t.range.clone(), |t, p| t.parent = p);
    nest(
        &mut marks.variants,
        |v| v.range.clone(),
        |v, p| v.parent = p,
    );
    let changed = out != text;
    (changed.then_some(out), marks)
}

/// Does the Markdown hold a moniker or zone directive, or an include? (`:::image` and the
/// other Learn directives need no rewriting.)
fn has_learn(body: &str) -> bool {
    memchr::memmem::find_iter(body.as_bytes(), b":::").any(|p| {
        let rest = body.get(p + 3..).unwrap_or("").trim_start_matches(' ');
        let rest = rest.as_bytes();
        let starts = |w: &[u8]| {
            rest.get(..w.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(w))
        };
        starts(b"moniker") || starts(b"zone")
    }) || has_include(body)
}

fn has_mkdocs(body: &str) -> bool {
    let b = body.as_bytes();
    let maybe = memchr::memmem::find(b, b"!!!").is_some()
        || memchr::memmem::find(b, b"???").is_some()
        || memchr::memmem::find(b, b"===").is_some();
    maybe
        && body.lines().any(|l| {
            let t = l.trim_start();
            mkdocs_admonition(t).is_some() || mkdocs_tab(t).is_some()
        })
}

fn has_docusaurus(body: &str) -> bool {
    let b = body.as_bytes();
    let admonition = memchr::memmem::find_iter(b, b":::").any(|p| {
        // At a line's start (after blanks), then a type right after the colons.
        let line_start = body[..p].rfind('\n').map_or(0, |n| n + 1);
        body[line_start..p].trim().is_empty()
            && docusaurus_open(body[p..].lines().next().unwrap_or("")).is_some()
    });
    admonition
        || memchr::memmem::find(b, b"<Tabs").is_some()
        || memchr::memmem::find(b, b"<TabItem").is_some()
}

/// Tracks fenced code blocks line by line (CommonMark: three or more backticks or tildes,
/// closed by a run of the same character at least as long).
#[derive(Default)]
struct Fence {
    open: Option<(char, usize)>,
}

impl Fence {
    /// Feeds one line (its content after any container prefix); true when the line is
    /// inside a fence or is a fence line.
    fn line(&mut self, content: &str) -> bool {
        let t = content.trim_start();
        let run = |c: char| t.chars().take_while(|&x| x == c).count();
        match self.open {
            Some((c, n)) => {
                if run(c) >= n && t.trim_start_matches(c).trim().is_empty() {
                    self.open = None;
                }
                true
            }
            None => {
                for c in ['`', '~'] {
                    let n = run(c);
                    if n >= 3 {
                        self.open = Some((c, n));
                        return true;
                    }
                }
                false
            }
        }
    }
}

/// The value of `name="…"` (or `name='…'`) in a directive's attributes.
fn attr<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower.get(from..).and_then(|x| x.find(name)) {
        let at = from + p;
        let before_ok = at == 0
            || lower
                .as_bytes()
                .get(at - 1)
                .is_some_and(|b| !b.is_ascii_alphanumeric() && *b != b'-');
        let rest = s.get(at + name.len()..).unwrap_or("").trim_start();
        if before_ok {
            if let Some(rest) = rest.strip_prefix('=') {
                let rest = rest.trim_start();
                let quote = rest.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let inner = &rest[1..];
                    return inner.find(quote).map(|e| &inner[..e]);
                }
                return rest.split_whitespace().next();
            }
        }
        from = at + name.len();
    }
    None
}

/// Blanks a line, keeping its length (spaces), so that offsets past it do not move.
fn blank(line: &mut Line) {
    line.text = " ".repeat(line.text.len());
}

/// Learn: monikers and zone pivots, and includes left in the text.
fn learn_pass(lines: &mut [Line], marks: &mut LineMarks) {
    let mut fence = Fence::default();
    // Open branches: (first content line, name, group).
    let mut open: Vec<(usize, String, usize)> = Vec::new();
    let mut groups = 0usize;
    // The group a new branch joins: a branch that opens right after one closed (blank
    // lines between) is an alternative of it.
    let mut last_closed: Option<(usize, usize)> = None;
    let mut comment = false;
    for i in 0..lines.len() {
        let Some(line) = lines.get_mut(i) else { break };
        if fence.line(&line.text) {
            continue;
        }
        let t = line.text.trim();
        if let Some(rest) = t.strip_prefix(":::") {
            let rest = rest.trim_start();
            let lower = rest.to_ascii_lowercase();
            let word: String = lower
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            match word.as_str() {
                "moniker-end" | "zone-end" => {
                    if let Some((start, name, group)) = open.pop() {
                        marks.variants.push((start..i, name, group));
                        last_closed = Some((i, group));
                    }
                    blank(line);
                    continue;
                }
                "moniker" | "zone" => {
                    // Branches do not nest: a branch that opens while one is open (its
                    // end line missing) ends the open one, so that an unclosed branch
                    // never makes every later one its child.
                    if let Some((start, name, group)) = open.pop() {
                        marks.variants.push((start..i, name, group));
                        last_closed = Some((i.saturating_sub(1), group));
                    }
                    let name = attr(rest, "range")
                        .or_else(|| attr(rest, "pivot"))
                        .or_else(|| attr(rest, "target"))
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    let group = match last_closed {
                        Some((closed, g))
                            if lines
                                .get(closed + 1..i)
                                .is_some_and(|b| b.iter().all(|l| l.text.trim().is_empty())) =>
                        {
                            g
                        }
                        _ => {
                            groups += 1;
                            groups
                        }
                    };
                    open.push((i + 1, name, group));
                    if let Some(line) = lines.get_mut(i) {
                        blank(line);
                    }
                    continue;
                }
                _ => {}
            }
        }
        blank_includes(line, &mut comment);
    }
    let end = lines.len();
    while let Some((start, name, group)) = open.pop() {
        marks.variants.push((start..end, name, group));
    }
    marks
        .variants
        .sort_by_key(|(r, _, _)| (r.start, std::cmp::Reverse(r.end)));
}

/// Blanks every `[!INCLUDE [title](path)]` in a line (any case, spacing inside varies)
/// that stands outside HTML comments and code spans; `comment` carries an open `<!--`
/// from line to line.
fn blank_includes(line: &mut Line, comment: &mut bool) {
    if !has_include(&line.text) && !*comment && !line.text.contains("<!--") {
        return;
    }
    for (range, _) in includes_outside(&line.text.clone(), comment) {
        let len = range.len();
        line.text.replace_range(range, &" ".repeat(len));
    }
}

/// The byte ranges of a line hidden from includes: HTML comments (one open at the line's
/// start when `comment` says so; `comment` is left saying whether one is open at its end)
/// and code spans.
fn hidden_ranges(line: &str, comment: &mut bool) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut pos = 0;
    if *comment {
        match line.find("-->") {
            Some(e) => {
                out.push(0..e + 3);
                pos = e + 3;
                *comment = false;
            }
            None => {
                out.push(0..line.len());
                return out;
            }
        }
    }
    while pos < line.len() {
        let Some(p) = line.get(pos..).and_then(|r| r.find(['<', '`'])) else {
            break;
        };
        let at = pos + p;
        let rest = line.get(at..).unwrap_or("");
        if rest.starts_with("<!--") {
            match rest.get(4..).and_then(|r| r.find("-->")) {
                Some(e) => {
                    out.push(at..at + 4 + e + 3);
                    pos = at + 4 + e + 3;
                }
                None => {
                    out.push(at..line.len());
                    *comment = true;
                    break;
                }
            }
        } else if rest.starts_with('`') {
            let n = rest.chars().take_while(|&c| c == '`').count();
            let after = at + n;
            // The closing run: exactly `n` backticks.
            let mut search = after;
            let mut closed = None;
            while let Some(q) = line.get(search..).and_then(|r| r.find('`')) {
                let q = search + q;
                let m = line
                    .get(q..)
                    .map_or(0, |r| r.chars().take_while(|&c| c == '`').count());
                if m == n {
                    closed = Some(q + m);
                    break;
                }
                search = q + m;
            }
            match closed {
                Some(end) => {
                    out.push(at..end);
                    pos = end;
                }
                None => pos = after,
            }
        } else {
            pos = at + 1;
        }
    }
    out
}

/// The includes of a line outside comments and code spans: their ranges and paths.
pub fn includes_outside(line: &str, comment: &mut bool) -> Vec<(Range<usize>, String)> {
    let hidden = hidden_ranges(line, comment);
    let mut out = Vec::new();
    if !has_include(line) {
        return out;
    }
    let mut from = 0;
    while let Some((range, path)) = line.get(from..).and_then(find_include_with_path) {
        let (start, end) = (from + range.start, from + range.end);
        if !hidden.iter().any(|h| h.contains(&start)) {
            out.push((start..end, path));
        }
        from = end;
    }
    out
}

/// The byte range of the first `[!INCLUDE …]` in `s`, and the path it names.
pub fn find_include(s: &str) -> Option<Range<usize>> {
    find_include_with_path(s).map(|(r, _)| r)
}

/// The byte range of the first `[!INCLUDE [title](path)]` in `s` and its path.
pub fn find_include_with_path(s: &str) -> Option<(Range<usize>, String)> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower.get(from..).and_then(|x| x.find("[!include")) {
        let start = from + p;
        let rest = s.get(start + "[!include".len()..).unwrap_or("");
        let after = rest.trim_start();
        if let Some(after_open) = after.strip_prefix('[') {
            // `[title]`
            if let Some(close) = after_open.find(']') {
                let tail = after_open[close + 1..].trim_start();
                if let Some(tail) = tail.strip_prefix('(') {
                    if let Some(paren) = tail.find(')') {
                        let path = tail[..paren].trim().to_string();
                        let tail2 = tail[paren + 1..].trim_start();
                        if tail2.starts_with(']') {
                            let end = s.len() - tail2.len() + 1;
                            return Some((start..end, path));
                        }
                    }
                }
            }
        }
        from = start + 1;
    }
    None
}

/// `!!! type "Title"`, `??? type`, `???+ type`: the type and the title.
fn mkdocs_admonition(t: &str) -> Option<(String, Option<String>)> {
    let rest = t
        .strip_prefix("!!!")
        .or_else(|| t.strip_prefix("???+"))
        .or_else(|| t.strip_prefix("???"))?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim();
    let kind: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if kind.is_empty() {
        return None;
    }
    let after = rest[kind.len()..].trim();
    // Extra classes (`!!! note inline end "Title"`) are skipped.
    let title = match after.find('"') {
        Some(q) => {
            let inner = &after[q + 1..];
            Some(inner.rfind('"').map_or(inner, |e| &inner[..e]).to_string())
        }
        None if after.is_empty() => None,
        None => {
            if after
                .split_whitespace()
                .all(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            {
                None
            } else {
                return None;
            }
        }
    };
    Some((kind.to_ascii_lowercase(), title))
}

/// `=== "Title"`: the title.
fn mkdocs_tab(t: &str) -> Option<String> {
    let rest = t
        .strip_prefix("===!")
        .or_else(|| t.strip_prefix("===+"))
        .or_else(|| t.strip_prefix("==="))?;
    let rest = rest.trim();
    let inner = rest.strip_prefix('"')?.strip_suffix('"')?;
    Some(inner.to_string())
}

/// The callout kind nearest an admonition type (MkDocs Material's and Docusaurus' types).
pub fn admonition_kind(kind: &str) -> CalloutKind {
    match kind {
        "note" | "abstract" | "summary" | "tldr" | "info" | "todo" | "question" | "help"
        | "faq" | "secondary" | "seealso" => CalloutKind::Note,
        "tip" | "hint" | "success" | "check" | "done" => CalloutKind::Tip,
        "important" => CalloutKind::Important,
        "warning" | "attention" => CalloutKind::Warning,
        "caution" | "failure" | "fail" | "missing" | "danger" | "error" | "bug" => {
            CalloutKind::Caution
        }
        _ => CalloutKind::Other,
    }
}

/// The label of an admonition: its title without icon shortcodes, else its type.
fn admonition_label(kind: &str, title: Option<&str>) -> String {
    let title = title.map(strip_shortcodes).unwrap_or_default();
    if !title.is_empty() {
        return title;
    }
    let mut c = kind.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// MkDocs icon and emoji shortcodes (`:fontawesome-brands-github:`, `:material-check:`,
/// `:clipboard:`) removed, blanks collapsed. A shortcode is `:`, a lowercase letter, then
/// lowercase letters, digits, `-`, `_` or `+`, then `:`, with a blank or the text's edge
/// on both sides (so `SE:01:` and `10:30` are text).
pub fn strip_shortcodes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find(':') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        let starts_word = out.is_empty() || out.ends_with(char::is_whitespace);
        let code_len = after.find(':').filter(|&e| {
            let ends_word = after[e + 1..]
                .chars()
                .next()
                .is_none_or(char::is_whitespace);
            starts_word
                && ends_word
                && after[..e].starts_with(|c: char| c.is_ascii_lowercase())
                && after[..e].chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '+')
                })
        });
        match code_len {
            Some(e) => rest = &after[e + 1..],
            None => {
                out.push(':');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Leading columns of a line (a tab counts to the next multiple of four).
fn indent_of(s: &str) -> usize {
    let mut col = 0;
    for c in s.chars() {
        match c {
            ' ' => col += 1,
            '\t' => col = (col / 4 + 1) * 4,
            _ => break,
        }
    }
    col
}

/// The line with its leading tabs expanded to spaces.
fn expand(s: &str) -> String {
    let n = s.len() - s.trim_start_matches([' ', '\t']).len();
    let lead = &s[..n];
    if !lead.contains('\t') {
        return s.to_string();
    }
    " ".repeat(indent_of(lead)) + &s[n..]
}

#[derive(Clone, Copy, PartialEq)]
enum Container {
    /// An admonition whose opener stood at this column.
    Admonition(usize),
    /// A content tab whose opener stood at this column (index into the tab marks).
    Tab(usize, usize),
}

impl Container {
    fn column(self) -> usize {
        match self {
            Container::Admonition(c) | Container::Tab(c, _) => c,
        }
    }
}

/// Rewrites a line inside `stack` (outermost first): each admonition's four columns
/// become `>   `, each tab's four columns go.
fn contain(line: &str, stack: &[Container]) -> String {
    let mut s = expand(line);
    for c in stack.iter().rev() {
        let col = c.column();
        if s.len() < col {
            s.push_str(&" ".repeat(col - s.len()));
        }
        let end = (col + 4).min(s.len());
        // Only the indentation is rewritten; content that starts earlier stays.
        if !s.is_char_boundary(col) || !s.is_char_boundary(end) || !s[col..end].trim().is_empty() {
            continue;
        }
        match c {
            Container::Admonition(_) => s.replace_range(col..end, ">   "),
            Container::Tab(..) => s.replace_range(col..end, ""),
        }
    }
    s
}

/// MkDocs Material: admonitions and content tabs, nested in each other and in list items.
fn mkdocs_pass(lines: &mut [Line], marks: &mut LineMarks) {
    let mut stack: Vec<Container> = Vec::new();
    let mut fence = Fence::default();
    let n = lines.len();
    // The indentation of the next non-blank line after each line.
    let mut next_indent = vec![None; n + 1];
    for i in (0..n).rev() {
        let here = lines
            .get(i)
            .filter(|l| !l.text.trim().is_empty())
            .map(|l| indent_of(&l.text));
        next_indent[i] = here.or(next_indent[i + 1]);
    }
    let close_tab = |c: Container, at: usize, marks: &mut LineMarks| {
        if let Container::Tab(_, t) = c {
            if let Some(tab) = marks.tabs.get_mut(t) {
                tab.0.end = at;
            }
        }
    };
    for i in 0..n {
        let Some(line) = lines.get_mut(i) else { break };
        if line.text.trim().is_empty() {
            let next = next_indent.get(i + 1).copied().flatten();
            while let Some(&c) = stack.last() {
                if next.is_some_and(|ni| ni >= c.column() + 4) {
                    break;
                }
                stack.pop();
                close_tab(c, i, marks);
            }
            let deepest = stack.iter().map(|c| c.column() + 4).max().unwrap_or(0);
            let prefix = contain(&" ".repeat(deepest), &stack);
            line.text = prefix.trim_end().to_string();
            continue;
        }
        let indent = indent_of(&line.text);
        while let Some(&c) = stack.last() {
            if indent >= c.column() + 4 {
                break;
            }
            stack.pop();
            close_tab(c, i, marks);
        }
        let mut text = contain(&line.text, &stack);
        let content_start = text.len() - text.trim_start().len();
        let in_fence = fence.line(&text[content_start..]);
        let t = text.trim_start().to_string();
        if !in_fence {
            let deep = stack.len() >= MAX_ADMONITION_DEPTH;
            if let Some((kind, title)) = mkdocs_admonition(&t).filter(|_| !deep) {
                let label = admonition_label(&kind, title.as_deref());
                marks.callouts.push((i, admonition_kind(&kind), label));
                let pad = text.len().saturating_sub(content_start + 1);
                text.replace_range(content_start.., &format!(">{}", " ".repeat(pad)));
                stack.push(Container::Admonition(indent));
            } else if let Some(title) = mkdocs_tab(&t).filter(|_| !deep) {
                marks.tabs.push((i + 1..n, strip_shortcodes(&title)));
                let len = text.len() - content_start;
                text.replace_range(content_start.., &" ".repeat(len));
                stack.push(Container::Tab(indent, marks.tabs.len() - 1));
            }
        }
        line.text = text;
    }
    while let Some(c) = stack.pop() {
        close_tab(c, n, marks);
    }
}

/// Docusaurus admonition opener `:::type Title` / `:::type[Title]`: colons, type, title.
fn docusaurus_open(t: &str) -> Option<(usize, String, Option<String>)> {
    let colons = t.chars().take_while(|&c| c == ':').count();
    if colons < 3 {
        return None;
    }
    let rest = &t[colons..];
    let kind: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    const TYPES: [&str; 9] = [
        "note",
        "tip",
        "info",
        "caution",
        "danger",
        "warning",
        "important",
        "success",
        "secondary",
    ];
    if !TYPES.contains(&kind.as_str()) {
        return None;
    }
    let after = rest[kind.len()..].trim();
    let title = after
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(after)
        .trim();
    Some((colons, kind, (!title.is_empty()).then(|| title.to_string())))
}

/// Is this line (trimmed) only a JSX tag (`<Tabs groupId="x">`, `</TabItem>`, `<Foo />`)?
fn is_jsx_line(t: &str) -> bool {
    let inner = t.strip_prefix("</").or_else(|| t.strip_prefix('<'));
    inner.is_some_and(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))
        && t.ends_with('>')
        && t.matches('<').count() == 1
}

/// Admonitions nested deeper than this are read as text (each level costs a prefix on
/// every line inside it).
const MAX_ADMONITION_DEPTH: usize = 32;

/// Docusaurus: admonitions, tabs, JSX tag lines, import and export statements.
fn docusaurus_pass(lines: &mut [Line], marks: &mut LineMarks) {
    let mut fence = Fence::default();
    // Open admonitions: the colons of each.
    let mut open: Vec<usize> = Vec::new();
    let mut tabs: Vec<usize> = Vec::new();
    // An import or export statement that continues on the next line (braces open).
    let mut statement = 0i64;
    let n = lines.len();
    for i in 0..n {
        let Some(line) = lines.get_mut(i) else { break };
        let prefix = "> ".repeat(open.len());
        let in_fence = fence.line(&line.text);
        let t = line.text.trim().to_string();
        if !in_fence {
            if statement > 0 {
                statement += brace_balance(&t);
                blank(line);
                continue;
            }
            if open.is_empty()
                && tabs.is_empty()
                && (line.text.starts_with("import ") || line.text.starts_with("export "))
            {
                statement = brace_balance(&t).max(0);
                blank(line);
                continue;
            }
            if let Some((colons, kind, title)) =
                docusaurus_open(&t).filter(|_| open.len() < MAX_ADMONITION_DEPTH)
            {
                let label = admonition_label(&kind, title.as_deref());
                marks.callouts.push((i, admonition_kind(&kind), label));
                line.text = format!("{prefix}>");
                open.push(colons);
                continue;
            }
            if !open.is_empty() && t.chars().all(|c| c == ':') && t.len() >= 3 {
                open.pop();
                line.text = "> ".repeat(open.len()).trim_end().to_string();
                continue;
            }
            if t.starts_with("<TabItem") {
                let title = attr(&t, "label")
                    .or_else(|| attr(&t, "value"))
                    .unwrap_or("")
                    .to_string();
                marks.tabs.push((i + 1..n, title));
                tabs.push(marks.tabs.len() - 1);
                line.text = prefix.trim_end().to_string();
                continue;
            }
            if t.starts_with("</TabItem") {
                if let Some(tab) = tabs.pop().and_then(|k| marks.tabs.get_mut(k)) {
                    tab.0.end = i;
                }
                line.text = prefix.trim_end().to_string();
                continue;
            }
            if is_jsx_line(&t) {
                line.text = prefix.trim_end().to_string();
                continue;
            }
        }
        if !open.is_empty() {
            line.text = if t.is_empty() {
                prefix.trim_end().to_string()
            } else {
                format!("{prefix}{}", line.text)
            };
        }
    }
}

fn brace_balance(s: &str) -> i64 {
    s.chars().fold(0, |n, c| match c {
        '{' | '(' | '[' => n + 1,
        '}' | ')' | ']' => n - 1,
        _ => n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, path: &str) -> (String, Marks) {
        let (out, marks) = apply(text, 0, path);
        (out.unwrap_or_else(|| text.to_string()), marks)
    }

    #[test]
    fn monikers_are_blanked_and_marked() {
        let src = "a\n::: moniker range=\"azure\"\n- [ ] One\n::: moniker-end\n\n::: moniker range=\"stack\"\n- [ ] One\n::: moniker-end\n";
        let (out, marks) = run(src, "p.md");
        assert_eq!(out.lines().count(), src.lines().count());
        assert_eq!(out.lines().nth(1).unwrap().trim(), "");
        let names: Vec<_> = marks.variants.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["azure", "stack"]);
        assert_eq!(marks.variants[0].group, marks.variants[1].group);
        let one = out.find("- [ ] One").unwrap();
        assert_eq!(marks.variants_at(one), ["azure"]);
    }

    #[test]
    fn includes_in_comments_and_code_stay() {
        let src = "<!--\n[!INCLUDE [a](a.md)]\n-->\n`[!INCLUDE [b](b.md)]` and [!INCLUDE [c](c.md)]\n<!-- [!INCLUDE [d](d.md)] --> [!INCLUDE [e](e.md)]\n";
        let mut comment = false;
        let found: Vec<String> = src
            .lines()
            .flat_map(|l| includes_outside(l, &mut comment))
            .map(|(_, p)| p)
            .collect();
        assert_eq!(found, ["c.md", "e.md"]);
    }

    #[test]
    fn includes_are_blanked() {
        let src = "[!INCLUDE [steps](./includes/steps.md)]\ntext [!include[x]( a.md )] more\n";
        let (out, _) = run(src, "p.md");
        assert_eq!(out.len(), src.len());
        assert!(!out.contains("INCLUDE") && !out.contains("include"));
        assert!(out.contains("text") && out.contains("more"));
    }

    #[test]
    fn mkdocs_admonition_becomes_a_quote() {
        let src = "# T\n\n!!! abstract \"Checklist\"\n\n    - [x] One\n    - [ ] Two\n\nAfter\n";
        let (out, marks) = run(src, "p.md");
        assert_eq!(
            out,
            "# T\n\n>                       \n>\n>   - [x] One\n>   - [ ] Two\n\nAfter\n"
        );
        assert_eq!(marks.callouts.len(), 1);
        assert_eq!(marks.callouts[0].label, "Checklist");
        assert_eq!(marks.callouts[0].kind, CalloutKind::Note);
    }

    #[test]
    fn mkdocs_tabs_are_dedented() {
        let src = "=== \"Linux\"\n\n    ```sh\n    curl x\n    ```\n\n=== \"Windows\"\n\n    Run it.\n\nAfter\n";
        let (out, marks) = run(src, "p.md");
        assert!(out.contains("\n```sh\ncurl x\n```\n"), "{out}");
        assert!(out.contains("\nRun it.\n"));
        let titles: Vec<_> = marks.tabs.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(titles, ["Linux", "Windows"]);
        let after = out.find("After").unwrap();
        assert!(marks.tab_at(after).is_none());
        assert!(marks.tab_at(out.find("Run it").unwrap()).is_some());
    }

    #[test]
    fn docusaurus_admonitions_tabs_and_imports() {
        let src = "import Tabs from '@theme/Tabs';\n\n:::note Heads up\n\nText.\n\n:::\n\n<Tabs>\n<TabItem value=\"a\" label=\"A\">\n\n- [ ] Task\n\n</TabItem>\n</Tabs>\n";
        let (out, marks) = run(src, "p.mdx");
        assert!(!out.contains("import"));
        assert!(out.contains("> Text."));
        assert_eq!(marks.callouts[0].label, "Heads up");
        assert_eq!(marks.tabs[0].title, "A");
        assert!(marks.tab_at(out.find("- [ ] Task").unwrap()).is_some());
        assert_eq!(out.lines().count(), src.lines().count());
    }

    #[test]
    fn fenced_code_is_left_alone() {
        let src = "```\n!!! note\n::: moniker range=\"x\"\nimport a from 'b';\n```\n";
        let (out, marks) = run(src, "p.mdx");
        assert_eq!(out, src);
        assert!(marks.callouts.is_empty() && marks.variants.is_empty());
    }

    #[test]
    fn shortcodes() {
        assert_eq!(
            strip_shortcodes(":clipboard: Prerequisites"),
            "Prerequisites"
        );
        assert_eq!(strip_shortcodes("Time: 10:30"), "Time: 10:30");
        assert_eq!(strip_shortcodes("SE:01: Baseline"), "SE:01: Baseline");
        assert_eq!(strip_shortcodes("a :x:y b"), "a :x:y b");
        assert_eq!(strip_shortcodes(":fontawesome-brands-jira: Jira"), "Jira");
    }
}
