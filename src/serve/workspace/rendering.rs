//! Rendering what the pending changes affect (everything after a full change) into the
//! rendered files, each kept in the pages' spool as soon as it is made, with the images the
//! pages show; and reading a page's body back from its file's text.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::{Files, Layers, Packed, Sources, Update, Workspace, published};
use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::images::Images;
use crate::load::Source;
use crate::model::Site;
use crate::model::content::Page;
use crate::parse;
use crate::render::{self, RenderFailure};
use crate::serve::affected::{self, Memo};
use crate::serve::files::Keep;
use crate::serve::spool::Spool;
use crate::theme::Theme;
use crate::write::OutputFile;

impl Workspace {
    /// Renders what the pending changes affect, when the content has no errors.
    pub(super) fn render(&mut self) -> Update {
        if self.has_errors() {
            return Update::default();
        }
        let mut steps = Vec::new();
        let mut lap = Instant::now();
        let mut step = |name: &'static str| {
            steps.push((name, lap.elapsed()));
            lap = Instant::now();
        };
        let published = published(&self.site, self.drafts, &self.config);
        let published = published.as_ref();
        let mut images = self.images.clone();
        images.retain_shown_by(&published.pages);
        // Only images new since the last good render are made (from the cache when there):
        // the outputs of the others are held already.
        let made_before: BTreeSet<String> = self.image_outputs.keys().cloned().collect();
        let made = match emit_images(&images.missing_from(&made_before), &self.root) {
            Ok(made) => made,
            Err(image_diagnostics) => {
                self.diagnostics.extend(image_diagnostics);
                diagnostics::sort(&mut self.diagnostics);
                return Update::default();
            }
        };
        step("images");
        // A page showing an image that changed names other files: it is rendered again.
        let mut pending = self.pending.clone();
        pending.extend(images.pages_changed_since(&self.shown_images));
        let mut memo = std::mem::take(&mut self.memo);
        let plan = if self.pending_all {
            memo = Memo::of(published);
            None
        } else {
            let before = memo.advance(published, &pending, self.relinked_since_render);
            affected::plan(&before, &memo, published, &self.theme, &pending)
        };
        step("plan");
        // Share images are served from the cache files that hold them, not held in memory.
        let share =
            render::ShareImages::new(crate::cache::Cache::open(&self.root, "share").remembering());
        if plan.is_none() {
            // A new spool: the old one goes with the last files and requests that hold it.
            self.pages_spool = Spool::create(&self.root).ok();
        }
        let everything = |_: &str| true;
        let wanted: &(dyn Fn(&str) -> bool + Sync) = match &plan {
            None => &everything,
            Some(plan) => &|path| plan.wants(path),
        };
        let result = render_packed(
            published,
            &self.config,
            &self.theme,
            (&images, &share),
            wanted,
            (
                &self.sources,
                keep_in(self.pages_spool.as_ref()),
                &self.rendered,
            ),
        );
        step("pages");
        self.memo = memo;
        let files = match result {
            Ok(files) => files,
            Err(RenderFailure::Templates(template_diagnostics)) => {
                // The memo already describes the new site: render everything next time.
                self.pending_all = true;
                self.diagnostics.extend(template_diagnostics);
                diagnostics::sort(&mut self.diagnostics);
                return Update::default();
            }
            Err(RenderFailure::Output(unread)) => {
                // Never expected: a page's text is kept with the page parsed from it.
                self.pending_all = true;
                self.problem(&unread.0, &"its text could not be read back; save it again");
                return Update::default();
            }
        };
        let rendered_count = files.len() + made.len();
        let needed = images.output_paths();
        let unneeded: Vec<String> = made_before.difference(&needed).cloned().collect();
        self.image_outputs
            .retain(|path, _| needed.contains(path.as_str()));
        self.image_outputs.extend(made.iter().cloned());
        self.shown_images = images;
        let (next, changed) = match &plan {
            None => {
                let mut next: Files = files.into_iter().collect();
                next.extend(
                    self.image_outputs
                        .iter()
                        .map(|(path, packed)| (path.clone(), packed.clone())),
                );
                let changed = changed_paths(&self.rendered.to_map(), &next);
                (Layers::from_map(next), changed)
            }
            Some(plan) => {
                let removed: Vec<String> = plan.removed.iter().cloned().chain(unneeded).collect();
                self.rendered
                    .update(&removed, files.into_iter().chain(made))
            }
        };
        self.rendered = next;
        let full = plan.is_none();
        // The index reads the model, not the pages: any content change may change it.
        self.search_stale |= full || !self.pending.is_empty();
        self.pending.clear();
        self.pending_all = false;
        self.relinked_since_render = false;
        step("files");
        Update {
            changed,
            rendered: rendered_count,
            full,
            steps,
            ..Update::default()
        }
    }
}

/// A page whose body could not be read back from the text it was parsed from (its file).
#[derive(Debug)]
pub(crate) struct Unread(String);

/// The body of `page`, from the text of its file in `sources`: the text it was parsed from,
/// whose body's hash the page kept when it let its body go.
pub(super) fn body_of(sources: &Sources, page: &Page) -> Result<String, Unread> {
    let unread = || Unread(page.file.clone());
    let bytes = sources.get(&page.file).ok_or_else(unread)?;
    let text = String::from_utf8(bytes.unpack().map_err(|_| unread())?.into_owned())
        .map_err(|_| unread())?;
    let source = Source {
        path: page.file.clone(),
        kind: page.kind,
        stem: String::new(),
        text,
    };
    let body = parse::body_text(&source);
    if page.body.had_text(&body) {
        Ok(body)
    } else {
        Err(unread())
    }
}

/// Renders the files of `site` that `wanted` accepts, each page's body read from `sources`
/// and each file kept as `how` says as soon as it is rendered (on the thread that rendered
/// it; see [`Packed::keep_unless_same`] for `previous`), so that the whole site is never
/// held in memory as it is. Share images the share cache holds are read from there.
fn render_packed(
    site: &Site,
    config: &Config,
    theme: &Theme,
    (images, share): (&Images, &render::ShareImages),
    wanted: &(dyn Fn(&str) -> bool + Sync),
    (sources, how, previous): (&Sources, Keep<'_>, &Layers),
) -> Result<Vec<(String, Packed)>, RenderFailure<Unread>> {
    let files = std::sync::Mutex::new(Vec::new());
    let keep = |file: OutputFile| -> Result<(), Unread> {
        let packed = if share.cache().file_holding(&file.contents).is_some() {
            Packed::held_by(share.cache(), file.contents, how)
        } else {
            Packed::keep_unless_same(file.contents, how, previous.get(&file.path))
        };
        files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((file.path, packed));
        Ok(())
    };
    let bodies = |page: &Page| body_of(sources, page);
    let reading = render::Reading {
        wanted,
        bodies: &bodies,
    };
    render::render_selected_reading(site, config, theme, images, share, reading, &keep)?;
    Ok(files
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// Files kept in `spool`, else deflated in memory.
pub(super) fn keep_in(spool: Option<&Arc<Spool>>) -> Keep<'_> {
    match spool {
        Some(spool) => Keep::Spooled(spool),
        None => Keep::Deflated,
    }
}

/// Makes the files of `images` (from the image cache shared with `casebook build` when they
/// are there), each kept as it is; or the E017s of images whose pixels do not decode.
fn emit_images(images: &Images, root: &Path) -> Result<Vec<(String, Packed)>, Vec<Diagnostic>> {
    if images.is_empty() {
        return Ok(Vec::new());
    }
    let cache = crate::cache::Cache::open(root, crate::images::NAMESPACE).remembering();
    let made = std::sync::Mutex::new(Vec::new());
    let keep = |file: OutputFile| -> Result<(), std::convert::Infallible> {
        let packed = Packed::held_by(&cache, file.contents, Keep::AsIs);
        made.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((file.path, packed));
        Ok(())
    };
    match crate::images::emit(images, root, &cache, &keep) {
        Ok(_) => Ok(made
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)),
        Err(crate::images::EmitFailure::Content(diagnostics)) => Err(diagnostics),
        Err(crate::images::EmitFailure::Output(never)) => match never {},
    }
}

/// Paths added, removed or with other contents in `next` than in `previous`.
pub(super) fn changed_paths(previous: &Files, next: &Files) -> Vec<String> {
    let mut changed: Vec<String> = next
        .iter()
        .filter(|(path, bytes)| previous.get(*path) != Some(*bytes))
        .map(|(path, _)| path.clone())
        .collect();
    changed.extend(
        previous
            .keys()
            .filter(|path| !next.contains_key(*path))
            .cloned(),
    );
    changed.sort();
    changed
}
