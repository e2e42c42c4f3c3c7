//! Growth: what doubling an input costs. Each test times one step on an input of size n
//! and on one of size 2n, in a few rounds, and asserts that the larger costs at most 2.5
//! times the smaller (the median of the rounds): a step in proportion to its input costs
//! twice as much, a quadratic one four times. No test asserts an absolute time.
//!
//! The time is the CPU time of the thread that runs the step, so that other tests and
//! other builds on the machine do not count; the growth tests run one at a time. The sizes
//! are chosen so that each step takes well under a second in a debug build, and a
//! quadratic step (as each of these was) shows a ratio of 3.5 or more.

use std::collections::{BTreeSet, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use checkdown::lock::{self, Lock};
use checkdown::model::Catalog;

use crate::common::temp_dir;

/// Rounds of both sizes; the median counts.
const RUNS: usize = 7;

/// The most that doubling the input may multiply the time by.
const MAX_RATIO: f64 = 2.5;

/// Held by the growth test being timed.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The CPU time this thread has used.
fn thread_cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill in.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// Times `step` on inputs of size `n` and `2 * n` (made by `setup`, outside the timing),
/// one right after the other, [`RUNS`] times, and asserts that the median of the rounds'
/// ratios is at most [`MAX_RATIO`]. A round's two sizes run under the same load, and the
/// median leaves out the rounds where a burst of other work hit one of them.
fn assert_linear<T>(what: &str, n: usize, setup: impl Fn(usize) -> T, step: impl Fn(T)) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let mut rounds = Vec::new();
    for _ in 0..RUNS {
        let mut took = [Duration::ZERO; 2];
        for (k, size) in [n, 2 * n].into_iter().enumerate() {
            let input = setup(size);
            let start = thread_cpu_time();
            step(input);
            took[k] = thread_cpu_time().saturating_sub(start);
        }
        rounds.push((
            took[1].as_secs_f64() / took[0].as_secs_f64().max(1e-9),
            took,
        ));
    }
    rounds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (ratio, took) = rounds[RUNS / 2];
    let all: Vec<String> = rounds.iter().map(|r| format!("{:.2}", r.0)).collect();
    eprintln!(
        "{what}: {n} and {}: {} times (the median round: {:?} and {:?})",
        2 * n,
        all.join(", "),
        took[0],
        took[1]
    );
    assert!(
        ratio <= MAX_RATIO,
        "{what}: size {n} takes {:?}, size {} takes {:?}: {ratio:.2} times (rounds: {})",
        took[0],
        2 * n,
        took[1],
        all.join(", ")
    );
}

/// A page of `n` checklist items under the tab `tab` (or, without one, under the section
/// heading `## {section}`), each a bold title and a sentence of its own words, as in the
/// service guides; with `reworded`, one word of each sentence is another.
fn practices_page(n: usize, tab: Option<&str>, section: &str, reworded: bool) -> String {
    let mut page = String::from("---\ntitle: T\n---\n\n# Page\n\n");
    match tab {
        Some(tab) => page.push_str(&format!("# [{section}](#tab/{tab})\n\n")),
        None => page.push_str(&format!("## {section}\n\n")),
    }
    page.push_str("> [!div class=\"checklist\"]\n");
    // Words that differ from item to item, as real sentences' do.
    let word = |k: usize| format!("w{:05}", (k * 7919) % 100_000);
    for i in 0..n {
        let title: Vec<String> = (0..3).map(|j| word(i * 30 + j)).collect();
        let body: Vec<String> = (3..30)
            .map(|j| {
                if reworded && j == 10 {
                    "changed".to_string()
                } else {
                    word(i * 30 + j)
                }
            })
            .collect();
        page.push_str(&format!(
            "> - **Do thing {i} {}** to {}.\n",
            title.join(" "),
            body.join(" ")
        ));
    }
    if tab.is_some() {
        page.push_str("\n---\n");
    }
    page
}

fn catalog_of(path: &str, text: &str) -> Catalog {
    let (doc, diags) = checkdown::compile_text(path, text);
    assert_eq!(diags, vec![], "{path}");
    Catalog {
        format: 1,
        documents: vec![doc.expect("a checklist")],
    }
}

fn items(catalog: &Catalog) -> usize {
    catalog.documents[0]
        .sections
        .iter()
        .map(|s| s.items.len())
        .sum()
}

/// The lock of the page before, and the catalog of the page after a change.
fn before_and_after(before: &str, after: &str) -> (Lock, Catalog) {
    let lock = Lock::from_catalog(&catalog_of("p.md", before));
    (lock, catalog_of("p.md", after))
}

/// Applies the lock and checks that every item kept its id through a rename.
fn apply_all_renamed((lock, mut catalog): (Lock, Catalog)) {
    let n = items(&catalog);
    let applied = lock::apply(&mut catalog, &lock, &BTreeSet::new());
    assert_eq!((applied.renamed.len(), applied.removed.len()), (n, 0));
}

/// Renaming a tab renames every item under it (their keys hold the tab's id): matching
/// the new keys with the vanished ones grows with the items, not with their pairs.
#[test]
fn renaming_a_tab_is_linear_in_items() {
    assert_linear(
        "renaming a tab",
        150,
        |n| {
            before_and_after(
                &practices_page(n, Some("old"), "Level", false),
                &practices_page(n, Some("new"), "Level", false),
            )
        },
        apply_all_renamed,
    );
}

/// The same for a section heading (the items' keys hold its anchor).
#[test]
fn renaming_a_section_heading_is_linear_in_items() {
    assert_linear(
        "renaming a section heading",
        150,
        |n| {
            before_and_after(
                &practices_page(n, None, "Old heading", false),
                &practices_page(n, None, "New heading", false),
            )
        },
        apply_all_renamed,
    );
}

/// Renaming a tab and rewording every item under it: no item is the same as before, and
/// each is still compared with a bounded number of candidates.
#[test]
fn renaming_a_tab_and_rewording_every_item_is_linear_in_items() {
    assert_linear(
        "renaming a tab and rewording its items",
        150,
        |n| {
            before_and_after(
                &practices_page(n, Some("old"), "Level", false),
                &practices_page(n, Some("new"), "Level", true),
            )
        },
        apply_all_renamed,
    );
}

/// `checkdown diff` of two editions, the newer with a renamed tab, compiled with the
/// older's lock.
#[test]
fn diff_of_a_renamed_tab_is_linear_in_items() {
    let root = temp_dir("growth-diff");
    assert_linear(
        "diff of a renamed tab",
        150,
        |n| {
            let dir = root.join(format!("new-{n}"));
            std::fs::create_dir_all(&dir).expect("mkdir");
            let page = practices_page(n, Some("new"), "Level", false);
            std::fs::write(dir.join("p.md"), page).expect("write");
            let old = catalog_of("p.md", &practices_page(n, Some("old"), "Level", false));
            (dir, old)
        },
        |(dir, old)| {
            let lock = Lock::from_catalog(&old);
            let new = checkdown::diff::load(&dir, Some(&lock), &checkdown::Options::default())
                .expect("the new side compiles");
            let d = checkdown::diff::diff(&old, &new.catalog);
            let n = items(&old);
            assert_eq!((d.added.len(), d.removed.len(), d.renamed.len()), (0, 0, n));
        },
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// Titles are compared by their start: two long titles cost what two short ones do.
#[test]
fn long_titles_compare_in_bounded_time() {
    let entry = |title: String| lock::Entry {
        document: "p.md".to_string(),
        key: format!("p.md#{}", title.len()),
        id: "1".to_string(),
        title,
        heading: None,
        body: String::new(),
    };
    assert_linear(
        "comparing long titles",
        5_000,
        |n| {
            let a = "abcd ".repeat(n / 5);
            let b = "abce ".repeat(n / 5);
            (entry(a), entry(b))
        },
        |(a, b)| {
            for _ in 0..10 {
                // One character in five differs, at the start as over the whole.
                assert_eq!(lock::similarity(&a, &b), 0.8);
            }
        },
    );
}

/// "Did you mean" for links to missing anchors that are long and nearly equal to long
/// headings' anchors: what it compares is bounded, so the page costs what its length does.
#[test]
fn did_you_mean_is_linear_in_anchor_length() {
    const LINKS: usize = 20;
    let page = |len: usize| {
        let words = "lorem ".repeat(len / 6);
        let words = words.trim_end();
        let anchor = |i: usize| format!("item-{i}-{}", words.replace(' ', "-"));
        let mut page =
            String::from("# Broken\n\n# [Level 1](#tab/l1)\n\n> [!div class=\"checklist\"]\n");
        for i in 0..LINKS {
            page.push_str(&format!("> - [Item {i}](#{}x)\n", anchor(i)));
        }
        page.push('\n');
        for i in 0..LINKS {
            page.push_str(&format!("#### Item {i} {words}\n\nBody {i}.\n\n"));
        }
        page.push_str("---\n");
        page
    };
    assert_linear("did you mean", 1_000, page, |text| {
        let (_, diags) = checkdown::compile_text("p.md", &text);
        let missing = diags.iter().filter(|d| d.code == "missing-anchor").count();
        assert_eq!(missing, LINKS);
    });
}

/// A front matter key repeated thousands of times: each repeat is reported where it
/// stands, found through one pass over the lines.
#[test]
fn repeated_front_matter_keys_are_linear() {
    assert_linear(
        "repeated front matter keys",
        2_000,
        |n| format!("---\n{}---\n# H\n", "title: x\n".repeat(n)),
        |text| {
            let (_, diags) = checkdown::compile_text("p.md", &text);
            let n = text.matches("title: x").count();
            assert_eq!(diags.len(), n - 1);
        },
    );
}

/// Flow collections nested tens of thousands deep are refused by a scan before the YAML
/// parser, which spends time quadratic in the nesting before its own limit applies.
#[test]
fn deep_front_matter_nesting_is_linear() {
    assert_linear(
        "deep front matter nesting",
        10_000,
        |n| format!("---\nx: {}{}\n---\n# H\n", "[".repeat(n), "]".repeat(n)),
        |text| {
            let (_, diags) = checkdown::compile_text("p.md", &text);
            assert_eq!(
                diags.iter().map(|d| d.message.as_str()).collect::<Vec<_>>(),
                ["front matter does not parse: it nests deeper than 128 levels"]
            );
        },
    );
}

/// Compiles a page and returns its item count (outside the timing, the page is made).
fn compile_items(page: String) -> usize {
    let (doc, _) = checkdown::compile_text("p.md", &page);
    doc.map_or(0, |d| d.sections.iter().map(|s| s.items.len()).sum())
}

#[test]
fn checkbox_table_rows() {
    assert_linear(
        "checkbox table",
        4_000,
        |n| {
            let mut page =
                String::from("# T\n\n## Go-live\n\n| Done? | Task | Owner |\n|---|---|---|\n");
            for i in 0..n {
                page.push_str(&format!(
                    "| &#9744; | **Task {i}.** Do it well. | Team {i} |\n"
                ));
            }
            page
        },
        |page| assert!(compile_items(page) > 0),
    );
}

#[test]
fn task_lists_nested_deep() {
    assert_linear(
        "nested task list",
        2_000,
        |n| {
            let mut page = String::from("# T\n\n");
            for i in 0..n {
                page.push_str(&"  ".repeat(i.min(100)));
                page.push_str(&format!("- [ ] Task {i}\n"));
            }
            page
        },
        |page| assert!(compile_items(page) > 0),
    );
}

#[test]
fn headings_each_with_a_task() {
    assert_linear(
        "headings with tasks",
        2_000,
        |n| {
            let mut page = String::from("# T\n\n");
            for i in 0..n {
                page.push_str(&format!("## Step {i}\n\n- [ ] Task {i}\n\n"));
            }
            page
        },
        |page| assert!(compile_items(page) > 0),
    );
}

#[test]
fn tab_groups_and_checklists() {
    assert_linear(
        "tabs with checklists",
        1_000,
        |n| {
            let mut page = String::from("# T\n\n");
            for i in 0..n {
                page.push_str(&format!(
                    "### [Level {i}](#tab/l{i})\n\n> [!div class=\"checklist\"]\n> - **Do {i}.** Well.\n\n"
                ));
            }
            page.push_str("---\n");
            page
        },
        |page| assert!(compile_items(page) > 0),
    );
}

#[test]
fn unclosed_dialect_blocks() {
    assert_linear(
        "unclosed MkDocs tab and admonition",
        4_000,
        |n| {
            let mut page = String::from("# T\n\n=== \"Linux\"\n\n    !!! note\n\n");
            for i in 0..n {
                page.push_str(&format!("        - [ ] Task {i}\n"));
            }
            page
        },
        |page| assert!(compile_items(page) > 0),
    );
    assert_linear(
        "unclosed Docusaurus tabs and admonition",
        4_000,
        |n| {
            let mut page = String::from("# T\n\n<Tabs>\n<TabItem value=\"a\">\n\n:::note\n\n");
            for i in 0..n {
                page.push_str(&format!("- [ ] Task {i}\n"));
            }
            page
        },
        |page| assert!(compile_items(page) > 0),
    );
}

#[test]
fn monikers_each_with_a_checklist() {
    assert_linear(
        "moniker branches",
        1_000,
        |n| {
            let mut page = String::from("# T\n\n");
            for i in 0..n {
                page.push_str(&format!(
                    "::: moniker range=\"v{i}\"\n\n- [ ] Task {i}\n\n::: moniker-end\n\n"
                ));
            }
            page
        },
        |page| assert!(compile_items(page) > 0),
    );
}

#[test]
fn unclosed_monikers_each_with_a_checklist() {
    assert_linear(
        "unclosed moniker branches",
        2_000,
        |n| {
            let mut page = String::from("# T\n\n");
            for i in 0..n {
                page.push_str(&format!("::: moniker range=\"v{i}\"\n\n- [ ] Task {i}\n\n"));
            }
            page
        },
        |page| assert!(compile_items(page) > 0),
    );
}

#[test]
fn one_item_across_many_zones() {
    assert_linear(
        "one item in every zone pivot",
        10_000,
        |n| {
            let mut page = String::from("# T\n\n");
            for i in 0..n {
                page.push_str(&format!(
                    ":::zone pivot=\"p{i}\"\n\n- [ ] Same task\n\n:::zone-end\n\n"
                ));
            }
            page
        },
        |page| assert_eq!(compile_items(page), 1),
    );
}

/// A full item id whose id label is `checkdown-{i:08x}`.
fn item_id(i: usize) -> String {
    format!("{i:08x}-0000-5000-8000-000000000000")
}

/// A Jira export (the columns `sync` and `progress import` read) of `n` tickets, each with
/// its id label and a description of a few lines; and the ids of a lock that knew them all.
fn jira_export(n: usize) -> (Vec<u8>, HashSet<String>) {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record([
        "Summary",
        "Issue key",
        "Issue id",
        "Issue Type",
        "Status",
        "Description",
        "Resolution",
        "Resolved",
        "Labels",
        "Labels",
    ])
    .expect("header");
    for i in 0..n {
        let id = item_id(i);
        w.write_record([
            format!("Task {i}"),
            format!("CHK-{i}"),
            format!("{}", 10_000 + i),
            "Task".to_string(),
            "Done".to_string(),
            format!(
                "Do task {i}.\n\nh3. Source\n\ncheckdown id: {{{{{id}}}}} rev {{{{0a1b2c3d}}}}"
            ),
            "Done".to_string(),
            "01/Mar/25 9:30 AM".to_string(),
            "checkdown".to_string(),
            checkdown::render::tracker::plan::id_label(&id),
        ])
        .expect("row");
    }
    let ids = (0..n).map(item_id).collect();
    (w.into_inner().expect("csv"), ids)
}

/// `sync` of a Jira export whose items the docs dropped: reading the export (each record's
/// line), checking its labels, and finding each ticket's item in the lock.
#[test]
fn sync_of_a_jira_export_is_linear_in_tickets() {
    use checkdown::render::tracker::Tracker;
    use checkdown::sync::{self, Kind, Known};
    assert_linear(
        "sync of a Jira export",
        1_000,
        jira_export,
        |(bytes, lock_ids)| {
            let tickets = sync::read(Tracker::Jira, "jira.csv", &bytes).expect("reads");
            let known = Known {
                groups: &[],
                lock_ids,
                renamed: Default::default(),
            };
            let actions = sync::plan(Tracker::Jira, "jira.csv", &tickets, &known).expect("plans");
            assert!(actions.iter().all(|a| a.kind == Kind::FlagRemoved));
            assert_eq!(actions.last().map(|a| a.ticket.as_ref().map(|t| t.line)), {
                // Each record takes 5 lines, after the header's one.
                let n = tickets.len();
                Some(Some(2 + 5 * (n - 1)))
            });
        },
    );
}

/// `gh issue list --json` of `n` issues, as `gh` prints it to a pipe: one line.
fn github_export(n: usize) -> String {
    let issues: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "number": i + 1,
                "title": format!("Task {i}"),
                "body": format!("Do task {i}.\n\ncheckdown id: `{}` rev `0a1b2c3d`", item_id(i)),
                "labels": [{"name": "checkdown"}, {"name": checkdown::render::tracker::plan::id_label(&item_id(i))}],
                "state": "CLOSED",
                "stateReason": "COMPLETED",
                "url": format!("https://github.com/o/r/issues/{}", i + 1),
            })
        })
        .collect();
    serde_json::to_string(&issues).expect("json")
}

/// Reading a GitHub export: each issue's line and column.
#[test]
fn reading_a_github_export_is_linear_in_issues() {
    use checkdown::render::tracker::Tracker;
    assert_linear("reading a GitHub export", 1_000, github_export, |text| {
        let tickets =
            checkdown::sync::read(Tracker::GitHub, "issues.json", text.as_bytes()).expect("reads");
        let last = tickets.last().expect("issues");
        assert_eq!(last.line, 1);
        assert!(last.column > text.len() / 2);
    });
}

/// A progress file of `n` entries, as checkdown writes it.
fn progress_file(n: usize) -> String {
    use checkdown::model::Status;
    use checkdown::progress::{Entry, Progress};
    let items = (0..n)
        .map(|i| {
            (
                format!("x{i:07}"),
                Entry::new(Status::Done, None, "2025-03-01T09:30:00Z"),
            )
        })
        .collect();
    Progress::new(items).to_json()
}

/// Reading a progress file: where each entry starts, for the diagnostics that name one.
#[test]
fn reading_a_progress_file_is_linear_in_entries() {
    assert_linear("reading a progress file", 2_000, progress_file, |text| {
        let p = checkdown::progress::Progress::parse(&text, "p.json").expect("reads");
        // Each entry takes 4 lines, after the file's first 3.
        let n = p.items.len();
        assert_eq!(
            p.position(&format!("x{:07}", n - 1)),
            Some((4 + 4 * (n - 1), 5))
        );
    });
}

/// A page of `n` tasks of one title under the heading `## {heading}`.
fn same_title_page(n: usize, heading: &str, title: &str) -> String {
    format!(
        "# P\n\n## {heading}\n\n{}",
        format!("- [ ] {title}\n").repeat(n)
    )
}

/// Items of one title get keys `-1`, `-2`, ... in turn: the next suffix is remembered per
/// key, not searched for from `-1` for each.
#[test]
fn items_of_one_title_are_linear() {
    assert_linear(
        "items of one title",
        1_000,
        |n| same_title_page(n, "H", "Same task"),
        |page| assert!(compile_items(page) > 0),
    );
}

/// Sections of one title (MkDocs tabs of one name, each a section): their ids are
/// numbered as the items' keys are.
#[test]
fn sections_of_one_title_are_linear() {
    assert_linear(
        "sections of one title",
        1_000,
        |n| {
            let mut page = String::from("# P\n\n");
            for _ in 0..n {
                page.push_str("=== \"Linux\"\n\n    - [ ] Task\n\nText.\n\n");
            }
            page
        },
        |page| assert!(compile_items(page) > 0),
    );
}

/// Rebuilding a page of items of one title with the lock of the page before, compiling
/// included: every item renamed by its section heading keeps its id.
#[test]
fn renaming_the_heading_of_items_of_one_title_is_linear() {
    assert_linear(
        "renaming the heading of items of one title",
        1_000,
        |n| {
            let lock =
                Lock::from_catalog(&catalog_of("p.md", &same_title_page(n, "H", "Same task")));
            (lock, same_title_page(n, "Renamed heading", "Same task"))
        },
        |(lock, page)| apply_all_renamed((lock, catalog_of("p.md", &page))),
    );
}

/// A table cell of many `<br>`: each is found where it stands, the cell never copied.
#[test]
fn breaks_in_a_table_cell_are_linear() {
    assert_linear(
        "breaks in a table cell",
        4_000,
        |n| {
            format!(
                "| Done | Task |\n|---|---|\n| [ ] | {}x |\n",
                "a<Br/>".repeat(n)
            )
        },
        |page| assert_eq!(compile_items(page), 1),
    );
}

/// A page that includes, many times, a fragment within the file size limit but larger
/// than the room the page leaves: the fragment is measured once and never read, and the
/// includes give one warning.
#[test]
fn includes_of_one_fragment_are_linear() {
    let root = temp_dir("growth-includes");
    assert_linear(
        "includes of one fragment",
        2_000,
        |n| {
            let dir = root.join(format!("in-{n}"));
            std::fs::create_dir_all(dir.join("includes")).expect("mkdir");
            // The limit grows with the page, as its own would.
            let line = format!("{}\n", "x".repeat(99));
            std::fs::write(dir.join("includes/big.md"), line.repeat(10 * n)).expect("write");
            let page = format!(
                "# T\n\n- [ ] one\n\n{}",
                "[!INCLUDE [t](includes/big.md)]\n".repeat(n)
            );
            let options = checkdown::Options {
                max_file_size: 1024 * n as u64,
                ..checkdown::Options::default()
            };
            let env = checkdown::extract::Env {
                root: Some(dir),
                ..checkdown::extract::Env::default()
            };
            let mut diags = Vec::new();
            let file =
                checkdown::load::from_bytes("p.md", page.into_bytes(), &mut diags).expect("a page");
            (file, env, options)
        },
        |(file, env, options)| {
            let (doc, diags) = checkdown::compile_file_with(&file, &env, &options);
            assert!(doc.is_some());
            let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
            assert_eq!(codes, ["include"]);
        },
    );
    let _ = std::fs::remove_dir_all(&root);
}
