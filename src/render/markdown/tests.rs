use super::*;

fn render(markdown: &str) -> RenderedBody {
    let highlighter = Highlighter::default();
    let published = |path: &str| path != "/case-studies/draft-one/";
    let context = MarkdownContext {
        allow_html: false,
        base_path: "/sub/",
        is_published: &published,
        highlighter: &highlighter,
        pictures: None,
    };
    render_markdown(markdown, &context)
}

/// The links and images the render's parse finds are those the check's own pass finds,
/// at the same places, though the rewrite reads a heading, a code block and a site
/// image's alternative text ahead: every event reaches the observer once, in order. A
/// body image of the site is read on first use, and becomes a `<picture>`.
#[test]
fn the_render_finds_the_links_and_images_the_check_finds() {
    let temp = tempfile::tempdir().expect("temp");
    let root = temp.path();
    std::fs::create_dir_all(root.join("content/pages")).expect("folder");
    std::fs::write(
        root.join("content/pages/chart.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"/>",
    )
    .expect("svg");
    let markdown = "# A [heading link](/programmes/p/) `code`\n\n\
            Text [to a draft](/case-studies/draft-one/#x) and [out](https://x.org/) and \
            [proto](//x.org/a).\n\n![A *chart* of `costs`\nover time](chart.svg \"t\") then \
            ![](missing.png) and ![](rule.svg \"decorative\").\n\n```rust\n[not](/a-link/)\n```\n\n\
            | a | [b](/topics/falls/) |\n|---|---|\n| ![in a table](/x.png) | 1 |\n\n\
            [![nested ![inner](i.png) alt](outer.png)](/outcomes/)\n\n> quote [q](/search/)[^1]\n\n\
            [^1]: A note [n](/about/).\n";
    let body = crate::model::content::Body {
        markdown: markdown.into(),
        first_line: 7,
        let_go: None,
    };
    let crate::parse::BodyFound { links, images } = crate::parse::internal_links(&body);
    assert_eq!(links.len(), 6, "{links:?}");
    assert_eq!(images.len(), 5, "{images:?}");

    let highlighter = Highlighter::default();
    let published = |path: &str| path != "/case-studies/draft-one/";
    let settings = crate::config::ImageSettings::default();
    let (known, scanned) = (
        crate::images::Images::default(),
        crate::images::Scanned::default(),
    );
    let first_use = crate::images::OnFirstUse::new(root, &settings, &known, &scanned);
    let pictures =
        crate::render::picture::Pictures::new(&known, "content/pages/about.md", "about/index.html")
            .reading(Some(&first_use));
    let context = MarkdownContext {
        allow_html: false,
        base_path: "/sub/",
        is_published: &published,
        highlighter: &highlighter,
        pictures: Some(&pictures),
    };
    let (body_html, text, found) = render_markdown_observed(markdown, 7, &context);
    assert_eq!(found.links, links);
    assert_eq!(found.images, images);
    assert_eq!(text, crate::search::text::markdown_text(markdown));
    assert!(
        body_html
            .html
            .contains("alt=\"A chart of costs over time\""),
        "{}",
        body_html.html
    );
    // Each image the checks know of was looked up once, and only those: not the one in
    // another's alternative text. A file that cannot be read is not the render's to
    // report (the scan after it does): it stays an `<img>` of its address.
    assert_eq!(
        first_use.len(),
        5,
        "the images the checks know of were looked up"
    );
    assert!(
        body_html.html.contains("<img src=\"missing.png\""),
        "{}",
        body_html.html
    );
}

/// The search text taken from the render's parse is the one [`markdown_text`] reads on its
/// own, whatever the rewrite does to the events (headings read ahead, code highlighted,
/// raw HTML escaped or kept, links to drafts dropped, images), and the HTML is unchanged.
#[test]
fn the_search_text_of_the_render_is_the_text_of_the_body() {
    let markdown = "# Intro *one*\n\nText [to a draft](/case-studies/draft-one/) and \
            [out](https://x.org/) <b>raw</b>\nsoft.\n\n## Next\n### Deeper `code`\n\n\
            ![A nurse](/images/n.png \"t\") after.\n\n```rust\nlet x = 1;\n```\n\n\
            | a | b |\n|:--|--:|\n| 0 | Cost |\n\n- one\n  - nested\n\n> quote[^1]\n\n\
            [^1]: A note.\n\n<div>block html</div>\n\n---\n\nLast ~~gone~~ words.\n";
    let highlighter = Highlighter::default();
    let published = |path: &str| path != "/case-studies/draft-one/";
    for allow_html in [false, true] {
        let context = MarkdownContext {
            allow_html,
            base_path: "/sub/",
            is_published: &published,
            highlighter: &highlighter,
            pictures: None,
        };
        let (body, text) = render_markdown_with_text(markdown, &context);
        let alone = crate::search::text::markdown_text(markdown);
        assert_eq!(text, alone);
        assert!(alone.text.contains("Deeper code"), "{alone:?}");
        assert!(alone.body.contains("A nurse after"), "{alone:?}");
        let rendered = render_markdown(markdown, &context);
        assert_eq!(body.html, rendered.html);
        assert_eq!(body.toc, rendered.toc);
        assert!(body.has_code);
    }
}

#[test]
fn headings_get_ids_and_a_contents_list() {
    let body = render("# Intro\n\n## Leading change\n\n## Leading change\n\n### Better outcomes\n");
    assert!(
        body.html.contains("<h2 id=\"intro\">Intro</h2>"),
        "{}",
        body.html
    );
    assert!(
        body.html.contains("<h2 id=\"leading-change-1\">"),
        "{}",
        body.html
    );
    assert_eq!(body.toc.len(), 3);
    assert!(body.html.contains("<h3 id=\"better-outcomes\">"));
}

#[test]
fn heading_ids_are_those_of_trying_each_suffix_in_turn() {
    let bases = ["a", "a-2", "a", "a", "a-1", "a", "b", "a-1", "a-3-1", "a"];
    let mut tried_in_turn = std::collections::BTreeSet::new();
    let mut ids = HeadingIds::default();
    for base in bases {
        let mut expected = base.to_owned();
        let mut n = 1;
        while !tried_in_turn.insert(expected.clone()) {
            expected = format!("{base}-{n}");
            n += 1;
        }
        assert_eq!(ids.unique(base.to_owned()), expected, "{base}");
    }
}

#[test]
fn headings_keep_links_code_and_escaping_inside() {
    let body = render("# See [a](/case-studies/a/) `x` <b>\n\n```\n<i>\n```\n");
    assert!(
            body.html.contains(
                "<h2 id=\"see-a-x\">See <a href=\"/sub/case-studies/a/\">a</a> <code>x</code> &lt;b&gt;</h2>"
            ),
            "{}",
            body.html
        );
    assert!(
        body.html
            .contains("<pre class=\"code\"><code>&lt;i&gt;\n</code></pre>"),
        "{}",
        body.html
    );
}

#[test]
fn gfm_footnotes_and_strikethrough_render() {
    let body = render("A claim.[^1] ~~Old~~ new.\n\n[^1]: The source.\n");
    assert!(body.html.contains("<del>Old</del>"), "{}", body.html);
    assert!(body.html.contains("footnote-definition"), "{}", body.html);
    assert!(body.html.contains("href=\"#1\""), "{}", body.html);
}

#[test]
fn heading_ids_never_take_the_theme_section_prefix() {
    let body = render("## Section outcomes\n");
    assert!(
        body.html.contains("id=\"heading-section-outcomes\""),
        "{}",
        body.html
    );
}

#[test]
fn script_schemes_are_found_in_any_case() {
    let body = render(
        "[a](JavaScript:alert(1)) [b](VBSCRIPT:x) [c](Data:text/html,x) [d](https://data.example/)\n",
    );
    let lower = body.html.to_ascii_lowercase();
    for scheme in ["javascript:", "vbscript:", "data:text"] {
        assert!(!lower.contains(scheme), "{}", body.html);
    }
    assert!(
        body.html.contains("href=\"https://data.example/\""),
        "{}",
        body.html
    );
}

#[test]
fn raw_html_and_script_links_are_inert() {
    let body = render(
        "<script>alert(1)</script>\n\nHi <b>x</b> [bad](javascript:alert(1)) [ok](/case-studies/a/)\n",
    );
    assert!(!body.html.contains("<script>"), "{}", body.html);
    assert!(body.html.contains("&lt;script&gt;"));
    assert!(!body.html.contains("javascript:"), "{}", body.html);
    assert!(
        body.html.contains("href=\"/sub/case-studies/a/\""),
        "{}",
        body.html
    );
}

#[test]
fn links_to_unpublished_pages_become_text() {
    let body = render("See [the draft](/case-studies/draft-one/).\n");
    assert!(!body.html.contains("<a"), "{}", body.html);
    assert!(body.html.contains("the draft"));
}

#[test]
fn tables_scroll_and_align_without_inline_styles() {
    let body = render("| a | b |\n|---|--:|\n| 1 | 2 |\n\n| c |\n|:-:|\n| 3 |\n");
    assert!(!body.html.contains("style="), "{}", body.html);
    assert!(body.html.contains("class=\"align-right\""), "{}", body.html);
    assert!(
        body.html.contains("aria-label=\"Table 2\""),
        "{}",
        body.html
    );
    assert_eq!(
        body.html.matches("aria-label=\"Table 1\"><table>").count(),
        1
    );
    assert_eq!(body.html.matches("</table>\n</div>").count(), 2);
}

/// Aligned cells get a class where pulldown-cmark writes a style, head and body, column by
/// column; a column without alignment, and a table without any, are written as it writes them.
#[test]
fn aligned_cells_are_written_with_classes() {
    let body = render(
        "| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 | 5 |\n| 6 |\n\n| e |\n|---|\n| 7 |\n",
    );
    let table = "<table><thead><tr><th class=\"align-left\">a</th><th class=\"align-center\">b</th>\
        <th class=\"align-right\">c</th><th>d</th></tr></thead><tbody>\n\
        <tr><td class=\"align-left\">1</td><td class=\"align-center\">2</td>\
        <td class=\"align-right\">3</td><td>4</td></tr>\n\
        <tr><td class=\"align-left\">6</td><td class=\"align-center\"></td>\
        <td class=\"align-right\"></td><td></td></tr>\n</tbody></table>\n";
    assert!(body.html.contains(table), "{}", body.html);
    let plain =
        "<table><thead><tr><th>e</th></tr></thead><tbody>\n<tr><td>7</td></tr>\n</tbody></table>";
    assert!(body.html.contains(plain), "{}", body.html);
}

/// A block seen again, on this page or another, is highlighted once and written the same.
#[test]
fn a_code_block_is_highlighted_once_a_render() {
    let highlighter = Highlighter::default();
    let published = |_: &str| true;
    let context = MarkdownContext {
        allow_html: false,
        base_path: "/",
        is_published: &published,
        highlighter: &highlighter,
        pictures: None,
    };
    let sql = "```sql\nSELECT 1;\n```\n";
    let first = render_markdown(&format!("{sql}\n{sql}"), &context);
    let again = render_markdown(sql, &context);
    let yaml = render_markdown("```yaml\nSELECT 1;\n```\n", &context);
    assert_eq!(highlighter.done().len(), 2);
    let block = again.html.trim_end();
    assert!(block.contains("class=\"hl-"), "{block}");
    assert_eq!(first.html.matches(block).count(), 2, "{}", first.html);
    assert_ne!(yaml.html, again.html);
    // The fresh highlighter of another render writes it as the shared one did.
    assert_eq!(render(sql).html, again.html);
}

/// A caching highlighter stores each block it highlights, and takes a block from the cache
/// rather than highlight it again (the entry planted here is what comes out).
#[test]
fn highlighted_code_is_kept_in_the_cache_and_taken_from_it() {
    let temp = tempfile::tempdir().expect("temp");
    let code = "SELECT 1;\n";
    let first = Highlighter::caching(Cache::at(temp.path().to_path_buf()));
    let html = first.highlight(code, "sql");
    assert!(html.contains("class=\"hl-"), "{html}");
    assert_eq!(first.cache.as_ref().map(Cache::written), Some(1));
    let stored = Cache::at(temp.path().to_path_buf()).get(&highlight_key("sql", code));
    assert_eq!(stored.as_deref(), Some(html.as_bytes()));

    let planted = Cache::at(temp.path().to_path_buf());
    planted.put(&highlight_key("sql", "SELECT 2;\n"), b"<b>cached</b>");
    let later = Highlighter::caching(Cache::at(temp.path().to_path_buf()));
    assert_eq!(&*later.highlight("SELECT 2;\n", "sql"), "<b>cached</b>");
    assert_eq!(later.highlight(code, "sql"), html);
    assert_eq!(later.cache.as_ref().map(Cache::written), Some(0));
}

/// The key names the language, the code and the crates that highlight.
#[test]
fn the_highlight_key_covers_language_code_and_crates() {
    let key = highlight_key("sql", "SELECT 1;\n");
    assert_eq!(key, highlight_key("sql", "SELECT 1;\n"));
    assert_ne!(key, highlight_key("yaml", "SELECT 1;\n"));
    assert_ne!(key, highlight_key("sql", "SELECT 2;\n"));
    let lock = "[[package]]\nname = \"syntect\"\nversion = \"5.2.0\"\n\n[[package]]\nname = \"syntect-other\"\nversion = \"1.0.0\"\n";
    let entries = lock_entries(lock, &["syntect"]);
    assert!(entries.contains("5.2.0"), "{entries}");
    assert!(!entries.contains("1.0.0"), "{entries}");
    let real = lock_entries(
        include_str!("../../../Cargo.lock"),
        &["syntect", "fancy-regex"],
    );
    assert!(real.contains("name = \"syntect\""), "{real}");
    assert!(real.contains("name = \"fancy-regex\""), "{real}");
}

#[test]
fn code_is_highlighted_with_classes() {
    let body = render("```sql\nSELECT 1;\n```\n");
    assert!(body.has_code);
    assert!(body.html.contains("class=\"hl-"), "{}", body.html);
}
