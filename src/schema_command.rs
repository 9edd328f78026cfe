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
    for kind in ContentKind::ALL {
        let path = folder.join(schema::file_name(kind));
        let text = pretty(&schema::schema_for(kind, &site));
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
    let mappings = schema::vscode_yaml_schemas(&shown_folder);
    let path = root.join(".vscode").join("settings.json");
    let mut settings = match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().is_empty() => Value::Object(Default::default()),
        Ok(text) => match serde_json::from_str::<Value>(&text) {
            Ok(value) if value.is_object() => value,
            _ => {
                return Err(format!(
                    "{} is not plain JSON (comments?), so it was left as it was; add this setting to it:\n\"yaml.schemas\": {}",
                    path.display(),
                    pretty(&mappings)
                ));
            }
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Value::Object(Default::default())
        }
        Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
    };
    let entry = &mut settings["yaml.schemas"];
    if !entry.is_object() {
        *entry = Value::Object(Default::default());
    }
    if let (Some(existing), Value::Object(ours)) = (entry.as_object_mut(), mappings) {
        existing.extend(ours);
    }
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, pretty(&settings)));
    written.map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    Ok(path)
}
