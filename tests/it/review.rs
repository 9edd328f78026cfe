//! Review dates: on the pages, and `casebook check --as-of`.

use crate::harness::{build, casebook, copy_example, repo_root};

const STOCKTON: &str = "content/case-studies/stockton-leadership-and-peer-support-network.md";

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn check_as_of(root: &std::path::Path, as_of: &str, json: bool) -> std::process::Output {
    let root = root.to_str().unwrap();
    let mut args = vec!["check", "--root", root, "--as-of", as_of];
    if json {
        args.extend(["--format", "json"]);
    }
    casebook(&args)
}

#[test]
fn content_pages_show_their_review_dates_the_nhs_way() {
    let (_temp, root) = copy_example();
    let output = root.join("public");
    let built = build(&root, &output, &[]);
    assert!(built.status.success(), "{}", stderr(&built));
    let page = std::fs::read_to_string(
        output.join("case-studies/southampton-care-home-manager-leadership-programme/index.html"),
    )
    .unwrap();
    assert!(
        page.contains(
            "<div class=\"review-dates\">\n  <p>Page last reviewed: 20 January 2025<br>Next review due: 20 January 2028</p>\n</div>\n"
        ),
        "{page}"
    );
    // A page without review dates, on a site without `review_after`, shows none.
    let module =
        std::fs::read_to_string(output.join("modules/well-led-managing-self/index.html")).unwrap();
    assert!(!module.contains("review-dates"), "{module}");
}

#[test]
fn review_after_gives_every_page_a_review_date() {
    let (_temp, root) = copy_example();
    std::fs::write(root.join("casebook.yaml"), "review_after: 18 months\n").unwrap();
    let output = root.join("public");
    let built = build(&root, &output, &[]);
    assert!(built.status.success(), "{}", stderr(&built));
    let read = |path: &str| std::fs::read_to_string(output.join(path)).unwrap();
    // Published 2025-01-20, not reviewed or updated: 18 months after publication.
    let module = read("modules/well-led-managing-self/index.html");
    assert!(
        module.contains("<p>Next review due: 20 July 2026</p>"),
        "{module}"
    );
    // A page's own `review_due` wins.
    let southampton =
        read("case-studies/southampton-care-home-manager-leadership-programme/index.html");
    assert!(
        southampton.contains("Next review due: 20 January 2028"),
        "{southampton}"
    );
}

#[test]
fn an_invalid_review_after_stops_check_with_its_position() {
    let (_temp, root) = copy_example();
    std::fs::write(
        root.join("casebook.yaml"),
        "title: Reviews\nreview_after: every 3 years\n",
    )
    .unwrap();
    let output = casebook(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("casebook.yaml:2:1: review_after `every 3 years` is not a period"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn as_of_warns_of_pages_past_review_and_lists_those_due_soon() {
    let root = repo_root();
    // Stockton is due on 2026-06-02: 13 days after 2026-05-20.
    let output = check_as_of(&root, "2026-05-20", false);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains(&format!(
            "due for review in the 30 days from 2026-05-20:\n  2026-06-02 (in 13 days)  {STOCKTON}  A leadership and peer support network for care home managers in Stockton-on-Tees\nchecked "
        )),
        "{text}"
    );
    assert!(text.contains("0 errors, 0 warnings"), "{text}");

    // A day later than its review date: W108 at its `review_due` key.
    let output = check_as_of(&root, "2026-06-03", false);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains(
            "warning[W108]: this page was due for review on 2026-06-02 (checked as of 2026-06-03)"
        ),
        "{text}"
    );
    assert!(text.contains(&format!("{STOCKTON}:10:1")), "{text}");
    assert!(
        text.contains("no page is due for review in the 30 days from 2026-06-03"),
        "{text}"
    );
    let denied = casebook(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--as-of",
        "2026-06-03",
        "--deny-warnings",
    ]);
    assert_eq!(denied.status.code(), Some(1));

    // Due on the day itself: listed, not yet late.
    let text = stderr(&check_as_of(&root, "2026-06-02", false));
    assert!(text.contains("2026-06-02 (today)"), "{text}");
    assert!(!text.contains("W108"), "{text}");
}

#[test]
fn as_of_json_is_an_object_with_the_due_soon_list() {
    let root = repo_root();
    let output = check_as_of(&root, "2027-12-25", true);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(value["as_of"], "2027-12-25");
    let diagnostics = value["diagnostics"].as_array().expect("diagnostics array");
    assert_eq!(diagnostics.len(), 1, "{value:#}");
    assert_eq!(diagnostics[0]["code"], "W108");
    assert_eq!(diagnostics[0]["file"], STOCKTON);
    assert_eq!(
        (&diagnostics[0]["line"], &diagnostics[0]["column"]),
        (&serde_json::json!(10), &serde_json::json!(1))
    );
    assert_eq!(
        value["due_soon"],
        serde_json::json!([{
            "file": "content/case-studies/southampton-care-home-manager-leadership-programme.md",
            "title": "A leadership programme for nursing home managers in Southampton",
            "review_due": "2028-01-20",
            "days_left": 26
        }])
    );
    // Without --as-of the output stays the bare array existing tools read.
    let plain = casebook(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&plain.stdout).expect("JSON");
    assert_eq!(value, serde_json::json!([]));
}

#[test]
fn as_of_must_be_a_date() {
    let output = casebook(&["check", "--as-of", "tomorrow"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`tomorrow` is not a date; write YYYY-MM-DD"));
}
