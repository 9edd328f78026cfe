//! What the preview answers a request with, from the files in memory.
//!
//! Request paths are decoded and refused with 404 when they could leave the site (`..`, `.`
//! segments, backslashes, NUL and other control characters, empty segments); lookups only
//! ever go to the in-memory file maps, so nothing outside the output can be served. HTML
//! answers get the live-reload script, and the errors for its overlay while the content has
//! errors. A folder without its slash is redirected with its path encoded again, never with
//! the raw bytes of the request.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::serve::files::{Packed, SearchSet, Unreadable};
use crate::serve::http::{OVERLAY_CSS, OVERLAY_CSS_PATH, SCRIPT, SCRIPT_PATH, Snapshot};

/// A response before it is written.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers besides Content-Length, Connection and Cache-Control.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Body,
}

/// A response body: shared file bytes or text made for this answer.
#[derive(Debug)]
pub enum Body {
    /// Bytes as stored.
    Shared(Arc<[u8]>),
    /// Bytes made for this answer (HTML with the script put in, messages).
    Owned(Vec<u8>),
}

impl Body {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Body::Shared(bytes) => bytes,
            Body::Owned(bytes) => bytes,
        }
    }
}

impl Answer {
    pub(crate) fn text(status: u16, text: &str) -> Answer {
        Answer {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
            body: Body::Owned(text.as_bytes().to_vec()),
        }
    }
}

/// The answer to a GET of `target` from `snapshot` and the search index's files.
pub fn answer(target: &str, snapshot: &Snapshot, search: &SearchSet) -> Answer {
    let files = Sources { snapshot, search };
    let Some(path) = site_path(target) else {
        return not_found(&files);
    };
    match path.as_str() {
        "__casebook/live-reload.js" => {
            return Answer {
                status: 200,
                headers: vec![("Content-Type", content_type("x.js").into())],
                body: Body::Owned(SCRIPT.as_bytes().to_vec()),
            };
        }
        "__casebook/overlay.css" => {
            return Answer {
                status: 200,
                headers: vec![("Content-Type", content_type("x.css").into())],
                body: Body::Owned(OVERLAY_CSS.as_bytes().to_vec()),
            };
        }
        _ => {}
    }
    let key = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.clone()
    };
    if let Some(packed) = files.lookup(&key) {
        return file_answer(200, &key, packed, snapshot);
    }
    if snapshot.rendered.is_empty() && key.ends_with(".html") {
        // No good build yet: a page that shows the errors and reloads once they are fixed.
        let page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>casebook: the site has errors</title></head><body><main><h1>The site has errors</h1><p>Fix the problems listed here; this page reloads by itself.</p></main></body></html>\n";
        return file_answer(
            503,
            "errors.html",
            &Packed::raw(page.as_bytes().into()),
            snapshot,
        );
    }
    if !path.is_empty()
        && !path.ends_with('/')
        && files.lookup(&format!("{path}/index.html")).is_some()
    {
        return Answer {
            status: 301,
            headers: vec![
                ("Location", folder_location(&path, target)),
                ("Content-Type", "text/plain; charset=utf-8".into()),
            ],
            body: Body::Owned(b"moved\n".to_vec()),
        };
    }
    not_found(&files)
}

/// Where a request for the folder `path` (decoded) is sent: `/path/`, percent-encoded again,
/// with the target's query. The query is passed on as sent, which the request parser has
/// already checked to be visible ASCII; the check here keeps any other byte out regardless.
fn folder_location(path: &str, target: &str) -> String {
    let mut location = String::with_capacity(path.len() + 2);
    location.push('/');
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte) {
            location.push(char::from(byte));
        } else {
            location.push_str(&format!("%{byte:02X}"));
        }
    }
    location.push('/');
    if let Some((_, query)) = target.split_once('?')
        && query.bytes().all(|byte| byte.is_ascii_graphic())
    {
        location.push('?');
        location.push_str(query);
    }
    location
}

/// Where files are looked up: the rendered pages, the search index, the static files.
struct Sources<'a> {
    snapshot: &'a Snapshot,
    search: &'a SearchSet,
}

impl Sources<'_> {
    fn lookup(&self, key: &str) -> Option<&Packed> {
        self.snapshot
            .rendered
            .get(key)
            .or_else(|| self.search.get(key))
            .or_else(|| self.snapshot.statics.get(key))
    }
}

fn not_found(files: &Sources<'_>) -> Answer {
    match files.lookup("404.html") {
        Some(packed) => file_answer(404, "404.html", packed, files.snapshot),
        None => Answer::text(404, "not found\n"),
    }
}

fn file_answer(status: u16, key: &str, packed: &Packed, snapshot: &Snapshot) -> Answer {
    let kind = content_type(key);
    let body = match (packed.shared(), packed.unpack()) {
        (_, Err(Unreadable::Lost)) => {
            // The rebuild loop renders everything again (within a second), which makes the
            // file again and reloads open pages.
            snapshot.lost.store(true, Ordering::SeqCst);
            let mut answer = Answer::text(503, &format!("{}\n", Unreadable::Lost));
            answer.headers.push(("Retry-After", "1".into()));
            return answer;
        }
        (_, Err(damaged)) => return Answer::text(500, &format!("{damaged}\n")),
        (_, Ok(bytes)) if kind.starts_with("text/html") => {
            Body::Owned(inject(&bytes, snapshot.overlay.as_deref()))
        }
        (Some(shared), _) => Body::Shared(Arc::clone(shared)),
        (None, Ok(bytes)) => Body::Owned(bytes.into_owned()),
    };
    Answer {
        status,
        headers: vec![("Content-Type", kind.into())],
        body,
    }
}

/// Puts the live-reload script (and the errors for the overlay, when given) before the last
/// `</body>`.
pub fn inject(html: &[u8], overlay: Option<&str>) -> Vec<u8> {
    let snippet = format!(
        "<link rel=\"stylesheet\" href=\"{OVERLAY_CSS_PATH}\"><script src=\"{SCRIPT_PATH}\" defer></script>{}",
        overlay.unwrap_or("")
    );
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The output path a request target names (`/a/b/?q` → `a/b/`), or `None` when it could
/// name anything outside the site: such requests get 404.
pub fn site_path(target: &str) -> Option<String> {
    let path = target.split(['?', '#']).next()?;
    let path = path.strip_prefix('/')?;
    let decoded = percent_decode(path)?;
    if decoded
        .chars()
        .any(|c| c == '\\' || c.is_control() || c == ':')
    {
        return None;
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        if *segment == ".." || *segment == "." || (segment.is_empty() && i != last) {
            return None;
        }
    }
    Some(decoded)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file, by its extension.
pub fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_leave_the_site_are_refused() {
        for target in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc/passwd",
            "/a/..%2f..%2fetc",
            "/..\\etc",
            "/%5c..%5cetc",
            "/a%00.html",
            "//etc/passwd",
            "/a//b",
            "etc/passwd",
            "/C:/windows",
            "/./index.html",
            "/%zz",
        ] {
            assert_eq!(site_path(target), None, "{target}");
        }
    }

    #[test]
    fn ordinary_paths_are_decoded() {
        assert_eq!(site_path("/").as_deref(), Some(""));
        assert_eq!(site_path("/a/b/?q=1").as_deref(), Some("a/b/"));
        assert_eq!(site_path("/a%20b.pdf").as_deref(), Some("a b.pdf"));
        assert_eq!(site_path("/css/x.css#y").as_deref(), Some("css/x.css"));
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let html = inject(b"<body><p>x</p></body>\n</html>", Some("<div>o</div>"));
        let text = String::from_utf8(html).unwrap();
        assert!(text.contains("<div>o</div></body>"), "{text}");
        assert!(text.contains(SCRIPT_PATH));
    }

    #[test]
    fn folder_redirects_re_encode_the_path_and_keep_only_visible_queries() {
        assert_eq!(
            folder_location("a b/caf\u{e9}", "/x?q=1"),
            "/a%20b/caf%C3%A9/?q=1"
        );
        assert_eq!(folder_location("a", "/a?x\rSet-Cookie:y"), "/a/");
    }
}
