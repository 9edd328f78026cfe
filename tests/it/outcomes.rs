//! Outcomes: charts drawn from the data, text summaries, the site-wide overview and its
//! sums, and the open data (CSV and JSON) read back and compared with the model.

use std::collections::BTreeMap;
use std::path::Path;

use casebook::render::open_data::{OutcomeRecord, outcome_records};
use casebook::render::urls::Urls;

use crate::harness::{build, copy_example, fixture};

fn build_fixture() -> (tempfile::TempDir, std::path::PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("public");
    build_ok(&fixture("outcomes"), &output);
    (temp, output)
}

/// Builds the site at `root` into `output`, which must succeed.
fn build_ok(root: &Path, output: &Path) {
    let result = build(root, output, &[]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

fn read(output: &Path, path: &str) -> String {
    std::fs::read_to_string(output.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every chart of a page: each `<div class="chart …">` to its matching `</div>`.
fn charts(html: &str) -> Vec<String> {
    html.match_indices("<div class=\"chart ")
        .map(|(start, _)| {
            let mut depth = 0;
            let mut at = start;
            loop {
                let next_open = html[at + 1..].find("<div").map(|i| i + at + 1);
                let next_close = html[at..].find("</div>").unwrap() + at;
                match next_open {
                    Some(open) if open < next_close => {
                        depth += 1;
                        at = open;
                    }
                    _ if depth == 0 => return html[start..next_close + 6].to_owned(),
                    _ => {
                        depth -= 1;
                        at = next_close + 1;
                    }
                }
            }
        })
        .collect()
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(tag[start..start + tag[start..].find('"')?].to_owned())
}

/// `(data-rating, data-value, width in per cent)` of every drawn segment or bar of a chart.
fn drawn(chart: &str) -> Vec<(Option<String>, f64, f64)> {
    chart
        .split("<rect")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>').unwrap()];
            let value = attribute(tag, "data-value")?.parse().unwrap();
            let width = attribute(tag, "width").unwrap();
            Some((
                attribute(tag, "data-rating"),
                value,
                width.strip_suffix('%').unwrap().parse().unwrap(),
            ))
        })
        .collect()
}

/// The text of each paragraph and legend line of a chart, tags removed.
fn texts(chart: &str) -> Vec<String> {
    chart
        .split("<p")
        .skip(1)
        .chain(chart.split("<li").skip(1))
        .filter_map(|rest| {
            let body = &rest[rest.find('>')? + 1..];
            let end = body.find("</p>").or_else(|| body.find("</li>"))?;
            let mut text = String::new();
            let mut in_tag = false;
            for c in body[..end].chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            Some(text)
        })
        .collect()
}

#[test]
fn every_kind_renders_with_its_summary() {
    let (_guard, output) = build_fixture();
    let html = read(&output, "case-studies/all-kinds/index.html");
    for summary in [
        "Services rated Good rose from 2 to 4 of 6, and those rated Requires improvement fell from 3 to 1",
        "Fixture House went from Requires improvement to Good",
        "Falls a month fell from 18 to 4 falls",
        "Stayed at 7 admissions",
        "Days between infections rose from 3.5 to 9 days",
        "56 of 60 (93.3%)",
        "25% decrease",
        "8.5 on a scale of 0 to 10 from 40 responses",
        "£1.4 million a year",
    ] {
        assert!(html.contains(summary), "summary missing: {summary}");
    }
    // Charts for every kind that has figures to compare; a single amount of money is text only.
    let drawings = charts(&html);
    assert_eq!(
        drawings.len(),
        8,
        "one chart per outcome with figures to draw, money excepted"
    );
    for chart in &drawings {
        assert!(
            chart.contains("role=\"img\"") && chart.contains("aria-label=\""),
            "{chart}"
        );
        // No text is drawn in SVG, where it would shrink with the chart.
        assert!(!chart.contains("<text"), "{chart}");
    }
    // A measure without figures is text only, with its note.
    assert!(html.contains("=1+1 sanctions have reduced"));
}

#[test]
fn drawn_values_and_widths_equal_the_data() {
    let (_guard, output) = build_fixture();
    let html = read(&output, "case-studies/all-kinds/index.html");
    let drawings = charts(&html);
    let distribution = &drawings[0];
    let segments = drawn(distribution);
    let before: Vec<(String, f64)> = segments[..3]
        .iter()
        .map(|(r, v, _)| (r.clone().unwrap(), *v))
        .collect();
    assert_eq!(
        before,
        vec![
            ("outstanding".into(), 1.0),
            ("good".into(), 2.0),
            ("requires-improvement".into(), 3.0)
        ]
    );
    let after: Vec<f64> = segments[3..].iter().map(|(_, v, _)| *v).collect();
    assert_eq!(after, vec![1.0, 4.0, 1.0]);
    // Widths are shares of the whole (a 100% bar for each row of six services).
    for (_, value, width) in &segments {
        assert!(
            (width - value * 100.0 / 6.0).abs() < 0.01,
            "{width}% is not {value} of 6"
        );
    }
    // Every segment's count is in the legend, beside a swatch of its pattern.
    for line in [
        "Outstanding: 1 → 1",
        "Good: 2 → 4",
        "Requires improvement: 3 → 1",
    ] {
        assert!(
            texts(distribution).iter().any(|t| t == line),
            "{line} not in {:?}",
            texts(distribution)
        );
    }
    // Before and after bars of a count: values drawn and labelled.
    let falls = &drawings[2];
    assert_eq!(
        drawn(falls).iter().map(|d| d.1).collect::<Vec<_>>(),
        vec![18.0, 4.0]
    );
    assert_eq!(
        drawn(falls).iter().map(|d| d.2).collect::<Vec<_>>(),
        vec![100.0, 22.22],
        "bars share one scale"
    );
    assert!(
        texts(falls).contains(&"Before (2019): 18 falls".to_owned())
            && texts(falls).contains(&"After (2020): 4 falls".to_owned()),
        "{:?}",
        texts(falls)
    );
    // A share is drawn against 100.
    let share = drawings
        .iter()
        .find(|c| c.contains("chart--share"))
        .unwrap();
    let bars = drawn(share);
    assert!((bars[0].1 - 93.333).abs() < 0.01, "{:?}", bars);
    assert_eq!(bars[0].2, 93.33, "{:?}", bars);
    assert!(texts(share).iter().any(|t| t == "56 of 60 (93.3%)"));
    // A relative change without a baseline or result is a labelled figure, with no axis.
    let change = drawings
        .iter()
        .find(|c| c.contains("chart--change"))
        .unwrap();
    assert!(drawn(change).is_empty(), "{change}");
    assert_eq!(texts(change), vec!["-25%", "Baseline and result not given"]);
}

#[test]
fn the_overview_sums_rating_distributions_and_sorts_shares() {
    let (_guard, output) = build_fixture();
    let html = read(&output, "outcomes/index.html");
    // cqc-overall-rating distributions: programme (5G 4RI 1I → 1O 8G 1RI), all-kinds (1O 2G 3RI → 1O 4G 1RI),
    // second (10G 2I, before only).
    let section = &html[html.find(">CQC overall rating</h2>").unwrap()..];
    let table =
        &section[section.find("sums across pages").unwrap()..section.find("</table>").unwrap()];
    let rows: BTreeMap<String, (String, String)> = table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            let cells: Vec<String> = row
                .split("</t")
                .filter_map(|part| part.rfind('>').map(|i| part[i + 1..].trim().to_owned()))
                .filter(|cell| !cell.is_empty())
                .collect();
            (cells[0].clone(), (cells[1].clone(), cells[2].clone()))
        })
        .collect();
    assert_eq!(rows["Outstanding"], ("1".into(), "2".into()));
    assert_eq!(rows["Good"], ("17".into(), "12".into()));
    assert_eq!(rows["Requires improvement"], ("7".into(), "2".into()));
    assert_eq!(rows["Inadequate"], ("3".into(), "0".into()));
    assert_eq!(rows["Total"], ("28".into(), "16".into()));
    // Shares, highest first, each linking to its page.
    let shares = &html[html.find(">Homes rated Good or Outstanding</h2>").unwrap()..];
    assert!(shares.find("56 of 60").unwrap() < shares.find("40%").unwrap());
    // Filters work without JavaScript: a static page per region, setting and key question.
    let london = read(&output, "outcomes/regions/london/index.html");
    assert!(london.contains("Leading well") && !london.contains("Every kind of outcome"));
    assert!(
        output
            .join("outcomes/settings/homecare/index.html")
            .is_file()
    );
    assert!(
        output
            .join("outcomes/key-questions/safe/index.html")
            .is_file()
    );
}

#[test]
fn a_share_of_respondents_reads_charts_and_exports_as_a_per_cent_of_the_whole() {
    let (_guard, output) = build_fixture();
    // The sentence, the table and the chart of the page.
    let html = read(&output, "case-studies/second/index.html");
    assert!(html.contains("66.7% of 90 respondents"), "{html}");
    let table = &html[html
        .find(">Managers who would recommend the programme</caption>")
        .unwrap()..];
    let table: String = table[..table.find("</table>").unwrap()]
        .split_whitespace()
        .collect();
    assert!(table.contains(">Whole</th><td>90<"), "{table}");
    assert!(table.contains(">Share</th><td>66.7%<"), "{table}");
    assert!(!table.contains(">Part<"), "{table}");
    let share = charts(&html)
        .into_iter()
        .find(|c| c.contains("chart--share") && c.contains("respondents"))
        .unwrap();
    assert!((drawn(&share)[0].1 - 66.7).abs() < 1e-9, "{share}");
    assert!(texts(&share).iter().any(|t| t == "66.7% of 90 respondents"));

    // The overview lists it under its metric, as a per cent.
    let overview = read(&output, "outcomes/index.html");
    let group = &overview[overview
        .find(">Participants who would recommend</h2>")
        .unwrap()..];
    let group = &group[..group.find("</section>").unwrap()];
    assert!(group.contains("66.7% of 90 respondents"), "{group}");

    // The open data: the whole and the per cent, with an empty numerator.
    let json: Vec<OutcomeRecord> =
        serde_json::from_str(&read(&output, "data/outcomes.json")).unwrap();
    let record = json
        .iter()
        .find(|r| r.metric.as_deref() == Some("participant-recommend"))
        .unwrap();
    assert_eq!(
        (record.numerator, record.denominator, record.value),
        (None, Some(90.0), Some(66.7))
    );
    let rows = parse_csv(&read(&output, "data/outcomes.csv"));
    let column = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let row = rows
        .iter()
        .find(|row| row[column("metric")] == "participant-recommend")
        .unwrap();
    assert_eq!(
        [
            &row[column("numerator")],
            &row[column("denominator")],
            &row[column("value")]
        ],
        ["", "90", "66.7"]
    );
}

/// A small RFC 4180 reader, enough to read the CSV back.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (other, _) => cell.push(other),
        }
    }
    rows
}

#[test]
fn open_data_round_trips_to_the_model() {
    let (_guard, output) = build_fixture();
    let checked = casebook::check(&fixture("outcomes")).unwrap();
    let urls = Urls::new(&checked.config.base_url);
    let expected = outcome_records(&checked.site, &urls);
    assert_eq!(expected.len(), 15);

    let json: Vec<OutcomeRecord> =
        serde_json::from_str(&read(&output, "data/outcomes.json")).unwrap();
    assert_eq!(json, expected);

    let csv = read(&output, "data/outcomes.csv");
    let rows = parse_csv(&csv);
    assert_eq!(
        rows[0],
        OutcomeRecord::COLUMNS
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(rows.len(), expected.len() + 1);
    let column = |name: &str| {
        OutcomeRecord::COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    for (row, record) in rows[1..].iter().zip(&expected) {
        assert_eq!(row[column("page_url")], record.page_url.clone().unwrap());
        assert_eq!(row[column("label")], record.label.clone().unwrap());
        for (name, value) in [
            ("value", record.value),
            ("numerator", record.numerator),
            ("before_good", record.before_good),
            ("after_total", record.after_total),
        ] {
            let cell = &row[column(name)];
            assert_eq!(
                if cell.is_empty() {
                    None
                } else {
                    Some(cell.parse::<f64>().unwrap())
                },
                value,
                "{name}"
            );
        }
    }
    // A formula is inert; a figure-less measure has its record with empty figures.
    assert!(csv.contains("'=HYPERLINK(\"\"http://x\"\")"), "{csv}");
    assert!(csv.contains("'=1+1 sanctions have reduced"));
    let sanctions = json
        .iter()
        .find(|r| r.label.as_deref() == Some("Sanctions"))
        .unwrap();
    assert!(sanctions.value.is_none() && sanctions.before_value.is_none());
    // Absolute page URLs carry the base path.
    assert!(
        sanctions
            .page_url
            .as_deref()
            .unwrap()
            .starts_with("https://example.org/evidence/case-studies/")
    );
}

#[test]
fn open_data_follows_its_schema() {
    let (_guard, output) = build_fixture();
    let schema: serde_json::Value =
        serde_json::from_str(&read(&output, "data/outcomes.schema.json")).unwrap();
    let docs: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::harness::repo_root().join("docs/outcomes.schema.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema, docs,
        "docs/outcomes.schema.json is stale: copy public/data/outcomes.schema.json there"
    );
    let properties = schema["items"]["properties"].as_object().unwrap();
    let records: Vec<serde_json::Value> =
        serde_json::from_str(&read(&output, "data/outcomes.json")).unwrap();
    for record in &records {
        let record = record.as_object().unwrap();
        for required in schema["items"]["required"].as_array().unwrap() {
            assert!(
                record.contains_key(required.as_str().unwrap()),
                "{required} missing"
            );
        }
        for (name, value) in record {
            let property = properties
                .get(name)
                .unwrap_or_else(|| panic!("{name} is not in the schema"));
            let types: Vec<&str> = match &property["type"] {
                serde_json::Value::String(t) => vec![t.as_str()],
                serde_json::Value::Array(list) => {
                    list.iter().map(|t| t.as_str().unwrap()).collect()
                }
                other => panic!("bad type {other}"),
            };
            let kind = match value {
                serde_json::Value::Null => "null",
                serde_json::Value::String(_) => "string",
                serde_json::Value::Number(_) => "number",
                serde_json::Value::Array(_) => "array",
                _ => "other",
            };
            assert!(
                types.contains(&kind),
                "{name}: {kind} is not one of {types:?}"
            );
        }
    }
}

#[test]
fn hostile_titles_stay_inert_in_charts_and_overview() {
    let (_guard, output) = build_fixture();
    for path in [
        "case-studies/all-kinds/index.html",
        "outcomes/index.html",
        "outcomes/regions/south-west/index.html",
    ] {
        assert!(!read(&output, path).contains("<script>alert"), "{path}");
    }
}

#[test]
fn the_example_programme_shows_both_rating_charts() {
    let (_guard, root) = copy_example();
    let output = root.join("public");
    build_ok(&root, &output);
    let html = read(&output, "programmes/well-led-stockton-on-tees/index.html");
    let drawings = charts(&html);
    assert_eq!(drawings.len(), 2);
    assert!(html.contains("Homes rated Good rose from 14 to 20 of 24"));
    assert!(html.contains("Providers rated Good rose from 0 to 6 of 9"));
    for (index, chart) in drawings.iter().enumerate() {
        insta::assert_snapshot!(format!("well_led_chart_{index}"), chart);
    }
    // The overview adds up the example: Well Led's overall ratings are the only distribution.
    let overview = read(&output, "outcomes/index.html");
    assert!(overview.contains("Across 1 measure, services rated Good or Outstanding went from 16 of 24 before to 22 of 24 after"), "overview sums");
    assert!(overview.contains("/case-studies/southampton-care-home-manager-leadership-programme/"));
    let dataset = read(&output, "data/well-led-overall-ratings/index.html");
    assert_eq!(charts(&dataset).len(), 1, "the dataset has a chart");
}

#[test]
fn the_overview_lists_at_most_fifty_measures_a_group_but_sums_them_all() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("site");
    let folder = root.join("content/case-studies");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(root.join("casebook.yaml"), "title: Many measures\n").unwrap();
    for i in 0..60 {
        std::fs::write(
            folder.join(format!("home-{i:02}.md")),
            format!(
                "---\ntitle: Home {i:02}\nsummary: One of many.\npublished: 2024-03-01\n\
                 organisations: [{{name: Trust {i}, org_type: nhs-trust}}]\nnhs_region: london\n\
                 care_settings: [care-home]\noutcomes:\n  - kind: share\n    \
                 metric: homes-rated-good-or-outstanding\n    label: Homes rated good\n    \
                 value: {value}\n  - kind: rating-distribution\n    metric: cqc-overall-rating\n    \
                 label: Ratings\n    before: {{good: 1, inadequate: 1, total: 2}}\n---\nBody.\n",
                value = i + 20
            ),
        )
        .unwrap();
    }
    let output = temp.path().join("public");
    build_ok(&root, &output);
    for page in ["outcomes/index.html", "outcomes/regions/london/index.html"] {
        let html = read(&output, page);
        let shares = &html[html.find(">Homes rated Good or Outstanding</h2>").unwrap()..];
        let shares = &shares[..shares.find("</section>").unwrap()];
        // The 50 highest shares, highest first: 79% down to 30%; 29% and below are left out.
        assert_eq!(
            shares.matches("<tr><th scope=\"row\">").count(),
            50,
            "{page}"
        );
        assert!(
            shares.find("79%").unwrap() < shares.find("30%").unwrap(),
            "{page}"
        );
        assert!(!shares.contains("29%"), "{page}");
        assert!(shares.contains("Showing 50 of 60 measures."), "{page}");
        assert!(shares.contains("60 measures</caption>"), "{page}");
        // The sums still count all 60 pages: 60 Good and 60 Inadequate before.
        let ratings = &html[html.find(">CQC overall rating</h2>").unwrap()..];
        let ratings = &ratings[..ratings.find("</section>").unwrap()];
        assert!(ratings.contains("<td>60</td>"), "{page}: {ratings}");
    }
    // The CSV has every measure: 120 records and a header.
    assert_eq!(read(&output, "data/outcomes.csv").lines().count(), 121);
}
