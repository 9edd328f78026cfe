//! The plan of each image's outputs: its widths and formats, their paths and sizes, and W109
//! when the file is larger than the settings allow.

use super::*;

/// The plan of an image's outputs, and W109 when it is larger than the settings allow.
pub(super) fn plan_outputs(
    source: String,
    format: Format,
    facts: Facts,
    shown: Vec<Shown>,
    settings: &ImageSettings,
) -> (Option<ImageFile>, Vec<Diagnostic>) {
    let size = facts.size;
    let mut diagnostics = Vec::new();
    let limit = settings.warn_over_kb.saturating_mul(1000);
    if facts.len > limit
        && let Some(first) = shown.first()
    {
        diagnostics.push(
            Diagnostic::new(
                Code::W109,
                &first.page_file,
                first.at,
                format!(
                    "the image file `{source}` is {} kB, more than images.warn_over_kb ({} kB)",
                    facts.len.div_ceil(1000),
                    settings.warn_over_kb
                ),
            )
            .with_hint("make it smaller before adding it (a photo needs no more than about 2000 pixels across), or raise `images.warn_over_kb` in casebook.yaml"),
        );
    }
    let widths: Vec<u8> = settings
        .widths
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    let hash = cache::key(&[
        VERSION,
        facts.content.as_bytes(),
        &widths,
        &[settings.quality],
    ]);
    let folder = format!("/images/{}/", &hash[..16]);
    let name = output_name(&source);
    let mut image = ImageFile {
        source,
        format,
        size,
        variants: Vec::new(),
        share: None,
        copied: None,
        hash,
        shown_at: shown.iter().map(|s| (s.page_file.clone(), s.at)).collect(),
    };
    let variant = |width: u32, format: Format| Variant {
        width,
        height: scaled_height(width, size),
        format,
        path: format!("{folder}{name}-{width}.{}", format.extension()),
    };
    if format.is_resized() {
        let widths = variant_widths(size.0, &settings.widths);
        let mut formats = vec![Format::Webp];
        if format != Format::Webp {
            formats.push(format);
        }
        for format in formats {
            image
                .variants
                .extend(widths.iter().map(|&width| variant(width, format)));
        }
        if shown.iter().any(|s| s.share) {
            image.share = Some(variant(size.0.min(SHARE_WIDTH), format.fallback()));
        }
    } else if let Some(static_path) = image.source.strip_prefix("static") {
        image.copied = Some(static_path.to_owned());
    } else {
        image.copied = Some(format!("{folder}{name}.{}", format.extension()));
    }
    (Some(image), diagnostics)
}

/// The name outputs of `source` get: its file name without extension, made a slug
/// (`Care Home Photo.JPG` → `care-home-photo`), or `image`.
pub(super) fn output_name(source: &str) -> String {
    let name = source.rsplit('/').next().unwrap_or(source);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let slug = crate::model::suggest_slug(stem);
    if slug.is_empty() {
        "image".to_owned()
    } else {
        slug
    }
}
