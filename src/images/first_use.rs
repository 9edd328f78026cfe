//! The images of bodies, read as the render first meets them: a build's check does not parse
//! the bodies of the pages it renders, so their images are learnt in the render's own parse.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::{ImageFile, Images, Reference, Scanned, read_image, resolve};
use crate::config::ImageSettings;

/// Each image file a page shows, read once, the first time a page shows it: a shared, locked
/// map from the file's site-relative path to what reading it learnt. The images a scan
/// already read (the site's `image:` fields, drafts' bodies) are taken from it as they are.
///
/// What is read is noted in the [`Scanned`] it is given, so that the scan of every place
/// once the render is done ([`super::scan_places`]) reads no file again, and reports the
/// problems (E017, W109) as [`super::scan`] does; a file that cannot be read is `None` here.
#[derive(Debug)]
pub struct OnFirstUse<'a> {
    root: &'a Path,
    settings: &'a ImageSettings,
    known: &'a Images,
    scanned: &'a Scanned,
    files: Mutex<HashMap<String, Arc<OnceLock<Option<ImageFile>>>>>,
}

impl<'a> OnFirstUse<'a> {
    /// Images of the site at `root`, `known` already scanned, the others read on first use
    /// with their facts noted in `scanned`.
    pub fn new(
        root: &'a Path,
        settings: &'a ImageSettings,
        known: &'a Images,
        scanned: &'a Scanned,
    ) -> OnFirstUse<'a> {
        OnFirstUse {
            root,
            settings,
            known,
            scanned,
            files: Mutex::new(HashMap::new()),
        }
    }

    /// `f` of the image file `src` names in the page whose file is `page_file`, if it is one
    /// of the site's and can be read. Only the first call for a file reads it; a call for the
    /// same file meanwhile waits for that read, others do not.
    pub fn with<R>(
        &self,
        page_file: &str,
        src: &str,
        f: impl FnOnce(&ImageFile) -> R,
    ) -> Option<R> {
        if let Some(image) = self.known.get(page_file, src) {
            return Some(f(image));
        }
        let Reference::File(path) = resolve(page_file, src) else {
            return None;
        };
        let slot = {
            let mut files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(files.entry(path.clone()).or_default())
        };
        let image = slot.get_or_init(|| {
            read_image(
                self.root,
                path,
                Vec::new(),
                self.settings,
                self.scanned,
                self.scanned,
            )
            .0
        });
        image.as_ref().map(f)
    }

    /// How many files were read on first use.
    pub fn len(&self) -> usize {
        self.files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
