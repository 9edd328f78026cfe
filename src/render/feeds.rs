//! The site's XML and text files beside its pages: the Atom feed and the sitemap.

use crate::config::Config;
use crate::model::ContentKind;
use crate::model::Site;
use crate::model::content::{Details, Page};
use crate::render::listings::ordered;
use crate::render::markdown;
use crate::render::urls::Urls;
use crate::write::OutputFile;

pub(super) fn text_file(path: &str, text: String) -> OutputFile {
    OutputFile {
        path: path.to_owned(),
        contents: text.into_bytes(),
    }
}

fn xml_escape(text: &str) -> String {
    markdown::escape_html(text)
}

/// An Atom feed of the 20 newest case studies; its date is the newest entry's, never the clock.
pub(super) fn feed(site: &Site, config: &Config, urls: &Urls) -> String {
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
