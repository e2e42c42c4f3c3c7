//! Tracker-ready backlogs: the generic CSV (`render::csv`) and one profile per tracker
//! (Jira, Azure DevOps, GitLab, GitHub). Every profile reads the same plan (`plan.rs`):
//! a section becomes a parent, its items the children, and every row carries the stable
//! id of what it came from. Each profile converts the Markdown descriptions to the markup
//! its tracker reads and splits files where its importer has a limit.

pub mod ado;
pub mod github;
pub mod gitlab;
pub mod jira;
pub mod limit;
pub mod plan;
pub mod wiki;

use std::str::FromStr;

use super::csv::neutralize;
use super::OutputFile;
use crate::diag::Diagnostic;
use crate::model::Catalog;
use crate::Error;

/// A backlog profile (`--tracker`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tracker {
    Generic,
    Jira,
    AzureDevOps,
    GitLab,
    GitHub,
}

impl Tracker {
    pub const ALL: [Tracker; 5] = [
        Tracker::Generic,
        Tracker::Jira,
        Tracker::AzureDevOps,
        Tracker::GitLab,
        Tracker::GitHub,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tracker::Generic => "generic",
            Tracker::Jira => "jira",
            Tracker::AzureDevOps => "azure-devops",
            Tracker::GitLab => "gitlab",
            Tracker::GitHub => "github",
        }
    }
}

impl FromStr for Tracker {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        Tracker::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown tracker `{s}` (expected generic, jira, azure-devops, gitlab or github)"
                )
            })
    }
}

/// The Azure DevOps process, which decides the work item types (`--ado-process`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdoProcess {
    #[default]
    Agile,
    Scrum,
    Basic,
}

impl AdoProcess {
    /// The work item types of a parent (section) and of a child (item).
    pub fn types(self) -> (&'static str, &'static str) {
        match self {
            AdoProcess::Agile => ("Feature", "User Story"),
            AdoProcess::Scrum => ("Feature", "Product Backlog Item"),
            AdoProcess::Basic => ("Epic", "Issue"),
        }
    }
}

impl FromStr for AdoProcess {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "agile" => Ok(AdoProcess::Agile),
            "scrum" => Ok(AdoProcess::Scrum),
            "basic" => Ok(AdoProcess::Basic),
            other => Err(format!(
                "unknown Azure DevOps process `{other}` (expected agile, scrum or basic)"
            )),
        }
    }
}

/// What the `csv` format writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub trackers: Vec<Tracker>,
    pub ado_process: AdoProcess,
    /// Start every CSV file with a UTF-8 byte order mark, for Excel.
    pub csv_bom: bool,
    /// Write the sections as parent tickets. Off for a backlog of new items to add to a
    /// tracker that already holds their parents (`diff --format csv`): the items then stand
    /// alone, their section in their labels (and, for GitHub, their parent's stable id).
    pub parents: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            trackers: vec![Tracker::Generic],
            ado_process: AdoProcess::Agile,
            csv_bom: false,
            parents: true,
        }
    }
}

const BOM: &[u8] = "\u{feff}".as_bytes();

/// Renders the backlogs `options` asks for; see [`render_checked`] for the warnings about
/// descriptions shortened to fit a tracker.
pub fn render(catalog: &Catalog, options: &Options) -> Result<Vec<OutputFile>, Error> {
    render_checked(catalog, options).map(|(files, _)| files)
}

/// Renders the backlogs `options` asks for, with a `tracker-limit` warning for each
/// description shortened to fit its tracker (see [`limit`]).
pub fn render_checked(
    catalog: &Catalog,
    options: &Options,
) -> Result<(Vec<OutputFile>, Vec<Diagnostic>), Error> {
    let mut warnings = Vec::new();
    let mut trackers = options.trackers.clone();
    trackers.sort();
    trackers.dedup();
    let groups = if trackers.iter().any(|t| *t != Tracker::Generic) {
        plan::groups(catalog)
    } else {
        Vec::new()
    };
    let bom = options.csv_bom;
    let mut out = Vec::new();
    for tracker in trackers {
        match tracker {
            Tracker::Generic => {
                let mut file = super::csv::render(catalog)?;
                if bom {
                    file.bytes.splice(0..0, BOM.iter().copied());
                }
                out.push(file);
            }
            Tracker::Jira => {
                out.extend(jira::render(&groups, bom, options.parents, &mut warnings)?)
            }
            Tracker::AzureDevOps => out.extend(ado::render(
                &groups,
                options.ado_process,
                bom,
                options.parents,
            )?),
            Tracker::GitLab => out.extend(gitlab::render(&groups, bom, &mut warnings)?),
            Tracker::GitHub => out.push(github::render(&groups, options.parents, &mut warnings)?),
        }
    }
    Ok((out, warnings))
}

fn csv_error(e: impl std::fmt::Display) -> Error {
    Error::Render(e.to_string())
}

/// One CSV record, RFC 4180 with CRLF line ends, every cell neutralized.
pub fn csv_record<S: AsRef<str>>(cells: &[S]) -> Result<Vec<u8>, Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(cells.iter().map(|c| neutralize(c.as_ref())))
        .map_err(csv_error)?;
    w.into_inner().map_err(csv_error)
}

/// A whole CSV file: the optional BOM, the header, the rows.
pub fn csv_file<S: AsRef<str>>(
    header: &[S],
    rows: &[Vec<String>],
    bom: bool,
) -> Result<Vec<u8>, Error> {
    let mut bytes = if bom { BOM.to_vec() } else { Vec::new() };
    bytes.extend(csv_record(header)?);
    for row in rows {
        bytes.extend(csv_record(row)?);
    }
    Ok(bytes)
}

/// `backlog-jira.csv` for one file; `backlog-jira-1.csv`, `backlog-jira-2.csv`, ... for more.
pub fn file_name(stem: &str, ext: &str, n: usize, count: usize) -> String {
    if count <= 1 {
        format!("{stem}.{ext}")
    } else {
        format!("{stem}-{n}.{ext}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names() {
        for t in Tracker::ALL {
            assert_eq!(t.name().parse::<Tracker>(), Ok(t));
        }
        assert_eq!(" Azure-DevOps".parse::<Tracker>(), Ok(Tracker::AzureDevOps));
        assert!("trello".parse::<Tracker>().is_err());
        assert_eq!("scrum".parse::<AdoProcess>(), Ok(AdoProcess::Scrum));
        assert!("cmmi".parse::<AdoProcess>().is_err());
    }

    #[test]
    fn records_are_neutralized() {
        let rec = csv_record(&["=1+1", "ok", "a,b"]).expect("record");
        assert_eq!(String::from_utf8_lossy(&rec), "'=1+1,ok,\"a,b\"\r\n");
    }

    #[test]
    fn numbered_names_only_when_split() {
        assert_eq!(file_name("backlog-jira", "csv", 1, 1), "backlog-jira.csv");
        assert_eq!(file_name("backlog-jira", "csv", 2, 3), "backlog-jira-2.csv");
    }
}
