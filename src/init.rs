//! `casebook init`: writes the starter site of [`casebook::starter`] into a folder.
//!
//! The folder must be empty; a `.git` folder alone is fine, so a repository can be made (or
//! cloned) first. With `--force` the starter files go into a folder that holds files already,
//! and a file that exists is never overwritten: it is kept, and named in the summary.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use casebook::starter;

use crate::{print_stdout, usage_error};

/// How many of a folder's entries the refusal names before "and N more".
const NAMED_ENTRIES: usize = 5;

/// Runs `casebook init [DIR] [--force]`.
pub(crate) fn run(dir: &Path, force: bool) -> ExitCode {
    if !force {
        match entries_besides_git(dir) {
            Ok(entries) if entries.is_empty() => {}
            Ok(entries) => return usage_error(&not_empty(dir, &entries)),
            Err(error) => return usage_error(&format!("cannot read {}: {error}", dir.display())),
        }
    }
    let mut written = Vec::new();
    let mut kept = Vec::new();
    let starter = starter::files(crate::cli::today())
        .into_iter()
        .map(|file| (file.path.to_owned(), file.text));
    let mut write_all = |files: Vec<(String, String)>| {
        for (path, text) in files {
            match write_new(dir, &path, &text) {
                Ok(true) => written.push(path),
                Ok(false) => kept.push(path),
                Err(error) => {
                    let path = dir.join(path);
                    return Err(format!("cannot write {}: {error}", path.display()));
                }
            }
        }
        Ok(())
    };
    if let Err(message) = write_all(starter.collect()) {
        return usage_error(&message);
    }
    // Editor help from the start: the JSON Schemas of the starter site and the VS Code
    // setting that applies them, as `casebook schema --vscode` writes them. A folder whose
    // files cannot be checked (with --force) still gets its starter files.
    let mut text = String::new();
    match crate::schema_command::editor_files(dir) {
        Ok(files) => {
            if let Err(message) = write_all(files) {
                return usage_error(&message);
            }
        }
        Err(problem) => text.push_str(&format!(
            "no editor schemas written ({problem}); run `casebook schema --vscode` once the site checks\n"
        )),
    }
    text.insert_str(0, &summary(dir, &written, &kept));
    print_stdout(&text);
    ExitCode::SUCCESS
}

/// The names in `dir` other than `.git`, sorted, folders with a trailing `/`; none when
/// `dir` does not exist yet.
fn entries_besides_git(dir: &Path) -> std::io::Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        names.push(if is_dir { format!("{name}/") } else { name });
    }
    names.sort();
    Ok(names)
}

/// The refusal for a folder that holds `entries`.
fn not_empty(dir: &Path, entries: &[String]) -> String {
    let mut named: Vec<String> = entries
        .iter()
        .take(NAMED_ENTRIES)
        .map(|name| format!("`{name}`"))
        .collect();
    if entries.len() > NAMED_ENTRIES {
        named.push(format!("and {} more", entries.len() - NAMED_ENTRIES));
    }
    format!(
        "{} is not empty: it holds {}.\n\
         casebook init starts a site in an empty folder: name a new one (`casebook init my-site`), \
         or add --force to write the starter files beside these (no file that is there is overwritten)",
        shown(dir),
        named.join(", ")
    )
}

/// Writes `text` to `path` under `dir` unless a file is there already: true when written.
fn write_new(dir: &Path, path: &str, text: &str) -> std::io::Result<bool> {
    let path = dir.join(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    match created {
        Ok(mut handle) => handle.write_all(text.as_bytes()).map(|()| true),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(error) => Err(error),
    }
}

/// What was written and kept, and the commands to run next.
fn summary(dir: &Path, written: &[String], kept: &[String]) -> String {
    let mut text = String::new();
    for path in written {
        text.push_str(&format!("wrote {path}\n"));
    }
    for path in kept {
        text.push_str(&format!(
            "kept  {path} (it was there already; init never overwrites a file)\n"
        ));
    }
    text.push_str(&format!(
        "\nstarted a casebook site in {}. Next:\n",
        shown(dir)
    ));
    if dir != Path::new(".") {
        text.push_str(&format!(
            "  cd {}\n",
            quoted_if_spaced(&dir.display().to_string())
        ));
    }
    text.push_str(
        "  casebook serve    # preview at http://127.0.0.1:1111/; pages reload as you save\n  \
         # edit the examples in content/ (each says what it shows), or add a page:\n  \
         casebook new case-study \"Fewer falls at night\"\n  \
         casebook build    # the site in public/, for any static host or a folder\n  \
         # editors: .vscode/settings.json applies the schemas in .casebook/schema/ (VS Code's\n  \
         # YAML extension); `casebook schema` refreshes them after you add pages\n",
    );
    text
}

/// A folder as messages name it: "the current folder" for `.`.
fn shown(dir: &Path) -> String {
    if dir == Path::new(".") {
        "the current folder".to_owned()
    } else {
        dir.display().to_string()
    }
}

fn quoted_if_spaced(path: &str) -> String {
    if path.contains(char::is_whitespace) {
        format!("\"{path}\"")
    } else {
        path.to_owned()
    }
}
