//! The command line: arguments (raw, `None` where not given) -> a resolved configuration
//! (flags over checkdown.toml over the defaults, src/config.rs) -> library calls -> exit
//! code. Exit status: 0 clean, 1 when any error was reported (or, with `build --check`,
//! when OUTPUT or the lock is out of date), 2 for usage, configuration or I/O failure.
#![forbid(unsafe_code)]

mod config;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use clap::{CommandFactory as _, Parser, Subcommand, ValueEnum};

use checkdown::diag::{self, Diagnostic, MessageFormat, Severity};
use checkdown::render::tracker::{self, AdoProcess, Tracker};
use checkdown::render::{self, Format};
use checkdown::{diff, Options};

use config::{Color, Config, Flags, MessageFormatArg};

/// `--version`: the program's version and the versions of the JSON formats it writes
/// (checked against `model::FORMAT` and `progress::VERSION` by tests/it/config.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (checklist.json format 1, checkdown-progress version 2)"
);

#[derive(Parser)]
#[command(
    name = "checkdown",
    version = VERSION,
    about = "Compile Learn-style Markdown docs into checklists, backlogs, an HTML checklist and JSON"
)]
struct Cli {
    /// The settings file [default: INPUT/checkdown.toml when INPUT is given; else
    /// ./checkdown.toml; else input/checkdown.toml]. Flags override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Colour diagnostics and the summary: auto (when standard error is a terminal,
    /// unless NO_COLOR is set; CLICOLOR_FORCE forces it), always or never [default: auto].
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    color: Option<Color>,
    #[command(subcommand)]
    command: Command,
}

/// What `build` and `watch` read and write.
#[derive(clap::Args)]
struct Target {
    /// Folder of Markdown pages [default: input].
    input: Option<PathBuf>,
    /// Folder to write into [default: output].
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Comma-separated formats: md, csv, html, json [default: all four].
    #[arg(long, value_delimiter = ',')]
    format: Option<Vec<Format>>,
    /// Folder of Tera templates that override the built-in ones, file by file.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

/// What `build` alone takes.
#[derive(clap::Args)]
struct BuildArgs {
    /// Comma-separated backlogs for the csv format: generic, jira, azure-devops, gitlab,
    /// github [default: generic]. Naming any adds csv to --format.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    tracker: Option<Vec<Tracker>>,
    /// Azure DevOps process, which decides the work item types: agile, scrum or basic
    /// [default: agile].
    #[arg(long, value_name = "PROCESS")]
    ado_process: Option<AdoProcess>,
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
}

/// Which pages are read.
#[derive(clap::Args)]
struct PagesArgs {
    /// Leave out the pages this glob matches (repeatable): matched against the path
    /// relative to INPUT; `*` stays within a folder, `**` crosses folders, a glob without
    /// `/` matches a name in any folder.
    #[arg(long, value_name = "GLOB", value_parser = glob)]
    exclude: Vec<String>,
    /// Read only the pages one of these globs matches (repeatable) [default: every page].
    #[arg(long, value_name = "GLOB", value_parser = glob)]
    include: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Compile INPUT into OUTPUT in every format asked for.
    Build {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        build: BuildArgs,
        #[command(flatten)]
        common: Common,
    },
    /// Report how far the progress file says the team is: done, in progress, not
    /// applicable and open items per document and section, level and pillar.
    Status {
        /// Folder of Markdown pages [default: input].
        input: Option<PathBuf>,
        /// The progress file [default: INPUT/checkdown.progress.json; without one, the
        /// items the docs mark done].
        #[arg(long, value_name = "FILE")]
        progress: Option<PathBuf>,
        /// table, or json (one object).
        #[arg(long, value_enum, default_value = "table")]
        format: StatusFormat,
        /// Exit 1 when the share done (done over applicable items) is below PERCENT.
        #[arg(long, value_name = "PERCENT", value_parser = config::percent)]
        fail_under: Option<f64>,
        /// The lock file that keeps item ids across rewording [default: INPUT/checkdown.lock].
        #[arg(long, value_name = "FILE")]
        lock: Option<PathBuf>,
        /// Largest Markdown file accepted, in bytes [default: 16777216].
        #[arg(long, value_name = "BYTES")]
        max_file_size: Option<u64>,
        #[command(flatten)]
        pages: PagesArgs,
    },
    /// Compare two editions item by item: added, removed, renamed, changed.
    Diff {
        /// The older edition: an input folder (with its checkdown.lock) or a checklist.json.
        old: PathBuf,
        /// The newer edition: an input folder (with its own lock, else OLD's) or a
        /// checklist.json. A folder's checkdown.toml is read.
        new: PathBuf,
        /// md (a report), json, or csv (the backlog of the added items only).
        #[arg(long, value_enum, default_value = "md")]
        format: DiffFormat,
        /// With --format csv: the profile of the backlog of added items: generic, jira,
        /// azure-devops, gitlab or github (JSON lines). Items only, no parent rows.
        #[arg(long, default_value = "generic", value_name = "TRACKER")]
        tracker: Tracker,
        /// With --tracker azure-devops: agile, scrum or basic [default: agile].
        #[arg(long, value_name = "PROCESS")]
        ado_process: Option<AdoProcess>,
        /// With --format csv: start the file with a UTF-8 byte order mark.
        #[arg(long)]
        csv_bom: bool,
        /// Largest Markdown file accepted, in bytes [default: 16777216].
        #[arg(long, value_name = "BYTES")]
        max_file_size: Option<u64>,
        #[command(flatten)]
        pages: PagesArgs,
    },
    /// Catch a tracker up with the docs: read the tracker's export of the tickets an earlier
    /// import created, write what creates, updates and flags them, report on standard output.
    Sync {
        /// Folder of Markdown pages (with its checkdown.lock) [default: input].
        input: Option<PathBuf>,
        /// jira, azure-devops, gitlab or github (or `[sync] tracker` in checkdown.toml).
        #[arg(long, value_name = "TRACKER")]
        tracker: Option<Tracker>,
        /// The tracker's export: Jira's "Export CSV (all fields)", Azure DevOps' query
        /// results as CSV, GitLab's issue CSV export, or the JSON of `gh issue list --json
        /// number,title,body,labels,state,url` (or `[sync] export` in checkdown.toml).
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
        /// Folder to write the tracker's files into (`sync-<tracker>...`) [default: output].
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The report: md or json.
        #[arg(long, value_enum, default_value = "md")]
        format: SyncFormat,
        /// With --tracker azure-devops: agile, scrum or basic [default: agile].
        #[arg(long, value_name = "PROCESS")]
        ado_process: Option<AdoProcess>,
        /// Largest export read, in bytes [default: 16777216].
        #[arg(long, value_name = "BYTES")]
        max_export_size: Option<u64>,
        /// Write nothing; only report.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Merge two progress files, or bring a tracker's closed tickets into one.
    Progress {
        #[command(subcommand)]
        command: ProgressCommand,
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
        /// Folder of Markdown pages [default: input].
        input: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Print the resolved configuration (flags over checkdown.toml over the defaults) as
    /// TOML, each value with where it came from: default, file or flag.
    Config {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        build: BuildArgs,
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
    /// Print the completion script of SHELL on standard output.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the manual pages (checkdown.1 and one per subcommand) into DIR.
    Man { dir: PathBuf },
}

#[derive(Subcommand)]
enum ProgressCommand {
    /// Merge two progress files (version 1 or 2) into one (version 2): per item, the entry
    /// updated later wins. Two different entries updated at the same time are a conflict:
    /// A's is kept, the file is written, and the exit status is 1.
    Merge {
        /// The first progress file; its entry is kept in a conflict.
        a: PathBuf,
        /// The second progress file.
        b: PathBuf,
        /// Where to write the merged file, atomically (it may be A or B); `-` for standard
        /// output.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Mark `done` or `not-applicable` the items whose tickets a tracker's export shows
    /// closed (done, or won't do); report the changes on standard output.
    Import {
        /// Folder of Markdown pages (with its checkdown.lock) [default: input].
        input: Option<PathBuf>,
        /// jira, azure-devops, gitlab or github (or `[sync] tracker` in checkdown.toml).
        #[arg(long, value_name = "TRACKER")]
        tracker: Option<Tracker>,
        /// The tracker's export, as `sync` reads it, with its resolution and time columns
        /// (or `[sync] export` in checkdown.toml).
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
        /// The progress file to update, created when missing [default:
        /// INPUT/checkdown.progress.json].
        #[arg(long, value_name = "FILE")]
        progress: Option<PathBuf>,
        /// The offset of the times the export writes without one (Jira's and Azure
        /// DevOps', in the exporting user's time zone): UTC, or +HH:MM / -HH:MM [default:
        /// UTC].
        #[arg(long, value_name = "OFFSET", value_parser = time_zone)]
        time_zone: Option<checkdown::progress::time::Zone>,
        /// Largest export read, in bytes [default: 16777216].
        #[arg(long, value_name = "BYTES")]
        max_export_size: Option<u64>,
        /// Write nothing; only report.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: Common,
    },
}

/// `--time-zone`: UTC or an offset.
fn time_zone(s: &str) -> Result<checkdown::progress::time::Zone, String> {
    checkdown::progress::time::Zone::parse(s)
}

#[derive(clap::Args)]
struct Common {
    /// Treat these diagnostics as errors (`warnings`).
    #[arg(long, value_enum, value_name = "WHAT")]
    deny: Vec<Deny>,
    /// Largest Markdown file accepted, in bytes [default: 16777216].
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Where the pages are published: relative links resolve against it, site-root links
    /// (`/azure/...`) against its scheme and host; `none`: pages are not published under
    /// a known URL, so links stay as written and no URL is made [default: none].
    #[arg(long, value_name = "URL", value_parser = config::base_url)]
    base_url: Option<String>,
    /// The lock file that keeps item ids across rewording [default: INPUT/checkdown.lock].
    #[arg(long, value_name = "FILE")]
    lock: Option<PathBuf>,
    /// How diagnostics are printed: human (standard error), json or github (standard
    /// output) [default: human].
    #[arg(long, value_enum, value_name = "FORMAT")]
    message_format: Option<MessageFormatArg>,
    /// Deepest Markdown nesting read as structure (quotes, lists, emphasis together)
    /// [default: 128].
    #[arg(long, value_name = "LEVELS", value_parser = clap::value_parser!(usize))]
    max_nesting: Option<usize>,
    /// Files compiled and documents rendered and written at once [default: the available
    /// cores]. The output is the same for any number.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    jobs: Option<u32>,
    #[command(flatten)]
    pages: PagesArgs,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Deny {
    Warnings,
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

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum DiffFormat {
    Md,
    Json,
    Csv,
}

/// `--exclude`, `--include`: a glob that parses.
fn glob(s: &str) -> Result<String, String> {
    checkdown::load::Pages::glob(s).map(|_| s.to_string())
}

impl Target {
    fn into_flags(self, f: &mut Flags) {
        f.input = self.input;
        f.output = self.output;
        f.formats = self.format;
        f.templates = self.templates;
    }
}

impl BuildArgs {
    /// The flags; `--check` is returned, not a setting.
    fn into_flags(self, f: &mut Flags) -> bool {
        f.trackers = self.tracker;
        f.ado_process = self.ado_process;
        f.csv_bom = self.csv_bom.then_some(true);
        f.progress = self.progress;
        self.check
    }
}

impl PagesArgs {
    fn into_flags(self, f: &mut Flags) {
        f.exclude = self.exclude;
        f.include = self.include;
    }
}

impl Common {
    fn into_flags(self, f: &mut Flags) {
        f.deny_warnings = self.deny.contains(&Deny::Warnings).then_some(true);
        f.max_file_size = self.max_file_size;
        f.base_url = self.base_url;
        f.lock = self.lock;
        f.message_format = self.message_format;
        f.max_nesting = self.max_nesting;
        f.jobs = self.jobs;
        self.pages.into_flags(f);
    }
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
    let mut flags = Flags {
        config: cli.config,
        color: cli.color,
        ..Flags::default()
    };
    match cli.command {
        Command::Build {
            target,
            build: args,
            common,
        } => {
            target.into_flags(&mut flags);
            let check = args.into_flags(&mut flags);
            common.into_flags(&mut flags);
            let cfg = config::resolve(flags)?;
            build(&cfg, Mode::Build { check })
        }
        Command::Config {
            target,
            build: args,
            common,
        } => {
            target.into_flags(&mut flags);
            args.into_flags(&mut flags);
            common.into_flags(&mut flags);
            let cfg = config::resolve(flags)?;
            print!("{}", cfg.to_toml());
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff {
            old,
            new,
            format,
            tracker,
            ado_process,
            csv_bom,
            max_file_size,
            pages,
        } => {
            if new.is_dir() {
                flags.input = Some(new.clone());
            }
            flags.ado_process = ado_process;
            flags.csv_bom = csv_bom.then_some(true);
            flags.max_file_size = max_file_size;
            pages.into_flags(&mut flags);
            let cfg = config::resolve(flags)?;
            diff_editions(&old, &new, format, tracker, &cfg)
        }
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
        } => {
            flags.input = input;
            flags.sync_tracker = tracker;
            flags.export = export;
            flags.output = output;
            flags.ado_process = ado_process;
            flags.max_export_size = max_export_size;
            common.into_flags(&mut flags);
            let cfg = config::resolve(flags)?;
            sync(&cfg, format, dry_run)
        }
        Command::Progress {
            command: ProgressCommand::Merge { a, b, output },
        } => {
            let cfg = config::resolve(flags)?;
            progress_merge(&a, &b, &output, cfg.color())
        }
        Command::Progress {
            command:
                ProgressCommand::Import {
                    input,
                    tracker,
                    export,
                    progress,
                    time_zone,
                    max_export_size,
                    dry_run,
                    common,
                },
        } => {
            flags.input = input;
            flags.sync_tracker = tracker;
            flags.export = export;
            flags.progress = progress;
            flags.max_export_size = max_export_size;
            common.into_flags(&mut flags);
            let cfg = config::resolve(flags)?;
            progress_import(&cfg, time_zone.unwrap_or_default(), dry_run)
        }
        Command::Watch { target, common } => {
            target.into_flags(&mut flags);
            common.into_flags(&mut flags);
            let cfg = config::resolve(flags)?;
            watch(&cfg)
        }
        Command::Check { input, common } => {
            flags.input = input;
            common.into_flags(&mut flags);
            let cfg = config::resolve(flags)?;
            build(&cfg, Mode::Check)
        }
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
            pages,
        } => {
            flags.input = input;
            flags.progress = progress;
            flags.fail_under = fail_under;
            flags.lock = lock;
            flags.max_file_size = max_file_size;
            pages.into_flags(&mut flags);
            let cfg = config::resolve(flags)?;
            status(&cfg, format)
        }
        Command::InitTemplates { dir } => {
            for path in render::templates::write_defaults(&dir)? {
                println!("{path}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "checkdown", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { dir } => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
            clap_mangen::generate_to(Cli::command(), &dir).with_context(|| {
                format!("cannot write the manual pages into `{}`", dir.display())
            })?;
            println!("{}", dir.join("checkdown.1").display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What [`build`] does besides compiling.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Write OUTPUT and the lock, or with `check`, compare them.
    Build { check: bool },
    /// `checkdown check`: only report.
    Check,
}

/// The formats and backlog options of a build: naming a tracker adds csv.
fn outputs(cfg: &Config) -> (Vec<Format>, tracker::Options) {
    let mut formats = cfg.formats.value.clone();
    if cfg.trackers.value.is_some() {
        formats.push(Format::Csv);
    }
    let backlogs = tracker::Options {
        trackers: cfg
            .trackers
            .value
            .clone()
            .unwrap_or_else(|| vec![Tracker::Generic]),
        ado_process: cfg.ado_process.value,
        csv_bom: cfg.csv_bom.value,
        parents: true,
    };
    (formats, backlogs)
}

/// `sync`: reads the export and the docs, writes the tracker's files into OUTPUT (unless
/// `dry_run`), prints the report. A malformed export stops it before anything is written.
fn sync(cfg: &Config, format: SyncFormat, dry_run: bool) -> Result<ExitCode> {
    use checkdown::sync;
    let input = cfg.input.value.as_path();
    let output = cfg.output.value.as_path();
    let Some(tracker) = cfg.sync_tracker.value else {
        bail!("sync needs a tracker: --tracker jira|azure-devops|gitlab|github, or `[sync] tracker` in checkdown.toml");
    };
    let Some(export) = cfg.export.value.as_deref() else {
        bail!(
            "sync needs the tracker's export: --export FILE, or `[sync] export` in checkdown.toml"
        );
    };
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
    let options = cfg.options();
    let lock = cfg.lock_path();
    let outcome = match sync::run(&sync::Request {
        input,
        lock: &lock,
        tracker,
        export,
        options: &options,
        ado_process: cfg.ado_process.value,
        max_export_size: cfg.max_export_size.value,
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
        print_diagnostics(&diagnostics, cfg, &options);
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

/// `progress merge A B -o C`: both files read before anything is written; a file that is
/// missing or refused stops it with exit 2 and C untouched. C is written atomically (or to
/// standard output for `-`); the conflicts are reported, and make the exit status 1.
fn progress_merge(a: &Path, b: &Path, output: &Path, color: bool) -> Result<ExitCode> {
    use checkdown::progress::{merge, Progress};
    let mut read = Vec::new();
    let mut failed = false;
    for path in [a, b] {
        let shown = path.display().to_string();
        match Progress::read(path, &shown) {
            Ok(Some(p)) => read.push((shown, p)),
            Ok(None) => {
                eprintln!("error: progress file `{shown}` does not exist");
                failed = true;
            }
            Err(d) => {
                eprintln!("{}", d.render(color));
                failed = true;
            }
        }
    }
    if failed {
        eprintln!(
            "checkdown: nothing was merged; `{}` is untouched",
            output.display()
        );
        return Ok(ExitCode::from(2));
    }
    let (b_name, b_file) = read.pop().expect("two files read");
    let (a_name, a_file) = read.pop().expect("two files read");
    let merged = merge::merge(&a_file, &a_name, &b_file, &b_name);
    let bytes = merged.progress.to_json();
    let shown = if output == Path::new("-") {
        use std::io::Write as _;
        std::io::stdout()
            .write_all(bytes.as_bytes())
            .context("cannot write to standard output")?;
        "standard output".to_string()
    } else {
        checkdown::write::atomic_write(output, bytes.as_bytes())?;
        output.display().to_string()
    };
    for d in &merged.conflicts {
        eprintln!("{}", d.render(color));
    }
    let c = merged.counts;
    let items = merged.progress.items.len();
    eprintln!(
        "checkdown: wrote {shown}: {items} {} ({} only in {a_name}, {} only in {b_name}, {} the same in both, {} newer in {a_name}, {} newer in {b_name}, {} {})",
        plural(items, "item", "items"),
        c.only_a,
        c.only_b,
        c.same,
        c.newer_a,
        c.newer_b,
        c.conflicts,
        plural(c.conflicts, "conflict", "conflicts"),
    );
    Ok(if c.conflicts > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `progress import`: reads the progress file (refused: exit 2), the export (malformed: exit
/// 2) and the docs (with errors: exit 1), all before anything is written; then writes the
/// progress file atomically when it changes (unless `dry_run`), lists the changes on standard
/// output, and the diagnostics and a summary on standard error.
fn progress_import(
    cfg: &Config,
    zone: checkdown::progress::time::Zone,
    dry_run: bool,
) -> Result<ExitCode> {
    use checkdown::progress::{import, Progress, FILE_NAME};
    use checkdown::sync::Failure;
    let input = cfg.input.value.as_path();
    let Some(tracker) = cfg.sync_tracker.value else {
        bail!("progress import needs a tracker: --tracker jira|azure-devops|gitlab|github, or `[sync] tracker` in checkdown.toml");
    };
    let Some(export) = cfg.export.value.as_deref() else {
        bail!(
            "progress import needs the tracker's export: --export FILE, or `[sync] export` in checkdown.toml"
        );
    };
    if tracker == Tracker::Generic {
        bail!(
            "--tracker generic has no tickets to import; pick jira, azure-devops, gitlab or github"
        );
    }
    if !input.is_dir() {
        bail!(
            "input folder `{}` does not exist or is not a folder",
            input.display()
        );
    }
    let path = cfg
        .progress
        .value
        .clone()
        .unwrap_or_else(|| input.join(FILE_NAME));
    let shown = path.display().to_string();
    let color = cfg.color();
    let (existing, exists) = match Progress::read(&path, &shown) {
        Ok(Some(p)) => (p, true),
        Ok(None) => (Progress::default(), false),
        Err(d) => {
            eprintln!("{}", d.render(color));
            eprintln!("checkdown: nothing was imported; `{shown}` is untouched");
            return Ok(ExitCode::from(2));
        }
    };
    let options = cfg.options();
    let lock = cfg.lock_path();
    let now = checkdown::progress::time::now();
    let (imported, compiled) = match import::run(&import::Request {
        input,
        lock: &lock,
        tracker,
        export,
        options: &options,
        max_export_size: cfg.max_export_size.value,
        existing: &existing,
        zone,
        now: &now,
    }) {
        Ok(o) => o,
        Err(Failure::Export(errors)) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!(
                "checkdown: the export has {} {}; nothing was written",
                errors.len(),
                plural(errors.len(), "problem", "problems")
            );
            return Ok(ExitCode::from(2));
        }
        Err(Failure::Other(e)) => return Err(e.into()),
    };
    if diag::count(&compiled, Severity::Error) > 0 {
        let mut diagnostics = compiled;
        diagnostics.retain(|d| d.severity == Severity::Error);
        for d in &mut diagnostics {
            d.path = input.join(&d.path).display().to_string();
        }
        print_diagnostics(&diagnostics, cfg, &options);
        eprintln!(
            "checkdown: the docs have errors; fix them before an import (nothing was written)"
        );
        return Ok(ExitCode::from(1));
    }
    let mut diagnostics = imported.diagnostics;
    if cfg.deny_warnings.value {
        for d in diagnostics
            .iter_mut()
            .filter(|d| d.severity == Severity::Warning)
        {
            d.severity = Severity::Error;
        }
    }
    print_diagnostics(&diagnostics, cfg, &options);
    for c in &imported.changes {
        println!("{}", c.line());
    }
    // Written only when an entry changes: a file with nothing new keeps its bytes.
    let outcome = if imported.changes.is_empty() {
        format!("`{shown}` is left as it is")
    } else if dry_run {
        format!("--dry-run: `{shown}` is left as it is")
    } else {
        let bytes = imported.progress.to_json();
        checkdown::write::atomic_write(&path, bytes.as_bytes())?;
        match exists {
            true => format!("wrote `{shown}`"),
            false => format!("created `{shown}`"),
        }
    };
    let n = imported.counts;
    eprintln!(
        "checkdown: {} {}: {} marked done, {} marked not applicable, {} unchanged, {} for sections, {} without a checkdown id, {} matching no item; {outcome}",
        n.tickets,
        plural(n.tickets, "ticket", "tickets"),
        n.done,
        n.not_applicable,
        n.unchanged,
        n.sections,
        n.without_id,
        n.unknown,
    );
    Ok(if diag::count(&diagnostics, Severity::Error) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
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
/// them with what is on disk instead. `checkdown check` (no OUTPUT) only reports.
fn build(cfg: &Config, mode: Mode) -> Result<ExitCode> {
    let start = Instant::now();
    let input = cfg.input.value.as_path();
    let (output, check) = match mode {
        Mode::Build { check } => (Some(cfg.output.value.as_path()), check),
        Mode::Check => (None, false),
    };
    let (formats, backlogs) = match mode {
        Mode::Build { .. } => outputs(cfg),
        Mode::Check => (Vec::new(), tracker::Options::default()),
    };
    let templates = cfg.templates.value.as_deref();
    if !input.is_dir() {
        bail!(
            "input folder `{}` does not exist or is not a folder",
            input.display()
        );
    }
    if let Some(out) = output {
        check_folders(input, out)?;
    }
    let options = cfg.options();
    let skip = output.and_then(|o| o.canonicalize().ok());
    let input_abs = input.canonicalize().unwrap_or_else(|_| input.to_path_buf());
    let lock_path = cfg.lock_path();
    let mut formats = formats;
    formats.sort();
    formats.dedup();
    let (progress_path, mut progress_diags) = read_progress(input, cfg.progress.value.as_deref())?;
    let progress = progress_path.as_ref().map(|(_, p)| p);
    let built = checkdown::build::build(&checkdown::build::Request {
        input: &input_abs,
        skip: skip.as_deref(),
        options: &options,
        lock: &lock_path,
        output,
        formats: &formats,
        templates,
        backlogs: &backlogs,
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
    if cfg.deny_warnings.value {
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
    print_diagnostics(&diagnostics, cfg, &options);
    let errors = diag::count(&diagnostics, Severity::Error);
    let warnings = diag::count(&diagnostics, Severity::Warning);
    let docs = built.documents;
    let items = built.items;
    let objectives = match objectives {
        0 => String::new(),
        n => format!(", {n} objective {} left out", plural(n, "list", "lists")),
    };
    let paint = Paint(cfg.color());
    eprintln!(
        "checkdown: {docs} {}, {items} {}, {} skipped{objectives}, {}, {}{} in {} ms",
        plural(docs, "document", "documents"),
        plural(items, "item", "items"),
        built.skipped,
        paint.count(errors, "error", "errors", RED),
        paint.count(warnings, "warning", "warnings", YELLOW),
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

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// ANSI colour for the summary's counts, when colour is on.
#[derive(Clone, Copy)]
struct Paint(bool);

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";

impl Paint {
    /// `N things`, in `color` when on and N is not 0.
    fn count(self, n: usize, one: &'static str, many: &'static str, color: &str) -> String {
        let text = format!("{n} {}", plural(n, one, many));
        if self.0 && n > 0 {
            format!("{color}{text}\x1b[0m")
        } else {
            text
        }
    }
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
fn status(cfg: &Config, format: StatusFormat) -> Result<ExitCode> {
    let input = cfg.input.value.as_path();
    if !input.is_dir() {
        bail!(
            "input folder `{}` does not exist or is not a folder",
            input.display()
        );
    }
    let (read, mut diagnostics) = read_progress(input, cfg.progress.value.as_deref())?;
    let options = Options {
        max_file_size: cfg.max_file_size.value,
        pages: cfg.pages.clone(),
        ..Options::default()
    };
    let old = checkdown::lock::read(&cfg.lock_path())?.unwrap_or_default();
    let (mut compiled, _) = checkdown::lock::compile(input, None, &options, &old);
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
    let color = cfg.color();
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
    if let Some(min) = cfg.fail_under.value {
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
fn print_diagnostics(diagnostics: &[Diagnostic], cfg: &Config, options: &Options) {
    use rayon::prelude::*;
    use std::io::Write as _;
    let format: MessageFormat = cfg.message_format.value.into();
    let color = format == MessageFormat::Human && cfg.color();
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
    tracker: Tracker,
    cfg: &Config,
) -> Result<ExitCode> {
    let (ado_process, csv_bom) = (cfg.ado_process.value, cfg.csv_bom.value);
    let options = Options {
        max_file_size: cfg.max_file_size.value,
        pages: cfg.pages.clone(),
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
    let color = cfg.color();
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
fn watch(cfg: &Config) -> Result<ExitCode> {
    use checkdown::watch;
    let (input, output) = (cfg.input.value.as_path(), cfg.output.value.as_path());
    let templates = cfg.templates.value.as_deref();
    let build_once = || build(cfg, Mode::Build { check: false });
    let rebuild = || {
        if let Err(err) = build_once() {
            eprintln!("error: {err:#}");
        }
    };
    // The first build also refuses a bad INPUT or OUTPUT before anything is watched.
    build_once()?;
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let lock = cfg.lock_path();
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
fn watch(_cfg: &Config) -> Result<ExitCode> {
    bail!("this checkdown was built without the `watch` feature")
}
