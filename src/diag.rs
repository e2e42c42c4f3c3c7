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
        let title = level.primary_title(self.message.as_str()).id(self.code);
        let mut groups: Vec<Group> = Vec::new();
        match (&self.source_line, &self.span) {
            (Some(src), Some(span)) if self.line > 0 => {
                let mut ann = AnnotationKind::Primary.span(span.clone());
                if let Some(label) = &self.label {
                    ann = ann.label(label.as_str());
                }
                groups.push(
                    title.element(
                        Snippet::source(src.as_str())
                            .line_start(self.line)
                            .path(self.path.as_str())
                            .annotation(ann),
                    ),
                );
            }
            _ => {
                let mut origin = annotate_snippets::Origin::path(self.path.as_str());
                if self.line > 0 {
                    origin = origin.line(self.line).char_column(self.column);
                }
                groups.push(Group::with_title(title).element(origin));
            }
        }
        if let Some(help) = &self.help {
            groups.push(Group::with_title(
                Level::HELP.secondary_title(help.as_str()),
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
        if self.line > 0 {
            format!(
                "{}:{}:{}: {sev}[{}]: {}",
                self.path, self.line, self.column, self.code, self.message
            )
        } else {
            format!("{}: {sev}[{}]: {}", self.path, self.code, self.message)
        }
    }
}

impl Diagnostic {
    /// One line of JSON: severity, code, path, line, column, message, help.
    pub fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
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
        let mut props = vec![format!("file={}", github_property(&self.path))];
        if self.line > 0 {
            props.push(format!("line={}", self.line));
            if self.column > 0 {
                props.push(format!("col={}", self.column));
            }
        }
        props.push(format!("title={}", github_property(self.code)));
        let mut message = self.message.clone();
        if let Some(help) = &self.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
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
