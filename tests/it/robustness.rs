//! Property tests: whatever bytes or YAML an editor's file holds, loading and parsing never
//! panic, and every diagnostic points inside the file.

use casebook::load::{Source, decode};
use casebook::model::ContentKind;
use casebook::parse::{ParseOptions, parse_source};
use proptest::prelude::*;

fn parse_text(text: String, kind: ContentKind) {
    let lines = text.split('\n').count() as u32;
    let source = Source {
        path: "content/case-studies/x.md".into(),
        kind,
        stem: "x".into(),
        text,
    };
    let (_, diagnostics) = parse_source(&source, &ParseOptions::default());
    for diagnostic in diagnostics {
        assert!(
            diagnostic.line >= 1 && diagnostic.line <= lines + 1,
            "{diagnostic:?} outside {lines} lines"
        );
        assert!(diagnostic.column >= 1);
    }
}

const FIELDS: &[&str] = &[
    "title",
    "summary",
    "published",
    "updated",
    "organisations",
    "care_settings",
    "outcomes",
    "kind",
    "metric",
    "numerator",
    "denominator",
    "value",
    "before",
    "after",
    "total",
    "good",
    "as_at",
    "nhs_region",
    "source",
    "url",
];

fn yaml_line() -> impl Strategy<Value = String> {
    (
        0usize..6,
        prop::sample::select(FIELDS),
        prop::sample::select(vec![
            "", " ", ": ", ":", " - ", "- ", "\t", "[", "]", "{", "}", "'", "\"", "#", "&a", "*a",
            "|", ">",
        ]),
        "[a-z0-9 :/.%-]{0,12}",
    )
        .prop_map(|(indent, key, glue, value)| format!("{}{key}{glue}{value}", " ".repeat(indent)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(text) = decode(bytes) {
            parse_text(text, ContentKind::CaseStudy);
        }
    }

    #[test]
    fn random_front_matter_never_panics(lines in prop::collection::vec(yaml_line(), 0..20), body in ".{0,80}") {
        let text = format!("---\n{}\n---\n{body}", lines.join("\n"));
        parse_text(text.clone(), ContentKind::CaseStudy);
        parse_text(text.clone(), ContentKind::Programme);
        parse_text(lines.join("\n"), ContentKind::Dataset);
    }
}
