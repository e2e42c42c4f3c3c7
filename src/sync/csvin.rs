//! Reading a tracker's CSV export: an optional UTF-8 byte order mark, a header row (columns
//! may repeat, as Jira's `Labels` do), quoted cells that span lines, every record as long as
//! the header; each record with the line it starts on.

use super::ExportError;

/// A CSV export: its header and its records, each with its first line.
pub struct Table {
    pub path: String,
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Every tracker's export, known by columns only it writes; `(tracker, columns)`.
const SIGNATURES: [(&str, &str, &[&str]); 3] = [
    ("jira", "a Jira export", &["Issue key", "Summary"]),
    (
        "azure-devops",
        "an Azure DevOps export",
        &["ID", "Work Item Type"],
    ),
    ("gitlab", "a GitLab export", &["Issue ID", "URL", "Title"]),
];

pub fn parse(path: &str, bytes: &[u8]) -> Result<Table, ExportError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if bytes.trim_ascii().is_empty() {
        return Err(ExportError::new(path, 1, "the export is empty"));
    }
    if bytes.trim_ascii_start().starts_with(b"[") || bytes.trim_ascii_start().starts_with(b"{") {
        return Err(ExportError::new(
            path,
            1,
            "this is JSON, not CSV: it looks like the output of `gh issue list --json`; pass --tracker github",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut lines = Lines::default();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map_or(line, |p| p.line() as usize);
                return Err(ExportError::new(path, at, format!("not CSV: {e}")));
            }
        }
        let line = record
            .position()
            .map_or(line, |p| lines.at(bytes, p.byte() as usize));
        let mut cells = Vec::with_capacity(record.len());
        for (n, cell) in record.iter().enumerate() {
            match std::str::from_utf8(cell) {
                Ok(s) => cells.push(s.to_string()),
                Err(_) => {
                    return Err(ExportError::new(
                        path,
                        line,
                        format!("cell {} is not UTF-8; export the file as UTF-8", n + 1),
                    ))
                }
            }
        }
        match &header {
            None => header = Some(cells.iter().map(|c| c.trim().to_string()).collect()),
            Some(h) => {
                if cells.len() == 1 && cells[0].is_empty() {
                    continue;
                }
                if cells.len() != h.len() {
                    return Err(ExportError::new(
                        path,
                        line,
                        format!(
                            "this row has {} cells and the header {}; the file is cut or was edited by hand",
                            cells.len(),
                            h.len()
                        ),
                    ));
                }
                rows.push((line, cells));
            }
        }
    }
    Ok(Table {
        path: path.to_string(),
        header: header.unwrap_or_default(),
        rows,
    })
}

/// Lines counted as the records come, in order: each count goes on from where the last
/// stopped, so the export is scanned once whatever its number of records.
#[derive(Default)]
struct Lines {
    /// A byte offset, and the number of line feeds before it.
    at: usize,
    feeds: usize,
}

impl Lines {
    /// The line (1-based) of the first character at or after `at` that ends no line. `at`
    /// may not go back (the reader's records come in order); one that does is counted
    /// from the start.
    fn at(&mut self, bytes: &[u8], at: usize) -> usize {
        let mut start = at.min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.at {
            *self = Lines::default();
        }
        self.feeds += memchr::memchr_iter(b'\n', &bytes[self.at..start]).count();
        self.at = start;
        1 + self.feeds
    }
}

impl Table {
    /// Every column named `name`, in order.
    pub fn all(&self, name: &str) -> Vec<usize> {
        (0..self.header.len())
            .filter(|&i| self.header[i] == name)
            .collect()
    }

    pub fn col(&self, name: &str) -> Option<usize> {
        self.all(name).into_iter().next()
    }

    /// The column `name`, or an error that names what the export is instead when it is
    /// another tracker's (`tracker`: this one's `--tracker` name; `what`: how its export is
    /// made).
    pub fn require(&self, name: &str, tracker: &str, what: &str) -> Result<usize, ExportError> {
        if let Some(i) = self.col(name) {
            return Ok(i);
        }
        for (other, label, cols) in SIGNATURES {
            if other != tracker && cols.iter().all(|c| self.col(c).is_some()) {
                return Err(ExportError::new(
                    &self.path,
                    1,
                    format!(
                        "this is {label}, not one of {tracker}: pass --tracker {other}, or export from {tracker} ({what})"
                    ),
                ));
            }
        }
        Err(ExportError::new(
            &self.path,
            1,
            format!("the header has no `{name}` column; {what} writes one"),
        ))
    }
}
