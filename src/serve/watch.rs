//! Watching the site's files (notify, debounced) and sorting what changed into [`Changes`].
//!
//! The watcher follows `content/`, `static/`, `templates/` and `themes/` recursively and the
//! site folder itself (for `casebook.yaml` and folders created later), never `public/` or
//! anything else. Editors' temporary and swap files are ignored; an atomic save (write a
//! temporary file, rename it over the old one) shows up as a change to the saved file, which
//! is all a rebuild needs: every changed content path is read again, or dropped if it is gone.
//!
//! A watch follows a folder, not its name: when `content/` is renamed away and another folder
//! (or a link to one) takes its name, the old watch sees nothing of the new folder. So after
//! every batch of events, and every [`RECHECK`] without any, each watched name is looked up
//! again ([`FolderEvent`]): a folder whose name was created, removed or renamed, or that now
//! leads to another folder, is watched afresh and the site rebuilt in full. While `content/`
//! is missing the preview keeps the last good site and waits for it to come back.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache, new_debouncer,
};

use crate::serve::workspace::Changes;

/// How long the debouncer waits for a burst of events to end. Short: an editor's save is a
/// handful of events within a millisecond or two, and every millisecond here is preview latency.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// How often the watched folders are looked up again when no event comes (a folder reached
/// through a link can be swapped without any event in the site folder).
pub const RECHECK: Duration = Duration::from_secs(1);

/// The folders watched recursively, when they exist.
const FOLDERS: [&str; 4] = ["content", "static", "templates", "themes"];

/// A running watcher and the events it sends.
pub struct Watcher {
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
    folders: Vec<Folder>,
    events: Receiver<DebounceEventResult>,
}

/// One of [`FOLDERS`] and what its name led to when it was last watched.
#[derive(Debug)]
struct Folder {
    name: &'static str,
    /// What was watched; `None` while the folder is missing.
    watched: Option<FolderId>,
    /// Whether the folder has been there since the preview started.
    seen: bool,
}

impl Folder {
    /// What happened to the folder now that its name leads to `now`; `renamed`: its name was
    /// created, removed or renamed since the last look. `None`: nothing to do.
    fn change_to(&self, now: Option<&FolderId>, renamed: bool) -> Option<FolderChange> {
        match (&self.watched, now) {
            (Some(old), Some(new)) if old != new || renamed => Some(FolderChange::Replaced),
            (Some(_), None) => Some(FolderChange::Gone),
            (None, Some(_)) if self.seen => Some(FolderChange::Back),
            (None, Some(_)) => Some(FolderChange::Appeared),
            _ => None,
        }
    }
}

/// What a folder's name leads to (through links): the same name leading to another folder
/// gives another id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FolderId {
    path: PathBuf,
    #[cfg(unix)]
    inode: (u64, u64),
}

/// What happened to a watched folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderChange {
    /// Its name now leads to another folder, or was removed and made again.
    Replaced,
    /// It is not there any more.
    Gone,
    /// It is there again after being gone.
    Back,
    /// It is there for the first time.
    Appeared,
    /// It is there but cannot be watched: changes in it will not show.
    Unwatchable(String),
}

/// A watched folder that changed as a whole, which calls for a full rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderEvent {
    /// `content`, `static`, `templates` or `themes`.
    pub folder: &'static str,
    /// What happened to it.
    pub change: FolderChange,
}

/// What a batch of events means.
#[derive(Debug, Default)]
pub struct Batch {
    /// Files that changed.
    pub changes: Changes,
    /// Watched folders that changed as a whole.
    pub folders: Vec<FolderEvent>,
}

impl Watcher {
    /// Starts watching the site at `root`.
    pub fn start(root: &Path) -> notify::Result<Watcher> {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let (sender, events) = std::sync::mpsc::channel();
        let debouncer = new_debouncer(DEBOUNCE, None, sender)?;
        let folders = FOLDERS
            .iter()
            .map(|&name| Folder {
                name,
                watched: None,
                seen: false,
            })
            .collect();
        let mut watcher = Watcher {
            debouncer,
            root,
            folders,
            events,
        };
        watcher
            .debouncer
            .watch(&watcher.root, RecursiveMode::NonRecursive)?;
        for event in watcher.follow_folders(&[]) {
            if let FolderChange::Unwatchable(_) = event.change {
                return Err(notify::Error::generic(&event.to_string()));
            }
        }
        Ok(watcher)
    }

    /// Waits for the next batch of events (or [`RECHECK`]) and sorts what it means; `None`
    /// once the watcher has stopped.
    pub fn next_batch(&mut self) -> Option<Batch> {
        let first = match self.events.recv_timeout(RECHECK) {
            Ok(first) => Some(first),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return None,
        };
        // Events that arrived while the last rebuild ran are handled together.
        let rest = std::iter::from_fn(|| self.events.try_recv().ok());
        let events: Vec<DebouncedEvent> = first
            .into_iter()
            .chain(rest)
            .flat_map(Result::unwrap_or_default)
            .filter(|event| is_change(&event.event.kind))
            .collect();
        let renamed: Vec<&Path> = events
            .iter()
            .filter(|event| renames_an_entry(&event.event.kind))
            .flat_map(|event| event.event.paths.iter().map(PathBuf::as_path))
            .collect();
        let folders = self.follow_folders(&renamed);
        let changes = self.changes(events.iter().flat_map(|event| event.event.paths.clone()));
        Some(Batch { changes, folders })
    }

    /// Whether `content/` was there and is missing now: the preview then keeps the last good
    /// site rather than show an empty one.
    pub fn content_missing(&self) -> bool {
        self.folders
            .iter()
            .any(|folder| folder.name == "content" && folder.seen && folder.watched.is_none())
    }

    /// Looks each watched folder's name up again and watches afresh the ones that are new,
    /// gone or replaced; `renamed` are paths created, removed or renamed in this batch.
    fn follow_folders(&mut self, renamed: &[&Path]) -> Vec<FolderEvent> {
        let mut events = Vec::new();
        for index in 0..self.folders.len() {
            let path = self.root.join(self.folders[index].name);
            let now = folder_id(&path);
            let renamed = renamed.contains(&path.as_path());
            let Some(mut change) = self.folders[index].change_to(now.as_ref(), renamed) else {
                continue;
            };
            if let Err(error) = self.rewatch(&path, now.is_some()) {
                change = FolderChange::Unwatchable(error.to_string());
            }
            let folder = &mut self.folders[index];
            folder.seen |= now.is_some();
            folder.watched = now;
            events.push(FolderEvent {
                folder: folder.name,
                change,
            });
        }
        events
    }

    /// Drops the watch on `path` and, when the folder `exists`, watches it again.
    fn rewatch(&mut self, path: &Path, exists: bool) -> notify::Result<()> {
        // The old watch may be gone already (notify drops it when the folder is renamed).
        let _maybe_unwatched = self.debouncer.unwatch(path);
        if exists {
            self.debouncer.watch(path, RecursiveMode::Recursive)?;
        }
        Ok(())
    }

    /// Sorts the paths of a batch of events into changes.
    pub fn changes(&self, paths: impl IntoIterator<Item = PathBuf>) -> Changes {
        let mut changes = Changes::default();
        for path in paths {
            if let Ok(relative) = path.strip_prefix(&self.root) {
                classify(
                    &crate::load::relative_path(Path::new(""), relative),
                    &mut changes,
                );
            }
        }
        changes
    }
}

impl std::fmt::Display for FolderEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.folder;
        match (&self.change, name) {
            (FolderChange::Replaced, _) => write!(
                f,
                "{name}/ was replaced: watching the new folder and rebuilding everything"
            ),
            (FolderChange::Gone, "content") => write!(
                f,
                "content/ is gone: still serving the last good site until it is back"
            ),
            (FolderChange::Gone, _) => write!(f, "{name}/ is gone: rebuilding without it"),
            (FolderChange::Back, _) => write!(
                f,
                "{name}/ is back: watching it again and rebuilding everything"
            ),
            (FolderChange::Appeared, _) => {
                write!(f, "{name}/ appeared: watching it and rebuilding everything")
            }
            (FolderChange::Unwatchable(error), _) => write!(
                f,
                "cannot watch {name}/ ({error}): changes in it will not show until it is replaced"
            ),
        }
    }
}

/// What `path` leads to when it is a folder (through links), or `None`.
fn folder_id(path: &Path) -> Option<FolderId> {
    #[cfg_attr(not(unix), expect(unused_variables))]
    let metadata = std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_dir)?;
    Some(FolderId {
        path: std::fs::canonicalize(path).ok()?,
        #[cfg(unix)]
        inode: {
            use std::os::unix::fs::MetadataExt;
            (metadata.dev(), metadata.ino())
        },
    })
}

/// Whether an event kind can mean that a name now leads somewhere else.
fn renames_an_entry(kind: &notify::EventKind) -> bool {
    use notify::EventKind;
    use notify::event::ModifyKind;
    matches!(
        kind,
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_))
    )
}

/// Whether an event can mean changed contents: reading a file (which the rebuild itself
/// does) is not a change, closing it after writing is.
pub fn is_change(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Adds what a change to the site-relative `path` means to `changes`.
pub fn classify(path: &str, changes: &mut Changes) {
    let name = path.rsplit('/').next().unwrap_or(path);
    if is_editor_litter(name) {
        return;
    }
    let top = path.split('/').next().unwrap_or("");
    match top {
        "casebook.yaml" => changes.config = true,
        "content" => {
            if crate::load::kind_of_path(path).is_some() {
                changes.content.insert(path.to_owned());
            } else if !name.contains('.') {
                // A folder (or `content` itself) appeared, went or was renamed.
                changes.rescan_content = true;
            } else {
                // A file beside the pages, such as a bundle's photo.
                changes.images = true;
            }
        }
        "static" => changes.static_files = true,
        "templates" | "themes" => changes.theme = true,
        _ => {}
    }
}

/// Temporary, backup and swap files of common editors (vim, emacs, JetBrains, VS Code…).
fn is_editor_litter(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || [
            ".swp",
            ".swx",
            ".swo",
            ".tmp",
            ".bak",
            "___jb_tmp___",
            "___jb_old___",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(paths: &[&str], expected: Changes) {
        let mut changes = Changes::default();
        for path in paths {
            classify(path, &mut changes);
        }
        assert_eq!(changes, expected);
    }

    #[test]
    fn a_folder_is_watched_afresh_when_its_name_leads_elsewhere_or_was_renamed() {
        let temp = tempfile::tempdir().unwrap();
        let (one, other) = (temp.path().join("one"), temp.path().join("other"));
        std::fs::create_dir(&one).unwrap();
        std::fs::create_dir(&other).unwrap();
        let (one, other) = (folder_id(&one), folder_id(&other));
        assert!(one.is_some() && one != other);
        assert_eq!(folder_id(&temp.path().join("missing")), None);
        let folder = |watched: &Option<FolderId>, seen| Folder {
            name: "content",
            watched: watched.clone(),
            seen,
        };
        let watched = folder(&one, true);
        assert_eq!(watched.change_to(one.as_ref(), false), None);
        assert_eq!(
            watched.change_to(one.as_ref(), true),
            Some(FolderChange::Replaced),
            "renamed away and back, or linked to: the old watch is gone"
        );
        assert_eq!(
            watched.change_to(other.as_ref(), false),
            Some(FolderChange::Replaced)
        );
        assert_eq!(watched.change_to(None, true), Some(FolderChange::Gone));
        assert_eq!(
            folder(&None, true).change_to(one.as_ref(), true),
            Some(FolderChange::Back)
        );
        assert_eq!(
            folder(&None, false).change_to(one.as_ref(), false),
            Some(FolderChange::Appeared)
        );
        assert_eq!(folder(&None, true).change_to(None, false), None);
    }

    #[test]
    fn editor_litter_is_ignored() {
        check(
            &[
                "content/case-studies/.a.md.swp",
                "content/case-studies/a.md~",
                "content/case-studies/4913",
                "templates/.base.html.swx",
                "templates/#base.html#",
                "static/x.png.tmp",
                "public/index.html",
                "target/debug/casebook",
            ],
            Changes::default(),
        );
    }

    #[test]
    fn paths_are_sorted_by_what_they_change() {
        let mut expected = Changes {
            rescan_content: true,
            static_files: true,
            images: true,
            theme: true,
            config: true,
            ..Changes::default()
        };
        expected.content.insert("content/case-studies/a.md".into());
        check(
            &[
                "content/case-studies/a.md",
                "content/case-studies/red-bag/photo.jpg",
                "content/case-studies/2024",
                "static/x.png",
                "themes/default/templates/base.html",
                "casebook.yaml",
            ],
            expected,
        );
    }
}
