//! The search index: built on every build (off with `search: false`), and the fixture index
//! that the client's node tests read (`tests/browser/fixtures/search-index/`) kept up to date.
//!
//! To refresh the fixture after a change to the index or the fixture site:
//! `CASEBOOK_UPDATE_SEARCH_FIXTURE=1 cargo test --test it search`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::harness::{copy_to_temp, fixture, repo_root};

fn fixture_index_dir() -> PathBuf {
    repo_root().join("tests/browser/fixtures/search-index")
}

fn fixture_index() -> BTreeMap<String, Vec<u8>> {
    let checked = casebook::check(&fixture("search-site")).expect("check the search fixture");
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
fn committed_fixture_index_is_up_to_date() {
    let built = fixture_index();
    let dir = fixture_index_dir();
    if std::env::var_os("CASEBOOK_UPDATE_SEARCH_FIXTURE").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        for (path, contents) in &built {
            let target = dir.join(path);
            std::fs::create_dir_all(target.parent().expect("a folder")).expect("mkdir");
            std::fs::write(target, contents).expect("write");
        }
    }
    let committed = read_tree(&dir);
    let stale: Vec<&String> = built
        .keys()
        .filter(|p| committed.get(*p) != built.get(*p))
        .chain(committed.keys().filter(|p| !built.contains_key(*p)))
        .collect();
    assert!(
        stale.is_empty(),
        "tests/browser/fixtures/search-index/ is stale ({} files differ, first {:?}); refresh it with \
         CASEBOOK_UPDATE_SEARCH_FIXTURE=1 cargo test --test it search",
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
