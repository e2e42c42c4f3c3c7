//! Learn includes: `[!INCLUDE [title](path)]` inserts the file at `path` before parsing
//! (FORMS.md, section 3). `path` is relative to the including file; `~/` is INPUT's root.
//!
//! An include alone on its line is replaced by the included file's lines (its front
//! matter left out); an include inside a line by its text on one line. Includes nest to a
//! depth of [`MAX_DEPTH`]. An include that is missing, loops, nests deeper, climbs out of
//! INPUT, is absolute, or is a symbolic link or anything but a regular file is reported
//! (`include`) and never read. [`LineMap`] takes each line of the result back to the file
//! and line it came from, so diagnostics inside included text name the included file.
//!
//! The page with its includes expanded holds at most `max_size` bytes (`--max-file-size`):
//! an include is measured before it is read, and one that would pass the limit is left out,
//! reported once for the page (with the number of later includes left out for the same
//! reason), while those that still fit are expanded. A file included many times is read
//! once per page. So expanding costs in proportion to what the limit lets in, whatever the
//! page holds.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use crate::diag::Diagnostic;

/// How deep includes may nest.
pub const MAX_DEPTH: usize = 8;

/// Where each line of an expanded text came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineMap {
    /// Runs of lines, sorted by `start`.
    runs: Vec<Run>,
}

/// Lines `start..` of the expanded text (1-based) are lines `first..` of `path`.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    start: usize,
    path: String,
    first: usize,
    /// For included lines, the page's line that holds the (outermost) include.
    include_line: Option<usize>,
}

impl LineMap {
    fn run(&self, line: usize) -> Option<&Run> {
        let i = self
            .runs
            .partition_point(|r| r.start <= line)
            .checked_sub(1)?;
        self.runs.get(i)
    }

    /// The file and line that line `line` (1-based) of the expanded text came from.
    pub fn origin(&self, line: usize) -> Option<(&str, usize)> {
        self.run(line)
            .map(|r| (r.path.as_str(), r.first + (line - r.start)))
    }

    /// The page's own line for line `line` of the expanded text: the line itself when it
    /// is the page's, else the line of the include that brought it in.
    pub fn page_line(&self, line: usize) -> usize {
        match self.run(line) {
            Some(r) => r.include_line.unwrap_or(r.first + (line - r.start)),
            None => line,
        }
    }
}

/// Expands the includes of `text` (the page at `rel`, whose Markdown starts at
/// `body_start`), reading files under `root`. Returns the new text and its line map, or
/// `None` when the page includes nothing.
pub fn expand(
    text: &str,
    body_start: usize,
    rel: &str,
    root: &Path,
    max_size: u64,
    diags: &mut Vec<Diagnostic>,
) -> Option<(String, LineMap)> {
    if !super::has_include(text.get(body_start..).unwrap_or("")) {
        return None;
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut map = LineMap::default();
    let head = text.get(..body_start).unwrap_or("");
    out.push_str(head);
    let head_lines = head.matches('\n').count();
    if head_lines > 0 {
        map.runs.push(Run {
            start: 1,
            path: rel.to_string(),
            first: 1,
            include_line: None,
        });
    }
    let mut ctx = Expander {
        root,
        max_size,
        diags,
        line: head_lines + 1,
        stack: vec![rel.to_string()],
        include_line: None,
        total: text.len() as u64,
        read: HashMap::new(),
        over: None,
    };
    ctx.body(
        text.get(body_start..).unwrap_or(""),
        rel,
        head_lines + 1,
        &mut out,
        &mut map,
    );
    if let Some(Over { diag, later }) = ctx.over.filter(|o| o.later > 0) {
        if let Some(d) = ctx.diags.get_mut(diag) {
            let s = if later == 1 { "" } else { "s" };
            d.message
                .push_str(&format!(" (nor {later} later include{s} that would)"));
        }
    }
    Some((out, map))
}

/// The first include that would have made the page too large: its diagnostic (an index
/// into `diags`) and how many later includes were left out for the same reason.
struct Over {
    diag: usize,
    later: usize,
}

struct Expander<'a> {
    root: &'a Path,
    max_size: u64,
    diags: &'a mut Vec<Diagnostic>,
    /// The next line of the output (1-based).
    line: usize,
    /// Files being expanded, outermost first (relative to INPUT).
    stack: Vec<String>,
    /// While an include of the page is expanded: the page's line that holds it.
    include_line: Option<usize>,
    /// Bytes of the page and of what was included so far: the expanded page stays within
    /// the file size limit.
    total: u64,
    /// What reading each file (by its path relative to INPUT) gave: its text, or why it is
    /// not read. A file is read once however many times it is included.
    read: HashMap<String, Result<Rc<str>, Refusal>>,
    /// Set at the first include that would pass the limit.
    over: Option<Over>,
}

/// Why an included file is not read.
#[derive(Debug, Clone)]
enum Refusal {
    /// More bytes than the room left in the page (but at most `max_size`).
    Room,
    /// Any other reason, as the diagnostic words it.
    Why(String),
}

impl Expander<'_> {
    /// Appends `body` (the text of `path` from its line `first`) with its includes expanded.
    fn body(&mut self, body: &str, path: &str, first: usize, out: &mut String, map: &mut LineMap) {
        let mut fence = super::Fence::default();
        let mut comment = false;
        let mut run_open = false;
        for (n, raw) in body.split_inclusive('\n').enumerate() {
            let src_line = first + n;
            let content = raw.trim_end_matches(['\n', '\r']);
            let ending = &raw[content.len()..];
            let in_fence = fence.line(content);
            let include = (!in_fence)
                .then(|| {
                    super::includes_outside(content, &mut comment)
                        .into_iter()
                        .next()
                })
                .flatten();
            let Some((range, target)) = include else {
                if !run_open {
                    map.runs.push(self.run_at(path, src_line));
                    run_open = true;
                }
                out.push_str(raw);
                self.line += 1;
                continue;
            };
            let alone = content
                .get(..range.start)
                .is_some_and(|s| s.trim().is_empty())
                && content
                    .get(range.end..)
                    .is_some_and(|s| s.trim().is_empty());
            let resolved = self.resolve(path, src_line, content, &range, &target);
            match (resolved, alone) {
                (Some((inc_rel, inc_text)), true) => {
                    // The included file's lines replace this one.
                    let (inc_body, inc_first) = strip_front_matter(&inc_text);
                    self.stack.push(inc_rel.clone());
                    let outer = self.include_line;
                    self.include_line = outer.or(Some(src_line));
                    let mut inc_body = inc_body.to_string();
                    if !inc_body.ends_with('\n') {
                        inc_body.push_str(ending);
                    }
                    self.body(&inc_body, &inc_rel, inc_first, out, map);
                    self.include_line = outer;
                    self.stack.pop();
                    run_open = false;
                }
                (Some((_, inc_text)), false) => {
                    let (inc_body, _) = strip_front_matter(&inc_text);
                    let one_line = inc_body.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !run_open {
                        map.runs.push(self.run_at(path, src_line));
                        run_open = true;
                    }
                    out.push_str(content.get(..range.start).unwrap_or(""));
                    out.push_str(&one_line);
                    out.push_str(content.get(range.end..).unwrap_or(""));
                    out.push_str(ending);
                    self.line += 1;
                }
                (None, _) => {
                    if !run_open {
                        map.runs.push(self.run_at(path, src_line));
                        run_open = true;
                    }
                    // The include is left in the line; the dialect pass blanks it.
                    out.push_str(raw);
                    self.line += 1;
                }
            }
        }
    }

    fn run_at(&self, path: &str, first: usize) -> Run {
        Run {
            start: self.line,
            path: path.to_string(),
            first,
            include_line: self.include_line,
        }
    }

    /// Checks and reads an include; `None` (and a diagnostic) when it must not be read.
    fn resolve(
        &mut self,
        from: &str,
        line: usize,
        content: &str,
        range: &std::ops::Range<usize>,
        target: &str,
    ) -> Option<(String, Rc<str>)> {
        let column = content
            .get(..range.start)
            .map_or(1, |s| s.chars().count() + 1);
        let report = |diags: &mut Vec<Diagnostic>, message: String, help: &str| {
            let mut d = Diagnostic::warning("include", from, message).help(help.to_string());
            d.line = line;
            d.column = column;
            if content.len() <= 4096 {
                d.source_line = Some(content.to_string());
                d.span = Some(range.clone());
                d.label = Some("this include".to_string());
            }
            diags.push(d);
        };
        let shown: String = target
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        if self.stack.len() > MAX_DEPTH {
            report(
                self.diags,
                format!("include `{shown}` nests deeper than {MAX_DEPTH} levels; not read"),
                "include fewer levels deep",
            );
            return None;
        }
        let Some(rel) = join(from, target) else {
            report(
                self.diags,
                format!("include `{shown}` leads out of INPUT (or is absolute); not read"),
                "include files under INPUT only: a path relative to the page, or `~/` for INPUT's root",
            );
            return None;
        };
        if self.stack.contains(&rel) {
            report(
                self.diags,
                format!(
                    "include `{shown}` includes itself (through {}); not read again",
                    self.stack.join(" -> ")
                ),
                "break the cycle: an include must not include a file that includes it",
            );
            return None;
        }
        let room = self.max_size.saturating_sub(self.total);
        let outcome = match self.read.get(&rel) {
            Some(Ok(text)) if text.len() as u64 > room => Err(Refusal::Room),
            // The room only shrinks: a file that did not fit never will.
            Some(known) => known.clone(),
            None => self.read_file(&rel, room),
        };
        match outcome {
            Ok(text) => {
                self.total += text.len() as u64;
                Some((rel, text))
            }
            Err(Refusal::Room) => {
                match &mut self.over {
                    Some(over) => over.later += 1,
                    None => {
                        report(
                            self.diags,
                            format!(
                                "include `{shown}` would make the page larger than {} bytes; not read",
                                self.max_size
                            ),
                            "include less, or raise the limit with --max-file-size",
                        );
                        self.over = Some(Over {
                            diag: self.diags.len() - 1,
                            later: 0,
                        });
                    }
                }
                None
            }
            Err(Refusal::Why(why)) => {
                report(
                    self.diags,
                    format!("include `{shown}` {why}; not read"),
                    "fix the include's path, or add the file",
                );
                None
            }
        }
    }

    /// Reads `rel` if it holds at most `room` bytes (its size is checked first), and notes
    /// what came of it.
    fn read_file(&mut self, rel: &str, room: u64) -> Result<Rc<str>, Refusal> {
        let outcome = read_under(self.root, rel, self.max_size, room);
        self.read.insert(rel.to_string(), outcome.clone());
        outcome
    }
}

/// The front matter of an included file left out: its body and the body's first line.
fn strip_front_matter(text: &str) -> (&str, usize) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    if lines.next().is_some_and(|l| l.trim_end() == "---") {
        let mut offset = text.find('\n').map_or(text.len(), |p| p + 1);
        let mut n = 1;
        for l in lines {
            offset += l.len();
            n += 1;
            if l.trim_end() == "---" {
                return (text.get(offset..).unwrap_or(""), n + 1);
            }
        }
    }
    (text, 1)
}

/// The path (relative to INPUT, `/` separators) an include in page `from` names, or
/// `None` when it is absolute or climbs out of INPUT.
pub fn join(from: &str, target: &str) -> Option<String> {
    let target = target.trim().trim_matches(['<', '>']);
    let (base, rest): (Vec<&str>, &str) = match target.strip_prefix("~/") {
        Some(rest) => (Vec::new(), rest),
        None => {
            if target.starts_with('/') || target.starts_with('\\') || target.contains(':') {
                return None;
            }
            let mut dirs: Vec<&str> = from.split('/').collect();
            dirs.pop();
            (dirs, target)
        }
    };
    let mut parts = base;
    for seg in rest.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Reads `rel` under `root` without following symbolic links: every component must be a
/// real folder or, last, a regular file of at most `max_size` bytes, and of at most `room`
/// bytes (else [`Refusal::Room`], the file unread).
fn read_under(root: &Path, rel: &str, max_size: u64, room: u64) -> Result<Rc<str>, Refusal> {
    let why = |s: String| Refusal::Why(s);
    let mut path = PathBuf::from(root);
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let meta = std::fs::symlink_metadata(&path).map_err(|e| {
            why(if e.kind() == std::io::ErrorKind::NotFound {
                "names a file that does not exist".to_string()
            } else {
                "cannot be read".to_string()
            })
        })?;
        if meta.file_type().is_symlink() {
            return Err(why("goes through a symbolic link".to_string()));
        }
        let last = i + 1 == parts.len();
        if last && !meta.is_file() {
            return Err(why("is not a regular file".to_string()));
        }
        if last && meta.len() > max_size {
            return Err(why(format!("is larger than {max_size} bytes")));
        }
        if last && meta.len() > room {
            return Err(Refusal::Room);
        }
    }
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(why("leads out of INPUT".to_string()));
    }
    // Opened without following a link or waiting on a FIFO, checked on the handle: the
    // file read is the file checked, even if the path is swapped in between, and no more
    // of it is read than there is room for.
    let bytes = match crate::open::read(&path, room.min(max_size)) {
        Ok(crate::open::Read::Bytes(b)) => b,
        Ok(crate::open::Read::TooLarge(size)) if size <= max_size => return Err(Refusal::Room),
        Ok(crate::open::Read::TooLarge(_)) => {
            return Err(why(format!("is larger than {max_size} bytes")))
        }
        Err(e) => return Err(why(format!("cannot be read ({e})"))),
    };
    String::from_utf8(bytes)
        .map(Rc::from)
        .map_err(|_| why("is not UTF-8".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins() {
        assert_eq!(
            join("a/b/page.md", "./includes/x.md").as_deref(),
            Some("a/b/includes/x.md")
        );
        assert_eq!(join("a/b/page.md", "../../c.md").as_deref(), Some("c.md"));
        assert_eq!(join("a/page.md", "../../etc/passwd"), None);
        assert_eq!(join("a/page.md", "/etc/passwd"), None);
        assert_eq!(
            join("a/b/page.md", "~/includes/x.md").as_deref(),
            Some("includes/x.md")
        );
        assert_eq!(join("a/page.md", "C:\\x.md"), None);
    }

    #[test]
    fn line_map() {
        let run = |start, path: &str, first, include_line| Run {
            start,
            path: path.to_string(),
            first,
            include_line,
        };
        let map = LineMap {
            runs: vec![
                run(1, "p.md", 1, None),
                run(4, "inc.md", 1, Some(4)),
                run(6, "p.md", 5, None),
            ],
        };
        assert_eq!(map.origin(2), Some(("p.md", 2)));
        assert_eq!(map.origin(5), Some(("inc.md", 2)));
        assert_eq!(map.origin(7), Some(("p.md", 6)));
        assert_eq!(map.page_line(5), 4);
        assert_eq!(map.page_line(7), 6);
    }
}
