//! What a Markdown body may cost: time and memory in proportion to its size, whatever its
//! shape: parsing the page (the nesting limit and its internal links), rendering the HTML and
//! extracting the search text, each measured on its own.
//!
//! The ceilings are a few times what the stages need today, so they hold on a slow CI machine
//! in a debug build; the quadratic code they replace (heading ids found by rescanning, each
//! link positioned by rescanning the body, all events collected twice, no nesting limit)
//! went over them by far.

use std::time::Duration;

use casebook::diagnostics::Code;
use casebook::load::Source;
use casebook::model::ContentKind;
use casebook::model::content::Page;
use casebook::parse::{MAX_NESTING, ParseOptions, parse_source};
use casebook::render::markdown::{Highlighter, MarkdownContext, RenderedBody, render_markdown};
use casebook::search::text::markdown_text;
use proptest::prelude::*;

use crate::{Cost, measure};

const FRONT_MATTER: &str =
    "---\nname: Stress\norg_type: regulator\npublished: 2025-01-20\nsummary: A page.\n---\n\n";

fn source(body: &str) -> Source {
    Source {
        path: "content/organisations/stress.md".into(),
        kind: ContentKind::Organisation,
        stem: "stress".into(),
        text: format!("{FRONT_MATTER}{body}"),
    }
}

/// The three stages that read a body, measured in turn, with the page they parsed.
struct Stages {
    page: Page,
    parse: Cost,
    render: Cost,
    search: Cost,
    html: RenderedBody,
}

fn run_stages(body: &str) -> Stages {
    let source = source(body);
    let ((page, _), parse) = measure(|| parse_source(&source, &ParseOptions::default()));
    let page = page.expect("the front matter is valid");
    let highlighter = Highlighter::default();
    let published = |_: &str| true;
    let context = MarkdownContext {
        allow_html: false,
        base_path: "/",
        is_published: &published,
        highlighter: &highlighter,
        pictures: None,
    };
    let (html, render) = measure(|| render_markdown(&page.body.markdown, &context));
    let (_, search) = measure(|| markdown_text(&page.body.markdown));
    Stages {
        page,
        parse,
        render,
        search,
        html,
    }
}

// The ceilings, per stage, for a body of `bytes` bytes. Memory is mostly pulldown-cmark's block
// tree: up to one 56-byte node per byte of Markdown (each line `y` is a text and a line
// break), in a vector that doubles as it grows, its old and new buffers both live while it
// moves: about 150 bytes per byte at worst today. The renderer that collected every event
// twice allocated over 700 bytes per byte of nested lists.
const TIME_PER_KIB: Duration = Duration::from_millis(4);
const TIME_BASE: Duration = Duration::from_millis(250);
const PEAK_PER_BYTE: usize = 200;
const TOTAL_PER_BYTE: usize = 320;
const BYTES_BASE: usize = 64 * 1024;

fn assert_within_ceilings(body: &str, stages: &Stages) {
    let bytes = body.len();
    let time_ceiling = TIME_BASE + TIME_PER_KIB * (bytes / 1024) as u32;
    let peak_ceiling = BYTES_BASE + PEAK_PER_BYTE * bytes;
    let total_ceiling = BYTES_BASE + TOTAL_PER_BYTE * bytes;
    for (stage, cost) in [
        ("parse", stages.parse),
        ("render", stages.render),
        ("search", stages.search),
    ] {
        let shown = || {
            let start: String = body.chars().take(160).collect();
            format!("{stage} of {bytes} bytes cost {cost:?}; the body starts {start:?}")
        };
        assert!(
            cost.time <= time_ceiling,
            "over {time_ceiling:?}: {}",
            shown()
        );
        assert!(
            cost.peak <= peak_ceiling,
            "peak over {peak_ceiling} bytes: {}",
            shown()
        );
        assert!(
            cost.total <= total_ceiling,
            "allocated over {total_ceiling} bytes: {}",
            shown()
        );
    }
}

/// One line of Markdown of the kinds that cost the most: nested quotes and lists (sometimes
/// past the limit), repeated headings, internal links, and lines carried on lazily.
fn piece() -> impl Strategy<Value = String> {
    let marker = prop::sample::select(vec!["> ", "- ", "* ", "1. ", "> - ", "  ", ">"]);
    prop_oneof![
        (
            prop::collection::vec(marker, 1..=MAX_NESTING + 8),
            "[a-z ]{0,6}"
        )
            .prop_map(|(markers, text)| format!("{}x{text}\n", markers.concat())),
        prop::sample::select(vec!["## a\n", "# a\n", "## a-1\n", "### A {#a}\n", "## \n"])
            .prop_map(str::to_owned),
        (
            prop::sample::select(vec![
                "/organisations/target/",
                "/case-studies/a/#x",
                "/nope/",
            ]),
            0usize..4
        )
            .prop_map(|(url, n)| format!("[t]({url}) ").repeat(n + 1) + "\n"),
        prop::sample::select(vec!["y\n", "\n", "text carried on\n"]).prop_map(str::to_owned),
    ]
}

/// A body: a short run of pieces, repeated up to a size of 64 KiB.
fn body() -> impl Strategy<Value = String> {
    (prop::collection::vec(piece(), 1..24), 1usize..=64 * 1024).prop_map(|(pieces, size)| {
        let unit = pieces.concat();
        unit.repeat((size / unit.len()).max(1))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn markdown_costs_time_and_memory_in_proportion_to_its_size(body in body()) {
        let stages = run_stages(&body);
        assert_within_ceilings(&body, &stages);
    }
}

/// A body of `unit` repeated to about `size` bytes.
fn repeated(unit: &str, size: usize) -> String {
    unit.repeat(size / unit.len())
}

#[test]
fn thirty_thousand_repeated_headings_get_their_ids_in_linear_time() {
    let body = repeated("## a\n", 30_000 * 5);
    let stages = run_stages(&body);
    assert_within_ceilings(&body, &stages);
    let html = &stages.html.html;
    assert!(html.starts_with("<h2 id=\"a\">a</h2>\n<h2 id=\"a-1\">a</h2>\n"));
    assert!(
        html.ends_with("<h2 id=\"a-29999\">a</h2>\n"),
        "{}",
        &html[html.len() - 60..]
    );
    assert_eq!(stages.html.toc.len(), 30_000);
}

#[test]
fn a_hundred_thousand_internal_links_are_found_and_rewritten_in_linear_time() {
    let body = repeated("[t](/organisations/target/) ", 100_000 * 28);
    let stages = run_stages(&body);
    assert_within_ceilings(&body, &stages);
    assert_eq!(stages.page.links.len(), 100_000);
    let last = stages.page.links.last().expect("links");
    assert_eq!((last.at.line, last.at.column), (8, 99_999 * 28 + 1));
    assert_eq!(stages.html.html.matches("<a href=").count(), 100_000);
}

#[test]
fn nesting_past_the_limit_is_refused_before_anything_parses_it() {
    // A quote 40,000 levels deep followed by 40,000 lazy lines took seconds to parse, and
    // every stage parsed it.
    let body = format!("{} x\n{}", ">".repeat(40_000), "y\n".repeat(40_000));
    let source = source(&body);
    let ((page, diagnostics), cost) = measure(|| parse_source(&source, &ParseOptions::default()));
    assert!(cost.time < Duration::from_millis(500), "{cost:?}");
    let codes: Vec<(Code, u32, u32)> = diagnostics
        .iter()
        .map(|d| (d.code, d.line, d.column))
        .collect();
    assert_eq!(codes, [(Code::E015, 8, MAX_NESTING as u32 + 1)]);
    assert!(diagnostics[0].message.contains("limit of 32"));
    let page = page.expect("the page is kept, without its body");
    assert!(page.body.markdown.is_empty());

    // At the limit, a megabyte of nesting costs what the ceilings allow.
    let at_limit = repeated(&format!("{}x\n", "- ".repeat(MAX_NESTING)), 1024 * 1024);
    let stages = run_stages(&at_limit);
    assert_within_ceilings(&at_limit, &stages);
    assert!(!stages.page.body.markdown.is_empty());
}
