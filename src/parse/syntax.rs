//! YAML syntax errors in the words of the people who write the content.
//!
//! The YAML parser reports what it expected ("mapping values are not allowed in this
//! context"); an editor needs to know what they wrote and how to fix it. This module looks at
//! the parser's message and at the line it points to, recognises the mistakes editors make
//! (a `: ` or a tab in a value, an unclosed quote or bracket, a line indented wrongly, a
//! value starting with a character YAML reserves) and says each in plain words, with a hint
//! that quotes the editor's own field. A message it does not recognise is passed on, in
//! brackets after a plain sentence.

use crate::diagnostics::{Code, Diagnostic, Pos};

/// The E003 for a syntax error that the parser reported as `info` at `at` (a position in the
/// file; `lines` are the YAML text's lines, the first of them on file line `first_line`).
pub(crate) fn syntax_error(
    lines: &[&str],
    first_line: u32,
    file: &str,
    at: Pos,
    info: &str,
) -> Diagnostic {
    let text = Text { lines, first_line };
    let explained = tab(&text, at)
        .or_else(|| colon_in_value(&text, at, info))
        .or_else(|| unclosed_bracket(&text, at))
        .or_else(|| unclosed_quote(&text, at, info))
        .or_else(|| text_after_quote(&text, at, info))
        .or_else(|| reserved_first_character(&text, at, info))
        .or_else(|| indentation(&text, at, info));
    let Explained { at, message, hint } = explained.unwrap_or_else(|| Explained {
        at,
        message: format!("the YAML here cannot be read ({info})"),
        hint: "check the indentation and quoting of this line and the one before it; quoting the value fixes most problems".to_owned(),
    });
    Diagnostic::new(Code::E003, file, at, message).with_hint(hint)
}

struct Explained {
    at: Pos,
    message: String,
    hint: String,
}

struct Text<'a> {
    lines: &'a [&'a str],
    first_line: u32,
}

impl<'a> Text<'a> {
    /// The text of file line `line`, if it is in the YAML.
    fn line(&self, line: u32) -> Option<&'a str> {
        let index = line.checked_sub(self.first_line)?;
        self.lines.get(index as usize).copied()
    }

    /// File lines from the first of the YAML up to `last`, with their text.
    fn up_to(&self, last: u32) -> impl Iterator<Item = (u32, &'a str)> {
        let first_line = self.first_line;
        self.lines
            .iter()
            .enumerate()
            .map(move |(index, text)| (first_line + index as u32, *text))
            .take_while(move |(line, _)| *line <= last)
    }
}

/// A line read as `key: value`: the key (without a list item's `- `) and the value.
struct Field<'a> {
    key: &'a str,
    value: &'a str,
}

fn field(line: &str) -> Option<Field<'_>> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim_start().trim_start_matches("- ").trim();
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '));
    simple.then(|| Field {
        key,
        value: value.trim(),
    })
}

/// `key: "value"`, quoted so that YAML reads it as text whatever it contains.
fn quoted_example(key: &str, value: &str) -> String {
    if value.contains('"') && !value.contains('\'') {
        format!("`{key}: '{value}'`")
    } else {
        format!(
            "`{key}: \"{}\"`",
            value.replace('\\', "\\\\").replace('"', "\\\"")
        )
    }
}

fn indentation_of(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').count()
}

/// A tab where YAML wants spaces: in the indentation, or between a key's colon and its value.
fn tab(text: &Text<'_>, at: Pos) -> Option<Explained> {
    let line = text.line(at.line)?;
    let indentation: String = line.chars().take_while(|c| c.is_whitespace()).collect();
    if let Some(tab) = indentation.find('\t') {
        return Some(Explained {
            at: Pos::new(at.line, indentation[..tab].chars().count() as u32 + 1),
            message: "a tab in the indentation; YAML allows only spaces".to_owned(),
            hint: "replace the tab with spaces (two per level is usual), and set your editor to insert spaces when you press Tab".to_owned(),
        });
    }
    let Field { key, value } = field(line)?;
    let after_colon = line.split_once(':')?.1;
    after_colon.starts_with('\t').then(|| Explained {
        at,
        message: format!("a tab after `{key}:`; YAML needs a space there"),
        hint: format!("replace the tab with a space: `{key}: {value}`"),
    })
}

/// `title: Well-Led: the programme`: a `: ` inside an unquoted value.
fn colon_in_value(text: &Text<'_>, at: Pos, info: &str) -> Option<Explained> {
    if !info.contains("mapping values are not allowed") {
        return None;
    }
    let Field { key, value } = field(text.line(at.line)?)?;
    let has_colon = value.contains(": ") || value.ends_with(':');
    let quoted = value.starts_with(['"', '\'']);
    (has_colon && !quoted).then(|| Explained {
        at,
        message: "this value contains `: `, which YAML reads as the start of a new key".to_owned(),
        hint: format!("quote the value: {}", quoted_example(key, value)),
    })
}

/// A `[` or `{` that its line does not close: the next line is then read as part of the list.
fn unclosed_bracket(text: &Text<'_>, at: Pos) -> Option<Explained> {
    let (line, column, opener) = text.up_to(at.line).find_map(|(number, line)| {
        unclosed_opener(line).map(|(column, opener)| (number, column, opener))
    })?;
    let (closer, what) = if opener == '[' {
        (']', "list")
    } else {
        ('}', "mapping")
    };
    let key = text.line(line).and_then(field).map(|f| f.key);
    let hint = match key {
        Some(key) => format!(
            "end the {what} of `{key}` with `{closer}` on the same line; quote an item that contains a comma or a bracket"
        ),
        None => format!("end the {what} with `{closer}` on the same line"),
    };
    Some(Explained {
        at: Pos::new(line, column),
        message: format!("the `{opener}` opened here is never closed with `{closer}`"),
        hint,
    })
}

/// The column (from 1) and character of the first `[` or `{` of `line` left open at its end,
/// outside quotes and comments.
fn unclosed_opener(line: &str) -> Option<(u32, char)> {
    let mut open: Vec<(u32, char)> = Vec::new();
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (index, c) in line.chars().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if previous == ' ' || "[{,:".contains(previous) => quote = Some(c),
            (None, '#') if previous == ' ' => break,
            (None, '[' | '{') => open.push((index as u32 + 1, c)),
            (None, ']' | '}') => {
                open.pop();
            }
            _ => {}
        }
        previous = c;
    }
    open.first().copied()
}

/// A quoted value whose closing quote is missing on its line.
fn unclosed_quote(text: &Text<'_>, at: Pos, info: &str) -> Option<Explained> {
    let recognised = info.contains("quoted scalar") && !info.contains("trailing content");
    if !recognised {
        return None;
    }
    let line = text.line(at.line)?;
    let quote = line
        .chars()
        .nth(at.column.saturating_sub(1) as usize)
        .filter(|c| matches!(c, '"' | '\''))?;
    let escape = if quote == '"' {
        "inside `\"…\"` write a `\"` as `\\\"`"
    } else {
        "inside `'…'` write a `'` as `''`"
    };
    let hint = match field(line) {
        Some(Field { key, .. }) => {
            format!("end the value of `{key}` with a `{quote}` on the same line; {escape}")
        }
        None => format!("end the value with a `{quote}` on the same line; {escape}"),
    };
    Some(Explained {
        at,
        message: format!("the quote `{quote}` that starts this value is never closed"),
        hint,
    })
}

/// `title: "Quoted" and more`: a value that starts with a quote ends at the closing quote.
fn text_after_quote(text: &Text<'_>, at: Pos, info: &str) -> Option<Explained> {
    if !info.contains("trailing content after") {
        return None;
    }
    let Field { key, value } = field(text.line(at.line)?)?;
    Some(Explained {
        at,
        message:
            "the value starts with a quote, so it ends at the closing quote; more text follows it"
                .to_owned(),
        hint: format!("quote the whole value: {}", quoted_example(key, value)),
    })
}

/// A value starting with a character YAML keeps for itself (`@`, a backtick).
fn reserved_first_character(text: &Text<'_>, at: Pos, info: &str) -> Option<Explained> {
    if !info.contains("unexpected character") {
        return None;
    }
    let line = text.line(at.line)?;
    let c = line.chars().nth(at.column.saturating_sub(1) as usize)?;
    let Field { key, value } = field(line)?;
    let character = match c {
        '`' => "a backtick".to_owned(),
        c => format!("`{c}`"),
    };
    Some(Explained {
        at,
        message: format!("a value cannot start with {character} unless it is quoted"),
        hint: format!("quote the value: {}", quoted_example(key, value)),
    })
}

/// A line indented so that it fits neither the field nor the list above it.
fn indentation(text: &Text<'_>, at: Pos, info: &str) -> Option<Explained> {
    let about_indentation = [
        "mapping values are not allowed",
        "did not find expected",
        "indentation",
    ]
    .iter()
    .any(|words| info.contains(words));
    if !about_indentation {
        return None;
    }
    let line = text.line(at.line)?;
    let key = field(line).map_or_else(|| "this line".to_owned(), |f| format!("`{}:`", f.key));
    let own = indentation_of(line);
    let above = text
        .up_to(at.line.saturating_sub(1))
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .last();
    let (_, above) = above?;
    // A list item's keys line up with the first key after its `- `.
    let item_key = above.trim_start().strip_prefix("- ").map(|rest| {
        let column = indentation_of(above) + 2 + indentation_of(rest);
        (column, field(rest).map(|f| f.key))
    });
    if let Some((column, Some(first_key))) = item_key
        && own != column
        && own >= indentation_of(above)
    {
        return Some(Explained {
            at: Pos::new(at.line, own as u32 + 1),
            message: format!(
                "{key} is indented {own} spaces, which fits no field of the list item above"
            ),
            hint: format!(
                "indent {key} by {column} spaces, to line up with `{first_key}:` after the `- ` above"
            ),
        });
    }
    if own > indentation_of(above) {
        let above_key =
            field(above).map_or_else(|| "the line above".to_owned(), |f| format!("`{}:`", f.key));
        return Some(Explained {
            at: Pos::new(at.line, own as u32 + 1),
            message: format!(
                "{key} is indented more than {above_key}, so YAML reads it as part of that value"
            ),
            hint: format!("start {key} at the same column as {above_key}"),
        });
    }
    Some(Explained {
        at: Pos::new(at.line, own as u32 + 1),
        message: format!("{key} is indented so that it belongs to no field above it"),
        hint: "line it up with the other fields at its level (fields of one mapping start at the same column)".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::read_yaml;

    /// The message and hint of the E003 for `yaml`, and where it is.
    fn explain(yaml: &str) -> (String, String, Pos) {
        let (_, diagnostics) = read_yaml(yaml, "f.md", 2);
        let diagnostic = &diagnostics[0];
        assert_eq!(diagnostic.code, Code::E003);
        (
            diagnostic.message.clone(),
            diagnostic.hint.clone().unwrap_or_default(),
            diagnostic.pos(),
        )
    }

    #[test]
    fn a_colon_in_a_value_is_quoted_with_the_editors_own_field() {
        let (message, hint, at) = explain("title: A\nlead_role: Deputy Chief Nurse: Quality\n");
        assert_eq!(
            message,
            "this value contains `: `, which YAML reads as the start of a new key"
        );
        assert_eq!(
            hint,
            "quote the value: `lead_role: \"Deputy Chief Nurse: Quality\"`"
        );
        assert_eq!(at, Pos::new(3, 30));
    }

    #[test]
    fn a_value_with_double_quotes_is_quoted_with_single_ones() {
        let (_, hint, _) = explain("title: The \"Well-Led\" review: year one\n");
        assert_eq!(
            hint,
            "quote the value: `title: 'The \"Well-Led\" review: year one'`"
        );
    }

    #[test]
    fn an_unclosed_quote_is_named() {
        let (message, hint, at) = explain("title: \"An unclosed quote\nsummary: x\n");
        assert_eq!(
            message,
            "the quote `\"` that starts this value is never closed"
        );
        assert!(hint.starts_with("end the value of `title` with a `\"` on the same line"));
        assert_eq!(at, Pos::new(2, 8));
    }

    #[test]
    fn an_unclosed_bracket_is_pointed_at_where_it_opens() {
        let (message, hint, at) = explain("care_settings: [care-home, nursing\nsummary: x\n");
        assert_eq!(message, "the `[` opened here is never closed with `]`");
        assert!(hint.starts_with("end the list of `care_settings` with `]` on the same line"));
        assert_eq!(at, Pos::new(2, 16));
        let (message, _, _) = explain("organisations: {name: x\nsummary: x\n");
        assert_eq!(message, "the `{` opened here is never closed with `}`");
    }

    #[test]
    fn a_field_indented_under_another_is_explained() {
        let (message, hint, at) = explain("title: A\n  summary: over-indented\n");
        assert_eq!(
            message,
            "`summary:` is indented more than `title:`, so YAML reads it as part of that value"
        );
        assert_eq!(hint, "start `summary:` at the same column as `title:`");
        assert_eq!(at, Pos::new(3, 3));
    }

    #[test]
    fn a_list_items_field_is_lined_up_with_its_first_key() {
        let (message, hint, at) = explain("organisations:\n  - name: A\n   org_type: other\n");
        assert_eq!(
            message,
            "`org_type:` is indented 3 spaces, which fits no field of the list item above"
        );
        assert_eq!(
            hint,
            "indent `org_type:` by 4 spaces, to line up with `name:` after the `- ` above"
        );
        assert_eq!(at, Pos::new(4, 4));
    }

    #[test]
    fn tabs_are_found_in_the_indentation_and_after_a_colon() {
        let (message, _, at) = explain("a:\n\tb: 1\n");
        assert_eq!(message, "a tab in the indentation; YAML allows only spaces");
        assert_eq!(at, Pos::new(3, 1));
        let (message, hint, _) = explain("title:\tA tab after\n");
        assert_eq!(message, "a tab after `title:`; YAML needs a space there");
        assert_eq!(hint, "replace the tab with a space: `title: A tab after`");
    }

    #[test]
    fn reserved_first_characters_and_text_after_a_quote_are_quoted() {
        let (message, hint, _) = explain("title: @handle\n");
        assert_eq!(message, "a value cannot start with `@` unless it is quoted");
        assert_eq!(hint, "quote the value: `title: \"@handle\"`");
        let (message, hint, _) = explain("title: \"Quoted\" then text\n");
        assert_eq!(
            message,
            "the value starts with a quote, so it ends at the closing quote; more text follows it"
        );
        assert_eq!(
            hint,
            "quote the whole value: `title: '\"Quoted\" then text'`"
        );
    }

    #[test]
    fn the_parsers_own_words_are_kept_in_brackets_when_nothing_fits() {
        let (message, _, _) = explain("a: *unknown\n");
        assert!(
            message.starts_with("the YAML here cannot be read ("),
            "{message}"
        );
    }
}
