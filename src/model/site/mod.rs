//! Linking the parsed pages into one [`Site`] and checking what spans files: duplicate
//! slugs, references, internal links and references to drafts.
//!
//! Takes the pages of the parse stage; returns the `Site` and diagnostics. Pure: no I/O; the
//! list of static files comes in with the options.

mod checks;

pub use checks::LinkTargets;
use checks::{Checker, module_orders, taxonomy_paths};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::config::LinkCheck;
use crate::diagnostics::{Code, Diagnostic, Located, Pos, Severity};
use crate::model::ContentKind;
use crate::model::content::{Details, Page};
use crate::model::vocab::{OrgRole, Vocabulary};

/// What linking needs besides the pages.
#[derive(Debug, Clone, Default)]
pub struct LinkOptions {
    /// How broken internal links are reported.
    pub link_check: LinkCheck,
    /// Files under `static/`, as site paths (`/files/guide.pdf`).
    pub static_files: BTreeSet<String>,
    /// The kind and slug of every content file that exists but could not be read into a page
    /// (not UTF-8, too large, a YAML error…). A reference or link to one is not reported: the
    /// page is there, and its own error says what to fix.
    pub unreadable: BTreeSet<(ContentKind, String)>,
}

/// Every page of a site, linked and checked. Immutable once built.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// The pages, sorted by kind and slug (no two share both).
    pub pages: Vec<Page>,
    /// A hash of each page's kind and slug with its position, in a hash table: a page is
    /// found by one probe of these 12 bytes a page rather than a map of its slug's copy.
    keys: Keys,
    /// Who links to whom, derived once from the pages.
    pub relations: Relations,
}

/// Indices into [`Site::pages`], grouped by what connects them. Every list is sorted.
#[derive(Debug, Clone, Default)]
pub struct Relations {
    /// Programme slug → its modules: in the order of the programme's `modules:` list, then
    /// those it does not list by `order` and slug.
    pub programme_modules: BTreeMap<String, Vec<usize>>,
    /// Programme slug → its cohorts (those naming it), by number then slug.
    pub programme_cohorts: BTreeMap<String, Vec<usize>>,
    /// Programme slug → case studies naming it.
    pub programme_case_studies: BTreeMap<String, Vec<usize>>,
    /// Cohort slug → case studies naming it.
    pub cohort_case_studies: BTreeMap<String, Vec<usize>>,
    /// Organisation slug → pages naming it, with its role there.
    pub organisation_pages: BTreeMap<String, Vec<(usize, OrgRole)>>,
    /// Taxonomy → term key → pages (case studies and programmes).
    pub terms: BTreeMap<Taxonomy, BTreeMap<String, Term>>,
}

/// The four taxonomies that get pages of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Taxonomy {
    /// Free tags: `/topics/<slug>/`.
    Topics,
    /// NHS England regions: `/regions/<key>/`.
    Regions,
    /// Care settings: `/settings/<key>/`.
    Settings,
    /// CQC key questions: `/key-questions/<key>/`.
    KeyQuestions,
}

impl Taxonomy {
    /// All four, in display order.
    pub const ALL: [Taxonomy; 4] = [
        Taxonomy::Topics,
        Taxonomy::Regions,
        Taxonomy::Settings,
        Taxonomy::KeyQuestions,
    ];

    /// URL segment.
    pub fn segment(self) -> &'static str {
        match self {
            Taxonomy::Topics => "topics",
            Taxonomy::Regions => "regions",
            Taxonomy::Settings => "settings",
            Taxonomy::KeyQuestions => "key-questions",
        }
    }

    /// Heading.
    pub fn title(self) -> &'static str {
        match self {
            Taxonomy::Topics => "Topics",
            Taxonomy::Regions => "NHS regions",
            Taxonomy::Settings => "Care settings",
            Taxonomy::KeyQuestions => "CQC key questions",
        }
    }
}

/// One term of a taxonomy and the pages filed under it.
#[derive(Debug, Clone, Default)]
pub struct Term {
    /// Display label (the first spelling seen, for topics).
    pub label: String,
    /// Pages, in site order.
    pub pages: Vec<usize>,
}

impl Site {
    /// The page of `kind` with `slug`.
    pub fn get(&self, kind: ContentKind, slug: &str) -> Option<&Page> {
        self.index_of(kind, slug).map(|i| &self.pages[i])
    }

    /// The position in [`Site::pages`] of the page of `kind` with `slug`.
    pub fn index_of(&self, kind: ContentKind, slug: &str) -> Option<usize> {
        position_of(&self.pages, &self.keys, kind, slug)
    }

    /// The pages of one kind, by slug.
    pub fn pages_of(&self, kind: ContentKind) -> impl Iterator<Item = &Page> {
        self.pages.iter().filter(move |page| page.kind == kind)
    }
}

/// The hash of a page's kind and slug in [`Site`]'s keys.
fn key_hash(kind: ContentKind, slug: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(slug.as_bytes(), kind as u64)
}

/// The hash of each page's kind and slug with its position in the pages (see [`Site`]). A
/// hash table, not a sorted list searched in halves: at 100,000 case studies those 1.4 MB no
/// longer stayed in the cache, and the binary searches were 1.5% of `casebook check`'s time,
/// against none at 10,000.
type Keys = hashbrown::HashTable<(u64, u32)>;

/// The keys of `pages` (see [`Site`]).
fn keys_of(pages: &[Page]) -> Keys {
    let hashes: Vec<u64> = pages
        .par_iter()
        .map(|page| key_hash(page.kind, &page.slug.value))
        .collect();
    let mut keys = Keys::with_capacity(hashes.len());
    for (i, hash) in hashes.into_iter().enumerate() {
        keys.insert_unique(hash, (hash, i as u32), |&(hash, _)| hash);
    }
    keys
}

/// The position of the page of `kind` with `slug` in `pages`, given their `keys`: the page
/// whose key has the hash of `kind` and `slug` and that is that kind with that slug (two
/// pages' hashes may be the same).
fn position_of(pages: &[Page], keys: &Keys, kind: ContentKind, slug: &str) -> Option<usize> {
    let hash = key_hash(kind, slug);
    keys.find(hash, |&(key, i)| {
        key == hash && pages[i as usize].kind == kind && pages[i as usize].slug.value == slug
    })
    .map(|&(_, i)| i as usize)
}

/// The URL path of a page: `/case-studies/<slug>/`, or `/<slug>/` for a general page.
pub fn page_path(kind: ContentKind, slug: &str) -> String {
    match kind.section() {
        Some(section) => format!("/{section}/{slug}/"),
        None => format!("/{slug}/"),
    }
}

/// What the site's own top-level folder `name` holds, if it is one: the pages of a kind or
/// of a taxonomy, the outcomes overview, the search page or the theme's files (`css`, `js`,
/// `images`). A general page at `/<name>/` would overwrite it, so none may take the name.
pub fn site_folder_use(name: &str) -> Option<String> {
    if let Some(kind) = ContentKind::from_section(name) {
        return Some(format!("the {} pages", kind.label().to_lowercase()));
    }
    if let Some(taxonomy) = Taxonomy::ALL.into_iter().find(|t| t.segment() == name) {
        return Some(format!("the {} pages", taxonomy.title()));
    }
    let what = match name {
        "outcomes" => "the outcomes overview",
        "search" => "the search page",
        "css" | "js" | "images" => "the theme's files",
        _ => return None,
    };
    Some(what.to_owned())
}

/// The content page at a site path (`/case-studies/x/`, `/about/#team`), by the shape of the
/// path alone: a slug under a kind's section, or a slug at the top that is not one of the
/// site's own folders (a general page). Whether the page exists is for the caller to ask.
pub fn page_at(path: &str) -> Option<(ContentKind, &str)> {
    let path = path.split(['#', '?']).next()?;
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let page = match (segments.next()?, segments.next()) {
        (section, Some(slug)) => (ContentKind::from_section(section)?, slug),
        (slug, None) => {
            if !crate::model::is_valid_slug(slug) || site_folder_use(slug).is_some() {
                return None;
            }
            (ContentKind::Page, slug)
        }
    };
    segments.next().is_none().then_some(page)
}

/// The site as published without its drafts: `pages` less every draft, linked again so that
/// links and references to drafts become plain text. `casebook build` and the preview without
/// drafts both publish through it; the checks were made on the whole site, so its
/// diagnostics are dropped.
pub fn without_drafts(pages: impl IntoIterator<Item = Page>, link_check: LinkCheck) -> Site {
    let pages = pages.into_iter().filter(|page| !page.draft).collect();
    let options = LinkOptions {
        link_check,
        ..LinkOptions::default()
    };
    link_site(pages, &options).0
}

/// Builds the site from parsed pages and checks everything that spans files.
pub fn link_site(mut pages: Vec<Page>, options: &LinkOptions) -> (Site, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    sort_pages(&mut pages);

    // Duplicate slugs: the file whose path sorts second is reported, pointing at the first.
    // Sorted, the pages of one key are neighbours (and in path order): each group is read off
    // the sorted list, and the pages left out are then removed in place. (Gathering the groups
    // in a map first held every page twice over; moving the kept pages into a new list wrote
    // all of them again, at 100,000 case studies 80 MB on one core.)
    let mut left_out: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    while start < pages.len() {
        let first = &pages[start];
        let end = start
            + 1
            + pages[start + 1..]
                .iter()
                .take_while(|next| next.kind == first.kind && next.slug.value == first.slug.value)
                .count();
        let others = &pages[start + 1..end];
        let key = (first.kind, first.slug.value.as_str());
        if key.0 == ContentKind::Page
            && let Some(clash) = folder_clash(key.1, &options.static_files)
        {
            // Published, the page would overwrite the site's own pages or files.
            diagnostics.push(clash.diagnostic(first));
            diagnostics.extend(others.iter().map(|page| clash.diagnostic(page)));
            left_out.push(start..end);
        } else if !others.is_empty() {
            diagnostics.extend(others.iter().map(|other| duplicate_slug(other, first)));
            left_out.push(start + 1..end);
        }
        start = end;
    }
    if !left_out.is_empty() {
        let mut kept = vec![true; pages.len()];
        for range in left_out {
            kept[range].fill(false);
        }
        let mut index = 0;
        pages.retain(|_| {
            index += 1;
            kept[index - 1]
        });
    }
    let kept = pages;
    let keys = keys_of(&kept);
    let relations = relate(&kept, &keys);
    let site = Site {
        pages: kept,
        keys,
        relations,
    };

    // Each page is checked on its own: in parts, in parallel, the parts' diagnostics kept in
    // page order.
    let taxonomy_paths = taxonomy_paths(&site);
    let module_orders = module_orders(&site);
    let found: Vec<Vec<Diagnostic>> = site
        .pages
        .par_chunks(CHECKED_AT_A_TIME)
        .map(|part| {
            let mut found = Vec::new();
            let mut checker = Checker {
                site: &site,
                options,
                diagnostics: &mut found,
                taxonomy_paths: &taxonomy_paths,
                module_orders: &module_orders,
            };
            for page in part {
                checker.check_page(page);
            }
            found
        })
        .collect();
    diagnostics.extend(found.into_iter().flatten());
    (site, diagnostics)
}

/// Pages checked by one task of [`link_site`]'s checks.
const CHECKED_AT_A_TIME: usize = 1024;

/// The E009 of `other`, whose kind and slug `first` has too and whose file sorts first.
fn duplicate_slug(other: &Page, first: &Page) -> Diagnostic {
    let at = if other.slug_explicit {
        other.slug.at
    } else {
        Pos::START
    };
    Diagnostic::new(
        Code::E009,
        &other.file,
        at,
        format!(
            "another {} already has the slug `{}`",
            first.kind.type_name(),
            first.slug.value
        ),
    )
    .with_hint("give one of them a different `slug:` (or rename the file)")
    .with_related(&first.file, first.slug.at, "the other page with this slug")
}

/// A general page's slug that is also a top-level folder of the site, and what is there.
struct FolderClash {
    slug: String,
    holds: String,
}

/// The clash of the general page slug `slug` with the site's own folders, or with a
/// top-level folder of `static/`.
fn folder_clash(slug: &str, static_files: &BTreeSet<String>) -> Option<FolderClash> {
    let holds = site_folder_use(slug).or_else(|| {
        let prefix = format!("/{slug}/");
        // The static files under `/<slug>/` sort together, from the prefix on.
        static_files
            .range::<str, _>((
                std::ops::Bound::Included(prefix.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .next()
            .is_some_and(|file| file.starts_with(&prefix))
            .then(|| format!("files from static/{slug}/"))
    })?;
    Some(FolderClash {
        slug: slug.to_owned(),
        holds,
    })
}

impl FolderClash {
    fn diagnostic(&self, page: &Page) -> Diagnostic {
        let at = if page.slug_explicit {
            page.slug.at
        } else {
            Pos::START
        };
        let slug = &self.slug;
        Diagnostic::new(
            Code::E009,
            &page.file,
            at,
            format!(
                "the page slug `{slug}` is taken by the site's own folder /{slug}/, which holds {}",
                self.holds
            ),
        )
        .with_hint(format!(
            "a page is published at /<slug>/, so its slug must not be the name of one of the site's folders; \
             give it another `slug:` (or rename the file), such as `about-{slug}`"
        ))
    }
}

/// Sorts `pages` by kind, slug and file. A page is large (about 800 bytes) and a sort moves
/// each many times (at 100,000 case studies, gigabytes on one core), so the order is found on
/// indices (on every thread) and then applied in place, one cycle at a time: each page moves
/// about once.
/// Unstable, with no buffer of half the pages: no two pages share a file, so no two are equal.
fn sort_pages(pages: &mut [Page]) {
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.par_sort_unstable_by(|&a, &b| {
        let (a, b) = (&pages[a], &pages[b]);
        (a.kind, &a.slug.value, &a.file).cmp(&(b.kind, &b.slug.value, &b.file))
    });
    // `order[i]` is where the page that belongs at `i` stands; a place done points at itself.
    for start in 0..pages.len() {
        let mut current = start;
        loop {
            let next = order[current];
            order[current] = current;
            if next == start {
                break;
            }
            pages.swap(current, next);
            current = next;
        }
    }
}

/// The taxonomy terms a page is filed under: (taxonomy, key, label).
pub fn page_terms(page: &Page) -> Vec<(Taxonomy, String, String)> {
    term_refs(page)
        .into_iter()
        .map(|(taxonomy, key, label)| (taxonomy, key.into_owned(), label.to_owned()))
        .collect()
}

/// [`page_terms`], borrowing from the page what it can: only a topic's key is made.
fn term_refs(page: &Page) -> Vec<(Taxonomy, Cow<'_, str>, &str)> {
    let (topics, region, settings, questions) = match &page.details {
        Details::CaseStudy(c) => (
            &c.topics[..],
            c.place.nhs_region,
            &c.care_settings[..],
            &c.key_questions[..],
        ),
        Details::Programme(p) => (
            &p.topics[..],
            p.place.nhs_region,
            &p.care_settings[..],
            &[][..],
        ),
        _ => return Vec::new(),
    };
    let mut terms = Vec::new();
    for topic in topics {
        let key = crate::model::term_key(topic);
        if !key.is_empty() {
            terms.push((Taxonomy::Topics, Cow::Owned(key), topic.as_str()));
        }
    }
    if let Some(region) = region {
        terms.push((Taxonomy::Regions, region.key().into(), region.label()));
    }
    for setting in settings {
        terms.push((Taxonomy::Settings, setting.key().into(), setting.label()));
    }
    for question in questions {
        terms.push((
            Taxonomy::KeyQuestions,
            question.key().into(),
            question.label(),
        ));
    }
    terms
}

/// What one page adds to [`Relations`], found on any thread: its terms, and the pages it
/// names that exist.
struct PageRelations<'p> {
    terms: Vec<(Taxonomy, Cow<'p, str>, &'p str)>,
    organisations: Vec<(&'p str, OrgRole)>,
    /// The existing programme a case study, module or cohort names.
    programme: Option<&'p str>,
    /// The existing cohort a case study names.
    cohort: Option<&'p str>,
}

impl<'p> PageRelations<'p> {
    fn of(page: &'p Page, pages: &[Page], keys: &Keys) -> PageRelations<'p> {
        let existing = |kind: ContentKind, slug: Option<&'p Located<String>>| {
            slug.map(|s| s.value.as_str())
                .filter(|slug| position_of(pages, keys, kind, slug).is_some())
        };
        let organisations = match &page.details {
            Details::CaseStudy(c) => &c.organisations[..],
            Details::Programme(p) => &p.organisations[..],
            _ => &[][..],
        };
        let (programme, cohort) = match &page.details {
            Details::CaseStudy(c) => (c.programme.as_ref(), c.cohort.as_ref()),
            Details::Module(m) => (m.programme.as_ref(), None),
            Details::Cohort(c) => (c.programme.as_ref(), None),
            _ => (None, None),
        };
        PageRelations {
            terms: term_refs(page),
            organisations: organisations
                .iter()
                .filter_map(|link| {
                    existing(ContentKind::Organisation, link.slug.as_ref())
                        .map(|slug| (slug, link.role))
                })
                .collect(),
            programme: existing(ContentKind::Programme, programme),
            cohort: existing(ContentKind::Cohort, cohort),
        }
    }
}

/// Adds `value` to the list of `map` under `key` (copying `key` only for a new list), unless
/// `fresh` says the list's last value is not new.
fn add_to<T>(
    map: &mut BTreeMap<String, Vec<T>>,
    key: &str,
    value: T,
    fresh: impl Fn(Option<&T>) -> bool,
) {
    match map.get_mut(key) {
        Some(list) => {
            if fresh(list.last()) {
                list.push(value);
            }
        }
        None => {
            map.insert(key.to_owned(), vec![value]);
        }
    }
}

fn relate(pages: &[Page], keys: &Keys) -> Relations {
    let mut relations = Relations::default();
    // What each page names is found in parallel (term keys, the lookups of the pages it
    // names); only the maps are filled on one thread, in page order.
    let found: Vec<PageRelations<'_>> = pages
        .par_iter()
        .with_min_len(256)
        .map(|page| PageRelations::of(page, pages, keys))
        .collect();
    for (i, (page, found)) in pages.iter().zip(found).enumerate() {
        for (taxonomy, key, label) in found.terms {
            let terms = relations.terms.entry(taxonomy).or_default();
            // The key is copied only for a new term.
            let term = match terms.get_mut(key.as_ref()) {
                Some(term) => term,
                None => terms.entry(key.into_owned()).or_default(),
            };
            if term.label.is_empty() {
                term.label = label.to_owned();
            }
            if term.pages.last() != Some(&i) {
                term.pages.push(i);
            }
        }
        // A page's entries are added together, after those of every page before it: only
        // the last can be its own.
        for (slug, role) in found.organisations {
            add_to(&mut relations.organisation_pages, slug, (i, role), |last| {
                last.is_none_or(|(j, _)| *j != i)
            });
        }
        if let Some(programme) = found.programme {
            let map = match &page.details {
                Details::CaseStudy(_) => &mut relations.programme_case_studies,
                Details::Module(_) => &mut relations.programme_modules,
                _ => &mut relations.programme_cohorts,
            };
            add_to(map, programme, i, |_| true);
        }
        if let Some(cohort) = found.cohort {
            add_to(&mut relations.cohort_case_studies, cohort, i, |_| true);
        }
    }
    // A programme's `modules:` list is the order of its modules; modules naming the programme
    // that it does not list come after, by their own `order`, then slug.
    for (programme, list) in &mut relations.programme_modules {
        let listed: Vec<&str> = match position_of(pages, keys, ContentKind::Programme, programme)
            .map(|i| &pages[i].details)
        {
            Some(Details::Programme(p)) => p.modules.iter().map(|m| m.value.as_str()).collect(),
            _ => Vec::new(),
        };
        list.sort_by_key(|&i| {
            let slug = pages[i].slug.value.as_str();
            let order = match &pages[i].details {
                Details::Module(m) => m.order.as_ref().map_or(u64::MAX, |o| o.value),
                _ => u64::MAX,
            };
            let place = listed.iter().position(|&s| s == slug).unwrap_or(usize::MAX);
            (place, order, slug.to_owned())
        });
    }
    let cohort_order = |i: &usize| match &pages[*i].details {
        Details::Cohort(c) => (c.number.unwrap_or(u64::MAX), pages[*i].slug.value.clone()),
        _ => (u64::MAX, String::new()),
    };
    for list in relations.programme_cohorts.values_mut() {
        list.sort_by_key(cohort_order);
    }
    relations
}

#[cfg(test)]
mod tests;
