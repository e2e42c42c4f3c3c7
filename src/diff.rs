//! Item-level diff of two catalogs, by id: what a docs change means for a backlog that was
//! imported, or a checklist that was ticked, from the older edition.
//!
//! Each side is an input folder (compiled with its own lock; the new side falls back to the
//! lock the old side would write) or a `checklist.json`. Items are matched by id: an id on
//! one side only is added or removed; an id on both sides whose key differs is renamed; one
//! whose title, body or callouts differ is changed (an item can be both).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::lock::{self, Lock};
use crate::model::{Catalog, Item};
use crate::render::view::md_escape;
use crate::{Error, Options};

/// One side of a diff.
#[derive(Debug, Clone)]
pub struct Side {
    pub catalog: Catalog,
    /// The lock a build of this side would write (for a `checklist.json`: its ids as they are).
    pub lock: Lock,
    /// What compiling an input folder reported (paths relative to it); none for a
    /// `checklist.json`.
    pub diagnostics: Vec<crate::diag::Diagnostic>,
}

/// Reads one side: an input folder, compiled with `DIR/checkdown.lock` or else with
/// `fallback`, or a `checklist.json` file.
pub fn load(path: &Path, fallback: Option<&Lock>, options: &Options) -> Result<Side, Error> {
    let io = |e: String| Error::Io {
        path: path.display().to_string(),
        message: e,
    };
    if path.is_dir() {
        let own = lock::read(&path.join(lock::FILE_NAME))?;
        let with = own.as_ref().or(fallback).cloned().unwrap_or_default();
        let (compiled, applied) = lock::compile(path, None, options, &with);
        return Ok(Side {
            catalog: compiled.catalog,
            lock: applied.lock,
            diagnostics: compiled.diagnostics,
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| io(e.to_string()))?;
    let catalog: Catalog = serde_json::from_str(&text).map_err(|e| {
        io(format!(
            "not a checklist.json, or not one this version reads: {e}"
        ))
    })?;
    let lock = Lock::from_catalog(&catalog);
    Ok(Side {
        catalog,
        lock,
        diagnostics: Vec::new(),
    })
}

/// An item with the document and section it stands in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placed {
    #[serde(flatten)]
    pub item: Item,
    /// The document's path.
    pub document: String,
    /// The section's title.
    pub section: String,
}

/// The same id on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub id: String,
    pub from: Placed,
    pub to: Placed,
}

impl Pair {
    /// The fields that make it a change: `title`, `body`, `callouts`.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        let (a, b) = (&self.from.item, &self.to.item);
        let mut out = Vec::new();
        if a.title != b.title {
            out.push("title");
        }
        if a.body != b.body {
            out.push("body");
        }
        if a.callouts != b.callouts {
            out.push("callouts");
        }
        out
    }
}

/// Items added, removed, renamed and changed. Added, renamed and changed are in the new
/// side's order, removed in the old side's.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Diff {
    pub added: Vec<Placed>,
    pub removed: Vec<Placed>,
    pub renamed: Vec<Pair>,
    pub changed: Vec<Pair>,
}

/// Every item of a catalog with its place, first of each id only.
fn placed(catalog: &Catalog) -> Vec<Placed> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for doc in &catalog.documents {
        for s in &doc.sections {
            for item in &s.items {
                if seen.insert(item.id.clone()) {
                    out.push(Placed {
                        item: item.clone(),
                        document: doc.path.clone(),
                        section: s.title.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Compares two catalogs by item id.
pub fn diff(old: &Catalog, new: &Catalog) -> Diff {
    let old_items = placed(old);
    let new_items = placed(new);
    let by_id: BTreeMap<&str, &Placed> =
        old_items.iter().map(|p| (p.item.id.as_str(), p)).collect();
    let new_ids: BTreeSet<&str> = new_items.iter().map(|p| p.item.id.as_str()).collect();
    let mut d = Diff::default();
    for to in &new_items {
        let Some(from) = by_id.get(to.item.id.as_str()) else {
            d.added.push(to.clone());
            continue;
        };
        let pair = Pair {
            id: to.item.id.clone(),
            from: (*from).clone(),
            to: to.clone(),
        };
        if from.item.key != to.item.key {
            d.renamed.push(pair.clone());
        }
        if !pair.changed_fields().is_empty() {
            d.changed.push(pair);
        }
    }
    d.removed = old_items
        .iter()
        .filter(|p| !new_ids.contains(p.item.id.as_str()))
        .cloned()
        .collect();
    d
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
            && self.changed.is_empty()
    }

    /// `N added, N removed, N renamed, N changed`.
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} removed, {} renamed, {} changed",
            self.added.len(),
            self.removed.len(),
            self.renamed.len(),
            self.changed.len()
        )
    }

    /// `{"added": [Item], "removed": [Item], "renamed": [{"id", "from", "to"}], "changed": [...]}`
    /// where each Item is the model's item plus `document` and `section`.
    pub fn to_json(&self) -> Result<String, Error> {
        let mut s = serde_json::to_string_pretty(self).map_err(|e| Error::Render(e.to_string()))?;
        s.push('\n');
        Ok(s)
    }

    /// A Markdown report for a pull request or a changelog.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# Checklist changes\n\n{}.\n", self.summary());
        let item = |p: &Placed| {
            format!(
                "- **{}** ({}, {}) `{}`\n",
                md_escape(&p.item.title),
                md_escape(&p.document),
                md_escape(&p.section),
                p.item.key
            )
        };
        if !self.added.is_empty() {
            out.push_str("\n## Added\n\n");
            self.added.iter().for_each(|p| out.push_str(&item(p)));
        }
        if !self.removed.is_empty() {
            out.push_str("\n## Removed\n\n");
            self.removed.iter().for_each(|p| out.push_str(&item(p)));
        }
        if !self.renamed.is_empty() {
            out.push_str("\n## Renamed (same id)\n\n");
            for p in &self.renamed {
                let (from, to) = (&p.from.item, &p.to.item);
                let title = if from.title == to.title {
                    format!("**{}**", md_escape(&to.title))
                } else {
                    format!(
                        "**{}** (was **{}**)",
                        md_escape(&to.title),
                        md_escape(&from.title)
                    )
                };
                out.push_str(&format!(
                    "- {title}: `{}` is now `{}` (id `{}`)\n",
                    from.key, to.key, p.id
                ));
            }
        }
        if !self.changed.is_empty() {
            out.push_str("\n## Changed\n\n");
            for p in &self.changed {
                let title = if p.from.item.title == p.to.item.title {
                    format!("**{}**", md_escape(&p.to.item.title))
                } else {
                    format!(
                        "**{}** (was **{}**)",
                        md_escape(&p.to.item.title),
                        md_escape(&p.from.item.title)
                    )
                };
                out.push_str(&format!(
                    "- {title} `{}`: {} changed\n",
                    p.to.item.key,
                    p.changed_fields().join(", ")
                ));
            }
        }
        // Titles come from the docs: shown escaped where they hold control characters.
        crate::diag::visible_lines(&out).into_owned()
    }

    /// The backlog of added items only, in the generic profile of `backlog.csv`: importing
    /// it after the older backlog creates the new items and no duplicates.
    pub fn to_csv(&self, new: &Catalog) -> Result<Vec<u8>, Error> {
        Ok(crate::render::csv::render(&self.only_added(new))?.bytes)
    }

    /// The added items as a backlog in a tracker profile, without parent rows (the
    /// tracker holds the sections from the first import): one file, or an error when the
    /// profile would split it.
    pub fn to_tracker(
        &self,
        new: &Catalog,
        tracker: crate::render::tracker::Tracker,
        ado_process: crate::render::tracker::AdoProcess,
        csv_bom: bool,
    ) -> Result<Vec<u8>, Error> {
        let options = crate::render::tracker::Options {
            trackers: vec![tracker],
            ado_process,
            csv_bom,
            parents: false,
        };
        let mut files = crate::render::tracker::render(&self.only_added(new), &options)?;
        if files.len() > 1 {
            return Err(Error::Render(format!(
                "{} added items need {} files in the {} profile; import them from `checkdown build --tracker {}`",
                self.added.len(),
                files.len(),
                tracker.name(),
                tracker.name()
            )));
        }
        Ok(files.pop().map(|f| f.bytes).unwrap_or_default())
    }

    /// `new` with only the added items (documents and sections without any left out).
    pub fn only_added(&self, new: &Catalog) -> Catalog {
        let ids: BTreeSet<&str> = self.added.iter().map(|p| p.item.id.as_str()).collect();
        let mut catalog = new.clone();
        let mut seen = BTreeSet::new();
        for doc in &mut catalog.documents {
            for s in &mut doc.sections {
                s.items
                    .retain(|i| ids.contains(i.id.as_str()) && seen.insert(i.id.clone()));
            }
            doc.sections.retain(|s| !s.items.is_empty());
        }
        catalog.documents.retain(|d| !d.sections.is_empty());
        catalog
    }
}
