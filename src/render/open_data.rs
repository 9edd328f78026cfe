//! Open data: every outcome measure on the site as one flat record, written as
//! `/data/outcomes.csv` (RFC 4180) and `/data/outcomes.json`, with a JSON Schema.
//!
//! A measure stated without figures still gets its record, with the figures empty. Text cells
//! of the CSV that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return) are prefixed with `'`; numbers are plain numbers.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::model::ContentKind;
use crate::model::content::{Details, Distribution, Figures, Outcome, Page, SourceRef};
use crate::model::vocab::{CqcRating, Vocabulary};
use crate::model::{Site, page_terms};
use crate::render::urls::Urls;

macro_rules! record {
    ($($(#[doc = $doc:literal])* $kind:ident $name:ident: $ty:ty,)*) => {
        /// One outcome measure, flat, as written to CSV and JSON. In JSON a figure the
        /// measure does not state is left out rather than written as null, which keeps the
        /// file small on a large site.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct OutcomeRecord {
            $($(#[doc = $doc])* #[serde(default, skip_serializing_if = "IsEmpty::is_empty")] pub $name: $ty,)*
        }

        impl OutcomeRecord {
            /// The CSV column names, in order.
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($name),)*];

            /// Appends the record's CSV cells to `row`, separated by commas (no line end).
            fn push_cells(&self, row: &mut String) {
                let mut first = true;
                $(push_cell(row, &mut first, &record!(@cell $kind self.$name));)*
            }

            fn schema_properties() -> serde_json::Map<String, serde_json::Value> {
                let mut properties = serde_json::Map::new();
                $(properties.insert(stringify!($name).to_owned(), record!(@schema $kind $($doc),*));)*
                properties
            }
        }
    };
    (@cell text $value:expr) => { text_cell($value.as_deref()) };
    (@cell texts $value:expr) => { texts_cell(&$value) };
    (@cell number $value:expr) => { number_cell($value) };
    (@schema text $($doc:literal),*) => { serde_json::json!({"type": "string", "description": concat!($($doc),*).trim()}) };
    (@schema texts $($doc:literal),*) => { serde_json::json!({"type": "array", "items": {"type": "string"}, "description": concat!($($doc),*).trim()}) };
    (@schema number $($doc:literal),*) => { serde_json::json!({"type": "number", "description": concat!($($doc),*).trim()}) };
}

record! {
    /// Absolute URL of the page that states the measure.
    text page_url: Option<String>,
    /// Type of that page: case-study, programme or cohort.
    text page_type: Option<String>,
    /// Title of that page.
    text page_title: Option<String>,
    /// Organisations named by the page (by name).
    texts organisations: Vec<String>,
    /// NHS England region key.
    text nhs_region: Option<String>,
    /// ONS region or nation key.
    text ons_region: Option<String>,
    /// Care setting keys.
    texts care_settings: Vec<String>,
    /// CQC key question keys the page addresses.
    texts key_questions: Vec<String>,
    /// Metric key (vocabulary, site-defined or `custom:<slug>`).
    text metric: Option<String>,
    /// Outcome kind: rating-distribution, rating-change, count, share, relative-change, measure, score or money.
    text kind: Option<String>,
    /// Label shown with the figure.
    text label: Option<String>,
    /// What is counted.
    text unit: Option<String>,
    /// Key question of a key-question rating.
    text key_question: Option<String>,
    /// Which direction is better: higher or lower.
    text better: Option<String>,
    /// Who reported the figure: self, evaluation, regulator or commissioner.
    text reported_by: Option<String>,
    /// When the figure applies (period), if stated.
    text as_at: Option<String>,
    /// Single value (count, measure, share per cent, relative change per cent, score, money).
    number value: Option<f64>,
    /// Share: the part; empty when the share is stated as a per cent of the whole.
    number numerator: Option<f64>,
    /// Share: the whole.
    number denominator: Option<f64>,
    /// Before value (count, measure).
    number before_value: Option<f64>,
    /// After value (count, measure).
    number after_value: Option<f64>,
    /// When the before figure applies.
    text before_as_at: Option<String>,
    /// When the after figure applies.
    text after_as_at: Option<String>,
    /// Rating distribution before: services rated Outstanding.
    number before_outstanding: Option<f64>,
    /// Rating distribution before: Good.
    number before_good: Option<f64>,
    /// Rating distribution before: Requires improvement.
    number before_requires_improvement: Option<f64>,
    /// Rating distribution before: Inadequate.
    number before_inadequate: Option<f64>,
    /// Rating distribution before: Not rated.
    number before_not_rated: Option<f64>,
    /// Rating distribution before: total services.
    number before_total: Option<f64>,
    /// Derived: per cent of services rated Good or Outstanding before.
    number before_good_or_outstanding_percent: Option<f64>,
    /// Rating distribution after: Outstanding.
    number after_outstanding: Option<f64>,
    /// Rating distribution after: Good.
    number after_good: Option<f64>,
    /// Rating distribution after: Requires improvement.
    number after_requires_improvement: Option<f64>,
    /// Rating distribution after: Inadequate.
    number after_inadequate: Option<f64>,
    /// Rating distribution after: Not rated.
    number after_not_rated: Option<f64>,
    /// Rating distribution after: total services.
    number after_total: Option<f64>,
    /// Derived: per cent of services rated Good or Outstanding after.
    number after_good_or_outstanding_percent: Option<f64>,
    /// Rating change: the service.
    text subject: Option<String>,
    /// Rating change: rating before.
    text from_rating: Option<String>,
    /// Rating change: rating after.
    text to_rating: Option<String>,
    /// Relative change: baseline figure.
    number baseline: Option<f64>,
    /// Relative change: resulting figure.
    number result: Option<f64>,
    /// Score: scale minimum.
    number scale_min: Option<f64>,
    /// Score: scale maximum.
    number scale_max: Option<f64>,
    /// Score: number of responses.
    number n: Option<f64>,
    /// Money: currency code.
    text currency: Option<String>,
    /// Money: what the amount is per.
    text per: Option<String>,
    /// Provenance of the figure.
    text source_url: Option<String>,
    /// Licence of the page's source text.
    text licence: Option<String>,
    /// Caveats, or the original wording of an approximate figure.
    text note: Option<String>,
}

/// Values left out of the JSON when empty.
trait IsEmpty {
    fn is_empty(&self) -> bool;
}

impl<T> IsEmpty for Option<T> {
    fn is_empty(&self) -> bool {
        self.is_none()
    }
}

impl<T> IsEmpty for Vec<T> {
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }
}

/// Every outcome measure of the site, in page order, one record each.
pub fn outcome_records(site: &Site, urls: &Urls) -> Vec<OutcomeRecord> {
    records(site, urls).collect()
}

/// The records of [`outcome_records`], made one at a time (a large site has tens of
/// thousands, and the files are written from them without holding them all).
pub fn records<'a>(site: &'a Site, urls: &'a Urls) -> impl Iterator<Item = OutcomeRecord> + 'a {
    site.pages.iter().flat_map(move |page| {
        let (outcomes, context) = match page.outcomes_with_source() {
            Some((outcomes, source)) => (outcomes, Some(PageContext::of(site, page, source, urls))),
            None => (&[][..], None),
        };
        outcomes
            .iter()
            .filter_map(move |outcome| Some(record_of(context.as_ref()?, outcome)))
    })
}

/// What every record of one page shares.
pub(crate) struct PageContext {
    pub(crate) url: String,
    pub(crate) kind: ContentKind,
    pub(crate) title: String,
    pub(crate) organisations: Vec<String>,
    pub(crate) nhs_region: Option<String>,
    pub(crate) ons_region: Option<String>,
    pub(crate) care_settings: Vec<String>,
    pub(crate) key_questions: Vec<String>,
    pub(crate) licence: Option<String>,
}

impl PageContext {
    /// The shared fields; a cohort takes its places and settings from its programme.
    pub(crate) fn of(
        site: &Site,
        page: &Page,
        source: Option<&SourceRef>,
        urls: &Urls,
    ) -> PageContext {
        let programme = match &page.details {
            Details::Cohort(c) => c
                .programme
                .as_ref()
                .and_then(|p| site.get(ContentKind::Programme, &p.value)),
            _ => None,
        };
        let filed = programme.unwrap_or(page);
        let mut care_settings = Vec::new();
        let mut key_questions = Vec::new();
        let mut nhs_region = None;
        for (taxonomy, key, _) in page_terms(filed) {
            match taxonomy {
                crate::model::Taxonomy::Settings => care_settings.push(key),
                crate::model::Taxonomy::KeyQuestions => key_questions.push(key),
                crate::model::Taxonomy::Regions => nhs_region = Some(key),
                crate::model::Taxonomy::Topics => {}
            }
        }
        let (organisations, ons_region) = match &filed.details {
            Details::CaseStudy(c) => (
                c.organisations.iter().map(|o| o.name.clone()).collect(),
                c.place.ons_region,
            ),
            Details::Programme(p) => (
                p.organisations.iter().map(|o| o.name.clone()).collect(),
                p.place.ons_region,
            ),
            _ => (Vec::new(), None),
        };
        let ons_region = match &page.details {
            Details::Cohort(c) => c.place.ons_region.or(ons_region),
            _ => ons_region,
        };
        PageContext {
            url: urls.absolute(&crate::model::page_path(page.kind, &page.slug.value)),
            kind: page.kind,
            title: page.title.clone(),
            organisations,
            nhs_region,
            ons_region: ons_region.map(|r| r.key().to_owned()),
            care_settings,
            key_questions,
            licence: source.and_then(|s| s.licence).map(|l| l.key().to_owned()),
        }
    }
}

fn record_of(page: &PageContext, outcome: &Outcome) -> OutcomeRecord {
    let mut record = OutcomeRecord {
        page_url: Some(page.url.clone()),
        page_type: Some(page.kind.type_name().to_owned()),
        page_title: Some(page.title.clone()),
        organisations: page.organisations.clone(),
        nhs_region: page.nhs_region.clone(),
        ons_region: page.ons_region.clone(),
        care_settings: page.care_settings.clone(),
        key_questions: page.key_questions.clone(),
        metric: Some(outcome.metric.clone()),
        kind: Some(outcome.kind.key().to_owned()),
        label: Some(outcome.label.clone()),
        unit: outcome.unit.clone(),
        key_question: outcome.key_question.map(|k| k.key().to_owned()),
        better: outcome.better.map(|b| b.key().to_owned()),
        reported_by: outcome.reported_by.map(|r| r.key().to_owned()),
        as_at: outcome.as_at.map(|p| p.to_string()),
        value: None,
        numerator: None,
        denominator: None,
        before_value: None,
        after_value: None,
        before_as_at: None,
        after_as_at: None,
        before_outstanding: None,
        before_good: None,
        before_requires_improvement: None,
        before_inadequate: None,
        before_not_rated: None,
        before_total: None,
        before_good_or_outstanding_percent: None,
        after_outstanding: None,
        after_good: None,
        after_requires_improvement: None,
        after_inadequate: None,
        after_not_rated: None,
        after_total: None,
        after_good_or_outstanding_percent: None,
        subject: None,
        from_rating: None,
        to_rating: None,
        baseline: None,
        result: None,
        scale_min: None,
        scale_max: None,
        n: None,
        currency: None,
        per: None,
        source_url: outcome.source_url.clone(),
        licence: page.licence.clone(),
        note: outcome.note.clone(),
    };
    match &outcome.figures {
        Figures::None => {}
        Figures::RatingDistribution { before, after } => {
            if let Some(d) = before {
                let [o, g, r, i, n] = counts(d);
                (
                    record.before_outstanding,
                    record.before_good,
                    record.before_requires_improvement,
                ) = (o, g, r);
                (record.before_inadequate, record.before_not_rated) = (i, n);
                record.before_total = Some(total(d) as f64);
                record.before_good_or_outstanding_percent = good_percent(d);
                record.before_as_at = d.as_at.map(|p| p.to_string());
            }
            if let Some(d) = after {
                let [o, g, r, i, n] = counts(d);
                (
                    record.after_outstanding,
                    record.after_good,
                    record.after_requires_improvement,
                ) = (o, g, r);
                (record.after_inadequate, record.after_not_rated) = (i, n);
                record.after_total = Some(total(d) as f64);
                record.after_good_or_outstanding_percent = good_percent(d);
                record.after_as_at = d.as_at.map(|p| p.to_string());
            }
        }
        Figures::RatingChange { subject, from, to } => {
            record.subject = subject.clone();
            record.from_rating = from.as_ref().map(|r| r.rating.key().to_owned());
            record.to_rating = to.as_ref().map(|r| r.rating.key().to_owned());
            record.before_as_at = from.as_ref().and_then(|r| r.as_at).map(|p| p.to_string());
            record.after_as_at = to.as_ref().and_then(|r| r.as_at).map(|p| p.to_string());
        }
        Figures::Amount {
            value,
            before,
            after,
        } => {
            record.value = value.as_ref().map(|v| v.value);
            record.before_value = before.as_ref().map(|v| v.value);
            record.after_value = after.as_ref().map(|v| v.value);
            record.before_as_at = before.as_ref().and_then(|v| v.as_at).map(|p| p.to_string());
            record.after_as_at = after.as_ref().and_then(|v| v.as_at).map(|p| p.to_string());
        }
        Figures::Share {
            numerator,
            denominator,
            value,
        } => {
            record.numerator = numerator.map(|v| v as f64);
            record.denominator = denominator.map(|v| v as f64);
            record.value = Some((value * 10.0).round() / 10.0);
        }
        Figures::RelativeChange {
            value,
            from_as_at,
            to_as_at,
            baseline,
            result,
        } => {
            record.value = Some(*value);
            record.before_as_at = from_as_at.map(|p| p.to_string());
            record.after_as_at = to_as_at.map(|p| p.to_string());
            record.baseline = *baseline;
            record.result = *result;
        }
        Figures::Score { value, min, max, n } => {
            record.value = Some(*value);
            record.scale_min = Some(*min);
            record.scale_max = Some(*max);
            record.n = n.map(|v| v as f64);
        }
        Figures::Money(money) => {
            record.value = Some(money.value);
            record.currency = Some(money.currency.clone());
            record.per = money.per.clone();
            record.as_at = money.as_at.or(outcome.as_at).map(|p| p.to_string());
        }
    }
    record
}

fn counts(d: &Distribution) -> [Option<f64>; 5] {
    let mut out = [None; 5];
    for (i, _) in CqcRating::ALL.iter().enumerate() {
        out[i] = Some(d.counts[i] as f64);
    }
    out
}

fn total(d: &Distribution) -> u64 {
    d.total.unwrap_or_else(|| d.counts.iter().sum())
}

fn good_percent(d: &Distribution) -> Option<f64> {
    let whole = total(d);
    (whole > 0).then(|| ((d.counts[0] + d.counts[1]) as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// A text cell, made inert for spreadsheets; borrowed unless it needs the prefix.
fn text_cell(value: Option<&str>) -> Cow<'_, str> {
    match value {
        Some(text) if text.starts_with(['=', '+', '-', '@', '\t', '\r']) => {
            Cow::Owned(format!("'{text}"))
        }
        Some(text) => Cow::Borrowed(text),
        None => Cow::Borrowed(""),
    }
}

/// A cell of several texts, joined with "; " and made inert as one text.
fn texts_cell(values: &[String]) -> Cow<'_, str> {
    match values {
        [] => Cow::Borrowed(""),
        [one] => text_cell(Some(one)),
        many => Cow::Owned(text_cell(Some(&many.join("; "))).into_owned()),
    }
}

/// A number cell: the number as pages write it, or empty.
fn number_cell(value: Option<f64>) -> Cow<'static, str> {
    value.map_or(Cow::Borrowed(""), |v| {
        Cow::Owned(crate::render::format::number(v))
    })
}

/// Appends one CSV field to `row`, after a comma unless it is the row's `first`, quoted when
/// it holds a comma, a quote or a line end.
fn push_cell(row: &mut String, first: &mut bool, cell: &str) {
    if !std::mem::take(first) {
        row.push(',');
    }
    if cell
        .bytes()
        .any(|byte| matches!(byte, b',' | b'"' | b'\r' | b'\n'))
    {
        row.push('"');
        for (i, part) in cell.split('"').enumerate() {
            if i > 0 {
                row.push_str("\"\"");
            }
            row.push_str(part);
        }
        row.push('"');
    } else {
        row.push_str(cell);
    }
}

/// Which of the two open-data files could not be written.
#[derive(Debug)]
pub enum WriteFailure {
    /// `outcomes.csv`.
    Csv(std::io::Error),
    /// `outcomes.json`.
    Json(std::io::Error),
}

/// The records as RFC 4180 CSV into `csv` (a header row, CRLF line ends, fields quoted when
/// needed) and as a JSON array into `json` (one record a line, then a line end). Each record is
/// made once and written to both at once, never the files whole in memory (`outcomes.json`
/// alone is 440 MB at 100,000 case studies).
pub fn write_csv_and_json(
    records: impl IntoIterator<Item = OutcomeRecord>,
    csv: &mut dyn std::io::Write,
    json: &mut dyn std::io::Write,
) -> Result<(), WriteFailure> {
    let mut row = String::new();
    let mut first = true;
    for column in OutcomeRecord::COLUMNS {
        push_cell(&mut row, &mut first, column);
    }
    row.push_str("\r\n");
    csv.write_all(row.as_bytes()).map_err(WriteFailure::Csv)?;
    // Each JSON record is serialised into one buffer, then written at once: serde_json writes
    // a record in a hundred small pieces, each a call through `json`.
    let mut line = Vec::new();
    json.write_all(b"[").map_err(WriteFailure::Json)?;
    for (index, record) in records.into_iter().enumerate() {
        row.clear();
        record.push_cells(&mut row);
        row.push_str("\r\n");
        csv.write_all(row.as_bytes()).map_err(WriteFailure::Csv)?;
        line.clear();
        line.extend_from_slice(if index == 0 { b"\n" } else { b",\n" });
        serde_json::to_writer(&mut line, &record)
            .map_err(|error| WriteFailure::Json(error.into()))?;
        json.write_all(&line).map_err(WriteFailure::Json)?;
    }
    json.write_all(b"\n]\n").map_err(WriteFailure::Json)
}

/// The JSON Schema of `outcomes.json`.
pub fn json_schema() -> String {
    let schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "outcomes.schema.json",
        "title": "casebook outcome measures",
        "description": "Every outcome measure published on a casebook site, one record each. A field the measure does not state is left out.",
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["page_url", "page_type", "page_title", "metric", "kind", "label"],
            "properties": OutcomeRecord::schema_properties(),
        }
    });
    serde_json::to_string_pretty(&schema).expect("the schema is plain data") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses() {
        assert_eq!(text_cell(Some("=HYPERLINK(\"x\")")), "'=HYPERLINK(\"x\")");
        assert_eq!(text_cell(Some("-5 homes")), "'-5 homes");
        assert_eq!(text_cell(Some("plain")), "plain");
        assert_eq!(OutcomeRecord::COLUMNS.len(), 50);
    }

    /// A writer that takes `room` bytes, then fails.
    struct Full {
        room: usize,
    }

    impl std::io::Write for Full {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if bytes.len() > self.room {
                return Err(std::io::Error::other("full"));
            }
            self.room -= bytes.len();
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn two_records() -> Vec<OutcomeRecord> {
        ["a", "=b"]
            .iter()
            .map(|label| {
                serde_json::from_value(
                    serde_json::json!({"page_url": "https://x.org/", "label": label}),
                )
                .expect("a record")
            })
            .collect()
    }

    #[test]
    fn both_files_are_written_from_the_same_records() {
        let (mut csv, mut json) = (Vec::new(), Vec::new());
        write_csv_and_json(two_records(), &mut csv, &mut json).expect("writes to memory");
        let csv = String::from_utf8(csv).expect("UTF-8");
        let rows: Vec<&str> = csv.split_terminator("\r\n").collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].split(',').count(), OutcomeRecord::COLUMNS.len());
        assert!(rows[2].contains(",'=b,"), "{}", rows[2]);
        let json = String::from_utf8(json).expect("UTF-8");
        assert!(
            json.starts_with("[\n{") && json.ends_with("}\n]\n"),
            "{json}"
        );
        let read: Vec<OutcomeRecord> = serde_json::from_str(&json).expect("JSON");
        assert_eq!(read, two_records());
    }

    #[test]
    fn a_failure_names_the_file_that_failed() {
        // Room for the header row, not for the records.
        let header = OutcomeRecord::COLUMNS.join(",").len() + 2;
        let failed = write_csv_and_json(two_records(), &mut Full { room: header }, &mut Vec::new());
        assert!(matches!(failed, Err(WriteFailure::Csv(_))), "{failed:?}");
        let failed = write_csv_and_json(two_records(), &mut Vec::new(), &mut Full { room: 10 });
        assert!(matches!(failed, Err(WriteFailure::Json(_))), "{failed:?}");
    }

    #[test]
    fn csv_fields_join_quote_and_separate() {
        let names = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        assert_eq!(texts_cell(&names(&[])), "");
        assert_eq!(texts_cell(&names(&["-Ashby"])), "'-Ashby");
        assert_eq!(texts_cell(&names(&["=A", "B"])), "'=A; B");
        assert_eq!(texts_cell(&names(&["A", "=B"])), "A; =B");
        assert_eq!(number_cell(Some(4.5)), "4.5");
        assert_eq!(number_cell(None), "");
        let mut row = String::new();
        let mut first = true;
        for cell in ["plain", "a, b", "say \"hi\"", "", "two\nlines"] {
            push_cell(&mut row, &mut first, cell);
        }
        assert_eq!(row, "plain,\"a, b\",\"say \"\"hi\"\"\",,\"two\nlines\"");
    }
}
