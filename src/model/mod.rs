//! Stage 3, validate and link: the content model and the [`Site`] built from it.
pub mod content;
pub mod fields;
mod kind;
pub mod ratings;
pub mod related;
pub mod review;
pub mod site;
mod slug;
pub mod time;
pub mod vocab;

pub use kind::ContentKind;
pub use site::{
    LinkOptions, Relations, Site, Taxonomy, Term, link_site, page_at, page_path, page_terms,
    site_folder_use, without_drafts,
};
pub use slug::{
    FOLD_TABLE, MAX_SLUG_LENGTH, fold_accent, fold_lower, is_valid_slug, suggest_slug, term_key,
};
