//! Stage 4, render: every output file of the site, in memory, from the `Site`, the config and
//! the theme.
//!
//! Markdown bodies and templates are rendered in parallel (rayon); the site-wide template
//! values are serialised once. No I/O: the write stage puts the files on disk. A template that
//! fails is a diagnostic (E014) naming the template, never a panic.

pub mod charts;
pub mod format;
pub mod links;
pub mod markdown;
pub mod minify;
pub mod open_data;
pub mod outcomes;
pub mod overview;
pub mod urls;
pub mod views;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Pos};
use crate::load::ContentKind;
use crate::model::content::{Details, Page};
use crate::model::{Site, Taxonomy};
use crate::render::markdown::{Highlighter, MarkdownContext, render_markdown};
use crate::render::urls::{Urls, base_path};
use crate::render::views::*;
use crate::theme::Theme;

/// Cards per list page (the same as the benchmark's Hugo site).
pub const PAGE_SIZE: usize = 25;

/// One file of the output, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path with `/` separators, such as `case-studies/x/index.html`.
    pub path: String,
    /// Contents.
    pub contents: Vec<u8>,
}

/// Renders the whole site. Returns the files, or the template diagnostics that stopped it.
pub fn render_site(
    site: &Site,
    config: &Config,
    theme: &Theme,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    render_selected(site, config, theme, &|_| true)
}

/// Renders only the files whose output path (`case-studies/x/index.html`) `wanted` accepts,
/// each byte for byte as [`render_site`] renders it: `casebook serve` re-renders only what a
/// change affects. Work for the others is skipped before their Markdown or template context is
/// built; the sitemap, when wanted, still lists every page.
pub fn render_selected(
    site: &Site,
    config: &Config,
    theme: &Theme,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let files = std::sync::Mutex::new(Vec::new());
    let collect = |file: OutputFile| -> Result<(), std::convert::Infallible> {
        files.lock().map_err(|_| unreachable_poison())?.push(file);
        Ok(())
    };
    match render_into(site, config, theme, wanted, &collect) {
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
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<(), RenderFailure<E>> {
    render_into(site, config, theme, &|_| true, emit)
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
    wanted: &(dyn Fn(&str) -> bool + Sync),
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<(), RenderFailure<E>> {
    let send = |result: Result<OutputFile, Box<Diagnostic>>| -> Result<(), Failure<E>> {
        emit(result.map_err(Failure::Template)?).map_err(Failure::Output)
    };
    let tera = load_templates(theme).map_err(RenderFailure::Templates)?;
    let urls = Urls {
        base_path: base_path(&config.base_url),
        base_url: config.base_url.clone(),
    };
    let site_view = site_view(config, &urls, site);
    let mut tera = tera;
    tera.global_context().insert("site", &site_view);

    let cards = Cards::new(site, &urls);
    let highlighter = Highlighter::default();
    let is_published = |path: &str| {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            [folder, slug] => match ContentKind::ALL.into_iter().find(|k| k.folder() == *folder) {
                Some(kind) => site.get(kind, slug).is_some(),
                None => true,
            },
            _ => true,
        }
    };
    let markdown = MarkdownContext {
        allow_html: config.allow_html,
        base_path: &urls.base_path,
        is_published: &is_published,
        highlighter: &highlighter,
    };
    let view_context = ViewContext {
        site,
        urls: &urls,
        cards: &cards,
        show_emails: config.show_emails,
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
    let render_page = |page: &Page| {
        let body = render_markdown(&page.body.markdown, &markdown);
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
        send(renderer.render(
            &format!("{}.html", page.kind.type_name()),
            &context,
            &page_output_path(page),
        ))
    };
    // Listing pages are rendered in batches as they are set up, so their template values are
    // never all in memory at once.
    let flush = |batch: Vec<Job<'_>>| {
        batch
            .into_par_iter()
            .map(|(template, path, make_context)| {
                let mut context = make_context();
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
        scope.spawn(|_| {
            site.pages
                .par_iter()
                .filter(|page| wanted(&page_output_path(page)))
                .map(render_page)
                .for_each(record);
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
        home_job(site, &cards, &config.title, &mut jobs);
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
    if wanted("feed.xml") {
        put(text_file("feed.xml", feed(site, config, &urls)))?;
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
            put(OutputFile {
                path: path.clone(),
                contents: shipped.unwrap_or_else(|| bytes.clone()),
            })?;
        }
    }
    // Only pages with highlighted code link this stylesheet.
    if wanted("css/code.css") {
        put(text_file("css/code.css", markdown::highlight_css()))?;
    }
    Ok(())
}

/// The template jobs of the listings and fixed pages, with the output path of every job,
/// wanted or not (for the sitemap).
struct Jobs<'a> {
    wanted: &'a (dyn Fn(&str) -> bool + Sync),
    list: Vec<Job<'a>>,
    paths: Vec<String>,
    flush: &'a (dyn Fn(Vec<Job<'a>>) + Sync),
}

/// A listing or fixed page to render: template, output path, and what makes its template
/// values. The values are made where the page is rendered, in parallel, not where the job is
/// set up.
type Job<'a> = (&'static str, String, MakeContext<'a>);

/// Makes the template values of one page.
type MakeContext<'a> = Box<dyn FnOnce() -> Context + Send + 'a>;

/// Listing pages set up before a batch is rendered.
const BATCH: usize = 256;

impl<'a> Jobs<'a> {
    /// Records `path` as part of the site and says whether it is to be rendered.
    fn wants(&mut self, path: &str) -> bool {
        self.paths.push(path.to_owned());
        (self.wanted)(path)
    }

    fn push(&mut self, job: Job<'a>) {
        self.list.push(job);
        if self.list.len() >= BATCH {
            (self.flush)(std::mem::take(&mut self.list));
        }
    }

    /// Renders what is left.
    fn finish(&mut self) {
        (self.flush)(std::mem::take(&mut self.list));
    }
}

struct Renderer<'a> {
    tera: &'a Tera,
    /// Links that start with it are made relative to their page ([`links`]).
    base_path: &'a str,
}

impl Renderer<'_> {
    fn render(
        &self,
        template: &str,
        context: &Context,
        path: &str,
    ) -> Result<OutputFile, Box<Diagnostic>> {
        // Each thread renders into one buffer that keeps its capacity, and the file gets an
        // exact copy, with its links made relative: no page grows its output by doubling.
        thread_local! {
            static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BUFFER.with_borrow_mut(|buffer| {
            buffer.clear();
            match self.tera.render_to(template, context, &mut *buffer) {
                Ok(()) => {
                    let mut contents = Vec::new();
                    links::relative_into(buffer, path, self.base_path, &mut contents);
                    Ok(OutputFile {
                        path: path.to_owned(),
                        contents,
                    })
                }
                Err(error) => Err(Box::new(template_diagnostic(template, &error))),
            }
        })
    }
}

fn template_diagnostic(template: &str, error: &tera::Error) -> Diagnostic {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    // Tera's message shows the place as `--> name:line:column` with a snippet of the template.
    let at = message
        .split("--> ")
        .nth(1)
        .and_then(|rest| {
            let mut parts = rest.split_whitespace().next()?.rsplitn(3, ':');
            let column = parts.next()?.parse().ok()?;
            let line = parts.next()?.parse().ok()?;
            Some(Pos::new(line, column))
        })
        .unwrap_or(Pos::START);
    Diagnostic::new(
        Code::E014,
        &format!("templates/{template}"),
        at,
        message.trim().to_owned(),
    )
    .with_hint("fix the template, or delete your override in templates/ to use the theme's own")
}

/// Escapes text for HTML as Tera's own escaping does (`&`, `<`, `>`, `"` and `'`, so values are
/// safe in single-quoted attributes of an override too), but writes each run of plain bytes
/// at once instead of byte by byte: a fifth of rendering time went to escaping.
fn escape_into(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (index, byte) in bytes.iter().enumerate() {
        let entity: &[u8] = match byte {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..index])?;
        out.write_all(entity)?;
        start = index + 1;
    }
    out.write_all(&bytes[start..])
}

fn load_templates(theme: &Theme) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::new();
    tera.set_escape_fn(escape_into);
    let mut diagnostics = Vec::new();
    // Templates refer to each other, so they are added together; when that fails, each is
    // tried alone against the rest to say which one is broken.
    let all = theme
        .templates
        .iter()
        .map(|(name, file)| (name.as_str(), file.text.as_str()));
    if let Err(error) = tera.add_raw_templates(all) {
        for (name, file) in &theme.templates {
            let others = theme
                .templates
                .iter()
                .filter(|(other, _)| *other != name)
                .map(|(n, f)| (n.as_str(), f.text.as_str()));
            let mut alone = Tera::new();
            alone.set_escape_fn(escape_into);
            if alone.add_raw_templates(others).is_ok() {
                if let Err(error) = alone.add_raw_templates([(name.as_str(), file.text.as_str())]) {
                    let mut diagnostic = template_diagnostic(name, &error);
                    diagnostic.file = file
                        .origin
                        .split(" (")
                        .next()
                        .unwrap_or(&file.origin)
                        .to_owned();
                    diagnostics.push(diagnostic);
                }
            }
        }
        if diagnostics.is_empty() {
            diagnostics.push(template_diagnostic("theme", &error));
        }
        return Err(diagnostics);
    }
    for required in [
        "base.html",
        "case-study.html",
        "programme.html",
        "module.html",
        "cohort.html",
        "organisation.html",
        "dataset.html",
        "list.html",
        "taxonomy.html",
        "term.html",
        "home.html",
        "outcomes.html",
        "search.html",
        "404.html",
    ] {
        if !theme.templates.contains_key(required) {
            diagnostics.push(
                Diagnostic::new(
                    Code::E014,
                    &format!("templates/{required}"),
                    Pos::START,
                    format!("the theme has no template `{required}`"),
                )
                .with_hint("add the template, or use `theme: default`"),
            );
        }
    }
    if diagnostics.is_empty() {
        Ok(tera)
    } else {
        Err(diagnostics)
    }
}

fn site_view(config: &Config, urls: &Urls, site: &Site) -> SiteView {
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
        nav
    } else {
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
        outcomes_url: urls.path("/outcomes/"),
        outcomes_csv_url: urls.path("/data/outcomes.csv"),
        outcomes_json_url: urls.path("/data/outcomes.json"),
        feed_url: urls.path("/feed.xml"),
        navigation,
        search: config.search,
        generator: format!("casebook {}", env!("CARGO_PKG_VERSION")),
    }
}

fn page_output_path(page: &Page) -> String {
    format!("{}/{}/index.html", page.kind.folder(), page.slug.value)
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
}

/// A list page's values, as `list`.
#[derive(Serialize)]
struct ListView<'a> {
    title: &'a str,
    items: Vec<&'a Card>,
    pagination: Pagination,
}

/// A taxonomy term page's values, as `term`.
#[derive(Serialize)]
struct TermView<'a> {
    taxonomy_title: &'a str,
    taxonomy_url: String,
    label: &'a str,
    items: Vec<&'a Card>,
    pagination: Pagination,
}

#[derive(Serialize)]
struct Pagination {
    current: usize,
    total: usize,
    previous_url: Option<String>,
    next_url: Option<String>,
    pages: Vec<PageLink>,
}

/// Splits `items` into pages of [`PAGE_SIZE`] under `folder` (`/case-studies/`), recording
/// every page's path in `jobs` and calling `emit` with the output path, items and pagination
/// of each page `jobs` wants. Pages nobody renders get no links built: every page links every
/// other, so that would cost the square of their number.
fn paginate<'a, T: Clone>(
    folder: &str,
    items: &[T],
    urls: &Urls,
    jobs: &mut Jobs<'a>,
    mut emit: impl FnMut(&mut Jobs<'a>, String, Vec<T>, Pagination),
) {
    let total = items.len().div_ceil(PAGE_SIZE).max(1);
    let page_url = |n: usize| {
        if n == 1 {
            urls.path(folder)
        } else {
            urls.path(&format!("{folder}page/{n}/"))
        }
    };
    for number in 1..=total {
        let path = listing_page_path(folder, number);
        if !jobs.wants(&path) {
            continue;
        }
        let start = (number - 1) * PAGE_SIZE;
        let chunk = items[start.min(items.len())..(start + PAGE_SIZE).min(items.len())].to_vec();
        let pagination = Pagination {
            current: number,
            total,
            previous_url: (number > 1).then(|| page_url(number - 1)),
            next_url: (number < total).then(|| page_url(number + 1)),
            pages: (1..=total)
                .map(|n| PageLink {
                    number: n,
                    url: page_url(n),
                    current: n == number,
                })
                .collect(),
        };
        emit(jobs, path, chunk, pagination);
    }
}

/// The output path of page `number` of the listing under `folder` (`/case-studies/`).
fn listing_page_path(folder: &str, number: usize) -> String {
    if number == 1 {
        format!("{}index.html", folder.trim_start_matches('/'))
    } else {
        format!("{}page/{number}/index.html", folder.trim_start_matches('/'))
    }
}

/// Case studies newest first; other kinds by title.
fn ordered(site: &Site, kind: ContentKind) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..site.pages.len())
        .filter(|&i| site.pages[i].kind == kind)
        .collect();
    if kind == ContentKind::CaseStudy {
        indices.sort_by(|&a, &b| {
            (site.pages[b].published, &site.pages[a].slug.value)
                .cmp(&(site.pages[a].published, &site.pages[b].slug.value))
        });
    } else if kind == ContentKind::Module {
        indices.sort_by_key(|&i| (site.pages[i].title.to_lowercase(), i));
    } else {
        indices.sort_by_key(|&i| (site.pages[i].title.to_lowercase(), i));
    }
    indices
}

fn list_jobs<'a>(site: &'a Site, cards: &'a Cards<'a>, urls: &'a Urls, jobs: &mut Jobs<'a>) {
    for kind in ContentKind::ALL {
        let items = ordered(site, kind);
        if items.is_empty() && kind != ContentKind::CaseStudy {
            continue;
        }
        let folder = format!("/{}/", kind.folder());
        paginate(
            &folder,
            &items,
            urls,
            jobs,
            |jobs, path, chunk, pagination| {
                let make = move || {
                    let items: Vec<&Card> = chunk.iter().map(|&i| &cards[i]).collect();
                    let title = if pagination.current > 1 {
                        format!(
                            "{} (page {} of {})",
                            kind.plural(),
                            pagination.current,
                            pagination.total
                        )
                    } else {
                        kind.plural().to_owned()
                    };
                    let mut context = Context::new();
                    context.insert("page_type", "list");
                    context.insert("title", &title);
                    context.insert(
                        "list",
                        &ListView {
                            title: &title,
                            items,
                            pagination,
                        },
                    );
                    context
                };
                jobs.push(("list.html", path, Box::new(make)));
            },
        );
    }
}

fn taxonomy_jobs<'a>(site: &'a Site, cards: &'a Cards<'a>, urls: &'a Urls, jobs: &mut Jobs<'a>) {
    for taxonomy in Taxonomy::ALL {
        let terms = site.relations.terms.get(&taxonomy);
        let mut term_list = Vec::new();
        for (key, term) in terms.into_iter().flatten() {
            let folder = format!("/{}/{}/", taxonomy.segment(), key);
            term_list.push(serde_json::json!({"label": term.label, "url": urls.path(&folder), "count": term.pages.len()}));
            let items = term_order(site, term);
            paginate(
                &folder,
                &items,
                urls,
                jobs,
                |jobs, path, chunk, pagination| {
                    let make = move || {
                        let items: Vec<&Card> = chunk.iter().map(|&i| &cards[i]).collect();
                        let mut context = Context::new();
                        context.insert("page_type", "term");
                        context.insert("title", &format!("{}: {}", taxonomy.title(), term.label));
                        context.insert(
                            "term",
                            &TermView {
                                taxonomy_title: taxonomy.title(),
                                taxonomy_url: urls.path(&format!("/{}/", taxonomy.segment())),
                                label: &term.label,
                                items,
                                pagination,
                            },
                        );
                        context
                    };
                    jobs.push(("term.html", path, Box::new(make)));
                },
            );
        }
        let path = format!("{}/index.html", taxonomy.segment());
        if !jobs.wants(&path) {
            continue;
        }
        let make = move || {
            let mut context = Context::new();
            context.insert("page_type", "taxonomy");
            context.insert("title", taxonomy.title());
            context.insert(
                "taxonomy",
                &serde_json::json!({"title": taxonomy.title(), "terms": term_list}),
            );
            context
        };
        jobs.push(("taxonomy.html", path, Box::new(make)));
    }
}

/// A term's pages as its page lists them: by kind, newest first, then by slug.
fn term_order(site: &Site, term: &crate::model::Term) -> Vec<usize> {
    let mut indices = term.pages.clone();
    indices.sort_by(|&a, &b| {
        (
            site.pages[a].kind,
            std::cmp::Reverse(site.pages[a].published),
            &site.pages[a].slug.value,
        )
            .cmp(&(
                site.pages[b].kind,
                std::cmp::Reverse(site.pages[b].published),
                &site.pages[b].slug.value,
            ))
    });
    indices
}

/// One page of a paginated listing (a list of a kind or a taxonomy term) and what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Output path, such as `case-studies/page/2/index.html`.
    pub path: String,
    /// The pages it shows a card of, in order (indices into [`Site::pages`]).
    pub pages: Vec<usize>,
    /// How many pages the listing it belongs to has (its pagination links show them all).
    pub of: usize,
}

/// Every paginated listing page of the site and the cards it shows, in the order the
/// renderer paginates them. `casebook serve` compares these before and after a change to
/// re-render only the listing pages whose cards or pagination changed.
pub fn listings(site: &Site) -> Vec<Listing> {
    let mut out = Vec::new();
    // As `paginate` splits a listing, without building the pagination links.
    let mut add = |folder: &str, items: &[usize]| {
        let of = items.len().div_ceil(PAGE_SIZE).max(1);
        for number in 1..=of {
            let start = ((number - 1) * PAGE_SIZE).min(items.len());
            let end = (start + PAGE_SIZE).min(items.len());
            out.push(Listing {
                path: listing_page_path(folder, number),
                pages: items[start..end].to_vec(),
                of,
            });
        }
    };
    for kind in ContentKind::ALL {
        let items = ordered(site, kind);
        if items.is_empty() && kind != ContentKind::CaseStudy {
            continue;
        }
        add(&format!("/{}/", kind.folder()), &items);
    }
    for taxonomy in Taxonomy::ALL {
        for (key, term) in site.relations.terms.get(&taxonomy).into_iter().flatten() {
            add(
                &format!("/{}/{}/", taxonomy.segment(), key),
                &term_order(site, term),
            );
        }
    }
    out
}

fn home_job(site: &Site, cards: &Cards<'_>, site_title: &str, jobs: &mut Jobs<'_>) {
    if !jobs.wants("index.html") {
        return;
    }
    let latest: Vec<Card> = ordered(site, ContentKind::CaseStudy)
        .into_iter()
        .take(6)
        .map(|i| cards[i].clone())
        .collect();
    let programmes: Vec<Card> = ordered(site, ContentKind::Programme)
        .into_iter()
        .take(6)
        .map(|i| cards[i].clone())
        .collect();
    let mut context = Context::new();
    context.insert("page_type", "home");
    context.insert("title", &site_title);
    context.insert("latest", &latest);
    context.insert("programmes", &programmes);
    context.insert(
        "counts",
        &serde_json::json!({
            "case_studies": site.pages_of(ContentKind::CaseStudy).count(),
            "programmes": site.pages_of(ContentKind::Programme).count(),
            "organisations": site.pages_of(ContentKind::Organisation).count(),
        }),
    );
    jobs.push((
        "home.html",
        "index.html".to_owned(),
        Box::new(move || context),
    ));
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

fn text_file(path: &str, text: String) -> OutputFile {
    OutputFile {
        path: path.to_owned(),
        contents: text.into_bytes(),
    }
}

fn xml_escape(text: &str) -> String {
    markdown::escape_html(text)
}

/// An Atom feed of the 20 newest case studies; its date is the newest entry's, never the clock.
fn feed(site: &Site, config: &Config, urls: &Urls) -> String {
    let entries: Vec<&Page> = ordered(site, ContentKind::CaseStudy)
        .into_iter()
        .take(20)
        .map(|i| &site.pages[i])
        .collect();
    let stamp = |page: &Page| {
        page.updated.or(page.published).map_or_else(
            || "1970-01-01T00:00:00Z".to_owned(),
            |d| format!("{d}T00:00:00Z"),
        )
    };
    let updated = entries
        .iter()
        .map(|p| stamp(p))
        .max()
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned());
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}\"/>\n  <id>{}</id>\n  <updated>{updated}</updated>\n",
        xml_escape(&config.language),
        xml_escape(&config.title),
        xml_escape(&urls.absolute("/")),
        xml_escape(&urls.absolute("/feed.xml")),
        xml_escape(&urls.absolute("/")),
    );
    for page in entries {
        let url = urls.absolute(&crate::model::page_path(page.kind, &page.slug.value));
        let author = match &page.details {
            Details::CaseStudy(c) => c.organisations.first().map(|o| o.name.clone()),
            _ => None,
        }
        .unwrap_or_else(|| config.title.clone());
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <link href=\"{}\"/>\n    <id>{}</id>\n    <updated>{}</updated>\n    <author><name>{}</name></author>\n    <summary>{}</summary>\n  </entry>\n",
            xml_escape(&page.title),
            xml_escape(&url),
            xml_escape(&url),
            stamp(page),
            xml_escape(&author),
            xml_escape(page.summary.as_deref().unwrap_or("")),
        ));
    }
    xml.push_str("</feed>\n");
    xml
}

fn sitemap(every_path: &[String], urls: &Urls) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut paths: Vec<&str> = every_path
        .iter()
        .filter_map(|path| path.strip_suffix("index.html"))
        .collect();
    paths.sort_unstable();
    for path in paths {
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            xml_escape(&urls.absolute(&format!("/{path}")))
        ));
    }
    xml.push_str("</urlset>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_teras_own() {
        for text in [
            "",
            "plain text",
            "<script>alert('x')</script>",
            "Tom & Jerry's \"care\" <home>",
            "&&<<>>\"\"''",
            "café – naïve ✓",
        ] {
            let mut ours = Vec::new();
            escape_into(text, &mut ours).unwrap();
            let mut theirs = Vec::new();
            tera::escape_html(text, &mut theirs).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }
}
