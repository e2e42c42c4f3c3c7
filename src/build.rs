//! Build: compile INPUT with its lock, render, and write OUTPUT and the lock, a document at
//! a time.
//!
//! Files are read, compiled, given their ids ([`lock::apply_document`]) and rendered in
//! bounded chunks, `--jobs` at once, and taken in path order: each document's own files (its
//! Markdown checklist and HTML page) go to the output at once, its parts of
//! `checklist.json` and `backlog.csv` are appended to those files, its part of the lock is
//! set aside in a scratch file, and only a slim summary of it stays for the indexes. Then
//! the lock entries of documents that did not come up are settled ([`lock::settle`]), the
//! indexes and the lock written, and the output committed ([`Staging::commit`]) or, with
//! `--check`, compared ([`Compare`]). So a build holds a chunk of documents at a time,
//! never the corpus, and writes the same bytes for any number of jobs, the bytes of
//! [`crate::render::render_with`] over the whole catalog with the lock applied.
//!
//! Tracker profiles other than `generic` plan parents and split files across the whole
//! catalog: when one is asked for, the build compiles the whole catalog in memory
//! ([`lock::compile`], [`crate::render::render_with`]) and writes through the same staging.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{Diagnostic, Severity};
use crate::lock::{self, Entry, OldLock};
use crate::render::tracker::{self, Tracker};
use crate::render::{self, Format, IndexDoc, OutputFile, Renderer};
use crate::write::{self, Compare, Staging, Stream};
use crate::{extract, load, Error, Options};

/// What to build.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// INPUT.
    pub input: &'a Path,
    /// A folder inside INPUT not to read (OUTPUT, when it is there).
    pub skip: Option<&'a Path>,
    pub options: &'a Options,
    /// The lock file.
    pub lock: &'a Path,
    /// OUTPUT; `None` only reports (the `check` command: nothing is rendered or written).
    pub output: Option<&'a Path>,
    pub formats: &'a [Format],
    pub templates: Option<&'a Path>,
    pub backlogs: &'a tracker::Options,
    /// `build --check`: compare OUTPUT and the lock instead of writing them.
    pub check: bool,
    /// The progress file read (`build --progress`): every item gets its `progress`.
    pub progress: Option<&'a crate::progress::Progress>,
}

/// What the lock said and became.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockOutcome {
    /// The lock file already holds what the build would write.
    pub current: bool,
    /// The lock file was written.
    pub written: bool,
    /// Items the lock did not know, items that kept their id through a rename, and
    /// vanished items reported removed.
    pub added: usize,
    pub renamed: usize,
    pub removed: usize,
}

/// What a build did.
#[derive(Debug, Default)]
pub struct Built {
    /// Sorted by file and position; paths relative to INPUT.
    pub diagnostics: Vec<Diagnostic>,
    /// Markdown files found.
    pub files: usize,
    /// Files that hold no checklist.
    pub skipped: usize,
    pub documents: usize,
    pub items: usize,
    /// What the write did (nothing with `check`).
    pub report: write::Report,
    /// With `check`: output files out of date, sorted.
    pub stale: Vec<String>,
    pub lock: LockOutcome,
    /// The ids of the progress file's entries that an item has (the others are stale).
    pub progress_matched: BTreeSet<String>,
}

/// Builds (see the module's comment).
pub fn build(req: &Request) -> Result<Built, Error> {
    let whole = req.output.is_some()
        && req.formats.contains(&Format::Csv)
        && req.backlogs.trackers.iter().any(|t| *t != Tracker::Generic);
    if whole {
        build_whole(req)
    } else {
        build_streamed(req)
    }
}

/// Where files go: staged for writing, or compared (`--check`).
enum Sink {
    Stage(Staging),
    Compare(Compare),
}

impl Sink {
    fn new(out: &Path, check: bool) -> Result<Sink, Error> {
        Ok(match check {
            true => Sink::Compare(Compare::new(out)),
            false => Sink::Stage(Staging::create(out)?),
        })
    }

    fn file(&self, f: &OutputFile) -> Result<(), Error> {
        match self {
            Sink::Stage(s) => s.file(f),
            Sink::Compare(c) => {
                c.file(f);
                Ok(())
            }
        }
    }

    fn stream(&self, rel: &str) -> Result<Stream, Error> {
        match self {
            Sink::Stage(s) => s.stream(rel),
            Sink::Compare(c) => Ok(c.stream(rel)),
        }
    }

    fn end(&self, stream: Stream) -> Result<(), Error> {
        match self {
            Sink::Stage(s) => s.end(stream),
            Sink::Compare(c) => c.end(stream),
        }
    }

    /// Scratch space for the lock's parts that goes away with the build: a file in the
    /// staging folder, or memory for `--check`, which writes nothing anywhere.
    fn scratch(&self) -> Option<PathBuf> {
        match self {
            Sink::Stage(s) => Some(s.dir().join(".lock-sections")),
            Sink::Compare(_) => None,
        }
    }

    /// Commits, with the new lock when it changed (or, for `--check`, lists the stale
    /// files). Returns whether the lock was written.
    fn finish(
        self,
        built: &mut Built,
        lock: &Path,
        new_lock: Option<write::Beside>,
    ) -> Result<bool, Error> {
        let written = new_lock.is_some();
        match self {
            Sink::Stage(s) => built.report = s.commit_with(Some(lock), new_lock)?,
            Sink::Compare(c) => {
                built.stale = c.stale();
                return Ok(false);
            }
        }
        Ok(written)
    }
}

impl render::FileOut for Sink {
    fn write_with(
        &self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut stream = self.stream(path)?;
        write(&mut stream)?;
        self.end(stream)
    }
}

/// One file's result, in the order of files.
#[derive(Default)]
struct Done {
    diagnostics: Vec<Diagnostic>,
    /// The file was read (so, without a document, it is skipped).
    read: bool,
    doc: Option<DocDone>,
}

/// What stays of a document once it is rendered.
struct DocDone {
    path: String,
    items: usize,
    json: Option<Vec<u8>>,
    csv: Option<Vec<u8>>,
    index: Option<IndexDoc>,
    /// Its part of the new lock's text.
    lock: String,
    /// Misfiled lock entries its items took their ids from.
    used: Vec<String>,
    /// Its items' ids the progress file has.
    matched: Vec<String>,
    added: usize,
    renamed: usize,
    removed: usize,
}

/// Everything a worker needs to take a file from its path to its parts.
struct Worker<'a> {
    options: &'a Options,
    env: &'a extract::Env,
    old: &'a OldLock,
    /// Paths with errors found while walking INPUT.
    walk_errors: &'a BTreeSet<String>,
    renderer: Option<&'a Renderer>,
    sink: Option<&'a Sink>,
    progress: Option<&'a crate::progress::Progress>,
    /// Bytes of Markdown compiled at once ([`crate::budget`]).
    budget: &'a crate::budget::Budget,
    /// The one thread that compiles pages whose [`crate::budget::cost`] is
    /// [`crate::budget::LARGE_PAGE`] or more.
    large: &'a rayon::ThreadPool,
}

impl Worker<'_> {
    fn run(&self, abs: &Path, rel: &str) -> Result<Done, Error> {
        let mut diagnostics = Vec::new();
        let Some(file) = load::read(abs, rel, self.options.max_file_size, &mut diagnostics) else {
            return Ok(Done {
                diagnostics,
                ..Done::default()
            });
        };
        // Large pages run on one thread, so that the allocator reuses the memory the last
        // one gave back (each thread allocates from its own arena, which keeps it).
        let cost = crate::budget::cost(&file.text);
        if cost >= crate::budget::LARGE_PAGE {
            return self.large.install(|| self.compile(file, cost, diagnostics));
        }
        self.compile(file, cost, diagnostics)
    }

    /// Compiles and renders a page read, holding its share of the budget until its files
    /// are written and its parts made.
    fn compile(
        &self,
        file: load::SourceFile,
        cost: u64,
        mut diagnostics: Vec<Diagnostic>,
    ) -> Result<Done, Error> {
        let _share = self.budget.take(cost);
        let (mut doc, more) = crate::compile_file_with(&file, self.env, self.options);
        drop(file);
        diagnostics.extend(more);
        crate::refuse_index_page(&mut doc, &mut diagnostics);
        crate::settle_front_matter(doc.as_ref(), &mut diagnostics);
        let Some(mut doc) = doc else {
            return Ok(Done {
                diagnostics,
                read: true,
                doc: None,
            });
        };
        let keep = self.walk_errors.contains(&doc.path)
            || diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error && d.path == doc.path);
        let filed = self.old.document(&doc.path)?;
        // Each item body is parsed once, for the lock's text and the pages' HTML.
        let digests = match self.renderer {
            Some(_) => render::view::digests(&doc),
            None => Vec::new(),
        };
        let mut applied = match self.renderer {
            Some(_) => {
                let plain: Vec<&str> = digests.iter().map(|d| d.plain_start.as_str()).collect();
                lock::apply_document_with(&mut doc, &filed, self.old.misfiled(), keep, &plain)
            }
            None => lock::apply_document(&mut doc, &filed, self.old.misfiled(), keep),
        };
        drop(filed);
        diagnostics.extend(applied.notes());
        diagnostics.extend(crate::ids::unique(
            &mut doc,
            &mut applied.entries,
            &applied.added,
            &|id| self.old.owner(id),
        ));
        let lock = lock::section_text(&doc.path, applied.entries.values());
        let matched = match self.progress {
            Some(p) => {
                p.apply_document(&mut doc);
                matched_ids(p, std::slice::from_ref(&doc))
            }
            None => Vec::new(),
        };
        // A renderer and a sink come together (both from OUTPUT): the pages are written into
        // the sink as they are rendered.
        let parts = match (self.renderer, self.sink) {
            (Some(r), Some(sink)) => Some(r.document_to(&doc, &digests, sink)?),
            _ => None,
        };
        let (json, csv, index) = match parts {
            Some(p) => (p.json, p.csv, p.index),
            None => (None, None, None),
        };
        Ok(Done {
            diagnostics,
            read: true,
            doc: Some(DocDone {
                items: doc.sections.iter().map(|s| s.items.len()).sum(),
                path: doc.path,
                json,
                csv,
                index,
                lock,
                used: applied.used,
                matched,
                added: applied.added.len(),
                renamed: applied.renamed.len(),
                removed: applied.removed.len(),
            }),
        })
    }
}

/// Documents compiled at once per thread before their parts are taken in order.
const CHUNK_PER_THREAD: usize = 32;

/// The parts taken in order so far.
struct Merge {
    built: Built,
    diagnostics: Vec<Diagnostic>,
    json: Option<Stream>,
    json_docs: usize,
    csv: Option<Stream>,
    sections: Option<Sections>,
    index: Vec<IndexDoc>,
    /// Documents compiled, misfiled lock entries taken, paths with errors.
    seen: BTreeSet<String>,
    used: BTreeSet<String>,
    error_paths: BTreeSet<String>,
}

impl Merge {
    /// Takes a chunk's results, in the order of files.
    fn take(&mut self, results: Vec<Result<Done, Error>>) -> Result<(), Error> {
        for done in results {
            let done = done?;
            self.error_paths.extend(errors(&done.diagnostics));
            self.diagnostics.extend(done.diagnostics);
            let Some(doc) = done.doc else {
                if done.read {
                    self.built.skipped += 1;
                }
                continue;
            };
            self.built.documents += 1;
            self.built.items += doc.items;
            self.built.lock.added += doc.added;
            self.built.lock.renamed += doc.renamed;
            self.built.lock.removed += doc.removed;
            if let (Some(stream), Some(part)) = (&mut self.json, &doc.json) {
                stream.push(render::json::separator(self.json_docs));
                stream.push(part);
                self.json_docs += 1;
            }
            if let (Some(stream), Some(part)) = (&mut self.csv, &doc.csv) {
                stream.push(part);
            }
            if let Some(s) = &mut self.sections {
                s.push(&doc.path, &doc.lock)?;
            }
            self.index.extend(doc.index);
            self.used.extend(doc.used);
            self.built.progress_matched.extend(doc.matched);
            self.seen.insert(doc.path);
        }
        Ok(())
    }
}

fn build_streamed(req: &Request) -> Result<Built, Error> {
    let options = req.options;
    let pool = options.pool();
    // The lock is read (a lock that does not parse stops the build before anything is
    // written) while INPUT is walked.
    let (old, (files, walked)) = pool.install(|| {
        rayon::join(
            || OldLock::open(req.lock),
            || {
                let mut diagnostics = Vec::new();
                let files = load::walk(req.input, req.skip, &options.pages, &mut diagnostics);
                (files, diagnostics)
            },
        )
    });
    let old = old?.unwrap_or_default();
    let env = extract::Env {
        site: extract::links::Site::new(&options.base_url),
        known: Some(files.iter().map(|(_, rel)| rel.clone()).collect()),
        root: Some(req.input.to_path_buf()),
    };
    let walk_errors: BTreeSet<String> = errors(&walked);
    let renderer = match req.output {
        Some(_) => Some(
            Renderer::new(req.formats, req.templates, req.backlogs.csv_bom)?
                .with_progress(req.progress.is_some()),
        ),
        None => None,
    };
    let sink = match req.output {
        Some(out) => Some(Sink::new(out, req.check)?),
        None => None,
    };
    let wants = |f: Format| renderer.as_ref().is_some_and(|r| r.wants(f));
    let mut merge = Merge {
        built: Built {
            files: files.len(),
            ..Built::default()
        },
        diagnostics: walked.into_iter().chain(lock_warnings(&old, req)).collect(),
        json: None,
        json_docs: 0,
        csv: None,
        sections: None,
        index: Vec::new(),
        seen: BTreeSet::new(),
        used: BTreeSet::new(),
        error_paths: walk_errors.clone(),
    };
    if let (Some(sink), Some(renderer)) = (&sink, &renderer) {
        if wants(Format::Json) {
            let mut stream = sink.stream(render::json::PATH)?;
            stream.push(&render::json::head());
            merge.json = Some(stream);
        }
        if wants(Format::Csv) {
            let mut stream = sink.stream(render::csv::PATH)?;
            stream.push(&renderer.csv_head()?);
            merge.csv = Some(stream);
        }
        merge.sections = Some(Sections::create(sink.scratch())?);
    }

    let worker = Worker {
        options,
        env: &env,
        old: &old,
        walk_errors: &walk_errors,
        renderer: renderer.as_ref(),
        sink: sink.as_ref(),
        progress: req.progress,
        budget: &crate::budget::Budget::new(crate::budget::PAGE_BUDGET),
        large: &Options {
            jobs: 1,
            ..Options::default()
        }
        .pool(),
    };
    // Each chunk is compiled and rendered while the one before is taken in order.
    let chunk = (options.threads() * CHUNK_PER_THREAD).max(1);
    let mut pending: Option<Vec<Result<Done, Error>>> = None;
    for batch in files.chunks(chunk) {
        let before = pending.take();
        let (results, taken) = pool.install(|| {
            rayon::join(
                || {
                    batch
                        .par_iter()
                        .map(|(abs, rel)| worker.run(abs, rel))
                        .collect::<Vec<_>>()
                },
                || before.map_or(Ok(()), |b| merge.take(b)),
            )
        });
        taken?;
        pending = Some(results);
    }
    if let Some(last) = pending {
        merge.take(last)?;
    }

    // The lock's entries of documents that did not come up.
    let settled = lock::settle(&old, &merge.seen, &merge.used, &merge.error_paths)?;
    let Merge {
        mut built,
        mut diagnostics,
        json,
        json_docs,
        csv,
        sections,
        index,
        ..
    } = merge;
    built.lock.removed += settled.removed.len();
    diagnostics.extend(settled.notes());
    diagnostics.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    built.diagnostics = diagnostics;
    drop(old);

    let (Some(sink), Some(renderer), Some(sections)) = (sink, renderer, sections) else {
        // `check`: nothing rendered, nothing written.
        return Ok(built);
    };
    if let Some(mut stream) = json {
        stream.push(render::json::tail(json_docs));
        sink.end(stream)?;
    }
    if let Some(stream) = csv {
        sink.end(stream)?;
    }
    // The indexes, and the lock's text, at once.
    let (indexes, lock) = pool.install(|| {
        rayon::join(
            || -> Result<(), Error> {
                let Some(values) = renderer.index_values(index) else {
                    return Ok(());
                };
                let (md, html) = rayon::join(
                    || -> Result<(), Error> {
                        if let Some(f) = renderer.md_index(&values)? {
                            sink.file(&f)?;
                        }
                        Ok(())
                    },
                    || -> Result<(), Error> {
                        if renderer.wants_html_index() {
                            use render::FileOut as _;
                            sink.write_with(render::html::INDEX, &mut |w| {
                                renderer.html_index_to(&values, w)
                            })?;
                        }
                        Ok(())
                    },
                );
                md.and(html)
            },
            || sections.finish(settled.kept, req.lock, req.check),
        )
    });
    indexes?;
    let lock = lock?;
    built.lock.current = lock.current;
    // The lock is put in place by the commit, before anything in OUTPUT changes, and put
    // back if the commit fails.
    built.lock.written = pool.install(|| sink.finish(&mut built, req.lock, lock.into_beside()))?;
    Ok(built)
}

/// A failure to write the lock, naming the lock and what to do.
fn lock_write(lock: &Path, e: Error) -> Error {
    Error::LockWrite {
        path: lock.display().to_string(),
        message: e.to_string(),
    }
}

/// The ids of the items of `docs` that `progress` has an entry for.
fn matched_ids(
    progress: &crate::progress::Progress,
    docs: &[crate::model::Document],
) -> Vec<String> {
    docs.iter()
        .flat_map(|d| &d.sections)
        .flat_map(|s| &s.items)
        .filter(|i| progress.items.contains_key(&i.id))
        .map(|i| i.id.clone())
        .collect()
}

/// The paths of the errors among `diagnostics`: the files whose lock entries are kept.
fn errors(diagnostics: &[Diagnostic]) -> BTreeSet<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.path.clone())
        .collect()
}

/// The warnings about the lock's entries left out as they repeat an earlier entry's id.
fn lock_warnings(old: &OldLock, req: &Request) -> Vec<Diagnostic> {
    let shown = shown_lock(req);
    old.duplicates()
        .iter()
        .map(|d| d.diagnostic(&shown))
        .collect()
}

/// The lock's path as diagnostics name it: relative to INPUT when it lies there (they are
/// shown joined to INPUT), else absolute.
fn shown_lock(req: &Request) -> String {
    let abs = std::path::absolute(req.lock).unwrap_or_else(|_| req.lock.to_path_buf());
    match abs.strip_prefix(req.input) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => abs.display().to_string(),
    }
}

/// The whole catalog in memory, for the tracker profiles that plan across it.
fn build_whole(req: &Request) -> Result<Built, Error> {
    let old = lock::read(req.lock)?.unwrap_or_default();
    let (mut compiled, applied) = lock::compile(req.input, req.skip, req.options, &old);
    let shown = shown_lock(req);
    compiled
        .diagnostics
        .extend(old.duplicates().iter().map(|d| d.diagnostic(&shown)));
    compiled
        .diagnostics
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    let mut progress_matched = BTreeSet::new();
    if let Some(p) = req.progress {
        p.apply(&mut compiled.catalog);
        progress_matched.extend(matched_ids(p, &compiled.catalog.documents));
    }
    let mut built = Built {
        progress_matched,
        files: compiled.files,
        skipped: compiled.skipped,
        documents: compiled.catalog.documents.len(),
        items: compiled.catalog.item_count(),
        lock: LockOutcome {
            added: applied.added.len(),
            renamed: applied.renamed.len(),
            removed: applied.removed.len(),
            ..LockOutcome::default()
        },
        ..Built::default()
    };
    let Some(out) = req.output else {
        built.diagnostics = compiled.diagnostics;
        return Ok(built);
    };
    let mut formats = req.formats.to_vec();
    formats.sort();
    formats.dedup();
    let pool = req.options.pool();
    // Rendering warns when a tracker's description had to be shortened.
    let (files, warnings) = pool.install(|| {
        render::render_checked(&compiled.catalog, &formats, req.templates, req.backlogs)
    })?;
    let sink = Sink::new(out, req.check)?;
    pool.install(|| files.par_iter().try_for_each(|f| sink.file(f)))?;
    drop(files);
    let text = applied.lock.to_text();
    let current = lock::read_bytes(req.lock).is_ok_and(|b| {
        let mut unix = Vec::new();
        b.is_some_and(|b| {
            std::io::Read::read_to_end(&mut lock::LfReader::new(&b[..]), &mut unix).is_ok()
                && unix == text.as_bytes()
        })
    });
    built.lock.current = current;
    // Written and synced beside the lock before the commit, which puts it in place.
    let new_lock = match !current && !req.check {
        true => Some(
            write::Beside::write(req.lock, text.as_bytes()).map_err(|e| lock_write(req.lock, e))?,
        ),
        false => None,
    };
    drop(text);
    built.lock.written = sink.finish(&mut built, req.lock, new_lock)?;
    built.diagnostics = compiled.diagnostics;
    built.diagnostics.extend(warnings);
    Ok(built)
}

/// The new lock's text, a document's part at a time: parts go to a scratch file (or, for
/// `--check`, memory) as they come (in the order of files), and are put in the lock's order
/// (by document path) at the end.
struct Sections {
    /// The scratch file; `None`: the parts are kept in `memory`.
    path: Option<PathBuf>,
    file: Option<BufWriter<File>>,
    memory: Vec<u8>,
    /// Document, offset and length of each part.
    parts: Vec<(String, u64, usize)>,
    at: u64,
}

impl Sections {
    fn create(path: Option<PathBuf>) -> Result<Sections, Error> {
        let file = match &path {
            Some(p) => Some(BufWriter::with_capacity(
                64 * 1024,
                crate::open::create_new(p).map_err(|e| io(p, e))?,
            )),
            None => None,
        };
        Ok(Sections {
            file,
            path,
            memory: Vec::new(),
            parts: Vec::new(),
            at: 0,
        })
    }

    /// What the scratch file's errors name.
    fn scratch_path(&self) -> &Path {
        self.path.as_deref().unwrap_or(Path::new("(memory)"))
    }

    fn push(&mut self, document: &str, text: &str) -> Result<(), Error> {
        if text.is_empty() {
            return Ok(());
        }
        match (&mut self.file, &self.path) {
            (Some(f), Some(path)) => f.write_all(text.as_bytes()).map_err(|e| io(path, e))?,
            _ => self.memory.extend_from_slice(text.as_bytes()),
        }
        self.parts.push((document.to_string(), self.at, text.len()));
        self.at += text.len() as u64;
        Ok(())
    }

    /// Ends the parts: the new lock, with the `kept` entries of documents that did not
    /// come up merged in, compared with the file at `lock`; unless `check`, written beside
    /// it when it differs, to be put in place by [`NewLock::commit`].
    fn finish(mut self, kept: Vec<Entry>, lock: &Path, check: bool) -> Result<NewLock, Error> {
        if let Some(w) = self.file.take() {
            let path = self.scratch_path().to_path_buf();
            let mut f = w.into_inner().map_err(|e| io(&path, e.into_error()))?;
            f.flush().map_err(|e| io(&path, e))?;
        }
        let mut extra: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
        for e in kept {
            extra.entry(e.document.clone()).or_default().push(e);
        }
        self.parts.sort_by(|a, b| a.0.cmp(&b.0));
        let mut compare = Compared::open(lock);
        self.emit(&extra, &mut |bytes| {
            compare.push(bytes);
            Ok(())
        })?;
        let current = compare.finish();
        let mut new = NewLock {
            lock: lock.to_path_buf(),
            tmp: None,
            current,
        };
        if current || check {
            return Ok(new);
        }
        let written = (|| -> Result<(), Error> {
            let dir = match lock.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            let tmp = write::temporary_path(lock, "tmp");
            let file = crate::open::create_new(&tmp).map_err(|e| io(&tmp, e))?;
            // Removed by `NewLock` if anything fails from here.
            new.tmp = Some(tmp.clone());
            let mut w = BufWriter::with_capacity(64 * 1024, file);
            self.emit(&extra, &mut |bytes| {
                w.write_all(bytes).map_err(|e| io(&tmp, e))
            })?;
            w.into_inner()
                .map_err(|e| io(&tmp, e.into_error()))?
                .sync_all()
                .map_err(|e| io(&tmp, e))
        })();
        written.map_err(|e| lock_write(lock, e))?;
        Ok(new)
    }

    /// The lock's text in order: the head, then each document's part (sorted parts and
    /// kept entries merged by document).
    fn emit(
        &self,
        extra: &BTreeMap<String, Vec<Entry>>,
        out: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let at = self.scratch_path();
        let mut scratch = match &self.path {
            Some(p) => Some(File::open(p).map_err(|e| io(p, e))?),
            None => None,
        };
        let mut read = |start: u64, len: usize| -> Result<Vec<u8>, Error> {
            let Some(scratch) = &mut scratch else {
                let start = usize::try_from(start).unwrap_or(usize::MAX);
                return self
                    .memory
                    .get(start..start.saturating_add(len))
                    .map(<[u8]>::to_vec)
                    .ok_or_else(|| io(at, std::io::ErrorKind::UnexpectedEof.into()));
            };
            let mut bytes = vec![0u8; len];
            scratch
                .seek(SeekFrom::Start(start))
                .and_then(|_| scratch.read_exact(&mut bytes))
                .map_err(|e| io(at, e))?;
            Ok(bytes)
        };
        out(lock::TEXT_HEAD.as_bytes())?;
        let mut parts = self.parts.iter().peekable();
        let mut extras = extra.iter().peekable();
        loop {
            // The next document in order: a part, kept entries, or both.
            let doc = match (parts.peek(), extras.peek()) {
                (Some(p), Some(e)) => p.0.as_str().min(e.0.as_str()),
                (Some(p), None) => p.0.as_str(),
                (None, Some(e)) => e.0.as_str(),
                (None, None) => break,
            };
            let part = parts.next_if(|p| p.0 == doc);
            let kept = extras.next_if(|e| e.0 == doc);
            match (part, kept) {
                (Some((_, start, len)), None) => out(&read(*start, *len)?)?,
                (part, kept) => {
                    // Kept entries go into the document's part, in key order.
                    let mut merged = lock::Lock::default();
                    if let Some((_, start, len)) = part {
                        let text = String::from_utf8(read(*start, *len)?)
                            .map_err(|e| io(at, std::io::Error::other(e)))?;
                        let parsed = lock::Lock::parse(&format!("{}{text}", lock::TEXT_HEAD))
                            .map_err(|e| io(at, std::io::Error::other(e.message)))?;
                        for e in parsed.entries() {
                            merged.insert(e.clone());
                        }
                    }
                    for e in kept.map(|k| k.1).into_iter().flatten() {
                        merged.insert(e.clone());
                    }
                    out(lock::section_text(doc, merged.entries()).as_bytes())?;
                }
            }
        }
        Ok(())
    }
}

impl Drop for Sections {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Bytes compared, as they come, with a file's (read through [`lock::LfReader`]).
struct Compared {
    file: Option<(lock::LfReader<File>, Vec<u8>)>,
    same: bool,
}

impl Compared {
    /// A lock that [`lock::open_lock`] refuses compares as different.
    fn open(path: &Path) -> Compared {
        let file = lock::open_lock(path)
            .ok()
            .flatten()
            .map(|f| (lock::LfReader::new(f), vec![0u8; 64 * 1024]));
        Compared {
            same: file.is_some(),
            file,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        let Some((r, buf)) = &mut self.file else {
            return;
        };
        let mut rest = bytes;
        while self.same && !rest.is_empty() {
            let n = rest.len().min(buf.len());
            let (now, later) = rest.split_at(n);
            self.same = match buf.get_mut(..n) {
                Some(b) => r.read_exact(b).is_ok() && b == now,
                None => false,
            };
            rest = later;
        }
    }

    /// Did the file hold exactly the bytes pushed (but for a BOM and CRLF line ends)?
    fn finish(mut self) -> bool {
        match &mut self.file {
            Some((r, buf)) => {
                self.same
                    && buf
                        .get_mut(..1)
                        .is_some_and(|b| r.read(b).is_ok_and(|n| n == 0))
            }
            None => false,
        }
    }
}

/// The new lock, ready to be put in place when it changed.
struct NewLock {
    lock: PathBuf,
    /// The new text, beside the lock, when it is to be written.
    tmp: Option<PathBuf>,
    current: bool,
}

impl NewLock {
    /// The new lock, for the commit to put in place, when it changed.
    fn into_beside(mut self) -> Option<write::Beside> {
        let tmp = self.tmp.take()?;
        Some(write::Beside::adopt(&self.lock, tmp))
    }
}

impl Drop for NewLock {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}
