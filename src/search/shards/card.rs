//! A document's result card: the JSON object the search page shows for it, as its script.

use serde::Serialize;

use super::script;
use crate::search::docs::{KEY_QUESTION, REGION, SETTING, SearchDoc, TYPE};

/// The result card of document `doc`, as its script.
pub fn card(doc: usize, d: &SearchDoc) -> Vec<u8> {
    let labels: Vec<&str> = d
        .facets
        .iter()
        .filter(|(f, _, _)| [REGION, SETTING, KEY_QUESTION].contains(f))
        .map(|(_, _, label)| label.as_str())
        .collect();
    let kind = d
        .facets
        .iter()
        .find(|(f, _, _)| *f == TYPE)
        .map(|(_, _, label)| label.as_str())
        .unwrap_or_default();
    // The date as the pages write it; the index sorts by the date itself, kept elsewhere.
    let date = d
        .date
        .as_deref()
        .and_then(crate::model::time::Date::parse)
        .map(crate::render::format::date_text);
    // The fields in the order of their keys, as a JSON object of `json!` would write them;
    // the text, last and most of the bytes, is written after them by `put_json_string`.
    #[derive(Serialize)]
    struct Card<'a> {
        d: Option<String>,
        f: Vec<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        h: Option<&'a str>,
        k: &'a str,
        o: &'a [String],
        s: &'a str,
        t: &'a str,
        u: &'a str,
    }
    let card = Card {
        d: date,
        f: labels,
        h: d.headline.as_deref(),
        k: kind,
        o: &d.figures,
        s: &d.summary,
        t: &d.title,
        u: &d.url,
    };
    let key = format!("d/{doc}");
    let mut out = Vec::with_capacity(key.len() + d.text.len() + d.summary.len() + 256);
    for part in ["__CS_SHARD(\"", &key, "\","] {
        out.extend_from_slice(part.as_bytes());
    }
    // Writing into a Vec fails only for a value JSON cannot hold, which none of these is.
    if serde_json::to_writer(&mut out, &card).is_err() || out.pop() != Some(b'}') {
        return script(&key, "null");
    }
    out.extend_from_slice(b",\"x\":");
    put_json_string(&mut out, &d.text);
    out.extend_from_slice(b"});\n");
    out
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it: `"` and `\\` with a
/// backslash, the control characters below U+0020 as `\\b \\t \\n \\f \\r` or `\\u00xx`, all
/// else as it is. The runs between escapes are found eight bytes at a time.
fn put_json_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let run = plain_prefix(&bytes[at..]);
        out.extend_from_slice(&bytes[at..at + run]);
        at += run;
        let Some(&byte) = bytes.get(at) else { break };
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xf)]);
            }
        }
        at += 1;
    }
    out.push(b'"');
}

/// The length of the run at the start of `bytes` that JSON writes as it is (no `"`, `\\` or
/// byte below 0x20), found eight bytes at a time: in a byte's low seven bits, adding 0x60
/// sets the top bit from 0x20 up; a byte equal to `"` or `\\` is a zero byte once xored with
/// it, and adding 0x7f to a byte's low seven bits sets the top bit unless they are zero. A
/// byte whose own top bit is set (not ASCII) is written as it is.
fn plain_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW: u64 = !HIGH;
    let zero_bytes = |word: u64| !(((word & LOW) + LOW) | word) & HIGH;
    let mut length = 0;
    let mut blocks = bytes.chunks_exact(8);
    for block in &mut blocks {
        let mut word = [0u8; 8];
        word.copy_from_slice(block);
        let word = u64::from_le_bytes(word);
        let control = !((word & LOW) + 0x60 * ONES) & !word & HIGH;
        let escaped = control
            | zero_bytes(word ^ (u64::from(b'"') * ONES))
            | zero_bytes(word ^ (u64::from(b'\\') * ONES));
        if escaped != 0 {
            return length + escaped.trailing_zeros() as usize / 8;
        }
        length += 8;
    }
    let rest = blocks.remainder();
    length
        + rest
            .iter()
            .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
            .unwrap_or(rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A result card is written straight from the page's fields: the same bytes as the JSON object
    /// of them (keys in order, the headline only when there is one), with quotes, line breaks and
    /// other characters escaped as JSON escapes them.
    #[test]
    fn a_card_is_the_json_object_of_its_fields() {
        let page = |headline: Option<&str>, date: Option<&str>| SearchDoc {
            url: "/case-studies/a \"b\"/".into(),
            title: "Falls \u{2014} \"night\" staff\n".into(),
            summary: "Less <b>harm</b> \\ more care\t".into(),
            kind: "case-study".into(),
            date: date.map(str::to_owned),
            facets: vec![
                (
                    crate::search::docs::TYPE,
                    "case-study".into(),
                    "Case study".into(),
                ),
                (
                    crate::search::docs::REGION,
                    "london".into(),
                    "London".into(),
                ),
                (crate::search::docs::TOPIC, "falls".into(), "Falls".into()),
            ],
            figures: vec!["Falls: 12%".into(), "Cost: \u{a3}3".into()],
            headline: headline.map(str::to_owned),
            text: "Line one\nline \u{1} two".into(),
            ..SearchDoc::default()
        };
        for (headline, date, shown) in [
            (Some("Falls down 12%"), Some("2024-05-01"), true),
            (None, None, false),
        ] {
            let shown = shown.then(|| {
                let date = crate::model::time::Date::parse("2024-05-01").expect("a date");
                crate::render::format::date_text(date)
            });
            let doc = page(headline, date);
            let mut object = serde_json::json!({
                "u": doc.url, "t": doc.title, "s": doc.summary, "k": "Case study", "d": shown,
                "f": ["London"], "o": doc.figures, "x": doc.text,
            });
            if let Some(headline) = headline {
                object["h"] = serde_json::json!(headline);
            }
            let expected = format!("__CS_SHARD(\"d/7\",{object});\n");
            assert_eq!(String::from_utf8(card(7, &doc)).expect("text"), expected);
        }
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// The card's text is written as serde_json writes a string, on texts full of what
        /// JSON escapes (every control character, quotes, backslashes) and what it does not.
        #[test]
        fn json_strings_are_those_of_serde_json(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap_or('a').to_string()),
                    proptest::sample::select(vec![
                        "\"", "\\", "a", "Falls", " ", "\u{7f}", "\u{2014}", "é", "!", "#", "]",
                        "\u{1F600}", "0123456789",
                    ]).prop_map(str::to_owned),
                ],
                0..40,
            ),
        ) {
            let text = pieces.concat();
            let mut written = Vec::new();
            put_json_string(&mut written, &text);
            let expected = serde_json::to_string(&text).expect("a string");
            proptest::prop_assert_eq!(String::from_utf8(written).expect("text"), expected);
        }
    }
}
