//! Share images as PNG: a card's SVG text ([`super::share_card`]) rasterised by resvg.
//!
//! The image must be the same bytes on every machine, fonts installed or not, so text is drawn
//! only with the fonts embedded in the binary (Open Sans, Apache-2.0, `assets/fonts/`): the
//! font database holds nothing else, and it is parsed once per process. The PNG is indexed
//! when the card has at most 256 colours (it usually has), else 8-bit RGB (the card is
//! opaque), encoded with fixed settings, so the same SVG always gives the same bytes.
//!
//! [`ShareImages`] is what render is handed: it looks a card up in the `share` namespace of
//! the cache, keyed by what the picture depends on (the card's inputs, given by
//! [`super::share_card::card_key`], and [`picture_code`]: the code that draws it, its fonts
//! and the rasterising crates), so that a warm build draws no SVG at all; it draws and
//! rasterises only on a miss, counting what it rasterised.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use resvg::tiny_skia;
use resvg::usvg::{self, fontdb};

use crate::cache::{self, Cache};
use crate::write::OutputFile;

/// The embedded regular face.
pub(crate) const FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/OpenSans-Regular.ttf");
/// The embedded bold face.
pub(crate) const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/OpenSans-Bold.ttf");
/// The family name of the embedded fonts, as the card's SVG names it.
pub(crate) const FONT_FAMILY: &str = "Open Sans";

/// Width of a share image in pixels (what OpenGraph asks for a large card).
pub const WIDTH: u32 = 1200;
/// Height of a share image in pixels.
pub const HEIGHT: u32 = 630;

/// Part of every cache key, beside [`picture_code`], which already follows this file, the
/// card's code, the fonts and the rasterising crates: bump it when something else comes to
/// change the picture, so that old entries are not used.
pub const RENDERER_VERSION: &str = "share-png-3";

/// The source of the code a card's picture depends on beyond its inputs: how it is laid out
/// and drawn (`share_card.rs`), rasterised and encoded (this file), how its numbers, dates and
/// units read (`format.rs`, `outcomes.rs`, `model/time.rs`), its ratings' names
/// (`model/vocab.rs`) and how its text is escaped (`escape.rs`). A file that comes to shape
/// the card must be added here (`share_card`'s tests draw every kind of card).
const PICTURE_SOURCES: [&str; 7] = [
    include_str!("share_card.rs"),
    include_str!("share_image.rs"),
    include_str!("format.rs"),
    include_str!("outcomes.rs"),
    include_str!("escape.rs"),
    include_str!("../model/time.rs"),
    include_str!("../model/vocab.rs"),
];

/// The crates that draw and measure a card: they and what they depend on, as `Cargo.lock`
/// pins them, are part of every key.
const PICTURE_CRATES: [&str; 3] = ["resvg", "png", "skrifa"];

/// A digest of everything a card's picture depends on besides its inputs: [`RENDERER_VERSION`],
/// the code ([`PICTURE_SOURCES`]), the embedded fonts' bytes, and the rasterising crates
/// ([`picture_crates`] of the `Cargo.lock` and `Cargo.toml` the binary was built with). Made
/// once per process. Digesting the code itself, not a constant someone must remember to bump,
/// means that no change to how a card is drawn can serve an image drawn before it; the price
/// is that any edit of those files, even of a comment, redraws every card once.
pub(crate) fn picture_code() -> &'static str {
    static CODE: OnceLock<String> = OnceLock::new();
    CODE.get_or_init(|| {
        let crates = picture_crates(
            include_str!("../../Cargo.lock"),
            include_str!("../../Cargo.toml"),
        );
        let mut parts: Vec<&[u8]> = vec![RENDERER_VERSION.as_bytes()];
        parts.extend(PICTURE_SOURCES.iter().map(|s| s.as_bytes()));
        parts.extend([FONT_REGULAR, FONT_BOLD, FONT_FAMILY.as_bytes()]);
        parts.push(crates.as_bytes());
        cache::key(&parts)
    })
}

/// What a card's picture takes from the crates it is drawn with: the `Cargo.lock` entries
/// (name, version, checksum) of [`PICTURE_CRATES`] and everything they depend on, and the
/// `Cargo.toml` lines that ask for them (their features). An update of another crate leaves
/// it alone; one of resvg, tiny-skia or png, or of anything under them, changes it. Should the
/// lock file not read as expected, it is the whole lock file: a needless redraw rather than a
/// stale image.
pub(crate) fn picture_crates(lock: &str, manifest: &str) -> String {
    struct Package<'a> {
        name: &'a str,
        version: &'a str,
        entry: &'a str,
        dependencies: Vec<&'a str>,
    }
    let packages: Vec<Package<'_>> = lock
        .split("[[package]]")
        .skip(1)
        .filter_map(|block| {
            let field = |key: &str| {
                block.lines().find_map(|line| {
                    line.strip_prefix(key)?
                        .strip_prefix(" = \"")?
                        .strip_suffix('"')
                })
            };
            let dependencies = block
                .split_once("dependencies = [")
                .and_then(|(_, rest)| rest.split_once(']'))
                .map(|(list, _)| {
                    list.lines()
                        .filter_map(|l| l.trim().trim_end_matches(',').strip_prefix('"'))
                        .filter_map(|l| l.strip_suffix('"'))
                        .collect()
                })
                .unwrap_or_default();
            Some(Package {
                name: field("name")?,
                version: field("version")?,
                entry: block.trim(),
                dependencies,
            })
        })
        .collect();
    // A dependency is written "name", or "name version" (and a source) when two are locked.
    let matching = |wanted: &str| -> Vec<usize> {
        let mut words = wanted.split_whitespace();
        let name = words.next().unwrap_or_default();
        let version = words.next();
        packages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.name == name && version.is_none_or(|v| p.version == v))
            .map(|(i, _)| i)
            .collect()
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut to_visit: Vec<usize> = Vec::new();
    for root in PICTURE_CRATES {
        let before = to_visit.len();
        to_visit.extend(matching(root));
        if to_visit.len() == before {
            return format!("{lock}\n{manifest}");
        }
    }
    while let Some(i) = to_visit.pop() {
        if seen.insert(i) {
            to_visit.extend(packages[i].dependencies.iter().flat_map(|d| matching(d)));
        }
    }
    let mut out: Vec<&str> = seen.into_iter().map(|i| packages[i].entry).collect();
    out.extend(manifest.lines().filter(|line| {
        PICTURE_CRATES.iter().any(|name| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
    }));
    out.join("\n")
}

/// Why a card could not be rasterised (its SVG did not parse; never expected of ours).
#[derive(Debug, thiserror::Error)]
pub enum ShareImageError {
    /// The SVG text is not an SVG resvg reads.
    #[error("share card SVG: {0}")]
    Svg(String),
    /// The PNG encoder failed.
    #[error("share card PNG: {0}")]
    Png(String),
}

/// The font database: the embedded faces and nothing else, made once.
fn fonts() -> Arc<fontdb::Database> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    Arc::clone(FONTS.get_or_init(|| {
        let mut db = fontdb::Database::new();
        for face in [FONT_REGULAR, FONT_BOLD] {
            db.load_font_source(fontdb::Source::Binary(Arc::new(face)));
        }
        db.set_sans_serif_family(FONT_FAMILY);
        Arc::new(db)
    }))
}

/// Rasterises a card's SVG (which must be [`WIDTH`] × [`HEIGHT`]) to PNG bytes. Pure: the
/// same text gives the same bytes.
pub fn rasterise(svg: &str) -> Result<Vec<u8>, ShareImageError> {
    let options = usvg::Options {
        font_family: FONT_FAMILY.to_owned(),
        fontdb: fonts(),
        // The card refers to no image; should one appear, nothing is read for it.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree =
        usvg::Tree::from_str(svg, &options).map_err(|e| ShareImageError::Svg(e.to_string()))?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT)
        .ok_or_else(|| ShareImageError::Svg("empty size".into()))?;
    // White under everything, so the image is opaque whatever the card draws.
    pixmap.fill(tiny_skia::Color::WHITE);
    let size = tree.size();
    let transform = tiny_skia::Transform::from_scale(
        WIDTH as f32 / size.width(),
        HEIGHT as f32 / size.height(),
    );
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    // Opaque, so premultiplied RGBA is plain RGBA.
    match indexed(pixmap.data()) {
        Some((palette, indices)) => encode(png::ColorType::Indexed, Some(&palette), &indices),
        None => {
            let rgb: Vec<u8> = pixmap
                .data()
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect();
            encode(png::ColorType::Rgb, None, &rgb)
        }
    }
}

/// The image as a palette (RGB triples, in order of first appearance) and one index per
/// pixel, when it has at most 256 colours: a card is a few flat colours and the edges
/// between them, so it usually has, and an indexed PNG is a third of the pixels to compress.
fn indexed(rgba: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut palette: Vec<u8> = Vec::with_capacity(256 * 3);
    let mut index_of: std::collections::HashMap<[u8; 3], u8> = std::collections::HashMap::new();
    let mut indices = Vec::with_capacity(rgba.len() / 4);
    let mut last: Option<([u8; 3], u8)> = None;
    for pixel in rgba.chunks_exact(4) {
        let colour = [pixel[0], pixel[1], pixel[2]];
        // Runs of one colour are long: most pixels need no look-up.
        let index = match last {
            Some((seen, index)) if seen == colour => index,
            _ => {
                let index = match index_of.get(&colour) {
                    Some(&index) => index,
                    None => {
                        let index = u8::try_from(index_of.len()).ok()?;
                        index_of.insert(colour, index);
                        palette.extend_from_slice(&colour);
                        index
                    }
                };
                last = Some((colour, index));
                index
            }
        };
        indices.push(index);
    }
    Some((palette, indices))
}

fn encode(
    colour: png::ColorType,
    palette: Option<&[u8]>,
    data: &[u8],
) -> Result<Vec<u8>, ShareImageError> {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(colour);
    encoder.set_depth(png::BitDepth::Eight);
    if let Some(palette) = palette {
        encoder.set_palette(palette.to_vec());
    }
    // fdeflate's fast mode with a filter chosen per row: on the cards of a 100-page corpus,
    // as fast as one filter for every row and 27% smaller; zlib's balanced mode is 23%
    // smaller again but takes half as long again (benches/share.sh).
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::Filter::Adaptive);
    let png_error = |e: png::EncodingError| ShareImageError::Png(e.to_string());
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(data).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out)
}

/// Share images for one render: cached by what their card depends on, drawn and rasterised
/// on a miss.
#[derive(Debug)]
pub struct ShareImages {
    cache: Cache,
    rasterised: AtomicUsize,
    /// Whether an image is handed on as its cache file ([`ShareImages::linking`]).
    link: bool,
}

impl ShareImages {
    /// Share images cached in the `share` namespace of `cache` (`Cache::open(root, "share")`),
    /// or not at all with [`Cache::disabled`].
    pub fn new(cache: Cache) -> ShareImages {
        ShareImages {
            cache,
            rasterised: AtomicUsize::new(0),
            link: false,
        }
    }

    /// Like [`ShareImages::new`], but an image the cache holds is handed on as the cache's
    /// file ([`OutputFile::from_cache`]), which the build's writer hard-links: a warm build
    /// neither reads nor writes the images' bytes.
    pub fn linking(cache: Cache) -> ShareImages {
        ShareImages {
            link: true,
            ..ShareImages::new(cache)
        }
    }

    /// The output file `path` holding the PNG of the card cached under `key` (the card's
    /// [`super::share_card::card_key`]): the cache's file of it when linking and the cache
    /// holds (or could store) it, else its bytes. `svg` draws the card, called only on a miss.
    pub(crate) fn file(
        &self,
        path: String,
        key: &str,
        svg: impl FnOnce() -> String,
    ) -> Result<OutputFile, ShareImageError> {
        if !self.link {
            return Ok(OutputFile::new(path, self.png(key, svg)?));
        }
        if let Some(file) = self.cache.file_of(key) {
            return Ok(OutputFile::from_cache(path, file));
        }
        let bytes = self.rasterise_and_store(key, &svg())?;
        Ok(match self.cache.file_of(key) {
            Some(file) => OutputFile::from_cache(path, file),
            None => OutputFile::new(path, bytes),
        })
    }

    /// The PNG of the card cached under `key`: from the cache when it holds it, else drawn
    /// (`svg`), rasterised and stored.
    pub(crate) fn png(
        &self,
        key: &str,
        svg: impl FnOnce() -> String,
    ) -> Result<Vec<u8>, ShareImageError> {
        if let Some(bytes) = self.cache.get(key) {
            return Ok(bytes);
        }
        self.rasterise_and_store(key, &svg())
    }

    fn rasterise_and_store(&self, key: &str, svg: &str) -> Result<Vec<u8>, ShareImageError> {
        let bytes = rasterise(svg)?;
        self.rasterised.fetch_add(1, Ordering::Relaxed);
        self.cache.put(key, &bytes);
        Ok(bytes)
    }

    /// How many images were rasterised (not found in the cache).
    pub fn rasterised(&self) -> usize {
        self.rasterised.load(Ordering::Relaxed)
    }

    /// The cache, for its counts.
    pub fn cache(&self) -> &Cache {
        &self.cache
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\" height=\"630\" viewBox=\"0 0 1200 630\"><rect x=\"0\" y=\"0\" width=\"600\" height=\"630\" fill=\"#005eb8\"/><text x=\"700\" y=\"300\" font-size=\"60\" font-family=\"Open Sans\">Hello</text></svg>";

    /// The image's header and its pixels as RGB, whatever its colour type.
    fn decode(bytes: &[u8]) -> (png::ColorType, png::OutputInfo, Vec<u8>) {
        let colour = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap()
            .info()
            .color_type;
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        assert_eq!(info.color_type, png::ColorType::Rgb);
        (colour, info, buf)
    }

    #[test]
    fn a_card_decodes_at_1200_by_630_and_is_the_same_bytes_twice() {
        let one = rasterise(SVG).unwrap();
        let two = rasterise(SVG).unwrap();
        assert_eq!(one, two);
        let (colour, info, pixels) = decode(&one);
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        // Two flat colours and the text's edges: a palette.
        assert_eq!(colour, png::ColorType::Indexed);
        // The left half is the rectangle's blue, the right half's corner white.
        assert_eq!(&pixels[..3], &[0x00, 0x5e, 0xb8]);
        let last = pixels.len() - 3;
        assert_eq!(&pixels[last..], &[0xff, 0xff, 0xff]);
    }

    #[test]
    fn text_is_drawn_with_the_embedded_font() {
        let blank = SVG.replace(">Hello<", "><");
        let (_, _, with_text) = decode(&rasterise(SVG).unwrap());
        let (_, _, without) = decode(&rasterise(&blank).unwrap());
        let inked = with_text
            .iter()
            .zip(&without)
            .filter(|(a, b)| a != b)
            .count();
        assert!(inked > 1000, "only {inked} bytes differ");
    }

    #[test]
    fn a_card_of_more_than_256_colours_is_rgb() {
        let gradient = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\" height=\"630\"><defs><linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"#000000\"/><stop offset=\"1\" stop-color=\"#ff80ff\"/></linearGradient></defs><rect width=\"1200\" height=\"630\" fill=\"url(#g)\"/></svg>";
        let (colour, info, pixels) = decode(&rasterise(gradient).unwrap());
        assert_eq!(colour, png::ColorType::Rgb);
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        // Dark at the left, light at the right.
        assert!(pixels[0] < 10 && pixels[(WIDTH as usize - 1) * 3] > 240);
    }

    #[test]
    fn an_svg_that_does_not_parse_is_an_error_not_a_panic() {
        assert!(rasterise("<svg").is_err());
        assert!(rasterise("not svg at all").is_err());
    }

    /// A test's key of an SVG: the cache holds what is put under any key.
    fn key_of(svg: &str) -> String {
        cache::key(&[svg.as_bytes()])
    }

    #[test]
    fn a_cached_card_is_neither_drawn_nor_rasterised_again() {
        let temp = tempfile::tempdir().unwrap();
        let first = ShareImages::new(Cache::open(temp.path(), "share"));
        let made = first.png(&key_of(SVG), || SVG.to_owned()).unwrap();
        assert_eq!(first.rasterised(), 1);
        let second = ShareImages::new(Cache::open(temp.path(), "share"));
        let again = second
            .png(&key_of(SVG), || panic!("a hit draws nothing"))
            .unwrap();
        assert_eq!(again, made);
        assert_eq!(second.rasterised(), 0);
        // Another card is another entry.
        let bye = SVG.replace("Hello", "Bye");
        second.png(&key_of(&bye), || bye.clone()).unwrap();
        assert_eq!(second.rasterised(), 1);
    }

    #[test]
    fn a_linking_share_images_hands_on_the_cache_file_and_a_plain_one_the_bytes() {
        let temp = tempfile::tempdir().unwrap();
        let linking = ShareImages::linking(Cache::open(temp.path(), "share"));
        let key = key_of(SVG);
        let draw = || SVG.to_owned();
        // A miss is rasterised, stored, and handed on as the stored file.
        let made = linking.file("x/share.png".into(), &key, draw).unwrap();
        assert_eq!(linking.rasterised(), 1);
        let file = made.from_cache.clone().expect("the cache's file");
        assert!(made.contents.is_empty());
        assert_eq!(std::fs::read(&file).unwrap(), rasterise(SVG).unwrap());
        // A hit is the same file, neither drawn nor rasterised again.
        let again = linking
            .file("y/share.png".into(), &key, || panic!("a hit draws nothing"))
            .unwrap();
        assert_eq!(again.from_cache.as_deref(), Some(file.as_path()));
        assert_eq!(
            (again.path.as_str(), linking.rasterised()),
            ("y/share.png", 1)
        );
        // Not linking (the preview), or with no cache to link, the bytes themselves.
        let plain = ShareImages::new(Cache::open(temp.path(), "share"));
        let bytes = plain.file("x/share.png".into(), &key, draw).unwrap();
        assert_eq!(bytes.from_cache, None);
        assert_eq!(bytes.contents, rasterise(SVG).unwrap());
        let uncached = ShareImages::linking(Cache::disabled());
        let bytes = uncached.file("x/share.png".into(), &key, draw).unwrap();
        assert_eq!(bytes.from_cache, None);
        assert_eq!(bytes.contents, rasterise(SVG).unwrap());
    }

    const LOCK: &str = r#"# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "png"
version = "0.18.1"
checksum = "aa"
dependencies = [
 "fdeflate",
]

[[package]]
name = "fdeflate"
version = "0.3.7"
checksum = "bb"

[[package]]
name = "resvg"
version = "0.49.0"
checksum = "cc"
dependencies = [
 "tiny-skia",
 "log 0.4.28",
]

[[package]]
name = "skrifa"
version = "0.44.0"
checksum = "dd"

[[package]]
name = "tiny-skia"
version = "0.12.0"
checksum = "ee"

[[package]]
name = "log"
version = "0.4.28"
checksum = "ff"

[[package]]
name = "log"
version = "0.3.9"
checksum = "gg"

[[package]]
name = "serde"
version = "1.0.0"
checksum = "hh"
"#;
    const MANIFEST: &str = "[dependencies]\nserde = \"1\"\nresvg = { version = \"0.49\", features = [\"text\"] }\npng = \"0.18\"\nskrifa = \"0.44\"\n";

    #[test]
    fn the_picture_crates_are_the_rasterisers_and_what_they_depend_on() {
        let crates = picture_crates(LOCK, MANIFEST);
        for entry in ["tiny-skia", "fdeflate", "0.4.28", "features = [\"text\"]"] {
            assert!(crates.contains(entry), "{entry} missing from {crates}");
        }
        assert!(
            !crates.contains("serde") && !crates.contains("0.3.9"),
            "{crates}"
        );
        // An update of a crate under resvg or png changes them; of another crate, not.
        for (from, to) in [
            ("version = \"0.12.0\"", "version = \"0.12.1\""),
            ("checksum = \"bb\"", "checksum = \"bc\""),
            ("checksum = \"ff\"", "checksum = \"fe\""),
        ] {
            assert_ne!(
                picture_crates(&LOCK.replace(from, to), MANIFEST),
                crates,
                "{to}"
            );
        }
        assert_ne!(
            picture_crates(LOCK, &MANIFEST.replace("[\"text\"]", "[]")),
            crates
        );
        let unrelated = LOCK
            .replace("version = \"1.0.0\"", "version = \"1.0.1\"")
            .replace("checksum = \"gg\"", "checksum = \"gh\"");
        assert_eq!(picture_crates(&unrelated, MANIFEST), crates);
        // A lock file that does not read as expected counts whole.
        let odd = LOCK.replace("name = \"skrifa\"", "name=\"skrifa\"");
        assert!(picture_crates(&odd, MANIFEST).contains("version = \"1.0.0\""));
    }

    #[test]
    fn the_real_lock_file_names_the_rasterisers_crates() {
        let crates = picture_crates(
            include_str!("../../Cargo.lock"),
            include_str!("../../Cargo.toml"),
        );
        for name in [
            "resvg",
            "usvg",
            "tiny-skia",
            "png",
            "fdeflate",
            "skrifa",
            "fontdb",
        ] {
            assert!(
                crates.contains(&format!("name = \"{name}\"")),
                "{name} missing"
            );
        }
        assert!(!crates.contains("name = \"tera\""));
        assert_eq!(picture_code(), picture_code());
    }
}
