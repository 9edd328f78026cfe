//! The registry of fields ([`crate::model::fields`]) and the readers of this module agree.
//!
//! Every mapping a reader reads is logged in test builds with the keys it asked for and the
//! keys it then called known (see [`super::reader::asked`]). Parsing the example site, every
//! fixture and a page that uses every nested mapping shows that each reader asks only for
//! fields of its mapping in the registry, and asks for every one of them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::reader::asked::{self, Record};
use super::{ParseOptions, parse_source};
use crate::load::Source;
use crate::model::ContentKind;
use crate::model::content::Details;
use crate::model::fields::{Field, OUTCOME, Shape, fields_of, names, outcome_figures};
use crate::model::vocab::{OutcomeKind, Vocabulary, normalise_key};

/// Every mapping of the registry: a name for messages and its field names.
fn registry_mappings() -> Vec<(String, Vec<&'static str>)> {
    let mut out = Vec::new();
    for kind in ContentKind::ALL {
        collect(kind.type_name(), fields_of(kind), &[], &mut out);
    }
    out
}

fn collect(
    path: &str,
    fields: &'static [Field],
    more: &'static [Field],
    out: &mut Vec<(String, Vec<&'static str>)>,
) {
    let mut keys = names(fields);
    keys.extend(names(more));
    out.push((path.to_owned(), keys));
    for field in fields.iter().chain(more) {
        let at = format!("{path}.{}", field.name);
        match field.shape {
            Shape::Mapping(inner) | Shape::Mappings(inner) => collect(&at, inner, &[], out),
            Shape::Outcomes => {
                for kind in OutcomeKind::ALL {
                    let at = format!("{at}[{}]", kind.key());
                    collect(&at, OUTCOME, outcome_figures(*kind), out);
                }
            }
            _ => {}
        }
    }
}

fn sources_under(root: &Path) -> Vec<Source> {
    crate::load::load(root, u64::MAX)
        .map(|loaded| loaded.sources)
        .unwrap_or_default()
}

fn manifest_path(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn source(kind: ContentKind, stem: &str, text: &str) -> Source {
    Source {
        path: format!("content/{}/{stem}.md", kind.folder()),
        kind,
        stem: stem.to_owned(),
        text: text.to_owned(),
    }
}

/// Pages that between them use every nested mapping of the registry, so the test does not
/// depend on what the example site happens to contain.
fn every_mapping() -> Vec<Source> {
    let case_study = "---
title: Every mapping
summary: A page that uses every nested mapping.
published: 2024-01-01
organisations: [{name: A council, org_type: local-authority}]
care_settings: [homecare]
period: {start: 2020, end: 2021}
contacts: [{role: Manager}]
awards: [{name: An award, year: 2020, result: winner}]
image: {src: /a.png, alt: A picture}
source: {url: https://example.org/, publisher: Someone, licence: unknown}
outcomes:
  - {kind: rating-distribution, metric: cqc-overall-rating, label: A, before: {good: 1, total: 1}, after: {good: 1, total: 1}}
  - {kind: rating-change, metric: cqc-overall-rating, label: B, from: {rating: good}, to: {rating: good}}
  - {kind: count, metric: falls, label: C, before: {value: 2}, after: {value: 1}}
  - {kind: measure, metric: falls, label: D, unit: days, before: {value: 2}, after: {value: 1}}
  - {kind: share, metric: participant-recommend, label: E, value: 50}
  - {kind: relative-change, metric: falls, label: F, value: 10}
  - {kind: score, metric: participant-satisfaction, label: G, value: 5, scale: {min: 0, max: 10}}
  - {kind: money, metric: cost-saving, label: H, value: 5, currency: GBP}
---
";
    let programme = "---
title: A programme
summary: A programme with a cost.
published: 2024-01-01
organisations: [{name: A council, org_type: local-authority}]
care_settings: [homecare]
cost: {value: 100, currency: GBP, per: place}
---
";
    let module = "---
title: A module
published: 2024-01-01
programme: a-programme
order: 1
materials: [{title: Slides, href: https://example.org/a.pdf, format: pdf}]
---
";
    let dataset = "title: A table
source: {url: https://example.org/, publisher: Someone, licence: unknown}
unit: homes
columns: [{key: rating, label: Rating, type: cqc-rating}]
rows: [{rating: good}]
";
    let mut data = source(ContentKind::Dataset, "a-table", dataset);
    data.path = "content/data/a-table.yaml".to_owned();
    vec![
        source(ContentKind::CaseStudy, "every-mapping", case_study),
        source(ContentKind::Programme, "a-programme", programme),
        source(ContentKind::Module, "a-module", module),
        data,
    ]
}

/// What the readers asked for while parsing the example site, the fixtures and
/// [`every_mapping`], one file at a time on this thread; and the column keys of every dataset
/// read, with which its rows were read.
fn records() -> (Vec<Record>, Vec<Vec<String>>) {
    let mut sources = sources_under(&manifest_path("."));
    let fixtures = manifest_path("tests/fixtures/bad");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default();
    folders.sort();
    for folder in folders.iter().filter(|path| path.is_dir()) {
        sources.extend(sources_under(folder));
    }
    sources.extend(every_mapping());
    asked::take();
    let mut row_keys = Vec::new();
    for source in &sources {
        if let (Some(page), _) = parse_source(source, &ParseOptions::default())
            && let Details::Dataset(dataset) = page.details
        {
            row_keys.push(dataset.columns.into_iter().map(|c| c.key).collect());
        }
    }
    (asked::take(), row_keys)
}

#[test]
fn readers_ask_only_for_registry_fields() {
    let registry = registry_mappings();
    let (records, row_keys) = records();
    for record in records {
        for key in &record.asked {
            // A reader may ask for another spelling of a known key (`Requires Improvement`).
            let known =
                record.known.contains(key) || record.known.iter().any(|k| *k == normalise_key(key));
            assert!(
                known,
                "a reader asked for `{key}`, not among its known fields {:?}",
                record.known
            );
        }
        // Rows are keyed by the dataset's columns; every other mapping is in the registry.
        let in_registry = registry.iter().any(|(_, keys)| *keys == record.known);
        assert!(
            in_registry || row_keys.contains(&record.known),
            "the known fields {:?} are no mapping of the registry",
            record.known
        );
    }
}

#[test]
fn every_registry_field_is_asked_for_by_its_reader() {
    let (records, _) = records();
    for (path, keys) in registry_mappings() {
        let read: Vec<&Record> = records
            .iter()
            .filter(|record| record.known == keys)
            .collect();
        assert!(!read.is_empty(), "no reader read the mapping `{path}`");
        let asked: BTreeSet<&str> = read
            .iter()
            .flat_map(|record| record.asked.iter().map(String::as_str))
            .collect();
        for key in keys {
            assert!(
                asked.contains(key),
                "the reader of `{path}` never asks for `{key}`"
            );
        }
    }
}
