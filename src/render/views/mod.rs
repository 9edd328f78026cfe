//! The values templates see, as typed structs: the site header (`site`), cards, links, and
//! the `page` value of each content page, whose fields of its own type come from `pages.rs`.
//! Built from the `Site` once per page; shared pieces (cards of every page, the site header)
//! are built once per build.

mod pages;

use serde::Serialize;

use crate::model::ContentKind;
use crate::model::content::*;
use crate::model::vocab::*;
use crate::model::{Site, Taxonomy};
use crate::render::format::{date_text, period_text};
use crate::render::markdown::{RenderedBody, TocEntry};
use crate::render::outcomes::{OutcomeView, outcome_headline, outcome_view};
use crate::render::urls::Urls;

pub use pages::{
    CaseStudyView, CohortView, DatasetView, GeneralPageView, ModuleView, OrganisationPageView,
    ProgrammeView, dataset_chart, dataset_table,
};

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
    /// `css/brand.css` (the config's brand colour), when the site sets one.
    pub(crate) brand_css_url: Option<String>,
    /// The site's logo, from `static/`, when it sets one.
    pub(crate) logo_url: Option<String>,
    pub(crate) icon_url: String,
    pub(crate) outcomes_url: String,
    pub(crate) outcomes_csv_url: String,
    pub(crate) outcomes_json_url: String,
    pub(crate) feed_url: String,
    pub(crate) navigation: Vec<NavView>,
    /// The footer's links to general pages: `menu: footer` and the accessibility statement.
    pub(crate) footer: Vec<NavView>,
    pub(crate) search: bool,
    pub(crate) generator: String,
}

/// A navigation entry.
#[derive(Debug, Clone, Serialize)]
pub struct NavView {
    pub(crate) title: String,
    pub(crate) url: String,
}

/// A page in a list. Templates see the fields of [`CardFields`]; the card carries them made
/// into a template value once, so that the many lists showing a card (listing and term pages,
/// related case studies) share that value rather than each making and dropping its own.
#[derive(Debug, Clone)]
pub struct Card {
    pub(crate) title: String,
    pub(crate) url: String,
    /// The page's headline outcome in one sentence, when it has outcomes.
    pub(crate) headline: Option<String>,
    value: tera::Value,
}

/// The fields of a [`Card`] as templates see them.
#[derive(Serialize)]
struct CardFields<'a> {
    title: &'a str,
    url: &'a str,
    summary: Option<&'a str>,
    headline: Option<&'a str>,
    kind_label: &'static str,
    published: Option<String>,
    meta: Vec<String>,
    draft: bool,
}

impl Serialize for Card {
    /// The card's template value: Tera takes it as it is (sharing it), other serialisers
    /// read its fields.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

/// A link that may be plain text.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub(crate) label: String,
    pub(crate) url: Option<String>,
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
        Details::Page(_) => {}
    }
    let url = urls.page(page.kind, &page.slug.value);
    let headline = page.headline_outcome().map(outcome_headline);
    let value = tera::Value::from_serializable(&CardFields {
        title: &page.title,
        url: &url,
        summary: page.summary.as_deref(),
        headline: headline.as_deref(),
        kind_label: page.kind.label(),
        published: page.published.map(date_text),
        meta,
        draft: page.draft,
    });
    Card {
        title: page.title.clone(),
        url,
        headline,
        value,
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

/// The `page` value of a content page: the fields every page has, and those of its type.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    title: String,
    url: String,
    summary: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    reviewed: Option<String>,
    review_due: Option<String>,
    draft: bool,
    body_html: String,
    toc: Vec<TocEntry>,
    has_code: bool,
    #[serde(flatten)]
    details: DetailsView,
}

/// The fields of a page's own type, written beside the common ones.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum DetailsView {
    /// A case study's.
    CaseStudy(CaseStudyView),
    /// A programme's.
    Programme(ProgrammeView),
    /// A module's.
    Module(ModuleView),
    /// A cohort's.
    Cohort(CohortView),
    /// An organisation's.
    Organisation(OrganisationPageView),
    /// A dataset's.
    Dataset(DatasetView),
    /// A general page's.
    Page(GeneralPageView),
}

/// Everything a page view needs besides the page.
pub struct ViewContext<'a> {
    pub(crate) site: &'a Site,
    pub(crate) urls: &'a Urls,
    pub(crate) cards: &'a Cards<'a>,
    pub(crate) show_emails: bool,
    /// Whether the site has its search page (lists can link to it for more).
    pub(crate) search: bool,
    /// The site's `review_after`, which sets the review date of pages that give none.
    pub(crate) review_after: Option<crate::model::time::Interval>,
    /// What chooses the related case studies of a case study without `related:`.
    pub(crate) related: &'a crate::model::related::RelatedIndex,
    /// The site's images, for a case study's `image:`.
    pub(crate) images: &'a crate::images::Images,
}

impl ViewContext<'_> {
    fn cards_of(&self, indices: &[usize]) -> Vec<Card> {
        indices.iter().map(|&i| self.cards[i].clone()).collect()
    }
}

/// Builds the `page` value of a content page from its rendered body.
pub fn page_view(page: &Page, body: RenderedBody, cx: &ViewContext<'_>) -> PageView {
    let details = match &page.details {
        Details::CaseStudy(c) => DetailsView::CaseStudy(pages::case_study(page, c, cx)),
        Details::Programme(p) => DetailsView::Programme(pages::programme(page, p, cx)),
        Details::Module(m) => DetailsView::Module(pages::module(page, m, cx)),
        Details::Cohort(c) => DetailsView::Cohort(pages::cohort(page, c, cx)),
        Details::Organisation(o) => DetailsView::Organisation(pages::organisation(page, o, cx)),
        Details::Dataset(d) => DetailsView::Dataset(pages::dataset(page, d)),
        Details::Page(p) => DetailsView::Page(pages::general_page(p)),
    };
    PageView {
        title: page.title.clone(),
        url: cx.urls.page(page.kind, &page.slug.value),
        summary: page.summary.clone(),
        published: page.published.map(date_text),
        updated: page.updated.map(date_text),
        reviewed: page
            .reviewed
            .as_ref()
            .map(|reviewed| date_text(reviewed.value)),
        review_due: page.review_due(cx.review_after).map(date_text),
        draft: page.draft,
        body_html: body.html,
        toc: body.toc,
        has_code: body.has_code,
        details,
    }
}

/// The organisations a page names, linked where they have a page.
fn organisations(links: &[OrganisationLink], cx: &ViewContext<'_>) -> Vec<OrganisationView> {
    links
        .iter()
        .map(|link| OrganisationView {
            name: link.name.clone(),
            url: link
                .slug
                .as_ref()
                .filter(|s| cx.site.get(ContentKind::Organisation, &s.value).is_some())
                .map(|s| cx.urls.page(ContentKind::Organisation, &s.value)),
            org_type: link.org_type.map(|t| t.label()),
            role: link.role.label(),
        })
        .collect()
}

/// A page's contacts; email addresses only where the site shows them.
fn contacts(list: &[Contact], cx: &ViewContext<'_>) -> Vec<ContactView> {
    list.iter()
        .map(|c| ContactView {
            name: c.name.clone(),
            role: c.role.clone(),
            organisation: c.organisation.clone(),
            email: c.email.clone().filter(|_| cx.show_emails),
            phone: c.phone.clone(),
        })
        .collect()
}

fn source(source: &Option<SourceRef>) -> Option<SourceView> {
    source.as_ref().map(|s| SourceView {
        url: s.url.clone(),
        publisher: s.publisher.clone(),
        title: s.title.clone(),
        licence: s.licence.map_or("Licence not stated", |l| l.label()),
        adapted: s.adapted,
        published: s.published.map(period_text),
        accessed: s.accessed.map(date_text),
    })
}

/// Outcome figures, each with its chart id (`o1`, `o2`, …) on the page.
fn outcomes(list: &[Outcome]) -> Vec<OutcomeView> {
    list.iter()
        .enumerate()
        .map(|(i, o)| outcome_view(o, Some(&format!("o{}", i + 1))))
        .collect()
}

/// A place as one label: its NHS region, else its ONS region.
fn place_text(place: &Place) -> Option<String> {
    place
        .nhs_region
        .map(|r| r.label().to_owned())
        .or_else(|| place.ons_region.map(|r| r.label().to_owned()))
}

/// The page's taxonomy terms as links, one list per taxonomy in [`Taxonomy::ALL`]'s order.
fn terms(page: &Page, urls: &Urls) -> [Vec<LinkView>; 4] {
    let mut out: [Vec<LinkView>; 4] = Default::default();
    for (taxonomy, key, label) in crate::model::page_terms(page) {
        let slot = Taxonomy::ALL
            .iter()
            .position(|t| *t == taxonomy)
            .unwrap_or(0);
        out[slot].push(term_link(taxonomy, &key, &label, urls));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The names a section of `docs/theming.md` documents: the first cell of each table row
    /// (`` | `name` | … ``) under the heading that contains `heading`, up to the next heading.
    fn documented(docs: &str, heading: &str) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        let mut inside = false;
        for line in docs.lines() {
            if line.starts_with('#') {
                inside = line.contains(heading);
                continue;
            }
            if !inside {
                continue;
            }
            let Some(cell) = line.strip_prefix("| `") else {
                continue;
            };
            if let Some((name, _)) = cell.split_once('`') {
                names.insert(name.to_owned());
            }
        }
        names
    }

    fn keys(value: &serde_json::Value) -> BTreeSet<String> {
        value
            .as_object()
            .map(|map| map.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn docs_theming_lists_exactly_the_fields_of_each_page_view() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check(root).expect("the example site checks");
        let site = &checked.site;
        let urls = Urls::new("/");
        let cards = Cards::new(site, &urls);
        let cx = ViewContext {
            site,
            urls: &urls,
            cards: &cards,
            show_emails: false,
            search: true,
            review_after: None,
            related: &crate::model::related::RelatedIndex::new(site),
            images: &checked.images,
        };
        let docs = std::fs::read_to_string(root.join("docs/theming.md")).expect("docs/theming.md");
        let common = documented(&docs, "`page` on every content page");
        assert!(
            common.contains("title"),
            "no common section in docs/theming.md"
        );
        let mut problems = Vec::new();
        for kind in ContentKind::ALL {
            let page = site
                .pages
                .iter()
                .find(|p| p.kind == kind)
                .expect("the example site has a page of every type");
            let body = RenderedBody {
                html: String::new(),
                toc: Vec::new(),
                has_code: false,
            };
            let view = serde_json::to_value(page_view(page, body, &cx)).expect("serialises");
            let fields = keys(&view);
            let heading = format!("`page`: {}", kind.type_name());
            let mut listed = documented(&docs, &heading);
            listed.extend(common.iter().cloned());
            if fields != listed {
                problems.push(format!(
                    "{heading}: in the view but not the docs {:?}; in the docs but not the view {:?}",
                    fields.difference(&listed).collect::<Vec<_>>(),
                    listed.difference(&fields).collect::<Vec<_>>()
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
