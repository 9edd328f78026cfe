use super::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn file(path: &str) -> OutputFile {
    OutputFile::new(path.to_owned(), path.as_bytes().to_vec())
}

#[test]
fn a_second_build_waits_and_leaves_the_first_builds_staging_folder_alone() {
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("site/public");
    let first = Staging::create(OutputLock::acquire(&output, || panic!("not locked yet")).unwrap())
        .unwrap();
    first.write(&file("first/index.html")).unwrap();

    let waiting = AtomicBool::new(false);
    // The second build, once it has the lock, goes on only when told: the first build's
    // committed output is looked at before the second's replaces it.
    // (A channel rather than a barrier: if the test fails first, the sender is dropped and
    // the second build stops waiting.)
    let (go, told) = std::sync::mpsc::channel::<()>();
    let (output_ref, waiting_ref) = (&output, &waiting);
    std::thread::scope(|scope| {
        // Dropped here on a failed assertion, before the scope waits for the second build.
        let go = go;
        let second = scope.spawn(move || {
            let lock =
                OutputLock::acquire(output_ref, || waiting_ref.store(true, Ordering::SeqCst))
                    .unwrap();
            told.recv().expect("the test went on");
            let staging = Staging::create(lock).unwrap();
            staging.write(&file("second/index.html")).unwrap();
            staging.commit().unwrap()
        });
        let started = Instant::now();
        while !waiting.load(Ordering::SeqCst) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the second build never waited"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        // Give a second build that did not wait the time to clear the folder.
        std::thread::sleep(Duration::from_millis(200));
        assert!(!second.is_finished());
        assert!(first.staging.join("first/index.html").is_file());
        assert_eq!(first.commit().unwrap().files, 1);
        assert!(output.join("first/index.html").is_file());
        go.send(()).unwrap();
        let committed = second.join().unwrap();
        assert_eq!(committed.files, 1);
        assert!(committed.leftovers.is_empty());
    });
    assert!(output.join("second/index.html").is_file());
    assert!(!output.join("first").exists());
    let mut beside: Vec<String> = std::fs::read_dir(temp.path().join("site"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, [".public.casebook-lock", "public"]);
}

#[test]
fn files_in_shared_and_nested_folders_are_written_from_many_threads() {
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("public");
    let staging = Staging::create(OutputLock::acquire(&output, || {}).unwrap()).unwrap();
    let files: Vec<OutputFile> = (0..200)
        .map(|i| file(&format!("case-studies/{}/page/{i}/index.html", i % 7)))
        .chain([file("index.html"), file("a/b/c/d/e.txt")])
        .collect();
    files.par_iter().try_for_each(|f| staging.write(f)).unwrap();
    assert_eq!(staging.commit().unwrap().files, files.len());
    for f in &files {
        assert_eq!(std::fs::read(output.join(&f.path)).unwrap(), f.contents);
    }
}

#[cfg(unix)]
#[test]
fn a_file_from_the_cache_is_linked_not_copied_and_copied_where_linking_fails() {
    use std::os::unix::fs::MetadataExt;
    let temp = tempfile::tempdir().unwrap();
    let cache = crate::cache::Cache::open(temp.path(), "share");
    let key = crate::cache::key(&[b"card"]);
    cache.put(&key, b"png bytes");
    let cached = cache.file_of(&key).unwrap();
    let output = temp.path().join("public");
    let staging = Staging::create(OutputLock::acquire(&output, || {}).unwrap()).unwrap();
    staging
        .write(&OutputFile::from_cache(
            "a/share.png".into(),
            cached.clone(),
        ))
        .unwrap();
    // Linking fails where the file is there already; it is then copied over it.
    staging.write(&file("b/share.png")).unwrap();
    staging
        .write(&OutputFile::from_cache(
            "b/share.png".into(),
            cached.clone(),
        ))
        .unwrap();
    assert_eq!(staging.commit().unwrap().files, 3);
    let (linked, copied) = (output.join("a/share.png"), output.join("b/share.png"));
    assert_eq!(std::fs::read(&linked).unwrap(), b"png bytes");
    assert_eq!(std::fs::read(&copied).unwrap(), b"png bytes");
    let cache_inode = std::fs::metadata(&cached).unwrap().ino();
    assert_eq!(std::fs::metadata(&linked).unwrap().ino(), cache_inode);
    assert_ne!(std::fs::metadata(&copied).unwrap().ino(), cache_inode);
    assert!(std::fs::metadata(&linked).unwrap().permissions().readonly());
    // The next build's commit removes the linked file with the old output; the cache's
    // file stays.
    let next = Staging::create(OutputLock::acquire(&output, || {}).unwrap()).unwrap();
    next.write(&file("index.html")).unwrap();
    assert!(next.commit().unwrap().leftovers.is_empty());
    assert!(!linked.exists());
    assert_eq!(std::fs::read(&cached).unwrap(), b"png bytes");
}

#[test]
fn a_renamed_folder_is_made_again_for_files_written_under_its_old_name() {
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("public");
    let staging = Staging::create(OutputLock::acquire(&output, || {}).unwrap()).unwrap();
    staging.write(&file("search/d/new/deep/1.js")).unwrap();
    staging.rename("search/d/new", "search/d/abc").unwrap();
    staging.write(&file("search/d/new/deep/2.js")).unwrap();
    staging.write(&file("search/d/abc/deep/3.js")).unwrap();
    staging.commit().unwrap();
    for (path, written_as) in [
        ("search/d/abc/deep/1.js", "search/d/new/deep/1.js"),
        ("search/d/new/deep/2.js", "search/d/new/deep/2.js"),
        ("search/d/abc/deep/3.js", "search/d/abc/deep/3.js"),
    ] {
        assert_eq!(
            std::fs::read(output.join(path)).unwrap(),
            written_as.as_bytes()
        );
    }
    assert!(!output.join("search/d/new/deep/1.js").exists());
}

#[test]
fn a_file_where_a_folder_is_wanted_is_an_error_not_a_panic() {
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("public");
    let staging = Staging::create(OutputLock::acquire(&output, || {}).unwrap()).unwrap();
    staging.write(&file("feeds")).unwrap();
    let error = staging.write(&file("feeds/x/feed.xml")).unwrap_err();
    assert!(matches!(error, OutputError::Io { .. }), "{error}");
}

#[test]
fn the_lock_is_released_when_the_staging_is_dropped_or_committed() {
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("public");
    let must_not_wait = || panic!("the lock was still held");
    drop(Staging::create(OutputLock::acquire(&output, must_not_wait).unwrap()).unwrap());
    let staging = Staging::create(OutputLock::acquire(&output, must_not_wait).unwrap()).unwrap();
    staging.commit().unwrap();
    drop(OutputLock::acquire(&output, must_not_wait).unwrap());
}

#[test]
fn leftovers_of_dead_builds_are_removed_while_holding_the_lock() {
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("public");
    for leftover in [".public.casebook-new-99999", ".public.casebook-old-99998"] {
        std::fs::create_dir_all(temp.path().join(leftover).join("case-studies")).unwrap();
        std::fs::write(temp.path().join(leftover).join("case-studies/x.html"), "x").unwrap();
    }
    let other_output = temp.path().join(".public-preview.casebook-new-99999");
    std::fs::create_dir_all(&other_output).unwrap();
    let staging = Staging::create(OutputLock::acquire(&output, || {}).unwrap()).unwrap();
    assert!(staging.leftovers.is_empty());
    assert!(!temp.path().join(".public.casebook-new-99999").exists());
    assert!(!temp.path().join(".public.casebook-old-99998").exists());
    assert!(other_output.is_dir(), "another output's folder was removed");
}

#[test]
fn a_file_written_as_it_is_made_is_counted_and_its_error_names_it() {
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("public");
    let staging = Staging::create(OutputLock::acquire(&output, || {}).unwrap()).unwrap();
    staging
        .write_with("data/rows.csv", &mut |out| {
            for row in 0..1000 {
                writeln!(out, "{row},a row")?;
            }
            Ok(())
        })
        .unwrap();
    let failed = staging.write_with("data/broken.csv", &mut |out| {
        out.write_all(b"half")?;
        Err(std::io::Error::other("the records ran out"))
    });
    match failed {
        Err(OutputError::Io { path, source }) => {
            assert!(path.ends_with("data/broken.csv"), "{}", path.display());
            assert_eq!(source.to_string(), "the records ran out");
        }
        other => panic!("expected an I/O error naming the file, got {other:?}"),
    }
    assert_eq!(staging.commit().unwrap().files, 1);
    let text = std::fs::read_to_string(output.join("data/rows.csv")).unwrap();
    assert_eq!(text.lines().count(), 1000);
    assert!(text.starts_with("0,a row\n1,a row\n") && text.ends_with("999,a row\n"));
}
