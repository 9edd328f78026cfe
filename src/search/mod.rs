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

use crate::config::Config;
use crate::model::Site;
use crate::render::OutputFile;

pub use docs::{SearchDoc, site_docs};
pub use index::Index;
pub use shards::{ShardSizes, index_files};

/// The search index of a published site: every file under `search/`, sorted by path. Returns
/// nothing when the config turns search off.
pub fn build_index(site: &Site, config: &Config) -> Vec<OutputFile> {
    if !config.search {
        return Vec::new();
    }
    let docs = site_docs(site);
    let index = Index::build(&docs);
    index_files(&docs, &index, ShardSizes::default())
}

#[cfg(test)]
mod tests;
