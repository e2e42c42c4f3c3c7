//! Render: the model to output files. Each renderer reads only the model.

pub mod csv;
pub mod html;
pub mod json;
pub mod markdown;
pub mod md;
pub mod safe_html;
pub mod templates;
pub mod tracker;
pub mod tree;
pub mod view;

use std::path::Path;
use std::str::FromStr;

use tera::Tera;

use crate::model::{Catalog, Document};
use crate::Error;
use markdown::Digest;
pub use view::IndexDoc;

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Md,
    Csv,
    Html,
    Json,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Md, Format::Csv, Format::Html, Format::Json];

    pub fn name(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Json => "json",
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Md),
            "csv" => Ok(Format::Csv),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "unknown format `{other}` (expected md, csv, html or json)"
            )),
        }
    }
}

/// One file to write, its path relative to OUTPUT with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Renders the catalog in every format asked for, with the generic backlog only.
pub fn render(
    catalog: &Catalog,
    formats: &[Format],
    templates: Option<&Path>,
) -> Result<Vec<OutputFile>, Error> {
    render_with(catalog, formats, templates, &tracker::Options::default())
}

/// Renders the catalog in every format asked for; `backlogs` says which backlogs the csv
/// format writes (`--tracker`, `--ado-process`, `--csv-bom`).
pub fn render_with(
    catalog: &Catalog,
    formats: &[Format],
    templates: Option<&Path>,
    backlogs: &tracker::Options,
) -> Result<Vec<OutputFile>, Error> {
    render_checked(catalog, formats, templates, backlogs).map(|(files, _)| files)
}

/// [`render_with`], with the warnings of rendering: a `tracker-limit` warning for each
/// tracker description shortened to fit ([`tracker::limit`]).
pub fn render_checked(
    catalog: &Catalog,
    formats: &[Format],
    templates: Option<&Path>,
    backlogs: &tracker::Options,
) -> Result<(Vec<OutputFile>, Vec<crate::diag::Diagnostic>), Error> {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let tera = templates_for(formats, templates)?;
    // The views, only for the formats that fill templates.
    let docs = match &tera {
        Some(_) => view::catalog(catalog),
        None => Vec::new(),
    };
    for format in formats {
        match (format, &tera) {
            (Format::Md, Some(t)) => out.extend(md::render(t, &docs)?),
            (Format::Html, Some(t)) => out.extend(html::render(t, &docs)?),
            (Format::Csv, _) => {
                let (files, found) = tracker::render_checked(catalog, backlogs)?;
                out.extend(files);
                warnings.extend(found);
            }
            (Format::Json, _) => out.push(json::render(catalog)?),
            _ => {}
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((out, warnings))
}

/// Renders a document at a time, for a build that streams: each document's own files (its
/// Markdown checklist and HTML page), its parts of the whole-catalog files
/// (`checklist.json`, `backlog.csv`) and what the indexes show of it. Concatenated in
/// catalog order, the parts give the bytes [`render_with`] gives (a test checks it).
/// The generic backlog only: the tracker profiles plan across the whole catalog.
pub struct Renderer {
    formats: Vec<Format>,
    tera: Option<Tera>,
    chrome: Option<html::Chrome>,
    csv_bom: bool,
    /// The build reads a progress file: `backlog.csv` has its `status` and `note` columns.
    progress: bool,
}

/// What one document contributes to the output.
#[derive(Debug)]
pub struct DocOutput {
    /// Its own files: the Markdown checklist and the HTML page.
    pub files: Vec<OutputFile>,
    /// Its entry in `checklist.json` ([`json::fragment`]).
    pub json: Option<Vec<u8>>,
    /// Its rows of `backlog.csv` ([`csv::rows`]).
    pub csv: Option<Vec<u8>>,
    /// What the indexes show of it, when an index is written.
    pub index: Option<IndexDoc>,
}

/// Where a document's files go as they are rendered ([`Renderer::document_to`]): the
/// build's staging folder, or its comparison with OUTPUT for `build --check`.
pub trait FileOut: Sync {
    /// Writes the file `path` (relative to OUTPUT) with the bytes `write` gives it; an
    /// error of `write`, or of writing, leaves the file out.
    fn write_with(
        &self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> Result<(), Error>,
    ) -> Result<(), Error>;
}

impl Renderer {
    /// Loads the templates when a format needs them. `csv_bom`: `backlog.csv` starts with
    /// a byte order mark (`--csv-bom`).
    pub fn new(
        formats: &[Format],
        templates: Option<&Path>,
        csv_bom: bool,
    ) -> Result<Renderer, Error> {
        let mut formats = formats.to_vec();
        formats.sort();
        formats.dedup();
        let tera = templates_for(&formats, templates)?;
        let chrome = match (&tera, formats.contains(&Format::Html)) {
            (Some(t), true) => Some(html::Chrome::new(t)?),
            _ => None,
        };
        Ok(Renderer {
            formats,
            tera,
            chrome,
            csv_bom,
            progress: false,
        })
    }

    /// With `true`, `backlog.csv`'s header has the progress columns (the build reads a
    /// progress file, so every item's `progress` is set).
    pub fn with_progress(mut self, progress: bool) -> Renderer {
        self.progress = progress;
        self
    }

    pub fn wants(&self, format: Format) -> bool {
        self.formats.contains(&format)
    }

    /// What `backlog.csv` starts with: the byte order mark when asked for, and the header.
    pub fn csv_head(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        if self.csv_bom {
            out.extend_from_slice("\u{feff}".as_bytes());
        }
        out.extend(csv::header_with(self.progress)?);
        Ok(out)
    }

    /// Renders one document's files and parts.
    pub fn document(&self, doc: &Document) -> Result<DocOutput, Error> {
        self.document_with(doc, &view::digests(doc))
    }

    /// [`Renderer::document`] with each item body's digest already made
    /// ([`view::digests`]).
    pub fn document_with(&self, doc: &Document, digests: &[Digest]) -> Result<DocOutput, Error> {
        self.document_parts(doc, digests, None)
    }

    /// [`Renderer::document_with`], with the document's pages written into `out` as they
    /// are rendered rather than returned in [`DocOutput::files`] (left empty): a page of
    /// many items is many times the size of its Markdown, and is never held whole.
    pub fn document_to(
        &self,
        doc: &Document,
        digests: &[Digest],
        out: &dyn FileOut,
    ) -> Result<DocOutput, Error> {
        self.document_parts(doc, digests, Some(out))
    }

    fn document_parts(
        &self,
        doc: &Document,
        digests: &[Digest],
        out: Option<&dyn FileOut>,
    ) -> Result<DocOutput, Error> {
        let mut files = Vec::new();
        let mut index = None;
        if let Some(tera) = &self.tera {
            let view = view::document(doc, digests);
            index = Some(IndexDoc::new(&view));
            let mut ctx = tera::Context::new();
            ctx.insert("doc", &view);
            // The templates read the context's copy: the view is let go before they run
            // (on a page of many short items, it is an eighth of what rendering holds).
            let (page, md_page) = (view.page, view.md_page);
            drop(view.sections);
            if self.wants(Format::Md) {
                let file = md::page(tera, &md_page, &ctx)?;
                match out {
                    Some(out) => out.write_with(&file.path, &mut |w| {
                        w.write_all(&file.bytes)
                            .map_err(|e| Error::Render(e.to_string()))
                    })?,
                    None => files.push(file),
                }
            }
            if let Some(chrome) = &self.chrome {
                chrome.insert(&mut ctx);
                match out {
                    Some(out) => out.write_with(&format!("html/{page}"), &mut |w| {
                        html::page_to(tera, chrome, &ctx, w)
                    })?,
                    None => files.push(html::page(tera, chrome, &page, &ctx)?),
                }
            }
        }
        Ok(DocOutput {
            files,
            json: match self.wants(Format::Json) {
                true => Some(json::fragment(doc)?),
                false => None,
            },
            csv: match self.wants(Format::Csv) {
                true => Some(csv::rows(doc)?),
                false => None,
            },
            index,
        })
    }

    /// The indexes' values ([`view::IndexValues`]) of every document, in catalog order;
    /// `None` when no index is written.
    pub fn index_values(&self, docs: Vec<IndexDoc>) -> Option<view::IndexValues> {
        self.tera
            .as_ref()
            .map(|_| view::IndexValues::new(docs, self.chrome.is_some()))
    }

    /// `checklists/index.md`, when Markdown is asked for.
    pub fn md_index(&self, values: &view::IndexValues) -> Result<Option<OutputFile>, Error> {
        match (&self.tera, self.wants(Format::Md)) {
            (Some(tera), true) => md::index(tera, values).map(Some),
            _ => Ok(None),
        }
    }

    /// Whether `html/index.html` is written ([`Renderer::html_index_to`]).
    pub fn wants_html_index(&self) -> bool {
        self.chrome.is_some()
    }

    /// `html/index.html` into `out` as it is rendered.
    pub fn html_index_to(
        &self,
        values: &view::IndexValues,
        out: &mut dyn std::io::Write,
    ) -> Result<(), Error> {
        match (&self.tera, &self.chrome) {
            (Some(tera), Some(chrome)) => html::index_to(tera, chrome, values, out),
            _ => Ok(()),
        }
    }
}

/// The templates, loaded only when a format asked for fills them (md, html).
fn templates_for(formats: &[Format], dir: Option<&Path>) -> Result<Option<tera::Tera>, Error> {
    let needs = formats
        .iter()
        .any(|f| matches!(f, Format::Md | Format::Html));
    needs.then(|| templates::load(dir)).transpose()
}
