//! casebook: a static site generator for shared-learning case studies.
//!
//! The pipeline runs one way, a module per stage: [`load`] finds and reads content files,
//! [`parse`] reads their front matter into typed pages, [`model`] links the pages into one
//! [`model::Site`] and checks everything that spans files. Each stage returns its output
//! with its diagnostics; [`check`] runs them all and reports every problem at once.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod config;
pub mod diagnostics;
pub mod load;
pub mod model;
pub mod parse;
pub mod scaffold;

use std::path::Path;

use crate::config::{Config, ConfigError};
use crate::diagnostics::Diagnostic;
use crate::load::{LoadError, Source};
use crate::model::Site;

/// Something outside the content that stops a command (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `casebook.yaml` is unreadable or wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The content folder cannot be read.
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// A checked site: the linked model, the sources it came from and every diagnostic.
#[derive(Debug)]
pub struct Checked {
    /// The site config.
    pub config: Config,
    /// The content files as loaded, for showing source lines in diagnostics.
    pub sources: Vec<Source>,
    /// The linked site (pages with errors included as far as they could be read).
    pub site: Site,
    /// Every problem, sorted by file, line, column and code.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// The text of a source file by its site-relative path.
    pub fn source_text(&self, file: &str) -> Option<&str> {
        self.sources
            .binary_search_by(|source| source.path.as_str().cmp(file))
            .ok()
            .map(|index| self.sources[index].text.as_str())
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads, parses and links the site at `root`, collecting every diagnostic.
pub fn check(root: &Path) -> Result<Checked, Error> {
    let config = config::load_config(root)?;
    let loaded = load::load(root, config.max_file_size)?;
    let options = parse::ParseOptions {
        extra_metrics: config.metrics.clone(),
    };
    let parsed = parse::parse_sources(&loaded.sources, &options);
    let link_options = model::LinkOptions {
        link_check: config.link_check,
        static_files: load::list_static_files(root),
    };
    let (site, link_diagnostics) = model::link_site(parsed.pages, &link_options);

    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(parsed.diagnostics);
    diagnostics.extend(link_diagnostics);
    diagnostics::sort(&mut diagnostics);
    Ok(Checked {
        config,
        sources: loaded.sources,
        site,
        diagnostics,
    })
}
