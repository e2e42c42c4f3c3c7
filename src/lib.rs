//! checkdown compiles Learn-style Markdown documentation into checklists.
//!
//! The pipeline runs one way: load (walk, read, front matter) -> parse (one pulldown-cmark
//! pass into a block tree) -> extract (recognizers: tab groups, checklist blocks, anchors,
//! callouts) -> model (plain data) -> lock (ids that survive rewording, see [`lock`]) ->
//! render (md, csv, html, json) -> write (atomic). [`compile_dir`], [`lock::compile`] and
//! [`render::render`] do it over the whole catalog in memory; [`build::build`] (the `build`
//! and `check` commands) streams the same steps a document at a time, to the same bytes.
#![forbid(unsafe_code)]

pub mod budget;
pub mod build;
pub mod checks;
pub mod diag;
pub mod dialect;
pub mod diff;
pub mod extract;
pub mod ids;
pub mod load;
pub mod lock;
pub mod model;
pub mod open;
pub mod parse;
pub mod progress;
pub mod render;
pub mod status;
pub mod sync;
pub mod text;
#[cfg(feature = "watch")]
pub mod watch;
pub mod write;

use std::path::Path;

use rayon::prelude::*;

use diag::Diagnostic;
use model::{Catalog, Document, FORMAT};

/// Failures that stop a run (as opposed to diagnostics about the input).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("template error: {0}")]
    Template(String),
    #[error("render error: {0}")]
    Render(String),
    /// The lock file could not be written (`message` says why).
    #[error("cannot write the lock file `{path}`; keep it elsewhere with --lock FILE: {message}")]
    LockWrite { path: String, message: String },
}

/// Settings of a compile: the limits that keep hostile input bounded.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files larger than this are refused with a diagnostic (`file-too-large`).
    pub max_file_size: u64,
    /// Where the pages are published (`--base-url`).
    pub base_url: String,
    /// Markdown nested deeper than this (blockquotes, lists, emphasis ... together) is
    /// flattened, with a diagnostic (`nesting-too-deep`).
    pub max_nesting: usize,
    /// Files compiled (and documents rendered) at once; 0: one per available core
    /// (`--jobs`). The output is the same for any number.
    pub jobs: usize,
    /// Which pages under INPUT are read (`--include`, `--exclude`); every page by default.
    pub pages: load::Pages,
}

/// The default of `--max-file-size`: 16 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_nesting: parse::DEFAULT_MAX_NESTING,
            base_url: extract::links::DEFAULT_BASE.to_string(),
            jobs: 0,
            pages: load::Pages::default(),
        }
    }
}

impl Options {
    /// The number of threads to use: `jobs`, or the available cores when it is 0.
    pub fn threads(&self) -> usize {
        match self.jobs {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }

    /// A thread pool of [`Options::threads`] threads: parallel work run inside
    /// `pool.install(...)` (compiling, rendering, writing) uses that many.
    pub fn pool(&self) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads())
            .thread_name(|i| format!("checkdown-{i}"))
            .build()
            .or_else(|_| rayon::ThreadPoolBuilder::new().num_threads(1).build())
            .expect("a thread pool of one thread")
    }
}

/// The result of compiling an input folder.
#[derive(Debug)]
pub struct Compiled {
    pub catalog: Catalog,
    pub diagnostics: Vec<Diagnostic>,
    /// Markdown files read.
    pub files: usize,
    /// Files that hold no checklist (no document).
    pub skipped: usize,
}

/// Compiles one file's text. `path` is its path relative to INPUT.
pub fn compile_text(path: &str, text: &str) -> (Option<Document>, Vec<Diagnostic>) {
    compile_bytes(path, text.as_bytes().to_vec(), &Options::default())
}

/// Compiles one file's bytes as read from disk (UTF-8 and size checked here), with the
/// limits of `options`. `path` is its path relative to INPUT.
pub fn compile_bytes(
    path: &str,
    bytes: Vec<u8>,
    options: &Options,
) -> (Option<Document>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    if bytes.len() as u64 > options.max_file_size {
        diags.push(load::too_large(
            path,
            bytes.len() as u64,
            options.max_file_size,
        ));
        return (None, diags);
    }
    match load::from_bytes(path, bytes, &mut diags) {
        Some(file) => {
            let (doc, more) = compile_file_with(&file, &extract::Env::default(), options);
            diags.extend(more);
            settle_front_matter(doc.as_ref(), &mut diags);
            (doc, diags)
        }
        None => (None, diags),
    }
}

/// Parses and extracts one loaded file, with the default limits.
pub fn compile_file(
    file: &load::SourceFile,
    env: &extract::Env,
) -> (Option<Document>, Vec<Diagnostic>) {
    compile_file_with(file, env, &Options::default())
}

/// Parses and extracts one loaded file, with the limits of `options`.
pub fn compile_file_with(
    file: &load::SourceFile,
    env: &extract::Env,
    options: &Options,
) -> (Option<Document>, Vec<Diagnostic>) {
    // Includes expanded and dialects rewritten first; problems in included text are
    // reported at the included file's line.
    let mut include_diags = Vec::new();
    let prepared = dialect::prepare(
        file,
        env.root.as_deref(),
        options.max_file_size,
        &mut include_diags,
    );
    let (file, map) = match &prepared {
        Some(p) => (&p.file, p.map.as_ref()),
        None => (file, None),
    };
    let parsed = parse::parse_limited(&file.text, file.body_start, options.max_nesting);
    let mut diags = Vec::new();
    if let Some(range) = parsed.too_deep {
        diags.push(
            Diagnostic::error(
                "nesting-too-deep",
                &file.path,
                format!(
                    "Markdown nests {} levels deep, over the limit of {}",
                    parsed.deepest, options.max_nesting
                ),
            )
            .at(&file.text, &file.lines, load::caret(&file.text, range.start))
            .label("this is the first element past the limit")
            .help("quotes, lists and emphasis nested past the limit are read as text of the level above; flatten them, or raise the limit with --max-nesting"),
        );
    }
    let (mut doc, more) = extract::extract(file, &parsed.blocks, env);
    diags.extend(more);
    diags.extend(checks::run(file, &parsed.blocks));
    if let Some(map) = map {
        for d in diags
            .iter_mut()
            .filter(|d| d.line > 0 && d.path == file.path)
        {
            if let Some((path, line)) = map.origin(d.line) {
                d.path = path.to_string();
                d.line = line;
            }
        }
        for item in doc
            .iter_mut()
            .flat_map(|d| d.sections.iter_mut())
            .flat_map(|s| s.items.iter_mut())
        {
            item.source.line = map.page_line(item.source.line);
        }
    }
    diags.extend(include_diags);
    (doc, cap_per_code(&file.path, diags))
}

/// Front matter that does not parse matters to a page that holds a checklist; on any other
/// page it is reported as a warning and fails no build (Learn publishes such pages).
pub fn settle_front_matter(doc: Option<&Document>, diags: &mut [Diagnostic]) {
    if doc.is_some() {
        return;
    }
    for d in diags
        .iter_mut()
        .filter(|d| d.code == "front-matter" && d.severity == diag::Severity::Error)
    {
        d.severity = diag::Severity::Warning;
    }
}

/// The page path whose output files are the generated indexes (`checklists/index.md`,
/// `html/index.html`): `index.md` at INPUT's root, the home page of MkDocs and many sites.
pub const INDEX_PAGE: &str = "index.md";

/// A page at INPUT's root named `index.md` (in any case) that holds a checklist would
/// be written over the generated indexes: its document is dropped and an error
/// (`file-name`) says so. Such a page without a checklist writes nothing and is fine.
pub fn refuse_index_page(doc: &mut Option<Document>, diags: &mut Vec<Diagnostic>) {
    let Some(d) = doc.as_ref() else { return };
    // Any case: on a file system that ignores case (macOS, Windows), `Index.md` would be
    // written over `index.html` too.
    if !model::output_path(&d.path, "md").eq_ignore_ascii_case(INDEX_PAGE) {
        return;
    }
    diags.push(
        Diagnostic::error(
            "file-name",
            &d.path,
            format!(
                "this page holds a checklist, but its outputs would be `checklists/{}` and \
                 `html/{}`, the generated indexes of every document; skipped",
                model::output_path(&d.path, "md"),
                model::output_path(&d.path, "html"),
            ),
        )
        .help(format!(
            "move the page into a folder or rename it (`home.md`, say); or leave it out \
             with `--exclude '/{}'` (its checklist is then not compiled)",
            d.path
        )),
    );
    *doc = None;
}

/// At most this many diagnostics of one code are kept per file; a note counts the rest.
pub const MAX_DIAGNOSTICS_PER_CODE: usize = 100;

/// Keeps the first `MAX_DIAGNOSTICS_PER_CODE` diagnostics of each code in one file's list,
/// and adds one diagnostic of the same code and severity that counts the others.
fn cap_per_code(path: &str, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen: std::collections::HashMap<&'static str, usize> = Default::default();
    let mut kept = Vec::with_capacity(diags.len().min(4 * MAX_DIAGNOSTICS_PER_CODE));
    // Code, worst severity, count, and where the first one not shown was.
    let mut dropped: Vec<(&'static str, diag::Severity, usize, (usize, usize))> = Vec::new();
    for d in diags {
        let n = seen.entry(d.code).or_insert(0);
        *n += 1;
        if *n <= MAX_DIAGNOSTICS_PER_CODE {
            kept.push(d);
        } else if let Some(entry) = dropped.iter_mut().find(|e| e.0 == d.code) {
            entry.1 = entry.1.max(d.severity);
            entry.2 += 1;
        } else {
            dropped.push((d.code, d.severity, 1, (d.line, d.column)));
        }
    }
    for (code, severity, count, (line, column)) in dropped {
        let mut note = Diagnostic::new(
            severity,
            code,
            path,
            format!("{count} more `{code}` diagnostics in this file are not shown (only the first {MAX_DIAGNOSTICS_PER_CODE} are)"),
        )
        .help("fix the ones shown and run again");
        // Sorted where the first one not shown was.
        note.line = line;
        note.column = column;
        kept.push(note);
    }
    kept
}

/// Compiles every Markdown file under `input` (skipping `skip`, such as an output folder
/// inside it). Diagnostics are sorted by file and position.
pub fn compile_dir(input: &Path, skip: Option<&Path>, options: &Options) -> Compiled {
    let mut diagnostics = Vec::new();
    let files = load::walk(input, skip, &options.pages, &mut diagnostics);
    let env = extract::Env {
        site: extract::links::Site::new(&options.base_url),
        known: Some(files.iter().map(|(_, rel)| rel.clone()).collect()),
        root: Some(input.to_path_buf()),
    };
    let budget = budget::Budget::new(budget::PAGE_BUDGET);
    // Each file on its own, `options.jobs` at a time; results are taken in file order, so
    // the catalog and the diagnostics are the same for any number of jobs.
    let results: Vec<(Option<Document>, Vec<Diagnostic>, bool)> = options.pool().install(|| {
        files
            .par_iter()
            .map(|(abs, rel)| {
                let mut diags = Vec::new();
                let Some(file) = load::read(abs, rel, options.max_file_size, &mut diags) else {
                    return (None, diags, false);
                };
                let _share = budget.take(budget::cost(&file.text));
                let (mut doc, more) = compile_file_with(&file, &env, options);
                diags.extend(more);
                refuse_index_page(&mut doc, &mut diags);
                settle_front_matter(doc.as_ref(), &mut diags);
                (doc, diags, true)
            })
            .collect()
    });
    let mut documents = Vec::new();
    let mut skipped = 0;
    for (doc, diags, read) in results {
        diagnostics.extend(diags);
        match doc {
            Some(d) => documents.push(d),
            None if read => skipped += 1,
            None => {}
        }
    }
    diagnostics.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    Compiled {
        catalog: Catalog {
            format: FORMAT,
            documents,
        },
        diagnostics,
        files: files.len(),
        skipped,
    }
}
