//! Diagnostics: data collected along the pipeline, rendered once at the end.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;
use std::ops::Range;

use crate::parse::lines::LineIndex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
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
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
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

/// Counts by severity.
pub fn count(diags: &[Diagnostic], severity: Severity) -> usize {
    diags.iter().filter(|d| d.severity == severity).count()
}
