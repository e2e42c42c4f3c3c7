//! The real Well-Architected pages, read in place from ../shared/corpus/waf.

use crate::common::corpus_doc;

#[test]
fn reliability_maturity_model() {
    let Some((doc, diags)) = corpus_doc("reliability/maturity-model.md") else {
        return;
    };
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == checkdown::diag::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let doc = doc.expect("a checklist");
    let items: Vec<usize> = doc.sections.iter().map(|s| s.items.len()).collect();
    assert_eq!(items, [8, 6, 5, 4, 4]);
    let level2 = &doc.sections[1];
    let double: Vec<(&str, Option<&str>)> = level2
        .items
        .iter()
        .filter(|i| i.anchor.starts_with("--"))
        .map(|i| (i.anchor.as_str(), i.heading.as_deref()))
        .collect();
    assert_eq!(
        double,
        [
            (
                "--develop-a-basic-recovery-plan",
                Some("Develop a basic recovery plan")
            ),
            ("--create-test-plans", Some("Create test plans")),
        ]
    );
    assert!(doc
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .all(|i| i.heading.is_some()));
}
