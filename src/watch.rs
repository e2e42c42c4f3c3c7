//! Watch mode: rebuild when INPUT (or the templates folder) changes, once the changes have
//! settled, so that an editor's save of several files, or a `git checkout`, gives one
//! rebuild. File events come from the notify crate (cargo feature `watch`, on by default).
//!
//! The decisions are plain functions of paths and instants ([`Filter`], [`Debounce`]) so
//! that they are tested without a clock; [`Watch::run`] only wires them to the events.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::Error;

/// How long the files must stay quiet before a rebuild.
pub const DELAY: Duration = Duration::from_millis(200);

/// Which changed paths call for a rebuild.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Watched folders.
    pub roots: Vec<PathBuf>,
    /// Paths whose changes are the build's own doing (OUTPUT when it lies inside INPUT, the
    /// lock file).
    pub ignore: Vec<PathBuf>,
}

impl Filter {
    /// A path inside a root, not hidden below it (editors' swap files, the build's own
    /// temporary files, `.git`), and not inside an ignored path.
    pub fn relevant(&self, path: &Path) -> bool {
        if self.ignore.iter().any(|i| path.starts_with(i)) {
            return false;
        }
        self.roots.iter().any(|root| {
            path.strip_prefix(root).is_ok_and(|rel| {
                !rel.components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
            })
        })
    }
}

/// Is this kind of event a change (not a mere read)?
pub fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Is this event, at a path that `is_dir`, a change that calls for a rebuild? A folder's
/// own contents or times changing is not one (its entries' events say what changed; some
/// backends also report the folder that holds the lock when the build renames the lock
/// into it), but a folder created, removed or renamed is.
pub fn is_change_at(kind: &EventKind, is_dir: bool) -> bool {
    match kind {
        EventKind::Modify(ModifyKind::Name(_)) => true,
        EventKind::Modify(_) if is_dir => false,
        kind => is_change(kind),
    }
}

/// How often the watched folders are checked for having been replaced (removed, or
/// renamed away and another put at their path, as `git checkout` or an editor may do):
/// the watch follows the folder it was given, not the path, so a replaced root is watched
/// again.
pub const ROOT_CHECK: Duration = Duration::from_millis(500);

/// What tells a folder from another at the same path.
#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_dir())
        .map(|m| (m.dev(), m.ino()))
}

/// Elsewhere only whether the folder is there: a root removed and created again is
/// watched again; one replaced between two checks is not noticed.
#[cfg(not(unix))]
fn identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_dir())
        .map(|_| (0, 0))
}

/// A trailing debounce: a rebuild is due once `delay` has passed since the last change.
#[derive(Debug, Clone)]
pub struct Debounce {
    delay: Duration,
    deadline: Option<Instant>,
}

impl Debounce {
    pub fn new(delay: Duration) -> Self {
        Debounce {
            delay,
            deadline: None,
        }
    }

    /// A change at `now` pushes the rebuild back.
    pub fn change(&mut self, now: Instant) {
        self.deadline = Some(now + self.delay);
    }

    /// How long to wait for more events: `None` when nothing is pending (wait for ever).
    pub fn wait(&self, now: Instant) -> Option<Duration> {
        self.deadline.map(|d| d.saturating_duration_since(now))
    }

    /// True, once, when a rebuild is due at `now`.
    pub fn due(&mut self, now: Instant) -> bool {
        match self.deadline {
            Some(d) if now >= d => {
                self.deadline = None;
                true
            }
            _ => false,
        }
    }
}

/// A watch in place: events are collected from the moment [`start`] returns.
pub struct Watch {
    filter: Filter,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
    // Dropping the watcher ends the watch.
    watcher: notify::RecommendedWatcher,
    /// Each root's identity when it was last watched (`None`: it was not there).
    watched: Vec<Option<(u64, u64)>>,
}

/// Watches `filter.roots` recursively.
pub fn start(filter: Filter) -> Result<Watch, Error> {
    let failed = |path: &Path, e: notify::Error| Error::Io {
        path: path.display().to_string(),
        message: format!("cannot watch: {e}"),
    };
    let (tx, events) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|e| failed(Path::new("."), e))?;
    for root in &filter.roots {
        watcher
            .watch(root, RecursiveMode::Recursive)
            .map_err(|e| failed(root, e))?;
    }
    let watched = filter.roots.iter().map(|r| identity(r)).collect();
    Ok(Watch {
        filter,
        events,
        watcher,
        watched,
    })
}

impl Watch {
    /// Calls `rebuild` after each settled change, for as long as the process runs.
    pub fn run(mut self, delay: Duration, mut rebuild: impl FnMut()) -> Result<(), Error> {
        let mut debounce = Debounce::new(delay);
        let mut checked = Instant::now();
        loop {
            let left = debounce
                .wait(Instant::now())
                .map_or(ROOT_CHECK, |d| d.min(ROOT_CHECK));
            let received = self.events.recv_timeout(left);
            if checked.elapsed() >= ROOT_CHECK {
                checked = Instant::now();
                if self.rewatch() {
                    debounce.change(Instant::now());
                }
            }
            match received {
                Ok(Ok(event)) => {
                    let relevant = event
                        .paths
                        .iter()
                        .any(|p| self.filter.relevant(p) && is_change_at(&event.kind, p.is_dir()));
                    if relevant {
                        debounce.change(Instant::now());
                    }
                }
                // Lost events (a queue overflow): rebuild to be sure.
                Ok(Err(_)) => debounce.change(Instant::now()),
                Err(RecvTimeoutError::Timeout) => {
                    if debounce.due(Instant::now()) {
                        rebuild();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Error::Io {
                        path: ".".to_string(),
                        message: "the file watcher stopped".to_string(),
                    })
                }
            }
        }
    }

    /// Watches again each root that was replaced (or came back) since it was watched.
    /// Returns whether one was: a rebuild is due.
    fn rewatch(&mut self) -> bool {
        let mut changed = false;
        for (root, watched) in self.filter.roots.iter().zip(self.watched.iter_mut()) {
            let now = identity(root);
            if now == *watched {
                continue;
            }
            let _ = self.watcher.unwatch(root);
            match now {
                Some(_) if self.watcher.watch(root, RecursiveMode::Recursive).is_err() => {
                    // Tried again at the next check.
                    *watched = None;
                    continue;
                }
                _ => *watched = now,
            }
            // A root that is gone is built once it is back.
            if now.is_some() {
                eprintln!(
                    "checkdown: {} was replaced; watching the new folder",
                    root.display()
                );
                changed = true;
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, MetadataKind, RenameMode};

    /// The build's own writes into INPUT (the lock's temporary file, its kept-aside copy, the
    /// rename onto the lock, the folder that holds it changing) call for no rebuild.
    #[test]
    fn the_builds_own_lock_write_calls_for_no_rebuild() {
        let f = Filter {
            roots: vec![PathBuf::from("/w/docs")],
            ignore: vec![PathBuf::from("/w/docs/checkdown.lock")],
        };
        let rename = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        for p in [
            "/w/docs/.checkdown.lock.123.tmp",
            "/w/docs/.checkdown.lock.123.old",
            "/w/docs/checkdown.lock",
        ] {
            assert!(!f.relevant(Path::new(p)), "{p}");
        }
        assert!(f.relevant(Path::new("/w/docs")));
        let data = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let times = EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime));
        assert!(!is_change_at(&data, true));
        assert!(!is_change_at(&times, true));
        assert!(!is_change_at(&EventKind::Modify(ModifyKind::Any), true));
        assert!(is_change_at(&rename, true));
        assert!(is_change_at(&EventKind::Create(CreateKind::Folder), true));
        assert!(is_change_at(&data, false));
    }
}
