//! `casebook serve`: incremental rebuilds equal full builds (through the library), and the
//! real binary on a free port: changes, adds, deletes and renames reach the pages and the
//! live-reload stream, a broken file keeps the last good site with the overlay, traversal
//! attempts get 404, and a flood of requests with many open event streams all succeed.
//! Hostile clients: slow and idle sockets delay nobody, a late request head is cut off,
//! foreign `Host`s and control characters are refused, bare-LF heads are answered at once.
//! Every wait is bounded. It is long because each of these is an independent scenario with
//! its own site, server and bounded waits; the helpers they share sit at the top.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use casebook::serve::{Changes, Drafts, Workspace};

use crate::harness::copy_example;

const CASE: &str = "content/case-studies/stockton-leadership-and-peer-support-network.md";
const CASE_URL: &str = "/case-studies/stockton-leadership-and-peer-support-network/";
const WAIT: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------- incremental = full build

const BASE_URL: &str = "http://127.0.0.1:1/";

/// The files a full `casebook build --drafts` of `root` writes.
fn full_build(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let output = root.parent().unwrap().join("full-build");
    let options = casebook::BuildOptions {
        root: root.to_path_buf(),
        output: Some(output.clone()),
        base_url: Some(BASE_URL.into()),
        drafts: true,
    };
    casebook::build(&options, &|_| {}).expect("the full build succeeds");
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&output) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let path = casebook::load::relative_path(&output, entry.path());
            files.insert(path, std::fs::read(entry.path()).unwrap());
        }
    }
    std::fs::remove_dir_all(&output).unwrap();
    files
}

/// What the workspace serves, as one map, each file read from the form it is kept in (a
/// rendered file or a search file wins over a static one).
fn served(workspace: &Workspace) -> BTreeMap<String, Vec<u8>> {
    let (rendered, statics) = workspace.files();
    let search = workspace.search_files();
    let mut files = BTreeMap::new();
    for (path, packed) in statics
        .iter()
        .chain(search.iter())
        .chain(rendered.to_map().iter())
    {
        let bytes = packed
            .unpack()
            .expect("a file the preview keeps reads back");
        assert_eq!(bytes.len(), packed.len(), "{path}");
        files.insert(path.clone(), bytes.into_owned());
    }
    files
}

fn assert_same(workspace: &Workspace, root: &Path, step: &str) {
    assert!(
        !workspace.has_errors(),
        "{step}: {:?} {:?}",
        workspace.diagnostics(),
        workspace.problems()
    );
    let incremental = served(workspace);
    let full = full_build(root);
    let only_incremental: Vec<&String> = incremental
        .keys()
        .filter(|p| !full.contains_key(*p))
        .collect();
    let only_full: Vec<&String> = full
        .keys()
        .filter(|p| !incremental.contains_key(*p))
        .collect();
    assert!(
        only_incremental.is_empty() && only_full.is_empty(),
        "{step}: only in the incremental rebuild: {only_incremental:?}; only in the full build: {only_full:?}"
    );
    let differing: Vec<&String> = full
        .iter()
        .filter(|(path, bytes)| incremental.get(*path) != Some(*bytes))
        .map(|(path, _)| path)
        .collect();
    assert!(
        differing.is_empty(),
        "{step}: files differ from a full build: {differing:?}"
    );
}

fn edit(root: &Path, file: &str, change: impl FnOnce(String) -> String) -> Changes {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, change(text)).unwrap();
    content_change(&[file])
}

fn content_change(files: &[&str]) -> Changes {
    let mut changes = Changes::default();
    changes
        .content
        .extend(files.iter().map(|f| (*f).to_owned()));
    changes
}

#[test]
fn a_bundle_photo_replaced_or_removed_re_renders_its_page_as_a_full_build_would() {
    use crate::images::{FRONT, jpeg};
    const BUNDLE: &str = "content/case-studies/red-bag";
    let (_temp, root) = copy_example();
    write_file(
        &root,
        &format!("{BUNDLE}/index.md"),
        &format!("{FRONT}\n![A red bag with a care plan inside](photo.jpg)\n"),
    );
    let photo = root.join(BUNDLE).join("photo.jpg");
    std::fs::write(&photo, jpeg(700, 400)).unwrap();
    std::fs::write(root.join(BUNDLE).join("lead.jpg"), jpeg(1300, 800)).unwrap();
    let mut workspace =
        Workspace::open_with_base_url(&root, Drafts::Shown, Some(BASE_URL)).unwrap();
    assert_same(&workspace, &root, "first build");
    let images = |workspace: &Workspace| -> Vec<String> {
        served(workspace)
            .into_keys()
            .filter(|path| path.starts_with("images/"))
            .collect()
    };
    let before = images(&workspace);
    assert!(!before.is_empty());

    std::fs::write(&photo, jpeg(900, 500)).unwrap();
    let photo_changed = Changes {
        images: true,
        ..Changes::default()
    };
    let update = workspace.apply(&photo_changed);
    assert!(!update.full, "a photo renders only the pages showing it");
    assert!(
        update
            .changed
            .contains(&"case-studies/red-bag/index.html".to_owned())
    );
    assert_same(&workspace, &root, "photo replaced");
    let after = images(&workspace);
    assert!(
        before.iter().any(|path| !after.contains(path)),
        "old files dropped"
    );

    std::fs::remove_file(&photo).unwrap();
    workspace.apply(&photo_changed);
    assert!(workspace.has_errors());
    assert!(
        workspace
            .diagnostics()
            .iter()
            .any(|d| d.code == casebook::diagnostics::Code::E017
                && d.file == format!("{BUNDLE}/index.md")),
        "{:?}",
        workspace.diagnostics()
    );
    assert_eq!(images(&workspace), after, "the last good files stay");

    std::fs::write(&photo, jpeg(800, 450)).unwrap();
    workspace.apply(&photo_changed);
    assert_same(&workspace, &root, "photo back");
}

/// The paths of the rendered files `workspace` reads from the cache rather than holds.
fn read_from_the_cache(workspace: &Workspace) -> Vec<String> {
    let (rendered, _) = workspace.files();
    rendered
        .to_map()
        .into_iter()
        .filter(|(_, packed)| packed.is_cached())
        .map(|(path, _)| path)
        .collect()
}

/// The example with a bundle whose photo is resized (the `images` namespace of the cache)
/// beside the share images of its pages (the `share` namespace).
fn example_with_a_photo() -> (tempfile::TempDir, PathBuf) {
    use crate::images::{FRONT, jpeg};
    let (temp, root) = copy_example();
    write_file(
        &root,
        "content/case-studies/red-bag/index.md",
        &format!("{FRONT}\n![A red bag with a care plan inside](photo.jpg)\n"),
    );
    let bundle = root.join("content/case-studies/red-bag");
    std::fs::write(bundle.join("photo.jpg"), jpeg(700, 400)).unwrap();
    std::fs::write(bundle.join("lead.jpg"), jpeg(1300, 800)).unwrap();
    (temp, root)
}

#[test]
fn images_are_read_from_the_cache_and_made_again_when_it_goes() {
    let (_temp, root) = example_with_a_photo();
    let mut workspace =
        Workspace::open_with_base_url(&root, Drafts::Shown, Some(BASE_URL)).unwrap();
    assert!(!workspace.has_errors(), "{:?}", workspace.diagnostics());
    let cached = read_from_the_cache(&workspace);
    let (rendered, _) = workspace.files();
    let images: Vec<String> = rendered
        .to_map()
        .into_keys()
        // A page's share image, or an image resized into `images/<hash>/` (not the theme's
        // own `images/share.png`).
        .filter(|path| {
            path.ends_with("/share.png") && !path.starts_with("images/")
                || path.starts_with("images/") && path.matches('/').count() == 2
        })
        .collect();
    assert!(images.iter().any(|path| path.ends_with("/share.png")));
    assert!(images.iter().any(|path| path.starts_with("images/")));
    assert_eq!(
        cached, images,
        "every share image and resized image, nothing else"
    );
    assert_same(&workspace, &root, "read from the cache");

    std::fs::remove_dir_all(root.join(".casebook/cache")).unwrap();
    let (rendered, _) = workspace.files();
    for path in &cached {
        assert_eq!(
            rendered.get(path).unwrap().unpack(),
            Err(casebook::serve::files::Unreadable::Lost),
            "{path}"
        );
    }
    let update = workspace.apply(&Changes {
        lost: true,
        ..Changes::default()
    });
    assert!(update.full, "everything is rendered again");
    assert_eq!(read_from_the_cache(&workspace), cached);
    assert_same(&workspace, &root, "made again");
}

#[test]
fn images_are_held_in_memory_when_the_cache_cannot_be_written() {
    let (_temp, root) = example_with_a_photo();
    // A file where the cache's folder would be: nothing can be stored.
    std::fs::create_dir_all(root.join(".casebook")).unwrap();
    std::fs::write(root.join(".casebook/cache"), "not a folder").unwrap();
    let workspace = Workspace::open_with_base_url(&root, Drafts::Shown, Some(BASE_URL)).unwrap();
    assert!(!workspace.has_errors(), "{:?}", workspace.diagnostics());
    assert_eq!(read_from_the_cache(&workspace), Vec::<String>::new());
    let (rendered, _) = workspace.files();
    assert!(
        rendered
            .to_map()
            .keys()
            .any(|path| path.ends_with("/share.png"))
    );
    assert_same(&workspace, &root, "held in memory");
}

#[test]
fn a_menu_page_change_re_renders_every_page() {
    let (_temp, root) = copy_example();
    std::fs::write(
        root.join("content/pages/unlisted.md"),
        "---\ntitle: Unlisted\nsummary: In no menu.\npublished: 2025-01-01\n---\n\nText.\n",
    )
    .unwrap();
    let mut workspace =
        Workspace::open_with_base_url(&root, Drafts::Shown, Some(BASE_URL)).unwrap();
    assert_same(&workspace, &root, "first build");

    // The about page is in the header menu, on every page.
    let update = workspace.apply(&edit(&root, "content/pages/about.md", |t| {
        t.replacen("title: About this site", "title: About us", 1)
    }));
    assert!(update.full, "a header page retitled re-renders every page");
    assert_same(&workspace, &root, "header page retitled");

    // The accessibility statement is in the footer, even with no `menu:`.
    let update = workspace.apply(&edit(&root, "content/pages/accessibility.md", |t| {
        t.replacen("menu: footer\n", "", 1)
    }));
    assert!(update.full, "the statement changed re-renders every page");
    assert_same(&workspace, &root, "statement changed");

    let update = workspace.apply(&edit(&root, "content/pages/unlisted.md", |t| {
        t + "More text.\n"
    }));
    assert!(
        !update.full,
        "a page in no menu renders only what it affects"
    );
    assert!(update.rendered < 10, "rendered {} files", update.rendered);
    assert_same(&workspace, &root, "unlisted page edited");

    // Put in a menu, it is on every page.
    let update = workspace.apply(&edit(&root, "content/pages/unlisted.md", |t| {
        t.replacen(
            "published: 2025-01-01\n",
            "published: 2025-01-01\nmenu: footer\n",
            1,
        )
    }));
    assert!(update.full);
    assert_same(&workspace, &root, "unlisted page put in the footer");
}

/// Adds `count` case studies (copies of one of the example's) so that lists paginate.
fn add_case_studies(root: &Path, numbers: std::ops::Range<usize>) {
    let text = std::fs::read_to_string(root.join(CASE)).unwrap();
    for n in numbers {
        let copy = text
            .replacen(
                "title: A leadership",
                &format!("title: Copy {n:02} of a leadership"),
                1,
            )
            .replacen(
                "published: 2025-01-20",
                &format!("published: 2024-{:02}-{:02}", 1 + n % 12, 1 + n % 28),
                1,
            );
        std::fs::write(
            root.join(format!("content/case-studies/copy-{n:02}.md")),
            copy,
        )
        .unwrap();
    }
}

#[test]
fn incremental_rebuilds_equal_a_full_build() {
    let (_temp, root) = copy_example();
    add_case_studies(&root, 0..30);
    let mut workspace =
        Workspace::open_with_base_url(&root, Drafts::Shown, Some(BASE_URL)).unwrap();
    assert_same(&workspace, &root, "first build");

    let update = workspace.apply(&edit(&root, CASE, |t| t + "\n\nA new closing paragraph.\n"));
    assert!(!update.full, "a body edit renders only what it affects");
    // Only the page itself (and its share image) shows its body: no list, no home page, no
    // feed, no sitemap.
    assert!(
        update.rendered <= 2,
        "a body edit rendered {} files",
        update.rendered
    );
    assert_same(&workspace, &root, "body edited");

    // The summary shows on the cards of the home page, the lists and the feed: they must
    // follow it although the body is as it was.
    let home_before = served(&workspace)["index.html"].clone();
    workspace.apply(&edit(&root, CASE, |t| {
        t.replacen("summary: >-\n", "summary: >-\n  Changed summary.\n", 1)
    }));
    assert_same(&workspace, &root, "summary edited");
    assert_ne!(
        served(&workspace)["index.html"],
        home_before,
        "the home page shows the new summary"
    );

    workspace.apply(&edit(&root, CASE, |t| {
        t.replacen("title: A leadership", "title: Renamed, a leadership", 1)
    }));
    assert_same(&workspace, &root, "title edited");

    workspace.apply(&edit(&root, "content/case-studies/copy-03.md", |t| {
        t.replacen("published: 2024-04-04", "published: 2026-01-01", 1)
    }));
    assert_same(&workspace, &root, "date edited: lists reorder");

    workspace.apply(&edit(&root, "content/case-studies/copy-05.md", |t| {
        t.replacen("topics:\n", "topics:\n  - A brand new topic\n", 1)
    }));
    assert_same(&workspace, &root, "topic added");

    // The copies name Stockton's related case study; without `related:`, copy-05 and copy-20
    // get theirs chosen by shared terms.
    let handwritten = "related:\n  - southampton-care-home-manager-leadership-programme\n";
    for copy in ["copy-05", "copy-20"] {
        workspace.apply(&edit(
            &root,
            &format!("content/case-studies/{copy}.md"),
            |t| t.replacen(handwritten, "", 1),
        ));
        assert_same(
            &workspace,
            &root,
            "related: removed, related chosen by terms",
        );
    }
    // copy-20 takes copy-05's new topic, the rarest term of both: copy-05 now lists it first,
    // and every case study sharing a term with copy-20 weighs it afresh.
    workspace.apply(&edit(&root, "content/case-studies/copy-20.md", |t| {
        t.replacen("topics:\n", "topics:\n  - A brand new topic\n", 1)
    }));
    assert_same(
        &workspace,
        &root,
        "a rare topic shared: related lists change",
    );
    let related_section = |slug: &str| {
        let files = served(&workspace);
        let page =
            String::from_utf8(files[&format!("case-studies/{slug}/index.html")].clone()).unwrap();
        let start = page
            .find("id=\"section-related\"")
            .expect("a related section");
        page[start..].split("</section>").next().unwrap().to_owned()
    };
    let listed = related_section("copy-05");
    let first_card = listed.split("href=\"").nth(1).expect("a card");
    assert!(
        first_card.starts_with("../../case-studies/copy-20/"),
        "copy-05 lists copy-20 first: {listed}"
    );
    workspace.apply(&edit(&root, "content/case-studies/copy-20.md", |t| {
        t.replacen("  - leadership\n", "", 1)
    }));
    assert_same(&workspace, &root, "a topic removed: related lists change");

    // Only copy-12 names copy-13: retitling copy-13 must reach copy-12's related cards.
    workspace.apply(&edit(&root, "content/case-studies/copy-12.md", |t| {
        t.replacen("related:\n", "related:\n  - copy-13\n", 1)
    }));
    assert_same(&workspace, &root, "related added");
    workspace.apply(&edit(&root, "content/case-studies/copy-13.md", |t| {
        t.replacen("title: Copy 13", "title: Retitled copy 13", 1)
    }));
    assert_same(&workspace, &root, "a page named by one other page retitled");

    let organisation = "content/organisations/stockton-on-tees-borough-council.md";
    workspace.apply(&edit(&root, organisation, |t| {
        t.replacen("name: ", "name: The ", 1)
    }));
    assert_same(&workspace, &root, "organisation renamed");

    add_case_studies(&root, 30..32);
    let added: Vec<String> = (30..32)
        .map(|n| format!("content/case-studies/copy-{n:02}.md"))
        .collect();
    let added: Vec<&str> = added.iter().map(String::as_str).collect();
    workspace.apply(&content_change(&added));
    assert_same(&workspace, &root, "files added: a list page more");

    std::fs::remove_file(root.join("content/case-studies/copy-07.md")).unwrap();
    std::fs::remove_file(root.join("content/case-studies/copy-31.md")).unwrap();
    workspace.apply(&content_change(&[
        "content/case-studies/copy-07.md",
        "content/case-studies/copy-31.md",
    ]));
    assert_same(&workspace, &root, "files deleted");

    std::fs::rename(
        root.join("content/case-studies/copy-08.md"),
        root.join("content/case-studies/renamed-copy.md"),
    )
    .unwrap();
    workspace.apply(&content_change(&[
        "content/case-studies/copy-08.md",
        "content/case-studies/renamed-copy.md",
    ]));
    assert_same(&workspace, &root, "file renamed");

    let module = "content/modules/well-led-managing-self.md";
    workspace.apply(&edit(&root, module, |t| {
        t.replacen("title: ", "title: Retitled ", 1)
    }));
    assert_same(&workspace, &root, "module retitled: its neighbours change");

    // A broken file keeps the last good files; fixing it catches up with everything since.
    let before = served(&workspace);
    let good = std::fs::read_to_string(root.join(CASE)).unwrap();
    workspace.apply(&edit(&root, CASE, |t| {
        t.replacen("published: 2025-01-20", "published: 2025-02-31", 1)
    }));
    assert!(workspace.has_errors());
    assert!(served(&workspace) == before, "the last good files stay");
    workspace.apply(&edit(&root, "content/case-studies/copy-09.md", |t| {
        t + "\nEdited while another file was broken.\n"
    }));
    assert!(served(&workspace) == before, "the last good files stay");
    workspace.apply(&edit(&root, CASE, |_| good));
    assert_same(&workspace, &root, "fixed after an error");

    let folder = root.join("content/case-studies/2024");
    std::fs::create_dir(&folder).unwrap();
    std::fs::rename(
        root.join("content/case-studies/copy-10.md"),
        folder.join("copy-10.md"),
    )
    .unwrap();
    workspace.apply(&Changes {
        rescan_content: true,
        content: ["content/case-studies/copy-10.md".to_owned()].into(),
        ..Changes::default()
    });
    assert_same(&workspace, &root, "moved into a folder");

    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Lost</h1>{% endblock content %}",
    )
    .unwrap();
    let update = workspace.apply(&Changes {
        theme: true,
        ..Changes::default()
    });
    assert!(update.full, "a template change renders everything");
    assert_same(&workspace, &root, "template override added");
}

// ---------------------------------------------------------------- the real server

/// A `casebook serve` process on a free port; killed when dropped.
struct Server {
    child: Child,
    address: String,
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    /// Starts `casebook serve` with `extra` arguments.
    fn start_with(root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_casebook"))
            .args(["serve", "--root", root.to_str().unwrap(), "--port", "0"])
            .args(extra)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start casebook serve");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (sender, receiver) = std::sync::mpsc::channel();
        let shared = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find("http://") {
                    let url = line[at + 7..].split('/').next().unwrap_or("").to_owned();
                    let _ = sender.send(url);
                }
                shared.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        // Bounded, not timed: how fast the preview starts is benches/serve.sh's to measure
        // (a time limit here failed on a busy machine and proved nothing about speed).
        let address = receiver
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("no address printed; stderr: {}", log.lock().unwrap()));
        Server {
            child,
            address,
            log,
        }
    }

    fn get(&self, target: &str) -> Response {
        request(&self.address, &format!("GET {target} HTTP/1.1"))
    }

    fn events(&self) -> EventStream {
        EventStream::open(&self.address)
    }

    /// Waits until `check` holds for the answer to GET `target`.
    fn wait_for(&self, target: &str, what: &str, check: impl Fn(&Response) -> bool) -> Response {
        let started = Instant::now();
        loop {
            let response = self.get(target);
            if check(&response) {
                return response;
            }
            assert!(
                started.elapsed() < WAIT,
                "{what}: GET {target} answered {} after {WAIT:?}; server log:\n{}",
                response.status,
                self.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Sends one raw request line (with Host and Connection: close) and reads the whole answer.
fn request(address: &str, request_line: &str) -> Response {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{request_line}\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read the answer");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

/// An open `/__casebook/events` connection whose text is collected by a thread.
struct EventStream {
    text: Arc<Mutex<String>>,
    _stream: TcpStream,
}

impl EventStream {
    fn open(address: &str) -> EventStream {
        let mut stream = TcpStream::connect(address).expect("connect");
        write!(
            stream,
            "GET /__casebook/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let text = Arc::new(Mutex::new(String::new()));
        let mut reader = stream.try_clone().unwrap();
        let shared = Arc::clone(&text);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(read) = reader.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                shared
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..read]));
            }
        });
        let events = EventStream {
            text,
            _stream: stream,
        };
        events.wait_for("the stream's first message", |t| t.contains("retry:"));
        events
    }

    fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            {
                let text = self.text.lock().unwrap();
                if check(&text) {
                    return text.clone();
                }
                assert!(
                    started.elapsed() < WAIT,
                    "{what}: not in the event stream after {WAIT:?}:\n{text}"
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn count(&self, event: &str) -> usize {
        self.text
            .lock()
            .unwrap()
            .matches(&format!("event: {event}\n"))
            .count()
    }
}

fn write_file(root: &Path, file: &str, text: &str) {
    let path: PathBuf = root.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn serve_answers_with_the_site_types_index_pages_and_the_404_page() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.body.contains("/__casebook/live-reload.js"));
    let css = server.get("/css/casebook.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(!css.body.contains("live-reload"));
    assert_eq!(
        server.get("/feed.xml").header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    let script = server.get("/__casebook/live-reload.js");
    assert_eq!(script.status, 200);
    assert!(script.body.contains("EventSource"));
    let folder = server.get("/case-studies");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("location"), Some("/case-studies/"));
    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<h1"), "the theme's 404 page");
    let head = request(&server.address, "HEAD / HTTP/1.1");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(request(&server.address, "POST / HTTP/1.1").status, 405);
}

/// The status and the body's bytes of a GET of `target`.
fn get_bytes(address: &str, target: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read the answer");
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&bytes[..end]);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, bytes[end + 4..].to_vec())
}

/// GETs every file a `casebook build --drafts` (with the preview's address as base URL) of
/// `root` writes, and checks that the preview answers each with the same bytes, HTML with only
/// the live-reload script put in.
fn assert_serves_the_build(server: &Server, root: &Path, step: &str) {
    let output = root.parent().unwrap().join("served-build");
    let options = casebook::BuildOptions {
        root: root.to_path_buf(),
        output: Some(output.clone()),
        base_url: Some(format!("http://{}/", server.address)),
        drafts: true,
    };
    casebook::build(&options, &|_| {}).expect("the build succeeds");
    let mut compared = 0;
    for entry in walkdir::WalkDir::new(&output) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let path = casebook::load::relative_path(&output, entry.path());
        let built = std::fs::read(entry.path()).unwrap();
        let expected = if casebook::serve::http::content_type(&path).starts_with("text/html") {
            casebook::serve::http::inject(&built, None)
        } else {
            built
        };
        let (status, body) = get_bytes(&server.address, &format!("/{path}"));
        assert_eq!(status, 200, "{step}: {path}");
        assert!(body == expected, "{step}: {path} differs from the build's");
        compared += 1;
    }
    std::fs::remove_dir_all(&output).unwrap();
    assert!(compared > 100, "{step}: only {compared} files");
}

#[test]
fn serve_answers_every_file_with_the_bytes_the_build_writes() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    assert_serves_the_build(&server, &root, "first build");

    // After a save, once its search index is in: pages, search files and all.
    let text = std::fs::read_to_string(root.join(CASE)).unwrap();
    write_file(&root, CASE, &(text + "\nA zymurgical sentence.\n"));
    server.wait_for(CASE_URL, "changed page", |r| {
        r.body.contains("A zymurgical sentence.")
    });
    let started = Instant::now();
    while !server.log.lock().unwrap().contains("search index updated") {
        assert!(started.elapsed() < WAIT, "no search index after the save");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_serves_the_build(&server, &root, "after a save");

    // A new title on a page with outcomes: its share image is drawn again, as the build draws
    // it, and the page's tags still name it.
    const OTHER: &str =
        "content/case-studies/southampton-care-home-manager-leadership-programme.md";
    const OTHER_URL: &str = "/case-studies/southampton-care-home-manager-leadership-programme/";
    let card = format!("{OTHER_URL}share.png");
    let (status, before) = get_bytes(&server.address, &card);
    assert_eq!(status, 200, "the page has a generated share image");
    let text = std::fs::read_to_string(root.join(OTHER)).unwrap();
    let renamed = text.replacen("title: A leadership", "title: A renamed leadership", 1);
    assert_ne!(renamed, text);
    write_file(&root, OTHER, &renamed);
    server.wait_for(OTHER_URL, "renamed page", |r| {
        r.body.contains("A renamed leadership")
    });
    let started = Instant::now();
    while server
        .log
        .lock()
        .unwrap()
        .matches("search index updated")
        .count()
        < 2
    {
        assert!(
            started.elapsed() < WAIT,
            "no search index after the new title"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let (_, after) = get_bytes(&server.address, &card);
    assert_ne!(before, after, "the share image shows the new title");
    assert_serves_the_build(&server, &root, "after a new title");

    // The cache the share images are read from goes: the first request for one is told to
    // try again, and the preview makes them again.
    std::fs::remove_dir_all(root.join(".casebook/cache")).unwrap();
    let (status, _) = get_bytes(&server.address, &card);
    assert_eq!(status, 503, "a lost share image");
    let started = Instant::now();
    while get_bytes(&server.address, &card) != (200, after.clone()) {
        assert!(
            started.elapsed() < WAIT,
            "the share image is not made again"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_serves_the_build(&server, &root, "after the cache went");
}

#[test]
fn serve_answers_a_bundle_and_its_photos_with_the_bytes_the_build_writes() {
    use crate::images::{FRONT, jpeg};
    const BUNDLE: &str = "content/case-studies/red-bag";
    const PAGE: &str = "/case-studies/red-bag/";
    let (_temp, root) = copy_example();
    write_file(
        &root,
        &format!("{BUNDLE}/index.md"),
        &format!(
            "{FRONT}\nThe bag on arrival:\n\n![A red bag with a care plan inside](photo.jpg)\n"
        ),
    );
    std::fs::write(root.join(BUNDLE).join("photo.jpg"), jpeg(700, 400)).unwrap();
    std::fs::write(root.join(BUNDLE).join("lead.jpg"), jpeg(1300, 800)).unwrap();
    // A build first fills the image cache the preview shares, so that the preview starts
    // within the harness's time limit under load (encoding is slow in a debug build); the
    // workspace test above makes the images without a cache.
    full_build(&root);
    let server = Server::start(&root);
    let first = server.get(PAGE);
    assert!(first.body.contains("<picture"), "{}", first.body);
    let photo_files = |body: &str| -> Vec<String> {
        body.split(['"', ' ', ','])
            .filter(|part| part.contains("/images/") && part.contains("/photo-"))
            .map(|part| format!("/images/{}", part.split("/images/").nth(1).unwrap()))
            .collect()
    };
    let old_files = photo_files(&first.body);
    assert!(!old_files.is_empty(), "{}", first.body);
    assert_serves_the_build(&server, &root, "a bundle with photos");

    // A save that replaces the photo: the page names the new files, the old ones go.
    std::fs::write(root.join(BUNDLE).join("photo.jpg"), jpeg(900, 500)).unwrap();
    let replaced = server.wait_for(PAGE, "the page with the new photo", |r| {
        photo_files(&r.body) != old_files
    });
    for old in &old_files {
        assert!(!photo_files(&replaced.body).contains(old));
        assert_eq!(server.get(old).status, 404, "{old} is still served");
    }
    assert_serves_the_build(&server, &root, "after the photo was replaced");

    // A removed photo is an error in the overlay; put back, the page is whole again.
    std::fs::remove_file(root.join(BUNDLE).join("photo.jpg")).unwrap();
    server.wait_for(PAGE, "the overlay naming the missing photo", |r| {
        r.body.contains("id=\"casebook-errors\"") && r.body.contains("E017")
    });
    std::fs::write(root.join(BUNDLE).join("photo.jpg"), jpeg(900, 500)).unwrap();
    server.wait_for(PAGE, "the page without the overlay", |r| {
        !r.body.contains("id=\"casebook-errors\"")
    });
    assert_serves_the_build(&server, &root, "after the photo came back");
}

#[test]
fn serve_starts_and_answers_while_a_build_holds_the_output_lock() {
    let (_temp, root) = copy_example();
    // As a `casebook build` into the site's public/ holds it; serve never writes public/.
    let _lock = casebook::write::OutputLock::acquire(&root.join("public"), || {
        panic!("nothing else builds here")
    })
    .unwrap();
    let server = Server::start(&root);
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn build_output_never_has_the_live_reload_script() {
    let (temp, root) = copy_example();
    let output = temp.path().join("public");
    let result = crate::harness::build(&root, &output, &[]);
    assert!(result.status.success());
    for entry in walkdir::WalkDir::new(&output) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
            assert!(!text.contains("__casebook"), "{}", entry.path().display());
        }
    }
}

#[test]
fn serve_rebuilds_on_change_add_delete_and_rename_and_sends_reload() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    let events = server.events();

    // Change: the page shows the new text and open pages are told to reload.
    let text = std::fs::read_to_string(root.join(CASE)).unwrap();
    write_file(
        &root,
        CASE,
        &(text.clone() + "\nA sentence added while serving.\n"),
    );
    server.wait_for(CASE_URL, "changed page", |r| {
        r.body.contains("A sentence added while serving.")
    });
    events.wait_for("a reload after the change", |t| t.contains("event: reload"));

    // Add: the new page is served and listed.
    let added = text
        .replacen("title: A leadership", "title: Freshly added study", 1)
        .replacen("published: 2025-01-20", "published: 2025-06-01", 1);
    write_file(&root, "content/case-studies/freshly-added.md", &added);
    server.wait_for("/case-studies/freshly-added/", "added page", |r| {
        r.status == 200 && r.body.contains("Freshly added study")
    });
    server.wait_for("/case-studies/", "added page listed", |r| {
        r.body.contains("/case-studies/freshly-added/")
    });

    // Rename: the old address goes, the new one comes.
    std::fs::rename(
        root.join("content/case-studies/freshly-added.md"),
        root.join("content/case-studies/renamed-study.md"),
    )
    .unwrap();
    server.wait_for("/case-studies/renamed-study/", "renamed page", |r| {
        r.status == 200 && r.body.contains("Freshly added study")
    });
    server.wait_for("/case-studies/freshly-added/", "old name gone", |r| {
        r.status == 404
    });

    // Delete: 404, and gone from every list.
    std::fs::remove_file(root.join("content/case-studies/renamed-study.md")).unwrap();
    server.wait_for("/case-studies/renamed-study/", "deleted page", |r| {
        r.status == 404
    });
    let list = server.get("/case-studies/");
    assert!(!list.body.contains("renamed-study"));
    assert!(!server.get("/").body.contains("renamed-study"));
    assert!(!server.get("/sitemap.xml").body.contains("renamed-study"));
    assert!(events.count("reload") >= 3);
}

#[test]
fn serve_keeps_the_last_good_site_with_an_overlay_while_a_file_is_broken() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    let events = server.events();
    let good = std::fs::read_to_string(root.join(CASE)).unwrap();
    let page_before = server.get(CASE_URL);

    write_file(
        &root,
        CASE,
        &good.replacen("published: 2025-01-20", "published: 2025-02-31", 1),
    );
    let with_overlay = server.wait_for(CASE_URL, "overlay", |r| {
        r.body.contains("id=\"casebook-errors\"")
    });
    assert_eq!(
        with_overlay.status, 200,
        "the last good page is still served"
    );
    assert!(
        with_overlay.body.contains("2025-02-31"),
        "the message names the value"
    );
    assert!(
        with_overlay
            .body
            .contains("\"code\":\"E007\",\"column\":12,\"file\":\"content/case-studies/"),
        "code, file, line and column"
    );
    assert!(with_overlay.body.contains("\"line\":8,"));
    assert!(with_overlay.body.contains("\"hint\":\""));
    assert!(
        with_overlay
            .body
            .contains("A leadership and peer support network"),
        "the page is the last good one"
    );
    assert!(
        server.get("/").body.contains("id=\"casebook-errors\""),
        "on every page"
    );
    events.wait_for("the diagnostics event", |t| {
        t.contains("event: diagnostics\ndata: {\"errors\":[{\"code\":\"E007\"")
    });
    // The terminal shows it (printed just after the event is sent), with its source line,
    // from the text the preview keeps deflated.
    server.wait_for_log("error[E007]", 1);
    server.wait_for_log("published: 2025-02-31", 1);

    write_file(&root, CASE, &good);
    server.wait_for(CASE_URL, "overlay gone", |r| {
        !r.body.contains("id=\"casebook-errors\"")
    });
    events.wait_for("the all-clear", |t| {
        t.ends_with("event: diagnostics\ndata: {\"errors\":[]}\n\n")
    });
    assert_eq!(server.get(CASE_URL).body, page_before.body);
}

#[test]
fn serve_swaps_stylesheets_when_only_css_changed() {
    let (_temp, root) = copy_example();
    crate::harness::copy_dir(
        &crate::harness::repo_root().join("themes/default"),
        &root.join("themes/default"),
    );
    let server = Server::start(&root);
    let events = server.events();
    let css = root.join("themes/default/static/css/casebook.css");
    let text = std::fs::read_to_string(&css).unwrap();
    std::fs::write(&css, text + "\n/* changed while serving */\n").unwrap();
    server.wait_for("/css/casebook.css", "the new stylesheet", |r| {
        r.body.contains("changed while serving")
    });
    let stream = events.wait_for("a stylesheet-only reload", |t| t.contains("event: reload"));
    assert!(stream.contains("\"css_only\":true"), "{stream}");
}

#[test]
fn serve_refuses_paths_outside_the_site() {
    let (temp, root) = copy_example();
    std::fs::write(temp.path().join("secret.txt"), "secret").unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(temp.path().join("secret.txt"), root.join("static/link.txt"))
        .unwrap();
    let server = Server::start(&root);
    for target in [
        "/../secret.txt",
        "/../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/case-studies/..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "//etc/passwd",
        "/etc/passwd",
        "/index.html%00.txt",
        "/link.txt",
        &format!("/{}", temp.path().join("secret.txt").display()),
    ] {
        let response = request(&server.address, &format!("GET {target} HTTP/1.1"));
        assert_eq!(response.status, 404, "GET {target}");
        assert!(!response.body.contains("secret"), "GET {target}");
    }
    assert_eq!(
        request(&server.address, "GET http://example.org/ HTTP/1.1").status,
        404
    );
}

#[test]
fn serve_answers_a_flood_of_requests_with_many_event_streams_open() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    let streams: Vec<EventStream> = (0..50).map(|_| server.events()).collect();
    let started = Instant::now();
    let targets = [
        "/",
        CASE_URL,
        "/css/casebook.css",
        "/case-studies/",
        "/feed.xml",
    ];
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let address = server.address.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 0..125 {
                    let target = targets[(t + i) % targets.len()];
                    let response = request(&address, &format!("GET {target} HTTP/1.1"));
                    if response.status != 200 || response.body.is_empty() {
                        failures.push(format!("{target}: {}", response.status));
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert!(failures.is_empty(), "failed requests: {failures:?}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "2,000 requests took {:?}",
        started.elapsed()
    );
    // The open streams still work: a change reaches all of them.
    let text = std::fs::read_to_string(root.join(CASE)).unwrap();
    write_file(&root, CASE, &(text + "\nAfter the flood.\n"));
    for stream in &streams {
        stream.wait_for("a reload on every open stream", |t| {
            t.contains("event: reload")
        });
    }
}

// ---------------------------------------------------------------- hostile clients

/// Sends `bytes` as they are and reads the whole answer, timing it from the send.
fn raw(address: &str, bytes: &[u8]) -> (Response, Duration) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(bytes).unwrap();
    let mut answer = Vec::new();
    let _closed_or_timed_out = stream.read_to_end(&mut answer);
    let took = started.elapsed();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let response = Response {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    };
    (response, took)
}

/// Sockets that sent a request line and then trickle one byte every `every`, as slowloris
/// does, until dropped.
struct Slowloris {
    stop: Arc<std::sync::atomic::AtomicBool>,
    streams: Vec<TcpStream>,
}

impl Slowloris {
    fn open(address: &str, count: usize, every: Duration) -> Slowloris {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let streams: Vec<TcpStream> = (0..count)
            .map(|_| {
                let mut stream = TcpStream::connect(address).expect("connect");
                stream.write_all(b"GET / HTTP/1.1\r\n").unwrap();
                stream
            })
            .collect();
        for stream in &streams {
            let mut stream = stream.try_clone().unwrap();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(every);
                    if stream.write_all(b"X").is_err() {
                        return;
                    }
                }
            });
        }
        Slowloris { stop, streams }
    }
}

impl Drop for Slowloris {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// GET `target` and how long the answer took.
fn timed_get(server: &Server, target: &str) -> (Response, Duration) {
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.address
    );
    raw(&server.address, request.as_bytes())
}

#[test]
fn serve_answers_at_once_while_slow_request_heads_trickle_in() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    // Twice as many as the 8 workers that one such client used to hold for good.
    let _slow = Slowloris::open(&server.address, 16, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..5 {
        let (response, took) = timed_get(&server, "/");
        assert_eq!(response.status, 200);
        assert!(took < Duration::from_secs(1), "GET / took {took:?}");
    }
}

#[test]
fn serve_answers_at_once_while_many_idle_sockets_are_open() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    // More than the connections the server keeps open: the oldest idle ones give way.
    let _idle: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(&server.address).expect("connect"))
        .collect();
    let _events = server.events();
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..5 {
        let (response, took) = timed_get(&server, CASE_URL);
        assert_eq!(response.status, 200);
        assert!(took < Duration::from_secs(1), "GET took {took:?}");
    }
}

#[test]
fn serve_cuts_off_a_request_head_that_is_not_complete_in_ten_seconds() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    let started = Instant::now();
    // A byte a second: no single read waits long, but the head never ends.
    let slow = Slowloris::open(&server.address, 1, Duration::from_secs(1));
    let mut stream = slow.streams[0].try_clone().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(14)))
        .unwrap();
    let mut answer = String::new();
    let _closed = stream.read_to_string(&mut answer);
    let took = started.elapsed();
    assert!(
        answer.starts_with("HTTP/1.1 408 "),
        "a late head gets 408: {answer:?}"
    );
    assert!(
        took > Duration::from_secs(9) && took < Duration::from_secs(12),
        "cut off after {took:?}"
    );
}

#[test]
fn serve_answers_only_to_loopback_hosts_event_stream_included() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    let port = server.address.rsplit(':').next().unwrap().to_owned();
    for host in [
        server.address.clone(),
        format!("localhost:{port}"),
        format!("preview.localhost:{port}"),
        "127.0.0.1".to_owned(),
        "localhost".to_owned(),
        format!("[::1]:{port}"),
    ] {
        let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let (response, _) = raw(&server.address, request.as_bytes());
        assert_eq!(response.status, 200, "Host: {host}");
    }
    for host in [
        "evil.example.com".to_owned(),
        format!("evil.example.com:{port}"),
        format!("localhost.evil.example.com:{port}"),
        format!("192.0.2.1:{port}"),
    ] {
        for target in ["/", "/__casebook/events", CASE_URL] {
            let request = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n");
            let (response, took) = raw(&server.address, request.as_bytes());
            assert_eq!(response.status, 421, "Host: {host}, GET {target}");
            assert!(
                response.body.contains("answers only to localhost"),
                "{}",
                response.body
            );
            assert!(!response.head.contains("text/event-stream"));
            assert!(took < Duration::from_secs(1));
        }
    }
    let (no_host, _) = raw(&server.address, b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(no_host.status, 400, "HTTP/1.1 needs a Host");
    let (two_hosts, _) = raw(
        &server.address,
        b"GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example.com\r\n\r\n",
    );
    assert_eq!(two_hosts.status, 400);
    let (old, _) = raw(&server.address, b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(old.status, 200, "HTTP/1.0 may leave Host out");
}

#[test]
fn serve_refuses_control_characters_in_the_request_line_before_redirecting() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    let (redirect, _) = timed_get(&server, "/case-studies?page=2");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/case-studies/?page=2"));
    for target in [
        "/case-studies?a\rSet-Cookie: injected=1",
        "/case-studies?a\r",
        "/case-studies\r",
        "/case-studies?\0",
        "/case-studies?a\x0bb",
        "/case-studies?a\x7f",
    ] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        let (response, took) = raw(&server.address, request.as_bytes());
        assert_eq!(response.status, 400, "GET {target:?}");
        assert!(response.header("location").is_none(), "GET {target:?}");
        assert!(!response.head.contains("injected"), "GET {target:?}");
        assert!(took < Duration::from_secs(1), "GET {target:?}: {took:?}");
    }
}

#[test]
fn serve_answers_requests_with_bare_lf_line_ends_at_once() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    let request = format!("GET {CASE_URL} HTTP/1.1\nHost: {}\n\n", server.address);
    let (response, took) = raw(&server.address, request.as_bytes());
    assert_eq!(response.status, 200);
    assert!(
        response
            .body
            .contains("A leadership and peer support network")
    );
    assert!(took < Duration::from_millis(500), "took {took:?}");
    let (no_host, took) = raw(&server.address, b"GET / HTTP/1.1\n\n");
    assert_eq!(no_host.status, 400);
    assert!(took < Duration::from_millis(500), "took {took:?}");
}

// ---------------------------------------------------------------- content/ replaced

impl Server {
    /// Waits until the server's terminal output holds `text` `count` times.
    fn wait_for_log(&self, text: &str, count: usize) {
        let started = Instant::now();
        while self.log.lock().unwrap().matches(text).count() < count {
            assert!(
                started.elapsed() < WAIT,
                "{text:?} not printed {count} times after {WAIT:?}; server log:\n{}",
                self.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Appends `line` to the case study in the content folder at `content`.
fn append_to_case(content: &Path, line: &str) {
    let path = content.join(CASE.strip_prefix("content/").unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text + "\n" + line + "\n").unwrap();
}

#[cfg(unix)]
#[test]
fn serve_follows_content_moved_behind_a_link() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    std::fs::rename(root.join("content"), root.join("content-real")).unwrap();
    std::os::unix::fs::symlink("content-real", root.join("content")).unwrap();
    // Replaced at once, or gone and then back, depending on how the events were batched.
    server.wait_for_log("rebuilding everything", 1);
    server.wait_for_log("rebuilt in", 1);
    append_to_case(&root.join("content-real"), "Edited behind the link.");
    server.wait_for(CASE_URL, "an edit in the linked folder", |r| {
        r.body.contains("Edited behind the link.")
    });
}

#[test]
fn serve_follows_content_swapped_for_another_folder() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    crate::harness::copy_dir(&root.join("content"), &root.join("content-new"));
    append_to_case(&root.join("content-new"), "Only in the new folder.");
    std::fs::rename(root.join("content"), root.join("content-old")).unwrap();
    std::fs::rename(root.join("content-new"), root.join("content")).unwrap();
    server.wait_for(CASE_URL, "the swapped-in folder", |r| {
        r.body.contains("Only in the new folder.")
    });
    append_to_case(&root.join("content"), "Edited after the swap.");
    server.wait_for(CASE_URL, "an edit in the swapped-in folder", |r| {
        r.body.contains("Edited after the swap.")
    });
    append_to_case(&root.join("content-old"), "Edited in the old folder.");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !server
            .get(CASE_URL)
            .body
            .contains("Edited in the old folder.")
    );
}

#[test]
fn serve_keeps_the_last_good_site_while_content_is_gone_and_resumes() {
    let (_temp, root) = copy_example();
    let server = Server::start(&root);
    std::fs::rename(root.join("content"), root.join("content-away")).unwrap();
    server.wait_for_log("content/ is gone: still serving the last good site", 1);
    std::thread::sleep(Duration::from_millis(300));
    let page = server.get(CASE_URL);
    assert_eq!(page.status, 200, "the last good site stays");
    assert!(page.body.contains("A leadership and peer support network"));
    append_to_case(&root.join("content-away"), "Edited while away.");
    std::fs::rename(root.join("content-away"), root.join("content")).unwrap();
    server.wait_for_log("content/ is back", 1);
    server.wait_for(CASE_URL, "the edit made while it was away", |r| {
        r.body.contains("Edited while away.")
    });
    append_to_case(&root.join("content"), "Edited once back.");
    server.wait_for(CASE_URL, "an edit once back", |r| {
        r.body.contains("Edited once back.")
    });
}

#[test]
fn serve_no_drafts_says_how_many_drafts_it_left_out() {
    let (_temp, root) = copy_example();
    for name in ["draft-one", "draft-two"] {
        write_file(
            &root,
            &format!("content/organisations/{name}.md"),
            "---\nname: A draft\norg_type: other\npublished: 2025-01-20\ndraft: true\n---\n",
        );
    }
    let server = Server::start_with(&root, &["--no-drafts"]);
    server.wait_for_log(
        "; left out 2 drafts (serve without --no-drafts to include them)",
        1,
    );
    drop(server);
    let shown = Server::start(&root);
    shown.wait_for_log("serving http://", 1);
    assert!(
        !shown.log.lock().unwrap().contains("left out"),
        "{}",
        shown.log.lock().unwrap()
    );
}
