//! Hostile and unlucky inputs an adversarial review found: file names that are not slugs,
//! symlinks inside `content/`, topics with nothing to make an address from, and unsafe links
//! in `casebook.yaml`. Each case fails if its fix is undone.

use std::path::Path;

use casebook::diagnostics::{Code, Diagnostic};

use crate::harness::{build, casebook};

fn case_study(title: &str, extra: &str) -> String {
    format!(
        "---\ntitle: {title}\nsummary: A page for a hostile-input test.\npublished: 2025-01-20\n\
         organisations:\n  - {{name: Example Council, org_type: local-authority}}\n\
         care_settings: [care-home]\n{extra}---\n\nBody.\n"
    )
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn of_code(diagnostics: &[Diagnostic], code: Code) -> Vec<&Diagnostic> {
    diagnostics.iter().filter(|d| d.code == code).collect()
}

#[test]
fn file_names_must_be_slugs() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let bad = [
        "<img src=x onerror=alert(1)>",
        "a\"b'c",
        "UPPER-Case",
        "x",
        "%2e%2e",
        "new\nline",
        "carriage\rreturn",
        "tab\tname",
        "with space",
    ];
    for (i, stem) in bad.iter().enumerate() {
        write(
            root,
            &format!("content/case-studies/{stem}.md"),
            &case_study(&format!("Page {i}"), ""),
        );
    }
    let long = "a".repeat(84);
    write(
        root,
        &format!("content/case-studies/{long}.md"),
        &case_study("Long", ""),
    );
    write(
        root,
        "content/case-studies/a-good-name.md",
        &case_study("Good", ""),
    );

    let checked = casebook::check(root).unwrap();
    let e016 = of_code(&checked.diagnostics, Code::E016);
    assert_eq!(e016.len(), bad.len() + 1, "{:#?}", checked.diagnostics);
    assert!(e016.iter().all(|d| !d.file.contains("a-good-name")));
    let hint_of = |stem: &str| {
        e016.iter()
            .find(|d| d.file == format!("content/case-studies/{stem}.md"))
            .and_then(|d| d.hint.clone())
            .unwrap_or_default()
    };
    assert!(hint_of("UPPER-Case").contains("`upper-case.md`"));
    assert!(hint_of("a\"b'c").contains("`a-b-c.md`"));
    assert!(hint_of("x").contains("such as"), "{}", hint_of("x"));
    let long_message = &e016
        .iter()
        .find(|d| d.file.contains(&long))
        .unwrap()
        .message;
    assert!(
        long_message.contains("84 characters long"),
        "{long_message}"
    );
    // The message shows a line break as `\n`, never as a raw one.
    let newline = e016.iter().find(|d| d.file.contains("new\nline")).unwrap();
    assert!(
        newline.message.contains("new\\nline"),
        "{}",
        newline.message
    );

    // The build refuses, so no raw newline reaches sitemap.xml.
    let output = temp.path().join("out");
    let result = build(root, &output, &[]);
    assert_eq!(result.status.code(), Some(1));
    assert!(!output.exists());
}

#[cfg(unix)]
#[test]
fn symlinks_in_content_are_read_inside_the_site_and_reported_outside_it() {
    use std::os::unix::fs::symlink;
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("site");
    write(
        &root,
        "drafts-folder/shared-page.md",
        &case_study("Linked from inside", ""),
    );
    write(
        temp.path(),
        "outside/secret-page.md",
        &case_study("Outside the site", ""),
    );
    std::fs::create_dir_all(root.join("content/case-studies")).unwrap();
    let links = root.join("content/case-studies");
    symlink(
        root.join("drafts-folder/shared-page.md"),
        links.join("shared-page.md"),
    )
    .unwrap();
    symlink(
        temp.path().join("outside/secret-page.md"),
        links.join("secret-page.md"),
    )
    .unwrap();
    symlink(root.join("nowhere.md"), links.join("broken-link.md")).unwrap();
    symlink(&links, links.join("loop")).unwrap();

    let checked = casebook::check(&root).unwrap();
    let titles: Vec<&str> = checked
        .site
        .pages
        .iter()
        .map(|p| p.title.as_str())
        .collect();
    assert_eq!(titles, ["Linked from inside"]);
    let mut skipped: Vec<&str> = of_code(&checked.diagnostics, Code::W105)
        .iter()
        .map(|d| d.file.as_str())
        .collect();
    skipped.sort_unstable();
    assert_eq!(
        skipped,
        [
            "content/case-studies/broken-link.md",
            "content/case-studies/loop",
            "content/case-studies/secret-page.md",
        ]
    );
}

#[test]
fn topics_need_a_letter_or_digit_and_other_scripts_get_pages() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    write(
        root,
        "content/case-studies/folded-away.md",
        &case_study("Folded away", "topics: [\"!!!\", \"..\", falls]\n"),
    );
    let checked = casebook::check(root).unwrap();
    let positions: Vec<(u32, u32)> = of_code(&checked.diagnostics, Code::E006)
        .iter()
        .map(|d| (d.line, d.column))
        .collect();
    assert_eq!(positions, [(8, 10), (8, 17)], "{:#?}", checked.diagnostics);

    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    write(
        root,
        "content/case-studies/other-scripts.md",
        &case_study(
            "Other scripts",
            "topics: [日本語, Ελληνικά, Café culture]\n",
        ),
    );
    let output = temp.path().join("out");
    let result = build(root, &output, &[]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for key in ["日本語", "ελληνικά", "cafe-culture"] {
        assert!(
            output.join("topics").join(key).join("index.html").is_file(),
            "no page for {key}"
        );
    }
    let sitemap = std::fs::read_to_string(output.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("/topics/%E6%97%A5%E6%9C%AC%E8%AA%9E/"),
        "{sitemap}"
    );
    assert!(sitemap.is_ascii());
}

#[test]
fn unsafe_links_in_the_config_are_refused() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    write(root, "content/case-studies/a-page.md", &case_study("A", ""));
    write(
        root,
        "casebook.yaml",
        "title: Test\nnavigation:\n  - {title: Home, url: /}\n  - {title: Click, url: \"javascript:alert(document.domain)\"}\n",
    );
    let output = temp.path().join("out");
    let result = build(root, &output, &[]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("casebook.yaml:4:"), "{stderr}");
    assert!(stderr.contains("`javascript:`"), "{stderr}");
    assert!(!output.exists());

    let flag = casebook(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--base-url",
        "javascript:alert(1)//",
    ]);
    assert_eq!(flag.status.code(), Some(2));
}

#[test]
fn lone_carriage_returns_are_line_ends() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let text = case_study("Saved by an old editor", "").replace('\n', "\r");
    write(root, "content/case-studies/old-editor.md", &text);
    let checked = casebook::check(root).unwrap();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    assert_eq!(checked.site.pages[0].title, "Saved by an old editor");
}
