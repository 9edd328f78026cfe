//! Stage 6, write: put the rendered files and the site's `static/` folder on disk, atomically.
//!
//! Everything is written to a staging folder beside the output folder; only when all of it is
//! written is the old output renamed aside, the new one renamed into place and the old one
//! removed. A failed or interrupted build leaves the previous output as it was.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostics::{Code, Diagnostic, Pos};
use crate::render::OutputFile;

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

/// An output being written: files go into a staging folder beside the output folder, and
/// only [`Staging::commit`] puts them in its place. Dropped without a commit, the staging
/// folder is removed and the previous output stays as it was.
#[derive(Debug)]
pub struct Staging {
    output: PathBuf,
    staging: PathBuf,
    old: PathBuf,
    committed: bool,
    written: std::sync::atomic::AtomicUsize,
}

impl Staging {
    /// Prepares a staging folder for `output`, clearing what an interrupted build left.
    pub fn create(output: &Path) -> Result<Staging, OutputError> {
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
        // Folders left by an interrupted build (killed, power cut) are removed first.
        if let Ok(entries) = std::fs::read_dir(parent) {
            let prefixes = [
                format!(".{name}.casebook-new-"),
                format!(".{name}.casebook-old-"),
            ];
            for entry in entries.flatten() {
                let file_name = entry.file_name().to_string_lossy().into_owned();
                if prefixes
                    .iter()
                    .any(|prefix| file_name.starts_with(prefix.as_str()))
                {
                    remove_if_present(&entry.path())?;
                }
            }
        }
        let staging = parent.join(format!(".{name}.casebook-new-{}", std::process::id()));
        let old = parent.join(format!(".{name}.casebook-old-{}", std::process::id()));
        std::fs::create_dir_all(&staging).map_err(|source| OutputError::Io {
            path: staging.clone(),
            source,
        })?;
        Ok(Staging {
            output: output.to_path_buf(),
            staging,
            old,
            committed: false,
            written: Default::default(),
        })
    }

    /// Writes one file (safe to call from many threads at once).
    pub fn write(&self, file: &OutputFile) -> Result<(), OutputError> {
        let target = self.staging.join(&file.path);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder).map_err(|source| OutputError::Io {
                path: folder.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&target, &file.contents).map_err(|source| OutputError::Io {
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
        let target = self.staging.join(to);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder).map_err(|source| OutputError::Io {
                path: folder.to_path_buf(),
                source,
            })?;
        }
        std::fs::rename(self.staging.join(from), &target).map_err(|source| OutputError::Io {
            path: target,
            source,
        })
    }

    /// Copies static files, except where a rendered file already has that path (a site cannot
    /// replace a page by a static file by accident).
    pub fn copy_static(&self, copies: &[StaticCopy]) -> Result<(), OutputError> {
        copies.par_iter().try_for_each(|copy| {
            let target = self.staging.join(&copy.path);
            if target.exists() {
                return Ok(());
            }
            if let Some(folder) = target.parent() {
                std::fs::create_dir_all(folder).map_err(|source| OutputError::Io {
                    path: folder.to_path_buf(),
                    source,
                })?;
            }
            std::fs::copy(&copy.source, &target).map_err(|source| OutputError::Io {
                path: copy.source.clone(),
                source,
            })?;
            self.written
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        })
    }

    /// Puts the staged output in place of the old one; returns the number of files written.
    pub fn commit(mut self) -> Result<usize, OutputError> {
        if self.output.exists() {
            std::fs::rename(&self.output, &self.old).map_err(|source| OutputError::Io {
                path: self.output.clone(),
                source,
            })?;
        }
        if let Err(source) = std::fs::rename(&self.staging, &self.output) {
            // Put the previous output back before reporting.
            let _restore = std::fs::rename(&self.old, &self.output);
            return Err(OutputError::Io {
                path: self.output.clone(),
                source,
            });
        }
        self.committed = true;
        remove_if_present(&self.old)?;
        Ok(self.written.load(std::sync::atomic::Ordering::Relaxed))
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
/// has been written.
pub fn write_site(
    output: &Path,
    files: &[OutputFile],
    copies: &[StaticCopy],
) -> Result<usize, OutputError> {
    let staging = Staging::create(output)?;
    files.par_iter().try_for_each(|file| staging.write(file))?;
    staging.copy_static(copies)?;
    staging.commit()
}

/// Removes a folder and everything in it, if it is there.
fn remove_if_present(path: &Path) -> Result<(), OutputError> {
    match remove_tree(path) {
        Err(source) if source.kind() != std::io::ErrorKind::NotFound => Err(OutputError::Io {
            path: path.to_path_buf(),
            source,
        }),
        _ => Ok(()),
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
