//! The size an SVG image states: its root element's `width` and `height` in pixels, or else
//! its `viewBox`. Only the start tag of the `<svg>` element is read; an SVG is copied as it is.

/// The width and height, rounded to whole pixels, when the SVG states them; `None` when the
/// bytes hold no `<svg` element at all. `Some((0, 0))` is an SVG that gives no size.
pub(super) fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let start = text.find("<svg")?;
    let tag = &text[start + 4..];
    let tag = &tag[..tag.find('>')?];
    let width = attribute(tag, "width").and_then(pixels);
    let height = attribute(tag, "height").and_then(pixels);
    if let (Some(width), Some(height)) = (width, height) {
        return Some((width, height));
    }
    let view_box: Vec<f64> = attribute(tag, "viewBox")
        .map(|value| {
            value
                .split([' ', ','])
                .filter(|part| !part.is_empty())
                .filter_map(|part| part.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    match view_box[..] {
        [_, _, w, h] if w > 0.0 && h > 0.0 => Some((round(w), round(h))),
        _ => Some((0, 0)),
    }
}

/// The value of `name="…"` or `name='…'` in a start tag.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next()?;
        if quote != '"' && quote != '\'' {
            return None;
        }
        let value = &value[1..];
        return value.find(quote).map(|end| &value[..end]);
    }
    None
}

/// A length in pixels (`120`, `120px`, `12.5`); other units (`%`, `em`) are not pixels.
fn pixels(value: &str) -> Option<u32> {
    let number = value.trim().strip_suffix("px").unwrap_or(value.trim());
    let number: f64 = number.parse().ok()?;
    (number > 0.0).then(|| round(number))
}

fn round(value: f64) -> u32 {
    // A size past u32 is not a real image; the cast saturates.
    value.round().clamp(1.0, f64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_from_attributes_or_the_view_box() {
        assert_eq!(
            dimensions(br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="120px" height='80'>"#),
            Some((120, 80))
        );
        assert_eq!(
            dimensions(br#"<svg viewBox="0 0 300.4 150" stroke-width="2">"#),
            Some((300, 150))
        );
        assert_eq!(dimensions(br#"<svg width="100%">"#), Some((0, 0)));
        assert_eq!(dimensions(b"hello"), None);
    }
}
