//! The generated JSON Schemas agree with the checker: the example site's front matter is valid
//! against them, and each bad fixture the schema can express is invalid where the checker
//! reports an error. Validated with an independent draft 2020-12 validator (`jsonschema`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use casebook::model::ContentKind;
use casebook::schema::{SchemaSite, schema_for};
use serde_json::Value;

/// Fixtures whose error the schema cannot express, with the reason. Every other fixture with
/// an error must fail the schema, and every fixture without one must pass it.
const NOT_EXPRESSIBLE: &[(&str, &str)] = &[
    (
        "bad_slug_pattern",
        "the file name is checked, not the front matter",
    ),
    ("cohort_programme_mismatch", "a reference across files"),
    ("completed_over_enrolled", "compares two fields' numbers"),
    ("crlf_and_bom", "bytes of the file, before YAML"),
    (
        "dataset_bad_row",
        "row cells are typed by the dataset's own columns",
    ),
    ("date_31_february", "a calendar date that does not exist"),
    (
        "image_file_missing",
        "a file beside the page, not the front matter",
    ),
    ("image_not_an_image", "the bytes of an image file"),
    (
        "image_without_alt",
        "the Markdown body, which a schema does not see",
    ),
    ("distribution_sum_over_total", "adds up several fields"),
    (
        "duplicate_key",
        "a YAML error, shown by the editor's YAML parser",
    ),
    ("duplicate_slug_across_files", "a rule across files"),
    ("duplicate_slug_explicit", "a rule across files"),
    (
        "empty_front_matter",
        "the front matter is not YAML a schema sees",
    ),
    (
        "financial_year_wrong_span",
        "the second year of 2015/17 must follow the first",
    ),
    (
        "front_matter_is_list",
        "structure of the file, before the schema",
    ),
    (
        "front_matter_is_scalar",
        "structure of the file, before the schema",
    ),
    ("invalid_utf8", "bytes of the file, before YAML"),
    ("link_to_draft", "links in the Markdown body"),
    ("lone_cr_line_ends", "bytes of the file, before YAML"),
    ("missing_link", "links in the Markdown body"),
    (
        "misspelt_rating_key",
        "a misspelt rating is told from an unknown key (W101) by closeness",
    ),
    ("missing_organisation_reference", "a reference across files"),
    ("missing_reference", "a reference across files"),
    ("module_order_disagrees", "a rule across files"),
    ("module_order_duplicate", "a rule across files"),
    (
        "no_front_matter",
        "structure of the file, before the schema",
    ),
    ("numerator_over_denominator", "compares two fields' numbers"),
    ("oversize_file", "the file's size"),
    ("related_draft", "a reference across files"),
    (
        "relative_change_below_minus_100",
        "a limit on a number that depends on `kind`",
    ),
    (
        "share_over_100",
        "a limit on a number that depends on `kind`",
    ),
    ("share_value_disagrees", "compares three fields' numbers"),
    (
        "several_broken_files",
        "includes YAML syntax errors and file names",
    ),
    (
        "tab_indentation",
        "a YAML syntax error, shown by the editor's YAML parser",
    ),
    (
        "unquoted_colon_in_title",
        "a YAML syntax error, shown by the editor's YAML parser",
    ),
    (
        "unterminated_front_matter",
        "structure of the file, before the schema",
    ),
    ("yaml_alias_bomb", "a limit of the YAML reader"),
    ("yaml_deep_nesting", "a limit of the YAML reader"),
    ("field_indented_under_another", "a YAML syntax error"),
    ("link_near_miss", "links in the Markdown body"),
    (
        "link_to_unreadable_page",
        "a YAML syntax error, and a link across files",
    ),
    ("markdown_nested_too_deep", "the Markdown body"),
    (
        "share_whole_without_part",
        "a rule between fields (a whole needs a part or a per cent)",
    ),
    ("unclosed_bracket", "a YAML syntax error"),
    ("unclosed_quote", "a YAML syntax error"),
    ("unquoted_colon_in_lead_role", "a YAML syntax error"),
];

fn manifest(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn validators(root: &Path) -> BTreeMap<ContentKind, jsonschema::Validator> {
    let checked = casebook::check(root).expect("the site can be checked");
    let site = SchemaSite::from_checked(&checked);
    ContentKind::ALL
        .into_iter()
        .map(|kind| {
            let schema = schema_for(kind, &site);
            let validator = jsonschema::draft202012::new(&schema)
                .unwrap_or_else(|error| panic!("the {kind:?} schema is not valid: {error}"));
            (kind, validator)
        })
        .collect()
}

/// The front matter of a content file as JSON, or `None` when it is not YAML.
fn front_matter(kind: ContentKind, text: &str) -> Option<Value> {
    let yaml = if kind.has_body() {
        let rest = text.strip_prefix("---\n")?;
        let end = rest.find("\n---")?;
        &rest[..end + 1]
    } else {
        text
    };
    serde_yaml::from_str(yaml).ok()
}

/// Every schema error in the content files under `root`, as `file: error` lines.
fn schema_errors(root: &Path) -> Vec<String> {
    let validators = validators(root);
    let loaded = casebook::load::load(root, u64::MAX).expect("the content can be read");
    let mut errors = Vec::new();
    for source in &loaded.sources {
        let Some(value) = front_matter(source.kind, &source.text) else {
            continue;
        };
        for error in validators[&source.kind].iter_errors(&value) {
            errors.push(format!(
                "{}: {} at {}",
                source.path,
                error,
                error.instance_path()
            ));
        }
    }
    errors
}

#[test]
fn the_example_site_is_valid_against_its_schemas() {
    let errors = schema_errors(&manifest("."));
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn bad_fixtures_fail_the_schema_where_the_checker_reports_an_error() {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(manifest("tests/fixtures/bad"))
        .expect("the fixtures")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    let mut disagreements = Vec::new();
    for folder in &folders {
        let name = folder.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if NOT_EXPRESSIBLE.iter().any(|(skipped, _)| *skipped == name) {
            continue;
        }
        let checker_errors = casebook::check(folder)
            .expect("the fixture can be checked")
            .diagnostics
            .iter()
            .any(casebook::diagnostics::Diagnostic::is_error);
        let errors = schema_errors(folder);
        if checker_errors == errors.is_empty() {
            disagreements.push(format!(
                "{name}: the checker {} an error, the schema {:?}",
                if checker_errors {
                    "reports"
                } else {
                    "reports no"
                },
                errors
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
fn skipped_fixtures_exist() {
    for (name, _) in NOT_EXPRESSIBLE {
        assert!(manifest("tests/fixtures/bad").join(name).is_dir(), "{name}");
    }
}

#[test]
fn the_command_writes_schemas_and_vscode_settings_keeping_other_settings() {
    let (_temp, root) = crate::harness::copy_example();
    std::fs::create_dir_all(root.join(".vscode")).expect("a folder");
    std::fs::write(
        root.join(".vscode/settings.json"),
        r#"{"editor.tabSize": 2, "yaml.schemas": {"./other.json": ["x.yaml"]}}"#,
    )
    .expect("settings");
    let root_arg = root.to_string_lossy().into_owned();
    let output = crate::harness::casebook(&["schema", "--root", &root_arg, "--vscode"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(".casebook/schema/module.schema.json"))
            .expect("written"),
    )
    .expect("JSON");
    // The example site's programme is offered for a module's `programme`.
    assert_eq!(
        schema["properties"]["programme"]["anyOf"][0]["enum"],
        serde_json::json!(["well-led-stockton-on-tees"])
    );
    let settings: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(".vscode/settings.json")).expect("written"),
    )
    .expect("JSON");
    assert_eq!(settings["editor.tabSize"], 2);
    assert_eq!(settings["yaml.schemas"]["./other.json"][0], "x.yaml");
    assert_eq!(
        settings["yaml.schemas"]["./.casebook/schema/dataset.schema.json"][0],
        "content/data/*.yaml"
    );
}
