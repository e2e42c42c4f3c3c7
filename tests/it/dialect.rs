//! The dialect's checklist forms, from small fixtures of our own (tests/fixtures/dialect).

use checkdown::model::{Document, Item};

use crate::common::fixture;

fn doc(name: &str) -> Document {
    let text = std::fs::read_to_string(fixture("dialect").join(name)).expect("fixture");
    let (doc, diags) = checkdown::compile_text(name, &text);
    assert!(
        diags
            .iter()
            .all(|d| d.severity == checkdown::diag::Severity::Warning),
        "{diags:?}"
    );
    doc.expect("a checklist")
}

fn items(d: &Document) -> Vec<&Item> {
    d.sections.iter().flat_map(|s| &s.items).collect()
}

#[test]
fn every_lead_shape() {
    let d = doc("leads.md");
    assert_eq!(d.sections.len(), 1);
    assert_eq!(d.sections[0].id, "reliability");
    let got: Vec<(&str, Option<&str>, &str)> = items(&d)
        .iter()
        .map(|i| (i.title.as_str(), i.scope.as_deref(), i.body.as_str()))
        .collect();
    assert_eq!(
        got[..7],
        [
            ("Colon inside", None, "Body one."),
            ("Colon outside", None, "Body two."),
            ("A whole sentence in bold", None, "Body three."),
            ("Period outside", None, "Body four."),
            (
                "Lead that",
                None,
                "continues as a sentence. Second sentence."
            ),
            ("Scoped lead", Some("Cluster and workload"), "Body six."),
            ("No bold lead here", Some("Cluster"), "The rest is body."),
        ]
    );
    for i in items(&d) {
        assert_eq!(i.kind, "practice");
        assert_eq!(i.pillar.as_deref(), Some("Reliability"));
        assert_eq!(i.anchor, "workload-design-checklist");
        assert_eq!(
            i.url.as_deref(),
            Some("https://learn.microsoft.com/azure/well-architected/leads#workload-design-checklist")
        );
    }
}

#[test]
fn multi_paragraph_bodies_keep_lists_tables_and_nested_alerts() {
    let d = doc("leads.md");
    let last = items(&d)[7];
    assert_eq!(last.title, "Multi-paragraph lead");
    assert_eq!(
        last.body,
        "First paragraph.\n\nSecond paragraph with a [relative link](https://learn.microsoft.com/azure/security/checklist#x).\n\n- a sub-list item\n- another\n\n| Layer | Scope |\n|---|---|\n| TDE | Instance |\n\n> [!NOTE]\n> A nested alert stays in the body."
    );
    assert!(last.callouts.is_empty());
}

#[test]
fn recommendation_rows_with_br_variants_and_missing_pipes() {
    let d = doc("tables.md");
    let recs: Vec<&Item> = items(&d)
        .into_iter()
        .filter(|i| i.kind == "recommendation")
        .collect();
    assert_eq!(recs.len(), 3);
    // A cell that opens with a bold sentence: the sentence ends inside the bold.
    assert_eq!(recs[2].title, "Choose the right VM size");
    assert_eq!(recs[2].pillar.as_deref(), Some("Performance Efficiency"));
    assert_eq!(recs[0].title, "Enable the feature");
    assert_eq!(recs[0].scope.as_deref(), Some("Cluster"));
    assert_eq!(
        recs[0].body,
        "(Cluster) Enable [the feature](https://learn.microsoft.com/azure/x). Then more.\nLine two\nline three\nline four\nline five\nend"
    );
    assert_eq!(
        recs[0].benefit.as_deref(),
        Some("Less risk.\n\nMore detail.")
    );
    assert_eq!(recs[1].title, "Use code in a row without pipes");
    assert_eq!(recs[1].body, "Use `code` in a row without pipes. It counts");
    assert_eq!(recs[1].benefit.as_deref(), Some("A benefit"));
    assert_eq!(recs[0].pillar.as_deref(), Some("Security"));
}

#[test]
fn review_and_deliverable_rows() {
    let d = doc("tables.md");
    let reviews: Vec<(Option<&str>, &str, &str, Option<&str>)> = items(&d)
        .iter()
        .filter(|i| i.kind == "review")
        .map(|i| {
            (
                i.code.as_deref(),
                i.title.as_str(),
                i.body.as_str(),
                i.guide.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        reviews,
        [
            (
                Some("SE:01"),
                "Establish a baseline",
                "that's aligned.",
                Some("https://learn.microsoft.com/azure/well-architected/baseline")
            ),
            (
                Some("SE:02, SE:03"),
                "No bold here",
                "Rest of the text.",
                Some("https://learn.microsoft.com/azure/well-architected/a")
            ),
        ]
    );
    let deliverables: Vec<(&str, &str, Option<&str>)> = items(&d)
        .iter()
        .filter(|i| i.kind == "deliverable")
        .map(|i| (i.title.as_str(), i.body.as_str(), i.guide.as_deref()))
        .collect();
    assert_eq!(
        deliverables,
        [
            (
                "Write the spec",
                "with diagrams.",
                Some("https://learn.microsoft.com/azure/well-architected/spec")
            ),
            ("Keep a decision record", "that captures context.", None),
        ]
    );
    let keys: Vec<&str> = items(&d).iter().map(|i| i.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "tables.md#security/enable-the-feature",
            "tables.md#security/use-code-in-a-row-without-pipes",
            "tables.md#se01",
            "tables.md#se02-se03",
            "tables.md#deliverables/write-the-spec",
            "tables.md#deliverables/keep-a-decision-record",
            "tables.md#performance-efficiency/choose-the-right-vm-size",
        ]
    );
}

#[test]
fn tab_group_closed_by_rule_then_heading() {
    let d = doc("tabs-close.md");
    type Row<'a> = (&'a str, &'a str, Option<u32>, Option<&'a str>, usize);
    let sections: Vec<Row> = d
        .sections
        .iter()
        .map(|s| {
            (
                s.id.as_str(),
                s.title.as_str(),
                s.level,
                s.goal.as_deref(),
                s.items.len(),
            )
        })
        .collect();
    assert_eq!(
        sections,
        [
            ("tenet1", "Tenet 1", None, Some("Design for overload"), 2),
            ("tenet2", "Tenet 2: later", None, None, 1),
            ("after-the-group", "After the group", None, None, 1),
        ]
    );
}

#[test]
fn plain_items_take_their_whole_text() {
    let d = doc("plain.md");
    let got: Vec<(&str, &str)> = items(&d)
        .iter()
        .map(|i| (i.kind.as_str(), i.title.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("item", "First thing to do"),
            ("item", "Second thing, with emphasis")
        ]
    );
}

#[test]
fn a_page_without_checklist_forms_is_skipped() {
    let (doc, diags) = checkdown::compile_text(
        "x.md",
        "# Just prose\n\nNothing to check.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    );
    assert!(doc.is_none());
    assert!(diags.is_empty());
}

#[test]
fn setext_dashes_close_a_tab_group() {
    let text = "# T\n\n# [Level 1: A](#tab/level1)\n\n> [!div class=\"checklist\"]\n> - [X](#-x)\n\n#### &#10003; X\n\nBody.\n\nLast line\n---\n\nAfter.\n";
    let (doc, diags) = checkdown::compile_text("t.md", text);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("doc");
    assert_eq!(doc.sections.len(), 1);
    assert_eq!(doc.sections[0].items[0].body, "Body.");
}

#[test]
fn callouts_nested_in_list_items_belong_to_the_item() {
    let text = "# T\n\n# [Level 1: A](#tab/level1)\n\n> [!div class=\"checklist\"]\n> - [X](#-x)\n\n#### &#10003; X\n\n- First point.\n\n    > :::image type=\"icon\" source=\"../_images/trade-off.svg\"::: **Trade-off:** Costs more.\n\n- Second point.\n\n---\n";
    let (doc, diags) = checkdown::compile_text("t.md", text);
    assert!(diags.is_empty(), "{diags:?}");
    let item = &doc.expect("doc").sections[0].items[0];
    assert_eq!(item.callouts.len(), 1);
    assert_eq!(item.callouts[0].label, "Trade-off");
    assert_eq!(item.callouts[0].text, "Costs more.");
    assert_eq!(item.body, "- First point.\n\n- Second point.");

    let text = "# G\n\n## Security\n\n> [!div class=\"checklist\"]\n> - **Lead:** Body.\n>\n>   > :::image type=\"icon\" source=\"../_images/risk.svg\"::: **Risk:** Watch out.\n>\n>   - a point\n>\n>     > :::image type=\"icon\" source=\"../_images/trade-off.svg\"::: **Trade-off**: Slower.\n";
    let (doc, diags) = checkdown::compile_text("g.md", text);
    assert!(diags.is_empty(), "{diags:?}");
    let item = &doc.expect("doc").sections[0].items[0];
    let got: Vec<(&str, &str)> = item
        .callouts
        .iter()
        .map(|c| (c.kind.as_str(), c.text.as_str()))
        .collect();
    assert_eq!(got, [("risk", "Watch out."), ("trade-off", "Slower.")]);
    assert_eq!(item.body, "Body.\n\n- a point");
}

#[test]
fn items_that_open_with_a_block_take_its_text_as_title() {
    let text = "---\ntitle: Front matter title\n---\n\n# Page title\n\nIntro paragraph.\n\n## Reliability\n\n### Workload design checklist\n\n> [!div class=\"checklist\"]\n>\n> - **First:** body one\n> -     indented code item\n> - - nested list item\n>\n>   More text.\n";
    let (doc, diags) = checkdown::compile_text("a.md", text);
    assert!(diags.is_empty(), "{diags:?}");
    let got: Vec<(String, String)> = doc
        .expect("doc")
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| (i.title.clone(), i.body.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("First".to_string(), "body one".to_string()),
            ("indented code item".to_string(), String::new()),
            ("nested list item".to_string(), "More text.".to_string()),
        ]
    );
}
