//! Loading the theme: the built-in default, or a site's own `themes/<name>/`, with the site's
//! `templates/` overriding templates file by file. Part of the load stage: the only I/O here
//! is reading theme files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// The templates and static files a site renders with.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name (`case-study.html`, `partials/card.html`) → text, and where it came from.
    pub templates: BTreeMap<String, ThemeFile>,
    /// Static files of the theme: output path (`css/casebook.css`) → contents.
    pub static_files: BTreeMap<String, Vec<u8>>,
}

/// A template's text and the file it came from (for messages).
#[derive(Debug, Clone)]
pub struct ThemeFile {
    /// The text.
    pub text: String,
    /// Where it came from: `themes/default/templates/base.html (built in)` or a site path.
    pub origin: String,
}

/// A theme that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// `theme:` names a folder that does not exist.
    #[error(
        "theme `{name}` not found: there is no folder {path} (use `theme: default` for the built-in theme)"
    )]
    Missing {
        /// The theme name.
        name: String,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A theme file cannot be read or is not UTF-8.
    #[error("cannot read theme file {path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// Loads the theme named `name` for the site at `root`.
pub fn load_theme(root: &Path, name: &str) -> Result<Theme, ThemeError> {
    let mut theme = Theme::default();
    let site_theme = root.join("themes").join(name);
    if site_theme.is_dir() {
        read_folder(&site_theme, &format!("themes/{name}"), &mut theme)?;
    } else if name == "default" {
        for (path, bytes) in DEFAULT_THEME {
            add_file(
                &mut theme,
                path,
                bytes.to_vec(),
                &format!("themes/default/{path} (built in)"),
            )
            .map_err(|message| ThemeError::Read {
                path: PathBuf::from(path),
                message,
            })?;
        }
    } else {
        return Err(ThemeError::Missing {
            name: name.to_owned(),
            path: site_theme,
        });
    }
    let overrides = root.join("templates");
    if overrides.is_dir() {
        for entry in WalkDir::new(&overrides)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.file_type().is_file() {
                let relative = crate::load::relative_path(&overrides, entry.path());
                let bytes = read(entry.path())?;
                add_file(
                    &mut theme,
                    &format!("templates/{relative}"),
                    bytes,
                    &format!("templates/{relative}"),
                )
                .map_err(|message| ThemeError::Read {
                    path: entry.path().to_path_buf(),
                    message,
                })?;
            }
        }
    }
    // A file in the site's own `static/` replaces the theme's file of the same path (the
    // share image, a stylesheet): the site's copy is written, the theme's is not.
    let site_static = crate::load::list_static_files(root);
    theme
        .static_files
        .retain(|path, _| !site_static.contains(&format!("/{path}")));
    Ok(theme)
}

fn read_folder(folder: &Path, shown_as: &str, theme: &mut Theme) -> Result<(), ThemeError> {
    for entry in WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let relative = crate::load::relative_path(folder, entry.path());
            let bytes = read(entry.path())?;
            add_file(theme, &relative, bytes, &format!("{shown_as}/{relative}")).map_err(
                |message| ThemeError::Read {
                    path: entry.path().to_path_buf(),
                    message,
                },
            )?;
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, ThemeError> {
    std::fs::read(path).map_err(|error| ThemeError::Read {
        path: path.to_path_buf(),
        message: error.to_string(),
    })
}

fn add_file(theme: &mut Theme, path: &str, bytes: Vec<u8>, origin: &str) -> Result<(), String> {
    if let Some(name) = path.strip_prefix("templates/") {
        let text = String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_owned())?;
        theme.templates.insert(
            name.to_owned(),
            ThemeFile {
                text,
                origin: origin.to_owned(),
            },
        );
    } else if let Some(name) = path.strip_prefix("static/") {
        theme.static_files.insert(name.to_owned(), bytes);
    }
    Ok(())
}
