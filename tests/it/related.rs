//! Related case studies chosen by shared terms, in a built site.

use crate::harness::{build, copy_example};

const SOUTHAMPTON: &str =
    "case-studies/southampton-care-home-manager-leadership-programme/index.html";

/// Southampton's related case study, named by hand.
const HANDWRITTEN: &str = "related:\n  - stockton-leadership-and-peer-support-network\n";

/// The hrefs of the cards under "Related case studies" of a built page.
fn related_links(html: &str) -> Vec<String> {
    let Some(start) = html.find("id=\"section-related\"") else {
        return Vec::new();
    };
    let section = html[start..].split("</section>").next().unwrap();
    section
        .split("class=\"card__title\"><a href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

#[test]
fn drafts_are_never_chosen_as_related() {
    let (_temp, root) = copy_example();
    // Southampton without its `related:`, and a draft sharing every term of Southampton's.
    let path =
        root.join("content/case-studies/southampton-care-home-manager-leadership-programme.md");
    let southampton = std::fs::read_to_string(&path)
        .unwrap()
        .replacen(HANDWRITTEN, "", 1);
    std::fs::write(&path, &southampton).unwrap();
    let draft = southampton
        .replacen(
            "title: A leadership",
            "title: A draft copy of a leadership",
            1,
        )
        .replacen(
            "published: 2025-01-20",
            "published: 2025-06-01\ndraft: true",
            1,
        );
    std::fs::write(root.join("content/case-studies/draft-copy.md"), draft).unwrap();

    for drafts in [false, true] {
        let output = root.join(format!("public-{drafts}"));
        let extra: &[&str] = if drafts { &["--drafts"] } else { &[] };
        let built = build(&root, &output, extra);
        assert!(
            built.status.success(),
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );
        assert_eq!(
            output.join("case-studies/draft-copy/index.html").exists(),
            drafts
        );
        let page = std::fs::read_to_string(output.join(SOUTHAMPTON)).unwrap();
        // Southampton names no related case studies: Stockton shares three topics and the
        // key question, and is chosen; the draft, which shares more, never is.
        assert_eq!(
            related_links(&page),
            ["../../case-studies/stockton-leadership-and-peer-support-network/"],
            "with drafts: {drafts}"
        );
    }
}

#[test]
fn a_handwritten_related_list_wins() {
    let (_temp, root) = copy_example();
    let path =
        root.join("content/case-studies/southampton-care-home-manager-leadership-programme.md");
    let text = std::fs::read_to_string(&path).unwrap();
    // Another case study, sharing nothing, named by hand.
    let other = text
        .replacen(HANDWRITTEN, "", 1)
        .replacen("title: A leadership", "title: Unrelated work", 1)
        .replace("  - leadership\n  - registered managers\n  - peer support\n  - quality improvement\n  - hospital discharge\n", "  - catering\n")
        .replacen("care_settings: [care-home-with-nursing]", "care_settings: [hospice]", 1)
        .replacen("cqc_key_questions: [well-led]", "cqc_key_questions: [caring]", 1);
    std::fs::write(root.join("content/case-studies/unrelated-work.md"), other).unwrap();
    std::fs::write(
        &path,
        text.replacen(HANDWRITTEN, "related: [unrelated-work]\n", 1),
    )
    .unwrap();
    let output = root.join("public");
    let built = build(&root, &output, &[]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let page = std::fs::read_to_string(output.join(SOUTHAMPTON)).unwrap();
    assert_eq!(related_links(&page), ["../../case-studies/unrelated-work/"]);
    // Chosen by terms, the unrelated page has nothing to list.
    let unrelated =
        std::fs::read_to_string(output.join("case-studies/unrelated-work/index.html")).unwrap();
    assert_eq!(related_links(&unrelated), Vec::<String>::new());
}
