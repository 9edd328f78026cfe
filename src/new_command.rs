//! `casebook new`: writes a new content file from its skeleton ([`casebook::scaffold`]),
//! never over an existing one, and adds a new module to its programme's `modules:` list.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use casebook::model::ContentKind;

use crate::cli::{self, NewKind};
use crate::{print_stdout, usage_error};

/// Runs `casebook new`.
pub(crate) fn run(args: &cli::NewArgs) -> ExitCode {
    match (args.kind, args.title.as_deref()) {
        (NewKind::AccessibilityStatement, None) => write_skeleton(
            &args.root,
            &casebook::scaffold::accessibility_statement(cli::today()),
            None,
        ),
        (NewKind::AccessibilityStatement, Some(_)) => usage_error(
            "an accessibility statement takes no title: casebook new accessibility-statement",
        ),
        (kind, Some(title)) => create(&args.root, kind, title, args.programme.as_deref()),
        (_, None) => usage_error(
            "write the title in quotes: casebook new case-study \"Fewer falls at night\"",
        ),
    }
}

/// Checks the title (and the programme a module or cohort belongs to), then writes the
/// skeleton.
fn create(root: &Path, kind: NewKind, title: &str, programme: Option<&str>) -> ExitCode {
    let kind = kind.content_kind();
    if title.trim().is_empty() {
        return usage_error(
            "the title is empty; write it in quotes: casebook new case-study \"Fewer falls at night\"",
        );
    }
    let mut programme_file = None;
    let needs_programme = matches!(kind, ContentKind::Module | ContentKind::Cohort);
    if needs_programme {
        let Some(programme) = programme else {
            return usage_error(&format!(
                "a {} belongs to a programme: add --programme <slug>, e.g. casebook new {} --programme well-led \"{title}\"",
                kind.type_name(),
                kind.type_name()
            ));
        };
        let checked = match casebook::check(root) {
            Ok(checked) => checked,
            Err(error) => return usage_error(&error.to_string()),
        };
        if checked
            .site
            .get(ContentKind::Programme, programme)
            .is_none()
        {
            let known: Vec<&str> = checked
                .site
                .pages_of(ContentKind::Programme)
                .map(|p| p.slug.value.as_str())
                .collect();
            return usage_error(&format!(
                "there is no programme `{programme}`; known programmes: {}",
                if known.is_empty() {
                    "none yet (create one with `casebook new programme`)".to_owned()
                } else {
                    known.join(", ")
                }
            ));
        }
        programme_file = checked
            .site
            .get(ContentKind::Programme, programme)
            .filter(|_| kind == ContentKind::Module)
            .map(|page| page.file.clone());
    }
    let skeleton = casebook::scaffold::skeleton(
        kind,
        title,
        cli::today(),
        programme.filter(|_| needs_programme),
    );
    if skeleton.path.ends_with("/.md") || skeleton.path.len() < "content//abc.md".len() {
        return usage_error("the title gives no usable file name; use letters or digits in it");
    }
    let slug = skeleton
        .path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_end_matches(".md");
    if let Some(holds) =
        casebook::model::site_folder_use(slug).filter(|_| kind == ContentKind::Page)
    {
        return usage_error(&format!(
            "a page at /{slug}/ would take the place of the site's own folder, which holds {holds}; \
             choose another title, such as \"About {title}\""
        ));
    }
    write_skeleton(root, &skeleton, programme_file.as_deref())
}

/// Writes a new content file, never over an existing one, and says what happens to drafts. A
/// new module is added to the `modules:` list of its programme, in `programme_file`.
fn write_skeleton(
    root: &Path,
    skeleton: &casebook::scaffold::Skeleton,
    programme_file: Option<&str>,
) -> ExitCode {
    let path: PathBuf = root.join(&skeleton.path);
    if let Some(parent) = path.parent()
        && let Err(error) = std::fs::create_dir_all(parent)
    {
        return usage_error(&format!("cannot create {}: {error}", parent.display()));
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    match file.and_then(|mut file| file.write_all(skeleton.text.as_bytes())) {
        Ok(()) => {
            print_stdout(&format!(
                "created {}\n\
                 it is a draft (`draft: true`): `casebook serve` shows it, `casebook build` leaves it out\n\
                 to publish it, remove the line `draft: true` (or set it to false)\n",
                skeleton.path
            ));
            if let Some(programme_file) = programme_file {
                let slug = skeleton
                    .path
                    .rsplit('/')
                    .next()
                    .and_then(|name| name.strip_suffix(".md"))
                    .unwrap_or_default();
                print_stdout(&list_module(root, programme_file, slug));
            }
            ExitCode::SUCCESS
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => usage_error(&format!(
            "{} already exists; casebook new never overwrites a file",
            skeleton.path
        )),
        Err(error) => usage_error(&format!("cannot write {}: {error}", path.display())),
    }
}

/// Adds the module `slug` to the end of the `modules:` list of the programme in
/// `programme_file`, which sets the order of its modules, and says so. The file is changed
/// only when the list is written in a way [`casebook::scaffold::add_to_list`] can extend and
/// reading the changed file gives the same programme with one more module; otherwise it says
/// which line to add.
fn list_module(root: &Path, programme_file: &str, slug: &str) -> String {
    let path = root.join(programme_file);
    let modules_of = |text: &str| {
        let source = casebook::load::Source {
            path: programme_file.to_owned(),
            kind: ContentKind::Programme,
            stem: String::new(),
            text: text.to_owned(),
        };
        let (page, diagnostics) =
            casebook::parse::parse_source(&source, &casebook::parse::ParseOptions::default());
        match page.map(|page| page.details) {
            Some(casebook::model::content::Details::Programme(p)) => Some((
                p.modules.into_iter().map(|m| m.value).collect::<Vec<_>>(),
                diagnostics.len(),
            )),
            _ => None,
        }
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return format!("add `  - {slug}` to the `modules:` list of {programme_file}\n");
    };
    let before = modules_of(&text);
    if before
        .as_ref()
        .is_some_and(|(modules, _)| modules.iter().any(|m| m == slug))
    {
        return format!("{programme_file} already lists it in `modules:`\n");
    }
    let edited = casebook::scaffold::add_to_list(&text, "modules", slug).filter(|edited| {
        let after = modules_of(edited);
        matches!((&before, &after), (Some((old, problems)), Some((new, same_problems)))
            if new.split_last() == Some((&slug.to_owned(), &old[..])) && problems == same_problems)
    });
    match edited.map(|edited| std::fs::write(&path, edited)) {
        Some(Ok(())) => format!(
            "added it to the end of the `modules:` list of {programme_file}, which sets the modules' order\n"
        ),
        _ => format!(
            "{programme_file} was left as it is (its `modules:` list is written in a way casebook does not edit):\n\
             add the line `  - {slug}` to its `modules:` list, where the module belongs in the programme\n"
        ),
    }
}
