//! The pixel work: reading an image's size from its header, decoding it, resizing it and
//! encoding the result. Pure functions of bytes.
//!
//! `image` decodes (JPEG through zune-jpeg, PNG, WebP, GIF, all in Rust) and encodes JPEG and
//! PNG; `fast_image_resize` resizes (Lanczos3, with SIMD); `webp` binds libwebp, whose lossy
//! encoder is the reference one (the `image` crate writes only lossless WebP, which for a
//! photograph is larger than the JPEG).

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageReader, metadata::Orientation};

use super::Format;

/// The width and height an image is shown at (after its EXIF orientation), from its header.
/// An error says, in plain words, why the bytes are not an image of `format`.
pub(super) fn dimensions(bytes: &[u8], format: Format) -> Result<(u32, u32), String> {
    if format == Format::Svg {
        return super::svg::dimensions(bytes)
            .ok_or_else(|| "it is not an SVG image (no `<svg` element)".to_owned());
    }
    let mut decoder = decoder(bytes, format)?;
    let (width, height) = decoder.dimensions();
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    if width == 0 || height == 0 {
        return Err("it has no pixels".to_owned());
    }
    Ok(if swaps_sides(orientation) {
        (height, width)
    } else {
        (width, height)
    })
}

/// Decodes the whole image, turned upright by its EXIF orientation.
pub(super) fn decode(bytes: &[u8], format: Format) -> Result<DynamicImage, String> {
    let mut decoder = decoder(bytes, format)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|error| error.to_string())?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn decoder(bytes: &[u8], format: Format) -> Result<Box<dyn ImageDecoder + '_>, String> {
    let expected = match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::Webp => image::ImageFormat::WebP,
        Format::Gif => image::ImageFormat::Gif,
        Format::Svg => return Err("an SVG image is not decoded".to_owned()),
    };
    let found = image::guess_format(bytes).ok();
    if found != Some(expected) {
        return Err(match found {
            Some(other) => format!(
                "its contents are {}, not {}",
                format_name(other),
                format.name()
            ),
            None => format!("its contents are not {} data", format.name()),
        });
    }
    ImageReader::with_format(Cursor::new(bytes), expected)
        .into_decoder()
        .map(|decoder| Box::new(decoder) as Box<dyn ImageDecoder>)
        .map_err(|error| error.to_string())
}

fn format_name(format: image::ImageFormat) -> String {
    format!("{format:?}").to_ascii_uppercase()
}

fn swaps_sides(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// The widths to make of an image `original` pixels wide: each configured width below it, and
/// the original width itself when a configured width reaches it. Never wider than the original.
pub fn variant_widths(original: u32, widths: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = widths
        .iter()
        .copied()
        .filter(|&width| width < original)
        .collect();
    if widths.iter().any(|&width| width >= original) {
        out.push(original);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The height of an image `width` wide with the proportions of `(original_width, original_height)`,
/// at least 1.
pub fn scaled_height(width: u32, original: (u32, u32)) -> u32 {
    let (w, h) = (u64::from(original.0.max(1)), u64::from(original.1));
    let height = (u64::from(width) * h + w / 2) / w;
    u32::try_from(height.max(1)).unwrap_or(u32::MAX)
}

/// `image` resized to `width` × `height` (the same image when that is its size).
pub(super) fn resize(
    image: &DynamicImage,
    width: u32,
    height: u32,
) -> Result<DynamicImage, String> {
    if image.width() == width && image.height() == height {
        return Ok(image.clone());
    }
    let mut resized = DynamicImage::new(width, height, image.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(image, &mut resized, &options)
        .map_err(|error| error.to_string())?;
    Ok(resized)
}

/// `image` (already of the size wanted) encoded as `format` at `quality` (1 to 100).
pub(super) fn encode(image: &DynamicImage, format: Format, quality: u8) -> Result<Vec<u8>, String> {
    match format {
        Format::Webp => {
            let encoded = if image.color().has_alpha() {
                let rgba = image.to_rgba8();
                webp::Encoder::from_rgba(&rgba, rgba.width(), rgba.height())
                    .encode_simple(false, f32::from(quality))
            } else {
                let rgb = image.to_rgb8();
                webp::Encoder::from_rgb(&rgb, rgb.width(), rgb.height())
                    .encode_simple(false, f32::from(quality))
            };
            encoded
                .map(|memory| memory.to_vec())
                .map_err(|error| format!("WebP encoding failed: {error:?}"))
        }
        Format::Jpeg => {
            let mut out = Vec::new();
            let rgb = image.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
                .encode_image(&rgb)
                .map_err(|error| error.to_string())?;
            Ok(out)
        }
        Format::Png => {
            let mut out = Vec::new();
            image
                .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
                .map_err(|error| error.to_string())?;
            Ok(out)
        }
        Format::Gif | Format::Svg => {
            Err(format!("{} images are copied, not encoded", format.name()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_never_exceed_the_original() {
        assert_eq!(
            variant_widths(2000, &[480, 960, 1600]),
            vec![480, 960, 1600]
        );
        assert_eq!(
            variant_widths(1200, &[480, 960, 1600]),
            vec![480, 960, 1200]
        );
        assert_eq!(variant_widths(960, &[480, 960, 1600]), vec![480, 960]);
        assert_eq!(variant_widths(300, &[480, 960, 1600]), vec![300]);
        assert_eq!(variant_widths(480, &[480]), vec![480]);
    }

    #[test]
    fn heights_keep_the_proportions() {
        assert_eq!(scaled_height(480, (2000, 1000)), 240);
        assert_eq!(scaled_height(960, (1999, 1333)), 640);
        assert_eq!(scaled_height(16, (4000, 10)), 1);
    }

    fn photo(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([
                (x * 7 % 256) as u8,
                (y * 5 % 256) as u8,
                ((x + y) % 256) as u8,
            ])
        }))
    }

    #[test]
    fn resized_images_encode_and_decode_at_their_size() {
        let small = resize(&photo(64, 40), 32, scaled_height(32, (64, 40))).unwrap();
        assert_eq!((small.width(), small.height()), (32, 20));
        for format in [Format::Webp, Format::Jpeg, Format::Png] {
            let bytes = encode(&small, format, 80).unwrap();
            assert_eq!(dimensions(&bytes, format).unwrap(), (32, 20), "{format:?}");
            let again = decode(&bytes, format).unwrap();
            assert_eq!((again.width(), again.height()), (32, 20));
        }
    }

    #[test]
    fn text_named_jpg_is_not_an_image() {
        let error = dimensions(b"this is not a photo", Format::Jpeg).unwrap_err();
        assert!(error.contains("not JPEG"), "{error}");
        let png = encode(&photo(4, 4), Format::Png, 80).unwrap();
        let error = dimensions(&png, Format::Jpeg).unwrap_err();
        assert!(error.contains("PNG, not JPEG"), "{error}");
    }

    #[test]
    fn a_truncated_image_reads_its_size_but_fails_to_decode() {
        let png = encode(&photo(64, 64), Format::Png, 80).unwrap();
        let cut = &png[..png.len() / 2];
        assert_eq!(dimensions(cut, Format::Png).unwrap(), (64, 64));
        assert!(decode(cut, Format::Png).is_err());
    }
}
