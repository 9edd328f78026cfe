//! The job wiring of a render: content pages, open data and the overview render as parallel
//! tasks while listing pages are set up in batches; each file goes to the sink as soon as it
//! is rendered. The entry points in `mod.rs` choose where bodies come from and what is wanted.

use super::values::{
    BRAND_CSS, add_share, brand_css, breadcrumbs, page_output_path, share_card_of, site_view,
};
use super::{
    RenderFailure, ShareImages, feeds, markdown, minify, open_data, overview, picture, share,
};

use rayon::prelude::*;
use tera::Context;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::images::Images;
use crate::model::ContentKind;
use crate::model::Site;
use crate::model::content::Page;
use crate::render::feeds::{sitemap, text_file};
use crate::render::listings::{Job, Jobs, home_job, list_jobs, taxonomy_jobs};
use crate::render::markdown::{
    Highlighter, MarkdownContext, render_markdown, render_markdown_observed,
    render_markdown_with_text,
};
use crate::render::templates::{Renderer, load_templates};
use crate::render::urls::Urls;
use crate::render::views::*;
use crate::search::PlainText;
use crate::theme::Theme;
use crate::write::OutputFile;

/// Where each page's Markdown body comes from.
pub(super) enum Bodies<'a, E> {
    /// The `Site`'s pages hold them (`page.body.markdown`), as the preview's do.
    InSite,
    /// Read through this function when the page renders, and dropped once it is rendered: a
    /// build's `Site` holds no bodies, so that a large site's text is never all in memory.
    /// An `Err` (a file that can no longer be read) stops the render as the sink's do.
    Read(&'a (dyn Fn(&Page) -> Result<String, E> + Sync)),
}

/// Where a render's content comes from and where its by-products go.
pub(super) struct Streams<'a, E> {
    pub(super) wanted: &'a (dyn Fn(&str) -> bool + Sync),
    pub(super) bodies: Bodies<'a, E>,
    /// Takes the search text of every content page's body, [`crate::search::CHUNK`] pages at a
    /// time, in the order of `site.pages`.
    pub(super) texts: Option<&'a (dyn Fn(Vec<PlainText>) + Sync)>,
    /// Where the open data is written as it is made; without it, it is made in memory and
    /// handed to `emit` as any file.
    pub(super) large: Option<&'a super::LargeFile<'a, E>>,
    /// A build's: what each body's parse finds for the checks goes here, and its images are
    /// read on first use.
    pub(super) finding: Option<&'a super::Finding<'a>>,
}

/// One rendering task's failure.
enum Failure<E> {
    Template(Box<Diagnostic>),
    Output(E),
}

pub(super) fn render_into<E: Send>(
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
    // Highlighted code is cached beside the share images (`.casebook/cache/highlight/`),
    // where the caller keeps that site's cache; without one, nothing is kept.
    let highlighter = match share_images.cache().dir().and_then(std::path::Path::parent) {
        Some(caches) => Highlighter::caching(crate::cache::Cache::at(caches.join("highlight"))),
        None => Highlighter::default(),
    };
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
        let pictures = picture::for_page(images, page).reading(streams.finding.map(|f| f.images));
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
        let with_links;
        let (body, text, page) = match streams.finding {
            Some(finding) => {
                let (body, text, found) =
                    render_markdown_observed(markdown_text, page.body.first_line, &markdown);
                // A programme lists the datasets its body links to: the parse stage left
                // its links to the render.
                let page = if page.kind == ContentKind::Programme && page.links.is_empty() {
                    with_links = Page {
                        links: found.links.clone(),
                        ..page.clone()
                    };
                    &with_links
                } else {
                    page
                };
                (finding.found)(page, found);
                let text = if with_text {
                    text
                } else {
                    PlainText::default()
                };
                (body, text, page)
            }
            None if with_text => {
                let (body, text) = render_markdown_with_text(markdown_text, &markdown);
                (body, text, page)
            }
            None => (
                render_markdown(markdown_text, &markdown),
                PlainText::default(),
                page,
            ),
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
            scope.spawn(|_| {
                // A build writes them to disk a record at a time (whole, `outcomes.json`
                // alone is 440 MB at 100,000 case studies); elsewhere each is made in memory.
                let in_memory = |path: &str,
                                 fill: &mut dyn FnMut(
                    &mut dyn std::io::Write,
                ) -> std::io::Result<()>| {
                    let mut bytes = Vec::new();
                    fill(&mut bytes).expect("records are plain data and write to memory");
                    emit(OutputFile::new(path.to_owned(), bytes))
                };
                let write: &super::LargeFile<'_, E> = streams.large.unwrap_or(&in_memory);
                // Each record is made once for both files: the CSV's writer opens the JSON's,
                // and a failure is the failure of the file it happened to.
                let mut json = Ok(());
                let csv = write("data/outcomes.csv", &mut |csv| {
                    let mut csv_failure = None;
                    json = write("data/outcomes.json", &mut |json| {
                        let records = open_data::records(site, &urls);
                        match open_data::write_csv_and_json(records, csv, json) {
                            Ok(()) => Ok(()),
                            Err(open_data::WriteFailure::Json(error)) => Err(error),
                            Err(open_data::WriteFailure::Csv(error)) => {
                                csv_failure = Some(error);
                                Ok(())
                            }
                        }
                    });
                    csv_failure.map_or(Ok(()), Err)
                });
                record(csv.map_err(Failure::Output));
                record(json.map_err(Failure::Output));
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
