//! `casebook build`: pages, lists, taxonomies, atomic output, determinism, safety. It is long
//! because it holds twenty independent scenarios, each building its own small site.

use std::collections::BTreeMap;
use std::path::Path;

use crate::harness::{build, casebook, copy_example, copy_to_temp, fixture};

fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let relative = entry
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(relative, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

fn page(output: &Path, path: &str) -> String {
    std::fs::read_to_string(output.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_example_builds_every_page_type_with_no_warnings() {
    let (_guard, root) = copy_example();
    let output = root.join("public");
    let result = build(&root, &output, &[]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(
        String::from_utf8_lossy(&result.stderr).is_empty(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for path in [
        "index.html",
        "case-studies/index.html",
        "case-studies/southampton-care-home-manager-leadership-programme/index.html",
        "programmes/well-led-stockton-on-tees/index.html",
        "modules/well-led-managing-self/index.html",
        "cohorts/well-led-cohort-3/index.html",
        "organisations/southampton-city-ccg/index.html",
        "data/well-led-overall-ratings/index.html",
        "topics/index.html",
        "topics/leadership/index.html",
        "regions/south-east/index.html",
        "settings/care-home-with-nursing/index.html",
        "key-questions/well-led/index.html",
        "outcomes/index.html",
        "search/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "css/casebook.css",
    ] {
        assert!(output.join(path).is_file(), "missing {path}");
    }
    let case_study = page(
        &output,
        "case-studies/southampton-care-home-manager-leadership-programme/index.html",
    );
    assert_eq!(case_study.matches("<h1").count(), 1);
    assert!(
        case_study.contains("56 of 60"),
        "outcome figures are shown as text"
    );
    assert!(case_study.contains("Open Government Licence"));
    let programme = page(&output, "programmes/well-led-stockton-on-tees/index.html");
    let order: Vec<usize> = [
        "Managing Self",
        "Leading Team",
        "Managing Quality",
        "Service Improvement",
    ]
    .iter()
    .map(|title| {
        programme
            .find(title)
            .unwrap_or_else(|| panic!("{title} missing from the programme page"))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "modules listed in order"
    );
    let organisation = page(&output, "organisations/southampton-city-ccg/index.html");
    assert!(
        organisation.contains("/case-studies/southampton-care-home-manager-leadership-programme/"),
        "organisation lists what it led"
    );
    let sitemap = page(&output, "sitemap.xml");
    assert!(sitemap.contains("<loc>"), "{sitemap}");
}

/// The output file that a link on the page at `page` leads to (`None` for another site, or
/// a place on the same page), as a browser resolves it from a folder: relative to the page's
/// folder, a folder meaning its `index.html`.
fn link_target(page: &str, link: &str) -> Option<String> {
    let path = link.split(['#', '?']).next().unwrap_or_default();
    if path.is_empty() || link.starts_with("//") || link.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        page.split('/').collect()
    };
    parts.pop();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    let joined = parts.join("/");
    Some(if path.ends_with('/') || joined.is_empty() {
        format!(
            "{joined}{}index.html",
            if joined.is_empty() { "" } else { "/" }
        )
    } else {
        joined
    })
}

/// Every `href`, `src` and `action` value of a page.
fn links(html: &str) -> Vec<&str> {
    ["href=\"", "src=\"", "action=\""]
        .iter()
        .flat_map(|attribute| html.split(attribute).skip(1))
        .filter_map(|part| part.split('"').next())
        .collect()
}

#[test]
fn every_internal_link_in_the_output_resolves_from_its_page() {
    for (page, link, file) in [
        (
            "case-studies/x/index.html",
            "../../css/a.css",
            Some("css/a.css"),
        ),
        ("a/index.html", "../", Some("index.html")),
        ("index.html", "./#top", Some("index.html")),
        ("404.html", "/topics/", Some("topics/index.html")),
        ("a/index.html", "https://example.org/", None),
    ] {
        assert_eq!(link_target(page, link).as_deref(), file, "{page} → {link}");
    }
    let (_guard, root) = copy_example();
    let output = root.join("public");
    assert_eq!(build(&root, &output, &[]).status.code(), Some(0));
    assert_links_resolve(&output, "/");
}

/// Every link of every page of `output` leads to a file of `output`, and only `404.html` links
/// from the root (through `base_path`).
fn assert_links_resolve(output: &std::path::Path, base_path: &str) {
    let tree = read_tree(output);
    let mut broken = Vec::new();
    let mut from_root = Vec::new();
    let mut checked = 0;
    for (path, bytes) in &tree {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for link in links(&html) {
            // Only the page served for any missing address links from the root.
            if link.starts_with('/') && !link.starts_with("//") && path != "404.html" {
                from_root.push(format!("{path} → {link}"));
            }
            let in_site = match link.strip_prefix(base_path) {
                Some(rest) if link.starts_with('/') => format!("/{rest}"),
                _ => link.to_owned(),
            };
            let Some(file) = link_target(path, &in_site) else {
                continue;
            };
            checked += 1;
            if !tree.contains_key(&file) {
                broken.push(format!("{path} → {link}"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(
        from_root.is_empty(),
        "links from the root:\n{}",
        from_root.join("\n")
    );
    assert!(checked > 1000, "only {checked} links checked");
}

#[test]
fn a_base_url_with_a_path_prefixes_every_link() {
    let (_guard, root) = copy_example();
    let output = root.join("public");
    let result = build(
        &root,
        &output,
        &["--base-url", "https://example.org/shared-learning/"],
    );
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    // Pages link relatively, so they do not name the base path; the page a host serves for
    // any missing address links from the root, through the base path.
    assert_links_resolve(&output, "/shared-learning/");
    let not_found = page(&output, "404.html");
    let from_root: Vec<&str> = links(&not_found)
        .into_iter()
        .filter(|l| l.starts_with('/'))
        .collect();
    assert!(!from_root.is_empty());
    for link in from_root {
        assert!(
            link.starts_with("/shared-learning/"),
            "unprefixed link {link}"
        );
    }
    assert!(
        page(&output, "sitemap.xml").contains("https://example.org/shared-learning/case-studies/")
    );
    assert!(
        page(&output, "feed.xml").contains("https://example.org/shared-learning/case-studies/")
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let (_guard, root) = copy_example();
    assert_eq!(build(&root, &root.join("one"), &[]).status.code(), Some(0));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args([
            "build",
            "--quiet",
            "--root",
            root.to_str().unwrap(),
            "--output",
            root.join("two").to_str().unwrap(),
        ])
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let one = read_tree(&root.join("one"));
    let two = read_tree(&root.join("two"));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one {
        assert!(bytes == &two[path], "{path} differs between builds");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let (_guard, root) = copy_example();
    let output = root.join("public");
    assert_eq!(build(&root, &output, &[]).status.code(), Some(0));
    let before = read_tree(&output);
    std::fs::write(
        root.join("content/case-studies/broken.md"),
        "---\ntitle: Broken\n\tsummary: tab\n---\n",
    )
    .unwrap();
    let result = build(&root, &output, &[]);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("E003"));
    assert_eq!(
        read_tree(&output),
        before,
        "the output changed after a failed build"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("casebook-") && name != ".public.casebook-lock")
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
}

#[test]
fn a_broken_template_override_is_a_diagnostic_and_writes_nothing() {
    let (_guard, root) = copy_example();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}{{ oops( }}{% endblock content %}",
    )
    .unwrap();
    let output = root.join("public");
    let result = build(&root, &output, &[]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("E014") && stderr.contains("templates/404.html"),
        "{stderr}"
    );
    assert!(!output.exists());
}

#[test]
fn a_template_override_replaces_the_theme_file() {
    let (_guard, root) = copy_example();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/404.html"),
        "<!doctype html><title>Lost</title><p>Custom not-found page</p>",
    )
    .unwrap();
    let output = root.join("public");
    assert_eq!(build(&root, &output, &[]).status.code(), Some(0));
    assert!(page(&output, "404.html").contains("Custom not-found page"));
}

#[test]
fn hostile_content_comes_out_inert() {
    let (_guard, root) = copy_to_temp(&fixture("bad/quoted_year_as_at"));
    let file = std::fs::read_dir(root.join("content/case-studies"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text.replacen(
        "title:",
        "title: \"<script>alert('t')</script> Evil\"\nx_title:",
        1,
    );
    let text = format!(
        "{text}\n<script>alert('b')</script>\n\n[click](javascript:alert('l')) <img src=x onerror=alert(1)>\n"
    );
    std::fs::write(&file, text).unwrap();
    let output = root.join("public");
    let result = build(&root, &output, &[]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for (path, bytes) in read_tree(&output) {
        if path.ends_with(".html") {
            let html = String::from_utf8_lossy(&bytes);
            assert!(!html.contains("<script>alert"), "{path} has a live script");
            assert!(
                !html.contains("javascript:alert"),
                "{path} has a javascript: link"
            );
            assert!(!html.contains("<img src=x onerror"), "{path} has raw HTML");
        }
    }
}

#[test]
fn drafts_are_published_only_with_the_flag() {
    let (_guard, root) = copy_to_temp(&fixture("bad/link_to_draft"));
    let output = root.join("public");
    let result = build(&root, &output, &[]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let drafts: Vec<String> = read_tree(&output)
        .keys()
        .filter(|p| p.contains("draft"))
        .cloned()
        .collect();
    assert!(drafts.is_empty(), "drafts published: {drafts:?}");
    // The published page's link to the draft is plain text without it, a link with it.
    let linking = "case-studies/published-page/index.html";
    let html = page(&output, linking);
    assert!(html.contains("See also\nthe new scheme for"), "{html}");
    assert!(!html.contains("draft-page/\">the new scheme"), "{html}");
    let with = root.join("with-drafts");
    assert_eq!(build(&root, &with, &["--drafts"]).status.code(), Some(0));
    assert!(read_tree(&with).len() > read_tree(&output).len());
    let html = page(&with, linking);
    assert!(html.contains("draft-page/\">the new scheme</a>"), "{html}");
}

#[test]
fn a_case_study_page_weighs_under_50_kb_with_its_css() {
    let (_guard, root) = copy_example();
    let output = root.join("public");
    assert_eq!(build(&root, &output, &[]).status.code(), Some(0));
    let html = page(
        &output,
        "case-studies/southampton-care-home-manager-leadership-programme/index.html",
    );
    let mut weight = html.len();
    for part in html
        .split("href=\"")
        .skip(1)
        .chain(html.split("src=\"").skip(1))
    {
        let href = part.split('"').next().unwrap();
        if href.ends_with(".css") || href.ends_with(".js") {
            let file = link_target(
                "case-studies/southampton-care-home-manager-leadership-programme/index.html",
                href,
            )
            .expect("a file of the site");
            weight += std::fs::metadata(output.join(file)).unwrap().len() as usize;
        }
    }
    assert!(weight < 50 * 1024, "case-study page weighs {weight} bytes");
}

#[test]
fn only_pages_with_code_load_the_code_stylesheet() {
    let (_guard, root) = copy_example();
    let file = root.join("content/case-studies/stockton-leadership-and-peer-support-network.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        format!("{text}\n```sql\nSELECT count(*) FROM homes;\n```\n"),
    )
    .unwrap();
    let output = root.join("public");
    assert_eq!(build(&root, &output, &[]).status.code(), Some(0));
    assert!(
        page(
            &output,
            "case-studies/stockton-leadership-and-peer-support-network/index.html"
        )
        .contains("code.css")
    );
    assert!(
        !page(
            &output,
            "case-studies/southampton-care-home-manager-leadership-programme/index.html"
        )
        .contains("code.css")
    );
    assert!(page(&output, "css/code.css").contains(".hl-"));
}

#[test]
fn static_files_are_copied_and_links_out_of_the_site_are_not_followed() {
    let (guard, root) = copy_example();
    std::fs::create_dir_all(root.join("static/files")).unwrap();
    std::fs::write(root.join("static/files/guide.pdf"), b"%PDF-1.4 guide").unwrap();
    let outside = guard.path().join("secret.txt");
    std::fs::write(&outside, "not for publishing").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, root.join("static/files/secret.txt")).unwrap();
    let output = root.join("public");
    let result = build(&root, &output, &[]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert_eq!(
        std::fs::read(output.join("files/guide.pdf")).unwrap(),
        b"%PDF-1.4 guide"
    );
    #[cfg(unix)]
    {
        assert!(
            !output.join("files/secret.txt").exists(),
            "a link out of the site was followed"
        );
        assert!(
            String::from_utf8_lossy(&result.stderr).contains("W104"),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
}

/// The `<main>` element of a page, the part a theme change or a render change shows in.
fn main_element(html: &str) -> String {
    let start = html.find("<main").expect("a <main> element");
    let end = html.find("</main>").expect("the end of <main>") + "</main>".len();
    html[start..end].to_owned()
}

#[test]
fn snapshots_of_every_page_type_of_the_example() {
    let (_guard, root) = copy_example();
    let output = root.join("public");
    assert_eq!(build(&root, &output, &[]).status.code(), Some(0));
    for (name, path) in [
        ("home", "index.html"),
        (
            "case_study",
            "case-studies/southampton-care-home-manager-leadership-programme/index.html",
        ),
        ("case_study_list", "case-studies/index.html"),
        (
            "programme",
            "programmes/well-led-stockton-on-tees/index.html",
        ),
        ("module", "modules/well-led-leading-team/index.html"),
        ("cohort", "cohorts/well-led-cohort-1/index.html"),
        (
            "organisation",
            "organisations/southampton-city-ccg/index.html",
        ),
        ("dataset", "data/well-led-overall-ratings/index.html"),
        ("page", "about/index.html"),
        ("taxonomy", "topics/index.html"),
        ("term", "key-questions/well-led/index.html"),
        ("outcomes", "outcomes/index.html"),
        ("not_found", "404.html"),
    ] {
        insta::assert_snapshot!(format!("page_{name}"), main_element(&page(&output, path)));
    }
}

#[test]
fn a_site_theme_folder_replaces_the_built_in_theme() {
    let (_guard, root) = copy_example();
    let theme = root.join("themes/plain");
    crate::harness::copy_dir(&crate::harness::repo_root().join("themes/default"), &theme);
    std::fs::write(
        theme.join("templates/404.html"),
        "<!doctype html><title>Plain</title><p>Plain theme's not-found page</p>",
    )
    .unwrap();
    std::fs::write(root.join("casebook.yaml"), "theme: plain\n").unwrap();
    let output = root.join("public");
    assert_eq!(build(&root, &output, &[]).status.code(), Some(0));
    assert!(page(&output, "404.html").contains("Plain theme's not-found page"));
    std::fs::write(root.join("casebook.yaml"), "theme: missing\n").unwrap();
    let result = build(&root, &output, &[]);
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("theme `missing` not found"));
}

#[test]
fn a_piped_build_prints_a_summary_and_no_progress() {
    let (_guard, root) = copy_example();
    let output = root.join("public");
    let result = casebook(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("built 19 pages") && stderr.contains("index.html"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\r'),
        "progress written to a pipe: {stderr:?}"
    );
}

/// A site of `count` minimal case studies, published on distinct days.
fn many_case_studies(count: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("site");
    let folder = root.join("content/case-studies");
    std::fs::create_dir_all(&folder).unwrap();
    for i in 0..count {
        let text = format!(
            "---\ntitle: Case study number {i}\nsummary: One of many.\npublished: {}-{:02}-{:02}\n\
             organisations:\n  - {{name: Example Council, org_type: local-authority}}\n\
             care_settings: [care-home]\n---\n\nBody.\n",
            2000 + i / 336,
            1 + (i / 28) % 12,
            1 + i % 28
        );
        std::fs::write(folder.join(format!("case-study-{i:04}.md")), text).unwrap();
    }
    (temp, root)
}

#[test]
fn pagination_shows_a_window_and_rel_links_whatever_the_list_length() {
    let (temp, root) = many_case_studies(500);
    let output = temp.path().join("out");
    assert_eq!(build(&root, &output, &[]).status.code(), Some(0));
    let page = |n: usize| {
        let path = if n == 1 {
            output.join("case-studies/index.html")
        } else {
            output.join(format!("case-studies/page/{n}/index.html"))
        };
        std::fs::read_to_string(path).unwrap()
    };
    // 500 cards, 25 a page: 20 pages. Page 10 links 1, 8 to 12 and 20, with two gaps.
    let middle = page(10);
    let numbers: Vec<&str> = middle
        .split("<span class=\"visually-hidden\">Page </span>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap())
        .collect();
    assert_eq!(numbers, ["1", "8", "9", "10", "11", "12", "20"]);
    assert_eq!(middle.matches("pagination__item--gap").count(), 2);
    assert!(middle.contains("<link rel=\"prev\" href=\"../../../case-studies/page/9/\">"));
    assert!(middle.contains("<link rel=\"next\" href=\"../../../case-studies/page/11/\">"));
    let first = page(1);
    assert!(!first.contains("rel=\"prev\""));
    assert!(first.contains("<link rel=\"next\""));
    assert!(!page(20).contains("rel=\"next\""));
}

/// Checks `xml` is an Atom feed as RFC 4287 requires: the Atom namespace; `id`, `title` and
/// `updated` on the feed and every entry; an author on every entry (there is none on the
/// feed); a `link` on every entry; dates in RFC 3339. Returns the entries' titles.
fn atom_entries(xml: &str, self_url: &str) -> Vec<String> {
    const ATOM: &str = "http://www.w3.org/2005/Atom";
    let document = roxmltree::Document::parse(xml).expect("well-formed XML");
    let feed = document.root_element();
    assert_eq!(feed.tag_name().namespace(), Some(ATOM));
    assert_eq!(feed.tag_name().name(), "feed");
    fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
        node.children()
            .find(|n| n.tag_name().name() == name && n.tag_name().namespace() == Some(ATOM))
    }
    let is_date =
        |text: &str| text.len() == 20 && text.ends_with("T00:00:00Z") && text.as_bytes()[4] == b'-';
    for name in ["id", "title", "updated"] {
        assert!(child(feed, name).is_some(), "feed without <{name}>");
    }
    assert!(is_date(child(feed, "updated").unwrap().text().unwrap()));
    let own = feed
        .children()
        .find(|n| n.tag_name().name() == "link" && n.attribute("rel") == Some("self"))
        .expect("a self link");
    assert_eq!(own.attribute("href"), Some(self_url));
    let entries: Vec<_> = feed
        .children()
        .filter(|n| n.tag_name().name() == "entry")
        .collect();
    assert!(entries.len() <= 20);
    entries
        .iter()
        .map(|entry| {
            for name in ["id", "title", "updated", "link", "author"] {
                assert!(child(*entry, name).is_some(), "entry without <{name}>");
            }
            assert!(
                child(*entry, "author")
                    .and_then(|a| child(a, "name"))
                    .is_some()
            );
            assert!(is_date(child(*entry, "updated").unwrap().text().unwrap()));
            child(*entry, "title")
                .unwrap()
                .text()
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

#[test]
fn every_term_programme_and_organisation_has_a_valid_atom_feed() {
    let (temp, root) = copy_example();
    let output = temp.path().join("out");
    let built = build(&root, &output, &["--base-url", "https://example.org/sl/"]);
    assert_eq!(built.status.code(), Some(0));
    let southampton = "A leadership programme for nursing home managers in Southampton";
    let stockton =
        "A leadership and peer support network for care home managers in Stockton-on-Tees";
    for (folder, expected) in [
        ("topics/leadership", vec![southampton, stockton]),
        ("regions/south-east", vec![southampton]),
        ("settings/care-home-with-nursing", vec![southampton]),
        ("key-questions/well-led", vec![southampton, stockton]),
        ("programmes/well-led-stockton-on-tees", vec![stockton]),
        ("organisations/southampton-city-ccg", vec![southampton]),
    ] {
        let xml = std::fs::read_to_string(output.join(folder).join("feed.xml"))
            .unwrap_or_else(|_| panic!("no feed for {folder}"));
        let titles = atom_entries(&xml, &format!("https://example.org/sl/{folder}/feed.xml"));
        for title in &expected {
            assert!(titles.iter().any(|t| t == title), "{folder}: {titles:?}");
        }
        let page = std::fs::read_to_string(output.join(folder).join("index.html")).unwrap();
        assert!(
            page.contains("<link rel=\"alternate\" type=\"application/atom+xml\"")
                && page.contains(&format!("/{folder}/feed.xml\">")),
            "{folder} does not announce its feed"
        );
    }
    // Built twice, the feeds are the same bytes: their dates come from the content.
    let again = temp.path().join("again");
    build(&root, &again, &["--base-url", "https://example.org/sl/"]);
    for folder in ["topics/leadership", "organisations/southampton-city-ccg"] {
        assert_eq!(
            std::fs::read(output.join(folder).join("feed.xml")).unwrap(),
            std::fs::read(again.join(folder).join("feed.xml")).unwrap()
        );
    }
    atom_entries(
        &std::fs::read_to_string(output.join("feed.xml")).unwrap(),
        "https://example.org/sl/feed.xml",
    );
}

#[test]
fn an_organisation_page_shows_its_newest_pages_and_links_the_rest() {
    let (temp, root) = many_case_studies(30);
    let folder = root.join("content/case-studies");
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap().replace(
            "{name: Example Council, org_type: local-authority}",
            "{name: Example Council, org_type: local-authority, slug: example-council, role: lead}",
        );
        std::fs::write(&path, text).unwrap();
    }
    std::fs::create_dir_all(root.join("content/organisations")).unwrap();
    std::fs::write(
        root.join("content/organisations/example-council.md"),
        "---\nname: Example Council\norg_type: local-authority\npublished: 2025-01-20\n---\n\nA council.\n",
    )
    .unwrap();
    let output = temp.path().join("out");
    let built = build(&root, &output, &[]);
    assert_eq!(
        built.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let page =
        std::fs::read_to_string(output.join("organisations/example-council/index.html")).unwrap();
    let led = page.split("id=\"section-led\"").nth(1).unwrap();
    assert_eq!(led.matches("class=\"card__title\"").count(), 12, "{led}");
    assert!(led.contains("The newest 12 of 30."));
    assert!(led.contains("search/?organisation=example-council"));
    // Newest first: case study 29 was published last.
    let first = led.find("Case study number 29").unwrap();
    assert!(first < led.find("Case study number 28").unwrap());
    assert!(!led.contains("Case study number 17<"));
}

/// The JSON-LD block of a page, parsed.
fn json_ld(html: &str) -> Option<serde_json::Value> {
    let start = html.find("<script type=\"application/ld+json\">")?;
    let rest = &html[start..];
    let body = &rest[rest.find('>')? + 1..rest.find("</script>")?];
    Some(serde_json::from_str(body).expect("JSON-LD parses"))
}

fn meta(html: &str, attribute: &str, name: &str) -> Option<String> {
    let marker = format!("<meta {attribute}=\"{name}\" content=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..start + html[start..].find('"')?].to_owned())
}

#[test]
fn pages_carry_sharing_tags_and_structured_data_with_the_required_properties() {
    let (temp, root) = copy_example();
    let output = temp.path().join("out");
    let built = build(&root, &output, &["--base-url", "https://example.org/sl/"]);
    assert_eq!(built.status.code(), Some(0));
    let read = |path: &str| std::fs::read_to_string(output.join(path)).unwrap();
    let cases = [
        (
            "case-studies/southampton-care-home-manager-leadership-programme/index.html",
            "Article",
            &[
                "headline",
                "author",
                "datePublished",
                "image",
                "publisher",
                "url",
            ][..],
        ),
        (
            "programmes/well-led-stockton-on-tees/index.html",
            "Course",
            &["name", "description", "provider", "url"][..],
        ),
        (
            "modules/well-led-managing-self/index.html",
            "Course",
            &["name", "description", "provider", "isPartOf"][..],
        ),
        (
            "cohorts/well-led-cohort-1/index.html",
            "CourseInstance",
            &["name", "url"][..],
        ),
        (
            "organisations/southampton-city-ccg/index.html",
            "Organization",
            &["name", "url"][..],
        ),
        (
            "data/well-led-overall-ratings/index.html",
            "Dataset",
            &["name", "description", "creator", "url"][..],
        ),
        (
            "outcomes/index.html",
            "Dataset",
            &["name", "description", "distribution"][..],
        ),
        ("index.html", "WebSite", &["name", "url"][..]),
    ];
    for (path, kind, required) in cases {
        let html = read(path);
        let data = json_ld(&html).unwrap_or_else(|| panic!("{path}: no JSON-LD"));
        assert_eq!(data["@context"], "https://schema.org", "{path}");
        assert_eq!(data["@type"], kind, "{path}");
        for property in required {
            assert!(
                !data[*property].is_null(),
                "{path}: no {property} in {data}"
            );
        }
        let url = meta(&html, "property", "og:url").unwrap_or_else(|| panic!("{path}: og:url"));
        assert!(url.starts_with("https://example.org/sl/"), "{path}: {url}");
        assert!(meta(&html, "property", "og:title").is_some_and(|t| !t.is_empty()));
        // Pages with outcomes (the case study and the programme here) share a generated
        // image beside them; the others the site's default image.
        let folder = path.trim_end_matches("index.html");
        let generated = path.starts_with("case-studies/") || path.starts_with("programmes/");
        assert_eq!(
            output.join(folder).join("share.png").is_file(),
            generated,
            "{path}"
        );
        let image = if generated {
            format!("https://example.org/sl/{folder}share.png")
        } else {
            "https://example.org/sl/images/share.png".to_owned()
        };
        assert_eq!(
            meta(&html, "property", "og:image").as_deref(),
            Some(image.as_str()),
            "{path}"
        );
        let size = meta(&html, "property", "og:image:width").zip(meta(
            &html,
            "property",
            "og:image:height",
        ));
        if generated {
            assert_eq!(size, Some(("1200".into(), "630".into())), "{path}");
            assert_eq!(data["image"], image.as_str(), "{path}");
        } else {
            assert_eq!(size, None, "{path}");
        }
        assert!(meta(&html, "property", "og:image:alt").is_some());
        assert_eq!(
            meta(&html, "name", "twitter:card").as_deref(),
            Some("summary_large_image")
        );
    }
    let article = json_ld(&read(cases[0].0)).unwrap();
    assert_eq!(article["author"][0]["name"], "Southampton City CCG");
    // The generated image decodes at 1200 x 630, and its alternative text says what it shows.
    let card = std::fs::read(
        output.join("case-studies/southampton-care-home-manager-leadership-programme/share.png"),
    )
    .unwrap();
    let decoded = png::Decoder::new(std::io::Cursor::new(&card[..]))
        .read_info()
        .unwrap();
    let info = decoded.info();
    assert_eq!((info.width, info.height), (1200, 630));
    let alt = meta(&read(cases[0].0), "property", "og:image:alt").unwrap();
    assert!(
        alt.starts_with("A leadership programme for nursing home managers in Southampton. "),
        "{alt}"
    );
    // The default image ships with the theme: a 1200 x 630 PNG.
    let image = std::fs::read(output.join("images/share.png")).unwrap();
    assert_eq!(&image[..8], b"\x89PNG\r\n\x1a\n");
    let size = |at: usize| u32::from_be_bytes(image[at..at + 4].try_into().unwrap());
    assert_eq!((size(16), size(20)), (1200, 630));

    // A site's own static/images/share.png replaces the theme's.
    std::fs::create_dir_all(root.join("static/images")).unwrap();
    std::fs::write(root.join("static/images/share.png"), b"our own image").unwrap();
    let own = temp.path().join("own");
    build(&root, &own, &["--base-url", "https://example.org/sl/"]);
    assert_eq!(
        std::fs::read(own.join("images/share.png")).unwrap(),
        b"our own image"
    );
    std::fs::remove_file(root.join("static/images/share.png")).unwrap();

    // Without an origin in base_url, no tag claims a relative address is whole.
    let plain = temp.path().join("plain");
    build(&root, &plain, &[]);
    let html = std::fs::read_to_string(plain.join(cases[0].0)).unwrap();
    assert!(meta(&html, "property", "og:title").is_some());
    assert!(meta(&html, "property", "og:url").is_none());
    assert!(json_ld(&html).is_none());
}

#[test]
fn share_images_are_cached_so_a_warm_build_rasterises_none() {
    let (_guard, root) = copy_example();
    let run = |out: &str| {
        let options = casebook::BuildOptions {
            root: root.clone(),
            output: Some(root.join(out)),
            ..Default::default()
        };
        casebook::build(&options, &|_| {})
            .unwrap_or_else(|_| panic!("{out} builds"))
            .share_images_rasterised
    };
    let card = "case-studies/southampton-care-home-manager-leadership-programme/share.png";
    let pixels = |out: &str| {
        let bytes = std::fs::read(root.join(out).join(card)).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        buf
    };
    // The case study and the programme have outcomes.
    assert_eq!(run("cold"), 2);
    let cache = root.join(".casebook/cache/share");
    assert!(cache.is_dir());
    assert_eq!(run("warm"), 0, "a warm build rasterised again");
    let cold = read_tree(&root.join("cold"));
    assert_eq!(cold, read_tree(&root.join("warm")));
    // Both builds hard-linked the cache's read-only file rather than write its bytes.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let warm = std::fs::metadata(root.join("warm").join(card)).unwrap();
        let cold = std::fs::metadata(root.join("cold").join(card)).unwrap();
        assert_eq!(warm.ino(), cold.ino());
        assert!(warm.nlink() >= 3, "the cache's file and two outputs");
        assert!(warm.permissions().readonly());
    }
    // Rasterised afresh, an image is the same bytes as the cached one; the outputs that
    // linked the old cache's files still hold them.
    std::fs::remove_dir_all(&cache).unwrap();
    assert_eq!(cold, read_tree(&root.join("cold")));
    assert_eq!(run("again"), 2);
    assert_eq!(cold, read_tree(&root.join("again")));

    // A new title is a new card: only that page's image is rasterised, and its pixels change.
    let file =
        root.join("content/case-studies/southampton-care-home-manager-leadership-programme.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen(
            "title: A leadership programme for nursing home managers in Southampton",
            "title: Managers in Southampton learn to lead",
            1,
        ),
    )
    .unwrap();
    assert_eq!(run("retitled"), 1);
    assert_ne!(pixels("cold"), pixels("retitled"));

    // `share_images: false`: none is made, and pages with outcomes share the default image.
    std::fs::write(
        root.join("casebook.yaml"),
        "title: Shared learning\nbase_url: https://example.org/\nshare_images: false\n",
    )
    .unwrap();
    assert_eq!(run("without"), 0);
    assert!(!root.join("without").join(card).exists());
    let html = std::fs::read_to_string(root.join(
        "without/case-studies/southampton-care-home-manager-leadership-programme/index.html",
    ))
    .unwrap();
    assert_eq!(
        meta(&html, "property", "og:image").as_deref(),
        Some("https://example.org/images/share.png")
    );
}
