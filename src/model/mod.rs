//! Stage 3, validate and link: the content model and the [`Site`] built from it.
pub mod content;
pub mod ratings;
pub mod site;
pub mod time;
pub mod vocab;

pub use site::{LinkOptions, Relations, Site, Taxonomy, Term, link_site, page_path, page_terms};
