//! Load: walk INPUT, read each Markdown file, split and parse its front matter.
//!
//! Front matter is split here, by our own code, at offset 0 only: pulldown-cmark's
//! metadata option would also fire on the `---` that closes a tab group.

use std::io::Read as _;
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
    /// What the dialect passes found (admonitions, content tabs, conditional content),
    /// once [`crate::dialect::prepare`] has rewritten `text`; empty before.
    pub marks: crate::dialect::Marks,
}

/// Markdown files under `input`, sorted by path, as (absolute, relative) pairs.
///
/// Symbolic links are never followed: what a link inside INPUT points to is compiled at
/// its own path, and a link that leads out of INPUT, nowhere, or round in a loop is
/// reported (`symlink`) and skipped. Anything that is not a regular file (a FIFO named
/// `x.md`, say) is reported and skipped, never opened.
/// Only pages `pages` admits are listed (and so read); a folder it excludes is not entered.
pub fn walk(
    input: &Path,
    skip: Option<&Path>,
    pages: &Pages,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, String)> {
    let root = input.canonicalize().unwrap_or_else(|_| input.to_path_buf());
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(input)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            // Hidden folders are skipped, except `.github`: its issue and pull request
            // templates are the most common checklists on GitHub.
            let name = e.file_name().to_string_lossy();
            let hidden = e.depth() > 0 && name.starts_with('.') && name != ".github";
            let skipped = skip.is_some_and(|s| e.path() == s);
            let excluded = e.depth() > 0
                && e.file_type().is_dir()
                && pages.excludes(&shown_relative(input, e.path()));
            !hidden && !skipped && !excluded
        });
    for entry in walker {
        match entry {
            Ok(e) => {
                let is_md = is_markdown(e.path());
                let rel = shown_relative(input, e.path());
                let ft = e.file_type();
                if is_md && !ft.is_dir() && !pages.admits(&rel) {
                    // Left out by --include/--exclude: not read, not reported.
                    continue;
                }
                if ft.is_symlink() {
                    if let Some(d) = symlink_problem(&root, e.path(), &rel, is_md) {
                        diags.push(d);
                    }
                } else if ft.is_file() && is_md {
                    // A fragment other pages include is not a document of its own.
                    if !is_include_fragment(&rel) {
                        match path_problem(input, e.path(), &rel) {
                            Some(d) => diags.push(d),
                            None => files.push((e.path().to_path_buf(), rel)),
                        }
                    }
                } else if is_md && !ft.is_dir() {
                    diags.push(
                        Diagnostic::error(
                            "io",
                            &rel,
                            "not a regular file (a FIFO, socket or device); skipped",
                        )
                        .help("remove it from INPUT; checkdown reads only regular files"),
                    );
                }
            }
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| shown_relative(input, p))
                    .unwrap_or_else(|| input.display().to_string());
                diags.push(
                    Diagnostic::error("io", &path, format!("cannot read: {err}"))
                        .help("check the file's permissions, or remove it from INPUT"),
                );
            }
        }
    }
    refuse_shared_outputs(files, diags)
}

/// `files` without the pages whose output files clash with an earlier page's or with the
/// generated indexes: two pages whose paths differ only in the case of `.md` (`a.md`,
/// `a.MD`) would be written to one file, and a page's output file can be the name of
/// another page's output folder (`a.md` gives `html/a.html`, `a.html/b.md` needs a folder
/// `html/a.html/`; `index.html/b.md` needs one where the HTML index is). The later page in
/// path order is refused (`file-name`, and skipped), never written over the other nor
/// left to fail the build. (A root `index.md` whose files are the indexes themselves is
/// refused once it is known to hold a checklist: [`crate::refuse_index_page`].)
fn refuse_shared_outputs(
    files: Vec<(PathBuf, String)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, String)> {
    use crate::model::output_path;
    use std::collections::HashMap;
    const INDEXES: &str = "the generated index";
    // Output files and folders (relative to OUTPUT) and the page that has each.
    let mut taken_files: HashMap<String, String> = HashMap::new();
    let mut taken_folders: HashMap<String, String> = HashMap::new();
    for index in ["checklists/index.md", "html/index.html"] {
        taken_files.insert(index.to_string(), INDEXES.to_string());
    }
    let mut kept = Vec::with_capacity(files.len());
    for (path, rel) in files {
        let outputs = [
            format!("checklists/{}", output_path(&rel, "md")),
            format!("html/{}", output_path(&rel, "html")),
        ];
        let is_index_page = output_path(&rel, "md") == crate::INDEX_PAGE;
        let clash = outputs.iter().find_map(|out| {
            if let Some(owner) = taken_files.get(out) {
                if !(is_index_page && owner == INDEXES) {
                    return Some((out.clone(), owner.clone(), "file"));
                }
            }
            if let Some(owner) = taken_folders.get(out) {
                return Some((out.clone(), owner.clone(), "folder"));
            }
            folders(out).find_map(|up| {
                taken_files
                    .get(up)
                    .map(|owner| (up.to_string(), owner.clone(), "file"))
            })
        });
        if let Some((out, owner, kind)) = clash {
            let whose = match owner.as_str() {
                INDEXES => INDEXES.to_string(),
                page => format!("`{page}`"),
            };
            let what = match kind {
                "file" => format!("`{out}` is a file of {whose}"),
                _ => format!("`{out}` is a folder of {whose}'s files"),
            };
            diags.push(
                Diagnostic::error(
                    "file-name",
                    &rel,
                    format!(
                        "its output files `{}` and `{}` clash with another's: {what}; skipped",
                        outputs[0], outputs[1]
                    ),
                )
                .help("rename the page or the folder that holds it"),
            );
            continue;
        }
        for out in &outputs {
            taken_files.insert(out.clone(), rel.clone());
            // Nearest first: once a folder is known, the ones above it are too.
            for up in folders(out) {
                if taken_folders.contains_key(up) {
                    break;
                }
                taken_folders.insert(up.to_string(), rel.clone());
            }
        }
        kept.push((path, rel));
    }
    kept
}

/// The folders that hold `path` (`a/b/c.md`: `a/b`, then `a`), nearest first.
fn folders(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(path.rsplit_once('/').map(|(up, _)| up), |f| {
        f.rsplit_once('/').map(|(up, _)| up)
    })
}

/// Which pages are read (`--include`, `--exclude`): globs matched against a page's path
/// relative to INPUT with `/` separators. `*` stays within a folder, `**` crosses
/// folders, and a glob without `/` matches a name in any folder. A page is read when no
/// exclude glob matches it (nor any folder above it) and, if there are include globs, one
/// of them matches it. The default admits every page.
#[derive(Debug, Clone, Default)]
pub struct Pages {
    include: Option<globset::GlobSet>,
    exclude: Option<globset::GlobSet>,
}

impl Pages {
    /// One glob as `Pages` reads it, or why it does not parse.
    pub fn glob(pattern: &str) -> Result<globset::Glob, String> {
        let anchored = if pattern.contains('/') {
            pattern.trim_start_matches('/').to_string()
        } else {
            format!("**/{pattern}")
        };
        globset::GlobBuilder::new(&anchored)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| format!("`{pattern}` is not a glob: {}", e.kind()))
    }

    /// The filter of these include and exclude globs.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Pages, String> {
        let set = |globs: &[String]| -> Result<Option<globset::GlobSet>, String> {
            if globs.is_empty() {
                return Ok(None);
            }
            let mut b = globset::GlobSetBuilder::new();
            for g in globs {
                b.add(Pages::glob(g)?);
            }
            b.build().map(Some).map_err(|e| e.to_string())
        };
        Ok(Pages {
            include: set(include)?,
            exclude: set(exclude)?,
        })
    }

    /// Is the page at `rel` (relative to INPUT, `/` separators) read?
    pub fn admits(&self, rel: &str) -> bool {
        !self.excludes(rel) && self.include.as_ref().is_none_or(|s| s.is_match(rel))
    }

    /// Does an exclude glob match `rel`?
    pub fn excludes(&self, rel: &str) -> bool {
        self.exclude.as_ref().is_some_and(|s| s.is_match(rel))
    }
}

/// `*.md` and `*.mdx` (Docusaurus) files are pages.
fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("md") || x.eq_ignore_ascii_case("mdx"))
}

/// Is a relative path inside a folder named `includes` or `_includes`? Such files are
/// fragments other pages include (Learn's `[!INCLUDE]`, Jekyll), not documents.
pub fn is_include_fragment(rel: &str) -> bool {
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    parts
        .iter()
        .any(|p| p.eq_ignore_ascii_case("includes") || p.eq_ignore_ascii_case("_includes"))
}

/// What is wrong with a symbolic link inside INPUT, if anything. `root` is INPUT,
/// canonicalized. Links are never followed; these are the cases worth saying so.
fn symlink_problem(root: &Path, link: &Path, rel: &str, is_md: bool) -> Option<Diagnostic> {
    let shown = std::fs::read_link(link)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    match link.canonicalize() {
        Err(err) if err.raw_os_error() == Some(ELOOP) => Some(
            Diagnostic::error(
                "symlink",
                rel,
                format!("symbolic link loops: following `{shown}` never reaches a file"),
            )
            .help("point the link at a real file or folder, or remove it; it is skipped"),
        ),
        Err(_) => is_md.then(|| {
            Diagnostic::error(
                "symlink",
                rel,
                format!("symbolic link points to `{shown}`, which does not exist"),
            )
            .help("fix the link's target, or remove it; it is skipped")
        }),
        Ok(target) => {
            let is_dir = target.is_dir();
            if !target.starts_with(root) {
                (is_dir || is_md).then(|| {
                    Diagnostic::warning(
                        "symlink",
                        rel,
                        format!("symbolic link points outside INPUT (to `{shown}`); not followed"),
                    )
                    .help("copy the pages into INPUT, or pass their folder as INPUT; checkdown never reads outside INPUT")
                })
            } else if is_dir
                && link
                    .parent()
                    .and_then(|p| p.canonicalize().ok())
                    .is_some_and(|p| p.starts_with(&target))
            {
                Some(
                    Diagnostic::warning(
                        "symlink",
                        rel,
                        format!("symbolic link loops: it points to `{shown}`, a folder that contains it; not followed"),
                    )
                    .help("remove the link; the folder's pages are compiled where they are"),
                )
            } else {
                // Inside INPUT: its target is compiled at its own path.
                None
            }
        }
    }
}

/// `ELOOP` on Linux and the BSDs (macOS: 62); without libc, named here.
#[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
const ELOOP: i32 = 62;
#[cfg(not(any(target_os = "macos", target_os = "ios", target_os = "freebsd")))]
const ELOOP: i32 = 40;

/// The longest file name checkdown writes (`NAME_MAX` of Linux, macOS and Windows file
/// systems, in bytes).
pub const MAX_NAME_BYTES: usize = 255;

/// The longest path of a page relative to INPUT, in bytes: its output files are written at
/// `OUTPUT/.checkdown-staging-<pid>/html/<path>.html`, and Linux refuses a path over 4,096
/// bytes.
pub const MAX_PATH_BYTES: usize = 1024;

/// Why a page's path cannot be used, if it cannot: checkdown writes every page's path into
/// its lock, manifest, backlogs and diagnostics, each a line-based text format, and writes
/// files named after it. So a page is refused (`file-name`, and skipped) when its path
/// relative to INPUT holds a control character (line breaks, tabs, the other C0 and C1
/// controls, DEL), a backslash (a folder separator on Windows), or bytes that are not
/// UTF-8, when it is longer than [`MAX_PATH_BYTES`], or when a file name it gives in
/// OUTPUT (`page.html`) would be longer than [`MAX_NAME_BYTES`]. `rel` is the path as [`shown_relative`] shows it.
fn path_problem(base: &Path, path: &Path, rel: &str) -> Option<Diagnostic> {
    let raw = path.strip_prefix(base).unwrap_or(path);
    let refuse = |why: String| {
        Some(
            Diagnostic::error("file-name", rel, format!("{why}; skipped"))
                .help("rename the file (or the folder that holds it)"),
        )
    };
    let names: Option<Vec<&str>> = raw.components().map(|c| c.as_os_str().to_str()).collect();
    let Some(names) = names else {
        return refuse(
            "the page's path is not valid UTF-8, so checkdown cannot name it in what it writes"
                .to_string(),
        );
    };
    if names.iter().any(|n| n.chars().any(char::is_control)) {
        return refuse(
            "the page's path holds a control character (a line break, tab or other), so \
             checkdown cannot name it in what it writes"
                .to_string(),
        );
    }
    if names.iter().any(|n| n.contains('\\')) {
        return refuse(
            "the page's path holds a backslash `\\`, a folder separator on Windows".to_string(),
        );
    }
    if rel.len() > MAX_PATH_BYTES {
        return refuse(format!(
            "the page's path is {} bytes, over the {MAX_PATH_BYTES} bytes a page's path may \
             have (its output files' paths, under OUTPUT's staging folder, would pass what \
             a file system accepts)",
            rel.len()
        ));
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let output = crate::model::output_path(name, "html");
    if output.len() > MAX_NAME_BYTES {
        return refuse(format!(
            "its HTML page's file name would be {} bytes, over the {MAX_NAME_BYTES} bytes a \
             file name may have",
            output.len()
        ));
    }
    None
}

/// `path` relative to `base` as diagnostics show it: [`relative`], except that control
/// characters and backslashes are escaped (`\n`, `\u{1b}`, `\\`) and bytes that are not
/// UTF-8 are shown as `\xFF`, so that a file name can neither break a diagnostic's line nor
/// pass for another file's name. The same as [`relative`] for every path a page may have.
pub fn shown_relative(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| shown_name(c.as_os_str()))
        .collect::<Vec<_>>()
        .join("/")
}

fn shown_name(name: &std::ffi::OsStr) -> String {
    let escape = |out: &mut String, s: &str| {
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.extend(c.escape_default()),
                c => out.push(c),
            }
        }
    };
    let mut out = String::new();
    match name.to_str() {
        Some(s) => escape(&mut out, s),
        None => {
            for chunk in name.as_encoded_bytes().utf8_chunks() {
                escape(&mut out, chunk.valid());
                for b in chunk.invalid() {
                    out.push_str(&format!("\\x{b:02X}"));
                }
            }
        }
    }
    out
}

/// `path` relative to `base`, with `/` separators.
pub fn relative(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The `file-too-large` diagnostic.
pub fn too_large(rel: &str, size: u64, max_size: u64) -> Diagnostic {
    Diagnostic::error(
        "file-too-large",
        rel,
        format!("file is {size} bytes, over the limit of {max_size} bytes; skipped"),
    )
    .help("split the page, or raise the limit with --max-file-size")
}

/// Reads and splits one file, reading at most `max_size` bytes whatever its size claims.
/// `None` when the file cannot be used at all (the reason is in `diags`).
pub fn read(
    abs: &Path,
    rel: &str,
    max_size: u64,
    diags: &mut Vec<Diagnostic>,
) -> Option<SourceFile> {
    use crate::open::Refused;
    let cannot = |err: std::io::Error| {
        Diagnostic::error("io", rel, format!("cannot read: {err}"))
            .help("check the file's permissions, or remove it from INPUT")
    };
    // Opened without following a link or waiting on a FIFO, and checked through the
    // handle: the page may have been swapped since INPUT was walked.
    let (file, size) = match crate::open::regular(abs) {
        Ok(opened) => opened,
        Err(Refused::Io(err)) => {
            diags.push(cannot(err));
            return None;
        }
        Err(Refused::NotFound) => {
            diags.push(cannot(std::io::ErrorKind::NotFound.into()));
            return None;
        }
        Err(Refused::Link) => {
            diags.push(
                Diagnostic::error(
                    "symlink",
                    rel,
                    "the page became a symbolic link while INPUT was read; not followed, skipped",
                )
                .help("build again once INPUT stops changing; checkdown never follows a link to a page"),
            );
            return None;
        }
        Err(Refused::NotRegular) => {
            diags.push(
                Diagnostic::error(
                    "io",
                    rel,
                    "not a regular file (a FIFO, socket or device); skipped",
                )
                .help("remove it from INPUT; checkdown reads only regular files"),
            );
            return None;
        }
    };
    if size > max_size {
        diags.push(too_large(rel, size, max_size));
        return None;
    }
    // The size can change between the look and the read: never read past the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    if let Err(err) = file
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
    {
        diags.push(cannot(err));
        return None;
    }
    if bytes.len() as u64 > max_size {
        diags.push(too_large(rel, bytes.len() as u64, max_size));
        return None;
    }
    from_bytes(rel, bytes, diags)
}

/// How far into a file a NUL byte marks it as binary (git's rule of thumb).
const BINARY_SNIFF: usize = 8000;

/// Splits already-read bytes (the part of `read` that needs no file system).
pub fn from_bytes(rel: &str, bytes: Vec<u8>, diags: &mut Vec<Diagnostic>) -> Option<SourceFile> {
    let head = bytes.get(..BINARY_SNIFF.min(bytes.len())).unwrap_or(&[]);
    if let Some(nul) = head.iter().position(|&b| b == 0) {
        diags.push(
            Diagnostic::error(
                "binary",
                rel,
                format!(
                    "file holds a NUL byte at offset {nul}: it is binary, not Markdown; skipped"
                ),
            )
            .help("remove it from INPUT, or rename it so that it does not end in `.md`"),
        );
        return None;
    }
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
    // A lone CR ends a line as LF does (CommonMark); made LF, the same length, so that
    // lines are counted where the parser sees them.
    let text = if text.contains('\r') {
        lone_cr_to_lf(text)
    } else {
        text
    };
    let lines = LineIndex::new(&text);
    let (front_matter, body_start) = split_front_matter(rel, &text, &lines, diags);
    Some(SourceFile {
        path: rel.to_string(),
        text,
        body_start,
        front_matter,
        lines,
        marks: Default::default(),
    })
}

/// `text` with every CR that no LF follows turned into an LF (same length).
fn lone_cr_to_lf(text: String) -> String {
    let bytes = text.as_bytes();
    if !memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n')) {
        return text;
    }
    let mut out = text.into_bytes();
    for i in 0..out.len() {
        if out[i] == b'\r' && out.get(i + 1) != Some(&b'\n') {
            out[i] = b'\n';
        }
    }
    // Only ASCII bytes changed: still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// The one character at byte `at` of `text`, as a range (empty at the end), for a caret.
pub fn caret(text: &str, at: usize) -> std::ops::Range<usize> {
    let len = text
        .get(at..)
        .and_then(|s| s.chars().next())
        .map_or(0, char::len_utf8);
    at..at + len
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
    let yaml = dash_tabs(text.get(yaml_start..close_range.start).unwrap_or(""));
    match parse_yaml(&yaml) {
        Ok((fm, duplicates)) => {
            for key in duplicates {
                let at = yaml_start + key.offset;
                diags.push(
                    Diagnostic::error(
                        "front-matter",
                        rel,
                        format!("front matter has the key `{}` twice", key.name),
                    )
                    .at(text, lines, at..at + key.len)
                    .label("repeated here")
                    .help("remove one of the two; the first value is kept"),
                );
            }
            (fm, body_start)
        }
        Err(YamlError::Expansion(offset)) => {
            let at = yaml_start + offset.unwrap_or(0);
            diags.push(
                Diagnostic::error(
                    "front-matter",
                    rel,
                    "front matter grows past twice its size through YAML aliases (`*name`)",
                )
                .at(text, lines, caret(text, at))
                .label("this value expands past the limit")
                .help("write the values out instead of using anchors (`&name`) and aliases (`*name`); the page is compiled without its front matter"),
            );
            (FrontMatter::default(), body_start)
        }
        Err(YamlError::Syntax(msg, offset)) => {
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

/// A tab right after a sequence dash (`  -<TAB>value`) read as a space, as the Learn
/// platform publishes it (YAML itself refuses tabs there). Same length, so offsets hold.
fn dash_tabs(yaml: &str) -> std::borrow::Cow<'_, str> {
    if !yaml.contains("-\t") {
        return std::borrow::Cow::Borrowed(yaml);
    }
    let fixed: Vec<String> = yaml
        .split('\n')
        .map(|line| {
            let lead = line.len() - line.trim_start_matches(' ').len();
            match line[lead..].strip_prefix("-\t") {
                Some(rest) => format!("{}- {}", &line[..lead], rest),
                None => line.to_string(),
            }
        })
        .collect();
    std::borrow::Cow::Owned(fixed.join("\n"))
}

/// Why front matter was not used.
#[derive(Debug)]
enum YamlError {
    /// A message and a byte offset in the YAML.
    Syntax(String, Option<usize>),
    /// Aliases expanded it past its budget (at this offset, when known).
    Expansion(Option<usize>),
}

/// A key that appears twice at the top level of front matter.
#[derive(Debug, PartialEq)]
struct Duplicate {
    name: String,
    /// Byte offset and length of the repeated key in the YAML, when it was found there.
    offset: usize,
    len: usize,
}

/// Parses flat YAML into front matter, keeping scalars as written. Repeated keys keep their
/// first value and are returned for a diagnostic.
fn parse_yaml(yaml: &str) -> Result<(FrontMatter, Vec<Duplicate>), YamlError> {
    if yaml.trim().is_empty() {
        return Ok((FrontMatter::default(), Vec::new()));
    }
    if let Some(at) = flow_too_deep(yaml) {
        return Err(YamlError::Syntax(DEEP.to_string(), Some(at)));
    }
    let budget = budget::Budget::for_source(yaml);
    let de = serde_yaml::Deserializer::from_str(yaml);
    let top = serde::de::DeserializeSeed::deserialize(budget::Top(&budget), de).map_err(|e| {
        let offset = e.location().map(|l| l.index());
        let msg = e.to_string();
        // The location is reported separately; keep the message itself short.
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        if msg.contains(budget::EXPANSION) || msg.contains("repetition limit exceeded") {
            // The error names the path of the value (`key[0][3]: ...`): point at its key.
            let key = msg.split([':', '[']).next().unwrap_or("");
            let at = key_position(yaml, key, 1).map(|(o, _)| o).or(offset);
            YamlError::Expansion(at)
        } else if msg.contains("recursion limit exceeded") {
            YamlError::Syntax(DEEP.to_string(), offset)
        } else {
            YamlError::Syntax(msg, offset)
        }
    })?;
    let Some(entries) = top else {
        return Err(YamlError::Syntax(
            "front matter must be a map of `key: value` lines".to_string(),
            None,
        ));
    };
    let mut out: Vec<(String, FrontValue)> = Vec::with_capacity(entries.len());
    let mut seen = std::collections::HashMap::new();
    let mut duplicates = Vec::new();
    // Where each key stands, found once the first repeat comes up.
    let mut positions = None;
    for (k, v) in entries {
        let name = scalar_text(&k).unwrap_or_default();
        let count = seen.entry(name.clone()).or_insert(0usize);
        *count += 1;
        if *count > 1 {
            let (offset, len) = positions
                .get_or_insert_with(|| key_positions(yaml))
                .get(name.as_str())
                .and_then(|at: &Vec<(usize, usize)>| at.get(*count - 1).copied())
                .unwrap_or((0, 0));
            duplicates.push(Duplicate { name, offset, len });
            continue;
        }
        out.push((name, front_value(v)));
    }
    Ok((FrontMatter(out), duplicates))
}

/// Where the `nth` top-level occurrence of `key:` starts in block YAML (plain, `'` or `"`
/// quoted), as (offset, length).
fn key_position(yaml: &str, key: &str, nth: usize) -> Option<(usize, usize)> {
    key_positions(yaml)
        .get(key)
        .and_then(|at| at.get(nth.checked_sub(1)?).copied())
}

/// Every top-level key of block YAML, by name, with where each occurrence starts and the
/// length of the key as written there, in order: one pass over the lines.
fn key_positions(yaml: &str) -> std::collections::HashMap<&str, Vec<(usize, usize)>> {
    let mut out: std::collections::HashMap<&str, Vec<(usize, usize)>> =
        std::collections::HashMap::new();
    let mut offset = 0;
    for line in yaml.split_inclusive('\n') {
        if let Some((name, len)) = line_key(line) {
            out.entry(name).or_default().push((offset, len));
        }
        offset += line.len();
    }
    out
}

/// The key a line of block YAML starts with (plain, `'` or `"` quoted, without escapes),
/// and the length of the key as written: a quoted key runs to its closing quote, a plain
/// one to the first `:` followed by a blank or the line's end, blanks before it left out.
fn line_key(line: &str) -> Option<(&str, usize)> {
    let followed_by_colon = |rest: &str| rest.trim_start_matches([' ', '\t']).starts_with(':');
    let quote = line.chars().next().filter(|c| *c == '\'' || *c == '"');
    if let Some(q) = quote {
        let inner = &line[1..];
        let close = inner.find(q)?;
        return followed_by_colon(&inner[close + 1..]).then_some((&inner[..close], close + 2));
    }
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(p) = memchr::memchr(b':', &bytes[from..]) {
        let colon = from + p;
        if matches!(
            bytes.get(colon + 1),
            None | Some(b' ' | b'\t' | b'\r' | b'\n')
        ) {
            let key = line[..colon].trim_end_matches([' ', '\t']);
            return (!key.is_empty()).then_some((key, key.len()));
        }
        from = colon + 1;
    }
    None
}

/// The message for YAML nested past [`MAX_DEPTH`].
const DEEP: &str = "it nests deeper than 128 levels";

/// How deep YAML may nest, the top-level mapping included (yaml_serde's recursion limit).
const MAX_DEPTH: usize = 128;

/// Where flow collections (`[`, `{`) open their [`MAX_DEPTH`]th level, the top-level
/// mapping counted as the first, if they do. One pass over the bytes, so that such text
/// never reaches the YAML parser, which spends time quadratic in the nesting before its
/// own limit applies. Quoted scalars, comments and block scalars (`|`, `>`) are skipped;
/// outside brackets, only a bracket that starts a value opens a collection (not one inside
/// plain text such as `title: See [1]`).
fn flow_too_deep(yaml: &str) -> Option<usize> {
    let b = yaml.as_bytes();
    let blank_or_end = |i: usize| matches!(b.get(i), None | Some(b' ' | b'\t' | b'\r' | b'\n'));
    let line_end = |i: usize| memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
    let mut depth = 0usize;
    // The next byte that is not blank starts a value.
    let mut at_start = true;
    // The indentation of the line being read.
    let mut indent = 0;
    let mut line_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if line_start {
            if c == b' ' {
                indent += 1;
                i += 1;
                continue;
            }
            line_start = false;
        }
        match c {
            b'\n' => {
                line_start = true;
                indent = 0;
                at_start = at_start || depth == 0;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\r' | b'\n') => {
                i = line_end(i);
                continue;
            }
            _ => {}
        }
        if at_start {
            match c {
                b'"' | b'\'' => {
                    i = quoted_end(b, i)?;
                    at_start = false;
                    continue;
                }
                // An anchor or a tag before the value: the value still starts after it.
                b'&' | b'!' => {
                    while i < b.len() && !blank_or_end(i) {
                        i += 1;
                    }
                    continue;
                }
                // A block scalar: its lines are those indented deeper than this one.
                b'|' | b'>' if depth == 0 => {
                    let own = indent;
                    i = line_end(i);
                    while i < b.len() {
                        let next = i + 1;
                        let end = line_end(next);
                        let line = &b[next..end];
                        let spaces = line.iter().take_while(|&&x| x == b' ').count();
                        let blank = line.iter().all(|x| matches!(x, b' ' | b'\t' | b'\r'));
                        if !blank && spaces <= own {
                            break;
                        }
                        i = end;
                    }
                    continue;
                }
                _ => {}
            }
        }
        if (c == b'[' || c == b'{') && (depth > 0 || at_start) {
            depth += 1;
            if depth + 1 > MAX_DEPTH {
                return Some(i);
            }
            at_start = true;
        } else if depth > 0 {
            at_start = match c {
                b']' | b'}' => {
                    depth -= 1;
                    false
                }
                b',' | b':' | b'?' => true,
                _ => false,
            };
        } else {
            at_start = matches!(c, b':' | b'-' | b'?') && blank_or_end(i + 1);
        }
        i += 1;
    }
    None
}

/// Where the quoted scalar that opens at `at` (`"` or `'`) ends: just past its closing
/// quote. `None` when it never closes (the parser reports that).
fn quoted_end(b: &[u8], at: usize) -> Option<usize> {
    let q = b[at];
    let mut i = at + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 2,
            c if c == q => {
                // `''` inside single quotes is one quote.
                if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Reading YAML into values on a budget, so that aliases (which repeat what their anchor
/// holds, and can nest: the "billion laughs") cannot make front matter grow without
/// bound. Every value costs one, and every scalar its length as well; YAML without aliases
/// never costs more than twice its length.
mod budget {
    use std::cell::Cell;
    use std::fmt;

    use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess};
    use serde::de::{VariantAccess, Visitor};
    use serde_yaml::{Mapping, Value};

    /// The message of the error that ends an over-budget read.
    pub const EXPANSION: &str = "front matter expands past its budget";

    pub struct Budget(Cell<usize>);

    impl Budget {
        pub fn for_source(yaml: &str) -> Self {
            Budget(Cell::new(yaml.len().saturating_mul(2).saturating_add(4096)))
        }

        fn spend<E: de::Error>(&self, cost: usize) -> Result<(), E> {
            let left = self.0.get();
            if cost > left {
                return Err(E::custom(EXPANSION));
            }
            self.0.set(left - cost);
            Ok(())
        }
    }

    /// The top level: a map (entries in source order, repeats kept) or nothing.
    pub struct Top<'b>(pub &'b Budget);

    impl<'de> DeserializeSeed<'de> for Top<'_> {
        type Value = Option<Vec<(Value, Value)>>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Top<'_> {
        type Value = Option<Vec<(Value, Value)>>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of `key: value` lines")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Some(Vec::new()))
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Some(Vec::new()))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(k) = map.next_key_seed(Any(self.0))? {
                let v = map.next_value_seed(Any(self.0))?;
                out.push((k, v));
            }
            Ok(Some(out))
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element_seed(Any(self.0))?.is_some() {}
            Ok(None)
        }
        fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
            let (_tag, contents): (String, _) = data.variant()?;
            contents.newtype_variant_seed(Any(self.0))?;
            Ok(None)
        }
    }

    /// Any value, charged to the budget.
    struct Any<'b>(&'b Budget);

    impl<'de> DeserializeSeed<'de> for Any<'_> {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Any<'_> {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any YAML value")
        }

        fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
            self.0.spend(1)?;
            Ok(Value::Bool(b))
        }
        fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
            self.0.spend(1)?;
            Ok(Value::Number(i.into()))
        }
        fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
            self.0.spend(1)?;
            Ok(Value::Number(u.into()))
        }
        fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
            self.0.spend(1)?;
            Ok(Value::Number(f.into()))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
            self.0.spend(s.len().saturating_add(1))?;
            Ok(Value::String(s.to_string()))
        }
        fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
            self.0.spend(s.len().saturating_add(1))?;
            Ok(Value::String(s))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
            self.0.spend(1)?;
            Ok(Value::Null)
        }
        fn visit_none<E: de::Error>(self) -> Result<Value, E> {
            self.visit_unit()
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            Any(self.0).deserialize(d)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            self.0.spend(1)?;
            let mut out = Vec::new();
            while let Some(v) = seq.next_element_seed(Any(self.0))? {
                out.push(v);
            }
            Ok(Value::Sequence(out))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            self.0.spend(1)?;
            let mut out = Mapping::new();
            while let Some(k) = map.next_key_seed(Any(self.0))? {
                let v = map.next_value_seed(Any(self.0))?;
                out.insert(k, v);
            }
            Ok(Value::Mapping(out))
        }
        /// A tagged value (`!tag x`): the tag is dropped, the value kept.
        fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
            let (_tag, contents): (String, _) = data.variant()?;
            contents.newtype_variant_seed(Any(self.0))
        }
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

    /// Each repeated key is reported where it stands, however it is quoted.
    #[test]
    fn repeated_keys_are_found_where_they_stand() {
        let yaml = "a: 1\nb: 2\na: 3\n'a': 4\n\"b\" : 5\nc:d: 6\nc:d : 7\n";
        let (fm, duplicates) = parse_yaml(yaml).unwrap();
        assert_eq!(fm.get_str("a"), Some("1"));
        let at = |line: &str| yaml.find(line).unwrap();
        assert_eq!(
            duplicates,
            vec![
                Duplicate {
                    name: "a".into(),
                    offset: at("a: 3"),
                    len: 1
                },
                Duplicate {
                    name: "a".into(),
                    offset: at("'a'"),
                    len: 3
                },
                Duplicate {
                    name: "b".into(),
                    offset: at("\"b\""),
                    len: 3
                },
                Duplicate {
                    name: "c:d".into(),
                    offset: at("c:d :"),
                    len: 3
                },
            ]
        );
        assert_eq!(key_position(yaml, "a", 3), Some((at("'a'"), 3)));
        assert_eq!(key_position(yaml, "a", 4), None);
        assert_eq!(key_position(yaml, "a", 0), None);
        assert_eq!(line_key("  x: 1\n"), Some(("  x", 3)));
        assert_eq!(line_key("url: http://x\n"), Some(("url", 3)));
        assert_eq!(line_key("'it''s': x\n"), None);
        assert_eq!(line_key("- item\n"), None);
    }

    /// Flow collections nested past the limit are refused before the parser sees them, at
    /// the bracket where the parser refuses them.
    #[test]
    fn deep_flow_nesting_is_refused_by_the_scan() {
        let nested = |n: usize| format!("x: {}{}\n", "[".repeat(n), "]".repeat(n));
        // The top-level mapping and 127 brackets: 128 levels, which the parser reads.
        assert_eq!(flow_too_deep(&nested(127)), None);
        assert!(parse_yaml(&nested(127)).is_ok());
        // The 128th bracket is the 129th level.
        assert_eq!(flow_too_deep(&nested(128)), Some(3 + 127));
        assert_eq!(flow_too_deep(&nested(80_000)), Some(3 + 127));
        let maps = format!("x: {}1{}\n", "{a: ".repeat(200), "}".repeat(200));
        assert_eq!(flow_too_deep(&maps), Some(3 + 127 * 4));
        let json = format!("x: {}1{}\n", "{\"a\":".repeat(200), "}".repeat(200));
        assert_eq!(flow_too_deep(&json), Some(3 + 127 * 5));
        let listed = format!("- {}\n", "[".repeat(200));
        assert_eq!(flow_too_deep(&listed), Some(2 + 127));
        let tagged = format!("x: &a !t {}\n", "[".repeat(200));
        assert_eq!(flow_too_deep(&tagged), Some(9 + 127));
        // Brackets that open nothing: in quotes, comments, block scalars and plain text.
        let many = "[".repeat(200);
        for yaml in [
            format!("x: \"{many}\"\n"),
            format!("x: '{many}'\n"),
            format!("x: [\"{many}\", 'it''s {many}']\n"),
            format!("# {many}\nx: 1 # {many}\n"),
            format!("x: |\n  {many}\n\n  {many}\ny: >-\n   {many}\n"),
            format!("title: See {many}\n"),
            format!("x: a{many}\n"),
        ] {
            assert_eq!(flow_too_deep(&yaml), None, "{yaml}");
        }
        // An unclosed quote ends the scan; the parser reports it.
        assert_eq!(flow_too_deep(&format!("x: \"{many}")), None);
    }

    /// What a page with nesting past the limit reports: the message and place the parser
    /// gave before the scan.
    #[test]
    fn deep_flow_nesting_diagnostic() {
        let page = format!(
            "---\ntitle: t\nx: {}{}\n---\n# H\n",
            "[".repeat(200),
            "]".repeat(200)
        );
        let (fm, _, d) = split(&page);
        assert!(fm.0.is_empty());
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].message.as_str(), d[0].line, d[0].column),
            (
                "front matter does not parse: it nests deeper than 128 levels",
                3,
                131
            )
        );
    }
}
