//! The site's XML files beside its pages: Atom feeds (the site's, and one beside each
//! taxonomy term, programme and organisation page) and the sitemap.

use crate::config::Config;
use crate::model::ContentKind;
use crate::model::content::{Details, Page};
use crate::model::{Site, Taxonomy};
use crate::render::listings::{ordered, term_order};
use crate::render::markdown;
use crate::render::urls::Urls;
use crate::write::OutputFile;

pub(super) fn text_file(path: &str, text: String) -> OutputFile {
    OutputFile::new(path.to_owned(), text.into_bytes())
}

fn xml_escape(text: &str) -> String {
    markdown::escape_html(text)
}

/// Entries in a feed: the newest 20.
pub(super) const FEED_ENTRIES: usize = 20;

/// One Atom feed: its title, the page it follows and its own address (site paths), and its
/// entries, newest first.
pub(super) struct Feed<'a> {
    /// Output path, such as `topics/falls/feed.xml`.
    pub(super) path: String,
    title: String,
    page: String,
    entries: Vec<&'a Page>,
}

/// The site-wide feed of the newest case studies.
pub(super) fn site_feed<'a>(site: &'a Site, config: &Config) -> Feed<'a> {
    Feed {
        path: "feed.xml".to_owned(),
        title: config.title.clone(),
        page: "/".to_owned(),
        entries: newest(site, ordered(site, ContentKind::CaseStudy)),
    }
}

/// A feed for every taxonomy term (its pages as the term's page lists them: case studies
/// newest first, then programmes), every programme (the case studies that name it) and every
/// organisation (the pages that name it), each beside its page as `feed.xml`; only those at
/// paths `wanted` accepts are made (the preview re-renders a few).
pub(super) fn page_feeds<'a>(
    site: &'a Site,
    config: &Config,
    wanted: &dyn Fn(&str) -> bool,
) -> Vec<Feed<'a>> {
    let mut feeds = Vec::new();
    for taxonomy in Taxonomy::ALL {
        for (key, term) in site.relations.terms.get(&taxonomy).into_iter().flatten() {
            let page = format!("/{}/{}/", taxonomy.segment(), key);
            let path = format!("{}feed.xml", page.trim_start_matches('/'));
            if !wanted(&path) {
                continue;
            }
            feeds.push(Feed {
                path,
                title: format!("{}: {}: {}", config.title, taxonomy.title(), term.label),
                page,
                entries: term_order(site, term)
                    .into_iter()
                    .take(FEED_ENTRIES)
                    .map(|i| &site.pages[i])
                    .collect(),
            });
        }
    }
    let relations = &site.relations;
    for page in site
        .pages_of(ContentKind::Programme)
        .chain(site.pages_of(ContentKind::Organisation))
    {
        let slug = page.slug.value.as_str();
        let folder = crate::model::page_path(page.kind, slug);
        let path = format!("{}feed.xml", folder.trim_start_matches('/'));
        if !wanted(&path) {
            continue;
        }
        let named: Vec<usize> = if page.kind == ContentKind::Programme {
            relations
                .programme_case_studies
                .get(slug)
                .cloned()
                .unwrap_or_default()
        } else {
            let pages = relations.organisation_pages.get(slug).into_iter().flatten();
            pages.map(|(i, _)| *i).collect()
        };
        feeds.push(Feed {
            title: format!("{}: {}", config.title, page.title),
            path,
            page: folder,
            entries: newest(site, named),
        });
    }
    feeds
}

/// The newest [`FEED_ENTRIES`] of `pages`: by date, newest first, then by slug.
fn newest(site: &Site, mut pages: Vec<usize>) -> Vec<&Page> {
    pages.sort_by(|&a, &b| {
        let (a, b) = (&site.pages[a], &site.pages[b]);
        (b.published, &a.slug.value).cmp(&(a.published, &b.slug.value))
    });
    pages.dedup();
    pages
        .into_iter()
        .take(FEED_ENTRIES)
        .map(|i| &site.pages[i])
        .collect()
}

/// When a page last changed, as Atom writes it.
fn stamp(page: &Page) -> String {
    page.updated.or(page.published).map_or_else(
        || "1970-01-01T00:00:00Z".to_owned(),
        |d| format!("{d}T00:00:00Z"),
    )
}

impl Feed<'_> {
    /// The feed as Atom (RFC 4287). Its date is its newest entry's, never the clock, so the
    /// same content gives the same bytes.
    pub(super) fn atom(&self, config: &Config, urls: &Urls) -> String {
        let updated = self
            .entries
            .iter()
            .map(|p| stamp(p))
            .max()
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned());
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}\"/>\n  <id>{}</id>\n  <updated>{updated}</updated>\n",
            xml_escape(&config.language),
            xml_escape(&self.title),
            xml_escape(&urls.absolute(&self.page)),
            xml_escape(&urls.absolute(&format!("/{}", self.path))),
            xml_escape(&urls.absolute(&self.page)),
        );
        for page in &self.entries {
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
}

pub(super) fn sitemap(every_path: &[String], urls: &Urls) -> String {
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

/// Whether a content page of `kind` has a feed beside it.
pub(super) fn has_feed(kind: ContentKind) -> bool {
    matches!(kind, ContentKind::Programme | ContentKind::Organisation)
}
