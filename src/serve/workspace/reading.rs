//! Reading a workspace's content from disk: every file at the start or after a change that
//! calls for it, or only the files a change names, each parsed again on its own.

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;
use walkdir::WalkDir;

use super::rendering::keep_in;
use super::{Files, LoadResult, Packed, Reread, Workspace};
use crate::diagnostics::Diagnostic;
use crate::load::{self, Source};
use crate::model::content::{Body, Page};
use crate::parse;
use crate::serve::spool::Spool;
use crate::write;

impl Workspace {
    pub(super) fn read_all_content(&mut self) -> Result<(), load::LoadError> {
        let loaded = load::load(&self.root, self.config.max_file_size)?;
        let options = self.parse_options();
        // Bodies are let go: each is read again from its text when its page renders.
        let parsed: Vec<(Option<Page>, Vec<Diagnostic>)> = loaded
            .sources
            .par_iter()
            .map(|source| {
                let (mut page, diagnostics) = parse::parse_source(source, &options);
                if let Some(page) = &mut page {
                    page.body.let_go();
                }
                (page, diagnostics)
            })
            .collect();
        self.file_diagnostics.clear();
        for diagnostic in loaded.diagnostics {
            self.file_diagnostics
                .entry(diagnostic.file.clone())
                .or_default()
                .push(diagnostic);
        }
        let mut pages = Vec::with_capacity(parsed.len());
        for (page, file_diagnostics) in parsed {
            pages.extend(page);
            for diagnostic in file_diagnostics {
                self.file_diagnostics
                    .entry(diagnostic.file.clone())
                    .or_default()
                    .push(diagnostic);
            }
        }
        // A new spool: the old one goes with the texts it held.
        self.sources_spool = Spool::create(&self.root).ok();
        let keep = keep_in(self.sources_spool.as_ref());
        self.sources = Arc::new(
            loaded
                .sources
                .into_par_iter()
                .map(|source| (source.path, Packed::keep(source.text.into_bytes(), keep)))
                .collect(),
        );
        self.site = Arc::default();
        self.spare = pages;
        Ok(())
    }

    /// Re-reads and re-parses the content files at `paths`; a missing file is removed.
    /// Returns true when every changed page could replace its old version in the linked site
    /// as it is (see [`Workspace::slot_in_place`]): then linking again is not needed.
    pub(super) fn reread(&mut self, paths: &BTreeSet<String>) -> bool {
        if paths.is_empty() {
            return true;
        }
        let options = self.parse_options();
        let root = self.root.clone();
        let max = self.config.max_file_size;
        let results: Vec<(String, Option<LoadResult>)> = paths
            .par_iter()
            .map(|path| (path.clone(), load::load_file(&root, path, max)))
            .collect();
        let results: Vec<(String, Reread)> = results
            .into_iter()
            .map(|(path, result)| {
                let reread = match result {
                    Some(Err(error)) if root.join(&path).exists() => Reread::Problem(error),
                    None | Some(Err(_)) => Reread::Gone,
                    Some(Ok(Err(diagnostic))) => Reread::Unusable(Box::new(diagnostic)),
                    Some(Ok(Ok(source))) => {
                        let (mut page, diagnostics) = parse::parse_source(&source, &options);
                        if let Some(page) = &mut page {
                            page.body.let_go();
                        }
                        Reread::Read(source, page, diagnostics)
                    }
                };
                (path, reread)
            })
            .collect();
        let slots: Option<Vec<usize>> = results
            .iter()
            .map(|(_, reread)| match reread {
                Reread::Read(_, Some(page), _) => self.slot_in_place(page),
                _ => None,
            })
            .collect();
        if let Some(slots) = slots {
            for ((path, reread), slot) in results.into_iter().zip(slots) {
                if let Reread::Read(source, Some(page), diagnostics) = reread {
                    self.replace_page(slot, page);
                    self.file_diagnostics.remove(&path);
                    self.store(&path, source, diagnostics);
                    self.pending.insert(path);
                }
            }
            return true;
        }
        let mut pages = self.take_pages();
        pages.append(&mut self.spare);
        pages.retain(|page| !paths.contains(&page.file));
        for (path, reread) in results {
            Arc::make_mut(&mut self.sources).remove(&path);
            self.file_diagnostics.remove(&path);
            match reread {
                // The file vanished or became unreadable between the event and the read: when
                // it is gone, it is a deletion; otherwise the problem is shown until next save.
                Reread::Problem(error) => self.problem(&path, &error),
                Reread::Gone => {}
                Reread::Unusable(diagnostic) => {
                    self.file_diagnostics
                        .insert(path.clone(), vec![*diagnostic]);
                }
                Reread::Read(source, page, diagnostics) => {
                    pages.extend(page);
                    self.store(&path, source, diagnostics);
                }
            }
            self.pending.insert(path);
        }
        self.site = Arc::default();
        self.spare = pages;
        false
    }

    fn store(&mut self, path: &str, source: Source, diagnostics: Vec<Diagnostic>) {
        if !diagnostics.is_empty() {
            self.file_diagnostics.insert(path.to_owned(), diagnostics);
        }
        let packed = Packed::keep(
            source.text.into_bytes(),
            keep_in(self.sources_spool.as_ref()),
        );
        Arc::make_mut(&mut self.sources).insert(path.to_owned(), packed);
    }

    /// Where `page` can replace its old version in the linked site without linking again: when
    /// only its body changed and its links did not (so the index, the relations and every
    /// link diagnostic stay the same), and no link diagnostic names its file (their positions
    /// could have moved). Linking 10,000 pages takes most of a rebuild; a body edit, the
    /// commonest change, needs none of it.
    pub(super) fn slot_in_place(&self, page: &Page) -> Option<usize> {
        if !self.spare.is_empty() {
            return None;
        }
        let slot = self.site.index_of(page.kind, &page.slug.value)?;
        let old = &self.site.pages[slot];
        let named =
            |d: &Diagnostic| d.file == page.file || d.related.iter().any(|r| r.file == page.file);
        if old.file != page.file || self.link_diagnostics.iter().any(named) {
            return None;
        }
        if !old
            .links
            .iter()
            .map(|l| &l.value)
            .eq(page.links.iter().map(|l| &l.value))
        {
            return None;
        }
        let without_body = |page: &Page| {
            let mut page = page.clone();
            page.body = Body::default();
            page.links.clear();
            format!("{page:?}")
        };
        (without_body(old) == without_body(page)).then_some(slot)
    }

    /// Content files whose presence on disk differs from what is loaded (after a folder was
    /// renamed or removed as a whole).
    pub(super) fn content_files_changed_on_disk(&self) -> BTreeSet<String> {
        let content = self.root.join("content");
        let on_disk: BTreeSet<String> = WalkDir::new(&content)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_file())
            .map(|entry| load::relative_path(&self.root, entry.path()))
            .filter(|path| load::kind_of_path(path).is_some())
            .collect();
        let known: BTreeSet<&String> = self
            .sources
            .keys()
            .chain(self.file_diagnostics.keys())
            .collect();
        let mut changed: BTreeSet<String> = on_disk
            .iter()
            .filter(|path| !known.contains(path))
            .cloned()
            .collect();
        changed.extend(
            known
                .into_iter()
                .filter(|path| !on_disk.contains(*path))
                .cloned(),
        );
        changed
    }

    pub(super) fn read_static(&mut self) {
        let (copies, skipped) = write::static_copies(&self.root);
        let mut files = Files::new();
        for copy in copies {
            match std::fs::read(&copy.source) {
                Ok(bytes) => {
                    files.insert(copy.path, Packed::pack(&bytes));
                }
                Err(error) => self.problem(&format!("static/{}", copy.path), &error),
            }
        }
        self.static_files = Arc::new(files);
        self.skipped_links = skipped;
        self.static_paths = load::list_static_files(&self.root);
    }
}
