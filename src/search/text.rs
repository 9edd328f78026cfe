//! Text for the index: plain text out of Markdown, and the tokeniser shared (in spirit and in
//! its tables) with the browser client, `themes/default/static/js/search-core.js`.
//!
//! Normalising is: lower case, drop combining marks (U+0300–U+036F), fold the Latin letters of
//! [`FOLD_TABLE`] (`é` → `e`, `æ` → `ae`, `ß` → `ss`). Tokens are runs of letters and digits;
//! an apostrophe inside a word is dropped (`manager's` → `managers`), a comma between digits is
//! dropped (`1,200` → `1200`), a point between digits is kept (`3.5`), a `%` ends a number
//! (`20%` → `20`), and a hyphenated word gives its parts and the joined whole (`well-led` →
//! `well`, `led`, `wellled`). The client applies the same rules to queries.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

pub use crate::model::FOLD_TABLE;

/// Longest token kept, in characters (longer runs are identifiers or junk).
pub const MAX_TOKEN_CHARS: usize = 40;

/// Lower-cases and folds `text` (see the module documentation).
pub fn normalise(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        // A run of ASCII is copied and lower-cased at once.
        let ascii = ascii_prefix(rest.as_bytes());
        if ascii > 0 {
            let start = out.len();
            out.push_str(&rest[..ascii]);
            out[start..].make_ascii_lowercase();
            rest = &rest[ascii..];
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        for lower in c.to_lowercase() {
            if ('\u{300}'..='\u{36f}').contains(&lower) {
                continue;
            }
            match crate::model::fold_lower(lower) {
                Some(folded) => out.push_str(folded),
                None => out.push(lower),
            }
        }
    }
    out
}

/// Whether a byte is an ASCII letter or digit, by byte: a look-up in the tokeniser's inner loop.
const ASCII_ALPHANUMERIC: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).is_ascii_alphanumeric();
        byte += 1;
    }
    table
};

/// The length of the run of ASCII at the start of `bytes`, found a block at a time (`is_ascii`
/// reads words, not bytes).
fn ascii_prefix(bytes: &[u8]) -> usize {
    let mut length = 0;
    for block in bytes.chunks(32) {
        if !block.is_ascii() {
            return length + block.iter().position(|b| !b.is_ascii()).unwrap_or(0);
        }
        length += block.len();
    }
    length
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02bc}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// The tokens of `text`, normalised, in order (see the module documentation).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |token| out.push(token.to_owned()));
    out
}

/// Calls `emit` with every token of `text`, in order, without allocating per token.
pub fn for_each_token(text: &str, mut emit: impl FnMut(&str)) {
    for_each_word(text, |token, _| emit(token));
}

/// As [`for_each_token`], with each token a number: 0, or for the joined form of a hyphenated
/// word (`wellled`, which comes after its parts), how many of its parts came just before it.
/// The joined form stands where its first part stands.
pub fn for_each_word(text: &str, mut emit: impl FnMut(&str, usize)) {
    give_words(text, &mut emit);
}

/// What [`give_words`] hands each word to: a closure, or a type whose
/// [`WordSink::word`] the tokeniser's loop is to take in (`#[inline(always)]`), not call.
pub trait WordSink {
    /// Takes the next word and its number of joined parts, as [`for_each_word`] gives them.
    fn word(&mut self, token: &str, joined_parts: usize);
}

impl<F: FnMut(&str, usize)> WordSink for F {
    #[inline]
    fn word(&mut self, token: &str, joined_parts: usize) {
        self(token, joined_parts);
    }
}

/// [`for_each_word`], giving each word to `sink`.
pub fn give_words(text: &str, sink: &mut impl WordSink) {
    let folded = normalise(text);
    // The current word's characters, its hyphen-separated parts as ranges of `word`; the
    // joined form of a hyphenated word is all of `word`.
    let mut word = String::new();
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut part_start = 0;
    let bytes = folded.as_bytes();
    let mut at = 0;
    let mut prev: Option<char> = None;
    while at < bytes.len() {
        // A run of ASCII letters and digits is added to the word at once.
        let run = bytes[at..]
            .iter()
            .position(|&b| !ASCII_ALPHANUMERIC[usize::from(b)])
            .unwrap_or(bytes.len() - at);
        if run > 0 {
            let end = at + run;
            // Most words are such a run alone, after a word's end and before the text's end or
            // an ASCII character that ends it: given as they stand, as the separator would
            // give them.
            if word.is_empty() && ends_word(bytes, end) {
                if run <= MAX_TOKEN_CHARS {
                    sink.word(&folded[at..end], 0);
                }
                prev = bytes.get(end).map(|&b| char::from(b));
                at = (end + 1).min(bytes.len());
                continue;
            }
            word.push_str(&folded[at..end]);
            at = end;
            prev = Some(char::from(bytes[at - 1]));
            continue;
        }
        let Some(c) = folded[at..].chars().next() else {
            break;
        };
        at += c.len_utf8();
        if !c.is_ascii() && is_word(c) {
            word.push(c);
            prev = Some(c);
            continue;
        }
        let next = folded[at..].chars().next();
        let between_words = prev.is_some_and(is_word) && next.is_some_and(is_word);
        let between_digits =
            prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        let in_word = word.len() > part_start;
        if in_word && (is_apostrophe(c) && between_words || c == ',' && between_digits) {
            // dropped: manager's → managers, 1,200 → 1200
        } else if in_word && c == '.' && between_digits {
            word.push('.');
        } else if in_word && is_hyphen(c) && between_words {
            parts.push((part_start, word.len()));
            part_start = word.len();
        } else {
            flush_word(&mut word, &mut parts, &mut part_start, sink);
        }
        prev = Some(c);
    }
    flush_word(&mut word, &mut parts, &mut part_start, sink);
}

/// Whether the byte of `bytes` at `end`, just after a run of ASCII letters and digits, ends
/// the word of the run as a separator: the text's end, or an ASCII character other than a
/// letter or digit that the word does not go on after (an apostrophe, a hyphen, or a comma or
/// point between digits).
#[inline]
fn ends_word(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end) {
        None | Some(b' ' | b'\n') => true,
        Some(b'\'' | b'-') => false,
        Some(b',' | b'.') => {
            let digit = |at: Option<usize>| {
                at.and_then(|at| bytes.get(at))
                    .is_some_and(u8::is_ascii_digit)
            };
            !(digit(end.checked_sub(1)) && digit(Some(end + 1)))
        }
        // Not a letter or digit: the run ends before it.
        Some(after) => after.is_ascii(),
    }
}

/// Gives the word [`for_each_word`] has gathered (its parts, then its joined form when it has
/// several) and empties it.
fn flush_word(
    word: &mut String,
    parts: &mut Vec<(usize, usize)>,
    part_start: &mut usize,
    sink: &mut impl WordSink,
) {
    if word.len() > *part_start {
        parts.push((*part_start, word.len()));
    }
    let keep = |p: &str| p.len() <= MAX_TOKEN_CHARS || p.chars().count() <= MAX_TOKEN_CHARS;
    let mut given = 0;
    for &(a, b) in parts.iter() {
        if keep(&word[a..b]) {
            sink.word(&word[a..b], 0);
            given += 1;
        }
    }
    if parts.len() > 1 && keep(word) {
        sink.word(word, given);
    }
    parts.clear();
    word.clear();
    *part_start = 0;
}

/// What joins a heading to the text after it in [`PlainText::text`].
pub const HEADING_SEPARATOR: &str = " — ";

/// The plain text of a Markdown body: headings apart, everything else as paragraphs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlainText {
    /// Heading texts, in order.
    pub headings: Vec<String>,
    /// The other blocks' texts, one per line.
    pub body: String,
    /// Everything, headings included, in reading order, one block per line, except that a
    /// heading runs on into what follows it after a dash ("Leading change — The manager…"), so
    /// that an excerpt, which shows line breaks as spaces, keeps it apart from the text.
    pub text: String,
}

/// Extracts the text of a Markdown body: every block ends with a line break (so
/// `<dd>0</dd><dt>Cost` can never become `0Cost`), inline code and image descriptions count as text, raw
/// HTML is left out.
pub fn markdown_text(markdown: &str) -> PlainText {
    let _permit = crate::parse::parse_permit(markdown);
    let mut text = PlainTextBuilder::default();
    for event in Parser::new_ext(markdown, crate::parse::markdown_options()) {
        text.see(&event);
    }
    text.finish()
}

/// [`markdown_text`] fed the parser's events one at a time, so that the render stage, which
/// parses each body anyway, gets the search text from the same pass.
#[derive(Debug, Default)]
pub struct PlainTextBuilder {
    text: PlainText,
    heading: Option<String>,
    /// Set after a heading, until the text that follows it (or the end) arrives.
    after_heading: bool,
}

impl PlainTextBuilder {
    /// Takes the next event of the body, in order, as pulldown-cmark gives it with
    /// [`crate::parse::markdown_options`].
    pub fn see(&mut self, event: &Event<'_>) {
        let text = &mut self.text;
        let after_heading = &mut self.after_heading;
        let end_block = |s: &mut String| {
            if !s.is_empty() && !s.ends_with('\n') {
                s.push('\n');
            }
        };
        let run_on = |s: &mut String, after_heading: &mut bool| {
            if std::mem::take(after_heading) {
                s.push_str(HEADING_SEPARATOR);
            }
        };
        let piece: Option<&str> = match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                Some(t)
            }
            Event::SoftBreak | Event::HardBreak => Some(" "),
            _ => None,
        };
        if let Some(piece) = piece {
            match self.heading.as_mut() {
                Some(h) => h.push_str(piece),
                None => {
                    text.body.push_str(piece);
                    run_on(&mut text.text, after_heading);
                    text.text.push_str(piece);
                }
            }
            return;
        }
        match event {
            Event::Start(Tag::Heading { .. }) => {
                end_block(&mut text.body);
                if !*after_heading {
                    end_block(&mut text.text);
                }
                self.heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = self.heading.take() {
                    let h = h.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !h.is_empty() {
                        run_on(&mut text.text, after_heading);
                        text.text.push_str(&h);
                        text.headings.push(h);
                        *after_heading = true;
                    }
                }
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition,
            )
            | Event::Rule
            | Event::Start(
                Tag::Paragraph
                | Tag::Item
                | Tag::List(_)
                | Tag::TableCell
                | Tag::Table(_)
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionListTitle
                | Tag::DefinitionListDefinition,
            ) => {
                end_block(&mut text.body);
                if !*after_heading {
                    end_block(&mut text.text);
                }
            }
            _ => {}
        }
    }

    /// The text of the events seen.
    pub fn finish(self) -> PlainText {
        let mut text = self.text;
        text.body = text.body.trim_end().to_owned();
        text.text = text.text.trim_end().to_owned();
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokeniser_table() {
        let cases: &[(&str, &[&str])] = &[
            ("Care home", &["care", "home"]),
            ("Café crème", &["cafe", "creme"]),
            ("Cafe\u{301}", &["cafe"]),
            ("STRAßE Æsir Œuvre", &["strasse", "aesir", "oeuvre"]),
            ("Łódź Škoda", &["lodz", "skoda"]),
            ("well-led", &["well", "led", "wellled"]),
            (
                "end-of-life care",
                &["end", "of", "life", "endoflife", "care"],
            ),
            ("- list -dash", &["list", "dash"]),
            ("20% fewer", &["20", "fewer"]),
            ("rose by 3.5 points.", &["rose", "by", "3.5", "points"]),
            ("£1,200 saved", &["1200", "saved"]),
            ("1, 2, 3", &["1", "2", "3"]),
            ("manager's role", &["managers", "role"]),
            ("manager’s", &["managers"]),
            ("'quoted'", &["quoted"]),
            ("0cost", &["0cost"]),
            ("a/b (c)", &["a", "b", "c"]),
            ("", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(tokens(text), *expected, "tokens of {text:?}");
        }
    }

    /// The tokeniser as first written, one character at a time: the faster one must give the
    /// same tokens.
    fn reference_words(text: &str) -> Vec<(String, usize)> {
        let folded: String = {
            let mut out = String::new();
            for c in text.chars() {
                if c.is_ascii() {
                    out.push(c.to_ascii_lowercase());
                    continue;
                }
                for lower in c.to_lowercase() {
                    if ('\u{300}'..='\u{36f}').contains(&lower) {
                        continue;
                    }
                    match crate::model::fold_lower(lower) {
                        Some(folded) => out.push_str(folded),
                        None => out.push(lower),
                    }
                }
            }
            out
        };
        let mut out = Vec::new();
        let mut word = String::new();
        let mut parts: Vec<(usize, usize)> = Vec::new();
        let mut part_start = 0;
        let mut flush = |word: &mut String, parts: &mut Vec<(usize, usize)>, start: &mut usize| {
            if word.len() > *start {
                parts.push((*start, word.len()));
            }
            let keep = |p: &str| p.chars().count() <= MAX_TOKEN_CHARS;
            let mut given = 0;
            for &(a, b) in parts.iter() {
                if keep(&word[a..b]) {
                    out.push((word[a..b].to_owned(), 0));
                    given += 1;
                }
            }
            if parts.len() > 1 && keep(word) {
                out.push((word.clone(), given));
            }
            parts.clear();
            word.clear();
            *start = 0;
        };
        let chars: Vec<char> = folded.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c.is_alphanumeric() {
                word.push(c);
                continue;
            }
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let between_words = prev.is_some_and(is_word) && next.is_some_and(is_word);
            let between_digits = prev.is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| n.is_ascii_digit());
            let in_word = word.len() > part_start;
            if in_word && (is_apostrophe(c) && between_words || c == ',' && between_digits) {
            } else if in_word && c == '.' && between_digits {
                word.push('.');
            } else if in_word && is_hyphen(c) && between_words {
                parts.push((part_start, word.len()));
                part_start = word.len();
            } else {
                flush(&mut word, &mut parts, &mut part_start);
            }
        }
        flush(&mut word, &mut parts, &mut part_start);
        out
    }

    /// Texts made of the pieces the tokeniser treats apart: letters of several scripts,
    /// combining marks, apostrophes, hyphens, commas and points, and overlong runs.
    fn texts() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy as _;
        let long: &'static str = "x".repeat(MAX_TOKEN_CHARS).leak();
        proptest::collection::vec(
            proptest::sample::select(vec![
                "a", "B", "z", "0", "9", "é", "É", "\u{301}", "ß", "Æ", "İ", "Ⅻ", "ω", "Я", "中",
                "😀", "'", "’", "ʼ", "-", "\u{2010}", "\u{2011}", ",", ".", "%", " ", "\n", "—",
                "/", "ab", "well", "12", long,
            ]),
            0..40,
        )
        .prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #[test]
        fn words_are_those_of_the_character_at_a_time_tokeniser(text in texts()) {
            let mut words = Vec::new();
            for_each_word(&text, |word, parts| words.push((word.to_owned(), parts)));
            proptest::prop_assert_eq!(words, reference_words(&text));
        }
    }

    proptest::proptest! {
        #[test]
        fn ascii_prefix_is_the_first_non_ascii_byte(text in texts()) {
            let bytes = text.as_bytes();
            let expected = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(bytes.len());
            proptest::prop_assert_eq!(ascii_prefix(bytes), expected);
        }
    }

    #[test]
    fn overlong_runs_are_dropped() {
        let long = "x".repeat(MAX_TOKEN_CHARS + 1);
        assert_eq!(tokens(&format!("a {long} b")), vec!["a", "b"]);
    }

    #[test]
    fn fold_table_entries_are_well_formed() {
        for entry in FOLD_TABLE.split(' ') {
            let mut chars = entry.chars();
            let from = chars.next().expect("a letter");
            assert!(!from.is_ascii(), "{entry}");
            assert!(
                chars.clone().count() >= 1 && chars.all(|c| c.is_ascii_lowercase()),
                "{entry}"
            );
        }
    }

    #[test]
    fn headings_stay_apart_from_the_text_after_them() {
        let text = markdown_text(
            "## Leading change\n\nThe registered manager led it.\n\n## Results\n### Falls\n\n- Fewer falls\n\n## Last",
        );
        assert_eq!(
            text.text,
            "Leading change — The registered manager led it.\n\
             Results — Falls — Fewer falls\n\
             Last"
        );
        assert_eq!(
            tokens(&text.text)[..4],
            ["leading", "change", "the", "registered"]
        );
    }

    #[test]
    fn blocks_never_run_together() {
        let text = markdown_text(
            "# Title\n\nFirst para\nsoft.\n\n| a | b |\n|---|---|\n| 0 | Cost |\n\n- one\n  - nested\n- two\n\n## Next *part*\n\n`code` here <b>raw</b>",
        );
        assert_eq!(text.headings, vec!["Title", "Next part"]);
        assert!(
            text.text.starts_with("Title — First para soft.\n"),
            "{:?}",
            text.text
        );
        assert!(
            text.text.ends_with("\nNext part — code here raw"),
            "{:?}",
            text.text
        );
        assert_eq!(
            tokens(&text.body),
            vec![
                "first", "para", "soft", "a", "b", "0", "cost", "one", "nested", "two", "code",
                "here", "raw"
            ]
        );
    }
}
