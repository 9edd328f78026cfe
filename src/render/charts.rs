//! Outcome charts as inline SVG, one design per outcome kind.
//!
//! A chart never carries meaning by colour alone: every bar segment has a text label (count
//! and per cent) or, where it is too narrow, an entry in the legend with the same pattern;
//! rating segments also differ by hatching pattern, so charts read in black and white. Each
//! SVG has `role="img"` and an accessible name (the outcome's one-sentence summary); the
//! figures themselves are always also in a table beside the chart. Colours come from classes
//! that the theme's CSS defines, so print and dark mode can restyle them.
//!
//! Every drawn value carries `data-value` so tests can check the drawing against the data.

use std::fmt::Write as _;

use crate::model::content::{Distribution, Figures, Outcome, ValueAt};
use crate::model::vocab::{CqcRating, Vocabulary};
use crate::render::format::number;
use crate::render::markdown::escape_html;

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 150.0;
const BAR_WIDTH: f64 = WIDTH - LABEL_WIDTH - 20.0;
const BAR_HEIGHT: f64 = 34.0;
const ROW_GAP: f64 = 14.0;

/// The chart of an outcome, or `None` when it has no figures to draw (a single value is
/// stated in text; a figure-less measure is text only). `id` makes pattern ids unique on a page.
pub fn outcome_chart(outcome: &Outcome, summary: &str, id: &str) -> Option<String> {
    match &outcome.figures {
        Figures::None => None,
        Figures::RatingDistribution { before, after } => {
            let rows: Vec<(String, &Distribution)> =
                [("Before", before.as_ref()), ("After", after.as_ref())]
                    .into_iter()
                    .filter_map(|(label, d)| {
                        d.map(|d| (side_label(label, d.as_at.map(|p| p.to_string())), d))
                    })
                    .collect();
            let rows: Vec<(String, [u64; 5], u64)> = rows
                .into_iter()
                .map(|(label, d)| {
                    (
                        label,
                        d.counts,
                        d.total.unwrap_or_else(|| d.counts.iter().sum()),
                    )
                })
                .collect();
            Some(distribution_chart(&rows, summary, id))
        }
        Figures::RatingChange { from, to, .. } => {
            let steps: Vec<(String, CqcRating)> =
                [("Before", from.as_ref()), ("After", to.as_ref())]
                    .into_iter()
                    .filter_map(|(label, r)| {
                        r.map(|r| (side_label(label, r.as_at.map(|p| p.to_string())), r.rating))
                    })
                    .collect();
            Some(rating_change_chart(&steps, summary, id))
        }
        Figures::Amount { before, after, .. } => {
            let rows: Vec<(String, f64)> = [("Before", before.as_ref()), ("After", after.as_ref())]
                .into_iter()
                .filter_map(|(label, v): (&str, Option<&ValueAt>)| {
                    v.map(|v| (side_label(label, v.as_at.map(|p| p.to_string())), v.value))
                })
                .collect();
            (rows.len() == 2).then(|| bars_chart(&rows, outcome.unit.as_deref(), summary))
        }
        Figures::Share {
            numerator,
            denominator,
            value,
        } => {
            let label = match (numerator, denominator) {
                (Some(n), Some(d)) => format!("{n} of {d} ({}%)", number(round1(*value))),
                (None, Some(d)) => format!(
                    "{}% of {}",
                    number(round1(*value)),
                    crate::render::outcomes::of_whole(*d, outcome.unit.as_deref().unwrap_or(""))
                ),
                _ => format!("{}%", number(round1(*value))),
            };
            Some(scale_chart(*value, 0.0, 100.0, &label, summary, "share"))
        }
        Figures::RelativeChange { value, .. } => {
            let max = value.abs().max(100.0);
            let label = format!(
                "{}{}%",
                if *value > 0.0 { "+" } else { "" },
                number(round1(*value))
            );
            Some(change_chart(*value, max, &label, summary))
        }
        Figures::Score {
            value, min, max, ..
        } => {
            let label = format!(
                "{} (scale {} to {})",
                number(*value),
                number(*min),
                number(*max)
            );
            Some(scale_chart(*value, *min, *max, &label, summary, "score"))
        }
        Figures::Money(_) => None,
    }
}

/// A chart of a dataset whose first column is a CQC rating and whose other columns count
/// services: one 100% stacked bar per count column.
pub fn dataset_distribution_chart(
    columns: &[(String, [u64; 5])],
    summary: &str,
    id: &str,
) -> String {
    let rows: Vec<(String, [u64; 5], u64)> = columns
        .iter()
        .map(|(label, counts)| (label.clone(), *counts, counts.iter().sum()))
        .collect();
    distribution_chart(&rows, summary, id)
}

fn side_label(side: &str, as_at: Option<String>) -> String {
    match as_at {
        Some(as_at) => format!("{side} ({as_at})"),
        None => side.to_owned(),
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn open_svg(out: &mut String, height: f64, summary: &str, class: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart chart--{class}\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape_html(summary),
        escape_html(summary)
    );
}

fn rating_patterns(out: &mut String, id: &str) {
    out.push_str("<defs>");
    for (rating, path) in [
        (CqcRating::Outstanding, ""),
        (CqcRating::Good, "M0,8 L8,0"),
        (CqcRating::RequiresImprovement, "M0,0 L8,8"),
        (CqcRating::Inadequate, "M0,4 L8,4 M4,0 L4,8"),
        (CqcRating::NotRated, "M0,0 L0,8"),
    ] {
        let _ = write!(
            out,
            "<pattern id=\"{id}-{key}\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\"><rect class=\"chart__fill--{key}\" width=\"8\" height=\"8\"/>{}</pattern>",
            if path.is_empty() {
                String::new()
            } else {
                format!("<path class=\"chart__hatch\" d=\"{path}\"/>")
            },
            key = rating.key()
        );
    }
    out.push_str("</defs>");
}

fn distribution_chart(rows: &[(String, [u64; 5], u64)], summary: &str, id: &str) -> String {
    let legend_rows = CqcRating::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| rows.iter().any(|r| r.1[*i] > 0))
        .count();
    let height =
        10.0 + rows.len() as f64 * (BAR_HEIGHT + ROW_GAP) + 10.0 + legend_rows as f64 * 24.0;
    let mut out = String::new();
    open_svg(&mut out, height, summary, "distribution");
    rating_patterns(&mut out, id);
    let mut y = 10.0;
    for (label, counts, total) in rows {
        let _ = write!(
            out,
            "<text class=\"chart__label\" x=\"0\" y=\"{}\">{}</text>",
            y + BAR_HEIGHT / 2.0 + 5.0,
            escape_html(label)
        );
        let whole = (*total).max(counts.iter().sum::<u64>()).max(1) as f64;
        let mut x = LABEL_WIDTH;
        for (i, rating) in CqcRating::ALL.iter().enumerate() {
            let count = counts[i];
            if count == 0 {
                continue;
            }
            let width = BAR_WIDTH * count as f64 / whole;
            let percent = count as f64 * 100.0 / whole;
            let _ = write!(
                out,
                "<rect class=\"chart__segment\" data-rating=\"{key}\" data-value=\"{count}\" x=\"{x:.1}\" y=\"{y}\" width=\"{width:.1}\" height=\"{BAR_HEIGHT}\" fill=\"url(#{id}-{key})\"/>",
                key = rating.key()
            );
            if width >= 54.0 {
                let _ = write!(
                    out,
                    "<text class=\"chart__value chart__value--{key}\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{count} ({}%)</text>",
                    x + width / 2.0,
                    y + BAR_HEIGHT / 2.0 + 5.0,
                    number(percent.round()),
                    key = rating.key()
                );
            }
            x += width;
        }
        y += BAR_HEIGHT + ROW_GAP;
    }
    y += 10.0;
    for (i, rating) in CqcRating::ALL.iter().enumerate() {
        if rows.iter().all(|r| r.1[i] == 0) {
            continue;
        }
        let figures: Vec<String> = rows
            .iter()
            .map(|(_, counts, _)| counts[i].to_string())
            .collect();
        let _ = write!(
            out,
            "<rect class=\"chart__swatch\" x=\"{LABEL_WIDTH}\" y=\"{}\" width=\"16\" height=\"16\" fill=\"url(#{id}-{key})\"/><text class=\"chart__legend\" x=\"{}\" y=\"{}\">{}: {}</text>",
            y,
            LABEL_WIDTH + 24.0,
            y + 13.0,
            rating.label(),
            figures.join(" → "),
            key = rating.key()
        );
        y += 24.0;
    }
    out.push_str("</svg>");
    out
}

fn rating_change_chart(steps: &[(String, CqcRating)], summary: &str, id: &str) -> String {
    let height = 90.0;
    let mut out = String::new();
    open_svg(&mut out, height, summary, "rating-change");
    rating_patterns(&mut out, id);
    let box_width = 220.0;
    for (i, (label, rating)) in steps.iter().enumerate() {
        let x = i as f64 * (box_width + 80.0);
        let _ = write!(
            out,
            "<text class=\"chart__label\" x=\"{x}\" y=\"14\">{}</text><rect class=\"chart__segment\" data-rating=\"{key}\" x=\"{x}\" y=\"24\" width=\"{box_width}\" height=\"44\" fill=\"url(#{id}-{key})\"/><text class=\"chart__value chart__value--{key}\" x=\"{}\" y=\"51\" text-anchor=\"middle\">{}</text>",
            escape_html(label),
            x + box_width / 2.0,
            rating.label(),
            key = rating.key()
        );
        if i + 1 < steps.len() {
            let _ = write!(
                out,
                "<path class=\"chart__arrow\" d=\"M{} 46 h56 m-10 -8 l10 8 l-10 8\"/>",
                x + box_width + 12.0
            );
        }
    }
    out.push_str("</svg>");
    out
}

fn bars_chart(rows: &[(String, f64)], unit: Option<&str>, summary: &str) -> String {
    let height = 10.0 + rows.len() as f64 * (BAR_HEIGHT + ROW_GAP);
    let max = rows
        .iter()
        .map(|r| r.1.abs())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut out = String::new();
    open_svg(&mut out, height, summary, "bars");
    let mut y = 10.0;
    let room = BAR_WIDTH - 110.0;
    for (label, value) in rows {
        let width = room * value.abs() / max;
        let text = match unit {
            Some(unit) => format!("{} {unit}", number(*value)),
            None => number(*value),
        };
        let _ = write!(
            out,
            "<text class=\"chart__label\" x=\"0\" y=\"{}\">{}</text><rect class=\"chart__bar\" data-value=\"{}\" x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{width:.1}\" height=\"{BAR_HEIGHT}\"/><text class=\"chart__value chart__value--outside\" x=\"{:.1}\" y=\"{}\">{}</text>",
            y + BAR_HEIGHT / 2.0 + 5.0,
            escape_html(label),
            number(*value),
            LABEL_WIDTH + width + 8.0,
            y + BAR_HEIGHT / 2.0 + 5.0,
            escape_html(&text)
        );
        y += BAR_HEIGHT + ROW_GAP;
    }
    out.push_str("</svg>");
    out
}

fn scale_chart(value: f64, min: f64, max: f64, label: &str, summary: &str, class: &str) -> String {
    let height = 70.0;
    let span = (max - min).max(f64::MIN_POSITIVE);
    let filled = BAR_WIDTH * ((value - min) / span).clamp(0.0, 1.0);
    let mut out = String::new();
    open_svg(&mut out, height, summary, class);
    let _ = write!(
        out,
        "<rect class=\"chart__track\" x=\"{LABEL_WIDTH}\" y=\"10\" width=\"{BAR_WIDTH}\" height=\"{BAR_HEIGHT}\"/><rect class=\"chart__bar\" data-value=\"{value}\" x=\"{LABEL_WIDTH}\" y=\"10\" width=\"{filled:.1}\" height=\"{BAR_HEIGHT}\"/><text class=\"chart__label\" x=\"0\" y=\"32\">{}</text><text class=\"chart__axis\" x=\"{LABEL_WIDTH}\" y=\"62\">{}</text><text class=\"chart__axis\" x=\"{}\" y=\"62\" text-anchor=\"end\">{}</text>",
        escape_html(label),
        number(min),
        LABEL_WIDTH + BAR_WIDTH,
        number(max)
    );
    out.push_str("</svg>");
    out
}

fn change_chart(value: f64, max: f64, label: &str, summary: &str) -> String {
    let height = 70.0;
    let zero = LABEL_WIDTH + BAR_WIDTH / 2.0;
    let width = (BAR_WIDTH / 2.0) * value.abs() / max;
    let x = if value >= 0.0 { zero } else { zero - width };
    let mut out = String::new();
    open_svg(&mut out, height, summary, "change");
    let _ = write!(
        out,
        "<text class=\"chart__label\" x=\"0\" y=\"32\">{}</text><rect class=\"chart__bar\" data-value=\"{}\" x=\"{x:.1}\" y=\"10\" width=\"{width:.1}\" height=\"{BAR_HEIGHT}\"/><path class=\"chart__zero\" d=\"M{zero} 4 V50\"/><text class=\"chart__axis\" x=\"{zero}\" y=\"64\" text-anchor=\"middle\">0%</text><text class=\"chart__axis\" x=\"{}\" y=\"64\" text-anchor=\"end\">+{}%</text>",
        escape_html(label),
        number(value),
        LABEL_WIDTH + BAR_WIDTH,
        number(max)
    );
    out.push_str("</svg>");
    out
}
