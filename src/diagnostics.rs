//! Diagnostics: the one type for every problem found in a site's content, and its two
//! renderings (human, for a terminal, and JSON, for tools).
//!
//! A diagnostic names a place in the user's file (1-based line and column, columns counted
//! in characters, a byte-order mark not counted) and gives a hint with the fix. Stages
//! collect diagnostics and never stop at the first; [`sort`] puts a list in the order every
//! report uses (file, line, column, code) so that output is the same on every run.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

/// A position in a source file: 1-based line and 1-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Line, counting from 1 (the first line of the file, after any byte-order mark).
    pub line: u32,
    /// Column in characters, counting from 1.
    pub column: u32,
}

impl Pos {
    /// The first character of a file.
    pub const START: Pos = Pos { line: 1, column: 1 };

    /// A position from a 1-based line and column.
    pub fn new(line: u32, column: u32) -> Pos {
        Pos { line, column }
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value itself.
    pub value: T,
    /// Where the value starts in its file.
    pub at: Pos,
}

impl<T> Located<T> {
    /// Attaches a position to a value.
    pub fn new(value: T, at: Pos) -> Located<T> {
        Located { value, at }
    }
}

/// How serious a diagnostic is: errors stop a build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The content cannot be published as it is.
    Error,
    /// The content builds, but something is probably wrong.
    Warning,
}

macro_rules! codes {
    ($($variant:ident => $text:literal, $severity:ident, $title:literal;)*) => {
        /// A stable diagnostic code, documented in `docs/diagnostics.md`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $title] $variant,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in reports, such as `E006`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// The severity a diagnostic of this code has unless the config changes it.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// A short title for the code, as used in the documentation.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

codes! {
    E001 => "E001", Error, "not valid UTF-8";
    E002 => "E002", Error, "front matter opened but never closed";
    E003 => "E003", Error, "YAML syntax error";
    E004 => "E004", Error, "front matter is not a mapping";
    E005 => "E005", Error, "required field missing or empty";
    E006 => "E006", Error, "value not allowed";
    E007 => "E007", Error, "invalid date or period";
    E008 => "E008", Error, "number out of range";
    E009 => "E009", Error, "duplicate slug";
    E010 => "E010", Error, "unresolved reference or link";
    E011 => "E011", Error, "file too large";
    E012 => "E012", Error, "inconsistent figures";
    E013 => "E013", Error, "duplicate key";
    E014 => "E014", Error, "template error";
    E015 => "E015", Error, "content over a limit";
    E016 => "E016", Error, "file name is not a slug";
    E017 => "E017", Error, "image missing, unreadable or not an image";
    E018 => "E018", Error, "image without alternative text";
    W101 => "W101", Warning, "unknown field";
    W102 => "W102", Warning, "suspicious figures or dates";
    W103 => "W103", Warning, "reference to a draft";
    W104 => "W104", Warning, "static file not copied";
    W105 => "W105", Warning, "content symlink not followed";
    W106 => "W106", Warning, "skeleton text left in a published page";
    W107 => "W107", Warning, "accessibility statement not filled in";
    W108 => "W108", Warning, "page past its review date";
    W109 => "W109", Warning, "image file larger than the configured size";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Another place that a diagnostic refers to, such as the first of two files with one slug.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Related {
    /// The file, relative to the site root, with `/` separators.
    pub file: String,
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
    /// What this place is.
    pub message: String,
}

/// One problem in a site's content or config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the site root, with `/` separators.
    pub file: String,
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
    /// What is wrong, lower-case, no full stop.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Other places involved.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// For invalid UTF-8, the byte offset of the first bad byte in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_offset: Option<usize>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, file: &str, at: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            file: file.to_owned(),
            line: at.line,
            column: at.column,
            message: message.into(),
            hint: None,
            related: Vec::new(),
            byte_offset: None,
        }
    }

    /// Adds the hint that tells how to fix the problem.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a related place.
    pub fn with_related(mut self, file: &str, at: Pos, message: impl Into<String>) -> Diagnostic {
        self.related.push(Related {
            file: file.to_owned(),
            line: at.line,
            column: at.column,
            message: message.into(),
        });
        self
    }

    /// Where the diagnostic points.
    pub fn pos(&self) -> Pos {
        Pos::new(self.line, self.column)
    }

    /// Whether this diagnostic stops a build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, line, column and code, the order of every report.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.code, &b.message))
    });
}

/// Counts errors and warnings in a list.
pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// Renders diagnostics as a JSON array (the format documented in `docs/diagnostics.md`).
pub fn to_json(diagnostics: &[Diagnostic]) -> String {
    serde_json::to_string_pretty(diagnostics).expect("diagnostics are plain data and serialise")
}

/// Whether human output uses colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// ANSI colours, for a terminal.
    Always,
    /// Plain text.
    Never,
}

/// Renders diagnostics for a person: a header with code and message, `file:line:column`, the
/// source line with a caret under the place, the hint, and related places.
///
/// `source_of` gives the text of a file (as loaded: BOM dropped, line endings normalised) so
/// that the line can be shown; a file it cannot give is reported without a snippet.
pub fn render_human<'a>(
    diagnostics: &[Diagnostic],
    source_of: impl Fn(&str) -> Option<&'a str>,
    colour: Colour,
) -> String {
    use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

    let renderer = match colour {
        Colour::Always => Renderer::styled(),
        Colour::Never => Renderer::plain(),
    };
    let mut out = String::new();
    // Each file is split into lines once: a file with 100,000 broken links is not split again
    // for each of them.
    let mut lines_of: HashMap<&str, Vec<&'a str>> = HashMap::new();
    for diagnostic in diagnostics {
        let level = match diagnostic.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level
            .primary_title(diagnostic.message.as_str())
            .id(diagnostic.code.as_str());
        let lines = match lines_of.get(diagnostic.file.as_str()) {
            Some(lines) => Some(lines),
            None => source_of(&diagnostic.file).map(|text| {
                &*lines_of
                    .entry(&diagnostic.file)
                    .or_insert_with(|| text.split('\n').collect())
            }),
        };
        let mut group =
            match lines.and_then(|lines| line_snippet(lines, diagnostic.line, diagnostic.column)) {
                Some((line_text, range)) => title.element(
                    Snippet::source(line_text)
                        .line_start(diagnostic.line as usize)
                        .path(diagnostic.file.as_str())
                        .annotation(AnnotationKind::Primary.span(range)),
                ),
                None => title.element(Level::NOTE.message(format!(
                    "in {}",
                    location(&diagnostic.file, diagnostic.pos())
                ))),
            };
        for related in &diagnostic.related {
            group = group.element(Level::NOTE.message(format!(
                "{}: {}",
                location(&related.file, Pos::new(related.line, related.column)),
                related.message
            )));
        }
        let mut report = vec![group];
        if let Some(hint) = &diagnostic.hint {
            report.push(Group::with_title(
                Level::HELP.secondary_title(hint.as_str()),
            ));
        }
        out.push_str(&renderer.render(&report));
        out.push_str("\n\n");
    }
    out
}

/// `file:line:column`, the form terminals and editors turn into links.
fn location(file: &str, at: Pos) -> String {
    format!("{file}:{}:{}", at.line, at.column)
}

/// Lines longer than this (in bytes) are not shown under a diagnostic, only its place: showing
/// one costs time in its length, and a file of one long line can have thousands of diagnostics.
const MAX_SNIPPET_LINE: usize = 4096;

/// The text of line `line` and the byte range of the character at `column` within it (or an
/// empty range at the end of the line when the column is past it); `None` for a line that is
/// not there or longer than [`MAX_SNIPPET_LINE`].
fn line_snippet<'a>(
    lines: &[&'a str],
    line: u32,
    column: u32,
) -> Option<(&'a str, std::ops::Range<usize>)> {
    let line_text = *lines.get(line.checked_sub(1)? as usize)?;
    if line_text.len() > MAX_SNIPPET_LINE {
        return None;
    }
    let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
    let column = column.max(1) as usize - 1;
    let range = match line_text.char_indices().nth(column) {
        Some((start, c)) => start..start + c.len_utf8(),
        None => line_text.len()..line_text.len(),
    };
    Some((line_text, range))
}

/// Turns a 0-based character index in `text` into a line and column.
pub fn pos_of_char_index(text: &str, index: usize) -> Pos {
    let mut line = 1u32;
    let mut column = 1u32;
    for c in text.chars().take(index) {
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    Pos::new(line, column)
}

/// Turns a byte offset in `text` into a line and column (columns in characters).
pub fn pos_of_byte_offset(text: &str, offset: usize) -> Pos {
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    Pos::new(line, column)
}

/// Turns byte offsets in one text into positions, counting only the text between one offset
/// and the next: positions of offsets in increasing order (a body's links, in the order the
/// parser meets them) cost time linear in the text overall, where [`pos_of_byte_offset`] for
/// each would rescan from the start every time. An offset before the previous one counts
/// again from the start.
#[derive(Debug, Clone)]
pub struct Positions<'t> {
    text: &'t str,
    /// The offset last asked for (on a character boundary) and its position.
    offset: usize,
    pos: Pos,
}

impl<'t> Positions<'t> {
    /// Positions in `text`, starting at its first character.
    pub fn new(text: &'t str) -> Positions<'t> {
        Positions {
            text,
            offset: 0,
            pos: Pos::START,
        }
    }

    /// The position of byte `offset` (rounded down to a character boundary).
    pub fn at(&mut self, offset: usize) -> Pos {
        let offset = floor_char_boundary(self.text, offset);
        if offset < self.offset {
            *self = Positions::new(self.text);
        }
        let between = &self.text[self.offset..offset];
        match between.rfind('\n') {
            Some(last) => {
                self.pos.line += memchr::memchr_iter(b'\n', between.as_bytes()).count() as u32;
                self.pos.column = between[last + 1..].chars().count() as u32 + 1;
            }
            None => self.pos.column += between.chars().count() as u32,
        }
        self.offset = offset;
        self.pos
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_turn_agree_with_positions_from_the_start() {
        let text = "ab\né £x\n\n  y z\n";
        let mut positions = Positions::new(text);
        let offsets = (0..=text.len() + 2).chain([7, 3, 12, 0, 5]);
        for offset in offsets {
            assert_eq!(
                positions.at(offset),
                pos_of_byte_offset(text, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "a: é\nb: £x\n";
        assert_eq!(
            pos_of_byte_offset(text, text.find('x').unwrap()),
            Pos::new(2, 5)
        );
        assert_eq!(pos_of_char_index(text, 9), Pos::new(2, 5));
    }

    #[test]
    fn human_output_shows_line_and_caret() {
        let diagnostic = Diagnostic::new(Code::E006, "content/a.md", Pos::new(2, 4), "bad value")
            .with_hint("did you mean `good`?");
        let text = "---\nx: goood\n---\n";
        let out = render_human(&[diagnostic], |_| Some(text), Colour::Never);
        assert!(out.contains("error[E006]: bad value"), "{out}");
        assert!(out.contains("content/a.md:2:4"), "{out}");
        assert!(out.contains("x: goood"), "{out}");
        assert!(out.contains("did you mean `good`?"), "{out}");
    }

    #[test]
    fn human_output_names_the_place_of_a_long_line_without_showing_it() {
        let text = format!("a\n{}\n", "x ".repeat(MAX_SNIPPET_LINE));
        let diagnostics: Vec<Diagnostic> = [(1, 1), (2, 3), (2, 5)]
            .map(|(line, column)| {
                Diagnostic::new(Code::E010, "content/a.md", Pos::new(line, column), "broken")
            })
            .into();
        let out = render_human(&diagnostics, |_| Some(&text), Colour::Never);
        assert!(out.contains("1 | a"), "{out}");
        assert!(out.contains("in content/a.md:2:3"), "{out}");
        assert!(out.contains("in content/a.md:2:5"), "{out}");
        assert!(!out.contains("x x"), "{out}");
    }
}
