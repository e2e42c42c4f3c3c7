//! The four outputs: snapshots for the seed, and output/ kept current with input/.

use std::path::Path;

use checkdown::render::{render, Format};

use crate::common::{repo, seed};

fn seed_outputs() -> Vec<checkdown::render::OutputFile> {
    let catalog = checkdown::model::Catalog {
        format: checkdown::model::FORMAT,
        documents: vec![seed()],
    };
    render(&catalog, &Format::ALL, None).expect("renders")
}

fn file<'a>(files: &'a [checkdown::render::OutputFile], path: &str) -> &'a str {
    let f = files.iter().find(|f| f.path == path).expect(path);
    std::str::from_utf8(&f.bytes).expect("utf-8")
}

#[test]
fn snapshot_markdown() {
    let files = seed_outputs();
    insta::assert_snapshot!(
        "seed_checklist_md",
        file(&files, "checklists/security/maturity-model.md")
    );
    insta::assert_snapshot!("seed_index_md", file(&files, "checklists/index.md"));
}

#[test]
fn snapshot_csv() {
    let files = seed_outputs();
    insta::assert_snapshot!("seed_backlog_csv", file(&files, "backlog.csv"));
}

#[test]
fn snapshot_html() {
    let files = seed_outputs();
    insta::assert_snapshot!(
        "seed_page_html",
        file(&files, "html/security/maturity-model.html")
    );
    insta::assert_snapshot!("seed_index_html", file(&files, "html/index.html"));
}

#[test]
fn snapshot_json() {
    let files = seed_outputs();
    insta::assert_snapshot!("seed_checklist_json", file(&files, "checklist.json"));
}

#[test]
fn csv_parses_back_with_exact_columns() {
    let files = seed_outputs();
    let mut r = csv::Reader::from_reader(file(&files, "backlog.csv").as_bytes());
    let headers: Vec<String> = r
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(headers, checkdown::render::csv::COLUMNS);
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 25);
    let iam = rows
        .iter()
        .find(|r| {
            r.get(4) == Some("Refine your identity and access management (IAM) configurations")
        })
        .expect("IAM row");
    assert_eq!(iam.get(2), Some("Level 4: System hardening"));
    assert_eq!(iam.get(3), Some("4"));
    assert!(iam
        .get(6)
        .unwrap_or("")
        .starts_with("Conditional access and JIT access policies"));
    assert_eq!(iam.get(8), Some("security/maturity-model.md:231"));
    // No cell starts with a character a spreadsheet would execute.
    for row in &rows {
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
        }
    }
}

#[test]
fn html_has_one_labelled_checkbox_per_item_and_no_external_request() {
    let files = seed_outputs();
    let page = file(&files, "html/security/maturity-model.html");
    assert_eq!(
        page.matches("<input type=\"checkbox\" id=\"check-").count(),
        25
    );
    assert!(page.contains("<input type=\"checkbox\" id=\"check-"));
    assert!(
        page.contains(">Refine your identity and access management (IAM) configurations</label>")
    );
    for needle in [
        "src=\"http",
        "href=\"http://",
        "<link ",
        "@import",
        "<script src",
    ] {
        assert!(!page.contains(needle), "{needle}");
    }
}

/// output/ must be exactly what `checkdown build` writes for input/.
#[test]
fn committed_output_is_current() {
    let root = repo();
    let lock = checkdown::lock::read(&root.join("input").join(checkdown::lock::FILE_NAME))
        .expect("input/checkdown.lock reads")
        .unwrap_or_default();
    let (compiled, _) = checkdown::lock::compile(
        &root.join("input"),
        Some(&root.join("output")),
        &checkdown::Options::default(),
        &lock,
    );
    let files = render(&compiled.catalog, &Format::ALL, None).expect("renders");
    let stale = checkdown::write::stale(&root.join("output"), &files);
    assert!(
        stale.is_empty(),
        "output/ is stale; run `cargo run --release -- build`: {stale:?}"
    );
    let mut on_disk = Vec::new();
    collect(&root.join("output"), &root.join("output"), &mut on_disk);
    on_disk.sort();
    let mut expected: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    expected.sort();
    assert_eq!(
        on_disk, expected,
        "output/ holds files build does not write"
    );
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read output/").flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect(base, &p, out);
        } else if !p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            out.push(checkdown::load::relative(base, &p));
        }
    }
}

/// docs/checklist.schema.json is the schema of the model as built; `checkdown schema`
/// prints it. Regenerate with `cargo run -- schema > docs/checklist.schema.json`.
#[test]
fn published_schema_is_current() {
    let committed =
        std::fs::read_to_string(repo().join("docs/checklist.schema.json")).expect("schema");
    assert_eq!(
        committed,
        checkdown::model::schema(),
        "docs/checklist.schema.json is stale: run `cargo run -- schema > docs/checklist.schema.json`"
    );
}

/// The committed JSON validates against the published schema's required fields: every
/// item carries every field of the contract.
#[test]
fn json_items_carry_every_contract_field() {
    let root = repo();
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("output/checklist.json")).expect("json"),
    )
    .expect("parses");
    let fields = [
        "id", "key", "kind", "code", "anchor", "title", "heading", "body", "callouts", "source",
        "pillar", "scope", "benefit", "url", "guide",
    ];
    let docs = json["documents"].as_array().expect("documents");
    assert!(!docs.is_empty());
    for doc in docs {
        for s in doc["sections"].as_array().expect("sections") {
            for item in s["items"].as_array().expect("items") {
                for f in fields {
                    assert!(item.get(f).is_some(), "item lacks {f}");
                }
            }
        }
    }
}

/// A body that continues its bold lead ("**Lead** and more") reads whole in the HTML and
/// the backlog; the JSON keeps the rest only, as the contract says.
#[test]
fn continuing_bodies_get_their_lead_back_outside_the_json() {
    let root = repo();
    let csv_text = std::fs::read_to_string(root.join("output/backlog.csv")).expect("csv");
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let row = r
        .records()
        .map(|r| r.expect("row"))
        .find(|r| r.get(4) == Some("Keep a security baseline"))
        .expect("SE:01 row");
    assert_eq!(
        row.get(5),
        Some("**Keep a security baseline** and measure the workload against it regularly.")
    );
    let page =
        std::fs::read_to_string(root.join("output/html/security/checklist.html")).expect("page");
    assert!(page.contains("<p><strong>Keep a security baseline</strong> and measure the workload against it regularly.</p>"));
    let json = std::fs::read_to_string(root.join("output/checklist.json")).expect("json");
    assert!(json.contains("\"body\": \"and measure the workload against it regularly.\""));
}

#[test]
fn markdown_notes_stay_separate_paragraphs() {
    let text = "# T\n\n# [Level 1: A](#tab/level1)\n\n> [!div class=\"checklist\"]\n> - [X](#-x)\n\n#### &#10003; X\n\nBody.\n\n> :::image type=\"icon\" source=\"../_images/trade-off.svg\"::: **Trade-off:** Costs.\n\n> :::image type=\"icon\" source=\"../_images/risk.svg\"::: **Risk:** Breaks.\n\n---\n";
    let (doc, _) = checkdown::compile_text("t.md", text);
    let catalog = checkdown::model::Catalog {
        format: checkdown::model::FORMAT,
        documents: vec![doc.expect("doc")],
    };
    let files = render(&catalog, &[Format::Md], None).expect("renders");
    assert!(file(&files, "checklists/t.md")
        .contains("- [ ] **X**: Body.\n  > **Trade-off:** Costs.\n  >\n  > **Risk:** Breaks.\n"));
}
