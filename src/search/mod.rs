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
use crate::search::codec::Hasher;
use crate::write::OutputFile;

pub use docs::{SearchDoc, page_doc};
pub use index::{DocCounts, Index, IndexBuilder};
pub use shards::{
    PENDING_CARDS, ShardSizes, card, card_path, cards_folder, emit_index_files, index_files,
};

/// The search index of a published site: every file under `search/`, sorted by path. Returns
/// nothing when the config turns search off.
pub fn build_index(site: &Site, config: &Config) -> Vec<OutputFile> {
    let files = std::sync::Mutex::new(Vec::new());
    let collect = |file| -> Result<(), std::convert::Infallible> {
        files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(file);
        Ok(())
    };
    let cards = match emit_index(site, config, &collect) {
        Ok(cards) => cards,
        Err(never) => match never {},
    };
    let mut files = files
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(cards) = cards {
        for file in &mut files {
            file.path = card_path(&file.path, &cards);
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Hands every file of the search index to `emit` as it is made (from several threads),
/// stopping at `emit`'s first error: `casebook build` writes each straight to disk. Result
/// cards, most of the bytes, are written as their pages are read, into [`PENDING_CARDS`],
/// which the caller then moves to [`cards_folder`] of the returned hash (of all cards, known
/// only at the end). Nothing when search is off, or when the site has no pages.
pub fn emit_index<E: Send>(
    site: &Site,
    config: &Config,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<Option<String>, E> {
    if !config.search {
        return Ok(None);
    }
    let (docs, index, hash) = index_site(site, emit)?;
    emit_index_files(&docs, &index, ShardSizes::default(), &hash, emit)?;
    Ok((!docs.is_empty()).then_some(hash))
}

/// Pages read at a time: their text is counted in parallel and dropped before the next.
const CHUNK: usize = 256;

/// The index's view of every page (without its text), the index itself, and the hash of
/// all result cards. Each page's text lives only while it is counted and its card written
/// (under [`PENDING_CARDS`]), so memory grows with the vocabulary, not with the text.
pub fn index_site<E: Send>(
    site: &Site,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<(Vec<SearchDoc>, Index, String), E> {
    let mut docs = Vec::with_capacity(site.pages.len());
    let mut builder = IndexBuilder::default();
    let mut cards = Hasher::default();
    for (number, chunk) in site.pages.chunks(CHUNK).enumerate() {
        let first = number * CHUNK;
        let counted: Vec<(SearchDoc, DocCounts, Vec<u8>)> = chunk
            .par_iter()
            .enumerate()
            .map(|(i, page)| {
                let doc = page_doc(site, page);
                let counts = DocCounts::of(&doc.fields);
                let card = card(first + i, &doc);
                (compact(doc), counts, card)
            })
            .collect();
        let mut written = Vec::with_capacity(counted.len());
        for (i, (doc, counts, card)) in counted.into_iter().enumerate() {
            builder.add(counts);
            docs.push(doc);
            cards.update(&card);
            written.push(OutputFile {
                path: format!("{PENDING_CARDS}/{}.js", first + i),
                contents: card,
            });
        }
        written.into_par_iter().try_for_each(emit)?;
    }
    Ok((docs, builder.finish(), cards.finish()))
}

/// What the index files need of a page once its card is written: its facets, numbers and
/// date. Its text, and what only its card shows, are dropped, so that a large site's docs
/// hold a few small values a page.
fn compact(doc: SearchDoc) -> SearchDoc {
    let mut facets = doc.facets;
    facets.shrink_to_fit();
    let mut numbers = doc.numbers;
    numbers.shrink_to_fit();
    SearchDoc {
        facets,
        numbers,
        date: doc.date,
        ..SearchDoc::default()
    }
}

#[cfg(test)]
mod tests;
