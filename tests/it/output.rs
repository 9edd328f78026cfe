//! The output folder under stress: builds into one output at the same time, a build killed
//! with SIGKILL, and an output with a read-only folder in it. Each runs the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::harness::{build, build_command, copy_example};

/// The example site plus `copies` copies of each of its case studies, so that a debug build
/// takes long enough (over a second) for two builds to overlap.
fn big_site(copies: usize) -> (tempfile::TempDir, PathBuf) {
    let (temp, root) = copy_example();
    let folder = root.join("content/case-studies");
    let originals: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    for original in &originals {
        let text = std::fs::read_to_string(original).unwrap();
        let stem = original.file_stem().unwrap().to_string_lossy();
        for n in 0..copies {
            let copy = text.replacen("title: ", &format!("title: Copy {n} of "), 1);
            std::fs::write(folder.join(format!("{stem}-copy-{n}.md")), copy).unwrap();
        }
    }
    (temp, root)
}

/// The paths of the files under `folder`, sorted.
fn file_list(folder: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(folder)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(folder).unwrap();
            relative.to_string_lossy().replace('\\', "/")
        })
        .collect();
    files.sort();
    files
}

/// The staging and old-output folders beside `output` (the lock file is meant to stay).
fn folders_beside(output: &Path) -> Vec<String> {
    let name = output.file_name().unwrap().to_string_lossy();
    let mut found: Vec<String> = std::fs::read_dir(output.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|entry| {
            entry.starts_with(&format!(".{name}.casebook-"))
                && *entry != format!(".{name}.casebook-lock")
        })
        .collect();
    found.sort();
    found
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn two_builds_into_one_output_at_once_both_succeed_and_leave_every_file() {
    let (temp, root) = big_site(150);
    let reference = temp.path().join("reference");
    let single = build(&root, &reference, &[]);
    assert_eq!(single.status.code(), Some(0), "{}", stderr(&single));
    let expected = file_list(&reference);
    // The output's parent does not exist yet: the first build creates it (and the lock file).
    let output = temp.path().join("deploy/public");
    let mut waited = 0;
    for round in 1..=5 {
        let builds: Vec<_> = (0..2)
            .map(|_| build_command(&root, &output, &[]).spawn().unwrap())
            .collect();
        for finished in builds.into_iter().map(|b| b.wait_with_output().unwrap()) {
            let text = stderr(&finished);
            assert_eq!(finished.status.code(), Some(0), "round {round}: {text}");
            if text.contains("waiting for another casebook build into") {
                waited += 1;
            }
        }
        assert!(
            file_list(&output) == expected,
            "round {round}: the output is not one build's full file set"
        );
        assert_eq!(
            folders_beside(&output),
            Vec::<String>::new(),
            "round {round}"
        );
    }
    assert!(
        waited > 0,
        "the builds never overlapped, so nothing was tested"
    );
}

#[test]
fn a_build_removes_what_a_killed_build_left() {
    let (temp, root) = big_site(150);
    let output = temp.path().join("public");
    // SIGKILL while writing: the staging folder stays, and the lock goes with the process.
    let mut killed = build_command(&root, &output, &[]).spawn().unwrap();
    let staging = temp
        .path()
        .join(format!(".public.casebook-new-{}", killed.id()));
    let started = Instant::now();
    while !std::fs::read_dir(&staging).is_ok_and(|mut entries| entries.next().is_some()) {
        assert!(
            killed.try_wait().unwrap().is_none(),
            "the build ended before it could be killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no staging folder appeared"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    killed.kill().unwrap();
    killed.wait().unwrap();
    assert!(staging.is_dir());
    // Folders as a build killed at other moments leaves them.
    let fake_new = temp.path().join(".public.casebook-new-99999");
    let fake_old = temp.path().join(".public.casebook-old-99999");
    for fake in [&fake_new, &fake_old] {
        std::fs::create_dir_all(fake.join("case-studies")).unwrap();
        std::fs::write(fake.join("case-studies/stale.html"), "stale").unwrap();
    }

    let result = build(&root, &output, &[]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    assert!(!stderr(&result).contains("warning"), "{}", stderr(&result));
    assert_eq!(folders_beside(&output), Vec::<String>::new());
    assert!(output.join("index.html").is_file());
    assert!(!output.join("case-studies/stale.html").exists());
}

/// Runs the binary as a user that file permissions apply to: the current one, or `nobody`
/// through setpriv when the tests run as root (root ignores permission bits).
enum Runner {
    Current,
    Nobody,
}

impl Runner {
    const NOBODY: u32 = 65534;

    fn find(scratch: &Path) -> Result<Runner, String> {
        use std::os::unix::fs::MetadataExt;
        // A new file belongs to the effective user.
        let probe = scratch.join("whoami");
        std::fs::write(&probe, "").unwrap();
        let uid = std::fs::metadata(&probe).unwrap().uid();
        std::fs::remove_file(&probe).unwrap();
        if uid != 0 {
            return Ok(Runner::Current);
        }
        let runner = Runner::Nobody;
        match runner.command(&["--version"]).output() {
            Ok(probe) if probe.status.success() => Ok(runner),
            Ok(probe) => Err(format!(
                "running as root, and `setpriv` cannot run casebook as nobody: {}",
                stderr(&probe)
            )),
            Err(error) => Err(format!("running as root, and there is no setpriv: {error}")),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let binary = env!("CARGO_BIN_EXE_casebook");
        let mut command = match self {
            Runner::Current => Command::new(binary),
            Runner::Nobody => {
                let mut command = Command::new("setpriv");
                command.args([
                    &format!("--reuid={}", Self::NOBODY),
                    &format!("--regid={}", Self::NOBODY),
                    "--clear-groups",
                    binary,
                ]);
                command
            }
        };
        command.args(args).env("NO_COLOR", "1");
        command
    }

    fn build(&self, root: &Path, output: &Path) -> Output {
        let (root, output) = (root.to_str().unwrap(), output.to_str().unwrap());
        self.command(&["build", "--quiet", "--root", root, "--output", output])
            .output()
            .unwrap()
    }

    /// Makes `folder` and everything in it the runner's.
    fn own(&self, folder: &Path) {
        if let Runner::Nobody = self {
            for entry in walkdir::WalkDir::new(folder) {
                let path = entry.unwrap().into_path();
                std::os::unix::fs::lchown(&path, Some(Self::NOBODY), Some(Self::NOBODY)).unwrap();
            }
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Makes every folder under `folder` writable again.
fn make_writable(folder: &Path) {
    for entry in walkdir::WalkDir::new(folder) {
        let entry = entry.unwrap();
        if entry.file_type().is_dir() {
            set_mode(entry.path(), 0o755);
        }
    }
}

#[test]
fn a_read_only_folder_in_the_output_is_a_warning_and_never_blocks_later_builds() {
    let (temp, root) = copy_example();
    let runner = match Runner::find(temp.path()) {
        Ok(runner) => runner,
        Err(reason) => {
            println!("skipped: {reason}");
            return;
        }
    };
    set_mode(temp.path(), 0o755);
    runner.own(&root);
    let output = root.join("public");
    let first = runner.build(&root, &output);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let expected = file_list(&output);

    // A read-only folder inside the output: the new output replaces it anyway (a rename), and
    // the old one cannot be emptied. The build has succeeded; the leftover is a warning.
    set_mode(&output.join("case-studies"), 0o555);
    let second = runner.build(&root, &output);
    let text = stderr(&second);
    assert_eq!(second.status.code(), Some(0), "{text}");
    assert_eq!(file_list(&output), expected);
    let leftovers = folders_beside(&output);
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    assert!(leftovers[0].starts_with(".public.casebook-old-"));
    assert!(
        text.contains("warning: the new output is in place, but the previous one")
            && text.contains(&leftovers[0])
            && text.contains("Permission denied")
            && text.contains("chmod -R u+w"),
        "{text}"
    );

    // Later builds try again, warn, and succeed.
    let third = runner.build(&root, &output);
    let text = stderr(&third);
    assert_eq!(third.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!(
            "could not remove {}",
            root.join(&leftovers[0]).display()
        )) && text.contains("left by an earlier build"),
        "{text}"
    );
    assert_eq!(file_list(&output), expected);

    // Once it is writable, the next build removes it, and says nothing.
    make_writable(&root.join(&leftovers[0]));
    let fourth = runner.build(&root, &output);
    assert_eq!(fourth.status.code(), Some(0), "{}", stderr(&fourth));
    assert_eq!(stderr(&fourth), "");
    assert_eq!(folders_beside(&output), Vec::<String>::new());

    // The output folder itself read-only: the same.
    set_mode(&output, 0o555);
    let fifth = runner.build(&root, &output);
    assert_eq!(fifth.status.code(), Some(0), "{}", stderr(&fifth));
    assert!(
        stderr(&fifth).contains("Permission denied"),
        "{}",
        stderr(&fifth)
    );
    assert_eq!(file_list(&output), expected);
    for leftover in folders_beside(&output) {
        make_writable(&root.join(leftover));
    }
}
