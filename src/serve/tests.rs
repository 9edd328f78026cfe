//! The rebuild loop's order of work: the page of a save and its reload never wait for the
//! search index, a newer save stops the index of the content before it, and each index is
//! swapped in whole.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::indexer::Indexer;
use super::{Changes, Drafts, SearchJob, Workspace, http, rebuild, snapshot};
use crate::diagnostics::Colour;

const CASE: &str = "content/case-studies/stockton-leadership-and-peer-support-network.md";
const CASE_URL: &str = "/case-studies/stockton-leadership-and-peer-support-network/";
/// A bound on every wait, far above what any step takes: a test that stops waiting fails.
const BOUND: Duration = Duration::from_secs(60);

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the example site (the repository's `content/` and `static/`).
fn example_site() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for folder in ["content", "static"] {
        if repo.join(folder).is_dir() {
            copy_dir(&repo.join(folder), &root.join(folder));
        }
    }
    (temp, root)
}

/// Appends `sentence` to the case study's body: the change a save makes.
fn save(root: &Path, sentence: &str) -> Changes {
    let path = root.join(CASE);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\n{sentence}\n")).unwrap();
    let mut changes = Changes::default();
    changes.content.insert(CASE.to_owned());
    changes
}

/// The status and body the server answers a GET of `target` with now.
fn get(shared: &http::Shared, target: &str) -> (u16, Vec<u8>) {
    let (snapshot, search) = shared.current();
    let answer = http::answer(target, &snapshot, &search);
    (answer.status, answer.body.bytes().to_vec())
}

fn page_has(shared: &http::Shared, sentence: &str) -> bool {
    let (status, body) = get(shared, CASE_URL);
    status == 200 && String::from_utf8_lossy(&body).contains(sentence)
}

#[test]
fn the_page_of_a_save_never_waits_for_the_search_index() {
    let (_temp, root) = example_site();
    let mut workspace = Workspace::open(&root, Drafts::Shown).unwrap();
    let shared = Arc::new(http::Shared::default());
    shared.publish(snapshot(&workspace));
    shared.publish_search(workspace.search_files());
    let (status, first_manifest) = get(&shared, "/search/manifest.js");
    assert_eq!(status, 200);

    // A stand-in for a slow index: it says it started, then makes no index until the test
    // lets it go (or the bound passes, so that a loop that waited for an index fails rather
    // than hangs); like the real one, it stops when the workspace stops it.
    let (started_sender, started) = mpsc::channel();
    let (release, gate) = mpsc::channel::<()>();
    let gate = Mutex::new(gate);
    let stopped = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&stopped);
    let make = move |job: &SearchJob| {
        let _ = started_sender.send(());
        let gate = gate.lock().unwrap();
        let deadline = std::time::Instant::now() + BOUND;
        while std::time::Instant::now() < deadline && !job.stopped() {
            match gate.recv_timeout(Duration::from_millis(1)) {
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                _ => break,
            }
        }
        if job.stopped() {
            counted.fetch_add(1, Ordering::SeqCst);
        }
        job.run()
    };
    let indexer = Indexer::start(Arc::clone(&shared), Box::new(make)).unwrap();
    let report = |_: super::Report<'_>| {};

    let changes = save(&root, "The first saved sentence.");
    rebuild(
        &mut workspace,
        &shared,
        &indexer,
        &changes,
        Colour::Never,
        &report,
    );
    assert!(page_has(&shared, "The first saved sentence."));
    started
        .recv_timeout(BOUND)
        .expect("the index of the first save started");

    // The first save's index is held: the next saves are served all the same, each stopping
    // the index of the content it changes.
    for sentence in ["The second saved sentence.", "The third saved sentence."] {
        let changes = save(&root, sentence);
        rebuild(
            &mut workspace,
            &shared,
            &indexer,
            &changes,
            Colour::Never,
            &report,
        );
        assert!(page_has(&shared, sentence), "served before the index");
        assert!(
            indexer.finished().is_empty(),
            "no index was made while the page was rebuilt"
        );
        assert_eq!(
            get(&shared, "/search/manifest.js").1,
            first_manifest,
            "search keeps the index it had until the new one is whole"
        );
    }

    drop(release);
    assert!(indexer.wait_idle(BOUND), "the indexer finished");
    assert!(
        stopped.load(Ordering::SeqCst) >= 1,
        "the first save's index was stopped"
    );
    let made = indexer.finished();
    assert_eq!(made.len(), 1, "only the newest content's index is made");
    let files = Arc::clone(&made[0].files);
    let _ = workspace.set_search(files);
    let fresh = Workspace::open(&root, Drafts::Shown)
        .unwrap()
        .search_files();
    assert_eq!(
        *workspace.search_files(),
        *fresh,
        "the index kept is that of the content as it is now"
    );
    for (path, packed) in fresh.iter() {
        let (status, body) = get(&shared, &format!("/{path}"));
        assert_eq!(status, 200, "{path}");
        assert_eq!(body, packed.unpack().unwrap().as_ref(), "{path} is served");
    }
    assert_ne!(get(&shared, "/search/manifest.js").1, first_manifest);
}

/// Every file `workspace` serves, read from wherever it is kept.
fn served_files(workspace: &Workspace) -> std::collections::BTreeMap<String, Vec<u8>> {
    let (rendered, statics) = workspace.files();
    let search = workspace.search_files();
    statics
        .iter()
        .chain(search.iter())
        .chain(rendered.to_map().iter())
        .map(|(path, packed)| (path.clone(), packed.unpack().unwrap().into_owned()))
        .collect()
}

/// The files `casebook build --drafts` writes for `root`.
fn built_files(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let output = root.parent().unwrap().join("built");
    let options = crate::BuildOptions {
        root: root.to_path_buf(),
        output: Some(output.clone()),
        base_url: None,
        drafts: true,
    };
    crate::build(&options, &|_| {}).expect("the build succeeds");
    let files = walkdir::WalkDir::new(&output)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let path = crate::load::relative_path(&output, entry.path());
            (path, std::fs::read(entry.path()).unwrap())
        })
        .collect();
    std::fs::remove_dir_all(&output).unwrap();
    files
}

/// Asserts `served` and `built` hold the same paths with the same bytes, naming those that
/// differ.
fn assert_same_files(
    served: &std::collections::BTreeMap<String, Vec<u8>>,
    built: &std::collections::BTreeMap<String, Vec<u8>>,
    step: &str,
) {
    let differing: Vec<&String> = served
        .keys()
        .chain(built.keys())
        .filter(|path| served.get(*path) != built.get(*path))
        .collect();
    assert!(
        differing.is_empty(),
        "{step}: these files differ: {differing:?}"
    );
}

#[test]
fn pages_search_files_and_text_are_kept_in_a_spool_and_served_as_the_build_writes_them() {
    let (_temp, root) = example_site();
    let mut workspace = Workspace::open(&root, Drafts::Shown).unwrap();
    let (rendered, _) = workspace.files();
    let rendered = rendered.to_map();
    assert!(rendered.len() > 20);
    for (path, packed) in &rendered {
        // Share images are read from the share cache, everything else from the spool.
        assert!(
            packed.is_spooled() || packed.is_cached(),
            "{path} is held in memory"
        );
    }
    assert!(workspace.search_files().values().all(|p| p.is_spooled()));
    let held = workspace.held();
    assert_eq!(
        (
            held.rendered_in_memory,
            held.search_in_memory,
            held.sources_in_memory
        ),
        (0, 0, 0)
    );
    assert!(held.pages_spool.0 > 0 && held.sources_spool.0 > 0);
    assert_eq!(held.bodies, 0, "bodies are read back from the spooled text");
    assert_same_files(
        &served_files(&workspace),
        &built_files(&root),
        "first build",
    );

    // A save appends the files whose bytes changed; a file rendered again unchanged is not
    // appended again.
    let shared = http::Shared::default();
    shared.publish(snapshot(&workspace));
    let (status, first_page) = get(&shared, CASE_URL);
    assert_eq!(status, 200);
    let pages_spool = |workspace: &Workspace| workspace.held().pages_spool;
    let mut saves = 0;
    while pages_spool(&workspace).1 * 2 <= pages_spool(&workspace).0 {
        let size = pages_spool(&workspace).0;
        let update = workspace.apply_pages(&save(&root, &format!("Saved sentence {saves}.")));
        let (rendered, _) = workspace.files();
        let changed_bytes: usize = update
            .changed
            .iter()
            .map(|path| rendered.get(path).unwrap().len())
            .sum();
        let grown = pages_spool(&workspace).0 - size;
        assert!(
            update.rendered > 0 && grown == changed_bytes as u64,
            "save {saves}: the spool grew by {grown} bytes for {changed_bytes} bytes changed"
        );
        let size = pages_spool(&workspace).0;
        let mut unchanged = Changes::default();
        unchanged.content.insert(CASE.to_owned());
        let update = workspace.apply_pages(&unchanged);
        assert!(update.rendered > 0 && update.changed.is_empty());
        assert_eq!(pages_spool(&workspace).0, size, "nothing appended");
        saves += 1;
        assert!(saves < 1000, "dead space never outgrew the live files");
    }
    let _ = workspace.update_search();
    // The file a request was handed before any of the saves is still read whole.
    let (old, _) = shared.current();
    let before_tidying = served_files(&workspace);
    assert_same_files(
        &before_tidying,
        &built_files(&root),
        &format!("{saves} saves"),
    );

    // Dead space over what is live: the live files move to a new spool, the same bytes.
    assert!(!workspace.tidy(), "too little dead space for the default");
    assert!(workspace.tidy_over(0));
    assert_eq!(workspace.held().pages_spool.1, 0, "no dead space left");
    assert_same_files(&served_files(&workspace), &before_tidying, "tidied");
    let answer = http::answer(CASE_URL, &old, &shared.current().1);
    assert_eq!((answer.status, answer.body.bytes()), (200, &first_page[..]));
    assert!(!workspace.tidy_over(0), "nothing more to copy");
}
