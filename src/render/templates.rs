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

/// Texts up to this long that hold no special character are written as they are; longer ones
/// go straight to [`escape_into`], whose vector scans pay off there.
const SHORT_TEXT: usize = 96;

/// Tera's escape function: [`escape_into`], but a short text with nothing to escape (most of
/// what a page shows: titles, dates, URLs, figures) is copied without setting up its scans.
/// The output is `escape_into`'s for every text.
fn escape_value(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if text.len() <= SHORT_TEXT && !has_special(text.as_bytes()) {
        return out.write_all(text.as_bytes());
    }
    escape_into(text, out)
}

/// Whether `bytes` holds a character HTML escaping changes (`& < > " '`), looked for eight
/// bytes at a time in a `u64`: a byte-by-byte loop costs a dozen instructions a byte.
fn has_special(bytes: &[u8]) -> bool {
    let (words, rest) = bytes.as_chunks::<8>();
    // The bytes after the last whole word: the last eight bytes again (overlapping is harmless
    // to "any"), or for a shorter text all of it in one zero-padded word.
    let last = match bytes.last_chunk::<8>() {
        Some(word) if !rest.is_empty() => u64::from_le_bytes(*word),
        _ => rest
            .iter()
            .fold(0, |word: u64, &byte| word << 8 | u64::from(byte)),
    };
    words.iter().fold(word_has_special(last), |found, word| {
        found | word_has_special(u64::from_le_bytes(*word))
    })
}

/// Whether one of the eight bytes of `word` is `& < > " '`. Setting bit 0 of every byte makes
/// `&` (0x26) and `'` (0x27) both 0x27; setting bit 1 makes `<` (0x3c) and `>` (0x3e) both
/// 0x3e; so three tests for a byte find all five (zero bytes, the padding, match none).
fn word_has_special(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero: the classic test, exact as to whether any is.
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let amp_or_apostrophe = (word | ONES) ^ (ONES * 0x27);
    let angle = (word | (ONES * 0x02)) ^ (ONES * 0x3e);
    let quote = word ^ (ONES * 0x22);
    (has_zero(amp_or_apostrophe) | has_zero(angle) | has_zero(quote)) != 0
}

pub(super) fn load_templates(theme: &Theme) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::new();
    tera.set_escape_fn(escape_value);
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
            alone.set_escape_fn(escape_value);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str, escape: tera::EscapeFn) -> Vec<u8> {
        let mut out = Vec::new();
        escape(text, &mut out).expect("writes to memory");
        out
    }

    #[test]
    fn short_and_long_texts_escape_as_escape_into_does() {
        let long = "a".repeat(SHORT_TEXT);
        for text in [
            "",
            "plain",
            "Tom & Jerry's",
            "\"",
            "<",
            long.as_str(),
            &format!("{long}&"),
            &format!("{long}b"),
            &format!("&{long}"),
        ] {
            assert_eq!(
                escaped(text, escape_value),
                escaped(text, escape_into),
                "{text}"
            );
        }
        assert_eq!(escaped("a<b", escape_value), b"a&lt;b");
    }

    #[test]
    fn every_byte_is_found_special_exactly_when_escaping_changes_it() {
        for byte in 0..=u8::MAX {
            let special = matches!(byte, b'&' | b'<' | b'>' | b'"' | b'\'');
            // At every place of texts of every length up to over two words, among plain bytes.
            for len in 1..=19 {
                for at in 0..len {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = byte;
                    assert_eq!(has_special(&bytes), special, "{byte:#x} at {at} of {len}");
                }
            }
        }
        assert!(!has_special(b""));
    }

    proptest::proptest! {
        /// Any text, short or long, special characters anywhere, escapes as `escape_into`
        /// escapes it.
        #[test]
        fn any_text_escapes_as_escape_into_does(text in "([&<>\"'a-z ]|é|✓){0,120}") {
            proptest::prop_assert_eq!(escaped(&text, escape_value), escaped(&text, escape_into));
        }
    }
}
