//! The state `casebook serve` keeps between rebuilds, and the incremental rebuild itself.
//!
//! A [`Workspace`] holds every source and parsed page by path, the linked [`Site`], and the
//! files of the last good render, kept in a spool on disk (`serve::spool`, `serve::files`).
//! As in a build, the pages let their bodies go once parsed: a page's body is read again from
//! its file's text, in the spool, when the page renders and when the search index is made. A change re-reads and re-parses only the files it names,
//! links the site again (or, when only page bodies changed, puts the new pages in place), and
//! re-renders only the outputs the change can affect (see `serve::affected`); a template
//! change re-renders everything without re-parsing, a config change starts over. While the
//! content has errors the last good files stay as they were, and the changes wait until the
//! content is good again. The files are never written to the output folder. The search index is made apart
//! from the pages, by a [`SearchJob`] that can run on another thread while the pages are
//! served: it holds the linked site it indexes (shared, never copied). A change that must
//! alter that site first stops the job (which lets the site go within one chunk of pages) and
//! marks the index stale, so the index of the newer content replaces it.
//!
//! Reading content from disk (all of it, or the files a change names) is in `reading.rs`.

mod reading;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{self, Config};
use crate::diagnostics::{self, Diagnostic};
use crate::images::Images;
use crate::load::{self, Source};
use crate::model::ContentKind;
use crate::model::content::Page;
use crate::model::{self, Site};
use crate::parse;
use crate::render::{self, RenderFailure};
use crate::serve::affected::{self, Footprint, Memo};
use crate::theme::{self, Theme};

use crate::serve::files::Keep;
pub use crate::serve::files::{Files, Layers, Packed};
use crate::serve::spool::Spool;
use crate::write::OutputFile;

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

    /// Rebuilds the search index, here and now, when the pages changed since it was built;
    /// returns the output paths that changed.
    pub fn update_search(&mut self) -> Option<Vec<String>> {
        let job = self.search_job()?;
        let files = job.run()?;
        Some(self.set_search(Arc::new(files)))
    }

    /// The search index to make when the pages changed since the last one was asked for
    /// (`None` otherwise). The index covers the whole site, so `casebook serve` makes it on
    /// its own thread after the pages are served: the page being edited shows at once, and
    /// search catches up moments later. Hand the files to [`Workspace::set_search`].
    pub fn search_job(&mut self) -> Option<SearchJob> {
        if !self.search_stale {
            return None;
        }
        self.search_stale = false;
        Some(SearchJob {
            root: self.root.clone(),
            site: Arc::clone(&self.site),
            sources: Arc::clone(&self.sources),
            drafts: self.drafts,
            config: self.config.clone(),
            stop: Arc::clone(&self.stop_search),
        })
    }

    /// Takes `files` as the search index's files; returns the paths that changed.
    pub fn set_search(&mut self, files: Arc<Files>) -> Vec<String> {
        let previous = std::mem::replace(&mut self.search, files);
        changed_paths(&previous, &self.search)
    }

    /// The search index's files, as of the last [`Workspace::set_search`].
    pub fn search_files(&self) -> Arc<Files> {
        Arc::clone(&self.search)
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

    /// Copies the rendered files, and the content's text, each into a new spool when the dead
    /// space of theirs has outgrown [`TIDY_AT`] and what is still live (a file rendered or
    /// read again leaves its old bytes behind). Returns whether the rendered files moved: the
    /// server is then to be given them again ([`Workspace::files`]). Their bytes are the same.
    pub fn tidy(&mut self) -> bool {
        self.tidy_over(TIDY_AT)
    }

    /// [`Workspace::tidy`] with `least` bytes of dead space at least.
    pub(crate) fn tidy_over(&mut self, least: u64) -> bool {
        let outgrown = |spool: &Option<Arc<Spool>>| {
            spool.as_ref().is_some_and(|spool| {
                let dead = spool.dead();
                dead >= least && dead > spool.size() - dead
            })
        };
        if outgrown(&self.sources_spool)
            && let Ok(fresh) = Spool::create(&self.root)
        {
            for packed in Arc::make_mut(&mut self.sources).values_mut() {
                *packed = packed.respool(&fresh);
            }
            self.sources_spool = Some(fresh);
        }
        if !outgrown(&self.pages_spool) {
            return false;
        }
        let Ok(fresh) = Spool::create(&self.root) else {
            return false;
        };
        let files: Files = self
            .rendered
            .to_map()
            .into_par_iter()
            .map(|(path, packed)| {
                let packed = if packed.spooled_outside(&fresh) {
                    packed.respool(&fresh)
                } else {
                    packed
                };
                (path, packed)
            })
            .collect();
        self.rendered = Layers::from_map(files);
        self.pages_spool = Some(fresh);
        true
    }

    /// What the workspace holds, in memory and in its spools, for `CASEBOOK_TIMINGS=1`.
    pub fn held(&self) -> Held {
        let rendered = self.rendered.to_map();
        let in_memory = |files: &mut dyn Iterator<Item = &Packed>| -> usize {
            files.map(Packed::stored_len).sum()
        };
        let spooled = |spool: &Option<Arc<Spool>>| {
            spool
                .as_ref()
                .map_or((0, 0), |spool| (spool.size(), spool.dead()))
        };
        Held {
            rendered_files: rendered.len(),
            rendered_in_memory: in_memory(&mut rendered.values()),
            search_in_memory: in_memory(&mut self.search.values()),
            sources_in_memory: in_memory(&mut self.sources.values()),
            static_in_memory: in_memory(&mut self.static_files.values()),
            bodies: self
                .site
                .pages
                .iter()
                .map(|page| page.body.markdown.len())
                .sum(),
            pages_spool: spooled(&self.pages_spool),
            sources_spool: spooled(&self.sources_spool),
        }
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

    /// The linked site, to change: search jobs holding it are stopped and let go of it first
    /// (within one chunk of pages; the index is then stale). Copied only if they have not let
    /// go within [`STOP_WAIT`].
    fn site_mut(&mut self) -> &mut Site {
        if Arc::strong_count(&self.site) > 1 {
            self.stop_search.store(true, Ordering::SeqCst);
            self.stop_search = Arc::default();
            self.search_stale = true;
            let deadline = Instant::now() + STOP_WAIT;
            while Arc::strong_count(&self.site) > 1 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        Arc::make_mut(&mut self.site)
    }

    /// The pages of the linked site, taken out of it.
    fn take_pages(&mut self) -> Vec<Page> {
        std::mem::take(&mut self.site_mut().pages)
    }

    /// Puts `page` in place of the page at `slot` of the linked site.
    fn replace_page(&mut self, slot: usize, page: Page) {
        self.site_mut().pages[slot] = page;
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
        }
    }

    /// Links every page again, keeping aside the pages linking drops as duplicates so that
    /// the next change can bring them back.
    fn relink(&mut self) {
        let mut pages = self.take_pages();
        pages.append(&mut self.spare);
        // link_site keeps, of the pages sharing a kind and slug, the one whose file sorts first
        // and drops the others (reporting them): copies of those are kept here.
        let mut first_file: BTreeMap<(ContentKind, &str), &str> = BTreeMap::new();
        let mut duplicated = false;
        for page in &pages {
            let key = (page.kind, page.slug.value.as_str());
            match first_file.get_mut(&key) {
                Some(first) => {
                    duplicated = true;
                    if page.file.as_str() < *first {
                        *first = &page.file;
                    }
                }
                None => {
                    first_file.insert(key, &page.file);
                }
            }
        }
        let spare: Vec<Page> = if duplicated {
            pages
                .iter()
                .filter(|page| {
                    first_file.get(&(page.kind, page.slug.value.as_str()))
                        != Some(&page.file.as_str())
                })
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        drop(first_file);
        let kept = pages;
        let options = model::LinkOptions {
            link_check: self.config.link_check,
            static_files: self.static_paths.clone(),
            unreadable: crate::unreadable_pages(self.file_diagnostics.values().flatten(), &kept),
        };
        let (site, link_diagnostics) = model::link_site(kept, &options);
        self.site = Arc::new(site);
        self.spare = spare;
        self.link_diagnostics = link_diagnostics;
        self.collect_diagnostics();
    }

    /// Reads the images the pages show again (as `casebook check` does, after the model),
    /// then gathers the diagnostics of every stage, sorted.
    fn collect_diagnostics(&mut self) {
        let (images, image_diagnostics) = crate::images::scan_again(
            &self.root,
            &self.site.pages,
            &self.config.images,
            &self.scanned,
        );
        self.images = images;
        self.image_diagnostics = image_diagnostics;
        let mut all: Vec<Diagnostic> = self
            .file_diagnostics
            .values()
            .flatten()
            .cloned()
            .chain(self.link_diagnostics.iter().cloned())
            .chain(self.image_diagnostics.iter().cloned())
            .collect();
        all.extend(
            self.skipped_links
                .iter()
                .map(|link| crate::write::skipped_link_warning(link)),
        );
        diagnostics::sort(&mut all);
        self.diagnostics = all;
    }

    /// Renders what the pending changes affect, when the content has no errors.
    fn render(&mut self) -> Update {
        if self.has_errors() {
            return Update::default();
        }
        let mut steps = Vec::new();
        let mut lap = Instant::now();
        let mut step = |name: &'static str| {
            steps.push((name, lap.elapsed()));
            lap = Instant::now();
        };
        let published = published(&self.site, self.drafts, &self.config);
        let published = published.as_ref();
        let mut images = self.images.clone();
        images.retain_shown_by(&published.pages);
        // Only images new since the last good render are made (from the cache when there):
        // the outputs of the others are held already.
        let made_before: BTreeSet<String> = self.image_outputs.keys().cloned().collect();
        let made = match emit_images(&images.missing_from(&made_before), &self.root) {
            Ok(made) => made,
            Err(image_diagnostics) => {
                self.diagnostics.extend(image_diagnostics);
                diagnostics::sort(&mut self.diagnostics);
                return Update::default();
            }
        };
        step("images");
        // A page showing an image that changed names other files: it is rendered again.
        let mut pending = self.pending.clone();
        pending.extend(images.pages_changed_since(&self.shown_images));
        let mut memo = std::mem::take(&mut self.memo);
        let plan = if self.pending_all {
            memo = Memo::of(published);
            None
        } else {
            let before = memo.advance(published, &pending, self.relinked_since_render);
            affected::plan(&before, &memo, published, &self.theme, &pending)
        };
        step("plan");
        // Share images are served from the cache files that hold them, not held in memory.
        let share =
            render::ShareImages::new(crate::cache::Cache::open(&self.root, "share").remembering());
        if plan.is_none() {
            // A new spool: the old one goes with the last files and requests that hold it.
            self.pages_spool = Spool::create(&self.root).ok();
        }
        let everything = |_: &str| true;
        let wanted: &(dyn Fn(&str) -> bool + Sync) = match &plan {
            None => &everything,
            Some(plan) => &|path| plan.wants(path),
        };
        let result = render_packed(
            published,
            &self.config,
            &self.theme,
            (&images, &share),
            wanted,
            (
                &self.sources,
                keep_in(self.pages_spool.as_ref()),
                &self.rendered,
            ),
        );
        step("pages");
        self.memo = memo;
        let files = match result {
            Ok(files) => files,
            Err(RenderFailure::Templates(template_diagnostics)) => {
                // The memo already describes the new site: render everything next time.
                self.pending_all = true;
                self.diagnostics.extend(template_diagnostics);
                diagnostics::sort(&mut self.diagnostics);
                return Update::default();
            }
            Err(RenderFailure::Output(unread)) => {
                // Never expected: a page's text is kept with the page parsed from it.
                self.pending_all = true;
                self.problem(&unread.0, &"its text could not be read back; save it again");
                return Update::default();
            }
        };
        let rendered_count = files.len() + made.len();
        let needed = images.output_paths();
        let unneeded: Vec<String> = made_before.difference(&needed).cloned().collect();
        self.image_outputs
            .retain(|path, _| needed.contains(path.as_str()));
        self.image_outputs.extend(made.iter().cloned());
        self.shown_images = images;
        let (next, changed) = match &plan {
            None => {
                let mut next: Files = files.into_iter().collect();
                next.extend(
                    self.image_outputs
                        .iter()
                        .map(|(path, packed)| (path.clone(), packed.clone())),
                );
                let changed = changed_paths(&self.rendered.to_map(), &next);
                (Layers::from_map(next), changed)
            }
            Some(plan) => {
                let removed: Vec<String> = plan.removed.iter().cloned().chain(unneeded).collect();
                self.rendered
                    .update(&removed, files.into_iter().chain(made))
            }
        };
        self.rendered = next;
        let full = plan.is_none();
        // The index reads the model, not the pages: any content change may change it.
        self.search_stale |= full || !self.pending.is_empty();
        self.pending.clear();
        self.pending_all = false;
        self.relinked_since_render = false;
        step("files");
        Update {
            changed,
            rendered: rendered_count,
            full,
            steps,
            ..Update::default()
        }
    }
}

/// Dead space in a spool, in bytes, below which it is never copied ([`Workspace::tidy`]).
const TIDY_AT: u64 = 64 << 20;

/// What a [`Workspace`] holds ([`Workspace::held`]), in bytes unless said otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct Held {
    /// Rendered files (a count).
    pub rendered_files: usize,
    /// Bytes of rendered files held in memory (none when they are in a spool).
    pub rendered_in_memory: usize,
    /// Bytes of the current search index's files held in memory.
    pub search_in_memory: usize,
    /// Bytes of the content's text held in memory.
    pub sources_in_memory: usize,
    /// Bytes of static files held in memory.
    pub static_in_memory: usize,
    /// Bytes of Markdown bodies held by the linked site.
    pub bodies: usize,
    /// The rendered files' spool: its size and its dead space.
    pub pages_spool: (u64, u64),
    /// The content text's spool: its size and its dead space.
    pub sources_spool: (u64, u64),
}

impl std::fmt::Display for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = |bytes: u64| bytes as f64 / 1e6;
        let mbu = |bytes: usize| mb(bytes as u64);
        write!(
            f,
            "held (MB): {} rendered files {:.1} in memory, search {:.1}, sources {:.1}, static {:.1}, bodies {:.1}; spools: pages {:.1} ({:.1} dead), sources {:.1} ({:.1} dead)",
            self.rendered_files,
            mbu(self.rendered_in_memory),
            mbu(self.search_in_memory),
            mbu(self.sources_in_memory),
            mbu(self.static_in_memory),
            mbu(self.bodies),
            mb(self.pages_spool.0),
            mb(self.pages_spool.1),
            mb(self.sources_spool.0),
            mb(self.sources_spool.1),
        )
    }
}

/// How long a change waits for stopped search jobs to let go of the site before copying it.
const STOP_WAIT: Duration = Duration::from_secs(2);

/// A search index to make: the linked site it indexes, and how it is published.
#[derive(Debug)]
pub struct SearchJob {
    /// The site root, where the index's spool is made.
    root: PathBuf,
    site: Arc<Site>,
    /// The text of each page's file, to read its body from.
    sources: Arc<Sources>,
    drafts: Drafts,
    config: Config,
    /// Set when the workspace must change the site: the job is dropped unfinished.
    stop: Arc<AtomicBool>,
}

/// A search job stopped unfinished.
struct Stopped;

impl SearchJob {
    /// Makes the search index's files (`search/...`), in a spool of their own (which goes
    /// when the last of them does), else deflated. Takes the time of indexing the whole
    /// site: run it where nothing waits for it.
    /// `None` when the workspace stopped it to change the site.
    pub fn run(&self) -> Option<Files> {
        if self.stopped() {
            return None;
        }
        let published = published(&self.site, self.drafts, &self.config);
        let spool = Spool::create(&self.root).ok();
        let how = keep_in(spool.as_ref());
        let files = std::sync::Mutex::new(Vec::new());
        let keep = |file: OutputFile| -> Result<(), Stopped> {
            if self.stopped() {
                return Err(Stopped);
            }
            let packed = Packed::keep(file.contents, how);
            files
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((file.path, packed));
            Ok(())
        };
        // The pages' texts from their bodies, a part at a time, as `search::emit_index` takes
        // them from a site that holds its bodies. Once the job is stopped the texts left are
        // empty, so that the next file it emits (the part's cards) ends it at once: a save
        // waits for it to let go of the site.
        let unread = AtomicBool::new(false);
        let texts = published.pages.chunks(crate::search::CHUNK).map(|chunk| {
            chunk
                .par_iter()
                .map(|page| {
                    if self.stopped() {
                        return crate::search::PlainText::default();
                    }
                    match body_of(&self.sources, page) {
                        Ok(body) => crate::search::text::markdown_text(&body),
                        Err(_) => {
                            unread.store(true, Ordering::SeqCst);
                            crate::search::PlainText::default()
                        }
                    }
                })
                .collect()
        });
        let cards =
            crate::search::emit_index_of_texts(&published, &self.config, texts, &keep).ok()?;
        if unread.load(Ordering::SeqCst) || self.stopped() {
            // Texts left out: never expected from a file's text, and a stopped job's index
            // is stale anyway.
            return None;
        }
        let mut files = files
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(cards) = cards {
            for (path, _) in &mut files {
                *path = crate::search::card_path(path, &cards);
            }
        }
        Some(files.into_iter().collect())
    }

    /// Whether the workspace stopped this job.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
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

/// A page whose body could not be read back from the text it was parsed from (its file).
#[derive(Debug)]
pub(crate) struct Unread(String);

/// The body of `page`, from the text of its file in `sources`: the text it was parsed from,
/// whose body's hash the page kept when it let its body go.
fn body_of(sources: &Sources, page: &Page) -> Result<String, Unread> {
    let unread = || Unread(page.file.clone());
    let bytes = sources.get(&page.file).ok_or_else(unread)?;
    let text = String::from_utf8(bytes.unpack().map_err(|_| unread())?.into_owned())
        .map_err(|_| unread())?;
    let source = Source {
        path: page.file.clone(),
        kind: page.kind,
        stem: String::new(),
        text,
    };
    let body = parse::body_text(&source);
    if page.body.had_text(&body) {
        Ok(body)
    } else {
        Err(unread())
    }
}

/// Renders the files of `site` that `wanted` accepts, each page's body read from `sources`
/// and each file kept as `how` says as soon as it is rendered (on the thread that rendered
/// it; see [`Packed::keep_unless_same`] for `previous`), so that the whole site is never
/// held in memory as it is. Share images the share cache holds are read from there.
fn render_packed(
    site: &Site,
    config: &Config,
    theme: &Theme,
    (images, share): (&Images, &render::ShareImages),
    wanted: &(dyn Fn(&str) -> bool + Sync),
    (sources, how, previous): (&Sources, Keep<'_>, &Layers),
) -> Result<Vec<(String, Packed)>, RenderFailure<Unread>> {
    let files = std::sync::Mutex::new(Vec::new());
    let keep = |file: OutputFile| -> Result<(), Unread> {
        let packed = if share.cache().file_holding(&file.contents).is_some() {
            Packed::held_by(share.cache(), file.contents, how)
        } else {
            Packed::keep_unless_same(file.contents, how, previous.get(&file.path))
        };
        files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((file.path, packed));
        Ok(())
    };
    let bodies = |page: &Page| body_of(sources, page);
    let reading = render::Reading {
        wanted,
        bodies: &bodies,
    };
    render::render_selected_reading(site, config, theme, images, share, reading, &keep)?;
    Ok(files
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// Files kept in `spool`, else deflated in memory.
fn keep_in(spool: Option<&Arc<Spool>>) -> Keep<'_> {
    match spool {
        Some(spool) => Keep::Spooled(spool),
        None => Keep::Deflated,
    }
}

/// Makes the files of `images` (from the image cache shared with `casebook build` when they
/// are there), each kept as it is; or the E017s of images whose pixels do not decode.
fn emit_images(images: &Images, root: &Path) -> Result<Vec<(String, Packed)>, Vec<Diagnostic>> {
    if images.is_empty() {
        return Ok(Vec::new());
    }
    let cache = crate::cache::Cache::open(root, crate::images::NAMESPACE).remembering();
    let made = std::sync::Mutex::new(Vec::new());
    let keep = |file: OutputFile| -> Result<(), std::convert::Infallible> {
        let packed = Packed::held_by(&cache, file.contents, Keep::AsIs);
        made.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((file.path, packed));
        Ok(())
    };
    match crate::images::emit(images, root, &cache, &keep) {
        Ok(_) => Ok(made
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)),
        Err(crate::images::EmitFailure::Content(diagnostics)) => Err(diagnostics),
        Err(crate::images::EmitFailure::Output(never)) => match never {},
    }
}

/// Paths added, removed or with other contents in `next` than in `previous`.
fn changed_paths(previous: &Files, next: &Files) -> Vec<String> {
    let mut changed: Vec<String> = next
        .iter()
        .filter(|(path, bytes)| previous.get(*path) != Some(*bytes))
        .map(|(path, _)| path.clone())
        .collect();
    changed.extend(
        previous
            .keys()
            .filter(|path| !next.contains_key(*path))
            .cloned(),
    );
    changed.sort();
    changed
}

/// Footprints of the pages of `site`, by file.
pub(crate) fn footprints(site: &Site) -> BTreeMap<String, Footprint> {
    site.pages
        .par_iter()
        .map(|page| (page.file.clone(), Footprint::of(page)))
        .collect()
}
