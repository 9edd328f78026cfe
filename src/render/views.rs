//! The values templates see. Built from the `Site` once per page; shared pieces (cards of
//! every page, the site header) are built once per build.

use serde::Serialize;

use crate::load::ContentKind;
use crate::model::content::*;
use crate::model::time::{Date, Period};
use crate::model::vocab::*;
use crate::model::{Site, Taxonomy, page_path};
use crate::render::markdown::TocEntry;
use crate::render::outcomes::{OutcomeView, TableView, outcome_view, pounds};

/// The site-wide values, on every page as `site`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub(crate) title: String,
    pub(crate) language: String,
    pub(crate) base_url: String,
    pub(crate) base_path: String,
    pub(crate) home_url: String,
    pub(crate) search_url: String,
    pub(crate) css_url: String,
    pub(crate) code_css_url: String,
    pub(crate) outcomes_url: String,
    pub(crate) outcomes_csv_url: String,
    pub(crate) outcomes_json_url: String,
    pub(crate) feed_url: String,
    pub(crate) navigation: Vec<NavView>,
    pub(crate) search: bool,
    pub(crate) generator: String,
}

/// A navigation entry.
#[derive(Debug, Clone, Serialize)]
pub struct NavView {
    pub(crate) title: String,
    pub(crate) url: String,
}

/// A page in a list.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub(crate) title: String,
    pub(crate) url: String,
    pub(crate) summary: Option<String>,
    pub(crate) kind_label: &'static str,
    pub(crate) published: Option<String>,
    pub(crate) meta: Vec<String>,
    pub(crate) draft: bool,
}

/// A link that may be plain text.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub(crate) label: String,
    pub(crate) url: Option<String>,
}

/// Builds URLs with the site's base path.
#[derive(Debug, Clone)]
pub struct Urls {
    pub(crate) base_path: String,
    pub(crate) base_url: String,
}

impl Urls {
    /// The URLs of a site published at `base_url`.
    pub fn new(base_url: &str) -> Urls {
        let base_url = if base_url.ends_with('/') {
            base_url.to_owned()
        } else {
            format!("{base_url}/")
        };
        Urls {
            base_path: crate::render::base_path(&base_url),
            base_url,
        }
    }

    /// A site path (`/case-studies/x/`) with the base path.
    pub fn path(&self, site_path: &str) -> String {
        format!("{}{}", self.base_path, site_path.trim_start_matches('/'))
    }

    /// An absolute URL for a site path.
    pub fn absolute(&self, site_path: &str) -> String {
        let origin_and_base = self.base_url.trim_end_matches('/');
        let base_path = self.base_path.trim_end_matches('/');
        let origin = origin_and_base
            .strip_suffix(base_path)
            .unwrap_or(origin_and_base);
        format!("{origin}{}", self.path(site_path))
    }

    /// The URL of a page.
    pub fn page(&self, kind: ContentKind, slug: &str) -> String {
        self.path(&page_path(kind, slug))
    }
}

/// "20 January 2025".
pub fn date_text(date: Date) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    format!(
        "{} {} {}",
        date.day,
        MONTHS[(date.month as usize).saturating_sub(1) % 12],
        date.year
    )
}

/// A period as text: "2019", "April 2019", "2015/16".
pub fn period_text(period: Period) -> String {
    match period {
        Period::Day(date) => date_text(date),
        Period::Month(year, month) => {
            let date = Date {
                year,
                month,
                day: 1,
            };
            date_text(date)
                .split_once(' ')
                .map_or_else(String::new, |(_, rest)| rest.to_owned())
        }
        other => other.to_string(),
    }
}

/// The cards of a site's pages, each made the first time it is needed: a preview server that
/// re-renders a few pages makes only the cards those pages show.
pub struct Cards<'a> {
    site: &'a Site,
    urls: &'a Urls,
    cells: Vec<std::sync::OnceLock<Card>>,
}

impl<'a> Cards<'a> {
    /// Cards for every page of `site`, none made yet.
    pub fn new(site: &'a Site, urls: &'a Urls) -> Cards<'a> {
        Cards {
            site,
            urls,
            cells: (0..site.pages.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
        }
    }
}

impl std::ops::Index<usize> for Cards<'_> {
    type Output = Card;

    fn index(&self, index: usize) -> &Card {
        self.cells[index].get_or_init(|| card(&self.site.pages[index], self.urls))
    }
}

/// The card of a page.
pub fn card(page: &Page, urls: &Urls) -> Card {
    let mut meta = Vec::new();
    match &page.details {
        Details::CaseStudy(c) => {
            meta.extend(c.place.nhs_region.map(|r| r.label().to_owned()));
            meta.extend(c.care_settings.iter().map(|s| s.label().to_owned()));
        }
        Details::Programme(p) => {
            meta.extend(p.place.nhs_region.map(|r| r.label().to_owned()));
            meta.extend(p.status.map(|s| s.label().to_owned()));
        }
        Details::Module(m) => meta.extend(m.order.as_ref().map(|o| format!("Module {}", o.value))),
        Details::Cohort(c) => meta.extend(c.start.map(period_text)),
        Details::Organisation(o) => meta.extend(o.org_type.map(|t| t.label().to_owned())),
        Details::Dataset(d) => meta.push(format!("{} rows", d.rows.len())),
    }
    Card {
        title: page.title.clone(),
        url: urls.page(page.kind, &page.slug.value),
        summary: page.summary.clone(),
        kind_label: page.kind.label(),
        published: page.published.map(date_text),
        meta,
        draft: page.draft,
    }
}

fn term_link(taxonomy: Taxonomy, key: &str, label: &str, urls: &Urls) -> LinkView {
    LinkView {
        label: label.to_owned(),
        url: Some(urls.path(&format!("/{}/{}/", taxonomy.segment(), key))),
    }
}

fn page_link(site: &Site, kind: ContentKind, slug: &str, urls: &Urls) -> LinkView {
    match site.get(kind, slug) {
        Some(page) => LinkView {
            label: page.title.clone(),
            url: Some(urls.page(kind, slug)),
        },
        None => LinkView {
            label: slug.to_owned(),
            url: None,
        },
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct OrganisationView {
    name: String,
    url: Option<String>,
    org_type: Option<&'static str>,
    role: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ContactView {
    name: Option<String>,
    role: Option<String>,
    organisation: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SourceView {
    url: String,
    publisher: String,
    title: Option<String>,
    licence: &'static str,
    adapted: bool,
    published: Option<String>,
    accessed: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct AwardView {
    name: String,
    year: Option<u64>,
    result: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ModuleItem {
    order: Option<u64>,
    title: String,
    url: String,
    summary: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct MaterialView {
    title: String,
    url: String,
    format: Option<&'static str>,
    size: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CodeView {
    label: &'static str,
    value: String,
}

/// The `page` value of a content page: common fields plus those of its kind.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    title: String,
    url: String,
    summary: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    draft: bool,
    body_html: String,
    toc: Vec<TocEntry>,
    has_code: bool,
    #[serde(flatten)]
    fields: serde_json::Map<String, serde_json::Value>,
}

/// Everything a page view needs besides the page.
pub struct ViewContext<'a> {
    pub(crate) site: &'a Site,
    pub(crate) urls: &'a Urls,
    pub(crate) cards: &'a Cards<'a>,
    pub(crate) show_emails: bool,
}

impl ViewContext<'_> {
    fn cards_of(&self, indices: &[usize]) -> Vec<Card> {
        indices.iter().map(|&i| self.cards[i].clone()).collect()
    }
}

/// Builds the `page` value of a content page from its rendered body.
pub fn page_view(
    page: &Page,
    body: crate::render::markdown::RenderedBody,
    cx: &ViewContext<'_>,
) -> PageView {
    let crate::render::markdown::RenderedBody {
        html: body_html,
        toc,
        has_code,
    } = body;
    let urls = cx.urls;
    let site = cx.site;
    let mut fields = serde_json::Map::new();
    let mut put = |key: &str, value: serde_json::Value| {
        fields.insert(key.to_owned(), value);
    };
    let json = |value: &dyn erased::Serializable| value.to_json();
    let organisations = |links: &[OrganisationLink]| -> Vec<OrganisationView> {
        links
            .iter()
            .map(|link| OrganisationView {
                name: link.name.clone(),
                url: link
                    .slug
                    .as_ref()
                    .filter(|s| site.get(ContentKind::Organisation, &s.value).is_some())
                    .map(|s| urls.page(ContentKind::Organisation, &s.value)),
                org_type: link.org_type.map(|t| t.label()),
                role: link.role.label(),
            })
            .collect()
    };
    let contacts = |list: &[Contact]| -> Vec<ContactView> {
        list.iter()
            .map(|c| ContactView {
                name: c.name.clone(),
                role: c.role.clone(),
                organisation: c.organisation.clone(),
                email: c.email.clone().filter(|_| cx.show_emails),
                phone: c.phone.clone(),
            })
            .collect()
    };
    let source = |source: &Option<SourceRef>| -> Option<SourceView> {
        source.as_ref().map(|s| SourceView {
            url: s.url.clone(),
            publisher: s.publisher.clone(),
            title: s.title.clone(),
            licence: s.licence.map_or("Licence not stated", |l| l.label()),
            adapted: s.adapted,
            published: s.published.map(period_text),
            accessed: s.accessed.map(date_text),
        })
    };
    let outcomes = |list: &[Outcome]| -> Vec<OutcomeView> {
        list.iter()
            .enumerate()
            .map(|(i, o)| outcome_view(o, Some(&format!("o{}", i + 1))))
            .collect()
    };
    let place_text = |place: &Place| -> Option<String> {
        place
            .nhs_region
            .map(|r| r.label().to_owned())
            .or_else(|| place.ons_region.map(|r| r.label().to_owned()))
    };
    let terms = |page: &Page| -> [Vec<LinkView>; 4] {
        let mut out: [Vec<LinkView>; 4] = Default::default();
        for (taxonomy, key, label) in crate::model::page_terms(page) {
            let slot = Taxonomy::ALL
                .iter()
                .position(|t| *t == taxonomy)
                .unwrap_or(0);
            out[slot].push(term_link(taxonomy, &key, &label, urls));
        }
        out
    };
    let slug = page.slug.value.as_str();
    match &page.details {
        Details::CaseStudy(c) => {
            let [topics, regions, settings, questions] = terms(page);
            put("organisations", json(&organisations(&c.organisations)));
            put("lead_role", json(&c.lead_role));
            put("nhs_region", json(&regions.into_iter().next()));
            put("ons_region", json(&c.place.ons_region.map(|r| r.label())));
            put("local_authority", json(&c.place.local_authority));
            put("care_settings", json(&settings));
            put("topics", json(&topics));
            put("key_questions", json(&questions));
            put(
                "programme",
                json(
                    &c.programme
                        .as_ref()
                        .map(|p| page_link(site, ContentKind::Programme, &p.value, urls)),
                ),
            );
            put(
                "cohort",
                json(
                    &c.cohort
                        .as_ref()
                        .map(|p| page_link(site, ContentKind::Cohort, &p.value, urls)),
                ),
            );
            put("period", json(&c.period.as_ref().map(span_text)));
            put("contacts", json(&contacts(&c.contacts)));
            put("outcomes", json(&outcomes(&c.outcomes)));
            put("outcomes_url", json(&urls.path("/outcomes/")));
            let related: Vec<usize> = c
                .related
                .iter()
                .filter_map(|r| site_index(site, ContentKind::CaseStudy, &r.value))
                .collect();
            put("related", json(&cx.cards_of(&related)));
            put(
                "awards",
                json(
                    &c.awards
                        .iter()
                        .map(|a| AwardView {
                            name: a.name.clone(),
                            year: a.year,
                            result: a.result.map(|r| r.label()),
                        })
                        .collect::<Vec<_>>(),
                ),
            );
            put("source", json(&source(&c.source)));
            put(
                "image",
                json(
                    &c.image
                        .as_ref()
                        .map(|i| serde_json::json!({"src": i.src, "alt": i.alt})),
                ),
            );
        }
        Details::Programme(p) => {
            let [topics, regions, settings, _] = terms(page);
            put("organisations", json(&organisations(&p.organisations)));
            put("nhs_region", json(&regions.into_iter().next()));
            put("ons_region", json(&p.place.ons_region.map(|r| r.label())));
            put("local_authority", json(&p.place.local_authority));
            put("care_settings", json(&settings));
            put("topics", json(&topics));
            put("audience", json(&p.audience));
            put(
                "delivery",
                json(&p.delivery.iter().map(|d| d.label()).collect::<Vec<_>>()),
            );
            put("duration", json(&p.duration));
            put("accreditation", json(&p.accreditation));
            put(
                "cost",
                json(&p.cost.as_ref().map(|m| {
                    format!(
                        "{}{}",
                        pounds(m.value),
                        m.per.as_ref().map(|p| format!(" {p}")).unwrap_or_default()
                    )
                })),
            );
            put("status", json(&p.status.map(|s| s.label())));
            put("contacts", json(&contacts(&p.contacts)));
            put("outcomes", json(&outcomes(&p.outcomes)));
            put("outcomes_url", json(&urls.path("/outcomes/")));
            put("source", json(&source(&p.source)));
            let modules: Vec<ModuleItem> = site
                .relations
                .programme_modules
                .get(slug)
                .map(|list| {
                    list.iter()
                        .map(|&i| {
                            let m = &site.pages[i];
                            let order = match &m.details {
                                Details::Module(module) => module.order.as_ref().map(|o| o.value),
                                _ => None,
                            };
                            ModuleItem {
                                order,
                                title: m.title.clone(),
                                url: urls.page(m.kind, &m.slug.value),
                                summary: m.summary.clone(),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            put("modules", json(&modules));
            let cohort_results: Vec<serde_json::Value> = site
                .relations
                .programme_cohorts
                .get(slug)
                .into_iter()
                .flatten()
                .filter_map(|&i| {
                    let cohort = &site.pages[i];
                    let Details::Cohort(details) = &cohort.details else { return None };
                    if details.outcomes.is_empty() {
                        return None;
                    }
                    let views: Vec<OutcomeView> = details
                        .outcomes
                        .iter()
                        .enumerate()
                        .map(|(j, o)| outcome_view(o, Some(&format!("c{}-o{}", i, j + 1))))
                        .collect();
                    Some(serde_json::json!({
                        "cohort": LinkView { label: cohort.title.clone(), url: Some(urls.page(ContentKind::Cohort, &cohort.slug.value)) },
                        "outcomes": views,
                    }))
                })
                .collect();
            put("cohort_results", json(&cohort_results));
            put(
                "cohorts",
                json(
                    &cx.cards_of(
                        site.relations
                            .programme_cohorts
                            .get(slug)
                            .map_or(&[][..], Vec::as_slice),
                    ),
                ),
            );
            put(
                "case_studies",
                json(
                    &cx.cards_of(
                        site.relations
                            .programme_case_studies
                            .get(slug)
                            .map_or(&[][..], Vec::as_slice),
                    ),
                ),
            );
            let datasets: Vec<usize> = page
                .links
                .iter()
                .filter_map(|l| {
                    l.value
                        .strip_prefix("/data/")
                        .map(|s| s.trim_end_matches('/'))
                })
                .filter_map(|s| site_index(site, ContentKind::Dataset, s))
                .collect();
            put("datasets", json(&cx.cards_of(&datasets)));
        }
        Details::Module(m) => {
            let programme = m
                .programme
                .as_ref()
                .map(|p| p.value.clone())
                .unwrap_or_default();
            put(
                "programme",
                json(&page_link(site, ContentKind::Programme, &programme, urls)),
            );
            put("order", json(&m.order.as_ref().map(|o| o.value)));
            put(
                "learning_outcomes_html",
                json(
                    &m.learning_outcomes
                        .iter()
                        .map(|t| inline_markdown(t))
                        .collect::<Vec<_>>(),
                ),
            );
            put("duration", json(&m.duration));
            put(
                "delivery",
                json(&m.delivery.iter().map(|d| d.label()).collect::<Vec<_>>()),
            );
            let materials: Vec<MaterialView> = m
                .materials
                .iter()
                .map(|material| MaterialView {
                    title: material.title.clone(),
                    url: if material.href.value.contains("://") {
                        material.href.value.clone()
                    } else {
                        urls.path(&material.href.value)
                    },
                    format: material.format.map(|f| f.label()),
                    size: material.size_bytes.map(size_text),
                })
                .collect();
            put("materials", json(&materials));
            let siblings = site
                .relations
                .programme_modules
                .get(&programme)
                .cloned()
                .unwrap_or_default();
            let position = siblings
                .iter()
                .position(|&i| site.pages[i].slug.value == slug);
            let neighbour = |offset: isize| -> Option<LinkView> {
                let at = position? as isize + offset;
                let &i = siblings.get(usize::try_from(at).ok()?)?;
                Some(LinkView {
                    label: site.pages[i].title.clone(),
                    url: Some(urls.page(ContentKind::Module, &site.pages[i].slug.value)),
                })
            };
            put("previous", json(&neighbour(-1)));
            put("next", json(&neighbour(1)));
        }
        Details::Cohort(c) => {
            let programme = c
                .programme
                .as_ref()
                .map(|p| p.value.clone())
                .unwrap_or_default();
            put(
                "programme",
                json(&page_link(site, ContentKind::Programme, &programme, urls)),
            );
            put("number", json(&c.number));
            put(
                "dates",
                json(
                    &span_text(&Span {
                        start: c.start,
                        end: c.end,
                    })
                    .into_nonempty(),
                ),
            );
            put("location", json(&c.location));
            put("participants_enrolled", json(&c.participants_enrolled));
            put("participants_completed", json(&c.participants_completed));
            put("homes", json(&c.homes));
            put("region", json(&place_text(&c.place)));
            put("facilitators", json(&c.facilitators));
            put("outcomes", json(&outcomes(&c.outcomes)));
            put("outcomes_url", json(&urls.path("/outcomes/")));
            put("contacts", json(&contacts(&c.contacts)));
            put("source", json(&source(&c.source)));
            put(
                "case_studies",
                json(
                    &cx.cards_of(
                        site.relations
                            .cohort_case_studies
                            .get(slug)
                            .map_or(&[][..], Vec::as_slice),
                    ),
                ),
            );
        }
        Details::Organisation(o) => {
            put("org_type", json(&o.org_type.map(|t| t.label())));
            put("region", json(&place_text(&o.place)));
            put("local_authority", json(&o.place.local_authority));
            put("website", json(&o.website));
            let mut codes = Vec::new();
            for (label, value) in [
                ("ODS code", &o.ods_code),
                ("ONS code", &o.ons_code),
                ("CQC provider ID", &o.cqc_provider_id),
            ] {
                if let Some(value) = value {
                    codes.push(CodeView {
                        label,
                        value: value.clone(),
                    });
                }
            }
            put("codes", json(&codes));
            put("status", json(&o.status.map(|s| s.label())));
            put("closed", json(&o.closed.map(date_text)));
            put(
                "successor",
                json(&o.successor.as_ref().map(|s| {
                    match site.get(ContentKind::Organisation, &s.value) {
                        Some(target) => LinkView {
                            label: target.title.clone(),
                            url: Some(urls.page(ContentKind::Organisation, &s.value)),
                        },
                        None => LinkView {
                            label: s.value.clone(),
                            url: None,
                        },
                    }
                })),
            );
            let related = site
                .relations
                .organisation_pages
                .get(slug)
                .cloned()
                .unwrap_or_default();
            let led: Vec<usize> = related
                .iter()
                .filter(|(_, role)| *role == OrgRole::Lead)
                .map(|(i, _)| *i)
                .collect();
            let partnered: Vec<usize> = related
                .iter()
                .filter(|(_, role)| *role != OrgRole::Lead)
                .map(|(i, _)| *i)
                .collect();
            put("led", json(&cx.cards_of(&led)));
            put("partnered", json(&cx.cards_of(&partnered)));
        }
        Details::Dataset(d) => {
            put("unit", json(&d.unit));
            put("table", json(&dataset_table(page, d)));
            put("chart_svg", json(&dataset_chart(page, d)));
            put("notes", json(&d.notes));
            put("source", json(&source(&d.source)));
        }
    }
    PageView {
        title: page.title.clone(),
        url: urls.page(page.kind, slug),
        summary: page.summary.clone(),
        published: page.published.map(date_text),
        updated: page.updated.map(date_text),
        draft: page.draft,
        body_html,
        toc,
        has_code,
        fields,
    }
}

/// The table of a dataset.
pub fn dataset_table(page: &Page, dataset: &Dataset) -> TableView {
    let rows = dataset
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Cell::Empty => String::new(),
                    Cell::Text(t) => t.clone(),
                    Cell::Int(n) => n.to_string(),
                    Cell::Number(n) => crate::render::outcomes::number(*n),
                    Cell::Period(p) => p.to_string(),
                    Cell::Rating(r) => r.label().to_owned(),
                })
                .collect()
        })
        .collect();
    TableView {
        caption: format!("{} ({})", page.title, dataset.unit),
        head: dataset.columns.iter().map(|c| c.label.clone()).collect(),
        rows,
    }
}

/// A dataset's chart, where its columns allow one: a first column of CQC ratings and
/// columns of counts become one 100% stacked bar per count column.
pub fn dataset_chart(page: &Page, dataset: &Dataset) -> Option<String> {
    let first = dataset.columns.first()?;
    if first.kind != ColumnType::CqcRating {
        return None;
    }
    let mut bars = Vec::new();
    for (index, column) in dataset.columns.iter().enumerate().skip(1) {
        if column.kind != ColumnType::Int {
            continue;
        }
        let mut counts = [0u64; 5];
        for row in &dataset.rows {
            if let (Some(Cell::Rating(rating)), Some(Cell::Int(count))) =
                (row.first(), row.get(index))
            {
                let slot = CqcRating::ALL.iter().position(|r| r == rating).unwrap_or(4);
                counts[slot] += count;
            }
        }
        bars.push((column.label.clone(), counts));
    }
    if bars.is_empty() {
        return None;
    }
    let summary = format!(
        "{}: services by CQC rating, {}",
        page.title,
        bars.iter()
            .map(|(label, counts)| format!(
                "{label} {} of {} rated Good or Outstanding",
                counts[0] + counts[1],
                counts.iter().sum::<u64>()
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Some(crate::render::charts::dataset_distribution_chart(
        &bars, &summary, "dataset",
    ))
}

fn site_index(site: &Site, kind: ContentKind, slug: &str) -> Option<usize> {
    site.index_of(kind, slug)
}

fn span_text(span: &Span) -> String {
    match (span.start, span.end) {
        (Some(start), Some(end)) => format!("{} to {}", period_text(start), period_text(end)),
        (Some(start), None) => format!("From {}", period_text(start)),
        (None, Some(end)) => format!("Until {}", period_text(end)),
        (None, None) => String::new(),
    }
}

trait NonEmpty {
    fn into_nonempty(self) -> Option<String>;
}

impl NonEmpty for String {
    fn into_nonempty(self) -> Option<String> {
        (!self.is_empty()).then_some(self)
    }
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Inline Markdown (a learning outcome) to HTML, escaped like bodies. Text nested deeper than
/// bodies may be is shown as written, not parsed.
fn inline_markdown(text: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    if crate::parse::first_too_deep(text, crate::parse::MAX_NESTING).is_some() {
        return crate::render::markdown::escape_html(text);
    }
    let events = Parser::new(text).filter_map(|event| match event {
        Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => None,
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) => None,
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html.trim().to_owned()
}

mod erased {
    /// Turns any serialisable value into JSON for the template context.
    pub(crate) trait Serializable {
        fn to_json(&self) -> serde_json::Value;
    }

    impl<T: serde::Serialize> Serializable for T {
        fn to_json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}
