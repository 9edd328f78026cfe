//! The front-matter fields of every content type, in one place.
//!
//! This registry is the single description of what a content file may say: for each content
//! type and each nested mapping, every field with its shape, whether it is required, the
//! vocabulary it draws from and a one-line description (worded as in
//! `docs/content-model.md`). The parse stage takes its lists of known fields from here, the
//! JSON Schemas of `casebook schema` are generated from it, and the language server completes
//! and explains fields with it. A test in `parse` checks that the readers ask for exactly the
//! fields listed here.
//!
//! Rules that span fields (a share's numerator and denominator, `alt` with `src`, an outcome's
//! figures by its `kind`) stay with their readers; the registry says which keys exist.
//!
//! It is long because it is a table, one entry per field of the content model; split by type
//! it would hide the fields the types share.

use crate::model::ContentKind;
use crate::model::vocab::*;

/// One front-matter field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The key as written in YAML.
    pub name: &'static str,
    /// What its value looks like.
    pub shape: Shape,
    /// Whether it must be present and not empty (E005 otherwise).
    pub required: bool,
    /// One line for editors, from the content model.
    pub description: &'static str,
}

/// The shape of a field's value.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// The page's own type name (`case-study`), implied by its folder.
    TypeName,
    /// Text on one line (or folded), at most `max` characters when given.
    Text {
        /// The longest the text may be, in characters.
        max: Option<u32>,
    },
    /// A whole number of at least `min`.
    Int {
        /// The smallest allowed value.
        min: u64,
    },
    /// A number, decimals allowed.
    Number,
    /// `true` or `false`.
    Bool,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// A period: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY/YY` or `YYYY-Qn`.
    Period,
    /// An absolute `http(s)` address.
    Url,
    /// A slug: the page's own name in its URL.
    Slug,
    /// The slug of an existing page of a kind.
    Reference(ContentKind),
    /// A list of slugs of pages of a kind.
    References(ContentKind),
    /// A list of text values (a single value counts as a list of one).
    Texts,
    /// A value from a vocabulary.
    Value(Vocab),
    /// A list of values from a vocabulary.
    Values(Vocab),
    /// A nested mapping with its own fields.
    Mapping(&'static [Field]),
    /// A list of mappings, each with these fields.
    Mappings(&'static [Field]),
    /// The `outcomes` list: each measure has [`OUTCOME`] and the figures of its kind
    /// ([`outcome_figures`]).
    Outcomes,
    /// A dataset's rows: mappings whose keys are the dataset's column keys.
    Rows,
    /// One of the page's own outcomes: its number in the list (from 1) or its metric.
    OutcomeChoice,
}

/// A vocabulary a field draws its values from.
#[derive(Debug, Clone, Copy)]
pub struct Vocab {
    /// Its name in the content model (`cqc-rating`).
    pub name: &'static str,
    keys: fn() -> Vec<&'static str>,
    labels: fn() -> Vec<&'static str>,
}

impl Vocab {
    /// The vocabulary of a [`Vocabulary`] type.
    pub const fn of<V: Vocabulary>() -> Vocab {
        Vocab {
            name: V::NAME,
            keys: V::keys,
            labels: labels_of::<V>,
        }
    }

    /// The canonical values, in display order.
    pub fn keys(&self) -> Vec<&'static str> {
        (self.keys)()
    }

    /// The display labels, in the order of [`Vocab::keys`] (a label is accepted for its value).
    pub fn labels(&self) -> Vec<&'static str> {
        (self.labels)()
    }

    /// Whether this is the metric vocabulary, which a site extends in `casebook.yaml` and
    /// which also takes `custom:<slug>`.
    pub fn is_metric(&self) -> bool {
        self.name == METRIC.name
    }
}

fn labels_of<V: Vocabulary>() -> Vec<&'static str> {
    V::ALL.iter().map(|value| value.label()).collect()
}

/// The metrics every site knows (a site adds its own; `custom:<slug>` is always allowed).
pub const METRIC: Vocab = Vocab {
    name: "metric",
    keys: || METRICS.iter().map(|(key, _)| *key).collect(),
    labels: || METRICS.iter().map(|(_, label)| *label).collect(),
};

/// The one currency amounts of money are written in.
pub const CURRENCY: Vocab = Vocab {
    name: "currency",
    keys: || vec!["GBP"],
    labels: || vec!["Pounds sterling"],
};

/// The front-matter fields of a content type, in the order the content model lists them.
pub fn fields_of(kind: ContentKind) -> &'static [Field] {
    match kind {
        ContentKind::CaseStudy => CASE_STUDY,
        ContentKind::Programme => PROGRAMME,
        ContentKind::Module => MODULE,
        ContentKind::Cohort => COHORT,
        ContentKind::Organisation => ORGANISATION,
        ContentKind::Dataset => DATASET,
        ContentKind::Page => PAGE,
    }
}

/// The field `name` among `fields`.
pub fn find<'a>(fields: &'a [Field], name: &str) -> Option<&'a Field> {
    fields.iter().find(|field| field.name == name)
}

/// The names of `fields`, as the parse stage's lists of known keys.
pub fn names(fields: &[Field]) -> Vec<&'static str> {
    fields.iter().map(|field| field.name).collect()
}

/// The figures a measure of `kind` can have, besides the keys of [`OUTCOME`].
pub fn outcome_figures(kind: OutcomeKind) -> &'static [Field] {
    match kind {
        OutcomeKind::RatingDistribution => RATING_DISTRIBUTION,
        OutcomeKind::RatingChange => RATING_CHANGE,
        OutcomeKind::Count => COUNT,
        OutcomeKind::Measure => MEASURE,
        OutcomeKind::Share => SHARE,
        OutcomeKind::RelativeChange => RELATIVE_CHANGE,
        OutcomeKind::Score => SCORE,
        OutcomeKind::Money => MONEY_FIGURES,
    }
}

const fn field(
    name: &'static str,
    shape: Shape,
    required: bool,
    description: &'static str,
) -> Field {
    Field {
        name,
        shape,
        required,
        description,
    }
}

const fn optional(name: &'static str, shape: Shape, description: &'static str) -> Field {
    field(name, shape, false, description)
}

const fn required(name: &'static str, shape: Shape, description: &'static str) -> Field {
    field(name, shape, true, description)
}

const TEXT: Shape = Shape::Text { max: None };
const INT: Shape = Shape::Int { min: 0 };

// The fields every page type shares (the required ones differ by type).
const TYPE: Field = optional(
    "type",
    Shape::TypeName,
    "The content type; implied by the folder.",
);
const TITLE: Field = required(
    "title",
    Shape::Text { max: Some(200) },
    "The page title, at most 200 characters; sentence case is recommended.",
);
const SLUG: Field = optional(
    "slug",
    Shape::Slug,
    "The page's name in its URL; defaults to the file name.",
);
const SUMMARY_MAX: Shape = Shape::Text { max: Some(320) };
const SUMMARY_TEXT: &str = "Shown on cards and in search results; at most 320 characters.";
const SUMMARY: Field = required("summary", SUMMARY_MAX, SUMMARY_TEXT);
const SUMMARY_OPTIONAL: Field = optional("summary", SUMMARY_MAX, SUMMARY_TEXT);
const PUBLISHED: Field = required(
    "published",
    Shape::Date,
    "When the page was first published on this site (YYYY-MM-DD).",
);
const UPDATED: Field = optional(
    "updated",
    Shape::Date,
    "When the page last changed; should not be earlier than `published`.",
);
const REVIEWED: Field = optional(
    "reviewed",
    Shape::Date,
    "When the page's content was last checked as still right; not before `published`.",
);
const REVIEW_DUE: Field = optional(
    "review_due",
    Shape::Date,
    "When the page is next due for review; defaults to `review_after` in casebook.yaml after `reviewed`, `updated` or `published`.",
);
const DRAFT: Field = optional(
    "draft",
    Shape::Bool,
    "Default false. Drafts appear only in the preview server.",
);

// Where the work happened.
const NHS_REGION: Field = optional(
    "nhs_region",
    Shape::Value(Vocab::of::<NhsRegion>()),
    "The NHS England region.",
);
const ONS_REGION: Field = optional(
    "ons_region",
    Shape::Value(Vocab::of::<OnsRegion>()),
    "The ONS region; also used for Scotland, Wales and Northern Ireland.",
);
const LOCAL_AUTHORITY: Field = optional(
    "local_authority",
    TEXT,
    "The council area, e.g. “Stockton-on-Tees”.",
);

const ORGANISATIONS: Field = required(
    "organisations",
    Shape::Mappings(ORGANISATION_LINK),
    "Who led and who took part: a list of organisation links, at least one.",
);
const CARE_SETTINGS: Field = required(
    "care_settings",
    Shape::Values(Vocab::of::<CareSetting>()),
    "The care settings the work was in: a list from the care-setting vocabulary, at least one.",
);
const TOPICS: Field = optional(
    "topics",
    Shape::Texts,
    "Free tags; each becomes a topic page at /topics/<tag>/.",
);
const CONTACTS: Field = optional(
    "contacts",
    Shape::Mappings(CONTACT),
    "People to contact: each with a `name` or a `role`.",
);
const OUTCOMES: Field = optional(
    "outcomes",
    Shape::Outcomes,
    "The results of the work, one structured measure per item.",
);
const SOURCE: Field = optional(
    "source",
    Shape::Mapping(SOURCE_FIELDS),
    "Where the text or figures come from; required when the text is taken from another publisher.",
);
const DELIVERY: Field = optional(
    "delivery",
    Shape::Values(Vocab::of::<Delivery>()),
    "How it is delivered: a list from the delivery vocabulary.",
);

const CASE_STUDY: &[Field] = &[
    TYPE,
    TITLE,
    SLUG,
    SUMMARY,
    PUBLISHED,
    UPDATED,
    REVIEWED,
    REVIEW_DUE,
    DRAFT,
    ORGANISATIONS,
    optional(
        "lead_role",
        TEXT,
        "The role that led the change, as the source writes it (“Deputy Chief Nurse”).",
    ),
    NHS_REGION,
    ONS_REGION,
    LOCAL_AUTHORITY,
    CARE_SETTINGS,
    TOPICS,
    optional(
        "cqc_key_questions",
        Shape::Values(Vocab::of::<KeyQuestion>()),
        "The CQC key questions the work addressed.",
    ),
    optional(
        "programme",
        Shape::Reference(ContentKind::Programme),
        "The programme the work belongs to.",
    ),
    optional(
        "cohort",
        Shape::Reference(ContentKind::Cohort),
        "The cohort; if `programme` is also given, the cohort's programme must be that programme.",
    ),
    optional(
        "period",
        Shape::Mapping(SPAN),
        "When the work ran: `{start, end}`; leave `end` empty for work still going on.",
    ),
    CONTACTS,
    OUTCOMES,
    optional(
        "headline",
        Shape::OutcomeChoice,
        "The outcome shown on the page's cards: its number in `outcomes` (from 1) or its metric; the first outcome when left out.",
    ),
    optional(
        "related",
        Shape::References(ContentKind::CaseStudy),
        "Slugs of case studies shown as “Related case studies”.",
    ),
    optional(
        "awards",
        Shape::Mappings(AWARD),
        "Awards the work won or was shortlisted for.",
    ),
    SOURCE,
    optional(
        "image",
        Shape::Mapping(IMAGE),
        "An image: `{src, alt}`; `alt` must be given with `src`.",
    ),
];

const PROGRAMME: &[Field] = &[
    TYPE,
    TITLE,
    SLUG,
    SUMMARY,
    PUBLISHED,
    UPDATED,
    REVIEWED,
    REVIEW_DUE,
    DRAFT,
    required(
        "organisations",
        Shape::Mappings(ORGANISATION_LINK),
        "The provider (`role: lead`) and its partners.",
    ),
    NHS_REGION,
    ONS_REGION,
    LOCAL_AUTHORITY,
    CARE_SETTINGS,
    optional(
        "audience",
        TEXT,
        "Who the programme is for: “Registered managers of residential care homes”.",
    ),
    DELIVERY,
    optional("duration", TEXT, "Free text, e.g. “12 months”."),
    optional(
        "modules",
        Shape::References(ContentKind::Module),
        "Slugs of its modules, in order: the list sets each module's place.",
    ),
    optional(
        "cohorts",
        Shape::References(ContentKind::Cohort),
        "Slugs of its cohorts.",
    ),
    optional(
        "accreditation",
        TEXT,
        "e.g. “not an accredited qualification”.",
    ),
    optional(
        "cost",
        Shape::Mapping(COST),
        "What it costs: `value`, `currency: GBP`, optional `per` and `as_at`.",
    ),
    optional(
        "status",
        Shape::Value(Vocab::of::<ProgrammeStatus>()),
        "`planned`, `running` or `closed`.",
    ),
    CONTACTS,
    OUTCOMES,
    optional(
        "headline",
        Shape::OutcomeChoice,
        "The outcome shown on the page's cards: its number in `outcomes` (from 1) or its metric; the first outcome when left out.",
    ),
    SOURCE,
    TOPICS,
];

const MODULE: &[Field] = &[
    TYPE,
    TITLE,
    SLUG,
    SUMMARY_OPTIONAL,
    PUBLISHED,
    UPDATED,
    REVIEWED,
    REVIEW_DUE,
    DRAFT,
    required(
        "programme",
        Shape::Reference(ContentKind::Programme),
        "The programme it belongs to.",
    ),
    optional(
        "order",
        Shape::Int { min: 1 },
        "Its place in the programme, from 1; the programme's `modules` list sets it, and a given `order` must agree.",
    ),
    optional(
        "learning_outcomes",
        Shape::Texts,
        "What participants learn, one item each.",
    ),
    optional("duration", TEXT, "“One day”, “2 × half days”."),
    DELIVERY,
    optional(
        "materials",
        Shape::Mappings(MATERIAL),
        "Handouts, slides, videos: `{title, href, format, size_bytes}`.",
    ),
];

const COHORT: &[Field] = &[
    TYPE,
    TITLE,
    SLUG,
    SUMMARY_OPTIONAL,
    PUBLISHED,
    UPDATED,
    REVIEWED,
    REVIEW_DUE,
    DRAFT,
    required(
        "programme",
        Shape::Reference(ContentKind::Programme),
        "The programme this cohort went through.",
    ),
    optional(
        "number",
        Shape::Int { min: 1 },
        "The cohort's number, from 1.",
    ),
    optional("start", Shape::Period, "When the cohort started."),
    optional(
        "end",
        Shape::Period,
        "When the cohort finished; must not be before `start`.",
    ),
    optional("location", TEXT, "Where it met."),
    optional("participants_enrolled", INT, "How many enrolled."),
    optional(
        "participants_completed",
        INT,
        "How many completed; not more than `participants_enrolled`.",
    ),
    optional("homes", INT, "Number of services represented."),
    NHS_REGION,
    ONS_REGION,
    LOCAL_AUTHORITY,
    optional("facilitators", Shape::Texts, "Who facilitated the cohort."),
    OUTCOMES,
    CONTACTS,
    SOURCE,
];

const ORGANISATION: &[Field] = &[
    TYPE,
    required(
        "name",
        Shape::Text { max: Some(200) },
        "The organisation's name: the page title.",
    ),
    SLUG,
    SUMMARY_OPTIONAL,
    PUBLISHED,
    UPDATED,
    REVIEWED,
    REVIEW_DUE,
    DRAFT,
    required(
        "org_type",
        Shape::Value(Vocab::of::<OrgType>()),
        "The kind of organisation.",
    ),
    NHS_REGION,
    ONS_REGION,
    LOCAL_AUTHORITY,
    optional("website", Shape::Url, "Its web address, starting https://."),
    optional(
        "ods_code",
        TEXT,
        "Its ODS code, kept exactly as written (e.g. `08D`).",
    ),
    optional(
        "ons_code",
        TEXT,
        "Its ONS code, kept exactly as written (e.g. `E06000004`).",
    ),
    optional(
        "cqc_provider_id",
        TEXT,
        "Its CQC provider id, kept exactly as written (e.g. `1-106338834`).",
    ),
    optional(
        "status",
        Shape::Value(Vocab::of::<OrgStatus>()),
        "`active`, `closed` or `merged`; default `active`.",
    ),
    optional(
        "closed",
        Shape::Date,
        "When it closed, e.g. CCGs closed on 2022-06-30.",
    ),
    optional(
        "successor",
        TEXT,
        "The body that took over (its name, or its slug), e.g. a CCG's integrated care board.",
    ),
];

const DATASET: &[Field] = &[
    TYPE,
    TITLE,
    SLUG,
    SUMMARY_OPTIONAL,
    optional(
        "published",
        Shape::Date,
        "When the dataset was first published on this site.",
    ),
    UPDATED,
    REVIEWED,
    REVIEW_DUE,
    DRAFT,
    required(
        "source",
        Shape::Mapping(SOURCE_FIELDS),
        "Where the figures come from.",
    ),
    required(
        "unit",
        TEXT,
        "What the numbers count: homes, residents, managers.",
    ),
    required(
        "columns",
        Shape::Mappings(COLUMN),
        "The table's columns: `{key, label, type}` each.",
    ),
    required(
        "rows",
        Shape::Rows,
        "The rows: each row's keys are column keys, each value checked against its column's type.",
    ),
    optional("notes", Shape::Texts, "Caveats shown with the table."),
];

const PAGE: &[Field] = &[
    TYPE,
    TITLE,
    SLUG,
    SUMMARY,
    PUBLISHED,
    UPDATED,
    DRAFT,
    REVIEWED,
    REVIEW_DUE,
    optional(
        "menu",
        Shape::Value(Vocab::of::<Menu>()),
        "`header` or `footer`: the site menu that links the page; header pages follow the default sections.",
    ),
    optional(
        "order",
        INT,
        "Its place in its menu: lower first, then by title; pages without one come last.",
    ),
];

/// One item of an `organisations` list.
pub const ORGANISATION_LINK: &[Field] = &[
    required(
        "name",
        TEXT,
        "The organisation's name, as shown on the page.",
    ),
    required(
        "org_type",
        Shape::Value(Vocab::of::<OrgType>()),
        "The kind of organisation.",
    ),
    optional(
        "slug",
        Shape::Reference(ContentKind::Organisation),
        "Links to the organisation's page, which must exist.",
    ),
    optional(
        "role",
        Shape::Value(Vocab::of::<OrgRole>()),
        "`lead`, `partner`, `funder` or `evaluator`; default `lead`.",
    ),
];

/// One item of a `contacts` list: at least one of `name` and `role` must be given.
pub const CONTACT: &[Field] = &[
    optional("name", TEXT, "The person's name."),
    optional("role", TEXT, "Their role; a role alone is enough."),
    optional("organisation", TEXT, "The organisation they work for."),
    optional(
        "email",
        TEXT,
        "Shown on the site only if the site's configuration allows it (`show_emails`).",
    ),
    optional("phone", TEXT, "A telephone number."),
];

/// A `source` mapping.
pub const SOURCE_FIELDS: &[Field] = &[
    required("url", Shape::Url, "The address of the original."),
    required("publisher", TEXT, "Who published the original."),
    optional("title", TEXT, "The original's title."),
    required(
        "licence",
        Shape::Value(Vocab::of::<Licence>()),
        "The original's licence; `unknown` when the source does not say.",
    ),
    optional(
        "published",
        Shape::Period,
        "When the original was published.",
    ),
    optional("accessed", Shape::Date, "When you read it."),
    optional(
        "adapted",
        Shape::Bool,
        "`true` when you have edited the text rather than reproducing it whole.",
    ),
];

/// A case study's `period`.
pub const SPAN: &[Field] = &[
    optional("start", Shape::Period, "When the work started."),
    optional(
        "end",
        Shape::Period,
        "When it ended; leave empty for work still going on.",
    ),
];

/// One item of `awards`.
pub const AWARD: &[Field] = &[
    required("name", TEXT, "The award's name."),
    optional("year", INT, "The year of the award."),
    optional(
        "result",
        Shape::Value(Vocab::of::<AwardResult>()),
        "`winner`, `highly-commended`, `finalist` or `shortlisted`.",
    ),
];

/// A case study's `image`.
pub const IMAGE: &[Field] = &[
    required("src", TEXT, "The image file or address."),
    optional(
        "alt",
        TEXT,
        "Text describing the image; required with `src`, `alt: \"\"` for a decorative image.",
    ),
];

/// One item of a module's `materials`.
pub const MATERIAL: &[Field] = &[
    required("title", TEXT, "The material's title."),
    required(
        "href",
        TEXT,
        "An absolute URL, or a path relative to the site of a file that exists (under static/).",
    ),
    optional(
        "format",
        Shape::Value(Vocab::of::<MaterialFormat>()),
        "`pdf`, `docx`, `pptx`, `xlsx`, `video` or `link`.",
    ),
    optional("size_bytes", INT, "The file's size in bytes."),
];

/// One item of a dataset's `columns`.
pub const COLUMN: &[Field] = &[
    required("key", TEXT, "The key the rows use for this column."),
    required("label", TEXT, "The column's heading."),
    required(
        "type",
        Shape::Value(Vocab::of::<ColumnType>()),
        "`string`, `int`, `number`, `period` or `cqc-rating`.",
    ),
];

/// A programme's `cost`: the figures of a money measure, with its `as_at`.
pub const COST: &[Field] = &[
    MONEY_VALUE,
    MONEY_CURRENCY,
    MONEY_PER,
    optional("as_at", Shape::Period, "The period the cost applies to."),
];

/// The keys every outcome measure can have.
pub const OUTCOME: &[Field] = &[
    required(
        "kind",
        Shape::Value(Vocab::of::<OutcomeKind>()),
        "The shape of the figures: rating-distribution, rating-change, count, share, relative-change, measure, score or money.",
    ),
    required(
        "metric",
        Shape::Value(METRIC),
        "What is measured: a metric from the vocabulary, or `custom:<slug>`.",
    ),
    required("label", TEXT, "The words shown with the figure."),
    optional(
        "unit",
        TEXT,
        "A noun for what is counted: homes, residents, admissions, days. Required for kind `measure`.",
    ),
    optional(
        "key_question",
        Shape::Value(Vocab::of::<KeyQuestion>()),
        "The CQC key question; required when `metric` is `cqc-key-question-rating`.",
    ),
    optional(
        "better",
        Shape::Value(Vocab::of::<Better>()),
        "`higher` or `lower`: which direction is an improvement.",
    ),
    optional(
        "reported_by",
        Shape::Value(Vocab::of::<ReportedBy>()),
        "Who reported the figure: `self`, `evaluation`, `regulator` or `commissioner`.",
    ),
    optional(
        "source_url",
        Shape::Url,
        "Where the figure comes from, if not the page's `source`.",
    ),
    optional(
        "note",
        TEXT,
        "Caveats and provenance, shown beside the figure.",
    ),
    optional(
        "as_at",
        Shape::Period,
        "The period the figure applies to; never guess one.",
    ),
];

const RATING_DISTRIBUTION: &[Field] = &[
    optional(
        "before",
        Shape::Mapping(DISTRIBUTION),
        "Counts of services per CQC rating before the work.",
    ),
    optional(
        "after",
        Shape::Mapping(DISTRIBUTION),
        "Counts of services per CQC rating after the work.",
    ),
];

/// A `before` or `after` of a rating distribution.
pub const DISTRIBUTION: &[Field] = &[
    optional("as_at", Shape::Period, "The period the counts apply to."),
    optional("outstanding", INT, "Services rated Outstanding."),
    optional("good", INT, "Services rated Good."),
    optional(
        "requires-improvement",
        INT,
        "Services rated Requires improvement.",
    ),
    optional("inadequate", INT, "Services rated Inadequate."),
    optional("not-rated", INT, "Services not yet rated."),
    optional(
        "total",
        INT,
        "The number of services rated; the ratings should add up to it.",
    ),
];

const RATING_CHANGE: &[Field] = &[
    optional("subject", TEXT, "The service whose rating changed."),
    optional(
        "from",
        Shape::Mapping(RATING_AT),
        "The rating before: `{rating, as_at}`; leave out when not known.",
    ),
    optional(
        "to",
        Shape::Mapping(RATING_AT),
        "The rating after: `{rating, as_at}`.",
    ),
];

/// A `from` or `to` of a rating change.
pub const RATING_AT: &[Field] = &[
    required(
        "rating",
        Shape::Value(Vocab::of::<CqcRating>()),
        "The CQC rating.",
    ),
    optional("as_at", Shape::Period, "When the rating was given."),
];

const COUNT: &[Field] = &[
    optional("value", INT, "The count, a whole number of 0 or more."),
    optional(
        "before",
        Shape::Mapping(COUNT_AT),
        "The count before: `{as_at, value}`.",
    ),
    optional(
        "after",
        Shape::Mapping(COUNT_AT),
        "The count after: `{as_at, value}`.",
    ),
];

/// A `before` or `after` of a count.
pub const COUNT_AT: &[Field] = &[
    optional("as_at", Shape::Period, "The period the figure applies to."),
    required("value", INT, "The count, a whole number of 0 or more."),
];

const MEASURE: &[Field] = &[
    optional("value", Shape::Number, "The figure, in `unit`."),
    optional(
        "before",
        Shape::Mapping(MEASURE_AT),
        "The figure before: `{as_at, value}`.",
    ),
    optional(
        "after",
        Shape::Mapping(MEASURE_AT),
        "The figure after: `{as_at, value}`.",
    ),
];

/// A `before` or `after` of a measure.
pub const MEASURE_AT: &[Field] = &[
    optional("as_at", Shape::Period, "The period the figure applies to."),
    required("value", Shape::Number, "The figure, in `unit`."),
];

const SHARE: &[Field] = &[
    optional("numerator", INT, "The part: how many of the whole."),
    optional("denominator", INT, "The whole, at least 1."),
    optional(
        "value",
        Shape::Number,
        "The share in per cent, 0 to 100; optional when numerator and denominator are given.",
    ),
];

const RELATIVE_CHANGE: &[Field] = &[
    optional(
        "value",
        Shape::Number,
        "The change in per cent: −100 or more, with no upper limit.",
    ),
    optional(
        "from_as_at",
        Shape::Period,
        "The period the change is from.",
    ),
    optional("to_as_at", Shape::Period, "The period the change is to."),
    optional("baseline", Shape::Number, "The figure before the change."),
    optional("result", Shape::Number, "The figure after the change."),
];

const SCORE: &[Field] = &[
    optional(
        "value",
        Shape::Number,
        "The score; it must lie between the scale's `min` and `max`.",
    ),
    optional(
        "scale",
        Shape::Mapping(SCALE),
        "The scale of the score: `{min, max}`.",
    ),
    optional("n", INT, "How many responses the score is from."),
];

/// A score's `scale`.
pub const SCALE: &[Field] = &[
    required("min", Shape::Number, "The lowest possible score."),
    required("max", Shape::Number, "The highest possible score."),
];

const MONEY_VALUE: Field = optional("value", Shape::Number, "The amount, in pounds.");
const MONEY_CURRENCY: Field = optional("currency", Shape::Value(CURRENCY), "Always `GBP`.");
const MONEY_PER: Field = optional(
    "per",
    TEXT,
    "What the amount is for: per home, per participant, per year.",
);
const MONEY_FIGURES: &[Field] = &[MONEY_VALUE, MONEY_CURRENCY, MONEY_PER];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every mapping of the registry, with a name for messages.
    fn all_mappings() -> Vec<(String, &'static [Field])> {
        let mut out = Vec::new();
        for kind in ContentKind::ALL {
            collect(kind.type_name(), fields_of(kind), &mut out);
        }
        out
    }

    fn collect(path: &str, fields: &'static [Field], out: &mut Vec<(String, &'static [Field])>) {
        out.push((path.to_owned(), fields));
        for field in fields {
            if let Shape::Mapping(inner) | Shape::Mappings(inner) = field.shape {
                collect(&format!("{path}.{}", field.name), inner, out);
            }
        }
    }

    #[test]
    fn names_are_unique_and_described_in_every_mapping() {
        for (path, fields) in all_mappings() {
            let mut seen = std::collections::BTreeSet::new();
            for field in fields {
                assert!(seen.insert(field.name), "{path}: `{}` twice", field.name);
                assert!(
                    field.description.ends_with('.'),
                    "{path}.{}: a description is one sentence",
                    field.name
                );
            }
        }
    }

    #[test]
    fn outcome_figures_never_repeat_a_common_key() {
        for kind in OutcomeKind::ALL {
            for figure in outcome_figures(*kind) {
                assert!(find(OUTCOME, figure.name).is_none(), "{}", figure.name);
            }
        }
    }

    #[test]
    fn vocabularies_give_their_keys() {
        let region = find(CASE_STUDY, "nhs_region").map(|field| field.shape);
        let Some(Shape::Value(vocab)) = region else {
            panic!("nhs_region is a vocabulary value");
        };
        assert_eq!(vocab.name, "nhs-region");
        assert!(vocab.keys().contains(&"north-east-and-yorkshire"));
        assert!(METRIC.is_metric() && METRIC.keys().contains(&"falls"));
    }
}
