//! What the cursor is on in a front matter, read from the lines around it: the mapping it is
//! in (a path of keys from the top), and whether it is writing a key or the value of one.
//!
//! The text being edited is often not valid YAML, so this reads indentation and the line
//! itself rather than a parsed tree: block mappings, `- ` list items, and one-line flow lists
//! and mappings (`care_settings: [homecare, `, `- {name: X, org_type: `).

use crate::model::ContentKind;
use crate::model::fields::{Field, OUTCOME, Shape, fields_of, find, outcome_figures};
use crate::model::vocab::{OutcomeKind, Vocabulary};

/// What is being written at the cursor.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Spot {
    /// A key of the mapping at `path`; `typed` is what is written of it so far.
    Key { path: Vec<String>, typed: String },
    /// The value of `key` in the mapping at `path` (an item of it, for a list).
    Value {
        path: Vec<String>,
        key: String,
        typed: String,
    },
    /// The start of an item (`- `) of the list under the last key of `path`: a value of that
    /// key for a list of values, a key of a new mapping for a list of mappings.
    Item { path: Vec<String>, typed: String },
}

/// The spot at `line`, `column` (0-based, in characters) of a front matter's `lines`.
pub(crate) fn spot(lines: &[&str], line: usize, column: usize) -> Option<Spot> {
    let current = lines.get(line)?;
    let before: String = current.chars().take(column).collect();
    let (indent, rest) = key_column(&before);
    let mut path = parents(lines, line, indent);
    // Inside a one-line flow mapping or list, only the text after its last opening or comma
    // matters; a flow mapping opened on this line is the mapping being written.
    let (rest, flow_key) = flow_segment(rest);
    if let Some(key) = flow_key {
        path.push(key);
    }
    match rest.split_once(':') {
        None if rest.starts_with('-') || rest.contains(' ') => None,
        None => {
            let typed = rest.trim().to_owned();
            let item_start = before.trim_start().starts_with("- ") && !before.contains('{');
            if item_start && !path.is_empty() {
                return Some(Spot::Item { path, typed });
            }
            Some(Spot::Key { path, typed })
        }
        Some((key, value)) => Some(Spot::Value {
            path,
            key: key.trim().to_owned(),
            typed: value.trim().to_owned(),
        }),
    }
}

/// The column where this line's key starts (after spaces and `- `), and the text from there.
fn key_column(line: &str) -> (usize, &str) {
    let mut rest = line;
    let mut indent = 0;
    loop {
        let trimmed = rest.trim_start_matches(' ');
        indent += rest.len() - trimmed.len();
        match trimmed.strip_prefix("- ") {
            Some(after) => {
                indent += 2;
                rest = after;
            }
            None => return (indent, trimmed),
        }
    }
}

/// The keys of the mappings enclosing a key written at `indent` on `line`, outermost first.
fn parents(lines: &[&str], line: usize, indent: usize) -> Vec<String> {
    let mut path = Vec::new();
    let mut limit = indent;
    for previous in lines[..line].iter().rev() {
        if limit == 0 {
            break;
        }
        let (column, rest) = key_column(previous);
        if rest.trim().is_empty() || rest.starts_with('#') || column >= limit {
            continue;
        }
        if let Some((key, _)) = rest.split_once(':') {
            path.push(key.trim().to_owned());
            limit = column;
        }
    }
    path.reverse();
    path
}

/// Within a line's text after its key column: what matters at the cursor, and the key of a
/// flow mapping the line opens (`image: {src: a.png, al` → `al`, with `image`). In a flow list
/// (`care_settings: [homecare, sup`), the key and the item being written (`care_settings: sup`).
fn flow_segment(rest: &str) -> (String, Option<String>) {
    let key_before = |open: usize| {
        rest[..open]
            .split_once(':')
            .map(|(key, _)| key.trim().to_owned())
    };
    if let Some(open) = rest.rfind('{') {
        let cut = rest
            .rfind(',')
            .filter(|&comma| comma > open)
            .unwrap_or(open);
        return (rest[cut + 1..].trim_start().to_owned(), key_before(open));
    }
    if let Some(open) = rest.find('[') {
        let cut = rest
            .rfind(',')
            .filter(|&comma| comma > open)
            .unwrap_or(open);
        let key = key_before(open).unwrap_or_default();
        return (format!("{key}: {}", rest[cut + 1..].trim_start()), None);
    }
    (rest.to_owned(), None)
}

/// The fields of the mapping at `path` in a page of `kind`; `outcome_kind` is the `kind:` of
/// the outcome the cursor is in, if any (all kinds' figures are offered otherwise).
pub(crate) fn fields_at(
    kind: ContentKind,
    path: &[String],
    outcome_kind: Option<OutcomeKind>,
) -> Vec<&'static Field> {
    let mut fields: Vec<&'static Field> = fields_of(kind).iter().collect();
    for key in path {
        let Some(field) = fields.iter().find(|field| field.name == key) else {
            return Vec::new();
        };
        fields = match field.shape {
            Shape::Mapping(inner) | Shape::Mappings(inner) => inner.iter().collect(),
            Shape::Outcomes => outcome_fields(outcome_kind),
            _ => return Vec::new(),
        };
    }
    fields
}

fn outcome_fields(kind: Option<OutcomeKind>) -> Vec<&'static Field> {
    let mut fields: Vec<&'static Field> = OUTCOME.iter().collect();
    let kinds: Vec<OutcomeKind> = kind.map_or_else(|| OutcomeKind::ALL.to_vec(), |k| vec![k]);
    for kind in kinds {
        for figure in outcome_figures(kind) {
            if find(&fields.iter().map(|f| **f).collect::<Vec<_>>(), figure.name).is_none() {
                fields.push(figure);
            }
        }
    }
    fields
}

/// The `kind:` of the outcome item around `line`: read from the item's lines.
pub(crate) fn outcome_kind(lines: &[&str], line: usize) -> Option<OutcomeKind> {
    let start = (0..=line)
        .rev()
        .find(|&index| lines[index].trim_start().starts_with("- "))?;
    let item_indent = lines[start].len() - lines[start].trim_start().len();
    let end = (start + 1..lines.len())
        .find(|&index| {
            let text = lines[index];
            let indent = text.len() - text.trim_start().len();
            !text.trim().is_empty() && indent <= item_indent
        })
        .unwrap_or(lines.len());
    lines[start..end].iter().find_map(|text| {
        let (_, rest) = key_column(text);
        let rest = rest.trim_start_matches('{');
        let value = rest.strip_prefix("kind:")?;
        let value = value.split([',', '}']).next().unwrap_or("");
        OutcomeKind::parse(value.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<Spot> {
        let marker = text.find('|').expect("a cursor");
        let text = text.replace('|', "");
        let lines: Vec<&str> = text.split('\n').collect();
        let line = text[..marker].matches('\n').count();
        let column = text[..marker]
            .rsplit('\n')
            .next()
            .unwrap_or("")
            .chars()
            .count();
        spot(&lines, line, column)
    }

    fn path(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|key| (*key).to_owned()).collect()
    }

    #[test]
    fn keys_at_the_top_and_in_nested_mappings() {
        assert_eq!(
            at("title: A\nsumm|"),
            Some(Spot::Key {
                path: vec![],
                typed: "summ".into()
            })
        );
        assert_eq!(
            at("source:\n  url: https://x.org/\n  lic|"),
            Some(Spot::Key {
                path: path(&["source"]),
                typed: "lic".into()
            })
        );
        assert_eq!(
            at("organisations:\n  - name: A\n    org|"),
            Some(Spot::Key {
                path: path(&["organisations"]),
                typed: "org".into()
            })
        );
    }

    #[test]
    fn values_after_a_key_in_a_flow_list_and_in_a_flow_mapping() {
        assert_eq!(
            at("nhs_region: |"),
            Some(Spot::Value {
                path: vec![],
                key: "nhs_region".into(),
                typed: String::new()
            })
        );
        assert_eq!(
            at("care_settings: [homecare, sup|"),
            Some(Spot::Value {
                path: vec![],
                key: "care_settings".into(),
                typed: "sup".into()
            })
        );
        assert_eq!(
            at("organisations:\n  - {name: A, org_type: lo|"),
            Some(Spot::Value {
                path: path(&["organisations"]),
                key: "org_type".into(),
                typed: "lo".into()
            })
        );
        assert_eq!(
            at("care_settings:\n  - home|"),
            Some(Spot::Item {
                path: path(&["care_settings"]),
                typed: "home".into()
            })
        );
    }

    #[test]
    fn an_outcome_offers_the_figures_of_its_kind() {
        let lines = [
            "outcomes:",
            "  - kind: share",
            "    metric: falls",
            "    num",
        ];
        assert_eq!(outcome_kind(&lines, 3), Some(OutcomeKind::Share));
        let fields = fields_at(
            ContentKind::CaseStudy,
            &path(&["outcomes"]),
            Some(OutcomeKind::Share),
        );
        assert!(fields.iter().any(|field| field.name == "numerator"));
        assert!(!fields.iter().any(|field| field.name == "scale"));
    }
}
