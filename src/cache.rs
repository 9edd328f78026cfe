//! A cache on disk for work that is slow to redo and whose result depends only on its inputs:
//! resized and re-encoded images, generated share images.
//!
//! An entry is named by [`key`], a 128-bit hash of everything the result depends on (the
//! source's bytes and the settings), so an entry never goes stale: a changed source or setting
//! is a new key. Entries live at `<site>/.casebook/cache/<namespace>/<ab>/<key>`, written to a
//! temporary name and renamed into place, so a reader never sees half an entry and two builds
//! may fill the same cache at once. The build, `casebook serve` and later builds share it.
//!
//! On Unix an entry's file is read-only: a build hard-links share images from here into its
//! output ([`Cache::file_of`]), and an entry edited through the output would be wrong for every
//! later build. (Elsewhere entries stay writable and are copied: a read-only file there could
//! not be removed with the output.)
//!
//! The cache only ever saves time. An entry that cannot be read is a miss; an entry that
//! cannot be written is dropped (the caller made the bytes already, so the build goes on), and
//! [`Cache::write_failures`] counts them so that the caller can say so once.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The folder, under a site's root, that holds every namespace of the cache.
pub const CACHE_DIR: &str = ".casebook/cache";

/// The key of an entry: the hash of `parts`, each length-prefixed so that `["ab", "c"]` and
/// `["a", "bc"]` differ. 32 hex digits.
pub fn key(parts: &[&[u8]]) -> String {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    format!("{:032x}", hasher.digest128())
}

/// One namespace of the cache (`images`, `share`), or none at all.
#[derive(Debug)]
pub struct Cache {
    dir: Option<PathBuf>,
    written: AtomicUsize,
    write_failures: AtomicUsize,
    /// With [`Cache::remembering`]: the file of each entry read or stored, by the hash of its
    /// bytes.
    remembered: Option<Mutex<HashMap<u128, PathBuf>>>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Cache {
    /// The namespace `namespace` of the cache of the site at `site_root`. Nothing is created
    /// until the first [`Cache::put`].
    pub fn open(site_root: &Path, namespace: &str) -> Cache {
        Cache::at(site_root.join(CACHE_DIR).join(namespace))
    }

    /// A cache in the folder `dir` (tests use a temporary one).
    pub fn at(dir: PathBuf) -> Cache {
        Cache {
            dir: Some(dir),
            written: AtomicUsize::new(0),
            write_failures: AtomicUsize::new(0),
            remembered: None,
        }
    }

    /// A cache that keeps nothing: every [`Cache::get`] misses, every [`Cache::put`] is dropped.
    pub fn disabled() -> Cache {
        Cache {
            dir: None,
            written: AtomicUsize::new(0),
            write_failures: AtomicUsize::new(0),
            remembered: None,
        }
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        // Keys are hex made by `key`; anything else (a path separator, `..`) is never a file.
        if key.len() < 3 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(dir.join(&key[..2]).join(key))
    }

    /// This cache, noting the file of each entry it reads or stores from now on, so that
    /// whoever is handed those bytes can read them from there again rather than hold them
    /// ([`Cache::file_holding`]; the preview does so with share images).
    pub fn remembering(mut self) -> Cache {
        self.remembered = Some(Mutex::default());
        self
    }

    /// The file of an entry read or stored since [`Cache::remembering`] whose bytes are
    /// `bytes`, if there is one.
    pub fn file_holding(&self, bytes: &[u8]) -> Option<PathBuf> {
        let remembered = self.remembered.as_ref()?;
        let hash = xxhash_rust::xxh3::xxh3_128(bytes);
        remembered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&hash)
            .cloned()
    }

    fn remember(&self, path: PathBuf, bytes: &[u8]) {
        if let Some(remembered) = &self.remembered {
            let hash = xxhash_rust::xxh3::xxh3_128(bytes);
            remembered
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(hash, path);
        }
    }

    /// The bytes stored under `key`, or `None` when there are none (or they cannot be read).
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let path = self.path(key)?;
        let bytes = fs::read(&path).ok()?;
        self.remember(path, &bytes);
        Some(bytes)
    }

    /// The file holding the entry `key`, when there is one, made read-only if an older build
    /// left it writable: for a caller that hands the file on (the build hard-links it into the
    /// output, [`crate::write::OutputFile::from_cache`]) rather than read its bytes. `None`
    /// when there is no such entry, or it cannot be made read-only (then read it with
    /// [`Cache::get`]).
    pub fn file_of(&self, key: &str) -> Option<PathBuf> {
        let path = self.path(key)?;
        let metadata = fs::metadata(&path).ok()?;
        if !metadata.is_file() {
            return None;
        }
        if cfg!(unix) && !metadata.permissions().readonly() {
            let mut permissions = metadata.permissions();
            permissions.set_readonly(true);
            fs::set_permissions(&path, permissions).ok()?;
        }
        Some(path)
    }

    /// Stores `bytes` under `key`, atomically. A failure is counted, not returned: the cache
    /// only saves time.
    pub fn put(&self, key: &str, bytes: &[u8]) {
        let Some(path) = self.path(key) else {
            if self.dir.is_some() {
                self.write_failures.fetch_add(1, Ordering::Relaxed);
            }
            return;
        };
        match write_atomically(&path, bytes) {
            Ok(()) => {
                self.written.fetch_add(1, Ordering::Relaxed);
                self.remember(path, bytes);
            }
            Err(_) => {
                self.write_failures.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// How many entries [`Cache::put`] stored since this cache was opened.
    pub fn written(&self) -> usize {
        self.written.load(Ordering::Relaxed)
    }

    /// How many entries [`Cache::put`] could not store since this cache was opened.
    pub fn write_failures(&self) -> usize {
        self.write_failures.load(Ordering::Relaxed)
    }

    /// The folder of this namespace, if the cache is enabled.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let temp = parent.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = fs::File::create(&temp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            if cfg!(unix) {
                // Read-only, as the module comment says why.
                let mut permissions = file.metadata()?.permissions();
                permissions.set_readonly(true);
                file.set_permissions(permissions)?;
            }
            Ok(())
        })
        .and_then(|()| fs::rename(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_part_boundaries_count() {
        assert_eq!(key(&[b"ab", b"c"]), key(&[b"ab", b"c"]));
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
        assert_eq!(key(&[b"x"]).len(), 32);
    }

    #[test]
    fn what_is_put_is_got_back_and_survives_a_reopen() {
        let temp = tempfile::tempdir().unwrap();
        let cache = Cache::open(temp.path(), "images");
        let k = key(&[b"photo bytes", b"480w webp"]);
        assert_eq!(cache.get(&k), None);
        cache.put(&k, b"encoded");
        assert_eq!(cache.get(&k).as_deref(), Some(&b"encoded"[..]));
        assert_eq!(cache.written(), 1);
        let again = Cache::open(temp.path(), "images");
        assert_eq!(again.get(&k).as_deref(), Some(&b"encoded"[..]));
        assert!(
            temp.path()
                .join(CACHE_DIR)
                .join("images")
                .join(&k[..2])
                .join(&k)
                .is_file()
        );
        // No temporary file is left beside the entry.
        let names: Vec<_> = fs::read_dir(temp.path().join(CACHE_DIR).join("images").join(&k[..2]))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_remembering_cache_names_the_file_of_what_it_read_or_stored() {
        let temp = tempfile::tempdir().unwrap();
        let (stored, read) = (key(&[b"stored"]), key(&[b"read"]));
        Cache::open(temp.path(), "share").put(&read, b"read bytes");
        let cache = Cache::open(temp.path(), "share").remembering();
        cache.put(&stored, b"stored bytes");
        assert_eq!(cache.get(&read).as_deref(), Some(&b"read bytes"[..]));
        let file = cache.file_holding(b"stored bytes").expect("a stored entry");
        assert_eq!(fs::read(&file).unwrap(), b"stored bytes");
        let file = cache.file_holding(b"read bytes").expect("a read entry");
        assert_eq!(fs::read(&file).unwrap(), b"read bytes");
        assert_eq!(cache.file_holding(b"other bytes"), None);
        // Without remembering, or with nothing written, no file is named.
        let plain = Cache::open(temp.path(), "share");
        assert_eq!(plain.get(&read).as_deref(), Some(&b"read bytes"[..]));
        assert_eq!(plain.file_holding(b"read bytes"), None);
        let disabled = Cache::disabled().remembering();
        disabled.put(&stored, b"stored bytes");
        assert_eq!(disabled.file_holding(b"stored bytes"), None);
    }

    #[cfg(unix)]
    #[test]
    fn entries_are_read_only_and_file_of_names_them() {
        let temp = tempfile::tempdir().unwrap();
        let cache = Cache::open(temp.path(), "share");
        let (new, old) = (key(&[b"new"]), key(&[b"old"]));
        cache.put(&new, b"new bytes");
        let file = cache.file_of(&new).expect("a stored entry");
        assert_eq!(fs::read(&file).unwrap(), b"new bytes");
        assert!(fs::metadata(&file).unwrap().permissions().readonly());
        // An entry an older build left writable is made read-only when it is handed on.
        let old_file = temp
            .path()
            .join(CACHE_DIR)
            .join("share")
            .join(&old[..2])
            .join(&old);
        fs::create_dir_all(old_file.parent().unwrap()).unwrap();
        fs::write(&old_file, b"old bytes").unwrap();
        assert!(!fs::metadata(&old_file).unwrap().permissions().readonly());
        assert_eq!(cache.file_of(&old).as_deref(), Some(old_file.as_path()));
        assert!(fs::metadata(&old_file).unwrap().permissions().readonly());
        // Storing a key again replaces its read-only file.
        cache.put(&new, b"newer bytes");
        assert_eq!(cache.get(&new).as_deref(), Some(&b"newer bytes"[..]));
        assert_eq!(cache.write_failures(), 0);
        // No entry, no file; a disabled cache has none.
        assert_eq!(cache.file_of(&key(&[b"absent"])), None);
        assert_eq!(Cache::disabled().file_of(&new), None);
    }

    #[test]
    fn keys_that_are_not_hex_never_touch_the_disk() {
        let temp = tempfile::tempdir().unwrap();
        let cache = Cache::open(temp.path(), "share");
        cache.put("../../escape", b"x");
        assert_eq!(cache.get("../../escape"), None);
        assert_eq!(cache.write_failures(), 1);
        assert!(!temp.path().join("escape").exists());
    }

    #[test]
    fn a_cache_that_cannot_be_written_counts_the_failure_and_goes_on() {
        let temp = tempfile::tempdir().unwrap();
        // A file where the namespace's folder should be.
        fs::write(temp.path().join("blocked"), b"").unwrap();
        let cache = Cache::at(temp.path().join("blocked"));
        let k = key(&[b"x"]);
        cache.put(&k, b"y");
        assert_eq!(cache.get(&k), None);
        assert_eq!(cache.write_failures(), 1);
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let cache = Cache::disabled();
        let k = key(&[b"x"]);
        cache.put(&k, b"y");
        assert_eq!(cache.get(&k), None);
        assert_eq!(cache.write_failures(), 0);
    }
}
