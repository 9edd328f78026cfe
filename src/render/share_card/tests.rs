use super::*;
use crate::model::content::Distribution;
use crate::model::vocab::OutcomeKind;

fn outcome(figures: Figures) -> Outcome {
    Outcome::for_test(
        OutcomeKind::Share,
        "custom:x",
        "Homes rated good",
        Some("homes"),
        figures,
    )
}

#[test]
fn long_titles_wrap_to_three_lines_and_end_in_an_ellipsis() {
    let title = "word ".repeat(200);
    let lines = fit_lines(&title, Face::Bold, 54.0, TEXT_WIDTH, 3);
    assert_eq!(lines.len(), 3);
    assert!(lines[2].ends_with('…'));
    assert!(
        lines
            .iter()
            .all(|l| width(l, Face::Bold, 54.0) <= TEXT_WIDTH)
    );
    let short = fit_lines("A short title", Face::Bold, 54.0, TEXT_WIDTH, 3);
    assert_eq!(short, vec!["A short title".to_owned()]);
}

/// Lines fitted as first written: each word tried by measuring the joined line again.
fn fit_lines_measuring_each_line(text: &str, face: Face, size: f32, max: f32) -> Vec<String> {
    let measure = |t: &str| width(t, face, size);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in clean(text).split(' ') {
        let joined = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if measure(&joined) <= max {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if measure(&line) > max {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

proptest::proptest! {
    #[test]
    fn lines_are_those_of_measuring_each_joined_line(
        words in proptest::collection::vec("[a-zA-Z0-9%é£—.,]{0,14}", 0..60),
        max in 200.0f32..1100.0,
    ) {
        let text = words.join(" ");
        proptest::prop_assert_eq!(
            fit_lines(&text, Face::Regular, 34.0, max, usize::MAX),
            fit_lines_measuring_each_line(&text, Face::Regular, 34.0, max)
        );
    }
}

#[test]
fn a_word_wider_than_a_line_is_broken() {
    let word = "x".repeat(300);
    let lines = fit_lines(&word, Face::Bold, 54.0, TEXT_WIDTH, 3);
    assert_eq!(lines.len(), 3);
    assert!(
        lines
            .iter()
            .all(|l| width(l, Face::Bold, 54.0) <= TEXT_WIDTH)
    );
    assert!(lines.concat().trim_end_matches('…').len() > 40);
}

#[test]
fn text_is_escaped_and_control_characters_dropped() {
    let card = card_svg(
        "Site & <co>",
        "Title\u{1} with </svg>",
        "41% to 78%",
        &outcome(Figures::None),
        None,
    );
    assert!(card.contains("Site &amp; &lt;co&gt;"));
    assert!(card.contains("Title with &lt;/svg&gt;"));
    assert!(!card.contains('\u{1}'));
    assert!(crate::render::share_image::rasterise(&card).is_ok());
}

#[test]
fn each_kind_of_chart_draws_its_figures() {
    let share = card_svg(
        "S",
        "T",
        "h",
        &outcome(Figures::Share {
            numerator: Some(78),
            denominator: Some(100),
            value: 78.0,
        }),
        None,
    );
    assert!(share.contains("78 of 100 (78%)"));
    // The bar is 78% of the track.
    assert!(share.contains(&format!("width=\"{:.1}\"", TEXT_WIDTH * 0.78)));
    let ratings = card_svg(
        "S",
        "T",
        "h",
        &outcome(Figures::RatingDistribution {
            before: Some(Distribution {
                as_at: None,
                counts: [0, 4, 5, 1, 0],
                total: None,
            }),
            after: Some(Distribution {
                as_at: None,
                counts: [1, 8, 1, 0, 0],
                total: None,
            }),
        }),
        None,
    );
    assert!(ratings.contains("Good: 4 to 8"));
    assert!(ratings.contains(rating_fill(CqcRating::Inadequate)));
    // Without figures there is no chart: the background and the accent strip only.
    let none = card_svg("S", "T", "Fewer falls", &outcome(Figures::None), None);
    assert_eq!(none.matches("<rect").count(), 2);
    assert!(none.contains("font-size=\"44\""));
}

#[test]
fn a_cards_key_follows_every_input_and_is_stable() {
    let figures = || Figures::Share {
        numerator: Some(78),
        denominator: Some(100),
        value: 78.0,
    };
    let base = outcome(figures());
    let key = |site: &str, title: &str, headline: &str, outcome: &Outcome, accent| {
        card_key(site, title, headline, outcome, accent)
    };
    let first = key("S", "T", "h", &base, None);
    assert_eq!(first, key("S", "T", "h", &outcome(figures()), None));
    let mut unit = outcome(figures());
    unit.unit = Some("services".into());
    let mut no_unit = outcome(figures());
    no_unit.unit = None;
    let others = [
        key("S2", "T", "h", &base, None),
        key("S", "T2", "h", &base, None),
        key("S", "T", "h2", &base, None),
        key("S", "T", "h", &base, Some("#005eb8")),
        key("S", "T", "h", &base, Some("#00401e")),
        key("S", "T", "h", &unit, None),
        key("S", "T", "h", &no_unit, None),
        key(
            "S",
            "T",
            "h",
            &outcome(Figures::Share {
                numerator: Some(79),
                denominator: Some(100),
                value: 78.0,
            }),
            None,
        ),
        key(
            "S",
            "T",
            "h",
            &outcome(Figures::Share {
                numerator: Some(78),
                denominator: Some(100),
                value: 78.5,
            }),
            None,
        ),
        key("S", "T", "h", &outcome(Figures::None), None),
        // A value may not slide from one input into the next.
        key("ST", "", "h", &base, None),
    ];
    let mut all: Vec<&String> = others.iter().collect();
    all.push(&first);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), others.len() + 1, "two inputs share a key");
}
