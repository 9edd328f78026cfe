//! General pages (`content/pages/`): menus, the slug rule, links, drafts, `casebook new page`
//! and the accessibility statement.

use std::path::Path;

use casebook::diagnostics::Code;
use casebook::model::ContentKind;

use crate::harness::{build, casebook, copy_example, positions};

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn page_file(title: &str, extra: &str) -> String {
    format!(
        "---\ntitle: {title}\nsummary: About {title}.\npublished: 2025-01-01\n{extra}---\n\nText.\n"
    )
}

/// The link texts of the list that starts with `start` in `html`, up to its `</ul>`.
fn list_texts(html: &str, start: &str) -> Vec<String> {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"));
    let list = &html[from..];
    let list = &list[..list.find("</ul>").unwrap()];
    list.split("\">")
        .skip(1)
        .filter_map(|piece| piece.split_once("</a>").map(|(text, _)| text.to_owned()))
        .collect()
}

fn html_files(output: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(output)
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.extension().is_some_and(|e| e == "html"))
        .collect()
}

fn built(root: &Path) -> std::path::PathBuf {
    let output = root.join("public");
    let result = build(root, &output, &["--base-url", "https://example.org/"]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    output
}

#[test]
fn header_and_footer_pages_are_linked_from_every_page_in_order() {
    let (_guard, root) = copy_example();
    std::fs::remove_dir_all(root.join("content/pages")).unwrap();
    write(
        &root,
        "content/pages/contact.md",
        &page_file("Contact", "menu: header\norder: 2\n"),
    );
    write(
        &root,
        "content/pages/team.md",
        &page_file("Our team", "menu: header\norder: 1\n"),
    );
    // No order: after the ordered ones; ties by title.
    write(
        &root,
        "content/pages/zebra.md",
        &page_file("Zebra", "menu: header\n"),
    );
    write(
        &root,
        "content/pages/apple.md",
        &page_file("Apple", "menu: header\n"),
    );
    write(
        &root,
        "content/pages/privacy.md",
        &page_file("Privacy", "menu: footer\norder: 1\n"),
    );
    write(
        &root,
        "content/pages/cookies.md",
        &page_file("Cookies", "menu: footer\norder: 5\n"),
    );
    write(
        &root,
        "content/pages/unlisted.md",
        &page_file("Unlisted", ""),
    );
    let output = built(&root);

    let files = html_files(&output);
    assert!(files.len() > 20, "{files:?}");
    for file in files {
        let html = std::fs::read_to_string(&file).unwrap();
        let shown = file.display();
        assert_eq!(
            list_texts(&html, "<ul class=\"container site-nav__list\">"),
            [
                "Case studies",
                "Programmes",
                "Organisations",
                "Topics",
                "Outcomes",
                "Our team",
                "Contact",
                "Apple",
                "Zebra"
            ],
            "{shown}"
        );
        let footer = list_texts(&html, "<ul class=\"site-footer__links\">");
        assert_eq!(
            footer[footer.len() - 2..],
            ["Privacy", "Cookies"],
            "{shown}"
        );
        assert!(!html.contains("Unlisted</a>"), "{shown}");
    }
    let unlisted = std::fs::read_to_string(output.join("unlisted/index.html")).unwrap();
    assert!(unlisted.contains("<h1 class=\"page-header__title\">Unlisted</h1>"));
    let sitemap = std::fs::read_to_string(output.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("/unlisted/</loc>"), "{sitemap}");
    assert!(!output.join("pages").exists(), "general pages have no list");
}

#[test]
fn navigation_in_the_config_wins_over_header_pages() {
    let (_guard, root) = copy_example();
    write(
        &root,
        "casebook.yaml",
        "navigation:\n  - {title: Stories, url: /case-studies/}\n",
    );
    let output = built(&root);
    let html = std::fs::read_to_string(output.join("index.html")).unwrap();
    assert_eq!(
        list_texts(&html, "<ul class=\"container site-nav__list\">"),
        ["Stories"]
    );
    // The footer still links the accessibility statement.
    let footer = list_texts(&html, "<ul class=\"site-footer__links\">");
    assert_eq!(
        footer.last().map(String::as_str),
        Some("Accessibility statement")
    );
}

#[test]
fn the_accessibility_statement_is_in_the_footer_without_a_menu() {
    let (_guard, root) = copy_example();
    let path = root.join("content/pages/accessibility.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("menu: footer\n"));
    std::fs::write(&path, text.replace("menu: footer\n", "")).unwrap();
    let output = built(&root);
    for page in ["index.html", "about/index.html", "accessibility/index.html"] {
        let html = std::fs::read_to_string(output.join(page)).unwrap();
        let footer = list_texts(&html, "<ul class=\"site-footer__links\">");
        assert!(
            footer.contains(&"Accessibility statement".to_owned()),
            "{page}: {footer:?}"
        );
    }
    let statement = std::fs::read_to_string(output.join("accessibility/index.html")).unwrap();
    assert!(statement.contains("\"@type\":\"WebPage\""), "{statement}");
    assert!(statement.contains("aria-current=\"page\">Accessibility statement</a>"));
}

#[test]
fn a_page_slug_that_is_a_site_folder_is_an_error_with_the_rule_and_a_suggestion() {
    let (_guard, root) = copy_example();
    write(&root, "content/pages/topics.md", &page_file("Topics", ""));
    write(
        &root,
        "content/pages/guide.md",
        &page_file("Guide", "slug: search\n"),
    );
    let checked = casebook::check(&root).unwrap();
    assert_eq!(
        positions(&checked.diagnostics),
        [
            ("E009".into(), "content/pages/guide.md".into(), 5, 7),
            ("E009".into(), "content/pages/topics.md".into(), 1, 1),
        ]
    );
    let topics = &checked.diagnostics[1];
    assert_eq!(
        topics.message,
        "the page slug `topics` is taken by the site's own folder /topics/, which holds the Topics pages"
    );
    let hint = topics.hint.as_deref().unwrap_or_default();
    assert!(
        hint.contains("must not be the name of one of the site's folders"),
        "{hint}"
    );
    assert!(hint.contains("`about-topics`"), "{hint}");
    assert!(checked.site.get(ContentKind::Page, "topics").is_none());
}

#[test]
fn a_page_linking_to_a_missing_case_study_is_e010() {
    let (_guard, root) = copy_example();
    write(
        &root,
        "content/pages/help.md",
        "---\ntitle: Help\nsummary: Help.\npublished: 2025-01-01\n---\n\nSee [the story](/case-studies/no-such-story/) and [about](/about/).\n",
    );
    let checked = casebook::check(&root).unwrap();
    assert_eq!(
        positions(&checked.diagnostics),
        [("E010".into(), "content/pages/help.md".into(), 7, 5)]
    );
    // A link to a general page that does not exist is one too.
    std::fs::remove_file(root.join("content/pages/about.md")).unwrap();
    let checked = casebook::check(&root).unwrap();
    assert_eq!(
        checked
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::E010)
            .count(),
        // The missing case study, and the about page the help page links.
        2
    );
}

#[test]
fn a_draft_page_is_not_built_nor_in_a_menu() {
    let (_guard, root) = copy_example();
    write(
        &root,
        "content/pages/soon.md",
        &page_file("Coming soon", "menu: header\ndraft: true\n"),
    );
    let output = built(&root);
    assert!(!output.join("soon").exists());
    let html = std::fs::read_to_string(output.join("index.html")).unwrap();
    assert!(!html.contains("Coming soon"));
}

#[test]
fn new_page_is_a_draft_that_passes_check() {
    let (_guard, root) = copy_example();
    let root_arg = root.to_str().unwrap();
    let output = casebook(&["new", "--root", root_arg, "page", "About us"]);
    assert_eq!(output.status.code(), Some(0));
    let text = std::fs::read_to_string(root.join("content/pages/about-us.md")).unwrap();
    assert!(text.contains("draft: true\n"), "{text}");
    let checked = casebook::check(&root).unwrap();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);

    // Published as it is, its skeleton text is W106.
    std::fs::write(
        root.join("content/pages/about-us.md"),
        text.replace("draft: true\n", ""),
    )
    .unwrap();
    let checked = casebook::check(&root).unwrap();
    let codes: Vec<(Code, u32)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.code, d.line))
        .collect();
    assert_eq!(codes, [(Code::W106, 3), (Code::W106, 9)]);

    let clash = casebook(&["new", "--root", root_arg, "page", "Search"]);
    assert_eq!(clash.status.code(), Some(2));
}

#[test]
fn new_accessibility_statement_passes_check_but_for_its_marks() {
    let (_guard, root) = copy_example();
    // The example's own statement, and its about page, which links the statement (a link to
    // the new draft would be W103).
    std::fs::remove_dir_all(root.join("content/pages")).unwrap();
    let root_arg = root.to_str().unwrap();
    let output = casebook(&["new", "--root", root_arg, "accessibility-statement"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let file = "content/pages/accessibility.md";
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    assert!(text.contains("menu: footer\n") && text.contains("draft: true\n"));
    for heading in [
        "## Using this website",
        "## How accessible this website is",
        "## Feedback and contact information",
        "## Enforcement procedure",
        "## Technical information about this website's accessibility",
        "### Compliance status",
        "## Non-accessible content",
        "## What we're doing to improve accessibility",
        "## Preparation of this accessibility statement",
    ] {
        assert!(text.contains(&format!("\n{heading}\n")), "{heading}");
    }
    assert!(text.contains(
        "tested with axe-core in Chromium on every page type at 1280 and 375 px, automated on every change"
    ));
    assert!(text.contains("WCAG 2.2 AA"));

    let checked = casebook::check(&root).unwrap();
    let at: Vec<(Code, u32, u32)> = checked
        .diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d.file, file);
            (d.code, d.line, d.column)
        })
        .collect();
    let w107 = |line, column| (Code::W107, line, column);
    assert_eq!(
        at,
        [
            w107(11, 25),
            w107(12, 14),
            w107(30, 37),
            w107(36, 10),
            w107(37, 3),
            w107(39, 22),
            w107(49, 1),
            w107(55, 69),
            w107(59, 1),
            w107(63, 1),
            w107(67, 32),
            w107(67, 124),
            w107(70, 27),
        ]
    );
    // Each position is a mark's `[`.
    let lines: Vec<&str> = text.lines().collect();
    for (_, line, column) in &at {
        let rest: String = lines[*line as usize - 1]
            .chars()
            .skip(*column as usize - 1)
            .collect();
        assert!(rest.starts_with("[TO FILL: "), "{line}:{column}: {rest}");
    }

    // Filled in and published, it is clean, and the footer links it.
    let filled: String = text
        .lines()
        .filter(|line| *line != "draft: true")
        .map(|line| {
            let mut line = line.to_owned();
            while let Some(start) = line.find("[TO FILL:") {
                let end = start + line[start..].find(']').unwrap();
                line.replace_range(start..=end, "Wigan Council");
            }
            line + "\n"
        })
        .collect();
    std::fs::write(root.join(file), filled).unwrap();
    let checked = casebook::check(&root).unwrap();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    let again = casebook(&["new", "--root", root_arg, "accessibility-statement"]);
    assert_eq!(again.status.code(), Some(2), "never overwrites");
}

#[test]
fn casebook_schema_knows_general_pages() {
    let (_guard, root) = copy_example();
    let out = root.join("schemas");
    let output = casebook(&[
        "schema",
        "--root",
        root.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("page.schema.json")).unwrap())
            .unwrap();
    let menu = &schema["properties"]["menu"];
    assert!(
        menu.to_string().contains("\"header\"") && menu.to_string().contains("\"footer\""),
        "{menu}"
    );
    let required = schema["required"].to_string();
    for field in ["title", "summary", "published"] {
        assert!(required.contains(field), "{required}");
    }
}
