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

/// What a date written in another common form can mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherForm {
    /// One date: `21/11/2026`, `2026/11/21`, `21 November 2026`, `Nov 21, 2026`.
    Certain(Date),
    /// Day first or month first, both real dates: `03/04/2026`.
    Ambiguous {
        /// Read day first, as in the UK.
        day_first: Date,
        /// Read month first, as in the US.
        month_first: Date,
    },
}

/// The names of the months, January first.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// Reads a date written in a common form other than `YYYY-MM-DD`, so that a message can
    /// offer its ISO form. `None` when `text` is not such a date, or names no real day.
    pub fn read_other_form(text: &str) -> Option<OtherForm> {
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || matches!(c, '/' | '.' | '-' | ','))
            .filter(|word| !word.is_empty())
            .collect();
        let [a, b, c] = words[..] else {
            return None;
        };
        let numbers = (number(a), number(b), number(c));
        let make = |year: u32, month: u32, day: u32| {
            Date::parse(&format!("{year:04}-{month:02}-{day:02}")).filter(|_| year >= 1000)
        };
        match numbers {
            (Some(year), Some(month), Some(day)) if a.len() == 4 => {
                make(year, month, day).map(OtherForm::Certain)
            }
            (Some(first), Some(second), Some(year)) if c.len() == 4 => {
                match (make(year, second, first), make(year, first, second)) {
                    (Some(day_first), Some(month_first)) if day_first != month_first => {
                        Some(OtherForm::Ambiguous {
                            day_first,
                            month_first,
                        })
                    }
                    (Some(date), _) | (None, Some(date)) => Some(OtherForm::Certain(date)),
                    (None, None) => None,
                }
            }
            // 21 November 2026
            (Some(day), None, Some(year)) => {
                make(year, month_number(b)?, day).map(OtherForm::Certain)
            }
            // November 21, 2026
            (None, Some(day), Some(year)) => {
                make(year, month_number(a)?, day).map(OtherForm::Certain)
            }
            _ => None,
        }
    }
}

impl Date {
    /// The day and month in words: "3 April".
    pub fn day_and_month(self) -> String {
        let month = MONTH_NAMES[(self.month as usize).saturating_sub(1) % 12];
        format!("{} {month}", self.day)
    }
}

/// A day, month or year written in digits, or a day with its suffix (`21st`).
fn number(word: &str) -> Option<u32> {
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
        .unwrap_or(word);
    digits.parse().ok()
}

/// The month a name or its first three letters stand for (`Nov`, `november`).
fn month_number(word: &str) -> Option<u32> {
    let word = word.to_lowercase();
    if word.len() < 3 {
        return None;
    }
    let position = MONTH_NAMES
        .iter()
        .position(|name| name.to_lowercase().starts_with(&word))?;
    Some(position as u32 + 1)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Date {
    /// The same day `months` calendar months later; a day the later month lacks becomes its
    /// last day (31 January plus one month is 28 or 29 February).
    pub fn plus_months(self, months: u32) -> Date {
        let index = self.year as i64 * 12 + (self.month as i64 - 1) + months as i64;
        let year = index.div_euclid(12) as i32;
        let month = (index.rem_euclid(12) + 1) as u8;
        Date {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }

    /// The date `days` days later.
    pub fn plus_days(self, days: u32) -> Date {
        let mut date = self;
        let mut left = days;
        while left > 0 {
            let rest_of_month = u32::from(days_in_month(date.year, date.month) - date.day);
            if left <= rest_of_month {
                date.day += left as u8;
                break;
            }
            left -= rest_of_month + 1;
            date = Date {
                day: 1,
                ..date.plus_months(1)
            };
        }
        date
    }
}

/// A span of whole months or years after a date, as `review_after` writes it: `3 years`,
/// `18 months`, `1 year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    months: u32,
}

impl Interval {
    /// Parses `<n> year(s)` or `<n> month(s)`, n from 1; `None` for anything else.
    pub fn parse(text: &str) -> Option<Interval> {
        let mut words = text.split_whitespace();
        let (number, unit) = (words.next()?, words.next()?);
        if words.next().is_some() {
            return None;
        }
        let count: u32 = digits(number).filter(|&n| n >= 1)?;
        let months = match unit.to_ascii_lowercase().as_str() {
            "year" | "years" => count.checked_mul(12)?,
            "month" | "months" => count,
            _ => return None,
        };
        (months <= 1200).then_some(Interval { months })
    }

    /// The date this interval after `date`.
    pub fn after(self, date: Date) -> Date {
        date.plus_months(self.months)
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.months % 12, self.months / 12) {
            (0, 1) => f.write_str("1 year"),
            (0, years) => write!(f, "{years} years"),
            (_, _) if self.months == 1 => f.write_str("1 month"),
            _ => write!(f, "{} months", self.months),
        }
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
    fn dates_in_other_forms_are_read_when_they_can_be() {
        let date = |text: &str| Date::parse(text).unwrap();
        let certain = |text: &str| match Date::read_other_form(text) {
            Some(OtherForm::Certain(found)) => found.to_string(),
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(certain("21/11/2026"), "2026-11-21");
        assert_eq!(certain("11/21/2026"), "2026-11-21");
        assert_eq!(certain("21.11.2026"), "2026-11-21");
        assert_eq!(certain("2026/11/21"), "2026-11-21");
        assert_eq!(certain("21 November 2026"), "2026-11-21");
        assert_eq!(certain("21st Nov 2026"), "2026-11-21");
        assert_eq!(certain("Nov 21, 2026"), "2026-11-21");
        assert_eq!(certain("September 3, 2026"), "2026-09-03");
        assert_eq!(certain("04/04/2026"), "2026-04-04");
        assert_eq!(
            Date::read_other_form("03/04/2026"),
            Some(OtherForm::Ambiguous {
                day_first: date("2026-04-03"),
                month_first: date("2026-03-04"),
            })
        );
        for nothing in [
            "31/02/2026",
            "21/11/26",
            "soon",
            "21 Novembre 2026",
            "2026-13-01",
        ] {
            assert_eq!(Date::read_other_form(nothing), None, "{nothing}");
        }
    }

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
    fn intervals_are_years_or_months() {
        let date = |text: &str| Date::parse(text).unwrap();
        let three_years = Interval::parse("3 years").unwrap();
        assert_eq!(three_years.after(date("2025-01-20")), date("2028-01-20"));
        assert_eq!(three_years.to_string(), "3 years");
        let eighteen = Interval::parse(" 18 Months ").unwrap();
        assert_eq!(eighteen.after(date("2024-08-31")), date("2026-02-28"));
        assert_eq!(
            Interval::parse("1 year").unwrap().after(date("2024-02-29")),
            date("2025-02-28")
        );
        assert_eq!(Interval::parse("1 month").unwrap().to_string(), "1 month");
        for bad in [
            "",
            "3",
            "years",
            "0 years",
            "3 weeks",
            "three years",
            "3 years ago",
            "-1 year",
            "200 years",
        ] {
            assert_eq!(Interval::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_are_added_across_months_and_years() {
        let date = |text: &str| Date::parse(text).unwrap();
        assert_eq!(date("2026-01-20").plus_days(30), date("2026-02-19"));
        assert_eq!(date("2026-12-31").plus_days(1), date("2027-01-01"));
        assert_eq!(date("2024-02-28").plus_days(1), date("2024-02-29"));
        assert_eq!(date("2026-03-05").plus_days(0), date("2026-03-05"));
        assert_eq!(date("2026-01-01").plus_days(365), date("2027-01-01"));
    }

    #[test]
    fn financial_years_run_april_to_march() {
        let period = Period::parse("2015/16").unwrap();
        assert_eq!(period.start().to_string(), "2015-04-01");
        assert_eq!(period.end().to_string(), "2016-03-31");
    }
}
