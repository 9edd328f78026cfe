//! The bundled example site.

use crate::harness::repo_root;

#[test]
fn bundled_example_checks_with_no_diagnostics() {
    let checked = casebook::check(&repo_root()).expect("example loads");
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    assert!(checked.site.pages.len() >= 15);
}
