//! Stage 4, render: every output file of the site, in memory, from the `Site`, the config and
//! the theme.
//!
//! Markdown bodies and templates are rendered in parallel (rayon); the site-wide template
//! values are serialised once. No I/O: the write stage puts the files on disk. A template that
//! fails is a diagnostic (E014) naming the template, never a panic.

pub mod charts;
mod escape;
mod feeds;
pub mod format;
pub mod links;
mod listings;
pub mod markdown;
pub mod minify;
pub mod open_data;
pub mod outcomes;
pub mod overview;
pub mod picture;
mod share;
mod share_card;
pub mod share_image;
mod templates;
pub mod urls;
pub mod views;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::images::Images;
use crate::model::ContentKind;
use crate::model::Site;
use crate::model::content::{Details, GeneralPage, Page};
use crate::model::vocab::Menu;
use crate::render::feeds::{sitemap, text_file};
use crate::render::listings::{Job, Jobs, home_job, list_jobs, taxonomy_jobs};
use crate::render::markdown::{
    Highlighter, MarkdownContext, render_markdown, render_markdown_with_text,
};
use crate::render::templates::{Renderer, load_templates};
use crate::render::urls::Urls;
use crate::render::views::*;
use crate::search::PlainText;

use crate::theme::Theme;
use crate::write::OutputFile;
pub use listings::{Listing, PAGE_SIZE, listings};
pub(crate) use share::script_safe;
pub use share_image::ShareImages;

/// Renders the whole site. Returns the files, or the template diagnostics that stopped it.
pub fn render_site(
    site: &Site,
    config: &Config,
    theme: &Theme,
    share_images: &ShareImages,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    render_selected(site, config, theme, share_images, &|_| true)
}

/// Renders only the files whose output path (`case-studies/x/index.html`) `wanted` accepts,
/// each byte for byte as [`render_site`] renders it: `casebook serve` re-renders only what a
/// change affects. Work for the others is skipped before their Markdown or template context is
/// built; the sitemap, when wanted, still lists every page. A page's share image is rendered
/// with its page (when both are wanted): it shows nothing the page does not.
pub fn render_selected(
    site: &Site,
    config: &Config,
    theme: &Theme,
    share_images: &ShareImages,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    render_selected_with_images(
        site,
        config,
        theme,
        &Images::default(),
        share_images,
        wanted,
    )
}

/// Why rendering stopped: template errors, or the sink that takes the files failed.
#[derive(Debug)]
pub enum RenderFailure<E> {
    /// Template errors (E014), sorted.
    Templates(Vec<Diagnostic>),
    /// The sink's error, such as a file that could not be written.
    Output(E),
}

/// Renders every file and hands each to `emit` as soon as it is ready, so a large site is
/// never held in memory whole (`casebook build` writes each file straight to its staging
/// folder). The files are the same as [`render_site`]'s; the order of calls is not defined.
pub fn render_to<E: Send>(
    site: &Site,
    config: &Config,
    theme: &Theme,
    images: &Images,
    share_images: &ShareImages,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<(), RenderFailure<E>> {
    let all = |_: &str| true;
    let streams = Streams {
        wanted: &all,
        bodies: Bodies::InSite,
        texts: None,
    };
    render_into(site, config, theme, images, share_images, &streams, emit)
}

/// Where each page's Markdown body comes from.
enum Bodies<'a, E> {
    /// The `Site`'s pages hold them (`page.body.markdown`), as the preview's do.
    InSite,
    /// Read through this function when the page renders, and dropped once it is rendered: a
    /// build's `Site` holds no bodies, so that a large site's text is never all in memory.
    /// An `Err` (a file that can no longer be read) stops the render as the sink's do.
    Read(&'a (dyn Fn(&Page) -> Result<String, E> + Sync)),
}

/// Where a render's content comes from and where its by-products go.
struct Streams<'a, E> {
    wanted: &'a (dyn Fn(&str) -> bool + Sync),
    bodies: Bodies<'a, E>,
    /// Takes the search text of every content page's body, [`crate::search::CHUNK`] pages at a
    /// time, in the order of `site.pages`.
    texts: Option<&'a (dyn Fn(Vec<PlainText>) + Sync)>,
}

/// Where [`render_streaming`] reads bodies and sends their search texts.
pub struct BodyStream<'a, E> {
    /// Reads a page's body (an `Err` stops the render, as [`RenderFailure::Output`]).
    pub bodies: &'a (dyn Fn(&Page) -> Result<String, E> + Sync),
    /// Takes the search texts of the pages' bodies, [`crate::search::CHUNK`] pages at a time
    /// in the order of `site.pages`.
    pub texts: &'a (dyn Fn(Vec<PlainText>) + Sync),
}

/// [`render_to`] for a `Site` without bodies (`casebook build`): each page's body is read
/// through `stream.bodies` as it renders and parsed once, for its HTML and for its search
/// text, which goes to `stream.texts` (for [`crate::search::emit_index_of_texts`]); the body
/// is then dropped.
pub fn render_streaming<E: Send>(
    site: &Site,
    config: &Config,
    theme: &Theme,
    images: &Images,
    share_images: &ShareImages,
    stream: BodyStream<'_, E>,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<(), RenderFailure<E>> {
    let all = |_: &str| true;
    let streams = Streams {
        wanted: &all,
        bodies: Bodies::Read(stream.bodies),
        texts: Some(stream.texts),
    };
    render_into(site, config, theme, images, share_images, &streams, emit)
}

/// The files [`render_selected_reading`] renders and where it reads their pages' bodies.
pub struct Reading<'a, E> {
    /// Whether the file at an output path is wanted (see [`render_selected`]).
    pub wanted: &'a (dyn Fn(&str) -> bool + Sync),
    /// Reads a page's body (an `Err` stops the render, as [`RenderFailure::Output`]).
    pub bodies: &'a (dyn Fn(&Page) -> Result<String, E> + Sync),
}

/// [`render_selected_with_images`] for a `Site` without bodies (the preview's): each wanted
/// page's body is read through `reading.bodies` as it renders, and each file handed to
/// `emit` as soon as it is ready, as [`render_to`] does.
pub fn render_selected_reading<E: Send>(
    site: &Site,
    config: &Config,
    theme: &Theme,
    images: &Images,
    share_images: &ShareImages,
    reading: Reading<'_, E>,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<(), RenderFailure<E>> {
    let streams = Streams {
        wanted: reading.wanted,
        bodies: Bodies::Read(reading.bodies),
        texts: None,
    };
    render_into(site, config, theme, images, share_images, &streams, emit)
}

/// [`render_selected`] with the site's images shown as their resized outputs (which
/// [`crate::images::emit`] makes); without them an image is written as its Markdown says.
pub fn render_selected_with_images(
    site: &Site,
    config: &Config,
    theme: &Theme,
    images: &Images,
    share_images: &ShareImages,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let files = std::sync::Mutex::new(Vec::new());
    let collect = |file: OutputFile| -> Result<(), std::convert::Infallible> {
        files.lock().map_err(|_| unreachable_poison())?.push(file);
        Ok(())
    };
    let streams = Streams {
        wanted,
        bodies: Bodies::InSite,
        texts: None,
    };
    match render_into(
        site,
        config,
        theme,
        images,
        share_images,
        &streams,
        &collect,
    ) {
        Ok(()) => {}
        Err(RenderFailure::Templates(diagnostics)) => return Err(diagnostics),
        Err(RenderFailure::Output(never)) => match never {},
    }
    let mut files = files
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn unreachable_poison() -> std::convert::Infallible {
    panic!("a thread collecting rendered files panicked")
}

/// One rendering task's failure.
enum Failure<E> {
    Template(Box<Diagnostic>),
    Output(E),
}

fn render_into<E: Send>(
    site: &Site,
    config: &Config,
    theme: &Theme,
    images: &Images,
    share_images: &ShareImages,
    streams: &Streams<'_, E>,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<(), RenderFailure<E>> {
    let wanted = streams.wanted;
    let send = |result: Result<OutputFile, Box<Diagnostic>>| -> Result<(), Failure<E>> {
        emit(result.map_err(Failure::Template)?).map_err(Failure::Output)
    };
    let tera = load_templates(theme).map_err(RenderFailure::Templates)?;
    let urls = Urls::new(&config.base_url);
    let site_view = site_view(config, &urls, site);
    let mut tera = tera;
    tera.global_context().insert("site", &site_view);

    let cards = Cards::new(site, &urls);
    let highlighter = Highlighter::default();
    let is_published = |path: &str| match crate::model::page_at(path) {
        Some((kind, slug)) => site.get(kind, slug).is_some(),
        None => true,
    };
    let markdown = MarkdownContext {
        allow_html: config.allow_html,
        base_path: &urls.base_path,
        is_published: &is_published,
        highlighter: &highlighter,
        pictures: None,
    };
    let related = crate::model::related::RelatedIndex::new(site);
    let view_context = ViewContext {
        site,
        urls: &urls,
        cards: &cards,
        show_emails: config.show_emails,
        search: config.search,
        review_after: config.review_after,
        related: &related,
        images,
    };

    let renderer = Renderer {
        tera: &tera,
        base_path: &urls.base_path,
    };
    // Failures of every task; a template that fails fails every page using it, so they are
    // collected, not stopped at.
    let failures: std::sync::Mutex<Vec<Failure<E>>> = std::sync::Mutex::new(Vec::new());
    let record = |result: Result<(), Failure<E>>| {
        if let Err(failure) = result {
            failures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(failure);
        }
    };
    // A content page, and the search text of its body when `with_text` (empty otherwise).
    let render_page = |page: &Page, with_text: bool| -> Result<PlainText, Failure<E>> {
        let read;
        let markdown_text = match streams.bodies {
            Bodies::InSite => page.body.markdown.as_str(),
            Bodies::Read(read_body) => {
                read = read_body(page).map_err(Failure::Output)?;
                read.as_str()
            }
        };
        let pictures = picture::for_page(images, page);
        let markdown = MarkdownContext {
            pictures: Some(&pictures),
            ..markdown
        };
        // The share image first: the page's tags name it only once it exists.
        let card = match share_card_of(page, config, share_images, wanted) {
            Some((file, card)) => {
                if let Some(file) = file {
                    emit(file).map_err(Failure::Output)?;
                }
                Some(card)
            }
            None => None,
        };
        let (body, text) = if with_text {
            render_markdown_with_text(markdown_text, &markdown)
        } else {
            (
                render_markdown(markdown_text, &markdown),
                PlainText::default(),
            )
        };
        let view = page_view(page, body, &view_context);
        let mut context = Context::new();
        context.insert("page_type", page.kind.type_name());
        context.insert("title", &page.title);
        context.insert("description", &page.summary);
        context.insert(
            "canonical_url",
            &urls.absolute(&crate::model::page_path(page.kind, &page.slug.value)),
        );
        context.insert("page", &view);
        context.insert("page_url", &urls.page(page.kind, &page.slug.value));
        context.insert("breadcrumbs", &breadcrumbs(site, page, &urls));
        let share_image = picture::share_image(page, &pictures);
        context.insert(
            "share",
            &share::page_share_view(page, card.as_ref(), config, &urls, share_image.as_deref()),
        );
        context.insert(
            "structured_data",
            &share::json_ld(
                page,
                card.as_ref(),
                site,
                config,
                &urls,
                share_image.as_deref(),
            ),
        );
        if feeds::has_feed(page.kind) {
            let page_url = urls.page(page.kind, &page.slug.value);
            context.insert("page_feed_url", &format!("{page_url}feed.xml"));
            context.insert(
                "page_feed_title",
                &format!("{}: {}", config.title, page.title),
            );
        }
        send(renderer.render(
            &format!("{}.html", page.kind.type_name()),
            &context,
            &page_output_path(page),
        ))?;
        Ok(text)
    };
    // Listing pages are rendered in batches as they are set up, so their template values are
    // never all in memory at once.
    let flush = |batch: Vec<Job<'_>>| {
        batch
            .into_par_iter()
            .map(|(template, path, make_context)| {
                let mut context = make_context();
                add_share(&mut context, &path, config, &urls);
                if let Some(folder) = path.strip_suffix("index.html") {
                    context.insert("page_url", &urls.path(&format!("/{folder}")));
                }
                send(renderer.render(template, &context, &path))
            })
            .for_each(record);
    };
    let mut jobs = Jobs {
        wanted,
        list: Vec::new(),
        paths: site.pages.iter().map(page_output_path).collect(),
        flush: &flush,
    };
    // Content pages, the open data and the overview render as parallel tasks while the
    // listings are set up: no stage waits on a sequential one.
    rayon::scope(|scope| {
        scope.spawn(|_| match streams.texts {
            None => site
                .pages
                .par_iter()
                .filter(|page| wanted(&page_output_path(page)))
                .map(|page| render_page(page, false).map(drop))
                .for_each(record),
            // In order, a part at a time, so that the search index takes the texts in the
            // order of its documents without holding more than a part of them.
            Some(texts) => {
                for part in site.pages.chunks(crate::search::CHUNK) {
                    let part: Vec<PlainText> = part
                        .par_iter()
                        .map(|page| {
                            render_page(page, true).unwrap_or_else(|failure| {
                                record(Err(failure));
                                PlainText::default()
                            })
                        })
                        .collect();
                    texts(part);
                }
            }
        });
        if wanted("data/outcomes.csv") || wanted("data/outcomes.json") {
            // Made from records one at a time, each file written as soon as it is made: the
            // open data of a large site is tens of MB.
            scope.spawn(|_| {
                let csv = open_data::to_csv(open_data::records(site, &urls));
                record(emit(text_file("data/outcomes.csv", csv)).map_err(Failure::Output));
                let mut json = open_data::to_json(open_data::records(site, &urls));
                json.push('\n');
                record(emit(text_file("data/outcomes.json", json)).map_err(Failure::Output));
            });
        }
        list_jobs(site, &cards, &urls, &mut jobs);
        taxonomy_jobs(site, &cards, &urls, &mut jobs);
        home_job(site, &cards, &urls, &config.title, &mut jobs);
        // `casebook serve` skips the overview, costly on a big site, when neither its pages
        // nor the sitemap (which lists them) are wanted.
        let overview = (wanted("outcomes/index.html") || wanted("sitemap.xml"))
            .then(|| overview::Overview::new(site, &urls));
        let overview_pages: Vec<overview::OverviewPage> = overview
            .iter()
            .flat_map(overview::Overview::pages)
            .filter(|page| jobs.wants(&page.path))
            .collect();
        // One overview page at a time: each holds every measure it lists.
        scope.spawn(|_| {
            for page in &overview_pages {
                let mut context = Context::new();
                context.insert("page_type", "outcomes");
                context.insert("title", &page.title);
                context.insert(
                    "outcomes",
                    &overview.as_ref().map(|overview| overview.context(page)),
                );
                if let Some(folder) = page.path.strip_suffix("index.html") {
                    context.insert("page_url", &urls.path(&format!("/{folder}")));
                }
                add_share(&mut context, &page.path, config, &urls);
                if page.path == "outcomes/index.html" {
                    context.insert("structured_data", &share::open_data_json_ld(config, &urls));
                }
                record(send(renderer.render("outcomes.html", &context, &page.path)));
            }
            drop(overview_pages);
            drop(overview);
        });
        for (template, path, page_type, title) in [
            ("search.html", "search/index.html", "search", "Search"),
            ("404.html", "404.html", "not-found", "Page not found"),
        ] {
            if !jobs.wants(path) {
                continue;
            }
            jobs.push((
                template,
                path.to_owned(),
                Box::new(move || {
                    let mut context = Context::new();
                    context.insert("page_type", page_type);
                    context.insert("title", title);
                    context
                }),
            ));
        }
        jobs.finish();
    });

    let mut diagnostics = Vec::new();
    let failures = std::mem::take(
        &mut *failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    for failure in failures {
        match failure {
            Failure::Template(diagnostic) => diagnostics.push(*diagnostic),
            Failure::Output(error) => return Err(RenderFailure::Output(error)),
        }
    }
    if !diagnostics.is_empty() {
        diagnostics.sort_by(|a, b| (&a.file, &a.message).cmp(&(&b.file, &b.message)));
        diagnostics.dedup_by(|a, b| a.file == b.file && a.message == b.message);
        return Err(RenderFailure::Templates(diagnostics));
    }
    let put = |file: OutputFile| emit(file).map_err(RenderFailure::Output);
    if wanted("data/outcomes.schema.json") {
        put(text_file(
            "data/outcomes.schema.json",
            open_data::json_schema(),
        ))?;
    }
    // The site feed sorts every case study: it is made only when wanted.
    for feed in wanted("feed.xml")
        .then(|| feeds::site_feed(site, config))
        .into_iter()
        .chain(feeds::page_feeds(site, config, wanted))
    {
        if wanted(&feed.path) {
            put(text_file(&feed.path, feed.atom(config, &urls)))?;
        }
    }
    if wanted("sitemap.xml") {
        put(text_file("sitemap.xml", sitemap(&jobs.paths, &urls)))?;
    }
    if wanted("robots.txt") {
        put(text_file(
            "robots.txt",
            format!(
                "User-agent: *\nAllow: /\nSitemap: {}\n",
                urls.absolute("/sitemap.xml")
            ),
        ))?;
    }
    for (path, bytes) in &theme.static_files {
        if wanted(path) {
            let shipped = path.ends_with(".js").then(|| minify::js(bytes)).flatten();
            put(OutputFile::new(
                path.clone(),
                shipped.unwrap_or_else(|| bytes.clone()),
            ))?;
        }
    }
    if let Some(colour) = &config.brand_colour
        && wanted(BRAND_CSS)
    {
        put(text_file(BRAND_CSS, brand_css(colour)))?;
    }
    // Only pages with highlighted code link this stylesheet.
    if wanted("css/code.css") {
        put(text_file("css/code.css", markdown::highlight_css()))?;
    }
    Ok(())
}

/// Whether the site's menus link `page`, so that it shows on every page: a general page with
/// `menu:`, or the accessibility statement, which the footer always links.
pub fn in_menus(page: &Page) -> bool {
    match &page.details {
        Details::Page(general) => {
            general.menu.is_some() || page.slug.value == GeneralPage::ACCESSIBILITY_SLUG
        }
        _ => false,
    }
}

/// The general pages of one menu as links, by `order` (pages without one last), then title.
fn menu_links(
    site: &Site,
    urls: &Urls,
    in_menu: impl Fn(&Page, &GeneralPage) -> bool,
) -> Vec<NavView> {
    let mut pages: Vec<(&Page, Option<u64>)> = site
        .pages_of(ContentKind::Page)
        .filter_map(|page| match &page.details {
            Details::Page(general) if in_menu(page, general) => Some((page, general.order)),
            _ => None,
        })
        .collect();
    pages.sort_by_cached_key(|(page, order)| {
        (
            order.unwrap_or(u64::MAX),
            page.title.to_lowercase(),
            page.slug.value.clone(),
        )
    });
    pages
        .into_iter()
        .map(|(page, _)| NavView {
            title: page.title.clone(),
            url: urls.page(page.kind, &page.slug.value),
        })
        .collect()
}

/// The stylesheet that carries the config's brand colour, so that pages need no inline style.
const BRAND_CSS: &str = "css/brand.css";

/// `css/brand.css`: the brand colour as the custom property the theme's header uses. The
/// colour was checked when the config was read (a hex colour, dark enough for white text).
fn brand_css(colour: &str) -> String {
    format!(":root {{ --c-brand: {colour}; }}\n")
}

/// The site-wide values every template sees as `site`.
fn site_view(config: &Config, urls: &Urls, site: &Site) -> SiteView {
    let header_pages = menu_links(site, urls, |_, general| general.menu == Some(Menu::Header));
    let footer = menu_links(site, urls, |page, general| {
        general.menu == Some(Menu::Footer) || page.slug.value == GeneralPage::ACCESSIBILITY_SLUG
    });
    let navigation = if config.navigation.is_empty() {
        let mut nav = vec![NavView {
            title: "Case studies".into(),
            url: urls.path("/case-studies/"),
        }];
        for kind in [ContentKind::Programme, ContentKind::Organisation] {
            if site.pages_of(kind).next().is_some() {
                nav.push(NavView {
                    title: kind.plural().into(),
                    url: urls.path(&format!("/{}/", kind.folder())),
                });
            }
        }
        nav.push(NavView {
            title: "Topics".into(),
            url: urls.path("/topics/"),
        });
        nav.push(NavView {
            title: "Outcomes".into(),
            url: urls.path("/outcomes/"),
        });
        nav.extend(header_pages);
        nav
    } else {
        // The site's own navigation wins: it lists what it wants, header pages included.
        config
            .navigation
            .iter()
            .map(|item| NavView {
                title: item.title.clone(),
                url: if item.url.starts_with('/') {
                    urls.path(&item.url)
                } else {
                    item.url.clone()
                },
            })
            .collect()
    };
    SiteView {
        title: config.title.clone(),
        language: config.language.clone(),
        base_url: config.base_url.clone(),
        base_path: urls.base_path.clone(),
        home_url: urls.path("/"),
        search_url: urls.path("/search/"),
        css_url: urls.path("/css/casebook.css"),
        code_css_url: urls.path("/css/code.css"),
        brand_css_url: config
            .brand_colour
            .as_ref()
            .map(|_| urls.path(&format!("/{BRAND_CSS}"))),
        logo_url: config
            .logo
            .as_ref()
            .map(|logo| urls.path(&format!("/{logo}"))),
        icon_url: urls.path("/favicon.svg"),
        outcomes_url: urls.path("/outcomes/"),
        outcomes_csv_url: urls.path("/data/outcomes.csv"),
        outcomes_json_url: urls.path("/data/outcomes.json"),
        feed_url: urls.path("/feed.xml"),
        navigation,
        footer,
        search: config.search,
        generator: format!("casebook {}", env!("CARGO_PKG_VERSION")),
    }
}

#[derive(Serialize)]
struct Crumb {
    label: String,
    url: String,
}

/// The parents of a content page: home, its list, and a module's or cohort's programme.
fn breadcrumbs(site: &Site, page: &Page, urls: &Urls) -> Vec<Crumb> {
    let mut crumbs = vec![Crumb {
        label: "Home".into(),
        url: urls.path("/"),
    }];
    let programme = match &page.details {
        Details::Module(m) => m.programme.as_ref(),
        Details::Cohort(c) => c.programme.as_ref(),
        _ => None,
    };
    if page.kind.section().is_none() {
        // A general page stands alone at the top of the site.
        return crumbs;
    }
    match programme.and_then(|p| site.get(ContentKind::Programme, &p.value)) {
        Some(parent) => {
            crumbs.push(Crumb {
                label: ContentKind::Programme.plural().into(),
                url: urls.path("/programmes/"),
            });
            crumbs.push(Crumb {
                label: parent.title.clone(),
                url: urls.page(ContentKind::Programme, &parent.slug.value),
            });
        }
        None => crumbs.push(Crumb {
            label: page.kind.plural().into(),
            url: urls.path(&format!("/{}/", page.kind.folder())),
        }),
    }
    crumbs
}

/// The generated share image of a page with outcomes: its output file (when `wanted`) and
/// the card its tags name; `None` for a page without outcomes, a case study with an image of
/// its own, a site with `share_images: false`, or (never expected) when its card does not
/// rasterise.
fn share_card_of(
    page: &Page,
    config: &Config,
    share_images: &ShareImages,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> Option<(Option<OutputFile>, share::Card)> {
    let outcome = page.headline_outcome()?;
    if !config.share_images || share::own_image(page).is_some() {
        return None;
    }
    let path = format!(
        "{}share.png",
        crate::model::page_path(page.kind, &page.slug.value).trim_start_matches('/')
    );
    let headline = outcomes::outcome_headline(outcome);
    let card = share::Card {
        path: format!("/{path}"),
        alt: format!("{}. {headline}", page.title.trim()),
    };
    // A page rendered again without its image (the preview re-renders what a change
    // affects) still names it, as the full render does.
    if !wanted(&path) {
        return Some((None, card));
    }
    let accent = config
        .brand_colour
        .as_deref()
        .filter(|c| crate::config::brand_colour_problem(c).is_none());
    let svg = share_card::card_svg(&config.title, &page.title, &headline, outcome, accent);
    let file = share_images.file(path, &svg).ok()?;
    Some((Some(file), card))
}

/// Where a content page is written: its URL path ([`crate::model::page_path`]) as a file,
/// `case-studies/x/index.html`.
fn page_output_path(page: &Page) -> String {
    let path = crate::model::page_path(page.kind, &page.slug.value);
    format!("{}index.html", path.trim_start_matches('/'))
}

/// The sharing tags of a listing, overview or fixed page at output `path`, from the title in
/// its context; the home page also gets the site's structured data. Not for the 404 page,
/// which has no address of its own.
fn add_share(context: &mut Context, path: &str, config: &Config, urls: &Urls) {
    let Some(folder) = path.strip_suffix("index.html") else {
        return;
    };
    let title = context
        .get("title")
        .and_then(|t| t.as_str())
        .unwrap_or(&config.title)
        .to_owned();
    let site_path = format!("/{folder}");
    context.insert(
        "share",
        &share::share_view(&title, None, &site_path, config, urls),
    );
    if path == "index.html" {
        context.insert("structured_data", &share::website_json_ld(config, urls));
    }
}
