//! `casebook init`: the files of a new site.
//!
//! A starter site is a `casebook.yaml` that shows every key with its default, a `.gitignore`
//! for what a build writes, and one short example of each content type, linked to each other,
//! that passes `casebook check` without a diagnostic. The files are kept in `src/starter/site/`
//! as a site holds them (the `.gitignore` as `gitignore`, so that it does not apply to this
//! repository) and built into the binary. Pure: the caller gives today's date, which becomes
//! the examples' `published` date, and writes the files.

use crate::model::time::Date;

/// What stands for today's date in the starter files.
const TODAY: &str = "{today}";

/// Each file's path in a new site and its text as kept in `src/starter/site/`.
const FILES: [(&str, &str); 9] = [
    ("casebook.yaml", include_str!("site/casebook.yaml")),
    (".gitignore", include_str!("site/gitignore")),
    (
        "content/case-studies/example-falls-huddles.md",
        include_str!("site/content/case-studies/example-falls-huddles.md"),
    ),
    (
        "content/programmes/example-leadership-programme.md",
        include_str!("site/content/programmes/example-leadership-programme.md"),
    ),
    (
        "content/modules/example-leading-a-team.md",
        include_str!("site/content/modules/example-leading-a-team.md"),
    ),
    (
        "content/cohorts/example-cohort-1.md",
        include_str!("site/content/cohorts/example-cohort-1.md"),
    ),
    (
        "content/organisations/example-council.md",
        include_str!("site/content/organisations/example-council.md"),
    ),
    (
        "content/data/example-falls-by-quarter.yaml",
        include_str!("site/content/data/example-falls-by-quarter.yaml"),
    ),
    (
        "content/pages/about.md",
        include_str!("site/content/pages/about.md"),
    ),
];

/// One file of a new site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarterFile {
    /// Path relative to the site root, with `/` separators.
    pub path: &'static str,
    /// The file's text.
    pub text: String,
}

/// Every file of a new site, config first, with `today` as the examples' date.
pub fn files(today: Date) -> Vec<StarterFile> {
    let today = today.to_string();
    FILES
        .iter()
        .map(|&(path, text)| StarterFile {
            path,
            text: text.replace(TODAY, &today),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ContentKind;

    fn today() -> Date {
        Date {
            year: 2026,
            month: 3,
            day: 1,
        }
    }

    #[test]
    fn there_is_one_example_of_each_content_type() {
        let files = files(today());
        for kind in ContentKind::ALL {
            let folder = format!("content/{}/", kind.folder());
            let examples = files.iter().filter(|f| f.path.starts_with(&folder)).count();
            assert_eq!(examples, 1, "{folder}");
        }
    }

    #[test]
    fn the_examples_are_dated_today() {
        for file in files(today()) {
            assert!(!file.text.contains(TODAY), "{}", file.path);
            if file.path.ends_with(".md") {
                assert!(
                    file.text.contains("published: 2026-03-01\n"),
                    "{}",
                    file.path
                );
            }
        }
    }

    fn starter_config() -> String {
        files(today())
            .into_iter()
            .find(|f| f.path == "casebook.yaml")
            .map(|f| f.text)
            .unwrap_or_default()
    }

    #[test]
    fn the_config_names_every_key_of_the_reference() {
        let reference = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/configuration.md"
        ));
        let config = starter_config();
        let keys: Vec<&str> = reference
            .lines()
            .filter_map(|line| line.strip_prefix("| `")?.split('`').next())
            .collect();
        assert!(keys.len() >= 12, "{keys:?}");
        for key in keys {
            assert!(
                config.contains(&format!("\n# {key}:")) || config.contains(&format!("\n{key}:")),
                "casebook.yaml of `casebook init` does not show `{key}`"
            );
        }
    }

    /// `key:` or `key: value`, with a key of lower-case letters and `_`.
    fn is_key_line(line: &str) -> bool {
        line.split_once(':').is_some_and(|(key, _)| {
            !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        })
    }

    /// Uncommenting every key of the starter config gives the defaults: what it says is so.
    #[test]
    fn the_config_shows_the_true_defaults() {
        let config = starter_config();
        let uncommented: String = config
            .lines()
            .filter_map(|line| line.strip_prefix("# "))
            .filter(|line| line.starts_with("  ") || is_key_line(line))
            .chain(config.lines().filter(|l| l.starts_with("title:")))
            .map(|line| format!("{line}\n"))
            .collect();
        let parsed = crate::config::parse_config(&uncommented, "casebook.yaml")
            .unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        let defaults = crate::config::Config::default();
        assert_eq!(
            crate::config::Config {
                // Shown with an example, as there is no default to show.
                navigation: defaults.navigation.clone(),
                review_after: defaults.review_after,
                ..parsed
            },
            defaults,
            "{uncommented}"
        );
    }
}
