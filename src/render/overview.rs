//! `/outcomes/`: every measure on the site grouped by metric, with sums of rating
//! distributions and shares sorted by value, and the same overview filtered by NHS region,
//! care setting and CQC key question (as static pages, so filtering works without JavaScript).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

use crate::model::content::Figures;
use crate::model::vocab::{CqcRating, KeyQuestion, Vocabulary};
use crate::model::{Site, Taxonomy};
use crate::render::charts::dataset_distribution_chart;
use crate::render::open_data::PageContext;
use crate::render::outcomes::{TableView, metric_label, outcome_headline_as_at};
use crate::render::urls::Urls;

/// One measure in the overview: where it comes from and what it says.
#[derive(Debug, Clone, Serialize)]
struct Row {
    page: Link,
    label: String,
    kind_label: &'static str,
    headline: String,
    as_at: String,
}

#[derive(Debug, Clone, Serialize)]
struct Link {
    label: String,
    url: String,
}

#[derive(Debug, Clone, Serialize)]
struct Sums {
    headline: String,
    table: TableView,
    chart_html: String,
    pages: usize,
}

#[derive(Debug, Clone, Serialize)]
struct Group {
    id: String,
    metric_label: String,
    /// Measures in the group; at most [`ROWS_SHOWN`] of them are in `rows`.
    count: usize,
    sums: Option<Sums>,
    rows: Vec<Row>,
}

/// Measures listed per group on an overview page. The sums cover every measure; the rest of
/// the rows are in the open data (a page listing 10,000 rows would be megabytes of HTML that
/// no reader scrolls).
pub const ROWS_SHOWN: usize = 50;

#[derive(Debug, Clone, Serialize)]
struct FilterLink {
    label: String,
    url: String,
    current: bool,
}

#[derive(Debug, Clone, Serialize)]
struct Filter {
    title: &'static str,
    links: Vec<FilterLink>,
}

/// Counts before and after of a rating distribution, with totals; `None` on a side it lacks.
#[derive(Debug, Clone, Copy)]
struct Sides {
    before: Option<([u64; 5], u64)>,
    after: Option<([u64; 5], u64)>,
}

/// A measure with the facets it can be filtered by.
///
/// Kept small (a site of 100,000 case studies has some 600,000 measures): the row a page
/// shows is made only for the measures it lists, from the page and outcome the measure
/// points at; its facets are numbers into [`Overview::facet_keys`].
struct Measure<'a> {
    group: (&'a str, Option<KeyQuestion>),
    facets: Vec<u32>,
    /// The page (in `site.pages`) and its outcome.
    page: u32,
    outcome: u32,
    sort: (bool, i64),
    distribution: Option<Sides>,
}

/// One page of the overview: all measures, or those of one filter.
#[derive(Debug, Clone)]
pub struct OverviewPage {
    /// Output path (`outcomes/regions/london/index.html`).
    pub path: String,
    /// Page title.
    pub title: String,
    facet: Option<(Taxonomy, String)>,
    label: Option<String>,
}

/// The measures of a site, collected once, from which each overview page's values are built.
pub struct Overview<'a> {
    measures: Vec<Measure<'a>>,
    /// Each facet a measure has, by the number its measures use.
    facet_keys: Vec<(Taxonomy, String)>,
    available: BTreeMap<(Taxonomy, String), usize>,
    site: &'a Site,
    urls: &'a Urls,
    /// The rows made so far, by page and outcome: the same measure is listed on `/outcomes/`
    /// and on each filter's page it belongs to, and its headline is costly to write.
    rows: Mutex<HashMap<(u32, u32), Row>>,
}

const FILTERS: [(Taxonomy, &str); 3] = [
    (Taxonomy::Regions, "NHS region"),
    (Taxonomy::Settings, "Care setting"),
    (Taxonomy::KeyQuestions, "CQC key question"),
];

impl<'a> Overview<'a> {
    /// Collects every measure of the site.
    pub fn new(site: &'a Site, urls: &'a Urls) -> Overview<'a> {
        let (measures, facet_keys) = collect(site, urls);
        let mut counts = vec![0usize; facet_keys.len()];
        for measure in &measures {
            for &facet in &measure.facets {
                counts[facet as usize] += 1;
            }
        }
        let available: BTreeMap<(Taxonomy, String), usize> = facet_keys
            .iter()
            .cloned()
            .zip(counts)
            .filter(|(_, count)| *count > 0)
            .collect();
        Overview {
            measures,
            facet_keys,
            available,
            site,
            urls,
            rows: Mutex::default(),
        }
    }

    /// `/outcomes/` and one page per filter that has measures.
    pub fn pages(&self) -> Vec<OverviewPage> {
        let mut pages = vec![OverviewPage {
            path: "outcomes/index.html".to_owned(),
            title: "Outcomes".to_owned(),
            facet: None,
            label: None,
        }];
        for facet in self.available.keys() {
            let taxonomy = FILTERS
                .iter()
                .find(|(t, _)| *t == facet.0)
                .map_or("", |(_, t)| *t);
            let label = format!("{taxonomy}: {}", self.label_of(facet.0, &facet.1));
            pages.push(OverviewPage {
                path: format!("outcomes/{}/{}/index.html", facet.0.segment(), facet.1),
                title: format!("Outcomes — {label}"),
                facet: Some(facet.clone()),
                label: Some(label),
            });
        }
        pages
    }

    /// The template value of one overview page.
    pub fn context(&self, page: &OverviewPage) -> OverviewContext {
        let subset: Vec<&Measure> = match &page.facet {
            Some(facet) => {
                let number = self.facet_keys.iter().position(|key| key == facet);
                self.measures
                    .iter()
                    .filter(|m| number.is_some_and(|n| m.facets.contains(&(n as u32))))
                    .collect()
            }
            None => self.measures.iter().collect(),
        };
        // Made outside the lock: overview pages render on several threads at once.
        let rows = || self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        let row = |measure: &Measure| {
            let key = (measure.page, measure.outcome);
            if let Some(row) = rows().get(&key) {
                return row.clone();
            }
            let row = row_of(self.site, self.urls, measure);
            rows().insert(key, row.clone());
            row
        };
        context(
            &subset,
            page.label.clone(),
            self.filters(page.facet.as_ref()),
            &row,
            self.urls,
        )
    }

    fn label_of(&self, taxonomy: Taxonomy, key: &str) -> String {
        self.site
            .relations
            .terms
            .get(&taxonomy)
            .and_then(|terms| terms.get(key))
            .map_or_else(|| key.to_owned(), |t| t.label.clone())
    }

    fn filters(&self, current: Option<&(Taxonomy, String)>) -> Vec<Filter> {
        FILTERS
            .iter()
            .map(|(taxonomy, title)| Filter {
                title,
                links: self
                    .available
                    .iter()
                    .filter(|((t, _), _)| t == taxonomy)
                    .map(|((t, key), count)| FilterLink {
                        label: format!("{} ({count})", self.label_of(*t, key)),
                        url: self.urls.path(&format!("/outcomes/{}/{key}/", t.segment())),
                        current: current == Some(&(*t, key.clone())),
                    })
                    .collect(),
            })
            .filter(|f| !f.links.is_empty())
            .collect()
    }
}

/// The template value of one overview page, `outcomes` in `outcomes.html`; serialised straight
/// into the template's context (not through a `serde_json::Value`, which copied every row).
#[derive(Debug, Clone, Serialize)]
pub struct OverviewContext {
    intro: &'static str,
    filter_label: Option<String>,
    all_url: String,
    filters: Vec<Filter>,
    csv_url: String,
    json_url: String,
    schema_url: String,
    groups: Vec<Group>,
}

fn context(
    measures: &[&Measure],
    filter_label: Option<String>,
    filters: Vec<Filter>,
    row: &dyn Fn(&Measure) -> Row,
    urls: &Urls,
) -> OverviewContext {
    let mut grouped: BTreeMap<&(&str, Option<KeyQuestion>), Vec<&Measure>> = BTreeMap::new();
    for measure in measures {
        grouped.entry(&measure.group).or_default().push(measure);
    }
    let groups: Vec<Group> = grouped
        .into_iter()
        .enumerate()
        .map(|(index, ((metric, question), list))| {
            let mut shown: Vec<&&Measure> = list.iter().collect();
            shown.sort_by_key(|m| m.sort);
            let count = shown.len();
            let rows: Vec<Row> = shown.into_iter().take(ROWS_SHOWN).map(|m| row(m)).collect();
            let label = match question {
                Some(question) => format!("{}: {}", metric_label(metric), question.label()),
                None => metric_label(metric),
            };
            Group {
                id: format!("metric-{}", index + 1),
                sums: sums(&list, &label, index),
                metric_label: label,
                count,
                rows,
            }
        })
        .collect();
    OverviewContext {
        intro: "Every outcome figure stated on this site, grouped by what it measures. Each figure links to the page that states it.",
        filter_label,
        all_url: urls.path("/outcomes/"),
        filters,
        csv_url: urls.path("/data/outcomes.csv"),
        json_url: urls.path("/data/outcomes.json"),
        schema_url: urls.path("/data/outcomes.schema.json"),
        groups,
    }
}

fn sums(list: &[&Measure], label: &str, index: usize) -> Option<Sums> {
    let with: Vec<_> = list.iter().filter_map(|m| m.distribution).collect();
    if with.is_empty() {
        return None;
    }
    let (mut before, mut after) = ([0u64; 5], [0u64; 5]);
    let (mut before_total, mut after_total) = (0u64, 0u64);
    for sides in &with {
        if let Some((counts, total)) = sides.before {
            for (sum, count) in before.iter_mut().zip(counts) {
                *sum += count;
            }
            before_total += total;
        }
        if let Some((counts, total)) = sides.after {
            for (sum, count) in after.iter_mut().zip(counts) {
                *sum += count;
            }
            after_total += total;
        }
    }
    let mut rows = Vec::new();
    for (i, rating) in CqcRating::ALL.iter().enumerate() {
        if before[i] + after[i] > 0 {
            rows.push(vec![
                rating.label().to_owned(),
                before[i].to_string(),
                after[i].to_string(),
            ]);
        }
    }
    rows.push(vec![
        "Total".to_owned(),
        before_total.to_string(),
        after_total.to_string(),
    ]);
    let good = |c: &[u64; 5]| c[0] + c[1];
    let headline = format!(
        "Across {} {}, services rated Good or Outstanding went from {} of {} before to {} of {} after",
        with.len(),
        if with.len() == 1 {
            "measure"
        } else {
            "measures"
        },
        good(&before),
        before_total,
        good(&after),
        after_total
    );
    let chart_html = dataset_distribution_chart(
        &[
            ("Before (sum)".to_owned(), before),
            ("After (sum)".to_owned(), after),
        ],
        &headline,
        &format!("sum{}", index + 1),
    );
    Some(Sums {
        headline,
        table: TableView {
            caption: format!("{label}: sums across pages"),
            head: vec!["CQC rating".into(), "Before".into(), "After".into()],
            rows,
        },
        chart_html,
        pages: with.len(),
    })
}

fn collect<'a>(site: &'a Site, urls: &Urls) -> (Vec<Measure<'a>>, Vec<(Taxonomy, String)>) {
    let mut measures = Vec::new();
    let mut facet_keys: Vec<(Taxonomy, String)> = Vec::new();
    let mut numbers: std::collections::HashMap<(Taxonomy, String), u32> =
        std::collections::HashMap::new();
    let mut number_of = |key: (Taxonomy, String)| -> u32 {
        *numbers.entry(key.clone()).or_insert_with(|| {
            facet_keys.push(key);
            (facet_keys.len() - 1) as u32
        })
    };
    let mut order = 0i64;
    for (page_index, page) in site.pages.iter().enumerate() {
        let Some((outcomes, source)) = page.outcomes_with_source() else {
            continue;
        };
        let context = PageContext::of(site, page, source, urls);
        let mut facets: Vec<u32> = Vec::new();
        let page_facets = (context.nhs_region.iter().map(|r| (Taxonomy::Regions, r)))
            .chain(
                context
                    .care_settings
                    .iter()
                    .map(|s| (Taxonomy::Settings, s)),
            )
            .chain(
                context
                    .key_questions
                    .iter()
                    .map(|k| (Taxonomy::KeyQuestions, k)),
            );
        for (taxonomy, key) in page_facets {
            facets.push(number_of((taxonomy, key.clone())));
        }
        for (outcome_index, outcome) in outcomes.iter().enumerate() {
            order += 1;
            let sort = match &outcome.figures {
                Figures::Share { value, .. } => (false, -((value * 10.0).round() as i64)),
                _ => (true, order),
            };
            let distribution = match &outcome.figures {
                Figures::RatingDistribution { before, after } => {
                    let side = |d: &crate::model::content::Distribution| {
                        (d.counts, d.total.unwrap_or_else(|| d.counts.iter().sum()))
                    };
                    Some(Sides {
                        before: before.as_ref().map(side),
                        after: after.as_ref().map(side),
                    })
                }
                _ => None,
            };
            let mut row_facets = facets.clone();
            if let Some(question) = outcome.key_question {
                let key = number_of((Taxonomy::KeyQuestions, question.key().to_owned()));
                if !row_facets.contains(&key) {
                    row_facets.push(key);
                }
            }
            measures.push(Measure {
                group: (
                    outcome.metric.as_str(),
                    if outcome.metric == "cqc-key-question-rating" {
                        outcome.key_question
                    } else {
                        None
                    },
                ),
                facets: row_facets,
                page: page_index as u32,
                outcome: outcome_index as u32,
                sort,
                distribution,
            });
        }
    }
    (measures, facet_keys)
}

/// The row an overview page shows for `measure`.
fn row_of(site: &Site, urls: &Urls, measure: &Measure) -> Row {
    let page = &site.pages[measure.page as usize];
    let outcome = page
        .outcomes_with_source()
        .and_then(|(outcomes, _)| outcomes.get(measure.outcome as usize))
        .expect("a measure points at an outcome of its page");
    let (headline, as_at) = outcome_headline_as_at(outcome);
    Row {
        page: Link {
            label: page.title.clone(),
            url: urls.page(page.kind, &page.slug.value),
        },
        label: outcome.label.clone(),
        kind_label: outcome.kind.label(),
        headline,
        as_at: as_at.unwrap_or_else(|| "not stated".to_owned()),
    }
}
