//! Review dates: which pages are past their next review, and which fall due soon, on a given
//! day. `casebook check --as-of` asks; a build never does, so that its output does not depend
//! on the day it runs.

use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic, Pos};
use crate::model::Site;
use crate::model::time::{Date, Interval};

/// How many days ahead [`review_status`] lists the reviews falling due.
pub const DUE_SOON_DAYS: u32 = 30;

/// The review dates of a site on one day.
#[derive(Debug, Clone, Default)]
pub struct ReviewStatus {
    /// A W108 warning for each page past its review date.
    pub overdue: Vec<Diagnostic>,
    /// The pages due for review on the day or in the [`DUE_SOON_DAYS`] after it, soonest
    /// first.
    pub due_soon: Vec<DueSoon>,
}

/// A page due for review soon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueSoon {
    /// The page's file, relative to the site root.
    pub file: String,
    /// Its title.
    pub title: String,
    /// When its review is due.
    #[serde(serialize_with = "as_iso_date")]
    pub review_due: Date,
    /// Days from the day asked about to `review_due` (0: due that day).
    pub days_left: u32,
}

fn as_iso_date<S: serde::Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(date)
}

/// The pages of `site` past their review date on `as_of`, and those due in the next
/// [`DUE_SOON_DAYS`] days. A page's review date is its `review_due`, else `review_after`
/// after its last review, update or publication. Drafts are left out: they are not published.
pub fn review_status(site: &Site, review_after: Option<Interval>, as_of: Date) -> ReviewStatus {
    let horizon = as_of.plus_days(DUE_SOON_DAYS);
    let mut status = ReviewStatus::default();
    for page in site.pages.iter().filter(|page| !page.draft) {
        let Some(due) = page.review_due(review_after) else {
            continue;
        };
        if due < as_of {
            let at = page
                .review_due
                .as_ref()
                .or(page.reviewed.as_ref())
                .map_or(Pos::START, |date| date.at);
            status.overdue.push(
                Diagnostic::new(
                    Code::W108,
                    &page.file,
                    at,
                    format!("this page was due for review on {due} (checked as of {as_of})"),
                )
                .with_hint(
                    "review the page, then set `reviewed:` to the day of the review (and update `review_due:` if the page sets it)",
                ),
            );
        } else if due <= horizon {
            status.due_soon.push(DueSoon {
                file: page.file.clone(),
                title: page.title.clone(),
                review_due: due,
                days_left: days_between(as_of, due),
            });
        }
    }
    status
        .due_soon
        .sort_by(|a, b| (a.review_due, &a.file).cmp(&(b.review_due, &b.file)));
    status
}

/// Whole days from `from` to `to`, which is not before it and at most a few weeks later.
fn days_between(from: Date, to: Date) -> u32 {
    (0..=DUE_SOON_DAYS)
        .find(|&days| from.plus_days(days) == to)
        .unwrap_or(DUE_SOON_DAYS)
}
