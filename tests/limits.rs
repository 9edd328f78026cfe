//! Ceilings, not only "no panic": hostile front matter is read in bounded time and memory.
//!
//! A property test builds YAML of the shapes that take naive readers down (nested anchors
//! whose aliases multiply, deep brackets, many keys) and asserts that parsing one file stays
//! under a time ceiling and allocates at most a fixed multiple of its size. Allocation is
//! measured by a counting allocator, per thread, so tests running beside each other do not
//! disturb the count. This is its own test binary because a program has one allocator, and
//! the only test that needs `unsafe` (an allocator is an unsafe trait).
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use casebook::load::Source;
use casebook::model::ContentKind;
use casebook::parse::{ParseOptions, parse_source};
use proptest::prelude::*;

/// Counts the bytes this thread holds and the most it has held since [`Peak::start`].
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn account(delta: isize) {
    // `try_with`: the thread may be tearing down its locals while it frees.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is passed to the system allocator unchanged; the wrapper only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        account(layout.size() as isize);
        // SAFETY: the caller's contract for `alloc` is forwarded as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        account(-(layout.size() as isize));
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        account(new_size as isize - layout.size() as isize);
        // SAFETY: as for `realloc` itself.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Parses `text` as a case study and as a dataset; returns the most bytes held above the
/// starting point, and the time taken.
fn measure(text: &str) -> (usize, Duration) {
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
    let base = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(base));
    let started = Instant::now();
    for source in [&page, &dataset] {
        let result = parse_source(source, &ParseOptions::default());
        drop(result);
    }
    let elapsed = started.elapsed();
    let peak = PEAK.with(Cell::get) - base;
    (peak.max(0) as usize, elapsed)
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
    let (bytes, elapsed) = measure(text);
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
