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

pub use docs::{SearchDoc, page_doc, page_doc_with_text};
pub use index::{DocCounts, Index, IndexBuilder};
pub use shards::{
    Facts, PENDING_CARDS, ShardSizes, card, card_path, cards_folder, emit_facts_files,
    emit_index_files, index_files,
};
pub use text::{PlainText, PlainTextBuilder};

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
    // The pages' texts from their bodies, a part at a time: each part's text lives only
    // while it is counted and its cards written, so memory grows with the vocabulary, not
    // with the text.
    let texts = site.pages.chunks(CHUNK).map(|chunk| {
        chunk
            .par_iter()
            .map(|page| text::markdown_text(&page.body.markdown))
            .collect()
    });
    emit_index_of_texts(site, config, texts, emit)
}

/// Pages read at a time: their text is counted in parallel and dropped before the next.
pub const CHUNK: usize = 256;

/// [`emit_index`] for a site whose pages' texts come from elsewhere, in order: `texts` yields
/// those of `site.pages`, a part at a time ([`CHUNK`] pages a part, the last part shorter), as
/// the build's render stage takes them from the parse it renders. A part that is missing (the
/// render stopped) leaves the index short; the caller, whose build failed, discards it.
pub fn emit_index_of_texts<E: Send>(
    site: &Site,
    config: &Config,
    texts: impl IntoIterator<Item = Vec<PlainText>>,
    emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<Option<String>, E> {
    if !config.search {
        return Ok(None);
    }
    let mut indexer = SiteIndexer::new(site);
    for part in texts {
        indexer.add(part, emit)?;
    }
    let (docs, index, hash) = indexer.finish();
    emit_facts_files(&docs, &index, ShardSizes::default(), &hash, emit)?;
    Ok((!docs.is_empty()).then_some(hash))
}

/// The index made a part of the site at a time, in page order.
struct SiteIndexer<'s> {
    site: &'s Site,
    docs: Facts,
    builder: IndexBuilder,
    cards: Hasher,
}

impl<'s> SiteIndexer<'s> {
    fn new(site: &'s Site) -> SiteIndexer<'s> {
        SiteIndexer {
            site,
            docs: Facts::default(),
            builder: IndexBuilder::default(),
            cards: Hasher::default(),
        }
    }

    /// Adds the next pages, given their texts: counts their words in parallel and writes
    /// their cards. Texts beyond the site's pages are ignored.
    fn add<E: Send>(
        &mut self,
        texts: Vec<PlainText>,
        emit: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
    ) -> Result<(), E> {
        let first = self.docs.len();
        let pages = self.site.pages.get(first..).unwrap_or_default();
        let site = self.site;
        let counted: Vec<(SearchDoc, DocCounts, Vec<u8>)> = pages
            .par_iter()
            .zip(texts.into_par_iter())
            .enumerate()
            .map(|(i, (page, plain))| {
                let doc = page_doc_with_text(site, page, plain);
                let counts = DocCounts::of(&doc.fields);
                let card = card(first + i, &doc);
                (doc, counts, card)
            })
            .collect();
        let mut written = Vec::with_capacity(counted.len());
        for (i, (doc, counts, card)) in counted.into_iter().enumerate() {
            self.builder.add(counts);
            self.docs.add(&doc);
            self.cards.update(&card);
            written.push(OutputFile::new(
                format!("{PENDING_CARDS}/{}.js", first + i),
                card,
            ));
        }
        written.into_par_iter().try_for_each(emit)
    }

    fn finish(self) -> (Facts, Index, String) {
        (self.docs, self.builder.finish(), self.cards.finish())
    }
}

#[cfg(test)]
mod tests;
