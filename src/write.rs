//! Write: output files into OUTPUT only, each one atomically (temporary file in the same
//! folder, then rename), so a reader never sees half a file.
//!
//! A build writes through [`Staging`]: every file goes first into a staging folder inside
//! OUTPUT (same file system), and only once all are there does [`Staging::commit`] check
//! that no file checkdown did not write is in the way, then rename each into place. So a
//! refusal, or any failure before that point, leaves OUTPUT as it was. [`Compare`] takes
//! the same files for `build --check` and only compares them. Build outputs are not
//! fsynced: the next build rewrites them, and a sync per file cost more than the compile
//! (see BENCHMARKS.md); the rename keeps each one whole for readers.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::render::OutputFile;
use crate::Error;

/// Writes `bytes` to `path` through a temporary file in the same folder, synced before the
/// rename (the lock, the manifest, templates).
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    replace(path, bytes, true)
}

/// [`atomic_write`], with the sync when `sync` (build outputs go without: see the module).
fn replace(path: &Path, bytes: &[u8], sync: bool) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let tmp = temporary_path(path, "tmp");
    if let Some(dir) = tmp.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let result = (|| {
        let mut f = crate::open::create_new(&tmp)?;
        f.write_all(bytes)?;
        if sync {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// The place of a relative output path inside `out`, refusing anything that would escape:
/// `..`, absolute paths, and paths that pass through a symbolic link inside `out`.
pub fn resolve(out: &Path, rel: &str) -> Result<PathBuf, Error> {
    let refuse = |why: &str| Error::Io {
        path: out.join(rel).display().to_string(),
        message: format!("refused: {why}"),
    };
    if !is_inside(rel) {
        return Err(refuse("the path would leave the output folder"));
    }
    let rel_path = Path::new(rel);
    // Every step on the way must be a real folder inside `out`, not a link out of it.
    let mut at = out.to_path_buf();
    let mut parts = rel_path.components().peekable();
    while let Some(part) = parts.next() {
        at.push(part);
        let last = parts.peek().is_none();
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(refuse(
                    "a symbolic link is on the way; checkdown writes only inside the output folder",
                ));
            }
            Ok(meta) if !last && !meta.is_dir() => {
                return Err(refuse("a file is in the way of a folder"));
            }
            Ok(meta) if last && meta.is_dir() => {
                return Err(refuse("a folder is in the way of the file"));
            }
            Ok(_) => {}
            // Missing: created when written.
            Err(_) => break,
        }
    }
    Ok(out.join(rel_path))
}

/// Is `rel` a relative path made only of plain names (no `..`, `.`, root or prefix), with
/// no backslash and no control character (which would break the manifest's lines)?
fn is_inside(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains('\\')
        && !rel.chars().any(char::is_control)
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// The name of the list of files checkdown wrote, kept in OUTPUT.
pub const MANIFEST: &str = ".checkdown-manifest";

const MANIFEST_HEADER: &str = "\
# checkdown manifest 2: the files checkdown wrote into this folder, each with a hash of
# what it wrote (XXH3-64). A rebuild removes those it no longer writes, and only while they still
# hold what it wrote; it never removes any other file.
";

/// The largest manifest read (256 MiB; a line of one is at most a hash and a path).
pub const MAX_MANIFEST_SIZE: u64 = 256 << 20;

/// The first line of a manifest written before version 2, whose hashes are FNV-1a.
const MANIFEST_V1: &str = "# checkdown manifest 1:";

/// What checkdown wrote into a folder: relative path -> XXH3-64 hash of the bytes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Manifest(pub BTreeMap<String, u64>);

impl Manifest {
    /// Reads `out/.checkdown-manifest`; a missing one is empty. One written by an earlier
    /// version (FNV-1a hashes) is brought to this one: each file that still holds what was
    /// written gets its new hash; the others keep a hash none of their bytes have.
    ///
    /// The manifest is read only from a regular file of at most [`MAX_MANIFEST_SIZE`]
    /// bytes: a symbolic link (never followed), a FIFO, a device or a folder in its place,
    /// or a larger file, is refused, and the build stops before anything in OUTPUT changes.
    pub fn read(out: &Path) -> Result<Manifest, Error> {
        use crate::open::{Read, Refused};
        let path = out.join(MANIFEST);
        let refuse = |why: String| Error::Io {
            path: path.display().to_string(),
            message: format!("refused: {why}; move it away and build again"),
        };
        let text = match crate::open::read(&path, MAX_MANIFEST_SIZE) {
            Ok(Read::Bytes(bytes)) => String::from_utf8(bytes)
                .map_err(|_| refuse("the manifest is not UTF-8, so checkdown did not write it".into())),
            Ok(Read::TooLarge(size)) => Err(refuse(format!(
                "the manifest is {size} bytes, over the limit of {} MiB, so checkdown did not write it",
                MAX_MANIFEST_SIZE >> 20
            ))),
            Err(Refused::NotFound) => return Ok(Manifest::default()),
            Err(Refused::Io(e)) => Err(Error::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
            Err(e) => Err(refuse(format!("the manifest is {e}"))),
        };
        match text {
            Ok(text) if text.starts_with(MANIFEST_V1) => {
                let mut m = Manifest::parse(&text);
                for (rel, hash) in m.0.iter_mut() {
                    let Ok(path) = resolve(out, rel) else {
                        continue;
                    };
                    if hash_file_with(&path, Fnv1a::default()) == Some(*hash) {
                        if let Some(new) = hash_file_with(&path, Hasher::default()) {
                            *hash = new;
                        }
                    }
                }
                // Written in this version's form at once, whether or not the build changes
                // anything else.
                m.write(out)?;
                Ok(m)
            }
            Ok(text) => Ok(Manifest::parse(&text)),
            Err(e) => Err(e),
        }
    }

    /// Lines that are not `HASH PATH`, with a path that stays inside the folder, are
    /// ignored: nothing is ever done to what they name.
    pub fn parse(text: &str) -> Manifest {
        let mut entries = BTreeMap::new();
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let Some((hash, path)) = line.split_once(' ') else {
                continue;
            };
            let Ok(hash) = u64::from_str_radix(hash, 16) else {
                continue;
            };
            if path != MANIFEST && is_inside(path) {
                entries.insert(path.to_string(), hash);
            }
        }
        Manifest(entries)
    }

    pub fn render(&self) -> String {
        let mut out = String::from(MANIFEST_HEADER);
        for (path, hash) in &self.0 {
            out.push_str(&format!("{hash:016x} {path}\n"));
        }
        out
    }

    /// Refuses to write a path that [`Manifest::parse`] would not read back as it is (every
    /// path is checked on its way in; this is the last line of defence).
    fn write(&self, out: &Path) -> Result<(), Error> {
        if let Some(bad) = self
            .0
            .keys()
            .find(|p| !is_inside(p) || p.as_str() == MANIFEST)
        {
            return Err(Error::Io {
                path: out.join(MANIFEST).display().to_string(),
                message: format!(
                    "refused: the output path {bad:?} cannot be listed in the manifest"
                ),
            });
        }
        atomic_write(&out.join(MANIFEST), self.render().as_bytes())
    }
}

/// XXH3, 64 bits: tells whether a file still holds what checkdown wrote.
pub fn hash(bytes: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(bytes)
}

/// What a write did.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written (new, or with changed bytes).
    pub written: usize,
    /// Files an earlier build wrote that this one does not: removed.
    pub removed: Vec<String>,
    /// Such files left in place, because they no longer hold what checkdown wrote (or
    /// their path is no longer safe to touch).
    pub kept: Vec<String>,
}

/// Writes every file under `out` and removes stale files of earlier builds (see `write`).
/// Returns the number of files written.
pub fn write_all(out: &Path, files: &[OutputFile]) -> Result<usize, Error> {
    write(out, files).map(|r| r.written)
}

/// Writes every file under `out`, each atomically, leaving alone files whose bytes are
/// already there; records them in `out/.checkdown-manifest`; removes the files an earlier
/// build wrote and this one does not, while they still hold what it wrote.
///
/// Refused before anything is written: a path that would leave `out` (through `..` or a
/// symbolic link), and a file in the way that checkdown did not write.
pub fn write(out: &Path, files: &[OutputFile]) -> Result<Report, Error> {
    std::fs::create_dir_all(out).map_err(|e| Error::Io {
        path: out.display().to_string(),
        message: e.to_string(),
    })?;
    let old = Manifest::read(out)?;
    let mut new = Manifest::default();
    let mut plan = Vec::with_capacity(files.len());
    for f in files {
        let path = resolve(out, &f.path)?;
        let existing = read_output(&path);
        let same = existing.as_deref() == Some(f.bytes.as_slice());
        if existing.is_some() && !same && !old.0.contains_key(&f.path) {
            return Err(Error::Io {
                path: path.display().to_string(),
                message: format!(
                    "refused: the file exists and checkdown did not write it (it is not in \
                     {MANIFEST}); move it away, or choose another output folder"
                ),
            });
        }
        new.0.insert(f.path.clone(), hash(&f.bytes));
        plan.push((path, f, same));
    }
    // List what is about to be written before writing it, so that an interrupted build
    // still knows its files.
    let mut both = old.clone();
    both.0.extend(new.0.iter().map(|(k, v)| (k.clone(), *v)));
    if both != old {
        both.write(out)?;
    }
    let mut report = Report::default();
    for (path, f, same) in plan {
        if !same {
            replace(&path, &f.bytes, false)?;
            report.written += 1;
        }
    }
    remove_stale(out, &old, &new, &mut report);
    if new != both {
        new.write(out)?;
    }
    Ok(report)
}

/// Removes the folders between `file` and `out` that are now empty.
fn remove_empty_parents(out: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || !d.starts_with(out) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// Output files that differ from what is in `out` (missing or different bytes).
pub fn stale(out: &Path, files: &[OutputFile]) -> Vec<String> {
    files
        .iter()
        .filter(|f| {
            resolve(out, &f.path)
                .ok()
                .and_then(|p| read_output(&p))
                .is_none_or(|old| old != f.bytes)
        })
        .map(|f| f.path.clone())
        .collect()
}

/// [`hash`], fed a piece at a time.
#[derive(Default)]
struct Hasher(twox_hash::XxHash3_64);

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher(XXH3-64)")
    }
}

/// A hash fed a piece at a time.
trait Update {
    fn update(&mut self, bytes: &[u8]);
    fn value(&self) -> u64;
}

impl Update for Hasher {
    fn update(&mut self, bytes: &[u8]) {
        std::hash::Hasher::write(&mut self.0, bytes);
    }

    fn value(&self) -> u64 {
        std::hash::Hasher::finish(&self.0)
    }
}

/// FNV-1a, 64 bits: the hash of manifests before version 2.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Update for Fnv1a {
    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn value(&self) -> u64 {
        self.0
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Refuses a relative output path that would leave OUTPUT, as [`resolve`] does.
fn check_inside(out: &Path, rel: &str) -> Result<(), Error> {
    if is_inside(rel) {
        Ok(())
    } else {
        Err(Error::Io {
            path: out.join(rel).display().to_string(),
            message: "refused: the path would leave the output folder".to_string(),
        })
    }
}

/// The name of a staging folder inside OUTPUT (one per process: `-N` when taken).
pub const STAGING_PREFIX: &str = ".checkdown-staging-";

/// A build's files, written into a staging folder inside OUTPUT until [`Staging::commit`]
/// puts them in place. Dropped without a commit (a failure), it removes the staging
/// folder, and OUTPUT itself when the build created it and it is empty: OUTPUT is left as
/// it was. Files can be staged from several threads at once.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    created_out: bool,
    /// Staged files: relative path -> hash of the bytes.
    files: Mutex<BTreeMap<String, u64>>,
    committed: bool,
    /// The lock on OUTPUT, taken by the commit.
    guard: Option<OutputLock>,
    /// The lock this build holds on its staging folder (see [`remove_leftovers`]).
    _owner: Option<File>,
}

impl Staging {
    /// Creates OUTPUT when needed, and a fresh staging folder in it.
    pub fn create(out: &Path) -> Result<Staging, Error> {
        let created_out = !out.exists();
        std::fs::create_dir_all(out).map_err(io_error(out))?;
        let mut n = 0;
        let dir = loop {
            let name = match n {
                0 => format!("{STAGING_PREFIX}{}", std::process::id()),
                n => format!("{STAGING_PREFIX}{}-{n}", std::process::id()),
            };
            let dir = out.join(name);
            match std::fs::create_dir(&dir) {
                Ok(()) => break dir,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(io_error(&dir)(e)),
            }
        };
        // Where file locks are not supported, the folder is told apart by its process id
        // alone.
        let owner = crate::open::create_new(&dir.join(OWNER))
            .ok()
            .filter(|f| f.try_lock().is_ok());
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            created_out,
            files: Mutex::new(BTreeMap::new()),
            committed: false,
            guard: None,
            _owner: owner,
        })
    }

    /// The staging folder: scratch files put there (not staged) go away with it.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn staged_path(&self, rel: &str) -> Result<PathBuf, Error> {
        check_inside(&self.out, rel)?;
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        Ok(path)
    }

    fn record(&self, rel: &str, hash: u64) {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files.insert(rel.to_string(), hash);
    }

    /// Stages one whole file.
    pub fn file(&self, f: &OutputFile) -> Result<(), Error> {
        let path = self.staged_path(&f.path)?;
        std::fs::write(&path, &f.bytes).map_err(io_error(&path))?;
        self.record(&f.path, hash(&f.bytes));
        Ok(())
    }

    /// Stages a file written a piece at a time; [`Staging::end`] completes it.
    pub fn stream(&self, rel: &str) -> Result<Stream, Error> {
        let path = self.staged_path(rel)?;
        let file = File::create(&path).map_err(io_error(&path))?;
        Ok(Stream {
            rel: rel.to_string(),
            path,
            to: To::File(BufWriter::with_capacity(256 * 1024, file)),
            hash: Hasher::default(),
            error: None,
        })
    }

    /// Puts every staged file in place, and with them `beside` (the lock), under the
    /// advisory lock on OUTPUT ([`OUTPUT_LOCK`]: a second build into the same OUTPUT waits
    /// for the first to finish its commit).
    ///
    /// Everything that can be checked is checked before anything changes: no file in OUTPUT
    /// that checkdown did not write is in the way, no path leaves OUTPUT (through a symbolic
    /// link or a file in the way of a folder), and each file about to be replaced (and the
    /// lock) is kept aside under a second name (a hard link, or a copy). Then the lock is put
    /// in place, the manifest lists both the old and the new files, the files are renamed
    /// into place (files whose bytes are already there are left alone), the files an earlier
    /// build wrote and this one does not are moved aside while they still hold what it wrote,
    /// and the manifest lists the new files. If any step fails, every step done is undone in
    /// reverse, so OUTPUT and the lock are as they were; the error says when that undoing
    /// failed too.
    pub fn commit(self) -> Result<Report, Error> {
        self.commit_with(None, None)
    }

    /// [`Staging::commit`], with the new lock put in place at the same time when it changed
    /// (`beside`). The leftovers of killed builds beside `lock` are removed (see
    /// [`remove_leftovers`]).
    pub fn commit_with(
        mut self,
        lock: Option<&Path>,
        beside: Option<Beside>,
    ) -> Result<Report, Error> {
        let out = self.out.clone();
        self.guard = Some(OutputLock::acquire(&out)?);
        remove_leftovers(&out, lock.or(beside.as_ref().map(|b| b.path.as_path())));
        let files = std::mem::take(&mut *self.files.lock().unwrap_or_else(|p| p.into_inner()));
        let old = Manifest::read(&out)?;
        let mut new = Manifest::default();
        // Every path checked (on the current rayon pool), then the first refusal in path
        // order reported.
        let files: Vec<(String, u64)> = files.into_iter().collect();
        let checked: Vec<Result<Planned, Error>> = files
            .par_iter()
            .map(|(rel, _)| {
                let path = resolve(&out, rel)?;
                let staged = self.dir.join(rel);
                let existing = std::fs::symlink_metadata(&path).is_ok();
                let same = existing && same_files(&staged, &path);
                if existing && !same && !old.0.contains_key(rel) {
                    return Err(Error::Io {
                        path: path.display().to_string(),
                        message: format!(
                            "refused: the file exists and checkdown did not write it (it is not \
                             in {MANIFEST}); move it away, or choose another output folder"
                        ),
                    });
                }
                Ok(Planned {
                    rel: rel.clone(),
                    path,
                    staged,
                    existing,
                    same,
                })
            })
            .collect();
        let mut plan = Vec::with_capacity(files.len());
        for ((rel, hash), checked) in files.into_iter().zip(checked) {
            plan.push(checked?);
            new.0.insert(rel, hash);
        }
        let mut both = old.clone();
        both.0.extend(new.0.iter().map(|(k, v)| (k.clone(), *v)));
        let aside = self.dir.join(ASIDE);
        let mut undo = Undo::default();
        let result = self.apply(
            &Commit {
                out: &out,
                aside: &aside,
                plan: &plan,
                old: &old,
                new: &new,
                both: &both,
            },
            beside,
            &mut undo,
        );
        match result {
            Ok(report) => {
                self.committed = true;
                if let Some(backup) = undo.lock_backup.take() {
                    let _ = std::fs::remove_file(backup);
                }
                // What is left is the old files kept aside: nothing of OUTPUT's.
                let _ = std::fs::remove_dir_all(&self.dir);
                Ok(report)
            }
            Err(e) => match undo.run(&out) {
                Ok(()) => Err(e),
                Err(left) => Err(Error::Io {
                    path: out.display().to_string(),
                    message: format!(
                        "{e}; undoing the build's changes failed too ({left}), so OUTPUT may \
                         hold a mix of old and new files, each of them whole: build again"
                    ),
                }),
            },
        }
    }

    /// The steps of [`Staging::commit_with`] once everything is checked; each change is
    /// noted in `undo` as it is made.
    fn apply(
        &self,
        c: &Commit,
        mut beside: Option<Beside>,
        undo: &mut Undo,
    ) -> Result<Report, Error> {
        // Before the first change: the files about to be replaced (and the manifest, and the
        // lock) kept aside, so that they can be put back.
        let keep = |from: &Path, rel: &str| -> Result<Option<PathBuf>, Error> {
            let to = c.aside.join(rel);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            keep_aside(from, &to).map_err(io_error(from))
        };
        let manifest = c.out.join(MANIFEST);
        let manifest_backup = keep(&manifest, MANIFEST)?;
        let backups: Vec<Result<Option<PathBuf>, Error>> = c
            .plan
            .par_iter()
            .map(|p| match p.existing && !p.same {
                true => keep(&p.path, &p.rel),
                false => Ok(None),
            })
            .collect();
        let backups: Vec<Option<PathBuf>> = backups.into_iter().collect::<Result<_, _>>()?;
        if let Some(b) = &mut beside {
            undo.lock_backup = b.keep_aside()?;
        }

        // The first change: the lock, the step most likely to be refused (a read-only or
        // immutable lock, a folder that is not writable), before anything in OUTPUT.
        if let Some(b) = &mut beside {
            b.put_in_place()?;
            undo.lock = Some(b.path.clone());
        }
        if c.both != c.old {
            undo.manifest = Some(manifest_backup.clone());
            c.both.write(c.out)?;
        }
        // Folders, one at a time, each noted; then the files, at once.
        for p in c.plan.iter().filter(|p| !p.same) {
            if let Some(parent) = p.path.parent() {
                create_dirs(c.out, parent, &mut undo.folders)?;
            }
        }
        let moved: Vec<Result<bool, Error>> = c
            .plan
            .par_iter()
            .map(|p| {
                if p.same {
                    return Ok(false);
                }
                std::fs::rename(&p.staged, &p.path).map_err(io_error(&p.path))?;
                Ok(true)
            })
            .collect();
        let mut report = Report::default();
        let mut failed = None;
        for ((p, m), backup) in c.plan.iter().zip(moved).zip(backups) {
            match m {
                Ok(true) => {
                    report.written += 1;
                    undo.files.push((p.path.clone(), backup));
                }
                Ok(false) => {}
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        move_stale(c, &mut report, undo)?;
        if c.new != c.both {
            undo.manifest = Some(manifest_backup);
            c.new.write(c.out)?;
        }
        Ok(report)
    }
}

/// A staged file and where it goes.
struct Planned {
    rel: String,
    path: PathBuf,
    staged: PathBuf,
    /// Something is at `path` now.
    existing: bool,
    /// ... and it holds the staged bytes already.
    same: bool,
}

/// What a commit works from.
struct Commit<'a> {
    out: &'a Path,
    /// Where the old files are kept aside, inside the staging folder.
    aside: &'a Path,
    plan: &'a [Planned],
    old: &'a Manifest,
    new: &'a Manifest,
    both: &'a Manifest,
}

/// The folder inside the staging folder where a commit keeps the files it replaces or
/// removes until it is done.
const ASIDE: &str = ".aside";

/// Keeps the file at `from` (when there is one) at `to` as well: a hard link, or a copy
/// where the file system has none. Returns `to`, or `None` when there is no file.
fn keep_aside(from: &Path, to: &Path) -> std::io::Result<Option<PathBuf>> {
    let meta = match std::fs::symlink_metadata(from) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if std::fs::hard_link(from, to).is_err() {
        if !meta.is_file() {
            return Err(std::io::Error::other(
                "not a regular file, and it cannot be kept aside to be put back on failure",
            ));
        }
        let (mut source, _) = crate::open::regular(from).map_err(|e| match e {
            crate::open::Refused::Io(e) => e,
            other => std::io::Error::other(other.to_string()),
        })?;
        let mut copy = crate::open::create_new(to)?;
        std::io::copy(&mut source, &mut copy)?;
    }
    Ok(Some(to.to_path_buf()))
}

/// Creates `dir` and the folders above it inside `out` that are missing, noting each one
/// created.
fn create_dirs(out: &Path, dir: &Path, created: &mut Vec<PathBuf>) -> Result<(), Error> {
    if dir == out || !dir.starts_with(out) || std::fs::symlink_metadata(dir).is_ok() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(out, parent, created)?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => {
            created.push(dir.to_path_buf());
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_error(dir)(e)),
    }
}

/// The changes a commit made so far, to be undone if it fails.
#[derive(Default)]
struct Undo {
    /// The lock put in place (and its old bytes, kept aside, when there was one).
    lock: Option<PathBuf>,
    lock_backup: Option<PathBuf>,
    /// The manifest was rewritten; its old version kept aside (`None`: there was none).
    manifest: Option<Option<PathBuf>>,
    /// Folders created, in order.
    folders: Vec<PathBuf>,
    /// Files put in place, each with its old version kept aside (`None`: it is new).
    files: Vec<(PathBuf, Option<PathBuf>)>,
    /// Stale files moved aside: where they were, where they are.
    moved: Vec<(PathBuf, PathBuf)>,
}

impl Undo {
    /// Undoes every change, in reverse; returns what could not be undone.
    fn run(&mut self, out: &Path) -> Result<(), String> {
        let mut failed = Vec::new();
        let mut note = |what: &Path, r: std::io::Result<()>| {
            if let Err(e) = r {
                failed.push(format!("{}: {e}", what.display()));
            }
        };
        for (was, now) in self.moved.drain(..).rev() {
            if let Some(parent) = was.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            note(&was, std::fs::rename(&now, &was));
        }
        for (path, backup) in self.files.drain(..).rev() {
            match backup {
                Some(b) => note(&path, std::fs::rename(&b, &path)),
                None => note(&path, std::fs::remove_file(&path)),
            }
        }
        for dir in self.folders.drain(..).rev() {
            let _ = std::fs::remove_dir(dir);
        }
        match self.manifest.take() {
            Some(Some(b)) => note(&out.join(MANIFEST), std::fs::rename(&b, out.join(MANIFEST))),
            Some(None) => note(
                &out.join(MANIFEST),
                std::fs::remove_file(out.join(MANIFEST)),
            ),
            None => {}
        }
        if let Some(lock) = self.lock.take() {
            match self.lock_backup.take() {
                Some(b) => note(&lock, std::fs::rename(&b, &lock)),
                None => note(&lock, std::fs::remove_file(&lock)),
            }
        } else if let Some(b) = self.lock_backup.take() {
            let _ = std::fs::remove_file(b);
        }
        match failed.is_empty() {
            true => Ok(()),
            false => Err(failed.join("; ")),
        }
    }
}

/// Moves aside (into the staging folder, to be removed with it) the files of `old` that
/// `new` no longer lists, while they still hold what checkdown wrote; the others are
/// reported kept.
fn move_stale(c: &Commit, report: &mut Report, undo: &mut Undo) -> Result<(), Error> {
    for (rel, recorded) in &c.old.0 {
        if c.new.0.contains_key(rel) {
            continue;
        }
        let Ok(path) = resolve(c.out, rel) else {
            report.kept.push(rel.clone());
            continue;
        };
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => {}
            // Gone already, or something else now: nothing of ours to remove.
            _ => continue,
        }
        if hash_file(&path).is_none_or(|h| h != *recorded) {
            report.kept.push(rel.clone());
            continue;
        }
        let to = c.aside.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        std::fs::rename(&path, &to).map_err(io_error(&path))?;
        undo.moved.push((path.clone(), to));
        report.removed.push(rel.clone());
        remove_empty_parents(c.out, &path);
    }
    Ok(())
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        // Released (and its file removed) before OUTPUT is.
        self.guard = None;
        if self.created_out {
            let _ = std::fs::remove_dir(&self.out);
        }
    }
}

/// The advisory lock file inside OUTPUT: a build holds an exclusive lock on it (`flock` on
/// Unix, `LockFileEx` on Windows) while it commits, so that two builds into one OUTPUT
/// commit one after the other, never interleaved. It is there only during a commit: the
/// build removes it before it lets go of the lock, and a build that was waiting on it
/// checks, once it has the lock, that its file is still the one at that name.
pub const OUTPUT_LOCK: &str = ".checkdown-lock";

/// The lock on OUTPUT, held until dropped.
#[derive(Debug)]
struct OutputLock {
    _file: File,
    path: PathBuf,
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Still held here: the file is closed (and the lock let go) after this.
        let _ = std::fs::remove_file(&self.path);
    }
}

impl OutputLock {
    /// Waits for the lock on OUTPUT (saying so once on standard error when another build
    /// holds it).
    fn acquire(out: &Path) -> Result<OutputLock, Error> {
        let path = out.join(OUTPUT_LOCK);
        let io = io_error(&path);
        let mut said = false;
        loop {
            let file = open_lock_file(&path).map_err(&io)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    if !said {
                        eprintln!(
                            "checkdown: {}: another build is writing into this output folder; waiting for it to finish",
                            path.display()
                        );
                        said = true;
                    }
                    file.lock().map_err(&io)?;
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
            // The build that held it may have removed it (a failed first build removes the
            // OUTPUT it created): then the lock is on a file no other build will find.
            if still_at(&file, &path) {
                return Ok(OutputLock {
                    _file: file,
                    path: path.clone(),
                });
            }
        }
    }
}

/// Opens (creating it when missing) a lock file: never through a symbolic link, never
/// waiting on a FIFO, and only a regular file.
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let open = |new: bool| {
        // An existing lock file is only read: a lock needs no more.
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(new).create_new(new);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        options.open(path)
    };
    let file = loop {
        match open(true) {
            Ok(f) => break f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        match open(false) {
            Ok(f) => break f,
            // Removed in between: create it again.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    };
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other(
            "refused: not a regular file (a folder, FIFO, socket or device); remove it",
        ));
    }
    Ok(file)
}

/// Is `file` the file at `path`?
#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_file: &File, path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// The name of the file a staging folder's build holds a lock on for as long as it runs,
/// so that the folder is never taken for a killed build's.
const OWNER: &str = ".owner";

/// The temporary file beside `path` that a process writes before renaming it into place:
/// `.NAME.PID.tmp` (or another `ending`).
pub fn temporary_path(path: &Path, ending: &str) -> PathBuf {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.{}.{ending}", std::process::id()))
}

/// Has the process `pid` ended? Known only on Linux (`/proc`); elsewhere (and where
/// `/proc` is not mounted) a process is never taken for gone, so nothing is removed.
fn is_gone(pid: u32) -> bool {
    if !cfg!(target_os = "linux") || pid == std::process::id() {
        return false;
    }
    let proc = Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

/// The process id that starts `rest` (`PID`, `PID-N` or `PID.ENDING`).
fn pid_of(rest: &str) -> Option<u32> {
    let digits = rest.split(['-', '.']).next()?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Removes what builds that were killed left behind, and only that: staging folders inside
/// OUTPUT, the manifest's temporary files, and the lock's temporary files and kept-aside
/// copies beside `lock`, each named with the process id of a process that has ended (see
/// [`is_gone`]) and, for a staging folder, whose owner holds no lock on it.
pub fn remove_leftovers(out: &Path, lock: Option<&Path>) {
    let manifest_tmp = format!(".{MANIFEST}.");
    if let Ok(entries) = std::fs::read_dir(out) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let path = entry.path();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if let Some(rest) = name.strip_prefix(STAGING_PREFIX) {
                let ours = rest.split_once('-').map_or(rest, |(pid, n)| {
                    match n.bytes().all(|b| b.is_ascii_digit()) {
                        true => pid,
                        false => "",
                    }
                });
                if is_dir
                    && pid_of(ours).is_some_and(|pid| ours == pid.to_string() && is_gone(pid))
                    && unowned(&path)
                {
                    let _ = std::fs::remove_dir_all(&path);
                }
            } else if let Some(rest) = name.strip_prefix(&manifest_tmp) {
                if !is_dir && temporary_of_gone(rest, &["tmp"]) {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
    }
    let Some(lock) = lock else {
        return;
    };
    let (Some(dir), Some(name)) = (lock.parent(), lock.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir && temporary_of_gone(rest, &["tmp", "old"]) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Is `rest` exactly `PID.ENDING`, with one of `endings`, of a process that has ended?
fn temporary_of_gone(rest: &str, endings: &[&str]) -> bool {
    let Some((pid, ending)) = rest.split_once('.') else {
        return false;
    };
    endings.contains(&ending) && pid_of(pid).is_some_and(|p| pid == p.to_string() && is_gone(p))
}

/// Does no running build hold the lock on this staging folder?
fn unowned(dir: &Path) -> bool {
    match crate::open::regular(&dir.join(OWNER)) {
        Ok((file, _)) => file.try_lock().is_ok(),
        // A folder made by an earlier version, or one whose build was killed before it
        // took its lock.
        Err(crate::open::Refused::NotFound) => true,
        Err(_) => false,
    }
}

/// A file outside OUTPUT (the lock) that a commit puts in place with OUTPUT's files: its
/// new bytes are already written and synced in a temporary file beside it. Dropped without
/// a commit, the temporary file is removed.
#[derive(Debug)]
pub struct Beside {
    path: PathBuf,
    tmp: Option<PathBuf>,
}

impl Beside {
    /// The new bytes are in `tmp`, beside `path` (same folder).
    pub fn adopt(path: &Path, tmp: PathBuf) -> Beside {
        Beside {
            path: path.to_path_buf(),
            tmp: Some(tmp),
        }
    }

    /// Writes `bytes` to a temporary file beside `path` and syncs it.
    pub fn write(path: &Path, bytes: &[u8]) -> Result<Beside, Error> {
        let tmp = temporary_path(path, "tmp");
        if let Some(dir) = tmp.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        let mut f = crate::open::create_new(&tmp).map_err(io_error(&tmp))?;
        let beside = Beside::adopt(path, tmp.clone());
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .map_err(io_error(&tmp))?;
        Ok(beside)
    }

    fn lock_error(&self, e: std::io::Error) -> Error {
        Error::LockWrite {
            path: self.path.display().to_string(),
            message: e.to_string(),
        }
    }

    /// Keeps the file now at `path` under a second name beside it, to put it back.
    fn keep_aside(&self) -> Result<Option<PathBuf>, Error> {
        let to = temporary_path(&self.path, "old");
        let _ = std::fs::remove_file(&to);
        keep_aside(&self.path, &to).map_err(|e| self.lock_error(e))
    }

    fn put_in_place(&mut self) -> Result<(), Error> {
        let Some(tmp) = self.tmp.take() else {
            return Ok(());
        };
        std::fs::rename(&tmp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            self.lock_error(e)
        })
    }
}

impl Drop for Beside {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Removes the files of `old` that `new` no longer lists, while they still hold what
/// checkdown wrote; the others are reported kept.
fn remove_stale(out: &Path, old: &Manifest, new: &Manifest, report: &mut Report) {
    for (rel, recorded) in &old.0 {
        if new.0.contains_key(rel) {
            continue;
        }
        let Ok(path) = resolve(out, rel) else {
            report.kept.push(rel.clone());
            continue;
        };
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => {}
            // Gone already, or something else now: nothing of ours to remove.
            _ => continue,
        }
        let ours = hash_file(&path).is_some_and(|h| h == *recorded);
        if ours && std::fs::remove_file(&path).is_ok() {
            report.removed.push(rel.clone());
            remove_empty_parents(out, &path);
        } else {
            report.kept.push(rel.clone());
        }
    }
}

/// The hash of a file's bytes, read a block at a time.
fn hash_file(path: &Path) -> Option<u64> {
    hash_file_with(path, Hasher::default())
}

fn hash_file_with(path: &Path, mut h: impl Update) -> Option<u64> {
    let (mut f, _) = crate::open::regular(path).ok()?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match f.read(&mut buf) {
            Ok(0) => return Some(h.value()),
            Ok(n) => h.update(buf.get(..n)?),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// The bytes of a file in OUTPUT, when it is a regular file (see [`crate::open`]: no link
/// followed, no FIFO waited on); `None` for anything else.
fn read_output(path: &Path) -> Option<Vec<u8>> {
    match crate::open::read(path, u64::MAX) {
        Ok(crate::open::Read::Bytes(bytes)) => Some(bytes),
        _ => None,
    }
}

/// Do two regular files hold the same bytes? Compared a block at a time.
fn same_files(a: &Path, b: &Path) -> bool {
    let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).ok();
    match (len(a), len(b)) {
        (Some(x), Some(y)) if x == y => {}
        _ => return false,
    }
    let (Ok((fa, _)), Ok((fb, _))) = (crate::open::regular(a), crate::open::regular(b)) else {
        return false;
    };
    let mut fa = BufReader::with_capacity(64 * 1024, fa);
    let mut fb = BufReader::with_capacity(64 * 1024, fb);
    let mut bb = vec![0u8; 64 * 1024];
    loop {
        let chunk = match fa.fill_buf() {
            Ok(c) => c,
            Err(_) => return false,
        };
        let n = chunk.len();
        if n == 0 {
            return fb.read(&mut bb[..1]).is_ok_and(|m| m == 0);
        }
        let Some(other) = bb.get_mut(..n) else {
            return false;
        };
        if fb.read_exact(other).is_err() || chunk != &other[..] {
            return false;
        }
        fa.consume(n);
    }
}

use std::io::BufRead as _;

/// `build --check`: takes the files a build would write and notes those that differ from
/// what is in OUTPUT (missing or other bytes). Writes nothing.
#[derive(Debug)]
pub struct Compare {
    out: PathBuf,
    stale: Mutex<Vec<String>>,
}

impl Compare {
    pub fn new(out: &Path) -> Compare {
        Compare {
            out: out.to_path_buf(),
            stale: Mutex::new(Vec::new()),
        }
    }

    fn mark(&self, rel: &str) {
        let mut stale = self.stale.lock().unwrap_or_else(|p| p.into_inner());
        stale.push(rel.to_string());
    }

    /// Compares one whole file.
    pub fn file(&self, f: &OutputFile) {
        let current = resolve(&self.out, &f.path)
            .ok()
            .and_then(|p| read_output(&p))
            .is_some_and(|old| old == f.bytes);
        if !current {
            self.mark(&f.path);
        }
    }

    /// Compares a file written a piece at a time; [`Compare::end`] completes it.
    pub fn stream(&self, rel: &str) -> Stream {
        let existing = resolve(&self.out, rel)
            .ok()
            .and_then(|p| crate::open::regular(&p).ok())
            .map(|(f, _)| BufReader::with_capacity(64 * 1024, f));
        Stream {
            rel: rel.to_string(),
            path: self.out.join(rel),
            to: match existing {
                Some(r) => To::Compare(r, vec![0u8; 64 * 1024], true),
                None => To::Nothing,
            },
            hash: Hasher::default(),
            error: None,
        }
    }

    /// The output files that are out of date, sorted.
    pub fn stale(self) -> Vec<String> {
        let mut stale = self.stale.into_inner().unwrap_or_else(|p| p.into_inner());
        stale.sort();
        stale.dedup();
        stale
    }
}

/// A file written a piece at a time (`checklist.json`, `backlog.csv`): into the staging
/// folder, or compared with the file in OUTPUT. Writes never fail; the first I/O error is
/// kept and reported when the stream ends.
#[derive(Debug)]
pub struct Stream {
    rel: String,
    path: PathBuf,
    to: To,
    hash: Hasher,
    error: Option<std::io::Error>,
}

#[derive(Debug)]
enum To {
    File(BufWriter<File>),
    /// The file in OUTPUT, a buffer, and whether it matched so far.
    Compare(BufReader<File>, Vec<u8>, bool),
    /// No such file in OUTPUT: out of date whatever is written.
    Nothing,
}

impl Stream {
    /// Appends `bytes`.
    pub fn push(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
        match &mut self.to {
            To::File(w) => {
                if self.error.is_none() {
                    if let Err(e) = w.write_all(bytes) {
                        self.error = Some(e);
                    }
                }
            }
            To::Compare(r, buf, same) => {
                let mut rest = bytes;
                while *same && !rest.is_empty() {
                    let n = rest.len().min(buf.len());
                    let (now, later) = rest.split_at(n);
                    let Some(b) = buf.get_mut(..n) else {
                        *same = false;
                        break;
                    };
                    *same = r.read_exact(b).is_ok() && b == now;
                    rest = later;
                }
            }
            To::Nothing => {}
        }
    }

    fn finish(self) -> Result<(String, u64, bool), Error> {
        let io = io_error(&self.path);
        if let Some(e) = self.error {
            return Err(io(e));
        }
        let current = match self.to {
            To::File(w) => {
                w.into_inner().map_err(|e| io(e.into_error()))?;
                false
            }
            To::Compare(mut r, mut buf, same) => {
                same && buf
                    .get_mut(..1)
                    .is_some_and(|b| r.read(b).is_ok_and(|n| n == 0))
            }
            To::Nothing => false,
        };
        Ok((self.rel, self.hash.value(), current))
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.push(buf);
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.push(buf);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Staging {
    /// Completes a staged stream.
    pub fn end(&self, stream: Stream) -> Result<(), Error> {
        let (rel, hash, _) = stream.finish()?;
        self.record(&rel, hash);
        Ok(())
    }
}

impl Compare {
    /// Completes a compared stream.
    pub fn end(&self, stream: Stream) -> Result<(), Error> {
        let (rel, _, current) = stream.finish()?;
        if !current {
            self.mark(&rel);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path that would break the manifest's lines is refused on the way in (staging) and
    /// on the way out (the manifest's writer), and never read from a manifest.
    #[test]
    fn no_path_can_add_a_line_to_the_manifest() {
        let dir = std::env::temp_dir().join(format!("checkdown-manifest-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let injected = "x\n0123456789abcdef victim.txt";
        for bad in [
            injected, "a\rb", "t\tab", "e\u{1b}", "d\u{7f}", "c1\u{85}", "a\\b",
        ] {
            assert!(!is_inside(bad), "{bad:?}");
            let staging = Staging::create(&dir).expect("staging");
            let f = OutputFile {
                path: bad.to_string(),
                bytes: b"x".to_vec(),
            };
            assert!(staging.file(&f).is_err(), "{bad:?}");
            drop(staging);
            let mut m = Manifest::default();
            m.0.insert(bad.to_string(), 1);
            assert!(m.write(&dir).is_err(), "{bad:?}");
            assert!(!dir.join(MANIFEST).exists());
        }
        let parsed = Manifest::parse("0000000000000001 a\rb\n0000000000000002 b\u{1b}\n");
        assert_eq!(parsed, Manifest::default());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
