//! Stage 7, serve: the live preview behind `casebook serve`.
//!
//! Builds the site into a spool ([`spool`], a temporary file with no name, read back per
//! request), serves it over HTTP on loopback, watches the site's files and
//! rebuilds only what a change affects ([`workspace`]; `affected` decides what that is), then
//! tells open pages to reload over Server-Sent Events ([`events`]). The preview never writes the output folder:
//! the server's map of the files is swapped at once after each good rebuild, so a content
//! error can never damage anything; while the content has errors, the last good site is
//! served with an overlay listing them, and the same list goes to open pages and the terminal.
//! The server never stops on a content error.
//!
//! The pages of a change and the reload event go out as soon as the pages are rendered; the
//! search index, which covers the whole site, is made after them on a thread of its own
//! ([`indexer`]) and swapped in whole when it is ready, so search may lag the page by a
//! moment, never the page the search.
//!
//! Threads: one accepts connections and gives each its own thread, up to a fixed number
//! ([`http`]); the notify debouncer runs its own, the indexer its own, and the caller's thread
//! runs the rebuild loop. State is owned by [`serve`] and shared by `Arc`, never global.

mod affected;
mod answer;
mod connections;
pub mod events;
pub mod files;
pub mod http;
pub mod indexer;
mod request;
pub mod spool;
pub mod watch;
pub mod workspace;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::diagnostics::{self, Colour, Diagnostic};
pub use workspace::{Changes, Drafts, Held, Problem, SearchJob, Update, Workspace};

/// The port tried first.
pub const DEFAULT_PORT: u16 = 1111;
/// How many ports after the one asked for are tried when it is taken.
const PORT_TRIES: u16 = 20;
/// How often open event streams get a comment, so that dead ones are found and dropped.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder.
    pub root: PathBuf,
    /// The address to listen on (loopback unless the user asks otherwise).
    pub bind: IpAddr,
    /// The port to try first; 0 lets the system choose a free one.
    pub port: u16,
    /// Whether drafts are shown.
    pub drafts: Drafts,
    /// Colour for diagnostics in the terminal.
    pub colour: Colour,
    /// Whether to report what the workspace holds ([`Report::Held`]) after the first build
    /// and each rebuild.
    pub held: bool,
}

/// What the server tells the terminal.
#[derive(Debug)]
pub enum Report<'a> {
    /// Listening; `note` says why the port is not the one asked for.
    Listening {
        /// The preview's address, such as `http://127.0.0.1:1111/`.
        url: &'a str,
        /// Set when the port asked for was taken.
        note: Option<String>,
        /// Pages served.
        pages: usize,
        /// Drafts left out (with `--no-drafts`).
        hidden_drafts: usize,
        /// How long the first build took.
        took: Duration,
    },
    /// Diagnostics, rendered for a person (source lines, carets, hints).
    Diagnostics(&'a str),
    /// A rebuild finished and the preview shows it.
    Rebuilt(&'a Update),
    /// A search index made after a rebuild is served.
    Searched {
        /// Its files.
        files: usize,
        /// Its files that changed.
        changed: usize,
        /// How long making it took.
        took: Duration,
    },
    /// A watched folder was replaced, went or came back: one line saying what the preview
    /// does about it.
    Watching(&'a str),
    /// A rebuild found errors; the last good site stays served.
    Kept {
        /// Errors found.
        errors: usize,
    },
    /// What the workspace holds, after the first build and each rebuild, when
    /// [`ServeOptions::held`] asks for it (`CASEBOOK_TIMINGS=1`).
    Held(&'a Held),
}

/// Something that stops the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// No port could be listened on.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address tried (the last one when several ports were tried).
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The site's config or theme cannot be read.
    #[error(transparent)]
    Site(#[from] crate::Error),
    /// The files cannot be watched.
    #[error("cannot watch the site's files: {0}")]
    Watch(#[from] notify::Error),
    /// A server thread cannot be started.
    #[error("cannot start the server: {0}")]
    Thread(std::io::Error),
}

/// Builds the site, serves it and rebuilds it on every change until the process is stopped
/// (Ctrl-C). Returns only when the server cannot start.
pub fn serve(options: &ServeOptions, report: &dyn Fn(Report<'_>)) -> Result<(), ServeError> {
    let started = std::time::Instant::now();
    let (listener, note) = listen(options.bind, options.port)?;
    let address = listener.local_addr().map_err(|source| ServeError::Bind {
        address: SocketAddr::new(options.bind, options.port),
        source,
    })?;
    let url = format!("http://{address}/");
    let mut workspace = Workspace::open_for_preview(&options.root, options.drafts, &url)?;
    let shared = Arc::new(http::Shared::default());
    shared.publish(snapshot(&workspace));
    shared.publish_search(workspace.search_files());
    let indexer = indexer::Indexer::start(Arc::clone(&shared), Box::new(SearchJob::run))
        .map_err(ServeError::Thread)?;
    http::start(listener, Arc::clone(&shared)).map_err(ServeError::Thread)?;
    start_keep_alive(Arc::clone(&shared)).map_err(ServeError::Thread)?;
    let mut watcher = watch::Watcher::start(&options.root)?;
    report_state(&workspace, options.colour, report);
    report(Report::Listening {
        url: &url,
        note,
        pages: workspace.page_count() - workspace.hidden_drafts(),
        hidden_drafts: workspace.hidden_drafts(),
        took: started.elapsed(),
    });
    let held = |workspace: &Workspace| {
        if options.held {
            report(Report::Held(&workspace.held()));
        }
    };
    held(&workspace);

    while let Some(batch) = watcher.next_batch() {
        take_search(&mut workspace, &indexer, report);
        let lost = shared.take_lost();
        let changes = match what_to_rebuild(batch, &watcher, report) {
            Some(changes) => Some(changes),
            None if lost && !watcher.content_missing() => Some(Changes::default()),
            None => None,
        };
        let Some(mut changes) = changes else {
            continue;
        };
        changes.lost |= lost;
        let colour = options.colour;
        rebuild(&mut workspace, &shared, &indexer, &changes, colour, report);
        held(&workspace);
    }
    Ok(())
}

/// Rebuilds what `changes` affect and serves it; tells open pages to reload (or shows the
/// errors); hands the search index to `indexer` without waiting for it.
fn rebuild(
    workspace: &mut Workspace,
    shared: &http::Shared,
    indexer: &indexer::Indexer,
    changes: &Changes,
    colour: Colour,
    report: &dyn Fn(Report<'_>),
) {
    let had_errors = workspace.has_errors();
    let update = workspace.apply_pages(changes);
    shared.publish(snapshot(workspace));
    let (errors, _) = diagnostics::count(workspace.diagnostics());
    if workspace.has_errors() {
        shared
            .hub
            .broadcast(&http::diagnostics_event(&overlay_json(workspace)));
        report_state(workspace, colour, report);
        report(Report::Kept {
            errors: errors + workspace.problems().len(),
        });
        return;
    }
    if had_errors {
        shared
            .hub
            .broadcast(&http::diagnostics_event(&overlay_json(workspace)));
        report_state(workspace, colour, report);
    }
    // Pages that asked for a lost file while it was made again reload too.
    if !update.changed.is_empty() || changes.lost {
        let css_only = update.changed.iter().all(|path| path.ends_with(".css"));
        let data = serde_json::json!({"css_only": css_only, "changed": update.changed.len()});
        shared
            .hub
            .broadcast(&events::message("reload", &data.to_string()));
    }
    report(Report::Rebuilt(&update));
    if let Some(job) = workspace.search_job() {
        indexer.submit(job);
    }
    // After the reload: copying the files into a new spool never holds up the page.
    if workspace.tidy() {
        shared.publish(snapshot(workspace));
    }
}

/// Keeps in the workspace the search indexes `indexer` made and published since the last
/// call, and tells the terminal.
fn take_search(workspace: &mut Workspace, indexer: &indexer::Indexer, report: &dyn Fn(Report<'_>)) {
    for indexed in indexer.finished() {
        let files = indexed.files.len();
        let changed = workspace.set_search(indexed.files).len();
        report(Report::Searched {
            files,
            changed,
            took: indexed.took,
        });
    }
}

/// The changes to rebuild for `batch`, once the terminal is told of the watched folders that
/// were replaced, went or came back: everything when one did; nothing while `content/` is
/// missing, so that the last good site stays served.
fn what_to_rebuild(
    batch: watch::Batch,
    watcher: &watch::Watcher,
    report: &dyn Fn(Report<'_>),
) -> Option<Changes> {
    for event in &batch.folders {
        report(Report::Watching(&event.to_string()));
    }
    if watcher.content_missing() {
        return None;
    }
    let changes = if batch.folders.is_empty() {
        batch.changes
    } else {
        Changes::everything()
    };
    (!changes.is_empty()).then_some(changes)
}

impl Workspace {
    /// Opens the site for the preview, with links pointing at the preview's own address.
    pub fn open_for_preview(
        root: &std::path::Path,
        drafts: Drafts,
        base_url: &str,
    ) -> Result<Workspace, crate::Error> {
        Workspace::open_with_base_url(root, drafts, Some(base_url))
    }
}

/// Binds `bind:port`, or the next free port when it is taken (saying so); port 0 lets the
/// system choose.
fn listen(bind: IpAddr, port: u16) -> Result<(TcpListener, Option<String>), ServeError> {
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_TRIES)
    };
    let mut error = None;
    for candidate in port..=last {
        let address = SocketAddr::new(bind, candidate);
        match TcpListener::bind(address) {
            Ok(listener) => {
                let note = (candidate != port).then(|| {
                    format!("port {port} is in use, so the preview uses port {candidate}")
                });
                return Ok((listener, note));
            }
            Err(source) if source.kind() == std::io::ErrorKind::AddrInUse => {
                error = Some((address, source));
            }
            Err(source) => return Err(ServeError::Bind { address, source }),
        }
    }
    let (address, source) = error.unwrap_or_else(|| {
        (
            SocketAddr::new(bind, port),
            std::io::Error::from(std::io::ErrorKind::AddrInUse),
        )
    });
    Err(ServeError::Bind { address, source })
}

fn start_keep_alive(shared: Arc<http::Shared>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("casebook-keep-alive".into())
        .spawn(move || {
            loop {
                std::thread::sleep(KEEP_ALIVE);
                shared.hub.broadcast(": keep-alive\n\n");
            }
        })
        .map(|_| ())
}

fn report_state(workspace: &Workspace, colour: Colour, report: &dyn Fn(Report<'_>)) {
    let shown: Vec<Diagnostic> = workspace.diagnostics().to_vec();
    if !shown.is_empty() {
        // The texts of the files the diagnostics show, inflated once each.
        let texts: std::collections::BTreeMap<&str, String> = shown
            .iter()
            .flat_map(|d| std::iter::once(&d.file).chain(d.related.iter().map(|r| &r.file)))
            .filter_map(|file| Some((file.as_str(), workspace.source_text(file)?)))
            .collect();
        let source_of = |file: &str| texts.get(file).map(String::as_str);
        let text = diagnostics::render_human(&shown, source_of, colour);
        report(Report::Diagnostics(&text));
    }
    for problem in workspace.problems() {
        report(Report::Diagnostics(&format!(
            "error: {}: {}\n",
            problem.file, problem.message
        )));
    }
}

/// One entry of the overlay.
#[derive(Debug, Serialize)]
struct OverlayItem<'a> {
    code: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
    hint: Option<&'a str>,
}

fn overlay_items(workspace: &Workspace) -> Vec<OverlayItem<'_>> {
    let mut items: Vec<OverlayItem<'_>> = workspace
        .problems()
        .iter()
        .map(|problem| OverlayItem {
            code: "error",
            file: &problem.file,
            line: 1,
            column: 1,
            message: &problem.message,
            hint: None,
        })
        .collect();
    items.extend(
        workspace
            .diagnostics()
            .iter()
            .filter(|d| d.is_error())
            .map(|d| OverlayItem {
                code: d.code.as_str(),
                file: &d.file,
                line: d.line,
                column: d.column,
                message: &d.message,
                hint: d.hint.as_deref(),
            }),
    );
    items
}

/// The `diagnostics` event's data: `{"errors": [...]}`.
fn overlay_json(workspace: &Workspace) -> String {
    serde_json::json!({ "errors": overlay_items(workspace) }).to_string()
}

/// The errors for a page served while the content has errors, as a JSON data block the
/// live-reload script draws the overlay from when the page loads (the same script draws it
/// from each `diagnostics` event, so its markup is written once, in the script).
fn overlay_data(workspace: &Workspace) -> Option<String> {
    let items = overlay_items(workspace);
    if items.is_empty() {
        return None;
    }
    let json = serde_json::json!({ "errors": items });
    Some(format!(
        "<script type=\"application/json\" id=\"casebook-errors\">{}</script>",
        crate::render::script_safe(&json)
    ))
}

fn snapshot(workspace: &Workspace) -> http::Snapshot {
    let (rendered, statics) = workspace.files();
    http::Snapshot {
        rendered,
        statics,
        overlay: overlay_data(workspace),
        diagnostics_event: http::diagnostics_event(&overlay_json(workspace)),
        lost: Arc::default(),
    }
}

#[cfg(test)]
mod tests;
