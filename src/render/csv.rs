//! The generic backlog: one CSV row per item, RFC 4180, safe to open in a spreadsheet.

use super::OutputFile;
use crate::model::{Callout, CalloutKind, Catalog, Document};
use crate::Error;

/// The generic backlog's columns. `checked` is `true` when the source marks the item done;
/// `parent` the id of the item it is nested in; `group` the caption over its list;
/// `variants` its moniker or pivot branches joined with `;`; `summary` the text after its
/// link (each empty when the item has none).
pub const COLUMNS: [&str; 14] = [
    "id",
    "document",
    "section",
    "level",
    "title",
    "description",
    "trade-offs",
    "risks",
    "source",
    "checked",
    "parent",
    "group",
    "variants",
    "summary",
];

/// Neutralizes a cell a spreadsheet would execute (leading `=`, `+`, `-`, `@`, tab or CR)
/// by prefixing a single quote, as OWASP recommends.
pub fn neutralize(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The columns added when the build reads a progress file: the item's status (`open`
/// where the file says nothing of it) and the note.
pub const PROGRESS_COLUMNS: [&str; 2] = ["status", "note"];

/// Whether the catalog's items carry progress (the build read a progress file).
fn has_progress(catalog: &Catalog) -> bool {
    catalog
        .documents
        .iter()
        .flat_map(|d| &d.sections)
        .flat_map(|s| &s.items)
        .any(|i| i.progress.is_some())
}

fn joined(callouts: &[Callout], kind: CalloutKind) -> String {
    callouts
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}

pub fn render(catalog: &Catalog) -> Result<OutputFile, Error> {
    let mut w = writer();
    write_header(&mut w, has_progress(catalog))?;
    for doc in &catalog.documents {
        write_rows(&mut w, doc)?;
    }
    let bytes = w.into_inner().map_err(err)?;
    Ok(OutputFile {
        path: PATH.to_string(),
        bytes,
    })
}

/// One row per item of `doc`.
fn write_rows(w: &mut csv::Writer<Vec<u8>>, doc: &Document) -> Result<(), Error> {
    for s in &doc.sections {
        for it in &s.items {
            let level = s.level.map(|l| l.to_string()).unwrap_or_default();
            let source = format!("{}:{}", doc.path, it.source.line);
            let variants = it.variants.join(";");
            let row = [
                it.id.as_str(),
                doc.title.as_str(),
                s.title.as_str(),
                level.as_str(),
                it.title.as_str(),
                &crate::render::view::full_body(it),
                &joined(&it.callouts, CalloutKind::TradeOff),
                &joined(&it.callouts, CalloutKind::Risk),
                source.as_str(),
                if it.checked { "true" } else { "false" },
                it.parent.as_deref().unwrap_or_default(),
                it.group.as_deref().unwrap_or_default(),
                variants.as_str(),
                it.summary.as_deref().unwrap_or_default(),
            ];
            let progress = it.progress.as_ref().map(|p| match p {
                Some(p) => (p.status.as_str(), p.note.as_deref().unwrap_or_default()),
                None => ("open", ""),
            });
            let extra = progress.iter().flat_map(|(status, note)| [*status, *note]);
            w.write_record(row.into_iter().chain(extra).map(neutralize))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Where the generic backlog goes, relative to OUTPUT.
pub const PATH: &str = "backlog.csv";

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::Render(e.to_string())
}

/// The header row of `backlog.csv`.
pub fn header() -> Result<Vec<u8>, Error> {
    header_with(false)
}

/// The header row, with the progress columns when `progress`.
pub fn header_with(progress: bool) -> Result<Vec<u8>, Error> {
    let mut w = writer();
    write_header(&mut w, progress)?;
    w.into_inner().map_err(err)
}

fn write_header(w: &mut csv::Writer<Vec<u8>>, progress: bool) -> Result<(), Error> {
    let extra: &[&str] = if progress { &PROGRESS_COLUMNS } else { &[] };
    w.write_record(COLUMNS.iter().chain(extra)).map_err(err)
}

/// One document's rows of `backlog.csv`. Records are independent, so the header and each
/// document's rows, concatenated in catalog order, are the bytes of [`render`].
pub fn rows(doc: &Document) -> Result<Vec<u8>, Error> {
    let mut w = writer();
    write_rows(&mut w, doc)?;
    w.into_inner().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn neutralizes() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+SUM(A1)"), "'+SUM(A1)");
        assert_eq!(neutralize("-2+3"), "'-2+3");
        assert_eq!(neutralize("@cmd"), "'@cmd");
        assert_eq!(neutralize("\tx"), "'\tx");
        assert_eq!(neutralize("\rx"), "'\rx");
        assert_eq!(neutralize("safe"), "safe");
    }
}
