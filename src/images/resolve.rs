//! Where an image's address leads: a file of the site (under `content/` or `static/`), another
//! site, or nowhere the site may publish from. Pure: only the text of the address and of the
//! page's file name are looked at.

/// What an image's `src` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// A URL of another site (`https://…`, `//host/…`) or a `data:` address: left as it is.
    External,
    /// A file of the site, by its site-relative path (`content/case-studies/x/photo.jpg`,
    /// `static/images/y.png`).
    File(String),
    /// A path that leaves `content/` or `static/`, or no path at all.
    Outside,
}

/// Resolves `src`, written in the page whose file is `page_file` (site-relative, such as
/// `content/case-studies/x/index.md`): a path from `/` is under `static/`; any other path is
/// relative to the page file's folder. A query or fragment is dropped.
pub fn resolve(page_file: &str, src: &str) -> Reference {
    let src = src.trim();
    let path = src.split(['#', '?']).next().unwrap_or("");
    if src.starts_with("//") || has_scheme(src) {
        return Reference::External;
    }
    if path.is_empty() || path.contains('\\') {
        return Reference::Outside;
    }
    let (root, parts): (&str, Vec<&str>) = match path.strip_prefix('/') {
        Some(rest) => ("static", rest.split('/').collect()),
        None => {
            let folder = page_file.rsplit_once('/').map_or("", |(folder, _)| folder);
            let mut parts: Vec<&str> = folder.split('/').collect();
            parts.extend(path.split('/'));
            ("", parts)
        }
    };
    let mut kept: Vec<&str> = Vec::new();
    for part in parts {
        match part {
            "" | "." => {}
            ".." => {
                if kept.pop().is_none() {
                    return Reference::Outside;
                }
            }
            part => kept.push(part),
        }
    }
    let joined = kept.join("/");
    let file = if root.is_empty() {
        joined
    } else {
        format!("{root}/{joined}")
    };
    let inside = ["content/", "static/"]
        .iter()
        .any(|top| file.strip_prefix(top).is_some_and(|rest| !rest.is_empty()));
    let hidden = file
        .split('/')
        .any(|part| part.starts_with('.') || part.starts_with('_'));
    if inside && !hidden {
        Reference::File(file)
    } else {
        Reference::Outside
    }
}

/// Whether `src` starts with a URL scheme (`https:`, `data:`, `mailto:`).
fn has_scheme(src: &str) -> bool {
    match src.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && !scheme.contains('/')
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUNDLE: &str = "content/case-studies/red-bag/index.md";

    #[test]
    fn relative_paths_are_beside_the_page_file() {
        assert_eq!(
            resolve(BUNDLE, "photo.jpg"),
            Reference::File("content/case-studies/red-bag/photo.jpg".into())
        );
        assert_eq!(
            resolve(BUNDLE, "./img/a.png?v=2#x"),
            Reference::File("content/case-studies/red-bag/img/a.png".into())
        );
        assert_eq!(
            resolve("content/case-studies/a.md", "../pages/b.gif"),
            Reference::File("content/pages/b.gif".into())
        );
    }

    #[test]
    fn paths_from_the_root_are_in_static() {
        assert_eq!(
            resolve(BUNDLE, "/images/x.jpg"),
            Reference::File("static/images/x.jpg".into())
        );
    }

    #[test]
    fn other_sites_and_escapes() {
        assert_eq!(resolve(BUNDLE, "https://x.org/a.jpg"), Reference::External);
        assert_eq!(resolve(BUNDLE, "//cdn.x.org/a.jpg"), Reference::External);
        assert_eq!(
            resolve(BUNDLE, "data:image/png;base64,AA"),
            Reference::External
        );
        assert_eq!(resolve(BUNDLE, "../../../x.jpg"), Reference::Outside);
        assert_eq!(
            resolve(BUNDLE, "../../../../../etc/a.jpg"),
            Reference::Outside
        );
        assert_eq!(resolve(BUNDLE, "/../casebook.yaml"), Reference::Outside);
        assert_eq!(resolve(BUNDLE, ".secret/a.jpg"), Reference::Outside);
        assert_eq!(resolve(BUNDLE, ""), Reference::Outside);
    }
}
