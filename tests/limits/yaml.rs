//! Hostile front matter is read in bounded time and memory: YAML of the shapes that take
//! naive readers down (nested anchors whose aliases multiply, deep brackets, many keys), read
//! as a case study and as a dataset, must stay under a time ceiling and hold at most a fixed
//! multiple of its size.

use std::time::Duration;

use casebook::load::Source;
use casebook::model::ContentKind;
use casebook::parse::{ParseOptions, parse_source};
use proptest::prelude::*;

use crate::{Cost, measure};

/// Parses `text` as a case study's front matter and as a dataset, and measures both.
fn parse_both(text: &str) -> Cost {
    let page = Source {
        path: "content/case-studies/x.md".into(),
        kind: ContentKind::CaseStudy,
        stem: "x".into(),
        text: format!("---\n{text}\n---\nBody.\n"),
    };
    let dataset = Source {
        path: "content/data/x.yaml".into(),
        kind: ContentKind::Dataset,
        stem: "x".into(),
        text: text.to_owned(),
    };
    let ((), cost) = measure(|| {
        for source in [&page, &dataset] {
            drop(parse_source(source, &ParseOptions::default()));
        }
    });
    cost
}

/// What one file may cost: a fixed allowance (the parser's own tables, the alias budget's
/// worth of nodes) plus a multiple of its size.
fn memory_ceiling(text: &str) -> usize {
    4 * 1024 * 1024 + 64 * text.len()
}

/// Generous for a debug build on a busy two-core machine; a quadratic or exponential reader
/// misses it by orders of magnitude.
const TIME_CEILING: Duration = Duration::from_millis(1500);

fn assert_bounded(text: &str) {
    let cost = parse_both(text);
    let (bytes, elapsed) = (cost.peak, cost.time);
    assert!(
        bytes <= memory_ceiling(text),
        "{} bytes of YAML held {bytes} bytes at peak (ceiling {})",
        text.len(),
        memory_ceiling(text)
    );
    assert!(
        elapsed <= TIME_CEILING,
        "{} bytes of YAML took {elapsed:?}",
        text.len()
    );
}

/// Nested anchors: level 0 holds `fan` scalars, each next level `fan` aliases to the one
/// before. Unbounded expansion copies `fan^levels` nodes.
fn alias_ladder(levels: usize, fan: usize, flow: bool) -> String {
    let mut text = String::from("title: A ladder of aliases\n");
    for level in 0..levels {
        let items: Vec<String> = if level == 0 {
            (0..fan).map(|i| format!("v{i}")).collect()
        } else {
            vec![format!("*a{}", level - 1); fan]
        };
        if flow {
            text.push_str(&format!("a{level}: &a{level} [{}]\n", items.join(", ")));
        } else {
            text.push_str(&format!("a{level}: &a{level}\n"));
            for item in items {
                text.push_str(&format!("  - {item}\n"));
            }
        }
    }
    text.push_str(&format!("summary: *a{}\n", levels.saturating_sub(1)));
    text
}

/// Anchors on mappings whose values are aliases to the mapping before: the same blow-up
/// through keys instead of list items.
fn mapping_ladder(levels: usize, fan: usize) -> String {
    let mut text = String::from("m0: &m0 {k: v}\n");
    for level in 1..levels {
        let entries: Vec<String> = (0..fan).map(|i| format!("k{i}: *m{}", level - 1)).collect();
        text.push_str(&format!("m{level}: &m{level} {{{}}}\n", entries.join(", ")));
    }
    text.push_str(&format!("outcomes: *m{}\n", levels - 1));
    text
}

fn deep_brackets(depth: usize, open: char, close: char) -> String {
    let opens: String = std::iter::repeat_n(open, depth).collect();
    let closes: String = std::iter::repeat_n(close, depth).collect();
    format!("summary: {opens}{closes}\n")
}

#[test]
fn a_billion_laughs_is_refused_quickly() {
    // The reviewer's 651-byte file: ten levels of ten. Unbounded, it grew past 24 GB.
    let text = alias_ladder(10, 10, true);
    assert!(text.len() < 700);
    assert_bounded(&text);
}

#[test]
fn deep_nesting_is_refused_quickly() {
    for (open, close) in [('[', ']'), ('{', '}')] {
        assert_bounded(&deep_brackets(20_000, open, close));
    }
    let block: String = (0..2_000)
        .map(|depth| format!("{}- \n", "  ".repeat(depth)))
        .collect();
    assert_bounded(&block);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn nested_aliases_stay_within_the_ceilings(levels in 2usize..12, fan in 2usize..16, flow in any::<bool>()) {
        assert_bounded(&alias_ladder(levels, fan, flow));
    }

    #[test]
    fn aliased_mappings_stay_within_the_ceilings(levels in 2usize..10, fan in 2usize..12) {
        assert_bounded(&mapping_ladder(levels, fan));
    }

    #[test]
    fn deep_brackets_stay_within_the_ceilings(depth in 1usize..5_000, square in any::<bool>()) {
        let (open, close) = if square { ('[', ']') } else { ('{', '}') };
        assert_bounded(&deep_brackets(depth, open, close));
    }

    #[test]
    fn many_keys_stay_within_the_ceilings(keys in 1usize..3_000, duplicate_every in 1usize..50) {
        let text: String = (0..keys)
            .map(|i| format!("k{}: value {i}\n", i / duplicate_every))
            .collect();
        assert_bounded(&text);
    }
}
