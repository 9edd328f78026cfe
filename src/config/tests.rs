use super::*;

#[test]
fn sizes_take_units() {
    assert_eq!(parse_size("8388608"), Some(8_388_608));
    assert_eq!(parse_size("8 MiB"), Some(8 * 1024 * 1024));
    assert_eq!(parse_size("512 KiB"), Some(512 * 1024));
    assert_eq!(parse_size("1.5 kb"), Some(1500));
    assert_eq!(parse_size("lots"), None);
}

#[test]
fn config_defaults_and_errors() {
    let config = parse_config("title: X\nmax_file_size: \"1 KiB\"\n", "casebook.yaml").unwrap();
    assert_eq!(config.title, "X");
    assert_eq!(config.max_file_size, 1024);
    assert_eq!(
        parse_config("max_file_size: 100\n", "c")
            .unwrap()
            .max_file_size,
        100
    );
    let error = parse_config("titel: X\n", "casebook.yaml").unwrap_err();
    assert!(
        error.to_string().contains("unknown field `titel`"),
        "{error}"
    );
    assert!(
        error.to_string().contains("unknown field `titel`"),
        "{error}"
    );
    assert!(
        error.to_string().starts_with("casebook.yaml:1:1"),
        "{error}"
    );
}

#[test]
fn navigation_links_keep_to_safe_schemes() {
    for url in [
        "/about/",
        "about/",
        "#main",
        "?q=falls",
        "https://example.org/a:b",
        "HTTP://example.org/",
        "mailto:team@example.org",
        "tel:+441234567890",
        "/notes/a:b",
    ] {
        assert_eq!(link_problem(url), None, "{url}");
    }
    for url in [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
    ] {
        assert!(link_problem(url).is_some(), "{url}");
    }
    let config = "title: X\nnavigation:\n  - {title: Home, url: /}\n  - {title: Evil, url: \"javascript:alert(1)\"}\n";
    let error = parse_config(config, "casebook.yaml").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("casebook.yaml:4:25: navigation `Evil`"),
        "{error}"
    );
}

#[test]
fn image_settings_have_defaults_and_refuse_what_cannot_work() {
    let config = parse_config("title: X\n", "casebook.yaml").unwrap();
    assert_eq!(config.images.widths, vec![480, 960, 1600]);
    assert_eq!(
        (config.images.quality, config.images.warn_over_kb),
        (80, 1000)
    );
    let config = parse_config(
        "images:\n  widths: [1200, 320, 320]\n  quality: 70\n",
        "casebook.yaml",
    )
    .unwrap();
    assert_eq!(config.images.widths, vec![320, 1200]);
    assert_eq!(config.images.quality, 70);
    assert_eq!(config.images.warn_over_kb, 1000);
    for (bad, says) in [
        ("images:\n  widths: []\n", "at least one width"),
        ("images:\n  widths: [0]\n", "not a width"),
        ("images:\n  quality: 0\n", "not a quality"),
        ("images:\n  size: 3\n", "unknown field `size`"),
    ] {
        let error = parse_config(bad, "casebook.yaml").unwrap_err().to_string();
        assert!(error.contains(says), "{bad}: {error}");
        assert!(error.starts_with("casebook.yaml:"), "{error}");
    }
}

#[test]
fn brand_colours_need_contrast_with_white_text() {
    assert!((contrast_with_white([0, 0x5e, 0xb8]) - 6.38).abs() < 0.01);
    assert!((contrast_with_white([0, 0, 0]) - 21.0).abs() < 1e-9);
    for good in ["#005eb8", "#005EB8", "#003087", "#000", "#767676"] {
        assert_eq!(brand_colour_problem(good), None, "{good}");
    }
    let problem = brand_colour_problem("#41b6e6").unwrap();
    assert!(
        problem.contains("contrast of 2.31:1, below 4.5:1"),
        "{problem}"
    );
    assert!(
        brand_colour_problem("#777777").is_some(),
        "4.48:1 is too low"
    );
    for bad in ["005eb8", "#05eb8", "#00gg00", "blue", "#"] {
        assert!(
            brand_colour_problem(bad).unwrap().contains("hex digits"),
            "{bad}"
        );
    }

    let config = "title: X\nbrand_colour: \"#005EB8\"\nlogo: images/logo.svg\n";
    let config = parse_config(config, "casebook.yaml").unwrap();
    assert_eq!(config.brand_colour.as_deref(), Some("#005eb8"));
    assert_eq!(config.logo.as_deref(), Some("images/logo.svg"));
    let error = parse_config("title: X\nbrand_colour: \"#41b6e6\"\n", "casebook.yaml")
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("casebook.yaml:2:16: brand_colour `#41b6e6`: white text"),
        "{error}"
    );
    let error = parse_config("logo: ../secret.png\n", "c")
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("c:1:7: logo `../secret.png`"), "{error}");
}

#[test]
fn base_urls_are_paths_or_web_addresses() {
    assert_eq!(normalise_base_url("/sl").unwrap(), "/sl/");
    assert_eq!(
        normalise_base_url("https://x.org/sl/").unwrap(),
        "https://x.org/sl/"
    );
    for bad in [
        "javascript:alert(1)//",
        "//evil.example/",
        "x.org",
        "/a b/",
        "/a\n",
    ] {
        assert!(normalise_base_url(bad).is_err(), "{bad}");
    }
    let error = parse_config("base_url: \"javascript:alert(1)//\"\n", "c").unwrap_err();
    assert!(error.to_string().starts_with("c:1:1: base_url"), "{error}");
}

#[test]
fn review_after_is_a_number_of_years_or_months() {
    let config = parse_config("review_after: 18 months\n", "c").unwrap();
    assert_eq!(config.review_after, Interval::parse("18 months"));
    assert_eq!(parse_config("", "c").unwrap().review_after, None);
    let text = "title: X\n# review_after: 3 years\nreview_after: 3 yrs\n";
    let error = parse_config(text, "casebook.yaml").unwrap_err();
    assert_eq!(
        error.to_string(),
        "casebook.yaml:3:1: review_after `3 yrs` is not a period; write a number of years or months, such as \"3 years\" or \"18 months\""
    );
}
