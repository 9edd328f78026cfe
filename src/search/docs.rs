//! What the index knows of each page: weighted text fields, facet values, outcome numbers and
//! the result card, all read from the typed [`Site`] (never from HTML).

use crate::model::ContentKind;
use crate::model::content::{Details, Figures, OrganisationLink, Outcome, Page};
use crate::model::vocab::{METRICS, Vocabulary};
use crate::model::{Site, Taxonomy, page_path, page_terms};
use crate::search::text::markdown_text;

/// The text fields of a document, in the order of [`FIELD_WEIGHTS`].
pub const FIELDS: usize = 5;

/// BM25F weights of title, summary, headings, tags (topics, regions, settings, key questions,
/// organisations, programme) and body. The title's weight is high because BM25F saturates the
/// weighted sum of the fields: at 6, a page that used a word a few times in its body scored at
/// the ceiling and a word in the title moved it by less than one impact step (on the 10k
/// corpus, title-match MRR@10 of one-word queries: 0.78 at 6, 0.90 at 16, Pagefind 0.90).
pub const FIELD_WEIGHTS: [f64; FIELDS] = [16.0, 3.0, 2.5, 2.0, 1.0];

/// The facets, in display order: URL parameter and label.
pub const FACETS: [(&str, &str); 7] = [
    ("type", "Type"),
    ("region", "Region"),
    ("setting", "Care setting"),
    ("key_question", "Key question"),
    ("topic", "Topic"),
    ("organisation", "Organisation"),
    ("programme", "Programme"),
];

/// Longest card text kept for excerpts and phrase checks, in bytes (cut at a character).
pub const CARD_TEXT_LIMIT: usize = 6000;

/// One page as the index sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchDoc {
    /// Site path (`/case-studies/x/`), without the base path.
    pub url: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Content type name (`case-study`).
    pub kind: String,
    /// Publication date (`YYYY-MM-DD`), if any.
    pub date: Option<String>,
    /// Text per field: title, summary, headings, tags, body.
    pub fields: [String; FIELDS],
    /// Facet values: index into [`FACETS`], key, label.
    pub facets: Vec<(usize, String, String)>,
    /// Outcome numbers: field key, field label, unit, value.
    pub numbers: Vec<(String, String, String, f64)>,
    /// Outcome figures as short sentences, for the card.
    pub figures: Vec<String>,
    /// Plain text in reading order, for excerpts.
    pub text: String,
}

fn metric_label(metric: &str) -> String {
    METRICS
        .iter()
        .find(|(key, _)| *key == metric)
        .map(|(_, label)| (*label).to_owned())
        .unwrap_or_else(|| {
            let bare = metric.strip_prefix("custom:").unwrap_or(metric);
            let words = bare.replace('-', " ");
            let mut chars = words.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
}

/// The number an outcome states, its unit, and the name of its kind.
fn outcome_number(outcome: &Outcome) -> Option<(f64, &'static str)> {
    match &outcome.figures {
        Figures::Share { value, .. } => Some((*value, "%")),
        Figures::RelativeChange { value, .. } => Some((*value, "% change")),
        Figures::Score { value, .. } => Some((*value, "")),
        Figures::Amount { value, after, .. } => {
            after.as_ref().or(value.as_ref()).map(|v| (v.value, ""))
        }
        Figures::Money(money) => Some((money.value, "")),
        _ => None,
    }
    .filter(|(value, _)| value.is_finite())
}

fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:.1}")
    }
}

fn cut(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The index's view of one page; its `fields` hold the text to count.
pub fn page_doc(site: &Site, page: &Page) -> SearchDoc {
    let plain = markdown_text(&page.body.markdown);
    let mut doc = SearchDoc {
        url: page_path(page.kind, &page.slug.value),
        title: page.title.clone(),
        summary: page.summary.clone().unwrap_or_default(),
        kind: page.kind.type_name().to_owned(),
        date: page.published.map(|d| d.to_string()),
        ..SearchDoc::default()
    };
    doc.facets.push((
        0,
        page.kind.type_name().to_owned(),
        page.kind.label().to_owned(),
    ));
    let mut tags: Vec<String> = Vec::new();
    let mut body: Vec<String> = vec![plain.body.clone()];
    for (taxonomy, key, label) in page_terms(page) {
        let facet = match taxonomy {
            Taxonomy::Regions => 1,
            Taxonomy::Settings => 2,
            Taxonomy::KeyQuestions => 3,
            Taxonomy::Topics => 4,
        };
        tags.push(label.clone());
        doc.facets.push((facet, key, label));
    }
    let (organisations, programme, outcomes): (&[OrganisationLink], _, &[Outcome]) =
        match &page.details {
            Details::CaseStudy(c) => (&c.organisations, c.programme.as_ref(), &c.outcomes),
            Details::Programme(p) => (&p.organisations, None, &p.outcomes),
            Details::Module(m) => (&[], m.programme.as_ref(), &[]),
            Details::Cohort(c) => (&[], c.programme.as_ref(), &c.outcomes),
            _ => (&[], None, &[]),
        };
    // Regions of pages without taxonomy terms (cohorts, organisations) still filter.
    if !doc.facets.iter().any(|(facet, _, _)| *facet == 1) {
        let place = match &page.details {
            Details::Cohort(c) => Some(&c.place),
            Details::Organisation(o) => Some(&o.place),
            _ => None,
        };
        if let Some(region) = place.and_then(|p| p.nhs_region) {
            tags.push(region.label().to_owned());
            doc.facets
                .push((1, region.key().to_owned(), region.label().to_owned()));
        }
    }
    for link in organisations {
        let key = link
            .slug
            .as_ref()
            .map(|s| s.value.clone())
            .unwrap_or_else(|| crate::model::suggest_slug(&link.name));
        if !key.is_empty() && !doc.facets.iter().any(|(f, k, _)| *f == 5 && *k == key) {
            doc.facets.push((5, key, link.name.clone()));
        }
        tags.push(link.name.clone());
    }
    if let Some(slug) = programme {
        let label = site
            .get(ContentKind::Programme, &slug.value)
            .map(|p| p.title.clone())
            .unwrap_or_else(|| slug.value.clone());
        tags.push(label.clone());
        doc.facets.push((6, slug.value.clone(), label));
    }
    match &page.details {
        Details::Module(m) => body.extend(m.learning_outcomes.iter().cloned()),
        Details::Dataset(d) => {
            body.extend(d.columns.iter().map(|c| c.label.clone()));
            body.extend(d.notes.iter().cloned());
        }
        _ => {}
    }
    for outcome in outcomes {
        body.push(outcome.label.clone());
        body.extend(outcome.note.iter().cloned());
        if let Some((value, unit)) = outcome_number(outcome) {
            let key = format!("{}:{}", outcome.kind.key(), outcome.metric);
            let label = metric_label(&outcome.metric);
            doc.figures.push(format!(
                "{}: {}{}",
                outcome.label,
                format_number(value),
                if unit == "%" { "%" } else { "" }
            ));
            match doc.numbers.iter_mut().find(|n| n.0 == key) {
                Some(existing) => existing.3 = existing.3.max(value),
                None => doc.numbers.push((key, label, unit.to_owned(), value)),
            }
        }
    }
    doc.facets.sort();
    doc.facets.dedup();
    doc.numbers
        .sort_by(|a, b| a.0.cmp(&b.0).then(a.3.total_cmp(&b.3)));
    doc.fields = [
        doc.title.clone(),
        doc.summary.clone(),
        plain.headings.join("\n"),
        tags.join("\n"),
        body.join("\n"),
    ];
    doc.text = cut(plain.text.trim(), CARD_TEXT_LIMIT).to_owned();
    doc
}
