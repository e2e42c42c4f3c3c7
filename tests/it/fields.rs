//! How every output shows the item fields `checked`, `parent`, `group`, `variants` and
//! `summary`, on a hand-built catalog; the Markdown checklist's escaping; the trackers'
//! limits (titles in languages written without spaces, descriptions too long to import).

use checkdown::model::{Catalog, Document, FrontMatter, Item, Section, Source, FORMAT};
use checkdown::render::tracker::{self, Tracker};
use checkdown::render::{render, render_checked, render_with, Format, OutputFile};
use serde_json::Value;

use crate::common::{build_into, stderr, temp_dir};

fn item(n: usize, title: &str, body: &str) -> Item {
    Item {
        id: format!("{n:08x}-0000-5000-8000-{n:012x}"),
        key: format!("f.md#item-{n}"),
        kind: "task".to_string(),
        code: None,
        anchor: format!("item-{n}"),
        title: title.to_string(),
        heading: None,
        body: body.to_string(),
        callouts: Vec::new(),
        source: Source { line: n, column: 3 },
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

fn id(n: usize) -> String {
    format!("{n:08x}-0000-5000-8000-{n:012x}")
}

fn catalog(items: Vec<Item>) -> Catalog {
    Catalog {
        format: FORMAT,
        documents: vec![Document {
            path: "f.md".to_string(),
            title: "Fields".to_string(),
            front_matter: FrontMatter::default(),
            url: None,
            intro: String::new(),
            callouts: Vec::new(),
            sections: vec![Section {
                id: "s".to_string(),
                title: "Release".to_string(),
                level: None,
                goal: None,
                intro: String::new(),
                callouts: Vec::new(),
                items,
            }],
        }],
    }
}

/// Release tasks: a checked task with two subtasks (one checked, one nested deeper), a
/// grouped pair with variants and a summary.
pub fn release() -> Catalog {
    let mut a = item(1, "Prepare the release", "Cut the branch.");
    a.checked = true;
    let mut a1 = item(2, "Update the changelog", "");
    a1.parent = Some(id(1));
    a1.checked = true;
    let mut a2 = item(3, "Tag the commit", "");
    a2.parent = Some(id(1));
    let mut a2x = item(4, "Sign the tag", "");
    a2x.parent = Some(id(3));
    let mut b = item(5, "Announce", "Post the notes.");
    b.group = Some("After the release".to_string());
    b.variants = vec!["azure-devops".to_string(), "azure-devops-2022".to_string()];
    b.summary = Some("Tell the users what changed.".to_string());
    let mut c = item(6, "Close the milestone", "");
    c.group = Some("After the release".to_string());
    catalog(vec![a, a1, a2, a2x, b, c])
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
    let f = files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} is written"));
    std::str::from_utf8(&f.bytes).expect("utf-8")
}

fn all_formats(c: &Catalog) -> Vec<OutputFile> {
    let opts = tracker::Options {
        trackers: Tracker::ALL.to_vec(),
        ..tracker::Options::default()
    };
    render_with(c, &Format::ALL, None, &opts).expect("renders")
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn markdown_checklist_shows_ticks_nesting_groups_variants_and_summaries() {
    let files = render(&release(), &[Format::Md], None).expect("renders");
    assert_eq!(
        file(&files, "checklists/f.md"),
        "# Fields\n\nSource: `f.md`\n\n## Release\n\n\
         - [x] **Prepare the release**: Cut the branch.\n\
         \x20 - [x] **Update the changelog**\n\
         \x20 - [ ] **Tag the commit**\n\
         \x20   - [ ] **Sign the tag**\n\
         \n**After the release**\n\n\
         - [ ] **Announce**: Post the notes. _(variants: azure-devops, azure-devops-2022)_\\\n\
         \x20 Tell the users what changed.\n\
         - [ ] **Close the milestone**\n"
    );
}

#[test]
fn markdown_checklist_text_renders_as_the_text_it_is() {
    let bodies = [
        "Write &lt;b&gt; when you mean the tag. More.",
        "Use `*_cache_*` for the key. More.",
        "Quote `[x](y)` as code. More.",
        "Write &amp;lt; for a literal entity. More.",
    ];
    let items = bodies
        .iter()
        .enumerate()
        .map(|(n, b)| item(n + 1, &format!("Item {}", n + 1), b))
        .collect();
    let mut c = catalog(items);
    let s = &mut c.documents[0].sections[0];
    s.items[0].summary = Some("- not a list, 1. not one either".to_string());
    s.items[1].code = Some("A`B".to_string());
    s.items[1].scope = Some("*all*".to_string());
    s.goal = Some("Ship <safely>".to_string());
    let files = render(&c, &[Format::Md], None).expect("renders");
    let md = file(&files, "checklists/f.md");
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(
        lines[6..],
        [
            "*Goal: Ship \\<safely\\>*",
            "",
            "- [ ] **Item 1**: Write \\<b\\> when you mean the tag.\\",
            "  \\- not a list, 1. not one either",
            "- [ ] **Item 2**: Use `*_cache_*` for the key. ``A`B`` _(\\*all\\*)_",
            "- [ ] **Item 3**: Quote `[x](y)` as code.",
            "- [ ] **Item 4**: Write \\&lt; for a literal entity.",
        ]
    );
    // As any GFM renderer shows it: the text, the code spans, no tag, link or emphasis.
    let html = checkdown::render::markdown::to_html(md);
    assert!(
        html.contains("Write &lt;b&gt; when you mean the tag."),
        "{html}"
    );
    assert!(html.contains("<code>*_cache_*</code>"), "{html}");
    assert!(html.contains("<code>[x](y)</code>"), "{html}");
    assert!(
        html.contains("Write &amp;lt; for a literal entity."),
        "{html}"
    );
    assert!(html.contains("<em>(*all*)</em>"), "{html}");
    assert!(!html.contains("<a "), "{html}");
    assert!(!html.contains("<b>"), "{html}");
}

#[test]
fn html_pre_ticks_nests_and_labels() {
    let files = render(&release(), &[Format::Html], None).expect("renders");
    let page = file(&files, "html/f.html");
    assert!(page.contains(&format!(
        "<body data-page=\"document\" data-checked=\"{} {}\">",
        id(1),
        id(2)
    )));
    let checked = format!(
        "<li class=\"item done\" id=\"item-1\" data-id=\"{}\"",
        id(1)
    );
    assert!(page.contains(&checked), "{page}");
    assert!(page.contains(&format!(
        "<input type=\"checkbox\" id=\"check-{0}\" data-id=\"{0}\" checked>",
        id(1)
    )));
    assert!(page.contains(&format!(
        "<input type=\"checkbox\" id=\"check-{0}\" data-id=\"{0}\"><label",
        id(3)
    )));
    // Nested lists inside their parents' items, closed after the last child.
    let nesting: Vec<&str> = page
        .lines()
        .filter(|l| {
            l.starts_with("<li class=\"item")
                || l.starts_with("<ul")
                || l.starts_with("</ul")
                || l.starts_with("</li")
                || l.starts_with("<p class=\"group")
        })
        .map(|l| l.split(" data-id").next().unwrap_or(l))
        .collect();
    assert_eq!(
        nesting,
        [
            "<ul class=\"items\">",
            "<li class=\"item done\" id=\"item-1\"",
            "<ul class=\"items nested\">",
            "<li class=\"item done\" id=\"item-2\"",
            "</li>",
            "<li class=\"item\" id=\"item-3\"",
            "<ul class=\"items nested\">",
            "<li class=\"item\" id=\"item-4\"",
            "</li>",
            "</ul>",
            "</li>",
            "</ul>",
            "</li>",
            "</ul>",
            "<p class=\"group\">After the release</p>",
            "<ul class=\"items\">",
            "<li class=\"item\" id=\"item-5\"",
            "</li>",
            "<li class=\"item\" id=\"item-6\"",
            "</li>",
            "</ul>",
        ]
    );
    assert!(page.contains("<span class=\"tag variant\"><span class=\"vh\">Variants: </span>azure-devops, azure-devops-2022</span>"));
    assert!(page
        .contains("<p class=\"summary\">Tell the users what changed.</p>\n<div class=\"state\""));
    let files = render(&release(), &[Format::Html], None).expect("renders");
    let index = file(&files, "html/index.html");
    assert!(index.contains(&format!(
        "<body data-page=\"index\" data-checked=\"{} {} \">",
        id(1),
        id(2)
    )));
}

#[test]
fn generic_csv_has_a_column_for_each_field() {
    let files = render(&release(), &[Format::Csv], None).expect("renders");
    let text = file(&files, "backlog.csv");
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "id,document,section,level,title,description,trade-offs,risks,source,checked,parent,group,variants,summary"
    );
    assert_eq!(
        lines[1],
        format!(
            "{},Fields,Release,,Prepare the release,Cut the branch.,,,f.md:1,true,,,,",
            id(1)
        )
    );
    assert_eq!(
        lines[2],
        format!(
            "{},Fields,Release,,Update the changelog,,,,f.md:2,true,{},,,",
            id(2),
            id(1)
        )
    );
    assert_eq!(
        lines[5],
        format!(
            "{},Fields,Release,,Announce,Post the notes.,,,f.md:5,false,,After the release,azure-devops;azure-devops-2022,Tell the users what changed.",
            id(5)
        )
    );
}

#[test]
fn jira_makes_nested_items_sub_tasks_of_their_top_item() {
    let files = all_formats(&release());
    let rows = csv_rows(file(&files, "backlog-jira.csv"));
    let shape: Vec<(&str, &str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        shape,
        [
            ("1", "", "Epic", "Fields / Release"),
            ("2", "1", "Task", "Prepare the release"),
            ("3", "1", "Task", "Announce"),
            ("4", "1", "Task", "Close the milestone"),
            ("5", "2", "Sub-task", "Update the changelog"),
            ("6", "2", "Sub-task", "Tag the commit"),
            ("7", "2", "Sub-task", "Sign the tag"),
        ]
    );
    // The checked ones carry the label; a deeper item names its own parent.
    assert!(rows[2][6..].contains(&"checked-in-source".to_string()));
    assert!(rows[5][6..].contains(&"checked-in-source".to_string()));
    assert!(!rows[6][6..].contains(&"checked-in-source".to_string()));
    assert!(
        rows[7][5].starts_with("*Parent:* Tag the commit ({{checkdown-00000003}})"),
        "{}",
        rows[7][5]
    );
    assert!(rows[3][5].starts_with(
        "*Group:* After the release\\\\ *Variants:* azure-devops, azure-devops-2022\n\nTell the users what changed.\n\nPost the notes."
    ), "{}", rows[3][5]);
}

#[test]
fn azure_devops_puts_nested_items_in_title_3_as_tasks() {
    for (process, story) in [
        ("agile", "User Story"),
        ("scrum", "Product Backlog Item"),
        ("basic", "Issue"),
    ] {
        let opts = tracker::Options {
            trackers: vec![Tracker::AzureDevOps],
            ado_process: process.parse().expect("process"),
            ..tracker::Options::default()
        };
        let files = render_with(&release(), &[Format::Csv], None, &opts).expect("renders");
        let rows = csv_rows(file(&files, "backlog-azure-devops.csv"));
        assert_eq!(
            rows[0],
            [
                "Work Item Type",
                "Title 1",
                "Title 2",
                "Title 3",
                "Description",
                "Tags"
            ]
        );
        let shape: Vec<[&str; 4]> = rows[1..]
            .iter()
            .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str()])
            .collect();
        let parent = if process == "basic" {
            "Epic"
        } else {
            "Feature"
        };
        assert_eq!(
            shape,
            [
                [parent, "Fields / Release", "", ""],
                [story, "", "Prepare the release", ""],
                ["Task", "", "", "Update the changelog"],
                ["Task", "", "", "Tag the commit"],
                ["Task", "", "", "Sign the tag"],
                [story, "", "Announce", ""],
                [story, "", "Close the milestone", ""],
            ]
        );
        assert!(rows[2][5].split("; ").any(|t| t == "checked-in-source"));
    }
    // Without nested items the file keeps its two title columns.
    let opts = tracker::Options {
        trackers: vec![Tracker::AzureDevOps],
        ..tracker::Options::default()
    };
    let files = render_with(
        &catalog(vec![item(1, "One", "x")]),
        &[Format::Csv],
        None,
        &opts,
    )
    .expect("renders");
    let rows = csv_rows(file(&files, "backlog-azure-devops.csv"));
    assert_eq!(rows[0], checkdown::render::tracker::ado::COLUMNS);
}

#[test]
fn github_links_nested_items_to_their_parent_and_gitlab_names_it() {
    let files = all_formats(&release());
    let lines: Vec<Value> = file(&files, "backlog-github.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let section = lines[0]["id"].as_str().expect("id").to_string();
    let parents: Vec<(&str, &str)> = lines[1..]
        .iter()
        .map(|l| {
            (
                l["title"].as_str().expect("title"),
                l["parent"].as_str().expect("parent"),
            )
        })
        .collect();
    assert_eq!(
        parents,
        [
            ("Prepare the release", section.as_str()),
            ("Update the changelog", id(1).as_str()),
            ("Tag the commit", id(1).as_str()),
            ("Sign the tag", id(3).as_str()),
            ("Announce", section.as_str()),
            ("Close the milestone", section.as_str()),
        ]
    );
    assert_eq!(
        lines[1]["labels"],
        serde_json::json!([
            "checkdown",
            "checkdown-00000001",
            "task",
            "checked-in-source",
            "fields",
            "release"
        ])
    );
    assert_eq!(
        crate::common::without_rev(lines[5]["body"].as_str().expect("body")),
        format!(
            "**Group:** After the release\\\n**Variants:** azure-devops, azure-devops-2022\n\nTell the users what changed.\n\nPost the notes.\n\n### Source\n\n`f.md:5`\n\ncheckdown id: `{}`",
            id(5)
        )
    );
    let rows = csv_rows(file(&files, "backlog-gitlab.csv"));
    assert_eq!(rows[0], ["title", "description"]);
    assert_eq!(
        crate::common::without_rev(&rows[2][1]),
        format!(
            "/label ~\"checkdown\" ~\"checkdown-00000002\" ~\"task\" ~\"checked-in-source\" ~\"fields\" ~\"release\"\n\n**Parent:** Prepare the release (`checkdown-00000001`)\n\n### Source\n\n`f.md:2`\n\ncheckdown id: `{}`",
            id(2)
        )
    );
}

#[test]
fn titles_without_spaces_use_most_of_the_room_in_every_tracker() {
    // 264 characters: a Latin product name, then Japanese without spaces.
    let title = format!(
        "Azure Key Vault {}",
        "キーとシークレットを定期的にローテーションします".repeat(11)
    );
    assert_eq!(title.chars().count(), 280);
    let files = all_formats(&catalog(vec![item(1, &title, "本文。")]));
    let want = format!("{}…", title.chars().take(254).collect::<String>());
    let jira = csv_rows(file(&files, "backlog-jira.csv"));
    assert_eq!(jira[2][3], want);
    let ado = csv_rows(file(&files, "backlog-azure-devops.csv"));
    assert_eq!(ado[2][2], want);
    let gitlab = csv_rows(file(&files, "backlog-gitlab.csv"));
    assert_eq!(gitlab[1][0], want);
    let github: Vec<Value> = file(&files, "backlog-github.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(github[1]["title"], want.as_str());
    // The full title opens the description.
    assert!(github[1]["body"]
        .as_str()
        .expect("body")
        .starts_with(&format!("**Full title:** {title}\n\n")));
}

/// A body of `rows` table rows of 80 characters.
fn table(rows: usize) -> String {
    let mut md = String::from("| Setting | Value |\n|---|---|\n");
    for n in 0..rows {
        md.push_str(&format!("| setting-{n:05} | {} |\n", "v".repeat(60)));
    }
    md
}

#[test]
fn long_descriptions_are_shortened_in_the_middle_with_a_warning() {
    let mut it = item(1, "Tune every setting", &table(450));
    it.url = Some("https://learn.example/f#item-1".to_string());
    let big = item(2, "Huge", &table(1000));
    let c = catalog(vec![it, big]);
    let opts = tracker::Options {
        trackers: Tracker::ALL.to_vec(),
        ..tracker::Options::default()
    };
    let (files, warnings) = render_checked(&c, &[Format::Csv], None, &opts).expect("renders");
    let tail = format!(
        "The source below has all of it._\n\nh3. Source\n\n[https://learn.example/f#item-1]\n\ncheckdown id: {{{{{}}}}}",
        id(1)
    );
    let jira = csv_rows(file(&files, "backlog-jira.csv"));
    let d = &jira[2][5];
    let units: usize = d.chars().map(char::len_utf16).sum();
    assert!((32_000..=32_767).contains(&units), "{units}");
    assert!(
        d.starts_with("||Setting||Value||\n|setting-00000|"),
        "{}",
        &d[..60]
    );
    let d = &crate::common::without_rev(d);
    assert!(d.ends_with(&tail), "{}", &d[d.len() - 300..]);
    assert!(d.contains("_The rest of this text is left out: Jira takes at most 32,767 UTF-16 code units in a Description."));
    // The other trackers' limits are larger: GitHub shortens the 1000-row body only.
    let github: Vec<Value> = file(&files, "backlog-github.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let body = github[1]["body"].as_str().expect("body");
    assert!(!body.contains("left out"));
    let body = github[2]["body"].as_str().expect("body");
    assert!(body.chars().count() <= 65_536 && body.chars().count() > 65_000);
    assert!(crate::common::without_rev(body).ends_with(&format!(
        "### Source\n\n`f.md:2`\n\ncheckdown id: `{}`",
        id(2)
    )));
    let summary: Vec<(&str, &str, usize, usize, String)> = warnings
        .iter()
        .map(|w| {
            (
                w.code,
                w.path.as_str(),
                w.line,
                w.column,
                w.message
                    .split(" of `")
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "tracker-limit",
                "f.md",
                1,
                3,
                "the Jira Description".to_string()
            ),
            (
                "tracker-limit",
                "f.md",
                2,
                3,
                "the Jira Description".to_string()
            ),
            ("tracker-limit", "f.md", 2, 3, "the GitHub body".to_string()),
        ]
    );
    assert!(
        warnings[0]
            .message
            .contains("UTF-16 code units, over the 32,767 it takes; shortened to 32,"),
        "{}",
        warnings[0].message
    );
    assert!(warnings
        .iter()
        .all(|w| w.severity == checkdown::diag::Severity::Warning));
}

#[test]
fn the_build_prints_the_shortening_warning() {
    let dir = temp_dir("fields-limit");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).expect("input");
    let page = "# Big\n\n## Reliability\n\n### Workload design checklist\n\n> [!div class=\"checklist\"]\n> - **Tune every setting.** These:\n>\n".to_string();
    // The practice's body is the rest of its list item: a long table inside the quote.
    let rows: String = table(450).lines().map(|l| format!(">   {l}\n")).collect();
    std::fs::write(input.join("big.md"), page + &rows).expect("page");
    let out = build_into(
        &input,
        &dir.join("out"),
        &dir.join("lock"),
        &["--tracker", "jira", "--base-url", "https://learn.example/"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning[tracker-limit]: the Jira Description of `Tune every setting` is "),
        "{err}"
    );
    assert!(err.contains(", 0 errors, 1 warning,"), "{err}");
    let denied = build_into(
        &input,
        &dir.join("out"),
        &dir.join("lock"),
        &["--tracker", "jira", "--deny", "warnings"],
    );
    assert_eq!(denied.status.code(), Some(1), "{}", stderr(&denied));
}
