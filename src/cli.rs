//! Command-line arguments, with the help texts users see.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use casebook::model::ContentKind;
use casebook::model::time::Date;

/// casebook: build a fast, accessible, searchable site of shared-learning case studies from
/// Markdown files with YAML front matter.
#[derive(Debug, Parser)]
#[command(name = "casebook", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Examples:\n  casebook init my-site   # start a new site\n  casebook serve   # preview at http://127.0.0.1:1111/ while you edit\n  casebook build   # then open public/index.html\n  casebook check --root my-site\n  casebook new case-study \"Fewer falls at night in Wigan\""
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Start a new site: casebook.yaml, the content folders, an example of each content type and
    /// the editor schemas.
    #[command(
        after_help = "It also writes the JSON Schemas of the front matter (.casebook/schema/) and .vscode/settings.json
applying them, as `casebook schema --vscode` does.
The folder must be empty (a .git folder alone is fine). With --force, init writes into a folder
that holds files already, and never overwrites one: it says which it kept.
Exit codes: 0 written, 2 the folder is not empty, or a usage or I/O error.

Examples:
  casebook init my-site           # then: cd my-site && casebook serve
  casebook init                   # in the current folder, if it is empty
  casebook init --force           # add what is missing to a folder with files in it"
    )]
    Init(InitArgs),
    /// Build the site into a folder of static files (default: <root>/public).
    #[command(
        after_help = "Content errors stop the build before anything is written: the previous output stays as it was.\nExit codes: 0 built (warnings allowed), 1 content or template errors, 2 usage or I/O error.\n\nExamples:\n  casebook build\n  casebook build --root my-site --output /tmp/site --base-url https://example.org/shared-learning/\n  casebook build --drafts   # include pages marked draft: true"
    )]
    Build(BuildArgs),
    /// Check every content file and report every problem, with file, line, column and a fix.
    #[command(
        after_help = "Exit codes: 0 no errors (warnings allowed), 1 content errors, 2 usage or I/O error.\n\nExamples:\n  casebook check\n  casebook check --root my-site --format json\n  casebook check --deny-warnings   # in CI: warnings fail too\n  casebook check --as-of 2026-12-01   # pages past their review date, and those due soon"
    )]
    Check(CheckArgs),
    /// Preview the site: build it in memory, serve it and rebuild what changes as you edit.
    #[command(
        after_help = "The preview is built in memory and served from there: nothing is written to public/, so
an error in the content can never damage a built site. Each save rebuilds only what it
affects and open pages reload by themselves (a stylesheet change swaps the stylesheet
without a reload). While the content has errors, the last good version stays served with
an overlay listing the errors, and the terminal shows them too. Drafts are shown, marked
as drafts, unless --no-drafts. Stop with Ctrl-C.

Examples:
  casebook serve                       # then open http://127.0.0.1:1111/
  casebook serve --root my-site --open
  casebook serve --port 8080 --no-drafts"
    )]
    Serve(ServeArgs),
    /// Create a new content file from a skeleton that passes `casebook check` as it is.
    #[command(
        after_help = "The file is written to content/<type folder>/<slug>.md, the slug made from the title.\nAn existing file is never overwritten. Modules and cohorts need --programme.\naccessibility-statement takes no title: it writes content/pages/accessibility.md, a statement\non the GOV.UK model with the theme's tested conformance filled in and [TO FILL: …] marks for\nthe rest (casebook check warns, W107, at each mark left).\n\nExamples:\n  casebook new case-study \"Fewer falls at night in Wigan\"\n  casebook new module --programme well-led-stockton-on-tees \"Managing self\"\n  casebook new page \"About us\"\n  casebook new accessibility-statement"
    )]
    New(NewArgs),
    /// Write JSON Schemas of each content type's front matter, for editors.
    #[command(
        after_help = "Writes <type>.schema.json for each content type (case-study, programme, module, cohort,
organisation, dataset) into <root>/.casebook/schema/ unless --out says where. The schemas are
made from casebook's content model, the site's own metrics and the slugs of its pages (offered
as completions for references), so run it again after adding pages. Nothing else is written,
except .vscode/settings.json with --vscode (its yaml.schemas setting, other settings kept).
Exit codes: 0 written, 2 usage or I/O error (content errors do not stop it).

Examples:
  casebook schema                       # writes .casebook/schema/*.schema.json
  casebook schema --vscode              # and points VS Code's YAML extension at them
  casebook schema --root my-site --out /tmp/schemas"
    )]
    Schema(SchemaArgs),
    /// Run a language server on stdin/stdout for editors: diagnostics, completion and hover.
    #[command(
        after_help = "Your editor starts it; it speaks the Language Server Protocol on stdin and stdout. It checks
the unsaved text of each open content file as you type (with casebook's own codes and hints,
and references checked against the files on disk), completes field names, vocabulary values
and page slugs, and shows a field's description on hover. It never writes a file.
Set-up for VS Code, Neovim and Helix: docs/editors.md.

Examples:
  casebook lsp                     # as the editor's command, in the site folder
  casebook lsp --root my-site      # when the editor opens another folder"
    )]
    Lsp(LspArgs),
}

#[derive(Debug, Args)]
pub(crate) struct LspArgs {
    /// The site folder, when the editor names no workspace folder.
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// The site folder (holding casebook.yaml and content/).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Where to write the schemas (default: <root>/.casebook/schema).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Also write <root>/.vscode/settings.json mapping each schema to its content folder.
    #[arg(long)]
    pub(crate) vscode: bool,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The folder of the new site; created if it does not exist.
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// Write into a folder that is not empty, keeping every file that is already there.
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The site folder (holding casebook.yaml and content/).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Output format: human (with source lines) or json (for tools; on stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
    /// Exit with 1 when there are warnings too.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
    /// Check review dates on this day (YYYY-MM-DD): a warning (W108) for each page past its
    /// review date, and a list of those due in the next 30 days.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_flag)]
    pub(crate) as_of: Option<Date>,
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// The site folder (holding casebook.yaml and content/).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// Where to write the site.
    #[arg(long)]
    pub(crate) output: Option<PathBuf>,
    /// The address the site will be published at; overrides base_url in casebook.yaml.
    #[arg(long, value_parser = base_url_flag)]
    pub(crate) base_url: Option<String>,
    /// Publish pages marked `draft: true`.
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Print nothing but errors.
    #[arg(long)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The site folder (holding casebook.yaml and content/).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// The port to listen on; when it is taken, the next free one is used (0: any free port).
    #[arg(long, default_value_t = casebook::serve::DEFAULT_PORT)]
    pub(crate) port: u16,
    /// The address to listen on. Anything but loopback lets other machines see the preview.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) bind: std::net::IpAddr,
    /// Open the preview in the default browser.
    #[arg(long)]
    pub(crate) open: bool,
    /// Leave out pages marked `draft: true`, as `casebook build` does.
    #[arg(long)]
    pub(crate) no_drafts: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The site folder.
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
    /// For a module or cohort: the slug of its programme.
    #[arg(long)]
    pub(crate) programme: Option<String>,
    /// What to create.
    #[arg(value_enum)]
    pub(crate) kind: NewKind,
    /// The title (in quotes); none for an accessibility statement.
    pub(crate) title: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum NewKind {
    CaseStudy,
    Programme,
    Module,
    Cohort,
    Organisation,
    Page,
    /// The site's accessibility statement, `content/pages/accessibility.md`.
    AccessibilityStatement,
}

impl NewKind {
    pub(crate) fn content_kind(self) -> ContentKind {
        match self {
            NewKind::Page | NewKind::AccessibilityStatement => ContentKind::Page,
            NewKind::CaseStudy => ContentKind::CaseStudy,
            NewKind::Programme => ContentKind::Programme,
            NewKind::Module => ContentKind::Module,
            NewKind::Cohort => ContentKind::Cohort,
            NewKind::Organisation => ContentKind::Organisation,
        }
    }
}

/// Today's date (UTC), from the system clock: the command line is the one place that reads it.
pub(crate) fn today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((seconds / 86_400) as i64)
}

/// The calendar date `days` after 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (year_of_era + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

/// `--as-of`: a date written `YYYY-MM-DD` that exists.
fn date_flag(value: &str) -> Result<Date, String> {
    Date::parse(value).ok_or_else(|| format!("`{value}` is not a date; write YYYY-MM-DD"))
}

/// `--base-url`, checked and normalised as `base_url` in `casebook.yaml` is.
fn base_url_flag(value: &str) -> Result<String, String> {
    casebook::config::normalise_base_url(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0).to_string(), "1970-01-01");
        assert_eq!(civil_from_days(20_513).to_string(), "2026-03-01");
        assert_eq!(civil_from_days(11_016).to_string(), "2000-02-29");
    }
}
