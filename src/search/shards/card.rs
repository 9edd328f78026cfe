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
    // The fields in the order of their keys, as a JSON object of `json!` would write them.
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
        x: &'a str,
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
        x: &d.text,
    };
    let key = format!("d/{doc}");
    let mut out = Vec::with_capacity(key.len() + d.text.len() + d.summary.len() + 256);
    for part in ["__CS_SHARD(\"", &key, "\","] {
        out.extend_from_slice(part.as_bytes());
    }
    // Writing into a Vec fails only for a value JSON cannot hold, which none of these is.
    if serde_json::to_writer(&mut out, &card).is_err() {
        return script(&key, "null");
    }
    out.extend_from_slice(b");\n");
    out
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
}
