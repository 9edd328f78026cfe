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
    /// How many content files are read and parsed at a time: only this many texts are in
    /// memory at once. The default, [`FILES_AT_A_TIME`], is about 40 MB of case studies.
    pub files_at_a_time: usize,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            bodies: true,
            files_at_a_time: FILES_AT_A_TIME,
        }
    }
}

/// How many content files [`check`] reads and parses at a time: few enough that their texts
/// are small beside the pages (about 40 MB of case studies), enough to keep every core busy.
pub const FILES_AT_A_TIME: usize = 4096;

/// Loads, parses and links the site at `root`, collecting every diagnostic.
pub fn check(root: &Path) -> Result<Checked, Error> {
    check_with(root, &CheckOptions::default())
}

/// [`check`], keeping what `options` asks for.
///
/// Files are read and parsed a part at a time ([`CheckOptions::files_at_a_time`]): a part's texts are
/// dropped once parsed, except those of files a diagnostic names (kept to show their lines).
/// Files that only the link stage finds a problem in are read again after linking, for the
/// same reason.
pub fn check_with(root: &Path, options: &CheckOptions) -> Result<Checked, Error> {
    let mut checked = check_linked(root, options, parse::BodyPass::All)?.checked;
    // Reads the image files the pages show (an edge, like `load`).
    let (images, image_diagnostics) =
        images::scan(root, &checked.site.pages, &checked.config.images);
    checked.images = images;
    checked.diagnostics.extend(image_diagnostics);
    diagnostics::sort(&mut checked.diagnostics);
    reread_named(
        root,
        &checked.config,
        &checked.diagnostics,
        &mut checked.sources,
    );
    Ok(checked)
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
    };
    let mut diagnostics = found.diagnostics;
    let mut pages = Vec::new();
    let mut sources = Vec::new();
    let mut failed_parts = Vec::new();
    let mut files_read = 0;
    // The files of the pages whose bodies `pass` leaves, with each body's first line.
    let mut unread: Vec<(String, u32)> = Vec::new();
    for part in found.files.chunks(options.files_at_a_time.max(1)) {
        let loaded = load::read_files(root, part, config.max_file_size)?;
        files_read += loaded.sources.len();
        let mut parsed = parse::parse_sources_with(&loaded.sources, &parse_options, pass);
        unread.extend(
            parsed
                .pages
                .iter()
                .filter(|page| page.kind.has_body() && !pass.reads(page.draft))
                .map(|page| (page.file.clone(), page.body.first_line)),
        );
        if !options.bodies {
            for page in &mut parsed.pages {
                page.body.let_go();
            }
        }
        let named: std::collections::BTreeSet<&str> = parsed
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.file.as_str())
            .collect();
        sources.extend(
            loaded
                .sources
                .into_iter()
                .filter(|source| named.contains(source.path.as_str())),
        );
        failed_parts.extend(loaded.diagnostics);
        diagnostics.extend(parsed.diagnostics);
        pages.append(&mut parsed.pages);
    }
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
    let in_site: std::collections::BTreeSet<&str> =
        site.pages.iter().map(|page| page.file.as_str()).collect();
    unread.retain(|(file, _)| !in_site.contains(file.as_str()));
    drop(in_site);
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
    let read: std::collections::BTreeSet<&str> =
        pages.iter().map(|page| page.file.as_str()).collect();
    diagnostics
        .into_iter()
        .filter(|diagnostic| diagnostic.is_error() && !read.contains(diagnostic.file.as_str()))
        .filter_map(|diagnostic| load::page_key_of_path(&diagnostic.file))
        .collect()
}

/// The body of a checked page, read again from its file: a build's `Site` holds none. A file
/// that has gone or changed beyond reading since the check stops the build.
fn read_body(
    root: &Path,
    max_file_size: u64,
    page: &model::content::Page,
) -> Result<String, Error> {
    let gone = |why: &str| {
        Error::Load(LoadError::Read {
            path: root.join(&page.file),
            source: std::io::Error::other(why.to_owned()),
        })
    };
    match load::load_file(root, &page.file, max_file_size) {
        Some(Ok(Ok(source))) => {
            let body = parse::body_text(&source);
            if page.body.had_text(&body) {
                Ok(body)
            } else {
                Err(gone("it changed while the site was building; build again"))
            }
        }
        Some(Ok(Err(_))) => Err(gone("it changed while the site was building; build again")),
        Some(Err(error)) => Err(error.into()),
        None => Err(gone(
            "it was removed while the site was building; build again",
        )),
    }
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
    /// What the images took: how many outputs were encoded and how many came from the cache.
    pub images: images::ImageStats,
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
    let root = &options.root;
    let with_base_url = |mut checked: Checked| {
        if let Some(base_url) = &options.base_url {
            // `main` has checked the flag; a library caller's bad value keeps the config's.
            if let Ok(base_url) = config::normalise_base_url(base_url) {
                checked.config.base_url = base_url;
            }
        }
        checked
    };
    // Bodies are not kept: each is read again when its page renders (`read_body`), so that a
    // large site's text is never all in memory. Nor are the bodies of the pages the build
    // renders parsed for their links and images: the render's parse finds them (`Finding`),
    // and they are checked after it. Only drafts left out are parsed here.
    let bodies_left = CheckOptions {
        bodies: false,
        ..CheckOptions::default()
    };
    let pass = if options.drafts {
        parse::BodyPass::None
    } else {
        parse::BodyPass::Drafts
    };
    let Linked {
        checked,
        link_options,
        left_out: dropped,
    } = check_linked(root, &bodies_left, pass)?;
    let mut checked = with_base_url(checked);
    // The images known before the render (`image:` fields, drafts' bodies); each file read is
    // noted in `scanned`, so that no file is read twice.
    let scanned = images::Scanned::default();
    let (known_images, early_image_problems) =
        images::scan_again(root, &checked.site.pages, &checked.config.images, &scanned);
    if checked.has_errors() || early_image_problems.iter().any(Diagnostic::is_error) {
        // Nothing is rendered: every problem is reported in one run, those of the bodies
        // left to the render included, found as `casebook check` finds them.
        drop(known_images);
        check_left_bodies(root, &mut checked, link_options, pass, &dropped, &scanned);
        return Err(BuildError::Content(Box::new(checked)));
    }
    drop(dropped);
    // The links the render finds are checked against the whole site, drafts included.
    let link_targets = model::site::LinkTargets::of(&checked.site, link_options);
    // Where the checked site shows images (drafts' bodies, `image:` fields), in site order;
    // the render adds the bodies' own, and the whole is scanned after it as `check` scans it.
    let mut places: Vec<ShownPlace> = checked
        .site
        .pages
        .iter()
        .flat_map(|page| ShownPlace::of(page, images::places_of(page)))
        .collect();
    // The checked site moves into the published one (the report keeps only diagnostics and
    // sources): a large site is not held twice.
    let site = std::mem::take(&mut checked.site);
    let drafts = site.pages.iter().filter(|page| page.draft).count();
    let drafts_left_out = if options.drafts { 0 } else { drafts };
    // With no drafts to leave out the checked site is the published one; otherwise it is
    // linked again without them, its own links and relations dropped first.
    let published = if options.drafts || drafts == 0 {
        site
    } else {
        let model::Site { pages, .. } = site;
        model::without_drafts(pages, checked.config.link_check)
    };
    let image_cache = cache::Cache::open(root, images::NAMESPACE);
    let theme = theme::load_theme(root, &checked.config.theme)?;
    progress(Stage::Rendering);
    // Each rendered file goes straight to the staging folder, so a large site is never held in
    // memory whole; the staging folder replaces the output only when everything is written.
    let staging = write::Staging::create(lock)?;
    // Share images are cached beside the site (`.casebook/cache/share/`): a warm build
    // rasterises none, and hard-links the cache's files into the output.
    let share_images = render::ShareImages::linking(cache::Cache::open(root, "share"));
    let emit = |file: write::OutputFile| staging.write(&file);
    let max_file_size = checked.config.max_file_size;
    let read_body = |page: &model::content::Page| read_body(root, max_file_size, page);
    // What the render finds in each body: the problems of its links and images (E018), and
    // where it shows images.
    let body_finds: std::sync::Mutex<(Vec<Diagnostic>, Vec<ShownPlace>)> =
        std::sync::Mutex::default();
    let found = |page: &model::content::Page, found: parse::BodyFound| {
        let mut problems = link_targets.check_links(page, &found.links);
        problems.extend(parse::missing_alt(&page.file, &found.images));
        let shown = ShownPlace::of(
            page,
            found.images.iter().map(|image| images::Place {
                page_file: &page.file,
                src: &image.src,
                at: image.at,
                share: false,
            }),
        );
        let mut finds = body_finds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        finds.0.extend(problems);
        finds.1.extend(shown);
    };
    let first_use = images::OnFirstUse::new(root, &checked.config.images, &known_images, &scanned);
    let finding = render::Finding {
        images: &first_use,
        found: &found,
    };
    // The render stage parses each body once, for its page, its search text (which it
    // sends here a part at a time, in page order; the index is built on its own thread as the
    // parts come, a few parts waiting at most, so the texts are never all in memory) and the
    // checks of its links and images.
    let (texts_in, texts_out) = std::sync::mpsc::sync_channel::<Vec<search::PlainText>>(2);
    let rendered = std::thread::scope(|scope| {
        let (published, config, staging) = (&published, &checked.config, &staging);
        let indexing = scope.spawn(move || -> Result<(), write::OutputError> {
            let index = move || {
                let cards =
                    search::emit_index_of_texts(published, config, texts_out.iter(), &|file| {
                        staging.write(&file)
                    })?;
                match cards {
                    Some(hash) => {
                        staging.rename(search::PENDING_CARDS, &search::cards_folder(&hash))
                    }
                    None => Ok(()),
                }
            };
            // Its own threads: in rayon's shared pool its tasks would wait behind every page's.
            match rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("casebook-index-{i}"))
                .build()
            {
                Ok(pool) => pool.install(index),
                Err(_) => index(),
            }
        });
        let texts = move |part: Vec<search::PlainText>| {
            // An indexer that stopped has its own error to report.
            let _ = texts_in.send(part);
        };
        let rendered = render::render_streaming(
            published,
            &checked.config,
            &theme,
            &known_images,
            &share_images,
            render::BodyStream {
                bodies: &read_body,
                texts: &texts,
                large: &|path, fill| staging.write_with(path, fill).map_err(Error::from),
                finding: Some(&finding),
            },
            &|file| staging.write(&file).map_err(Error::from),
        );
        // The last part is sent: the indexer finishes.
        drop(texts);
        progress(Stage::Indexing);
        let indexed = indexing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (rendered, indexed)
    });
    let (rendered, indexed) = rendered;
    // The checks of the bodies, as `casebook check` makes them: their links and alt text as
    // the render found them, and every image the site shows, scanned (no file is read again).
    let (mut body_problems, mut places_shown) = body_finds
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    places.append(&mut places_shown);
    places.sort_by(|a, b| a.order.cmp(&b.order));
    let (mut site_images, image_problems) = images::scan_places(
        root,
        places.iter().map(ShownPlace::place),
        &checked.config.images,
        &scanned,
    );
    drop(places);
    body_problems.extend(image_problems);
    let body_errors = body_problems.iter().any(Diagnostic::is_error);
    checked.diagnostics.append(&mut body_problems);
    diagnostics::sort(&mut checked.diagnostics);
    reread_named(
        root,
        &checked.config,
        &checked.diagnostics,
        &mut checked.sources,
    );
    if body_errors {
        // As when the check finds them: nothing is committed (the staging folder is removed
        // as it is dropped), and the template errors a render met are not reported with them.
        return Err(BuildError::Content(Box::new(checked)));
    }
    site_images.retain_shown_by(&published.pages);
    // Images are resized and encoded once the render has found them all.
    let imaged = images::emit(&site_images, root, &image_cache, &emit);
    // An image whose pixels do not decode is a content error: nothing is committed.
    let image_stats = match imaged {
        Ok(stats) => stats,
        Err(images::EmitFailure::Content(problems)) => {
            checked.diagnostics.extend(problems);
            diagnostics::sort(&mut checked.diagnostics);
            return Err(BuildError::Content(Box::new(checked)));
        }
        Err(images::EmitFailure::Output(error)) => return Err(error.into()),
    };
    match rendered {
        Ok(()) => {}
        Err(render::RenderFailure::Templates(template_errors)) => {
            checked.diagnostics.extend(template_errors);
            diagnostics::sort(&mut checked.diagnostics);
            return Err(BuildError::Content(Box::new(checked)));
        }
        Err(render::RenderFailure::Output(error)) => return Err(BuildError::Other(error)),
    }
    indexed?;
    progress(Stage::Writing);
    let (copies, skipped_links) = write::static_copies(root);
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
        images: image_stats,
        share_images_rasterised: share_images.rasterised(),
    })
}

/// Completes the check of a site whose bodies `pass` left to the render, when it will not
/// render: each left body is read again and parsed by the check's own pass, for E018 and, for
/// the pages of the site, its links and images (checked as [`model::link_site`] and
/// [`images::scan`] check them); `dropped` are the files of pages linking left out of the
/// site (E018 only), with each body's first line. The diagnostics are then those
/// [`check_with`] makes, sorted, and the files they name are in `sources`.
fn check_left_bodies(
    root: &Path,
    checked: &mut Checked,
    link_options: model::LinkOptions,
    pass: parse::BodyPass,
    dropped: &[(String, u32)],
    scanned: &images::Scanned,
) {
    use rayon::prelude::*;
    let max_file_size = checked.config.max_file_size;
    let found = |file: &str, first_line: u32| -> Option<parse::BodyFound> {
        let Some(Ok(Ok(source))) = load::load_file(root, file, max_file_size) else {
            return None;
        };
        let body = model::content::Body {
            markdown: parse::body_text(&source),
            first_line,
            let_go: None,
        };
        Some(parse::check_body(&body))
    };
    let targets = model::site::LinkTargets::of(&checked.site, link_options);
    let problems: Vec<Vec<Diagnostic>> = checked
        .site
        .pages
        .par_iter_mut()
        .filter(|page| page.kind.has_body() && !pass.reads(page.draft))
        .map(|page| {
            let Some(found) = found(&page.file, page.body.first_line) else {
                return Vec::new();
            };
            let mut problems = parse::missing_alt(&page.file, &found.images);
            problems.extend(targets.check_links(page, &found.links));
            page.images = found.images;
            problems
        })
        .collect();
    let left_out: Vec<Vec<Diagnostic>> = dropped
        .par_iter()
        .map(|(file, first_line)| {
            found(file, *first_line)
                .map(|found| parse::missing_alt(file, &found.images))
                .unwrap_or_default()
        })
        .collect();
    let (_, image_problems) =
        images::scan_again(root, &checked.site.pages, &checked.config.images, scanned);
    checked
        .diagnostics
        .extend(problems.into_iter().chain(left_out).flatten());
    checked.diagnostics.extend(image_problems);
    diagnostics::sort(&mut checked.diagnostics);
    reread_named(
        root,
        &checked.config,
        &checked.diagnostics,
        &mut checked.sources,
    );
}

/// A place a page shows an image, kept with the page's place in the site: a build gathers
/// them from the checked site and from the render (in no set order), and scans them in the
/// order `casebook check` does.
struct ShownPlace {
    /// The page's kind, slug and file (the site's order), and the place's among the page's:
    /// its body's images in order, then its `image:`.
    order: (model::ContentKind, String, String, bool, usize),
    src: String,
    at: diagnostics::Pos,
    share: bool,
}

impl ShownPlace {
    /// The places of `page`, numbered in the order given.
    fn of<'a>(
        page: &'a model::content::Page,
        places: impl Iterator<Item = images::Place<'a>> + 'a,
    ) -> impl Iterator<Item = ShownPlace> + 'a {
        places.enumerate().map(|(i, place)| ShownPlace {
            order: (
                page.kind,
                page.slug.value.clone(),
                page.file.clone(),
                place.share,
                i,
            ),
            src: place.src.to_owned(),
            at: place.at,
            share: place.share,
        })
    }

    fn place(&self) -> images::Place<'_> {
        images::Place {
            page_file: &self.order.2,
            src: &self.src,
            at: self.at,
            share: self.share,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A build reads each body again as its page renders and takes the search text from the
    /// same parse, sending it to the index a part at a time: with several parts, it must
    /// write what a render and an index of the site with its bodies make.
    #[test]
    fn a_build_without_bodies_writes_what_the_site_with_bodies_renders() {
        let temp = tempfile::tempdir().expect("temp");
        let root = temp.path();
        std::fs::write(
            root.join("casebook.yaml"),
            "title: Parts\nbase_url: https://example.org/\nlanguage: en-GB\n",
        )
        .expect("config");
        let pages = root.join("content/pages");
        std::fs::create_dir_all(&pages).expect("pages");
        // More pages than two parts, each with its own words, headings, a table and code, so
        // that a text sent out of order or to the wrong page would show in the index.
        let count = search::CHUNK * 2 + 7;
        for i in 0..count {
            std::fs::write(
                pages.join(format!("page-{i:04}.md")),
                format!(
                    "---\ntitle: Page {i}\nsummary: Summary {i}.\npublished: 2024-01-02\n---\n\n## Heading word{i}\n\nBody \
                     text number{i} with [a link](/page-{next:04}/) and `code{i}`.\n\n| a | b |\n\
                     |---|---|\n| cell{i} | {i} |\n\n```rust\nlet x{i} = {i};\n```\n",
                    next = (i + 1) % count
                ),
            )
            .expect("page");
        }
        let out = root.join("public");
        let options = BuildOptions {
            root: root.to_path_buf(),
            output: Some(out.clone()),
            ..BuildOptions::default()
        };
        build(&options, &|_| {}).expect("build");

        let checked = check(root).expect("check");
        let theme = theme::load_theme(root, &checked.config.theme).expect("theme");
        let share = render::ShareImages::new(cache::Cache::disabled());
        let rendered =
            render::render_site(&checked.site, &checked.config, &theme, &share).expect("render");
        let index = search::build_index(&checked.site, &checked.config);
        assert!(index.len() > 3, "an index of several files");
        let mut compared = 0;
        for file in rendered.iter().chain(&index) {
            let written = std::fs::read(out.join(&file.path)).expect("written file");
            assert!(written == file.contents, "{} differs", file.path);
            compared += 1;
        }
        assert!(compared > count * 2, "{compared} files compared");
    }

    /// A small site whose bodies link, show images and leave one without alternative text:
    /// `marker` is in every body, for counting who parsed it.
    fn bodies_site(root: &Path, marker: &str, config: &str) {
        std::fs::write(
            root.join("casebook.yaml"),
            format!("title: Once\nbase_url: https://example.org/\nlanguage: en-GB\n{config}"),
        )
        .expect("config");
        let pages = root.join("content/pages");
        std::fs::create_dir_all(&pages).expect("pages");
        let mut photo = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut photo)
            .encode_image(&image::RgbImage::from_fn(600, 300, |x, y| {
                image::Rgb([x as u8, y as u8, 90])
            }))
            .expect("jpeg");
        std::fs::write(pages.join("photo.jpg"), &photo).expect("photo");
        let page = |name: &str, front: &str, body: &str| {
            std::fs::write(
                pages.join(format!("{name}.md")),
                format!(
                    "---\ntitle: {name}\nsummary: About {name}.\npublished: 2024-01-02\n{front}---\n\n\
                     Intro {marker} {name}.\n\n{body}\n"
                ),
            )
            .expect("page");
        };
        page(
            "about",
            "",
            "See [the plan](/plans-draft/), [us](/team-page/) and ![Our team](photo.jpg).",
        );
        page("team-page", "", "![A photo of the team](photo.jpg)");
        page(
            "plans-draft",
            "draft: true\n",
            "Draft [link](/nowhere-yet/) and ![](photo.jpg).",
        );
    }

    /// A build parses each body once: the bodies it publishes in the render alone (the check
    /// parses only the draft it leaves out), and it still reports what `casebook check`
    /// reports of them, the draft's problems and the link to the draft included.
    #[test]
    fn a_build_parses_each_body_once_and_warns_as_check_does() {
        let temp = tempfile::tempdir().expect("temp");
        let root = temp.path();
        let marker = format!("{}once-warns", parse::parses::MARK);
        // Warnings only: broken links warn, and every image is over the size limit (W109).
        bodies_site(
            root,
            &marker,
            "link_check: warn\nimages: {warn_over_kb: 1}\n",
        );
        std::fs::write(
            root.join("content/pages/plans-draft.md"),
            format!(
                "---\ntitle: Plans\nsummary: Plans.\npublished: 2024-01-02\ndraft: true\n---\n\n\
                 {marker} [link](/nowhere-yet/) and ![Plans](photo.jpg).\n"
            ),
        )
        .expect("draft");
        let options = BuildOptions {
            root: root.to_path_buf(),
            output: Some(root.join("public")),
            ..BuildOptions::default()
        };
        let report = build(&options, &|_| {}).expect("a build with warnings only");
        assert_eq!(
            parse::parses::parsed("check", &marker).len(),
            1,
            "the draft only"
        );
        let rendered = parse::parses::parsed("render", &marker);
        assert_eq!(rendered.len(), 2, "each published body once");
        assert!(rendered.iter().all(|body| !body.contains("plans-draft.")));

        let checked = check(root).expect("check");
        let codes: Vec<_> = checked.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                diagnostics::Code::W103,
                diagnostics::Code::W109,
                diagnostics::Code::E010
            ],
            "{:#?}",
            checked.diagnostics
        );
        assert_eq!(report.checked.diagnostics, checked.diagnostics);
        assert!(
            report
                .checked
                .source_text("content/pages/about.md")
                .is_some(),
            "the file a warning the render found names is there to show"
        );
        // The photo both published pages show is made once, and shown as a picture.
        assert_eq!(report.images.images, 1);
        let about = std::fs::read_to_string(root.join("public/about/index.html")).expect("page");
        assert!(about.contains("<picture>"), "{about}");
    }

    /// Errors in the bodies a build renders stop it as the check's did: the same
    /// diagnostics as `casebook check`, nothing written, the previous output untouched and no
    /// staging folder left. With an error the render does not see (in front matter), the
    /// build reports the bodies' problems too.
    #[test]
    fn a_build_with_errors_in_bodies_reports_what_check_reports_and_writes_nothing() {
        let temp = tempfile::tempdir().expect("temp");
        let root = temp.path();
        let marker = format!("{}once-errors", parse::parses::MARK);
        bodies_site(root, &marker, "");
        let output = root.join("public");
        std::fs::write(
            root.join("content/pages/about.md"),
            format!(
                "---\ntitle: About\nsummary: About us.\npublished: 2024-01-02\n---\n\nFine {marker}.\n"
            ),
        )
        .expect("page");
        std::fs::write(
            root.join("content/pages/plans-draft.md"),
            "---\ntitle: Plans\nsummary: Plans.\npublished: 2024-01-02\ndraft: true\n---\n\nLater.\n",
        )
        .expect("draft");
        let options = BuildOptions {
            root: root.to_path_buf(),
            output: Some(output.clone()),
            ..BuildOptions::default()
        };
        build(&options, &|_| {}).expect("a first build");
        let before = std::fs::read(output.join("about/index.html")).expect("built");
        let listing = |folder: &Path| -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(folder)
                .expect("folder")
                .map(|entry| {
                    entry
                        .expect("entry")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            names.sort();
            names
        };
        let built = listing(&output);

        bodies_site(root, &marker, "");
        std::fs::write(
            root.join("content/pages/gone.md"),
            format!(
                "---\ntitle: Gone\nsummary: Gone.\npublished: 2024-01-02\n---\n\n{marker} \
                 [a](/case-studies/none/) ![](missing.png) ![](photo.jpg)\n"
            ),
        )
        .expect("page");
        let stopped = |options: &BuildOptions| match build(options, &|_| {}) {
            Err(BuildError::Content(checked)) => checked.diagnostics,
            Err(BuildError::Other(error)) => panic!("{error}"),
            Ok(_) => panic!("a build with errors succeeded"),
        };
        let found = stopped(&options);
        let checked = check(root).expect("check");
        let codes: Vec<_> = found.iter().map(|d| (d.file.as_str(), d.code)).collect();
        assert_eq!(
            codes,
            [
                ("content/pages/about.md", diagnostics::Code::W103),
                ("content/pages/gone.md", diagnostics::Code::E010),
                ("content/pages/gone.md", diagnostics::Code::E017),
                ("content/pages/gone.md", diagnostics::Code::E018),
                ("content/pages/gone.md", diagnostics::Code::E018),
                ("content/pages/plans-draft.md", diagnostics::Code::E010),
                ("content/pages/plans-draft.md", diagnostics::Code::E018),
            ],
            "{found:#?}"
        );
        assert_eq!(found, checked.diagnostics);
        assert_eq!(
            std::fs::read(output.join("about/index.html")).expect("still there"),
            before
        );
        assert_eq!(listing(&output), built, "the output changed");
        let left: Vec<String> = listing(root)
            .into_iter()
            .filter(|name| name.contains("casebook-") && !name.ends_with("-lock"))
            .collect();
        assert!(left.is_empty(), "staging folders left: {left:?}");

        // An error in front matter stops the build before the render: the bodies' problems
        // are found by checking them as `check` does, and reported with it.
        std::fs::write(
            root.join("content/pages/broken.md"),
            "---\ntitle: [unclosed\n---\n\nText.\n",
        )
        .expect("broken");
        // A page with the slug of `gone.md` and a path that sorts first: `gone.md` is left
        // out of the site (E009), its links unchecked, but the alt text of its images is.
        std::fs::write(
            root.join("content/pages/dup.md"),
            format!(
                "---\ntitle: Dup\nsummary: Dup.\npublished: 2024-01-02\nslug: gone\n---\n\n{marker} ![](photo.jpg)\n"
            ),
        )
        .expect("duplicate");
        let found = stopped(&options);
        let checked = check(root).expect("check");
        assert_eq!(found, checked.diagnostics);
        assert!(found.iter().any(|d| d.file == "content/pages/broken.md"));
        let in_gone: Vec<_> = found
            .iter()
            .filter(|d| d.file == "content/pages/gone.md")
            .map(|d| d.code)
            .collect();
        assert_eq!(
            in_gone,
            [
                diagnostics::Code::E009,
                diagnostics::Code::E018,
                diagnostics::Code::E018
            ]
        );
        assert!(
            found
                .iter()
                .any(|d| d.file == "content/pages/dup.md" && d.code == diagnostics::Code::E018)
        );
        assert!(found.iter().any(|d| d.file == "content/pages/about.md"));
        assert_eq!(listing(&output), built, "the output changed");
    }

    /// A body edited between the check and its page's render was never checked (its links,
    /// its images): the build stops and says to build again rather than publish it.
    #[test]
    fn a_body_changed_since_the_check_stops_the_build() {
        let temp = tempfile::tempdir().expect("temp");
        let root = temp.path();
        std::fs::write(
            root.join("casebook.yaml"),
            "title: Edits\nbase_url: https://example.org/\nlanguage: en-GB\n",
        )
        .expect("config");
        std::fs::create_dir_all(root.join("content/pages")).expect("pages");
        let file = root.join("content/pages/about.md");
        let front = "---\ntitle: About\nsummary: About us.\npublished: 2024-01-02\n---\n";
        std::fs::write(&file, format!("{front}\nChecked text.\n")).expect("page");
        let options = CheckOptions {
            bodies: false,
            ..CheckOptions::default()
        };
        let checked = check_with(root, &options).expect("check");
        let page = &checked.site.pages[0];
        assert!(page.body.markdown.is_empty(), "the check let the body go");
        let max = checked.config.max_file_size;
        assert_eq!(
            read_body(root, max, page).expect("unchanged"),
            "\nChecked text.\n"
        );

        std::fs::write(&file, format!("{front}\nSee [a page](/nowhere/).\n")).expect("edit");
        let error = read_body(root, max, page).expect_err("a changed body stops the build");
        assert!(
            error
                .to_string()
                .contains("changed while the site was building"),
            "{error}"
        );
        // Only the body counts: the front matter was read at the check.
        std::fs::write(&file, "---\ntitle: Renamed\n---\n\nChecked text.\n").expect("edit");
        assert!(read_body(root, max, page).is_ok());
    }
}
