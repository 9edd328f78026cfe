//! Related case studies chosen at build time, for a case study that does not name its own in
//! `related:`.
//!
//! Two case studies are related by the taxonomy terms they share: topics, care settings and
//! CQC key questions. Each shared term scores by how rare it is, `ln(1 + 1000 / n)` for a term
//! `n` published case studies have (an inverse document frequency against a fixed corpus size
//! rather than the site's, so that adding a case study sharing nothing with a page never
//! reorders that page's list). The highest scores win, then the newest, then the slug; a page
//! never lists itself or a draft.
//!
//! An inverted index from each term to its case studies keeps this near-linear: a page scores
//! only the case studies its own terms reach, taking every case study of a rare term but only
//! the newest [`CANDIDATES_PER_TERM`] of a common one, whose weight is small. So a page's
//! candidates are bounded however large the site, and scoring a candidate against a common
//! term is a binary search in the candidate's few terms. Lists are computed per page, when
//! its view is made, so a preview that re-renders a few pages computes a few lists.
//!
//! The text of pages is not compared: common words would relate every page to every other, and
//! a summary edit would then change the lists of the whole site.

use std::cmp::Reverse;

use crate::model::content::Details;
use crate::model::{ContentKind, Site, Taxonomy};

/// How many related case studies a page shows.
pub const RELATED_COUNT: usize = 3;

/// The most case studies taken as candidates from one term; a term with more is common, and
/// only its newest are taken.
pub const CANDIDATES_PER_TERM: usize = 64;

/// The corpus size the rarity of a term is measured against.
const REFERENCE_SIZE: f64 = 1000.0;

/// The taxonomies case studies are related by.
pub const RELATING_TAXONOMIES: [Taxonomy; 3] =
    [Taxonomy::Topics, Taxonomy::Settings, Taxonomy::KeyQuestions];

/// Each relating term's published case studies, to choose related case studies from.
#[derive(Debug, Clone, Default)]
pub struct RelatedIndex {
    /// Term → the published (not draft) case studies filed under it, newest first, then by
    /// slug (site order).
    postings: Vec<Vec<usize>>,
    /// Page → its relating terms, ascending (empty for other kinds of page).
    terms_of: Vec<Vec<u32>>,
}

impl RelatedIndex {
    /// The index of `site`'s case studies.
    pub fn new(site: &Site) -> RelatedIndex {
        let mut index = RelatedIndex {
            postings: Vec::new(),
            terms_of: vec![Vec::new(); site.pages.len()],
        };
        let newest_first = |&i: &usize| (Reverse(site.pages[i].published), i);
        for taxonomy in RELATING_TAXONOMIES {
            for (_, term) in site.relations.terms.get(&taxonomy).into_iter().flatten() {
                let id = index.postings.len() as u32;
                let mut published = Vec::new();
                for &i in &term.pages {
                    let page = &site.pages[i];
                    if page.kind != ContentKind::CaseStudy {
                        continue;
                    }
                    index.terms_of[i].push(id);
                    if !page.draft {
                        published.push(i);
                    }
                }
                published.sort_by_key(newest_first);
                index.postings.push(published);
            }
        }
        index
    }

    /// The related case studies of the page at `page` in `site` (the site this index was made
    /// from): its own `related:` list if it has one, else up to [`RELATED_COUNT`] chosen by
    /// shared terms. Empty for other kinds of page.
    pub fn related(&self, site: &Site, page: usize) -> Vec<usize> {
        match &site.pages[page].details {
            Details::CaseStudy(case) if !case.related.is_empty() => case
                .related
                .iter()
                .filter_map(|r| site.index_of(ContentKind::CaseStudy, &r.value))
                .collect(),
            Details::CaseStudy(_) => self.chosen(site, page),
            _ => Vec::new(),
        }
    }

    /// The case studies sharing the most (and rarest) terms with `page`.
    fn chosen(&self, site: &Site, page: usize) -> Vec<usize> {
        let mine = &self.terms_of[page];
        // (candidate, weight of one rare term it shares), or weight 0 when it is reached
        // through a common term and scored below.
        let mut reached: Vec<(usize, f64)> = Vec::new();
        let mut common: Vec<(u32, f64)> = Vec::new();
        for &term in mine {
            let pages = &self.postings[term as usize];
            let weight = rarity(pages.len());
            if pages.len() <= CANDIDATES_PER_TERM {
                reached.extend(pages.iter().map(|&other| (other, weight)));
            } else {
                reached.extend(
                    pages
                        .iter()
                        .take(CANDIDATES_PER_TERM)
                        .map(|&other| (other, 0.0)),
                );
                common.push((term, weight));
            }
        }
        reached.sort_by_key(|&(other, _)| other);
        let mut scored: Vec<(f64, usize)> = Vec::new();
        for group in reached.chunk_by(|a, b| a.0 == b.0) {
            let other = group[0].0;
            if other == page {
                continue;
            }
            let theirs = &self.terms_of[other];
            let rare: f64 = group.iter().map(|&(_, weight)| weight).sum();
            let shared_common: f64 = common
                .iter()
                .filter(|(term, _)| theirs.binary_search(term).is_ok())
                .map(|&(_, weight)| weight)
                .sum();
            scored.push((rare + shared_common, other));
        }
        let newest = |i: usize| Reverse(site.pages[i].published);
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| newest(a.1).cmp(&newest(b.1)))
                .then(a.1.cmp(&b.1))
        });
        scored
            .into_iter()
            .take(RELATED_COUNT)
            .map(|(_, other)| other)
            .collect()
    }
}

/// The weight of a term `count` published case studies share: higher the rarer it is.
fn rarity(count: usize) -> f64 {
    (1.0 + REFERENCE_SIZE / count.max(1) as f64).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Source;
    use crate::model::{LinkOptions, link_site};
    use crate::parse::{ParseOptions, parse_source};

    /// A case study `slug` published on `published`, with `extra` front matter.
    fn case_study(slug: &str, published: &str, extra: &str) -> Source {
        Source {
            path: format!("content/case-studies/{slug}.md"),
            kind: ContentKind::CaseStudy,
            stem: slug.to_owned(),
            text: format!(
                "---\ntitle: {slug}\nsummary: S\npublished: {published}\n\
                 organisations: [{{name: A Home, org_type: independent-provider}}]\n{extra}---\n"
            ),
        }
    }

    fn site_of(sources: &[Source]) -> Site {
        let pages = sources
            .iter()
            .map(|source| {
                let (page, diagnostics) = parse_source(source, &ParseOptions::default());
                assert!(diagnostics.is_empty(), "{diagnostics:#?}");
                page.expect("a page")
            })
            .collect();
        let (site, diagnostics) = link_site(pages, &LinkOptions::default());
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        site
    }

    fn related_slugs(site: &Site, index: &RelatedIndex, slug: &str) -> Vec<String> {
        let page = site
            .index_of(ContentKind::CaseStudy, slug)
            .expect("the page");
        index
            .related(site, page)
            .into_iter()
            .map(|i| site.pages[i].slug.value.clone())
            .collect()
    }

    /// Seven case studies, named below by their first letters (ash, birch, cedar, damson, elm,
    /// fir, gorse). The weights, worked by hand: a term of 1 published case study weighs ln 1001 = 6.909,
    /// of 2 ln 501 = 6.217, of 3 ln 334.3 = 5.812. Published case studies per term:
    ///
    /// - falls: a, b (e is a draft) → 6.217;   night checks: a, c → 6.217
    /// - nutrition: d, f → 6.217;              dementia: g → 6.909
    /// - care-home: a, b, d → 5.812;           care-home-with-nursing: c, f, g → 5.812
    /// - safe: a, b, d → 5.812;                effective: c, f → 6.217;   caring: g
    ///
    /// - a (falls, night checks, care-home, safe): b shares falls, care-home, safe = 17.84;
    ///   d shares care-home, safe = 11.62; c shares night checks = 6.22; e is a draft.
    ///   → b, d, c.
    /// - b (falls, care-home, safe): a = 17.84, d = 11.62; nothing else shares a term. → a, d.
    /// - c (night checks, care-home-with-nursing, effective): f = 5.81 + 6.22 = 12.03,
    ///   a = 6.22, g = 5.81. → f, a, g.
    /// - d (nutrition, care-home, safe): a and b = 11.62 each, b the newer; f = 6.22.
    ///   → b, a, f.
    /// - e (a draft, falls, night checks): a = 12.43; b and c = 6.22 each, b the newer.
    ///   → a, b, c.
    /// - f names c in `related:`, which wins. → c.
    /// - g (dementia, care-home-with-nursing, caring): c and f = 5.81 each, c the newer.
    ///   → c, f.
    #[test]
    fn related_case_studies_share_the_rarest_terms() {
        let site = site_of(&[
            case_study(
                "ash",
                "2025-01-01",
                "topics: [falls, night checks]\ncare_settings: [care-home]\ncqc_key_questions: [safe]\n",
            ),
            case_study(
                "birch",
                "2025-02-01",
                "topics: [falls]\ncare_settings: [care-home]\ncqc_key_questions: [safe]\n",
            ),
            case_study(
                "cedar",
                "2024-06-01",
                "topics: [night checks]\ncare_settings: [care-home-with-nursing]\ncqc_key_questions: [effective]\n",
            ),
            case_study(
                "damson",
                "2025-03-01",
                "topics: [nutrition]\ncare_settings: [care-home]\ncqc_key_questions: [safe]\n",
            ),
            case_study(
                "elm",
                "2025-04-01",
                "draft: true\ntopics: [falls, night checks]\ncare_settings: [homecare]\n",
            ),
            case_study(
                "fir",
                "2023-01-01",
                "topics: [nutrition]\ncare_settings: [care-home-with-nursing]\ncqc_key_questions: [effective]\nrelated: [cedar]\n",
            ),
            case_study(
                "gorse",
                "2022-01-01",
                "topics: [dementia]\ncare_settings: [care-home-with-nursing]\ncqc_key_questions: [caring]\n",
            ),
        ]);
        let index = RelatedIndex::new(&site);
        let related = |slug| related_slugs(&site, &index, slug);
        assert_eq!(related("ash"), ["birch", "damson", "cedar"]);
        assert_eq!(related("birch"), ["ash", "damson"]);
        assert_eq!(related("cedar"), ["fir", "ash", "gorse"]);
        assert_eq!(related("damson"), ["birch", "ash", "fir"]);
        assert_eq!(related("elm"), ["ash", "birch", "cedar"]);
        assert_eq!(related("fir"), ["cedar"]);
        assert_eq!(related("gorse"), ["cedar", "fir"]);
    }

    /// A term more than [`CANDIDATES_PER_TERM`] case studies share gives only its newest as
    /// candidates, but a rare term still reaches the oldest page, and a candidate's common terms
    /// still count in full.
    #[test]
    fn common_terms_give_their_newest_candidates_and_rare_terms_all() {
        let mut sources = vec![
            case_study(
                "oldest",
                "2000-01-01",
                "topics: [rare thing]\ncare_settings: [care-home]\ncqc_key_questions: [safe]\n",
            ),
            case_study(
                "page",
                "2010-01-01",
                "topics: [rare thing]\ncare_settings: [care-home]\ncqc_key_questions: [safe]\n",
            ),
        ];
        for n in 0..200 {
            sources.push(case_study(
                &format!("other-{n:03}"),
                &format!("2020-{:02}-{:02}", 1 + n % 12, 1 + n % 28),
                "care_settings: [care-home]\ncqc_key_questions: [safe]\n",
            ));
        }
        let site = site_of(&sources);
        let index = RelatedIndex::new(&site);
        // "oldest" shares the rare topic and both common terms: first. The others share the
        // two common terms alike; the newest are in December (n % 12 = 11) on the 28th
        // (n % 28 = 27): n = 83 and n = 167, both 2020-12-28, in slug order.
        assert_eq!(
            related_slugs(&site, &index, "page"),
            ["oldest", "other-083", "other-167"]
        );
    }
}
