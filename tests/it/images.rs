//! Images end to end: a page bundle's photo built to `<picture>` markup and resized files at
//! the addresses it names, the cache that makes a second build encode nothing, byte-identical
//! output, and an image whose pixels do not decode stopping the build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use casebook::diagnostics::Code;
use casebook::{BuildError, BuildOptions, BuildReport};

pub(crate) const FRONT: &str = "---
title: The red bag scheme
summary: Hospital transfers with a red bag.
published: 2024-03-01
organisations:
  - {name: Example Council, org_type: local-authority}
care_settings: [care-home]
image: {src: lead.jpg, alt: A red bag on a care home's hall table}
---
";

/// A photo-like JPEG `width` × `height` (gradients and a pattern, so it compresses like one).
pub(crate) fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x * y) % 251) as u8,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&image)
        .expect("encode");
    out
}

/// A site whose case study is a bundle: `content/case-studies/red-bag/index.md` with a
/// 700 × 400 body photo, a 1500 × 1000 lead image and a GIF beside it.
fn site() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp");
    let root = temp.path().join("site");
    let bundle = root.join("content/case-studies/red-bag");
    std::fs::create_dir_all(&bundle).expect("bundle");
    std::fs::write(
        bundle.join("index.md"),
        format!(
            "{FRONT}\nThe bag on arrival:\n\n![A red bag with a care plan inside](photo.jpg)\n\n![](dots.gif \"decorative\")\n"
        ),
    )
    .expect("page");
    std::fs::write(bundle.join("photo.jpg"), jpeg(700, 400)).expect("photo");
    std::fs::write(bundle.join("lead.jpg"), jpeg(1500, 1000)).expect("lead");
    let mut gif = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(6, 3, image::Rgb([9, 9, 9])))
        .write_to(&mut std::io::Cursor::new(&mut gif), image::ImageFormat::Gif)
        .expect("gif");
    std::fs::write(bundle.join("dots.gif"), gif).expect("gif");
    (temp, root)
}

fn build(root: &Path, output: &str) -> Result<BuildReport, BuildError> {
    casebook::build(
        &BuildOptions {
            root: root.to_path_buf(),
            output: Some(root.join(output)),
            base_url: Some("https://example.org/learning/".into()),
            drafts: false,
        },
        &|_| {},
    )
}

fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(root, root)
}

fn walk(root: &Path, dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(walk(root, &path));
        } else {
            let name = path.strip_prefix(root).expect("inside").to_string_lossy();
            files.insert(name.into_owned(), std::fs::read(&path).expect("file"));
        }
    }
    files
}

/// The values of `attribute="…"` in `html`.
fn values<'h>(html: &'h str, attribute: &str) -> Vec<&'h str> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            &rest[..rest.find('"').expect("closed")]
        })
        .collect()
}

#[test]
fn a_bundle_photo_becomes_a_picture_of_resized_files_beside_its_page() {
    let (_temp, root) = site();
    let report = build(&root, "public").expect("builds");
    let output = root.join("public");
    let page_dir = output.join("case-studies/red-bag");
    let html = std::fs::read_to_string(page_dir.join("index.html")).expect("the bundle's page");

    // The body photo: 480 and its own 700 (never enlarged to 960 or 1600), WebP and JPEG.
    let photo = html
        .split("<picture>")
        .find(|p| p.contains("photo-"))
        .expect("the photo's picture");
    let photo = &photo[..photo.find("</picture>").expect("closed")];
    assert!(photo.contains("type=\"image/webp\""), "{photo}");
    assert!(photo.contains("width=\"700\" height=\"400\""), "{photo}");
    assert!(
        photo.contains("alt=\"A red bag with a care plan inside\""),
        "{photo}"
    );
    assert!(
        photo.contains("loading=\"lazy\" decoding=\"async\""),
        "{photo}"
    );
    assert!(photo.contains("sizes=\""), "{photo}");
    let sets = values(photo, "srcset");
    assert_eq!(sets.len(), 2, "{photo}");
    assert!(sets[0].contains("-480.webp 480w") && sets[0].ends_with("-700.webp 700w"));
    assert!(sets[1].contains("-480.jpg 480w") && sets[1].ends_with("-700.jpg 700w"));
    assert!(
        !photo.contains("960w"),
        "never wider than the original: {photo}"
    );

    // Every address the page gives for an image is a file of the output, with the size the
    // markup says.
    let mut addresses: Vec<&str> = values(&html, "src");
    for set in values(&html, "srcset") {
        addresses.extend(set.split(", ").map(|c| c.split(' ').next().expect("url")));
    }
    let images: Vec<&str> = addresses
        .into_iter()
        .filter(|a| a.contains("images/"))
        .collect();
    assert!(images.len() >= 9, "{images:?}");
    for address in &images {
        assert!(
            address.starts_with("../../images/"),
            "relative to the page: {address}"
        );
        let file = page_dir.join(address);
        assert!(file.is_file(), "{address} is in the output");
    }
    let webp_480 = images
        .iter()
        .find(|a| a.ends_with("photo-480.webp"))
        .expect("480 WebP");
    let decoded = image::open(page_dir.join(webp_480)).expect("a WebP");
    assert_eq!((decoded.width(), decoded.height()), (480, 274));

    // The GIF is copied as it is, decorative, with its size.
    assert!(
        html.contains("dots.gif\" width=\"6\" height=\"3\" alt=\"\" loading=\"lazy\""),
        "{html}"
    );
    // The lead image shares as a 1200-wide JPEG, never WebP.
    let og = values(&html, "content")
        .into_iter()
        .find(|v| v.contains("lead-"))
        .expect("og:image");
    assert!(
        og.starts_with("https://example.org/learning/images/") && og.ends_with("lead-1200.jpg"),
        "{og}"
    );
    // 2 widths × 2 formats of the photo, 3 × 2 of the lead and its share JPEG.
    assert_eq!(report.images.images, 3);
    assert_eq!(report.images.encoded, 4 + 6 + 1);
    assert_eq!(report.images.cached, 0);
    assert_eq!(report.images.copied, 1);
}

#[test]
fn a_second_build_takes_every_image_from_the_cache_and_writes_the_same_bytes() {
    let (_temp, root) = site();
    let cold = build(&root, "one").expect("builds");
    assert!(cold.images.encoded > 0);
    let warm = build(&root, "two").expect("builds again");
    assert_eq!(warm.images.encoded, 0, "the warm build encoded nothing");
    assert_eq!(warm.images.decoded, 0, "nor decoded anything");
    assert_eq!(warm.images.cached, cold.images.encoded);
    let one = read_tree(&root.join("one"));
    assert_eq!(one, read_tree(&root.join("two")));
    // Without the cache the encoders make the same bytes again.
    std::fs::remove_dir_all(root.join(".casebook")).expect("cache");
    let again = build(&root, "three").expect("builds cold");
    assert_eq!(again.images.encoded, cold.images.encoded);
    assert_eq!(one, read_tree(&root.join("three")));
}

#[test]
fn a_changed_photo_is_encoded_again_and_gets_a_new_address() {
    let (_temp, root) = site();
    build(&root, "public").expect("builds");
    let before =
        std::fs::read_to_string(root.join("public/case-studies/red-bag/index.html")).expect("page");
    std::fs::write(
        root.join("content/case-studies/red-bag/photo.jpg"),
        jpeg(640, 400),
    )
    .expect("photo");
    let report = build(&root, "public").expect("builds");
    assert_eq!(report.images.encoded, 4, "only the changed photo");
    let after =
        std::fs::read_to_string(root.join("public/case-studies/red-bag/index.html")).expect("page");
    assert_ne!(before, after);
    assert!(after.contains("width=\"640\" height=\"400\""));
}

#[test]
fn a_photo_that_does_not_decode_stops_the_build_and_writes_nothing() {
    let (_temp, root) = site();
    build(&root, "public").expect("builds");
    std::fs::write(root.join("public/sentinel"), b"kept").expect("sentinel");
    // A PNG whose header is whole (its size reads) and whose pixels are cut off. (A JPEG cut
    // short decodes, its missing part grey.)
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(300, 200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x ^ y) % 256) as u8])
    }))
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .expect("png");
    let bundle = root.join("content/case-studies/red-bag");
    std::fs::write(bundle.join("board.png"), &png[..png.len() / 2]).expect("png");
    let text = std::fs::read_to_string(bundle.join("index.md")).expect("page");
    std::fs::write(
        bundle.join("index.md"),
        text.replace("photo.jpg", "board.png"),
    )
    .expect("page");
    let Err(BuildError::Content(checked)) = build(&root, "public") else {
        panic!("the build must stop");
    };
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, Code::E017);
    assert_eq!(errors[0].file, "content/case-studies/red-bag/index.md");
    assert_eq!((errors[0].line, errors[0].column), (13, 1));
    assert!(errors[0].hint.is_some());
    assert_eq!(
        std::fs::read(root.join("public/sentinel")).expect("untouched"),
        b"kept"
    );
}

#[test]
fn static_images_keep_their_address_and_get_resized_copies() {
    let (_temp, root) = site();
    std::fs::create_dir_all(root.join("static/images")).expect("static");
    std::fs::write(root.join("static/images/team.jpg"), jpeg(500, 500)).expect("team");
    let page = root.join("content/case-studies/red-bag/index.md");
    let text = std::fs::read_to_string(&page).expect("page");
    std::fs::write(&page, format!("{text}\n![The team](/images/team.jpg)\n")).expect("page");
    build(&root, "public").expect("builds");
    let output = root.join("public");
    assert!(output.join("images/team.jpg").is_file(), "static copy kept");
    let html =
        std::fs::read_to_string(output.join("case-studies/red-bag/index.html")).expect("page");
    assert!(html.contains("team-480.webp 480w, ../../images/"), "{html}");
    assert!(html.contains("team-500.jpg 500w\""), "{html}");
}

#[test]
fn a_bundle_is_named_by_its_folder_and_its_folder_must_be_a_slug() {
    let (_temp, root) = site();
    let checked = casebook::check(&root).expect("checks");
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    assert!(checked.site.pages.iter().any(|p| p.slug.value == "red-bag"));
    std::fs::rename(
        root.join("content/case-studies/red-bag"),
        root.join("content/case-studies/Red Bag"),
    )
    .expect("rename");
    let checked = casebook::check(&root).expect("checks");
    let e016: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::E016)
        .collect();
    assert_eq!(e016.len(), 1, "{:#?}", checked.diagnostics);
    assert_eq!(e016[0].file, "content/case-studies/Red Bag/index.md");
    assert!(
        e016[0].message.contains("folder name `Red Bag`"),
        "{}",
        e016[0].message
    );
    assert_eq!(
        e016[0].hint.as_deref(),
        Some("rename the folder to `red-bag`")
    );
}

#[test]
fn a_case_study_with_outcomes_shares_its_own_image_not_a_generated_card() {
    let (_temp, root) = site();
    let page = root.join("content/case-studies/red-bag/index.md");
    let text = std::fs::read_to_string(&page).expect("page");
    let with_outcomes = text.replacen(
        "care_settings: [care-home]\n",
        "care_settings: [care-home]\noutcomes:\n  - {kind: count, metric: hospital-admissions, label: Hospital transfers, value: 12, unit: transfers}\n",
        1,
    );
    std::fs::write(&page, &with_outcomes).expect("write");
    let report = build(&root, "public").expect("builds");
    let html =
        std::fs::read_to_string(root.join("public/case-studies/red-bag/index.html")).expect("page");
    let shared: Vec<&str> = values(&html, "content")
        .into_iter()
        .filter(|v| v.ends_with(".jpg") || v.ends_with(".png"))
        .collect();
    assert!(
        !shared.is_empty() && shared.iter().all(|v| v.ends_with("lead-1200.jpg")),
        "{shared:?}"
    );
    let json_ld_image = html
        .split("\"image\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the JSON-LD has an image");
    assert!(json_ld_image.ends_with("lead-1200.jpg"), "{json_ld_image}");
    assert_eq!(report.share_images_rasterised, 0);
    assert!(!root.join("public/case-studies/red-bag/share.png").exists());

    // Without an image of its own, the same page gets its generated card.
    std::fs::write(
        &page,
        with_outcomes.replace(
            "image: {src: lead.jpg, alt: A red bag on a care home's hall table}\n",
            "",
        ),
    )
    .expect("write");
    let report = build(&root, "public").expect("builds");
    assert_eq!(report.share_images_rasterised, 1);
    let html =
        std::fs::read_to_string(root.join("public/case-studies/red-bag/index.html")).expect("page");
    assert!(html.contains("case-studies/red-bag/share.png\""), "{html}");
    assert!(root.join("public/case-studies/red-bag/share.png").is_file());
}

/// A palette PNG of two colours in stripes, `width` × `height`.
fn palette_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(vec![0x00, 0x5e, 0xb8, 0xf0, 0xf4, 0xf5]);
    let mut writer = encoder.write_header().expect("header");
    let pixels: Vec<u8> = (0..width * height)
        .map(|i| u8::from(((i % width) / 40).is_multiple_of(2)))
        .collect();
    writer.write_image_data(&pixels).expect("pixels");
    writer.finish().expect("finish");
    out
}

#[test]
fn a_graphic_at_its_own_width_is_published_as_it_is_when_that_is_smaller() {
    let (_temp, root) = site();
    let source = palette_png(600, 200);
    std::fs::create_dir_all(root.join("static/images")).expect("static");
    std::fs::write(root.join("static/images/stripes.png"), &source).expect("png");
    let page = root.join("content/case-studies/red-bag/index.md");
    let text = std::fs::read_to_string(&page).expect("page");
    std::fs::write(
        &page,
        format!("{text}\n![Blue stripes](/images/stripes.png)\n"),
    )
    .expect("page");
    build(&root, "public").expect("builds");
    let output = root.join("public");
    let html =
        std::fs::read_to_string(output.join("case-studies/red-bag/index.html")).expect("page");
    let own = values(&html, "srcset")
        .into_iter()
        .flat_map(|set| set.split(", "))
        .map(|candidate| candidate.split(' ').next().expect("address"))
        .find(|address| address.ends_with("stripes-600.png"))
        .expect("the PNG at its own width");
    let published =
        std::fs::read(output.join("case-studies/red-bag").join(own)).expect("published");
    assert_eq!(
        published, source,
        "the palette PNG, not a full-colour copy of it"
    );
    // The narrower copy is still made from the pixels.
    let narrow = image::open(
        output
            .join("case-studies/red-bag")
            .join(own.replace("-600", "-480")),
    )
    .expect("a 480 PNG");
    assert_eq!((narrow.width(), narrow.height()), (480, 160));
}

/// The preview scans images again after every change: a file whose length and modification
/// time are as the last scan saw them is not read again; one whose length changed is.
#[test]
fn scanning_again_reads_only_files_whose_length_or_time_changed() {
    use casebook::images::{Scanned, scan, scan_again};
    let (_temp, root) = site();
    let checked = casebook::check(&root).expect("check");
    let (pages, settings) = (&checked.site.pages, &checked.config.images);
    let page = "content/case-studies/red-bag/index.md";
    let scanned = Scanned::default();
    let (first, problems) = scan_again(&root, pages, settings, &scanned);
    let errors = |problems: &[casebook::diagnostics::Diagnostic]| {
        problems.iter().any(|d| d.code == Code::E017)
    };
    assert!(!errors(&problems), "{problems:?}");
    let seen = format!("{:?}", first.get(page, "photo.jpg").expect("the photo"));

    // Other bytes of the same length, with the old modification time put back.
    let photo = root.join("content/case-studies/red-bag/photo.jpg");
    let before = std::fs::metadata(&photo).expect("photo");
    std::fs::write(&photo, vec![b'x'; before.len() as usize]).expect("overwrite");
    std::fs::File::options()
        .write(true)
        .open(&photo)
        .and_then(|file| file.set_modified(before.modified()?))
        .expect("put the time back");
    let (again, problems) = scan_again(&root, pages, settings, &scanned);
    assert!(!errors(&problems), "read again: {problems:?}");
    assert_eq!(
        format!("{:?}", again.get(page, "photo.jpg").expect("the photo")),
        seen,
        "what the first scan learnt is kept"
    );
    let (_, fresh) = scan(&root, pages, settings);
    assert!(
        errors(&fresh),
        "a scan without the memo reads the file and finds it is no image: {fresh:?}"
    );

    std::fs::write(&photo, b"not a photo").expect("shorter");
    let (_, problems) = scan_again(&root, pages, settings, &scanned);
    assert!(
        errors(&problems),
        "a file of another length is read again: {problems:?}"
    );
}
