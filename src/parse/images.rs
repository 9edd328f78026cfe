//! The images of a Markdown body, found in the same pass as its links ([`super::links`]), and
//! the one check on them that needs nothing but the text: alternative text (E018).
//!
//! `![alt](src "title")` is an image; its alt text is the text between the brackets. The title
//! `"decorative"` marks an image that adds nothing to the text (a divider, a flourish): it is
//! shown with `alt=""`, which tells screen readers to pass it by. Any other image without alt
//! text is an error, since a reader who cannot see it would otherwise hear nothing, or its
//! file name.

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::diagnostics::{Code, Diagnostic, Pos};
use crate::model::content::BodyImage;

/// The title that marks an image decorative.
pub const DECORATIVE: &str = "decorative";

/// Collects the images of a body from its parser events, given in order.
#[derive(Debug, Default)]
pub(crate) struct ImageCollector {
    images: Vec<BodyImage>,
    /// How many images are open (an image's alt text may hold another image).
    depth: usize,
}

impl ImageCollector {
    /// Takes the next event; `at` gives the position of the event's start in the file, and is
    /// called only for the start of an image.
    pub(crate) fn see(&mut self, event: &Event<'_>, at: impl FnOnce() -> Pos) {
        match event {
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                if self.depth == 0 {
                    self.images.push(BodyImage {
                        src: dest_url.to_string(),
                        alt: String::new(),
                        decorative: title.trim().eq_ignore_ascii_case(DECORATIVE),
                        at: at(),
                    });
                }
                self.depth += 1;
            }
            Event::End(TagEnd::Image) => self.depth = self.depth.saturating_sub(1),
            Event::Text(text) | Event::Code(text) if self.depth > 0 => {
                if let Some(image) = self.images.last_mut() {
                    image.alt.push_str(text);
                }
            }
            Event::SoftBreak | Event::HardBreak if self.depth > 0 => {
                if let Some(image) = self.images.last_mut() {
                    image.alt.push(' ');
                }
            }
            _ => {}
        }
    }

    /// The images found.
    pub(crate) fn finish(self) -> Vec<BodyImage> {
        self.images
    }
}

/// An E018 for each image with no alt text that is not marked decorative.
pub(crate) fn missing_alt(file: &str, images: &[BodyImage]) -> Vec<Diagnostic> {
    images
        .iter()
        .filter(|image| !image.decorative && image.alt.trim().is_empty())
        .map(|image| {
            let src: String = image.src.escape_debug().collect();
            Diagnostic::new(
                Code::E018,
                file,
                image.at,
                format!("the image `{src}` has no alternative text"),
            )
            .with_hint(format!(
                "describe it between the brackets, `![A nurse reading a care plan]({src})`, or mark it decorative: `![]({src} \"decorative\")`"
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::content::Body;

    fn images(markdown: &str) -> Vec<BodyImage> {
        let body = Body {
            markdown: markdown.into(),
            first_line: 3,
            let_go: None,
        };
        super::super::links::internal_links(&body).images
    }

    #[test]
    fn images_keep_their_alt_text_and_position() {
        let found = images("Intro.\n\nSee ![A *red* bag `kit`](bag.jpg) here.\n");
        assert_eq!(
            found,
            vec![BodyImage {
                src: "bag.jpg".into(),
                alt: "A red bag kit".into(),
                decorative: false,
                at: Pos::new(5, 5),
            }]
        );
    }

    #[test]
    fn the_decorative_title_marks_an_image_decorative() {
        let found = images("![](rule.png \"decorative\") ![](x.png \"A title\")\n");
        assert!(found[0].decorative);
        assert!(!found[1].decorative);
        let diagnostics = missing_alt("content/pages/a.md", &found);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, Code::E018);
        assert_eq!((diagnostics[0].line, diagnostics[0].column), (3, 28));
        assert!(diagnostics[0].message.contains("x.png"));
    }

    #[test]
    fn blank_alt_text_is_missing_alt_text() {
        let found = images("![  ](a.jpg)\n\n![Staff at a handover](b.jpg)\n");
        let diagnostics = missing_alt("f.md", &found);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.contains("a.jpg"));
    }
}
