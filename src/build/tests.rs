use super::*;

/// A build reads each body again as its page renders and takes the search text from the
/// same parse, sending it to the index a part at a time: with several parts, it must
/// write what a render and an index of the site with its bodies make.
#[test]
fn a_build_without_bodies_writes_what_the_site_with_bodies_renders() {
    let temp = tempfile::tempdir().expect("temp");
    let root = temp.path();
    std::fs::write(
        root.join("casebook.yaml"),
        "title: Parts\nbase_url: https://example.org/\nlanguage: en-GB\n",
    )
    .expect("config");
    let pages = root.join("content/pages");
    std::fs::create_dir_all(&pages).expect("pages");
    // More pages than two parts, each with its own words, headings, a table and code, so
    // that a text sent out of order or to the wrong page would show in the index.
    let count = search::CHUNK * 2 + 7;
    for i in 0..count {
        std::fs::write(
                pages.join(format!("page-{i:04}.md")),
                format!(
                    "---\ntitle: Page {i}\nsummary: Summary {i}.\npublished: 2024-01-02\n---\n\n## Heading word{i}\n\nBody \
                     text number{i} with [a link](/page-{next:04}/) and `code{i}`.\n\n| a | b |\n\
                     |---|---|\n| cell{i} | {i} |\n\n```rust\nlet x{i} = {i};\n```\n",
                    next = (i + 1) % count
                ),
            )
            .expect("page");
    }
    let out = root.join("public");
    let options = BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.clone()),
        ..BuildOptions::default()
    };
    build(&options, &|_| {}).expect("build");

    let checked = check(root).expect("check");
    let theme = theme::load_theme(root, &checked.config.theme).expect("theme");
    let share = render::ShareImages::new(cache::Cache::disabled());
    let rendered =
        render::render_site(&checked.site, &checked.config, &theme, &share).expect("render");
    let index = search::build_index(&checked.site, &checked.config);
    assert!(index.len() > 3, "an index of several files");
    let mut compared = 0;
    for file in rendered.iter().chain(&index) {
        let written = std::fs::read(out.join(&file.path)).expect("written file");
        assert!(written == file.contents, "{} differs", file.path);
        compared += 1;
    }
    assert!(compared > count * 2, "{compared} files compared");
}

/// A small site whose bodies link, show images and leave one without alternative text:
/// `marker` is in every body, for counting who parsed it.
fn bodies_site(root: &Path, marker: &str, config: &str) {
    std::fs::write(
        root.join("casebook.yaml"),
        format!("title: Once\nbase_url: https://example.org/\nlanguage: en-GB\n{config}"),
    )
    .expect("config");
    let pages = root.join("content/pages");
    std::fs::create_dir_all(&pages).expect("pages");
    let mut photo = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut photo)
        .encode_image(&image::RgbImage::from_fn(600, 300, |x, y| {
            image::Rgb([x as u8, y as u8, 90])
        }))
        .expect("jpeg");
    std::fs::write(pages.join("photo.jpg"), &photo).expect("photo");
    let page = |name: &str, front: &str, body: &str| {
        std::fs::write(
            pages.join(format!("{name}.md")),
            format!(
                "---\ntitle: {name}\nsummary: About {name}.\npublished: 2024-01-02\n{front}---\n\n\
                     Intro {marker} {name}.\n\n{body}\n"
            ),
        )
        .expect("page");
    };
    page(
        "about",
        "",
        "See [the plan](/plans-draft/), [us](/team-page/) and ![Our team](photo.jpg).",
    );
    page("team-page", "", "![A photo of the team](photo.jpg)");
    page(
        "plans-draft",
        "draft: true\n",
        "Draft [link](/nowhere-yet/) and ![](photo.jpg).",
    );
}

/// A build parses each body once: the bodies it publishes in the render alone (the check
/// parses only the draft it leaves out), and it still reports what `casebook check`
/// reports of them, the draft's problems and the link to the draft included.
#[test]
fn a_build_parses_each_body_once_and_warns_as_check_does() {
    let temp = tempfile::tempdir().expect("temp");
    let root = temp.path();
    let marker = format!("{}once-warns", parse::parses::MARK);
    // Warnings only: broken links warn, and every image is over the size limit (W109).
    bodies_site(
        root,
        &marker,
        "link_check: warn\nimages: {warn_over_kb: 1}\n",
    );
    std::fs::write(
        root.join("content/pages/plans-draft.md"),
        format!(
            "---\ntitle: Plans\nsummary: Plans.\npublished: 2024-01-02\ndraft: true\n---\n\n\
                 {marker} [link](/nowhere-yet/) and ![Plans](photo.jpg).\n"
        ),
    )
    .expect("draft");
    let options = BuildOptions {
        root: root.to_path_buf(),
        output: Some(root.join("public")),
        ..BuildOptions::default()
    };
    let report = build(&options, &|_| {}).expect("a build with warnings only");
    assert_eq!(
        parse::parses::parsed("check", &marker).len(),
        1,
        "the draft only"
    );
    let rendered = parse::parses::parsed("render", &marker);
    assert_eq!(rendered.len(), 2, "each published body once");
    assert!(rendered.iter().all(|body| !body.contains("plans-draft.")));

    let checked = check(root).expect("check");
    let codes: Vec<_> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            diagnostics::Code::W103,
            diagnostics::Code::W109,
            diagnostics::Code::E010
        ],
        "{:#?}",
        checked.diagnostics
    );
    assert_eq!(report.checked.diagnostics, checked.diagnostics);
    assert!(
        report
            .checked
            .source_text("content/pages/about.md")
            .is_some(),
        "the file a warning the render found names is there to show"
    );
    // The photo both published pages show is made once, and shown as a picture.
    assert_eq!(report.images.images, 1);
    let about = std::fs::read_to_string(root.join("public/about/index.html")).expect("page");
    assert!(about.contains("<picture>"), "{about}");
}

/// Errors in the bodies a build renders stop it as the check's did: the same
/// diagnostics as `casebook check`, nothing written, the previous output untouched and no
/// staging folder left. With an error the render does not see (in front matter), the
/// build reports the bodies' problems too.
#[test]
fn a_build_with_errors_in_bodies_reports_what_check_reports_and_writes_nothing() {
    let temp = tempfile::tempdir().expect("temp");
    let root = temp.path();
    let marker = format!("{}once-errors", parse::parses::MARK);
    bodies_site(root, &marker, "");
    let output = root.join("public");
    std::fs::write(
        root.join("content/pages/about.md"),
        format!(
            "---\ntitle: About\nsummary: About us.\npublished: 2024-01-02\n---\n\nFine {marker}.\n"
        ),
    )
    .expect("page");
    std::fs::write(
        root.join("content/pages/plans-draft.md"),
        "---\ntitle: Plans\nsummary: Plans.\npublished: 2024-01-02\ndraft: true\n---\n\nLater.\n",
    )
    .expect("draft");
    let options = BuildOptions {
        root: root.to_path_buf(),
        output: Some(output.clone()),
        ..BuildOptions::default()
    };
    build(&options, &|_| {}).expect("a first build");
    let before = std::fs::read(output.join("about/index.html")).expect("built");
    let listing = |folder: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .expect("folder")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    };
    let built = listing(&output);

    bodies_site(root, &marker, "");
    std::fs::write(
        root.join("content/pages/gone.md"),
        format!(
            "---\ntitle: Gone\nsummary: Gone.\npublished: 2024-01-02\n---\n\n{marker} \
                 [a](/case-studies/none/) ![](missing.png) ![](photo.jpg)\n"
        ),
    )
    .expect("page");
    let stopped = |options: &BuildOptions| match build(options, &|_| {}) {
        Err(BuildError::Content(checked)) => checked.diagnostics,
        Err(BuildError::Other(error)) => panic!("{error}"),
        Ok(_) => panic!("a build with errors succeeded"),
    };
    let found = stopped(&options);
    let checked = check(root).expect("check");
    let codes: Vec<_> = found.iter().map(|d| (d.file.as_str(), d.code)).collect();
    assert_eq!(
        codes,
        [
            ("content/pages/about.md", diagnostics::Code::W103),
            ("content/pages/gone.md", diagnostics::Code::E010),
            ("content/pages/gone.md", diagnostics::Code::E017),
            ("content/pages/gone.md", diagnostics::Code::E018),
            ("content/pages/gone.md", diagnostics::Code::E018),
            ("content/pages/plans-draft.md", diagnostics::Code::E010),
            ("content/pages/plans-draft.md", diagnostics::Code::E018),
        ],
        "{found:#?}"
    );
    assert_eq!(found, checked.diagnostics);
    assert_eq!(
        std::fs::read(output.join("about/index.html")).expect("still there"),
        before
    );
    assert_eq!(listing(&output), built, "the output changed");
    let left: Vec<String> = listing(root)
        .into_iter()
        .filter(|name| name.contains("casebook-") && !name.ends_with("-lock"))
        .collect();
    assert!(left.is_empty(), "staging folders left: {left:?}");

    // An error in front matter stops the build before the render: the bodies' problems
    // are found by checking them as `check` does, and reported with it.
    std::fs::write(
        root.join("content/pages/broken.md"),
        "---\ntitle: [unclosed\n---\n\nText.\n",
    )
    .expect("broken");
    // A page with the slug of `gone.md` and a path that sorts first: `gone.md` is left
    // out of the site (E009), its links unchecked, but the alt text of its images is.
    std::fs::write(
            root.join("content/pages/dup.md"),
            format!(
                "---\ntitle: Dup\nsummary: Dup.\npublished: 2024-01-02\nslug: gone\n---\n\n{marker} ![](photo.jpg)\n"
            ),
        )
        .expect("duplicate");
    let found = stopped(&options);
    let checked = check(root).expect("check");
    assert_eq!(found, checked.diagnostics);
    assert!(found.iter().any(|d| d.file == "content/pages/broken.md"));
    let in_gone: Vec<_> = found
        .iter()
        .filter(|d| d.file == "content/pages/gone.md")
        .map(|d| d.code)
        .collect();
    assert_eq!(
        in_gone,
        [
            diagnostics::Code::E009,
            diagnostics::Code::E018,
            diagnostics::Code::E018
        ]
    );
    assert!(
        found
            .iter()
            .any(|d| d.file == "content/pages/dup.md" && d.code == diagnostics::Code::E018)
    );
    assert!(found.iter().any(|d| d.file == "content/pages/about.md"));
    assert_eq!(listing(&output), built, "the output changed");
}

/// A body edited between the check and its page's render was never checked (its links,
/// its images): the build stops and says to build again rather than publish it.
#[test]
fn a_body_changed_since_the_check_stops_the_build() {
    let temp = tempfile::tempdir().expect("temp");
    let root = temp.path();
    std::fs::write(
        root.join("casebook.yaml"),
        "title: Edits\nbase_url: https://example.org/\nlanguage: en-GB\n",
    )
    .expect("config");
    std::fs::create_dir_all(root.join("content/pages")).expect("pages");
    let file = root.join("content/pages/about.md");
    let front = "---\ntitle: About\nsummary: About us.\npublished: 2024-01-02\n---\n";
    std::fs::write(&file, format!("{front}\nChecked text.\n")).expect("page");
    let options = CheckOptions {
        bodies: false,
        ..CheckOptions::default()
    };
    let checked = check_with(root, &options).expect("check");
    let page = &checked.site.pages[0];
    assert!(page.body.markdown.is_empty(), "the check let the body go");
    let max = checked.config.max_file_size;
    assert_eq!(
        read_body(root, max, page).expect("unchanged"),
        "\nChecked text.\n"
    );

    std::fs::write(&file, format!("{front}\nSee [a page](/nowhere/).\n")).expect("edit");
    let error = read_body(root, max, page).expect_err("a changed body stops the build");
    assert!(
        error
            .to_string()
            .contains("changed while the site was building"),
        "{error}"
    );
    // Only the body counts: the front matter was read at the check.
    std::fs::write(&file, "---\ntitle: Renamed\n---\n\nChecked text.\n").expect("edit");
    assert!(read_body(root, max, page).is_ok());
}
