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
    /// The content files as loaded, for showing source lines in diagnostics.
    pub sources: Vec<Source>,
    /// The linked site (pages with errors included as far as they could be read).
    pub site: Site,
    /// Every problem, sorted by file, line, column and code.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// The text of a source file by its site-relative path.
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

/// Loads, parses and links the site at `root`, collecting every diagnostic.
pub fn check(root: &Path) -> Result<Checked, Error> {
    let config = config::load_config(root)?;
    let loaded = load::load(root, config.max_file_size)?;
    let options = parse::ParseOptions {
        extra_metrics: config.metrics.clone(),
    };
    let parsed = parse::parse_sources(&loaded.sources, &options);
    let failed = loaded.diagnostics.iter().chain(&parsed.diagnostics);
    let link_options = model::LinkOptions {
        link_check: config.link_check,
        static_files: load::list_static_files(root),
        unreadable: unreadable_pages(failed, &parsed.pages),
    };
    let (site, link_diagnostics) = model::link_site(parsed.pages, &link_options);

    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(parsed.diagnostics);
    diagnostics.extend(link_diagnostics);
    diagnostics::sort(&mut diagnostics);
    Ok(Checked {
        config,
        sources: loaded.sources,
        site,
        diagnostics,
    })
}

/// The kind and slug of every content file with an error that left it without a page: the
/// files `diagnostics` name that none of `pages` came from.
pub(crate) fn unreadable_pages<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    pages: &[model::content::Page],
) -> std::collections::BTreeSet<(model::ContentKind, String)> {
    let read: std::collections::BTreeSet<&str> =
        pages.iter().map(|page| page.file.as_str()).collect();
    diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.is_error() && !read.contains(diagnostic.file.as_str()))
        .filter_map(|diagnostic| load::page_key_of_path(&diagnostic.file))
        .collect()
}

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder.
    pub root: PathBuf,
    /// Where to write; `<root>/public` when not given.
    pub output: Option<PathBuf>,
    /// Replaces `base_url` from the config.
    pub base_url: Option<String>,
    /// Whether drafts are published.
    pub drafts: bool,
}

impl BuildOptions {
    /// The folder the build writes: `output`, or `<root>/public`.
    pub fn output_folder(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// The stages a build reports as it goes, for a progress indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for another build into the same output to finish (reported only when there is
    /// one, before [`Stage::Checking`]).
    Waiting,
    /// Loading, parsing and checking content.
    Checking,
    /// Rendering pages.
    Rendering,
    /// Finishing the search index (built alongside the pages).
    Indexing,
    /// Writing the output.
    Writing,
}

/// What a finished build did.
#[derive(Debug)]
pub struct BuildReport {
    /// The checked content: its diagnostics (warnings only) and sources; its site has moved
    /// into the build.
    pub checked: Checked,
    /// Content pages published.
    pub pages: usize,
    /// Drafts left out (none when building with drafts).
    pub drafts_left_out: usize,
    /// Files written.
    pub files: usize,
    /// Where.
    pub output: PathBuf,
    /// Symlinks in `static/` that were not followed.
    pub skipped_links: Vec<String>,
    /// Folders beside the output that could not be removed (the build still succeeded).
    pub leftovers: Vec<write::Leftover>,
    /// Share images rasterised (not found in the cache).
    pub share_images_rasterised: usize,
}

/// Why a build stopped.
#[derive(Debug)]
pub enum BuildError {
    /// Content or template errors: nothing was written.
    Content(Box<Checked>),
    /// Something outside the content.
    Other(Error),
}

impl<E: Into<Error>> From<E> for BuildError {
    fn from(error: E) -> BuildError {
        BuildError::Other(error.into())
    }
}

/// Checks, renders and writes the site. Content errors stop the build before anything is
/// written, and the previous output stays as it was. Builds into the same output run one at a
/// time: this one waits (reporting [`Stage::Waiting`]) for any other to finish.
pub fn build(options: &BuildOptions, progress: &dyn Fn(Stage)) -> Result<BuildReport, BuildError> {
    let output = options.output_folder();
    // Locked before the content is read, so that of two builds the one that commits last has
    // read the newer content.
    let lock = write::OutputLock::acquire(&output, || progress(Stage::Waiting))?;
    progress(Stage::Checking);
    let mut checked = check(&options.root)?;
    if let Some(base_url) = &options.base_url {
        // `main` has checked the flag; a library caller's bad value keeps the config's.
        if let Ok(base_url) = config::normalise_base_url(base_url) {
            checked.config.base_url = base_url;
        }
    }
    if checked.has_errors() {
        return Err(BuildError::Content(Box::new(checked)));
    }
    // The checked site moves into the published one (the report keeps only diagnostics and
    // sources): a large site is not held twice.
    let site = std::mem::take(&mut checked.site);
    // Source texts are kept only where a warning will show a line of them.
    let shown: std::collections::BTreeSet<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.file.as_str())
        .collect();
    let sources = std::mem::take(&mut checked.sources);
    let sources = sources
        .into_iter()
        .filter(|s| shown.contains(s.path.as_str()))
        .collect();
    checked.sources = sources;
    let drafts = site.pages.iter().filter(|page| page.draft).count();
    let drafts_left_out = if options.drafts { 0 } else { drafts };
    let published = if options.drafts {
        site
    } else {
        model::without_drafts(site.pages, checked.config.link_check)
    };
    let theme = theme::load_theme(&options.root, &checked.config.theme)?;
    progress(Stage::Rendering);
    // Each rendered file goes straight to the staging folder, so a large site is never held in
    // memory whole; the staging folder replaces the output only when everything is written.
    let staging = write::Staging::create(lock)?;
    // Share images are cached beside the site (`.casebook/cache/share/`): a warm build
    // rasterises none.
    let share_images = render::ShareImages::new(cache::Cache::open(&options.root, "share"));
    let emit = |file: write::OutputFile| staging.write(&file);
    // The search index is built while the pages render: both only read the site. It has
    // threads of its own: in rayon's shared pool its tasks would wait behind every page's.
    let (rendered, indexed) = std::thread::scope(|scope| {
        let indexing = scope.spawn(|| -> Result<(), write::OutputError> {
            let index = || {
                let cards =
                    search::emit_index(&published, &checked.config, &|file| staging.write(&file))?;
                match cards {
                    Some(hash) => {
                        staging.rename(search::PENDING_CARDS, &search::cards_folder(&hash))
                    }
                    None => Ok(()),
                }
            };
            match rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("casebook-index-{i}"))
                .build()
            {
                Ok(pool) => pool.install(index),
                Err(_) => index(),
            }
        });
        let rendered = render::render_to(&published, &checked.config, &theme, &share_images, &emit);
        progress(Stage::Indexing);
        let indexed = indexing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (rendered, indexed)
    });
    match rendered {
        Ok(()) => {}
        Err(render::RenderFailure::Templates(template_errors)) => {
            checked.diagnostics.extend(template_errors);
            diagnostics::sort(&mut checked.diagnostics);
            return Err(BuildError::Content(Box::new(checked)));
        }
        Err(render::RenderFailure::Output(error)) => return Err(error.into()),
    }
    indexed?;
    progress(Stage::Writing);
    let (copies, skipped_links) = write::static_copies(&options.root);
    checked.diagnostics.extend(
        skipped_links
            .iter()
            .map(|link| write::skipped_link_warning(link)),
    );
    staging.copy_static(&copies)?;
    let committed = staging.commit()?;
    Ok(BuildReport {
        pages: published.pages.len(),
        drafts_left_out,
        files: committed.files,
        output,
        checked,
        skipped_links,
        leftovers: committed.leftovers,
        share_images_rasterised: share_images.rasterised(),
    })
}
