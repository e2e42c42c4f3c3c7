//! `checkdown status`: how far a team is, from the items' statuses
//! ([`crate::model::Item::status`]): per document and section, per level and pillar, and
//! in total, each as [`Counts`] (the model's, which the HTML pages show too). The share
//! done is done over the applicable items (not-applicable ones left out); with no
//! applicable item it is 100%.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Catalog;
pub use crate::model::Counts;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionStatus {
    pub id: String,
    pub level: Option<u32>,
    pub title: String,
    pub total: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentStatus {
    pub path: String,
    pub sections: Vec<SectionStatus>,
    pub title: String,
    pub total: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelStatus {
    pub level: u32,
    pub total: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PillarStatus {
    pub pillar: String,
    pub total: Counts,
}

/// The whole report (`status --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub documents: Vec<DocumentStatus>,
    /// Per maturity level, for sections that name one, in level order.
    pub levels: Vec<LevelStatus>,
    /// Per pillar, for items that have one, in name order.
    pub pillars: Vec<PillarStatus>,
    pub total: Counts,
}

/// The report of `catalog`, its items' `progress` set (or not, for the source's ticks
/// alone).
pub fn report(catalog: &Catalog) -> Report {
    let mut levels: BTreeMap<u32, Counts> = BTreeMap::new();
    let mut pillars: BTreeMap<String, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    let documents = catalog
        .documents
        .iter()
        .map(|d| {
            let sections: Vec<SectionStatus> = d
                .sections
                .iter()
                .map(|s| {
                    for it in &s.items {
                        let status = it.status();
                        total.add(status);
                        if let Some(l) = s.level {
                            levels.entry(l).or_default().add(status);
                        }
                        if let Some(p) = &it.pillar {
                            pillars.entry(p.clone()).or_default().add(status);
                        }
                    }
                    SectionStatus {
                        id: s.id.clone(),
                        level: s.level,
                        title: s.title.clone(),
                        total: Counts::of(&s.items),
                    }
                })
                .collect();
            DocumentStatus {
                path: d.path.clone(),
                title: d.title.clone(),
                total: Counts::of(d.sections.iter().flat_map(|s| &s.items)),
                sections,
            }
        })
        .collect();
    Report {
        documents,
        levels: levels
            .into_iter()
            .map(|(level, total)| LevelStatus { level, total })
            .collect(),
        pillars: pillars
            .into_iter()
            .map(|(pillar, total)| PillarStatus { pillar, total })
            .collect(),
        total,
    }
}

/// The longest first column of the table, in characters.
const LABEL: usize = 60;

impl Report {
    /// Pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// A plain text table: a row per document (its path) and, indented, per section; then
    /// per level and pillar when there are any; then the total.
    pub fn to_table(&self) -> String {
        let mut rows: Vec<(String, Counts)> = Vec::new();
        for d in &self.documents {
            rows.push((d.path.clone(), d.total));
            for s in &d.sections {
                rows.push((format!("  {}", s.title), s.total));
            }
        }
        if !self.levels.is_empty() {
            rows.push((String::new(), Counts::default()));
            for l in &self.levels {
                rows.push((format!("Level {}", l.level), l.total));
            }
        }
        if !self.pillars.is_empty() {
            rows.push((String::new(), Counts::default()));
            for p in &self.pillars {
                rows.push((format!("Pillar: {}", p.pillar), p.total));
            }
        }
        rows.push((String::new(), Counts::default()));
        rows.push(("Total".to_string(), self.total));
        // Titles come from the docs: control characters and the like are shown escaped
        // (a title can neither move the terminal's cursor nor break the table's lines).
        let label = |s: &str| -> String {
            let s = &*crate::diag::visible(s);
            let n = s.chars().count();
            if n > LABEL {
                let mut t: String = s.chars().take(LABEL - 1).collect();
                t.push('…');
                t
            } else {
                s.to_string()
            }
        };
        let width = rows
            .iter()
            .map(|(l, _)| label(l).chars().count())
            .max()
            .unwrap_or(0)
            .max("Document / section".len());
        let heads = ["done", "in progress", "n/a", "open", "total", "done %"];
        let mut out = String::new();
        let mut line = |first: &str, cells: [String; 6]| {
            let pad = width - first.chars().count();
            let mut l = format!("{first}{}", " ".repeat(pad));
            for (cell, head) in cells.iter().zip(heads) {
                l.push_str(&format!("  {cell:>w$}", w = head.len()));
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        line("Document / section", heads.map(str::to_string));
        for (name, c) in &rows {
            if name.is_empty() {
                line("", Default::default());
                continue;
            }
            line(
                &label(name),
                [
                    c.done.to_string(),
                    c.in_progress.to_string(),
                    c.not_applicable.to_string(),
                    c.open.to_string(),
                    c.total.to_string(),
                    c.percent_text(),
                ],
            );
        }
        out.push_str("done % = done over applicable items (not applicable left out)\n");
        out
    }
}
