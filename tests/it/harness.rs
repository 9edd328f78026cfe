//! Shared helpers: fixture paths, copying a fixture into a temporary folder, running the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The folder of a fixture under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The repository root (the bundled example site).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder into a fresh temporary folder and returns it (kept alive by the guard).
pub fn copy_to_temp(from: &Path) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let to = temp.path().join("site");
    copy_dir(from, &to);
    (temp, to)
}

/// Copies the bundled example site (its `content/`, and `static/` if any) into a temporary folder.
pub fn copy_example() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().join("example");
    for folder in ["content", "static"] {
        let from = repo_root().join(folder);
        if from.is_dir() {
            copy_dir(&from, &root.join(folder));
        }
    }
    (temp, root)
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Runs the `casebook` binary with `args`.
pub fn casebook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run casebook")
}

/// Runs `casebook build --quiet` of the site at `root` into `output`, with `extra` arguments.
pub fn build(root: &Path, output: &Path, extra: &[&str]) -> Output {
    build_command(root, output, extra)
        .output()
        .expect("run casebook")
}

/// The command `casebook build --quiet` of the site at `root` into `output`, with `extra`
/// arguments, to start in the background (its stdout and stderr piped).
pub fn build_command(root: &Path, output: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_casebook"));
    command
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(output)
        .arg("--quiet")
        .args(extra)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// `(code, file, line, column)` of every diagnostic, the form fixtures state.
pub fn positions(
    diagnostics: &[casebook::diagnostics::Diagnostic],
) -> Vec<(String, String, u32, u32)> {
    diagnostics
        .iter()
        .map(|d| (d.code.as_str().to_owned(), d.file.clone(), d.line, d.column))
        .collect()
}
