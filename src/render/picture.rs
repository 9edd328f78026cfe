//! The markup of a site image: a `<picture>` offering WebP and the original format at each
//! width (`srcset` with `sizes`, so the browser picks the smallest file that fills the space),
//! an `<img>` with `width` and `height` (the page keeps its layout while images load),
//! `loading="lazy"` and `decoding="async"`. A GIF or SVG is one `<img>` of the copied file.
//!
//! Addresses are written relative to the page (`../../images/…`), as [`super::links`] makes
//! every other link of a page, so the output works under any base path and from a folder.

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::images::{Format, ImageFile, Images, OnFirstUse, Variant};
use crate::model::content::Page;
use crate::render::escape::escape_html;

/// The widths a body image is shown at: the text column (`--measure`, 42rem) on a wide
/// screen, else the whole viewport.
pub const SIZES: &str = "(min-width: 45rem) 42rem, 100vw";

/// The images of one page: what [`crate::render::markdown`] asks when it meets an image.
pub struct Pictures<'a> {
    images: &'a Images,
    /// In a build, the images of bodies, read as the render meets them.
    first_use: Option<&'a OnFirstUse<'a>>,
    page_file: &'a str,
    /// The way up from the page to the root of the output (`../../`).
    up: String,
}

impl<'a> Pictures<'a> {
    /// The images of the page whose file is `page_file`, written to the output path
    /// `output_path` (`case-studies/x/index.html`).
    pub fn new(images: &'a Images, page_file: &'a str, output_path: &str) -> Pictures<'a> {
        Pictures {
            images,
            first_use: None,
            page_file,
            up: "../".repeat(output_path.matches('/').count()),
        }
    }

    /// These pictures, with the images `images` lacks read on first use (a build's).
    pub fn reading(self, first_use: Option<&'a OnFirstUse<'a>>) -> Pictures<'a> {
        Pictures { first_use, ..self }
    }

    fn with<R>(&self, src: &str, f: impl FnOnce(&ImageFile) -> R) -> Option<R> {
        match self.first_use {
            Some(first_use) => first_use.with(self.page_file, src, f),
            None => self.images.get(self.page_file, src).map(f),
        }
    }

    /// The markup for the image `src` with alternative text `alt` (empty: decorative) and an
    /// optional title, or `None` when `src` is not one of the site's image files (another
    /// site's image keeps its plain `<img>`).
    pub fn markup(&self, src: &str, alt: &str, title: Option<&str>) -> Option<String> {
        self.with(src, |image| markup(image, alt, title, &self.up))
    }

    /// Whether `src` is one of the site's image files.
    pub fn has(&self, src: &str) -> bool {
        self.with(src, |_| ()).is_some()
    }

    /// The site path sharing tags use for this page's `image:` (`/images/<hash>/x-1200.jpg`).
    pub fn share_path(&self, src: &str) -> Option<String> {
        self.with(src, |image| match (&image.share, &image.copied) {
            (Some(share), _) => Some(share.path.clone()),
            (None, Some(copied)) if image.format != Format::Svg => Some(copied.clone()),
            _ => None,
        })
        .flatten()
    }
}

/// The site path of the image a case study's sharing tags show: the share output of its
/// `image:` when that is one of the site's files.
pub(crate) fn share_image(page: &Page, pictures: &Pictures<'_>) -> Option<String> {
    match &page.details {
        crate::model::content::Details::CaseStudy(case) => case
            .image
            .as_ref()
            .and_then(|image| pictures.share_path(&image.src)),
        _ => None,
    }
}

/// The way up from `page` to the root of the output, for [`Pictures::new`].
pub(crate) fn for_page<'a>(images: &'a Images, page: &'a Page) -> Pictures<'a> {
    let path = crate::model::page_path(page.kind, &page.slug.value);
    Pictures::new(images, &page.file, &format!("{}index.html", &path[1..]))
}

/// Reads the events of an image up to its end and returns its alternative text: the text of
/// its description, or nothing when its title marks it decorative.
pub(crate) fn take_alt<'e>(events: &mut impl Iterator<Item = Event<'e>>, title: &str) -> String {
    let mut alt = String::new();
    let mut depth = 1;
    for event in events {
        match event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Event::Text(text) | Event::Code(text) => alt.push_str(&text),
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            _ => {}
        }
    }
    if title.trim().eq_ignore_ascii_case(crate::parse::DECORATIVE) {
        alt.clear();
    }
    alt
}

fn markup(image: &ImageFile, alt: &str, title: Option<&str>, up: &str) -> String {
    let alt = escape_html(alt);
    let title = title
        .filter(|title| !title.is_empty())
        .map(|title| format!(" title=\"{}\"", escape_html(title)))
        .unwrap_or_default();
    let size = |width: u32, height: u32| {
        if width == 0 || height == 0 {
            String::new()
        } else {
            format!(" width=\"{width}\" height=\"{height}\"")
        }
    };
    let lazy = "loading=\"lazy\" decoding=\"async\"";
    if let Some(copied) = &image.copied {
        let (width, height) = image.size;
        return format!(
            "<img src=\"{}\"{} alt=\"{alt}\"{title} {lazy}>",
            url(up, copied),
            size(width, height)
        );
    }
    let fallback = if image.format == Format::Webp {
        Format::Webp
    } else {
        image.format
    };
    let shown: Vec<&Variant> = image.variants_in(fallback).collect();
    let Some(largest) = shown.last() else {
        return String::new();
    };
    // Browsers without `srcset` (few) get the one closest to the text column's width.
    let src = shown
        .iter()
        .rev()
        .find(|v| v.width <= 960)
        .unwrap_or(&shown[0]);
    let img = format!(
        "<img src=\"{}\" srcset=\"{}\" sizes=\"{SIZES}\"{} alt=\"{alt}\"{title} {lazy}>",
        url(up, &src.path),
        srcset(up, &shown),
        size(largest.width, largest.height)
    );
    if fallback == Format::Webp {
        return img;
    }
    let webp: Vec<&Variant> = image.variants_in(Format::Webp).collect();
    format!(
        "<picture><source type=\"{}\" srcset=\"{}\" sizes=\"{SIZES}\">{img}</picture>",
        Format::Webp.mime(),
        srcset(up, &webp)
    )
}

fn url(up: &str, site_path: &str) -> String {
    escape_html(&format!("{up}{}", site_path.trim_start_matches('/')))
}

fn srcset(up: &str, variants: &[&Variant]) -> String {
    variants
        .iter()
        .map(|v| format!("{} {}w", url(up, &v.path), v.width))
        .collect::<Vec<_>>()
        .join(", ")
}
