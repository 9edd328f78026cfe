//! The preview's HTTP server: GET and HEAD over HTTP/1.1 on a bounded pool of threads,
//! answering from the files in memory.
//!
//! Each connection carries one request and is closed after the answer (`Connection: close`),
//! so an idle browser connection never holds a worker. Connections wait in a bounded queue;
//! when it is full the accepting thread answers 503 at once. Request paths are decoded and
//! refused with 404 when they could leave the site (`..`, `.` segments, backslashes, NUL and
//! other control characters, empty segments); lookups only ever go to the in-memory file maps,
//! so nothing outside the output can be served. HTML answers get the live-reload script, and
//! the error overlay while the content has errors.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::serve::events::{self, Hub};
use crate::serve::files::{Files, Layers};

/// Threads answering requests.
pub const WORKERS: usize = 8;
/// Accepted connections waiting for a worker before new ones get 503.
pub const QUEUE: usize = 1024;
/// The largest request head read.
const MAX_HEAD: usize = 16 * 1024;

/// Where the live-reload script is served.
pub const SCRIPT_PATH: &str = "/__casebook/live-reload.js";
/// Where the overlay's stylesheet is served.
pub const OVERLAY_CSS_PATH: &str = "/__casebook/overlay.css";
/// The live-reload event stream.
pub const EVENTS_PATH: &str = "/__casebook/events";

const SCRIPT: &str = include_str!("live-reload.js");
const OVERLAY_CSS: &str = include_str!("overlay.css");

/// What the server answers from: the last good files and the current problems.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Rendered files by output path.
    pub rendered: Layers,
    /// The site's static files by output path (a rendered file of the same path wins).
    pub statics: Arc<Files>,
    /// The overlay markup to put into HTML while the content has errors.
    pub overlay: Option<String>,
    /// The `diagnostics` event a new live-reload connection gets first.
    pub diagnostics_event: String,
}

/// State shared by the workers and the rebuild loop.
#[derive(Debug, Default)]
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// The live-reload connections.
    pub hub: Hub,
}

impl Shared {
    /// Replaces what is served, at once for every later request.
    pub fn publish(&self, snapshot: Snapshot) {
        let mut current = self
            .snapshot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *current = Arc::new(snapshot);
    }

    fn current(&self) -> Arc<Snapshot> {
        Arc::clone(
            &self
                .snapshot
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

/// Starts the accepting thread and the workers; they run until the process ends.
pub fn start(listener: TcpListener, shared: Arc<Shared>) -> std::io::Result<()> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<TcpStream>(QUEUE);
    let receiver = Arc::new(Mutex::new(receiver));
    for number in 0..WORKERS {
        let receiver = Arc::clone(&receiver);
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name(format!("casebook-http-{number}"))
            .spawn(move || work(&receiver, &shared))?;
    }
    std::thread::Builder::new()
        .name("casebook-accept".into())
        .spawn(move || accept(&listener, &sender))?;
    Ok(())
}

fn accept(listener: &TcpListener, sender: &SyncSender<TcpStream>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        match sender.try_send(stream) {
            Ok(()) => {}
            Err(TrySendError::Full(mut stream)) => {
                let _timeout = stream.set_write_timeout(Some(Duration::from_millis(200)));
                let _busy = write_response(
                    &mut stream,
                    &Answer::text(503, "the preview server is busy; try again\n"),
                    false,
                );
            }
            Err(TrySendError::Disconnected(_)) => return,
        }
    }
}

fn work(receiver: &Mutex<Receiver<TcpStream>>, shared: &Shared) {
    loop {
        let next = receiver
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .recv();
        let Ok(stream) = next else { return };
        handle(stream, shared);
    }
}

fn handle(mut stream: TcpStream, shared: &Shared) {
    let _read = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _write = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let Some(head) = read_head(&mut stream) else {
        let _bad = write_response(&mut stream, &Answer::text(400, "bad request\n"), false);
        return;
    };
    let mut words = head.lines().next().unwrap_or("").split(' ');
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let is_head = method == "HEAD";
    if method != "GET" && !is_head {
        let mut answer = Answer::text(405, "only GET and HEAD\n");
        answer.headers.push(("Allow", "GET, HEAD".into()));
        let _sent = write_response(&mut stream, &answer, false);
        return;
    }
    let snapshot = shared.current();
    if target.split('?').next() == Some(EVENTS_PATH) && !is_head {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        let first = format!("retry: 1000\n\n{}", snapshot.diagnostics_event);
        if let Err(mut stream) = shared.hub.join(stream, &first) {
            let _full =
                stream.write_all(b"event: busy\ndata: too many live-reload connections\n\n");
        }
        return;
    }
    let answer = answer(target, &snapshot);
    let _client_gone = write_response(&mut stream, &answer, is_head);
}

/// Reads up to the blank line that ends a request head.
fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_HEAD {
            return None;
        }
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    String::from_utf8(head).ok()
}

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
    fn bytes(&self) -> &[u8] {
        match self {
            Body::Shared(bytes) => bytes,
            Body::Owned(bytes) => bytes,
        }
    }
}

impl Answer {
    fn text(status: u16, text: &str) -> Answer {
        Answer {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
            body: Body::Owned(text.as_bytes().to_vec()),
        }
    }
}

/// The answer to a GET of `target` from `snapshot`.
pub fn answer(target: &str, snapshot: &Snapshot) -> Answer {
    let Some(path) = site_path(target) else {
        return not_found(snapshot);
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
    if let Some(bytes) = lookup(snapshot, &key) {
        return file_answer(200, &key, bytes, snapshot);
    }
    if snapshot.rendered.is_empty() && key.ends_with(".html") {
        // No good build yet: a page that shows the errors and reloads once they are fixed.
        let page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>casebook: the site has errors</title></head><body><main><h1>The site has errors</h1><p>Fix the problems listed here; this page reloads by itself.</p></main></body></html>\n";
        return file_answer(503, "errors.html", page.as_bytes().into(), snapshot);
    }
    if !path.is_empty()
        && !path.ends_with('/')
        && lookup(snapshot, &format!("{path}/index.html")).is_some()
    {
        let query = target.split_once('?').map(|(_, q)| format!("?{q}"));
        return Answer {
            status: 301,
            headers: vec![
                ("Location", format!("/{path}/{}", query.unwrap_or_default())),
                ("Content-Type", "text/plain; charset=utf-8".into()),
            ],
            body: Body::Owned(b"moved\n".to_vec()),
        };
    }
    not_found(snapshot)
}

fn lookup(snapshot: &Snapshot, key: &str) -> Option<Arc<[u8]>> {
    snapshot
        .rendered
        .get(key)
        .or_else(|| snapshot.statics.get(key))
        .cloned()
}

fn not_found(snapshot: &Snapshot) -> Answer {
    match lookup(snapshot, "404.html") {
        Some(bytes) => file_answer(404, "404.html", bytes, snapshot),
        None => Answer::text(404, "not found\n"),
    }
}

fn file_answer(status: u16, key: &str, bytes: Arc<[u8]>, snapshot: &Snapshot) -> Answer {
    let kind = content_type(key);
    let body = if kind.starts_with("text/html") {
        Body::Owned(inject(&bytes, snapshot.overlay.as_deref()))
    } else {
        Body::Shared(bytes)
    };
    Answer {
        status,
        headers: vec![("Content-Type", kind.into())],
        body,
    }
}

/// Puts the live-reload script (and the overlay, when given) before the last `</body>`.
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

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn write_response(stream: &mut TcpStream, answer: &Answer, head_only: bool) -> std::io::Result<()> {
    let body = answer.body.bytes();
    let mut head = format!("HTTP/1.1 {} {}\r\n", answer.status, reason(answer.status));
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// The SSE message telling pages what the errors are now (an empty list when there are none).
pub fn diagnostics_event(json: &str) -> String {
    events::message("diagnostics", json)
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
}
