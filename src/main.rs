//! The command line: arguments -> a resolved config -> library calls -> exit code.
//! Exit status: 0 clean, 1 when any error was reported (or, with `build --check`, when
//! OUTPUT or the lock is out of date), 2 for usage or I/O failure.
#![forbid(unsafe_code)]

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use clap::{Parser, Subcommand, ValueEnum};

use checkdown::diag::{self, Diagnostic, MessageFormat, Severity};
use checkdown::render::tracker::{self, AdoProcess, Tracker};
use checkdown::render::{self, Format};
use checkdown::{diff, lock, Options};

#[derive(Parser)]
#[command(
    name = "checkdown",
    version,
    about = "Compile Learn-style Markdown docs into checklists, backlogs, an HTML checklist and JSON"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What `build` and `watch` read and write.
#[derive(clap::Args)]
struct Target {
    /// Folder of Markdown pages.
    #[arg(default_value = "input")]
    input: PathBuf,
    /// Folder to write into.
    #[arg(short, long, default_value = "output")]
    output: PathBuf,
    /// Comma-separated formats: md, csv, html, json.
    #[arg(long, value_delimiter = ',', default_value = "md,csv,html,json")]
    format: Vec<Format>,
    /// Folder of Tera templates that override the built-in ones, file by file.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Compile INPUT into OUTPUT in every format asked for.
    Build {
        #[command(flatten)]
        target: Target,
        /// Comma-separated backlogs for the csv format: generic, jira, azure-devops, gitlab,
        /// github [default: generic]. Naming any adds csv to --format.
        #[arg(long, value_delimiter = ',', value_name = "LIST")]
        tracker: Option<Vec<Tracker>>,
        /// Azure DevOps process, which decides the work item types: agile, scrum or basic.
        #[arg(long, default_value = "agile", value_name = "PROCESS")]
        ado_process: AdoProcess,
        /// Start every CSV file with a UTF-8 byte order mark, for Excel.
        #[arg(long)]
        csv_bom: bool,
        /// Write nothing; exit 1 and list what would change when OUTPUT or the lock is out of
        /// date with INPUT.
        #[arg(long)]
        check: bool,
        /// The team's progress file: every output shows each item's status and note
        /// [default: INPUT/checkdown.progress.json, when it exists].
        #[arg(long, value_name = "FILE")]
        progress: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Report how far the progress file says the team is: done, in progress, not
    /// applicable and open items per document and section, level and pillar.
    Status {
        #[arg(default_value = "input")]
        input: PathBuf,
        /// The progress file [default: INPUT/checkdown.progress.json; without one, the
        /// items the docs mark done].
        #[arg(long, value_name = "FILE")]
        progress: Option<PathBuf>,
        /// table, or json (one object).
        #[arg(long, value_enum, default_value = "table")]
        format: StatusFormat,
        /// Exit 1 when the share done (done over applicable items) is below PERCENT.
        #[arg(long, value_name = "PERCENT", value_parser = percent)]
        fail_under: Option<f64>,
        /// The lock file that keeps item ids across rewording [default: INPUT/checkdown.lock].
        #[arg(long, value_name = "FILE")]
        lock: Option<PathBuf>,
        /// Largest Markdown file accepted, in bytes.
        #[arg(long, default_value_t = checkdown::DEFAULT_MAX_FILE_SIZE, value_name = "BYTES")]
        max_file_size: u64,
    },
    /// Compare two editions item by item: added, removed, renamed, changed.
    Diff {
        /// The older edition: an input folder (with its checkdown.lock) or a checklist.json.
        old: PathBuf,
        /// The newer edition: an input folder (with its own lock, else OLD's) or a
        /// checklist.json.
        new: PathBuf,
        /// md (a report), json, or csv (the backlog of the added items only).
        #[arg(long, value_enum, default_value = "md")]
        format: DiffFormat,
        /// With --format csv: the profile of the backlog of added items: generic, jira,
        /// azure-devops, gitlab or github (JSON lines). Items only, no parent rows.
        #[arg(long, default_value = "generic", value_name = "TRACKER")]
        tracker: Tracker,
        /// With --tracker azure-devops: agile, scrum or basic.
        #[arg(long, default_value = "agile", value_name = "PROCESS")]
        ado_process: AdoProcess,
        /// With --format csv: start the file with a UTF-8 byte order mark.
        #[arg(long)]
        csv_bom: bool,
        /// Largest Markdown file accepted, in bytes.
        #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
        max_file_size: u64,
    },
    /// Catch a tracker up with the docs: read the tracker's export of the tickets an earlier
    /// import created, write what creates, updates and flags them, report on standard output.
    Sync {
        /// Folder of Markdown pages (with its checkdown.lock).
        #[arg(default_value = "input")]
        input: PathBuf,
        /// jira, azure-devops, gitlab or github.
        #[arg(long, value_name = "TRACKER")]
        tracker: Tracker,
        /// The tracker's export: Jira's "Export CSV (all fields)", Azure DevOps' query
        /// results as CSV, GitLab's issue CSV export, or the JSON of `gh issue list --json
        /// number,title,body,labels,state,url`.
        #[arg(long, value_name = "FILE")]
        export: PathBuf,
        /// Folder to write the tracker's files into (`sync-<tracker>...`).
        #[arg(short, long, default_value = "output")]
        output: PathBuf,
        /// The report: md or json.
        #[arg(long, value_enum, default_value = "md")]
        format: SyncFormat,
        /// With --tracker azure-devops: agile, scrum or basic.
        #[arg(long, default_value = "agile", value_name = "PROCESS")]
        ado_process: AdoProcess,
        /// Largest export read, in bytes.
        #[arg(long, default_value_t = checkdown::sync::DEFAULT_MAX_EXPORT_SIZE, value_name = "BYTES")]
        max_export_size: u64,
        /// Write nothing; only report.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Build, then rebuild whenever INPUT or the templates change (until interrupted).
    Watch {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        common: Common,
    },
    /// Validate INPUT and report diagnostics; writes nothing.
    Check {
        #[arg(default_value = "input")]
        input: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Write the built-in templates into DIR, to edit and pass to `build --templates DIR`.
    InitTemplates { dir: PathBuf },
    /// Print the JSON Schema of checklist.json, or of the progress file.
    Schema {
        #[arg(value_enum, default_value = "checklist")]
        of: SchemaOf,
    },
}

#[derive(clap::Args)]
struct Common {
    /// Treat these diagnostics as errors (`warnings`).
    #[arg(long, value_enum, value_name = "WHAT")]
    deny: Vec<Deny>,
    /// Largest Markdown file accepted, in bytes.
    #[arg(long, default_value_t = checkdown::DEFAULT_MAX_FILE_SIZE, value_name = "BYTES")]
    max_file_size: u64,
    /// Where the pages are published: relative links resolve against it, site-root links
    /// (`/azure/...`) against its scheme and host; `none`: pages are not published under
    /// a known URL, so links stay as written and no URL is made.
    #[arg(long, value_name = "URL", default_value = checkdown::extract::links::DEFAULT_BASE,
          value_parser = base_url)]
    base_url: String,
    /// The lock file that keeps item ids across rewording [default: INPUT/checkdown.lock].
    #[arg(long, value_name = "FILE")]
    lock: Option<PathBuf>,
    /// How diagnostics are printed: human (standard error), json or github (standard output).
    #[arg(long, value_enum, default_value = "human", value_name = "FORMAT")]
    message_format: MessageFormatArg,
    /// Deepest Markdown nesting read as structure (quotes, lists, emphasis together).
    #[arg(long, default_value_t = checkdown::parse::DEFAULT_MAX_NESTING, value_name = "LEVELS",
          value_parser = clap::value_parser!(usize))]
    max_nesting: usize,
    /// Files compiled and documents rendered and written at once [default: the available
    /// cores]. The output is the same for any number.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    jobs: Option<u32>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Deny {
    Warnings,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum MessageFormatArg {
    Human,
    Json,
    Github,
}

impl From<MessageFormatArg> for MessageFormat {
    fn from(f: MessageFormatArg) -> Self {
        match f {
            MessageFormatArg::Human => MessageFormat::Human,
            MessageFormatArg::Json => MessageFormat::Json,
            MessageFormatArg::Github => MessageFormat::Github,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum StatusFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum SyncFormat {
    Md,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum SchemaOf {
    /// checklist.json.
    Checklist,
    /// The progress file (checkdown.progress.json).
    Progress,
}

/// A percentage from 0 to 100.
fn percent(s: &str) -> Result<f64, String> {
    match s.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{s}` is not a percentage from 0 to 100")),
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum DiffFormat {
    Md,
    Json,
    Csv,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build {
            target:
                Target {
                    input,
                    output,
                    format,
                    templates,
                },
            tracker,
            ado_process,
            csv_bom,
            check,
            progress,
            common,
        } => {
            let mut format = format;
            if tracker.is_some() {
                format.push(Format::Csv);
            }
            let backlogs = tracker::Options {
                trackers: tracker.unwrap_or_else(|| vec![Tracker::Generic]),
                ado_process,
                csv_bom,
                parents: true,
            };
            build(
                &input,
                Some(&output),
                &format,
                templates.as_deref(),
                &backlogs,
                check,
                progress.as_deref(),
                &common,
            )
        }
        Command::Diff {
            old,
            new,
            format,
            tracker,
            ado_process,
            csv_bom,
            max_file_size,
        } => diff_editions(
            &old,
            &new,
            format,
            (tracker, ado_process, csv_bom),
            max_file_size,
        ),
        Command::Sync {
            input,
            tracker,
            export,
            output,
            format,
            ado_process,
            max_export_size,
            dry_run,
            common,
        } => sync(
            &input,
            tracker,
            &export,
            (&output, dry_run),
            format,
            ado_process,
            max_export_size,
            &common,
        ),
        Command::Watch {
            target:
                Target {
                    input,
                    output,
                    format,
                    templates,
                },
            common,
        } => watch(&input, &output, &format, templates.as_deref(), &common),
        Command::Check { input, common } => build(
            &input,
            None,
            &[],
            None,
            &tracker::Options::default(),
            false,
            None,
            &common,
        ),
        Command::Schema { of } => {
            print!(
                "{}",
                match of {
                    SchemaOf::Checklist => checkdown::model::schema(),
                    SchemaOf::Progress => checkdown::progress::schema(),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Status {
            input,
            progress,
            format,
            fail_under,
            lock,
            max_file_size,
        } => status(
            &input,
            progress.as_deref(),
            format,
            fail_under,
            lock.as_deref(),
            max_file_size,
        ),
        Command::InitTemplates { dir } => {
            for path in render::templates::write_defaults(&dir)? {
                println!("{path}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `sync`: reads the export and the docs, writes the tracker's files into OUTPUT (unless
/// `dry_run`), prints the report. A malformed export stops it before anything is written.
#[allow(clippy::too_many_arguments)]
fn sync(
    input: &Path,
    tracker: Tracker,
    export: &Path,
    (output, dry_run): (&Path, bool),
    format: SyncFormat,
    ado_process: AdoProcess,
    max_export_size: u64,
    common: &Common,
) -> Result<ExitCode> {
    use checkdown::sync;
    if !input.is_dir() {
        bail!(
            "input folder `{}` does not exist or is not a folder",
            input.display()
        );
    }
    if tracker == Tracker::Generic {
        bail!("--tracker generic has no tracker to catch up; pick jira, azure-devops, gitlab or github");
    }
    if !dry_run {
        check_folders(input, output)?;
    }
    let options = Options {
        max_file_size: common.max_file_size,
        base_url: common.base_url.clone(),
        max_nesting: common.max_nesting,
        jobs: common.jobs.map_or(0, |n| n as usize),
    };
    let lock = lock_path(input, common);
    let outcome = match sync::run(&sync::Request {
        input,
        lock: &lock,
        tracker,
        export,
        options: &options,
        ado_process,
        max_export_size,
    }) {
        Ok(o) => o,
        Err(sync::Failure::Export(errors)) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!(
                "checkdown: the export has {} {}; nothing was written",
                errors.len(),
                plural(errors.len(), "problem", "problems")
            );
            return Ok(ExitCode::from(1));
        }
        Err(sync::Failure::Other(e)) => return Err(e.into()),
    };
    let errors = diag::count(&outcome.diagnostics, Severity::Error);
    if errors > 0 {
        let mut diagnostics = outcome.diagnostics;
        for d in &mut diagnostics {
            d.path = input.join(&d.path).display().to_string();
        }
        print_diagnostics(&diagnostics, common.message_format.into(), &options);
        eprintln!("checkdown: the docs have errors; fix them before a sync (nothing was written)");
        return Ok(ExitCode::from(1));
    }
    let names: Vec<String> = outcome
        .files
        .iter()
        .map(|f| output.join(&f.path).display().to_string())
        .collect();
    if !dry_run && !outcome.files.is_empty() {
        std::fs::create_dir_all(output)
            .with_context(|| format!("cannot create `{}`", output.display()))?;
        for f in &outcome.files {
            checkdown::write::atomic_write(&output.join(&f.path), &f.bytes)?;
        }
    }
    let shown: &[String] = if dry_run { &[] } else { &names };
    match format {
        SyncFormat::Md => print!("{}", sync::report_md(tracker, &outcome.actions, shown)),
        SyncFormat::Json => print!("{}", sync::report_json(tracker, &outcome.actions)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses an OUTPUT that is INPUT or contains it.
fn check_folders(input: &Path, output: &Path) -> Result<()> {
    let input = input
        .canonicalize()
        .with_context(|| format!("cannot open input folder `{}`", input.display()))?;
    if let Ok(out) = output.canonicalize() {
        if input.starts_with(&out) {
            bail!(
                "output folder `{}` is the input folder or contains it; choose another with -o",
                output.display()
            );
        }
    }
    Ok(())
}

/// Compiles INPUT with its lock and writes OUTPUT and the lock, or with `check`, compares
/// them with what is on disk instead. With no OUTPUT (`check` command), only reports.
#[allow(clippy::too_many_arguments)]
fn build(
    input: &Path,
    output: Option<&Path>,
    formats: &[Format],
    templates: Option<&Path>,
    backlogs: &tracker::Options,
    check: bool,
    progress: Option<&Path>,
    common: &Common,
) -> Result<ExitCode> {
    let start = Instant::now();
    if !input.is_dir() {
        bail!(
            "input folder `{}` does not exist or is not a folder",
            input.display()
        );
    }
    if let Some(out) = output {
        check_folders(input, out)?;
    }
    let options = Options {
        max_file_size: common.max_file_size,
        base_url: common.base_url.clone(),
        max_nesting: common.max_nesting,
        jobs: common.jobs.map_or(0, |n| n as usize),
    };
    let skip = output.and_then(|o| o.canonicalize().ok());
    let input_abs = input.canonicalize().unwrap_or_else(|_| input.to_path_buf());
    let lock_path = lock_path(input, common);
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    let (progress_path, mut progress_diags) = read_progress(input, progress)?;
    let progress = progress_path.as_ref().map(|(_, p)| p);
    let built = checkdown::build::build(&checkdown::build::Request {
        input: &input_abs,
        skip: skip.as_deref(),
        options: &options,
        lock: &lock_path,
        output,
        formats: &formats,
        templates,
        backlogs,
        check,
        progress,
    })?;
    let mut diagnostics: Vec<Diagnostic> = built.diagnostics;
    // Checklist blocks left out as learning objectives are counted, not listed.
    let objectives = diagnostics
        .iter()
        .filter(|d| d.code == checkdown::extract::OBJECTIVE_LIST)
        .count();
    diagnostics.retain(|d| d.code != checkdown::extract::OBJECTIVE_LIST);
    // Name files as the user can open them: INPUT as given, then the relative path.
    for d in &mut diagnostics {
        d.path = input.join(&d.path).display().to_string();
    }
    if let Some((shown, p)) = &progress_path {
        progress_diags.extend(p.stale(&built.progress_matched, shown));
    }
    diagnostics.extend(progress_diags);
    if common.deny.contains(&Deny::Warnings) {
        for d in diagnostics
            .iter_mut()
            .filter(|d| d.severity == Severity::Warning)
        {
            d.severity = Severity::Error;
        }
    }
    let mut stale = 0;
    if let Some(out) = output {
        if check {
            let mut found = stale_files(out, &built.stale);
            if !built.lock.current {
                found.push(stale_lock(&lock_path, &built.lock));
            }
            stale = found.len();
            diagnostics.extend(found);
        } else {
            for kept in &built.report.kept {
                eprintln!(
                    "note: `{}` was written by an earlier build and is no longer; left in place because it changed since",
                    out.join(kept).display()
                );
            }
            if built.lock.written {
                eprintln!("checkdown: updated {}", lock_path.display());
            }
        }
    }
    print_diagnostics(&diagnostics, common.message_format.into(), &options);
    let errors = diag::count(&diagnostics, Severity::Error);
    let warnings = diag::count(&diagnostics, Severity::Warning);
    let docs = built.documents;
    let items = built.items;
    let objectives = match objectives {
        0 => String::new(),
        n => format!(", {n} objective {} left out", plural(n, "list", "lists")),
    };
    eprintln!(
        "checkdown: {docs} {}, {items} {}, {} skipped{objectives}, {errors} {}, {warnings} {}{} in {} ms",
        plural(docs, "document", "documents"),
        plural(items, "item", "items"),
        built.skipped,
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings"),
        if check {
            format!(", {stale} {} out of date", plural(stale, "file", "files"))
        } else if output.is_some() {
            let removed = match built.report.removed.len() {
                0 => String::new(),
                n => format!(", {n} stale {} removed", plural(n, "file", "files")),
            };
            format!(
                ", {} {} written{removed}",
                built.report.written,
                plural(built.report.written, "file", "files")
            )
        } else {
            String::new()
        },
        start.elapsed().as_millis()
    );
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `--base-url`: an absolute http(s) URL with a host, such as
/// `https://learn.microsoft.com/azure/well-architected/`, or `none` (given as the empty
/// string to the library): no URLs are made.
fn base_url(s: &str) -> Result<String, String> {
    if s == "none" {
        return Ok(String::new());
    }
    let url = url::Url::parse(s).map_err(|e| format!("`{s}` is not an absolute URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "`{s}` is not an http(s) URL with a host, such as https://learn.microsoft.com/azure/well-architected/"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "`{s}` has a query or fragment; give the folder the pages are published under"
        ));
    }
    Ok(s.to_string())
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `--lock FILE`, else INPUT/checkdown.lock.
fn lock_path(input: &Path, common: &Common) -> PathBuf {
    common
        .lock
        .clone()
        .unwrap_or_else(|| input.join(lock::FILE_NAME))
}

/// The progress file: `--progress FILE` (which must exist), else INPUT's
/// `checkdown.progress.json` when there is one. A file refused gives its diagnostic and no
/// progress: the rest of the build goes on.
#[allow(clippy::type_complexity)]
fn read_progress(
    input: &Path,
    given: Option<&Path>,
) -> Result<(
    Option<(String, checkdown::progress::Progress)>,
    Vec<Diagnostic>,
)> {
    use checkdown::progress::{Progress, FILE_NAME};
    let path = given.map_or_else(|| input.join(FILE_NAME), Path::to_path_buf);
    let shown = path.display().to_string();
    match Progress::read(&path, &shown) {
        Ok(Some(p)) => Ok((Some((shown, p)), Vec::new())),
        Ok(None) if given.is_some() => bail!("progress file `{shown}` does not exist"),
        Ok(None) => Ok((None, Vec::new())),
        Err(d) => Ok((None, vec![*d])),
    }
}

/// `status`: the report on standard output; diagnostics about the progress file on
/// standard error. Exit 1 when the progress file is refused or, with `--fail-under`, the
/// share done is below it.
fn status(
    input: &Path,
    progress: Option<&Path>,
    format: StatusFormat,
    fail_under: Option<f64>,
    lock: Option<&Path>,
    max_file_size: u64,
) -> Result<ExitCode> {
    if !input.is_dir() {
        bail!(
            "input folder `{}` does not exist or is not a folder",
            input.display()
        );
    }
    let (read, mut diagnostics) = read_progress(input, progress)?;
    let options = Options {
        max_file_size,
        ..Options::default()
    };
    let lock_file = lock.map_or_else(|| input.join(lock::FILE_NAME), Path::to_path_buf);
    let old = lock::read(&lock_file)?.unwrap_or_default();
    let (mut compiled, _) = lock::compile(input, None, &options, &old);
    if let Some((shown, p)) = &read {
        p.apply(&mut compiled.catalog);
        let ids = compiled
            .catalog
            .documents
            .iter()
            .flat_map(|d| &d.sections)
            .flat_map(|s| &s.items)
            .map(|i| i.id.clone())
            .collect();
        diagnostics.extend(p.stale(&ids, shown));
    }
    let report = checkdown::status::report(&compiled.catalog);
    print!(
        "{}",
        match format {
            StatusFormat::Table => report.to_table(),
            StatusFormat::Json => report.to_json(),
        }
    );
    let color = std::io::stderr().is_terminal();
    for d in &diagnostics {
        eprintln!("{}", d.render(color));
    }
    let pages = diag::count(&compiled.diagnostics, Severity::Error);
    if pages > 0 {
        eprintln!(
            "checkdown: {pages} {} while compiling INPUT (run `checkdown check`); the items of a page that did not compile are not counted",
            plural(pages, "error", "errors")
        );
    }
    let total = report.total;
    eprintln!(
        "checkdown: {} {}: {} done, {} in progress, {} not applicable, {} open; {} done (not applicable left out)",
        total.total,
        plural(total.total, "item", "items"),
        total.done,
        total.in_progress,
        total.not_applicable,
        total.open,
        total.percent_text(),
    );
    if diag::count(&diagnostics, Severity::Error) > 0 {
        return Ok(ExitCode::from(1));
    }
    if let Some(min) = fail_under {
        if total.percent() < min {
            eprintln!(
                "checkdown: {:.1}% done, under --fail-under {min}",
                total.percent()
            );
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Human diagnostics go to standard error; json and github ones to standard output, where
/// CI tools and the GitHub Actions runner read them. Rendered on the `--jobs` threads, a
/// batch at a time, and printed in order.
fn print_diagnostics(diagnostics: &[Diagnostic], format: MessageFormat, options: &Options) {
    use rayon::prelude::*;
    use std::io::Write as _;
    let color = format == MessageFormat::Human && std::io::stderr().is_terminal();
    let pool = options.pool();
    for batch in diagnostics.chunks(256) {
        let text: Vec<String> = pool.install(|| {
            batch
                .par_iter()
                .map(|d| match format {
                    MessageFormat::Human => d.render(color),
                    _ => d.format(format, false),
                })
                .collect()
        });
        // A batch at a time: one write, not one per line.
        let mut out = String::new();
        for t in text {
            out.push_str(&t);
            out.push('\n');
        }
        let _ = match format {
            MessageFormat::Human => std::io::stderr().lock().write_all(out.as_bytes()),
            _ => std::io::stdout().lock().write_all(out.as_bytes()),
        };
    }
}

/// `build --check`: one error per output file that is missing or differs.
fn stale_files(out: &Path, stale: &[String]) -> Vec<Diagnostic> {
    stale
        .iter()
        .map(|rel| {
            let path = out.join(rel);
            let what = if path.exists() {
                "is out of date with INPUT"
            } else {
                "is missing"
            };
            Diagnostic::error(
                "stale-output",
                &path.display().to_string(),
                format!("`{rel}` {what}"),
            )
            .help("run `checkdown build` and commit the result")
        })
        .collect()
}

/// `build --check`: the lock would change.
fn stale_lock(path: &Path, lock: &checkdown::build::LockOutcome) -> Diagnostic {
    let message = if path.exists() {
        format!(
            "the lock is out of date with INPUT ({} new, {} renamed, {} removed items; or a \
             title, heading or body changed)",
            lock.added, lock.renamed, lock.removed
        )
    } else {
        "the lock is missing".to_string()
    };
    Diagnostic::error("stale-lock", &path.display().to_string(), message)
        .help("run `checkdown build` and commit the lock with the output")
}

/// `diff OLD NEW`: the report on standard output, a count on standard error.
fn diff_editions(
    old: &Path,
    new: &Path,
    format: DiffFormat,
    (tracker, ado_process, csv_bom): (Tracker, AdoProcess, bool),
    max_file_size: u64,
) -> Result<ExitCode> {
    let options = Options {
        max_file_size,
        ..Options::default()
    };
    for side in [old, new] {
        if !side.exists() {
            bail!(
                "`{}` does not exist (expected an input folder or a checklist.json)",
                side.display()
            );
        }
    }
    let before = diff::load(old, None, &options)?;
    let after = diff::load(new, Some(&before.lock), &options)?;
    let changes = diff::diff(&before.catalog, &after.catalog);
    let bytes = match format {
        DiffFormat::Md => changes.to_markdown().into_bytes(),
        DiffFormat::Json => changes.to_json()?.into_bytes(),
        DiffFormat::Csv if tracker == Tracker::Generic && !csv_bom => {
            changes.to_csv(&after.catalog)?
        }
        DiffFormat::Csv => changes.to_tracker(&after.catalog, tracker, ado_process, csv_bom)?,
    };
    use std::io::Write as _;
    std::io::stdout()
        .write_all(&bytes)
        .context("cannot write to standard output")?;
    // A page that does not compile would read as removed items: say so, and fail.
    let color = std::io::stderr().is_terminal();
    let mut errors = 0;
    for (side, diags) in [(old, &before.diagnostics), (new, &after.diagnostics)] {
        for d in diags.iter().filter(|d| d.severity == Severity::Error) {
            let mut d = d.clone();
            d.path = side.join(&d.path).display().to_string();
            eprintln!("{}", d.render(color));
            errors += 1;
        }
    }
    eprintln!("checkdown: {}", changes.summary());
    if errors > 0 {
        eprintln!(
            "checkdown: {errors} {} while compiling; items of a page that did not compile show as removed",
            plural(errors, "error", "errors")
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `watch`: a build, then one more after each settled change of INPUT or the templates.
#[cfg(feature = "watch")]
fn watch(
    input: &Path,
    output: &Path,
    formats: &[Format],
    templates: Option<&Path>,
    common: &Common,
) -> Result<ExitCode> {
    use checkdown::watch;
    let build_once = || {
        build(
            input,
            Some(output),
            formats,
            templates,
            &tracker::Options::default(),
            false,
            None,
            common,
        )
    };
    let rebuild = || {
        if let Err(err) = build_once() {
            eprintln!("error: {err:#}");
        }
    };
    // The first build also refuses a bad INPUT or OUTPUT before anything is watched.
    build_once()?;
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let lock = lock_path(input, common);
    let lock = match (lock.parent(), lock.file_name()) {
        (Some(dir), Some(name)) if !dir.as_os_str().is_empty() => canonical(dir).join(name),
        _ => canonical(Path::new(".")).join(&lock),
    };
    let mut filter = watch::Filter {
        roots: vec![canonical(input)],
        ignore: vec![canonical(output), lock],
    };
    filter.roots.extend(templates.map(canonical));
    let session = watch::start(filter)?;
    // Printed once the watch is in place: an edit from now on is seen.
    eprintln!(
        "checkdown: watching {}{} (interrupt to stop)",
        input.display(),
        templates
            .map(|t| format!(" and {}", t.display()))
            .unwrap_or_default()
    );
    session.run(watch::DELAY, rebuild)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "watch"))]
fn watch(
    _input: &Path,
    _output: &Path,
    _formats: &[Format],
    _templates: Option<&Path>,
    _common: &Common,
) -> Result<ExitCode> {
    bail!("this checkdown was built without the `watch` feature")
}
