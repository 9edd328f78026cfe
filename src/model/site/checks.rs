//! The checks that span files: references and internal links to pages that do not exist
//! (with the nearest existing page as a hint), to drafts, and cohorts that belong to
//! another programme. Run by [`super::link_site`] once the pages are indexed.

use std::collections::{BTreeMap, BTreeSet};

use super::*;

pub(super) struct Checker<'a> {
    pub(super) site: &'a Site,
    pub(super) options: &'a LinkOptions,
    pub(super) diagnostics: &'a mut Vec<Diagnostic>,
    pub(super) taxonomy_paths: &'a BTreeSet<String>,
    /// The modules of each (programme, order), in site order.
    pub(super) module_orders: &'a BTreeMap<(&'a str, u64), Vec<&'a Page>>,
}

/// The modules that give a programme and an order, by (programme, order), in site order: a
/// module's duplicates are looked up in its group instead of among all pages.
pub(super) fn module_orders(site: &Site) -> BTreeMap<(&str, u64), Vec<&Page>> {
    let mut groups: BTreeMap<(&str, u64), Vec<&Page>> = BTreeMap::new();
    for page in site.pages_of(ContentKind::Module) {
        if let Details::Module(module) = &page.details
            && let (Some(programme), Some(order)) = (&module.programme, &module.order)
        {
            groups
                .entry((programme.value.as_str(), order.value))
                .or_default()
                .push(page);
        }
    }
    groups
}

impl<'a> Checker<'a> {
    /// Checks that `reference` names a page of `kind`, and warns if a published page names a draft.
    fn reference(
        &mut self,
        page: &Page,
        kind: ContentKind,
        reference: &Located<String>,
        field: &str,
    ) -> Option<&'a Page> {
        let target = self.resolve(page, kind, reference, field);
        if let Some(target) = target {
            self.draft_reference(page, target, reference.at);
        }
        target
    }

    /// Checks that `reference` names a page of `kind`, which may be a draft.
    fn resolve(
        &mut self,
        page: &Page,
        kind: ContentKind,
        reference: &Located<String>,
        field: &str,
    ) -> Option<&'a Page> {
        let site: &'a Site = self.site;
        let target = site.get(kind, &reference.value);
        match target {
            None if self.is_unreadable(kind, &reference.value) => {}
            None => {
                let hint = match crate::model::vocab::did_you_mean(
                    &reference.value,
                    self.site.pages_of(kind).map(|p| p.slug.value.as_str()),
                ) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => format!(
                        "check the slug, or add the file content/{}/{}.md",
                        kind.folder(),
                        reference.value
                    ),
                };
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::E010,
                        &page.file,
                        reference.at,
                        format!(
                            "`{field}` names {} `{}`, which does not exist",
                            article(kind),
                            reference.value
                        ),
                    )
                    .with_hint(hint),
                );
            }
            Some(_) => {}
        }
        target
    }

    /// Whether the page of `kind` and `slug` has a file that failed to read: then a
    /// reference to it is not broken, and that file's own error is the one to fix.
    fn is_unreadable(&self, kind: ContentKind, slug: &str) -> bool {
        self.options.unreadable.contains(&(kind, slug.to_owned()))
    }

    fn draft_reference(&mut self, page: &Page, target: &Page, at: Pos) {
        self.diagnostics.extend(draft_warning(
            page,
            target.kind,
            &target.slug.value,
            target.draft,
            at,
        ));
    }

    pub(super) fn check_page(&mut self, page: &Page) {
        match &page.details {
            Details::CaseStudy(case) => {
                for link in &case.organisations {
                    if let Some(slug) = &link.slug {
                        self.reference(page, ContentKind::Organisation, slug, "organisations.slug");
                    }
                }
                let programme = case
                    .programme
                    .as_ref()
                    .and_then(|p| self.reference(page, ContentKind::Programme, p, "programme"))
                    .map(|p| p.slug.value.clone());
                if let Some(cohort_ref) = &case.cohort {
                    let cohort = self.reference(page, ContentKind::Cohort, cohort_ref, "cohort");
                    let cohort_programme = cohort.and_then(|c| match &c.details {
                        Details::Cohort(cohort) => {
                            cohort.programme.as_ref().map(|p| p.value.clone())
                        }
                        _ => None,
                    });
                    if let (Some(programme), Some(cohort_programme)) =
                        (&programme, &cohort_programme)
                        && programme != cohort_programme
                    {
                        self.diagnostics.push(
                                Diagnostic::new(
                                    Code::E010,
                                    &page.file,
                                    cohort_ref.at,
                                    format!(
                                        "cohort `{}` belongs to programme `{cohort_programme}`, not `{programme}`",
                                        cohort_ref.value
                                    ),
                                )
                                .with_hint("name the cohort's own programme, or a cohort of this programme"),
                            );
                    }
                }
                for related in &case.related {
                    self.reference(page, ContentKind::CaseStudy, related, "related");
                }
            }
            Details::Programme(programme) => {
                for link in &programme.organisations {
                    if let Some(slug) = &link.slug {
                        self.reference(page, ContentKind::Organisation, slug, "organisations.slug");
                    }
                }
                let listed: Vec<Option<(&str, &crate::model::content::Module)>> = programme
                    .modules
                    .iter()
                    .map(|module_ref| {
                        // A draft module keeps its place in the list (`casebook new module`
                        // adds it there); a production build leaves it out.
                        match self.resolve(page, ContentKind::Module, module_ref, "modules") {
                            Some(Page {
                                file,
                                details: Details::Module(module),
                                ..
                            }) => Some((file.as_str(), module)),
                            _ => None,
                        }
                    })
                    .collect();
                // The list order is compared with `order` only when the orders are distinct; a
                // duplicate order is reported on the module itself.
                let mut orders: Vec<u64> = listed
                    .iter()
                    .flatten()
                    .filter_map(|(_, m)| m.order.as_ref().map(|o| o.value))
                    .collect();
                orders.sort_unstable();
                orders.dedup();
                if orders.len()
                    == listed
                        .iter()
                        .flatten()
                        .filter(|(_, m)| m.order.is_some())
                        .count()
                {
                    for (position, (module_ref, module)) in
                        programme.modules.iter().zip(&listed).enumerate()
                    {
                        if let Some((file, module)) = module {
                            let place = position as u64 + 1;
                            self.module_in_programme(page, module_ref, file, module, place);
                        }
                    }
                }
                for cohort in &programme.cohorts {
                    self.reference(page, ContentKind::Cohort, cohort, "cohorts");
                }
            }
            Details::Module(module) => {
                if let Some(programme) = &module.programme {
                    self.reference(page, ContentKind::Programme, programme, "programme");
                }
                self.unique_order(page, module);
                for material in &module.materials {
                    let href = &material.href.value;
                    if !href.contains("://") && !href.starts_with("mailto:") {
                        let path = if href.starts_with('/') {
                            href.clone()
                        } else {
                            format!("/{href}")
                        };
                        if !self.options.static_files.contains(&path) {
                            self.diagnostics.push(
                                Diagnostic::new(
                                    Code::E010,
                                    &page.file,
                                    material.href.at,
                                    format!("material `{href}` is not a file in `static/`"),
                                )
                                .with_hint(format!("put the file at static{path}, or give an absolute https:// address")),
                            );
                        }
                    }
                }
            }
            Details::Cohort(cohort) => {
                if let Some(programme) = &cohort.programme {
                    self.reference(page, ContentKind::Programme, programme, "programme");
                }
            }
            Details::Organisation(organisation) => {
                if let Some(successor) = &organisation.successor
                    && let Some(target) = self.site.get(ContentKind::Organisation, &successor.value)
                {
                    self.draft_reference(page, target, successor.at);
                }
            }
            Details::Dataset(_) | Details::Page(_) => {}
        }
        for link in &page.links {
            self.internal_link(page, link);
        }
    }

    /// Checks a module's optional `order` against its place in the programme's `modules:`
    /// list, which sets it: E012 at the `order`, with the list entry as a related place.
    fn module_in_programme(
        &mut self,
        page: &Page,
        module_ref: &Located<String>,
        module_file: &str,
        module: &crate::model::content::Module,
        expected: u64,
    ) {
        if let Some(order) = &module.order
            && order.value != expected
        {
            self.diagnostics.push(
                    Diagnostic::new(
                        Code::E012,
                        module_file,
                        order.at,
                        format!(
                            "`order: {}` disagrees with the programme, which lists this module at place {expected}",
                            order.value
                        ),
                    )
                    .with_hint(format!(
                        "the programme's `modules:` list sets the order: write `order: {expected}`, or remove `order:`"
                    ))
                    .with_related(
                        &page.file,
                        module_ref.at,
                        format!("`{}` is listed here, at place {expected}", module_ref.value),
                    ),
                );
        }
    }

    fn unique_order(&mut self, page: &Page, module: &crate::model::content::Module) {
        let (Some(programme), Some(order)) = (&module.programme, &module.order) else {
            return;
        };
        let earlier = self
            .module_orders
            .get(&(programme.value.as_str(), order.value))
            .and_then(|group| group.iter().find(|other| other.file < page.file));
        if let Some(other) = earlier {
            let other_at = match &other.details {
                Details::Module(m) => m.order.as_ref().map_or(Pos::START, |o| o.at),
                _ => Pos::START,
            };
            self.diagnostics.push(
                Diagnostic::new(
                    Code::E012,
                    &page.file,
                    order.at,
                    format!(
                        "another module of `{}` already has `order: {}`",
                        programme.value, order.value
                    ),
                )
                .with_hint("give each module of a programme its own order, from 1")
                .with_related(
                    &other.file,
                    other_at,
                    "the other module with this order",
                ),
            );
        }
    }

    fn internal_link(&mut self, page: &Page, link: &Located<String>) {
        let targets = Targets {
            find: &|kind, slug| self.site.get(kind, slug).map(|target| target.draft),
            page_paths: &|| {
                self.site
                    .pages
                    .iter()
                    .map(|page| page_path(page.kind, &page.slug.value))
                    .collect()
            },
            taxonomy_paths: self.taxonomy_paths,
            options: self.options,
        };
        self.diagnostics.extend(targets.link_problem(page, link));
    }
}

/// W103 when the published `page` refers, at `at`, to the draft of `kind` and `slug`.
fn draft_warning(
    page: &Page,
    kind: ContentKind,
    slug: &str,
    draft: bool,
    at: Pos,
) -> Option<Diagnostic> {
    (draft && !page.draft).then(|| {
        Diagnostic::new(
            Code::W103,
            &page.file,
            at,
            format!(
                "this published page refers to the draft {} `{slug}`",
                kind.type_name()
            ),
        )
        .with_hint("publish the other page, or remove the reference; in a production build it is shown as plain text")
    })
}

/// What an internal link is checked against: the pages of the whole site (drafts included),
/// its taxonomy pages and static files. [`link_site`] checks against its `Site`; a build,
/// whose render finds the links of the pages it publishes, against [`LinkTargets`].
struct Targets<'a> {
    /// Whether the page of a kind and slug is a draft; `None` when there is no such page.
    find: &'a dyn Fn(ContentKind, &str) -> Option<bool>,
    /// The address of every page, for the nearest one to a broken link.
    page_paths: &'a dyn Fn() -> Vec<String>,
    taxonomy_paths: &'a BTreeSet<String>,
    options: &'a LinkOptions,
}

impl Targets<'_> {
    /// The problem of the internal link `link` of `page`: E010 when nothing is at its address
    /// (a warning under `link_check: warn`), W103 when a published page links a draft.
    fn link_problem(&self, page: &Page, link: &Located<String>) -> Option<Diagnostic> {
        let path = link.value.split(['#', '?']).next().unwrap_or("");
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let section = segments
            .first()
            .and_then(|first| ContentKind::from_section(first));
        // A top-level address is a general page unless a static file is there.
        let target = page_at(path).filter(|_| !self.options.static_files.contains(path));
        let exists = match (target, section, segments.as_slice()) {
            (Some((kind, slug)), _, _) => match (self.find)(kind, slug) {
                Some(draft) => return draft_warning(page, kind, slug, draft, link.at),
                None => self.options.unreadable.contains(&(kind, slug.to_owned())),
            },
            (None, Some(_), [_]) => true,
            _ if segments.is_empty() => true,
            _ => {
                let as_page = format!("/{}/", segments.join("/"));
                self.taxonomy_paths.contains(&as_page)
                    || self.options.static_files.contains(path)
                    || SITE_PAGES.contains(&as_page.as_str())
            }
        };
        if exists {
            return None;
        }
        let hint = match self.nearest_page_path(&segments) {
            Some(nearest) => format!("did you mean `{nearest}`?"),
            None => "check the address; pages live at /case-studies/<slug>/, /programmes/<slug>/ and so on, general pages at /<slug>/".to_owned(),
        };
        let mut diagnostic = Diagnostic::new(
            Code::E010,
            &page.file,
            link.at,
            format!("link to `{}`, a page that does not exist", link.value),
        )
        .with_hint(hint);
        if self.options.link_check == LinkCheck::Warn {
            diagnostic.severity = Severity::Warning;
        }
        Some(diagnostic)
    }

    /// The address of an existing page nearest to a broken link's path segments: a folder in
    /// the singular (`/programme/…`), a misspelt folder or slug. Compared as whole paths, so
    /// that one slip anywhere counts the same; `None` when nothing is close.
    fn nearest_page_path(&self, segments: &[&str]) -> Option<String> {
        let wanted = format!("/{}/", segments.join("/"));
        let others = self
            .taxonomy_paths
            .iter()
            .cloned()
            .chain(SITE_PAGES.iter().map(|path| (*path).to_owned()));
        (self.page_paths)()
            .into_iter()
            .chain(others)
            .map(|path| (strsim::normalized_levenshtein(&wanted, &path), path))
            .filter(|(score, _)| *score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(&a.1)))
            .map(|(_, path)| path)
    }
}

/// What the internal links of a site's pages are checked against, kept apart from its
/// `Site`: every page's kind, slug and whether it is a draft, its taxonomy pages and the
/// options it was linked with. A build takes it from the checked site before leaving the
/// drafts out, and checks the links its render finds ([`LinkTargets::check_links`]) as
/// [`link_site`] checks those the parse stage found: the same diagnostics, links to drafts
/// included.
#[derive(Debug, Clone, Default)]
pub struct LinkTargets {
    /// Whether each page is a draft, by its slug, one map for each kind (at `kind as usize`):
    /// a build looks up every link of every body here.
    pages: Vec<std::collections::HashMap<String, bool, foldhash::fast::RandomState>>,
    taxonomy_paths: BTreeSet<String>,
    options: LinkOptions,
}

impl LinkTargets {
    /// The targets of `site`, linked with `options`.
    pub fn of(site: &Site, options: LinkOptions) -> LinkTargets {
        let mut pages = vec![std::collections::HashMap::default(); ContentKind::ALL.len()];
        for page in &site.pages {
            pages[page.kind as usize].insert(page.slug.value.clone(), page.draft);
        }
        LinkTargets {
            pages,
            taxonomy_paths: taxonomy_paths(site),
            options,
        }
    }

    /// The problems of the internal links `links` of `page` (found in its body), in the order
    /// of the links, as [`link_site`] reports them.
    pub fn check_links(&self, page: &Page, links: &[Located<String>]) -> Vec<Diagnostic> {
        let find = |kind: ContentKind, slug: &str| {
            self.pages
                .get(kind as usize)
                .and_then(|slugs| slugs.get(slug))
                .copied()
        };
        // Only for a broken link's hint, which takes the nearest path whatever the order.
        let page_paths = || {
            ContentKind::ALL
                .into_iter()
                .filter_map(|kind| Some((kind, self.pages.get(kind as usize)?)))
                .flat_map(|(kind, slugs)| slugs.keys().map(move |slug| page_path(kind, slug)))
                .collect()
        };
        let targets = Targets {
            find: &find,
            page_paths: &page_paths,
            taxonomy_paths: &self.taxonomy_paths,
            options: &self.options,
        };
        links
            .iter()
            .filter_map(|link| targets.link_problem(page, link))
            .collect()
    }
}

/// Pages every site has, besides content and taxonomy pages.
const SITE_PAGES: &[&str] = &[
    "/outcomes/",
    "/search/",
    "/topics/",
    "/regions/",
    "/settings/",
    "/key-questions/",
];

pub(super) fn taxonomy_paths(site: &Site) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for (taxonomy, terms) in &site.relations.terms {
        for key in terms.keys() {
            paths.insert(format!("/{}/{}/", taxonomy.segment(), key));
        }
    }
    paths
}

fn article(kind: ContentKind) -> String {
    match kind {
        ContentKind::Organisation => "an organisation".to_owned(),
        other => format!("a {}", other.type_name()),
    }
}
