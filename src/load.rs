//! Stage 1, load: find the content files of a site and read them as text.
//!
//! Takes the site root and the size limit; returns one [`Source`] per content file, sorted by
//! path, plus diagnostics for files that cannot be used (too large, not UTF-8). A byte-order
//! mark is dropped and CRLF line endings become LF, which keeps line and column numbers the
//! same as in the file. Only the six content folders are read; files and folders whose names
//! start with `_` or `.` are skipped, and so are files directly in `content/`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostics::{Code, Diagnostic, Pos, pos_of_byte_offset};
use crate::model::ContentKind;

/// One content file, read and decoded.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the site root, with `/` separators, as shown in diagnostics.
    pub path: String,
    /// The kind implied by the folder.
    pub kind: ContentKind,
    /// The file name without its extension: the default slug.
    pub stem: String,
    /// The text, without a byte-order mark and with LF line endings.
    pub text: String,
}

/// The result of loading: the usable files and the problems with the others.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Readable content files, sorted by path.
    pub sources: Vec<Source>,
    /// Files too large or not UTF-8.
    pub diagnostics: Vec<Diagnostic>,
}

/// Something outside the content that stops loading.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The content files of a site, found but not read yet.
#[derive(Debug, Default)]
pub struct Found {
    /// Every content file, sorted by its site-relative path.
    pub files: Vec<FoundFile>,
    /// Symlinks that are not followed (W105).
    pub diagnostics: Vec<Diagnostic>,
}

/// One content file to read.
#[derive(Debug, Clone)]
pub struct FoundFile {
    kind: ContentKind,
    path: PathBuf,
    relative: String,
}

/// Finds and reads every content file under `root/content`, rejecting files over
/// `max_file_size` bytes before reading them.
pub fn load(root: &Path, max_file_size: u64) -> Result<Loaded, LoadError> {
    let found = find(root)?;
    let mut loaded = read_files(root, &found.files, max_file_size)?;
    loaded.diagnostics.extend(found.diagnostics);
    Ok(loaded)
}

/// Finds the content files under `root/content` without reading them, so that a caller can
/// read them a part at a time ([`read_files`]) and never hold every text at once.
pub fn find(root: &Path) -> Result<Found, LoadError> {
    let content = root.join("content");
    if !content.is_dir() {
        return Ok(Found::default());
    }
    let site_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut found = Vec::new();
    let mut skipped_links = Vec::new();
    for kind in ContentKind::ALL {
        let folder = content.join(kind.folder());
        if !folder.is_dir() {
            continue;
        }
        // In the folder's own order: the files are sorted once, below. Each entry's name is
        // cut from its path once (a `filter_entry` and `Path::extension` each did it again).
        let mut walker = WalkDir::new(&folder).into_iter();
        while let Some(entry) = walker.next() {
            let entry = entry.map_err(|error| LoadError::Read {
                path: error.path().unwrap_or(&folder).to_path_buf(),
                source: error.into(),
            })?;
            let name = entry.file_name();
            if entry.depth() > 0 && is_hidden(name) {
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
            let path = entry.path();
            let extension = extension_of(name);
            if entry.path_is_symlink() && entry.depth() > 0 {
                if links_to_site_file(&site_root, path) {
                    if kind.accepts_extension(extension) {
                        found.push((kind, path.to_path_buf()));
                    }
                } else {
                    skipped_links.push(relative_path(root, path));
                }
                continue;
            }
            if entry.file_type().is_file() && kind.accepts_extension(extension) {
                found.push((kind, path.to_path_buf()));
            }
        }
    }
    // On every thread: at 100,000 case studies, naming and sorting the files is a tenth of
    // a second on one core.
    let mut files: Vec<FoundFile> = found
        .into_par_iter()
        .map(|(kind, path)| FoundFile {
            kind,
            relative: relative_path(root, &path),
            path,
        })
        .collect();
    files.par_sort_by(|a, b| a.relative.cmp(&b.relative));
    skipped_links.sort();
    Ok(Found {
        files,
        diagnostics: skipped_links
            .iter()
            .map(|path| skipped_link_warning(path))
            .collect(),
    })
}

/// Reads one file found by [`find`], as [`load`] reads it: its source, or the diagnostic of a
/// file that cannot be a source (too large, not UTF-8).
pub fn read_file(
    root: &Path,
    file: &FoundFile,
    max_file_size: u64,
) -> Result<Result<Source, Diagnostic>, LoadError> {
    read_source(root, file.kind, &file.path, max_file_size)
}

/// Reads `files` (found by [`find`]) in parallel, as [`load`] reads them; the sources come
/// out in the order of `files`.
pub fn read_files(
    root: &Path,
    files: &[FoundFile],
    max_file_size: u64,
) -> Result<Loaded, LoadError> {
    let results: Vec<Result<Result<Source, Diagnostic>, LoadError>> = files
        .par_iter()
        .map(|file| read_source(root, file.kind, &file.path, max_file_size))
        .collect();
    let mut loaded = Loaded::default();
    for result in results {
        match result? {
            Ok(source) => loaded.sources.push(source),
            Err(diagnostic) => loaded.diagnostics.push(diagnostic),
        }
    }
    Ok(loaded)
}

/// Reads `file` to its end, `size` bytes by its metadata (more or fewer if it changed since).
/// Into a buffer one byte larger, so that a file read whole takes two reads, the second
/// finding the end: `read_to_end` reads at most 8 KiB at first (three reads for a typical
/// 11 KB page), and `File`'s own asks the system for the size and position again first.
fn read_to_end(file: &mut std::fs::File, size: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = vec![0; usize::try_from(size).unwrap_or(0).saturating_add(1)];
    let mut filled = 0;
    loop {
        match std::io::Read::read(file, &mut bytes[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
        if filled == bytes.len() {
            // The file grew since its size was read: read on, in as much again.
            bytes.resize(filled.saturating_mul(2).max(8192), 0);
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

/// Whether the symlink at `path` leads to a file inside the site. Such links are read like
/// the file they name; any other link (outside the site, to a folder, broken, in a loop) is
/// not followed, so a site never publishes what lies outside it, and is never walked twice.
fn links_to_site_file(site_root: &Path, path: &Path) -> bool {
    std::fs::canonicalize(path)
        .is_ok_and(|target| target.starts_with(site_root) && target.is_file())
}

/// The warning (W105) for a symlink under `content/` that is not followed.
fn skipped_link_warning(path: &str) -> Diagnostic {
    Diagnostic::new(
        Code::W105,
        path,
        Pos::START,
        "symlink not followed: it leads outside the site, to a folder, or nowhere",
    )
    .with_hint("put the file itself in the content folder, or link to a file inside the site")
}

/// Reads one content file, named by its site-relative path (`content/case-studies/x.md`),
/// exactly as [`load`] reads it: `casebook serve` re-reads only the files that changed.
/// `None` when the path is not a content file or no longer exists.
pub fn load_file(
    root: &Path,
    relative: &str,
    max_file_size: u64,
) -> Option<Result<Result<Source, Diagnostic>, LoadError>> {
    let kind = kind_of_path(relative)?;
    let path = root.join(relative);
    // One `lstat`: a build reads every page's file again for its body.
    let file_type = std::fs::symlink_metadata(&path).ok()?.file_type();
    if file_type.is_symlink() {
        let site_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        if !links_to_site_file(&site_root, &path) {
            return None;
        }
    } else if !file_type.is_file() {
        return None;
    }
    Some(read_source(root, kind, &path, max_file_size))
}

/// The files under `root/static`, as site paths (`/files/guide.pdf`), sorted. Links are not
/// followed, so nothing outside the site is listed.
pub fn list_static_files(root: &Path) -> BTreeSet<String> {
    let folder = root.join("static");
    WalkDir::new(&folder)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| format!("/{}", relative_path(&folder, entry.path())))
        .collect()
}

/// The site-relative, `/`-separated form of a path under `root`.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The kind of content a site-relative path holds, if it is a content file at all.
pub fn kind_of_path(relative: &str) -> Option<ContentKind> {
    let mut parts = relative.split('/');
    if parts.next()? != "content" {
        return None;
    }
    let kind = ContentKind::from_folder(parts.next()?)?;
    let rest: Vec<&str> = parts.collect();
    let name = rest.last()?;
    if rest
        .iter()
        .any(|part| is_hidden(std::ffi::OsStr::new(part)))
    {
        return None;
    }
    let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
    kind.accepts_extension(extension).then_some(kind)
}

/// The kind and default slug (the file name without its extension) of a content file named by
/// its site-relative path, if it is one.
pub fn page_key_of_path(relative: &str) -> Option<(ContentKind, String)> {
    let kind = kind_of_path(relative)?;
    Some((kind, stem_of_path(relative).to_owned()))
}

/// The default slug of a content file: its name without the extension, or, for the page of a
/// bundle (`content/case-studies/<slug>/index.md`, with the page's images beside it), the
/// name of its folder.
pub fn stem_of_path(relative: &str) -> &str {
    let mut parts = relative.rsplit('/');
    let name = parts.next().unwrap_or(relative);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    // `content/<kind>/index.md` is not in a bundle: its folder is the kind's.
    if stem == "index"
        && let Some(folder) = parts.next()
        && parts.nth(1).is_some()
    {
        return folder;
    }
    stem
}

/// Decodes file bytes as the loader does: UTF-8 required, BOM dropped, CRLF and lone CR to LF. On invalid
/// UTF-8 returns the byte offset of the first bad byte and its position.
pub fn decode(mut bytes: Vec<u8>) -> Result<String, (usize, Pos)> {
    let bom = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    bytes.drain(..bom);
    // The file's bytes become its text without a copy, unless line endings change.
    match String::from_utf8(bytes) {
        // `memchr`'s vector search: `str::contains` walks the text a word at a time.
        Ok(text) if memchr::memchr(b'\r', text.as_bytes()).is_some() => Ok(unify_line_ends(&text)),
        Ok(text) => Ok(text),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let prefix = std::str::from_utf8(&bytes[..valid])
                .expect("valid_up_to marks the end of valid UTF-8");
            let prefix = unify_line_ends(prefix);
            Err((bom + valid, pos_of_byte_offset(&prefix, prefix.len())))
        }
    }
}

/// Every line end as `\n`: Windows' `\r\n` and the lone `\r` of old Mac editors (and of
/// text pasted from some of them) alike, so that every later stage counts lines one way.
fn unify_line_ends(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn read_source(
    root: &Path,
    kind: ContentKind,
    path: &Path,
    max_file_size: u64,
) -> Result<Result<Source, Diagnostic>, LoadError> {
    let relative = relative_path(root, path);
    let io_error = |source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    };
    // Opened once, its size from the open file: a `stat` and an `open` a file, not two
    // `stat`s besides.
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    if size > max_file_size {
        return Ok(Err(Diagnostic::new(
            Code::E011,
            &relative,
            Pos::START,
            format!(
                "file is {} bytes, more than the limit of {} bytes",
                size, max_file_size
            ),
        )
        .with_hint("split the file, move large material to `static/`, or raise `max_file_size` in casebook.yaml")));
    }
    let bytes = read_to_end(&mut file, size).map_err(io_error)?;
    let stem = stem_of_path(&relative).to_owned();
    Ok(match decode(bytes) {
        Ok(text) => Ok(Source {
            path: relative,
            kind,
            stem,
            text,
        }),
        Err((offset, at)) => {
            let mut diagnostic = Diagnostic::new(
                Code::E001,
                &relative,
                at,
                format!("file is not valid UTF-8 (first bad byte at offset {offset})"),
            )
            .with_hint("save the file as UTF-8 in your editor");
            diagnostic.byte_offset = Some(offset);
            Err(diagnostic)
        }
    })
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    matches!(name.as_encoded_bytes().first(), Some(b'_' | b'.'))
}

/// What [`Path::extension`] gives of a file's name, as text: `""` if it has none or it is not
/// UTF-8.
fn extension_of(name: &std::ffi::OsStr) -> &str {
    let bytes = name.as_encoded_bytes();
    match bytes.iter().rposition(|&byte| byte == b'.') {
        Some(dot) if dot > 0 => std::str::from_utf8(&bytes[dot + 1..]).unwrap_or(""),
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `extension_of` gives what `Path::extension` gives of a name, and `is_hidden` what the
    /// name's first character says, for names with no dot, several, a leading one, a trailing
    /// one, and bytes that are not UTF-8.
    #[test]
    fn a_names_extension_and_hiding_are_read_from_its_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let names: [&[u8]; 13] = [
            b"page.md",
            b"page.markdown",
            b"a.b.md",
            b"README",
            b".hidden",
            b".hidden.md",
            b"..md",
            b"trailing.",
            b"_draft.md",
            b"\xFFbad.md",
            b"bad.\xFFmd",
            b"index.md.bak",
            b"x.yaml",
        ];
        for name in names {
            let name = std::ffi::OsStr::from_bytes(name);
            let expected = Path::new(name)
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("");
            assert_eq!(extension_of(name), expected, "{name:?}");
            let lossy = name.to_string_lossy();
            assert_eq!(
                is_hidden(name),
                lossy.starts_with('_') || lossy.starts_with('.'),
                "{name:?}"
            );
        }
    }

    #[test]
    fn decode_drops_bom_and_crlf() {
        let text = decode(b"\xEF\xBB\xBF---\r\na: 1\r\n".to_vec()).unwrap();
        assert_eq!(text, "---\na: 1\n");
    }

    #[test]
    fn decode_reads_lone_carriage_returns_as_line_ends() {
        let text = decode(b"---\rtitle: A\r---\rBody\r\nmore\r".to_vec()).unwrap();
        assert_eq!(text, "---\ntitle: A\n---\nBody\nmore\n");
        let (_, at) = decode(b"a\rb\rcaf\xE9".to_vec()).unwrap_err();
        assert_eq!(at, Pos::new(3, 4));
    }

    #[test]
    fn decode_reports_first_bad_byte() {
        let (offset, at) = decode(b"---\r\nx: caf\xE9\n".to_vec()).unwrap_err();
        assert_eq!(offset, 11);
        assert_eq!(at, Pos::new(2, 7));
        // The offset counts the byte-order mark, as the file on disk has it.
        let (offset, at) = decode(b"\xEF\xBB\xBF---\nx: caf\xE9\n".to_vec()).unwrap_err();
        assert_eq!(offset, 13);
        assert_eq!(at, Pos::new(2, 7));
    }

    #[test]
    fn a_bundle_is_named_by_its_folder() {
        assert_eq!(
            stem_of_path("content/case-studies/red-bag/index.md"),
            "red-bag"
        );
        assert_eq!(
            stem_of_path("content/case-studies/2024/red-bag/index.md"),
            "red-bag"
        );
        assert_eq!(stem_of_path("content/case-studies/red-bag.md"), "red-bag");
        assert_eq!(stem_of_path("content/case-studies/index.md"), "index");
        assert_eq!(
            page_key_of_path("content/case-studies/red-bag/index.md"),
            Some((ContentKind::CaseStudy, "red-bag".to_owned()))
        );
    }

    #[test]
    fn kind_of_path_follows_folders() {
        assert_eq!(
            kind_of_path("content/case-studies/a.md"),
            Some(ContentKind::CaseStudy)
        );
        assert_eq!(
            kind_of_path("content/data/a.yaml"),
            Some(ContentKind::Dataset)
        );
        assert_eq!(kind_of_path("content/README.md"), None);
        assert_eq!(kind_of_path("content/case-studies/_x.md"), None);
        assert_eq!(kind_of_path("static/x.md"), None);
    }

    /// `read_to_end` gives the whole file whatever size it is told: the true one, one it
    /// had before it grew (smaller, even nothing) and one it had before it shrank (larger),
    /// for an empty file, a small one and one past the buffers' first sizes.
    #[test]
    fn read_to_end_reads_the_whole_file_whatever_its_size_was() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.md");
        for length in [0_usize, 1, 100, 8191, 8192, 8193, 40_000] {
            let text: Vec<u8> = (0..length).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &text).expect("write");
            let told = [0, length / 2, length, length + 1, length * 3 + 7];
            for size in told {
                let mut file = std::fs::File::open(&path).expect("open");
                let read = read_to_end(&mut file, size as u64).expect("read");
                assert_eq!(read, text, "{length} bytes, told {size}");
            }
        }
    }
}
