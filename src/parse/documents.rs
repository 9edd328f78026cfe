//! Reading the front matter of each content type into its typed fields.
//!
//! One reader per content type and per nested mapping they share (organisations, contacts,
//! sources, periods). It is long because there are seven types; each reader is short and
//! reads its fields in the order of the registry (`model/fields.rs`), and they are kept in one
//! file because they call the same shared readers.

use crate::diagnostics::{Code, Located};
use crate::model::ContentKind;
use crate::model::content::*;
use crate::model::fields::{self as registry, Field, names};
use crate::model::vocab::*;
use crate::parse::outcomes::{read_money, read_outcomes};
use crate::parse::reader::{Fields, Reader, is_quoted};
use crate::parse::yaml::{Node, NodeKind};

/// The fields every page type shares; the rest are per type.
pub(crate) struct Common {
    pub(crate) slug: Option<Located<String>>,
    pub(crate) title: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) published: Option<crate::model::time::Date>,
    pub(crate) updated: Option<crate::model::time::Date>,
    pub(crate) reviewed: Option<Located<crate::model::time::Date>>,
    pub(crate) review_due: Option<Located<crate::model::time::Date>>,
    pub(crate) draft: bool,
}

/// Reads the front matter of a file of `kind` from its root mapping; returns the fields the
/// registry knows for it too, to report the others as unknown.
pub(crate) fn read_details(
    reader: &mut Reader<'_>,
    kind: ContentKind,
    fields: &mut Fields<'_>,
    extra_metrics: &[String],
) -> (Common, Details, &'static [Field]) {
    if let Some(node) = fields.get("type")
        && let Some(text) = reader.string(node, "type")
        && ContentKind::from_type_name(&normalise_key(&text)) != Some(kind)
    {
        reader.report(
            Code::E006,
            node.at,
            format!(
                "`type: {text}` does not match the folder `{}`",
                kind.folder()
            ),
            format!(
                "write `type: {}` or move the file to the folder of its type",
                kind.type_name()
            ),
        );
    }
    let common = read_common(reader, kind, fields);
    let details = match kind {
        ContentKind::CaseStudy => {
            Details::CaseStudy(read_case_study(reader, fields, extra_metrics))
        }
        ContentKind::Programme => Details::Programme(read_programme(reader, fields, extra_metrics)),
        ContentKind::Module => Details::Module(read_module(reader, fields)),
        ContentKind::Cohort => Details::Cohort(read_cohort(reader, fields, extra_metrics)),
        ContentKind::Organisation => Details::Organisation(read_organisation(reader, fields)),
        ContentKind::Dataset => Details::Dataset(read_dataset(reader, fields)),
        ContentKind::Page => Details::Page(read_page(reader, fields)),
    };
    (common, details, registry::fields_of(kind))
}

fn read_common(reader: &mut Reader<'_>, kind: ContentKind, fields: &mut Fields<'_>) -> Common {
    let title_key = if kind == ContentKind::Organisation {
        "name"
    } else {
        "title"
    };
    let title_node = fields.get(title_key);
    let title = reader.req_string(fields, title_key);
    let title = reader.limit(title_node, title, title_key, 200);
    let slug = fields
        .get("slug")
        .and_then(|node| reader.slug(node, "slug"));
    let summary_node = fields.get("summary");
    let summary = if matches!(
        kind,
        ContentKind::CaseStudy | ContentKind::Programme | ContentKind::Page
    ) {
        reader.req_string(fields, "summary")
    } else {
        reader.opt_string(fields, "summary")
    };
    let summary = reader.limit(summary_node, summary, "summary", 320);
    let published = if kind == ContentKind::Dataset {
        reader.opt_date(fields, "published")
    } else {
        reader
            .required(fields, "published")
            .and_then(|node| reader.date(node, "published"))
    };
    let updated_node = fields.get("updated");
    let updated = reader.opt_date(fields, "updated");
    if let (Some(published), Some(updated), Some(node)) = (published, updated, updated_node)
        && updated < published
    {
        reader.report(
            Code::W102,
            node.at,
            format!("`updated` ({updated}) is earlier than `published` ({published})"),
            "check both dates; `updated` is the date of the last change",
        );
    }
    let reviewed = read_review_date(reader, fields, "reviewed", published);
    let review_due = read_review_date(reader, fields, "review_due", published);
    if let (Some(reviewed), Some(due)) = (&reviewed, &review_due)
        && due.value < reviewed.value
    {
        reader.report(
                Code::W102,
                due.at,
                format!(
                    "`review_due` ({}) is earlier than `reviewed` ({})",
                    due.value, reviewed.value
                ),
                "the next review falls after the last one; correct one of the dates, or remove `review_due` to let `review_after` set it",
            );
    }
    let draft = reader.opt_bool(fields, "draft").unwrap_or(false);
    Common {
        slug,
        title,
        summary,
        published,
        updated,
        reviewed,
        review_due,
        draft,
    }
}

/// `reviewed` or `review_due`, located at its key (where a review warning points). A date
/// before `published` is W102: a page is reviewed, and falls due, once it is published.
fn read_review_date(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    key: &str,
    published: Option<crate::model::time::Date>,
) -> Option<Located<crate::model::time::Date>> {
    let node = fields.get(key)?;
    let at = fields.key_at(key).unwrap_or(node.at);
    let date = reader.date(node, key)?;
    if let Some(published) = published.filter(|&published| date < published) {
        reader.report(
            Code::W102,
            node.at,
            format!("`{key}` ({date}) is earlier than `published` ({published})"),
            "check both dates; a page is reviewed after it is first published",
        );
    }
    Some(Located::new(date, at))
}

fn read_place(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> Place {
    Place {
        nhs_region: reader.opt_vocab(fields, "nhs_region"),
        ons_region: reader.opt_vocab(fields, "ons_region"),
        local_authority: reader.opt_string(fields, "local_authority"),
    }
}

fn read_organisation_links(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    required: bool,
) -> Vec<OrganisationLink> {
    let node = if required {
        reader.required(fields, "organisations")
    } else {
        fields.get("organisations")
    };
    let Some(node) = node else { return Vec::new() };
    let items = reader.list(node, "organisations");
    let mut links = Vec::new();
    for item in items {
        let Some(mut link) = reader.fields(item, "an organisation") else {
            continue;
        };
        let name = reader.req_string(&mut link, "name");
        let org_type = reader
            .required(&mut link, "org_type")
            .and_then(|node| reader.vocab::<OrgType>(node, "org_type"));
        let slug = reader.opt_reference(&mut link, "slug");
        let role = reader.opt_vocab(&mut link, "role").unwrap_or(OrgRole::Lead);
        reader.finish(link, &names(registry::ORGANISATION_LINK));
        if let Some(name) = name {
            links.push(OrganisationLink {
                name,
                org_type,
                slug,
                role,
            });
        }
    }
    links
}

fn read_contacts(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> Vec<Contact> {
    let items = reader.opt_list(fields, "contacts");
    let mut contacts = Vec::new();
    for item in items {
        let Some(mut contact) = reader.fields(item, "a contact") else {
            continue;
        };
        let value = Contact {
            name: reader.opt_string(&mut contact, "name"),
            role: reader.opt_string(&mut contact, "role"),
            organisation: reader.opt_string(&mut contact, "organisation"),
            email: reader.opt_string(&mut contact, "email"),
            phone: reader.opt_string(&mut contact, "phone"),
        };
        if value.name.is_none() && value.role.is_none() {
            reader.report(
                Code::E005,
                contact.at,
                "a contact needs a `name` or a `role`",
                "add `role:` (a role is enough)",
            );
        }
        reader.finish(contact, &names(registry::CONTACT));
        contacts.push(value);
    }
    contacts
}

fn read_source(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    required: bool,
) -> Option<SourceRef> {
    if required {
        reader.required(fields, "source")?;
    }
    let mut source = reader.sub_fields(fields, "source", "`source`")?;
    let url = reader
        .required(&mut source, "url")
        .and_then(|node| reader.url(node, "url"));
    let publisher = reader.req_string(&mut source, "publisher");
    let title = reader.opt_string(&mut source, "title");
    let licence = reader
        .required(&mut source, "licence")
        .and_then(|node| reader.vocab::<Licence>(node, "licence"));
    let published = reader.opt_period(&mut source, "published");
    let accessed = reader.opt_date(&mut source, "accessed");
    let adapted = reader.opt_bool(&mut source, "adapted").unwrap_or(false);
    reader.finish(source, &names(registry::SOURCE_FIELDS));
    Some(SourceRef {
        url: url?,
        publisher: publisher?,
        title,
        licence,
        published,
        accessed,
        adapted,
    })
}

fn read_case_study(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    extra_metrics: &[String],
) -> CaseStudy {
    let organisations = read_organisation_links(reader, fields, true);
    let lead_role = reader.opt_string(fields, "lead_role");
    let place = read_place(reader, fields);
    let care_settings = read_care_settings(reader, fields);
    let topics = reader.term_list(fields, "topics");
    let key_questions = reader.vocab_list(fields, "cqc_key_questions");
    let programme = reader.opt_reference(fields, "programme");
    let cohort = reader.opt_reference(fields, "cohort");
    let period = reader
        .sub_fields(fields, "period", "`period`")
        .map(|mut span| {
            let start = reader.opt_period(&mut span, "start");
            let end_node = span.get("end");
            let end = reader.opt_period(&mut span, "end");
            check_order(reader, start, end, end_node);
            reader.finish(span, &names(registry::SPAN));
            Span { start, end }
        });
    let contacts = read_contacts(reader, fields);
    let outcomes = read_outcomes(reader, fields, extra_metrics);
    let headline = read_headline(reader, fields, &outcomes);
    let related = reader.reference_list(fields, "related");
    let awards = reader
        .opt_list(fields, "awards")
        .into_iter()
        .filter_map(|item| {
            let mut award = reader.fields(item, "an award")?;
            let name = reader.req_string(&mut award, "name");
            let year = reader.opt_int(&mut award, "year");
            let result = reader.opt_vocab(&mut award, "result");
            reader.finish(award, &names(registry::AWARD));
            Some(Award {
                name: name?,
                year,
                result,
            })
        })
        .collect();
    let source = read_source(reader, fields, false);
    let image = reader
        .sub_fields(fields, "image", "`image`")
        .and_then(|mut image| {
            let src_at = image.get_raw("src").map_or(image.at, |node| node.at);
            let src = reader.req_string(&mut image, "src");
            let alt = match image.get_raw("alt") {
                Some(node) if is_quoted(node) || !node.is_empty() => reader.string(node, "alt"),
                _ => {
                    reader.report(
                        Code::E005,
                        image.at,
                        "an image needs `alt` text",
                        "describe the image in `alt:`, or write `alt: \"\"` if it is decorative",
                    );
                    None
                }
            };
            reader.finish(image, &names(registry::IMAGE));
            Some(Image {
                src: src?,
                src_at,
                alt: alt.unwrap_or_default(),
            })
        });
    CaseStudy {
        organisations,
        lead_role,
        place,
        care_settings,
        topics,
        key_questions,
        programme,
        cohort,
        period,
        contacts,
        outcomes,
        headline,
        related,
        awards,
        source,
        image,
    }
}

/// `headline:`, the outcome a page leads with: its number in `outcomes` (from 1) or a metric
/// one of them has (the first with it). Returns its index; anything else is E006 at the value.
fn read_headline(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    outcomes: &[Outcome],
) -> Option<usize> {
    let node = fields.get("headline")?;
    let text = reader.string(node, "headline")?;
    let found = match text.parse::<usize>() {
        Ok(number) => number.checked_sub(1).filter(|&i| i < outcomes.len()),
        Err(_) => outcomes.iter().position(|o| o.metric == text),
    };
    if found.is_none() {
        let hint = match outcomes.len() {
            0 => "this page has no `outcomes`; remove `headline`".to_owned(),
            1 => "write `headline: 1`, or the metric of the outcome".to_owned(),
            n => format!("write a number from 1 to {n}, or the metric of one of the outcomes"),
        };
        reader.report(
            Code::E006,
            node.at,
            format!("`headline: {text}` names none of the page's outcomes"),
            hint,
        );
    }
    found
}

fn read_care_settings(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> Vec<CareSetting> {
    if reader.required(fields, "care_settings").is_none() {
        return Vec::new();
    }
    reader.vocab_list(fields, "care_settings")
}

fn check_order(
    reader: &mut Reader<'_>,
    start: Option<crate::model::time::Period>,
    end: Option<crate::model::time::Period>,
    end_node: Option<&Node>,
) {
    if let (Some(start), Some(end), Some(node)) = (start, end, end_node)
        && end.end() < start.start()
    {
        reader.report(
            Code::E007,
            node.at,
            format!("the end ({end}) is before the start ({start})"),
            "check the two dates",
        );
    }
}

fn read_programme(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    extra_metrics: &[String],
) -> Programme {
    let organisations = read_organisation_links(reader, fields, true);
    let place = read_place(reader, fields);
    let care_settings = read_care_settings(reader, fields);
    let cost = reader
        .sub_fields(fields, "cost", "`cost`")
        .and_then(|mut money| {
            let as_at = reader.opt_period(&mut money, "as_at");
            let value = read_money(reader, &mut money, as_at);
            reader.finish(money, &names(registry::COST));
            value
        });
    let audience = reader.opt_string(fields, "audience");
    let delivery = reader.vocab_list(fields, "delivery");
    let duration = reader.opt_string(fields, "duration");
    let modules = reader.reference_list(fields, "modules");
    let cohorts = reader.reference_list(fields, "cohorts");
    let accreditation = reader.opt_string(fields, "accreditation");
    let status = reader.opt_vocab(fields, "status");
    let contacts = read_contacts(reader, fields);
    let outcomes = read_outcomes(reader, fields, extra_metrics);
    let headline = read_headline(reader, fields, &outcomes);
    Programme {
        organisations,
        place,
        care_settings,
        audience,
        delivery,
        duration,
        modules,
        cohorts,
        accreditation,
        cost,
        status,
        contacts,
        outcomes,
        headline,
        source: read_source(reader, fields, false),
        topics: reader.term_list(fields, "topics"),
    }
}

fn read_module(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> Module {
    let programme = reader
        .required(fields, "programme")
        .and_then(|node| reader.reference(node, "programme"));
    let order = fields.get("order").and_then(|node| {
        let value = reader.int(node, "order")?;
        if value == 0 {
            reader.report(
                Code::E008,
                node.at,
                "`order` starts at 1",
                "number the modules 1, 2, 3 …",
            );
            return None;
        }
        Some(Located::new(value, node.at))
    });
    let materials = reader
        .opt_list(fields, "materials")
        .into_iter()
        .filter_map(|item| {
            let mut material = reader.fields(item, "a material")?;
            let title = reader.req_string(&mut material, "title");
            let href = reader.required(&mut material, "href").and_then(|node| {
                reader
                    .string(node, "href")
                    .map(|text| Located::new(text, node.at))
            });
            let format = reader.opt_vocab(&mut material, "format");
            let size_bytes = reader.opt_int(&mut material, "size_bytes");
            reader.finish(material, &names(registry::MATERIAL));
            Some(Material {
                title: title?,
                href: href?,
                format,
                size_bytes,
            })
        })
        .collect();
    Module {
        programme,
        order,
        learning_outcomes: reader.string_list(fields, "learning_outcomes"),
        duration: reader.opt_string(fields, "duration"),
        delivery: reader.vocab_list(fields, "delivery"),
        materials,
    }
}

fn read_cohort(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    extra_metrics: &[String],
) -> Cohort {
    let programme = reader
        .required(fields, "programme")
        .and_then(|node| reader.reference(node, "programme"));
    let number = reader.opt_int(fields, "number");
    let start = reader.opt_period(fields, "start");
    let end_node = fields.get("end");
    let end = reader.opt_period(fields, "end");
    check_order(reader, start, end, end_node);
    let participants_enrolled = reader.opt_int(fields, "participants_enrolled");
    let completed_node = fields.get("participants_completed");
    let participants_completed = reader.opt_int(fields, "participants_completed");
    if let (Some(enrolled), Some(completed), Some(node)) = (
        participants_enrolled,
        participants_completed,
        completed_node,
    ) && completed > enrolled
    {
        reader.report(
            Code::E012,
            node.at,
            format!("{completed} participants completed, more than the {enrolled} enrolled"),
            "check `participants_completed` and `participants_enrolled`",
        );
    }
    Cohort {
        programme,
        number,
        start,
        end,
        location: reader.opt_string(fields, "location"),
        participants_enrolled,
        participants_completed,
        homes: reader.opt_int(fields, "homes"),
        place: read_place(reader, fields),
        facilitators: reader.string_list(fields, "facilitators"),
        outcomes: read_outcomes(reader, fields, extra_metrics),
        contacts: read_contacts(reader, fields),
        source: read_source(reader, fields, false),
    }
}

fn read_organisation(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> Organisation {
    let org_type = reader
        .required(fields, "org_type")
        .and_then(|node| reader.vocab::<OrgType>(node, "org_type"));
    Organisation {
        org_type,
        place: read_place(reader, fields),
        website: reader.opt_url(fields, "website"),
        ods_code: reader.opt_string(fields, "ods_code"),
        ons_code: reader.opt_string(fields, "ons_code"),
        cqc_provider_id: reader.opt_string(fields, "cqc_provider_id"),
        status: reader.opt_vocab(fields, "status"),
        closed: reader.opt_date(fields, "closed"),
        successor: fields.get("successor").and_then(|node| {
            reader
                .string(node, "successor")
                .map(|text| Located::new(text, node.at))
        }),
    }
}

fn read_page(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> GeneralPage {
    GeneralPage {
        menu: reader.opt_vocab(fields, "menu"),
        order: reader.opt_int(fields, "order"),
    }
}

fn read_dataset(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> Dataset {
    let source = read_source(reader, fields, true);
    let unit = reader.req_string(fields, "unit").unwrap_or_default();
    let mut columns = Vec::new();
    if let Some(node) = reader.required(fields, "columns") {
        for item in reader.list(node, "columns") {
            let Some(mut column) = reader.fields(item, "a column") else {
                continue;
            };
            let key = reader.req_string(&mut column, "key");
            let label = reader.req_string(&mut column, "label");
            let kind = reader
                .required(&mut column, "type")
                .and_then(|node| read_column_type(reader, node));
            reader.finish(column, &names(registry::COLUMN));
            if let Some(key) = key {
                // A column with a bad type or label is still a column: its cells are read as
                // text so that the rows do not report its key as unknown.
                let label = label.unwrap_or_else(|| key.clone());
                columns.push(Column {
                    key,
                    label,
                    kind: kind.unwrap_or(ColumnType::Text),
                });
            }
        }
    }
    let mut rows = Vec::new();
    if let Some(node) = reader.required(fields, "rows") {
        for item in reader.list(node, "rows") {
            let Some(mut row) = reader.fields(item, "a row") else {
                continue;
            };
            let cells = columns
                .iter()
                .map(|column| read_cell(reader, &mut row, column))
                .collect();
            let keys: Vec<&str> = columns.iter().map(|column| column.key.as_str()).collect();
            reader.finish(row, &keys);
            rows.push(cells);
        }
    }
    let notes = reader.string_list(fields, "notes");
    let notes = (!notes.is_empty()).then(|| notes.join("\n\n"));
    Dataset {
        source,
        unit,
        columns,
        rows,
        notes,
    }
}

/// A column type; `enum(cqc-rating)`, as the content model writes it, is `cqc-rating`.
fn read_column_type(reader: &mut Reader<'_>, node: &Node) -> Option<ColumnType> {
    let text = node.scalar().unwrap_or("");
    if let Some(inner) = text
        .trim()
        .strip_prefix("enum(")
        .and_then(|rest| rest.strip_suffix(')'))
        && let Some(kind) = ColumnType::parse(inner)
    {
        return Some(kind);
    }
    reader.vocab::<ColumnType>(node, "type")
}

fn read_cell(reader: &mut Reader<'_>, row: &mut Fields<'_>, column: &Column) -> Cell {
    let Some(node) = row.get(&column.key) else {
        return Cell::Empty;
    };
    let key = column.key.as_str();
    let cell = match column.kind {
        ColumnType::Text => reader.string(node, key).map(Cell::Text),
        ColumnType::Int => reader.int(node, key).map(Cell::Int),
        ColumnType::Number => reader.number(node, key).map(Cell::Number),
        ColumnType::Period => reader.period(node, key).map(Cell::Period),
        ColumnType::CqcRating => reader.vocab::<CqcRating>(node, key).map(Cell::Rating),
    };
    cell.unwrap_or(Cell::Empty)
}

/// Whether a root node is a mapping.
pub(crate) fn is_mapping(node: &Node) -> bool {
    matches!(node.kind, NodeKind::Map(_))
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Code;
    use crate::load::Source;
    use crate::model::ContentKind;
    use crate::model::content::{Details, Page};
    use crate::parse::{ParseOptions, parse_source};

    const OUTCOMES: &str = "outcomes:
  - kind: rating-change
    metric: cqc-overall-rating
    label: Overall rating
    to: {rating: good, as_at: 2025}
  - kind: share
    metric: homes-rated-good-or-outstanding
    label: Homes rated Good
    value: 90
";

    fn case_study(extra: &str) -> (Option<Page>, Vec<crate::diagnostics::Diagnostic>) {
        let text = format!(
            "---\ntitle: T\nsummary: S\npublished: 2025-01-01\n\
             organisations: [{{name: A Home, org_type: independent-provider}}]\n\
             care_settings: [care-home]\n{OUTCOMES}{extra}---\nBody\n"
        );
        let source = Source {
            path: "content/case-studies/a-home.md".into(),
            kind: ContentKind::CaseStudy,
            stem: "a-home".into(),
            text,
        };
        parse_source(&source, &ParseOptions::default())
    }

    fn headline(extra: &str) -> Option<usize> {
        let (page, diagnostics) = case_study(extra);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        match page.expect("a page").details {
            Details::CaseStudy(c) => c.headline,
            _ => unreachable!(),
        }
    }

    #[test]
    fn review_dates_are_read_at_their_keys() {
        let (page, diagnostics) = case_study("reviewed: 2025-03-01\nreview_due: 2027-03-01\n");
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let page = page.expect("a page");
        let reviewed = page.reviewed.clone().expect("reviewed");
        assert_eq!(reviewed.value.to_string(), "2025-03-01");
        // After the fence, five fields and the outcomes' nine lines: `reviewed` is line 16.
        assert_eq!((reviewed.at.line, reviewed.at.column), (16, 1));
        let due = page.review_due.clone().expect("review_due");
        assert_eq!((due.at.line, due.at.column), (17, 1));
        // Given, `review_due` wins over `review_after`.
        let three_years = crate::model::time::Interval::parse("3 years");
        assert_eq!(page.review_due(three_years), Some(due.value));
    }

    #[test]
    fn a_review_before_publication_is_w102_at_its_value() {
        let (page, diagnostics) = case_study("reviewed: 2024-12-31\n");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!(d.code, Code::W102);
        assert_eq!((d.line, d.column), (16, 11));
        assert_eq!(
            d.message,
            "`reviewed` (2024-12-31) is earlier than `published` (2025-01-01)"
        );
        // The date is still read: a warning never loses the value.
        assert!(page.expect("a page").reviewed.is_some());

        let (_, diagnostics) = case_study("review_due: 2024-06-01\n");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        assert_eq!(diagnostics[0].code, Code::W102);
        assert_eq!((diagnostics[0].line, diagnostics[0].column), (16, 13));

        let (_, diagnostics) = case_study("reviewed: 2025-06-01\nreview_due: 2025-05-01\n");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        assert_eq!(
            diagnostics[0].message,
            "`review_due` (2025-05-01) is earlier than `reviewed` (2025-06-01)"
        );
        assert_eq!(diagnostics[0].line, 17);

        let (_, diagnostics) = case_study("reviewed: 1 March 2025\n");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        assert_eq!(diagnostics[0].code, Code::E007);
    }

    #[test]
    fn review_after_counts_from_the_last_review_else_update_else_publication() {
        let after = crate::model::time::Interval::parse("18 months");
        let due = |extra: &str| {
            let (page, diagnostics) = case_study(extra);
            assert!(diagnostics.is_empty(), "{diagnostics:#?}");
            page.expect("a page")
                .review_due(after)
                .map(|d| d.to_string())
        };
        assert_eq!(due(""), Some("2026-07-01".into()));
        assert_eq!(due("updated: 2025-02-10\n"), Some("2026-08-10".into()));
        assert_eq!(
            due("updated: 2025-02-10\nreviewed: 2025-01-31\n"),
            Some("2026-07-31".into())
        );
        let (page, _) = case_study("");
        assert_eq!(page.expect("a page").review_due(None), None);
    }

    #[test]
    fn headline_names_an_outcome_by_number_or_metric() {
        assert_eq!(headline(""), None);
        assert_eq!(headline("headline: 2\n"), Some(1));
        assert_eq!(headline("headline: 1\n"), Some(0));
        assert_eq!(
            headline("headline: homes-rated-good-or-outstanding\n"),
            Some(1)
        );
    }

    #[test]
    fn headline_out_of_range_or_unknown_is_e006_at_its_value() {
        for value in ["3", "0", "falls", "[1, 2]"] {
            let (page, diagnostics) = case_study(&format!("headline: {value}\n"));
            assert_eq!(diagnostics.len(), 1, "{value}: {diagnostics:#?}");
            let d = &diagnostics[0];
            assert_eq!(d.code, Code::E006, "{value}");
            // After the fence, five fields and the outcomes' nine lines.
            assert_eq!((d.line, d.column), (16, 11), "{value}");
            let Some(Page {
                details: Details::CaseStudy(c),
                ..
            }) = page
            else {
                panic!("a case study");
            };
            assert_eq!(c.headline, None);
        }
    }
}
