//! One large Markdown body parsed at a time.
//!
//! pulldown-cmark builds a body's block tree before it yields an event: up to one 56-byte node
//! per byte of Markdown, around 150 bytes per byte at its peak. Two passes parse bodies (the
//! check's, for links and images, in `casebook check`, the preview and the language server;
//! the render's, for the HTML, the search text and, in a build, the links and images), and
//! the search index runs beside the rendering, so several large pages could be parsed side by
//! side. Bodies
//! of [`LARGE_BODY`] bytes or more therefore take the one permit while they are parsed, which
//! keeps the peak of a build near one parse tree of its largest body; smaller bodies, nearly
//! all of them, never wait.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Bodies at least this long (in bytes) are parsed one at a time.
pub const LARGE_BODY: usize = 256 * 1024;

static LARGE_BODY_PERMIT: Mutex<()> = Mutex::new(());

/// For a body of [`LARGE_BODY`] bytes or more, waits for and holds the one permit to parse a
/// large body; `None` for a smaller one. Hold it until the parser is dropped, and start no
/// parallel work while holding it.
pub fn parse_permit(markdown: &str) -> Option<MutexGuard<'static, ()>> {
    (markdown.len() >= LARGE_BODY).then(|| {
        LARGE_BODY_PERMIT
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_large_bodies_take_the_permit() {
        let large = "x".repeat(LARGE_BODY);
        let held = parse_permit(&large).expect("a large body takes the permit");
        assert!(LARGE_BODY_PERMIT.try_lock().is_err());
        // A small body does not wait, though the permit is held.
        assert!(parse_permit("A small body.").is_none());
        drop(held);
    }
}
