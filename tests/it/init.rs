//! `casebook init`: a new site that checks and builds as it is, and never a lost file.

use std::path::Path;

use crate::harness::casebook;

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn init(dir: &Path, extra: &[&str]) -> std::process::Output {
    casebook(&[&["init", dir.to_str().unwrap()][..], extra].concat())
}

#[test]
fn init_then_check_then_build_gives_a_site_with_every_content_type() {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path();
    let site_arg = site.to_str().unwrap();

    let made = init(site, &[]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    let said = stdout(&made);
    for next in [
        "wrote casebook.yaml",
        "casebook serve",
        "casebook build",
        "content/",
    ] {
        assert!(said.contains(next), "{next:?} missing from:\n{said}");
    }

    let checked = casebook(&["check", "--root", site_arg, "--format", "json"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert_eq!(
        stdout(&checked).trim(),
        "[]",
        "diagnostics on the starter site"
    );
    let strict = casebook(&["check", "--root", site_arg, "--deny-warnings"]);
    assert_eq!(strict.status.code(), Some(0), "{}", stderr(&strict));

    let built = casebook(&["build", "--root", site_arg]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(!stderr(&built).contains("left out"), "{}", stderr(&built));
    for page in [
        "index.html",
        "case-studies/example-falls-huddles/index.html",
        "programmes/example-leadership-programme/index.html",
        "modules/example-leading-a-team/index.html",
        "cohorts/example-cohort-1/index.html",
        "organisations/example-council/index.html",
        "data/example-falls-by-quarter/index.html",
    ] {
        assert!(site.join("public").join(page).is_file(), "no {page}");
    }
}

#[test]
fn the_starter_gitignore_ignores_the_build_output_and_its_lock() {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    assert_eq!(init(&site, &[]).status.code(), Some(0));
    let built = casebook(&["build", "--root", site.to_str().unwrap(), "--quiet"]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(&site)
            .output()
    };
    let Ok(made) = git(&["init", "--quiet"]) else {
        eprintln!("git is not installed: the .gitignore was checked only by its text");
        let ignore = std::fs::read_to_string(site.join(".gitignore")).unwrap();
        assert!(ignore.contains("/public/") && ignore.contains("/.public.casebook-*"));
        return;
    };
    assert!(made.status.success());
    for ignored in [
        "public/index.html",
        ".public.casebook-lock",
        ".public.casebook-new-1/x",
    ] {
        let check = git(&["check-ignore", "--quiet", "--no-index", ignored]).unwrap();
        assert_eq!(check.status.code(), Some(0), "{ignored} is not ignored");
    }
    let check = git(&[
        "check-ignore",
        "--quiet",
        "--no-index",
        "content/data/x.yaml",
    ])
    .unwrap();
    assert_eq!(check.status.code(), Some(1), "content is ignored");
}

#[test]
fn init_refuses_a_folder_with_files_and_names_them() {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path();
    std::fs::write(site.join("notes.txt"), "mine").unwrap();
    std::fs::create_dir(site.join("drafts")).unwrap();
    let refused = init(site, &[]);
    assert_eq!(refused.status.code(), Some(2));
    let said = stderr(&refused);
    for part in ["not empty", "`drafts/`", "`notes.txt`", "--force"] {
        assert!(said.contains(part), "{part:?} missing from:\n{said}");
    }
    assert!(!site.join("casebook.yaml").exists());
    assert!(!site.join("content").exists());
}

#[test]
fn init_accepts_a_folder_that_holds_only_git() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::create_dir(temp.path().join(".git")).unwrap();
    let made = init(temp.path(), &[]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    assert!(temp.path().join("casebook.yaml").is_file());
}

#[test]
fn init_force_writes_what_is_missing_and_keeps_every_existing_file() {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path();
    let mine = "title: My own site\n";
    let my_case = "---\ntitle: Mine\n---\n";
    let case_path = site.join("content/case-studies/example-falls-huddles.md");
    std::fs::create_dir_all(case_path.parent().unwrap()).unwrap();
    std::fs::write(site.join("casebook.yaml"), mine).unwrap();
    std::fs::write(&case_path, my_case).unwrap();

    let made = init(site, &["--force"]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    let said = stdout(&made);
    assert!(said.contains("kept  casebook.yaml"), "{said}");
    assert!(
        said.contains("kept  content/case-studies/example-falls-huddles.md"),
        "{said}"
    );
    assert!(said.contains("wrote content/programmes/example-leadership-programme.md"));
    assert_eq!(
        std::fs::read_to_string(site.join("casebook.yaml")).unwrap(),
        mine
    );
    assert_eq!(std::fs::read_to_string(&case_path).unwrap(), my_case);
    assert!(
        site.join("content/data/example-falls-by-quarter.yaml")
            .is_file()
    );
    assert!(site.join(".gitignore").is_file());
}

#[test]
fn init_help_has_examples() {
    let help = casebook(&["init", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = stdout(&help);
    assert!(
        text.contains("Examples:") && text.contains("--force"),
        "{text}"
    );
}

#[test]
fn init_writes_the_editor_schemas_and_vscode_settings() {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    let made = init(&site, &[]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    let said = stdout(&made);
    assert!(said.contains("wrote .vscode/settings.json"), "{said}");
    let kinds = [
        "case-study",
        "programme",
        "module",
        "cohort",
        "organisation",
        "dataset",
    ];
    let read = |path: &str| std::fs::read_to_string(site.join(path)).unwrap();
    let from_init: Vec<String> = kinds
        .iter()
        .map(|kind| read(&format!(".casebook/schema/{kind}.schema.json")))
        .collect();
    let settings = read(".vscode/settings.json");
    let value: serde_json::Value = serde_json::from_str(&settings).unwrap();
    assert_eq!(
        value["yaml.schemas"]["./.casebook/schema/case-study.schema.json"],
        serde_json::json!(["content/case-studies/*.md"])
    );
    // The same files `casebook schema --vscode` writes: init reuses its writer.
    let again = casebook(&["schema", "--vscode", "--root", site.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    for (kind, text) in kinds.iter().zip(&from_init) {
        assert_eq!(
            &read(&format!(".casebook/schema/{kind}.schema.json")),
            text,
            "{kind}"
        );
    }
    assert_eq!(read(".vscode/settings.json"), settings);
    // The starter's slugs are offered as completions of references.
    assert!(from_init[0].contains("example-leadership-programme"));
}

#[test]
fn init_with_force_keeps_existing_vscode_settings() {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path();
    std::fs::create_dir_all(site.join(".vscode")).unwrap();
    let mine = "{\n  // my settings\n  \"editor.tabSize\": 2\n}\n";
    std::fs::write(site.join(".vscode/settings.json"), mine).unwrap();
    let made = init(site, &["--force"]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    assert_eq!(
        std::fs::read_to_string(site.join(".vscode/settings.json")).unwrap(),
        mine
    );
    assert!(stdout(&made).contains("kept  .vscode/settings.json"));
    assert!(site.join(".casebook/schema/module.schema.json").is_file());
}
