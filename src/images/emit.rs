//! [`emit`]: each output of the images pages show, from the cache or decoded, resized and
//! encoded once, in parallel, and handed to the writer (see the module comment of
//! [`crate::images`]).

use std::path::Path;

use rayon::prelude::*;

use super::*;

/// What [`emit`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImageStats {
    /// Image files shown.
    pub images: usize,
    /// Image files decoded (those with an output not in the cache).
    pub decoded: usize,
    /// Outputs encoded.
    pub encoded: usize,
    /// Outputs taken from the cache.
    pub cached: usize,
    /// Files copied as they are (GIF and SVG from `content/`).
    pub copied: usize,
    /// Outputs that could not be stored in the cache.
    pub cache_failures: usize,
}

/// Why [`emit`] stopped.
#[derive(Debug)]
pub enum EmitFailure<E> {
    /// Images that do not decode (E017), sorted: a content error.
    Content(Vec<Diagnostic>),
    /// The sink failed.
    Output(E),
}

/// Makes every output of `images` (from the cache when there, else decoding, resizing and
/// encoding each image once, in parallel) and hands each to `emit`. `root` is the site, whose
/// image files are read again only for outputs the cache lacks.
pub fn emit<E: Send>(
    images: &Images,
    root: &Path,
    cache: &Cache,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<ImageStats, EmitFailure<E>> {
    let results: Vec<Result<ImageStats, EmitFailure<E>>> = images
        .files
        .par_iter()
        .map(|(_, image)| emit_one(image, images.quality, root, cache, emit))
        .collect();
    let mut stats = ImageStats {
        images: images.len(),
        ..ImageStats::default()
    };
    let mut diagnostics = Vec::new();
    for result in results {
        match result {
            Ok(one) => {
                stats.decoded += one.decoded;
                stats.encoded += one.encoded;
                stats.cached += one.cached;
                stats.copied += one.copied;
            }
            Err(EmitFailure::Content(problems)) => diagnostics.extend(problems),
            Err(EmitFailure::Output(error)) => return Err(EmitFailure::Output(error)),
        }
    }
    if !diagnostics.is_empty() {
        crate::diagnostics::sort(&mut diagnostics);
        return Err(EmitFailure::Content(diagnostics));
    }
    stats.cache_failures = cache.write_failures();
    Ok(stats)
}

fn emit_one<E>(
    image: &ImageFile,
    quality: u8,
    root: &Path,
    cache: &Cache,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<ImageStats, EmitFailure<E>> {
    let mut stats = ImageStats::default();
    let send = |path: &str, contents: Vec<u8>| {
        emit(OutputFile::new(
            path.trim_start_matches('/').to_owned(),
            contents,
        ))
        .map_err(EmitFailure::Output)
    };
    let read = || -> Result<Vec<u8>, EmitFailure<E>> {
        std::fs::read(root.join(&image.source))
            .map_err(|error| undecodable(image, &format!("it cannot be read: {error}")))
    };
    if let Some(path) = &image.copied {
        if !image.source.starts_with("static/") {
            send(path, read()?)?;
            stats.copied += 1;
        }
        return Ok(stats);
    }
    let key = |variant: &Variant| {
        cache::key(&[
            image.hash.as_bytes(),
            variant.format.extension().as_bytes(),
            &variant.width.to_le_bytes(),
            &[quality],
        ])
    };
    let mut missing = Vec::new();
    for variant in image.outputs() {
        match cache.get(&key(variant)) {
            Some(bytes) => {
                send(&variant.path, bytes)?;
                stats.cached += 1;
            }
            None => missing.push(variant),
        }
    }
    if missing.is_empty() {
        return Ok(stats);
    }
    let original = read()?;
    let decoded =
        process::decode(&original, image.format).map_err(|why| undecodable(image, &why))?;
    stats.decoded += 1;
    for variant in missing {
        let mut encoded = process::resize(&decoded, variant.width, variant.height)
            .and_then(|resized| process::encode(&resized, variant.format, quality))
            .map_err(|why| undecodable(image, &why))?;
        // At its own width and in its own format, the source itself may be the smaller file
        // (a palette PNG encoded again comes out in full colour).
        if variant.format == image.format
            && (variant.width, variant.height) == image.size
            && original.len() <= encoded.len()
        {
            encoded.clone_from(&original);
        }
        cache.put(&key(variant), &encoded);
        send(&variant.path, encoded)?;
        stats.encoded += 1;
    }
    Ok(stats)
}

/// The E017s, one per place it is shown, of an image whose pixels cannot be decoded.
fn undecodable<E>(image: &ImageFile, why: &str) -> EmitFailure<E> {
    EmitFailure::Content(
        image
            .shown_at
            .iter()
            .map(|(file, at)| {
                Diagnostic::new(
                    Code::E017,
                    file,
                    *at,
                    format!(
                        "`{}` is not a readable {} image: {why}",
                        image.source,
                        image.format.name()
                    ),
                )
                .with_hint("open the file in an image editor and save it again, or replace it")
            })
            .collect(),
    )
}
