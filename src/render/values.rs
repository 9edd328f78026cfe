//! The values page contexts share beyond their views: the site-wide `site` value, menus,
//! the brand stylesheet, breadcrumbs, a page's share card and the sharing tags of listings.

use super::{ShareImages, outcomes, share, share_card};
use serde::Serialize;
use tera::Context;

use crate::config::Config;
use crate::model::ContentKind;
use crate::model::Site;
use crate::model::content::{Details, GeneralPage, Page};
use crate::model::vocab::Menu;
use crate::render::urls::Urls;
use crate::render::views::*;
use crate::write::OutputFile;

/// Whether the site's menus link `page`, so that it shows on every page: a general page with
/// `menu:`, or the accessibility statement, which the footer always links.
pub fn in_menus(page: &Page) -> bool {
    match &page.details {
        Details::Page(general) => {
            general.menu.is_some() || page.slug.value == GeneralPage::ACCESSIBILITY_SLUG
        }
        _ => false,
    }
}

/// The general pages of one menu as links, by `order` (pages without one last), then title.
pub(super) fn menu_links(
    site: &Site,
    urls: &Urls,
    in_menu: impl Fn(&Page, &GeneralPage) -> bool,
) -> Vec<NavView> {
    let mut pages: Vec<(&Page, Option<u64>)> = site
        .pages_of(ContentKind::Page)
        .filter_map(|page| match &page.details {
            Details::Page(general) if in_menu(page, general) => Some((page, general.order)),
            _ => None,
        })
        .collect();
    pages.sort_by_cached_key(|(page, order)| {
        (
            order.unwrap_or(u64::MAX),
            page.title.to_lowercase(),
            page.slug.value.clone(),
        )
    });
    pages
        .into_iter()
        .map(|(page, _)| NavView {
            title: page.title.clone(),
            url: urls.page(page.kind, &page.slug.value),
        })
        .collect()
}

/// The stylesheet that carries the config's brand colour, so that pages need no inline style.
pub(super) const BRAND_CSS: &str = "css/brand.css";

/// `css/brand.css`: the brand colour as the custom property the theme's header uses. The
/// colour was checked when the config was read (a hex colour, dark enough for white text).
pub(super) fn brand_css(colour: &str) -> String {
    format!(":root {{ --c-brand: {colour}; }}\n")
}

/// The site-wide values every template sees as `site`.
pub(super) fn site_view(config: &Config, urls: &Urls, site: &Site) -> SiteView {
    let header_pages = menu_links(site, urls, |_, general| general.menu == Some(Menu::Header));
    let footer = menu_links(site, urls, |page, general| {
        general.menu == Some(Menu::Footer) || page.slug.value == GeneralPage::ACCESSIBILITY_SLUG
    });
    let navigation = if config.navigation.is_empty() {
        let mut nav = vec![NavView {
            title: "Case studies".into(),
            url: urls.path("/case-studies/"),
        }];
        for kind in [ContentKind::Programme, ContentKind::Organisation] {
            if site.pages_of(kind).next().is_some() {
                nav.push(NavView {
                    title: kind.plural().into(),
                    url: urls.path(&format!("/{}/", kind.folder())),
                });
            }
        }
        nav.push(NavView {
            title: "Topics".into(),
            url: urls.path("/topics/"),
        });
        nav.push(NavView {
            title: "Outcomes".into(),
            url: urls.path("/outcomes/"),
        });
        nav.extend(header_pages);
        nav
    } else {
        // The site's own navigation wins: it lists what it wants, header pages included.
        config
            .navigation
            .iter()
            .map(|item| NavView {
                title: item.title.clone(),
                url: if item.url.starts_with('/') {
                    urls.path(&item.url)
                } else {
                    item.url.clone()
                },
            })
            .collect()
    };
    SiteView {
        title: config.title.clone(),
        language: config.language.clone(),
        base_url: config.base_url.clone(),
        base_path: urls.base_path.clone(),
        home_url: urls.path("/"),
        search_url: urls.path("/search/"),
        css_url: urls.path("/css/casebook.css"),
        code_css_url: urls.path("/css/code.css"),
        brand_css_url: config
            .brand_colour
            .as_ref()
            .map(|_| urls.path(&format!("/{BRAND_CSS}"))),
        logo_url: config
            .logo
            .as_ref()
            .map(|logo| urls.path(&format!("/{logo}"))),
        icon_url: urls.path("/favicon.svg"),
        outcomes_url: urls.path("/outcomes/"),
        outcomes_csv_url: urls.path("/data/outcomes.csv"),
        outcomes_json_url: urls.path("/data/outcomes.json"),
        feed_url: urls.path("/feed.xml"),
        navigation,
        footer,
        search: config.search,
        generator: format!("casebook {}", env!("CARGO_PKG_VERSION")),
    }
}

#[derive(Serialize)]
pub(super) struct Crumb {
    label: String,
    url: String,
}

/// The parents of a content page: home, its list, and a module's or cohort's programme.
pub(super) fn breadcrumbs(site: &Site, page: &Page, urls: &Urls) -> Vec<Crumb> {
    let mut crumbs = vec![Crumb {
        label: "Home".into(),
        url: urls.path("/"),
    }];
    let programme = match &page.details {
        Details::Module(m) => m.programme.as_ref(),
        Details::Cohort(c) => c.programme.as_ref(),
        _ => None,
    };
    if page.kind.section().is_none() {
        // A general page stands alone at the top of the site.
        return crumbs;
    }
    match programme.and_then(|p| site.get(ContentKind::Programme, &p.value)) {
        Some(parent) => {
            crumbs.push(Crumb {
                label: ContentKind::Programme.plural().into(),
                url: urls.path("/programmes/"),
            });
            crumbs.push(Crumb {
                label: parent.title.clone(),
                url: urls.page(ContentKind::Programme, &parent.slug.value),
            });
        }
        None => crumbs.push(Crumb {
            label: page.kind.plural().into(),
            url: urls.path(&format!("/{}/", page.kind.folder())),
        }),
    }
    crumbs
}

/// The generated share image of a page with outcomes: its output file (when `wanted`) and
/// the card its tags name; `None` for a page without outcomes, a case study with an image of
/// its own, a site with `share_images: false`, or (never expected) when its card does not
/// rasterise.
pub(super) fn share_card_of(
    page: &Page,
    config: &Config,
    share_images: &ShareImages,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> Option<(Option<OutputFile>, share::Card)> {
    let outcome = page.headline_outcome()?;
    if !config.share_images || share::own_image(page).is_some() {
        return None;
    }
    let path = format!(
        "{}share.png",
        crate::model::page_path(page.kind, &page.slug.value).trim_start_matches('/')
    );
    let headline = outcomes::outcome_headline(outcome);
    let card = share::Card {
        path: format!("/{path}"),
        alt: format!("{}. {headline}", page.title.trim()),
    };
    // A page rendered again without its image (the preview re-renders what a change
    // affects) still names it, as the full render does.
    if !wanted(&path) {
        return Some((None, card));
    }
    let accent = config
        .brand_colour
        .as_deref()
        .filter(|c| crate::config::brand_colour_problem(c).is_none());
    let key = share_card::card_key(&config.title, &page.title, &headline, outcome, accent);
    let svg = || share_card::card_svg(&config.title, &page.title, &headline, outcome, accent);
    let file = share_images.file(path, &key, svg).ok()?;
    Some((Some(file), card))
}

/// Where a content page is written: its URL path ([`crate::model::page_path`]) as a file,
/// `case-studies/x/index.html`.
pub(super) fn page_output_path(page: &Page) -> String {
    let path = crate::model::page_path(page.kind, &page.slug.value);
    format!("{}index.html", path.trim_start_matches('/'))
}

/// The sharing tags of a listing, overview or fixed page at output `path`, from the title in
/// its context; the home page also gets the site's structured data. Not for the 404 page,
/// which has no address of its own.
pub(super) fn add_share(context: &mut Context, path: &str, config: &Config, urls: &Urls) {
    let Some(folder) = path.strip_suffix("index.html") else {
        return;
    };
    let title = context
        .get("title")
        .and_then(|t| t.as_str())
        .unwrap_or(&config.title)
        .to_owned();
    let site_path = format!("/{folder}");
    context.insert(
        "share",
        &share::share_view(&title, None, &site_path, config, urls),
    );
    if path == "index.html" {
        context.insert("structured_data", &share::website_json_ld(config, urls));
    }
}
