//! Load: walk INPUT, read each Markdown file, split and parse its front matter.
//!
//! Front matter is split here, by our own code, at offset 0 only: pulldown-cmark's
//! metadata option would also fire on the `---` that closes a tab group.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::model::{FrontMatter, FrontValue};
use crate::parse::lines::LineIndex;

/// One Markdown file, read and split.
#[derive(Debug)]
pub struct SourceFile {
    /// Relative to INPUT, `/` separators.
    pub path: String,
    /// The whole file (a leading BOM removed).
    pub text: String,
    /// Byte offset where the Markdown starts (after the front matter).
    pub body_start: usize,
    pub front_matter: FrontMatter,
    pub lines: LineIndex,
}

/// Markdown files under `input`, sorted by path, as (absolute, relative) pairs.
pub fn walk(
    input: &Path,
    skip: Option<&Path>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(input)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
            let skipped = skip.is_some_and(|s| e.path() == s);
            !hidden && !skipped
        });
    for entry in walker {
        match entry {
            Ok(e) => {
                let is_md = e
                    .path()
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("md"));
                if e.file_type().is_file() && is_md {
                    let rel = relative(input, e.path());
                    files.push((e.path().to_path_buf(), rel));
                }
            }
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| relative(input, p))
                    .unwrap_or_else(|| input.display().to_string());
                diags.push(
                    Diagnostic::error("io", &path, format!("cannot read: {err}"))
                        .help("check the file's permissions, or remove it from INPUT"),
                );
            }
        }
    }
    files
}

/// `path` relative to `base`, with `/` separators.
pub fn relative(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads and splits one file. `None` when the file cannot be used at all (the reason is
/// in `diags`).
pub fn read(
    abs: &Path,
    rel: &str,
    max_size: u64,
    diags: &mut Vec<Diagnostic>,
) -> Option<SourceFile> {
    match std::fs::metadata(abs) {
        Ok(meta) if meta.len() > max_size => {
            diags.push(
                Diagnostic::error(
                    "file-too-large",
                    rel,
                    format!(
                        "file is {} bytes, over the limit of {} bytes",
                        meta.len(),
                        max_size
                    ),
                )
                .help("split the page, or raise the limit with --max-file-size"),
            );
            return None;
        }
        Ok(_) => {}
        Err(err) => {
            diags.push(Diagnostic::error("io", rel, format!("cannot read: {err}")));
            return None;
        }
    }
    let bytes = match std::fs::read(abs) {
        Ok(b) => b,
        Err(err) => {
            diags.push(
                Diagnostic::error("io", rel, format!("cannot read: {err}"))
                    .help("check the file's permissions, or remove it from INPUT"),
            );
            return None;
        }
    };
    from_bytes(rel, bytes, diags)
}

/// Splits already-read bytes (the part of `read` that needs no file system).
pub fn from_bytes(rel: &str, bytes: Vec<u8>, diags: &mut Vec<Diagnostic>) -> Option<SourceFile> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.as_bytes();
            let prefix = String::from_utf8_lossy(bytes.get(..valid).unwrap_or(&[]));
            let line = prefix.matches('\n').count() + 1;
            let column = prefix
                .rsplit('\n')
                .next()
                .map(|l| l.chars().count())
                .unwrap_or(0)
                + 1;
            let mut d = Diagnostic::error(
                "not-utf8",
                rel,
                format!("file is not valid UTF-8 (invalid byte at offset {valid})"),
            )
            .help("save the file as UTF-8");
            d.line = line;
            d.column = column;
            diags.push(d);
            return None;
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    let lines = LineIndex::new(&text);
    let (front_matter, body_start) = split_front_matter(rel, &text, &lines, diags);
    Some(SourceFile {
        path: rel.to_string(),
        text,
        body_start,
        front_matter,
        lines,
    })
}

/// Is this line (without its ending) a front matter delimiter: `---` and trailing blanks?
fn is_delimiter(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.chars().all(|c| c == ' ' || c == '\t' || c == '\r'))
}

/// Finds front matter at offset 0 and parses it. Returns it and where the Markdown starts.
fn split_front_matter(
    rel: &str,
    text: &str,
    lines: &LineIndex,
    diags: &mut Vec<Diagnostic>,
) -> (FrontMatter, usize) {
    let first = lines.line_range(text, 1);
    if !text.get(first.clone()).is_some_and(is_delimiter) {
        return (FrontMatter::default(), 0);
    }
    let starts = lines.starts();
    let yaml_start = starts.get(1).copied().unwrap_or(text.len());
    let mut close = None;
    for line in 2..=starts.len() {
        let r = lines.line_range(text, line);
        if text.get(r.clone()).is_some_and(is_delimiter) {
            close = Some((line, r));
            break;
        }
    }
    let Some((close_line, close_range)) = close else {
        diags.push(
            Diagnostic::error("front-matter", rel, "front matter is never closed")
                .at(text, lines, first)
                .label("opened here")
                .help("add a line `---` after the last front matter key; the file is read as Markdown without front matter"),
        );
        return (FrontMatter::default(), 0);
    };
    let body_start = starts.get(close_line).copied().unwrap_or(text.len());
    let yaml = text.get(yaml_start..close_range.start).unwrap_or("");
    match parse_yaml(yaml) {
        Ok(fm) => (fm, body_start),
        Err((msg, offset)) => {
            let at = offset.map(|o| yaml_start + o).unwrap_or(yaml_start);
            diags.push(
                Diagnostic::error("front-matter", rel, format!("front matter does not parse: {msg}"))
                    .at(text, lines, at..at)
                    .help("front matter is flat YAML: `key: value` lines, or lists of strings; quote values that contain `: ` or start with a special character"),
            );
            (FrontMatter::default(), body_start)
        }
    }
}

/// Parses flat YAML into front matter, keeping scalars as written.
fn parse_yaml(yaml: &str) -> Result<FrontMatter, (String, Option<usize>)> {
    if yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    let value: serde_yaml::Value = serde_yaml::from_str(yaml).map_err(|e| {
        let offset = e.location().map(|l| l.index());
        let msg = e.to_string();
        // The location is reported separately; keep the message itself short.
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        (msg, offset)
    })?;
    match value {
        serde_yaml::Value::Null => Ok(FrontMatter::default()),
        serde_yaml::Value::Mapping(map) => {
            let mut out = Vec::with_capacity(map.len());
            for (k, v) in map {
                out.push((scalar_text(&k).unwrap_or_default(), front_value(v)));
            }
            Ok(FrontMatter(out))
        }
        _ => Err((
            "front matter must be a map of `key: value` lines".to_string(),
            None,
        )),
    }
}

fn scalar_text(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        serde_yaml::Value::Null => Some(String::new()),
        serde_yaml::Value::Tagged(t) => scalar_text(&t.value),
        _ => None,
    }
}

fn front_value(v: serde_yaml::Value) -> FrontValue {
    match v {
        serde_yaml::Value::Null => FrontValue::Null,
        serde_yaml::Value::Sequence(seq) => {
            FrontValue::List(seq.into_iter().map(front_value).collect())
        }
        serde_yaml::Value::Tagged(t) => front_value(t.value),
        serde_yaml::Value::Mapping(_) => FrontValue::Text(
            serde_yaml::to_string(&v)
                .unwrap_or_default()
                .trim_end()
                .to_string(),
        ),
        other => FrontValue::Text(scalar_text(&other).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> (FrontMatter, usize, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let f = from_bytes("t.md", text.as_bytes().to_vec(), &mut d).unwrap();
        (f.front_matter, f.body_start, d)
    }

    #[test]
    fn front_matter_variants() {
        let (fm, start, d) = split("--- \r\ntitle: A\r\nms.date: 07/14/2025\r\n---\r\n# H\r\n");
        assert!(d.is_empty());
        assert_eq!(fm.get_str("title"), Some("A"));
        assert_eq!(fm.get_str("ms.date"), Some("07/14/2025"));
        assert_eq!(
            start,
            "--- \r\ntitle: A\r\nms.date: 07/14/2025\r\n---\r\n".len()
        );
        let (fm, _, d) = split("\u{feff}---\nms. service: x\nproducts:\n  - a\n  - b\n---\n");
        assert!(d.is_empty());
        assert_eq!(fm.get_str("ms. service"), Some("x"));
        assert_eq!(
            fm.get("products"),
            Some(&FrontValue::List(vec![
                FrontValue::Text("a".into()),
                FrontValue::Text("b".into())
            ]))
        );
        let (fm, start, _) = split("text\n---\nmore\n");
        assert!(fm.0.is_empty());
        assert_eq!(start, 0);
    }
}
