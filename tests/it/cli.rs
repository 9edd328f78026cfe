//! The command line: exit codes, output formats, `new`.

use crate::harness::{casebook, copy_example, copy_to_temp, fixture, repo_root};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn check_passes_on_the_example() {
    let output = casebook(&["check", "--root", repo_root().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("0 errors, 0 warnings"));
}

#[test]
fn check_reports_every_broken_file_and_exits_1() {
    let root = fixture("bad/several_broken_files");
    let output = casebook(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    for file in [
        "bad-date.md:4:12",
        "bad-region.md:8:13",
        "no-org-type.md:1:1",
        "unclosed-programme.md:1:1",
    ] {
        assert!(text.contains(file), "{file} missing from:\n{text}");
    }
    assert!(text.contains("4 errors"), "{text}");
}

#[test]
fn json_output_is_a_documented_array() {
    let root = fixture("bad/duplicate_slug_across_files");
    let output = casebook(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let first = &value.as_array().expect("array")[0];
    for key in [
        "code", "severity", "file", "line", "column", "message", "hint", "related",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["severity"], "error");
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let root = fixture("bad/distribution_sum_under_total");
    let root = root.to_str().unwrap();
    assert_eq!(casebook(&["check", "--root", root]).status.code(), Some(0));
    assert_eq!(
        casebook(&["check", "--root", root, "--deny-warnings"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn a_missing_root_or_bad_config_is_a_usage_error() {
    let (_guard, site) = copy_to_temp(&fixture("bad/quoted_year_as_at"));
    std::fs::write(site.join("casebook.yaml"), "titel: Oops\n").unwrap();
    let output = casebook(&["check", "--root", site.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("casebook.yaml:1:1"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn new_writes_a_skeleton_that_checks_and_never_overwrites() {
    let (_guard, root) = copy_example();
    let root_arg = root.to_str().unwrap();
    for (kind, title) in [
        ("case-study", "Fewer falls at night: a Wigan story"),
        ("programme", "Leading together"),
        ("organisation", "Wigan Council"),
    ] {
        let output = casebook(&["new", "--root", root_arg, kind, title]);
        assert_eq!(output.status.code(), Some(0), "{kind}: {}", stderr(&output));
    }
    let output = casebook(&[
        "new",
        "--root",
        root_arg,
        "module",
        "--programme",
        "well-led-stockton-on-tees",
        "Reflection",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let module = std::fs::read_to_string(root.join("content/modules/reflection.md")).unwrap();
    assert!(
        !module.contains("order:"),
        "the programme's list sets the order: {module}"
    );
    let programme = "content/programmes/well-led-stockton-on-tees.md";
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(&format!(
            "added it to the end of the `modules:` list of {programme}"
        )),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let text = std::fs::read_to_string(root.join(programme)).unwrap();
    assert!(
        text.contains("  - well-led-service-improvement\n  - reflection\ncohorts:\n"),
        "{text}"
    );
    let output = casebook(&[
        "new",
        "--root",
        root_arg,
        "cohort",
        "--programme",
        "well-led-stockton-on-tees",
        "Cohort 4",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let checked = casebook::check(&root).unwrap();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    assert!(
        root.join("content/case-studies/fewer-falls-at-night-a-wigan-story.md")
            .is_file()
    );

    let again = casebook(&["new", "--root", root_arg, "programme", "Leading together"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("never overwrites"));
}

#[test]
fn new_module_leaves_a_list_it_cannot_edit_safely_and_says_what_to_add() {
    let (_guard, root) = copy_example();
    let programme = root.join("content/programmes/well-led-stockton-on-tees.md");
    let text = std::fs::read_to_string(&programme).unwrap();
    let commented = text.replacen(
        "  - well-led-leading-team\n",
        "  # the second module\n  - well-led-leading-team\n",
        1,
    );
    assert_ne!(commented, text);
    std::fs::write(&programme, &commented).unwrap();
    let output = casebook(&[
        "new",
        "--root",
        root.to_str().unwrap(),
        "module",
        "--programme",
        "well-led-stockton-on-tees",
        "Reflection",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(root.join("content/modules/reflection.md").is_file());
    assert_eq!(std::fs::read_to_string(&programme).unwrap(), commented);
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("add the line `  - reflection` to its `modules:` list"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn new_module_needs_an_existing_programme() {
    let root = repo_root();
    let output = casebook(&["new", "--root", root.to_str().unwrap(), "module", "Orphan"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--programme"));
    let output = casebook(&[
        "new",
        "--root",
        root.to_str().unwrap(),
        "cohort",
        "--programme",
        "nope",
        "Orphan",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("well-led-stockton-on-tees"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn help_explains_with_examples() {
    for command in [
        &["--help"][..],
        &["check", "--help"],
        &["new", "--help"],
        &["schema", "--help"],
        &["lsp", "--help"],
    ] {
        let output = casebook(command);
        assert_eq!(output.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Examples:"),
            "{command:?}"
        );
    }
}

#[test]
fn every_code_is_documented() {
    let docs = std::fs::read_to_string(repo_root().join("docs/diagnostics.md")).unwrap();
    for code in casebook::diagnostics::Code::ALL {
        assert!(
            docs.contains(&format!("## {}", code.as_str())),
            "docs/diagnostics.md has no section for {code}"
        );
    }
}

#[test]
fn a_skeleton_published_as_it_is_is_warned_of() {
    let (_guard, root) = copy_example();
    let root_arg = root.to_str().unwrap();
    let programme = "well-led-stockton-on-tees";
    let made = [
        (
            &["case-study", "Fewer falls at night"][..],
            "case-studies/fewer-falls-at-night.md",
        ),
        (
            &["programme", "Leading together"],
            "programmes/leading-together.md",
        ),
        (
            &["organisation", "Wigan Council"],
            "organisations/wigan-council.md",
        ),
        (
            &["module", "--programme", programme, "Reflection"],
            "modules/reflection.md",
        ),
        (
            &["cohort", "--programme", programme, "Cohort 4"],
            "cohorts/cohort-4.md",
        ),
    ];
    for (args, _) in made {
        let output = casebook(&[&["new", "--root", root_arg][..], args].concat());
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // As written, the skeletons are drafts: nothing to say.
    let checked = casebook::check(&root).unwrap();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);

    for (_, file) in made {
        let path = root.join("content").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("draft: true\n", "")).unwrap();
    }
    let checked = casebook::check(&root).unwrap();
    for (_, file) in made {
        let file = format!("content/{file}");
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code == casebook::diagnostics::Code::W106 && d.file == file),
            "no W106 for {file}: {:#?}",
            checked.diagnostics
        );
    }
    assert!(
        checked
            .diagnostics
            .iter()
            .all(|d| d.code == casebook::diagnostics::Code::W106),
        "{:#?}",
        checked.diagnostics
    );
}

#[test]
fn new_and_build_say_what_happens_to_drafts() {
    let (_guard, root) = copy_example();
    let root_arg = root.to_str().unwrap();
    let output = casebook(&["new", "--root", root_arg, "organisation", "Wigan Council"]);
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("is a draft"), "{said}");
    assert!(
        said.contains("to publish it, remove the line `draft: true` (or set it to false)"),
        "{said}"
    );

    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().join("site");
    let out_arg = out_arg.to_str().unwrap();
    let built = casebook(&["build", "--root", root_arg, "--output", out_arg]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(
        stderr(&built).contains("; left out 1 draft (build with --drafts to include them)"),
        "{}",
        stderr(&built)
    );
    let with_drafts = casebook(&["build", "--root", root_arg, "--output", out_arg, "--drafts"]);
    assert!(
        !stderr(&with_drafts).contains("left out"),
        "{}",
        stderr(&with_drafts)
    );
    let quiet = casebook(&["build", "--root", root_arg, "--output", out_arg, "--quiet"]);
    assert_eq!(stderr(&quiet), "");
}
