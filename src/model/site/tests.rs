use super::*;
use crate::load::Source;
use crate::parse::{ParseOptions, parse_source};

fn source(kind: ContentKind, folder: &str, slug: &str, front: &str) -> Source {
    Source {
        path: format!("content/{folder}/{slug}.md"),
        kind,
        stem: slug.to_owned(),
        text: format!("---\ntitle: {slug}\nsummary: S\npublished: 2024-01-02\n{front}---\n"),
    }
}

/// The pages of `sources`, each parsed with the default options.
fn parsed(sources: &[Source]) -> Vec<Page> {
    sources
        .iter()
        .map(|source| {
            parse_source(source, &ParseOptions::default())
                .0
                .expect("a page")
        })
        .collect()
}

/// Pages of two kinds, some sharing a slug: each is found at its place by its kind and slug,
/// and nothing is found under a kind it is not, or by a slug no page has.
#[test]
fn each_page_is_found_by_its_kind_and_slug() {
    let organisation = "organisations: [{name: A Home, org_type: independent-provider}]\n";
    let mut sources = Vec::new();
    for i in (0..40).rev() {
        let slug = format!("page-{i:02}");
        sources.push(source(
            ContentKind::CaseStudy,
            "case-studies",
            &slug,
            organisation,
        ));
        if i % 3 == 0 {
            sources.push(source(ContentKind::Page, "pages", &slug, ""));
        }
    }
    let pages = parsed(&sources);
    let (site, diagnostics) = link_site(pages, &LinkOptions::default());
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(site.pages.len(), 54);
    for (i, page) in site.pages.iter().enumerate() {
        assert_eq!(site.index_of(page.kind, &page.slug.value), Some(i));
        assert!(std::ptr::eq(
            site.get(page.kind, &page.slug.value).expect("found"),
            page
        ));
    }
    assert_eq!(site.index_of(ContentKind::Page, "page-01"), None);
    assert_eq!(site.index_of(ContentKind::CaseStudy, "page-40"), None);
    assert_eq!(site.index_of(ContentKind::Programme, "page-00"), None);

    // Keys whose hashes all collide: the page is still told apart by its kind and slug.
    let wanted = (ContentKind::Page, "page-03");
    let hash = key_hash(wanted.0, wanted.1);
    let mut colliding = Keys::default();
    for i in 0..site.pages.len() as u32 {
        colliding.insert_unique(hash, (hash, i), |&(hash, _)| hash);
    }
    let found = position_of(&site.pages, &colliding, wanted.0, wanted.1).expect("found");
    assert_eq!(
        (
            site.pages[found].kind,
            site.pages[found].slug.value.as_str()
        ),
        wanted
    );
}

/// Pages in any order (here a fixed shuffle of three kinds, some slugs shared) come out of
/// `sort_pages` in the order a plain sort by kind, slug and file gives.
#[test]
fn pages_sort_by_kind_slug_and_file_whatever_their_order() {
    let mut sources = Vec::new();
    for i in 0..60u32 {
        let slug = format!("page-{:02}", (i * 37) % 23);
        let (kind, folder) = match i % 3 {
            0 => (ContentKind::CaseStudy, "case-studies"),
            1 => (ContentKind::Page, "pages"),
            _ => (ContentKind::Organisation, "organisations"),
        };
        let mut source = source(kind, folder, &slug, "");
        source.path = format!("content/{folder}/{i:02}-{slug}.md");
        sources.push(source);
    }
    for shift in [0, 7, 31] {
        sources.rotate_left(shift);
        let mut pages: Vec<Page> = sources
            .iter()
            .filter_map(|source| parse_source(source, &ParseOptions::default()).0)
            .collect();
        assert_eq!(pages.len(), 60);
        let mut expected: Vec<(ContentKind, String, String)> = pages
            .iter()
            .map(|page| (page.kind, page.slug.value.clone(), page.file.clone()))
            .collect();
        expected.sort();
        sort_pages(&mut pages);
        let sorted: Vec<(ContentKind, String, String)> = pages
            .iter()
            .map(|page| (page.kind, page.slug.value.clone(), page.file.clone()))
            .collect();
        assert_eq!(sorted, expected);
    }
}

/// Groups of pages sharing a kind and slug, at the start, middle and end of the sorted list,
/// and general pages whose slug is one of the site's folders: linking keeps the first page
/// of each group by file and no page of a clashing slug, reports each page left out once,
/// and keeps every other page in order.
#[test]
fn linking_keeps_the_first_of_each_slug_and_leaves_out_clashes() {
    let mut sources = Vec::new();
    for (slug, copies) in [("aa-first", 3), ("mid", 2), ("solo", 1), ("zz-last", 2)] {
        for copy in 0..copies {
            let mut source = source(
                ContentKind::Organisation,
                "organisations",
                slug,
                &format!("slug: {slug}\n"),
            );
            source.path = format!("content/organisations/{copy}-{slug}.md");
            sources.push(source);
        }
    }
    for (file, slug) in [
        ("a", "search"),
        ("b", "search"),
        ("c", "about"),
        ("d", "topics"),
    ] {
        let mut source = source(ContentKind::Page, "pages", slug, &format!("slug: {slug}\n"));
        source.path = format!("content/pages/{file}.md");
        sources.push(source);
    }
    sources.reverse();
    let pages = parsed(&sources);
    let (site, diagnostics) = link_site(pages, &LinkOptions::default());
    let kept: Vec<&str> = site.pages.iter().map(|page| page.file.as_str()).collect();
    assert_eq!(
        kept,
        [
            "content/organisations/0-aa-first.md",
            "content/organisations/0-mid.md",
            "content/organisations/0-solo.md",
            "content/organisations/0-zz-last.md",
            "content/pages/c.md",
        ]
    );
    let mut reported: Vec<&str> = diagnostics.iter().map(|d| d.file.as_str()).collect();
    reported.sort_unstable();
    assert_eq!(
        reported,
        [
            "content/organisations/1-aa-first.md",
            "content/organisations/1-mid.md",
            "content/organisations/1-zz-last.md",
            "content/organisations/2-aa-first.md",
            "content/pages/a.md",
            "content/pages/b.md",
            "content/pages/d.md",
        ]
    );
    assert!(diagnostics.iter().all(|d| d.code == Code::E009));
    for (i, page) in site.pages.iter().enumerate() {
        assert_eq!(site.index_of(page.kind, &page.slug.value), Some(i));
    }
}
