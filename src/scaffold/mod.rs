//! `casebook new`: the skeleton of a new content file, valid as it stands.
//!
//! Pure: the caller gives today's date and writes the file. A skeleton is a draft, and the
//! text it asks the editor to replace is listed in [`PLACEHOLDERS`], so that a page published
//! with that text still in it is reported (W106). The accessibility statement
//! ([`accessibility_statement`]) is written out in full instead, with the parts only its
//! publisher knows marked [`TO_FILL`] (W107 while any is left).

use crate::model::ContentKind;
use crate::model::suggest_slug;
use crate::model::time::Date;

/// Text a skeleton writes for the editor to replace, and what to write instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholder {
    /// The text exactly as the skeleton writes it.
    pub text: &'static str,
    /// What belongs there, for the hint of W106.
    pub replace_with: &'static str,
}

/// A case study's summary in its skeleton.
pub const CASE_STUDY_SUMMARY: Placeholder = Placeholder {
    text: "One or two sentences on what was done and what changed, shown on cards and in search.",
    replace_with: "one or two sentences on what was done and what changed",
};

/// A programme's summary in its skeleton.
pub const PROGRAMME_SUMMARY: Placeholder = Placeholder {
    text: "One or two sentences on who the programme is for and what it does.",
    replace_with: "one or two sentences on who the programme is for and what it does",
};

/// The organisation that leads a new case study or programme.
pub const ORGANISATION_NAME: Placeholder = Placeholder {
    text: "Your organisation",
    replace_with: "the name of the organisation that led the work (and its `org_type`)",
};

/// A general page's summary in its skeleton.
pub const PAGE_SUMMARY: Placeholder = Placeholder {
    text: "One or two sentences on what this page is for, shown in search results.",
    replace_with: "one or two sentences on what the page is for",
};

/// The body of every skeleton but a case study's (which has headings instead).
pub const BODY: Placeholder = Placeholder {
    text: "Write the page here.",
    replace_with: "the page's text",
};

/// Every placeholder a skeleton writes.
pub const PLACEHOLDERS: [Placeholder; 5] = [
    CASE_STUDY_SUMMARY,
    PROGRAMME_SUMMARY,
    PAGE_SUMMARY,
    ORGANISATION_NAME,
    BODY,
];

/// A new file's site-relative path and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skeleton {
    /// Path relative to the site root.
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// The skeleton of a `kind` page titled `title`. Modules and cohorts name their programme (a
/// module's place is set by the programme's `modules:` list, see [`add_to_list`]).
pub fn skeleton(kind: ContentKind, title: &str, today: Date, programme: Option<&str>) -> Skeleton {
    let mut slug = suggest_slug(title);
    slug.truncate(80);
    let slug = slug.trim_end_matches('-').to_owned();
    let quoted = quote(title);
    let mut text = String::from("---\n");
    let title_key = if kind == ContentKind::Organisation {
        "name"
    } else {
        "title"
    };
    text.push_str(&format!("{title_key}: {quoted}\n"));
    match kind {
        ContentKind::CaseStudy => {
            text.push_str(&format!("summary: {}\n", CASE_STUDY_SUMMARY.text));
        }
        ContentKind::Programme => {
            text.push_str(&format!("summary: {}\n", PROGRAMME_SUMMARY.text));
        }
        ContentKind::Page => {
            text.push_str(&format!("summary: {}\n", PAGE_SUMMARY.text));
        }
        _ => {}
    }
    text.push_str(&format!("published: {today}\n"));
    match kind {
        ContentKind::CaseStudy | ContentKind::Programme => {
            text.push_str(&format!(
                "organisations:\n  - name: {}\n    org_type: other\n    role: lead\n",
                ORGANISATION_NAME.text
            ));
            text.push_str("care_settings: [care-home]\n");
            text.push_str("topics: []\noutcomes: []\n");
        }
        ContentKind::Module => {
            text.push_str(&format!(
                "programme: {}\nlearning_outcomes: []\n",
                programme.unwrap_or_default()
            ));
        }
        ContentKind::Cohort => {
            text.push_str(&format!(
                "programme: {}\nstart:\nend:\n",
                programme.unwrap_or_default()
            ));
        }
        ContentKind::Organisation => text.push_str("org_type: other\n"),
        ContentKind::Page => text.push_str(
            "# To list the page in a site menu: `menu: header` or `menu: footer`,\n\
             # and `order: 1` (lower first) to place it there.\n",
        ),
        ContentKind::Dataset => {}
    }
    text.push_str("draft: true\n---\n\n");
    if kind == ContentKind::CaseStudy {
        for heading in [
            "Leading change",
            "Where to look",
            "What to change",
            "How to change",
            "Adding value",
            "Challenges and lessons learnt",
            "Find out more",
        ] {
            text.push_str(&format!("## {heading}\n\n"));
            if heading == "Adding value" {
                text.push_str("### Better outcomes\n\n### Better experience\n\n### Better use of resources\n\n");
            }
        }
    } else {
        text.push_str(&format!("{}\n", BODY.text));
    }
    Skeleton {
        path: format!("content/{}/{}.md", kind.folder(), slug),
        text,
    }
}

/// How a part of the accessibility statement that only its publisher can write starts:
/// `[TO FILL: your organisation's name]`. The mark ends at the next `]`.
pub const TO_FILL: &str = "[TO FILL:";

/// The accessibility statement of `casebook new accessibility-statement`: a general page at
/// `/accessibility/`, in the footer, following the structure of the GOV.UK model statement
/// for public sector websites. What the theme's tests establish is written in; the rest is
/// marked [`TO_FILL`] for the publisher. A draft until they remove `draft: true`.
pub fn accessibility_statement(today: Date) -> Skeleton {
    Skeleton {
        path: format!(
            "content/{}/{}.md",
            ContentKind::Page.folder(),
            crate::model::content::GeneralPage::ACCESSIBILITY_SLUG
        ),
        text: include_str!("accessibility.md").replace("{today}", &today.to_string()),
    }
}

/// `text`, a content file, with `item` added at the end of the top-level list `key` of its
/// front matter, written as the list already is: a block list (`key:` then `  - a` lines) gets
/// a line in the same indentation, a one-line flow list (`key: [a, b]`) one more value, and a
/// front matter without `key` gets `key:` with the item before its closing `---`. `None` when
/// the list is written any other way (comments or other values among its items, a flow list
/// over several lines, Windows line endings…): the caller then says what to add instead of
/// guessing.
pub fn add_to_list(text: &str, key: &str, item: &str) -> Option<String> {
    if text.contains('\r') || !text.starts_with("---\n") {
        return None;
    }
    // (offset, line) of each front-matter line, without its `\n`; the closing fence ends it.
    let mut lines = Vec::new();
    let mut offset = "---\n".len();
    let mut closing = None;
    for line in text[offset..].split_inclusive('\n') {
        let bare = line.strip_suffix('\n').unwrap_or(line);
        if bare == "---" {
            closing = Some(offset);
            break;
        }
        lines.push((offset, bare));
        offset += line.len();
    }
    let closing = closing?;
    let is_plain = |value: &str| {
        !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let mut found = lines.iter().enumerate().filter(|(_, (_, line))| {
        line.strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'))
    });
    let Some((index, &(start, line))) = found.next() else {
        let mut edited = text.to_owned();
        edited.insert_str(closing, &format!("{key}:\n  - {item}\n"));
        return Some(edited);
    };
    if found.next().is_some() {
        return None;
    }
    let value = line[key.len() + 1..].trim();
    if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        let values: Vec<&str> = inner
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if !values.iter().all(|v| is_plain(v)) {
            return None;
        }
        let list = values
            .into_iter()
            .chain(std::iter::once(item))
            .collect::<Vec<_>>()
            .join(", ");
        let end = start + line.len();
        let mut edited = text.to_owned();
        edited.replace_range(start..end, &format!("{key}: [{list}]"));
        return Some(edited);
    }
    if !value.is_empty() {
        return None;
    }
    // A block list: every line up to the next top-level key is an item in one indentation.
    let mut indent = None;
    let mut after = start + line.len() + 1;
    for &(line_start, next) in &lines[index + 1..] {
        if !next.starts_with([' ', '-']) {
            break;
        }
        let spaces = next.len() - next.trim_start_matches(' ').len();
        let (prefix, rest) = next.split_at(spaces);
        let entry = rest.strip_prefix("- ")?;
        if !is_plain(entry.trim_end()) || indent.is_some_and(|i| i != prefix) {
            return None;
        }
        indent = Some(prefix);
        after = line_start + next.len() + 1;
    }
    let mut edited = text.to_owned();
    edited.insert_str(after, &format!("{}- {item}\n", indent.unwrap_or("  ")));
    Some(edited)
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::add_to_list;

    #[test]
    fn an_item_is_added_the_way_the_list_is_written() {
        let add = |text: &str| add_to_list(text, "modules", "new-module");
        assert_eq!(
            add("---\ntitle: P\nmodules:\n  - one\n  - two\ncohorts: [c]\n---\nBody\n").as_deref(),
            Some(
                "---\ntitle: P\nmodules:\n  - one\n  - two\n  - new-module\ncohorts: [c]\n---\nBody\n"
            )
        );
        assert_eq!(
            add("---\nmodules:\n- one\n---\n").as_deref(),
            Some("---\nmodules:\n- one\n- new-module\n---\n")
        );
        assert_eq!(
            add("---\nmodules: [one, two]\nmodules_note: x\n---\n").as_deref(),
            Some("---\nmodules: [one, two, new-module]\nmodules_note: x\n---\n")
        );
        assert_eq!(
            add("---\nmodules: []\n---\n").as_deref(),
            Some("---\nmodules: [new-module]\n---\n")
        );
        assert_eq!(
            add("---\nmodules:\ntitle: P\n---\n").as_deref(),
            Some("---\nmodules:\n  - new-module\ntitle: P\n---\n")
        );
        assert_eq!(
            add("---\ntitle: P\n---\nmodules: [in the body]\n").as_deref(),
            Some("---\ntitle: P\nmodules:\n  - new-module\n---\nmodules: [in the body]\n")
        );
    }

    #[test]
    fn a_list_written_any_other_way_is_left_alone() {
        for text in [
            "---\nmodules:\n  - one\n  # a comment\n  - two\n---\n",
            "---\nmodules:\n  - one\n    - two\n---\n",
            "---\nmodules: [one,\n  two]\n---\n",
            "---\nmodules: [\"one\"]\n---\n",
            "---\nmodules: &list [one]\n---\n",
            "---\nmodules:\n  - one # first\n---\n",
            "---\r\nmodules: [one]\r\n---\r\n",
            "---\nmodules: [one]\nmodules: [two]\n---\n",
            "---\nmodules: [one]\n",
            "no front matter\n",
        ] {
            assert_eq!(add_to_list(text, "modules", "new-module"), None, "{text:?}");
        }
    }
}
