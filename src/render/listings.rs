//! Listing pages: the list of each content type (but general pages, which have none) and
//! each taxonomy term, paginated, the taxonomy indexes and the home page, set up as jobs that render in parallel batches.

use serde::Serialize;
use tera::Context;

use crate::model::ContentKind;
use crate::model::{Site, Taxonomy};
use crate::render::urls::Urls;
use crate::render::views::{Card, Cards};

/// Cards per list page (the same as the benchmark's Hugo site).
pub const PAGE_SIZE: usize = 25;

/// The template jobs of the listings and fixed pages, with the output path of every job,
/// wanted or not (for the sitemap).
pub(super) struct Jobs<'a> {
    pub(super) wanted: &'a (dyn Fn(&str) -> bool + Sync),
    pub(super) list: Vec<Job<'a>>,
    pub(super) paths: Vec<String>,
    pub(super) flush: &'a (dyn Fn(Vec<Job<'a>>) + Sync),
}

/// A listing or fixed page to render: template, output path, and what makes its template
/// values. The values are made where the page is rendered, in parallel, not where the job is
/// set up.
pub(super) type Job<'a> = (&'static str, String, MakeContext<'a>);

/// Makes the template values of one page.
pub(super) type MakeContext<'a> = Box<dyn FnOnce() -> Context + Send + 'a>;

/// Listing pages set up before a batch is rendered.
const BATCH: usize = 256;

impl<'a> Jobs<'a> {
    /// Records `path` as part of the site and says whether it is to be rendered.
    pub(super) fn wants(&mut self, path: &str) -> bool {
        self.paths.push(path.to_owned());
        (self.wanted)(path)
    }

    pub(super) fn push(&mut self, job: Job<'a>) {
        self.list.push(job);
        if self.list.len() >= BATCH {
            (self.flush)(std::mem::take(&mut self.list));
        }
    }

    /// Renders what is left.
    pub(super) fn finish(&mut self) {
        (self.flush)(std::mem::take(&mut self.list));
    }
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

/// A listing page's place among its siblings, as `pagination`. `pages` is a window of links
/// (see [`window`]), `null` where numbers are left out, so a page's size does not grow with
/// the length of its list.
#[derive(Serialize)]
struct Pagination {
    current: usize,
    total: usize,
    previous_url: Option<String>,
    next_url: Option<String>,
    pages: Vec<Option<PageLink>>,
}

/// `prev_url` and `next_url` for the `<link rel="prev|next">` of a listing page's head.
fn pager_links(context: &mut Context, pagination: &Pagination) {
    context.insert("prev_url", &pagination.previous_url);
    context.insert("next_url", &pagination.next_url);
}

/// Lists with at most this many pages show a link to each.
const SHOW_ALL_UP_TO: usize = 7;

/// Links shown either side of the current page.
const AROUND: usize = 2;

/// The page numbers a pagination bar shows for page `current` of `total`: the first and the
/// last, and up to [`AROUND`] either side of the current; `None` marks numbers left out. A
/// gap of one number shows that number instead, since a mark would take the same room.
/// `window(10, 20)` is `1, …, 8, 9, 10, 11, 12, …, 20`.
fn window(current: usize, total: usize) -> Vec<Option<usize>> {
    if total <= SHOW_ALL_UP_TO {
        return (1..=total).map(Some).collect();
    }
    let low = current.saturating_sub(AROUND).max(1);
    let high = (current + AROUND).min(total);
    let mut shown: Vec<usize> = vec![1];
    shown.extend(low..=high);
    shown.push(total);
    shown.sort_unstable();
    shown.dedup();
    let mut out = Vec::new();
    let mut last = 0;
    for number in shown {
        match number - last {
            1 => {}
            2 => out.push(Some(last + 1)),
            _ => out.push(None),
        }
        out.push(Some(number));
        last = number;
    }
    out
}

/// Splits the `count` items that `items` gives, in order, into pages of [`PAGE_SIZE`] under
/// `folder` (`/case-studies/`), recording every page's path in `jobs` and calling `emit` with
/// the output path, items and pagination of each page `jobs` wants. `items` is called only
/// when a page is wanted: `casebook serve`, re-rendering a few pages, sorts no list it skips.
fn paginate<'a, T: Clone>(
    folder: &str,
    count: usize,
    items: impl FnOnce() -> Vec<T>,
    urls: &Urls,
    jobs: &mut Jobs<'a>,
    mut emit: impl FnMut(&mut Jobs<'a>, String, Vec<T>, Pagination),
) {
    let mut items = Some(items);
    let mut sorted: Vec<T> = Vec::new();
    let total = count.div_ceil(PAGE_SIZE).max(1);
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
        if let Some(items) = items.take() {
            sorted = items();
        }
        let items = &sorted;
        let start = (number - 1) * PAGE_SIZE;
        let chunk = items[start.min(items.len())..(start + PAGE_SIZE).min(items.len())].to_vec();
        let pagination = Pagination {
            current: number,
            total,
            previous_url: (number > 1).then(|| page_url(number - 1)),
            next_url: (number < total).then(|| page_url(number + 1)),
            pages: window(number, total)
                .into_iter()
                .map(|n| {
                    n.map(|n| PageLink {
                        number: n,
                        url: page_url(n),
                        current: n == number,
                    })
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
pub(super) fn ordered(site: &Site, kind: ContentKind) -> Vec<usize> {
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

pub(super) fn list_jobs<'a>(
    site: &'a Site,
    cards: &'a Cards<'a>,
    urls: &'a Urls,
    jobs: &mut Jobs<'a>,
) {
    for kind in ContentKind::ALL {
        let Some(section) = kind.section() else {
            continue;
        };
        let count = site.pages_of(kind).count();
        if count == 0 && kind != ContentKind::CaseStudy {
            continue;
        }
        let folder = format!("/{section}/");
        paginate(
            &folder,
            count,
            || ordered(site, kind),
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
                    pager_links(&mut context, &pagination);
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

pub(super) fn taxonomy_jobs<'a>(
    site: &'a Site,
    cards: &'a Cards<'a>,
    urls: &'a Urls,
    jobs: &mut Jobs<'a>,
) {
    for taxonomy in Taxonomy::ALL {
        let terms = site.relations.terms.get(&taxonomy);
        let mut term_list = Vec::new();
        for (key, term) in terms.into_iter().flatten() {
            let folder = format!("/{}/{}/", taxonomy.segment(), key);
            let feed_url = urls.path(&format!("{folder}feed.xml"));
            term_list.push(serde_json::json!({"label": term.label, "url": urls.path(&folder), "count": term.pages.len()}));
            paginate(
                &folder,
                term.pages.len(),
                || term_order(site, term),
                urls,
                jobs,
                |jobs, path, chunk, pagination| {
                    let feed_url = feed_url.clone();
                    let make = move || {
                        let items: Vec<&Card> = chunk.iter().map(|&i| &cards[i]).collect();
                        let mut context = Context::new();
                        context.insert("page_type", "term");
                        pager_links(&mut context, &pagination);
                        context.insert("page_feed_url", &feed_url);
                        context.insert(
                            "page_feed_title",
                            &format!("{}: {}", taxonomy.title(), term.label),
                        );
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
pub(super) fn term_order(site: &Site, term: &crate::model::Term) -> Vec<usize> {
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
    /// How many pages the listing it belongs to has (its pagination shows the last).
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
        let Some(section) = kind.section() else {
            continue;
        };
        let items = ordered(site, kind);
        if items.is_empty() && kind != ContentKind::CaseStudy {
            continue;
        }
        add(&format!("/{section}/"), &items);
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

/// Terms a home page lists per taxonomy, most pages first; the taxonomy's page has them all.
const HOME_TERMS: usize = 8;

/// A way into the site from the home page: a taxonomy's terms with their page counts.
#[derive(Serialize)]
struct Browse {
    title: &'static str,
    url: String,
    terms: Vec<TermLink>,
    more: bool,
}

#[derive(Serialize)]
struct TermLink {
    label: String,
    url: String,
    count: usize,
}

/// A page's headline result, for the home page.
#[derive(Serialize)]
struct Headline {
    headline: String,
    title: String,
    url: String,
}

/// The terms of `taxonomy` with the most pages, as links with their counts.
fn browse(site: &Site, taxonomy: Taxonomy, urls: &Urls) -> Option<Browse> {
    let terms = site.relations.terms.get(&taxonomy)?;
    let mut links: Vec<TermLink> = terms
        .iter()
        .map(|(key, term)| TermLink {
            label: term.label.clone(),
            url: urls.path(&format!("/{}/{}/", taxonomy.segment(), key)),
            count: term.pages.len(),
        })
        .collect();
    links.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    let more = links.len() > HOME_TERMS;
    links.truncate(HOME_TERMS);
    (!links.is_empty()).then(|| Browse {
        title: taxonomy.title(),
        url: urls.path(&format!("/{}/", taxonomy.segment())),
        terms: links,
        more,
    })
}

pub(super) fn home_job(
    site: &Site,
    cards: &Cards<'_>,
    urls: &Urls,
    site_title: &str,
    jobs: &mut Jobs<'_>,
) {
    if !jobs.wants("index.html") {
        return;
    }
    let case_studies = ordered(site, ContentKind::CaseStudy);
    let latest: Vec<Card> = case_studies
        .iter()
        .take(6)
        .map(|&i| cards[i].clone())
        .collect();
    let programmes: Vec<Card> = ordered(site, ContentKind::Programme)
        .into_iter()
        .take(6)
        .map(|i| cards[i].clone())
        .collect();
    let headlines: Vec<Headline> = case_studies
        .iter()
        .chain(&ordered(site, ContentKind::Programme))
        .filter_map(|&i| {
            let card = &cards[i];
            Some(Headline {
                headline: card.headline.clone()?,
                title: card.title.clone(),
                url: card.url.clone(),
            })
        })
        .take(4)
        .collect();
    let browse: Vec<Browse> = [Taxonomy::Regions, Taxonomy::Settings, Taxonomy::Topics]
        .into_iter()
        .filter_map(|taxonomy| browse(site, taxonomy, urls))
        .collect();
    let mut context = Context::new();
    context.insert("page_type", "home");
    context.insert("title", &site_title);
    context.insert("latest", &latest);
    context.insert("programmes", &programmes);
    context.insert("headlines", &headlines);
    context.insert("browse", &browse);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(current: usize, total: usize) -> String {
        window(current, total)
            .into_iter()
            .map(|n| n.map_or("…".to_owned(), |n| n.to_string()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn short_lists_show_every_page() {
        assert_eq!(shown(1, 1), "1");
        assert_eq!(shown(3, 7), "1 2 3 4 5 6 7");
    }

    #[test]
    fn long_lists_show_a_window_with_the_first_and_last() {
        assert_eq!(shown(1, 20), "1 2 3 … 20");
        assert_eq!(shown(4, 20), "1 2 3 4 5 6 … 20");
        assert_eq!(shown(5, 20), "1 2 3 4 5 6 7 … 20");
        assert_eq!(shown(10, 20), "1 … 8 9 10 11 12 … 20");
        assert_eq!(shown(17, 20), "1 … 15 16 17 18 19 20");
        assert_eq!(shown(20, 20), "1 … 18 19 20");
        assert_eq!(shown(2_000, 4_000), "1 … 1998 1999 2000 2001 2002 … 4000");
    }

    #[test]
    fn the_window_never_grows_with_the_list() {
        for total in [8, 100, 4_000, 100_000] {
            for current in [1, 2, total / 2, total - 1, total] {
                let links = window(current, total);
                assert!(links.len() <= 9, "{current} of {total}: {links:?}");
                assert_eq!(links.first(), Some(&Some(1)));
                assert_eq!(links.last(), Some(&Some(total)));
                assert!(links.contains(&Some(current)));
            }
        }
    }
}
