//! The settings of a run, resolved in one place: the flags as given ([`Flags`], `None`
//! where not given), then `checkdown.toml`, then the defaults. The rest of the program
//! reads the resolved [`Config`] only; `checkdown config` prints it with where each value
//! came from.
//!
//! The file is found at `--config FILE`; else at INPUT's root when INPUT is given; else
//! `./checkdown.toml`; else `input/checkdown.toml` (INPUT's default). Relative paths in it
//! resolve against its folder. An unknown key, a wrong type or a value that does not hold
//! is an error that names the file, line and column.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::{Component, Path, PathBuf};

use anyhow::{anyhow, Result};
use clap::ValueEnum;
use serde::Deserialize;
use toml::Spanned;

use checkdown::diag::MessageFormat;
use checkdown::load::Pages;
use checkdown::render::tracker::{AdoProcess, Tracker};
use checkdown::render::Format;

/// The name of the settings file.
pub const FILE_NAME: &str = "checkdown.toml";

/// `--color`: when diagnostics and the summary are coloured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// When standard error is a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it.
    #[default]
    Auto,
    Always,
    Never,
}

impl Color {
    fn name(self) -> &'static str {
        match self {
            Color::Auto => "auto",
            Color::Always => "always",
            Color::Never => "never",
        }
    }

    /// Whether to colour standard error. `auto`: not when `NO_COLOR` is set to anything
    /// but the empty string (no-color.org); else always when `CLICOLOR_FORCE` is set and
    /// not `0`; else when standard error is a terminal.
    pub fn enabled(self) -> bool {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto if set("NO_COLOR") => false,
            Color::Auto
                if set("CLICOLOR_FORCE")
                    && std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0") =>
            {
                true
            }
            Color::Auto => std::io::stderr().is_terminal(),
        }
    }
}

/// `--message-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MessageFormatArg {
    Human,
    Json,
    Github,
}

impl MessageFormatArg {
    fn name(self) -> &'static str {
        match self {
            MessageFormatArg::Human => "human",
            MessageFormatArg::Json => "json",
            MessageFormatArg::Github => "github",
        }
    }
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

/// The flags as given on the command line; `None` (or empty) where not given.
#[derive(Default)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub input: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub formats: Option<Vec<Format>>,
    pub templates: Option<PathBuf>,
    pub trackers: Option<Vec<Tracker>>,
    pub ado_process: Option<AdoProcess>,
    pub csv_bom: Option<bool>,
    pub base_url: Option<String>,
    pub max_file_size: Option<u64>,
    pub max_nesting: Option<usize>,
    pub jobs: Option<u32>,
    pub deny_warnings: Option<bool>,
    pub message_format: Option<MessageFormatArg>,
    pub lock: Option<PathBuf>,
    pub progress: Option<PathBuf>,
    pub exclude: Vec<String>,
    pub include: Vec<String>,
    pub color: Option<Color>,
    pub sync_tracker: Option<Tracker>,
    pub export: Option<PathBuf>,
    pub max_export_size: Option<u64>,
    pub fail_under: Option<f64>,
}

/// Where a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Default,
    File,
    Flag,
}

/// A resolved value and where it came from.
#[derive(Clone, Debug)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

/// The resolved configuration.
pub struct Config {
    /// The settings file read, if any.
    pub file: Option<PathBuf>,
    pub input: Setting<PathBuf>,
    pub output: Setting<PathBuf>,
    pub formats: Setting<Vec<Format>>,
    pub templates: Setting<Option<PathBuf>>,
    /// `None`: the generic backlog, and csv only when `formats` names it.
    pub trackers: Setting<Option<Vec<Tracker>>>,
    pub ado_process: Setting<AdoProcess>,
    pub csv_bom: Setting<bool>,
    /// The empty string for `none`.
    pub base_url: Setting<String>,
    pub max_file_size: Setting<u64>,
    pub max_nesting: Setting<usize>,
    pub jobs: Setting<Option<u32>>,
    pub deny_warnings: Setting<bool>,
    pub message_format: Setting<MessageFormatArg>,
    pub lock: Setting<Option<PathBuf>>,
    pub progress: Setting<Option<PathBuf>>,
    pub exclude: Setting<Vec<String>>,
    pub include: Setting<Vec<String>>,
    pub color: Setting<Color>,
    pub sync_tracker: Setting<Option<Tracker>>,
    pub export: Setting<Option<PathBuf>>,
    pub max_export_size: Setting<u64>,
    pub fail_under: Setting<Option<f64>>,
    /// `include` and `exclude`, compiled.
    pub pages: Pages,
}

/// checkdown.toml as written. Every key is optional; any other key is an error.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    input: Option<Spanned<String>>,
    output: Option<Spanned<String>>,
    formats: Option<Vec<Spanned<String>>>,
    templates: Option<Spanned<String>>,
    trackers: Option<Vec<Spanned<String>>>,
    ado_process: Option<Spanned<String>>,
    csv_bom: Option<bool>,
    base_url: Option<Spanned<String>>,
    max_file_size: Option<u64>,
    max_nesting: Option<usize>,
    jobs: Option<Spanned<u32>>,
    deny_warnings: Option<bool>,
    message_format: Option<Spanned<String>>,
    lock: Option<Spanned<String>>,
    progress: Option<Spanned<String>>,
    exclude: Option<Vec<Spanned<String>>>,
    include: Option<Vec<Spanned<String>>>,
    color: Option<Spanned<String>>,
    #[serde(default)]
    sync: SyncSection,
    #[serde(default)]
    status: StatusSection,
}

/// `[sync]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SyncSection {
    tracker: Option<Spanned<String>>,
    export: Option<Spanned<String>>,
    max_export_size: Option<u64>,
}

/// `[status]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StatusSection {
    fail_under: Option<Spanned<f64>>,
}

/// The default of `--max-export-size`.
pub const DEFAULT_MAX_EXPORT_SIZE: u64 = checkdown::sync::DEFAULT_MAX_EXPORT_SIZE;

/// The file that applies to this run, if any.
fn find(flags: &Flags) -> Result<Option<PathBuf>> {
    if let Some(given) = &flags.config {
        if given.symlink_metadata().is_err() {
            return Err(anyhow!("config file `{}` does not exist", given.display()));
        }
        return Ok(Some(given.clone()));
    }
    let candidates = match &flags.input {
        Some(input) => vec![input.join(FILE_NAME)],
        None => vec![PathBuf::from(FILE_NAME), Path::new("input").join(FILE_NAME)],
    };
    // Whatever is at the name counts (a link or a folder too): `read` refuses what is not
    // a regular file, rather than the run going on without the settings.
    Ok(candidates
        .into_iter()
        .find(|p| p.symlink_metadata().is_ok()))
}

/// The largest settings file read: 1 MiB.
pub const MAX_CONFIG_SIZE: u64 = 1 << 20;

/// The settings file's text, read as the lock is: never through a symbolic link (a
/// committed `checkdown.toml` that links to a credentials file must not print it), only
/// from a regular file (a FIFO never blocks the run), at most [`MAX_CONFIG_SIZE`] bytes.
fn read(path: &Path) -> Result<String> {
    use checkdown::open::{Read, Refused};
    let shown = path.display();
    let why = match checkdown::open::read(path, MAX_CONFIG_SIZE) {
        Ok(Read::Bytes(bytes)) => {
            return String::from_utf8(bytes).map_err(|e| {
                let line = checkdown::open::invalid_utf8_line(&e);
                anyhow!("config file `{shown}:{line}`: the line is not valid UTF-8")
            })
        }
        Ok(Read::TooLarge(size)) => format!(
            "it is {size} bytes, over the limit of {} KiB: not a settings file",
            MAX_CONFIG_SIZE >> 10
        ),
        Err(Refused::Link) => "it is a symbolic link, which checkdown does not follow; put the \
                               file itself there, or name it with --config FILE"
            .to_string(),
        Err(Refused::NotRegular) => {
            "it is not a regular file (a folder, FIFO, socket or device)".to_string()
        }
        Err(Refused::NotFound) => "it does not exist".to_string(),
        Err(Refused::Io(e)) => e.to_string(),
    };
    Err(anyhow!("cannot read config file `{shown}`: {why}"))
}

/// A file's text, its name as shown, and the folder its relative paths resolve against.
struct Text<'a> {
    text: &'a str,
    shown: String,
    dir: PathBuf,
}

impl Text<'_> {
    /// `FILE:LINE:COLUMN: message` at byte `offset`.
    fn error(&self, offset: usize, message: impl std::fmt::Display) -> anyhow::Error {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit_once('\n')
            .map_or(before, |(_, l)| l)
            .chars()
            .count()
            + 1;
        anyhow!("{}:{line}:{column}: {message}", self.shown)
    }

    fn at<T>(&self, v: &Spanned<T>, message: impl std::fmt::Display) -> anyhow::Error {
        self.error(v.span().start, message)
    }

    /// A path of the file, resolved against its folder.
    fn path(&self, v: &Spanned<String>) -> PathBuf {
        normalize(&self.dir.join(v.get_ref()))
    }

    /// A path that must exist.
    fn existing(&self, v: &Spanned<String>, what: &str) -> Result<PathBuf> {
        let p = self.path(v);
        if p.exists() {
            Ok(p)
        } else {
            Err(self.at(
                v,
                format!(
                    "{what} `{}` does not exist (relative paths resolve against the folder of {})",
                    p.display(),
                    self.shown
                ),
            ))
        }
    }

    fn parse<T: std::str::FromStr<Err = String>>(&self, v: &Spanned<String>) -> Result<T> {
        v.get_ref().parse().map_err(|e: String| self.at(v, e))
    }
}

/// `a/./b/../c` as `a/c`, lexically (the file's folder joined with `../output`, say).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The folder a file's relative paths resolve against: its parent, `.` for a bare name.
fn folder(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Flag, else file, else default.
fn pick<T>(flag: Option<T>, file: Option<T>, default: T) -> Setting<T> {
    match (flag, file) {
        (Some(value), _) => Setting {
            value,
            source: Source::Flag,
        },
        (None, Some(value)) => Setting {
            value,
            source: Source::File,
        },
        (None, None) => Setting {
            value: default,
            source: Source::Default,
        },
    }
}

/// `flag` or `file` when either is given; `None` from the defaults.
fn pick_opt<T>(flag: Option<T>, file: Option<T>) -> Setting<Option<T>> {
    match (flag, file) {
        (Some(v), _) => Setting {
            value: Some(v),
            source: Source::Flag,
        },
        (None, Some(v)) => Setting {
            value: Some(v),
            source: Source::File,
        },
        (None, None) => Setting {
            value: None,
            source: Source::Default,
        },
    }
}

/// A list: the flags' when any is given, else the file's, else empty.
fn pick_list(flag: Vec<String>, file: Option<Vec<String>>) -> Setting<Vec<String>> {
    if !flag.is_empty() {
        return Setting {
            value: flag,
            source: Source::Flag,
        };
    }
    pick(None, file, Vec::new())
}

/// A list of the file, each value parsed.
fn parse_list<T: std::str::FromStr<Err = String>>(
    t: &Text,
    v: &Option<Vec<Spanned<String>>>,
) -> Result<Option<Vec<T>>> {
    v.as_ref()
        .map(|l| l.iter().map(|s| t.parse(s)).collect::<Result<Vec<_>>>())
        .transpose()
}

/// Flags, then the file, then the defaults.
pub fn resolve(flags: Flags) -> Result<Config> {
    let path = find(&flags)?;
    let text = match &path {
        Some(p) => read(p)?,
        None => String::new(),
    };
    let t = Text {
        text: &text,
        shown: path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        dir: path.as_deref().map(folder).unwrap_or_default(),
    };
    let file: File = toml::from_str(&text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        t.error(
            at,
            format!(
                "{} (see the Configuration section of the README for the keys and their types)",
                e.message().trim_end()
            ),
        )
    })?;

    let list = |v: &Option<Vec<Spanned<String>>>| -> Option<Vec<String>> {
        v.as_ref()
            .map(|l| l.iter().map(|s| s.get_ref().clone()).collect())
    };
    let opt_path = |v: &Option<Spanned<String>>| v.as_ref().map(|s| t.path(s));
    let opt_existing = |v: &Option<Spanned<String>>, what: &str| {
        v.as_ref().map(|s| t.existing(s, what)).transpose()
    };

    // Values of the file, checked.
    let base_url = file
        .base_url
        .as_ref()
        .map(|s| base_url(s.get_ref()).map_err(|e| t.at(s, e)))
        .transpose()?;
    if let Some(j) = &file.jobs {
        if !(1..=256).contains(j.get_ref()) {
            return Err(t.at(j, format!("jobs = {} is not from 1 to 256", j.get_ref())));
        }
    }
    if let Some(p) = &file.status.fail_under {
        percent_value(*p.get_ref()).map_err(|e| t.at(p, e))?;
    }
    for g in file.exclude.iter().chain(&file.include).flatten() {
        Pages::glob(g.get_ref()).map_err(|e| t.at(g, e))?;
    }
    let message_format = file
        .message_format
        .as_ref()
        .map(|s| {
            MessageFormatArg::from_str(s.get_ref(), false).map_err(|_| {
                t.at(
                    s,
                    format!(
                        "unknown message format `{}` (expected human, json or github)",
                        s.get_ref()
                    ),
                )
            })
        })
        .transpose()?;
    let color = file
        .color
        .as_ref()
        .map(|s| {
            Color::from_str(s.get_ref(), false).map_err(|_| {
                t.at(
                    s,
                    format!(
                        "unknown color choice `{}` (expected auto, always or never)",
                        s.get_ref()
                    ),
                )
            })
        })
        .transpose()?;
    let sync_tracker = file.sync.tracker.as_ref().map(|s| t.parse(s)).transpose()?;

    let input_file = opt_existing(&file.input, "input folder")?;
    let templates_file = opt_existing(&file.templates, "templates folder")?;
    let progress_file = opt_existing(&file.progress, "progress file")?;
    let export_file = opt_existing(&file.sync.export, "export")?;

    let exclude = pick_list(flags.exclude, list(&file.exclude));
    let include = pick_list(flags.include, list(&file.include));
    let pages = Pages::new(&include.value, &exclude.value).map_err(|e| anyhow!(e))?;

    // With no `input` anywhere, the folder the file was found at as INPUT's root.
    let input = match (flags.input, input_file) {
        (Some(i), _) => pick(Some(i), None, PathBuf::new()),
        (None, Some(i)) => pick(None, Some(i), PathBuf::new()),
        (None, None) => pick(None, None, PathBuf::from("input")),
    };

    Ok(Config {
        file: path,
        input,
        output: pick(
            flags.output,
            opt_path(&file.output),
            PathBuf::from("output"),
        ),
        formats: pick(
            flags.formats,
            parse_list(&t, &file.formats)?,
            Format::ALL.to_vec(),
        ),
        templates: pick_opt(flags.templates, templates_file),
        trackers: pick_opt(flags.trackers, parse_list(&t, &file.trackers)?),
        ado_process: pick(
            flags.ado_process,
            file.ado_process.as_ref().map(|s| t.parse(s)).transpose()?,
            AdoProcess::Agile,
        ),
        csv_bom: pick(flags.csv_bom, file.csv_bom, false),
        base_url: pick(flags.base_url, base_url, String::new()),
        max_file_size: pick(
            flags.max_file_size,
            file.max_file_size,
            checkdown::DEFAULT_MAX_FILE_SIZE,
        ),
        max_nesting: pick(
            flags.max_nesting,
            file.max_nesting,
            checkdown::parse::DEFAULT_MAX_NESTING,
        ),
        jobs: pick_opt(flags.jobs, file.jobs.map(Spanned::into_inner)),
        deny_warnings: pick(flags.deny_warnings, file.deny_warnings, false),
        message_format: pick(
            flags.message_format,
            message_format,
            MessageFormatArg::Human,
        ),
        lock: pick_opt(flags.lock, opt_path(&file.lock)),
        progress: pick_opt(flags.progress, progress_file),
        exclude,
        include,
        color: pick(flags.color, color, Color::Auto),
        sync_tracker: pick_opt(flags.sync_tracker, sync_tracker),
        export: pick_opt(flags.export, export_file),
        max_export_size: pick(
            flags.max_export_size,
            file.sync.max_export_size,
            DEFAULT_MAX_EXPORT_SIZE,
        ),
        fail_under: pick_opt(
            flags.fail_under,
            file.status.fail_under.map(Spanned::into_inner),
        ),
        pages,
    })
}

impl Config {
    /// The library's options.
    pub fn options(&self) -> checkdown::Options {
        checkdown::Options {
            max_file_size: self.max_file_size.value,
            base_url: self.base_url.value.clone(),
            max_nesting: self.max_nesting.value,
            jobs: self.jobs.value.map_or(0, |n| n as usize),
            pages: self.pages.clone(),
        }
    }

    /// The lock: `lock`, else INPUT/checkdown.lock.
    pub fn lock_path(&self) -> PathBuf {
        self.lock
            .value
            .clone()
            .unwrap_or_else(|| self.input.value.join(checkdown::lock::FILE_NAME))
    }

    /// Colour standard error?
    pub fn color(&self) -> bool {
        self.color.value.enabled()
    }

    /// The configuration as TOML, each value followed by where it came from; a setting
    /// with no value is a comment.
    pub fn to_toml(&self) -> String {
        fn q(s: &str) -> String {
            toml_string(s)
        }
        fn p(p: &Path) -> String {
            q(&p.display().to_string())
        }
        fn l(items: impl IntoIterator<Item = String>) -> String {
            format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
        }
        let mut out = String::new();
        match &self.file {
            Some(f) => {
                let _ = writeln!(out, "# config file: {}", f.display());
            }
            None => out.push_str("# config file: none\n"),
        }
        let mut line =
            |key: &str, value: Option<String>, source: Source| row(&mut out, key, value, source);
        let s = |x: &Setting<PathBuf>| (Some(p(&x.value)), x.source);
        let o = |x: &Setting<Option<PathBuf>>| (x.value.as_deref().map(p), x.source);
        let (v, src) = s(&self.input);
        line("input", v, src);
        let (v, src) = s(&self.output);
        line("output", v, src);
        line(
            "formats",
            Some(l(self.formats.value.iter().map(|f| q(f.name())))),
            self.formats.source,
        );
        let (v, src) = o(&self.templates);
        line("templates", v, src);
        line(
            "trackers",
            self.trackers
                .value
                .as_ref()
                .map(|ts| l(ts.iter().map(|t| q(t.name())))),
            self.trackers.source,
        );
        line(
            "ado_process",
            Some(q(ado_name(self.ado_process.value))),
            self.ado_process.source,
        );
        line(
            "csv_bom",
            Some(self.csv_bom.value.to_string()),
            self.csv_bom.source,
        );
        line(
            "base_url",
            Some(q(if self.base_url.value.is_empty() {
                "none"
            } else {
                &self.base_url.value
            })),
            self.base_url.source,
        );
        line(
            "max_file_size",
            Some(self.max_file_size.value.to_string()),
            self.max_file_size.source,
        );
        line(
            "max_nesting",
            Some(self.max_nesting.value.to_string()),
            self.max_nesting.source,
        );
        line(
            "jobs",
            self.jobs.value.map(|j| j.to_string()),
            self.jobs.source,
        );
        line(
            "deny_warnings",
            Some(self.deny_warnings.value.to_string()),
            self.deny_warnings.source,
        );
        line(
            "message_format",
            Some(q(self.message_format.value.name())),
            self.message_format.source,
        );
        let (v, src) = o(&self.lock);
        line("lock", v, src);
        let (v, src) = o(&self.progress);
        line("progress", v, src);
        line(
            "exclude",
            Some(l(self.exclude.value.iter().map(|g| q(g)))),
            self.exclude.source,
        );
        line(
            "include",
            Some(l(self.include.value.iter().map(|g| q(g)))),
            self.include.source,
        );
        line("color", Some(q(self.color.value.name())), self.color.source);
        out.push_str("\n[sync]\n");
        let mut line =
            |key: &str, value: Option<String>, source: Source| row(&mut out, key, value, source);
        line(
            "tracker",
            self.sync_tracker.value.map(|t| q(t.name())),
            self.sync_tracker.source,
        );
        line(
            "export",
            self.export.value.as_deref().map(p),
            self.export.source,
        );
        line(
            "max_export_size",
            Some(self.max_export_size.value.to_string()),
            self.max_export_size.source,
        );
        out.push_str("\n[status]\n");
        row(
            &mut out,
            "fail_under",
            self.fail_under.value.map(|f| format!("{f:?}")),
            self.fail_under.source,
        );
        out
    }
}

/// One line of `checkdown config`.
fn row(out: &mut String, key: &str, value: Option<String>, source: Source) {
    let from = match source {
        Source::Default => "default",
        Source::File => "file",
        Source::Flag => "flag",
    };
    let _ = match value {
        Some(v) => writeln!(out, "{key} = {v}  # {from}"),
        None => writeln!(out, "# {key} is not set  # {from}"),
    };
}

fn ado_name(p: AdoProcess) -> &'static str {
    match p {
        AdoProcess::Agile => "agile",
        AdoProcess::Scrum => "scrum",
        AdoProcess::Basic => "basic",
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `--base-url`: an absolute http(s) URL with a host, such as
/// `https://learn.microsoft.com/azure/well-architected/`, or `none` (given as the empty
/// string to the library): no URLs are made.
pub fn base_url(s: &str) -> Result<String, String> {
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

/// A percentage from 0 to 100.
pub fn percent(s: &str) -> Result<f64, String> {
    s.trim()
        .trim_end_matches('%')
        .parse::<f64>()
        .map_err(|_| format!("`{s}` is not a percentage from 0 to 100"))
        .and_then(percent_value)
}

fn percent_value(p: f64) -> Result<f64, String> {
    if (0.0..=100.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not a percentage from 0 to 100"))
    }
}
