//! Links between the site's own files, made relative to the page that holds them, so that the
//! output works wherever it is put: under any path of any host, and from a folder opened in the
//! browser (`file://`, a USB stick, a shared drive), where a link from the site's root
//! (`/css/casebook.css`) would point at the root of the disk.
//!
//! Templates keep writing links from the site's root, with the base path (`/`,
//! `/shared-learning/`); each rendered page then has the base path at the start of its `href`,
//! `src` and `action` values replaced by the way up to the root (`../../`). Only those three
//! attributes, double-quoted, as the templates and the Markdown renderer write them, are
//! touched: text is escaped (`&quot;`), so no page text can look like one. `404.html` keeps
//! links from the root, because a host serves it at whatever address was missing.
//!
//! Over `file://`, a link to a folder shows the folder's listing rather than its `index.html`;
//! the theme's `js/file-links.js` mends that in the browser.

/// The page that hosts serve for any missing address.
const NOT_FOUND: &str = "404.html";

/// Attributes whose values are addresses.
const ATTRIBUTES: [&[u8]; 3] = [b"href", b"src", b"action"];

/// Appends `html`, the page at output path `path` (`case-studies/x/index.html`), to `out` with
/// its links to the site (values that start with `base_path`) made relative to the page.
pub fn relative_into(html: &[u8], path: &str, base_path: &str, out: &mut Vec<u8>) {
    if path == NOT_FOUND || !base_path.starts_with('/') {
        out.extend_from_slice(html);
        return;
    }
    let up = "../".repeat(path.matches('/').count());
    let needle = format!("=\"{base_path}");
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    // The links first (where each value starts, and whether it needs a `./`), so that `out`
    // is sized once: growing it would copy the page again.
    let links: Vec<(usize, bool)> = finder
        .find_iter(html)
        .filter_map(|at| {
            let value = at + 2;
            let rest = &html[value + base_path.len()..];
            // `//host/…` is another site, whatever the base path.
            let other_host = rest.first() == Some(&b'/');
            if other_host || !is_address_attribute(&html[..at]) {
                return None;
            }
            let here = up.is_empty() && matches!(rest.first(), Some(b'"' | b'#' | b'?'));
            Some((value, here))
        })
        .collect();
    let added: usize = links
        .iter()
        .map(|&(_, here)| up.len() + if here { 2 } else { 0 })
        .sum();
    out.reserve((html.len() + added).saturating_sub(links.len() * base_path.len()));
    let mut copied = 0;
    for (value, here) in links {
        out.extend_from_slice(&html[copied..value]);
        out.extend_from_slice(up.as_bytes());
        if here {
            out.extend_from_slice(b"./");
        }
        copied = value + base_path.len();
    }
    out.extend_from_slice(&html[copied..]);
}

/// Whether the attribute whose `=` ends `before` is one of [`ATTRIBUTES`].
fn is_address_attribute(before: &[u8]) -> bool {
    ATTRIBUTES.iter().any(|name| {
        before.ends_with(name)
            && before
                .len()
                .checked_sub(name.len() + 1)
                .is_some_and(|i| before[i].is_ascii_whitespace())
    })
}

#[cfg(test)]
mod tests {
    use super::relative_into;

    fn relative(html: &str, path: &str, base_path: &str) -> String {
        let mut out = Vec::new();
        relative_into(html.as_bytes(), path, base_path, &mut out);
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn links_climb_as_many_folders_as_the_page_is_deep() {
        let html = r#"<link rel="stylesheet" href="/css/casebook.css"><a href="/">Home</a> <a href="/case-studies/x/#outcomes">x</a><form action="/search/"><img src="/images/a.png" alt="">"#;
        assert_eq!(
            relative(html, "case-studies/y/index.html", "/"),
            r#"<link rel="stylesheet" href="../../css/casebook.css"><a href="../../">Home</a> <a href="../../case-studies/x/#outcomes">x</a><form action="../../search/"><img src="../../images/a.png" alt="">"#
        );
        assert_eq!(
            relative(html, "index.html", "/"),
            r#"<link rel="stylesheet" href="css/casebook.css"><a href="./">Home</a> <a href="case-studies/x/#outcomes">x</a><form action="search/"><img src="images/a.png" alt="">"#
        );
        assert_eq!(
            relative(r#"<a href="/?q=a">"#, "index.html", "/"),
            r#"<a href="./?q=a">"#
        );
    }

    #[test]
    fn a_base_path_is_replaced_and_other_paths_are_left() {
        let html = r#"<a href="/shared-learning/topics/falls/">f</a> <a href="/elsewhere/">e</a> <a href="/shared-learning/">h</a>"#;
        assert_eq!(
            relative(html, "topics/index.html", "/shared-learning/"),
            r#"<a href="../topics/falls/">f</a> <a href="/elsewhere/">e</a> <a href="../">h</a>"#
        );
    }

    #[test]
    fn other_hosts_other_attributes_text_and_the_404_page_are_left() {
        let html = r##"<a href="//cdn.example.org/x.js">c</a> <a href="https://example.org/">e</a> <a href="#main">m</a> <meta content="/x/"> <a data-href="/x/">d</a> <p>href=&quot;/x/&quot;</p> <a href="">empty</a>"##;
        assert_eq!(relative(html, "a/index.html", "/"), html);
        let page = r#"<a href="/">Home</a>"#;
        assert_eq!(relative(page, "404.html", "/"), page);
    }

    #[test]
    fn a_base_url_without_a_path_leaves_everything() {
        let html = r#"<a href="/x/">x</a>"#;
        assert_eq!(relative(html, "a/index.html", ""), html);
    }
}
