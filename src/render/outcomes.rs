//! Outcome measures as text and tables: a one-sentence headline written from the data and a
//! table of every figure, so that no figure is shown only as a picture.
//!
//! It is long because every kind of outcome (rating change and distribution, share, count,
//! measure, relative change, score, money) has its own sentence, table and provenance, and
//! they share the wording helpers (units in the right number, dates, directions) kept here.

use serde::Serialize;

use crate::model::content::{Distribution, Figures, Outcome, ValueAt};
use crate::model::time::Period;
use crate::model::vocab::{Better, CqcRating, METRICS, Vocabulary};
use crate::render::format::{self, dated, number, percent, pounds, signed_percent};

/// An outcome ready for a template.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeView {
    /// The id of its card on the page ("outcome-o1"), which the page's "Results at a glance"
    /// links to; `None` where the outcome is not drawn as a card.
    pub anchor: Option<String>,
    /// Label.
    pub label: String,
    /// Kind, as a label.
    pub kind_label: &'static str,
    /// Metric, as a label.
    pub metric_label: String,
    /// One sentence stating the figures.
    pub headline: String,
    /// Whether there are figures (or only a direction and a note).
    pub has_figures: bool,
    /// The figures as a table.
    pub table: Option<TableView>,
    /// The chart, as HTML with SVG bars (trusted: built here, every text escaped).
    pub chart_html: Option<String>,
    /// When the figures were measured ("March 2020"), or `None` when the content does not say.
    pub as_at: Option<String>,
    /// Where the figure comes from and how to read it: unit, as at, direction, who reported
    /// it, source and note, each only when known.
    pub provenance: Vec<ProvenanceItem>,
}

/// One line of an outcome's provenance: a term and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvenanceItem {
    /// What the line tells: "Unit", "As at", "Direction", "Reported by", "Source", "Note".
    pub term: &'static str,
    /// Its value, as text.
    pub detail: String,
    /// A link for the detail (the source's address), when it has one.
    pub url: Option<String>,
}

/// A table: caption, column headings, rows of text.
#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    /// Caption.
    pub caption: String,
    /// Column headings.
    pub head: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

/// The label of a metric key.
pub fn metric_label(metric: &str) -> String {
    if let Some((_, label)) = METRICS.iter().find(|(key, _)| *key == metric) {
        return (*label).to_owned();
    }
    let words = metric
        .strip_prefix("custom:")
        .unwrap_or(metric)
        .replace('-', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Builds the view of one outcome. With a chart `id` (unique on the page: it names the
/// chart's patterns) the view carries the chart; without, text and table only.
pub fn outcome_view(outcome: &Outcome, chart_id: Option<&str>) -> OutcomeView {
    let (headline, table, as_at) = stated(outcome, true);
    let chart_html =
        chart_id.and_then(|id| crate::render::charts::outcome_chart(outcome, &headline, id));
    let as_at = as_at.map(format::period_text);
    OutcomeView {
        anchor: chart_id.map(|id| format!("outcome-{id}")),
        chart_html,
        label: outcome.label.clone(),
        kind_label: outcome.kind.label(),
        metric_label: metric_label(&outcome.metric),
        headline,
        has_figures: !matches!(outcome.figures, Figures::None),
        table,
        provenance: provenance(
            outcome,
            as_at
                .as_deref()
                .filter(|_| !figures_dated(&outcome.figures)),
        ),
        as_at,
    }
}

/// What an outcome states: its headline sentence, the table of its figures (only when
/// `tables`: a headline alone needs none) and the period its figures apply to.
fn stated(outcome: &Outcome, tables: bool) -> (String, Option<TableView>, Option<Period>) {
    let noun = outcome.unit.as_deref().unwrap_or_default();
    match &outcome.figures {
        Figures::None => (
            outcome
                .note
                .clone()
                .unwrap_or_else(|| outcome.label.clone()),
            None,
            outcome.as_at,
        ),
        Figures::RatingDistribution { before, after } => {
            distribution(outcome, before.as_ref(), after.as_ref(), tables)
        }
        Figures::RatingChange { subject, from, to } => {
            let who = subject.clone().unwrap_or_else(|| "The service".to_owned());
            let headline = match (from, to) {
                (Some(from), Some(to)) => format!(
                    "{who} went from {} to {}",
                    from.rating.label(),
                    to.rating.label()
                ),
                (None, Some(to)) => format!("{who} is rated {}", to.rating.label()),
                (Some(from), None) => format!("{who} was rated {}", from.rating.label()),
                (None, None) => who,
            };
            let table = tables.then(|| {
                let rows = [("Before", from), ("After", to)]
                    .into_iter()
                    .filter_map(|(when, side)| {
                        side.as_ref().map(|side| {
                            let row = vec![when.to_owned(), side.rating.label().to_owned()];
                            (row, side.as_at)
                        })
                    })
                    .collect();
                dated_table(
                    &outcome.label,
                    vec!["When".into(), "CQC rating".into()],
                    rows,
                )
            });
            (
                headline,
                table,
                to.as_ref().and_then(|t| t.as_at).or(outcome.as_at),
            )
        }
        Figures::Amount {
            value,
            before,
            after,
        } => amount(
            outcome,
            value.as_ref(),
            before.as_ref(),
            after.as_ref(),
            noun,
            tables,
        ),
        Figures::Share {
            numerator,
            denominator,
            value,
        } => {
            let headline = match (numerator, denominator) {
                (Some(n), Some(d)) => format!(
                    "{n} of {d} {} ({})",
                    of_count(*d as f64, noun),
                    percent(*value)
                )
                .replace("  ", " "),
                (None, Some(d)) => format!("{} of {}", percent(*value), of_whole(*d, noun)),
                _ if !noun.trim().is_empty() => format!("{} of {noun}", percent(*value)),
                _ => percent(*value),
            };
            let table = tables.then(|| {
                let mut rows = vec![vec!["Share".to_owned(), percent(*value)]];
                if let Some(d) = denominator {
                    rows.insert(0, vec!["Whole".to_owned(), d.to_string()]);
                }
                if let Some(n) = numerator {
                    rows.insert(0, vec!["Part".to_owned(), n.to_string()]);
                }
                figure_table(outcome, rows)
            });
            (headline, table, outcome.as_at)
        }
        Figures::RelativeChange {
            value,
            from_as_at,
            to_as_at,
            baseline,
            result,
        } => {
            let direction = if *value >= 0.0 {
                "increase"
            } else {
                "decrease"
            };
            let headline = format!("{} {direction}", percent(value.abs()));
            let table = tables.then(|| {
                let mut rows = vec![vec!["Change".to_owned(), signed_percent(*value)]];
                for (figure, value, as_at) in [
                    ("Baseline", baseline, from_as_at),
                    ("Result", result, to_as_at),
                ] {
                    if let Some(value) = value {
                        rows.push(vec![dated(figure, *as_at), number(*value)]);
                    }
                }
                figure_table(outcome, rows)
            });
            (headline, table, to_as_at.or(outcome.as_at))
        }
        Figures::Score { value, min, max, n } => {
            let respondents = n
                .map(|n| format!(" from {n} {}", of_count(n as f64, "responses")))
                .unwrap_or_default();
            let headline = format!(
                "{} on a scale of {} to {}{respondents}",
                number(*value),
                number(*min),
                number(*max)
            );
            let table = tables.then(|| {
                let mut rows = vec![
                    vec!["Score".to_owned(), number(*value)],
                    vec![
                        "Scale".to_owned(),
                        format!("{} to {}", number(*min), number(*max)),
                    ],
                ];
                if let Some(n) = n {
                    rows.push(vec!["Responses".to_owned(), n.to_string()]);
                }
                figure_table(outcome, rows)
            });
            (headline, table, outcome.as_at)
        }
        Figures::Money(money) => {
            let per = money
                .per
                .as_ref()
                .map(|p| format!(" {p}"))
                .unwrap_or_default();
            let headline = format!("{}{per}", pounds(money.value));
            let table = tables
                .then(|| figure_table(outcome, vec![vec!["Amount".into(), headline.clone()]]));
            (headline, table, money.as_at.or(outcome.as_at))
        }
    }
}

/// The table of an outcome's figures, one "Figure, Value" row each.
fn figure_table(outcome: &Outcome, rows: Vec<Vec<String>>) -> TableView {
    TableView {
        caption: outcome.label.clone(),
        head: vec!["Figure".into(), "Value".into()],
        rows,
    }
}

/// Whether the figures carry their own dates, which their chart and table then show beside
/// them (so the provenance need not say the date again).
fn figures_dated(figures: &Figures) -> bool {
    match figures {
        Figures::RatingDistribution { before, after } => [before, after]
            .iter()
            .any(|d| d.as_ref().is_some_and(|d| d.as_at.is_some())),
        Figures::RatingChange { from, to, .. } => [from, to]
            .iter()
            .any(|r| r.as_ref().is_some_and(|r| r.as_at.is_some())),
        Figures::Amount {
            value,
            before,
            after,
        } => [value, before, after]
            .iter()
            .any(|v| v.as_ref().is_some_and(|v| v.as_at.is_some())),
        Figures::RelativeChange {
            from_as_at,
            to_as_at,
            ..
        } => from_as_at.is_some() || to_as_at.is_some(),
        Figures::None | Figures::Share { .. } | Figures::Score { .. } | Figures::Money(_) => false,
    }
}

/// The provenance lines of an outcome, in reading order, leaving out what is not known: a
/// figure without a date has no "As at" line rather than "date not stated".
fn provenance(outcome: &Outcome, as_at: Option<&str>) -> Vec<ProvenanceItem> {
    let line = |term, detail: &str| ProvenanceItem {
        term,
        detail: detail.to_owned(),
        url: None,
    };
    let mut lines = Vec::new();
    if let Some(unit) = outcome.unit.as_deref().filter(|u| !u.trim().is_empty()) {
        lines.push(line("Unit", unit));
    }
    if let Some(as_at) = as_at {
        lines.push(line("As at", as_at));
    }
    if let Some(better) = outcome.better {
        lines.push(line("Direction", better.label()));
    }
    if let Some(reported_by) = outcome.reported_by {
        lines.push(line("Reported by", reported_by.label()));
    }
    if let Some(url) = &outcome.source_url {
        lines.push(ProvenanceItem {
            url: Some(url.clone()),
            ..line("Source", url)
        });
    }
    if let Some(note) = &outcome.note {
        lines.push(line("Note", note));
    }
    lines
}

fn distribution(
    outcome: &Outcome,
    before: Option<&Distribution>,
    after: Option<&Distribution>,
    tables: bool,
) -> (String, Option<TableView>, Option<Period>) {
    let good = |d: &Distribution| d.counts[0] + d.counts[1];
    let whole = |d: &Distribution| d.total.unwrap_or_else(|| d.counts.iter().sum());
    let noun = capitalised(outcome.unit.as_deref().unwrap_or("services"));
    let headline = match (before, after) {
        (Some(b), Some(a)) => {
            let good_index = 1;
            let of = |d: &Distribution| whole(d);
            let mut sentence = change_sentence(
                &format!("{noun} rated Good"),
                b.counts[good_index],
                a.counts[good_index],
                of(b),
                of(a),
            );
            let ri = 2;
            if b.counts[ri] != a.counts[ri] {
                let verb = change_verb(b.counts[ri] as f64, a.counts[ri] as f64);
                sentence.push_str(&format!(
                    ", and those rated Requires improvement {verb} from {} to {}",
                    b.counts[ri], a.counts[ri]
                ));
            }
            sentence
        }
        (None, Some(d)) | (Some(d), None) => format!(
            "{} of {} {} rated Good or Outstanding",
            good(d),
            whole(d),
            of_count(whole(d) as f64, &noun.to_lowercase())
        ),
        (None, None) => outcome.label.clone(),
    };
    let as_at = after.and_then(|a| a.as_at).or(outcome.as_at);
    if !tables {
        return (headline, None, as_at);
    }
    let mut head = vec!["CQC rating".to_owned()];
    let sides: Vec<(&str, &Distribution)> = [("Before", before), ("After", after)]
        .into_iter()
        .filter_map(|(l, d)| d.map(|d| (l, d)))
        .collect();
    for (label, d) in &sides {
        head.push(dated(label, d.as_at));
    }
    let mut rows = Vec::new();
    for (i, rating) in CqcRating::ALL.iter().enumerate() {
        if sides.iter().all(|(_, d)| d.counts[i] == 0) {
            continue;
        }
        let mut row = vec![rating.label().to_owned()];
        for (_, d) in &sides {
            let total = whole(d);
            // "12 (40%)", the share left out when there is no total.
            let mut cell = d.counts[i].to_string();
            if total > 0 {
                cell.push_str(" (");
                cell.push_str(&percent(d.counts[i] as f64 * 100.0 / total as f64));
                cell.push(')');
            }
            row.push(cell);
        }
        rows.push(row);
    }
    let mut total_row = vec!["Total".to_owned()];
    for (_, d) in &sides {
        total_row.push(whole(d).to_string());
    }
    rows.push(total_row);
    (
        headline,
        Some(TableView {
            caption: outcome.label.clone(),
            head,
            rows,
        }),
        as_at,
    )
}

fn amount(
    outcome: &Outcome,
    value: Option<&ValueAt>,
    before: Option<&ValueAt>,
    after: Option<&ValueAt>,
    noun: &str,
    tables: bool,
) -> (String, Option<TableView>, Option<Period>) {
    let with_noun = |v: f64| {
        if noun.is_empty() {
            number(v)
        } else {
            format!("{} {}", number(v), of_count(v, noun))
        }
    };
    let headline = match (before, after, value) {
        (Some(b), Some(a), _) => {
            let verb = change_verb(b.value, a.value);
            if verb == "stayed" {
                format!("Stayed at {}", with_noun(a.value))
            } else {
                format!(
                    "{} {verb} from {} to {}",
                    outcome.label,
                    number(b.value),
                    with_noun(a.value)
                )
            }
        }
        (_, _, Some(v)) => with_noun(v.value),
        (Some(v), None, None) | (None, Some(v), None) => with_noun(v.value),
        (None, None, None) => outcome.label.clone(),
    };
    let as_at = after.and_then(|a| a.as_at).or(outcome.as_at);
    if !tables {
        return (headline, None, as_at);
    }
    let rows = [("Before", before), ("After", after), ("Value", value)]
        .into_iter()
        .filter_map(|(label, side)| {
            let side = side?;
            let as_at = side.as_at.or(if label == "Value" {
                outcome.as_at
            } else {
                None
            });
            Some((vec![label.to_owned(), number(side.value)], as_at))
        })
        .collect();
    let table = dated_table(
        &outcome.label,
        vec![
            "".into(),
            outcome
                .unit
                .as_deref()
                .map_or_else(|| "Value".to_owned(), capitalised),
        ],
        rows,
    );
    (headline, Some(table), as_at)
}

/// "Homes rated Good rose from 14 to 20 of 24"; totals are named once when they agree.
fn change_sentence(subject: &str, from: u64, to: u64, from_total: u64, to_total: u64) -> String {
    let verb = change_verb(from as f64, to as f64);
    match (verb, from_total == to_total) {
        ("stayed", true) => format!("{subject} stayed at {to} of {to_total}"),
        ("stayed", false) => {
            format!("{subject} stayed at {to} (of {from_total}, then of {to_total})")
        }
        (_, true) => format!("{subject} {verb} from {from} to {to} of {to_total}"),
        (_, false) => format!("{subject} {verb} from {from} of {from_total} to {to} of {to_total}"),
    }
}

/// A unit (a plural noun, as editors write it) to follow a number: singular after 1, so
/// "1 home" but "2 homes", "1 fall per month".
pub(crate) fn of_count(count: f64, unit: &str) -> std::borrow::Cow<'_, str> {
    if count != 1.0 {
        return unit.into();
    }
    // The counted noun is the last word before "per …", else the last word.
    let head = unit.find(" per ").unwrap_or(unit.len());
    let start = unit[..head].rfind(' ').map_or(0, |space| space + 1);
    let word = &unit[start..head];
    let singular = if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "ches", "shes", "xes"]
        .iter()
        .any(|e| word.ends_with(e))
    {
        word[..word.len() - 2].to_owned()
    } else if word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") {
        word[..word.len() - 1].to_owned()
    } else {
        return unit.into();
    };
    format!("{}{singular}{}", &unit[..start], &unit[head..]).into()
}

/// The one sentence that states an outcome's figures: the headline of its view, and the line a
/// page's headline outcome gets on its card in lists and search results.
/// The same sentence as [`outcome_view`]'s, without making the rest of the view.
pub fn outcome_headline(outcome: &Outcome) -> String {
    stated(outcome, false).0
}

/// An outcome's headline and the period its figures apply to, as text (`None` when the
/// content does not say): what [`outcome_view`] says of them, without the rest of the view.
pub(crate) fn outcome_headline_as_at(outcome: &Outcome) -> (String, Option<String>) {
    let (headline, _, as_at) = stated(outcome, false);
    (headline, as_at.map(format::period_text))
}

/// The whole of a share, "90 respondents", with the unit in the singular for one
/// ("1 respondent"), as [`of_count`] makes it.
pub(crate) fn of_whole(whole: u64, unit: &str) -> String {
    let unit = unit.trim();
    if unit.is_empty() {
        whole.to_string()
    } else {
        format!("{whole} {}", of_count(whole as f64, unit))
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn change_verb(from: f64, to: f64) -> &'static str {
    if to > from {
        "rose"
    } else if to < from {
        "fell"
    } else {
        "stayed"
    }
}

/// Whether `better` agrees with a change (kept for templates' wording).
pub fn improved(better: Option<Better>, from: f64, to: f64) -> Option<bool> {
    match better? {
        Better::Higher => Some(to > from),
        Better::Lower => Some(to < from),
    }
}

/// A table whose rows each end with when their figure was measured: an "As at" column, left
/// out when no figure has a date (a missing date in it reads "not stated").
fn dated_table(
    caption: &str,
    mut head: Vec<String>,
    rows: Vec<(Vec<String>, Option<Period>)>,
) -> TableView {
    let any_date = rows.iter().any(|(_, as_at)| as_at.is_some());
    if any_date {
        head.push("As at".into());
    }
    let rows = rows
        .into_iter()
        .map(|(mut row, as_at)| {
            if any_date {
                row.push(as_at.map_or_else(|| "not stated".to_owned(), format::period_text));
            }
            row
        })
        .collect();
    TableView {
        caption: caption.to_owned(),
        head,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::content::RatingAt;
    use crate::model::vocab::{OutcomeKind, ReportedBy};

    #[test]
    fn a_unit_after_one_is_singular() {
        let cases = [
            (1.0, "homes", "home"),
            (2.0, "homes", "homes"),
            (0.0, "homes", "homes"),
            (1.0, "care homes", "care home"),
            (1.0, "falls per month", "fall per month"),
            (1.0, "agencies", "agency"),
            (1.0, "businesses", "business"),
            (1.0, "staff", "staff"),
            (1.0, "days", "day"),
            (1.5, "days", "days"),
            (1.0, "", ""),
        ];
        for (count, unit, expected) in cases {
            assert_eq!(of_count(count, unit), expected, "{count} {unit}");
        }
    }

    #[test]
    fn the_whole_of_a_share_names_its_unit_in_the_right_number() {
        assert_eq!(of_whole(90, "respondents"), "90 respondents");
        assert_eq!(of_whole(1, "respondents"), "1 respondent");
        assert_eq!(of_whole(1, "homes"), "1 home");
        assert_eq!(of_whole(1, "staff"), "1 staff");
        assert_eq!(of_whole(1, "glass"), "1 glass");
        assert_eq!(of_whole(12, ""), "12");
    }

    #[test]
    fn a_headline_alone_is_the_views_headline() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check(root).expect("the example site checks");
        let mut outcomes: Vec<Outcome> = checked
            .site
            .pages
            .iter()
            .filter_map(|page| page.outcomes_with_source())
            .flat_map(|(outcomes, _)| outcomes.iter().cloned())
            .collect();
        let dated = Some(Period::Year(2024));
        outcomes.extend([
            outcome(OutcomeKind::Share, Some("homes"), count(1.0)),
            outcome(
                OutcomeKind::Share,
                None,
                Figures::Amount {
                    value: None,
                    before: Some(ValueAt {
                        as_at: dated,
                        value: 3.0,
                    }),
                    after: Some(ValueAt {
                        as_at: None,
                        value: 3.0,
                    }),
                },
            ),
            outcome(
                OutcomeKind::Share,
                None,
                Figures::RatingDistribution {
                    before: None,
                    after: None,
                },
            ),
            outcome(OutcomeKind::Share, None, Figures::None),
            outcome(
                OutcomeKind::Share,
                None,
                Figures::RatingChange {
                    subject: None,
                    from: Some(RatingAt {
                        rating: CqcRating::RequiresImprovement,
                        as_at: dated,
                    }),
                    to: Some(RatingAt {
                        rating: CqcRating::Good,
                        as_at: None,
                    }),
                },
            ),
            outcome(
                OutcomeKind::Share,
                None,
                Figures::Score {
                    value: 4.5,
                    min: 1.0,
                    max: 5.0,
                    n: Some(1),
                },
            ),
            outcome(
                OutcomeKind::Share,
                None,
                Figures::Money(crate::model::content::Money {
                    value: 12_500.0,
                    currency: "GBP".into(),
                    per: Some("per home".into()),
                    as_at: dated,
                }),
            ),
        ]);
        let mut kinds = std::collections::HashSet::new();
        for outcome in &outcomes {
            let view = outcome_view(outcome, Some("o1"));
            assert_eq!(outcome_headline(outcome), view.headline);
            assert_eq!(
                outcome_headline_as_at(outcome),
                (view.headline.clone(), view.as_at.clone())
            );
            kinds.insert(std::mem::discriminant(&outcome.figures));
        }
        // Every kind of figures is among them.
        assert_eq!(kinds.len(), 8, "{outcomes:#?}");
    }

    fn outcome(kind: OutcomeKind, unit: Option<&str>, figures: Figures) -> Outcome {
        Outcome::for_test(kind, "custom:test", "Homes", unit, figures)
    }

    fn count(value: f64) -> Figures {
        Figures::Amount {
            value: Some(ValueAt { as_at: None, value }),
            before: None,
            after: None,
        }
    }

    #[test]
    fn units_agree_with_their_number_in_sentences_and_charts() {
        let one = outcome_view(
            &outcome(OutcomeKind::Count, Some("homes"), count(1.0)),
            None,
        );
        assert_eq!(one.headline, "1 home");
        let two = outcome_view(
            &outcome(OutcomeKind::Count, Some("homes"), count(2.0)),
            None,
        );
        assert_eq!(two.headline, "2 homes");
        let share = Figures::Share {
            numerator: None,
            denominator: Some(1),
            value: 100.0,
        };
        let share = outcome_view(&outcome(OutcomeKind::Share, Some("homes"), share), None);
        assert_eq!(share.headline, "100% of 1 home");
        let change = Figures::Amount {
            value: None,
            before: Some(ValueAt {
                as_at: None,
                value: 2.0,
            }),
            after: Some(ValueAt {
                as_at: None,
                value: 1.0,
            }),
        };
        let change = outcome_view(
            &outcome(OutcomeKind::Count, Some("homes"), change),
            Some("o1"),
        );
        assert_eq!(change.headline, "Homes fell from 2 to 1 home");
        let chart = change.chart_html.unwrap();
        assert!(
            chart.contains(">2 homes<") && chart.contains(">1 home<"),
            "{chart}"
        );
    }

    #[test]
    fn provenance_is_one_list_of_what_is_known_in_reading_order() {
        let mut full = outcome(OutcomeKind::Count, Some("falls"), count(4.0));
        full.as_at = Period::parse("2020-06");
        full.better = Some(Better::Lower);
        full.reported_by = Some(ReportedBy::Evaluation);
        full.source_url = Some("https://example.org/report".to_owned());
        full.note = Some("Falls in March.".to_owned());
        let lines: Vec<(&str, String, Option<String>)> = outcome_view(&full, None)
            .provenance
            .into_iter()
            .map(|line| (line.term, line.detail, line.url))
            .collect();
        let url = "https://example.org/report";
        assert_eq!(
            lines,
            vec![
                ("Unit", "falls".to_owned(), None),
                ("As at", "June 2020".to_owned(), None),
                ("Direction", "Lower is better".to_owned(), None),
                ("Reported by", "Evaluation".to_owned(), None),
                ("Source", url.to_owned(), Some(url.to_owned())),
                ("Note", "Falls in March.".to_owned(), None),
            ]
        );
    }

    #[test]
    fn an_unknown_date_is_left_out_rather_than_said_to_be_missing() {
        let undated = outcome_view(
            &outcome(OutcomeKind::Count, Some("homes"), count(0.0)),
            None,
        );
        assert_eq!(undated.as_at, None);
        assert!(undated.provenance.iter().all(|line| line.term != "As at"));
        let table = undated.table.unwrap();
        assert_eq!(table.head, vec!["", "Homes"], "no As at column");
        assert!(!format!("{:?}", table.rows).contains("not stated"));
        // A date the figures carry is said beside them, not again in the provenance.
        let dated = Figures::RatingChange {
            subject: None,
            from: None,
            to: Some(RatingAt {
                rating: CqcRating::Good,
                as_at: Period::parse("2020-06"),
            }),
        };
        let dated = outcome_view(&outcome(OutcomeKind::RatingChange, None, dated), None);
        assert_eq!(dated.as_at.as_deref(), Some("June 2020"));
        assert!(dated.provenance.is_empty(), "{:?}", dated.provenance);
        assert_eq!(
            dated.table.unwrap().rows,
            vec![vec!["After", "Good", "June 2020"]]
        );
    }
}
