//! The release workflow, the deploy recipes and the Dockerfile. None of them can run here (no
//! GitHub runner, no Docker engine), so these tests check what can be checked: each file
//! parses, uses only well-known actions, names archives the release makes, and every
//! `casebook` command in them is a subcommand that exists, with flags it has.

use std::collections::BTreeSet;

use serde_yaml::Value;

use crate::harness::{casebook, repo_root};

const RELEASE: &str = ".github/workflows/release.yml";
const PAGES: &str = "docs/deploy/github-pages.yml";
const NETLIFY: &str = "docs/deploy/netlify.toml";

/// Files that run or show `casebook` commands, and whether only their code blocks count.
const WITH_COMMANDS: [(&str, Text); 6] = [
    (RELEASE, Text::Config),
    (PAGES, Text::Config),
    (NETLIFY, Text::Config),
    ("Dockerfile", Text::Config),
    ("docs/deploy.md", Text::Markdown),
    ("README.md", Text::Markdown),
];

#[derive(Clone, Copy, PartialEq)]
enum Text {
    /// Every line that is not a comment.
    Config,
    /// Only lines inside fenced code blocks.
    Markdown,
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml(path: &str) -> Value {
    serde_yaml::from_str(&read(path)).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
}

/// A `casebook` command found in a file: its subcommand and the `--flags` it gives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Invocation {
    subcommand: String,
    flags: Vec<String>,
}

/// The lines of `text` that hold commands, with shell comments cut off.
fn command_lines(text: &str, kind: Text) -> Vec<&str> {
    let mut in_fence = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if kind == Text::Markdown && line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if kind == Text::Markdown && !in_fence {
            continue;
        }
        let code = line.split(" #").next().unwrap_or("");
        if !code.trim_start().starts_with('#') {
            lines.push(code);
        }
    }
    lines
}

/// Every `casebook <subcommand> …` in `line` (also `./casebook`, `bin/casebook`).
fn invocations_in(line: &str) -> Vec<Invocation> {
    let mut found = Vec::new();
    for (at, _) in line.match_indices("casebook ") {
        let starts_a_word = line[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || "-_.".contains(c)));
        if !starts_a_word {
            continue;
        }
        let mut words = line[at + "casebook ".len()..].split_whitespace();
        let Some(subcommand) = words.next() else {
            continue;
        };
        // `docker build -t casebook .`, `mv casebook /usr/local/bin/`: not a command.
        if !subcommand.starts_with(|c: char| c.is_ascii_lowercase())
            || !subcommand
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-')
        {
            continue;
        }
        let flags = words
            .take_while(|w| !["&&", "||", "|", ";", "\\"].contains(w) && !w.contains('`'))
            .map(|w| w.trim_start_matches('[').trim_end_matches(']'))
            .filter(|w| w.starts_with("--"))
            .map(|w| w.split('=').next().unwrap_or(w).to_owned())
            .collect();
        found.push(Invocation {
            subcommand: subcommand.to_owned(),
            flags,
        });
    }
    found
}

fn invocations(path: &str, kind: Text) -> BTreeSet<Invocation> {
    let text = read(path);
    command_lines(&text, kind)
        .into_iter()
        .flat_map(invocations_in)
        .collect()
}

fn invocation(subcommand: &str, flags: &[&str]) -> Invocation {
    Invocation {
        subcommand: subcommand.to_owned(),
        flags: flags.iter().map(|f| (*f).to_owned()).collect(),
    }
}

#[test]
fn commands_are_found_in_code_and_not_in_prose() {
    let text = "Publish a casebook site.\n```sh\ncasebook build --base-url \"$URL/\" && ./casebook check --deny-warnings   # casebook site\nmv casebook /usr/local/bin/\n```\n";
    let found: Vec<_> = command_lines(text, Text::Markdown)
        .into_iter()
        .flat_map(invocations_in)
        .collect();
    assert_eq!(
        found,
        vec![
            invocation("build", &["--base-url"]),
            invocation("check", &["--deny-warnings"])
        ]
    );
}

#[test]
fn every_casebook_command_in_the_release_and_deploy_files_exists() {
    let mut all = BTreeSet::new();
    for (path, kind) in WITH_COMMANDS {
        all.extend(invocations(path, kind));
    }
    // The recipes' own steps are among them (so the search above finds what it should).
    for (path, kind) in [(PAGES, Text::Config), (NETLIFY, Text::Config)] {
        let found = invocations(path, kind);
        assert!(
            found.contains(&invocation("check", &["--deny-warnings"])),
            "{path}: {found:?}"
        );
        assert!(
            found.contains(&invocation("build", &["--base-url"])),
            "{path}: {found:?}"
        );
    }
    assert!(all.iter().any(|i| i.subcommand == "init"), "{all:?}");

    let mut failures = Vec::new();
    for Invocation { subcommand, flags } in &all {
        let help = casebook(&[subcommand.as_str(), "--help"]);
        if help.status.code() != Some(0) {
            failures.push(format!("`casebook {subcommand}` is not a subcommand"));
            continue;
        }
        let text = String::from_utf8_lossy(&help.stdout);
        for flag in flags {
            if !text.split_whitespace().any(|word| word == flag) {
                failures.push(format!("`casebook {subcommand}` has no {flag}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The matrix of the release workflow: (target, archive name).
fn release_assets() -> Vec<(String, String)> {
    let release = yaml(RELEASE);
    release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("a build matrix")
        .iter()
        .map(|entry| {
            let field = |key: &str| entry[key].as_str().expect(key).to_owned();
            (field("target"), field("asset"))
        })
        .collect()
}

#[test]
fn the_release_builds_every_platform_on_a_version_tag() {
    let release = yaml(RELEASE);
    let tags = &release["on"]["push"]["tags"];
    assert_eq!(tags.as_sequence().map(Vec::len), Some(1), "{tags:?}");
    assert_eq!(tags[0].as_str(), Some("v*"));
    let assets = release_assets();
    let targets: BTreeSet<&str> = assets.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        targets,
        BTreeSet::from([
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "universal-apple-darwin",
            "x86_64-pc-windows-msvc",
        ])
    );
    for (target, asset) in &assets {
        let extension = if target.contains("windows") {
            "zip"
        } else {
            "tar.gz"
        };
        assert_eq!(asset, &format!("casebook-{target}.{extension}"));
    }
    let text = read(RELEASE);
    for needed in [
        "sha256",
        "release/casebook",
        "gh release create",
        "--locked",
    ] {
        assert!(text.contains(needed), "{RELEASE} has no {needed:?}");
    }
}

#[test]
fn workflows_use_only_well_known_actions() {
    for path in [RELEASE, PAGES] {
        let workflow = yaml(path);
        let jobs = workflow["jobs"].as_mapping().expect("jobs");
        for (name, job) in jobs {
            for step in job["steps"].as_sequence().expect("steps") {
                if let Some(action) = step["uses"].as_str() {
                    assert!(
                        action.starts_with("actions/")
                            || action.starts_with("dtolnay/rust-toolchain@"),
                        "{path}, job {name:?}: {action}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_pages_workflow_checks_builds_and_deploys_with_the_pages_actions() {
    let workflow = yaml(PAGES);
    assert_eq!(workflow["permissions"]["pages"].as_str(), Some("write"));
    assert_eq!(workflow["permissions"]["id-token"].as_str(), Some("write"));
    let actions: Vec<&str> = workflow["jobs"]
        .as_mapping()
        .expect("jobs")
        .values()
        .flat_map(|job| job["steps"].as_sequence().expect("steps"))
        .filter_map(|step| step["uses"].as_str())
        .collect();
    for needed in ["actions/upload-pages-artifact@", "actions/deploy-pages@"] {
        assert!(actions.iter().any(|a| a.starts_with(needed)), "{actions:?}");
    }
    let upload = workflow["jobs"]["build"]["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|a| a.starts_with("actions/upload-pages"))
        })
        .expect("an upload step");
    assert_eq!(upload["with"]["path"].as_str(), Some("public"));
}

#[test]
fn the_netlify_file_publishes_public() {
    let text = read(NETLIFY);
    let setting = |key: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(key)?.trim().strip_prefix('='))
            .map(str::trim)
            .unwrap_or_else(|| panic!("{NETLIFY} has no {key}"))
            .to_owned()
    };
    assert_eq!(setting("publish"), "\"public\"");
    assert!(
        setting("command").starts_with("\"\"\""),
        "a multi-line command"
    );
}

#[test]
fn archives_named_in_the_docs_are_ones_the_release_makes() {
    let made: BTreeSet<String> = release_assets().into_iter().map(|(_, a)| a).collect();
    let mut named = 0;
    for path in ["README.md", "docs/deploy.md", PAGES, NETLIFY] {
        let text = read(path);
        for (at, _) in text.match_indices("casebook-") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                .collect();
            let name = name.trim_end_matches('.');
            if name.ends_with(".tar.gz") || name.ends_with(".zip") {
                assert!(
                    made.contains(name),
                    "{path} names {name}, which no release has"
                );
                named += 1;
            }
        }
    }
    assert!(named >= 6, "only {named} archive names found");
}

#[test]
fn the_dockerfile_builds_the_binary_and_runs_casebook_build_in_site() {
    let text = read("Dockerfile");
    let instruction = |name: &str| -> Vec<&str> {
        text.lines()
            .filter_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .collect()
    };
    let json = |name: &str| -> Vec<String> {
        let values = instruction(name);
        assert_eq!(values.len(), 1, "one {name}");
        serde_json::from_str(values[0]).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
    };
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_casebook"))
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("the binary's name")
        .to_owned();
    assert_eq!(json("ENTRYPOINT"), std::slice::from_ref(&binary));
    let command = json("CMD");
    let help = casebook(&[command[0].as_str(), "--help"]);
    assert_eq!(
        help.status.code(),
        Some(0),
        "CMD {command:?} is not a subcommand"
    );

    let from = instruction("FROM");
    assert_eq!(from.len(), 2, "two stages: {from:?}");
    assert!(
        from[0].starts_with("rust:") && from[0].ends_with(" AS build"),
        "{from:?}"
    );
    assert!(
        from[1].starts_with("debian:") || from[1].starts_with("gcr.io/distroless/"),
        "{from:?}"
    );
    let build = instruction("RUN").join("\n");
    assert!(build.contains("cargo build --release --locked"), "{build}");
    let copy = instruction("COPY");
    let installed = copy
        .iter()
        .find_map(|c| c.strip_prefix("--from=build "))
        .expect("a COPY from the build stage");
    let (from_path, to_path) = installed.split_once(' ').expect("COPY <from> <to>");
    assert_eq!(from_path, format!("/src/target/release/{binary}"));
    assert!(to_path.ends_with(&format!("/bin/{binary}")), "{to_path}");
    let last_stage = &text[text.rfind("\nFROM ").expect("FROM")..];
    assert!(last_stage.contains("\nWORKDIR /site\n"), "{last_stage}");

    // What the build stage needs must reach it.
    let ignored = read(".dockerignore");
    for needed in ["src/", "themes/", "Cargo.lock", "Cargo.toml", "build.rs"] {
        assert!(
            !ignored
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .any(|pattern| needed.starts_with(pattern.trim_end_matches('/'))),
            ".dockerignore leaves out {needed}"
        );
    }
}

#[test]
fn the_readme_keeps_two_set_up_commands() {
    let readme = read("README.md");
    let set_up = readme
        .split("\n## Set up\n")
        .nth(1)
        .expect("a Set up section");
    let block = set_up
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a sh block");
    let commands = block.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(commands, 2, "{block}");
    assert!(readme.contains("\n## Start your own site\n"));
    assert!(readme.contains("cargo install --locked --git "));
}
