//! Site addresses: every URL a page shows is made here, with the site's base path, so that
//! templates and other stages never build one themselves.

use crate::model::ContentKind;
use crate::model::page_path;

/// Builds URLs with the site's base path.
#[derive(Debug, Clone)]
pub struct Urls {
    pub(crate) base_path: String,
    pub(crate) base_url: String,
}

impl Urls {
    /// The URLs of a site published at `base_url`.
    pub fn new(base_url: &str) -> Urls {
        let base_url = crate::config::normalise_base_url(base_url)
            .unwrap_or_else(|_| format!("{}/", base_url.trim_end_matches('/')));
        Urls {
            base_path: base_path(&base_url),
            base_url,
        }
    }

    /// A site path (`/case-studies/x/`) with the base path.
    pub fn path(&self, site_path: &str) -> String {
        let rest = site_path.trim_start_matches('/');
        let mut path = String::with_capacity(self.base_path.len() + rest.len());
        path.push_str(&self.base_path);
        path.push_str(rest);
        path
    }

    /// An absolute URL for a site path, as a URI: the bytes of a non-ASCII term's address
    /// (`/topics/日本語/`) are percent-encoded, as sitemaps and feed readers expect.
    pub fn absolute(&self, site_path: &str) -> String {
        let origin_and_base = self.base_url.trim_end_matches('/');
        let base_path = self.base_path.trim_end_matches('/');
        let origin = origin_and_base
            .strip_suffix(base_path)
            .unwrap_or(origin_and_base);
        let path = self.path(site_path);
        // Sized once: asked for every page's canonical URL, share tags and structured data.
        let mut url = String::with_capacity(origin.len() + path.len());
        url.push_str(origin);
        if path.is_ascii() {
            url.push_str(&path);
            return url;
        }
        for byte in path.bytes() {
            if byte.is_ascii() {
                url.push(char::from(byte));
            } else {
                url.push_str(&format!("%{byte:02X}"));
            }
        }
        url
    }

    /// The URL of a page.
    /// (`self.path(&page_path(kind, slug))`, written in place: it is asked for every link to
    /// a page, tens of thousands of times a build.)
    pub fn page(&self, kind: ContentKind, slug: &str) -> String {
        if slug.is_empty() {
            return self.path(&page_path(kind, slug));
        }
        let section = kind.section().unwrap_or_default();
        let mut url = String::with_capacity(self.base_path.len() + section.len() + slug.len() + 2);
        url.push_str(&self.base_path);
        if !section.is_empty() {
            url.push_str(section);
            url.push('/');
        }
        url.push_str(slug);
        url.push('/');
        url
    }
}

/// The path part of the base URL, ending in `/`: `/` or `/shared-learning/`.
pub fn base_path(base_url: &str) -> String {
    let after_scheme = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let path = if base_url.contains("://") {
        after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
    } else {
        after_scheme
    };
    let mut path = path.to_owned();
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        assert_eq!(base_path("https://example.org/"), "/");
        assert_eq!(base_path("https://example.org"), "/");
        assert_eq!(
            base_path("https://example.org/shared-learning"),
            "/shared-learning/"
        );
        assert_eq!(base_path("/"), "/");
    }

    #[test]
    fn absolute_urls_keep_the_base_path_once() {
        let urls = Urls {
            base_path: "/sl/".into(),
            base_url: "https://x.org/sl/".into(),
        };
        assert_eq!(
            urls.absolute("/case-studies/a/"),
            "https://x.org/sl/case-studies/a/"
        );
        assert_eq!(urls.path("/case-studies/a/"), "/sl/case-studies/a/");
        assert_eq!(
            urls.absolute("/topics/日本/"),
            "https://x.org/sl/topics/%E6%97%A5%E6%9C%AC/"
        );
    }

    /// A page's URL, made in place, is its path under the base path, for every kind.
    #[test]
    fn page_urls_are_their_paths_under_the_base_path() {
        for base in ["https://x.org/", "https://x.org/sl/"] {
            let urls = Urls::new(base);
            for kind in ContentKind::ALL {
                for slug in ["a", "care-home-7", ""] {
                    let url = urls.page(kind, slug);
                    assert_eq!(url, urls.path(&page_path(kind, slug)), "{kind:?} {slug:?}");
                    assert!(url.starts_with(&urls.base_path), "{url}");
                }
            }
        }
        let urls = Urls::new("https://x.org/sl/");
        assert_eq!(
            urls.page(ContentKind::CaseStudy, "a"),
            "/sl/case-studies/a/"
        );
        assert_eq!(urls.page(ContentKind::Page, "about"), "/sl/about/");
    }
}
