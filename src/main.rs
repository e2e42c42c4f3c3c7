//! The command line: arguments -> a resolved config -> library calls -> exit code.
//! Exit status: 0 clean, 1 when any error was reported, 2 for usage or I/O failure.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use clap::{Parser, Subcommand, ValueEnum};

use checkdown::diag::{self, Diagnostic, Severity};
use checkdown::render::tracker::{self, AdoProcess, Tracker};
use checkdown::render::{self, Format};
use checkdown::{compile_dir, write, Options};

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

#[derive(Subcommand)]
enum Command {
    /// Compile INPUT into OUTPUT in every format asked for.
    Build {
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
    /// Print the JSON Schema of checklist.json.
    Schema,
}

#[derive(clap::Args)]
struct Common {
    /// Treat these diagnostics as errors (`warnings`).
    #[arg(long, value_enum, value_name = "WHAT")]
    deny: Vec<Deny>,
    /// Largest Markdown file accepted, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    max_file_size: u64,
    /// Where the pages are published: relative links resolve against it, site-root links
    /// (`/azure/...`) against its scheme and host.
    #[arg(long, value_name = "URL", default_value = checkdown::extract::links::DEFAULT_BASE)]
    base_url: String,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Deny {
    Warnings,
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
            input,
            output,
            format,
            templates,
            tracker,
            ado_process,
            csv_bom,
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
            };
            build(
                &input,
                Some(&output),
                &format,
                templates.as_deref(),
                &backlogs,
                &common,
            )
        }
        Command::Check { input, common } => build(
            &input,
            None,
            &[],
            None,
            &tracker::Options::default(),
            &common,
        ),
        Command::Schema => {
            print!("{}", checkdown::model::schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::InitTemplates { dir } => {
            for path in render::templates::write_defaults(&dir)? {
                println!("{path}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
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

fn build(
    input: &Path,
    output: Option<&Path>,
    formats: &[Format],
    templates: Option<&Path>,
    backlogs: &tracker::Options,
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
    };
    let skip = output.and_then(|o| o.canonicalize().ok());
    let input_abs = input.canonicalize().unwrap_or_else(|_| input.to_path_buf());
    let compiled = compile_dir(&input_abs, skip.as_deref(), &options);
    let mut diagnostics: Vec<Diagnostic> = compiled.diagnostics;
    // Name files as the user can open them: INPUT as given, then the relative path.
    for d in &mut diagnostics {
        d.path = input.join(&d.path).display().to_string();
    }
    if common.deny.contains(&Deny::Warnings) {
        for d in &mut diagnostics {
            d.severity = Severity::Error;
        }
    }
    let color = std::io::stderr().is_terminal();
    for d in &diagnostics {
        eprintln!("{}", d.render(color));
    }
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    let mut written = 0;
    if let Some(out) = output {
        let files = render::render_with(&compiled.catalog, &formats, templates, backlogs)?;
        written = write::write_all(out, &files)?;
    }
    let errors = diag::count(&diagnostics, Severity::Error);
    let warnings = diag::count(&diagnostics, Severity::Warning);
    let docs = compiled.catalog.documents.len();
    let items = compiled.catalog.item_count();
    eprintln!(
        "checkdown: {docs} {}, {items} {}, {} skipped, {errors} {}, {warnings} {}{} in {} ms",
        plural(docs, "document", "documents"),
        plural(items, "item", "items"),
        compiled.skipped,
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings"),
        if output.is_some() {
            format!(", {written} files written")
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
