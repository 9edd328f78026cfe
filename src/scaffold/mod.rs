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

/// The skeleton of a `kind` page titled `title`. Modules and cohorts name their programme,
/// and a module takes `order`.
pub fn skeleton(
    kind: ContentKind,
    title: &str,
    today: Date,
    programme: Option<&str>,
    order: u64,
) -> Skeleton {
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
                "programme: {}\norder: {order}\nlearning_outcomes: []\n",
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

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
