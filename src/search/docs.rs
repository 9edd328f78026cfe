//! What the index knows of each page: weighted text fields, facet values, outcome numbers and
//! the result card, all read from the typed [`Site`] (never from HTML).

use crate::model::ContentKind;
use crate::model::content::{Details, Figures, OrganisationLink, Outcome, Page};
use crate::model::ratings;
use crate::model::vocab::{CqcRating, METRICS, OutcomeKind, Vocabulary};
use crate::model::{Site, Taxonomy, page_path, page_terms};
use crate::render::outcomes::outcome_headline;
use crate::search::text::{PlainText, markdown_text};

/// The text fields of a document, in the order of [`FIELD_WEIGHTS`].
pub const FIELDS: usize = 5;

/// BM25F weights of title, summary, headings, tags (topics, regions, settings, key questions,
/// organisations, programme) and body. The title's weight is high because BM25F saturates the
/// weighted sum of the fields: at 6, a page that used a word a few times in its body scored at
/// the ceiling and a word in the title moved it by less than one impact step (on the 10k
/// corpus, title-match MRR@10 of one-word queries: 0.78 at 6, 0.90 at 16, Pagefind 0.90).
pub const FIELD_WEIGHTS: [f64; FIELDS] = [16.0, 3.0, 2.5, 2.0, 1.0];

/// A filter of the search page.
#[derive(Debug, Clone, Copy)]
pub struct Facet {
    /// Its URL parameter.
    pub key: &'static str,
    /// Its label.
    pub label: &'static str,
    /// The keys of its values in the order shown, for a filter whose values are steps of a
    /// scale; the values of the others are shown by how many results each would give.
    pub order: Option<&'static [&'static str]>,
}

impl Facet {
    const fn counted(key: &'static str, label: &'static str) -> Facet {
        Facet {
            key,
            label,
            order: None,
        }
    }

    const fn listed(
        key: &'static str,
        label: &'static str,
        order: &'static [&'static str],
    ) -> Facet {
        Facet {
            key,
            label,
            order: Some(order),
        }
    }
}

/// The facets, in display order; the constants below are their indices.
pub const FACETS: [Facet; 9] = [
    Facet::counted("type", "Type"),
    Facet::counted("region", "Region"),
    Facet::counted("setting", "Care setting"),
    Facet::counted("key_question", "Key question"),
    Facet::listed("rating", "CQC rating after", &RATING_KEYS),
    Facet::listed("improved", "Improved", &[IMPROVED_RATING]),
    Facet::counted("topic", "Topic"),
    Facet::counted("organisation", "Organisation"),
    Facet::counted("programme", "Programme"),
];
/// Index of the content type facet in [`FACETS`].
pub const TYPE: usize = 0;
/// Index of the region facet.
pub const REGION: usize = 1;
/// Index of the care setting facet.
pub const SETTING: usize = 2;
/// Index of the key question facet.
pub const KEY_QUESTION: usize = 3;
/// Index of the facet of the ratings a page's figures end at ([`ratings::ends_at_or_better`]).
pub const RATING: usize = 4;
/// Index of the facet of pages whose rating figures improved ([`ratings::rating_improved`]).
pub const IMPROVED: usize = 5;
/// Index of the topic facet.
pub const TOPIC: usize = 6;
/// Index of the organisation facet.
pub const ORGANISATION: usize = 7;
/// Index of the programme facet.
pub const PROGRAMME: usize = 8;

/// The values of the rating facet: the keys of [`ratings::SCALE`], best first.
const RATING_KEYS: [&str; 4] = ["outstanding", "good", "requires-improvement", "inadequate"];
/// The value of the improved facet for pages whose CQC rating figures got better.
const IMPROVED_RATING: &str = "rating";

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
    /// The headline outcome in one sentence, for the card.
    pub headline: Option<String>,
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

/// The number an outcome states (the latest, of a before and after), and its unit as the
/// outcome filter names it: the unit tells apart a metric's kinds (`Falls (count)`, `Falls
/// (% change)`). Every kind with a number has one; ratings have none.
fn outcome_number(outcome: &Outcome) -> Option<(f64, &'static str)> {
    match &outcome.figures {
        Figures::Share { value, .. } => Some((*value, "%")),
        Figures::RelativeChange { value, .. } => Some((*value, "% change")),
        Figures::Score { value, .. } => Some((*value, "score")),
        Figures::Amount { value, after, .. } => {
            let unit = match outcome.kind {
                OutcomeKind::Count => "count",
                _ => "measure",
            };
            after.as_ref().or(value.as_ref()).map(|v| (v.value, unit))
        }
        Figures::Money(money) => Some((money.value, "£")),
        Figures::None | Figures::RatingChange { .. } | Figures::RatingDistribution { .. } => None,
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

/// The values of the rating and improved facets that a page's outcomes have: each rating at
/// which one of its figures ends, or better (so a page at Good is also at Requires improvement
/// and Inadequate, and `rating=good` finds pages ending at Good or Outstanding); and whether
/// one of them got better.
fn rating_facets(outcomes: &[Outcome]) -> Vec<(usize, String, String)> {
    let mut values = Vec::new();
    for rating in ratings::SCALE {
        if outcomes
            .iter()
            .any(|o| ratings::ends_at_or_better(o, rating))
        {
            let label = match rating {
                CqcRating::Outstanding => rating.label().to_owned(),
                _ => format!("{} or better", rating.label()),
            };
            values.push((RATING, rating.key().to_owned(), label));
        }
    }
    if outcomes.iter().any(ratings::rating_improved) {
        values.push((
            IMPROVED,
            IMPROVED_RATING.to_owned(),
            "CQC rating".to_owned(),
        ));
    }
    values
}

/// The index's view of one page; its `fields` hold the text to count.
pub fn page_doc(site: &Site, page: &Page) -> SearchDoc {
    page_doc_with_text(site, page, markdown_text(&page.body.markdown))
}

/// [`page_doc`] given the text of the page's body (which the render stage takes from the
/// parse it renders, so that a build parses each body once for both).
pub fn page_doc_with_text(site: &Site, page: &Page, plain: PlainText) -> SearchDoc {
    let mut doc = SearchDoc {
        url: page_path(page.kind, &page.slug.value),
        title: page.title.clone(),
        summary: page.summary.clone().unwrap_or_default(),
        kind: page.kind.type_name().to_owned(),
        date: page.published.map(|d| d.to_string()),
        ..SearchDoc::default()
    };
    doc.facets.push((
        TYPE,
        page.kind.type_name().to_owned(),
        page.kind.label().to_owned(),
    ));
    let mut tags: Vec<String> = Vec::new();
    // The body field: the body's text, then these, a line each.
    let mut body: Vec<String> = Vec::new();
    for (taxonomy, key, label) in page_terms(page) {
        let facet = match taxonomy {
            Taxonomy::Regions => REGION,
            Taxonomy::Settings => SETTING,
            Taxonomy::KeyQuestions => KEY_QUESTION,
            Taxonomy::Topics => TOPIC,
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
    if !doc.facets.iter().any(|(facet, _, _)| *facet == REGION) {
        let place = match &page.details {
            Details::Cohort(c) => Some(&c.place),
            Details::Organisation(o) => Some(&o.place),
            _ => None,
        };
        if let Some(region) = place.and_then(|p| p.nhs_region) {
            tags.push(region.label().to_owned());
            doc.facets
                .push((REGION, region.key().to_owned(), region.label().to_owned()));
        }
    }
    for link in organisations {
        let key = link
            .slug
            .as_ref()
            .map(|s| s.value.clone())
            .unwrap_or_else(|| crate::model::suggest_slug(&link.name));
        if !key.is_empty()
            && !doc
                .facets
                .iter()
                .any(|(f, k, _)| *f == ORGANISATION && *k == key)
        {
            doc.facets.push((ORGANISATION, key, link.name.clone()));
        }
        tags.push(link.name.clone());
    }
    if let Some(slug) = programme {
        let label = site
            .get(ContentKind::Programme, &slug.value)
            .map(|p| p.title.clone())
            .unwrap_or_else(|| slug.value.clone());
        tags.push(label.clone());
        doc.facets.push((PROGRAMME, slug.value.clone(), label));
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
    doc.facets.extend(rating_facets(outcomes));
    doc.headline = page.headline_outcome().map(outcome_headline);
    doc.facets.sort();
    doc.facets.dedup();
    doc.numbers
        .sort_by(|a, b| a.0.cmp(&b.0).then(a.3.total_cmp(&b.3)));
    doc.fields = [
        doc.title.clone(),
        doc.summary.clone(),
        plain.headings.join("\n"),
        tags.join("\n"),
        body.into_iter().fold(plain.body, |mut all, line| {
            all.push('\n');
            all.push_str(&line);
            all
        }),
    ];
    doc.text = cut(plain.text.trim(), CARD_TEXT_LIMIT).to_owned();
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rating_facet_lists_the_rating_scale_best_first() {
        let keys: Vec<&str> = ratings::SCALE.iter().map(|r| r.key()).collect();
        assert_eq!(keys, RATING_KEYS);
        assert_eq!(FACETS[RATING].order, Some(&RATING_KEYS[..]));
        let names = [
            (TYPE, "type"),
            (REGION, "region"),
            (SETTING, "setting"),
            (KEY_QUESTION, "key_question"),
            (RATING, "rating"),
            (IMPROVED, "improved"),
            (TOPIC, "topic"),
            (ORGANISATION, "organisation"),
            (PROGRAMME, "programme"),
        ];
        for (index, key) in names {
            assert_eq!(FACETS[index].key, key);
        }
    }
}
