//! The preview's HTTP server: GET and HEAD over HTTP/1.1, answering from the files in memory.
//!
//! One thread accepts connections and gives each its own thread, within the bounds of the
//! connection `Table` (see `connections` for who gives way when it is full). Each
//! connection carries one request and is closed after the answer (`Connection: close`), so
//! there are no idle keep-alive connections. The whole request head must arrive within
//! [`Limits::head`] of the connection being accepted, or the answer is 408; an answer must be
//! written within [`Limits::answer`]. Heads are parsed strictly (`request`): control
//! characters in the request line get 400 before anything is built from it, and a `Host`
//! other than this machine's loopback or listening address gets 421, event stream included.
//!
//! What each request is answered with (paths, files, redirects, the live-reload script) is in
//! `answer.rs`; this file is the connections, the reading of heads and the writing of answers.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub use crate::serve::connections::Limits;
use crate::serve::connections::{Slot, Table};
use crate::serve::events::{self, Hub};
use crate::serve::files::{Files, Layers, SearchSet};
use crate::serve::request::{self, Refusal, Request};

pub use crate::serve::answer::{Answer, Body, answer, content_type, inject, site_path};

/// The largest request head read.
const MAX_HEAD: usize = 16 * 1024;
/// Stack of a connection's thread: answers are built on the heap.
const CONNECTION_STACK: usize = 256 * 1024;

/// Where the live-reload script is served.
pub const SCRIPT_PATH: &str = "/__casebook/live-reload.js";
/// Where the overlay's stylesheet is served.
pub const OVERLAY_CSS_PATH: &str = "/__casebook/overlay.css";
/// The live-reload event stream.
pub const EVENTS_PATH: &str = "/__casebook/events";

pub(crate) const SCRIPT: &str = include_str!("live-reload.js");
pub(crate) const OVERLAY_CSS: &str = include_str!("overlay.css");

/// What the server answers from: the last good files and the current problems.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Rendered files by output path.
    pub rendered: Layers,
    /// The site's static files by output path (a rendered file of the same path wins).
    pub statics: Arc<Files>,
    /// The errors to put into HTML while the content has errors (a JSON data block the
    /// live-reload script draws the overlay from).
    pub overlay: Option<String>,
    /// The `diagnostics` event a new live-reload connection gets first.
    pub diagnostics_event: String,
    /// Set by a request that found a file read from the cache gone (see
    /// `files::Unreadable::Lost`): the rebuild loop then renders everything again. The
    /// [`Shared`] it is published to puts in its own.
    pub lost: Arc<AtomicBool>,
}

/// State shared by the connection threads, the rebuild loop and the search indexer.
#[derive(Debug, Default)]
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// The search index's files, published apart from the pages: the pages of a change are
    /// served as soon as they are rendered, its search index when it is made.
    search: RwLock<Arc<SearchSet>>,
    /// The live-reload connections.
    pub hub: Hub,
    /// Set when a request found a file read from the cache gone ([`Shared::take_lost`]).
    lost: Arc<AtomicBool>,
}

impl Shared {
    /// Replaces what is served, at once for every later request.
    pub fn publish(&self, mut snapshot: Snapshot) {
        snapshot.lost = Arc::clone(&self.lost);
        let mut current = self
            .snapshot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *current = Arc::new(snapshot);
    }

    /// Swaps in a complete new set of search index files, at once for every later request;
    /// the hashed files of the set before stay served beside them (see [`SearchSet`]).
    pub fn publish_search(&self, files: Arc<Files>) {
        let mut current = self
            .search
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *current = Arc::new(current.then(files));
    }

    /// Whether a request found a file read from the cache gone since the last call.
    pub fn take_lost(&self) -> bool {
        self.lost.swap(false, Ordering::SeqCst)
    }

    /// What is served now: the pages and the search index's files.
    pub fn current(&self) -> (Arc<Snapshot>, Arc<SearchSet>) {
        let snapshot = Arc::clone(
            &self
                .snapshot
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let search = Arc::clone(
            &self
                .search
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        (snapshot, search)
    }
}

/// What every connection thread needs.
#[derive(Debug)]
struct Server {
    shared: Arc<Shared>,
    limits: Limits,
    /// The address listened on, which the `Host` check allows.
    bound: SocketAddr,
}

/// Starts the accepting thread with the default [`Limits`]; it runs until the process ends.
pub fn start(listener: TcpListener, shared: Arc<Shared>) -> std::io::Result<()> {
    start_with(listener, shared, Limits::default())
}

/// Starts the accepting thread with the given limits.
pub fn start_with(
    listener: TcpListener,
    shared: Arc<Shared>,
    limits: Limits,
) -> std::io::Result<()> {
    let server = Arc::new(Server {
        shared,
        limits,
        bound: listener.local_addr()?,
    });
    let table = Table::new(limits.connections);
    std::thread::Builder::new()
        .name("casebook-accept".into())
        .spawn(move || accept(&listener, &table, &server))?;
    Ok(())
}

fn accept(listener: &TcpListener, table: &Arc<Table>, server: &Arc<Server>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors, most likely: let some connections end first.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let Some(slot) = table.admit(&stream) else {
            refuse_busy(stream);
            continue;
        };
        let server = Arc::clone(server);
        // When the thread cannot start, the closure is dropped: the stream closes and the
        // slot is given back.
        let _spawned = std::thread::Builder::new()
            .name("casebook-http".into())
            .stack_size(CONNECTION_STACK)
            .spawn(move || handle(stream, &slot, &server));
    }
}

fn refuse_busy(mut stream: TcpStream) {
    let deadline = Instant::now() + Duration::from_millis(200);
    let busy = Answer::text(503, "the preview server is busy; try again\n");
    let _client_gone = write_response(&mut stream, &busy, false, deadline);
}

fn handle(mut stream: TcpStream, slot: &Slot, server: &Server) {
    match read_request(&mut stream, slot, server) {
        Ok(request) => respond(stream, &request, server),
        Err(Some(refusal)) => refuse(&mut stream, server, refusal),
        Err(None) => {} // The client went, or was displaced.
    }
}

/// Reads the request head and checks it; `Err(None)` when there is no one to answer.
fn read_request(
    stream: &mut TcpStream,
    slot: &Slot,
    server: &Server,
) -> Result<Request, Option<Refusal>> {
    let head = read_head(stream, slot.since + server.limits.head).map_err(HeadError::refusal)?;
    slot.answering();
    let request = request::parse(&head)?;
    if let Some(host) = &request.host
        && !request::host_allowed(host, server.bound)
    {
        return Err(Some(request::WRONG_HOST));
    }
    Ok(request)
}

fn respond(mut stream: TcpStream, request: &Request, server: &Server) {
    let deadline = Instant::now() + server.limits.answer;
    let is_head = request.method == "HEAD";
    if request.method != "GET" && !is_head {
        let mut answer = Answer::text(405, "only GET and HEAD\n");
        answer.headers.push(("Allow", "GET, HEAD".into()));
        let _client_gone = write_response(&mut stream, &answer, false, deadline);
        return;
    }
    let (snapshot, search) = server.shared.current();
    if request.target.split('?').next() == Some(EVENTS_PATH) && !is_head {
        return join_events(stream, &server.shared, &snapshot, deadline);
    }
    let answer = answer(&request.target, &snapshot, &search);
    let _client_gone = write_response(&mut stream, &answer, is_head, deadline);
}

/// Hands the stream to the event hub, whose streams hold no thread and no slot.
fn join_events(mut stream: TcpStream, shared: &Shared, snapshot: &Snapshot, deadline: Instant) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
    if write_before(&mut stream, head.as_bytes(), deadline).is_err() {
        return;
    }
    let first = format!("retry: 1000\n\n{}", snapshot.diagnostics_event);
    if let Err(mut stream) = shared.hub.join(stream, &first) {
        let _full = stream.write_all(b"event: busy\ndata: too many live-reload connections\n\n");
    }
}

fn refuse(stream: &mut TcpStream, server: &Server, refusal: Refusal) {
    let deadline = Instant::now() + server.limits.answer;
    let answer = Answer::text(refusal.status, &format!("{}\n", refusal.reason));
    let _client_gone = write_response(stream, &answer, false, deadline);
}

/// Why no request head could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeadError {
    /// The client closed the connection, or it was displaced.
    Closed,
    /// The deadline passed first.
    Late,
    /// Longer than [`MAX_HEAD`].
    TooLarge,
}

impl HeadError {
    /// What to answer, if anyone is left to answer.
    fn refusal(self) -> Option<Refusal> {
        match self {
            HeadError::Closed => None,
            HeadError::Late => Some(Refusal {
                status: 408,
                reason: "the request head took too long to arrive",
            }),
            HeadError::TooLarge => Some(Refusal {
                status: 431,
                reason: "the request head is too large",
            }),
        }
    }
}

/// Reads up to the empty line that ends a request head, which must come before `deadline`.
fn read_head(stream: &mut TcpStream, deadline: Instant) -> Result<Vec<u8>, HeadError> {
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0u8; 2048];
    let mut searched = 0;
    loop {
        if let Some(end) = request::head_end(&head, searched) {
            head.truncate(end);
            return Ok(head);
        }
        searched = head.len();
        if head.len() > MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
        let left = time_left(deadline).ok_or(HeadError::Late)?;
        stream
            .set_read_timeout(Some(left))
            .map_err(|_| HeadError::Closed)?;
        match stream.read(&mut buffer) {
            Ok(0) => return Err(HeadError::Closed),
            Ok(read) => head.extend_from_slice(&buffer[..read]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) if is_timeout(&error) => return Err(HeadError::Late),
            Err(_) => return Err(HeadError::Closed),
        }
    }
}

/// The time until `deadline`, or `None` once it has passed.
fn time_left(deadline: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|left| !left.is_zero())
}

fn is_timeout(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Writes all of `bytes` before `deadline`, however slowly the client reads.
fn write_before(
    stream: &mut TcpStream,
    mut bytes: &[u8],
    deadline: Instant,
) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let left = time_left(deadline).ok_or(std::io::ErrorKind::TimedOut)?;
        stream.set_write_timeout(Some(left))?;
        match stream.write(bytes) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(written) => bytes = &bytes[written..],
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// Writes the answer before `deadline`. A header value that could end its line (it holds a
/// control character) is never written: the answer is dropped with an error instead.
fn write_response(
    stream: &mut TcpStream,
    answer: &Answer,
    head_only: bool,
    deadline: Instant,
) -> std::io::Result<()> {
    let body = answer.body.bytes();
    let mut head = format!("HTTP/1.1 {} {}\r\n", answer.status, reason(answer.status));
    for (name, value) in &answer.headers {
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    write_before(stream, head.as_bytes(), deadline)?;
    if !head_only {
        write_before(stream, body, deadline)?;
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
    fn a_header_that_could_end_its_line_is_never_written() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        let mut answer = Answer::text(301, "moved\n");
        answer
            .headers
            .push(("Location", "/a\r\nSet-Cookie: x=1".into()));
        let deadline = Instant::now() + Duration::from_secs(1);
        assert!(write_response(&mut server, &answer, false, deadline).is_err());
        drop(server);
        let mut written = String::new();
        client.read_to_string(&mut written).unwrap();
        assert_eq!(written, "");
    }

    /// A server on a free loopback port with `limits`, and its address.
    fn server_with(limits: Limits) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        start_with(listener, Arc::default(), limits).unwrap();
        address
    }

    /// The status line of the answer on `stream`, and how long it took from `since`.
    fn status_line(stream: &mut TcpStream, since: Instant) -> (String, Duration) {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut answer = Vec::new();
        let _end = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        (
            text.lines().next().unwrap_or("").to_owned(),
            since.elapsed(),
        )
    }

    #[test]
    fn a_head_still_arriving_at_the_deadline_gets_408() {
        let address = server_with(Limits {
            head: Duration::from_millis(400),
            ..Limits::default()
        });
        let mut slow = TcpStream::connect(address).unwrap();
        let since = Instant::now();
        slow.write_all(b"GET / HTTP/1.1\r\n").unwrap();
        // A byte every 100 ms: each read is quick, the head as a whole is late.
        for _ in 0..3 {
            std::thread::sleep(Duration::from_millis(100));
            slow.write_all(b"X").unwrap();
        }
        let (status, took) = status_line(&mut slow, since);
        assert_eq!(status, "HTTP/1.1 408 Request Timeout");
        assert!(
            took >= Duration::from_millis(400) && took < Duration::from_secs(2),
            "{took:?}"
        );
    }

    #[test]
    fn a_full_table_of_slow_heads_gives_way_to_a_prompt_request() {
        let address = server_with(Limits {
            connections: 4,
            ..Limits::default()
        });
        let mut slow: Vec<TcpStream> = (0..8)
            .map(|_| {
                let mut stream = TcpStream::connect(address).unwrap();
                stream.write_all(b"GET / HTTP/1.1\r\n").unwrap();
                stream
            })
            .collect();
        std::thread::sleep(Duration::from_millis(100));
        let mut prompt = TcpStream::connect(address).unwrap();
        let since = Instant::now();
        write!(prompt, "GET /nothing HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
        let (status, took) = status_line(&mut prompt, since);
        assert_eq!(status, "HTTP/1.1 404 Not Found");
        // Far sooner than the slow heads' 10 s deadline: the prompt request did not wait for
        // a slot to free itself (the bound leaves room for a busy machine).
        assert!(took < Duration::from_secs(5), "{took:?}");
        let (oldest, _) = status_line(&mut slow[0], since);
        assert_eq!(
            oldest, "",
            "the longest-waiting head was closed to make room"
        );
    }
}
