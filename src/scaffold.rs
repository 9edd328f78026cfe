//! `casebook new`: the skeleton of a new content file, valid as it stands.
//!
//! Pure: the caller gives today's date and writes the file.

use crate::model::ContentKind;
use crate::model::suggest_slug;
use crate::model::time::Date;

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
        ContentKind::CaseStudy => text.push_str(
            "summary: One or two sentences on what was done and what changed, shown on cards and in search.\n",
        ),
        ContentKind::Programme => text.push_str("summary: One or two sentences on who the programme is for and what it does.\n"),
        _ => {}
    }
    text.push_str(&format!("published: {today}\n"));
    match kind {
        ContentKind::CaseStudy | ContentKind::Programme => {
            text.push_str("organisations:\n  - name: Your organisation\n    org_type: other\n    role: lead\n");
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
        text.push_str("Write the page here.\n");
    }
    Skeleton {
        path: format!("content/{}/{}.md", kind.folder(), slug),
        text,
    }
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
