//! Stage 4, render: every output file of the site, in memory, from the `Site`, the config and
//! the theme.
//!
//! Markdown bodies and templates are rendered in parallel (rayon); the site-wide template
//! values are serialised once. No I/O: the write stage puts the files on disk. A template that
//! fails is a diagnostic (E014) naming the template, never a panic.
//!
//! This file holds the entry points (what is wanted, where bodies come from, where files go);
//! `jobs.rs` wires the parallel rendering tasks and `values.rs` makes the values page contexts
//! share (the `site` value, menus, breadcrumbs, share cards and tags).

pub mod charts;
mod escape;
mod feeds;
pub mod format;
pub mod links;
mod listings;
pub mod markdown;
pub mod minify;
pub mod open_data;
pub mod outcomes;
pub mod overview;
pub mod picture;
mod share;
mod share_card;
pub mod share_image;
mod templates;
pub mod urls;
pub mod views;

mod jobs;
mod values;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::images::Images;
use crate::model::Site;
use crate::model::content::Page;
use crate::search::PlainText;
use crate::theme::Theme;
use crate::write::OutputFile;
pub use listings::{Listing, PAGE_SIZE, listings};
pub(crate) use share::script_safe;
pub use share_image::ShareImages;
pub use values::in_menus;

use jobs::{Bodies, Streams, render_into};

/// Renders the whole site. Returns the files, or the template diagnostics that stopped it.
pub fn render_site(
    site: &Site,
    config: &Config,
    theme: &Theme,
    share_images: &ShareImages,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    render_selected(site, config, theme, share_images, &|_| true)
}

/// Renders only the files whose output path (`case-studies/x/index.html`) `wanted` accepts,
/// each byte for byte as [`render_site`] renders it: `casebook serve` re-renders only what a
/// change affects. Work for the others is skipped before their Markdown or template context is
/// built; the sitemap, when wanted, still lists every page. A page's share image is rendered
/// with its page (when both are wanted): it shows nothing the page does not.
pub fn render_selected(
    site: &Site,
    config: &Config,
    theme: &Theme,
    share_images: &ShareImages,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    render_selected_with_images(
        site,
        config,
        theme,
        &Images::default(),
        share_images,
        wanted,
    )
}

/// Why rendering stopped: template errors, or the sink that takes the files failed.
#[derive(Debug)]
pub enum RenderFailure<E> {
    /// Template errors (E014), sorted.
    Templates(Vec<Diagnostic>),
    /// The sink's error, such as a file that could not be written.
    Output(E),
}

/// Renders every file and hands each to `emit` as soon as it is ready, so a large site is
/// never held in memory whole (`casebook build` writes each file straight to its staging
/// folder). The files are the same as [`render_site`]'s; the order of calls is not defined.
pub fn render_to<E: Send>(
    site: &Site,
    config: &Config,
    theme: &Theme,
    images: &Images,
    share_images: &ShareImages,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<(), RenderFailure<E>> {
    let all = |_: &str| true;
    let streams = Streams {
        wanted: &all,
        bodies: Bodies::InSite,
        texts: None,
        large: None,
        finding: None,
    };
    render_into(site, config, theme, images, share_images, &streams, emit)
}

/// Where [`render_streaming`] reads bodies and sends their search texts.
pub struct BodyStream<'a, E> {
    /// Reads a page's body (an `Err` stops the render, as [`RenderFailure::Output`]).
    pub bodies: &'a (dyn Fn(&Page) -> Result<String, E> + Sync),
    /// Takes the search texts of the pages' bodies, [`crate::search::CHUNK`] pages at a time
    /// in the order of `site.pages`.
    pub texts: &'a (dyn Fn(Vec<PlainText>) + Sync),
    /// Writes a large file (the open data) as it is made, never whole in memory.
    pub large: &'a LargeFile<'a, E>,
    /// When the pages' links and images were left to the render (a build's check does not
    /// parse the bodies it renders): where to send them, and their image files.
    pub finding: Option<&'a Finding<'a>>,
}

/// What a render finds in the bodies for the checks, when the check did not parse them: each
/// page's internal links and images, found in the one parse that renders the body, by the
/// check's own observer ([`crate::parse::BodyObserver`]).
pub struct Finding<'a> {
    /// The site's image files, those of bodies read as the render first meets them.
    pub images: &'a crate::images::OnFirstUse<'a>,
    /// Takes each rendered page and what its body holds, as the page renders (in parallel,
    /// in no set order).
    pub found: &'a (dyn Fn(&Page, crate::parse::BodyFound) + Sync),
}

/// Writes the file at an output path as the function it is given makes it: `casebook build`
/// streams the open data, hundreds of MB on a large site, straight to its staging folder.
pub type LargeFile<'a, E> = dyn Fn(&str, &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>) -> Result<(), E>
    + Sync
    + 'a;

/// [`render_to`] for a `Site` without bodies (`casebook build`): each page's body is read
/// through `stream.bodies` as it renders and parsed once, for its HTML and for its search
/// text, which goes to `stream.texts` (for [`crate::search::emit_index_of_texts`]); the body
/// is then dropped.
pub fn render_streaming<E: Send>(
    site: &Site,
    config: &Config,
    theme: &Theme,
    images: &Images,
    share_images: &ShareImages,
    stream: BodyStream<'_, E>,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<(), RenderFailure<E>> {
    let all = |_: &str| true;
    let streams = Streams {
        wanted: &all,
        bodies: Bodies::Read(stream.bodies),
        texts: Some(stream.texts),
        large: Some(stream.large),
        finding: stream.finding,
    };
    render_into(site, config, theme, images, share_images, &streams, emit)
}

/// The files [`render_selected_reading`] renders and where it reads their pages' bodies.
pub struct Reading<'a, E> {
    /// Whether the file at an output path is wanted (see [`render_selected`]).
    pub wanted: &'a (dyn Fn(&str) -> bool + Sync),
    /// Reads a page's body (an `Err` stops the render, as [`RenderFailure::Output`]).
    pub bodies: &'a (dyn Fn(&Page) -> Result<String, E> + Sync),
}

/// [`render_selected_with_images`] for a `Site` without bodies (the preview's): each wanted
/// page's body is read through `reading.bodies` as it renders, and each file handed to
/// `emit` as soon as it is ready, as [`render_to`] does.
pub fn render_selected_reading<E: Send>(
    site: &Site,
    config: &Config,
    theme: &Theme,
    images: &Images,
    share_images: &ShareImages,
    reading: Reading<'_, E>,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<(), RenderFailure<E>> {
    let streams = Streams {
        wanted: reading.wanted,
        bodies: Bodies::Read(reading.bodies),
        texts: None,
        large: None,
        finding: None,
    };
    render_into(site, config, theme, images, share_images, &streams, emit)
}

/// [`render_selected`] with the site's images shown as their resized outputs (which
/// [`crate::images::emit`] makes); without them an image is written as its Markdown says.
pub fn render_selected_with_images(
    site: &Site,
    config: &Config,
    theme: &Theme,
    images: &Images,
    share_images: &ShareImages,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let files = std::sync::Mutex::new(Vec::new());
    let collect = |file: OutputFile| -> Result<(), std::convert::Infallible> {
        files.lock().map_err(|_| unreachable_poison())?.push(file);
        Ok(())
    };
    let streams = Streams {
        wanted,
        bodies: Bodies::InSite,
        texts: None,
        large: None,
        finding: None,
    };
    match render_into(
        site,
        config,
        theme,
        images,
        share_images,
        &streams,
        &collect,
    ) {
        Ok(()) => {}
        Err(RenderFailure::Templates(diagnostics)) => return Err(diagnostics),
        Err(RenderFailure::Output(never)) => match never {},
    }
    let mut files = files
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn unreachable_poison() -> std::convert::Infallible {
    panic!("a thread collecting rendered files panicked")
}
