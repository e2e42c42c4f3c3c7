//! Render: the model to output files. Each renderer reads only the model.

pub mod csv;
pub mod html;
pub mod json;
pub mod markdown;
pub mod md;
pub mod safe_html;
pub mod templates;
pub mod tracker;
pub mod view;

use std::path::Path;
use std::str::FromStr;

use crate::model::Catalog;
use crate::Error;

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
    let mut out = Vec::new();
    let needs_templates = formats
        .iter()
        .any(|f| matches!(f, Format::Md | Format::Html));
    let tera = if needs_templates {
        Some(templates::load(templates)?)
    } else {
        None
    };
    let docs = view::catalog(catalog);
    for format in formats {
        match (format, &tera) {
            (Format::Md, Some(t)) => out.extend(md::render(t, &docs)?),
            (Format::Html, Some(t)) => out.extend(html::render(t, &docs)?),
            (Format::Csv, _) => out.extend(tracker::render(catalog, backlogs)?),
            (Format::Json, _) => out.push(json::render(catalog)?),
            _ => {}
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
