//! Reading outcome measures (§4 of the content model) and checking each one's figures.

use crate::diagnostics::Code;
use crate::model::content::{Distribution, Figures, Money, Outcome, RatingAt, ValueAt};
use crate::model::fields::{self as registry, names};
use crate::model::is_valid_slug;
use crate::model::vocab::{
    CqcRating, METRICS, OutcomeKind, Vocabulary, did_you_mean, normalise_key,
};
use crate::parse::reader::{Fields, Reader};
use crate::parse::yaml::Node;

/// Reads the `outcomes` list of a page.
pub(crate) fn read_outcomes(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    extra_metrics: &[String],
) -> Vec<Outcome> {
    let items = reader.opt_list(fields, "outcomes");
    items
        .into_iter()
        .filter_map(|item| read_outcome(reader, item, extra_metrics))
        .collect()
}

fn read_outcome(reader: &mut Reader<'_>, node: &Node, extra_metrics: &[String]) -> Option<Outcome> {
    let mut fields = reader.fields(node, "an outcome")?;
    let kind_node = reader.required(&mut fields, "kind");
    let kind = kind_node.and_then(|node| reader.vocab::<OutcomeKind>(node, "kind"));
    let metric = reader
        .required(&mut fields, "metric")
        .and_then(|node| read_metric(reader, node, extra_metrics));
    let label = reader.req_string(&mut fields, "label");
    let unit = reader.opt_string(&mut fields, "unit");
    let key_question = reader.opt_vocab(&mut fields, "key_question");
    let better = reader.opt_vocab(&mut fields, "better");
    let reported_by = reader.opt_vocab(&mut fields, "reported_by");
    let source_url = reader.opt_url(&mut fields, "source_url");
    let note = reader.opt_string(&mut fields, "note");
    let as_at = reader.opt_period(&mut fields, "as_at");

    if metric.as_deref() == Some("cqc-key-question-rating")
        && key_question.is_none()
        && fields.get_raw("key_question").is_none()
    {
        reader.report(
            Code::E005,
            fields.at,
            "required field `key_question` is missing (metric `cqc-key-question-rating`)",
            "add `key_question:` with one of safe, effective, caring, responsive, well-led",
        );
    }

    let figures = match kind {
        Some(OutcomeKind::RatingDistribution) => read_distribution_pair(reader, &mut fields),
        Some(OutcomeKind::RatingChange) => read_rating_change(reader, &mut fields),
        Some(OutcomeKind::Count) => read_amount(reader, &mut fields, true),
        Some(OutcomeKind::Measure) => {
            if unit.is_none() && fields.has_any(&["value", "before", "after"]) {
                reader.report(
                    Code::E005,
                    fields.at,
                    "required field `unit` is missing (kind `measure`)",
                    "say what the number counts, e.g. `unit: days between UTIs`",
                );
            }
            read_amount(reader, &mut fields, false)
        }
        Some(OutcomeKind::Share) => read_share(reader, &mut fields),
        Some(OutcomeKind::RelativeChange) => read_relative_change(reader, &mut fields),
        Some(OutcomeKind::Score) => read_score(reader, &mut fields),
        Some(OutcomeKind::Money) => {
            read_money(reader, &mut fields, as_at).map_or(Figures::None, Figures::Money)
        }
        None => Figures::None,
    };
    // The figures a measure of its kind can have: the rest of its keys are unknown.
    let known = names(kind.map_or(&[], registry::outcome_figures));

    if kind.is_some() && matches!(figures, Figures::None) && !fields.has_any(&known) {
        let mut missing = Vec::new();
        if better.is_none() {
            missing.push("`better`");
        }
        if note.is_none() {
            missing.push("`note`");
        }
        if !missing.is_empty() {
            reader.report(
                Code::E005,
                fields.at,
                format!("an outcome without figures needs {}", missing.join(" and ")),
                "give the figures, or say which way is better (`better: lower`) and quote the source in `note`",
            );
        }
    }

    let known_keys: Vec<&str> = names(registry::OUTCOME).into_iter().chain(known).collect();
    reader.finish(fields, &known_keys);
    Some(Outcome {
        kind: kind?,
        metric: metric?,
        label: label?,
        unit,
        key_question,
        better,
        reported_by,
        source_url,
        note,
        as_at,
        figures,
    })
}

fn read_metric(reader: &mut Reader<'_>, node: &Node, extra_metrics: &[String]) -> Option<String> {
    let text = reader.string(node, "metric")?;
    if let Some(custom) = text.strip_prefix("custom:")
        && is_valid_slug(custom.trim())
    {
        return Some(format!("custom:{}", custom.trim()));
    }
    let key = normalise_key(&text);
    let known = METRICS
        .iter()
        .map(|(key, _)| *key)
        .chain(extra_metrics.iter().map(String::as_str));
    if let Some(found) = known.clone().find(|candidate| *candidate == key) {
        return Some(found.to_owned());
    }
    let hint = match did_you_mean(&text, known) {
        Some(suggestion) => format!(
            "did you mean `{suggestion}`? (or write `custom:{}` for a metric of your own)",
            crate::model::suggest_slug(&text)
        ),
        None => format!(
            "use a metric from the vocabulary, add it to `metrics:` in casebook.yaml, or write `custom:{}`",
            crate::model::suggest_slug(&text)
        ),
    };
    reader.report(
        Code::E006,
        node.at,
        format!("`{text}` is not a metric"),
        hint,
    );
    None
}

fn read_distribution_pair(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> Figures {
    let before = reader
        .sub_fields(fields, "before", "`before`")
        .map(|inner| read_distribution(reader, inner));
    let after = reader
        .sub_fields(fields, "after", "`after`")
        .map(|inner| read_distribution(reader, inner));
    if before.is_none() && after.is_none() {
        return Figures::None;
    }
    Figures::RatingDistribution { before, after }
}

fn read_distribution(reader: &mut Reader<'_>, mut fields: Fields<'_>) -> Distribution {
    let as_at = reader.opt_period(&mut fields, "as_at");
    let mut counts = [0u64; 5];
    for (index, rating) in CqcRating::ALL.iter().enumerate() {
        counts[index] = reader.opt_int(&mut fields, rating.key()).unwrap_or(0);
    }
    // Ratings written in another accepted form (`Requires Improvement`, `requires_improvement`).
    let total_node = fields.get("total");
    let total = total_node.and_then(|node| reader.int(node, "total"));
    reader_accept_rating_aliases(reader, &mut fields, &mut counts);
    // A misspelt rating would silently drop its services from the figures: an error, and the
    // sum is not checked against a count known to be incomplete.
    let mut misspelt = false;
    for (key, at) in fields.unread() {
        if let Some(suggestion) = did_you_mean(key, CqcRating::keys()) {
            reader.report(
                Code::E006,
                at,
                format!("`{key}` is not a cqc-rating"),
                format!("did you mean `{suggestion}`?"),
            );
            fields.mark_read(key);
            misspelt = true;
        }
    }
    reader.finish(fields, &names(registry::DISTRIBUTION));

    let sum: u64 = counts.iter().sum();
    if let (Some(total), Some(total_node), false) = (total, total_node, misspelt) {
        if sum > total {
            reader.report(
                Code::E012,
                total_node.at,
                format!("the ratings add up to {sum}, more than the total of {total}"),
                "check the counts; `total` is the number of services rated",
            );
        } else if sum < total {
            reader.report(
                Code::W102,
                total_node.at,
                format!("the ratings add up to {sum}, not the total of {total}"),
                "add the missing services (e.g. `not-rated:`) or correct `total`",
            );
        }
    }
    Distribution {
        as_at,
        counts,
        total,
    }
}

/// Accepts rating keys written as labels or with other separators, counting them once.
fn reader_accept_rating_aliases(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    counts: &mut [u64; 5],
) {
    for (index, rating) in CqcRating::ALL.iter().enumerate() {
        for alias in [
            rating.label().to_owned(),
            rating.key().replace('-', "_"),
            rating.key().replace('-', " "),
        ] {
            if alias == rating.key() {
                continue;
            }
            if let Some(node) = fields.get(&alias)
                && let Some(value) = reader.int(node, &alias)
            {
                counts[index] += value;
            }
        }
    }
}

fn read_rating_at(reader: &mut Reader<'_>, mut fields: Fields<'_>) -> Option<RatingAt> {
    let rating = reader
        .required(&mut fields, "rating")
        .and_then(|node| reader.vocab::<CqcRating>(node, "rating"));
    let as_at = reader.opt_period(&mut fields, "as_at");
    reader.finish(fields, &names(registry::RATING_AT));
    Some(RatingAt {
        rating: rating?,
        as_at,
    })
}

fn read_rating_change(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> Figures {
    let subject = reader.opt_string(fields, "subject");
    let from = reader
        .sub_fields(fields, "from", "`from`")
        .and_then(|inner| read_rating_at(reader, inner));
    let to_node = fields.get("to");
    let to = reader
        .sub_fields(fields, "to", "`to`")
        .and_then(|inner| read_rating_at(reader, inner));
    if let (Some(from), Some(to), Some(to_node)) = (&from, &to, to_node)
        && let (Some(a), Some(b)) = (from.as_at, to.as_at)
        && b.end() < a.start()
    {
        reader.report(
            Code::E007,
            to_node.at,
            format!("the new rating ({b}) is dated before the old one ({a})"),
            "check the two `as_at` dates",
        );
    }
    if from.is_none() && to.is_none() {
        return Figures::None;
    }
    Figures::RatingChange { subject, from, to }
}

fn read_amount(reader: &mut Reader<'_>, fields: &mut Fields<'_>, whole: bool) -> Figures {
    let value_of = |reader: &mut Reader<'_>, node: &Node, key: &str| -> Option<f64> {
        if whole {
            reader.int(node, key).map(|v| v as f64)
        } else {
            reader.number(node, key)
        }
    };
    let value = fields
        .get("value")
        .and_then(|node| value_of(reader, node, "value"))
        .map(|value| ValueAt { as_at: None, value });
    let mut side = |reader: &mut Reader<'_>, key: &str| -> Option<ValueAt> {
        let mut inner = reader.sub_fields(fields, key, key)?;
        let as_at = reader.opt_period(&mut inner, "as_at");
        let value = reader
            .required(&mut inner, "value")
            .and_then(|node| value_of(reader, node, "value"));
        let known = if whole {
            registry::COUNT_AT
        } else {
            registry::MEASURE_AT
        };
        reader.finish(inner, &names(known));
        Some(ValueAt {
            as_at,
            value: value?,
        })
    };
    let before = side(reader, "before");
    let after = side(reader, "after");
    if value.is_none() && before.is_none() && after.is_none() {
        return Figures::None;
    }
    Figures::Amount {
        value,
        before,
        after,
    }
}

fn read_share(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> Figures {
    let numerator_node = fields.get("numerator");
    let numerator = numerator_node.and_then(|node| reader.int(node, "numerator"));
    let denominator_node = fields.get("denominator");
    let denominator = denominator_node.and_then(|node| reader.int(node, "denominator"));
    let value_node = fields.get("value");
    let value = value_node.and_then(|node| reader.number(node, "value"));

    if let (Some(value), Some(node)) = (value, value_node)
        && !(0.0..=100.0).contains(&value)
    {
        let hint = if value > 100.0 {
            "a share is a part of a whole, 0 to 100; for an increase use kind: relative-change"
        } else {
            "a share is a part of a whole, 0 to 100"
        };
        reader.report(
            Code::E008,
            node.at,
            format!("a share of {value} is outside 0–100"),
            hint,
        );
        return Figures::None;
    }
    let derived = match (numerator, denominator) {
        (Some(n), Some(d)) if n > d => {
            if let Some(node) = numerator_node {
                reader.report(
                    Code::E012,
                    node.at,
                    format!("numerator {n} is larger than denominator {d}"),
                    "the numerator counts the part, the denominator the whole",
                );
            }
            return Figures::None;
        }
        (_, Some(0)) => {
            if let Some(node) = denominator_node {
                reader.report(
                    Code::E008,
                    node.at,
                    "denominator is 0",
                    "the whole must be at least 1",
                );
            }
            return Figures::None;
        }
        (Some(n), Some(d)) => Some(n as f64 * 100.0 / d as f64),
        // "66.7% of 90 respondents": the whole and the per cent, as evaluations report them.
        (None, Some(_)) if value.is_some() => None,
        (None, Some(_)) => {
            let at = denominator_node.map_or(fields.at, |node| node.at);
            reader.report(
                Code::E005,
                at,
                "a share with a `denominator` needs `numerator` or `value`",
                "give the part (`numerator: 60`) or the per cent (`value: 66.7`)",
            );
            None
        }
        (Some(_), None) => {
            let at = numerator_node.map_or(fields.at, |node| node.at);
            reader.report(
                Code::E005,
                at,
                "a share with a `numerator` needs `denominator`",
                "give the whole it is a part of (`denominator: 90`), or only `value` as a percentage",
            );
            None
        }
        (None, None) => None,
    };
    if let (Some(stated), Some(derived), Some(node)) = (value, derived, value_node)
        && (stated - derived).abs() > 0.5
    {
        reader.report(
            Code::E012,
            node.at,
            format!(
                "value {stated} does not agree with {}/{} = {derived:.1}%",
                numerator.unwrap_or(0),
                denominator.unwrap_or(0)
            ),
            "correct the value or leave it out; it is derived from numerator and denominator",
        );
    }
    match derived.or(value) {
        Some(value) => Figures::Share {
            numerator,
            denominator,
            value,
        },
        None => Figures::None,
    }
}

fn read_relative_change(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> Figures {
    let value_node = fields.get("value");
    let value = value_node.and_then(|node| reader.number(node, "value"));
    let from_as_at = reader.opt_period(fields, "from_as_at");
    let to_as_at = reader.opt_period(fields, "to_as_at");
    let baseline = reader.opt_number(fields, "baseline");
    let result = reader.opt_number(fields, "result");
    match (value, value_node) {
        (Some(value), Some(node)) if value < -100.0 => {
            reader.report(
                Code::E008,
                node.at,
                format!("a relative change of {value}% is below −100%"),
                "nothing can fall by more than 100%; check the sign and the figure",
            );
            Figures::None
        }
        (Some(value), _) => Figures::RelativeChange {
            value,
            from_as_at,
            to_as_at,
            baseline,
            result,
        },
        _ => Figures::None,
    }
}

fn read_score(reader: &mut Reader<'_>, fields: &mut Fields<'_>) -> Figures {
    let value_node = fields.get("value");
    let value = value_node.and_then(|node| reader.number(node, "value"));
    let n = reader.opt_int(fields, "n");
    let scale = match reader.sub_fields(fields, "scale", "`scale`") {
        Some(mut scale) => Some({
            let min = reader
                .required(&mut scale, "min")
                .and_then(|node| reader.number(node, "min"));
            let max = reader
                .required(&mut scale, "max")
                .and_then(|node| reader.number(node, "max"));
            reader.finish(scale, &names(registry::SCALE));
            (min, max)
        }),
        None => {
            if value.is_some() {
                reader.report(
                    Code::E005,
                    fields.at,
                    "a score needs `scale: {min, max}`",
                    "add e.g. `scale: {min: 0, max: 10}`",
                );
            }
            None
        }
    };
    let (Some(value), Some((Some(min), Some(max)))) = (value, scale) else {
        return Figures::None;
    };
    if !(min..=max).contains(&value) {
        if let Some(node) = value_node {
            reader.report(
                Code::E008,
                node.at,
                format!("score {value} is outside its scale {min}–{max}"),
                "check the score and the scale",
            );
        }
        return Figures::None;
    }
    Figures::Score { value, min, max, n }
}

/// Reads `value`, `currency` and `per` of an amount of money from `fields`.
pub(crate) fn read_money(
    reader: &mut Reader<'_>,
    fields: &mut Fields<'_>,
    as_at: Option<crate::model::time::Period>,
) -> Option<Money> {
    let value = reader.opt_number(fields, "value");
    let currency_node = fields.get("currency");
    let currency = currency_node.and_then(|node| reader.string(node, "currency"));
    if let (Some(currency), Some(node)) = (&currency, currency_node)
        && currency != "GBP"
    {
        reader.report(
            Code::E006,
            node.at,
            format!("`{currency}` is not a supported currency"),
            "use `currency: GBP`",
        );
    }
    let per = reader.opt_string(fields, "per");
    Some(Money {
        value: value?,
        currency: currency.unwrap_or_else(|| "GBP".to_owned()),
        per,
        as_at,
    })
}
