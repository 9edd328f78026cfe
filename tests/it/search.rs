//! The search index: built on every build (off with `search: false`), its outcome filters on
//! a fixture whose answers were worked out by hand, and the fixture indexes that the client's
//! node tests read (`tests/browser/fixtures/search-index/` of `tests/fixtures/search-site/`,
//! `tests/browser/fixtures/ratings-index/` of `tests/fixtures/ratings/`) kept up to date.
//!
//! To refresh them after a change to the index or the fixture sites:
//! `CASEBOOK_UPDATE_SEARCH_FIXTURE=1 cargo test --test it search`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use casebook::search::codec;
use casebook::search::shards::{ShardData, read_script};
use serde_json::Value;

use crate::harness::{copy_to_temp, fixture, repo_root};

/// The fixture sites and the folders their committed indexes are in.
const FIXTURE_INDEXES: [(&str, &str); 2] = [
    ("search-site", "tests/browser/fixtures/search-index"),
    ("ratings", "tests/browser/fixtures/ratings-index"),
];

fn fixture_index() -> BTreeMap<String, Vec<u8>> {
    index_of("search-site")
}

/// The search index of a fixture site, by path under `search/`.
fn index_of(site: &str) -> BTreeMap<String, Vec<u8>> {
    let checked = casebook::check(&fixture(site)).expect("check the fixture");
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    casebook::search::build_index(&checked.site, &checked.config)
        .into_iter()
        .map(|f| {
            let path = f
                .path
                .strip_prefix("search/")
                .expect("under search/")
                .to_owned();
            (path, f.contents)
        })
        .collect()
}

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                walk(&path, &format!("{prefix}{name}/"), out);
            } else {
                out.insert(
                    format!("{prefix}{name}"),
                    std::fs::read(&path).expect("read"),
                );
            }
        }
    }
    walk(dir, "", &mut out);
    out
}

#[test]
fn committed_fixture_indexes_are_up_to_date() {
    for (site, folder) in FIXTURE_INDEXES {
        check_committed_index(&index_of(site), &repo_root().join(folder));
    }
}

fn check_committed_index(built: &BTreeMap<String, Vec<u8>>, dir: &Path) {
    if std::env::var_os("CASEBOOK_UPDATE_SEARCH_FIXTURE").is_some() {
        let _ = std::fs::remove_dir_all(dir);
        for (path, contents) in built {
            let target = dir.join(path);
            std::fs::create_dir_all(target.parent().expect("a folder")).expect("mkdir");
            std::fs::write(target, contents).expect("write");
        }
    }
    let committed = read_tree(dir);
    let stale: Vec<&String> = built
        .keys()
        .filter(|p| committed.get(*p) != built.get(*p))
        .chain(committed.keys().filter(|p| !built.contains_key(*p)))
        .collect();
    assert!(
        stale.is_empty(),
        "{} is stale ({} files differ, first {:?}); refresh it with \
         CASEBOOK_UPDATE_SEARCH_FIXTURE=1 cargo test --test it search",
        dir.display(),
        stale.len(),
        stale.first()
    );
}

#[test]
fn client_folds_accents_with_the_indexer_table() {
    let core = std::fs::read_to_string(repo_root().join("themes/default/static/js/search-core.js"))
        .expect("search-core.js");
    let table = casebook::search::text::FOLD_TABLE;
    assert!(
        core.contains(&format!("var FOLD = \"{table}\";")),
        "search-core.js must hold FOLD_TABLE of src/search/text.rs"
    );
}

#[test]
fn every_build_writes_the_index_unless_search_is_off() {
    let (_temp, root) = copy_to_temp(&fixture("search-site"));
    let out = root.join("public");
    let options = casebook::BuildOptions {
        root: root.clone(),
        output: Some(out.clone()),
        ..Default::default()
    };
    casebook::build(&options, &|_| {}).expect("build");
    assert!(out.join("search/manifest.js").is_file());
    // The build streams the index to disk and renames the cards' folder at the end; the
    // preview collects it in memory. Both give the same files, and no pending folder is left.
    let written: BTreeMap<String, Vec<u8>> = read_tree(&out.join("search"))
        .into_iter()
        .filter(|(path, _)| path != "index.html")
        .collect();
    let collected = fixture_index();
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        collected.keys().collect::<Vec<_>>()
    );
    assert!(
        written == collected,
        "the built index differs from build_index"
    );
    assert!(!out.join(casebook::search::PENDING_CARDS).exists());
    assert!(written.keys().any(|path| path.starts_with("d/")));
    let page = std::fs::read_to_string(out.join("search/index.html")).expect("search page");
    assert!(page.contains(r#"<script src="../js/search.js" defer></script>"#));
    assert!(page.contains(r#"id="search-fallback""#));
    assert!(out.join("js/search-core.js").is_file());

    let config = std::fs::read_to_string(root.join("casebook.yaml")).expect("config");
    std::fs::write(
        root.join("casebook.yaml"),
        format!("{config}\nsearch: false\n"),
    )
    .expect("config");
    casebook::build(&options, &|_| {}).expect("build");
    assert!(!out.join("search/manifest.js").exists());
    let page = std::fs::read_to_string(out.join("search/index.html"));
    assert!(page.is_err() || !page.expect("page").contains("search.js"));
}

/// The pages (their addresses) each value of a facet selects, read back from its file.
fn facet_pages(index: &BTreeMap<String, Vec<u8>>, facet: &str) -> BTreeMap<String, Vec<String>> {
    let card_of = |doc: u32| -> String {
        let (_, card) = index
            .iter()
            .find(|(path, _)| path.starts_with("d/") && path.ends_with(&format!("/{doc}.js")))
            .expect("a card per doc");
        match read_script(card) {
            Some((_, ShardData::Json(card))) => card["u"].as_str().expect("an address").to_owned(),
            _ => panic!("card {doc} is not JSON"),
        }
    };
    let (_, file) = index
        .iter()
        .find(|(path, _)| path.starts_with(&format!("f/{facet}.")))
        .unwrap_or_else(|| panic!("no file of the {facet} facet"));
    let Some((_, ShardData::Json(data))) = read_script(file) else {
        panic!("the {facet} facet is not JSON")
    };
    let n = index.keys().filter(|path| path.starts_with("d/")).count();
    let ids = codec::unbase64(data["ids"].as_str().expect("ids")).expect("base64");
    let mut reader = codec::Reader::new(&ids);
    let mut out = BTreeMap::new();
    for value in data["values"].as_array().expect("values") {
        let docs = codec::decode_doc_set(&mut reader, n).expect("a doc set");
        assert_eq!(value[2], Value::from(docs.len()), "{value}");
        let key = value[0].as_str().expect("a key").to_owned();
        out.insert(key, docs.into_iter().map(card_of).collect());
    }
    out
}

fn pages(list: &[&str]) -> Vec<String> {
    let mut pages: Vec<String> = list.iter().map(|p| (*p).to_owned()).collect();
    pages.sort();
    pages
}

/// The answers of `tests/fixtures/ratings/FIXTURE.md`, worked out by hand from its pages.
#[test]
fn rating_filters_select_the_pages_worked_out_by_hand() {
    let index = index_of("ratings");
    let sorted = |mut list: Vec<String>| {
        list.sort();
        list
    };
    let rating = facet_pages(&index, "rating");
    let good = pages(&[
        "/case-studies/from-requires-improvement-to-good-at-ashdown-house/",
        "/case-studies/birchwood-lodge-rated-outstanding/",
        "/case-studies/care-homes-across-the-district/",
        "/case-studies/well-led-in-the-east/",
        "/case-studies/a-new-home-rated-good-for-safety/",
        "/case-studies/homes-rated-good-in-the-south-west/",
    ]);
    assert_eq!(sorted(rating["good"].clone()), good);
    assert_eq!(
        rating["outstanding"],
        ["/case-studies/birchwood-lodge-rated-outstanding/"]
    );
    let mut at_least_ri = good.clone();
    at_least_ri.extend(pages(&[
        "/case-studies/a-slip-at-the-cedars/",
        "/case-studies/homecare-in-the-midlands/",
        "/programmes/turnaround-programme/",
    ]));
    assert_eq!(
        sorted(rating["requires-improvement"].clone()),
        sorted(at_least_ri.clone())
    );
    assert_eq!(sorted(rating["inadequate"].clone()), sorted(at_least_ri));
    assert_eq!(rating.len(), 4, "every step of the scale has pages here");

    let improved = facet_pages(&index, "improved");
    assert_eq!(
        sorted(improved["rating"].clone()),
        pages(&[
            "/case-studies/from-requires-improvement-to-good-at-ashdown-house/",
            "/case-studies/birchwood-lodge-rated-outstanding/",
            "/case-studies/care-homes-across-the-district/",
            "/case-studies/homecare-in-the-midlands/",
            "/programmes/turnaround-programme/",
        ])
    );
}

#[test]
fn rating_values_are_listed_best_first_with_their_labels() {
    let index = index_of("ratings");
    let (_, file) = index
        .iter()
        .find(|(path, _)| path.starts_with("f/rating."))
        .expect("the rating facet");
    let Some((_, ShardData::Json(data))) = read_script(file) else {
        panic!("JSON")
    };
    assert_eq!(
        data["values"],
        serde_json::json!([
            ["outstanding", "Outstanding", 1],
            ["good", "Good or better", 6],
            ["requires-improvement", "Requires improvement or better", 9],
            ["inadequate", "Inadequate or better", 9],
        ])
    );
    assert_eq!(data["listed"], Value::Bool(true));
    let (_, manifest) = index
        .iter()
        .find(|(p, _)| *p == "manifest.js")
        .expect("manifest");
    let Some((_, ShardData::Json(manifest))) = read_script(manifest) else {
        panic!("JSON")
    };
    let facets: Vec<(&str, &str)> = manifest["facets"]
        .as_array()
        .expect("facets")
        .iter()
        .map(|f| (f["key"].as_str().unwrap(), f["label"].as_str().unwrap()))
        .collect();
    assert!(
        facets.contains(&("rating", "CQC rating after")),
        "{facets:?}"
    );
    assert!(facets.contains(&("improved", "Improved")), "{facets:?}");
}

/// Each card carries its page's headline outcome: the first, or the one `headline:` names.
#[test]
fn cards_carry_the_headline_outcome() {
    let index = index_of("ratings");
    let headlines: BTreeSet<(String, Option<String>)> = index
        .iter()
        .filter(|(path, _)| path.starts_with("d/"))
        .map(|(_, file)| match read_script(file) {
            Some((_, ShardData::Json(card))) => (
                card["u"].as_str().expect("u").to_owned(),
                card["h"].as_str().map(str::to_owned),
            ),
            _ => panic!("a JSON card"),
        })
        .collect();
    for (url, headline) in [
        (
            "/case-studies/from-requires-improvement-to-good-at-ashdown-house/",
            "Ashdown House went from Requires improvement to Good",
        ),
        (
            "/case-studies/birchwood-lodge-rated-outstanding/",
            "Birchwood Lodge went from Good to Outstanding",
        ),
        (
            "/case-studies/care-homes-across-the-district/",
            "56 of 60 homes rated Good (93.3%)",
        ),
        ("/case-studies/fewer-falls-at-fernlea/", "1 home"),
    ] {
        assert!(
            headlines.contains(&(url.to_owned(), Some(headline.to_owned()))),
            "{url}: {headlines:#?}"
        );
    }
}
