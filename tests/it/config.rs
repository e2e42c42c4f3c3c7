//! checkdown.toml, the flags that override it, and the command line around them: colour,
//! page globs, completions, the man page, `--version`, the pre-commit hooks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{fixture, repo, run, stderr, temp_dir};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A docs repository: `docs/page.md` (the clean fixture), and `docs/checkdown.toml` when
/// `toml` is given.
fn docs(name: &str, toml: Option<&str>) -> PathBuf {
    let dir = temp_dir(name);
    std::fs::create_dir_all(dir.join("docs")).expect("docs");
    std::fs::copy(fixture("diag/clean/page.md"), dir.join("docs/page.md")).expect("page");
    if let Some(t) = toml {
        std::fs::write(dir.join("docs/checkdown.toml"), t).expect("toml");
    }
    dir
}

/// The lines of `checkdown config` whose key is one of `keys`.
fn lines_of(out: &str, keys: &[&str]) -> Vec<String> {
    out.lines()
        .filter(|l| {
            keys.iter().any(|k| {
                l.starts_with(&format!("{k} = ")) || l.starts_with(&format!("# {k} is not set"))
            })
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn config_prints_each_value_with_its_source() {
    let dir = docs(
        "config-sources",
        Some(
            "base_url = \"https://docs.example.com/guide/\"\n\
             output = \"../site\"\n\
             formats = [\"md\", \"json\"]\n\
             jobs = 2\n\
             exclude = [\"drafts\"]\n\
             [status]\n\
             fail_under = 75\n",
        ),
    );
    let out = run(&dir, &["config", "docs", "--jobs", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("# config file: docs/checkdown.toml\n"),
        "{text}"
    );
    assert_eq!(
        lines_of(
            &text,
            &[
                "input",
                "output",
                "formats",
                "base_url",
                "jobs",
                "exclude",
                "include",
                "templates",
                "fail_under"
            ]
        ),
        [
            "input = \"docs\"  # flag",
            "output = \"site\"  # file",
            "formats = [\"md\", \"json\"]  # file",
            "# templates is not set  # default",
            "base_url = \"https://docs.example.com/guide/\"  # file",
            "jobs = 3  # flag",
            "exclude = [\"drafts\"]  # file",
            "include = []  # default",
            "fail_under = 75.0  # file",
        ]
    );
    // A flag replaces the file's value; `none` is the default base URL.
    let out = run(&dir, &["config", "docs", "--base-url", "none"]);
    assert_eq!(
        lines_of(&stdout(&out), &["base_url"]),
        ["base_url = \"none\"  # flag"]
    );
    std::fs::remove_file(dir.join("docs/checkdown.toml")).expect("rm");
    let out = run(&dir, &["config", "docs"]);
    let text = stdout(&out);
    assert!(text.starts_with("# config file: none\n"), "{text}");
    assert_eq!(
        lines_of(&text, &["base_url", "output"]),
        [
            "output = \"output\"  # default",
            "base_url = \"none\"  # default"
        ]
    );
}

/// `--config FILE` elsewhere: its relative paths resolve against its own folder.
#[test]
fn config_flag_paths_resolve_against_the_file() {
    let dir = docs("config-flag", None);
    std::fs::create_dir_all(dir.join("conf")).expect("conf");
    std::fs::write(
        dir.join("conf/site.toml"),
        "input = \"../docs\"\noutput = \"out\"\nlock = \"ids.lock\"\n",
    )
    .expect("toml");
    let out = run(&dir, &["config", "--config", "conf/site.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        lines_of(&stdout(&out), &["input", "output", "lock"]),
        [
            "input = \"docs\"  # file",
            "output = \"conf/out\"  # file",
            "lock = \"conf/ids.lock\"  # file",
        ]
    );
    let out = run(&dir, &["build", "--config", "conf/site.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("conf/out/checklist.json").is_file());
    assert!(dir.join("conf/ids.lock").is_file());
    assert!(!dir.join("docs/checkdown.lock").exists());
}

/// The file's base URL reaches the outputs; a flag overrides it.
#[test]
fn base_url_from_the_file_and_the_flag() {
    let dir = docs(
        "config-base",
        Some("base_url = \"https://docs.example.com/guide/\"\nformats = [\"json\"]\n"),
    );
    let out = run(&dir, &["build", "docs", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = std::fs::read_to_string(dir.join("out/checklist.json")).expect("json");
    assert!(
        json.contains("\"https://docs.example.com/guide/page#-listed\""),
        "{json}"
    );
    let out = run(&dir, &["build", "docs", "-o", "out2", "--base-url", "none"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = std::fs::read_to_string(dir.join("out2/checklist.json")).expect("json");
    assert!(!json.contains("docs.example.com"), "{json}");
    assert!(
        !dir.join("out2/checklist.md").exists(),
        "formats from the file"
    );
}

/// Each bad file: exit 2, FILE:LINE:COLUMN and what would be right, nothing written.
#[test]
fn bad_config_files_are_refused_with_their_position() {
    let cases: &[(&str, &str)] = &[
        (
            "formats = [\"md\"]\nbsae_url = \"https://x.example/\"\n",
            "error: docs/checkdown.toml:2:1: unknown field `bsae_url`, expected one of `input`, ",
        ),
        (
            "jobs = \"four\"\n",
            "error: docs/checkdown.toml:1:8: invalid type: string \"four\", expected u32",
        ),
        (
            "jobs = 0\n",
            "error: docs/checkdown.toml:1:8: jobs = 0 is not from 1 to 256",
        ),
        (
            "[sync]\nexport = 3\n",
            "error: docs/checkdown.toml:2:10: invalid type: integer `3`, expected a string",
        ),
        (
            "[status]\ncolour = 1\n",
            "error: docs/checkdown.toml:2:1: unknown field `colour`, expected `fail_under`",
        ),
        (
            "base_url = \"ftp://files.example/\"\n",
            "error: docs/checkdown.toml:1:12: `ftp://files.example/` is not an http(s) URL with a host",
        ),
        (
            "exclude = [\"ok\", \"a/[b\"]\n",
            "error: docs/checkdown.toml:1:18: `a/[b` is not a glob: unclosed character class",
        ),
        (
            "templates = \"nope\"\n",
            "error: docs/checkdown.toml:1:13: templates folder `docs/nope` does not exist",
        ),
        (
            "formats = [\"md\", \"pdf\"]\n",
            "error: docs/checkdown.toml:1:18: unknown format `pdf` (expected md, csv, html or json)",
        ),
        (
            "x = \n",
            "error: docs/checkdown.toml:1:5: string values must be quoted",
        ),
    ];
    for (i, (toml, want)) in cases.iter().enumerate() {
        let dir = docs(&format!("config-bad-{i}"), Some(toml));
        let out = run(&dir, &["build", "docs", "-o", "out"]);
        assert_eq!(out.status.code(), Some(2), "{toml}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with(want), "{toml}:\n{err}");
        assert!(!dir.join("out").exists(), "{toml}: nothing is written");
        assert!(!dir.join("docs/checkdown.lock").exists(), "{toml}");
    }
}

/// A committed `checkdown.toml` is read as the lock is: a symbolic link (to a credentials
/// file, say) is refused without a word of what it points to, a FIFO never blocks the
/// run, and a file over 1 MiB is refused; nothing is written.
#[cfg(unix)]
#[test]
fn config_files_are_never_read_through_links_fifos_or_at_any_size() {
    let secret_dir = temp_dir("config-secret");
    let secret = secret_dir.join("secret");
    std::fs::write(&secret, "jobs = \"cio_SECRET123\"\n").expect("secret");
    type Make<'a> = &'a dyn Fn(&std::path::Path);
    let cases: [(&str, Make, &str); 3] = [
        (
            "link",
            &|p| std::os::unix::fs::symlink(&secret, p).expect("symlink"),
            "error: cannot read config file `docs/checkdown.toml`: it is a symbolic link, which checkdown does not follow; put the file itself there, or name it with --config FILE\n",
        ),
        (
            "fifo",
            &|p| {
                let made = std::process::Command::new("mkfifo").arg(p).status();
                assert!(made.is_ok_and(|s| s.success()), "mkfifo");
            },
            "error: cannot read config file `docs/checkdown.toml`: it is not a regular file (a folder, FIFO, socket or device)\n",
        ),
        (
            "large",
            &|p| {
                let f = std::fs::File::create(p).expect("create");
                f.set_len((1 << 20) + 1).expect("truncate");
            },
            "error: cannot read config file `docs/checkdown.toml`: it is 1048577 bytes, over the limit of 1024 KiB: not a settings file\n",
        ),
    ];
    for (name, make, want) in cases {
        let dir = docs(&format!("config-{name}"), None);
        make(&dir.join("docs/checkdown.toml"));
        let out = run(&dir, &["build", "docs", "-o", "out"]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert_eq!(stderr(&out), want, "{name}");
        assert!(!stderr(&out).contains("SECRET"));
        assert!(!dir.join("out").exists(), "{name}: nothing is written");
        assert!(!dir.join("docs/checkdown.lock").exists(), "{name}");
    }
}

/// `cargo run --release -- build` writes what output/ holds: input/checkdown.toml gives the
/// base URL that was the default before.
#[test]
fn repository_build_check_reads_input_config() {
    let out = run(&repo(), &["build", "--check", "--jobs", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(", 0 files out of date in "),
        "{}",
        stderr(&out)
    );
}

/// `--exclude`, `--include`: pages left out are not read at all (a page too large to read
/// is not reported).
#[test]
fn globs_choose_the_pages_read() {
    let dir = docs("config-globs", None);
    let d = dir.join("docs");
    std::fs::create_dir_all(d.join("drafts/deep")).expect("drafts");
    std::fs::create_dir_all(d.join("guide")).expect("guide");
    let page = std::fs::read_to_string(d.join("page.md")).expect("page");
    std::fs::write(d.join("guide/one.md"), &page).expect("one");
    std::fs::write(d.join("drafts/deep/big.md"), "x".repeat(4096)).expect("big");
    let summary = |args: &[&str]| {
        let mut all = vec!["check", "docs", "--max-file-size", "1000"];
        all.extend_from_slice(args);
        let out = run(&dir, &all);
        let err = stderr(&out);
        let last = err.lines().last().unwrap_or("").to_string();
        (
            out.status.code(),
            last.split(" in ").next().unwrap_or("").to_string(),
            err,
        )
    };
    let (code, _, err) = summary(&[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("drafts/deep/big.md"), "{err}");
    let (code, line, err) = summary(&["--exclude", "drafts"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        line,
        "checkdown: 2 documents, 2 items, 0 skipped, 0 errors, 0 warnings"
    );
    let (_, line, _) = summary(&["--exclude", "drafts/**", "--exclude", "page.md"]);
    assert_eq!(
        line,
        "checkdown: 1 document, 1 item, 0 skipped, 0 errors, 0 warnings"
    );
    let (code, line, err) = summary(&["--include", "guide/*.md"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        line,
        "checkdown: 1 document, 1 item, 0 skipped, 0 errors, 0 warnings"
    );
    // From the file; a flag replaces the file's list.
    std::fs::write(
        d.join("checkdown.toml"),
        "exclude = [\"drafts\", \"guide\"]\n",
    )
    .expect("toml");
    let (_, line, _) = summary(&[]);
    assert_eq!(
        line,
        "checkdown: 1 document, 1 item, 0 skipped, 0 errors, 0 warnings"
    );
    let (code, _, err) = summary(&["--exclude", "guide"]);
    assert_eq!(code, Some(1), "{err}");
}

/// Runs `checkdown check input` in the repository (one warning) with `env` and `args`.
fn check_colored(env: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_checkdown"));
    cmd.current_dir(repo())
        .args(["check", "input"])
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stderr(&out)
}

#[test]
fn color_follows_the_flag_then_no_color_then_clicolor_force() {
    let esc = '\u{1b}';
    // Not a terminal, nothing set: plain.
    assert!(!check_colored(&[], &[]).contains(esc));
    let forced = check_colored(&[("CLICOLOR_FORCE", "1")], &[]);
    assert!(forced.contains(esc), "{forced}");
    assert!(
        forced.contains("\u{1b}[1;33m1 warning\u{1b}[0m"),
        "{forced}"
    );
    assert!(!check_colored(&[("CLICOLOR_FORCE", "0")], &[]).contains(esc));
    assert!(!check_colored(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]).contains(esc));
    assert!(check_colored(&[("NO_COLOR", "1")], &["--color", "always"]).contains(esc));
    assert!(!check_colored(&[("CLICOLOR_FORCE", "1")], &["--color=never"]).contains(esc));
    // NO_COLOR set but empty is not set.
    assert!(check_colored(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")], &[]).contains(esc));
}

#[test]
fn version_names_the_json_formats() {
    let out = run(&repo(), &["--version"]);
    assert_eq!(
        stdout(&out).trim(),
        format!(
            "checkdown {} (checklist.json format {}, checkdown-progress version {})",
            env!("CARGO_PKG_VERSION"),
            checkdown::model::FORMAT,
            checkdown::progress::VERSION
        )
    );
}

/// The bash script sources without error, registers itself, and completes a subcommand
/// and a flag.
#[test]
fn bash_completion_completes_subcommands() {
    let dir = temp_dir("completions");
    let out = run(&dir, &["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(dir.join("checkdown.bash"), &out.stdout).expect("script");
    let script = r#"set -e
source ./checkdown.bash
complete -p checkdown
complete_words() {
  COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _checkdown checkdown "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf '%s\n' "${COMPREPLY[@]}"
}
echo "-- bu"; complete_words checkdown bu
echo "-- co"; complete_words checkdown co
echo "-- build --ex"; complete_words checkdown build --ex
"#;
    let out = Command::new("bash")
        .current_dir(&dir)
        .args(["--norc", "--noprofile", "-c", script])
        .output()
        .expect("bash runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let mut sorted = Vec::new();
    for block in text.split("-- ").skip(1) {
        let mut lines: Vec<&str> = block.lines().collect();
        let head = lines.remove(0);
        lines.sort_unstable();
        sorted.push(format!("{head}: {}", lines.join(" ")));
    }
    assert!(
        text.starts_with("complete ")
            && text
                .lines()
                .next()
                .unwrap_or("")
                .ends_with(" -F _checkdown checkdown"),
        "`complete -p` shows the registration: {text}"
    );
    assert_eq!(
        sorted[sorted.len() - 3..],
        [
            "bu: build",
            "co: completions config",
            "build --ex: --exclude"
        ]
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = run(&dir, &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(stdout(&out).contains("init-templates"), "{shell}");
    }
    let out = run(&dir, &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `checkdown man DIR`: one page per command; `man -l` renders them where man is installed.
#[test]
fn man_pages_render() {
    let dir = temp_dir("man");
    let out = run(&dir, &["man", "pages"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        Path::new("pages").join("checkdown.1").display().to_string()
    );
    for page in [
        "checkdown.1",
        "checkdown-build.1",
        "checkdown-config.1",
        "checkdown-completions.1",
    ] {
        assert!(dir.join("pages").join(page).is_file(), "{page}");
    }
    let roff = std::fs::read_to_string(dir.join("pages/checkdown.1")).expect("page");
    assert!(roff.starts_with(".ie \\n(.g .ds Aq \\(aq"), "{roff}");
    if Command::new("man").arg("--version").output().is_err() {
        eprintln!("skipped: `man` is not installed; the man page was not rendered");
        return;
    }
    let out = Command::new("man")
        .current_dir(&dir)
        .args(["-l", "pages/checkdown-build.1"])
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("man runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "checkdown-build",
        "SYNOPSIS",
        "--exclude",
        "--base-url",
        "Folder of Markdown pages",
    ] {
        assert!(text.contains(needle), "{needle} in:\n{text}");
    }
}

/// Runs `program` with `args` in `dir`; PATH starts with the folder of the checkdown under
/// test, and pre-commit keeps its cache in `home`.
fn tool(program: &str, dir: &Path, home: &Path, args: &[&str]) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_checkdown"))
        .parent()
        .expect("bin folder")
        .to_path_buf();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(&path));
    Command::new(program)
        .current_dir(dir)
        .args(args)
        .env("PATH", std::env::join_paths(paths).expect("PATH"))
        .env("PRE_COMMIT_HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"))
}

fn ok(o: &Output) -> &Output {
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(o), stderr(o));
    o
}

/// The repository's .pre-commit-hooks.yaml, run by the real pre-commit against a docs
/// repository with a five-line checkdown.toml: it passes, then catches a broken anchor.
/// Skipped (with a note) where pre-commit is not installed, unless
/// CHECKDOWN_PRECOMMIT_TESTS=require (set by .ci/run).
#[test]
fn pre_commit_hooks_pass_then_catch_a_broken_anchor() {
    let required = std::env::var("CHECKDOWN_PRECOMMIT_TESTS").is_ok_and(|v| v == "require");
    if Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            !required,
            "CHECKDOWN_PRECOMMIT_TESTS=require but pre-commit is not installed (pip install pre-commit)"
        );
        eprintln!(
            "skipped: pre-commit hooks: pre-commit is not installed (pip install pre-commit)"
        );
        return;
    }
    let root = temp_dir("pre-commit");
    let home = root.join("cache");
    // The hooks repository: this repository's manifest, committed.
    let hooks = root.join("hooks");
    std::fs::create_dir_all(&hooks).expect("hooks");
    std::fs::copy(
        repo().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .expect("manifest");
    ok(&tool("git", &hooks, &home, &["init", "-q"]));
    ok(&tool("git", &hooks, &home, &["add", "."]));
    ok(&tool("git", &hooks, &home, &["commit", "-qm", "hooks"]));
    let rev = stdout(ok(&tool("git", &hooks, &home, &["rev-parse", "HEAD"])))
        .trim()
        .to_string();
    // The docs repository.
    let site = root.join("site");
    std::fs::create_dir_all(site.join("docs")).expect("docs");
    std::fs::copy(fixture("diag/clean/page.md"), site.join("docs/page.md")).expect("page");
    std::fs::write(
        site.join("checkdown.toml"),
        "input = \"docs\"\noutput = \"checklists\"\nformats = [\"md\", \"json\"]\nbase_url = \"https://docs.example.com/\"\ndeny_warnings = true\n",
    )
    .expect("toml");
    std::fs::write(
        site.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: checkdown-check\n      - id: checkdown-build-check\n",
            hooks.display()
        ),
    )
    .expect("config");
    ok(&tool("git", &site, &home, &["init", "-q"]));
    ok(&tool("checkdown", &site, &home, &["build"]));
    assert!(site.join("checklists/checklist.json").is_file());
    ok(&tool("git", &site, &home, &["add", "."]));
    ok(&tool("git", &site, &home, &["commit", "-qm", "docs"]));
    let out = tool("pre-commit", &site, &home, &["run", "--all-files"]);
    let text = stdout(ok(&out));
    for hook in ["checkdown check", "checkdown build --check"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(hook) && l.ends_with("Passed")),
            "{hook} passed:\n{text}"
        );
    }
    // A broken anchor: both hooks fail, check naming the anchor.
    std::fs::copy(
        fixture("diag/missing-anchor/page.md"),
        site.join("docs/page.md"),
    )
    .expect("page");
    ok(&tool("git", &site, &home, &["add", "."]));
    let out = tool("pre-commit", &site, &home, &["run", "--all-files"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("checkdown check.") && l.ends_with("Failed")),
        "{text}"
    );
    assert!(
        text.contains("error[missing-anchor]: checklist item links to `#-encrypt-data-at-rst`"),
        "{text}"
    );
    assert!(text.contains("docs/page.md:10:28"), "{text}");
}
