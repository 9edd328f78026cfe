//! Stage 6, write: put the rendered files and the site's `static/` folder on disk, atomically.
//!
//! Everything is written to a staging folder beside the output folder; only when all of it is
//! written is the old output renamed aside, the new one renamed into place and the old one
//! removed. A failed or interrupted build leaves the previous output as it was.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

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

/// What the write stage reports.
#[derive(Debug, Default)]
pub struct Written {
    /// Files written.
    pub files: usize,
    /// Symlinks under `static/` that point outside the site and were skipped.
    pub skipped_links: Vec<String>,
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

/// Writes `files` and `copies` into `output`, replacing what was there only when everything
/// has been written. Files in `copies` win over rendered files of the same path only if no
/// rendered file has that path (a site cannot replace a page by a static file by accident).
pub fn write_site(
    output: &Path,
    files: &[OutputFile],
    copies: &[StaticCopy],
) -> Result<usize, OutputError> {
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
    let staging = parent.join(format!(".{name}.casebook-new-{}", std::process::id()));
    let old = parent.join(format!(".{name}.casebook-old-{}", std::process::id()));
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

    let result = fill(&staging, files, copies);
    if let Err(error) = result {
        let _cleanup_is_best_effort = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OutputError::Io { path, source }
    };
    if output.exists() {
        std::fs::rename(output, &old).map_err(io(output))?;
    }
    if let Err(source) = std::fs::rename(&staging, output) {
        // Put the previous output back before reporting.
        let _restore = std::fs::rename(&old, output);
        return Err(OutputError::Io {
            path: output.to_path_buf(),
            source,
        });
    }
    remove_if_present(&old)?;
    Ok(files.len() + copies.len())
}

fn fill(staging: &Path, files: &[OutputFile], copies: &[StaticCopy]) -> Result<(), OutputError> {
    let mut folders: Vec<PathBuf> = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(copies.iter().map(|c| c.path.as_str()))
        .filter_map(|p| Path::new(p).parent().map(|parent| staging.join(parent)))
        .collect();
    folders.sort();
    folders.dedup();
    std::fs::create_dir_all(staging).map_err(|source| OutputError::Io {
        path: staging.to_path_buf(),
        source,
    })?;
    for folder in &folders {
        std::fs::create_dir_all(folder).map_err(|source| OutputError::Io {
            path: folder.clone(),
            source,
        })?;
    }
    let rendered: std::collections::BTreeSet<&str> =
        files.iter().map(|f| f.path.as_str()).collect();
    copies
        .par_iter()
        .filter(|copy| !rendered.contains(copy.path.as_str()))
        .try_for_each(|copy| {
            let target = staging.join(&copy.path);
            std::fs::copy(&copy.source, &target)
                .map(|_| ())
                .map_err(|source| OutputError::Io {
                    path: copy.source.clone(),
                    source,
                })
        })?;
    files.par_iter().try_for_each(|file| {
        let target = staging.join(&file.path);
        std::fs::write(&target, &file.contents).map_err(|source| OutputError::Io {
            path: target,
            source,
        })
    })
}

fn remove_if_present(path: &Path) -> Result<(), OutputError> {
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(|source| OutputError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}
