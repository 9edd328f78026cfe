//! Images: the files a site's pages show, checked, resized and encoded once.
//!
//! Two steps, at the two edges of the pipeline. [`scan`] runs with `check`, after the model:
//! it resolves every image a page shows (its body's `![alt](src)` and a case study's
//! `image:`) to a file under `content/` or `static/`, reads each file once, hashes it and reads
//! its size from its header, so that a missing file or one that is not an image (E017) stops
//! the build before anything is written, an oversize file gets W109, and the render stage
//! knows each image's outputs and their sizes (a build reads a body's images as the render
//! meets them, [`OnFirstUse`], and scans every place from what it learnt after the render).
//! [`emit`] runs after the render stage: each output (every width as WebP and in the original
//! format, never wider than the original) is taken from the [`Cache`] when it is there, and
//! otherwise decoded, resized and encoded, in parallel, stored in the cache and handed to the
//! writer. An image whose header reads but
//! whose pixels do not decode (a truncated file) is an E017 found there: the build stops and
//! its staging folder is removed, like a template error, so the output is still untouched.
//!
//! Outputs go to `/images/<hash>/<name>-<width>.<ext>`, where the hash is of the file's bytes
//! and the settings: an image shown by many pages is made once, and a changed image or setting
//! gets a new address (browsers may cache these files for ever). GIF and SVG are copied as
//! they are; one under `static/` is already published at its own address.

mod emit;
mod first_use;
mod plan;
mod process;
mod resolve;
mod svg;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::SystemTime;

use rayon::prelude::*;

use crate::cache::{self, Cache};
use crate::config::ImageSettings;
use crate::diagnostics::{Code, Diagnostic, Pos};
use crate::model::content::{Details, Page};
use crate::write::OutputFile;

pub use emit::{EmitFailure, ImageStats, emit};
pub use first_use::OnFirstUse;
pub use process::{scaled_height, variant_widths};
pub use resolve::{Reference, resolve};

/// The cache namespace of image outputs.
pub const NAMESPACE: &str = "images";

/// The width of the image sharing tags point at (`og:image`), when the image is that wide.
pub const SHARE_WIDTH: u32 = 1200;

/// What changes in the outputs when the program does: part of every cache key.
const VERSION: &[u8] = b"casebook-images-1";

/// The image formats casebook publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// JPEG: resized, as WebP and JPEG.
    Jpeg,
    /// PNG: resized, as WebP and PNG.
    Png,
    /// WebP: resized, as WebP.
    Webp,
    /// GIF: copied (it may be animated).
    Gif,
    /// SVG: copied (it has no pixels to resize).
    Svg,
}

impl Format {
    /// The format a file name's extension names, in any case.
    pub fn from_path(path: &str) -> Option<Format> {
        let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match extension.as_str() {
            "jpg" | "jpeg" => Format::Jpeg,
            "png" => Format::Png,
            "webp" => Format::Webp,
            "gif" => Format::Gif,
            "svg" => Format::Svg,
            _ => return None,
        })
    }

    /// The extension outputs in this format get.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Svg => "svg",
        }
    }

    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Svg => "image/svg+xml",
        }
    }

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Gif => "GIF",
            Format::Svg => "SVG",
        }
    }

    /// Whether images of this format are resized (otherwise they are copied).
    pub fn is_resized(self) -> bool {
        matches!(self, Format::Jpeg | Format::Png | Format::Webp)
    }

    /// The format every browser and sharing site reads that an image of this format is also
    /// published in: itself, except WebP, which becomes JPEG for sharing tags.
    fn fallback(self) -> Format {
        match self {
            Format::Webp => Format::Jpeg,
            other => other,
        }
    }
}

/// One output file of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Format.
    pub format: Format,
    /// The site path it is published at (`/images/<hash>/photo-480.webp`).
    pub path: String,
}

/// One image file the site shows, and what is published of it.
#[derive(Debug, Clone)]
pub struct ImageFile {
    /// Its site-relative path (`content/case-studies/x/photo.jpg`).
    pub source: String,
    /// Its format.
    pub format: Format,
    /// Width and height as shown (after EXIF orientation); `(0, 0)` for an SVG without a size.
    pub size: (u32, u32),
    /// For a resized format, its outputs: WebP first, then the original format, each by
    /// width. Empty for a copied one.
    pub variants: Vec<Variant>,
    /// The output sharing tags point at: the original format (JPEG for a WebP), about
    /// [`SHARE_WIDTH`] wide. Only for a case study's `image:`.
    pub share: Option<Variant>,
    /// The site path it is published at when copied (GIF, SVG).
    pub copied: Option<String>,
    /// The hash of the bytes and the settings.
    hash: String,
    /// Where pages show it: file and position.
    shown_at: Vec<(String, Pos)>,
}

impl ImageFile {
    /// The outputs in one format, by width.
    pub fn variants_in(&self, format: Format) -> impl Iterator<Item = &Variant> {
        self.variants.iter().filter(move |v| v.format == format)
    }

    /// Every output this image needs made: its variants and its share image.
    fn outputs(&self) -> impl Iterator<Item = &Variant> {
        let share = self
            .share
            .as_ref()
            .filter(|share| !self.variants.contains(share));
        self.variants.iter().chain(share)
    }
}

/// Every image file a site shows, by its site-relative path.
#[derive(Debug, Clone, Default)]
pub struct Images {
    files: BTreeMap<String, ImageFile>,
    quality: u8,
}

impl Images {
    /// The image file `src` names in the page whose file is `page_file`, if it is one of the
    /// site's and could be read.
    pub fn get(&self, page_file: &str, src: &str) -> Option<&ImageFile> {
        match resolve(page_file, src) {
            Reference::File(path) => self.files.get(&path),
            _ => None,
        }
    }

    /// How many image files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The site paths (without the leading `/`) of every file [`emit`] makes of these images:
    /// the resized outputs, and the copies of GIF and SVG files under `content/`.
    pub fn output_paths(&self) -> std::collections::BTreeSet<String> {
        self.files.values().flat_map(emitted_paths).collect()
    }

    /// Only the images [`emit`] would make a file of that `made` lacks: what the preview makes
    /// after a change, when it already holds the outputs of the images that did not change.
    pub fn missing_from(&self, made: &std::collections::BTreeSet<String>) -> Images {
        Images {
            files: self
                .files
                .iter()
                .filter(|(_, image)| emitted_paths(image).any(|path| !made.contains(&path)))
                .map(|(source, image)| (source.clone(), image.clone()))
                .collect(),
            quality: self.quality,
        }
    }

    /// The files of the pages that show an image differently from `before`: one added,
    /// removed, or with other bytes, size or outputs. Their markup names other files.
    pub fn pages_changed_since(&self, before: &Images) -> std::collections::BTreeSet<String> {
        let same = |a: &ImageFile, b: &ImageFile| {
            (&a.hash, a.size, &a.variants, &a.share, &a.copied)
                == (&b.hash, b.size, &b.variants, &b.share, &b.copied)
        };
        let changed = |one: &Images, other: &Images| -> Vec<String> {
            one.files
                .iter()
                .filter(|(source, image)| {
                    other.files.get(*source).is_none_or(|was| !same(image, was))
                })
                .flat_map(|(_, image)| image.shown_at.iter().map(|(file, _)| file.clone()))
                .collect()
        };
        let mut pages: std::collections::BTreeSet<String> =
            changed(self, before).into_iter().collect();
        pages.extend(changed(before, self));
        pages
    }

    /// Keeps only the images shown by `pages` (those published).
    pub fn retain_shown_by(&mut self, pages: &[Page]) {
        let files: std::collections::BTreeSet<&str> =
            pages.iter().map(|page| page.file.as_str()).collect();
        self.files.retain(|_, image| {
            image
                .shown_at
                .retain(|(file, _)| files.contains(file.as_str()));
            !image.shown_at.is_empty()
        });
    }
}

/// The site paths (without the leading `/`) of the files [`emit`] makes of `image`.
fn emitted_paths(image: &ImageFile) -> impl Iterator<Item = String> + '_ {
    let copied = image
        .copied
        .as_ref()
        .filter(|_| !image.source.starts_with("static/"));
    image
        .outputs()
        .map(|variant| &variant.path)
        .chain(copied)
        .map(|path| path.trim_start_matches('/').to_owned())
}

/// Where an image is shown, and whether sharing tags use it.
struct Shown {
    page_file: String,
    at: Pos,
    share: bool,
}

/// Finds, reads and checks every image the pages show. Reads each file once (in parallel);
/// returns what render needs to know of them and E017 (missing, unreadable, not an image, or
/// outside the site) and W109 (larger than `settings.warn_over_kb`) diagnostics, each at the
/// place the image is shown.
pub fn scan(root: &Path, pages: &[Page], settings: &ImageSettings) -> (Images, Vec<Diagnostic>) {
    scan_again(root, pages, settings, &Scanned::default())
}

/// What a scan learnt of each image file it read (its size and the hash of its bytes), with
/// the length and modification time the file had then. `casebook serve` scans again after
/// every change; with this, only files that changed since are read and hashed again.
#[derive(Debug, Default)]
pub struct Scanned {
    files: std::sync::Mutex<HashMap<String, Facts>>,
}

/// What is known of one image file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Facts {
    len: u64,
    modified: SystemTime,
    size: (u32, u32),
    /// [`cache::key`] of the bytes.
    content: String,
}

impl Scanned {
    /// The facts noted for the file at `source`, if its length and modification time are
    /// still those of `metadata`.
    fn known(&self, source: &str, metadata: &std::fs::Metadata) -> Option<Facts> {
        let modified = metadata.modified().ok()?;
        self.files()
            .get(source)
            .filter(|facts| facts.len == metadata.len() && facts.modified == modified)
            .cloned()
    }

    fn note(&self, source: &str, facts: Facts) {
        self.files().insert(source.to_owned(), facts);
    }

    fn files(&self) -> std::sync::MutexGuard<'_, HashMap<String, Facts>> {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// As [`scan`], but a file whose length and modification time are those `scanned` noted is
/// not read again; what `scanned` notes afterwards is the files of this scan.
pub fn scan_again(
    root: &Path,
    pages: &[Page],
    settings: &ImageSettings,
    scanned: &Scanned,
) -> (Images, Vec<Diagnostic>) {
    scan_places(root, pages.iter().flat_map(places_of), settings, scanned)
}

/// One place a page shows an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    /// The page's file.
    pub page_file: &'a str,
    /// The image's address as written.
    pub src: &'a str,
    /// Where it is written.
    pub at: Pos,
    /// Whether sharing tags use it (a case study's `image:`).
    pub share: bool,
}

/// The places `page` shows an image, in the order [`scan`] takes them: its body's images
/// (`page.images`), then a case study's `image:`.
pub fn places_of(page: &Page) -> impl Iterator<Item = Place<'_>> {
    let body = body_places(&page.file, &page.images);
    let front = match &page.details {
        Details::CaseStudy(case) => case.image.as_ref().map(|image| Place {
            page_file: &page.file,
            src: &image.src,
            at: image.src_at,
            share: true,
        }),
        _ => None,
    };
    body.chain(front)
}

/// Where the body of the page in `page_file` shows `images`, in order.
pub fn body_places<'a>(
    page_file: &'a str,
    images: &'a [crate::model::content::BodyImage],
) -> impl Iterator<Item = Place<'a>> {
    images.iter().map(move |image| Place {
        page_file,
        src: &image.src,
        at: image.at,
        share: false,
    })
}

/// [`scan_again`] of the images shown at `places`, given in site order (that of the pages,
/// each page's as [`places_of`] gives them): a build learns the images of a body as it
/// renders it, and scans the places of the whole site once the render is done.
pub fn scan_places<'a>(
    root: &Path,
    places: impl IntoIterator<Item = Place<'a>>,
    settings: &ImageSettings,
    scanned: &Scanned,
) -> (Images, Vec<Diagnostic>) {
    let mut wanted: BTreeMap<String, Vec<Shown>> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    for Place {
        page_file,
        src,
        at,
        share,
    } in places
    {
        match resolve(page_file, src) {
            Reference::External => {}
            Reference::Outside => diagnostics.push(
                Diagnostic::new(
                    Code::E017,
                    page_file,
                    at,
                    format!("the image `{}` is not a file of the site", src.escape_debug()),
                )
                .with_hint("put the image beside the page and write its name (`photo.jpg`), or put it under `static/` and write its path from `/` (`/images/photo.jpg`)"),
            ),
            Reference::File(path) => wanted.entry(path).or_default().push(Shown {
                page_file: page_file.to_owned(),
                at,
                share,
            }),
        }
    }
    let before = std::mem::take(&mut *scanned.files());
    let before = Scanned {
        files: std::sync::Mutex::new(before),
    };
    let results: Vec<(Option<ImageFile>, Vec<Diagnostic>)> = wanted
        .into_par_iter()
        .map(|(source, shown)| read_image(root, source, shown, settings, &before, scanned))
        .collect();
    let mut images = Images {
        files: BTreeMap::new(),
        quality: settings.quality,
    };
    for (image, problems) in results {
        diagnostics.extend(problems);
        if let Some(image) = image {
            images.files.insert(image.source.clone(), image);
        }
    }
    (images, diagnostics)
}

/// Reads one image file (unless `before` knows it as it is): its bytes (hashed), its size,
/// and the plan of its outputs. Notes what it learnt in `now`.
fn read_image(
    root: &Path,
    source: String,
    shown: Vec<Shown>,
    settings: &ImageSettings,
    before: &Scanned,
    now: &Scanned,
) -> (Option<ImageFile>, Vec<Diagnostic>) {
    let problem = |message: String, hint: &str| -> Vec<Diagnostic> {
        shown
            .iter()
            .map(|place| {
                Diagnostic::new(Code::E017, &place.page_file, place.at, message.clone())
                    .with_hint(hint)
            })
            .collect()
    };
    let Some(format) = Format::from_path(&source) else {
        return (
            None,
            problem(
                format!("`{source}` is not an image casebook publishes"),
                "save it as JPEG, PNG, WebP, GIF or SVG, with its extension (`.jpg`, `.png`, `.webp`, `.gif`, `.svg`)",
            ),
        );
    };
    let known = std::fs::metadata(root.join(&source))
        .ok()
        .and_then(|metadata| before.known(&source, &metadata));
    let facts = match known {
        Some(facts) => facts,
        None => match read_facts(root, &source, format, &problem) {
            Ok(facts) => facts,
            Err(problems) => return (None, problems),
        },
    };
    now.note(&source, facts.clone());
    plan::plan_outputs(source, format, facts, shown, settings)
}

/// Reads the image file `source` of the site at `root` and learns its facts, or the problems
/// that make it unusable.
fn read_facts(
    root: &Path,
    source: &str,
    format: Format,
    problem: &dyn Fn(String, &str) -> Vec<Diagnostic>,
) -> Result<Facts, Vec<Diagnostic>> {
    let path = root.join(source);
    // Taken before the read: a file changed while it is read is read again next time.
    let modified = std::fs::metadata(&path).and_then(|metadata| metadata.modified());
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let hint = match similar_file(root, source) {
                Some(name) => format!("did you mean `{name}`? It is in the same folder"),
                None => "check the name (it is case-sensitive); a path is from the page's folder, or from `static/` when it starts with `/`".to_owned(),
            };
            return Err(problem(
                format!("the image file `{source}` does not exist"),
                &hint,
            ));
        }
        Err(error) => {
            return Err(problem(
                format!("the image file `{source}` cannot be read: {error}"),
                "check that the file is a readable file, not a folder",
            ));
        }
    };
    let size = process::dimensions(&bytes, format).map_err(|why| {
        problem(
            format!(
                "`{source}` is not a readable {} image: {why}",
                format.name()
            ),
            "open the file in an image editor and save it again, or replace it",
        )
    })?;
    Ok(Facts {
        len: bytes.len() as u64,
        // Never matches a file's time when the system gives none: such a file is read each time.
        modified: modified.unwrap_or(SystemTime::UNIX_EPOCH),
        size,
        content: cache::key(&[&bytes]),
    })
}

/// The name of an image file in the folder of the missing `source` that is close to its name
/// (a typing slip, another case, another extension), if there is one.
fn similar_file(root: &Path, source: &str) -> Option<String> {
    let (folder, name) = source.rsplit_once('/')?;
    let wanted = name.to_lowercase();
    let mut best: Option<(f64, String)> = None;
    for entry in std::fs::read_dir(root.join(folder)).ok()?.flatten() {
        let candidate = entry.file_name().to_string_lossy().into_owned();
        if Format::from_path(&candidate).is_none() {
            continue;
        }
        let score = strsim::jaro_winkler(&wanted, &candidate.to_lowercase());
        if score >= 0.85
            && best
                .as_ref()
                .is_none_or(|(b, n)| (score, &candidate) > (*b, n))
        {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, name)| name)
}

#[cfg(test)]
mod tests;
