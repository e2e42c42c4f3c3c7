//! The tracker backlogs, parsed back: the csv crate for the CSV profiles, serde_json for
//! GitHub's JSON Lines. For the seed, a service guide read in place, the fixtures in
//! tests/fixtures/trackers and generated catalogs large enough to be split.

use std::collections::HashSet;

use checkdown::model::{
    Callout, CalloutKind, Catalog, Document, FrontMatter, Item, Section, Source, FORMAT,
};
use checkdown::render::tracker::{self, ado, gitlab, jira, AdoProcess, Tracker};
use checkdown::render::{render, render_with, Format, OutputFile};
use serde_json::Value;

use crate::common::{corpus_doc, fixture, repo, run, seed, temp_dir};

const DANGEROUS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn options(trackers: &[Tracker]) -> tracker::Options {
    tracker::Options {
        trackers: trackers.to_vec(),
        ..tracker::Options::default()
    }
}

fn backlogs(catalog: &Catalog, opts: &tracker::Options) -> Vec<OutputFile> {
    render_with(catalog, &[Format::Csv], None, opts).expect("renders")
}

fn all(catalog: &Catalog) -> Vec<OutputFile> {
    backlogs(catalog, &options(&Tracker::ALL))
}

fn one_doc(doc: Document) -> Catalog {
    Catalog {
        format: FORMAT,
        documents: vec![doc],
    }
}

fn fixtures() -> Catalog {
    let compiled =
        checkdown::compile_dir(&fixture("trackers"), None, &checkdown::Options::default());
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    compiled.catalog
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} is written"))
        .bytes
}

/// Headers and rows; every row as long as the header.
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(
        !bytes.starts_with("\u{feff}".as_bytes()),
        "no BOM by default"
    );
    let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = r
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("row").iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

fn read_jsonl(bytes: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(bytes).expect("utf-8");
    assert!(text.is_empty() || text.ends_with('\n'));
    text.lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

fn assert_neutral(cells: &[String]) {
    for cell in cells {
        assert!(!cell.starts_with(DANGEROUS), "not neutralized: {cell:?}");
    }
}

fn id_label(id: &str) -> String {
    format!("checkdown-{}", &id[..8])
}

/// What every profile must show, in order: per section with items, the parent, then its
/// items' ids.
struct Expected {
    sections: Vec<(String, Option<u32>, Vec<String>)>,
}

impl Expected {
    fn of(catalog: &Catalog) -> Expected {
        let mut sections = Vec::new();
        for d in &catalog.documents {
            for s in d.sections.iter().filter(|s| !s.items.is_empty()) {
                sections.push((
                    format!("{} / {}", d.title, s.title),
                    s.level,
                    s.items.iter().map(|i| i.id.clone()).collect(),
                ));
            }
        }
        Expected { sections }
    }

    fn items(&self) -> usize {
        self.sections.iter().map(|s| s.2.len()).sum()
    }

    fn rows(&self) -> usize {
        self.sections.len() + self.items()
    }
}

/// The item id a row belongs to: its `checkdown-` label, checked against the full id in
/// the description.
fn row_id(labels: &[String], description: &str, ids: &[String]) -> String {
    let label = labels
        .iter()
        .find(|l| l.starts_with("checkdown-"))
        .unwrap_or_else(|| panic!("an id label in {labels:?}"));
    let full: Vec<&String> = ids.iter().filter(|id| id_label(id) == *label).collect();
    if let [id] = full[..] {
        assert!(
            description.contains("checkdown id: ") && description.contains(id.as_str()),
            "the full id {id} is in the description"
        );
        return id.clone();
    }
    label.clone()
}

fn jira_check(catalog: &Catalog, files: &[OutputFile]) {
    let expected = Expected::of(catalog);
    let ids: Vec<String> = expected.sections.iter().flat_map(|s| s.2.clone()).collect();
    let (headers, rows) = read_csv(file(files, "backlog-jira.csv"));
    assert_eq!(&headers[..6], jira::COLUMNS);
    assert!(headers[6..].iter().all(|h| h == "Labels"));
    assert_eq!(rows.len(), expected.rows());
    let mut at = 0;
    let mut seen = HashSet::new();
    for (title, level, items) in &expected.sections {
        let parent = &rows[at];
        assert_eq!(parent[1], "", "a parent has no parent");
        assert_eq!(parent[2], "Epic");
        assert_eq!(parent[3], *title);
        assert_eq!(parent[4], jira::priority(*level));
        assert!(parent[6..].contains(&"section".to_string()));
        assert!(seen.insert(parent[0].clone()), "Issue Id is unique");
        for (n, id) in items.iter().enumerate() {
            let row = &rows[at + 1 + n];
            assert_eq!(row[1], parent[0], "the child points at its parent");
            assert_eq!(row[2], "Task");
            assert!(row[3].chars().count() <= 255);
            assert_eq!(row_id(&row[6..], &row[5], &ids), *id);
            assert!(seen.insert(row[0].clone()));
        }
        at += 1 + items.len();
    }
    for row in &rows {
        assert_neutral(row);
        assert!(
            row[6..].iter().all(|l| !l.contains(' ')),
            "no space in a label"
        );
    }
}

fn ado_check(catalog: &Catalog, files: &[OutputFile], types: (&str, &str)) {
    let expected = Expected::of(catalog);
    let ids: Vec<String> = expected.sections.iter().flat_map(|s| s.2.clone()).collect();
    let (headers, rows) = read_csv(file(files, "backlog-azure-devops.csv"));
    assert_eq!(headers, ado::COLUMNS);
    assert_eq!(rows.len(), expected.rows());
    let mut at = 0;
    for (title, _, items) in &expected.sections {
        let parent = &rows[at];
        assert_eq!(parent[0], types.0);
        assert_eq!(parent[1], *title, "a parent's title is in Title 1");
        assert_eq!(parent[2], "");
        for (n, id) in items.iter().enumerate() {
            let row = &rows[at + 1 + n];
            assert_eq!(row[0], types.1);
            assert_eq!(
                row[1], "",
                "a child's title is in Title 2, under its parent"
            );
            assert!(!row[2].is_empty());
            assert!(row[3].starts_with('<'), "HTML: {}", row[3]);
            let tags: Vec<String> = row[4].split("; ").map(str::to_string).collect();
            assert_eq!(row_id(&tags, &row[3], &ids), *id);
        }
        at += 1 + items.len();
    }
    for row in &rows {
        assert_neutral(row);
    }
}

fn gitlab_check(catalog: &Catalog, files: &[OutputFile]) {
    let expected = Expected::of(catalog);
    let ids: Vec<String> = expected.sections.iter().flat_map(|s| s.2.clone()).collect();
    let (headers, rows) = read_csv(file(files, "backlog-gitlab.csv"));
    assert_eq!(headers, gitlab::COLUMNS);
    assert_eq!(rows.len(), expected.items(), "items only: no parent column");
    let mut at = 0;
    for (title, _, items) in &expected.sections {
        let section = title.split(" / ").last().unwrap_or_default();
        let section_label = format!("~\"{}\"", checkdown::render::tracker::plan::label(section));
        for id in items {
            let row = &rows[at];
            let first = row[1].lines().next().unwrap_or_default();
            assert!(first.starts_with("/label ~\"checkdown\" "), "{first}");
            assert!(
                first.contains(&section_label),
                "the section is a label: {first}"
            );
            let labels: Vec<String> = first
                .trim_start_matches("/label ")
                .split(' ')
                .map(|l| {
                    l.trim_start_matches("~\"")
                        .trim_end_matches('"')
                        .to_string()
                })
                .collect();
            assert_eq!(row_id(&labels, &row[1], &ids), *id);
            at += 1;
        }
    }
    for row in &rows {
        assert_neutral(row);
    }
}

fn github_check(catalog: &Catalog, files: &[OutputFile]) {
    let expected = Expected::of(catalog);
    let ids: Vec<String> = expected.sections.iter().flat_map(|s| s.2.clone()).collect();
    let lines = read_jsonl(file(files, "backlog-github.jsonl"));
    assert_eq!(lines.len(), expected.rows());
    let mut at = 0;
    for (title, _, items) in &expected.sections {
        let parent = &lines[at];
        let keys: Vec<&String> = parent.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["body", "id", "labels", "parent", "title"]);
        assert_eq!(parent["parent"], Value::Null);
        assert_eq!(parent["title"], title.as_str());
        let parent_id = parent["id"].as_str().expect("id");
        for (n, id) in items.iter().enumerate() {
            let line = &lines[at + 1 + n];
            assert_eq!(line["id"], id.as_str());
            assert_eq!(line["parent"], parent_id);
            let labels: Vec<String> = line["labels"]
                .as_array()
                .expect("labels")
                .iter()
                .map(|l| l.as_str().expect("a label").to_string())
                .collect();
            assert!(labels
                .iter()
                .all(|l| l.chars().count() <= 50 && !l.contains(',')));
            let body = line["body"].as_str().expect("body");
            assert_eq!(row_id(&labels, body, &ids), *id);
            assert_neutral(&[line["title"].as_str().expect("title").to_string()]);
            assert_neutral(&labels);
        }
        at += 1 + items.len();
    }
}

fn check_all(catalog: &Catalog) {
    let files = all(catalog);
    let mut names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "backlog-azure-devops.csv",
            "backlog-github.jsonl",
            "backlog-gitlab.csv",
            "backlog-jira.csv",
            "backlog.csv",
        ]
    );
    jira_check(catalog, &files);
    ado_check(catalog, &files, ("Feature", "User Story"));
    gitlab_check(catalog, &files);
    github_check(catalog, &files);
}

#[test]
fn seed_backlogs_parse_back() {
    let catalog = one_doc(seed());
    let expected = Expected::of(&catalog);
    assert_eq!(expected.sections.len(), 5);
    assert_eq!(expected.items(), 25);
    check_all(&catalog);

    let files = all(&catalog);
    let (_, jira_rows) = read_csv(file(&files, "backlog-jira.csv"));
    assert_eq!(jira_rows.len(), 30);
    assert_eq!(
        jira_rows[0][..5],
        [
            "1",
            "",
            "Epic",
            "Security maturity model / Level 1: Core security",
            "Highest"
        ]
    );
    let iam = jira_rows
        .iter()
        .find(|r| r[3] == "Refine your identity and access management (IAM) configurations")
        .expect("IAM row");
    assert_eq!(iam[2], "Task");
    assert_eq!(iam[4], "Low", "level 4");
    assert!(iam[5].contains("\n\nh3. Trade-off\n\nConditional access and JIT access policies"));
    // The published URL is known (the default --base-url), so it is the source.
    assert!(iam[5].contains("h3. Source\n\n[https://learn.microsoft.com/azure/well-architected/security/maturity-model#-refine-your-iam-configurations]"));
    assert_eq!(
        iam[6..],
        [
            "checkdown",
            "checkdown-315355e7",
            "strategy",
            "security",
            "level-4",
            "security-maturity-model",
            "level-4-system-hardening",
        ]
    );
    assert!(crate::common::without_rev(&iam[5])
        .ends_with("checkdown id: {{315355e7-46e1-5732-8c81-768b78c8d197}}"));

    let (_, ado_rows) = read_csv(file(&files, "backlog-azure-devops.csv"));
    let iam = ado_rows
        .iter()
        .find(|r| r[2] == "Refine your identity and access management (IAM) configurations")
        .expect("IAM row");
    assert!(iam[3].contains("<h3>Trade-off</h3>\n<p>Conditional access"));
    assert!(iam[3].contains("<h3>Source</h3>\n<p><a href=\"https://learn.microsoft.com/azure/well-architected/security/maturity-model#-refine-your-iam-configurations\" rel=\"noopener noreferrer\">https://learn.microsoft.com/azure/well-architected/security/maturity-model#-refine-your-iam-configurations</a></p>"));
    assert_eq!(
        iam[4],
        "checkdown; checkdown-315355e7; strategy; security; level-4; security-maturity-model; level-4-system-hardening"
    );
    // A link from the docs stays a link in every markup.
    let sdlc = "Integrate baseline security into the development phases of the software development lifecycle (SDLC)";
    let row = jira_rows.iter().find(|r| r[3] == sdlc).expect("SDLC row");
    assert!(row[5]
        .contains("[Develop secure applications in Azure|https://learn.microsoft.com/azure/security/develop/secure-develop]"));
    let row = ado_rows.iter().find(|r| r[2] == sdlc).expect("SDLC row");
    assert!(row[3]
        .contains("<a href=\"https://learn.microsoft.com/azure/security/develop/secure-develop\""));
    let (_, gl_rows) = read_csv(file(&files, "backlog-gitlab.csv"));
    let row = gl_rows.iter().find(|r| r[0] == sdlc).expect("SDLC row");
    assert!(row[1].contains(
        "[Develop secure applications in Azure](https://learn.microsoft.com/azure/security/develop/secure-develop)"
    ));
}

#[test]
fn fixture_sections_keep_their_structure() {
    let catalog = fixtures();
    assert_eq!(catalog.documents.len(), 2);
    let expected = Expected::of(&catalog);
    assert_eq!(
        expected
            .sections
            .iter()
            .map(|s| (s.0.as_str(), s.2.len()))
            .collect::<Vec<_>>(),
        [
            ("Injection test page / Level 1: Formulas", 3),
            ("Injection test page / Level 2: Mentions and whitespace", 3),
            ("Tracker fixture guide / Level 1: Foundations", 2),
            ("Tracker fixture guide / Level 2: Operations", 2),
            ("Tracker fixture guide / Level 3: Optimization", 1),
        ]
    );
    check_all(&catalog);
    for (process, types) in [
        (AdoProcess::Scrum, ("Feature", "Product Backlog Item")),
        (AdoProcess::Basic, ("Epic", "Issue")),
    ] {
        let opts = tracker::Options {
            trackers: vec![Tracker::AzureDevOps],
            ado_process: process,
            csv_bom: false,
            parents: true,
        };
        ado_check(&catalog, &backlogs(&catalog, &opts), types);
    }
}

#[test]
fn rich_bodies_in_each_markup() {
    let files = all(&fixtures());
    let (_, jira_rows) = read_csv(file(&files, "backlog-jira.csv"));
    let inventory = jira_rows
        .iter()
        .find(|r| r[3] == "Inventory the workload")
        .expect("row");
    assert!(inventory[5].starts_with(
        "List what runs where:\n\n* compute, with *owners*\n* data stores\n*# primary\n*# replicas\n\n||Component||Owner||\n|API|Team A|\n|Database|Team B\\\\ and C|\n\nh3. Trade-off\n\nAn inventory costs time to keep current.\n\nh3. Risk\n\nA stale inventory misleads.\n\nh3. Source\n\n[https://learn.microsoft.com/azure/well-architected/sections/guide#-inventory-the-workload]"
    ), "{}", inventory[5]);
    let runbook = jira_rows
        .iter()
        .find(|r| r[3] == "Write a runbook")
        .expect("row");
    assert!(runbook[5].contains(
        "{code:bash}\naz group list --query \"[].{name:name}\" -o table\n{code}\n\nSee [the runbook guide|https://learn.microsoft.com/azure/runbooks] for more."
    ));
    let level1 = jira_rows
        .iter()
        .find(|r| r[3] == "Tracker fixture guide / Level 1: Foundations")
        .expect("row");
    assert!(level1[5].starts_with("*Goal:* Lay the foundation.\n\nThe first level has an intro with _emphasis_ and a [link|https://learn.microsoft.com/azure/]."));

    let (_, ado_rows) = read_csv(file(&files, "backlog-azure-devops.csv"));
    let inventory = ado_rows
        .iter()
        .find(|r| r[2] == "Inventory the workload")
        .expect("row");
    assert!(inventory[3].contains("<li>data stores\n<ol>\n<li>primary</li>"));
    assert!(inventory[3].contains("<td>Team B<br>and C</td>"));
}

#[test]
fn long_titles_are_cut_with_the_full_title_in_the_description() {
    let files = all(&fixtures());
    let full = "Automate deployments with pipelines that are versioned, reviewed, tested, repeatable, observable, reversible, documented, owned by the team that runs the workload, and safe to run at any time of day, including on holidays, weekends and during incidents, because a deployment that only one person can run is a risk for the whole organization and its customers";
    let cut = "Automate deployments with pipelines that are versioned, reviewed, tested, repeatable, observable, reversible, documented, owned by the team that runs the workload, and safe to run at any time of day, including on holidays, weekends and during incidents…";
    assert!(full.chars().count() > 255);
    assert!(cut.chars().count() <= 255);
    let (_, rows) = read_csv(file(&files, "backlog-jira.csv"));
    let row = rows
        .iter()
        .find(|r| r[3].starts_with("Automate"))
        .expect("row");
    assert_eq!(row[3], cut);
    assert!(row[5].starts_with(&format!("*Full title:* {full}\n\n")));
    let (_, rows) = read_csv(file(&files, "backlog-azure-devops.csv"));
    let row = rows
        .iter()
        .find(|r| r[2].starts_with("Automate"))
        .expect("row");
    assert_eq!(row[2], cut);
    assert!(row[3].starts_with(&format!("<p><strong>Full title:</strong> {full}</p>")));
    let (_, rows) = read_csv(file(&files, "backlog-gitlab.csv"));
    let row = rows
        .iter()
        .find(|r| r[0].starts_with("Automate"))
        .expect("row");
    assert_eq!(row[0], cut);
    assert!(row[1].contains(&format!("\n\n**Full title:** {full}\n\n")));
    let lines = read_jsonl(file(&files, "backlog-github.jsonl"));
    let line = lines
        .iter()
        .find(|l| {
            l["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Automate"))
        })
        .expect("line");
    assert_eq!(line["title"], cut);
}

#[test]
fn injection_fixture_is_neutralized_in_every_profile() {
    let compiled = checkdown::compile_dir(
        &fixture("trackers/injection"),
        None,
        &checkdown::Options::default(),
    );
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    let files = all(&compiled.catalog);
    let titles = [
        "'=HYPERLINK(\"http://x\",\"y\")",
        "'+SUM(A1)",
        "'-2+3",
        "'@cmd",
        "Tab-led title",
        "CR-led title",
    ];

    let (_, rows) = read_csv(file(&files, "backlog-jira.csv"));
    let summaries: Vec<&str> = rows
        .iter()
        .filter(|r| r[2] == "Task")
        .map(|r| r[3].as_str())
        .collect();
    assert_eq!(summaries, titles);
    let body = |title: &str| {
        rows.iter()
            .find(|r| r[3] == title)
            .map(|r| r[5].clone())
            .expect("row")
    };
    assert!(body(titles[0]).starts_with("'=1+1 starts this body"));
    // Wiki markup escapes a leading + or -, which keeps Jira from reading an effect.
    assert!(body(titles[1]).starts_with("\\+SUM(A1) starts this body too."));
    assert!(body(titles[1]).contains("h3. Trade-off\n\n\\-1 is where"));
    assert!(body(titles[3]).starts_with("'@cmd\\|' /C calc'\\!A0"));

    let (_, rows) = read_csv(file(&files, "backlog-azure-devops.csv"));
    let ado_titles: Vec<&str> = rows
        .iter()
        .filter(|r| r[0] == "User Story")
        .map(|r| r[2].as_str())
        .collect();
    assert_eq!(ado_titles, titles);

    let (_, rows) = read_csv(file(&files, "backlog-gitlab.csv"));
    let gl_titles: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(gl_titles, titles);
    // A docs line that starts with `/` is escaped, so GitLab does not run it; code is kept.
    let minus = &rows[2][1];
    assert!(
        minus.contains(
            "A line that GitLab could run:\n\\/close\nand one it must keep: `/label ~x`."
        ),
        "{minus}"
    );
    assert_eq!(minus.lines().filter(|l| l.starts_with('/')).count(), 1);

    let lines = read_jsonl(file(&files, "backlog-github.jsonl"));
    let gh_titles: Vec<&str> = lines
        .iter()
        .filter(|l| !l["parent"].is_null())
        .map(|l| l["title"].as_str().expect("title"))
        .collect();
    assert_eq!(gh_titles, titles);

    // The generic backlog applies the same rule.
    let (_, rows) = {
        let mut r = csv::Reader::from_reader(file(&files, "backlog.csv"));
        let h: Vec<String> = r.headers().expect("h").iter().map(str::to_string).collect();
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|x| x.expect("row").iter().map(str::to_string).collect())
            .collect();
        (h, rows)
    };
    let generic: Vec<&str> = rows.iter().map(|r| r[4].as_str()).collect();
    assert_eq!(generic, titles);
    for row in &rows {
        assert_neutral(row);
    }
}

fn item(n: usize, title: &str, body: &str) -> Item {
    Item {
        id: format!("{n:08x}-0000-5000-8000-{n:012x}"),
        key: format!("gen.md#item-{n}"),
        kind: "practice".to_string(),
        code: None,
        anchor: format!("item-{n}"),
        title: title.to_string(),
        heading: None,
        body: body.to_string(),
        callouts: Vec::new(),
        source: Source { line: n, column: 1 },
        pillar: None,
        scope: None,
        benefit: None,
        url: None,
        guide: None,
        checked: false,
        parent: None,
        group: None,
        variants: Vec::new(),
        summary: None,
        progress: None,
    }
}

/// A catalog of one document whose sections hold `sizes` items each.
fn generated(sizes: &[usize]) -> Catalog {
    let mut n = 0;
    let sections = sizes
        .iter()
        .enumerate()
        .map(|(s, &size)| Section {
            id: format!("s{s}"),
            title: format!("Section {s}"),
            level: None,
            goal: None,
            intro: String::new(),
            callouts: Vec::new(),
            items: (0..size)
                .map(|_| {
                    n += 1;
                    item(n, &format!("Item {n}"), "Do it.")
                })
                .collect(),
        })
        .collect();
    one_doc(Document {
        path: "gen.md".to_string(),
        title: "Generated".to_string(),
        front_matter: FrontMatter::default(),
        url: None,
        intro: String::new(),
        callouts: Vec::new(),
        sections,
    })
}

#[test]
fn optional_fields_are_used_when_present() {
    let mut catalog = generated(&[2]);
    catalog.documents[0].url = Some("https://learn.example/gen".to_string());
    let items = &mut catalog.documents[0].sections[0].items;
    let it = &mut items[0];
    it.code = Some("SE:01".to_string());
    it.pillar = Some("Cost Optimization".to_string());
    it.scope = Some("Cluster and workload".to_string());
    it.benefit = Some("Saves *money*.".to_string());
    it.guide = Some("https://learn.example/guide".to_string());
    it.url = Some("https://learn.example/gen#item-1".to_string());
    items[1].pillar = Some("Cost Optimization".to_string());
    let files = all(&catalog);
    let lines = read_jsonl(file(&files, "backlog-github.jsonl"));
    let labels = |n: usize| -> Vec<&str> {
        lines[n]["labels"]
            .as_array()
            .expect("labels")
            .iter()
            .map(|l| l.as_str().expect("label"))
            .collect()
    };
    // A section's id is the UUID v5 of `<path>#section:<id>`; its items share a pillar, so
    // the parent has it too.
    let section_id =
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"gen.md#section:s0").to_string();
    assert_eq!(lines[0]["id"], section_id.as_str());
    assert_eq!(
        labels(0),
        [
            "checkdown",
            id_label(&section_id).as_str(),
            "section",
            "cost-optimization",
            "generated",
            "section-0"
        ]
    );
    assert_eq!(
        labels(1),
        [
            "checkdown",
            "checkdown-00000001",
            "practice",
            "se-01",
            "cost-optimization",
            "cluster-and-workload",
            "generated",
            "section-0",
        ]
    );
    assert_eq!(
        crate::common::without_rev(lines[1]["body"].as_str().expect("body")),
        "Do it.\n\n### Benefit\n\nSaves *money*.\n\n### Guide\n\n<https://learn.example/guide>\n\n### Source\n\n<https://learn.example/gen#item-1>\n\ncheckdown id: `00000001-0000-5000-8000-000000000001`"
    );
    // Without an item URL, the document's URL and the anchor.
    assert!(lines[2]["body"]
        .as_str()
        .expect("body")
        .contains("### Source\n\n<https://learn.example/gen#item-2>"));
    assert!(lines[0]["body"]
        .as_str()
        .expect("body")
        .contains("### Source\n\n<https://learn.example/gen>"));
    let (_, rows) = read_csv(file(&files, "backlog-jira.csv"));
    assert!(rows[1][5]
        .contains("h3. Benefit\n\nSaves _money_.\n\nh3. Guide\n\n[https://learn.example/guide]"));
    assert!(rows[1][5].contains("h3. Source\n\n[https://learn.example/gen#item-1]"));
    let (_, rows) = read_csv(file(&files, "backlog-azure-devops.csv"));
    assert!(rows[1][3].contains("<h3>Source</h3>\n<p><a href=\"https://learn.example/gen#item-1\" rel=\"noopener noreferrer\">https://learn.example/gen#item-1</a></p>"), "{}", rows[1][3]);
}

#[test]
fn control_characters_and_formulas_never_lead_a_cell() {
    let mut catalog = generated(&[1]);
    let items = &mut catalog.documents[0].sections[0].items;
    items.clear();
    for (n, (title, body)) in [
        ("\tTab-led", "\tTab-led body"),
        ("\rCR-led", "\rCR-led body"),
        (
            "=HYPERLINK(\"http://x\",\"y\")",
            "=HYPERLINK(\"http://x\",\"y\")",
        ),
        ("+SUM(A1)", "+SUM(A1)"),
        ("-2+3", "-2+3"),
        ("@cmd", "@cmd"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut it = item(n + 1, title, body);
        it.callouts.push(Callout {
            kind: CalloutKind::Risk,
            label: "=Risk".to_string(),
            text: "@risk".to_string(),
        });
        items.push(it);
    }
    catalog.documents[0].sections[0].title = "=cmd|' /C calc'!A0".to_string();
    let files = all(&catalog);
    for f in files.iter().filter(|f| f.path.ends_with(".csv")) {
        let (_, rows) = read_csv(&f.bytes);
        assert!(!rows.is_empty());
        for row in &rows {
            assert_neutral(row);
        }
    }
    let (_, rows) = read_csv(file(&files, "backlog-jira.csv"));
    let summaries: Vec<&str> = rows.iter().skip(1).map(|r| r[3].as_str()).collect();
    // Titles are made one line; what still leads with a formula character gets `'`.
    assert_eq!(
        summaries,
        [
            "Tab-led",
            "CR-led",
            "'=HYPERLINK(\"http://x\",\"y\")",
            "'+SUM(A1)",
            "'-2+3",
            "'@cmd"
        ]
    );
    assert_eq!(rows[0][3], "Generated / =cmd|' /C calc'!A0");
    // The generic profile keeps titles as they are, prefixed.
    let mut r = csv::Reader::from_reader(file(&files, "backlog.csv"));
    let generic: Vec<String> = r
        .records()
        .map(|x| x.expect("row")[4].to_string())
        .collect();
    assert_eq!(generic[..2], ["'\tTab-led", "'\rCR-led"]);
    let lines = read_jsonl(file(&files, "backlog-github.jsonl"));
    let titles: Vec<&str> = lines
        .iter()
        .skip(1)
        .map(|l| l["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, summaries);
}

/// Rows of each file of a split profile, by file name in order.
fn split_files(files: &[OutputFile], stem: &str) -> Vec<(String, Vec<Vec<String>>, Vec<String>)> {
    let mut out: Vec<(String, Vec<Vec<String>>, Vec<String>)> = files
        .iter()
        .filter(|f| f.path.starts_with(stem))
        .map(|f| {
            let (h, rows) = read_csv(&f.bytes);
            (f.path.clone(), rows, h)
        })
        .collect();
    out.sort_by_key(|(p, _, _)| {
        p.trim_start_matches(stem)
            .trim_start_matches('-')
            .trim_end_matches(".csv")
            .parse::<usize>()
            .unwrap_or(0)
    });
    out
}

fn label_of(cells: &[String]) -> String {
    cells
        .iter()
        .flat_map(|c| c.split("; "))
        .find(|l| l.starts_with("checkdown-"))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn azure_devops_splits_at_1000_rows_keeping_parents_with_children() {
    let sizes = [60; 30];
    let catalog = generated(&sizes);
    let files = backlogs(&catalog, &options(&[Tracker::AzureDevOps]));
    let split = split_files(&files, "backlog-azure-devops");
    let names: Vec<&str> = split.iter().map(|(p, _, _)| p.as_str()).collect();
    // 61 rows a section: 16 sections (976 rows) fit in a file.
    assert_eq!(
        names,
        ["backlog-azure-devops-1.csv", "backlog-azure-devops-2.csv"]
    );
    assert_eq!(split[0].1.len(), 976);
    assert_eq!(split[1].1.len(), 14 * 61);
    let mut items = Vec::new();
    for (_, rows, headers) in &split {
        assert_eq!(*headers, ado::COLUMNS);
        assert!(rows.len() <= ado::MAX_ROWS);
        assert_eq!(rows[0][0], "Feature", "a file starts with a parent");
        let mut parent = None;
        for row in rows {
            if row[0] == "Feature" {
                assert_eq!(row[2], "");
                parent = Some(row[1].clone());
            } else {
                assert_eq!(row[0], "User Story");
                assert!(parent.is_some());
                items.push(label_of(&row[4..]));
            }
        }
    }
    let expected: Vec<String> = catalog.documents[0]
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| id_label(&i.id))
        .collect();
    assert_eq!(items, expected, "every item once, in order");
}

#[test]
fn jira_splits_below_1500_rows_keeping_parents_with_children() {
    let sizes = [60; 30];
    let catalog = generated(&sizes);
    let files = backlogs(&catalog, &options(&[Tracker::Jira]));
    let split = split_files(&files, "backlog-jira");
    let names: Vec<&str> = split.iter().map(|(p, _, _)| p.as_str()).collect();
    // 24 sections (1,464 rows) fit below 1,500.
    assert_eq!(names, ["backlog-jira-1.csv", "backlog-jira-2.csv"]);
    assert_eq!(split[0].1.len(), 24 * 61);
    assert_eq!(split[1].1.len(), 6 * 61);
    let mut items = Vec::new();
    let mut all_ids = HashSet::new();
    for (_, rows, headers) in &split {
        assert_eq!(headers[..6], jira::COLUMNS);
        assert!(rows.len() < 1_500);
        let ids: HashSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(ids.len(), rows.len());
        for row in rows {
            assert!(
                all_ids.insert(row[0].clone()),
                "Issue Id unique across files"
            );
            if row[2] == "Epic" {
                assert_eq!(row[1], "");
            } else {
                assert!(
                    ids.contains(row[1].as_str()),
                    "the parent is in the same file"
                );
                let parent = rows.iter().position(|r| r[0] == row[1]).expect("parent");
                let me = rows.iter().position(|r| r[0] == row[0]).expect("row");
                assert!(parent < me, "parents first");
                items.push(label_of(&row[6..]));
            }
        }
    }
    assert_eq!(items.len(), 1_800);
}

#[test]
fn a_section_larger_than_a_file_is_split_into_parts() {
    let catalog = generated(&[2_500, 3]);
    let files = backlogs(&catalog, &options(&[Tracker::AzureDevOps, Tracker::Jira]));
    // Azure DevOps: parts of 999 items under a parent each, then the next section.
    let ado_split = split_files(&files, "backlog-azure-devops");
    let rows: Vec<usize> = ado_split.iter().map(|(_, r, _)| r.len()).collect();
    assert_eq!(rows, [1_000, 1_000, 507]);
    let parents: Vec<(&str, String)> = ado_split
        .iter()
        .flat_map(|(_, r, _)| r)
        .filter(|r| r[0] == "Feature")
        .map(|r| (r[1].as_str(), label_of(&r[4..])))
        .collect();
    let titles: Vec<&str> = parents.iter().map(|p| p.0).collect();
    assert_eq!(
        titles,
        [
            "Generated / Section 0",
            "Generated / Section 0 (part 2)",
            "Generated / Section 0 (part 3)",
            "Generated / Section 1",
        ]
    );
    let labels: HashSet<&String> = parents.iter().map(|p| &p.1).collect();
    assert_eq!(labels.len(), 4, "each part has an id of its own");
    for (_, rows, _) in &ado_split {
        assert_eq!(rows[0][0], "Feature");
    }
    // Jira: parts of 1,498 items.
    let jira_split = split_files(&files, "backlog-jira");
    let rows: Vec<usize> = jira_split.iter().map(|(_, r, _)| r.len()).collect();
    assert_eq!(rows, [1_499, 1_007]);
    for (_, rows, _) in &jira_split {
        assert_eq!(rows[0][2], "Epic");
        let ids: HashSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert!(rows
            .iter()
            .all(|r| r[1].is_empty() || ids.contains(r[1].as_str())));
    }
}

#[test]
fn gitlab_stays_in_one_file_below_10_mb() {
    let catalog = generated(&[60; 30]);
    let files = backlogs(&catalog, &options(&[Tracker::GitLab]));
    assert_eq!(files.len(), 1);
    assert!(files[0].bytes.len() < gitlab::MAX_BYTES);
    let (_, rows) = read_csv(&files[0].bytes);
    assert_eq!(rows.len(), 1_800);
}

#[test]
fn generic_is_the_default_and_unchanged() {
    let catalog = one_doc(seed());
    let plain = render(&catalog, &[Format::Csv], None).expect("renders");
    let with = backlogs(&catalog, &tracker::Options::default());
    assert_eq!(plain, with);
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0].path, "backlog.csv");
    assert_eq!(
        plain[0].bytes,
        checkdown::render::csv::render(&catalog).expect("csv").bytes
    );
    // Without csv in the formats, no backlog at all.
    let none =
        render_with(&catalog, &[Format::Json], None, &options(&Tracker::ALL)).expect("renders");
    assert!(none.iter().all(|f| !f.path.starts_with("backlog")));
}

#[test]
fn csv_bom_starts_every_csv_file() {
    let catalog = one_doc(seed());
    let opts = tracker::Options {
        trackers: Tracker::ALL.to_vec(),
        ado_process: AdoProcess::Agile,
        csv_bom: true,
        parents: true,
    };
    let files = backlogs(&catalog, &opts);
    let plain = all(&catalog);
    for f in &files {
        let same = plain.iter().find(|p| p.path == f.path).expect("same file");
        if f.path.ends_with(".csv") {
            assert!(f.bytes.starts_with("\u{feff}".as_bytes()), "{}", f.path);
            assert_eq!(f.bytes[3..], same.bytes[..], "{}", f.path);
            // The csv crate, like Excel, reads the BOM as a marker, not as text.
            let mut r = csv::Reader::from_reader(&f.bytes[..]);
            let first = r.headers().expect("headers")[0].to_string();
            assert!(
                first.starts_with(|c: char| c.is_ascii_alphabetic()),
                "{first:?}"
            );
        } else {
            assert_eq!(f.bytes, same.bytes, "JSON Lines never get a BOM");
        }
    }
}

#[test]
fn service_guide_in_place() {
    let Some((doc, _)) = corpus_doc("service-guides/azure-firewall.md") else {
        return;
    };
    // Today this page yields few or no items; whatever it yields must hold together.
    let catalog = one_doc(doc.expect("a document"));
    check_all(&catalog);
    let files = all(&catalog);
    let (_, rows) = read_csv(file(&files, "backlog-jira.csv"));
    if let Some(first) = rows.first() {
        assert_eq!(first[2], "Epic", "parents come first");
    }
    for row in &rows {
        assert!(row[6..].iter().any(|l| l.starts_with("checkdown-")));
    }
}

#[test]
fn cli_writes_the_backlogs_asked_for() {
    let out = temp_dir("trackers-cli");
    let input = fixture("trackers");
    // The lock goes to a folder of its own, not into the fixture folder.
    let lock = temp_dir("trackers-cli-lock").join("checkdown.lock");
    let o = crate::common::build_into(
        &input,
        &out,
        &lock,
        &[
            "--format",
            "json",
            "--tracker",
            "jira,azure-devops,gitlab,github",
            "--ado-process",
            "basic",
            "--csv-bom",
        ],
    );
    assert!(o.status.success(), "{}", crate::common::stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("out")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != checkdown::write::MANIFEST)
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "backlog-azure-devops.csv",
            "backlog-github.jsonl",
            "backlog-gitlab.csv",
            "backlog-jira.csv",
            "checklist.json",
        ]
    );
    let ado = std::fs::read(out.join("backlog-azure-devops.csv")).expect("ado");
    assert!(ado.starts_with("\u{feff}Work Item Type,".as_bytes()));
    assert!(String::from_utf8_lossy(&ado).contains("\r\nEpic,Injection test page"));
    let bad = run(
        &repo(),
        &[
            "build",
            "--tracker",
            "trello",
            "-o",
            out.to_str().expect("p"),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(crate::common::stderr(&bad).contains("unknown tracker `trello`"));
}

#[test]
fn a_body_that_continues_its_lead_gets_the_lead_back() {
    let text = "# Review\n\n## Checklist\n\n|&nbsp;|Code|Recommendation|\n|---|---|---|\n|&#9744;|[SE:01](./a.md)|**Keep a baseline** and measure against it.|\n";
    let (doc, _) = checkdown::compile_text("security/review.md", text);
    let files = all(&one_doc(doc.expect("doc")));
    let (_, rows) = read_csv(file(&files, "backlog-jira.csv"));
    let desc = rows[1][5].as_str();
    assert!(
        desc.starts_with("*Keep a baseline* and measure against it."),
        "{desc}"
    );
    let lines = read_jsonl(file(&files, "backlog-github.jsonl"));
    let body = lines[1]["body"].as_str().unwrap_or("");
    assert!(
        body.starts_with("**Keep a baseline** and measure against it."),
        "{body}"
    );
}
