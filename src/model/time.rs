//! Calendar dates and the periods that figures apply to.

use std::fmt;

/// A calendar date that exists (no 31 February).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, from 1.
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, requiring the date to exist.
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year = digits(&text[0..4])? as i32;
        let month = digits(&text[5..7])? as u8;
        let day = digits(&text[8..10])? as u8;
        Date::new(year, month, day)
    }

    /// A date from its parts, if it exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// When a figure applies: a year, a month, a day, a UK financial year or a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// `2019`
    Year(i32),
    /// `2019-04`
    Month(i32, u8),
    /// `2019-04-01`
    Day(Date),
    /// `2015/16`: April 2015 to March 2016.
    FinancialYear(i32),
    /// `2019-Q2`
    Quarter(i32, u8),
}

impl Period {
    /// Parses any of the period forms of the content model.
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        if let Some(date) = Date::parse(text) {
            return Some(Period::Day(date));
        }
        let bytes = text.as_bytes();
        match bytes.len() {
            4 => digits(text).map(|year| Period::Year(year as i32)),
            7 if bytes[4] == b'-' && (bytes[5] == b'Q' || bytes[5] == b'q') => {
                let year = digits(&text[..4])? as i32;
                let quarter = digits(&text[6..7])? as u8;
                (1..=4)
                    .contains(&quarter)
                    .then_some(Period::Quarter(year, quarter))
            }
            7 if bytes[4] == b'-' => {
                let year = digits(&text[..4])? as i32;
                let month = digits(&text[5..7])? as u8;
                (1..=12)
                    .contains(&month)
                    .then_some(Period::Month(year, month))
            }
            7 if bytes[4] == b'/' => {
                let year = digits(&text[..4])? as i32;
                let next = digits(&text[5..7])? as i32;
                (next == (year + 1) % 100).then_some(Period::FinancialYear(year))
            }
            _ => None,
        }
    }

    /// The first day of the period, for ordering.
    pub fn start(self) -> Date {
        let date = |year, month, day| Date { year, month, day };
        match self {
            Period::Year(year) => date(year, 1, 1),
            Period::Month(year, month) => date(year, month, 1),
            Period::Day(day) => day,
            Period::FinancialYear(year) => date(year, 4, 1),
            Period::Quarter(year, quarter) => date(year, (quarter - 1) * 3 + 1, 1),
        }
    }

    /// The last day of the period, for ordering.
    pub fn end(self) -> Date {
        let last = |year, month| Date {
            year,
            month,
            day: days_in_month(year, month),
        };
        match self {
            Period::Year(year) => last(year, 12),
            Period::Month(year, month) => last(year, month),
            Period::Day(day) => day,
            Period::FinancialYear(year) => last(year + 1, 3),
            Period::Quarter(year, quarter) => last(year, quarter * 3),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(year) => write!(f, "{year:04}"),
            Period::Month(year, month) => write!(f, "{year:04}-{month:02}"),
            Period::Day(date) => write!(f, "{date}"),
            Period::FinancialYear(year) => write!(f, "{year:04}/{:02}", (year + 1) % 100),
            Period::Quarter(year, quarter) => write!(f, "{year:04}-Q{quarter}"),
        }
    }
}

fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_exist() {
        assert!(Date::parse("2020-02-29").is_some());
        assert!(Date::parse("2019-02-29").is_none());
        assert!(Date::parse("2020-02-31").is_none());
        assert!(Date::parse("31/02/2020").is_none());
        assert!(Date::parse("2020-2-3").is_none());
    }

    #[test]
    fn periods_round_trip() {
        for text in [
            "2019",
            "2019-04",
            "2019-04-01",
            "2015/16",
            "1999/00",
            "2019-Q2",
        ] {
            assert_eq!(Period::parse(text).unwrap().to_string(), text);
        }
        for bad in ["2015/17", "2019-13", "2019-Q5", "19", "03/04/2020"] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn financial_years_run_april_to_march() {
        let period = Period::parse("2015/16").unwrap();
        assert_eq!(period.start().to_string(), "2015-04-01");
        assert_eq!(period.end().to_string(), "2016-03-31");
    }
}
