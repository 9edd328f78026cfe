//! Snapshots of what editors and tools read: the human and JSON diagnostics of a site with
//! several broken files.

use casebook::diagnostics::{Colour, render_human, to_json};

use crate::harness::fixture;

#[test]
fn human_diagnostics() {
    let checked = casebook::check(&fixture("bad/several_broken_files")).unwrap();
    let text = render_human(
        &checked.diagnostics,
        |file| checked.source_text(file),
        Colour::Never,
    );
    insta::assert_snapshot!(text);
}

#[test]
fn json_diagnostics() {
    let checked = casebook::check(&fixture("bad/duplicate_slug_across_files")).unwrap();
    insta::assert_snapshot!(to_json(&checked.diagnostics));
}

#[test]
fn human_diagnostics_for_yaml_mistakes() {
    let mut text = String::new();
    for name in [
        "tab_indentation",
        "unquoted_colon_in_title",
        "duplicate_key",
        "misspelt_rating",
        "invalid_utf8",
    ] {
        let checked = casebook::check(&fixture("bad").join(name)).unwrap();
        text.push_str(&render_human(
            &checked.diagnostics,
            |file| checked.source_text(file),
            Colour::Never,
        ));
    }
    insta::assert_snapshot!(text);
}
