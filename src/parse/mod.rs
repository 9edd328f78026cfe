//! Stage 2, parse: split each file into front matter and body, and read the front matter
//! into the typed fields of its content type.
//!
//! Takes the [`Source`]s of the load stage; returns typed [`Page`]s and diagnostics. Parsing
//! never fails: a file with problems yields what could be read plus a diagnostic for every
//! problem, positioned in the user's file. All YAML handling lives in this module; nothing
//! else in the program sees a YAML value. No I/O.

#[cfg(test)]
mod agreement;
mod documents;
mod images;
mod lines;
mod links;
mod nesting;
mod outcomes;
mod permit;
mod reader;
mod skeleton;
mod syntax;
mod yaml;

use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Located, Pos};
use crate::load::Source;
use crate::model::content::{Body, Details, Page};
use crate::model::{ContentKind, is_valid_slug, suggest_slug};

pub use images::DECORATIVE;
pub(crate) use images::missing_alt;
#[cfg(test)]
pub(crate) use links::parses;
pub use links::{
    BodyFound, BodyObserver, body_text, checked_body_text, internal_links, markdown_options,
};
pub use nesting::{MAX_NESTING, TooDeep, first_too_deep};
pub use permit::{LARGE_BODY, parse_permit};

/// What the parse stage needs from the site config.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Metrics the site adds to the vocabulary.
    pub extra_metrics: Vec<String>,
    /// Whether each page is given its body's text hash only ([`Body::let_go`]), not the
    /// text: a build reads each body again when it renders it, so the check does not copy
    /// the texts it would drop at once.
    pub let_go_bodies: bool,
}

/// The typed pages of a site and the problems found while reading them.
#[derive(Debug, Default)]
pub struct Parsed {
    /// One page per file that could be read, in path order.
    pub pages: Vec<Page>,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Which bodies the parse stage reads for their links and images (and E018).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyPass {
    /// Every body: `casebook check`, the preview and the language server.
    #[default]
    All,
    /// Only the bodies of drafts: a build without drafts, whose render finds the links and
    /// images of every other body in its own parse of it.
    Drafts,
    /// None: a build with drafts renders every body.
    None,
}

impl BodyPass {
    /// Whether the pass reads the body of a page that is (or is not) a draft.
    pub fn reads(self, draft: bool) -> bool {
        match self {
            BodyPass::All => true,
            BodyPass::Drafts => draft,
            BodyPass::None => false,
        }
    }
}

/// Parses every source in parallel; the result is in the order of `sources`.
pub fn parse_sources(sources: &[Source], options: &ParseOptions) -> Parsed {
    parse_sources_with(sources, options, BodyPass::All)
}

/// [`parse_sources`], reading for links and images only the bodies `pass` names: the other
/// pages have none (`links` and `images` empty, no E018), and a body nested too deep is still
/// reported (E015).
pub fn parse_sources_with(sources: &[Source], options: &ParseOptions, pass: BodyPass) -> Parsed {
    let results: Vec<(Option<Page>, Vec<Diagnostic>)> = sources
        .par_iter()
        .map(|source| parse_source_with(source, options, pass))
        .collect();
    let mut parsed = Parsed::default();
    for (page, diagnostics) in results {
        parsed.pages.extend(page);
        parsed.diagnostics.extend(diagnostics);
    }
    parsed
}

/// Parses one file. Returns the page when its front matter is a mapping (even with errors in
/// its fields), and every problem found, its file name's included, skeleton text left in a
/// page that is not a draft, and the unfilled marks of a general page (the accessibility
/// statement's).
pub fn parse_source(source: &Source, options: &ParseOptions) -> (Option<Page>, Vec<Diagnostic>) {
    parse_source_with(source, options, BodyPass::All)
}

/// [`parse_source`], reading the body for its links and images only if `pass` names it.
pub fn parse_source_with(
    source: &Source,
    options: &ParseOptions,
    pass: BodyPass,
) -> (Option<Page>, Vec<Diagnostic>) {
    let (page, mut diagnostics) = parse_contents(source, options, pass);
    diagnostics.extend(file_name_problem(source));
    if page.as_ref().is_some_and(|page| !page.draft) {
        diagnostics.extend(skeleton::leftover_placeholders(&source.path, &source.text));
    }
    if source.kind == ContentKind::Page {
        diagnostics.extend(skeleton::unfilled_marks(&source.path, &source.text));
    }
    (page, diagnostics)
}

/// An E016 when the file's name is not a slug. The name is the page's address unless `slug:`
/// says otherwise, and it is how editors, links and diagnostics find the page, so it follows
/// the slug rule either way: a name with a quote, a space, a capital or a line break makes an
/// address that breaks or misleads.
fn file_name_problem(source: &Source) -> Option<Diagnostic> {
    if is_valid_slug(&source.stem) {
        return None;
    }
    let extension = source.path.rsplit_once('.').map_or("md", |(_, e)| e);
    let length = source.stem.chars().count();
    let rule = if length > 80 {
        format!("it is {length} characters long; a slug has 3 to 80")
    } else {
        "a slug is 3 to 80 lower-case letters, digits and single hyphens".to_owned()
    };
    let suggestion = suggest_slug(&source.stem);
    // A bundle's page (`<slug>/index.md`) is named by its folder.
    let bundle = !source
        .path
        .ends_with(&format!("/{}.{extension}", source.stem));
    let shown: String = source.stem.escape_debug().collect();
    if bundle {
        let hint = if is_valid_slug(&suggestion) {
            format!("rename the folder to `{suggestion}`")
        } else {
            "rename the folder to a slug made from the page's title, such as `leadership-in-care-homes`".to_owned()
        };
        return Some(
            Diagnostic::new(
                Code::E016,
                &source.path,
                Pos::START,
                format!("the folder name `{shown}` is not a slug: {rule}"),
            )
            .with_hint(hint),
        );
    }
    let hint = if is_valid_slug(&suggestion) {
        format!("rename the file to `{suggestion}.{extension}`")
    } else {
        format!(
            "rename the file to a slug made from its title, such as `leadership-in-care-homes.{extension}`"
        )
    };
    Some(
        Diagnostic::new(
            Code::E016,
            &source.path,
            Pos::START,
            format!("the file name `{shown}` is not a slug: {rule}"),
        )
        .with_hint(hint),
    )
}

fn parse_contents(
    source: &Source,
    options: &ParseOptions,
    pass: BodyPass,
) -> (Option<Page>, Vec<Diagnostic>) {
    let file = source.path.as_str();
    let (yaml_text, yaml_first_line, body) = if source.kind.has_body() {
        match split_front_matter(&source.text) {
            Ok(split) => split,
            Err(diagnostic) => return (None, vec![diagnostic.into_diagnostic(file)]),
        }
    } else {
        (source.text.as_str(), 1, BodyText::default())
    };

    let (root, mut diagnostics) = yaml::read_yaml(yaml_text, file, yaml_first_line);
    let Some(root) = root else {
        if diagnostics.is_empty() {
            diagnostics.push(
                Diagnostic::new(Code::E004, file, Pos::START, "front matter is empty").with_hint(
                    "add the required fields as `key: value` lines between the `---` lines",
                ),
            );
        }
        return (None, diagnostics);
    };
    if !documents::is_mapping(&root) {
        diagnostics.push(
            Diagnostic::new(
                Code::E004,
                file,
                root.at,
                format!(
                    "front matter must be a mapping of `key: value` lines, not {}",
                    root.shape()
                ),
            )
            .with_hint("write fields as `title: …`, one per line, without a leading `- `"),
        );
        return (None, diagnostics);
    }

    let mut reader = reader::Reader::new(file);
    let Some(mut fields) = reader.fields(&root, "front matter") else {
        return (None, diagnostics);
    };
    // A missing top-level field is reported at the opening `---`.
    fields.at = Pos::START;
    let (common, details, known) = documents::read_details(
        &mut reader,
        source.kind,
        &mut fields,
        &options.extra_metrics,
    );
    reader.finish(fields, &crate::model::fields::names(known));
    diagnostics.append(&mut reader.diagnostics);

    let (body, links, images) = match nesting::first_too_deep(body.markdown, nesting::MAX_NESTING) {
        None if !pass.reads(common.draft) => {
            (body.owned(options.let_go_bodies), Vec::new(), Vec::new())
        }
        None => {
            let links::BodyFound { links, images } =
                links::links_of(body.markdown, body.first_line);
            diagnostics.extend(images::missing_alt(file, &images));
            (body.owned(options.let_go_bodies), links, images)
        }
        Some(too_deep) => {
            diagnostics.push(too_deep_diagnostic(file, &body, too_deep));
            // No later stage parses a body nested this deep: the page is reported, and
            // stays without one.
            let empty = Body {
                markdown: String::new(),
                first_line: body.first_line,
                let_go: None,
            };
            (empty, Vec::new(), Vec::new())
        }
    };
    let slug = common
        .slug
        .clone()
        .unwrap_or_else(|| Located::new(source.stem.clone(), Pos::START));
    let (mut links, mut details) = (links, details);
    links.shrink_to_fit();
    shrink_lists(&mut details);
    let page = Page {
        kind: source.kind,
        file: source.path.clone(),
        slug_explicit: common.slug.is_some(),
        slug,
        title: common.title.unwrap_or_default(),
        summary: common.summary,
        published: common.published,
        updated: common.updated,
        reviewed: common.reviewed,
        review_due: common.review_due,
        draft: common.draft,
        body,
        links,
        images,
        details,
    };
    (Some(page), diagnostics)
}

/// Gives back the room the lists of a page's fields grew into: a page is kept until the
/// site is built, and lists grown by doubling held up to twice their items (at 100,000 case
/// studies, about 60 MB of outcomes alone).
fn shrink_lists(details: &mut Details) {
    match details {
        Details::CaseStudy(c) => {
            c.outcomes.shrink_to_fit();
            c.organisations.shrink_to_fit();
            c.related.shrink_to_fit();
            c.contacts.shrink_to_fit();
            c.topics.shrink_to_fit();
            c.awards.shrink_to_fit();
        }
        Details::Programme(p) => {
            p.outcomes.shrink_to_fit();
            p.organisations.shrink_to_fit();
            p.modules.shrink_to_fit();
            p.cohorts.shrink_to_fit();
            p.contacts.shrink_to_fit();
            p.topics.shrink_to_fit();
        }
        Details::Cohort(c) => {
            c.outcomes.shrink_to_fit();
            c.contacts.shrink_to_fit();
            c.facilitators.shrink_to_fit();
        }
        Details::Module(_) | Details::Organisation(_) | Details::Dataset(_) | Details::Page(_) => {}
    }
}

/// The error for a body whose block quotes and lists nest deeper than the limit.
fn too_deep_diagnostic(file: &str, body: &BodyText<'_>, too_deep: nesting::TooDeep) -> Diagnostic {
    let in_body = crate::diagnostics::pos_of_byte_offset(body.markdown, too_deep.offset);
    let at = Pos::new(in_body.line + body.first_line - 1, in_body.column);
    Diagnostic::new(
        Code::E015,
        file,
        at,
        format!(
            "block quotes and lists nest {} levels deep here, more than the limit of {}",
            too_deep.depth,
            nesting::MAX_NESTING
        ),
    )
    .with_hint(format!(
        "nest quotes (`>`) and lists at most {} levels deep; each marker on the line, and \
         every two spaces of indentation before a list marker, count as a level",
        nesting::MAX_NESTING
    ))
}

enum SplitError {
    Missing,
    Unclosed,
}

impl SplitError {
    fn into_diagnostic(self, file: &str) -> Diagnostic {
        match self {
            SplitError::Missing => {
                Diagnostic::new(Code::E004, file, Pos::START, "the file has no front matter")
                    .with_hint(
                        "start the file with a line `---`, the fields, and another line `---`",
                    )
            }
            SplitError::Unclosed => Diagnostic::new(
                Code::E002,
                file,
                Pos::START,
                "front matter opened with `---` but never closed",
            )
            .with_hint("add a line `---` after the last field, before the text"),
        }
    }
}

/// A body's text as it stands in its file, and the file line it starts on.
#[derive(Debug, Default, Clone, Copy)]
struct BodyText<'a> {
    markdown: &'a str,
    first_line: u32,
}

impl BodyText<'_> {
    /// The page's body: its text, or only the text's hash when the text is let go.
    fn owned(self, let_go: bool) -> Body {
        let mut body = Body {
            markdown: String::new(),
            first_line: self.first_line,
            let_go: None,
        };
        if let_go {
            body.let_go = Some(Body::hash_of(self.markdown));
        } else {
            body.markdown = self.markdown.to_owned();
        }
        body
    }
}

/// Splits `---`-fenced front matter from the body: returns the YAML text, the file line it
/// starts on, and the body.
fn split_front_matter(text: &str) -> Result<(&str, u32, BodyText<'_>), SplitError> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or(SplitError::Missing)?;
    if first.trim_end() != "---" {
        return Err(SplitError::Missing);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut line_number = 1u32;
    for line in lines {
        line_number += 1;
        if line.trim_end() == "---" {
            let yaml = &text[yaml_start..offset];
            let body = BodyText {
                markdown: &text[offset + line.len()..],
                first_line: line_number + 1,
            };
            return Ok((yaml, 2, body));
        }
        offset += line.len();
    }
    Err(SplitError::Unclosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page's lists hold no room beyond their items (five outcomes grown one at a time
    /// would hold eight; five links, eight).
    #[test]
    fn a_pages_lists_are_no_larger_than_their_items() {
        let outcome = "  - {kind: count, metric: participants-completed, label: Staff, value: 3}\n";
        let text = format!(
            "---\ntitle: T\nsummary: S\npublished: 2024-01-02\n\
             organisations: [{{name: A Home, org_type: independent-provider, role: lead}}]\n\
             care_settings: [care-home]\ncqc_key_questions: [well-led]\nnhs_region: london\n\
             outcomes:\n{}---\n\n{}",
            outcome.repeat(5),
            "See [a](/programmes/p/). ".repeat(5)
        );
        let source = Source {
            path: "content/case-studies/lists.md".into(),
            kind: ContentKind::CaseStudy,
            stem: "lists".into(),
            text,
        };
        let (page, diagnostics) = parse_source(&source, &ParseOptions::default());
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let page = page.expect("a page");
        assert_eq!((page.links.len(), page.links.capacity()), (5, 5));
        let Details::CaseStudy(case) = &page.details else {
            panic!("a case study")
        };
        assert_eq!((case.outcomes.len(), case.outcomes.capacity()), (5, 5));
    }

    /// A page whose body is let go keeps the hash of the text it had, and no text.
    #[test]
    fn a_body_let_go_keeps_only_its_hash() {
        let text = "---\ntitle: T\n---\n\nThe body, [a link](/programmes/p/).\n";
        let source = Source {
            path: "content/pages/about.md".into(),
            kind: ContentKind::Page,
            stem: "about".into(),
            text: text.into(),
        };
        let options = ParseOptions {
            let_go_bodies: true,
            ..ParseOptions::default()
        };
        let (page, _) = parse_source_with(&source, &options, BodyPass::All);
        let body = page.expect("a page").body;
        assert_eq!((body.markdown.as_str(), body.first_line), ("", 4));
        assert!(body.had_text("\nThe body, [a link](/programmes/p/).\n"));
        assert!(!body.had_text("\nAnother body.\n"));
        let (kept, _) = parse_source_with(&source, &ParseOptions::default(), BodyPass::All);
        let kept = kept.expect("a page").body;
        assert_eq!(kept.markdown, "\nThe body, [a link](/programmes/p/).\n");
        assert_eq!(kept.let_go, None);
    }

    #[test]
    fn split_finds_the_closing_fence() {
        let (yaml, first_line, body) = split_front_matter("---\na: 1\n---\n# Body\n").ok().unwrap();
        assert_eq!(yaml, "a: 1\n");
        assert_eq!(first_line, 2);
        assert_eq!(body.first_line, 4);
        assert_eq!(body.markdown, "# Body\n");
    }

    #[test]
    fn split_reports_unclosed_and_missing() {
        assert!(matches!(
            split_front_matter("---\na: 1\n"),
            Err(SplitError::Unclosed)
        ));
        assert!(matches!(
            split_front_matter("# Title\n"),
            Err(SplitError::Missing)
        ));
        assert!(matches!(split_front_matter(""), Err(SplitError::Missing)));
    }
}
