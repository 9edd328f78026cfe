//! The `page` value of each content type: one struct per type, flattened beside the common
//! fields of [`super::PageView`]. These structs are the contract with templates: every field
//! here is a name a template may use, and `docs/theming.md` lists them (a test checks both
//! agree).

use serde::Serialize;

use super::{
    Card, ContactView, LinkView, OrganisationView, SourceView, ViewContext, contacts,
    organisations, outcomes, page_link, place_text, source, terms,
};
use crate::model::ContentKind;
use crate::model::content::*;
use crate::model::vocab::*;
use crate::render::format::{date_text, number, pounds, size_text, span_text};
use crate::render::outcomes::{OutcomeView, TableView, outcome_view};

/// What a case study adds to its page.
#[derive(Debug, Clone, Serialize)]
pub struct CaseStudyView {
    organisations: Vec<OrganisationView>,
    lead_role: Option<String>,
    nhs_region: Option<LinkView>,
    ons_region: Option<&'static str>,
    local_authority: Option<String>,
    care_settings: Vec<LinkView>,
    topics: Vec<LinkView>,
    key_questions: Vec<LinkView>,
    programme: Option<LinkView>,
    cohort: Option<LinkView>,
    period: Option<String>,
    contacts: Vec<ContactView>,
    outcomes: Vec<OutcomeView>,
    outcomes_url: String,
    related: Vec<Card>,
    awards: Vec<AwardView>,
    source: Option<SourceView>,
    image: Option<ImageView>,
}

/// What a programme adds to its page.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeView {
    organisations: Vec<OrganisationView>,
    nhs_region: Option<LinkView>,
    ons_region: Option<&'static str>,
    local_authority: Option<String>,
    care_settings: Vec<LinkView>,
    topics: Vec<LinkView>,
    audience: Option<String>,
    delivery: Vec<&'static str>,
    duration: Option<String>,
    accreditation: Option<String>,
    cost: Option<String>,
    status: Option<&'static str>,
    contacts: Vec<ContactView>,
    outcomes: Vec<OutcomeView>,
    outcomes_url: String,
    source: Option<SourceView>,
    modules: Vec<ModuleItem>,
    cohort_results: Vec<CohortResults>,
    cohorts: Vec<Card>,
    case_studies: Vec<Card>,
    datasets: Vec<Card>,
}

/// What a module adds to its page.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleView {
    programme: LinkView,
    order: Option<u64>,
    learning_outcomes_html: Vec<String>,
    duration: Option<String>,
    delivery: Vec<&'static str>,
    materials: Vec<MaterialView>,
    previous: Option<LinkView>,
    next: Option<LinkView>,
}

/// What a cohort adds to its page.
#[derive(Debug, Clone, Serialize)]
pub struct CohortView {
    programme: LinkView,
    number: Option<u64>,
    dates: Option<String>,
    location: Option<String>,
    participants_enrolled: Option<u64>,
    participants_completed: Option<u64>,
    homes: Option<u64>,
    region: Option<String>,
    facilitators: Vec<String>,
    outcomes: Vec<OutcomeView>,
    outcomes_url: String,
    contacts: Vec<ContactView>,
    source: Option<SourceView>,
    case_studies: Vec<Card>,
}

/// What an organisation adds to its page.
#[derive(Debug, Clone, Serialize)]
pub struct OrganisationPageView {
    org_type: Option<&'static str>,
    region: Option<String>,
    local_authority: Option<String>,
    website: Option<String>,
    codes: Vec<CodeView>,
    status: Option<&'static str>,
    closed: Option<String>,
    successor: Option<LinkView>,
    /// The newest [`ORGANISATION_CARDS`] pages it led, of `led_total`.
    led: Vec<Card>,
    led_total: usize,
    /// The newest [`ORGANISATION_CARDS`] pages it took part in, of `partnered_total`.
    partnered: Vec<Card>,
    partnered_total: usize,
    /// The search for every page naming it, when the site has search.
    all_url: Option<String>,
}

/// Cards an organisation page shows in each of its lists: a national body is named by
/// thousands of pages, and its page must not grow with them.
pub(crate) const ORGANISATION_CARDS: usize = 12;

/// What a dataset adds to its page.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetView {
    unit: String,
    table: TableView,
    chart_html: Option<String>,
    notes: Option<String>,
    source: Option<SourceView>,
}

/// What a general page adds to its page.
#[derive(Debug, Clone, Serialize)]
pub struct GeneralPageView {
    /// `header` or `footer`, when a menu links it.
    menu: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct AwardView {
    name: String,
    year: Option<u64>,
    result: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ImageView {
    src: String,
    alt: String,
    /// The `<picture>` of the resized outputs, when the image is one of the site's files.
    picture: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ModuleItem {
    order: Option<u64>,
    title: String,
    url: String,
    summary: Option<String>,
}

/// A cohort's own outcome figures, shown on its programme's page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CohortResults {
    cohort: LinkView,
    outcomes: Vec<OutcomeView>,
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

pub(super) fn case_study(page: &Page, c: &CaseStudy, cx: &ViewContext<'_>) -> CaseStudyView {
    let (site, urls) = (cx.site, cx.urls);
    let [topics, regions, settings, questions] = terms(page, urls);
    let related = site
        .index_of(page.kind, &page.slug.value)
        .map(|index| cx.related.related(site, index))
        .unwrap_or_default();
    CaseStudyView {
        organisations: organisations(&c.organisations, cx),
        lead_role: c.lead_role.clone(),
        nhs_region: regions.into_iter().next(),
        ons_region: c.place.ons_region.map(|r| r.label()),
        local_authority: c.place.local_authority.clone(),
        care_settings: settings,
        topics,
        key_questions: questions,
        programme: c
            .programme
            .as_ref()
            .map(|p| page_link(site, ContentKind::Programme, &p.value, urls)),
        cohort: c
            .cohort
            .as_ref()
            .map(|p| page_link(site, ContentKind::Cohort, &p.value, urls)),
        period: c.period.as_ref().map(span_text),
        contacts: contacts(&c.contacts, cx),
        outcomes: outcomes(&c.outcomes),
        outcomes_url: urls.path("/outcomes/"),
        related: cx.cards_of(&related),
        awards: c
            .awards
            .iter()
            .map(|a| AwardView {
                name: a.name.clone(),
                year: a.year,
                result: a.result.map(|r| r.label()),
            })
            .collect(),
        source: source(&c.source),
        image: c.image.as_ref().map(|i| ImageView {
            src: i.src.clone(),
            alt: i.alt.clone(),
            picture: crate::render::picture::for_page(cx.images, page).markup(&i.src, &i.alt, None),
        }),
    }
}

pub(super) fn programme(page: &Page, p: &Programme, cx: &ViewContext<'_>) -> ProgrammeView {
    let (site, urls) = (cx.site, cx.urls);
    let slug = page.slug.value.as_str();
    let [topics, regions, settings, _] = terms(page, urls);
    let related = |map: &std::collections::BTreeMap<String, Vec<usize>>| -> Vec<Card> {
        cx.cards_of(map.get(slug).map_or(&[][..], Vec::as_slice))
    };
    let modules = site
        .relations
        .programme_modules
        .get(slug)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(place, &i)| {
            let m = &site.pages[i];
            ModuleItem {
                order: Some(place as u64 + 1),
                title: m.title.clone(),
                url: urls.page(m.kind, &m.slug.value),
                summary: m.summary.clone(),
            }
        })
        .collect();
    let cohort_results = site
        .relations
        .programme_cohorts
        .get(slug)
        .into_iter()
        .flatten()
        .filter_map(|&i| {
            let cohort = &site.pages[i];
            let Details::Cohort(details) = &cohort.details else {
                return None;
            };
            if details.outcomes.is_empty() {
                return None;
            }
            let outcomes = details
                .outcomes
                .iter()
                .enumerate()
                .map(|(j, o)| outcome_view(o, Some(&format!("c{}-o{}", i, j + 1))))
                .collect();
            Some(CohortResults {
                cohort: LinkView {
                    label: cohort.title.clone(),
                    url: Some(urls.page(ContentKind::Cohort, &cohort.slug.value)),
                },
                outcomes,
            })
        })
        .collect();
    let datasets: Vec<usize> = page
        .links
        .iter()
        .filter_map(|l| {
            l.value
                .strip_prefix("/data/")
                .map(|s| s.trim_end_matches('/'))
        })
        .filter_map(|s| site.index_of(ContentKind::Dataset, s))
        .collect();
    ProgrammeView {
        organisations: organisations(&p.organisations, cx),
        nhs_region: regions.into_iter().next(),
        ons_region: p.place.ons_region.map(|r| r.label()),
        local_authority: p.place.local_authority.clone(),
        care_settings: settings,
        topics,
        audience: p.audience.clone(),
        delivery: p.delivery.iter().map(|d| d.label()).collect(),
        duration: p.duration.clone(),
        accreditation: p.accreditation.clone(),
        cost: p.cost.as_ref().map(|m| {
            format!(
                "{}{}",
                pounds(m.value),
                m.per.as_ref().map(|p| format!(" {p}")).unwrap_or_default()
            )
        }),
        status: p.status.map(|s| s.label()),
        contacts: contacts(&p.contacts, cx),
        outcomes: outcomes(&p.outcomes),
        outcomes_url: urls.path("/outcomes/"),
        source: source(&p.source),
        modules,
        cohort_results,
        cohorts: related(&site.relations.programme_cohorts),
        case_studies: related(&site.relations.programme_case_studies),
        datasets: cx.cards_of(&datasets),
    }
}

pub(super) fn module(page: &Page, m: &Module, cx: &ViewContext<'_>) -> ModuleView {
    let (site, urls) = (cx.site, cx.urls);
    let programme = m
        .programme
        .as_ref()
        .map(|p| p.value.clone())
        .unwrap_or_default();
    let materials = m
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
    let siblings = site
        .relations
        .programme_modules
        .get(&programme)
        .map_or(&[][..], Vec::as_slice);
    let position = siblings
        .iter()
        .position(|&i| site.pages[i].slug.value == page.slug.value);
    let neighbour = |offset: isize| -> Option<LinkView> {
        let at = position? as isize + offset;
        let &i = siblings.get(usize::try_from(at).ok()?)?;
        Some(LinkView {
            label: site.pages[i].title.clone(),
            url: Some(urls.page(ContentKind::Module, &site.pages[i].slug.value)),
        })
    };
    ModuleView {
        programme: page_link(site, ContentKind::Programme, &programme, urls),
        order: position.map(|place| place as u64 + 1),
        learning_outcomes_html: m
            .learning_outcomes
            .iter()
            .map(|t| inline_markdown(t))
            .collect(),
        duration: m.duration.clone(),
        delivery: m.delivery.iter().map(|d| d.label()).collect(),
        materials,
        previous: neighbour(-1),
        next: neighbour(1),
    }
}

pub(super) fn cohort(page: &Page, c: &Cohort, cx: &ViewContext<'_>) -> CohortView {
    let (site, urls) = (cx.site, cx.urls);
    let programme = c
        .programme
        .as_ref()
        .map(|p| p.value.clone())
        .unwrap_or_default();
    let dates = span_text(&Span {
        start: c.start,
        end: c.end,
    });
    CohortView {
        programme: page_link(site, ContentKind::Programme, &programme, urls),
        number: c.number,
        dates: (!dates.is_empty()).then_some(dates),
        location: c.location.clone(),
        participants_enrolled: c.participants_enrolled,
        participants_completed: c.participants_completed,
        homes: c.homes,
        region: place_text(&c.place),
        facilitators: c.facilitators.clone(),
        outcomes: outcomes(&c.outcomes),
        outcomes_url: urls.path("/outcomes/"),
        contacts: contacts(&c.contacts, cx),
        source: source(&c.source),
        case_studies: cx.cards_of(
            site.relations
                .cohort_case_studies
                .get(page.slug.value.as_str())
                .map_or(&[][..], Vec::as_slice),
        ),
    }
}

pub(super) fn organisation(
    page: &Page,
    o: &Organisation,
    cx: &ViewContext<'_>,
) -> OrganisationPageView {
    let (site, urls) = (cx.site, cx.urls);
    let codes = [
        ("ODS code", &o.ods_code),
        ("ONS code", &o.ons_code),
        ("CQC provider ID", &o.cqc_provider_id),
    ]
    .into_iter()
    .filter_map(|(label, value)| {
        value.as_ref().map(|value| CodeView {
            label,
            value: value.clone(),
        })
    })
    .collect();
    let successor =
        o.successor
            .as_ref()
            .map(|s| match site.get(ContentKind::Organisation, &s.value) {
                Some(target) => LinkView {
                    label: target.title.clone(),
                    url: Some(urls.page(ContentKind::Organisation, &s.value)),
                },
                None => LinkView {
                    label: s.value.clone(),
                    url: None,
                },
            });
    let related = site
        .relations
        .organisation_pages
        .get(page.slug.value.as_str())
        .map_or(&[][..], Vec::as_slice);
    let (led, partnered): (Vec<_>, Vec<_>) =
        related.iter().partition(|(_, role)| *role == OrgRole::Lead);
    // Newest first, the first few: the rest are a search away.
    let indices = |list: Vec<&(usize, OrgRole)>| -> Vec<usize> {
        let mut list: Vec<usize> = list.into_iter().map(|(i, _)| *i).collect();
        list.sort_by(|&a, &b| {
            let (a, b) = (&site.pages[a], &site.pages[b]);
            (b.published, &a.kind, &a.slug.value).cmp(&(a.published, &b.kind, &b.slug.value))
        });
        list.truncate(ORGANISATION_CARDS);
        list
    };
    let (led_total, partnered_total) = (led.len(), partnered.len());
    let cut = led_total.max(partnered_total) > ORGANISATION_CARDS;
    let all_url = (cx.search && cut)
        .then(|| urls.path(&format!("/search/?organisation={}", page.slug.value)));
    OrganisationPageView {
        org_type: o.org_type.map(|t| t.label()),
        region: place_text(&o.place),
        local_authority: o.place.local_authority.clone(),
        website: o.website.clone(),
        codes,
        status: o.status.map(|s| s.label()),
        closed: o.closed.map(date_text),
        successor,
        led: cx.cards_of(&indices(led)),
        led_total,
        partnered: cx.cards_of(&indices(partnered)),
        partnered_total,
        all_url,
    }
}

pub(super) fn general_page(p: &GeneralPage) -> GeneralPageView {
    GeneralPageView {
        menu: p.menu.map(|menu| menu.key()),
    }
}

pub(super) fn dataset(page: &Page, d: &Dataset) -> DatasetView {
    DatasetView {
        unit: d.unit.clone(),
        table: dataset_table(page, d),
        chart_html: dataset_chart(page, d),
        notes: d.notes.clone(),
        source: source(&d.source),
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
                    Cell::Number(n) => number(*n),
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
