//! The theme's scripts, as the site ships them: comments and indentation out, everything else
//! byte for byte. The search client must stay within 12 KB gzipped (search-design.md §5.4) and
//! still be written for people to read, with comments; this is what lets it be both.
//!
//! The rules are few enough to be safe without parsing JavaScript. Only a template literal (a
//! backtick) or a backslash at the end of a line lets a string run over lines. Without them, no
//! string or regular expression spans a line, so a line whose first non-blank characters are
//! `//` is a comment, and so is a `/*` there, up to its `*/`. Should a line of code that is kept
//! hold a backtick or end in a backslash, the script is returned as it is: a string over several
//! lines must start on such a line, as the lines before it are read rightly. Lines are never joined (automatic semicolons stay where they were),
//! comments after code on a line are kept, and so are `/*!` comments (licences).

/// `source` with whole-line comments, indentation and blank lines removed, or `None` when the
/// rules above cannot be applied safely (or the bytes are not UTF-8).
pub fn js(source: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(source).ok()?;
    let mut out = String::with_capacity(text.len());
    let mut in_comment = false;
    for line in text.lines() {
        let mut code = line.trim();
        if in_comment {
            match code.find("*/") {
                Some(end) => {
                    in_comment = false;
                    code = code[end + 2..].trim_start();
                }
                None => continue,
            }
        }
        while code.starts_with("/*") && !code.starts_with("/*!") {
            match code[2..].find("*/") {
                Some(end) => code = code[2 + end + 2..].trim_start(),
                None => {
                    in_comment = true;
                    code = "";
                }
            }
        }
        if code.is_empty() || code.starts_with("//") {
            continue;
        }
        if code.contains('`') || code.ends_with('\\') {
            return None;
        }
        out.push_str(code);
        out.push('\n');
    }
    Some(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::js;

    fn minified(source: &str) -> Option<String> {
        js(source.as_bytes()).map(|bytes| String::from_utf8(bytes).expect("UTF-8"))
    }

    #[test]
    fn whole_line_comments_indentation_and_blank_lines_go() {
        let source = "/* A file comment\n   over two lines. */\n(function () {\n  'use strict';\n\n  // a note\n  var a = 1; // kept: after code\n  /** One line. */ var b = a / 2; /* kept */\n    return a;\n})();\n";
        assert_eq!(
            minified(source).as_deref(),
            Some(
                "(function () {\n'use strict';\nvar a = 1; // kept: after code\nvar b = a / 2; /* kept */\nreturn a;\n})();\n"
            )
        );
    }

    #[test]
    fn strings_and_regular_expressions_keep_their_slashes() {
        let source =
            "var u = 'http://x/'; // c\nvar r = /\\/\\*/g;\nvar s = \"/* not a comment */\";\n";
        assert_eq!(
            minified(source).as_deref(),
            Some(
                "var u = 'http://x/'; // c\nvar r = /\\/\\*/g;\nvar s = \"/* not a comment */\";\n"
            )
        );
    }

    #[test]
    fn licences_stay_and_lines_are_never_joined() {
        assert_eq!(
            minified("/*! MIT */\na = 1\n\n  b = 2\n").as_deref(),
            Some("/*! MIT */\na = 1\nb = 2\n")
        );
    }

    #[test]
    fn scripts_whose_strings_may_span_lines_are_left_alone() {
        assert_eq!(minified("var t = `a\n  // b`;\n"), None);
        assert_eq!(
            minified("// `a` in a comment\nvar a = 1;\n").as_deref(),
            Some("var a = 1;\n")
        );
        assert_eq!(minified("var s = 'a\\\n  // b';\n"), None);
        assert_eq!(js(&[0xff, 0xfe]), None);
    }

    #[test]
    fn the_theme_client_shrinks_and_keeps_every_line_of_code() {
        for name in ["search-core.js", "search.js"] {
            let path = format!(
                "{}/themes/default/static/js/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            let source = std::fs::read_to_string(&path).expect("the theme's client");
            let out = minified(&source).expect("the client has no multi-line strings");
            assert!(
                out.len() < source.len() * 9 / 10,
                "{name}: {} of {}",
                out.len(),
                source.len()
            );
            // Every line shipped ends a source line, in the source's order.
            let mut lines = source.lines();
            for shipped in out.lines() {
                assert!(
                    lines.any(|line| line.trim_end().ends_with(shipped)),
                    "{name}: {shipped:?} is not the end of a later source line"
                );
            }
        }
    }
}
