//! Stage wiring of `casebook build`: check, render with the search index beside it, check what
//! the render found in the bodies, and commit the staging folder; see ARCHITECTURE.md.

use super::*;

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
            // The text the check found not nested too deep, if it is the same text.
            let body = parse::checked_body_text(&source);
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
        let shown = ShownPlace::of(page, images::body_places(&page.file, &found.images));
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
    checked.sort_and_reread(root);
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
        Some(parse::internal_links(&body))
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
    checked.sort_and_reread(root);
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
mod tests;
