//! Which outputs a content change can affect: the part of incremental rebuilds that decides
//! what to re-render.
//!
//! After each good render the workspace keeps a [`Memo`]: a footprint of every page (its key,
//! the pages it names, its outcomes), the cards every listing page shows, and which kinds of
//! page exist (the navigation depends on it). A change to some files re-renders:
//!
//! - the changed pages, and the pages that name them (their titles, cards or existence show
//!   there: related case studies, organisations, programmes, links in bodies);
//! - when a changed case study's terms or front matter changed, or it came or went, every case
//!   study without `related:` sharing a topic, care setting or key question with it, before or
//!   after: their automatic related lists may change;
//! - the pages they name, before and after the change (an organisation lists the pages naming
//!   it, a programme its modules, cohorts and case studies), and a module's sibling modules;
//! - every listing page whose cards or pagination changed, or which shows a changed page;
//! - the home page, the taxonomy indexes and the feed, unless every changed page changed only
//!   its body (its footprint, front matter digest included, is as it was: then only its own
//!   page shows the change); the sitemap when pages came or went; and the feed beside a term,
//!   programme or organisation page whenever that page is;
//! - the outcomes page only when a changed page's outcomes (or its title or slug) changed;
//! - any output this module does not know (so that a new kind of output is rendered rather
//!   than left stale);
//!
//! and everything when the set of kinds with pages changed, or when a page the menus link
//! (a general page with `menu:`, or the accessibility statement, which the footer links)
//! changed, came or went: the menus are on every page. Pure: no I/O.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::ContentKind;
use crate::model::content::{Details, Page};
use crate::model::related::RELATING_TAXONOMIES;
use crate::model::{Site, Taxonomy, page_at, page_path};
use crate::render;
use crate::theme::Theme;

type Key = (ContentKind, String);

/// What the rest of the site depends on in one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Footprint {
    key: Key,
    /// Pages it names (references, links), whether or not they exist.
    refs: Vec<Key>,
    /// Its outcomes with its title, as text, when it states any.
    outcomes: Option<String>,
    /// Whether the site's menus, on every page, link it.
    in_menus: bool,
    /// What other case studies' automatic related lists take from it, for a case study.
    relatable: Option<Relatable>,
    /// A digest of everything but its body: what its card, its entries in lists, feeds and
    /// the sitemap, and the pages naming it, can show of it.
    front: u64,
}

/// A digest of what `page` says outside its body (its body, the links and images found in it
/// are left out): two versions of a page with the same digest show the same everywhere but on
/// their own page.
fn front_digest(page: &Page) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::fmt::Write::write_fmt(
        &mut HashWriter(&mut hasher),
        format_args!(
            "{:?}",
            (
                page.kind,
                &page.file,
                &page.slug,
                page.slug_explicit,
                &page.title,
                &page.summary,
                page.published,
                page.updated,
                &page.reviewed,
                &page.review_due,
                page.draft,
                &page.details,
            )
        ),
    )
    .unwrap_or_default();
    hasher.finish()
}

/// What a case study gives the automatic related lists of others ([`crate::model::related`]):
/// the terms they are chosen by, and a digest of its front matter (its card, its date, its
/// draft state).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Relatable {
    terms: Vec<(Taxonomy, String)>,
    digest: u64,
}

impl Relatable {
    fn of(page: &Page) -> Option<Relatable> {
        use std::hash::{Hash, Hasher};
        if page.kind != ContentKind::CaseStudy {
            return None;
        }
        let terms = crate::model::page_terms(page)
            .into_iter()
            .filter(|(taxonomy, _, _)| RELATING_TAXONOMIES.contains(taxonomy))
            .map(|(taxonomy, key, _)| (taxonomy, key))
            .collect();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (&page.title, &page.summary, page.published, page.draft).hash(&mut hasher);
        std::fmt::Write::write_fmt(
            &mut HashWriter(&mut hasher),
            format_args!("{:?}", page.details),
        )
        .unwrap_or_default();
        Some(Relatable {
            terms,
            digest: hasher.finish(),
        })
    }
}

/// Feeds formatted text to a hasher, so that a value's `Debug` form is hashed without being
/// held as a string.
struct HashWriter<'h>(&'h mut std::collections::hash_map::DefaultHasher);

impl std::fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        std::hash::Hasher::write(self.0, text.as_bytes());
        Ok(())
    }
}

impl Footprint {
    pub(crate) fn of(page: &Page) -> Footprint {
        let mut refs: Vec<Key> = page
            .links
            .iter()
            .filter_map(|link| key_of_url(&link.value))
            .collect();
        let mut add = |kind: ContentKind, slug: &str| refs.push((kind, slug.to_owned()));
        let organisations = |links: &[crate::model::content::OrganisationLink],
                             add: &mut dyn FnMut(ContentKind, &str)| {
            for link in links {
                if let Some(slug) = &link.slug {
                    add(ContentKind::Organisation, &slug.value);
                }
            }
        };
        let outcomes = match &page.details {
            Details::CaseStudy(c) => {
                organisations(&c.organisations, &mut add);
                for (kind, slug) in [
                    (ContentKind::Programme, &c.programme),
                    (ContentKind::Cohort, &c.cohort),
                ] {
                    if let Some(slug) = slug {
                        add(kind, &slug.value);
                    }
                }
                for related in &c.related {
                    add(ContentKind::CaseStudy, &related.value);
                }
                &c.outcomes[..]
            }
            Details::Programme(p) => {
                organisations(&p.organisations, &mut add);
                for module in &p.modules {
                    add(ContentKind::Module, &module.value);
                }
                for cohort in &p.cohorts {
                    add(ContentKind::Cohort, &cohort.value);
                }
                &p.outcomes[..]
            }
            Details::Module(m) => {
                if let Some(programme) = &m.programme {
                    add(ContentKind::Programme, &programme.value);
                }
                &[][..]
            }
            Details::Cohort(c) => {
                if let Some(programme) = &c.programme {
                    add(ContentKind::Programme, &programme.value);
                }
                &c.outcomes[..]
            }
            Details::Organisation(o) => {
                if let Some(successor) = &o.successor {
                    add(ContentKind::Organisation, &successor.value);
                }
                &[][..]
            }
            Details::Dataset(_) | Details::Page(_) => &[][..],
        };
        refs.sort();
        refs.dedup();
        Footprint {
            key: (page.kind, page.slug.value.clone()),
            refs,
            outcomes: (!outcomes.is_empty()).then(|| format!("{}\n{outcomes:?}", page.title)),
            in_menus: render::in_menus(page),
            relatable: Relatable::of(page),
            front: front_digest(page),
        }
    }
}

/// Listing page path → the pages it shows (as [`Ids`]), how many pages its listing has, and
/// its heading.
type Listings = BTreeMap<String, (Vec<u32>, usize, String)>;

/// A number for each page key ever seen, so that listings compare as numbers.
#[derive(Debug, Clone, Default)]
struct Ids {
    by_key: BTreeMap<ContentKind, BTreeMap<String, u32>>,
    next: u32,
}

impl Ids {
    fn of(&mut self, kind: ContentKind, slug: &str) -> u32 {
        let slugs = self.by_key.entry(kind).or_default();
        if let Some(&id) = slugs.get(slug) {
            return id;
        }
        let id = self.next;
        self.next += 1;
        slugs.insert(slug.to_owned(), id);
        id
    }
}

/// What the last good render was made from, as far as choosing what to re-render needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Memo {
    /// By file.
    footprints: BTreeMap<String, Footprint>,
    listings: Listings,
    ids: Ids,
    kinds: BTreeSet<ContentKind>,
}

/// The parts of a [`Memo`] a change replaced: what the site was before it.
#[derive(Debug, Default)]
pub(crate) struct Before {
    footprints: Vec<Footprint>,
    /// `None` when the listings did not change.
    listings: Option<Listings>,
    kinds: BTreeSet<ContentKind>,
}

impl Memo {
    /// The memo of a whole site.
    pub(crate) fn of(site: &Site) -> Memo {
        let mut memo = Memo {
            footprints: super::workspace::footprints(site),
            ..Memo::default()
        };
        memo.listings = listings(site, &mut memo.ids);
        memo.kinds = kinds(site);
        memo
    }

    /// Brings the memo up to `site` after the files in `changed` changed (only their
    /// footprints are computed again) and returns what it replaced. `relinked` says whether
    /// the site was linked again; when it was not, only page bodies changed and the listings
    /// and kinds are as they were.
    pub(crate) fn advance(
        &mut self,
        site: &Site,
        changed: &BTreeSet<String>,
        relinked: bool,
    ) -> Before {
        let mut before = Before::default();
        for file in changed {
            before.footprints.extend(self.footprints.remove(file));
        }
        for page in site
            .pages
            .iter()
            .filter(|page| changed.contains(&page.file))
        {
            self.footprints
                .insert(page.file.clone(), Footprint::of(page));
        }
        if relinked {
            before.listings = Some(std::mem::replace(
                &mut self.listings,
                listings(site, &mut self.ids),
            ));
            before.kinds = std::mem::replace(&mut self.kinds, kinds(site));
        } else {
            before.kinds = self.kinds.clone();
        }
        before
    }
}

/// The outputs to render after a change, and those to drop.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    wanted: BTreeSet<String>,
    /// Outputs known not to change.
    known: BTreeSet<String>,
    outcomes: bool,
    /// Outputs of pages and listings that no longer exist.
    pub(crate) removed: Vec<String>,
}

impl Plan {
    /// Whether the output at `path` is to be rendered again.
    pub(crate) fn wants(&self, path: &str) -> bool {
        if self.wanted.contains(path) {
            return true;
        }
        // A term's, programme's or organisation's feed shows what the first page of its
        // listing, or the page itself, shows: it changes when that page does.
        if let Some(folder) = path.strip_suffix("/feed.xml") {
            return self.wants(&format!("{folder}/index.html"));
        }
        // A page's generated share image shows its title and headline: it changes with it.
        if let Some(folder) = path.strip_suffix("/share.png") {
            return self.wants(&format!("{folder}/index.html"));
        }
        if path.starts_with("outcomes/") || path.starts_with("data/outcomes.") {
            return self.outcomes;
        }
        if self.known.contains(path) || is_page_path(path) {
            return false;
        }
        !matches!(
            path,
            "404.html" | "search/index.html" | "robots.txt" | "css/code.css"
        )
    }
}

/// What to re-render after the files in `changed` changed from `before` to the `site` of
/// `after`; `None` when everything must be rendered.
pub(crate) fn plan(
    before: &Before,
    after: &Memo,
    site: &Site,
    theme: &Theme,
    changed: &BTreeSet<String>,
) -> Option<Plan> {
    if before.kinds != after.kinds {
        return None;
    }
    let mut plan = Plan::default();
    let old: Vec<&Footprint> = before.footprints.iter().collect();
    let new: Vec<&Footprint> = changed
        .iter()
        .filter_map(|file| after.footprints.get(file))
        .collect();
    if old.iter().chain(&new).any(|footprint| footprint.in_menus) {
        return None;
    }
    // A page whose footprint is as it was (only its body's text changed) shows the change
    // on its own page only: its card, its place in lists and feeds, and what the pages naming
    // it or named by it show of it are as they were.
    let quiet = |footprint: &&Footprint| {
        old.iter()
            .filter(|f| f.key == footprint.key)
            .eq(new.iter().filter(|f| f.key == footprint.key))
            && new.iter().any(|f| f.key == footprint.key)
    };
    let loud: Vec<&Footprint> = old
        .iter()
        .chain(&new)
        .copied()
        .filter(|f| !quiet(f))
        .collect();
    let changed_keys: BTreeSet<&Key> = loud.iter().map(|f| &f.key).collect();

    let mut wanted_keys: BTreeSet<Key> = BTreeSet::new();
    for footprint in old.iter().chain(&new) {
        wanted_keys.insert(footprint.key.clone());
    }
    for footprint in &loud {
        for named in &footprint.refs {
            wanted_keys.insert(named.clone());
            if named.0 == ContentKind::Programme {
                // A module shows its neighbours' titles.
                for &i in site
                    .relations
                    .programme_modules
                    .get(&named.1)
                    .into_iter()
                    .flatten()
                {
                    let module = &site.pages[i];
                    wanted_keys.insert((module.kind, module.slug.value.clone()));
                }
            }
        }
    }
    if !changed_keys.is_empty() {
        for footprint in after.footprints.values() {
            if footprint.refs.iter().any(|r| changed_keys.contains(r)) {
                wanted_keys.insert(footprint.key.clone());
            }
        }
    }
    // A case study without `related:` lists case studies sharing a term with it, weighed by
    // how many share each term: when one changes what it gives those lists, or comes or goes,
    // every case study sharing a term with it, before or after, may list others.
    let relatable = |list: &[&Footprint], key: &Key| {
        list.iter()
            .find(|f| &f.key == key)
            .and_then(|f| f.relatable.clone())
    };
    for footprint in old.iter().chain(&new) {
        let Some(given) = &footprint.relatable else {
            continue;
        };
        if relatable(&old, &footprint.key) == relatable(&new, &footprint.key) {
            continue;
        }
        for (taxonomy, key) in &given.terms {
            let sharing = site
                .relations
                .terms
                .get(taxonomy)
                .and_then(|terms| terms.get(key));
            for &i in sharing.map(|term| &term.pages[..]).unwrap_or_default() {
                let page = &site.pages[i];
                if matches!(&page.details, Details::CaseStudy(c) if c.related.is_empty()) {
                    wanted_keys.insert((page.kind, page.slug.value.clone()));
                }
            }
        }
    }
    for (kind, slug) in &wanted_keys {
        let path = page_output_path(*kind, slug);
        if site.get(*kind, slug).is_some() {
            plan.wanted.insert(path);
        } else if old.iter().any(|f| f.key == (*kind, slug.clone())) {
            plan.removed.push(path);
        }
    }
    // A general page's output (`about/index.html`) has no shape of its own to be told by.
    for page in site.pages_of(ContentKind::Page) {
        let path = page_output_path(page.kind, &page.slug.value);
        if !plan.wanted.contains(&path) {
            plan.known.insert(path);
        }
    }

    let changed_ids: BTreeSet<u32> = changed_keys
        .iter()
        .filter_map(|(kind, slug)| after.ids.by_key.get(kind)?.get(slug).copied())
        .collect();
    let mut paths_changed =
        !plan.removed.is_empty() || new.iter().any(|f| !old.iter().any(|o| o.key == f.key));
    let before_listings = before.listings.as_ref().unwrap_or(&after.listings);
    for (path, (members, of, heading)) in &after.listings {
        let previous = before_listings.get(path);
        paths_changed |= previous.is_none();
        let same = previous.is_some_and(|(m, o, h)| m == members && o == of && h == heading);
        if !same || members.iter().any(|id| changed_ids.contains(id)) {
            plan.wanted.insert(path.clone());
        } else {
            plan.known.insert(path.clone());
        }
    }
    for path in before_listings.keys() {
        if !after.listings.contains_key(path) {
            plan.removed.push(path.clone());
            paths_changed = true;
        }
    }
    // The home page, the taxonomy indexes and the site's feed show cards, counts and dates:
    // a change to a page's body alone leaves them as they were.
    let overviews = if loud.is_empty() {
        &mut plan.known
    } else {
        &mut plan.wanted
    };
    overviews.insert("index.html".into());
    for taxonomy in Taxonomy::ALL {
        overviews.insert(format!("{}/index.html", taxonomy.segment()));
    }
    overviews.insert("feed.xml".into());
    plan.known.extend(theme.static_files.keys().cloned());
    let outcomes_before: Vec<(&Key, &Option<String>)> =
        old.iter().map(|f| (&f.key, &f.outcomes)).collect();
    let outcomes_after: Vec<(&Key, &Option<String>)> =
        new.iter().map(|f| (&f.key, &f.outcomes)).collect();
    plan.outcomes = outcomes_before
        .iter()
        .filter(|(_, o)| o.is_some())
        .ne(outcomes_after.iter().filter(|(_, o)| o.is_some()));
    // The sitemap lists every page: it changes only when pages come or go (the outcomes
    // overview's filter pages may come and go with outcomes).
    if paths_changed || plan.outcomes {
        plan.wanted.insert("sitemap.xml".into());
    } else {
        plan.known.insert("sitemap.xml".into());
    }
    // A page or term that is gone takes its feed with it (a missing one is no matter).
    let feeds: Vec<String> = plan
        .removed
        .iter()
        .filter_map(|path| path.strip_suffix("/index.html"))
        .filter(|folder| !folder.contains("/page/"))
        .map(|folder| format!("{folder}/feed.xml"))
        .collect();
    plan.removed.extend(feeds);
    plan.removed.sort();
    plan.removed.dedup();
    Some(plan)
}

fn page_output_path(kind: ContentKind, slug: &str) -> String {
    format!(
        "{}index.html",
        page_path(kind, slug).trim_start_matches('/')
    )
}

/// Whether `path` has the shape of the output of a content page in a section
/// (`case-studies/x/index.html`).
fn is_page_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    matches!(parts.as_slice(), [section, _, "index.html"]
        if ContentKind::from_section(section).is_some())
}

/// The page a site-absolute URL (`/case-studies/x/#y`, `/about/`) points at.
fn key_of_url(url: &str) -> Option<Key> {
    page_at(url).map(|(kind, slug)| (kind, slug.to_owned()))
}

fn kinds(site: &Site) -> BTreeSet<ContentKind> {
    site.pages.iter().map(|page| page.kind).collect()
}

fn listings(site: &Site, ids: &mut Ids) -> Listings {
    let page_ids: Vec<u32> = site
        .pages
        .iter()
        .map(|page| ids.of(page.kind, &page.slug.value))
        .collect();
    render::listings(site)
        .into_iter()
        .map(|listing| {
            let heading = term_label(site, &listing.path);
            let members = listing.pages.iter().map(|&i| page_ids[i]).collect();
            (listing.path, (members, listing.of, heading))
        })
        .collect()
}

/// The label of the taxonomy term a listing path belongs to (empty for lists of a kind).
fn term_label(site: &Site, path: &str) -> String {
    let mut parts = path.split('/');
    let (Some(segment), Some(key)) = (parts.next(), parts.next()) else {
        return String::new();
    };
    Taxonomy::ALL
        .into_iter()
        .find(|t| t.segment() == segment)
        .and_then(|t| site.relations.terms.get(&t)?.get(key))
        .map(|term| term.label.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_pages() {
        assert_eq!(
            key_of_url("/case-studies/a-b/#x"),
            Some((ContentKind::CaseStudy, "a-b".into()))
        );
        assert_eq!(
            key_of_url("/data/set"),
            Some((ContentKind::Dataset, "set".into()))
        );
        assert_eq!(key_of_url("/files/x.pdf"), None);
        assert_eq!(key_of_url("/case-studies/"), None);
        assert_eq!(
            key_of_url("/about/#team"),
            Some((ContentKind::Page, "about".into()))
        );
        assert_eq!(key_of_url("/topics/"), None);
        assert_eq!(key_of_url("/favicon.ico"), None);
    }

    #[test]
    fn page_paths_are_told_from_listings() {
        assert!(is_page_path("case-studies/x/index.html"));
        assert!(!is_page_path("case-studies/page/2/index.html"));
        assert!(!is_page_path("case-studies/index.html"));
        assert!(!is_page_path("topics/x/index.html"));
    }
}
