//! Outcome charts as HTML with SVG bars, one design per outcome kind.
//!
//! Every word and number of a chart is HTML text, sized by the stylesheet in CSS pixels and
//! wrapping like any other text, so it reads at the same size on a phone as on a desktop and
//! never runs into other text. Only the bars are SVG: rectangles whose positions and widths
//! are percentages of the width they are given, so bars scale and text does not. Widths are
//! SVG attributes, not `style`, so the charts need no inline styles.
//!
//! A chart never carries meaning by colour alone: rating segments differ by hatching pattern
//! and each has its count in the legend beside a swatch of the same pattern, so charts read in
//! black and white (and the theme redraws them in system colours in forced-colours mode).
//! Each chart is one image to assistive technology (`role="img"`, named by the outcome's
//! one-sentence summary); the figures themselves are always also in a table beside it. Colours
//! come from classes that the theme's CSS defines.
//!
//! Every drawn value carries `data-value` so tests can check the drawing against the data.

use std::fmt::Write as _;

use crate::model::content::{Distribution, Figures, Outcome, ValueAt};
use crate::model::vocab::{CqcRating, Vocabulary};
use crate::render::escape::push_escaped;
use crate::render::format::{dated, number, percent, signed_percent};

/// The SVG attributes of a decorative drawing inside a chart: the chart's name and its table
/// say what it shows.
const DRAWING: &str = "aria-hidden=\"true\" focusable=\"false\"";

/// The chart of an outcome, or `None` when it has no figures to draw (a single value is
/// stated in text; a figure-less measure is text only). `id` makes pattern ids unique on a page.
pub fn outcome_chart(outcome: &Outcome, summary: &str, id: &str) -> Option<String> {
    let unit = outcome.unit.as_deref().filter(|u| !u.trim().is_empty());
    match &outcome.figures {
        Figures::None | Figures::Money(_) => None,
        Figures::RatingDistribution { before, after } => {
            let rows: Vec<(String, [u64; 5], u64)> =
                [("Before", before.as_ref()), ("After", after.as_ref())]
                    .into_iter()
                    .filter_map(|(side, d)| {
                        let d: &Distribution = d?;
                        let total = d.total.unwrap_or_else(|| d.counts.iter().sum());
                        Some((dated(side, d.as_at), d.counts, total))
                    })
                    .collect();
            Some(distribution_chart(&rows, summary, id))
        }
        Figures::RatingChange { from, to, .. } => {
            let steps: Vec<(String, CqcRating)> =
                [("Before", from.as_ref()), ("After", to.as_ref())]
                    .into_iter()
                    .filter_map(|(side, r)| r.map(|r| (dated(side, r.as_at), r.rating)))
                    .collect();
            Some(rating_change_chart(&steps, summary, id))
        }
        Figures::Amount { before, after, .. } => {
            let rows: Vec<(String, f64)> = [("Before", before.as_ref()), ("After", after.as_ref())]
                .into_iter()
                .filter_map(|(side, v): (&str, Option<&ValueAt>)| {
                    v.map(|v| (dated(side, v.as_at), v.value))
                })
                .collect();
            (rows.len() == 2).then(|| bars_chart(&rows, unit, None, summary))
        }
        Figures::Share {
            numerator,
            denominator,
            value,
        } => {
            let share = percent(*value);
            let label = match (numerator, denominator) {
                (Some(n), Some(d)) => format!("{n} of {d} ({share})"),
                (None, Some(d)) => format!(
                    "{share} of {}",
                    crate::render::outcomes::of_whole(*d, unit.unwrap_or(""))
                ),
                _ => share,
            };
            let ends = ("0%".to_owned(), "100%".to_owned());
            Some(scale_chart(
                *value,
                (0.0, 100.0),
                &label,
                ends,
                summary,
                "share",
            ))
        }
        Figures::RelativeChange {
            value,
            from_as_at,
            to_as_at,
            baseline,
            result,
        } => {
            let change = signed_percent(*value);
            Some(match (baseline, result) {
                (Some(baseline), Some(result)) => {
                    let rows = [
                        (dated("Baseline", *from_as_at), *baseline),
                        (dated("Result", *to_as_at), *result),
                    ];
                    bars_chart(&rows, unit, Some(&format!("Change: {change}")), summary)
                }
                (Some(_), None) => change_figure(*value, &change, "Result not given", summary),
                (None, Some(_)) => change_figure(*value, &change, "Baseline not given", summary),
                (None, None) => {
                    change_figure(*value, &change, "Baseline and result not given", summary)
                }
            })
        }
        Figures::Score {
            value, min, max, ..
        } => {
            let ends = (number(*min), number(*max));
            let label = format!("{} out of {}", number(*value), number(*max));
            Some(scale_chart(
                *value,
                (*min, *max),
                &label,
                ends,
                summary,
                "score",
            ))
        }
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

/// A length as a per cent of the width, for SVG attributes: "33.33%", appended to `out`.
fn push_share_of(out: &mut String, part: f64, whole: f64) {
    let share = if whole > 0.0 {
        (part / whole).clamp(0.0, 1.0) * 100.0
    } else {
        0.0
    };
    let _ = write!(out, "{}%", (share * 100.0).round() / 100.0);
}

/// Appends each piece to `out` in turn: the charts' markup is mostly fixed text, which this
/// copies without going through a formatter.
fn push_all(out: &mut String, pieces: &[&str]) {
    for piece in pieces {
        out.push_str(piece);
    }
}

/// A chart's markup, with room for a chart of its kind: most are under 1 KB, a rating chart
/// (with its patterns) under 4 KB.
fn chart_string(rating: bool) -> String {
    String::with_capacity(if rating { 4096 } else { 1024 })
}

fn open_chart(out: &mut String, class: &str, summary: &str) {
    push_all(
        out,
        &[
            "<div class=\"chart chart--",
            class,
            "\" role=\"img\" aria-label=\"",
        ],
    );
    push_escaped(out, summary);
    out.push_str("\">");
}

/// The hatching patterns of the five ratings, in an SVG of no size that the chart's bars and
/// swatches refer to (`url(#{id}-good)`).
fn rating_patterns(out: &mut String, id: &str) {
    push_all(
        out,
        &[
            "<svg class=\"chart__patterns\" width=\"0\" height=\"0\" ",
            DRAWING,
            "><defs>",
        ],
    );
    for rating in CqcRating::ALL {
        let hatch = match rating {
            CqcRating::Outstanding => "",
            CqcRating::Good => "M0,8 L8,0",
            CqcRating::RequiresImprovement => "M0,0 L8,8",
            CqcRating::Inadequate => "M0,4 L8,4 M4,0 L4,8",
            CqcRating::NotRated => "M2,0 L2,8",
        };
        let key = rating.key();
        push_all(
            out,
            &[
                "<pattern id=\"",
                id,
                "-",
                key,
                "\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\"><rect class=\"chart__fill--",
                key,
                "\" width=\"8\" height=\"8\"/>",
            ],
        );
        if !hatch.is_empty() {
            push_all(out, &["<path class=\"chart__hatch\" d=\"", hatch, "\"/>"]);
        }
        out.push_str("</pattern>");
    }
    out.push_str("</defs></svg>");
}

/// A swatch of a rating's pattern, for a legend or a rating box.
fn swatch(out: &mut String, id: &str, rating: CqcRating) {
    push_all(
        out,
        &[
            "<svg class=\"chart__swatch\" ",
            DRAWING,
            "><rect class=\"chart__segment\" width=\"100%\" height=\"100%\" fill=\"url(#",
            id,
            "-",
            rating.key(),
            ")\"/></svg>",
        ],
    );
}

/// One 100% stacked bar per row, and a legend that gives every rating's count in each row.
fn distribution_chart(rows: &[(String, [u64; 5], u64)], summary: &str, id: &str) -> String {
    let mut out = chart_string(true);
    open_chart(&mut out, "distribution", summary);
    rating_patterns(&mut out, id);
    for (label, counts, total) in rows {
        out.push_str("<div class=\"chart__row\"><p class=\"chart__label\">");
        push_escaped(&mut out, label);
        push_all(
            &mut out,
            &["</p><svg class=\"chart__track\" ", DRAWING, ">"],
        );
        let whole = (*total).max(counts.iter().sum::<u64>()).max(1) as f64;
        let mut start = 0.0;
        for (rating, &count) in CqcRating::ALL.iter().zip(counts) {
            if count == 0 {
                continue;
            }
            let key = rating.key();
            let _ = write!(
                out,
                "<rect class=\"chart__segment\" data-rating=\"{key}\" data-value=\"{count}\" x=\""
            );
            push_share_of(&mut out, start, whole);
            out.push_str("\" width=\"");
            push_share_of(&mut out, count as f64, whole);
            push_all(
                &mut out,
                &["\" height=\"100%\" fill=\"url(#", id, "-", key, ")\"/>"],
            );
            start += count as f64;
        }
        out.push_str("</svg></div>");
    }
    out.push_str("<ul class=\"chart__legend\">");
    for (i, rating) in CqcRating::ALL.iter().enumerate() {
        if rows.iter().all(|row| row.1[i] == 0) {
            continue;
        }
        out.push_str("<li>");
        swatch(&mut out, id, *rating);
        push_all(&mut out, &[rating.label(), ": "]);
        for (n, row) in rows.iter().enumerate() {
            if n > 0 {
                out.push_str(" → ");
            }
            let _ = write!(out, "{}", row.1[i]);
        }
        out.push_str("</li>");
    }
    out.push_str("</ul></div>");
    out
}

/// A rating before and after, each in a box with its pattern, in reading order.
fn rating_change_chart(steps: &[(String, CqcRating)], summary: &str, id: &str) -> String {
    let mut out = chart_string(true);
    open_chart(&mut out, "rating-change", summary);
    rating_patterns(&mut out, id);
    out.push_str("<ol class=\"chart__steps\">");
    for (label, rating) in steps {
        push_all(
            &mut out,
            &[
                "<li class=\"chart__step\" data-rating=\"",
                rating.key(),
                "\"><p class=\"chart__label\">",
            ],
        );
        push_escaped(&mut out, label);
        out.push_str("</p><p class=\"chart__rating\">");
        swatch(&mut out, id, *rating);
        push_all(&mut out, &[rating.label(), "</p></li>"]);
    }
    out.push_str("</ol></div>");
    out
}

/// A bar per row on one scale (the largest value fills the width), each with its label and
/// value written above it; `caption` is a line under the bars.
fn bars_chart(
    rows: &[(String, f64)],
    unit: Option<&str>,
    caption: Option<&str>,
    summary: &str,
) -> String {
    let max = rows.iter().map(|row| row.1.abs()).fold(0.0, f64::max);
    let mut out = chart_string(false);
    open_chart(&mut out, "bars", summary);
    for (label, value) in rows {
        let figure = number(*value);
        out.push_str("<div class=\"chart__row\"><p class=\"chart__label\">");
        push_escaped(&mut out, label);
        out.push_str(": <strong class=\"chart__value\">");
        push_escaped(&mut out, &figure);
        if let Some(unit) = unit {
            out.push(' ');
            push_escaped(&mut out, &crate::render::outcomes::of_count(*value, unit));
        }
        push_all(
            &mut out,
            &[
                "</strong></p><svg class=\"chart__track\" ",
                DRAWING,
                "><rect class=\"chart__bar\" data-value=\"",
                &figure,
                "\" width=\"",
            ],
        );
        push_share_of(&mut out, value.abs(), max);
        out.push_str("\" height=\"100%\"/></svg></div>");
    }
    if let Some(caption) = caption {
        out.push_str("<p class=\"chart__caption\">");
        push_escaped(&mut out, caption);
        out.push_str("</p>");
    }
    out.push_str("</div>");
    out
}

/// A value on a bounded scale (a share of 100%, a score), drawn in a track that shows the
/// whole scale, with its ends labelled under it.
fn scale_chart(
    value: f64,
    (min, max): (f64, f64),
    label: &str,
    (from, to): (String, String),
    summary: &str,
    class: &str,
) -> String {
    let mut out = chart_string(false);
    open_chart(&mut out, class, summary);
    out.push_str("<p class=\"chart__label\"><strong class=\"chart__value\">");
    push_escaped(&mut out, label);
    push_all(
        &mut out,
        &[
            "</strong></p><svg class=\"chart__track chart__track--whole\" ",
            DRAWING,
            "><rect class=\"chart__bar\" data-value=\"",
        ],
    );
    let _ = write!(out, "{value}\" width=\"");
    push_share_of(&mut out, value - min, max - min);
    out.push_str("\" height=\"100%\"/></svg><p class=\"chart__axis\"><span>");
    push_escaped(&mut out, &from);
    out.push_str("</span> <span>");
    push_escaped(&mut out, &to);
    out.push_str("</span></p></div>");
    out
}

/// A relative change whose baseline and result are not known: the figure itself with an arrow
/// for its direction, and no axis (a bar of a change against nothing would say nothing).
fn change_figure(value: f64, change: &str, missing: &str, summary: &str) -> String {
    let (direction, arrow) = if value >= 0.0 {
        ("up", "M8,0 L16,10 L11,10 L11,20 L5,20 L5,10 L0,10 Z")
    } else {
        ("down", "M8,20 L16,10 L11,10 L11,0 L5,0 L5,10 L0,10 Z")
    };
    let mut out = chart_string(false);
    open_chart(&mut out, "change", summary);
    push_all(
        &mut out,
        &[
            "<p class=\"chart__figure chart__figure--",
            direction,
            "\" data-value=\"",
            &number(value),
            "\"><svg class=\"chart__direction\" viewBox=\"0 0 16 20\" ",
            DRAWING,
            "><path d=\"",
            arrow,
            "\"/></svg><strong class=\"chart__value\">",
        ],
    );
    push_escaped(&mut out, change);
    push_all(
        &mut out,
        &[
            "</strong></p><p class=\"chart__caption\">",
            missing,
            "</p></div>",
        ],
    );
    out
}
