//! casebook: a static site generator for shared-learning case studies.
//!
//! The pipeline runs one way, a module per stage: [`load`] finds and reads content files,
//! [`parse`] reads their front matter into typed pages, [`model`] links the pages into one
//! [`model::Site`] and checks everything that spans files. Each stage returns its output
//! with its diagnostics; [`check`] runs them all and reports every problem at once.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod cache;
pub mod config;
pub mod diagnostics;
pub mod images;
pub mod load;
pub mod lsp;
pub mod model;
pub mod parse;
pub mod render;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub mod starter;
pub mod theme;
pub mod write;

use std::path::Path;

use rayon::prelude::*;

use crate::config::{Config, ConfigError};
use crate::diagnostics::Diagnostic;
use crate::load::{LoadError, Source};
use crate::model::Site;
use std::path::PathBuf;

/// Something outside the content that stops a command (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The theme cannot be loaded.
    #[error(transparent)]
    Theme(#[from] theme::ThemeError),
    /// The output cannot be written.
    #[error(transparent)]
    Output(#[from] write::OutputError),
    /// `casebook.yaml` is unreadable or wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The content folder cannot be read.
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// A checked site: the linked model, the sources it came from and every diagnostic.
#[derive(Debug)]
pub struct Checked {
    /// The site config.
    pub config: Config,
    /// The content files a diagnostic names, as loaded, for showing source lines. The others
    /// are not kept: a large site's texts would otherwise be held twice (as sources and as
    /// page bodies).
    pub sources: Vec<Source>,
    /// How many content files were read (with or without problems).
    pub files_read: usize,
    /// The linked site (pages with errors included as far as they could be read).
    pub site: Site,
    /// Every problem, sorted by file, line, column and code.
    pub diagnostics: Vec<Diagnostic>,
    /// The image files the pages show, read and checked.
    pub images: images::Images,
}

impl Checked {
    /// Sorts the diagnostics and reads again the files they name whose text was let go (those
    /// a later stage found a problem in), so that every diagnostic can show its line.
    pub(crate) fn sort_and_reread(&mut self, root: &Path) {
        diagnostics::sort(&mut self.diagnostics);
        reread_named(root, &self.config, &self.diagnostics, &mut self.sources);
    }

    /// The text of a source file by its site-relative path, if a diagnostic names it.
    pub fn source_text(&self, file: &str) -> Option<&str> {
        self.sources
            .binary_search_by(|source| source.path.as_str().cmp(file))
            .ok()
            .map(|index| self.sources[index].text.as_str())
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// What [`check_with`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    /// Whether pages keep their Markdown bodies (a build renders them; `casebook check` does
    /// not need them once their links are found).
    pub bodies: bool,
    /// Whether pages keep what only the render shows ([`model::content::Page::let_go_shown`]):
    /// `casebook check` renders nothing, and checks these fields as it parses them.
    pub shown: bool,
    /// How many content files one task reads and parses at least, one after the other
    /// ([`FILES_AT_A_TIME`] by default). Only one text a thread is in memory at once, whatever
    /// the number.
    pub files_at_a_time: usize,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            bodies: true,
            shown: true,
            files_at_a_time: FILES_AT_A_TIME,
        }
    }
}

/// How many content files a task of [`check`] reads and parses at least: enough that
/// starting a task is little work beside it, few enough to keep every core busy to the end.
pub const FILES_AT_A_TIME: usize = 64;

/// Loads, parses and links the site at `root`, collecting every diagnostic.
pub fn check(root: &Path) -> Result<Checked, Error> {
    check_with(root, &CheckOptions::default())
}

/// [`check`], keeping what `options` asks for.
///
/// Files are read and parsed in parallel, at least [`CheckOptions::files_at_a_time`] files a
/// task: each text is dropped once parsed, except those of files a diagnostic names (kept
/// to show their lines).
/// Files that only the link stage finds a problem in are read again after linking, for the
/// same reason.
pub fn check_with(root: &Path, options: &CheckOptions) -> Result<Checked, Error> {
    let mut checked = check_linked(root, options, parse::BodyPass::All)?.checked;
    // Reads the image files the pages show (an edge, like `load`).
    let (images, image_diagnostics) =
        images::scan(root, &checked.site.pages, &checked.config.images);
    checked.images = images;
    checked.diagnostics.extend(image_diagnostics);
    checked.sort_and_reread(root);
    Ok(checked)
}

/// What reading one content file gives besides its page (small: a list of these is made
/// for every file of the site).
enum FileRead {
    /// Not a source (too large, not UTF-8): its diagnostic.
    Failed(Box<Diagnostic>),
    /// Read and parsed.
    Parsed {
        /// Its problems.
        diagnostics: Vec<Diagnostic>,
        /// Its text, if a diagnostic names it.
        source: Option<Box<Source>>,
        /// Its file and body's first line, if its page has a body the pass leaves.
        unread: Option<Box<(String, u32)>>,
    },
}

/// Reads and parses `file`: its page, if one could be read, and the rest.
fn read_file(
    root: &Path,
    file: &load::FoundFile,
    config: &Config,
    options: &parse::ParseOptions,
    pass: parse::BodyPass,
    shown: bool,
) -> (Option<model::content::Page>, Result<FileRead, LoadError>) {
    let source = match load::read_file(root, file, config.max_file_size) {
        Err(error) => return (None, Err(error)),
        Ok(Err(diagnostic)) => return (None, Ok(FileRead::Failed(Box::new(diagnostic)))),
        Ok(Ok(source)) => source,
    };
    let (mut page, diagnostics) = parse::parse_source_with(&source, options, pass);
    if !shown && let Some(page) = &mut page {
        page.let_go_shown();
    }
    let unread = page
        .as_ref()
        .filter(|page| page.kind.has_body() && !pass.reads(page.draft))
        .map(|page| Box::new((page.file.clone(), page.body.first_line)));
    let named = diagnostics
        .iter()
        .any(|diagnostic| diagnostic.file == source.path);
    let read = FileRead::Parsed {
        diagnostics,
        source: named.then(|| Box::new(source)),
        unread,
    };
    (page, Ok(read))
}

/// The page of a file, if it has one: `filter_map` with this keeps [`check_linked`]'s pages
/// in the memory of the list of every file's (`flatten` would copy them into a new list).
fn page_kept(page: Option<model::content::Page>) -> Option<model::content::Page> {
    page
}

/// [`check_with`] up to the linked site, reading for links and images only the bodies `pass`
/// names: no image is read, the diagnostics are not sorted, and `sources` holds only the
/// files the parse stage found a problem in. Also gives the options the site was linked with
/// and the pages whose bodies were left that linking left out ([`Linked`]).
fn check_linked(
    root: &Path,
    options: &CheckOptions,
    pass: parse::BodyPass,
) -> Result<Linked, Error> {
    let config = config::load_config(root)?;
    let found = load::find(root)?;
    let parse_options = parse::ParseOptions {
        extra_metrics: config.metrics.clone(),
        let_go_bodies: !options.bodies,
    };
    let mut diagnostics = found.diagnostics;
    // Each file is parsed as soon as it is read, on the same thread, and its text dropped
    // unless a diagnostic names it: the texts are never all in memory, and the memory of one
    // file's text serves the next. The pages are written by the threads that read them
    // straight into their places in one list, in file order (no part is gathered and then
    // copied on one thread).
    let (pages, reads): (Vec<_>, Vec<_>) = found
        .files
        .par_iter()
        .with_min_len(options.files_at_a_time.max(1))
        .map(|file| read_file(root, file, &config, &parse_options, pass, options.shown))
        .unzip();
    // Each page has its own copy of its file's path: the list of files (two paths a file)
    // is not kept through linking.
    drop(found.files);
    let mut sources = Vec::new();
    let mut failed_parts = Vec::new();
    let mut files_read = 0;
    // The files of the pages whose bodies `pass` leaves, with each body's first line.
    let mut unread: Vec<(String, u32)> = Vec::new();
    for read in reads {
        match read? {
            FileRead::Failed(diagnostic) => failed_parts.push(*diagnostic),
            FileRead::Parsed {
                diagnostics: mut found,
                source,
                unread: left,
            } => {
                files_read += 1;
                diagnostics.append(&mut found);
                sources.extend(source.map(|source| *source));
                unread.extend(left.map(|left| *left));
            }
        }
    }
    let pages: Vec<model::content::Page> = pages.into_iter().filter_map(page_kept).collect();
    diagnostics.append(&mut failed_parts);
    let link_options = model::LinkOptions {
        link_check: config.link_check,
        static_files: load::list_static_files(root),
        unreadable: unreadable_pages(&diagnostics, &pages),
    };
    let (site, link_diagnostics) = model::link_site(pages, &link_options);
    diagnostics.extend(link_diagnostics);
    // Only the pages linking left out of the site (a duplicate slug, a clashing folder) are
    // kept: the others are the site's.
    if !unread.is_empty() {
        let in_site: std::collections::BTreeSet<&str> =
            site.pages.iter().map(|page| page.file.as_str()).collect();
        unread.retain(|(file, _)| !in_site.contains(file.as_str()));
    }
    let checked = Checked {
        config,
        sources,
        files_read,
        site,
        diagnostics,
        images: images::Images::default(),
    };
    Ok(Linked {
        checked,
        link_options,
        left_out: unread,
    })
}

/// What [`check_linked`] gives.
struct Linked {
    checked: Checked,
    /// The options the site was linked with.
    link_options: model::LinkOptions,
    /// The files (and first body lines) of the pages whose bodies were left unread and that
    /// linking left out of the site (a duplicate slug, a clashing folder).
    left_out: Vec<(String, u32)>,
}

/// Reads again the files `diagnostics` name whose text `sources` lacks (those the link
/// stage found a problem in), so that every diagnostic can show its line. Keeps `sources`
/// sorted by path.
fn reread_named(
    root: &Path,
    config: &Config,
    diagnostics: &[Diagnostic],
    sources: &mut Vec<Source>,
) {
    let have: std::collections::BTreeSet<String> =
        sources.iter().map(|source| source.path.clone()).collect();
    let missing: std::collections::BTreeSet<&str> = diagnostics
        .iter()
        .map(|diagnostic| diagnostic.file.as_str())
        .filter(|file| !have.contains(*file))
        .collect();
    for file in missing {
        if let Some(Ok(Ok(source))) = load::load_file(root, file, config.max_file_size) {
            sources.push(source);
        }
    }
    sources.sort_by(|a, b| a.path.cmp(&b.path));
}

/// The kind and slug of every content file with an error that left it without a page: the
/// files `diagnostics` name that none of `pages` came from.
pub(crate) fn unreadable_pages<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    pages: &[model::content::Page],
) -> std::collections::BTreeSet<(model::ContentKind, String)> {
    let errors: Vec<&Diagnostic> = diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.is_error())
        .collect();
    if errors.is_empty() {
        // No file to look for among the pages (at 100,000 case studies, a set of them all).
        return std::collections::BTreeSet::new();
    }
    let read: std::collections::BTreeSet<&str> =
        pages.iter().map(|page| page.file.as_str()).collect();
    errors
        .into_iter()
        .filter(|diagnostic| !read.contains(diagnostic.file.as_str()))
        .filter_map(|diagnostic| load::page_key_of_path(&diagnostic.file))
        .collect()
}

mod build;
pub use build::{BuildError, BuildOptions, BuildReport, Stage, build};
