//! How dates, periods, numbers, money and sizes read on a page: one place for each, so that
//! every page says them the same way.

use crate::model::content::Span;
use crate::model::time::{Date, MONTH_NAMES, Period};

/// The name of a month from its number, January being 1.
fn month_name(month: u8) -> &'static str {
    MONTH_NAMES[(month as usize).saturating_sub(1) % 12]
}

/// A date as every page writes it: "20 January 2025".
pub fn date_text(date: Date) -> String {
    format!("{} {} {}", date.day, month_name(date.month), date.year)
}

/// A period as every page writes it: "20 January 2025", "November 2022", "2019",
/// "2015/16" (a financial year), "April to June 2019" (a quarter).
pub fn period_text(period: Period) -> String {
    match period {
        Period::Day(date) => date_text(date),
        Period::Month(year, month) => format!("{} {year}", month_name(month)),
        Period::Quarter(year, quarter) => format!(
            "{} to {} {year}",
            month_name((quarter - 1) * 3 + 1),
            month_name(quarter * 3)
        ),
        Period::Year(_) | Period::FinancialYear(_) => period.to_string(),
    }
}

/// A label with the period its figure was measured in: "Baseline (May 2019)", or "Baseline"
/// when the date is not known.
pub fn dated(label: &str, as_at: Option<Period>) -> String {
    match as_at {
        Some(as_at) => [label, " (", &period_text(as_at), ")"].concat(),
        None => label.to_owned(),
    }
}

/// A span of periods: "April 2019 to March 2020", "From 2019", "Until 2021".
pub fn span_text(span: &Span) -> String {
    match (span.start, span.end) {
        (Some(start), Some(end)) => format!("{} to {}", period_text(start), period_text(end)),
        (Some(start), None) => format!("From {}", period_text(start)),
        (None, Some(end)) => format!("Until {}", period_text(end)),
        (None, None) => String::new(),
    }
}

/// A file size: "240 KB", "1.5 MB".
pub fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A number without needless decimals: 12, 4.5, 93.3.
pub fn number(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        (value.round() as i64).to_string()
    } else {
        let text = format!("{value:.1}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A percentage to one decimal place: "93.3%".
pub fn percent(value: f64) -> String {
    let mut text = number((value * 10.0).round() / 10.0);
    text.push('%');
    text
}

/// A percentage with its sign: "+12%", "-4.5%".
pub fn signed_percent(value: f64) -> String {
    if value > 0.0 {
        let mut text = percent(value);
        text.insert(0, '+');
        text
    } else {
        percent(value)
    }
}

/// Money as people say it: £950, £12,500, £1.4 million.
pub fn pounds(value: f64) -> String {
    if value.abs() >= 1_000_000.0 {
        format!("£{} million", number((value / 100_000.0).round() / 10.0))
    } else {
        let whole = value.round() as i64;
        let digits = whole.abs().to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{}£{grouped}", if whole < 0 { "−" } else { "" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_periods_have_one_style() {
        let date = Date {
            year: 2025,
            month: 1,
            day: 20,
        };
        assert_eq!(date_text(date), "20 January 2025");
        let cases = [
            ("2025-01-20", "20 January 2025"),
            ("2022-11", "November 2022"),
            ("2019", "2019"),
            ("2015/16", "2015/16"),
            ("2019-Q2", "April to June 2019"),
            ("2019-Q4", "October to December 2019"),
        ];
        for (written, shown) in cases {
            let period = Period::parse(written).expect(written);
            assert_eq!(period_text(period), shown, "{written}");
        }
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(93.333), "93.3");
        assert_eq!(pounds(1_400_000.0), "£1.4 million");
        assert_eq!(pounds(12_500.0), "£12,500");
        assert_eq!(percent(56.0 * 100.0 / 60.0), "93.3%");
    }
}
