//! checkdown compiles Learn-style Markdown documentation into checklists.
//!
//! The pipeline runs one way: load (walk, read, front matter) -> parse (one pulldown-cmark
//! pass into a block tree) -> extract (recognizers: tab groups, checklist blocks, anchors,
//! callouts) -> model (plain data) -> lock (ids that survive rewording, see [`lock`]) ->
//! render (md, csv, html, json) -> write (atomic).
#![forbid(unsafe_code)]

pub mod diag;
pub mod diff;
pub mod extract;
pub mod load;
pub mod lock;
pub mod model;
pub mod parse;
pub mod render;
#[cfg(feature = "watch")]
pub mod watch;
pub mod write;

use std::path::Path;

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
}

/// Settings of a compile.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files larger than this are refused with a diagnostic.
    pub max_file_size: u64,
    /// Where the pages are published (`--base-url`).
    pub base_url: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: 16 * 1024 * 1024,
            base_url: extract::links::DEFAULT_BASE.to_string(),
        }
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
    let mut diags = Vec::new();
    match load::from_bytes(path, text.as_bytes().to_vec(), &mut diags) {
        Some(file) => {
            let (doc, more) = compile_file(&file, &extract::Env::default());
            diags.extend(more);
            (doc, diags)
        }
        None => (None, diags),
    }
}

/// Parses and extracts one loaded file.
pub fn compile_file(
    file: &load::SourceFile,
    env: &extract::Env,
) -> (Option<Document>, Vec<Diagnostic>) {
    let blocks = parse::parse(&file.text, file.body_start);
    extract::extract(file, &blocks, env)
}

/// Compiles every Markdown file under `input` (skipping `skip`, such as an output folder
/// inside it). Diagnostics are sorted by file and position.
pub fn compile_dir(input: &Path, skip: Option<&Path>, options: &Options) -> Compiled {
    let mut diagnostics = Vec::new();
    let files = load::walk(input, skip, &mut diagnostics);
    let env = extract::Env {
        site: extract::links::Site::new(&options.base_url),
        known: Some(files.iter().map(|(_, rel)| rel.clone()).collect()),
    };
    let mut documents = Vec::new();
    let mut skipped = 0;
    for (abs, rel) in &files {
        let Some(file) = load::read(abs, rel, options.max_file_size, &mut diagnostics) else {
            continue;
        };
        let (doc, diags) = compile_file(&file, &env);
        diagnostics.extend(diags);
        match doc {
            Some(d) => documents.push(d),
            None => skipped += 1,
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
