//! Diagnostics: data collected along the pipeline, rendered once at the end.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;
use std::ops::Range;

use crate::parse::lines::LineIndex;

/// Lines longer than this (in bytes) are not shown in snippets.
pub const MAX_SNIPPET_LINE: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information that needs no action, such as an item that kept its id through a rename.
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// How diagnostics are printed (`--message-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageFormat {
    /// rustc-style text with a snippet, on standard error.
    #[default]
    Human,
    /// One JSON object a line, on standard output.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`), on
    /// standard output, so that problems show up as annotations of the pull request.
    Github,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable short name, such as `missing-anchor`.
    pub code: &'static str,
    /// Relative to INPUT (or the path as given, for files outside it).
    pub path: String,
    /// 1-based; 0 when the problem has no position (a whole-file problem).
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The source line, for the snippet.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// Byte range within `source_line` to underline.
    #[serde(skip)]
    pub span: Option<Range<usize>>,
    #[serde(skip)]
    pub label: Option<String>,
}

impl Diagnostic {
    pub fn new(
        severity: Severity,
        code: &'static str,
        path: &str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            path: path.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            source_line: None,
            span: None,
            label: None,
        }
    }

    pub fn error(code: &'static str, path: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, path, message)
    }

    pub fn warning(code: &'static str, path: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, path, message)
    }

    /// Points the diagnostic at `range` of `text` (a whole file), keeping the first line of
    /// the range as the snippet.
    pub fn at(mut self, text: &str, lines: &LineIndex, range: Range<usize>) -> Self {
        let (line, column) = lines.position(text, range.start);
        self.line = line;
        self.column = column;
        let lr = lines.line_range(text, line);
        // A very long line (a minified blob, a multi-megabyte paragraph) gets no snippet:
        // `path:line:col` says where, and no diagnostic copies megabytes.
        if lr.len() > MAX_SNIPPET_LINE {
            return self;
        }
        if let Some(src) = text.get(lr.clone()) {
            let start = range.start.saturating_sub(lr.start).min(src.len());
            let end = range.end.saturating_sub(lr.start).clamp(start, src.len());
            let end = if end == start {
                src.len().max(start)
            } else {
                end
            };
            self.source_line = Some(src.to_string());
            self.span = Some(start..end);
        }
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// rustc-style text: `error[code]: message`, ` --> path:line:col`, the snippet, help.
    pub fn render(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let message = visible(&self.message);
        let title = level.primary_title(message.as_ref()).id(self.code);
        let label = self.label.as_deref().map(visible);
        let help = self.help.as_deref().map(visible);
        let path = visible(&self.path);
        let mut groups: Vec<Group> = Vec::new();
        let snippet = match (&self.source_line, &self.span) {
            (Some(src), Some(span)) => Some(visible_snippet(src, span.clone())),
            _ => None,
        };
        match &snippet {
            Some((src, span)) if self.line > 0 => {
                let mut ann = AnnotationKind::Primary.span(span.clone());
                if let Some(label) = &label {
                    ann = ann.label(label.as_ref());
                }
                groups.push(
                    title.element(
                        Snippet::source(src.as_str())
                            .line_start(self.line)
                            .path(path.as_ref())
                            .annotation(ann),
                    ),
                );
            }
            _ => {
                let mut origin = annotate_snippets::Origin::path(path.as_ref());
                if self.line > 0 {
                    origin = origin.line(self.line).char_column(self.column);
                }
                groups.push(Group::with_title(title).element(origin));
            }
        }
        if let Some(help) = &help {
            groups.push(Group::with_title(
                Level::HELP.secondary_title(help.as_ref()),
            ));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&groups)
    }

    /// One line: `path:line:col: severity[code]: message`.
    pub fn short(&self) -> String {
        let sev = self.severity.as_str();
        let (path, message) = (visible(&self.path), visible(&self.message));
        if self.line > 0 {
            format!(
                "{path}:{}:{}: {sev}[{}]: {message}",
                self.line, self.column, self.code
            )
        } else {
            format!("{path}: {sev}[{}]: {message}", self.code)
        }
    }
}

impl Diagnostic {
    /// One line of JSON: severity, code, path, line, column, message, help.
    pub fn json(&self) -> String {
        visible_json(serde_json::to_string(self).unwrap_or_default())
    }

    /// A GitHub Actions workflow command: `::error file=…,line=…,col=…,title=…::message`
    /// (`::warning` and `::notice` for the other severities). Line and column are left out
    /// when the problem has no position; the help follows the message on its own line.
    pub fn github(&self) -> String {
        let command = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = vec![format!("file={}", github_property(&visible(&self.path)))];
        if self.line > 0 {
            props.push(format!("line={}", self.line));
            if self.column > 0 {
                props.push(format!("col={}", self.column));
            }
        }
        props.push(format!("title={}", github_property(self.code)));
        let mut message = visible(&self.message).into_owned();
        if let Some(help) = &self.help {
            message.push_str("\nhelp: ");
            message.push_str(&visible(help));
        }
        format!("::{command} {}::{}", props.join(","), github_data(&message))
    }

    /// The diagnostic in `format` (the human form without color).
    pub fn format(&self, format: MessageFormat, color: bool) -> String {
        match format {
            MessageFormat::Human => self.render(color),
            MessageFormat::Json => self.json(),
            MessageFormat::Github => self.github(),
        }
    }
}

/// Text from the docs made safe for a terminal or a CI log: control characters (C0, DEL,
/// C1: ESC, BEL, NUL, CSI U+009B, …), the line and paragraph separators (U+2028, U+2029)
/// and the bidirectional marks, embeddings, overrides and isolates (U+200E, U+200F,
/// U+061C, U+202A to U+202E, U+2066 to U+2069, which reorder what a line shows) are shown
/// escaped (`\u{1b}`), never sent as they are.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    escape_hidden(s, |_| false, rust_escape)
}

/// [`visible`] for a text of many lines (a report on standard output): line breaks and
/// tabs are kept, everything else `visible` escapes is escaped.
pub fn visible_lines(s: &str) -> std::borrow::Cow<'_, str> {
    escape_hidden(s, |c| c == '\n' || c == '\t', rust_escape)
}

/// JSON that serde_json wrote, made safe for a terminal: serde_json escapes only the C0
/// controls, and the others [`visible`] escapes are written as `\uXXXX` too (they can only
/// stand inside strings, where the escape is the same character). Line breaks, which
/// serde_json writes raw only between values (pretty output), are kept.
pub fn visible_json(json: String) -> String {
    match escape_hidden(&json, |c| c == '\n', |c| format!("\\u{:04x}", u32::from(c))) {
        std::borrow::Cow::Borrowed(_) => json,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

/// Whether [`visible`] escapes `c`.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
        )
}

/// `\u{1b}`: how [`visible`] writes a character it escapes.
fn rust_escape(c: char) -> String {
    format!("\\u{{{:x}}}", u32::from(c))
}

/// `s` with each character [`visible`] escapes, but those `keep` keeps, written as `escape`
/// writes it; borrowed when there is none.
fn escape_hidden(
    s: &str,
    keep: impl Fn(char) -> bool,
    escape: impl Fn(char) -> String,
) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| hidden(c) && !keep(c);
    if !s.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            out.push_str(&escape(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A source line made safe for a snippet, with `span` (byte offsets into `src`) moved to
/// match. The snippet renderer already shows C0 controls, DEL and the bidirectional
/// overrides as visible pictures (as rustc does); here each C1 control (U+0080 to U+009F:
/// CSI U+009B starts a terminal escape sequence) becomes U+FFFD `�` and each line or
/// paragraph separator (U+2028, U+2029: a new line in some terminals and logs) becomes
/// `␤` (U+2424), and each bidirectional mark (U+200E, U+200F, U+061C) `�` too. One
/// character for one, so the column the renderer shows is the file's.
fn visible_snippet(src: &str, span: Range<usize>) -> (String, Range<usize>) {
    let hidden = |c: char| {
        matches!(
            c,
            '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        )
    };
    if !src.chars().any(hidden) {
        return (src.to_string(), span);
    }
    let mut out = String::with_capacity(src.len() + 16);
    let (mut start, mut end) = (span.start, span.end);
    for (i, c) in src.char_indices() {
        if i == span.start {
            start = out.len();
        }
        if i == span.end {
            end = out.len();
        }
        if hidden(c) {
            out.push(match c {
                '\u{2028}' | '\u{2029}' => '\u{2424}',
                _ => '\u{fffd}',
            });
        } else {
            out.push(c);
        }
    }
    if span.start >= src.len() {
        start = out.len();
    }
    if span.end >= src.len() {
        end = out.len();
    }
    (out, start..end.max(start))
}

/// Escapes a workflow command's message as the runner expects.
fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (`:` and `,` too).
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Counts by severity.
pub fn count(diags: &[Diagnostic], severity: Severity) -> usize {
    diags.iter().filter(|d| d.severity == severity).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let mut d = Diagnostic::error(
            "missing-anchor",
            "a\u{7}.md",
            "links to `#\u{1b}[31mx`\u{0}",
        )
        .help("did you mean `#\u{9b}y`?")
        .label("here\u{7f}");
        d.line = 2;
        d.column = 1;
        d.source_line = Some("text".into());
        d.span = Some(0..1);
        for out in [d.render(false), d.short(), d.github()] {
            assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
            assert!(out.contains("links to `#\\u{1b}[31mx`\\u{0}"), "{out}");
        }
        assert!(d.render(false).contains("did you mean `#\\u{9b}y`?"));
        assert_eq!(
            visible("a\u{2028}b\u{202e}c\u{2069}"),
            "a\\u{2028}b\\u{202e}c\\u{2069}"
        );
        assert!(d.render(false).contains("here\\u{7f}"));
    }

    #[test]
    fn snippets_escape_c1_controls_and_line_separators() {
        let src = "- [ ] a\u{9b}31m b\u{2028}c [x](#gone) \u{85}\u{200f}";
        let at = src.find("[x]").expect("link");
        let mut d = Diagnostic::error("missing-anchor", "a.md", "links to `#gone`");
        d.line = 3;
        d.column = 17;
        d.source_line = Some(src.into());
        d.span = Some(at..at + "[x](#gone)".len());
        assert_eq!(
            d.render(false),
            "error[missing-anchor]: links to `#gone`
 --> a.md:3:17
  |
3 | - [ ] a\u{fffd}31m b\u{2424}c [x](#gone) \u{fffd}\u{fffd}
  |                 ^^^^^^^^^^"
        );
        assert_eq!(
            visible_snippet("\u{2029}", 0..3),
            ("\u{2424}".to_string(), 0..3)
        );
        assert_eq!(visible_snippet("ab", 1..1), ("ab".to_string(), 1..1));
    }

    #[test]
    fn github_workflow_commands() {
        let mut d = Diagnostic::error("missing-anchor", "docs/a,b.md", "links to `#x`: 100%")
            .help("did you mean `#y`?");
        d.line = 10;
        d.column = 28;
        assert_eq!(
            d.github(),
            "::error file=docs/a%2Cb.md,line=10,col=28,title=missing-anchor::links to `#x`: 100%25%0Ahelp: did you mean `#y`?"
        );
        let w = Diagnostic::warning("mojibake", "a.md", "x");
        assert_eq!(w.github(), "::warning file=a.md,title=mojibake::x");
        let n = Diagnostic::new(Severity::Note, "renamed-item", "a.md", "y");
        assert_eq!(n.github(), "::notice file=a.md,title=renamed-item::y");
    }

    #[test]
    fn json_escapes_what_visible_escapes() {
        let d = Diagnostic::warning("x", "a\u{9b}.md", "t\u{2028}i\u{202e}t\u{200f}le\u{85}");
        let json = d.json();
        assert_eq!(
            json,
            r#"{"severity":"warning","code":"x","path":"a\u009b.md","line":0,"column":0,"message":"t\u2028i\u202et\u200fle\u0085","help":null}"#
        );
        let back: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(back["message"], "t\u{2028}i\u{202e}t\u{200f}le\u{85}");
        assert_eq!(visible_lines("a\n\tb\u{1b}[2J"), "a\n\tb\\u{1b}[2J");
        // Pretty JSON keeps its line breaks, which stand between values.
        assert_eq!(
            visible_json("{\n  \"a\": \"\u{9b}\u{200f}\"\n}".to_string()),
            "{\n  \"a\": \"\\u009b\\u200f\"\n}"
        );
    }

    #[test]
    fn json_is_one_line() {
        let mut d = Diagnostic::warning("unlisted-heading", "a.md", "two\nlines");
        d.line = 3;
        d.column = 1;
        assert_eq!(
            d.json(),
            r#"{"severity":"warning","code":"unlisted-heading","path":"a.md","line":3,"column":1,"message":"two\nlines","help":null}"#
        );
    }
}
