//! The state `casebook serve` keeps between rebuilds, and the incremental rebuild itself.
//!
//! A [`Workspace`] holds every source and parsed page by path, the linked [`Site`], and the
//! files of the last good render, kept in a spool on disk (`serve::spool`, `serve::files`).
//! As in a build, the pages let their bodies go once parsed: a page's body is read again from
//! its file's text, in the spool, when the page renders and when the search index is made. A
//! change re-reads and re-parses only the files it names, links the site again (or, when only
//! page bodies changed, puts the new pages in place), and re-renders only the outputs the
//! change can affect (see `serve::affected`); a template change re-renders everything without
//! re-parsing, a config change starts over. While the content has errors the last good files
//! stay as they were, and the changes wait until the content is good again. The files are
//! never written to the output folder. The search index is made apart from the pages, by a
//! [`SearchJob`] that can run on another thread while the pages are served: it holds the
//! linked site it indexes (shared, never copied). A change that must alter that site first
//! stops the job (which lets the site go within one chunk of pages) and marks the index
//! stale, so the index of the newer content replaces it.
//!
//! The parts: reading content from disk (all of it, or the files a change names) is in
//! `reading.rs`; linking the site again, and changing it once search jobs let go of it, in
//! `linking.rs`; rendering what a change affects in `rendering.rs`; the search index's job in
//! `search.rs`; tidying the spools and telling what the workspace holds in `spools.rs`.

mod linking;
mod reading;
mod rendering;
mod search;
mod spools;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{self, Config};
use crate::diagnostics::Diagnostic;
use crate::images::Images;
use crate::load::{self, Source};
use crate::model::content::Page;
use crate::model::{self, Site};
use crate::parse;
use crate::serve::affected::{Footprint, Memo};
use crate::serve::spool::Spool;
use crate::theme::{self, Theme};

pub use crate::serve::files::{Files, Layers, Packed};
pub use search::SearchJob;
pub use spools::Held;

/// One changed content file, read again.
// A rebuild holds one of these per changed file, a handful at most: boxing the page would
// cost more than the space it saves.
#[allow(clippy::large_enum_variant)]
enum Reread {
    /// Gone (deleted or renamed away).
    Gone,
    /// Present but unreadable.
    Problem(load::LoadError),
    /// Too large or not UTF-8.
    Unusable(Box<Diagnostic>),
    /// Read and parsed (the page when its front matter could be read).
    Read(Source, Option<Page>, Vec<Diagnostic>),
}

/// What reading one content file gives: the source, or the diagnostic that makes it unusable,
/// or an I/O error.
type LoadResult = Result<Result<Source, Diagnostic>, load::LoadError>;

/// What changed on disk since the last rebuild, by site-relative path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Content files added, modified or removed (`content/case-studies/x.md`).
    pub content: BTreeSet<String>,
    /// A folder under `content/` changed as a whole (renamed, removed): list the files again.
    pub rescan_content: bool,
    /// Something under `static/` changed.
    pub static_files: bool,
    /// A file under `content/` that is not a page changed (a bundle's photo): the images
    /// pages show are read again.
    pub images: bool,
    /// A template or theme file changed.
    pub theme: bool,
    /// `casebook.yaml` changed.
    pub config: bool,
    /// A file the preview reads from the cache went (`.casebook/cache` was removed):
    /// everything is rendered again, which makes it again.
    pub lost: bool,
}

impl Changes {
    /// Everything read again (config, content, theme, static files) and rendered, as when
    /// the preview starts: what a replaced folder calls for.
    pub fn everything() -> Changes {
        Changes {
            config: true,
            static_files: true,
            ..Changes::default()
        }
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    /// Adds the changes of `other`.
    pub fn merge(&mut self, other: Changes) {
        self.content.extend(other.content);
        self.rescan_content |= other.rescan_content;
        self.static_files |= other.static_files;
        self.images |= other.images;
        self.theme |= other.theme;
        self.config |= other.config;
        self.lost |= other.lost;
    }
}

/// A problem that is not a content diagnostic but still stops the preview from updating: an
/// unreadable theme or config, a folder that cannot be read. Shown like a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file involved, site-relative when possible.
    pub file: String,
    /// What went wrong.
    pub message: String,
}

/// What one rebuild did.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// Output paths whose contents changed, were added or removed (empty when the content has
    /// errors and nothing was rendered).
    pub changed: Vec<String>,
    /// Outputs rendered this time (all of them on a full render).
    pub rendered: usize,
    /// Whether every output was rendered.
    pub full: bool,
    /// How long the rebuild took (until the pages were ready).
    pub took: Duration,
    /// How long each step of the rebuild took, in order (`CASEBOOK_TIMINGS=1` prints them).
    pub steps: Vec<(&'static str, Duration)>,
}

/// Which pages a preview shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drafts {
    /// Drafts are shown (marked as drafts by the theme): the preview's default.
    Shown,
    /// Drafts are left out, as `casebook build` does.
    Hidden,
}

/// The site as `casebook serve` holds it between rebuilds.
#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
    drafts: Drafts,
    /// Replaces the config's `base_url` (the preview's own address).
    base_url: Option<String>,
    config: Config,
    theme: Theme,
    /// The text of every content file read, in [`Workspace::sources_spool`]: shown with
    /// diagnostics, and the pages' bodies are read from it as they render (the linked site
    /// holds none). Shared with a [`SearchJob`], which reads the bodies too.
    sources: Arc<Sources>,
    /// Where the content's text is kept (`None`: no spool could be made, it is deflated in
    /// memory). A new one each time all the content is read.
    sources_spool: Option<Arc<Spool>>,
    /// Where the rendered files are kept (`None`: deflated in memory). A new one for each
    /// full render; copied into a new one when its dead space outgrows it
    /// ([`Workspace::tidy`]).
    pages_spool: Option<Arc<Spool>>,
    /// Load and parse diagnostics, by file.
    file_diagnostics: BTreeMap<String, Vec<Diagnostic>>,
    /// The images the linked site's pages show, read again with every change.
    images: Images,
    /// What scanning the images found (E017, W109).
    image_diagnostics: Vec<Diagnostic>,
    /// What the last scan learnt of each image file: only changed files are read again.
    scanned: crate::images::Scanned,
    /// The images of the last good render, as published.
    shown_images: Images,
    /// The image files of the last good render (kept as they are: WebP, JPEG, PNG and GIF
    /// are compressed already), also among the rendered files.
    image_outputs: Files,
    /// The linked site with every page that could be read (shared with a [`SearchJob`]).
    site: Arc<Site>,
    /// Pages linking left out because another file has their slug (an error while it lasts).
    spare: Vec<Page>,
    link_diagnostics: Vec<Diagnostic>,
    static_paths: BTreeSet<String>,
    static_files: Arc<Files>,
    skipped_links: Vec<String>,
    rendered: Layers,
    memo: Memo,
    /// Content files changed since the last good render.
    pending: BTreeSet<String>,
    /// Whether the next render must render everything.
    pending_all: bool,
    /// Whether the site was linked again since the last good render (rather than only
    /// having page bodies replaced in place).
    relinked_since_render: bool,
    /// The search index's files, as of the last [`Workspace::set_search`].
    search: Arc<Files>,
    /// Tells the search jobs holding the current site to stop.
    stop_search: Arc<AtomicBool>,
    /// Whether the search index is older than the rendered pages.
    search_stale: bool,
    diagnostics: Vec<Diagnostic>,
    problems: Vec<Problem>,
}

impl Workspace {
    /// Loads, parses and links the site at `root` and renders it when it has no errors. Fails
    /// only when the config or the theme cannot be read at all.
    pub fn open(root: &Path, drafts: Drafts) -> Result<Workspace, crate::Error> {
        Workspace::open_with_base_url(root, drafts, None)
    }

    /// As [`Workspace::open`], with `base_url` in place of the config's (as `casebook build
    /// --base-url` does).
    pub fn open_with_base_url(
        root: &Path,
        drafts: Drafts,
        base_url: Option<&str>,
    ) -> Result<Workspace, crate::Error> {
        // The preview's own address, made by `serve`; a caller's bad value keeps the config's.
        let base_url = base_url.and_then(|url| config::normalise_base_url(url).ok());
        let mut config = config::load_config(root)?;
        if let Some(url) = &base_url {
            config.base_url = url.clone();
        }
        let theme = theme::load_theme(root, &config.theme)?;
        let mut workspace = Workspace {
            root: root.to_path_buf(),
            drafts,
            base_url,
            config,
            theme,
            sources: Arc::default(),
            sources_spool: None,
            pages_spool: None,
            file_diagnostics: BTreeMap::new(),
            images: Images::default(),
            image_diagnostics: Vec::new(),
            scanned: crate::images::Scanned::default(),
            shown_images: Images::default(),
            image_outputs: Files::new(),
            site: Arc::default(),
            spare: Vec::new(),
            link_diagnostics: Vec::new(),
            static_paths: BTreeSet::new(),
            static_files: Arc::default(),
            skipped_links: Vec::new(),
            rendered: Layers::default(),
            memo: Memo::default(),
            pending: BTreeSet::new(),
            pending_all: true,
            relinked_since_render: true,
            search: Arc::default(),
            stop_search: Arc::default(),
            search_stale: false,
            diagnostics: Vec::new(),
            problems: Vec::new(),
        };
        workspace.read_all_content()?;
        workspace.read_static();
        workspace.relink();
        workspace.render();
        workspace.update_search();
        Ok(workspace)
    }

    /// Applies `changes` as [`Workspace::apply_pages`] does, then brings the search index up
    /// to date: afterwards the files are those of a full build of the same content.
    pub fn apply(&mut self, changes: &Changes) -> Update {
        let started = Instant::now();
        let mut update = self.apply_pages(changes);
        if let Some(changed) = self.update_search() {
            update.changed.extend(changed);
            update.changed.sort();
            update.changed.dedup();
        }
        update.took = started.elapsed();
        update
    }

    /// Applies `changes`: re-reads what they name and re-renders the pages they affect
    /// (the search index waits for [`Workspace::update_search`]). Never fails: problems are
    /// kept in [`Workspace::problems`] and the last good files stay served.
    pub fn apply_pages(&mut self, changes: &Changes) -> Update {
        let started = Instant::now();
        self.problems.clear();
        let mut in_place = false;
        if changes.config {
            match config::load_config(&self.root) {
                Ok(mut config) => {
                    if let Some(url) = &self.base_url {
                        config.base_url = url.clone();
                    }
                    self.config = config;
                    if let Err(error) = self.read_all_content() {
                        self.problem("content", &error);
                    }
                    self.reload_theme();
                    self.pending_all = true;
                }
                Err(error) => self.problem(config::CONFIG_FILE, &error),
            }
        } else {
            if changes.theme {
                self.reload_theme();
                self.pending_all = true;
            }
            let mut paths = changes.content.clone();
            if changes.rescan_content {
                paths.extend(self.content_files_changed_on_disk());
            }
            in_place = self.reread(&paths);
        }
        if changes.static_files {
            self.read_static();
        }
        if changes.lost {
            self.pending_all = true;
            // Made again too: the lost file may be one of theirs.
            self.image_outputs.clear();
        }
        let mut steps = vec![("read", started.elapsed())];
        let mut lap = Instant::now();
        let mut step = |name: &'static str| {
            steps.push((name, lap.elapsed()));
            lap = Instant::now();
        };
        if in_place && !changes.static_files {
            self.collect_diagnostics();
            step("check");
        } else {
            self.relink();
            self.relinked_since_render = true;
            step("link");
        }
        let mut update = if self.problems.is_empty() {
            self.render()
        } else {
            Update::default()
        };
        update.steps.splice(0..0, steps);
        update.took = started.elapsed();
        update
    }
    /// The files of the last good render, rendered and static, as the server serves them:
    /// a rendered file wins over a static file of the same path, as in `casebook build`. The
    /// search index's files are apart ([`Workspace::search_files`]).
    pub fn files(&self) -> (Layers, Arc<Files>) {
        (self.rendered.clone(), Arc::clone(&self.static_files))
    }

    /// Every diagnostic of the current content (errors and warnings), sorted.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Problems outside the content that stopped the last rebuild.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Whether the preview is behind the files on disk: content errors or other problems.
    pub fn has_errors(&self) -> bool {
        !self.problems.is_empty() || self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The text of a content file, for showing source lines in diagnostics.
    pub fn source_text(&self, file: &str) -> Option<String> {
        let bytes = self.sources.get(file)?.unpack().ok()?;
        String::from_utf8(bytes.into_owned()).ok()
    }

    /// Pages in the linked site (drafts included).
    pub fn page_count(&self) -> usize {
        self.site.pages.len()
    }

    /// Drafts the preview leaves out: none when drafts are shown.
    pub fn hidden_drafts(&self) -> usize {
        match self.drafts {
            Drafts::Shown => 0,
            Drafts::Hidden => self.site.pages.iter().filter(|page| page.draft).count(),
        }
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn problem(&mut self, file: &str, error: &dyn std::fmt::Display) {
        self.problems.push(Problem {
            file: file.to_owned(),
            message: error.to_string(),
        });
    }

    fn reload_theme(&mut self) {
        match theme::load_theme(&self.root, &self.config.theme) {
            Ok(theme) => self.theme = theme,
            Err(error) => self.problem("templates", &error),
        }
    }

    fn parse_options(&self) -> parse::ParseOptions {
        parse::ParseOptions {
            extra_metrics: self.config.metrics.clone(),
            let_go_bodies: false,
        }
    }
}

/// The site as published: every page, or without drafts (linked again, so that links and
/// references to drafts become plain text, as in `casebook build`).
fn published<'a>(site: &'a Site, drafts: Drafts, config: &Config) -> std::borrow::Cow<'a, Site> {
    match drafts {
        Drafts::Shown => std::borrow::Cow::Borrowed(site),
        Drafts::Hidden => std::borrow::Cow::Owned(model::without_drafts(
            site.pages.iter().cloned(),
            config.link_check,
        )),
    }
}

/// The text of each content file read, by path (kept as [`Packed`]).
pub(crate) type Sources = BTreeMap<String, Packed>;

/// Footprints of the pages of `site`, by file.
pub(crate) fn footprints(site: &Site) -> BTreeMap<String, Footprint> {
    site.pages
        .par_iter()
        .map(|page| (page.file.clone(), Footprint::of(page)))
        .collect()
}
