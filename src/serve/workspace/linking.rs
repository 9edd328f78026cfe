//! Linking the site again after a change, keeping aside the pages dropped as duplicates, and
//! gathering the diagnostics of every stage; and changing the linked site, which first stops
//! the search jobs that hold it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::Workspace;
use crate::diagnostics::{self, Diagnostic};
use crate::model::content::Page;
use crate::model::{self, ContentKind, Site};

/// How long a change waits for stopped search jobs to let go of the site before copying it.
const STOP_WAIT: Duration = Duration::from_secs(2);

impl Workspace {
    /// The linked site, to change: search jobs holding it are stopped and let go of it first
    /// (within one chunk of pages; the index is then stale). Copied only if they have not let
    /// go within [`STOP_WAIT`].
    fn site_mut(&mut self) -> &mut Site {
        if Arc::strong_count(&self.site) > 1 {
            self.stop_search.store(true, Ordering::SeqCst);
            self.stop_search = Arc::default();
            self.search_stale = true;
            let deadline = Instant::now() + STOP_WAIT;
            while Arc::strong_count(&self.site) > 1 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        Arc::make_mut(&mut self.site)
    }

    /// The pages of the linked site, taken out of it.
    pub(super) fn take_pages(&mut self) -> Vec<Page> {
        std::mem::take(&mut self.site_mut().pages)
    }

    /// Puts `page` in place of the page at `slot` of the linked site.
    pub(super) fn replace_page(&mut self, slot: usize, page: Page) {
        self.site_mut().pages[slot] = page;
    }
    /// Links every page again, keeping aside the pages linking drops as duplicates so that
    /// the next change can bring them back.
    pub(super) fn relink(&mut self) {
        let mut pages = self.take_pages();
        pages.append(&mut self.spare);
        // link_site keeps, of the pages sharing a kind and slug, the one whose file sorts first
        // and drops the others (reporting them): copies of those are kept here.
        let mut first_file: BTreeMap<(ContentKind, &str), &str> = BTreeMap::new();
        let mut duplicated = false;
        for page in &pages {
            let key = (page.kind, page.slug.value.as_str());
            match first_file.get_mut(&key) {
                Some(first) => {
                    duplicated = true;
                    if page.file.as_str() < *first {
                        *first = &page.file;
                    }
                }
                None => {
                    first_file.insert(key, &page.file);
                }
            }
        }
        let spare: Vec<Page> = if duplicated {
            pages
                .iter()
                .filter(|page| {
                    first_file.get(&(page.kind, page.slug.value.as_str()))
                        != Some(&page.file.as_str())
                })
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        drop(first_file);
        let kept = pages;
        let options = model::LinkOptions {
            link_check: self.config.link_check,
            static_files: self.static_paths.clone(),
            unreadable: crate::unreadable_pages(self.file_diagnostics.values().flatten(), &kept),
        };
        let (site, link_diagnostics) = model::link_site(kept, &options);
        self.site = Arc::new(site);
        self.spare = spare;
        self.link_diagnostics = link_diagnostics;
        self.collect_diagnostics();
    }

    /// Reads the images the pages show again (as `casebook check` does, after the model),
    /// then gathers the diagnostics of every stage, sorted.
    pub(super) fn collect_diagnostics(&mut self) {
        let (images, image_diagnostics) = crate::images::scan_again(
            &self.root,
            &self.site.pages,
            &self.config.images,
            &self.scanned,
        );
        self.images = images;
        self.image_diagnostics = image_diagnostics;
        let mut all: Vec<Diagnostic> = self
            .file_diagnostics
            .values()
            .flatten()
            .cloned()
            .chain(self.link_diagnostics.iter().cloned())
            .chain(self.image_diagnostics.iter().cloned())
            .collect();
        all.extend(
            self.skipped_links
                .iter()
                .map(|link| crate::write::skipped_link_warning(link)),
        );
        diagnostics::sort(&mut all);
        self.diagnostics = all;
    }
}
