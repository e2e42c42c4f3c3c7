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
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
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
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            created_out,
            files: Mutex::new(BTreeMap::new()),
            committed: false,
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

    /// Puts every staged file in place, after checking that no file in OUTPUT that
    /// checkdown did not write is in the way and that no path leaves OUTPUT (through a
    /// symbolic link or a file in the way of a folder): refused before anything in OUTPUT
    /// changes. Files whose bytes are already there are left alone. Then records the files
    /// in `OUTPUT/.checkdown-manifest` and removes those an earlier build wrote and this one
    /// does not, while they still hold what it wrote.
    pub fn commit(mut self) -> Result<Report, Error> {
        let files = std::mem::take(&mut *self.files.lock().unwrap_or_else(|p| p.into_inner()));
        let out = self.out.clone();
        let old = Manifest::read(&out)?;
        let mut new = Manifest::default();
        // Every path checked (on the current rayon pool), then the first refusal in path
        // order reported.
        let files: Vec<(String, u64)> = files.into_iter().collect();
        let checked: Vec<Result<(PathBuf, PathBuf, bool), Error>> = files
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
                Ok((path, staged, same))
            })
            .collect();
        let mut plan = Vec::with_capacity(files.len());
        for ((rel, hash), checked) in files.into_iter().zip(checked) {
            plan.push(checked?);
            new.0.insert(rel, hash);
        }
        // List what is about to be written before writing it, so that an interrupted build
        // still knows its files.
        let mut both = old.clone();
        both.0.extend(new.0.iter().map(|(k, v)| (k.clone(), *v)));
        if both != old {
            both.write(&out)?;
        }
        let mut report = Report::default();
        let moved: Vec<Result<bool, Error>> = plan
            .par_iter()
            .map(|(path, staged, same)| {
                if *same {
                    return Ok(false);
                }
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
                }
                std::fs::rename(staged, path).map_err(io_error(path))?;
                Ok(true)
            })
            .collect();
        for m in moved {
            if m? {
                report.written += 1;
            }
        }
        remove_stale(&out, &old, &new, &mut report);
        if new != both {
            new.write(&out)?;
        }
        self.committed = true;
        std::fs::remove_dir_all(&self.dir).map_err(io_error(&self.dir))?;
        Ok(report)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        if self.created_out {
            let _ = std::fs::remove_dir(&self.out);
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
