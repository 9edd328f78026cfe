//! What a page shows when its link is shared, and what search engines read of it.
//!
//! [`ShareView`] is the values of the OpenGraph and Twitter card tags in every page's head
//! (title, description, address, site name, image and its alternative text). [`json_ld`] and
//! its neighbours describe a page in schema.org terms (`Article` for case studies, `Course`
//! for programmes and modules, `CourseInstance` for cohorts, `Organization`, `Dataset` for
//! datasets and the open data, `WebPage` for general pages), written into a `<script type="application/ld+json">` data
//! block: a block no browser runs, so a strict `script-src 'self'` allows it. The JSON is
//! made safe inside HTML by escaping `<`, `>` and `&`, so no text of a page can end the block.

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Config;
use crate::model::content::{Details, Page};
use crate::model::vocab::{OrgRole, Vocabulary};
use crate::model::{ContentKind, Site, page_path, page_terms};
use crate::render::urls::Urls;

/// The site's default share image, in the theme's static files.
pub(crate) const DEFAULT_IMAGE: &str = "/images/share.png";

/// The values of a page's sharing tags.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ShareView {
    /// `og:type`: `article` for case studies, `website` otherwise.
    kind: &'static str,
    title: String,
    description: Option<String>,
    /// The page's absolute address; `None` when the site's `base_url` has no origin
    /// (`/`), since sharing tags need whole addresses.
    url: Option<String>,
    site_name: String,
    /// The image's absolute address, with the same condition as `url`.
    image: Option<String>,
    image_alt: String,
    /// The image's size in pixels, when known: the generated share image's.
    image_width: Option<u32>,
    image_height: Option<u32>,
}

/// A page's generated share image: its site path and what it shows, in words.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    /// `/case-studies/x/share.png`.
    pub(crate) path: String,
    /// The title and the headline in words.
    pub(crate) alt: String,
}

/// A case study's own image, when it has one with alternative text: it is shared before any
/// generated image.
pub(crate) fn own_image(page: &Page) -> Option<&crate::model::content::Image> {
    match &page.details {
        Details::CaseStudy(case) => case.image.as_ref().filter(|image| !image.alt.is_empty()),
        _ => None,
    }
}

/// Whether the site's addresses are whole (`https://…`), as sharing tags and structured data
/// need them.
fn has_origin(config: &Config) -> bool {
    config.base_url.starts_with("http://") || config.base_url.starts_with("https://")
}

/// The sharing tags of a page at `path` (a site path such as `/topics/falls/`).
pub(crate) fn share_view(
    title: &str,
    description: Option<&str>,
    path: &str,
    config: &Config,
    urls: &Urls,
) -> ShareView {
    let whole = has_origin(config);
    ShareView {
        kind: "website",
        title: title.to_owned(),
        description: description.map(str::to_owned),
        url: whole.then(|| urls.absolute(path)),
        site_name: config.title.clone(),
        image: whole.then(|| urls.absolute(DEFAULT_IMAGE)),
        image_alt: config.title.clone(),
        image_width: None,
        image_height: None,
    }
}

/// The sharing tags of a content page: a case study is an article, and shows its own image
/// when it has one (`resized`: the site path of the resized copy of its `image:` made for
/// sharing, a JPEG or PNG about 1200 pixels wide, as some sharing sites read no WebP); a page
/// with outcomes and no image of its own shows its generated `card`.
pub(crate) fn page_share_view(
    page: &Page,
    card: Option<&Card>,
    config: &Config,
    urls: &Urls,
    resized: Option<&str>,
) -> ShareView {
    let path = page_path(page.kind, &page.slug.value);
    let mut view = share_view(&page.title, page.summary.as_deref(), &path, config, urls);
    if page.kind == ContentKind::CaseStudy {
        view.kind = "article";
    }
    if let Some(image) = own_image(page) {
        let url = match resized {
            Some(resized) => Some(urls.absolute(resized)),
            None => image_url(&image.src, &path, urls),
        };
        view.image = url.filter(|_| has_origin(config));
        view.image_alt = image.alt.clone();
    } else if let Some(card) = card {
        view.image = has_origin(config).then(|| urls.absolute(&card.path));
        view.image_alt = card.alt.clone();
        view.image_width = Some(crate::render::share_image::WIDTH);
        view.image_height = Some(crate::render::share_image::HEIGHT);
    }
    view
}

/// An image's absolute address from its `src`: a whole URL as it is, a site path with the
/// base, a relative path from the page's folder.
fn image_url(src: &str, page: &str, urls: &Urls) -> Option<String> {
    if src.starts_with("https://") || src.starts_with("http://") {
        Some(src.to_owned())
    } else if src.contains(':') || src.starts_with("//") {
        None
    } else if src.starts_with('/') {
        Some(urls.absolute(src))
    } else {
        Some(urls.absolute(&format!("{page}{src}")))
    }
}

/// JSON as it may stand inside an HTML `<script>` block: `<`, `>` and `&` escaped as JSON
/// escapes, so `</script>` in any text cannot end the block.
pub(crate) fn script_safe(value: &Value) -> String {
    // Written by serde_json's serialiser, not through `Display`'s formatter.
    let text = serde_json::to_string(value).expect("a JSON value writes to memory");
    // The three are ASCII, which no byte of another character's UTF-8 can be: the text is
    // copied in runs between them, found with memchr's vector scan.
    let mut found = memchr::memchr3_iter(b'<', b'>', b'&', text.as_bytes()).peekable();
    if found.peek().is_none() {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut copied = 0;
    for at in found {
        out.push_str(&text[copied..at]);
        out.push_str(match text.as_bytes()[at] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            _ => "\\u0026",
        });
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Adds `key: value` to a JSON object unless the value is null or empty.
fn put(object: &mut Value, key: &str, value: Value) {
    let empty = match &value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    if !empty {
        object[key] = value;
    }
}

fn organization(name: &str) -> Value {
    json!({"@type": "Organization", "name": name})
}

/// The schema.org description of a content page, as a script-safe JSON-LD block; `None`
/// when the site's addresses have no origin (schema.org wants whole addresses).
/// A page's own image (`resized_image`: its resized copy for sharing), else its generated share
/// image (`card`), is its `image`.
pub(crate) fn json_ld(
    page: &Page,
    card: Option<&Card>,
    site: &Site,
    config: &Config,
    urls: &Urls,
    resized_image: Option<&str>,
) -> Option<String> {
    if !has_origin(config) {
        return None;
    }
    let path = page_path(page.kind, &page.slug.value);
    let url = urls.absolute(&path);
    let kind = match page.kind {
        ContentKind::CaseStudy => "Article",
        ContentKind::Programme | ContentKind::Module => "Course",
        ContentKind::Cohort => "CourseInstance",
        ContentKind::Organisation => "Organization",
        ContentKind::Dataset => "Dataset",
        ContentKind::Page => "WebPage",
    };
    let mut data = json!({"@context": "https://schema.org", "@type": kind, "url": url});
    let name_key = if page.kind == ContentKind::CaseStudy {
        "headline"
    } else {
        "name"
    };
    put(&mut data, name_key, json!(page.title));
    // Course and Dataset need a description; a page without a summary is described by its title.
    put(
        &mut data,
        "description",
        json!(page.summary.clone().unwrap_or_else(|| page.title.clone())),
    );
    put(&mut data, "inLanguage", json!(config.language));
    if let Some(published) = page.published {
        put(&mut data, "datePublished", json!(published.to_string()));
        let modified = page.updated.unwrap_or(published);
        put(&mut data, "dateModified", json!(modified.to_string()));
    }
    let publisher = organization(&config.title);
    match &page.details {
        Details::CaseStudy(case) => {
            data["mainEntityOfPage"] = json!(url);
            let mut authors: Vec<&str> = case
                .organisations
                .iter()
                .filter(|o| o.role == OrgRole::Lead)
                .map(|o| o.name.as_str())
                .collect();
            if authors.is_empty() {
                authors.extend(case.organisations.iter().map(|o| o.name.as_str()));
            }
            if authors.is_empty() {
                authors.push(&config.title);
            }
            data["author"] = Value::Array(authors.into_iter().map(organization).collect());
            data["publisher"] = publisher;
            let image = resized_image
                .map(|resized| urls.absolute(resized))
                .or_else(|| {
                    case.image
                        .as_ref()
                        .and_then(|image| image_url(&image.src, &path, urls))
                })
                .or_else(|| card.map(|card| urls.absolute(&card.path)))
                .unwrap_or_else(|| urls.absolute(DEFAULT_IMAGE));
            data["image"] = json!(image);
            let about: Vec<String> = page_terms(page).into_iter().map(|(_, _, l)| l).collect();
            put(&mut data, "keywords", json!(about.join(", ")));
            if let Some(source) = &case.source {
                put(&mut data, "isBasedOn", json!(source.url));
            }
        }
        Details::Programme(programme) => {
            if let Some(card) = card {
                data["image"] = json!(urls.absolute(&card.path));
            }
            let lead = programme
                .organisations
                .iter()
                .find(|o| o.role == OrgRole::Lead)
                .or(programme.organisations.first());
            data["provider"] = lead.map_or(publisher, |o| organization(&o.name));
        }
        Details::Module(module) => {
            let parent = module
                .programme
                .as_ref()
                .and_then(|p| site.get(ContentKind::Programme, &p.value));
            data["provider"] = publisher;
            if let Some(parent) = parent {
                data["isPartOf"] = json!({
                    "@type": "Course",
                    "name": parent.title,
                    "url": urls.absolute(&page_path(parent.kind, &parent.slug.value)),
                });
            }
        }
        Details::Cohort(cohort) => {
            if let Some(card) = card {
                data["image"] = json!(urls.absolute(&card.path));
            }
            if let Some(start) = cohort.start {
                put(&mut data, "startDate", json!(start.to_string()));
            }
            if let Some(end) = cohort.end {
                put(&mut data, "endDate", json!(end.to_string()));
            }
            if let Some(location) = &cohort.location {
                put(&mut data, "location", json!(location));
            }
            put(&mut data, "courseMode", json!("Blended"));
        }
        Details::Organisation(organisation) => {
            if let Some(website) = &organisation.website {
                put(&mut data, "sameAs", json!(website));
            }
        }
        Details::Dataset(dataset) => {
            data["creator"] = dataset
                .source
                .as_ref()
                .map_or(publisher, |s| organization(&s.publisher));
            if let Some(source) = &dataset.source {
                put(&mut data, "isBasedOn", json!(source.url));
                if let Some(licence) = source.licence {
                    put(&mut data, "license", json!(licence.label()));
                }
            }
            put(&mut data, "variableMeasured", json!(dataset.unit));
        }
        Details::Page(_) => {
            data["publisher"] = publisher;
            data["isPartOf"] =
                json!({"@type": "WebSite", "name": config.title, "url": urls.absolute("/")});
        }
    }
    Some(script_safe(&data))
}

/// The home page's description: the site itself.
pub(crate) fn website_json_ld(config: &Config, urls: &Urls) -> Option<String> {
    has_origin(config).then(|| {
        script_safe(&json!({
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": config.title,
            "url": urls.absolute("/"),
            "inLanguage": config.language,
        }))
    })
}

/// The outcomes overview's description: the open data files as one dataset.
pub(crate) fn open_data_json_ld(config: &Config, urls: &Urls) -> Option<String> {
    has_origin(config).then(|| {
        script_safe(&json!({
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": format!("{}: outcome figures", config.title),
            "description": format!(
                "Every outcome figure of the case studies, programmes and cohorts published on {}: \
                 CQC ratings before and after, shares, counts, measures and money, one row per figure.",
                config.title
            ),
            "url": urls.absolute("/outcomes/"),
            "inLanguage": config.language,
            "creator": organization(&config.title),
            "distribution": [
                {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": urls.absolute("/data/outcomes.csv")},
                {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": urls.absolute("/data/outcomes.json")},
            ],
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_a_script_block_cannot_end_it() {
        let text = script_safe(&json!({"name": "</script><script>alert(1)</script> & more"}));
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script> & more");
        // Other characters, however many bytes they take, are kept as they are.
        assert_eq!(
            script_safe(&json!("é<☃>—&")),
            "\"é\\u003c☃\\u003e—\\u0026\""
        );
    }

    #[test]
    fn images_get_whole_addresses() {
        let urls = Urls::new("https://x.org/sl/");
        let page = "/case-studies/a/";
        assert_eq!(
            image_url("photo.jpg", page, &urls).as_deref(),
            Some("https://x.org/sl/case-studies/a/photo.jpg")
        );
        assert_eq!(
            image_url("/images/p.png", page, &urls).as_deref(),
            Some("https://x.org/sl/images/p.png")
        );
        assert_eq!(
            image_url("https://cdn.example/p.png", page, &urls).as_deref(),
            Some("https://cdn.example/p.png")
        );
        assert_eq!(image_url("javascript:alert(1)", page, &urls), None);
    }
}
