//! The search index, made apart from the pages: a [`SearchJob`] holds the linked site it
//! indexes and can run on another thread while the pages are served; the workspace hands it
//! out when the pages changed and takes its files back.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::rendering::{body_of, changed_paths, keep_in};
use super::{Drafts, Files, Packed, Sources, Workspace, published};
use crate::config::Config;
use crate::model::Site;
use crate::serve::spool::Spool;
use crate::write::OutputFile;

impl Workspace {
    /// Rebuilds the search index, here and now, when the pages changed since it was built;
    /// returns the output paths that changed.
    pub fn update_search(&mut self) -> Option<Vec<String>> {
        let job = self.search_job()?;
        let files = job.run()?;
        Some(self.set_search(Arc::new(files)))
    }

    /// The search index to make when the pages changed since the last one was asked for
    /// (`None` otherwise). The index covers the whole site, so `casebook serve` makes it on
    /// its own thread after the pages are served: the page being edited shows at once, and
    /// search catches up moments later. Hand the files to [`Workspace::set_search`].
    pub fn search_job(&mut self) -> Option<SearchJob> {
        if !self.search_stale {
            return None;
        }
        self.search_stale = false;
        Some(SearchJob {
            root: self.root.clone(),
            site: Arc::clone(&self.site),
            sources: Arc::clone(&self.sources),
            drafts: self.drafts,
            config: self.config.clone(),
            stop: Arc::clone(&self.stop_search),
        })
    }

    /// Takes `files` as the search index's files; returns the paths that changed.
    pub fn set_search(&mut self, files: Arc<Files>) -> Vec<String> {
        let previous = std::mem::replace(&mut self.search, files);
        changed_paths(&previous, &self.search)
    }

    /// The search index's files, as of the last [`Workspace::set_search`].
    pub fn search_files(&self) -> Arc<Files> {
        Arc::clone(&self.search)
    }
}

/// A search index to make: the linked site it indexes, and how it is published.
#[derive(Debug)]
pub struct SearchJob {
    /// The site root, where the index's spool is made.
    root: PathBuf,
    site: Arc<Site>,
    /// The text of each page's file, to read its body from.
    sources: Arc<Sources>,
    drafts: Drafts,
    config: Config,
    /// Set when the workspace must change the site: the job is dropped unfinished.
    stop: Arc<AtomicBool>,
}

/// A search job stopped unfinished.
struct Stopped;

impl SearchJob {
    /// Makes the search index's files (`search/...`), in a spool of their own (which goes
    /// when the last of them does), else deflated. Takes the time of indexing the whole
    /// site: run it where nothing waits for it.
    /// `None` when the workspace stopped it to change the site.
    pub fn run(&self) -> Option<Files> {
        if self.stopped() {
            return None;
        }
        let published = published(&self.site, self.drafts, &self.config);
        let spool = Spool::create(&self.root).ok();
        let how = keep_in(spool.as_ref());
        let files = std::sync::Mutex::new(Vec::new());
        let keep = |file: OutputFile| -> Result<(), Stopped> {
            if self.stopped() {
                return Err(Stopped);
            }
            let packed = Packed::keep(file.contents, how);
            files
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((file.path, packed));
            Ok(())
        };
        // The pages' texts from their bodies, a part at a time, as `search::emit_index` takes
        // them from a site that holds its bodies. Once the job is stopped the texts left are
        // empty, so that the next file it emits (the part's cards) ends it at once: a save
        // waits for it to let go of the site.
        let unread = AtomicBool::new(false);
        let texts = published.pages.chunks(crate::search::CHUNK).map(|chunk| {
            chunk
                .par_iter()
                .map(|page| {
                    if self.stopped() {
                        return crate::search::PlainText::default();
                    }
                    match body_of(&self.sources, page) {
                        Ok(body) => crate::search::text::markdown_text(&body),
                        Err(_) => {
                            unread.store(true, Ordering::SeqCst);
                            crate::search::PlainText::default()
                        }
                    }
                })
                .collect()
        });
        let cards =
            crate::search::emit_index_of_texts(&published, &self.config, texts, &keep).ok()?;
        if unread.load(Ordering::SeqCst) || self.stopped() {
            // Texts left out: never expected from a file's text, and a stopped job's index
            // is stale anyway.
            return None;
        }
        let mut files = files
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(cards) = cards {
            for (path, _) in &mut files {
                *path = crate::search::card_path(path, &cards);
            }
        }
        Some(files.into_iter().collect())
    }

    /// Whether the workspace stopped this job.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}
