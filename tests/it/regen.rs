//! Regeneration: ids that survive rewording (the lock), the item-level diff, `build --check`,
//! message formats and watch mode.
//!
//! The fixture pair: tests/fixtures/regen/old is the seed as an older edition (the IAM
//! strategy under its long heading and anchor, one strategy more, one sentence different);
//! the new edition is the seed itself, input/security/maturity-model.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use checkdown::diff::{self, Diff};
use checkdown::lock::{self, Lock};
use checkdown::model::Catalog;
use checkdown::Options;

use crate::common::{corpus, fixture, repo, run, stderr, temp_dir};

const PAGE: &str = "security/maturity-model.md";
const IAM_OLD: &str =
    "security/maturity-model.md#-refine-your-identity-and-access-management-iam-configurations";
const IAM_NEW: &str = "security/maturity-model.md#-refine-your-iam-configurations";
const EXTRA: &str = "security/maturity-model.md#-run-security-awareness-training";
const EDITED: &str = "security/maturity-model.md#-encrypt-data-in-transit";

fn old_dir() -> PathBuf {
    fixture("regen/old")
}

/// A folder holding the current seed and nothing else (no lock).
fn new_dir(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    put_seed(&dir);
    dir
}

fn put_seed(dir: &Path) {
    std::fs::create_dir_all(dir.join("security")).expect("mkdir");
    std::fs::copy(repo().join("input").join(PAGE), dir.join(PAGE)).expect("copy seed");
}

fn put_old(dir: &Path) {
    std::fs::create_dir_all(dir.join("security")).expect("mkdir");
    std::fs::copy(old_dir().join(PAGE), dir.join(PAGE)).expect("copy old edition");
}

fn items(catalog: &Catalog) -> Vec<(String, String)> {
    catalog
        .documents
        .iter()
        .flat_map(|d| &d.sections)
        .flat_map(|s| &s.items)
        .map(|i| (i.key.clone(), i.id.clone()))
        .collect()
}

fn id_of(catalog: &Catalog, key: &str) -> String {
    items(catalog)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, id)| id)
        .unwrap_or_else(|| panic!("no item {key}"))
}

fn code(o: &std::process::Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn keys(list: &[diff::Placed]) -> Vec<&str> {
    list.iter().map(|p| p.item.key.as_str()).collect()
}

/// Asserts exactly what the issue asks of the fixture pair.
fn assert_fixture_pair(d: &Diff, old: &Catalog, new: &Catalog) {
    assert_eq!(keys(&d.added), Vec::<&str>::new(), "nothing added");
    assert_eq!(keys(&d.removed), [EXTRA]);
    assert_eq!(d.renamed.len(), 1, "{:#?}", d.renamed);
    let r = &d.renamed[0];
    assert_eq!(r.from.item.key, IAM_OLD);
    assert_eq!(r.to.item.key, IAM_NEW);
    assert_eq!(
        r.to.item.title,
        "Refine your identity and access management (IAM) configurations"
    );
    assert_eq!(r.id, id_of(old, IAM_OLD));
    assert_eq!(
        id_of(new, IAM_NEW),
        id_of(old, IAM_OLD),
        "the IAM item keeps its id"
    );
    let changed: Vec<&str> = d.changed.iter().map(|p| p.to.item.key.as_str()).collect();
    assert_eq!(changed, [EDITED]);
    assert_eq!(d.changed[0].changed_fields(), ["body"]);
    // Every other id unchanged.
    let old_items = items(old);
    let mut same = 0;
    for (key, id) in items(new) {
        if key == IAM_NEW {
            continue;
        }
        let before = old_items.iter().find(|(k, _)| *k == key).expect(&key);
        assert_eq!(before.1, id, "{key}");
        same += 1;
    }
    assert_eq!(same, 24);
}

#[test]
fn the_lock_keeps_the_id_of_a_reworded_heading() {
    let options = Options::default();
    let (old, applied) = lock::compile(&old_dir(), None, &options, &Lock::default());
    assert_eq!(applied.added.len(), 26, "a first build adds every item");
    assert!(applied.renamed.is_empty() && applied.removed.is_empty());
    // The seed, compiled with the lock the older edition's build wrote.
    let seed = new_dir("regen-lock-seed");
    let (new, applied) = lock::compile(&seed, None, &options, &applied.lock);
    assert_eq!(applied.renamed.len(), 1);
    assert_eq!(applied.renamed[0].from.key, IAM_OLD);
    assert_eq!(applied.renamed[0].to.key, IAM_NEW);
    assert!(applied.renamed[0].score >= lock::THRESHOLD);
    let removed: Vec<&str> = applied.removed.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(removed, [EXTRA]);
    assert!(applied.added.is_empty());
    assert!(applied.kept.is_empty());
    // The notes say so, at the item's heading.
    let notes: Vec<String> = new
        .diagnostics
        .iter()
        .filter(|d| d.severity == checkdown::diag::Severity::Note)
        .map(|d| d.short())
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].starts_with("security/maturity-model.md: note[removed-item]: `security/maturity-model.md#-run-security-awareness-training`"), "{notes:?}");
    assert!(notes[1].starts_with(&format!("security/maturity-model.md:231:1: note[renamed-item]: `{IAM_OLD}` is now `{IAM_NEW}`; it keeps id {}", id_of(&old.catalog, IAM_OLD))), "{notes:?}");
    // The new lock knows the new key under the old id, and no longer the vanished ones.
    let e = applied.lock.get(IAM_NEW).expect("new key in the lock");
    assert_eq!(e.id, id_of(&old.catalog, IAM_OLD));
    assert_eq!(e.heading.as_deref(), Some("Refine your IAM configurations"));
    assert!(applied.lock.get(IAM_OLD).is_none());
    assert!(applied.lock.get(EXTRA).is_none());
    assert_eq!(applied.lock.len(), 25);
    let d = diff::diff(&old.catalog, &new.catalog);
    assert_fixture_pair(&d, &old.catalog, &new.catalog);
}

#[test]
fn diff_of_two_folders_falls_back_to_the_old_lock() {
    let new = new_dir("regen-diff-new");
    let out = run(
        &repo(),
        &["diff", s(&old_dir()), s(&new), "--format", "json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim(),
        "checkdown: 0 added, 1 removed, 1 renamed, 1 changed"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let text = String::from_utf8_lossy(&out.stdout);
    let at = |k: &str| text.find(&format!("\n  \"{k}\": [")).expect(k);
    assert!(
        at("added") < at("removed")
            && at("removed") < at("renamed")
            && at("renamed") < at("changed")
    );
    assert_eq!(json.as_object().map(|o| o.len()), Some(4));
    assert_eq!(json["added"], serde_json::json!([]));
    assert_eq!(json["removed"][0]["key"], EXTRA);
    assert_eq!(
        json["removed"][0]["title"],
        "Run security awareness training"
    );
    assert!(json["removed"][0]["id"].is_string());
    let r = &json["renamed"][0];
    assert_eq!(r["from"]["key"], IAM_OLD);
    assert_eq!(r["to"]["key"], IAM_NEW);
    assert_eq!(r["from"]["id"], r["id"]);
    assert_eq!(r["to"]["id"], r["id"]);
    assert_eq!(
        r["from"]["heading"],
        "Refine your identity and access management (IAM) configurations"
    );
    assert_eq!(r["to"]["heading"], "Refine your IAM configurations");
    assert_eq!(json["changed"][0]["to"]["key"], EDITED);
    assert_eq!(json["changed"].as_array().map(Vec::len), Some(1));

    // The same, through the library, with every other id unchanged.
    let options = Options::default();
    let before = diff::load(&old_dir(), None, &options).expect("old");
    let after = diff::load(&new, Some(&before.lock), &options).expect("new");
    let d = diff::diff(&before.catalog, &after.catalog);
    assert_fixture_pair(&d, &before.catalog, &after.catalog);

    // Markdown: a report; CSV: the backlog of added items only (none here).
    let md = run(&repo(), &["diff", s(&old_dir()), s(&new)]);
    let md = String::from_utf8_lossy(&md.stdout).into_owned();
    assert!(md.starts_with(
        "# Checklist changes\n\n0 added, 1 removed, 1 renamed, 1 changed.\n\n## Removed\n\n- **Run security awareness training**"
    ), "{md}");
    assert!(md.contains("## Renamed (same id)\n\n- **Refine your identity and access management (IAM) configurations**: `security/maturity-model.md#-refine-your-identity-and-access-management-iam-configurations` is now `security/maturity-model.md#-refine-your-iam-configurations` (id `"), "{md}");
    assert!(md.contains("## Changed\n\n- **Encrypt data in transit** `security/maturity-model.md#-encrypt-data-in-transit`: body changed\n"), "{md}");
    let csv = run(
        &repo(),
        &["diff", s(&old_dir()), s(&new), "--format", "csv"],
    );
    assert_eq!(
        String::from_utf8_lossy(&csv.stdout),
        "id,document,section,level,title,description,trade-offs,risks,source,checked,parent,group,variants,summary\r\n"
    );
}

#[test]
fn diff_csv_is_the_backlog_of_added_items() {
    // The other way round: the extra strategy is added.
    let new = new_dir("regen-diff-reverse");
    let out = run(
        &repo(),
        &["diff", s(&new), s(&old_dir()), "--format", "csv"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(
        r.headers().expect("headers").iter().collect::<Vec<_>>(),
        checkdown::render::csv::COLUMNS
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get(4), Some("Run security awareness training"));
    assert_eq!(rows[0].get(2), Some("Level 3: Risk assessment"));
    assert_eq!(
        rows[0].get(0),
        Some(checkdown::extract::checklist::item_id(EXTRA).as_str())
    );
}

#[test]
fn diff_reads_checklist_json_too() {
    let root = temp_dir("regen-json-sides");
    let docs = root.join("docs");
    put_old(&docs);
    let lock = root.join("docs.lock");
    let b1 = run(&root, &["build", "docs", "-o", "out1", "--lock", s(&lock)]);
    assert_eq!(code(&b1), 0, "{}", stderr(&b1));
    put_seed(&docs);
    let b2 = run(&root, &["build", "docs", "-o", "out2", "--lock", s(&lock)]);
    assert_eq!(code(&b2), 0, "{}", stderr(&b2));
    let out = run(
        &root,
        &[
            "diff",
            "out1/checklist.json",
            "out2/checklist.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(d["added"], serde_json::json!([]));
    assert_eq!(d["removed"][0]["key"], EXTRA);
    assert_eq!(d["renamed"][0]["to"]["key"], IAM_NEW);
    assert_eq!(d["changed"][0]["to"]["key"], EDITED);
    let bad = run(&root, &["diff", "docs.lock", "out2/checklist.json"]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("not a checklist.json"),
        "{}",
        stderr(&bad)
    );
}

/// The regeneration workflow as the README describes it for CI.
#[test]
fn regeneration_workflow() {
    let root = temp_dir("regen-workflow");
    let docs = root.join("docs");
    put_old(&docs);
    let first = run(&root, &["build", "docs", "-o", "out"]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert!(stderr(&first).contains("checkdown: updated docs/checkdown.lock"));
    let lock_text = std::fs::read_to_string(docs.join("checkdown.lock")).expect("lock written");
    assert!(lock_text.contains(&format!("\nkey {IAM_OLD}\n")));
    let json = |dir: &str| -> Catalog {
        serde_json::from_slice(&std::fs::read(root.join(dir).join("checklist.json")).expect("json"))
            .expect("catalog")
    };
    let iam_id = id_of(&json("out"), IAM_OLD);
    let check = run(&root, &["build", "docs", "-o", "out", "--check"]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));

    // The docs move on: --check fails and says what would change.
    put_seed(&docs);
    let check = run(&root, &["build", "docs", "-o", "out", "--check"]);
    assert_eq!(code(&check), 1);
    let err = stderr(&check);
    for file in [
        "out/backlog.csv",
        "out/checklist.json",
        "out/checklists/index.md",
        "out/checklists/security/maturity-model.md",
        "out/html/index.html",
        "out/html/security/maturity-model.html",
        "docs/checkdown.lock",
    ] {
        assert!(err.contains(&format!("--> {file}")), "{file}: {err}");
    }
    assert!(err.contains("error[stale-lock]: the lock is out of date with INPUT (0 new, 1 renamed, 1 removed items"), "{err}");
    assert!(err.contains("note[renamed-item]"), "{err}");
    let summary = err
        .lines()
        .last()
        .unwrap_or("")
        .split(" in ")
        .next()
        .unwrap_or("");
    assert_eq!(
        summary,
        "checkdown: 1 document, 25 items, 0 skipped, 7 errors, 2 warnings, 7 files out of date"
    );
    // --check wrote nothing.
    assert_eq!(
        std::fs::read_to_string(docs.join("checkdown.lock")).expect("lock"),
        lock_text
    );
    assert_eq!(id_of(&json("out"), IAM_OLD), iam_id);

    // The rebuild reports the rename and the removal, and the IAM item keeps its id.
    let rebuild = run(&root, &["build", "docs", "-o", "out"]);
    assert_eq!(code(&rebuild), 0, "{}", stderr(&rebuild));
    let err = stderr(&rebuild);
    assert!(
        err.contains(&format!(
            "note[renamed-item]: `{IAM_OLD}` is now `{IAM_NEW}`; it keeps id {iam_id}"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("note[removed-item]: `{EXTRA}`")),
        "{err}"
    );
    assert_eq!(id_of(&json("out"), IAM_NEW), iam_id);
    let check = run(&root, &["build", "docs", "-o", "out", "--check"]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
    // The next build has nothing to say about ids any more.
    let again = run(&root, &["build", "docs", "-o", "out"]);
    assert!(!stderr(&again).contains("note["), "{}", stderr(&again));
    assert!(stderr(&again).contains(", 0 files written"));
}

#[test]
fn check_fails_after_touching_a_generated_or_an_input_file() {
    let root = temp_dir("regen-check");
    put_seed(&root.join("docs"));
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "docs", "-o", "out"];
        args.extend_from_slice(extra);
        run(&root, &args)
    };
    assert_eq!(code(&build(&[])), 0);
    assert_eq!(code(&build(&["--check"])), 0);

    // A generated file edited by hand.
    let csv = root.join("out/backlog.csv");
    let mut bytes = std::fs::read(&csv).expect("csv");
    bytes.extend_from_slice(b"x");
    std::fs::write(&csv, &bytes).expect("write");
    let out = build(&["--check"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains(
            "error[stale-output]: `backlog.csv` is out of date with INPUT\n--> out/backlog.csv"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&csv).expect("csv"),
        bytes,
        "--check writes nothing"
    );

    // A generated file deleted.
    assert_eq!(code(&build(&[])), 0);
    std::fs::remove_file(root.join("out/html/index.html")).expect("rm");
    let out = build(&["--check"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("`html/index.html` is missing"));
    assert!(!root.join("out/html/index.html").exists());

    // An input file edited.
    assert_eq!(code(&build(&[])), 0);
    let page = root.join("docs").join(PAGE);
    let text = std::fs::read_to_string(&page).expect("page");
    std::fs::write(
        &page,
        text.replace("Secure data at rest", "Protect data at rest"),
    )
    .expect("write");
    let out = build(&["--check"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("--> out/checklist.json"), "{err}");
    assert!(
        err.contains("error[stale-lock]"),
        "the body excerpt changed: {err}"
    );

    // The lock alone.
    assert_eq!(code(&build(&[])), 0);
    std::fs::remove_file(root.join("docs/checkdown.lock")).expect("rm lock");
    let out = build(&["--check"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("error[stale-lock]: the lock is missing"));

    // GitHub annotations for the same.
    let out = build(&["--check", "--message-format", "github"]);
    assert_eq!(code(&out), 1);
    github_lines(&out);
}

/// The stdout of a run, checked line by line for the workflow command shape.
fn github_lines(out: &std::process::Output) {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    for line in text.lines() {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
    }
    assert!(text.contains("::error file=docs/checkdown.lock,title=stale-lock::the lock is missing%0Ahelp: run `checkdown build` and commit the lock with the output\n"), "{text}");
    assert!(
        text.contains("::warning file=docs/security/maturity-model.md,line=73,"),
        "{text}"
    );
}

/// output/ and input/checkdown.lock are what `build` writes for input/.
#[test]
fn committed_output_and_lock_are_current() {
    let out = run(&repo(), &["build", "--check"]);
    assert_eq!(
        code(&out),
        0,
        "run `cargo run --release -- build` and commit output/ and input/checkdown.lock:\n{}",
        stderr(&out)
    );
    let lock = Lock::parse(
        &std::fs::read_to_string(repo().join("input").join(lock::FILE_NAME)).expect("lock"),
    )
    .expect("parses");
    let compiled = checkdown::compile_dir(
        &repo().join("input"),
        Some(&repo().join("output")),
        &Options::default(),
    );
    assert_eq!(lock.len(), compiled.catalog.item_count());
}

#[test]
fn the_lock_is_deterministic() {
    let options = Options::default();
    let (a, applied_a) = lock::compile(&old_dir(), None, &options, &Lock::default());
    let (_, applied_b) = lock::compile(&old_dir(), None, &options, &Lock::default());
    let text = applied_a.lock.to_text();
    assert_eq!(text, applied_b.lock.to_text());
    assert_eq!(Lock::parse(&text).expect("parses"), applied_a.lock);
    assert_eq!(Lock::parse(&text).expect("parses").to_text(), text);

    // Documents in any order, the lock's entries in any order: the same bytes.
    let mut two = a.catalog.clone();
    let mut other = two.documents[0].clone();
    other.path = "a/first.md".to_string();
    for it in other.sections.iter_mut().flat_map(|s| &mut s.items) {
        it.key = it.key.replace(PAGE, "a/first.md");
    }
    two.documents.push(other);
    let mut reversed = two.clone();
    reversed.documents.reverse();
    for d in &mut reversed.documents {
        d.sections.reverse();
    }
    let l1 = Lock::from_catalog(&two).to_text();
    assert_eq!(l1, Lock::from_catalog(&reversed).to_text());
    assert!(l1.find("[a/first.md]") < l1.find("[security/maturity-model.md]"));
    // Applying a lock gives the same ids and lock whatever the order.
    let mut x = two.clone();
    let mut y = reversed.clone();
    let old_lock = Lock::from_catalog(&a.catalog);
    let ax = lock::apply(&mut x, &old_lock, &BTreeSet::new());
    let ay = lock::apply(&mut y, &old_lock, &BTreeSet::new());
    assert_eq!(ax.lock.to_text(), ay.lock.to_text());

    // Keys sorted within a document, one field a line.
    let item_keys: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("key "))
        .collect();
    let mut sorted = item_keys.clone();
    sorted.sort();
    assert_eq!(item_keys, sorted);
    assert_eq!(item_keys.len(), 26);

    // Two builds in different folders: byte-identical lock and output.
    let r1 = temp_dir("regen-repro-1");
    let r2 = temp_dir("regen-repro-2-longer-name");
    for r in [&r1, &r2] {
        put_old(&r.join("docs"));
        assert_eq!(code(&run(r, &["build", "docs", "-o", "out"])), 0);
    }
    assert_eq!(
        std::fs::read(r1.join("docs/checkdown.lock")).expect("lock 1"),
        std::fs::read(r2.join("docs/checkdown.lock")).expect("lock 2")
    );
    assert_eq!(
        std::fs::read(r1.join("docs/checkdown.lock")).expect("lock"),
        text.as_bytes()
    );
    for f in [
        "checklist.json",
        "backlog.csv",
        "checklists/index.md",
        "checklists/security/maturity-model.md",
        "html/index.html",
        "html/security/maturity-model.html",
    ] {
        assert_eq!(
            std::fs::read(r1.join("out").join(f)).expect(f),
            std::fs::read(r2.join("out").join(f)).expect(f),
            "{f}"
        );
    }
}

#[test]
fn a_document_with_errors_keeps_its_lock_entries() {
    let options = Options::default();
    let (old, _) = lock::compile(&old_dir(), None, &options, &Lock::default());
    let old_lock = Lock::from_catalog(&old.catalog);
    let mut catalog = old.catalog.clone();
    catalog.documents.clear();
    let keep: BTreeSet<String> = [PAGE.to_string()].into_iter().collect();
    let applied = lock::apply(&mut catalog, &old_lock, &keep);
    assert!(applied.removed.is_empty());
    assert_eq!(applied.kept.len(), 26);
    assert_eq!(applied.lock, old_lock);
    // A file with errors: a rename is still recognized, a new item's id stays provisional
    // (out of the lock) and the vanished entry stays, so that the next clean build can
    // still match them.
    let seed = new_dir("regen-errors-seed");
    let (mut new, _) = lock::compile(&seed, None, &options, &Lock::default());
    let page = &mut new.catalog.documents[0];
    let moved = page.sections[0].items.remove(0);
    let mut reworded = page.sections[0].items[0].clone();
    reworded.key = format!("{PAGE}#-something-else-entirely");
    reworded.title = "Something else entirely".to_string();
    reworded.heading = Some(reworded.title.clone());
    reworded.body = "A body that resembles no other item of the page at all.".to_string();
    page.sections[0].items.push(reworded);
    let with = Lock::from_catalog(&{
        let (c, _) = lock::compile(&seed, None, &options, &Lock::default());
        c.catalog
    });
    let applied = lock::apply(&mut new.catalog, &with, &keep);
    assert_eq!(applied.added, [format!("{PAGE}#-something-else-entirely")]);
    assert_eq!(applied.provisional, applied.added);
    assert!(applied.lock.get(&applied.added[0]).is_none());
    assert_eq!(applied.kept.len(), 1);
    assert_eq!(applied.kept[0].key, moved.key);
    assert!(applied.lock.get(&moved.key).is_some());
    // Without errors, a vanished document's items are reported and dropped.
    let applied = lock::apply(&mut catalog, &old_lock, &BTreeSet::new());
    assert_eq!(applied.removed.len(), 26);
    assert!(applied.lock.is_empty());
}

/// The IAM rewording lands in the same change as an unrelated error in the page: the
/// rename is kept, the lock forgets nothing, and the clean build after the fix settles it.
#[test]
fn a_rename_in_a_file_with_errors_settles_once_it_is_fixed() {
    let options = Options::default();
    let (old, first) = lock::compile(&old_dir(), None, &options, &Lock::default());
    let broken = temp_dir("regen-broken");
    put_seed(&broken);
    let page = broken.join(PAGE);
    let text = std::fs::read_to_string(&page).expect("seed");
    let stray = "> - [Refine the incident response plan](#-refine-the-incident-response-plan)\n";
    assert!(text.contains(stray));
    std::fs::write(
        &page,
        text.replace(
            stray,
            &format!("{stray}> - [Not written yet](#-not-written-yet)\n"),
        ),
    )
    .expect("write");
    let (c, during) = lock::compile(&broken, None, &options, &first.lock);
    assert!(c.diagnostics.iter().any(|d| d.code == "missing-anchor"));
    assert_eq!(during.renamed.len(), 1);
    assert_eq!(during.renamed[0].to.key, IAM_NEW);
    assert!(during.removed.is_empty());
    let kept: Vec<&str> = during.kept.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(kept, [EXTRA]);
    assert_eq!(during.provisional, [format!("{PAGE}#-not-written-yet")]);
    // Fixed: the stray line goes; the extra strategy is removed now, IAM keeps its id.
    let fixed = new_dir("regen-fixed");
    let (c, after) = lock::compile(&fixed, None, &options, &during.lock);
    assert_eq!(id_of(&c.catalog, IAM_NEW), id_of(&old.catalog, IAM_OLD));
    assert!(after.renamed.is_empty() && after.added.is_empty() && after.kept.is_empty());
    let removed: Vec<&str> = after.removed.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(removed, [EXTRA]);
}

#[test]
fn a_lock_with_a_merge_conflict_stops_the_build() {
    let root = temp_dir("regen-conflict");
    put_seed(&root.join("docs"));
    std::fs::write(
        root.join("docs/checkdown.lock"),
        "checkdown-lock 1\n\n[security/maturity-model.md]\n<<<<<<< HEAD\n",
    )
    .expect("write");
    let out = run(&root, &["build", "docs", "-o", "out"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("error: docs/checkdown.lock:4: merge conflict marker"),
        "{}",
        stderr(&out)
    );
    assert!(!root.join("out").exists());
}

#[test]
fn message_formats() {
    let dir = fixture("diag");
    let json = run(
        &dir,
        &["check", "missing-anchor", "--message-format", "json"],
    );
    assert_eq!(code(&json), 1);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&json.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object a line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0],
        serde_json::json!({
            "severity": "error", "code": "missing-anchor", "path": "missing-anchor/page.md",
            "line": 10, "column": 28,
            "message": "checklist item links to `#-encrypt-data-at-rst`, which no heading in this file has",
            "help": "did you mean `#-encrypt-data-at-rest`?"
        })
    );
    assert_eq!(lines[1]["severity"], "warning");
    // The summary stays on standard error.
    assert!(stderr(&json).starts_with("checkdown: 1 document, 1 item"));

    let gh = run(
        &dir,
        &["check", "missing-anchor", "--message-format", "github"],
    );
    assert_eq!(code(&gh), 1);
    assert_eq!(
        String::from_utf8_lossy(&gh.stdout),
        "::error file=missing-anchor/page.md,line=10,col=28,title=missing-anchor::checklist item links to `#-encrypt-data-at-rst`, which no heading in this file has%0Ahelp: did you mean `#-encrypt-data-at-rest`?\n\
         ::warning file=missing-anchor/page.md,line=12,col=1,title=unlisted-heading::heading `✓ Encrypt data at rest` is not listed by any checklist%0Ahelp: add `> - [Encrypt data at rest](#-encrypt-data-at-rest)` to the checklist block above it, or remove the check mark\n"
    );
    // --deny warnings turns warnings into errors, never notes.
    let gh = run(
        &dir,
        &[
            "check",
            "unlisted-heading",
            "--message-format",
            "github",
            "--deny",
            "warnings",
        ],
    );
    assert!(String::from_utf8_lossy(&gh.stdout).starts_with(
        "::error file=unlisted-heading/page.md,line=12,col=1,title=unlisted-heading::"
    ));
}

/// The threshold on the real pages: it joins only items that say nearly the same thing, and
/// it still recognizes a strategy whose title and heading were both reworded.
#[test]
fn corpus_calibrates_the_rename_threshold() {
    let Some(root) = corpus() else { return };
    let compiled = checkdown::compile_dir(&root, None, &Options::default());
    let alike =
        |a: &str, b: &str| strsim::normalized_levenshtein(&a.to_lowercase(), &b.to_lowercase());
    let docs: Vec<Vec<lock::Entry>> = compiled
        .catalog
        .documents
        .iter()
        .map(|doc| {
            doc.sections
                .iter()
                .flat_map(|s| &s.items)
                .map(|i| lock::Entry::of(&doc.path, i))
                .collect()
        })
        .collect();
    let mut pairs = 0;
    let mut joined = Vec::new();
    let mut strategies_max: f64 = 0.0;
    for (doc, entries) in compiled.catalog.documents.iter().zip(&docs) {
        let strategies = doc
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .all(|i| i.kind == "strategy");
        for (n, a) in entries.iter().enumerate() {
            for b in &entries[n + 1..] {
                pairs += 1;
                let score = lock::similarity(a, b);
                if strategies {
                    strategies_max = strategies_max.max(score);
                }
                if score >= lock::THRESHOLD {
                    joined.push((score, a, b));
                }
            }
        }
    }
    assert!(pairs > 10_000, "{pairs} pairs");
    // Maturity models: two different strategies never reach 0.5.
    assert!(strategies_max < 0.5, "{strategies_max}");
    // Everywhere: the few pairs at or above the threshold are the docs saying nearly the
    // same thing twice (their bodies alike).
    assert!(joined.len() <= 4, "{joined:#?}");
    for (score, a, b) in &joined {
        assert!(
            alike(&a.body, &b.body) >= 0.6,
            "{} and {} score {score:.3} without saying the same thing",
            a.key,
            b.key
        );
    }
    // Recall: every strategy of one maturity model, its title and heading replaced by those
    // of a strategy of the other, its body kept, is still recognized.
    let models: Vec<&Vec<lock::Entry>> = compiled
        .catalog
        .documents
        .iter()
        .zip(&docs)
        .filter(|(d, _)| d.path.ends_with("maturity-model.md"))
        .map(|(_, e)| e)
        .collect();
    assert_eq!(models.len(), 2);
    for (m, entries) in models.iter().enumerate() {
        let other = models[1 - m];
        for (k, old) in entries.iter().enumerate() {
            let donor = &other[k % other.len()];
            let mut new = old.clone();
            new.title = donor.title.clone();
            new.heading = donor.heading.clone();
            let score = lock::similarity(old, &new);
            assert!(
                score >= lock::THRESHOLD,
                "{} reworded scores {score:.3}",
                old.key
            );
        }
    }
}

/// What scoring every pair of new item and vanished entry gives (the matcher as it was
/// before it picked candidates): the renames, as (old key, new key), for one document.
fn renames_by_every_pair(doc: &checkdown::model::Document, old: &Lock) -> Vec<(String, String)> {
    let items: Vec<&checkdown::model::Item> = doc.sections.iter().flat_map(|s| &s.items).collect();
    let present: BTreeSet<&str> = items.iter().map(|i| i.key.as_str()).collect();
    let vanished: Vec<&lock::Entry> = old
        .entries()
        .filter(|e| e.document == doc.path && !present.contains(e.key.as_str()))
        .collect();
    let mut seen = BTreeSet::new();
    let fresh: Vec<lock::Entry> = items
        .iter()
        .filter(|i| old.get(&i.key).is_none() && seen.insert(i.key.clone()))
        .map(|i| lock::Entry::of(&doc.path, i))
        .collect();
    let mut pairs = Vec::new();
    for new in &fresh {
        for &o in &vanished {
            let score = lock::similarity(o, new);
            if score >= lock::THRESHOLD {
                pairs.push((score, new, o));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.key.cmp(&b.1.key))
            .then_with(|| a.2.key.cmp(&b.2.key))
    });
    let (mut news, mut olds) = (BTreeSet::new(), BTreeSet::new());
    let mut out = Vec::new();
    for (_, new, o) in pairs {
        if news.contains(&new.key) || olds.contains(&o.key) {
            continue;
        }
        news.insert(new.key.clone());
        olds.insert(o.key.clone());
        out.push((o.key.clone(), new.key.clone()));
    }
    out
}

/// A change made to the `k`th item of a document, given the titles and headings of all.
type Change = fn(usize, &mut checkdown::model::Item, &[(String, Option<String>)]);

/// Rename matching compares each new item with a few candidates only (`pair_up` in
/// src/lock.rs), not with every vanished entry: on the real pages, with every key renamed at once (a
/// renamed tab or section) and the items reworded in several ways, it pairs exactly as
/// scoring every pair does.
#[test]
fn rename_matching_agrees_with_scoring_every_pair() {
    let Some(root) = corpus() else { return };
    let compiled = checkdown::compile_dir(&root, None, &Options::default());
    let old = Lock::from_catalog(&compiled.catalog);
    let largest = compiled
        .catalog
        .documents
        .iter()
        .map(|d| d.sections.iter().map(|s| s.items.len()).sum::<usize>())
        .max()
        .unwrap_or(0);
    // Documents with more vanished items than a new item is compared with (32), twice over.
    assert!(largest > 64, "{largest}");
    let variants: [(&str, Change); 4] = [
        ("keys only", |_, _, _| {}),
        ("titles and headings of the next item", |k, item, names| {
            let (t, h) = &names[(k + 1) % names.len()];
            item.title = t.clone();
            item.heading = h.clone();
        }),
        ("bodies cut to their first sentence", |_, item, _| {
            if let Some(end) = item.body.find(". ") {
                item.body.truncate(end + 1);
            }
        }),
        (
            "titles uppercased, every third item dropped",
            |k, item, _| {
                item.title = item.title.to_uppercase();
                if k % 3 == 0 {
                    item.key.push_str("-gone");
                    item.title.clear();
                    item.heading = None;
                    item.body.clear();
                }
            },
        ),
    ];
    for (name, change) in variants {
        let mut catalog = compiled.catalog.clone();
        let mut expected = Vec::new();
        for doc in &mut catalog.documents {
            let names: Vec<(String, Option<String>)> = doc
                .sections
                .iter()
                .flat_map(|s| &s.items)
                .map(|i| (i.title.clone(), i.heading.clone()))
                .collect();
            let path = doc.path.clone();
            for (k, item) in doc
                .sections
                .iter_mut()
                .flat_map(|s| &mut s.items)
                .enumerate()
            {
                let rest = item.key.split_once('#').map_or("", |(_, r)| r).to_string();
                item.key = format!("{path}#renamed/{rest}");
                change(k, item, &names);
            }
            expected.extend(renames_by_every_pair(doc, &old));
        }
        let applied = lock::apply(&mut catalog, &old, &BTreeSet::new());
        let got: BTreeSet<(String, String)> = applied
            .renamed
            .iter()
            .map(|r| (r.from.key.clone(), r.to.key.clone()))
            .collect();
        let expected: BTreeSet<(String, String)> = expected.into_iter().collect();
        assert!(expected.len() > 100, "{name}: {} renames", expected.len());
        let missed: Vec<_> = expected.difference(&got).collect();
        let extra: Vec<_> = got.difference(&expected).collect();
        assert_eq!((missed, extra), (vec![], vec![]), "{name}");
    }
}

#[cfg(feature = "watch")]
mod watch {
    use std::io::{BufRead, BufReader};
    use std::path::PathBuf;
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use checkdown::watch::{is_change, Debounce, Filter};
    use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
    use notify::EventKind;

    use super::{put_seed, temp_dir, PAGE};

    #[test]
    fn filter_ignores_the_builds_own_files() {
        let f = Filter {
            roots: vec![PathBuf::from("/w/docs"), PathBuf::from("/w/theme")],
            ignore: vec![
                PathBuf::from("/w/docs/out"),
                PathBuf::from("/w/docs/checkdown.lock"),
            ],
        };
        assert!(f.relevant(&PathBuf::from("/w/docs/security/page.md")));
        assert!(f.relevant(&PathBuf::from("/w/docs/security")));
        assert!(f.relevant(&PathBuf::from("/w/theme/page.html")));
        assert!(!f.relevant(&PathBuf::from("/w/docs/out/backlog.csv")));
        assert!(!f.relevant(&PathBuf::from("/w/docs/checkdown.lock")));
        assert!(!f.relevant(&PathBuf::from("/w/docs/.page.md.swp")));
        assert!(!f.relevant(&PathBuf::from("/w/docs/.git/index")));
        assert!(!f.relevant(&PathBuf::from("/w/other/page.md")));
        assert!(is_change(&EventKind::Modify(ModifyKind::Any)));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
    }

    #[test]
    fn debounce_waits_for_quiet() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut d = Debounce::new(ms(200));
        assert_eq!(d.wait(t0), None, "nothing pending: wait for ever");
        assert!(!d.due(t0));
        d.change(t0);
        assert_eq!(d.wait(t0 + ms(50)), Some(ms(150)));
        d.change(t0 + ms(150));
        assert!(
            !d.due(t0 + ms(300)),
            "a later change pushes the rebuild back"
        );
        assert!(d.due(t0 + ms(350)));
        assert!(!d.due(t0 + ms(400)), "due once");
        assert_eq!(d.wait(t0 + ms(400)), None);
    }

    /// The command itself: a build at start, another after an edit. It waits on the
    /// program's output, not on the clock (the deadline is only a safety net).
    #[test]
    fn watch_rebuilds_after_an_edit() {
        let root = temp_dir("regen-watch");
        put_seed(&root.join("docs"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_checkdown"))
            .current_dir(&root)
            .args(["watch", "docs", "-o", "out"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("watch starts");
        let (tx, rx) = mpsc::channel();
        let err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        let wait_for = |needle: &str| -> bool {
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                match rx.recv_timeout(left) {
                    Ok(line) if line.contains(needle) => return true,
                    Ok(_) => {}
                    Err(_) => return false,
                }
            }
            false
        };
        let started = wait_for("checkdown: watching docs");
        let edited = started && {
            let page = root.join("docs").join(PAGE);
            let text = std::fs::read_to_string(&page).expect("page");
            std::fs::write(
                &page,
                text.replace("Secure data at rest", "Secure stored data"),
            )
            .expect("edit");
            wait_for("files written")
        };
        let _ = child.kill();
        let _ = child.wait();
        assert!(started, "the first build and the watch started");
        assert!(edited, "a rebuild followed the edit");
        let json = std::fs::read_to_string(root.join("out/checklist.json")).expect("json");
        assert!(json.contains("Secure stored data"));
    }
}

/// A page that does not compile on one side would read as removed items: `diff` prints
/// the error and exits 1.
#[test]
fn diff_reports_pages_that_do_not_compile() {
    let new = new_dir("regen-diff-broken");
    let mut bytes = std::fs::read(new.join(PAGE)).expect("seed");
    bytes.extend_from_slice(b"\n\xff\n");
    std::fs::write(new.join(PAGE), bytes).expect("write");
    let out = run(&repo(), &["diff", s(&old_dir()), s(&new)]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error[not-utf8]: file is not valid UTF-8"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}", new.join(PAGE).display())),
        "{err}"
    );
    assert!(err.ends_with(
        "checkdown: 1 error while compiling; items of a page that did not compile show as removed\n"
    ));
}

/// `diff --format csv --tracker X`: the added items in the tracker's own profile, without
/// the parent rows the first import already created.
#[test]
fn diff_csv_in_each_tracker_profile_has_no_parent_rows() {
    let new = new_dir("regen-diff-trackers");
    let id = checkdown::extract::checklist::item_id(EXTRA);
    let label = format!("checkdown-{}", &id[..8]);
    let diff_in = |tracker: &str| {
        let out = run(
            &repo(),
            &[
                "diff",
                s(&new),
                s(&old_dir()),
                "--format",
                "csv",
                "--tracker",
                tracker,
            ],
        );
        assert_eq!(code(&out), 0, "{tracker}: {}", stderr(&out));
        out.stdout
    };
    let rows = |bytes: &[u8]| -> (Vec<String>, Vec<Vec<String>>) {
        let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header = r
            .headers()
            .expect("headers")
            .iter()
            .map(str::to_string)
            .collect();
        let rows = r
            .records()
            .map(|r| r.expect("row").iter().map(str::to_string).collect())
            .collect();
        (header, rows)
    };

    let (header, jira) = rows(&diff_in("jira"));
    assert_eq!(
        header[..6],
        [
            "Issue Id",
            "Parent",
            "Issue Type",
            "Summary",
            "Priority",
            "Description"
        ]
    );
    assert_eq!(jira.len(), 1);
    assert_eq!(
        jira[0][..5],
        ["1", "", "Task", "Run security awareness training", "Medium"]
    );
    assert!(jira[0].contains(&label));

    let (header, ado) = rows(&diff_in("azure-devops"));
    assert_eq!(
        header,
        [
            "Work Item Type",
            "Title 1",
            "Title 2",
            "Description",
            "Tags"
        ]
    );
    assert_eq!(ado.len(), 1);
    assert_eq!(
        ado[0][..3],
        ["User Story", "Run security awareness training", ""]
    );
    assert!(ado[0][4].contains(&label));

    let (_, gitlab) = rows(&diff_in("gitlab"));
    assert_eq!(gitlab.len(), 1);
    assert_eq!(gitlab[0][0], "Run security awareness training");

    let github = String::from_utf8(diff_in("github")).expect("utf-8");
    let lines: Vec<serde_json::Value> = github
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], id.as_str());
    assert!(
        lines[0]["parent"].is_string(),
        "the section's stable id, to find the parent issue"
    );
}

/// A nested task whose parent was reworded follows the parent's id: the lock gives the
/// reworded parent its old id, and the children's `parent` is that id (in the model, the
/// backlog and the whole-catalog path of the tracker profiles), never the id the new
/// wording alone would have.
#[test]
fn children_follow_a_reworded_parent() {
    let dir = temp_dir("regen-parent");
    let page = dir.join("in/p.md");
    std::fs::create_dir_all(page.parent().expect("in")).expect("mkdir");
    let text = "# T\n\n## Release\n\n- [ ] Prepare the release notes for the team\n  - [ ] Draft the notes\n  - [ ] Review the notes\n- [ ] Ship it\n";
    std::fs::write(&page, text).expect("page");
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "in", "-o", "out"];
        args.extend_from_slice(extra);
        let o = run(&dir, &args);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let json = std::fs::read_to_string(dir.join("out/checklist.json")).expect("json");
        let catalog: Catalog = serde_json::from_str(&json).expect("catalog");
        let items: Vec<(String, String, Option<String>)> = catalog.documents[0].sections[0]
            .items
            .iter()
            .map(|i| (i.title.clone(), i.id.clone(), i.parent.clone()))
            .collect();
        items
    };
    let before = build(&[]);
    let parent = before[0].1.clone();
    assert_eq!(before[1].2.as_deref(), Some(parent.as_str()));
    std::fs::write(&page, text.replace("for the team", "for our team")).expect("page");
    for extra in [&[][..], &["--tracker", "jira"]] {
        let after = build(extra);
        assert_eq!(after[0].0, "Prepare the release notes for our team");
        assert_eq!(after[0].1, parent, "the reworded parent keeps its id");
        for child in &after[1..3] {
            assert_eq!(
                child.2.as_deref(),
                Some(parent.as_str()),
                "{extra:?} {child:?}"
            );
        }
        assert_eq!(after[3].2, None);
        if extra.is_empty() {
            let csv = std::fs::read_to_string(dir.join("out/backlog.csv")).expect("csv");
            assert_eq!(csv.matches(&format!(",{parent},")).count(), 2, "{csv}");
        }
    }
}
