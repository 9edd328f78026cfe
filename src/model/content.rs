//! The typed content of one file: what the parse stage produces and the model links.
//!
//! These types hold values already checked one by one (a date exists, a rating is in its
//! vocabulary). Whatever a later check must point at (references, slugs, orders) keeps its
//! position as a [`Located`] value. The file is long because it is the whole content model's
//! types (each content type, its details and every kind of outcome figure), documented field
//! by field; they are read together.

use crate::diagnostics::{Located, Pos};
use crate::model::ContentKind;
use crate::model::time::{Date, Interval, Period};
use crate::model::vocab::*;

/// One content file, typed.
#[derive(Debug, Clone)]
pub struct Page {
    /// The kind, from the folder.
    pub kind: ContentKind,
    /// The file, relative to the site root.
    pub file: String,
    /// The slug (from `slug:` or the file name) and where it was written.
    pub slug: Located<String>,
    /// Whether `slug:` was given explicitly.
    pub slug_explicit: bool,
    /// The title (an organisation's `name`).
    pub title: String,
    /// The summary, if any.
    pub summary: Option<String>,
    /// First published on this site.
    pub published: Option<Date>,
    /// Last updated.
    pub updated: Option<Date>,
    /// When the content was last reviewed, at its key.
    pub reviewed: Option<Located<Date>>,
    /// When the next review is due, as written, at its key.
    pub review_due: Option<Located<Date>>,
    /// Drafts appear only in previews and `--drafts` builds.
    pub draft: bool,
    /// The Markdown body (empty for datasets).
    pub body: Body,
    /// Site-absolute links found in the body, with the position of each `[`.
    pub links: Vec<Located<String>>,
    /// Images in the body (`![alt](src "title")`), in order.
    pub images: Vec<BodyImage>,
    /// The fields of this kind.
    pub details: Details,
}

impl Page {
    /// When the page is next due for review: its own `review_due`, else `review_after` after
    /// its last review, update or publication (the first of these it gives). None when
    /// neither says.
    pub fn review_due(&self, review_after: Option<Interval>) -> Option<Date> {
        if let Some(due) = &self.review_due {
            return Some(due.value);
        }
        let last = self
            .reviewed
            .as_ref()
            .map(|reviewed| reviewed.value)
            .or(self.updated)
            .or(self.published)?;
        Some(review_after?.after(last))
    }

    /// The outcome measures of a page that can state them (case studies, programmes and
    /// cohorts), with the page's source, which gives their licence.
    pub fn outcomes_with_source(&self) -> Option<(&[Outcome], Option<&SourceRef>)> {
        match &self.details {
            Details::CaseStudy(c) => Some((&c.outcomes, c.source.as_ref())),
            Details::Programme(p) => Some((&p.outcomes, p.source.as_ref())),
            Details::Cohort(c) => Some((&c.outcomes, c.source.as_ref())),
            _ => None,
        }
    }

    /// The outcome a page leads with in lists and search results: the one its `headline:`
    /// names, else its first. None for a page without outcomes.
    pub fn headline_outcome(&self) -> Option<&Outcome> {
        let (outcomes, chosen) = match &self.details {
            Details::CaseStudy(c) => (&c.outcomes, c.headline),
            Details::Programme(p) => (&p.outcomes, p.headline),
            Details::Cohort(c) => (&c.outcomes, None),
            _ => return None,
        };
        outcomes.get(chosen.unwrap_or(0))
    }

    /// Lets go of what only the render shows: the summary; the outcomes, contacts, awards,
    /// sources and council areas of case studies, programmes and cohorts; the names (not the
    /// slugs) of the organisations they name; and their other free text (lead role,
    /// audience, duration, accreditation, cost, location, facilitators). The parse stage has
    /// checked each of these on its own, and nothing after it (linking, the image scan,
    /// review dates) reads them, so `casebook check` keeps its pages without them (at
    /// 100,000 case studies, about half of its 500 MB of pages). What is left still names
    /// what linking checks: slugs, programmes, cohorts, modules, organisations' pages,
    /// related pages, terms and images.
    pub fn let_go_shown(&mut self) {
        fn unnamed(organisations: &mut [OrganisationLink]) {
            for organisation in organisations {
                organisation.name = String::new();
            }
        }
        self.summary = None;
        match &mut self.details {
            Details::CaseStudy(c) => {
                unnamed(&mut c.organisations);
                c.lead_role = None;
                c.place.local_authority = None;
                c.outcomes = Vec::new();
                c.contacts = Vec::new();
                c.awards = Vec::new();
                c.source = None;
            }
            Details::Programme(p) => {
                unnamed(&mut p.organisations);
                p.place.local_authority = None;
                p.audience = None;
                p.duration = None;
                p.accreditation = None;
                p.cost = None;
                p.outcomes = Vec::new();
                p.contacts = Vec::new();
                p.source = None;
            }
            Details::Cohort(c) => {
                c.place.local_authority = None;
                c.location = None;
                c.facilitators = Vec::new();
                c.outcomes = Vec::new();
                c.contacts = Vec::new();
                c.source = None;
            }
            Details::Module(_)
            | Details::Organisation(_)
            | Details::Dataset(_)
            | Details::Page(_) => {}
        }
    }
}

/// A Markdown body and the file line it starts on.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// The Markdown text.
    pub markdown: String,
    /// The line of the file where the body starts.
    pub first_line: u32,
    /// Set once the text is let go ([`Body::let_go`]): a hash of the text it was, so that the
    /// text read again later can be known to be the one that was checked.
    pub let_go: Option<u64>,
}

impl Body {
    /// Lets go of the text, keeping its hash.
    pub fn let_go(&mut self) {
        self.let_go = Some(Body::hash_of(&self.markdown));
        self.markdown = String::new();
    }

    /// Whether `text` is the text this body had: always, while it keeps its text.
    pub fn had_text(&self, text: &str) -> bool {
        self.let_go.is_none_or(|hash| hash == Body::hash_of(text))
    }

    /// The hash a body let go of keeps of its text.
    pub fn hash_of(text: &str) -> u64 {
        xxhash_rust::xxh3::xxh3_64(text.as_bytes())
    }
}

/// The fields particular to each kind.
#[derive(Debug, Clone)]
pub enum Details {
    /// A case study.
    CaseStudy(CaseStudy),
    /// A programme.
    Programme(Programme),
    /// A module of a programme.
    Module(Module),
    /// A cohort of a programme.
    Cohort(Cohort),
    /// An organisation.
    Organisation(Organisation),
    /// A dataset.
    Dataset(Dataset),
    /// A general page.
    Page(GeneralPage),
}

/// Where a piece of work happened.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// NHS England region.
    pub nhs_region: Option<NhsRegion>,
    /// ONS region or nation.
    pub ons_region: Option<OnsRegion>,
    /// Council area.
    pub local_authority: Option<String>,
}

/// An organisation named by a page.
#[derive(Debug, Clone)]
pub struct OrganisationLink {
    /// As written.
    pub name: String,
    /// Its kind.
    pub org_type: Option<OrgType>,
    /// The organisation's page, if it has one.
    pub slug: Option<Located<String>>,
    /// Lead, partner, funder or evaluator.
    pub role: OrgRole,
}

/// A contact, by name or role.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    /// Person's name.
    pub name: Option<String>,
    /// Role.
    pub role: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
    /// Email address (shown only if the config allows).
    pub email: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
}

/// Where a text was first published.
#[derive(Debug, Clone)]
pub struct SourceRef {
    /// Address of the original.
    pub url: String,
    /// Who published it.
    pub publisher: String,
    /// Its title.
    pub title: Option<String>,
    /// Its licence.
    pub licence: Option<Licence>,
    /// When it was published.
    pub published: Option<Period>,
    /// When it was accessed.
    pub accessed: Option<Date>,
    /// Whether the text here is adapted.
    pub adapted: bool,
}

/// An image of a Markdown body: `![alt](src "title")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyImage {
    /// The address as written: a path relative to the page's file, a path under `static/`
    /// from `/`, or a URL.
    pub src: String,
    /// The alternative text (the text between the brackets).
    pub alt: String,
    /// Marked decorative with the title `"decorative"`: shown with `alt=""`.
    pub decorative: bool,
    /// Where the `!` is.
    pub at: Pos,
}

/// An image with its alternative text.
#[derive(Debug, Clone)]
pub struct Image {
    /// Path or URL.
    pub src: String,
    /// Where `src`'s value is written.
    pub src_at: Pos,
    /// Alternative text (empty for decorative images).
    pub alt: String,
}

/// An award entry.
#[derive(Debug, Clone)]
pub struct Award {
    /// Name of the award.
    pub name: String,
    /// Year.
    pub year: Option<u64>,
    /// Result.
    pub result: Option<AwardResult>,
}

/// When a piece of work ran.
#[derive(Debug, Clone, Default)]
pub struct Span {
    /// Start.
    pub start: Option<Period>,
    /// End; none while ongoing.
    pub end: Option<Period>,
}

/// A case study.
#[derive(Debug, Clone, Default)]
pub struct CaseStudy {
    /// Organisations involved.
    pub organisations: Vec<OrganisationLink>,
    /// Role that led the change.
    pub lead_role: Option<String>,
    /// Where.
    pub place: Place,
    /// Care settings.
    pub care_settings: Vec<CareSetting>,
    /// Free tags.
    pub topics: Vec<String>,
    /// CQC key questions addressed.
    pub key_questions: Vec<KeyQuestion>,
    /// Programme this came from.
    pub programme: Option<Located<String>>,
    /// Cohort this came from.
    pub cohort: Option<Located<String>>,
    /// When the work ran.
    pub period: Option<Span>,
    /// Contacts.
    pub contacts: Vec<Contact>,
    /// Outcome measures.
    pub outcomes: Vec<Outcome>,
    /// Which outcome is the headline (an index into `outcomes`), when `headline:` names one
    /// other than the first.
    pub headline: Option<usize>,
    /// Related case studies.
    pub related: Vec<Located<String>>,
    /// Awards.
    pub awards: Vec<Award>,
    /// Original publication.
    pub source: Option<SourceRef>,
    /// Image.
    pub image: Option<Image>,
}

/// A sum of money.
#[derive(Debug, Clone)]
pub struct Money {
    /// Amount.
    pub value: f64,
    /// Currency code (GBP).
    pub currency: String,
    /// What the amount is per ("per home").
    pub per: Option<String>,
    /// When.
    pub as_at: Option<Period>,
}

/// A programme.
#[derive(Debug, Clone, Default)]
pub struct Programme {
    /// Provider and partners.
    pub organisations: Vec<OrganisationLink>,
    /// Where.
    pub place: Place,
    /// Care settings.
    pub care_settings: Vec<CareSetting>,
    /// Who it is for.
    pub audience: Option<String>,
    /// How it is delivered.
    pub delivery: Vec<Delivery>,
    /// How long it lasts.
    pub duration: Option<String>,
    /// Modules, in display order.
    pub modules: Vec<Located<String>>,
    /// Cohorts.
    pub cohorts: Vec<Located<String>>,
    /// Accreditation.
    pub accreditation: Option<String>,
    /// Cost.
    pub cost: Option<Money>,
    /// Planned, running or closed.
    pub status: Option<ProgrammeStatus>,
    /// Contacts.
    pub contacts: Vec<Contact>,
    /// Outcome measures.
    pub outcomes: Vec<Outcome>,
    /// Which outcome is the headline (an index into `outcomes`), when `headline:` names one
    /// other than the first.
    pub headline: Option<usize>,
    /// Original publication.
    pub source: Option<SourceRef>,
    /// Free tags.
    pub topics: Vec<String>,
}

/// A module of a programme.
#[derive(Debug, Clone, Default)]
pub struct Module {
    /// The programme.
    pub programme: Option<Located<String>>,
    /// Position in the programme, from 1.
    pub order: Option<Located<u64>>,
    /// Learning outcomes (inline Markdown).
    pub learning_outcomes: Vec<String>,
    /// How long.
    pub duration: Option<String>,
    /// How delivered.
    pub delivery: Vec<Delivery>,
    /// Materials.
    pub materials: Vec<Material>,
}

/// A file or link given to participants.
#[derive(Debug, Clone)]
pub struct Material {
    /// Title.
    pub title: String,
    /// Site path or absolute URL.
    pub href: Located<String>,
    /// Format.
    pub format: Option<MaterialFormat>,
    /// Size in bytes.
    pub size_bytes: Option<u64>,
}

/// A cohort of a programme.
#[derive(Debug, Clone, Default)]
pub struct Cohort {
    /// The programme.
    pub programme: Option<Located<String>>,
    /// Number.
    pub number: Option<u64>,
    /// Start.
    pub start: Option<Period>,
    /// End.
    pub end: Option<Period>,
    /// Where it met.
    pub location: Option<String>,
    /// Participants enrolled.
    pub participants_enrolled: Option<u64>,
    /// Participants who completed.
    pub participants_completed: Option<u64>,
    /// Number of services represented.
    pub homes: Option<u64>,
    /// Where.
    pub place: Place,
    /// Facilitators.
    pub facilitators: Vec<String>,
    /// Outcome measures.
    pub outcomes: Vec<Outcome>,
    /// Contacts.
    pub contacts: Vec<Contact>,
    /// Original publication.
    pub source: Option<SourceRef>,
}

/// An organisation.
#[derive(Debug, Clone, Default)]
pub struct Organisation {
    /// Its kind.
    pub org_type: Option<OrgType>,
    /// Where.
    pub place: Place,
    /// Website.
    pub website: Option<String>,
    /// ODS code.
    pub ods_code: Option<String>,
    /// ONS code.
    pub ons_code: Option<String>,
    /// CQC provider id.
    pub cqc_provider_id: Option<String>,
    /// Active, closed or merged.
    pub status: Option<OrgStatus>,
    /// When it closed.
    pub closed: Option<Date>,
    /// What replaced it: a name or an organisation's slug.
    pub successor: Option<Located<String>>,
}

/// A dataset: a table for charts.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Original publication.
    pub source: Option<SourceRef>,
    /// What is counted.
    pub unit: String,
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// Notes.
    pub notes: Option<String>,
}

/// A general page (about, contact, accessibility): a title, a summary and a body, and
/// where the site's menus list it.
#[derive(Debug, Clone, Default)]
pub struct GeneralPage {
    /// The menu that lists it, if any.
    pub menu: Option<Menu>,
    /// Its place in its menu: menus are sorted by `order`, then title; pages without one
    /// come last.
    pub order: Option<u64>,
}

impl GeneralPage {
    /// The slug of the site's accessibility statement, which the footer always links.
    pub const ACCESSIBILITY_SLUG: &'static str = "accessibility";
}

/// A dataset column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Key used in rows.
    pub key: String,
    /// Heading.
    pub label: String,
    /// Type of its cells.
    pub kind: ColumnType,
}

/// A dataset cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value.
    Empty,
    /// Text.
    Text(String),
    /// Whole number.
    Int(u64),
    /// Decimal.
    Number(f64),
    /// Period.
    Period(Period),
    /// CQC rating.
    Rating(CqcRating),
}

/// One outcome measure (§4 of the content model).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Kind.
    pub kind: OutcomeKind,
    /// Metric key, from the vocabulary, the config or `custom:<slug>`.
    pub metric: String,
    /// Label shown with the figure.
    pub label: String,
    /// What is counted.
    pub unit: Option<String>,
    /// Key question, for key-question ratings.
    pub key_question: Option<KeyQuestion>,
    /// Direction of improvement.
    pub better: Option<Better>,
    /// Who reported it.
    pub reported_by: Option<ReportedBy>,
    /// Provenance.
    pub source_url: Option<String>,
    /// Caveats, or the original wording of an approximate figure.
    pub note: Option<String>,
    /// When the figure applies.
    pub as_at: Option<Period>,
    /// The figures, by kind.
    pub figures: Figures,
}

#[cfg(test)]
impl Outcome {
    /// An outcome of `kind` with the given metric, label, unit and figures, and nothing else:
    /// what the render and model tests vary.
    pub(crate) fn for_test(
        kind: OutcomeKind,
        metric: &str,
        label: &str,
        unit: Option<&str>,
        figures: Figures,
    ) -> Outcome {
        Outcome {
            kind,
            metric: metric.to_owned(),
            label: label.to_owned(),
            unit: unit.map(str::to_owned),
            key_question: None,
            better: None,
            reported_by: None,
            source_url: None,
            note: None,
            as_at: None,
            figures,
        }
    }
}

/// A value at a time.
#[derive(Debug, Clone)]
pub struct ValueAt {
    /// When.
    pub as_at: Option<Period>,
    /// The value.
    pub value: f64,
}

/// A rating at a time.
#[derive(Debug, Clone)]
pub struct RatingAt {
    /// The rating.
    pub rating: CqcRating,
    /// When.
    pub as_at: Option<Period>,
}

/// Counts of services by CQC rating.
#[derive(Debug, Clone)]
pub struct Distribution {
    /// When.
    pub as_at: Option<Period>,
    /// Count per rating, in the order of [`CqcRating::ALL`].
    pub counts: [u64; 5],
    /// Total services, if stated.
    pub total: Option<u64>,
}

/// The figures of an outcome measure.
#[derive(Debug, Clone)]
pub enum Figures {
    /// Stated only as a direction, with `better` and `note`.
    None,
    /// Ratings before and after.
    RatingDistribution {
        /// Before.
        before: Option<Distribution>,
        /// After.
        after: Option<Distribution>,
    },
    /// One service's rating change.
    RatingChange {
        /// The service.
        subject: Option<String>,
        /// From.
        from: Option<RatingAt>,
        /// To.
        to: Option<RatingAt>,
    },
    /// A count or measure, one value or before and after.
    Amount {
        /// Single value.
        value: Option<ValueAt>,
        /// Before.
        before: Option<ValueAt>,
        /// After.
        after: Option<ValueAt>,
    },
    /// A part of a whole, in per cent.
    Share {
        /// Part.
        numerator: Option<u64>,
        /// Whole.
        denominator: Option<u64>,
        /// Per cent, as stated or derived.
        value: f64,
    },
    /// A change in per cent.
    RelativeChange {
        /// Per cent.
        value: f64,
        /// From.
        from_as_at: Option<Period>,
        /// To.
        to_as_at: Option<Period>,
        /// Baseline.
        baseline: Option<f64>,
        /// Result.
        result: Option<f64>,
    },
    /// A score on a scale.
    Score {
        /// Score.
        value: f64,
        /// Scale minimum.
        min: f64,
        /// Scale maximum.
        max: f64,
        /// Respondents.
        n: Option<u64>,
    },
    /// Money.
    Money(Money),
}
