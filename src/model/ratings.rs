//! What a CQC rating figure says about where services ended up and whether they got better.
//! Search's outcome filters (`rating=`, `improved=rating`) are these two questions.
//!
//! A figure *ends at* a rating or better when:
//! - a rating change's `to` is that rating or better;
//! - a rating distribution's `after` has at least half of its total at that rating or better;
//! - a share of `homes-rated-good-or-outstanding` is 50% or more (which says so of Good, and
//!   so of Requires improvement and Inadequate, but nothing of Outstanding).
//!
//! A figure *improved* when a rating change went to a better rating, or a rating
//! distribution's share of Good or Outstanding rose from `before` to `after`. "Not rated" is
//! on no scale: it ends at nothing and improves nothing.

use crate::model::content::{Distribution, Figures, Outcome};
use crate::model::vocab::CqcRating;

/// The metric whose shares are of services rated Good or Outstanding.
pub const GOOD_OR_OUTSTANDING_SHARE: &str = "homes-rated-good-or-outstanding";

/// The ratings a figure can end at, best first (the values of the `rating` filter).
pub const SCALE: [CqcRating; 4] = [
    CqcRating::Outstanding,
    CqcRating::Good,
    CqcRating::RequiresImprovement,
    CqcRating::Inadequate,
];

/// A rating's place on [`SCALE`] (0 is best); none for "Not rated".
fn rank(rating: CqcRating) -> Option<usize> {
    SCALE.iter().position(|r| *r == rating)
}

/// Whether `rating` is `floor` or better.
fn at_least(rating: CqcRating, floor: CqcRating) -> bool {
    matches!((rank(rating), rank(floor)), (Some(r), Some(f)) if r <= f)
}

/// The services of a distribution (its stated total, else the sum of its counts).
fn total(d: &Distribution) -> u64 {
    d.total.unwrap_or_else(|| d.counts.iter().sum())
}

/// The services of a distribution rated `floor` or better (counts are in the order of
/// [`CqcRating::ALL`], which starts with [`SCALE`]).
fn rated_at_least(d: &Distribution, floor: CqcRating) -> u64 {
    rank(floor).map_or(0, |last| d.counts[..=last].iter().sum())
}

/// Whether `outcome` ends at `floor` or better (see the module's comment).
pub fn ends_at_or_better(outcome: &Outcome, floor: CqcRating) -> bool {
    match &outcome.figures {
        Figures::RatingChange { to: Some(to), .. } => at_least(to.rating, floor),
        Figures::RatingDistribution {
            after: Some(after), ..
        } => total(after) > 0 && 2 * rated_at_least(after, floor) >= total(after),
        Figures::Share { value, .. } => {
            outcome.metric == GOOD_OR_OUTSTANDING_SHARE
                && *value >= 50.0
                && at_least(CqcRating::Good, floor)
        }
        _ => false,
    }
}

/// Whether `outcome` is a rating figure that got better (see the module's comment).
pub fn rating_improved(outcome: &Outcome) -> bool {
    match &outcome.figures {
        Figures::RatingChange {
            from: Some(from),
            to: Some(to),
            ..
        } => matches!((rank(from.rating), rank(to.rating)), (Some(f), Some(t)) if t < f),
        Figures::RatingDistribution {
            before: Some(before),
            after: Some(after),
        } => {
            let good = |d: &Distribution| rated_at_least(d, CqcRating::Good);
            // good(after) / total(after) > good(before) / total(before), without division.
            total(before) > 0
                && total(after) > 0
                && good(after) * total(before) > good(before) * total(after)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::content::RatingAt;
    use crate::model::vocab::{CqcRating::*, OutcomeKind};

    fn outcome(kind: OutcomeKind, metric: &str, figures: Figures) -> Outcome {
        Outcome::for_test(kind, metric, "x", None, figures)
    }

    fn change(from: Option<CqcRating>, to: Option<CqcRating>) -> Outcome {
        let at = |rating| RatingAt {
            rating,
            as_at: None,
        };
        outcome(
            OutcomeKind::RatingChange,
            "cqc-overall-rating",
            Figures::RatingChange {
                subject: None,
                from: from.map(at),
                to: to.map(at),
            },
        )
    }

    /// Counts of Outstanding, Good, Requires improvement, Inadequate; no stated total.
    fn counts(o: u64, g: u64, ri: u64, i: u64) -> Distribution {
        Distribution {
            as_at: None,
            counts: [o, g, ri, i, 0],
            total: None,
        }
    }

    fn distribution(before: Option<Distribution>, after: Option<Distribution>) -> Outcome {
        outcome(
            OutcomeKind::RatingDistribution,
            "cqc-key-question-rating",
            Figures::RatingDistribution { before, after },
        )
    }

    fn ends_at(outcome: &Outcome) -> Vec<CqcRating> {
        SCALE
            .into_iter()
            .filter(|r| ends_at_or_better(outcome, *r))
            .collect()
    }

    #[test]
    fn a_rating_change_ends_at_its_to_rating_and_every_worse_one() {
        assert_eq!(
            ends_at(&change(Some(RequiresImprovement), Some(Good))),
            [Good, RequiresImprovement, Inadequate]
        );
        assert_eq!(
            ends_at(&change(None, Some(Outstanding))),
            [Outstanding, Good, RequiresImprovement, Inadequate]
        );
        assert_eq!(ends_at(&change(Some(Good), Some(Inadequate))), [Inadequate]);
        assert_eq!(ends_at(&change(Some(Good), None)), []);
        assert_eq!(ends_at(&change(Some(Good), Some(NotRated))), []);
        assert!(!ends_at_or_better(&change(None, Some(Good)), NotRated));
    }

    #[test]
    fn a_distribution_ends_at_a_rating_when_half_its_total_is_there_or_better() {
        // 2 + 8 of 20 is exactly half Good or better.
        let half = distribution(None, Some(counts(2, 8, 6, 4)));
        assert_eq!(ends_at(&half), [Good, RequiresImprovement, Inadequate]);
        // 2 + 7 of 20 is less than half; with 8 Requires improvement, 17 of 20.
        let under = distribution(None, Some(counts(2, 7, 8, 3)));
        assert_eq!(ends_at(&under), [RequiresImprovement, Inadequate]);
        // A stated total counts services without a rating: 10 of 24 Good is less than half,
        // 12 of 24 Requires improvement or better is half.
        let mut stated = counts(0, 10, 2, 0);
        stated.total = Some(24);
        assert_eq!(
            ends_at(&distribution(None, Some(stated))),
            [RequiresImprovement, Inadequate]
        );
        // Only `before`: it says nothing of where things ended. Nothing at all: neither.
        assert_eq!(ends_at(&distribution(Some(counts(9, 9, 0, 0)), None)), []);
        assert_eq!(ends_at(&distribution(None, Some(counts(0, 0, 0, 0)))), []);
    }

    #[test]
    fn a_share_of_homes_rated_good_or_outstanding_from_half_ends_at_good() {
        let share = |metric: &str, value: f64| {
            outcome(
                OutcomeKind::Share,
                metric,
                Figures::Share {
                    numerator: None,
                    denominator: None,
                    value,
                },
            )
        };
        assert_eq!(
            ends_at(&share(GOOD_OR_OUTSTANDING_SHARE, 50.0)),
            [Good, RequiresImprovement, Inadequate]
        );
        assert_eq!(ends_at(&share(GOOD_OR_OUTSTANDING_SHARE, 49.9)), []);
        assert_eq!(ends_at(&share("staff-turnover", 90.0)), []);
        assert!(!rating_improved(&share(GOOD_OR_OUTSTANDING_SHARE, 90.0)));
    }

    #[test]
    fn a_rating_change_improves_when_it_goes_to_a_better_rating() {
        assert!(rating_improved(&change(
            Some(RequiresImprovement),
            Some(Good)
        )));
        assert!(rating_improved(&change(
            Some(Inadequate),
            Some(RequiresImprovement)
        )));
        assert!(rating_improved(&change(Some(Good), Some(Outstanding))));
        assert!(!rating_improved(&change(Some(Good), Some(Good))));
        assert!(!rating_improved(&change(
            Some(Good),
            Some(RequiresImprovement)
        )));
        assert!(!rating_improved(&change(None, Some(Outstanding))));
        assert!(!rating_improved(&change(Some(NotRated), Some(Good))));
        assert!(!rating_improved(&change(Some(Good), Some(NotRated))));
    }

    #[test]
    fn a_distribution_improves_when_its_share_of_good_or_outstanding_rises() {
        let rose = distribution(Some(counts(1, 9, 5, 1)), Some(counts(1, 15, 0, 0)));
        assert!(rating_improved(&rose));
        // Fewer services, a larger share: 8 of 10 after 9 of 12.
        let smaller = distribution(Some(counts(0, 9, 3, 0)), Some(counts(0, 8, 2, 0)));
        assert!(rating_improved(&smaller));
        // More Good services but a smaller share: 10 of 20 after 6 of 10.
        let diluted = distribution(Some(counts(0, 6, 4, 0)), Some(counts(0, 10, 10, 0)));
        assert!(!rating_improved(&diluted));
        // Outstanding taken from Good leaves the share as it was.
        let same = distribution(Some(counts(0, 10, 2, 0)), Some(counts(4, 6, 2, 0)));
        assert!(!rating_improved(&same));
        assert!(!rating_improved(&distribution(
            None,
            Some(counts(1, 1, 0, 0))
        )));
        assert!(!rating_improved(&distribution(
            Some(counts(0, 0, 0, 0)),
            Some(counts(1, 0, 0, 0))
        )));
    }
}
