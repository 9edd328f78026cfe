//! Watching the site's files (notify, debounced) and sorting what changed into [`Changes`].
//!
//! The watcher follows `content/`, `static/`, `templates/` and `themes/` recursively and the
//! site folder itself (for `casebook.yaml` and folders created later), never `public/` or
//! anything else. Editors' temporary and swap files are ignored; an atomic save (write a
//! temporary file, rename it over the old one) shows up as a change to the saved file, which
//! is all a rebuild needs: every changed content path is read again, or dropped if it is gone.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::serve::workspace::Changes;

/// How long the debouncer waits for a burst of events to end. Short: an editor's save is a
/// handful of events within a millisecond or two, and every millisecond here is preview latency.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// The folders watched recursively, when they exist.
const FOLDERS: [&str; 4] = ["content", "static", "templates", "themes"];

/// A running watcher and the events it sends.
pub struct Watcher {
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
    watched: Vec<String>,
    /// Debounced events.
    pub events: Receiver<DebounceEventResult>,
}

impl Watcher {
    /// Starts watching the site at `root`.
    pub fn start(root: &Path) -> notify::Result<Watcher> {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let (sender, events) = std::sync::mpsc::channel();
        let debouncer = new_debouncer(DEBOUNCE, None, sender)?;
        let mut watcher = Watcher {
            debouncer,
            root,
            watched: Vec::new(),
            events,
        };
        watcher
            .debouncer
            .watch(&watcher.root, RecursiveMode::NonRecursive)?;
        watcher.watch_new_folders()?;
        Ok(watcher)
    }

    /// Watches the folders `content/`, `static/`, `templates/` and `themes/` that exist and are not watched yet (a site may
    /// create `templates/` while the server runs).
    pub fn watch_new_folders(&mut self) -> notify::Result<()> {
        for folder in FOLDERS {
            let path = self.root.join(folder);
            if !self.watched.iter().any(|w| w == folder) && path.is_dir() {
                self.debouncer.watch(&path, RecursiveMode::Recursive)?;
                self.watched.push(folder.to_owned());
            }
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
            theme: true,
            config: true,
            ..Changes::default()
        };
        expected.content.insert("content/case-studies/a.md".into());
        check(
            &[
                "content/case-studies/a.md",
                "content/case-studies/2024",
                "static/x.png",
                "themes/default/templates/base.html",
                "casebook.yaml",
            ],
            expected,
        );
    }
}
