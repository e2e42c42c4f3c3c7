//! The seed document: every fact of the security maturity model, exactly.

use checkdown::model::CalloutKind;

use crate::common::{count, seed};

#[test]
fn sections_levels_and_item_counts() {
    let doc = seed();
    assert_eq!(doc.title, "Security maturity model");
    let ids: Vec<&str> = doc.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["level1", "level2", "level3", "level4", "level5"]);
    let levels: Vec<Option<u32>> = doc.sections.iter().map(|s| s.level).collect();
    assert_eq!(levels, [Some(1), Some(2), Some(3), Some(4), Some(5)]);
    let items: Vec<usize> = doc.sections.iter().map(|s| s.items.len()).collect();
    assert_eq!(items, [6, 6, 5, 5, 3]);
    assert!(doc
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .all(|i| i.kind == "strategy"));
}

#[test]
fn section_titles_and_goals() {
    let doc = seed();
    let titles: Vec<&str> = doc.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Level 1: Core security",
            "Level 2: Threat prevention",
            "Level 3: Risk assessment",
            "Level 4: System hardening",
            "Level 5: Advanced defense",
        ]
    );
    let goals: Vec<&str> = doc
        .sections
        .iter()
        .map(|s| s.goal.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        goals,
        [
            "Establish a minimum viable security posture to serve as a foundation to build on.",
            "Strengthen deployment security and establish threat prevention measures across your workload infrastructure.",
            "Proactively identify and mitigate security threats with thorough assessment and response capabilities.",
            "Refine security controls based on production insights and operational data.",
            "Strategically invest in enterprise-grade security solutions and advanced threat defense capabilities.",
        ]
    );
}

#[test]
fn trade_offs_and_risks_per_section() {
    let doc = seed();
    let per_section = |kind: CalloutKind| -> Vec<usize> {
        doc.sections
            .iter()
            .map(|s| {
                count(&s.callouts, kind)
                    + s.items
                        .iter()
                        .map(|i| count(&i.callouts, kind))
                        .sum::<usize>()
            })
            .collect()
    };
    assert_eq!(per_section(CalloutKind::TradeOff), [2, 4, 3, 2, 0]);
    assert_eq!(per_section(CalloutKind::Risk), [0, 1, 0, 0, 0]);
    assert_eq!(doc.callouts.len(), 1);
    assert_eq!(doc.callouts[0].kind, CalloutKind::Risk);
    assert_eq!(doc.callouts[0].label, "Risk");
    assert!(doc.callouts[0]
        .text
        .starts_with("**Security requires intentional action.** Security incidents"));
    // The item-level risk sits on "Apply authorization and authentication controls".
    let level2 = &doc.sections[1];
    let risky: Vec<&str> = level2
        .items
        .iter()
        .filter(|i| count(&i.callouts, CalloutKind::Risk) == 1)
        .map(|i| i.title.as_str())
        .collect();
    assert_eq!(risky, ["Apply authorization and authentication controls"]);
}

#[test]
fn iam_strategy_keeps_link_text_and_heading() {
    let doc = seed();
    let iam = doc.sections[3]
        .items
        .iter()
        .find(|i| i.anchor == "-refine-your-iam-configurations")
        .expect("IAM item");
    assert_eq!(
        iam.title,
        "Refine your identity and access management (IAM) configurations"
    );
    assert_eq!(
        iam.heading.as_deref(),
        Some("Refine your IAM configurations")
    );
    assert_eq!(
        iam.key,
        "security/maturity-model.md#-refine-your-iam-configurations"
    );
    assert_eq!(
        iam.id,
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, iam.key.as_bytes()).to_string()
    );
    assert_eq!(count(&iam.callouts, CalloutKind::TradeOff), 1);
}

#[test]
fn headings_are_trimmed_and_sources_point_at_them() {
    let doc = seed();
    let at_rest = &doc.sections[0].items[3];
    assert_eq!(at_rest.title, "Encrypt data at rest");
    assert_eq!(at_rest.heading.as_deref(), Some("Encrypt data at rest"));
    assert_eq!(at_rest.anchor, "-encrypt-data-at-rest");
    assert_eq!((at_rest.source.line, at_rest.source.column), (55, 1));
    assert!(at_rest
        .body
        .starts_with("Secure data at rest to help ensure"));
    assert!(
        !at_rest.body.contains("Trade-off"),
        "callouts are removed from the body"
    );
    assert_eq!(at_rest.callouts[0].label, "Trade-off");
    assert!(at_rest.callouts[0]
        .text
        .starts_with("You can bring your own key (BYOK)"));
}

#[test]
fn level2_trade_off_holds_its_lazy_line() {
    let doc = seed();
    let level2 = &doc.sections[1];
    assert_eq!(level2.callouts.len(), 1);
    let t = &level2.callouts[0];
    assert_eq!(t.kind, CalloutKind::TradeOff);
    assert_eq!(t.label, "Trade-off");
    assert!(t
        .text
        .starts_with("Securing your SDLC is an interative process"));
    assert!(t.text.ends_with(
        "sets your team up for long-term success.\nThese measures help you safely build your workload and get it ready for operational use while maintaining a solid security posture."
    ));
    assert!(!level2.intro.contains("These measures help you"));
}

#[test]
fn intros_and_front_matter_are_kept() {
    let doc = seed();
    assert!(doc
        .intro
        .starts_with("The security maturity model provides a progressive path"));
    assert!(doc
        .intro
        .ends_with("review the highlighted tradeoffs and associated risks as you progress."));
    assert_eq!(doc.front_matter.get_str("ms.date"), Some("07/14/2025"));
    assert_eq!(
        doc.front_matter.get_str("ms.update-cycle"),
        Some("1095-days")
    );
    assert_eq!(doc.front_matter.0.len(), 7);
    let l1 = &doc.sections[0];
    assert!(l1
        .intro
        .starts_with("Level 1 of the maturity model helps workload teams"));
    assert!(!l1.intro.contains("Key strategies"));
    // The last item of a tab stops at the tab's end: level 5's last body ends before `---`.
    let last = doc.sections[4].items.last().expect("item");
    assert!(last
        .body
        .ends_with("ensure that they provide the best value for your organization."));
}

#[test]
fn mojibake_is_reported_once_on_line_73() {
    let (_, diags) =
        checkdown::compile_text("security/maturity-model.md", &crate::common::seed_text());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "mojibake");
    assert_eq!(diags[0].line, 73);
    assert_eq!(diags[0].severity, checkdown::diag::Severity::Warning);
}
