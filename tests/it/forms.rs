//! The checklist forms of FORMS.md: every sample page of ../shared/corpus/learn and
//! ../shared/corpus/dialects compiled to exactly its EXPECTED.json entry, and each form's
//! variants as small fixtures.

use std::collections::BTreeMap;
use std::path::PathBuf;

use checkdown::extract::OBJECTIVE_LIST;
use checkdown::model::{CalloutKind, Document, Item};
use serde_json::Value;

use crate::common;

fn shared(corpus: &str) -> Option<PathBuf> {
    let p = common::repo().join("../shared/corpus").join(corpus);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "skipped: {} is absent (it comes with the docs checkout in CI)",
            p.display()
        );
        None
    }
}

fn items(doc: &Document) -> Vec<&Item> {
    doc.sections.iter().flat_map(|s| &s.items).collect()
}

/// Compiles a sample corpus in place, without a base URL, and checks every page of its
/// EXPECTED.json: item count, titles in order, checked indices, parents, sections,
/// objective lists left out, and (dialects) the admonitions recognized.
fn sample(corpus: &str) {
    let Some(root) = shared(corpus) else { return };
    let expected: BTreeMap<String, Value> = serde_json::from_str(
        &std::fs::read_to_string(root.join("EXPECTED.json")).expect("EXPECTED.json"),
    )
    .expect("EXPECTED.json parses");
    let options = checkdown::Options {
        base_url: String::new(),
        ..checkdown::Options::default()
    };
    let compiled = checkdown::compile_dir(&root, None, &options);
    let errors: Vec<_> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.severity == checkdown::diag::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let docs: BTreeMap<&str, &Document> = compiled
        .catalog
        .documents
        .iter()
        .map(|d| (d.path.as_str(), d))
        .collect();
    // No document outside the labelled pages yields items (include files, say).
    for d in &compiled.catalog.documents {
        assert!(
            expected.contains_key(&d.path),
            "{} is not a labelled page",
            d.path
        );
    }
    for (path, want) in &expected {
        let got = docs.get(path.as_str());
        let list = got.map(|d| items(d)).unwrap_or_default();
        let titles: Vec<&str> = list.iter().map(|i| i.title.as_str()).collect();
        let want_titles: Vec<&str> = want["titles"]
            .as_array()
            .expect("titles")
            .iter()
            .map(|t| t.as_str().expect("title"))
            .collect();
        assert_eq!(titles, want_titles, "{path}: titles");
        assert_eq!(
            list.len() as u64,
            want["items"].as_u64().expect("items"),
            "{path}"
        );
        let checked: Vec<u64> = list
            .iter()
            .enumerate()
            .filter(|(_, i)| i.checked)
            .map(|(n, _)| n as u64)
            .collect();
        let want_checked: Vec<u64> = want["checked"]
            .as_array()
            .expect("checked")
            .iter()
            .map(|v| v.as_u64().expect("index"))
            .collect();
        assert_eq!(checked, want_checked, "{path}: checked");
        if let Some(parents) = want.get("parents").and_then(Value::as_object) {
            let index: BTreeMap<&str, usize> = list
                .iter()
                .enumerate()
                .map(|(n, i)| (i.id.as_str(), n))
                .collect();
            let got: BTreeMap<String, u64> = list
                .iter()
                .enumerate()
                .filter_map(|(n, i)| {
                    let p = i.parent.as_deref()?;
                    Some((n.to_string(), index[p] as u64))
                })
                .collect();
            let want: BTreeMap<String, u64> = parents
                .iter()
                .map(|(k, v)| (k.clone(), v.as_u64().expect("parent")))
                .collect();
            assert_eq!(got, want, "{path}: parents");
        }
        assert_eq!(
            got.map_or(0, |d| d.sections.len()) as u64,
            want["sections"].as_u64().expect("sections"),
            "{path}: sections"
        );
        if let Some(n) = want.get("objective_lists").and_then(Value::as_u64) {
            let left_out = compiled
                .diagnostics
                .iter()
                .filter(|d| d.code == OBJECTIVE_LIST && d.path == *path)
                .count();
            assert_eq!(left_out as u64, n, "{path}: objective lists");
        }
        if let Some(n) = want.get("callouts").and_then(Value::as_u64) {
            let text = std::fs::read(root.join(path)).expect("page");
            let mut diags = Vec::new();
            let file = checkdown::load::from_bytes(path, text, &mut diags).expect("loads");
            let marks = checkdown::dialect::prepare(&file, None, u64::MAX, &mut diags)
                .map(|p| p.file.marks.callouts.len())
                .unwrap_or(0);
            let alerts = got.map_or(0, |d| {
                d.callouts.len()
                    + d.sections
                        .iter()
                        .map(|s| {
                            s.callouts.len()
                                + s.items.iter().map(|i| i.callouts.len()).sum::<usize>()
                        })
                        .sum::<usize>()
            });
            // Admonitions recognized in the page (whether or not their section holds an
            // item), and never more callouts in the model than the page has.
            assert_eq!(marks as u64, n, "{path}: admonitions");
            assert!(alerts <= marks, "{path}: {alerts} callouts in the model");
        }
    }
}

#[test]
fn learn_sample_pages_compile_to_their_labels() {
    sample("learn");
}

#[test]
fn dialect_sample_pages_compile_to_their_labels() {
    sample("dialects");
}

fn compile(path: &str, text: &str) -> (Option<Document>, Vec<checkdown::diag::Diagnostic>) {
    checkdown::compile_text(path, text)
}

fn titles(doc: &Document) -> Vec<String> {
    items(doc).iter().map(|i| i.title.clone()).collect()
}

fn codes(diags: &[checkdown::diag::Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.code).collect()
}

#[test]
fn form_a_objective_lists_are_left_out() {
    let page = "# T\n\nIn this tutorial, you learn how to:\n\n> [!div class=\"checklist\"]\n> * Create a cluster\n> * Deploy an app\n\n## Next steps\n\n> [!div class=\"checklist\"]\n> * Scale it\n";
    let (doc, diags) = compile("t.md", page);
    assert!(doc.is_none());
    assert_eq!(codes(&diags), [OBJECTIVE_LIST, OBJECTIVE_LIST]);
    // `ms.topic: tutorial` makes every block objectives, whatever introduces it.
    let page = "---\nms.topic: tutorial\n---\n# T\n\nSteps:\n\n> [!div class=\"checklist\"]\n> * Create a cluster\n";
    let (doc, diags) = compile("t.md", page);
    assert!(doc.is_none());
    assert_eq!(codes(&diags), [OBJECTIVE_LIST]);
    // Any other introduction: a checklist.
    let page = "# T\n\n## Prepare\n\nBefore you begin planning:\n\n> [!div class=\"checklist\"]\n> - Identify restrictions.\n> - Identify sponsors.\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    assert_eq!(titles(&doc), ["Identify restrictions", "Identify sponsors"]);
    assert_eq!(doc.sections[0].id, "prepare");
}

#[test]
fn form_a_checkbox_state_and_text_after_the_link() {
    let page = "# T\n\n## Overview\n\n> [!div class=\"checklist\"]\n> - [x] Update the changelog\n> - [ ] [**Summarization**](#summarization). Tools that condense logs into short reports.\n\n## Summarization\n\nBody of the strategy.\n\n## Other\n\nNot the body.\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    let list = items(&doc);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].title, "Update the changelog");
    assert!(list[0].checked);
    assert_eq!(list[1].title, "Summarization");
    assert!(!list[1].checked);
    assert_eq!(
        list[1].summary.as_deref(),
        Some("Tools that condense logs into short reports.")
    );
    // The linked heading stands in another section: its body is still the item's.
    assert_eq!(list[1].body, "Body of the strategy.");
}

#[test]
fn form_a_html_anchors_name_headings() {
    let page = "# T\n\n> [!div class=\"checklist\"]\n> - [Encrypt data](#encrypt-data)\n> - [Prerequisites](#prereqs)\n\n## <a name=\"encrypt-data\"></a>Encrypt data at rest\n\nUse keys.\n\n<a name=\"prereqs\"></a>\n## Before you start\n\nHave an account. See [the start](#prereqs).\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    let list = items(&doc);
    assert_eq!(list[0].heading.as_deref(), Some("Encrypt data at rest"));
    assert_eq!(list[0].body, "Use keys.");
    assert_eq!(list[1].heading.as_deref(), Some("Before you start"));
}

#[test]
fn form_a_full_width_stops_end_titles() {
    let page = "# T\n\n## 步驟\n\n> [!div class=\"checklist\"]\n> - **步驟1：複寫內部部署 Vm。** 他們會複寫。\n";
    let (doc, _) = compile("t.md", page);
    let doc = doc.expect("a checklist");
    assert_eq!(titles(&doc), ["步驟1：複寫內部部署 Vm"]);
}

#[test]
fn exclusive_monikers_hold_one_item() {
    let page = "# T\n\n::: moniker range=\"azure\"\n\n> [!div class=\"checklist\"]\n> - [Encrypt](#encrypt)\n\n::: moniker-end\n\n::: moniker range=\"stack\"\n\n> [!div class=\"checklist\"]\n> - [Encrypt](#encrypt)\n\n::: moniker-end\n\n## Encrypt\n\nUse keys.\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    let list = items(&doc);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].variants, ["azure", "stack"]);
    // The same anchor twice in one branch is still a duplicate.
    let page = "# T\n\n> [!div class=\"checklist\"]\n> - [Encrypt](#encrypt)\n> - [Encrypt](#encrypt)\n\n## Encrypt\n\nUse keys.\n";
    let (_, diags) = compile("t.md", page);
    assert_eq!(codes(&diags), ["duplicate-item"]);
}

/// A moniker left open ends where the next branch opens: branches never nest, so an
/// unclosed one does not make every later branch its child, and an item repeated across
/// exclusive branches stays one item that lists each branch once.
#[test]
fn unclosed_monikers_end_at_the_next_branch() {
    let page = "# T\n\n## Checklist\n\n::: moniker range=\"v1\"\n\n- [ ] Task 1\n\n::: moniker range=\"v2\"\n\n- [ ] Task 2\n- [ ] Same\n\n:::zone pivot=\"a\"\n\n- [ ] Same\n\n:::zone-end\n\n:::zone pivot=\"b\"\n\n- [ ] Same\n\n:::zone-end\n\n:::zone pivot=\"a\"\n\n- [ ] Same\n\n:::zone-end\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    assert_eq!(titles(&doc), ["Task 1", "Task 2", "Same"]);
    let list = items(&doc);
    let variants: Vec<&[String]> = list.iter().map(|i| i.variants.as_slice()).collect();
    assert_eq!(variants, [&["v1"][..], &["v2"][..], &["v2", "a", "b"][..]]);
    assert!(list.iter().all(|i| i.parent.is_none() && i.group.is_none()));
}

#[test]
fn form_b_checkbox_tables() {
    let page = "# T\n\n## Go-live\n\n| Done? | Task | Owner |\n|---|---|---|\n| &check; | **Complete all test cycles** with exit criteria met. | QA |\n| &check; | Align dependencies. Then more. | PM |\n| | | |\n\n## Phishing\n\n|&nbsp;|&nbsp;|\n|---|---|\n|<input type=\"checkbox\" />|Is the user a VIP?|\n|<input type=\"checkbox\" checked />|Check the sender.|\n\n## Mixed\n\n| Task | ☐ |\n|---|---|\n| Rotate keys | ☐ |\n| Review access | ☑ |\n| Audit logs | [x] |\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    assert_eq!(
        titles(&doc),
        [
            "Complete all test cycles",
            "Align dependencies",
            "Is the user a VIP?",
            "Check the sender",
            "Rotate keys",
            "Review access",
            "Audit logs"
        ]
    );
    let checked: Vec<bool> = items(&doc).iter().map(|i| i.checked).collect();
    // A column of ✓ in every row is a printed box: open.
    assert_eq!(checked, [false, false, false, true, false, true, true]);
    let first = items(&doc)[0];
    assert_eq!(first.body, "with exit criteria met.\n\n**Owner:** QA");
    let ids: Vec<&str> = doc.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["go-live", "phishing", "mixed"]);
}

/// Steps numbered as text in a checkbox table's cell (`1. Enable MFA`, as Zero Trust
/// deployment tables write them): the number's stop ends no sentence, the title is the
/// step without its number.
#[test]
fn form_b_numbered_steps_in_cells() {
    let page = "# T\n\n## Identities\n\n| Done | Deployment objective | Owner |\n|:--|:--|:--|\n| <input type=\"checkbox\" /> | 1. Enable self-service password reset (SSPR), which gives you credential reset capabilities | IT implementer |\n| <input type=\"checkbox\" /> | 2. Enable MFA. Then select methods. | IT implementer |\n| <input type=\"checkbox\" /> | 10. Review. | IT |\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    assert_eq!(
        titles(&doc),
        [
            "Enable self-service password reset (SSPR), which gives you credential reset capabilities",
            "Enable MFA",
            "Review"
        ]
    );
    assert_eq!(
        items(&doc)[1].body,
        "Then select methods.\n\n**Owner:** IT implementer"
    );
}

#[test]
fn form_b_feature_matrices_are_not_checklists() {
    let page = "# T\n\n## Features\n\n| Feature | Basic | Premium |\n|---|---|---|\n| Backups | ✓ | ✓ |\n| Geo | ☐ | ✓ |\n\n| Feature | Supported |\n|---|---|\n| Backups | ✓ |\n| Geo | ✓ |\n";
    let (doc, diags) = compile("t.md", page);
    assert!(doc.is_none());
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn form_c_code_tables() {
    let page = "# Migration checklist\n\n## Plan\n\n| Code | Recommendation |\n|---|---|\n| [MIG:01](./plan.md) | **Plan the waves.** Group workloads. |\n| [MIG:02](./a.md) <br> [MIG:02](./b.md) | Test the rollback. |\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.iter().all(|d| d.code == "broken-link"), "{diags:?}");
    let doc = doc.expect("a checklist");
    let list = items(&doc);
    assert_eq!(titles(&doc), ["Plan the waves", "Test the rollback"]);
    assert_eq!(list[0].kind, "review");
    assert_eq!(list[0].code.as_deref(), Some("MIG:01"));
    assert_eq!(list[1].code.as_deref(), Some("MIG:02"));
}

#[test]
fn form_d_task_lists_anywhere() {
    let page = "# Release\n\n## Signoff\n\n- [X] (R) Issue in milestone\n- [ ] Parent task\n  - [x] Child one\n  - [ ] Child two\n    1. [ ] Grandchild\n\n> [!NOTE]\n> - [ ] Task in a callout\n\n<!--\n- [ ] Task in a comment\n-->\n\n- Not a task\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    let list = items(&doc);
    assert_eq!(
        titles(&doc),
        [
            "(R) Issue in milestone",
            "Parent task",
            "Child one",
            "Child two",
            "Grandchild",
            "Task in a callout"
        ]
    );
    assert!(list.iter().all(|i| i.kind == "task"));
    let checked: Vec<bool> = list.iter().map(|i| i.checked).collect();
    assert_eq!(checked, [true, false, true, false, false, false]);
    let parent = |n: usize| {
        list[n]
            .parent
            .as_deref()
            .map(|p| list.iter().position(|i| i.id == p).expect("parent exists"))
    };
    let parents: Vec<Option<usize>> = (0..list.len()).map(parent).collect();
    assert_eq!(parents, [None, None, Some(1), Some(1), Some(3), None]);
    assert_eq!(list[1].body, "", "nested tasks are items, not body");
    assert_eq!(doc.sections.len(), 1);
    assert_eq!(doc.sections[0].title, "Signoff");
}

#[test]
fn form_d_without_headings_is_one_section_named_after_the_page() {
    let page = "---\ntitle: Verify a release\n---\n\n- [ ] Download links work.\n- [ ] Checksums are valid.\n\n## Download links work\n\nDownload it.\n";
    let (doc, _) = compile("t.md", page);
    let doc = doc.expect("a checklist");
    assert_eq!(doc.sections.len(), 1);
    assert_eq!(doc.sections[0].title, "Verify a release");
    assert_eq!(titles(&doc), ["Download links work", "Checksums are valid"]);
}

#[test]
fn form_e_checklist_pages() {
    let page = "---\nms.custom:\n  - checklist\n  - think-tank\n---\n# Availability\n\n- [Design](#design)\n- [Operations](#operations)\n\n## Design\n\n**Data**\n\n* **Avoid a single point of failure.** All components should be redundant.\n* Use replicas. Read from them.\n  * Nested stays in the body.\n\n> [!NOTE]\n> - A list in a callout is not an item.\n\n| a | b |\n|---|---|\n| c | d |\n\n## Next steps\n\n- Read the [guide](./guide.md) next\n\n## See also:\n\n- Another list\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.iter().all(|d| d.code == "broken-link"), "{diags:?}");
    let doc = doc.expect("a checklist page");
    let list = items(&doc);
    assert_eq!(
        titles(&doc),
        ["Avoid a single point of failure", "Use replicas"]
    );
    assert!(list.iter().all(|i| i.kind == "practice"));
    assert!(list.iter().all(|i| i.group.as_deref() == Some("Data")));
    assert_eq!(
        list[1].body,
        "Read from them.\n\n* Nested stays in the body."
    );
    // `ms.topic: checklist` and an H1 that says so are checklist pages too.
    for head in [
        "---\nms.topic: checklist\n---\n# Go live\n",
        "# Go-live checklist\n",
    ] {
        let (doc, _) = compile(
            "t.md",
            &format!("{head}\n## Steps\n\n1. Sign off the scope.\n2. Test it.\n"),
        );
        assert_eq!(
            titles(&doc.expect("a checklist page")),
            ["Sign off the scope", "Test it"]
        );
    }
}

#[test]
fn form_f_design_checklist_heading_over_a_plain_list() {
    let page = "# Service\n\n## Security\n\n### Workload design checklist\n\nStart your design strategy:\n\n- **Use managed identities.** Avoid secrets.\n- **Encrypt at rest:** Use keys.\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    assert_eq!(titles(&doc), ["Use managed identities", "Encrypt at rest"]);
    assert!(items(&doc).iter().all(|i| i.kind == "practice"));
    assert_eq!(doc.sections[0].title, "Security");
}

#[test]
fn form_g_best_practice_blocks() {
    let page = "# Scheduler\n\n## Enforce quotas\n\n> **Best practice guidance**\n>\n> Plan and apply resource quotas. Monitor usage.\n\nMore text.\n\n## Limit disruption\n\n> **Best Practice Guidance:**\n>\n> Define budgets.\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    assert_eq!(
        titles(&doc),
        ["Plan and apply resource quotas", "Define budgets"]
    );
    assert_eq!(items(&doc)[0].body, "Monitor usage.");
    let sections: Vec<&str> = doc.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(sections, ["Enforce quotas", "Limit disruption"]);
}

#[test]
fn mkdocs_admonitions_and_tabs() {
    let page = "# :robot: Guide\n\n## :clipboard: Prerequisites\n\n!!! abstract \"Checklist\"\n\n    - [x] :material-check: Fork the repo\n    - [ ] Add the label\n\n!!! tip\n    Use a bot.\n\n=== \"Linux\"\n\n    - [ ] Install with curl\n\n=== \"Windows\"\n\n    Run the installer.\n\nAfter the tabs.\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    assert_eq!(
        titles(&doc),
        ["Fork the repo", "Add the label", "Install with curl"]
    );
    let sections: Vec<&str> = doc.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(sections, ["Prerequisites", "Linux"]);
    let callouts = &doc.sections[0].callouts;
    assert_eq!(callouts.len(), 1);
    assert_eq!(callouts[0].kind, CalloutKind::Tip);
    assert_eq!(callouts[0].label, "Tip");
    assert_eq!(callouts[0].text, "Use a bot.");
}

#[test]
fn docusaurus_admonitions_tabs_and_imports() {
    let page = "---\ntitle: Verify\n---\nimport Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';\n\n## Checks\n\n- [ ] Build passes\n\n:::caution Careful\n\nDo not skip.\n\n:::\n\n<Tabs>\n<TabItem value=\"npm\" label=\"npm\">\n\n- [ ] Run npm test\n\n</TabItem>\n</Tabs>\n";
    let (doc, diags) = compile("t.mdx", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    assert_eq!(titles(&doc), ["Build passes", "Run npm test"]);
    assert_eq!(doc.sections[0].callouts.len(), 1);
    assert_eq!(doc.sections[0].callouts[0].label, "Careful");
    assert_eq!(doc.sections[0].callouts[0].kind, CalloutKind::Caution);
    assert_eq!(doc.sections[1].title, "npm");
    assert!(!doc.intro.contains("import"));
}

#[test]
fn code_language_tabs_without_items_are_not_sections() {
    let page = "# T\n\n## One\n\n- [ ] Task one\n\n### [Azure CLI](#tab/azure-cli)\n\nRun az.\n\n### [PowerShell](#tab/azure-powershell)\n\nRun ps.\n\n---\n\n## Two\n\n### [Azure CLI](#tab/azure-cli)\n\n- [ ] Task two\n\n### [PowerShell](#tab/azure-powershell)\n\n- [ ] Task three\n\n---\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    let ids: Vec<&str> = doc.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["one", "azure-cli", "azure-powershell"]);
}

#[test]
fn repeated_section_ids_get_suffixes() {
    let page = "# T\n\n## Setup\n\n- [ ] One\n\n## Setup\n\n- [ ] Two\n";
    let (doc, _) = compile("t.md", page);
    let ids: Vec<String> = doc
        .expect("a checklist")
        .sections
        .iter()
        .map(|s| s.id.clone())
        .collect();
    assert_eq!(ids, ["setup", "setup-1"]);
}

#[test]
fn front_matter_tab_after_a_dash() {
    let page = "---\nms.collection:\n  -\tzerotrust-solution\n---\n# T\n\n- [ ] One\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("a checklist");
    assert_eq!(
        serde_json::to_string(&doc.front_matter).expect("json"),
        r#"{"ms.collection":["zerotrust-solution"]}"#
    );
}

#[test]
fn unrecognized_checklists_are_reported() {
    let page = "# Prerequisites checklist\n\n| Step | Task |\n|---|---|\n| 1 | Install |\n\n## Related content\n\n- [Next](./next.md)\n";
    let (doc, diags) = compile("t.md", page);
    assert!(doc.is_none());
    assert_eq!(codes(&diags), ["unrecognized-checklist"]);
    assert_eq!((diags[0].line, diags[0].column), (1, 1));
    let page = "---\nms.topic: checklist\n---\nNo heading, no list.\n";
    let (_, diags) = compile("t.md", page);
    assert_eq!(codes(&diags), ["unrecognized-checklist"]);
    // A page that says nothing about checklists stays quiet.
    let (doc, diags) = compile("t.md", "# T\n\n- a\n- b\n");
    assert!(doc.is_none() && diags.is_empty());
}

#[test]
fn includes_are_inlined_and_bounded() {
    let dir = common::temp_dir("includes");
    let docs = dir.join("docs");
    std::fs::create_dir_all(docs.join("includes")).expect("dirs");
    std::fs::write(
        docs.join("page.md"),
        "# Deploy checklist\n\n## Steps\n\n[!INCLUDE [steps](./includes/steps.md)]\n\n- [ ] Last [!include[x](includes/inline.md)]\n\n[!INCLUDE [loop](includes/loop.md)]\n[!INCLUDE [out](../../etc/passwd)]\n[!INCLUDE [missing](includes/nope.md)]\n[!INCLUDE [link](includes/link.md)]\n",
    )
    .expect("page");
    std::fs::write(
        docs.join("includes/steps.md"),
        "- [x] Included one\n- [ ] Included two [bad](#nowhere)\n",
    )
    .expect("include");
    std::fs::write(docs.join("includes/inline.md"), "inline words\n").expect("include");
    std::fs::write(
        docs.join("includes/loop.md"),
        "[!INCLUDE [again](loop.md)]\n",
    )
    .expect("include");
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/hostname", docs.join("includes/link.md")).expect("link");
    let options = checkdown::Options {
        base_url: String::new(),
        ..checkdown::Options::default()
    };
    let compiled = checkdown::compile_dir(&dir, None, &options);
    assert_eq!(
        compiled.catalog.documents.len(),
        1,
        "include files are not pages"
    );
    let doc = &compiled.catalog.documents[0];
    assert_eq!(
        titles(doc),
        ["Included one", "Included two bad", "Last inline words"]
    );
    assert!(items(doc)[0].checked);
    // Items from an include stand at the include's line of the page.
    assert_eq!(items(doc)[0].source.line, 5);
    let found: Vec<(&str, &str, usize)> = compiled
        .diagnostics
        .iter()
        .map(|d| (d.code, d.path.as_str(), d.line))
        .collect();
    assert_eq!(
        found,
        [
            // The walk's own report of the link; the include never reads it.
            ("symlink", "docs/includes/link.md", 0),
            ("include", "docs/includes/loop.md", 1),
            ("broken-link", "docs/includes/steps.md", 2),
            ("include", "docs/page.md", 10),
            ("include", "docs/page.md", 11),
            ("include", "docs/page.md", 12),
        ]
    );
    let link = compiled
        .diagnostics
        .iter()
        .find(|d| d.line == 12)
        .expect("the linked include");
    assert_eq!(
        link.message,
        "include `includes/link.md` goes through a symbolic link; not read"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn includes_nest_eight_deep_at_most() {
    let dir = common::temp_dir("include-depth");
    for n in 0..12 {
        std::fs::write(
            dir.join(format!("i{n}.md")),
            format!("- [ ] Level {n}\n\n[!INCLUDE [next](i{}.md)]\n", n + 1),
        )
        .expect("include");
    }
    std::fs::create_dir_all(dir.join("includes")).expect("dir");
    for n in 0..12 {
        std::fs::rename(
            dir.join(format!("i{n}.md")),
            dir.join(format!("includes/i{n}.md")),
        )
        .expect("move");
    }
    std::fs::write(
        dir.join("page.md"),
        "# P\n\n[!INCLUDE [first](includes/i0.md)]\n",
    )
    .expect("page");
    let compiled = checkdown::compile_dir(&dir, None, &checkdown::Options::default());
    let doc = &compiled.catalog.documents[0];
    assert_eq!(items(doc).len(), 8);
    let deep: Vec<_> = compiled
        .diagnostics
        .iter()
        .map(|d| (d.code, d.path.as_str()))
        .collect();
    assert_eq!(deep, [("include", "includes/i7.md")]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The page with its includes expanded stays within `--max-file-size`: an include that
/// would pass it is left out (measured, not read), and so is every later one that would,
/// with one warning at the first; the rest of the page, and includes that still fit, are
/// kept.
#[test]
fn includes_stop_at_the_file_size_limit_with_one_warning() {
    let dir = common::temp_dir("include-budget");
    std::fs::create_dir_all(dir.join("includes")).expect("dir");
    let page = "# T\n\n- [ ] One\n\n[!INCLUDE [a](includes/a.md)]\n- [ ] Two\n  [!INCLUDE [big](includes/big.md)]\n[!INCLUDE [a](includes/a.md)]\n- [ ] Three [!include[big](includes/big.md)]\n[!INCLUDE [big](./includes/big.md)]\n";
    std::fs::write(dir.join("page.md"), page).expect("page");
    std::fs::write(dir.join("includes/a.md"), "- [ ] From a\n").expect("a");
    let max = 400;
    // Within the limit on its own, but not with the page and the first include.
    let big = "x".repeat(max - page.len() - 13 + 1);
    std::fs::write(dir.join("includes/big.md"), big).expect("big");
    let options = checkdown::Options {
        max_file_size: max as u64,
        ..checkdown::Options::default()
    };
    let compiled = checkdown::compile_dir(&dir, None, &options);
    let found: Vec<(&str, &str, usize, usize, &str)> = compiled
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.path.as_str(),
                d.line,
                d.column,
                d.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "include",
            "page.md",
            7,
            3,
            "include `includes/big.md` would make the page larger than 400 bytes; not read (nor 2 later includes that would)"
        )]
    );
    let doc = &compiled.catalog.documents[0];
    assert_eq!(titles(doc), ["One", "From a", "Two", "From a", "Three"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn base_url_none_makes_no_urls() {
    let dir = common::temp_dir("no-base");
    std::fs::write(
        dir.join("page.md"),
        "# P\n\n- [ ] Read [the guide](./guide.md)\n\n> [!div class=\"checklist\"]\n> - [Encrypt](#encrypt)\n\n## Encrypt\n\nSee [guide](./guide.md).\n",
    )
    .expect("page");
    std::fs::write(dir.join("guide.md"), "# Guide\n").expect("guide");
    let out = dir.join("out");
    let lock = dir.join("lock");
    let o = common::build_into(
        &dir,
        &out,
        &lock,
        &["--base-url", "none", "--format", "json"],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let json = std::fs::read_to_string(out.join("checklist.json")).expect("json");
    let model: checkdown::model::Catalog = serde_json::from_str(&json).expect("model");
    let doc = &model.documents[0];
    assert_eq!(doc.url, None);
    assert!(items(doc).iter().all(|i| i.url.is_none()));
    assert_eq!(items(doc)[1].body, "See [guide](./guide.md).");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reference_links_keep_their_text_in_titles() {
    let page = "# Editorial checklist\n\n## Style\n\n- Use [ATX Headers][1] only. Never setext.\n- See [the terms][terms] list\n\n> [!div class=\"checklist\"]\n> - Follow [the guide] always\n\n| Done | Task |\n|---|---|\n| ☐ | Read [the notes][1] |\n\n[1]: https://example.com/atx\n[terms]: https://example.com/terms\n[the guide]: https://example.com/guide\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        titles(&doc.expect("a checklist page")),
        [
            "Use ATX Headers only",
            "See the terms list",
            "Follow the guide always",
            "Read the notes"
        ]
    );
}

#[test]
fn titles_drop_directives_and_keep_abbreviations() {
    let page = "# Admin checklist\n\n## Steps\n\n1. Select Search :::image type=\"icon\" source=\"s.png\"::: in the corner, then open it.\n2. Use _PowerShell_ vs. _Windows PowerShell_ names. Be exact.\n3. Prefer managed services, e.g. App Service. Then scale.\n4. Content owner:\n";
    let (doc, _) = compile("t.md", page);
    assert_eq!(
        titles(&doc.expect("a checklist page")),
        [
            "Select Search in the corner, then open it",
            "Use PowerShell vs. Windows PowerShell names",
            "Prefer managed services, e.g. App Service"
        ],
        "a fill-in field (`Content owner:`) is not an item"
    );
}

#[test]
fn plural_checklists_name_a_checklist() {
    let page = "# Security checklists\n\n- **Rotate keys.** Quarterly.\n";
    let (doc, _) = compile("t.md", page);
    assert_eq!(titles(&doc.expect("a checklist page")), ["Rotate keys"]);
    let page = "# Upgrade\n\n## Checklists for reviewing upgraded sites\n\n| What to check | What to do |\n|---|---|\n| Pages | Fix them |\n";
    let (doc, diags) = compile("t.md", page);
    assert!(doc.is_none());
    assert_eq!(codes(&diags), ["unrecognized-checklist"]);
    assert_eq!(diags[0].line, 3);
}

#[test]
fn mkdocs_attribute_lists_name_anchors() {
    let page = "# Requesting a change\n\n- [ ] Describe the [context](#context)\n\n### Context <small>optional</small> { #context }\n\nText.\n";
    let (doc, diags) = compile("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(titles(&doc.expect("a checklist")), ["Describe the context"]);
}

#[test]
fn mojibake_in_code_is_a_sample_not_a_fault() {
    let page = "# T\n\n- [ ] Check `cafÃ©` output\n\n```\ncafÃ©\n```\n\nReal cafÃ© here.\n";
    let (_, diags) = compile("t.md", page);
    let at: Vec<(&str, usize)> = diags.iter().map(|d| (d.code, d.line)).collect();
    assert_eq!(at, [("mojibake", 9)]);
}

#[test]
fn front_matter_that_does_not_parse_fails_only_checklists() {
    let bad = "---\ntitle: Troubleshooting: Compression | Microsoft\n---\n";
    let (doc, diags) = compile("t.md", &format!("{bad}# Notes\n\nProse only.\n"));
    assert!(doc.is_none());
    let sev: Vec<(&str, checkdown::diag::Severity)> =
        diags.iter().map(|d| (d.code, d.severity)).collect();
    assert_eq!(sev, [("front-matter", checkdown::diag::Severity::Warning)]);
    let (doc, diags) = compile("t.md", &format!("{bad}# Notes\n\n- [ ] A task\n"));
    assert!(doc.is_some());
    let sev: Vec<(&str, checkdown::diag::Severity)> =
        diags.iter().map(|d| (d.code, d.severity)).collect();
    assert_eq!(sev, [("front-matter", checkdown::diag::Severity::Error)]);
}

#[test]
fn includes_in_comments_and_code_spans_are_left_alone() {
    let dir = common::temp_dir("include-comments");
    std::fs::write(
        dir.join("page.md"),
        "# P\n\n- [ ] Task\n\n<!--\n[!INCLUDE [old](includes/gone.md)]\n-->\nADD INCLUDE<!--[!INCLUDE[nav](includes/nav.md)]-->\n\nWrite `[!INCLUDE [x](y.md)]` to include.\n",
    )
    .expect("page");
    let compiled = checkdown::compile_dir(&dir, None, &checkdown::Options::default());
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    assert_eq!(compiled.catalog.item_count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_github_folder_is_read() {
    let dir = common::temp_dir("dot-github");
    std::fs::create_dir_all(dir.join(".github")).expect("dir");
    std::fs::create_dir_all(dir.join(".git")).expect("dir");
    std::fs::write(
        dir.join(".github/PULL_REQUEST_TEMPLATE.md"),
        "## PR Checklist\n\n- [ ] **Descriptive title.** Says what changed.\n",
    )
    .expect("template");
    std::fs::write(dir.join(".git/notes.md"), "- [ ] hidden\n").expect("hidden");
    let compiled = checkdown::compile_dir(&dir, None, &checkdown::Options::default());
    let paths: Vec<&str> = compiled
        .catalog
        .documents
        .iter()
        .map(|d| d.path.as_str())
        .collect();
    assert_eq!(paths, [".github/PULL_REQUEST_TEMPLATE.md"]);
    assert_eq!(
        titles(&compiled.catalog.documents[0]),
        ["Descriptive title"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
