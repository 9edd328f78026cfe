//! Markdown bodies to HTML: GFM tables, footnotes, strikethrough, heading anchors, a contents
//! list from the H2s, code highlighting with CSS classes, and the safety rules: raw HTML is
//! escaped unless the site allows it, `javascript:`-style links are made inert, and internal
//! links get the site's base path (or become plain text when their target is not published).

use std::sync::OnceLock;

use pulldown_cmark::{Alignment, CodeBlockKind, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Serialize;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::parse::markdown_options;

/// One entry of a page's contents list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// The heading's anchor.
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// A rendered body.
#[derive(Debug, Clone, Default)]
pub struct RenderedBody {
    /// The HTML.
    pub html: String,
    /// The H2s.
    pub toc: Vec<TocEntry>,
    /// Whether the body has a highlighted code block.
    pub has_code: bool,
}

/// Loads syntect's syntax definitions once, on the first page with code, and shares them.
#[derive(Debug, Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
}

impl Highlighter {
    fn highlight(&self, code: &str, language: &str) -> String {
        let syntaxes = self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines);
        let syntax = syntaxes
            .find_syntax_by_token(language)
            .unwrap_or_else(|| syntaxes.find_syntax_plain_text());
        let mut generator = ClassedHTMLGenerator::new_with_class_style(
            syntax,
            syntaxes,
            ClassStyle::SpacedPrefixed { prefix: "hl-" },
        );
        for line in LinesWithEndings::from(code) {
            if generator
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                return escape_html(code);
            }
        }
        generator.finalize()
    }
}

/// What rendering needs to know about the site.
pub struct MarkdownContext<'a> {
    /// Whether raw HTML passes through.
    pub allow_html: bool,
    /// The site's base path, ending in `/`.
    pub base_path: &'a str,
    /// Whether a site-absolute path is a published page (links to others become plain text).
    pub is_published: &'a (dyn Fn(&str) -> bool + Sync),
    /// Shared highlighter.
    pub highlighter: &'a Highlighter,
}

/// Renders a Markdown body.
pub fn render_markdown(markdown: &str, context: &MarkdownContext<'_>) -> RenderedBody {
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, markdown_options()).collect();
    let toc = add_heading_ids(&mut events);
    let mut out = Vec::with_capacity(events.len());
    let mut has_code = false;
    let mut code: Option<(String, String)> = None;
    let mut dropped_links = Vec::new();
    let mut tables = 0;
    let mut aligned = false;
    for event in events {
        if let Some((language, text)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let body = if language.is_empty() {
                        escape_html(text)
                    } else {
                        has_code = true;
                        context.highlighter.highlight(text, language)
                    };
                    let class = if language.is_empty() {
                        String::new()
                    } else {
                        format!(" class=\"language-{}\"", escape_html(language))
                    };
                    out.push(Event::Html(CowStr::from(format!(
                        "<pre class=\"code\"><code{class}>{body}</code></pre>\n"
                    ))));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((language, String::new()));
            }
            Event::Html(html) | Event::InlineHtml(html) if !context.allow_html => {
                out.push(Event::Text(html))
            }
            // Each table scrolls in a labelled, focusable region (wide tables scroll on a
            // phone, and keyboard users can scroll them).
            Event::Start(Tag::Table(alignments)) => {
                tables += 1;
                aligned |= alignments.iter().any(|a| *a != Alignment::None);
                out.push(Event::Html(CowStr::from(format!(
                    "<div class=\"table-container\" tabindex=\"0\" role=\"region\" aria-label=\"Table {tables}\">"
                ))));
                out.push(Event::Start(Tag::Table(alignments)));
            }
            Event::End(TagEnd::Table) => {
                out.push(Event::End(TagEnd::Table));
                out.push(Event::Html(CowStr::from("</div>\n")));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match rewrite_url(&dest_url, context) {
                Some(url) => {
                    dropped_links.push(false);
                    out.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(url),
                        title,
                        id,
                    }));
                }
                None => dropped_links.push(true),
            },
            Event::End(TagEnd::Link) => {
                if dropped_links.pop() != Some(true) {
                    out.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let url = rewrite_url(&dest_url, context).unwrap_or_else(|| dest_url.to_string());
                out.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(url),
                    title,
                    id,
                }));
            }
            other => out.push(other),
        }
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    if aligned {
        html = alignment_classes(html);
    }
    RenderedBody {
        html,
        toc,
        has_code,
    }
}

/// The target a link gets in output, or `None` when it must become plain text (a page that is
/// not published, or a script URL).
fn rewrite_url(url: &str, context: &MarkdownContext<'_>) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    if ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
    {
        return None;
    }
    match url.strip_prefix('/') {
        Some(rest) if !rest.starts_with('/') => {
            let path = url.split(['#', '?']).next().unwrap_or("");
            if !(context.is_published)(path) {
                return None;
            }
            Some(format!("{}{rest}", context.base_path))
        }
        _ => Some(url.to_owned()),
    }
}

/// Gives every heading an id from its text (unique in the page), demotes H1s to H2 (the page
/// title is the one H1), and returns the H2s for the contents list.
fn add_heading_ids(events: &mut [Event<'_>]) -> Vec<TocEntry> {
    let mut toc = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    let mut index = 0;
    while index < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[index] {
            let level = if *level == HeadingLevel::H1 {
                HeadingLevel::H2
            } else {
                *level
            };
            let explicit = id.as_ref().map(|id| id.to_string());
            let mut text = String::new();
            let mut end = index + 1;
            while end < events.len() {
                match &events[end] {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
                end += 1;
            }
            let base = explicit.unwrap_or_else(|| {
                let slug = crate::model::suggest_slug(&text);
                // `section-` ids belong to the theme's own sections (outcomes, contacts …).
                match slug.as_str() {
                    "" => "heading".to_owned(),
                    _ if slug.starts_with("section-") => format!("heading-{slug}"),
                    _ => slug,
                }
            });
            let mut anchor = base.clone();
            let mut n = 1;
            while !used.insert(anchor.clone()) {
                anchor = format!("{base}-{n}");
                n += 1;
            }
            if level == HeadingLevel::H2 {
                toc.push(TocEntry {
                    id: anchor.clone(),
                    title: text.trim().to_owned(),
                });
            }
            if let Event::Start(Tag::Heading { level: l, id, .. }) = &mut events[index] {
                *l = level;
                *id = Some(CowStr::from(anchor));
            }
            if let Some(Event::End(TagEnd::Heading(l))) = events.get_mut(end) {
                *l = level;
            }
            index = end;
        }
        index += 1;
    }
    toc
}

/// Turns the column alignment pulldown-cmark writes as inline styles into classes, so that a
/// strict Content-Security-Policy (`style-src 'self'`) needs no inline styles.
fn alignment_classes(mut html: String) -> String {
    for (style, class) in [
        (" style=\"text-align: left\"", " class=\"align-left\""),
        (" style=\"text-align: center\"", " class=\"align-center\""),
        (" style=\"text-align: right\"", " class=\"align-right\""),
    ] {
        html = html.replace(style, class);
    }
    html
}

/// Escapes text for HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// CSS for highlighted code, from one of syntect's bundled themes.
pub fn highlight_css() -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    themes
        .themes
        .get("InspiredGitHub")
        .and_then(|theme| {
            syntect::html::css_for_theme_with_class_style(
                theme,
                ClassStyle::SpacedPrefixed { prefix: "hl-" },
            )
            .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(markdown: &str) -> RenderedBody {
        let highlighter = Highlighter::default();
        let published = |path: &str| path != "/case-studies/draft-one/";
        let context = MarkdownContext {
            allow_html: false,
            base_path: "/sub/",
            is_published: &published,
            highlighter: &highlighter,
        };
        render_markdown(markdown, &context)
    }

    #[test]
    fn headings_get_ids_and_a_contents_list() {
        let body =
            render("# Intro\n\n## Leading change\n\n## Leading change\n\n### Better outcomes\n");
        assert!(
            body.html.contains("<h2 id=\"intro\">Intro</h2>"),
            "{}",
            body.html
        );
        assert!(
            body.html.contains("<h2 id=\"leading-change-1\">"),
            "{}",
            body.html
        );
        assert_eq!(body.toc.len(), 3);
        assert!(body.html.contains("<h3 id=\"better-outcomes\">"));
    }

    #[test]
    fn gfm_footnotes_and_strikethrough_render() {
        let body = render("A claim.[^1] ~~Old~~ new.\n\n[^1]: The source.\n");
        assert!(body.html.contains("<del>Old</del>"), "{}", body.html);
        assert!(body.html.contains("footnote-definition"), "{}", body.html);
        assert!(body.html.contains("href=\"#1\""), "{}", body.html);
    }

    #[test]
    fn heading_ids_never_take_the_theme_section_prefix() {
        let body = render("## Section outcomes\n");
        assert!(
            body.html.contains("id=\"heading-section-outcomes\""),
            "{}",
            body.html
        );
    }

    #[test]
    fn raw_html_and_script_links_are_inert() {
        let body = render(
            "<script>alert(1)</script>\n\nHi <b>x</b> [bad](javascript:alert(1)) [ok](/case-studies/a/)\n",
        );
        assert!(!body.html.contains("<script>"), "{}", body.html);
        assert!(body.html.contains("&lt;script&gt;"));
        assert!(!body.html.contains("javascript:"), "{}", body.html);
        assert!(
            body.html.contains("href=\"/sub/case-studies/a/\""),
            "{}",
            body.html
        );
    }

    #[test]
    fn links_to_unpublished_pages_become_text() {
        let body = render("See [the draft](/case-studies/draft-one/).\n");
        assert!(!body.html.contains("<a"), "{}", body.html);
        assert!(body.html.contains("the draft"));
    }

    #[test]
    fn tables_scroll_and_align_without_inline_styles() {
        let body = render("| a | b |\n|---|--:|\n| 1 | 2 |\n\n| c |\n|:-:|\n| 3 |\n");
        assert!(!body.html.contains("style="), "{}", body.html);
        assert!(body.html.contains("class=\"align-right\""), "{}", body.html);
        assert!(
            body.html.contains("aria-label=\"Table 2\""),
            "{}",
            body.html
        );
        assert_eq!(
            body.html.matches("aria-label=\"Table 1\"><table>").count(),
            1
        );
        assert_eq!(body.html.matches("</table>\n</div>").count(), 2);
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let body = render("```sql\nSELECT 1;\n```\n");
        assert!(body.has_code);
        assert!(body.html.contains("class=\"hl-"), "{}", body.html);
    }
}
