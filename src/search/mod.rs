//! Stage 5, index: the site's search index, built from the `Site` model
//! (never from HTML, never from the disk) as small script files under `search/` that the
//! browser client (`themes/default/static/js/search-core.js` and `search.js`) loads on demand.
//!
//! All linguistics happen here: [`text`] tokenises and folds, [`index`] stems (Snowball
//! English) and scores (quantised BM25F), [`shards`] cuts the index into content-hashed files
//! in the formats of [`codec`]. See `search-design.md` for the budgets.

pub mod codec;
pub mod docs;
pub mod index;
pub mod shards;
pub mod text;

use rayon::prelude::*;

use crate::config::Config;
use crate::model::Site;
use crate::render::OutputFile;

pub use docs::{SearchDoc, page_doc};
pub use index::{DocCounts, Index, IndexBuilder};
pub use shards::{ShardSizes, emit_index_files, index_files};

/// The search index of a published site: every file under `search/`, sorted by path. Returns
/// nothing when the config turns search off.
pub fn build_index(site: &Site, config: &Config) -> Vec<OutputFile> {
    let mut files = Vec::new();
    let collect = |file| -> Result<(), std::convert::Infallible> {
        files.push(file);
        Ok(())
    };
    match emit_index(site, config, collect) {
        Ok(()) => {}
        Err(never) => match never {},
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Hands every file of the search index to `emit` as it is made, stopping at `emit`'s first
/// error (`casebook build` writes each straight to disk). Nothing when search is off.
pub fn emit_index<E>(
    site: &Site,
    config: &Config,
    emit: impl FnMut(OutputFile) -> Result<(), E>,
) -> Result<(), E> {
    if !config.search {
        return Ok(());
    }
    let (docs, index) = index_site(site);
    emit_index_files(&docs, &index, ShardSizes::default(), emit)
}

/// Pages read at a time: their text is counted in parallel and dropped before the next.
const CHUNK: usize = 256;

/// The index's view of every page and the index itself. Each page's text fields live only
/// while they are counted, so memory grows with the vocabulary, not with the text.
pub fn index_site(site: &Site) -> (Vec<SearchDoc>, Index) {
    let mut docs = Vec::with_capacity(site.pages.len());
    let mut builder = IndexBuilder::default();
    for chunk in site.pages.chunks(CHUNK) {
        let counted: Vec<(SearchDoc, DocCounts)> = chunk
            .par_iter()
            .map(|page| {
                let mut doc = page_doc(site, page);
                let counts = DocCounts::of(&doc.fields);
                doc.fields = Default::default();
                (doc, counts)
            })
            .collect();
        for (doc, counts) in counted {
            builder.add(counts);
            docs.push(doc);
        }
    }
    (docs, builder.finish())
}

#[cfg(test)]
mod tests;
