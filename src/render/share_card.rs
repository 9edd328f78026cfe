//! The share card of a page with outcomes, as SVG text: 1200 × 630, the site's name, the page's
//! title (wrapped to at most three lines, an ellipsis when longer), the headline outcome's
//! sentence as the page states it, and its chart.
//!
//! The page's own charts are HTML with SVG bars (their words are HTML text, sized by CSS), so
//! the card draws its chart itself, with the same figures, labels and colours, as one SVG that
//! [`super::share_image`] rasterises. Text is laid out here, measured with the embedded font's
//! advance widths, so that wrapping never depends on the machine. Pure: text in, text out.

use std::fmt::Write as _;

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::model::content::{Figures, Outcome, ValueAt};
use crate::model::vocab::{CqcRating, Vocabulary};
use crate::render::format::{dated, number, percent, signed_percent};
use crate::render::markdown::escape_html;
use crate::render::share_image::{FONT_BOLD, FONT_FAMILY, FONT_REGULAR, HEIGHT, WIDTH};

const MARGIN: f32 = 72.0;
const TEXT_WIDTH: f32 = WIDTH as f32 - 2.0 * MARGIN;
const INK: &str = "#212b32";
const MUTED: &str = "#4c6272";
const BAR: &str = "#005eb8";
const TRACK: &str = "#e8edee";

/// The card of a page titled `title` on the site `site_title`, whose headline outcome is
/// `outcome`, stated in words as `headline`. `accent` is the site's brand colour, when set.
pub(crate) fn card_svg(
    site_title: &str,
    title: &str,
    headline: &str,
    outcome: &Outcome,
    accent: Option<&str>,
) -> String {
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"{FONT_FAMILY}\">\
         <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#ffffff\"/>\
         <rect width=\"{WIDTH}\" height=\"16\" fill=\"{}\"/>",
        accent.map_or(BAR, |a| a)
    );
    let site = fit_lines(site_title, Face::Regular, 28.0, TEXT_WIDTH, 1);
    text(&mut out, MARGIN, 76.0, 28.0, Face::Regular, MUTED, &site[0]);

    let title_lines = fit_lines(title, Face::Bold, 54.0, TEXT_WIDTH, 3);
    let mut y = 150.0;
    for line in &title_lines {
        text(&mut out, MARGIN, y, 54.0, Face::Bold, INK, line);
        y += 66.0;
    }
    let chart = chart_of(outcome);
    // Without a chart the sentence is the figure: larger, and up to three lines.
    let (size, most) = if chart.is_some() {
        (32.0, 2)
    } else {
        (44.0, 3)
    };
    y += 6.0;
    for line in fit_lines(headline, Face::Regular, size, TEXT_WIDTH, most) {
        text(&mut out, MARGIN, y, size, Face::Regular, INK, &line);
        y += size * 1.3;
    }
    if let Some(chart) = chart {
        // The chart takes the rest of the card, at least its lowest 130 px.
        let top = (y + 4.0).min(HEIGHT as f32 - 40.0 - 130.0);
        chart.draw(&mut out, top, HEIGHT as f32 - 40.0);
    }
    out.push_str("</svg>");
    out
}

/// The key of the picture of [`card_svg`]'s card of the same arguments, in the `share` cache:
/// every value the card is drawn from (the outcome's unit and figures as their derived `Debug`
/// text, which names every field, those a chart does not draw among them), and
/// [`super::share_image::picture_code`], which follows the code, fonts and crates that draw
/// it. Made without drawing the card, so that a warm build draws none.
pub(crate) fn card_key(
    site_title: &str,
    title: &str,
    headline: &str,
    outcome: &Outcome,
    accent: Option<&str>,
) -> String {
    let figures = format!("{accent:?} {:?} {:?}", outcome.unit, outcome.figures);
    crate::cache::key(&[
        super::share_image::picture_code().as_bytes(),
        site_title.as_bytes(),
        title.as_bytes(),
        headline.as_bytes(),
        figures.as_bytes(),
    ])
}

#[derive(Clone, Copy)]
enum Face {
    Regular,
    Bold,
}

impl Face {
    fn weight(self) -> &'static str {
        match self {
            Face::Regular => "400",
            Face::Bold => "700",
        }
    }

    fn font(self) -> Option<FontRef<'static>> {
        FontRef::new(match self {
            Face::Regular => FONT_REGULAR,
            Face::Bold => FONT_BOLD,
        })
        .ok()
    }
}

/// Widths of text at one size in one face: the font's tables are looked up once, not once per
/// measurement.
struct Measure {
    font: Option<(
        skrifa::charmap::Charmap<'static>,
        skrifa::metrics::GlyphMetrics<'static>,
    )>,
    /// The advance of a character the font lacks: an "M".
    wide: f32,
    size: f32,
}

impl Measure {
    fn new(face: Face, size: f32) -> Measure {
        let Some(font) = face.font() else {
            return Measure {
                font: None,
                wide: size * 0.6,
                size,
            };
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        let wide = charmap
            .map('M')
            .and_then(|g| metrics.advance_width(g))
            .unwrap_or(size * 0.8);
        Measure {
            font: Some((charmap, metrics)),
            wide,
            size,
        }
    }

    /// The advance of one character.
    fn advance(&self, c: char) -> f32 {
        match &self.font {
            Some((charmap, metrics)) => charmap
                .map(c)
                .and_then(|g| metrics.advance_width(g))
                .unwrap_or(self.wide),
            None => self.size * 0.6,
        }
    }

    /// How wide `text` is: the sum of its glyphs' advances (a character the font lacks counts
    /// as wide as an "M"), added in order.
    fn width(&self, text: &str) -> f32 {
        text.chars().map(|c| self.advance(c)).sum()
    }
}

/// How wide `text` is at `size` px in `face` ([`Measure::width`]).
fn width(text: &str, face: Face, size: f32) -> f32 {
    Measure::new(face, size).width(text)
}

/// `text` with control characters dropped (XML refuses most of them) and runs of white space
/// made one space.
fn clean(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` broken into lines no wider than `max`, at most `most` of them; the last ends in an
/// ellipsis when the text did not fit. A word wider than a line is broken between characters.
fn fit_lines(text: &str, face: Face, size: f32, max: f32, most: usize) -> Vec<String> {
    let text = clean(text);
    let measure = Measure::new(face, size);
    let width = |text: &str| measure.width(text);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    // `width(&line)`, kept as the line grows.
    let mut line_width = -0.0;
    let mut cut = false;
    'words: for word in text.split(' ') {
        // The line's width plus the word's, added one character after another as `width`
        // adds them: the same sum as measuring the joined line again.
        let mut joined_width = if line.is_empty() {
            -0.0
        } else {
            line_width + measure.advance(' ')
        };
        for c in word.chars() {
            joined_width += measure.advance(c);
        }
        if joined_width <= max {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            line_width = joined_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            if lines.len() == most {
                cut = true;
                break;
            }
        }
        // The word starts a line; a word too wide for one is broken.
        for c in word.chars() {
            line.push(c);
            if width(&line) > max {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
                if lines.len() == most {
                    cut = true;
                    break 'words;
                }
            }
        }
        line_width = width(&line);
    }
    if !cut && !line.is_empty() {
        lines.push(line);
    }
    if cut && let Some(last) = lines.last_mut() {
        while !last.is_empty() && width(&format!("{last}…")) > max {
            last.pop();
        }
        let kept = last.trim_end().len();
        last.truncate(kept);
        last.push('…');
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn text(out: &mut String, x: f32, y: f32, size: f32, face: Face, fill: &str, words: &str) {
    let _ = write!(
        out,
        "<text x=\"{x}\" y=\"{y}\" font-size=\"{size}\" font-weight=\"{}\" fill=\"{fill}\">{}</text>",
        face.weight(),
        escape_html(words)
    );
}

fn rect(out: &mut String, x: f32, y: f32, w: f32, h: f32, fill: &str) {
    let _ = write!(
        out,
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{fill}\"/>",
        w.max(0.0)
    );
}

/// The colour of a rating, as the theme's charts fill it.
fn rating_fill(rating: CqcRating) -> &'static str {
    match rating {
        CqcRating::Outstanding => "#00401e",
        CqcRating::Good => "#2e7d32",
        CqcRating::RequiresImprovement => "#ffb81c",
        CqcRating::Inadequate => "#b3261e",
        CqcRating::NotRated => "#d8dde0",
    }
}

/// What the card draws of an outcome: the page chart's design, kind by kind.
enum Chart {
    /// Labelled bars on one scale (the largest fills the width).
    Bars(Vec<(String, f64)>),
    /// A value in a track that shows the whole scale, with its label and the scale's ends.
    Scale {
        share: f64,
        label: String,
        ends: (String, String),
    },
    /// One 100% stacked bar per row, and a legend of the ratings shown.
    Distribution(Vec<(String, [u64; 5])>),
    /// A rating before and after, in boxes of its colour.
    Steps(Vec<(String, CqcRating)>),
    /// A change whose baseline and result are unknown: the figure itself.
    Change(String),
}

fn chart_of(outcome: &Outcome) -> Option<Chart> {
    let unit = outcome.unit.as_deref().filter(|u| !u.trim().is_empty());
    let with_unit = |value: f64| match unit {
        Some(unit) => format!(
            "{} {}",
            number(value),
            crate::render::outcomes::of_count(value, unit)
        ),
        None => number(value),
    };
    match &outcome.figures {
        Figures::None | Figures::Money(_) => None,
        Figures::RatingDistribution { before, after } => {
            let rows: Vec<(String, [u64; 5])> = [("Before", before), ("After", after)]
                .into_iter()
                .filter_map(|(side, d)| d.as_ref().map(|d| (dated(side, d.as_at), d.counts)))
                .collect();
            (!rows.is_empty()).then_some(Chart::Distribution(rows))
        }
        Figures::RatingChange { from, to, .. } => {
            let steps: Vec<(String, CqcRating)> = [("Before", from), ("After", to)]
                .into_iter()
                .filter_map(|(side, r)| r.as_ref().map(|r| (dated(side, r.as_at), r.rating)))
                .collect();
            (!steps.is_empty()).then_some(Chart::Steps(steps))
        }
        Figures::Amount { before, after, .. } => {
            let rows: Vec<(String, f64)> = [("Before", before), ("After", after)]
                .into_iter()
                .filter_map(|(side, v): (&str, &Option<ValueAt>)| {
                    v.as_ref().map(|v| {
                        (
                            format!("{}: {}", dated(side, v.as_at), with_unit(v.value)),
                            v.value,
                        )
                    })
                })
                .collect();
            (rows.len() == 2).then_some(Chart::Bars(rows))
        }
        Figures::Share {
            numerator,
            denominator,
            value,
        } => Some(Chart::Scale {
            share: value / 100.0,
            label: match (numerator, denominator) {
                (Some(n), Some(d)) => format!("{n} of {d} ({})", percent(*value)),
                _ => percent(*value),
            },
            ends: ("0%".into(), "100%".into()),
        }),
        Figures::RelativeChange {
            value,
            from_as_at,
            to_as_at,
            baseline,
            result,
        } => Some(match (baseline, result) {
            (Some(baseline), Some(result)) => Chart::Bars(vec![
                (
                    format!(
                        "{}: {}",
                        dated("Baseline", *from_as_at),
                        with_unit(*baseline)
                    ),
                    *baseline,
                ),
                (
                    format!("{}: {}", dated("Result", *to_as_at), with_unit(*result)),
                    *result,
                ),
            ]),
            _ => Chart::Change(signed_percent(*value)),
        }),
        Figures::Score {
            value, min, max, ..
        } => Some(Chart::Scale {
            share: if max > min {
                (value - min) / (max - min)
            } else {
                0.0
            },
            label: format!("{} out of {}", number(*value), number(*max)),
            ends: (number(*min), number(*max)),
        }),
    }
}

impl Chart {
    /// Draws the chart between `top` and `bottom`, across the card's text width.
    fn draw(&self, out: &mut String, top: f32, bottom: f32) {
        let label = |out: &mut String, y: f32, words: &str| {
            let line = fit_lines(words, Face::Bold, 26.0, TEXT_WIDTH, 1);
            text(out, MARGIN, y, 26.0, Face::Bold, INK, &line[0]);
        };
        match self {
            Chart::Bars(rows) => {
                let max = rows.iter().map(|r| r.1.abs()).fold(0.0, f64::max);
                let step = ((bottom - top) / rows.len() as f32).min(90.0);
                for (i, (words, value)) in rows.iter().enumerate() {
                    let y = top + i as f32 * step;
                    label(out, y + 28.0, words);
                    let share = if max > 0.0 { value.abs() / max } else { 0.0 };
                    rect(out, MARGIN, y + 40.0, TEXT_WIDTH, 32.0, TRACK);
                    rect(out, MARGIN, y + 40.0, TEXT_WIDTH * share as f32, 32.0, BAR);
                }
            }
            Chart::Scale {
                share,
                label: words,
                ends,
            } => {
                label(out, top + 30.0, words);
                let y = top + 44.0;
                rect(out, MARGIN, y, TEXT_WIDTH, 40.0, TRACK);
                let share = share.clamp(0.0, 1.0) as f32;
                rect(out, MARGIN, y, TEXT_WIDTH * share, 40.0, BAR);
                text(out, MARGIN, y + 72.0, 24.0, Face::Regular, MUTED, &ends.0);
                let end_x = WIDTH as f32 - MARGIN - width(&ends.1, Face::Regular, 24.0);
                text(out, end_x, y + 72.0, 24.0, Face::Regular, MUTED, &ends.1);
            }
            Chart::Distribution(rows) => {
                let step = ((bottom - top - 40.0) / rows.len() as f32).min(64.0);
                let label_width = rows
                    .iter()
                    .map(|r| width(&r.0, Face::Bold, 24.0))
                    .fold(0.0, f32::max)
                    .min(360.0)
                    + 20.0;
                let bar_width = TEXT_WIDTH - label_width;
                for (i, (words, counts)) in rows.iter().enumerate() {
                    let y = top + i as f32 * step;
                    let line = fit_lines(words, Face::Bold, 24.0, label_width - 20.0, 1);
                    text(out, MARGIN, y + 32.0, 24.0, Face::Bold, INK, &line[0]);
                    let whole = counts.iter().sum::<u64>().max(1) as f32;
                    let mut x = MARGIN + label_width;
                    for (rating, &count) in CqcRating::ALL.iter().zip(counts) {
                        let w = bar_width * count as f32 / whole;
                        rect(out, x, y + 8.0, w, 36.0, rating_fill(*rating));
                        x += w;
                    }
                }
                // The legend names each rating shown, with its counts, beside its colour.
                let mut x = MARGIN;
                let y = top + rows.len() as f32 * step + 28.0;
                for (i, rating) in CqcRating::ALL.iter().enumerate() {
                    if rows.iter().all(|row| row.1[i] == 0) {
                        continue;
                    }
                    let counts: Vec<String> = rows.iter().map(|row| row.1[i].to_string()).collect();
                    let words = format!("{}: {}", rating.label(), counts.join(" to "));
                    let w = width(&words, Face::Regular, 22.0) + 28.0 + 24.0;
                    if x + w > WIDTH as f32 - MARGIN {
                        break;
                    }
                    rect(out, x, y - 18.0, 20.0, 20.0, rating_fill(*rating));
                    text(out, x + 28.0, y, 22.0, Face::Regular, INK, &words);
                    x += w;
                }
            }
            Chart::Steps(steps) => {
                let count = steps.len() as f32;
                let gap = 80.0;
                let box_width = (TEXT_WIDTH - gap * (count - 1.0)) / count;
                for (i, (words, rating)) in steps.iter().enumerate() {
                    let x = MARGIN + i as f32 * (box_width + gap);
                    let line = fit_lines(words, Face::Bold, 24.0, box_width, 1);
                    text(out, x, top + 28.0, 24.0, Face::Bold, INK, &line[0]);
                    rect(out, x, top + 42.0, box_width, 72.0, rating_fill(*rating));
                    let light =
                        matches!(rating, CqcRating::RequiresImprovement | CqcRating::NotRated);
                    let words = rating.label();
                    text(
                        out,
                        x + 20.0,
                        top + 90.0,
                        30.0,
                        Face::Bold,
                        if light { INK } else { "#ffffff" },
                        words,
                    );
                    if i > 0 {
                        let ax = x - gap + 20.0;
                        let _ = write!(
                            out,
                            "<path d=\"M{ax},{y0} L{ax2},{y0} L{ax2},{y1} L{ax3},{ym} L{ax2},{y2} L{ax2},{y3} L{ax},{y3} Z\" fill=\"{INK}\"/>",
                            ax2 = ax + 24.0,
                            ax3 = ax + 40.0,
                            y0 = top + 70.0,
                            y1 = top + 60.0,
                            ym = top + 78.0,
                            y2 = top + 96.0,
                            y3 = top + 86.0,
                        );
                    }
                }
            }
            Chart::Change(change) => {
                text(out, MARGIN, top + 90.0, 96.0, Face::Bold, BAR, change);
            }
        }
    }
}

#[cfg(test)]
mod tests;
