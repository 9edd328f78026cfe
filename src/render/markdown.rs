//! Markdown bodies to HTML: GFM tables, footnotes, strikethrough, heading anchors, a contents
//! list from the H2s, code highlighting with CSS classes, and the safety rules: raw HTML is
//! escaped unless the site allows it, `javascript:`-style links are made inert, and internal
//! links get the site's base path (or become plain text when their target is not published).

pub use crate::render::escape::escape_html;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use pulldown_cmark::{
    Alignment, CodeBlockKind, CowStr, Event, HeadingLevel, OffsetIter, Parser, Tag, TagEnd,
};
use serde::Serialize;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::cache::Cache;
use crate::parse::{BodyFound, BodyObserver, markdown_options};
use crate::search::text::{PlainText, PlainTextBuilder};

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
/// A code block is highlighted once a render: the same block on another page (sites repeat
/// their examples) takes the first one's HTML, and with a cache ([`Highlighter::caching`])
/// later builds take it from disk, as syntect's parse costs about half a million
/// instructions a line.
#[derive(Debug, Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    /// The HTML of each block highlighted so far, by its language and code.
    done: Mutex<HashMap<(String, String), Arc<str>>>,
    /// Blocks highlighted by earlier builds, by [`highlight_key`].
    cache: Option<Cache>,
}

impl Highlighter {
    /// A highlighter that keeps each block's HTML in `cache` (the `highlight` namespace).
    pub fn caching(cache: Cache) -> Highlighter {
        Highlighter {
            cache: Some(cache),
            ..Highlighter::default()
        }
    }

    fn highlight(&self, code: &str, language: &str) -> Arc<str> {
        let key = (language.to_owned(), code.to_owned());
        if let Some(html) = self.done().get(&key) {
            return html.clone();
        }
        let html: Arc<str> = match &self.cache {
            Some(cache) => {
                let entry = highlight_key(language, code);
                match cache
                    .get(&entry)
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                {
                    Some(html) => html.into(),
                    None => {
                        let html = self.highlight_anew(code, language);
                        cache.put(&entry, html.as_bytes());
                        html.into()
                    }
                }
            }
            None => self.highlight_anew(code, language).into(),
        };
        self.done().insert(key, html.clone());
        html
    }

    fn done(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Arc<str>>> {
        self.done
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn highlight_anew(&self, code: &str, language: &str) -> String {
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

/// The cache key of a block's HTML: its language and code, and what else the HTML depends
/// on: [`HIGHLIGHT_VERSION`] and the `Cargo.lock` entries of syntect (whose bundled syntax
/// definitions it uses) and fancy-regex (which matches them), from the lock file the binary
/// was built with.
fn highlight_key(language: &str, code: &str) -> String {
    static CRATES: OnceLock<String> = OnceLock::new();
    let crates = CRATES.get_or_init(|| {
        lock_entries(
            include_str!("../../Cargo.lock"),
            &["syntect", "fancy-regex"],
        )
    });
    crate::cache::key(&[
        HIGHLIGHT_VERSION.as_bytes(),
        crates.as_bytes(),
        language.as_bytes(),
        code.as_bytes(),
    ])
}

/// Changed whenever [`Highlighter`] writes a block differently (its class prefix, its
/// fallback), so that no build takes HTML an older one cached.
const HIGHLIGHT_VERSION: &str = "casebook highlight 1: hl- spaced classes";

/// The `[[package]]` entries of `lock` named in `names`, as they are written there.
fn lock_entries(lock: &str, names: &[&str]) -> String {
    lock.split("[[package]]")
        .filter(|entry| {
            entry.lines().any(|line| {
                names
                    .iter()
                    .any(|name| line.trim() == format!("name = \"{name}\""))
            })
        })
        .collect()
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
    /// The site's images as this page shows them: `None` writes every image as it is.
    pub pictures: Option<&'a crate::render::picture::Pictures<'a>>,
}

/// Renders a Markdown body.
///
/// The parser's events stream through `Rewrite` into the HTML writer: only a heading's or a
/// code block's own events are held at once, so memory beyond pulldown-cmark's block tree is
/// the output's.
pub fn render_markdown(markdown: &str, context: &MarkdownContext<'_>) -> RenderedBody {
    render(markdown, context, None).0
}

/// [`render_markdown`], and the body's search text ([`crate::search::text::markdown_text`])
/// from the same parse: a build parses each body once for its page and its search entry.
pub fn render_markdown_with_text(
    markdown: &str,
    context: &MarkdownContext<'_>,
) -> (RenderedBody, PlainText) {
    let (body, text) = render(markdown, context, Some(PlainTextBuilder::default()));
    (body, text.map(PlainTextBuilder::finish).unwrap_or_default())
}

/// [`render_markdown_with_text`], and the body's site-absolute links and images found in the
/// same parse by the check's own observer ([`BodyObserver`]): a build parses each body once,
/// for its page, its search entry and the checks of its links and images. `first_line` is
/// the line of the file the body starts on, for the positions of what is found.
pub fn render_markdown_observed(
    markdown: &str,
    first_line: u32,
    context: &MarkdownContext<'_>,
) -> (RenderedBody, PlainText, BodyFound) {
    let observer = BodyObserver::new(markdown, first_line);
    let (body, text, observer) = render_seen(
        markdown,
        context,
        Some(PlainTextBuilder::default()),
        Some(observer),
    );
    let text = text.map(PlainTextBuilder::finish).unwrap_or_default();
    let found = observer.map(BodyObserver::finish).unwrap_or_default();
    (body, text, found)
}

fn render(
    markdown: &str,
    context: &MarkdownContext<'_>,
    text: Option<PlainTextBuilder>,
) -> (RenderedBody, Option<PlainTextBuilder>) {
    let (body, text, _) = render_seen(markdown, context, text, None);
    (body, text)
}

fn render_seen<'t>(
    markdown: &'t str,
    context: &MarkdownContext<'_>,
    text: Option<PlainTextBuilder>,
    observer: Option<BodyObserver<'t>>,
) -> (
    RenderedBody,
    Option<PlainTextBuilder>,
    Option<BodyObserver<'t>>,
) {
    let _permit = crate::parse::parse_permit(markdown);
    #[cfg(test)]
    crate::parse::parses::note("render", markdown);
    let parser = Seen {
        parser: Parser::new_ext(markdown, markdown_options()).into_offset_iter(),
        text,
        observer,
    };
    let mut events = Rewrite::new(parser, context);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, &mut events);
    let body = RenderedBody {
        html,
        toc: events.toc,
        has_code: events.has_code,
    };
    (body, events.parser.text, events.parser.observer)
}

/// The parser's events, each shown as it passes to the search text's builder and to the
/// observer of links and images (when there are) before anything rewrites it.
struct Seen<'a> {
    parser: OffsetIter<'a>,
    text: Option<PlainTextBuilder>,
    observer: Option<BodyObserver<'a>>,
}

impl<'a> Iterator for Seen<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let (event, range) = self.parser.next()?;
        if let Some(text) = &mut self.text {
            text.see(&event);
        }
        if let Some(observer) = &mut self.observer {
            observer.see(&event, &range);
        }
        Some(event)
    }
}

/// The parser's events as casebook writes them: headings with unique ids (H1s demoted to H2),
/// code highlighted, tables wrapped in a scrolling region, raw HTML escaped unless allowed,
/// and links rewritten or made plain text. Collects the contents list on the way.
struct Rewrite<'a, 'c> {
    parser: Seen<'a>,
    context: &'c MarkdownContext<'c>,
    /// Events ready to be written, in order.
    ready: VecDeque<Event<'a>>,
    ids: HeadingIds,
    toc: Vec<TocEntry>,
    has_code: bool,
    tables: usize,
    /// The open table's column alignments, when any column is aligned: its cells' start tags
    /// are then written here, with a class (see [`align_class`]).
    alignments: Option<Vec<Alignment>>,
    /// Whether the open table's cells are in its head, and the next cell's column.
    in_head: bool,
    column: usize,
    /// For each open link, whether it was dropped (its end must be dropped too).
    dropped_links: Vec<bool>,
    /// How many images written as `<img>` are open: an image in another's alternative text is
    /// not one the checks know of (they take an image's place, not those inside it), so it is
    /// never a site image, which a build learns of only as the checks' observer finds it.
    open_images: usize,
}

impl<'a> Iterator for Rewrite<'a, '_> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        while self.ready.is_empty() {
            let event = self.parser.next()?;
            self.rewrite(event);
        }
        self.ready.pop_front()
    }
}

impl<'a, 'c> Rewrite<'a, 'c> {
    fn new(parser: Seen<'a>, context: &'c MarkdownContext<'c>) -> Self {
        Rewrite {
            parser,
            context,
            ready: VecDeque::new(),
            ids: HeadingIds::default(),
            toc: Vec::new(),
            has_code: false,
            tables: 0,
            alignments: None,
            in_head: false,
            column: 0,
            dropped_links: Vec::new(),
            open_images: 0,
        }
    }

    /// Queues what `event` becomes; a heading or a code block is read to its end first.
    fn rewrite(&mut self, event: Event<'a>) {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => self.heading(level, id, classes, attrs),
            Event::Start(Tag::CodeBlock(kind)) => self.code_block(kind),
            Event::Html(html) | Event::InlineHtml(html) if !self.context.allow_html => {
                self.ready.push_back(Event::Text(html))
            }
            // Each table scrolls in a labelled, focusable region (wide tables scroll on a
            // phone, and keyboard users can scroll them).
            Event::Start(Tag::Table(alignments)) => {
                self.tables += 1;
                self.alignments = alignments
                    .iter()
                    .any(|a| *a != Alignment::None)
                    .then(|| alignments.to_vec());
                self.ready.push_back(Event::Html(CowStr::from(format!(
                    "<div class=\"table-container\" tabindex=\"0\" role=\"region\" aria-label=\"Table {}\">",
                    self.tables
                ))));
                self.ready.push_back(Event::Start(Tag::Table(alignments)));
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                self.in_head = matches!(event, Event::Start(Tag::TableHead));
                self.column = 0;
                self.ready.push_back(event);
            }
            Event::Start(Tag::TableCell) => {
                let align = self
                    .alignments
                    .as_ref()
                    .and_then(|alignments| alignments.get(self.column))
                    .and_then(|alignment| align_class(*alignment));
                self.column += 1;
                match align {
                    Some(class) => {
                        let cell = if self.in_head { "<th" } else { "<td" };
                        self.ready.push_back(Event::Html(CowStr::Borrowed(cell)));
                        self.ready.push_back(Event::Html(CowStr::Borrowed(class)));
                    }
                    None => self.ready.push_back(event),
                }
            }
            Event::End(TagEnd::Table) => {
                self.alignments = None;
                self.ready.push_back(Event::End(TagEnd::Table));
                self.ready.push_back(Event::Html(CowStr::from("</div>\n")));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match rewrite_url(&dest_url, self.context) {
                Some(url) => {
                    self.dropped_links.push(false);
                    self.ready.push_back(Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(url),
                        title,
                        id,
                    }));
                }
                None => self.dropped_links.push(true),
            },
            Event::End(TagEnd::Link) => {
                if self.dropped_links.pop() != Some(true) {
                    self.ready.push_back(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                // The site's own image files become a `<picture>` of their resized outputs.
                if let Some(pictures) = self.context.pictures
                    && self.open_images == 0
                    && pictures.has(&dest_url)
                {
                    let alt = crate::render::picture::take_alt(&mut self.parser, &title);
                    let title = (!title.trim().eq_ignore_ascii_case(crate::parse::DECORATIVE))
                        .then_some(&*title);
                    let html = pictures.markup(&dest_url, &alt, title).unwrap_or_default();
                    self.ready.push_back(Event::Html(CowStr::from(html)));
                    return;
                }
                let url =
                    rewrite_url(&dest_url, self.context).unwrap_or_else(|| dest_url.to_string());
                self.open_images += 1;
                self.ready.push_back(Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(url),
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                self.open_images = self.open_images.saturating_sub(1);
                self.ready.push_back(Event::End(TagEnd::Image));
            }
            other => self.ready.push_back(other),
        }
    }

    /// Gives a heading an id from its text (unique in the page) unless it has one, demotes an
    /// H1 to H2 (the page title is the one H1), and lists an H2 in the contents.
    fn heading(
        &mut self,
        level: HeadingLevel,
        explicit: Option<CowStr<'a>>,
        classes: Vec<CowStr<'a>>,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    ) {
        let level = level.max(HeadingLevel::H2);
        let mut inside = Vec::new();
        let mut text = String::new();
        for event in self.parser.by_ref() {
            match &event {
                Event::End(TagEnd::Heading(_)) => break,
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                _ => {}
            }
            inside.push(event);
        }
        let base = match explicit {
            Some(id) => id.into_string(),
            None => {
                let slug = crate::model::suggest_slug(&text);
                // `section-` ids belong to the theme's own sections (outcomes, contacts …).
                match slug.as_str() {
                    "" => "heading".to_owned(),
                    _ if slug.starts_with("section-") => format!("heading-{slug}"),
                    _ => slug,
                }
            }
        };
        let anchor = self.ids.unique(base);
        if level == HeadingLevel::H2 {
            self.toc.push(TocEntry {
                id: anchor.clone(),
                title: text.trim().to_owned(),
            });
        }
        self.ready.push_back(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(anchor)),
            classes,
            attrs,
        }));
        for event in inside {
            self.rewrite(event);
        }
        self.ready.push_back(Event::End(TagEnd::Heading(level)));
    }

    /// Reads a code block to its end and queues it as one piece of HTML, highlighted when it
    /// names a language.
    fn code_block(&mut self, kind: CodeBlockKind<'a>) {
        let language = match kind {
            CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_owned(),
            CodeBlockKind::Indented => String::new(),
        };
        let mut code = String::new();
        for event in self.parser.by_ref() {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        let (class, body): (String, Arc<str>) = if language.is_empty() {
            (String::new(), escape_html(&code).into())
        } else {
            self.has_code = true;
            (
                format!(" class=\"language-{}\"", escape_html(&language)),
                self.context.highlighter.highlight(&code, &language),
            )
        };
        self.ready.push_back(Event::Html(CowStr::from(format!(
            "<pre class=\"code\"><code{class}>{body}</code></pre>\n"
        ))));
    }
}

/// The ids a page's headings have taken. Each base remembers the next suffix to try, so the
/// ids come out as if `base`, `base-1`, `base-2` … were tried in turn, but a page of 30,000
/// `## a` costs one lookup per heading, not one per earlier heading.
#[derive(Default)]
struct HeadingIds {
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl HeadingIds {
    /// `base` if no heading has it yet, or else the first free `base-<n>`, `n` from 1.
    fn unique(&mut self, base: String) -> String {
        if !self.used.contains(&base) {
            self.used.insert(base.clone());
            return base;
        }
        // Ids are never given back, so every suffix below the remembered one is still taken;
        // and a `base-<n>` skipped here is skipped only once, so the loop is linear overall.
        let next = self.next_suffix.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// The target a link gets in output, or `None` when it must become plain text (a page that is
/// not published, or a script URL).
fn rewrite_url(url: &str, context: &MarkdownContext<'_>) -> Option<String> {
    // The scheme compared in place: a lowercased copy of every link cost an allocation.
    let start = url.trim().as_bytes();
    if ["javascript:", "vbscript:", "data:"].iter().any(|scheme| {
        start
            .get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme.as_bytes()))
    }) {
        return None;
    }
    match url.strip_prefix('/') {
        Some(rest) if !rest.starts_with('/') => {
            let path = url.split(['#', '?']).next().unwrap_or("");
            if !(context.is_published)(path) {
                return None;
            }
            let mut target = String::with_capacity(context.base_path.len() + rest.len());
            target.push_str(context.base_path);
            target.push_str(rest);
            Some(target)
        }
        _ => Some(url.to_owned()),
    }
}

/// The rest of an aligned cell's start tag: a class where pulldown-cmark would write an
/// inline style, so that a strict Content-Security-Policy (`style-src 'self'`) needs none.
fn align_class(alignment: Alignment) -> Option<&'static str> {
    match alignment {
        Alignment::None => None,
        Alignment::Left => Some(" class=\"align-left\">"),
        Alignment::Center => Some(" class=\"align-center\">"),
        Alignment::Right => Some(" class=\"align-right\">"),
    }
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
mod tests;
