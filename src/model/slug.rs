//! Names made from text: slugs (a page's name in its URL), the keys of free-text terms such
//! as topics, and the accent folding both use. The search index folds with the same table
//! (the browser client holds a copy; a test checks they agree).

use std::sync::OnceLock;

/// Accent folding after lower-casing: each space-separated entry is a letter followed by what
/// it stands for. The search client holds the same string (a test checks they agree).
pub const FOLD_TABLE: &str = "àa áa âa ãa äa åa āa ăa ąa æae çc ćc ĉc ċc čc ďd đd ðd èe ée êe ëe ēe ĕe ėe ęe ěe ĝg ğg ġg ģg ĥh ħh ìi íi îi ïi ĩi īi ĭi įi ıi ĵj ķk ĺl ļl ľl ŀl łl ñn ńn ņn ňn òo óo ôo õo öo øo ōo ŏo őo œoe ŕr ŗr řr śs ŝs şs šs ßss ţt ťt ŧt þth ùu úu ûu üu ũu ūu ŭu ůu űu ųu ŵw ýy ÿy ŷy źz żz žz";

/// [`FOLD_TABLE`] as a sorted map from letter to what it stands for.
fn fold_map() -> &'static [(char, &'static str)] {
    static MAP: OnceLock<Vec<(char, &'static str)>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map: Vec<(char, &'static str)> = FOLD_TABLE
            .split(' ')
            .filter_map(|entry| {
                let mut chars = entry.char_indices();
                let (_, from) = chars.next()?;
                let (at, _) = chars.next()?;
                Some((from, &entry[at..]))
            })
            .collect();
        map.sort_unstable();
        map
    })
}

/// What a lower-case letter stands for in [`FOLD_TABLE`] (`é` → `e`, `æ` → `ae`), if it is
/// folded.
pub fn fold_lower(lower: char) -> Option<&'static str> {
    fold_map()
        .binary_search_by(|(from, _)| from.cmp(&lower))
        .ok()
        .map(|index| fold_map()[index].1)
}

/// A character lower-cased and folded (`É` → `e`, `Æ` → `ae`); other characters lower-cased.
pub fn fold_accent(c: char) -> impl Iterator<Item = char> {
    c.to_lowercase().flat_map(|lower| match fold_lower(lower) {
        Some(folded) => either_chars(folded, None),
        None => either_chars("", Some(lower)),
    })
}

fn either_chars(text: &'static str, single: Option<char>) -> impl Iterator<Item = char> {
    text.chars().chain(single)
}

/// Whether `text` is a valid slug: 3 to 80 lower-case letters and digits in groups joined by
/// single hyphens.
pub fn is_valid_slug(text: &str) -> bool {
    let length = text.len();
    (3..=80).contains(&length)
        && text.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The most characters a slug may have.
pub const MAX_SLUG_LENGTH: usize = 80;

/// A slug made from any text: lower case, accents folded, other characters as single hyphens,
/// and at most [`MAX_SLUG_LENGTH`] long (cut after a whole word, at a hyphen, when it can be).
pub fn suggest_slug(text: &str) -> String {
    let out = hyphenated(text, |c| c.is_ascii_alphanumeric());
    let out = out.trim_end_matches('-');
    if out.len() <= MAX_SLUG_LENGTH {
        return out.to_owned();
    }
    // The slug is ASCII, so byte positions are characters.
    let cut = match out[..=MAX_SLUG_LENGTH].rfind('-') {
        Some(hyphen) if hyphen >= 3 => hyphen,
        _ => MAX_SLUG_LENGTH,
    };
    out[..cut].trim_end_matches('-').to_owned()
}

/// The address of a free-text term such as a topic: lower case, accents folded, letters and
/// digits of any script kept, everything else as single hyphens. `Falls prevention` →
/// `falls-prevention`, `Café culture` → `cafe-culture`, `日本語` → `日本語`. Empty when the text
/// has no letter or digit; the parse stage reports such a topic.
pub fn term_key(text: &str) -> String {
    let mut out = hyphenated(text, char::is_alphanumeric);
    out.truncate(out.trim_end_matches('-').len());
    out
}

/// `text` lower-cased and folded, the characters `kept` kept and every run of others one
/// hyphen (none at the start; one may end it).
fn hyphenated(text: &str, kept: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut push = |c: char| {
        if kept(c) {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    };
    for c in text.chars() {
        // No ASCII letter is folded: most text needs neither table.
        if c.is_ascii() {
            push(c.to_ascii_lowercase());
        } else {
            fold_accent(c).for_each(&mut push);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_valid_slug("well-led-2019"));
        assert!(!is_valid_slug("Bad_Slug"));
        assert!(!is_valid_slug("a--b"));
        assert!(!is_valid_slug("ab"));
        assert_eq!(suggest_slug("Bad_Slug"), "bad-slug");
        assert_eq!(suggest_slug("Café & Crèche!"), "cafe-creche");
    }

    #[test]
    fn a_suggested_slug_is_cut_after_a_whole_word_at_80() {
        let long =
            "the-registered-managers-network-and-its-peer-support-programme-in-the-north-east-now";
        assert_eq!(long.len(), 84);
        let short = suggest_slug(long);
        assert_eq!(
            short,
            "the-registered-managers-network-and-its-peer-support-programme-in-the-north-east"
        );
        assert!(is_valid_slug(&short));
        // A hyphen exactly after the 80th character keeps all 80.
        let exact = format!("{}-more", "a".repeat(80));
        assert_eq!(suggest_slug(&exact), "a".repeat(80));
        // One long word is cut at 80.
        assert_eq!(suggest_slug(&"b".repeat(90)).len(), 80);
    }

    #[test]
    fn folding_covers_the_search_table_in_either_case() {
        let folded: String = "Ğüzel ÇAFÉ Œuvre Þing"
            .chars()
            .flat_map(fold_accent)
            .collect();
        assert_eq!(folded, "guzel cafe oeuvre thing");
        assert_eq!(term_key("日本語"), "日本語");
        assert_eq!(term_key("Ελληνικά"), "ελληνικά");
        assert_eq!(term_key("!!!"), "");
    }

    #[test]
    fn terms_and_slugs_fold_mixed_text_and_join_runs_with_one_hyphen() {
        assert_eq!(term_key("  Falls  prevention!! "), "falls-prevention");
        assert_eq!(term_key("ŒUVRE & Café, 2024"), "oeuvre-cafe-2024");
        assert_eq!(term_key("Straße—Ærø_日本"), "strasse-aero-日本");
        assert_eq!(suggest_slug("Straße—Ærø_日本 Home"), "strasse-aero-home");
        assert_eq!(suggest_slug("--Well-Led--"), "well-led");
    }
}
