//! Reading typed values out of a YAML tree, with a diagnostic for every problem.
//!
//! Every function returns its best value (or `None`) and records problems in the [`Reader`],
//! so one bad field never hides another. An optional field that is present but empty counts
//! as absent; a required field that is absent points at the start of its mapping (the
//! opening `---` for top-level fields), one that is empty points at its key.
//!
//! It is long because it holds a reader for every shape of value (text, numbers, dates,
//! periods, slugs, URLs, vocabulary values and their lists), each with the messages and hints
//! editors see; they share the [`Reader`]'s reporting and stay together.

use crate::diagnostics::{Code, Diagnostic, Located, Pos};
use crate::model::time::{Date, OtherForm, Period};
use crate::model::vocab::{Vocabulary, did_you_mean};
use crate::model::{MAX_SLUG_LENGTH, is_valid_slug, suggest_slug};
use crate::parse::yaml::{Node, NodeKind, Style};

/// Collects the diagnostics of one file while its fields are read.
pub(crate) struct Reader<'a> {
    pub(crate) file: &'a str,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// A YAML mapping being read: remembers which keys were used, so the rest can be reported as
/// unknown.
pub(crate) struct Fields<'n> {
    entries: &'n [(Node, Node)],
    used: Vec<bool>,
    /// Where a missing required field is reported.
    pub(crate) at: Pos,
    /// Every key a reader asked for: the registry test compares them with the registry.
    #[cfg(test)]
    asked: Vec<String>,
}

impl<'n> Fields<'n> {
    /// The value of `key`, unless absent or empty.
    pub(crate) fn get(&mut self, key: &str) -> Option<&'n Node> {
        self.get_raw(key).filter(|node| !node.is_empty())
    }

    /// The value of `key` even when empty.
    pub(crate) fn get_raw(&mut self, key: &str) -> Option<&'n Node> {
        #[cfg(test)]
        self.asked.push(key.to_owned());
        let index = self
            .entries
            .iter()
            .position(|(k, _)| k.scalar() == Some(key))?;
        self.used[index] = true;
        Some(&self.entries[index].1)
    }

    /// Marks `key` as read without asking for it: for a key found by looking at what was
    /// written, which has been reported already.
    pub(crate) fn mark_read(&mut self, key: &str) {
        if let Some(index) = self
            .entries
            .iter()
            .position(|(k, _)| k.scalar() == Some(key))
        {
            self.used[index] = true;
        }
    }

    /// Where `key` is written, if it is.
    pub(crate) fn key_at(&self, key: &str) -> Option<Pos> {
        self.entries
            .iter()
            .find(|(k, _)| k.scalar() == Some(key))
            .map(|(k, _)| k.at)
    }

    /// The keys not read so far, with their positions.
    pub(crate) fn unread(&self) -> Vec<(&'n str, Pos)> {
        self.entries
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|((key, _), _)| (key.scalar().unwrap_or(""), key.at))
            .collect()
    }

    /// Whether any of `keys` is present with a value.
    pub(crate) fn has_any(&self, keys: &[&str]) -> bool {
        self.entries
            .iter()
            .any(|(k, v)| k.scalar().is_some_and(|k| keys.contains(&k)) && !v.is_empty())
    }
}

impl<'a> Reader<'a> {
    pub(crate) fn new(file: &'a str) -> Reader<'a> {
        Reader {
            file,
            diagnostics: Vec::new(),
        }
    }

    pub(crate) fn report(
        &mut self,
        code: Code,
        at: Pos,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let hint: String = hint.into();
        let mut diagnostic = Diagnostic::new(code, self.file, at, message);
        if !hint.is_empty() {
            diagnostic = diagnostic.with_hint(hint);
        }
        self.diagnostics.push(diagnostic);
    }

    /// Opens a mapping; a node of another shape is an error.
    pub(crate) fn fields<'n>(&mut self, node: &'n Node, what: &str) -> Option<Fields<'n>> {
        match &node.kind {
            NodeKind::Map(entries) => Some(Fields {
                entries,
                used: vec![false; entries.len()],
                at: node.at,
                #[cfg(test)]
                asked: Vec::new(),
            }),
            _ => {
                self.report(
                    Code::E006,
                    node.at,
                    format!(
                        "{what} must be a mapping of `key: value` lines, not {}",
                        node.shape()
                    ),
                    "write one `key: value` per line, indented under the field",
                );
                None
            }
        }
    }

    /// Opens the mapping under `key`; a required field missing inside it is reported at `key`.
    pub(crate) fn sub_fields<'n>(
        &mut self,
        fields: &mut Fields<'n>,
        key: &str,
        what: &str,
    ) -> Option<Fields<'n>> {
        let node = fields.get(key)?;
        let mut inner = self.fields(node, what)?;
        inner.at = fields.key_at(key).unwrap_or(node.at);
        Some(inner)
    }

    /// Reports every key of `fields` not read, with a suggestion from `known`.
    pub(crate) fn finish(&mut self, fields: Fields<'_>, known: &[&str]) {
        #[cfg(test)]
        asked::record(known, &fields.asked);
        for (index, (key, _)) in fields.entries.iter().enumerate() {
            if fields.used[index] {
                continue;
            }
            let name = key.scalar().unwrap_or("");
            if let Some((field, value)) = split_by_comma(fields.entries, index) {
                self.report(
                    Code::W101,
                    key.at,
                    format!("`{name}` is not a field: a comma inside `{{…}}` ended the value of `{field}`"),
                    format!("quote the value: `{field}: \"{value}, {name}\"`"),
                );
                continue;
            }
            let hint = match did_you_mean(name, known.iter().copied()) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!("known fields here: {}", known.join(", ")),
            };
            self.report(Code::W101, key.at, format!("unknown field `{name}`"), hint);
        }
    }

    /// A required field: reports E005 when absent (at the mapping) or empty (at the key).
    pub(crate) fn required<'n>(&mut self, fields: &mut Fields<'n>, key: &str) -> Option<&'n Node> {
        match fields.get_raw(key) {
            Some(node) if !node.is_empty() => Some(node),
            Some(_) => {
                let at = fields.key_at(key).unwrap_or(fields.at);
                self.report(
                    Code::E005,
                    at,
                    format!("required field `{key}` is empty"),
                    format!("give `{key}` a value"),
                );
                None
            }
            None => {
                self.report(
                    Code::E005,
                    fields.at,
                    format!("required field `{key}` is missing"),
                    format!("add a line `{key}: …`"),
                );
                None
            }
        }
    }

    /// Text of a scalar.
    pub(crate) fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        match &node.kind {
            NodeKind::Scalar(text, _) => Some(text.trim().to_owned()),
            _ => {
                self.report(
                    Code::E006,
                    node.at,
                    format!("`{key}` must be text, not {}", node.shape()),
                    "write the value on the same line as the key",
                );
                None
            }
        }
    }

    pub(crate) fn opt_string(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        let node = fields.get(key)?;
        self.string(node, key)
    }

    pub(crate) fn req_string(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        let node = self.required(fields, key)?;
        self.string(node, key)
    }

    /// Text with a length limit in characters.
    pub(crate) fn limit(
        &mut self,
        node: Option<&Node>,
        text: Option<String>,
        key: &str,
        max: usize,
    ) -> Option<String> {
        let text = text?;
        let length = text.chars().count();
        if length > max
            && let Some(node) = node
        {
            self.report(
                Code::E008,
                node.at,
                format!("`{key}` is {length} characters long, more than {max}"),
                format!("shorten `{key}` to at most {max} characters"),
            );
        }
        Some(text)
    }

    /// A whole number ≥ 0.
    pub(crate) fn int(&mut self, node: &Node, key: &str) -> Option<u64> {
        let text = self.string(node, key)?;
        match text.parse::<i64>() {
            Ok(value) if value >= 0 => Some(value as u64),
            Ok(value) => {
                self.report(
                    Code::E008,
                    node.at,
                    format!("`{key}` is {value}, but it cannot be negative"),
                    "counts are whole numbers of 0 or more",
                );
                None
            }
            Err(_) => {
                let hint = if text.parse::<f64>().is_ok() {
                    "write a whole number such as 12; for a decimal figure use kind: measure"
                } else {
                    "write a whole number such as 12"
                };
                self.report(
                    Code::E006,
                    node.at,
                    format!("`{key}` must be a whole number, found `{text}`"),
                    hint,
                );
                None
            }
        }
    }

    pub(crate) fn opt_int(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<u64> {
        let node = fields.get(key)?;
        self.int(node, key)
    }

    /// A decimal number (a trailing `%` is accepted and dropped).
    pub(crate) fn number(&mut self, node: &Node, key: &str) -> Option<f64> {
        let text = self.string(node, key)?;
        let digits = text
            .strip_suffix('%')
            .unwrap_or(&text)
            .trim()
            .replace(',', "");
        match digits.parse::<f64>() {
            Ok(value) if value.is_finite() => Some(value),
            _ => {
                self.report(
                    Code::E006,
                    node.at,
                    format!("`{key}` must be a number, found `{text}`"),
                    "write a number such as 12 or 4.5, without units",
                );
                None
            }
        }
    }

    pub(crate) fn opt_number(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<f64> {
        let node = fields.get(key)?;
        self.number(node, key)
    }

    pub(crate) fn opt_bool(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<bool> {
        let node = fields.get(key)?;
        let text = self.string(node, key)?;
        match text.as_str() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => {
                self.report(
                    Code::E006,
                    node.at,
                    format!("`{key}` must be true or false, found `{text}`"),
                    format!("write `{key}: true` or `{key}: false`"),
                );
                None
            }
        }
    }

    /// A calendar date `YYYY-MM-DD`.
    pub(crate) fn date(&mut self, node: &Node, key: &str) -> Option<Date> {
        let text = self.string(node, key)?;
        let date = Date::parse(&text);
        if date.is_some() {
            return date;
        }
        let (message, hint) = match Date::read_other_form(&text) {
            _ if looks_like_iso(&text) => (
                format!("`{key}` is not a real date: `{text}`"),
                "write dates as YYYY-MM-DD, for example 2020-02-29".to_owned(),
            ),
            Some(OtherForm::Certain(date)) => (
                format!("`{key}` is not an ISO date: `{text}`"),
                format!("write `{key}: {date}` (dates are YYYY-MM-DD)"),
            ),
            Some(OtherForm::Ambiguous {
                day_first,
                month_first,
            }) => (
                format!(
                    "`{key}` is ambiguous: `{text}` could be {} or {}",
                    day_first.day_and_month(),
                    month_first.day_and_month()
                ),
                format!(
                    "write `{key}: {day_first}` for {} or `{key}: {month_first}` for {} (dates are YYYY-MM-DD)",
                    day_first.day_and_month(),
                    month_first.day_and_month()
                ),
            ),
            None => (
                format!("`{key}` is not an ISO date: `{text}`"),
                "write dates as YYYY-MM-DD, for example 2020-02-29".to_owned(),
            ),
        };
        self.report(Code::E007, node.at, message, hint);
        None
    }

    pub(crate) fn opt_date(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<Date> {
        let node = fields.get(key)?;
        self.date(node, key)
    }

    /// A period: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY/YY` or `YYYY-Qn`.
    pub(crate) fn period(&mut self, node: &Node, key: &str) -> Option<Period> {
        let text = self.string(node, key)?;
        let period = Period::parse(&text);
        if period.is_none() {
            self.report(
                Code::E007,
                node.at,
                format!("`{key}` is not a valid period: `{text}`"),
                "write a period as YYYY, YYYY-MM, YYYY-MM-DD, a financial year such as 2015/16, or a quarter such as 2019-Q2",
            );
        }
        period
    }

    pub(crate) fn opt_period(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<Period> {
        let node = fields.get(key)?;
        self.period(node, key)
    }

    /// A value from a vocabulary, with a did-you-mean suggestion when it is not one.
    pub(crate) fn vocab<V: Vocabulary>(&mut self, node: &Node, key: &str) -> Option<V> {
        let text = self.string(node, key)?;
        let value = V::parse(&text);
        if value.is_none() {
            let hint = match did_you_mean(&text, V::keys()) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!("use one of: {}", V::keys().join(", ")),
            };
            self.report(
                Code::E006,
                node.at,
                format!("`{text}` is not in the {} vocabulary (in `{key}`)", V::NAME),
                hint,
            );
        }
        value
    }

    pub(crate) fn opt_vocab<V: Vocabulary>(
        &mut self,
        fields: &mut Fields<'_>,
        key: &str,
    ) -> Option<V> {
        let node = fields.get(key)?;
        self.vocab(node, key)
    }

    /// The items of a list; a single value counts as a list of one.
    pub(crate) fn list<'n>(&mut self, node: &'n Node, key: &str) -> Vec<&'n Node> {
        match &node.kind {
            NodeKind::Seq(items) => items.iter().filter(|item| !item.is_empty()).collect(),
            NodeKind::Scalar(..) => vec![node],
            NodeKind::Map(_) => {
                self.report(
                    Code::E006,
                    node.at,
                    format!("`{key}` must be a list"),
                    format!("write `{key}:` followed by lines `- item`, or `{key}: [a, b]`"),
                );
                Vec::new()
            }
        }
    }

    pub(crate) fn opt_list<'n>(&mut self, fields: &mut Fields<'n>, key: &str) -> Vec<&'n Node> {
        match fields.get(key) {
            Some(node) => self.list(node, key),
            None => Vec::new(),
        }
    }

    /// A list of vocabulary values.
    pub(crate) fn vocab_list<V: Vocabulary + Ord>(
        &mut self,
        fields: &mut Fields<'_>,
        key: &str,
    ) -> Vec<V> {
        let mut values: Vec<V> = Vec::new();
        for item in self.opt_list(fields, key) {
            if let Some(value) = self.vocab::<V>(item, key)
                && !values.contains(&value)
            {
                values.push(value);
            }
        }
        values
    }

    /// A list of free-text terms (topics), each of which must have a letter or digit to make
    /// its page's address from (see [`crate::model::term_key`]).
    pub(crate) fn term_list(&mut self, fields: &mut Fields<'_>, key: &str) -> Vec<String> {
        let items = self.opt_list(fields, key);
        let mut terms = Vec::new();
        for item in items {
            let Some(text) = self.string(item, key) else {
                continue;
            };
            if crate::model::term_key(&text).is_empty() {
                self.report(
                    Code::E006,
                    item.at,
                    format!("`{text}` has no letter or digit to make its page's address from (in `{key}`)"),
                    "write the topic in words, such as `falls prevention`, or remove it",
                );
            } else {
                terms.push(text);
            }
        }
        terms
    }

    /// A list of text values.
    pub(crate) fn string_list(&mut self, fields: &mut Fields<'_>, key: &str) -> Vec<String> {
        let items = self.opt_list(fields, key);
        items
            .into_iter()
            .filter_map(|item| self.string(item, key))
            .collect()
    }

    /// A slug: lower-case letters and digits in groups joined by single hyphens, 3–80 long.
    pub(crate) fn slug(&mut self, node: &Node, key: &str) -> Option<Located<String>> {
        let text = self.string(node, key)?;
        if is_valid_slug(&text) {
            return Some(Located::new(text, node.at));
        }
        let length = text.chars().count();
        let suggestion = suggest_slug(&text);
        let (message, hint) = if length > MAX_SLUG_LENGTH {
            (
                format!(
                    "the slug in `{key}` is {length} characters long; a slug has at most {MAX_SLUG_LENGTH}"
                ),
                format!("shorten it, for example to `{suggestion}`"),
            )
        } else if length < 3 {
            (
                format!("the slug in `{key}` is {length} characters long; a slug has at least 3"),
                "use a word or two that name the page, such as `falls-huddles`".to_owned(),
            )
        } else {
            (
                format!("`{text}` is not a valid slug (in `{key}`)"),
                format!(
                    "slugs are lower-case letters, digits and single hyphens, such as `{suggestion}`"
                ),
            )
        };
        self.report(Code::E006, node.at, message, hint);
        None
    }

    /// A reference to another page: a slug; its target is checked when the site is linked.
    pub(crate) fn reference(&mut self, node: &Node, key: &str) -> Option<Located<String>> {
        self.slug(node, key)
    }

    pub(crate) fn opt_reference(
        &mut self,
        fields: &mut Fields<'_>,
        key: &str,
    ) -> Option<Located<String>> {
        let node = fields.get(key)?;
        self.reference(node, key)
    }

    pub(crate) fn reference_list(
        &mut self,
        fields: &mut Fields<'_>,
        key: &str,
    ) -> Vec<Located<String>> {
        let items = self.opt_list(fields, key);
        items
            .into_iter()
            .filter_map(|item| self.reference(item, key))
            .collect()
    }

    /// An absolute http(s) URL.
    pub(crate) fn url(&mut self, node: &Node, key: &str) -> Option<String> {
        let text = self.string(node, key)?;
        let is_url = ["https://", "http://"].iter().any(|scheme| {
            text.len() > scheme.len() && text[..scheme.len()].eq_ignore_ascii_case(scheme)
        }) && !text.contains(char::is_whitespace);
        if is_url {
            Some(text)
        } else {
            self.report(
                Code::E006,
                node.at,
                format!("`{key}` must be an absolute web address, found `{text}`"),
                "write the full address, starting with https://",
            );
            None
        }
    }

    pub(crate) fn opt_url(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        let node = fields.get(key)?;
        self.url(node, key)
    }
}

/// When the key at `index` looks like the tail of the value before it, cut off by a comma in a
/// `{…}` mapping (`{name: My Home Life (City, University of London)}`), the previous field's
/// key and value. Such a key has no `:` of its own, so no value; it is not a name a field
/// could have (it has a space or punctuation); and the value before it is unquoted text.
fn split_by_comma(entries: &[(Node, Node)], index: usize) -> Option<(&str, &str)> {
    let (key, value) = &entries[index];
    let name = key.scalar()?;
    let could_be_a_field = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if could_be_a_field
        || !matches!(&value.kind, NodeKind::Scalar(text, Style::Plain) if text.is_empty())
    {
        return None;
    }
    let (previous_key, previous_value) = entries.get(index.checked_sub(1)?)?;
    match &previous_value.kind {
        NodeKind::Scalar(text, Style::Plain) if !text.is_empty() => {
            Some((previous_key.scalar()?, text.as_str()))
        }
        _ => None,
    }
}

/// Whether a scalar node was written with quotes.
pub(crate) fn is_quoted(node: &Node) -> bool {
    matches!(node.kind, NodeKind::Scalar(_, Style::Quoted))
}

fn looks_like_iso(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-'
}

/// In test builds, a log of the keys each mapping's reader asked for, with the keys it then
/// called known: the registry test parses whole sites and compares the two.
#[cfg(test)]
pub(crate) mod asked {
    use std::cell::RefCell;

    /// One mapping read: the keys passed to `finish` as known, and the keys asked for.
    pub(crate) struct Record {
        pub(crate) known: Vec<String>,
        pub(crate) asked: Vec<String>,
    }

    thread_local! {
        static LOG: RefCell<Vec<Record>> = const { RefCell::new(Vec::new()) };
    }

    pub(super) fn record(known: &[&str], asked: &[String]) {
        let record = Record {
            known: known.iter().map(|key| (*key).to_owned()).collect(),
            asked: asked.to_vec(),
        };
        LOG.with(|log| log.borrow_mut().push(record));
    }

    /// The mappings read on this thread since the last call.
    pub(crate) fn take() -> Vec<Record> {
        LOG.with(|log| std::mem::take(&mut *log.borrow_mut()))
    }
}
