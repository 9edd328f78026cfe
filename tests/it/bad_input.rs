//! The bad-input suite: one fixture site per mistake an editor makes, each stating exactly the
//! diagnostics it must produce (`expected.json`: code, file, line, column).

use std::path::Path;

use casebook::diagnostics::Code;
use serde_json::Value;

use crate::harness::{casebook, copy_to_temp, fixture, positions, repo_root};

fn expected(dir: &Path) -> Vec<(String, String, u32, u32)> {
    let text = std::fs::read_to_string(dir.join("expected.json")).expect("expected.json");
    let value: Value = serde_json::from_str(&text).expect("expected.json is JSON");
    let mut list: Vec<_> = value
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().expect("code").to_owned(),
                d["file"].as_str().expect("file").to_owned(),
                d["line"].as_u64().expect("line") as u32,
                d["column"].as_u64().expect("column") as u32,
            )
        })
        .collect();
    list.sort_by(|a, b| (&a.1, a.2, a.3, &a.0).cmp(&(&b.1, b.2, b.3, &b.0)));
    list
}

/// Every folder of `tests/fixtures/bad/`, sorted.
fn bad_fixture_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(fixture("bad"))
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_fixture_reports_exactly_its_diagnostics() {
    let dirs = bad_fixture_dirs();
    assert!(
        dirs.len() >= 40,
        "expected the whole suite, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let checked = casebook::check(dir).expect("fixture loads");
        let got = positions(&checked.diagnostics);
        let want = expected(dir);
        if got != want {
            let messages: Vec<String> = checked
                .diagnostics
                .iter()
                .map(|d| {
                    format!(
                        "{} {}:{}:{} {}",
                        d.code, d.file, d.line, d.column, d.message
                    )
                })
                .collect();
            failures.push(format!(
                "{}:\n  want {want:?}\n  got  {got:?}\n  {}",
                dir.file_name().unwrap().to_string_lossy(),
                messages.join("\n  ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixtures differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn exit_code_follows_severity() {
    for name in [
        "tab_indentation",
        "distribution_sum_under_total",
        "quoted_year_as_at",
    ] {
        let dir = fixture("bad").join(name);
        let has_error = expected(&dir).iter().any(|d| d.0.starts_with('E'));
        let output = casebook(&["check", "--root", dir.to_str().unwrap()]);
        assert_eq!(
            output.status.code(),
            Some(if has_error { 1 } else { 0 }),
            "{name}"
        );
    }
}

#[test]
fn duplicate_slug_names_both_files() {
    let checked = casebook::check(&fixture("bad/duplicate_slug_across_files")).unwrap();
    let diagnostic = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::E009)
        .expect("E009");
    assert_eq!(diagnostic.related.len(), 1);
    assert_ne!(diagnostic.related[0].file, diagnostic.file);
}

#[test]
fn invalid_utf8_gives_the_byte_offset() {
    let checked = casebook::check(&fixture("bad/invalid_utf8")).unwrap();
    let diagnostic = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::E001)
        .expect("E001");
    assert!(diagnostic.byte_offset.is_some());
}

#[test]
fn hints_tell_the_fix() {
    let hint = |name: &str, code: Code| {
        let checked = casebook::check(&fixture("bad").join(name)).unwrap();
        checked
            .diagnostics
            .iter()
            .find(|d| d.code == code)
            .and_then(|d| d.hint.clone())
            .unwrap_or_default()
    };
    assert!(hint("date_non_iso", Code::E007).contains("YYYY-MM-DD"));
    assert!(hint("share_over_100", Code::E008).contains("relative-change"));
    assert!(hint("unquoted_colon_in_title", Code::E003).contains("quote"));
    assert!(hint("misspelt_rating", Code::E006).contains("did you mean `requires-improvement`?"));
    assert!(hint("unknown_field", Code::W101).contains("did you mean `summary`?"));
    assert!(hint("tab_indentation", Code::E003).contains("spaces"));
}

#[test]
fn a_five_megabyte_file_is_refused_quickly_at_the_default_limit() {
    let (_guard, site) = copy_to_temp(&fixture("bad/quoted_year_as_at"));
    let path = site.join("content/case-studies/huge-file.md");
    let mut text = String::from("---\ntitle: Huge\n---\n");
    while text.len() < 5 * 1024 * 1024 {
        text.push_str("A paragraph of text that goes on and on, as pasted from a report.\n\n");
    }
    std::fs::write(&path, text).unwrap();
    let checked = casebook::check(&site).unwrap();
    assert_eq!(
        positions(&checked.diagnostics),
        vec![(
            "E011".to_owned(),
            "content/case-studies/huge-file.md".to_owned(),
            1,
            1
        )]
    );
}

#[test]
fn a_file_at_the_limit_is_accepted() {
    let (_guard, site) = copy_to_temp(&fixture("bad/quoted_year_as_at"));
    std::fs::write(site.join("casebook.yaml"), "max_file_size: 2000\n").unwrap();
    let source = std::fs::read_dir(site.join("content/case-studies"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut text = std::fs::read_to_string(&source).unwrap();
    while text.len() < 2000 {
        text.push('x');
    }
    text.truncate(2000);
    std::fs::write(&source, &text).unwrap();
    let checked = casebook::check(&site).unwrap();
    assert!(
        checked.diagnostics.iter().all(|d| d.code != Code::E011),
        "{:?}",
        checked.diagnostics
    );
}

/// The message and hint of the one diagnostic with `code` in the fixture `name`.
fn words(name: &str, code: Code) -> (String, String) {
    let checked = casebook::check(&fixture("bad").join(name)).unwrap();
    let found: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .collect();
    assert_eq!(found.len(), 1, "{name}: {:?}", checked.diagnostics);
    (
        found[0].message.clone(),
        found[0].hint.clone().unwrap_or_default(),
    )
}

#[test]
fn yaml_syntax_errors_say_the_mistake_and_the_fix_for_that_field() {
    assert_eq!(
        words("unquoted_colon_in_lead_role", Code::E003),
        (
            "this value contains `: `, which YAML reads as the start of a new key".to_owned(),
            "quote the value: `lead_role: \"Deputy Chief Nurse: Quality\"`".to_owned()
        )
    );
    assert_eq!(
        words("unquoted_colon_in_title", Code::E003).1,
        "quote the value: `title: \"Well-Led: the programme\"`"
    );
    assert_eq!(
        words("unclosed_quote", Code::E003),
        (
            "the quote `\"` that starts this value is never closed".to_owned(),
            "end the value of `title` with a `\"` on the same line; inside `\"…\"` write a `\"` as `\\\"`".to_owned()
        )
    );
    assert_eq!(
        words("unclosed_bracket", Code::E003),
        (
            "the `[` opened here is never closed with `]`".to_owned(),
            "end the list of `topics` with `]` on the same line; quote an item that contains a comma or a bracket".to_owned()
        )
    );
    assert_eq!(
        words("field_indented_under_another", Code::E003),
        (
            "`topics:` is indented more than `nhs_region:`, so YAML reads it as part of that value"
                .to_owned(),
            "start `topics:` at the same column as `nhs_region:`".to_owned()
        )
    );
    assert_eq!(
        words("tab_indentation", Code::E003).0,
        "a tab in the indentation; YAML allows only spaces"
    );
}

#[test]
fn slugs_of_the_wrong_length_say_so_and_offer_one_that_fits() {
    assert_eq!(
        words("slug_too_long", Code::E006),
        (
            "the slug in `slug` is 84 characters long; a slug has at most 80".to_owned(),
            "shorten it, for example to `the-registered-managers-network-and-its-peer-support-programme-in-the-north-east`".to_owned()
        )
    );
    assert_eq!(
        words("slug_too_short", Code::E006).0,
        "the slug in `slug` is 2 characters long; a slug has at least 3"
    );
    assert_eq!(
        words("bad_slug_pattern", Code::E006),
        (
            "`Bad_Slug` is not a valid slug (in `slug`)".to_owned(),
            "slugs are lower-case letters, digits and single hyphens, such as `bad-slug`"
                .to_owned()
        )
    );
}

#[test]
fn a_date_in_another_form_is_offered_in_iso_or_both_readings_when_ambiguous() {
    assert_eq!(
        words("date_day_first", Code::E007),
        (
            "`published` is not an ISO date: `21/11/2026`".to_owned(),
            "write `published: 2026-11-21` (dates are YYYY-MM-DD)".to_owned()
        )
    );
    assert_eq!(
        words("date_non_iso", Code::E007),
        (
            "`published` is ambiguous: `03/04/2020` could be 3 April or 4 March".to_owned(),
            "write `published: 2020-04-03` for 3 April or `published: 2020-03-04` for 4 March (dates are YYYY-MM-DD)".to_owned()
        )
    );
}

#[test]
fn a_broken_body_link_suggests_the_nearest_page() {
    let checked = casebook::check(&fixture("bad/link_near_miss")).unwrap();
    let hints: Vec<(&str, &str)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.message.as_str(), d.hint.as_deref().unwrap_or_default()))
        .collect();
    assert_eq!(
        hints,
        [
            (
                "link to `/programme/safer-steps/`, a page that does not exist",
                "did you mean `/programmes/safer-steps/`?"
            ),
            (
                "link to `/programmes/safer-stpes/#results`, a page that does not exist",
                "did you mean `/programmes/safer-steps/`?"
            ),
            (
                "link to `/programmes/nothing-like-it/`, a page that does not exist",
                "check the address; pages live at /case-studies/<slug>/, /programmes/<slug>/ and so on, general pages at /<slug>/"
            ),
        ]
    );
}

#[test]
fn a_comma_that_split_a_value_in_braces_is_named_with_the_quoted_fix() {
    assert_eq!(
        words("comma_in_flow_value", Code::W101),
        (
            "`University of London)` is not a field: a comma inside `{…}` ended the value of `name`"
                .to_owned(),
            "quote the value: `name: \"My Home Life (City, University of London)\"`".to_owned()
        )
    );
    // A misspelt field after a value is still a misspelt field.
    assert_eq!(
        words("unknown_field", Code::W101).1,
        "did you mean `summary`?"
    );
}

/// `check` reads and parses the content a part at a time and keeps only the texts of the
/// files a diagnostic names. On every bad fixture, one file at a time gives the same
/// diagnostics and pages as all at once, every named file that loads keeps exactly its loaded
/// text (the link stage's too, read again), and no other text is kept.
#[test]
fn reading_in_parts_changes_nothing_and_keeps_only_named_texts() {
    let dirs = bad_fixture_dirs();
    let mut named_texts = 0;
    for dir in dirs {
        let options = |files_at_a_time| casebook::CheckOptions {
            files_at_a_time,
            ..casebook::CheckOptions::default()
        };
        let whole = casebook::check_with(&dir, &options(usize::MAX)).expect("fixture loads");
        let parts = casebook::check_with(&dir, &options(1)).expect("fixture loads");
        let name = dir.display();
        assert_eq!(
            casebook::diagnostics::to_json(&whole.diagnostics),
            casebook::diagnostics::to_json(&parts.diagnostics),
            "{name}"
        );
        let files = |checked: &casebook::Checked| -> Vec<(String, usize)> {
            checked
                .site
                .pages
                .iter()
                .map(|page| (page.file.clone(), page.links.len()))
                .collect()
        };
        assert_eq!(files(&whole), files(&parts), "{name}");
        assert_eq!(whole.files_read, parts.files_read, "{name}");

        let loaded = casebook::load::load(&dir, whole.config.max_file_size).expect("loads");
        let named: std::collections::BTreeSet<&str> =
            parts.diagnostics.iter().map(|d| d.file.as_str()).collect();
        assert_eq!(parts.files_read, loaded.sources.len(), "{name}");
        for source in &loaded.sources {
            let kept = parts.source_text(&source.path);
            if named.contains(source.path.as_str()) {
                assert_eq!(kept, Some(source.text.as_str()), "{name}: {}", source.path);
                named_texts += 1;
            } else {
                assert_eq!(
                    kept, None,
                    "{name}: {} is named by no diagnostic",
                    source.path
                );
            }
        }
    }
    assert!(named_texts > 50, "the fixtures name files: {named_texts}");
}

/// `casebook check` drops the bodies once their links are found: the pages are those of a
/// check that keeps them, links and all.
#[test]
fn a_check_without_bodies_finds_the_same_links() {
    for site in ["bad/link_near_miss", "bad/missing_link", "search-site"] {
        let dir = fixture(site);
        let with = casebook::check(&dir).expect("loads");
        let without = casebook::check_with(
            &dir,
            &casebook::CheckOptions {
                bodies: false,
                ..casebook::CheckOptions::default()
            },
        )
        .expect("loads");
        assert!(
            with.site.pages.iter().any(|p| !p.body.markdown.is_empty()),
            "{site} has bodies"
        );
        assert!(
            without
                .site
                .pages
                .iter()
                .all(|p| p.body.markdown.is_empty())
        );
        let links = |checked: &casebook::Checked| -> Vec<Vec<String>> {
            checked
                .site
                .pages
                .iter()
                .map(|p| {
                    p.links
                        .iter()
                        .map(|l| format!("{} {:?}", l.value, l.at))
                        .collect()
                })
                .collect()
        };
        assert_eq!(links(&with), links(&without), "{site}");
        assert_eq!(
            casebook::diagnostics::to_json(&with.diagnostics),
            casebook::diagnostics::to_json(&without.diagnostics)
        );
    }
}

/// `casebook check` lets go of what only the render shows (outcomes, contacts, awards,
/// sources, summaries, organisations' names): on the example site, the outcome fixtures and every bad fixture it
/// reports the same diagnostics and keeps the same pages, slugs, links and images as a
/// check that keeps them, and its pages hold none of them.
#[test]
fn a_check_without_shown_fields_reports_the_same() {
    let mut dirs = bad_fixture_dirs();
    dirs.extend([repo_root(), fixture("outcomes"), fixture("ratings")]);
    let (mut outcomes_kept, mut names_kept) = (0, 0);
    for dir in dirs {
        let options = |shown| casebook::CheckOptions {
            bodies: false,
            shown,
            ..casebook::CheckOptions::default()
        };
        let with = casebook::check_with(&dir, &options(true)).expect("loads");
        let without = casebook::check_with(&dir, &options(false)).expect("loads");
        let name = dir.display();
        assert_eq!(
            casebook::diagnostics::to_json(&with.diagnostics),
            casebook::diagnostics::to_json(&without.diagnostics),
            "{name}"
        );
        let linked = |checked: &casebook::Checked| -> Vec<String> {
            checked
                .site
                .pages
                .iter()
                .map(|p| format!("{} {:?} {:?} {:?}", p.file, p.slug, p.links, p.images))
                .collect()
        };
        assert_eq!(linked(&with), linked(&without), "{name}");
        assert_eq!(
            format!("{:?}", with.site.relations),
            format!("{:?}", without.site.relations),
            "{name}"
        );
        for page in &with.site.pages {
            outcomes_kept += page.outcomes_with_source().map_or(0, |(o, _)| o.len());
            if let casebook::model::content::Details::CaseStudy(case) = &page.details {
                names_kept += case.organisations.len();
            }
        }
        for page in &without.site.pages {
            assert!(page.summary.is_none(), "{name}: {}", page.file);
            if let Some((outcomes, source)) = page.outcomes_with_source() {
                assert!(
                    outcomes.is_empty() && source.is_none(),
                    "{name}: {}",
                    page.file
                );
            }
            if let casebook::model::content::Details::CaseStudy(case) = &page.details {
                assert!(case.lead_role.is_none(), "{name}: {}", page.file);
                assert!(
                    case.organisations.iter().all(|o| o.name.is_empty()),
                    "{name}: {}",
                    page.file
                );
            }
        }
    }
    assert!(
        outcomes_kept > 20,
        "the sites state outcomes: {outcomes_kept}"
    );
    assert!(
        names_kept > 10,
        "the case studies name organisations: {names_kept}"
    );
}
