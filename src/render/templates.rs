//! Tera setup and rendering: the theme's templates loaded together (a broken one named with
//! its line and column, E014), HTML escaping, and one template rendered into an output file
//! with its links made relative to the page.

use tera::{Context, Tera};

use crate::diagnostics::{Code, Diagnostic, Pos};
use crate::render::escape::escape_into;
use crate::render::links;
use crate::theme::Theme;
use crate::write::OutputFile;

/// The templates every theme must have.
const REQUIRED: [&str; 14] = [
    "base.html",
    "case-study.html",
    "programme.html",
    "module.html",
    "cohort.html",
    "organisation.html",
    "dataset.html",
    "list.html",
    "taxonomy.html",
    "term.html",
    "home.html",
    "outcomes.html",
    "search.html",
    "404.html",
];

pub(super) struct Renderer<'a> {
    pub(super) tera: &'a Tera,
    /// Links that start with it are made relative to their page ([`links`]).
    pub(super) base_path: &'a str,
}

impl Renderer<'_> {
    pub(super) fn render(
        &self,
        template: &str,
        context: &Context,
        path: &str,
    ) -> Result<OutputFile, Box<Diagnostic>> {
        // Each thread renders into one buffer that keeps its capacity, and the file gets an
        // exact copy, with its links made relative: no page grows its output by doubling.
        thread_local! {
            static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BUFFER.with_borrow_mut(|buffer| {
            buffer.clear();
            match self.tera.render_to(template, context, &mut *buffer) {
                Ok(()) => {
                    let mut contents = Vec::new();
                    links::relative_into(buffer, path, self.base_path, &mut contents);
                    Ok(OutputFile::new(path.to_owned(), contents))
                }
                Err(error) => Err(Box::new(template_diagnostic(template, &error))),
            }
        })
    }
}

fn template_diagnostic(template: &str, error: &tera::Error) -> Diagnostic {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    // Tera's message shows the place as `--> name:line:column` with a snippet of the template.
    let at = message
        .split("--> ")
        .nth(1)
        .and_then(|rest| {
            let mut parts = rest.split_whitespace().next()?.rsplitn(3, ':');
            let column = parts.next()?.parse().ok()?;
            let line = parts.next()?.parse().ok()?;
            Some(Pos::new(line, column))
        })
        .unwrap_or(Pos::START);
    Diagnostic::new(
        Code::E014,
        &format!("templates/{template}"),
        at,
        message.trim().to_owned(),
    )
    .with_hint("fix the template, or delete your override in templates/ to use the theme's own")
}

pub(super) fn load_templates(theme: &Theme) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::new();
    tera.set_escape_fn(escape_into);
    let mut diagnostics = Vec::new();
    // Templates refer to each other, so they are added together; when that fails, each is
    // tried alone against the rest to say which one is broken.
    let all = theme
        .templates
        .iter()
        .map(|(name, file)| (name.as_str(), file.text.as_str()));
    if let Err(error) = tera.add_raw_templates(all) {
        for (name, file) in &theme.templates {
            let others = theme
                .templates
                .iter()
                .filter(|(other, _)| *other != name)
                .map(|(n, f)| (n.as_str(), f.text.as_str()));
            let mut alone = Tera::new();
            alone.set_escape_fn(escape_into);
            if alone.add_raw_templates(others).is_ok()
                && let Err(error) = alone.add_raw_templates([(name.as_str(), file.text.as_str())])
            {
                let mut diagnostic = template_diagnostic(name, &error);
                diagnostic.file = file
                    .origin
                    .split(" (")
                    .next()
                    .unwrap_or(&file.origin)
                    .to_owned();
                diagnostics.push(diagnostic);
            }
        }
        if diagnostics.is_empty() {
            diagnostics.push(template_diagnostic("theme", &error));
        }
        return Err(diagnostics);
    }
    for required in REQUIRED {
        if !theme.templates.contains_key(required) {
            diagnostics.push(
                Diagnostic::new(
                    Code::E014,
                    &format!("templates/{required}"),
                    Pos::START,
                    format!("the theme has no template `{required}`"),
                )
                .with_hint("add the template, or use `theme: default`"),
            );
        }
    }
    if diagnostics.is_empty() {
        Ok(tera)
    } else {
        Err(diagnostics)
    }
}
