//! The site config, `casebook.yaml`, with a default for every key.
//!
//! A site with no config file builds with the defaults. An unknown key, a value of the
//! wrong type or a YAML syntax error is a [`ConfigError`] naming the line and column.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::time::Interval;

/// The file name of the site config.
pub const CONFIG_FILE: &str = "casebook.yaml";

/// Whether a link to a missing page is an error or a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LinkCheck {
    /// A broken internal link stops the build.
    #[default]
    Error,
    /// A broken internal link is reported but the build goes on.
    Warn,
}

/// An entry of the site's navigation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NavItem {
    /// Link text.
    pub title: String,
    /// Site path (`/programmes/`) or absolute URL.
    pub url: String,
}

/// The validated site config.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// The address the site is published at, ending in `/`.
    pub base_url: String,
    /// Language of the content (`en-GB`).
    pub language: String,
    /// Theme name: `default` (built in) or a folder under `themes/`.
    pub theme: String,
    /// Whether the search index is built.
    pub search: bool,
    /// How broken internal links are reported.
    pub link_check: LinkCheck,
    /// Whether contacts' email addresses are shown.
    pub show_emails: bool,
    /// Whether pages with outcomes get a generated share image (else the default image).
    pub share_images: bool,
    /// Largest content file accepted, in bytes.
    pub max_file_size: u64,
    /// Metrics added to the vocabulary.
    pub metrics: Vec<String>,
    /// Navigation links.
    pub navigation: Vec<NavItem>,
    /// Whether raw HTML in Markdown is passed through (off: it is escaped).
    pub allow_html: bool,
    /// Taxonomies shown in navigation and on pages.
    pub taxonomies: Vec<String>,
    /// The site's logo: a path under `static/` (`images/logo.svg`), shown in the header.
    pub logo: Option<String>,
    /// The header's colour (`#005eb8`), dark enough for white text.
    pub brand_colour: Option<String>,
    /// How long after its last review (else update, else publication) a page is due for
    /// review, unless it gives `review_due` itself.
    pub review_after: Option<Interval>,
    /// How images are resized and checked.
    pub images: ImageSettings,
}

/// `images:` in `casebook.yaml`: the widths images are resized to, the encoders' quality and
/// the file size over which an image gets a warning (W109).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImageSettings {
    /// Widths in pixels, each made when the image is wider (an image is never enlarged).
    pub widths: Vec<u32>,
    /// WebP and JPEG quality, 1 to 100.
    pub quality: u8,
    /// An image file larger than this many kilobytes (1000 bytes) gets a warning.
    pub warn_over_kb: u64,
}

impl Default for ImageSettings {
    fn default() -> ImageSettings {
        ImageSettings {
            widths: vec![480, 960, 1600],
            quality: 80,
            warn_over_kb: 1000,
        }
    }
}

impl ImageSettings {
    /// Why these settings cannot be used, if they cannot.
    fn problem(&self) -> Option<String> {
        if self.widths.is_empty() {
            return Some("images.widths needs at least one width, such as [480, 960, 1600]".into());
        }
        if let Some(width) = self.widths.iter().find(|w| !(16..=8192).contains(*w)) {
            return Some(format!(
                "images.widths: {width} is not a width from 16 to 8192 pixels"
            ));
        }
        if !(1..=100).contains(&self.quality) {
            return Some(format!(
                "images.quality: {} is not a quality from 1 to 100",
                self.quality
            ));
        }
        None
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            title: "Shared learning".to_owned(),
            base_url: "/".to_owned(),
            language: "en-GB".to_owned(),
            theme: "default".to_owned(),
            search: true,
            link_check: LinkCheck::Error,
            show_emails: false,
            share_images: true,
            max_file_size: 2 * 1024 * 1024,
            metrics: Vec::new(),
            navigation: Vec::new(),
            allow_html: false,
            taxonomies: vec![
                "topics".into(),
                "regions".into(),
                "settings".into(),
                "key-questions".into(),
            ],
            logo: None,
            brand_colour: None,
            review_after: None,
            images: ImageSettings::default(),
        }
    }
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The config file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file's content is wrong.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The config file, as given.
        file: String,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawConfig {
    title: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    search: Option<bool>,
    link_check: Option<LinkCheck>,
    show_emails: Option<bool>,
    share_images: Option<bool>,
    max_file_size: Option<FileSize>,
    metrics: Option<Vec<String>>,
    navigation: Option<Vec<NavItem>>,
    allow_html: Option<bool>,
    taxonomies: Option<Vec<String>>,
    logo: Option<String>,
    brand_colour: Option<String>,
    review_after: Option<String>,
    images: Option<ImageSettings>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FileSize {
    Bytes(u64),
    Text(String),
}

/// Reads `casebook.yaml` from `root`, or the defaults when there is none.
pub fn load_config(root: &Path) -> Result<Config, ConfigError> {
    let path = root.join(CONFIG_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_config(&text, CONFIG_FILE),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(source) => Err(ConfigError::Read { path, source }),
    }
}

/// Parses the text of a config file named `file`.
pub fn parse_config(text: &str, file: &str) -> Result<Config, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: RawConfig = if text.trim().is_empty() {
        RawConfig::default()
    } else {
        serde_yaml::from_str(text).map_err(|error| {
            let (line, column) = error.location().map_or((1, 1), |l| (l.line(), l.column()));
            ConfigError::Invalid {
                file: file.to_owned(),
                line,
                column,
                message: error.to_string(),
            }
        })?
    };
    let invalid = |message: String| ConfigError::Invalid {
        file: file.to_owned(),
        line: 1,
        column: 1,
        message,
    };
    let defaults = Config::default();
    let max_file_size = match raw.max_file_size {
        None => defaults.max_file_size,
        Some(FileSize::Bytes(bytes)) => bytes,
        Some(FileSize::Text(text)) => parse_size(&text).ok_or_else(|| {
            invalid(format!("max_file_size `{text}` is not a size; write bytes (8388608) or a size such as \"8 MiB\" or \"512 KiB\""))
        })?,
    };
    let base_url =
        normalise_base_url(&raw.base_url.unwrap_or(defaults.base_url)).map_err(|problem| {
            let (line, column) = position_in(text, "base_url");
            ConfigError::Invalid {
                file: file.to_owned(),
                line,
                column,
                message: problem,
            }
        })?;
    let navigation = raw.navigation.unwrap_or_default();
    for item in &navigation {
        if let Some(problem) = link_problem(&item.url) {
            let (line, column) = position_in(text, &item.url);
            return Err(ConfigError::Invalid {
                file: file.to_owned(),
                line,
                column,
                message: format!("navigation `{}`: {problem}", item.title),
            });
        }
    }
    let metrics = raw.metrics.unwrap_or_default();
    for metric in &metrics {
        if !crate::model::is_valid_slug(metric) {
            return Err(invalid(format!(
                "metric `{metric}` is not a valid key; use lower-case words joined by hyphens"
            )));
        }
    }
    let at = |needle: &str, message: String| {
        let (line, column) = position_in(text, needle);
        ConfigError::Invalid {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    };
    if let Some(logo) = &raw.logo
        && let Some(problem) = static_path_problem(logo)
    {
        return Err(at(logo, format!("logo `{logo}`: {problem}")));
    }
    if let Some(colour) = &raw.brand_colour {
        brand_colour_problem(colour).map_or(Ok(()), |problem| {
            Err(at(colour, format!("brand_colour `{colour}`: {problem}")))
        })?;
    }
    let review_after = match raw.review_after {
        None => None,
        Some(written) => Some(Interval::parse(&written).ok_or_else(|| {
            let (line, column) = key_position(text, "review_after");
            ConfigError::Invalid {
                file: file.to_owned(),
                line,
                column,
                message: format!(
                    "review_after `{written}` is not a period; write a number of years or months, such as \"3 years\" or \"18 months\""
                ),
            }
        })?),
    };
    let mut images = raw.images.unwrap_or_default();
    if let Some(problem) = images.problem() {
        let (line, column) = key_position(text, "images");
        return Err(ConfigError::Invalid {
            file: file.to_owned(),
            line,
            column,
            message: problem,
        });
    }
    images.widths.sort_unstable();
    images.widths.dedup();
    Ok(Config {
        title: raw.title.unwrap_or(defaults.title),
        base_url,
        language: raw.language.unwrap_or(defaults.language),
        theme: raw.theme.unwrap_or(defaults.theme),
        search: raw.search.unwrap_or(defaults.search),
        link_check: raw.link_check.unwrap_or(defaults.link_check),
        show_emails: raw.show_emails.unwrap_or(defaults.show_emails),
        share_images: raw.share_images.unwrap_or(defaults.share_images),
        max_file_size,
        metrics,
        navigation,
        allow_html: raw.allow_html.unwrap_or(defaults.allow_html),
        taxonomies: raw.taxonomies.unwrap_or(defaults.taxonomies),
        logo: raw.logo,
        brand_colour: raw.brand_colour.map(|c| c.to_ascii_lowercase()),
        review_after,
        images,
    })
}

/// Why a path to a file of the site's `static/` folder cannot be used, if it cannot.
fn static_path_problem(path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.split('/').collect();
    if path.is_empty()
        || path.contains(['\\', ':', '?', '#'])
        || path.chars().any(|c| c.is_control() || c.is_whitespace())
        || parts
            .iter()
            .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return Some("write a path inside static/, such as `images/logo.svg`");
    }
    None
}

/// The smallest contrast between the brand colour and the white text on it (WCAG 2 AA for
/// normal text).
pub const BRAND_CONTRAST: f64 = 4.5;

/// Why a brand colour cannot be used, if it cannot: it is not `#rgb` or `#rrggbb`, or white
/// text on it has a contrast below [`BRAND_CONTRAST`].
pub fn brand_colour_problem(colour: &str) -> Option<String> {
    let Some(rgb) = hex_colour(colour) else {
        return Some("write a colour as `#` and six hex digits, such as `#005eb8`".to_owned());
    };
    let ratio = contrast_with_white(rgb);
    (ratio < BRAND_CONTRAST).then(|| {
        format!(
            "white text on it has a contrast of {:.2}:1, below {BRAND_CONTRAST}:1; choose a darker colour",
            (ratio * 100.0).floor() / 100.0
        )
    })
}

/// The red, green and blue of `#rrggbb` or `#rgb`.
fn hex_colour(colour: &str) -> Option<[u8; 3]> {
    let digits = colour.strip_prefix('#')?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |hex: &str| u8::from_str_radix(hex, 16).ok();
    match digits.len() {
        6 => Some([
            channel(&digits[0..2])?,
            channel(&digits[2..4])?,
            channel(&digits[4..6])?,
        ]),
        3 => {
            let short: Vec<u8> = digits
                .chars()
                .map(|c| channel(&format!("{c}{c}")))
                .collect::<Option<_>>()?;
            Some([short[0], short[1], short[2]])
        }
        _ => None,
    }
}

/// The WCAG 2 contrast ratio of white against an sRGB colour.
fn contrast_with_white(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2]);
    1.05 / (luminance + 0.05)
}

/// The URL schemes a link in the config may use; anything else (`javascript:`, `data:`,
/// `vbscript:`, `file:`) could run code or leak files on every page that shows the link.
const LINK_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// Why a navigation link cannot be used, if it cannot: a control character, or a scheme
/// other than [`LINK_SCHEMES`]. Relative links (`/about/`, `about/`, `#main`) are fine.
fn link_problem(url: &str) -> Option<String> {
    if url.chars().any(char::is_control) {
        return Some(
            "the link holds a control character (a tab or line break); write it on one line"
                .to_owned(),
        );
    }
    // A browser ignores surrounding spaces, so ` javascript:` is still a scheme.
    let url = url.trim();
    let before_path = url.split(['/', '?', '#']).next().unwrap_or("");
    let (scheme, _) = before_path.split_once(':')?;
    if LINK_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
        return None;
    }
    Some(format!(
        "links may be relative (`/about/`) or use {}; not `{scheme}:`",
        LINK_SCHEMES.map(|s| format!("`{s}:`")).join(", ")
    ))
}

/// The base URL as every stage uses it, ending in `/`; or why it cannot be used. It must be a
/// path (`/`, `/learning/`) or an `http(s)://` address, since every page's links and
/// canonical address start with it. Used for `casebook.yaml` and for `--base-url` alike.
pub fn normalise_base_url(base_url: &str) -> Result<String, String> {
    let lower = base_url.to_ascii_lowercase();
    let ok = !base_url
        .chars()
        .any(|c| c.is_control() || c.is_whitespace())
        && (lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with('/'))
        && !lower.starts_with("//");
    if !ok {
        return Err(format!(
            "base_url `{}` must be a path such as `/` or `/learning/`, or an address such as `https://example.org/learning/`",
            base_url.escape_debug()
        ));
    }
    let mut base_url = base_url.to_owned();
    if !base_url.ends_with('/') {
        base_url.push('/');
    }
    Ok(base_url)
}

/// The line and column (from 1) where `needle` first appears in `text`, for a message about
/// a value that serde has already read without its position; the start of the file if absent.
fn position_in(text: &str, needle: &str) -> (usize, usize) {
    let Some(offset) = text.find(needle).filter(|_| !needle.is_empty()) else {
        return (1, 1);
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The line and column (from 1) of the top-level `key:` in `text` (not a comment mentioning
/// it); the start of the file if absent.
fn key_position(text: &str, key: &str) -> (usize, usize) {
    text.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or((1, 1), |index| (index + 1, 1))
}

/// Parses a size: bytes, or a number with B, KB, KiB, MB, MiB, GB or GiB.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "kib" | "k" => 1024,
        "mb" => 1000 * 1000,
        "mib" | "m" => 1024 * 1024,
        "gb" => 1000 * 1000 * 1000,
        "gib" | "g" => 1024 * 1024 * 1024,
        _ => return None,
    };
    (number >= 0.0).then_some((number * factor as f64) as u64)
}

#[cfg(test)]
mod tests;
