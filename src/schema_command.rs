//! `casebook schema`: writes the JSON Schemas of the content types and, when asked, VS Code's
//! settings pointing at them. The schemas themselves are made by [`casebook::schema`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use casebook::model::ContentKind;
use casebook::schema::{self, SchemaSite};
use serde_json::Value;

use crate::{print_stdout, usage_error};

/// Runs `casebook schema`.
pub(crate) fn run(root: &Path, out: Option<&Path>, vscode: bool) -> ExitCode {
    let site = match casebook::check(root) {
        Ok(checked) => SchemaSite::from_checked(&checked),
        Err(error) => return usage_error(&error.to_string()),
    };
    let folder = out.map_or_else(|| root.join(schema::DEFAULT_FOLDER), Path::to_path_buf);
    if let Err(error) = std::fs::create_dir_all(&folder) {
        return usage_error(&format!("cannot create {}: {error}", folder.display()));
    }
    let mut summary = String::new();
    for (kind, path, text) in schema_files(&site, &folder) {
        if let Err(error) = std::fs::write(&path, text) {
            return usage_error(&format!("cannot write {}: {error}", path.display()));
        }
        summary.push_str(&format!(
            "wrote {}  ({})\n",
            path.display(),
            schema::content_glob(kind)
        ));
    }
    if vscode {
        match write_vscode_settings(root, &folder) {
            Ok(path) => summary.push_str(&format!(
                "wrote {} (yaml.schemas; needs the YAML extension by Red Hat)\n",
                path.display()
            )),
            Err(message) => {
                print_stdout(&summary);
                return usage_error(&message);
            }
        }
    }
    print_stdout(&summary);
    ExitCode::SUCCESS
}

/// The schema file of each content type of `site`, in `folder`: its kind, path and text.
fn schema_files(site: &SchemaSite, folder: &Path) -> Vec<(ContentKind, PathBuf, String)> {
    ContentKind::ALL
        .into_iter()
        .map(|kind| {
            let path = folder.join(schema::file_name(kind));
            (kind, path, pretty(&schema::schema_for(kind, site)))
        })
        .collect()
}

/// The editor files of a new site at `root`, as `casebook schema --vscode` writes them: the
/// schemas in their default folder and `.vscode/settings.json` pointing at them. Each is a path
/// relative to `root` and its text, for `casebook init` to write where no file is.
pub(crate) fn editor_files(root: &Path) -> Result<Vec<(String, String)>, String> {
    let checked = casebook::check(root).map_err(|error| error.to_string())?;
    let site = SchemaSite::from_checked(&checked);
    let folder = Path::new(schema::DEFAULT_FOLDER);
    let mut files: Vec<(String, String)> = schema_files(&site, folder)
        .into_iter()
        .map(|(_, path, text)| (path.display().to_string(), text))
        .collect();
    let settings = settings_with_schemas(None, &format!("./{}", schema::DEFAULT_FOLDER))
        .map_err(|_| "the VS Code settings could not be made".to_owned())?;
    files.push((VSCODE_SETTINGS.to_owned(), settings));
    Ok(files)
}

/// Where VS Code keeps a folder's settings.
const VSCODE_SETTINGS: &str = ".vscode/settings.json";

/// The text of a VS Code settings file `existing` (none: a new one) with `yaml.schemas` set to
/// the schemas in `shown_folder`, keeping every other setting and schema mapping. `Err` with
/// the setting to paste when `existing` is not plain JSON (VS Code allows comments).
fn settings_with_schemas(existing: Option<&str>, shown_folder: &str) -> Result<String, String> {
    let mappings = schema::vscode_yaml_schemas(shown_folder);
    let mut settings = match existing {
        None => Value::Object(Default::default()),
        Some(text) if text.trim().is_empty() => Value::Object(Default::default()),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(value) if value.is_object() => value,
            _ => return Err(format!("\"yaml.schemas\": {}", pretty(&mappings))),
        },
    };
    let entry = &mut settings["yaml.schemas"];
    if !entry.is_object() {
        *entry = Value::Object(Default::default());
    }
    if let (Some(existing), Value::Object(ours)) = (entry.as_object_mut(), mappings) {
        existing.extend(ours);
    }
    Ok(pretty(&settings))
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

/// Sets `yaml.schemas` in `<root>/.vscode/settings.json`, keeping every other setting and
/// every other schema mapping. A settings file that is not plain JSON (VS Code allows
/// comments) is left alone: the message gives the setting to paste instead.
fn write_vscode_settings(root: &Path, folder: &Path) -> Result<PathBuf, String> {
    let shown_folder = match folder.strip_prefix(root) {
        Ok(relative) => format!("./{}", relative.display()),
        Err(_) => folder.display().to_string(),
    };
    let path = root.join(VSCODE_SETTINGS);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
    };
    let settings = settings_with_schemas(existing.as_deref(), &shown_folder).map_err(|setting| {
        format!(
            "{} is not plain JSON (comments?), so it was left as it was; add this setting to it:\n{setting}",
            path.display()
        )
    })?;
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, settings));
    written.map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    Ok(path)
}
