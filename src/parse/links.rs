//! Finding the site-absolute links of a Markdown body, so the model can check their targets.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::diagnostics::{Located, Pos, Positions};
use crate::load::Source;
use crate::model::content::{Body, BodyImage};

/// The Markdown extensions casebook renders; links are found with the same ones.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The Markdown body of a source as [`super::parse_source`] gives it to its page: empty for a
/// kind without one, for front matter that is not closed, and for a body nested past
/// [`super::MAX_NESTING`] (which the parse stage reports, so no later stage parses it). A
/// build reads each body again through this when the page renders, rather than keep every
/// body in memory from the check until then.
pub fn body_text(source: &Source) -> String {
    if !source.kind.has_body() {
        return String::new();
    }
    let markdown = checked_body_text(source);
    if super::first_too_deep(&markdown, super::MAX_NESTING).is_some() {
        return String::new();
    }
    markdown
}

/// [`body_text`] for a body the check has already found not nested too deep (a build reads
/// each body again only after a check without errors, and compares it with the checked one):
/// the nesting is not looked at again.
pub fn checked_body_text(source: &Source) -> String {
    if !source.kind.has_body() {
        return String::new();
    }
    match super::split_front_matter(&source.text) {
        Ok((_, _, body)) => body.markdown.to_owned(),
        Err(_) => String::new(),
    }
}

/// What a body holds that the checks look at: its site-absolute links and its images.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BodyFound {
    /// Every link whose target starts with `/` (not `//`), at the position of its `[`.
    pub links: Vec<Located<String>>,
    /// Every image (`super::images`), in order.
    pub images: Vec<BodyImage>,
}

/// Finds a body's links and images in its parser's events: fed every `(event, range)` of one
/// parse, in order. The check's pass ([`internal_links`]) and the render's
/// ([`crate::render::markdown::render_markdown_observed`]) both use it, so a build that takes
/// them from the render finds exactly what `casebook check` finds.
#[derive(Debug)]
pub struct BodyObserver<'t> {
    positions: Positions<'t>,
    first_line: u32,
    links: Vec<Located<String>>,
    images: super::images::ImageCollector,
}

impl<'t> BodyObserver<'t> {
    /// An observer of the body `markdown`, whose first line is line `first_line` of its file.
    pub fn new(markdown: &'t str, first_line: u32) -> BodyObserver<'t> {
        BodyObserver {
            positions: Positions::new(markdown),
            first_line,
            links: Vec::new(),
            images: super::images::ImageCollector::default(),
        }
    }

    /// Takes the next event and the byte range of the body it was parsed from.
    pub fn see(&mut self, event: &Event<'_>, range: &Range<usize>) {
        let (positions, first_line) = (&mut self.positions, self.first_line);
        let mut at = || {
            let in_body = positions.at(range.start);
            Pos::new(in_body.line + first_line - 1, in_body.column)
        };
        self.images.see(event, &mut at);
        if let Event::Start(Tag::Link { dest_url, .. }) = event
            && dest_url.starts_with('/')
            && !dest_url.starts_with("//")
        {
            self.links.push(Located::new(dest_url.to_string(), at()));
        }
    }

    /// What was found.
    pub fn finish(self) -> BodyFound {
        BodyFound {
            links: self.links,
            images: self.images.finish(),
        }
    }
}

/// Every link whose target starts with `/`, with the position of its `[` in the file, and
/// every image (`super::images`), found in one pass of their own: what `casebook check`,
/// the preview and the language server know of a body before (or without) rendering it, and
/// what a build checks of the bodies it left to a render that will not happen.
pub fn internal_links(body: &Body) -> BodyFound {
    links_of(&body.markdown, body.first_line)
}

/// [`internal_links`] of the body text `markdown`, which starts on the file's line
/// `first_line`.
pub(super) fn links_of(markdown: &str, first_line: u32) -> BodyFound {
    let _permit = super::parse_permit(markdown);
    #[cfg(test)]
    parses::note("check", markdown);
    let mut observer = BodyObserver::new(markdown, first_line);
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        observer.see(&event, &range);
    }
    observer.finish()
}

/// Which pass parsed which bodies: the tests that a build parses each body once count them.
#[cfg(test)]
pub(crate) mod parses {
    use std::sync::Mutex;

    /// Bodies holding this are noted as they are parsed (tests run side by side: each gives
    /// its bodies a marker of its own after it).
    pub(crate) const MARK: &str = "parse-count:";

    static NOTED: Mutex<Vec<(&'static str, String)>> = Mutex::new(Vec::new());

    /// Notes that the pass `by` parsed `markdown`, if it holds [`MARK`].
    pub(crate) fn note(by: &'static str, markdown: &str) {
        if markdown.contains(MARK) {
            NOTED
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((by, markdown.to_owned()));
        }
    }

    /// The bodies holding `marker` that the pass `by` parsed, as often as it parsed them.
    pub(crate) fn parsed(by: &str, marker: &str) -> Vec<String> {
        let mut found: Vec<String> = NOTED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter(|(pass, body)| *pass == by && body.contains(marker))
            .map(|(_, body)| body.clone())
            .collect();
        found.sort();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_positioned_at_their_bracket() {
        let body = Body {
            markdown:
                "Intro.\n\nSee [the scheme](/case-studies/red-bag/) and [out](https://x.org/).\n"
                    .into(),
            first_line: 10,
            let_go: None,
        };
        let links = internal_links(&body).links;
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].value, "/case-studies/red-bag/");
        assert_eq!(links[0].at, Pos::new(12, 5));
    }
}
