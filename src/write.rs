//! Stage 6, write: put the rendered files and the site's `static/` folder on disk, atomically.
//!
//! Everything is written to a staging folder beside the output folder; only when all of it is
//! written is the old output renamed aside, the new one renamed into place and the old one
//! removed. A failed or interrupted build leaves the previous output as it was. Builds into
//! one output take turns ([`OutputLock`]), and only the build holding the lock removes what
//! killed builds left; a folder it cannot remove is a warning, never a failed build.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostics::{Code, Diagnostic, Pos};

/// One file of the output, relative to the output folder: what the render stage and the
/// search index make, and this stage writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path with `/` separators, such as `case-studies/x/index.html`.
    pub path: String,
    /// Contents (empty when `from_cache` is set).
    pub contents: Vec<u8>,
    /// The cache file whose bytes this file is, when the maker handed that file on rather
    /// than read it (a build's share images, [`crate::cache::Cache::file_of`]): [`Staging`]
    /// hard-links it into the output, read-only as the cache keeps it, and `contents` is empty.
    pub from_cache: Option<PathBuf>,
}

impl OutputFile {
    /// A file of these bytes.
    pub fn new(path: String, contents: Vec<u8>) -> OutputFile {
        OutputFile {
            path,
            contents,
            from_cache: None,
        }
    }

    /// A file whose bytes are the cache file `file`'s, which the writer links rather than
    /// copies.
    pub fn from_cache(path: String, file: PathBuf) -> OutputFile {
        OutputFile {
            path,
            contents: Vec::new(),
            from_cache: Some(file),
        }
    }
}

/// Something that stopped the output from being written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be written or moved.
    #[error("cannot write {path}: {source}")]
    Io {
        /// What could not be written.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The output folder is a file, or inside the content.
    #[error("{0}")]
    BadOutput(String),
}

/// A static file copied as is: source on disk, path in the output.
#[derive(Debug, Clone)]
pub struct StaticCopy {
    /// The file on disk.
    pub source: PathBuf,
    /// Its path in the output, with `/`.
    pub path: String,
}

/// The warning (W104) for a symlink under `static/` that leads outside the site and is not
/// copied; `path` is site-relative (`static/files/x.pdf`).
pub fn skipped_link_warning(path: &str) -> Diagnostic {
    Diagnostic::new(
        Code::W104,
        path,
        Pos::START,
        "symlink points outside the site and was not copied",
    )
    .with_hint("copy the file into static/ instead of linking to it")
}

/// Lists the files under `root/static` to copy, skipping symlinks that lead outside the site.
pub fn static_copies(root: &Path) -> (Vec<StaticCopy>, Vec<String>) {
    let folder = root.join("static");
    let mut copies = Vec::new();
    let mut skipped = Vec::new();
    let site_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    for entry in WalkDir::new(&folder)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        let relative = crate::load::relative_path(&folder, entry.path());
        if entry.path_is_symlink() {
            match std::fs::canonicalize(entry.path()) {
                Ok(target) if target.starts_with(&site_root) && target.is_file() => {
                    copies.push(StaticCopy {
                        source: target,
                        path: relative,
                    });
                }
                _ => skipped.push(format!("static/{relative}")),
            }
            continue;
        }
        if entry.file_type().is_file() {
            copies.push(StaticCopy {
                source: entry.path().to_path_buf(),
                path: relative,
            });
        }
    }
    (copies, skipped)
}

/// The right to write one output folder: while a build holds it, no other build writes into
/// that output or touches its staging folders.
///
/// It is an OS advisory lock (`File::lock`) on an empty file beside the output,
/// `.<output>.casebook-lock`, which stays there between builds. The OS releases it when the
/// process ends, however it ends (even `kill -9`), so a dead build never blocks the next one.
#[derive(Debug)]
pub struct OutputLock {
    output: PathBuf,
    parent: PathBuf,
    name: String,
    /// Held locked until dropped.
    _file: std::fs::File,
}

impl OutputLock {
    /// Locks `output` for this build, creating its parent folder if need be. When another build
    /// holds the lock, calls `on_wait` once and waits for it to finish.
    pub fn acquire(output: &Path, on_wait: impl FnOnce()) -> Result<OutputLock, OutputError> {
        if output.is_file() {
            return Err(OutputError::BadOutput(format!(
                "the output {} is a file, not a folder",
                output.display()
            )));
        }
        let parent = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = output
            .file_name()
            .map_or_else(|| "public".to_owned(), |n| n.to_string_lossy().into_owned());
        std::fs::create_dir_all(parent).map_err(|source| OutputError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
        let path = parent.join(format!(".{name}.casebook-lock"));
        let io_error = |source| OutputError::Io {
            path: path.clone(),
            source,
        };
        let file = open_lock_file(&path).map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                on_wait();
                file.lock().map_err(io_error)?;
            }
            Err(std::fs::TryLockError::Error(source)) => return Err(io_error(source)),
        }
        Ok(OutputLock {
            output: output.to_path_buf(),
            parent: parent.to_path_buf(),
            name,
            _file: file,
        })
    }

    /// A folder beside the output: `.<output>.casebook-<kind>-<id>`.
    fn sibling(&self, kind: &str, id: &str) -> PathBuf {
        self.parent
            .join(format!(".{}.casebook-{kind}-{id}", self.name))
    }

    /// Removes the staging and old-output folders that builds killed or stopped earlier left
    /// beside the output. Holding the lock proves that no running build owns them. A folder
    /// that cannot be removed is returned, not an error: it is in no build's way.
    fn remove_leftovers(&self) -> Vec<Leftover> {
        let Ok(entries) = std::fs::read_dir(&self.parent) else {
            return Vec::new();
        };
        let prefixes = [
            format!(".{}.casebook-new-", self.name),
            format!(".{}.casebook-old-", self.name),
        ];
        let mut leftovers: Vec<Leftover> = entries
            .flatten()
            .filter(|entry| {
                let file_name = entry.file_name();
                let file_name = file_name.to_string_lossy();
                prefixes.iter().any(|p| file_name.starts_with(p.as_str()))
            })
            .filter_map(|entry| {
                remove_if_present(&entry.path())
                    .err()
                    .map(|reason| Leftover {
                        path: entry.path(),
                        previous_output: false,
                        reason,
                    })
            })
            .collect();
        leftovers.sort_by(|a, b| a.path.cmp(&b.path));
        leftovers
    }

    /// Creates this build's staging folder, `.<output>.casebook-new-<pid>`, and names the folder
    /// the old output will be moved to. A suffix is added when a leftover that could not be
    /// removed has that name (the process id of a dead build can come round again).
    fn reserve_staging(&self) -> Result<(PathBuf, PathBuf), OutputError> {
        let pid = std::process::id();
        for attempt in 0..100 {
            let id = match attempt {
                0 => pid.to_string(),
                n => format!("{pid}-{n}"),
            };
            let (staging, old) = (self.sibling("new", &id), self.sibling("old", &id));
            if old.symlink_metadata().is_ok() {
                continue;
            }
            match std::fs::create_dir(&staging) {
                Ok(()) => return Ok((staging, old)),
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(source) => {
                    return Err(OutputError::Io {
                        path: staging,
                        source,
                    });
                }
            }
        }
        Err(OutputError::BadOutput(format!(
            "too many leftover folders named {} beside the output; delete them",
            self.sibling("*", &format!("{pid}*")).display()
        )))
    }
}

/// Opens (or creates) the lock file; read-only when it belongs to someone else and is not
/// writable, as a lock needs no write access.
fn open_lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    let writable = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path);
    match writable {
        Err(error) if error.kind() == std::io::ErrorKind::PermissionDenied && path.is_file() => {
            std::fs::File::open(path)
        }
        other => other,
    }
}

/// A folder beside the output that could not be removed. The build still succeeded: the new
/// output is in place, and later builds try again to remove it (and never fail because of it).
#[derive(Debug)]
pub struct Leftover {
    /// The folder.
    pub path: PathBuf,
    /// Whether it is the output this build replaced (otherwise an earlier build left it).
    pub previous_output: bool,
    /// Why it could not be removed.
    pub reason: std::io::Error,
}

impl std::fmt::Display for Leftover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path.display();
        if self.previous_output {
            write!(
                f,
                "the new output is in place, but the previous one, moved to {path}, could not be removed: {}",
                self.reason
            )?;
        } else {
            write!(
                f,
                "could not remove {path}, left by an earlier build: {}",
                self.reason
            )?;
        }
        if self.reason.kind() == std::io::ErrorKind::PermissionDenied {
            write!(
                f,
                "; a folder in it is not writable: delete it with `chmod -R u+w '{path}' && rm -rf '{path}'` (as its owner)"
            )
        } else {
            write!(f, "; delete it by hand")
        }
    }
}

/// What a committed output reports.
#[derive(Debug)]
pub struct Committed {
    /// Files written.
    pub files: usize,
    /// Folders beside the output that could not be removed.
    pub leftovers: Vec<Leftover>,
}

/// An output being written: files go into a staging folder beside the output folder, and
/// only [`Staging::commit`] puts them in its place. Dropped without a commit, the staging
/// folder is removed and the previous output stays as it was. It holds the output's
/// [`OutputLock`] until it is committed or dropped.
#[derive(Debug)]
pub struct Staging {
    staging: PathBuf,
    old: PathBuf,
    committed: bool,
    written: std::sync::atomic::AtomicUsize,
    /// Folders made in the staging folder so far, by output path (`case-studies/x`): each is
    /// made once, by one `mkdir`, where asking for every file's folder made most of them fail.
    folders: std::sync::Mutex<std::collections::HashSet<String>>,
    leftovers: Vec<Leftover>,
    /// Released after the staging folder is gone (fields drop after `Drop::drop`).
    lock: OutputLock,
}

impl Staging {
    /// Prepares a staging folder for the locked output, first removing what builds that were
    /// killed or failed left beside it.
    pub fn create(lock: OutputLock) -> Result<Staging, OutputError> {
        let leftovers = lock.remove_leftovers();
        let (staging, old) = lock.reserve_staging()?;
        Ok(Staging {
            staging,
            old,
            committed: false,
            written: Default::default(),
            folders: Default::default(),
            leftovers,
            lock,
        })
    }

    /// Writes one file (safe to call from many threads at once): its bytes, or a hard link
    /// to the cache file that holds them.
    pub fn write(&self, file: &OutputFile) -> Result<(), OutputError> {
        self.put(&file.path, |target| match &file.from_cache {
            None => std::fs::write(target, &file.contents),
            Some(cached) => link_or_copy(cached, target),
        })
    }

    /// Writes the file at `path` as `fill` makes it, through a buffer, so that a file of
    /// hundreds of MB (the open data of a large site) is never whole in memory.
    pub fn write_with(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        self.put(path, |target| {
            let mut out =
                std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(target)?);
            fill(&mut out)?;
            std::io::Write::flush(&mut out)
        })
    }

    /// Makes the folder of output path `path`, has `make` write the file there, and counts it.
    fn put(
        &self,
        path: &str,
        make: impl FnOnce(&Path) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        self.make_folder(parent_of(path))?;
        let target = self.staging.join(path);
        make(&target).map_err(|source| OutputError::Io {
            path: target,
            source,
        })?;
        self.written
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Moves a file or folder already written, by output paths (`search/d/new` →
    /// `search/d/1a2b3c4d`).
    pub fn rename(&self, from: &str, to: &str) -> Result<(), OutputError> {
        self.make_folder(parent_of(to))?;
        let target = self.staging.join(to);
        std::fs::rename(self.staging.join(from), &target).map_err(|source| OutputError::Io {
            path: target,
            source,
        })?;
        // Folders under `from` are gone: a later file there makes them again.
        let moved = format!("{from}/");
        self.made_folders()
            .retain(|folder| folder != from && !folder.starts_with(&moved));
        Ok(())
    }

    fn made_folders(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<String>> {
        self.folders
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes the staging folder's subfolder `folder` (an output path, `""` for the staging
    /// folder itself) and its parents, each only the first time it is asked for.
    fn make_folder(&self, folder: &str) -> Result<(), OutputError> {
        if folder.is_empty() || self.made_folders().contains(folder) {
            return Ok(());
        }
        self.make_folder(parent_of(folder))?;
        let path = self.staging.join(folder);
        match std::fs::create_dir(&path) {
            Ok(()) => {}
            // Another thread made it first.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(source) => return Err(OutputError::Io { path, source }),
        }
        self.made_folders().insert(folder.to_owned());
        Ok(())
    }

    /// Copies static files, except where a rendered file already has that path (a site cannot
    /// replace a page by a static file by accident).
    pub fn copy_static(&self, copies: &[StaticCopy]) -> Result<(), OutputError> {
        copies.par_iter().try_for_each(|copy| {
            let target = self.staging.join(&copy.path);
            if target.exists() {
                return Ok(());
            }
            self.make_folder(parent_of(&copy.path))?;
            std::fs::copy(&copy.source, &target).map_err(|source| OutputError::Io {
                path: copy.source.clone(),
                source,
            })?;
            self.written
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        })
    }

    /// Puts the staged output in place of the old one. Once the new output is in place the
    /// build has succeeded: an old output that cannot be removed is reported as a leftover.
    pub fn commit(mut self) -> Result<Committed, OutputError> {
        let output = &self.lock.output;
        if output.exists() {
            std::fs::rename(output, &self.old).map_err(|source| OutputError::Io {
                path: output.clone(),
                source,
            })?;
        }
        if let Err(source) = std::fs::rename(&self.staging, output) {
            // Put the previous output back before reporting.
            let _restore = std::fs::rename(&self.old, output);
            return Err(OutputError::Io {
                path: output.clone(),
                source,
            });
        }
        self.committed = true;
        let mut leftovers = std::mem::take(&mut self.leftovers);
        if let Err(reason) = remove_if_present(&self.old) {
            leftovers.push(Leftover {
                path: self.old.clone(),
                previous_output: true,
                reason,
            });
        }
        Ok(Committed {
            files: self.written.load(std::sync::atomic::Ordering::Relaxed),
            leftovers,
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _cleanup_is_best_effort = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Writes `files` and `copies` into `output`, replacing what was there only when everything
/// has been written; waits for any other build into `output` to finish first.
pub fn write_site(
    output: &Path,
    files: &[OutputFile],
    copies: &[StaticCopy],
) -> Result<Committed, OutputError> {
    let staging = Staging::create(OutputLock::acquire(output, || {})?)?;
    files.par_iter().try_for_each(|file| staging.write(file))?;
    staging.copy_static(copies)?;
    staging.commit()
}

/// Puts the cache file `cached` at `target`: a hard link (one system call, no bytes read or
/// written; the cache file is read-only, so nobody edits the cache through the output), or a
/// copy where linking fails (another file system, one without links). Only on Unix is it
/// linked: elsewhere a read-only file could not be removed with the output, so the cache's
/// files stay writable there ([`crate::cache`]) and are copied.
fn link_or_copy(cached: &Path, target: &Path) -> std::io::Result<()> {
    if cfg!(unix) && std::fs::hard_link(cached, target).is_ok() {
        return Ok(());
    }
    std::fs::copy(cached, target).map(|_| ())
}

/// The folder part of an output path (`case-studies/x` of `case-studies/x/index.html`), `""`
/// at the top.
fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// Removes a folder and everything in it; one that is not there is no error.
fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match remove_tree(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
/// Removes a folder tree, its entries in parallel: the previous output of a 10,000-page site
/// is 30,000 files, which took seconds one at a time. Symlinks are removed, never followed.
fn remove_tree(path: &Path) -> std::io::Result<()> {
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(path)?.collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree(&entry.path())
        } else {
            std::fs::remove_file(entry.path())
        }
    })?;
    std::fs::remove_dir(path)
}

#[cfg(test)]
mod tests;
