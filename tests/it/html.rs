//! The HTML checklist, read as text: its Content-Security-Policy, its labels, what survives
//! of a hostile page, templates a user overrides. Then the browser tests of tests/browser,
//! run from here so that `cargo test` runs them (see `browser_tests`).

use std::path::PathBuf;
use std::process::Command;

use checkdown::render::html::{hash_source, inline_blocks};
use checkdown::render::view::{safe_url, shift_headings, shorten};
use checkdown::render::{render, Format, OutputFile};

use crate::common::{repo, run, seed, stderr, temp_dir};

fn seed_html() -> Vec<OutputFile> {
    let catalog = checkdown::model::Catalog {
        format: checkdown::model::FORMAT,
        documents: vec![seed()],
    };
    render(&catalog, &[Format::Html], None).expect("renders")
}

fn hostile_html() -> Vec<OutputFile> {
    let compiled = checkdown::compile_dir(
        &repo().join("tests/browser/fixtures/hostile"),
        None,
        &checkdown::Options::default(),
    );
    assert_eq!(compiled.catalog.documents.len(), 1);
    render(&compiled.catalog, &[Format::Html], None).expect("renders")
}

fn text(f: &OutputFile) -> &str {
    std::str::from_utf8(&f.bytes).expect("utf-8")
}

/// The policy of a page, from its meta tag.
fn policy(html: &str) -> &str {
    let start = html
        .find("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .expect("a CSP meta tag")
        + "<meta http-equiv=\"Content-Security-Policy\" content=\"".len();
    let end = start + html[start..].find('"').expect("closing quote");
    &html[start..end]
}

#[test]
fn csp_allows_exactly_the_inline_code_shipped() {
    let files = seed_html();
    assert_eq!(files.len(), 2);
    for f in &files {
        let html = text(f);
        let csp = policy(html);
        assert!(
            csp.starts_with("default-src 'none'; script-src 'sha256-"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe"), "{csp}");
        // The policy comes before anything it governs.
        assert!(html.find("Content-Security-Policy") < html.find("<style"));
        let scripts = inline_blocks(html, "script");
        let styles = inline_blocks(html, "style");
        assert_eq!((scripts.len(), styles.len()), (1, 1), "{}", f.path);
        assert_eq!(
            csp,
            format!(
                "default-src 'none'; script-src {}; style-src {}; img-src 'self' data:; \
                 base-uri 'none'; form-action 'none'",
                hash_source(scripts[0]),
                hash_source(styles[0])
            )
        );
        // No inline style attribute (the policy would block it) and no event attribute.
        for tag in tags(html) {
            for attr in &tag.attrs {
                assert!(
                    attr != "style" && !attr.starts_with("on"),
                    "{}: <{} {attr}>",
                    f.path,
                    tag.name
                );
            }
        }
    }
}

#[test]
fn pages_request_nothing_from_elsewhere() {
    for f in seed_html() {
        let html = text(&f);
        for needle in [
            "src=\"http",
            "src=\"//",
            "<link",
            "@import",
            "url(",
            "<script src",
            "fetch(",
            "XMLHttpRequest",
            "<iframe",
        ] {
            assert!(!html.contains(needle), "{}: {needle}", f.path);
        }
    }
}

#[test]
fn every_checkbox_is_labelled_with_its_title() {
    let doc = seed();
    let files = seed_html();
    let page = text(
        files
            .iter()
            .find(|f| f.path == "html/security/maturity-model.html")
            .expect("page"),
    );
    let items: Vec<_> = doc.sections.iter().flat_map(|s| &s.items).collect();
    assert_eq!(items.len(), 25);
    assert_eq!(
        page.matches("<input type=\"checkbox\" id=\"check-").count(),
        25
    );
    for item in items {
        let label = format!(
            "<input type=\"checkbox\" id=\"check-{id}\" data-id=\"{id}\"><label for=\"check-{id}\">{}</label>",
            escape(&item.title),
            id = item.id
        );
        assert!(page.contains(&label), "{label}");
        // The item is reachable at its anchor, as in the docs.
        assert!(page.contains(&format!(
            "<li class=\"item\" id=\"{}\" data-id=\"{}\"",
            item.anchor, item.id
        )));
    }
    // Headings stay in order: one h1, sections h2, items h3.
    assert_eq!(page.matches("<h1>").count(), 1);
    assert_eq!(page.matches("<h2 ").count(), 5);
    assert_eq!(page.matches("<h3>").count(), 25);
    assert!(!page.contains("<h4") && !page.contains("<h5") && !page.contains("<h6"));
}

/// Items that share a heading (a checklist of bold leads, a table of recommendations) get
/// their key's fragment as element id; no id repeats in any page of input/.
#[test]
fn element_ids_are_unique_in_every_page() {
    let compiled =
        checkdown::compile_dir(&repo().join("input"), None, &checkdown::Options::default());
    let files = render(&compiled.catalog, &[Format::Html], None).expect("renders");
    assert!(files.len() > 2);
    for f in &files {
        let html = text(f);
        let mut ids: Vec<&str> = html
            .split(" id=\"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').expect("closing quote")])
            .collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "{}: an id repeats", f.path);
    }
    let release = text(
        files
            .iter()
            .find(|f| f.path == "html/operations/release-checklist.html")
            .expect("release checklist"),
    );
    assert!(release
        .contains("<li class=\"item\" id=\"example-release-checklist/freeze-the-release-branch\""));
}

#[test]
fn the_index_draws_the_overview_at_build_time() {
    let files = seed_html();
    let index = text(
        files
            .iter()
            .find(|f| f.path == "html/index.html")
            .expect("index"),
    );
    assert!(index.contains("<svg viewBox=\"0 0 880 60\""));
    for level in 1..=5 {
        assert!(index.contains(&format!(">Level {level}</text>")));
        assert!(index.contains(&format!(
            "data-label=\"Security maturity model, Level {level}\""
        )));
    }
    assert_eq!(index.matches("rect class=\"cell-fill\"").count(), 5);
    assert!(index.contains("<tspan data-done>0</tspan>/<tspan data-total>6</tspan></text>"));
    // Per-document and per-section progress, linked to the sections.
    assert!(index.contains(
        "<a href=\"./security/maturity-model.html#level3\">Level 3: Risk assessment</a>"
    ));
    assert_eq!(index.matches("<progress ").count(), 1 + 1 + 5);
}

/// Everything from the docs is escaped or sanitized: no script, handler, javascript: URL,
/// frame or style survives, wherever it was written (title, front matter, headings, tab
/// titles and ids, link text, bodies, callouts).
#[test]
fn a_hostile_page_keeps_nothing_that_runs() {
    let files = hostile_html();
    assert_eq!(files.len(), 2);
    for f in &files {
        let html = text(f);
        assert_eq!(inline_blocks(html, "script").len(), 1, "{}", f.path);
        assert_eq!(inline_blocks(html, "style").len(), 1, "{}", f.path);
        for tag in tags(html) {
            if tag.name == "meta" {
                assert!(
                    [
                        "<meta charset=",
                        "<meta http-equiv=\"Content-Security-Policy\"",
                        "<meta name="
                    ]
                    .iter()
                    .any(|p| tag.raw.starts_with(p)),
                    "{}: {}",
                    f.path,
                    tag.raw
                );
            }
            assert!(
                !matches!(
                    tag.name.as_str(),
                    "iframe" | "frame" | "object" | "embed" | "base" | "link" | "video" | "audio"
                ) && !tag.attrs.iter().any(|a| a == "action" || a == "formaction"),
                "{}: {}",
                f.path,
                tag.raw
            );
            for attr in &tag.attrs {
                assert!(
                    !attr.starts_with("on") && attr != "style" && attr != "srcdoc",
                    "{}: {}",
                    f.path,
                    tag.raw
                );
            }
            let lower = tag.raw.to_ascii_lowercase();
            for scheme in ["javascript:", "vbscript:", "data:text"] {
                assert!(!lower.contains(scheme), "{}: {}", f.path, tag.raw);
            }
        }
    }
    let page = text(
        files
            .iter()
            .find(|f| f.path == "html/hostile.html")
            .expect("page"),
    );
    // Shown as text rather than dropped where the model keeps it as text.
    assert!(page.contains(
        "<strong class=\"label\">Risk &lt;script&gt;window.__pwned = &#39;risk label&#39;&lt;/script&gt;</strong>"
    ));
    // The tab id with quotes in it stays inside its attribute.
    assert!(page.contains("id=\"level1&quot;onmouseover=&quot;alert(&#39;tab-id&#39;)\""));
}

#[test]
fn headings_from_the_docs_are_moved_under_the_page_s() {
    assert_eq!(
        shift_headings("<h1>a</h1><p>x</p><h3>b</h3>".to_string(), 4),
        "<h4>a</h4><p>x</p><h6>b</h6>"
    );
    assert_eq!(
        shift_headings("<h5>a</h5><h6>b</h6>".to_string(), 3),
        "<h3>a</h3><h4>b</h4>"
    );
    assert_eq!(
        shift_headings("<h1>a</h1><h4>b</h4>".to_string(), 4),
        "<h4>a</h4><h6>b</h6>"
    );
    assert_eq!(
        shift_headings("<hr><header>".to_string(), 2),
        "<hr><header>"
    );
    assert_eq!(
        shift_headings("<p>no headings</p>".to_string(), 2),
        "<p>no headings</p>"
    );
}

#[test]
fn long_titles_keep_their_start_and_end() {
    assert_eq!(
        shorten("Security maturity model", 44),
        "Security maturity model"
    );
    assert_eq!(
        shorten(
            "Architecture best practices for Azure Kubernetes Service (AKS)",
            44
        ),
        "Architecture best … Kubernetes Service (AKS)"
    );
    assert_eq!(
        shorten("Architecture best practices for Azure Front Door", 44),
        "Architecture best … for Azure Front Door"
    );
    assert_eq!(shorten("ééééééééééééééééééééééééééééé", 10), "éééé … ééééé");
    // Never a cut word when whole words fit.
    assert_eq!(
        shorten(
            "Solution Architect's Responsibilities and Guiding Principles",
            44
        ),
        "Solution … and Guiding Principles"
    );
}

#[test]
fn only_safe_urls_become_links() {
    for ok in [
        "https://learn.microsoft.com/azure/well-architected/",
        "http://example.com/a:b",
        "mailto:team@example.com",
        "../security/page.html#x",
        "/azure/x",
        "page.html?a=b:c",
    ] {
        assert_eq!(safe_url(ok).as_deref(), Some(ok), "{ok}");
    }
    for bad in [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "java\tscript:x",
        "file:///etc/passwd",
    ] {
        assert_eq!(safe_url(bad), None, "{bad}");
    }
}

#[test]
fn published_urls_become_links_when_safe() {
    let mut doc = seed();
    let base = "https://learn.microsoft.com/azure/well-architected/security/maturity-model";
    doc.url = Some(base.to_string());
    for item in doc.sections.iter_mut().flat_map(|s| &mut s.items) {
        item.url = Some(format!("{base}#{}", item.anchor));
    }
    doc.sections[0].items[1].url = Some("javascript:alert(1)".to_string());
    let catalog = checkdown::model::Catalog {
        format: checkdown::model::FORMAT,
        documents: vec![doc],
    };
    let files = render(&catalog, &[Format::Html], None).expect("renders");
    let page = text(&files[1]);
    assert!(page.contains(&format!(
        "<a href=\"{base}\" rel=\"noopener noreferrer\">Published page</a>"
    )));
    assert!(page.contains(&format!(
        "<a href=\"{base}#-encrypt-data-at-rest\" rel=\"noopener noreferrer\">Read in the docs</a>"
    )));
    assert_eq!(page.matches(">Read in the docs</a>").count(), 24);
    assert!(!page.contains("javascript:"));
}

#[test]
fn the_overview_has_a_column_per_level_and_one_for_no_level() {
    let one = "# One\n\n# [Level 1: Start](#tab/level1)\n\n> [!div class=\"checklist\"]\n> - [A](#-a)\n\n#### &#10003; A\n\nBody.\n\n---\n";
    let two = "# Two\n\n# [Level 2: More](#tab/level2)\n\n> [!div class=\"checklist\"]\n> - [B](#-b)\n> - [C](#-c)\n\n#### &#10003; B\n\nBody.\n\n#### &#10003; C\n\nBody.\n\n---\n\n# [Extras](#tab/extras)\n\n> [!div class=\"checklist\"]\n> - [D](#-d)\n\n#### &#10003; D\n\nBody.\n\n---\n";
    let documents = [("a/one.md", one), ("b/two.md", two)]
        .into_iter()
        .map(|(path, md)| {
            let (doc, diags) = checkdown::compile_text(path, md);
            assert!(diags.is_empty(), "{diags:?}");
            doc.expect("a checklist")
        })
        .collect();
    let catalog = checkdown::model::Catalog {
        format: checkdown::model::FORMAT,
        documents,
    };
    let files = render(&catalog, &[Format::Html], None).expect("renders");
    let index = text(
        files
            .iter()
            .find(|f| f.path == "html/index.html")
            .expect("index"),
    );
    let columns: Vec<&str> = index
        .split("<text class=\"col\"")
        .skip(1)
        .map(|t| &t[t.find('>').expect("tag end") + 1..t.find("</text>").expect("text end")])
        .collect();
    assert_eq!(columns, ["Level 1", "Level 2", "No level"]);
    // One: Level 1 only. Two: Level 2 and a section without a level.
    assert_eq!(index.matches("rect class=\"cell-fill\"").count(), 3);
    assert_eq!(index.matches("<text class=\"none\"").count(), 3);
    assert!(index.contains("data-label=\"Two, No level\""));
    assert!(index.contains("<a href=\"./b/two.html#extras\">Extras</a>"));
    // Pages in folders link back to the index.
    let page = text(
        files
            .iter()
            .find(|f| f.path == "html/b/two.html")
            .expect("page"),
    );
    assert!(page.contains("<a href=\"../index.html\">All checklists</a>"));
    // A document without levels has no level filter.
    assert!(page.contains("<option value=\"2\">Level 2</option>"));
    let one = text(
        files
            .iter()
            .find(|f| f.path == "html/a/one.html")
            .expect("page"),
    );
    assert!(!one.contains("<option value=\"2\">"));
}

#[test]
fn an_empty_catalog_still_has_an_index() {
    let catalog = checkdown::model::Catalog {
        format: checkdown::model::FORMAT,
        documents: vec![],
    };
    let files = render(&catalog, &[Format::Html], None).expect("renders");
    assert_eq!(files.len(), 1);
    let index = text(&files[0]);
    assert!(index.contains("No checklist was found in the input folder."));
    assert!(!index.contains("<svg"));
}

#[test]
fn init_templates_then_build_with_a_theme() {
    let dir = temp_dir("theme");
    let theme = dir.join("theme");
    let out = run(&dir, &["init-templates", "theme"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut written: Vec<String> = std::fs::read_dir(&theme)
        .expect("theme")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "checklist.css",
            "checklist.js",
            "checklist.md",
            "index.html",
            "index.md",
            "page.html"
        ]
    );
    // Never overwrites.
    assert_eq!(
        run(&dir, &["init-templates", "theme"]).status.code(),
        Some(2)
    );

    // A theme: a different stylesheet, and a page that extends the built-in one.
    for name in ["checklist.js", "checklist.md", "index.html", "index.md"] {
        std::fs::remove_file(theme.join(name)).expect("remove");
    }
    let css = std::fs::read_to_string(theme.join("checklist.css")).expect("css");
    std::fs::write(
        theme.join("checklist.css"),
        format!("{css}\nbody {{ font-family: Georgia, serif; }}\n"),
    )
    .expect("write");
    std::fs::write(
        theme.join("page.html"),
        "{% extends \"builtin/page.html\" %}{% block footer %}<p>Our team's copy.</p>{% endblock footer %}",
    )
    .expect("write");
    let input = repo().join("input");
    let output = dir.join("out");
    let out = run(
        &dir,
        &[
            "build",
            input.to_str().expect("utf-8 path"),
            "-o",
            "out",
            "--format",
            "html",
            "--templates",
            "theme",
            // The lock goes to the temporary folder, not into input/.
            "--lock",
            "checkdown.lock",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page =
        std::fs::read_to_string(output.join("html/security/maturity-model.html")).expect("page");
    assert!(page.contains("<p>Our team's copy.</p>"));
    assert!(page.contains("font-family: Georgia, serif;"));
    // The policy follows the theme's stylesheet.
    let style = inline_blocks(&page, "style")[0];
    assert!(policy(&page).contains(&hash_source(style)));
    let index = std::fs::read_to_string(output.join("html/index.html")).expect("index");
    assert!(index.contains("font-family: Georgia, serif;"));
}

#[test]
fn a_template_with_its_own_inline_script_is_refused() {
    let dir = temp_dir("bad-theme");
    std::fs::create_dir_all(dir.join("theme")).expect("theme");
    std::fs::write(
        dir.join("theme/index.html"),
        "<html><body><script>alert(1)</script></body></html>",
    )
    .expect("write");
    let input = repo().join("input");
    let out = run(
        &dir,
        &[
            "build",
            input.to_str().expect("utf-8 path"),
            "-o",
            "out",
            "--templates",
            "theme",
            // The lock goes to the temporary folder, not into input/.
            "--lock",
            "checkdown.lock",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("index.html: an inline <script> block is not the one checkdown ships"),
        "{}",
        stderr(&out)
    );
}

/// Runs tests/browser (Playwright driving Debian's Chromium) when node, the browser and the
/// npm packages are present, and says why it skipped otherwise. CI sets
/// `CHECKDOWN_BROWSER_TESTS=require`, which turns a skip into a failure.
#[test]
fn browser_tests() {
    let dir = repo().join("tests/browser");
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let required = std::env::var("CHECKDOWN_BROWSER_TESTS").is_ok_and(|v| v == "require");
    let missing = if Command::new("node").arg("--version").output().is_err() {
        Some("node is not installed".to_string())
    } else if !chromium.exists() {
        Some(format!("{} is not installed", chromium.display()))
    } else if !dir.join("node_modules/playwright-core").is_dir() {
        Some("run `npm ci` in tests/browser first".to_string())
    } else {
        None
    };
    if let Some(why) = missing {
        assert!(!required, "browser tests required but cannot run: {why}");
        eprintln!("skipped: browser tests: {why}");
        return;
    }
    let out = Command::new("node")
        .current_dir(&dir)
        .args([
            "--test",
            "--test-reporter=spec",
            "--test-concurrency=1",
            "checklist.test.mjs",
        ])
        .env("CHECKDOWN_BIN", env!("CARGO_BIN_EXE_checkdown"))
        .env("CHECKDOWN_FIELDS", fields_site())
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser tests failed:\n{report}");
    eprintln!("{report}");
}

/// The HTML of `fields::release()` (items checked in the source, nested, grouped), written
/// into a folder for the browser tests.
fn fields_site() -> PathBuf {
    let dir = crate::common::temp_dir("fields-site");
    let files = checkdown::render::render(&crate::fields::release(), &[Format::Html], None)
        .expect("renders");
    for f in files {
        let path = dir.join(f.path.trim_start_matches("html/"));
        std::fs::write(path, f.bytes).expect("writes");
    }
    dir
}

/// A start tag, its name and attribute names, as a browser would read them (enough for
/// checking what a page contains; the text between tags is skipped).
struct Tag {
    name: String,
    attrs: Vec<String>,
    raw: String,
}

fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' || !b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                break;
            }
            let a = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>') {
                i += 1;
            }
            attrs.push(html[a..i].to_ascii_lowercase());
            if b.get(i) == Some(&b'=') {
                i += 1;
                match b.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        i += 1;
                        while i < b.len() && b[i] != q {
                            i += 1;
                        }
                        i += 1;
                    }
                    _ => {
                        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                            i += 1;
                        }
                    }
                }
            }
        }
        let raw = html[start..(i + 1).min(html.len())].to_string();
        // Skip the content of the page's own script and style blocks.
        if name == "script" || name == "style" {
            let close = format!("</{name}>");
            i = html[i..].find(&close).map_or(b.len(), |n| i + n);
        }
        out.push(Tag { name, attrs, raw });
        i += 1;
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
