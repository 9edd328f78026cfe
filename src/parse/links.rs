//! Finding the site-absolute links of a Markdown body, so the model can check their targets.

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
    match super::split_front_matter(&source.text) {
        Ok((_, _, body)) if super::first_too_deep(&body.markdown, super::MAX_NESTING).is_none() => {
            body.markdown
        }
        _ => String::new(),
    }
}

/// Every link whose target starts with `/`, with the position of its `[` in the file, and
/// every image ([`super::images`]), found in the same pass.
pub(crate) fn internal_links(body: &Body) -> (Vec<Located<String>>, Vec<BodyImage>) {
    let _permit = super::parse_permit(&body.markdown);
    let mut links = Vec::new();
    let mut images = super::images::ImageCollector::default();
    let mut positions = Positions::new(&body.markdown);
    for (event, range) in Parser::new_ext(&body.markdown, markdown_options()).into_offset_iter() {
        images.see(&event, || {
            let in_body = positions.at(range.start);
            Pos::new(in_body.line + body.first_line - 1, in_body.column)
        });
        if let Event::Start(Tag::Link { dest_url, .. }) = event
            && dest_url.starts_with('/')
            && !dest_url.starts_with("//")
        {
            let in_body = positions.at(range.start);
            let at = Pos::new(in_body.line + body.first_line - 1, in_body.column);
            links.push(Located::new(dest_url.into_string(), at));
        }
    }
    (links, images.finish())
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
        let (links, _) = internal_links(&body);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].value, "/case-studies/red-bag/");
        assert_eq!(links[0].at, Pos::new(12, 5));
    }
}
